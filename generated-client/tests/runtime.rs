//! The production runtime against a loopback server: tenant tokens, pagination, validation before sending,
//! retries, timeouts, malformed answers, and many concurrent calls with injected faults.

mod common;

use futures_util::{StreamExt, TryStreamExt};
use generated_client::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
const JOB_PATH: &str = "/open-apis/hire/v1/jobs/6001";

fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": data}))
}

fn app_client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .app_credentials("cli_test", "super-secret-value")
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

async fn requests_to(server: &MockServer, path: &str) -> Vec<Request> {
    let all = server.received_requests().await.expect("recording is on");
    all.into_iter().filter(|r| r.url.path() == path).collect()
}

async fn mount_token(server: &MockServer, token: &str, expire: u64) {
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

// ---- authentication ------------------------------------------------------------------------------------------

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
    let err = common::client(&server.uri())
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

// ---- secrets -------------------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_appear_in_debug_errors_or_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
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

// ---- pagination ----------------------------------------------------------------------------------------------

fn process_page(ids: &[&str], has_more: bool, token: Option<&str>) -> ResponseTemplate {
    let items: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
    let mut data = json!({"has_more": has_more, "items": items});
    if let Some(token) = token {
        data["page_token"] = json!(token);
    }
    ok(data)
}

async fn mount_page(server: &MockServer, token: Option<&str>, response: ResponseTemplate) {
    let mock = Mock::given(method("GET")).and(path("/open-apis/hire/v1/job_processes"));
    let mock = match token {
        Some(token) => mock.and(query_param("page_token", token)),
        None => mock.and(wiremock::matchers::query_param_is_missing("page_token")),
    };
    mock.respond_with(response).mount(server).await;
}

#[tokio::test]
async fn items_stream_across_pages_with_the_maximum_page_size() {
    let server = MockServer::start().await;
    mount_page(&server, None, process_page(&["1", "2"], true, Some("p2"))).await;
    mount_page(&server, Some("p2"), process_page(&["3"], true, Some("p3"))).await;
    mount_page(&server, Some("p3"), process_page(&["4", "5"], false, None)).await;
    let client = common::client(&server.uri());
    let ids: Vec<String> = client
        .list_job_processes()
        .items()
        .map_ok(|p| p.id.unwrap_or_default())
        .try_collect()
        .await
        .expect("succeeds");
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 3);
    assert!(
        requests
            .iter()
            .all(|r| r.url.query().unwrap_or_default().contains("page_size=100")),
        "documented maximum"
    );

    let pages: Vec<ListJobProcessesData> = client
        .list_job_processes()
        .page_size(2)
        .pages()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(pages.len(), 3);
    let last = server
        .received_requests()
        .await
        .expect("recorded")
        .pop()
        .expect("a request");
    assert!(
        last.url.query().unwrap_or_default().contains("page_size=2"),
        "the caller's size is kept"
    );
}

#[tokio::test]
async fn a_missing_or_empty_token_ends_the_stream() {
    let server = MockServer::start().await;
    mount_page(&server, None, process_page(&["1"], true, Some(""))).await;
    let items: Vec<JobProcess> = common::client(&server.uri())
        .list_job_processes()
        .items()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(items.len(), 1);
    assert_eq!(server.received_requests().await.expect("recorded").len(), 1);

    let server = MockServer::start().await;
    mount_page(&server, None, process_page(&["1"], true, None)).await;
    let pages: Vec<_> = common::client(&server.uri())
        .list_job_processes()
        .pages()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(pages.len(), 1);
}

#[tokio::test]
async fn a_repeated_token_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    mount_page(&server, None, process_page(&["1"], true, Some("same"))).await;
    mount_page(
        &server,
        Some("same"),
        process_page(&["2"], true, Some("same")),
    )
    .await;
    let results: Vec<Result<JobProcess, Error>> = common::client(&server.uri())
        .list_job_processes()
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "two items, then the error: {results:?}");
    assert!(matches!(&results[2], Err(Error::Pagination { token, .. }) if token == "same"));
    assert_eq!(server.received_requests().await.expect("recorded").len(), 2);
}

