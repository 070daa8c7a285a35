//! Emits `operations.rs`: for each operation a request builder, the `Client` method that starts it, the checks
//! of its documented constraints, `send()`, and for paginated operations `pages()` and `items()`.

use super::{deprecated, doc, doc_text, ident, mentions_enum, rust_type};
use crate::model::{
    Api, AppType, BodySetter, Check, Checked, FormField, FormKind, Operation, Pagination, Param,
    ParamLocation, Segment, TokenType, Type,
};
use crate::naming;
use crate::runtime::{self, PageStreams};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub(super) fn emit(api: &Api) -> TokenStream {
    // The operations by resource (the path's first segment after the version), in the spec's order: one `impl
    // Client` block each, which rustdoc shows under its own heading, followed by their request builders.
    let mut resources: Vec<(String, Vec<&Operation>)> = Vec::new();
    for op in &api.operations {
        let resource = resource_of(&op.path);
        match resources.iter_mut().find(|(r, _)| *r == resource) {
            Some((_, ops)) => ops.push(op),
            None => resources.push((resource, vec![op])),
        }
    }
    let operations = resources.iter().map(|(resource, ops)| {
        let client = runtime::client();
        let names: Vec<String> = ops
            .iter()
            .map(|op| {
                format!(
                    "[`{}`](Self::{})",
                    op.fn_name.trim_start_matches("r#"),
                    op.fn_name.trim_start_matches("r#")
                )
            })
            .collect();
        let heading = doc(&format!(
            "# {}\n\nOperations on `{resource}`: {}.",
            title_of(resource),
            names.join(", ")
        ));
        let methods = ops.iter().map(|op| client_method(op));
        let builders = ops.iter().map(|op| emit_operation(api, op));
        quote! {
            #heading
            impl #client {
                #(#methods)*
            }
            #(#builders)*
        }
    });
    let header = super::doc_inner(
        "One request builder per operation, each started from a method of [`crate::Client`].",
    );
    // Import only what the operations use, so the file builds without warnings whatever the spec holds.
    let uses_enums = api.operations.iter().any(|op| {
        op.params.iter().any(|p| mentions_enum(&p.ty))
            || op
                .pagination
                .as_ref()
                .is_some_and(|pg| mentions_enum(&pg.item))
            || op
                .body
                .as_ref()
                .is_some_and(|b| b.setters.iter().any(|s| mentions_enum(&s.field.ty)))
    });
    let import_enums = uses_enums.then(|| {
        quote!(
            use super::enums::*;
        )
    });
    // Path parameters go through the runtime's `validate::path_segment` as they are sent.
    let uses_checks = api.operations.iter().any(|op| {
        !op.checks.is_empty()
            || op
                .segments
                .iter()
                .any(|s| matches!(s, Segment::Param { .. }))
    });
    let uses_app_types = api.operations.iter().any(|op| !op.app_types.is_empty());
    let imports = (!api.operations.is_empty()).then(|| {
        let runtime = runtime::operation_imports(uses_checks, uses_app_types);
        quote! {
            #import_enums
            use super::types::*;
            #runtime
        }
    });
    quote! {
        #header
        #imports
        #(#operations)*
    }
}

/// The resource an operation belongs to: its path's first segment after `/open-apis/<service>/<version>/`
/// (`applications` for `/open-apis/hire/v1/applications/{application_id}/offer`).
fn resource_of(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .skip_while(|s| *s == "open-apis")
        .nth(2)
        .unwrap_or("root")
        .to_owned()
}

