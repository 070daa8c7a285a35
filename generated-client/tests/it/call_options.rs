//! Per-call options against a loopback server: a token for one call, extra headers, and a timeout; and
//! `send_with_meta`, the answer's metadata beside its data.

use crate::common::*;
use futures_util::TryStreamExt;
use generated_client::*;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn job_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    server
}

fn bearer(request: &wiremock::Request) -> String {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_per_call_token_is_used_for_that_call_only() {
    let server = job_server().await;
    mount_token(&server, "t-from-app", 7200).await;
    let client = app_client(&server.uri());
    client
        .get_job("6001")
        .tenant_access_token("t-this-call")
        .send()
        .await
        .expect("succeeds");
    assert!(
        requests_to(&server, TOKEN_PATH).await.is_empty(),
        "no token is fetched for a call that brings its own"
    );
    client.get_job("6001").send().await.expect("succeeds");
    client
        .clone()
        .get_job("6001")
        .send()
        .await
        .expect("succeeds");
    let bearers: Vec<String> = requests_to(&server, JOB_PATH)
        .await
        .iter()
        .map(bearer)
        .collect();
    assert_eq!(
        bearers,
        [
            "Bearer t-this-call",
            "Bearer t-from-app",
            "Bearer t-from-app"
        ],
        "the per-call token is neither cached nor shared with the client's clones"
    );
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
}

#[tokio::test]
async fn concurrent_calls_with_and_without_a_per_call_token_do_not_mix() {
    let server = job_server().await;
    mount_token(&server, "t-from-app", 7200).await;
    let client = app_client(&server.uri());
    let calls = (0..40).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            let request = client.get_job("6001").header("X-Call", i.to_string());
            let request = if i % 2 == 0 {
                request.tenant_access_token(format!("t-call-{i}"))
            } else {
                request
            };
            request.send().await
        })
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("succeeds");
    }
    for request in requests_to(&server, JOB_PATH).await {
        let call: u32 = request.headers["x-call"]
            .to_str()
            .expect("text")
            .parse()
            .expect("a number");
        let expected = if call.is_multiple_of(2) {
            format!("Bearer t-call-{call}")
        } else {
            "Bearer t-from-app".to_owned()
        };
        assert_eq!(bearer(&request), expected, "call {call}");
    }
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
}

#[tokio::test]
async fn a_rejected_per_call_token_is_not_refreshed() {
    let server = MockServer::start().await;
    mount_token(&server, "t-from-app", 7200).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"code": 99991663, "msg": "expired"})),
        )
        .mount(&server)
        .await;
    let err = app_client(&server.uri())
        .get_job("6001")
        .tenant_access_token("t-stale")
        .send()
        .await
        .expect_err("rejected");
    assert!(
        matches!(&err, Error::Api(api) if api.code == 99991663),
        "{err:?}"
    );
    assert_eq!(requests_to(&server, JOB_PATH).await.len(), 1, "one attempt");
    assert!(requests_to(&server, TOKEN_PATH).await.is_empty());
}

#[tokio::test]
async fn a_per_call_token_serves_a_store_app_without_a_tenant_key() {
    let server = job_server().await;
    let client = Client::builder()
        .base_url(server.uri())
        .store_app("cli_store", "store-secret")
        .rate_limit(RateLimit::Off)
        .build()
        .expect("builds");
    client
        .get_job("6001")
        .tenant_access_token("t-tenant-given")
        .send()
        .await
        .expect("succeeds without a ticket or a tenant key");
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 1, "no token request");
    assert_eq!(bearer(&requests[0]), "Bearer t-tenant-given");
}

#[tokio::test]
async fn extra_headers_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .and(header("x-request-id", "req-42"))
        .and(header("x-tenant-region", "cn"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    client(&server.uri())
        .get_job("6001")
        .header("X-Request-Id", "req-42")
        .header("x-tenant-region", "cn")
        .send()
        .await
        .expect("the mock matched every header");
}

#[tokio::test]
async fn headers_the_client_sets_or_cannot_send_are_refused_before_sending() {
    let server = job_server().await;
    let client = client(&server.uri());
    let cases = [
        ("Authorization", "Bearer t-other", "is set by the client"),
        ("content-type", "text/plain", "is set by the client"),
        ("Host", "example.com", "is set by the client"),
        ("bad header", "x", "is not a valid header name"),
        ("X-Ok", "line\nbreak", "cannot carry"),
    ];
    for (name, value, rule) in cases {
        let result = client.get_job("6001").header(name, value).send().await;
        assert_invalid(&server, result, "header", rule).await;
    }
    let err = client
        .get_job("6001")
        .header("Authorization", "x")
        .send()
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains(".tenant_access_token("),
        "points at the per-call token: {err}"
    );
}

