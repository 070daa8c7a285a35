//! Emits `enums.rs`: open enums that keep values the spec does not list in `Unknown`.

use super::{doc, doc_text, ident};
use crate::model::{Api, Enum, EnumRepr};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

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
            Some(text) => format!("`{}`: {}", v.wire, doc_text(text)),
            None => format!("`{}`.", v.wire),
        };
        super::doc(&text)
    });
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
    match e.repr {
        EnumRepr::Integer => {
            let values: Vec<Literal> = e
                .variants
                .iter()
                .map(|v| Literal::i64_unsuffixed(v.wire.parse().unwrap_or_default()))
                .collect();
            quote! {
                #doc
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #(#variant_docs #variants,)*
                    /// A value this version of the spec does not list, kept as received.
                    Unknown(i64),
                }

                impl #name {
                    /// The value on the wire.
                    pub fn value(&self) -> i64 {
                        match self {
                            #(Self::#variants => #values,)*
                            Self::Unknown(value) => *value,
                        }
                    }
                }

                impl From<i64> for #name {
                    fn from(value: i64) -> Self {
                        match value {
                            #(#values => Self::#variants,)*
                            other => Self::Unknown(other),
                        }
                    }
                }

                impl std::fmt::Display for #name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        write!(f, "{}", self.value())
                    }
                }

                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        serializer.serialize_i64(self.value())
                    }
                }

                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        <i64 as serde::Deserialize>::deserialize(deserializer).map(Self::from)
                    }
                }
            }
        }
        EnumRepr::String => {
            let values: Vec<&str> = e.variants.iter().map(|v| v.wire.as_str()).collect();
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #(#variant_docs #variants,)*
                    /// A value this version of the spec does not list, kept as received.
                    Unknown(String),
                }

                impl #name {
                    /// The value on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #(Self::#variants => #values,)*
                            Self::Unknown(value) => value,
                        }
                    }
                }

                impl From<&str> for #name {
                    fn from(value: &str) -> Self {
                        match value {
                            #(#values => Self::#variants,)*
                            other => Self::Unknown(other.to_owned()),
                        }
                    }
                }

                impl std::fmt::Display for #name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }

                impl serde::Serialize for #name {
                    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        serializer.serialize_str(self.as_str())
                    }
                }

                impl<'de> serde::Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        <String as serde::Deserialize>::deserialize(deserializer).map(|value| Self::from(value.as_str()))
                    }
                }
            }
        }
    }
}
