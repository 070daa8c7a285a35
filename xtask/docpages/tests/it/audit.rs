//! The audit against a spec that agrees with the three test pages (one per dialect): clean as they are, and each
//! kind of change to a page reported at the right path and line, in each dialect. Then the draft round trip.

use crate::{read_spec, text};
use codegen::model::Api;
use docpages::audit::{audit, Finding, Status};
use docpages::draft::draft;
use docpages::page::read_page;
use docpages::record::Record;

fn spec() -> Api {
    read_spec("spec.yaml", &text("spec.yaml"))
}

fn audit_text(name: &str, page_text: &str) -> Vec<Finding> {
    let page = read_page(name, page_text.as_bytes()).expect("the page reads");
    audit(&page, &spec(), &Record::default())
        .into_iter()
        .filter(|f| f.status == Status::Difference)
        .collect()
}

/// The line (from 1) of the first line of `text` that starts with `start`.
fn line_of(text: &str, start: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starts with {start:?}"))
        + 1
}

/// Changes `name` by replacing `from` with `to`, and checks that the audit reports `path` at the line that
/// starts with `at`, saying `page` and `spec`; every other finding must be about the page's JSON example.
fn assert_reported(name: &str, from: &str, to: &str, path: &str, at: &str, page: &str, spec: &str) {
    let original = text(name);
    assert!(original.contains(from), "{name} has no {from:?}");
    let changed = original.replacen(from, to, 1);
    assert_reported_in(name, &changed, path, at, page, spec);
}

/// [`assert_reported`] for a page already changed.
fn assert_reported_in(name: &str, changed: &str, path: &str, at: &str, page: &str, spec: &str) {
    let findings = audit_text(name, changed);
    let line = line_of(changed, at);
    let found = findings.iter().find(|f| f.path == path).unwrap_or_else(|| {
        panic!("{path} not reported; found:\n{}", lines(&findings));
    });
    assert_eq!(
        (found.line, found.page.as_str(), found.spec.as_str()),
        (line, page, spec),
        "{found}"
    );
    let others: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.path != path
                && !f.path.starts_with("example.")
                && !f.path.starts_with("body-example.")
        })
        .collect();
    assert!(
        others.is_empty(),
        "unexpected findings:\n{}",
        lines(&findings)
    );
    assert_eq!(
        found.to_string(),
        format!(
            "{name}:{line}: {} {path}: page says {page}, spec says {spec}",
            found.operation
        )
    );
}

/// Checks that the audit of `moved` (a page whose field moved) reports the field where it now is, at its line
/// (`to`: path and the start of the line), and missing where it was, at its old parent's line (`from`); and
/// nothing else but differences of the JSON example.
fn assert_moved(name: &str, moved: &str, to: (&str, &str), from: (&str, &str)) {
    let findings = audit_text(name, moved);
    let paths: Vec<(&str, usize)> = findings
        .iter()
        .filter(|f| !f.path.starts_with("example."))
        .map(|f| (f.path.as_str(), f.line))
        .collect();
    assert_eq!(
        paths,
        [
            (to.0, line_of(moved, to.1)),
            (from.0, line_of(moved, from.1)),
        ],
        "{}",
        lines(&findings)
    );
}

fn lines(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("{f}\n")).collect()
}

#[test]
fn the_test_pages_agree_with_the_test_spec() {
    for name in ["widgets.md", "gadgets.txt", "gizmos.md"] {
        let findings = audit_text(name, &text(name));
        assert!(findings.is_empty(), "{name}:\n{}", lines(&findings));
    }
}

