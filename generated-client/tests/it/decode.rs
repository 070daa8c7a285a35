//! Answers that do not decode or do not fit: the JSON path, the excerpt and what an error may quote; the size
//! limit, compressed answers, a compression bomb and a body that trickles in past the timeout.

use flate2::write::GzEncoder;
use flate2::Compression;
use generated_client::*;
use serde_json::json;
use std::io::Write;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn malformed_answers_are_decode_errors() {
    let cases: [(&str, &str, &str); 5] = [
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
        // An object is never read from an array of its fields in order.
        (
            "an object written as an array",
            r#"{"code": 0, "msg": "ok", "data": {"job": ["6001", "Engineer"]}}"#,
            "data.job",
        ),
    ];
    for (what, body, at) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        let err = crate::common::client(&server.uri())
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

#[test]
fn objects_are_read_field_by_field() {
    let body = br#"{"code": 0, "msg": "ok", "data": {"job": {
        "id": "1", "unknown": {"deep": [1, {"x": null}]}, "title": null, "id": "2", "description": "d\u00e9"
    }}}"#;
    let data: GetJobData = decode_answer("get_job", 200, body).expect("decodes");
    let job = data.job.expect("a job");
    // Unknown fields are skipped, `null` is absent, a repeated key keeps its last value, escapes are read.
    assert_eq!(job.id.as_deref(), Some("2"));
    assert_eq!(job.title, None);
    assert_eq!(job.description.as_deref(), Some("dé"));
    assert_eq!(job.code, None);

    let err = decode_answer::<GetJobData>(
        "get_job",
        200,
        br#"{"code": 0, "msg": "ok", "data": {"job": {"id": 6001}}}"#,
    )
    .expect_err("a number where a string belongs");
    let Error::Decode { path, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "data.job.id");
    assert!(message.contains("expected a string"), "{message}");
    let err = decode_answer::<GetJobData>("get_job", 200, br#"{"code": 0, "data": {"job": "x"}}"#)
        .expect_err("a string where an object belongs");
    assert!(err.to_string().contains("expected struct Job"), "{err}");
}

