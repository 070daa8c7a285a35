//! `cargo xtask gen [--check] [--spec FILE] [--out DIR]`: regenerate `generated-client` from the spec, or check
//! that it is up to date.

use std::path::PathBuf;
use std::process::ExitCode;
use xtask::{
    changes, display_path, project_root, recover, replace_folder, OutputError, DEFAULT_OUT,
    DEFAULT_SPEC,
};

const USAGE: &str = "usage: cargo xtask gen [--check] [--spec FILE] [--out DIR]
       cargo xtask check-fixtures
       cargo xtask docs audit [--spec FILE] [--record] [--json] PAGE...
       cargo xtask docs draft [--spec FILE] PAGE
       cargo xtask docs add [--spec FILE] PAGE...
       cargo xtask docs fetch [--spec FILE] [--out DIR] [--base-url URL] [OPERATION|EVENT...]
       cargo xtask docs check [--spec FILE] [--out DIR] [--base-url URL]

  gen              regenerate the emitted code of generated-client from the spec
    --check        change nothing; fail and list the stale files if the output is not what the spec generates
    --spec FILE    the spec to read (default: spec/hire_v1.yaml)
    --out DIR      the folder to write (default: generated-client/src/generated); it may hold only
                   files that `cargo xtask gen` wrote, and the run refuses and changes nothing otherwise
  check-fixtures   compile the code generated for every codegen test fixture inside generated-client
  A PAGE is an API reference page or an event page (`事件类型`); an event is kept in the spec's `x-events`.
  docs audit       compare Feishu doc pages with their operations and events in the spec, one line per difference;
                   exit 0 when they agree, 1 on a difference, 2 when a page or the spec cannot be read
    --spec FILE    the spec to audit (default: spec/hire_v1.yaml)
    --record       when they agree, record the pages as the versions the spec was audited against
                   (in hire_v1.pages.json beside the spec)
    --json         print the differences as JSON
  docs draft       print a draft for a page the spec does not cover yet: a whole OpenAPI document, or
                   with --spec, a fragment to merge into the spec
    --spec FILE    draft beside this spec: reuse its schemas where the page's are the same, and name new
                   ones so that they do not collide with its own
  docs add         draft each page beside the spec and write the draft into the spec in place: the
                   operation into its path item (or a new one beside its resource's), its new schemas at
                   the end of components.schemas, the page into the lock file; an event into x-events
                   (made before paths if the spec has none); comments and layout are kept; refuses a
                   page whose operation or event the spec has (docs audit compares those), and
                   writes nothing unless every page is added
    --spec FILE    the spec to add to (default: spec/hire_v1.yaml)
  docs fetch       download the Markdown of each page the lock file (spec/hire_v1.pages.json) records, at its
                   address with `.md` appended; exit 2 naming each page that fails
    --out DIR      where to write <operation>.md and <event type>.md (default: target/doc-pages; never inside
                   the tracked tree)
    --base-url URL replace the scheme and host of each address (a mirror, or a local test server)
    --spec FILE    the spec whose lock file names the pages, and which `docs check` audits
  docs check       docs fetch, then docs audit of the fetched pages, with the audit's exit codes: the job a
                   scheduled CI run does to notice that the docs changed";

enum Task {
    Gen(Args),
    CheckFixtures,
    Audit(xtask::docs::AuditArgs),
    Draft {
        page: PathBuf,
        spec: Option<PathBuf>,
    },
    Add {
        spec: PathBuf,
        pages: Vec<PathBuf>,
    },
    Fetch(xtask::fetch::FetchArgs),
    Check(xtask::fetch::FetchArgs),
}

struct Args {
    check: bool,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Task, String> {
    match args.next().as_deref() {
        Some("gen") => {}
        Some("check-fixtures") => {
            return match args.next() {
                None => Ok(Task::CheckFixtures),
                Some(other) => Err(format!("unknown argument `{other}`")),
            }
        }
        Some("docs") => return parse_docs(args),
        Some("-h" | "--help") | None => return Err(String::new()),
        Some(other) => return Err(format!("unknown task `{other}`")),
    }
    let mut parsed = Args {
        check: false,
        spec: None,
        out: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => parsed.check = true,
            "--spec" => parsed.spec = Some(args.next().ok_or("--spec needs a file")?.into()),
            "--out" => parsed.out = Some(args.next().ok_or("--out needs a folder")?.into()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Task::Gen(parsed))
}

fn parse_docs(mut args: impl Iterator<Item = String>) -> Result<Task, String> {
    match args.next().as_deref() {
        Some("audit") => {
            let mut parsed = xtask::docs::AuditArgs {
                spec: project_root().join(DEFAULT_SPEC),
                record: false,
                json: false,
                pages: Vec::new(),
            };
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--spec" => parsed.spec = args.next().ok_or("--spec needs a file")?.into(),
                    "--record" => parsed.record = true,
                    "--json" => parsed.json = true,
                    "-h" | "--help" => return Err(String::new()),
                    flag if flag.starts_with("--") => {
                        return Err(format!("unknown argument `{flag}`"))
                    }
                    page => parsed.pages.push(page.into()),
                }
            }
            if parsed.pages.is_empty() {
                return Err("docs audit needs at least one page file".to_owned());
            }
            Ok(Task::Audit(parsed))
        }
        Some("draft") => {
            let mut spec = None;
            let mut pages = Vec::new();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--spec" => spec = Some(args.next().ok_or("--spec needs a file")?.into()),
                    "-h" | "--help" => return Err(String::new()),
                    flag if flag.starts_with("--") => {
                        return Err(format!("unknown argument `{flag}`"))
                    }
                    page => pages.push(PathBuf::from(page)),
                }
            }
            match <[PathBuf; 1]>::try_from(pages) {
                Ok([page]) => Ok(Task::Draft { page, spec }),
                Err(_) => Err("docs draft takes one page file".to_owned()),
            }
        }
        Some("add") => {
            let mut spec = project_root().join(DEFAULT_SPEC);
            let mut pages = Vec::new();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--spec" => spec = args.next().ok_or("--spec needs a file")?.into(),
                    "-h" | "--help" => return Err(String::new()),
                    flag if flag.starts_with("--") => {
                        return Err(format!("unknown argument `{flag}`"))
                    }
                    page => pages.push(PathBuf::from(page)),
                }
            }
            if pages.is_empty() {
                return Err("docs add needs at least one page file".to_owned());
            }
            Ok(Task::Add { spec, pages })
        }
        Some(task @ ("fetch" | "check")) => {
            let mut parsed = xtask::fetch::FetchArgs {
                spec: project_root().join(DEFAULT_SPEC),
                out: project_root().join(xtask::fetch::DEFAULT_PAGES_DIR),
                base_url: None,
                operations: Vec::new(),
                timeout: std::time::Duration::from_secs(30),
            };
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--out" => parsed.out = args.next().ok_or("--out needs a folder")?.into(),
                    "--base-url" => {
                        parsed.base_url = Some(args.next().ok_or("--base-url needs a URL")?)
                    }
                    "--spec" => parsed.spec = args.next().ok_or("--spec needs a file")?.into(),
                    "-h" | "--help" => return Err(String::new()),
                    flag if flag.starts_with("--") => {
                        return Err(format!("unknown argument `{flag}`"))
                    }
                    operation if task == "fetch" => parsed.operations.push(operation.to_owned()),
                    other => {
                        return Err(format!(
                        "docs check takes no operation (`{other}`): it checks every recorded page"
                    ))
                    }
                }
            }
            Ok(if task == "fetch" {
                Task::Fetch(parsed)
            } else {
                Task::Check(parsed)
            })
        }
        Some(other) => Err(format!(
            "unknown docs task `{other}` (audit, draft, add, fetch or check)"
        )),
        None => Err("docs needs a task: audit, draft, add, fetch or check".to_owned()),
    }
}

