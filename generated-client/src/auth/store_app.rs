//! A store app: one app access token, obtained with the app ticket Feishu pushes, and from it one tenant
//! access token per tenant that installed the app.

use super::answer::{decode_token, TokenEndpoint};
use super::cell::TokenCell;
use super::tenants::TenantCells;
use super::ticket::AppTicketStore;
use super::{Secret, APP_TICKET_RESEND_PATH, APP_TOKEN_PATH, STORE_TENANT_TOKEN_PATH};
use crate::error::{Error, TokenKind, TOKEN_INVALID_CODES};
use crate::response::Head;
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Feishu's code for an app ticket that is invalid or expired.
pub const APP_TICKET_INVALID_CODE: i64 = 10012;

/// The name errors of the resend request carry as their operation.
const RESEND_OPERATION: &str = "app_ticket_resend";

/// The tokens of a store app.
pub(crate) struct StoreApp {
    app_id: String,
    app_secret: Secret,
    tickets: Arc<dyn AppTicketStore>,
    app_token: TokenCell,
    tenants: TenantCells,
}

impl fmt::Debug for StoreApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreApp")
            .field("app_id", &self.app_id)
            .field("app_secret", &self.app_secret)
            .field("tickets", &self.tickets)
            .field("cached_tenants", &self.tenants.len())
            .finish_non_exhaustive()
    }
}

impl StoreApp {
    pub(crate) fn new(
        app_id: String,
        app_secret: Secret,
        tickets: Arc<dyn AppTicketStore>,
        tenant_capacity: usize,
    ) -> Self {
        StoreApp {
            app_id,
            app_secret,
            tickets,
            app_token: TokenCell::default(),
            tenants: TenantCells::new(tenant_capacity),
        }
    }

    /// A valid tenant access token for `tenant_key`: the cached one, or a new one. Calls for one tenant share
    /// one request; calls for other tenants do not wait on it.
    pub(crate) async fn tenant_token(
        &self,
        endpoint: TokenEndpoint<'_>,
        tenant_key: &str,
    ) -> Result<Secret, Error> {
        let cell = self.tenants.cell(tenant_key);
        // A failure to get the app token is remembered by the app token's cell, which a new ticket clears;
        // the tenant's cell remembers only its own failures.
        let own = |e: &Error| {
            !matches!(
                e,
                Error::NoAppTicket { .. }
                    | Error::TicketStore { .. }
                    | Error::Token {
                        kind: TokenKind::StoreApp,
                        ..
                    }
            )
        };
        cell.get_remembering(self.fetch_tenant_token(endpoint, tenant_key), own)
            .await
    }

    /// Forgets `stale`, the token of `tenant_key`, so that tenant's next call fetches a new one.
    pub(crate) async fn invalidate(&self, tenant_key: &str, stale: &Secret) {
        if let Some(cell) = self.tenants.existing(tenant_key) {
            cell.invalidate(stale).await;
        }
    }

    /// Keeps the app ticket of an `app_ticket` event, and forgets a failure to get the app token without one.
    pub(crate) async fn set_ticket(&self, ticket: Secret) -> Result<(), Error> {
        self.tickets
            .set(&self.app_id, ticket)
            .await
            .map_err(ticket_store_error)?;
        self.app_token.forget_failure().await;
        Ok(())
    }

    /// How many tenants' tokens are cached.
    pub(crate) fn cached_tenants(&self) -> usize {
        self.tenants.len()
    }

