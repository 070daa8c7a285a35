//! `cargo xtask docs fetch`: download the Markdown of the doc pages the lock file records (Feishu serves each
//! page at its address with `.md` appended), into a folder outside the tracked tree.

use docpages::record::Record;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where fetched pages go by default, below the project root: inside `target/`, never in the tracked tree.
pub const DEFAULT_PAGES_DIR: &str = "target/doc-pages";

/// How many times a page is asked for at most, when the answer is a failure that may pass.
const ATTEMPTS: u32 = 3;

/// What `docs fetch` was asked to do.
pub struct FetchArgs {
    /// The spec whose lock file names the pages.
    pub spec: PathBuf,
    /// The folder to write.
    pub out: PathBuf,
    /// Replaces the scheme and host of each recorded address (a local mirror, a test server).
    pub base_url: Option<String>,
    /// The operations to fetch; all recorded ones when empty.
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
    check_out_dir(&args.out, root)?;
    let record_path = Record::path_for(&args.spec);
    let record = Record::load(&record_path)?;
    for wanted in &args.operations {
        if !record.operations.contains_key(wanted) {
            let known: Vec<&str> = record.operations.keys().map(String::as_str).collect();
            return Err(format!(
                "{}: no page is recorded for operation `{wanted}` (recorded: {})",
                record_path.display(),
                known.join(", ")
            ));
        }
    }
    let chosen: Vec<(&String, &str)> = record
        .operations
        .iter()
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
    let http = reqwest::Client::builder()
        .timeout(args.timeout)
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
        let file = args.out.join(format!("{operation}.md"));
        match runtime.block_on(get_page(&http, &url)) {
            Ok(text) => match write_page(&file, &text) {
                Ok(()) => {
                    eprintln!(
                        "fetched {operation}: {url} -> {} ({} bytes)",
                        file.display(),
                        text.len()
                    );
                    fetched.push(Fetched {
                        operation: operation.clone(),
                        file,
                    });
                }
                Err(e) => failed.push(format!("{operation}: {e}")),
            },
            Err(e) => {
                eprintln!("failed {operation}: {url}: {e}");
                failed.push(format!("{operation}: {url}: {e}"));
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

/// Refuses a folder inside the project that is not below `target/`: the pages' prose stays out of the
/// repository.
fn check_out_dir(out: &Path, root: &Path) -> Result<(), String> {
    let absolute = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        }
    };
    let out = normalize(&absolute(out));
    let root = normalize(&absolute(root));
    if out.starts_with(&root) && !out.starts_with(root.join("target")) {
        return Err(format!(
            "{}: pages are not written inside the repository, whose files are its own words; use a folder \
             below target/ (the default, {DEFAULT_PAGES_DIR}) or outside the checkout",
            out.display()
        ));
    }
    Ok(())
}

/// `path` with `.` and `..` resolved by name (the folder may not exist yet).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
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

/// GETs one page, retrying a failure that may pass; the page's text, or why it is not a page.
async fn get_page(http: &reqwest::Client, url: &str) -> Result<String, String> {
    let mut attempt = 1;
    loop {
        let outcome = match http.get(url).send().await {
            Ok(response) => {
                let status = response.status();
                let html = response
                    .headers()
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|t| t.contains("html"));
                match response.bytes().await {
                    Ok(body) if status.is_success() => markdown(&body, html),
                    Ok(_) => Err((
                        format!("HTTP {}", status.as_u16()),
                        status.is_server_error() || status.as_u16() == 429,
                    )),
                    Err(e) => Err((format!("the answer broke off: {e}"), true)),
                }
            }
            Err(e) if e.is_timeout() => Err(("no answer within the timeout".to_owned(), true)),
            Err(e) => Err((format!("cannot connect: {e}"), true)),
        };
        match outcome {
            Ok(text) => return Ok(text),
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

/// The body as Markdown text, or why it is not: an HTML page (a login or error page), or not UTF-8 text.
fn markdown(body: &[u8], html: bool) -> Result<String, (String, bool)> {
    let not_markdown = |why: &str| Err((format!("not Markdown: {why}"), false));
    let Ok(text) = std::str::from_utf8(body) else {
        return not_markdown("the answer is not UTF-8 text");
    };
    let start = text
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    if html || start.starts_with("<!doctype") || start.starts_with("<html") {
        return not_markdown("the answer is an HTML page");
    }
    if text.trim().is_empty() {
        return not_markdown("the answer is empty");
    }
    Ok(text.to_owned())
}

/// Writes a page whole or not at all.
fn write_page(file: &Path, text: &str) -> Result<(), String> {
    let staging = file.with_extension("md.tmp");
    std::fs::write(&staging, text)
        .and_then(|()| std::fs::rename(&staging, file))
        .map_err(|e| format!("{}: cannot write: {e}", file.display()))
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
        assert!(check_out_dir(Path::new("/repo/target/doc-pages"), root).is_ok());
        assert!(check_out_dir(Path::new("/tmp/pages"), root).is_ok());
        assert!(check_out_dir(Path::new("/repo/spec"), root).is_err());
        assert!(check_out_dir(Path::new("/repo/target/../spec"), root).is_err());
    }
}
