//! Responses: the `{code, msg, data}` envelope, the typed `data` of each operation, its documented error codes
//! and how its pages are walked.

use super::extensions::{ErrorCodeEntry, PaginationExtension};
use super::{kind_of, type_text, Declared, Kind, Lowerer, Result, REF_PREFIX};
use crate::error::Pointer;
use crate::model::{
    ErrorCode, ErrorUse, Field, Operation, OperationError, PageSize, Pagination, Param,
    ParamLocation, Type,
};
use crate::naming::{self};
use openapiv3::{ReferenceOr, Schema, SchemaKind, StatusCode};
use std::collections::BTreeMap;

impl Lowerer<'_> {
    pub(super) fn check_envelope(&self, schema: &Schema, at: &Pointer) -> Result<()> {
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

    pub(super) fn lower_response(
        &mut self,
        op: &openapiv3::Operation,
        at: &Pointer,
        type_base: &str,
    ) -> Result<String> {
        let responses_at = at.join("responses");
        let Some((status, response)) = ok_response(op) else {
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
                        &naming::inline_hint(type_base, naming::InlinePart::Data),
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

    pub(super) fn lower_error_codes(
        &self,
        entries: &[ErrorCodeEntry],
        at: &Pointer,
    ) -> Result<Vec<OperationError>> {
        let mut codes = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let rust = naming::variant_name(&entry.name);
            if rust != entry.name {
                return Err(self.err(
                    &at.join(i).join("name"),
                    format!(
                        "error code name `{}` is not an UpperCamelCase Rust name (try `{rust}`)",
                        entry.name
                    ),
                ));
            }
            codes.push(OperationError {
                http_status: entry.http_status,
                code: entry.code,
                name: rust,
                description: entry.description.clone(),
            });
        }
        Ok(codes)
    }

    /// Every documented error code across operations: one code has one name, and one name one code.
    pub(super) fn collect_error_codes(&self, operations: &[Operation]) -> Result<Vec<ErrorCode>> {
        let mut by_code: BTreeMap<i64, ErrorCode> = BTreeMap::new();
        let pointer = |op: &Operation| Pointer::from_text(&op.pointer).join("x-error-codes");
        for op in operations {
            for error in &op.errors {
                let entry = by_code.entry(error.code).or_insert_with(|| ErrorCode {
                    code: error.code,
                    name: error.name.clone(),
                    uses: Vec::new(),
                });
                if entry.name != error.name {
                    return Err(self.err(
                        &pointer(op),
                        format!(
                            "error code {} is named `{}` here but `{}` elsewhere; one code has one name",
                            error.code, error.name, entry.name
                        ),
                    ));
                }
                entry.uses.push(ErrorUse {
                    operation: op.id.clone(),
                    http_status: error.http_status,
                    description: error.description.clone(),
                });
            }
        }
        let mut names: BTreeMap<&str, i64> = BTreeMap::new();
        for code in by_code.values() {
            if let Some(other) = names.insert(&code.name, code.code) {
                let first = &code.uses[0].operation;
                let op = operations.iter().find(|op| &op.id == first);
                return Err(self.err(
                    &op.map(pointer).unwrap_or_else(Pointer::root),
                    format!(
                        "error code name `{}` is used for both {other} and {}",
                        code.name, code.code
                    ),
                ));
            }
        }
        Ok(by_code.into_values().collect())
    }

    pub(super) fn lower_pagination(
        &self,
        pages: &PaginationExtension,
        at: &Pointer,
        params: &[Param],
        data: &str,
    ) -> Result<Pagination> {
        let find_param = |key: &str, wire: &str| -> Result<&Param> {
            params.iter().find(|p| p.wire == wire && p.location == ParamLocation::Query).ok_or_else(|| {
                self.err(&at.join(key), format!("x-pagination names query parameter `{wire}`, which the operation does not have"))
            })
        };
        let token = find_param("page_token_param", &pages.page_token_param)?;
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
        let size = match &pages.page_size_param {
            Some(wire) => {
                let size = find_param("page_size_param", wire)?;
                if !matches!(size.ty, Type::I32 | Type::I64) {
                    return Err(self.err(
                        &at.join("page_size_param"),
                        format!(
                            "the page size parameter must be an integer, found {}",
                            type_text(&size.ty)
                        ),
                    ));
                }
                // A required page size is the caller's, an argument of the request: nothing to fill in.
                (!size.required).then(|| PageSize {
                    param: size.name.clone(),
                    maximum: size.rules.maximum,
                })
            }
            None => None,
        };
        let Some(page) = self.structs.get(data) else {
            return Err(self.err(at, format!("the response data `{data}` is not an object")));
        };
        let find_field = |key: &str, wire: &str| -> Result<&Field> {
            page.fields.iter().find(|f| f.wire == wire).ok_or_else(|| {
                self.err(
                    &at.join(key),
                    format!("x-pagination names field `{wire}`, which `{data}` does not have"),
                )
            })
        };
        let token_field = find_field("page_token_field", &pages.page_token_field)?;
        let has_more = find_field("has_more_field", &pages.has_more_field)?;
        let items = find_field("items_field", &pages.items_field)?;
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
            size,
            token_field: token_field.name.clone(),
            has_more_field: has_more.name.clone(),
            items_field: items.name.clone(),
            item: (**item).clone(),
        })
    }
}

/// The operation's first 2xx response: the one whose `data` the client decodes and whose example is its answer.
pub(super) fn ok_response(
    op: &openapiv3::Operation,
) -> Option<(&StatusCode, &ReferenceOr<openapiv3::Response>)> {
    op.responses
        .responses
        .iter()
        .find(|(status, _)| matches!(status, StatusCode::Code(200..=299)))
}
