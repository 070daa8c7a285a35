//! The output folder of `cargo xtask gen`: which of its files the generator wrote, and replacing it by a swap
//! that leaves the old folder or the new one whatever step a crash interrupts.
//!
//! The generator owns a file when it starts with the `@generated` header ([`codegen::render::is_generated`]).
//! A folder holding anything else (a hand-written file, a symlink, an empty subfolder) is refused as a whole,
//! before anything is written.
//!
//! The swap, for an output folder `out` in `parent/`:
//! 1. write every file into `parent/.out.new`, which holds a marker file while it is incomplete;
//! 2. on Linux, exchange `parent/.out.new` and `out` in one atomic rename (`RENAME_EXCHANGE`), then remove
//!    `parent/.out.new`, which now holds the old files;
//! 3. elsewhere, or where the file system cannot exchange, rename `out` to `parent/.out.old`, rename
//!    `parent/.out.new` to `out`, and remove `parent/.out.old`.
//!
//! On Linux `out` is the old folder or the new one at every instant. With two renames, a run interrupted
//! between them leaves no `out`, and the next run ([`recover`]) puts `.out.old` back. Either way the next run
//! removes the staging leftovers it finds, once it has checked that they hold generated files only.

use codegen::render::is_generated;
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The file that marks a staging folder as still being written.
const STAGING_MARKER: &str = ".xtask-gen-incomplete";
/// How many foreign files an error names before it counts the rest.
const NAMED_AT_MOST: usize = 20;
/// Test hook: the name of a step at which `replace_folder` aborts the process, as `kill -9` would.
pub const CRASH_AT_VAR: &str = "XTASK_GEN_CRASH_AT";
/// Test hook: when set, the swap uses two renames even where the platform can exchange two folders at once.
pub const NO_EXCHANGE_VAR: &str = "XTASK_GEN_NO_EXCHANGE";
/// The steps [`CRASH_AT_VAR`] can name, in the order the swap reaches them (`old-moved-aside` only without an
/// atomic exchange).
pub const CRASH_POINTS: [&str; 5] = [
    "staging-half-written",
    "staging-written",
    "old-moved-aside",
    "new-moved-in",
    "old-half-removed",
];

/// Why the output folder cannot be read or replaced.
#[derive(Debug)]
pub enum OutputError {
    /// A file system operation failed.
    Io {
        /// The path it failed on.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The output path exists but is a file or a symlink; the generator writes only into a real folder.
    NotAFolder {
        /// The output path.
        path: PathBuf,
        /// What it is instead.
        what: &'static str,
    },
    /// The folder holds entries the generator did not write; nothing was changed.
    Foreign {
        /// The folder.
        folder: PathBuf,
        /// The entries, relative to the folder, each with what it is.
        entries: Vec<String>,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            OutputError::NotAFolder { path, what } => write!(
                f,
                "{} is {what}, not a folder; point --out at the folder of generated files",
                path.display()
            ),
            OutputError::Foreign { folder, entries } => {
                write!(
                    f,
                    "refusing to write {}: it holds {} {} that `cargo xtask gen` did not write: ",
                    folder.display(),
                    entries.len(),
                    if entries.len() == 1 {
                        "entry"
                    } else {
                        "entries"
                    },
                )?;
                let named: Vec<&str> = entries
                    .iter()
                    .take(NAMED_AT_MOST)
                    .map(String::as_str)
                    .collect();
                f.write_str(&named.join(", "))?;
                if entries.len() > NAMED_AT_MOST {
                    write!(f, " and {} more", entries.len() - NAMED_AT_MOST)?;
                }
                f.write_str(
                    "; nothing was changed. Point --out at a folder of generated files only \
                     (the default is generated-client/src/generated), or move those entries away",
                )
            }
        }
    }
}

