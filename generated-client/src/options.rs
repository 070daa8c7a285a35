//! Options of one call, set on any request builder: the tenant it is for (store apps), a tenant or user access
//! token for this call only, extra headers and a deadline.

use crate::auth::Secret;
use crate::redact::quoted;
use crate::Error;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::time::Duration;

/// Headers the client sets itself, which the request builders' `header` method cannot replace.
pub const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
];

/// The per-call options of a request builder, set with its `tenant_key`, `tenant_access_token`, `header` and
/// `timeout` methods.
#[derive(Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) tenant_key: Option<String>,
    pub(crate) token: Option<Secret>,
    /// The kind of `token`, or of the client's own token (a tenant access token) when there is none.
    pub(crate) token_type: crate::operation::TokenType,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials of their own: only their names show.
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("CallOptions")
            .field("tenant_key", &self.tenant_key)
            .field("token", &self.token)
            .field("token_type", &self.token_type)
            .field("headers", &headers)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl CallOptions {
    /// The extra headers, checked: valid names and values, none of [`RESERVED_HEADERS`].
    pub(crate) fn header_map(&self, operation: &'static str) -> Result<HeaderMap, Error> {
        let invalid = |rule: String| Error::InvalidRequest {
            operation,
            parameter: "header",
            rule,
        };
        let mut map = HeaderMap::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            let parsed = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(format!("`{}` is not a valid header name", quoted(name))))?;
            if RESERVED_HEADERS.contains(&parsed.as_str()) {
                let hint = if parsed == reqwest::header::AUTHORIZATION {
                    "; use `.tenant_access_token(..)` or `.user_access_token(..)` for a token of this call only"
                } else {
                    ""
                };
                return Err(invalid(format!(
                    "`{name}` is set by the client and cannot be replaced{hint}"
                )));
            }
            let value = HeaderValue::from_str(value).map_err(|_| {
                invalid(format!(
                    "the value of `{}` holds a character a header cannot carry (a line break or a \
                     control character)",
                    quoted(name)
                ))
            })?;
            map.append(parsed, value);
        }
        Ok(map)
    }
}

/// The per-call option methods of a request builder whose options are in its `options` field, and its `send`
/// and `send_with_meta`, which send what the builder's `request()` builds and decode the operation's `data`
/// type. The generated code invokes it once per builder.
macro_rules! call_options {
    ($builder:ident, $data:ty) => {
        impl $builder {
            /// Checks the request, sends it (retrying and refreshing the token as configured) and returns `data`.
            pub async fn send(self) -> Result<$data, crate::Error> {
                let (client, request) = self.request()?;
                client.execute(request).await
            }

            /// [`send`](Self::send), with the answer's HTTP status, log id (`X-Tt-Logid`, which Feishu support
            /// asks for) and headers beside `data`.
            pub async fn send_with_meta(self) -> Result<crate::Response<$data>, crate::Error> {
                let (client, request) = self.request()?;
                client.execute_with_meta(request).await
            }

            /// The tenant this call is made for: required by store apps
            /// ([`ClientBuilder::store_app`](crate::ClientBuilder::store_app)), whose token is the tenant's
            /// own; refused by other clients.
            pub fn tenant_key(mut self, tenant_key: impl Into<String>) -> Self {
                self.options.tenant_key = Some(tenant_key.into());
                self
            }

            /// A tenant access token for this call only, instead of the client's: it is neither fetched,
            /// cached nor shared with other calls, and not refreshed if Feishu rejects it.
            pub fn tenant_access_token(mut self, token: impl Into<String>) -> Self {
                self.options.token = Some(crate::auth::Secret::new(token));
                self.options.token_type = crate::TokenType::Tenant;
                self
            }

            /// A user access token (`u-...`) for this call, instead of the client's tenant access token: the
            /// call is made for that user. Only operations whose doc page allows a user access token take one
            /// ([`OperationInfo::token_types`](crate::OperationInfo::token_types)); `send` refuses it elsewhere,
            /// before sending anything. Like `tenant_access_token`, it is neither cached nor refreshed.
            pub fn user_access_token(mut self, token: impl Into<String>) -> Self {
                self.options.token = Some(crate::auth::Secret::new(token));
                self.options.token_type = crate::TokenType::User;
                self
            }

            /// An extra header of this call. `Authorization`, `Content-Type` and the other headers the client
            /// sets ([`RESERVED_HEADERS`](crate::RESERVED_HEADERS)) cannot be set this way: `send`
            /// refuses them, and names or values a header cannot carry, before sending anything.
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options.headers.push((name.into(), value.into()));
                self
            }

            /// The deadline of this whole call, instead of the client's
            /// ([`ClientBuilder::call_timeout`](crate::ClientBuilder::call_timeout)): the token it waits for,
            /// the pacing, every attempt and every wait before a retry. When it runs out, `send` returns
            /// [`Error::Timeout`](crate::Error::Timeout) at once.
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }
        }
    };
}

pub(crate) use call_options;
