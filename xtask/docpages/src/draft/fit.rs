//! Fitting a draft beside the spec (`docs draft --spec`): which drafted schemas are the spec's, which are one
//! another, and which need a new name; and pointing references at the names they end with.

use serde_yaml::{Mapping, Value};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

/// Why a drafted schema has another name in the draft.
pub(super) enum Fit {
    /// The spec has the same schema under this name.
    Spec(String),
    /// An earlier schema of the draft is the same object.
    Draft(String),
    /// The spec has another schema of the drafted name; this is the new name.
    Renamed(String),
}

impl Fit {
    fn name(&self) -> &str {
        match self {
            Fit::Spec(name) | Fit::Draft(name) | Fit::Renamed(name) => name,
        }
    }
}

/// Fits the drafted `schemas` beside the spec's (empty without `--spec`):
/// - a drafted schema equal to one of the spec's (see [`shape`]) is dropped for it; an enum must also name the
///   same thing (equal values do not make the same enum);
/// - a drafted object equal to an earlier one of the draft is dropped for it;
/// - a drafted name the spec uses for another schema gets the operation's prefix.
///
/// Returns each drafted name that changed, and why.
pub(super) fn fit_into(
    schemas: &mut Mapping,
    spec: &Mapping,
    type_base: &str,
) -> BTreeMap<String, Fit> {
    let mut fits: BTreeMap<String, Fit> = BTreeMap::new();
    // The spec's schemas by their shape; a drafted schema with examples (a request body's) must have the
    // spec's examples too, or reusing it would drop the page's examples.
    let spec_shapes: Vec<(String, Value)> = spec
        .iter()
        .filter_map(|(name, schema)| {
            let read = as_read(schema);
            let name = name.as_str()?.to_owned();
            Some([
                (name.clone(), shape(&read)),
                (name, shape_with_examples(&read)),
            ])
        })
        .flatten()
        .collect();
    // A drafted name the spec uses gets the operation's prefix first, so that a reference to it is never taken
    // for a reference to the spec's schema of that name.
    let drafted: Vec<String> = schemas
        .keys()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect();
    for name in drafted {
        if !spec.contains_key(name.as_str()) {
            continue;
        }
        let base = if name.starts_with(type_base) {
            format!("{name}Drafted")
        } else {
            format!("{type_base}{name}")
        };
        let mut new = base.clone();
        let mut n = 2;
        while spec.contains_key(new.as_str()) || schemas.contains_key(new.as_str()) {
            new = format!("{base}{n}");
            n += 1;
        }
        if let Some(schema) = schemas.remove(name.as_str()) {
            schemas.insert(new.clone().into(), schema);
        }
        fits.insert(name, Fit::Renamed(new));
    }
    let renamed = new_names(&fits);
    for (_, schema) in schemas.iter_mut() {
        rename_refs(schema, &renamed);
    }
    let names: Vec<String> = schemas
        .keys()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect();
    // Schemas of the spec by their shape, in the spec's order.
    let mut spec_by_shape: HashMap<&Value, Vec<&String>> = HashMap::new();
    for (name, shape) in &spec_shapes {
        let names = spec_by_shape.entry(shape).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    // A schema refers to others: it can equal another only once those it refers to are mapped. The first schema
    // (in the draft's order) that equals one of the spec's, or an earlier one of the draft, is mapped, and the
    // search starts again from the first; each schema's shapes are worked out again only when a schema it refers
    // to has been mapped, and a schema is looked at again only when its shapes, or those of an earlier schema
    // alike, have changed.
    let mut finals = new_names(&fits);
    // For each final name, the names that lead to it.
    let mut led_to: HashMap<String, Vec<String>> = HashMap::new();
    for (from, to) in &finals {
        led_to.entry(to.clone()).or_default().push(from.clone());
    }
    // For each name, the drafted schemas that refer to it.
    let mut referrers: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        let mut targets = Vec::new();
        if let Some(schema) = schemas.get(name.as_str()) {
            collect_refs(schema, &mut targets);
        }
        for target in targets {
            referrers.entry(target).or_default().push(i);
        }
    }
    let is_enum: Vec<bool> = names
        .iter()
        .map(|n| {
            schemas
                .get(n.as_str())
                .is_some_and(|s| s.get("enum").is_some())
        })
        .collect();
    // Each schema's shape as the spec's are read (only beside a spec), and its shape with examples, as drafted.
    let shapes_of = |name: &str, finals: &BTreeMap<String, String>| {
        let mut schema = schemas.get(name).cloned().unwrap_or(Value::Null);
        rename_refs(&mut schema, finals);
        let read = if spec_shapes.is_empty() {
            Value::Null
        } else if has_example(&schema) {
            shape_with_examples(&as_read(&schema))
        } else {
            shape(&as_read(&schema))
        };
        (read, shape_with_examples(&schema))
    };
    let mut shapes: Vec<(Value, Value)> = names.iter().map(|n| shapes_of(n, &finals)).collect();
    // The drafted schemas alike (with examples), by index.
    let mut alike: HashMap<Value, BTreeSet<usize>> = HashMap::new();
    for (i, (_, with_examples)) in shapes.iter().enumerate() {
        alike.entry(with_examples.clone()).or_default().insert(i);
    }
    let mut remaining = vec![true; names.len()];
    let mut stale = vec![false; names.len()];
    let mut queued = vec![true; names.len()];
    let mut queue: BinaryHeap<Reverse<usize>> = (0..names.len()).map(Reverse).collect();
    while let Some(Reverse(i)) = queue.pop() {
        queued[i] = false;
        if !remaining[i] {
            continue;
        }
        let name = &names[i];
        if stale[i] {
            stale[i] = false;
            let new = shapes_of(name, &finals);
            if let Some(set) = alike.get_mut(&shapes[i].1) {
                set.remove(&i);
            }
            let set = alike.entry(new.1.clone()).or_default();
            set.insert(i);
            // The later schemas alike now have an earlier one.
            for &later in set.range(i + 1..) {
                if !queued[later] && !is_enum[later] {
                    queued[later] = true;
                    queue.push(Reverse(later));
                }
            }
            shapes[i] = new;
        }
        let (candidate, with_examples) = &shapes[i];
        let schema = &schemas[name.as_str()];
        let words = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        let equal: &[&String] = spec_by_shape.get(candidate).map_or(&[], Vec::as_slice);
        let in_spec = if let Some(same) = equal.iter().find(|n| **n == name) {
            Some(*same)
        } else if is_enum[i] {
            // 1 and 2 are enabled and disabled, or social and campus: the spec's enum must name the same
            // thing, by a Chinese term of its description or by its name.
            equal
                .iter()
                .find(|n| {
                    spec.get(n.as_str())
                        .and_then(|s| s.get("description"))
                        .and_then(Value::as_str)
                        .is_some_and(|d| {
                            chinese_terms(d).iter().any(|t| words.contains(t.as_str()))
                        })
                })
                .or_else(|| equal.iter().find(|n| name.ends_with(n.as_str())))
                .copied()
        } else {
            // Of objects alike, the one whose name shares the longest start with the drafted name
            // (`JobCustomizedValueOptionList` is a `JobCustomizedOption` rather than a
            // `JobRequirementCustomizedOption`).
            let shared = |other: &str| {
                name.chars()
                    .zip(other.chars())
                    .take_while(|(a, b)| a == b)
                    .count()
            };
            equal
                .iter()
                .max_by_key(|n| (shared(n), Reverse(n.len())))
                .copied()
        };
        let fit = match in_spec {
            Some(spec_name) => Some(Fit::Spec(spec_name.clone())),
            None if !is_enum[i] => alike
                .get(with_examples)
                .and_then(|set| set.first())
                .filter(|&&earlier| earlier < i)
                .map(|&earlier| Fit::Draft(names[earlier].clone())),
            None => None,
        };
        let Some(fit) = fit else {
            continue;
        };
        // Mapped: every name that led to this one now leads where it does, and the schemas referring to any of
        // them are worked out again.
        remaining[i] = false;
        if let Some(set) = alike.get_mut(with_examples) {
            set.remove(&i);
        }
        let target = fit.name().to_owned();
        fits.insert(name.clone(), fit);
        let mut moved = led_to.remove(name).unwrap_or_default();
        moved.push(name.clone());
        for from in &moved {
            finals.insert(from.clone(), target.clone());
            for &referrer in referrers.get(from).into_iter().flatten() {
                if remaining[referrer] {
                    stale[referrer] = true;
                    if !queued[referrer] {
                        queued[referrer] = true;
                        queue.push(Reverse(referrer));
                    }
                }
            }
        }
        led_to.entry(target).or_default().extend(moved);
    }
    for (name, fit) in &fits {
        if !matches!(fit, Fit::Renamed(_)) {
            schemas.remove(name.as_str());
        }
    }
    fits
}

