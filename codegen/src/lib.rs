//! Reads the hand-written Feishu Hire OpenAPI spec and produces the Rust source of `generated-client`.
//!
//! The pipeline is one module per stage: [`load`] (YAML to `openapiv3`), [`lower`] (validation and every naming
//! decision, into the plain-data [`model`]), [`emit`] (model to tokens), [`render`] (prettyplease and the
//! `@generated` header). [`generate`] runs them all and returns the files; it writes nothing.

pub mod emit;
pub mod error;
pub mod load;
pub mod lower;
pub mod model;
pub mod naming;
pub mod render;
pub mod runtime;

pub use error::{Error, Location};
pub use load::DraftLabels;
use std::collections::BTreeMap;
use std::path::Path;

/// The generated files, keyed by path relative to the output folder (`mod.rs`, `types.rs`, ...).
pub type Files = BTreeMap<String, String>;

/// Generates the client source from the spec text. `spec_name` is how the spec is named in the `@generated`
/// header and in error messages (for the project's spec, `spec/hire_v1.yaml`).
///
/// The output depends only on the text: the same spec gives byte-identical files.
pub fn generate(spec_name: &str, text: &str) -> Result<Files, Error> {
    let Spec { api, .. } = read(spec_name, text, DraftLabels::Refused)?;
    // Emitting and formatting the files are independent and take most of the time: one thread per file.
    // (Token streams cannot cross threads, so each thread emits its own file.)
    let rendered: Vec<Result<String, Error>> = std::thread::scope(|scope| {
        let api = &api;
        let threads: Vec<_> = emit::OutputFile::ALL
            .iter()
            .map(|file| {
                scope.spawn(move || {
                    render::render(spec_name, file.path(), emit::emit_file(api, *file))
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut files = Files::new();
    for (file, text) in emit::OutputFile::ALL.iter().zip(rendered) {
        files.insert(file.path().to_owned(), text?);
    }
    Ok(files)
}

/// The spec, read: the OpenAPI document and the generator's [`model`] of it.
///
/// [`read`] is the one reading of the spec in the workspace. Generation emits from `api`; the doc audit
/// compares pages with `api`; the doc draft fits its schemas beside `document`'s.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The document, as loaded.
    pub document: openapiv3::OpenAPI,
    /// The model, as lowered: every name chosen, every reference resolved, every check of the spec passed.
    pub api: model::Api,
}

/// Reads the spec text: loads it, then lowers it into the model. `spec_name` names the spec in errors;
/// `labels` says whether texts a draft left to rewrite are refused (they are, for generation).
pub fn read(spec_name: &str, text: &str, labels: DraftLabels) -> Result<Spec, Error> {
    let document = load::load_with(spec_name, text, labels)?;
    let api = lower::lower(spec_name, &document)?;
    Ok(Spec { document, api })
}

/// Reads the spec at `path` and generates from it; `spec_name` is as for [`generate`].
pub fn generate_file(spec_name: &str, path: &Path) -> Result<Files, Error> {
    generate(spec_name, &read_text(spec_name, path)?)
}

/// Reads the spec at `path` as [`read`] does; `spec_name` names it in errors.
pub fn read_file(spec_name: &str, path: &Path, labels: DraftLabels) -> Result<Spec, Error> {
    read(spec_name, &read_text(spec_name, path)?, labels)
}

fn read_text(spec_name: &str, path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error {
        file: spec_name.to_owned(),
        location: Location::File,
        message: format!("cannot read the spec: {e}"),
    })
}
