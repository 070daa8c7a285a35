//! A spec fragment, in the spec's conventions, for a page the spec does not cover yet.
//!
//! The facts (names, types, limits, enum values, scopes, error codes, examples) come from the page. Its words
//! (the title, field labels, enum labels, error descriptions) are put in with the [`DRAFT_MARK`] mark, which
//! `cargo xtask gen` refuses until a maintainer rewrites each in their own words. Names the page does not give
//! (the operation id, schema names, enum variant names) are derived, and are worth a look too.

use crate::page::ordered::Json;
use crate::page::{EnumValue, Facts, Field, Page, PageType, Param, ParamIn};
use codegen::load::DRAFT_MARK;
use heck::ToUpperCamelCase;
use serde_yaml::{Mapping, Value};

/// The fragment for `page`, as YAML text.
pub fn draft(page: &Page) -> String {
    let mut drafter = Drafter {
        schemas: Mapping::new(),
    };
    let id = operation_id(page);
    let type_base = id.to_upper_camel_case();
    let mut op = Mapping::new();
    op.insert("operationId".into(), id.clone().into());
    op.insert("tags".into(), Value::Sequence(vec!["hire".into()]));
    op.insert("summary".into(), marked(&page.title));
    if let Some(url) = &page.source_url {
        op.insert("externalDocs".into(), map([("url", url.clone().into())]));
    }
    if let Some(rate) = &page.rate_limit {
        op.insert("x-rate-limit".into(), u64::from(rate.value).into());
    }
    op.insert("x-scopes".into(), strings(&page.scopes.value));
    if !page.field_scopes.value.is_empty() {
        op.insert("x-field-scopes".into(), strings(&page.field_scopes.value));
    }
    if !page.app_types.value.is_empty() {
        op.insert("x-app-types".into(), strings(&page.app_types.value));
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
                    ("name", format!("Code{}", e.code).into()),
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
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Sequence(params));
    }
    if !page.body.is_empty() {
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
    let paths = map([(
        page.path.value.as_str(),
        map([(method.as_str(), Value::Mapping(op))]),
    )]);
    let fragment = map([
        ("paths", paths),
        (
            "components",
            map([("schemas", Value::Mapping(drafter.schemas))]),
        ),
    ]);
    let yaml =
        serde_yaml::to_string(&fragment).unwrap_or_else(|e| format!("# cannot write YAML: {e}\n"));
    format!(
        "# Drafted by `cargo xtask docs draft` from {file}.\n\
         # Merge `paths` and `components.schemas` into the spec. Every text marked `{DRAFT_MARK}` is the page's own\n\
         # words: rewrite each in yours (`cargo xtask gen` refuses the mark), and review the derived names\n\
         # (operationId, schema names, enum variant names, error-code names).\n{yaml}",
        file = page.file
    )
}

struct Drafter {
    schemas: Mapping,
}

impl Drafter {
    fn param(&mut self, param: &Param, type_base: &str) -> Value {
        let mut out = Mapping::new();
        out.insert("name".into(), param.name.clone().into());
        out.insert("in".into(), param.location.as_str().into());
        out.insert("required".into(), param.required.into());
        out.insert("description".into(), marked(&param.facts.label));
        let enum_name = format!("{type_base}{}", param.name.to_upper_camel_case());
        out.insert(
            "schema".into(),
            self.value_schema(&param.ty, &param.facts, &enum_name, false),
        );
        if let Some(example) = &param.facts.example {
            out.insert("example".into(), typed_scalar(example, &param.ty));
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
        if !facts.enum_values.is_empty() {
            let enum_schema = enum_schema(ty, &facts.enum_values);
            self.schemas.insert(enum_name.into(), enum_schema);
            schema.insert("allOf".into(), Value::Sequence(vec![reference(enum_name)]));
        } else {
            schema.insert("type".into(), ty.json_type().into());
            if ty.json_type() == "integer" {
                schema.insert(
                    "format".into(),
                    if facts.int64 { "int64" } else { "int32" }.into(),
                );
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
            schema.insert("description".into(), marked(&facts.label));
        }
        if ty.array {
            let mut array = Mapping::new();
            array.insert("type".into(), "array".into());
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
            let child_name = format!("{name}{}", field.name.to_upper_camel_case());
            let schema = if field.ty.is_object() {
                let type_name = self.free_name(&field.ty.base.to_upper_camel_case(), &child_name);
                let object = self.object(&field.children, &type_name, request);
                self.schemas.insert(type_name.clone().into(), object);
                let item = map([
                    ("allOf", Value::Sequence(vec![reference(&type_name)])),
                    ("description", marked(&field.facts.label)),
                ]);
                if field.ty.array {
                    map([
                        ("type", "array".into()),
                        ("description", marked(&field.facts.label)),
                        ("items", reference(&type_name)),
                    ])
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

    /// `preferred` (the page's type name) unless a schema has it already, else `fallback`.
    fn free_name(&self, preferred: &str, fallback: &str) -> String {
        let taken = |name: &str| self.schemas.contains_key(name);
        if !preferred.is_empty() && !taken(preferred) {
            return preferred.to_owned();
        }
        let mut name = fallback.to_owned();
        let mut n = 2;
        while taken(&name) {
            name = format!("{fallback}{n}");
            n += 1;
        }
        name
    }
}

fn enum_schema(ty: &PageType, values: &[EnumValue]) -> Value {
    let integer = ty.json_type() == "integer";
    let mut schema = Mapping::new();
    schema.insert(
        "type".into(),
        if integer { "integer" } else { "string" }.into(),
    );
    if integer {
        schema.insert("format".into(), "int32".into());
    }
    schema.insert(
        "enum".into(),
        Value::Sequence(values.iter().map(|v| typed_scalar(&v.value, ty)).collect()),
    );
    let varnames = values
        .iter()
        .map(|v| {
            if integer {
                format!("Value{}", v.value)
            } else {
                v.value.to_upper_camel_case()
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

/// An operation id from the method and path: `list_job_processes`, `get_jobs_config`, `search_job_requirements`.
fn operation_id(page: &Page) -> String {
    let segments: Vec<&str> = page
        .path
        .value
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .skip_while(|s| *s == "open-apis")
        .skip(2)
        .collect();
    let ends_with_param = page.path.value.ends_with('}');
    let verb = match (page.method.value.as_str(), ends_with_param) {
        ("GET", true) => "get",
        ("GET", false) => "list",
        ("POST", _) => "create",
        ("PUT" | "PATCH", _) => "update",
        ("DELETE", _) => "delete",
        _ => "call",
    };
    match segments.split_last() {
        Some((last, rest)) if page.method.value == "POST" && !rest.is_empty() => {
            format!("{last}_{}", rest.join("_"))
        }
        _ => format!("{verb}_{}", segments.join("_")),
    }
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
