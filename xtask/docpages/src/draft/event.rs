//! The draft of an event page: its `x-events` entry and the schemas of its `event` object, in the spec's
//! conventions, with the same reuse of the spec's schemas and enums as an operation's draft.

use super::{
    fit_to_spec, map, marked, ordered_yaml, reading_remarks, reference, strings, whole_document,
    widen, yaml_text, Drafter,
};
use crate::page::EventPage;
use codegen::load::DRAFT_MARK;
use codegen::naming::event_variant_name;
use codegen::Spec;
use serde_yaml::{Mapping, Value};
use std::collections::HashMap;

/// An event page's draft in parts: what `docs draft` prints, and what `docs add` writes into the spec.
pub struct DraftedEvent {
    /// The page file drafted.
    pub file: String,
    /// What the header says beyond the standard lines, one sentence each.
    pub remarks: Vec<String>,
    /// The event type, the entry's key in `x-events`.
    pub event_type: String,
    /// The entry of `x-events`.
    pub entry: Value,
    /// The new schemas, in the draft's order.
    pub schemas: Mapping,
    title: String,
}

impl DraftedEvent {
    /// The draft as YAML text with its header: a whole document, or with `fragment` the part to merge into a spec.
    pub fn render(&self, fragment: bool) -> String {
        let events = map([(self.event_type.as_str(), self.entry.clone())]);
        let document = if fragment {
            map([
                ("x-events", events),
                (
                    "components",
                    map([("schemas", Value::Mapping(self.schemas.clone()))]),
                ),
            ])
        } else {
            let mut whole = whole_document(
                &self.title,
                Value::Mapping(Mapping::new()),
                self.schemas.clone(),
            );
            if let Value::Mapping(top) = &mut whole {
                top.insert("x-events".into(), events);
            }
            whole
        };
        let merge = if fragment {
            "# Merge `x-events` and `components.schemas` into the spec (`cargo xtask docs add` does it in place)."
        } else {
            "# A whole document, which `docs audit --spec` and `gen --spec` read on their own; into the spec, merge\n\
             # `x-events` and `components.schemas`."
        };
        let mut header = format!(
            "# Drafted by `cargo xtask docs draft` from {file}.\n\
             {merge}\n\
             # Every text marked `{DRAFT_MARK}` is the page's own words: rewrite each in yours (`cargo xtask gen`\n\
             # refuses the mark), and review the derived names (schema names, enum variant names).\n",
            file = self.file
        );
        for remark in &self.remarks {
            header.push_str(&format!("# {remark}.\n"));
        }
        format!("{header}{}", yaml_text(&document))
    }
}

/// The draft of an event page, beside `spec` when given: a drafted schema the spec already has, field for field,
/// is the spec's.
pub fn drafted_event(page: &EventPage, spec: Option<&Spec>) -> DraftedEvent {
    let mut drafter = Drafter {
        schemas: Mapping::new(),
        deviations: Vec::new(),
        numbered: HashMap::new(),
    };
    let event_type = page.event_type.value.clone();
    let type_base = event_variant_name(&event_type);
    let data_name = format!("{type_base}Event");
    let data = drafter.object(page.event_fields(), &data_name, false);
    drafter.schemas.insert(data_name.clone().into(), data);
    let example = page.event_example().map(ordered_yaml);
    if let Some(example) = &example {
        widen::widen_to_example(&mut drafter.schemas, &data_name, example);
    }
    let mut entry = Mapping::new();
    entry.insert("summary".into(), marked(&page.title));
    if let Some(url) = &page.source_url {
        entry.insert("externalDocs".into(), map([("url", url.clone().into())]));
    }
    if !page.app_types.value.is_empty() {
        entry.insert("x-app-types".into(), strings(&page.app_types.value));
    }
    entry.insert("x-scopes".into(), strings(&page.scopes.value));
    entry.insert("schema".into(), reference(&data_name));
    if let Some(example) = example {
        entry.insert("example".into(), example);
    }
    let mut entry = Value::Mapping(entry);
    let mut schemas = drafter.schemas;
    let mut remarks = reading_remarks(&page.problems, &page.repairs, &page.ambiguities);
    remarks.extend(fit_to_spec(&mut schemas, &mut entry, spec, &type_base));
    DraftedEvent {
        file: page.file.clone(),
        remarks,
        event_type,
        entry,
        schemas,
        title: page.title.clone(),
    }
}
