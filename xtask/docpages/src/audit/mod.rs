//! Comparing a page with its operation in the spec: one [`Finding`] per difference.
//!
//! The operation's own facts (rate, scopes, app types, address, error codes, examples) are compared here; its
//! parameters and fields, value by value, in `values.rs`; `findings.rs` collects what differs.

mod event;
mod findings;
mod values;

pub use event::{audit_event, HEADER_FIELDS};

pub use findings::{Finding, Status};

use crate::page::ordered::Json;
use crate::page::{Ambiguity, Located, Page};
use crate::record::{self, AuditedPage, Record};
use codegen::model::{Api, Operation, Struct, Type};
use findings::{short, Findings};
use serde_json::Value;
use values::{fields, params, struct_named, Level};

/// Audits `page` against `spec`, the model the client is generated from (see `codegen::read`); `record` holds
/// the page versions the spec was audited against.
pub fn audit(page: &Page, spec: &Api, record: &Record) -> Vec<Finding> {
    let Some(op) = operation(spec, &page.method.value, &page.path.value) else {
        let mut out = Findings::new(&page.file, "-");
        match spec.operations.iter().find(|o| o.path == page.path.value) {
            Some(other) => out.differ(
                page.method.line,
                "method",
                &page.method.value,
                other.method.as_str(),
            ),
            None => out.differ(
                page.path.line,
                "path",
                &format!("{} {}", page.method.value, page.path.value),
                "no operation",
            ),
        }
        return out.list;
    };
    let mut out = Findings::new(&page.file, &op.id);
    request_facts(page, op, &mut out);
    params(page, spec, op, &mut out);
    if let Some(body) = &op.body {
        let level = Level {
            path: "body",
            line: 0,
            request: true,
            example: op.examples.body.as_ref(),
        };
        fields(
            &page.body,
            spec,
            struct_named(spec, &body.ty),
            &level,
            &mut out,
        );
    } else if let Some(form) = &op.form {
        form_parts(page, form, &mut out);
    } else if let Some(first) = page.body.first() {
        out.differ(first.line, "body", "a request body", "none");
    }
    let data_line = page
        .response
        .iter()
        .find(|f| f.name == "data")
        .map_or(page.method.line, |f| f.line);
    let level = Level {
        path: "data",
        line: data_line,
        request: false,
        example: None,
    };
    fields(
        page.data_fields(),
        spec,
        struct_named(spec, &op.data),
        &level,
        &mut out,
    );
    errors(page, op, &mut out);
    examples(page, op, &mut out);
    let roots = [
        op.body
            .as_ref()
            .and_then(|body| struct_named(spec, &body.ty)),
        struct_named(spec, &op.data),
    ];
    reading(
        &page.ambiguities,
        &page.problems,
        &page.repairs,
        (spec, &roots, |path| Some(path)),
        &mut out,
    );
    if page.source_url.is_none() {
        out.warn(
            1,
            "externalDocs",
            "nothing of its own address (no front matter `source_url`, no `> Source:` line)",
            op.doc_url.as_deref().unwrap_or("none"),
        );
    }
    recorded_version(
        &AuditedPage::of(page),
        record.operations.get(&op.id),
        |path, value| {
            (
                record::label_of(page, path, value).unwrap_or_default(),
                record::line_of(page, path),
            )
        },
        &mut out,
    );
    out.apply(&op.doc_deviations);
    out.list
}

/// The object at a dotted path of fields (`.` is `root` itself), through lists.
fn object_at<'a>(spec: &'a Api, root: Option<&'a Struct>, path: &str) -> Option<&'a Struct> {
    let mut object = root?;
    for name in path.split('.').filter(|name| !name.is_empty()) {
        let field = object.fields.iter().find(|f| f.wire == name)?;
        let mut ty = &field.ty;
        while let Type::List(item) = ty {
            ty = item;
        }
        let Type::Struct(next) = ty else {
            return None;
        };
        object = struct_named(spec, next)?;
    }
    Some(object)
}

/// The operation of the spec at `method` and `path`.
pub fn operation<'a>(spec: &'a Api, method: &str, path: &str) -> Option<&'a Operation> {
    spec.operations
        .iter()
        .find(|op| op.method.as_str() == method && op.path == path)
}

/// How the spec reads the objects a page's rows stand in: the spec, the objects its dotted paths start from, and
/// how a page's path becomes a path below them (`None` for a path outside them).
type SpecObjects<'a> = (&'a Api, &'a [Option<&'a Struct>], fn(&str) -> Option<&str>);

