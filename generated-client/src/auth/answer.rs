//! Token requests: posting one, and decoding Feishu's answer without ever quoting a secret.

use crate::error::{Error, TokenKind};
use crate::redact::redact;
use crate::response::{self, Head, Quoting};
use crate::retry::{Retries, RetryPolicy};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

use super::{Secret, MAX_CREDENTIAL_CHARS};
use crate::validate::unsendable;

/// Where token requests go, how much of an answer the client reads, and how a failed one is retried. Owned, so
/// that a token request can run in a task of its own.
#[derive(Clone)]
pub(crate) struct TokenEndpoint {
    /// An HTTP client that follows no redirect: a token request carries the app secret, and a redirect could
    /// take it to another host.
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Arc<str>,
    pub(crate) max_response_bytes: usize,
    pub(crate) retry: RetryPolicy,
}

impl TokenEndpoint {
    /// Posts `body` to `path`, with the content type of the official SDKs, and reads the answer. No error
    /// quotes the answer: it may hold a token. A redirect is not followed: it is an [`Error::Http`] with its
    /// 3xx status and its location (see [`response::read`]).
    pub(crate) async fn post(
        &self,
        operation: &'static str,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<response::Answer, Error> {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| response::send_error(operation, self.max_response_bytes, e))?;
        response::read(response, operation, self.max_response_bytes).await
    }

    /// Asks for a token of `kind` and decodes the answer, retrying a failure that may pass (a transport
    /// error, HTTP 5xx or 429, Feishu's rate-limit code) with the client's [`RetryPolicy`].
    pub(crate) async fn request_token(
        &self,
        kind: TokenKind,
        tenant_key: Option<&str>,
        path: &str,
        body: &serde_json::Value,
        secrets: &[&str],
    ) -> Result<TenantToken, Error> {
        // Token requests carry no deadline of their own: the calls waiting on one give up on their own deadlines,
        // and the request goes on for the others.
        let mut retries = Retries::new(&self.retry, None);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = match self.post(kind.operation(), path, body).await {
                Ok(answer) => decode_token(kind, tenant_key, answer.head, &answer.body, secrets),
                Err(e) => Err(e),
            };
            match result {
                Ok(token) => return Ok(token),
                Err(error) => retries.wait_before_retry(error, true, attempts).await?,
            }
        }
    }
}

/// The longest lifetime the client believes: Feishu's access tokens live two hours at most, and an answer that
/// says more (`expire` near `u64::MAX`, say) is taken as two hours.
pub const MAX_TOKEN_LIFETIME_SECS: u64 = 7200;

/// A token and how long it lives.
#[derive(Debug, Clone)]
pub struct TenantToken {
    /// The token.
    pub token: Secret,
    /// Its lifetime, from Feishu's `expire`, at most [`MAX_TOKEN_LIFETIME_SECS`].
    pub lifetime: Duration,
}

#[derive(Deserialize)]
struct TokenAnswer {
    code: i64,
    #[serde(default)]
    msg: String,
    tenant_access_token: Option<String>,
    app_access_token: Option<String>,
    expire: Option<u64>,
}

/// Decodes an answer of the tenant token endpoint of a custom app the way the client does when it fetches a
/// token. No error quotes the answer, which may hold the token; Feishu's `msg` is quoted with `app_secret` and
/// the token taken out.
pub fn decode_tenant_token(
    status: u16,
    body: &[u8],
    app_secret: &str,
) -> Result<TenantToken, Error> {
    let head = Head {
        status,
        log_id: None,
        retry_after: None,
        headers: reqwest::header::HeaderMap::new(),
    };
    decode_token(TokenKind::CustomAppTenant, None, head, body, &[app_secret])
}

/// Decodes a token answer of `kind`. `secrets` are the request's secrets: Feishu's message is quoted without
/// them, and without the token or anything that looks like one.
pub(crate) fn decode_token(
    kind: TokenKind,
    tenant_key: Option<&str>,
    head: Head,
    body: &[u8],
    secrets: &[&str],
) -> Result<TenantToken, Error> {
    let operation = kind.operation();
    let Head {
        status,
        log_id,
        retry_after,
        ..
    } = head;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let decoded: TokenAnswer = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(decoded) => decoded,
        Err(_) if status >= 400 => {
            return Err(Error::Http {
                attempts: 1,
                operation,
                status,
                log_id,
                excerpt: None,
                retry_after,
                location: None,
            })
        }
        Err(e) => {
            return Err(Error::Decode {
                operation,
                path: e.path().to_string(),
                message: Quoting::Nothing.message(e.inner(), &[]),
                status,
                log_id,
                excerpt: None,
            })
        }
    };
    let token = match kind {
        TokenKind::StoreApp => decoded.app_access_token,
        TokenKind::CustomAppTenant | TokenKind::StoreAppTenant => decoded.tenant_access_token,
    }
    .unwrap_or_default();
    let tenant_key = tenant_key.map(str::to_owned);
    // A token that cannot be sent in a header is no token: it is not cached, and the next call asks again.
    let unsendable = (!token.is_empty())
        .then(|| unsendable(&token, MAX_CREDENTIAL_CHARS))
        .flatten();
    if let (0, Some(problem)) = (decoded.code, unsendable) {
        return Err(Error::Token {
            attempts: 1,
            kind,
            tenant_key,
            code: 0,
            msg: format!(
                "the endpoint issued a token that cannot be sent in a header: it {problem}"
            ),
            http_status: status,
            log_id,
        });
    }
    match (decoded.code, decoded.expire) {
        (0, Some(expire)) if !token.is_empty() && expire > 0 => Ok(TenantToken {
            token: Secret::new(token),
            lifetime: Duration::from_secs(expire.min(MAX_TOKEN_LIFETIME_SECS)),
        }),
        (0, _) => Err(Error::Token {
            attempts: 1,
            kind,
            tenant_key,
            code: 0,
            msg: format!("the answer has no {operation} or no positive expire"),
            http_status: status,
            log_id,
        }),
        // Feishu's message is quoted, but never with a secret or a token in it, named or not.
        (code, _) => {
            let mut secrets = secrets.to_vec();
            secrets.push(&token);
            Err(Error::Token {
                attempts: 1,
                kind,
                tenant_key,
                code,
                msg: redact(&decoded.msg, &secrets),
                http_status: status,
                log_id,
            })
        }
    }
}
