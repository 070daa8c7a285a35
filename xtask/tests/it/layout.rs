//! The "Where things are" table of `codegen/DESIGN.md` (the maintainers' map) against the tree: every path it
//! names exists, and every folder at the top of the checkout, and every crate, has a row.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The first column of each row of the table: the paths, with `{a,b}.rs` spelled out.
fn listed_paths() -> Vec<String> {
    let design =
        std::fs::read_to_string(root().join("codegen/DESIGN.md")).expect("codegen/DESIGN.md");
    let table = design
        .split("## Where things are")
        .nth(1)
        .and_then(|rest| rest.split("```text\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("codegen/DESIGN.md has a \"Where things are\" table");
    let mut paths = Vec::new();
    for line in table.lines() {
        if line.starts_with(' ') || line.trim().is_empty() {
            continue;
        }
        let path = line.split_whitespace().next().unwrap_or_default();
        match (path.find('{'), path.find('}')) {
            (Some(open), Some(close)) if open < close => {
                for choice in path[open + 1..close].split(',') {
                    paths.push(format!("{}{choice}{}", &path[..open], &path[close + 1..]));
                }
            }
            _ => paths.push(path.to_owned()),
        }
    }
    paths
}

#[test]
fn every_path_the_readme_names_exists() {
    let paths = listed_paths();
    assert!(paths.len() > 20, "{paths:?}");
    for path in &paths {
        assert!(
            root().join(path).exists(),
            "the table of codegen/DESIGN.md names `{path}`, which the tree does not have"
        );
    }
}

#[test]
fn every_top_folder_and_crate_has_a_row() {
    let paths = listed_paths();
    let has_row = |folder: &str| paths.iter().any(|p| p.starts_with(folder));
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(root()).expect("the checkout") {
        let entry = entry.expect("an entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !name.starts_with('.') && name != "target" {
            folders.push(format!("{name}/"));
        }
    }
    // The crates: every folder with a Cargo.toml below the top ones (build output aside).
    let mut stack: Vec<PathBuf> = folders.iter().map(|f| root().join(f)).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a folder").flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() && name != "target" && !name.starts_with('.') {
                if path.join("Cargo.toml").exists() {
                    let relative = path.strip_prefix(root()).expect("below the root");
                    folders.push(format!("{}/", relative.display()));
                }
                stack.push(path);
            }
        }
    }
    for folder in &folders {
        assert!(
            has_row(folder),
            "`{folder}` has no row in the \"Where things are\" table of codegen/DESIGN.md"
        );
    }
}
