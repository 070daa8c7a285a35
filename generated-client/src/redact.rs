//! Taking secrets out of whatever an error or a log line quotes of an answer: Feishu's `msg`, an excerpt of a
//! body, a decoding message. One function, [`redact`], serves every such path, for API calls and token
//! requests alike.
//!
//! It takes out the request's own secrets by value (the token a call sent, the app secret, the app ticket),
//! and every word shaped like a token or a secret whatever its value: a run of at least [`TOKEN_MIN_CHARS`]
//! letters, digits, `-`, `_` or `.` that mixes letters and digits, as generated secrets do (Feishu's access
//! tokens, `t-g1044…`, app tickets, page tokens), and whatever follows `Bearer `. Each is replaced by `***`.
//! Numeric ids and plain words stay, since they are what a person needs to read the error.
//!
//! Beside it, [`quoted`] is how every error's `Display` shows a value that came from outside (a tenant key,
//! Feishu's `msg`, a URL, an excerpt, a header value): control characters escaped, so that no value can break a
//! log line in two, and long values cut with their length, so that no message is longer than a few lines.

use std::fmt;
use std::ops::Range;

/// The most characters of one value an error's message shows; a longer value is cut, ending with `…` and its
/// length in characters, such as `…(70154 chars)`.
pub const MAX_QUOTED_CHARS: usize = 200;

/// The most characters of a composed message (an invalid request's rule, a configuration error), whose values
/// are quoted on their own.
pub(crate) const MAX_MESSAGE_CHARS: usize = 1000;

/// The shortest word taken for a token or a secret.
pub(crate) const TOKEN_MIN_CHARS: usize = 16;

/// What stands in for a secret.
const MASK: &str = "***";

/// `text` with each non-empty secret in `secrets`, and every token-shaped word, replaced by `***`.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    redact_around(text, secrets, 0).0
}

/// Like [`redact`], and where the byte offset `at` of `text` lands in the result: an excerpt is cut around a
/// place found in the original text, and cut only after redacting, so that no secret is cut in two and half
/// of it quoted.
pub(crate) fn redact_around(text: &str, secrets: &[&str], at: usize) -> (String, usize) {
    let mut found: Vec<Range<usize>> = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        found.extend(
            text.match_indices(secret)
                .map(|(start, _)| start..start + secret.len()),
        );
    }
    found.extend(token_shaped_words(text));
    if found.is_empty() {
        return (text.to_owned(), at);
    }
    found.sort_by_key(|range| (range.start, range.end));
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut landed = None;
    let mut i = 0;
    while i < found.len() {
        // Overlapping and touching ranges are masked as one.
        let start = found[i].start.max(copied);
        let mut end = found[i].end;
        i += 1;
        while i < found.len() && found[i].start <= end {
            end = end.max(found[i].end);
            i += 1;
        }
        if end <= start {
            continue;
        }
        if landed.is_none() && at < start {
            landed = Some(out.len() + (at - copied.min(at)));
        }
        out.push_str(&text[copied..start]);
        if landed.is_none() && at < end {
            landed = Some(out.len());
        }
        out.push_str(MASK);
        copied = end;
    }
    let landed = landed.unwrap_or(out.len() + at.saturating_sub(copied));
    out.push_str(&text[copied..]);
    let landed = landed.min(out.len());
    (out, landed)
}

/// `text` as an error's message shows it: each control character escaped (`\n`, `\r`, `\t`, `\u{1b}`, and
/// the invisible characters that reorder or separate lines, such as `\u{2028}` and `\u{202e}`), and at most
/// [`MAX_QUOTED_CHARS`] characters of it, a longer value ending with `…` and its length.
pub(crate) fn quoted(text: &str) -> Quoted<'_> {
    Quoted {
        text,
        limit: MAX_QUOTED_CHARS,
    }
}

/// A value as an error's message shows it; see [`quoted`].
pub(crate) struct Quoted<'a> {
    text: &'a str,
    limit: usize,
}

