//! Reading a page file, in any of its three dialects, into a [`Page`].

use super::cell::facts;
use super::nesting::{nest, Row};
use super::ordered::Json;
use super::{Doc, ErrorRow, EventPage, Located, Page, PageError, PageType, Param, ParamIn};
use codegen::model::RateLimit;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// The sections of a page, by their heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Request,
    Headers,
    PathParams,
    Query,
    Body,
    BodyExample,
    Response,
    ResponseBody,
    ResponseExample,
    Errors,
    Other,
}

fn section(heading: &str) -> Option<Section> {
    Some(match heading.trim() {
        "请求" => Section::Request,
        "请求头" => Section::Headers,
        "路径参数" => Section::PathParams,
        "查询参数" => Section::Query,
        "请求体" => Section::Body,
        "请求体示例" => Section::BodyExample,
        "响应" => Section::Response,
        "响应体" => Section::ResponseBody,
        "响应体示例" => Section::ResponseExample,
        "错误码" => Section::Errors,
        // An event page: its event table, the delivery's rows, and the delivery's example.
        "事件" => Section::Request,
        "事件体" => Section::ResponseBody,
        "事件体示例" => Section::ResponseExample,
        _ => return None,
    })
}

/// A table row being read: its cells, the description cell growing with continuation lines.
struct RawRow {
    cells: Vec<String>,
    line: usize,
    marked: bool,
}

/// Reads an API reference page. `file` names it in errors; `bytes` are the file's contents. An event page is
/// an error here: [`read_doc`] reads both kinds.
pub fn read_page(file: &str, bytes: &[u8]) -> Result<Page, PageError> {
    match read_doc(file, bytes)? {
        Doc::Operation(page) => Ok(*page),
        Doc::Event(page) => Err(PageError {
            file: file.to_owned(),
            line: page.event_type.line,
            message: format!(
                "not an API reference page: it is the page of the event `{}`",
                page.event_type.value
            ),
        }),
    }
}

