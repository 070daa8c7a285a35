//! Operations: one per path and method, with their parameters, path template and request body.

use super::extensions::{OperationExtensions, ParamExtensions};
use super::responses;
use super::{type_text, Lowerer, Result};
use crate::error::Pointer;
use crate::model::{
    Body, BodySetter, Check, Checked, DocDeviation, Examples, Field, Form, FormField, FormKind,
    Method, Operation, Param, ParamLocation, RateLimit, Rules, Segment, Struct, TokenType, Type,
};
use crate::naming::{self, Scope};
use crate::runtime;
use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr};
use std::collections::BTreeMap;

impl Lowerer<'_> {
    // ---- operations --------------------------------------------------------------------------------------------

    pub(super) fn lower_operations(&mut self) -> Result<Vec<Operation>> {
        let mut operations: BTreeMap<String, (Operation, Pointer)> = BTreeMap::new();
        for (path, item) in &self.spec.paths.paths {
            let path_at = Pointer::root().join("paths").join(path);
            let ReferenceOr::Item(item) = item else {
                return Err(self.err(&path_at, "a path item that is a $ref is not supported"));
            };
            for (method_name, unsupported) in [
                ("head", &item.head),
                ("options", &item.options),
                ("trace", &item.trace),
            ] {
                if unsupported.is_some() {
                    return Err(self.err(
                        &path_at.join(method_name),
                        format!(
                            "HTTP method {} is not supported",
                            method_name.to_uppercase()
                        ),
                    ));
                }
            }
            let methods = [
                ("get", Method::Get, &item.get),
                ("post", Method::Post, &item.post),
                ("put", Method::Put, &item.put),
                ("patch", Method::Patch, &item.patch),
                ("delete", Method::Delete, &item.delete),
            ];
            for (method_name, method, op) in methods {
                let Some(op) = op else { continue };
                let at = path_at.join(method_name);
                if let Some((_, first)) = op.operation_id.as_ref().and_then(|id| operations.get(id))
                {
                    return Err(self.err(
                        &at.join("operationId"),
                        format!(
                            "duplicate operationId `{}`: also used at {first}",
                            op.operation_id.as_deref().unwrap_or_default()
                        ),
                    ));
                }
                let operation = self.lower_operation(path, method, op, &item.parameters, &at)?;
                operations.insert(operation.id.clone(), (operation, at));
            }
        }
        // Distinct operation ids can still map to one Rust name (`getJob` and `get_job`).
        let mut fn_names: BTreeMap<String, &Pointer> = BTreeMap::new();
        for (operation, at) in operations.values() {
            if let Some(first) = fn_names.insert(operation.fn_name.clone(), at) {
                return Err(self.err(
                    &at.join("operationId"),
                    format!("operationId `{}` gives the method name `{}`, as does the operation at {first}", operation.id, operation.fn_name),
                ));
            }
        }
        Ok(operations
            .into_values()
            .map(|(operation, _)| operation)
            .collect())
    }

    fn lower_operation(
        &mut self,
        path: &str,
        method: Method,
        op: &openapiv3::Operation,
        path_params: &[ReferenceOr<Parameter>],
        at: &Pointer,
    ) -> Result<Operation> {
        let id = op
            .operation_id
            .clone()
            .ok_or_else(|| self.err(at, "operation without an operationId"))?;
        if id.trim().is_empty() {
            return Err(self.err(&at.join("operationId"), "operationId is empty"));
        }
        self.check_operation_id(&id, &at.join("operationId"))?;
        let ext: OperationExtensions = self.extensions(&op.extensions, at)?;
        let rate_limit = match &ext.rate_limit {
            None => RateLimit::default(),
            Some(value) => rate_limit(value).map_err(|problem| {
                self.err(
                    &at.join("x-rate-limit"),
                    format!(
                        "x-rate-limit must be requests per second (`50`) or per window (`{{per_second: 50, \
                         per_minute: 1000}}`): {problem}"
                    ),
                )
            })?,
        };
        let token_types = if ext.token_types.is_empty() {
            vec![TokenType::Tenant]
        } else {
            ext.token_types.clone()
        };
        for (i, deviation) in ext.doc_deviations.iter().enumerate() {
            if deviation.at.trim().is_empty() || deviation.reason.trim().is_empty() {
                return Err(self.err(
                    &at.join("x-doc-deviations").join(i),
                    "a doc deviation needs both `at` (the path the audit reports) and `reason`",
                ));
            }
        }
        let fn_name = naming::snake_name(&id);
        if runtime::CLIENT_METHODS.contains(&fn_name.as_str()) {
            return Err(self.err(
                &at.join("operationId"),
                format!("operationId `{id}` would be the Client method `{fn_name}`, which the runtime already has; rename it"),
            ));
        }
        let type_base = naming::type_name(&id);
        let builder = naming::builder_name(&id);
        self.claim_type_name(&builder, &at.join("operationId"))?;

        // Parameters: path-level first, then the operation's own; the operation's win on the same name.
        let reserved: Vec<&str> = runtime::RESERVED_METHODS
            .iter()
            .chain(runtime::BUILDER_FIELDS)
            .chain(runtime::RESERVED_LOCALS)
            .copied()
            .collect();
        let mut scope = Scope::with_reserved(&reserved);
        let mut params: Vec<Param> = Vec::new();
        let inherited = path_params.iter().enumerate().map(|(i, p)| {
            (
                p,
                Pointer::root()
                    .join("paths")
                    .join(path)
                    .join("parameters")
                    .join(i),
            )
        });
        let own = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, at.join("parameters").join(i)));
        let mut collected: Vec<(Parameter, Pointer)> = Vec::new();
        for (param, param_at) in inherited.chain(own) {
            let param = self.resolve_parameter(param, &param_at)?;
            let data = param.parameter_data_ref();
            if let Some(existing) = collected
                .iter_mut()
                .find(|(p, _)| p.parameter_data_ref().name == data.name)
            {
                *existing = (param, param_at);
            } else {
                collected.push((param, param_at));
            }
        }
        for (param, param_at) in &collected {
            params.push(self.lower_param(param, param_at, &type_base, &mut scope)?);
        }
        let segments = self.parse_path(path, &params, at)?;
        // Required parameters become arguments of the client method, in spec order; path parameters first.
        params.sort_by_key(|p| (!p.required, p.location != ParamLocation::Path));

        let multipart = match &op.request_body {
            Some(ReferenceOr::Item(body)) => body.content.contains_key(MULTIPART),
            _ => false,
        };
        let (body, form) = match &op.request_body {
            Some(ReferenceOr::Item(body)) if multipart => (
                None,
                Some(self.lower_form(body, &at.join("requestBody"), &mut scope)?),
            ),
            Some(body) => (
                Some(self.lower_body(body, &at.join("requestBody"), &type_base, &mut scope)?),
                None,
            ),
            None => (None, None),
        };
        let data = self.lower_response(op, at, &type_base)?;

        let errors = self.lower_error_codes(&ext.error_codes, &at.join("x-error-codes"))?;
        let pagination = match &ext.pagination {
            Some(pages) => {
                Some(self.lower_pagination(pages, &at.join("x-pagination"), &params, &data)?)
            }
            None => None,
        };
        let deprecated = self.deprecation(op.deprecated, ext.replacement.as_deref(), at)?;

        Ok(Operation {
            pointer: at.to_string(),
            checks: Vec::new(),
            fn_name,
            builder,
            id,
            method,
            path: path.to_owned(),
            segments,
            params,
            body,
            form,
            data,
            summary: op.summary.clone(),
            doc: op.description.clone(),
            doc_url: op.external_docs.as_ref().map(|d| d.url.clone()),
            rate_limit,
            scopes: ext.scopes,
            field_scopes: ext.field_scopes,
            app_types: ext.app_types,
            token_types,
            idempotent: ext.idempotent,
            errors,
            pagination,
            deprecated,
            examples: examples(op),
            doc_deviations: ext
                .doc_deviations
                .into_iter()
                .map(DocDeviation::from)
                .collect(),
        })
    }

    fn resolve_parameter(&self, param: &ReferenceOr<Parameter>, at: &Pointer) -> Result<Parameter> {
        match param {
            ReferenceOr::Item(param) => Ok(param.clone()),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/parameters/");
                let found = key.and_then(|key| self.components()?.parameters.get(key));
                match found {
                    Some(ReferenceOr::Item(param)) => Ok(param.clone()),
                    _ => Err(self.err(
                        &at.join("$ref"),
                        format!("unknown parameter $ref `{reference}`"),
                    )),
                }
            }
        }
    }

    fn lower_param(
        &mut self,
        param: &Parameter,
        at: &Pointer,
        type_base: &str,
        scope: &mut Scope,
    ) -> Result<Param> {
        let (data, location) = match param {
            Parameter::Query { parameter_data, .. } => (parameter_data, ParamLocation::Query),
            Parameter::Path { parameter_data, .. } => (parameter_data, ParamLocation::Path),
            Parameter::Header { .. } => {
                return Err(self.err(&at.join("in"), "header parameters are not supported"))
            }
            Parameter::Cookie { .. } => {
                return Err(self.err(&at.join("in"), "cookie parameters are not supported"))
            }
        };
        if location == ParamLocation::Path && !data.required {
            return Err(self.err(
                &at.join("required"),
                format!(
                    "path parameter `{}` must be required, found `required: false`",
                    data.name
                ),
            ));
        }
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            return Err(self.err(
                &at.join("content"),
                "parameters with `content` are not supported; use `schema`",
            ));
        };
        let schema_at = at.join("schema");
        let ty = self.resolve(
            schema,
            &schema_at,
            &naming::inline_hint(type_base, naming::InlinePart::Param(&data.name)),
        )?;
        let scalar = |ty: &Type| {
            matches!(
                ty,
                Type::String | Type::Bool | Type::I32 | Type::I64 | Type::F64 | Type::Enum(_)
            )
        };
        // A query parameter may repeat (`ids=1&ids=2`): a list of scalars is sent so.
        let repeated =
            location == ParamLocation::Query && matches!(&ty, Type::List(inner) if scalar(inner));
        if !scalar(&ty) && !repeated {
            let allowed = if location == ParamLocation::Query {
                "a string, number, boolean or enum, or a list of one of these"
            } else {
                "a string, number, boolean or enum"
            };
            return Err(self.err(
                &schema_at,
                format!(
                    "{} parameter `{}` must be {allowed}, found {}",
                    location.as_str(),
                    data.name,
                    type_text(&ty)
                ),
            ));
        }
        let ext: ParamExtensions = self.extensions(&data.extensions, at)?;
        let name = self.claim_rust_name(
            scope,
            ext.rust_name.as_deref(),
            &data.name,
            &format!("{} parameter `{}`", location.as_str(), data.name),
            at,
        )?;
        let facts = self.value_facts(schema);
        Ok(Param {
            name,
            wire: data.name.clone(),
            location,
            ty,
            required: data.required,
            doc: data.description.clone(),
            default: facts.default,
            rules: facts.rules,
            example: data.example.clone().or(facts.example),
        })
    }

    fn parse_path(&self, path: &str, params: &[Param], at: &Pointer) -> Result<Vec<Segment>> {
        let mut segments = Vec::new();
        let mut rest = path;
        let mut used = Vec::new();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                return Err(self.err(at, format!("path `{path}` has an unclosed `{{`")));
            };
            if open > 0 {
                segments.push(Segment::Literal(rest[..open].to_owned()));
            }
            let wire = &rest[open + 1..open + close];
            let param = params.iter().find(|p| p.location == ParamLocation::Path && p.wire == wire).ok_or_else(|| {
                self.err(at, format!("path `{path}` uses `{{{wire}}}`, but no path parameter `{wire}` is declared"))
            })?;
            segments.push(Segment::Param {
                name: param.name.clone(),
                wire: param.wire.clone(),
                is_string: param.ty == Type::String,
            });
            used.push(wire.to_owned());
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_owned()));
        }
        if let Some(unused) = params
            .iter()
            .find(|p| p.location == ParamLocation::Path && !used.contains(&p.wire))
        {
            return Err(self.err(
                at,
                format!(
                    "path parameter `{}` does not appear in the path `{path}`",
                    unused.wire
                ),
            ));
        }
        Ok(segments)
    }

    /// A `multipart/form-data` body: an inline object schema whose properties are files (`type: string,
    /// format: binary`, `maxLength` their size limit in bytes) or scalars sent as text.
    fn lower_form(
        &mut self,
        body: &openapiv3::RequestBody,
        at: &Pointer,
        scope: &mut Scope,
    ) -> Result<Form> {
        if body.content.len() > 1 {
            return Err(self.err(
                &at.join("content"),
                "a request body is either `multipart/form-data` or `application/json`, not both",
            ));
        }
        let schema_at = at.join("content").join(MULTIPART).join("schema");
        let schema = match body.content.get(MULTIPART).and_then(|m| m.schema.as_ref()) {
            Some(ReferenceOr::Item(schema)) => schema,
            Some(ReferenceOr::Reference { .. }) => return Err(self.err(
                &schema_at,
                "a `multipart/form-data` body's schema is written inline (its files are no JSON \
                     object's fields), not as a $ref",
            )),
            None => return Err(self.err(&schema_at, "the request body has no schema")),
        };
        let openapiv3::SchemaKind::Type(openapiv3::Type::Object(object)) = &schema.schema_kind
        else {
            return Err(self.err(
                &schema_at,
                "a `multipart/form-data` body must be an object schema, one property per part",
            ));
        };
        let mut fields = Vec::new();
        for (wire, property) in &object.properties {
            let property_at = schema_at.join("properties").join(wire.as_str());
            let required = object.required.iter().any(|r| r == wire);
            let by = format!("form part `{wire}`");
            let name = scope
                .claim(naming::snake_name(wire), &by, false)
                .map_err(|c| self.collision(&property_at, c, &by))?;
            let (kind, doc) = match property {
                ReferenceOr::Item(item) => match &item.schema_kind {
                    openapiv3::SchemaKind::Type(openapiv3::Type::String(string))
                        if string.format
                            == openapiv3::VariantOrUnknownOrEmpty::Item(
                                openapiv3::StringFormat::Binary,
                            ) =>
                    {
                        (
                            FormKind::File {
                                max_bytes: string.max_length.map(|n| n as u64),
                            },
                            item.schema_data.description.clone(),
                        )
                    }
                    _ => {
                        let ty = self.resolve(
                            &ReferenceOr::Item(item.as_ref().clone()),
                            &property_at,
                            wire,
                        )?;
                        (FormKind::Text(ty), item.schema_data.description.clone())
                    }
                },
                ReferenceOr::Reference { reference } => {
                    let ty = self.resolve(
                        &ReferenceOr::Reference {
                            reference: reference.clone(),
                        },
                        &property_at,
                        wire,
                    )?;
                    (FormKind::Text(ty), None)
                }
            };
            if let FormKind::Text(ty) = &kind {
                if matches!(ty, Type::Struct(_) | Type::List(_) | Type::Json) {
                    return Err(self.err(
                        &property_at,
                        format!(
                            "a form part is a file or a value sent as text, found {}",
                            type_text(ty)
                        ),
                    ));
                }
            }
            fields.push(FormField {
                name,
                wire: wire.clone(),
                required,
                doc,
                kind,
            });
        }
        Ok(Form {
            doc: body.description.clone(),
            fields,
        })
    }

    fn lower_body(
        &mut self,
        body: &ReferenceOr<openapiv3::RequestBody>,
        at: &Pointer,
        type_base: &str,
        scope: &mut Scope,
    ) -> Result<Body> {
        let ReferenceOr::Item(body) = body else {
            return Err(self.err(at, "a request body that is a $ref is not supported"));
        };
        let Some(media) = body.content.get("application/json") else {
            return Err(self.err(
                &at.join("content"),
                "the request body needs `application/json` or `multipart/form-data` content",
            ));
        };
        let schema_at = at.join("content").join("application/json").join("schema");
        let Some(schema) = &media.schema else {
            return Err(self.err(&schema_at, "the request body has no schema"));
        };
        match self.resolve(
            schema,
            &schema_at,
            &naming::inline_hint(type_base, naming::InlinePart::Body),
        )? {
            Type::Struct(ty) => {
                let fields = self
                    .structs
                    .get(&ty)
                    .map(|s| s.fields.as_slice())
                    .unwrap_or_default();
                let mut setters = Vec::new();
                for f in fields.iter().filter(|f| !f.required) {
                    let by = format!("body field `{}`", f.wire);
                    let method = scope
                        .claim(f.name.clone(), &by, false)
                        .map_err(|c| self.collision(&schema_at, c, &by))?;
                    setters.push(BodySetter {
                        method,
                        field: f.clone(),
                    });
                }
                Ok(Body {
                    ty,
                    doc: body.description.clone(),
                    passed_whole: false,
                    setters,
                })
            }
            other => Err(self.err(
                &schema_at,
                format!(
                    "the request body must be an object schema, found {}",
                    type_text(&other)
                ),
            )),
        }
    }
}

