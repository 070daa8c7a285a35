//! Values the client cannot send are refused before anything is sent, and never retried; tokens an endpoint
//! issues that cannot be sent are not cached; no redirect is followed; the tenant cache is bounded in bytes; and
//! every error message is bounded and on one line.

use crate::common::*;
use generated_client::auth::{
    AppTicketStore, Secret, APP_TOKEN_PATH, MAX_CREDENTIAL_CHARS, MAX_TENANT_KEY_CHARS,
    STORE_TENANT_TOKEN_PATH, TENANT_ENTRY_OVERHEAD_BYTES, TOKEN_FAILURE_BACKOFF,
};
use generated_client::error::MAX_QUOTED_CHARS;
use generated_client::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SEARCH_PATH: &str = "/open-apis/hire/v1/job_requirements/search";
const STORE_APP_ID: &str = "cli_store_test";
const STORE_SECRET: &str = "store-secret-value";
const TICKET: &str = "ticket-value-0001";

/// Asserts that `text` is one line: no control character, nor an invisible one that breaks lines.
fn assert_one_line(text: &str) {
    let hidden = text
        .chars()
        .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202e}'));
    assert!(hidden.is_none(), "{hidden:?} in: {text:?}");
}

/// A client of `base_url` with three quick retries, built from `builder`.
fn retrying(builder: ClientBuilder, base_url: &str) -> Client {
    builder
        .base_url(base_url)
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(10),
        })
        .timeout(Duration::from_secs(10))
        .build()
        .expect("builds")
}

/// A server with a store app's token endpoints, issuing `t-<tenant>` to each tenant, and the job endpoint.
async fn store_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(APP_TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "app_access_token": "a-app-token-value", "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(STORE_TENANT_TOKEN_PATH))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
            let tenant = body["tenant_key"].as_str().expect("tenant_key");
            ResponseTemplate::new(200).set_body_json(json!({
                "code": 0, "msg": "ok", "tenant_access_token": format!("t-{tenant}"), "expire": 7200
            }))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    server
}

async fn store_client(builder: ClientBuilder, base_url: &str) -> Client {
    let client = retrying(builder.store_app(STORE_APP_ID, STORE_SECRET), base_url);
    client.set_app_ticket(TICKET).await.expect("kept");
    client
}

// ---- tokens, ids, secrets and tickets that cannot be sent ------------------------------------------------------

#[tokio::test]
async fn a_token_with_a_trailing_line_break_is_refused_and_nothing_is_sent() {
    // The client's own token: refused at build, naming it, never quoting it.
    let built = Client::builder().tenant_access_token("t-abc\n").build();
    let Err(Error::Config(message)) = &built else {
        panic!("expected a configuration error, got {built:?}");
    };
    assert!(
        message.starts_with("the tenant access token ends with a line break"),
        "{message}"
    );
    assert!(!message.contains("t-abc"), "{message}");

    // A token for one call: refused before sending, with retries on, and not retried.
    let server = MockServer::start().await;
    let (captured, _guard) = capture_logs();
    let client = retrying(Client::builder().tenant_access_token(TOKEN), &server.uri());
    for token in [
        "t-abc\n",
        "t-abc\r\n",
        "t-a\nX-Forged: 1",
        "t abc",
        "t-职位",
    ] {
        let outcome = client
            .get_job("6001")
            .tenant_access_token(token)
            .send()
            .await;
        let Err(error @ Error::InvalidRequest { parameter, .. }) = &outcome else {
            panic!("expected InvalidRequest for {token:?}, got {outcome:?}");
        };
        assert_eq!(*parameter, "tenant_access_token");
        assert!(!error.is_retryable());
        let text = error.to_string();
        assert!(!text.contains("abc") && !text.contains("Forged"), "{text}");
        assert_one_line(&text);
    }
    assert_nothing_sent(&server).await;
    let logs = captured.text();
    assert!(!logs.contains("retrying"), "{logs}");
}

