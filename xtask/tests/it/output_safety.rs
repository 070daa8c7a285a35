//! `cargo xtask gen` replaces or removes only files it generated, never follows a symlink, and leaves the old
//! folder or the new one whatever step of the swap a crash interrupts. Every case runs the binary.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use xtask::output::{CRASH_AT_VAR, CRASH_POINTS, NO_EXCHANGE_VAR};
use xtask::project_root;

/// Everything below `dir`: files with their text, folders as `name/`, symlinks as `name -> target`.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).expect("readable folder") {
            let path = entry.expect("entry").path();
            let key = path
                .strip_prefix(dir)
                .expect("below dir")
                .to_string_lossy()
                .into_owned();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).expect("link");
                found.insert(key, format!("-> {}", target.display()));
            } else if meta.is_dir() {
                found.insert(format!("{key}/"), String::new());
                pending.push(path);
            } else {
                found.insert(key, fs::read_to_string(&path).expect("text"));
            }
        }
    }
    found
}

fn gen(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.current_dir(dir).arg("gen").args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("xtask runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn fixture(name: &str) -> String {
    project_root()
        .join("codegen/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Writes what `spec` generates into `dir/out` and returns that tree.
fn generate_into(dir: &Path, spec: &str) -> BTreeMap<String, String> {
    let run = gen(dir, &["--spec", spec, "--out", "out"], &[]);
    assert!(run.status.success(), "{}", stderr(&run));
    tree(&dir.join("out"))
}

/// Runs `gen` with `args` in `dir`, expects a refusal whose message contains `expected`, and checks that
/// nothing below `dir` changed.
fn assert_refused(dir: &Path, args: &[&str], expected: &str) {
    let before = tree(dir);
    let run = gen(dir, args, &[]);
    assert_eq!(run.status.code(), Some(1), "{args:?}: {}", stderr(&run));
    assert!(
        stderr(&run).contains(expected),
        "{args:?}: {}",
        stderr(&run)
    );
    assert_eq!(tree(dir), before, "{args:?} changed nothing");
}

/// `--out` one level too high, at a crate's `src/`: refused, the hand-written runtime untouched.
#[test]
fn a_folder_with_hand_written_files_is_refused_and_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    fs::create_dir(&src).expect("mkdir");
    fs::write(src.join("lib.rs"), "pub mod client;\n").expect("write");
    fs::write(src.join("client.rs"), "pub struct Client;\n").expect("write");
    let run = gen(dir.path(), &["--out", "src/generated"], &[]);
    assert!(run.status.success(), "{}", stderr(&run));
    for args in [&["--out", "src"][..], &["--check", "--out", "src"][..]] {
        assert_refused(
            dir.path(),
            args,
            "did not write: client.rs, lib.rs; nothing was changed",
        );
    }
}

/// `--out .` in a project folder: every file there is named, none is touched.
#[test]
fn out_dot_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("README.md"), "# mine\n").expect("write");
    fs::write(dir.path().join("Cargo.toml"), "[package]\n").expect("write");
    assert_refused(
        dir.path(),
        &["--out", "."],
        "2 entries that `cargo xtask gen` did not write: Cargo.toml, README.md;",
    );
}

/// Subfolders: generated files in them are the generator's to remove; anything else, or an empty folder,
/// makes the run refuse.
#[test]
fn subfolders_are_checked_file_by_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let produced = generate_into(dir.path(), &fixture("post_body.yaml"));
    let out = dir.path().join("out");
    let header = codegen::render::header("old.yaml");

    fs::create_dir(out.join("old")).expect("mkdir");
    fs::write(out.join("old/gone.rs"), format!("{header}\n")).expect("write");
    let run = gen(
        dir.path(),
        &["--spec", &fixture("post_body.yaml"), "--out", "out"],
        &[],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("removed out/old/gone.rs"));
    assert_eq!(tree(&out), produced);

    fs::create_dir_all(out.join("notes/empty")).expect("mkdir");
    fs::write(out.join("notes/todo.txt"), "mine").expect("write");
    assert_refused(
        dir.path(),
        &["--spec", &fixture("integer_enum.yaml"), "--out", "out"],
        "did not write: notes/empty/ (an empty folder), notes/todo.txt;",
    );
}

