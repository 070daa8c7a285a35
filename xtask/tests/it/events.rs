//! Event pages (`../shared/pages/hire-v1/events`, beside the checkout) through the doc tools: each reads into
//! its event type, envelope and fields; each draft audits clean against its page; `docs add` writes events into
//! a spec in place and records them; an event the spec has is refused; and every kind of fact an event page
//! states, set wrong, is reported.

use crate::add::copy_of_the_spec;
use crate::audit_facts::reported;
use crate::docs::{stderr, stdout, xtask};
use docpages::page::{read_doc, Doc, EventPage};
use serde_yaml::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The event pages, or `None` where the folder is not beside the checkout.
fn event_pages() -> Option<Vec<PathBuf>> {
    crate::drafts::pages("hire-v1/events")
}

fn read_event(file: &Path) -> EventPage {
    let bytes = std::fs::read(file).expect("readable");
    match read_doc(&file.display().to_string(), &bytes).expect("the page reads") {
        Doc::Event(page) => *page,
        Doc::Operation(_) => panic!("{}: read as an API page", file.display()),
    }
}

/// The differences `docs audit --json` reports for `pages` against the spec file `spec` of `dir`, as
/// `operation path`.
fn differences(dir: &Path, spec: &str, pages: &[&str]) -> Vec<String> {
    let pages: Vec<String> = pages.iter().map(|p| (*p).to_owned()).collect();
    reported(dir, &dir.join(spec), &pages)
}

