//! The state that many replicas of one app share, kept in Redis (feature `redis`).
//!
//! Feishu's rate limits are per app, its `app_ticket` event reaches one replica, and a redelivered event may
//! reach another. Each of the three is shared through one [`Redis`] handle:
//!
//! - [`RedisTicketStore`] for [`ClientBuilder::app_ticket_store`](crate::ClientBuilder::app_ticket_store): the
//!   ticket the `app_ticket` event brought to one replica is read by every other;
//! - [`RedisRateLimiter`] for [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter): each
//!   operation's documented limits, per second and per minute, kept by all replicas together;
//! - [`RedisDuplicateStore`] for
//!   [`ReceiverBuilder::duplicate_store`](crate::events::ReceiverBuilder::duplicate_store): an event is handled
//!   by one replica, whichever receives its redelivery.
//!
//! ```no_run
//! use generated_client::shared::{OnRedisFailure, Redis};
//! use generated_client::Client;
//!
//! # fn run() -> Result<(), generated_client::Error> {
//! let redis = Redis::builder("redis://10.0.0.5:6379/")
//!     .prefix("hire")
//!     .on_failure(OnRedisFailure::FallBack)
//!     .build()?;
//! let client = Client::builder()
//!     .store_app("cli_a1b2c3d4", "app-secret")
//!     .app_ticket_store(redis.ticket_store())
//!     .rate_limiter(redis.rate_limiter("cli_a1b2c3d4"))
//!     .call_timeout(std::time::Duration::from_secs(10))
//!     .build()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Keys
//!
//! Every key starts with the prefix ([`RedisBuilder::prefix`], default [`DEFAULT_PREFIX`]) and the app id, so
//! one Redis serves many apps and many services:
//!
//! | key | value | time to live |
//! |---|---|---|
//! | `{prefix}:{app_id}:app_ticket` | the app ticket, as Feishu sent it | [`RedisBuilder::ticket_ttl`], default [`DEFAULT_TICKET_TTL`] (2 hours) |
//! | `{prefix}:{app_id}:rate:{operation}` | a sorted set: one member per request sent in the longest window, scored by the Redis server's clock in microseconds | the longest window and its margin, plus one second, renewed by each request |
//! | `{prefix}:{app_id}:event:{event_id}` | `1` | the receiver's [`duplicate_ttl`](crate::events::ReceiverBuilder::duplicate_ttl) (default 12 hours) |
//!
//! The app ticket is the one secret stored, in clear since the client must send it; Redis should be reachable by
//! the service only (its network, a password in the URL: `redis://:password@host:6379/`). Nothing else kept is
//! secret: operation names and event ids. No tenant token is stored: each replica keeps its own, see the
//! README's "Running many replicas" for why.
//!
//! # Each request's slot
//!
//! A slot is taken in one atomic step on the server, a Lua script: it drops the requests older than the longest
//! window, counts those in each window, and either adds this request (scored by the server's `TIME`, so the
//! replicas' clocks do not matter) or answers how long until a window has room. No two replicas take the same
//! slot. Each window is counted a little longer than documented ([`RedisBuilder::window_margin`], default
//! [`DEFAULT_WINDOW_MARGIN`]), so that requests that travel to Feishu at slightly different speeds still arrive
//! within the limit. Within one process, the requests of an operation ask Redis one at a time, in the order they
//! came; a request whose caller gives up takes no slot (a slot already taken for it is given back).
//!
//! # When Redis fails
//!
//! Every round trip to Redis is bounded by [`RedisBuilder::round_trip_timeout`] (default
//! [`DEFAULT_ROUND_TRIP_TIMEOUT`], 250 ms), so a slow or stopped Redis never holds a call past its deadline. A
//! failed round trip marks Redis as down: one `tracing` warning names Redis, its address and the cause, and for
//! [`RedisBuilder::retry_interval`] (default [`DEFAULT_RETRY_INTERVAL`], 1 s) no round trip is tried, so calls
//! do not each wait for the timeout. The first one after that tries again; when Redis answers, the shared state is
//! used again (and an info event says so). What happens meanwhile is [`OnRedisFailure`]:
//!
//! - [`OnRedisFailure::Fail`] (the default): the ticket store and the duplicate store fail with a
//!   [`RedisFailure`] naming Redis ([`Error::TicketStore`] for the call; a 500 for the
//!   delivery, which Feishu sends again). The rate limiter sends nothing without a slot from Redis: the call
//!   fails at once with [`Error::RateLimiter`] carrying the [`RedisFailure`], and is not retried (nothing was
//!   sent).
//! - [`OnRedisFailure::FallBack`]: each falls back to this process's own state. The rate limiter paces with an
//!   in-process [`WindowLimiter`](crate::WindowLimiter), each window divided by [`RedisBuilder::replicas`] (so
//!   that the replicas together stay under the limit when told how many there are); the ticket store keeps and
//!   reads the ticket this process was given; the duplicate store remembers the ids this process received. A
//!   redelivery that reaches another replica during the outage may be handled twice.
//!
//! The ticket store always keeps a copy of the ticket this process was given (for its time to live): a Redis that
//! answers without a ticket (restarted empty, say) is given it back, under both choices.

