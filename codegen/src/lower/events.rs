//! The spec's events (the top-level `x-events` map): each event type, the facts of its page, and the struct its
//! delivery's `event` object decodes into.

use super::extensions::EventEntry;
use super::{Kind, Lowerer, Result, REF_PREFIX};
use crate::error::Pointer;
use crate::model::{DocDeviation, Event};
use crate::naming::{event_variant_name, variant_name};
use indexmap::IndexMap;
use serde_json::Value;
use std::collections::BTreeMap;

/// The variant every events enum keeps for an event type the spec does not know.
const UNKNOWN_VARIANT: &str = "Unknown";

impl Lowerer<'_> {
    /// The events of `x-events`, sorted by event type; an event type that is not lowercase words joined by `.`,
    /// a schema that is not an object of `components.schemas`, and two events of one variant name are errors.
    pub(super) fn lower_events(&self) -> Result<Vec<Event>> {
        let at = Pointer::root().join("x-events");
        let Some(value) = self.spec.extensions.get("x-events") else {
            return Ok(Vec::new());
        };
        let Value::Object(entries) = value else {
            return Err(self.err(&at, "x-events must map each event type to its event"));
        };
        let mut variants: BTreeMap<String, String> = BTreeMap::new();
        let mut events = Vec::new();
        for (event_type, entry) in entries {
            let at = at.join(event_type);
            let valid = event_type.split('.').count() >= 2
                && event_type.split('.').all(|segment| {
                    !segment.is_empty()
                        && segment.starts_with(|c: char| c.is_ascii_lowercase())
                        && segment
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                });
            if !valid {
                return Err(self.err(
                    &at,
                    format!(
                        "`{}` is not an event type: lowercase words joined by `.`, as `hire.talent.deleted_v1`",
                        event_type.escape_debug()
                    ),
                ));
            }
            let Value::Object(fields) = entry else {
                return Err(self.err(&at, "an event is a mapping (summary, schema, ...)"));
            };
            let fields: IndexMap<String, Value> =
                fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let entry: EventEntry = self.extensions(&fields, &at)?;
            let schema_at = at.join("schema");
            let key = entry
                .schema
                .reference
                .strip_prefix(REF_PREFIX)
                .ok_or_else(|| {
                    self.err(
                        &schema_at,
                        format!(
                            "`{}` is not a reference to `{REF_PREFIX}...`",
                            entry.schema.reference
                        ),
                    )
                })?;
            let data = match self.declared.get(key) {
                Some(declared) if declared.kind == Kind::Struct => declared.rust.clone(),
                Some(_) => {
                    return Err(self.err(
                        &schema_at,
                        format!("`{key}` is not an object schema: an event's `event` is an object"),
                    ))
                }
                None => {
                    return Err(self.err(
                        &schema_at,
                        format!("no schema `{key}` in components.schemas"),
                    ))
                }
            };
            let variant = match &entry.rust_name {
                Some(name) if variant_name(name) == *name && name != UNKNOWN_VARIANT => {
                    name.clone()
                }
                Some(name) => {
                    return Err(self.err(
                        &at.join("x-rust-name"),
                        format!(
                        "`{}` is not an UpperCamelCase variant name other than `{UNKNOWN_VARIANT}`",
                        name.escape_debug()
                    ),
                    ))
                }
                None => event_variant_name(event_type),
            };
            if let Some(first) = variants.insert(variant.clone(), event_type.clone()) {
                return Err(self.err(
                    &at,
                    format!(
                        "the variant name `{variant}` is already the one of `{first}`; give one of them an \
                         `x-rust-name`"
                    ),
                ));
            }
            events.push(Event {
                event_type: event_type.clone(),
                pointer: at.to_string(),
                variant,
                data,
                summary: entry.summary,
                doc: entry.description,
                doc_url: entry.external_docs.map(|docs| docs.url),
                scopes: entry.scopes,
                app_types: entry.app_types,
                example: entry.example,
                doc_deviations: entry
                    .doc_deviations
                    .into_iter()
                    .map(DocDeviation::from)
                    .collect(),
            });
        }
        events.sort_by(|a, b| a.event_type.cmp(&b.event_type));
        Ok(events)
    }
}
