//! Pacing under the documented rate limits: at most the limit starts in any one-second window (and in any
//! minute, for operations documented per minute too), a call starts at once while the windows have room, and a
//! limiter of one's own can replace the in-process one.

use crate::common::*;
use generated_client::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

/// When each of `calls` acquisitions of one operation is granted, relative to the first request.
async fn grant_times(limiter: &WindowLimiter, n: u32, calls: usize) -> Vec<Duration> {
    grant_times_within(limiter, per_second(n), calls).await
}

/// When each of `calls` acquisitions under `quota` is granted, relative to the first request.
async fn grant_times_within(limiter: &WindowLimiter, quota: Quota, calls: usize) -> Vec<Duration> {
    let started = Instant::now();
    let waits = (0..calls).map(|_| async {
        limiter
            .acquire("get_job", quota)
            .await
            .expect("the limiter lets it through");
        started.elapsed()
    });
    futures_util::future::join_all(waits).await
}

/// `1000 次/分钟、50 次/秒`, scaled down: 5 a second and 12 a minute. The second window paces the first
/// calls, the minute window the rest: no second holds more than 5, no minute more than 12.
#[tokio::test(start_paused = true)]
async fn both_windows_of_a_two_window_limit_are_kept() {
    let limiter = WindowLimiter::new();
    let quota = Quota {
        per_second: Some(5),
        per_minute: Some(12),
    };
    let times = grant_times_within(&limiter, quota, 30).await;
    for (i, start) in times.iter().enumerate() {
        let within = |length: Duration| times[i..].iter().filter(|t| **t < *start + length).count();
        assert!(within(Duration::from_secs(1)) <= 5, "{times:?}");
        assert!(within(Duration::from_secs(60)) <= 12, "{times:?}");
    }
    let whole_seconds: Vec<u64> = times.iter().map(|t| t.as_secs()).collect();
    assert_eq!(
        whole_seconds[..13],
        [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 60],
        "five a second until twelve in the minute, then the minute's first call leaves its window"
    );
    assert_eq!(times.len(), 30);
    assert_eq!(times[29].as_secs(), 121);
}

#[tokio::test(start_paused = true)]
async fn calls_start_at_once_while_the_window_has_room() {
    let limiter = WindowLimiter::new();
    let times = grant_times(&limiter, 50, 10).await;
    assert!(times.iter().all(|t| t.is_zero()), "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn the_call_past_the_limit_waits_for_the_window() {
    let limiter = WindowLimiter::new();
    let times = grant_times(&limiter, 50, 51).await;
    assert!(times[..50].iter().all(|t| t.is_zero()), "{times:?}");
    assert_eq!(times[50], Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn no_one_second_window_holds_more_than_the_limit() {
    let limiter = WindowLimiter::new();
    let mut times = grant_times(&limiter, 3, 10).await;
    // Three more, after a pause, when the window has emptied.
    tokio::time::sleep(Duration::from_secs(10)).await;
    times.extend(
        grant_times(&limiter, 3, 3)
            .await
            .iter()
            .map(|t| *t + Duration::from_secs(10)),
    );
    times.sort();
    for (i, start) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .filter(|t| **t < *start + Duration::from_secs(1));
        assert!(in_window.count() <= 3, "{times:?}");
    }
    let whole_seconds: Vec<u64> = times.iter().map(|t| t.as_secs()).collect();
    assert_eq!(whole_seconds, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 10, 10, 10]);
}

#[tokio::test(start_paused = true)]
async fn operations_have_windows_of_their_own() {
    let limiter = WindowLimiter::new();
    limiter
        .acquire("get_job", per_second(1))
        .await
        .expect("the limiter lets it through");
    let started = Instant::now();
    limiter
        .acquire("get_job_config", per_second(1))
        .await
        .expect("the limiter lets it through");
    assert!(started.elapsed().is_zero());
    limiter
        .acquire("get_job", per_second(1))
        .await
        .expect("the limiter lets it through");
    assert_eq!(started.elapsed(), Duration::from_secs(1));
}

#[test]
fn the_limit_follows_the_mode() {
    let both = Quota {
        per_second: Some(50),
        per_minute: Some(1000),
    };
    assert_eq!(RateLimit::Documented.quota(both), Some(both));
    assert_eq!(
        RateLimit::Documented.quota(per_second(50)),
        Some(per_second(50))
    );
    assert_eq!(RateLimit::Documented.quota(Quota::NONE), None);
    assert_eq!(RateLimit::PerSecond(5).quota(both), Some(per_second(5)));
    assert_eq!(RateLimit::PerSecond(0).quota(both), None);
    assert_eq!(RateLimit::Off.quota(both), None);
}

async fn job_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok(json!({"job": {"id": "6001"}})))
        .mount(&server)
        .await;
    server
}

