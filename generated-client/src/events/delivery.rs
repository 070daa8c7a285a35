//! What a delivery comes to: a URL check to answer, an event, a duplicate, or a refusal.

use super::Refusal;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::fmt;
use std::time::SystemTime;

/// The envelope a delivery came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Schema {
    /// Schema 1.0: `{"uuid", "token", "ts", "type": "event_callback", "event": {"type", ...}}`, which the
    /// `app_ticket` event still uses.
    V1,
    /// Schema 2.0: `{"schema": "2.0", "header": {"event_id", "event_type", ...}, "event": {...}}`.
    V2,
}

impl Schema {
    /// `"1.0"` or `"2.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Schema::V1 => "1.0",
            Schema::V2 => "2.0",
        }
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a delivery says about its event, in either schema. Never the verification token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventHeader {
    pub(crate) schema: Schema,
    pub(crate) event_id: String,
    pub(crate) event_type: String,
    pub(crate) create_time: Option<SystemTime>,
    pub(crate) app_id: Option<String>,
    pub(crate) tenant_key: Option<String>,
}

impl EventHeader {
    /// The envelope the delivery came in.
    pub fn schema(&self) -> Schema {
        self.schema
    }

    /// The event's id: `header.event_id` (2.0) or `uuid` (1.0). A redelivery of the event has the same id.
    pub fn event_id(&self) -> &str {
        &self.event_id
    }

    /// The event's type: `header.event_type` (2.0, such as `hire.application.stage_changed_v1`) or
    /// `event.type` (1.0, such as `app_ticket`).
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// When the event was sent: `header.create_time` (2.0, milliseconds) or `ts` (1.0, seconds). `None` when
    /// the delivery's time was taken from the `X-Lark-Request-Timestamp` header and its own is missing or
    /// unreadable.
    pub fn create_time(&self) -> Option<SystemTime> {
        self.create_time
    }

    /// The app the event is for: `header.app_id` (2.0) or `event.app_id` (1.0), when given.
    pub fn app_id(&self) -> Option<&str> {
        self.app_id.as_deref()
    }

    /// The tenant the event is from: `header.tenant_key` (2.0) or `event.tenant_key` (1.0), when given.
    pub fn tenant_key(&self) -> Option<&str> {
        self.tenant_key.as_deref()
    }
}

/// An event that passed every check: its [`header`](Self::header) and the raw JSON of its `event` object.
///
/// `Debug` shows the header and the size of the event, not its content (which holds candidates' personal data,
/// or an app ticket).
#[derive(Clone)]
pub struct Delivery {
    pub(crate) header: EventHeader,
    pub(crate) event: Box<RawValue>,
}

impl Delivery {
    /// The event's id, type, time, app and tenant.
    pub fn header(&self) -> &EventHeader {
        &self.header
    }

    /// The `event` object as it was delivered (decrypted), byte for byte.
    pub fn raw_event(&self) -> &RawValue {
        &self.event
    }

    /// The `event` object decoded as `T`.
    pub fn event_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.event.get())
    }

    /// The header and the raw `event` object.
    pub fn into_parts(self) -> (EventHeader, Box<RawValue>) {
        (self.header, self.event)
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("header", &self.header)
            .field("event_bytes", &self.event.get().len())
            .finish()
    }
}

/// A URL check (`{"type": "url_verification", "challenge", "token"}`) with the right token: answer it with HTTP
/// 200, the content type [`CHALLENGE_CONTENT_TYPE`], and [`response_body`](Self::response_body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub(crate) challenge: String,
    pub(crate) response_body: String,
}

/// The content type of a challenge's answer.
pub const CHALLENGE_CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl Challenge {
    pub(crate) fn new(challenge: String) -> Self {
        let response_body = serde_json::json!({ "challenge": challenge }).to_string();
        Challenge {
            challenge,
            response_body,
        }
    }

    /// The challenge Feishu sent.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The body to answer with: `{"challenge":"<the same>"}`.
    pub fn response_body(&self) -> &str {
        &self.response_body
    }
}

/// What [`Receiver::receive`](super::Receiver::receive) made of a delivery.
#[derive(Debug)]
pub enum Outcome {
    /// A URL check: answer it with [`Challenge::response_body`].
    Challenge(Challenge),
    /// An event seen for the first time: handle it, then answer HTTP 200. If handling fails, call
    /// [`Receiver::release`](super::Receiver::release) with its id and answer 500, so that Feishu's redelivery
    /// is not taken for a duplicate.
    Event(Delivery),
    /// An `app_ticket` event whose ticket the receiver gave to its store app client
    /// ([`ReceiverBuilder::app_tickets`](super::ReceiverBuilder::app_tickets)): answer HTTP 200.
    TicketKept(Delivery),
    /// An event already received within the duplicate window: answer HTTP 200 and do not handle it again.
    Duplicate(EventHeader),
    /// A refused delivery: answer with [`Refusal::status`].
    Refused(Refusal),
}

impl Outcome {
    /// The HTTP status to answer with once the outcome is dealt with: 200, or the refusal's status.
    pub fn status(&self) -> u16 {
        match self {
            Outcome::Refused(refusal) => refusal.status(),
            _ => 200,
        }
    }
}
