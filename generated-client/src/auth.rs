//! Tenant access tokens: a fixed one, or one obtained from the app credentials, cached until shortly before it
//! expires and refreshed by a single request however many calls wait for it.

use crate::error::Error;
use crate::transport::{decode_excerpt, header_text, LOG_ID_HEADER};
use serde::Deserialize;
use std::fmt;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The path of Feishu's "tenant access token for a self-built app" endpoint.
pub const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

/// Refresh this long before expiry at most (less for short-lived tokens: see [`refresh_margin`]).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

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
    /// App credentials; the client fetches and caches the token.
    App(AppToken),
}

/// The token cache of an app.
pub(crate) struct AppToken {
    app_id: String,
    app_secret: Secret,
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    token: Secret,
    refresh_at: Instant,
}

impl fmt::Debug for AppToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppToken")
            .field("app_id", &self.app_id)
            .field("app_secret", &self.app_secret)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    code: i64,
    #[serde(default)]
    msg: String,
    tenant_access_token: Option<String>,
    expire: Option<u64>,
}

/// How long before expiry a token is refreshed: five minutes, or half its life if that is shorter.
fn refresh_margin(lifetime: Duration) -> Duration {
    REFRESH_MARGIN.min(lifetime / 2)
}

impl AppToken {
    pub(crate) fn new(app_id: String, app_secret: Secret) -> Self {
        AppToken {
            app_id,
            app_secret,
            cached: Mutex::new(None),
        }
    }

    /// A valid token: the cached one, or a new one. Callers that arrive while a fetch is under way wait for
    /// it instead of starting their own.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        base_url: &str,
    ) -> Result<Secret, Error> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref() {
            if Instant::now() < c.refresh_at {
                return Ok(c.token.clone());
            }
        }
        let (token, lifetime) = self.fetch(http, base_url).await?;
        *cached = Some(Cached {
            token: token.clone(),
            refresh_at: Instant::now() + lifetime - refresh_margin(lifetime),
        });
        Ok(token)
    }

    /// Forgets `stale` so the next call fetches a new token; a token fetched meanwhile by another call is kept.
    pub(crate) async fn invalidate(&self, stale: &Secret) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| c.token == *stale) {
            *cached = None;
        }
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        base_url: &str,
    ) -> Result<(Secret, Duration), Error> {
        const OPERATION: &str = "tenant_access_token";
        tracing::debug!(app_id = %self.app_id, "fetching a tenant access token");
        let body =
            serde_json::json!({ "app_id": self.app_id, "app_secret": self.app_secret.expose() });
        let response = http
            .post(format!("{base_url}{TENANT_TOKEN_PATH}"))
            .json(&body)
            .send()
            .await
            .map_err(|e| Error::from_reqwest(OPERATION, e))?;
        let status = response.status().as_u16();
        let log_id = header_text(response.headers(), LOG_ID_HEADER);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::from_reqwest(OPERATION, e))?;
        let answer: TokenAnswer = match serde_json::from_slice(&bytes) {
            Ok(answer) => answer,
            Err(_) if status >= 400 => {
                return Err(Error::Http {
                    operation: OPERATION,
                    status,
                    log_id,
                    excerpt: decode_excerpt(&bytes),
                    retry_after: None,
                })
            }
            Err(e) => {
                return Err(Error::Decode {
                    operation: OPERATION,
                    path: ".".to_owned(),
                    message: e.to_string(),
                    status,
                    log_id,
                    excerpt: decode_excerpt(&bytes),
                })
            }
        };
        match (answer.code, answer.tenant_access_token, answer.expire) {
            (0, Some(token), Some(expire)) if !token.is_empty() && expire > 0 => {
                Ok((Secret::new(token), Duration::from_secs(expire)))
            }
            (0, _, _) => Err(Error::Token {
                code: 0,
                msg: "the answer has no tenant_access_token or expire".to_owned(),
                http_status: status,
                log_id,
            }),
            (code, _, _) => Err(Error::Token {
                code,
                msg: answer.msg,
                http_status: status,
                log_id,
            }),
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
        let app = AppToken::new("cli_1".to_owned(), Secret::new("s3cr3t"));
        let printed = format!("{app:?}");
        assert!(
            printed.contains("cli_1") && !printed.contains("s3cr3t"),
            "{printed}"
        );
    }

    #[test]
    fn short_tokens_refresh_at_half_life() {
        assert_eq!(
            refresh_margin(Duration::from_secs(7200)),
            Duration::from_secs(300)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(60)),
            Duration::from_secs(30)
        );
    }
}
