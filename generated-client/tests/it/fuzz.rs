//! Fuzzing of the answers the client decodes: every operation's documented answer, an error envelope and the
//! token answer, mutated by structure (wrong JSON types, missing and extra fields, huge and negative numbers,
//! floats where integers belong, deep nesting, long strings, duplicate keys) and then by bytes (truncation,
//! invalid UTF-8, flipped bytes), go through the same functions the client decodes with. None may panic; every
//! failure is a decode error with a path, an HTTP error, or (for a valid envelope with a non-zero code) an API
//! error, and no token answer's error quotes the token or the secret.
//!
//! The lenient reading of numbers is a property of its own: in a documented answer, an integer written as a
//! string or as an integral float, and a number where a string is, decode to what the documented form gives;
//! a fraction in an integer field is a decode error at that field's path.
//!
//! `FUZZ_CASES` sets the number of bodies per target (default 2,000, as CI runs it). The full run:
//! `FUZZ_CASES=1000000 cargo test --release -p generated-client --test fuzz -- --test-threads 2`.

use generated_client::auth::decode_tenant_token;
use generated_client::decode_answer;
use generated_client::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::fmt::Debug;

const SECRET: &str = "fuzz-app-secret";
const TOKEN: &str = "t-fuzz-token-3f1b9c";

/// A value put in place of a node.
#[derive(Debug, Clone)]
enum Odd {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    /// A number JSON allows but no Rust integer or float holds, spliced in as text.
    Raw(&'static str),
    EmptyArray,
    EmptyObject,
}

/// One change to the parsed body.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, Odd),
    Remove(usize),
    AddField(usize, Odd),
    /// The node wrapped in this many arrays.
    Nest(usize, usize),
    /// Another node copied over this one.
    Copy(usize, usize),
    /// A member of an object repeated, with another value, under the same key.
    DuplicateKey(usize, Odd),
}

/// One change to the serialized bytes (of an answer here, of a delivery in `events_fuzz`).
#[derive(Debug, Clone)]
pub(crate) enum ByteEdit {
    Truncate(usize),
    Insert(usize, u8),
    Flip(usize, u8),
}

fn odd() -> impl Strategy<Value = Odd> {
    prop_oneof![
        Just(Odd::Null),
        any::<bool>().prop_map(Odd::Bool),
        prop_oneof![
            Just(i64::MAX),
            Just(i64::MIN),
            Just(-1i64),
            Just(0),
            Just(u32::MAX as i64 + 1),
            any::<i64>()
        ]
        .prop_map(Odd::Int),
        prop_oneof![Just(1.5f64), Just(-0.0), Just(1e300), Just(2.0)].prop_map(Odd::Float),
        prop_oneof![
            Just(String::new()),
            Just("x".repeat(20_000)),
            Just("\u{0}\u{7f}\u{fffd}😀".to_owned()),
            Just("1617170925462".to_owned()),
            "[a-z_]{1,12}",
        ]
        .prop_map(Odd::Text),
        prop_oneof![
            Just("18446744073709551616"),
            Just("-9223372036854775809"),
            Just("1e400"),
            Just("123456789012345678901234567890.5")
        ]
        .prop_map(Odd::Raw),
        Just(Odd::EmptyArray),
        Just(Odd::EmptyObject),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), odd()).prop_map(|(at, v)| Edit::Replace(at, v)),
        2 => any::<usize>().prop_map(Edit::Remove),
        2 => (any::<usize>(), odd()).prop_map(|(at, v)| Edit::AddField(at, v)),
        1 => (any::<usize>(), prop_oneof![1usize..4, Just(200usize)]).prop_map(|(at, n)| Edit::Nest(at, n)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(to, from)| Edit::Copy(to, from)),
        1 => (any::<usize>(), odd()).prop_map(|(at, v)| Edit::DuplicateKey(at, v)),
    ]
}

/// Truncations, flips, and insertions of bytes that break UTF-8, JSON or base64.
pub(crate) fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        any::<usize>().prop_map(ByteEdit::Truncate),
        (
            any::<usize>(),
            prop_oneof![
                Just(0xffu8),
                Just(0xc3),
                Just(0xe2),
                Just(b'"'),
                Just(b'{'),
                Just(b'=')
            ]
        )
            .prop_map(|(at, b)| ByteEdit::Insert(at, b)),
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| ByteEdit::Flip(at, mask)),
    ]
}

