//! Where requests are sent: building the HTTP request, the retry loop, token refresh, and decoding the
//! `{code, msg, data}` envelope into the typed `data` or an [`Error`].

use crate::auth::{Auth, CustomApp, Secret, StoreApp, MAX_CREDENTIAL_CHARS, MAX_TENANT_KEY_CHARS};
use crate::client::Inner;
use crate::operation::{OperationInfo, TokenType};
use crate::options::CallOptions;
use crate::redact::redact;
use crate::response::{self, excerpt_around, excerpt_start, Head, Quoting, Response};
use crate::retry::Retries;
use crate::validate::unsendable;
use crate::{ApiError, Client, Error};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::fmt::Display;
use std::sync::atomic::{AtomicU32, Ordering};
use tracing::Instrument;

/// One call as the generated code describes it.
#[derive(Debug)]
pub(crate) struct Request {
    operation: &'static OperationInfo,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    /// The parts of a `multipart/form-data` body, in order; built again by each attempt.
    form: Vec<(&'static str, FormValue)>,
    options: CallOptions,
}

/// One part of a `multipart/form-data` body.
#[derive(Debug)]
enum FormValue {
    Text(String),
    File {
        upload: crate::Upload,
        max_bytes: Option<u64>,
    },
}

impl Request {
    pub(crate) fn new(
        operation: &'static OperationInfo,
        path: String,
        options: CallOptions,
    ) -> Self {
        Request {
            operation,
            path,
            query: Vec::new(),
            body: None,
            form: Vec::new(),
            options,
        }
    }

    /// Adds a query parameter when it has a value.
    pub(crate) fn query<T: Display>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
    }

    /// Adds a query parameter once per item of a list, when it has one (`ids=1&ids=2`).
    // The generator emits a call only where the spec has a list query parameter; the current spec has none.
    #[allow(dead_code)]
    pub(crate) fn query_each<T: Display>(&mut self, name: &'static str, values: Option<&Vec<T>>) {
        for value in values.into_iter().flatten() {
            self.query.push((name, value.to_string()));
        }
    }

    /// Adds a text part of a `multipart/form-data` body, when it has a value.
    // The generator emits a call only where a form has a field besides its files; the current spec has none.
    #[allow(dead_code)]
    pub(crate) fn form_text<T: Display>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(value) = value {
            self.form.push((name, FormValue::Text(value.to_string())));
        }
    }

    /// Adds a file part of a `multipart/form-data` body, at most `max_bytes` long.
    pub(crate) fn form_file(
        &mut self,
        name: &'static str,
        upload: crate::Upload,
        max_bytes: Option<u64>,
    ) {
        self.form
            .push((name, FormValue::File { upload, max_bytes }));
    }

    /// The `multipart/form-data` body: each attempt streams its files again.
    async fn multipart(&self) -> Result<reqwest::multipart::Form, Error> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in &self.form {
            form = match value {
                FormValue::Text(text) => form.text(*name, text.clone()),
                FormValue::File { upload, max_bytes } => form.part(
                    *name,
                    upload.part(self.operation.id, name, *max_bytes).await?,
                ),
            };
        }
        Ok(form)
    }

    /// Sets the JSON body.
    pub(crate) fn json<T: serde::Serialize>(&mut self, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest {
            operation: self.operation.id,
            parameter: "body",
            rule: format!("cannot be encoded as JSON: {e}"),
        })?;
        self.body = Some(bytes);
        Ok(())
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    log_id: Option<String>,
}

const MISSING_TENANT_KEY: &str =
    "is missing: the client is a store app, whose calls are each made for one \
     tenant; call `.tenant_key(..)` on the request";

const TENANT_KEY_OF_NO_USE: &str =
    "is for store apps only; this client authenticates with its own tenant's token";

/// Where a call's token comes from, so that a rejected one is forgotten in the right place.
enum TokenSource<'a> {
    /// The caller's: the client's fixed token, or one set on the call. Not refreshed.
    Caller(&'a Secret),
    /// The custom app's cached token.
    CustomApp(&'a CustomApp),
    /// The store app's cached token of this tenant.
    Tenant(&'a StoreApp, &'a str),
}

/// What the checks before sending decided: where the call's token comes from, and its extra headers.
struct Prepared<'a> {
    token: TokenSource<'a>,
    headers: reqwest::header::HeaderMap,
}

