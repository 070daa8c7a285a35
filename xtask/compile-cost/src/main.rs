//! `cargo run --release --manifest-path xtask/compile-cost/Cargo.toml [-- [--stages] SCALE...]`
//!
//! With `--stages`, only times each stage of this project's generator on each scaled spec (reading the YAML,
//! lowering, emitting and formatting, one after the other on one thread, the fastest of five runs) and stops.
//!
//! Scales `spec/hire_v1.yaml` by copying every path and schema under new names (10x and 100x unless scales are
//! given), generates a client from each copy with this project's generator and with progenitor 0.15, and
//! measures, in the same run:
//! - the emitted lines (after formatting, blank lines included), against progenitor's builder interface, the
//!   one that, like this client, gives each operation a request builder;
//! - the generation time (the fastest of five runs, spec text to formatted source, in process);
//! - `cargo check` of each crate (the fastest of three runs, incremental off, dependencies already checked):
//!   the generated client with its hand-written runtime, against progenitor's crate.
//!
//! progenitor panics when an operation has a typed 200 beside a bare `default` response, so its copy of the
//! spec has no `default` responses; it reads no `multipart/form-data` body, so a file upload's body is
//! `application/octet-stream` there. The crates are written under `target/compile-cost/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, String>;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", root.display()))?;
    let stages_only = std::env::args().any(|a| a == "--stages");
    let scales: Vec<usize> = match std::env::args()
        .skip(1)
        .filter(|a| a != "--stages")
        .map(|a| a.parse())
        .collect()
    {
        Ok(scales) if !Vec::<usize>::is_empty(&scales) => scales,
        Ok(_) => vec![10, 100],
        Err(e) => return Err(format!("a scale must be a whole number: {e}")),
    };
    let spec_text = read(&root.join("spec/hire_v1.yaml"))?;
    let spec: serde_yaml::Value = serde_yaml::from_str(&spec_text).map_err(|e| e.to_string())?;
    if stages_only {
        for scale in scales {
            let text =
                serde_yaml::to_string(&scale_spec(&spec, scale)).map_err(|e| e.to_string())?;
            print_stages(scale, &text)?;
        }
        return Ok(());
    }
    let out = root.join("target/compile-cost");
    println!("| scale | operations | ours: lines | progenitor: lines | ratio | ours: generate | progenitor: generate | ratio | ours: check | progenitor: check | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for scale in scales {
        let scaled = scale_spec(&spec, scale);
        let operations = count_operations(&scaled);
        let ours_text = serde_yaml::to_string(&scaled).map_err(|e| e.to_string())?;
        let theirs_text = serde_yaml::to_string(&without_default_responses(&scaled))
            .map_err(|e| e.to_string())?;

        let (ours_time, ours_files) = fastest(5, || {
            codegen::generate("spec/hire_v1.yaml", &ours_text).map_err(|e| e.to_string())
        })?;
        let (theirs_time, theirs_source) = fastest(5, || progenitor_source(&theirs_text))?;
        let ours_lines: usize = ours_files.values().map(|f| f.lines().count()).sum();
        let theirs_lines = theirs_source.lines().count();

        let ours_crate = out.join(format!("ours-{scale}"));
        write_our_crate(&root, &ours_crate, &ours_files)?;
        let theirs_crate = out.join(format!("progenitor-{scale}"));
        write_progenitor_crate(&theirs_crate, &theirs_source)?;
        let ours_check = check_time(&ours_crate, &out.join("target-ours"), "generated-client")?;
        let theirs_check = check_time(
            &theirs_crate,
            &out.join("target-progenitor"),
            "progenitor-client-scaled",
        )?;

        println!(
            "| {scale}x | {operations} | {ours_lines} | {theirs_lines} | {:.2} | {} | {} | {:.2} | {} | {} | {:.2} |",
            ours_lines as f64 / theirs_lines as f64,
            millis(ours_time),
            millis(theirs_time),
            ours_time.as_secs_f64() / theirs_time.as_secs_f64(),
            seconds(ours_check),
            seconds(theirs_check),
            ours_check.as_secs_f64() / theirs_check.as_secs_f64(),
        );
    }
    Ok(())
}

