//! Every Rust name the generator emits is chosen here: case conversion, keyword escaping, leading digits,
//! reserved names and collisions. Callers keep the wire name beside the Rust name.

use crate::runtime::RESERVED_TYPES;
use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::{BTreeMap, BTreeSet};

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

/// The Rust variant name of an event type: `hire.application.stage_changed_v1` -> `ApplicationStageChanged`,
/// without its service (the first segment) and without a `_v1` version; a later version stays (`_v2` -> `V2`).
pub fn event_variant_name(event_type: &str) -> String {
    let rest = event_type
        .split_once('.')
        .map_or(event_type, |(_, rest)| rest);
    let rest = rest.strip_suffix("_v1").unwrap_or(rest);
    variant_name(&rest.replace('.', "_"))
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

/// Checks a snake_case name the spec gives itself (`x-rust-name` of a property or parameter): ASCII lowercase
/// letters, digits and `_`, not starting with a digit, not `_` alone and not a keyword. ASCII only, so that no
/// two names the generator emits look alike and every one is plain snake_case. The reason when it is not.
pub fn check_snake_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "_" {
        return Err("is not a name".to_owned());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(
            "is not a snake_case Rust name (ASCII lowercase letters, digits and `_` only)"
                .to_owned(),
        );
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("starts with a digit".to_owned());
    }
    if KEYWORDS.contains(&name) {
        return Err("is a Rust keyword".to_owned());
    }
    Ok(())
}

/// Why a name cannot be handed out in a [`Scope`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collision {
    /// Another item of the scope has it; `by` says which (``property `fooBar` ``).
    Taken {
        /// The name.
        name: String,
        /// What holds it, as the spec names it.
        by: String,
    },
    /// The name was chosen with `x-rust-name`, and the runtime reserves it.
    Reserved {
        /// The name.
        name: String,
    },
}

/// Hands out the Rust names of one scope (the fields of a struct, the parameters and setters of a request
/// builder). Two items whose names meet are refused, never numbered: a number would depend on the order of the
/// spec, and an item added before another would take its name, so that code written against the old spec would
/// still compile and read the new item. A name the runtime reserves (`send`, `body`, ...) is the same in every
/// spec, so a derived name that meets one gives way to its `_2` form; a name chosen with `x-rust-name` must
/// avoid them.
///
/// Names are compared as the locals the emitter makes of them ([`format_local`]): `r#type` and `type_` meet.
#[derive(Debug, Default)]
pub struct Scope {
    reserved: BTreeSet<String>,
    /// Each name handed out (as a local), and what holds it.
    taken: BTreeMap<String, String>,
}

impl Scope {
    /// A scope in which the `reserved` names belong to the runtime.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope {
            reserved: reserved.iter().map(|s| (*s).to_owned()).collect(),
            taken: BTreeMap::new(),
        }
    }

    /// Takes `name` for the item `by` (``property `fooBar` ``). `chosen` says the spec chose the name itself
    /// (`x-rust-name`), so it is used as it is or refused.
    pub fn claim(&mut self, name: String, by: &str, chosen: bool) -> Result<String, Collision> {
        let name = if self.reserved.contains(&format_local(&name)) {
            if chosen {
                return Err(Collision::Reserved { name });
            }
            format!("{}_2", format_local(&name))
        } else {
            name
        };
        let key = format_local(&name);
        if let Some(first) = self.taken.get(&key) {
            return Err(Collision::Taken {
                name,
                by: first.clone(),
            });
        }
        self.taken.insert(key, by.to_owned());
        Ok(name)
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
    fn names_that_meet_are_refused_not_numbered() {
        let mut scope = Scope::default();
        assert_eq!(
            scope.claim(snake_name("fooBar"), "property `fooBar`", false),
            Ok("foo_bar".to_owned())
        );
        assert_eq!(
            scope.claim(snake_name("foo_bar"), "property `foo_bar`", false),
            Err(Collision::Taken {
                name: "foo_bar".to_owned(),
                by: "property `fooBar`".to_owned()
            })
        );
        assert_eq!(
            scope.claim("foo_bar_exact".to_owned(), "property `foo_bar`", true),
            Ok("foo_bar_exact".to_owned())
        );
    }

    #[test]
    fn reserved_method_names_give_way_unless_chosen() {
        let mut scope = Scope::with_reserved(RESERVED_METHODS);
        assert_eq!(
            scope.claim(snake_name("send"), "parameter `send`", false),
            Ok("send_2".to_owned())
        );
        assert_eq!(
            scope.claim(snake_name("page_size"), "parameter `page_size`", false),
            Ok("page_size".to_owned())
        );
        assert_eq!(
            scope.claim("body".to_owned(), "parameter `b`", true),
            Err(Collision::Reserved {
                name: "body".to_owned()
            })
        );
        // The `_2` form of a reserved name is taken like any other name.
        assert!(scope
            .claim(snake_name("send_2"), "parameter `send_2`", false)
            .is_err());
    }

    #[test]
    fn raw_identifiers_collide_by_their_text() {
        let mut scope = Scope::default();
        assert_eq!(
            scope.claim(snake_name("type"), "parameter `type`", false),
            Ok("r#type".to_owned())
        );
        assert!(scope
            .claim(snake_name("Type"), "parameter `Type`", false)
            .is_err());
        assert!(scope
            .claim("type_".to_owned(), "parameter `t`", true)
            .is_err());
    }

    #[test]
    fn chosen_names_are_plain_snake_case() {
        assert_eq!(check_snake_name("foo_bar2"), Ok(()));
        assert_eq!(check_snake_name("_1st"), Ok(()));
        for bad in [
            "", "_", "fooBar", "1st", "type", "self", "a-b", "名称", "e\u{301}",
        ] {
            assert!(check_snake_name(bad).is_err(), "{bad}");
        }
    }
}
