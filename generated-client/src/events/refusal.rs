//! Why a delivery was refused, and the HTTP status that says so.

use crate::redact::quoted;
use std::fmt;
use std::sync::Arc;

/// Why a delivery was refused. Each reason has its HTTP status ([`status`](Self::status)):
///
/// | status | reasons |
/// | --- | --- |
/// | 400 | the body cannot be read as a delivery: [`NotJson`](Self::NotJson), [`NotEncrypted`](Self::NotEncrypted), [`EncryptedWithoutKey`](Self::EncryptedWithoutKey), [`NotBase64`](Self::NotBase64), [`BadCiphertextLength`](Self::BadCiphertextLength), [`BadPadding`](Self::BadPadding), [`NotADelivery`](Self::NotADelivery), [`UnknownSchema`](Self::UnknownSchema), [`BadTimestamp`](Self::BadTimestamp), [`MissingTimestamp`](Self::MissingTimestamp), [`BadAppTicket`](Self::BadAppTicket), [`UnreadableBody`](Self::UnreadableBody) |
/// | 401 | the delivery is not shown to come from Feishu, now: [`BadToken`](Self::BadToken), [`MissingSignatureHeaders`](Self::MissingSignatureHeaders), [`BadSignature`](Self::BadSignature), [`TooOld`](Self::TooOld), [`FromTheFuture`](Self::FromTheFuture) |
/// | 403 | an authentic delivery this receiver must not act on: [`AppTicketForAnotherApp`](Self::AppTicketForAnotherApp) |
/// | 405 | not a `POST` (the tower service only): [`NotPost`](Self::NotPost) |
/// | 413 | [`TooLarge`](Self::TooLarge) |
/// | 500 | this side failed, and Feishu's redelivery may succeed: [`Misconfigured`](Self::Misconfigured), [`DuplicateStore`](Self::DuplicateStore), [`TicketStore`](Self::TicketStore) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The body is longer than the receiver's limit
    /// ([`ReceiverBuilder::max_body_bytes`](super::ReceiverBuilder::max_body_bytes)).
    TooLarge,
    /// The credentials hold an empty verification token, which would match nothing or everything.
    Misconfigured,
    /// The body, or the plaintext of an encrypted body, is not UTF-8 JSON.
    NotJson,
    /// An encrypt key is set, and the body is not `{"encrypt": "..."}`: with a key, Feishu encrypts every delivery.
    NotEncrypted,
    /// The body is encrypted, and no encrypt key is set.
    EncryptedWithoutKey,
    /// The `encrypt` text is not base64.
    NotBase64,
    /// The ciphertext is shorter than two blocks (the IV and one block) or not made of whole blocks.
    BadCiphertextLength,
    /// The PKCS#7 padding of the plaintext is wrong: a corrupt ciphertext, or another encrypt key.
    BadPadding,
    /// JSON that is not a delivery: not an object, no `event`, no id or event type, or a field of the wrong type.
    NotADelivery,
    /// A `schema` other than `"2.0"`.
    UnknownSchema,
    /// The verification token of the delivery is missing or is not the receiver's.
    BadToken,
    /// An encrypt key is set and the `X-Lark-Request-Timestamp`, `X-Lark-Request-Nonce` and `X-Lark-Signature`
    /// headers are not all there. Also the reason for anything else such a delivery has wrong, unless it is a
    /// URL check: an unsigned delivery learns nothing of how its decryption failed.
    MissingSignatureHeaders,
    /// The `X-Lark-Signature` header is not the signature of the request. Also the reason for anything else such
    /// a delivery has wrong, unless it is a URL check.
    BadSignature,
    /// The delivery's time (the `X-Lark-Request-Timestamp` header, or the delivery's own time) is not a time.
    BadTimestamp,
    /// Neither the `X-Lark-Request-Timestamp` header nor the delivery itself gives a time.
    MissingTimestamp,
    /// The delivery's time is older than the receiver's window
    /// ([`ReceiverBuilder::timestamp_window`](super::ReceiverBuilder::timestamp_window)): a recorded delivery.
    TooOld,
    /// The delivery's time is further ahead than the receiver's window.
    FromTheFuture,
    /// The store of event ids ([`DuplicateStore`](super::DuplicateStore)) failed.
    DuplicateStore,
    /// An `app_ticket` delivery for another app than the receiver's store app.
    AppTicketForAnotherApp,
    /// An `app_ticket` delivery without an app id or a ticket, or with a ticket that cannot be sent.
    BadAppTicket,
    /// Keeping the app ticket failed: the client's ticket store failed.
    TicketStore,
    /// The request is not a `POST` (the tower service only).
    NotPost,
    /// The request's body could not be read (the tower service only).
    UnreadableBody,
}

