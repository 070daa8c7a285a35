//! Emits `events.rs`: the spec's events as one open enum, each variant holding its event's typed `event` object.

use super::{doc, doc_text, ident};
use crate::model::Api;
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit(api: &Api) -> TokenStream {
    let header = super::doc_inner(
        "The events the spec documents, typed: one variant per event type, each with its delivery's `event` object.",
    );
    let variants: Vec<_> = api.events.iter().map(|e| ident(&e.variant)).collect();
    let types: Vec<_> = api.events.iter().map(|e| ident(&e.data)).collect();
    let event_types: Vec<&str> = api.events.iter().map(|e| e.event_type.as_str()).collect();
    let docs = api.events.iter().map(|e| {
        let mut text = e.summary.clone().unwrap_or_else(|| e.event_type.clone());
        if !text.ends_with('.') {
            text.push('.');
        }
        if let Some(more) = &e.doc {
            text.push_str("\n\n");
            text.push_str(more);
        }
        text.push_str(&format!("\n\n- Event type: `{}`", e.event_type));
        if !e.app_types.is_empty() {
            let apps: Vec<&str> = e.app_types.iter().map(|a| a.as_str()).collect();
            text.push_str(&format!("\n- Apps: {}", apps.join(", ")));
        }
        if !e.scopes.is_empty() {
            let scopes: Vec<String> = e.scopes.iter().map(|s| format!("`{s}`")).collect();
            text.push_str(&format!(
                "\n- Scopes (any one): {}",
                doc_text(&scopes.join(", "))
            ));
        }
        if let Some(url) = &e.doc_url {
            text.push_str(&format!("\n- Doc page: <{url}>"));
        }
        doc(&text)
    });
    let decode = crate::runtime::event_decode();
    let decode_error = crate::runtime::event_decode_error();
    let glue = crate::runtime::event_glue();
    let types_import = (!api.events.is_empty()).then(|| {
        quote!(
            use super::types::*;
        )
    });
    quote! {
        #header

        #types_import

        /// An event Feishu delivers, by its type.
        ///
        /// Each variant holds the delivery's `event` object of one event type the spec documents. An event
        /// type it does not document is [`Event::Unknown`], never an error, so that a new event type Feishu
        /// starts to send does not break a receiver.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#docs #variants(#types),)*
            /// An event type the spec does not document: its type, and its `event` object as delivered.
            Unknown {
                /// The event type, as the delivery names it.
                event_type: String,
                /// The delivery's `event` object.
                event: serde_json::Value,
            },
        }

        impl Event {
            /// Every event type the spec documents, sorted.
            pub const EVENT_TYPES: &'static [&'static str] = &[#(#event_types),*];

            /// Decodes `event`, a delivery's `event` object as sent, as the event of `event_type`; an event type
            /// the spec does not document is [`Event::Unknown`]. A documented event whose object does not have
            /// the documented shape is an error naming the event type and the path of the value. Numbers are read
            /// as leniently as in answers (an integer in quotes, say).
            pub fn decode(
                event_type: &str,
                event: &serde_json::value::RawValue,
            ) -> Result<Event, #decode_error> {
                Ok(match event_type {
                    #(#event_types => Event::#variants(#decode(#event_types, event)?),)*
                    other => Event::Unknown {
                        event_type: other.to_owned(),
                        event: #decode(other, event)?,
                    },
                })
            }

            /// The event's object as JSON, written again from the typed value; an [`Event::Unknown`]'s as
            /// delivered.
            pub fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
                match self {
                    #(Event::#variants(event) => serde_json::to_value(event),)*
                    Event::Unknown { event, .. } => Ok(event.clone()),
                }
            }

            /// The event type, as deliveries name it.
            pub fn event_type(&self) -> &str {
                match self {
                    #(Event::#variants(_) => #event_types,)*
                    Event::Unknown { event_type, .. } => event_type,
                }
            }
        }

        #glue
    }
}
