//! Stage 1: read the YAML text into the `openapiv3` types, with line numbers on failure.

use crate::error::{Error, Location};
use openapiv3::OpenAPI;

/// Whether a text that still carries [`DRAFT_MARK`] is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftLabels {
    /// Refused: the spec the client is generated from is written in the project's own words.
    Refused,
    /// Read like any other text: a draft, or a spec with a draft merged in, may be audited before it is
    /// rewritten.
    Accepted,
}

/// Parses `text` (the contents of `file`) as an OpenAPI 3.0 document, refusing the doc pages' labels that
/// `cargo xtask docs draft` leaves.
pub fn load(file: &str, text: &str) -> Result<OpenAPI, Error> {
    load_with(file, text, DraftLabels::Refused)
}

/// Parses `text` (the contents of `file`) as an OpenAPI 3.0 document; `labels` says whether a text marked
/// [`DRAFT_MARK`] is refused.
pub fn load_with(file: &str, text: &str, labels: DraftLabels) -> Result<OpenAPI, Error> {
    // Parse to a plain YAML value first, so YAML syntax errors are told apart from a document of the wrong shape.
    // It also keeps invalid YAML away from openapiv3, whose `ReferenceOr` deserializer panics on some of it
    // (an `expect` in its fallback path; `tests/mutations.rs` finds such a text when the order is reversed).
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| yaml_error(file, "YAML syntax error", &e))?;
    if let Some(version) = value.get("openapi").and_then(serde_yaml::Value::as_str) {
        if !version.starts_with("3.0.") {
            return Err(Error {
                file: file.to_owned(),
                location: Location::Pointer("#/openapi".to_owned()),
                message: format!(
                    "OpenAPI version {version} is not supported; the generator reads 3.0.x"
                ),
            });
        }
    }
    if let Some((pointer, label)) =
        draft_label(&value, "#").filter(|_| labels == DraftLabels::Refused)
    {
        return Err(Error {
            file: file.to_owned(),
            location: Location::Pointer(pointer),
            message: format!(
                "`{label}` is a doc page's label left by `cargo xtask docs draft`; rewrite it in your own words \
                 (without the `{DRAFT_MARK}` mark)"
            ),
        });
    }
    // Usually the text is read once. serde_yaml reads some scalars more leniently from text than from a value
    // (an empty scalar as a string, say), so a document the value does not fit is read again from the text,
    // which also gives a refusal its line.
    serde_yaml::from_value(value).or_else(|_| {
        serde_yaml::from_str(text)
            .map_err(|e| yaml_error(file, "not a valid OpenAPI 3.0 document", &e))
    })
}

/// How `cargo xtask docs draft` marks the page's own words, which must be rewritten before the spec is used.
pub const DRAFT_MARK: &str = "DRAFT:";

/// The first description, summary or enum description that still carries [`DRAFT_MARK`], with its JSON pointer.
fn draft_label(value: &serde_yaml::Value, at: &str) -> Option<(String, String)> {
    let marked = |value: &serde_yaml::Value| {
        value
            .as_str()
            .filter(|text| text.trim_start().starts_with(DRAFT_MARK))
            .map(str::to_owned)
    };
    match value {
        serde_yaml::Value::Sequence(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| draft_label(item, &format!("{at}/{i}"))),
        serde_yaml::Value::Mapping(map) => map.iter().find_map(|(key, item)| {
            let key = key.as_str().unwrap_or_default();
            let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
            match (key, item) {
                // A property may be named `description` too: only a text is a description.
                ("summary" | "description", serde_yaml::Value::String(_)) => {
                    marked(item).map(|label| (here, label))
                }
                ("x-enum-descriptions", serde_yaml::Value::Sequence(items)) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, item)| marked(item).map(|label| (format!("{here}/{i}"), label))),
                _ => draft_label(item, &here),
            }
        }),
        serde_yaml::Value::Tagged(tagged) => draft_label(&tagged.value, at),
        _ => None,
    }
}

fn yaml_error(file: &str, what: &str, error: &serde_yaml::Error) -> Error {
    let location = match error.location() {
        Some(at) => Location::Line {
            line: at.line(),
            column: at.column(),
        },
        None => Location::File,
    };
    let mut detail = error.to_string();
    if let Some(at) = error.location() {
        // serde_yaml repeats the position at the end of its message; it is already in `location`.
        let suffix = format!(" at line {} column {}", at.line(), at.column());
        if let Some(stripped) = detail.strip_suffix(&suffix) {
            detail = stripped.to_owned();
        }
    }
    Error {
        file: file.to_owned(),
        location,
        message: format!("{what}: {detail}"),
    }
}
