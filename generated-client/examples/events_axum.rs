//! Receiving Feishu's events with axum: the receiver, mounted as a tower service, checks each delivery (token,
//! signature, time, duplicates), decrypts it, hands a store app's ticket to the client, and passes each event
//! to a handler.
//!
//! `cargo run -p generated-client --example events_axum` runs offline: it serves the receiver on a loopback
//! port and plays Feishu itself, posting a URL check, an encrypted Hire event (twice, as Feishu redelivers) and
//! an encrypted app ticket; the store app's calls go to a local mock of Feishu's token endpoints and the spec's
//! documented examples.

mod support;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use generated_client::events::{
    Credentials, Delivery, Receiver, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use generated_client::{Client, Error};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

/// The app's event subscription, as its developer console shows it.
const VERIFICATION_TOKEN: &str = "example-verification-token";
const ENCRYPT_KEY: &str = "example-encrypt-key";
const APP_ID: &str = "cli_store_example";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = support::serve_spec_examples().await?;
    let client = Client::builder()
        .base_url(mock.uri())
        .store_app(APP_ID, "example-secret")
        .build()?;

    // The receiver, its handler, and the axum app: the lines a service writes.
    let receiver =
        Receiver::builder(Credentials::new(VERIFICATION_TOKEN).with_encrypt_key(ENCRYPT_KEY))
            .app_tickets(client.clone())
            .build()?;
    let service = receiver.into_service(|delivery: Delivery| async move {
        let header = delivery.header();
        println!(
            "handled {} {} from tenant {:?}: {}",
            header.event_type(),
            header.event_id(),
            header.tenant_key(),
            delivery.raw_event().get()
        );
        Ok::<(), Infallible>(())
    });
    let app = axum::Router::new().route_service("/feishu/events", service);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/feishu/events", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    println!("receiving events at {url}");

    // Before the first ticket, the store app cannot call.
    let call = || client.get_job_config("6001").tenant_key("tenant-a").send();
    match call().await {
        Err(e @ Error::NoAppTicket { .. }) => println!("before the ticket: {e}"),
        other => return Err(format!("expected no ticket yet, got {other:?}").into()),
    }

    // Feishu checks the request URL.
    let check =
        json!({"challenge": "c-4b1d", "token": VERIFICATION_TOKEN, "type": "url_verification"});
    let (status, answer) = feishu_sends(&url, &check).await?;
    println!("URL check: {status} {answer}");
    expect(status == 200 && answer == json!({"challenge": "c-4b1d"}))?;

    // A Hire event, in schema 2.0; then Feishu's redelivery of it, answered without handling it again.
    let now = now_secs();
    let event = json!({
        "schema": "2.0",
        "header": {
            "event_id": "5e3702a84e847582be8db7fb73283c02",
            "event_type": "hire.application.stage_changed_v1",
            "create_time": (now * 1000).to_string(),
            "token": VERIFICATION_TOKEN,
            "app_id": APP_ID,
            "tenant_key": "tenant-a",
        },
        "event": {"application_id": "6949805467799537964", "origin_stage_id": "614218419274131", "target_stage_id": "614218419274132"},
    });
    for attempt in ["delivery", "redelivery"] {
        let (status, answer) = feishu_sends(&url, &event).await?;
        println!("Hire event, {attempt}: {status} {answer}");
        expect(status == 200)?;
    }

    // The app ticket, in schema 1.0: the receiver hands it to the client.
    let ticket = json!({
        "uuid": "bc447199585340d1f3728d26b1c0297a",
        "token": VERIFICATION_TOKEN,
        "ts": format!("{now}.7171419"),
        "type": "event_callback",
        "event": {"type": "app_ticket", "app_id": APP_ID, "app_ticket": "ticket-from-the-event"},
    });
    let (status, answer) = feishu_sends(&url, &ticket).await?;
    println!("app ticket: {status} {answer}");
    expect(status == 200)?;

    let settings = call().await?;
    println!(
        "after the ticket: job settings {:?}",
        settings.job_config.and_then(|config| config.id)
    );

    // A forged delivery: signed with another key.
    let (status, answer) = post(&url, &event, "not-the-encrypt-key").await?;
    println!("forged: {status} {answer}");
    expect(status == 401)?;

    server.abort();
    Ok(())
}

fn expect(holds: bool) -> Result<(), Box<dyn std::error::Error>> {
    if holds {
        Ok(())
    } else {
        Err("unexpected answer".into())
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// What Feishu does with an app's encrypt key: encrypts the delivery, signs the request, and posts it.
async fn feishu_sends(
    url: &str,
    delivery: &Value,
) -> Result<(u16, Value), Box<dyn std::error::Error>> {
    post(url, delivery, ENCRYPT_KEY).await
}

async fn post(
    url: &str,
    delivery: &Value,
    key: &str,
) -> Result<(u16, Value), Box<dyn std::error::Error>> {
    // AES-256-CBC under the SHA-256 of the key, PKCS#7 padding, the IV first, in base64. Feishu draws a random
    // IV; this example derives one from the delivery.
    let plaintext = delivery.to_string().into_bytes();
    let aes_key: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&Sha256::digest(&plaintext)[..16]);
    let mut buffer = plaintext.clone();
    buffer.resize(plaintext.len() + 16, 0);
    let ciphertext = cbc::Encryptor::<aes::Aes256>::new(&aes_key.into(), &iv.into())
        .encrypt_padded_mut::<Pkcs7>(&mut buffer, plaintext.len())
        .map_err(|_| "no room for the padding")?;
    let encrypted =
        base64::engine::general_purpose::STANDARD.encode([&iv[..], ciphertext].concat());
    let body = json!({ "encrypt": encrypted }).to_string();

    // The signature: SHA-256 of timestamp, nonce, key and body, in lowercase hex.
    let timestamp = now_secs().to_string();
    let nonce = "example-nonce";
    let mut hash = Sha256::new();
    hash.update(format!("{timestamp}{nonce}{key}"));
    hash.update(&body);
    let signature: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();

    let answer = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header(TIMESTAMP_HEADER, timestamp)
        .header(NONCE_HEADER, nonce)
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await?;
    let status = answer.status().as_u16();
    Ok((status, answer.json().await?))
}