mod duplicates;
mod limiter;
mod ticket;

pub use duplicates::RedisDuplicateStore;
pub use limiter::RedisRateLimiter;
pub use ticket::RedisTicketStore;

use crate::Error;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// The prefix of every key by default.
pub const DEFAULT_PREFIX: &str = "feishu-hire";

/// How long one round trip to Redis may take by default: 250 ms.
pub const DEFAULT_ROUND_TRIP_TIMEOUT: Duration = Duration::from_millis(250);

/// How long Redis is left alone after a failed round trip, by default: 1 s.
pub const DEFAULT_RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// How long the app ticket is kept by default: 2 hours. Feishu documents that it pushes the ticket once an hour
/// (the `app_ticket` event) and documents no lifetime; two hours outlast one lost push. A ticket that expired
/// anyway, or that Feishu no longer accepts, makes the client ask Feishu to push it again.
pub const DEFAULT_TICKET_TTL: Duration = Duration::from_secs(2 * 60 * 60);

/// How much longer than documented each window is counted by default: 50 ms, so that a one-second limit of 20
/// lets 20 requests through in each 1.05 s.
pub const DEFAULT_WINDOW_MARGIN: Duration = Duration::from_millis(50);

/// What the shared state does while Redis fails (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnRedisFailure {
    /// Nothing falls back: the stores fail with a [`RedisFailure`], and the rate limiter's calls wait for Redis
    /// until their deadline. The default: no replica exceeds the app's limits or misses a duplicate.
    #[default]
    Fail,
    /// The stores and the limiter fall back to this process's own state, with one warning, until Redis answers
    /// again.
    FallBack,
}

/// A failure of Redis: it did not answer in time, refused the connection, or answered with an error.
#[derive(Debug, Clone)]
pub struct RedisFailure {
    address: String,
    doing: &'static str,
    cause: String,
}

impl RedisFailure {
    /// The address of the Redis that failed (`host:port`; never its password).
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl fmt::Display for RedisFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Redis at {} failed {}: {}",
            self.address, self.doing, self.cause
        )
    }
}

impl std::error::Error for RedisFailure {}

/// Builds a [`Redis`]; see [`Redis::builder`].
#[derive(Debug, Clone)]
pub struct RedisBuilder {
    url: String,
    prefix: String,
    round_trip_timeout: Duration,
    retry_interval: Duration,
    on_failure: OnRedisFailure,
    ticket_ttl: Duration,
    window_margin: Duration,
    replicas: u32,
}

impl RedisBuilder {
    /// The prefix of every key (default [`DEFAULT_PREFIX`]); keys are `{prefix}:{app_id}:...`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The longest one round trip to Redis may take, connecting included (default
    /// [`DEFAULT_ROUND_TRIP_TIMEOUT`]). Past it, Redis counts as failed.
    pub fn round_trip_timeout(mut self, timeout: Duration) -> Self {
        self.round_trip_timeout = timeout;
        self
    }

    /// How long Redis is left alone after it failed (default [`DEFAULT_RETRY_INTERVAL`]): calls meanwhile get
    /// what [`OnRedisFailure`] says at once, without a round trip.
    pub fn retry_interval(mut self, interval: Duration) -> Self {
        self.retry_interval = interval;
        self
    }

    /// What happens while Redis fails (default [`OnRedisFailure::Fail`]).
    pub fn on_failure(mut self, choice: OnRedisFailure) -> Self {
        self.on_failure = choice;
        self
    }

    /// How long the app ticket is kept (default [`DEFAULT_TICKET_TTL`]).
    pub fn ticket_ttl(mut self, ttl: Duration) -> Self {
        self.ticket_ttl = ttl;
        self
    }

