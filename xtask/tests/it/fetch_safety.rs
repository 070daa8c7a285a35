//! `cargo xtask docs fetch` writes only inside its folder: operation keys that are paths, an `--out` that
//! resolves into the tracked tree, over-size and endless pages, redirects to another host and HTML behind a
//! byte-order mark are refused, and a failed fetch leaves the earlier file as it was. Every case runs the binary
//! against a loopback server.

use crate::docs::{audit, recorded_workspace, request_path, stderr, stdout, xtask, WIDGETS_PATH};
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// The largest page `docs fetch` saves.
const CAP: u64 = xtask::fetch::MAX_PAGE_BYTES;

/// A loopback server for `connections` connections: `answer` writes the whole answer to a request for a path,
/// and returns how many body bytes it sent. The thread returns the sum.
struct Server {
    url: String,
    /// How many requests it received.
    requests: Arc<AtomicUsize>,
    thread: JoinHandle<u64>,
}

fn serve(
    connections: usize,
    answer: impl Fn(&str, &mut TcpStream) -> u64 + Send + 'static,
) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    let thread = std::thread::spawn(move || {
        let mut sent = 0;
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            let path = request_path(&stream);
            counted.fetch_add(1, Ordering::SeqCst);
            sent += answer(&path, &mut stream);
        }
        sent
    });
    Server {
        url: format!("http://{address}"),
        requests,
        thread,
    }
}

/// Writes an answer with a known length; returns the body's size.
fn answer(stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]) -> u64 {
    let head = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body));
    body.len() as u64
}

fn markdown(stream: &mut TcpStream, body: &[u8]) -> u64 {
    answer(stream, "200 OK", "Content-Type: text/markdown\r\n", body)
}

fn widgets(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("widgets.md")).expect("readable")
}

/// `docs fetch` of the recorded pages from `server` into `out`.
fn fetch_into(dir: &Path, server: &str, out: &Path) -> Output {
    xtask(
        &[
            "docs",
            "fetch",
            "--spec",
            "spec.yaml",
            "--base-url",
            server,
            "--out",
            out.to_str().expect("UTF-8 path"),
        ],
        dir,
    )
}

/// The names in `dir`, sorted: no temporary file may be left.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Renames the lock file's key `from` to `to`.
fn rename_key(dir: &Path, from: &str, to: &str) {
    let path = dir.join("spec.pages.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("JSON");
    let operations = record["operations"].as_object_mut().expect("operations");
    let page = operations.remove(from).expect("recorded");
    operations.insert(to.to_owned(), page);
    std::fs::write(&path, serde_json::to_string_pretty(&record).expect("JSON")).expect("written");
}

#[test]
fn a_key_that_is_a_path_is_refused_and_nothing_outside_the_folder_is_written() {
    let dir = recorded_workspace();
    let readme = dir.path().join("README.md");
    std::fs::write(&readme, "# Our own words\n").expect("written");
    let absolute = dir.path().join("absolute");
    let absolute_key = absolute.to_str().expect("UTF-8 path").to_owned();
    for key in ["../../README", absolute_key.as_str()] {
        rename_key(dir.path(), "list_widgets", key);
        let page = widgets(dir.path());
        let server = serve(3, move |_, stream| markdown(stream, page.as_bytes()));
        // `../../README` from this folder is the README above.
        let out = dir.path().join("target/doc-pages");
        for task in ["fetch", "check"] {
            let mut args = vec![
                "docs",
                task,
                "--spec",
                "spec.yaml",
                "--base-url",
                &server.url,
            ];
            args.extend(["--out", out.to_str().expect("UTF-8 path")]);
            let output = xtask(&args, dir.path());
            assert_eq!(output.status.code(), Some(2), "{key}: {}", stderr(&output));
            let expected = format!(
                "spec.pages.json:3: operation key `{key}` is not an identifier ([a-z][a-z0-9_]*)"
            );
            assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
        }
        // So does the audit, which reads the same file.
        let audited = audit(dir.path(), &["widgets.md"]);
        assert_eq!(audited.status.code(), Some(2), "{}", stdout(&audited));
        assert_eq!(server.requests.load(Ordering::SeqCst), 0);
        assert_eq!(
            std::fs::read_to_string(&readme).expect("readable"),
            "# Our own words\n"
        );
        assert!(!absolute.with_extension("md").exists());
        assert!(!out.exists());
        rename_key(dir.path(), key, "list_widgets");
    }
}

#[test]
fn record_never_writes_a_key_that_is_a_path() {
    let dir = recorded_workspace();
    let before = std::fs::read_to_string(dir.path().join("spec.pages.json")).expect("readable");
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("readable");
    assert!(spec.contains("operationId: list_widgets\n"));
    std::fs::write(
        dir.path().join("spec.yaml"),
        spec.replace("operationId: list_widgets\n", "operationId: ../../README\n"),
    )
    .expect("written");
    let output = audit(dir.path(), &["--record", "widgets.md"]);
    assert_ne!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("../../README"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("spec.pages.json")).expect("readable"),
        before
    );
}

