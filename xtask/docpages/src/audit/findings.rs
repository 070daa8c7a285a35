//! The findings of one page: each difference, warning and accepted deviation, as they are found.

use codegen::model::DocDeviation;
use serde::Serialize;
use serde_json::Value;

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The spec and the page disagree: the audit fails.
    Difference,
    /// Worth a look, not a failure (a changed enum label).
    Warning,
    /// A difference the spec records as deliberate (`x-doc-deviations`), with its reason.
    Accepted,
}

/// One difference between a page and the spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The page file.
    pub file: String,
    /// The page line the difference is at.
    pub line: usize,
    /// The operation (or, for an event page, the event type), or `-` when the spec has none for the page.
    pub operation: String,
    /// A dotted path (`data.items.type`), a parameter name, or an operation fact (`x-rate-limit`).
    pub path: String,
    /// What the page says.
    pub page: String,
    /// What the spec says.
    pub spec: String,
    /// How it counts.
    pub status: Status,
    /// The recorded reason, for an accepted difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {} {}: page says {}, spec says {}",
            self.file, self.line, self.operation, self.path, self.page, self.spec
        )?;
        match (self.status, &self.reason) {
            (Status::Warning, _) => f.write_str(" (warning)"),
            (Status::Accepted, Some(reason)) => write!(f, " (accepted: {reason})"),
            _ => Ok(()),
        }
    }
}

/// The findings of one page, as they are found.
pub(super) struct Findings {
    file: String,
    operation: String,
    pub(super) list: Vec<Finding>,
}

impl Findings {
    /// The findings of the page `file`, of the spec's `operation` (an operation id, an event type, or `-`).
    pub(super) fn new(file: &str, operation: &str) -> Self {
        Findings {
            file: file.to_owned(),
            operation: operation.to_owned(),
            list: Vec::new(),
        }
    }

    pub(super) fn differ(&mut self, line: usize, path: &str, page: &str, spec: &str) {
        self.push(line, path, page, spec, Status::Difference);
    }

    pub(super) fn warn(&mut self, line: usize, path: &str, page: &str, spec: &str) {
        self.push(line, path, page, spec, Status::Warning);
    }

    fn push(&mut self, line: usize, path: &str, page: &str, spec: &str, status: Status) {
        self.list.push(Finding {
            file: self.file.clone(),
            line,
            operation: self.operation.clone(),
            path: path.to_owned(),
            page: page.to_owned(),
            spec: spec.to_owned(),
            status,
            reason: None,
        });
    }

    /// Marks the differences the spec records as deliberate; a recorded deviation that matches nothing is
    /// itself a difference, so that stale ones are removed.
    pub(super) fn apply(&mut self, deviations: &[DocDeviation]) {
        for deviation in deviations {
            let mut used = false;
            for finding in &mut self.list {
                if finding.path == deviation.at && finding.status == Status::Difference {
                    finding.status = Status::Accepted;
                    finding.reason = Some(deviation.reason.clone());
                    used = true;
                }
            }
            if !used {
                self.differ(
                    1,
                    &deviation.at,
                    "nothing that differs here",
                    &format!(
                        "a deviation (\"{}\"): remove it from x-doc-deviations",
                        deviation.reason
                    ),
                );
            }
        }
    }
}

/// A JSON value, cut short for one line.
pub(super) fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}
