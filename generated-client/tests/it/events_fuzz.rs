//! Fuzzing of the event receiver: deliveries of both schemas, URL checks and app tickets, mutated by
//! structure (values replaced by others of any type, members removed or added, deep nesting) and by bytes
//! (truncation, invalid UTF-8, flipped bytes), plain or encrypted and signed, with the ciphertext, the body
//! after signing and the signature headers mutated too, go through [`Receiver::receive`]. None may panic; every
//! outcome is one of the five; a refusal has a status of 400, 401, 403, 413 or 500 and a message without the
//! token, the key or the body; and nothing changed after signing, nor signed at a time outside the window, is
//! taken as an event.
//!
//! `FUZZ_CASES` sets the number of deliveries per target (default 500, as CI runs it). The full run:
//! `FUZZ_CASES=200000 cargo test --release -p generated-client --test it events_fuzz:: -- --test-threads 2`.

use crate::events::{
    app_ticket, assert_secret_free, challenge, encrypted, now_secs, seal, sign, v2, KEY, TOKEN,
};
use crate::fuzz::{apply_bytes, byte_edit, runner_with, ByteEdit};
use generated_client::events::*;
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const NONCE: &str = "fuzz-nonce";

/// A value put in place of a node.
#[derive(Debug, Clone)]
enum Odd {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    EmptyArray,
    EmptyObject,
    /// An empty array in this many arrays.
    Nested(usize),
}

impl Odd {
    fn value(&self) -> Value {
        match self {
            Odd::Null => Value::Null,
            Odd::Bool(b) => json!(b),
            Odd::Int(n) => json!(n),
            Odd::Float(f) => json!(f),
            Odd::Text(text) => json!(text),
            Odd::EmptyArray => json!([]),
            Odd::EmptyObject => json!({}),
            Odd::Nested(depth) => (0..*depth).fold(json!([]), |inner, _| json!([inner])),
        }
    }
}

/// One change to the parsed delivery.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, Odd),
    Remove(usize),
    AddField(usize, String, Odd),
}

/// One change to the signature headers.
#[derive(Debug, Clone)]
enum HeaderEdit {
    Remove(usize),
    Replace(usize, String),
    /// Signed at a time this many seconds away from now.
    Shift(i64),
}

const HEADERS: [&str; 3] = [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER];

