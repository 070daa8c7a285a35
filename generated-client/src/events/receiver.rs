//! The receiver: checks a delivery, in the order the module documentation gives, and says what it is.

use super::crypto;
use super::{
    Challenge, Delivery, DuplicateStore, DuplicateStoreError, EventCredentials, EventHeader,
    MemoryDuplicateStore, Outcome, Refusal, RefusalReason, Schema, DEFAULT_DUPLICATE_TTL,
};
use crate::auth::{Secret, MAX_CREDENTIAL_CHARS};
use crate::validate::unsendable;
use crate::{Client, Error};
use http::HeaderMap;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// The largest body a receiver reads by default
/// ([`ReceiverBuilder::max_body_bytes`]): 1 MiB. Feishu's deliveries are a few kilobytes.
pub const MAX_EVENT_BODY_BYTES: usize = 1024 * 1024;

/// How far a delivery's time may be from the receiver's clock by default, before or after
/// ([`ReceiverBuilder::timestamp_window`]): 5 minutes.
pub const DEFAULT_TIMESTAMP_WINDOW: Duration = Duration::from_secs(5 * 60);

/// The longest event id (`header.event_id` or `uuid`) a delivery may have, in bytes: Feishu's are 32
/// characters. A delivery with a longer one is [`RefusalReason::NotADelivery`].
pub const MAX_EVENT_ID_BYTES: usize = 256;

/// The header with the time Feishu sent the request, in seconds since the Unix epoch.
pub const TIMESTAMP_HEADER: &str = "x-lark-request-timestamp";
/// The header with the request's nonce.
pub const NONCE_HEADER: &str = "x-lark-request-nonce";
/// The header with the request's signature: the lowercase hex SHA-256 of the timestamp, the nonce, the encrypt
/// key and the body.
pub const SIGNATURE_HEADER: &str = "x-lark-signature";

/// Receives Feishu's event deliveries: checks each one and says what it is ([`Outcome`]). Independent of any web
/// framework: give it the request's headers and body ([`receive`](Self::receive)), or mount its
/// [`EventService`](super::EventService) (feature `tower`).
///
/// Cheap to clone: clones share the duplicate store and the credentials.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: Arc<dyn EventCredentials>,
    max_body_bytes: usize,
    window: Duration,
    duplicates: Arc<dyn DuplicateStore>,
    duplicate_ttl: Duration,
    tickets: Option<TicketSink>,
}

/// The store app client the receiver gives app tickets to.
struct TicketSink {
    client: Client,
    app_id: String,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("credentials", &self.inner.credentials)
            .field("max_body_bytes", &self.inner.max_body_bytes)
            .field("timestamp_window", &self.inner.window)
            .field("duplicates", &self.inner.duplicates)
            .field("duplicate_ttl", &self.inner.duplicate_ttl)
            .field(
                "app_tickets_for",
                &self.inner.tickets.as_ref().map(|sink| &sink.app_id),
            )
            .finish()
    }
}

/// Configures a [`Receiver`].
pub struct ReceiverBuilder {
    credentials: Arc<dyn EventCredentials>,
    max_body_bytes: usize,
    window: Duration,
    duplicates: Option<Arc<dyn DuplicateStore>>,
    duplicate_ttl: Duration,
    tickets: Option<Client>,
}

impl fmt::Debug for ReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverBuilder")
            .field("credentials", &self.credentials)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("timestamp_window", &self.window)
            .field("duplicates", &self.duplicates)
            .field("duplicate_ttl", &self.duplicate_ttl)
            .field("app_tickets", &self.tickets)
            .finish()
    }
}

