//! [`Client`] and its builder: base URL, authentication, timeouts, retries and rate limits.

use crate::auth::{
    AppTicketStore, Auth, CustomApp, MemoryTicketStore, Secret, StoreApp, TokenEndpoint,
    DEFAULT_TENANT_TOKEN_CACHE_BYTES, DEFAULT_TENANT_TOKEN_CAPACITY, MAX_CREDENTIAL_CHARS,
};
use crate::rate_limit::{RateLimit, RateLimiter, WindowLimiter};
use crate::response::{Quoting, DEFAULT_MAX_RESPONSE_BYTES};
use crate::retry::RetryPolicy;
use crate::validate::unsendable;
use crate::Error;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Feishu's API host (mainland China).
pub const FEISHU_BASE_URL: &str = "https://open.feishu.cn";
/// Lark's API host (international).
pub const LARK_BASE_URL: &str = "https://open.larksuite.com";

/// A Feishu Hire API client. Cheap to clone: clones share the connection pool, token cache and rate limiter.
///
/// Each operation is a method returning a request builder, e.g. [`Client::get_job`]; see the crate root.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// The timeout of each attempt, set on every request: the HTTP client may be the caller's, built without one.
    pub(crate) attempt_timeout: Duration,
    pub(crate) base_url: String,
    pub(crate) auth: Auth,
    pub(crate) retry: RetryPolicy,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) rate_limit: RateLimit,
    pub(crate) limiter: Arc<dyn RateLimiter>,
    pub(crate) max_response_bytes: usize,
    pub(crate) quoting: Quoting,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with the defaults: Feishu's host, 10 s connect and 30 s request timeouts, three retries,
    /// documented rate limits. Authentication must be set.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Keeps the app ticket of a store app, from the `app_ticket` event Feishu pushes about once an hour. The
    /// next app access token is fetched with it; a call that failed for want of a ticket can be made again.
    ///
    /// Fails with [`Error::Config`] on a client that is not a store app, with [`Error::InvalidRequest`] for a
    /// ticket that cannot be sent (empty, longer than [`MAX_CREDENTIAL_CHARS`], or not printable ASCII without
    /// spaces, such as one with a line break), which is not kept, and with [`Error::TicketStore`] when the
    /// ticket store fails.
    pub async fn set_app_ticket(&self, ticket: impl Into<String>) -> Result<(), Error> {
        let Auth::Store(app) = &self.inner.auth else {
            return Err(Error::Config(
                "set_app_ticket: the client is not a store app (see `ClientBuilder::store_app`)"
                    .to_owned(),
            ));
        };
        let ticket = Secret::new(ticket);
        if let Some(problem) = unsendable(ticket.expose(), MAX_CREDENTIAL_CHARS) {
            return Err(Error::InvalidRequest {
                operation: "set_app_ticket",
                parameter: "app_ticket",
                rule: problem,
            });
        }
        app.set_ticket(ticket).await
    }

    /// How many tenants' tokens a store app client holds now: at most
    /// [`tenant_token_capacity`](ClientBuilder::tenant_token_capacity), beyond it only by calls in flight.
    /// Always 0 for other clients.
    pub fn cached_tenant_tokens(&self) -> usize {
        match &self.inner.auth {
            Auth::Store(app) => app.cached_tenants(),
            _ => 0,
        }
    }

    /// How many bytes the tenants' tokens a store app client holds count for (each its key, its token and
    /// [`TENANT_ENTRY_OVERHEAD_BYTES`](crate::auth::TENANT_ENTRY_OVERHEAD_BYTES)): at most
    /// [`tenant_token_cache_bytes`](ClientBuilder::tenant_token_cache_bytes), beyond it only by calls in
    /// flight. Always 0 for other clients.
    pub fn cached_tenant_token_bytes(&self) -> usize {
        match &self.inner.auth {
            Auth::Store(app) => app.cached_tenant_bytes(),
            _ => 0,
        }
    }
}

