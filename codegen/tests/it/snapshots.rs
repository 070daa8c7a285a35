//! Golden output: the files generated for small fixture specs, one per feature, and the error message for each
//! malformed spec of the corpus. Review changes with `cargo insta review`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn fixture_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(kind)
}

/// A generated file without what names its spec (the `@generated` line, and the module's title): two fixtures
/// whose files differ only there generate the same code.
fn without_spec_name(contents: &str) -> String {
    contents
        .lines()
        .filter(|l| {
            !l.starts_with("// @generated") && !l.starts_with("//! Code generated from the ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Snapshots under their own names (`<fixture>__<file>`, `malformed__<spec>`), in `tests/it/snapshots/`.
fn snapshot(name: &str, contents: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, contents);
    });
}

/// Every spec under `tests/fixtures/`, one feature each, generates the snapshotted files. A file is snapshotted
/// for the first fixture that generates it as it is: the files another fixture generates the same (an empty
/// `error_codes.rs`, `mod.rs`) are checked against that one instead, so that no two snapshots say the same.
#[test]
fn every_fixture_generates_its_golden_files() {
    let mut names: Vec<String> = fs::read_dir(fixture_dir("fixtures"))
        .expect("fixtures folder")
        .map(|e| {
            e.expect("entry")
                .path()
                .file_stem()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert!(names.len() >= 9, "the fixtures are {names:?}");
    // (file, code) -> the fixture whose snapshot holds it.
    let mut snapshotted: BTreeMap<(String, String), String> = BTreeMap::new();
    for name in &names {
        let path = fixture_dir("fixtures").join(format!("{name}.yaml"));
        let text = fs::read_to_string(&path).expect("fixture is readable");
        let spec_name = format!("codegen/tests/fixtures/{name}.yaml");
        let files = codegen::generate(&spec_name, &text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = codegen::generate(&spec_name, &text).expect("second run");
        assert_eq!(
            files, again,
            "{name}: output is not byte-identical across runs"
        );
        assert_eq!(
            files.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "enums.rs",
                "error_codes.rs",
                "events.rs",
                "example_requests.rs",
                "mod.rs",
                "operations.rs",
                "types.rs"
            ]
        );
        for (file, contents) in &files {
            assert!(
                contents.starts_with(&codegen::render::header(&spec_name)),
                "{name}/{file}: no @generated header"
            );
            // The same code as a fixture's before, whose snapshot locks it.
            let key = (file.clone(), without_spec_name(contents));
            if snapshotted.contains_key(&key) {
                continue;
            }
            snapshotted.insert(key, name.clone());
            snapshot(
                &format!("{name}__{}", file.trim_end_matches(".rs")),
                contents,
            );
        }
    }
}

/// Each spec under `tests/malformed/` is refused with an error naming the file, the place and the problem.
#[test]
fn malformed_specs_give_located_errors() {
    let mut paths: Vec<PathBuf> = fs::read_dir(fixture_dir("malformed"))
        .expect("malformed folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 15, "the corpus holds {} specs", paths.len());
    for path in paths {
        let name = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = fs::read_to_string(&path).expect("readable");
        let spec_name = format!("codegen/tests/malformed/{name}.yaml");
        let err = codegen::generate(&spec_name, &text)
            .expect_err(&format!("{name}: the generator accepted a malformed spec"));
        let message = err.to_string();
        assert!(
            message.starts_with(&spec_name),
            "{name}: the message does not name the file: {message}"
        );
        snapshot(&format!("malformed__{name}"), &message);
    }
}

#[test]
fn an_unreadable_spec_is_an_error() {
    let err = codegen::generate_file("spec/missing.yaml", Path::new("/nonexistent/spec.yaml"))
        .expect_err("fails");
    assert!(
        err.to_string()
            .starts_with("spec/missing.yaml: cannot read the spec"),
        "{err}"
    );
}
