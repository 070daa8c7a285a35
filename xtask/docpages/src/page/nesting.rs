//! Recovering the nesting of a flat table from its JSON example.
//!
//! A row belongs to the deepest open object whose example has its key and has not had that key placed yet.
//! A row of an object type opens a new object: the rows after it are its fields until one does not fit. A
//! row no example knows is placed in the object just opened when it is that object's first row, at the top
//! when only the top is open, and otherwise reported as ambiguous (naming both possible parents) and placed in
//! the deepest open object. On a page that marks nested rows (`└`), an unmarked row is always at the top, and a
//! marked one never is.

use super::ordered::Json;
use super::{Facts, Field, PageType};
use std::collections::{HashMap, HashSet};

/// The deepest nesting kept.
const MAX_DEPTH: usize = 64;

/// A row whose parent could not be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguity {
    /// The row's name.
    pub name: String,
    /// The row's line.
    pub line: usize,
    /// The dotted paths of the objects it could belong to (`.` is the top).
    pub candidates: Vec<String>,
}

/// A table row before nesting.
pub(super) struct Row {
    pub(super) name: String,
    pub(super) ty: PageType,
    pub(super) required: Option<bool>,
    pub(super) facts: Facts,
    pub(super) line: usize,
    /// Whether the row carries the `└` mark.
    pub(super) marked: bool,
}

struct Level<'a> {
    /// The node of the object, or `None` for the top.
    node: Option<usize>,
    path: String,
    example: Option<&'a Json>,
    placed: HashSet<String>,
    rows: usize,
}

impl<'a> Level<'a> {
    fn knows(&self, keys: &mut Keys<'a>, name: &str) -> bool {
        self.example.is_some_and(|e| keys.get(e, name).is_some()) && !self.placed.contains(name)
    }
}

/// The keys of the example objects rows are looked up in, each object indexed once: an example can have as many
/// keys as its table has rows, and every row is looked up in every open object.
#[derive(Default)]
struct Keys<'a> {
    objects: HashMap<*const Json, HashMap<&'a str, &'a Json>>,
}