/// A symlink inside the folder is refused, whatever it points at, and what it points at is never touched; an
/// output folder that is itself a symlink is refused too.
#[test]
fn symlinks_are_never_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    generate_into(dir.path(), &fixture("post_body.yaml"));
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&elsewhere).expect("mkdir");
    // Even a generated-looking file outside the folder is out of reach.
    fs::write(
        elsewhere.join("precious.rs"),
        format!("{}\n", codegen::render::header("x.yaml")),
    )
    .expect("write");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("out/link")).expect("symlink");
    assert_refused(
        dir.path(),
        &["--spec", &fixture("integer_enum.yaml"), "--out", "out"],
        "did not write: link (a symlink);",
    );

    fs::remove_file(dir.path().join("out/link")).expect("unlink");
    std::os::unix::fs::symlink(dir.path().join("out"), dir.path().join("alias")).expect("symlink");
    assert_refused(
        dir.path(),
        &["--out", "alias"],
        "alias is a symlink, not a folder",
    );
}

/// The process is aborted at each step of the swap, with the atomic exchange and with two renames. Right after
/// the crash the output folder is the old one or the new one (with two renames, between them, only its backup
/// exists); the next run restores it and removes the leftovers.
#[test]
fn a_crash_at_any_step_leaves_the_old_or_the_new_folder() {
    for exchange in [true, false] {
        for point in CRASH_POINTS {
            if exchange && point == "old-moved-aside" {
                continue; // That step exists only without the exchange.
            }
            let case = format!("crash at {point}, exchange: {exchange}");
            let dir = tempfile::tempdir().expect("tempdir");
            let new_spec = fixture("integer_enum.yaml");
            let new = {
                let scratch = tempfile::tempdir().expect("tempdir");
                generate_into(scratch.path(), &new_spec)
            };
            let old = generate_into(dir.path(), &fixture("post_body.yaml"));
            assert_ne!(old, new);

            let mut env = vec![(CRASH_AT_VAR, point)];
            if !exchange {
                env.push((NO_EXCHANGE_VAR, "1"));
            }
            let crashed = gen(dir.path(), &["--spec", &new_spec, "--out", "out"], &env);
            assert!(!crashed.status.success(), "{case}: the run was aborted");
            assert!(
                stderr(&crashed).contains(&format!("aborting at `{point}`")),
                "{case}"
            );
            let out = dir.path().join("out");
            if out.exists() {
                let now = tree(&out);
                assert!(
                    now == old || now == new,
                    "{case}: the folder is the old or the new one"
                );
            } else {
                assert_eq!(
                    point, "old-moved-aside",
                    "{case}: only then is the folder missing"
                );
                assert_eq!(
                    tree(&dir.path().join(".out.old")),
                    old,
                    "{case}: the backup is whole"
                );
            }

            let again = gen(dir.path(), &["--spec", &new_spec, "--out", "out"], &[]);
            assert!(again.status.success(), "{case}: {}", stderr(&again));
            assert_eq!(tree(&out), new, "{case}");
            let names: Vec<_> = fs::read_dir(dir.path())
                .expect("dir")
                .map(|e| e.expect("entry").file_name())
                .collect();
            assert_eq!(
                names,
                ["out"],
                "{case}: no staging or backup folder is left"
            );
        }
    }
}

/// A leftover next to the output folder is removed only if it holds generated files alone.
#[test]
fn a_leftover_with_foreign_files_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    generate_into(dir.path(), &fixture("post_body.yaml"));
    fs::create_dir(dir.path().join(".out.old")).expect("mkdir");
    fs::write(dir.path().join(".out.old/mine.txt"), "keep").expect("write");
    assert_refused(
        dir.path(),
        &["--spec", &fixture("integer_enum.yaml"), "--out", "out"],
        ".out.old: it holds 1 entry that `cargo xtask gen` did not write: mine.txt;",
    );
}
