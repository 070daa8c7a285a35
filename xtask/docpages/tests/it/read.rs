//! The page reader, on three small pages written for these tests, one per dialect: `gizmos.md` (Feishu's own
//! Markdown: a `> Source:` line, `<br>` inside cells, flat rows), `widgets.md` (Markdown with front matter and
//! continuation lines) and `gadgets.txt` (one line per row, inline facts, `└` marks, unfenced examples).

use crate::text;
use docpages::page::{read_page, Field, Page, ParamIn};

fn page(name: &str) -> Page {
    read_page(name, text(name).as_bytes()).expect("the test page reads")
}

/// The tree as `name(children)`.
fn shape(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| {
            if f.children.is_empty() {
                f.name.clone()
            } else {
                format!("{}({})", f.name, shape(&f.children))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The 1-based line of the first line of `name` that starts with `start`.
fn line(name: &str, start: &str) -> usize {
    text(name)
        .lines()
        .position(|l| l.starts_with(start))
        .expect("the line is there")
        + 1
}

#[test]
fn the_markdown_dialect() {
    let page = page("widgets.md");
    assert_eq!(page.title, "列出小部件");
    assert_eq!(
        page.source_url.as_deref(),
        Some("https://open.feishu.cn/document/demo-v1/widget/list")
    );
    assert_eq!(page.last_remote_update.as_deref(), Some("2026-01-02"));
    assert_eq!(page.sha256.len(), 64);
    assert_eq!(page.method.value, "GET");
    assert_eq!(
        page.path.value,
        "/open-apis/demo/v1/stores/{store_id}/widgets"
    );
    assert_eq!(page.path.line, line("widgets.md", "HTTP URL"));
    assert_eq!(
        page.rate_limit.as_ref().and_then(|r| r.value.per_second),
        Some(5)
    );
    assert_eq!(page.app_types.value, ["custom", "store"]);
    assert_eq!(page.scopes.value, ["demo:widget:readonly", "demo:widget"]);
    assert_eq!(
        page.field_scopes.value,
        ["contact:user.employee_id:readonly"]
    );

    assert_eq!(page.token_types.value, ["tenant"]);
    let params: Vec<(ParamIn, &str, bool)> = page
        .params
        .iter()
        .map(|p| (p.location, p.name.as_str(), p.required))
        .collect();
    assert_eq!(
        params,
        [
            (ParamIn::Path, "store_id", true),
            (ParamIn::Query, "page_size", false),
            (ParamIn::Query, "page_token", false),
            (ParamIn::Query, "color", false),
            (ParamIn::Query, "label", true),
        ]
    );
    let size = &page.params[1];
    assert_eq!(size.line, line("widgets.md", "page_size"));
    assert_eq!(size.facts.label, "每页数量");
    assert_eq!(size.facts.default.as_deref(), Some("20"));
    assert_eq!(size.facts.example.as_deref(), Some("20"));
    assert_eq!(size.facts.maximum, Some(50.0));
    assert_eq!(size.facts.minimum, Some(1.0));
    let color = &page.params[3];
    let values: Vec<(&str, &str)> = color
        .facts
        .enum_values
        .iter()
        .map(|v| (v.value.as_str(), v.label.as_str()))
        .collect();
    assert_eq!(values, [("red", "红色"), ("blue", "蓝色")]);
    // The default ends where the field-scope note after it starts.
    assert_eq!(color.facts.default.as_deref(), Some("red"));
    let label = &page.params[4];
    assert_eq!(
        (label.facts.min_length, label.facts.max_length),
        (Some(1), Some(32))
    );
    assert_eq!(label.facts.example.as_deref(), Some("abc"));

    assert_eq!(
        shape(&page.response),
        "code msg data(has_more page_token items(id size owner(id name(zh_cn en_us)) created_at tags))"
    );
    let items = &page.data_fields()[2];
    assert!(items.ty.array && items.ty.is_object());
    // `可选值：`, as some pages write it instead of `可选值有：`.
    let sizes: Vec<&str> = items.children[1]
        .facts
        .enum_values
        .iter()
        .map(|v| v.value.as_str())
        .collect();
    assert_eq!(sizes, ["1", "2"]);
    let created = &items.children[3];
    assert!(created.facts.int64);
    assert_eq!(created.line, line("widgets.md", "created_at"));
    assert!(page.ambiguities.is_empty());

    let errors: Vec<(u16, i64, usize)> = page
        .errors
        .iter()
        .map(|e| (e.http_status, e.code, e.line))
        .collect();
    assert_eq!(
        errors,
        [
            (400, 9100001, line("widgets.md", "400 |")),
            (404, 9100002, line("widgets.md", "404 |")),
        ]
    );
    let example = page
        .response_example
        .as_ref()
        .expect("an example")
        .value
        .to_value();
    assert_eq!(example["data"]["items"][0]["owner"]["name"]["en_us"], "A");
    assert!(page.request_example.is_none());
}

#[test]
fn the_one_line_per_row_dialect() {
    let page = page("gadgets.txt");
    assert_eq!(page.title, "创建小工具");
    assert_eq!(page.source_url, None);
    assert_eq!(page.method.value, "POST");
    assert_eq!(page.path.value, "/open-apis/demo/v1/gadgets");
    assert_eq!(
        page.rate_limit.as_ref().and_then(|r| r.value.per_second),
        Some(10)
    );
    assert_eq!(page.app_types.value, ["custom"]);
    assert_eq!(page.scopes.value, ["demo:gadget"]);
    assert!(page.field_scopes.value.is_empty());

    let content_type = &page.params[0];
    assert_eq!(content_type.name, "Content-Type");
    assert_eq!(
        content_type.facts.fixed.as_deref(),
        Some("application/json; charset=utf-8")
    );
    let dry_run = &page.params[1];
    assert_eq!(
        (dry_run.name.as_str(), dry_run.ty.json_type()),
        ("dry_run", "boolean")
    );
    assert_eq!(dry_run.facts.example.as_deref(), Some("true"));

    assert_eq!(shape(&page.body), "name weight parts");
    assert_eq!(page.body[0].required, Some(true));
    assert_eq!(page.body[0].facts.example.as_deref(), Some("锤子"));
    assert_eq!(page.body[1].facts.maximum, Some(100.0));
    assert_eq!(page.body[2].facts.example.as_deref(), Some("[\"a\",\"b\"]"));
    assert!(page.body[2].ty.array);

    // `code` is both a field of the envelope and of the maker: the marks and the example tell them apart.
    assert_eq!(
        shape(&page.response),
        "code msg data(gadget(id kind maker(code)) created)"
    );
    let kind = &page.data_fields()[0].children[1];
    let values: Vec<(&str, &str)> = kind
        .facts
        .enum_values
        .iter()
        .map(|v| (v.value.as_str(), v.label.as_str()))
        .collect();
    assert_eq!(values, [("1", "手动"), ("2", "电动")]);

    // The error table follows the example on the line the example ends on.
    let codes: Vec<i64> = page.errors.iter().map(|e| e.code).collect();
    assert_eq!(codes, [9100001, 9100003]);
    assert_eq!(page.errors[0].line, line("gadgets.txt", "| 400"));
    let body = page
        .request_example
        .as_ref()
        .expect("a body example")
        .value
        .to_value();
    assert_eq!(body["weight"], 3);
}

#[test]
fn a_row_no_example_places_is_ambiguous() {
    let text = text("widgets.md");
    let text = text.replace(
        "tags | string\\[\\] | 标签\n",
        "tags | string\\[\\] | 标签\nnote | string | 备注\n",
    );
    let page = read_page("widgets.md", text.as_bytes()).expect("reads");
    let ambiguity = &page.ambiguities[0];
    assert_eq!(ambiguity.name, "note");
    assert_eq!(ambiguity.candidates, ["data.items", "data"]);
    assert_eq!(
        text.lines().nth(ambiguity.line - 1),
        Some("note | string | 备注")
    );
}

#[test]
fn feishus_own_markdown() {
    let page = page("gizmos.md");
    assert_eq!(page.title, "更新小装置");
    assert_eq!(
        page.source_url.as_deref(),
        Some("https://open.feishu.cn/document/demo-v1/gizmo/update")
    );
    assert_eq!(page.method.value, "PUT");
    assert_eq!(page.path.value, "/open-apis/demo/v1/gizmos/{gizmo_id}");
    assert_eq!(page.path.line, line("gizmos.md", "HTTP URL"));
    assert_eq!(
        page.rate_limit.as_ref().and_then(|r| r.value.per_second),
        Some(3)
    );
    assert_eq!(page.app_types.value, ["custom", "store"]);
    assert_eq!(page.scopes.value, ["demo:gizmo"]);
    assert_eq!(
        page.field_scopes.value,
        ["contact:user.employee_id:readonly"]
    );
    let param = |name: &str| {
        page.params
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(page.token_types.value, ["tenant"]);
    let id = param("gizmo_id");
    assert_eq!((id.location, id.required), (ParamIn::Path, true));
    assert_eq!(id.facts.label, "小装置 ID");
    assert_eq!(id.facts.example.as_deref(), Some("g-7"));
    let kind = param("user_id_type");
    assert_eq!(kind.facts.example.as_deref(), Some("open_id"));
    assert_eq!(kind.facts.default.as_deref(), Some("open_id"));
    let values: Vec<(&str, &str)> = kind
        .facts
        .enum_values
        .iter()
        .map(|v| (v.value.as_str(), v.label.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("open_id", "应用内的用户身份"),
            ("user_id", "租户内的用户身份")
        ]
    );
    // `**默认值：**<br>10`: the value on the line after its mark, with the colon inside the bold.
    let limit = param("limit");
    assert_eq!(limit.facts.default.as_deref(), Some("10"));
    assert_eq!(limit.facts.example.as_deref(), Some("10"));
    assert_eq!(limit.facts.maximum, Some(100.0));
    assert_eq!(limit.facts.label, "返回的零件数");

    let body: Vec<&str> = page.body.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(body, ["name", "level", "parts"]);
    let name = &page.body[0];
    assert_eq!(name.required, Some(true));
    assert_eq!(
        (name.facts.min_length, name.facts.max_length),
        (Some(1), Some(20))
    );
    assert_eq!(name.facts.example.as_deref(), Some("小锤"));
    assert_eq!(page.body[1].facts.enum_values.len(), 2);
    assert!(page.body[2].ty.array);
    assert_eq!(page.body[2].facts.example.as_deref(), Some("[\"p1\"]"));

    // Flat response rows, nested by the example.
    assert_eq!(
        shape(page.data_fields()),
        "gizmo(id level active owner(id name(zh_cn en_us)))"
    );
    let gizmo = &page.data_fields()[0];
    assert_eq!(gizmo.children[2].facts.enum_values.len(), 2);
    assert_eq!(gizmo.children[2].line, line("gizmos.md", "active |"));
    let codes: Vec<(u16, i64)> = page
        .errors
        .iter()
        .map(|e| (e.http_status, e.code))
        .collect();
    assert_eq!(codes, [(400, 9100001), (404, 9100004)]);
    assert!(page.request_example.is_some() && page.response_example.is_some());
    assert!(page.problems.is_empty() && page.ambiguities.is_empty());
    // No markup is left in any fact (the header rows are the page's own notes on authentication).
    let params: Vec<_> = page
        .params
        .iter()
        .filter(|p| p.location != ParamIn::Header)
        .collect();
    let facts = format!("{params:?}{:?}{:?}", page.body, page.response);
    for markup in ["<br", "&nbsp;", "**", "`"] {
        assert!(!facts.contains(markup), "{markup} left in the facts");
    }
}

#[test]
fn app_types_in_every_spelling() {
    let text = text("gizmos.md");
    for (spelling, types) in [
        ("自建应用、商店应用", vec!["custom", "store"]),
        ("custom,isv", vec!["custom", "store"]),
        ("Store App", vec!["store"]),
        ("自建应用", vec!["custom"]),
    ] {
        let changed = text.replace("Custom App、Store App", spelling);
        let page = read_page("gizmos.md", changed.as_bytes()).expect("reads");
        assert_eq!(page.app_types.value, types, "{spelling}");
    }
}

/// An example that is not valid JSON, inside its code fence: the page contradicts itself there, says so, and
/// the rest is read.
#[test]
fn an_example_that_is_not_json_is_read_around() {
    let text = text("gizmos.md");
    let broken = text.replacen(
        "\"level\": 2,\n    \"parts\"",
        "\"level\": 2,,\n    \"parts\"",
        1,
    );
    assert_ne!(broken, text);
    let page = read_page("gizmos.md", broken.as_bytes()).expect("the rest reads");
    assert!(page.request_example.is_none());
    assert!(page.response_example.is_some());
    assert_eq!(page.problems.len(), 1);
    assert!(
        page.problems[0].value.contains("not valid JSON"),
        "{:?}",
        page.problems
    );
    let draft = docpages::draft::draft(&page);
    assert!(
        draft.contains("# The page contradicts itself at line"),
        "{draft}"
    );
}

/// What pages' examples often get wrong (trailing commas, comments, `[-]` for an empty list) is repaired in
/// place, and the page says so as a problem; the example is read, with its values.
#[test]
fn an_example_with_trailing_commas_comments_and_dashes_is_repaired_and_said() {
    let text = text("gizmos.md");
    let broken = text.replacen(
        "\"level\": 2,\n    \"parts\"",
        "\"level\": 2, // the level\n    \"empty\": [-],\n    \"ids\": [\"a\",],\n    /* parts */ \"parts\"",
        1,
    );
    assert_ne!(broken, text);
    let page = read_page("gizmos.md", broken.as_bytes()).expect("reads");
    let example = page.request_example.as_ref().expect("the example is read");
    let json = format!("{:?}", example.value);
    assert!(
        json.contains("level") && json.contains("parts") && json.contains("empty"),
        "{json}"
    );
    assert!(page.problems.is_empty(), "{:?}", page.problems);
    assert_eq!(page.repairs.len(), 1, "{:?}", page.repairs);
    let problem = &page.repairs[0].value;
    assert!(problem.contains("not valid JSON"), "{problem}");
    for what in ["comments", "`-` in `[-]`", "trailing commas"] {
        assert!(problem.contains(what), "{what}: {problem}");
    }
    let draft = docpages::draft::draft(&page);
    assert!(draft.contains("# The page's example at line"), "{draft}");
    assert!(!draft.contains("not drafted"), "{draft}");
    // A comma doubled is no trailing comma: not repaired, read around as before.
    let doubled = text.replacen(
        "\"level\": 2,\n    \"parts\"",
        "\"level\": 2,,\n    \"parts\"",
        1,
    );
    let page = read_page("gizmos.md", doubled.as_bytes()).expect("the rest reads");
    assert!(page.request_example.is_none());
}

/// A guide, or an event page, is not an API reference: refused, naming what it lacks.
#[test]
fn a_page_that_is_not_an_api_reference_is_refused() {
    let guide = "# 接入指南\n\n> Source: https://open.feishu.cn/document/guide\n\n## 第一步\n\n创建应用。\n";
    let error = read_page("guide.md", guide.as_bytes()).expect_err("not a reference page");
    assert!(
        error.message.starts_with("not an API reference page")
            && error.message.contains("HTTP URL"),
        "{error}"
    );
    assert!(error.to_string().starts_with("guide.md:"));
}

#[test]
fn unreadable_pages_are_located_errors() {
    let empty = read_page("empty.md", b"").expect_err("empty");
    assert_eq!(
        (empty.line, empty.message.as_str()),
        (1, "the page is empty")
    );

    let garbage = read_page("garbage.bin", b"abc\n\xff\xfe\x00\x01").expect_err("binary");
    assert_eq!(garbage.line, 2);
    assert!(garbage.message.contains("not a text page"), "{garbage}");

    let text = text("widgets.md");
    let cut = &text[..text.find("\"created_at\"").expect("in the example")];
    let truncated = read_page("widgets.md", cut.as_bytes()).expect_err("truncated");
    assert!(truncated.message.contains("cut short"), "{truncated}");
    assert!(
        truncated.line > line("widgets.md", "### 响应体示例"),
        "{truncated}"
    );
    assert!(truncated.to_string().starts_with("widgets.md:"));

    let no_request =
        read_page("short.md", "# 标题\n\n只有一句话。\n".as_bytes()).expect_err("no request table");
    assert!(no_request.message.contains("HTTP URL"), "{no_request}");
}

/// Rate limits of one window or two, and the tokens the `Authorization` row names.
#[test]
fn rate_limit_windows_and_token_types() {
    let original = text("gizmos.md");
    let read = |rate: &str, tokens: &str| {
        let text = original
            .replace("[3 次/秒]", rate)
            .replace("| `tenant_access_token`<br>", tokens);
        read_page("gizmos.md", text.as_bytes()).expect("reads")
    };
    let both = read(
        "[1000 次/分钟、50 次/秒]",
        "| `tenant_access_token`<br>或<br>`user_access_token`<br>",
    );
    let limit = both.rate_limit.expect("a limit").value;
    assert_eq!((limit.per_second, limit.per_minute), (Some(50), Some(1000)));
    assert_eq!(both.token_types.value, ["tenant", "user"]);
    assert_eq!(both.token_types.line, line("gizmos.md", "Authorization"));

    let per_minute = read("[20 次/分钟]", "| `user_access_token`<br>");
    let limit = per_minute.rate_limit.expect("a limit").value;
    assert_eq!((limit.per_second, limit.per_minute), (None, Some(20)));
    assert_eq!(per_minute.token_types.value, ["user"]);

    let special = read("[特殊频控]", "| `tenant_access_token`<br>");
    assert!(special.rate_limit.is_none());
    assert_eq!(special.token_types.value, ["tenant"]);
    assert!(
        special.params.iter().all(|p| p.name != "Authorization"),
        "the Authorization row is the token types, not a parameter"
    );
}
