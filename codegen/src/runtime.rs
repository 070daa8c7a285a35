//! The contract between the code the generator emits and the hand-written runtime of `generated-client`.
//!
//! Every runtime item emitted code names is spelled here, and nowhere else in the generator; every name the
//! runtime already uses, which generated names must avoid, is listed here too. The runtime, for its part,
//! names no generated item: what links the two (`ApiError::error_code`) is emitted.

use crate::model::{AppType, Method, Operation, TokenType};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Type names the runtime or Rust's prelude already uses in generated files; a schema with one of these names
/// gets a suffix.
pub const RESERVED_TYPES: &[&str] = &[
    "ApiError",
    "AppTicketStore",
    "AppType",
    "Box",
    "CallOptions",
    "Client",
    "ClientBuilder",
    "Default",
    "Error",
    "ErrorCode",
    "Event",
    "EventDecodeError",
    "HttpMethod",
    "Items",
    "LimiterError",
    "MemoryTicketStore",
    "OperationInfo",
    "Option",
    "PageFuture",
    "Pages",
    "Paginated",
    "PaginationProblem",
    "PlatformCategory",
    "PlatformCode",
    "Quota",
    "RateLimit",
    "RateLimiter",
    "Response",
    "Result",
    "RetryPolicy",
    "Self",
    "String",
    "TokenKind",
    "TokenType",
    "Upload",
    "Value",
    "Vec",
    "WindowLimiter",
];

/// Methods the hand-written `Client` already has (every `impl Client` of the runtime, and the traits it derives
/// or implements); an operation cannot take one of these names. They are its public methods and the two
/// `execute`s, which `send` and `send_with_meta` call: the call pipeline's helpers are methods of the client's
/// shared state, not of `Client`.
/// `codegen/tests/it/contract.rs` checks the list against the runtime.
pub const CLIENT_METHODS: &[&str] = &[
    "base_url",
    "builder",
    "cached_tenant_token_bytes",
    "cached_tenant_tokens",
    "clone",
    "execute",
    "execute_with_meta",
    "fmt",
    "set_app_ticket",
];

/// Method names of every request builder, its own and the per-call options of
/// [`call_options`]; a parameter with one of these names gets a suffix.
pub const RESERVED_METHODS: &[&str] = &[
    "body",
    "clone",
    "header",
    "items",
    "pages",
    "request",
    "send",
    "send_with_meta",
    "tenant_access_token",
    "tenant_key",
    "timeout",
    "user_access_token",
    "validate",
];

/// Fields every request builder has besides its parameters; a parameter with one of these names gets a suffix.
pub const BUILDER_FIELDS: &[&str] = &["client", "options"];

/// Locals of the emitted methods that parameters' own locals (a path parameter's encoded segment) must not
/// shadow: the operation id of [`check_operation`]. A parameter with one of these names gets a suffix.
pub const RESERVED_LOCALS: &[&str] = &["operation"];

