//! A typed, async client for the Feishu (Lark) Hire Open API.
//!
//! - [`Client`] and its [`ClientBuilder`]: the base URL, authentication (a token of your own, a custom app, a
//!   store app), timeouts, retries and rate limits.
//! - One method per operation, each returning a request builder: [`Client::get_job_detail`],
//!   [`Client::list_job_processes`], ... Required parameters are arguments, optional ones builder methods, and
//!   `send()` returns the typed `data`. Paginated operations also give [`Pages`] and [`Items`] streams.
//! - The types and enums of the spec ([`JobDetail`], [`JobUserIdType`], ...), and [`ErrorCode`].
//! - One [`Error`] for everything that can go wrong, with [`ApiError`] for Feishu's non-zero codes.
//! - [`events`]: the receiver of Feishu's event deliveries (signature, decryption, duplicates, app tickets), and
//!   [`Event`], the Hire events typed.
//!
//! The types, enums and request builders are generated from `spec/hire_v1.yaml` into `src/generated/`; the
//! runtime beside them is written by hand. Besides the crate root, [`auth`] (ticket stores for store apps),
//! [`rate_limit`] (a limiter of one's own), [`retry`], [`error`], [`events`] and [`platform`] (Feishu's
//! platform-wide error codes) are public.
//!
//! ```no_run
//! use generated_client::{Client, JobUserIdType};
//!
//! # async fn run() -> Result<(), generated_client::Error> {
//! let client = Client::builder().app_credentials("cli_a1b2c3", "app-secret").build()?;
//! let settings = client.get_job_config("6001").user_id_type(JobUserIdType::OpenId).send().await?;
//! println!("{:?}", settings.job_config.and_then(|config| config.id));
//! # Ok(())
//! # }
//! ```

pub mod auth;
mod client;
pub mod error;
pub mod events;
mod lenient;
mod object;
mod open_enum;
mod operation;
mod options;
mod pagination;
pub mod platform;
pub mod rate_limit;
mod redact;
mod response;
pub mod retry;
#[cfg(feature = "redis")]
pub mod shared;
mod transport;
mod upload;
mod validate;

#[rustfmt::skip]
mod generated;

pub use auth::{AppTicketStore, MemoryTicketStore};
pub use client::{Client, ClientBuilder, FEISHU_BASE_URL, LARK_BASE_URL};
pub use error::{ApiError, Error, TokenKind};
pub use generated::enums::*;
pub use generated::error_codes::*;
pub use generated::events::Event;
pub use generated::operations::*;
pub use generated::types::*;
pub use lenient::MAX_WARNED_PATHS;
pub use operation::AppType;
pub use operation::{HttpMethod, OperationInfo, TokenType};
pub use options::RESERVED_HEADERS;
pub use pagination::{
    Items, PageFuture, Pages, Paginated, PaginationProblem, MAX_EMPTY_PAGES, MAX_PAGE_TOKEN_LEN,
};
pub use platform::{PlatformCategory, PlatformCode};
pub use rate_limit::{LimiterError, Quota, RateLimit, RateLimiter, WindowLimiter};
pub use response::{Response, DEFAULT_MAX_RESPONSE_BYTES, LOG_ID_HEADER};
pub use retry::RetryPolicy;
pub use transport::decode_answer;
pub use upload::Upload;

// The code generated for the codegen test fixtures, compiled against this runtime by
// `cargo xtask check-fixtures`; absent from every other build.
#[cfg(fixture_check)]
include!(env!("FIXTURE_CHECK_MODULES"));

/// The README's usage example, compiled as a doctest.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