impl ReceiverBuilder {
    /// The largest body read, in bytes (default [`MAX_EVENT_BODY_BYTES`], 1 MiB). A longer one is
    /// [`RefusalReason::TooLarge`] (413).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// How far a delivery's time may be from the receiver's clock, before or after (default
    /// [`DEFAULT_TIMESTAMP_WINDOW`], 5 minutes). Older is [`RefusalReason::TooOld`], later
    /// [`RefusalReason::FromTheFuture`] (both 401).
    ///
    /// Without an encrypt key, the time is the event's own (Feishu sends no timestamp header), which stays the
    /// same in each redelivery: redeliveries later than the window are refused. Widen the window to accept
    /// them, or better, set an encrypt key.
    pub fn timestamp_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Where the ids of received events are kept (default a [`MemoryDuplicateStore`] of this receiver and its
    /// clones). Give a store shared by every instance of a service.
    pub fn duplicate_store(mut self, store: impl DuplicateStore + 'static) -> Self {
        self.duplicates = Some(Arc::new(store));
        self
    }

    /// How long an event's id is kept (default [`DEFAULT_DUPLICATE_TTL`], 12 hours): a redelivery within that
    /// time is an [`Outcome::Duplicate`].
    pub fn duplicate_ttl(mut self, ttl: Duration) -> Self {
        self.duplicate_ttl = ttl;
        self
    }

    /// Gives the ticket of every `app_ticket` delivery to `client`, a store app client
    /// ([`ClientBuilder::store_app`](crate::ClientBuilder::store_app)), with
    /// [`Client::set_app_ticket`]: the outcome is then [`Outcome::TicketKept`]. A ticket for another app id
    /// than the client's is [`RefusalReason::AppTicketForAnotherApp`] (403).
    pub fn app_tickets(mut self, client: Client) -> Self {
        self.tickets = Some(client);
        self
    }

    /// Builds the receiver.
    ///
    /// Refuses, with [`Error::Config`]: a zero `max_body_bytes`, `timestamp_window` or `duplicate_ttl`; a
    /// client given to [`app_tickets`](Self::app_tickets) that is not a store app; credentials whose verification
    /// token is empty now (they are read once here, then once per delivery).
    pub fn build(self) -> Result<Receiver, Error> {
        let refuse = |why: &str| Err(Error::Config(format!("event receiver: {why}")));
        if self.max_body_bytes == 0 {
            return refuse("max_body_bytes is 0; no delivery would fit");
        }
        if self.window.is_zero() {
            return refuse("timestamp_window is 0; no delivery would be on time");
        }
        if self.duplicate_ttl.is_zero() {
            return refuse("duplicate_ttl is 0; no redelivery would be found");
        }
        if self
            .credentials
            .current()
            .verification_token()
            .expose()
            .is_empty()
        {
            return refuse("the verification token is empty");
        }
        let tickets = match self.tickets {
            None => None,
            Some(client) => {
                let Some(app_id) = crate::client::store_app_id(&client).map(str::to_owned) else {
                    return refuse("app_tickets: the client is not a store app (see `ClientBuilder::store_app`)");
                };
                Some(TicketSink { client, app_id })
            }
        };
        Ok(Receiver {
            inner: Arc::new(Inner {
                credentials: self.credentials,
                max_body_bytes: self.max_body_bytes,
                window: self.window,
                duplicates: self
                    .duplicates
                    .unwrap_or_else(|| Arc::new(MemoryDuplicateStore::new())),
                duplicate_ttl: self.duplicate_ttl,
                tickets,
            }),
        })
    }
}

/// A delivery that passed the checks that need no store.
enum Checked {
    Challenge(Challenge),
    Event {
        delivery: Delivery,
        /// The app ticket to keep, for a receiver with a store app client.
        ticket: Option<Secret>,
    },
}

/// Where the time of a delivery is checked against the window.
enum TimeCheck<'a> {
    /// Already, right after the signature.
    Done,
    /// The `X-Lark-Request-Timestamp` header, without a signature.
    Header(&'a [u8]),
    /// The delivery's own time.
    Own,
}

impl Receiver {
    /// A builder with `credentials` (a [`Credentials`](super::Credentials), a
    /// [`SharedCredentials`](super::SharedCredentials), or a provider of one's own) and the defaults: 1 MiB
    /// bodies, a 5-minute window, a memory duplicate store of 10,000 ids for 12 hours, no app tickets.
    pub fn builder(credentials: impl EventCredentials + 'static) -> ReceiverBuilder {
        ReceiverBuilder {
            credentials: Arc::new(credentials),
            max_body_bytes: MAX_EVENT_BODY_BYTES,
            window: DEFAULT_TIMESTAMP_WINDOW,
            duplicates: None,
            duplicate_ttl: DEFAULT_DUPLICATE_TTL,
            tickets: None,
        }
    }

