//! Comparing a page with its operation in the spec: one [`Finding`] per difference.

use crate::page::{EnumValue, Facts, Field, Page, Param, ParamIn};
use crate::record::{self, AuditedPage, Record};
use crate::spec::{scalar, Operation, SchemaView, Spec};
use serde::Serialize;
use serde_json::Value;

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The spec and the page disagree: the audit fails.
    Difference,
    /// Worth a look, not a failure (a changed enum label).
    Warning,
    /// A difference the spec records as deliberate (`x-doc-deviations`), with its reason.
    Accepted,
}

/// One difference between a page and the spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The page file.
    pub file: String,
    /// The page line the difference is at.
    pub line: usize,
    /// The operation, or `-` when the spec has none for the page.
    pub operation: String,
    /// A dotted path (`data.items.type`), a parameter name, or an operation fact (`x-rate-limit`).
    pub path: String,
    /// What the page says.
    pub page: String,
    /// What the spec says.
    pub spec: String,
    /// How it counts.
    pub status: Status,
    /// The recorded reason, for an accepted difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {} {}: page says {}, spec says {}",
            self.file, self.line, self.operation, self.path, self.page, self.spec
        )?;
        match (self.status, &self.reason) {
            (Status::Warning, _) => f.write_str(" (warning)"),
            (Status::Accepted, Some(reason)) => write!(f, " (accepted: {reason})"),
            _ => Ok(()),
        }
    }
}

