//! Emits `example_requests.rs`: for each operation, its request built through the public builder from the spec's
//! documented example values, and the table the spec-driven tests iterate. The file is not a module of the
//! library: the client's test binary includes it, so that an operation added to the spec is tested with no test
//! edited.

use super::{doc_inner, ident, rust_type};
use crate::model::{Api, FormKind, Operation, Type};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn emit(api: &Api) -> TokenStream {
    let header = doc_inner(
        "Each operation's request, built through its public builder from the spec's documented example values\n\
         (required values, and optional parameters that have one), with the table `CASES` that the client's\n\
         spec-driven tests (`tests/it/examples.rs`) iterate, and the events' examples (`EVENT_EXAMPLES`). Included by the client's test binary; not a module\n\
         of the library.",
    );
    let cases = api.operations.iter().map(|op| {
        let id = &op.id;
        let function = ident(&op.fn_name);
        match missing_example(op) {
            None => quote!((#id, Ok(#function)),),
            Some(missing) => quote!((#id, Err(#missing)),),
        }
    });
    let events = api.events.iter().map(|event| {
        let event_type = &event.event_type;
        match &event.example {
            Some(example) => {
                let json = example.to_string();
                quote!((#event_type, Some(#json)),)
            }
            None => quote!((#event_type, None),),
        }
    });
    let functions = api
        .operations
        .iter()
        .filter(|op| missing_example(op).is_none())
        .map(case);
    quote! {
        #header

        use generated_client::*;

        /// What a case gives back: the answer's typed `data`, written as JSON again.
        pub type Sent = std::pin::Pin<Box<dyn std::future::Future<Output = Result<serde_json::Value, Error>> + Send>>;

        /// The function that sends one operation's example request.
        pub type Sender = fn(&Client) -> Sent;

        /// Each operation id, with the function that sends its example request, or what the spec lacks to build one.
        pub const CASES: &[(&str, Result<Sender, &str>)] = &[#(#cases)*];

        /// Each event type, with the spec's example of its delivery's `event` object, as JSON.
        pub const EVENT_EXAMPLES: &[(&str, Option<&str>)] = &[#(#events)*];

        /// The file a file part of a form sends, and its name.
        pub const EXAMPLE_FILE: &[u8] = b"An example file, sent as a form part.";
        pub const EXAMPLE_FILE_NAME: &str = "example.bin";

        /// A documented example value, as the type the builder takes.
        fn example<T: serde::de::DeserializeOwned>(json: &str) -> T {
            serde_json::from_str(json).unwrap_or_else(|e| panic!("the spec's example {json} does not decode: {e}"))
        }

        #(#functions)*
    }
}

/// What the spec lacks to build the example request: a required value without an example.
fn missing_example(op: &Operation) -> Option<String> {
    if let Some(p) = op.params.iter().find(|p| p.required && p.example.is_none()) {
        return Some(format!(
            "the required parameter `{}` has no example",
            p.wire
        ));
    }
    if let Some(part) = op
        .form
        .iter()
        .flat_map(|form| &form.fields)
        .find(|f| f.required && !matches!(f.kind, FormKind::File { .. }))
    {
        return Some(format!(
            "the required form part `{}` has no example",
            part.wire
        ));
    }
    match &op.body {
        Some(body) if body.passed_whole && op.examples.body.is_none() => {
            Some("the request body has required fields and no example".to_owned())
        }
        _ => None,
    }
}

/// The function of one operation: the client method with its required values, each optional parameter that
/// has an example, the documented body, then `send`.
fn case(op: &Operation) -> TokenStream {
    let function = ident(&op.fn_name);
    let value = |ty: &Type, json: &serde_json::Value| {
        // A list parameter's example may be one of its items.
        let json = if matches!(ty, Type::List(_)) && !json.is_array() {
            serde_json::Value::Array(vec![json.clone()])
        } else {
            json.clone()
        };
        let ty = rust_type(ty);
        let text = json.to_string();
        quote!(example::<#ty>(#text))
    };
    let mut args: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| p.required)
        .filter_map(|p| Some(value(&p.ty, p.example.as_ref()?)))
        .collect();
    let mut setters: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| !p.required)
        .filter_map(|p| {
            let setter = ident(&p.name);
            let value = value(&p.ty, p.example.as_ref()?);
            Some(quote!(.#setter(#value)))
        })
        .collect();
    // A file part sends `EXAMPLE_FILE` as `example.bin`.
    for f in op.form.iter().flat_map(|form| &form.fields) {
        if matches!(f.kind, FormKind::File { .. }) {
            let upload = quote!(Upload::bytes(EXAMPLE_FILE_NAME, EXAMPLE_FILE.to_vec()));
            if f.required {
                args.push(upload);
            } else {
                let setter = ident(&f.name);
                setters.push(quote!(.#setter(#upload)));
            }
        }
    }
    if let (Some(body), Some(example)) = (&op.body, &op.examples.body) {
        let value = value(&Type::Struct(body.ty.clone()), example);
        if body.passed_whole {
            args.push(value);
        } else {
            setters.push(quote!(.body(#value)));
        }
    }
    let deprecated = op
        .deprecated
        .is_some()
        .then(|| quote!(#[allow(deprecated)]));
    quote! {
        #deprecated
        fn #function(client: &Client) -> Sent {
            let request = client.#function(#(#args),*) #(#setters)*;
            Box::pin(async move {
                let data = request.send().await?;
                Ok(serde_json::to_value(data).expect("the typed data encodes"))
            })
        }
    }
}