/// Through the client, on the real clock: ten parallel `get_job` calls (documented at 50/s) do not wait; with
/// 50 already started, the 51st waits for the window.
#[tokio::test]
async fn the_client_keeps_the_documented_limit_without_needless_waits() {
    let server = job_server().await;
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t")
        .build()
        .expect("builds");
    let started = std::time::Instant::now();
    let calls = (0..10).map(|_| client.get_job("6001").send());
    for outcome in futures_util::future::join_all(calls).await {
        outcome.expect("ok");
    }
    let ten = started.elapsed();
    assert!(ten < Duration::from_millis(500), "ten calls took {ten:?}");

    let calls = (0..41).map(|_| client.get_job("6001").send());
    futures_util::future::join_all(calls).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the 51st call waited for the window: {:?}",
        started.elapsed()
    );
}

/// A limiter that records what it is asked, as a shared limiter of a service would be.
#[derive(Debug, Default, Clone)]
struct Recording(Arc<Mutex<Vec<Asked>>>);

/// What a limiter was asked: the operation and its per-second limit.
type Asked = (&'static str, Option<u32>);

impl RateLimiter for Recording {
    fn acquire(&self, operation: &'static str, quota: Quota) -> rate_limit::Acquire<'_> {
        self.0
            .lock()
            .expect("lock")
            .push((operation, quota.per_second));
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn a_limiter_of_ones_own_is_asked_before_every_attempt() {
    let server = job_server().await;
    let recording = Recording::default();
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t")
        .rate_limiter(recording.clone())
        .build()
        .expect("builds");
    client.get_job("6001").send().await.expect("ok");
    client.get_job_config("6001").send().await.expect("ok");
    assert_eq!(
        *recording.0.lock().expect("lock"),
        [("get_job", Some(50)), ("get_job_config", Some(20))]
    );

    let off = Recording::default();
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t")
        .rate_limit(RateLimit::Off)
        .rate_limiter(off.clone())
        .build()
        .expect("builds");
    client.get_job("6001").send().await.expect("ok");
    assert!(
        off.0.lock().expect("lock").is_empty(),
        "no limit, no asking"
    );
}

/// A limiter that cannot decide (a shared store that is down).
#[derive(Debug)]
struct Failing;

impl RateLimiter for Failing {
    fn acquire(&self, _: &'static str, _: Quota) -> rate_limit::Acquire<'_> {
        Box::pin(async { Err("the shared store is down".into()) })
    }
}

#[tokio::test]
async fn a_limiter_that_fails_ends_the_call_naming_the_operation_and_sends_nothing() {
    let server = job_server().await;
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t")
        .rate_limiter(Failing)
        .build()
        .expect("builds");
    let error = client
        .get_job_config("6001")
        .send()
        .await
        .expect_err("no slot");
    match &error {
        Error::RateLimiter { operation, source } => {
            assert_eq!(*operation, "get_job_config");
            assert_eq!(source.to_string(), "the shared store is down");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with("get_job_config: the rate limiter failed"),
        "{error}"
    );
    assert!(!error.is_retryable());
    let sent = server.received_requests().await.unwrap_or_default();
    assert!(sent.is_empty(), "nothing is sent without a slot");
}
