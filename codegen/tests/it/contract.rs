//! The contract between the emitted code and the hand-written runtime of `generated-client`, checked on both
//! sides: every runtime name `codegen::runtime` lists exists in the runtime's sources, and every method the
//! runtime gives `Client` is reserved, so that no operation can be named like one.

use codegen::runtime::{CHECKS, CLIENT_METHODS, RESERVED_METHODS, RESERVED_TYPES};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Names that `RESERVED_TYPES` lists because Rust's prelude or serde already uses them in generated files.
const PRELUDE: &[&str] = &[
    "Box", "Default", "Option", "Result", "Self", "String", "Value", "Vec",
];

/// The runtime's source files: `generated-client/src` without the emitted `generated/`.
fn runtime_sources() -> Vec<(PathBuf, syn::File)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated-client/src");
    let mut files = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the runtime folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "generated") {
                    folders.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("readable");
                let file =
                    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                files.push((path, file));
            }
        }
    }
    assert!(files.len() > 10, "the runtime has {} files", files.len());
    files
}

/// Every item of `items`, and those of inline modules in them.
fn all_items<'a>(items: &'a [syn::Item], out: &mut Vec<&'a syn::Item>) {
    for item in items {
        if let syn::Item::Mod(module) = item {
            if let Some((_, inner)) = &module.content {
                all_items(inner, out);
            }
        }
        out.push(item);
    }
}

