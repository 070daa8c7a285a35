//! The client against a hostile server and an impatient caller: requests that stay in their endpoint, pacing
//! that survives cancellation and counts real sends, token requests that survive the deadlines of the calls
//! waiting for them, one deadline per call, no token in any error or log, and configuration checked at build.

use crate::common::*;
use generated_client::auth::{APP_TOKEN_PATH, STORE_TENANT_TOKEN_PATH};
use generated_client::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CONFIG_PATH: &str = "/open-apis/hire/v1/jobs/6001/config";

/// A server that answers every GET with a job and records when each request arrived.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<Vec<Instant>>>);

impl Respond for Arrivals {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().expect("lock").push(Instant::now());
        ok(json!({"job_config": {}, "job": {"id": "6001"}}))
    }
}

impl Arrivals {
    /// The most requests that arrived within any `window`.
    fn most_within(&self, window: Duration) -> usize {
        let mut times = self.0.lock().expect("lock").clone();
        times.sort();
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .filter(|t| **t < times[i] + window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    fn count(&self) -> usize {
        self.0.lock().expect("lock").len()
    }
}

async fn arrivals_server() -> (MockServer, Arrivals) {
    let server = MockServer::start().await;
    let arrivals = Arrivals::default();
    Mock::given(method("GET"))
        .respond_with(arrivals.clone())
        .mount(&server)
        .await;
    (server, arrivals)
}

/// The custom app's token endpoint of `server`, answering the token `t-slow` after `delay`.
async fn slow_token(server: &MockServer, delay: Duration) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "tenant_access_token": "t-slow", "expire": 7200}))
                .set_delay(delay),
        )
        .mount(server)
        .await;
}

/// Asserts that less than `limit` has passed since `started`.
fn assert_within(started: Instant, limit: Duration) {
    let took = started.elapsed();
    assert!(took < limit, "took {took:?}, more than {limit:?}");
}

/// A custom app's client with the documented rate limits and no retries.
fn paced_app_client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .app_credentials("cli_test", "super-secret-value")
        .retry(RetryPolicy::none())
        .build()
        .expect("builds")
}

// ---- 1. path segments ----------------------------------------------------------------------------------------

#[tokio::test]
async fn a_path_parameter_never_leaves_its_segment() {
    let server = MockServer::start().await;
    let client = client(&server.uri());
    for value in ["..", ".", ""] {
        assert_invalid(
            &server,
            client.get_job_config(value).send().await,
            "job_id",
            &format!("got `{value}`"),
        )
        .await;
        assert_invalid(
            &server,
            client.get_job(value).send().await,
            "job_id",
            &format!("got `{value}`"),
        )
        .await;
        let checked = client.get_job_config(value).validate();
        assert!(matches!(
            checked,
            Err(Error::InvalidRequest {
                parameter: "job_id",
                ..
            })
        ));
    }
    // Dots that are not the whole segment, and percent-encoded dots, are sent as data of the one segment.
    Mock::given(method("GET"))
        .respond_with(ok(json!({})))
        .mount(&server)
        .await;
    client.get_job_config("%2e%2e").send().await.expect("sent");
    client.get_job_config("...").send().await.expect("sent");
    let paths: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/open-apis/hire/v1/jobs/%252e%252e/config",
            "/open-apis/hire/v1/jobs/.../config"
        ]
    );
}

// ---- 2. pacing -------------------------------------------------------------------------------------------------

/// 400 waits for a slot of an operation limited to 20/s, each given up after 500 ms: the 20 that got through
/// hold the only slots, and a request a second later is let through at once.
#[tokio::test(start_paused = true)]
async fn abandoned_waits_give_their_slots_back() {
    let limiter = WindowLimiter::new();
    let waits = (0..400).map(|_| {
        tokio::time::timeout(
            Duration::from_millis(500),
            limiter.acquire("get_job_config", per_second(20)),
        )
    });
    let through = futures_util::future::join_all(waits)
        .await
        .iter()
        .filter(|outcome| outcome.is_ok())
        .count();
    assert_eq!(through, 20);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started = tokio::time::Instant::now();
    limiter
        .acquire("get_job_config", per_second(20))
        .await
        .expect("the limiter lets it through");
    assert!(started.elapsed().is_zero(), "{:?}", started.elapsed());
}

