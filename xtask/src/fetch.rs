//! `cargo xtask docs fetch`: download the Markdown of the doc pages the lock file records (Feishu serves each
//! page at its address with `.md` appended), into a folder outside the tracked tree.

use docpages::record::Record;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Where fetched pages go by default, below the project root: inside `target/`, never in the tracked tree.
pub const DEFAULT_PAGES_DIR: &str = "target/doc-pages";

/// How many times a page is asked for at most, when the answer is a failure that may pass.
const ATTEMPTS: u32 = 3;

/// The largest page `docs fetch` saves, in bytes: 4 MiB. Feishu's API reference pages are well under 1 MiB (the
/// largest known is under 100 KiB); a larger answer is refused, and is never held whole in memory.
pub const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

/// How many redirects on the page's own host are followed at most; a redirect to another host never is.
pub const MAX_REDIRECTS: usize = 5;

/// What `docs fetch` was asked to do.
pub struct FetchArgs {
    /// The spec whose lock file names the pages.
    pub spec: PathBuf,
    /// The folder to write.
    pub out: PathBuf,
    /// Replaces the scheme and host of each recorded address (a local mirror, a test server).
    pub base_url: Option<String>,
    /// The operations and event types to fetch; all recorded ones when empty.
    pub operations: Vec<String>,
    /// The timeout of one request.
    pub timeout: Duration,
}

/// A fetched page: its operation and file.
pub struct Fetched {
    /// The operation the page documents.
    pub operation: String,
    /// Where it was written.
    pub file: PathBuf,
}

/// Fetches the pages, printing one line per page on stderr. The pages that could be fetched are written
/// whatever the others do; the error lists each page that could not, with its reason.
pub fn fetch(args: &FetchArgs, root: &Path) -> Result<Vec<Fetched>, String> {
    let root = std::fs::canonicalize(root)
        .map_err(|e| format!("{}: cannot resolve the project folder: {e}", root.display()))?;
    // Checked before the folder is created, with every symlink of its existing part resolved.
    check_out_dir(&args.out, &resolve(&args.out)?, &root)?;
    let record_path = Record::path_for(&args.spec);
    let record = Record::load(&record_path)?;
    for wanted in &args.operations {
        if !record.operations.contains_key(wanted) && !record.events.contains_key(wanted) {
            let known: Vec<&str> = record
                .operations
                .keys()
                .chain(record.events.keys())
                .map(String::as_str)
                .collect();
            return Err(format!(
                "{}: no page is recorded for `{wanted}` (recorded: {})",
                record_path.display(),
                known.join(", ")
            ));
        }
    }
    // Operations and events alike: the keys of both are file names (`Record::load` refuses any other).
    let chosen: Vec<(&String, &str)> = record
        .operations
        .iter()
        .chain(record.events.iter())
        .filter(|(id, _)| args.operations.is_empty() || args.operations.contains(id))
        .filter_map(|(id, page)| page.source_url.as_deref().map(|url| (id, url)))
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "{}: no recorded page has an address to fetch",
            record_path.display()
        ));
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("{}: cannot create the folder: {e}", args.out.display()))?;
    // Every file is written below the folder as it resolves now; checked again, now that it exists.
    let out = std::fs::canonicalize(&args.out)
        .map_err(|e| format!("{}: cannot resolve the folder: {e}", args.out.display()))?;
    check_out_dir(&args.out, &out, &root)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
    let http = reqwest::Client::builder()
        .timeout(args.timeout)
        // Redirects are followed by `get_once`, on the page's own host only.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "feishu-hire-docs-fetch/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let mut fetched = Vec::new();
    let mut failed = Vec::new();
    for (operation, source_url) in chosen {
        let url = match page_url(source_url, args.base_url.as_deref()) {
            Ok(url) => url,
            Err(e) => {
                failed.push(format!("{operation}: {e}"));
                continue;
            }
        };
        // The record's keys are identifiers, or identifiers joined by `.` (`Record::load` refuses any other), so
        // this is a file of `out`.
        let file = out.join(format!("{operation}.md"));
        let saved = check_target(&file).and_then(|()| {
            let page = runtime
                .block_on(get_page(&http, &url, &out, operation))
                .map_err(|e| format!("{url}: {e}"))?;
            page.keep(&file)
        });
        match saved {
            Ok((read_from, bytes)) => {
                let redirected = if read_from == url {
                    String::new()
                } else {
                    format!(" (redirected from {url})")
                };
                eprintln!(
                    "fetched {operation}: {read_from}{redirected} -> {} ({bytes} bytes)",
                    file.display(),
                );
                fetched.push(Fetched {
                    operation: operation.clone(),
                    file,
                });
            }
            Err(e) => {
                eprintln!("failed {operation}: {e}");
                failed.push(format!("{operation}: {e}"));
            }
        }
    }
    if failed.is_empty() {
        Ok(fetched)
    } else {
        Err(format!(
            "{} of {} page(s) could not be fetched:\n  {}",
            failed.len(),
            failed.len() + fetched.len(),
            failed.join("\n  ")
        ))
    }
}

