//! Receiving Feishu's event deliveries: the HTTP requests Feishu sends to an app's request URL when an event
//! happens (a Hire application changes stage, an offer is sent, the hourly `app_ticket` of a store app, ...).
//!
//! A [`Receiver`] checks each delivery and says what it is ([`Outcome`]): a URL check to answer
//! ([`Challenge`]), an event ([`Delivery`]: a typed [`EventHeader`] and the `event` JSON, which
//! [`Delivery::event`] decodes into the generated [`Event`](crate::Event), one variant per event the spec
//! documents and `Event::Unknown` for any other type), an app ticket it
//! gave to a store app client, a redelivery of an event already received, or a [`Refusal`] with its reason and
//! HTTP status. It works with any web framework ([`Receiver::receive`] takes the headers and the raw body); with
//! the feature `tower` (on by default) [`Receiver::into_service`] makes it a `tower` service that axum and hyper
//! mount in one line, and that calls a handler for each event.
//!
//! ```no_run
//! use generated_client::events::{Credentials, Delivery, EventDecodeError, Receiver};
//! use generated_client::Event;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let receiver = Receiver::builder(
//!     Credentials::new("verification-token").with_encrypt_key("encrypt-key"),
//! )
//! .build()?;
//! let service = receiver.into_service(|delivery: Delivery| async move {
//!     match delivery.event()? {
//!         Event::ApplicationStageChanged(moved) => println!("{:?} moved", moved.application_id),
//!         other => println!("{} {}", other.event_type(), delivery.header().event_id()),
//!     }
//!     Ok::<(), EventDecodeError>(())
//! });
//! // axum: Router::new().route_service("/feishu/events", service)
//! # let _ = service;
//! # Ok(())
//! # }
//! ```
//!
//! # What is checked, in order
//!
//! 1. **Size**: a body longer than [`MAX_EVENT_BODY_BYTES`] (1 MiB, [`ReceiverBuilder::max_body_bytes`]) is
//!    refused (413) unread; the tower service stops reading at the limit.
//! 2. **Credentials**: the verification token and the encrypt key are read from the
//!    [`EventCredentials`] once per delivery, so a rotated token or key applies from the next delivery. An empty
//!    token is refused (500): it would match nothing, or everything.
//! 3. With an **encrypt key**:
//!    1. **Signature**: the SHA-256 of `X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encrypt key + raw
//!       body` must be the `X-Lark-Signature` header (compared in constant time), before anything of the body
//!       is read.
//!    2. **Time**: the timestamp header (seconds) must be within the window of the receiver's clock
//!       ([`DEFAULT_TIMESTAMP_WINDOW`], 5 minutes before or after; [`ReceiverBuilder::timestamp_window`]), so
//!       that a recorded delivery cannot be played again later.
//!    3. **Decryption**: the body must be `{"encrypt": "<base64>"}`: AES-256-CBC under the SHA-256 of the key,
//!       the IV in the first 16 bytes, PKCS#7 padding checked in full.
//!
//!    A URL check is the one delivery answered without a valid signature (Feishu does not sign it): an
//!    unsigned or wrongly signed request that does not decrypt to a URL check with the right token is refused
//!    for its signature (401), whatever else is wrong with it, so that the answers tell nothing of how its
//!    decryption went.
//!
//!    Without an encrypt key, a body that is encrypted is refused (400), and the nonce and signature headers
//!    are not read: there is nothing to check them with.
//! 4. **Shape**: the (decrypted) JSON is a URL check (`{"type": "url_verification", "challenge", "token"}`),
//!    a 2.0 delivery (`schema: "2.0"`, `header`, `event`) or a 1.0 delivery (`type: "event_callback"`, `uuid`,
//!    `ts`, `event` with its `type`). Anything else is refused (400); an event id longer than
//!    [`MAX_EVENT_ID_BYTES`] too.
//! 5. **Verification token**: `token` (URL check, 1.0) or `header.token` (2.0) must be the receiver's,
//!    compared in constant time (401). A URL check that passes is answered here.
//! 6. **Time**, without an encrypt key: the `X-Lark-Request-Timestamp` header when there is one, else the
//!    delivery's own time (2.0 `header.create_time` in milliseconds, 1.0 `ts` in seconds such as
//!    `"1502199207.7171419"`), within the window. A delivery that gives no time at all is refused (400): every
//!    event Feishu sends has one; only the URL check has none, and it is answered before this step. The own time
//!    of an event stays the same in Feishu's redeliveries, so without an encrypt key the redeliveries later than
//!    the window are refused as too old.
//! 7. **App ticket**, with [`ReceiverBuilder::app_tickets`]: an `app_ticket` event must name the store app
//!    client's app id (else 403) and carry a ticket that can be sent (else 400).
//! 8. **Duplicates**: the event id (2.0 `header.event_id`, 1.0 `uuid`) is marked in the
//!    [`DuplicateStore`] for [`DEFAULT_DUPLICATE_TTL`] (12 hours, [`ReceiverBuilder::duplicate_ttl`]); an id
//!    marked already is an [`Outcome::Duplicate`]. The default store keeps [`DEFAULT_DUPLICATE_CAPACITY`]
//!    (10,000) ids in memory, forgetting the oldest first. A failing store is a refusal (500).
//! 9. **Keeping the ticket**: the ticket goes to [`Client::set_app_ticket`](crate::Client::set_app_ticket); if
//!    that fails (500 for the ticket store), the id is forgotten again so that Feishu's redelivery is taken.
//!
//! # Statuses
//!
//! A challenge, an event handled, a kept ticket and a duplicate are answered with 200; a refusal with
//! [`Refusal::status`]: 400 for a body that cannot be read as a delivery, 401 for one not shown to come from
//! Feishu now (token, signature, time), 403 for another app's ticket, 413 for a body too large, 500 when this
//! side failed (the stores, an empty token). [`RefusalReason`] lists each reason with its status. Feishu
//! delivers again whatever was not answered with 200. No refusal shows the credentials, the token, the
//! signature or the body, in `Display` or `Debug`.
//!
//! # When handling fails
//!
//! An event's id is marked before it is handled. If handling fails, call [`Receiver::release`] and answer 500:
//! Feishu's redelivery is then handled and not taken for a duplicate. The tower service does that when the
//! handler returns an error or panics, and it runs the handler in a task of its own, so that a connection
//! Feishu closes before the answer does not leave an unhandled event marked. A caller of [`Receiver::receive`]
//! that may drop its future midway (a server that cancels the requests of closed connections) does the same. A
//! redelivery that arrives while the first delivery is still being handled is a duplicate.

mod credentials;
mod crypto;
mod delivery;
mod duplicates;
mod receiver;
mod refusal;
#[cfg(feature = "tower")]
mod service;
mod typed;

pub use credentials::{Credentials, EventCredentials, SharedCredentials};
pub use delivery::{Challenge, Delivery, EventHeader, Outcome, Schema, CHALLENGE_CONTENT_TYPE};
pub use duplicates::{
    DuplicateFuture, DuplicateStore, DuplicateStoreError, MemoryDuplicateStore,
    DEFAULT_DUPLICATE_CAPACITY, DEFAULT_DUPLICATE_TTL,
};
pub use receiver::{
    Receiver, ReceiverBuilder, DEFAULT_TIMESTAMP_WINDOW, MAX_EVENT_BODY_BYTES, MAX_EVENT_ID_BYTES,
    NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
pub use refusal::{Refusal, RefusalReason};
#[cfg(feature = "tower")]
pub use service::{EventHandler, EventService, HandlerError, HandlerFuture};
pub use typed::{decode_event, EventDecodeError};
