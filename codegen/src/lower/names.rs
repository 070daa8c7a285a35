//! The names the spec gives that become Rust: operation ids, and the Rust names of properties and parameters
//! (`x-rust-name`), which must not meet within their scope and may stand only where they name something.

use super::{Lowerer, Result};
use crate::error::{Error, Pointer};
use crate::naming::{self, Collision, Scope};
use openapiv3::{ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind};

/// The extension that names a property or parameter in Rust.
const RUST_NAME: &str = "x-rust-name";

impl Lowerer<'_> {
    /// Checks an operation id: it names the `Client` method and, in the doc tools, files. Only
    /// `[a-z][a-z0-9_]*` can do both: no path separators, dots or other characters a file name or a Rust name
    /// could not carry as they are.
    pub(super) fn check_operation_id(&self, id: &str, at: &Pointer) -> Result<()> {
        let mut chars = id.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        if first_ok && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Ok(());
        }
        Err(self.err(
            at,
            format!(
                "operationId {} must match `[a-z][a-z0-9_]*` (a lowercase ASCII letter, then lowercase ASCII \
                 letters, digits and `_`): it names the Client method and the doc tools' files",
                quoted(id)
            ),
        ))
    }

    /// The Rust name of the property or parameter `wire` (described as `by`), taken in `scope`: the name the
    /// spec chose with `x-rust-name`, checked, or the one derived from the wire name. Names that meet are
    /// refused with both wire names and the extension that settles it.
    pub(super) fn claim_rust_name(
        &self,
        scope: &mut Scope,
        chosen: Option<&str>,
        wire: &str,
        by: &str,
        at: &Pointer,
    ) -> Result<String> {
        let name = match chosen {
            Some(name) => {
                naming::check_snake_name(name).map_err(|why| {
                    self.err(
                        &at.join(RUST_NAME),
                        format!("{RUST_NAME} {} of {by} {why}", quoted(name)),
                    )
                })?;
                name.to_owned()
            }
            None => naming::snake_name(wire),
        };
        let at = if chosen.is_some() {
            at.join(RUST_NAME)
        } else {
            at.clone()
        };
        scope
            .claim(name, by, chosen.is_some())
            .map_err(|collision| match collision {
                Collision::Taken { name, by: first } if chosen.is_some() => self.err(
                    &at,
                    format!("{RUST_NAME} `{name}` of {by} is the Rust name {first} already gives; choose another"),
                ),
                collision => self.collision(&at, collision, by),
            })
    }

    /// The refusal of a name that meets another in its scope.
    pub(super) fn collision(&self, at: &Pointer, collision: Collision, by: &str) -> Error {
        match collision {
            Collision::Taken { name, by: first } => {
                let reference = if by.starts_with("property") || first.starts_with("property") {
                    format!(" (a property that is a `$ref` carries it as `allOf: [{{$ref: ...}}]` with `{RUST_NAME}` beside `allOf`)")
                } else {
                    String::new()
                };
                self.err(
                    at,
                    format!(
                        "{first} and {by} both give the Rust name `{name}`; set `{RUST_NAME}` (a snake_case name) \
                         beside one of them, so that neither name depends on the order of the spec{reference}"
                    ),
                )
            }
            Collision::Reserved { name } => self.err(
                at,
                format!(
                    "{RUST_NAME} `{name}` of {by} is a name every request builder already has; choose another"
                ),
            ),
        }
    }

    /// Refuses `x-rust-name` wherever it would name nothing: anywhere but beside a property (in `properties`)
    /// or a parameter. Unnoticed there, a name the author meant to settle a collision would be silently ignored.
    pub(super) fn check_rust_name_places(&self) -> Result<()> {
        if let Some(components) = self.components() {
            let base = Pointer::root().join("components");
            for (key, schema) in &components.schemas {
                if let ReferenceOr::Item(schema) = schema {
                    self.rust_names_in(schema, &base.join("schemas").join(key), false)?;
                }
            }
            for (key, param) in &components.parameters {
                if let ReferenceOr::Item(param) = param {
                    let at = base.join("parameters").join(key);
                    self.rust_names_in_param(param, &at)?;
                }
            }
        }
        for (path, item) in &self.spec.paths.paths {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            let path_at = Pointer::root().join("paths").join(path);
            for (i, param) in item.parameters.iter().enumerate() {
                if let ReferenceOr::Item(param) = param {
                    self.rust_names_in_param(param, &path_at.join("parameters").join(i))?;
                }
            }
            for (method, op) in item.iter() {
                let at = path_at.join(method);
                for (i, param) in op.parameters.iter().enumerate() {
                    if let ReferenceOr::Item(param) = param {
                        self.rust_names_in_param(param, &at.join("parameters").join(i))?;
                    }
                }
                if let Some(ReferenceOr::Item(body)) = &op.request_body {
                    for (media, content) in &body.content {
                        if let Some(ReferenceOr::Item(schema)) = &content.schema {
                            let at = at.join("requestBody").join("content").join(media);
                            self.rust_names_in(schema, &at.join("schema"), false)?;
                        }
                    }
                }
                for (status, response) in &op.responses.responses {
                    let ReferenceOr::Item(response) = response else {
                        continue;
                    };
                    for (media, content) in &response.content {
                        if let Some(ReferenceOr::Item(schema)) = &content.schema {
                            let at = at.join("responses").join(status).join("content");
                            self.rust_names_in(schema, &at.join(media).join("schema"), false)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn rust_names_in_param(&self, param: &openapiv3::Parameter, at: &Pointer) -> Result<()> {
        match &param.parameter_data_ref().format {
            ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => {
                self.rust_names_in(schema, &at.join("schema"), false)
            }
            _ => Ok(()),
        }
    }

    /// Checks `schema` at `at`, which is a property's own schema when `property` is set, and what it holds.
    fn rust_names_in(&self, schema: &Schema, at: &Pointer, property: bool) -> Result<()> {
        if !property && schema.schema_data.extensions.contains_key(RUST_NAME) {
            return Err(self.err(
                &at.join(RUST_NAME),
                format!(
                    "{RUST_NAME} names a property (beside its schema under `properties`) or a parameter \
                     (beside its `name`); here it would name nothing"
                ),
            ));
        }
        let nested = |schemas: &[ReferenceOr<Schema>], key: &str| -> Result<()> {
            for (i, schema) in schemas.iter().enumerate() {
                if let ReferenceOr::Item(schema) = schema {
                    self.rust_names_in(schema, &at.join(key).join(i), false)?;
                }
            }
            Ok(())
        };
        match &schema.schema_kind {
            SchemaKind::Type(openapiv3::Type::Object(object)) => {
                for (key, property) in &object.properties {
                    if let ReferenceOr::Item(property) = property {
                        self.rust_names_in(property, &at.join("properties").join(key), true)?;
                    }
                }
                if let Some(openapiv3::AdditionalProperties::Schema(extra)) =
                    &object.additional_properties
                {
                    if let ReferenceOr::Item(extra) = extra.as_ref() {
                        self.rust_names_in(extra, &at.join("additionalProperties"), false)?;
                    }
                }
                Ok(())
            }
            SchemaKind::Type(openapiv3::Type::Array(array)) => match &array.items {
                Some(ReferenceOr::Item(items)) => {
                    self.rust_names_in(items, &at.join("items"), false)
                }
                _ => Ok(()),
            },
            SchemaKind::AllOf { all_of } => nested(all_of, "allOf"),
            SchemaKind::OneOf { one_of } => nested(one_of, "oneOf"),
            SchemaKind::AnyOf { any_of } => nested(any_of, "anyOf"),
            SchemaKind::Not { not } => match not.as_ref() {
                ReferenceOr::Item(not) => self.rust_names_in(not, &at.join("not"), false),
                ReferenceOr::Reference { .. } => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

/// A value from the spec as an error quotes it: in backticks, with what cannot be read as it is (control and
/// bidirectional characters, quotes) escaped.
pub(super) fn quoted(value: &str) -> String {
    format!("`{}`", value.escape_debug())
}