/// A mutated body: structural edits, then (sometimes) byte edits, and the HTTP status it comes with.
#[derive(Debug, Clone)]
struct Case {
    edits: Vec<Edit>,
    bytes: Vec<ByteEdit>,
    status: u16,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(edit(), 0..4),
        prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(byte_edit(), 1..3)],
        prop_oneof![6 => Just(200u16), 1 => Just(400), 1 => Just(429), 1 => Just(500), 1 => Just(502)],
    )
        .prop_map(|(edits, bytes, status)| Case { edits, bytes, status })
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
                found.extend((0..items.len()).map(|n| format!("{at}/{n}")));
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Markers for what a `Value` cannot hold; replaced in the serialized text.
const RAW: &str = "\u{1}RAW";
const DUP: &str = "\u{1}DUP";

fn to_value(odd: &Odd) -> Value {
    match odd {
        Odd::Null => Value::Null,
        Odd::Bool(b) => json!(b),
        Odd::Int(n) => json!(n),
        Odd::Float(f) => json!(f),
        Odd::Text(t) => json!(t),
        Odd::Raw(raw) => json!(format!("{RAW}{raw}{RAW}")),
        Odd::EmptyArray => json!([]),
        Odd::EmptyObject => json!({}),
    }
}

fn apply(mut body: Value, case: &Case) -> Vec<u8> {
    for edit in &case.edits {
        let nodes = pointers(&body);
        let pick = |at: &usize| nodes[at % nodes.len()].clone();
        match edit {
            Edit::Replace(at, odd) => {
                if let Some(node) = body.pointer_mut(&pick(at)) {
                    *node = to_value(odd);
                }
            }
            Edit::Remove(at) => {
                let at = pick(at);
                if let Some((parent, last)) = at.rsplit_once('/') {
                    match body.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(&last.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(n) = last.parse::<usize>() {
                                if n < items.len() {
                                    items.remove(n);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Edit::AddField(at, odd) => {
                if let Some(Value::Object(map)) = body.pointer_mut(&pick(at)) {
                    map.insert(format!("unknown_{}", map.len()), to_value(odd));
                }
            }
            Edit::Nest(at, depth) => {
                if let Some(node) = body.pointer_mut(&pick(at)) {
                    for _ in 0..*depth {
                        *node = Value::Array(vec![node.take()]);
                    }
                }
            }
            Edit::Copy(to, from) => {
                let copied = body.pointer(&pick(from)).cloned();
                if let (Some(copied), Some(node)) = (copied, body.pointer_mut(&pick(to))) {
                    *node = copied;
                }
            }
            Edit::DuplicateKey(at, odd) => {
                if let Some(Value::Object(map)) = body.pointer_mut(&pick(at)) {
                    if let Some(key) = map.keys().next().cloned() {
                        map.insert(format!("{DUP}{key}"), to_value(odd));
                    }
                }
            }
        }
    }
    let text = serde_json::to_string(&body)
        .expect("a Value serializes")
        .replace(&format!("\"{}", DUP.replace('\u{1}', "\\u0001")), "\"");
    let raw = RAW.replace('\u{1}', "\\u0001");
    let mut text = text;
    while let Some(start) = text.find(&format!("\"{raw}")) {
        let Some(len) = text[start + 1 + raw.len()..].find(&format!("{raw}\"")) else {
            break;
        };
        let number = text[start + 1 + raw.len()..start + 1 + raw.len() + len].to_owned();
        text.replace_range(start..start + 1 + raw.len() + len + raw.len() + 1, &number);
    }
    apply_bytes(text.into_bytes(), &case.bytes)
}

/// `bytes` with `edits` made, in order.
pub(crate) fn apply_bytes(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        match edit {
            ByteEdit::Truncate(at) => bytes.truncate(at % (bytes.len() + 1)),
            ByteEdit::Insert(at, byte) => bytes.insert(at % (bytes.len() + 1), *byte),
            ByteEdit::Flip(at, mask) => {
                if !bytes.is_empty() {
                    let i = at % bytes.len();
                    bytes[i] ^= mask;
                }
            }
        }
    }
    bytes
}

/// The bodies per target: `FUZZ_CASES`, or `default` (what CI runs).
fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn runner(target: &str) -> TestRunner {
    runner_with(target, 2_000)
}

/// A runner of [`cases`]`(default)` bodies that keeps its failures in `tests/fuzz-regressions/<target>.txt`.
pub(crate) fn runner_with(target: &str, default: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(default),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            // Failures found are kept here and replayed first on every run.
            Box::leak(format!("tests/fuzz-regressions/{target}.txt").into_boxed_str()),
        ))),
        ..Config::default()
    })
}

