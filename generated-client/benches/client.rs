//! `cargo bench -p generated-client`: the client's cost as ratios to baselines in the same run.
//!
//! - decode: the documented `get_job` answer into the generated types, against decoding it into
//!   `serde_json::Value`.
//! - call: `client.get_job(..).send()` against a loopback server, against a bare reqwest GET of the same URL
//!   decoded into `serde_json::Value` (no validation, envelope handling, retries, tracing or rate limiting).

// `get_job` is deprecated by its doc page, and still served: it is exercised here on purpose.
#![allow(deprecated)]

use criterion::{black_box, Criterion};
use generated_client::{Client, GetJobData, RateLimit};
use serde_json::Value;
use std::path::{Path, PathBuf};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn criterion_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion")
}

fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let estimates: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    // The slope estimate is the time criterion reports; runs too short for it only have a mean.
    estimates["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| estimates["mean"]["point_estimate"].as_f64())
}

fn get_job_example() -> Value {
    let spec =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/hire_v1.yaml"))
            .expect("spec");
    let spec: Value = serde_yaml::from_str(&spec).expect("yaml");
    spec["paths"]["/open-apis/hire/v1/jobs/{job_id}"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"]
        .clone()
}

fn main() {
    let example = get_job_example();
    let data = serde_json::to_vec(&example["data"]).expect("encodes");
    let mut criterion = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args();

    let mut group = criterion.benchmark_group("decode_get_job");
    group.bench_function("baseline_json_value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&data)).expect("decodes"))
    });
    group.bench_function("generated_types", |b| {
        b.iter(|| serde_json::from_slice::<GetJobData>(black_box(&data)).expect("decodes"))
    });
    group.finish();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&example))
            .mount(&server)
            .await;
        server
    });
    let url = format!("{}/open-apis/hire/v1/jobs/6001", server.uri());
    let http = reqwest::Client::new();
    let client = Client::builder()
        .base_url(server.uri())
        .tenant_access_token("t-bench")
        .rate_limit(RateLimit::Off)
        .build()
        .expect("client");
    let mut group = criterion.benchmark_group("call_get_job");
    group.bench_function("baseline_reqwest_json_value", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let response = http
                    .get(&url)
                    .bearer_auth("t-bench")
                    .send()
                    .await
                    .expect("sends");
                let bytes = response.bytes().await.expect("body");
                serde_json::from_slice::<Value>(&bytes).expect("decodes")
            })
        })
    });
    group.bench_function("generated_client", |b| {
        b.iter(|| {
            runtime.block_on(async { client.get_job("6001").send().await.expect("succeeds") })
        })
    });
    group.finish();
    criterion.final_summary();

    for (group, base, measured) in [
        ("decode_get_job", "baseline_json_value", "generated_types"),
        (
            "call_get_job",
            "baseline_reqwest_json_value",
            "generated_client",
        ),
    ] {
        if let (Some(b), Some(m)) = (mean_ns(group, base), mean_ns(group, measured)) {
            println!("ratio {group}: {measured} / {base} = {:.2}", m / b);
        }
    }
}
