//! The generator's own model of the API: plain data, every name already chosen, nothing left to look up.
//! Lowering builds it from the spec; emitting reads it, and so does the doc audit, which also compares the
//! facts the client does not need (examples, defaults, doc deviations). No syntax-tree types live here.

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
    /// The events Feishu delivers (`x-events`), sorted by event type.
    pub events: Vec<Event>,
}

/// An event Feishu delivers to a subscribed app (`x-events`).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event type as deliveries name it (`hire.application.stage_changed_v1`).
    pub event_type: String,
    /// JSON pointer of the event in the spec.
    pub pointer: String,
    /// Rust name of its variant of the events enum (`ApplicationStageChanged`).
    pub variant: String,
    /// Rust name of the struct the delivery's `event` object decodes into.
    pub data: String,
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description.
    pub doc: Option<String>,
    /// Link to the doc page.
    pub doc_url: Option<String>,
    /// Scopes, any one of which allows the subscription.
    pub scopes: Vec<String>,
    /// The kinds of app the doc page allows to subscribe.
    pub app_types: Vec<AppType>,
    /// The documented example of the delivery's `event` object.
    pub example: Option<serde_json::Value>,
    /// Where the spec knowingly departs from the event's doc page (`x-doc-deviations`).
    pub doc_deviations: Vec<DocDeviation>,
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
    /// Whether every field has a default, so the struct derives `Default` (and a request body of this type is
    /// built up by setters rather than passed whole).
    pub derive_default: bool,
    /// Whether every field is optional, so the struct is read and written field by field by the runtime
    /// (`object::fields!`) instead of serde's derives, whose code costs several times as much to compile.
    pub read_by_fields: bool,
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
    /// The server's default, as text.
    pub default: Option<String>,
    /// The documented example of the value.
    pub example: Option<serde_json::Value>,
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
    /// `minItems` of a list.
    pub min_items: Option<u64>,
    /// `maxItems` of a list.
    pub max_items: Option<u64>,
}

impl Rules {
    /// These rules, with each limit they do not set taken from `other`.
    pub fn or(self, other: Rules) -> Rules {
        Rules {
            minimum: self.minimum.or(other.minimum),
            maximum: self.maximum.or(other.maximum),
            min_length: self.min_length.or(other.min_length),
            max_length: self.max_length.or(other.max_length),
            min_items: self.min_items.or(other.min_items),
            max_items: self.max_items.or(other.max_items),
        }
    }
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
    /// The value on the wire.
    pub value: WireValue,
    /// Description (`x-enum-descriptions`).
    pub doc: Option<String>,
}

/// A listed value of an enum as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireValue {
    /// A JSON integer.
    Integer(i64),
    /// A JSON string.
    String(String),
}

impl std::fmt::Display for WireValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireValue::Integer(n) => write!(f, "{n}"),
            WireValue::String(s) => f.write_str(s),
        }
    }
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

impl Method {
    /// `GET`, `POST`, ...: the method as HTTP and the doc pages write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The documented rate limits of an operation (`x-rate-limit`): requests per second and per minute, for one app.
/// Either may be absent; a page may give both (`1000 次/分钟、50 次/秒`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// Requests per second.
    pub per_second: Option<u32>,
    /// Requests per minute.
    pub per_minute: Option<u32>,
}

impl RateLimit {
    /// Whether any limit is documented.
    pub fn is_limited(&self) -> bool {
        self.per_second.is_some() || self.per_minute.is_some()
    }
}

/// A kind of access token an operation takes (`x-token-types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenType {
    /// A tenant access token (`t-...`): the app acts for the tenant.
    Tenant,
    /// A user access token (`u-...`): the app acts for a signed-in user.
    User,
}

impl TokenType {
    /// `tenant` or `user`, as the spec writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Tenant => "tenant",
            TokenType::User => "user",
        }
    }
}

/// A kind of Feishu app that may call an operation (`x-app-types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    /// A custom (self-built) app (自建应用), which serves its own tenant.
    Custom,
    /// A store app (商店应用), which serves every tenant that installs it.
    Store,
}

impl AppType {
    /// `custom` or `store`, as the spec writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            AppType::Custom => "custom",
            AppType::Store => "store",
        }
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
}

impl ParamLocation {
    /// `path` or `query`, as OpenAPI names it.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
        }
    }
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
    /// The documented example of the value.
    pub example: Option<serde_json::Value>,
}

/// A part of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text, sent as is.
    Literal(String),
    /// A path parameter; checked to be one segment and percent-encoded when sent.
    Param {
        /// Its Rust name.
        name: String,
        /// Its wire name, which a refusal names.
        wire: String,
        /// Whether it is a `String`; other types are formatted with `Display` first.
        is_string: bool,
    },
}

/// The JSON body of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Rust name of the body struct.
    pub ty: String,
    /// Description.
    pub doc: Option<String>,
    /// Whether the body is an argument of the `Client` method (its struct has no default); otherwise it starts
    /// from its default and the setters fill it.
    pub passed_whole: bool,
    /// One builder method per optional field of the body struct.
    pub setters: Vec<BodySetter>,
}

/// A `multipart/form-data` request body: its fields are the builder's own, required ones arguments of the
/// `Client` method.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// Description.
    pub doc: Option<String>,
    /// The parts, in the spec's order.
    pub fields: Vec<FormField>,
}

/// One part of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    /// Rust name of the builder field and method.
    pub name: String,
    /// Name of the part.
    pub wire: String,
    /// Whether the part must be sent.
    pub required: bool,
    /// Description.
    pub doc: Option<String>,
    /// A file, or a value sent as text.
    pub kind: FormKind,
}

