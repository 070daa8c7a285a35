//! Client-side pacing that keeps each operation under its documented requests-per-second limit.
//!
//! [`RateLimit`] says which limit applies; a [`RateLimiter`] enforces it. The default, [`WindowLimiter`], counts
//! the requests of this process. A service that runs many instances can plug in a limiter they share (one backed
//! by Redis, say) with [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Mutex as AsyncMutex;
use tokio::time::Instant;

/// Which limit the client keeps each operation under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateLimit {
    /// Each operation at most at its documented rate (`x-rate-limit`). The default.
    #[default]
    Documented,
    /// Each operation at most this many requests per second, whatever the docs say. At least 1:
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) refuses `PerSecond(0)`; [`RateLimit::Off`] is no
    /// limit.
    PerSecond(u32),
    /// No pacing.
    Off,
}

impl RateLimit {
    /// The requests per second allowed for an operation documented at `documented`; `None` means no limit.
    pub fn per_second(self, documented: Option<u32>) -> Option<u32> {
        match self {
            RateLimit::Documented => documented,
            RateLimit::PerSecond(n) => Some(n),
            RateLimit::Off => None,
        }
        .filter(|n| *n > 0)
    }
}

/// The future a [`RateLimiter`] returns.
pub type Acquire<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Decides when a request may be sent. The client asks right before every attempt of a call whose operation has
/// a limit: after the call's token is in hand and after any wait before a retry, so what a limiter counts is
/// requests as they are sent.
///
/// The contract of an implementation:
/// - the future resolves when one more request of `operation` may be sent, given that at most `per_second`
///   requests of it may be sent in any one-second window; the request is sent as soon as it resolves, so a
///   limiter counts the request at that moment;
/// - a request that may be sent at once resolves at once;
/// - a future dropped before it resolves takes no slot: the caller gave up (its deadline ran out, say), and the
///   request is never sent;
/// - the future may wait as long as it must; the client drops it when the call's deadline (the request
///   builder's `timeout`, or [`ClientBuilder::call_timeout`](crate::ClientBuilder::call_timeout)) runs out,
///   and the call fails with [`Error::Timeout`](crate::Error::Timeout).
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Resolves when one more request of `operation` may be sent; see the trait's contract.
    fn acquire(&self, operation: &'static str, per_second: u32) -> Acquire<'_>;
}

/// The in-process limiter: at most `per_second` requests of an operation are sent in any one-second window,
/// counted when each is let through, and a request is let through at once while the window has room. Waiting
/// requests go in the order they asked; one whose caller gives up leaves its place and takes no slot.
#[derive(Debug, Default)]
pub struct WindowLimiter {
    operations: Mutex<HashMap<&'static str, Arc<Window>>>,
}

/// The window of one operation. Its lock is held by the one request that waits for the window to have room;
/// the others queue for the lock in the order they came (tokio's mutex is fair).
#[derive(Debug, Default)]
struct Window {
    /// When the requests of the last second were let through, oldest first.
    sent: AsyncMutex<VecDeque<Instant>>,
}

/// The length of the window.
const WINDOW: Duration = Duration::from_secs(1);

impl WindowLimiter {
    /// A limiter with no requests counted yet.
    pub fn new() -> Self {
        WindowLimiter::default()
    }

    fn window(&self, operation: &'static str) -> Arc<Window> {
        // A poisoned lock only means another call panicked while holding it; the map is still usable.
        let mut operations = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        operations.entry(operation).or_default().clone()
    }
}

impl Window {
    /// Waits until the window has room, then counts one request as sent now. Dropped while it waits, it has
    /// counted nothing.
    async fn admit(&self, per_second: u32) {
        let capacity = usize::try_from(per_second).unwrap_or(usize::MAX).max(1);
        let mut sent = self.sent.lock().await;
        loop {
            let now = Instant::now();
            // Requests sent a whole window ago no longer count.
            while sent.front().is_some_and(|t| *t + WINDOW <= now) {
                sent.pop_front();
            }
            if sent.len() < capacity {
                sent.push_back(now);
                return;
            }
            // The oldest request in the window leaves it first; nothing is counted while waiting.
            let oldest = sent.front().copied().unwrap_or(now);
            tokio::time::sleep_until(oldest + WINDOW).await;
        }
    }
}

impl RateLimiter for WindowLimiter {
    fn acquire(&self, operation: &'static str, per_second: u32) -> Acquire<'_> {
        let window = self.window(operation);
        Box::pin(async move { window.admit(per_second).await })
    }
}
