//! What the spec says of one operation, in the terms the audit compares: parameters, body and `data` fields as
//! trees, enums, limits, examples, and the operation's `x-` facts. References and `allOf` are resolved.

use serde_json::Value;

/// A spec that cannot be read: the file, the line, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file, as given.
    pub file: String,
    /// The line, from 1 (1 when the problem is not at one place).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for SpecError {}

/// A parsed spec.
pub struct Spec {
    /// The file, as given.
    pub file: String,
    root: Value,
}

impl Spec {
    /// Reads a spec's YAML text.
    pub fn parse(file: &str, text: &str) -> Result<Spec, SpecError> {
        let root: Value = serde_yaml::from_str(text).map_err(|e| SpecError {
            file: file.to_owned(),
            line: e.location().map_or(1, |l| l.line()),
            message: format!("not valid YAML: {e}"),
        })?;
        if !root.is_object() {
            return Err(SpecError {
                file: file.to_owned(),
                line: 1,
                message: "the spec is not a YAML mapping".to_owned(),
            });
        }
        Ok(Spec {
            file: file.to_owned(),
            root,
        })
    }

    /// Every operation: (method in upper case, path, the operation object).
    pub fn operations(&self) -> Vec<(String, String, &Value)> {
        let mut found = Vec::new();
        if let Some(paths) = self.root.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, op) in item {
                    if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                        found.push((method.to_uppercase(), path.clone(), op));
                    }
                }
            }
        }
        found
    }

    /// The operation at `method` and `path`, viewed.
    pub fn operation(&self, method: &str, path: &str) -> Option<Operation> {
        let (_, _, op) = self
            .operations()
            .into_iter()
            .find(|(m, p, _)| m == method && p == path)?;
        Some(self.view(op))
    }

    fn view(&self, op: &Value) -> Operation {
        let strings = |key: &str| -> Vec<String> {
            op.get(key)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let params = op
            .get("parameters")
            .and_then(Value::as_array)
            .map(|params| {
                params
                    .iter()
                    .map(|p| self.resolve(p))
                    .map(|p| SpecParam {
                        name: text(p, "name"),
                        location: text(p, "in"),
                        required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                        schema: self.schema(p.get("schema").unwrap_or(&Value::Null)),
                        example: p.get("example").cloned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let json = |v: Option<&Value>| {
            v.and_then(|b| b.get("content"))
                .and_then(|c| c.get("application/json"))
                .cloned()
        };
        let body_content = json(op.get("requestBody").map(|b| self.resolve(b)));
        let ok = op
            .get("responses")
            .and_then(|r| r.get("200"))
            .map(|r| self.resolve(r));
        let ok_content = json(ok);
        let data = ok_content
            .as_ref()
            .and_then(|c| c.get("schema"))
            .map(|s| self.schema(s))
            .and_then(|envelope| {
                envelope
                    .properties
                    .into_iter()
                    .find(|(name, _)| name == "data")
                    .map(|(_, schema)| schema)
            });
        let errors = op
            .get("x-error-codes")
            .and_then(Value::as_array)
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(|c| {
                        Some(SpecErrorCode {
                            code: c.get("code")?.as_i64()?,
                            http_status: c.get("http_status")?.as_u64()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let deviations = op
            .get("x-doc-deviations")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|d| Deviation {
                        at: text(d, "at"),
                        reason: text(d, "reason"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Operation {
            id: text(op, "operationId"),
            rate_limit: op.get("x-rate-limit").and_then(Value::as_u64),
            scopes: strings("x-scopes"),
            field_scopes: strings("x-field-scopes"),
            app_types: strings("x-app-types"),
            doc_url: op
                .get("externalDocs")
                .and_then(|d| d.get("url"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            params,
            body: body_content
                .as_ref()
                .and_then(|c| c.get("schema"))
                .map(|s| self.schema(s)),
            body_example: body_content
                .as_ref()
                .and_then(|c| c.get("example"))
                .cloned(),
            data,
            response_example: ok_content.as_ref().and_then(|c| c.get("example")).cloned(),
            errors,
            deviations,
        }
    }

    /// Follows `$ref`s within the file.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        let mut value = value;
        for _ in 0..32 {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return value;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                return value;
            };
            match self.root.pointer(pointer) {
                Some(target) => value = target,
                None => return value,
            }
        }
        value
    }

    /// A schema, resolved and merged (`allOf`), with its properties viewed in turn (to a bounded depth, for
    /// recursive schemas).
    fn schema(&self, value: &Value) -> SchemaView {
        self.schema_at(value, 0)
    }

    fn schema_at(&self, value: &Value, depth: usize) -> SchemaView {
        let value = self.resolve(value);
        let mut view = SchemaView::default();
        if depth > 48 {
            return view;
        }
        if let Some(parts) = value.get("allOf").and_then(Value::as_array) {
            for part in parts {
                view.merge(self.schema_at(part, depth + 1));
            }
        }
        let ty = value.get("type").and_then(Value::as_str).unwrap_or("");
        if ty == "array" {
            let items = self.schema_at(value.get("items").unwrap_or(&Value::Null), depth + 1);
            // A page's length rule on a list counts its items.
            let count = |key: &str| value.get(key).and_then(Value::as_u64);
            return SchemaView {
                array: true,
                max_length: count("maxItems"),
                min_length: count("minItems"),
                ..items
            };
        }
        if !ty.is_empty() {
            view.json_type = ty.to_owned();
        }
        if view.json_type.is_empty() && value.get("properties").is_some() {
            view.json_type = "object".to_owned();
        }
        let set = |target: &mut Option<String>, v: Option<String>| {
            if v.is_some() {
                *target = v;
            }
        };
        set(
            &mut view.format,
            value
                .get("format")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
        if let Some(values) = value.get("enum").and_then(Value::as_array) {
            view.enum_values = values.iter().map(scalar).collect();
        }
        set(&mut view.default, value.get("default").map(scalar));
        view.maximum = value
            .get("maximum")
            .and_then(Value::as_f64)
            .or(view.maximum);
        view.minimum = value
            .get("minimum")
            .and_then(Value::as_f64)
            .or(view.minimum);
        view.max_length = value
            .get("maxLength")
            .and_then(Value::as_u64)
            .or(view.max_length);
        view.min_length = value
            .get("minLength")
            .and_then(Value::as_u64)
            .or(view.min_length);
        if let Some(example) = value.get("example") {
            view.example = Some(example.clone());
        }
        if let Some(required) = value.get("required").and_then(Value::as_array) {
            view.required.extend(
                required
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_owned)),
            );
        }
        if let Some(properties) = value.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                view.properties
                    .push((name.clone(), self.schema_at(schema, depth + 1)));
            }
        }
        view
    }
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A scalar as the page would write it: strings without quotes.
pub(crate) fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One operation of the spec, viewed.
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// `x-rate-limit`.
    pub rate_limit: Option<u64>,
    /// `x-scopes`.
    pub scopes: Vec<String>,
    /// `x-field-scopes`.
    pub field_scopes: Vec<String>,
    /// `x-app-types`.
    pub app_types: Vec<String>,
    /// `externalDocs.url`.
    pub doc_url: Option<String>,
    /// The parameters.
    pub params: Vec<SpecParam>,
    /// The JSON request body.
    pub body: Option<SchemaView>,
    /// The request body's example.
    pub body_example: Option<Value>,
    /// The schema of the 200 answer's `data`.
    pub data: Option<SchemaView>,
    /// The 200 answer's example.
    pub response_example: Option<Value>,
    /// `x-error-codes`.
    pub errors: Vec<SpecErrorCode>,
    /// `x-doc-deviations`.
    pub deviations: Vec<Deviation>,
}

/// A parameter of the spec.
pub struct SpecParam {
    /// Its name.
    pub name: String,
    /// `query`, `path` or `header`.
    pub location: String,
    /// `required`.
    pub required: bool,
    /// Its schema.
    pub schema: SchemaView,
    /// `example`.
    pub example: Option<Value>,
}

/// A documented error code.
pub struct SpecErrorCode {
    /// Feishu's code.
    pub code: i64,
    /// Its HTTP status.
    pub http_status: u64,
}

/// A deliberate departure from the page, with its reason.
#[derive(Debug, Clone)]
pub struct Deviation {
    /// The path the audit prints for the difference.
    pub at: String,
    /// Why the spec departs from the page.
    pub reason: String,
}

impl SchemaView {
    /// Takes in a part of an `allOf`: its properties, and what this view does not say yet. A property named
    /// twice keeps the later part's.
    fn merge(&mut self, part: SchemaView) {
        for (name, schema) in part.properties {
            self.properties.retain(|(n, _)| *n != name);
            self.properties.push((name, schema));
        }
        self.required.extend(part.required);
        if self.json_type.is_empty() {
            self.json_type = part.json_type;
        }
        self.array |= part.array;
        self.format = self.format.take().or(part.format);
        if self.enum_values.is_empty() {
            self.enum_values = part.enum_values;
        }
        self.default = self.default.take().or(part.default);
        self.maximum = self.maximum.or(part.maximum);
        self.minimum = self.minimum.or(part.minimum);
        self.max_length = self.max_length.or(part.max_length);
        self.min_length = self.min_length.or(part.min_length);
        self.example = self.example.take().or(part.example);
    }
}

/// A schema, resolved.
#[derive(Debug, Clone, Default)]
pub struct SchemaView {
    /// `integer`, `string`, `object`, ... (of one element, for arrays).
    pub json_type: String,
    /// `format`.
    pub format: Option<String>,
    /// Whether it is an array (the rest describes one element).
    pub array: bool,
    /// `enum`, as strings.
    pub enum_values: Vec<String>,
    /// `default`, as a string.
    pub default: Option<String>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maxLength`; for an array, `maxItems`.
    pub max_length: Option<u64>,
    /// `minLength`; for an array, `minItems`.
    pub min_length: Option<u64>,
    /// `example`.
    pub example: Option<Value>,
    /// Property names that are required.
    pub required: Vec<String>,
    /// Properties, in the spec's order.
    pub properties: Vec<(String, SchemaView)>,
}
