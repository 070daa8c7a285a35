//! Integers whose documented examples do not fit 32 bits: pages write `int` for millisecond timestamps
//! (`1637596800000`), which an `int32` cannot hold, so the draft follows the examples to each integer they give a
//! value for and makes it `int64` where a value needs it.

use serde_yaml::{Mapping, Value};

/// Widens to `int64` every `int32` of the drafted schema `root` (and the drafted schemas it refers to) whose
/// value in `example` does not fit 32 bits.
pub(super) fn widen_to_example(schemas: &mut Mapping, root: &str, example: &Value) {
    let mut found = Vec::new();
    if let Some(schema) = schemas.get(root) {
        visit(schemas, root, &mut Vec::new(), schema, example, &mut found);
    }
    for (name, path) in found {
        let mut at = schemas.get_mut(name.as_str());
        for key in &path {
            at = at.and_then(|v| v.get_mut(key));
        }
        if let Some(Value::Mapping(integer)) = at {
            integer.insert("format".into(), "int64".into());
        }
    }
}

/// Whether `value` is an integer outside the 32-bit range.
pub(super) fn needs_64_bits(value: &Value) -> bool {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map_or(n.as_u64().is_some(), |n| i32::try_from(n).is_err()),
        _ => false,
    }
}

/// The drafted schema a schema refers to (`$ref`, or `allOf` of one `$ref`), by name.
fn reference(schema: &Value) -> Option<&str> {
    let target = schema.get("$ref").or_else(|| {
        schema
            .get("allOf")
            .and_then(Value::as_sequence)
            .and_then(|all| all.first())
            .and_then(|first| first.get("$ref"))
    })?;
    target.as_str()?.strip_prefix("#/components/schemas/")
}

fn visit(
    schemas: &Mapping,
    name: &str,
    path: &mut Vec<String>,
    schema: &Value,
    example: &Value,
    found: &mut Vec<(String, Vec<String>)>,
) {
    if let Some(target) = reference(schema) {
        if let Some(referred) = schemas.get(target) {
            visit(schemas, target, &mut Vec::new(), referred, example, found);
        }
        return;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => {
            let narrow = schema.get("format").and_then(Value::as_str) != Some("int64");
            if narrow && needs_64_bits(example) {
                found.push((name.to_owned(), path.clone()));
            }
        }
        Some("array") => {
            if let (Some(items), Some(values)) = (schema.get("items"), example.as_sequence()) {
                path.push("items".to_owned());
                for value in values {
                    visit(schemas, name, path, items, value, found);
                }
                path.pop();
            }
        }
        _ => {
            if let (Some(properties), Some(values)) =
                (schema.get("properties"), example.as_mapping())
            {
                for (key, value) in values {
                    let Some(key) = key.as_str() else { continue };
                    if let Some(property) = properties.get(key) {
                        path.extend(["properties".to_owned(), key.to_owned()]);
                        visit(schemas, name, path, property, value, found);
                        path.truncate(path.len() - 2);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_their_examples_through_references_and_lists() {
        let mut schemas: Mapping = serde_yaml::from_str(
            "Data: {type: object, properties: {items: {type: array, items: {$ref: '#/components/schemas/Item'}}, \
             count: {type: integer, format: int32}}}\n\
             Item: {type: object, properties: {created: {type: integer, format: int32}, \
             rank: {type: integer, format: int32}}}\n",
        )
        .expect("YAML");
        let example: Value = serde_yaml::from_str(
            "{count: 3, items: [{created: 1637596800000, rank: 1}, {rank: 2}]}",
        )
        .expect("YAML");
        widen_to_example(&mut schemas, "Data", &example);
        let format = |v: &Value| v["format"].as_str().unwrap_or_default().to_owned();
        assert_eq!(format(&schemas["Item"]["properties"]["created"]), "int64");
        assert_eq!(format(&schemas["Item"]["properties"]["rank"]), "int32");
        assert_eq!(format(&schemas["Data"]["properties"]["count"]), "int32");
    }
}