/// A symlink of the project's `target/` folder, removed when dropped.
struct Link(std::path::PathBuf);

impl Drop for Link {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(unix)]
#[test]
fn an_out_folder_that_resolves_into_the_tracked_tree_is_refused() {
    let root = std::fs::canonicalize(xtask::project_root()).expect("resolved");
    let target = root.join("target");
    std::fs::create_dir_all(&target).expect("target folder");
    let link = Link(target.join(format!("pages-link-{}", std::process::id())));
    std::os::unix::fs::symlink("../spec", &link.0).expect("linked");
    let dir = recorded_workspace();
    let page = widgets(dir.path());
    let server = serve(4, move |_, stream| markdown(stream, page.as_bytes()));
    let spec_page = root.join("spec/list_widgets.md");
    let through_dots = target.join("no-such-folder/../../spec");
    for out in [link.0.join("pages"), link.0.clone(), through_dots] {
        let output = fetch_into(dir.path(), &server.url, &out);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let expected = format!(
            "{}: {}/spec{}): pages are not written inside the repository",
            out.display(),
            root.display(),
            if out.ends_with("pages") { "/pages" } else { "" }
        );
        assert!(
            stderr(&output).contains(&expected.replacen(": ", " (which resolves to ", 1)),
            "{}",
            stderr(&output)
        );
        assert!(!spec_page.exists());
        assert!(!root.join("spec/pages").exists());
        assert!(!target.join("no-such-folder").exists());
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);

    // A page file that is a symlink is not written through, nor replaced.
    let out = dir.path().join("fetched");
    std::fs::create_dir(&out).expect("created");
    let victim = dir.path().join("victim.md");
    std::fs::write(&victim, "ours\n").expect("written");
    std::os::unix::fs::symlink(&victim, out.join("list_widgets.md")).expect("linked");
    let output = fetch_into(dir.path(), &server.url, &out);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("list_widgets.md: is a symlink"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("readable"),
        "ours\n"
    );
    assert!(std::fs::symlink_metadata(out.join("list_widgets.md"))
        .expect("still there")
        .file_type()
        .is_symlink());
}

/// A folder for fetched pages holding an earlier `list_widgets.md`.
fn earlier_page(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("fetched");
    std::fs::create_dir(&out).expect("created");
    std::fs::write(out.join("list_widgets.md"), "earlier\n").expect("written");
    out
}

fn assert_earlier_page_kept(out: &Path) {
    assert_eq!(names(out), ["list_widgets.md"]);
    assert_eq!(
        std::fs::read_to_string(out.join("list_widgets.md")).expect("readable"),
        "earlier\n"
    );
}