/// What the audit says of how a page was read, whatever its kind: each row whose parent the page leaves open
/// and the spec does not settle, each place the page contradicts itself, and each example read after a repair.
/// The reader placed such a row in its first candidate; the spec settles it when one of its objects has the field
/// there and not in the other candidates (every fact of the row is then compared where it stands).
fn reading(
    ambiguities: &[Ambiguity],
    problems: &[Located<String>],
    repairs: &[Located<String>],
    (spec, roots, below): SpecObjects<'_>,
    out: &mut Findings,
) {
    for ambiguity in ambiguities {
        let settled = roots.iter().any(|root| {
            let holds = |path: &str| {
                below(path)
                    .and_then(|path| object_at(spec, *root, path))
                    .is_some_and(|s| s.fields.iter().any(|f| f.wire == ambiguity.name))
            };
            match ambiguity.candidates.as_slice() {
                [placed, others @ ..] => holds(placed) && !others.iter().any(|o| holds(o)),
                [] => false,
            }
        });
        if !settled {
            out.differ(
                ambiguity.line,
                &ambiguity.name,
                &format!(
                    "a row whose parent is either `{}`",
                    ambiguity.candidates.join("` or `")
                ),
                "nothing to decide it",
            );
        }
    }
    for problem in problems {
        out.warn(
            problem.line,
            "page",
            &problem.value,
            "nothing: the page contradicts itself",
        );
    }
    for repair in repairs {
        out.warn(
            repair.line,
            "page",
            &repair.value,
            "the example as repaired",
        );
    }
}

/// Notes a page that is not the version the spec was audited against (`recorded`), and enum labels changed
/// since; `now` is what the record would keep of the page, and `row(path, value)` the page's label of an enum
/// value and its line.
fn recorded_version(
    now: &AuditedPage,
    recorded: Option<&AuditedPage>,
    row: impl Fn(&str, &str) -> (String, usize),
    out: &mut Findings,
) {
    let Some(recorded) = recorded else {
        return;
    };
    let updated = |u: &Option<String>| {
        u.as_deref()
            .map(|u| format!(", updated {u}"))
            .unwrap_or_default()
    };
    if recorded.sha256 != now.sha256 {
        out.differ(
            1,
            "page",
            &format!(
                "version {}{}",
                record::short(&now.sha256),
                updated(&now.last_remote_update)
            ),
            &format!(
                "it was audited against version {}{}; review the findings, then run with --record",
                record::short(&recorded.sha256),
                updated(&recorded.last_remote_update)
            ),
        );
    }
    for (path, labels) in &now.enum_labels {
        let Some(before) = recorded.enum_labels.get(path) else {
            continue;
        };
        for (value, fingerprint) in labels {
            if before.get(value).is_some_and(|old| old != fingerprint) {
                let (label, line) = row(path, value);
                out.warn(
                    line,
                    &format!("{path}.enum.{value}"),
                    &format!("label \"{label}\""),
                    "a different label was recorded; check the variant's name and description",
                );
            }
        }
    }
}

fn request_facts(page: &Page, op: &Operation, out: &mut Findings) {
    let rate_text = |limit: &codegen::model::RateLimit| {
        let windows: Vec<String> = [(limit.per_minute, "min"), (limit.per_second, "s")]
            .into_iter()
            .filter_map(|(n, unit)| Some(format!("{}/{unit}", n?)))
            .collect();
        if windows.is_empty() {
            "none".to_owned()
        } else {
            windows.join(", ")
        }
    };
    let on_page = page
        .rate_limit
        .as_ref()
        .map(|r| r.value)
        .unwrap_or_default();
    if on_page != op.rate_limit {
        let line = page
            .rate_limit
            .as_ref()
            .map_or(page.method.line, |r| r.line);
        out.differ(
            line,
            "x-rate-limit",
            &rate_text(&on_page),
            &rate_text(&op.rate_limit),
        );
    }
    // A page without an `Authorization` row says nothing of tokens; the spec's default is a tenant token.
    if !page.token_types.value.is_empty() {
        let in_spec: Vec<String> = op
            .token_types
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        if !same_set(&page.token_types.value, &in_spec) {
            out.differ(
                page.token_types.line,
                "x-token-types",
                &list(&page.token_types.value),
                &list(&in_spec),
            );
        }
    }
    let app_types: Vec<String> = op.app_types.iter().map(|t| t.as_str().to_owned()).collect();
    let sets = [
        ("x-scopes", &page.scopes, &op.scopes),
        ("x-field-scopes", &page.field_scopes, &op.field_scopes),
        ("x-app-types", &page.app_types, &app_types),
    ];
    for (name, on_page, in_spec) in sets {
        if !same_set(&on_page.value, in_spec) {
            let line = if on_page.line == 0 {
                page.method.line
            } else {
                on_page.line
            };
            out.differ(line, name, &list(&on_page.value), &list(in_spec));
        }
    }
    if let Some(url) = &page.source_url {
        if op.doc_url.as_deref() != Some(url.as_str()) {
            out.differ(
                1,
                "externalDocs",
                url,
                op.doc_url.as_deref().unwrap_or("none"),
            );
        }
    }
}

