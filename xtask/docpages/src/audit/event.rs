//! Comparing an event page with its event in the spec (`x-events`): the app types, the scopes, the delivery's
//! envelope as the receiver reads it, every field of the `event` object, and the example.

use super::findings::Findings;
use super::values::{fields, struct_named, Level};
use super::{compare_json, list, object_at, same_set, Finding};
use crate::page::{EventPage, Field};
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
    let on_page = page.event_example().map(|e| e.to_value());
    let line = page
        .example
        .as_ref()
        .map_or(page.event_type.line, |e| e.line);
    match (on_page, &event.example) {
        (Some(on_page), Some(in_spec)) => {
            let mut differences = Vec::new();
            compare_json("example", &on_page, in_spec, &mut differences);
            for (path, p, s) in differences {
                out.differ(line, &path, &p, &s);
            }
        }
        (Some(_), None) => out.differ(line, "example", "an example", "none"),
        (None, Some(_)) => out.differ(line, "example", "none", "an example"),
        (None, None) => {}
    }
    for ambiguity in &page.ambiguities {
        // Candidates are paths of the delivery; the spec settles those inside the `event` object.
        let holds = |path: &str| {
            let inner = match path {
                "event" => Some(""),
                other => other.strip_prefix("event."),
            };
            inner
                .and_then(|inner| object_at(spec, data, inner))
                .is_some_and(|s| s.fields.iter().any(|f| f.wire == ambiguity.name))
        };
        let settled = match ambiguity.candidates.as_slice() {
            [placed, others @ ..] => holds(placed) && !others.iter().any(|o| holds(o)),
            [] => false,
        };
        if !settled {
            out.differ(
                ambiguity.line,
                &ambiguity.name,
                &format!(
                    "a row whose parent is either `{}`",
                    ambiguity.candidates.join("` or `")
                ),
                "nothing to decide it",
            );
        }
    }
    for problem in &page.problems {
        out.warn(
            problem.line,
            "page",
            &problem.value,
            "nothing: the page contradicts itself",
        );
    }
    for repair in &page.repairs {
        out.warn(
            repair.line,
            "page",
            &repair.value,
            "the example as repaired",
        );
    }
    recorded_version(page, record, &mut out);
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

/// Notes a page that is not the version the spec was audited against, and enum labels changed since.
fn recorded_version(page: &EventPage, record: &Record, out: &mut Findings) {
    let Some(recorded) = record.events.get(&page.event_type.value) else {
        return;
    };
    if recorded.sha256 != page.sha256 {
        out.differ(
            1,
            "page",
            &format!("version {}", record::short(&page.sha256)),
            &format!(
                "it was audited against version {}; review the findings, then run with --record",
                record::short(&recorded.sha256)
            ),
        );
    }
    let now = AuditedPage::of_event(page);
    for (path, labels) in &now.enum_labels {
        let Some(before) = recorded.enum_labels.get(path) else {
            continue;
        };
        let row = record::field_below(page.event_fields(), path);
        for (value, fingerprint) in labels {
            if before.get(value).is_some_and(|old| old != fingerprint) {
                let label = row
                    .and_then(|f| f.facts.enum_values.iter().find(|v| &v.value == value))
                    .map(|v| v.label.clone())
                    .unwrap_or_default();
                out.warn(
                    row.map_or(1, |f| f.line),
                    &format!("{path}.enum.{value}"),
                    &format!("label \"{label}\""),
                    "a different label was recorded; check the variant's name and description",
                );
            }
        }
    }
}
