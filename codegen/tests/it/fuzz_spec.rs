//! Fuzzing of the spec reader: the project's spec and every fixture, mutated by structure (nodes removed,
//! replaced by values of other types or by other nodes, keys added or renamed to the ones the generator reads),
//! go through load and lower. None may panic, and every refusal names a line or a JSON pointer.
//!
//! `FUZZ_CASES` sets the number of mutated specs (default 300, as CI runs it). The full run:
//! `FUZZ_CASES=100000 cargo test --release -p codegen --test fuzz_spec`.

use codegen::Location;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use serde_json::{json, Value};
use std::fs;
use std::path::Path;

/// Keys the generator gives meaning to, and one it does not know.
const KEYS: &[&str] = &[
    "type",
    "format",
    "enum",
    "$ref",
    "allOf",
    "oneOf",
    "items",
    "properties",
    "required",
    "maximum",
    "minimum",
    "maxItems",
    "maxLength",
    "default",
    "deprecated",
    "nullable",
    "x-replacement",
    "x-rust-name",
    "x-enum-varnames",
    "x-enum-descriptions",
    "x-envelope",
    "x-mutually-exclusive",
    "x-rate-limit",
    "x-scopes",
    "x-app-types",
    "x-idempotent",
    "x-error-codes",
    "x-pagination",
    "x-unknown",
    "operationId",
    "parameters",
    "in",
    "name",
    "schema",
    "responses",
    "requestBody",
    "content",
    "data",
    "200",
];

/// Values put in place of a node.
fn odd() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!(2.5)),
        Just(json!(u64::MAX)),
        Just(json!("")),
        Just(json!("strng")),
        Just(json!("object")),
        Just(json!("integer")),
        Just(json!("int128")),
        Just(json!("#/components/schemas/Nope")),
        Just(json!("#/components/schemas/ResponseEnvelope")),
        Just(json!("/open-apis/{nope}")),
        Just(json!("self")),
        Just(json!("3.1.0")),
        Just(json!([])),
        Just(json!({})),
        Just(json!(["a", "a"])),
        Just(json!([1, 2])),
        Just(json!({"type": "string"})),
        Just(json!({"$ref": "#/components/schemas/I18n"})),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, Value),
    Remove(usize),
    AddKey(usize, usize, Value),
    RenameKey(usize, usize),
    Copy(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), odd()).prop_map(|(at, v)| Edit::Replace(at, v)),
        3 => any::<usize>().prop_map(Edit::Remove),
        2 => (any::<usize>(), any::<usize>(), odd()).prop_map(|(at, k, v)| Edit::AddKey(at, k, v)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(at, k)| Edit::RenameKey(at, k)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(to, from)| Edit::Copy(to, from)),
    ]
}

/// JSON pointers of every node, the root first.
fn pointers(value: &Value) -> Vec<String> {
    let mut found = vec![String::new()];
    let mut i = 0;
    while i < found.len() {
        let at = found[i].clone();
        match value.pointer(&at) {
            Some(Value::Object(map)) => found.extend(
                map.keys()
                    .map(|key| format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"))),
            ),
            Some(Value::Array(items)) => {
                found.extend((0..items.len()).map(|n| format!("{at}/{n}")))
            }
            _ => {}
        }
        i += 1;
    }
    found
}

fn parent_and_key(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn apply(mut spec: Value, edits: &[Edit]) -> Value {
    for edit in edits {
        let nodes = pointers(&spec);
        let pick = |at: &usize| nodes[at % nodes.len()].clone();
        match edit {
            Edit::Replace(at, value) => {
                if let Some(node) = spec.pointer_mut(&pick(at)) {
                    *node = value.clone();
                }
            }
            Edit::Remove(at) => {
                let at = pick(at);
                if let Some((parent, key)) = parent_and_key(&at) {
                    match spec.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(&key);
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(n) = key.parse::<usize>() {
                                if n < items.len() {
                                    items.remove(n);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Edit::AddKey(at, key, value) => {
                if let Some(Value::Object(map)) = spec.pointer_mut(&pick(at)) {
                    map.insert(KEYS[key % KEYS.len()].to_owned(), value.clone());
                }
            }
            Edit::RenameKey(at, key) => {
                let at = pick(at);
                if let Some((parent, old)) = parent_and_key(&at) {
                    if let Some(Value::Object(map)) = spec.pointer_mut(parent) {
                        if let Some(value) = map.remove(&old) {
                            map.insert(KEYS[key % KEYS.len()].to_owned(), value);
                        }
                    }
                }
            }
            Edit::Copy(to, from) => {
                let copied = spec.pointer(&pick(from)).cloned();
                if let (Some(copied), Some(node)) = (copied, spec.pointer_mut(&pick(to))) {
                    *node = copied;
                }
            }
        }
    }
    spec
}

/// The project's spec and every fixture, parsed.
fn seeds() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![root.join("../spec/hire_v1.yaml")];
    let mut fixtures: Vec<_> = fs::read_dir(root.join("tests/fixtures"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    fixtures.sort();
    paths.extend(fixtures);
    paths
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("readable");
            let value: Value = serde_yaml::from_str(&text).expect("a seed is valid YAML");
            (
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                value,
            )
        })
        .collect()
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

#[test]
fn mutated_specs_are_read_or_refused_with_a_location() {
    let seeds = seeds();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz-regressions/spec.txt",
        ))),
        ..Config::default()
    });
    let strategy = (any::<usize>(), prop::collection::vec(edit(), 1..5));
    let outcome = runner.run(&strategy, |(seed, edits)| {
        let (name, spec) = &seeds[seed % seeds.len()];
        let mutated = apply(spec.clone(), &edits);
        let text = serde_yaml::to_string(&mutated).expect("a value serializes");
        let read =
            codegen::load::load(name, &text).and_then(|spec| codegen::lower::lower(name, &spec));
        if let Err(e) = read {
            prop_assert!(
                e.location != Location::File,
                "a refusal without a location: {}",
                e
            );
            prop_assert!(!e.message.is_empty());
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

/// The edits do what they say, so the cases above mutate what they claim.
#[test]
fn the_mutations_make_what_they_say() {
    let spec = json!({"a": {"type": "string"}});
    // Nodes, root first: "", "/a", "/a/type".
    assert_eq!(apply(spec.clone(), &[Edit::Remove(2)]), json!({"a": {}}));
    assert_eq!(
        apply(spec.clone(), &[Edit::RenameKey(2, 3)]),
        json!({"a": {"$ref": "string"}})
    );
    assert_eq!(
        apply(spec.clone(), &[Edit::AddKey(1, 2, json!([1]))]),
        json!({"a": {"type": "string", "enum": [1]}})
    );
    assert_eq!(
        apply(spec, &[Edit::Copy(2, 1)]),
        json!({"a": {"type": {"type": "string"}}})
    );
}
