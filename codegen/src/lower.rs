//! Stage 2: lower the OpenAPI document into the generator's model, checking everything the emitter relies on.
//! Anything unsupported becomes an [`Error`] with the JSON pointer of the node.

use crate::error::{Error, Pointer};
use crate::model::{
    Api, Body, Enum, EnumRepr, ErrorCode, Field, Method, Operation, Pagination, Param,
    ParamLocation, Rules, Segment, Struct, Type, Variant,
};
use crate::naming::{self, Scope};
use indexmap::IndexMap;
use openapiv3::{
    IntegerFormat, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind,
    StatusCode, VariantOrUnknownOrEmpty,
};
use serde_json::Value;
use std::collections::BTreeMap;

type Result<T, E = Error> = std::result::Result<T, E>;

const SCHEMA_EXTENSIONS: &[&str] = &[
    "x-enum-varnames",
    "x-enum-descriptions",
    "x-envelope",
    "x-mutually-exclusive",
    "x-replacement",
];
const OPERATION_EXTENSIONS: &[&str] = &[
    "x-rate-limit",
    "x-scopes",
    "x-field-scopes",
    "x-app-types",
    "x-idempotent",
    "x-error-codes",
    "x-pagination",
    "x-replacement",
];
const REF_PREFIX: &str = "#/components/schemas/";