    /// Asks Feishu for a tenant token with the app token; if Feishu says the app token is invalid, once more
    /// with a new app token.
    async fn fetch_tenant_token(
        &self,
        endpoint: TokenEndpoint<'_>,
        tenant_key: &str,
    ) -> Result<(Secret, Duration), Error> {
        let mut renewed = false;
        loop {
            let app_token = self.app_token.get(self.fetch_app_token(endpoint)).await?;
            tracing::debug!(app_id = %self.app_id, tenant_key, "fetching a tenant access token");
            let kind = TokenKind::StoreAppTenant;
            let body = serde_json::json!({ "app_access_token": app_token.expose(), "tenant_key": tenant_key });
            let answer = endpoint
                .post(kind.operation(), STORE_TENANT_TOKEN_PATH, &body)
                .await?;
            let secrets = [app_token.expose(), self.app_secret.expose()];
            match decode_token(kind, Some(tenant_key), answer.head, &answer.body, &secrets) {
                Ok(token) => return Ok((token.token, token.lifetime)),
                Err(Error::Token { code, .. })
                    if TOKEN_INVALID_CODES.contains(&code) && !renewed =>
                {
                    tracing::debug!(code, "app access token rejected; renewing it");
                    self.app_token.invalidate(&app_token).await;
                    renewed = true;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Asks Feishu for an app token with the app ticket. Without a ticket, or with one Feishu rejects, asks
    /// Feishu to push the ticket again.
    async fn fetch_app_token(
        &self,
        endpoint: TokenEndpoint<'_>,
    ) -> Result<(Secret, Duration), Error> {
        let ticket = self
            .tickets
            .get(&self.app_id)
            .await
            .map_err(ticket_store_error)?
            .filter(|ticket| !ticket.expose().is_empty());
        let Some(ticket) = ticket else {
            tracing::debug!(app_id = %self.app_id, "no app ticket; asking Feishu to push it again");
            let resend_error = self.resend_ticket(endpoint).await.err().map(Box::new);
            return Err(Error::NoAppTicket { resend_error });
        };
        tracing::debug!(app_id = %self.app_id, "fetching an app access token");
        let kind = TokenKind::StoreApp;
        let body = serde_json::json!({
            "app_id": self.app_id,
            "app_secret": self.app_secret.expose(),
            "app_ticket": ticket.expose(),
        });
        let answer = endpoint
            .post(kind.operation(), APP_TOKEN_PATH, &body)
            .await?;
        let secrets = [self.app_secret.expose(), ticket.expose()];
        let result = decode_token(kind, None, answer.head, &answer.body, &secrets);
        if let Err(Error::Token {
            code: APP_TICKET_INVALID_CODE,
            ..
        }) = &result
        {
            tracing::debug!(app_id = %self.app_id, "app ticket rejected; asking Feishu to push it again");
            if let Err(e) = self.resend_ticket(endpoint).await {
                tracing::warn!(error = %e, "asking Feishu to push the app ticket again failed");
            }
        }
        let token = result?;
        Ok((token.token, token.lifetime))
    }

    /// Asks Feishu to push the app ticket again, as an `app_ticket` event.
    async fn resend_ticket(&self, endpoint: TokenEndpoint<'_>) -> Result<(), Error> {
        let body =
            serde_json::json!({ "app_id": self.app_id, "app_secret": self.app_secret.expose() });
        let answer = endpoint
            .post(RESEND_OPERATION, APP_TICKET_RESEND_PATH, &body)
            .await?;
        decode_resend(answer.head, &answer.body, self.app_secret.expose())
    }
}

fn ticket_store_error(source: super::TicketStoreError) -> Error {
    Error::TicketStore {
        source: Arc::from(source),
    }
}

/// The answer of the resend request: `code` and `msg` only.
fn decode_resend(head: Head, body: &[u8], app_secret: &str) -> Result<(), Error> {
    #[derive(Deserialize)]
    struct Answer {
        code: i64,
        #[serde(default)]
        msg: String,
    }
    match serde_json::from_slice::<Answer>(body) {
        Ok(answer) if answer.code == 0 => Ok(()),
        Ok(answer) => Err(Error::Api(crate::ApiError {
            operation: RESEND_OPERATION,
            code: answer.code,
            msg: crate::response::mask_token_like(&crate::response::redact(
                &answer.msg,
                &[app_secret],
            )),
            http_status: head.status,
            log_id: head.log_id,
            retry_after: head.retry_after,
        })),
        Err(_) => Err(Error::Http {
            operation: RESEND_OPERATION,
            status: head.status,
            log_id: head.log_id,
            excerpt: None,
            retry_after: head.retry_after,
        }),
    }
}
