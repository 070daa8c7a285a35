//! Comparing a page with its operation in the spec: one [`Finding`] per difference.

use crate::page::{EnumValue, Facts, Field, Page, Param, ParamIn};
use crate::record::{self, AuditedPage, Record};
use codegen::model::{self, Api, DocDeviation, Operation, Rules, Struct, Type};
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

/// Audits `page` against `spec`, the model the client is generated from (see `codegen::read`); `record` holds
/// the page versions the spec was audited against.
pub fn audit(page: &Page, spec: &Api, record: &Record) -> Vec<Finding> {
    let Some(op) = operation(spec, &page.method.value, &page.path.value) else {
        let mut out = Findings::new(page, "-");
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
    let mut out = Findings::new(page, &op.id);
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
    out.apply(&op.doc_deviations);
    out.list
}

/// The operation of the spec at `method` and `path`.
pub fn operation<'a>(spec: &'a Api, method: &str, path: &str) -> Option<&'a Operation> {
    spec.operations
        .iter()
        .find(|op| op.method.as_str() == method && op.path == path)
}

fn struct_named<'a>(spec: &'a Api, name: &str) -> Option<&'a Struct> {
    spec.structs.iter().find(|s| s.name == name)
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
    fn apply(&mut self, deviations: &[DocDeviation]) {
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
        Some(rate) if Some(u64::from(rate.value)) != op.rate_limit.map(u64::from) => {
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

fn params(page: &Page, api: &Api, op: &Operation, out: &mut Findings) {
    let audited = |location: ParamIn| matches!(location, ParamIn::Path | ParamIn::Query);
    for param in page.params.iter().filter(|p| audited(p.location)) {
        let Some(spec) = op
            .params
            .iter()
            .find(|s| s.wire == param.name && s.location.as_str() == param.location.as_str())
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
        let value = SpecValue::of(api, &spec.ty, &spec.rules, spec.default.as_deref());
        compare_value(
            &param.name,
            param.line,
            param_type(param),
            &param.facts,
            &value,
            out,
        );
        let spec_example = spec.example.as_ref().map(scalar);
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
        if !page_names.contains(&spec.wire.as_str()) {
            out.differ(
                page.method.line,
                &spec.wire,
                "nothing",
                &format!("a {} parameter", spec.location.as_str()),
            );
        }
    }
}

/// A scalar as the page would write it: strings without quotes.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What the spec says of one value, in the terms a page row states: its JSON type, whether it is a list,
/// its format, enum values, default and limits, and the object it is, if it is one.
struct SpecValue<'a> {
    /// `string`, `integer`, `number`, `boolean` or `object` (of one item, for a list).
    json_type: &'static str,
    /// Whether it is a list (the rest describes one item).
    array: bool,
    /// Whether it is a 64-bit integer.
    int64: bool,
    /// The listed values of an enum, as the page writes them.
    enum_values: Vec<String>,
    /// The server's default.
    default: Option<&'a str>,
    minimum: Option<i64>,
    maximum: Option<i64>,
    /// `minLength`; of a list, `minItems`.
    min_length: Option<u64>,
    /// `maxLength`; of a list, `maxItems`.
    max_length: Option<u64>,
    /// The object, when it is one (of one item, for a list).
    object: Option<&'a Struct>,
}

impl<'a> SpecValue<'a> {
    fn of(api: &'a Api, ty: &'a Type, rules: &Rules, default: Option<&'a str>) -> Self {
        let (item, array) = match ty {
            Type::List(item) => (&**item, true),
            other => (other, false),
        };
        let mut value = SpecValue {
            json_type: "object",
            array,
            int64: matches!(item, Type::I64),
            enum_values: Vec::new(),
            default,
            minimum: rules.minimum,
            maximum: rules.maximum,
            min_length: if array {
                rules.min_items
            } else {
                rules.min_length
            },
            max_length: if array {
                rules.max_items
            } else {
                rules.max_length
            },
            object: None,
        };
        value.json_type = match item {
            Type::String => "string",
            Type::Bool => "boolean",
            Type::I32 | Type::I64 => "integer",
            Type::F64 => "number",
            Type::List(_) => "array",
            Type::Json => "object",
            Type::Struct(name) => {
                value.object = struct_named(api, name);
                "object"
            }
            Type::Enum(name) => {
                let listed = api.enums.iter().find(|e| &e.name == name);
                if let Some(listed) = listed {
                    value.enum_values = listed
                        .variants
                        .iter()
                        .map(|v| v.value.to_string())
                        .collect();
                }
                match listed.map(|e| e.repr) {
                    Some(model::EnumRepr::Integer) => "integer",
                    _ => "string",
                }
            }
        };
        value
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
    spec: &SpecValue<'_>,
    out: &mut Findings,
) {
    let spec_type = spec.json_type;
    if json_type != spec_type {
        out.differ(line, &format!("{path}.type"), json_type, spec_type);
    }
    if array != spec.array {
        out.differ(
            line,
            &format!("{path}.array"),
            if array { "an array" } else { "one value" },
            if spec.array { "an array" } else { "one value" },
        );
    }
    if facts.int64 && json_type == "integer" && !spec.int64 {
        let spec_format = if spec.json_type == "integer" {
            "int32"
        } else {
            "none"
        };
        out.differ(line, &format!("{path}.format"), "int64", spec_format);
    }
    let num = |n: Option<f64>| n.map(format_number);
    let int = |n: Option<i64>| n.map(|n| n.to_string());
    let len = |n: Option<u64>| n.map(|n| n.to_string());
    let limits = [
        ("maximum", num(facts.maximum), int(spec.maximum)),
        ("minimum", num(facts.minimum), int(spec.minimum)),
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
        if spec.default != Some(default.as_str()) {
            out.differ(
                line,
                &format!("{path}.default"),
                default,
                spec.default.unwrap_or("none"),
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

/// Compares a page's rows with a spec object's fields, recursively.
fn fields(page: &[Field], api: &Api, spec: Option<&Struct>, level: &Level<'_>, out: &mut Findings) {
    let spec_fields = spec.map(|s| s.fields.as_slice()).unwrap_or_default();
    for field in page {
        let field_path = format!("{}.{}", level.path, field.name);
        let Some(spec_field) = spec_fields.iter().find(|f| f.wire == field.name) else {
            out.differ(
                field.line,
                &field_path,
                &format!("a field ({})", field.ty),
                "nothing",
            );
            continue;
        };
        let value = SpecValue::of(
            api,
            &spec_field.ty,
            &spec_field.rules,
            spec_field.default.as_deref(),
        );
        compare_value(
            &field_path,
            field.line,
            (field.ty.json_type(), field.ty.array),
            &field.facts,
            &value,
            out,
        );
        let example = spec_field
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
                if page_required != spec_field.required {
                    out.differ(
                        field.line,
                        &format!("{field_path}.required"),
                        &page_required.to_string(),
                        &spec_field.required.to_string(),
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
            fields(&field.children, api, value.object, &inner, out);
        }
    }
    for spec_field in spec_fields {
        if !page.iter().any(|f| f.name == spec_field.wire) {
            out.differ(
                level.line.max(1),
                &format!("{}.{}", level.path, spec_field.wire),
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
    let pairs = [
        (
            "example",
            page.response_example.as_ref(),
            op.examples.answer.as_ref(),
        ),
        (
            "body-example",
            page.request_example.as_ref(),
            op.examples.body.as_ref(),
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
