//! `cargo bench -p codegen`: generating the client from the project's spec, as a ratio to the baseline of only
//! parsing the same YAML.

use criterion::{black_box, Criterion};
use std::path::{Path, PathBuf};

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
    criterion.final_summary();
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
