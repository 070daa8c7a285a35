//! `docs add`: a page's draft written into the spec's text in place.
//!
//! The spec is edited as text, not read and written again: its comments, flow mappings, blank lines and order
//! stay as they are. The operation goes to the path item of its path, or to a new path item after the paths of
//! the same resource; its new schemas go to the end of `components.schemas`, under a comment naming the
//! operation. An event goes to the top-level `x-events` map (made before `paths` when the spec has none), its
//! schemas to the end of `components.schemas` under a comment naming the event type. The result is read back and
//! must hold exactly what was drafted, or nothing is written.

use crate::audit;
use crate::draft::{drafted, drafted_event, yaml_text, Drafted, DraftedEvent};
use crate::page::{EventPage, Page};
use codegen::load::DRAFT_MARK;
use codegen::DraftLabels;
use serde_yaml::Value;

/// A page added to the spec's text, with its draft: [`Drafted`] for an operation's page, [`DraftedEvent`] for an
/// event's.
pub struct Added<D = Drafted> {
    /// The spec's text with the operation or event and its schemas in it.
    pub text: String,
    /// The draft that was written in.
    pub draft: D,
    /// How many texts carry the draft mark, to rewrite.
    pub marked: usize,
}

/// Adds `page` to the spec whose text is `spec_text` (`spec_name` names it in errors): drafts the page beside
/// the spec, as `docs draft --spec` does, and writes the draft into the text.
///
/// Refuses a page whose method and path are already an operation of the spec (`docs audit` compares those), a
/// drafted operation id the spec already uses, and a spec whose `paths` or `components.schemas` are not written
/// as block mappings.
pub fn add(spec_name: &str, spec_text: &str, page: &Page) -> Result<Added, String> {
    let spec =
        codegen::read(spec_name, spec_text, DraftLabels::Accepted).map_err(|e| e.to_string())?;
    let method = page.method.value.as_str();
    let path = page.path.value.as_str();
    if let Some(existing) = audit::operation(&spec.api, method, path) {
        return Err(format!(
            "{}: {method} {path} is already the spec's operation `{}`; `cargo xtask docs audit {}` compares it \
             with the page",
            page.file, existing.id, page.file
        ));
    }
    let draft = drafted(page, Some(&spec));
    if let Some(taken) = spec
        .api
        .operations
        .iter()
        .find(|op| op.id == draft.operation_id)
    {
        return Err(format!(
            "{}: the operation id `{}` drafted for {method} {path} is already the spec's, for {} {}; add the page \
             by hand (`cargo xtask docs draft --spec {spec_name} {}`) under another id",
            page.file,
            draft.operation_id,
            taken.method.as_str(),
            taken.path,
            page.file
        ));
    }
    let mut lines: Vec<String> = spec_text.lines().map(str::to_owned).collect();
    let layout = Layout::of(spec_name, &lines)?;

    // The schemas first: they come after the paths, so inserting them moves no line the paths are placed by.
    let at = layout.schemas_end;
    lines.splice(at..at, schema_lines(&draft.operation_id, &draft.schemas));

    let operation = serde_yaml::Mapping::from_iter([(
        Value::from(draft.method.as_str()),
        draft.operation.clone(),
    )]);
    let operation_lines = block(&Value::Mapping(operation), 4);
    let (at, new_lines) = match layout.path_items.iter().find(|item| item.path == path) {
        Some(item) => (item.end, operation_lines),
        None => {
            let after = layout
                .path_items
                .iter()
                .enumerate()
                .max_by_key(|(i, item)| (shared_segments(&item.path, path), *i))
                .map_or(layout.paths_end, |(_, item)| item.end);
            let mut new_lines = vec![String::new(), format!("  {path}:")];
            new_lines.extend(operation_lines);
            (after, new_lines)
        }
    };
    lines.splice(at..at, new_lines);

    let mut text = lines.join("\n");
    text.push('\n');
    check_written(spec_name, &text, &draft)?;
    let marked = text.matches(DRAFT_MARK).count() - spec_text.matches(DRAFT_MARK).count();
    Ok(Added {
        text,
        draft,
        marked,
    })
}

