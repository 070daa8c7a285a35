//! Taking secrets out of whatever an error or a log line quotes of an answer: Feishu's `msg`, an excerpt of a
//! body, a decoding message. One function, [`redact`], serves every such path, for API calls and token
//! requests alike.
//!
//! It takes out the request's own secrets by value (the token a call sent, the app secret, the app ticket),
//! and every word shaped like a token or a secret whatever its value: a run of at least [`TOKEN_MIN_CHARS`]
//! letters, digits, `-`, `_` or `.` that mixes letters and digits, as generated secrets do (Feishu's access
//! tokens, `t-g1044…`, app tickets, page tokens), and whatever follows `Bearer `. Each is replaced by `***`.
//! Numeric ids and plain words stay, since they are what a person needs to read the error.

use std::ops::Range;

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
