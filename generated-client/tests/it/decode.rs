//! Answers that do not decode or do not fit: the JSON path, the excerpt and what an error may quote; the size
//! limit, compressed answers, a compression bomb and a body that trickles in past the timeout. And numbers
//! that do not keep to their documented types: read as the type says, with one warning per path.

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
        br#"{"code": 0, "msg": "ok", "data": {"job": {"id": true}}}"#,
    )
    .expect_err("a boolean where a string belongs");
    let Error::Decode { path, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "data.job.id");
    assert!(message.contains("expected a string"), "{message}");
    let err = decode_answer::<GetJobData>("get_job", 200, br#"{"code": 0, "data": {"job": "x"}}"#)
        .expect_err("a string where an object belongs");
    assert!(err.to_string().contains("expected struct Job"), "{err}");
}

/// How many warnings `logs` holds about the value at `path`.
fn warnings_at(logs: &str, path: &str) -> usize {
    logs.lines()
        .filter(|line| line.contains("WARN") && line.contains(&format!("path=\"{path}\"")))
        .count()
}

#[test]
fn odd_numbers_are_read_as_their_documented_types_with_one_warning_per_path() {
    let (captured, _guard) = crate::common::capture_logs();
    // A numeric id, integers as strings and as integral floats, an int64 as a string, integer enums alike.
    let body = br#"{"code": 0, "msg": "ok", "data": {"job": {
        "id": 6952811314255265796, "head_count": "3", "min_salary": 3.0, "max_salary": 7,
        "create_time": "1617170925462", "update_time": 1617170925462.0, "expiry_time": "-9223372036854775808",
        "active_status": "2", "job_attribute": 1.0, "title": "Engineer", "create_timestamp": 1617170925462
    }}}"#;
    for _ in 0..3 {
        let data: GetJobData = decode_answer("lenient_job", 200, body).expect("decodes");
        let job = data.job.expect("a job");
        assert_eq!(job.id.as_deref(), Some("6952811314255265796"));
        assert_eq!(
            (job.head_count, job.min_salary, job.max_salary),
            (Some(3), Some(3), Some(7))
        );
        assert_eq!(job.create_time, Some(1_617_170_925_462));
        assert_eq!(job.update_time, Some(1_617_170_925_462));
        assert_eq!(job.expiry_time, Some(i64::MIN));
        assert_eq!(job.active_status, Some(ActiveStatus::Disabled));
        assert_eq!(job.job_attribute, Some(JobAttribute::Physical));
        assert_eq!(job.create_timestamp.as_deref(), Some("1617170925462"));
        assert_eq!(job.title.as_deref(), Some("Engineer"));
    }
    let logs = captured.text();
    for path in [
        "data.job.id",
        "data.job.head_count",
        "data.job.min_salary",
        "data.job.create_time",
        "data.job.update_time",
        "data.job.expiry_time",
        "data.job.active_status",
        "data.job.job_attribute",
        "data.job.create_timestamp",
    ] {
        assert_eq!(warnings_at(&logs, path), 1, "{path}:\n{logs}");
        assert!(logs.contains("operation=\"lenient_job\""), "{logs}");
    }
    assert_eq!(
        warnings_at(&logs, "data.job.max_salary"),
        0,
        "a number in place"
    );
    assert_eq!(warnings_at(&logs, "data.job.title"), 0, "a string in place");

    // Another operation is warned about on its own.
    let _: GetJobData = decode_answer("lenient_job_again", 200, body).expect("decodes");
    assert_eq!(
        captured
            .text()
            .lines()
            .filter(|l| l.contains("lenient_job_again"))
            .count(),
        9
    );
}

#[test]
fn lists_and_serde_derived_structs_are_read_leniently_too() {
    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    struct Probe {
        counts: Vec<i32>,
        total: i64,
        small: Option<u8>,
        name: String,
        ids: Vec<String>,
        nested: Vec<Vec<u64>>,
    }
    let (captured, _guard) = crate::common::capture_logs();
    let body = br#"{"code": 0, "data": {"counts": ["1", 2.0, 3], "total": "-42", "small": "255", "name": 12,
        "ids": [1, "2", 18446744073709551615], "nested": [["7"], [8.0]]}}"#;
    let probe: Probe = decode_answer("lenient_probe", 200, body).expect("decodes");
    assert_eq!(
        probe,
        Probe {
            counts: vec![1, 2, 3],
            total: -42,
            small: Some(255),
            name: "12".to_owned(),
            ids: vec!["1".to_owned(), "2".to_owned(), u64::MAX.to_string()],
            nested: vec![vec![7], vec![8]],
        }
    );
    let logs = captured.text();
    // List items share one path: one warning each, whatever the index.
    for path in [
        "data.counts[]",
        "data.total",
        "data.small",
        "data.name",
        "data.ids[]",
        "data.nested[][]",
    ] {
        assert_eq!(warnings_at(&logs, path), 1, "{path}:\n{logs}");
    }
}

