//! What errors say: a transport failure names its cause (connection refused, TLS, a broken connection) and the
//! server, not only "error sending request".

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
