//! The spec's `x-` extensions (documented at the top of `spec/hire_v1.yaml`), read into typed structs. An
//! unknown key is refused, and so is a value of the wrong shape, in serde's words for what was found.

use super::{Lowerer, Result};
use crate::error::Pointer;
use crate::model::{AppType, TokenType};
use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// Extensions of a schema.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SchemaExtensions {
    /// The Rust variant name of each enum value.
    #[serde(rename = "x-enum-varnames")]
    pub enum_varnames: Option<Vec<String>>,
    /// A short meaning of each enum value.
    #[serde(rename = "x-enum-descriptions")]
    pub enum_descriptions: Option<Vec<String>>,
    /// Marks the `{code, msg, data}` envelope.
    #[serde(rename = "x-envelope", default)]
    pub envelope: bool,
    /// Groups of properties of which at most one may be set.
    #[serde(rename = "x-mutually-exclusive", default)]
    pub mutually_exclusive: Vec<Vec<String>>,
    /// What replaces a deprecated property.
    #[serde(rename = "x-replacement")]
    pub replacement: Option<String>,
    /// The Rust name of a property, instead of the one derived from its wire name.
    #[serde(rename = "x-rust-name")]
    pub rust_name: Option<String>,
}

/// Extensions of a parameter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ParamExtensions {
    /// The Rust name of the parameter, instead of the one derived from its wire name.
    #[serde(rename = "x-rust-name")]
    pub rust_name: Option<String>,
}

/// Extensions of an operation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OperationExtensions {
    /// Requests per second, or per second and per minute.
    #[serde(rename = "x-rate-limit")]
    pub rate_limit: Option<Value>,
    /// Scopes, any one of which allows the call.
    #[serde(rename = "x-scopes", default)]
    pub scopes: Vec<String>,
    /// Scopes that unlock some fields of the answer.
    #[serde(rename = "x-field-scopes", default)]
    pub field_scopes: Vec<String>,
    /// The kinds of app that may call the operation.
    #[serde(rename = "x-app-types", default)]
    pub app_types: Vec<AppType>,
    /// The access tokens it takes.
    #[serde(rename = "x-token-types", default)]
    pub token_types: Vec<TokenType>,
    /// Whether repeating the call is safe.
    #[serde(rename = "x-idempotent", default)]
    pub idempotent: bool,
    /// The documented error codes.
    #[serde(rename = "x-error-codes", default)]
    pub error_codes: Vec<ErrorCodeEntry>,
    /// How pages are walked.
    #[serde(rename = "x-pagination")]
    pub pagination: Option<PaginationExtension>,
    /// What replaces a deprecated operation.
    #[serde(rename = "x-replacement")]
    pub replacement: Option<String>,
    /// Deliberate departures from the doc page, read by `cargo xtask docs audit`; here only their shape is
    /// checked.
    #[serde(rename = "x-doc-deviations", default)]
    pub doc_deviations: Vec<DocDeviation>,
}

/// One entry of the top-level `x-events` map, keyed by event type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EventEntry {
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// The doc page.
    #[serde(rename = "externalDocs")]
    pub external_docs: Option<ExternalDocs>,
    /// The kinds of app that may subscribe.
    #[serde(rename = "x-app-types", default)]
    pub app_types: Vec<AppType>,
    /// Scopes, any one of which allows the subscription.
    #[serde(rename = "x-scopes", default)]
    pub scopes: Vec<String>,
    /// The Rust name of the event's variant, instead of the one derived from its type.
    #[serde(rename = "x-rust-name")]
    pub rust_name: Option<String>,
    /// Deliberate departures from the doc page.
    #[serde(rename = "x-doc-deviations", default)]
    pub doc_deviations: Vec<DocDeviation>,
    /// The delivery's `event` object: a `$ref` to an object schema.
    pub schema: SchemaRef,
    /// The documented `event` object.
    pub example: Option<Value>,
}

/// `externalDocs` of an event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExternalDocs {
    pub url: String,
}

/// A `{$ref: '#/components/schemas/Name'}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SchemaRef {
    #[serde(rename = "$ref")]
    pub reference: String,
}

/// One entry of `x-doc-deviations`: the path the audit reports, and why the spec departs from the page there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DocDeviation {
    pub at: String,
    pub reason: String,
}

impl From<DocDeviation> for crate::model::DocDeviation {
    fn from(d: DocDeviation) -> Self {
        crate::model::DocDeviation {
            at: d.at,
            reason: d.reason,
        }
    }
}

/// One entry of `x-error-codes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ErrorCodeEntry {
    pub http_status: u16,
    pub code: i64,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// `x-pagination`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PaginationExtension {
    pub page_token_param: String,
    pub page_size_param: Option<String>,
    pub page_token_field: String,
    pub has_more_field: String,
    pub items_field: String,
}

impl Lowerer<'_> {
    /// Reads the extensions of the node at `at` into `T`; an error points at the offending value.
    pub(super) fn extensions<T: DeserializeOwned>(
        &self,
        extensions: &IndexMap<String, Value>,
        at: &Pointer,
    ) -> Result<T> {
        let object: serde_json::Map<String, Value> = extensions
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        serde_path_to_error::deserialize(Value::Object(object)).map_err(|e| {
            let mut pointer = at.clone();
            for segment in e.path().iter() {
                pointer = match segment {
                    serde_path_to_error::Segment::Map { key } => pointer.join(key),
                    serde_path_to_error::Segment::Seq { index } => pointer.join(index),
                    serde_path_to_error::Segment::Enum { variant } => pointer.join(variant),
                    serde_path_to_error::Segment::Unknown => pointer,
                };
            }
            self.err(&pointer, e.into_inner().to_string())
        })
    }

    /// The deprecation note of a node marked `deprecated: true`, which must name its replacement in
    /// `x-replacement`.
    pub(super) fn deprecation(
        &self,
        deprecated: bool,
        replacement: Option<&str>,
        at: &Pointer,
    ) -> Result<Option<String>> {
        let replacement = match replacement.map(str::trim) {
            Some("") => {
                return Err(self.err(
                    &at.join("x-replacement"),
                    "x-replacement is empty; name what to use instead",
                ))
            }
            other => other,
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
}
