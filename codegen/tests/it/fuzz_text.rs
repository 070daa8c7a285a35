//! Fuzzing of the texts a spec carries: arbitrary Unicode (with text-direction controls, carriage returns,
//! quotes, backslashes, braces and markup favoured) in every text field of a spec that uses every place a text
//! can reach the generated code: titles, summaries, descriptions, enum descriptions, error descriptions,
//! `x-replacement`, scopes, doc links, examples, defaults, a path's literal text, and the free-form wire names
//! of properties, parameters and enum values.
//! Whatever `gen` accepts must compile: each accepted spec's files become one module of the `generated-client`
//! crate, and all of them are checked at once against the runtime (`cargo rustc --profile check`, with
//! `--cfg fixture_check` as `cargo xtask check-fixtures` compiles the fixtures, warnings denied).
//!
//! `FUZZ_CASES` sets the number of specs (default 40, as CI runs it; each 400 are checked by one `cargo`). The
//! sources of the last run are kept in `target/fuzz-text/`, each spec beside its files. The full run:
//! `FUZZ_CASES=5000 cargo test -p codegen --test it fuzz_text`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The characters rustc refuses in a doc comment, or as they are in a string literal.
fn refused(c: char) -> bool {
    matches!(c, '\r' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that have meant trouble somewhere between YAML, Rust literals, doc comments and Markdown.
const AWKWARD: &[char] = &[
    '\r', '\n', '\t', '\0', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}', '\u{feff}', '\u{200b}',
    '\u{200e}', '\u{200f}', '\u{061c}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '"', '\'', '\\', '{', '}', '[', ']', '`', '#',
    '/', '*', '!', '<', '>', '&', ' ', '-', ':', 'r', '_', 'e', '1', '\u{301}', '名',
];

/// A text of up to 12 characters, mostly awkward ones.
fn text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => prop::sample::select(AWKWARD),
        2 => any::<char>(),
        1 => prop::char::range('a', 'z'),
    ];
    prop::collection::vec(c, 0..12).prop_map(|chars| chars.into_iter().collect())
}

/// The number of texts [`spec`] takes.
const TEXTS: usize = 26;

/// A spec with a text of `t` in each place a text can reach the generated code (`x-replacement` is never empty,
/// a path's text opens no `{`, which would be refused). The fixed names (`zz_...`)
/// cannot meet a free-form name once cased in practice, so that most specs are accepted. Operation ids are
/// numbered by `case`: each spec becomes a module of one crate, where every operation is a method of `Client`.
fn spec(case: usize, t: &[String]) -> Value {
    let free_property = t[17].clone();
    json!({
        "openapi": "3.0.3",
        "info": {"title": t[0], "version": "1", "description": t[1]},
        "paths": {
            "/notes/{zz_id}": {
                "get": {
                    "operationId": format!("get_note_{case}"),
                    "summary": t[2],
                    "description": t[3],
                    "deprecated": true,
                    "x-replacement": format!("v2 {}", t[4]),
                    "x-error-codes": [{"http_status": 400, "code": 1, "name": "BadNote", "description": t[5]}],
                    "parameters": [
                        {"name": "zz_id", "in": "path", "required": true, "description": t[6],
                         "schema": {"type": "string"}, "example": t[7]},
                        {"name": t[8], "in": "query", "description": t[9],
                         "schema": {"type": "string", "default": t[10], "title": t[11]}},
                    ],
                    "responses": {"200": {
                        "description": t[12],
                        "content": {"application/json": {
                            "schema": {"allOf": [
                                {"$ref": "#/components/schemas/Envelope"},
                                {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Note"}}},
                            ]},
                            "example": {"code": 0, "msg": t[13], "data": {}},
                        }},
                    }},
                }
            },
            format!("/notes/{}", t[22].replace('{', "")): {
                "post": {
                    "x-scopes": [t[23]],
                    "x-field-scopes": [t[24]],
                    "externalDocs": {"url": t[25]},
                    "operationId": format!("create_note_{case}"),
                    "summary": t[14],
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Note"},
                    }}},
                    "responses": {"200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"allOf": [
                            {"$ref": "#/components/schemas/Envelope"},
                            {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Note"}}},
                        ]}}},
                    }},
                }
            }
        },
        "components": {"schemas": {
            "Envelope": {
                "type": "object",
                "x-envelope": true,
                "required": ["code", "msg"],
                "properties": {
                    "code": {"type": "integer", "format": "int32"},
                    "msg": {"type": "string"},
                    "data": {"type": "object"},
                },
            },
            "Note": {
                "type": "object",
                "title": t[15],
                "description": t[16],
                "properties": {
                    free_property: {"type": "string", "description": t[18], "example": t[19]},
                    "zz_old": {"type": "integer", "deprecated": true, "x-replacement": format!("v2 {}", t[20])},
                    "zz_mood": {
                        "type": "string",
                        "enum": [t[21], "zz_calm"],
                        "x-enum-varnames": ["Free", "Calm"],
                        "x-enum-descriptions": [t[1], t[3]],
                    },
                    "zz_kind": {"type": "string", "enum": [t[9]]},
                },
            },
        }},
    })
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

