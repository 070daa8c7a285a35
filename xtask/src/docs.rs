//! `cargo xtask docs audit`, `draft`, `add`, `fetch` and `check`: the command-line side of the `docpages` crate.

use docpages::audit::{audit, audit_event, Finding, Status};
use docpages::page::{read_doc, Doc};
use docpages::record::Record;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `docs audit` was asked to do.
pub struct AuditArgs {
    /// The spec to audit (default `spec/hire_v1.yaml`).
    pub spec: PathBuf,
    /// Record the pages as the versions the spec was audited against.
    pub record: bool,
    /// Print JSON instead of lines.
    pub json: bool,
    /// The page files.
    pub pages: Vec<PathBuf>,
}

/// Exit code 2: a page or the spec cannot be read.
const UNREADABLE: u8 = 2;

/// Reads each page: an API reference page, or an event page.
fn read_pages(paths: &[PathBuf]) -> Result<Vec<Doc>, String> {
    paths
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let bytes =
                std::fs::read(path).map_err(|e| format!("{name}:1: cannot read the page: {e}"))?;
            read_doc(&name, &bytes).map_err(|e| e.to_string())
        })
        .collect()
}

/// Reads the spec as `gen` does, but with a draft's labels accepted: a draft, or a spec with one merged in, is
/// audited before its texts are rewritten.
fn read_spec(path: &Path) -> Result<codegen::model::Api, String> {
    codegen::read_file(
        &path.display().to_string(),
        path,
        codegen::DraftLabels::Accepted,
    )
    .map(|spec| spec.api)
    .map_err(|e| e.to_string())
}

/// Runs `docs audit`: 0 when the pages and the spec agree (accepted deviations and warnings aside), 1 on a
/// difference, 2 when a page or the spec cannot be read.
pub fn run_audit(args: &AuditArgs) -> ExitCode {
    if args.pages.is_empty() {
        eprintln!("error: name at least one page file");
        return ExitCode::from(UNREADABLE);
    }
    let loaded = read_spec(&args.spec).and_then(|spec| {
        let record_path = Record::path_for(&args.spec);
        let record = Record::load(&record_path)?;
        Ok((spec, record, record_path))
    });
    let (spec, mut record, record_path) = match loaded {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(UNREADABLE);
        }
    };
    let pages = match read_pages(&args.pages) {
        Ok(pages) => pages,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(UNREADABLE);
        }
    };
    let mut findings: Vec<Finding> = Vec::new();
    for page in &pages {
        let mut found = match page {
            Doc::Operation(page) => audit(page, &spec, &record),
            Doc::Event(page) => audit_event(page, &spec, &record),
        };
        if args.record {
            // The version check is what --record settles; everything else must be clean first.
            found.retain(|f| {
                !(f.path == "page" && f.status == Status::Difference) && f.status != Status::Warning
            });
        }
        findings.extend(found);
    }
    let failed = findings.iter().any(|f| f.status == Status::Difference);
    if args.json {
        match serde_json::to_string_pretty(&findings) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(UNREADABLE);
            }
        }
    } else {
        for finding in &findings {
            println!("{finding}");
        }
    }
    if failed {
        if args.record {
            eprintln!("not recorded: fix the differences above, or record them in x-doc-deviations, first");
        }
        return ExitCode::from(1);
    }
    if args.record {
        for page in &pages {
            let page = match page {
                Doc::Operation(page) => page,
                Doc::Event(page) => {
                    if let Err(problem) = docpages::record::check_event_key(&page.event_type.value)
                    {
                        eprintln!("error: {}: {problem}; nothing was recorded", page.file);
                        return ExitCode::from(UNREADABLE);
                    }
                    record.set_event(page);
                    continue;
                }
            };
            if let Some(op) =
                docpages::audit::operation(&spec, &page.method.value, &page.path.value)
            {
                // The record names each page's file after this key: it must be an identifier.
                if let Err(problem) = docpages::record::check_operation_key(&op.id) {
                    eprintln!(
                        "error: {}: {problem}; nothing was recorded",
                        args.spec.display()
                    );
                    return ExitCode::from(UNREADABLE);
                }
                record.set(&op.id, page);
            }
        }
        if let Err(message) = record.save(&record_path) {
            eprintln!("error: {message}");
            return ExitCode::from(UNREADABLE);
        }
        eprintln!(
            "recorded {} page(s) in {}",
            pages.len(),
            record_path.display()
        );
    } else if !args.json {
        let accepted = findings
            .iter()
            .filter(|f| f.status == Status::Accepted)
            .count();
        eprintln!(
            "{} page(s) agree with {} ({accepted} accepted deviation(s))",
            pages.len(),
            crate::display_path(&crate::project_root(), &args.spec)
        );
    }
    ExitCode::SUCCESS
}