#[test]
fn every_event_page_reads_and_its_draft_audits_clean() {
    let Some(files) = event_pages() else {
        eprintln!("no ../shared/pages/hire-v1/events beside the checkout; nothing to read");
        return;
    };
    assert_eq!(files.len(), 12, "the Hire reference has 12 event pages");
    let dir = tempfile::tempdir().expect("a temp folder");
    let mut problems = Vec::new();
    for file in &files {
        let page = read_event(file);
        let name = file.display().to_string();
        if !page.event_type.value.starts_with("hire.") {
            problems.push(format!("{name}: event type {}", page.event_type.value));
        }
        let header: Vec<&str> = page
            .header_fields()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        if header != docpages::audit::HEADER_FIELDS {
            problems.push(format!("{name}: header {header:?}"));
        }
        if page.event_fields().is_empty() || page.event_example().is_none() {
            problems.push(format!("{name}: no event fields or no example"));
        }
        if page.app_types.value.is_empty() || page.scopes.value.is_empty() {
            problems.push(format!("{name}: no app types or no scopes"));
        }
        if !page.ambiguities.is_empty() || !page.problems.is_empty() {
            problems.push(format!(
                "{name}: {:?} {:?}",
                page.ambiguities, page.problems
            ));
        }
        // The whole-document draft, audited against its own page.
        let out = xtask(&["docs", "draft", &name], &root());
        if !out.status.success() {
            problems.push(format!("{name}: draft failed: {}", stderr(&out)));
            continue;
        }
        let draft = dir.path().join("draft.yaml");
        std::fs::write(&draft, stdout(&out)).expect("written");
        let found = differences(dir.path(), &draft.display().to_string(), &[&name]);
        if !found.is_empty() {
            problems.push(format!("{name}: the draft differs: {found:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The spec's text without its `x-events` block (the block ends at the next top-level key).
fn without_events(text: &str) -> String {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line == "x-events:" {
            inside = true;
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#') {
            inside = false;
        }
        if !inside {
            out.push(line);
        }
    }
    out.join("\n") + "\n"
}

#[test]
fn events_are_added_in_place_recorded_and_audited() {
    let Some(files) = event_pages() else {
        eprintln!("no ../shared/pages/hire-v1/events beside the checkout; nothing to add");
        return;
    };
    let dir = copy_of_the_spec();
    let spec = dir.path().join("spec.yaml");
    let before = without_events(&std::fs::read_to_string(&spec).expect("readable"));
    std::fs::write(&spec, &before).expect("written");
    let lock = dir.path().join("spec.pages.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&lock).expect("readable")).expect("JSON");
    record.as_object_mut().expect("an object").remove("events");
    std::fs::write(&lock, serde_json::to_string_pretty(&record).expect("JSON")).expect("written");

    // Two events: the first makes the `x-events` block, the second goes into it.
    let names: Vec<String> = files[..2].iter().map(|f| f.display().to_string()).collect();
    let out = xtask(
        &["docs", "add", "--spec", "spec.yaml", &names[0], &names[1]],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(&spec).expect("readable");
    // Every line the file had is still there, in order.
    let mut lines = after.lines();
    for line in before.lines() {
        assert!(
            lines.any(|l| l == line),
            "the line `{line}` was lost or moved"
        );
    }
    let document: Value = serde_yaml::from_str(&after).expect("YAML");
    let events = document["x-events"]
        .as_mapping()
        .expect("an x-events block");
    let types: Vec<&str> = events.keys().filter_map(Value::as_str).collect();
    let expected: Vec<String> = files[..2]
        .iter()
        .map(|f| read_event(f).event_type.value)
        .collect();
    assert_eq!(types, expected);
    assert!(
        after.find("x-events:") < after.find("\npaths:"),
        "x-events comes before paths"
    );
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&lock).expect("readable")).expect("JSON");
    for event_type in &expected {
        assert!(
            record["events"][event_type]["sha256"].is_string(),
            "{event_type} is recorded"
        );
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(
        differences(dir.path(), "spec.yaml", &refs),
        Vec::<String>::new()
    );
    // Another version of a page is a difference until `--record` records it.
    let mut stale = record.clone();
    stale["events"][&expected[0]]["sha256"] = "0".repeat(64).into();
    std::fs::write(&lock, serde_json::to_string_pretty(&stale).expect("JSON")).expect("written");
    assert_eq!(
        differences(dir.path(), "spec.yaml", &refs),
        vec![format!("{} page", expected[0])]
    );
    let out = xtask(
        &[
            "docs",
            "audit",
            "--spec",
            "spec.yaml",
            "--record",
            &names[0],
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&lock).expect("readable")).expect("JSON");
    assert_eq!(recorded["events"], record["events"]);
    // The words are left to write: `gen` names them and refuses.
    let out = xtask(&["gen", "--spec", "spec.yaml", "--check"], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("DRAFT:"), "{}", stderr(&out));
}

#[test]
fn an_event_the_spec_has_is_refused_and_nothing_is_written() {
    let Some(files) = event_pages() else {
        eprintln!("no ../shared/pages/hire-v1/events beside the checkout; nothing to add");
        return;
    };
    let dir = copy_of_the_spec();
    let before = std::fs::read(dir.path().join("spec.yaml")).expect("readable");
    let lock_before = std::fs::read(dir.path().join("spec.pages.json")).expect("readable");
    let name = files[0].display().to_string();
    let out = xtask(&["docs", "add", "--spec", "spec.yaml", &name], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is already the spec's"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.path().join("spec.yaml")).expect("readable"),
        before
    );
    assert_eq!(
        std::fs::read(dir.path().join("spec.pages.json")).expect("readable"),
        lock_before
    );
}

/// The application stage event: its scopes and app types, its fields, and its example, each set wrong in a copy
/// of the spec, and its page without a header row.
#[test]
fn every_kind_of_event_fact_set_wrong_is_reported() {
    let Some(files) = event_pages() else {
        eprintln!("no ../shared/pages/hire-v1/events beside the checkout; nothing to audit");
        return;
    };
    let stage = files
        .iter()
        .find(|f| {
            f.display()
                .to_string()
                .ends_with("application_events_stage_changed.md")
        })
        .expect("the stage event's page")
        .display()
        .to_string();
    let tags = files
        .iter()
        .find(|f| {
            f.display()
                .to_string()
                .ends_with("talent_events_tag_subscription.md")
        })
        .expect("the tag event's page")
        .display()
        .to_string();
    let dir = copy_of_the_spec();
    let pages = [stage.as_str(), tags.as_str()];
    assert_eq!(
        differences(dir.path(), "spec.yaml", &pages),
        Vec::<String>::new()
    );
    let document: Value = serde_yaml::from_str(
        &std::fs::read_to_string(dir.path().join("spec.yaml")).expect("readable"),
    )
    .expect("YAML");
    let stage_type = "hire.application.stage_changed_v1";
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit, &str); 6] = [
        (
            "a scope",
            |doc| {
                doc["x-events"]["hire.application.stage_changed_v1"]["x-scopes"] =
                    serde_yaml::from_str("[hire:application]").expect("YAML")
            },
            "x-scopes",
        ),
        (
            "an app type",
            |doc| {
                doc["x-events"]["hire.application.stage_changed_v1"]["x-app-types"] =
                    serde_yaml::from_str("[custom]").expect("YAML")
            },
            "x-app-types",
        ),
        (
            "a field's type",
            |doc| {
                doc["components"]["schemas"]["ApplicationStageChangedEvent"]["properties"]
                    ["update_time"] = serde_yaml::from_str("{type: string}").expect("YAML")
            },
            "event.update_time.type",
        ),
        (
            "a field the page lacks",
            |doc| {
                doc["components"]["schemas"]["ApplicationStageChangedEvent"]["properties"]
                    ["extra"] = serde_yaml::from_str("{type: string}").expect("YAML")
            },
            "event.extra",
        ),
        (
            "an example value",
            |doc| {
                doc["x-events"]["hire.application.stage_changed_v1"]["example"]["application_id"] =
                    "1".into()
            },
            "example.application_id",
        ),
        (
            "an event type",
            |doc| {
                let events = doc["x-events"].as_mapping_mut().expect("x-events");
                let entry = events
                    .remove("hire.application.stage_changed_v1")
                    .expect("the event");
                events.insert("hire.application.stage_changed_v2".into(), entry);
            },
            "- x-events",
        ),
    ];
    let mut missed = Vec::new();
    for (what, edit, expected) in cases {
        let mut edited = document.clone();
        edit(&mut edited);
        std::fs::write(
            dir.path().join("wrong.yaml"),
            serde_yaml::to_string(&edited).expect("YAML"),
        )
        .expect("written");
        let found = differences(dir.path(), "wrong.yaml", &[&stage]);
        let wanted = if expected.starts_with("- ") {
            expected.to_owned()
        } else {
            format!("{stage_type} {expected}")
        };
        if !found.contains(&wanted) {
            missed.push(format!("{what}: expected `{wanted}`, found {found:?}"));
        }
    }
    // An enum value of the tag event's change type.
    let mut edited = document.clone();
    edited["components"]["schemas"]["TalentChangeType"]["enum"] =
        serde_yaml::from_str("[1, 2, 4]").expect("YAML");
    std::fs::write(
        dir.path().join("wrong.yaml"),
        serde_yaml::to_string(&edited).expect("YAML"),
    )
    .expect("written");
    let found = differences(dir.path(), "wrong.yaml", &[&tags]);
    if !found
        .iter()
        .any(|f| f.starts_with("hire.talent.tag_subscription_v1 event.type.enum"))
    {
        missed.push(format!("an enum value: found {found:?}"));
    }
    // A page whose delivery lacks a header row the receiver reads.
    let text = std::fs::read_to_string(&stage).expect("readable");
    let cut: String = text
        .lines()
        .filter(|l| !l.starts_with("tenant_key |"))
        .map(|l| format!("{l}\n"))
        .collect();
    let page = dir.path().join("stage.md");
    std::fs::write(&page, cut).expect("written");
    let found = differences(dir.path(), "spec.yaml", &[&page.display().to_string()]);
    if !found.contains(&format!("{stage_type} header.tenant_key")) {
        missed.push(format!("a header row: found {found:?}"));
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}