/// Every kind of change, on the page in Feishu's own Markdown (`<br>` inside cells): each is reported at its
/// path and line, with both sides.
#[test]
fn each_kind_of_change_in_feishus_markdown() {
    let cases: [(&str, &str, &str, &str, &str, &str); 12] = [
        // A field removed from the response.
        (
            "active | boolean | 是否启用<br>**可选值有**：<br>- false：未启用<br>- true：启用\n",
            "",
            "data.gizmo.active",
            "gizmo |",
            "nothing",
            "a field",
        ),
        // A type changed.
        (
            "id | string | 小装置 ID\n",
            "id | int | 小装置 ID\n",
            "data.gizmo.id.type",
            "id | int | 小装置 ID",
            "integer",
            "string",
        ),
        // An enum value added, to a query parameter and to a body field.
        (
            "- user_id：租户内的用户身份<br>",
            "- user_id：租户内的用户身份<br>- union_id：开发商内的用户身份<br>",
            "user_id_type.enum",
            "user_id_type |",
            "value union_id",
            "no such value",
        ),
        (
            "- 1：低档<br>- 2：高档\nparts",
            "- 1：低档<br>- 2：高档<br>- 3：超高档\nparts",
            "body.level.enum",
            "level | int | 否",
            "value 3",
            "no such value",
        ),
        // A limit, with the value on the line after its mark.
        (
            "- 最大值：`100`",
            "- 最大值：`200`",
            "limit.maximum",
            "limit |",
            "200",
            "100",
        ),
        (
            "**默认值：**<br>10",
            "**默认值：**<br>20",
            "limit.default",
            "limit |",
            "20",
            "10",
        ),
        (
            "长度范围：`1` ～ `20` 字符",
            "长度范围：`1` ～ `30` 字符",
            "body.name.maxLength",
            "name | string | 是",
            "30",
            "20",
        ),
        // The rate limit, and the app types in Feishu's English spelling.
        (
            "[3 次/秒]",
            "[6 次/秒]",
            "x-rate-limit",
            "接口频率限制",
            "6/s",
            "3/s",
        ),
        (
            "Custom App、Store App",
            "Custom App",
            "x-app-types",
            "支持的应用类型",
            "custom",
            "custom, store",
        ),
        // Required flipped in the body.
        (
            "name | string | 是 |",
            "name | string | 否 |",
            "body.name.required",
            "name | string | 否",
            "false",
            "true",
        ),
        // An error code added.
        (
            "404 | 9100004 | 小装置不存在 | 检查 gizmo_id",
            "404 | 9100004 | 小装置不存在 | 检查 gizmo_id\n500 | 9100009 | 内部错误 | 重试",
            "x-error-codes.9100009",
            "500 | 9100009",
            "HTTP 500",
            "no such code",
        ),
        // An example changed.
        (
            "**示例值**：\"g-7\"",
            "**示例值**：\"g-8\"",
            "gizmo_id.example",
            "gizmo_id |",
            "g-8",
            "g-7",
        ),
    ];
    for (from, to, path, at, page, spec) in cases {
        assert_reported("gizmos.md", from, to, path, at, page, spec);
    }
    // A new query parameter.
    assert_reported(
        "gizmos.md",
        "\n\n### 请求体\n",
        "\ncolor | string | 否 | 颜色<br>**示例值**：red\n\n### 请求体\n",
        "color",
        "color |",
        "a query parameter (string)",
        "nothing",
    );
    // A field moved: `active` into the owner, in the table and in the example.
    let active =
        "active | boolean | 是否启用<br>**可选值有**：<br>- false：未启用<br>- true：启用\n";
    let moved = text("gizmos.md")
        .replace(active, "")
        .replace(
            "en_us | string | 英文名\n",
            &format!("en_us | string | 英文名\n{active}"),
        )
        .replace("\"active\": true,\n", "")
        .replace(
            "\"en_us\": \"A\"\n                }",
            "\"en_us\": \"A\"\n                },\n                \"active\": true",
        );
    assert_moved(
        "gizmos.md",
        &moved,
        ("data.gizmo.owner.active", "active |"),
        ("data.gizmo.active", "gizmo |"),
    );
}

/// A page in Feishu's Markdown that names its address on a `> Source:` line: the address is the one the spec
/// links; a page without one is only warned about.
#[test]
fn the_address_of_a_page_in_feishus_markdown() {
    let page = read_page("gizmos.md", text("gizmos.md").as_bytes()).expect("reads");
    assert_eq!(
        page.source_url.as_deref(),
        Some("https://open.feishu.cn/document/demo-v1/gizmo/update")
    );
    let moved = text("gizmos.md").replace("demo-v1/gizmo/update", "demo-v1/gizmo/update-v2");
    assert_reported_in(
        "gizmos.md",
        &moved,
        "externalDocs",
        "# 更新小装置",
        "https://open.feishu.cn/document/demo-v1/gizmo/update-v2",
        "https://open.feishu.cn/document/demo-v1/gizmo/update",
    );
    let bare = text("gizmos.md").replacen(
        "> Source: https://open.feishu.cn/document/demo-v1/gizmo/update\n",
        "",
        1,
    );
    let page = read_page("gizmos.md", bare.as_bytes()).expect("reads");
    let findings = audit(&page, &spec(), &Record::default());
    assert_eq!(findings.len(), 1, "{}", lines(&findings));
    assert_eq!(findings[0].status, Status::Warning);
    assert_eq!(findings[0].path, "externalDocs");
}