/// Times each stage of the generator on `text`, the fastest of five runs each.
fn print_stages(scale: usize, text: &str) -> Result<()> {
    let name = "spec/hire_v1.yaml";
    let err = |e: codegen::Error| e.to_string();
    let (load, spec) = fastest(5, || codegen::load::load(name, text).map_err(err))?;
    let (lower, api) = fastest(5, || codegen::lower::lower(name, &spec).map_err(err))?;
    let (emit, _) = fastest(5, || Ok(codegen::emit::emit(&api)))?;
    let (render, _) = fastest(5, || {
        codegen::emit::emit(&api)
            .into_iter()
            .map(|(path, tokens)| codegen::render::render(name, path, tokens).map_err(err))
            .collect::<Result<Vec<_>>>()
    })?;
    println!(
        "{scale}x: load {}, lower {}, emit {}, emit + render {} (one thread)",
        millis(load),
        millis(lower),
        millis(emit),
        millis(render)
    );
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn millis(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Runs `work` `runs` times and returns the fastest time with the last result.
fn fastest<T>(runs: usize, mut work: impl FnMut() -> Result<T>) -> Result<(Duration, T)> {
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..runs {
        let started = Instant::now();
        let value = work()?;
        best = best.min(started.elapsed());
        result = Some(value);
    }
    result.map(|r| (best, r)).ok_or_else(|| "no run".to_owned())
}

/// `scale` copies of every path, event and schema: copy `k` puts `/c{k}` before each path, `_c{k}` after each
/// operation id and event type and `C{k}` after each schema name, and points its `$ref`s at its own schemas.
/// progenitor ignores the events (`x-events`); this generator emits them, so its side carries their cost too.
fn scale_spec(spec: &serde_yaml::Value, scale: usize) -> serde_yaml::Value {
    let mut scaled = spec.clone();
    let mut paths = serde_yaml::Mapping::new();
    let mut schemas = serde_yaml::Mapping::new();
    let mut events = serde_yaml::Mapping::new();
    for k in 0..scale {
        let mut copy = spec.clone();
        rename_refs(&mut copy, k);
        if let Some(map) = copy["paths"].as_mapping() {
            for (path, item) in map {
                let mut item = item.clone();
                if let Some(methods) = item.as_mapping_mut() {
                    for (_, op) in methods.iter_mut() {
                        if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                            let renamed = format!("{id}_c{k}");
                            op["operationId"] = renamed.into();
                        }
                    }
                }
                let path = format!("/c{k}{}", path.as_str().unwrap_or_default());
                paths.insert(path.into(), item);
            }
        }
        if let Some(map) = copy.get("x-events").and_then(|e| e.as_mapping()) {
            for (event_type, event) in map {
                let event_type = format!("{}_c{k}", event_type.as_str().unwrap_or_default());
                events.insert(event_type.into(), event.clone());
            }
        }
        if let Some(map) = copy["components"]["schemas"].as_mapping() {
            for (name, schema) in map {
                let name = format!("{}C{k}", name.as_str().unwrap_or_default());
                schemas.insert(name.into(), schema.clone());
            }
        }
    }
    scaled["paths"] = serde_yaml::Value::Mapping(paths);
    if !events.is_empty() {
        scaled["x-events"] = serde_yaml::Value::Mapping(events);
    }
    scaled["components"]["schemas"] = serde_yaml::Value::Mapping(schemas);
    scaled
}

fn rename_refs(value: &mut serde_yaml::Value, k: usize) {
    const PREFIX: &str = "#/components/schemas/";
    match value {
        serde_yaml::Value::Mapping(map) => {
            for (key, child) in map.iter_mut() {
                if key.as_str() == Some("$ref") {
                    if let Some(target) = child.as_str().and_then(|r| r.strip_prefix(PREFIX)) {
                        *child = format!("{PREFIX}{target}C{k}").into();
                    }
                } else {
                    rename_refs(child, k);
                }
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter_mut().for_each(|v| rename_refs(v, k)),
        _ => {}
    }
}

fn count_operations(spec: &serde_yaml::Value) -> usize {
    spec["paths"]
        .as_mapping()
        .map(|paths| {
            paths
                .values()
                .filter_map(|i| i.as_mapping())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn without_default_responses(spec: &serde_yaml::Value) -> serde_yaml::Value {
    let mut copy = spec.clone();
    if let Some(paths) = copy["paths"].as_mapping_mut() {
        for (_, item) in paths.iter_mut() {
            if let Some(methods) = item.as_mapping_mut() {
                for (_, op) in methods.iter_mut() {
                    if let Some(responses) = op["responses"].as_mapping_mut() {
                        responses.remove("default");
                    }
                    // progenitor reads no `multipart/form-data` body: a file upload is a raw body there.
                    let content = op
                        .get_mut("requestBody")
                        .and_then(|body| body.get_mut("content"))
                        .and_then(serde_yaml::Value::as_mapping_mut);
                    if let Some(content) = content {
                        if content.remove("multipart/form-data").is_some() {
                            content.insert(
                                "application/octet-stream".into(),
                                serde_yaml::from_str("{schema: {type: string, format: binary}}")
                                    .unwrap_or_default(),
                            );
                        }
                    }
                }
            }
        }
    }
    copy
}

/// progenitor's client for the spec text, builder style, formatted as its build-script use formats it.
fn progenitor_source(text: &str) -> Result<String> {
    let spec: openapiv3::OpenAPI = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    // The builder interface: request builders with setters, as this project's client has.
    let mut settings = progenitor::GenerationSettings::new();
    settings.with_interface(progenitor::InterfaceStyle::Builder);
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    Ok(prettyplease::unparse(&file))
}

/// A copy of `generated-client` with `files` as its generated folder, standing alone with the workspace's
/// dependency versions and lock file.
fn write_our_crate(root: &Path, dir: &Path, files: &BTreeMap<String, String>) -> Result<()> {
    let _ = fs::remove_dir_all(dir);
    let client = root.join("generated-client");
    copy_tree(&client.join("src"), &dir.join("src"))?;
    let generated = dir.join("src/generated");
    fs::remove_dir_all(&generated).map_err(|e| format!("{}: {e}", generated.display()))?;
    for (name, text) in files {
        write(&generated.join(name), text)?;
    }
    let workspace: toml::Table = read(&root.join("Cargo.toml"))?
        .parse()
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    let manifest: toml::Table = read(&client.join("Cargo.toml"))?
        .parse()
        .map_err(|e| format!("generated-client/Cargo.toml: {e}"))?;
    let shared = workspace
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_default();
    let mut dependencies = toml::Table::new();
    for (name, spec) in manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .into_iter()
        .flatten()
    {
        let inherited = spec.get("workspace").and_then(|w| w.as_bool()) == Some(true);
        let mut resolved = if inherited {
            shared.get(name).cloned()
        } else {
            Some(spec.clone())
        };
        // An optional dependency stays optional: the crate's features (copied below) decide it.
        if spec.get("optional").and_then(|o| o.as_bool()) == Some(true) {
            resolved = resolved.map(|version| {
                let mut table = match version {
                    toml::Value::String(v) => toml::Table::from_iter([("version".to_owned(), v.into())]),
                    toml::Value::Table(table) => table,
                    other => toml::Table::from_iter([("version".to_owned(), other)]),
                };
                table.insert("optional".into(), true.into());
                table.into()
            });
        }
        dependencies.insert(
            name.clone(),
            resolved.ok_or_else(|| format!("no version for {name}"))?,
        );
    }
    let mut package = toml::Table::new();
    package.insert("name".into(), "generated-client".into());
    package.insert("version".into(), "0.1.0".into());
    package.insert("edition".into(), "2021".into());
    let mut crate_manifest = toml::Table::new();
    crate_manifest.insert("package".into(), package.into());
    crate_manifest.insert("workspace".into(), toml::Table::new().into());
    crate_manifest.insert("dependencies".into(), dependencies.into());
    // The default features are what a user builds (the event receiver's `tower` service among them).
    if let Some(features) = manifest.get("features") {
        crate_manifest.insert("features".into(), features.clone());
    }
    if let Some(lints) = workspace.get("workspace").and_then(|w| w.get("lints")) {
        crate_manifest.insert("lints".into(), lints.clone());
    }
    write(&dir.join("Cargo.toml"), &crate_manifest.to_string())?;
    // The root README is included by a doctest item; the crate's checks need the file to exist.
    write(&dir.join("../README.md"), "")?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            fs::copy(&path, &target).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// progenitor's crate, with the dependencies its generated code names.
fn write_progenitor_crate(dir: &Path, source: &str) -> Result<()> {
    let _ = fs::remove_dir_all(dir);
    write(
        &dir.join("Cargo.toml"),
        r#"[package]
name = "progenitor-client-scaled"
version = "0.1.0"
edition = "2021"

[workspace]

[dependencies]
progenitor-client = "=0.15.1"
reqwest = { version = "0.13", default-features = false, features = ["json", "stream", "query"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
serde_urlencoded = "0.7"
futures = "0.3"
bytes = "1"
"#,
    )?;
    write(
        &dir.join("src/lib.rs"),
        &format!("#![allow(warnings)]\n{source}"),
    )
}

/// The fastest of three `cargo check` runs of the crate at `dir` alone, its dependencies checked first.
fn check_time(dir: &Path, target: &Path, package: &str) -> Result<Duration> {
    let cargo = |args: &[&str]| -> Result<()> {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target)
            .env("CARGO_INCREMENTAL", "0")
            .args(args)
            .status()
            .map_err(|e| format!("cargo: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "cargo {} failed in {}",
                args.join(" "),
                dir.display()
            ))
        }
    };
    cargo(&["check", "--quiet"])?;
    let mut best = Duration::MAX;
    for _ in 0..3 {
        cargo(&["clean", "--quiet", "-p", package])?;
        let started = Instant::now();
        cargo(&["check", "--quiet"])?;
        best = best.min(started.elapsed());
    }
    Ok(best)
}
