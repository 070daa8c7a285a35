//! One cached token, fetched by a single request however many calls wait for it.

use super::Secret;
use super::TOKEN_FAILURE_BACKOFF;
use crate::error::Error;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use std::future::Future;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// Refresh this long before expiry at most (less for short-lived tokens: see [`refresh_margin`]).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A token cached until its refresh time, fetched by one request however many calls wait for it.
///
/// The fetch runs in a task of its own: a call that stops waiting (its deadline ran out, say) leaves it
/// running for the others, and the next call finds its result. A failure that may pass (see
/// [`Error::is_retryable`]) is handed to the calls that waited for it and forgotten; any other failure is
/// remembered for [`TOKEN_FAILURE_BACKOFF`], and the calls in that time get it without asking again.
#[derive(Default)]
pub(crate) struct TokenCell {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    now: CellState,
    /// Counts [`TokenCell::forget_failure`] calls: a fetch started before the latest one does not leave its
    /// failure behind.
    generation: u64,
}

/// What a fetch ends with, and when.
type Fetched = (Result<(Secret, Duration), Error>, Instant);

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
    Fetching {
        fetch: Shared<BoxFuture<'static, Option<Fetched>>>,
        generation: u64,
        remember: fn(&Error) -> bool,
    },
}

/// What a caller does after looking at the cell.
enum Next {
    Done(Result<Secret, Error>),
    Wait(Shared<BoxFuture<'static, Option<Fetched>>>),
}

impl TokenCell {
    /// The cached token, or the one a future of `fetch` gets (with its lifetime). Failures for which `remember` is false
    /// are never remembered, whatever their kind: they are handed to the calls that waited for them, and the
    /// next call asks again.
    pub(crate) async fn get<F>(
        &self,
        fetch: impl Fn() -> F,
        remember: fn(&Error) -> bool,
    ) -> Result<Secret, Error>
    where
        F: Future<Output = Result<(Secret, Duration), Error>> + Send + 'static,
    {
        loop {
            let waiting = match self.look(&fetch, remember) {
                Next::Done(result) => return result,
                Next::Wait(waiting) => waiting,
            };
            let fetched = waiting.clone().await;
            let mut state = self.lock();
            if let CellState::Fetching { fetch: current, .. } = &state.now {
                if current.ptr_eq(&waiting) {
                    state.settle(fetched.clone());
                }
            }
            drop(state);
            match fetched {
                Some((result, _)) => return result.map(|(token, _)| token),
                // The task that ran the fetch was stopped (its runtime shut down): ask again.
                None => continue,
            }
        }
    }

    /// Returns what the cell holds, or the fetch to wait for, starting one (with `fetch`) if none runs.
    fn look<F>(&self, fetch: &impl Fn() -> F, remember: fn(&Error) -> bool) -> Next
    where
        F: Future<Output = Result<(Secret, Duration), Error>> + Send + 'static,
    {
        let mut state = self.lock();
        // A fetch that ended while nobody waited is settled first.
        if let CellState::Fetching { fetch: running, .. } = &state.now {
            if let Some(fetched) = running.peek().cloned() {
                state.settle(fetched);
            }
        }
        let now = Instant::now();
        match &state.now {
            CellState::Valid { token, refresh_at } if now < *refresh_at => {
                return Next::Done(Ok(token.clone()))
            }
            CellState::Failed { error, retry_at } if now < *retry_at => {
                return Next::Done(Err(error.clone()))
            }
            CellState::Fetching { fetch, .. } => return Next::Wait(fetch.clone()),
            _ => {}
        }
        let running = spawn(fetch());
        state.now = CellState::Fetching {
            fetch: running.clone(),
            generation: state.generation,
            remember,
        };
        Next::Wait(running)
    }

    /// Forgets `stale` so the next call fetches a new token; a token fetched meanwhile by another call is kept.
    pub(crate) fn invalidate(&self, stale: &Secret) {
        let mut state = self.lock();
        if matches!(&state.now, CellState::Valid { token, .. } if token == stale) {
            state.now = CellState::Empty;
        }
    }

    /// Forgets a remembered failure, and the failure of a fetch running now, so the next call asks again at
    /// once. Never waits.
    pub(crate) fn forget_failure(&self) {
        let mut state = self.lock();
        state.generation += 1;
        if matches!(&state.now, CellState::Failed { .. }) {
            state.now = CellState::Empty;
        }
    }

    /// Whether the cell holds nothing worth keeping: no token, one due for refresh, or a failure no longer
    /// remembered. A cell being fetched into is not stale.
    pub(crate) fn is_stale(&self) -> bool {
        let now = Instant::now();
        match &self.lock().now {
            CellState::Empty => true,
            CellState::Valid { refresh_at, .. } => now >= *refresh_at,
            CellState::Failed { retry_at, .. } => now >= *retry_at,
            CellState::Fetching { .. } => false,
        }
    }

    /// Whether a token request for this cell is running now.
    pub(crate) fn is_fetching(&self) -> bool {
        match &self.lock().now {
            CellState::Fetching { fetch, .. } => fetch.peek().is_none(),
            _ => false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change to the state is one assignment; a panic elsewhere cannot leave it half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    /// Stores what a fetch ended with: the token, a failure to remember, or nothing.
    fn settle(&mut self, fetched: Option<Fetched>) {
        let CellState::Fetching {
            generation,
            remember,
            ..
        } = &self.now
        else {
            return;
        };
        let current = *generation == self.generation;
        let remember = *remember;
        self.now = match fetched {
            Some((Ok((token, lifetime)), done)) => CellState::Valid {
                token,
                refresh_at: done
                    .checked_add(lifetime - refresh_margin(lifetime))
                    .unwrap_or(done),
            },
            Some((Err(error), done)) if current && !error.is_retryable() && remember(&error) => {
                CellState::Failed {
                    error,
                    retry_at: done + TOKEN_FAILURE_BACKOFF,
                }
            }
            _ => CellState::Empty,
        };
    }
}

/// Runs `fetch` in a task of its own when there is a runtime to run it (always, under `send()`), so that it
/// outlives the call that started it; its end is shared by every call that waits for it. `None` means the task
/// was stopped before it ended.
fn spawn<F>(fetch: F) -> Shared<BoxFuture<'static, Option<Fetched>>>
where
    F: Future<Output = Result<(Secret, Duration), Error>> + Send + 'static,
{
    let timed = async move {
        let result = fetch.await;
        (result, Instant::now())
    };
    let shared: BoxFuture<'static, Option<Fetched>> = match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            let task = runtime.spawn(timed);
            async move {
                match task.await {
                    Ok(fetched) => Some(fetched),
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Err(_) => None,
                }
            }
            .boxed()
        }
        Err(_) => timed.map(Some).boxed(),
    };
    shared.shared()
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
