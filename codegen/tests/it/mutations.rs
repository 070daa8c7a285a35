//! The generator never panics: the project's spec, mangled in many deterministic ways (lines dropped, duplicated,
//! swapped, re-indented, truncated, words replaced), gives either files or an error naming the spec.

use std::panic;
use std::path::Path;

/// A small deterministic generator (64-bit LCG), so a failure names a reproducible case.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn mutate(lines: &[&str], rng: &mut Lcg) -> String {
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let i = rng.below(out.len());
    let j = rng.below(out.len());
    match rng.below(7) {
        0 => {
            out.remove(i);
        }
        1 => out.insert(i, out[j].clone()),
        2 => out.swap(i, j),
        3 => out[i] = format!("  {}", out[i]),
        4 => out.truncate(i),
        5 => {
            let words = [
                "x",
                "[",
                "{",
                "-1",
                "$ref: '#/nope'",
                "null",
                "type: object",
                "~",
                "enum: [1]",
            ];
            let word = words[rng.below(words.len())];
            out[i] = match out[i].split_once(": ") {
                Some((key, _)) => format!("{key}: {word}"),
                None => word.to_owned(),
            };
        }
        _ => out[i] = out[i].replacen("string", "integer", 1),
    }
    out.join("\n")
}

#[test]
fn mangled_specs_never_panic() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/hire_v1.yaml"))
            .expect("spec");
    let lines: Vec<&str> = text.lines().collect();
    let mut rng = Lcg(0x5eed);
    let (mut generated, mut refused) = (0, 0);
    for case in 0..300 {
        let mangled = mutate(&lines, &mut rng);
        let outcome = panic::catch_unwind(|| codegen::generate("spec/hire_v1.yaml", &mangled));
        match outcome {
            Ok(Ok(_)) => generated += 1,
            Ok(Err(e)) => {
                assert!(
                    e.to_string().starts_with("spec/hire_v1.yaml"),
                    "case {case}: {e}"
                );
                refused += 1;
            }
            Err(_) => panic!("case {case}: the generator panicked on:\n{mangled}"),
        }
    }
    // Both outcomes occur, so the cases really exercise the generator and not only the YAML parser.
    assert!(
        generated > 0 && refused > 0,
        "generated {generated}, refused {refused}"
    );
}