/// Refuses a folder that resolves inside the project (`root`, resolved) and not below its `target/`: the pages'
/// prose stays out of the repository. `resolved` is `out` with its symlinks and `..` resolved.
fn check_out_dir(out: &Path, resolved: &Path, root: &Path) -> Result<(), String> {
    if resolved.starts_with(root) && !resolved.starts_with(root.join("target")) {
        let resolves = if resolved == out {
            String::new()
        } else {
            format!(" (which resolves to {})", resolved.display())
        };
        return Err(format!(
            "{}{resolves}: pages are not written inside the repository, whose files are its own words; use a \
             folder below target/ (the default, {DEFAULT_PAGES_DIR}) or outside the checkout",
            out.display()
        ));
    }
    Ok(())
}

/// `path` made absolute, with the symlinks of its longest existing part resolved and the rest (which does not
/// exist yet, so holds no symlink) resolved by name.
fn resolve(path: &Path) -> Result<PathBuf, String> {
    let absolute = std::path::absolute(path)
        .map_err(|e| format!("{}: cannot resolve the folder: {e}", path.display()))?;
    let parts: Vec<Component> = absolute.components().collect();
    for split in (1..=parts.len()).rev() {
        let existing: PathBuf = parts[..split].iter().collect();
        match std::fs::canonicalize(&existing) {
            Ok(mut resolved) => {
                for part in &parts[split..] {
                    match part {
                        Component::ParentDir => {
                            resolved.pop();
                        }
                        Component::CurDir => {}
                        other => resolved.push(other),
                    }
                }
                return Ok(resolved);
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && std::fs::symlink_metadata(&existing).is_err() => {}
            Err(e) => {
                return Err(format!(
                    "{}: cannot resolve {}: {e}",
                    path.display(),
                    existing.display()
                ))
            }
        }
    }
    Err(format!("{}: cannot resolve the folder", path.display()))
}

/// Refuses to replace anything but a plain file (or nothing): a symlink where a page goes would send the page
/// elsewhere, and a folder is not a page.
fn check_target(file: &Path) -> Result<(), String> {
    match std::fs::symlink_metadata(file) {
        Ok(meta) if meta.file_type().is_symlink() => Err(format!(
            "{}: is a symlink; a page is written only as a file of the folder, so it is not replaced",
            file.display()
        )),
        Ok(meta) if !meta.is_file() => Err(format!(
            "{}: is not a file, so it is not replaced",
            file.display()
        )),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: cannot inspect: {e}", file.display())),
    }
}

/// The Markdown address of a page: its recorded address with `.md` appended, on `base_url`'s scheme and host
/// when given (`http://127.0.0.1:8080` turns `https://open.feishu.cn/document/x` into
/// `http://127.0.0.1:8080/document/x.md`).
pub fn page_url(source_url: &str, base_url: Option<&str>) -> Result<String, String> {
    let parsed = reqwest::Url::parse(source_url)
        .map_err(|e| format!("the recorded address `{source_url}` is not a URL: {e}"))?;
    let path = parsed.path().trim_end_matches('/');
    let origin = match base_url {
        Some(base) => {
            let base = reqwest::Url::parse(base)
                .map_err(|e| format!("--base-url `{base}` is not a URL: {e}"))?;
            if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
                return Err(format!(
                    "--base-url `{base}` must be an http(s) URL with a host"
                ));
            }
            base.as_str().trim_end_matches('/').to_owned()
        }
        None => parsed.origin().ascii_serialization(),
    };
    Ok(format!("{origin}{path}.md"))
}

