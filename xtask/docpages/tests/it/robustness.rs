//! Broken pages never panic: every page cut short, and pages with characters that matter to the reader
//! (`{`, `|`, `└`, colons, dashes, line breaks, ...) dropped in at many places, either read or fail with a
//! located error; what reads is audited and drafted without a panic either.

use crate::{read_spec, text};
use codegen::model::Api;
use docpages::audit::audit;
use docpages::draft::draft;
use docpages::page::read_page;
use docpages::record::Record;
use std::collections::BTreeMap;

/// Reads a page, and audits and drafts it when it reads; a failure must name the page and a line in it.
fn exercise(name: &str, page: &str, spec: &Api) {
    match read_page(name, page.as_bytes()) {
        Ok(read) => {
            let _ = audit(&read, spec, &Record::default());
            let _ = draft(&read);
        }
        Err(e) => {
            let lines = page.lines().count().max(1);
            assert!(
                e.line >= 1 && e.line <= lines + 1,
                "{e} (the page has {lines} lines)"
            );
            assert_eq!(e.file, name);
        }
    }
}

#[test]
fn pages_cut_anywhere() {
    let spec = read_spec("spec.yaml", &text("spec.yaml"));
    for name in ["widgets.md", "gadgets.txt"] {
        let page = text(name);
        for (at, _) in page.char_indices() {
            exercise(name, &page[..at], &spec);
        }
    }
}

#[test]
fn characters_the_reader_cares_about_dropped_in() {
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        "|",
        " | ",
        "└ ",
        "\n",
        ":",
        "：",
        "- ",
        "`",
        "\"",
        "#",
        "---",
        "可选值有：- 1：",
        "示例值:",
        "次/秒",
        "中",
    ];
    let spec = read_spec("spec.yaml", &text("spec.yaml"));
    // A small deterministic generator, so a failure repeats.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    for name in ["widgets.md", "gadgets.txt"] {
        let page = text(name);
        let boundaries: Vec<usize> = page.char_indices().map(|(i, _)| i).collect();
        for _ in 0..1500 {
            let mut changed = page.clone();
            for _ in 0..1 + next(3) {
                let at = boundaries[next(boundaries.len())].min(changed.len());
                let at = (0..=at)
                    .rev()
                    .find(|i| changed.is_char_boundary(*i))
                    .unwrap_or(0);
                changed.insert_str(at, PIECES[next(PIECES.len())]);
            }
            exercise(name, &changed, &spec);
        }
    }
}

/// A page of the test spec's `GET /open-apis/demo/v1/stores/{store_id}/widgets` whose `data` has `rows` flat rows, each with an example value, and a
/// response example that has every one of them.
fn flat_page(rows: usize) -> String {
    use std::fmt::Write;
    let mut page = String::from(
        "# 获取东西\n\n## 请求\n\n基本 | &nbsp;\n---|---\n\
         HTTP URL | https://open.feishu.cn/open-apis/demo/v1/stores/:store_id/widgets\nHTTP Method | GET\n\n\
         ## 响应\n\n### 响应体\n\n名称 | 类型 | 描述\n---|---|---\ncode | int | 错误码\nmsg | string | 描述\n\
         data | \\- | \\-\n",
    );
    for i in 0..rows {
        let _ = writeln!(page, "field_{i} | string | 字段<br>**示例值**：\"v{i}\"");
    }
    page.push_str("\n### 响应体示例\n```json\n{\"code\": 0, \"msg\": \"ok\", \"data\": {\n");
    for i in 0..rows {
        let comma = if i + 1 < rows { "," } else { "" };
        let _ = writeln!(page, "\"field_{i}\": \"v{i}\"{comma}");
    }
    page.push_str("}}\n```\n");
    page
}

