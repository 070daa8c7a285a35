//! `cargo bench -p docpages`: reading a page with a flat response table, then drafting from it and auditing it
//! against the project's spec, at 100,000 rows as a ratio to the same at 10,000 rows. Time linear in the rows
//! gives a ratio near 10; time quadratic in them, near 100.

use criterion::{black_box, Criterion};
use docpages::audit::audit;
use docpages::draft::draft;
use docpages::page::read_page;
use docpages::record::Record;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SMALL: usize = 10_000;
const LARGE: usize = 100_000;

fn criterion_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion")
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

/// A page of `list_job_processes` in Feishu's Markdown whose `data` has `rows` flat rows, each with an example
/// value, and a response example that has every one of them.
fn flat_page(rows: usize) -> String {
    let mut page = String::from(
        "# 获取东西\n\n> Source: https://open.feishu.cn/document/server-docs/hire-v1/x/list\n\n## 请求\n\n\
         基本 | &nbsp;\n---|---\nHTTP URL | https://open.feishu.cn/open-apis/hire/v1/job_processes\n\
         HTTP Method | GET\n接口频率限制 | [20 次/秒](https://x)\n支持的应用类型 | Custom App\n\
         权限要求 | 获取(hire:job:readonly)\n\n### 查询参数\n\n名称 | 类型 | 必填 | 描述\n---|---|---|---\n\
         page_size | int | 否 | 每页<br>**示例值**：10\n\n## 响应\n\n### 响应体\n\n名称 | 类型 | 描述\n\
         ---|---|---\ncode | int | 错误码\nmsg | string | 描述\ndata | \\- | \\-\n",
    );
    for i in 0..rows {
        let _ = writeln!(
            page,
            "field_{i} | string | 字段 {i}<br>**示例值**：\"v{i}\""
        );
    }
    page.push_str("\n### 响应体示例\n```json\n{\"code\": 0, \"msg\": \"ok\", \"data\": {\n");
    for i in 0..rows {
        let comma = if i + 1 < rows { "," } else { "" };
        let _ = writeln!(page, "    \"field_{i}\": \"v{i}\"{comma}");
    }
    page.push_str("}}\n```\n\n### 错误码\n\nHTTP状态码 | 错误码 | 描述 | 排查建议\n---|---|---|---\n500 | 1002001 | 系统错误 | 请\n");
    page
}

fn main() {
    let spec = codegen::read_file(
        "spec/hire_v1.yaml",
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec/hire_v1.yaml"),
        codegen::DraftLabels::Accepted,
    )
    .expect("the spec reads")
    .api;
    let record = Record::default();
    let mut criterion = Criterion::default()
        .output_directory(&criterion_dir())
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut group = criterion.benchmark_group("read_page");
    for rows in [SMALL, LARGE] {
        let page = flat_page(rows);
        group.bench_function(format!("draft_{rows}"), |b| {
            b.iter(|| {
                let read = read_page("page.md", black_box(page.as_bytes())).expect("reads");
                draft(&read)
            })
        });
        group.bench_function(format!("audit_{rows}"), |b| {
            b.iter(|| {
                let read = read_page("page.md", black_box(page.as_bytes())).expect("reads");
                audit(&read, &spec, &record)
            })
        });
    }
    group.finish();
    criterion.final_summary();
    for what in ["draft", "audit"] {
        if let (Some(small), Some(large)) = (
            mean_ns("read_page", &format!("{what}_{SMALL}")),
            mean_ns("read_page", &format!("{what}_{LARGE}")),
        ) {
            println!(
                "ratio {what}_{LARGE} / {what}_{SMALL} = {:.1} (linear: {}, quadratic: {})",
                large / small,
                LARGE / SMALL,
                (LARGE / SMALL).pow(2)
            );
        }
    }
}