#[tokio::test]
async fn external_applications_page_with_their_own_maximum() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/external_applications"))
        .and(query_param("talent_id", "T1"))
        .and(query_param("page_size", "20"))
        .respond_with(ok(json!({"items": [{"id": "a"}], "has_more": false})))
        .mount(&server)
        .await;
    let apps: Vec<ExternalApplication> = common::client(&server.uri())
        .list_external_applications("T1")
        .items()
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(apps.len(), 1);
}

// ---- validation ----------------------------------------------------------------------------------------------

async fn assert_invalid(
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
    assert!(
        server
            .received_requests()
            .await
            .expect("recorded")
            .is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn documented_constraints_are_checked_before_sending() {
    let server = MockServer::start().await;
    let client = common::client(&server.uri());
    assert_invalid(
        &server,
        client.list_job_processes().page_size(101).send().await,
        "page_size",
        "at most 100",
    )
    .await;
    assert_invalid(
        &server,
        client
            .list_external_applications("T1")
            .page_size(21)
            .send()
            .await,
        "page_size",
        "at most 20",
    )
    .await;
    assert_invalid(
        &server,
        client.list_external_applications("").send().await,
        "talent_id",
        "required",
    )
    .await;
    assert_invalid(
        &server,
        client.get_job("").send().await,
        "job_id",
        "required",
    )
    .await;
    assert_invalid(
        &server,
        client.get_job_config("").send().await,
        "job_id",
        "required",
    )
    .await;
    let ids: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    assert_invalid(
        &server,
        client
            .search_job_requirements()
            .id_list(ids.clone())
            .send()
            .await,
        "id_list",
        "at most 100",
    )
    .await;
    assert_invalid(
        &server,
        client
            .search_job_requirements()
            .short_code_list(ids)
            .send()
            .await,
        "short_code_list",
        "at most 100",
    )
    .await;
    let both = client
        .search_job_requirements()
        .id_list(["1"])
        .short_code_list(["R1"]);
    assert_invalid(&server, both.send().await, "id_list", "`short_code_list`").await;
    let err = client
        .list_job_processes()
        .page_size(101)
        .validate()
        .expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "list_job_processes: invalid request: `page_size` must be at most 100, got 101"
    );
    let items: Vec<Result<JobProcess, Error>> = client
        .list_job_processes()
        .page_size(500)
        .items()
        .collect()
        .await;
    assert!(matches!(
        items.as_slice(),
        [Err(Error::InvalidRequest { .. })]
    ));
    assert!(server
        .received_requests()
        .await
        .expect("recorded")
        .is_empty());
}

// ---- retries -------------------------------------------------------------------------------------------------

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
        common::retrying_client(&server.uri(), 3)
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
        let err = common::retrying_client(&server.uri(), 3)
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
        common::retrying_client(&server.uri(), 3)
            .get_job("6001")
            .send()
            .await
            .expect_err("fails");
        assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
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
    common::retrying_client(&server.uri(), 1)
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

// ---- malformed answers ---------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_answers_are_decode_errors() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "truncated",
            r#"{"code": 0, "msg": "ok", "data": {"job": {"id": "60"#,
            "data",
        ),
        ("wrong shape", r#"{"code": "zero", "msg": "ok"}"#, "code"),
        ("array", r#"[1, 2, 3]"#, "."),
        (
            "data of the wrong type",
            r#"{"code": 0, "msg": "ok", "data": {"job": []}}"#,
            "data.job",
        ),
    ];
    for (what, body, at) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        let err = common::client(&server.uri())
            .get_job("6001")
            .send()
            .await
            .expect_err(what);
        let Error::Decode { path, excerpt, .. } = &err else {
            panic!("{what}: expected a decode error, got {err:?}")
        };
        assert_eq!(path, at, "{what}");
        assert!(!excerpt.is_empty(), "{what}");
    }
}

// ---- rate limits ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn calls_are_paced_under_the_documented_rate() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t")
        .build()
        .expect("builds");
    // get_job is documented at 50/s: 11 calls need at least 10 intervals of 20 ms.
    let started = std::time::Instant::now();
    for _ in 0..11 {
        client.get_job("6001").send().await.expect("ok");
    }
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
}

// ---- many calls with faults ----------------------------------------------------------------------------------

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
            4 => ok(json!({"job": {"id": "6001"}})).set_delay(Duration::from_millis(400)),
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
        .timeout(Duration::from_millis(200))
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
