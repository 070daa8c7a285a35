//! Store apps against a loopback server: the app ticket, the app access token, one tenant access token per
//! tenant, single flight per tenant, refresh for one tenant only, the missing ticket, the bounded cache, the
//! app types of the doc pages, and secrets kept out of `Debug`, errors and logs.

use crate::common::*;
use generated_client::auth::{APP_TICKET_RESEND_PATH, APP_TOKEN_PATH, STORE_TENANT_TOKEN_PATH};
use generated_client::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(crate) const APP_ID: &str = "cli_store_test";
pub(crate) const APP_SECRET: &str = "store-secret-value";
pub(crate) const TICKET: &str = "ticket-value-0001";
const APP_TOKEN: &str = "a-app-token-value";

/// Issues `t-<tenant>-<n>` to the n-th tenant token request of a tenant, after `delay` for the tenant `slow`.
#[derive(Clone, Default)]
pub(crate) struct TenantTokens {
    issued: Arc<Mutex<HashMap<String, u32>>>,
}

impl TenantTokens {
    fn count(&self, tenant: &str) -> u32 {
        self.issued
            .lock()
            .expect("lock")
            .get(tenant)
            .copied()
            .unwrap_or(0)
    }
}

impl Respond for TenantTokens {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
        let tenant = body["tenant_key"].as_str().expect("tenant_key").to_owned();
        let mut issued = self.issued.lock().expect("lock");
        let n = issued.entry(tenant.clone()).or_default();
        *n += 1;
        let template = ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": format!("t-{tenant}-{n}"), "expire": 7200
        }));
        if tenant == "slow" {
            template.set_delay(Duration::from_secs(1))
        } else {
            template
        }
    }
}

/// A server with Feishu's store-app token endpoints and the job endpoint. The app token is issued for the
/// right ticket only; any other ticket is answered with Feishu's "invalid app ticket" code.
pub(crate) async fn store_server() -> (MockServer, TenantTokens) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(APP_TOKEN_PATH))
        .and(body_json(
            json!({"app_id": APP_ID, "app_secret": APP_SECRET, "app_ticket": TICKET}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "app_access_token": APP_TOKEN, "expire": 7200
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(APP_TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 10012, "msg": "app_ticket is invalid"})),
        )
        .mount(&server)
        .await;
    let tokens = TenantTokens::default();
    Mock::given(method("POST"))
        .and(path(STORE_TENANT_TOKEN_PATH))
        .respond_with(tokens.clone())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(APP_TICKET_RESEND_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    (server, tokens)
}

pub(crate) fn store_builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .store_app(APP_ID, APP_SECRET)
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(10))
}

async fn store_client(base_url: &str) -> Client {
    let client = store_builder(base_url).build().expect("client builds");
    client.set_app_ticket(TICKET).await.expect("ticket kept");
    client
}

/// `get_job` for `tenant`.
async fn job_for(client: &Client, tenant: &str) -> Result<GetJobData, Error> {
    client.get_job("6001").tenant_key(tenant).send().await
}

fn bearers(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

fn bodies(requests: &[Request]) -> Vec<Value> {
    requests
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("a JSON body"))
        .collect()
}

#[tokio::test]
async fn two_tenants_share_one_app_token_and_each_has_its_own_tenant_token() {
    let (server, _) = store_server().await;
    let client = store_client(&server.uri()).await;
    for tenant in ["tenant-a", "tenant-b", "tenant-a", "tenant-b", "tenant-a"] {
        let job = job_for(&client, tenant).await.expect("succeeds");
        assert_eq!(job.job.and_then(|j| j.id).as_deref(), Some("6001"));
    }
    let app_token_requests = requests_to(&server, APP_TOKEN_PATH).await;
    assert_eq!(
        bodies(&app_token_requests),
        vec![json!({"app_id": APP_ID, "app_secret": APP_SECRET, "app_ticket": TICKET})],
        "one app token request for any number of tenants"
    );
    let tenant_token_requests = requests_to(&server, STORE_TENANT_TOKEN_PATH).await;
    assert_eq!(
        bodies(&tenant_token_requests),
        vec![
            json!({"app_access_token": APP_TOKEN, "tenant_key": "tenant-a"}),
            json!({"app_access_token": APP_TOKEN, "tenant_key": "tenant-b"}),
        ],
        "one tenant token request per tenant"
    );
    for request in app_token_requests.iter().chain(&tenant_token_requests) {
        assert!(
            request.headers.get("authorization").is_none(),
            "token requests carry no bearer"
        );
        assert_eq!(
            request.headers["content-type"],
            "application/json; charset=utf-8"
        );
    }
    assert_eq!(
        bearers(&requests_to(&server, JOB_PATH).await),
        ["tenant-a", "tenant-b", "tenant-a", "tenant-b", "tenant-a"]
            .map(|t| format!("Bearer t-{t}-1")),
        "each call carries its tenant's token"
    );
    assert!(requests_to(&server, APP_TICKET_RESEND_PATH)
        .await
        .is_empty());
    assert_eq!(client.cached_tenant_tokens(), 2);
}