/// The same through the client, on the real clock: calls cut by their deadline while they wait for pacing leave
/// nothing behind, and the next call is not held up.
#[tokio::test]
async fn calls_cut_by_their_deadline_do_not_hold_up_the_next_one() {
    let (server, arrivals) = arrivals_server().await;
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token(TOKEN)
        .rate_limit(RateLimit::PerSecond(20))
        .retry(RetryPolicy::none())
        .build()
        .expect("builds");
    let calls = (0..200).map(|_| {
        client
            .get_job_config("6001")
            .timeout(Duration::from_millis(300))
            .send()
    });
    let outcomes = futures_util::future::join_all(calls).await;
    let timed_out = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o,
                Err(Error::Timeout {
                    deadline: Some(_),
                    ..
                })
            )
        })
        .count();
    assert_eq!(arrivals.count(), 20);
    assert_eq!(timed_out, 180);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started = Instant::now();
    client.get_job_config("6001").send().await.expect("ok");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "the next call waited {:?}",
        started.elapsed()
    );
}

/// 60 concurrent calls (20/s) while the token request takes a second: the slots are taken when the requests
/// are sent, after the token is in hand, so no second holds more than 20 of them.
#[tokio::test]
async fn pacing_counts_requests_as_they_are_sent() {
    let (server, arrivals) = arrivals_server().await;
    slow_token(&server, Duration::from_secs(1)).await;
    let client = paced_app_client(&server.uri());
    let calls = (0..60).map(|_| client.get_job_config("6001").send());
    for outcome in futures_util::future::join_all(calls).await {
        outcome.expect("ok");
    }
    assert_eq!(arrivals.count(), 60);
    // The client's clock grants the slots; the server's sees them later or earlier by however long a loaded
    // machine takes to schedule the two: 200 ms of slack, while a limiter that let twice the rate through would
    // still show 40 in any window.
    let most = arrivals.most_within(Duration::from_millis(800));
    assert!(most <= 20, "{most} requests within one window");
}

#[test]
fn a_rate_of_zero_is_refused_at_build() {
    let error = Client::builder()
        .tenant_access_token(TOKEN)
        .rate_limit(RateLimit::PerSecond(0))
        .build()
        .expect_err("no request could be sent");
    assert!(
        matches!(&error, Error::Config(text) if text.contains("PerSecond(0)")),
        "{error}"
    );
}

/// A limiter that never lets a request through.
#[derive(Debug)]
struct Stuck;

impl RateLimiter for Stuck {
    fn acquire(&self, _: &'static str, _: Quota) -> rate_limit::Acquire<'_> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test]
async fn a_limiter_that_never_answers_is_cut_by_the_deadline() {
    let (server, arrivals) = arrivals_server().await;
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token(TOKEN)
        .rate_limiter(Stuck)
        .build()
        .expect("builds");
    let started = Instant::now();
    let outcome = client
        .get_job("6001")
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(
        matches!(&outcome, Err(Error::Timeout { deadline: Some(d), .. }) if *d == Duration::from_millis(200)),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(arrivals.count(), 0);
}

// ---- 3. tokens -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_redirect_of_the_token_endpoint_is_not_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "tenant_access_token": "t-stolen-0123456789", "expire": 7200}),
        ))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}{TOKEN_PATH}", elsewhere.uri())),
        )
        .mount(&server)
        .await;
    let outcome = app_client(&server.uri()).get_job("6001").send().await;
    assert!(
        matches!(
            &outcome,
            Err(Error::Http {
                operation: "tenant_access_token",
                status: 307,
                ..
            })
        ),
        "{outcome:?}"
    );
    assert_nothing_sent(&elsewhere).await;
}

#[tokio::test]
async fn a_huge_expire_is_clamped_and_never_panics() {
    for expire in [u64::MAX, i64::MAX as u64] {
        let server = MockServer::start().await;
        mount_token(&server, "t-long-lived-token", expire).await;
        Mock::given(method("GET"))
            .respond_with(ok(json!({"job": {"id": "6001"}})))
            .mount(&server)
            .await;
        let client = app_client(&server.uri());
        for _ in 0..3 {
            client
                .get_job("6001")
                .send()
                .await
                .expect("the token is used");
        }
        assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
    }
    let decoded = auth::decode_tenant_token(
        200,
        br#"{"code": 0, "tenant_access_token": "t-x", "expire": 18446744073709551615}"#,
        "secret",
    )
    .expect("decodes");
    assert_eq!(
        decoded.lifetime,
        Duration::from_secs(auth::MAX_TOKEN_LIFETIME_SECS)
    );
}