    /// The largest body the receiver reads, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// Checks one delivery: `headers` are the request's headers (the `http` crate's, as axum, hyper and reqwest
    /// have them; only [`TIMESTAMP_HEADER`], [`NONCE_HEADER`] and [`SIGNATURE_HEADER`] are read, so another
    /// framework's request needs only those three copied into a `HeaderMap`), `body` its raw bytes, unchanged:
    /// the signature covers them.
    ///
    /// Never fails and never panics: everything wrong is an [`Outcome::Refused`]. See the module documentation
    /// for the checks and their order.
    pub async fn receive(&self, headers: &HeaderMap, body: &[u8]) -> Outcome {
        let (delivery, ticket) = match self.check(headers, body) {
            Ok(Checked::Challenge(challenge)) => return Outcome::Challenge(challenge),
            Ok(Checked::Event { delivery, ticket }) => (delivery, ticket),
            Err(reason) => return refuse(Refusal::new(reason)),
        };
        let id = delivery.header.event_id.clone();
        match self
            .inner
            .duplicates
            .first_seen(&id, self.inner.duplicate_ttl)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!(event_id = %id, event_type = %delivery.header.event_type, "duplicate event delivery");
                return Outcome::Duplicate(delivery.header);
            }
            Err(e) => return refuse(Refusal::with_source(RefusalReason::DuplicateStore, e)),
        }
        let (Some(sink), Some(ticket)) = (&self.inner.tickets, ticket) else {
            return Outcome::Event(delivery);
        };
        match sink.client.set_app_ticket(ticket.expose()).await {
            Ok(()) => {
                tracing::debug!(event_id = %id, app_id = %sink.app_id, "app ticket kept");
                Outcome::TicketKept(delivery)
            }
            Err(e) => {
                // Feishu's redelivery of this ticket must not be taken for a duplicate.
                self.release_logged(&id).await;
                let reason = match e {
                    Error::InvalidRequest { .. } => RefusalReason::BadAppTicket,
                    _ => RefusalReason::TicketStore,
                };
                refuse(Refusal::with_source(reason, e))
            }
        }
    }

    /// Forgets that the event `event_id` was received, so that Feishu's redelivery of it is an
    /// [`Outcome::Event`] again and not a duplicate: call it when handling the event failed (and answer 500).
    pub async fn release(&self, event_id: &str) -> Result<(), DuplicateStoreError> {
        self.inner.duplicates.forget(event_id).await
    }

    /// [`release`](Self::release), logging a failure.
    pub(crate) async fn release_logged(&self, event_id: &str) {
        if let Err(e) = self.release(event_id).await {
            tracing::warn!(event_id = %event_id, error = %e, "could not forget an event id; its redelivery will be taken for a duplicate");
        }
    }

    /// The checks that need no store, in the documented order.
    fn check(&self, headers: &HeaderMap, body: &[u8]) -> Result<Checked, RefusalReason> {
        if body.len() > self.inner.max_body_bytes {
            return Err(RefusalReason::TooLarge);
        }
        let credentials = self.inner.credentials.current();
        let token = credentials.verification_token().expose();
        if token.is_empty() {
            return Err(RefusalReason::Misconfigured);
        }
        let header = |name: &str| headers.get(name).map(|value| value.as_bytes());
        let timestamp = header(TIMESTAMP_HEADER);
        let Some(key) = credentials
            .encrypt_key()
            .map(Secret::expose)
            .filter(|key| !key.is_empty())
        else {
            let parsed = parse(body, false)?;
            let time = timestamp.map_or(TimeCheck::Own, TimeCheck::Header);
            return self.finish(parsed, token, time);
        };
        let signed = match (timestamp, header(NONCE_HEADER), header(SIGNATURE_HEADER)) {
            (Some(timestamp), Some(nonce), Some(signature)) => {
                let expected = crypto::signature(timestamp, nonce, key, body);
                if crypto::signature_matches(signature, &expected) {
                    Ok(timestamp)
                } else {
                    Err(RefusalReason::BadSignature)
                }
            }
            _ => Err(RefusalReason::MissingSignatureHeaders),
        };
        match signed {
            Ok(timestamp) => {
                self.check_time(parse_seconds(timestamp).ok_or(RefusalReason::BadTimestamp)?)?;
                let plaintext = open(key, body)?;
                self.finish(parse(&plaintext, true)?, token, TimeCheck::Done)
            }
            Err(unsigned) => {
                // Feishu does not sign a URL check; nothing else passes without a valid signature. Whatever
                // else such a delivery has wrong is refused for the signature, so that the answers tell nothing
                // of how its decryption went.
                match open(key, body).and_then(|plaintext| parse(&plaintext, true)) {
                    Ok(challenge @ Parsed::Challenge { .. }) => {
                        self.finish(challenge, token, TimeCheck::Done)
                    }
                    Ok(Parsed::Delivery(_)) => Err(unsigned),
                    Err(cause) => {
                        tracing::debug!(cause = ?cause, "an unsigned delivery that is not a URL check");
                        Err(unsigned)
                    }
                }
            }
        }
    }

    /// The token, then the time, then the app ticket.
    fn finish(
        &self,
        parsed: Parsed,
        token: &str,
        time: TimeCheck<'_>,
    ) -> Result<Checked, RefusalReason> {
        let parts = match parsed {
            Parsed::Challenge {
                challenge,
                token: given,
            } => {
                check_token(given.as_deref(), token)?;
                return Ok(Checked::Challenge(Challenge::new(challenge)));
            }
            Parsed::Delivery(parts) => parts,
        };
        check_token(parts.token.as_deref(), token)?;
        match time {
            TimeCheck::Done => {}
            TimeCheck::Header(timestamp) => {
                self.check_time(parse_seconds(timestamp).ok_or(RefusalReason::BadTimestamp)?)?
            }
            TimeCheck::Own => match parts.own_time {
                OwnTime::Missing => return Err(RefusalReason::MissingTimestamp),
                OwnTime::Bad => return Err(RefusalReason::BadTimestamp),
                OwnTime::At(millis) => self.check_time(millis)?,
            },
        }
        let ticket = self.ticket_of(parts.ticket.as_ref())?;
        Ok(Checked::Event {
            delivery: Delivery {
                header: parts.header,
                event: parts.event,
            },
            ticket,
        })
    }

    /// Refuses a time (in milliseconds since the Unix epoch) outside the window.
    fn check_time(&self, millis: i64) -> Result<(), RefusalReason> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as i128);
        let window = self.inner.window.as_millis().min(i128::MAX as u128) as i128;
        let age = now - i128::from(millis);
        if age > window {
            Err(RefusalReason::TooOld)
        } else if -age > window {
            Err(RefusalReason::FromTheFuture)
        } else {
            Ok(())
        }
    }

    /// The ticket to keep, for a receiver with a store app client and an `app_ticket` delivery.
    fn ticket_of(&self, fields: Option<&TicketFields>) -> Result<Option<Secret>, RefusalReason> {
        let (Some(sink), Some(fields)) = (&self.inner.tickets, fields) else {
            return Ok(None);
        };
        let app_id = fields
            .app_id
            .as_deref()
            .ok_or(RefusalReason::BadAppTicket)?;
        if app_id != sink.app_id {
            return Err(RefusalReason::AppTicketForAnotherApp);
        }
        match &fields.ticket {
            Some(ticket) if unsendable(ticket, MAX_CREDENTIAL_CHARS).is_none() => {
                Ok(Some(Secret::new(ticket.clone())))
            }
            _ => Err(RefusalReason::BadAppTicket),
        }
    }
}

