//! Which page version each operation and each event was audited against: the page's address, its `last_remote_update`, a
//! SHA-256 of the file, and the labels of its enum values (so that a changed label is noticed). Kept in a JSON
//! file beside the spec (`hire_v1.pages.json` for `hire_v1.yaml`) and written by `docs audit --record`.

use crate::page::{EnumValue, EventPage, Field, Page};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record of every audited operation, by operation id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Per operation, the page it was audited against.
    pub operations: BTreeMap<String, AuditedPage>,
    /// Per event type, the event page it was audited against.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, AuditedPage>,
}

/// The page an operation was audited against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditedPage {
    /// The page's own address, where it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_url: Option<String>,
    /// The page's `last_remote_update`, where it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_remote_update: Option<String>,
    /// SHA-256 of the page file.
    pub sha256: String,
    /// A fingerprint of each enum label of the page (the first 12 hex digits of its SHA-256), per field path
    /// and value: enough to notice a changed label without keeping the page's words.
    #[serde(default)]
    pub enum_labels: BTreeMap<String, BTreeMap<String, String>>,
}

impl Record {
    /// The record file beside `spec`: `hire_v1.pages.json` beside `hire_v1.yaml`.
    pub fn path_for(spec: &Path) -> PathBuf {
        let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
        spec.with_file_name(format!("{stem}.pages.json"))
    }

    /// Reads the record file; a missing file is an empty record. Every operation key must be an identifier
    /// (see [`check_operation_key`]), and every event key identifiers joined by `.` (see [`check_event_key`]):
    /// `docs fetch` names a file after each.
    pub fn load(path: &Path) -> Result<Record, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Record::default()),
            Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
        };
        let record: Record = serde_json::from_str(&text)
            .map_err(|e| format!("{}:{}: not a page record: {e}", path.display(), e.line()))?;
        record.check_keys().map_err(|(key, problem)| {
            // The key's line, found by its JSON spelling (the parser keeps no positions).
            let quoted = serde_json::to_string(key).unwrap_or_default();
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(&quoted))
                .map_or(1, |i| i + 1);
            format!("{}:{line}: {problem}", path.display())
        })?;
        Ok(record)
    }

    /// The first key that breaks its rule, with what is wrong with it.
    fn check_keys(&self) -> Result<(), (&str, String)> {
        let operations = self.operations.keys().map(|k| (k, check_operation_key(k)));
        let events = self.events.keys().map(|k| (k, check_event_key(k)));
        for (key, checked) in operations.chain(events) {
            checked.map_err(|problem| (key.as_str(), problem))?;
        }
        Ok(())
    }

    /// Writes the record file, whole or not at all; refuses a key that breaks its rule.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        self.check_keys()
            .map_err(|(_, problem)| format!("{}: {problem}", path.display()))?;
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        let staging = path.with_extension("json.tmp");
        std::fs::write(&staging, text)
            .and_then(|()| std::fs::rename(&staging, path))
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))
    }

    /// Records `page` as the version `operation` was audited against. [`Record::save`] refuses the record if
    /// `operation` is not an identifier.
    pub fn set(&mut self, operation: &str, page: &Page) {
        self.operations
            .insert(operation.to_owned(), AuditedPage::of(page));
    }
}

impl Record {
    /// Records `page` as the version the event of its type was audited against. [`Record::save`] refuses the
    /// record if the type is not lowercase words joined by `.`.
    pub fn set_event(&mut self, page: &EventPage) {
        self.events
            .insert(page.event_type.value.clone(), AuditedPage::of_event(page));
    }
}

/// The rule an event key follows, as the messages state it.
pub const EVENT_KEY_RULE: &str = "[a-z][a-z0-9_]* words joined by `.`";

/// Whether `key` may be an event key of the record: two or more words of a lowercase letter, then lowercase
/// letters, digits and underscores, joined by `.` (`hire.talent.deleted_v1`). `docs fetch` names the page's file
/// after it, so a key can never be a path.
pub fn check_event_key(key: &str) -> Result<(), String> {
    let valid =
        key.split('.').count() >= 2 && key.split('.').all(|word| check_operation_key(word).is_ok());
    if valid {
        Ok(())
    } else {
        Err(format!(
            "event key `{}` is not an event type ({EVENT_KEY_RULE}): `docs fetch` names a page's file after it",
            key.escape_debug()
        ))
    }
}

/// The rule an operation key follows, as the messages state it.
pub const OPERATION_KEY_RULE: &str = "[a-z][a-z0-9_]*";

