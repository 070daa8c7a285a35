//! The facts in a description cell: the label, then `示例值`, `默认值`, `可选值有`, `数据校验规则`, ... written on
//! continuation lines (`**示例值**：10`) or inline (`示例值:10`).

use super::{EnumValue, Facts};

/// Markers that start a fact; the label is the text before the first one.
const MARKERS: &[&str] = &[
    "示例值",
    "默认值",
    "固定值",
    "可选值有",
    "可选值",
    "数据校验规则",
    "值格式",
    "当值为",
    // Limits, under `数据校验规则` as `- 最大值：` or `* 最大值：`, or on their own line as `**最大值**：`.
    "最大值",
    "最小值",
    "最大长度",
    "最小长度",
    "长度范围",
];

/// The size in a label's `最大 300 MB` (or `KB`, `GB`), in bytes.
fn size_limit(label: &str) -> Option<u64> {
    let at = label.find("最大")?;
    let rest = label[at + "最大".len()..].trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number: u64 = digits.parse().ok()?;
    let unit = rest[digits.len()..].trim_start();
    let scale = [("KB", 1u64 << 10), ("MB", 1 << 20), ("GB", 1 << 30)]
        .into_iter()
        .find(|(name, _)| unit.starts_with(name))?
        .1;
    number.checked_mul(scale)
}

/// Reads a description cell.
pub(super) fn facts(text: &str) -> Facts {
    let text = normalize(text);
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    for marker in MARKERS {
        let mut from = 0;
        while let Some(at) = text[from..].find(marker) {
            let start = from + at;
            let mut end = start + marker.len();
            let rest = text[end..].trim_start_matches([' ', '\t']);
            if let Some(after) = rest.strip_prefix(':') {
                end = text.len() - after.len();
                found.push((start, end, marker));
            } else if *marker == "当值为" {
                found.push((start, end, marker));
            }
            from = start + marker.len();
        }
    }
    found.sort_unstable();
    let label_end = found.first().map_or(text.len(), |(start, _, _)| *start);
    let mut facts = Facts {
        label: clean_label(&text[..label_end]),
        int64: text.contains("int64"),
        max_bytes: size_limit(&text[..label_end]),
        ..Facts::default()
    };
    for (i, (_, end, marker)) in found.iter().enumerate() {
        let next = found.get(i + 1).map_or(text.len(), |(start, _, _)| *start);
        let value = text[*end..next].trim();
        match *marker {
            "示例值" => facts.example = Some(unquote(value)),
            "默认值" => facts.default = Some(unquote(value)),
            "固定值" => facts.fixed = Some(unquote(value)),
            "可选值有" | "可选值" => facts.enum_values = enum_values(value),
            "数据校验规则" => rules(value, &mut facts),
            limit @ ("最大值" | "最小值" | "最大长度" | "最小长度" | "长度范围") => {
                rules(&format!("- {limit}:{value}"), &mut facts)
            }
            _ => {}
        }
    }
    facts
}