#[test]
fn a_field_added_removed_or_moved() {
    // A new row, and its key in the example (without it, the row's parent could not be decided).
    let added = text("widgets.md")
        .replace(
            "tags | string\\[\\] | 标签\n",
            "tags | string\\[\\] | 标签\nweight | int | 重量\n",
        )
        .replace("\"tags\": [\"x\"]", "\"tags\": [\"x\"],\n\"weight\": 2");
    assert_reported_in(
        "widgets.md",
        &added,
        "data.items.weight",
        "weight |",
        "a field (int)",
        "nothing",
    );
    assert_reported(
        "widgets.md",
        "tags | string\\[\\] | 标签\n",
        "",
        "data.items.tags",
        "items |",
        "nothing",
        "a field",
    );
    // `created` moves into the gadget, in the table and in the example.
    let moved = text("gadgets.txt")
        .replace("└ created | boolean | 是否新建 |\n", "")
        .replace(
            "└ id | string | 小工具 ID |\n",
            "└ id | string | 小工具 ID |\n└ created | boolean | 是否新建 |\n",
        )
        .replace("\"id\": \"g1\",", "\"id\": \"g1\",\n\"created\": true,")
        .replace("},\n\"created\": true\n}", "}\n}");
    assert_moved(
        "gadgets.txt",
        &moved,
        ("data.gadget.created", "└ created"),
        ("data.created", "data |"),
    );
}

#[test]
fn a_type_changed_from_int_to_string() {
    assert_reported(
        "widgets.md",
        "size | int | 尺寸",
        "size | string | 尺寸",
        "data.items.size.type",
        "size |",
        "string",
        "integer",
    );
}

#[test]
fn a_new_enum_value() {
    assert_reported(
        "widgets.md",
        "- 2：大\n",
        "- 2：大  \n- 3：中\n",
        "data.items.size.enum",
        "size |",
        "value 3",
        "no such value",
    );
}

#[test]
fn a_changed_maximum() {
    assert_reported(
        "widgets.md",
        "- 最大值：`50`",
        "- 最大值：`80`",
        "page_size.maximum",
        "page_size |",
        "80",
        "50",
    );
    assert_reported(
        "gadgets.txt",
        "最大值: 100",
        "最大值: 200",
        "body.weight.maximum",
        "weight |",
        "200",
        "100",
    );
}

#[test]
fn a_changed_rate_limit() {
    assert_reported(
        "widgets.md",
        "[5 次/秒]",
        "[8 次/秒]",
        "x-rate-limit",
        "接口频率限制",
        "8/s",
        "5/s",
    );
}

#[test]
fn a_new_query_parameter() {
    assert_reported(
        "widgets.md",
        "label | string | 是 | 标签",
        "sort | string | 否 | 排序  \n**示例值**：asc\nlabel | string | 是 | 标签",
        "sort",
        "sort |",
        "a query parameter (string)",
        "nothing",
    );
}

#[test]
fn a_required_flag_flipped() {
    assert_reported(
        "widgets.md",
        "label | string | 是 | 标签",
        "label | string | 否 | 标签",
        "label.required",
        "label |",
        "false",
        "true",
    );
    assert_reported(
        "gadgets.txt",
        "name | string | 是 | 名称",
        "name | string | 否 | 名称",
        "body.name.required",
        "name |",
        "false",
        "true",
    );
}

#[test]
fn a_new_error_code() {
    assert_reported(
        "gadgets.txt",
        "| 409 | 9100003 | 名称重复 | 换一个名称 |",
        "| 409 | 9100003 | 名称重复 | 换一个名称 |\n| 500 | 9100009 | 内部错误 | 稍后再试 |",
        "x-error-codes.9100009",
        "| 500",
        "HTTP 500",
        "no such code",
    );
}

