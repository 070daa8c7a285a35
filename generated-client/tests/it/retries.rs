//! Retries: which failures are retried, how often, `Retry-After`, and timeouts; the error that ends a retried
//! call says how many attempts were made.

use crate::common::*;
use generated_client::*;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Answers with `failure` for the first `failures` requests, then with the job.
async fn flaky_server(failures: u64, failure: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(failure)
        .up_to_n_times(failures)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn retryable_failures_are_retried_with_a_bounded_count() {
    let cases = [
        (
            "HTTP 500",
            ResponseTemplate::new(500)
                .set_body_json(json!({"code": 1002001, "msg": "system error"})),
        ),
        (
            "HTTP 502",
            ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"),
        ),
        (
            "HTTP 429",
            ResponseTemplate::new(429).set_body_string("slow down"),
        ),
        (
            "code 99991400",
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 99991400, "msg": "too many requests"})),
        ),
    ];
    for (what, failure) in cases {
        let server = flaky_server(2, failure.clone()).await;
        retrying_client(&server.uri(), 3)
            .get_job("6001")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            server.received_requests().await.expect("recorded").len(),
            3,
            "{what}: two failures, one success"
        );

        let server = flaky_server(10, failure).await;
        let err = retrying_client(&server.uri(), 3)
            .get_job("6001")
            .send()
            .await
            .expect_err("gives up");
        assert!(err.is_retryable(), "{what}: {err:?}");
        assert_eq!(
            server.received_requests().await.expect("recorded").len(),
            4,
            "{what}: 1 attempt + 3 retries"
        );
        // The error that ends the call says how often it was tried.
        assert_eq!(err.attempts(), 4, "{what}: {err:?}");
        assert!(
            err.to_string().ends_with("; gave up after 4 attempts"),
            "{what}: {err}"
        );
    }
}

#[tokio::test]
async fn non_retryable_failures_are_not_retried() {
    let cases = [
        ResponseTemplate::new(400).set_body_json(json!({"code": 1002002, "msg": "bad param"})),
        ResponseTemplate::new(404).set_body_json(json!({"code": 1002601, "msg": "no job"})),
        ResponseTemplate::new(200).set_body_json(json!({"code": 1002725, "msg": "both lists"})),
        ResponseTemplate::new(200).set_body_string("not json"),
    ];
    for failure in cases {
        let server = flaky_server(10, failure).await;
        let err = retrying_client(&server.uri(), 3)
            .get_job("6001")
            .send()
            .await
            .expect_err("fails");
        assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
        // Tried once: the error says nothing of attempts.
        assert_eq!(err.attempts(), 1, "{err:?}");
        assert!(!err.to_string().contains("attempts"), "{err}");
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = flaky_server(
        1,
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
    )
    .await;
    let started = std::time::Instant::now();
    retrying_client(&server.uri(), 1)
        .get_job("6001")
        .send()
        .await
        .expect("succeeds after waiting");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(json!({})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t")
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .expect("builds");
    let err = client.get_job("6001").send().await.expect_err("times out");
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "get_job",
                ..
            }
        ),
        "{err:?}"
    );
}

/// Answers `DELETE` with `failure` once, then with success.
async fn flaky_delete_server(failure: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(failure)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    server
}

/// `delete_note` changes data and is not marked safe to repeat: a failure the server may have acted on ends the
/// call at once; one that shows it did not (a refused connection, a request turned away for its rate) is
/// retried.
#[tokio::test]
async fn a_call_that_changes_data_is_repeated_only_when_the_server_did_not_act_on_it() {
    const { assert!(!DeleteNoteRequest::OPERATION.idempotent) };
    let server = flaky_delete_server(
        ResponseTemplate::new(500).set_body_json(json!({"code": 1002001, "msg": "system error"})),
    )
    .await;
    let error = retrying_client(&server.uri(), 3)
        .delete_note("6916472453069883661")
        .send()
        .await
        .expect_err("a 500 on a delete is not repeated");
    assert_eq!(error.attempts(), 1, "{error}");
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);

    for (what, turned_away) in [
        (
            "HTTP 429",
            ResponseTemplate::new(429).set_body_string("slow down"),
        ),
        (
            "code 99991400",
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 99991400, "msg": "too many requests"})),
        ),
    ] {
        let server = flaky_delete_server(turned_away).await;
        retrying_client(&server.uri(), 3)
            .delete_note("6916472453069883661")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            server.received_requests().await.expect("recorded").len(),
            2,
            "{what}: turned away once, then done"
        );
    }

    // Nothing listens on the port: the request never left.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let error = retrying_client(&format!("http://127.0.0.1:{port}"), 2)
        .delete_note("6916472453069883661")
        .send()
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, Error::Transport { .. }), "{error}");
    assert_eq!(error.attempts(), 3, "{error}");
}
