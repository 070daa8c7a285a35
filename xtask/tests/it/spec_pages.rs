//! The spec against Feishu's pages (`../shared/pages/hire-v1`, beside the checkout): every operation and every
//! event is recorded in the lock file, and the audit of every recorded page against the spec is clean.

use crate::docs::{stderr, stdout, xtask};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_operation_and_event_is_recorded_and_audits_clean_against_its_page() {
    let pages = root().join("../shared/pages/hire-v1");
    if !pages.is_dir() {
        eprintln!("no ../shared/pages/hire-v1 beside the checkout; nothing to audit");
        return;
    }
    let spec = codegen::read_file(
        "spec/hire_v1.yaml",
        &root().join("spec/hire_v1.yaml"),
        codegen::DraftLabels::Refused,
    )
    .expect("the spec reads")
    .api;
    let lock: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("spec/hire_v1.pages.json")).expect("the lock file"),
    )
    .expect("JSON");
    let mut files = Vec::new();
    for op in &spec.operations {
        let recorded = &lock["operations"][&op.id];
        let url = recorded["source_url"]
            .as_str()
            .unwrap_or_else(|| panic!("`{}` is not recorded in the lock file", op.id));
        // The reference's files are named after the page's path below `hire-v1/`.
        let name = url
            .split_once("/hire-v1/")
            .map(|(_, path)| format!("{}.md", path.replace('/', "_")))
            .unwrap_or_else(|| panic!("{}: {url} is not a Hire v1 page", op.id));
        let file = pages.join(&name);
        assert!(file.is_file(), "{}: no page {}", op.id, file.display());
        files.push(file.display().to_string());
    }
    for event in &spec.events {
        let recorded = &lock["events"][&event.event_type];
        let url = recorded["source_url"]
            .as_str()
            .unwrap_or_else(|| panic!("`{}` is not recorded in the lock file", event.event_type));
        let name = url
            .split_once("/hire-v1/")
            .map(|(_, path)| format!("{}.md", path.replace('/', "_")))
            .unwrap_or_else(|| panic!("{}: {url} is not a Hire v1 page", event.event_type));
        let file = pages.join("events").join(&name);
        assert!(
            file.is_file(),
            "{}: no page {}",
            event.event_type,
            file.display()
        );
        files.push(file.display().to_string());
    }
    assert!(!spec.events.is_empty(), "the spec documents no event");
    let mut args = vec!["docs", "audit"];
    args.extend(files.iter().map(String::as_str));
    let out = xtask(&args, &root());
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).starts_with(&format!(
            "{} page(s) agree",
            spec.operations.len() + spec.events.len()
        )),
        "{}",
        stderr(&out)
    );
}