/// Each drafted name that changed, and its final name (following a schema merged into one that was itself
/// renamed).
pub(super) fn new_names(fits: &BTreeMap<String, Fit>) -> BTreeMap<String, String> {
    fits.iter()
        .map(|(from, fit)| {
            let mut fit = fit;
            // A spec name ends the chain: the spec's schema of that name is meant, not a drafted one. Each step
            // leads to a schema fitted later, so the chain is no longer than the map.
            for _ in 0..fits.len() {
                let (Fit::Draft(to) | Fit::Renamed(to)) = fit else {
                    break;
                };
                match fits.get(to) {
                    Some(next) if next.name() != to => fit = next,
                    _ => break,
                }
            }
            (from.clone(), fit.name().to_owned())
        })
        .collect()
}

/// The terms in parentheses of a description that hold Chinese text: `Whether an item is enabled (启用状态).`
/// has `启用状态`; `Social or campus recruitment (社招 / 校招)` has `社招` and `校招`.
fn chinese_terms(description: &str) -> Vec<String> {
    description
        .split('(')
        .skip(1)
        .filter_map(|part| part.split(')').next())
        .flat_map(|inside| inside.split(['/', ',', '、']))
        .map(str::trim)
        .filter(|t| t.chars().any(|c| c > '\u{2e80}'))
        .map(str::to_owned)
        .collect()
}

