//! The one error type of the client. Every message says which operation failed and why; none contains a secret.
//!
//! Every message is bounded and stays on one line: each value it shows that came from outside (a tenant key,
//! Feishu's `msg`, a URL, an excerpt, a header value, a JSON path) has its control characters escaped (`\n`,
//! `\r`, `\u{1b}`), and a value longer than [`MAX_QUOTED_CHARS`] characters is cut, ending with `…` and its
//! length (`…(70154 chars)`). The fields keep the values whole.

use crate::operation::AppType;
use crate::redact::{quoted, MAX_MESSAGE_CHARS};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use crate::redact::MAX_QUOTED_CHARS;

/// Feishu's codes for a tenant access token that is invalid or expired; the client refreshes and retries once.
pub const TOKEN_INVALID_CODES: [i64; 3] = [99991663, 99991664, 99991671];
/// Feishu's code for "too many requests".
pub const RATE_LIMITED_CODE: i64 = 99991400;

/// Anything that can go wrong with a call.
///
/// Cheap to clone: the calls that waited on one failed token request all get the same error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Feishu answered with a non-zero `code`.
    #[error(transparent)]
    Api(#[from] ApiError),

    /// The request did not reach Feishu, or the connection broke (DNS, TLS, refused, reset, ...).
    #[error("{operation}: could not talk to the server: {}{}", quoted(&transport_cause(.source)), attempts_suffix(*.attempts))]
    Transport {
        /// The operation, or `tenant_access_token` for the token request.
        operation: &'static str,
        /// How many times the request was sent, retries included.
        attempts: u32,
        /// What failed underneath.
        #[source]
        source: Arc<reqwest::Error>,
    },

    /// No complete answer within the timeout of an attempt ([`ClientBuilder::timeout`]), or the call's
    /// deadline ran out ([`ClientBuilder::call_timeout`], or the request builder's `timeout`).
    ///
    /// [`ClientBuilder::timeout`]: crate::ClientBuilder::timeout
    /// [`ClientBuilder::call_timeout`]: crate::ClientBuilder::call_timeout
    #[error("{operation}: {}{}", timeout_text(.deadline), attempts_suffix(*.attempts))]
    Timeout {
        /// The operation, or `tenant_access_token` for the token request.
        operation: &'static str,
        /// How many attempts were made, retries included (0 when the deadline ran out before the first).
        attempts: u32,
        /// The call's deadline, when that is what ran out; `None` when one attempt timed out.
        deadline: Option<Duration>,
        /// What failed underneath, when an attempt timed out.
        #[source]
        source: Option<Arc<reqwest::Error>>,
    },

    /// The server answered with an HTTP error whose body is not a Feishu answer (a proxy's HTML page, say), or
    /// with a redirect (3xx), which the client never follows: an API call's request could go to another host.
    #[error("{operation}: HTTP {status}{}{}{}{}", http_text(*.status, .location), log_suffix(.log_id), excerpt_suffix("body starts", .excerpt), attempts_suffix(*.attempts))]
    Http {
        /// The operation, or `tenant_access_token` for the token request.
        operation: &'static str,
        /// How many times the request was sent, retries included.
        attempts: u32,
        /// HTTP status.
        status: u16,
        /// The `X-Tt-Logid` header, if any.
        log_id: Option<String>,
        /// The start of the body; `None` for the token request, for a redirect (whose body is not read), or when
        /// excerpts are switched off
        /// ([`ClientBuilder::error_excerpts`](crate::ClientBuilder::error_excerpts)).
        excerpt: Option<String>,
        /// The wait the server asked for (`Retry-After`).
        retry_after: Option<Duration>,
        /// Where a redirect pointed (its `Location`), without the query, the fragment and any user info; `None`
        /// for any other answer.
        location: Option<String>,
    },

    /// A successful answer whose JSON does not have the documented shape.
    #[error("{operation}: cannot decode the answer at `{}`: {}{}{}", quoted(.path), quoted(.message), log_suffix(.log_id), excerpt_suffix("near", .excerpt))]
    Decode {
        /// The operation, or `tenant_access_token` for the token request.
        operation: &'static str,
        /// Where in the JSON decoding failed, e.g. `data.items[0].type`; `.` is the whole body.
        path: String,
        /// What was wrong there. Without the values it would quote for the token request, or when excerpts
        /// are switched off.
        message: String,
        /// HTTP status.
        status: u16,
        /// The `X-Tt-Logid` header, if any.
        log_id: Option<String>,
        /// A few characters on each side of the place decoding failed; `None` for the token request, or when
        /// excerpts are switched off ([`ClientBuilder::error_excerpts`](crate::ClientBuilder::error_excerpts)).
        excerpt: Option<String>,
    },

    /// The answer is larger than the configured limit
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)); the client stopped
    /// reading it there.
    #[error("{operation}: the answer is larger than {limit} bytes{}{}; raise the limit with `ClientBuilder::max_response_bytes` if it is expected", status_suffix(.status), log_suffix(.log_id))]
    TooLarge {
        /// The operation, or `tenant_access_token` for the token request.
        operation: &'static str,
        /// The limit, in bytes after decompression.
        limit: usize,
        /// HTTP status; `None` when the answer's head itself was refused (a `Content-Length` no body could
        /// have, say).
        status: Option<u16>,
        /// The `X-Tt-Logid` header, if any.
        log_id: Option<String>,
    },

    /// The request breaks a documented constraint, or holds a value that cannot be sent (a tenant key or a
    /// token with a line break, say); nothing was sent.
    #[error("{operation}: invalid request: `{parameter}` {}", quoted(.rule).up_to(MAX_MESSAGE_CHARS))]
    InvalidRequest {
        /// The operation.
        operation: &'static str,
        /// The parameter or body field, by its wire name.
        parameter: &'static str,
        /// The rule it breaks.
        rule: String,
    },

    /// Feishu refused to issue a token the client asked for.
    #[error("cannot get {kind}{}: Feishu answered code {code} ({}), HTTP {http_status}{}; {}{}", tenant_suffix(.tenant_key), quoted(.msg), log_suffix(.log_id), kind.hint(*.code), attempts_suffix(*.attempts))]
    Token {
        /// How many times the token was asked for, retries included.
        attempts: u32,
        /// Which token.
        kind: TokenKind,
        /// The tenant, for a store app's tenant access token.
        tenant_key: Option<String>,
        /// Feishu's code.
        code: i64,
        /// Feishu's message, with every secret of the request taken out.
        msg: String,
        /// HTTP status.
        http_status: u16,
        /// The `X-Tt-Logid` header, if any.
        log_id: Option<String>,
    },

    /// A store app has no app ticket yet, so it cannot get an app access token. The client has asked Feishu
    /// to push the ticket again (`POST /open-apis/auth/v3/app_ticket/resend`); it arrives as an `app_ticket`
    /// event, whose ticket goes to [`Client::set_app_ticket`](crate::Client::set_app_ticket).
    #[error("no app ticket yet: {}; pass the ticket of the `app_ticket` event to `Client::set_app_ticket` (or to the ticket store) and call again", resend_outcome(.resend_error))]
    NoAppTicket {
        /// Why asking Feishu to resend the ticket failed, if it did.
        #[source]
        resend_error: Option<Box<Error>>,
    },

    /// The store of app tickets ([`AppTicketStore`](crate::auth::AppTicketStore)) failed.
    #[error("the app ticket store failed: {}", quoted(&.source.to_string()))]
    TicketStore {
        /// The store's error.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },

    /// The rate limiter ([`RateLimiter`](crate::RateLimiter)) could not let the request through (a shared
    /// limiter's store is down, say); nothing was sent.
    #[error("{operation}: the rate limiter failed: {}", quoted(&.source.to_string()))]
    RateLimiter {
        /// The operation.
        operation: &'static str,
        /// The limiter's error.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },

    /// The operation's doc page does not allow the client's kind of app to call it; nothing was sent.
    #[error("{operation}: {} cannot call this operation; its doc page allows {}", app_type.plural(), AppType::list(.allowed))]
    NotAllowed {
        /// The operation.
        operation: &'static str,
        /// The client's kind of app.
        app_type: AppType,
        /// The kinds of app the doc page allows.
        allowed: &'static [AppType],
    },

    /// A page stream stopped instead of asking forever or sending what cannot be sent: a repeated token, too
    /// many empty pages that say there are more, a token too long to send. Never retried.
    #[error("{operation}: {problem}")]
    Pagination {
        /// The operation.
        operation: &'static str,
        /// What the server sent.
        problem: crate::PaginationProblem,
    },

    /// The client was configured wrongly.
    #[error("invalid client configuration: {}", quoted(.0).up_to(MAX_MESSAGE_CHARS))]
    Config(String),
}

/// A non-zero `code` from Feishu.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: Feishu answered code {code} ({}), HTTP {http_status}{}{}", quoted(.msg), log_suffix(.log_id), attempts_suffix(*.attempts))]
#[non_exhaustive]
pub struct ApiError {
    /// The operation.
    pub operation: &'static str,
    /// Feishu's code; `error_code()`, generated from the doc pages, gives the documented ones as an enum.
    pub code: i64,
    /// Feishu's message.
    pub msg: String,
    /// HTTP status of the answer.
    pub http_status: u16,
    /// The `X-Tt-Logid` header (or the log id in the body), to quote to Feishu support.
    pub log_id: Option<String>,
    /// The wait the server asked for (`Retry-After`), if any.
    pub retry_after: Option<Duration>,
    /// How many times the request was sent, retries included.
    pub attempts: u32,
}

impl ApiError {
    /// Whether Feishu says the tenant access token is invalid or expired.
    pub fn is_token_invalid(&self) -> bool {
        TOKEN_INVALID_CODES.contains(&self.code)
    }

    /// Whether Feishu says the app sends too many requests.
    pub fn is_rate_limited(&self) -> bool {
        self.code == RATE_LIMITED_CODE || self.http_status == 429
    }
}

impl Error {
    /// Whether repeating the same call may succeed: transport failures, an attempt's timeout, HTTP 5xx and 429,
    /// and Feishu's rate-limit code, from an API call or a token request. A call whose own deadline ran out is
    /// not: it is over.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } => true,
            Error::Timeout { deadline, .. } => deadline.is_none(),
            Error::Http { status, .. } => *status >= 500 || *status == 429,
            Error::Api(api) => api.is_rate_limited() || api.http_status >= 500,
            Error::Token {
                code, http_status, ..
            } => *code == RATE_LIMITED_CODE || *http_status == 429 || *http_status >= 500,
            _ => false,
        }
    }

    /// Whether the failure shows that the server did not act on the request: the connection was never made,
    /// or the request was turned away for its rate (HTTP 429, Feishu's rate-limit code). Such a call is
    /// retried even when it changes data.
    pub(crate) fn was_not_acted_on(&self) -> bool {
        match self {
            Error::Transport { source, .. } => source.is_connect(),
            Error::Http { status, .. } => *status == 429,
            Error::Api(api) => api.is_rate_limited(),
            _ => false,
        }
    }

    /// How many times the call's request (or the token request that ended it) was sent, retries included: 1
    /// for a call that was not retried, 0 for one that ended before anything was sent. `Display` says so when it
    /// is more than one.
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(api) => api.attempts,
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::Http { attempts, .. }
            | Error::Token { attempts, .. } => *attempts,
            Error::Decode { .. } | Error::TooLarge { .. } => 1,
            _ => 0,
        }
    }

    /// The same error, saying the request was sent `attempts` times; kinds that are never retried are kept as
    /// they are.
    pub(crate) fn with_attempts(mut self, count: u32) -> Self {
        match &mut self {
            Error::Api(api) => api.attempts = count,
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::Http { attempts, .. }
            | Error::Token { attempts, .. } => *attempts = count,
            _ => {}
        }
        self
    }

    /// The wait the server asked for before trying again, if it named one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Http { retry_after, .. } => *retry_after,
            Error::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// The `X-Tt-Logid` of the answer, when there was one.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.log_id.as_deref(),
            Error::Http { log_id, .. }
            | Error::Decode { log_id, .. }
            | Error::TooLarge { log_id, .. }
            | Error::Token { log_id, .. } => log_id.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(operation: &'static str, mut source: reqwest::Error) -> Self {
        // reqwest's messages name the URL: only its place stays (its query holds page tokens, of any length).
        if let Some(url) = source.url_mut() {
            crate::response::keep_place_only(url);
        }
        if source.is_builder() {
            // The request could not be made, so nothing was sent, and sending it again cannot help. Every value
            // the client sends is checked before this point; this is a last guard.
            let cause = std::error::Error::source(&source)
                .map(|cause| format!(" ({cause})"))
                .unwrap_or_default();
            return Error::InvalidRequest {
                operation,
                parameter: "request",
                rule: format!("cannot be made, so nothing was sent: {source}{cause}"),
            };
        }
        let timeout = source.is_timeout();
        let source = Arc::new(source);
        if timeout {
            Error::Timeout {
                attempts: 1,
                operation,
                deadline: None,
                source: Some(source),
            }
        } else {
            Error::Transport {
                operation,
                source,
                attempts: 1,
            }
        }
    }
}

