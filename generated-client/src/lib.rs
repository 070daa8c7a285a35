//! A typed, async client for the Feishu (Lark) Hire Open API.
//!
//! The types, enums and request builders are generated from `spec/hire_v1.yaml` into `src/generated/`; the
//! runtime beside them is written by hand: [`Client`] and its builder ([`client`]), sending and decoding
//! ([`transport`]), reading bounded answers ([`response`]), access tokens for custom and store apps
//! ([`auth`]), per-call options ([`options`]), retries ([`retry`]), client-side rate limits ([`rate_limit`]),
//! page streams ([`pagination`]) and errors ([`error`]).
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
pub mod client;
pub mod error;
pub(crate) mod object;
pub(crate) mod open_enum;
pub mod operation;
pub mod options;
pub mod pagination;
pub mod rate_limit;
pub(crate) mod redact;
pub mod response;
pub mod retry;
pub mod transport;
pub(crate) mod validate;

#[rustfmt::skip]
mod generated;

pub use auth::{AppTicketStore, MemoryTicketStore};
pub use client::{Client, ClientBuilder, FEISHU_BASE_URL, LARK_BASE_URL};
pub use error::{ApiError, Error, TokenKind};
pub use generated::enums::*;
pub use generated::error_codes::*;
pub use generated::operations::*;
pub use generated::types::*;
pub use operation::AppType;
pub use rate_limit::{RateLimit, RateLimiter, WindowLimiter};
pub use retry::RetryPolicy;

// The code generated for the codegen test fixtures, compiled against this runtime by
// `cargo xtask check-fixtures`; absent from every other build.
#[cfg(fixture_check)]
include!(env!("FIXTURE_CHECK_MODULES"));

/// The README's usage example, compiled as a doctest.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