/// Whether a schema (not those it refers to) gives an example of a value.
fn has_example(schema: &Value) -> bool {
    match schema {
        Value::Mapping(m) => m
            .iter()
            .any(|(k, v)| k.as_str() == Some("example") || has_example(v)),
        Value::Sequence(items) => items.iter().any(has_example),
        _ => false,
    }
}

/// What a schema says of the wire: without descriptions, examples and the names and words of enum values.
fn shape(schema: &Value) -> Value {
    shape_keeping(schema, &["example"])
}

/// [`shape`], keeping examples: two drafted schemas with other examples stay two, each faithful to its rows.
fn shape_with_examples(schema: &Value) -> Value {
    shape_keeping(schema, &[])
}

/// A schema as `codegen` reads it (through `openapiv3`), written back: a drafted schema and the spec's are
/// compared in this one form, however their YAML is spelled. A schema `openapiv3` does not read stays as it is.
fn as_read(schema: &Value) -> Value {
    serde_yaml::from_value::<openapiv3::ReferenceOr<openapiv3::Schema>>(schema.clone())
        .and_then(serde_yaml::to_value)
        .unwrap_or_else(|_| schema.clone())
}

/// A schema without its words (descriptions, enum names) and the `extra` keys. The keys of `properties` are
/// names of the wire, and stay, whatever they are called.
fn shape_keeping(schema: &Value, extra: &[&str]) -> Value {
    const WORDS: [&str; 4] = [
        "description",
        "x-enum-varnames",
        "x-enum-descriptions",
        "deprecated",
    ];
    let Value::Mapping(m) = schema else {
        return match schema {
            Value::Sequence(items) => {
                Value::Sequence(items.iter().map(|v| shape_keeping(v, extra)).collect())
            }
            other => other.clone(),
        };
    };
    m.iter()
        .filter(|(k, _)| {
            !k.as_str()
                .is_some_and(|k| WORDS.contains(&k) || extra.contains(&k))
        })
        .map(|(k, v)| {
            let v = match (k.as_str(), v) {
                (Some("properties"), Value::Mapping(props)) => Value::Mapping(
                    props
                        .iter()
                        .map(|(name, p)| (name.clone(), shape_keeping(p, extra)))
                        .collect(),
                ),
                _ => shape_keeping(v, extra),
            };
            (k.clone(), v)
        })
        .collect::<Mapping>()
        .into()
}

/// The schema names every `$ref` in `value` points at.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Mapping(m) => {
            for (k, v) in m {
                if k.as_str() == Some("$ref") {
                    if let Some(target) = v
                        .as_str()
                        .and_then(|t| t.strip_prefix("#/components/schemas/"))
                    {
                        out.push(target.to_owned());
                    }
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Points every `$ref` to a renamed schema at its new name.
pub(super) fn rename_refs(value: &mut Value, renamed: &BTreeMap<String, String>) {
    match value {
        Value::Mapping(m) => {
            for (k, v) in m.iter_mut() {
                if k.as_str() == Some("$ref") {
                    if let Some(target) = v
                        .as_str()
                        .and_then(|t| t.strip_prefix("#/components/schemas/"))
                    {
                        if let Some(new) = renamed.get(target) {
                            *v = format!("#/components/schemas/{new}").into();
                        }
                    }
                } else {
                    rename_refs(v, renamed);
                }
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(|v| rename_refs(v, renamed)),
        _ => {}
    }
}
