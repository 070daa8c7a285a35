//! The doc-page tests, in one binary: the reader on a page of each dialect written for these tests (`read`), the
//! audit and the draft round trip (`audit`), and pages cut or mangled anywhere (`robustness`).

mod audit;
mod read;
mod robustness;

use codegen::model::Api;

/// A test page (or spec) of `tests/pages`.
fn text(name: &str) -> String {
    let path = format!("{}/tests/pages/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("readable")
}

/// A spec, read as `docs audit` reads it: through `codegen`, with a draft's labels accepted.
fn read_spec(name: &str, text: &str) -> Api {
    codegen::read(name, text, codegen::DraftLabels::Accepted)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .api
}