/// A token request of 1.5 s, and a call every 100 ms under a deadline of 1 s: the callers that give up leave
/// the request running, the later ones get its token, and it is the only one.
#[tokio::test]
async fn a_callers_deadline_does_not_abort_the_token_request_others_wait_on() {
    let server = MockServer::start().await;
    slow_token(&server, Duration::from_millis(1500)).await;
    Mock::given(method("GET"))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    let client = app_client(&server.uri());
    let mut calls = Vec::new();
    for _ in 0..30 {
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            client
                .get_job("6001")
                .timeout(Duration::from_secs(1))
                .send()
                .await
        }));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut succeeded = 0;
    for call in calls {
        if call.await.expect("no panic").is_ok() {
            succeeded += 1;
        }
    }
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
    // The calls started in the first half second give up before the token comes; every later one succeeds.
    assert!(succeeded >= 24, "{succeeded} of 30 calls succeeded");
}

#[tokio::test]
async fn the_calls_deadline_covers_the_token_request() {
    let server = MockServer::start().await;
    slow_token(&server, Duration::from_secs(5)).await;
    let started = Instant::now();
    let outcome = app_client(&server.uri())
        .get_job("6001")
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(
        matches!(
            &outcome,
            Err(Error::Timeout {
                deadline: Some(_),
                ..
            })
        ),
        "{outcome:?}"
    );
    assert_within(started, Duration::from_secs(2));
}

#[tokio::test]
async fn the_calls_deadline_covers_the_waits_before_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1000000000"))
        .mount(&server)
        .await;
    let started = Instant::now();
    let outcome = retrying_client(&server.uri(), 3)
        .get_job("6001")
        .timeout(Duration::from_secs(1))
        .send()
        .await;
    // The wait the server asks for would outlast the deadline: the call ends now, with the answer that asked.
    assert!(
        matches!(&outcome, Err(Error::Http { status: 429, .. })),
        "{outcome:?}"
    );
    assert_within(started, Duration::from_secs(2));

    // A client-wide deadline does the same for every call.
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token(TOKEN)
        .call_timeout(Duration::from_millis(300))
        .retry(RetryPolicy {
            max_retries: 100,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_millis(50),
        })
        .build()
        .expect("builds");
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let started = Instant::now();
    let outcome = client.get_job("6001").send().await;
    assert!(
        matches!(
            &outcome,
            Err(Error::Timeout { .. }) | Err(Error::Http { status: 503, .. })
        ),
        "{outcome:?}"
    );
    assert_within(started, Duration::from_millis(1000));
}

#[tokio::test]
async fn set_app_ticket_does_not_wait_for_a_token_request_in_flight() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(APP_TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "app_access_token": "a-slow", "expire": 7200}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .store_app("cli_store", "store-secret")
        .build()
        .expect("builds");
    client.set_app_ticket("ticket-1").await.expect("kept");
    let waiting = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .get_job("6001")
                .tenant_key("tenant-a")
                .timeout(Duration::from_millis(500))
                .send()
                .await
        })
    };
    // Let the app token request start.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(requests_to(&server, APP_TOKEN_PATH).await.len(), 1);
    let started = Instant::now();
    client.set_app_ticket("ticket-2").await.expect("kept");
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "set_app_ticket waited {:?}",
        started.elapsed()
    );
    assert!(waiting.await.expect("no panic").is_err());
}

#[tokio::test]
async fn a_token_endpoint_that_fails_once_is_retried_for_every_waiting_call() {
    for failure in [
        ResponseTemplate::new(503),
        ResponseTemplate::new(429),
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 99991400, "msg": "too many requests"})),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(failure)
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        mount_token(&server, "t-after-a-failure", 7200).await;
        Mock::given(method("GET"))
            .respond_with(ok(json!({"job": {"id": "6001"}})))
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .app_credentials("cli_test", "super-secret-value")
            .rate_limit(RateLimit::Off)
            .retry(RetryPolicy {
                max_retries: 3,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(20),
            })
            .build()
            .expect("builds");
        let calls = (0..10).map(|_| client.get_job("6001").send());
        let failed = futures_util::future::join_all(calls)
            .await
            .into_iter()
            .filter(Result::is_err)
            .count();
        assert_eq!(failed, 0);
        assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 2);
    }
}

// ---- 5. no token in any error or log --------------------------------------------------------------------------

