//! Reading an answer: its body, bounded in size without buffering more than the limit; the headers the client
//! uses; and the short excerpts of a body that error messages may quote.

use crate::redact::{redact, redact_around};
use crate::Error;
use std::time::Duration;

/// The header Feishu puts its request log id in.
pub const LOG_ID_HEADER: &str = "x-tt-logid";
/// The default limit on the size of one answer, after decompression: 16 MiB, hundreds of times the largest
/// documented answer.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// How many characters an excerpt shows on each side of the place decoding failed.
const WINDOW_CHARS: usize = 40;
/// How many characters of an error page an excerpt shows.
const START_CHARS: usize = 120;

/// An answer's status and the headers the client uses.
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) log_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    /// The answer's headers, moved out of the response (not copied), for `send_with_meta`.
    pub(crate) headers: reqwest::header::HeaderMap,
}

/// A call's `data`, with what the answer said besides: its HTTP status, its log id (`X-Tt-Logid`, which Feishu
/// support asks for) and its headers. Each request builder's `send_with_meta` gives it; `send` gives the data
/// alone, and costs nothing for what it leaves out.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The typed `data`, as `send` returns it.
    pub data: T,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The `X-Tt-Logid` header (or the log id in the body), to quote to Feishu support.
    pub log_id: Option<String>,
    /// Every header of the answer.
    pub headers: reqwest::header::HeaderMap,
}

impl<T> Response<T> {
    /// The data alone.
    pub fn into_data(self) -> T {
        self.data
    }
}

/// An answer: its head and its whole body.
pub(crate) struct Answer {
    pub(crate) head: Head,
    pub(crate) body: Vec<u8>,
}

/// Reads the whole answer, refusing it with [`Error::TooLarge`] as soon as it passes `limit` bytes (counted
/// after decompression, so a compression bomb stops early). A body that is still arriving when the client's
/// timeout ends is an [`Error::Timeout`].
///
/// A redirect (3xx) is [`Error::Http`] with its status and its `Location` (see [`redirect_target`]), and its body
/// is not read: the client follows no redirect, since the request (its body, its headers) could be taken to
/// another host, and whatever a redirect says is no answer of Feishu's.
pub(crate) async fn read(
    mut response: reqwest::Response,
    operation: &'static str,
    limit: usize,
) -> Result<Answer, Error> {
    let status = response.status().as_u16();
    let headers = response.headers();
    let log_id = header_text(headers, LOG_ID_HEADER);
    let retry_after = retry_after(headers);
    if (300..400).contains(&status) {
        return Err(Error::Http {
            attempts: 1,
            operation,
            status,
            log_id,
            excerpt: None,
            retry_after: None,
            location: redirect_target(headers),
        });
    }
    let too_large = |log_id: Option<String>| Error::TooLarge {
        operation,
        limit,
        status: Some(status),
        log_id,
    };
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large(log_id));
    }
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::from_reqwest(operation, e))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large(log_id));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        head: Head {
            status,
            log_id,
            retry_after,
            headers,
        },
        body,
    })
}

/// The error of a request that got no answer to read. An answer whose head the HTTP stack refuses as too
/// large (a `Content-Length` past what any body could be, or headers past its limit) is [`Error::TooLarge`],
/// which no retry fixes; anything else is [`Error::Transport`] or [`Error::Timeout`].
pub(crate) fn send_error(operation: &'static str, limit: usize, error: reqwest::Error) -> Error {
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        if let Some(http) = cause.downcast_ref::<hyper::Error>() {
            // hyper's own `is_parse_too_large` needs its server feature; its message names the case exactly.
            if http.is_parse() && http.to_string().starts_with("message head is too large") {
                return Error::TooLarge {
                    operation,
                    limit,
                    status: None,
                    log_id: None,
                };
            }
            break;
        }
        source = cause.source();
    }
    Error::from_reqwest(operation, error)
}

pub(crate) fn header_text(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .filter(|v| !v.is_empty())
}

