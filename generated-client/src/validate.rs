//! Checks of documented constraints, called by the generated `validate()` of each request builder.

use crate::Error;

fn invalid(operation: &'static str, parameter: &'static str, rule: String) -> Error {
    Error::InvalidRequest {
        operation,
        parameter,
        rule,
    }
}

pub(crate) fn path_segment(
    operation: &'static str,
    parameter: &'static str,
    value: &str,
) -> Result<(), Error> {
    if value.is_empty() {
        return Err(invalid(
            operation,
            parameter,
            "is required and must not be empty".to_owned(),
        ));
    }
    Ok(())
}

// The generator emits a call only where the spec sets `minimum`; the current spec sets none.
#[allow(dead_code)]
pub(crate) fn minimum(
    operation: &'static str,
    parameter: &'static str,
    value: Option<i64>,
    min: i64,
) -> Result<(), Error> {
    match value {
        Some(v) if v < min => Err(invalid(
            operation,
            parameter,
            format!("must be at least {min}, got {v}"),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn maximum(
    operation: &'static str,
    parameter: &'static str,
    value: Option<i64>,
    max: i64,
) -> Result<(), Error> {
    match value {
        Some(v) if v > max => Err(invalid(
            operation,
            parameter,
            format!("must be at most {max}, got {v}"),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn min_length(
    operation: &'static str,
    parameter: &'static str,
    value: Option<&str>,
    min: u64,
) -> Result<(), Error> {
    match value {
        Some(v) if (v.chars().count() as u64) < min => {
            let rule = if min == 1 {
                "is required and must not be empty".to_owned()
            } else {
                format!("must have at least {min} characters")
            };
            Err(invalid(operation, parameter, rule))
        }
        _ => Ok(()),
    }
}

// The generator emits a call only where the spec sets `maxLength`; the current spec sets none.
#[allow(dead_code)]
pub(crate) fn max_length(
    operation: &'static str,
    parameter: &'static str,
    value: Option<&str>,
    max: u64,
) -> Result<(), Error> {
    match value {
        Some(v) if v.chars().count() as u64 > max => Err(invalid(
            operation,
            parameter,
            format!(
                "must have at most {max} characters, got {}",
                v.chars().count()
            ),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn max_items(
    operation: &'static str,
    parameter: &'static str,
    len: Option<usize>,
    max: u64,
) -> Result<(), Error> {
    match len {
        Some(n) if n as u64 > max => Err(invalid(
            operation,
            parameter,
            format!("must have at most {max} items, got {n}"),
        )),
        _ => Ok(()),
    }
}

/// At most one of the named fields may be set.
pub(crate) fn exclusive(
    operation: &'static str,
    fields: &[(&'static str, bool)],
) -> Result<(), Error> {
    let set: Vec<&'static str> = fields
        .iter()
        .filter(|(_, set)| *set)
        .map(|(name, _)| *name)
        .collect();
    if set.len() > 1 {
        let others: Vec<String> = set[1..].iter().map(|name| format!("`{name}`")).collect();
        return Err(invalid(
            operation,
            set[0],
            format!(
                "cannot be sent together with {}; set only one",
                others.join(", ")
            ),
        ));
    }
    Ok(())
}