/// Completes an operation once every struct is known: whether its body is passed whole, its setters' fields as
/// finally boxed, and the checks of its documented constraints.
pub(super) fn finish(operation: &mut Operation, structs: &BTreeMap<String, Struct>) {
    let body_struct = operation.body.as_ref().and_then(|b| structs.get(&b.ty));
    if let (Some(body), Some(s)) = (operation.body.as_mut(), body_struct) {
        body.passed_whole = !s.derive_default;
        for setter in &mut body.setters {
            if let Some(field) = s.fields.iter().find(|f| f.name == setter.field.name) {
                setter.field = field.clone();
            }
        }
    }
    operation.checks = checks(operation, body_struct);
}

/// One check per documented constraint, in parameter order, then the body's.
fn checks(operation: &Operation, body: Option<&Struct>) -> Vec<Check> {
    let mut checks = Vec::new();
    for p in &operation.params {
        let value = Checked {
            wire: p.wire.clone(),
            name: p.name.clone(),
            in_body: false,
            required: p.required,
        };
        if p.location == ParamLocation::Path && p.ty == Type::String {
            checks.push(Check::PathSegment {
                value: value.clone(),
            });
        }
        let mut rules = p.rules.clone();
        if is_page_size(operation, p) && rules.minimum.is_none() {
            // A page of no items is no page: a page size is at least 1 even where the doc page names only a
            // maximum.
            rules.minimum = Some(1);
        }
        checks.extend(rule_checks(&rules, &p.ty, value));
    }
    if let Some(s) = body {
        let checked = |f: &Field| Checked {
            wire: f.wire.clone(),
            name: f.name.clone(),
            in_body: true,
            required: f.required,
        };
        for f in &s.fields {
            checks.extend(rule_checks(&f.rules, &f.ty, checked(f)));
        }
        for group in &s.exclusive {
            let fields = group
                .iter()
                .filter_map(|name| s.fields.iter().find(|f| &f.name == name))
                .map(checked)
                .collect();
            checks.push(Check::Exclusive { fields });
        }
    }
    checks
}