impl RefusalReason {
    /// The HTTP status to answer with; see the table above.
    pub fn status(self) -> u16 {
        use RefusalReason::*;
        match self {
            TooLarge => 413,
            Misconfigured | DuplicateStore | TicketStore => 500,
            BadToken | MissingSignatureHeaders | BadSignature | TooOld | FromTheFuture => 401,
            AppTicketForAnotherApp => 403,
            NotPost => 405,
            NotJson | NotEncrypted | EncryptedWithoutKey | NotBase64 | BadCiphertextLength
            | BadPadding | NotADelivery | UnknownSchema | BadTimestamp | MissingTimestamp
            | BadAppTicket | UnreadableBody => 400,
        }
    }

    /// What went wrong, in a few words (also the `Display` text).
    pub fn describe(self) -> &'static str {
        use RefusalReason::*;
        match self {
            TooLarge => "the body is larger than the receiver's limit",
            Misconfigured => "the receiver's verification token is empty",
            NotJson => "the delivery is not UTF-8 JSON",
            NotEncrypted => "an encrypt key is set and the delivery is not encrypted",
            EncryptedWithoutKey => "the delivery is encrypted and no encrypt key is set",
            NotBase64 => "the encrypted text is not base64",
            BadCiphertextLength => "the ciphertext is not whole AES blocks after the IV",
            BadPadding => "the decrypted text has a wrong padding (a corrupt ciphertext, or another encrypt key)",
            NotADelivery => "the JSON is not an event delivery",
            UnknownSchema => "the delivery's schema is not 2.0",
            BadToken => "the verification token is not the receiver's",
            MissingSignatureHeaders => "the signature headers are missing",
            BadSignature => "the signature is wrong",
            BadTimestamp => "the delivery's time is not a time",
            MissingTimestamp => "the delivery has no time",
            TooOld => "the delivery is older than the receiver's window",
            FromTheFuture => "the delivery's time is ahead of the receiver's window",
            DuplicateStore => "the store of event ids failed",
            AppTicketForAnotherApp => "the app ticket is for another app",
            BadAppTicket => "the app_ticket event has no usable app id or ticket",
            TicketStore => "the app ticket could not be kept",
            NotPost => "event deliveries are POST requests",
            UnreadableBody => "the request's body could not be read",
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A delivery the receiver refused: its [`reason`](Self::reason), the [`status`](Self::status) to answer with,
/// and, for a store that failed, the store's error as the [`source`](std::error::Error::source).
///
/// Neither `Display` nor `Debug` shows the credentials, the delivery's token, the signature or the body.
#[derive(Clone)]
pub struct Refusal {
    reason: RefusalReason,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Refusal {
    pub(crate) fn new(reason: RefusalReason) -> Self {
        Refusal {
            reason,
            source: None,
        }
    }

    pub(crate) fn with_source(
        reason: RefusalReason,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Refusal {
            reason,
            source: Some(Arc::from(source.into())),
        }
    }

    /// Why the delivery was refused.
    pub fn reason(&self) -> RefusalReason {
        self.reason
    }

    /// The HTTP status to answer with ([`RefusalReason::status`]).
    pub fn status(&self) -> u16 {
        self.reason.status()
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "event delivery refused (HTTP {}): {}",
            self.status(),
            self.reason
        )?;
        if let Some(source) = &self.source {
            write!(f, ": {}", quoted(&source.to_string()))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Refusal");
        out.field("reason", &self.reason)
            .field("status", &self.status());
        if let Some(source) = &self.source {
            out.field("source", &quoted(&source.to_string()).to_string());
        }
        out.finish()
    }
}

impl std::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
