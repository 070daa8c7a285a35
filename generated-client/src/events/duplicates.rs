//! The ids of the events received lately, to answer a redelivery without handling it twice.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// What a duplicate store's methods fail with: any error of the store (a lost connection to Redis, say).
pub type DuplicateStoreError = Box<dyn std::error::Error + Send + Sync>;

/// The future a duplicate store's methods return.
pub type DuplicateFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, DuplicateStoreError>> + Send + 'a>>;

/// How many event ids a [`MemoryDuplicateStore`] keeps by default: 10,000.
pub const DEFAULT_DUPLICATE_CAPACITY: usize = 10_000;

/// How long an event id is remembered by default
/// ([`ReceiverBuilder::duplicate_ttl`](super::ReceiverBuilder::duplicate_ttl)): 12 hours, longer than the
/// hours over which Feishu redelivers an event that was not answered with HTTP 200.
pub const DEFAULT_DUPLICATE_TTL: Duration = Duration::from_secs(12 * 60 * 60);

/// Remembers the ids of the events received, each for a time to live.
///
/// The default is a [`MemoryDuplicateStore`] of the receiver. A service of many instances shares one store, so
/// that a redelivery reaching another instance is found too: with Redis, `first_seen` is `SET key 1 NX PX ttl`
/// (true when it set the key) and `forget` is `DEL key`; a store shared by several apps prefixes its keys
/// with the app.
pub trait DuplicateStore: Send + Sync + fmt::Debug {
    /// Marks `event_id` as received for `ttl`, in one step: `true` when it was not marked yet (handle the
    /// event), `false` when it was (a duplicate).
    fn first_seen<'a>(&'a self, event_id: &'a str, ttl: Duration) -> DuplicateFuture<'a, bool>;

    /// Forgets `event_id`, so that its next delivery is handled: after the handling of an event failed.
    fn forget<'a>(&'a self, event_id: &'a str) -> DuplicateFuture<'a, ()>;
}

/// A store shared by several receivers of one process.
impl<T: DuplicateStore + ?Sized> DuplicateStore for Arc<T> {
    fn first_seen<'a>(&'a self, event_id: &'a str, ttl: Duration) -> DuplicateFuture<'a, bool> {
        (**self).first_seen(event_id, ttl)
    }

    fn forget<'a>(&'a self, event_id: &'a str) -> DuplicateFuture<'a, ()> {
        (**self).forget(event_id)
    }
}

/// The default duplicate store: the event ids of this process, in memory, each for its time to live and at
/// most [`DEFAULT_DUPLICATE_CAPACITY`] of them (or the capacity given); when it is full, the oldest id is
/// forgotten first. Time is tokio's clock, so a test with paused time can move it.
pub struct MemoryDuplicateStore {
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Each id with when it expires and the number of its marking.
    ids: HashMap<String, (Instant, u64)>,
    /// The markings, oldest first; those whose number is no longer the id's are stale.
    order: VecDeque<(u64, String)>,
    next: u64,
}

impl State {
    /// Whether the oldest marking is the id's current one.
    fn is_live(&self, number: u64, id: &str) -> bool {
        self.ids.get(id).is_some_and(|&(_, n)| n == number)
    }

    /// Drops the markings at the front that expired or are stale.
    fn purge(&mut self, now: Instant) {
        while let Some((number, id)) = self.order.front() {
            match self.ids.get(id) {
                Some(&(expires, n)) if n == *number => {
                    if expires > now {
                        break;
                    }
                    self.ids.remove(id);
                }
                _ => {}
            }
            self.order.pop_front();
        }
    }

    /// Forgets the oldest id.
    fn evict_oldest(&mut self) {
        while let Some((number, id)) = self.order.pop_front() {
            if self.is_live(number, &id) {
                self.ids.remove(&id);
                return;
            }
        }
    }
}

