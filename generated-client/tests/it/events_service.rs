//! The event receiver's tower service behind axum (feature `tower`): each outcome answered over loopback
//! HTTP, failed events released for Feishu's redelivery, the body limit while reading, and a store app that gets
//! its ticket from an encrypted, signed delivery.

use crate::common::requests_to;
use crate::events::{
    app_ticket, challenge, encrypted, json_bytes, now_secs, plain_receiver, signed_headers,
    store_client, store_server, v2, KEY, TOKEN,
};
use crate::store_app::{APP_ID, TICKET};
use generated_client::auth::APP_TOKEN_PATH;
use generated_client::events::*;
use generated_client::Error;
use http::HeaderMap;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Serves `service` at `/feishu/events` on a loopback port, with axum; the URL.
pub async fn serve<H: EventHandler>(service: EventService<H>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("an address");
    let app = axum::Router::new().route_service("/feishu/events", service);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/feishu/events")
}

/// POSTs `body` with `headers` to `url`: the status and the answer's JSON.
pub async fn post(url: &str, headers: HeaderMap, body: Vec<u8>) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(url)
        .headers(headers)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the receiver answers");
    let status = answer.status().as_u16();
    assert_eq!(
        answer.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let json = answer.json().await.expect("a JSON answer");
    (status, json)
}

/// What a test handler saw, and whether it fails.
#[derive(Clone, Default)]
struct Handled {
    seen: Arc<Mutex<Vec<String>>>,
    failures_left: Arc<AtomicUsize>,
}

impl Handled {
    fn handler(&self) -> impl EventHandler {
        let handled = self.clone();
        move |delivery: Delivery| {
            let handled = handled.clone();
            async move {
                handled
                    .seen
                    .lock()
                    .expect("lock")
                    .push(delivery.header().event_id().to_owned());
                if delivery.header().event_type() == "panic" {
                    panic!("the handler panicked on purpose");
                }
                let failing = handled
                    .failures_left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if failing {
                    Err(std::io::Error::other("the database is down"))
                } else {
                    Ok(())
                }
            }
        }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }
}

#[tokio::test]
async fn a_store_app_gets_its_ticket_from_an_encrypted_signed_delivery_over_http() {
    let server = store_server().await;
    let client = store_client(&server.uri());
    let err = client
        .get_job("6001")
        .tenant_key("tenant-a")
        .send()
        .await
        .expect_err("no ticket yet");
    assert!(matches!(err, Error::NoAppTicket { .. }), "{err:?}");

    let receiver = Receiver::builder(Credentials::new(TOKEN).with_encrypt_key(KEY))
        .app_tickets(client.clone())
        .build()
        .expect("builds");
    assert!(format!("{receiver:?}").contains(APP_ID));
    let handled = Handled::default();
    let url = serve(receiver.into_service(handled.handler())).await;

    // Another app's ticket is refused, and not kept.
    let body = encrypted(
        KEY,
        &json_bytes(&app_ticket(
            "uuid-other-app",
            TOKEN,
            "cli_another_app",
            TICKET,
        )),
    );
    let (status, answer) = post(&url, signed_headers(KEY, &body, now_secs()), body).await;
    assert_eq!(
        (status, answer["msg"].as_str()),
        (403, Some("the app ticket is for another app"))
    );

    let body = encrypted(
        KEY,
        &json_bytes(&app_ticket("uuid-ticket-1", TOKEN, APP_ID, TICKET)),
    );
    let (status, _) = post(&url, signed_headers(KEY, &body, now_secs()), body).await;
    assert_eq!(status, 200);
    assert!(
        handled.seen().is_empty(),
        "the receiver handled the ticket itself"
    );

    let job = client
        .get_job("6001")
        .tenant_key("tenant-a")
        .send()
        .await
        .expect("succeeds with the ticket");
    assert_eq!(job.job.and_then(|job| job.id).as_deref(), Some("6001"));
    let app_token_requests = requests_to(&server, APP_TOKEN_PATH).await;
    assert_eq!(app_token_requests.len(), 1);
    let sent: Value = serde_json::from_slice(&app_token_requests[0].body).expect("JSON");
    assert_eq!(sent["app_ticket"], TICKET);
}

