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
pub(crate) fn copy_of_the_spec() -> tempfile::TempDir {
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

/// `POST /jobs/{job_id}/managers/batch_update`: a job's path, with enum values and error codes to name.
const JOB_MANAGERS: &str = "recruitment-related-configuration_job_batch_update.md";
/// `PUT` and `DELETE /external_background_checks/{id}`: a new resource, two methods of one path.
const UPDATE_BACKGROUND_CHECK: &str =
    "get-candidates_import-external-system-information_import-external-background-info_update.md";
const DELETE_BACKGROUND_CHECK: &str =
    "get-candidates_import-external-system-information_import-external-background-info_delete.md";
/// `GET /jobs/{job_id}`: the spec's `get_job`.
const GET_JOB: &str = "recruitment-related-configuration_job_get.md";

/// The path items of a spec's text, in order.
fn path_items(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix("  /open-apis/")?.strip_suffix(':'))
        .collect()
}

#[test]
fn pages_are_added_in_place_recorded_audited_and_left_for_words() {
    let (Some(managers), Some(update), Some(delete)) = (
        page(JOB_MANAGERS),
        page(UPDATE_BACKGROUND_CHECK),
        page(DELETE_BACKGROUND_CHECK),
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
            &managers,
            &update,
            &delete,
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.contains("added `batch_update_job_manager` (POST /open-apis/hire/v1/jobs/{job_id}/managers/batch_update)"),
        "{report}"
    );
    assert!(
        report.contains("added `update_external_background_check`"),
        "{report}"
    );
    assert!(
        report.contains("added `delete_external_background_check`"),
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
    // The job operation goes after the paths of its job, the new resource after all paths (one
    // path item for its two methods), and the new schemas at the end, under a comment naming their operation.
    let items = path_items(&after);
    let managers_at = items
        .iter()
        .position(|p| *p == "hire/v1/jobs/{job_id}/managers/batch_update")
        .expect("the job operation's path item");
    // Beside its closest relatives: after the last path of the same job.
    assert!(
        items[managers_at - 1].starts_with("hire/v1/jobs/{job_id}/"),
        "{items:?}"
    );
    assert!(
        !items[managers_at + 1].starts_with("hire/v1/jobs/{job_id}/"),
        "{items:?}"
    );
    assert_eq!(
        items.last(),
        Some(&"hire/v1/external_background_checks/{external_background_check_id}")
    );
    assert_eq!(items.len(), path_items(&before).len() + 2);
    let at = |needle: &str| {
        after
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} is in the spec"))
    };
    assert!(
        at("operationId: update_external_background_check")
            < at("operationId: delete_external_background_check")
    );
    assert!(at("\ncomponents:") < at("    # ---- batch_update_job_manager ---"));
    // Sequences are indented under their keys, as the rest of the file writes them.
    assert!(after.contains("      x-scopes:\n        - "));

    let lock = read(dir.path(), "spec.pages.json");
    for key in [
        "\"batch_update_job_manager\"",
        "\"update_external_background_check\"",
        "\"delete_external_background_check\"",
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
            &managers,
            &update,
            &delete,
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
    let numbered = |prefix: &str| {
        after
            .lines()
            .filter(|l| {
                l.trim()
                    .strip_prefix(prefix)
                    .is_some_and(|n| n.parse::<u64>().is_ok())
            })
            .count()
    };
    let values = numbered("- Value");
    let codes = numbered("name: Code");
    assert!(
        values > 0 && codes > 0,
        "the pages have values and errors to name"
    );
    assert_eq!(
        listed.matches("is a placeholder variant name").count(),
        values,
        "{listed}"
    );
    assert_eq!(
        listed.matches("is a placeholder error name").count(),
        codes,
        "{listed}"
    );
    assert!(listed.contains("spec.yaml:"), "{listed}");
    assert!(!out_dir.exists());

    // With the words written and the values and errors named, it generates.
    let named: String = after
        .replace("'DRAFT: ", "'Written: ")
        .lines()
        .map(|l| {
            let l = l.replace("- Value", "- Named");
            match l.split_once("name: Code") {
                Some((head, code)) => format!("{head}name: Named{code}\n"),
                None => format!("{l}\n"),
            }
        })
        .collect();
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
    assert!(operations.contains("pub fn batch_update_job_manager("));
    assert!(operations.contains("pub fn delete_external_background_check("));
}

#[test]
fn a_page_whose_operation_the_spec_has_is_refused_and_nothing_is_written() {
    let (Some(update), Some(get_job)) = (page(UPDATE_BACKGROUND_CHECK), page(GET_JOB)) else {
        eprintln!("no ../shared/pages/hire-v1 beside the checkout; nothing to add");
        return;
    };
    let dir = copy_of_the_spec();
    let spec = read(dir.path(), "spec.yaml");
    let lock = read(dir.path(), "spec.pages.json");
    // The first page would be added; the second is the spec's `get_job`: neither is written.
    let out = xtask(
        &["docs", "add", "--spec", "spec.yaml", &update, &get_job],
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
    let out = xtask(&["docs", "add", "--spec", "spec.yaml", &update], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let again = xtask(&["docs", "add", "--spec", "spec.yaml", &update], dir.path());
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already the spec's operation `update_external_background_check`")
    );
}