/// The `use` lines of `operations.rs`: the runtime items a request builder needs, `validate` when some
/// operation has a documented constraint, and `AppType` when some operation names its app types.
pub fn operation_imports(validate: bool, app_types: bool) -> TokenStream {
    let validate = validate.then(|| quote!(validate,));
    let app_type = app_types.then(|| quote!(AppType,));
    quote! {
        use crate::operation::{#app_type HttpMethod, OperationInfo, TokenType};
        use crate::options::CallOptions;
        use crate::rate_limit::Quota;
        use crate::{transport, #validate Client, Error};
    }
}

/// The builder fields of [`BUILDER_FIELDS`], with the client's type.
pub fn builder_fields() -> TokenStream {
    quote! {
        client: Client,
        options: CallOptions,
    }
}

/// The initial values of the builder fields of [`BUILDER_FIELDS`], in a `Client` method.
pub fn builder_field_inits() -> TokenStream {
    quote! {
        client: self.clone(),
        options: CallOptions::default(),
    }
}

/// The per-call options of a builder, and its `send` and `send_with_meta`, which send the request its
/// `request()` builds and decode `data` (the operation's data type): one invocation of the runtime's
/// `options::call_options!`.
pub fn call_options(builder: &proc_macro2::Ident, data: &proc_macro2::Ident) -> TokenStream {
    quote!(crate::options::call_options!(#builder, #data);)
}

/// The runtime's `Client`, as imported by [`operation_imports`].
pub fn client() -> TokenStream {
    quote!(Client)
}

/// The runtime's `Error`, as imported by [`operation_imports`].
pub fn error() -> TokenStream {
    quote!(Error)
}

/// The `OperationInfo` value of an operation: the runtime's one description of what it needs to know about an
/// operation, filled from the model's. `codegen/tests/it/contract.rs` checks that every field of the runtime's
/// `OperationInfo` is written here, and nothing else.
pub fn operation_info(op: &Operation) -> TokenStream {
    let id = &op.id;
    let path = &op.path;
    let idempotent = op.idempotent;
    let method = format_ident!(
        "{}",
        match op.method {
            Method::Get => "Get",
            Method::Post => "Post",
            Method::Put => "Put",
            Method::Patch => "Patch",
            Method::Delete => "Delete",
        }
    );
    let app_types = op.app_types.iter().map(|t| match t {
        AppType::Custom => format_ident!("Custom"),
        AppType::Store => format_ident!("Store"),
    });
    let window = |n: Option<u32>| match n {
        Some(n) => {
            let n = proc_macro2::Literal::u32_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let per_second = window(op.rate_limit.per_second);
    let per_minute = window(op.rate_limit.per_minute);
    let token_types = op.token_types.iter().map(|t| match t {
        TokenType::Tenant => format_ident!("Tenant"),
        TokenType::User => format_ident!("User"),
    });
    quote! {
        /// What the client knows of this operation: method, path, rate limits, retries, the apps and tokens it
        /// allows.
        pub const OPERATION: OperationInfo = OperationInfo {
            id: #id,
            method: HttpMethod::#method,
            path: #path,
            rate_limit: Quota { per_second: #per_second, per_minute: #per_minute },
            idempotent: #idempotent,
            app_types: &[#(AppType::#app_types),*],
            token_types: &[#(TokenType::#token_types),*],
        };
    }
}

/// A path parameter as one checked, percent-encoded path segment (the same check as `validate()`'s), with the
/// operation named by the local of [`check_operation`].
pub fn path_segment(wire: &str, value: TokenStream) -> TokenStream {
    quote!(validate::path_segment(operation, #wire, #value)?)
}

/// Adds the query parameter `wire` to `request` when `value` (an `Option<&T>`) holds one; a list is sent as the
/// parameter repeated, once per item.
pub fn query(wire: &str, value: TokenStream, list: bool) -> TokenStream {
    if list {
        quote!(request.query_each(#wire, #value);)
    } else {
        quote!(request.query(#wire, #value);)
    }
}

/// Adds a file part to `request`'s form: `value` is an `Upload`, `max_bytes` the documented limit.
pub fn form_file(wire: &str, value: TokenStream, max_bytes: Option<u64>) -> TokenStream {
    let max = match max_bytes {
        Some(n) => {
            let n = proc_macro2::Literal::u64_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    quote!(request.form_file(#wire, #value, #max);)
}

/// Adds a text part to `request`'s form, when `value` (an `Option<&T>`) has one.
pub fn form_text(wire: &str, value: TokenStream) -> TokenStream {
    quote!(request.form_text(#wire, #value);)
}

/// The runtime's file to upload, as the generated code names it.
pub fn upload() -> TokenStream {
    quote!(crate::Upload)
}

/// Sets the builder's body as the JSON body of `request`.
pub fn json_body() -> TokenStream {
    quote!(request.json(&self.body)?;)
}

/// The end of a builder's `request()`: the builder's client and the request, for the runtime's `send` and
/// `send_with_meta` (see [`call_options`]).
pub fn request_built() -> TokenStream {
    quote!(Ok((self.client, request)))
}

/// The runtime's request type, as imported by [`operation_imports`].
pub fn request_type() -> TokenStream {
    quote!(transport::Request)
}

/// A new request of the builder's operation to `path`, with the builder's per-call options.
pub fn new_request(path: TokenStream) -> TokenStream {
    quote!(transport::Request::new(&Self::OPERATION, #path, self.options))
}

/// The local the checks of [`check`] name the operation by, at the start of `validate()`.
pub fn check_operation() -> TokenStream {
    quote!(let operation = Self::OPERATION.id;)
}

/// The runtime's checks, functions of its `validate` module that [`check`] calls.
pub const CHECKS: &[&str] = &[
    "exclusive",
    "max_items",
    "max_length",
    "maximum",
    "min_items",
    "min_length",
    "minimum",
    "path_segment",
];

/// A call of one of the runtime's [`CHECKS`] (`validate::maximum`, ...) with the operation id (the local of
/// [`check_operation`]) first.
pub fn check(function: &str, arguments: TokenStream) -> TokenStream {
    debug_assert!(
        CHECKS.contains(&function),
        "`{function}` is not one of runtime::CHECKS"
    );
    let function = format_ident!("{function}");
    quote!(validate::#function(operation, #arguments)?;)
}

/// The page streams of a paginated builder: one invocation of the runtime's `pagination::paginated!`, which
/// writes the `Paginated` glue the runtime's streams drive and the builder's `pages()` and `items()`.
pub struct PageStreams {
    /// The builder type.
    pub builder: proc_macro2::Ident,
    /// The type of a page (the operation's `data`).
    pub page: proc_macro2::Ident,
    /// The type of one item.
    pub item: TokenStream,
    /// The page token parameter.
    pub page_token: proc_macro2::Ident,
    /// The `data` field of the next page token.
    pub next_token: proc_macro2::Ident,
    /// The `data` field of `has_more`.
    pub has_more: proc_macro2::Ident,
    /// The `data` field of the items.
    pub items: proc_macro2::Ident,
    /// The page size parameter and its documented maximum, which the streams ask for unless the caller chose
    /// a size.
    pub page_size: Option<(proc_macro2::Ident, i64)>,
}

impl PageStreams {
    /// The macro line.
    pub fn emit(&self) -> TokenStream {
        let PageStreams {
            builder,
            page,
            item,
            page_token,
            next_token,
            has_more,
            items,
            page_size,
        } = self;
        let size = page_size.as_ref().map(|(name, max)| {
            let max = proc_macro2::Literal::i64_unsuffixed(*max);
            quote!(, page_size: #name = #max)
        });
        quote! {
            crate::pagination::paginated!(
                #builder, #page, #item,
                page_token: #page_token,
                next_token: #next_token,
                has_more: #has_more,
                items: #items
                #size
            );
        }
    }
}

/// `Deserialize` and `Serialize` of a struct whose fields are all optional, by the runtime, field by field: each
/// field by its Rust name, and its wire name where the two differ.
pub fn object_fields<'a>(
    name: &proc_macro2::Ident,
    fields: impl Iterator<Item = (proc_macro2::Ident, Option<&'a str>)>,
) -> TokenStream {
    let fields = fields.map(|(field, wire)| match wire {
        Some(wire) => quote!(#field = #wire),
        None => quote!(#field),
    });
    quote!(crate::object::fields!(#name { #(#fields),* });)
}

/// The wire value of an open enum both ways (`as_str()` and `From<&str>` for a string enum, `value()` and
/// `From<i64>` for an integer one), `Display`, `Serialize` and `Deserialize`, from its variants and their wire
/// values.
pub fn open_enum_impls(
    name: &proc_macro2::Ident,
    string: bool,
    variants: &[proc_macro2::Ident],
    values: &[TokenStream],
) -> TokenStream {
    let repr = if string { quote!(str) } else { quote!(i64) };
    quote!(crate::open_enum::impls!(#name, #repr { #(#variants = #values),* });)
}

/// The glue from the runtime's `ApiError` to the generated `ErrorCode`. `cargo xtask check-fixtures` compiles
/// the code of every test fixture beside the crate's own (under `cfg(fixture_check)`), where only the crate's
/// own `ErrorCode` may have it.
pub fn error_code_glue() -> TokenStream {
    quote! {
        #[cfg(not(fixture_check))]
        impl crate::ApiError {
            /// The code as a documented [`ErrorCode`] (`ErrorCode::Unknown` for codes the doc pages do not list).
            pub fn error_code(&self) -> ErrorCode {
                ErrorCode::from(self.code)
            }
        }
    }
}

/// The runtime function that decodes a delivery's `event` object (a `serde_json::value::RawValue`) as one event's
/// type: called with the event type and the object, it gives the typed value or an [`event_decode_error`].
pub fn event_decode() -> TokenStream {
    quote!(crate::events::decode_event)
}

/// The runtime's error of an `event` object that does not have its event's documented shape.
pub fn event_decode_error() -> TokenStream {
    quote!(crate::events::EventDecodeError)
}

/// What links a received delivery to the generated `Event`: `Delivery::event`.
pub fn event_glue() -> TokenStream {
    quote! {
        #[cfg(not(fixture_check))]
        impl crate::events::Delivery {
            /// The delivery's `event` object, typed by its event type (see [`Event::decode`]).
            pub fn event(&self) -> Result<Event, crate::events::EventDecodeError> {
                Event::decode(self.header().event_type(), self.raw_event())
            }
        }
    }
}
