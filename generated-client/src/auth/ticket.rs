//! Where a store app keeps its app ticket: in the client ([`MemoryTicketStore`], the default), or in a store of
//! the service's own that every instance shares.

use super::Secret;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

/// What a ticket store's methods fail with: any error of the store (a lost connection to Redis, say).
pub type TicketStoreError = Box<dyn std::error::Error + Send + Sync>;

/// The future a ticket store's methods return.
pub type TicketFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, TicketStoreError>> + Send + 'a>>;

/// Keeps the app ticket of store apps.
///
/// Feishu pushes a store app's ticket as an `app_ticket` event about once an hour, to one instance of the
/// service. A service that runs many instances keeps it where all of them read it, and gives that store to
/// each client with [`ClientBuilder::app_ticket_store`](crate::ClientBuilder::app_ticket_store). The client
/// reads the ticket only when it needs a new app access token.
pub trait AppTicketStore: Send + Sync + fmt::Debug {
    /// The ticket of `app_id`, if one has been set.
    fn get<'a>(&'a self, app_id: &'a str) -> TicketFuture<'a, Option<Secret>>;

    /// Keeps `ticket` as the ticket of `app_id`, replacing the one before.
    fn set<'a>(&'a self, app_id: &'a str, ticket: Secret) -> TicketFuture<'a, ()>;
}

/// A store shared by several clients of one process.
impl<T: AppTicketStore + ?Sized> AppTicketStore for std::sync::Arc<T> {
    fn get<'a>(&'a self, app_id: &'a str) -> TicketFuture<'a, Option<Secret>> {
        (**self).get(app_id)
    }

    fn set<'a>(&'a self, app_id: &'a str, ticket: Secret) -> TicketFuture<'a, ()> {
        (**self).set(app_id, ticket)
    }
}

/// The default ticket store: the tickets of this process, in memory.
#[derive(Default)]
pub struct MemoryTicketStore {
    tickets: Mutex<HashMap<String, Secret>>,
}

impl MemoryTicketStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryTicketStore::default()
    }

    fn tickets(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        // The map is whole after every statement that changes it; a panic elsewhere cannot break it.
        self.tickets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for MemoryTicketStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let apps: Vec<String> = self.tickets().keys().cloned().collect();
        f.debug_struct("MemoryTicketStore")
            .field("apps_with_a_ticket", &apps)
            .finish()
    }
}

impl AppTicketStore for MemoryTicketStore {
    fn get<'a>(&'a self, app_id: &'a str) -> TicketFuture<'a, Option<Secret>> {
        let ticket = self.tickets().get(app_id).cloned();
        Box::pin(async move { Ok(ticket) })
    }

    fn set<'a>(&'a self, app_id: &'a str, ticket: Secret) -> TicketFuture<'a, ()> {
        self.tickets().insert(app_id.to_owned(), ticket);
        Box::pin(async { Ok(()) })
    }
}
