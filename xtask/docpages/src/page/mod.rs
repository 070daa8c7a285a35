//! A Feishu doc page, read into facts: the request table, the parameters, the body and response fields with
//! their nesting, the error codes, and the JSON examples.
//!
//! Pages come in three dialects, recognised by their content, and [`read_page`] reads each:
//! - Feishu's own Markdown, as served at a page's address with `.md` appended: `#` headings, tables without
//!   leading pipes whose request table starts `基本 | &nbsp;`, `<br>` for a line break inside a cell, facts
//!   after it (`**示例值**：…`, `**可选值有**：<br>- 1：…`), flat response rows, fenced JSON examples; some copies
//!   start with `# title`, `> Source: <page URL>` and `---`;
//! - Markdown with front matter, `#` headings, tables without leading pipes, and facts on continuation lines
//!   (`**示例值**：…`, `**可选值有**：` and one `- value：label` line per value, ...);
//! - one line per table row, with leading pipes, bare section names as headings, facts inline
//!   (`示例值:…`, `- 1: label - 2: label`), `└` before nested response rows, and examples without code fences.
//!
//! Response tables do not say which object a row belongs to (or say only that it is nested); the nesting is
//! recovered from the JSON example, and a row whose parent cannot be decided is reported as
//! ambiguous instead of being placed silently.

mod cell;
mod nesting;
pub mod ordered;
mod read;

pub use nesting::Ambiguity;
pub use read::{read_doc, read_page};

use ordered::Json;
use std::fmt;

/// A page that cannot be read: the file, the line, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// The page file, as given.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for PageError {}

/// A value and the line of the page it is on.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its line, from 1.
    pub line: usize,
}

/// Everything the audit and the draft use of one page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page file, as given.
    pub file: String,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    /// The title: the front matter's, the first `# ` heading, or the first line.
    pub title: String,
    /// The page's own address (front matter `source_url`, or a `> Source:` line), where it has one.
    pub source_url: Option<String>,
    /// The front matter's `last_remote_update`, where it has one.
    pub last_remote_update: Option<String>,
    /// `GET`, `POST`, ...
    pub method: Located<String>,
    /// The path, with `{name}` for path parameters (the page writes `:name`).
    pub path: Located<String>,
    /// The documented rate limits: per second, per minute, or both.
    pub rate_limit: Option<Located<codegen::model::RateLimit>>,
    /// `custom` and `store`, as far as the page allows them.
    pub app_types: Located<Vec<String>>,
    /// The access tokens it takes, from its `Authorization` header row: `tenant`, `user`, or both; empty when
    /// the page has no such row.
    pub token_types: Located<Vec<String>>,
    /// Scopes, any one of which allows the call.
    pub scopes: Located<Vec<String>>,
    /// Scopes that unlock some response fields.
    pub field_scopes: Located<Vec<String>>,
    /// Path, query and header parameters, in page order.
    pub params: Vec<Param>,
    /// The request body's fields, nested.
    pub body: Vec<Field>,
    /// The response body's fields, nested: `code`, `msg`, `data` and what is in it.
    pub response: Vec<Field>,
    /// The error-code table.
    pub errors: Vec<ErrorRow>,
    /// The request body example.
    pub request_example: Option<Located<Json>>,
    /// The response body example.
    pub response_example: Option<Located<Json>>,
    /// Rows whose parent could not be decided.
    pub ambiguities: Vec<Ambiguity>,
    /// Where the page contradicts itself and was read around (an example that is not valid JSON).
    pub problems: Vec<Located<String>>,
    /// Examples that were not valid JSON only for what could be repaired (trailing commas, comments, `[-]`),
    /// read after the repair: what was wrong, and what was removed.
    pub repairs: Vec<Located<String>>,
}

impl Page {
    /// The response's `data` fields.
    pub fn data_fields(&self) -> &[Field] {
        self.response
            .iter()
            .find(|f| f.name == "data")
            .map(|f| f.children.as_slice())
            .unwrap_or(&[])
    }
}

/// A page of the reference: an operation's, or an event's.
#[derive(Debug, Clone)]
pub enum Doc {
    /// An API reference page: a request table with `HTTP URL` and `HTTP Method`.
    Operation(Box<Page>),
    /// An event page: an event table with `事件类型`.
    Event(Box<EventPage>),
}

impl Doc {
    /// The page file, as given.
    pub fn file(&self) -> &str {
        match self {
            Doc::Operation(page) => &page.file,
            Doc::Event(page) => &page.file,
        }
    }
}

