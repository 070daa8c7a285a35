//! Many concurrent calls against a server that injects faults: every call ends, typed.

use crate::common::*;
use generated_client::*;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers with a pseudo-random mix: ten in sixteen succeed, the rest are faults of six kinds.
struct Chaos(AtomicU64);

impl Respond for Chaos {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        // A fixed-seed xorshift: the same mix of faults on every run.
        let mut x = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        match x % 16 {
            0 => ResponseTemplate::new(500)
                .set_body_json(json!({"code": 1002001, "msg": "system error"})),
            1 => ResponseTemplate::new(429).set_body_string("slow down"),
            2 => ResponseTemplate::new(200).set_body_string("{\"code\": 0, \"data\": {\"job\""),
            3 => ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"),
            4 => ok(json!({"job": {"id": "6001"}})).set_delay(Duration::from_secs(3)),
            5 => ResponseTemplate::new(200)
                .set_body_json(json!({"code": 99991400, "msg": "too many requests"})),
            _ => ok(json!({"job": {"id": "6001"}})),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_with_faults_all_end_typed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Chaos(AtomicU64::new(42)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t")
        .rate_limit(RateLimit::Off)
        // Long enough for a loaded 2-core machine to serve 1000 connections; shorter than the slow answers.
        .timeout(Duration::from_secs(2))
        .retry(RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(10),
        })
        .build()
        .expect("builds");
    let calls = (0..1000).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_job("6001").send().await })
    });
    let outcomes = tokio::time::timeout(
        Duration::from_secs(60),
        futures_util::future::join_all(calls),
    )
    .await
    .expect("every call ends within the bound");
    let (mut succeeded, mut failed) = (0, 0);
    for outcome in outcomes {
        match outcome.expect("no task panicked") {
            Ok(data) => {
                assert_eq!(data.job.and_then(|j| j.id).as_deref(), Some("6001"));
                succeeded += 1;
            }
            Err(
                Error::Api(_)
                | Error::Http { .. }
                | Error::Decode { .. }
                | Error::Timeout { .. }
                | Error::Transport { .. },
            ) => failed += 1,
            Err(other) => panic!("unexpected error kind: {other:?}"),
        }
    }
    assert_eq!(succeeded + failed, 1000);
    assert!(
        succeeded > 500,
        "retries recover most calls: {succeeded} succeeded, {failed} failed"
    );
}
