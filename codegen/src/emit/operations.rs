//! Emits `operations.rs`: for each operation a request builder, the `Client` method that starts it, the checks
//! of its documented constraints, `send()`, and for paginated operations `pages()` and `items()`.

use super::{defaultable, doc, doc_text, ident, mentions_enum, rust_type};
use crate::model::{
    Api, Field, Method, Operation, Param, ParamLocation, Rules, Segment, Struct, Type,
};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

pub(super) fn emit(api: &Api) -> TokenStream {
    let structs: BTreeMap<&str, &Struct> =
        api.structs.iter().map(|s| (s.name.as_str(), s)).collect();
    let defaults = defaultable(api);
    let operations = api
        .operations
        .iter()
        .map(|op| emit_operation(op, &structs, &defaults));
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
    });
    let uses_checks = api
        .operations
        .iter()
        .any(|op| !validation(op, &structs).is_empty());
    let import_enums = uses_enums.then(|| {
        quote!(
            use super::enums::*;
        )
    });
    let import_validate = uses_checks.then(|| quote!(validate,));
    let imports = (!api.operations.is_empty()).then(|| {
        quote! {
            #import_enums
            use super::types::*;
            use crate::operation::{HttpMethod, OperationInfo};
            use crate::{transport, #import_validate Client, Error};
        }
    });
    quote! {
        #header
        #imports
        #(#operations)*
    }
}

