//! `cargo bench -p codegen`: generating the client from the project's spec, as a ratio to the baseline of only
//! parsing the same YAML; and reading (loading and lowering) a spec whose schemas form one chain of references,
//! at 20,000 schemas as a ratio to the same at 2,000. Time linear in the schemas gives a ratio near 10; time
//! quadratic in them, near 100.

use criterion::{black_box, Criterion};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SHORT_CHAIN: usize = 2_000;
const LONG_CHAIN: usize = 20_000;

fn criterion_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion")
}

/// The time of one iteration from criterion's estimates, in nanoseconds.
fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    // The slope estimate is the time criterion reports; runs too short for it only have a mean.
    estimates["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| estimates["mean"]["point_estimate"].as_f64())
}

/// A spec whose data is the first of `length` schemas, each referring to the next (by `$ref`, and every other
/// one by `allOf` around the `$ref`), the last back to the first.
fn chain_spec(length: usize) -> String {
    let mut spec = String::from(
        r##"openapi: 3.0.3
info: {title: Chain, version: "1"}
paths:
  /links/{id}:
    get:
      operationId: get_link
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: "#/components/schemas/Envelope"}
                  - type: object
                    properties:
                      data: {$ref: "#/components/schemas/Link0"}
components:
  schemas:
    Envelope:
      type: object
      x-envelope: true
      required: [code, msg]
      properties:
        code: {type: integer, format: int32}
        msg: {type: string}
        data: {type: object}
"##,
    );
    for i in 0..length {
        let next = format!("\"#/components/schemas/Link{}\"", (i + 1) % length);
        let link = if i % 2 == 0 {
            format!("{{$ref: {next}}}")
        } else {
            format!("{{allOf: [{{$ref: {next}}}], description: The next link.}}")
        };
        let _ = write!(
            spec,
            "    Link{i}:\n      type: object\n      properties:\n        label: {{type: string}}\n        next: {link}\n"
        );
    }
    spec
}

fn main() {
    let spec =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/hire_v1.yaml"))
            .expect("the spec is readable");
    let mut criterion = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args();
    let mut group = criterion.benchmark_group("generate");
    group.bench_function("baseline_parse_yaml", |b| {
        b.iter(|| serde_yaml::from_str::<serde_yaml::Value>(black_box(&spec)).expect("parses"))
    });
    group.bench_function("generate_client", |b| {
        b.iter(|| codegen::generate("spec/hire_v1.yaml", black_box(&spec)).expect("generates"))
    });
    group.finish();
    let mut group = criterion.benchmark_group("read_chain");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for length in [SHORT_CHAIN, LONG_CHAIN] {
        let spec = chain_spec(length);
        group.bench_function(format!("schemas_{length}"), |b| {
            b.iter(|| {
                codegen::read(
                    "chain.yaml",
                    black_box(&spec),
                    codegen::DraftLabels::Refused,
                )
                .expect("reads")
            })
        });
    }
    group.finish();
    criterion.final_summary();
    if let (Some(short), Some(long)) = (
        mean_ns("read_chain", &format!("schemas_{SHORT_CHAIN}")),
        mean_ns("read_chain", &format!("schemas_{LONG_CHAIN}")),
    ) {
        println!(
            "ratio schemas_{LONG_CHAIN} / schemas_{SHORT_CHAIN} = {:.1} (linear: {}, quadratic: {})",
            long / short,
            LONG_CHAIN / SHORT_CHAIN,
            (LONG_CHAIN / SHORT_CHAIN).pow(2)
        );
    }
    if let (Some(base), Some(full)) = (
        mean_ns("generate", "baseline_parse_yaml"),
        mean_ns("generate", "generate_client"),
    ) {
        println!(
            "ratio generate_client / baseline_parse_yaml = {:.1}",
            full / base
        );
    }
}
