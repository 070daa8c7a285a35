//! Comparing parameters and fields, value by value: type, list, format, enum values, default, limits, examples
//! and whether they are required.

use super::findings::{short, Findings};
use crate::page::{EnumValue, Facts, Field, Page, Param, ParamIn};
use codegen::model::{self, Api, Operation, Rules, Struct, Type};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

pub(super) fn struct_named<'a>(spec: &'a Api, name: &str) -> Option<&'a Struct> {
    spec.structs.iter().find(|s| s.name == name)
}

pub(super) fn params(page: &Page, api: &Api, op: &Operation, out: &mut Findings) {
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
            Type::List(inner) => {
                // A list of lists (where a page's note and example say so, against its table): its innermost
                // objects are still compared with the page's rows.
                let mut innermost = &**inner;
                while let Type::List(deeper) = innermost {
                    innermost = deeper;
                }
                if let Type::Struct(name) = innermost {
                    value.object = struct_named(api, name);
                }
                "array"
            }
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
pub(super) struct Level<'a> {
    /// The dotted path of the object.
    pub(super) path: &'a str,
    /// The line of its row (for fields the page lacks).
    pub(super) line: usize,
    /// Whether it is in the request body (where rows say whether they are required).
    pub(super) request: bool,
    /// The spec's example of the object, for the rows' examples (request bodies).
    pub(super) example: Option<&'a Value>,
}

/// Compares a page's rows with a spec object's fields, recursively.
pub(super) fn fields(
    page: &[Field],
    api: &Api,
    spec: Option<&Struct>,
    level: &Level<'_>,
    out: &mut Findings,
) {
    let spec_fields = spec.map(|s| s.fields.as_slice()).unwrap_or_default();
    // Each side's fields by name (the first, of a name given twice): a page or a struct may have thousands.
    let mut spec_by_name = HashMap::with_capacity(spec_fields.len());
    for spec_field in spec_fields {
        spec_by_name
            .entry(spec_field.wire.as_str())
            .or_insert(spec_field);
    }
    let page_names: HashSet<&str> = page.iter().map(|f| f.name.as_str()).collect();
    for field in page {
        let field_path = format!("{}.{}", level.path, field.name);
        let Some(spec_field) = spec_by_name.get(field.name.as_str()).copied() else {
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
            if field.ty.is_object() && serde_json::from_str::<Value>(on_page).is_err() {
                // An object's example that is not JSON cannot be its value: the page's JSON example says it.
                out.warn(
                    field.line,
                    &format!("{field_path}.example"),
                    &format!("{on_page} (not JSON, for an object)"),
                    &example.map_or("none".to_owned(), short),
                );
            } else if !example.is_some_and(|e| example_matches(on_page, e)) {
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
                example: example.map(first_item),
            };
            fields(&field.children, api, value.object, &inner, out);
        }
    }
    for spec_field in spec_fields {
        if !page_names.contains(spec_field.wire.as_str()) {
            out.differ(
                level.line.max(1),
                &format!("{}.{}", level.path, spec_field.wire),
                "nothing",
                "a field",
            );
        }
    }
}

/// The first item of a list example, of lists of lists too; any other example itself.
fn first_item(mut example: &Value) -> &Value {
    while let Value::Array(items) = example {
        example = items.first().unwrap_or(&Value::Null);
    }
    example
}

/// Whether a page's example (as written) is the spec's example value.
fn example_matches(on_page: &str, spec: &Value) -> bool {
    match spec {
        Value::String(s) => on_page == s,
        // `100` and `100.0` are one number.
        Value::Number(n) => on_page
            .trim()
            .parse::<f64>()
            .is_ok_and(|v| Some(v) == n.as_f64()),
        other => serde_json::from_str::<Value>(on_page).is_ok_and(|v| &v == other),
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}
