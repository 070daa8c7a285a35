//! Stage 3: turn the model into token streams, one module per kind of output file.

mod enums;
mod error_codes;
mod events;
mod example_requests;
mod operations;

pub use operations::check_doc;
mod types;

use crate::model::{Api, Type};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

/// A file the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OutputFile {
    /// `mod.rs`: the module root.
    Root,
    /// `types.rs`: the structs.
    Types,
    /// `enums.rs`: the enums.
    Enums,
    /// `error_codes.rs`: `ErrorCode`.
    ErrorCodes,
    /// `operations.rs`: the request builders.
    Operations,
    /// `events.rs`: the events, one open enum.
    Events,
    /// `example_requests.rs`: each operation's request built from its documented examples, for the client's
    /// tests; not a module of the library (`mod.rs` does not declare it).
    ExampleRequests,
}

impl OutputFile {
    /// Every file, in the order they are written.
    pub const ALL: [OutputFile; 7] = [
        OutputFile::Root,
        OutputFile::Types,
        OutputFile::Enums,
        OutputFile::ErrorCodes,
        OutputFile::Operations,
        OutputFile::Events,
        OutputFile::ExampleRequests,
    ];

    /// Its path, relative to the output folder.
    pub fn path(self) -> &'static str {
        match self {
            OutputFile::Root => "mod.rs",
            OutputFile::Types => "types.rs",
            OutputFile::Enums => "enums.rs",
            OutputFile::ErrorCodes => "error_codes.rs",
            OutputFile::Operations => "operations.rs",
            OutputFile::Events => "events.rs",
            OutputFile::ExampleRequests => "example_requests.rs",
        }
    }
}

/// The emitted files: path relative to the output folder -> tokens.
pub fn emit(api: &Api) -> BTreeMap<&'static str, TokenStream> {
    OutputFile::ALL
        .iter()
        .map(|file| (file.path(), emit_file(api, *file)))
        .collect()
}

/// The tokens of one file.
pub fn emit_file(api: &Api, file: OutputFile) -> TokenStream {
    match file {
        OutputFile::Root => module_root(api),
        OutputFile::Types => types::emit(api),
        OutputFile::Enums => enums::emit(api),
        OutputFile::ErrorCodes => error_codes::emit(api),
        OutputFile::Operations => operations::emit(api),
        OutputFile::Events => events::emit(api),
        OutputFile::ExampleRequests => example_requests::emit(api),
    }
}

fn module_root(api: &Api) -> TokenStream {
    let title = doc_inner(&format!(
        "Code generated from the {} spec: types, enums, documented error codes, one request builder per operation, and the events.",
        api.title
    ));
    quote! {
        #title
        pub mod enums;
        pub mod error_codes;
        pub mod events;
        pub mod operations;
        pub mod types;
    }
}

/// An identifier, raw (`r#type`) where the name says so.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[deprecated(note = ...)]` for a deprecated item, nothing otherwise.
pub(crate) fn deprecated(note: Option<&str>) -> Option<TokenStream> {
    note.map(|note| quote!(#[deprecated(note = #note)]))
}

/// `#[doc]` attributes, one per line of `text`, rendered by prettyplease as `///` comments.
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#[doc = #lines])* }
}

/// Inner `#![doc]` attributes, rendered as `//!` comments.
pub(crate) fn doc_inner(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#![doc = #lines])* }
}

fn doc_lines(text: &str) -> Vec<String> {
    text.trim_end()
        .lines()
        .map(|line| {
            if line.trim().is_empty() {
                String::new()
            } else {
                format!(" {}", no_code_block(&visible(line.trim_end())))
            }
        })
        .collect()
}

/// A line of doc text that cannot open a code block: rustdoc compiles and runs a fenced block without a
/// language, and an indented block, as a Rust doctest, so prose from the spec with a fence or deep indentation
/// would give a client whose `cargo test` fails. A fence's first character is escaped (`\```), and indentation
/// of four columns or more is cut to three spaces, which still continues a list item.
fn no_code_block(line: &str) -> String {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let columns: usize = indent.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
    let indent = if columns >= 4 { "   " } else { indent };
    if body.starts_with("```") || body.starts_with("~~~") {
        format!("{indent}\\{body}")
    } else {
        format!("{indent}{body}")
    }
}

/// Whether rustc refuses `c` in a doc comment: a bare carriage return (a lexer error), and the characters that
/// change the direction text is shown in (U+202A to U+202E, U+2066 to U+2069; the deny-by-default lint
/// `text_direction_codepoint_in_comment`). Every other character may stand in a doc comment as it is.
fn refused_in_doc(c: char) -> bool {
    matches!(c, '\r' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A line of doc text with the characters rustc refuses in a doc comment written out as `\u{202E}`.
///
/// Every text the spec puts into a doc comment (descriptions, summaries, titles, enum descriptions, error
/// descriptions, wire names and values quoted in docs) passes here. Such characters are escaped rather than
/// refused: the texts are prose taken from doc pages, where a stray direction mark or carriage return should not
/// stop generation, and written out they stay visible to the reader instead of reordering what the doc shows
/// (the "Trojan Source" trick). Texts that become string literals (wire names, enum values, deprecation notes,
/// paths) need nothing here: proc-macro2 writes every literal with `char::escape_debug`, which escapes these
/// characters and every other control or invisible one.
fn visible(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains(refused_in_doc) {
        return line.into();
    }
    line.chars()
        .map(|c| {
            if refused_in_doc(c) {
                format!("\\u{{{:04X}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// The Rust type of a model type.
pub(crate) fn rust_type(ty: &Type) -> TokenStream {
    match ty {
        Type::String => quote!(String),
        Type::Bool => quote!(bool),
        Type::I32 => quote!(i32),
        Type::I64 => quote!(i64),
        Type::F64 => quote!(f64),
        Type::Json => quote!(serde_json::Value),
        Type::Struct(name) | Type::Enum(name) => {
            let name = ident(name);
            quote!(#name)
        }
        Type::List(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
    }
}

/// Whether a type mentions a generated enum (so the file needs to import them).
pub(crate) fn mentions_enum(ty: &Type) -> bool {
    match ty {
        Type::Enum(_) => true,
        Type::List(inner) => mentions_enum(inner),
        _ => false,
    }
}

/// Escapes text for a rustdoc line: square brackets would otherwise be read as intra-doc links.
pub(crate) fn doc_text(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}
