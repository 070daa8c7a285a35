//! Client-side pacing that keeps each operation under its documented limits: requests per second, per minute,
//! or both.
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
    /// Each operation at most at its documented rates (`x-rate-limit`), per second and per minute. The default.
    #[default]
    Documented,
    /// Each operation at most this many requests per second, whatever the docs say. At least 1:
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) refuses `PerSecond(0)`; [`RateLimit::Off`] is no
    /// limit.
    PerSecond(u32),
    /// No pacing.
    Off,
}

/// The most requests of one operation in each window: per second, per minute, or both (`1000 次/分钟、50 次/秒`
/// on a doc page). A window without a number has no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Quota {
    /// At most this many requests in any one-second window.
    pub per_second: Option<u32>,
    /// At most this many requests in any sixty-second window.
    pub per_minute: Option<u32>,
}

impl Quota {
    /// No limit in either window.
    pub const NONE: Quota = Quota {
        per_second: None,
        per_minute: None,
    };

    /// Whether a window has a limit.
    pub fn is_limited(&self) -> bool {
        self.per_second.is_some() || self.per_minute.is_some()
    }

    /// Each window with its length and its most requests, for the windows that have a limit.
    pub fn windows(&self) -> impl Iterator<Item = (Duration, u32)> {
        [
            (Duration::from_secs(1), self.per_second),
            (Duration::from_secs(60), self.per_minute),
        ]
        .into_iter()
        .filter_map(|(length, most)| Some((length, most?)))
    }
}

impl RateLimit {
    /// The limits of an operation documented at `documented`; `None` means no limit.
    pub fn quota(self, documented: Quota) -> Option<Quota> {
        let quota = match self {
            RateLimit::Documented => documented,
            RateLimit::PerSecond(n) => Quota {
                per_second: Some(n),
                per_minute: None,
            },
            RateLimit::Off => Quota::NONE,
        };
        let quota = Quota {
            per_second: quota.per_second.filter(|n| *n > 0),
            per_minute: quota.per_minute.filter(|n| *n > 0),
        };
        quota.is_limited().then_some(quota)
    }
}

/// What a [`RateLimiter`] fails with: any error of the limiter (a shared limiter's lost connection to Redis, say).
pub type LimiterError = Box<dyn std::error::Error + Send + Sync>;

/// The future a [`RateLimiter`] returns.
pub type Acquire<'a> = Pin<Box<dyn Future<Output = Result<(), LimiterError>> + Send + 'a>>;

/// Decides when a request may be sent. The client asks right before every attempt of a call whose operation has
/// a limit: after the call's token is in hand and after any wait before a retry, so what a limiter counts is
/// requests as they are sent.
///
/// The contract of an implementation:
/// - the future resolves when one more request of `operation` may be sent, given that at most
///   `quota.per_second` requests of it may be sent in any one-second window and at most `quota.per_minute` in
///   any sixty-second window (a window without a number has no limit); the request is sent as soon as it
///   resolves, so a limiter counts the request at that moment;
/// - a request that may be sent at once resolves at once;
/// - a future dropped before it resolves takes no slot: the caller gave up (its deadline ran out, say), and the
///   request is never sent;
/// - the future may wait as long as it must; the client drops it when the call's deadline (the request
///   builder's `timeout`, or [`ClientBuilder::call_timeout`](crate::ClientBuilder::call_timeout)) runs out,
///   and the call fails with [`Error::Timeout`](crate::Error::Timeout);
/// - a limiter that cannot decide (its shared store is down, say) resolves with an error: the request is not
///   sent, and the call fails with [`Error::RateLimiter`](crate::Error::RateLimiter) naming the operation and
///   carrying that error.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Resolves when one more request of `operation` may be sent; see the trait's contract.
    fn acquire(&self, operation: &'static str, quota: Quota) -> Acquire<'_>;
}

/// The in-process limiter: at most `quota.per_second` requests of an operation are sent in any one-second
/// window and at most `quota.per_minute` in any sixty-second window, counted when each is let through, and a
/// request is let through at once while every window has room. Waiting requests go in the order they asked; one
/// whose caller gives up leaves its place and takes no slot.
#[derive(Debug, Default)]
pub struct WindowLimiter {
    operations: Mutex<HashMap<&'static str, Arc<Windows>>>,
}

/// The windows of one operation. Its lock is held by the one request that waits for the windows to have room;
/// the others queue for the lock in the order they came (tokio's mutex is fair).
#[derive(Debug, Default)]
struct Windows {
    /// When the requests of the last minute were let through, oldest first: the one-second window is its tail.
    sent: AsyncMutex<VecDeque<Instant>>,
}

/// The longest window: no request older than this counts.
const LONGEST: Duration = Duration::from_secs(60);

impl WindowLimiter {
    /// A limiter with no requests counted yet.
    pub fn new() -> Self {
        WindowLimiter::default()
    }

    fn windows(&self, operation: &'static str) -> Arc<Windows> {
        // A poisoned lock only means another call panicked while holding it; the map is still usable.
        let mut operations = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        operations.entry(operation).or_default().clone()
    }
}

impl Windows {
    /// Waits until every window has room, then counts one request as sent now. Dropped while it waits, it has
    /// counted nothing.
    async fn admit(&self, quota: Quota) {
        let mut sent = self.sent.lock().await;
        // Only as many times as the largest window needs are kept.
        let keep = quota
            .windows()
            .map(|(_, most)| usize::try_from(most).unwrap_or(usize::MAX).max(1))
            .max()
            .unwrap_or(1);
        loop {
            let now = Instant::now();
            // Requests sent a whole minute ago no longer count in any window; more than the largest window
            // holds are never needed.
            while sent.front().is_some_and(|t| *t + LONGEST <= now) || sent.len() > keep {
                sent.pop_front();
            }
            // For each full window, when its oldest request leaves it.
            let free_at = quota
                .windows()
                .filter_map(|(length, most)| {
                    let most = usize::try_from(most).unwrap_or(usize::MAX).max(1);
                    let in_window = sent.iter().rev().take_while(|t| **t + length > now).count();
                    (in_window >= most).then(|| sent[sent.len() - most] + length)
                })
                .max();
            match free_at {
                None => {
                    sent.push_back(now);
                    return;
                }
                // Nothing is counted while waiting.
                Some(at) => tokio::time::sleep_until(at).await,
            }
        }
    }
}

impl RateLimiter for WindowLimiter {
    fn acquire(&self, operation: &'static str, quota: Quota) -> Acquire<'_> {
        let windows = self.windows(operation);
        Box::pin(async move {
            windows.admit(quota).await;
            Ok(())
        })
    }
}