/// A page read whole into a temporary file beside its target.
struct Downloaded {
    /// The temporary file; removed when dropped unless kept.
    staging: tempfile::NamedTempFile,
    /// The address the page was read from, after redirects.
    url: String,
    /// Its size as written (without a byte-order mark).
    bytes: u64,
}

impl Downloaded {
    /// Renames the page into place, unless `file` became something other than a plain file meanwhile; the
    /// address it was read from and its size.
    fn keep(self, file: &Path) -> Result<(String, u64), String> {
        check_target(file)?;
        let cannot = |e: &dyn std::fmt::Display| format!("{}: cannot write: {e}", file.display());
        self.staging.as_file().sync_all().map_err(|e| cannot(&e))?;
        self.staging.persist(file).map_err(|e| cannot(&e.error))?;
        Ok((self.url, self.bytes))
    }
}

/// Why one attempt failed, and whether another may pass.
type Failure = (String, bool);

/// GETs one page into a temporary file of `dir`, retrying a failure that may pass; the page, or why it is not
/// one.
async fn get_page(
    http: &reqwest::Client,
    url: &str,
    dir: &Path,
    operation: &str,
) -> Result<Downloaded, String> {
    let mut attempt = 1;
    loop {
        match get_once(http, url, dir, operation).await {
            Ok(page) => return Ok(page),
            Err((reason, transient)) if transient && attempt < ATTEMPTS => {
                eprintln!("retrying {url}: {reason}");
                tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                attempt += 1;
            }
            Err((reason, _)) if attempt > 1 => {
                return Err(format!("{reason} (after {attempt} attempts)"))
            }
            Err((reason, _)) => return Err(reason),
        }
    }
}

/// One attempt: follows redirects on the page's own host (at most [`MAX_REDIRECTS`]), then streams the body
/// into a temporary file, chunk by chunk, refusing it past [`MAX_PAGE_BYTES`].
async fn get_once(
    http: &reqwest::Client,
    url: &str,
    dir: &Path,
    operation: &str,
) -> Result<Downloaded, Failure> {
    let first = reqwest::Url::parse(url).map_err(|e| (format!("not a URL: {e}"), false))?;
    let mut current = first.clone();
    let mut redirects = 0;
    let mut response = loop {
        let response = http.get(current.clone()).send().await.map_err(|e| {
            if e.is_timeout() {
                ("no answer within the timeout".to_owned(), true)
            } else {
                (format!("cannot connect: {e}"), true)
            }
        })?;
        let status = response.status().as_u16();
        if !matches!(status, 301 | 302 | 303 | 307 | 308) {
            break response;
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| (format!("HTTP {status} without a Location to go to"), false))?;
        let next = current.join(location).map_err(|e| {
            (
                format!("HTTP {status} to `{location}`, which is not a URL: {e}"),
                false,
            )
        })?;
        if next.origin() != first.origin() {
            return Err((
                format!("redirected to {next}, on another host than {current}: not followed"),
                false,
            ));
        }
        redirects += 1;
        if redirects > MAX_REDIRECTS {
            return Err((
                format!("more than {MAX_REDIRECTS} redirects (the last to {next})"),
                false,
            ));
        }
        current = next;
    };
    let status = response.status();
    if !status.is_success() {
        return Err((
            format!("HTTP {}", status.as_u16()),
            status.is_server_error() || status.as_u16() == 429,
        ));
    }
    if let Some(size) = response.content_length().filter(|&n| n > MAX_PAGE_BYTES) {
        return Err((too_large(&format!("{size} bytes")), false));
    }
    let html = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("html"));
    if html {
        return Err(("not Markdown: the answer is an HTML page".to_owned(), false));
    }
    let prefix = format!(".{operation}.md.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".partial");
    // A saved page is an ordinary file (0644), not the private 0600 of a temporary one.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut staging = builder.tempfile_in(dir).map_err(|e| {
        (
            format!("{}: cannot create a temporary file: {e}", dir.display()),
            false,
        )
    })?;
    let mut sink = PageSink::new(staging.as_file_mut());
    let mut received: u64 = 0;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return Err(("no whole answer within the timeout".to_owned(), true))
            }
            Err(e) => return Err((format!("the answer broke off: {e}"), true)),
        };
        received += chunk.len() as u64;
        if received > MAX_PAGE_BYTES {
            return Err((
                too_large(&format!("more than {MAX_PAGE_BYTES} bytes")),
                false,
            ));
        }
        sink.push(&chunk)?;
    }
    let bytes = sink.finish()?;
    Ok(Downloaded {
        staging,
        // The address as asked for, unless a redirect led elsewhere.
        url: if redirects == 0 {
            url.to_owned()
        } else {
            current.to_string()
        },
        bytes,
    })
}