fn errors(page: &Page, op: &Operation, out: &mut Findings) {
    for row in &page.errors {
        match op.errors.iter().find(|e| e.code == row.code) {
            None => out.differ(
                row.line,
                &format!("x-error-codes.{}", row.code),
                &format!("HTTP {}", row.http_status),
                "no such code",
            ),
            Some(spec) if spec.http_status != row.http_status => out.differ(
                row.line,
                &format!("x-error-codes.{}", row.code),
                &format!("HTTP {}", row.http_status),
                &format!("HTTP {}", spec.http_status),
            ),
            Some(_) => {}
        }
    }
    let line = page.errors.first().map_or(page.method.line, |e| e.line);
    for spec in &op.errors {
        if !page.errors.iter().any(|e| e.code == spec.code) {
            out.differ(
                line,
                &format!("x-error-codes.{}", spec.code),
                "no such code",
                &format!("HTTP {}", spec.http_status),
            );
        }
    }
}

fn examples(page: &Page, op: &Operation, out: &mut Findings) {
    example(
        "example",
        page.response_example.as_ref(),
        op.examples.answer.as_ref(),
        page.method.line,
        out,
    );
    example(
        "body-example",
        page.request_example.as_ref(),
        op.examples.body.as_ref(),
        page.method.line,
        out,
    );
}

/// Compares a page's example with the spec's, at each path where they differ; when only one side has one, says so
/// (at `line` when the page has none).
fn example(
    name: &str,
    on_page: Option<&Located<Json>>,
    in_spec: Option<&Value>,
    line: usize,
    out: &mut Findings,
) {
    match (on_page, in_spec) {
        (Some(on_page), Some(in_spec)) => {
            let mut differences = Vec::new();
            compare_json(name, &on_page.value.to_value(), in_spec, &mut differences);
            for (path, p, s) in differences {
                out.differ(on_page.line, &path, &p, &s);
            }
        }
        (Some(on_page), None) => out.differ(on_page.line, name, "an example", "none"),
        (None, Some(_)) => out.differ(line, name, "none", "an example"),
        (None, None) => {}
    }
}

/// The paths where two JSON values differ, with what each holds there.
fn compare_json(path: &str, page: &Value, spec: &Value, out: &mut Vec<(String, String, String)>) {
    match (page, spec) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let at = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => compare_json(&at, value, other, out),
                    None => out.push((at, short(value), "nothing".to_owned())),
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    out.push((format!("{path}.{key}"), "nothing".to_owned(), short(value)));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare_json(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (a, b) if a != b => out.push((path.to_owned(), short(a), short(b))),
        _ => {}
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// A file upload's body rows against the spec's form: each part, whether it is required, a file or text, and a
/// file's size limit.
fn form_parts(page: &Page, form: &codegen::model::Form, out: &mut Findings) {
    use codegen::model::FormKind;
    for row in &page.body {
        let path = format!("form.{}", row.name);
        let Some(part) = form.fields.iter().find(|f| f.wire == row.name) else {
            out.differ(row.line, &path, "a part", "nothing");
            continue;
        };
        if let Some(required) = row.required {
            if required != part.required {
                out.differ(
                    row.line,
                    &format!("{path}.required"),
                    &required.to_string(),
                    &part.required.to_string(),
                );
            }
        }
        let on_page_file = row.ty.base == "file";
        match (&part.kind, on_page_file) {
            (FormKind::File { max_bytes }, true) => {
                if row.facts.max_bytes != *max_bytes {
                    let bytes =
                        |n: &Option<u64>| n.map_or("none".to_owned(), |n| format!("{n} bytes"));
                    out.differ(
                        row.line,
                        &format!("{path}.maxLength"),
                        &bytes(&row.facts.max_bytes),
                        &bytes(max_bytes),
                    );
                }
            }
            (FormKind::Text(_), false) => {}
            (_, on_page_file) => out.differ(
                row.line,
                &format!("{path}.type"),
                if on_page_file { "a file" } else { "text" },
                if on_page_file { "text" } else { "a file" },
            ),
        }
    }
    for part in &form.fields {
        if !page.body.iter().any(|row| row.name == part.wire) {
            out.differ(
                page.method.line,
                &format!("form.{}", part.wire),
                "nothing",
                "a part",
            );
        }
    }
}
