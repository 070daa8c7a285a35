//! The tenant tokens of a store app: one cell per tenant key, in a map bounded in entries and in bytes.

use super::cell::TokenCell;
use super::TENANT_ENTRY_OVERHEAD_BYTES;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// One [`TokenCell`] per tenant. Calls for one tenant share its cell (and so its single fetch); calls for
/// other tenants never wait on it.
///
/// Each entry counts its key, its token (once fetched) and [`TENANT_ENTRY_OVERHEAD_BYTES`]. When a new tenant
/// would pass the capacity or the byte bound, or a fetched token takes the map past its byte bound, the map
/// first drops every stale entry, then the least recently used, down to three quarters of both. An entry a call
/// is using, or whose token request is running, is never dropped, so the map can pass its bounds by the calls
/// and token requests in flight, and no further.
pub(crate) struct TenantCells {
    capacity: usize,
    max_bytes: usize,
    map: Mutex<Map>,
}

#[derive(Default)]
struct Map {
    cells: HashMap<String, Slot>,
    /// Counts lookups; a slot's `used` is the count at its latest lookup.
    clock: u64,
    /// The sum of the slots' `bytes`.
    bytes: usize,
}

struct Slot {
    cell: Arc<TokenCell>,
    used: u64,
    /// What the entry counts for: its key, its token and the overhead.
    bytes: usize,
}

impl TenantCells {
    /// A map of at most `capacity` tenants (at least one) and `max_bytes` bytes.
    pub(crate) fn new(capacity: usize, max_bytes: usize) -> Self {
        TenantCells {
            capacity: capacity.max(1),
            max_bytes,
            map: Mutex::default(),
        }
    }

    /// The cell of `tenant_key`, made if it is new.
    pub(crate) fn cell(&self, tenant_key: &str) -> Arc<TokenCell> {
        let mut map = self.map();
        map.clock += 1;
        let now = map.clock;
        if let Some(slot) = map.cells.get_mut(tenant_key) {
            slot.used = now;
            return slot.cell.clone();
        }
        let bytes = tenant_key.len() + TENANT_ENTRY_OVERHEAD_BYTES;
        if map.cells.len() >= self.capacity || map.bytes + bytes > self.max_bytes {
            map.shrink(self.capacity, self.max_bytes);
        }
        let cell = Arc::new(TokenCell::default());
        map.cells.insert(
            tenant_key.to_owned(),
            Slot {
                cell: cell.clone(),
                used: now,
                bytes,
            },
        );
        map.bytes += bytes;
        cell
    }

    /// Counts `token_bytes` as the size of the token of `tenant_key`, just fetched (replacing the token before),
    /// and makes room if that takes the map past its byte bound.
    pub(crate) fn count_token(&self, tenant_key: &str, token_bytes: usize) {
        let mut map = self.map();
        let Some(slot) = map.cells.get_mut(tenant_key) else {
            return;
        };
        let before = slot.bytes;
        slot.bytes = tenant_key.len() + TENANT_ENTRY_OVERHEAD_BYTES + token_bytes;
        let after = slot.bytes;
        map.bytes = map.bytes - before + after;
        if map.bytes > self.max_bytes {
            map.shrink(self.capacity, self.max_bytes);
        }
    }

    /// The cell of `tenant_key`, if the map holds one.
    pub(crate) fn existing(&self, tenant_key: &str) -> Option<Arc<TokenCell>> {
        self.map()
            .cells
            .get(tenant_key)
            .map(|slot| slot.cell.clone())
    }

    /// How many tenants the map holds.
    pub(crate) fn len(&self) -> usize {
        self.map().cells.len()
    }

    /// How many bytes the map's entries count for.
    pub(crate) fn bytes(&self) -> usize {
        self.map().bytes
    }