fn too_large(size: &str) -> String {
    format!("the page is {size}, and a page may have at most {MAX_PAGE_BYTES} bytes")
}

/// The UTF-8 byte-order mark, which a page may start with; it is not written.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many bytes are held before the answer is judged to be an HTML page or not.
const SNIFF_BYTES: usize = 1024;

/// Checks a page's bytes as they arrive, and writes them: a leading byte-order mark is dropped, and an answer
/// that is an HTML page, empty, or not UTF-8 is refused as "not Markdown".
struct PageSink<W> {
    out: W,
    /// The first bytes, held until there are enough to tell an HTML page.
    head: Option<Vec<u8>>,
    /// An incomplete UTF-8 sequence at the end of the bytes so far.
    carry: Vec<u8>,
    /// Whether every character so far is whitespace.
    blank: bool,
    written: u64,
}

impl<W: std::io::Write> PageSink<W> {
    fn new(out: W) -> Self {
        PageSink {
            out,
            head: Some(Vec::new()),
            carry: Vec::new(),
            blank: true,
            written: 0,
        }
    }

    fn push(&mut self, chunk: &[u8]) -> Result<(), Failure> {
        match &mut self.head {
            Some(head) => {
                head.extend_from_slice(chunk);
                if head.len() >= SNIFF_BYTES {
                    self.sniff()?;
                }
                Ok(())
            }
            None => self.write(chunk),
        }
    }