#[tokio::test]
async fn a_token_the_endpoint_issues_that_cannot_be_sent_is_a_token_error_and_not_cached() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": "t-x\n", "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    let client = retrying(
        Client::builder().app_credentials("cli_test", "super-secret-value"),
        &server.uri(),
    );
    let outcome = client.get_job("6001").send().await;
    let Err(error @ Error::Token { code: 0, msg, .. }) = &outcome else {
        panic!("expected a token error, got {outcome:?}");
    };
    assert!(
        msg.contains("issued a token that cannot be sent in a header"),
        "{msg}"
    );
    assert!(!error.is_retryable());
    let text = error.to_string();
    assert!(text.ends_with("at fault, not the credentials"), "{text}");
    assert_one_line(&text);
    assert!(!format!("{error} {error:?}").contains("t-x"), "{error:?}");
    // Asked once, not retried, and no call went out with it.
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
    assert!(requests_to(&server, JOB_PATH).await.is_empty());

    // Not cached: once the failure is no longer remembered, the next call asks the endpoint again, and gets
    // the token it now issues.
    server.reset().await;
    mount_token(&server, "t-good-token", 7200).await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    tokio::time::sleep(TOKEN_FAILURE_BACKOFF + Duration::from_millis(100)).await;
    client.get_job("6001").send().await.expect("succeeds");
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
    let calls = requests_to(&server, JOB_PATH).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].headers["authorization"], "Bearer t-good-token");
}

#[tokio::test]
async fn an_app_id_or_secret_that_cannot_be_sent_is_refused_at_build() {
    let long = "s".repeat(MAX_CREDENTIAL_CHARS + 1);
    let cases = [
        (
            "cli_test\n",
            "secret-value",
            "the app id ends with a line break",
        ),
        (
            "cli_test",
            "secret-value\r\n",
            "the app secret ends with a line break",
        ),
        ("cli_test", "secret value", "the app secret holds a space"),
        (
            "cli\u{1b}test",
            "secret-value",
            "the app id holds a control character",
        ),
        ("cli_test", "", "the app secret is empty"),
        ("cli_test", long.as_str(), "the app secret is too long"),
    ];
    for (app_id, secret, expected) in cases {
        for builder in [
            Client::builder().app_credentials(app_id, secret),
            Client::builder().store_app(app_id, secret),
        ] {
            let built = builder.build();
            let Err(Error::Config(message)) = &built else {
                panic!("expected a configuration error for {app_id:?}, got {built:?}");
            };
            assert!(message.starts_with(expected), "{message}");
            assert!(
                !message.contains("secret-value") && !message.contains("sss"),
                "the value is not quoted: {message}"
            );
            assert!(
                !message.contains(&(MAX_CREDENTIAL_CHARS + 1).to_string()),
                "nor its length: {message}"
            );
        }
    }
}

#[tokio::test]
async fn a_ticket_that_cannot_be_sent_is_refused_and_not_kept() {
    let server = store_server().await;
    let client = retrying(
        Client::builder().store_app(STORE_APP_ID, STORE_SECRET),
        &server.uri(),
    );
    for ticket in ["ticket-value-0001\n", "", "ticket value"] {
        let outcome = client.set_app_ticket(ticket).await;
        let Err(error @ Error::InvalidRequest { parameter, .. }) = &outcome else {
            panic!("expected InvalidRequest for {ticket:?}, got {outcome:?}");
        };
        assert_eq!(*parameter, "app_ticket");
        assert!(!error.to_string().contains("ticket-value"), "{error}");
    }
    // Not kept: the client still has no ticket, and asks for none with it.
    let outcome = client.get_job("6001").tenant_key("tenant-a").send().await;
    assert!(
        matches!(outcome, Err(Error::NoAppTicket { .. })),
        "{outcome:?}"
    );
    assert!(requests_to(&server, APP_TOKEN_PATH).await.is_empty());

    // A shared store that holds such a ticket: the store's failure, and the ticket is not sent.
    let store = Arc::new(MemoryTicketStore::new());
    store
        .set(STORE_APP_ID, Secret::new("ticket-value-0001\n"))
        .await
        .expect("kept");
    let shared = retrying(
        Client::builder()
            .store_app(STORE_APP_ID, STORE_SECRET)
            .app_ticket_store(store),
        &server.uri(),
    );
    let outcome = shared.get_job("6001").tenant_key("tenant-a").send().await;
    let Err(error @ Error::TicketStore { .. }) = &outcome else {
        panic!("expected the ticket store's error, got {outcome:?}");
    };
    assert!(
        error.to_string().contains("ends with a line break"),
        "{error}"
    );
    assert!(!error.to_string().contains("ticket-value"), "{error}");
    assert!(requests_to(&server, APP_TOKEN_PATH).await.is_empty());
}