fn odd() -> impl Strategy<Value = Odd> {
    prop_oneof![
        Just(Odd::Null),
        any::<bool>().prop_map(Odd::Bool),
        prop_oneof![
            Just(i64::MAX),
            Just(i64::MIN),
            Just(-1i64),
            Just(0),
            any::<i64>()
        ]
        .prop_map(Odd::Int),
        prop_oneof![Just(1.5f64), Just(-0.0), Just(1e300)].prop_map(Odd::Float),
        prop_oneof![
            Just(String::new()),
            Just("x".repeat(5_000)),
            Just("\u{0}\u{7f}\u{fffd}😀\n".to_owned()),
            Just("2.0".to_owned()),
            Just("url_verification".to_owned()),
            Just("event_callback".to_owned()),
            Just("app_ticket".to_owned()),
            Just(TOKEN.to_owned()),
            Just("1502199207.7171419".to_owned()),
            "[a-z_0-9.]{1,12}",
        ]
        .prop_map(Odd::Text),
        Just(Odd::EmptyArray),
        Just(Odd::EmptyObject),
        prop_oneof![1usize..4, Just(200usize)].prop_map(Odd::Nested),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let key = prop_oneof![
        Just("schema".to_owned()),
        Just("type".to_owned()),
        Just("token".to_owned()),
        Just("encrypt".to_owned()),
        Just("event_id".to_owned()),
        Just("create_time".to_owned()),
        Just("challenge".to_owned()),
        "[a-z]{1,6}",
    ];
    prop_oneof![
        4 => (any::<usize>(), odd()).prop_map(|(at, v)| Edit::Replace(at, v)),
        2 => any::<usize>().prop_map(Edit::Remove),
        2 => (any::<usize>(), key, odd()).prop_map(|(at, k, v)| Edit::AddField(at, k, v)),
    ]
}

fn header_edit() -> impl Strategy<Value = HeaderEdit> {
    prop_oneof![
        (0usize..3).prop_map(HeaderEdit::Remove),
        (
            0usize..3,
            prop_oneof![
                Just(String::new()),
                Just("0".repeat(64)),
                Just("-1".to_owned()),
                Just("99999999999999999999".to_owned()),
                "[ -~]{0,70}",
            ]
        )
            .prop_map(|(at, v)| HeaderEdit::Replace(at, v)),
        prop_oneof![
            Just(-301i64),
            Just(301),
            Just(-100),
            Just(100),
            Just(i64::from(i32::MIN))
        ]
        .prop_map(HeaderEdit::Shift),
    ]
}

/// The deliveries mutated: a 2.0 event, a 1.0 event, an app ticket, a URL check.
fn base(which: usize) -> Value {
    let now = now_secs();
    match which % 4 {
        0 => v2("ev-fuzz", TOKEN, now * 1000),
        1 => json!({
            "uuid": "uuid-fuzz", "token": TOKEN, "ts": now.to_string(), "type": "event_callback",
            "event": {"type": "app_status_change", "app_id": "cli_fuzz", "tenant_key": "t"},
        }),
        2 => app_ticket("uuid-ticket-fuzz", TOKEN, "cli_fuzz", "ticket-fuzz"),
        _ => challenge(TOKEN),
    }
}

/// JSON pointers of every node, the root first.
fn pointers(value: &Value) -> Vec<String> {
    let mut found = vec![String::new()];
    let mut i = 0;
    while i < found.len() {
        let at = found[i].clone();
        match value.pointer(&at) {
            Some(Value::Object(map)) => {
                for key in map.keys() {
                    found.push(format!(
                        "{at}/{}",
                        key.replace('~', "~0").replace('/', "~1")
                    ));
                }
            }
            Some(Value::Array(items)) => {
                for n in 0..items.len() {
                    found.push(format!("{at}/{n}"));
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

fn apply(mut value: Value, edits: &[Edit]) -> Value {
    for edit in edits {
        let all = pointers(&value);
        let pick = |n: usize| all[n % all.len()].clone();
        match edit {
            Edit::Replace(at, odd) => {
                if let Some(node) = value.pointer_mut(&pick(*at)) {
                    *node = odd.value();
                }
            }
            Edit::Remove(at) => {
                let target = pick(*at);
                if let Some((parent, key)) = target.rsplit_once('/') {
                    match value.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(&key.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(n) = key.parse::<usize>() {
                                if n < items.len() {
                                    items.remove(n);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Edit::AddField(at, key, odd) => {
                if let Some(Value::Object(map)) = value.pointer_mut(&pick(*at)) {
                    map.insert(key.clone(), odd.value());
                }
            }
        }
    }
    value
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
}

/// The outcome is typed, and a refusal says nothing it must not.
fn check_outcome(outcome: &Outcome, body: &[u8]) {
    match outcome {
        Outcome::Refused(refusal) => {
            assert!(
                [400, 401, 403, 413, 500].contains(&refusal.status()),
                "{refusal:?}"
            );
            assert_eq!(refusal.status(), refusal.reason().status());
            assert_secret_free(refusal, body);
        }
        Outcome::Challenge(answer) => {
            let parsed: Value =
                serde_json::from_str(answer.response_body()).expect("the answer is JSON");
            assert_eq!(parsed, json!({"challenge": answer.challenge()}));
        }
        Outcome::Event(delivery) | Outcome::TicketKept(delivery) => {
            let header = delivery.header();
            assert!(!header.event_id().is_empty() && header.event_id().len() <= MAX_EVENT_ID_BYTES);
            assert!(!header.event_type().is_empty());
            assert!(delivery.raw_event().get().starts_with('{'));
            // The token shows only where the delivery put it in another field.
            let fields = [header.event_id(), header.event_type()]
                .into_iter()
                .chain(header.app_id())
                .chain(header.tenant_key());
            if !fields.into_iter().any(|field| field.contains(TOKEN)) {
                assert!(!format!("{delivery:?}").contains(TOKEN));
            }
        }
        Outcome::Duplicate(header) => assert!(!header.event_id().is_empty()),
    }
}

#[derive(Debug, Clone)]
struct PlainCase {
    which: usize,
    edits: Vec<Edit>,
    bytes: Vec<ByteEdit>,
    timestamp_header: Option<i64>,
}

fn plain_case() -> impl Strategy<Value = PlainCase> {
    (
        any::<usize>(),
        prop::collection::vec(edit(), 0..4),
        prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(byte_edit(), 1..3)],
        prop_oneof![3 => Just(None), 1 => prop_oneof![Just(0i64), Just(-400), Just(400)].prop_map(Some)],
    )
        .prop_map(|(which, edits, bytes, timestamp_header)| PlainCase {
            which,
            edits,
            bytes,
            timestamp_header,
        })
}

#[test]
fn plain_deliveries() {
    let rt = runtime();
    runner_with("events-plain", 500)
        .run(&plain_case(), |case| {
            let receiver = Receiver::builder(Credentials::new(TOKEN))
                .max_body_bytes(64 * 1024)
                .build()
                .expect("builds");
            let delivery = apply(base(case.which), &case.edits);
            let body = apply_bytes(delivery.to_string().into_bytes(), &case.bytes);
            let mut headers = HeaderMap::new();
            if let Some(shift) = case.timestamp_header {
                headers.insert(TIMESTAMP_HEADER, HeaderValue::from(now_secs() + shift));
            }
            let outcome = rt.block_on(receiver.receive(&headers, &body));
            check_outcome(&outcome, &body);
            if !matches!(outcome, Outcome::Refused(_)) {
                // Nothing passes without the token.
                assert!(String::from_utf8_lossy(&body).contains(TOKEN));
            }
            if case.timestamp_header.is_some_and(|shift| shift.abs() > 300) {
                assert!(
                    matches!(outcome, Outcome::Refused(_) | Outcome::Challenge(_)),
                    "{outcome:?}"
                );
            }
            Ok(())
        })
        .expect("no plain delivery breaks the receiver");
}

#[derive(Debug, Clone)]
struct SealedCase {
    which: usize,
    edits: Vec<Edit>,
    /// Changes to the plaintext before encryption.
    plaintext: Vec<ByteEdit>,
    /// Changes to the ciphertext (IV included), then signed.
    ciphertext: Vec<ByteEdit>,
    /// Changes to the body after signing.
    body: Vec<ByteEdit>,
    headers: Vec<HeaderEdit>,
}

fn sealed_case() -> impl Strategy<Value = SealedCase> {
    let some_bytes =
        || prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(byte_edit(), 1..3)];
    (
        any::<usize>(),
        prop::collection::vec(edit(), 0..3),
        some_bytes(),
        some_bytes(),
        some_bytes(),
        prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(header_edit(), 1..3)],
    )
        .prop_map(
            |(which, edits, plaintext, ciphertext, body, headers)| SealedCase {
                which,
                edits,
                plaintext,
                ciphertext,
                body,
                headers,
            },
        )
}

#[test]
fn encrypted_deliveries() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let rt = runtime();
    runner_with("events-encrypted", 500)
        .run(&sealed_case(), |case| {
            let receiver = Receiver::builder(Credentials::new(TOKEN).with_encrypt_key(KEY))
                .max_body_bytes(64 * 1024)
                .build()
                .expect("builds");
            let delivery = apply(base(case.which), &case.edits);
            let plaintext = apply_bytes(delivery.to_string().into_bytes(), &case.plaintext);
            let signed_body = if case.ciphertext.is_empty() {
                encrypted(KEY, &plaintext)
            } else {
                let raw = b64.decode(seal(KEY, &plaintext, [9; 16])).expect("base64");
                let raw = apply_bytes(raw, &case.ciphertext);
                let mut sealed = Map::new();
                sealed.insert("encrypt".to_owned(), json!(b64.encode(raw)));
                Value::Object(sealed).to_string().into_bytes()
            };
            let shift: i64 = case
                .headers
                .iter()
                .map(|edit| match edit {
                    HeaderEdit::Shift(shift) => *shift,
                    _ => 0,
                })
                .sum();
            let timestamp = now_secs() + shift;
            // Outside the window of 5 minutes (each shift is a whole second past it, or well within it).
            let mut headers_changed = shift.abs() > 300;
            let timestamp_text = timestamp.to_string();
            let mut headers = HeaderMap::new();
            headers.insert(TIMESTAMP_HEADER, HeaderValue::from(timestamp));
            headers.insert(NONCE_HEADER, HeaderValue::from_static(NONCE));
            let signature = sign(&timestamp_text, NONCE, KEY, &signed_body);
            headers.insert(
                SIGNATURE_HEADER,
                HeaderValue::from_str(&signature).expect("hex"),
            );
            for edit in &case.headers {
                match edit {
                    HeaderEdit::Remove(at) => {
                        headers.remove(HEADERS[*at]);
                        headers_changed = true;
                    }
                    HeaderEdit::Replace(at, text) => {
                        if let Ok(value) = HeaderValue::from_str(text) {
                            let before = headers.insert(HEADERS[*at], value.clone());
                            headers_changed |= before.as_ref() != Some(&value);
                        }
                    }
                    HeaderEdit::Shift(_) => {}
                }
            }
            let body = apply_bytes(signed_body.clone(), &case.body);
            let outcome = rt.block_on(receiver.receive(&headers, &body));
            check_outcome(&outcome, &body);
            if body != signed_body || headers_changed {
                // Only a URL check passes unsigned.
                assert!(
                    matches!(outcome, Outcome::Refused(_) | Outcome::Challenge(_)),
                    "{outcome:?}"
                );
            }
            Ok(())
        })
        .expect("no encrypted delivery breaks the receiver");
}