enum Credentials {
    Token(Secret),
    App { app_id: String, app_secret: Secret },
    Store { app_id: String, app_secret: Secret },
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    base_url: String,
    credentials: Option<Credentials>,
    connect_timeout: Duration,
    timeout: Duration,
    call_timeout: Option<Duration>,
    retry: RetryPolicy,
    rate_limit: RateLimit,
    limiter: Option<Arc<dyn RateLimiter>>,
    max_response_bytes: usize,
    error_excerpts: bool,
    tickets: Option<Arc<dyn AppTicketStore>>,
    tenant_token_capacity: usize,
    tenant_token_cache_bytes: usize,
    http_client: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: FEISHU_BASE_URL.to_owned(),
            credentials: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            call_timeout: None,
            retry: RetryPolicy::default(),
            rate_limit: RateLimit::Documented,
            limiter: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            error_excerpts: true,
            tickets: None,
            tenant_token_capacity: DEFAULT_TENANT_TOKEN_CAPACITY,
            tenant_token_cache_bytes: DEFAULT_TENANT_TOKEN_CACHE_BYTES,
            http_client: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.credentials {
            None => "none".to_owned(),
            Some(Credentials::Token(_)) => "tenant_access_token(***)".to_owned(),
            Some(Credentials::App { app_id, .. }) => format!("app_credentials({app_id}, ***)"),
            Some(Credentials::Store { app_id, .. }) => format!("store_app({app_id}, ***)"),
        };
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &auth)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("call_timeout", &self.call_timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("limiter", &self.limiter)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("error_excerpts", &self.error_excerpts)
            .field("app_ticket_store", &self.tickets)
            .field("tenant_token_capacity", &self.tenant_token_capacity)
            .field("tenant_token_cache_bytes", &self.tenant_token_cache_bytes)
            .field("http_client", &self.http_client.is_some())
            .finish()
    }
}

