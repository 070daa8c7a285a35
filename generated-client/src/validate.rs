//! Checks of documented constraints, called by the generated `validate()` of each request builder.

use crate::redact::quoted;
use crate::Error;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

fn invalid(operation: &'static str, parameter: &'static str, rule: String) -> Error {
    Error::InvalidRequest {
        operation,
        parameter,
        rule,
    }
}

/// Why `value`, a credential or a tenant key, cannot be sent, or `None` when it can: it must be 1 to `max_chars`
/// printable ASCII characters without spaces, as Feishu's ids, secrets, tickets, tokens and tenant keys are.
/// Such values go into a header (`Authorization: Bearer <token>`) or a token request, where a line break would
/// end the header, and where a stray space or line break read from a file would only make Feishu refuse it.
///
/// The reason never quotes the value, nor its length: the value may be a secret.
pub(crate) fn unsendable(value: &str, max_chars: usize) -> Option<String> {
    if value.is_empty() {
        return Some("is empty".to_owned());
    }
    let sendable = |c: char| c.is_ascii_graphic();
    if let Some(bad) = value.chars().find(|c| !sendable(*c)) {
        let what = match bad {
            '\r' | '\n' => "a line break",
            ' ' => "a space",
            c if c.is_ascii_control() => "a control character",
            _ => "a character outside printable ASCII",
        };
        let trimmed = value.trim_end_matches(|c: char| !sendable(c));
        let place = if !trimmed.is_empty() && trimmed.chars().all(sendable) {
            format!("ends with {what}")
        } else {
            format!("holds {what}")
        };
        return Some(format!(
            "{place}; it must be printable ASCII without spaces to be sent"
        ));
    }
    if value.len() > max_chars {
        return Some(format!("is too long (more than {max_chars} characters)"));
    }
    None
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
    // The caller's value, escaped and bounded: a rule is shown whole.
    let value = quoted(value);
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
    fn unsendable_values_are_named_without_quoting_them() {
        assert_eq!(unsendable("t-abc", 10), None);
        assert_eq!(unsendable("", 10).as_deref(), Some("is empty"));
        fn reason(value: &str) -> String {
            unsendable(value, 10).unwrap_or_default()
        }
        assert!(reason("t-abc\n").starts_with("ends with a line break;"));
        assert!(reason("t-abc\r\n").starts_with("ends with a line break"));
        assert!(reason("t-a\nbc").starts_with("holds a line break"));
        assert!(reason("t abc").starts_with("holds a space"));
        assert!(reason("t-\u{7f}").starts_with("ends with a control character"));
        assert!(reason("t-职位").starts_with("ends with a character outside printable ASCII"));
        assert!(reason("\n").starts_with("holds a line break"));
        assert_eq!(
            reason("x".repeat(11).as_str()),
            "is too long (more than 10 characters)"
        );
        for value in ["secret\n", "secret value", "secretsecret"] {
            assert!(!reason(value).contains("secret"), "{}", reason(value));
        }
    }

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
