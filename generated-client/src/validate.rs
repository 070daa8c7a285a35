//! Checks of documented constraints, called by the generated `validate()` of each request builder.

use crate::Error;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

fn invalid(operation: &'static str, parameter: &'static str, rule: String) -> Error {
    Error::InvalidRequest {
        operation,
        parameter,
        rule,
    }
}

/// Characters left as they are in a path segment (RFC 3986 unreserved); everything else is percent-encoded.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A path parameter as exactly one path segment, percent-encoded (`a/b` becomes `a%2Fb`).
///
/// The empty value, `.` and `..` are refused: each would change the path itself (`jobs/../config` is another
/// endpoint), and percent-encoding cannot help, since URL parsers read `%2e%2e` as `..` too. Both `validate()`
/// and `send()` of the generated builders call this, so no request can leave its endpoint's path.
pub(crate) fn path_segment(
    operation: &'static str,
    parameter: &'static str,
    value: &str,
) -> Result<String, Error> {
    let rule = match value {
        "" => "is required and must not be empty",
        "." | ".." => "must not be `.` or `..`, which would change the request's path",
        _ => return Ok(utf8_percent_encode(value, PATH_SEGMENT).to_string()),
    };
    Err(invalid(
        operation,
        parameter,
        format!("{rule}; got `{value}`"),
    ))
}

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

// The generator emits a call only where the spec sets `minItems`; the current spec sets none.
#[allow(dead_code)]
pub(crate) fn min_items(
    operation: &'static str,
    parameter: &'static str,
    len: Option<usize>,
    min: u64,
) -> Result<(), Error> {
    match len {
        Some(n) if (n as u64) < min => Err(invalid(
            operation,
            parameter,
            format!("must have at least {min} items, got {n}"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        let encode = |value| path_segment("op", "id", value).expect("a valid segment");
        assert_eq!(encode("6001"), "6001");
        assert_eq!(encode("a/b c?d#e%"), "a%2Fb%20c%3Fd%23e%25");
        assert_eq!(encode("%2e%2e"), "%252e%252e");
        assert_eq!(encode("职位"), "%E8%81%8C%E4%BD%8D");
        assert_eq!(encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(encode("..."), "...");
    }

    #[test]
    fn segments_that_change_the_path_are_refused() {
        for value in ["", ".", ".."] {
            let error = path_segment("get_job", "job_id", value).expect_err(value);
            let text = error.to_string();
            assert!(
                text.starts_with("get_job: invalid request: `job_id`")
                    && text.contains(&format!("got `{value}`")),
                "{text}"
            );
        }
    }
}