/// Where the answer came from, if a redirect led away from `sent` (the request's URL without its query): the
/// answer's URL without its query, fragment and user info.
pub(crate) fn redirected(response: &reqwest::Response, sent: &str) -> Option<String> {
    let came_from = response.url();
    let sent = reqwest::Url::parse(sent).ok()?;
    if came_from.origin() == sent.origin() && came_from.path() == sent.path() {
        return None;
    }
    let mut place = came_from.clone();
    keep_place_only(&mut place);
    Some(place.to_string())
}

/// Takes out of `url` what it may carry besides the place (the query, the fragment and any user info), so that
/// errors may name it: queries hold page tokens and may be of any length.
pub(crate) fn keep_place_only(url: &mut reqwest::Url) {
    url.set_query(None);
    url.set_fragment(None);
    // Neither fails on a URL with a host; a URL without one has no user info to remove.
    let _ = url.set_username("");
    let _ = url.set_password(None);
}

/// Where a redirect points, without what it may carry besides the place: the query, the fragment and any user
/// info. The value is kept whole otherwise; error messages bound it when they show it.
fn redirect_target(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let raw = headers.get(reqwest::header::LOCATION)?;
    let text = String::from_utf8_lossy(raw.as_bytes());
    if let Ok(mut url) = reqwest::Url::parse(&text) {
        keep_place_only(&mut url);
        return Some(url.to_string());
    }
    // A relative reference: everything before its query or fragment.
    let end = text.find(['?', '#']).unwrap_or(text.len());
    Some(text[..end].to_owned())
}

/// The wait the server asks for: `Retry-After` in seconds, or Feishu's `x-ogw-ratelimit-reset`.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    ["retry-after", "x-ogw-ratelimit-reset"]
        .iter()
        .find_map(|name| header_text(headers, name)?.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The start of a body that is not a Feishu answer (a proxy's error page), for error messages, with
/// `secrets` and every token-shaped word taken out (see [`redact`]).
pub(crate) fn excerpt_start(bytes: &[u8], secrets: &[&str]) -> String {
    if bytes.is_empty() {
        return "(empty body)".to_owned();
    }
    let text = redact(&String::from_utf8_lossy(bytes), secrets);
    let mut excerpt: String = text.chars().take(START_CHARS).collect();
    if text.chars().nth(START_CHARS).is_some() {
        excerpt.push('…');
    }
    excerpt
}

/// A few characters on each side of the place `error` points at in `bytes`, for error messages: enough to
/// see what was there, not the rest of the answer. Secrets are taken out before the window is cut, so none is
/// quoted in part.
pub(crate) fn excerpt_around(bytes: &[u8], error: &serde_json::Error, secrets: &[&str]) -> String {
    if bytes.is_empty() {
        return "(empty body)".to_owned();
    }
    let offset = byte_offset(bytes, error.line(), error.column()).min(bytes.len());
    // Each side is made text on its own, so that the offset stays where it was.
    let mut text = String::from_utf8_lossy(&bytes[..offset]).into_owned();
    let at = text.len();
    text.push_str(&String::from_utf8_lossy(&bytes[offset..]));
    let (text, at) = redact_around(&text, secrets, at);
    let before: Vec<char> = text[..at].chars().rev().take(WINDOW_CHARS + 1).collect();
    let after: Vec<char> = text[at..].chars().take(WINDOW_CHARS + 1).collect();
    let mut excerpt = String::new();
    if before.len() > WINDOW_CHARS {
        excerpt.push('…');
    }
    excerpt.extend(before.iter().take(WINDOW_CHARS).rev());
    excerpt.extend(after.iter().take(WINDOW_CHARS));
    if after.len() > WINDOW_CHARS {
        excerpt.push('…');
    }
    excerpt
}

/// The byte offset of serde_json's 1-based line and column (a column counts bytes; 0 on a line means its
/// start).
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match bytes[start..].iter().position(|b| *b == b'\n') {
            Some(newline) => start += newline + 1,
            None => return bytes.len(),
        }
    }
    start + column.saturating_sub(1)
}