// ---- tenant keys -----------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_tenant_key_with_a_line_break_is_refused_before_anything_is_sent() {
    let server = store_server().await;
    let (captured, _guard) = capture_logs();
    let client = store_client(Client::builder(), &server.uri()).await;
    for key in ["tenant-a\r\nINFO forged line", "tenant-a\n", "tenant\u{0}a"] {
        let outcome = client.get_job("6001").tenant_key(key).send().await;
        let Err(error @ Error::InvalidRequest { parameter, .. }) = &outcome else {
            panic!("expected InvalidRequest for {key:?}, got {outcome:?}");
        };
        assert_eq!(*parameter, "tenant_key");
        assert!(!error.is_retryable());
        let text = error.to_string();
        assert!(!text.contains("forged"), "{text}");
        assert_one_line(&text);
    }
    assert_nothing_sent(&server).await;
    assert_eq!(client.cached_tenant_tokens(), 0);
    assert!(!captured.text().contains("forged"), "{}", captured.text());
}

#[tokio::test]
async fn a_tenant_key_of_100_kib_is_refused_and_one_of_the_documented_length_is_sent() {
    let server = store_server().await;
    let client = store_client(Client::builder(), &server.uri()).await;
    for key in ["k".repeat(100 * 1024), "k".repeat(MAX_TENANT_KEY_CHARS + 1)] {
        let outcome = client.get_job("6001").tenant_key(key.as_str()).send().await;
        let Err(
            error @ Error::InvalidRequest {
                parameter, rule, ..
            },
        ) = &outcome
        else {
            panic!("expected InvalidRequest, got {outcome:?}");
        };
        assert_eq!(*parameter, "tenant_key");
        assert_eq!(
            rule,
            &format!("is too long (more than {MAX_TENANT_KEY_CHARS} characters)")
        );
        assert!(!error.to_string().contains("kkk"), "{error}");
    }
    assert_nothing_sent(&server).await;
    assert_eq!(client.cached_tenant_tokens(), 0);
    let longest = "k".repeat(MAX_TENANT_KEY_CHARS);
    client
        .get_job("6001")
        .tenant_key(longest.as_str())
        .send()
        .await
        .expect("a key of the documented length is sent");
}

#[tokio::test]
async fn the_tenant_cache_stays_within_its_bytes() {
    use futures_util::StreamExt;
    const BOUND: usize = 32 * 1024;
    const PARALLEL: usize = 4;
    // About two and a half times what the bound holds.
    const TENANTS: usize = 160;
    let server = store_server().await;
    let client = store_client(
        Client::builder().tenant_token_cache_bytes(BOUND),
        &server.uri(),
    )
    .await;
    let key = |i: usize| format!("{i:0>width$}", width = MAX_TENANT_KEY_CHARS);
    // Each tenant counts its key, its token (`t-` and the key) and the overhead.
    let entry = MAX_TENANT_KEY_CHARS + (2 + MAX_TENANT_KEY_CHARS) + TENANT_ENTRY_OVERHEAD_BYTES;
    let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    futures_util::stream::iter(0..TENANTS)
        .map(|i| {
            let client = client.clone();
            let most = most.clone();
            let key = key(i);
            async move {
                client
                    .get_job("6001")
                    .tenant_key(key)
                    .send()
                    .await
                    .expect("succeeds");
                most.fetch_max(
                    client.cached_tenant_token_bytes(),
                    std::sync::atomic::Ordering::Relaxed,
                );
            }
        })
        .buffer_unordered(PARALLEL)
        .collect::<()>()
        .await;
    let most = most.load(std::sync::atomic::Ordering::Relaxed);
    // At most the bound, plus the entries of the calls in flight.
    assert!(most <= BOUND + PARALLEL * entry, "{most} bytes at once");
    let bytes = client.cached_tenant_token_bytes();
    let tenants = client.cached_tenant_tokens();
    assert!(bytes <= BOUND, "{bytes} bytes");
    assert_eq!(bytes, tenants * entry, "{tenants} tenants");
    assert!(
        tenants < TENANTS && tenants * entry > BOUND / 2,
        "{tenants} tenants"
    );
    // The latest tenant is still cached: its call asks for no token.
    let asked = requests_to(&server, STORE_TENANT_TOKEN_PATH).await.len();
    client
        .get_job("6001")
        .tenant_key(key(TENANTS - 1))
        .send()
        .await
        .expect("succeeds");
    assert_eq!(
        requests_to(&server, STORE_TENANT_TOKEN_PATH).await.len(),
        asked
    );
}