#[tokio::test]
async fn a_per_call_timeout_applies_to_that_call_only() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(JOB_PATH))
        .respond_with(ok(json!({"job": {"id": "6001"}})).set_delay(Duration::from_millis(800)))
        .mount(&server)
        .await;
    // The client waits up to 5 s.
    let client = client(&server.uri());
    let err = client
        .get_job("6001")
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .expect_err("times out");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    client
        .get_job("6001")
        .send()
        .await
        .expect("the client's own timeout is longer");
}

#[tokio::test]
async fn options_apply_to_every_page_of_a_stream() {
    let server = MockServer::start().await;
    let list = "/open-apis/hire/v1/job_processes";
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("page_token", "p2"))
        .respond_with(ok(json!({"has_more": false, "items": [{"id": "2"}]})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .respond_with(ok(
            json!({"has_more": true, "page_token": "p2", "items": [{"id": "1"}]}),
        ))
        .mount(&server)
        .await;
    let items: Vec<_> = client(&server.uri())
        .list_job_processes()
        .header("X-Request-Id", "walk-1")
        .tenant_access_token("t-walk")
        .items()
        .try_collect()
        .await
        .expect("both pages");
    assert_eq!(items.len(), 2);
    let requests = requests_to(&server, list).await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.headers["x-request-id"], "walk-1");
        assert_eq!(bearer(request), "Bearer t-walk");
    }
}

/// `send_with_meta` gives the same `data` as `send`, with the answer's status, log id and headers.
#[tokio::test]
async fn send_with_meta_gives_the_answer_s_status_log_id_and_headers() {
    let server = MockServer::start().await;
    let answer = response_example("get_job_config");
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/jobs/6001/config"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "20261204-meta")
                .insert_header("x-request-region", "cn")
                .set_body_json(answer),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let plain = client.get_job_config("6001").send().await.expect("sent");
    let with_meta = client
        .get_job_config("6001")
        .send_with_meta()
        .await
        .expect("sent");
    assert_eq!(with_meta.status, 200);
    assert_eq!(with_meta.log_id.as_deref(), Some("20261204-meta"));
    assert_eq!(
        with_meta
            .headers
            .get("x-request-region")
            .map(|v| v.as_bytes()),
        Some(&b"cn"[..])
    );
    assert_eq!(format!("{:?}", with_meta.into_data()), format!("{plain:?}"));
}

/// A user access token goes to the operations whose page allows one, and is refused, before sending, by the
/// others; an operation that takes both kinds takes the client's tenant token too.
#[tokio::test]
async fn a_user_access_token_is_sent_only_where_the_page_allows_one() {
    assert_eq!(
        ListInterviewRecordsV2Request::OPERATION.token_types,
        [TokenType::Tenant, TokenType::User]
    );
    assert_eq!(GetJobRequest::OPERATION.token_types, [TokenType::Tenant]);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(json!({"items": [], "has_more": false})))
        .mount(&server)
        .await;
    let client = client(&server.uri());

    client
        .list_interview_records_v2()
        .user_access_token("u-user-token")
        .send()
        .await
        .expect("a user token is taken");
    client
        .list_interview_records_v2()
        .send()
        .await
        .expect("so is the client's tenant token");
    let sent = server.received_requests().await.expect("recorded");
    assert_eq!(bearer(&sent[0]), "Bearer u-user-token");
    assert_eq!(bearer(&sent[1]), format!("Bearer {TOKEN}"));

    let refused = client
        .get_job_config("6001")
        .user_access_token("u-user-token")
        .send()
        .await
        .expect_err("get_job_config takes a tenant token only");
    match &refused {
        Error::InvalidRequest {
            operation,
            parameter,
            rule,
        } => {
            assert_eq!(*operation, "get_job_config");
            assert_eq!(*parameter, "user_access_token");
            assert!(rule.contains("does not take a user access token"), "{rule}");
            assert!(rule.contains("tenant access token"), "{rule}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(refused.attempts(), 0);
    assert_eq!(
        server.received_requests().await.expect("recorded").len(),
        2,
        "nothing sent"
    );
}