impl Quoted<'_> {
    /// Shows at most `limit` characters instead of [`MAX_QUOTED_CHARS`].
    pub(crate) fn up_to(self, limit: usize) -> Self {
        Quoted { limit, ..self }
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (shown, c) in self.text.chars().enumerate() {
            if shown == self.limit {
                return write!(f, "…({} chars)", self.text.chars().count());
            }
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if is_hidden(c) => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                c => fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

/// Whether `c` is a control character, or an invisible one that separates lines or reorders text.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// The byte ranges of the words of `text` that look like tokens.
fn token_shaped_words(text: &str) -> Vec<Range<usize>> {
    let is_token_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        if !is_token_char(bytes[start]) {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < bytes.len() && is_token_char(bytes[end]) {
            end += 1;
        }
        let word = &text[start..end];
        let after_bearer = text[..start]
            .get(start.saturating_sub(7)..)
            .is_some_and(|before| before.eq_ignore_ascii_case("bearer "));
        let generated = word.len() >= TOKEN_MIN_CHARS
            && word.bytes().any(|b| b.is_ascii_alphabetic())
            && word.bytes().any(|b| b.is_ascii_digit());
        if after_bearer || generated {
            words.push(start..end);
        }
        start = end;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_have_no_control_characters_and_a_bounded_length() {
        assert_eq!(quoted("plain 职位 text").to_string(), "plain 职位 text");
        assert_eq!(
            quoted("a\nb\rc\td\u{1b}[2Je\u{2028}f\u{202e}g\u{85}").to_string(),
            "a\\nb\\rc\\td\\u{1b}[2Je\\u{2028}f\\u{202e}g\\u{85}"
        );
        let exact = "x".repeat(MAX_QUOTED_CHARS);
        assert_eq!(quoted(&exact).to_string(), exact);
        let long = "职".repeat(70_154);
        let shown = quoted(&long).to_string();
        assert!(shown.ends_with("…(70154 chars)"), "{shown}");
        assert_eq!(
            shown.chars().count(),
            MAX_QUOTED_CHARS + "…(70154 chars)".chars().count()
        );
        assert_eq!(quoted("abcdef").up_to(3).to_string(), "abc…(6 chars)");
    }

    #[test]
    fn secrets_are_taken_out_by_value() {
        assert_eq!(
            redact("token t-1 and t-1, s", &["t-1", "", "s"]),
            "token *** and ***, ***"
        );
        assert_eq!(redact("nothing here", &["secret"]), "nothing here");
    }

    #[test]
    fn token_shaped_words_are_taken_out_whatever_their_value() {
        assert_eq!(
            redact(
                "invalid token: t-g1044ghJRUIJJ5ELPPCKKD6GBWZCBTHQZWNHD2MD.",
                &[]
            ),
            "invalid token: ***"
        );
        assert_eq!(
            redact("a-0123456789abcdef and ticket-value-0001", &[]),
            "*** and ***"
        );
        assert_eq!(
            redact("Authorization: Bearer xyz!", &[]),
            "Authorization: Bearer ***!"
        );
        assert_eq!(
            redact("authorization: bearer xyz", &[]),
            "authorization: bearer ***"
        );
        // Numeric ids, plain words and short words stay: they are what a person needs to read the error.
        assert_eq!(
            redact(
                "job 6952811314255265796 not found; t-short; people_admin_job_level_id",
                &[]
            ),
            "job 6952811314255265796 not found; t-short; people_admin_job_level_id"
        );
    }

    #[test]
    fn overlapping_secrets_are_masked_once() {
        assert_eq!(redact("xx t-abcdef yy", &["abc", "t-abc"]), "xx ***def yy");
        assert_eq!(redact("abcabc", &["abc"]), "***");
        assert_eq!(redact("abcd", &["abc", "bcd"]), "***");
    }

    #[test]
    fn the_offset_follows_the_text() {
        let text = "before SECRET middle SECRET after";
        let at = text.find("middle").expect("in the text");
        let (out, landed) = redact_around(text, &["SECRET"], at);
        assert_eq!(out, "before *** middle *** after");
        assert!(out[landed..].starts_with("middle"), "{}", &out[landed..]);

        let inside = text.find("CRET").expect("in the text");
        let (out, landed) = redact_around(text, &["SECRET"], inside);
        assert!(
            out[landed..].starts_with("*** middle"),
            "{}",
            &out[landed..]
        );

        let end = text.len();
        let (out, landed) = redact_around(text, &["SECRET"], end);
        assert_eq!(landed, out.len());

        let (out, landed) = redact_around("plain", &["x"], 3);
        assert_eq!((out.as_str(), landed), ("plain", 3));
    }
}