/// Which token a token request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// A custom app's tenant access token (`/open-apis/auth/v3/tenant_access_token/internal`).
    CustomAppTenant,
    /// A store app's app access token (`/open-apis/auth/v3/app_access_token`), from its app ticket.
    StoreApp,
    /// A store app's tenant access token for one tenant (`/open-apis/auth/v3/tenant_access_token`).
    StoreAppTenant,
}

impl TokenKind {
    /// The name errors of this token request carry as their operation.
    pub fn operation(self) -> &'static str {
        match self {
            TokenKind::CustomAppTenant | TokenKind::StoreAppTenant => "tenant_access_token",
            TokenKind::StoreApp => "app_access_token",
        }
    }

    /// What to check after a refusal with `code`. Code 0 is an answer without a usable token: no credential is
    /// at fault, the endpoint is.
    fn hint(self, code: i64) -> &'static str {
        if code == 0 {
            return "the token endpoint's answer is at fault, not the credentials";
        }
        match self {
            TokenKind::CustomAppTenant => "check the app id and secret",
            TokenKind::StoreApp => "check the app id, the app secret and the app ticket",
            TokenKind::StoreAppTenant => {
                "check the tenant key, and that this tenant has installed the app"
            }
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenKind::CustomAppTenant | TokenKind::StoreAppTenant => "a tenant access token",
            TokenKind::StoreApp => "an app access token",
        })
    }
}

