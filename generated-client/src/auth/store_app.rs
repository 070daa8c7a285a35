//! A store app: one app access token, obtained with the app ticket Feishu pushes, and from it one tenant
//! access token per tenant that installed the app.

use super::answer::TokenEndpoint;
use super::cell::TokenCell;
use super::tenants::TenantCells;
use super::ticket::AppTicketStore;
use super::{
    Secret, APP_TICKET_RESEND_PATH, APP_TOKEN_PATH, MAX_CREDENTIAL_CHARS, STORE_TENANT_TOKEN_PATH,
};
use crate::error::{Error, TokenKind, TOKEN_INVALID_CODES};
use crate::response::Head;
use crate::validate::unsendable;
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
    app: Arc<App>,
    tenants: Arc<TenantCells>,
}

/// What the token requests of a store app need; shared with the tasks that make them.
struct App {
    app_id: String,
    app_secret: Secret,
    tickets: Arc<dyn AppTicketStore>,
    app_token: TokenCell,
    endpoint: TokenEndpoint,
}

impl fmt::Debug for StoreApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreApp")
            .field("app_id", &self.app.app_id)
            .field("app_secret", &self.app.app_secret)
            .field("tickets", &self.app.tickets)
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
        tenant_bytes: usize,
        endpoint: TokenEndpoint,
    ) -> Self {
        StoreApp {
            app: Arc::new(App {
                app_id,
                app_secret,
                tickets,
                app_token: TokenCell::default(),
                endpoint,
            }),
            tenants: Arc::new(TenantCells::new(tenant_capacity, tenant_bytes)),
        }
    }

    /// A valid tenant access token for `tenant_key`: the cached one, or a new one. Calls for one tenant share
    /// one request; calls for other tenants do not wait on it.
    pub(crate) async fn tenant_token(&self, tenant_key: &str) -> Result<Secret, Error> {
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
        let fetch = || {
            fetch_tenant_token(
                self.app.clone(),
                self.tenants.clone(),
                tenant_key.to_owned(),
            )
        };
        cell.get(fetch, own).await
    }

    /// Forgets `stale`, the token of `tenant_key`, so that tenant's next call fetches a new one.
    pub(crate) fn invalidate(&self, tenant_key: &str, stale: &Secret) {
        if let Some(cell) = self.tenants.existing(tenant_key) {
            cell.invalidate(stale);
        }
    }

    /// Keeps the app ticket of an `app_ticket` event, and forgets a failure to get the app token without one.
    /// Waits for the ticket store only, never for a token request in flight.
    pub(crate) async fn set_ticket(&self, ticket: Secret) -> Result<(), Error> {
        self.app
            .tickets
            .set(&self.app.app_id, ticket)
            .await
            .map_err(ticket_store_error)?;
        self.app.app_token.forget_failure();
        Ok(())
    }

    /// The app id.
    pub(crate) fn app_id(&self) -> &str {
        &self.app.app_id
    }

    /// How many tenants' tokens are cached.
    pub(crate) fn cached_tenants(&self) -> usize {
        self.tenants.len()
    }

    /// How many bytes the cached tenants' tokens count for.
    pub(crate) fn cached_tenant_bytes(&self) -> usize {
        self.tenants.bytes()
    }
}

/// Asks Feishu for a tenant token with the app token; if Feishu says the app token is invalid, once more with
/// a new app token. The token's size is counted in `tenants`, whose bound it may make room for.
async fn fetch_tenant_token(
    app: Arc<App>,
    tenants: Arc<TenantCells>,
    tenant_key: String,
) -> Result<(Secret, Duration), Error> {
    let mut renewed = false;
    loop {
        let app_token = app
            .app_token
            .get(|| fetch_app_token(app.clone()), |_| true)
            .await?;
        tracing::debug!(app_id = %app.app_id, tenant_key = %tenant_key, "fetching a tenant access token");
        let body =
            serde_json::json!({ "app_access_token": app_token.expose(), "tenant_key": tenant_key });
        let secrets = [app_token.expose(), app.app_secret.expose()];
        let result = app
            .endpoint
            .request_token(
                TokenKind::StoreAppTenant,
                Some(&tenant_key),
                STORE_TENANT_TOKEN_PATH,
                &body,
                &secrets,
            )
            .await;
        match result {
            Ok(token) => {
                tenants.count_token(&tenant_key, token.token.expose().len());
                return Ok((token.token, token.lifetime));
            }
            Err(Error::Token { code, .. }) if TOKEN_INVALID_CODES.contains(&code) && !renewed => {
                tracing::debug!(code, "app access token rejected; renewing it");
                app.app_token.invalidate(&app_token);
                renewed = true;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Asks Feishu for an app token with the app ticket. Without a ticket, or with one Feishu rejects, asks Feishu
/// to push the ticket again.
async fn fetch_app_token(app: Arc<App>) -> Result<(Secret, Duration), Error> {
    let ticket = app
        .tickets
        .get(&app.app_id)
        .await
        .map_err(ticket_store_error)?
        .filter(|ticket| !ticket.expose().is_empty());
    // A ticket the store holds that cannot be sent (one with a line break, say) is the store's failure: the
    // value itself is never quoted.
    if let Some(problem) = ticket
        .as_ref()
        .and_then(|ticket| unsendable(ticket.expose(), MAX_CREDENTIAL_CHARS))
    {
        return Err(ticket_store_error(
            format!("the app ticket it holds for this app {problem}").into(),
        ));
    }
    let Some(ticket) = ticket else {
        tracing::debug!(app_id = %app.app_id, "no app ticket; asking Feishu to push it again");
        let resend_error = resend_ticket(&app).await.err().map(Box::new);
        return Err(Error::NoAppTicket { resend_error });
    };
    tracing::debug!(app_id = %app.app_id, "fetching an app access token");
    let body = serde_json::json!({
        "app_id": app.app_id,
        "app_secret": app.app_secret.expose(),
        "app_ticket": ticket.expose(),
    });
    let secrets = [app.app_secret.expose(), ticket.expose()];
    let result = app
        .endpoint
        .request_token(TokenKind::StoreApp, None, APP_TOKEN_PATH, &body, &secrets)
        .await;
    if let Err(Error::Token {
        code: APP_TICKET_INVALID_CODE,
        ..
    }) = &result
    {
        tracing::debug!(app_id = %app.app_id, "app ticket rejected; asking Feishu to push it again");
        if let Err(e) = resend_ticket(&app).await {
            tracing::warn!(error = %e, "asking Feishu to push the app ticket again failed");
        }
    }
    let token = result?;
    Ok((token.token, token.lifetime))
}

/// Asks Feishu to push the app ticket again, as an `app_ticket` event.
async fn resend_ticket(app: &App) -> Result<(), Error> {
    let body = serde_json::json!({ "app_id": app.app_id, "app_secret": app.app_secret.expose() });
    let answer = app
        .endpoint
        .post(RESEND_OPERATION, APP_TICKET_RESEND_PATH, &body)
        .await?;
    decode_resend(answer.head, &answer.body, app.app_secret.expose())
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
            attempts: 1,
            operation: RESEND_OPERATION,
            code: answer.code,
            msg: crate::redact::redact(&answer.msg, &[app_secret]),
            http_status: head.status,
            log_id: head.log_id,
            retry_after: head.retry_after,
        })),
        Err(_) => Err(Error::Http {
            attempts: 1,
            operation: RESEND_OPERATION,
            status: head.status,
            log_id: head.log_id,
            excerpt: None,
            retry_after: head.retry_after,
            location: None,
        }),
    }
}