/// Reads a page of the reference: an API reference page, or an event page (an event table with `事件类型`).
/// `file` names it in errors; `bytes` are the file's contents.
pub fn read_doc(file: &str, bytes: &[u8]) -> Result<Doc, PageError> {
    let error = |line: usize, message: String| PageError {
        file: file.to_owned(),
        line,
        message,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => text,
        Ok(text) => {
            let at = text.find('\0').unwrap_or(0);
            return Err(error(
                line_of(bytes, at),
                format!("not a text page: a NUL byte at byte {at}"),
            ));
        }
        Err(e) => {
            let at = e.valid_up_to();
            return Err(error(
                line_of(bytes, at),
                format!("not a text page: the bytes at byte {at} are not UTF-8"),
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(error(1, "the page is empty".to_owned()));
    }
    let sha256 = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // The lines, joined by `\n` alone: an example is parsed from where it starts to the end of this text,
    // without a copy of the rest of the page for each example.
    let joined = text.lines().collect::<Vec<_>>().join("\n");
    let mut reader = Reader::new(file, &joined);
    reader.read()?;
    let request = RequestTable::read(&reader.request);
    match request.value("事件类型") {
        Some(event_type) if request.value("HTTP URL").is_none() => reader
            .finish_event(sha256, event_type)
            .map(|page| Doc::Event(Box::new(page))),
        _ => reader
            .finish(sha256)
            .map(|page| Doc::Operation(Box::new(page))),
    }
}

/// The line (from 1) of byte `at`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

struct Reader<'a> {
    file: &'a str,
    /// The page's lines joined by `\n`.
    text: &'a str,
    lines: Vec<&'a str>,
    /// Where each line starts in `text`.
    starts: Vec<usize>,
    piped: bool,
    front: Vec<(String, String)>,
    first_line: Option<String>,
    section: Section,
    /// Lines of the request table, with their numbers.
    request: Vec<(usize, String)>,
    columns: usize,
    header_seen: bool,
    rows: Vec<(Section, RawRow)>,
    request_example: Option<Located<Json>>,
    response_example: Option<Located<Json>>,
    /// The URL of a `> Source:` line.
    source_line: Option<String>,
    /// The text of the first `# ` heading.
    title_heading: Option<String>,
    /// What the page says against itself, read around.
    problems: Vec<Located<String>>,
    repairs: Vec<Located<String>>,
}

impl<'a> Reader<'a> {
    /// A reader of `text`, the page's lines joined by `\n`.
    fn new(file: &'a str, text: &'a str) -> Self {
        let lines: Vec<&str> = text.split('\n').collect();
        let starts = lines
            .iter()
            .scan(0, |start, line| {
                let at = *start;
                *start += line.len() + 1;
                Some(at)
            })
            .collect();
        let piped = lines
            .iter()
            .any(|l| l.trim_start().starts_with("|---") || l.trim_start().starts_with("| ---"));
        Reader {
            file,
            text,
            lines,
            starts,
            piped,
            front: Vec::new(),
            first_line: None,
            section: Section::Other,
            request: Vec::new(),
            columns: 0,
            header_seen: false,
            rows: Vec::new(),
            request_example: None,
            response_example: None,
            source_line: None,
            title_heading: None,
            problems: Vec::new(),
            repairs: Vec::new(),
        }
    }

    /// The index of the first line from index `from` that closes a code fence.
    fn fence_after(&self, from: usize) -> Option<usize> {
        (from..self.lines.len()).find(|&i| self.lines[i].trim() == "```")
    }

    fn error(&self, line: usize, message: impl Into<String>) -> PageError {
        PageError {
            file: self.file.to_owned(),
            line,
            message: message.into(),
        }
    }

    fn read(&mut self) -> Result<(), PageError> {
        let mut i = 0;
        if self.lines.first().map(|l| l.trim()) == Some("---") {
            i = 1;
            while i < self.lines.len() && self.lines[i].trim() != "---" {
                if let Some((key, value)) = self.lines[i].split_once(':') {
                    let value = value.trim().trim_matches('"').to_owned();
                    self.front.push((key.trim().to_owned(), value));
                }
                i += 1;
            }
            if i == self.lines.len() {
                return Err(self.error(
                    1,
                    "the front matter opened on line 1 is never closed with `---`",
                ));
            }
            i += 1;
        }
        // A line of its own, or what is left of a line after an example that ends on it.
        let mut pending: Option<(usize, String)> = None;
        while i < self.lines.len() || pending.is_some() {
            // The rest of the line an example ended on has that line's number, and does not move `i` on.
            let (raw, advance, number) = match pending.take() {
                Some((number, rest)) => (rest, 0, number),
                None => (self.lines[i].to_owned(), 1, i + 1),
            };
            let line = self.normalize(&raw);
            if let Some(heading) = self.heading(&line) {
                if self.title_heading.is_none() {
                    if let Some(title) = line.trim().strip_prefix("# ") {
                        self.title_heading = Some(title.trim().to_owned());
                    }
                }
                self.section = heading;
                self.columns = 0;
                self.header_seen = false;
                i += advance;
                continue;
            }
            if self.first_line.is_none() && !line.trim().is_empty() {
                self.first_line = Some(line.trim().trim_start_matches('#').trim().to_owned());
            }
            // A copy's own note of where it came from: `> Source: <page URL>`.
            if let Some(url) = line.trim().strip_prefix("> Source:") {
                if self.source_line.is_none() {
                    self.source_line = Some(url.trim().to_owned());
                }
            }
            match self.section {
                Section::BodyExample | Section::ResponseExample => {
                    if let Some(brace) = raw.find('{') {
                        // Where the example starts in the page's text, when it starts on a line of its own.
                        let start = (advance == 1).then(|| self.starts[i] + brace);
                        let ReadExample {
                            json,
                            next,
                            end_line: end_number,
                            rest,
                            repaired,
                        } = match self.example(&raw[brace..], start, number, i + advance) {
                            Ok(example) => example,
                            Err((problem, truncated)) => {
                                // A whole example that is not JSON, inside its code fence: the page
                                // contradicts itself there, and the rest of it is still read.
                                let fence = self.fence_after(i + advance);
                                match fence {
                                    Some(close) if !truncated => {
                                        self.problems.push(Located {
                                            value: problem.message,
                                            line: problem.line,
                                        });
                                        self.section = Section::Other;
                                        i = close + 1;
                                        continue;
                                    }
                                    _ => return Err(problem),
                                }
                            }
                        };
                        if let Some(repaired) = repaired {
                            self.repairs.push(Located {
                                value: repaired,
                                line: number,
                            });
                        }
                        let located = Some(Located {
                            value: json,
                            line: number,
                        });
                        if self.section == Section::BodyExample {
                            self.request_example = located;
                        } else {
                            self.response_example = located;
                        }
                        self.section = Section::Other;
                        i = next;
                        let rest = rest.trim().trim_start_matches("```").trim().to_owned();
                        if !rest.is_empty() {
                            pending = Some((end_number, rest));
                        }
                        continue;
                    }
                }
                Section::Request => {
                    if !is_separator(&line) {
                        self.request.push((number, line));
                    }
                }
                Section::Other | Section::Response => {}
                table => self.table_line(table, &line, number),
            }
            i += advance;
        }
        Ok(())
    }

    /// A line without the outer pipes of the piped dialect, and with Feishu's Markdown folded into the other
    /// dialects: `<br>` inside a cell is a line break (as a seed's continuation line is), `&nbsp;` a space.
    fn normalize(&self, line: &str) -> String {
        let mut line = line
            .trim_end()
            .replace("<br>", "\n")
            .replace("<br/>", "\n")
            .replace("<br />", "\n")
            .replace("&nbsp;", " ");
        if self.piped {
            let trimmed = line.trim();
            let trimmed = trimmed.strip_prefix('|').unwrap_or(trimmed);
            let trimmed = trimmed.strip_suffix('|').unwrap_or(trimmed);
            line = trimmed.trim().to_owned();
        }
        line
    }

    fn heading(&self, line: &str) -> Option<Section> {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix('#') {
            // A heading of Feishu's Markdown may carry a link of its own: `## 请求头 {#headers}`.
            let heading = heading.split(" {#").next().unwrap_or(heading);
            return Some(section(heading.trim_start_matches('#')).unwrap_or(Section::Other));
        }
        if self.piped {
            return section(trimmed);
        }
        None
    }

    /// Reads the JSON example that starts with `first` (on line `first_number`, at byte `start` of the page's
    /// text when `first` is the end of that line) and goes on with the lines from index `next`; an example that
    /// is not JSON only for a trailing comma, a comment or a `[-]` is repaired, and says so.
    fn example(
        &self,
        first: &str,
        start: Option<usize>,
        first_number: usize,
        next: usize,
    ) -> Result<ReadExample, (PageError, bool)> {
        let text: Cow<'_, str> = match start.and_then(|at| self.text.get(at..)) {
            // `first`, then each line after it: the rest of the page's text as it is.
            Some(rest) => Cow::Borrowed(rest),
            None => {
                let mut text = first.to_owned();
                for line in self.lines.get(next..).unwrap_or(&[]) {
                    text.push('\n');
                    text.push_str(line);
                }
                Cow::Owned(text)
            }
        };
        // Line `n` (from 1) of `text` is `first` for 1, and the page line `next + n - 1` after it.
        let page_line = |n: usize| if n <= 1 { first_number } else { next + n - 1 };
        let parsed = |text: &str| {
            let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Json>();
            let first = stream.next();
            (first, stream.byte_offset())
        };
        let (mut first, mut consumed) = parsed(&text);
        let mut repaired = None;
        if let Some(Err(e)) = &first {
            // What a page's example often gets wrong, repaired in place (the text keeps its length and lines):
            // trailing commas, comments, and `[-]` for an empty list. Said as a problem of the page, never
            // guessed past.
            if !e.is_eof() {
                if let Some((fixed, what)) = repair_json(&text) {
                    let (again, at) = parsed(&fixed);
                    if let Some(Ok(json)) = again {
                        repaired = Some(format!(
                            "the page's example is not valid JSON ({e}); read after removing {}",
                            what.join(", ")
                        ));
                        first = Some(Ok(json));
                        consumed = at;
                    }
                }
            }
        }
        match first {
            Some(Ok(json)) => {
                let newlines = text[..consumed].matches('\n').count();
                let line_end = text[consumed..]
                    .find('\n')
                    .map_or(text.len(), |n| consumed + n);
                Ok(ReadExample {
                    json,
                    next: next + newlines,
                    end_line: page_line(newlines + 1),
                    rest: text[consumed..line_end].to_owned(),
                    repaired,
                })
            }
            Some(Err(e)) => {
                let what = if e.is_eof() {
                    "ends before the example's JSON is complete (is the page cut short?)"
                } else {
                    "holds an example that is not valid JSON"
                };
                let error = self.error(page_line(e.line()), format!("the page {what}: {e}"));
                Err((error, e.is_eof()))
            }
            None => Err((self.error(first_number, "the example is empty"), true)),
        }
    }

    fn table_line(&mut self, section: Section, line: &str, number: usize) {
        if line.trim().is_empty() || is_separator(line) {
            return;
        }
        let cells: Vec<&str> = line.split(" | ").collect();
        if !self.header_seen {
            if cells.len() >= 2 {
                self.header_seen = true;
                self.columns = cells.len();
            }
            return;
        }
        let columns = self.columns;
        let first = cells[0].trim();
        let (name, marked) = match first.strip_prefix('└') {
            Some(rest) => (rest.trim(), true),
            None => (first, false),
        };
        let starts_row = cells.len() >= columns.saturating_sub(1).max(2)
            && if section == Section::Errors {
                name.chars().all(|c| c.is_ascii_digit()) && !name.is_empty()
            } else {
                is_name(name)
            };
        if starts_row {
            let mut parts: Vec<String> = line
                .splitn(columns, " | ")
                .map(|c| c.trim().to_owned())
                .collect();
            parts[0] = name.to_owned();
            self.rows.push((
                section,
                RawRow {
                    cells: parts,
                    line: number,
                    marked,
                },
            ));
        } else if let Some((row_section, row)) = self.rows.last_mut() {
            if *row_section == section {
                if let Some(last) = row.cells.last_mut() {
                    last.push('\n');
                    last.push_str(line);
                }
            }
        }
    }

    fn finish(self, sha256: String) -> Result<Page, PageError> {
        let front = |key: &str| front_value(&self.front, key);
        let request = RequestTable::read(&self.request);
        let last = self.lines.len().max(1);
        let url = request.value("HTTP URL").ok_or_else(|| {
            self.error(
                last,
                "not an API reference page: it has no request table with an `HTTP URL` row (is it a guide or \
                 an event page, or cut short?)",
            )
        })?;
        let method = request.value("HTTP Method").ok_or_else(|| {
            self.error(
                last,
                "not an API reference page: its request table has no `HTTP Method` row (is it cut short?)",
            )
        })?;
        let path = url_path(&url.value).ok_or_else(|| {
            self.error(url.line, format!("`{}` is not an http(s) URL", url.value))
        })?;
        let mut params = Vec::new();
        let mut token_types = Located {
            value: Vec::new(),
            line: 0,
        };
        let mut body_rows = Vec::new();
        let mut response_rows = Vec::new();
        let mut errors = Vec::new();
        for (section, raw) in self.rows {
            let cells = &raw.cells;
            let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
            match section {
                Section::Headers if cell(0).trim().eq_ignore_ascii_case("Authorization") => {
                    // `tenant_access_token`, `user_access_token`, or both (`... 或 ...`): the tokens it takes.
                    let text = cells
                        .get(3)
                        .or(cells.get(2))
                        .map(String::as_str)
                        .unwrap_or("");
                    let mut types = Vec::new();
                    for (word, kind) in [
                        ("tenant_access_token", "tenant"),
                        ("user_access_token", "user"),
                    ] {
                        if text.contains(word) {
                            types.push(kind.to_owned());
                        }
                    }
                    token_types = Located {
                        value: types,
                        line: raw.line,
                    };
                }
                Section::Headers | Section::PathParams | Section::Query => {
                    let location = match section {
                        Section::Headers => ParamIn::Header,
                        Section::PathParams => ParamIn::Path,
                        _ => ParamIn::Query,
                    };
                    let (required, description) = if location == ParamIn::Path && cells.len() == 3 {
                        (true, cell(2))
                    } else {
                        (cell(2).trim() == "是", cell(3))
                    };
                    params.push(Param {
                        location,
                        name: cell(0).to_owned(),
                        ty: PageType::parse(cell(1)),
                        required: required || location == ParamIn::Path,
                        facts: facts(description),
                        line: raw.line,
                    });
                }
                Section::Body => body_rows.push(Row {
                    name: cell(0).to_owned(),
                    ty: PageType::parse(cell(1)),
                    required: Some(cell(2).trim() == "是"),
                    facts: facts(cell(3)),
                    line: raw.line,
                    marked: raw.marked,
                }),
                Section::ResponseBody => response_rows.push(Row {
                    name: cell(0).to_owned(),
                    ty: PageType::parse(cell(1)),
                    required: None,
                    facts: facts(cell(2)),
                    line: raw.line,
                    marked: raw.marked,
                }),
                Section::Errors => {
                    let status = cell(0).trim().parse::<u16>();
                    let code = cell(1).trim().parse::<i64>();
                    match (status, code) {
                        (Ok(http_status), Ok(code)) => errors.push(ErrorRow {
                            http_status,
                            code,
                            description: cell(2).trim().to_owned(),
                            line: raw.line,
                        }),
                        _ => {
                            return Err(PageError {
                                file: self.file.to_owned(),
                                line: raw.line,
                                message: format!(
                                    "an error-code row needs an HTTP status and a numeric code, not `{}` and `{}`",
                                    cell(0),
                                    cell(1)
                                ),
                            })
                        }
                    }
                }
                _ => {}
            }
        }
        let (body, mut ambiguities) =
            nest(body_rows, self.request_example.as_ref().map(|e| &e.value));
        let (response, more) = nest(
            response_rows,
            self.response_example.as_ref().map(|e| &e.value),
        );
        ambiguities.extend(more);
        let title = front("title")
            .or(self.title_heading)
            .or(self.first_line)
            .unwrap_or_default();
        Ok(Page {
            file: self.file.to_owned(),
            sha256,
            title,
            source_url: front("source_url").or(self.source_line),
            last_remote_update: front("last_remote_update"),
            method: Located {
                value: method.value.trim().to_uppercase(),
                line: method.line,
            },
            path: Located {
                value: path,
                line: url.line,
            },
            rate_limit: request.rate_limit(),
            app_types: request.app_types(),
            token_types,
            scopes: request.scopes(false),
            field_scopes: request.scopes(true),
            params,
            body,
            response,
            errors,
            request_example: self.request_example,
            response_example: self.response_example,
            ambiguities,
            problems: self.problems,
            repairs: self.repairs,
        })
    }
}

impl Reader<'_> {
    /// The event page read: its event table, the delivery's rows nested by the example, and the example.
    fn finish_event(
        self,
        sha256: String,
        event_type: Located<String>,
    ) -> Result<EventPage, PageError> {
        let request = RequestTable::read(&self.request);
        let kind = event_type.value.trim();
        let valid = !kind.is_empty()
            && kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if !valid {
            return Err(self.error(
                event_type.line,
                format!(
                    "`{}` is not an event type (lowercase words joined by `.`)",
                    kind.escape_debug()
                ),
            ));
        }
        let no_table = self.error(
            event_type.line,
            "an event page without the delivery's table (`事件体`): is it cut short?",
        );
        let rows = self
            .rows
            .into_iter()
            .filter(|(section, _)| *section == Section::ResponseBody)
            .map(|(_, raw)| {
                let cell = |i: usize| raw.cells.get(i).map(String::as_str).unwrap_or("");
                Row {
                    name: cell(0).to_owned(),
                    ty: PageType::parse(cell(1)),
                    required: None,
                    facts: facts(cell(2)),
                    line: raw.line,
                    marked: raw.marked,
                }
            })
            .collect::<Vec<_>>();
        if rows.is_empty() {
            return Err(no_table);
        }
        let (delivery, ambiguities) = nest(rows, self.response_example.as_ref().map(|e| &e.value));
        let front = |key: &str| front_value(&self.front, key);
        Ok(EventPage {
            file: self.file.to_owned(),
            sha256,
            title: front("title")
                .or(self.title_heading.clone())
                .or(self.first_line.clone())
                .unwrap_or_default(),
            source_url: front("source_url").or(self.source_line.clone()),
            last_remote_update: front("last_remote_update"),
            event_type: Located {
                value: kind.to_owned(),
                line: event_type.line,
            },
            app_types: request.app_types(),
            scopes: request.scopes(false),
            delivery,
            example: self.response_example,
            ambiguities,
            problems: self.problems,
            repairs: self.repairs,
        })
    }
}