/// Every outcome of decoding `bytes` as `operation`'s answer is typed.
fn check_operation<T: DeserializeOwned + Default>(
    operation: &'static str,
    status: u16,
    bytes: &[u8],
) {
    match decode_answer::<T>(operation, status, bytes) {
        Ok(_) | Err(Error::Api(_)) => {}
        Err(Error::Decode { path, .. }) => {
            assert!(!path.is_empty(), "a decode error without a path")
        }
        Err(Error::Http { status: got, .. }) => {
            assert!(got >= 400, "an HTTP error for status {got}")
        }
        Err(other) => panic!("an error of an unexpected kind: {other:?}"),
    }
}

/// The name the fuzzed answers are decoded under: not the operation's own, so that the warnings of lenient
/// reads here (one per operation and path) take nothing from other tests' warnings.
fn fuzzed(operation: &str) -> &'static str {
    Box::leak(format!("fuzz/{operation}").into_boxed_str())
}

fn fuzz_operation<T: DeserializeOwned + Default>(operation: &'static str, example: Value) {
    let mut runner = runner(operation);
    let decoded_as = fuzzed(operation);
    let outcome = runner.run(&case(), |case| {
        let bytes = apply(example.clone(), &case);
        check_operation::<T>(decoded_as, case.status, &bytes);
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{operation}: {e}");
    }
}

#[test]
fn list_job_processes_answers() {
    fuzz_operation::<ListJobProcessesData>(
        "list_job_processes",
        crate::common::response_example("list_job_processes"),
    );
}

#[test]
fn search_job_requirements_answers() {
    fuzz_operation::<SearchJobRequirementsData>(
        "search_job_requirements",
        crate::common::response_example("search_job_requirements"),
    );
}

#[test]
fn get_job_config_answers() {
    fuzz_operation::<GetJobConfigData>(
        "get_job_config",
        crate::common::response_example("get_job_config"),
    );
}

#[test]
fn get_job_answers() {
    fuzz_operation::<GetJobData>("get_job", crate::common::response_example("get_job"));
}

#[test]
fn list_external_applications_answers() {
    fuzz_operation::<ListExternalApplicationsData>(
        "list_external_applications",
        crate::common::response_example("list_external_applications"),
    );
}

#[test]
fn error_envelopes() {
    let example = json!({
        "code": 1002001,
        "msg": "system error",
        "error": {"log_id": "20240101000000ABCDEF", "troubleshooter": "https://example.invalid"}
    });
    fuzz_operation::<GetJobData>("get_job", example);
}

#[test]
fn token_answers() {
    let example = json!({"code": 0, "msg": "ok", "tenant_access_token": TOKEN, "expire": 7200});
    let mut runner = runner("tenant_access_token");
    let outcome = runner.run(&case(), |case| {
        let bytes = apply(example.clone(), &case);
        match decode_tenant_token(case.status, &bytes, SECRET) {
            Ok(token) => {
                prop_assert!(!token.token.expose().is_empty() && !token.lifetime.is_zero())
            }
            Err(e @ (Error::Token { .. } | Error::Decode { .. } | Error::Http { .. })) => {
                for text in [e.to_string(), format!("{e:?}")] {
                    prop_assert!(
                        !text.contains(TOKEN) && !text.contains(SECRET),
                        "leaked: {}",
                        text
                    );
                }
            }
            Err(other) => prop_assert!(false, "an error of an unexpected kind: {:?}", other),
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("tenant_access_token: {e}");
    }
}

/// The path a decode error gives for the node at JSON `pointer` of `value`: `data.items[0].id`.
fn error_path(value: &Value, pointer: &str) -> String {
    let mut path = String::new();
    let mut node = value;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match node {
            Value::Array(items) => {
                let n: usize = segment.parse().expect("an index");
                path.push_str(&format!("[{n}]"));
                node = &items[n];
            }
            _ => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&segment);
                node = &node[segment.as_str()];
            }
        }
    }
    path
}