/// Runs `docs fetch`: 0 when every page was fetched, 2 otherwise (each failure named).
pub fn run_fetch(args: &crate::fetch::FetchArgs) -> ExitCode {
    match crate::fetch::fetch(args, &crate::project_root()) {
        Ok(fetched) => {
            eprintln!("{} page(s) in {}", fetched.len(), args.out.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(UNREADABLE)
        }
    }
}

/// Runs `docs check`: fetches the recorded pages, then audits them, with the audit's exit codes (2 also when a
/// page cannot be fetched). The job a scheduled CI run does to notice that the docs changed.
pub fn run_check(args: &crate::fetch::FetchArgs) -> ExitCode {
    let fetched = match crate::fetch::fetch(args, &crate::project_root()) {
        Ok(fetched) => fetched,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(UNREADABLE);
        }
    };
    run_audit(&AuditArgs {
        spec: args.spec.clone(),
        record: false,
        json: false,
        pages: fetched.into_iter().map(|f| f.file).collect(),
    })
}

/// Runs `docs draft`: prints a spec fragment for the page, beside `spec` when given; 2 when the page or the
/// spec cannot be read.
pub fn run_draft(path: &Path, spec: Option<&Path>) -> ExitCode {
    let page = match read_pages(&[path.to_path_buf()]) {
        Ok(mut pages) => pages.remove(0),
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(UNREADABLE);
        }
    };
    let fragment = match spec {
        None => docpages::draft::draft_doc(&page, None),
        Some(spec) => {
            let name = spec.display().to_string();
            std::fs::read_to_string(spec)
                .map_err(|e| format!("{name}:1: cannot read the spec: {e}"))
                .and_then(|text| docpages::draft::draft_doc(&page, Some((&name, &text))))
        }
    };
    match fragment {
        Ok(fragment) => {
            print!("{fragment}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(UNREADABLE)
        }
    }
}

/// Runs `docs add`: drafts each page beside the spec (each later page beside the earlier ones) and writes the
/// drafts into the spec's text, then records the pages in the lock file. 0 when every page is added; 2, with
/// nothing written, when a page or the spec cannot be read, or a page's operation is already in the spec.
pub fn run_add(spec_path: &Path, pages: &[PathBuf]) -> ExitCode {
    match add(spec_path, pages) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(UNREADABLE)
        }
    }
}

fn add(spec_path: &Path, page_paths: &[PathBuf]) -> Result<(), String> {
    let spec_name = crate::display_path(&crate::project_root(), spec_path);
    let mut text = std::fs::read_to_string(spec_path)
        .map_err(|e| format!("{spec_name}:1: cannot read the spec: {e}"))?;
    let record_path = Record::path_for(spec_path);
    let mut record = Record::load(&record_path)?;
    let pages = read_pages(page_paths)?;
    let mut reports = Vec::new();
    for page in &pages {
        match page {
            Doc::Operation(page) => {
                let added = docpages::add::add(&spec_name, &text, page)?;
                docpages::record::check_operation_key(&added.draft.operation_id)
                    .map_err(|problem| format!("{}: {problem}; nothing was written", page.file))?;
                record.set(&added.draft.operation_id, page);
                text = added.text;
                let draft = added.draft;
                reports.push(Report {
                    what: format!(
                        "`{}` ({} {})",
                        draft.operation_id,
                        draft.method.to_uppercase(),
                        draft.path
                    ),
                    file: draft.file,
                    schemas: draft.schemas.len(),
                    marked: added.marked,
                    remarks: draft.remarks,
                });
            }
            Doc::Event(page) => {
                let added = docpages::add::add_event(&spec_name, &text, page)?;
                docpages::record::check_event_key(&added.draft.event_type)
                    .map_err(|problem| format!("{}: {problem}; nothing was written", page.file))?;
                record.set_event(page);
                text = added.text;
                let draft = added.draft;
                reports.push(Report {
                    what: format!("the event `{}`", draft.event_type),
                    file: draft.file,
                    schemas: draft.schemas.len(),
                    marked: added.marked,
                    remarks: draft.remarks,
                });
            }
        }
    }
    // The spec first, whole or not at all (a sibling file renamed over it), then the lock file.
    let staging = spec_path.with_extension("yaml.tmp");
    std::fs::write(&staging, &text)
        .and_then(|()| std::fs::rename(&staging, spec_path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&staging);
            format!("{spec_name}: cannot write (it is unchanged): {e}")
        })?;
    record.save(&record_path)?;
    for report in &reports {
        eprintln!(
            "added {} from {}: {} new schema(s), {} text(s) marked `{}` to rewrite",
            report.what,
            report.file,
            report.schemas,
            report.marked,
            codegen::load::DRAFT_MARK,
        );
        for remark in &report.remarks {
            eprintln!("  {remark}.");
        }
    }
    eprintln!(
        "next: rewrite the marked texts and the numbered variant names (`cargo xtask gen` lists each with its \
         line), review the derived names, then `cargo xtask docs audit` the page(s)"
    );
    Ok(())
}

/// What `docs add` says of one page it added.
struct Report {
    /// The operation (id, method and path) or the event.
    what: String,
    file: String,
    schemas: usize,
    marked: usize,
    remarks: Vec<String>,
}
