//! A spec fragment, in the spec's conventions, for a page the spec does not cover yet.
//!
//! The facts (names, types, limits, enum values, scopes, error codes, examples) come from the page. Its words
//! (the title, field labels, enum labels, error descriptions) are put in with the [`DRAFT_MARK`] mark, which
//! `cargo xtask gen` refuses until a maintainer rewrites each in their own words. Names the page does not give
//! (the operation id, schema names, enum variant names) are derived, and are worth a look too.

use crate::page::ordered::Json;
use crate::page::{
    Ambiguity, Doc, EnumValue, Facts, Field, Located, Page, PageType, Param, ParamIn,
};
use codegen::load::DRAFT_MARK;
use codegen::naming::{self, type_name};
use codegen::{DraftLabels, Spec};
use serde_yaml::{Mapping, Value};
use std::collections::{HashMap, HashSet};

mod event;
mod fit;
mod operation_id;
mod widen;

pub use event::{drafted_event, DraftedEvent};

use fit::{fit_into, new_names, rename_refs, Fit};

/// The draft for `page`, as YAML text: a whole OpenAPI document, which `docs audit` and `gen` read on their own.
pub fn draft(page: &Page) -> String {
    draft_against(page, None)
}

/// The fragment for `page` beside the spec whose YAML text is `spec_text` (see [`draft_against`]); `spec_name`
/// names it in errors. The spec is read as `docs audit` reads it (`codegen::read`, a draft's labels accepted).
pub fn draft_beside(page: &Page, spec_name: &str, spec_text: &str) -> Result<String, String> {
    let spec =
        codegen::read(spec_name, spec_text, DraftLabels::Accepted).map_err(|e| e.to_string())?;
    Ok(draft_against(page, Some(&spec)))
}

