//! The work behind `cargo xtask gen`: compare generated files with the output folder, and replace the folder
//! atomically. `main.rs` only parses arguments.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
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

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Created(path) => write!(f, "created {path}"),
            Change::Updated(path) => write!(f, "updated {path}"),
            Change::Removed(path) => write!(f, "removed {path}"),
        }
    }
}

/// The differences between `files` and the folder `out`, in path order. A missing folder counts as empty.
pub fn changes(files: &BTreeMap<String, String>, out: &Path) -> io::Result<Vec<Change>> {
    let existing = read_folder(out)?;
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

/// Every file below `dir`, by path relative to it with `/` separators.
fn read_folder(dir: &Path) -> io::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return Ok(files);
    }
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(key, fs::read(&path)?);
            }
        }
    }
    Ok(files)
}

/// Makes the folder `out` hold exactly `files`. The new contents are written to a sibling folder first and
/// swapped in by renames, so after any failure `out` is as it was.
pub fn replace_folder(files: &BTreeMap<String, String>, out: &Path) -> io::Result<()> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "generated".to_owned());
    let parent = out.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let staging = parent.join(format!(".{name}.new"));
    let backup = parent.join(format!(".{name}.old"));
    for leftover in [&staging, &backup] {
        if leftover.exists() {
            fs::remove_dir_all(leftover)?;
        }
    }
    let written = (|| {
        for (path, contents) in files {
            let target = staging.join(path);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(&target, contents)?;
        }
        fs::create_dir_all(&staging)
    })();
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_old = out.exists();
    if had_old {
        if let Err(e) = fs::rename(out, &backup) {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    }
    if let Err(e) = fs::rename(&staging, out) {
        if had_old {
            let _ = fs::rename(&backup, out);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if had_old {
        fs::remove_dir_all(&backup)?;
    }
    Ok(())
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