    /// How much longer than documented the rate limiter counts each window (default [`DEFAULT_WINDOW_MARGIN`]).
    pub fn window_margin(mut self, margin: Duration) -> Self {
        self.window_margin = margin;
        self
    }

    /// How many replicas share the limits (default 1): under [`OnRedisFailure::FallBack`], each replica's
    /// in-process limiter lets through this share of each window (rounded up, at least 1).
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = replicas;
        self
    }

    /// The handle. Connects to nothing yet: the first round trip connects, and a Redis that is down at start is
    /// a failure like any other.
    ///
    /// Refuses, with [`Error::Config`]: a URL the `redis` crate cannot read (the message quotes no password), an
    /// empty prefix, a zero round trip timeout, ticket time to live or number of replicas.
    pub fn build(self) -> Result<Redis, Error> {
        let refuse = |why: String| Err(Error::Config(format!("redis: {why}")));
        let client = match redis::Client::open(self.url.as_str()) {
            Ok(client) => client,
            Err(e) => return refuse(format!("the URL cannot be read ({:?})", e.kind())),
        };
        if self.prefix.is_empty() {
            return refuse("the key prefix is empty".to_owned());
        }
        if self.round_trip_timeout.is_zero() {
            return refuse("round_trip_timeout is 0; no round trip would finish".to_owned());
        }
        if self.ticket_ttl.is_zero() {
            return refuse("ticket_ttl is 0; no ticket would be kept".to_owned());
        }
        if self.replicas == 0 {
            return refuse("replicas is 0".to_owned());
        }
        let address = client.get_connection_info().addr().to_string();
        Ok(Redis {
            inner: Arc::new(Inner {
                client,
                address,
                connection: Mutex::new(None),
                health: Mutex::new(Health::default()),
                prefix: self.prefix,
                round_trip_timeout: self.round_trip_timeout,
                retry_interval: self.retry_interval,
                on_failure: self.on_failure,
                ticket_ttl: self.ticket_ttl,
                window_margin: self.window_margin,
                replicas: self.replicas,
            }),
        })
    }
}

/// A handle to the Redis the replicas share, and the maker of the stores and limiters kept there. Cheap to
/// clone: clones share one connection (multiplexed, reconnected when lost) and one view of whether Redis is up.
/// The connection is made by the first round trip and lives in that tokio runtime: use a handle within one
/// runtime.
#[derive(Clone)]
pub struct Redis {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    /// `host:port`, for messages.
    address: String,
    /// Made at the first round trip, inside the runtime that runs it.
    connection: Mutex<Option<ConnectionManager>>,
    health: Mutex<Health>,
    prefix: String,
    round_trip_timeout: Duration,
    retry_interval: Duration,
    on_failure: OnRedisFailure,
    ticket_ttl: Duration,
    window_margin: Duration,
    replicas: u32,
}

/// Whether Redis failed lately.
#[derive(Default)]
struct Health {
    /// Until when no round trip is tried, after a failure; `None` while Redis answers.
    down_until: Option<Instant>,
    /// The failure that marked it down.
    last: Option<RedisFailure>,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("address", &self.inner.address)
            .field("prefix", &self.inner.prefix)
            .field("round_trip_timeout", &self.inner.round_trip_timeout)
            .field("on_failure", &self.inner.on_failure)
            .field("up", &self.is_up())
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// A builder for the Redis at `url` (`redis://host:port/db`, `redis://:password@host:port/`), with the
    /// defaults: prefix [`DEFAULT_PREFIX`], [`DEFAULT_ROUND_TRIP_TIMEOUT`], [`DEFAULT_RETRY_INTERVAL`],
    /// [`OnRedisFailure::Fail`], [`DEFAULT_TICKET_TTL`], [`DEFAULT_WINDOW_MARGIN`], one replica.
    pub fn builder(url: impl Into<String>) -> RedisBuilder {
        RedisBuilder {
            url: url.into(),
            prefix: DEFAULT_PREFIX.to_owned(),
            round_trip_timeout: DEFAULT_ROUND_TRIP_TIMEOUT,
            retry_interval: DEFAULT_RETRY_INTERVAL,
            on_failure: OnRedisFailure::Fail,
            ticket_ttl: DEFAULT_TICKET_TTL,
            window_margin: DEFAULT_WINDOW_MARGIN,
            replicas: 1,
        }
    }

    /// The app ticket store of every app, for
    /// [`ClientBuilder::app_ticket_store`](crate::ClientBuilder::app_ticket_store).
    pub fn ticket_store(&self) -> RedisTicketStore {
        RedisTicketStore::new(self.clone())
    }

