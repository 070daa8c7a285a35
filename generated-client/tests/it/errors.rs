//! What errors say: a transport failure names its cause (connection refused, TLS, a broken connection) and the
//! server, not only "error sending request"; and calls through a `reqwest::Client` of one's own, with what
//! still holds and what a redirect it follows gives.

use crate::common::client;
use generated_client::Error;
use std::io::{Read, Write};
use std::net::TcpListener;

/// The `Display` of the error a `get_job_config` call to `base_url` ends with.
async fn failure(base_url: &str) -> String {
    let error = client(base_url)
        .get_job_config("6001")
        .send()
        .await
        .expect_err("the call fails");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    error.to_string()
}

#[tokio::test]
async fn a_refused_connection_says_so() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let text = failure(&format!("http://127.0.0.1:{port}")).await;
    assert!(
        text.contains(&format!(
            "could not talk to the server: connection refused to http://127.0.0.1:{port}"
        )),
        "{text}"
    );
    assert!(
        !text.contains("/open-apis"),
        "the path is not quoted: {text}"
    );
}

/// A server on loopback that answers each connection with `answer` (after reading what it can) and closes it.
fn serve(answer: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
            let mut buffer = [0u8; 1024];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(answer);
        }
    });
    port
}

#[tokio::test]
async fn tls_to_a_plain_server_says_tls() {
    let port = serve(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
    let text = failure(&format!("https://127.0.0.1:{port}")).await;
    assert!(text.contains("TLS failed to https://127.0.0.1:"), "{text}");
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_says_so() {
    let port = serve(b"");
    let text = failure(&format!("http://127.0.0.1:{port}")).await;
    assert!(
        text.contains("connection broken to http://127.0.0.1:"),
        "{text}"
    );
}

/// A service's own `reqwest::Client` sends the calls: its headers reach the server, and the client's guarantees
/// that do not depend on it still hold (the per-attempt timeout, the answer size limit).
#[tokio::test]
async fn calls_go_through_a_reqwest_client_of_ones_own() {
    use std::time::Duration;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    let answer = crate::common::response_example("get_job_config");
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/jobs/6001/config"))
        .and(header("x-service", "hiring-sync"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/jobs/slow/config"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-service", "hiring-sync".parse().expect("a header value"));
    let own = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    let client = generated_client::Client::builder()
        .base_url(server.uri())
        .tenant_access_token(crate::common::TOKEN)
        .http_client(own)
        .retry(generated_client::RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("builds");
    let settings = client
        .get_job_config("6001")
        .send()
        .await
        .expect("sent with the own client");
    assert!(settings.job_config.is_some());
    // The attempt timeout is set on each request, whatever the client passed in was built with.
    let started = std::time::Instant::now();
    let error = client
        .get_job_config("slow")
        .send()
        .await
        .expect_err("times out");
    assert!(
        matches!(error, Error::Timeout { deadline: None, .. }),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// A client of one's own that follows redirects: the answer from elsewhere is not taken as Feishu's.
#[tokio::test]
async fn an_answer_an_own_client_reached_by_a_redirect_is_refused() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(crate::common::response_example("get_job_config")),
        )
        .mount(&other)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/hire/v1/jobs/6001/config"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/elsewhere?token=secret", other.uri()),
        ))
        .mount(&server)
        .await;
    let following = reqwest::Client::builder()
        .build()
        .expect("a reqwest client");
    let client = generated_client::Client::builder()
        .base_url(server.uri())
        .tenant_access_token(crate::common::TOKEN)
        .http_client(following)
        .retry(generated_client::RetryPolicy::none())
        .build()
        .expect("builds");
    let error = client
        .get_job_config("6001")
        .send()
        .await
        .expect_err("not taken");
    let Error::Http { location, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        location.as_deref(),
        Some(format!("{}/elsewhere", other.uri()).as_str())
    );
    assert!(!error.to_string().contains("secret"), "{error}");
}
