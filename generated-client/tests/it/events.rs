//! The event receiver through its public interface, with deliveries made here: both schemas, plain and
//! encrypted, the URL check, and each way a delivery can be wrong, each refused for its own reason with its
//! status and without a secret in its message; duplicates and their release; rotated credentials; app tickets
//! for a store app; and an independent vector made with Python's `cryptography`. The tower service is tested in
//! `events_service`.

use crate::store_app::{APP_ID, APP_SECRET, TICKET};
use aes::cipher::block_padding::{NoPadding, Pkcs7};
use aes::cipher::{BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use generated_client::events::*;
use generated_client::{Client, Error};
use http::{HeaderMap, HeaderValue};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wiremock::MockServer;

pub const TOKEN: &str = "verification-token-7c1d20";
pub const KEY: &str = "encrypt-key-93be5a";
const OLD_TOKEN: &str = "old-verification-token-55aa";
const OLD_KEY: &str = "old-encrypt-key-66bb";
/// In every test event, so that a message quoting the body would show it.
pub const MARKER: &str = "candidate-name-marker-4e1f";
const NONCE: &str = "nonce-0b7e";

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// A Hire-like 2.0 delivery.
pub fn v2(event_id: &str, token: &str, create_time_ms: i64) -> Value {
    json!({
        "schema": "2.0",
        "header": {
            "event_id": event_id,
            "event_type": "hire.application.stage_changed_v1",
            "create_time": create_time_ms.to_string(),
            "token": token,
            "app_id": "cli_events_test",
            "tenant_key": "tenant-a",
        },
        "event": {"application_id": "6949805467799537964", "target_stage_id": "614218419274132", "note": MARKER},
    })
}

/// A 1.0 delivery of another event than the app ticket.
fn v1(uuid: &str, token: &str, ts: &str) -> Value {
    json!({
        "uuid": uuid,
        "token": token,
        "ts": ts,
        "type": "event_callback",
        "event": {"type": "app_status_change", "app_id": "cli_events_test", "tenant_key": "tenant-b", "note": MARKER},
    })
}

/// A 1.0 `app_ticket` delivery, as Feishu pushes it about once an hour.
pub fn app_ticket(uuid: &str, token: &str, app_id: &str, ticket: &str) -> Value {
    json!({
        "uuid": uuid,
        "token": token,
        "ts": format!("{}.7171419", now_secs()),
        "type": "event_callback",
        "event": {"type": "app_ticket", "app_id": app_id, "app_ticket": ticket},
    })
}

pub fn challenge(token: &str) -> Value {
    json!({"challenge": "ajls384kdjx98XX", "token": token, "type": "url_verification"})
}

pub fn json_bytes(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

/// Encrypts `plaintext` as Feishu does, with `iv`: base64 of the IV and the AES-256-CBC ciphertext under the
/// SHA-256 of the key, PKCS#7 padded.
pub fn seal(key: &str, plaintext: &[u8], iv: [u8; 16]) -> String {
    let aes_key: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    let mut buffer = plaintext.to_vec();
    buffer.resize(plaintext.len() + 16, 0);
    let ciphertext = cbc::Encryptor::<aes::Aes256>::new(&aes_key.into(), &iv.into())
        .encrypt_padded_mut::<Pkcs7>(&mut buffer, plaintext.len())
        .expect("room for the padding")
        .to_vec();
    base64::engine::general_purpose::STANDARD.encode([&iv[..], &ciphertext].concat())
}

/// Encrypts whole blocks as they are, without padding: to make a plaintext whose padding is wrong.
fn seal_unpadded(key: &str, blocks: &[u8]) -> String {
    let aes_key: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    let iv = [7u8; 16];
    let mut buffer = blocks.to_vec();
    let ciphertext = cbc::Encryptor::<aes::Aes256>::new(&aes_key.into(), &iv.into())
        .encrypt_padded_mut::<NoPadding>(&mut buffer, blocks.len())
        .expect("whole blocks")
        .to_vec();
    base64::engine::general_purpose::STANDARD.encode([&iv[..], &ciphertext].concat())
}

/// `{"encrypt": "..."}` for `plaintext`.
pub fn encrypted(key: &str, plaintext: &[u8]) -> Vec<u8> {
    json_bytes(&json!({"encrypt": seal(key, plaintext, [0x5a; 16])}))
}

/// The lowercase hex signature of a request.
pub fn sign(timestamp: &str, nonce: &str, key: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(timestamp.as_bytes());
    hash.update(nonce.as_bytes());
    hash.update(key.as_bytes());
    hash.update(body);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The three signature headers, for a request sent at `timestamp` (seconds).
pub fn signed_headers(key: &str, body: &[u8], timestamp: i64) -> HeaderMap {
    let timestamp = timestamp.to_string();
    let mut headers = HeaderMap::new();
    let value = |text: &str| HeaderValue::from_str(text).expect("a header value");
    headers.insert(TIMESTAMP_HEADER, value(&timestamp));
    headers.insert(NONCE_HEADER, value(NONCE));
    headers.insert(SIGNATURE_HEADER, value(&sign(&timestamp, NONCE, key, body)));
    headers
}

/// A receiver of plain deliveries.
pub fn plain_receiver() -> Receiver {
    Receiver::builder(Credentials::new(TOKEN))
        .build()
        .expect("builds")
}

/// A receiver of encrypted, signed deliveries.
pub fn encrypted_receiver() -> Receiver {
    Receiver::builder(Credentials::new(TOKEN).with_encrypt_key(KEY))
        .build()
        .expect("builds")
}

/// `plaintext` encrypted and signed now, received by `receiver`.
async fn receive_sealed(receiver: &Receiver, plaintext: &Value) -> Outcome {
    let body = encrypted(KEY, &json_bytes(plaintext));
    receiver
        .receive(&signed_headers(KEY, &body, now_secs()), &body)
        .await
}

/// Asserts that neither `Display` nor `Debug` of `refusal` shows a secret, a signature or the body.
pub fn assert_secret_free(refusal: &Refusal, body: &[u8]) {
    let body_text = String::from_utf8_lossy(body);
    for text in [refusal.to_string(), format!("{refusal:?}")] {
        for secret in [
            TOKEN,
            KEY,
            OLD_TOKEN,
            OLD_KEY,
            MARKER,
            NONCE,
            "ajls384kdjx98XX",
        ] {
            assert!(!text.contains(secret), "`{text}` shows `{secret}`");
        }
        if body.len() > 8 {
            assert!(!text.contains(&*body_text), "`{text}` shows the body");
        }
        assert!(
            !text
                .split(|c: char| !c.is_ascii_hexdigit())
                .any(|word| word.len() >= 64),
            "`{text}` shows a signature"
        );
    }
}

/// Asserts that `outcome` is a refusal for `reason` with `status`, with a message free of secrets.
#[track_caller]
pub fn assert_refused(
    outcome: Outcome,
    reason: RefusalReason,
    status: u16,
    body: &[u8],
) -> Refusal {
    let Outcome::Refused(refusal) = outcome else {
        panic!("expected a refusal ({reason:?}), got {outcome:?}");
    };
    assert_eq!(refusal.reason(), reason, "{refusal}");
    assert_eq!(refusal.status(), status, "{refusal}");
    assert_eq!(reason.status(), status);
    assert_secret_free(&refusal, body);
    refusal
}

#[track_caller]
fn assert_event(outcome: Outcome) -> Delivery {
    match outcome {
        Outcome::Event(delivery) => delivery,
        other => panic!("expected an event, got {other:?}"),
    }
}

#[tokio::test]
async fn a_plain_2_0_event_is_received_with_its_header_and_raw_event() {
    let created = now_secs() * 1000 + 123;
    let delivery = v2("ev-plain-2", TOKEN, created);
    let outcome = plain_receiver()
        .receive(&HeaderMap::new(), &json_bytes(&delivery))
        .await;
    assert_eq!(outcome.status(), 200);
    let received = assert_event(outcome);
    let header = received.header();
    assert_eq!(header.schema(), Schema::V2);
    assert_eq!(header.schema().as_str(), "2.0");
    assert_eq!(header.event_id(), "ev-plain-2");
    assert_eq!(header.event_type(), "hire.application.stage_changed_v1");
    assert_eq!(header.app_id(), Some("cli_events_test"));
    assert_eq!(header.tenant_key(), Some("tenant-a"));
    assert_eq!(
        header.create_time(),
        Some(UNIX_EPOCH + Duration::from_millis(created as u64))
    );
    let raw: Value = serde_json::from_str(received.raw_event().get()).expect("raw JSON");
    assert_eq!(raw, delivery["event"]);
    let typed: Value = received.event_as().expect("decodes");
    assert_eq!(typed["note"], MARKER);
    let debug = format!("{received:?}");
    assert!(
        !debug.contains(MARKER) && !debug.contains(TOKEN),
        "Debug shows the header only: {debug}"
    );
}

#[tokio::test]
async fn a_plain_1_0_event_is_received_with_its_fractional_ts() {
    let ts = format!("{}.7171419", now_secs());
    let outcome = plain_receiver()
        .receive(&HeaderMap::new(), &json_bytes(&v1("uuid-1", TOKEN, &ts)))
        .await;
    let received = assert_event(outcome);
    let header = received.header();
    assert_eq!(header.schema(), Schema::V1);
    assert_eq!(header.event_id(), "uuid-1");
    assert_eq!(header.event_type(), "app_status_change");
    assert_eq!(header.app_id(), Some("cli_events_test"));
    assert_eq!(header.tenant_key(), Some("tenant-b"));
    let created = header.create_time().expect("the ts reads");
    let expected = UNIX_EPOCH + Duration::from_millis(now_secs() as u64 * 1000 + 717);
    let apart = created
        .duration_since(expected)
        .unwrap_or_else(|e| e.duration());
    assert!(apart < Duration::from_secs(5), "{created:?}");
    let (_, raw) = received.into_parts();
    assert!(raw.get().contains(MARKER));
}

#[tokio::test]
async fn encrypted_signed_deliveries_of_both_schemas_are_received() {
    let receiver = encrypted_receiver();
    let received =
        assert_event(receive_sealed(&receiver, &v2("ev-sealed-2", TOKEN, now_secs() * 1000)).await);
    assert_eq!(received.header().event_id(), "ev-sealed-2");
    assert_eq!(received.header().schema(), Schema::V2);
    // The own time of an encrypted delivery does not matter: the signed header's does.
    let received = assert_event(
        receive_sealed(&receiver, &v1("uuid-sealed-1", TOKEN, "1502199207.7171419")).await,
    );
    assert_eq!(received.header().event_id(), "uuid-sealed-1");
    assert_eq!(received.header().schema(), Schema::V1);
    // An app ticket, with no store app client given, is an event like any other.
    let received = assert_event(
        receive_sealed(
            &receiver,
            &app_ticket("uuid-ticket", TOKEN, "cli_other", "ticket-1"),
        )
        .await,
    );
    assert_eq!(received.header().event_type(), "app_ticket");
    assert_eq!(received.header().app_id(), Some("cli_other"));
}

#[tokio::test]
async fn url_checks_are_answered_with_their_challenge_plain_or_encrypted() {
    let expected = r#"{"challenge":"ajls384kdjx98XX"}"#;
    let outcome = plain_receiver()
        .receive(&HeaderMap::new(), &json_bytes(&challenge(TOKEN)))
        .await;
    assert_eq!(outcome.status(), 200);
    let Outcome::Challenge(answer) = outcome else {
        panic!("expected a challenge, got {outcome:?}");
    };
    assert_eq!(answer.challenge(), "ajls384kdjx98XX");
    assert_eq!(answer.response_body(), expected);
    assert_eq!(CHALLENGE_CONTENT_TYPE, "application/json; charset=utf-8");

    // Feishu does not sign the URL check: it is answered without the signature headers, and with wrong ones.
    let body = encrypted(KEY, &json_bytes(&challenge(TOKEN)));
    let receiver = encrypted_receiver();
    for headers in [
        HeaderMap::new(),
        signed_headers("another-key", &body, now_secs()),
    ] {
        match receiver.receive(&headers, &body).await {
            Outcome::Challenge(answer) => assert_eq!(answer.response_body(), expected),
            other => panic!("expected a challenge, got {other:?}"),
        }
    }
    // ...but only with the right token.
    let body = encrypted(KEY, &json_bytes(&challenge("not-the-token")));
    assert_refused(
        receiver.receive(&HeaderMap::new(), &body).await,
        RefusalReason::BadToken,
        401,
        &body,
    );
    let body = json_bytes(&challenge("not-the-token"));
    assert_refused(
        plain_receiver().receive(&HeaderMap::new(), &body).await,
        RefusalReason::BadToken,
        401,
        &body,
    );
}

#[tokio::test]
async fn a_wrong_signature_is_refused() {
    let body = encrypted(KEY, &json_bytes(&v2("ev-sig", TOKEN, now_secs() * 1000)));
    let receiver = encrypted_receiver();
    // Signed with another key.
    let headers = signed_headers("another-key", &body, now_secs());
    assert_refused(
        receiver.receive(&headers, &body).await,
        RefusalReason::BadSignature,
        401,
        &body,
    );
    // The right signature of another timestamp, or of another nonce.
    let mut headers = signed_headers(KEY, &body, now_secs());
    headers.insert(TIMESTAMP_HEADER, HeaderValue::from(now_secs() as u64 - 1));
    assert_refused(
        receiver.receive(&headers, &body).await,
        RefusalReason::BadSignature,
        401,
        &body,
    );
    let mut headers = signed_headers(KEY, &body, now_secs());
    headers.insert(NONCE_HEADER, HeaderValue::from_static("another-nonce"));
    assert_refused(
        receiver.receive(&headers, &body).await,
        RefusalReason::BadSignature,
        401,
        &body,
    );
    // A body changed after signing: one more space.
    let headers = signed_headers(KEY, &body, now_secs());
    let mut changed = body.clone();
    changed.push(b' ');
    assert_refused(
        receiver.receive(&headers, &changed).await,
        RefusalReason::BadSignature,
        401,
        &changed,
    );
    // Not hex at all.
    let mut headers = signed_headers(KEY, &body, now_secs());
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_static("not-a-signature"),
    );
    assert_refused(
        receiver.receive(&headers, &body).await,
        RefusalReason::BadSignature,
        401,
        &body,
    );
}

#[tokio::test]
async fn missing_signature_headers_are_refused() {
    let body = encrypted(
        KEY,
        &json_bytes(&v2("ev-unsigned", TOKEN, now_secs() * 1000)),
    );
    let receiver = encrypted_receiver();
    assert_refused(
        receiver.receive(&HeaderMap::new(), &body).await,
        RefusalReason::MissingSignatureHeaders,
        401,
        &body,
    );
    for missing in [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER] {
        let mut headers = signed_headers(KEY, &body, now_secs());
        headers.remove(missing);
        assert_refused(
            receiver.receive(&headers, &body).await,
            RefusalReason::MissingSignatureHeaders,
            401,
            &body,
        );
    }
}

#[tokio::test]
async fn an_unsigned_delivery_learns_nothing_of_its_decryption() {
    let receiver = encrypted_receiver();
    let bad_padding = json_bytes(&json!({"encrypt": seal_unpadded(KEY, &[0u8; 32])}));
    let not_json = encrypted(KEY, b"not json");
    for body in [
        bad_padding,
        not_json,
        b"{\"encrypt\": \"%%%\"}".to_vec(),
        b"{}".to_vec(),
    ] {
        assert_refused(
            receiver.receive(&HeaderMap::new(), &body).await,
            RefusalReason::MissingSignatureHeaders,
            401,
            &body,
        );
        assert_refused(
            receiver
                .receive(&signed_headers("another-key", &body, now_secs()), &body)
                .await,
            RefusalReason::BadSignature,
            401,
            &body,
        );
    }
}

#[tokio::test]
async fn a_wrong_token_is_refused_plain_and_encrypted() {
    let delivery = v2("ev-token", "not-the-token", now_secs() * 1000);
    let body = json_bytes(&delivery);
    assert_refused(
        plain_receiver().receive(&HeaderMap::new(), &body).await,
        RefusalReason::BadToken,
        401,
        &body,
    );
    let sealed = receive_sealed(&encrypted_receiver(), &delivery).await;
    assert_refused(sealed, RefusalReason::BadToken, 401, &[]);
    // A 1.0 delivery without a token, and one whose token is a number.
    let mut no_token = v1("uuid-no-token", TOKEN, &now_secs().to_string());
    no_token.as_object_mut().expect("object").remove("token");
    let body = json_bytes(&no_token);
    assert_refused(
        plain_receiver().receive(&HeaderMap::new(), &body).await,
        RefusalReason::BadToken,
        401,
        &body,
    );
    let mut number_token = v1("uuid-number-token", TOKEN, &now_secs().to_string());
    number_token["token"] = json!(12345);
    let body = json_bytes(&number_token);
    assert_refused(
        plain_receiver().receive(&HeaderMap::new(), &body).await,
        RefusalReason::BadToken,
        401,
        &body,
    );
}

#[tokio::test]
async fn deliveries_too_old_or_from_the_future_are_refused() {
    let receiver = encrypted_receiver();
    let body = encrypted(KEY, &json_bytes(&v2("ev-time", TOKEN, now_secs() * 1000)));
    for (shift, reason) in [
        (-301, RefusalReason::TooOld),
        (-86_400 * 365, RefusalReason::TooOld),
        (301, RefusalReason::FromTheFuture),
    ] {
        let headers = signed_headers(KEY, &body, now_secs() + shift);
        assert_refused(receiver.receive(&headers, &body).await, reason, 401, &body);
    }
    // Within the window, either way.
    for shift in [-200, 200] {
        let headers = signed_headers(KEY, &body, now_secs() + shift);
        assert_event(receiver.receive(&headers, &body).await);
        receiver.release("ev-time").await.expect("released");
    }
    // Without an encrypt key: the delivery's own time, in both schemas.
    let plain = plain_receiver();
    for (delivery, reason) in [
        (
            v2("ev-old", TOKEN, (now_secs() - 600) * 1000),
            RefusalReason::TooOld,
        ),
        (
            v2("ev-future", TOKEN, (now_secs() + 600) * 1000),
            RefusalReason::FromTheFuture,
        ),
        (
            v1("uuid-old", TOKEN, "1502199207.7171419"),
            RefusalReason::TooOld,
        ),
    ] {
        let body = json_bytes(&delivery);
        assert_refused(
            plain.receive(&HeaderMap::new(), &body).await,
            reason,
            401,
            &body,
        );
    }
    // A wider window takes the 1.0 delivery of 2017.
    let wide = Receiver::builder(Credentials::new(TOKEN))
        .timestamp_window(Duration::from_secs(20 * 365 * 86_400))
        .build()
        .expect("builds");
    let body = json_bytes(&v1("uuid-old", TOKEN, "1502199207.7171419"));
    assert_event(wide.receive(&HeaderMap::new(), &body).await);
}

#[tokio::test]
async fn a_plain_delivery_uses_the_timestamp_header_when_there_is_one() {
    let receiver = plain_receiver();
    let body = json_bytes(&v2("ev-header-time", TOKEN, (now_secs() - 3600) * 1000));
    let mut headers = HeaderMap::new();
    headers.insert(TIMESTAMP_HEADER, HeaderValue::from(now_secs() as u64));
    assert_event(receiver.receive(&headers, &body).await);
    headers.insert(TIMESTAMP_HEADER, HeaderValue::from_static("yesterday"));
    let body = json_bytes(&v2("ev-header-bad", TOKEN, now_secs() * 1000));
    assert_refused(
        receiver.receive(&headers, &body).await,
        RefusalReason::BadTimestamp,
        400,
        &body,
    );
}

#[tokio::test]
async fn a_delivery_without_a_usable_time_is_refused() {
    let receiver = plain_receiver();
    let mut no_time = v2("ev-no-time", TOKEN, 0);
    no_time["header"]
        .as_object_mut()
        .expect("header")
        .remove("create_time");
    let body = json_bytes(&no_time);
    assert_refused(
        receiver.receive(&HeaderMap::new(), &body).await,
        RefusalReason::MissingTimestamp,
        400,
        &body,
    );
    for bad in [json!("soon"), json!("1.7e12"), json!(true), json!("-5")] {
        let mut bad_time = v2("ev-bad-time", TOKEN, 0);
        bad_time["header"]["create_time"] = bad;
        let body = json_bytes(&bad_time);
        assert_refused(
            receiver.receive(&HeaderMap::new(), &body).await,
            RefusalReason::BadTimestamp,
            400,
            &body,
        );
    }
    // A signed delivery with a timestamp header that is not a number.
    let encrypted_receiver = encrypted_receiver();
    let body = encrypted(KEY, &json_bytes(&v2("ev-signed-bad-time", TOKEN, 0)));
    let headers = {
        let mut headers = HeaderMap::new();
        headers.insert(TIMESTAMP_HEADER, HeaderValue::from_static("noon"));
        headers.insert(NONCE_HEADER, HeaderValue::from_static(NONCE));
        let signature = sign("noon", NONCE, KEY, &body);
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_str(&signature).expect("hex"),
        );
        headers
    };
    assert_refused(
        encrypted_receiver.receive(&headers, &body).await,
        RefusalReason::BadTimestamp,
        400,
        &body,
    );
}

#[tokio::test]
async fn a_replayed_delivery_is_a_duplicate_until_released() {
    let receiver = encrypted_receiver();
    let delivery = v2("ev-replayed", TOKEN, now_secs() * 1000);
    let body = encrypted(KEY, &json_bytes(&delivery));
    let headers = signed_headers(KEY, &body, now_secs());
    assert_event(receiver.receive(&headers, &body).await);
    // The same request again, and Feishu's redelivery (signed anew).
    for headers in [headers.clone(), signed_headers(KEY, &body, now_secs() + 1)] {
        match receiver.receive(&headers, &body).await {
            Outcome::Duplicate(header) => {
                assert_eq!(header.event_id(), "ev-replayed");
                assert_eq!(header.event_type(), "hire.application.stage_changed_v1");
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }
    // A clone shares the store.
    let clone = receiver.clone();
    assert!(matches!(
        clone.receive(&headers, &body).await,
        Outcome::Duplicate(_)
    ));
    // Handling failed: released, the redelivery is an event again.
    receiver.release("ev-replayed").await.expect("released");
    assert_event(receiver.receive(&headers, &body).await);
    // Ids of 1.0 deliveries too.
    let plain = plain_receiver();
    let body = json_bytes(&v1("uuid-replayed", TOKEN, &now_secs().to_string()));
    assert_event(plain.receive(&HeaderMap::new(), &body).await);
    assert!(matches!(
        plain.receive(&HeaderMap::new(), &body).await,
        Outcome::Duplicate(_)
    ));
}

#[tokio::test(start_paused = true)]
async fn an_id_is_forgotten_after_the_duplicate_ttl() {
    let receiver = Receiver::builder(Credentials::new(TOKEN))
        .duplicate_ttl(Duration::from_secs(60))
        .duplicate_store(MemoryDuplicateStore::with_capacity(2))
        .build()
        .expect("builds");
    let body = json_bytes(&v2("ev-ttl", TOKEN, now_secs() * 1000));
    assert_event(receiver.receive(&HeaderMap::new(), &body).await);
    assert!(matches!(
        receiver.receive(&HeaderMap::new(), &body).await,
        Outcome::Duplicate(_)
    ));
    tokio::time::advance(Duration::from_secs(61)).await;
    assert_event(receiver.receive(&HeaderMap::new(), &body).await);
}

#[tokio::test]
async fn ciphertexts_that_do_not_decrypt_are_refused() {
    let receiver = encrypted_receiver();
    let sealed = seal(
        KEY,
        &json_bytes(&v2("ev-cipher", TOKEN, now_secs() * 1000)),
        [1; 16],
    );
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&sealed)
        .expect("base64");
    let b64 = |data: &[u8]| base64::engine::general_purpose::STANDARD.encode(data);
    let cases: Vec<(String, RefusalReason)> = vec![
        // Truncated: a block short, part of a block short, the IV alone, nothing.
        (b64(&raw[..raw.len() - 16]), RefusalReason::BadPadding),
        (
            b64(&raw[..raw.len() - 5]),
            RefusalReason::BadCiphertextLength,
        ),
        (b64(&raw[..16]), RefusalReason::BadCiphertextLength),
        (String::new(), RefusalReason::BadCiphertextLength),
        // Not base64.
        ("this is not base64!".to_owned(), RefusalReason::NotBase64),
        (
            format!("{}\n", &sealed[..sealed.len() - 4]),
            RefusalReason::NotBase64,
        ),
        // Padding bytes of 0, of 17, and unequal.
        (seal_unpadded(KEY, &[b'{'; 32]), RefusalReason::BadPadding),
        (seal_unpadded(KEY, &[17u8; 32]), RefusalReason::BadPadding),
        (
            seal_unpadded(KEY, &[[b'x'; 29].as_slice(), &[2, 3, 3]].concat()),
            RefusalReason::BadPadding,
        ),
        // Under another key.
        (
            seal(
                "another-key",
                &json_bytes(&v2("ev-cipher", TOKEN, 0)),
                [2; 16],
            ),
            RefusalReason::BadPadding,
        ),
    ];
    for (text, reason) in cases {
        let body = json_bytes(&json!({ "encrypt": text }));
        let headers = signed_headers(KEY, &body, now_secs());
        assert_refused(receiver.receive(&headers, &body).await, reason, 400, &body);
    }
}

#[tokio::test]
async fn what_is_not_json_or_not_a_delivery_is_refused() {
    let plain = plain_receiver();
    let now_ms = now_secs() * 1000;
    let cases: Vec<(Vec<u8>, RefusalReason)> = vec![
        (b"not json".to_vec(), RefusalReason::NotJson),
        (b"{\"schema\": \"2.0\",".to_vec(), RefusalReason::NotJson),
        (b"\xff\xfe{}".to_vec(), RefusalReason::NotJson),
        (b"{\"a\": \"\xff\"}".to_vec(), RefusalReason::NotJson),
        (Vec::new(), RefusalReason::NotJson),
        (b"[1, 2]".to_vec(), RefusalReason::NotADelivery),
        (b"\"2.0\"".to_vec(), RefusalReason::NotADelivery),
        (b"{}".to_vec(), RefusalReason::NotADelivery),
        (
            json_bytes(&json!({"hello": MARKER})),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(&json!({"type": "something_else", "token": TOKEN})),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(&json!({"type": "url_verification", "token": TOKEN})),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(&json!({"schema": "3.0", "header": {}, "event": {}})),
            RefusalReason::UnknownSchema,
        ),
        (
            json_bytes(&json!({"schema": 2.0, "header": {}, "event": {}})),
            RefusalReason::UnknownSchema,
        ),
        (
            json_bytes(
                &json!({"schema": "2.0", "header": {"event_id": "e", "event_type": "t", "token": TOKEN}}),
            ),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(&json!({"schema": "2.0", "header": [1], "event": {}})),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(
                &json!({"schema": "2.0", "header": {"event_id": "e", "event_type": "t", "token": TOKEN}, "event": [MARKER]}),
            ),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(
                &json!({"schema": "2.0", "header": {"event_type": "t", "token": TOKEN, "create_time": now_ms.to_string()}, "event": {}}),
            ),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(
                &json!({"schema": "2.0", "header": {"event_id": "", "event_type": "t", "token": TOKEN}, "event": {}}),
            ),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(
                &json!({"schema": "2.0", "header": {"event_id": "x".repeat(MAX_EVENT_ID_BYTES + 1), "event_type": "t", "token": TOKEN}, "event": {}}),
            ),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(
                &json!({"schema": "2.0", "header": {"event_id": 5, "event_type": "t", "token": TOKEN}, "event": {}}),
            ),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(
                &json!({"schema": "2.0", "header": {"event_id": "e", "event_type": "t", "token": TOKEN, "tenant_key": 7}, "event": {}}),
            ),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(
                &json!({"uuid": "u", "token": TOKEN, "type": "event_callback", "event": {"app_id": "a"}}),
            ),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(&json!({"token": TOKEN, "type": "event_callback", "event": {"type": "t"}})),
            RefusalReason::NotADelivery,
        ),
        (
            br#"{"schema": "2.0", "schema": "2.0"}"#.to_vec(),
            RefusalReason::NotADelivery,
        ),
        // Deep nesting: skipped, or kept raw, without recursion; refused where it would be parsed into values
        // (past the JSON parser's depth of 128).
        (
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            RefusalReason::NotADelivery,
        ),
        (
            format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            RefusalReason::NotADelivery,
        ),
        (
            format!(
                "{{\"header\": {}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
            .into_bytes(),
            RefusalReason::NotJson,
        ),
        (
            format!(
                "{{\"schema\": \"2.0\", \"event\": {}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
            .into_bytes(),
            RefusalReason::NotADelivery,
        ),
    ];
    for (n, (body, reason)) in cases.into_iter().enumerate() {
        let outcome = plain.receive(&HeaderMap::new(), &body).await;
        if !matches!(&outcome, Outcome::Refused(refusal) if refusal.reason() == reason) {
            panic!("case {n}: expected {reason:?}, got {outcome:?}");
        }
        assert_refused(outcome, reason, 400, &body);
    }
    // The same inside an encrypted, signed body.
    let receiver = encrypted_receiver();
    for (plaintext, reason) in [
        (b"not json".to_vec(), RefusalReason::NotJson),
        (b"\xff\xfe\xfd".to_vec(), RefusalReason::NotJson),
        (
            json_bytes(&json!({"hello": MARKER})),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(&json!({"encrypt": "nested"})),
            RefusalReason::NotADelivery,
        ),
        (
            json_bytes(&json!({"schema": "1.5", "header": {}, "event": {}})),
            RefusalReason::UnknownSchema,
        ),
    ] {
        let body = encrypted(KEY, &plaintext);
        let headers = signed_headers(KEY, &body, now_secs());
        assert_refused(receiver.receive(&headers, &body).await, reason, 400, &body);
    }
}

#[tokio::test]
async fn encryption_must_match_the_receivers_key() {
    // A key is set, the body is plain (signed all the same).
    let receiver = encrypted_receiver();
    for body in [
        json_bytes(&v2("ev-not-encrypted", TOKEN, now_secs() * 1000)),
        json_bytes(&json!({"encrypt": 42})),
        b"[\"encrypt\"]".to_vec(),
    ] {
        let headers = signed_headers(KEY, &body, now_secs());
        assert_refused(
            receiver.receive(&headers, &body).await,
            RefusalReason::NotEncrypted,
            400,
            &body,
        );
    }
    let body = b"{\"encrypt\": ".to_vec();
    let headers = signed_headers(KEY, &body, now_secs());
    assert_refused(
        receiver.receive(&headers, &body).await,
        RefusalReason::NotJson,
        400,
        &body,
    );
    // No key is set, the body is encrypted.
    let body = encrypted(
        KEY,
        &json_bytes(&v2("ev-encrypted", TOKEN, now_secs() * 1000)),
    );
    assert_refused(
        plain_receiver().receive(&HeaderMap::new(), &body).await,
        RefusalReason::EncryptedWithoutKey,
        400,
        &body,
    );
    // An empty key is no key.
    let receiver = Receiver::builder(Credentials::new(TOKEN).with_encrypt_key(""))
        .build()
        .expect("builds");
    let body = json_bytes(&v2("ev-empty-key", TOKEN, now_secs() * 1000));
    assert_event(receiver.receive(&HeaderMap::new(), &body).await);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let small = Receiver::builder(Credentials::new(TOKEN))
        .max_body_bytes(64)
        .build()
        .expect("builds");
    assert_eq!(small.max_body_bytes(), 64);
    let body = json_bytes(&v2("ev-large", TOKEN, now_secs() * 1000));
    assert!(body.len() > 64);
    assert_refused(
        small.receive(&HeaderMap::new(), &body).await,
        RefusalReason::TooLarge,
        413,
        &body,
    );
    // The default: 1 MiB.
    assert_eq!(MAX_EVENT_BODY_BYTES, 1024 * 1024);
    let mut large = v2("ev-large", TOKEN, now_secs() * 1000);
    large["event"]["padding"] = json!("x".repeat(MAX_EVENT_BODY_BYTES));
    let body = json_bytes(&large);
    assert_refused(
        plain_receiver().receive(&HeaderMap::new(), &body).await,
        RefusalReason::TooLarge,
        413,
        &body,
    );
    // Just under it is read.
    let mut fits = v2("ev-fits", TOKEN, now_secs() * 1000);
    fits["event"]["padding"] = json!("x".repeat(MAX_EVENT_BODY_BYTES - 1000));
    let body = json_bytes(&fits);
    assert!(body.len() <= MAX_EVENT_BODY_BYTES);
    assert_event(plain_receiver().receive(&HeaderMap::new(), &body).await);
}

#[tokio::test]
async fn rotated_credentials_apply_from_the_next_delivery() {
    let credentials = SharedCredentials::new(Credentials::new(OLD_TOKEN).with_encrypt_key(OLD_KEY));
    let receiver = Receiver::builder(credentials.clone())
        .build()
        .expect("builds");
    let sealed = |key: &str, token: &str, id: &str| {
        let body = encrypted(key, &json_bytes(&v2(id, token, now_secs() * 1000)));
        let headers = signed_headers(key, &body, now_secs());
        (headers, body)
    };
    let (headers, body) = sealed(OLD_KEY, OLD_TOKEN, "ev-rot-1");
    assert_event(receiver.receive(&headers, &body).await);

    credentials.replace(Credentials::new(TOKEN).with_encrypt_key(KEY));
    let debug = format!("{credentials:?} {receiver:?}");
    for secret in [TOKEN, KEY, OLD_TOKEN, OLD_KEY] {
        assert!(!debug.contains(secret), "{debug}");
    }
    // The old key's signature fails; the old token under the new key fails.
    let (headers, body) = sealed(OLD_KEY, OLD_TOKEN, "ev-rot-2");
    assert_refused(
        receiver.receive(&headers, &body).await,
        RefusalReason::BadSignature,
        401,
        &body,
    );
    let (headers, body) = sealed(KEY, OLD_TOKEN, "ev-rot-3");
    assert_refused(
        receiver.receive(&headers, &body).await,
        RefusalReason::BadToken,
        401,
        &body,
    );
    let (headers, body) = sealed(KEY, TOKEN, "ev-rot-4");
    assert_event(receiver.receive(&headers, &body).await);

    // Back to plain deliveries, with a new token.
    credentials.replace(Credentials::new(OLD_TOKEN));
    let body = json_bytes(&v2("ev-rot-5", OLD_TOKEN, now_secs() * 1000));
    assert_event(receiver.receive(&HeaderMap::new(), &body).await);

    // An empty token, read at a delivery, refuses it.
    credentials.replace(Credentials::new(""));
    let body = json_bytes(&v2("ev-rot-6", "", now_secs() * 1000));
    assert_refused(
        receiver.receive(&HeaderMap::new(), &body).await,
        RefusalReason::Misconfigured,
        500,
        &body,
    );
}

/// A provider that counts how often it is read.
#[derive(Debug, Default)]
struct CountingCredentials(AtomicUsize);

impl EventCredentials for CountingCredentials {
    fn current(&self) -> Credentials {
        self.0.fetch_add(1, Ordering::SeqCst);
        Credentials::new(TOKEN)
    }
}

#[tokio::test]
async fn credentials_are_read_once_per_delivery() {
    let provider = Arc::new(CountingCredentials::default());
    let receiver = Receiver::builder(provider.clone()).build().expect("builds");
    let after_build = provider.0.load(Ordering::SeqCst);
    for n in 0..3 {
        let body = json_bytes(&v2(&format!("ev-count-{n}"), TOKEN, now_secs() * 1000));
        assert_event(receiver.receive(&HeaderMap::new(), &body).await);
    }
    assert_eq!(provider.0.load(Ordering::SeqCst) - after_build, 3);
}

/// A duplicate store that fails, or counts what it forgets.
#[derive(Debug, Default)]
struct BrokenStore {
    fail: bool,
    forgotten: Mutex<Vec<String>>,
}

impl DuplicateStore for BrokenStore {
    fn first_seen<'a>(&'a self, _: &'a str, _: Duration) -> DuplicateFuture<'a, bool> {
        let fail = self.fail;
        Box::pin(async move {
            if fail {
                Err("the connection to the store was reset".into())
            } else {
                Ok(true)
            }
        })
    }

    fn forget<'a>(&'a self, event_id: &'a str) -> DuplicateFuture<'a, ()> {
        self.forgotten
            .lock()
            .expect("lock")
            .push(event_id.to_owned());
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn a_failing_duplicate_store_is_a_500() {
    let receiver = Receiver::builder(Credentials::new(TOKEN))
        .duplicate_store(BrokenStore {
            fail: true,
            ..BrokenStore::default()
        })
        .build()
        .expect("builds");
    let body = json_bytes(&v2("ev-store", TOKEN, now_secs() * 1000));
    let refusal = assert_refused(
        receiver.receive(&HeaderMap::new(), &body).await,
        RefusalReason::DuplicateStore,
        500,
        &body,
    );
    assert!(refusal
        .to_string()
        .contains("connection to the store was reset"));
    let source = std::error::Error::source(&refusal).expect("the store's error");
    assert!(source.to_string().contains("reset"));
}

#[test]
fn the_builder_refuses_what_cannot_work() {
    let config = |result: Result<Receiver, Error>, what: &str| match result {
        Err(Error::Config(message)) => {
            assert!(message.contains(what), "{message}");
            assert!(!message.contains(TOKEN));
        }
        other => panic!("expected a configuration error about {what}, got {other:?}"),
    };
    let builder = || Receiver::builder(Credentials::new(TOKEN));
    config(builder().max_body_bytes(0).build(), "max_body_bytes");
    config(
        builder().timestamp_window(Duration::ZERO).build(),
        "timestamp_window",
    );
    config(
        builder().duplicate_ttl(Duration::ZERO).build(),
        "duplicate_ttl",
    );
    config(
        Receiver::builder(Credentials::new("")).build(),
        "verification token",
    );
    let custom = Client::builder()
        .app_credentials("cli_custom", "secret-value")
        .build()
        .expect("client");
    config(builder().app_tickets(custom).build(), "store app");
    assert_eq!(DEFAULT_TIMESTAMP_WINDOW, Duration::from_secs(300));
    assert_eq!(DEFAULT_DUPLICATE_TTL, Duration::from_secs(12 * 3600));
    assert_eq!(DEFAULT_DUPLICATE_CAPACITY, 10_000);
}

#[test]
fn every_reason_has_its_status_and_a_description() {
    use RefusalReason::*;
    for (reason, status) in [
        (TooLarge, 413),
        (Misconfigured, 500),
        (NotJson, 400),
        (NotEncrypted, 400),
        (EncryptedWithoutKey, 400),
        (NotBase64, 400),
        (BadCiphertextLength, 400),
        (BadPadding, 400),
        (NotADelivery, 400),
        (UnknownSchema, 400),
        (BadToken, 401),
        (MissingSignatureHeaders, 401),
        (BadSignature, 401),
        (BadTimestamp, 400),
        (MissingTimestamp, 400),
        (TooOld, 401),
        (FromTheFuture, 401),
        (DuplicateStore, 500),
        (AppTicketForAnotherApp, 403),
        (BadAppTicket, 400),
        (TicketStore, 500),
        (NotPost, 405),
        (UnreadableBody, 400),
    ] {
        assert_eq!(reason.status(), status, "{reason:?}");
        assert!(!reason.describe().is_empty());
        assert_eq!(reason.to_string(), reason.describe());
    }
}

/// The vector of `tests/fixtures/events/make_vector.py`, encrypted and signed with Python's `cryptography`.
#[tokio::test]
async fn the_independent_vector_decrypts_and_verifies() {
    let text = include_str!("../fixtures/events/vector.json");
    let vector: Value = serde_json::from_str(text).expect("the vector is JSON");
    let field = |name: &str| vector[name].as_str().expect("a string field").to_owned();
    let (key, token, body) = (
        field("encrypt_key"),
        field("verification_token"),
        field("body"),
    );
    let plaintext: Value = serde_json::from_str(&field("plaintext")).expect("plaintext JSON");

    // The signature this file computes is Python's.
    assert_eq!(
        sign(&field("timestamp"), &field("nonce"), &key, body.as_bytes()),
        field("signature")
    );
    // And so is the ciphertext, with the same IV.
    let iv: [u8; 16] = (0u8..16).collect::<Vec<_>>().try_into().expect("16 bytes");
    assert_eq!(field("iv_hex"), "000102030405060708090a0b0c0d0e0f");
    let sealed: Value = serde_json::from_str(&body).expect("body JSON");
    assert_eq!(
        sealed["encrypt"],
        json!(seal(&key, field("plaintext").as_bytes(), iv))
    );

    // The receiver decrypts and verifies it. Its timestamp is of 2023: the window is widened to take it.
    let receiver = Receiver::builder(Credentials::new(&token).with_encrypt_key(&key))
        .timestamp_window(Duration::from_secs(50 * 365 * 86_400))
        .build()
        .expect("builds");
    let mut headers = HeaderMap::new();
    for (name, value) in [
        (TIMESTAMP_HEADER, "timestamp"),
        (NONCE_HEADER, "nonce"),
        (SIGNATURE_HEADER, "signature"),
    ] {
        headers.insert(name, HeaderValue::from_str(&field(value)).expect("header"));
    }
    let received = assert_event(receiver.receive(&headers, body.as_bytes()).await);
    let header = received.header();
    assert_eq!(header.event_id(), "5e3702a84e847582be8db7fb73283c02");
    assert_eq!(header.event_type(), "hire.application.stage_changed_v1");
    assert_eq!(header.app_id(), Some("cli_vector_app"));
    assert_eq!(header.tenant_key(), Some("tenant-vector"));
    assert_eq!(
        header.create_time(),
        Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
    );
    let event: Value = received.event_as().expect("the event decodes");
    assert_eq!(event, plaintext["event"]);
    assert_eq!(event["note"], "候选人进入面试阶段");

    // With the default window, the same request is a recording.
    let strict = Receiver::builder(Credentials::new(&token).with_encrypt_key(&key))
        .build()
        .expect("builds");
    let Outcome::Refused(refusal) = strict.receive(&headers, body.as_bytes()).await else {
        panic!("a delivery of 2023 is too old");
    };
    assert_eq!(refusal.reason(), RefusalReason::TooOld);
}

// Store apps.

/// Feishu's token endpoints for a store app (the app token for `TICKET` only) and the job endpoint: the store
/// app tests' own.
pub async fn store_server() -> MockServer {
    crate::store_app::store_server().await.0
}

/// A store app client without a ticket.
pub fn store_client(base_url: &str) -> Client {
    crate::store_app::store_builder(base_url)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn the_receiver_keeps_tickets_and_refuses_bad_ones() {
    let server = store_server().await;
    let client = store_client(&server.uri());
    let receiver = Receiver::builder(Credentials::new(TOKEN))
        .app_tickets(client.clone())
        .build()
        .expect("builds");
    let body = json_bytes(&app_ticket("uuid-kept", TOKEN, APP_ID, TICKET));
    match receiver.receive(&HeaderMap::new(), &body).await {
        Outcome::TicketKept(delivery) => {
            assert_eq!(delivery.header().event_type(), "app_ticket");
            assert_eq!(delivery.header().app_id(), Some(APP_ID));
            assert!(!format!("{delivery:?}").contains(TICKET));
        }
        other => panic!("expected the ticket kept, got {other:?}"),
    }
    assert!(matches!(
        receiver.receive(&HeaderMap::new(), &body).await,
        Outcome::Duplicate(_)
    ));
    for (delivery, reason, status) in [
        (
            app_ticket("uuid-another", TOKEN, "cli_another_app", TICKET),
            RefusalReason::AppTicketForAnotherApp,
            403,
        ),
        (
            app_ticket(
                "uuid-line-break",
                TOKEN,
                APP_ID,
                "ticket\nwith a line break",
            ),
            RefusalReason::BadAppTicket,
            400,
        ),
        (
            app_ticket("uuid-empty", TOKEN, APP_ID, ""),
            RefusalReason::BadAppTicket,
            400,
        ),
    ] {
        let body = json_bytes(&delivery);
        let refusal = assert_refused(
            receiver.receive(&HeaderMap::new(), &body).await,
            reason,
            status,
            &body,
        );
        assert!(
            !refusal.to_string().contains("line break\"") && !refusal.to_string().contains(TICKET)
        );
    }
    let mut no_app = app_ticket("uuid-no-app", TOKEN, APP_ID, TICKET);
    no_app["event"]
        .as_object_mut()
        .expect("event")
        .remove("app_id");
    let body = json_bytes(&no_app);
    assert_refused(
        receiver.receive(&HeaderMap::new(), &body).await,
        RefusalReason::BadAppTicket,
        400,
        &body,
    );
    // A refused ticket was never marked: sent right, it is kept.
    let body = json_bytes(&app_ticket("uuid-another", TOKEN, APP_ID, TICKET));
    assert!(matches!(
        receiver.receive(&HeaderMap::new(), &body).await,
        Outcome::TicketKept(_)
    ));
}

/// A ticket store that fails.
#[derive(Debug)]
struct FailingTickets;

impl generated_client::AppTicketStore for FailingTickets {
    fn get<'a>(
        &'a self,
        _: &'a str,
    ) -> generated_client::auth::TicketFuture<'a, Option<generated_client::auth::Secret>> {
        Box::pin(async { Err("the ticket store is down".into()) })
    }

    fn set<'a>(
        &'a self,
        _: &'a str,
        _: generated_client::auth::Secret,
    ) -> generated_client::auth::TicketFuture<'a, ()> {
        Box::pin(async { Err("the ticket store is down".into()) })
    }
}

#[tokio::test]
async fn a_failing_ticket_store_is_a_500_and_the_redelivery_is_taken() {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .store_app(APP_ID, APP_SECRET)
        .app_ticket_store(FailingTickets)
        .build()
        .expect("client");
    let store = Arc::new(BrokenStore::default());
    let receiver = Receiver::builder(Credentials::new(TOKEN))
        .app_tickets(client)
        .duplicate_store(store.clone())
        .build()
        .expect("builds");
    let body = json_bytes(&app_ticket("uuid-store-down", TOKEN, APP_ID, TICKET));
    let refusal = assert_refused(
        receiver.receive(&HeaderMap::new(), &body).await,
        RefusalReason::TicketStore,
        500,
        &body,
    );
    assert!(
        refusal.to_string().contains("the ticket store is down"),
        "{refusal}"
    );
    assert_eq!(
        *store.forgotten.lock().expect("lock"),
        vec!["uuid-store-down".to_owned()],
        "the id is released for Feishu's redelivery"
    );
}

/// An encrypted, signed Hire event, received, decodes to its typed variant; an event type the spec does not know
/// is `Event::Unknown`, with the header intact.
#[tokio::test]
async fn a_received_hire_event_is_typed_and_an_unknown_type_is_unknown() {
    let receiver = encrypted_receiver();
    let outcome = receive_sealed(&receiver, &v2("ev-typed-1", TOKEN, now_secs() * 1000)).await;
    let delivery = assert_event(outcome);
    match delivery.event().expect("decodes") {
        generated_client::Event::ApplicationStageChanged(moved) => {
            assert_eq!(moved.application_id.as_deref(), Some("6949805467799537964"));
            assert_eq!(moved.target_stage_id.as_deref(), Some("614218419274132"));
        }
        other => panic!("expected the stage change, got {other:?}"),
    }

    let mut unknown = v2("ev-typed-2", TOKEN, now_secs() * 1000);
    unknown["header"]["event_type"] = json!("hire.something_new.happened_v3");
    let delivery = assert_event(receive_sealed(&receiver, &unknown).await);
    assert_eq!(
        delivery.header().event_type(),
        "hire.something_new.happened_v3"
    );
    match delivery.event().expect("an unknown type decodes") {
        generated_client::Event::Unknown { event_type, event } => {
            assert_eq!(event_type, "hire.something_new.happened_v3");
            assert_eq!(event["note"], json!(MARKER));
        }
        other => panic!("expected Unknown, got {other:?}"),
    }

    // A documented event whose object has a value of another type: an error naming the event and the place,
    // without the value.
    let mut broken = v2("ev-typed-3", TOKEN, now_secs() * 1000);
    broken["event"]["update_time"] = json!(MARKER);
    let delivery = assert_event(receive_sealed(&receiver, &broken).await);
    let error = delivery.event().expect_err("a string where a time belongs");
    assert_eq!(error.event_type(), "hire.application.stage_changed_v1");
    assert_eq!(error.path(), "event.update_time");
    assert!(!error.to_string().contains(MARKER), "{error}");
}