fn timeout_text(deadline: &Option<Duration>) -> String {
    match deadline {
        Some(deadline) => format!(
            "the call did not finish within its timeout of {deadline:?} (the request builder's `timeout` or \
             `ClientBuilder::call_timeout`)"
        ),
        None => "no answer within the timeout; raise it with `ClientBuilder::timeout` or retry later".to_owned(),
    }
}

fn status_suffix(status: &Option<u16>) -> String {
    match status {
        Some(status) => format!(" (HTTP {status})"),
        None => " (its head was refused)".to_owned(),
    }
}

fn http_text(status: u16, location: &Option<String>) -> String {
    match location {
        Some(location) if (300..400).contains(&status) => {
            format!(", a redirect to `{}`, not followed", quoted(location))
        }
        // The caller's HTTP client followed a redirect; its answer is not taken.
        Some(location) => format!(
            " from `{}`, after a redirect the HTTP client followed; the answer is not taken",
            quoted(location)
        ),
        None if (300..400).contains(&status) => {
            ", a redirect without a location, not followed".to_owned()
        }
        None => " without a Feishu answer".to_owned(),
    }
}

fn tenant_suffix(tenant_key: &Option<String>) -> String {
    match tenant_key {
        Some(key) => format!(" for tenant `{}`", quoted(key)),
        None => String::new(),
    }
}