// ---- redirects -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn api_calls_follow_no_redirect() {
    for status in [301, 302, 303, 307, 308] {
        let elsewhere = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ok(json!({"items": [], "job": {"id": "stolen"}})))
            .mount(&elsewhere)
            .await;
        let server = MockServer::start().await;
        let target = format!("{}/collect", elsewhere.uri());
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(status).insert_header(
                "location",
                format!("{target}?page_token=p-0123456789abcdef&from=hire#frag"),
            ))
            .mount(&server)
            .await;
        let client = retrying(Client::builder().tenant_access_token(TOKEN), &server.uri());
        let search = client
            .search_job_requirements()
            .id_list(["6952811314255265796"])
            .header("x-request-tag", "per-call-header")
            .send()
            .await;
        let get = client.get_job("6001").send().await;
        for outcome in [search.map(|_| ()), get.map(|_| ())] {
            let Err(
                error @ Error::Http {
                    status: got,
                    location,
                    ..
                },
            ) = &outcome
            else {
                panic!("expected the {status} as an HTTP error, got {outcome:?}");
            };
            assert_eq!(*got, status);
            assert_eq!(location.as_deref(), Some(target.as_str()));
            assert!(!error.is_retryable());
            let text = error.to_string();
            assert!(
                text.contains(&format!(
                    "HTTP {status}, a redirect to `{target}`, not followed"
                )),
                "{text}"
            );
            assert!(
                !text.contains("page_token") && !text.contains("frag"),
                "{text}"
            );
        }
        // One request each, not retried, and nothing reached the other host.
        let received = server.received_requests().await.expect("recorded");
        assert_eq!(received.len(), 2, "{received:?}");
        assert_eq!(requests_to(&server, SEARCH_PATH).await.len(), 1);
        assert_nothing_sent(&elsewhere).await;
    }
}

// ---- bounded, one-line messages --------------------------------------------------------------------------------

#[tokio::test]
async fn errors_quoting_outside_values_escape_control_characters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "log\tid")
                .set_body_json(
                    json!({"code": 1002002, "msg": "bad\r\nINFO forged \u{1b}[2J\u{2028}"}),
                ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/jobs/6002/config"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>\r\nINFO forged\n</html>"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/jobs/6003"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("{\"code\": 0, \"data\": {\"job\":\r\n\u{1b}[2J 5\n}}"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 10003, "msg": "invalid app\nINFO forged"})),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let errors = [
        client.get_job("6001").send().await.map(|_| ()),
        client.get_job_config("6002").send().await.map(|_| ()),
        client.get_job("6003").send().await.map(|_| ()),
        client
            .get_job("6001")
            .header("x-tag\nINFO forged", "v")
            .send()
            .await
            .map(|_| ()),
        client
            .get_job("6001")
            .header("x-tag", "v\n")
            .send()
            .await
            .map(|_| ()),
        app_client(&server.uri())
            .get_job("6001")
            .send()
            .await
            .map(|_| ()),
        Client::builder()
            .base_url("http://host\n.example/x?y")
            .tenant_access_token(TOKEN)
            .build()
            .map(|_| ()),
    ];
    let kinds: Vec<String> = errors
        .iter()
        .map(|outcome| {
            let error = outcome.as_ref().expect_err("fails");
            let text = error.to_string();
            assert_one_line(&text);
            format!("{error:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Api",
            "Http",
            "Decode",
            "InvalidRequest",
            "InvalidRequest",
            "Token",
            "Config"
        ]
    );
    let api = errors[0].as_ref().expect_err("fails").to_string();
    assert!(
        api.contains(r"(bad\r\nINFO forged \u{1b}[2J\u{2028})")
            && api.contains(r"(log id log\tid)"),
        "{api}"
    );
}

#[tokio::test]
async fn a_long_value_in_an_error_is_cut_with_its_length() {
    let server = MockServer::start().await;
    let msg = format!("bad {}", "x".repeat(70_150));
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 1002002, "msg": msg})),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let error = client.get_job("6001").send().await.expect_err("refused");
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api.msg, msg, "the field keeps the whole message");
    let text = error.to_string();
    assert!(text.contains("x…(70154 chars)), HTTP 200"), "{text}");
    assert!(text.chars().count() < MAX_QUOTED_CHARS + 100, "{text}");

    // A next-page token of 70,000 characters: whatever fails, the message stays short and quotes no token.
    let token = "p".repeat(70_000);
    let outcome = client
        .list_job_processes()
        .page_token(token.as_str())
        .send()
        .await;
    let error = outcome.expect_err("no such page");
    let text = error.to_string();
    assert!(
        text.chars().count() < 2 * MAX_QUOTED_CHARS,
        "{} chars: {error:?}",
        text.chars().count()
    );
    assert!(!text.contains("ppppp"), "{text}");
    assert!(!error.is_retryable(), "{error:?}");
    assert_one_line(&text);
}
