//! Emits `types.rs`: one serde struct per object schema.

use super::{doc, doc_text, ident, mentions_enum, rust_type};
use crate::model::{Api, Struct};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit(api: &Api) -> TokenStream {
    let structs = api.structs.iter().map(emit_struct);
    let uses_enums = api
        .structs
        .iter()
        .flat_map(|s| &s.fields)
        .any(|f| mentions_enum(&f.ty));
    let import = uses_enums.then(|| {
        quote!(
            use super::enums::*;
        )
    });
    let header = super::doc_inner("Object types of the spec. Unknown fields in answers are ignored; absent fields are `None`.");
    quote! {
        #header
        #import
        #(#structs)*
    }
}

fn emit_struct(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let doc = doc(&doc_text(s.doc.as_deref().unwrap_or(&s.name)));
    let derive_default = s.derive_default.then(|| quote!(Default,));
    let fields = s.fields.iter().map(|field| {
        let name = ident(&field.name);
        let ty = rust_type(&field.ty);
        let ty = if field.boxed { quote!(Box<#ty>) } else { ty };
        // The wire name is worth a line only where it differs from the Rust name.
        let renamed = field.name.trim_start_matches("r#") != field.wire;
        let text = match (&field.doc, renamed) {
            (Some(text), true) => format!("{}\n\nWire name: `{}`.", doc_text(text), field.wire),
            (Some(text), false) => doc_text(text),
            (None, true) => format!("Wire name: `{}`.", field.wire),
            (None, false) => format!("`{}`.", field.wire),
        };
        let doc = super::doc(&text);
        let deprecated = super::deprecated(field.deprecated.as_deref());
        if s.read_by_fields {
            // Read and written by the runtime's `object::fields!`, which knows the wire name and leaves out `None`.
            return quote! { #doc #deprecated pub #name: Option<#ty>, };
        }
        let rename = renamed.then(|| {
            let wire = &field.wire;
            quote!(rename = #wire,)
        });
        if field.required {
            let attr = rename.map(|r| quote!(#[serde(#r)]));
            quote! { #doc #deprecated #attr pub #name: #ty, }
        } else {
            quote! {
                #doc
                #deprecated
                #[serde(#rename skip_serializing_if = "Option::is_none")]
                pub #name: Option<#ty>,
            }
        }
    });
    let (derive_serde, read_by_fields) = if s.read_by_fields {
        let fields = s.fields.iter().map(|f| {
            let renamed = f.name != f.wire;
            (ident(&f.name), renamed.then_some(f.wire.as_str()))
        });
        (None, Some(crate::runtime::object_fields(&name, fields)))
    } else {
        (Some(quote!(serde::Serialize, serde::Deserialize,)), None)
    };
    quote! {
        #doc
        #[derive(Debug, Clone, #derive_default PartialEq, #derive_serde)]
        pub struct #name {
            #(#fields)*
        }

        #read_by_fields
    }
}