#[test]
fn values_that_are_not_the_documented_number_stay_decode_errors() {
    let (captured, _guard) = crate::common::capture_logs();
    let cases: [(&str, &str, &str); 9] = [
        (
            r#""head_count": "abc""#,
            "data.job.head_count",
            "string \"abc\", expected i32",
        ),
        (
            r#""head_count": 3.5"#,
            "data.job.head_count",
            "floating point `3.5`, expected i32",
        ),
        (
            r#""head_count": 2147483648"#,
            "data.job.head_count",
            "integer `2147483648`, expected i32",
        ),
        (
            r#""head_count": "2147483648""#,
            "data.job.head_count",
            "integer `2147483648`, expected i32",
        ),
        (
            r#""head_count": "3.0""#,
            "data.job.head_count",
            "expected i32",
        ),
        (
            r#""head_count": " 3""#,
            "data.job.head_count",
            "expected i32",
        ),
        (
            r#""create_time": "9223372036854775808""#,
            "data.job.create_time",
            "expected i64",
        ),
        (
            r#""active_status": "enabled""#,
            "data.job.active_status",
            "expected i64",
        ),
        (
            r#""id": 60.5"#,
            "data.job.id",
            "floating point `60.5`, expected a string",
        ),
    ];
    for (field, at, says) in cases {
        let body = format!(r#"{{"code": 0, "data": {{"job": {{"title": "x", {field}}}}}}}"#);
        let err =
            decode_answer::<GetJobData>("lenient_refused", 200, body.as_bytes()).expect_err(field);
        let Error::Decode { path, message, .. } = &err else {
            panic!("{field}: expected a decode error, got {err:?}")
        };
        assert_eq!(path, at, "{field}");
        assert!(message.contains(says), "{field}: {message}");
    }
    assert!(
        !captured.text().contains("lenient_refused"),
        "nothing was read leniently"
    );
}

#[tokio::test]
async fn an_odd_number_does_not_end_an_item_stream() {
    let (captured, _guard) = crate::common::capture_logs();
    let server = MockServer::start().await;
    let page = |ids: [u64; 2], token: Option<&str>| {
        let mut data = json!({
            "has_more": token.is_some(),
            "items": [{"id": ids[0], "stage_list": [{"id": "s", "type": "1"}]}, {"id": ids[1]}],
        });
        if let Some(token) = token {
            data["page_token"] = json!(token);
        }
        ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok", "data": data}))
    };
    Mock::given(method("GET"))
        .and(wiremock::matchers::query_param_is_missing("page_token"))
        .respond_with(page([1, 2], Some("p2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::query_param("page_token", "p2"))
        .respond_with(page([3, 4], None))
        .mount(&server)
        .await;
    let ids: Vec<String> =
        futures_util::TryStreamExt::try_collect(futures_util::TryStreamExt::map_ok(
            crate::common::client(&server.uri())
                .list_job_processes()
                .items(),
            |process| process.id.unwrap_or_default(),
        ))
        .await
        .expect("every page decodes");
    assert_eq!(ids, ["1", "2", "3", "4"]);
    let logs = captured.text();
    assert_eq!(warnings_at(&logs, "data.items[].id"), 1, "{logs}");
    assert_eq!(
        warnings_at(&logs, "data.items[].stage_list[].type"),
        1,
        "{logs}"
    );
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
        r#"{{"code": 0, "msg": "ok", "data": {{"job": {{"title": "Zhang San, +86 138 0000 0000", "description": "{padding}", "id": true}}}}}}"#
    )
}

#[tokio::test]
async fn a_decode_error_quotes_a_window_around_the_failure() {
    let server = serve(body_failing_far_from_the_start()).await;
    let err = crate::common::client(&server.uri())
        .get_job("6001")
        .send()
        .await
        .expect_err("id is a boolean");
    let Error::Decode {
        path,
        excerpt: Some(excerpt),
        ..
    } = &err
    else {
        panic!("expected a decode error with an excerpt, got {err:?}")
    };
    assert_eq!(path, "data.job.id");
    assert!(excerpt.contains(r#""id": true"#), "{excerpt}");
    assert!(excerpt.chars().count() <= 82, "{excerpt}");
    assert!(!err.to_string().contains("Zhang San"), "{err}");
}

#[tokio::test]
async fn excerpts_can_be_switched_off() {
    let server =
        serve(r#"{"code": 0, "data": {"job": {"id": 60.5, "title": ["Zhang San"]}}}"#).await;
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
        .expect_err("id is a float");
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
    assert!(
        message.starts_with("invalid type: floating point"),
        "{message}"
    );

    let server = serve(r#"{"code": 0, "data": {"job": {"title": 5.5, "id": "Zhang San"}}}"#).await;
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