impl ClientBuilder {
    /// Where requests go: [`FEISHU_BASE_URL`] (the default), [`LARK_BASE_URL`], or a local server.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Authenticate with a tenant access token the caller obtains and renews. It must be printable ASCII
    /// without spaces, at most [`MAX_CREDENTIAL_CHARS`](crate::auth::MAX_CREDENTIAL_CHARS) long:
    /// [`build`](Self::build) refuses one that a header cannot carry, such as one read from a file with its
    /// line break.
    pub fn tenant_access_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Token(Secret::new(token)));
        self
    }

    /// Authenticate with app credentials: the client obtains the tenant access token, caches it and renews it.
    /// Both must be printable ASCII without spaces, at most
    /// [`MAX_CREDENTIAL_CHARS`](crate::auth::MAX_CREDENTIAL_CHARS) long; [`build`](Self::build) refuses others.
    pub fn app_credentials(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::App {
            app_id: app_id.into(),
            app_secret: Secret::new(app_secret),
        });
        self
    }

    /// Authenticate as a store app (商店应用), which serves every tenant that installs it. Each call names its
    /// tenant with the request builder's `.tenant_key(..)`. The client fetches an app access token with the
    /// app ticket (see [`Client::set_app_ticket`] and [`app_ticket_store`](Self::app_ticket_store)), then one
    /// tenant access token per tenant, and caches and renews both.
    pub fn store_app(mut self, app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Store {
            app_id: app_id.into(),
            app_secret: Secret::new(app_secret),
        });
        self
    }

    /// Where a store app's ticket is kept (default a [`MemoryTicketStore`] of this client). Give a store shared
    /// by every instance of a service when the `app_ticket` event reaches only one of them.
    pub fn app_ticket_store(mut self, store: impl AppTicketStore + 'static) -> Self {
        self.tickets = Some(Arc::new(store));
        self
    }

    /// How many tenants' tokens a store app client keeps (default [`DEFAULT_TENANT_TOKEN_CAPACITY`], 10,000).
    /// When it is full, a new tenant first drops the tokens due for renewal, then the least recently used.
    pub fn tenant_token_capacity(mut self, tenants: usize) -> Self {
        self.tenant_token_capacity = tenants;
        self
    }

    /// How many bytes a store app client's tenant tokens may take (default
    /// [`DEFAULT_TENANT_TOKEN_CACHE_BYTES`](crate::auth::DEFAULT_TENANT_TOKEN_CACHE_BYTES), 8 MiB). Each
    /// tenant counts its key, its token and
    /// [`TENANT_ENTRY_OVERHEAD_BYTES`](crate::auth::TENANT_ENTRY_OVERHEAD_BYTES). Past it, tokens are dropped
    /// as past [`tenant_token_capacity`](Self::tenant_token_capacity): those due for renewal first, then the
    /// least recently used.
    pub fn tenant_token_cache_bytes(mut self, bytes: usize) -> Self {
        self.tenant_token_cache_bytes = bytes;
        self
    }

    /// Sends API calls with `client`, a `reqwest::Client` of your own: its proxies, TLS roots and connection pool,
    /// shared with the rest of a service. Token requests, which carry the app secret, keep the client's own
    /// HTTP client, which follows no redirect.
    ///
    /// What still holds with your client: each attempt's [`timeout`](Self::timeout) (set on every request),
    /// [`max_response_bytes`](Self::max_response_bytes) (the client reads the body itself), the deadlines,
    /// retries, pacing and validation. What your client decides: [`connect_timeout`](Self::connect_timeout),
    /// gzip, and redirects. Build it with `.redirect(reqwest::redirect::Policy::none())`: the client refuses
    /// an answer that came through a redirect (an [`Error::Http`] naming where it ended), but only your client's
    /// policy can keep the request itself from going to the other host.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout for one whole attempt, from sending to the last byte of the answer (default 30 s). A token
    /// request has the same timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A deadline for each whole call (default none): the token it waits for, the pacing, every attempt and
    /// every wait before a retry. When it runs out the call ends at once with [`Error::Timeout`]. A request
    /// builder's `timeout` sets it for one call.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// How failed attempts are retried (default [`RetryPolicy::default`]). No wait is longer than
    /// [`MAX_RETRY_WAIT`](crate::retry::MAX_RETRY_WAIT); token requests are retried the same way.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Which limit requests are kept under (default [`RateLimit::Documented`]). `RateLimit::PerSecond(0)` is
    /// refused by [`build`](Self::build).
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// What enforces the limit (default a [`WindowLimiter`] of this client and its clones). Give a limiter
    /// shared by every instance of a service to keep them under the limit together.
    pub fn rate_limiter(mut self, limiter: impl RateLimiter + 'static) -> Self {
        self.limiter = Some(Arc::new(limiter));
        self
    }

    /// The largest answer the client reads, in bytes after decompression (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 16 MiB). A larger answer is refused with [`Error::TooLarge`] as soon as
    /// it passes the limit, without reading the rest.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Whether decoding errors quote the answer (default `true`): a few characters around the place decoding
    /// failed, and the value found there. Answers of the Hire API hold candidates' personal data; with `false`,
    /// [`Error::Decode`] and [`Error::Http`] quote nothing of the body. Answers of the token endpoint are never
    /// quoted.
    pub fn error_excerpts(mut self, quote: bool) -> Self {
        self.error_excerpts = quote;
        self
    }

    /// Builds the client.
    ///
    /// Refuses, with [`Error::Config`]: no authentication; a token, app id or app secret that cannot be sent
    /// (empty, longer than [`MAX_CREDENTIAL_CHARS`](crate::auth::MAX_CREDENTIAL_CHARS), or not printable ASCII
    /// without spaces; the message names which, never its value); a base URL that is not an `http` or `https`
    /// URL, or that has a query, a fragment or user info (every request path is appended to it);
    /// `RateLimit::PerSecond(0)`; a zero `max_response_bytes`, `tenant_token_capacity`,
    /// `tenant_token_cache_bytes` or `call_timeout`.
    pub fn build(mut self) -> Result<Client, Error> {
        let credentials = self.credentials.take();
        let base_url = check_base_url(&self.base_url)?;
        if self.max_response_bytes == 0 {
            return Err(Error::Config(
                "max_response_bytes is 0; no answer would fit".to_owned(),
            ));
        }
        if self.rate_limit == RateLimit::PerSecond(0) {
            return Err(Error::Config(
                "rate_limit is PerSecond(0), which would let no request through; use RateLimit::Off for no \
                 limit"
                    .to_owned(),
            ));
        }
        if self.call_timeout == Some(Duration::ZERO) {
            return Err(Error::Config(
                "call_timeout is 0; no call could finish".to_owned(),
            ));
        }
        let retry = self.retry.clone();
        // Calls and token requests follow no redirect: one could take a call's body and headers, or a token
        // request's app secret, to another host, and its answer would pass for Feishu's. A redirect is
        // `Error::Http` with its status and location.
        let http = match self.http_client.take() {
            Some(client) => client,
            None => self
                .http_builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        // Token requests keep a connection pool of their own: slow token requests sharing the calls' pool made
        // paced calls reach the server less evenly.
        let token_endpoint = || -> Result<TokenEndpoint, Error> {
            let http = self
                .http_builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
            Ok(TokenEndpoint {
                http,
                base_url: base_url.as_str().into(),
                max_response_bytes: self.max_response_bytes,
                retry: retry.clone(),
            })
        };
        let auth = match credentials {
            None => {
                return Err(Error::Config(
                    "no authentication: call `tenant_access_token(..)`, `app_credentials(..)` or `store_app(..)` on the builder".to_owned(),
                ))
            }
            Some(Credentials::Token(token)) => {
                check_credential("the tenant access token", token.expose())?;
                Auth::Fixed(token)
            }
            Some(Credentials::App { app_id, app_secret }) => {
                check_app(&app_id, &app_secret)?;
                Auth::Custom(CustomApp::new(app_id, app_secret, token_endpoint()?))
            }
            Some(Credentials::Store { app_id, app_secret }) => {
                check_app(&app_id, &app_secret)?;
                if self.tenant_token_capacity == 0 {
                    return Err(Error::Config(
                        "tenant_token_capacity is 0; no tenant's token could be kept".to_owned(),
                    ));
                }
                if self.tenant_token_cache_bytes == 0 {
                    return Err(Error::Config(
                        "tenant_token_cache_bytes is 0; no tenant's token could be kept".to_owned(),
                    ));
                }
                let tickets = self
                    .tickets
                    .clone()
                    .unwrap_or_else(|| Arc::new(MemoryTicketStore::new()));
                Auth::Store(StoreApp::new(
                    app_id,
                    app_secret,
                    tickets,
                    self.tenant_token_capacity,
                    self.tenant_token_cache_bytes,
                    token_endpoint()?,
                ))
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                attempt_timeout: self.timeout,
                base_url,
                auth,
                retry,
                call_timeout: self.call_timeout,
                rate_limit: self.rate_limit,
                limiter: self
                    .limiter
                    .unwrap_or_else(|| Arc::new(WindowLimiter::new())),
                max_response_bytes: self.max_response_bytes,
                quoting: if self.error_excerpts {
                    Quoting::Excerpts
                } else {
                    Quoting::Nothing
                },
            }),
        })
    }
}

