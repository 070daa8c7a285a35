//! Tenant tokens against a loopback server: fetching, caching, single flight, renewal, refresh on an
//! invalid token, failures of the token endpoint, and secrets kept out of `Debug`, errors and logs.

use crate::common::*;
use generated_client::*;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn app_credentials_fetch_a_token_once_and_cache_it() {
    let server = MockServer::start().await;
    mount_token(&server, "t-from-app", 7200).await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .and(header("authorization", "Bearer t-from-app"))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    let client = app_client(&server.uri());
    for _ in 0..3 {
        client.get_job("6001").send().await.expect("succeeds");
    }
    assert_eq!(
        requests_to(&server, TOKEN_PATH).await.len(),
        1,
        "the token is cached"
    );
    assert_eq!(requests_to(&server, JOB_PATH).await.len(), 3);
}

#[tokio::test]
async fn a_token_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    // A 2 s token is renewed at half its life.
    mount_token(&server, "t-short", 2).await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    let client = app_client(&server.uri());
    client.get_job("6001").send().await.expect("succeeds");
    client.get_job("6001").send().await.expect("succeeds");
    assert_eq!(
        requests_to(&server, TOKEN_PATH).await.len(),
        1,
        "still fresh"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.get_job("6001").send().await.expect("succeeds");
    assert_eq!(
        requests_to(&server, TOKEN_PATH).await.len(),
        2,
        "renewed past half its life"
    );
}

#[tokio::test]
async fn concurrent_calls_on_an_empty_cache_share_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "msg": "ok", "tenant_access_token": "t-shared", "expire": 7200}))
                .set_delay(Duration::from_millis(100)),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    let client = app_client(&server.uri());
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_job("6001").send().await })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call succeeds");
    }
    assert_eq!(
        requests_to(&server, TOKEN_PATH).await.len(),
        1,
        "one token request for 50 calls"
    );
    assert_eq!(requests_to(&server, JOB_PATH).await.len(), 50);
}

#[tokio::test]
async fn an_invalid_token_is_refreshed_and_the_call_retried_once() {
    for code in [99991663, 99991664, 99991671] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"code": 0, "tenant_access_token": "t-old", "expire": 7200}),
                ),
            )
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        mount_token(&server, "t-new", 7200).await;
        Mock::given(method("GET"))
            .and(header("authorization", "Bearer t-old"))
            .respond_with(
                ResponseTemplate::new(400)
                    .set_body_json(json!({"code": code, "msg": "token expired"})),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(header("authorization", "Bearer t-new"))
            .respond_with(ok(json!({"job": {"id": "6001"}})))
            .mount(&server)
            .await;
        let job = app_client(&server.uri())
            .get_job("6001")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(job.job.and_then(|j| j.id).as_deref(), Some("6001"));
        assert_eq!(
            requests_to(&server, TOKEN_PATH).await.len(),
            2,
            "{code}: one refresh"
        );
        assert_eq!(
            requests_to(&server, JOB_PATH).await.len(),
            2,
            "{code}: one retry"
        );
    }
}

#[tokio::test]
async fn a_token_rejected_twice_is_not_retried_forever() {
    let server = MockServer::start().await;
    mount_token(&server, "t-any", 7200).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991663, "msg": "invalid token"})),
        )
        .mount(&server)
        .await;
    let err = app_client(&server.uri())
        .get_job("6001")
        .send()
        .await
        .expect_err("fails");
    assert!(
        matches!(&err, Error::Api(api) if api.is_token_invalid()),
        "{err:?}"
    );
    assert_eq!(requests_to(&server, JOB_PATH).await.len(), 2);
}

#[tokio::test]
async fn a_fixed_token_is_never_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991663, "msg": "invalid token"})),
        )
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .get_job("6001")
        .send()
        .await
        .expect_err("fails");
    assert!(matches!(err, Error::Api(_)));
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
}

#[tokio::test]
async fn a_refused_token_request_is_a_token_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 10014, "msg": "app secret invalid"})),
        )
        .mount(&server)
        .await;
    let err = app_client(&server.uri())
        .get_job("6001")
        .send()
        .await
        .expect_err("fails");
    let Error::Token { code, msg, .. } = &err else {
        panic!("expected a token error, got {err:?}")
    };
    assert_eq!((*code, msg.as_str()), (10014, "app secret invalid"));
    assert!(
        requests_to(&server, JOB_PATH).await.is_empty(),
        "no API call without a token"
    );
    assert!(!err.to_string().contains("super-secret-value"));
}

#[tokio::test]
async fn secrets_never_appear_in_debug_errors_or_logs() {
    let (captured, _guard) = capture_logs();

    let server = MockServer::start().await;
    mount_token(&server, "t-secret-token-value", 7200).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("X-Tt-Logid", "LOG1")
                .set_body_json(json!({"code": 1002001, "msg": "boom"})),
        )
        .mount(&server)
        .await;
    let builder = Client::builder()
        .base_url(server.uri())
        .app_credentials("cli_test", "super-secret-value")
        .rate_limit(RateLimit::Off);
    let builder_debug = format!("{builder:?}");
    let client = builder
        .retry(RetryPolicy {
            max_retries: 1,
            ..RetryPolicy::none()
        })
        .build()
        .expect("builds");
    let err = client.get_job("6001").send().await.expect_err("fails");
    let fixed = Client::builder()
        .tenant_access_token("t-fixed-secret")
        .build()
        .expect("builds");

    let logs = captured.text();
    for field in [
        "feishu_hire_call{operation=\"get_job\"",
        "attempt=2",
        "status=500",
        "code=1002001",
        "log_id=\"LOG1\"",
        "duration_ms=",
    ] {
        assert!(
            logs.contains(field),
            "the call's span lacks `{field}`: {logs}"
        );
    }
    let printed = [
        builder_debug,
        format!("{client:?}"),
        format!("{fixed:?}"),
        format!("{err:?}"),
        err.to_string(),
        logs,
    ];
    for text in &printed {
        for secret in [
            "super-secret-value",
            "t-secret-token-value",
            "t-fixed-secret",
        ] {
            assert!(!text.contains(secret), "`{secret}` leaked into: {text}");
        }
    }
}

