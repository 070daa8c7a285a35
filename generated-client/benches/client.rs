//! `cargo bench -p generated-client`: the client's cost as ratios to baselines in the same run.
//!
//! - decode: the five documented answers through `decode_answer`, the function `send()` decodes
//!   with (envelope, typed `data`, JSON path on failure), against decoding the same bodies into
//!   `serde_json::Value`, and against a `serde::de::IgnoredAny` scan of them (the floor of any decoding).
//! - call: `client.get_job(..).send()` against a loopback server, against a bare reqwest GET of the same URL
//!   decoded into `serde_json::Value` (no validation, envelope handling, retries, tracing or rate limiting).

// `get_job` is deprecated by its doc page, and still served: it is exercised here on purpose.
#![allow(deprecated)]

use criterion::{black_box, Criterion};
use generated_client::decode_answer;
use generated_client::{
    Client, GetJobConfigData, GetJobData, ListExternalApplicationsData, ListJobProcessesData,
    RateLimit, SearchJobRequirementsData,
};
use serde::de::IgnoredAny;
use serde_json::Value;
use std::collections::BTreeMap;
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

/// The documented 2xx answer (the whole envelope) of each operation, read as `cargo xtask gen` reads the spec.
fn examples() -> BTreeMap<String, Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/hire_v1.yaml");
    codegen::read_file("spec/hire_v1.yaml", &path, codegen::DraftLabels::Refused)
        .expect("the spec reads")
        .api
        .operations
        .into_iter()
        .filter_map(|op| Some((op.id, op.examples.answer?)))
        .collect()
}

/// Decodes the five answers as `send()` does.
fn decode_all(bodies: &[Vec<u8>; 5]) {
    decode_answer::<ListJobProcessesData>("list_job_processes", 200, &bodies[0]).expect("decodes");
    decode_answer::<SearchJobRequirementsData>("search_job_requirements", 200, &bodies[1])
        .expect("decodes");
    decode_answer::<GetJobConfigData>("get_job_config", 200, &bodies[2]).expect("decodes");
    decode_answer::<GetJobData>("get_job", 200, &bodies[3]).expect("decodes");
    decode_answer::<ListExternalApplicationsData>("list_external_applications", 200, &bodies[4])
        .expect("decodes");
}

fn main() {
    let examples = examples();
    let example = examples["get_job"].clone();
    let bodies: [Vec<u8>; 5] = [
        "list_job_processes",
        "search_job_requirements",
        "get_job_config",
        "get_job",
        "list_external_applications",
    ]
    .map(|id| serde_json::to_vec(&examples[id]).expect("encodes"));
    let mut criterion = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args();

    let mut group = criterion.benchmark_group("decode_answers");
    group.bench_function("baseline_json_value", |b| {
        b.iter(|| {
            for body in &bodies {
                black_box(serde_json::from_slice::<Value>(black_box(body)).expect("decodes"));
            }
        })
    });
    group.bench_function("floor_ignored_any", |b| {
        b.iter(|| {
            for body in &bodies {
                black_box(serde_json::from_slice::<IgnoredAny>(black_box(body)).expect("scans"));
            }
        })
    });
    group.bench_function("decode_answer", |b| {
        b.iter(|| decode_all(black_box(&bodies)))
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
        ("decode_answers", "baseline_json_value", "decode_answer"),
        ("decode_answers", "floor_ignored_any", "decode_answer"),
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