impl MemoryDuplicateStore {
    /// A store of [`DEFAULT_DUPLICATE_CAPACITY`] ids.
    pub fn new() -> Self {
        MemoryDuplicateStore::with_capacity(DEFAULT_DUPLICATE_CAPACITY)
    }

    /// A store of at most `capacity` ids (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        MemoryDuplicateStore {
            capacity: capacity.max(1),
            state: Mutex::new(State::default()),
        }
    }

    /// How many ids the store holds now, expired ones included until they are dropped.
    pub fn len(&self) -> usize {
        self.state().ids.len()
    }

    /// Whether the store holds no id.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The maps are whole after every statement that changes them; a panic elsewhere cannot break them.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn mark(&self, event_id: &str, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut state = self.state();
        state.purge(now);
        if let Some(&(expires, _)) = state.ids.get(event_id) {
            if expires > now {
                return false;
            }
        }
        if !state.ids.contains_key(event_id) {
            while state.ids.len() >= self.capacity {
                state.evict_oldest();
            }
        }
        // A time to live past what the clock can hold is as good as forever.
        let expires = now
            .checked_add(ttl)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 60 * 60));
        let number = state.next;
        state.next += 1;
        state.ids.insert(event_id.to_owned(), (expires, number));
        state.order.push_back((number, event_id.to_owned()));
        // Ids forgotten and marked again leave stale markings behind; keep them within bounds.
        if state.order.len() > 2 * self.capacity + 16 {
            let State { ids, order, .. } = &mut *state;
            order.retain(|(number, id)| ids.get(id).is_some_and(|&(_, n)| n == *number));
        }
        true
    }
}

impl Default for MemoryDuplicateStore {
    fn default() -> Self {
        MemoryDuplicateStore::new()
    }
}

impl fmt::Debug for MemoryDuplicateStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryDuplicateStore")
            .field("capacity", &self.capacity)
            .field("ids", &self.len())
            .finish()
    }
}

impl DuplicateStore for MemoryDuplicateStore {
    fn first_seen<'a>(&'a self, event_id: &'a str, ttl: Duration) -> DuplicateFuture<'a, bool> {
        let first = self.mark(event_id, ttl);
        Box::pin(async move { Ok(first) })
    }

    fn forget<'a>(&'a self, event_id: &'a str) -> DuplicateFuture<'a, ()> {
        self.state().ids.remove(event_id);
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn marks_once_until_forgotten() {
        let store = MemoryDuplicateStore::new();
        assert!(store.mark("a", HOUR));
        assert!(!store.mark("a", HOUR));
        assert!(store.mark("b", HOUR));
        store.state().ids.remove("a");
        assert!(store.mark("a", HOUR));
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn holds_at_most_its_capacity_forgetting_the_oldest() {
        let store = MemoryDuplicateStore::with_capacity(3);
        for id in ["a", "b", "c", "d"] {
            assert!(store.mark(id, HOUR));
        }
        assert_eq!(store.len(), 3);
        assert!(store.mark("a", HOUR), "the oldest was forgotten");
        assert!(!store.mark("d", HOUR));
    }

    #[test]
    fn stale_markings_stay_bounded() {
        let store = MemoryDuplicateStore::with_capacity(4);
        for _ in 0..1000 {
            assert!(store.mark("x", HOUR));
            store.state().ids.remove("x");
        }
        assert!(store.state().order.len() <= 2 * 4 + 16 + 1);
    }

    #[tokio::test(start_paused = true)]
    async fn forgets_an_id_after_its_time_to_live() {
        let store = MemoryDuplicateStore::new();
        assert!(store.mark("a", HOUR));
        assert!(store.mark("b", 2 * HOUR));
        tokio::time::advance(HOUR + Duration::from_secs(1)).await;
        assert!(store.mark("a", HOUR), "expired");
        assert!(!store.mark("b", HOUR), "not expired yet");
        assert_eq!(store.len(), 2);
    }
}