    /// Judges the held bytes and writes them.
    fn sniff(&mut self) -> Result<(), Failure> {
        let head = self.head.take().unwrap_or_default();
        let body = head.strip_prefix(BOM).unwrap_or(&head);
        let start = body.trim_ascii_start();
        let start = start[..start.len().min(16)].to_ascii_lowercase();
        if ["<!doctype", "<html", "<head", "<body"]
            .iter()
            .any(|tag| start.starts_with(tag.as_bytes()))
        {
            return not_markdown("the answer is an HTML page");
        }
        self.write(body)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let mut text = std::mem::take(&mut self.carry);
        text.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&text) {
            Ok(valid) => valid,
            // The chunk ends inside a character: the rest of it comes with the next chunk.
            Err(e) if e.error_len().is_none() => {
                self.carry = text[e.valid_up_to()..].to_vec();
                std::str::from_utf8(&text[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => return not_markdown("the answer is not UTF-8 text"),
        };
        self.blank = self.blank && valid.chars().all(char::is_whitespace);
        self.out
            .write_all(bytes)
            .map_err(|e| (format!("cannot write the page: {e}"), false))?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// The number of bytes written, once the whole answer is known to be Markdown text.
    fn finish(mut self) -> Result<u64, Failure> {
        if self.head.is_some() {
            self.sniff()?;
        }
        if !self.carry.is_empty() {
            return not_markdown("the answer is not UTF-8 text");
        }
        if self.blank {
            return not_markdown("the answer is empty");
        }
        self.out
            .flush()
            .map_err(|e| (format!("cannot write the page: {e}"), false))?;
        Ok(self.written)
    }
}

fn not_markdown<T>(why: &str) -> Result<T, Failure> {
    Err((format!("not Markdown: {why}"), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_markdown_address_of_a_page() {
        let source = "https://open.feishu.cn/document/server-docs/hire-v1/job/get";
        assert_eq!(
            page_url(source, None).as_deref(),
            Ok("https://open.feishu.cn/document/server-docs/hire-v1/job/get.md")
        );
        assert_eq!(
            page_url(source, Some("http://127.0.0.1:8080")).as_deref(),
            Ok("http://127.0.0.1:8080/document/server-docs/hire-v1/job/get.md")
        );
        assert!(page_url(source, Some("ftp://h")).is_err());
        assert!(page_url("not a url", None).is_err());
    }

    #[test]
    fn pages_stay_out_of_the_tracked_tree() {
        let root = Path::new("/repo");
        let check = |out: &str| check_out_dir(Path::new(out), Path::new(out), root);
        assert!(check("/repo/target/doc-pages").is_ok());
        assert!(check("/tmp/pages").is_ok());
        assert!(check("/repo/spec").is_err());
        assert!(check("/repo").is_err());
    }

    #[test]
    fn a_folder_resolves_through_its_symlinks_and_dots() {
        let dir = tempfile::tempdir().expect("a temp folder");
        let base = std::fs::canonicalize(dir.path()).expect("resolved");
        std::fs::create_dir(base.join("real")).expect("created");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("real"), base.join("link")).expect("linked");
            assert_eq!(
                resolve(&base.join("link/new/pages")),
                Ok(base.join("real/new/pages"))
            );
            std::os::unix::fs::symlink(base.join("nowhere"), base.join("dangling"))
                .expect("linked");
            assert!(resolve(&base.join("dangling/pages")).is_err());
        }
        assert_eq!(
            resolve(&base.join("real/new/../../other")),
            Ok(base.join("other"))
        );
        assert_eq!(resolve(&base.join("real/./x")), Ok(base.join("real/x")));
    }

    /// Feeds `chunks` to a sink; what it wrote, or why it refused.
    fn sink(chunks: &[&[u8]]) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut sink = PageSink::new(&mut out);
        for chunk in chunks {
            sink.push(chunk).map_err(|(e, _)| e)?;
        }
        let written = sink.finish().map_err(|(e, _)| e)?;
        assert_eq!(written, out.len() as u64);
        Ok(out)
    }

    #[test]
    fn the_sink_drops_a_bom_and_refuses_html_empty_and_non_utf8() {
        assert_eq!(sink(&[b"\xEF\xBB\xBF# Page\n"]), Ok(b"# Page\n".to_vec()));
        assert_eq!(sink(&[b"\xEF\xBB", b"\xBF# P"]), Ok(b"# P".to_vec()));
        let html = "not Markdown: the answer is an HTML page";
        assert_eq!(
            sink(&[b"\xEF\xBB\xBF \n<!DOCTYPE html><p>"]),
            Err(html.to_owned())
        );
        assert_eq!(sink(&[b"\n  <HTML>"]), Err(html.to_owned()));
        assert_eq!(
            sink(&[b" \n\t"]),
            Err("not Markdown: the answer is empty".to_owned())
        );
        assert_eq!(
            sink(&[b"\xEF\xBB\xBF"]),
            Err("not Markdown: the answer is empty".to_owned())
        );
        let not_utf8 = "not Markdown: the answer is not UTF-8 text".to_owned();
        assert_eq!(sink(&[b"# \xff"]), Err(not_utf8.clone()));
        assert_eq!(sink(&[b"# \xE6\x8B"]), Err(not_utf8));
        // A character split between chunks, after the sniffed head.
        let long = "# 职位\n".repeat(200);
        let bytes = long.as_bytes();
        for cut in [SNIFF_BYTES + 1, SNIFF_BYTES + 2, 1030, 1100] {
            let (a, b) = bytes.split_at(cut);
            let (a1, a2) = a.split_at(SNIFF_BYTES);
            assert_eq!(sink(&[a1, a2, b]), Ok(bytes.to_vec()), "cut at {cut}");
        }
    }
}
