//! A custom app: one tenant token, obtained from the app id and secret.

use super::answer::{decode_token, TokenEndpoint};
use super::cell::TokenCell;
use super::{Secret, TENANT_TOKEN_PATH};
use crate::error::{Error, TokenKind};
use std::fmt;
use std::time::Duration;

/// The token cache of a custom app.
pub(crate) struct CustomApp {
    app_id: String,
    app_secret: Secret,
    cell: TokenCell,
}

impl fmt::Debug for CustomApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomApp")
            .field("app_id", &self.app_id)
            .field("app_secret", &self.app_secret)
            .finish_non_exhaustive()
    }
}

impl CustomApp {
    pub(crate) fn new(app_id: String, app_secret: Secret) -> Self {
        CustomApp {
            app_id,
            app_secret,
            cell: TokenCell::default(),
        }
    }

    /// A valid token: the cached one, or a new one.
    pub(crate) async fn token(&self, endpoint: TokenEndpoint<'_>) -> Result<Secret, Error> {
        self.cell.get(self.fetch(endpoint)).await
    }

    /// Forgets `stale` so the next call fetches a new token.
    pub(crate) async fn invalidate(&self, stale: &Secret) {
        self.cell.invalidate(stale).await;
    }

    /// Asks Feishu for a token.
    async fn fetch(&self, endpoint: TokenEndpoint<'_>) -> Result<(Secret, Duration), Error> {
        tracing::debug!(app_id = %self.app_id, "fetching a tenant access token");
        let kind = TokenKind::CustomAppTenant;
        let body =
            serde_json::json!({ "app_id": self.app_id, "app_secret": self.app_secret.expose() });
        let answer = endpoint
            .post(kind.operation(), TENANT_TOKEN_PATH, &body)
            .await?;
        let secrets = [self.app_secret.expose()];
        let token = decode_token(kind, None, answer.head, &answer.body, &secrets)?;
        Ok((token.token, token.lifetime))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_does_not_print() {
        let app = CustomApp::new("cli_1".to_owned(), Secret::new("s3cr3t"));
        let printed = format!("{app:?}");
        assert!(
            printed.contains("cli_1") && !printed.contains("s3cr3t"),
            "{printed}"
        );
    }
}
