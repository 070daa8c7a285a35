//! The work behind `cargo xtask gen`: compare generated files with the output folder ([`changes`]) and replace
//! it ([`output`]); compile the code of every test fixture ([`check_fixtures`]). The `docs` tasks: the audit and
//! the draft ([`docs`]), fetching the recorded pages ([`fetch`]). `main.rs` only parses arguments.

pub mod docs;
pub mod fetch;
pub mod output;

pub use output::{read_generated, recover, replace_folder, OutputError, Recovery};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The project root (the folder of the workspace `Cargo.toml`).
pub fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The spec the project generates from.
pub const DEFAULT_SPEC: &str = "spec/hire_v1.yaml";
/// Where the generated part of the client lives.
pub const DEFAULT_OUT: &str = "generated-client/src/generated";

/// How one file of the output folder differs from what the spec generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The spec produces it; the folder lacks it.
    Created(String),
    /// Both have it, with different contents.
    Updated(String),
    /// The folder has it; the spec no longer produces it.
    Removed(String),
}

impl Change {
    /// The file, relative to the output folder.
    pub fn path(&self) -> &str {
        match self {
            Change::Created(path) | Change::Updated(path) | Change::Removed(path) => path,
        }
    }

    /// What happened to it: `created`, `updated` or `removed`.
    pub fn verb(&self) -> &'static str {
        match self {
            Change::Created(_) => "created",
            Change::Updated(_) => "updated",
            Change::Removed(_) => "removed",
        }
    }
}

/// The differences between `files` and the folder `out`, in path order. A missing folder counts as empty; a
/// folder holding anything the generator did not write is an error that names those entries.
pub fn changes(files: &BTreeMap<String, String>, out: &Path) -> Result<Vec<Change>, OutputError> {
    let existing = read_generated(out)?;
    let mut changes = Vec::new();
    for (path, contents) in files {
        match existing.get(path) {
            None => changes.push(Change::Created(path.clone())),
            Some(old) if old != contents.as_bytes() => changes.push(Change::Updated(path.clone())),
            Some(_) => {}
        }
    }
    for path in existing.keys() {
        if !files.contains_key(path) {
            changes.push(Change::Removed(path.clone()));
        }
    }
    Ok(changes)
}

/// The name of `path` relative to `root` with `/` separators, or `path` as given when it is elsewhere.
pub fn display_path(root: &Path, path: &Path) -> String {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let canonical = absolute.canonicalize().unwrap_or(absolute);
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    match canonical.strip_prefix(&root) {
        Ok(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.display().to_string(),
    }
}

/// Where the fixture specs of the codegen snapshot tests live.
pub const FIXTURES: &str = "codegen/tests/fixtures";

/// Generates every fixture spec into `target/fixture-check/<name>/` and compiles the results inside
/// `generated-client` (with `--cfg fixture_check`, warnings denied), so golden output is known to build against
/// the real runtime, not only to look right.
pub fn check_fixtures(root: &Path) -> Result<Vec<String>, String> {
    let fixtures = root.join(FIXTURES);
    let out = root.join("target").join("fixture-check");
    let mut names = Vec::new();
    let entries = fs::read_dir(&fixtures).map_err(|e| format!("cannot read {FIXTURES}: {e}"))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("yaml") {
            names.push(
                path.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    names.sort();
    let mut modules = String::from("// Written by `cargo xtask check-fixtures`.\n");
    for name in &names {
        let spec_name = format!("{FIXTURES}/{name}.yaml");
        let files = codegen::generate_file(&spec_name, &root.join(&spec_name))
            .map_err(|e| e.to_string())?;
        let dir = out.join(name);
        replace_folder(&files, &dir).map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
        modules.push_str(&format!(
            "#[allow(missing_docs)]\n#[rustfmt::skip]\n#[path = {:?}]\npub mod fixture_{name};\n",
            dir.join("mod.rs").display().to_string()
        ));
    }
    let modules_file = out.join("modules.rs");
    fs::write(&modules_file, modules)
        .map_err(|e| format!("cannot write {}: {e}", modules_file.display()))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = std::process::Command::new(cargo);
    // What `cargo run` set for this process (the package's name, folder, ...) must not reach the inner cargo:
    // build scripts that watch such variables (ring's do) would run again, and so would the next build.
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_PACKAGE",
        ]
        .iter()
        .any(|prefix| key.starts_with(prefix))
        {
            command.env_remove(key);
        }
    }
    let status = command
        .current_dir(root)
        .env("FIXTURE_CHECK_MODULES", &modules_file)
        .args([
            "rustc",
            "--quiet",
            "-p",
            "generated-client",
            "--lib",
            "--",
            "--cfg",
            "fixture_check",
            "-D",
            "warnings",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the generated code of a fixture does not compile (sources in {})",
            out.display()
        ));
    }
    Ok(names)
}
