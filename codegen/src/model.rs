//! The generator's own model of the API: plain data, every name already chosen, nothing left to look up.
//! Lowering builds it from the spec; emitting reads it. No syntax-tree types live here.

/// Everything the generator emits, in a fixed order.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// The spec's title.
    pub title: String,
    /// Object types, sorted by Rust name.
    pub structs: Vec<Struct>,
    /// Enums, sorted by Rust name.
    pub enums: Vec<Enum>,
    /// Operations, sorted by operation id.
    pub operations: Vec<Operation>,
    /// Every documented error code across operations, sorted by code.
    pub error_codes: Vec<ErrorCode>,
}

/// The type of a field, parameter or list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// Free-form JSON (`serde_json::Value`).
    Json,
    /// A generated struct, by Rust name.
    Struct(String),
    /// A generated enum, by Rust name.
    Enum(String),
    /// `Vec` of the inner type.
    List(Box<Type>),
}

/// An object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// Rust name.
    pub name: String,
    /// Description.
    pub doc: Option<String>,
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// Groups of fields (Rust names) of which at most one may be set (`x-mutually-exclusive`).
    pub exclusive: Vec<Vec<String>>,
}

/// A property of an object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust name (may be a raw identifier such as `r#type`).
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Type.
    pub ty: Type,
    /// Whether the spec lists it as required.
    pub required: bool,
    /// Description.
    pub doc: Option<String>,
    /// Checks applied before a request carrying this field is sent.
    pub rules: Rules,
    /// Whether the field is boxed because its struct contains itself through it (a recursive schema).
    pub boxed: bool,
    /// The deprecation note naming the replacement, when the docs say the field is being replaced.
    pub deprecated: Option<String>,
}

/// Documented limits of a value, checked before sending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// `minimum` of a number.
    pub minimum: Option<i64>,
    /// `maximum` of a number.
    pub maximum: Option<i64>,
    /// `minLength` of a string.
    pub min_length: Option<u64>,
    /// `maxLength` of a string.
    pub max_length: Option<u64>,
    /// `maxItems` of a list.
    pub max_items: Option<u64>,
}

/// How an enum travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    /// A JSON string.
    String,
    /// A JSON integer.
    Integer,
}

/// An enum schema. Generated enums are open: values the spec does not list are kept in `Unknown`.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    /// Rust name.
    pub name: String,
    /// Description.
    pub doc: Option<String>,
    /// String or integer.
    pub repr: EnumRepr,
    /// Listed values, in spec order.
    pub variants: Vec<Variant>,
}

/// One listed value of an enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust name.
    pub name: String,
    /// The value on the wire (an integer is kept as its decimal text).
    pub wire: String,
    /// Description (`x-enum-descriptions`).
    pub doc: Option<String>,
}

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
}

/// A path or query parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Rust name of the builder method and field.
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Path or query.
    pub location: ParamLocation,
    /// Type (a scalar or an enum).
    pub ty: Type,
    /// Required parameters are arguments of the method that starts the request.
    pub required: bool,
    /// Description.
    pub doc: Option<String>,
    /// The server's default, as text, for the docs.
    pub default: Option<String>,
    /// Checks applied before sending.
    pub rules: Rules,
}

/// A part of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text, sent as is.
    Literal(String),
    /// A path parameter, by Rust name; percent-encoded when sent.
    Param(String),
}

/// The JSON body of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Rust name of the body struct.
    pub ty: String,
    /// Description.
    pub doc: Option<String>,
    /// One builder method per optional field of the body struct: (method name, field name).
    pub setters: Vec<(String, String)>,
}

/// How an operation's pages are walked (`x-pagination`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Rust name of the page-token query parameter.
    pub token_param: String,
    /// Rust name of the page-size query parameter, and its documented maximum.
    pub size_param: Option<(String, Option<i64>)>,
    /// Rust name of the next-page token field of `data`.
    pub token_field: String,
    /// Rust name of the `has_more` field of `data`.
    pub has_more_field: String,
    /// Rust name of the items field of `data`.
    pub items_field: String,
    /// Type of one item.
    pub item: Type,
}

/// A documented error code.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCode {
    /// The numeric `code`.
    pub code: i64,
    /// Rust variant name.
    pub name: String,
    /// Meaning, per operation that documents it: (operation id, HTTP status, description).
    pub uses: Vec<(String, u16, String)>,
}

/// One endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// Rust name of the `Client` method.
    pub fn_name: String,
    /// Rust name of the request builder type.
    pub builder: String,
    /// HTTP method.
    pub method: Method,
    /// Path template as written in the spec.
    pub path: String,
    /// Path template split into literal text and parameters.
    pub segments: Vec<Segment>,
    /// Parameters: required ones first (in spec order), then optional ones.
    pub params: Vec<Param>,
    /// JSON request body.
    pub body: Option<Body>,
    /// Rust name of the struct the envelope's `data` decodes into.
    pub data: String,
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description.
    pub doc: Option<String>,
    /// Link to the doc page.
    pub doc_url: Option<String>,
    /// Requests per second (`x-rate-limit`).
    pub rate_limit: Option<u32>,
    /// Scopes, any one of which allows the call.
    pub scopes: Vec<String>,
    /// Scopes that unlock some response fields.
    pub field_scopes: Vec<String>,
    /// Whether repeating the call is safe (`x-idempotent`).
    pub idempotent: bool,
    /// Documented error codes: (HTTP status, code, variant name, description).
    pub errors: Vec<(u16, i64, String, String)>,
    /// Pagination, for paginated operations.
    pub pagination: Option<Pagination>,
    /// The deprecation note naming the replacement, when the docs say the endpoint is being replaced.
    pub deprecated: Option<String>,
}