/// `text` without its bold marks: `**示例值**` is `示例值`, but asterisks that are a value's own
/// (`"151********"`, a masked phone number) stay.
fn unbold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("**") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        // A bold span: text without asterisks or line ends, then `**`.
        let span = after
            .find("**")
            .filter(|&close| close > 0 && !after[..close].contains(['*', '\n']));
        match span {
            Some(close) => {
                out.push_str(&after[..close]);
                rest = &after[close + 2..];
            }
            None => {
                // Not a bold mark: the asterisks are the text's own.
                let stars = rest[open..].len() - rest[open..].trim_start_matches('*').len();
                out.push_str(&rest[open..open + stars]);
                rest = &rest[open + stars..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Folds the dialects together: no bold marks, ASCII colons, no Markdown escapes.
fn normalize(text: &str) -> String {
    unbold(text)
        .replace('：', ":")
        .replace("\\[", "[")
        .replace("\\]", "]")
        .replace("\\-", "-")
        .replace("\\_", "_")
}

/// The label, on one line, without trailing punctuation.
fn clean_label(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches([',', '，', '。', '.'])
        .to_owned()
}

/// A value without its quotes or backticks, on one line.
fn unquote(value: &str) -> String {
    let first_line = value.lines().next().unwrap_or("").trim();
    first_line
        .trim_matches('`')
        .trim_matches('"')
        .trim_matches('`')
        .trim()
        .to_owned()
}

/// `- 1：label` items, one per line or several on one line.
fn enum_values(text: &str) -> Vec<EnumValue> {
    let starts: Vec<(usize, usize, String)> = item_starts(text);
    let mut values = Vec::new();
    for (i, (_, label_start, value)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |(start, _, _)| *start);
        values.push(EnumValue {
            value: value.clone(),
            label: clean_label(&text[*label_start..end]),
        });
    }
    values
}

/// Where each `- value:` item starts: (start of `-`, start of the label, the value).
fn item_starts(text: &str) -> Vec<(usize, usize, String)> {
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("- ") {
        let start = from + at;
        from = start + 2;
        let after_space = text[..start]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        if !after_space {
            continue;
        }
        let rest = &text[start + 2..];
        let rest_trimmed = rest.trim_start();
        let Some(colon) = rest_trimmed.find(':') else {
            continue;
        };
        let value = rest_trimmed[..colon].trim().trim_matches('`');
        if value.is_empty() || value.len() > 64 || value.contains(char::is_whitespace) {
            continue;
        }
        let label_start = text.len() - rest_trimmed.len() + colon + 1;
        starts.push((start, label_start, value.to_owned()));
    }
    starts
}

/// `- 最大值：`100``, `- 长度范围：`1` ～ `100` 字符`, ... A limit the page writes as a fact of its own (`* 最大值：`,
/// `**最大值**：`) comes here as one such line.
fn rules(text: &str, facts: &mut Facts) {
    for line in text.split("- ").map(str::trim) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let numbers = numbers(value);
        match name.trim() {
            "最大值" => facts.maximum = numbers.first().copied(),
            "最小值" => facts.minimum = numbers.first().copied(),
            "最大长度" => facts.max_length = numbers.first().map(|n| *n as u64),
            "最小长度" => facts.min_length = numbers.first().map(|n| *n as u64),
            "长度范围" => {
                facts.min_length = numbers.first().map(|n| *n as u64);
                facts.max_length = numbers.get(1).map(|n| *n as u64);
            }
            _ => {}
        }
    }
}

/// The numbers in a text, in order.
fn numbers(text: &str) -> Vec<f64> {
    let mut found = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit()
            || (c == '.' && !current.is_empty())
            || (c == '-' && current.is_empty())
        {
            current.push(c);
        } else {
            if let Ok(n) = current.parse::<f64>() {
                found.push(n);
            }
            current.clear();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines() {
        let facts = facts(
            "每页条数  \n**默认值**：10  \n**示例值**：10  \n**数据校验规则**：  \n- 最大值：`100`",
        );
        assert_eq!(facts.label, "每页条数");
        assert_eq!(facts.default.as_deref(), Some("10"));
        assert_eq!(facts.example.as_deref(), Some("10"));
        assert_eq!(facts.maximum, Some(100.0));
    }

    #[test]
    fn inline_facts() {
        let facts = facts("分页大小 默认值: 10 示例值:10 数据校验规则: - 最大值: 20");
        assert_eq!(facts.label, "分页大小");
        assert_eq!(facts.default.as_deref(), Some("10"));
        assert_eq!(facts.example.as_deref(), Some("10"));
        assert_eq!(facts.maximum, Some(20.0));
    }

    #[test]
    fn enum_values_on_lines_and_inline() {
        let lines =
            facts("类型  \n**可选值有**：  \n- 1：甲  \n- 2：乙 [了解更多：链接](https://x)");
        let inline = facts("类型 可选值有: - 1: 甲 - 2: 乙 [了解更多：链接](https://x)");
        for facts in [lines, inline] {
            assert_eq!(facts.label, "类型");
            let values: Vec<(&str, &str)> = facts
                .enum_values
                .iter()
                .map(|v| (v.value.as_str(), v.label.as_str()))
                .collect();
            assert_eq!(
                values,
                [("1", "甲"), ("2", "乙 [了解更多:链接](https://x)")]
            );
        }
    }

    #[test]
    fn lengths_and_defaults_in_backticks() {
        let facts = facts(
            "名称  \n**示例值**：\"abc\"  \n**默认值**：`open_id`  \n**数据校验规则**：  \n- 长度范围：`1` ～ `50` 字符",
        );
        assert_eq!(facts.example.as_deref(), Some("abc"));
        assert_eq!(facts.default.as_deref(), Some("open_id"));
        assert_eq!((facts.min_length, facts.max_length), (Some(1), Some(50)));
    }

    /// Limits in every way the pages write them (the `job_list` and `application_list` pages, among others).
    #[test]
    fn a_files_size_limit() {
        assert_eq!(
            facts("文件二进制内容，最大 300 MB").max_bytes,
            Some(300 << 20)
        );
        assert_eq!(facts("最大 2GB").max_bytes, Some(2 << 30));
        assert_eq!(facts("最大值为 100").max_bytes, None);
    }

    #[test]
    fn bold_marks_go_and_a_values_own_asterisks_stay() {
        assert_eq!(
            unbold("**示例值**：\"151********\""),
            "示例值：\"151********\""
        );
        assert_eq!(unbold("a **b** c **d**"), "a b c d");
        assert_eq!(unbold("****"), "****");
        let facts = facts("电话\n**示例值**：\"151********\"");
        assert_eq!(facts.example.as_deref(), Some("151********"));
    }

    #[test]
    fn limits_in_every_written_form() {
        for (cell, maximum) in [
            (
                "分页大小\n**默认值**：10\n**数据校验规则**：\n- 最大值：`100`\n**示例值**：10",
                100.0,
            ),
            (
                "分页大小\n**默认值**：10\n**数据校验规则**：\n* 最大值：100\n**示例值**：10",
                100.0,
            ),
            (
                "分页大小\n**最大值**：200\n**示例值**：100\n**默认值**：`10`",
                200.0,
            ),
            ("分页大小\n**最大值**：`100`\n**示例值**：100", 100.0),
            (
                "分页大小 默认值: 10 示例值:10 数据校验规则: - 最大值: 20",
                20.0,
            ),
        ] {
            let read = facts(cell);
            assert_eq!(read.maximum, Some(maximum), "{cell}");
            assert_eq!(read.label, "分页大小", "{cell}");
        }
        let count = facts("数量\n**数据校验规则**：\n* 最小值：1\n* 最大值：500\n**示例值**：3");
        assert_eq!((count.minimum, count.maximum), (Some(1.0), Some(500.0)));
        assert_eq!(count.example.as_deref(), Some("3"));
        let name = facts("名称\n**最小长度**：`2`\n**最大长度**：`8`");
        assert_eq!((name.min_length, name.max_length), (Some(2), Some(8)));
    }

    #[test]
    fn int64_is_noticed() {
        assert!(facts("创建时间,毫秒时间戳(字段类型为:int64)").int64);
        assert!(!facts("创建时间").int64);
    }
}