impl ClientBuilder {
    /// The HTTP client's settings, shared by calls and token requests.
    fn http_builder(&self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(concat!("feishu-hire-rust/", env!("CARGO_PKG_VERSION")))
            .gzip(true)
    }
}

/// The base URL without its trailing `/`, refused unless every request path can be appended to it: an `http`
/// or `https` URL with a host, and no query, fragment or user info.
fn check_base_url(url: &str) -> Result<String, Error> {
    let base_url = url.trim_end_matches('/').to_owned();
    let refuse = |why: &str| {
        Err(Error::Config(format!(
            "base URL `{}` {why}",
            crate::redact::quoted(&base_url)
        )))
    };
    let parsed = match reqwest::Url::parse(&base_url) {
        Ok(parsed) => parsed,
        Err(e) => return refuse(&format!("is not a URL: {e}")),
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return refuse("must start with http:// or https://");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return refuse("has no host");
    }
    if parsed.query().is_some() {
        return refuse(
            "has a query (`?…`); request paths are appended to the base URL, so it cannot have one",
        );
    }
    if parsed.fragment().is_some() {
        return refuse("has a fragment (`#…`); request paths are appended to the base URL, so it cannot have one");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return refuse("holds user info (`user:password@`); authentication is set on the builder");
    }
    Ok(base_url)
}

fn check_app(app_id: &str, app_secret: &Secret) -> Result<(), Error> {
    check_credential("the app id", app_id)?;
    check_credential("the app secret", app_secret.expose())
}

/// Refuses a credential that cannot be sent, naming it (`what`) and never quoting it.
fn check_credential(what: &str, value: &str) -> Result<(), Error> {
    match unsendable(value, MAX_CREDENTIAL_CHARS) {
        Some(problem) => Err(Error::Config(format!("{what} {problem}"))),
        None => Ok(()),
    }
}

/// The app id of a store app client; `None` for other clients. (A free function: `Client`'s own methods are its
/// public interface.)
pub(crate) fn store_app_id(client: &Client) -> Option<&str> {
    match &client.inner.auth {
        Auth::Store(app) => Some(app.app_id()),
        _ => None,
    }
}