#[tokio::test]
async fn fifty_concurrent_calls_for_a_new_tenant_make_one_token_request() {
    let (server, tokens) = store_server().await;
    let client = store_client(&server.uri()).await;
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { job_for(&client, "tenant-new").await })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call succeeds");
    }
    assert_eq!(tokens.count("tenant-new"), 1, "one tenant token request");
    assert_eq!(requests_to(&server, APP_TOKEN_PATH).await.len(), 1);
    assert_eq!(requests_to(&server, JOB_PATH).await.len(), 50);
}

#[tokio::test]
async fn a_slow_tenant_token_does_not_hold_up_other_tenants() {
    let (server, tokens) = store_server().await;
    let client = store_client(&server.uri()).await;
    // The tenant `slow` gets its token after 1 s.
    let slow = {
        let client = client.clone();
        tokio::spawn(async move { job_for(&client, "slow").await })
    };
    while tokens.count("slow") == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for tenant in ["fast-1", "fast-2"] {
        job_for(&client, tenant).await.expect("succeeds");
    }
    assert!(
        !slow.is_finished(),
        "the other tenants were served while `slow` still waited for its token"
    );
    slow.await
        .expect("task")
        .expect("the slow call succeeds too");
}

#[tokio::test]
async fn an_invalid_token_code_refreshes_that_tenants_token_only() {
    for code in error::TOKEN_INVALID_CODES {
        let (server, tokens) = store_server().await;
        Mock::given(method("GET"))
            .and(header("authorization", "Bearer t-tenant-a-1"))
            .respond_with(
                ResponseTemplate::new(400).set_body_json(json!({"code": code, "msg": "expired"})),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        let client = store_client(&server.uri()).await;
        job_for(&client, "tenant-b")
            .await
            .expect("tenant-b succeeds");
        job_for(&client, "tenant-a")
            .await
            .unwrap_or_else(|e| panic!("{code}: tenant-a succeeds after one refresh: {e}"));
        job_for(&client, "tenant-b")
            .await
            .expect("tenant-b succeeds");
        assert_eq!(
            tokens.count("tenant-a"),
            2,
            "{code}: tenant-a refreshed once"
        );
        assert_eq!(
            tokens.count("tenant-b"),
            1,
            "{code}: tenant-b kept its token"
        );
        assert_eq!(
            requests_to(&server, APP_TOKEN_PATH).await.len(),
            1,
            "{code}: the app token is kept"
        );
        assert_eq!(
            bearers(&requests_to(&server, JOB_PATH).await),
            [
                "Bearer t-tenant-b-1",
                "Bearer t-tenant-a-1",
                "Bearer t-tenant-a-2",
                "Bearer t-tenant-b-1"
            ],
            "{code}"
        );
    }
}

#[tokio::test]
async fn a_rejected_app_token_is_renewed_once_when_fetching_a_tenant_token() {
    let (server, tokens) = store_server().await;
    Mock::given(method("POST"))
        .and(path(STORE_TENANT_TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 99991664, "msg": "app access token invalid"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let client = store_client(&server.uri()).await;
    job_for(&client, "tenant-a")
        .await
        .expect("succeeds with a renewed app token");
    assert_eq!(requests_to(&server, APP_TOKEN_PATH).await.len(), 2);
    assert_eq!(tokens.count("tenant-a"), 1);
}

#[tokio::test]
async fn without_a_ticket_feishu_is_asked_to_resend_it() {
    let (server, _) = store_server().await;
    let client = store_builder(&server.uri()).build().expect("builds");
    let err = job_for(&client, "tenant-a")
        .await
        .expect_err("no ticket yet");
    assert!(
        matches!(err, Error::NoAppTicket { resend_error: None }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("no app ticket yet") && message.contains("set_app_ticket"),
        "{message}"
    );
    assert_eq!(
        bodies(&requests_to(&server, APP_TICKET_RESEND_PATH).await),
        vec![json!({"app_id": APP_ID, "app_secret": APP_SECRET})],
        "the resend request"
    );
    assert!(requests_to(&server, APP_TOKEN_PATH).await.is_empty());
    assert!(requests_to(&server, JOB_PATH).await.is_empty());

    // More calls within the backoff share that failure instead of asking again.
    job_for(&client, "tenant-b")
        .await
        .expect_err("still no ticket");
    assert_eq!(requests_to(&server, APP_TICKET_RESEND_PATH).await.len(), 1);

    // The ticket arrives as an event: the next call goes through at once.
    client.set_app_ticket(TICKET).await.expect("kept");
    job_for(&client, "tenant-a")
        .await
        .expect("succeeds with the ticket");
    assert_eq!(requests_to(&server, APP_TOKEN_PATH).await.len(), 1);
}

#[tokio::test]
async fn a_failed_resend_is_reported_with_the_missing_ticket() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(APP_TICKET_RESEND_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 10003, "msg": "invalid app_id"})),
        )
        .mount(&server)
        .await;
    let client = store_builder(&server.uri()).build().expect("builds");
    let err = job_for(&client, "tenant-a").await.expect_err("no ticket");
    let Error::NoAppTicket {
        resend_error: Some(resend),
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(
        matches!(&**resend, Error::Api(api) if api.code == 10003 && api.operation == "app_ticket_resend"),
        "{resend:?}"
    );
    assert!(err.to_string().contains("failed too"), "{err}");
}

#[tokio::test]
async fn an_invalid_ticket_asks_for_a_new_one() {
    let (server, _) = store_server().await;
    let client = store_builder(&server.uri()).build().expect("builds");
    client.set_app_ticket("ticket-expired").await.expect("kept");
    let err = job_for(&client, "tenant-a")
        .await
        .expect_err("the ticket is refused");
    assert!(
        matches!(
            &err,
            Error::Token {
                kind: TokenKind::StoreApp,
                code: 10012,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("app ticket"),
        "the message points at the ticket: {err}"
    );
    assert_eq!(
        requests_to(&server, APP_TICKET_RESEND_PATH).await.len(),
        1,
        "a new ticket was asked for"
    );
}

#[tokio::test]
async fn a_store_app_call_without_a_tenant_key_is_refused_before_sending() {
    let (server, _) = store_server().await;
    let client = store_client(&server.uri()).await;
    for (request, rule) in [
        (client.get_job("6001"), "is missing"),
        (client.get_job("6001").tenant_key(""), "is empty"),
    ] {
        assert_invalid(&server, request.send().await, "tenant_key", rule).await;
    }
    let err = client.get_job("6001").send().await.expect_err("refused");
    assert!(err.to_string().contains(".tenant_key("), "{err}");
}

#[tokio::test]
async fn a_tenant_key_on_a_custom_app_is_refused() {
    let server = MockServer::start().await;
    let result = job_for(&app_client(&server.uri()), "tenant-a").await;
    assert_invalid(&server, result, "tenant_key", "is for store apps only").await;
}

#[tokio::test]
async fn an_operation_the_page_keeps_from_store_apps_is_refused() {
    let (server, _) = store_server().await;
    let client = store_client(&server.uri()).await;
    let err = client
        .list_external_applications("talent-1")
        .tenant_key("tenant-a")
        .send()
        .await
        .expect_err("refused");
    let Error::NotAllowed {
        operation,
        app_type,
        allowed,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*operation, "list_external_applications");
    assert_eq!(*app_type, AppType::Store);
    assert_eq!(*allowed, [AppType::Custom]);
    assert_eq!(
        err.to_string(),
        "list_external_applications: store apps cannot call this operation; its doc page allows custom apps only"
    );
    // The page streams are refused the same way.
    let mut pages = client
        .list_external_applications("talent-1")
        .tenant_key("tenant-a")
        .pages();
    let first = futures_util::StreamExt::next(&mut pages).await;
    assert!(
        matches!(first, Some(Err(Error::NotAllowed { .. }))),
        "{first:?}"
    );
    assert_nothing_sent(&server).await;
}

#[tokio::test]
async fn the_tenant_cache_stays_bounded_over_ten_thousand_tenants() {
    use futures_util::StreamExt;
    let (server, tokens) = store_server().await;
    let client = store_builder(&server.uri())
        .tenant_token_capacity(100)
        .build()
        .expect("builds");
    client.set_app_ticket(TICKET).await.expect("kept");
    let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    futures_util::stream::iter(0..10_000)
        .map(|i| {
            let client = client.clone();
            let most = most.clone();
            async move {
                client
                    .get_job("6001")
                    .tenant_key(format!("tenant-{i}"))
                    .send()
                    .await
                    .expect("succeeds");
                most.fetch_max(
                    client.cached_tenant_tokens(),
                    std::sync::atomic::Ordering::Relaxed,
                );
            }
        })
        .buffer_unordered(8)
        .collect::<()>()
        .await;
    let most = most.load(std::sync::atomic::Ordering::Relaxed);
    // At most the capacity, plus the entries of the calls in flight.
    assert!(most <= 100 + 8, "{most} tenants cached at once");
    assert!(client.cached_tenant_tokens() <= 100);
    assert_eq!(requests_to(&server, APP_TOKEN_PATH).await.len(), 1);
    // The latest tenant is still cached; the first was dropped, and is asked for again.
    job_for(&client, "tenant-9999").await.expect("succeeds");
    assert_eq!(tokens.count("tenant-9999"), 1);
    job_for(&client, "tenant-0").await.expect("succeeds");
    assert_eq!(tokens.count("tenant-0"), 2);
}

#[tokio::test]
async fn store_app_secrets_never_appear_in_debug_errors_or_logs() {
    let (captured, _guard) = capture_logs();
    let server = MockServer::start().await;
    // Every answer echoes what it was sent, as a careless server might.
    Mock::given(method("POST"))
        .and(path(APP_TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "app_access_token": APP_TOKEN, "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(STORE_TENANT_TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 10014,
            "msg": format!("app_access_token {APP_TOKEN} of {APP_SECRET} with ticket {TICKET} is not allowed"),
            "tenant_access_token": "t-tenant-token-value"
        })))
        .mount(&server)
        .await;
    let builder = store_builder(&server.uri());
    let builder_debug = format!("{builder:?}");
    let client = builder.build().expect("builds");
    client.set_app_ticket(TICKET).await.expect("kept");
    let request = client
        .get_job("6001")
        .tenant_key("tenant-a")
        .tenant_access_token("t-per-call-token-value")
        .header("X-Custom-Auth", "header-secret-value");
    let request_debug = format!("{request:?}");
    let err = job_for(&client, "tenant-a")
        .await
        .expect_err("the tenant token is refused");
    assert!(
        matches!(
            &err,
            Error::Token {
                kind: TokenKind::StoreAppTenant,
                code: 10014,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("tenant `tenant-a`"), "{err}");
    let printed = [
        builder_debug,
        format!("{client:?}"),
        request_debug,
        format!("{err:?}"),
        err.to_string(),
        captured.text(),
    ];
    for text in &printed {
        for secret in [
            APP_SECRET,
            TICKET,
            APP_TOKEN,
            "t-tenant-token-value",
            "t-per-call-token-value",
            "header-secret-value",
        ] {
            assert!(!text.contains(secret), "`{secret}` leaked into: {text}");
        }
    }
}

#[tokio::test]
async fn a_failing_ticket_store_is_reported() {
    #[derive(Debug)]
    struct Unreachable;
    impl AppTicketStore for Unreachable {
        fn get<'a>(&'a self, _: &'a str) -> auth::TicketFuture<'a, Option<auth::Secret>> {
            Box::pin(async { Err("the ticket store is unreachable".into()) })
        }
        fn set<'a>(&'a self, _: &'a str, _: auth::Secret) -> auth::TicketFuture<'a, ()> {
            Box::pin(async { Err("the ticket store is read-only".into()) })
        }
    }
    let (server, _) = store_server().await;
    let client = store_builder(&server.uri())
        .app_ticket_store(Unreachable)
        .build()
        .expect("builds");
    let err = job_for(&client, "tenant-a").await.expect_err("no ticket");
    assert!(matches!(err, Error::TicketStore { .. }), "{err:?}");
    assert!(err.to_string().contains("unreachable"), "{err}");
    let err = client.set_app_ticket(TICKET).await.expect_err("read-only");
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[tokio::test]
async fn a_shared_ticket_store_serves_every_client() {
    let (server, _) = store_server().await;
    let shared = Arc::new(MemoryTicketStore::new());
    let receiver = store_builder(&server.uri())
        .app_ticket_store(shared.clone())
        .build()
        .expect("builds");
    let other = store_builder(&server.uri())
        .app_ticket_store(shared)
        .build()
        .expect("builds");
    // The event reaches one instance; the other reads the ticket from the shared store.
    receiver.set_app_ticket(TICKET).await.expect("kept");
    job_for(&other, "tenant-a")
        .await
        .expect("succeeds with the shared ticket");
}

#[tokio::test]
async fn set_app_ticket_on_a_custom_app_is_a_configuration_error() {
    let err = app_client("http://127.0.0.1:9")
        .set_app_ticket(TICKET)
        .await
        .expect_err("not a store app");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
