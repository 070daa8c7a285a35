//! Bounded retries with exponential backoff and jitter.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// The longest wait before a retry: a longer `Retry-After`, or a longer backoff of the policy, is cut to this.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// How failed attempts of calls the spec marks safe to repeat are retried.
///
/// Retried: transport failures, timeouts, HTTP 5xx and 429, and Feishu's rate-limit code 99991400. The wait
/// before retry `n` (from 1) is a random duration between half and all of `initial_backoff * 2^(n-1)`, capped
/// at `max_backoff`; a wait the server names (`Retry-After`) is used instead when present. No wait is longer than
/// [`MAX_RETRY_WAIT`], whatever the policy or the server says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retrying off.
    pub max_retries: u32,
    /// The wait before the first retry (before jitter).
    pub initial_backoff: Duration,
    /// The longest computed wait.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Three retries, 200 ms doubling up to 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (from 1), honouring `server_wait` when given; at most
    /// [`MAX_RETRY_WAIT`].
    pub fn delay(&self, retry: u32, server_wait: Option<Duration>) -> Duration {
        if let Some(wait) = server_wait {
            return wait.min(MAX_RETRY_WAIT);
        }
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let full = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
            .min(MAX_RETRY_WAIT);
        // Full range jitter over [full/2, full]: spreads out clients that failed together.
        let half = full / 2;
        let spread = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let extra = if spread == 0 {
            0
        } else {
            random_u64() % spread.saturating_add(1)
        };
        half + Duration::from_nanos(extra)
    }
}

/// The retries of one call or one token request: the one loop both retry through, so that which failures are
/// retried, how long to wait before each retry and the deadline rule are written once.
pub(crate) struct Retries<'a> {
    policy: &'a RetryPolicy,
    /// The call's deadline, if it has one: a retry wait that would outlast it is not begun.
    deadline: Option<tokio::time::Instant>,
    /// Retries made so far.
    made: u32,
}

impl<'a> Retries<'a> {
    /// No retry made yet; none will wait past `deadline`.
    pub(crate) fn new(policy: &'a RetryPolicy, deadline: Option<tokio::time::Instant>) -> Self {
        Retries {
            policy,
            deadline,
            made: 0,
        }
    }

    /// After failed attempt number `attempts`: when `error` may pass on another attempt
    /// ([`Error::is_retryable`]), `allowed` (the request is safe to repeat), the policy has a retry left and its
    /// wait ends before the deadline, waits and returns `Ok(())` for the caller to try again; otherwise hands
    /// `error` back to end the call, saying how many attempts were made.
    pub(crate) async fn wait_before_retry(
        &mut self,
        error: crate::Error,
        allowed: bool,
        attempts: u32,
    ) -> Result<(), crate::Error> {
        if !allowed || !error.is_retryable() || self.made >= self.policy.max_retries {
            return Err(error.with_attempts(attempts));
        }
        let wait = self.policy.delay(self.made + 1, error.retry_after());
        // A wait that would outlast the call's deadline is not begun: the call ends now, with the error that
        // asked for it.
        if self
            .deadline
            .is_some_and(|d| tokio::time::Instant::now() + wait >= d)
        {
            tracing::debug!(error = %error, wait_ms = wait.as_millis() as u64, "not retrying: the wait would outlast the call's deadline");
            return Err(error.with_attempts(attempts));
        }
        self.made += 1;
        tracing::debug!(error = %error, retry = self.made, wait_ms = wait.as_millis() as u64, "retrying");
        tokio::time::sleep(wait).await;
        Ok(())
    }
}

/// A random number from the standard library's per-process random hash keys; good enough for jitter.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let policy = RetryPolicy {
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
        };
        for _ in 0..50 {
            let first = policy.delay(1, None);
            assert!(
                first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let second = policy.delay(2, None);
            assert!(
                second >= Duration::from_millis(100) && second <= Duration::from_millis(200),
                "{second:?}"
            );
            let capped = policy.delay(10, None);
            assert!(
                capped >= Duration::from_millis(175) && capped <= Duration::from_millis(350),
                "{capped:?}"
            );
        }
    }

    #[test]
    fn server_wait_wins_but_is_bounded() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3600))),
            MAX_RETRY_WAIT
        );
    }

    #[test]
    fn huge_backoffs_are_clamped() {
        let policy = RetryPolicy {
            max_retries: u32::MAX,
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
        };
        for retry in [1, 2, 64, u32::MAX] {
            let wait = policy.delay(retry, None);
            assert!(
                wait >= MAX_RETRY_WAIT / 2 && wait <= MAX_RETRY_WAIT,
                "{wait:?}"
            );
        }
        assert_eq!(policy.delay(1, Some(Duration::MAX)), MAX_RETRY_WAIT);
    }
}
