//! The receiver as a `tower` service (feature `tower`): reads the body under the limit, receives the delivery,
//! and passes each event to a handler.

use super::{Delivery, Outcome, Receiver, Refusal, RefusalReason, CHALLENGE_CONTENT_TYPE};
use bytes::Bytes;
use futures_util::FutureExt as _;
use http::header::{HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// What an event handler fails with.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The future an event handler returns.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'a>>;

/// Handles the events an [`EventService`] receives.
///
/// Any `Fn(Delivery) -> impl Future<Output = Result<(), E>>` is one (`E` any error). Feishu waits about three
/// seconds for the answer, and delivers the event again when it gets none: a handler with long work to do
/// queues it and returns.
pub trait EventHandler: Send + Sync + 'static {
    /// Handles one event. An error (or a panic) makes the service answer 500 and forget the event's id, so that
    /// Feishu's redelivery is handled again.
    fn handle(&self, delivery: Delivery) -> HandlerFuture<'_>;
}

impl<F, Fut, E> EventHandler for F
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<HandlerError>,
{
    fn handle(&self, delivery: Delivery) -> HandlerFuture<'_> {
        let handled = self(delivery);
        Box::pin(async move { handled.await.map_err(Into::into) })
    }
}

/// The body of every answer with HTTP 200 but a challenge's.
const SUCCESS_BODY: &str = r#"{"msg":"success"}"#;

/// A [`Receiver`] with a handler, as a `tower` service of `http::Request<B>` for any body `B`: mount it in axum
/// with `Router::new().route_service("/feishu/events", service)`, or serve it with hyper through
/// `hyper_util::service::TowerToHyperService`.
///
/// For each request:
///
/// | request | answer |
/// | --- | --- |
/// | not `POST` | 405 ([`RefusalReason::NotPost`]) |
/// | a `Content-Length`, or a body, larger than [`Receiver::max_body_bytes`] | 413, reading no further |
/// | a body that breaks off | 400 ([`RefusalReason::UnreadableBody`]) |
/// | [`Outcome::Challenge`] | 200, `{"challenge": ...}` |
/// | [`Outcome::Event`] | the handler is called: 200 when it succeeds; 500 when it fails or panics, and the event's id is forgotten ([`Receiver::release`]) so that Feishu's redelivery is handled |
/// | [`Outcome::TicketKept`], [`Outcome::Duplicate`] | 200; the handler is not called |
/// | [`Outcome::Refused`] | the refusal's status, with the reason's text as `msg` |
///
/// Every answer is JSON. The service is always ready and never fails (its error is `Infallible`). Once the body
/// is read, receiving and handling run in a task of their own (under a tokio runtime), so a connection that
/// Feishu closes before the answer does not cut the handling short: a failure still releases the event's id.
pub struct EventService<H> {
    receiver: Receiver,
    handler: Arc<H>,
}

impl<H> Clone for EventService<H> {
    fn clone(&self) -> Self {
        EventService {
            receiver: self.receiver.clone(),
            handler: self.handler.clone(),
        }
    }
}

impl<H> fmt::Debug for EventService<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventService")
            .field("receiver", &self.receiver)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// This receiver as a `tower` service that passes each event to `handler`.
    pub fn into_service<H: EventHandler>(self, handler: H) -> EventService<H> {
        EventService {
            receiver: self,
            handler: Arc::new(handler),
        }
    }
}

impl<H> EventService<H> {
    /// The receiver.
    pub fn receiver(&self) -> &Receiver {
        &self.receiver
    }
}

impl<H, B> tower_service::Service<Request<B>> for EventService<H>
where
    H: EventHandler,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<HandlerError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move { Ok(service.serve(request).await) })
    }
}

impl<H: EventHandler> EventService<H> {
    async fn serve<B>(self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<HandlerError>,
    {
        if request.method() != Method::POST {
            let mut answer = refused(&Refusal::new(RefusalReason::NotPost));
            answer
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
            return answer;
        }
        let limit = self.receiver.max_body_bytes();
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return refused(&Refusal::new(RefusalReason::TooLarge));
        }
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<LengthLimitError>() => {
                return refused(&Refusal::new(RefusalReason::TooLarge))
            }
            Err(e) => {
                return refused(&Refusal::with_source(RefusalReason::UnreadableBody, e));
            }
        };
        // The rest runs in a task of its own when there is a runtime (always, under a tokio server): if Feishu
        // stops waiting and closes the connection, the handling still ends, and a failure still releases the
        // event's id for the redelivery.
        let answering = self.answer(parts.headers, body);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => match runtime.spawn(answering).await {
                Ok(answer) => answer,
                Err(_) => json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    r#"{"msg":"the event was not handled"}"#,
                ),
            },
            Err(_) => answering.await,
        }
    }

    /// Receives the delivery and, for an event, calls the handler.
    async fn answer(self, headers: http::HeaderMap, body: Bytes) -> Response<Full<Bytes>> {
        match self.receiver.receive(&headers, &body).await {
            Outcome::Challenge(challenge) => json(StatusCode::OK, challenge.response_body()),
            Outcome::Event(delivery) => {
                let id = delivery.header().event_id().to_owned();
                let event_type = delivery.header().event_type().to_owned();
                let handled = AssertUnwindSafe(self.handler.handle(delivery))
                    .catch_unwind()
                    .await;
                let failure = match handled {
                    Ok(Ok(())) => return json(StatusCode::OK, SUCCESS_BODY),
                    Ok(Err(e)) => e.to_string(),
                    Err(_) => "the handler panicked".to_owned(),
                };
                tracing::warn!(event_id = %id, event_type = %event_type, error = %crate::redact::quoted(&failure), "the event handler failed; answering 500 so that Feishu delivers the event again");
                self.receiver.release_logged(&id).await;
                json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    r#"{"msg":"the event handler failed"}"#,
                )
            }
            Outcome::TicketKept(_) | Outcome::Duplicate(_) => json(StatusCode::OK, SUCCESS_BODY),
            Outcome::Refused(refusal) => refused(&refusal),
        }
    }
}

fn refused(refusal: &Refusal) -> Response<Full<Bytes>> {
    let status =
        StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::json!({ "msg": refusal.reason().describe() }).to_string();
    json(status, &body)
}

fn json(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut answer = Response::new(Full::new(Bytes::from(body.to_owned())));
    *answer.status_mut() = status;
    answer.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(CHALLENGE_CONTENT_TYPE),
    );
    answer
}