/// The front matter's value of `key`.
fn front_value(front: &[(String, String)], key: &str) -> Option<String> {
    front.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// A table separator row: only dashes, pipes, colons and spaces.
fn is_separator(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty()
        && trimmed.contains("---")
        && trimmed.chars().all(|c| matches!(c, '-' | '|' | ':' | ' '))
}

/// A parameter or field name: ASCII letters, digits, `_`, `-` and `.`.
fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The path of a URL, with `:name` segments written `{name}`.
fn url_path(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', ' ']).next().unwrap_or(path);
    Some(
        path.split('/')
            .map(|segment| match segment.strip_prefix(':') {
                Some(name) => format!("{{{name}}}"),
                None => segment.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// The request table (`名称 | 值`): its rows by key, read by keyword so that keys spread over several lines
/// (`权限要求`) are found in every dialect.
struct RequestTable {
    lines: Vec<(usize, String)>,
}

impl RequestTable {
    fn read(lines: &[(usize, String)]) -> Self {
        RequestTable {
            lines: lines.to_vec(),
        }
    }

    /// The value of the row whose key is `key`.
    fn value(&self, key: &str) -> Option<Located<String>> {
        self.lines.iter().find_map(|(line, text)| {
            let (k, v) = text.split_once(" | ")?;
            (k.trim() == key).then(|| Located {
                value: v.trim().to_owned(),
                line: *line,
            })
        })
    }

    /// The documented limits (`接口频率限制`): `50 次/秒`, `20 次/分钟`, or both (`1000 次/分钟、50 次/秒`).
    fn rate_limit(&self) -> Option<Located<RateLimit>> {
        self.lines.iter().find_map(|(line, text)| {
            let number_before = |unit: &str| -> Option<u32> {
                let at = text.find(unit)?;
                let digits: String = text[..at]
                    .chars()
                    .rev()
                    .skip_while(|c| c.is_whitespace())
                    .take_while(char::is_ascii_digit)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                digits.parse().ok()
            };
            let limit = RateLimit {
                per_second: number_before("次/秒"),
                per_minute: number_before("次/分钟"),
            };
            limit.is_limited().then_some(Located {
                value: limit,
                line: *line,
            })
        })
    }

    fn app_types(&self) -> Located<Vec<String>> {
        let Some(row) = self.value("支持的应用类型") else {
            return Located {
                value: Vec::new(),
                line: 0,
            };
        };
        // `自建应用、商店应用`, `Custom App、Store App`, `custom,isv`: every spelling Feishu uses.
        let words: Vec<String> = row
            .value
            .split(['、', ',', '，', '/', '\n'])
            .map(|t| t.trim().to_lowercase())
            .collect();
        let said = |names: &[&str]| words.iter().any(|w| names.contains(&w.as_str()));
        let mut types = Vec::new();
        if said(&["自建应用", "custom app", "custom"]) {
            types.push("custom".to_owned());
        }
        if said(&["商店应用", "store app", "store", "isv"]) {
            types.push("store".to_owned());
        }
        Located {
            value: types,
            line: row.line,
        }
    }

    /// The scopes of the call (`权限要求`), or the field scopes (`字段权限要求`).
    fn scopes(&self, field: bool) -> Located<Vec<String>> {
        let mut in_part = false;
        let mut scopes = Vec::new();
        let mut first_line = 0;
        for (line, text) in &self.lines {
            if text.contains("字段权限要求") {
                in_part = field;
            } else if text.contains("权限要求") {
                in_part = !field;
            } else if text.contains(" | ")
                && !text.contains("调用该 API")
                && !text.contains("开启任一权限")
                && !in_part_continues(text)
            {
                in_part = false;
            }
            if in_part {
                for scope in scope_tokens(text) {
                    if first_line == 0 {
                        first_line = *line;
                    }
                    if !scopes.contains(&scope) {
                        scopes.push(scope);
                    }
                }
            }
        }
        Located {
            value: scopes,
            line: first_line,
        }
    }
}

/// Whether a row line of the request table still belongs to the scopes before it: it names a scope.
fn in_part_continues(text: &str) -> bool {
    !scope_tokens(text).is_empty() && !text.contains("HTTP") && !text.contains("次/秒")
}

/// The scope names in a text: `hire:job:readonly`, `contact:user.employee_id:readonly`.
fn scope_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':')))
        .filter(|token| {
            let parts: Vec<&str> = token.split(':').collect();
            parts.len() >= 2
                && parts.iter().all(|p| !p.is_empty())
                && parts[0].chars().all(|c| c.is_ascii_lowercase())
        })
        .map(str::to_owned)
        .collect()
}

/// An example read from the page: the value, the index of the first line after it, the number of the line it
/// ends on, what follows it on that line, and what was repaired to read it, if anything.
struct ReadExample {
    json: Json,
    next: usize,
    end_line: usize,
    rest: String,
    repaired: Option<String>,
}

/// `text` with what keeps a page's example from being JSON blanked out, byte for byte (so offsets and lines
/// stay): `//` and `/* */` comments, commas before a closing `]` or `}`, and the `-` of `[-]`. `None` when there
/// is nothing of the kind; otherwise the text and what was removed.
fn repair_json(text: &str) -> Option<(String, Vec<&'static str>)> {
    let mut bytes = text.as_bytes().to_vec();
    let mut what = Vec::new();
    let note = |w: &'static str, what: &mut Vec<&'static str>| {
        if !what.contains(&w) {
            what.push(w);
        }
    };
    // Comments, outside strings.
    let (mut i, mut strings) = (0, InString::default());
    while i < bytes.len() {
        if strings.step(bytes[i]) {
            i += 1;
            continue;
        }
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    bytes[i] = b' ';
                    i += 1;
                }
                note("comments", &mut what);
                continue;
            }
            (b'/', Some(b'*')) => {
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    if bytes[i] != b'\n' {
                        bytes[i] = b' ';
                    }
                    i += 1;
                }
                for _ in 0..2 {
                    if i < bytes.len() {
                        bytes[i] = b' ';
                        i += 1;
                    }
                }
                note("comments", &mut what);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // Trailing commas and `[-]`, outside strings (comments are blank by now).
    let next_solid =
        |bytes: &[u8], from: usize| (from..bytes.len()).find(|&j| !bytes[j].is_ascii_whitespace());
    let mut strings = InString::default();
    for i in 0..bytes.len() {
        if strings.step(bytes[i]) {
            continue;
        }
        match bytes[i] {
            b',' => {
                if let Some(j) = next_solid(&bytes, i + 1) {
                    if matches!(bytes[j], b']' | b'}') {
                        bytes[i] = b' ';
                        note("trailing commas", &mut what);
                    }
                }
            }
            b'[' => {
                if let Some(j) = next_solid(&bytes, i + 1) {
                    if bytes[j] == b'-'
                        && next_solid(&bytes, j + 1).is_some_and(|k| bytes[k] == b']')
                    {
                        bytes[j] = b' ';
                        note("`-` in `[-]`", &mut what);
                    }
                }
            }
            _ => {}
        }
    }
    if what.is_empty() {
        return None;
    }
    // Only ASCII bytes were replaced by spaces: the text is still UTF-8.
    String::from_utf8(bytes).ok().map(|text| (text, what))
}

/// Whether each byte of a JSON text is part of a string (its quotes included), told one byte at a time.
#[derive(Default)]
struct InString {
    inside: bool,
    escaped: bool,
}

impl InString {
    /// Whether `b`, the text's next byte, is part of a string.
    fn step(&mut self, b: u8) -> bool {
        if !self.inside {
            self.inside = b == b'"';
            return self.inside;
        }
        match (self.escaped, b) {
            (true, _) => self.escaped = false,
            (false, b'\\') => self.escaped = true,
            (false, b'"') => self.inside = false,
            _ => {}
        }
        true
    }
}