impl std::error::Error for OutputError {}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Every file below `dir`, by path relative to it with `/` separators, if the generator wrote them all. A
/// missing folder counts as empty. Symlinks are never followed.
pub fn read_generated(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, OutputError> {
    let tree = read_tree(dir, false)?;
    if tree.foreign.is_empty() {
        Ok(tree.files)
    } else {
        Err(OutputError::Foreign {
            folder: dir.to_path_buf(),
            entries: tree.foreign,
        })
    }
}

/// What a folder holds, split by owner.
#[derive(Default)]
struct Tree {
    /// The generator's files, by relative path.
    files: BTreeMap<String, Vec<u8>>,
    /// Everything else, relative to the folder and described.
    foreign: Vec<String>,
}

/// The files below `dir` and the entries the generator did not write. `marked` says the folder is an
/// unfinished staging folder, whose partly written files count as the generator's.
fn read_tree(dir: &Path, marked: bool) -> Result<Tree, OutputError> {
    let mut tree = Tree::default();
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(tree),
        Err(e) => return Err(io_error(dir)(e)),
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(OutputError::NotAFolder {
                path: dir.to_path_buf(),
                what: "a symlink",
            })
        }
        Ok(meta) if !meta.is_dir() => {
            return Err(OutputError::NotAFolder {
                path: dir.to_path_buf(),
                what: "a file",
            })
        }
        Ok(_) => {}
    }
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let mut empty = true;
        for entry in fs::read_dir(&current).map_err(io_error(&current))? {
            empty = false;
            let entry = entry.map_err(io_error(&current))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io_error(&path))?;
            let key = relative_key(dir, &path);
            if kind.is_symlink() {
                tree.foreign.push(format!("{key} (a symlink)"));
            } else if kind.is_dir() {
                pending.push(path);
            } else if !kind.is_file() {
                tree.foreign.push(format!("{key} (not a regular file)"));
            } else {
                let contents = fs::read(&path).map_err(io_error(&path))?;
                if marked || is_generated(&contents) {
                    tree.files.insert(key, contents);
                } else {
                    tree.foreign.push(key);
                }
            }
        }
        if empty && current != dir {
            let key = relative_key(dir, &current);
            tree.foreign.push(format!("{key}/ (an empty folder)"));
        }
    }
    tree.foreign.sort();
    Ok(tree)
}

fn relative_key(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The output folder and its two staging siblings.
struct Paths {
    out: PathBuf,
    staging: PathBuf,
    backup: PathBuf,
}

impl Paths {
    fn of(out: &Path) -> Result<Paths, OutputError> {
        let out = std::path::absolute(out).map_err(io_error(out))?;
        let (Some(name), Some(parent)) = (out.file_name(), out.parent()) else {
            return Err(OutputError::NotAFolder {
                path: out,
                what: "a path without a folder name",
            });
        };
        let name = name.to_string_lossy();
        Ok(Paths {
            staging: parent.join(format!(".{name}.new")),
            backup: parent.join(format!(".{name}.old")),
            out,
        })
    }
}

/// What [`recover`] did to the leftovers of an interrupted run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The previous output folder was put back from its backup.
    pub restored: bool,
    /// Staging or backup folders that were removed.
    pub removed: Vec<PathBuf>,
}

/// Repairs what an interrupted run left next to `out`: puts the backup back when `out` is missing, and
/// removes staging and backup folders. It refuses to touch a leftover that holds anything the generator did
/// not write.
pub fn recover(out: &Path) -> Result<Recovery, OutputError> {
    let paths = Paths::of(out)?;
    let mut recovery = Recovery::default();
    if exists(&paths.backup)? {
        check_leftover(&paths.backup)?;
        if exists(&paths.out)? {
            remove(&paths.backup)?;
            recovery.removed.push(paths.backup.clone());
        } else {
            fs::rename(&paths.backup, &paths.out).map_err(io_error(&paths.backup))?;
            recovery.restored = true;
        }
    }
    if exists(&paths.staging)? {
        check_leftover(&paths.staging)?;
        remove(&paths.staging)?;
        recovery.removed.push(paths.staging.clone());
    }
    Ok(recovery)
}

fn exists(path: &Path) -> Result<bool, OutputError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error(path)(e)),
    }
}