fn resend_outcome(resend_error: &Option<Box<Error>>) -> String {
    match resend_error {
        None => "Feishu has been asked to push it again".to_owned(),
        Some(e) => format!("asking Feishu to push it again failed too ({e})"),
    }
}

fn excerpt_suffix(label: &str, excerpt: &Option<String>) -> String {
    match excerpt {
        Some(excerpt) => format!("; {label}: {}", quoted(excerpt)),
        None => String::new(),
    }
}

fn log_suffix(log_id: &Option<String>) -> String {
    match log_id {
        Some(id) => format!(" (log id {})", quoted(id)),
        None => String::new(),
    }
}

/// What a transport failure was, in the words one looks for first (connection refused, DNS, TLS, timed out,
/// connection broken), with the server's address (scheme, host and port: never the path or query, which may be
/// long) and the innermost message of the chain, which says the rest (`Connection refused (os error 111)`).
fn transport_cause(error: &reqwest::Error) -> String {
    use std::io::ErrorKind;
    let mut io_kind = None;
    let mut messages = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        messages.push(e.to_string());
        next = e.source();
    }
    let chain = messages.join(": ").to_ascii_lowercase();
    let what = if error.is_timeout() || io_kind == Some(ErrorKind::TimedOut) {
        "timed out"
    } else if io_kind == Some(ErrorKind::ConnectionRefused) {
        "connection refused"
    } else if chain.contains("dns error")
        || chain.contains("failed to lookup address")
        || chain.contains("name or service not known")
        || chain.contains("no such host")
    {
        "DNS lookup failed"
    } else if chain.contains("certificate")
        || chain.contains("tls")
        || chain.contains("handshake")
        || chain.contains("corrupt message")
        || chain.contains("peer is incompatible")
    {
        "TLS failed"
    } else if matches!(
        io_kind,
        Some(
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
        )
    ) || chain.contains("connection closed")
        || chain.contains("incomplete message")
    {
        "connection broken"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let server = error
        .url()
        .map(|url| {
            let host = url.host_str().unwrap_or("?");
            match url.port() {
                Some(port) => format!(" to {}://{host}:{port}", url.scheme()),
                None => format!(" to {}://{host}", url.scheme()),
            }
        })
        .unwrap_or_default();
    let innermost = messages.last().map(String::as_str).unwrap_or_default();
    format!("{what}{server} ({innermost})")
}

/// `; gave up after N attempts` when a call was tried more than once; nothing otherwise.
fn attempts_suffix(attempts: u32) -> String {
    if attempts > 1 {
        format!("; gave up after {attempts} attempts")
    } else {
        String::new()
    }
}