/// Whether `param` is the page size of a paginated operation.
fn is_page_size(operation: &Operation, param: &Param) -> bool {
    operation
        .pagination
        .as_ref()
        .and_then(|pages| pages.size.as_ref())
        .is_some_and(|size| size.param == param.name)
}

/// The content type of a file-upload body.
const MULTIPART: &str = "multipart/form-data";

/// The JSON examples of the request body and of the first 2xx answer, as written inline in the operation.
fn examples(op: &openapiv3::Operation) -> Examples {
    let json = |content: &openapiv3::Content| {
        content
            .get("application/json")
            .and_then(|media| media.example.clone())
    };
    let body = match &op.request_body {
        Some(ReferenceOr::Item(body)) => json(&body.content),
        _ => None,
    };
    let answer = match responses::ok_response(op) {
        Some((_, ReferenceOr::Item(response))) => json(&response.content),
        _ => None,
    };
    Examples { body, answer }
}

/// The checks of one value's rules that apply to its type.
fn rule_checks(rules: &Rules, ty: &Type, value: Checked) -> Vec<Check> {
    let mut checks = Vec::new();
    match ty {
        Type::I32 | Type::I64 => {
            if let Some(min) = rules.minimum {
                checks.push(Check::Minimum {
                    value: value.clone(),
                    min,
                });
            }
            if let Some(max) = rules.maximum {
                checks.push(Check::Maximum { value, max });
            }
        }
        Type::String => {
            if let Some(min) = rules.min_length {
                checks.push(Check::MinLength {
                    value: value.clone(),
                    min,
                });
            }
            if let Some(max) = rules.max_length {
                checks.push(Check::MaxLength { value, max });
            }
        }
        Type::List(_) => {
            if let Some(min) = rules.min_items {
                checks.push(Check::MinItems {
                    value: value.clone(),
                    min,
                });
            }
            if let Some(max) = rules.max_items {
                checks.push(Check::MaxItems { value, max });
            }
        }
        _ => {}
    }
    checks
}

/// `x-rate-limit`: a positive integer (per second), or a mapping of `per_second` and `per_minute`, at least one.
fn rate_limit(value: &serde_json::Value) -> std::result::Result<RateLimit, String> {
    let positive = |value: &serde_json::Value, what: &str| -> std::result::Result<u32, String> {
        value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{what} is `{value}`, not a positive integer"))
    };
    match value {
        serde_json::Value::Object(windows) => {
            if let Some(other) = windows
                .keys()
                .find(|k| !matches!(k.as_str(), "per_second" | "per_minute"))
            {
                return Err(format!(
                    "`{other}` is not a window (per_second, per_minute)"
                ));
            }
            let window = |key: &str| windows.get(key).map(|v| positive(v, key)).transpose();
            let limit = RateLimit {
                per_second: window("per_second")?,
                per_minute: window("per_minute")?,
            };
            if limit.is_limited() {
                Ok(limit)
            } else {
                Err("it names no window".to_owned())
            }
        }
        other => Ok(RateLimit {
            per_second: Some(positive(other, "the limit")?),
            per_minute: None,
        }),
    }
}