fn check_leftover(path: &Path) -> Result<(), OutputError> {
    let marked = fs::symlink_metadata(path.join(STAGING_MARKER)).is_ok();
    let tree = read_tree(path, marked)?;
    if tree.foreign.is_empty() {
        Ok(())
    } else {
        Err(OutputError::Foreign {
            folder: path.to_path_buf(),
            entries: tree.foreign,
        })
    }
}

fn remove(path: &Path) -> Result<(), OutputError> {
    fs::remove_dir_all(path).map_err(io_error(path))
}

/// Makes the folder `out` hold exactly `files`, which must all be generated files. Leftovers of an interrupted
/// run are repaired first; a folder holding anything the generator did not write is refused before anything
/// is written. After any error, `out` is as it was.
pub fn replace_folder(files: &BTreeMap<String, String>, out: &Path) -> Result<(), OutputError> {
    recover(out)?;
    let paths = Paths::of(out)?;
    read_generated(&paths.out)?;
    if let Some(parent) = paths.out.parent() {
        fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    if let Err(e) = write_staging(files, &paths.staging) {
        let _ = fs::remove_dir_all(&paths.staging);
        return Err(e);
    }
    crash_point("staging-written");
    if !exists(&paths.out)? {
        return fs::rename(&paths.staging, &paths.out).map_err(|e| {
            let _ = fs::remove_dir_all(&paths.staging);
            io_error(&paths.staging)(e)
        });
    }
    if exchange(&paths.staging, &paths.out) {
        crash_point("new-moved-in");
        // The staging folder now holds the old files.
        return remove_old(&paths.staging);
    }
    if let Err(e) = fs::rename(&paths.out, &paths.backup) {
        let _ = fs::remove_dir_all(&paths.staging);
        return Err(io_error(&paths.out)(e));
    }
    crash_point("old-moved-aside");
    if let Err(e) = fs::rename(&paths.staging, &paths.out) {
        let _ = fs::rename(&paths.backup, &paths.out);
        let _ = fs::remove_dir_all(&paths.staging);
        return Err(io_error(&paths.staging)(e));
    }
    crash_point("new-moved-in");
    remove_old(&paths.backup)
}

/// Swaps two folders in one atomic rename; false where the platform or file system cannot, and nothing moved.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    if std::env::var_os(NO_EXCHANGE_VAR).is_some() {
        return false;
    }
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

/// Writes the files into a fresh staging folder, marked incomplete until the last one is on disk.
fn write_staging(files: &BTreeMap<String, String>, staging: &Path) -> Result<(), OutputError> {
    fs::create_dir(staging).map_err(io_error(staging))?;
    let marker = staging.join(STAGING_MARKER);
    fs::write(&marker, b"").map_err(io_error(&marker))?;
    for (index, (path, contents)) in files.iter().enumerate() {
        if index == files.len() / 2 {
            crash_point("staging-half-written");
        }
        let target = staging.join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        write_synced(&target, contents.as_bytes()).map_err(io_error(&target))?;
    }
    fs::remove_file(&marker).map_err(io_error(&marker))
}

fn write_synced(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = fs::File::create(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Removes the folder of old files, one file first, so that the crash hook can stop half way.
fn remove_old(old: &Path) -> Result<(), OutputError> {
    let first = fs::read_dir(old)
        .map_err(io_error(old))?
        .filter_map(|entry| entry.ok())
        .find(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()));
    if let Some(entry) = first {
        fs::remove_file(entry.path()).map_err(io_error(&entry.path()))?;
        crash_point("old-half-removed");
    }
    remove(old)
}

/// Aborts the process at the step named by [`CRASH_AT_VAR`], without unwinding or cleaning up, so tests can
/// check that every step of the swap can be recovered from.
fn crash_point(step: &str) {
    if std::env::var_os(CRASH_AT_VAR).is_some_and(|wanted| wanted == step) {
        eprintln!("{CRASH_AT_VAR}: aborting at `{step}`");
        std::process::abort();
    }
}