fn refuse(refusal: Refusal) -> Outcome {
    if refusal.status() >= 500 {
        tracing::warn!(reason = ?refusal.reason(), status = refusal.status(), error = %refusal, "event delivery refused");
    } else {
        tracing::debug!(reason = ?refusal.reason(), status = refusal.status(), "event delivery refused");
    }
    Outcome::Refused(refusal)
}

/// Compares the delivery's token with the receiver's, in constant time.
fn check_token(given: Option<&str>, token: &str) -> Result<(), RefusalReason> {
    match given {
        Some(given) if bool::from(given.as_bytes().ct_eq(token.as_bytes())) => Ok(()),
        _ => Err(RefusalReason::BadToken),
    }
}

/// `bytes` as text, when it is UTF-8 and starts (after white space) with `{`; otherwise the reason: `NotJson`
/// for what is not UTF-8 JSON (JSON parsers skip the strings of members they ignore without checking them), and
/// `not_object` for JSON of another kind.
fn object_text(bytes: &[u8], not_object: RefusalReason) -> Result<&str, RefusalReason> {
    let text = std::str::from_utf8(bytes).map_err(|_| RefusalReason::NotJson)?;
    if text.trim_start().starts_with('{') {
        return Ok(text);
    }
    match serde_json::from_str::<IgnoredAny>(text) {
        Ok(_) => Err(not_object),
        Err(_) => Err(RefusalReason::NotJson),
    }
}