    fn map(&self) -> MutexGuard<'_, Map> {
        // Every change to the map is one statement; a panic elsewhere cannot leave it half-changed.
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Map {
    /// Drops stale entries, then the least recently used, until at most three quarters of `capacity` and of
    /// `max_bytes` are left (or only entries in use).
    fn shrink(&mut self, capacity: usize, max_bytes: usize) {
        // A cell is in use while a call holds it, or while its token request runs (in a task of its own, which
        // may have outlived the calls that started it): dropping it would let a second request start.
        let in_use = |slot: &Slot| Arc::strong_count(&slot.cell) > 1 || slot.cell.is_fetching();
        let mut dropped = 0;
        self.cells.retain(|_, slot| {
            let keep = in_use(slot) || !slot.cell.is_stale();
            if !keep {
                dropped += slot.bytes;
            }
            keep
        });
        self.bytes -= dropped;
        let target = capacity - capacity / 4 - 1;
        let target_bytes = max_bytes - max_bytes / 4;
        if self.cells.len() <= target && self.bytes <= target_bytes {
            return;
        }
        let mut idle: Vec<(u64, String)> = self
            .cells
            .iter()
            .filter(|(_, slot)| !in_use(slot))
            .map(|(key, slot)| (slot.used, key.clone()))
            .collect();
        idle.sort_unstable();
        for (_, key) in idle {
            if self.cells.len() <= target && self.bytes <= target_bytes {
                break;
            }
            if let Some(slot) = self.cells.remove(&key) {
                self.bytes -= slot.bytes;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Secret;
    use std::time::Duration;

    /// The cell of `key`, holding a token valid for an hour.
    async fn fill(cells: &TenantCells, key: &str) {
        let cell = cells.cell(key);
        let token = Secret::new(format!("t-{key}"));
        let fetch = || {
            let token = token.clone();
            async move { Ok((token, Duration::from_secs(3600))) }
        };
        cell.get(fetch, |_| true)
            .await
            .expect("the fetch cannot fail");
    }

    #[tokio::test]
    async fn the_map_stays_within_its_capacity() {
        let cells = TenantCells::new(100, usize::MAX);
        for i in 0..10_000 {
            fill(&cells, &format!("tenant-{i}")).await;
            assert!(cells.len() <= 100, "{} tenants after {i}", cells.len());
        }
    }

    #[tokio::test]
    async fn the_least_recently_used_go_first() {
        let cells = TenantCells::new(4, usize::MAX);
        for key in ["a", "b", "c", "d"] {
            fill(&cells, key).await;
        }
        cells.cell("a");
        fill(&cells, "e").await;
        assert!(cells.existing("a").is_some(), "a was used last but one");
        assert!(cells.existing("b").is_none(), "b was used least recently");
        assert!(cells.existing("d").is_some());
        assert!(cells.existing("e").is_some());
    }

    #[tokio::test]
    async fn stale_entries_go_before_fresh_ones() {
        let cells = TenantCells::new(4, usize::MAX);
        for key in ["a", "b", "c"] {
            fill(&cells, key).await;
        }
        // Made but never filled, as after a call that was refused: nothing worth keeping.
        cells.cell("empty");
        fill(&cells, "e").await;
        // Least recently used first would have dropped `a` and `b`; the stale entry goes first instead, and
        // then `a`, to get down to three quarters of the capacity.
        assert!(cells.existing("empty").is_none());
        assert!(cells.existing("a").is_none());
        for key in ["b", "c", "e"] {
            assert!(cells.existing(key).is_some(), "{key} holds a valid token");
        }
    }

    #[tokio::test]
    async fn the_map_stays_within_its_bytes() {
        let entry = 100 + TENANT_ENTRY_OVERHEAD_BYTES + 50;
        let cells = TenantCells::new(usize::MAX, 20 * entry);
        for i in 0..1_000 {
            let key = format!("{i:0>100}");
            fill(&cells, &key).await;
            cells.count_token(&key, 50);
            assert!(
                cells.bytes() <= 20 * entry,
                "{} bytes after {i}",
                cells.bytes()
            );
            let counted = cells.len() * entry;
            assert_eq!(cells.bytes(), counted, "the count follows the entries");
        }
        assert!(cells.len() >= 10, "{} tenants kept", cells.len());
    }

    #[tokio::test]
    async fn a_cell_in_use_is_kept() {
        let cells = TenantCells::new(2, usize::MAX);
        let held = cells.cell("held");
        for i in 0..10 {
            fill(&cells, &format!("other-{i}")).await;
        }
        assert!(Arc::ptr_eq(
            &held,
            &cells.existing("held").expect("held is kept")
        ));
    }
}
