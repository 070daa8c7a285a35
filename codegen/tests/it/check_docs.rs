//! The "checked before sending" docs against the checks `validate()` runs: for every operation of every fixture
//! and of the project's spec, each check has its own line on the setter of every value it reads, or, for a
//! value without a setter (a path segment, a required value), on `validate()`, which lists exactly those.

use codegen::emit::check_doc;
use codegen::model::{Checked, Operation};
use std::path::{Path, PathBuf};

/// The fixture specs and the project's spec.
fn specs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures"))
        .expect("fixtures folder")
        .map(|e| e.expect("entry").path())
        .collect();
    specs.sort();
    specs.push(root.join("../spec/hire_v1.yaml"));
    specs
}

/// The text of the `#[doc]` attributes of an item.
fn doc_of(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The methods of the builder `name` in the generated `operations.rs`.
fn builder_methods<'a>(file: &'a syn::File, name: &str) -> Vec<&'a syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block) if block.trait_.is_none() => Some(block),
            _ => None,
        })
        .filter(|block| matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident(name)))
        .flat_map(|block| &block.items)
        .filter_map(|item| match item {
            syn::ImplItem::Fn(f) => Some(f),
            _ => None,
        })
        .collect()
}

/// The `validate::..` calls in a function body, as written.
fn validate_calls(f: &syn::ImplItemFn) -> usize {
    let body = quote::ToTokens::to_token_stream(&f.block).to_string();
    body.matches("validate ::").count()
}

/// The builder method that sets `value`, if it has one: an optional parameter's setter, or the setter of a body
/// field the builder sets one by one.
fn setter_name(op: &Operation, value: &Checked) -> Option<String> {
    if value.in_body {
        op.body.as_ref().and_then(|body| {
            body.setters
                .iter()
                .find(|s| s.field.name == value.name)
                .map(|s| s.method.trim_start_matches("r#").to_owned())
        })
    } else {
        (!value.required).then(|| value.name.trim_start_matches("r#").to_owned())
    }
}

/// The "Checked before sending" lines of a doc.
fn check_lines(doc: &str) -> Vec<&str> {
    doc.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("Checked before sending: "))
        .collect()
}

fn check_operation(spec: &Path, op: &Operation, file: &syn::File) -> usize {
    let methods = builder_methods(file, &op.builder);
    let doc_of_method = |name: &str| {
        methods
            .iter()
            .find(|f| f.sig.ident == name)
            .map(|f| doc_of(&f.attrs))
            .unwrap_or_else(|| panic!("{}: {} has no `{name}`", spec.display(), op.builder))
    };
    let validate = methods
        .iter()
        .find(|f| f.sig.ident == "validate")
        .unwrap_or_else(|| panic!("{}: {} has no validate()", spec.display(), op.builder));
    assert_eq!(
        validate_calls(validate),
        op.checks.len(),
        "{}: {}::validate() runs another number of checks than the model has",
        spec.display(),
        op.builder
    );
    let validate_doc = doc_of(&validate.attrs);
    let mut on_validate = 0;
    for check in &op.checks {
        let line = format!("Checked before sending: {}.", check_doc(check));
        let setters: Vec<String> = check
            .values()
            .iter()
            .filter_map(|v| setter_name(op, v))
            .collect();
        if setters.is_empty() {
            // A value without a setter (a path segment, a required value): its line is on validate().
            on_validate += 1;
            assert!(
                check_lines(&validate_doc).contains(&line.as_str()),
                "{}: {}::validate() does not document `{line}`:\n{validate_doc}",
                spec.display(),
                op.builder
            );
        }
        for setter in setters {
            let doc = doc_of_method(&setter);
            assert!(
                check_lines(&doc).contains(&line.as_str()),
                "{}: {}::{setter} does not document `{line}`:\n{doc}",
                spec.display(),
                op.builder
            );
        }
    }
    // validate() lists exactly the checks no setter documents, one line each.
    assert_eq!(
        check_lines(&validate_doc).len(),
        on_validate,
        "{}: {}::validate():\n{validate_doc}",
        spec.display(),
        op.builder
    );
    op.checks.len()
}

#[test]
fn every_check_validate_runs_has_its_doc_line() {
    let mut checks = 0;
    for spec in specs() {
        let text = std::fs::read_to_string(&spec).expect("readable");
        let name = spec.display().to_string();
        let read = codegen::read(&name, &text, codegen::DraftLabels::Refused)
            .unwrap_or_else(|e| panic!("{e}"));
        let files = codegen::generate(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        let operations = files
            .iter()
            .find(|(path, _)| path.ends_with("operations.rs"))
            .map(|(_, code)| code)
            .expect("operations.rs");
        let file = syn::parse_file(operations).expect("the generated operations parse");
        for op in &read.api.operations {
            checks += check_operation(&spec, op, &file);
        }
    }
    // Every kind of check is among them (the fixtures cover each).
    assert!(checks >= 20, "only {checks} checks across the specs");
}