/// Every way a token answer can be malformed or refused, each carrying the token or the secret somewhere.
/// None of them may put a secret into an error or a log line.
#[tokio::test]
async fn a_broken_token_answer_never_leaks_the_token() {
    const LEAKED: &str = "t-leaked-token-0123456789";
    const SECRET: &str = "super-secret-value";
    let (captured, _guard) = capture_logs();

    let whole =
        format!(r#"{{"code": 0, "msg": "ok", "tenant_access_token": "{LEAKED}", "expire": 7200}}"#);
    let cases: Vec<(&str, u16, String)> = vec![
        (
            "expire as a string",
            200,
            format!(r#"{{"code": 0, "tenant_access_token": "{LEAKED}", "expire": "7200"}}"#),
        ),
        (
            "code as a string",
            200,
            format!(r#"{{"code": "0", "tenant_access_token": "{LEAKED}", "expire": 7200}}"#),
        ),
        (
            "negative expire",
            200,
            format!(r#"{{"code": 0, "tenant_access_token": "{LEAKED}", "expire": -1}}"#),
        ),
        ("cut short", 200, whole[..whole.len() - 20].to_owned()),
        (
            "the token where a number belongs",
            200,
            format!(r#"{{"code": 0, "tenant_access_token": "x", "expire": "{LEAKED}"}}"#),
        ),
        (
            "a refusal that echoes the secret and the token",
            200,
            format!(
                r#"{{"code": 10003, "msg": "secret {SECRET} and token {LEAKED} refused", "tenant_access_token": "{LEAKED}"}}"#
            ),
        ),
        (
            // Found by the fuzzer: the token in `msg`, and no `tenant_access_token` field to redact it by.
            "a refusal whose message is a token",
            200,
            format!(
                r#"{{"code": 7200, "msg": "{LEAKED}", "tenant_access_token": null, "expire": 7200}}"#
            ),
        ),
        (
            "an HTTP error with the token in its body",
            500,
            format!("oops {LEAKED}"),
        ),
        (
            "an HTTP error whose body is JSON with the token",
            503,
            format!(r#"{{"tenant_access_token": "{LEAKED}", "code": "x"}}"#),
        ),
        (
            "an empty token",
            200,
            r#"{"code": 0, "tenant_access_token": "", "expire": 7200}"#.to_owned(),
        ),
        ("an array", 200, format!(r#"["{LEAKED}", 7200]"#)),
    ];
    for (what, status, body) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&server)
            .await;
        let err = app_client(&server.uri())
            .get_job("6001")
            .send()
            .await
            .expect_err(what);
        assert!(
            matches!(
                &err,
                Error::Token { .. }
                    | Error::Http {
                        operation: "tenant_access_token",
                        ..
                    }
                    | Error::Decode {
                        operation: "tenant_access_token",
                        ..
                    }
            ),
            "{what}: {err:?}"
        );
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(
                !text.contains(LEAKED),
                "{what}: the token leaked into {text}"
            );
            assert!(
                !text.contains(SECRET),
                "{what}: the secret leaked into {text}"
            );
        }
    }
    let logs = captured.text();
    assert!(!logs.contains(LEAKED) && !logs.contains(SECRET), "{logs}");
}

/// A token endpoint that fails for a while: one token request (and its retries) shared by every call that
/// waited for it, and not remembered, since such a failure may pass.
#[tokio::test]
async fn a_failing_token_endpoint_is_asked_once_per_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(500).set_body_string("down"))
        .mount(&server)
        .await;
    // The default retry policy: the token request is retried three times within about 1.4 s.
    let client = Client::builder()
        .base_url(server.uri())
        .app_credentials("cli_test", "super-secret-value")
        .rate_limit(RateLimit::Off)
        .build()
        .expect("builds");
    let started = std::time::Instant::now();
    let calls = (0..50).map(|_| client.get_job("6001").send());
    for outcome in futures_util::future::join_all(calls).await {
        match outcome {
            Err(Error::Http {
                operation: "tenant_access_token",
                status: 500,
                ..
            }) => {}
            other => panic!("expected the token endpoint's error, got {other:?}"),
        }
    }
    let asked = requests_to(&server, TOKEN_PATH).await.len();
    assert_eq!(
        asked, 4,
        "50 calls share one token request and its 3 retries"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(requests_to(&server, JOB_PATH).await.is_empty());

    // The failure is not remembered: once the endpoint recovers, the next call fetches a token at once.
    server.reset().await;
    mount_token(&server, "t-fresh", 7200).await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    client.get_job("6001").send().await.expect("recovered");
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
}

/// A token endpoint that refuses the credentials: not retried, and remembered for a moment, so that the calls
/// in that time get the refusal without asking again; a later call asks again.
#[tokio::test]
async fn a_refused_secret_is_remembered_for_a_moment() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 10014, "msg": "app secret invalid"})),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .app_credentials("cli_test", "super-secret-value")
        .rate_limit(RateLimit::Off)
        .build()
        .expect("builds");
    for _ in 0..20 {
        match client.get_job("6001").send().await {
            Err(Error::Token { code: 10014, .. }) => {}
            other => panic!("expected the refusal, got {other:?}"),
        }
    }
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
    tokio::time::sleep(auth::TOKEN_FAILURE_BACKOFF).await;
    assert!(client.get_job("6001").send().await.is_err());
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 2);
}