/// Whether `key` may be an operation key of the record: a lowercase letter, then lowercase letters, digits and
/// underscores. `docs fetch` names each page's file after its key, so a key can never be a path.
pub fn check_operation_key(key: &str) -> Result<(), String> {
    let mut chars = key.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "operation key `{}` is not an identifier ({OPERATION_KEY_RULE}): `docs fetch` names a page's file after it",
            key.escape_debug()
        ))
    }
}

impl AuditedPage {
    /// What the record keeps of `page`.
    pub(crate) fn of(page: &Page) -> Self {
        let mut enum_labels = BTreeMap::new();
        for param in &page.params {
            if !param.facts.enum_values.is_empty() {
                enum_labels.insert(param.name.clone(), fingerprints(&param.facts.enum_values));
            }
        }
        collect_labels(&page.body, "body", &mut enum_labels);
        collect_labels(page.data_fields(), "data", &mut enum_labels);
        AuditedPage {
            source_url: page.source_url.clone(),
            last_remote_update: page.last_remote_update.clone(),
            sha256: page.sha256.clone(),
            enum_labels,
        }
    }
}

impl AuditedPage {
    /// What the record keeps of an event page: its enum labels are those of the `event` object's fields.
    pub(crate) fn of_event(page: &EventPage) -> Self {
        let mut enum_labels = BTreeMap::new();
        collect_labels(page.event_fields(), "event", &mut enum_labels);
        AuditedPage {
            source_url: page.source_url.clone(),
            last_remote_update: page.last_remote_update.clone(),
            sha256: page.sha256.clone(),
            enum_labels,
        }
    }
}

/// The row at a dotted path below `fields` (`event.stage.type`: the first word names `fields` themselves).
pub(crate) fn field_below<'a>(fields: &'a [Field], path: &str) -> Option<&'a Field> {
    let mut fields = fields;
    let mut found = None;
    for part in path.split('.').skip(1) {
        let field = fields.iter().find(|f| f.name == part)?;
        fields = &field.children;
        found = Some(field);
    }
    found
}

fn collect_labels(
    fields: &[Field],
    path: &str,
    out: &mut BTreeMap<String, BTreeMap<String, String>>,
) {
    for field in fields {
        let at = format!("{path}.{}", field.name);
        if !field.facts.enum_values.is_empty() {
            out.insert(at.clone(), fingerprints(&field.facts.enum_values));
        }
        collect_labels(&field.children, &at, out);
    }
}

fn fingerprints(values: &[EnumValue]) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|v| {
            let digest: String = Sha256::digest(v.label.as_bytes())
                .iter()
                .take(6)
                .map(|b| format!("{b:02x}"))
                .collect();
            (v.value.clone(), digest)
        })
        .collect()
}

/// The page's label of `value` at `path`.
pub(crate) fn label_of(page: &Page, path: &str, value: &str) -> Option<String> {
    let values = match page.params.iter().find(|p| p.name == path) {
        Some(param) => &param.facts.enum_values,
        None => &field_at(page, path)?.facts.enum_values,
    };
    values
        .iter()
        .find(|v| v.value == value)
        .map(|v| v.label.clone())
}

fn field_at<'a>(page: &'a Page, path: &str) -> Option<&'a Field> {
    let mut parts = path.split('.');
    let mut fields = match parts.next()? {
        "body" => &page.body[..],
        _ => page.data_fields(),
    };
    let mut found = None;
    for part in parts {
        let field = fields.iter().find(|f| f.name == part)?;
        fields = &field.children;
        found = Some(field);
    }
    found
}

/// The line of the row at a dotted path (or of a parameter), for warnings.
pub(crate) fn line_of(page: &Page, path: &str) -> usize {
    match page.params.iter().find(|p| p.name == path) {
        Some(param) => param.line,
        None => field_at(page, path).map_or(1, |f| f.line),
    }
}

pub(crate) fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_keys_are_identifiers() {
        for key in ["get_job", "a", "list_v2_items"] {
            assert_eq!(check_operation_key(key), Ok(()), "{key}");
        }
        for key in [
            "",
            "../../README",
            "/etc/x",
            "Get_job",
            "_job",
            "2job",
            "get-job",
            "get job",
            "job.",
        ] {
            let problem = check_operation_key(key).expect_err(key);
            assert!(problem.contains("[a-z][a-z0-9_]*"), "{problem}");
        }
    }
}
