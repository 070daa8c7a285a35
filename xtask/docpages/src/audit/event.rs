//! Comparing an event page with its event in the spec (`x-events`): the app types, the scopes, the delivery's
//! envelope as the receiver reads it, every field of the `event` object, and the example.

use super::findings::Findings;
use super::values::{fields, struct_named, Level};
use super::{example, list, reading, recorded_version, same_set, Finding};
use crate::page::{EventPage, Field, Located};
use crate::record::{self, AuditedPage, Record};
use codegen::model::Api;

/// The rows of a delivery's `header`, as the receiver reads them.
pub const HEADER_FIELDS: [&str; 6] = [
    "event_id",
    "event_type",
    "create_time",
    "token",
    "app_id",
    "tenant_key",
];

/// The top-level rows of a delivery of schema 2.0.
const DELIVERY_FIELDS: [&str; 3] = ["schema", "header", "event"];

/// Audits the event page `page` against `spec`; `record` holds the page versions the spec was audited against.
pub fn audit_event(page: &EventPage, spec: &Api, record: &Record) -> Vec<Finding> {
    let event_type = &page.event_type.value;
    let Some(event) = spec.events.iter().find(|e| &e.event_type == event_type) else {
        let mut out = Findings::new(&page.file, "-");
        out.differ(page.event_type.line, "x-events", event_type, "no event");
        return out.list;
    };
    let mut out = Findings::new(&page.file, event_type);
    let app_types: Vec<String> = event
        .app_types
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    for (name, on_page, in_spec) in [
        ("x-app-types", &page.app_types, &app_types),
        ("x-scopes", &page.scopes, &event.scopes),
    ] {
        if !same_set(&on_page.value, in_spec) {
            let line = if on_page.line == 0 {
                page.event_type.line
            } else {
                on_page.line
            };
            out.differ(line, name, &list(&on_page.value), &list(in_spec));
        }
    }
    if let Some(url) = &page.source_url {
        if event.doc_url.as_deref() != Some(url.as_str()) {
            out.differ(
                1,
                "externalDocs",
                url,
                event.doc_url.as_deref().unwrap_or("none"),
            );
        }
    } else {
        out.warn(
            1,
            "externalDocs",
            "nothing of its own address (no front matter `source_url`, no `> Source:` line)",
            event.doc_url.as_deref().unwrap_or("none"),
        );
    }
    envelope(page, &mut out);
    let event_row = page.delivery.iter().find(|f| f.name == "event");
    let level = Level {
        path: "event",
        line: event_row.map_or(page.event_type.line, |f| f.line),
        request: false,
        example: None,
    };
    let data = struct_named(spec, &event.data);
    fields(page.event_fields(), spec, data, &level, &mut out);
    let line = page
        .example
        .as_ref()
        .map_or(page.event_type.line, |e| e.line);
    let on_page = page.event_example().map(|json| Located {
        value: json.clone(),
        line,
    });
    example(
        "example",
        on_page.as_ref(),
        event.example.as_ref(),
        line,
        &mut out,
    );
    // The reader's paths are the delivery's; the spec's object is the `event` object.
    let below: fn(&str) -> Option<&str> = |path| match path {
        "event" => Some(""),
        other => other.strip_prefix("event."),
    };
    reading(
        &page.ambiguities,
        &page.problems,
        &page.repairs,
        (spec, &[data], below),
        &mut out,
    );
    let now = AuditedPage::of_event(page);
    recorded_version(
        &now,
        record.events.get(event_type),
        |path, value| {
            let row = record::field_below(page.event_fields(), path);
            let label = row
                .and_then(|f| f.facts.enum_values.iter().find(|v| v.value == value))
                .map(|v| v.label.clone())
                .unwrap_or_default();
            (label, row.map_or(1, |f| f.line))
        },
        &mut out,
    );
    out.apply(&event.doc_deviations);
    out.list
}

/// The delivery's own rows (`schema`, `header` and the header's fields) are the ones the receiver reads: a
/// page with others, or without one of them, is reported.
fn envelope(page: &EventPage, out: &mut Findings) {
    let line = page
        .delivery
        .first()
        .map_or(page.event_type.line, |f| f.line);
    let names =
        |fields: &[Field]| -> Vec<String> { fields.iter().map(|f| f.name.clone()).collect() };
    let expected =
        |names: &[&str]| -> Vec<String> { names.iter().map(|n| (*n).to_owned()).collect() };
    for (path, on_page, known) in [
        (
            "delivery",
            names(&page.delivery),
            expected(&DELIVERY_FIELDS),
        ),
        (
            "header",
            names(page.header_fields()),
            expected(&HEADER_FIELDS),
        ),
    ] {
        for name in on_page.iter().filter(|n| !known.contains(n)) {
            out.differ(
                line,
                &format!("{path}.{name}"),
                "a field",
                "nothing: the receiver does not read it",
            );
        }
        for name in known.iter().filter(|n| !on_page.contains(n)) {
            out.differ(
                line,
                &format!("{path}.{name}"),
                "nothing",
                "a field the receiver reads",
            );
        }
    }
}
