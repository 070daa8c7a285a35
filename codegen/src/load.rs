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
    if labels == DraftLabels::Refused {
        let mut left = Vec::new();
        drafts_left(&value, "#", &mut left);
        if let Some(error) = drafts_error(file, text, &left) {
            return Err(error);
        }
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

/// What a draft leaves for a person to write: a doc page's own words, or a placeholder variant name.
#[derive(Debug)]
enum Left {
    /// A description, summary or enum description that still carries [`DRAFT_MARK`].
    Label(String),
    /// A variant name of `x-enum-varnames` that the draft could only number (`Value1`, `ValueMinus1`).
    Placeholder(String),
    /// An error code's name that the draft could only number (`Code1002613`).
    ErrorName(String),
}

/// Whether a variant name is one of the draft's placeholders: `Value` and an integer.
fn is_placeholder(name: &str) -> bool {
    numbered(name, "Value")
}

/// Whether `name` is `prefix` and an integer (`Value1`, `ValueMinus1`, `Code1002613`).
fn numbered(name: &str, prefix: &str) -> bool {
    let number = name
        .strip_prefix(prefix)
        .map(|n| n.strip_prefix("Minus").unwrap_or(n));
    number.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Every description, summary or enum description that still carries [`DRAFT_MARK`], and every placeholder
/// variant name, with its JSON pointer, in document order.
fn drafts_left(value: &serde_yaml::Value, at: &str, out: &mut Vec<(String, Left)>) {
    let marked = |value: &serde_yaml::Value| {
        value
            .as_str()
            .filter(|text| text.trim_start().starts_with(DRAFT_MARK))
            .map(str::to_owned)
    };
    match value {
        serde_yaml::Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                drafts_left(item, &format!("{at}/{i}"), out);
            }
        }
        serde_yaml::Value::Mapping(map) => {
            for (key, item) in map {
                let key = key.as_str().unwrap_or_default();
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (key, item) {
                    // A property may be named `description` too: only a text is a description.
                    ("summary" | "description", serde_yaml::Value::String(_)) => {
                        if let Some(label) = marked(item) {
                            out.push((here, Left::Label(label)));
                        }
                    }
                    ("x-enum-descriptions", serde_yaml::Value::Sequence(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Some(label) = marked(item) {
                                out.push((format!("{here}/{i}"), Left::Label(label)));
                            }
                        }
                    }
                    ("x-enum-varnames", serde_yaml::Value::Sequence(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Some(name) = item.as_str().filter(|n| is_placeholder(n)) {
                                out.push((
                                    format!("{here}/{i}"),
                                    Left::Placeholder(name.to_owned()),
                                ));
                            }
                        }
                    }
                    ("x-error-codes", serde_yaml::Value::Sequence(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            let at = format!("{here}/{i}");
                            if let Some(name) = item
                                .get("name")
                                .and_then(serde_yaml::Value::as_str)
                                .filter(|n| numbered(n, "Code"))
                            {
                                out.push((format!("{at}/name"), Left::ErrorName(name.to_owned())));
                            }
                            drafts_left(item, &at, out);
                        }
                    }
                    _ => drafts_left(item, &here, out),
                }
            }
        }
        serde_yaml::Value::Tagged(tagged) => drafts_left(&tagged.value, at, out),
        _ => {}
    }
}

/// The one error that lists everything a draft left, each with its line (found by its text, in document order)
/// and its JSON pointer; `None` when nothing is left.
fn drafts_error(file: &str, text: &str, left: &[(String, Left)]) -> Option<Error> {
    let (first, _) = left.first()?;
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut entries = Vec::new();
    for (pointer, what) in left {
        let (needle, entry) = match what {
            Left::Label(label) => (
                label.chars().take(40).collect::<String>(),
                format!("`{label}` is a doc page's label: rewrite it in your own words"),
            ),
            Left::Placeholder(name) => (
                name.clone(),
                format!("`{name}` is a placeholder variant name: name the value in English"),
            ),
            Left::ErrorName(name) => (
                name.clone(),
                format!("`{name}` is a placeholder error name: name the error in English"),
            ),
        };
        // The line of the text, searched from the last one found: the document is walked in order.
        let found = (from..lines.len())
            .chain(0..from)
            .find(|&i| lines[i].contains(needle.as_str()));
        let line = match found {
            Some(i) => {
                from = i;
                format!("{file}:{}", i + 1)
            }
            None => file.to_owned(),
        };
        entries.push(format!("\n  {line} at {pointer}: {entry}"));
    }
    let labels = left
        .iter()
        .filter(|(_, w)| matches!(w, Left::Label(_)))
        .count();
    let placeholders = left
        .iter()
        .filter(|(_, w)| matches!(w, Left::Placeholder(_)))
        .count();
    let error_names = left.len() - labels - placeholders;
    Some(Error {
        file: file.to_owned(),
        location: Location::Pointer(first.clone()),
        message: format!(
            "`cargo xtask docs draft` left {labels} doc page label(s) to rewrite (without the `{DRAFT_MARK}` mark) and \
             {placeholders} placeholder variant name(s) and {error_names} placeholder error name(s) to replace:{}",
            entries.concat()
        ),
    })
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
