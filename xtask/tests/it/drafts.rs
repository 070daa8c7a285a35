//! `cargo xtask docs draft --spec` on Feishu's own pages (`../shared/pages/`, beside the checkout): each draft,
//! with its marks removed and merged into the spec, is accepted by the generator, and is clean: no markup in
//! any value, every table row present, every enum list kept as an enum.

use docpages::page::{read_page, Field, Page, ParamIn};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The page files of `../shared/pages/<folder>`, or `None` where that folder is not beside the checkout.
pub(crate) fn pages(folder: &str) -> Option<Vec<PathBuf>> {
    let dir = root().join("../shared/pages").join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    Some(files)
}

/// `text` without the draft marks, placeholder variant names (`Value1`) and error names (`Code1002613`), as a
/// maintainer leaves it once the words are rewritten and the values and errors named.
fn unmarked(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(rest) = s.strip_prefix(codegen::load::DRAFT_MARK) {
                *s = format!("Rewritten:{rest}");
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(unmarked),
        Value::Mapping(m) => {
            // An error code's name.
            if m.contains_key("code") {
                if let Some(name) = m.get_mut("name") {
                    if let Some(code) = name.as_str().and_then(|n| n.strip_prefix("Code")) {
                        *name = Value::String(format!("Named{code}"));
                    }
                }
            }
            for (k, v) in m.iter_mut() {
                if let (Some("x-enum-varnames"), Value::Sequence(names)) = (k.as_str(), &mut *v) {
                    for name in names.iter_mut() {
                        if let Some(number) = name.as_str().and_then(|n| n.strip_prefix("Value")) {
                            *name = Value::String(format!("Named{}", number.replace('-', "Minus")));
                        }
                    }
                } else {
                    unmarked(v);
                }
            }
        }
        _ => {}
    }
}

fn mapping<'a>(value: &'a mut Value, key: &str) -> &'a mut Mapping {
    value
        .get_mut(key)
        .and_then(Value::as_mapping_mut)
        .unwrap_or_else(|| panic!("a `{key}` mapping"))
}

/// `s` without runs of three asterisks or more: a masked value (`151********`), not bold marks.
fn without_masks(s: &str) -> String {
    let mut kept = String::new();
    let mut stars = 0;
    for c in s.chars().chain(std::iter::once('\0')) {
        if c == '*' {
            stars += 1;
            continue;
        }
        if stars < 3 {
            kept.push_str(&"*".repeat(stars));
        }
        stars = 0;
        if c != '\0' {
            kept.push(c);
        }
    }
    kept
}

/// Every string value of `value` that is not the page's words, with markup in it.
fn markup(value: &Value, at: &str, found: &mut Vec<String>) {
    match value {
        Value::String(s)
            if !s.starts_with(codegen::load::DRAFT_MARK)
                && ["<br", "&nbsp;", "`", "**"]
                    .iter()
                    .any(|m| without_masks(s).contains(m)) =>
        {
            found.push(format!("{at}: {s}"));
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                markup(v, &format!("{at}/{i}"), found);
            }
        }
        Value::Mapping(m) => {
            for (k, v) in m {
                markup(v, &format!("{at}/{}", k.as_str().unwrap_or("?")), found);
            }
        }
        _ => {}
    }
}

fn rows<'a>(fields: &'a [Field], out: &mut Vec<&'a Field>) {
    for field in fields {
        out.push(field);
        rows(&field.children, out);
    }
}