fn emit_operation(
    op: &Operation,
    structs: &BTreeMap<&str, &Struct>,
    defaults: &BTreeMap<String, bool>,
) -> TokenStream {
    let builder = ident(&op.builder);
    let fn_name = ident(&op.fn_name);
    let data = ident(&op.data);
    let op_doc = doc(&operation_doc(op));
    let id = &op.id;
    let path = &op.path;
    let method = match op.method {
        Method::Get => quote!(HttpMethod::Get),
        Method::Post => quote!(HttpMethod::Post),
        Method::Put => quote!(HttpMethod::Put),
        Method::Patch => quote!(HttpMethod::Patch),
        Method::Delete => quote!(HttpMethod::Delete),
    };
    let rate_limit = match op.rate_limit {
        Some(n) => {
            let n = Literal::u32_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let idempotent = op.idempotent;

    let required: Vec<&Param> = op.params.iter().filter(|p| p.required).collect();
    let optional: Vec<&Param> = op.params.iter().filter(|p| !p.required).collect();

    // The body is built up by setters when its struct has a default, and passed whole otherwise.
    let body_struct = op.body.as_ref().map(|b| (b, ident(&b.ty)));
    let body_by_arg = body_struct
        .as_ref()
        .is_some_and(|(b, _)| !defaults.get(&b.ty).copied().unwrap_or(false));

    let mut fields = vec![quote!(client: Client,)];
    let mut args = Vec::new();
    let mut inits = vec![quote!(client: self.clone(),)];
    for p in &required {
        let name = ident(&p.name);
        let ty = rust_type(&p.ty);
        fields.push(quote!(#name: #ty,));
        if p.ty == Type::String {
            args.push(quote!(#name: impl Into<String>));
            inits.push(quote!(#name: #name.into(),));
        } else {
            args.push(quote!(#name: #ty));
            inits.push(quote!(#name,));
        }
    }
    for p in &optional {
        let name = ident(&p.name);
        let ty = rust_type(&p.ty);
        fields.push(quote!(#name: Option<#ty>,));
        inits.push(quote!(#name: None,));
    }
    if let Some((_, body_ty)) = &body_struct {
        fields.push(quote!(body: #body_ty,));
        if body_by_arg {
            args.push(quote!(body: #body_ty));
            inits.push(quote!(body,));
        } else {
            inits.push(quote!(body: #body_ty::default(),));
        }
    }

    let setters = optional.iter().map(|p| param_setter(p));
    let body_setters = body_struct.iter().flat_map(|(body, body_ty)| {
        let s = structs.get(body.ty.as_str());
        let whole = quote! {
            /// Replaces the whole request body.
            pub fn body(mut self, body: #body_ty) -> Self {
                self.body = body;
                self
            }
        };
        let fields = body.setters.iter().filter_map(move |(setter, field)| {
            let f = s?.fields.iter().find(|f| &f.name == field)?;
            Some(body_setter(setter, f))
        });
        std::iter::once(whole).chain(fields)
    });

    let checks = validation(op, structs);
    let send = send_fn(op, &data);
    let pagination = op.pagination.as_ref().map(|pg| {
        let token = ident(&pg.token_param);
        let item = rust_type(&pg.item);
        let token_field = ident(&pg.token_field);
        let has_more = ident(&pg.has_more_field);
        let items = ident(&pg.items_field);
        let fill = match &pg.size_param {
            Some((size, Some(max))) => {
                let size = ident(size);
                let max = Literal::i64_unsuffixed(*max);
                quote! {
                    if self.#size.is_none() {
                        self.#size = Some(#max);
                    }
                }
            }
            _ => quote!(),
        };
        let size_note = match &pg.size_param {
            Some((size, Some(max))) => format!(" Unless `{size}` is set, pages hold {max} items, the documented maximum."),
            _ => String::new(),
        };
        let pages_doc = doc(&format!(
            "Every page, fetched one after another as the stream is polled, starting from the page token set on this request.{size_note}\n\n\
             The stream ends when `{has_more}` is false or the next token is missing or empty, and fails with \
             [`Error::Pagination`] if the server repeats a token.",
            has_more = pg.has_more_field
        ));
        let items_doc = doc(&format!("Every item of every page, in order; see [`{}::pages`].", op.builder));
        quote! {
            impl crate::pagination::Paginated for #builder {
                const OPERATION_ID: &'static str = #id;
                type Page = #data;
                type Item = #item;

                fn set_page_token(&mut self, token: Option<String>) {
                    self.#token = token;
                }

                fn fill_page_size(&mut self) {
                    #fill
                }

                fn fetch(&self) -> crate::pagination::PageFuture<#data> {
                    let request = self.clone();
                    Box::pin(async move { request.send().await })
                }

                fn next_token(page: &#data) -> (bool, Option<&str>) {
                    (page.#has_more.unwrap_or(false), page.#token_field.as_deref())
                }

                fn into_items(page: #data) -> Vec<#item> {
                    page.#items.unwrap_or_default()
                }
            }

            impl #builder {
                #pages_doc
                pub fn pages(self) -> impl futures_core::Stream<Item = Result<#data, Error>> + Send + 'static {
                    crate::pagination::pages(self)
                }

                #items_doc
                pub fn items(self) -> impl futures_core::Stream<Item = Result<#item, Error>> + Send + 'static {
                    crate::pagination::items(self)
                }
            }
        }
    });

    let deprecated = super::deprecated(op.deprecated.as_deref());
    let method_doc = doc(&format!(
        "{}.\n\nSee [`{}`] for the parameters, limits and documented errors.",
        doc_text(
            op.summary
                .as_deref()
                .unwrap_or(&op.id)
                .trim_end_matches('.')
        ),
        op.builder
    ));

    quote! {
        #op_doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until `send` is called"]
        pub struct #builder {
            #(#fields)*
        }

        impl Client {
            #method_doc
            #deprecated
            pub fn #fn_name(&self, #(#args),*) -> #builder {
                #builder { #(#inits)* }
            }
        }

        impl #builder {
            /// What the client knows of this operation: method, path, rate limit and whether retries are safe.
            pub const OPERATION: OperationInfo = OperationInfo {
                id: #id,
                method: #method,
                path: #path,
                rate_limit: #rate_limit,
                idempotent: #idempotent,
            };

            #(#setters)*
            #(#body_setters)*

            /// Checks the documented constraints of the request without sending it.
            ///
            /// [`send`](Self::send) runs the same checks; a failure is [`Error::InvalidRequest`].
            pub fn validate(&self) -> Result<(), Error> {
                #(#checks)*
                Ok(())
            }

            #send
        }

        #pagination
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
    let method = match op.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    };
    text.push_str(&format!(
        "- Endpoint: `{method} {}` (operation `{}`)\n",
        op.path, op.id
    ));
    if let Some(url) = &op.doc_url {
        text.push_str(&format!("- Doc page: <{url}>\n"));
    }
    if let Some(limit) = op.rate_limit {
        text.push_str(&format!(
            "- Rate limit: {limit} requests per second; the client keeps under it by default\n"
        ));
    }
    if !op.scopes.is_empty() {
        let scopes: Vec<String> = op.scopes.iter().map(|s| format!("`{s}`")).collect();
        text.push_str(&format!("- Scopes (any one): {}\n", scopes.join(", ")));
    }
    if !op.field_scopes.is_empty() {
        let scopes: Vec<String> = op.field_scopes.iter().map(|s| format!("`{s}`")).collect();
        text.push_str(&format!(
            "- Field scopes (unlock some fields of the answer): {}\n",
            scopes.join(", ")
        ));
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
        for (status, code, name, description) in &op.errors {
            text.push_str(&format!(
                "- `{code}` [`ErrorCode::{name}`](crate::ErrorCode::{name}), HTTP {status}: {}\n",
                doc_text(description)
            ));
        }
    }
    text
}

fn rules_doc(rules: &Rules) -> String {
    let mut parts = Vec::new();
    if let Some(min) = rules.minimum {
        parts.push(format!("at least {min}"));
    }
    if let Some(max) = rules.maximum {
        parts.push(format!("at most {max}"));
    }
    if let Some(min) = rules.min_length {
        parts.push(format!("at least {min} characters"));
    }
    if let Some(max) = rules.max_length {
        parts.push(format!("at most {max} characters"));
    }
    if let Some(max) = rules.max_items {
        parts.push(format!("at most {max} items"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("\n\nChecked before sending: {}.", parts.join(", "))
    }
}

fn param_setter(p: &Param) -> TokenStream {
    let name = ident(&p.name);
    let mut text = doc_text(p.doc.as_deref().unwrap_or(&p.wire));
    if let Some(default) = &p.default {
        text.push_str(&format!("\n\nServer default: `{default}`."));
    }
    text.push_str(&rules_doc(&p.rules));
    let doc = doc(&text);
    if p.ty == Type::String {
        quote! {
            #doc
            pub fn #name(mut self, value: impl Into<String>) -> Self {
                self.#name = Some(value.into());
                self
            }
        }
    } else {
        let ty = rust_type(&p.ty);
        quote! {
            #doc
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = Some(value);
                self
            }
        }
    }
}

fn body_setter(setter: &str, f: &Field) -> TokenStream {
    let method = ident(setter);
    let field = ident(&f.name);
    let text = doc_text(f.doc.as_deref().unwrap_or(&f.wire));
    let doc = doc(&format!(
        "{text}\n\nBody field `{}`.{}",
        f.wire,
        rules_doc(&f.rules)
    ));
    match &f.ty {
        Type::String => quote! {
            #doc
            pub fn #method(mut self, value: impl Into<String>) -> Self {
                self.body.#field = Some(value.into());
                self
            }
        },
        Type::List(inner) if **inner == Type::String => quote! {
            #doc
            pub fn #method(mut self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
                self.body.#field = Some(values.into_iter().map(Into::into).collect());
                self
            }
        },
        Type::List(inner) => {
            let inner = rust_type(inner);
            quote! {
                #doc
                pub fn #method(mut self, values: impl IntoIterator<Item = #inner>) -> Self {
                    self.body.#field = Some(values.into_iter().collect());
                    self
                }
            }
        }
        other => {
            let ty = rust_type(other);
            let value = if f.boxed {
                quote!(Box::new(value))
            } else {
                quote!(value)
            };
            quote! {
                #doc
                pub fn #method(mut self, value: #ty) -> Self {
                    self.body.#field = Some(#value);
                    self
                }
            }
        }
    }
}

/// One check per documented constraint, in parameter order, then the body's.
fn validation(op: &Operation, structs: &BTreeMap<&str, &Struct>) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    for p in &op.params {
        let name = ident(&p.name);
        let wire = &p.wire;
        if p.location == ParamLocation::Path && p.ty == Type::String {
            checks.push(quote!(validate::path_segment(Self::OPERATION.id, #wire, &self.#name)?;));
        }
        checks.extend(rule_checks(
            &p.rules,
            wire,
            &quote!(self.#name),
            p.required,
            &p.ty,
        ));
    }
    if let Some(body) = &op.body {
        if let Some(s) = structs.get(body.ty.as_str()) {
            for f in &s.fields {
                let name = ident(&f.name);
                checks.extend(rule_checks(
                    &f.rules,
                    &f.wire,
                    &quote!(self.body.#name),
                    f.required,
                    &f.ty,
                ));
            }
            for group in &s.exclusive {
                let entries = group.iter().filter_map(|field| {
                    let f = s.fields.iter().find(|f| &f.name == field)?;
                    let wire = &f.wire;
                    let name = ident(&f.name);
                    let set = if f.required {
                        quote!(true)
                    } else {
                        quote!(self.body.#name.is_some())
                    };
                    Some(quote!((#wire, #set)))
                });
                checks.push(quote!(validate::exclusive(Self::OPERATION.id, &[#(#entries),*])?;));
            }
        }
    }
    checks
}

/// Checks of one value. `field` is the field expression (`self.x` or `self.body.x`); `required` says whether
/// it is a plain value or an `Option`.
fn rule_checks(
    rules: &Rules,
    wire: &str,
    field: &TokenStream,
    required: bool,
    ty: &Type,
) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    if matches!(ty, Type::I32 | Type::I64) {
        let value = if required {
            quote!(Some(i64::from(#field)))
        } else {
            quote!(#field.map(i64::from))
        };
        if let Some(min) = rules.minimum {
            let min = Literal::i64_unsuffixed(min);
            checks.push(quote!(validate::minimum(Self::OPERATION.id, #wire, #value, #min)?;));
        }
        if let Some(max) = rules.maximum {
            let max = Literal::i64_unsuffixed(max);
            checks.push(quote!(validate::maximum(Self::OPERATION.id, #wire, #value, #max)?;));
        }
    }
    if *ty == Type::String {
        let value = if required {
            quote!(Some(#field.as_str()))
        } else {
            quote!(#field.as_deref())
        };
        if let Some(min) = rules.min_length {
            let min = Literal::u64_unsuffixed(min);
            checks.push(quote!(validate::min_length(Self::OPERATION.id, #wire, #value, #min)?;));
        }
        if let Some(max) = rules.max_length {
            let max = Literal::u64_unsuffixed(max);
            checks.push(quote!(validate::max_length(Self::OPERATION.id, #wire, #value, #max)?;));
        }
    }
    if matches!(ty, Type::List(_)) {
        if let Some(max) = rules.max_items {
            let max = Literal::u64_unsuffixed(max);
            let len = if required {
                quote!(Some(#field.len()))
            } else {
                quote!(#field.as_ref().map(Vec::len))
            };
            checks.push(quote!(validate::max_items(Self::OPERATION.id, #wire, #len, #max)?;));
        }
    }
    checks
}

fn send_fn(op: &Operation, data: &proc_macro2::Ident) -> TokenStream {
    // The path: literal text kept as is, parameters percent-encoded.
    let mut format = String::new();
    let mut path_args = Vec::new();
    for segment in &op.segments {
        match segment {
            Segment::Literal(text) => format.push_str(&text.replace('{', "{{").replace('}', "}}")),
            Segment::Param(name) => {
                format.push_str("{}");
                let is_string = op
                    .params
                    .iter()
                    .any(|p| &p.name == name && p.ty == Type::String);
                let name = ident(name);
                path_args.push(if is_string {
                    quote!(transport::encode_path_segment(&self.#name))
                } else {
                    quote!(transport::encode_path_segment(&self.#name.to_string()))
                });
            }
        }
    }
    let path = if path_args.is_empty() {
        quote!(#format.to_owned())
    } else {
        quote!(format!(#format, #(#path_args),*))
    };
    let query = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
        .map(|p| {
            let name = ident(&p.name);
            let wire = &p.wire;
            if p.required {
                quote!(request.query(#wire, Some(&self.#name));)
            } else {
                quote!(request.query(#wire, self.#name.as_ref());)
            }
        });
    let body = op.body.as_ref().map(|_| quote!(request.json(&self.body)?;));
    let mutable =
        if op.params.iter().any(|p| p.location == ParamLocation::Query) || op.body.is_some() {
            quote!(mut)
        } else {
            quote!()
        };
    quote! {
        /// Checks the request, sends it (retrying and refreshing the token as configured) and returns `data`.
        pub async fn send(self) -> Result<#data, Error> {
            self.validate()?;
            let #mutable request = transport::Request::new(&Self::OPERATION, #path);
            #(#query)*
            #body
            self.client.execute(request).await
        }
    }
}
