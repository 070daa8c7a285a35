//! Shared by the examples: a client for real Feishu when `FEISHU_APP_ID` and `FEISHU_APP_SECRET` are set,
//! otherwise a local mock server that answers every operation with the spec's documented example, and the
//! token requests of custom and store apps.

#![allow(dead_code)]

use generated_client::Client;
use serde_json::{json, Value};
use std::path::PathBuf;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Where the example's calls go; keeps the mock server alive while the example runs.
pub struct Target {
    pub client: Client,
    _mock: Option<MockServer>,
}

/// A client for real Feishu (`FEISHU_APP_ID`, `FEISHU_APP_SECRET`, optional `FEISHU_BASE_URL`), or for a local
/// mock that serves the spec's examples.
pub async fn target() -> Result<Target, Box<dyn std::error::Error>> {
    if let (Ok(app_id), Ok(app_secret)) = (
        std::env::var("FEISHU_APP_ID"),
        std::env::var("FEISHU_APP_SECRET"),
    ) {
        let base_url = std::env::var("FEISHU_BASE_URL")
            .unwrap_or_else(|_| generated_client::FEISHU_BASE_URL.to_owned());
        println!("calling {base_url} as app {app_id}");
        let client = Client::builder()
            .base_url(base_url)
            .app_credentials(app_id, app_secret)
            .build()?;
        return Ok(Target {
            client,
            _mock: None,
        });
    }
    let mock = serve_spec_examples().await?;
    println!("FEISHU_APP_ID/FEISHU_APP_SECRET not set: calling a local mock at {} that serves the spec's examples", mock.uri());
    let client = Client::builder()
        .base_url(mock.uri())
        .app_credentials("cli_example", "example-secret")
        .build()?;
    Ok(Target {
        client,
        _mock: Some(mock),
    })
}

/// Answers a store app's tenant token request with `t-mock-<tenant_key>`.
struct TenantTokens;

impl Respond for TenantTokens {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        match body["tenant_key"].as_str() {
            Some(tenant) => ResponseTemplate::new(200).set_body_json(json!({
                "code": 0, "msg": "ok", "tenant_access_token": format!("t-mock-{tenant}"), "expire": 7200
            })),
            None => ResponseTemplate::new(400)
                .set_body_json(json!({"code": 10002, "msg": "tenant_key is missing"})),
        }
    }
}

/// Starts a loopback server answering the token endpoints and each operation of the spec with its example.
/// Paginated examples say `has_more: true`; the mock ends the walk by answering `has_more: false` to a request
/// that carries a page token.
pub async fn serve_spec_examples() -> Result<MockServer, Box<dyn std::error::Error>> {
    use generated_client::auth::{
        APP_TICKET_RESEND_PATH, APP_TOKEN_PATH, STORE_TENANT_TOKEN_PATH, TENANT_TOKEN_PATH,
    };
    let spec_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/hire_v1.yaml");
    // The spec as `cargo xtask gen` reads it.
    let spec = codegen::read_file(
        "spec/hire_v1.yaml",
        &spec_path,
        codegen::DraftLabels::Refused,
    )?
    .api;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TENANT_TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": "t-mock", "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(APP_TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "app_access_token": "a-mock", "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(STORE_TENANT_TOKEN_PATH))
        .respond_with(TenantTokens)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(APP_TICKET_RESEND_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&server)
        .await;
    for op in &spec.operations {
        // `/jobs/{job_id}` becomes the pattern `^/jobs/[^/]+$`.
        let mut pattern = String::from("^");
        for part in op.path.split('/').filter(|p| !p.is_empty()) {
            pattern.push('/');
            pattern.push_str(if part.starts_with('{') { "[^/]+" } else { part });
        }
        pattern.push('$');
        let example = op.examples.answer.clone().unwrap_or_default();
        let mut last_page = example.clone();
        if last_page["data"].get("has_more").is_some() {
            last_page["data"]["has_more"] = json!(false);
        }
        Mock::given(method(op.method.as_str()))
            .and(path_regex(pattern.as_str()))
            .and(wiremock::matchers::query_param_is_missing("page_token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(example))
            .mount(&server)
            .await;
        Mock::given(method(op.method.as_str()))
            .and(path_regex(pattern.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(last_page))
            .mount(&server)
            .await;
    }
    Ok(server)
}
