//! `cargo xtask docs audit` and `cargo xtask docs draft` through the binary: exit codes, the line format,
//! `--json`, `--record`, and located errors for pages that cannot be read.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pages() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docpages/tests/pages")
}

pub(crate) fn xtask(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("xtask runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `cargo xtask docs audit --spec spec.yaml` with `args` (pages and flags), in `dir`.
pub(crate) fn audit(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["docs", "audit", "--spec", "spec.yaml"];
    all.extend_from_slice(args);
    xtask(&all, dir)
}

/// Replaces `from` with `to` in the file `name` of `dir`.
fn edit(dir: &Path, name: &str, changes: &[(&str, &str)]) {
    let path = dir.join(name);
    let mut text = std::fs::read_to_string(&path).expect("readable");
    for (from, to) in changes {
        assert!(text.contains(from), "{name} has no {from:?}");
        text = text.replace(from, to);
    }
    std::fs::write(&path, text).expect("written");
}

/// A folder holding copies of the test spec and pages.
pub(crate) fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp folder");
    for name in ["spec.yaml", "widgets.md", "gadgets.txt"] {
        std::fs::copy(pages().join(name), dir.path().join(name)).expect("copied");
    }
    dir
}

/// The warning of the audit for `gadgets.txt`, a page in the one-line dialect, which does not name its address.
const NO_ADDRESS: &str = "gadgets.txt:1: create_gadget externalDocs: page says nothing of its own address (no front matter `source_url`, no `> Source:` line), spec says none (warning)\n";

#[test]
fn pages_that_agree_exit_0() {
    let dir = workspace();
    let output = audit(dir.path(), &["widgets.md", "gadgets.txt"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    // The one-line dialect has no place for the page's address: a warning, not a difference.
    assert_eq!(stdout(&output), NO_ADDRESS);
    assert!(
        stderr(&output).contains("2 page(s) agree"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_difference_exits_1_with_one_line_each() {
    let dir = workspace();
    edit(
        dir.path(),
        "widgets.md",
        &[
            ("[5 次/秒]", "[7 次/秒]"),
            ("- 最大值：`50`", "- 最大值：`60`"),
        ],
    );
    let output = audit(dir.path(), &["widgets.md", "gadgets.txt"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "widgets.md:18: list_widgets x-rate-limit: page says 7/s, spec says 5/s\n\
             widgets.md:45: list_widgets page_size.maximum: page says 60, spec says 50\n{NO_ADDRESS}"
        )
    );

    let json = audit(dir.path(), &["--json", "widgets.md"]);
    assert_eq!(json.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(findings[0]["path"], "x-rate-limit");
    assert_eq!(findings[0]["line"], 18);
    assert_eq!(findings[0]["page"], "7/s");
    assert_eq!(findings[0]["spec"], "5/s");
    assert_eq!(findings[0]["status"], "difference");
    assert_eq!(findings.as_array().map(Vec::len), Some(2));
}

#[test]
fn record_keeps_the_audited_versions_and_then_notices_a_new_one() {
    let dir = workspace();
    let recorded = audit(dir.path(), &["--record", "widgets.md", "gadgets.txt"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", stderr(&recorded));
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("spec.pages.json")).expect("written"),
    )
    .expect("JSON");
    let widgets = &record["operations"]["list_widgets"];
    assert_eq!(
        widgets["source_url"],
        "https://open.feishu.cn/document/demo-v1/widget/list"
    );
    assert_eq!(widgets["last_remote_update"], "2026-01-02");
    assert_eq!(widgets["sha256"].as_str().map(str::len), Some(64));
    assert!(record["operations"]["create_gadget"].is_object());

    edit(
        dir.path(),
        "gadgets.txt",
        &[("在仓库中创建一个小工具。", "在仓库里创建一个小工具。")],
    );
    let audited = audit(dir.path(), &["gadgets.txt"]);
    assert_eq!(audited.status.code(), Some(1));
    assert!(
        stdout(&audited).strip_prefix(NO_ADDRESS).is_some_and(
            |rest| rest.starts_with("gadgets.txt:1: create_gadget page: page says version ")
        ),
        "{}",
        stdout(&audited)
    );

    // Recording again accepts the new version.
    let again = audit(dir.path(), &["--record", "gadgets.txt"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    let audited = audit(dir.path(), &["gadgets.txt"]);
    assert_eq!(audited.status.code(), Some(0), "{}", stdout(&audited));
}

#[test]
fn record_refuses_while_there_are_differences() {
    let dir = workspace();
    edit(dir.path(), "widgets.md", &[("[5 次/秒]", "[7 次/秒]")]);
    let output = audit(dir.path(), &["--record", "widgets.md"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not recorded"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("spec.pages.json").exists());
}

#[test]
fn unreadable_pages_and_specs_exit_2_with_a_located_message() {
    let dir = workspace();
    std::fs::write(dir.path().join("empty.md"), "").expect("written");
    std::fs::write(
        dir.path().join("garbage.bin"),
        [0x7f_u8, 0x45, 0x4c, 0x46, 0x02, 0xff, 0x00, 0x10],
    )
    .expect("written");
    let widgets = std::fs::read_to_string(dir.path().join("widgets.md")).expect("readable");
    let cut = &widgets[..widgets.find("\"created_at\"").expect("in the example")];
    std::fs::write(dir.path().join("truncated.md"), cut).expect("written");
    std::fs::write(dir.path().join("broken.yaml"), "openapi: 3.0.3\npaths: [\n").expect("written");
    // The audit reads the spec as `gen` does: a rate of 0 is refused there too, at its place.
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("readable");
    assert!(spec.contains("x-rate-limit: 5\n"));
    std::fs::write(
        dir.path().join("zero-rate.yaml"),
        spec.replace("x-rate-limit: 5\n", "x-rate-limit: 0\n"),
    )
    .expect("written");
    std::fs::write(
        dir.path().join("guide.md"),
        "# 接入指南\n\n> Source: https://open.feishu.cn/document/guide\n\n## 第一步\n\n创建应用。\n",
    )
    .expect("written");

    let cases = [
        (
            vec!["--spec", "spec.yaml", "empty.md"],
            "empty.md:1: the page is empty",
        ),
        (
            vec!["--spec", "spec.yaml", "garbage.bin"],
            "garbage.bin:1: not a text page",
        ),
        (vec!["--spec", "spec.yaml", "truncated.md"], "truncated.md:"),
        (
            vec!["--spec", "spec.yaml", "guide.md"],
            "guide.md:7: not an API reference page: it has no request table with an `HTTP URL` row",
        ),
        (
            vec!["--spec", "spec.yaml", "missing.md"],
            "missing.md:1: cannot read the page",
        ),
        (
            vec!["--spec", "broken.yaml", "widgets.md"],
            "broken.yaml:3:1: YAML syntax error",
        ),
        (
            vec!["--spec", "zero-rate.yaml", "widgets.md"],
            "zero-rate.yaml at #/paths/~1open-apis~1demo~1v1~1stores~1{store_id}~1widgets/get/x-rate-limit: x-rate-limit must be requests per second (`50`) or per window (`{per_second: 50, per_minute: 1000}`): the limit is `0`, not a positive integer",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["docs", "audit"];
        all.extend(args);
        let output = xtask(&all, dir.path());
        assert_eq!(
            output.status.code(),
            Some(2),
            "{all:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{all:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"));
    }
    let truncated = audit(dir.path(), &["truncated.md"]);
    assert!(
        stderr(&truncated).contains("cut short"),
        "{}",
        stderr(&truncated)
    );
}

#[test]
fn draft_prints_a_fragment_that_audits_clean() {
    let dir = workspace();
    for page in ["widgets.md", "gadgets.txt"] {
        let drafted = xtask(&["docs", "draft", page], dir.path());
        assert_eq!(drafted.status.code(), Some(0), "{}", stderr(&drafted));
        std::fs::write(dir.path().join("draft.yaml"), &drafted.stdout).expect("written");
        let audited = xtask(&["docs", "audit", "--spec", "draft.yaml", page], dir.path());
        assert_eq!(
            audited.status.code(),
            Some(0),
            "{page}: {}",
            stdout(&audited)
        );
        let gen = xtask(
            &["gen", "--check", "--spec", "draft.yaml", "--out", "out"],
            dir.path(),
        );
        assert_eq!(
            gen.status.code(),
            Some(1),
            "the generator refuses the draft's marks"
        );
        assert!(
            stderr(&gen).contains("rewrite it in your own words"),
            "{}",
            stderr(&gen)
        );
    }
    let empty = xtask(&["docs", "draft", "missing.md"], dir.path());
    assert_eq!(empty.status.code(), Some(2));
}

#[test]
fn bad_arguments_are_refused() {
    let dir = workspace();
    for args in [
        vec!["docs"],
        vec!["docs", "audit"],
        vec!["docs", "audit", "--nope", "x.md"],
        vec!["docs", "draft"],
        vec!["docs", "fly"],
    ] {
        let output = xtask(&args, dir.path());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("usage:"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

/// A loopback HTTP server for `docs fetch`: answers each request by its path from `answers` (status, content
/// type, body), in order for a path listed more than once; 404 for any other path. Serves at most `requests`
/// requests, then stops.
/// Reads a request's line and headers from `stream`; its path.
pub(crate) fn request_path(stream: &std::net::TcpStream) -> String {
    use std::io::{BufRead, BufReader};
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
            break;
        }
    }
    request_line.split(' ').nth(1).unwrap_or("").to_owned()
}

fn serve(answers: Vec<(&'static str, u16, &'static str, String)>, requests: usize) -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        let mut answers = answers;
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let path = request_path(&stream);
            let (status, content_type, body) = match answers.iter().position(|(p, ..)| *p == path) {
                Some(i) => {
                    let (_, status, content_type, body) = answers.remove(i);
                    (status, content_type, body)
                }
                None => (404, "text/plain", "no such page".to_owned()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{address}")
}

/// A folder with the test spec, its pages, and the lock file recording them.
pub(crate) fn recorded_workspace() -> tempfile::TempDir {
    let dir = workspace();
    let recorded = audit(dir.path(), &["--record", "widgets.md", "gadgets.txt"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", stderr(&recorded));
    dir
}

pub(crate) const WIDGETS_PATH: &str = "/document/demo-v1/widget/list.md";

pub(crate) fn fetch(dir: &Path, task: &str, base_url: &str, extra: &[&str]) -> Output {
    let out = dir.join("fetched");
    let mut args = vec![
        "docs",
        task,
        "--spec",
        "spec.yaml",
        "--base-url",
        base_url,
        "--out",
        out.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    xtask(&args, dir)
}

#[test]
fn fetch_saves_each_recorded_page_and_check_audits_them() {
    let dir = recorded_workspace();
    let widgets = std::fs::read_to_string(dir.path().join("widgets.md")).expect("readable");
    // The first answer fails in a way that may pass: the page is asked for again.
    let server = serve(
        vec![
            (WIDGETS_PATH, 503, "text/plain", "busy".to_owned()),
            (WIDGETS_PATH, 200, "text/markdown", widgets.clone()),
            (WIDGETS_PATH, 200, "text/markdown", widgets.clone()),
        ],
        3,
    );
    let output = fetch(dir.path(), "fetch", &server, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(
        log.contains(&format!("retrying {server}{WIDGETS_PATH}: HTTP 503")),
        "{log}"
    );
    assert!(
        log.contains(&format!("fetched list_widgets: {server}{WIDGETS_PATH} -> ")),
        "{log}"
    );
    let saved = dir.path().join("fetched/list_widgets.md");
    assert_eq!(std::fs::read_to_string(&saved).expect("saved"), widgets);

    let checked = fetch(dir.path(), "check", &server, &[]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(
        stderr(&checked).contains("1 page(s) agree"),
        "{}",
        stderr(&checked)
    );
}

#[test]
fn check_notices_a_page_that_changed() {
    let dir = recorded_workspace();
    let widgets = std::fs::read_to_string(dir.path().join("widgets.md"))
        .expect("readable")
        .replace("[5 次/秒]", "[7 次/秒]");
    let server = serve(vec![(WIDGETS_PATH, 200, "text/markdown", widgets)], 1);
    let checked = fetch(dir.path(), "check", &server, &[]);
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    assert!(
        stdout(&checked).contains("list_widgets x-rate-limit: page says 7/s, spec says 5/s"),
        "{}",
        stdout(&checked)
    );
}

#[test]
fn a_page_that_cannot_be_fetched_is_named_with_its_reason() {
    let dir = recorded_workspace();
    let missing = serve(Vec::new(), 1);
    let output = fetch(dir.path(), "fetch", &missing, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!("list_widgets: {missing}{WIDGETS_PATH}: HTTP 404")),
        "{}",
        stderr(&output)
    );

    let html = serve(
        vec![(
            WIDGETS_PATH,
            200,
            "text/html",
            "<!DOCTYPE html><p>log in</p>".to_owned(),
        )],
        1,
    );
    let output = fetch(dir.path(), "check", &html, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not Markdown: the answer is an HTML page"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("fetched/list_widgets.md").exists());

    let unknown = fetch(dir.path(), "fetch", &html, &["no_such_operation"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no page is recorded for `no_such_operation`"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn fetched_pages_never_go_into_the_tracked_tree() {
    let dir = recorded_workspace();
    let inside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/pages");
    let output = xtask(
        &[
            "docs",
            "fetch",
            "--spec",
            "spec.yaml",
            "--out",
            inside.to_str().expect("UTF-8 path"),
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("pages are not written inside the repository"),
        "{}",
        stderr(&output)
    );
    assert!(!inside.exists());
}
