//! The one error type of the generator: what is wrong with the spec, and where.

use std::fmt;

/// Where in the spec file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A line and column (1-based), for YAML syntax and shape errors.
    Line {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
    },
    /// A JSON pointer to the offending node, e.g. `#/components/schemas/Job/properties/city`.
    Pointer(String),
    /// The file as a whole (it could not be read).
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line { line, column } => write!(f, ":{line}:{column}"),
            Location::Pointer(pointer) => write!(f, " at {pointer}"),
            Location::File => Ok(()),
        }
    }
}

/// A spec the generator cannot turn into code. The message names the file, the place and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{location}: {message}")]
pub struct Error {
    /// The spec file, as the caller named it.
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// What is wrong, in words a spec author can act on.
    pub message: String,
}

impl Error {
    pub(crate) fn at(file: &str, pointer: &Pointer, message: impl Into<String>) -> Self {
        Error {
            file: file.to_owned(),
            location: Location::Pointer(pointer.to_string()),
            message: message.into(),
        }
    }
}

/// A JSON pointer under construction (`#/paths/~1jobs/get`), escaped per RFC 6901.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pointer(String);

impl Pointer {
    pub(crate) fn root() -> Self {
        Pointer("#".to_owned())
    }

    /// A pointer kept as text (in the model), to extend it again.
    pub(crate) fn from_text(text: &str) -> Self {
        Pointer(text.to_owned())
    }

    /// The pointer one level down, at `token`.
    pub(crate) fn join(&self, token: impl fmt::Display) -> Self {
        let token = token.to_string().replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{}", self.0, token))
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
