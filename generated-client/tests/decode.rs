//! Answers that do not decode: the JSON path, the excerpt, and what an error may quote.

mod common;

use generated_client::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

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
        assert!(excerpt.as_deref().is_some_and(|e| !e.is_empty()), "{what}");
    }
}