#[test]
fn an_over_size_page_is_refused_with_its_size() {
    let dir = recorded_workspace();
    let out = earlier_page(dir.path());
    let size = CAP + 1;
    let server = serve(1, move |_, stream| {
        let body = "# big\n".repeat(usize::try_from(size).expect("small") / 6 + 1);
        markdown(
            stream,
            &body.as_bytes()[..usize::try_from(size).expect("small")],
        )
    });
    let output = fetch_into(dir.path(), &server.url, &out);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let expected = format!(
        "list_widgets: {}{WIDGETS_PATH}: the page is {size} bytes, and a page may have at most {CAP} bytes",
        server.url
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert_earlier_page_kept(&out);
}

#[test]
fn an_endless_page_is_cut_off_at_the_cap() {
    let dir = recorded_workspace();
    let out = earlier_page(dir.path());
    // No length: the body runs until the client hangs up (or, at worst, 1 GiB).
    let server = serve(1, |_, stream| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\nConnection: close\r\n\r\n";
        let chunk = "# again\n".repeat(8192);
        let mut sent = 0;
        if stream.write_all(head.as_bytes()).is_ok() {
            while sent < 1 << 30 && stream.write_all(chunk.as_bytes()).is_ok() {
                sent += chunk.len() as u64;
            }
        }
        sent
    });
    let output = fetch_into(dir.path(), &server.url, &out);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let expected = format!(
        "list_widgets: {}{WIDGETS_PATH}: the page is more than {CAP} bytes, and a page may have at most {CAP} bytes",
        server.url
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert_earlier_page_kept(&out);
    // The client stopped reading at the cap: what the server got out is the cap and the sockets' buffers.
    let sent = server.thread.join().expect("the server ends");
    assert!(sent < 64 << 20, "the server sent {sent} bytes");
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let dir = recorded_workspace();
    let out = earlier_page(dir.path());
    let page = widgets(dir.path());
    let elsewhere = serve(1, move |_, stream| markdown(stream, page.as_bytes()));
    let port = elsewhere.url.rsplit(':').next().expect("a port").to_owned();
    let target = format!("http://localhost:{port}{WIDGETS_PATH}");
    let location = format!("Location: {target}\r\n");
    let server = serve(1, move |_, stream| {
        answer(stream, "302 Found", &location, b"")
    });
    let output = fetch_into(dir.path(), &server.url, &out);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let expected = format!(
        "list_widgets: {}{WIDGETS_PATH}: redirected to {target}, on another host than {}{WIDGETS_PATH}: not followed",
        server.url, server.url
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert_eq!(elsewhere.requests.load(Ordering::SeqCst), 0);
    assert_earlier_page_kept(&out);

    // A redirect on the same host is followed, and the log names where the page was read.
    let page = widgets(dir.path());
    let moved = "/document/demo-v1/widget/list-moved.md";
    let server = serve(2, move |path, stream| {
        if path == WIDGETS_PATH {
            answer(stream, "301 Moved", &format!("Location: {moved}\r\n"), b"")
        } else {
            markdown(stream, page.as_bytes())
        }
    });
    let output = fetch_into(dir.path(), &server.url, &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected = format!(
        "fetched list_widgets: {}{moved} (redirected from {}{WIDGETS_PATH}) -> ",
        server.url, server.url
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(out.join("list_widgets.md")).expect("saved"),
        widgets(dir.path())
    );
}

#[test]
fn html_behind_a_byte_order_mark_is_not_markdown_and_a_bom_is_dropped() {
    let dir = recorded_workspace();
    let out = earlier_page(dir.path());
    let server = serve(1, |_, stream| {
        markdown(
            stream,
            "\u{feff}\n  <!DOCTYPE html><p>log in</p>".as_bytes(),
        )
    });
    let output = fetch_into(dir.path(), &server.url, &out);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "list_widgets: {}{WIDGETS_PATH}: not Markdown: the answer is an HTML page",
            server.url
        )),
        "{}",
        stderr(&output)
    );
    assert_earlier_page_kept(&out);

    let page = format!("\u{feff}{}", widgets(dir.path()));
    let server = serve(1, move |_, stream| markdown(stream, page.as_bytes()));
    let output = fetch_into(dir.path(), &server.url, &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(out.join("list_widgets.md")).expect("saved"),
        widgets(dir.path())
    );
    // Saved as an ordinary file, readable by others as any page would be, not with a temporary file's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("list_widgets.md"))
            .expect("saved")
            .permissions()
            .mode();
        assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
    }
}