/// A decoding message without the values it quotes: serde writes a wrong string as `string "…"`, and that
/// string may be a token or a person's data.
pub(crate) fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.rfind(quote) {
            Some(close) => {
                out.push('…');
                out.push(quote);
                rest = &after[close + 1..];
            }
            None => {
                out.push('…');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// What the client may quote of an answer in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quoting {
    /// A short excerpt around the failing place, and the values decoding messages name.
    Excerpts,
    /// Nothing of the body: no excerpt, and no values in messages.
    Nothing,
}

impl Quoting {
    pub(crate) fn excerpt(self, make: impl FnOnce() -> String) -> Option<String> {
        match self {
            Quoting::Excerpts => Some(make()),
            Quoting::Nothing => None,
        }
    }

    /// A decoding message: with the values it quotes (secrets taken out), or without any.
    pub(crate) fn message(self, error: &serde_json::Error, secrets: &[&str]) -> String {
        let message = error.to_string();
        match self {
            Quoting::Excerpts => redact(&message, secrets),
            Quoting::Nothing => without_values(&message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> serde_json::Error {
        serde_json::from_str::<serde_json::Value>(text).expect_err("invalid JSON")
    }

    #[test]
    fn an_excerpt_is_a_window_around_the_failure() {
        let head = format!("{{\"name\": \"{}\", ", "a".repeat(100));
        let body = format!("{head}\"age\": x, \"secret\": \"{}\"}}", "b".repeat(100));
        let excerpt = excerpt_around(body.as_bytes(), &error_of(&body), &[]);
        assert!(excerpt.contains("\"age\": x"), "{excerpt}");
        assert!(
            excerpt.starts_with('…') && excerpt.ends_with('…'),
            "{excerpt}"
        );
        assert!(excerpt.chars().count() <= 2 * WINDOW_CHARS + 2, "{excerpt}");
        assert!(
            !excerpt.contains("\"name\""),
            "the start of the body is not quoted: {excerpt}"
        );
    }

    #[test]
    fn excerpts_handle_lines_and_short_bodies() {
        let body = "{\n  \"a\": 1,\n  \"b\": ?\n}";
        assert_eq!(excerpt_around(body.as_bytes(), &error_of(body), &[]), body);
        assert_eq!(excerpt_around(b"", &error_of(""), &[]), "(empty body)");
        assert_eq!(excerpt_start(b"", &[]), "(empty body)");
        let long = "x".repeat(1000);
        assert_eq!(
            excerpt_start(long.as_bytes(), &[]).chars().count(),
            START_CHARS + 1
        );
    }

    #[test]
    fn no_excerpt_quotes_part_of_a_secret() {
        // The secret straddles the edge of the window: it is taken out before the window is cut.
        let secret = "s3cr3t-value-that-is-long";
        let body = format!("{{\"pad\": \"{}{secret}\", \"age\": x}}", "p".repeat(20));
        let excerpt = excerpt_around(body.as_bytes(), &error_of(&body), &[secret]);
        assert!(excerpt.contains("\"age\": x"), "{excerpt}");
        assert!(
            !excerpt.contains("long") && excerpt.contains("***"),
            "{excerpt}"
        );
        let page = format!("{}Bearer t-abcdefghijklmnopqrstuvwxyz", "x".repeat(110));
        let start = excerpt_start(page.as_bytes(), &[]);
        assert!(
            !start.contains("t-abc") && start.ends_with("***"),
            "{start}"
        );
    }

    #[test]
    fn values_are_taken_out_of_messages() {
        assert_eq!(
            without_values("invalid type: string \"t-abc\", expected u64 at line 1 column 9"),
            "invalid type: string \"…\", expected u64 at line 1 column 9"
        );
        assert_eq!(
            without_values("unknown variant `x\"y`, expected one of `a`, `b`"),
            "unknown variant `…`"
        );
        assert_eq!(without_values("EOF while parsing"), "EOF while parsing");
    }
}