async fn serve(body: impl Into<Vec<u8>>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

/// A body whose start holds a person's name and whose failure is far from it.
fn body_failing_far_from_the_start() -> String {
    let padding = "x".repeat(300);
    format!(
        r#"{{"code": 0, "msg": "ok", "data": {{"job": {{"title": "Zhang San, +86 138 0000 0000", "description": "{padding}", "id": 6001}}}}}}"#
    )
}

#[tokio::test]
async fn a_decode_error_quotes_a_window_around_the_failure() {
    let server = serve(body_failing_far_from_the_start()).await;
    let err = crate::common::client(&server.uri())
        .get_job("6001")
        .send()
        .await
        .expect_err("id is a number");
    let Error::Decode {
        path,
        excerpt: Some(excerpt),
        ..
    } = &err
    else {
        panic!("expected a decode error with an excerpt, got {err:?}")
    };
    assert_eq!(path, "data.job.id");
    assert!(excerpt.contains(r#""id": 6001"#), "{excerpt}");
    assert!(excerpt.chars().count() <= 82, "{excerpt}");
    assert!(!err.to_string().contains("Zhang San"), "{err}");
}

#[tokio::test]
async fn excerpts_can_be_switched_off() {
    let server =
        serve(r#"{"code": 0, "data": {"job": {"id": 6001, "title": ["Zhang San"]}}}"#).await;
    let quiet = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t")
        .rate_limit(RateLimit::Off)
        .error_excerpts(false);
    let err = quiet
        .build()
        .expect("builds")
        .get_job("6001")
        .send()
        .await
        .expect_err("id is a number");
    let Error::Decode {
        path,
        excerpt,
        message,
        ..
    } = &err
    else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!((path.as_str(), excerpt), ("data.job.id", &None));
    assert!(message.starts_with("invalid type: integer"), "{message}");

    let server = serve(r#"{"code": 0, "data": {"job": {"title": 5, "id": "Zhang San"}}}"#).await;
    let client = |excerpts: bool| {
        Client::builder()
            .base_url(server.uri())
            .tenant_access_token("t")
            .rate_limit(RateLimit::Off)
            .error_excerpts(excerpts)
            .build()
            .expect("builds")
    };
    let loud = client(true)
        .get_job("6001")
        .send()
        .await
        .expect_err("title is a string");
    assert!(loud.to_string().contains("near:"), "{loud}");
    let quiet = client(false)
        .get_job("6001")
        .send()
        .await
        .expect_err("title is a string");
    for text in [quiet.to_string(), format!("{quiet:?}")] {
        assert!(
            !text.contains("Zhang San") && !text.contains("near:"),
            "{text}"
        );
    }

    let page = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Zhang San's proxy</html>"))
        .mount(&page)
        .await;
    let err = Client::builder()
        .base_url(page.uri())
        .tenant_access_token("t")
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .error_excerpts(false)
        .build()
        .expect("builds")
        .get_job("6001")
        .send()
        .await
        .expect_err("502");
    assert!(
        matches!(
            &err,
            Error::Http {
                status: 502,
                excerpt: None,
                ..
            }
        ),
        "{err:?}"
    );
}

fn limited(base_url: &str, limit: usize) -> Client {
    Client::builder()
        .base_url(base_url)
        .tenant_access_token("t")
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .max_response_bytes(limit)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("builds")
}

#[tokio::test]
async fn an_answer_over_the_limit_is_refused() {
    let example = serde_json::to_vec(&crate::common::response_example("get_job")).expect("json");
    let server = serve(example.clone()).await;
    limited(&server.uri(), example.len())
        .get_job("6001")
        .send()
        .await
        .expect("an answer of exactly the limit is read");
    let err = limited(&server.uri(), example.len() - 1)
        .get_job("6001")
        .send()
        .await
        .expect_err("one byte over");
    assert!(
        matches!(
            &err,
            Error::TooLarge {
                operation: "get_job",
                status: Some(200),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("max_response_bytes"), "{err}");
    let zero = Client::builder()
        .tenant_access_token("t")
        .max_response_bytes(0)
        .build();
    assert!(matches!(zero, Err(Error::Config(_))));
}

/// A loopback server that answers one request with `head` and then the `chunks`, `pause` apart.
async fn raw_server(head: &'static str, chunks: Vec<Vec<u8>>, pause: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for chunk in chunks {
            tokio::time::sleep(pause).await;
            if socket.write_all(&chunk).await.is_err() {
                return; // The client stopped reading.
            }
        }
    });
    format!("http://{address}")
}

fn chunked(data: &[u8]) -> Vec<u8> {
    let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(b"\r\n");
    chunk
}

/// A streamed answer without a length is cut off at the limit, long before its end.
#[tokio::test]
async fn a_streamed_answer_is_cut_off_at_the_limit() {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    // 1,000 chunks of 64 KiB, 64 MB in all; the limit is 256 KiB.
    let chunks = (0..1000).map(|_| chunked(&[b' '; 65536])).collect();
    let base_url = raw_server(head, chunks, Duration::ZERO).await;
    let err = limited(&base_url, 256 * 1024)
        .get_job("6001")
        .send()
        .await
        .expect_err("too large");
    assert!(
        matches!(&err, Error::TooLarge { limit: 262144, .. }),
        "{err:?}"
    );
}

/// A body that keeps arriving, a byte at a time, is a timeout, not a wait without end.
#[tokio::test]
async fn a_body_that_trickles_in_past_the_timeout_is_a_timeout() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
    let chunks = (0..1000).map(|_| b" ".to_vec()).collect();
    let base_url = raw_server(head, chunks, Duration::from_millis(50)).await;
    let client = Client::builder()
        .base_url(base_url)
        .tenant_access_token("t")
        .rate_limit(RateLimit::Off)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(500))
        .build()
        .expect("builds");
    let started = std::time::Instant::now();
    let err = client.get_job("6001").send().await.expect_err("times out");
    assert!(
        matches!(
            &err,
            Error::Timeout {
                operation: "get_job",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).expect("compress");
    encoder.finish().expect("compress")
}

/// The client asks for gzip and decodes a compressed answer.
#[tokio::test]
async fn compressed_answers_are_accepted() {
    let example = crate::common::response_example("get_job");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("accept-encoding", "gzip"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(
                    gzip(&serde_json::to_vec(&example).expect("json")),
                    "application/json",
                ),
        )
        .mount(&server)
        .await;
    let job = crate::common::client(&server.uri())
        .get_job("6001")
        .send()
        .await
        .expect("decoded");
    assert_eq!(json!(job), example["data"]);
}

/// A small compressed answer that inflates past the limit is refused once the limit is passed.
#[tokio::test]
async fn a_compression_bomb_is_refused_early() {
    let inflated = vec![b' '; 32 * 1024 * 1024];
    let bomb = gzip(&inflated);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(bomb, "application/json"),
        )
        .mount(&server)
        .await;
    let err = limited(&server.uri(), 1024 * 1024)
        .get_job("6001")
        .send()
        .await
        .expect_err("too large once inflated");
    assert!(
        matches!(&err, Error::TooLarge { limit: 1048576, .. }),
        "{err:?}"
    );
}
