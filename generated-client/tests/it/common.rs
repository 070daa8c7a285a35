//! Helpers shared by the integration tests: the spec's documented examples and a loopback client.

#![allow(dead_code)]

use generated_client::{Client, Error, RateLimit, RetryPolicy};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The tenant token the test clients send.
pub const TOKEN: &str = "t-test-token";

/// The spec, read as `cargo xtask gen` reads it.
pub fn spec() -> codegen::model::Api {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/hire_v1.yaml");
    codegen::read_file("spec/hire_v1.yaml", &path, codegen::DraftLabels::Refused)
        .expect("the spec reads")
        .api
}

/// The documented 2xx answer of an operation (the whole envelope).
pub fn response_example(operation_id: &str) -> Value {
    spec()
        .operations
        .into_iter()
        .find(|op| op.id == operation_id)
        .expect("operation in the spec")
        .examples
        .answer
        .expect("the operation has an example answer")
}

/// A client for a loopback server: fixed token, no pacing, no retries unless asked.
pub fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .tenant_access_token(TOKEN)
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client builds")
}

/// A client that retries quickly.
pub fn retrying_client(base_url: &str, retries: u32) -> Client {
    Client::builder()
        .base_url(base_url)
        .tenant_access_token(TOKEN)
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy {
            max_retries: retries,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
        })
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client builds")
}

/// The token endpoint of a self-built app.
pub const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
pub const JOB_PATH: &str = "/open-apis/hire/v1/jobs/6001";

pub fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": data}))
}

pub fn app_client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .app_credentials("cli_test", "super-secret-value")
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

pub async fn requests_to(server: &MockServer, path: &str) -> Vec<Request> {
    let all = server.received_requests().await.expect("recording is on");
    all.into_iter().filter(|r| r.url.path() == path).collect()
}

pub async fn mount_token(server: &MockServer, token: &str, expire: u64) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_json(
            json!({"app_id": "cli_test", "app_secret": "super-secret-value"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": token, "expire": expire
        })))
        .mount(server)
        .await;
}

/// Log lines written by a test's tracing subscriber.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8")
    }
}

/// Captures every log line of this thread, at every level, until the guard drops.
pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

/// Asserts that a call was refused with [`Error::InvalidRequest`] for `parameter`, with a rule that mentions
/// `rule`, and that nothing reached `server`.
pub async fn assert_invalid(
    server: &MockServer,
    result: Result<impl std::fmt::Debug, Error>,
    parameter: &str,
    rule: &str,
) {
    match result {
        Err(Error::InvalidRequest {
            parameter: p,
            rule: r,
            ..
        }) => {
            assert_eq!(p, parameter);
            assert!(r.contains(rule), "rule `{r}` does not mention `{rule}`");
        }
        other => panic!("expected InvalidRequest for {parameter}, got {other:?}"),
    }
    assert_nothing_sent(server).await;
}

/// Asserts that no request at all, not even a token request, reached `server`.
pub async fn assert_nothing_sent(server: &MockServer) {
    let received = server.received_requests().await.expect("recorded");
    assert!(received.is_empty(), "nothing should be sent: {received:?}");
}

/// A limit of `n` requests per second only.
pub fn per_second(n: u32) -> generated_client::Quota {
    generated_client::Quota {
        per_second: Some(n),
        per_minute: None,
    }
}