/// Audits `page` against `spec`; `record` holds the page versions the spec was audited against.
pub fn audit(page: &Page, spec: &Spec, record: &Record) -> Vec<Finding> {
    let Some(op) = spec.operation(&page.method.value, &page.path.value) else {
        let mut out = Findings::new(page, "-");
        let same_path = spec
            .operations()
            .into_iter()
            .find(|(_, p, _)| *p == page.path.value);
        match same_path {
            Some((method, _, _)) => {
                out.differ(page.method.line, "method", &page.method.value, &method)
            }
            None => out.differ(
                page.path.line,
                "path",
                &format!("{} {}", page.method.value, page.path.value),
                "no operation",
            ),
        }
        return out.list;
    };
    let mut out = Findings::new(page, &op.id);
    request_facts(page, &op, &mut out);
    params(page, &op, &mut out);
    if let Some(body) = &op.body {
        let level = Level {
            path: "body",
            line: 0,
            request: true,
            example: op.body_example.as_ref(),
        };
        fields(
            &page.body,
            &body.properties,
            &body.required,
            &level,
            &mut out,
        );
    } else if let Some(first) = page.body.first() {
        out.differ(first.line, "body", "a request body", "none");
    }
    let data = op.data.clone().unwrap_or_default();
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
    fields(page.data_fields(), &data.properties, &[], &level, &mut out);
    errors(page, &op, &mut out);
    examples(page, &op, &mut out);
    for ambiguity in &page.ambiguities {
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
    for problem in &page.problems {
        out.warn(
            problem.line,
            "page",
            &problem.value,
            "nothing: the page contradicts itself",
        );
    }
    if page.source_url.is_none() {
        out.warn(
            1,
            "externalDocs",
            "nothing of its own address (no front matter `source_url`, no `> Source:` line)",
            op.doc_url.as_deref().unwrap_or("none"),
        );
    }
    recorded_version(page, &op.id, record, &mut out);
    out.apply(&op.deviations);
    out.list
}

/// The findings of one page, as they are found.
struct Findings {
    file: String,
    operation: String,
    list: Vec<Finding>,
}

impl Findings {
    fn new(page: &Page, operation: &str) -> Self {
        Findings {
            file: page.file.clone(),
            operation: operation.to_owned(),
            list: Vec::new(),
        }
    }

    fn differ(&mut self, line: usize, path: &str, page: &str, spec: &str) {
        self.push(line, path, page, spec, Status::Difference);
    }

    fn warn(&mut self, line: usize, path: &str, page: &str, spec: &str) {
        self.push(line, path, page, spec, Status::Warning);
    }

    fn push(&mut self, line: usize, path: &str, page: &str, spec: &str, status: Status) {
        self.list.push(Finding {
            file: self.file.clone(),
            line,
            operation: self.operation.clone(),
            path: path.to_owned(),
            page: page.to_owned(),
            spec: spec.to_owned(),
            status,
            reason: None,
        });
    }

    /// Marks the differences the spec records as deliberate; a recorded deviation that matches nothing is
    /// itself a difference, so that stale ones are removed.
    fn apply(&mut self, deviations: &[crate::spec::Deviation]) {
        for deviation in deviations {
            let mut used = false;
            for finding in &mut self.list {
                if finding.path == deviation.at && finding.status == Status::Difference {
                    finding.status = Status::Accepted;
                    finding.reason = Some(deviation.reason.clone());
                    used = true;
                }
            }
            if !used {
                self.differ(
                    1,
                    &deviation.at,
                    "nothing that differs here",
                    &format!(
                        "a deviation (\"{}\"): remove it from x-doc-deviations",
                        deviation.reason
                    ),
                );
            }
        }
    }
}

/// Notes a page that is not the version the spec was audited against, and enum labels changed since.
fn recorded_version(page: &Page, operation: &str, record: &Record, out: &mut Findings) {
    let Some(recorded) = record.operations.get(operation) else {
        return;
    };
    let updated = |u: &Option<String>| {
        u.as_deref()
            .map(|u| format!(", updated {u}"))
            .unwrap_or_default()
    };
    if recorded.sha256 != page.sha256 {
        out.differ(
            1,
            "page",
            &format!(
                "version {}{}",
                record::short(&page.sha256),
                updated(&page.last_remote_update)
            ),
            &format!(
                "it was audited against version {}{}; review the findings, then run with --record",
                record::short(&recorded.sha256),
                updated(&recorded.last_remote_update)
            ),
        );
    }
    let now = AuditedPage::of(page);
    for (path, labels) in &now.enum_labels {
        let Some(before) = recorded.enum_labels.get(path) else {
            continue;
        };
        for (value, fingerprint) in labels {
            if before.get(value).is_some_and(|old| old != fingerprint) {
                let label = record::label_of(page, path, value).unwrap_or_default();
                out.warn(
                    record::line_of(page, path),
                    &format!("{path}.enum.{value}"),
                    &format!("label \"{label}\""),
                    "a different label was recorded; check the variant's name and description",
                );
            }
        }
    }
}

fn request_facts(page: &Page, op: &Operation, out: &mut Findings) {
    let spec_rate = op
        .rate_limit
        .map_or("none".to_owned(), |n| format!("{n}/s"));
    match &page.rate_limit {
        Some(rate) if Some(u64::from(rate.value)) != op.rate_limit => {
            out.differ(
                rate.line,
                "x-rate-limit",
                &format!("{}/s", rate.value),
                &spec_rate,
            );
        }
        None if op.rate_limit.is_some() => {
            out.differ(page.method.line, "x-rate-limit", "none", &spec_rate);
        }
        _ => {}
    }
    let sets = [
        ("x-scopes", &page.scopes, &op.scopes),
        ("x-field-scopes", &page.field_scopes, &op.field_scopes),
        ("x-app-types", &page.app_types, &op.app_types),
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

fn params(page: &Page, op: &Operation, out: &mut Findings) {
    let audited = |location: ParamIn| matches!(location, ParamIn::Path | ParamIn::Query);
    for param in page.params.iter().filter(|p| audited(p.location)) {
        let Some(spec) = op
            .params
            .iter()
            .find(|s| s.name == param.name && s.location == param.location.as_str())
        else {
            out.differ(
                param.line,
                &param.name,
                &format!("a {} parameter ({})", param.location.as_str(), param.ty),
                "nothing",
            );
            continue;
        };
        if param.required != spec.required {
            out.differ(
                param.line,
                &format!("{}.required", param.name),
                &param.required.to_string(),
                &spec.required.to_string(),
            );
        }
        compare_value(
            &param.name,
            param.line,
            param_type(param),
            &param.facts,
            &spec.schema,
            out,
        );
        let spec_example = spec
            .example
            .as_ref()
            .or(spec.schema.example.as_ref())
            .map(scalar);
        if let Some(example) = &param.facts.example {
            if spec_example.as_deref() != Some(example.as_str()) {
                out.differ(
                    param.line,
                    &format!("{}.example", param.name),
                    example,
                    spec_example.as_deref().unwrap_or("none"),
                );
            }
        }
    }
    let page_names: Vec<&str> = page.params.iter().map(|p| p.name.as_str()).collect();
    for spec in &op.params {
        if matches!(spec.location.as_str(), "path" | "query")
            && !page_names.contains(&spec.name.as_str())
        {
            out.differ(
                page.method.line,
                &spec.name,
                "nothing",
                &format!("a {} parameter", spec.location),
            );
        }
    }
}

fn param_type(param: &Param) -> (&'static str, bool) {
    (param.ty.json_type(), param.ty.array)
}

/// Compares what a page row and a spec schema say of one value: type, array, int64, default, limits, enums.
fn compare_value(
    path: &str,
    line: usize,
    (json_type, array): (&'static str, bool),
    facts: &Facts,
    spec: &SchemaView,
    out: &mut Findings,
) {
    let spec_type = spec.json_type.as_str();
    if json_type != spec_type && !(json_type == "object" && spec_type.is_empty()) {
        out.differ(
            line,
            &format!("{path}.type"),
            json_type,
            if spec_type.is_empty() {
                "no type"
            } else {
                spec_type
            },
        );
    }
    if array != spec.array {
        out.differ(
            line,
            &format!("{path}.array"),
            if array { "an array" } else { "one value" },
            if spec.array { "an array" } else { "one value" },
        );
    }
    if facts.int64 && json_type == "integer" && spec.format.as_deref() != Some("int64") {
        out.differ(
            line,
            &format!("{path}.format"),
            "int64",
            spec.format.as_deref().unwrap_or("none"),
        );
    }
    let num = |n: Option<f64>| n.map(format_number);
    let len = |n: Option<u64>| n.map(|n| n.to_string());
    let limits = [
        ("maximum", num(facts.maximum), num(spec.maximum)),
        ("minimum", num(facts.minimum), num(spec.minimum)),
        ("maxLength", len(facts.max_length), len(spec.max_length)),
        ("minLength", len(facts.min_length), len(spec.min_length)),
    ];
    // A limit the page states must be the spec's; one the spec adds on its own is not a difference.
    for (name, on_page, in_spec) in limits {
        if let Some(on_page) = on_page.filter(|p| Some(p) != in_spec.as_ref()) {
            out.differ(
                line,
                &format!("{path}.{name}"),
                &on_page,
                in_spec.as_deref().unwrap_or("none"),
            );
        }
    }
    if let Some(default) = &facts.default {
        if spec.default.as_deref() != Some(default.as_str()) {
            out.differ(
                line,
                &format!("{path}.default"),
                default,
                spec.default.as_deref().unwrap_or("none"),
            );
        }
    }
    // A boolean's listed values are its two values, not an enum.
    if json_type != "boolean" {
        enums(path, line, &facts.enum_values, &spec.enum_values, out);
    }
}

fn enums(path: &str, line: usize, page: &[EnumValue], spec: &[String], out: &mut Findings) {
    if page.is_empty() && spec.is_empty() {
        return;
    }
    for value in page {
        if !spec.contains(&value.value) {
            out.differ(
                line,
                &format!("{path}.enum"),
                &format!("value {}", value.value),
                "no such value",
            );
        }
    }
    for value in spec {
        if !page.iter().any(|v| &v.value == value) {
            out.differ(
                line,
                &format!("{path}.enum"),
                "no such value",
                &format!("value {value}"),
            );
        }
    }
}

/// Where [`fields`] is in the tree.
struct Level<'a> {
    /// The dotted path of the object.
    path: &'a str,
    /// The line of its row (for fields the page lacks).
    line: usize,
    /// Whether it is in the request body (where rows say whether they are required).
    request: bool,
    /// The spec's example of the object, for the rows' examples (request bodies).
    example: Option<&'a Value>,
}

/// Compares a page's rows with a spec object's properties, recursively.
fn fields(
    page: &[Field],
    spec: &[(String, SchemaView)],
    required: &[String],
    level: &Level<'_>,
    out: &mut Findings,
) {
    for field in page {
        let field_path = format!("{}.{}", level.path, field.name);
        let Some((_, schema)) = spec.iter().find(|(name, _)| *name == field.name) else {
            out.differ(
                field.line,
                &field_path,
                &format!("a field ({})", field.ty),
                "nothing",
            );
            continue;
        };
        compare_value(
            &field_path,
            field.line,
            (field.ty.json_type(), field.ty.array),
            &field.facts,
            schema,
            out,
        );
        let example = schema
            .example
            .as_ref()
            .or_else(|| level.example.and_then(|e| e.get(&field.name)));
        if let Some(on_page) = &field.facts.example {
            if !example.is_some_and(|e| example_matches(on_page, e)) {
                out.differ(
                    field.line,
                    &format!("{field_path}.example"),
                    on_page,
                    &example.map_or("none".to_owned(), short),
                );
            }
        }
        if level.request {
            if let Some(page_required) = field.required {
                let spec_required = required.contains(&field.name);
                if page_required != spec_required {
                    out.differ(
                        field.line,
                        &format!("{field_path}.required"),
                        &page_required.to_string(),
                        &spec_required.to_string(),
                    );
                }
            }
        }
        if field.ty.is_object() {
            let inner = Level {
                path: &field_path,
                line: field.line,
                request: level.request,
                example: example.map(|e| match e {
                    Value::Array(items) => items.first().unwrap_or(&Value::Null),
                    other => other,
                }),
            };
            fields(
                &field.children,
                &schema.properties,
                &schema.required,
                &inner,
                out,
            );
        }
    }
    for (name, _) in spec {
        if !page.iter().any(|f| &f.name == name) {
            out.differ(
                level.line.max(1),
                &format!("{}.{name}", level.path),
                "nothing",
                "a field",
            );
        }
    }
}

/// Whether a page's example (as written) is the spec's example value.
fn example_matches(on_page: &str, spec: &Value) -> bool {
    match spec {
        Value::String(s) => on_page == s,
        other => serde_json::from_str::<Value>(on_page).is_ok_and(|v| &v == other),
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
            Some(spec) if spec.http_status != u64::from(row.http_status) => out.differ(
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
    let pairs = [
        (
            "example",
            page.response_example.as_ref(),
            op.response_example.as_ref(),
        ),
        (
            "body-example",
            page.request_example.as_ref(),
            op.body_example.as_ref(),
        ),
    ];
    for (name, on_page, in_spec) in pairs {
        match (on_page, in_spec) {
            (Some(on_page), Some(in_spec)) => {
                let mut differences = Vec::new();
                compare_json(name, &on_page.value.to_value(), in_spec, &mut differences);
                for (path, p, s) in differences {
                    out.differ(on_page.line, &path, &p, &s);
                }
            }
            (Some(on_page), None) => out.differ(on_page.line, name, "an example", "none"),
            (None, Some(_)) => out.differ(page.method.line, name, "none", "an example"),
            (None, None) => {}
        }
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

/// A JSON value, cut short for one line.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
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
