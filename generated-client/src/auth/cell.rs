//! One cached token, fetched by a single request however many calls wait for it.

use super::{Secret, TOKEN_FAILURE_BACKOFF};
use crate::error::Error;
use std::future::Future;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Refresh this long before expiry at most (less for short-lived tokens: see [`refresh_margin`]).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A token cached until its refresh time, fetched by one request however many calls wait for it. A failed
/// fetch is remembered for [`TOKEN_FAILURE_BACKOFF`]: the calls that waited for it, and those that come
/// during that time, get its error without asking again.
#[derive(Default)]
pub(crate) struct TokenCell {
    state: Mutex<CellState>,
}

#[derive(Default)]
enum CellState {
    #[default]
    Empty,
    Valid {
        token: Secret,
        refresh_at: Instant,
    },
    Failed {
        error: Error,
        retry_at: Instant,
    },
}

impl TokenCell {
    /// The cached token, or the one `fetch` gets (with its lifetime).
    pub(crate) async fn get<F>(&self, fetch: F) -> Result<Secret, Error>
    where
        F: Future<Output = Result<(Secret, Duration), Error>>,
    {
        self.get_remembering(fetch, |_| true).await
    }

    /// Like [`get`](Self::get), remembering only the failures for which `remember` is true; others are
    /// returned to the calls that waited for them, and the next call asks again.
    pub(crate) async fn get_remembering<F>(
        &self,
        fetch: F,
        remember: impl Fn(&Error) -> bool,
    ) -> Result<Secret, Error>
    where
        F: Future<Output = Result<(Secret, Duration), Error>>,
    {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        match &*state {
            CellState::Valid { token, refresh_at } if now < *refresh_at => return Ok(token.clone()),
            CellState::Failed { error, retry_at } if now < *retry_at => return Err(error.clone()),
            _ => {}
        }
        match fetch.await {
            Ok((token, lifetime)) => {
                *state = CellState::Valid {
                    token: token.clone(),
                    refresh_at: Instant::now() + lifetime - refresh_margin(lifetime),
                };
                Ok(token)
            }
            Err(error) => {
                *state = if remember(&error) {
                    CellState::Failed {
                        error: error.clone(),
                        retry_at: Instant::now() + TOKEN_FAILURE_BACKOFF,
                    }
                } else {
                    CellState::Empty
                };
                Err(error)
            }
        }
    }

    /// Forgets `stale` so the next call fetches a new token; a token fetched meanwhile by another call is kept.
    pub(crate) async fn invalidate(&self, stale: &Secret) {
        let mut state = self.state.lock().await;
        if matches!(&*state, CellState::Valid { token, .. } if token == stale) {
            *state = CellState::Empty;
        }
    }

    /// Forgets a remembered failure, so the next call asks again at once.
    pub(crate) async fn forget_failure(&self) {
        let mut state = self.state.lock().await;
        if matches!(&*state, CellState::Failed { .. }) {
            *state = CellState::Empty;
        }
    }

    /// Whether the cell holds nothing worth keeping: no token, one due for refresh, or a failure no longer
    /// remembered. A cell being fetched into is not stale.
    pub(crate) fn is_stale(&self) -> bool {
        let Ok(state) = self.state.try_lock() else {
            return false;
        };
        let now = Instant::now();
        match &*state {
            CellState::Empty => true,
            CellState::Valid { refresh_at, .. } => now >= *refresh_at,
            CellState::Failed { retry_at, .. } => now >= *retry_at,
        }
    }
}

/// How long before expiry a token is refreshed: five minutes, or half its life if that is shorter.
fn refresh_margin(lifetime: Duration) -> Duration {
    REFRESH_MARGIN.min(lifetime / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tokens_refresh_at_half_life() {
        assert_eq!(
            refresh_margin(Duration::from_secs(7200)),
            Duration::from_secs(300)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(60)),
            Duration::from_secs(30)
        );
    }
}