/// `job_requirements` as a heading: `Job requirements`.
fn title_of(resource: &str) -> String {
    let words = resource.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn emit_operation(api: &Api, op: &Operation) -> TokenStream {
    let builder = builder_struct(op);
    // The builder's own code may set or check a deprecated field of the body; only its callers are warned.
    let body_deprecated = op.body.as_ref().is_some_and(|body| {
        api.structs
            .iter()
            .filter(|s| s.name == body.ty)
            .flat_map(|s| &s.fields)
            .any(|f| f.deprecated.is_some())
    });
    let methods = builder_methods(op, body_deprecated);
    let pages = op.pagination.as_ref().map(|pg| page_streams(op, pg));
    quote! {
        #builder
        #methods
        #pages
    }
}

/// The builder: the client, each parameter, and the body.
fn builder_struct(op: &Operation) -> TokenStream {
    let doc = doc(&operation_doc(op));
    let builder = ident(&op.builder);
    let fields = runtime::builder_fields();
    let params = op.params.iter().map(|p| {
        let name = ident(&p.name);
        let ty = rust_type(&p.ty);
        if p.required {
            quote!(#name: #ty,)
        } else {
            quote!(#name: Option<#ty>,)
        }
    });
    let body = op.body.as_ref().map(|b| {
        let ty = ident(&b.ty);
        quote!(body: #ty,)
    });
    let parts = op.form.iter().flat_map(|form| &form.fields).map(|f| {
        let name = ident(&f.name);
        let ty = form_type(&f.kind);
        if f.required {
            quote!(#name: #ty,)
        } else {
            quote!(#name: Option<#ty>,)
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until `send` is called"]
        pub struct #builder {
            #fields
            #(#params)*
            #body
            #(#parts)*
        }
    }
}

/// The `Client` method that starts a request (in its resource's `impl Client` block): required parameters (and a
/// body without a default) are its arguments.
fn client_method(op: &Operation) -> TokenStream {
    let builder = ident(&op.builder);
    let fn_name = ident(&op.fn_name);
    let mut args = Vec::new();
    let mut inits = vec![runtime::builder_field_inits()];
    for p in &op.params {
        let name = ident(&p.name);
        match (p.required, &p.ty) {
            (true, Type::String) => {
                args.push(quote!(#name: impl Into<String>));
                inits.push(quote!(#name: #name.into(),));
            }
            (true, ty) => {
                let ty = rust_type(ty);
                args.push(quote!(#name: #ty));
                inits.push(quote!(#name,));
            }
            (false, _) => inits.push(quote!(#name: None,)),
        }
    }
    for f in op.form.iter().flat_map(|form| &form.fields) {
        let name = ident(&f.name);
        if f.required {
            let ty = form_type(&f.kind);
            args.push(quote!(#name: #ty));
            inits.push(quote!(#name,));
        } else {
            inits.push(quote!(#name: None,));
        }
    }
    if let Some(body) = &op.body {
        let ty = ident(&body.ty);
        if body.passed_whole {
            args.push(quote!(body: #ty));
            inits.push(quote!(body,));
        } else {
            inits.push(quote!(body: #ty::default(),));
        }
    }
    let summary = op
        .summary
        .as_deref()
        .unwrap_or(&op.id)
        .trim_end_matches('.');
    let doc = doc(&format!(
        "{}.\n\nSee [`{}`] for the parameters, limits and documented errors.",
        doc_text(summary),
        op.builder
    ));
    let deprecated = deprecated(op.deprecated.as_deref());
    quote! {
        #doc
        #deprecated
        pub fn #fn_name(&self, #(#args),*) -> #builder {
            #builder { #(#inits)* }
        }
    }
}

/// The builder's methods: what the client knows of the operation, the setters, `validate` and `send`.
fn builder_methods(op: &Operation, body_deprecated: bool) -> TokenStream {
    let builder = ident(&op.builder);
    let info = runtime::operation_info(op);
    let setters = op
        .params
        .iter()
        .filter(|p| !p.required)
        .map(|p| param_setter(op, p));
    let form_setters = op
        .form
        .iter()
        .flat_map(|form| &form.fields)
        .filter(|f| !f.required)
        .map(form_setter);
    let body_setters = op.body.as_ref().map(|body| {
        let ty = ident(&body.ty);
        let fields = body.setters.iter().map(|setter| body_setter(op, setter));
        quote! {
            /// Replaces the whole request body.
            pub fn body(mut self, body: #ty) -> Self {
                self.body = body;
                self
            }

            #(#fields)*
        }
    });
    let validate = validate_fn(op);
    let send = send_fn(op);
    let options = runtime::call_options(&builder, &ident(&op.data));
    let allow_deprecated = body_deprecated.then(|| quote!(#[allow(deprecated)]));
    quote! {
        #allow_deprecated
        impl #builder {
            #info
            #(#setters)*
            #body_setters
            #(#form_setters)*
            #validate
            #send
        }

        #options
    }
}

fn operation_doc(op: &Operation) -> String {
    let mut text = String::new();
    if let Some(summary) = &op.summary {
        text.push_str(&format!("{}.\n\n", doc_text(summary.trim_end_matches('.'))));
    }
    if let Some(description) = &op.doc {
        text.push_str(&format!("{}\n\n", doc_text(description)));
    }
    let method = op.method.as_str();
    text.push_str(&format!(
        "- Endpoint: `{method} {}` (operation `{}`)\n",
        op.path, op.id
    ));
    if let Some(url) = &op.doc_url {
        text.push_str(&format!("- Doc page: <{url}>\n"));
    }
    let windows: Vec<String> = [
        (op.rate_limit.per_second, "second"),
        (op.rate_limit.per_minute, "minute"),
    ]
    .into_iter()
    .filter_map(|(n, window)| Some(format!("{} requests per {window}", n?)))
    .collect();
    if !windows.is_empty() {
        text.push_str(&format!(
            "- Rate limit: {}; the client keeps under it by default\n",
            windows.join(" and ")
        ));
    }
    let tokens: Vec<&str> = op
        .token_types
        .iter()
        .map(|t| match t {
            TokenType::Tenant => "a tenant access token",
            TokenType::User => "a user access token (`.user_access_token(..)`)",
        })
        .collect();
    text.push_str(&format!("- Takes: {}\n", tokens.join(" or ")));
    if !op.scopes.is_empty() {
        text.push_str(&format!("- Scopes (any one): {}\n", code_list(&op.scopes)));
    }
    if !op.field_scopes.is_empty() {
        text.push_str(&format!(
            "- Field scopes (unlock some fields of the answer): {}\n",
            code_list(&op.field_scopes)
        ));
    }
    if !op.app_types.is_empty() {
        let kinds: Vec<&str> = op
            .app_types
            .iter()
            .map(|kind| match kind {
                AppType::Custom => "custom apps",
                AppType::Store => "store apps",
            })
            .collect();
        text.push_str(&format!("- Callable by: {}\n", kinds.join(" and ")));
    }
    text.push_str(if op.idempotent {
        "- Safe to repeat: failed attempts are retried\n"
    } else {
        "- Not marked safe to repeat: never retried\n"
    });
    if op.pagination.is_some() {
        text.push_str("- Paginated: `pages()` and `items()` walk every page\n");
    }
    if !op.errors.is_empty() {
        text.push_str(
            "\nDocumented error codes ([`ApiError::error_code`](crate::ApiError::error_code)):\n",
        );
        for e in &op.errors {
            text.push_str(&format!(
                "- `{}` [`ErrorCode::{name}`](crate::ErrorCode::{name}), HTTP {}: {}\n",
                e.code,
                e.http_status,
                doc_text(&e.description),
                name = e.name,
            ));
        }
    }
    text
}

fn code_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    quoted.join(", ")
}

/// The doc line of one check: what `validate()` refuses, in words. Every doc that says what is "checked before
/// sending" is written from the operation's checks through this function, so the docs list exactly the checks
/// `validate()` runs.
pub fn check_doc(check: &Check) -> String {
    match check {
        Check::PathSegment { value } => format!(
            "`{}` is one path segment: not empty, and neither `.` nor `..`",
            value.wire
        ),
        Check::Minimum { value, min } => format!("`{}` is at least {min}", value.wire),
        Check::Maximum { value, max } => format!("`{}` is at most {max}", value.wire),
        Check::MinLength { value, min: 1 } => format!("`{}` is not empty", value.wire),
        Check::MinLength { value, min } => {
            format!("`{}` has at least {min} characters", value.wire)
        }
        Check::MaxLength { value, max } => format!("`{}` has at most {max} characters", value.wire),
        Check::MinItems { value, min: 1 } => format!("`{}` has at least one item", value.wire),
        Check::MinItems { value, min } => format!("`{}` has at least {min} items", value.wire),
        Check::MaxItems { value, max } => format!("`{}` has at most {max} items", value.wire),
        Check::Exclusive { fields } => {
            let names: Vec<String> = fields.iter().map(|f| format!("`{}`", f.wire)).collect();
            format!("at most one of {} is set", names.join(", "))
        }
    }
}

/// Whether a value has a builder setter, whose doc then carries the lines of its checks: an optional
/// parameter, or a body field the builder sets one by one.
fn has_setter(op: &Operation, value: &Checked) -> bool {
    if value.in_body {
        op.body
            .as_ref()
            .is_some_and(|body| body.setters.iter().any(|s| s.field.name == value.name))
    } else {
        !value.required
    }
}

/// "Checked before sending: ...", one line per check of `op` that `wanted` picks; empty when there is none.
fn checks_doc(op: &Operation, wanted: impl Fn(&Check) -> bool) -> String {
    let lines: Vec<String> = op
        .checks
        .iter()
        .filter(|check| wanted(check))
        .map(|check| format!("Checked before sending: {}.", check_doc(check)))
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!("\n\n{}", lines.join("\n"))
    }
}

/// The lines of the checks that read the value named `name` (a body field when `in_body`), for its setter.
fn setter_checks_doc(op: &Operation, name: &str, in_body: bool) -> String {
    checks_doc(op, |check| {
        check
            .values()
            .iter()
            .any(|v| v.name == name && v.in_body == in_body)
    })
}

/// The argument of a setter of a value of type `ty`, and the expression that stores it: strings and lists of
/// strings take anything that converts, lists any iterator, and a boxed field is boxed.
fn setter_argument(ty: &Type, boxed: bool) -> (TokenStream, TokenStream) {
    match ty {
        Type::String => (quote!(value: impl Into<String>), quote!(value.into())),
        Type::List(inner) if **inner == Type::String => (
            quote!(values: impl IntoIterator<Item = impl Into<String>>),
            quote!(values.into_iter().map(Into::into).collect()),
        ),
        Type::List(inner) => {
            let inner = rust_type(inner);
            (
                quote!(values: impl IntoIterator<Item = #inner>),
                quote!(values.into_iter().collect()),
            )
        }
        other => {
            let ty = rust_type(other);
            let value = if boxed {
                quote!(Box::new(value))
            } else {
                quote!(value)
            };
            (quote!(value: #ty), value)
        }
    }
}

fn param_setter(op: &Operation, p: &Param) -> TokenStream {
    let name = ident(&p.name);
    let mut text = doc_text(p.doc.as_deref().unwrap_or(&p.wire));
    if let Some(default) = &p.default {
        text.push_str(&format!("\n\nServer default: `{default}`."));
    }
    text.push_str(&setter_checks_doc(op, &p.name, false));
    let doc = doc(&text);
    let (argument, value) = setter_argument(&p.ty, false);
    quote! {
        #doc
        pub fn #name(mut self, #argument) -> Self {
            self.#name = Some(#value);
            self
        }
    }
}

fn body_setter(op: &Operation, setter: &BodySetter) -> TokenStream {
    let f = &setter.field;
    let method = ident(&setter.method);
    let field = ident(&f.name);
    let text = doc_text(f.doc.as_deref().unwrap_or(&f.wire));
    let doc = doc(&format!(
        "{text}\n\nBody field `{}`.{}",
        f.wire,
        setter_checks_doc(op, &f.name, true)
    ));
    let (argument, value) = setter_argument(&f.ty, f.boxed);
    let deprecated = deprecated(f.deprecated.as_deref());
    quote! {
        #doc
        #deprecated
        pub fn #method(mut self, #argument) -> Self {
            self.body.#field = Some(#value);
            self
        }
    }
}

fn validate_fn(op: &Operation) -> TokenStream {
    let checks: Vec<TokenStream> = op.checks.iter().map(check).collect();
    let error = runtime::error();
    // One local for the operation keeps each check on one line.
    let operation = (!checks.is_empty()).then(runtime::check_operation);
    // The checks of values without a setter (path segments, required values) are documented here; the others
    // on their setters.
    let doc = doc(&format!(
        "Checks the request without sending it, as [`send`](Self::send) does ([`Error::InvalidRequest`]).{}",
        checks_doc(op, |check| {
            !check.values().iter().any(|v| has_setter(op, v))
        })
    ));
    quote! {
        #doc
        pub fn validate(&self) -> Result<(), #error> {
            #operation
            #(#checks)*
            Ok(())
        }
    }
}

/// The place of a checked value: `self.x` or `self.body.x`.
fn place(value: &Checked) -> TokenStream {
    let name = ident(&value.name);
    if value.in_body {
        quote!(self.body.#name)
    } else {
        quote!(self.#name)
    }
}

fn check(check: &Check) -> TokenStream {
    let number = |value: &Checked| {
        let place = place(value);
        if value.required {
            quote!(Some(i64::from(#place)))
        } else {
            quote!(#place.map(i64::from))
        }
    };
    let text = |value: &Checked| {
        let place = place(value);
        if value.required {
            quote!(Some(#place.as_str()))
        } else {
            quote!(#place.as_deref())
        }
    };
    let len = |value: &Checked| {
        let place = place(value);
        if value.required {
            quote!(Some(#place.len()))
        } else {
            quote!(#place.as_ref().map(Vec::len))
        }
    };
    match check {
        Check::PathSegment { value } => {
            let (wire, place) = (&value.wire, place(value));
            runtime::check("path_segment", quote!(#wire, &#place))
        }
        Check::Minimum { value, min } => {
            let (wire, value, min) = (&value.wire, number(value), Literal::i64_unsuffixed(*min));
            runtime::check("minimum", quote!(#wire, #value, #min))
        }
        Check::Maximum { value, max } => {
            let (wire, value, max) = (&value.wire, number(value), Literal::i64_unsuffixed(*max));
            runtime::check("maximum", quote!(#wire, #value, #max))
        }
        Check::MinLength { value, min } => {
            let (wire, value, min) = (&value.wire, text(value), Literal::u64_unsuffixed(*min));
            runtime::check("min_length", quote!(#wire, #value, #min))
        }
        Check::MaxLength { value, max } => {
            let (wire, value, max) = (&value.wire, text(value), Literal::u64_unsuffixed(*max));
            runtime::check("max_length", quote!(#wire, #value, #max))
        }
        Check::MinItems { value, min } => {
            let (wire, len, min) = (&value.wire, len(value), Literal::u64_unsuffixed(*min));
            runtime::check("min_items", quote!(#wire, #len, #min))
        }
        Check::MaxItems { value, max } => {
            let (wire, len, max) = (&value.wire, len(value), Literal::u64_unsuffixed(*max));
            runtime::check("max_items", quote!(#wire, #len, #max))
        }
        Check::Exclusive { fields } => {
            let entries = fields.iter().map(|f| {
                let wire = &f.wire;
                let place = place(f);
                let set = if f.required {
                    quote!(true)
                } else {
                    quote!(#place.is_some())
                };
                quote!((#wire, #set))
            });
            runtime::check("exclusive", quote!(&[#(#entries),*]))
        }
    }
}

/// The request path: literal text as written, each parameter percent-encoded into a local first, so the
/// template reads as one string.
fn path_expression(op: &Operation) -> TokenStream {
    let mut template = String::new();
    let mut locals = Vec::new();
    for segment in &op.segments {
        match segment {
            Segment::Literal(text) => {
                template.push_str(&text.replace('{', "{{").replace('}', "}}"))
            }
            Segment::Param {
                name,
                wire,
                is_string,
            } => {
                let local = ident(&naming::format_local(name));
                let name = ident(name);
                let value = if *is_string {
                    quote!(&self.#name)
                } else {
                    quote!(&self.#name.to_string())
                };
                let encoded = runtime::path_segment(wire, value);
                locals.push(quote!(let #local = #encoded;));
                template.push_str(&format!("{{{local}}}"));
            }
        }
    }
    if locals.is_empty() {
        quote!(#template.to_owned())
    } else {
        let operation = runtime::check_operation();
        quote! {{
            #operation
            #(#locals)*
            format!(#template)
        }}
    }
}

fn send_fn(op: &Operation) -> TokenStream {
    let error = runtime::error();
    let path = path_expression(op);
    let request = runtime::new_request(quote!(path));
    let query = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
        .map(|p| {
            let name = ident(&p.name);
            let value = if p.required {
                quote!(Some(&self.#name))
            } else {
                quote!(self.#name.as_ref())
            };
            runtime::query(&p.wire, value, matches!(p.ty, Type::List(_)))
        });
    let body = op.body.as_ref().map(|_| runtime::json_body());
    let parts = op.form.iter().flat_map(|form| &form.fields).map(|f| {
        let name = ident(&f.name);
        match (&f.kind, f.required) {
            (FormKind::File { max_bytes }, true) => {
                runtime::form_file(&f.wire, quote!(self.#name), *max_bytes)
            }
            (FormKind::File { max_bytes }, false) => {
                let part = runtime::form_file(&f.wire, quote!(upload), *max_bytes);
                quote!(if let Some(upload) = self.#name { #part })
            }
            (FormKind::Text(_), true) => runtime::form_text(&f.wire, quote!(Some(&self.#name))),
            (FormKind::Text(_), false) => runtime::form_text(&f.wire, quote!(self.#name.as_ref())),
        }
    });
    let built = runtime::request_built();
    let client = runtime::client();
    let request_type = runtime::request_type();
    let has_query = op.params.iter().any(|p| p.location == ParamLocation::Query);
    let mutable = (has_query || op.body.is_some() || op.form.is_some()).then(|| quote!(mut));
    quote! {
        fn request(self) -> Result<(#client, #request_type), #error> {
            self.validate()?;
            let path = #path;
            let #mutable request = #request;
            #(#query)*
            #body
            #(#parts)*
            #built
        }
    }
}

fn page_streams(op: &Operation, pg: &Pagination) -> TokenStream {
    PageStreams {
        builder: ident(&op.builder),
        page: ident(&op.data),
        item: rust_type(&pg.item),
        page_token: ident(&pg.token_param),
        next_token: ident(&pg.token_field),
        has_more: ident(&pg.has_more_field),
        items: ident(&pg.items_field),
        page_size: pg
            .size
            .as_ref()
            .and_then(|size| Some((ident(&size.param), size.maximum?))),
    }
    .emit()
}

/// The Rust type a form part holds: the runtime's `Upload` for a file, the value's type otherwise.
fn form_type(kind: &FormKind) -> TokenStream {
    match kind {
        FormKind::File { .. } => runtime::upload(),
        FormKind::Text(ty) => rust_type(ty),
    }
}

/// The builder method that sets an optional form part.
fn form_setter(f: &FormField) -> TokenStream {
    let name = ident(&f.name);
    let ty = form_type(&f.kind);
    let mut text = doc_text(f.doc.as_deref().unwrap_or(&f.wire));
    text.push_str(&format!("\n\nForm part `{}`.", f.wire));
    let doc = doc(&text);
    quote! {
        #doc
        pub fn #name(mut self, value: #ty) -> Self {
            self.#name = Some(value);
            self
        }
    }
}
