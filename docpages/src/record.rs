//! Which page version each operation was audited against: the page's address, its `last_remote_update`, a
//! SHA-256 of the file, and the labels of its enum values (so that a changed label is noticed). Kept in a JSON
//! file beside the spec (`hire_v1.pages.json` for `hire_v1.yaml`) and written by `docs audit --record`.

use crate::audit::Findings;
use crate::page::{Field, Page};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record of every audited operation, by operation id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Per operation, the page it was audited against.
    pub operations: BTreeMap<String, AuditedPage>,
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
    /// The page's enum labels: per field path, per value.
    #[serde(default)]
    pub enum_labels: BTreeMap<String, BTreeMap<String, String>>,
}

impl Record {
    /// The record file beside `spec`: `hire_v1.pages.json` beside `hire_v1.yaml`.
    pub fn path_for(spec: &Path) -> PathBuf {
        let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
        spec.with_file_name(format!("{stem}.pages.json"))
    }

    /// Reads the record file; a missing file is an empty record.
    pub fn load(path: &Path) -> Result<Record, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("{}:{}: not a page record: {e}", path.display(), e.line())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Record::default()),
            Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
        }
    }

    /// Writes the record file, whole or not at all.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        let staging = path.with_extension("json.tmp");
        std::fs::write(&staging, text)
            .and_then(|()| std::fs::rename(&staging, path))
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))
    }

    /// Records `page` as the version `operation` was audited against.
    pub fn set(&mut self, operation: &str, page: &Page) {
        self.operations
            .insert(operation.to_owned(), AuditedPage::of(page));
    }

    /// Notes a page that is not the recorded one, and enum labels that changed since.
    pub(crate) fn compare(&self, page: &Page, operation: &str, out: &mut Findings) {
        let Some(recorded) = self.operations.get(operation) else {
            return;
        };
        if recorded.sha256 != page.sha256 {
            let updated = |u: &Option<String>| {
                u.as_deref()
                    .map(|u| format!(", updated {u}"))
                    .unwrap_or_default()
            };
            out.differ(
                1,
                "page",
                &format!("version {}{}", short(&page.sha256), updated(&page.last_remote_update)),
                &format!(
                    "it was audited against version {}{}; review the findings, then run with --record",
                    short(&recorded.sha256),
                    updated(&recorded.last_remote_update)
                ),
            );
        }
        let now = AuditedPage::of(page);
        for (path, labels) in &now.enum_labels {
            let Some(before) = recorded.enum_labels.get(path) else {
                continue;
            };
            for (value, label) in labels {
                if let Some(old) = before.get(value) {
                    if old != label {
                        let line = line_of(page, path);
                        out.warn(
                            line,
                            &format!("{path}.enum.{value}"),
                            &format!("label \"{label}\""),
                            &format!("it was recorded as \"{old}\""),
                        );
                    }
                }
            }
        }
    }
}

impl AuditedPage {
    fn of(page: &Page) -> Self {
        let mut enum_labels = BTreeMap::new();
        for param in &page.params {
            if !param.facts.enum_values.is_empty() {
                enum_labels.insert(
                    param.name.clone(),
                    param
                        .facts
                        .enum_values
                        .iter()
                        .map(|v| (v.value.clone(), v.label.clone()))
                        .collect(),
                );
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

fn collect_labels(
    fields: &[Field],
    path: &str,
    out: &mut BTreeMap<String, BTreeMap<String, String>>,
) {
    for field in fields {
        let at = format!("{path}.{}", field.name);
        if !field.facts.enum_values.is_empty() {
            out.insert(
                at.clone(),
                field
                    .facts
                    .enum_values
                    .iter()
                    .map(|v| (v.value.clone(), v.label.clone()))
                    .collect(),
            );
        }
        collect_labels(&field.children, &at, out);
    }
}

/// The line of the row at a dotted path (or of a parameter), for warnings.
fn line_of(page: &Page, path: &str) -> usize {
    if let Some(param) = page.params.iter().find(|p| p.name == path) {
        return param.line;
    }
    let mut parts = path.split('.');
    let root = match parts.next() {
        Some("body") => &page.body[..],
        _ => page.data_fields(),
    };
    let mut fields = root;
    let mut line = 1;
    for part in parts {
        match fields.iter().find(|f| f.name == part) {
            Some(field) => {
                line = field.line;
                fields = &field.children;
            }
            None => break,
        }
    }
    line
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}
