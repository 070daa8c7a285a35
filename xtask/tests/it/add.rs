//! `cargo xtask docs add` through the binary, on a copy of the spec and Feishu's own pages (`../shared/pages/`,
//! beside the checkout): the operations land where they belong, the file keeps every line it had, the lock file
//! records the pages, the audit agrees, `gen` lists what is left to write, and a refused page writes nothing.

use crate::docs::{stderr, xtask};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A page of `../shared/pages/hire-v1`, or `None` where that folder is not beside the checkout.
fn page(name: &str) -> Option<String> {
    let path = root().join("../shared/pages/hire-v1").join(name);
    path.exists().then(|| path.display().to_string())
}

/// A folder with a copy of the spec and its lock file, as `spec.yaml` and `spec.pages.json`.
fn copy_of_the_spec() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp folder");
    std::fs::copy(
        root().join("spec/hire_v1.yaml"),
        dir.path().join("spec.yaml"),
    )
    .expect("copied");
    std::fs::copy(
        root().join("spec/hire_v1.pages.json"),
        dir.path().join("spec.pages.json"),
    )
    .expect("copied");
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("readable")
}

const LIST_APPLICATIONS: &str =
    "candidate-management_delivery-process-management_application_list.md";
const OPEN_JOB: &str = "recruitment-related-configuration_job_open.md";
const CREATE_EXTERNAL_APPLICATION: &str =
    "get-candidates_import-external-system-information_create.md";
const GET_JOB: &str = "recruitment-related-configuration_job_get.md";

