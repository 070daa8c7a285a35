//! Stage 1: read the YAML text into the `openapiv3` types, with line numbers on failure.

use crate::error::{Error, Location};
use openapiv3::OpenAPI;

/// Parses `text` (the contents of `file`) as an OpenAPI 3.0 document.
pub fn load(file: &str, text: &str) -> Result<OpenAPI, Error> {
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
    serde_yaml::from_str(text).map_err(|e| yaml_error(file, "not a valid OpenAPI 3.0 document", &e))
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
