//! Tenant access tokens: a fixed one, or one obtained from the app credentials, cached until shortly before it
//! expires and refreshed by a single request however many calls wait for it. A failed request is shared by
//! its waiters and remembered briefly, so a failing token endpoint is not asked once per call.

use crate::error::Error;
use crate::response::{self, Head, Quoting};
use serde::Deserialize;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// The path of Feishu's "tenant access token for a self-built app" endpoint.
pub const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

/// Refresh this long before expiry at most (less for short-lived tokens: see [`refresh_margin`]).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// How long a failed token request is remembered: calls in that time get its error instead of asking again.
pub const TOKEN_FAILURE_BACKOFF: Duration = Duration::from_secs(1);

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

/// A token cached until its refresh time, fetched by one request however many calls wait for it. A failed
/// fetch is remembered for [`TOKEN_FAILURE_BACKOFF`]: the calls that waited for it, and those that come
/// during that time, get its error without asking again.
#[derive(Default)]
pub(crate) struct TokenCell {
    state: Mutex<CellState>,
}

#[derive(Default)]
enum CellState {
    #[default]
    Empty,
    Valid {
        token: Secret,
        refresh_at: Instant,
    },
    Failed {
        error: Error,
        retry_at: Instant,
    },
}

impl TokenCell {
    /// The cached token, or the one `fetch` gets (with its lifetime).
    pub(crate) async fn get<F>(&self, fetch: F) -> Result<Secret, Error>
    where
        F: Future<Output = Result<(Secret, Duration), Error>>,
    {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        match &*state {
            CellState::Valid { token, refresh_at } if now < *refresh_at => return Ok(token.clone()),
            CellState::Failed { error, retry_at } if now < *retry_at => return Err(error.clone()),
            _ => {}
        }
        match fetch.await {
            Ok((token, lifetime)) => {
                *state = CellState::Valid {
                    token: token.clone(),
                    refresh_at: Instant::now() + lifetime - refresh_margin(lifetime),
                };
                Ok(token)
            }
            Err(error) => {
                *state = CellState::Failed {
                    error: error.clone(),
                    retry_at: Instant::now() + TOKEN_FAILURE_BACKOFF,
                };
                Err(error)
            }
        }
    }

    /// Forgets `stale` so the next call fetches a new token; a token fetched meanwhile by another call is kept.
    pub(crate) async fn invalidate(&self, stale: &Secret) {
        let mut state = self.state.lock().await;
        if matches!(&*state, CellState::Valid { token, .. } if token == stale) {
            *state = CellState::Empty;
        }
    }
}

/// The token cache of an app.
pub(crate) struct AppToken {
    app_id: String,
    app_secret: Secret,
    cell: TokenCell,
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
            cell: TokenCell::default(),
        }
    }

    /// A valid token: the cached one, or a new one.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        base_url: &str,
        max_response_bytes: usize,
    ) -> Result<Secret, Error> {
        self.cell
            .get(self.fetch(http, base_url, max_response_bytes))
            .await
    }

    /// Forgets `stale` so the next call fetches a new token.
    pub(crate) async fn invalidate(&self, stale: &Secret) {
        self.cell.invalidate(stale).await;
    }

    /// Asks Feishu for a token. No error quotes the answer: it may hold the token.
    async fn fetch(
        &self,
        http: &reqwest::Client,
        base_url: &str,
        max_response_bytes: usize,
    ) -> Result<(Secret, Duration), Error> {
        tracing::debug!(app_id = %self.app_id, "fetching a tenant access token");
        let body =
            serde_json::json!({ "app_id": self.app_id, "app_secret": self.app_secret.expose() });
        let response = http
            .post(format!("{base_url}{TENANT_TOKEN_PATH}"))
            .json(&body)
            .send()
            .await
            .map_err(|e| Error::from_reqwest(TOKEN_OPERATION, e))?;
        let answer = response::read(response, TOKEN_OPERATION, max_response_bytes).await?;
        let token = decode_token(answer.head, &answer.body, self.app_secret.expose())?;
        Ok((token.token, token.lifetime))
    }
}

/// A tenant access token and how long it lives.
#[derive(Debug, Clone)]
pub struct TenantToken {
    /// The token.
    pub token: Secret,
    /// Its lifetime, from Feishu's `expire`.
    pub lifetime: Duration,
}

/// The name errors of the token request carry as their operation.
const TOKEN_OPERATION: &str = "tenant_access_token";

/// Decodes an answer of the tenant token endpoint the way the client does when it fetches a token. No error
/// quotes the answer, which may hold the token; Feishu's `msg` is quoted with `app_secret` and the token taken
/// out.
pub fn decode_tenant_token(
    status: u16,
    body: &[u8],
    app_secret: &str,
) -> Result<TenantToken, Error> {
    let head = Head {
        status,
        log_id: None,
        retry_after: None,
    };
    decode_token(head, body, app_secret)
}

fn decode_token(head: Head, body: &[u8], app_secret: &str) -> Result<TenantToken, Error> {
    let Head {
        status,
        log_id,
        retry_after,
    } = head;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let decoded: TokenAnswer = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(decoded) => decoded,
        Err(_) if status >= 400 => {
            return Err(Error::Http {
                operation: TOKEN_OPERATION,
                status,
                log_id,
                excerpt: None,
                retry_after,
            })
        }
        Err(e) => {
            return Err(Error::Decode {
                operation: TOKEN_OPERATION,
                path: e.path().to_string(),
                message: Quoting::Nothing.message(e.inner()),
                status,
                log_id,
                excerpt: None,
            })
        }
    };
    let token = decoded.tenant_access_token.unwrap_or_default();
    match (decoded.code, decoded.expire) {
        (0, Some(expire)) if !token.is_empty() && expire > 0 => Ok(TenantToken {
            token: Secret::new(token),
            lifetime: Duration::from_secs(expire),
        }),
        (0, _) => Err(Error::Token {
            code: 0,
            msg: "the answer has no tenant_access_token or no positive expire".to_owned(),
            http_status: status,
            log_id,
        }),
        // Feishu's message is quoted, but never with the secret or a token in it, named or not.
        (code, _) => Err(Error::Token {
            code,
            msg: response::mask_token_like(&response::redact(&decoded.msg, &[app_secret, &token])),
            http_status: status,
            log_id,
        }),
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