/// Answers that echo the call's token: Feishu's `msg` on a non-zero code, and a proxy's error page quoting the
/// `Authorization` header.
async fn echoing_server(token_path: Option<&str>, token: &str) -> MockServer {
    let server = MockServer::start().await;
    if let Some(token_path) = token_path {
        Mock::given(method("POST"))
            .and(path(token_path))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "code": 0, "tenant_access_token": token, "app_access_token": "a-app-token-0123456789", "expire": 7200
            })))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 1002002, "msg": format!("invalid token: {token}, Authorization: Bearer {token}")
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CONFIG_PATH))
        .respond_with(ResponseTemplate::new(502).set_body_string(format!(
            "<html><pre>GET {CONFIG_PATH}\nAuthorization: Bearer {token}\n</pre></html>"
        )))
        .mount(&server)
        .await;
    server
}

/// Both echoing calls fail, retried once each, and neither the errors nor the logs hold `token`.
async fn assert_token_never_quoted(
    client: &Client,
    tenant: Option<&str>,
    per_call: Option<&str>,
    token: &str,
) {
    let (captured, _guard) = capture_logs();
    let mut job = client.get_job("6001");
    let mut config = client.get_job_config("6001");
    if let Some(tenant) = tenant {
        job = job.tenant_key(tenant);
        config = config.tenant_key(tenant);
    }
    if let Some(per_call) = per_call {
        job = job.tenant_access_token(per_call);
        config = config.tenant_access_token(per_call);
    }
    let api = job.send().await.expect_err("refused");
    let http = config.send().await.expect_err("a proxy's error page");
    assert!(
        matches!(&api, Error::Api(e) if e.code == 1002002),
        "{api:?}"
    );
    assert!(
        matches!(
            &http,
            Error::Http {
                status: 502,
                excerpt: Some(_),
                ..
            }
        ),
        "{http:?}"
    );
    assert!(api.to_string().contains("invalid token: ***"), "{api}");
    assert!(http.to_string().contains("Bearer ***"), "{http}");
    let logs = captured.text();
    assert!(
        logs.contains("retrying") && logs.contains("call failed"),
        "{logs}"
    );
    for text in [
        api.to_string(),
        format!("{api:?}"),
        http.to_string(),
        format!("{http:?}"),
        logs,
    ] {
        assert!(!text.contains(token), "`{token}` leaked into: {text}");
    }
}

fn quick_retries(builder: ClientBuilder, base_url: &str) -> Client {
    builder
        .base_url(base_url)
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy {
            max_retries: 1,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(5),
        })
        .build()
        .expect("builds")
}

#[tokio::test]
async fn a_fixed_token_never_appears_in_errors_or_logs() {
    // Not shaped like a token at all: taken out by its value.
    let token = "my-own-token";
    let server = echoing_server(None, token).await;
    let client = quick_retries(Client::builder().tenant_access_token(token), &server.uri());
    assert_token_never_quoted(&client, None, None, token).await;
}

#[tokio::test]
async fn a_fetched_token_never_appears_in_errors_or_logs() {
    let token = "t-fetched-token-value";
    let server = echoing_server(Some(TOKEN_PATH), token).await;
    let client = quick_retries(
        Client::builder().app_credentials("cli_test", "super-secret-value"),
        &server.uri(),
    );
    assert_token_never_quoted(&client, None, None, token).await;
}

#[tokio::test]
async fn a_per_call_token_never_appears_in_errors_or_logs() {
    let token = "per-call";
    let server = echoing_server(None, token).await;
    let client = quick_retries(Client::builder().tenant_access_token(TOKEN), &server.uri());
    assert_token_never_quoted(&client, None, Some(token), token).await;
}

