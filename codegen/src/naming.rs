//! Every Rust name the generator emits is chosen here: case conversion, keyword escaping, leading digits,
//! reserved names and collisions. Callers keep the wire name beside the Rust name.

use crate::runtime::RESERVED_TYPES;
use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Words that cannot be plain identifiers in Rust 2021 (strict and reserved keywords).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers (`r#self` is not allowed); they get a trailing underscore.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Replaces what is not ASCII alphanumeric with `_`, so the case converters see word boundaries only.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The snake_case Rust name for a wire name (field, parameter, operation): `pageSize` -> `page_size`,
/// `type` -> `r#type`, `self` -> `self_`, `1st` -> `_1st`.
pub fn snake_name(wire: &str) -> String {
    let mut name = ascii_words(wire).to_snake_case();
    if name.is_empty() {
        name = "field".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    escape_keyword(name)
}

/// The UpperCamelCase Rust name for a schema, enum variant or operation: `job_processes_stage` ->
/// `JobProcessesStage`, `1st` -> `N1st`, `Error` -> `ErrorSchema` (reserved).
pub fn type_name(wire: &str) -> String {
    let mut name = ascii_words(wire).to_upper_camel_case();
    if name.is_empty() {
        name = "Unnamed".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'N');
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Schema");
    }
    name
}

/// The UpperCamelCase name of an enum variant. `Unknown` is the open enums' fallback and is taken.
pub fn variant_name(wire: &str) -> String {
    let mut name = ascii_words(wire).to_upper_camel_case();
    if name.is_empty() {
        name = "Empty".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" || name == "Unknown" {
        name.push('_');
    }
    name
}

/// The request builder of an operation: `get_job` -> `GetJobRequest`.
pub fn builder_name(operation_id: &str) -> String {
    format!("{}Request", type_name(operation_id))
}

/// The hint an inline schema of an operation is named from, before [`type_name`]: its parameter
/// (`get_job_user_id_type`), its body (`get_job_body`), its `data` (`get_job_data`), or an item of an inline
/// array (`<hint>_item`).
pub fn inline_hint(base: &str, part: InlinePart<'_>) -> String {
    match part {
        InlinePart::Param(name) => format!("{base}_{name}"),
        InlinePart::Body => format!("{base}_body"),
        InlinePart::Data => format!("{base}_data"),
        InlinePart::Item => format!("{base}_item"),
        InlinePart::Field(name) => format!("{base}_{name}"),
    }
}

/// Where an inline schema stands, for [`inline_hint`].
#[derive(Debug, Clone, Copy)]
pub enum InlinePart<'a> {
    /// A parameter of this name.
    Param(&'a str),
    /// The request body.
    Body,
    /// The answer's `data`.
    Data,
    /// An item of an array.
    Item,
    /// A property of this name.
    Field(&'a str),
}

/// A local variable for a value named `name`, usable in a format string: a raw identifier (`r#type`) cannot be
/// named there, so its local is `type_`.
pub fn format_local(name: &str) -> String {
    match name.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => name.to_owned(),
    }
}

fn escape_keyword(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Hands out names within one scope (the fields of a struct, the variants of an enum), making each unique:
/// a name already taken gets `_2`, `_3`, ... (or `2`, `3` for UpperCamelCase names).
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Takes `name`, or the first free numbered form of it.
    pub fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let base = match name.strip_prefix("r#") {
            Some(base) => base.to_owned(),
            None => name.trim_end_matches('_').to_owned(),
        };
        let snake =
            base.contains('_') || base.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        let mut n = 2;
        loop {
            let candidate = if snake {
                format!("{base}_{n}")
            } else {
                format!("{base}{n}")
            };
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::RESERVED_METHODS;

    #[test]
    fn derived_names_of_an_operation() {
        assert_eq!(builder_name("get_job_detail"), "GetJobDetailRequest");
        assert_eq!(
            inline_hint("GetJob", InlinePart::Param("user_id_type")),
            "GetJob_user_id_type"
        );
        assert_eq!(inline_hint("GetJob", InlinePart::Data), "GetJob_data");
        assert_eq!(
            type_name(&inline_hint("GetJob", InlinePart::Body)),
            "GetJobBody"
        );
        assert_eq!(format_local("r#type"), "type_");
        assert_eq!(format_local("job_id"), "job_id");
    }

    #[test]
    fn snake_names_follow_rust_case() {
        assert_eq!(snake_name("page_size"), "page_size");
        assert_eq!(snake_name("pageSize"), "page_size");
        assert_eq!(snake_name("X-Tt-Logid"), "x_tt_logid");
        assert_eq!(snake_name("zh_cn"), "zh_cn");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(snake_name("type"), "r#type");
        assert_eq!(snake_name("match"), "r#match");
        assert_eq!(snake_name("async"), "r#async");
        assert_eq!(snake_name("gen"), "r#gen");
        assert_eq!(snake_name("self"), "self_");
        assert_eq!(snake_name("crate"), "crate_");
        assert_eq!(snake_name("super"), "super_");
        assert_eq!(type_name("self"), "SelfSchema");
        assert_eq!(variant_name("self"), "Self_");
    }

    #[test]
    fn leading_digits_get_a_prefix() {
        assert_eq!(snake_name("1st_round"), "_1st_round");
        assert_eq!(type_name("2fa_setting"), "N2faSetting");
        assert_eq!(variant_name("100"), "V100");
    }

    #[test]
    fn odd_characters_become_word_breaks() {
        assert_eq!(snake_name("a.b-c d"), "a_b_c_d");
        assert_eq!(snake_name("$"), "field");
        assert_eq!(snake_name("名称"), "field");
        assert_eq!(type_name("job_processes_stage"), "JobProcessesStage");
        assert_eq!(type_name("id_name_object"), "IdNameObject");
    }

    #[test]
    fn reserved_type_names_get_a_suffix() {
        assert_eq!(type_name("error"), "ErrorSchema");
        assert_eq!(type_name("Result"), "ResultSchema");
        assert_eq!(type_name("client"), "ClientSchema");
        assert_eq!(type_name("http_method"), "HttpMethodSchema");
        assert_eq!(type_name("RetryPolicy"), "RetryPolicySchema");
        assert_eq!(type_name("JobError"), "JobError");
        assert_eq!(variant_name("unknown"), "Unknown_");
    }

    #[test]
    fn collisions_are_numbered_in_order() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim(snake_name("fooBar")), "foo_bar");
        assert_eq!(scope.claim(snake_name("foo_bar")), "foo_bar_2");
        assert_eq!(scope.claim(snake_name("FOO_BAR")), "foo_bar_3");
        let mut types = Scope::default();
        assert_eq!(types.claim(type_name("job_type")), "JobType");
        assert_eq!(types.claim(type_name("JobType")), "JobType2");
    }

    #[test]
    fn reserved_method_names_are_not_handed_out() {
        let mut scope = Scope::with_reserved(RESERVED_METHODS);
        assert_eq!(scope.claim(snake_name("send")), "send_2");
        assert_eq!(scope.claim(snake_name("page_size")), "page_size");
    }

    #[test]
    fn raw_identifiers_collide_by_their_text() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim(snake_name("type")), "r#type");
        assert_eq!(scope.claim(snake_name("Type")), "type_2");
    }
}