/// The names of the types, traits and macros the runtime defines, and the methods of its `impl Client`s.
fn runtime_names() -> (BTreeSet<String>, BTreeSet<String>) {
    let mut types = BTreeSet::new();
    let mut client_methods = BTreeSet::new();
    for (_, file) in runtime_sources() {
        let mut items = Vec::new();
        all_items(&file.items, &mut items);
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    types.insert(s.ident.to_string());
                }
                syn::Item::Enum(e) => {
                    types.insert(e.ident.to_string());
                }
                syn::Item::Trait(t) => {
                    types.insert(t.ident.to_string());
                }
                syn::Item::Type(t) => {
                    types.insert(t.ident.to_string());
                }
                syn::Item::Macro(m) => {
                    if let Some(ident) = &m.ident {
                        types.insert(ident.to_string());
                    }
                    // Types a macro of the runtime defines (`pub enum PlatformCode` in `platform_codes!`).
                    defined_types(m.mac.tokens.clone(), &mut types);
                }
                syn::Item::Impl(block) if block.trait_.is_none() => {
                    let syn::Type::Path(path) = &*block.self_ty else {
                        continue;
                    };
                    if path.path.is_ident("Client") {
                        for member in &block.items {
                            if let syn::ImplItem::Fn(f) = member {
                                // `Client`'s own methods are its public ones, and the two `execute`s, which the
                                // runtime's `send` and `send_with_meta` call; a private helper belongs on the
                                // shared state, where no operation's name can meet it and renaming it touches
                                // nothing in the generator.
                                let name = f.sig.ident.to_string();
                                assert!(
                                    matches!(f.vis, syn::Visibility::Public(_))
                                        || name == "execute"
                                        || name == "execute_with_meta",
                                    "`Client::{name}` is not public: a helper of the call pipeline goes on the \
                                     client's shared state, not on `Client`"
                                );
                                client_methods.insert(name);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    (types, client_methods)
}

#[test]
fn every_client_method_of_the_runtime_is_reserved() {
    let (_, methods) = runtime_names();
    assert!(methods.contains("execute"), "{methods:?}");
    let missing: Vec<&String> = methods
        .iter()
        .filter(|m| !CLIENT_METHODS.contains(&m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "Client methods of the runtime that codegen::runtime::CLIENT_METHODS does not reserve: {missing:?}"
    );
}

#[test]
fn every_type_the_contract_names_exists() {
    let (types, methods) = runtime_names();
    for name in RESERVED_TYPES {
        if PRELUDE.contains(name) || ["ErrorCode", "Event"].contains(name) {
            // `ErrorCode` and `Event` are emitted (error_codes.rs, events.rs); the others come with Rust.
            continue;
        }
        assert!(
            types.contains(*name),
            "RESERVED_TYPES names `{name}`, which the runtime does not define"
        );
    }
    for name in CLIENT_METHODS {
        assert!(
            methods.contains(*name) || ["builder", "clone", "fmt", "base_url"].contains(name),
            "CLIENT_METHODS names `{name}`, which no `impl Client` of the runtime has"
        );
    }
    // The runtime macros the emitted code invokes.
    for name in ["call_options", "fields", "impls"] {
        assert!(types.contains(name), "the runtime has no macro `{name}`");
    }
}

/// The names after `enum` or `struct` in a token stream, nested groups included: the types a macro defines.
fn defined_types(tokens: proc_macro2::TokenStream, out: &mut BTreeSet<String>) {
    let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            proc_macro2::TokenTree::Group(group) => defined_types(group.stream(), out),
            proc_macro2::TokenTree::Ident(ident) if ident == "enum" || ident == "struct" => {
                if let Some(proc_macro2::TokenTree::Ident(name)) = tokens.get(i + 1) {
                    out.insert(name.to_string());
                }
            }
            _ => {}
        }
    }
}

/// The `pub fn` names in a token stream, nested groups included: the methods a macro's body defines.
fn pub_fns(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            proc_macro2::TokenTree::Group(group) => pub_fns(group.stream(), out),
            proc_macro2::TokenTree::Ident(ident) if ident == "fn" => {
                let public = i > 0
                    && matches!(&tokens[i - 1], proc_macro2::TokenTree::Ident(p) if p == "pub");
                if let (true, Some(proc_macro2::TokenTree::Ident(name))) =
                    (public, tokens.get(i + 1))
                {
                    out.push(name.to_string());
                }
            }
            _ => {}
        }
    }
}

#[test]
fn every_method_the_runtime_gives_a_builder_is_reserved() {
    let (path, file) = runtime_sources()
        .into_iter()
        .find(|(path, _)| path.ends_with("options.rs"))
        .expect("the runtime has options.rs");
    let call_options = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Macro(m) if m.ident.as_ref().is_some_and(|i| i == "call_options") => Some(m),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{} has no `call_options` macro", path.display()));
    let mut methods = Vec::new();
    pub_fns(call_options.mac.tokens.clone(), &mut methods);
    assert!(methods.iter().any(|m| m == "timeout"), "{methods:?}");
    for method in methods
        .iter()
        .map(String::as_str)
        .chain(["validate", "request", "pages", "items"])
    {
        assert!(
            RESERVED_METHODS.contains(&method),
            "request builders have `{method}`, which RESERVED_METHODS does not reserve"
        );
    }
}

/// The fields of the runtime's `OperationInfo` are exactly those `codegen::runtime::operation_info` writes.
#[test]
fn operation_info_is_written_field_for_field() {
    let (path, file) = runtime_sources()
        .into_iter()
        .find(|(path, _)| path.ends_with("operation.rs"))
        .expect("the runtime has operation.rs");
    let runtime_fields: BTreeSet<String> = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == "OperationInfo" => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{} has no `OperationInfo`", path.display()))
        .fields
        .iter()
        .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
        .collect();
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/hire_v1.yaml");
    let text = std::fs::read_to_string(&spec).expect("the spec");
    let read = codegen::read("spec/hire_v1.yaml", &text, codegen::DraftLabels::Refused)
        .expect("the spec reads");
    for op in &read.api.operations {
        let item: syn::ItemConst = syn::parse2(codegen::runtime::operation_info(op))
            .expect("operation_info writes a const");
        let syn::Expr::Struct(value) = &*item.expr else {
            panic!(
                "operation_info writes {:?}",
                quote::ToTokens::to_token_stream(&item.expr).to_string()
            );
        };
        let written: BTreeSet<String> = value
            .fields
            .iter()
            .filter_map(|f| match &f.member {
                syn::Member::Named(name) => Some(name.to_string()),
                syn::Member::Unnamed(_) => None,
            })
            .collect();
        assert_eq!(
            written, runtime_fields,
            "{}: the fields of OperationInfo",
            op.id
        );
        assert!(value.rest.is_none(), "{}: written field for field", op.id);
    }
}

#[test]
fn every_check_the_contract_names_is_a_function_of_validate() {
    let (path, file) = runtime_sources()
        .into_iter()
        .find(|(path, _)| path.ends_with("validate.rs"))
        .expect("the runtime has validate.rs");
    let functions: BTreeSet<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    for name in CHECKS {
        assert!(
            functions.contains(*name),
            "CHECKS names `{name}`, which {} does not define",
            path.display()
        );
    }
}

/// Every type the crate root re-exports from the runtime is reserved: a schema of that name would be shadowed
/// there by the runtime's (an explicit `pub use` wins over the generated glob), and users would get the wrong
/// type without a word.
#[test]
fn every_type_the_crate_root_re_exports_is_reserved() {
    let (path, file) = runtime_sources()
        .into_iter()
        .find(|(path, _)| path.ends_with("lib.rs"))
        .expect("the runtime has lib.rs");
    fn names(tree: &syn::UseTree, out: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => names(&p.tree, out),
            syn::UseTree::Name(n) => out.push(n.ident.to_string()),
            syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| names(t, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut exported = Vec::new();
    for item in &file.items {
        if let syn::Item::Use(u) = item {
            if matches!(u.vis, syn::Visibility::Public(_)) {
                names(&u.tree, &mut exported);
            }
        }
    }
    let types: Vec<&String> = exported
        .iter()
        .filter(|n| n.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .filter(|n| n.chars().any(|c| c.is_ascii_lowercase()))
        .collect();
    assert!(types.iter().any(|t| *t == "Client"), "{types:?}");
    for name in types {
        assert!(
            RESERVED_TYPES.contains(&name.as_str()),
            "{} re-exports `{name}` at the crate root, which RESERVED_TYPES does not reserve",
            path.display()
        );
    }
}