    /// The rate limiter of the app `app_id`, for
    /// [`ClientBuilder::rate_limiter`](crate::ClientBuilder::rate_limiter).
    pub fn rate_limiter(&self, app_id: impl Into<String>) -> RedisRateLimiter {
        RedisRateLimiter::new(self.clone(), app_id.into())
    }

    /// The event ids of the app `app_id`, for
    /// [`ReceiverBuilder::duplicate_store`](crate::events::ReceiverBuilder::duplicate_store).
    pub fn duplicate_store(&self, app_id: impl Into<String>) -> RedisDuplicateStore {
        RedisDuplicateStore::new(self.clone(), app_id.into())
    }

    /// The key `{prefix}:{app_id}:{rest}`.
    pub fn key(&self, app_id: &str, rest: &str) -> String {
        format!("{}:{app_id}:{rest}", self.inner.prefix)
    }

    /// Whether the last round trip succeeded (or none was made yet).
    pub fn is_up(&self) -> bool {
        self.health().down_until.is_none()
    }

    /// What happens while Redis fails.
    pub fn on_failure(&self) -> OnRedisFailure {
        self.inner.on_failure
    }

    fn health(&self) -> MutexGuard<'_, Health> {
        // Two plain fields, whole after every statement.
        self.inner
            .health
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn failure(&self, doing: &'static str, cause: impl fmt::Display) -> RedisFailure {
        RedisFailure {
            address: self.inner.address.clone(),
            doing,
            cause: cause.to_string(),
        }
    }

    /// The connection, made on first use.
    fn connection(&self, doing: &'static str) -> Result<ConnectionManager, RedisFailure> {
        let mut slot = self
            .inner
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(connection) = &*slot {
            return Ok(connection.clone());
        }
        let timeout = self.inner.round_trip_timeout;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(10))
            .set_max_delay(self.inner.retry_interval.max(Duration::from_millis(10)));
        let connection = ConnectionManager::new_lazy_with_config(self.inner.client.clone(), config)
            .map_err(|e| self.failure(doing, e))?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    /// One round trip, `run` on the connection, bounded by the round trip timeout. Skipped while Redis is marked
    /// down; a failure marks it down (with one warning), a success up again.
    async fn round_trip<T, F, Fut>(&self, doing: &'static str, run: F) -> Result<T, RedisFailure>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if let Some(failure) = self.still_down() {
            return Err(RedisFailure { doing, ..failure });
        }
        let result = match self.connection(doing) {
            Ok(connection) => {
                match tokio::time::timeout(self.inner.round_trip_timeout, run(connection)).await {
                    Ok(Ok(value)) => Ok(value),
                    Ok(Err(e)) => Err(self.failure(doing, e)),
                    Err(_) => Err(self.failure(
                        doing,
                        format_args!("no answer within {:?}", self.inner.round_trip_timeout),
                    )),
                }
            }
            Err(failure) => Err(failure),
        };
        match &result {
            Ok(_) => self.mark_up(),
            Err(failure) => self.mark_down(failure),
        }
        result
    }

    /// The failure that marked Redis down, while no round trip is to be tried.
    fn still_down(&self) -> Option<RedisFailure> {
        let health = self.health();
        match (health.down_until, &health.last) {
            (Some(until), Some(last)) if Instant::now() < until => Some(last.clone()),
            _ => None,
        }
    }

    fn mark_up(&self) {
        let mut health = self.health();
        if health.down_until.take().is_some() {
            health.last = None;
            tracing::info!(address = %self.inner.address, "Redis answers again; the state replicas share is used again");
        }
    }

    fn mark_down(&self, failure: &RedisFailure) {
        let mut health = self.health();
        let was_up = health.down_until.is_none();
        health.down_until = Some(Instant::now() + self.inner.retry_interval);
        health.last = Some(failure.clone());
        drop(health);
        if was_up {
            let meanwhile = match self.inner.on_failure {
                OnRedisFailure::Fail => {
                    "until it answers, the app ticket and event id stores fail and rate-limited calls wait for it"
                }
                OnRedisFailure::FallBack => {
                    "until it answers, this process uses its own app ticket, event ids and rate limiter"
                }
            };
            tracing::warn!(address = %self.inner.address, error = %failure, "Redis failed; {meanwhile}");
        } else {
            tracing::debug!(error = %failure, "Redis still fails");
        }
    }
}
