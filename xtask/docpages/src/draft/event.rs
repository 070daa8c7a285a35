//! The draft of an event page: its `x-events` entry and the schemas of its `event` object, in the spec's
//! conventions, with the same reuse of the spec's schemas and enums as an operation's draft.

use super::fit::{fit_into, new_names, rename_refs, Fit};
use super::{
    map, marked, one_line, ordered_yaml, reference, strings, whole_document, widen, yaml_text,
    Drafter,
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
    let spec_schemas = spec
        .and_then(|s| serde_yaml::to_value(&s.document.components.as_ref()?.schemas).ok())
        .and_then(|schemas| match schemas {
            Value::Mapping(schemas) => Some(schemas),
            _ => None,
        })
        .unwrap_or_default();
    let fits = fit_into(&mut schemas, &spec_schemas, &type_base);
    let renamed = new_names(&fits);
    let mut remarks = Vec::new();
    for problem in &page.problems {
        remarks.push(format!(
            "The page contradicts itself at line {}: {}; that part is not drafted",
            problem.line,
            one_line(&problem.value)
        ));
    }
    for repair in &page.repairs {
        remarks.push(format!(
            "The page's example at line {} is repaired: {}; check the values drafted from it",
            repair.line,
            one_line(&repair.value)
        ));
    }
    for ambiguity in &page.ambiguities {
        remarks.push(format!(
            "Line {}: the parent of `{}` is either `{}`; the draft puts it in the first. Check it",
            ambiguity.line,
            ambiguity.name,
            ambiguity.candidates.join("` or `")
        ));
    }
    for (from, to) in &renamed {
        remarks.push(match fits.get(from) {
            _ if !schemas.contains_key(to.as_str()) => format!("`{from}` is the spec's `{to}`"),
            Some(Fit::Renamed(_)) => {
                format!("`{from}` is named `{to}`: the spec's `{from}` is another schema")
            }
            _ => format!("`{from}` is the same object as `{to}`"),
        });
    }
    rename_refs(&mut entry, &renamed);
    for (_, schema) in schemas.iter_mut() {
        rename_refs(schema, &renamed);
    }
    DraftedEvent {
        file: page.file.clone(),
        remarks,
        event_type,
        entry,
        schemas,
        title: page.title.clone(),
    }
}
