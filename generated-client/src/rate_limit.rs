//! Client-side pacing that keeps each operation under its documented requests-per-second limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// How the client paces its calls.
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

/// Spaces the start of calls to one operation at least `1 / rate` seconds apart, shared by all clones of a
/// client. Waiting calls are queued in arrival order of their reservation.
#[derive(Debug)]
pub(crate) struct Limiter {
    mode: RateLimit,
    next_free: Mutex<HashMap<&'static str, Instant>>,
}

impl Limiter {
    pub(crate) fn new(mode: RateLimit) -> Self {
        Limiter {
            mode,
            next_free: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a call to `operation`, documented at `documented` requests per second, may start.
    pub(crate) async fn acquire(&self, operation: &'static str, documented: Option<u32>) {
        let rate = match self.mode {
            RateLimit::Documented => documented,
            RateLimit::PerSecond(n) => Some(n),
            RateLimit::Off => None,
        };
        let Some(rate) = rate.filter(|r| *r > 0) else {
            return;
        };
        let interval = Duration::from_secs(1) / rate;
        let start = {
            // A poisoned lock only means another call panicked while holding it; the map is still usable.
            let mut next_free = self
                .next_free
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let now = Instant::now();
            let slot = next_free
                .get(operation)
                .copied()
                .filter(|t| *t > now)
                .unwrap_or(now);
            next_free.insert(operation, slot + interval);
            slot
        };
        tokio::time::sleep_until(start).await;
    }
}