/// Adds the event page `page` to the spec whose text is `spec_text`, as [`add`] adds an operation's page;
/// refuses an event type the spec already has (`docs audit` compares those).
pub fn add_event(
    spec_name: &str,
    spec_text: &str,
    page: &EventPage,
) -> Result<Added<DraftedEvent>, String> {
    let spec =
        codegen::read(spec_name, spec_text, DraftLabels::Accepted).map_err(|e| e.to_string())?;
    let event_type = page.event_type.value.as_str();
    if spec.api.events.iter().any(|e| e.event_type == event_type) {
        return Err(format!(
            "{}: the event `{event_type}` is already the spec's; `cargo xtask docs audit {}` compares it with the \
             page",
            page.file, page.file
        ));
    }
    let draft = drafted_event(page, Some(&spec));
    let mut lines: Vec<String> = spec_text.lines().map(str::to_owned).collect();
    let layout = Layout::of(spec_name, &lines)?;
    let at = layout.schemas_end;
    lines.splice(at..at, schema_lines(event_type, &draft.schemas));
    // The events come before `paths`: inserting them after the schemas moves no line the schemas were placed by.
    let entry = serde_yaml::Mapping::from_iter([(Value::from(event_type), draft.entry.clone())]);
    let entry_lines = block(&Value::Mapping(entry), 2);
    match top_level(&lines, "x-events") {
        Some(events) => {
            let end = content_end(&lines, events + 1, block_end(&lines, events, 0));
            lines.splice(end..end, entry_lines);
        }
        None => {
            let paths = top_level(&lines, "paths").ok_or_else(|| {
                format!("{spec_name}: no `paths:` block at the start of a line; `docs add` writes `x-events` before it")
            })?;
            let mut new_lines = vec!["x-events:".to_owned()];
            new_lines.extend(entry_lines);
            new_lines.push(String::new());
            lines.splice(paths..paths, new_lines);
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    let document: Value = serde_yaml::from_str(&text).map_err(|e| {
        format!("{spec_name}: the spec with the page added does not read as YAML ({e}); nothing was written")
    })?;
    let written = document.get("x-events").and_then(|e| e.get(event_type));
    if written != Some(&draft.entry) {
        return Err(format!(
            "{spec_name}: the event `{event_type}` is not where `docs add` put it once read back; nothing was written"
        ));
    }
    check_schemas(spec_name, &document, &draft.schemas)?;
    codegen::read(spec_name, &text, DraftLabels::Accepted)
        .map_err(|e| format!("{e}\n(with {} added; nothing was written)", draft.file))?;
    let marked = text.matches(DRAFT_MARK).count() - spec_text.matches(DRAFT_MARK).count();
    Ok(Added {
        text,
        draft,
        marked,
    })
}

/// The lines of a page's new schemas at the end of `components.schemas`: a blank line, the comment naming the
/// operation or event they came with, and each schema, blank lines between; none when there are none.
fn schema_lines(added: &str, schemas: &serde_yaml::Mapping) -> Vec<String> {
    let mut lines = Vec::new();
    if !schemas.is_empty() {
        lines.push(String::new());
        lines.push(section_comment(added));
        for (i, (name, schema)) in schemas.iter().enumerate() {
            if i > 0 {
                lines.push(String::new());
            }
            let one = serde_yaml::Mapping::from_iter([(name.clone(), schema.clone())]);
            lines.extend(block(&Value::Mapping(one), 4));
        }
    }
    lines
}

/// The comment line that heads an operation's (or an event's) schemas.
fn section_comment(operation_id: &str) -> String {
    let head = format!("    # ---- {operation_id} ");
    let width = head.chars().count().max(116);
    format!("{head}{}", "-".repeat(width - head.chars().count()))
}

/// The number of path segments two paths share after `/open-apis/hire/v1` (the resource and below).
fn shared_segments(a: &str, b: &str) -> usize {
    let segments = |p: &str| -> Vec<String> { p.split('/').skip(4).map(str::to_owned).collect() };
    segments(a)
        .iter()
        .zip(segments(b).iter())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Where things are in the spec's lines.
struct Layout {
    /// Each path item: its path and the line after its last one (before blank lines and comments that follow).
    path_items: Vec<PathItem>,
    /// The line after the last of `paths`.
    paths_end: usize,
    /// The line after the last of `components.schemas`.
    schemas_end: usize,
}

struct PathItem {
    path: String,
    end: usize,
}

impl Layout {
    fn of(spec_name: &str, lines: &[String]) -> Result<Layout, String> {
        let paths = top_level(lines, "paths").ok_or_else(|| {
            format!("{spec_name}: no `paths:` block at the start of a line; `docs add` writes into that block")
        })?;
        let paths_block_end = block_end(lines, paths, 0);
        let mut path_items: Vec<PathItem> = Vec::new();
        for (i, line) in lines
            .iter()
            .enumerate()
            .take(paths_block_end)
            .skip(paths + 1)
        {
            if indent(line) == 2 && !is_filler(line) {
                let key = line.trim().strip_suffix(':').ok_or_else(|| {
                    format!(
                        "{spec_name}:{}: a path item written on one line; `docs add` needs block mappings here",
                        i + 1
                    )
                })?;
                if let Some(last) = path_items.last_mut() {
                    last.end = content_end(lines, paths + 1, i);
                }
                path_items.push(PathItem {
                    path: key.trim_matches(|c| c == '"' || c == '\'').to_owned(),
                    end: 0,
                });
            }
        }
        let paths_end = content_end(lines, paths + 1, paths_block_end);
        if let Some(last) = path_items.last_mut() {
            last.end = paths_end;
        }
        let components = top_level(lines, "components").ok_or_else(|| {
            format!("{spec_name}: no `components:` block at the start of a line; `docs add` writes schemas there")
        })?;
        let components_end = block_end(lines, components, 0);
        let schemas = (components + 1..components_end)
            .find(|&i| indent(&lines[i]) == 2 && lines[i].trim() == "schemas:")
            .ok_or_else(|| {
                format!(
                    "{spec_name}:{}: no `schemas:` block mapping under `components`; `docs add` writes schemas there",
                    components + 1
                )
            })?;
        let schemas_end = content_end(lines, schemas + 1, block_end(lines, schemas, 2));
        Ok(Layout {
            path_items,
            paths_end,
            schemas_end,
        })
    }
}

/// The line of `key:` at the start of a line, alone.
fn top_level(lines: &[String], key: &str) -> Option<usize> {
    let wanted = format!("{key}:");
    lines.iter().position(|l| l.trim_end() == wanted)
}

/// The line after the block of the key at `start` (indented by `depth`): the next line of content indented by
/// `depth` or less, or the end.
fn block_end(lines: &[String], start: usize, depth: usize) -> usize {
    (start + 1..lines.len())
        .find(|&i| !is_filler(&lines[i]) && indent(&lines[i]) <= depth)
        .unwrap_or(lines.len())
}

/// The line after the last line of content before `end` (blank lines and comments before `end` belong to what
/// follows), but not before `start`.
fn content_end(lines: &[String], start: usize, end: usize) -> usize {
    let mut at = end;
    while at > start && is_filler(&lines[at - 1]) {
        at -= 1;
    }
    at
}

fn is_filler(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.is_empty() || trimmed.starts_with('#')
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `value` as YAML lines in the spec's layout, every line indented by `by`: a sequence's items indented under
/// their key (`key:\n  - item`), as the spec writes them.
fn block(value: &Value, by: usize) -> Vec<String> {
    let yaml = yaml_text(value);
    let pad = " ".repeat(by);
    indent_sequences(&yaml)
        .into_iter()
        .map(|line| {
            if line.is_empty() {
                line
            } else {
                format!("{pad}{line}")
            }
        })
        .collect()
}

/// serde_yaml writes a sequence's `- ` at its key's indentation; the spec indents it by two more. Each line
/// moves right by two for every sequence it is in. A block scalar's text is deeper than the key that holds it,
/// so it moves with it.
fn indent_sequences(yaml: &str) -> Vec<String> {
    let mut open: Vec<usize> = Vec::new();
    // The indentation and the move of a line that opens a block scalar (`key: |-`): the deeper lines after it
    // are its text, and move as it does.
    let mut scalar: Option<(usize, usize)> = None;
    yaml.lines()
        .map(|line| {
            if line.trim().is_empty() {
                return String::new();
            }
            let at = indent(line);
            let content = &line[at..];
            if let Some((opened_at, moved)) = scalar {
                if at > opened_at {
                    return format!("{}{content}", " ".repeat(at + moved));
                }
                scalar = None;
            }
            let item = content == "-" || content.starts_with("- ");
            while open
                .last()
                .is_some_and(|&top| at < top || (at == top && !item))
            {
                open.pop();
            }
            if item && open.last() != Some(&at) {
                open.push(at);
            }
            let moved = 2 * open.len();
            let opens_scalar = content
                .rsplit_once(' ')
                .is_some_and(|(_, last)| last.starts_with(['|', '>']) && last.len() <= 3);
            if opens_scalar {
                scalar = Some((at, moved));
            }
            format!("{}{content}", " ".repeat(at + moved))
        })
        .collect()
}

/// Reads `text` back: the operation and each new schema must be there, equal to the draft. A spec whose layout
/// the insertion misjudged is refused rather than written.
fn check_written(spec_name: &str, text: &str, draft: &Drafted) -> Result<(), String> {
    let document: Value = serde_yaml::from_str(text)
        .map_err(|e| format!("{spec_name}: the spec with the page added does not read as YAML ({e}); nothing was written"))?;
    let operation = document
        .get("paths")
        .and_then(|p| p.get(draft.path.as_str()))
        .and_then(|p| p.get(draft.method.as_str()));
    if operation != Some(&draft.operation) {
        return Err(format!(
            "{spec_name}: the operation `{}` is not where `docs add` put it once read back; nothing was written",
            draft.operation_id
        ));
    }
    check_schemas(spec_name, &document, &draft.schemas)?;
    codegen::read(spec_name, text, DraftLabels::Accepted)
        .map(|_| ())
        .map_err(|e| format!("{e}\n(with {} added; nothing was written)", draft.file))
}

/// Each drafted schema must be in the document read back, equal to the draft.
fn check_schemas(
    spec_name: &str,
    document: &Value,
    schemas: &serde_yaml::Mapping,
) -> Result<(), String> {
    for (name, schema) in schemas {
        let written = document
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(|s| s.get(name));
        if written != Some(schema) {
            return Err(format!(
                "{spec_name}: the schema `{}` is not where `docs add` put it once read back; nothing was written",
                name.as_str().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_are_indented_under_their_key() {
        let yaml = "a:\n- b: 1\n  c:\n  - x\n  - y\n  d: |-\n    one\n    - two\nz: 2\n";
        let got = indent_sequences(yaml).join("\n") + "\n";
        assert_eq!(
            got,
            "a:\n  - b: 1\n    c:\n      - x\n      - y\n    d: |-\n      one\n      - two\nz: 2\n"
        );
        let before: Value = serde_yaml::from_str(yaml).expect("yaml");
        let after: Value = serde_yaml::from_str(&got).expect("yaml");
        assert_eq!(before, after);
    }

    #[test]
    fn paths_share_their_resource_segments() {
        let jobs = "/open-apis/hire/v1/jobs/{job_id}/config";
        assert_eq!(
            shared_segments(jobs, "/open-apis/hire/v1/jobs/{job_id}/open"),
            2
        );
        assert_eq!(shared_segments(jobs, "/open-apis/hire/v1/talents"), 0);
    }
}
