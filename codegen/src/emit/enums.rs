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
    let (unknown, derive_copy, accessor, from, impls) = match e.repr {
        EnumRepr::Integer => (
            quote!(i64),
            quote!(Copy,),
            quote! {
                /// The value on the wire.
                pub fn value(&self) -> i64 {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::Unknown(value) => *value,
                    }
                }
            },
            quote! {
                impl From<i64> for #name {
                    fn from(value: i64) -> Self {
                        match value {
                            #(#values => Self::#variants,)*
                            other => Self::Unknown(other),
                        }
                    }
                }
            },
            runtime::open_enum_impls(&name, false),
        ),
        EnumRepr::String => (
            quote!(String),
            quote!(),
            quote! {
                /// The value on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::Unknown(value) => value,
                    }
                }
            },
            quote! {
                impl From<&str> for #name {
                    fn from(value: &str) -> Self {
                        match value {
                            #(#values => Self::#variants,)*
                            other => Self::Unknown(other.to_owned()),
                        }
                    }
                }
            },
            runtime::open_enum_impls(&name, true),
        ),
    };
    quote! {
        #doc
        #[derive(Debug, Clone, #derive_copy PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variants,)*
            /// A value this version of the spec does not list, kept as received.
            Unknown(#unknown),
        }

        impl #name {
            #accessor
        }

        #from

        #impls
    }
}