/// Everything the audit and the draft use of one event page.
#[derive(Debug, Clone)]
pub struct EventPage {
    /// The page file, as given.
    pub file: String,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    /// The title.
    pub title: String,
    /// The page's own address, where it has one.
    pub source_url: Option<String>,
    /// The front matter's `last_remote_update`, where it has one.
    pub last_remote_update: Option<String>,
    /// The event type (`hire.application.stage_changed_v1`).
    pub event_type: Located<String>,
    /// `custom` and `store`, as far as the page allows them.
    pub app_types: Located<Vec<String>>,
    /// Scopes, any one of which allows the subscription.
    pub scopes: Located<Vec<String>>,
    /// The delivery's rows, nested: `schema`, `header` and what is in it, `event` and what is in it.
    pub delivery: Vec<Field>,
    /// The delivery's example.
    pub example: Option<Located<Json>>,
    /// Rows whose parent could not be decided.
    pub ambiguities: Vec<Ambiguity>,
    /// Where the page contradicts itself and was read around.
    pub problems: Vec<Located<String>>,
    /// Examples read after a repair: what was wrong, and what was removed.
    pub repairs: Vec<Located<String>>,
}

impl EventPage {
    /// The rows of the delivery's `header`.
    pub fn header_fields(&self) -> &[Field] {
        self.child("header")
    }

    /// The rows of the delivery's `event`: the event's own fields.
    pub fn event_fields(&self) -> &[Field] {
        self.child("event")
    }

    /// The example's `event` object.
    pub fn event_example(&self) -> Option<&Json> {
        self.example.as_ref().and_then(|e| e.value.get("event"))
    }

    fn child(&self, name: &str) -> &[Field] {
        self.delivery
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.children.as_slice())
            .unwrap_or(&[])
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    /// A header.
    Header,
    /// A path segment.
    Path,
    /// The query string.
    Query,
}

impl ParamIn {
    /// `header`, `path` or `query`, as OpenAPI names it.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamIn::Header => "header",
            ParamIn::Path => "path",
            ParamIn::Query => "query",
        }
    }
}

/// A parameter row.
#[derive(Debug, Clone)]
pub struct Param {
    /// Where it goes.
    pub location: ParamIn,
    /// Its name.
    pub name: String,
    /// Its type as the page writes it.
    pub ty: PageType,
    /// Whether the page says `是` (path parameters always are).
    pub required: bool,
    /// Label, example, default, enum values and limits.
    pub facts: Facts,
    /// The row's line.
    pub line: usize,
}

/// A body or response row, with the rows nested in it.
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type as the page writes it.
    pub ty: PageType,
    /// Whether the page says it is required (request bodies only).
    pub required: Option<bool>,
    /// Label, example, default, enum values and limits.
    pub facts: Facts,
    /// The row's line.
    pub line: usize,
    /// The rows nested in it.
    pub children: Vec<Field>,
}

/// A type as a page writes it: `int`, `string`, `boolean`, `job_processes[]`, `i18n`, `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageType {
    /// The type without `[]`.
    pub base: String,
    /// Whether it ends in `[]`.
    pub array: bool,
}

impl PageType {
    /// Reads a type cell.
    pub fn parse(text: &str) -> Self {
        let text = text.trim().replace('\\', "");
        match text.strip_suffix("[]") {
            Some(base) => PageType {
                base: base.trim().to_owned(),
                array: true,
            },
            None => PageType {
                base: text,
                array: false,
            },
        }
    }

    /// The JSON type of one value (of one element, for an array): `integer`, `number`, `string`, `boolean`
    /// or `object`.
    pub fn json_type(&self) -> &'static str {
        // `number(float)`: the type, then its width or kind.
        let base = self.base.split('(').next().unwrap_or_default().trim();
        match base {
            "int" | "int32" | "int64" | "integer" | "long" => "integer",
            "float" | "double" | "number" => "number",
            "string" => "string",
            "boolean" | "bool" => "boolean",
            _ => "object",
        }
    }

    /// Whether rows can nest in it.
    pub fn is_object(&self) -> bool {
        self.json_type() == "object"
    }
}

impl fmt::Display for PageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, if self.array { "[]" } else { "" })
    }
}

/// What a description cell says besides its label.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The text before the first fact: the page's label of the field.
    pub label: String,
    /// `示例值`, without quotes.
    pub example: Option<String>,
    /// `默认值`, without quotes or backticks.
    pub default: Option<String>,
    /// `固定值`.
    pub fixed: Option<String>,
    /// `可选值有`: each value and its label.
    pub enum_values: Vec<EnumValue>,
    /// `最大值`.
    pub maximum: Option<f64>,
    /// `最小值`.
    pub minimum: Option<f64>,
    /// The longest length (`长度范围` or `最大长度`).
    pub max_length: Option<u64>,
    /// The shortest length (`长度范围` or `最小长度`).
    pub min_length: Option<u64>,
    /// Whether the page says the integer is an int64 (`字段类型为:int64`).
    pub int64: bool,
    /// A size limit in the label, in bytes (`最大 300 MB`, MB being 1024 × 1024 bytes): a file's.
    pub max_bytes: Option<u64>,
}

/// One value of an enum and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// The value as written (`1`, `open_id`).
    pub value: String,
    /// The page's label for it.
    pub label: String,
}

/// A row of the error-code table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    /// HTTP status.
    pub http_status: u16,
    /// Feishu's code.
    pub code: i64,
    /// The page's description.
    pub description: String,
    /// The row's line.
    pub line: usize,
}