/// The lenient reading of numbers in `operation`'s documented answer, node by node (see the module's
/// documentation).
fn fuzz_lenient_numbers<T: DeserializeOwned + Default + PartialEq + Debug + Clone>(
    operation: &'static str,
) {
    let example = crate::common::response_example(operation);
    let name = fuzzed(operation);
    let encode = |body: &Value| serde_json::to_vec(body).expect("a Value serializes");
    let documented: T = decode_answer(name, 200, &encode(&example)).expect("the example decodes");
    // The numbers and strings of `data`; the envelope's `code` is read strictly.
    let nodes: Vec<(String, Value)> = pointers(&example)
        .into_iter()
        .filter(|at| at.starts_with("/data/"))
        .filter_map(|at| {
            let node = example.pointer(&at)?.clone();
            (node.is_i64() || node.is_u64() || node.is_string()).then_some((at, node))
        })
        .collect();
    assert!(
        !nodes.is_empty(),
        "{operation}: the example has numbers or strings"
    );
    let mut runner = runner(&format!("{operation}_lenient"));
    let outcome = runner.run(
        &(any::<prop::sample::Index>(), any::<u64>(), any::<i64>()),
        |(index, unsigned, signed)| {
            let (at, node) = &nodes[index.index(nodes.len())];
            let with = |value: Value| {
                let mut body = example.clone();
                if let Some(slot) = body.pointer_mut(at) {
                    *slot = value;
                }
                decode_answer::<T>(name, 200, &encode(&body))
            };
            if let Value::Number(number) = node {
                prop_assert_eq!(
                    with(json!(number.to_string())).ok(),
                    Some(documented.clone())
                );
                if let Some(n) = number.as_i64().filter(|n| n.unsigned_abs() < 1 << 53) {
                    prop_assert_eq!(with(json!(n as f64)).ok(), Some(documented.clone()));
                    match with(json!(n as f64 + 0.5)) {
                        Err(Error::Decode { path, .. }) => {
                            prop_assert_eq!(path, error_path(&example, at))
                        }
                        other => {
                            prop_assert!(false, "{}: a fraction decoded: {:?}", at, other.ok())
                        }
                    }
                }
            } else {
                // A number where a string is reads as its decimal text, unsigned or signed.
                for text in [unsigned.to_string(), signed.to_string()] {
                    let as_number: Value = serde_json::from_str(&text).expect("a number");
                    match (with(as_number), with(json!(text))) {
                        (Ok(number), Ok(string)) => prop_assert_eq!(number, string),
                        (
                            Err(Error::Decode { path: a, .. }),
                            Err(Error::Decode { path: b, .. }),
                        ) => {
                            prop_assert_eq!(a, b)
                        }
                        (number, string) => {
                            prop_assert!(false, "{}: {:?} against {:?}", at, number, string)
                        }
                    }
                }
            }
            Ok(())
        },
    );
    if let Err(e) = outcome {
        panic!("{operation}: {e}");
    }
}

#[test]
fn lenient_numbers() {
    fuzz_lenient_numbers::<ListJobProcessesData>("list_job_processes");
    fuzz_lenient_numbers::<SearchJobRequirementsData>("search_job_requirements");
    fuzz_lenient_numbers::<GetJobConfigData>("get_job_config");
    fuzz_lenient_numbers::<GetJobData>("get_job");
    fuzz_lenient_numbers::<GetJobDetailData>("get_job_detail");
    fuzz_lenient_numbers::<ListExternalApplicationsData>("list_external_applications");
}

/// The mutator itself: the edits reach the shapes they are meant to, so the cases above test what they claim.
#[test]
fn the_mutations_make_what_they_say() {
    let body = json!({"a": {"b": 1}});
    let case = |edits: Vec<Edit>, bytes: Vec<ByteEdit>| Case {
        edits,
        bytes,
        status: 200,
    };
    let last = 2; // the third node, `/a/b`
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    assert_eq!(
        text(apply(
            body.clone(),
            &case(vec![Edit::Replace(last, Odd::Raw("1e400"))], vec![])
        )),
        r#"{"a":{"b":1e400}}"#
    );
    assert_eq!(
        text(apply(
            body.clone(),
            &case(vec![Edit::DuplicateKey(0, Odd::Int(2))], vec![])
        )),
        r#"{"a":2,"a":{"b":1}}"#
    );
    assert_eq!(
        text(apply(
            body.clone(),
            &case(vec![Edit::Nest(last, 2)], vec![])
        )),
        r#"{"a":{"b":[[1]]}}"#
    );
    assert_eq!(
        text(apply(body.clone(), &case(vec![Edit::Remove(last)], vec![]))),
        r#"{"a":{}}"#
    );
    assert_eq!(apply(body, &case(vec![], vec![ByteEdit::Truncate(0)])), b"");
}