/// Decodes an answer into the call's `data` and keeps it (see [`decode`] for the arguments): the one part of a
/// call that depends on the operation's type. The rest of the call is the same code for every operation, so the
/// compiler checks it once rather than once per operation.
type Decoder<'a> =
    dyn FnMut(&'static str, Head, &[u8], Quoting, &[&str]) -> Result<(), Error> + Send + 'a;

impl Client {
    /// Sends `request` with retries and token refresh, and decodes the answer's `data` into `T`.
    ///
    /// The call's deadline (its own `timeout`, else the client's `call_timeout`) bounds all of it: the token,
    /// the pacing, every attempt and every wait before a retry. When it runs out the call ends at once with
    /// [`Error::Timeout`].
    pub(crate) async fn execute<T: DeserializeOwned + Default + Send>(
        &self,
        request: Request,
    ) -> Result<T, Error> {
        let mut data = None;
        self.inner
            .call(request, &mut |operation, head, body, quoting, secrets| {
                data = Some(decode::<T>(operation, head, body, quoting, secrets)?);
                Ok(())
            })
            .await?;
        // A call succeeds only once the decoder has kept the data.
        Ok(data.unwrap_or_default())
    }

    /// [`execute`](Self::execute), keeping the answer's status, log id and headers beside the data.
    pub(crate) async fn execute_with_meta<T: DeserializeOwned + Default + Send>(
        &self,
        request: Request,
    ) -> Result<Response<T>, Error> {
        let mut answer = None;
        self.inner
            .call(request, &mut |operation,
                                 mut head,
                                 body,
                                 quoting,
                                 secrets| {
                let headers = std::mem::take(&mut head.headers);
                let (status, log_id) = (head.status, head.log_id.clone());
                let data = decode::<T>(operation, head, body, quoting, secrets)?;
                answer = Some(Response {
                    data,
                    status,
                    log_id,
                    headers,
                });
                Ok(())
            })
            .await?;
        // A call succeeds only once the decoder has kept the answer.
        Ok(answer.unwrap_or_else(|| Response {
            data: T::default(),
            status: 0,
            log_id: None,
            headers: reqwest::header::HeaderMap::new(),
        }))
    }
}

// The call pipeline is a method of the client's shared state, not of `Client`: `Client`'s own methods are its
// public ones (and `execute`, which emitted code calls), so no private helper here can take a name an operation
// would want, and renaming one touches nothing in the generator.
impl Inner {
    /// [`Client::execute`], with the decoding of a successful answer left to `decoder`.
    async fn call(&self, request: Request, decoder: &mut Decoder<'_>) -> Result<(), Error> {
        let operation = request.operation;
        let span = tracing::info_span!(
            "feishu_hire_call",
            operation = operation.id,
            // Recorded once checked: a tenant key with a line break is refused, not logged.
            tenant_key = tracing::field::Empty,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            code = tracing::field::Empty,
            log_id = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = tokio::time::Instant::now();
        let timeout = request.options.timeout.or(self.call_timeout);
        let deadline = timeout.and_then(|t| started.checked_add(t));
        // Attempts begun, for the error of a call its deadline cuts short.
        let begun = AtomicU32::new(0);
        let work = async {
            let prepared = self.prepare(&request)?;
            if let Some(key) = &request.options.tenant_key {
                tracing::Span::current().record("tenant_key", key.as_str());
            }
            self.attempts(&request, &prepared, deadline, &begun, decoder)
                .await
        }
        .instrument(span.clone());
        let result = match (deadline, timeout) {
            (Some(deadline), Some(timeout)) => tokio::time::timeout_at(deadline, work)
                .await
                .unwrap_or_else(|_| {
                    Err(Error::Timeout {
                        attempts: begun.load(Ordering::Relaxed),
                        operation: operation.id,
                        deadline: Some(timeout),
                        source: None,
                    })
                }),
            _ => work.await,
        };
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(_) => tracing::debug!(parent: &span, "call succeeded"),
            Err(e) => tracing::debug!(parent: &span, error = %e, "call failed"),
        }
        result
    }

    /// Checks what the call's options and the client's kind of app allow, before anything is sent.
    fn prepare<'a>(&'a self, request: &'a Request) -> Result<Prepared<'a>, Error> {
        let operation = request.operation;
        let options = &request.options;
        let auth = &self.auth;
        if let Some(app_type) = auth.app_type() {
            if !operation.app_types.is_empty() && !operation.app_types.contains(&app_type) {
                return Err(Error::NotAllowed {
                    operation: operation.id,
                    app_type,
                    allowed: operation.app_types,
                });
            }
        }
        let tenant_key = |rule: &str| Error::InvalidRequest {
            operation: operation.id,
            parameter: "tenant_key",
            rule: rule.to_owned(),
        };
        if let (Auth::Store(_), Some(key)) = (auth, options.tenant_key.as_deref()) {
            if let Some(problem) = unsendable(key, MAX_TENANT_KEY_CHARS) {
                return Err(tenant_key(&problem));
            }
        }
        let token = match (auth, &options.token, options.tenant_key.as_deref()) {
            (Auth::Store(_), Some(token), _) => TokenSource::Caller(token),
            (Auth::Store(app), None, Some(key)) => TokenSource::Tenant(app, key),
            (Auth::Store(_), None, None) => return Err(tenant_key(MISSING_TENANT_KEY)),
            (_, _, Some(_)) => return Err(tenant_key(TENANT_KEY_OF_NO_USE)),
            (_, Some(token), None) => TokenSource::Caller(token),
            (Auth::Fixed(token), None, None) => TokenSource::Caller(token),
            (Auth::Custom(app), None, None) => TokenSource::CustomApp(app),
        };
        let token_type = options.token_type;
        let parameter = match token_type {
            TokenType::Tenant => "tenant_access_token",
            TokenType::User => "user_access_token",
        };
        if let Some(token) = &options.token {
            if let Some(problem) = unsendable(token.expose(), MAX_CREDENTIAL_CHARS) {
                return Err(Error::InvalidRequest {
                    operation: operation.id,
                    parameter,
                    rule: problem,
                });
            }
        }
        if !operation.token_types.contains(&token_type) {
            let allowed: Vec<&str> = operation.token_types.iter().map(|t| t.name()).collect();
            let hint = if operation.token_types.contains(&TokenType::User) {
                "; set one with `.user_access_token(..)`"
            } else {
                ""
            };
            return Err(Error::InvalidRequest {
                operation: operation.id,
                parameter,
                rule: format!(
                    "the operation does not take a {} (its doc page allows: {}){hint}",
                    token_type.name(),
                    allowed.join(", ")
                ),
            });
        }
        let headers = options.header_map(operation.id)?;
        Ok(Prepared { token, headers })
    }

    /// The attempts of one call. Each gets its token first, then its slot from the rate limiter, and is sent
    /// at once: the limiter counts requests as they are sent.
    async fn attempts(
        &self,
        request: &Request,
        prepared: &Prepared<'_>,
        deadline: Option<tokio::time::Instant>,
        begun: &AtomicU32,
        decoder: &mut Decoder<'_>,
    ) -> Result<(), Error> {
        let inner = self;
        let operation = request.operation;
        let mut attempt = 0u32;
        let mut retries = Retries::new(&inner.retry, deadline);
        let mut refreshed = false;
        loop {
            attempt += 1;
            begun.store(attempt, Ordering::Relaxed);
            tracing::Span::current().record("attempt", attempt);
            // A token request has retried what it could on its own: its failure ends the call.
            let token = self.token(&prepared.token).await?;
            if let Some(quota) = inner.rate_limit.quota(operation.rate_limit) {
                inner
                    .limiter
                    .acquire(operation.id, quota)
                    .await
                    .map_err(|source| Error::RateLimiter {
                        operation: operation.id,
                        source: source.into(),
                    })?;
            }
            let error = match self
                .attempt(request, &prepared.headers, &token, decoder)
                .await
            {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            // An invalid or expired token the client fetched: fetch a new one and try once more.
            if let Error::Api(api) = &error {
                if api.is_token_invalid() && !refreshed && self.invalidate(&prepared.token, &token)
                {
                    tracing::debug!(
                        code = api.code,
                        "token rejected; refreshing it and retrying once"
                    );
                    refreshed = true;
                    continue;
                }
            }
            // A call that changes data is repeated only when the spec marks it safe, or when the failure shows
            // the server did not act on it: the connection was never made, or the request was turned away for
            // its rate.
            let repeatable = operation.idempotent || error.was_not_acted_on();
            retries
                .wait_before_retry(error, repeatable, attempt)
                .await?;
        }
    }

    async fn token(&self, source: &TokenSource<'_>) -> Result<Secret, Error> {
        match source {
            TokenSource::Caller(token) => Ok((*token).clone()),
            TokenSource::CustomApp(app) => app.token().await,
            TokenSource::Tenant(app, key) => app.tenant_token(key).await,
        }
    }

    /// Forgets a rejected token the client fetched; `false` when the caller gave it and nothing can be renewed.
    fn invalidate(&self, source: &TokenSource<'_>, stale: &Secret) -> bool {
        match source {
            TokenSource::Caller(_) => return false,
            TokenSource::CustomApp(app) => app.invalidate(stale),
            TokenSource::Tenant(app, key) => app.invalidate(key, stale),
        }
        true
    }

    async fn attempt(
        &self,
        request: &Request,
        headers: &reqwest::header::HeaderMap,
        token: &Secret,
        decoder: &mut Decoder<'_>,
    ) -> Result<(), Error> {
        let inner = self;
        let operation = request.operation;
        let url = format!("{}{}", inner.base_url, request.path);
        // Every token was checked where it came from (the builder, the call, the token endpoint); a token a
        // header cannot carry is refused here too, never sent and never retried.
        let mut authorization =
            reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(
                |_| Error::InvalidRequest {
                    operation: operation.id,
                    parameter: "tenant_access_token",
                    rule: "holds a character a header cannot carry".to_owned(),
                },
            )?;
        authorization.set_sensitive(true);
        let mut builder = inner
            .http
            .request(operation.method.to_reqwest(), &url)
            .timeout(inner.attempt_timeout)
            .header(reqwest::header::AUTHORIZATION, authorization);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if !headers.is_empty() {
            builder = builder.headers(headers.clone());
        }
        if !request.form.is_empty() {
            builder = builder.multipart(request.multipart().await?);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| response::send_error(operation.id, inner.max_response_bytes, e))?;
        // The client's own HTTP client follows no redirect; one a caller passed in may. Its answer is not
        // Feishu's to this request, whatever it says.
        if let Some(location) = response::redirected(&response, &url) {
            return Err(Error::Http {
                attempts: 1,
                operation: operation.id,
                status: response.status().as_u16(),
                log_id: None,
                excerpt: None,
                retry_after: None,
                location: Some(location),
            });
        }
        let answer = response::read(response, operation.id, inner.max_response_bytes).await?;
        let span = tracing::Span::current();
        span.record("status", answer.head.status);
        if let Some(id) = &answer.head.log_id {
            span.record("log_id", id.as_str());
        }
        decoder(
            operation.id,
            answer.head,
            &answer.body,
            inner.quoting,
            &[token.expose()],
        )
    }
}

/// Decodes an answer of `operation` the way each request builder's `send()` does: the `{code, msg, data}`
/// envelope, then `data` into `T`. A non-zero `code` is [`Error::Api`]; a body that does not decode is
/// [`Error::Decode`] with the JSON path that failed, or [`Error::Http`] when the status is an error too.
///
/// Useful for answers obtained some other way, such as recorded ones; `send` calls the same code.
pub fn decode_answer<T: DeserializeOwned + Default>(
    operation: &'static str,
    status: u16,
    body: &[u8],
) -> Result<T, Error> {
    let head = Head {
        status,
        log_id: None,
        retry_after: None,
        headers: reqwest::header::HeaderMap::new(),
    };
    decode(operation, head, body, Quoting::Excerpts, &[])
}

/// The whole answer of a successful call, decoded in one pass.
#[derive(Deserialize)]
struct Typed<T> {
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(default = "Option::default")]
    data: Option<T>,
    #[serde(default)]
    error: Option<ErrorDetail>,
}

/// Turns an answer into the typed `data` or an error.
///
/// An answer that decodes is read once, straight into `T`. Only one that does not is read again, with path
/// tracking, to say where it broke: most answers decode, and tracking the path costs more than the decoding.
///
/// `secrets` (the call's token) are taken out of whatever the error quotes, and so is every token-shaped word.
fn decode<T: DeserializeOwned + Default>(
    operation: &'static str,
    head: Head,
    bytes: &[u8],
    quoting: Quoting,
    secrets: &[&str],
) -> Result<T, Error> {
    if (200..300).contains(&head.status) {
        // Checking UTF-8 once up front is cheaper than serde_json checking each string of a byte slice.
        let typed = std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| serde_json::from_str::<Typed<T>>(text).ok());
        if let Some(answer) = typed {
            tracing::Span::current().record("code", answer.code);
            if answer.code == 0 {
                return Ok(answer.data.unwrap_or_default());
            }
            return Err(Error::Api(ApiError {
                attempts: 1,
                operation,
                code: answer.code,
                msg: redact(&answer.msg, secrets),
                http_status: head.status,
                log_id: head.log_id.or_else(|| answer.error.and_then(|e| e.log_id)),
                retry_after: head.retry_after,
            }));
        }
    }
    decode_tracking_paths(operation, head, bytes, quoting, secrets)
}

