//! Emits `error_codes.rs`: the documented error codes of every operation as one open enum.

use super::{doc, doc_text, ident};
use crate::model::Api;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub(super) fn emit(api: &Api) -> TokenStream {
    let header = super::doc_inner("The error codes the doc pages list, typed.");
    let names: Vec<_> = api.error_codes.iter().map(|c| ident(&c.name)).collect();
    let codes: Vec<_> = api
        .error_codes
        .iter()
        .map(|c| Literal::i64_unsuffixed(c.code))
        .collect();
    let docs = api.error_codes.iter().map(|c| {
        let mut text = format!("`{}`.", c.code);
        for u in &c.uses {
            text.push_str(&format!(
                "\n- `{}` (HTTP {}): {}",
                u.operation,
                u.http_status,
                doc_text(&u.description)
            ));
        }
        doc(&text)
    });
    let from_body = if names.is_empty() {
        quote!(Self::Unknown(code))
    } else {
        quote! {
            match code {
                #(#codes => Self::#names,)*
                other => Self::Unknown(other),
            }
        }
    };
    let glue = crate::runtime::error_code_glue();
    quote! {
        #header

        /// A documented `code` of a failed call; see [`crate::ApiError::error_code`].
        ///
        /// Each variant lists the operations whose doc page documents it. Codes no page lists are `Unknown`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#docs #names,)*
            /// A code the doc pages do not list.
            Unknown(i64),
        }

        impl ErrorCode {
            /// The numeric code.
            pub fn code(&self) -> i64 {
                match self {
                    #(Self::#names => #codes,)*
                    Self::Unknown(code) => *code,
                }
            }
        }

        impl From<i64> for ErrorCode {
            fn from(code: i64) -> Self {
                #from_body
            }
        }

        #glue
    }
}
