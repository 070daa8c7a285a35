//! The ids of the events received lately, in Redis.

use super::ticket::millis;
use super::{OnRedisFailure, Redis};
use crate::events::{DuplicateFuture, DuplicateStore, MemoryDuplicateStore};
use std::fmt;
use std::time::Duration;

/// The event ids of one app, each under `{prefix}:{app_id}:event:{event_id}` for the receiver's
/// [`duplicate_ttl`](crate::events::ReceiverBuilder::duplicate_ttl): `first_seen` is `SET key 1 NX PX ttl`, true
/// when it set the key, and `forget` is `DEL key`. Made by [`Redis::duplicate_store`].
///
/// Under [`OnRedisFailure::FallBack`], the ids received while Redis fails are kept in this process (a
/// [`MemoryDuplicateStore`]); `forget` always forgets the id here too.
pub struct RedisDuplicateStore {
    redis: Redis,
    app_id: String,
    own: MemoryDuplicateStore,
}

impl RedisDuplicateStore {
    pub(super) fn new(redis: Redis, app_id: String) -> Self {
        RedisDuplicateStore {
            redis,
            app_id,
            own: MemoryDuplicateStore::new(),
        }
    }

    fn key(&self, event_id: &str) -> String {
        self.redis.key(&self.app_id, &format!("event:{event_id}"))
    }
}

impl fmt::Debug for RedisDuplicateStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDuplicateStore")
            .field("redis", &self.redis)
            .field("app_id", &self.app_id)
            .field("ids_kept_here", &self.own.len())
            .finish()
    }
}

impl DuplicateStore for RedisDuplicateStore {
    fn first_seen<'a>(&'a self, event_id: &'a str, ttl: Duration) -> DuplicateFuture<'a, bool> {
        Box::pin(async move {
            let key = self.key(event_id);
            let ttl_ms = millis(ttl);
            let set = self
                .redis
                .round_trip("marking an event id", |mut connection| async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(1)
                        .arg("NX")
                        .arg("PX")
                        .arg(ttl_ms)
                        .query_async::<Option<String>>(&mut connection)
                        .await
                })
                .await;
            match set {
                Ok(answer) => Ok(answer.is_some()),
                Err(failure) => match self.redis.on_failure() {
                    OnRedisFailure::Fail => Err(failure.into()),
                    OnRedisFailure::FallBack => self.own.first_seen(event_id, ttl).await,
                },
            }
        })
    }

    fn forget<'a>(&'a self, event_id: &'a str) -> DuplicateFuture<'a, ()> {
        Box::pin(async move {
            self.own.forget(event_id).await?;
            let key = self.key(event_id);
            let deleted = self
                .redis
                .round_trip("forgetting an event id", |mut connection| async move {
                    redis::cmd("DEL")
                        .arg(key)
                        .query_async::<()>(&mut connection)
                        .await
                })
                .await;
            match deleted {
                Ok(()) => Ok(()),
                Err(failure) => match self.redis.on_failure() {
                    OnRedisFailure::Fail => Err(failure.into()),
                    OnRedisFailure::FallBack => Ok(()),
                },
            }
        })
    }
}
