//! A store app serving two tenants: the app ticket arrives as an event, and each call names its tenant.
//!
//! `cargo run -p generated-client --example store_app` runs offline, against a local mock of Feishu's token
//! endpoints and the spec's documented examples (a store app's ticket is pushed to its event handler, which an
//! example cannot receive).

mod support;

use generated_client::{Client, Error};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = support::serve_spec_examples().await?;
    let client = Client::builder()
        .base_url(mock.uri())
        .store_app("cli_store_example", "example-secret")
        .build()?;

    // Before the first ticket has arrived, calls fail, and Feishu is asked to push the ticket again.
    match client
        .get_job_config("6001")
        .tenant_key("tenant-a")
        .send()
        .await
    {
        Err(e @ Error::NoAppTicket { .. }) => println!("before the ticket: {e}"),
        other => return Err(format!("expected no ticket yet, got {other:?}").into()),
    }

    // Feishu pushes the ticket to the app's event handler, about once an hour; the handler hands it over.
    let event: Value = json!({
        "type": "event_callback",
        "event": {"type": "app_ticket", "app_id": "cli_store_example", "app_ticket": "ticket-from-the-event"}
    });
    let ticket = event["event"]["app_ticket"]
        .as_str()
        .ok_or("the event has no app_ticket")?;
    client.set_app_ticket(ticket).await?;

    // Each call names its tenant; each tenant gets its own token, all from one app access token.
    for tenant in ["tenant-a", "tenant-b", "tenant-a"] {
        let settings = client
            .get_job_config("6001")
            .tenant_key(tenant)
            .send()
            .await?;
        let id = settings.job_config.and_then(|config| config.id);
        println!("{tenant}: job settings {id:?}");
    }
    println!("tenant tokens cached: {}", client.cached_tenant_tokens());

    // The documented app types are checked before sending: this page allows custom apps only.
    let refused = client
        .list_external_applications("talent-1")
        .tenant_key("tenant-a")
        .send()
        .await;
    match refused {
        Err(e @ Error::NotAllowed { .. }) => println!("refused: {e}"),
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }

    // What reached the mock: one resend, one app token for both tenants, one tenant token per tenant.
    let requests = mock.received_requests().await.unwrap_or_default();
    let count = |path: &str| requests.iter().filter(|r| r.url.path() == path).count();
    let counts = (
        count(generated_client::auth::APP_TICKET_RESEND_PATH),
        count(generated_client::auth::APP_TOKEN_PATH),
        count(generated_client::auth::STORE_TENANT_TOKEN_PATH),
        count("/open-apis/hire/v1/jobs/6001/config"),
    );
    println!(
        "requests: {} resend, {} app token, {} tenant tokens, {} job settings",
        counts.0, counts.1, counts.2, counts.3
    );
    if counts != (1, 1, 2, 3) {
        return Err("unexpected requests".into());
    }
    Ok(())
}