#[tokio::test]
async fn a_store_apps_tenant_token_never_appears_in_errors_or_logs() {
    let token = "tenant-token";
    let server = echoing_server(Some(STORE_TENANT_TOKEN_PATH), token).await;
    Mock::given(method("POST"))
        .and(path(APP_TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "app_access_token": "a-app-token-0123456789", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    let client = quick_retries(
        Client::builder().store_app("cli_store", "store-secret"),
        &server.uri(),
    );
    client.set_app_ticket("ticket-1").await.expect("kept");
    assert_token_never_quoted(&client, Some("tenant-a"), None, token).await;
}

#[test]
fn recorded_answers_lose_token_shaped_words() {
    let body =
        br#"{"code": 99991663, "msg": "token t-g1044ghJRUIJJ5ELPPCKKD6GBWZCBTHQZWNHD2MD expired"}"#;
    let error = decode_answer::<GetJobData>("get_job", 200, body).expect_err("an error code");
    assert!(error.to_string().contains("token *** expired"), "{error}");
}

// ---- 6. configuration --------------------------------------------------------------------------------------------

#[test]
fn a_base_url_requests_cannot_be_appended_to_is_refused() {
    for (url, why) in [
        ("http://h?x=1", "has a query"),
        ("http://h/?", "has a query"),
        ("http://h#frag", "has a fragment"),
        ("ftp://h", "must start with http:// or https://"),
        ("http://user:pw@h", "user info"),
        ("not a url", "is not a URL"),
    ] {
        let error = Client::builder()
            .base_url(url)
            .tenant_access_token(TOKEN)
            .build()
            .expect_err(url);
        assert!(
            matches!(&error, Error::Config(text) if text.contains(why) && text.contains(url.trim_end_matches('/'))),
            "{url}: {error}"
        );
    }
    for url in [
        "http://127.0.0.1:8080",
        "https://open.feishu.cn/",
        "http://proxy/feishu",
    ] {
        Client::builder()
            .base_url(url)
            .tenant_access_token(TOKEN)
            .build()
            .expect(url);
    }
}

#[tokio::test]
async fn a_page_size_outside_the_documented_range_is_refused() {
    let server = MockServer::start().await;
    let client = client(&server.uri());
    for size in [0, -1, i32::MIN] {
        assert_invalid(
            &server,
            client.list_job_processes().page_size(size).send().await,
            "page_size",
            "at least 1",
        )
        .await;
    }
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
            .list_external_applications("talent")
            .page_size(0)
            .send()
            .await,
        "page_size",
        "at least 1",
    )
    .await;
}

#[tokio::test]
async fn backoffs_of_any_size_are_clamped() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token(TOKEN)
        .retry(RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
        })
        .build()
        .expect("builds");
    // The clamped wait (30 to 60 s) would outlast the deadline: the call ends with the server's error.
    let outcome = client
        .get_job("6001")
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(
        matches!(&outcome, Err(Error::Http { status: 500, .. })),
        "{outcome:?}"
    );
    let wait = RetryPolicy {
        max_retries: 1,
        initial_backoff: Duration::MAX,
        max_backoff: Duration::MAX,
    }
    .delay(1, None);
    assert!(wait <= retry::MAX_RETRY_WAIT, "{wait:?}");
}

/// A server that answers every request with `head` and counts the requests.
async fn raw_server(head: &'static str) -> (String, Arc<Mutex<usize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let served = Arc::new(Mutex::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            *count.lock().expect("lock") += 1;
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(head.as_bytes()).await;
        }
    });
    (format!("http://{address}"), served)
}

#[tokio::test]
async fn a_content_length_past_any_limit_is_too_large_and_not_retried() {
    for head in [
        "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n{\"code\":0}",
        "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n{\"code\":0}",
    ] {
        let (base_url, served) = raw_server(head).await;
        let outcome = retrying_client(&base_url, 4).get_job("6001").send().await;
        assert!(
            matches!(
                &outcome,
                Err(Error::TooLarge {
                    operation: "get_job",
                    ..
                })
            ),
            "{outcome:?}"
        );
        assert!(!outcome.expect_err("too large").is_retryable());
        assert_eq!(*served.lock().expect("lock"), 1, "{head}");
    }
}

// ---- 7. everything at once -------------------------------------------------------------------------------------

/// Store-app tokens issued as `t-<tenant>-<n>`, slowly and at random, with a count of the requests in flight
/// per tenant.
#[derive(Clone, Default)]
struct SlowTenantTokens {
    state: Arc<Mutex<TokenLedger>>,
}

#[derive(Default)]
struct TokenLedger {
    issued: std::collections::HashMap<String, u32>,
    in_flight: std::collections::HashMap<String, u32>,
    most_in_flight: u32,
}