/// Lowers `spec` (read from `file`) into the model.
pub fn lower(file: &str, spec: &OpenAPI) -> Result<Api> {
    let mut lowerer = Lowerer {
        file,
        spec,
        declared: BTreeMap::new(),
        names: BTreeMap::new(),
        structs: BTreeMap::new(),
        enums: BTreeMap::new(),
    };
    lowerer.declare_components()?;
    lowerer.lower_components()?;
    let operations = lowerer.lower_operations()?;
    box_recursive_fields(&mut lowerer.structs);
    let error_codes = lowerer.collect_error_codes(&operations)?;
    Ok(Api {
        title: spec.info.title.clone(),
        structs: lowerer.structs.into_values().collect(),
        enums: lowerer.enums.into_values().collect(),
        operations,
        error_codes,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Struct,
    Enum,
    Envelope,
}

struct Declared {
    rust: String,
    kind: Kind,
}

struct Lowerer<'a> {
    file: &'a str,
    spec: &'a OpenAPI,
    /// Component schemas by key.
    declared: BTreeMap<String, Declared>,
    /// Every Rust type name handed out, with the node it came from.
    names: BTreeMap<String, Pointer>,
    structs: BTreeMap<String, Struct>,
    enums: BTreeMap<String, Enum>,
}

impl<'a> Lowerer<'a> {
    fn err(&self, at: &Pointer, message: impl Into<String>) -> Error {
        Error::at(self.file, at, message)
    }

    /// Reserves `rust` as a type name for the node at `at`; a second node wanting the same name is an error.
    fn claim_type_name(&mut self, rust: &str, at: &Pointer) -> Result<()> {
        if let Some(first) = self.names.get(rust) {
            return Err(self.err(
                at,
                format!("the Rust type name `{rust}` is already used by {first}; rename one of them in the spec"),
            ));
        }
        self.names.insert(rust.to_owned(), at.clone());
        Ok(())
    }

    fn components(&self) -> Option<&'a openapiv3::Components> {
        self.spec.components.as_ref()
    }

    fn declare_components(&mut self) -> Result<()> {
        let Some(components) = self.components() else {
            return Ok(());
        };
        let base = Pointer::root().join("components").join("schemas");
        for (key, schema) in &components.schemas {
            let at = base.join(key);
            let schema = match schema {
                ReferenceOr::Item(schema) => schema,
                ReferenceOr::Reference { .. } => {
                    return Err(self.err(&at, "a component schema that is only a $ref is not supported; refer to the target directly"))
                }
            };
            self.check_extensions(&schema.schema_data.extensions, SCHEMA_EXTENSIONS, &at)?;
            if schema.schema_data.deprecated {
                return Err(self.err(
                    &at.join("deprecated"),
                    "`deprecated` is supported on operations and properties, not on a whole component schema",
                ));
            }
            let kind = if extension_bool(&schema.schema_data.extensions, "x-envelope") {
                Kind::Envelope
            } else if has_enum(schema) {
                Kind::Enum
            } else if is_object(schema) {
                Kind::Struct
            } else {
                return Err(self.err(
                    &at,
                    format!(
                        "a component schema must be an object or an enum, found {}",
                        kind_of(schema)
                    ),
                ));
            };
            let rust = naming::type_name(key);
            if kind != Kind::Envelope {
                self.claim_type_name(&rust, &at)?;
            }
            self.declared.insert(key.clone(), Declared { rust, kind });
        }
        Ok(())
    }

    fn lower_components(&mut self) -> Result<()> {
        let Some(components) = self.components() else {
            return Ok(());
        };
        let base = Pointer::root().join("components").join("schemas");
        for (key, schema) in &components.schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let at = base.join(key);
            let Some(declared) = self.declared.get(key) else {
                continue;
            };
            let rust = declared.rust.clone();
            match declared.kind {
                Kind::Envelope => self.check_envelope(schema, &at)?,
                Kind::Enum => self.lower_enum(&rust, schema, &at)?,
                Kind::Struct => self.lower_struct(&rust, schema, &at)?,
            }
        }
        Ok(())
    }

    fn check_envelope(&self, schema: &Schema, at: &Pointer) -> Result<()> {
        let SchemaKind::Type(openapiv3::Type::Object(object)) = &schema.schema_kind else {
            return Err(self.err(
                at,
                format!(
                    "the x-envelope schema must be an object, found {}",
                    kind_of(schema)
                ),
            ));
        };
        for field in ["code", "msg"] {
            if !object.properties.contains_key(field) {
                return Err(self.err(
                    &at.join("properties"),
                    format!("the x-envelope schema must have a `{field}` property"),
                ));
            }
        }
        Ok(())
    }

    fn check_extensions(
        &self,
        extensions: &IndexMap<String, Value>,
        known: &[&str],
        at: &Pointer,
    ) -> Result<()> {
        for key in extensions.keys() {
            if !known.contains(&key.as_str()) {
                return Err(self.err(
                    &at.join(key),
                    format!(
                        "unknown extension `{key}`; known here: {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    // ---- schemas -----------------------------------------------------------------------------------------------

    /// The type of a schema used as a field, item, parameter or body. `hint` names an inline object or enum.
    fn resolve(&mut self, schema: &ReferenceOr<Schema>, at: &Pointer, hint: &str) -> Result<Type> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve_ref(reference, at),
            ReferenceOr::Item(schema) => self.resolve_schema(schema, at, hint),
        }
    }

    fn resolve_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        at: &Pointer,
        hint: &str,
    ) -> Result<Type> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve_ref(reference, at),
            ReferenceOr::Item(schema) => self.resolve_schema(schema, at, hint),
        }
    }

    fn resolve_ref(&self, reference: &str, at: &Pointer) -> Result<Type> {
        let at = at.join("$ref");
        let Some(key) = reference.strip_prefix(REF_PREFIX) else {
            return Err(self.err(
                &at,
                format!("unsupported $ref `{reference}`; only `{REF_PREFIX}<name>` is supported"),
            ));
        };
        let Some(declared) = self.declared.get(key) else {
            return Err(self.err(&at, format!("unknown $ref `{reference}`: there is no schema `{key}` under components/schemas")));
        };
        match declared.kind {
            Kind::Struct => Ok(Type::Struct(declared.rust.clone())),
            Kind::Enum => Ok(Type::Enum(declared.rust.clone())),
            Kind::Envelope => Err(self.err(
                &at,
                format!("`{reference}` is the x-envelope schema; it can only wrap a 200 response"),
            )),
        }
    }

    fn resolve_schema(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> Result<Type> {
        self.check_extensions(&schema.schema_data.extensions, SCHEMA_EXTENSIONS, at)?;
        match &schema.schema_kind {
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => self.resolve(&all_of[0], &at.join("allOf").join(0), hint),
            SchemaKind::AllOf { all_of } => Err(self.err(
                &at.join("allOf"),
                format!("unsupported schema construct: allOf with {} members (only a single $ref, to attach a description or default)", all_of.len()),
            )),
            SchemaKind::OneOf { .. } => Err(self.err(&at.join("oneOf"), "unsupported schema construct: oneOf")),
            SchemaKind::AnyOf { .. } => Err(self.err(&at.join("anyOf"), "unsupported schema construct: anyOf")),
            SchemaKind::Not { .. } => Err(self.err(&at.join("not"), "unsupported schema construct: not")),
            SchemaKind::Any(any) => {
                if *any == openapiv3::AnySchema::default() {
                    Ok(Type::Json)
                } else {
                    Err(self.err(at, format!("schema has no supported `type`: found {} (use string, integer, number, boolean, array or object)", kind_of(schema))))
                }
            }
            SchemaKind::Type(ty) => match ty {
                _ if has_enum(schema) => {
                    let name = naming::type_name(hint);
                    self.claim_type_name(&name, at)?;
                    self.lower_enum(&name, schema, at)?;
                    Ok(Type::Enum(name))
                }
                openapiv3::Type::String(_) => Ok(Type::String),
                openapiv3::Type::Boolean(_) => Ok(Type::Bool),
                openapiv3::Type::Number(_) => Ok(Type::F64),
                openapiv3::Type::Integer(integer) => match &integer.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => Ok(Type::I32),
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) | VariantOrUnknownOrEmpty::Empty => Ok(Type::I64),
                    VariantOrUnknownOrEmpty::Unknown(format) => {
                        Err(self.err(&at.join("format"), format!("unknown integer format `{format}` (use int32 or int64)")))
                    }
                },
                openapiv3::Type::Array(array) => match &array.items {
                    Some(items) => {
                        let item = self.resolve_boxed(items, &at.join("items"), &format!("{hint}_item"))?;
                        Ok(Type::List(Box::new(item)))
                    }
                    None => Err(self.err(at, "array schema without `items`")),
                },
                openapiv3::Type::Object(object) if object.properties.is_empty() => Ok(Type::Json),
                openapiv3::Type::Object(_) => {
                    let name = naming::type_name(hint);
                    self.claim_type_name(&name, at)?;
                    self.lower_struct(&name, schema, at)?;
                    Ok(Type::Struct(name))
                }
            },
        }
    }

    fn lower_struct(&mut self, name: &str, schema: &Schema, at: &Pointer) -> Result<()> {
        let SchemaKind::Type(openapiv3::Type::Object(object)) = &schema.schema_kind else {
            return Err(self.err(
                at,
                format!("expected an object schema, found {}", kind_of(schema)),
            ));
        };
        for required in &object.required {
            if !object.properties.contains_key(required) {
                return Err(self.err(
                    &at.join("required"),
                    format!("required property `{required}` is not among the properties"),
                ));
            }
        }
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (wire, property) in &object.properties {
            let field_at = at.join("properties").join(wire);
            let ty = self.resolve_boxed(property, &field_at, &format!("{name}_{wire}"))?;
            let (doc, rules, deprecated) = match property {
                ReferenceOr::Item(schema) => (
                    schema.schema_data.description.clone(),
                    rules_of(schema),
                    self.deprecation(
                        schema.schema_data.deprecated,
                        &schema.schema_data.extensions,
                        &field_at,
                    )?,
                ),
                ReferenceOr::Reference { .. } => (None, Rules::default(), None),
            };
            fields.push(Field {
                name: scope.claim(naming::snake_name(wire)),
                wire: wire.clone(),
                ty,
                required: object.required.contains(wire),
                doc,
                rules,
                boxed: false,
                deprecated,
            });
        }
        let mut exclusive = Vec::new();
        if let Some(groups) = schema.schema_data.extensions.get("x-mutually-exclusive") {
            let groups_at = at.join("x-mutually-exclusive");
            let Some(list) = groups.as_array() else {
                return Err(self.err(
                    &groups_at,
                    format!(
                        "x-mutually-exclusive must be a list of lists of property names, found {}",
                        found(groups)
                    ),
                ));
            };
            for (i, group) in list.iter().enumerate() {
                let names = string_list(group).ok_or_else(|| {
                    self.err(
                        &groups_at.join(i),
                        format!("expected a list of property names, found {}", found(group)),
                    )
                })?;
                let mut rust = Vec::new();
                for wire in names {
                    let field = fields.iter().find(|f| f.wire == wire).ok_or_else(|| {
                        self.err(
                            &groups_at.join(i),
                            format!("x-mutually-exclusive names `{wire}`, which is not a property"),
                        )
                    })?;
                    rust.push(field.name.clone());
                }
                exclusive.push(rust);
            }
        }
        let doc = schema.schema_data.description.clone();
        self.structs.insert(
            name.to_owned(),
            Struct {
                name: name.to_owned(),
                doc,
                fields,
                exclusive,
            },
        );
        Ok(())
    }

    fn lower_enum(&mut self, name: &str, schema: &Schema, at: &Pointer) -> Result<()> {
        let (repr, values): (EnumRepr, Vec<String>) = match &schema.schema_kind {
            SchemaKind::Type(openapiv3::Type::String(s)) => {
                let values = s
                    .enumeration
                    .iter()
                    .map(|v| v.clone().ok_or(()))
                    .collect::<Result<_, _>>();
                (
                    EnumRepr::String,
                    values.map_err(|()| {
                        self.err(&at.join("enum"), "null is not supported as an enum value")
                    })?,
                )
            }
            SchemaKind::Type(openapiv3::Type::Integer(i)) => {
                let values = i
                    .enumeration
                    .iter()
                    .map(|v| v.map(|n| n.to_string()).ok_or(()))
                    .collect::<Result<_, _>>();
                (
                    EnumRepr::Integer,
                    values.map_err(|()| {
                        self.err(&at.join("enum"), "null is not supported as an enum value")
                    })?,
                )
            }
            _ => {
                return Err(self.err(
                    &at.join("enum"),
                    "only string and integer enums are supported",
                ))
            }
        };
        let extensions = &schema.schema_data.extensions;
        let names = match extensions.get("x-enum-varnames") {
            Some(names) => string_list(names).ok_or_else(|| self.err(&at.join("x-enum-varnames"), format!("x-enum-varnames must be a list of names, found {}", found(names))))?,
            None if repr == EnumRepr::String => values.clone(),
            None => {
                return Err(self.err(
                    at,
                    "integer enum without variant names: add `x-enum-varnames` with one Rust name per value",
                ))
            }
        };
        if names.len() != values.len() {
            return Err(self.err(
                &at.join("x-enum-varnames"),
                format!(
                    "x-enum-varnames has {} names for {} enum values",
                    names.len(),
                    values.len()
                ),
            ));
        }
        let docs = match extensions.get("x-enum-descriptions") {
            Some(docs) => {
                let docs = string_list(docs).ok_or_else(|| {
                    self.err(
                        &at.join("x-enum-descriptions"),
                        format!(
                            "x-enum-descriptions must be a list of strings, found {}",
                            found(docs)
                        ),
                    )
                })?;
                if docs.len() != values.len() {
                    return Err(self.err(
                        &at.join("x-enum-descriptions"),
                        format!(
                            "x-enum-descriptions has {} entries for {} enum values",
                            docs.len(),
                            values.len()
                        ),
                    ));
                }
                docs.into_iter().map(Some).collect()
            }
            None => vec![None; values.len()],
        };
        let mut variants: Vec<Variant> = Vec::new();
        for (i, ((wire, raw_name), doc)) in values.into_iter().zip(names).zip(docs).enumerate() {
            if variants.iter().any(|v| v.wire == wire) {
                return Err(self.err(
                    &at.join("enum").join(i),
                    format!("enum value `{wire}` is listed twice"),
                ));
            }
            let rust = naming::variant_name(&raw_name);
            if let Some(other) = variants.iter().find(|v| v.name == rust) {
                return Err(self.err(
                    &at.join("x-enum-varnames").join(i),
                    format!(
                        "variant name `{rust}` is used for both `{}` and `{wire}`",
                        other.wire
                    ),
                ));
            }
            variants.push(Variant {
                name: rust,
                wire,
                doc,
            });
        }
        let doc = schema.schema_data.description.clone();
        self.enums.insert(
            name.to_owned(),
            Enum {
                name: name.to_owned(),
                doc,
                repr,
                variants,
            },
        );
        Ok(())
    }

    // ---- operations --------------------------------------------------------------------------------------------

    fn lower_operations(&mut self) -> Result<Vec<Operation>> {
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
        self.check_extensions(&op.extensions, OPERATION_EXTENSIONS, at)?;
        let fn_name = naming::snake_name(&id);
        if naming::CLIENT_METHODS.contains(&fn_name.as_str()) {
            return Err(self.err(
                &at.join("operationId"),
                format!("operationId `{id}` would be the Client method `{fn_name}`, which the runtime already has; rename it"),
            ));
        }
        let type_base = naming::type_name(&id);
        let builder = format!("{type_base}Request");
        self.claim_type_name(&builder, &at.join("operationId"))?;

        // Parameters: path-level first, then the operation's own; the operation's win on the same name.
        let mut scope = Scope::with_reserved(naming::RESERVED_METHODS);
        scope.claim("client".to_owned());
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

        let body = match &op.request_body {
            Some(body) => {
                Some(self.lower_body(body, &at.join("requestBody"), &type_base, &mut scope)?)
            }
            None => None,
        };
        let data = self.lower_response(op, at, &type_base)?;

        let ext = &op.extensions;
        let rate_limit = match ext.get("x-rate-limit") {
            None => None,
            Some(value) => Some(
                value
                    .as_u64()
                    .filter(|n| *n > 0)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        self.err(
                            &at.join("x-rate-limit"),
                            format!("x-rate-limit must be a positive whole number of requests per second, found {}", found(value)),
                        )
                    })?,
            ),
        };
        let scopes = self.extension_strings(ext, "x-scopes", at)?;
        let field_scopes = self.extension_strings(ext, "x-field-scopes", at)?;
        self.extension_strings(ext, "x-app-types", at)?;
        let idempotent = match ext.get("x-idempotent") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(self.err(
                    &at.join("x-idempotent"),
                    format!("x-idempotent must be true or false, found {}", found(other)),
                ))
            }
        };
        let errors = self.lower_error_codes(ext.get("x-error-codes"), &at.join("x-error-codes"))?;
        let pagination = match ext.get("x-pagination") {
            Some(value) => {
                Some(self.lower_pagination(value, &at.join("x-pagination"), &params, &data)?)
            }
            None => None,
        };

        let deprecated = self.deprecation(op.deprecated, ext, at)?;

        Ok(Operation {
            fn_name,
            builder,
            id,
            method,
            path: path.to_owned(),
            segments,
            params,
            body,
            data,
            summary: op.summary.clone(),
            doc: op.description.clone(),
            doc_url: op.external_docs.as_ref().map(|d| d.url.clone()),
            rate_limit,
            scopes,
            field_scopes,
            idempotent,
            errors,
            pagination,
            deprecated,
        })
    }

    /// The deprecation note of a node marked `deprecated: true`, which must name its replacement in
    /// `x-replacement`.
    fn deprecation(
        &self,
        deprecated: bool,
        extensions: &IndexMap<String, Value>,
        at: &Pointer,
    ) -> Result<Option<String>> {
        let replacement = match extensions.get("x-replacement") {
            None => None,
            Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim()),
            Some(other) => {
                return Err(self.err(
                    &at.join("x-replacement"),
                    format!(
                    "x-replacement must be a non-empty text naming what to use instead, found {}",
                    found(other)
                ),
                ))
            }
        };
        match (deprecated, replacement) {
            (true, Some(replacement)) => Ok(Some(format!(
                "the doc page points to {replacement} instead"
            ))),
            (true, None) => Err(self.err(
                &at.join("deprecated"),
                "`deprecated: true` needs `x-replacement` beside it, naming what to use instead",
            )),
            (false, Some(_)) => Err(self.err(
                &at.join("x-replacement"),
                "x-replacement is only meaningful beside `deprecated: true`",
            )),
            (false, None) => Ok(None),
        }
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
        let ty = self.resolve(schema, &schema_at, &format!("{type_base}_{}", data.name))?;
        if !matches!(
            ty,
            Type::String | Type::Bool | Type::I32 | Type::I64 | Type::F64 | Type::Enum(_)
        ) {
            return Err(self.err(
                &schema_at,
                format!(
                    "parameter `{}` must be a string, number, boolean or enum, found {}",
                    data.name,
                    type_text(&ty)
                ),
            ));
        }
        let (default, rules) = match schema {
            ReferenceOr::Item(schema) => (
                schema.schema_data.default.as_ref().map(value_text),
                rules_of(schema),
            ),
            ReferenceOr::Reference { .. } => (None, Rules::default()),
        };
        Ok(Param {
            name: scope.claim(naming::snake_name(&data.name)),
            wire: data.name.clone(),
            location,
            ty,
            required: data.required,
            doc: data.description.clone(),
            default,
            rules,
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
            segments.push(Segment::Param(param.name.clone()));
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
                "the request body needs `application/json` content",
            ));
        };
        let schema_at = at.join("content").join("application/json").join("schema");
        let Some(schema) = &media.schema else {
            return Err(self.err(&schema_at, "the request body has no schema"));
        };
        match self.resolve(schema, &schema_at, &format!("{type_base}_body"))? {
            Type::Struct(ty) => {
                let fields = self
                    .structs
                    .get(&ty)
                    .map(|s| s.fields.as_slice())
                    .unwrap_or_default();
                let setters = fields
                    .iter()
                    .filter(|f| !f.required)
                    .map(|f| (scope.claim(f.name.clone()), f.name.clone()))
                    .collect();
                Ok(Body {
                    ty,
                    doc: body.description.clone(),
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

    /// The struct of the envelope's `data` in the 200 response: `allOf: [{$ref: <x-envelope>}, {properties: {data}}]`.
    fn lower_response(
        &mut self,
        op: &openapiv3::Operation,
        at: &Pointer,
        type_base: &str,
    ) -> Result<String> {
        let responses_at = at.join("responses");
        let ok = op
            .responses
            .responses
            .iter()
            .find(|(status, _)| match status {
                StatusCode::Code(code) => (200..300).contains(code),
                StatusCode::Range(_) => false,
            });
        let Some((status, response)) = ok else {
            return Err(self.err(&responses_at, "operation has no 2xx response"));
        };
        let response_at = responses_at.join(status);
        let ReferenceOr::Item(response) = response else {
            return Err(self.err(&response_at, "a response that is a $ref is not supported"));
        };
        let schema_at = response_at
            .join("content")
            .join("application/json")
            .join("schema");
        let schema = response
            .content
            .get("application/json")
            .and_then(|media| media.schema.as_ref());
        let shape = "the 2xx response schema must be `allOf: [{$ref: <the x-envelope schema>}, {type: object, properties: {data: ...}}]`";
        let Some(ReferenceOr::Item(schema)) = schema else {
            return Err(self.err(&schema_at, shape));
        };
        let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
            return Err(self.err(&schema_at, shape));
        };
        let mut envelope = false;
        let mut data = None;
        for (i, part) in all_of.iter().enumerate() {
            let part_at = schema_at.join("allOf").join(i);
            match part {
                ReferenceOr::Reference { reference } => {
                    let key = reference.strip_prefix(REF_PREFIX).unwrap_or(reference);
                    match self.declared.get(key) {
                        Some(Declared {
                            kind: Kind::Envelope,
                            ..
                        }) => envelope = true,
                        Some(_) => {
                            return Err(self.err(
                                &part_at,
                                format!("`{reference}` is not the x-envelope schema; {shape}"),
                            ))
                        }
                        None => {
                            return Err(self
                                .err(&part_at.join("$ref"), format!("unknown $ref `{reference}`")))
                        }
                    }
                }
                ReferenceOr::Item(part) => {
                    let SchemaKind::Type(openapiv3::Type::Object(object)) = &part.schema_kind
                    else {
                        return Err(self.err(&part_at, shape));
                    };
                    let Some(property) = object.properties.get("data") else {
                        return Err(self.err(
                            &part_at.join("properties"),
                            "the response has no `data` property",
                        ));
                    };
                    data = Some(self.resolve_boxed(
                        property,
                        &part_at.join("properties").join("data"),
                        &format!("{type_base}_data"),
                    )?);
                }
            }
        }
        match (envelope, data) {
            (true, Some(Type::Struct(name))) => Ok(name),
            (true, Some(other)) => Err(self.err(
                &schema_at,
                format!(
                    "the response `data` must be an object schema, found {}",
                    type_text(&other)
                ),
            )),
            _ => Err(self.err(&schema_at, shape)),
        }
    }

    fn extension_strings(
        &self,
        ext: &IndexMap<String, Value>,
        key: &str,
        at: &Pointer,
    ) -> Result<Vec<String>> {
        match ext.get(key) {
            None => Ok(Vec::new()),
            Some(value) => string_list(value).ok_or_else(|| {
                self.err(
                    &at.join(key),
                    format!("{key} must be a list of strings, found {}", found(value)),
                )
            }),
        }
    }

    fn lower_error_codes(
        &self,
        value: Option<&Value>,
        at: &Pointer,
    ) -> Result<Vec<(u16, i64, String, String)>> {
        let Some(value) = value else {
            return Ok(Vec::new());
        };
        let Some(entries) = value.as_array() else {
            return Err(self.err(
                at,
                format!("x-error-codes must be a list of {{http_status, code, name, description}}, found {}", found(value)),
            ));
        };
        let mut codes = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let entry_at = at.join(i);
            let status = entry
                .get("http_status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok());
            let code = entry.get("code").and_then(Value::as_i64);
            let name = entry.get("name").and_then(Value::as_str);
            let description = entry
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let (Some(status), Some(code), Some(name)) = (status, code, name) else {
                return Err(self.err(&entry_at, format!("an error code needs `http_status` (number), `code` (number) and `name` (string), found {}", found(entry))));
            };
            let rust = naming::variant_name(name);
            if rust != name {
                return Err(self.err(&entry_at.join("name"), format!("error code name `{name}` is not an UpperCamelCase Rust name (try `{rust}`)")));
            }
            codes.push((status, code, rust, description.to_owned()));
        }
        Ok(codes)
    }

    fn collect_error_codes(&self, operations: &[Operation]) -> Result<Vec<ErrorCode>> {
        let mut by_code: BTreeMap<i64, ErrorCode> = BTreeMap::new();
        for op in operations {
            for (status, code, name, description) in &op.errors {
                let entry = by_code.entry(*code).or_insert_with(|| ErrorCode {
                    code: *code,
                    name: name.clone(),
                    uses: Vec::new(),
                });
                if entry.name != *name {
                    let at = self.operation_pointer(&op.id).join("x-error-codes");
                    return Err(self.err(&at, format!("error code {code} is named `{name}` here but `{}` elsewhere; one code has one name", entry.name)));
                }
                entry
                    .uses
                    .push((op.id.clone(), *status, description.clone()));
            }
        }
        let mut names: BTreeMap<&str, i64> = BTreeMap::new();
        for code in by_code.values() {
            if let Some(other) = names.insert(&code.name, code.code) {
                let op = &code.uses[0].0;
                return Err(self.err(
                    &self.operation_pointer(op).join("x-error-codes"),
                    format!(
                        "error code name `{}` is used for both {other} and {}",
                        code.name, code.code
                    ),
                ));
            }
        }
        Ok(by_code.into_values().collect())
    }

    fn operation_pointer(&self, id: &str) -> Pointer {
        for (path, item) in &self.spec.paths.paths {
            if let ReferenceOr::Item(item) = item {
                for (method, op) in item.iter() {
                    if op.operation_id.as_deref() == Some(id) {
                        return Pointer::root().join("paths").join(path).join(method);
                    }
                }
            }
        }
        Pointer::root().join("paths")
    }

    fn lower_pagination(
        &self,
        value: &Value,
        at: &Pointer,
        params: &[Param],
        data: &str,
    ) -> Result<Pagination> {
        let text = |key: &str| -> Result<Option<&str>> {
            match value.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(other) => Err(self.err(
                    &at.join(key),
                    format!("{key} must be a string, found {}", found(other)),
                )),
            }
        };
        let need = |key: &str| -> Result<&str> {
            text(key)?.ok_or_else(|| self.err(at, format!("x-pagination needs `{key}`")))
        };
        let find_param = |key: &str, wire: &str| -> Result<&Param> {
            params.iter().find(|p| p.wire == wire && p.location == ParamLocation::Query).ok_or_else(|| {
                self.err(&at.join(key), format!("x-pagination names query parameter `{wire}`, which the operation does not have"))
            })
        };
        let token = find_param("page_token_param", need("page_token_param")?)?;
        if token.ty != Type::String || token.required {
            return Err(self.err(
                &at.join("page_token_param"),
                format!(
                    "the page token parameter must be an optional string, found {}{}",
                    if token.required { "a required " } else { "" },
                    type_text(&token.ty)
                ),
            ));
        }
        let size_param = match text("page_size_param")? {
            Some(wire) => {
                let size = find_param("page_size_param", wire)?;
                if !matches!(size.ty, Type::I32 | Type::I64) || size.required {
                    return Err(self.err(
                        &at.join("page_size_param"),
                        format!(
                            "the page size parameter must be an optional integer, found {}{}",
                            if size.required { "a required " } else { "" },
                            type_text(&size.ty)
                        ),
                    ));
                }
                Some((size.name.clone(), size.rules.maximum))
            }
            None => None,
        };
        let Some(page) = self.structs.get(data) else {
            return Err(self.err(at, format!("the response data `{data}` is not an object")));
        };
        let find_field = |key: &str| -> Result<&Field> {
            let wire = need(key)?;
            page.fields.iter().find(|f| f.wire == wire).ok_or_else(|| {
                self.err(
                    &at.join(key),
                    format!("x-pagination names field `{wire}`, which `{data}` does not have"),
                )
            })
        };
        let token_field = find_field("page_token_field")?;
        let has_more = find_field("has_more_field")?;
        let items = find_field("items_field")?;
        if token_field.ty != Type::String {
            return Err(self.err(
                &at.join("page_token_field"),
                format!(
                    "the page token field must be a string, found {}",
                    type_text(&token_field.ty)
                ),
            ));
        }
        if has_more.ty != Type::Bool {
            return Err(self.err(
                &at.join("has_more_field"),
                format!(
                    "the has_more field must be a boolean, found {}",
                    type_text(&has_more.ty)
                ),
            ));
        }
        let Type::List(item) = &items.ty else {
            return Err(self.err(
                &at.join("items_field"),
                format!(
                    "the items field must be an array, found {}",
                    type_text(&items.ty)
                ),
            ));
        };
        Ok(Pagination {
            token_param: token.name.clone(),
            size_param,
            token_field: token_field.name.clone(),
            has_more_field: has_more.name.clone(),
            items_field: items.name.clone(),
            item: (**item).clone(),
        })
    }
}

/// Boxes every field through which a struct contains itself, directly or through other structs, so the Rust
/// type has a finite size. Lists already live on the heap and break cycles.
fn box_recursive_fields(structs: &mut BTreeMap<String, Struct>) {
    let edges: BTreeMap<String, Vec<String>> = structs
        .values()
        .map(|s| {
            let targets = s.fields.iter().filter_map(|f| match &f.ty {
                Type::Struct(target) => Some(target.clone()),
                _ => None,
            });
            (s.name.clone(), targets.collect())
        })
        .collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = std::collections::BTreeSet::new();
        let mut pending = vec![from.to_owned()];
        while let Some(current) = pending.pop() {
            if current == to {
                return true;
            }
            if seen.insert(current.clone()) {
                pending.extend(edges.get(&current).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut boxed = Vec::new();
    for s in structs.values() {
        for (i, field) in s.fields.iter().enumerate() {
            if let Type::Struct(target) = &field.ty {
                if reaches(target, &s.name) {
                    boxed.push((s.name.clone(), i));
                }
            }
        }
    }
    for (name, i) in boxed {
        if let Some(field) = structs.get_mut(&name).and_then(|s| s.fields.get_mut(i)) {
            field.boxed = true;
        }
    }
}

fn has_enum(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(openapiv3::Type::String(s)) => !s.enumeration.is_empty(),
        SchemaKind::Type(openapiv3::Type::Integer(i)) => !i.enumeration.is_empty(),
        SchemaKind::Type(openapiv3::Type::Number(n)) => !n.enumeration.is_empty(),
        SchemaKind::Type(openapiv3::Type::Boolean(b)) => !b.enumeration.is_empty(),
        _ => false,
    }
}

fn is_object(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(openapiv3::Type::Object(_))
    )
}

fn extension_bool(extensions: &IndexMap<String, Value>, key: &str) -> bool {
    extensions
        .get(key)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// How a refusal names the value it found: in backticks, as JSON unless it is text, cut short.
fn found(value: &Value) -> String {
    const MOST: usize = 60;
    let text = value_text(value);
    if text.chars().count() > MOST {
        format!("`{}…`", text.chars().take(MOST).collect::<String>())
    } else {
        format!("`{text}`")
    }
}

/// How a refusal names the kind of schema it found: `type: string`, `type: strng`, `oneOf`, no `type`.
fn kind_of(schema: &Schema) -> String {
    let ty = match &schema.schema_kind {
        SchemaKind::Type(openapiv3::Type::String(_)) => "string",
        SchemaKind::Type(openapiv3::Type::Number(_)) => "number",
        SchemaKind::Type(openapiv3::Type::Integer(_)) => "integer",
        SchemaKind::Type(openapiv3::Type::Boolean(_)) => "boolean",
        SchemaKind::Type(openapiv3::Type::Array(_)) => "array",
        SchemaKind::Type(openapiv3::Type::Object(_)) => "object",
        SchemaKind::OneOf { .. } => return "`oneOf`".to_owned(),
        SchemaKind::AllOf { .. } => return "`allOf`".to_owned(),
        SchemaKind::AnyOf { .. } => return "`anyOf`".to_owned(),
        SchemaKind::Not { .. } => return "`not`".to_owned(),
        SchemaKind::Any(any) => match &any.typ {
            Some(ty) => return format!("`type: {ty}`"),
            None => return "no `type`".to_owned(),
        },
    };
    format!("`type: {ty}`")
}

/// How a refusal names a lowered type: `string`, `integer (i64)`, `list of string`, `object Job`.
fn type_text(ty: &Type) -> String {
    match ty {
        Type::String => "string".to_owned(),
        Type::Bool => "boolean".to_owned(),
        Type::I32 => "integer (i32)".to_owned(),
        Type::I64 => "integer (i64)".to_owned(),
        Type::F64 => "number".to_owned(),
        Type::Json => "free-form JSON".to_owned(),
        Type::Struct(name) => format!("object `{name}`"),
        Type::Enum(name) => format!("enum `{name}`"),
        Type::List(inner) => format!("list of {}", type_text(inner)),
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn rules_of(schema: &Schema) -> Rules {
    let mut rules = Rules::default();
    match &schema.schema_kind {
        SchemaKind::Type(openapiv3::Type::Integer(i)) => {
            rules.minimum = i.minimum;
            rules.maximum = i.maximum;
        }
        SchemaKind::Type(openapiv3::Type::String(s)) => {
            rules.min_length = s.min_length.map(|n| n as u64);
            rules.max_length = s.max_length.map(|n| n as u64);
        }
        SchemaKind::Type(openapiv3::Type::Array(a)) => {
            rules.max_items = a.max_items.map(|n| n as u64)
        }
        _ => {}
    }
    rules
}
