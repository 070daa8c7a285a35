//! Client-side pacing that keeps each operation under its documented requests-per-second limit.
//!
//! [`RateLimit`] says which limit applies; a [`RateLimiter`] enforces it. The default, [`WindowLimiter`], counts
//! the calls of this process. A service that runs many instances can plug in a limiter they share (one backed
//! by Redis, say) with [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Which limit the client keeps each operation under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateLimit {
    /// Each operation at most at its documented rate (`x-rate-limit`). The default.
    #[default]
    Documented,
    /// Each operation at most this many requests per second, whatever the docs say.
    PerSecond(u32),
    /// No pacing.
    Off,
}

impl RateLimit {
    /// The calls per second allowed for an operation documented at `documented`; `None` means no limit.
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

/// Decides when a call may start. The client asks before every attempt of a call whose operation has a limit.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Resolves when one more call of `operation` may start, given that at most `per_second` calls of it may
    /// start in any one-second window. A call that may start at once should not wait.
    fn acquire(&self, operation: &'static str, per_second: u32) -> Acquire<'_>;
}

/// The in-process limiter: at most `per_second` calls of an operation start in any one-second window, and a
/// call starts at once while the window has room. Waiting calls start in the order they asked.
#[derive(Debug, Default)]
pub struct WindowLimiter {
    /// Per operation, the start times of its latest calls (granted or promised), oldest first.
    starts: Mutex<HashMap<&'static str, VecDeque<Instant>>>,
}

impl WindowLimiter {
    /// A limiter with no calls counted yet.
    pub fn new() -> Self {
        WindowLimiter::default()
    }

    /// Reserves the earliest start that keeps the window, and returns it.
    fn reserve(&self, operation: &'static str, per_second: u32) -> Instant {
        const WINDOW: Duration = Duration::from_secs(1);
        let capacity = usize::try_from(per_second).unwrap_or(usize::MAX).max(1);
        // A poisoned lock only means another call panicked while holding it; the map is still usable.
        let mut starts = self.starts.lock().unwrap_or_else(|e| e.into_inner());
        let queue = starts.entry(operation).or_default();
        let now = Instant::now();
        // Starts a whole window ago no longer count.
        while queue.front().is_some_and(|t| *t + WINDOW <= now) {
            queue.pop_front();
        }
        // The call `capacity` places back must have started a full window before this one.
        let start = if queue.len() < capacity {
            now
        } else {
            let oldest = queue.pop_front().unwrap_or(now);
            (oldest + WINDOW).max(now)
        };
        while queue.len() >= capacity {
            queue.pop_front();
        }
        queue.push_back(start);
        start
    }
}

impl RateLimiter for WindowLimiter {
    fn acquire(&self, operation: &'static str, per_second: u32) -> Acquire<'_> {
        let start = self.reserve(operation, per_second);
        Box::pin(async move {
            if start > Instant::now() {
                tokio::time::sleep_until(start).await;
            }
        })
    }
}
