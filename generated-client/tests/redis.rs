//! The state replicas share (feature `redis`), against a real Redis server started on a loopback port for each
//! test and killed when it ends: the app ticket set by one process and used by another, one app's rate limit
//! kept by four processes together, event ids, keys and their times to live, and Redis stopped, paused and
//! restarted under both failure choices.
//!
//! Without `redis-server` on the `PATH` (or at `$REDIS_SERVER`), each test says it was skipped and passes;
//! with `REDIS_TESTS=required` (as CI sets it) it fails instead. Built without the feature, one test says so.
//! Processes: the test binary runs itself again with `REPLICA_ROLE` set, as the ignored `replica_process` test.

#[cfg(not(feature = "redis"))]
#[test]
fn redis_tests_need_the_redis_feature() {
    let why = "built without the `redis` feature; run `cargo test -p generated-client --features redis --test redis`";
    assert!(
        std::env::var("REDIS_TESTS").as_deref() != Ok("required"),
        "REDIS_TESTS=required, but the Redis tests were {why}"
    );
    use std::io::Write;
    // Straight to stderr: the test harness captures `eprintln!`, not this.
    let _ = writeln!(std::io::stderr(), "skipped: the Redis tests; {why}");
}

#[cfg(feature = "redis")]
mod with_redis {
    use generated_client::auth::{
        AppTicketStore, Secret, APP_TICKET_RESEND_PATH, APP_TOKEN_PATH, STORE_TENANT_TOKEN_PATH,
        TOKEN_FAILURE_BACKOFF,
    };
    use generated_client::events::DuplicateStore;
    use generated_client::shared::{OnRedisFailure, Redis};
    use generated_client::{
        Client, Error, Quota, RateLimit, RateLimiter, RetryPolicy, WindowLimiter,
    };
    use serde_json::json;
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::process::{Child, ChildStdout, Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    use wiremock::matchers::{body_partial_json, method, path};
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    const JOB_CONFIG_PATH: &str = "/open-apis/hire/v1/jobs/6001/config";
    /// `get_job_config`'s documented limit.
    const JOB_CONFIG_PER_SECOND: usize = 20;

    // ---- the Redis server ----

    /// A `redis-server` of this test on a loopback port, with no persistence, in a temporary folder; killed on
    /// drop.
    struct RedisServer {
        program: String,
        port: u16,
        dir: tempfile::TempDir,
        child: Option<Child>,
    }

    /// The `redis-server` to run, or `None` after saying why the test is skipped.
    fn redis_program(test: &str) -> Option<String> {
        let program = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let found = Command::new(&program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if found {
            return Some(program);
        }
        let why = format!(
            "`{program}` was not found (install the `redis-server` package, or set REDIS_SERVER)"
        );
        assert!(
            std::env::var("REDIS_TESTS").as_deref() != Ok("required"),
            "REDIS_TESTS=required, but {why}"
        );
        // Straight to stderr: the test harness captures `eprintln!`, not this.
        let _ = writeln!(std::io::stderr(), "skipped: {test}: {why}");
        None
    }

    fn free_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address").port()
    }

    impl RedisServer {
        /// A server on a free port, or `None` when the test is skipped.
        fn start(test: &str) -> Option<RedisServer> {
            let program = redis_program(test)?;
            let mut server = RedisServer {
                program,
                port: free_port(),
                dir: tempfile::tempdir().expect("a temporary folder"),
                child: None,
            };
            server.run();
            Some(server)
        }

        /// Starts the server on its port (again), and waits until it answers.
        fn run(&mut self) {
            assert!(self.child.is_none(), "already running");
            let child = Command::new(&self.program)
                .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(self.dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server starts");
            self.child = Some(child);
            let started = Instant::now();
            while !self.answers() {
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "redis-server did not answer on port {}",
                    self.port
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        fn answers(&self) -> bool {
            let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
                return false;
            };
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let mut answer = [0u8; 7];
            stream.write_all(b"PING\r\n").is_ok()
                && std::io::Read::read_exact(&mut stream, &mut answer).is_ok()
                && &answer == b"+PONG\r\n"
        }

        /// Kills the server; what it held is gone.
        fn stop(&mut self) {
            if let Some(mut child) = self.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }

        /// Sends the server `signal` (`STOP`, `CONT`).
        fn signal(&self, signal: &str) {
            let pid = self.child.as_ref().expect("running").id();
            let status = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(pid.to_string())
                .status()
                .expect("kill runs");
            assert!(status.success(), "kill -{signal}");
        }

        fn url(&self) -> String {
            format!("redis://127.0.0.1:{}/", self.port)
        }

        /// A connection of the test's own, to look at the keys.
        async fn inspect(&self) -> redis::aio::MultiplexedConnection {
            redis::Client::open(self.url())
                .expect("the URL")
                .get_multiplexed_async_connection()
                .await
                .expect("a connection")
        }
    }

    impl Drop for RedisServer {
        fn drop(&mut self) {
            if self.child.is_some() {
                // A paused server must run again to die of SIGKILL promptly everywhere.
                let _ = Command::new("kill")
                    .arg("-CONT")
                    .arg(self.child.as_ref().map(|c| c.id()).unwrap_or(0).to_string())
                    .status();
            }
            self.stop();
        }
    }

    async fn query<T: redis::FromRedisValue>(
        connection: &mut redis::aio::MultiplexedConnection,
        args: &[&str],
    ) -> T {
        let mut cmd = redis::cmd(args[0]);
        for arg in &args[1..] {
            cmd.arg(*arg);
        }
        cmd.query_async(connection).await.expect("the query")
    }

    // ---- the mock Feishu ----

    /// Answers every request with `{"code":0,...}` and notes when it arrived.
    #[derive(Clone, Default)]
    struct Arrivals(Arc<Mutex<Vec<Instant>>>);

    impl Respond for Arrivals {
        fn respond(&self, _: &Request) -> ResponseTemplate {
            self.0.lock().expect("lock").push(Instant::now());
            ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok", "data": {}}))
        }
    }

    impl Arrivals {
        fn times(&self) -> Vec<Instant> {
            let mut times = self.0.lock().expect("lock").clone();
            times.sort();
            times
        }
    }

    /// The most requests that arrived in any one-second window.
    fn most_in_one_second(times: &[Instant]) -> usize {
        let mut most = 0;
        let mut end = 0;
        for (start, t) in times.iter().enumerate() {
            while end < times.len() && times[end] < *t + Duration::from_secs(1) {
                end += 1;
            }
            most = most.max(end - start);
        }
        most
    }

    async fn job_server() -> (MockServer, Arrivals) {
        let server = MockServer::start().await;
        let arrivals = Arrivals::default();
        Mock::given(method("GET"))
            .and(path(JOB_CONFIG_PATH))
            .respond_with(arrivals.clone())
            .mount(&server)
            .await;
        (server, arrivals)
    }

    fn redis(server: &RedisServer, on_failure: OnRedisFailure) -> Redis {
        Redis::builder(server.url())
            .prefix("test")
            .round_trip_timeout(Duration::from_millis(200))
            .retry_interval(Duration::from_millis(300))
            .on_failure(on_failure)
            .build()
            .expect("a Redis handle")
    }

    fn paced_client(base_url: &str, limiter: impl RateLimiter + 'static) -> Client {
        Client::builder()
            .base_url(base_url)
            .tenant_access_token("t-test-token")
            .retry(RetryPolicy::none())
            .rate_limiter(limiter)
            .call_timeout(Duration::from_secs(2))
            .build()
            .expect("a client")
    }

    /// Writes a figure where `cargo test` shows it (the harness captures `eprintln!`, not this).
    fn figure(text: &str) {
        let _ = writeln!(std::io::stderr(), "figure: {text}");
    }

    // ---- other processes ----

    /// Runs this test binary again as the `replica_process` test, with `role` and `vars`.
    fn replica(role: &str, vars: &[(&str, String)]) -> Child {
        let exe = std::env::current_exe().expect("the test binary");
        let mut command = Command::new(exe);
        command
            .args([
                "--exact",
                "with_redis::replica_process",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("REPLICA_ROLE", role)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (name, value) in vars {
            command.env(name, value);
        }
        command.spawn().expect("the replica starts")
    }

    /// What follows `REPLICA ` in the next line of a replica that has it (the harness may have begun the line).
    fn next_report(lines: &mut impl Iterator<Item = std::io::Result<String>>) -> String {
        for line in lines {
            let line = line.expect("a line");
            if let Some((_, report)) = line.split_once("REPLICA ") {
                return report.to_owned();
            }
        }
        panic!("the replica ended without reporting");
    }

    fn reports(stdout: ChildStdout) -> impl Iterator<Item = std::io::Result<String>> {
        BufReader::new(stdout).lines()
    }

    /// Reads the replica's output to its end (so that it never writes to a closed pipe), then waits for it.
    fn wait_ok(mut child: Child, mut lines: impl Iterator<Item = std::io::Result<String>>) {
        for line in &mut lines {
            line.expect("a line");
        }
        let status = child.wait().expect("the replica ends");
        assert!(status.success(), "the replica failed: {status}");
    }

    /// The replicas' side, which `replica` runs: ignored in an ordinary run, and does nothing unless
    /// `REPLICA_ROLE` is set.
    #[test]
    #[ignore = "the entry point of the replica processes the Redis tests start"]
    fn replica_process() {
        let Ok(role) = std::env::var("REPLICA_ROLE") else {
            return;
        };
        let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set"));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            match role.as_str() {
                "load" => {
                    load_replica(
                        &var("REDIS_URL"),
                        &var("BASE_URL"),
                        &var("LIMITER"),
                        &var("LOAD_SECS"),
                    )
                    .await
                }
                "ticket-writer" => ticket_writer(&var("REDIS_URL"), &var("BASE_URL")).await,
                "ticket-reader" => ticket_reader(&var("REDIS_URL"), &var("BASE_URL")).await,
                other => panic!("no role {other}"),
            }
        });
    }

    /// Starts `get_job_config` calls at 20 a second (the documented limit, so four replicas offer four times
    /// it) for `secs` seconds, each with a 2 s deadline; reports how many were sent and how many timed out.
    async fn load_replica(redis_url: &str, base_url: &str, limiter: &str, secs: &str) {
        let secs: u64 = secs.parse().expect("LOAD_SECS");
        let client = match limiter {
            "redis" => {
                let redis = Redis::builder(redis_url)
                    .prefix("test")
                    .build()
                    .expect("a Redis handle");
                paced_client(base_url, redis.rate_limiter("cli_load"))
            }
            _ => paced_client(base_url, WindowLimiter::new()),
        };
        let mut ticks =
            tokio::time::interval(Duration::from_millis(1000 / JOB_CONFIG_PER_SECOND as u64));
        let end = tokio::time::Instant::now() + Duration::from_secs(secs);
        let mut calls = Vec::new();
        while tokio::time::Instant::now() < end {
            ticks.tick().await;
            let client = client.clone();
            calls.push(tokio::spawn(async move {
                client.get_job_config("6001").send().await
            }));
        }
        let (mut sent, mut timed_out) = (0, 0);
        for call in calls {
            match call.await.expect("the call's task") {
                Ok(_) => sent += 1,
                Err(Error::Timeout {
                    deadline: Some(_), ..
                }) => timed_out += 1,
                Err(e) => panic!("a call failed: {e}"),
            }
        }
        println!("REPLICA sent={sent} timed_out={timed_out}");
    }

    const STORE_APP_ID: &str = "cli_store_replicas";
    const STORE_SECRET: &str = "store-secret";
    const TICKET: &str = "ticket-pushed-to-one-replica";

    fn store_client(redis_url: &str, base_url: &str) -> Client {
        let redis = Redis::builder(redis_url)
            .prefix("test")
            .build()
            .expect("a Redis handle");
        Client::builder()
            .base_url(base_url)
            .store_app(STORE_APP_ID, STORE_SECRET)
            .app_ticket_store(redis.ticket_store())
            .rate_limit(RateLimit::Off)
            .retry(RetryPolicy::none())
            .call_timeout(Duration::from_secs(5))
            .build()
            .expect("a client")
    }

    /// The replica the `app_ticket` event reached.
    async fn ticket_writer(redis_url: &str, base_url: &str) {
        let client = store_client(redis_url, base_url);
        client
            .set_app_ticket(TICKET)
            .await
            .expect("the ticket is kept");
        println!("REPLICA set");
    }

    /// Another replica: a call before the ticket is set, then, once told, calls after it.
    async fn ticket_reader(redis_url: &str, base_url: &str) {
        let client = store_client(redis_url, base_url);
        let call = || client.get_job_config("6001").tenant_key("tenant-a").send();
        match call().await {
            Err(Error::NoAppTicket { .. }) => println!("REPLICA before=NoAppTicket"),
            other => println!("REPLICA before={other:?}"),
        }
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .expect("told to go on");
        // The client remembers its failure to get an app token for this long.
        tokio::time::sleep(TOKEN_FAILURE_BACKOFF + Duration::from_millis(100)).await;
        let next = match call().await {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{e}"),
        };
        for _ in 0..19 {
            call().await.expect("later calls");
        }
        println!("REPLICA after={next}");
    }

    // ---- the tests ----

    /// Four processes, each with its own client and limiter, start `get_job_config` calls (documented at 20 a
    /// second) at 20 a second each, 80 together, for 10 s (`REDIS_LOAD_SECS`): the server sees at most 20 in
    /// any one-second window. The same load with each process's own in-process limiter, for 3 s, shows what
    /// the sharing prevents.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn four_processes_share_one_apps_rate_limit() {
        let Some(redis_server) = RedisServer::start("four_processes_share_one_apps_rate_limit")
        else {
            return;
        };
        let secs: u64 = std::env::var("REDIS_LOAD_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10);
        let run = |limiter: &'static str, secs: u64| {
            let redis_url = redis_server.url();
            async move {
                let (server, arrivals) = job_server().await;
                let vars = [
                    ("REDIS_URL", redis_url),
                    ("BASE_URL", server.uri()),
                    ("LIMITER", limiter.to_owned()),
                    ("LOAD_SECS", secs.to_string()),
                ];
                let replicas: Vec<Child> = (0..4).map(|_| replica("load", &vars)).collect();
                let outcomes = tokio::task::spawn_blocking(move || {
                    replicas
                        .into_iter()
                        .map(|mut child| {
                            let mut lines = reports(child.stdout.take().expect("stdout"));
                            let report = next_report(&mut lines);
                            wait_ok(child, lines);
                            report
                        })
                        .collect::<Vec<String>>()
                })
                .await
                .expect("the replicas");
                let times = arrivals.times();
                let span = times
                    .last()
                    .zip(times.first())
                    .map(|(l, f)| *l - *f)
                    .unwrap_or_default();
                (most_in_one_second(&times), times.len(), span, outcomes)
            }
        };

        let (most, total, span, outcomes) = run("redis", secs).await;
        figure(&format!(
            "4 processes x 20 calls/s for {secs} s, one Redis limiter: {total} requests over {span:.1?}, \
             at most {most} in any one-second window (replicas: {outcomes:?})"
        ));
        assert!(
            most <= JOB_CONFIG_PER_SECOND,
            "{most} requests in one second"
        );
        assert!(
            total >= JOB_CONFIG_PER_SECOND * secs as usize / 2,
            "the load kept the limit busy: {total} requests in {secs} s"
        );

        let (most_alone, total_alone, span_alone, _) = run("memory", 3).await;
        figure(&format!(
            "the same, for 3 s, each process with its own in-process limiter: {total_alone} requests over \
             {span_alone:.1?}, at most {most_alone} in any one-second window"
        ));
        assert!(
            most_alone > JOB_CONFIG_PER_SECOND,
            "without sharing, the app's limit is exceeded"
        );
    }

    /// The ticket the `app_ticket` event brought to one process is used by another's next call: before it, the
    /// other process has none (`NoAppTicket`, and asks Feishu to push it again); after it, its next call gets
    /// an app token with that ticket. Counts the token requests of the reader's 21 calls.
    #[tokio::test]
    async fn a_ticket_set_in_one_process_is_used_by_anothers_next_call() {
        let Some(redis_server) =
            RedisServer::start("a_ticket_set_in_one_process_is_used_by_anothers_next_call")
        else {
            return;
        };
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(APP_TICKET_RESEND_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(APP_TOKEN_PATH))
            .and(body_partial_json(
                json!({"app_id": STORE_APP_ID, "app_ticket": TICKET}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"code": 0, "msg": "ok", "app_access_token": "a-app-token", "expire": 7200}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(STORE_TENANT_TOKEN_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"code": 0, "msg": "ok", "tenant_access_token": "t-tenant-a", "expire": 7200}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(JOB_CONFIG_PATH))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"code": 0, "msg": "ok", "data": {}})),
            )
            .mount(&server)
            .await;
        let vars = [
            ("REDIS_URL", redis_server.url()),
            ("BASE_URL", server.uri()),
        ];

        let (before, after) = tokio::task::spawn_blocking(move || {
            let mut reader = replica("ticket-reader", &vars);
            let mut lines = reports(reader.stdout.take().expect("stdout"));
            let before = next_report(&mut lines);
            let mut writer = replica("ticket-writer", &vars);
            let mut writer_lines = reports(writer.stdout.take().expect("stdout"));
            let written = next_report(&mut writer_lines);
            assert_eq!(written, "set");
            wait_ok(writer, writer_lines);
            writeln!(reader.stdin.take().expect("stdin")).expect("the reader is told");
            let after = next_report(&mut lines);
            wait_ok(reader, lines);
            (before, after)
        })
        .await
        .expect("the replicas");

        assert_eq!(before, "before=NoAppTicket");
        assert_eq!(after, "after=ok");
        let requests = server.received_requests().await.expect("recorded");
        let count = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
        assert_eq!(
            count(APP_TOKEN_PATH),
            1,
            "one app token, with the ticket of the other process"
        );
        assert_eq!(count(STORE_TENANT_TOKEN_PATH), 1);
        figure(&format!(
            "ticket set in process A, process B's next call: ok; B's 21 calls made {} app token and {} tenant \
             token request(s), {} resend request(s)",
            count(APP_TOKEN_PATH),
            count(STORE_TENANT_TOKEN_PATH),
            count(APP_TICKET_RESEND_PATH)
        ));
        let mut connection = redis_server.inspect().await;
        let ttl: i64 = query(
            &mut connection,
            &["PTTL", &format!("test:{STORE_APP_ID}:app_ticket")],
        )
        .await;
        let documented = generated_client::shared::DEFAULT_TICKET_TTL.as_millis() as i64;
        assert!(ttl > documented - 60_000 && ttl <= documented, "PTTL {ttl}");
    }

    /// Every key is `{prefix}:{app_id}:...`, with its time to live; two limiters of one app (two replicas)
    /// share one count; an acquisition dropped while it waits takes no slot.
    #[tokio::test]
    async fn keys_are_namespaced_and_slots_are_shared() {
        let Some(redis_server) = RedisServer::start("keys_are_namespaced_and_slots_are_shared")
        else {
            return;
        };
        let one = Redis::builder(redis_server.url())
            .prefix("svc")
            .build()
            .expect("a handle");
        let two = Redis::builder(redis_server.url())
            .prefix("svc")
            .build()
            .expect("a handle");
        one.ticket_store()
            .set("cli_a", Secret::new("ticket-a"))
            .await
            .expect("set");
        assert_eq!(
            two.ticket_store()
                .get("cli_a")
                .await
                .expect("get")
                .map(|t| t.expose().to_owned()),
            Some("ticket-a".to_owned())
        );
        assert_eq!(
            two.ticket_store().get("cli_b").await.expect("get"),
            None,
            "another app's ticket"
        );
        assert!(one
            .duplicate_store("cli_a")
            .first_seen("ev-1", Duration::from_secs(600))
            .await
            .expect("marked"));

        let quota = Quota {
            per_second: Some(3),
            per_minute: Some(5),
        };
        let (a, b) = (one.rate_limiter("cli_a"), two.rate_limiter("cli_a"));
        for limiter in [&a, &b, &a] {
            limiter
                .acquire("get_job", quota)
                .await
                .expect("the limiter lets it through");
        }
        // The fourth in the same second waits for the second window; dropped meanwhile, it takes nothing.
        let waited =
            tokio::time::timeout(Duration::from_millis(300), b.acquire("get_job", quota)).await;
        assert!(waited.is_err(), "three a second");
        for limiter in [&b, &a] {
            limiter
                .acquire("get_job", quota)
                .await
                .expect("the limiter lets it through");
        }
        let waited =
            tokio::time::timeout(Duration::from_millis(1500), b.acquire("get_job", quota)).await;
        assert!(waited.is_err(), "five a minute");

        let mut connection = redis_server.inspect().await;
        let mut keys: Vec<String> = query(&mut connection, &["KEYS", "*"]).await;
        keys.sort();
        assert_eq!(
            keys,
            [
                "svc:cli_a:app_ticket",
                "svc:cli_a:event:ev-1",
                "svc:cli_a:rate:get_job"
            ]
        );
        let slots: i64 = query(&mut connection, &["ZCARD", "svc:cli_a:rate:get_job"]).await;
        assert_eq!(slots, 5, "the dropped acquisitions took no slot");
        let ticket_ttl: i64 = query(&mut connection, &["PTTL", "svc:cli_a:app_ticket"]).await;
        assert!(
            ticket_ttl > 7_100_000 && ticket_ttl <= 7_200_000,
            "{ticket_ttl}"
        );
        let event_ttl: i64 = query(&mut connection, &["PTTL", "svc:cli_a:event:ev-1"]).await;
        assert!(event_ttl > 500_000 && event_ttl <= 600_000, "{event_ttl}");
        let rate_ttl: i64 = query(&mut connection, &["PTTL", "svc:cli_a:rate:get_job"]).await;
        assert!(rate_ttl > 0 && rate_ttl <= 62_000, "{rate_ttl}");
    }

    /// A redelivery reaching another replica is a duplicate; `forget` (after a failed handling) lets the next
    /// delivery through on any replica.
    #[tokio::test]
    async fn an_event_is_handled_once_across_replicas() {
        let Some(redis_server) = RedisServer::start("an_event_is_handled_once_across_replicas")
        else {
            return;
        };
        let a = redis(&redis_server, OnRedisFailure::Fail).duplicate_store("cli_a");
        let b = redis(&redis_server, OnRedisFailure::Fail).duplicate_store("cli_a");
        let other_app = redis(&redis_server, OnRedisFailure::Fail).duplicate_store("cli_b");
        let ttl = Duration::from_secs(60);
        assert!(a.first_seen("ev-1", ttl).await.expect("a"));
        assert!(
            !b.first_seen("ev-1", ttl).await.expect("b"),
            "the redelivery to b"
        );
        assert!(
            other_app.first_seen("ev-1", ttl).await.expect("other"),
            "ids are per app"
        );
        b.forget("ev-1").await.expect("forget");
        assert!(
            a.first_seen("ev-1", ttl).await.expect("a"),
            "handled again after forget"
        );
        assert!(!b.first_seen("ev-1", ttl).await.expect("b"));
    }

    /// What a call does within its deadline while Redis fails.
    async fn bounded<T>(what: &str, work: impl std::future::Future<Output = T>) -> T {
        // Far past every deadline in these tests: only a hang trips it.
        tokio::time::timeout(Duration::from_secs(20), work)
            .await
            .unwrap_or_else(|_| panic!("{what} hung past its deadline"))
    }

    /// `OnRedisFailure::Fail`: with Redis paused (slow) and then killed, the stores fail naming Redis and the
    /// paced calls fail with `Error::RateLimiter` naming Redis, within their deadline; none hangs and nothing is
    /// sent. Restarted, Redis is used again.
    #[tokio::test]
    async fn redis_down_fails_naming_redis_and_recovers() {
        let Some(mut redis_server) =
            RedisServer::start("redis_down_fails_naming_redis_and_recovers")
        else {
            return;
        };
        let (server, arrivals) = job_server().await;
        let shared = redis(&redis_server, OnRedisFailure::Fail);
        let client = paced_client(&server.uri(), shared.rate_limiter("cli_a"));
        let tickets = shared.ticket_store();
        let events = shared.duplicate_store("cli_a");
        let call = || {
            client
                .get_job_config("6001")
                .timeout(Duration::from_millis(800))
                .send()
        };
        call().await.expect("with Redis up");

        for outage in ["paused", "killed"] {
            match outage {
                "paused" => redis_server.signal("STOP"),
                _ => redis_server.stop(),
            }
            let sent_before = arrivals.times().len();
            let error = bounded("a paced call", call())
                .await
                .expect_err("no slot without Redis");
            match &error {
                Error::RateLimiter { operation, .. } => assert_eq!(*operation, "get_job_config"),
                other => panic!("{outage}: {other:?}"),
            }
            assert!(
                error
                    .to_string()
                    .contains(&format!("Redis at 127.0.0.1:{} failed", redis_server.port)),
                "{outage}: {error}"
            );
            assert_eq!(
                arrivals.times().len(),
                sent_before,
                "nothing sent without a slot"
            );
            let failure = bounded("reading the ticket", tickets.get("cli_a"))
                .await
                .expect_err(outage);
            let message = failure.to_string();
            assert!(
                message.starts_with(&format!(
                    "Redis at 127.0.0.1:{} failed reading the app ticket",
                    redis_server.port
                )),
                "{message}"
            );
            let failure = bounded(
                "marking an event",
                events.first_seen("ev-1", Duration::from_secs(60)),
            )
            .await
            .expect_err(outage);
            assert!(
                failure.to_string().contains("Redis at 127.0.0.1"),
                "{failure}"
            );
            assert!(!shared.is_up());
            match outage {
                "paused" => redis_server.signal("CONT"),
                _ => redis_server.run(),
            }
            // The next call after the retry interval uses Redis again; under load the restart may take longer.
            let back = tokio::time::Instant::now();
            loop {
                tokio::time::sleep(Duration::from_millis(400)).await;
                let sent = bounded("a call after Redis is back", call()).await;
                if sent.is_ok() || back.elapsed() > Duration::from_secs(10) {
                    sent.expect(outage);
                    break;
                }
            }
            assert!(shared.is_up(), "{outage}");
        }
        // The restarted server holds the slot of the last call: the limiter is shared again.
        let mut connection = redis_server.inspect().await;
        let slots: i64 = query(
            &mut connection,
            &["ZCARD", "test:cli_a:rate:get_job_config"],
        )
        .await;
        assert_eq!(slots, 1);
        assert!(events
            .first_seen("ev-1", Duration::from_secs(60))
            .await
            .expect("back"));
    }

    /// `OnRedisFailure::FallBack`: with Redis killed, calls go on with the in-process limiter (one warning), the
    /// ticket and the event ids are this process's; none hangs. Restarted empty, Redis is used again and is given
    /// back the ticket.
    #[tokio::test]
    async fn redis_down_falls_back_with_one_warning_and_recovers() {
        let Some(mut redis_server) =
            RedisServer::start("redis_down_falls_back_with_one_warning_and_recovers")
        else {
            return;
        };
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let (server, arrivals) = job_server().await;
        let shared = redis(&redis_server, OnRedisFailure::FallBack);
        let client = paced_client(&server.uri(), shared.rate_limiter("cli_a"));
        let tickets = shared.ticket_store();
        let events = shared.duplicate_store("cli_a");
        let call = || {
            client
                .get_job_config("6001")
                .timeout(Duration::from_millis(800))
                .send()
        };
        tickets
            .set("cli_a", Secret::new("ticket-1"))
            .await
            .expect("set");
        call().await.expect("with Redis up");

        redis_server.stop();
        for _ in 0..10 {
            bounded("a paced call", call())
                .await
                .expect("paced in-process");
        }
        assert_eq!(arrivals.times().len(), 11);
        let ticket = bounded("the ticket", tickets.get("cli_a"))
            .await
            .expect("this process's");
        assert_eq!(
            ticket.map(|t| t.expose().to_owned()),
            Some("ticket-1".to_owned())
        );
        assert!(bounded(
            "an event",
            events.first_seen("ev-1", Duration::from_secs(60))
        )
        .await
        .expect("kept here"));
        assert!(!events
            .first_seen("ev-1", Duration::from_secs(60))
            .await
            .expect("kept here"));
        let warnings = logs.text().matches("Redis failed").count();
        assert_eq!(warnings, 1, "{}", logs.text());

        redis_server.run();
        // The next call after the retry interval uses Redis again; under load the restart may take longer.
        let back = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(400)).await;
            call().await.expect("with Redis back");
            if shared.is_up() || back.elapsed() > Duration::from_secs(10) {
                break;
            }
        }
        assert!(shared.is_up());
        let mut connection = redis_server.inspect().await;
        let slots: i64 = query(
            &mut connection,
            &["ZCARD", "test:cli_a:rate:get_job_config"],
        )
        .await;
        assert_eq!(slots, 1, "the limiter is shared again");
        let ticket = tickets.get("cli_a").await.expect("back");
        assert_eq!(
            ticket.map(|t| t.expose().to_owned()),
            Some("ticket-1".to_owned())
        );
        let stored: Option<String> =
            query(&mut connection, &["GET", "test:cli_a:app_ticket"]).await;
        assert_eq!(
            stored.as_deref(),
            Some("ticket-1"),
            "written back for the other replicas"
        );
        assert!(
            logs.text().contains("Redis answers again"),
            "{}",
            logs.text()
        );
        assert_eq!(logs.text().matches("Redis failed").count(), 1);
    }

    #[derive(Clone, Default)]
    struct Logs(Arc<Mutex<Vec<u8>>>);

    impl Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Logs {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
        }
    }

    /// The time of one acquisition of `limiter`, over `n` of them.
    async fn time_acquisitions(limiter: &dyn RateLimiter, quota: Quota, n: u32) -> Duration {
        limiter
            .acquire("warm_up", quota)
            .await
            .expect("the limiter lets it through");
        let started = Instant::now();
        for _ in 0..n {
            limiter
                .acquire("get_job", quota)
                .await
                .expect("the limiter lets it through");
        }
        started.elapsed() / n
    }

    /// The cost of the shared limiter against the in-process one: acquisitions alone, and whole calls to a
    /// loopback server, one after another. A figure, not an assertion.
    #[tokio::test]
    async fn cost_of_the_shared_limiter() {
        let Some(redis_server) = RedisServer::start("cost_of_the_shared_limiter") else {
            return;
        };
        const N: u32 = 2000;
        let quota = Quota {
            per_second: Some(1_000_000),
            per_minute: None,
        };
        let shared = redis(&redis_server, OnRedisFailure::Fail).rate_limiter("cli_cost");
        let local = WindowLimiter::new();
        let local_each = time_acquisitions(&local, quota, N).await;
        let shared_each = time_acquisitions(&shared, quota, N).await;

        let (server, _) = job_server().await;
        let time_calls = |client: Client| async move {
            client.get_job_config("6001").send().await.expect("warm up");
            let started = Instant::now();
            for _ in 0..N / 4 {
                client.get_job_config("6001").send().await.expect("a call");
            }
            started.elapsed() / (N / 4)
        };
        fn unpaced(base_url: String, limiter: impl RateLimiter + 'static) -> Client {
            Client::builder()
                .base_url(base_url)
                .tenant_access_token("t-test-token")
                .retry(RetryPolicy::none())
                .rate_limit(RateLimit::PerSecond(1_000_000))
                .rate_limiter(limiter)
                .build()
                .expect("a client")
        }
        let local_call = time_calls(unpaced(server.uri(), WindowLimiter::new())).await;
        let shared_call = time_calls(unpaced(
            server.uri(),
            redis(&redis_server, OnRedisFailure::Fail).rate_limiter("cli_cost"),
        ))
        .await;
        figure(&format!(
            "one acquisition: in-process {local_each:?}, Redis {shared_each:?} ({:.0}x); one whole call to a \
             loopback server: in-process limiter {local_call:?}, Redis limiter {shared_call:?} (+{:?}, {:.2}x)",
            shared_each.as_secs_f64() / local_each.as_secs_f64().max(1e-9),
            shared_call.saturating_sub(local_call),
            shared_call.as_secs_f64() / local_call.as_secs_f64().max(1e-9),
        ));
    }
}