/// Decodes an answer in two passes, the envelope and then `data` with path tracking, so that a failure names
/// the JSON path that broke; `data` is read leniently ([`crate::lenient`]).
fn decode_tracking_paths<T: DeserializeOwned + Default>(
    operation: &'static str,
    head: Head,
    bytes: &[u8],
    quoting: Quoting,
    secrets: &[&str],
) -> Result<T, Error> {
    let Head {
        status,
        log_id,
        retry_after,
        ..
    } = head;
    let success = (200..300).contains(&status);
    let http_error = |log_id| Error::Http {
        attempts: 1,
        operation,
        status,
        log_id,
        excerpt: quoting.excerpt(|| excerpt_start(bytes, secrets)),
        retry_after,
        location: None,
    };
    let envelope: Envelope<'_> = match serde_json::from_slice(bytes) {
        Ok(envelope) => envelope,
        Err(e) => {
            if !success {
                return Err(http_error(log_id));
            }
            // Say where the envelope itself broke.
            let path = envelope_error_path(bytes);
            return Err(Error::Decode {
                operation,
                path,
                message: quoting.message(&e, secrets),
                status,
                log_id,
                excerpt: quoting.excerpt(|| excerpt_around(bytes, &e, secrets)),
            });
        }
    };
    tracing::Span::current().record("code", envelope.code);
    let log_id = log_id.or_else(|| envelope.error.and_then(|e| e.log_id));
    if envelope.code != 0 {
        return Err(Error::Api(ApiError {
            attempts: 1,
            operation,
            code: envelope.code,
            msg: redact(&envelope.msg, secrets),
            http_status: status,
            log_id,
            retry_after,
        }));
    }
    if !success {
        return Err(http_error(log_id));
    }
    let Some(data) = envelope.data.filter(|raw| raw.get() != "null") else {
        return Ok(T::default());
    };
    // Read again leniently: a number in a string field, an integer as a string or a float, as its type says.
    crate::lenient::from_str(operation, "data", data.get()).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." {
            "data".to_owned()
        } else {
            format!("data.{inner}")
        };
        Error::Decode {
            operation,
            path,
            message: quoting.message(e.inner(), secrets),
            status,
            log_id,
            excerpt: quoting.excerpt(|| excerpt_around(data.get().as_bytes(), e.inner(), secrets)),
        }
    })
}

/// The path at which a body fails to decode as the envelope (`code`, `msg`, or `.` for the whole body).
fn envelope_error_path(bytes: &[u8]) -> String {
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Shape {
        code: i64,
        #[serde(default)]
        msg: String,
    }
    // serde would read a JSON array as a struct's fields in order; a body that is not an object fails as a whole.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return ".".to_owned();
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, Shape>(&mut deserializer) {
        Err(e) => e.path().to_string(),
        Ok(_) => ".".to_owned(),
    }
}
