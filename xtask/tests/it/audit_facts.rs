//! `cargo xtask docs audit` reports every kind of fact a page states, each set wrong in turn in a copy of the
//! spec: rate limits (both windows of a two-window limit), scopes, app types, token types, error codes, a
//! parameter's type, required mark, limit and default, and enum values, on two operations of the spec and their
//! pages (`../shared/pages/hire-v1`, beside the checkout), which audit clean before each edit.

use crate::docs::{stderr, stdout, xtask};
use serde_yaml::Value;
use std::path::{Path, PathBuf};

fn page(name: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/pages/hire-v1")
        .join(name);
    path.exists().then(|| path.display().to_string())
}

const APPLICATIONS: &str = "candidate-management_delivery-process-management_application_list.md";
const INTERVIEW_RECORDS_V2: &str =
    "candidate-management_delivery-process-management_interview_list-4.md";

/// The paths the audit reports for `pages` against the spec at `spec`.
pub(crate) fn reported(dir: &Path, spec: &Path, pages: &[String]) -> Vec<String> {
    let mut args = vec![
        "docs".to_owned(),
        "audit".to_owned(),
        "--json".to_owned(),
        "--spec".to_owned(),
        spec.display().to_string(),
    ];
    args.extend(pages.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = xtask(&args, dir);
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    findings
        .as_array()
        .expect("a list")
        .iter()
        .filter(|f| f["status"] == "difference")
        .map(|f| {
            format!(
                "{} {}",
                f["operation"].as_str().unwrap_or(""),
                f["path"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn at<'a>(value: &'a mut Value, keys: &[&str]) -> &'a mut Value {
    keys.iter().fold(value, |v, k| match v {
        Value::Sequence(items) => &mut items[k.parse::<usize>().expect("an index")],
        other => other
            .get_mut(*k)
            .unwrap_or_else(|| panic!("no `{k}` on the way to {keys:?}")),
    })
}

#[test]
fn every_kind_of_fact_set_wrong_is_reported() {
    let (Some(applications), Some(records)) = (page(APPLICATIONS), page(INTERVIEW_RECORDS_V2))
    else {
        eprintln!("no ../shared/pages/hire-v1 beside the checkout; nothing to audit");
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("a temp folder");
    let spec = dir.path().join("spec.yaml");
    std::fs::copy(root.join("spec/hire_v1.yaml"), &spec).expect("copied");
    std::fs::copy(
        root.join("spec/hire_v1.pages.json"),
        dir.path().join("spec.pages.json"),
    )
    .expect("copied");
    let pages = [applications, records];
    assert_eq!(reported(dir.path(), &spec, &pages), Vec::<String>::new());

    let document: Value =
        serde_yaml::from_str(&std::fs::read_to_string(&spec).expect("readable")).expect("YAML");
    let list = ["paths", "/open-apis/hire/v1/applications", "get"];
    let records_op = ["paths", "/open-apis/hire/v2/interview_records", "get"];
    let param = |name: &str| -> Vec<String> {
        let Value::Sequence(params) =
            &document["paths"]["/open-apis/hire/v1/applications"]["get"]["parameters"]
        else {
            panic!("parameters");
        };
        let i = params
            .iter()
            .position(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("parameter {name}"));
        let mut path: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        path.extend(["parameters".to_owned(), i.to_string()]);
        path
    };
    type Edit = Box<dyn Fn(&mut Value)>;
    let set = |path: Vec<String>, value: Value| -> Edit {
        Box::new(move |doc: &mut Value| {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            *at(doc, &keys) = value.clone();
        })
    };
    let keys = |base: &[&str], more: &[&str]| -> Vec<String> {
        base.iter().chain(more).map(|s| s.to_string()).collect()
    };
    let page_size = param("page_size");
    let process_id = param("process_id");
    let with = |base: &[String], more: &[&str]| -> Vec<String> {
        base.iter()
            .cloned()
            .chain(more.iter().map(|s| s.to_string()))
            .collect()
    };
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "the per-minute window of a two-window limit",
            set(keys(&list, &["x-rate-limit", "per_minute"]), 999.into()),
            "list_applications x-rate-limit",
        ),
        (
            "the per-second window of a two-window limit",
            set(keys(&list, &["x-rate-limit", "per_second"]), 49.into()),
            "list_applications x-rate-limit",
        ),
        (
            "a scope",
            set(
                keys(&list, &["x-scopes"]),
                serde_yaml::from_str("[hire:application:readonly]").expect("YAML"),
            ),
            "list_applications x-scopes",
        ),
        (
            "an app type",
            set(
                keys(&list, &["x-app-types"]),
                serde_yaml::from_str("[custom]").expect("YAML"),
            ),
            "list_applications x-app-types",
        ),
        (
            "a token type",
            set(
                keys(&records_op, &["x-token-types"]),
                serde_yaml::from_str("[tenant]").expect("YAML"),
            ),
            "list_interview_records_v2 x-token-types",
        ),
        (
            "an error code's HTTP status",
            set(
                keys(&list, &["x-error-codes", "1", "http_status"]),
                500.into(),
            ),
            "list_applications x-error-codes.1002002",
        ),
        (
            "a limit",
            set(with(&page_size, &["schema", "maximum"]), 77.into()),
            "list_applications page_size.maximum",
        ),
        (
            "a default",
            set(with(&page_size, &["schema", "default"]), 20.into()),
            "list_applications page_size.default",
        ),
        (
            "a type",
            set(
                with(&process_id, &["schema"]),
                serde_yaml::from_str("{type: integer, format: int64}").expect("YAML"),
            ),
            "list_applications process_id.type",
        ),
        (
            "a required mark",
            set(with(&process_id, &["required"]), true.into()),
            "list_applications process_id.required",
        ),
        (
            "an enum value",
            set(
                keys(
                    &["components", "schemas", "ApplicationLockStatus", "enum"],
                    &[],
                ),
                serde_yaml::from_str("[1, 2, 4]").expect("YAML"),
            ),
            "list_applications lock_status.enum",
        ),
    ];
    let mut missed = Vec::new();
    for (what, edit, expected) in cases {
        let mut edited = document.clone();
        edit(&mut edited);
        let wrong = dir.path().join("wrong.yaml");
        std::fs::write(&wrong, serde_yaml::to_string(&edited).expect("YAML")).expect("written");
        let found = reported(dir.path(), &wrong, &pages);
        if !found.iter().any(|f| f.starts_with(expected)) {
            missed.push(format!(
                "{what}: expected `{expected}`, the audit reported {found:?}"
            ));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

/// The talent creation page's table leaves the parent of each section's `children` row open, and types the
/// custom modules' `children` as a list where its note and example send a list of lists. The spec settles the
/// first (the row is where the spec has it), and the fields inside the list of lists are still compared.
#[test]
fn the_spec_settles_an_open_parent_and_lists_of_lists_are_compared_inside() {
    let Some(create) = page("candidate-management_talent_combined_create.md") else {
        eprintln!("no ../shared/pages/hire-v1 beside the checkout; nothing to audit");
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().expect("a temp folder");
    let spec = dir.path().join("spec.yaml");
    std::fs::copy(root.join("spec/hire_v1.yaml"), &spec).expect("copied");
    std::fs::copy(
        root.join("spec/hire_v1.pages.json"),
        dir.path().join("spec.pages.json"),
    )
    .expect("copied");
    let pages = [create];
    assert_eq!(reported(dir.path(), &spec, &pages), Vec::<String>::new());
    let document: Value =
        serde_yaml::from_str(&std::fs::read_to_string(&spec).expect("readable")).expect("YAML");
    let schema = |name: &str| ["components", "schemas", name, "properties"].map(str::to_owned);
    let edited = |edit: &dyn Fn(&mut Value)| -> Vec<String> {
        let mut doc = document.clone();
        edit(&mut doc);
        let wrong = dir.path().join("wrong.yaml");
        std::fs::write(&wrong, serde_yaml::to_string(&doc).expect("YAML")).expect("written");
        reported(dir.path(), &wrong, &pages)
    };

    // Without `children` in the spec's section object, nothing settles where the row goes.
    let found = edited(&|doc| {
        let keys = schema("TalentCustomizedDataObjectValue");
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        if let Value::Mapping(fields) = at(doc, &keys) {
            fields.remove("children");
        }
    });
    assert!(
        found.contains(&"combined_create_talent children".to_owned()),
        "{found:?}"
    );

    // A field of the objects inside the list of lists, set to another type, is reported at its path.
    let found = edited(&|doc| {
        let keys = schema("TalentCustomizedDataObjectValueChild");
        let mut keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        keys.push("object_id");
        *at(doc, &keys) = serde_yaml::from_str("{type: integer}").expect("YAML");
    });
    assert!(
        found.contains(
            &"combined_create_talent body.customized_data.children.object_id.type".to_owned()
        ),
        "{found:?}"
    );
}