/// The draft of a page of either kind, as YAML text: a whole document without `spec_text`, else the fragment
/// beside the spec whose YAML text it is (`spec_name` names it in errors).
pub fn draft_doc(doc: &Doc, spec: Option<(&str, &str)>) -> Result<String, String> {
    let spec = match spec {
        Some((name, text)) => {
            Some(codegen::read(name, text, DraftLabels::Accepted).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    Ok(match doc {
        Doc::Operation(page) => draft_against(page, spec.as_ref()),
        Doc::Event(page) => drafted_event(page, spec.as_ref()).render(spec.is_some()),
    })
}

/// The draft for `page`, as YAML text.
///
/// Without a spec, it is a whole document, with the envelope the answer is wrapped in. Beside a spec, it is a
/// fragment to merge into it: a drafted schema the spec already has, field for field, is the spec's (its name is
/// used, and it is not drafted again), a new schema whose name the spec uses for something else is named after
/// the operation instead, and a documented error code keeps the spec's name.
pub fn draft_against(page: &Page, spec: Option<&Spec>) -> String {
    drafted(page, spec).render(spec.is_some())
}

/// A page's draft in parts: what `docs draft` prints, and what `docs add` writes into the spec.
pub struct Drafted {
    /// The page file drafted.
    pub file: String,
    /// What the header says beyond the standard lines, one sentence each: what the page contradicts or repairs,
    /// where its nesting is ambiguous, which drafted schemas are the spec's, and which names changed.
    pub remarks: Vec<String>,
    /// The drafted `operationId`.
    pub operation_id: String,
    /// The operation's path, as the spec writes it (`/open-apis/hire/v1/jobs/{job_id}`).
    pub path: String,
    /// The method, lowercase, as a key of the path item.
    pub method: String,
    /// The operation object.
    pub operation: Value,
    /// The new schemas, in the draft's order (a whole document also gets the envelope and the error answer).
    pub schemas: Mapping,
    title: String,
}

impl Drafted {
    /// The draft as YAML text with its header: a whole document, or with `fragment` the part to merge into a spec.
    pub fn render(&self, fragment: bool) -> String {
        let paths = map([(
            self.path.as_str(),
            map([(self.method.as_str(), self.operation.clone())]),
        )]);
        let document = if fragment {
            map([
                ("paths", paths),
                (
                    "components",
                    map([("schemas", Value::Mapping(self.schemas.clone()))]),
                ),
            ])
        } else {
            whole_document(&self.title, paths, self.schemas.clone())
        };
        let merge = if fragment {
            "# Merge `paths` and `components.schemas` into the spec (`cargo xtask docs add` does it in place)."
        } else {
            "# A whole document, which `docs audit --spec` and `gen --spec` read on their own; into the spec, merge\n\
             # `paths` and `components.schemas`, but for the envelope and the error answer, which it has."
        };
        let mut header = format!(
            "# Drafted by `cargo xtask docs draft` from {file}.\n\
             {merge}\n\
             # Every text marked `{DRAFT_MARK}` is the page's own words: rewrite each in yours (`cargo xtask gen`\n\
             # refuses the mark), and review the derived names (operationId, schema names, enum variant names,\n\
             # error-code names).\n",
            file = self.file
        );
        for remark in &self.remarks {
            header.push_str(&format!("# {remark}.\n"));
        }
        format!("{header}{}", yaml_text(&document))
    }
}

/// `value` as YAML text, every string a YAML reader could take for something else quoted.
pub fn yaml_text(value: &Value) -> String {
    match serde_yaml::to_string(value) {
        Ok(yaml) => quote_plain_strings(yaml, value),
        Err(e) => format!("# cannot write YAML: {e}\n"),
    }
}

/// The draft of `page` in parts, beside `spec` when given (see [`draft_against`]).
pub fn drafted(page: &Page, spec: Option<&Spec>) -> Drafted {
    let mut drafter = Drafter {
        schemas: Mapping::new(),
        deviations: Vec::new(),
        numbered: HashMap::new(),
    };
    let id = operation_id::operation_id(&page.method.value, &page.path.value);
    let type_base = type_name(&id);
    let mut op = Mapping::new();
    op.insert("operationId".into(), id.clone().into());
    op.insert("tags".into(), Value::Sequence(vec!["hire".into()]));
    op.insert("summary".into(), marked(&page.title));
    if let Some(url) = &page.source_url {
        op.insert("externalDocs".into(), map([("url", url.clone().into())]));
    }
    if let Some(rate) = &page.rate_limit {
        let limit = rate.value;
        let value: Value = match (limit.per_second, limit.per_minute) {
            (Some(n), None) => u64::from(n).into(),
            (per_second, per_minute) => {
                let mut windows = Mapping::new();
                if let Some(n) = per_second {
                    windows.insert("per_second".into(), u64::from(n).into());
                }
                if let Some(n) = per_minute {
                    windows.insert("per_minute".into(), u64::from(n).into());
                }
                Value::Mapping(windows)
            }
        };
        op.insert("x-rate-limit".into(), value);
    }
    op.insert("x-scopes".into(), strings(&page.scopes.value));
    if !page.field_scopes.value.is_empty() {
        op.insert("x-field-scopes".into(), strings(&page.field_scopes.value));
    }
    if !page.app_types.value.is_empty() {
        op.insert("x-app-types".into(), strings(&page.app_types.value));
    }
    if !page.token_types.value.is_empty() {
        op.insert("x-token-types".into(), strings(&page.token_types.value));
    }
    op.insert("x-idempotent".into(), (page.method.value == "GET").into());
    if let Some(pagination) = pagination(page) {
        op.insert("x-pagination".into(), pagination);
    }
    if !page.errors.is_empty() {
        let codes = page
            .errors
            .iter()
            .map(|e| {
                map([
                    ("http_status", u64::from(e.http_status).into()),
                    ("code", e.code.into()),
                    ("name", error_name(spec, e.code).into()),
                    ("description", marked(&e.description)),
                ])
            })
            .collect();
        op.insert("x-error-codes".into(), Value::Sequence(codes));
    }
    let params: Vec<Value> = page
        .params
        .iter()
        .filter(|p| p.location != ParamIn::Header)
        .map(|p| drafter.param(p, &type_base))
        .collect();
    if !drafter.deviations.is_empty() {
        op.insert(
            "x-doc-deviations".into(),
            Value::Sequence(std::mem::take(&mut drafter.deviations)),
        );
    }
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Sequence(params));
    }
    // A file upload: `Content-Type` fixed to `multipart/form-data`, one part per body row, written inline.
    let multipart = page.params.iter().any(|p| {
        p.location == ParamIn::Header
            && p.name.eq_ignore_ascii_case("Content-Type")
            && p.facts
                .fixed
                .as_deref()
                .is_some_and(|f| f.contains("multipart/form-data"))
    });
    if multipart && !page.body.is_empty() {
        let mut properties = Mapping::new();
        let mut required = Vec::new();
        for row in &page.body {
            let schema = if row.ty.base == "file" {
                let mut file = mapping([("type", "string".into()), ("format", "binary".into())]);
                if let Some(bytes) = row.facts.max_bytes {
                    file.insert("maxLength".into(), bytes.into());
                }
                file.insert("description".into(), marked(&row.facts.label));
                Value::Mapping(file)
            } else {
                let enum_name = format!("{type_base}{}", type_name(&row.name));
                drafter.value_schema(&row.ty, &row.facts, &enum_name, true)
            };
            if row.required == Some(true) {
                required.push(Value::from(row.name.clone()));
            }
            properties.insert(row.name.clone().into(), schema);
        }
        let mut form = mapping([("type", "object".into())]);
        if !required.is_empty() {
            form.insert("required".into(), Value::Sequence(required));
        }
        form.insert("properties".into(), Value::Mapping(properties));
        op.insert(
            "requestBody".into(),
            map([
                ("required", true.into()),
                (
                    "content",
                    map([(
                        "multipart/form-data",
                        map([("schema", Value::Mapping(form))]),
                    )]),
                ),
            ]),
        );
    } else if !page.body.is_empty() {
        let name = format!("{type_base}Body");
        let schema = drafter.object(&page.body, &name, true);
        drafter.schemas.insert(name.clone().into(), schema);
        let mut json = mapping([("schema", reference(&name))]);
        if let Some(example) = &page.request_example {
            json.insert("example".into(), ordered_yaml(&example.value));
        }
        op.insert(
            "requestBody".into(),
            map([
                ("required", true.into()),
                ("content", map([("application/json", Value::Mapping(json))])),
            ]),
        );
    }
    let data_name = format!("{type_base}Data");
    let data = drafter.object(page.data_fields(), &data_name, false);
    drafter.schemas.insert(data_name.clone().into(), data);
    // Integers whose examples need 64 bits (millisecond timestamps the page types `int`).
    if let Some(example) = &page.response_example {
        if let Some(data) = ordered_yaml(&example.value).get("data") {
            widen::widen_to_example(&mut drafter.schemas, &data_name, data);
        }
    }
    if let Some(example) = &page.request_example {
        let body = format!("{type_base}Body");
        widen::widen_to_example(&mut drafter.schemas, &body, &ordered_yaml(&example.value));
    }
    let envelope = map([(
        "allOf",
        Value::Sequence(vec![
            reference("ResponseEnvelope"),
            map([
                ("type", "object".into()),
                ("properties", map([("data", reference(&data_name))])),
            ]),
        ]),
    )]);
    let mut json = mapping([("schema", envelope)]);
    if let Some(example) = &page.response_example {
        json.insert("example".into(), ordered_yaml(&example.value));
    }
    let responses = map([
        (
            "200",
            map([
                ("description", marked(&page.title)),
                ("content", map([("application/json", Value::Mapping(json))])),
            ]),
        ),
        ("default", reference_to("#/components/responses/Error")),
    ]);
    op.insert("responses".into(), responses);

    let method = page.method.value.to_lowercase();
    let mut op = Value::Mapping(op);
    let mut schemas = drafter.schemas;
    let mut remarks = reading_remarks(&page.problems, &page.repairs, &page.ambiguities);
    remarks.extend(fit_to_spec(&mut schemas, &mut op, spec, &type_base));
    Drafted {
        file: page.file.clone(),
        remarks,
        operation_id: id,
        path: page.path.value.clone(),
        method,
        operation: op,
        schemas,
        title: page.title.clone(),
    }
}

/// What a draft's header says of how its page was read: where the page contradicts itself, which examples were
/// repaired, and which rows' parents it leaves open.
fn reading_remarks(
    problems: &[Located<String>],
    repairs: &[Located<String>],
    ambiguities: &[Ambiguity],
) -> Vec<String> {
    let mut remarks = Vec::new();
    for problem in problems {
        remarks.push(format!(
            "The page contradicts itself at line {}: {}; that part is not drafted",
            problem.line,
            one_line(&problem.value)
        ));
    }
    for repair in repairs {
        remarks.push(format!(
            "The page's example at line {} is repaired: {}; check the values drafted from it",
            repair.line,
            one_line(&repair.value)
        ));
    }
    for ambiguity in ambiguities {
        remarks.push(format!(
            "Line {}: the parent of `{}` is either `{}`; the draft puts it in the first. Check it",
            ambiguity.line,
            ambiguity.name,
            ambiguity.candidates.join("` or `")
        ));
    }
    remarks
}

/// Fits the drafted `schemas` into the spec's (a schema the spec has is the spec's; a new one whose name the spec
/// uses is named after `type_base`), points `root` and the schemas at the names they end up with, and says what
/// was reused or renamed.
fn fit_to_spec(
    schemas: &mut Mapping,
    root: &mut Value,
    spec: Option<&Spec>,
    type_base: &str,
) -> Vec<String> {
    let spec_schemas = spec
        .and_then(|s| serde_yaml::to_value(&s.document.components.as_ref()?.schemas).ok())
        .and_then(|schemas| match schemas {
            Value::Mapping(schemas) => Some(schemas),
            _ => None,
        })
        .unwrap_or_default();
    let fits = fit_into(schemas, &spec_schemas, type_base);
    let renamed = new_names(&fits);
    let mut notes = Vec::new();
    for (from, to) in &renamed {
        // Where the name finally leads: a schema of this draft, or one of the spec's.
        let note = match fits.get(from) {
            _ if !schemas.contains_key(to.as_str()) => format!("`{from}` is the spec's `{to}`"),
            Some(Fit::Renamed(_)) => {
                format!("`{from}` is named `{to}`: the spec's `{from}` is another schema")
            }
            _ => format!("`{from}` is the same object as `{to}`"),
        };
        notes.push(note);
    }
    rename_refs(root, &renamed);
    for (_, schema) in schemas.iter_mut() {
        rename_refs(schema, &renamed);
    }
    notes
}

/// The spec's name of an error code, where some operation of the spec documents it (one code has one name);
/// `Code<code>` for a new one.
fn error_name(spec: Option<&Spec>, code: i64) -> String {
    spec.and_then(|s| s.api.error_codes.iter().find(|e| e.code == code))
        .map_or_else(|| format!("Code{code}"), |e| e.name.clone())
}

/// A whole OpenAPI document around the drafted `paths` and `schemas`: the envelope every answer is wrapped in
/// (`ResponseEnvelope`, as the spec conventions name it) and the error answer the operation refers to.
fn whole_document(title: &str, paths: Value, mut schemas: Mapping) -> Value {
    let property = |ty: &str, description: &str| {
        map([("type", ty.into()), ("description", description.into())])
    };
    let envelope = map([
        ("type", "object".into()),
        ("x-envelope", true.into()),
        ("description", "The wrapper of every Feishu answer.".into()),
        ("required", strings(&["code".to_owned(), "msg".to_owned()])),
        (
            "properties",
            map([
                ("code", property("integer", "Error code; 0 means success.")),
                ("msg", property("string", "Error description.")),
                ("data", property("object", "The payload.")),
            ]),
        ),
    ]);
    schemas.insert("ResponseEnvelope".into(), envelope);
    let error = map([
        (
            "description",
            "A failed call; `code` is non-zero and `msg` says why.".into(),
        ),
        (
            "content",
            map([(
                "application/json",
                map([("schema", reference("ResponseEnvelope"))]),
            )]),
        ),
    ]);
    map([
        ("openapi", "3.0.3".into()),
        (
            "info",
            map([("title", marked(title)), ("version", "v1".into())]),
        ),
        ("paths", paths),
        (
            "components",
            map([
                ("responses", map([("Error", error)])),
                ("schemas", Value::Mapping(schemas)),
            ]),
        ),
    ])
}

/// `yaml` (written from `value`) with every string that a YAML reader could take for something else quoted:
/// serde_yaml writes `1721899407885_7395497752245422387` plain, which YAML 1.1 readers take for a number.
fn quote_plain_strings(yaml: String, value: &Value) -> String {
    let mut strings = Vec::new();
    collect_strings(value, &mut strings);
    let misread: Vec<&String> = strings
        .into_iter()
        .filter(|s| could_read_as_other_than_text(s))
        .filter(|s| {
            // Only what serde_yaml writes plain, and reads back as something else.
            let written = serde_yaml::to_string(&Value::String(s.to_string())).unwrap_or_default();
            let yaml_1_1_number = s.contains('_')
                && s.chars().all(|c| c.is_ascii_digit() || c == '_')
                && s.starts_with(|c: char| c.is_ascii_digit());
            written.trim_end() == s.as_str()
                && (yaml_1_1_number
                    || !matches!(serde_yaml::from_str::<Value>(s), Ok(Value::String(_))))
        })
        .collect();
    if misread.is_empty() {
        return yaml;
    }
    // A string read as something else has no space in it (a number, a boolean, null): on a line that ends with
    // one, it is what follows the last space, after `: ` or `- `. One look-up per line, however many there are.
    if misread.iter().all(|s| !s.contains(char::is_whitespace)) {
        let misread: HashSet<&str> = misread.iter().map(|s| s.as_str()).collect();
        return yaml
            .lines()
            .map(|line| {
                let quoted = line.rfind(' ').and_then(|space| {
                    let (before, s) = line.split_at(space + 1);
                    let (head, lead) = [": ", "- "]
                        .into_iter()
                        .find_map(|lead| Some((before.strip_suffix(lead)?, lead)))?;
                    misread.contains(s).then(|| format!("{head}{lead}'{s}'"))
                });
                quoted.unwrap_or_else(|| line.to_owned())
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
    }
    yaml.lines()
        .map(|line| {
            for s in &misread {
                for lead in [": ", "- "] {
                    if let Some(head) = line
                        .strip_suffix(s.as_str())
                        .and_then(|h| h.strip_suffix(lead))
                    {
                        return format!("{head}{lead}'{s}'");
                    }
                }
            }
            line.to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Whether a YAML reader could take `text`, written plain, for something other than a string: a number, a
/// boolean or null starts so. Only these are written and read again by [`quote_plain_strings`].
fn could_read_as_other_than_text(text: &str) -> bool {
    const WORDS: [&str; 9] = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"];
    text.starts_with(|c: char| c.is_ascii_digit() || "+-.~".contains(c))
        || WORDS.iter().any(|w| text.eq_ignore_ascii_case(w))
}

fn collect_strings<'a>(value: &'a Value, out: &mut Vec<&'a String>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Sequence(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Mapping(m) => m.iter().for_each(|(k, v)| {
            collect_strings(k, out);
            collect_strings(v, out);
        }),
        _ => {}
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Drafter {
    schemas: Mapping,
    /// Where the draft departs from the page, each `{at, reason}` (`x-doc-deviations`).
    deviations: Vec<Value>,
    /// For each fallback name that was taken, the number the last free name had.
    numbered: HashMap<String, usize>,
}

impl Drafter {
    fn param(&mut self, param: &Param, type_base: &str) -> Value {
        let mut out = Mapping::new();
        out.insert("name".into(), param.name.clone().into());
        out.insert("in".into(), param.location.as_str().into());
        out.insert("required".into(), param.required.into());
        out.insert("description".into(), marked(&param.facts.label));
        let enum_name = format!("{type_base}{}", type_name(&param.name));
        // A query or path parameter the page types `string` but gives a numeric range: on the wire an integer is
        // the same text, and as an integer its range can be kept (a string cannot have one).
        let numeric_text = param.ty.json_type() == "string"
            && !param.ty.array
            && param.facts.enum_values.is_empty()
            && (param.facts.maximum.is_some() || param.facts.minimum.is_some());
        let ty = if numeric_text {
            self.deviations.push(map([
                ("at", format!("{}.type", param.name).into()),
                (
                    "reason",
                    "The page types it a string with a numeric range; in the query an integer is the same \
                     text, and keeps the range."
                        .into(),
                ),
            ]));
            PageType {
                base: "int".to_owned(),
                array: false,
            }
        } else {
            param.ty.clone()
        };
        let mut schema = self.value_schema(&ty, &param.facts, &enum_name, false);
        // A default outside the page's own range (`默认值：1000`, `最大值：100`) is not one a validator accepts:
        // the range is kept, the default left out, and the deviation said.
        if let Value::Mapping(schema) = &mut schema {
            let number = |key: &str| schema.get(key).and_then(Value::as_f64);
            if let Some(default) = number("default") {
                let above = number("maximum").is_some_and(|max| default > max);
                let below = number("minimum").is_some_and(|min| default < min);
                if above || below {
                    schema.remove("default");
                    self.deviations.push(map([
                        ("at", format!("{}.default", param.name).into()),
                        (
                            "reason",
                            "The page's default is outside the page's own range; the range is kept."
                                .into(),
                        ),
                    ]));
                }
            }
        }
        out.insert("schema".into(), schema);
        if let Some(example) = &param.facts.example {
            out.insert("example".into(), typed_scalar(example, &ty));
        }
        Value::Mapping(out)
    }

    /// The schema of one row's value (not its nesting): type, format, limits, default, and an enum schema.
    fn value_schema(
        &mut self,
        ty: &PageType,
        facts: &Facts,
        enum_name: &str,
        with_description: bool,
    ) -> Value {
        let mut schema = Mapping::new();
        // A boolean's listed values are its two values: it stays a boolean, and its labels are its description.
        let listed = !facts.enum_values.is_empty() && ty.json_type() != "boolean";
        if listed {
            let enum_schema = enum_schema(ty, &facts.label, &facts.enum_values);
            self.schemas.insert(enum_name.into(), enum_schema);
            schema.insert("allOf".into(), Value::Sequence(vec![reference(enum_name)]));
        } else {
            schema.insert("type".into(), ty.json_type().into());
            if ty.json_type() == "integer" {
                // An example that needs 64 bits (a millisecond timestamp) makes the integer 64 bits wide.
                let wide = facts.int64
                    || facts
                        .example
                        .as_deref()
                        .and_then(|e| serde_yaml::from_str::<Value>(e.trim_matches('"')).ok())
                        .is_some_and(|v| widen::needs_64_bits(&v));
                schema.insert("format".into(), if wide { "int64" } else { "int32" }.into());
            }
        }
        if let Some(max) = facts.maximum {
            schema.insert("maximum".into(), number(max));
        }
        if let Some(min) = facts.minimum {
            schema.insert("minimum".into(), number(min));
        }
        if let Some(n) = facts.max_length {
            schema.insert("maxLength".into(), n.into());
        }
        if let Some(n) = facts.min_length {
            schema.insert("minLength".into(), n.into());
        }
        if let Some(default) = &facts.default {
            schema.insert("default".into(), typed_scalar(default, ty));
        }
        if with_description {
            let mut text = facts.label.clone();
            if !listed && !facts.enum_values.is_empty() {
                let values: Vec<String> = facts
                    .enum_values
                    .iter()
                    .map(|v| format!("{}: {}", v.value, v.label))
                    .collect();
                text.push_str(&format!(" ({})", values.join("; ")));
            }
            schema.insert("description".into(), marked(&text));
        }
        if ty.array {
            let mut array = Mapping::new();
            array.insert("type".into(), "array".into());
            // A list's length rule counts its items.
            for (length, items) in [("maxLength", "maxItems"), ("minLength", "minItems")] {
                if let Some(n) = schema.remove(length) {
                    array.insert(items.into(), n);
                }
            }
            if with_description {
                if let Some(description) = schema.remove("description") {
                    array.insert("description".into(), description);
                }
            }
            array.insert("items".into(), Value::Mapping(schema));
            return Value::Mapping(array);
        }
        Value::Mapping(schema)
    }

    /// An object schema of `fields`, its object fields as schemas of their own.
    fn object(&mut self, fields: &[Field], name: &str, request: bool) -> Value {
        let mut properties = Mapping::new();
        let mut required = Vec::new();
        for field in fields {
            let child_name = format!("{name}{}", type_name(&field.name));
            let schema = if field.ty.is_object() {
                // The page's own type name (`job_config_result`), when it writes one.
                let preferred = if field.ty.base.chars().any(|c| c.is_ascii_alphanumeric()) {
                    type_name(&field.ty.base)
                } else {
                    String::new()
                };
                let type_name = self.free_name(&preferred, &child_name);
                let object = self.object(&field.children, &type_name, request);
                self.schemas.insert(type_name.clone().into(), object);
                let item = map([
                    ("allOf", Value::Sequence(vec![reference(&type_name)])),
                    ("description", marked(&field.facts.label)),
                ]);
                if field.ty.array {
                    let mut array = mapping([("type", "array".into())]);
                    // A list's length rule counts its items.
                    if let Some(n) = field.facts.max_length {
                        array.insert("maxItems".into(), n.into());
                    }
                    if let Some(n) = field.facts.min_length {
                        array.insert("minItems".into(), n.into());
                    }
                    array.insert("description".into(), marked(&field.facts.label));
                    array.insert("items".into(), reference(&type_name));
                    Value::Mapping(array)
                } else {
                    item
                }
            } else {
                let mut schema = self.value_schema(&field.ty, &field.facts, &child_name, true);
                if let (Some(example), Value::Mapping(m)) = (&field.facts.example, &mut schema) {
                    if request {
                        m.insert("example".into(), example_value(example, &field.ty));
                    }
                }
                schema
            };
            if field.required == Some(true) {
                required.push(Value::from(field.name.clone()));
            }
            properties.insert(field.name.clone().into(), schema);
        }
        let mut object = Mapping::new();
        object.insert("type".into(), "object".into());
        if !required.is_empty() {
            object.insert("required".into(), Value::Sequence(required));
        }
        object.insert("properties".into(), Value::Mapping(properties));
        Value::Mapping(object)
    }

    /// `preferred` (the page's type name) unless a schema has it already, else `fallback`, or the first of
    /// `fallback2`, `fallback3`, ... no schema has.
    fn free_name(&mut self, preferred: &str, fallback: &str) -> String {
        let taken = |name: &str| self.schemas.contains_key(name);
        if !preferred.is_empty() && !taken(preferred) {
            return preferred.to_owned();
        }
        if !taken(fallback) {
            return fallback.to_owned();
        }
        // Schemas are only added: the numbers tried before for this fallback are still taken.
        let mut n = self.numbered.get(fallback).copied().unwrap_or(2);
        let mut name = format!("{fallback}{n}");
        while taken(&name) {
            n += 1;
            name = format!("{fallback}{n}");
        }
        self.numbered.insert(fallback.to_owned(), n);
        name
    }
}

fn enum_schema(ty: &PageType, label: &str, values: &[EnumValue]) -> Value {
    let integer = ty.json_type() == "integer";
    let mut schema = Mapping::new();
    schema.insert(
        "type".into(),
        if integer { "integer" } else { "string" }.into(),
    );
    if integer {
        schema.insert("format".into(), "int32".into());
    }
    schema.insert("description".into(), marked(label));
    schema.insert(
        "enum".into(),
        Value::Sequence(values.iter().map(|v| typed_scalar(&v.value, ty)).collect()),
    );
    let varnames = values
        .iter()
        .map(|v| {
            // A number says nothing of what it means: the placeholder `gen` refuses until it is named.
            if integer || v.value.parse::<i64>().is_ok() {
                // `Value1`, `ValueMinus1`: a Rust name, which `gen` still refuses as a placeholder.
                format!("Value{}", v.value.replace('-', "Minus"))
            } else {
                naming::variant_name(&v.value)
            }
            .into()
        })
        .collect();
    schema.insert("x-enum-varnames".into(), Value::Sequence(varnames));
    schema.insert(
        "x-enum-descriptions".into(),
        Value::Sequence(values.iter().map(|v| marked(&v.label)).collect()),
    );
    Value::Mapping(schema)
}

/// `x-pagination`, when the page has a page token parameter and `has_more`, `page_token` and an array in `data`.
fn pagination(page: &Page) -> Option<Value> {
    let token = page.params.iter().find(|p| p.name == "page_token")?;
    let data = page.data_fields();
    let has = |name: &str| data.iter().any(|f| f.name == name);
    let items = data.iter().find(|f| f.ty.array && f.ty.is_object())?;
    if !has("has_more") || !has("page_token") {
        return None;
    }
    let mut pagination = Mapping::new();
    pagination.insert("page_token_param".into(), token.name.clone().into());
    if page.params.iter().any(|p| p.name == "page_size") {
        pagination.insert("page_size_param".into(), "page_size".into());
    }
    pagination.insert("page_token_field".into(), "page_token".into());
    pagination.insert("has_more_field".into(), "has_more".into());
    pagination.insert("items_field".into(), items.name.clone().into());
    Some(Value::Mapping(pagination))
}

fn marked(text: &str) -> Value {
    format!("{DRAFT_MARK} {}", text.trim()).into()
}

fn strings(items: &[String]) -> Value {
    Value::Sequence(items.iter().map(|s| s.clone().into()).collect())
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Mapping(mapping(entries))
}

fn mapping<const N: usize>(entries: [(&str, Value); N]) -> Mapping {
    let mut out = Mapping::new();
    for (key, value) in entries {
        out.insert(key.into(), value);
    }
    out
}

fn reference(schema: &str) -> Value {
    reference_to(&format!("#/components/schemas/{schema}"))
}

fn reference_to(target: &str) -> Value {
    map([("$ref", target.into())])
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        (n as i64).into()
    } else {
        n.into()
    }
}

/// A scalar of the page in its type: `10` as a number for an integer, as text for a string.
fn typed_scalar(text: &str, ty: &PageType) -> Value {
    match ty.json_type() {
        "integer" => text
            .parse::<i64>()
            .map_or_else(|_| text.into(), Value::from),
        "number" => text
            .parse::<f64>()
            .map_or_else(|_| text.into(), Value::from),
        "boolean" => text
            .parse::<bool>()
            .map_or_else(|_| text.into(), Value::from),
        _ => text.into(),
    }
}

/// A field's example: JSON when it reads as JSON (`["a"]`), else a scalar in the field's type.
fn example_value(text: &str, ty: &PageType) -> Value {
    if ty.array {
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
            return to_yaml(&json);
        }
    }
    typed_scalar(text, ty)
}

/// An example as YAML, its keys in the page's order.
fn ordered_yaml(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => (*b).into(),
        Json::Number(n) => to_yaml(&serde_json::Value::Number(n.clone())),
        Json::String(s) => s.clone().into(),
        Json::Array(items) => Value::Sequence(items.iter().map(ordered_yaml).collect()),
        Json::Object(entries) => Value::Mapping(
            entries
                .iter()
                .map(|(k, v)| (Value::from(k.clone()), ordered_yaml(v)))
                .collect(),
        ),
    }
}

fn to_yaml(json: &serde_json::Value) -> Value {
    serde_yaml::to_value(json).unwrap_or(Value::Null)
}
