//! The "checked before sending" docs against the checks `validate()` runs: for every operation of every fixture
//! and of the project's spec, the doc of `validate()` has one line per check it calls, each check's own line,
//! and each setter's doc has the line of every check that reads its value.

use codegen::emit::check_doc;
use codegen::model::{Check, Checked, Operation};
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

fn values(check: &Check) -> Vec<&Checked> {
    match check {
        Check::PathSegment { value }
        | Check::Minimum { value, .. }
        | Check::Maximum { value, .. }
        | Check::MinLength { value, .. }
        | Check::MaxLength { value, .. }
        | Check::MinItems { value, .. }
        | Check::MaxItems { value, .. } => vec![value],
        Check::Exclusive { fields } => fields.iter().collect(),
    }
}

fn check_operation(spec: &Path, op: &Operation, file: &syn::File) -> usize {
    let methods = builder_methods(file, &op.builder);
    let validate = methods
        .iter()
        .find(|f| f.sig.ident == "validate")
        .unwrap_or_else(|| panic!("{}: {} has no validate()", spec.display(), op.builder));
    let doc = doc_of(&validate.attrs);
    let listed = doc
        .lines()
        .filter(|l| l.trim_start().starts_with("- "))
        .count();
    assert_eq!(
        listed,
        validate_calls(validate),
        "{}: {}::validate() documents {listed} checks and calls {}:\n{doc}",
        spec.display(),
        op.builder,
        validate_calls(validate)
    );
    assert_eq!(listed, op.checks.len(), "{}: {}", spec.display(), op.id);
    for check in &op.checks {
        let line = check_doc(check);
        assert!(
            doc.contains(&line),
            "{}: {}::validate() does not document `{line}`:\n{doc}",
            spec.display(),
            op.builder
        );
        for value in values(check) {
            // The setter of the value, if it has one (a required parameter is an argument instead).
            let setter = methods.iter().find(|f| {
                f.sig.ident == value.name.trim_start_matches("r#")
                    && f.sig.ident != "validate"
                    && (value.in_body || !value.required)
            });
            if let Some(setter) = setter {
                let setter_doc = doc_of(&setter.attrs);
                assert!(
                    setter_doc.contains(&line),
                    "{}: {}::{} does not document `{line}`:\n{setter_doc}",
                    spec.display(),
                    op.builder,
                    setter.sig.ident
                );
            }
        }
    }
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