/// A long flat table is read, audited and drafted whole, each row once and in its place. (Its time is
/// recorded by `cargo bench -p docpages`, as a ratio to a table a tenth as long.)
#[test]
fn a_flat_table_of_20000_rows() {
    const ROWS: usize = 20_000;
    let page = flat_page(ROWS);
    let read = read_page("long.md", page.as_bytes()).expect("reads");
    let names: Vec<&str> = read.data_fields().iter().map(|f| f.name.as_str()).collect();
    let expected: Vec<String> = (0..ROWS).map(|i| format!("field_{i}")).collect();
    assert_eq!(names, expected);
    assert!(read.data_fields().iter().all(|f| f.children.is_empty()));
    assert!(read.ambiguities.is_empty());
    let first_row = page
        .lines()
        .position(|l| l.starts_with("field_0 "))
        .expect("the first row")
        + 1;
    let lines: Vec<usize> = read.data_fields().iter().map(|f| f.line).collect();
    assert_eq!(lines, (first_row..first_row + ROWS).collect::<Vec<_>>());

    // The spec's `data` of the operation has none of the rows: each is one difference, at its own line.
    let spec = read_spec("spec.yaml", &text("spec.yaml"));
    let mut found: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for finding in audit(&read, &spec, &Record::default()) {
        found.entry(finding.path).or_default().push(finding.line);
    }
    for (i, line) in lines.iter().enumerate() {
        let path = format!("data.field_{i}");
        assert_eq!(found.get(&path), Some(&vec![*line]), "{path}");
    }

    // The draft's `data` schema has every row, in order.
    let drafted: serde_yaml::Value =
        serde_yaml::from_str(&draft(&read)).expect("the draft is YAML");
    let schemas = drafted["components"]["schemas"]
        .as_mapping()
        .expect("schemas");
    let drafted_rows: Vec<Vec<&str>> = schemas
        .values()
        .filter_map(|schema| schema["properties"].as_mapping())
        .map(|properties| properties.keys().filter_map(|k| k.as_str()).collect())
        .filter(|keys: &Vec<&str>| keys.len() == ROWS)
        .collect();
    assert_eq!(drafted_rows, [expected]);
}

/// A spec of `links` schemas in one ring, each referring to the next by `$ref` (every other one by `allOf`
/// around it), the last to the first; and `links` more in a line, each requiring the next, the last requiring
/// an enum.
fn chain_spec(links: usize) -> String {
    use std::fmt::Write;
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
                      data: {$ref: "#/components/schemas/Ring0"}
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
    Kind:
      type: string
      enum: [a, b]
"##,
    );
    for i in 0..links {
        let next = format!("\"#/components/schemas/Ring{}\"", (i + 1) % links);
        let link = if i % 2 == 0 {
            format!("{{$ref: {next}}}")
        } else {
            format!("{{allOf: [{{$ref: {next}}}], description: The next link.}}")
        };
        let _ = write!(
            spec,
            "    Ring{i}:\n      type: object\n      properties:\n        label: {{type: string}}\n        next: {link}\n"
        );
    }
    for i in 0..links {
        let (required, next) = if i + 1 < links {
            (
                "next",
                format!("{{$ref: \"#/components/schemas/Line{}\"}}", i + 1),
            )
        } else {
            ("kind", "{$ref: \"#/components/schemas/Kind\"}".to_owned())
        };
        let _ = write!(
            spec,
            "    Line{i}:\n      type: object\n      required: [{required}]\n      properties:\n        {required}: {next}\n"
        );
    }
    spec
}

/// Long chains of references lower in one pass, on a test thread's stack: every link of a ring is boxed, no link
/// of a line is, and a line whose end lacks a default lacks it all along.
#[test]
fn chains_of_5000_schemas() {
    const LINKS: usize = 5_000;
    let api = read_spec("chain.yaml", &chain_spec(LINKS));
    let ring: Vec<_> = api
        .structs
        .iter()
        .filter(|s| s.name.starts_with("Ring"))
        .collect();
    let line: Vec<_> = api
        .structs
        .iter()
        .filter(|s| s.name.starts_with("Line"))
        .collect();
    assert_eq!((ring.len(), line.len()), (LINKS, LINKS));
    for s in &ring {
        let next = s.fields.iter().find(|f| f.wire == "next").expect("next");
        assert!(next.boxed, "{} is not boxed", s.name);
        assert!(s.derive_default, "{} has no default", s.name);
    }
    for s in &line {
        assert!(s.fields.iter().all(|f| !f.boxed), "{} is boxed", s.name);
        assert!(!s.derive_default, "{} has a default", s.name);
    }
}