impl<'a> Keys<'a> {
    /// The value of `name` in `object`, as [`Json::get`] finds it: the first, where a key is written twice.
    fn get(&mut self, object: &'a Json, name: &str) -> Option<&'a Json> {
        let Json::Object(entries) = object else {
            return None;
        };
        let keys = self
            .objects
            .entry(std::ptr::from_ref(object))
            .or_insert_with(|| {
                let mut keys = HashMap::with_capacity(entries.len());
                for (key, value) in entries {
                    keys.entry(key.as_str()).or_insert(value);
                }
                keys
            });
        keys.get(name).copied()
    }
}

/// Nests `rows` by `example` (the whole body).
pub(super) fn nest(rows: Vec<Row>, example: Option<&Json>) -> (Vec<Field>, Vec<Ambiguity>) {
    let marks = rows.iter().any(|r| r.marked);
    let mut nodes: Vec<(Field, Option<usize>)> = Vec::new();
    let mut ambiguities = Vec::new();
    let mut keys = Keys::default();
    let mut stack = vec![Level {
        node: None,
        path: ".".to_owned(),
        example: example.filter(|e| matches!(e, Json::Object(_))),
        placed: HashSet::new(),
        rows: 0,
    }];
    for row in rows {
        let level = if marks && !row.marked {
            0
        } else if let Some(at) = stack.iter().rposition(|l| l.knows(&mut keys, &row.name)) {
            at
        } else if stack.len() - 1 <= usize::from(marks && row.marked) {
            // Only one object can hold it: the top, or (for a marked row) the one object open under it.
            stack.len() - 1
        } else {
            let deepest = stack.len() - 1;
            if stack[deepest].rows > 0 {
                ambiguities.push(Ambiguity {
                    name: row.name.clone(),
                    line: row.line,
                    candidates: vec![stack[deepest].path.clone(), stack[deepest - 1].path.clone()],
                });
            }
            deepest
        };
        stack.truncate(level + 1);
        let parent = &mut stack[level];
        parent.placed.insert(row.name.clone());
        parent.rows += 1;
        let example = parent
            .example
            .and_then(|e| keys.get(e, &row.name))
            .map(Json::element);
        // Deeper than any real page nests; beyond it rows stay flat, so that what reads the tree cannot recurse
        // without bound.
        let opens = row.ty.is_object() && level + 1 < MAX_DEPTH;
        // The path of the object the row opens: only an open object is named (in an ambiguity).
        let path = opens.then(|| {
            if parent.path == "." {
                row.name.clone()
            } else {
                format!("{}.{}", parent.path, row.name)
            }
        });
        let node = nodes.len();
        nodes.push((
            Field {
                name: row.name,
                ty: row.ty,
                required: row.required,
                facts: row.facts,
                line: row.line,
                children: Vec::new(),
            },
            parent.node,
        ));
        if let Some(path) = path {
            stack.push(Level {
                node: Some(node),
                path,
                example: example.filter(|e| matches!(e, Json::Object(_))),
                placed: HashSet::new(),
                rows: 0,
            });
        }
    }
    (assemble(nodes), ambiguities)
}

/// Builds the tree from nodes that name their parents (parents come first), each node moved once.
fn assemble(nodes: Vec<(Field, Option<usize>)>) -> Vec<Field> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, (_, parent)) in nodes.iter().enumerate() {
        match parent.and_then(|p| children.get_mut(p)) {
            Some(siblings) => siblings.push(i),
            None => roots.push(i),
        }
    }
    // Children come after their parents: from the last node back, each node's children are complete when it is
    // reached.
    let mut fields: Vec<Option<Field>> = nodes.into_iter().map(|(field, _)| Some(field)).collect();
    for i in (0..fields.len()).rev() {
        let kids: Vec<Field> = children[i]
            .iter()
            .filter_map(|&c| fields[c].take())
            .collect();
        if let Some(field) = fields[i].as_mut() {
            field.children = kids;
        }
    }
    roots.into_iter().filter_map(|i| fields[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, ty: &str, line: usize) -> Row {
        Row {
            name: name.to_owned(),
            ty: PageType::parse(ty),
            required: None,
            facts: Facts::default(),
            line,
            marked: false,
        }
    }

    fn shape(fields: &[Field]) -> String {
        fields
            .iter()
            .map(|f| {
                if f.children.is_empty() {
                    f.name.clone()
                } else {
                    format!("{}({})", f.name, shape(&f.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn example(text: &str) -> Json {
        serde_json::from_str(text).expect("JSON")
    }

    #[test]
    fn rows_nest_by_the_example() {
        let rows = vec![
            row("data", "-", 1),
            row("items", "thing[]", 2),
            row("id", "string", 3),
            row("parts", "part[]", 4),
            row("id", "string", 5),
            row("kind", "int", 6),
            row("kind", "int", 7),
            row("has_more", "boolean", 8),
        ];
        let json = example(
            r#"{"data": {"items": [{"id": "1", "parts": [{"id": "2", "kind": 1}], "kind": 3}], "has_more": true}}"#,
        );
        let (fields, ambiguities) = nest(rows, Some(&json));
        assert_eq!(
            shape(&fields),
            "data(items(id parts(id kind) kind) has_more)"
        );
        assert!(ambiguities.is_empty());
    }

    #[test]
    fn a_row_the_example_lacks_is_ambiguous() {
        let rows = vec![
            row("data", "-", 1),
            row("items", "thing[]", 2),
            row("id", "string", 3),
            row("extra", "string", 4),
        ];
        let json = example(r#"{"data": {"items": [{"id": "1"}]}}"#);
        let (_, ambiguities) = nest(rows, Some(&json));
        assert_eq!(
            ambiguities,
            [Ambiguity {
                name: "extra".to_owned(),
                line: 4,
                candidates: vec!["data.items".to_owned(), "data".to_owned()],
            }]
        );
    }

    #[test]
    fn unmarked_rows_are_at_the_top() {
        let mut rows = vec![
            row("code", "int", 1),
            row("data", "-", 2),
            row("items", "x[]", 3),
        ];
        rows[2].marked = true;
        let mut tail = row("msg", "string", 4);
        tail.marked = false;
        rows.push(tail);
        let (fields, _) = nest(rows, None);
        assert_eq!(shape(&fields), "code data(items) msg");
    }
}