/// What a form part holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    /// A file (`type: string, format: binary`), at most `max_bytes` long (`maxLength`).
    File {
        /// The documented size limit in bytes.
        max_bytes: Option<u64>,
    },
    /// A scalar or an enum, sent as its text.
    Text(Type),
}

/// A builder method that sets one field of the request body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodySetter {
    /// The method's Rust name (the field's, unless a parameter has it).
    pub method: String,
    /// The field it sets.
    pub field: Field,
}

/// A documented constraint, checked before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// A path parameter must not be empty or `.`/`..`, which would change the path.
    PathSegment {
        /// The parameter.
        value: Checked,
    },
    /// An integer at least this large.
    Minimum {
        /// The value.
        value: Checked,
        /// The minimum.
        min: i64,
    },
    /// An integer at most this large.
    Maximum {
        /// The value.
        value: Checked,
        /// The maximum.
        max: i64,
    },
    /// A string of at least this many characters.
    MinLength {
        /// The value.
        value: Checked,
        /// The minimum length.
        min: u64,
    },
    /// A string of at most this many characters.
    MaxLength {
        /// The value.
        value: Checked,
        /// The maximum length.
        max: u64,
    },
    /// A list of at least this many items.
    MinItems {
        /// The value.
        value: Checked,
        /// The minimum count.
        min: u64,
    },
    /// A list of at most this many items.
    MaxItems {
        /// The value.
        value: Checked,
        /// The maximum count.
        max: u64,
    },
    /// At most one of these body fields may be set.
    Exclusive {
        /// The fields.
        fields: Vec<Checked>,
    },
}

impl Check {
    /// The values the check reads.
    pub fn values(&self) -> &[Checked] {
        match self {
            Check::PathSegment { value }
            | Check::Minimum { value, .. }
            | Check::Maximum { value, .. }
            | Check::MinLength { value, .. }
            | Check::MaxLength { value, .. }
            | Check::MinItems { value, .. }
            | Check::MaxItems { value, .. } => std::slice::from_ref(value),
            Check::Exclusive { fields } => fields,
        }
    }
}

/// A value a check reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Its wire name, for the error.
    pub wire: String,
    /// Its Rust name.
    pub name: String,
    /// A parameter of the builder, or a field of the body.
    pub in_body: bool,
    /// Whether it is held as a plain value rather than an `Option`.
    pub required: bool,
}

/// How an operation's pages are walked (`x-pagination`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Rust name of the page-token query parameter.
    pub token_param: String,
    /// The page-size query parameter.
    pub size: Option<PageSize>,
    /// Rust name of the next-page token field of `data`.
    pub token_field: String,
    /// Rust name of the `has_more` field of `data`.
    pub has_more_field: String,
    /// Rust name of the items field of `data`.
    pub items_field: String,
    /// Type of one item.
    pub item: Type,
}

/// The page-size parameter of a paginated operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSize {
    /// Its Rust name.
    pub param: String,
    /// The documented maximum, which the page streams ask for unless the caller chose a size.
    pub maximum: Option<i64>,
}

/// A documented error code, across the operations that document it.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCode {
    /// The numeric `code`.
    pub code: i64,
    /// Rust variant name.
    pub name: String,
    /// Meaning, per operation that documents it.
    pub uses: Vec<ErrorUse>,
}

/// What an error code means for one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorUse {
    /// The operation id.
    pub operation: String,
    /// HTTP status.
    pub http_status: u16,
    /// Meaning.
    pub description: String,
}

/// An error code as one operation documents it.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationError {
    /// HTTP status.
    pub http_status: u16,
    /// The numeric `code`.
    pub code: i64,
    /// Rust variant name in `ErrorCode`.
    pub name: String,
    /// Meaning.
    pub description: String,
}

/// One endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// JSON pointer of the operation in the spec, for errors found after it was lowered.
    pub pointer: String,
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
    /// A `multipart/form-data` request body (a file upload), instead of a JSON one.
    pub form: Option<Form>,
    /// Rust name of the struct the envelope's `data` decodes into.
    pub data: String,
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description.
    pub doc: Option<String>,
    /// Link to the doc page.
    pub doc_url: Option<String>,
    /// Requests per second (`x-rate-limit`).
    pub rate_limit: RateLimit,
    /// Scopes, any one of which allows the call.
    pub scopes: Vec<String>,
    /// Scopes that unlock some response fields.
    pub field_scopes: Vec<String>,
    /// The kinds of app the doc page allows to call it.
    pub app_types: Vec<AppType>,
    /// The access tokens it takes (`x-token-types`; a tenant access token when the spec does not say).
    pub token_types: Vec<TokenType>,
    /// Whether repeating the call is safe (`x-idempotent`).
    pub idempotent: bool,
    /// Documented error codes.
    pub errors: Vec<OperationError>,
    /// The documented constraints, checked before sending: parameters in order, then the body's.
    pub checks: Vec<Check>,
    /// Pagination, for paginated operations.
    pub pagination: Option<Pagination>,
    /// The deprecation note naming the replacement, when the docs say the endpoint is being replaced.
    pub deprecated: Option<String>,
    /// The documented examples of the request body and of the whole 2xx answer.
    pub examples: Examples,
    /// Where the spec knowingly departs from the operation's doc page (`x-doc-deviations`).
    pub doc_deviations: Vec<DocDeviation>,
}

/// The documented examples of an operation, as the spec gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Examples {
    /// The JSON request body.
    pub body: Option<serde_json::Value>,
    /// The whole 2xx answer, envelope included.
    pub answer: Option<serde_json::Value>,
}

/// A deliberate departure of the spec from its doc page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocDeviation {
    /// The path `cargo xtask docs audit` reports for the difference.
    pub at: String,
    /// Why the spec departs from the page.
    pub reason: String,
}