/// At most this many generated modules are checked by one `cargo`.
const BATCH: usize = 400;

#[test]
fn every_text_gen_accepts_gives_code_that_compiles() {
    let accepted: RefCell<Vec<(String, codegen::Files)>> = RefCell::new(Vec::new());
    let refused_specs = RefCell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let case = std::cell::Cell::new(0usize);
    let outcome = runner.run(&prop::collection::vec(text(), TEXTS), |texts| {
        case.set(case.get() + 1);
        let yaml = serde_yaml::to_string(&spec(case.get(), &texts)).expect("a value serializes");
        match codegen::generate("fuzz_text.yaml", &yaml) {
            Ok(files) => {
                // What rustc refuses appears nowhere in the output, escaped or not: in doc comments it is
                // written out, in literals proc-macro2 escapes it.
                for (file, code) in &files {
                    prop_assert!(
                        !code.contains(refused),
                        "{file} holds a character rustc refuses; spec:\n{yaml}"
                    );
                }
                accepted.borrow_mut().push((yaml, files));
            }
            Err(e) => {
                prop_assert!(e.location != codegen::Location::File, "{e}");
                *refused_specs.borrow_mut() += 1;
            }
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    let accepted = accepted.into_inner();
    let refused_specs = refused_specs.into_inner();
    // Most specs must reach the compiler, or the test would check little.
    assert!(
        accepted.len() >= 3 * refused_specs,
        "only {} of {} specs were accepted",
        accepted.len(),
        accepted.len() + refused_specs
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = root.join("target").join("fuzz-text");
    if out.exists() {
        fs::remove_dir_all(&out).expect("the previous run's sources are removed");
    }
    for (batch, chunk) in accepted.chunks(BATCH).enumerate() {
        let mut modules = String::from("// Written by codegen's fuzz_text test.\n");
        for (i, (yaml, files)) in chunk.iter().enumerate() {
            let name = format!("case_{}", batch * BATCH + i);
            let dir = out.join(&name);
            fs::create_dir_all(&dir).expect("the case folder is created");
            fs::write(dir.join("spec.yaml"), yaml).expect("the spec is written");
            for (file, code) in files {
                fs::write(dir.join(file), code).expect("a generated file is written");
            }
            modules.push_str(&format!(
                "#[allow(missing_docs)]\n#[rustfmt::skip]\n#[path = {:?}]\npub mod {name};\n",
                dir.join("mod.rs").display().to_string()
            ));
        }
        let modules_file = out.join(format!("modules_{batch}.rs"));
        fs::write(&modules_file, modules).expect("the module list is written");
        check(&root, &modules_file);
    }
}

/// Environment variables cargo sets for a test binary, by prefix.
const SET_FOR_TESTS: &[&str] = &[
    "CARGO_PKG_",
    "CARGO_MANIFEST_",
    "CARGO_CRATE_",
    "CARGO_BIN_",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];

/// Checks `generated-client` with the generated modules listed in `modules_file` inside it.
fn check(root: &Path, modules_file: &PathBuf) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    // What cargo sets for this test (the package's name, folder, ...) must not reach the inner cargo: build
    // scripts that watch such variables (ring's do) would run again, and so would the next ordinary build.
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if SET_FOR_TESTS.iter().any(|prefix| key.starts_with(prefix)) {
            command.env_remove(key);
        }
    }
    let output = command
        .current_dir(root)
        .env("FIXTURE_CHECK_MODULES", modules_file)
        .args([
            "rustc",
            "--offline",
            "--quiet",
            "--profile",
            "check",
            "-p",
            "generated-client",
            "--lib",
            "--",
            "--cfg",
            "fixture_check",
            "-D",
            "warnings",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "code generated from an accepted spec does not compile (each case's spec.yaml is beside its files):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