/// The plaintext of an `{"encrypt": "..."}` body.
fn open(key: &str, body: &[u8]) -> Result<Vec<u8>, RefusalReason> {
    #[derive(Deserialize)]
    struct Sealed {
        encrypt: Option<Value>,
    }
    let body = object_text(body, RefusalReason::NotEncrypted)?;
    let sealed: Sealed = serde_json::from_str(body).map_err(|e| {
        if e.is_data() {
            RefusalReason::NotEncrypted
        } else {
            RefusalReason::NotJson
        }
    })?;
    match sealed.encrypt {
        Some(Value::String(text)) => crypto::decrypt(key, &text),
        _ => Err(RefusalReason::NotEncrypted),
    }
}

/// A plaintext delivery, read.
enum Parsed {
    Challenge {
        challenge: String,
        token: Option<String>,
    },
    Delivery(Parts),
}

struct Parts {
    header: EventHeader,
    token: Option<String>,
    event: Box<RawValue>,
    own_time: OwnTime,
    /// For an `app_ticket` event.
    ticket: Option<TicketFields>,
}

/// The time a delivery gives of itself.
enum OwnTime {
    Missing,
    Bad,
    /// Milliseconds since the Unix epoch.
    At(i64),
}

struct TicketFields {
    app_id: Option<String>,
    ticket: Option<String>,
}

/// Every field either schema has at the top; each is checked for its type once the schema is known.
#[derive(Deserialize)]
struct Envelope {
    schema: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<Value>,
    challenge: Option<Value>,
    token: Option<Value>,
    uuid: Option<Value>,
    ts: Option<Value>,
    header: Option<Value>,
    event: Option<Box<RawValue>>,
    encrypt: Option<Value>,
}

/// The header of a 2.0 delivery.
#[derive(Deserialize)]
struct HeaderV2 {
    event_id: Option<Value>,
    event_type: Option<Value>,
    create_time: Option<Value>,
    token: Option<Value>,
    app_id: Option<Value>,
    tenant_key: Option<Value>,
}

/// What the receiver reads of an `event` object: the type (1.0), the app and tenant (1.0), the app ticket.
#[derive(Deserialize)]
struct EventFields {
    #[serde(rename = "type")]
    kind: Option<Value>,
    app_id: Option<Value>,
    tenant_key: Option<Value>,
    app_ticket: Option<Value>,
}

/// Reads a plaintext delivery. `key_set`: whether it was decrypted (an `encrypt` field is then not a delivery).
fn parse(bytes: &[u8], key_set: bool) -> Result<Parsed, RefusalReason> {
    let text = object_text(bytes, RefusalReason::NotADelivery)?;
    let envelope: Envelope = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            RefusalReason::NotADelivery
        } else {
            RefusalReason::NotJson
        }
    })?;
    if envelope.encrypt.is_some() {
        return Err(if key_set {
            RefusalReason::NotADelivery
        } else {
            RefusalReason::EncryptedWithoutKey
        });
    }
    let kind = envelope.kind.as_ref().and_then(Value::as_str);
    if kind == Some("url_verification") {
        let Some(Value::String(challenge)) = envelope.challenge else {
            return Err(RefusalReason::NotADelivery);
        };
        return Ok(Parsed::Challenge {
            challenge,
            token: lenient_text(envelope.token),
        });
    }
    match &envelope.schema {
        Some(Value::String(schema)) if schema == "2.0" => parse_v2(envelope).map(Parsed::Delivery),
        Some(_) => Err(RefusalReason::UnknownSchema),
        None if kind == Some("event_callback") => parse_v1(envelope).map(Parsed::Delivery),
        None => Err(RefusalReason::NotADelivery),
    }
}

fn parse_v2(envelope: Envelope) -> Result<Parts, RefusalReason> {
    let header = match envelope.header {
        Some(header @ Value::Object(_)) => {
            serde_json::from_value::<HeaderV2>(header).map_err(|_| RefusalReason::NotADelivery)?
        }
        _ => return Err(RefusalReason::NotADelivery),
    };
    let event = object(envelope.event)?;
    let event_type = required(header.event_type)?;
    let app_id = text(header.app_id)?;
    let ticket = if event_type == "app_ticket" {
        let fields = event_fields(&event)?;
        Some(TicketFields {
            app_id: lenient_text(fields.app_id).or_else(|| app_id.clone()),
            ticket: lenient_text(fields.app_ticket),
        })
    } else {
        None
    };
    Ok(Parts {
        header: EventHeader {
            schema: Schema::V2,
            event_id: event_id(header.event_id)?,
            event_type,
            create_time: None,
            app_id,
            tenant_key: text(header.tenant_key)?,
        },
        token: lenient_text(header.token),
        event,
        own_time: own_time(header.create_time, parse_millis),
        ticket,
    }
    .with_create_time())
}