#[tokio::test]
async fn the_service_answers_each_outcome_and_releases_failed_events() {
    let receiver = plain_receiver();
    let handled = Handled::default();
    handled.failures_left.store(1, Ordering::SeqCst);
    let url = serve(receiver.into_service(handled.handler())).await;

    // A URL check.
    let (status, answer) = post(&url, HeaderMap::new(), json_bytes(&challenge(TOKEN))).await;
    assert_eq!(
        (status, answer),
        (200, json!({"challenge": "ajls384kdjx98XX"}))
    );

    // An event whose handler fails: 500, then Feishu's redelivery is handled, then a duplicate.
    let body = json_bytes(&v2("ev-service", TOKEN, now_secs() * 1000));
    let (status, answer) = post(&url, HeaderMap::new(), body.clone()).await;
    assert_eq!(status, 500, "{answer}");
    let (status, answer) = post(&url, HeaderMap::new(), body.clone()).await;
    assert_eq!((status, answer), (200, json!({"msg": "success"})));
    let (status, _) = post(&url, HeaderMap::new(), body).await;
    assert_eq!(status, 200);
    assert_eq!(
        handled.seen(),
        ["ev-service", "ev-service"],
        "not handled a third time"
    );

    // A handler that panics: 500, and the id is released.
    let mut panicking = v2("ev-panic", TOKEN, now_secs() * 1000);
    panicking["header"]["event_type"] = json!("panic");
    let (status, _) = post(&url, HeaderMap::new(), json_bytes(&panicking)).await;
    assert_eq!(status, 500);
    let (status, _) = post(&url, HeaderMap::new(), json_bytes(&panicking)).await;
    assert_eq!(status, 500, "handled again, not a duplicate");

    // A refusal, with its reason.
    let body = json_bytes(&v2("ev-bad-token", "not-the-token", now_secs() * 1000));
    let (status, answer) = post(&url, HeaderMap::new(), body).await;
    assert_eq!(
        (status, answer),
        (401, json!({"msg": RefusalReason::BadToken.describe()}))
    );

    // Not a POST.
    let answer = reqwest::get(&url).await.expect("answers");
    assert_eq!(answer.status().as_u16(), 405);
    assert_eq!(answer.headers()["allow"], "POST");
}

/// A handler of one's own type: counts the events.
#[derive(Default)]
struct Counter(Arc<AtomicUsize>);

impl EventHandler for Counter {
    fn handle(&self, _: Delivery) -> HandlerFuture<'_> {
        Box::pin(async move {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

#[tokio::test]
async fn the_service_stops_reading_at_the_limit() {
    let receiver = Receiver::builder(Credentials::new(TOKEN))
        .max_body_bytes(1000)
        .build()
        .expect("builds");
    let count = Arc::new(AtomicUsize::new(0));
    let service = receiver.into_service(Counter(count.clone()));
    assert_eq!(service.receiver().max_body_bytes(), 1000);
    let url = serve(service.clone()).await;
    // Declared too long.
    let mut large = v2("ev-large", TOKEN, now_secs() * 1000);
    large["event"]["padding"] = json!("x".repeat(2000));
    let (status, answer) = post(&url, HeaderMap::new(), json_bytes(&large)).await;
    assert_eq!(
        (status, answer["msg"].as_str()),
        (413, Some(RefusalReason::TooLarge.describe()))
    );
    // Streamed without a length.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(vec![b' '; 600]), Ok(vec![b' '; 600])];
    let answer = reqwest::Client::new()
        .post(&url)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status().as_u16(), 413);
    // Within the limit, the handler is called.
    let (status, _) = post(
        &url,
        HeaderMap::new(),
        json_bytes(&v2("ev-small", TOKEN, now_secs() * 1000)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "only the event within the limit"
    );
    let handler = format!("{service:?}");
    assert!(!handler.contains(TOKEN), "{handler}");
}

#[tokio::test]
async fn a_connection_closed_before_the_answer_does_not_lose_the_event() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let service = plain_receiver().into_service(move |_: Delivery| {
        let calls = counted.clone();
        async move {
            // The first call outlasts the sender's patience, then fails.
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                tokio::time::sleep(Duration::from_millis(300)).await;
                return Err(std::io::Error::other("failed after the sender left"));
            }
            Ok(())
        }
    });
    let url = serve(service).await;
    let body = json_bytes(&v2("ev-impatient", TOKEN, now_secs() * 1000));
    let impatient = reqwest::Client::new()
        .post(&url)
        .timeout(Duration::from_millis(50))
        .body(body.clone())
        .send()
        .await;
    assert!(impatient.is_err(), "the sender gave up: {impatient:?}");
    // The handling went on in its task, failed, and released the id: the redelivery is handled.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (status, _) = post(&url, HeaderMap::new(), body).await;
    assert_eq!(status, 200);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "handled again, not a duplicate"
    );
}