#[test]
fn pages_are_added_in_place_recorded_audited_and_left_for_words() {
    let (Some(applications), Some(open), Some(external)) = (
        page(LIST_APPLICATIONS),
        page(OPEN_JOB),
        page(CREATE_EXTERNAL_APPLICATION),
    ) else {
        eprintln!("no ../shared/pages/hire-v1 beside the checkout; nothing to add");
        return;
    };
    let dir = copy_of_the_spec();
    let before = read(dir.path(), "spec.yaml");
    let out = xtask(
        &[
            "docs",
            "add",
            "--spec",
            "spec.yaml",
            &applications,
            &open,
            &external,
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.contains("added `list_applications` (GET /open-apis/hire/v1/applications)"),
        "{report}"
    );
    assert!(
        report.contains("added `open_job` (POST /open-apis/hire/v1/jobs/{job_id}/open)"),
        "{report}"
    );
    assert!(
        report.contains("added `create_external_application`"),
        "{report}"
    );
    let after = read(dir.path(), "spec.yaml");

    // Every line the spec had is still there, in its order: comments, flow mappings and blank lines included.
    let mut new_lines = after.lines();
    for line in before.lines() {
        assert!(
            new_lines.any(|l| l == line),
            "the line {line:?} is gone or moved"
        );
    }
    // The job operation goes after the other job paths, the new resource after all paths, the new method into
    // its existing path item, and each operation's new schemas at the end, under a comment naming it.
    let at = |needle: &str| {
        after
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} is in the spec"))
    };
    assert!(
        at("  /open-apis/hire/v1/jobs/{job_id}/get_detail:")
            < at("  /open-apis/hire/v1/jobs/{job_id}/open:")
    );
    assert!(
        at("  /open-apis/hire/v1/jobs/{job_id}/open:")
            < at("  /open-apis/hire/v1/external_applications:")
    );
    assert!(
        at("  /open-apis/hire/v1/external_applications:")
            < at("  /open-apis/hire/v1/applications:")
    );
    assert!(at("  /open-apis/hire/v1/applications:") < at("\ncomponents:"));
    assert_eq!(
        after
            .matches("  /open-apis/hire/v1/external_applications:\n")
            .count(),
        1
    );
    assert!(
        at("operationId: list_external_applications")
            < at("operationId: create_external_application")
    );
    assert!(at("    # ---- list_applications ---") < at("    ListApplicationsData:"));
    assert!(at("\ncomponents:") < at("    # ---- list_applications ---"));
    // Sequences are indented under their keys, as the rest of the file writes them.
    assert!(after.contains("      x-scopes:\n        - hire:application:readonly\n"));

    let lock = read(dir.path(), "spec.pages.json");
    for key in [
        "\"list_applications\"",
        "\"open_job\"",
        "\"create_external_application\"",
    ] {
        assert!(lock.contains(key), "the lock file records {key}");
    }
    // The audit agrees with the pages as added.
    let audited = xtask(
        &[
            "docs",
            "audit",
            "--spec",
            "spec.yaml",
            &applications,
            &open,
            &external,
        ],
        dir.path(),
    );
    assert!(
        audited.status.success(),
        "{}\n{}",
        crate::docs::stdout(&audited),
        stderr(&audited)
    );

    // `gen` names every text and name left to write, each with its line, and generates nothing.
    let out_dir = dir.path().join("generated");
    let spec = dir.path().join("spec.yaml").display().to_string();
    let generated = xtask(
        &[
            "gen",
            "--spec",
            &spec,
            "--out",
            &out_dir.display().to_string(),
        ],
        dir.path(),
    );
    assert!(!generated.status.success());
    let listed = stderr(&generated);
    let marked = after.matches("'DRAFT: ").count();
    assert_eq!(
        listed.matches("is a doc page's label").count(),
        marked,
        "{listed}"
    );
    assert!(
        listed.contains("`Value1` is a placeholder variant name"),
        "{listed}"
    );
    assert!(
        listed.contains("`Code1002613` is a placeholder error name"),
        "{listed}"
    );
    assert!(listed.contains("spec.yaml:"), "{listed}");
    assert!(!out_dir.exists());

    // With the words written and the values named, it generates.
    let mut named = after.replace("'DRAFT: ", "'Written: ");
    for n in 1..=9 {
        named = named.replace(&format!("- Value{n}\n"), &format!("- Named{n}\n"));
    }
    named = named
        .replace("Code1002613", "SyncNotEnabled")
        .replace("Code1002616", "JobAlreadyOpen");
    std::fs::write(dir.path().join("spec.yaml"), named).expect("written");
    let generated = xtask(
        &[
            "gen",
            "--spec",
            &spec,
            "--out",
            &out_dir.display().to_string(),
        ],
        dir.path(),
    );
    assert!(generated.status.success(), "{}", stderr(&generated));
    let operations = std::fs::read_to_string(out_dir.join("operations.rs")).expect("generated");
    assert!(operations.contains("pub fn list_applications(&self)"));
    assert!(operations.contains("pub fn open_job(&self"));
}

#[test]
fn a_page_whose_operation_the_spec_has_is_refused_and_nothing_is_written() {
    let (Some(applications), Some(get_job)) = (page(LIST_APPLICATIONS), page(GET_JOB)) else {
        eprintln!("no ../shared/pages/hire-v1 beside the checkout; nothing to add");
        return;
    };
    let dir = copy_of_the_spec();
    let spec = read(dir.path(), "spec.yaml");
    let lock = read(dir.path(), "spec.pages.json");
    // The first page would be added; the second is the spec's `get_job`: neither is written.
    let out = xtask(
        &[
            "docs",
            "add",
            "--spec",
            "spec.yaml",
            &applications,
            &get_job,
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains(
            "GET /open-apis/hire/v1/jobs/{job_id} is already the spec's operation `get_job`"
        ),
        "{message}"
    );
    assert!(message.contains("docs audit"), "{message}");
    assert_eq!(read(dir.path(), "spec.yaml"), spec);
    assert_eq!(read(dir.path(), "spec.pages.json"), lock);
    assert!(!dir.path().join("spec.yaml.tmp").exists());

    // Once added, a page is the spec's too.
    let out = xtask(
        &["docs", "add", "--spec", "spec.yaml", &applications],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let again = xtask(
        &["docs", "add", "--spec", "spec.yaml", &applications],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already the spec's operation `list_applications`"));
}
