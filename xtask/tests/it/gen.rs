//! `cargo xtask gen`: the committed client matches the spec, writes replace the output folder atomically,
//! `--check` reports stale files, and a broken spec changes nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use xtask::{changes, project_root, replace_folder, Change, DEFAULT_OUT, DEFAULT_SPEC};

fn files(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn folder(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(dir).expect("folder") {
        let path = entry.expect("entry").path();
        found.insert(
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
            fs::read_to_string(&path).expect("text"),
        );
    }
    found
}

/// The drift check: `generated-client` holds exactly what the spec generates.
#[test]
fn generated_client_matches_the_spec() {
    let root = project_root();
    let generated =
        codegen::generate_file(DEFAULT_SPEC, &root.join(DEFAULT_SPEC)).expect("the spec generates");
    let stale = changes(&generated, &root.join(DEFAULT_OUT)).expect("output folder is readable");
    assert!(
        stale.is_empty(),
        "generated-client is stale ({stale:?}); run `cargo xtask gen` and commit the result"
    );
}

/// A file as the generator writes it.
fn generated(body: &str) -> String {
    format!("{}\n{body}\n", codegen::render::header("spec.yaml"))
}

#[test]
fn replacing_writes_new_files_and_removes_old_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("generated");
    let first = files(&[("a.rs", &generated("one")), ("b.rs", &generated("two"))]);
    replace_folder(&first, &out).expect("first write");
    let next = files(&[("a.rs", &generated("one")), ("c.rs", &generated("three"))]);
    assert_eq!(
        changes(&next, &out).expect("readable"),
        [
            Change::Created("c.rs".to_owned()),
            Change::Removed("b.rs".to_owned())
        ]
    );
    replace_folder(&next, &out).expect("second write");
    assert_eq!(folder(&out), next);
    assert!(changes(&next, &out).expect("readable").is_empty());
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        leftovers,
        ["generated"],
        "no staging or backup folder is left behind"
    );
}

#[test]
fn a_failed_write_leaves_the_folder_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("generated");
    let before = files(&[("a.rs", &generated("one"))]);
    replace_folder(&before, &out).expect("first write");
    // `x` is written as a file, so `x/y.rs` cannot be created beneath it.
    let impossible = files(&[
        ("a.rs", &generated("changed")),
        ("x", &generated("file")),
        ("x/y.rs", &generated("nested")),
    ]);
    replace_folder(&impossible, &out).expect_err("the write fails");
    assert_eq!(folder(&out), before);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers, ["generated"]);
}

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

#[test]
fn gen_and_check_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let out_arg = out.to_str().expect("utf-8 path");

    let check = xtask(&["gen", "--check", "--out", out_arg]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.contains("types.rs (created)") && stderr.contains("run `cargo xtask gen`"),
        "{stderr}"
    );
    assert!(!out.exists(), "--check writes nothing");

    let gen = xtask(&["gen", "--out", out_arg]);
    assert!(
        gen.status.success(),
        "{}",
        String::from_utf8_lossy(&gen.stderr)
    );
    let stdout = String::from_utf8_lossy(&gen.stdout);
    assert!(
        stdout.contains("created") && stdout.contains("operations.rs"),
        "{stdout}"
    );

    fs::write(out.join("stale.rs"), generated("// no longer produced")).expect("write");
    fs::write(out.join("types.rs"), generated("// changed")).expect("write");
    let check = xtask(&["gen", "--check", "--out", out_arg]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.contains("stale.rs (removed)") && stderr.contains("types.rs (updated)"),
        "{stderr}"
    );

    let gen = xtask(&["gen", "--out", out_arg]);
    assert!(gen.status.success());
    assert!(
        !out.join("stale.rs").exists(),
        "files the spec no longer produces are removed"
    );
    assert!(xtask(&["gen", "--check", "--out", out_arg])
        .status
        .success());
}

#[test]
fn a_broken_spec_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let spec = dir.path().join("broken.yaml");
    fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get: {responses: {}}\n",
    )
    .expect("write");
    fs::create_dir(&out).expect("mkdir");
    fs::write(out.join("keep.rs"), "// untouched").expect("write");
    let run = xtask(&[
        "gen",
        "--spec",
        spec.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("broken.yaml at #/paths/~1a/get: operation without an operationId"),
        "{stderr}"
    );
    assert_eq!(folder(&out), files(&[("keep.rs", "// untouched")]));
}

#[test]
fn unknown_arguments_are_refused() {
    let run = xtask(&["gen", "--frobnicate"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("unknown argument `--frobnicate`"));
}