impl Respond for SlowTenantTokens {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
        let tenant = body["tenant_key"].as_str().expect("tenant_key").to_owned();
        let mut ledger = self.state.lock().expect("lock");
        let n = {
            let n = ledger.issued.entry(tenant.clone()).or_default();
            *n += 1;
            *n
        };
        // The answer's delay is the time the request is in flight; it ends when the delay does, so the count is
        // taken down by a timer of the same length.
        let delay = Duration::from_millis(50 + u64::from(n % 4) * 150);
        let in_flight = ledger.in_flight.entry(tenant.clone()).or_default();
        *in_flight += 1;
        let now_in_flight = *in_flight;
        ledger.most_in_flight = ledger.most_in_flight.max(now_in_flight);
        let state = self.state.clone();
        let done = tenant.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            if let Some(n) = state.lock().expect("lock").in_flight.get_mut(&done) {
                *n -= 1;
            }
        });
        ResponseTemplate::new(200)
            .set_body_json(json!({
                "code": 0, "tenant_access_token": format!("t-{tenant}-{n}"), "expire": 7200
            }))
            .set_delay(delay)
    }
}

/// The job endpoint of the stress run: `job_id` is the tenant the call was made for; the token must be one
/// issued to that tenant. Also records when each request arrived.
#[derive(Clone, Default)]
struct TenantJobs {
    arrivals: Arrivals,
    mixed_up: Arc<Mutex<Vec<String>>>,
}

impl Respond for TenantJobs {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.arrivals.0.lock().expect("lock").push(Instant::now());
        let tenant = request
            .url
            .path()
            .split('/')
            .nth(5)
            .unwrap_or_default()
            .to_owned();
        let bearer = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !bearer.starts_with(&format!("Bearer t-{tenant}-")) {
            self.mixed_up
                .lock()
                .expect("lock")
                .push(format!("{tenant}: {bearer}"));
        }
        ok(json!({"job_config": {}}))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellations_deadlines_slow_tokens_and_many_tenants_keep_every_invariant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(APP_TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "app_access_token": "a-app-token-0123456789", "expire": 7200}))
                .set_delay(Duration::from_millis(300)),
        )
        .mount(&server)
        .await;
    let tokens = SlowTenantTokens::default();
    Mock::given(method("POST"))
        .and(path(STORE_TENANT_TOKEN_PATH))
        .respond_with(tokens.clone())
        .mount(&server)
        .await;
    let jobs = TenantJobs::default();
    Mock::given(method("GET"))
        .and(path_regex("^/open-apis/hire/v1/jobs/[^/]+/config$"))
        .respond_with(jobs.clone())
        .mount(&server)
        .await;
    const RATE: u32 = 40;
    let client = Client::builder()
        .base_url(server.uri())
        .store_app("cli_store", "store-secret")
        .rate_limit(RateLimit::PerSecond(RATE))
        .tenant_token_capacity(8)
        .retry(RetryPolicy::none())
        .build()
        .expect("builds");
    client.set_app_ticket("ticket-1").await.expect("kept");
    let started = Instant::now();
    let mut calls = Vec::new();
    for i in 0u64..300 {
        let client = client.clone();
        let tenant = format!("tenant{}", (i * 7) % 23);
        calls.push(tokio::spawn(async move {
            let request = client.get_job_config(&tenant).tenant_key(&tenant);
            match i % 5 {
                // A caller that gives up by dropping the call.
                0 => tokio::time::timeout(Duration::from_millis(20 + i % 200), request.send())
                    .await
                    .unwrap_or(Ok(GetJobConfigData::default())),
                // A caller with a short deadline.
                1 => {
                    request
                        .timeout(Duration::from_millis(100 + i % 400))
                        .send()
                        .await
                }
                _ => request.timeout(Duration::from_secs(20)).send().await,
            }
        }));
        if i % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
    let mut succeeded = 0;
    for call in calls {
        match call.await.expect("no call panicked") {
            Ok(_) => succeeded += 1,
            Err(Error::Timeout { .. }) => {}
            Err(other) => panic!("only deadlines may fail a call: {other:?}"),
        }
    }
    assert!(succeeded >= 180, "{succeeded} of 300 calls succeeded");
    assert!(started.elapsed() < Duration::from_secs(30));
    let mixed_up = jobs.mixed_up.lock().expect("lock").clone();
    assert!(mixed_up.is_empty(), "tokens of other tenants: {mixed_up:?}");
    // As in `pacing_counts_requests_as_they_are_sent`: 200 ms of slack for the server's clock.
    let most = jobs.arrivals.most_within(Duration::from_millis(800));
    assert!(most <= RATE as usize, "{most} requests within one window");
    let most_in_flight = tokens.state.lock().expect("lock").most_in_flight;
    assert_eq!(most_in_flight, 1, "token requests of one tenant at once");
}