fn parse_v1(envelope: Envelope) -> Result<Parts, RefusalReason> {
    let event = object(envelope.event)?;
    let fields = event_fields(&event)?;
    let event_type = required(fields.kind)?;
    let app_id = text(fields.app_id)?;
    let ticket = (event_type == "app_ticket").then(|| TicketFields {
        app_id: app_id.clone(),
        ticket: lenient_text(fields.app_ticket),
    });
    Ok(Parts {
        header: EventHeader {
            schema: Schema::V1,
            event_id: event_id(envelope.uuid)?,
            event_type,
            create_time: None,
            app_id,
            tenant_key: text(fields.tenant_key)?,
        },
        token: lenient_text(envelope.token),
        event,
        own_time: own_time(envelope.ts, |text| parse_seconds(text.as_bytes())),
        ticket,
    }
    .with_create_time())
}

impl Parts {
    /// The header's create time, from the delivery's own time when it reads.
    fn with_create_time(mut self) -> Self {
        if let OwnTime::At(millis) = self.own_time {
            self.header.create_time = u64::try_from(millis)
                .ok()
                .and_then(|millis| UNIX_EPOCH.checked_add(Duration::from_millis(millis)));
        }
        self
    }
}

/// The `event` member, which must be an object.
fn object(event: Option<Box<RawValue>>) -> Result<Box<RawValue>, RefusalReason> {
    match event {
        Some(event) if event.get().starts_with('{') => Ok(event),
        _ => Err(RefusalReason::NotADelivery),
    }
}

fn event_fields(event: &RawValue) -> Result<EventFields, RefusalReason> {
    serde_json::from_str(event.get()).map_err(|_| RefusalReason::NotADelivery)
}

/// A string member, if present (`null` is absent); another type is not a delivery.
fn text(value: Option<Value>) -> Result<Option<String>, RefusalReason> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(RefusalReason::NotADelivery),
    }
}

/// A string member, or nothing whatever else it is.
fn lenient_text(value: Option<Value>) -> Option<String> {
    match value {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// A string member that must be there and not be empty.
fn required(value: Option<Value>) -> Result<String, RefusalReason> {
    match text(value)? {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err(RefusalReason::NotADelivery),
    }
}

fn event_id(value: Option<Value>) -> Result<String, RefusalReason> {
    let id = required(value)?;
    if id.len() > MAX_EVENT_ID_BYTES {
        return Err(RefusalReason::NotADelivery);
    }
    Ok(id)
}

/// The delivery's own time, written as a string or a number.
fn own_time(value: Option<Value>, parse: impl Fn(&str) -> Option<i64>) -> OwnTime {
    let parsed = match value {
        None | Some(Value::Null) => return OwnTime::Missing,
        Some(Value::String(text)) => parse(&text),
        Some(Value::Number(number)) => parse(&number.to_string()),
        Some(_) => None,
    };
    parsed.map_or(OwnTime::Bad, OwnTime::At)
}

/// Seconds since the Unix epoch, with an optional fraction (`1502199207.7171419`, as 1.0's `ts` and the
/// timestamp header write it), in milliseconds.
fn parse_seconds(text: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(text).ok()?.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let seconds: i64 = whole.parse().ok()?;
    let millis = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0i64, |millis, digit| millis * 10 + i64::from(digit - b'0'));
    Some(seconds * 1000 + millis)
}

/// Milliseconds since the Unix epoch, as 2.0's `create_time` writes them.
fn parse_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_feishu_writes_them() {
        assert_eq!(
            parse_seconds(b"1502199207.7171419"),
            Some(1_502_199_207_717)
        );
        assert_eq!(parse_seconds(b"1700000000"), Some(1_700_000_000_000));
        assert_eq!(parse_seconds(b"1700000000.5"), Some(1_700_000_000_500));
        for bad in [
            &b""[..],
            b".5",
            b"-1",
            b"1e9",
            b"nan",
            b"inf",
            b"1.2.3",
            b"9999999999999",
            b"\xff",
        ] {
            assert_eq!(parse_seconds(bad), None, "{bad:?}");
        }
        assert_eq!(parse_millis("1608725989000"), Some(1_608_725_989_000));
        assert_eq!(parse_millis("1608725989000.5"), None);
        assert_eq!(parse_millis("-5"), None);
    }
}
