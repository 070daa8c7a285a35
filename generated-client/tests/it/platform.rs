//! Feishu's platform-wide error codes, as a caller meets them: a call answered with one tells which it is, what
//! it means, and for a missing scope, the scopes.

use crate::common::client;
use generated_client::platform::{PlatformCategory, PlatformCode};
use generated_client::Error;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answered_with(status: u16, body: serde_json::Value) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/jobs/6001/config"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    client(&server.uri())
        .get_job_config("6001")
        .send()
        .await
        .expect_err("Feishu refused the call")
}

#[tokio::test]
async fn a_missing_scope_names_the_scopes() {
    let msg = "Access denied. One of the following scopes is required: [hire:job:readonly, hire:job].\
               应用尚未开通所需的应用身份权限：[hire:job:readonly, hire:job]，点击链接申请并开通任一权限即可";
    let error = answered_with(400, json!({"code": 99991672, "msg": msg})).await;
    assert_eq!(error.platform_code(), Some(PlatformCode::MissingScope));
    assert_eq!(error.missing_scopes(), ["hire:job:readonly", "hire:job"]);
    let code = error.platform_code().expect("a platform code");
    assert_eq!(code.category(), PlatformCategory::Scope);
    assert_eq!(code.code(), 99991672);
    assert!(code.meaning().contains("scope"), "{}", code.meaning());
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.platform_code(), Some(PlatformCode::MissingScope));
}

#[tokio::test]
async fn platform_codes_are_told_apart() {
    for (code, expected, category) in [
        (
            99991400,
            PlatformCode::RateLimited,
            PlatformCategory::RateLimit,
        ),
        (
            99991663,
            PlatformCode::InvalidAccessToken,
            PlatformCategory::Token,
        ),
        (
            99991673,
            PlatformCode::AppNotInstalled,
            PlatformCategory::App,
        ),
        (
            99992500,
            PlatformCode::UnknownTenantKey,
            PlatformCategory::Tenant,
        ),
    ] {
        let error = answered_with(400, json!({"code": code, "msg": "refused"})).await;
        assert_eq!(error.platform_code(), Some(expected), "{code}");
        assert_eq!(expected.category(), category, "{code}");
        // Only a missing-scope answer names scopes.
        assert!(error.missing_scopes().is_empty(), "{code}");
    }
}

#[tokio::test]
async fn an_operation_code_is_no_platform_code() {
    let error = answered_with(400, json!({"code": 1002601, "msg": "no job"})).await;
    assert_eq!(error.platform_code(), None);
    assert!(matches!(error, Error::Api(_)), "{error:?}");
}
