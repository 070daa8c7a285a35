//! Each operation's rate limits, kept in Redis for all the replicas of an app.

use super::{OnRedisFailure, Redis, RedisFailure};
use crate::rate_limit::{Acquire, Quota, RateLimiter, WindowLimiter};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex as AsyncMutex;

/// Takes one slot of an operation, in one step on the server.
///
/// `KEYS[1]` is the operation's sorted set; `ARGV` are the most requests per second and per minute (0: no limit),
/// the window margin and the request's member, all in microseconds where they are times. Answers 0 when the
/// request was added (scored by the server's clock), else how many microseconds until a window has room.
const TAKE_SLOT: &str = r"
local key = KEYS[1]
local per_second = tonumber(ARGV[1])
local per_minute = tonumber(ARGV[2])
local margin = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local second = 1000000 + margin
local minute = 60000000 + margin
local horizon = second
if per_minute > 0 then horizon = minute end
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', now - horizon))
local wait = 0
local function check(most, length)
  if most <= 0 then return end
  local in_window = redis.call('ZCOUNT', key, string.format('(%d', now - length), '+inf')
  if in_window >= most then
    local oldest = redis.call('ZREVRANGE', key, most - 1, most - 1, 'WITHSCORES')
    local free = tonumber(oldest[2]) + length - now
    if free > wait then wait = free end
  end
end
check(per_second, second)
check(per_minute, minute)
if wait > 0 then return math.ceil(wait) end
redis.call('ZADD', key, string.format('%d', now), ARGV[4])
redis.call('PEXPIRE', key, math.ceil(horizon / 1000) + 1000)
return 0
";

static TAKE_SLOT_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(TAKE_SLOT));

/// Limiters made in this process, for their members' names.
static LIMITERS: AtomicU64 = AtomicU64::new(0);

/// The rate limiter of one app, shared by its replicas through Redis: each operation's requests of the last
/// minute are a sorted set under `{prefix}:{app_id}:rate:{operation}`, and each request takes its slot with one
/// Lua script (see the [module documentation](super)). Made by [`Redis::rate_limiter`].
///
/// It keeps the [`RateLimiter`] contract: a request that may be sent resolves after one round trip; a future
/// dropped before it resolves takes no slot (a slot Redis gave it is removed again); the client drops it when
/// the call's deadline runs out. While Redis fails, [`OnRedisFailure`] decides: wait for it, or pace in-process.
pub struct RedisRateLimiter {
    redis: Redis,
    app_id: String,
    /// Per operation, the requests of this process waiting for Redis, in the order they came.
    queues: Mutex<HashMap<&'static str, Arc<AsyncMutex<()>>>>,
    /// Pacing while Redis fails, under [`OnRedisFailure::FallBack`].
    fallback: WindowLimiter,
    /// What makes this limiter's members unique among all replicas.
    nonce: String,
    taken: AtomicU64,
}

impl RedisRateLimiter {
    pub(super) fn new(redis: Redis, app_id: String) -> Self {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let nonce = format!(
            "{:x}.{since_epoch:x}.{:x}",
            std::process::id(),
            LIMITERS.fetch_add(1, Ordering::Relaxed)
        );
        RedisRateLimiter {
            redis,
            app_id,
            queues: Mutex::new(HashMap::new()),
            fallback: WindowLimiter::new(),
            nonce,
            taken: AtomicU64::new(0),
        }
    }

    fn queue(&self, operation: &'static str) -> Arc<AsyncMutex<()>> {
        // A poisoned lock only means another call panicked while holding it; the map is still usable.
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        queues.entry(operation).or_default().clone()
    }

    /// This replica's share of `quota`, for the in-process limiter.
    fn share(&self, quota: Quota) -> Quota {
        let replicas = self.redis.inner.replicas.max(1);
        let share = |most: Option<u32>| most.map(|most| most.div_ceil(replicas).max(1));
        Quota {
            per_second: share(quota.per_second),
            per_minute: share(quota.per_minute),
        }
    }

    /// One try at a slot: `None` when taken, else how long until a window has room.
    async fn take(
        &self,
        operation: &'static str,
        quota: Quota,
    ) -> Result<Option<Duration>, RedisFailure> {
        let key = self.redis.key(&self.app_id, &format!("rate:{operation}"));
        let member = format!(
            "{}.{:x}",
            self.nonce,
            self.taken.fetch_add(1, Ordering::Relaxed)
        );
        let margin = u64::try_from(self.redis.inner.window_margin.as_micros()).unwrap_or(u64::MAX);
        let mut given_back = GiveBack {
            redis: self.redis.clone(),
            key: Some(key.clone()),
            member: member.clone(),
        };
        let answer = self
            .redis
            .round_trip("taking a rate limit slot", |mut connection| async move {
                TAKE_SLOT_SCRIPT
                    .key(key)
                    .arg(quota.per_second.unwrap_or(0))
                    .arg(quota.per_minute.unwrap_or(0))
                    .arg(margin)
                    .arg(member)
                    .invoke_async::<i64>(&mut connection)
                    .await
            })
            .await?;
        // A definite answer: the slot is this request's, or none was taken.
        given_back.key = None;
        Ok(match u64::try_from(answer) {
            Ok(0) | Err(_) => None,
            Ok(micros) => Some(Duration::from_micros(micros)),
        })
    }
}

/// Removes a slot that may have been taken for a request that will not be sent: its caller gave up during the
/// round trip, or the round trip failed after the script may have run.
struct GiveBack {
    redis: Redis,
    /// `None` once the answer is known.
    key: Option<String>,
    member: String,
}

impl Drop for GiveBack {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let redis = self.redis.clone();
        let member = std::mem::take(&mut self.member);
        runtime.spawn(async move {
            let removed = redis
                .round_trip(
                    "giving back a rate limit slot",
                    |mut connection| async move {
                        redis::cmd("ZREM")
                            .arg(key)
                            .arg(member)
                            .query_async::<()>(&mut connection)
                            .await
                    },
                )
                .await;
            if let Err(e) = removed {
                tracing::debug!(error = %e, "could not give back a rate limit slot");
            }
        });
    }
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("redis", &self.redis)
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl RateLimiter for RedisRateLimiter {
    fn acquire(&self, operation: &'static str, quota: Quota) -> Acquire<'_> {
        let queue = self.queue(operation);
        Box::pin(async move {
            let turn = queue.lock().await;
            loop {
                match self.take(operation, quota).await {
                    Ok(None) => return Ok(()),
                    Ok(Some(wait)) => tokio::time::sleep(wait).await,
                    Err(failure) => match self.redis.on_failure() {
                        OnRedisFailure::FallBack => {
                            drop(turn);
                            return self.fallback.acquire(operation, self.share(quota)).await;
                        }
                        // Nothing is sent without a slot from Redis: the call fails, naming Redis.
                        OnRedisFailure::Fail => return Err(failure.into()),
                    },
                }
            }
        })
    }
}