/// Drafts `page` beside the spec, merges it, and generates: the problems found, none when it is clean.
fn check(page_file: &Path, spec: &Value) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["docs", "draft", "--spec", "spec/hire_v1.yaml"])
        .arg(page_file)
        .current_dir(root())
        .output()
        .expect("xtask runs");
    if !output.status.success() {
        return vec![format!(
            "draft failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )];
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut draft: Value = match serde_yaml::from_str(&text) {
        Ok(draft) => draft,
        Err(e) => return vec![format!("the draft is not YAML: {e}")],
    };
    let mut problems = Vec::new();
    let mut found = Vec::new();
    markup(&draft, "", &mut found);
    problems.extend(found.into_iter().map(|m| format!("markup in a value: {m}")));

    let bytes = std::fs::read(page_file).expect("the page is readable");
    let page: Page = read_page(&page_file.display().to_string(), &bytes).expect("the page reads");
    unmarked(&mut draft);
    let mut merged = spec.clone();
    for (path, item) in mapping(&mut draft, "paths").clone() {
        let paths = mapping(&mut merged, "paths");
        match paths.get_mut(&path).and_then(Value::as_mapping_mut) {
            Some(existing) => existing.extend(item.as_mapping().cloned().unwrap_or_default()),
            None => {
                paths.insert(path, item);
            }
        }
    }
    let drafted = draft["components"]["schemas"]
        .as_mapping()
        .cloned()
        .unwrap_or_default();
    mapping(
        merged
            .get_mut("components")
            .expect("the spec has components"),
        "schemas",
    )
    .extend(drafted);

    let text = serde_yaml::to_string(&merged).expect("the merged spec is YAML");
    // The merged spec, read as `gen` reads it.
    let api = match codegen::read("merged.yaml", &text, codegen::DraftLabels::Refused) {
        Ok(spec) => spec.api,
        Err(e) => return vec![format!("gen refuses it: {e}")],
    };
    let keys: BTreeSet<&str> = api
        .structs
        .iter()
        .flat_map(|s| &s.fields)
        .map(|f| f.wire.as_str())
        .collect();
    let enums: Vec<Vec<String>> = api
        .enums
        .iter()
        .map(|e| e.variants.iter().map(|v| v.value.to_string()).collect())
        .collect();
    let mut all = Vec::new();
    rows(&page.body, &mut all);
    rows(page.data_fields(), &mut all);
    for row in &all {
        if !keys.contains(row.name.as_str()) {
            problems.push(format!("line {}: row `{}` is missing", row.line, row.name));
        }
    }
    let operation = docpages::audit::operation(&api, &page.method.value, &page.path.value);
    for param in page.params.iter().filter(|p| p.location != ParamIn::Header) {
        if !operation.is_some_and(|op| op.params.iter().any(|p| p.wire == param.name)) {
            problems.push(format!(
                "line {}: parameter `{}` is missing",
                param.line, param.name
            ));
        }
    }
    let listed = page
        .params
        .iter()
        .map(|p| (&p.facts, &p.ty, p.line))
        .chain(all.iter().map(|f| (&f.facts, &f.ty, f.line)));
    for (facts, ty, line) in listed {
        if facts.enum_values.is_empty() || ty.json_type() == "boolean" {
            continue;
        }
        let values: Vec<String> = facts.enum_values.iter().map(|v| v.value.clone()).collect();
        if !enums.contains(&values) {
            problems.push(format!(
                "line {line}: the enum {values:?} is not kept as an enum"
            ));
        }
    }

    // The strongest check of "every row, every fact": the audit of the page against the spec with its draft
    // merged in is clean, but for rows the page leaves ambiguous (the draft places them, and says so).
    let dir = tempfile::tempdir().expect("a temp folder");
    let merged_file = dir.path().join("merged.yaml");
    std::fs::write(&merged_file, text.as_bytes()).expect("written");
    let audited = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["docs", "audit", "--spec"])
        .arg(&merged_file)
        .arg(page_file)
        .output()
        .expect("xtask runs");
    for line in String::from_utf8_lossy(&audited.stdout).lines() {
        // A row the page leaves ambiguous, and an example the reader repaired, are said in the draft's header.
        let said = line.contains("a row whose parent is either")
            || line.contains("(accepted: ")
            || (line.ends_with("(warning)")
                && (line.contains("the example as repaired")
                    || line.contains("(not JSON, for an object)")));
        if !said {
            problems.push(format!("the audit of the draft: {line}"));
        }
    }
    if let Err(e) = codegen::generate("merged.yaml", &text) {
        problems.push(format!("gen cannot emit it: {e}"));
    }
    problems
}

fn clean_drafts(folder: &str) -> Option<(usize, usize, Vec<String>)> {
    let files = pages(folder)?;
    let spec_text =
        std::fs::read_to_string(root().join("spec/hire_v1.yaml")).expect("the spec is readable");
    let spec: Value = serde_yaml::from_str(&spec_text).expect("the spec is YAML");
    // Each page is drafted, merged, audited and generated on its own: the pages are shared among the cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads).max(1);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let spec = &spec;
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|file| {
                            let problems = check(file, spec);
                            (!problems.is_empty()).then(|| {
                                format!("{}:\n  {}", file.display(), problems.join("\n  "))
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a drafting thread"))
            .collect()
    });
    Some((files.len() - failures.len(), files.len(), failures))
}

#[test]
fn drafts_of_every_page_of_the_reference_are_clean_and_generate() {
    let Some((clean, total, failures)) = clean_drafts("hire-v1") else {
        eprintln!("no ../shared/pages/hire-v1 beside the checkout; nothing to draft");
        return;
    };
    eprintln!("docs draft: {clean} of {total} pages of the reference drafted clean and generated");
    for failure in &failures {
        eprintln!("not clean: {failure}");
    }
    assert!(total >= 179, "{total} pages");
    assert_eq!(clean, total, "{}", failures.join("\n"));
}

#[test]
fn drafts_of_the_current_pages_are_clean_and_generate() {
    let Some((clean, total, failures)) = clean_drafts("current") else {
        eprintln!("no ../shared/pages/current beside the checkout; nothing to draft");
        return;
    };
    assert_eq!(clean, total, "{}", failures.join("\n"));
}
