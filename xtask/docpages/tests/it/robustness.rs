//! Broken pages never panic: every page cut short, and pages with characters that matter to the reader
//! (`{`, `|`, `└`, colons, dashes, line breaks, ...) dropped in at many places, either read or fail with a
//! located error; what reads is audited and drafted without a panic either.

use crate::{read_spec, text};
use codegen::model::Api;
use docpages::audit::audit;
use docpages::draft::draft;
use docpages::page::read_page;
use docpages::record::Record;

/// Reads a page, and audits and drafts it when it reads; a failure must name the page and a line in it.
fn exercise(name: &str, page: &str, spec: &Api) {
    match read_page(name, page.as_bytes()) {
        Ok(read) => {
            let _ = audit(&read, spec, &Record::default());
            let _ = draft(&read);
        }
        Err(e) => {
            let lines = page.lines().count().max(1);
            assert!(
                e.line >= 1 && e.line <= lines + 1,
                "{e} (the page has {lines} lines)"
            );
            assert_eq!(e.file, name);
        }
    }
}

#[test]
fn pages_cut_anywhere() {
    let spec = read_spec("spec.yaml", &text("spec.yaml"));
    for name in ["widgets.md", "gadgets.txt"] {
        let page = text(name);
        for (at, _) in page.char_indices() {
            exercise(name, &page[..at], &spec);
        }
    }
}

#[test]
fn characters_the_reader_cares_about_dropped_in() {
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        "|",
        " | ",
        "└ ",
        "\n",
        ":",
        "：",
        "- ",
        "`",
        "\"",
        "#",
        "---",
        "可选值有：- 1：",
        "示例值:",
        "次/秒",
        "中",
    ];
    let spec = read_spec("spec.yaml", &text("spec.yaml"));
    // A small deterministic generator, so a failure repeats.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    for name in ["widgets.md", "gadgets.txt"] {
        let page = text(name);
        let boundaries: Vec<usize> = page.char_indices().map(|(i, _)| i).collect();
        for _ in 0..1500 {
            let mut changed = page.clone();
            for _ in 0..1 + next(3) {
                let at = boundaries[next(boundaries.len())].min(changed.len());
                let at = (0..=at)
                    .rev()
                    .find(|i| changed.is_char_boundary(*i))
                    .unwrap_or(0);
                changed.insert_str(at, PIECES[next(PIECES.len())]);
            }
            exercise(name, &changed, &spec);
        }
    }
}
