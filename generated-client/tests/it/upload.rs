//! File uploads (`create_attachment`, a `multipart/form-data` body): a file is streamed from disk, bytes and
//! readers are sent as given, the documented size limit (300 MB) is checked before sending, and a reader is
//! sent once.

use crate::common::*;
use generated_client::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

async fn attachment_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/hire/v1/attachments"))
        .respond_with(ok(
            json!({"id": "3382901186408483126", "name": "resume.pdf"}),
        ))
        .mount(&server)
        .await;
    server
}

/// A file of `len` bytes in the system's temporary folder, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn with(name: &str, write: impl FnOnce(&std::fs::File)) -> TempFile {
        let dir = std::env::temp_dir().join(format!("upload-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder");
        let path = dir.join(name);
        let file = std::fs::File::create(&path).expect("a file");
        write(&file);
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn a_file_is_sent_as_a_named_form_part() {
    let server = attachment_server().await;
    let content = "%PDF-1.4 a resume\n".repeat(1000);
    let file = TempFile::with("resume.pdf", |mut f| {
        std::io::Write::write_all(&mut f, content.as_bytes()).expect("written")
    });
    let data = client(&server.uri())
        .create_attachment(Upload::file(&file.0).content_type("application/pdf"))
        .send()
        .await
        .expect("uploaded");
    assert_eq!(data.id.as_deref(), Some("3382901186408483126"));
    let sent = server.received_requests().await.expect("recorded");
    let request = &sent[0];
    let content_type = request.headers["content-type"].to_str().expect("text");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let body = String::from_utf8_lossy(&request.body);
    assert!(
        body.contains("name=\"content\"; filename=\"resume.pdf\""),
        "{body:.300}"
    );
    assert!(
        body.contains("Content-Type: application/pdf"),
        "{body:.300}"
    );
    assert!(body.contains(&content), "the whole file is sent");
}

#[tokio::test]
async fn a_file_over_the_documented_limit_is_refused_before_sending() {
    let server = attachment_server().await;
    // A sparse file: 300 MB and one byte long, without writing them.
    let file = TempFile::with("big.bin", |f| f.set_len((300 << 20) + 1).expect("sized"));
    let error = client(&server.uri())
        .create_attachment(Upload::file(&file.0))
        .send()
        .await
        .expect_err("too large");
    match &error {
        Error::InvalidRequest {
            parameter, rule, ..
        } => {
            assert_eq!(*parameter, "content");
            assert!(rule.contains("314572801 bytes"), "{rule}");
            assert!(rule.contains("at most 314572800 bytes"), "{rule}");
        }
        other => panic!("{other:?}"),
    }
    assert!(server
        .received_requests()
        .await
        .expect("recorded")
        .is_empty());

    // A reader that says how long it is.
    let declared = Upload::reader("big.bin", std::io::Cursor::new(Vec::new()), Some(301 << 20));
    let error = client(&server.uri())
        .create_attachment(declared)
        .send()
        .await
        .expect_err("too large");
    assert!(
        matches!(
            error,
            Error::InvalidRequest {
                parameter: "content",
                ..
            }
        ),
        "{error}"
    );

    let missing = client(&server.uri())
        .create_attachment(Upload::file("/no/such/file.pdf"))
        .send()
        .await
        .expect_err("no file");
    assert!(
        missing
            .to_string()
            .contains("cannot open /no/such/file.pdf"),
        "{missing}"
    );
    assert!(server
        .received_requests()
        .await
        .expect("recorded")
        .is_empty());
}

#[tokio::test]
async fn a_reader_is_streamed_once() {
    let server = attachment_server().await;
    let reader = std::io::Cursor::new(b"text of a note".to_vec());
    client(&server.uri())
        .create_attachment(Upload::reader("note.txt", reader, None))
        .send()
        .await
        .expect("uploaded");
    let sent = server.received_requests().await.expect("recorded");
    let body = String::from_utf8_lossy(&sent[0].body);
    assert!(body.contains("filename=\"note.txt\""));
    assert!(body.contains("text of a note"));

    // Nothing listens: the first attempt took the reader, so the retry cannot send it again.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let reader = std::io::Cursor::new(b"once".to_vec());
    let error = retrying_client(&format!("http://127.0.0.1:{port}"), 2)
        .create_attachment(Upload::reader("once.txt", reader, Some(4)))
        .send()
        .await
        .expect_err("the reader is gone");
    assert!(
        error.to_string().contains("a reader is sent once"),
        "{error}"
    );
}
