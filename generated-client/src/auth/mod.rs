//! Access tokens, for each way a client authenticates:
//!
//! - a tenant access token the caller manages ([`ClientBuilder::tenant_access_token`]);
//! - a custom app ([`ClientBuilder::app_credentials`]): one tenant token, fetched from the app id and secret;
//! - a store app ([`ClientBuilder::store_app`]): an app access token, fetched with the app ticket Feishu pushes
//!   (kept in an [`AppTicketStore`]), and from it one tenant token per tenant key, in a cache of bounded size.
//!
//! Each cached token is fetched by a single request however many calls wait for it, in a task of its own that
//! outlives a caller who gives up, and renewed shortly before it expires. A failure that may pass is retried
//! with the client's retry policy and not remembered; a definite one (a wrong secret, a rejected ticket) is
//! remembered for [`TOKEN_FAILURE_BACKOFF`], so a misconfigured client does not ask once per call. Token
//! requests follow no redirect. No secret shows in `Debug`, errors or logs.
//!
//! [`ClientBuilder::tenant_access_token`]: crate::ClientBuilder::tenant_access_token
//! [`ClientBuilder::app_credentials`]: crate::ClientBuilder::app_credentials
//! [`ClientBuilder::store_app`]: crate::ClientBuilder::store_app

mod answer;
mod cell;
mod custom_app;
mod store_app;
mod tenants;
mod ticket;

pub(crate) use answer::TokenEndpoint;
pub use answer::{decode_tenant_token, TenantToken, MAX_TOKEN_LIFETIME_SECS};
pub(crate) use custom_app::CustomApp;
pub(crate) use store_app::StoreApp;
pub use store_app::APP_TICKET_INVALID_CODE;
pub use ticket::{AppTicketStore, MemoryTicketStore, TicketFuture, TicketStoreError};

use crate::operation::AppType;
use std::fmt;
use std::time::Duration;

/// The path of Feishu's "tenant access token for a custom app" endpoint.
pub const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
/// The path of Feishu's "app access token for a store app" endpoint.
pub const APP_TOKEN_PATH: &str = "/open-apis/auth/v3/app_access_token";
/// The path of Feishu's "tenant access token for a store app" endpoint.
pub const STORE_TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token";
/// The path of Feishu's "push the app ticket again" endpoint.
pub const APP_TICKET_RESEND_PATH: &str = "/open-apis/auth/v3/app_ticket/resend";

/// How long a definite failure of a token request (one that retrying would not fix) is remembered: calls in
/// that time get its error instead of asking again.
pub const TOKEN_FAILURE_BACKOFF: Duration = Duration::from_secs(1);

/// How many tenants' tokens a store app client keeps by default
/// ([`ClientBuilder::tenant_token_capacity`](crate::ClientBuilder::tenant_token_capacity)).
pub const DEFAULT_TENANT_TOKEN_CAPACITY: usize = 10_000;

/// How many bytes a store app client's tenant tokens may take by default
/// ([`ClientBuilder::tenant_token_cache_bytes`](crate::ClientBuilder::tenant_token_cache_bytes)): 8 MiB. Each
/// tenant counts its key, its token and [`TENANT_ENTRY_OVERHEAD_BYTES`]; 10,000 tenants with keys of
/// [`MAX_TENANT_KEY_CHARS`] and tokens of Feishu's usual length (about 40 characters) take about 4 MiB, so with
/// the defaults this bound is reached only by unusually long tokens.
pub const DEFAULT_TENANT_TOKEN_CACHE_BYTES: usize = 8 * 1024 * 1024;

/// What one tenant of the token cache counts for besides its key and its token: an estimate of the cache's own
/// bookkeeping, in bytes.
pub const TENANT_ENTRY_OVERHEAD_BYTES: usize = 256;

/// The longest tenant key a store app's call may name
/// ([`tenant_key`](crate::GetJobDetailRequest::tenant_key) on a request builder). Feishu's tenant keys are short hex
/// strings (16 to 32 characters); a key must be printable ASCII without spaces, and a longer one is refused with
/// [`Error::InvalidRequest`](crate::Error::InvalidRequest) before anything is sent.
pub const MAX_TENANT_KEY_CHARS: usize = 128;

/// The longest token, app id, app secret or app ticket the client sends. Each must be printable ASCII without
/// spaces (a token goes into the `Authorization` header); Feishu's are about 40 characters long. One given to the
/// builder that is not is refused by `build()` with [`Error::Config`](crate::Error::Config); one given to a call
/// or to [`Client::set_app_ticket`](crate::Client::set_app_ticket) with
/// [`Error::InvalidRequest`](crate::Error::InvalidRequest); one a token endpoint issues is an
/// [`Error::Token`](crate::Error::Token), and never cached.
pub const MAX_CREDENTIAL_CHARS: usize = 4096;

/// A string that never shows in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the client authenticates.
#[derive(Debug)]
pub(crate) enum Auth {
    /// A token the caller manages.
    Fixed(Secret),
    /// A custom app; the client fetches and caches its tenant token.
    Custom(CustomApp),
    /// A store app; the client fetches and caches its app token and a tenant token per tenant.
    Store(StoreApp),
}

impl Auth {
    /// The kind of app the client calls as, when it knows it.
    pub(crate) fn app_type(&self) -> Option<AppType> {
        match self {
            Auth::Fixed(_) => None,
            Auth::Custom(_) => Some(AppType::Custom),
            Auth::Store(_) => Some(AppType::Store),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("t-very-secret");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
    }
}
