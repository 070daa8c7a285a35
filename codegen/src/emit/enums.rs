//! Emits `enums.rs`: open enums that keep values the spec does not list in `Unknown`.

use super::{doc, doc_text, ident};
use crate::model::{Api, Enum, EnumRepr, WireValue};
use crate::runtime;
use proc_macro2::{Literal, TokenStream};
use quote::{quote, ToTokens};

pub(super) fn emit(api: &Api) -> TokenStream {
    let enums = api.enums.iter().map(emit_enum);
    let header = super::doc_inner(
        "Enums of the spec. Each is open: a value the spec does not list decodes to `Unknown` and encodes back unchanged.",
    );
    quote! {
        #header
        #(#enums)*
    }
}

fn emit_enum(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc(&doc_text(e.doc.as_deref().unwrap_or(&e.name)));
    let variant_docs = e.variants.iter().map(|v| {
        let text = match &v.doc {
            Some(text) => format!("`{}`: {}", v.value, doc_text(text)),
            None => format!("`{}`.", v.value),
        };
        super::doc(&text)
    });
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<TokenStream> = e
        .variants
        .iter()
        .map(|v| match &v.value {
            WireValue::Integer(n) => Literal::i64_unsuffixed(*n).into_token_stream(),
            WireValue::String(text) => text.into_token_stream(),
        })
        .collect();
    let string = e.repr == EnumRepr::String;
    let (unknown, derive_copy) = if string {
        (quote!(String), quote!())
    } else {
        (quote!(i64), quote!(Copy,))
    };
    let impls = runtime::open_enum_impls(&name, string, &variants, &values);
    quote! {
        #doc
        #[derive(Debug, Clone, #derive_copy PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variants,)*
            /// A value this version of the spec does not list, kept as received.
            Unknown(#unknown),
        }

        #impls
    }
}