fn main() -> ExitCode {
    let task = match parse_args(std::env::args().skip(1)) {
        Ok(task) => task,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("error: {problem}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match task {
        Task::Audit(args) => return xtask::docs::run_audit(&args),
        Task::Draft { page, spec } => return xtask::docs::run_draft(&page, spec.as_deref()),
        Task::Add { spec, pages } => return xtask::docs::run_add(&spec, &pages),
        Task::Fetch(args) => return xtask::docs::run_fetch(&args),
        Task::Check(args) => return xtask::docs::run_check(&args),
        Task::Gen(args) => gen(&args),
        Task::CheckFixtures => xtask::check_fixtures(&project_root()).map(|names| {
            println!(
                "the generated code of {} fixtures compiles: {}",
                names.len(),
                names.join(", ")
            );
            ExitCode::SUCCESS
        }),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn gen(args: &Args) -> Result<ExitCode, String> {
    let root = project_root();
    let spec = args.spec.clone().unwrap_or_else(|| root.join(DEFAULT_SPEC));
    let out = args.out.clone().unwrap_or_else(|| root.join(DEFAULT_OUT));
    let spec_name = display_path(&root, &spec);
    let out_name = display_path(&root, &out);

    let files = codegen::generate_file(&spec_name, &spec).map_err(|e| e.to_string())?;
    if !args.check {
        let recovery = recover(&out).map_err(|e| e.to_string())?;
        if recovery.restored {
            println!("restored {out_name} as it was before an interrupted run");
        }
        for leftover in &recovery.removed {
            println!("removed {}, left by an interrupted run", leftover.display());
        }
    }
    let changes = changes(&files, &out).map_err(|e| e.to_string())?;

    if changes.is_empty() {
        println!("{out_name} is up to date with {spec_name}");
        return Ok(ExitCode::SUCCESS);
    }
    if args.check {
        eprintln!("{out_name} is stale; it differs from what {spec_name} generates:");
        for change in &changes {
            eprintln!("  {out_name}/{} ({})", change.path(), change.verb());
        }
        eprintln!("run `cargo xtask gen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    replace_folder(&files, &out).map_err(|e| match e {
        OutputError::Foreign { .. } | OutputError::NotAFolder { .. } => e.to_string(),
        OutputError::Io { .. } => format!("cannot write {out_name} (it is unchanged): {e}"),
    })?;
    for change in &changes {
        println!("{} {out_name}/{}", change.verb(), change.path());
    }
    Ok(ExitCode::SUCCESS)
}