#[test]
fn a_changed_example_value() {
    assert_reported(
        "widgets.md",
        "**示例值**：tok_1",
        "**示例值**：tok_9",
        "page_token.example",
        "page_token |",
        "tok_9",
        "tok_1",
    );
    assert_reported(
        "gadgets.txt",
        "重量 示例值:3",
        "重量 示例值:4",
        "body.weight.example",
        "weight |",
        "4",
        "3",
    );
    // A value of the JSON example, at the line the example starts on.
    let changed =
        text("widgets.md").replace("\"page_token\": \"tok_2\"", "\"page_token\": \"tok_3\"");
    let findings = audit_text("widgets.md", &changed);
    assert_eq!(findings.len(), 1, "{}", lines(&findings));
    assert_eq!(findings[0].path, "example.data.page_token");
    assert_eq!(
        (findings[0].page.as_str(), findings[0].spec.as_str()),
        ("\"tok_3\"", "\"tok_2\"")
    );
    assert_eq!(findings[0].line, line_of(&changed, "{"));
}

#[test]
fn a_deviation_is_accepted_and_a_stale_one_reported() {
    let spec_text = text("spec.yaml").replace(
        "      x-rate-limit: 5\n",
        "      x-rate-limit: 6\n      x-doc-deviations:\n        - {at: x-rate-limit, reason: Measured at 6/s.}\n        - {at: label.example, reason: Long gone.}\n",
    );
    let spec = read_spec("spec.yaml", &spec_text);
    let page = read_page("widgets.md", text("widgets.md").as_bytes()).expect("reads");
    let findings = audit(&page, &spec, &Record::default());
    let accepted: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Accepted)
        .collect();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].path, "x-rate-limit");
    assert!(accepted[0]
        .to_string()
        .ends_with("(accepted: Measured at 6/s.)"));
    let stale: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Difference)
        .collect();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].path, "label.example");
    assert!(stale[0].spec.contains("remove it"), "{}", stale[0]);
}

#[test]
fn a_page_other_than_the_recorded_one_is_reported() {
    let page = read_page("widgets.md", text("widgets.md").as_bytes()).expect("reads");
    let mut record = Record::default();
    record.set("list_widgets", &page);
    assert!(audit(&page, &spec(), &record).is_empty());

    let relabeled = text("widgets.md").replace("- 1：小", "- 1：迷你");
    let changed = read_page("widgets.md", relabeled.as_bytes()).expect("reads");
    let findings = audit(&changed, &spec(), &record);
    let version = findings
        .iter()
        .find(|f| f.path == "page")
        .expect("the version is noticed");
    assert_eq!(version.status, Status::Difference);
    let label = findings
        .iter()
        .find(|f| f.path == "data.items.size.enum.1")
        .expect("the label is noticed");
    assert_eq!(label.status, Status::Warning);
    assert_eq!(label.page, "label \"迷你\"");
    assert_eq!(label.line, line_of(&relabeled, "size |"));
}

#[test]
fn a_page_the_spec_does_not_have() {
    let moved =
        text("gadgets.txt").replace("/open-apis/demo/v1/gadgets", "/open-apis/demo/v1/gizmos");
    let findings = audit_text("gadgets.txt", &moved);
    assert_eq!(findings.len(), 1, "{}", lines(&findings));
    assert_eq!(findings[0].operation, "-");
    assert_eq!(findings[0].path, "path");
    assert_eq!(findings[0].line, line_of(&moved, "| HTTP URL"));
}

#[test]
fn the_draft_of_each_page_audits_clean() {
    for name in ["widgets.md", "gadgets.txt", "gizmos.md"] {
        let page = read_page(name, text(name).as_bytes()).expect("reads");
        let fragment = draft(&page);
        assert!(fragment.contains("DRAFT:"), "the page's words are marked");
        let spec = read_spec("draft.yaml", &fragment);
        let findings = audit(&page, &spec, &Record::default());
        // A page that does not name its own address is only a warning.
        let differences: Vec<Finding> = findings
            .iter()
            .filter(|f| !(f.status == Status::Warning && f.path == "externalDocs"))
            .cloned()
            .collect();
        assert!(
            differences.is_empty(),
            "{name}:\n{fragment}\n{}",
            lines(&differences)
        );
    }
}

#[test]
fn the_generator_refuses_a_draft_until_its_words_are_rewritten() {
    let page = read_page("widgets.md", text("widgets.md").as_bytes()).expect("reads");
    let fragment = draft(&page);
    let err = codegen::generate("draft.yaml", &fragment).expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("DRAFT:") && message.contains("rewrite it"),
        "{message}"
    );
}
