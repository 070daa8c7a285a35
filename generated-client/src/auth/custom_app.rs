//! A custom app: one tenant token, obtained from the app id and secret.

use super::answer::TokenEndpoint;
use super::cell::TokenCell;
use super::{Secret, TENANT_TOKEN_PATH};
use crate::error::{Error, TokenKind};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The token cache of a custom app.
pub(crate) struct CustomApp {
    app: Arc<Credentials>,
    cell: TokenCell,
}

/// What a token request of a custom app needs; shared with the task that makes it.
struct Credentials {
    app_id: String,
    app_secret: Secret,
    endpoint: TokenEndpoint,
}

impl fmt::Debug for CustomApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomApp")
            .field("app_id", &self.app.app_id)
            .field("app_secret", &self.app.app_secret)
            .finish_non_exhaustive()
    }
}

impl CustomApp {
    pub(crate) fn new(app_id: String, app_secret: Secret, endpoint: TokenEndpoint) -> Self {
        CustomApp {
            app: Arc::new(Credentials {
                app_id,
                app_secret,
                endpoint,
            }),
            cell: TokenCell::default(),
        }
    }

    /// A valid token: the cached one, or a new one.
    pub(crate) async fn token(&self) -> Result<Secret, Error> {
        let fetch = || fetch(self.app.clone());
        self.cell.get(fetch, |_| true).await
    }

    /// Forgets `stale` so the next call fetches a new token.
    pub(crate) fn invalidate(&self, stale: &Secret) {
        self.cell.invalidate(stale);
    }
}

/// Asks Feishu for a token.
async fn fetch(app: Arc<Credentials>) -> Result<(Secret, Duration), Error> {
    tracing::debug!(app_id = %app.app_id, "fetching a tenant access token");
    let body = serde_json::json!({ "app_id": app.app_id, "app_secret": app.app_secret.expose() });
    let token = app
        .endpoint
        .request_token(
            TokenKind::CustomAppTenant,
            None,
            TENANT_TOKEN_PATH,
            &body,
            &[app.app_secret.expose()],
        )
        .await?;
    Ok((token.token, token.lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_does_not_print() {
        let endpoint = TokenEndpoint {
            http: reqwest::Client::new(),
            base_url: "http://127.0.0.1".into(),
            max_response_bytes: 1,
            retry: crate::RetryPolicy::none(),
        };
        let app = CustomApp::new("cli_1".to_owned(), Secret::new("s3cr3t"), endpoint);
        let printed = format!("{app:?}");
        assert!(
            printed.contains("cli_1") && !printed.contains("s3cr3t"),
            "{printed}"
        );
    }
}
