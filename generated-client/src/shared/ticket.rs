//! The app ticket, in Redis.

use super::{OnRedisFailure, Redis};
use crate::auth::{AppTicketStore, Secret, TicketFuture};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use tokio::time::Instant;

/// The app ticket of each app, under `{prefix}:{app_id}:app_ticket` for
/// [`RedisBuilder::ticket_ttl`](super::RedisBuilder::ticket_ttl): set by the replica the `app_ticket` event
/// reached, read by every replica that needs an app access token. Made by [`Redis::ticket_store`].
///
/// It also keeps the ticket this process was given, until the same time to live: read when Redis fails (under
/// [`OnRedisFailure::FallBack`]), and written back to a Redis that answers without one.
pub struct RedisTicketStore {
    redis: Redis,
    /// The ticket this process was given, per app, with when it expires.
    own: Mutex<HashMap<String, (Secret, Instant)>>,
}

impl RedisTicketStore {
    pub(super) fn new(redis: Redis) -> Self {
        RedisTicketStore {
            redis,
            own: Mutex::new(HashMap::new()),
        }
    }

    fn own(&self) -> MutexGuard<'_, HashMap<String, (Secret, Instant)>> {
        // The map is whole after every statement that changes it.
        self.own
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The ticket this process was given for `app_id`, if it has not expired.
    fn own_ticket(&self, app_id: &str) -> Option<Secret> {
        let mut own = self.own();
        match own.get(app_id) {
            Some((ticket, expires)) if *expires > Instant::now() => Some(ticket.clone()),
            Some(_) => {
                own.remove(app_id);
                None
            }
            None => None,
        }
    }

    async fn write(&self, key: &str, ticket: &Secret) -> Result<(), super::RedisFailure> {
        let ttl = millis(self.redis.inner.ticket_ttl);
        self.redis
            .round_trip("keeping the app ticket", |mut connection| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(ticket.expose())
                    .arg("PX")
                    .arg(ttl)
                    .query_async::<()>(&mut connection)
                    .await
            })
            .await
    }
}

/// Milliseconds, at least 1.
pub(super) fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl fmt::Debug for RedisTicketStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let apps: Vec<String> = self.own().keys().cloned().collect();
        f.debug_struct("RedisTicketStore")
            .field("redis", &self.redis)
            .field("apps_given_a_ticket_here", &apps)
            .finish()
    }
}

impl AppTicketStore for RedisTicketStore {
    fn get<'a>(&'a self, app_id: &'a str) -> TicketFuture<'a, Option<Secret>> {
        Box::pin(async move {
            let key = self.redis.key(app_id, "app_ticket");
            let read = self
                .redis
                .round_trip("reading the app ticket", |mut connection| {
                    let key = key.clone();
                    async move {
                        redis::cmd("GET")
                            .arg(key)
                            .query_async::<Option<String>>(&mut connection)
                            .await
                    }
                })
                .await;
            match read {
                Ok(Some(ticket)) => Ok(Some(Secret::new(ticket))),
                Ok(None) => {
                    let own = self.own_ticket(app_id);
                    if let Some(ticket) = &own {
                        // Redis lost it (restarted empty, say): give it back for the other replicas.
                        tracing::debug!(
                            app_id,
                            "Redis holds no app ticket; writing back the one kept here"
                        );
                        if let Err(e) = self.write(&key, ticket).await {
                            tracing::debug!(error = %e, "could not write the app ticket back");
                        }
                    }
                    Ok(own)
                }
                Err(failure) => match self.redis.on_failure() {
                    OnRedisFailure::Fail => Err(failure.into()),
                    OnRedisFailure::FallBack => Ok(self.own_ticket(app_id)),
                },
            }
        })
    }

    fn set<'a>(&'a self, app_id: &'a str, ticket: Secret) -> TicketFuture<'a, ()> {
        Box::pin(async move {
            let now = Instant::now();
            // A time to live past what the clock holds is as good as forever.
            let expires = now
                .checked_add(self.redis.inner.ticket_ttl)
                .unwrap_or_else(|| now + std::time::Duration::from_secs(100 * 365 * 24 * 60 * 60));
            self.own()
                .insert(app_id.to_owned(), (ticket.clone(), expires));
            let key = self.redis.key(app_id, "app_ticket");
            match self.write(&key, &ticket).await {
                Ok(()) => Ok(()),
                Err(failure) => match self.redis.on_failure() {
                    OnRedisFailure::Fail => Err(failure.into()),
                    OnRedisFailure::FallBack => Ok(()),
                },
            }
        })
    }
}
