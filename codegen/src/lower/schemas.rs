//! Component schemas: declaring their Rust names, and lowering objects into structs and enums into open enums.

use super::extensions::SchemaExtensions;
use super::names::quoted;
use super::{kind_of, Declared, Kind, Lowerer, Result, REF_PREFIX};
use crate::error::Pointer;
use crate::model::{Enum, EnumRepr, Field, Struct, Type, Variant, WireValue};
use crate::naming::{self, Scope};
use openapiv3::{IntegerFormat, ReferenceOr, Schema, SchemaKind, VariantOrUnknownOrEmpty};
use std::collections::{BTreeMap, BTreeSet};

impl Lowerer<'_> {
    pub(super) fn declare_components(&mut self) -> Result<()> {
        let Some(components) = self.components() else {
            return Ok(());
        };
        let base = Pointer::root().join("components").join("schemas");
        for (key, schema) in &components.schemas {
            let at = base.join(key);
            let schema = match schema {
                ReferenceOr::Item(schema) => schema,
                ReferenceOr::Reference { .. } => {
                    return Err(self.err(&at, "a component schema that is only a $ref is not supported; refer to the target directly"))
                }
            };
            let ext: SchemaExtensions = self.extensions(&schema.schema_data.extensions, &at)?;
            if schema.schema_data.deprecated {
                return Err(self.err(
                    &at.join("deprecated"),
                    "`deprecated` is supported on operations and properties, not on a whole component schema",
                ));
            }
            let kind = if ext.envelope {
                Kind::Envelope
            } else if has_enum(schema) {
                Kind::Enum
            } else if is_object(schema) {
                Kind::Struct
            } else {
                return Err(self.err(
                    &at,
                    format!(
                        "a component schema must be an object or an enum, found {}",
                        kind_of(schema)
                    ),
                ));
            };
            let rust = naming::type_name(key);
            if kind != Kind::Envelope {
                self.claim_type_name(&rust, &at)?;
            }
            self.declared.insert(key.clone(), Declared { rust, kind });
        }
        Ok(())
    }

    pub(super) fn lower_components(&mut self) -> Result<()> {
        let Some(components) = self.components() else {
            return Ok(());
        };
        let base = Pointer::root().join("components").join("schemas");
        for (key, schema) in &components.schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let at = base.join(key);
            let Some(declared) = self.declared.get(key) else {
                continue;
            };
            let rust = declared.rust.clone();
            match declared.kind {
                Kind::Envelope => self.check_envelope(schema, &at)?,
                Kind::Enum => self.lower_enum(&rust, schema, &at)?,
                Kind::Struct => self.lower_struct(&rust, schema, &at)?,
            }
        }
        Ok(())
    }

    // ---- schemas -----------------------------------------------------------------------------------------------

    /// The type of a schema used as a field, item, parameter or body. `hint` names an inline object or enum.
    pub(super) fn resolve(
        &mut self,
        schema: &ReferenceOr<Schema>,
        at: &Pointer,
        hint: &str,
    ) -> Result<Type> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve_ref(reference, at),
            ReferenceOr::Item(schema) => self.resolve_schema(schema, at, hint),
        }
    }

    pub(super) fn resolve_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        at: &Pointer,
        hint: &str,
    ) -> Result<Type> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve_ref(reference, at),
            ReferenceOr::Item(schema) => self.resolve_schema(schema, at, hint),
        }
    }

    fn resolve_ref(&self, reference: &str, at: &Pointer) -> Result<Type> {
        let at = at.join("$ref");
        let Some(key) = reference.strip_prefix(REF_PREFIX) else {
            return Err(self.err(
                &at,
                format!("unsupported $ref `{reference}`; only `{REF_PREFIX}<name>` is supported"),
            ));
        };
        let Some(declared) = self.declared.get(key) else {
            return Err(self.err(&at, format!("unknown $ref `{reference}`: there is no schema `{key}` under components/schemas")));
        };
        match declared.kind {
            Kind::Struct => Ok(Type::Struct(declared.rust.clone())),
            Kind::Enum => Ok(Type::Enum(declared.rust.clone())),
            Kind::Envelope => Err(self.err(
                &at,
                format!("`{reference}` is the x-envelope schema; it can only wrap a 200 response"),
            )),
        }
    }

    fn resolve_schema(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> Result<Type> {
        self.extensions::<SchemaExtensions>(&schema.schema_data.extensions, at)?;
        match &schema.schema_kind {
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => self.resolve(&all_of[0], &at.join("allOf").join(0), hint),
            SchemaKind::AllOf { all_of } => Err(self.err(
                &at.join("allOf"),
                format!("unsupported schema construct: allOf with {} members (only a single $ref, to attach a description or default)", all_of.len()),
            )),
            SchemaKind::OneOf { .. } => Err(self.err(&at.join("oneOf"), "unsupported schema construct: oneOf")),
            SchemaKind::AnyOf { .. } => Err(self.err(&at.join("anyOf"), "unsupported schema construct: anyOf")),
            SchemaKind::Not { .. } => Err(self.err(&at.join("not"), "unsupported schema construct: not")),
            SchemaKind::Any(any) => {
                if *any == openapiv3::AnySchema::default() {
                    Ok(Type::Json)
                } else {
                    Err(self.err(at, format!("schema has no supported `type`: found {} (use string, integer, number, boolean, array or object)", kind_of(schema))))
                }
            }
            SchemaKind::Type(ty) => match ty {
                _ if has_enum(schema) => {
                    let name = naming::type_name(hint);
                    self.claim_type_name(&name, at)?;
                    self.lower_enum(&name, schema, at)?;
                    Ok(Type::Enum(name))
                }
                openapiv3::Type::String(string)
                    if string.format
                        == VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary) =>
                {
                    Err(self.err(
                        at,
                        "a file (`format: binary`) can only be a part of a `multipart/form-data` request body",
                    ))
                }
                openapiv3::Type::String(_) => Ok(Type::String),
                openapiv3::Type::Boolean(_) => Ok(Type::Bool),
                openapiv3::Type::Number(_) => Ok(Type::F64),
                openapiv3::Type::Integer(integer) => match &integer.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => Ok(Type::I32),
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) | VariantOrUnknownOrEmpty::Empty => Ok(Type::I64),
                    VariantOrUnknownOrEmpty::Unknown(format) => {
                        Err(self.err(&at.join("format"), format!("unknown integer format `{format}` (use int32 or int64)")))
                    }
                },
                openapiv3::Type::Array(array) => match &array.items {
                    Some(items) => {
                        let item = self.resolve_boxed(items, &at.join("items"), &naming::inline_hint(hint, naming::InlinePart::Item))?;
                        Ok(Type::List(Box::new(item)))
                    }
                    None => Err(self.err(at, "array schema without `items`")),
                },
                openapiv3::Type::Object(object) if object.properties.is_empty() => Ok(Type::Json),
                openapiv3::Type::Object(_) => {
                    let name = naming::type_name(hint);
                    self.claim_type_name(&name, at)?;
                    self.lower_struct(&name, schema, at)?;
                    Ok(Type::Struct(name))
                }
            },
        }
    }

    fn lower_struct(&mut self, name: &str, schema: &Schema, at: &Pointer) -> Result<()> {
        let SchemaKind::Type(openapiv3::Type::Object(object)) = &schema.schema_kind else {
            return Err(self.err(
                at,
                format!("expected an object schema, found {}", kind_of(schema)),
            ));
        };
        for required in &object.required {
            if !object.properties.contains_key(required) {
                return Err(self.err(
                    &at.join("required"),
                    format!("required property `{required}` is not among the properties"),
                ));
            }
        }
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        for (wire, property) in &object.properties {
            let field_at = at.join("properties").join(wire);
            let ty = self.resolve_boxed(
                property,
                &field_at,
                &naming::inline_hint(name, naming::InlinePart::Field(wire)),
            )?;
            let (doc, deprecated, chosen) = match property {
                ReferenceOr::Item(schema) => {
                    let data = &schema.schema_data;
                    let ext: SchemaExtensions = self.extensions(&data.extensions, &field_at)?;
                    let replacement = ext.replacement.as_deref();
                    let deprecated = self.deprecation(data.deprecated, replacement, &field_at)?;
                    (data.description.clone(), deprecated, ext.rust_name)
                }
                ReferenceOr::Reference { .. } => (None, None, None),
            };
            let name = self.claim_rust_name(
                &mut scope,
                chosen.as_deref(),
                wire,
                &format!("property `{wire}`"),
                &field_at,
            )?;
            let facts = self.value_facts(property);
            fields.push(Field {
                name,
                wire: wire.clone(),
                ty,
                required: object.required.contains(wire),
                doc,
                rules: facts.rules,
                boxed: false,
                deprecated,
                default: facts.default,
                example: facts.example,
            });
        }
        let ext: SchemaExtensions = self.extensions(&schema.schema_data.extensions, at)?;
        let mut exclusive = Vec::new();
        for (i, group) in ext.mutually_exclusive.iter().enumerate() {
            let group_at = at.join("x-mutually-exclusive").join(i);
            let mut rust = Vec::new();
            for wire in group {
                let field = fields.iter().find(|f| &f.wire == wire).ok_or_else(|| {
                    self.err(
                        &group_at,
                        format!("x-mutually-exclusive names `{wire}`, which is not a property"),
                    )
                })?;
                rust.push(field.name.clone());
            }
            exclusive.push(rust);
        }
        let doc = schema.schema_data.description.clone();
        let read_by_fields = fields.iter().all(|f| !f.required);
        self.structs.insert(
            name.to_owned(),
            Struct {
                name: name.to_owned(),
                doc,
                fields,
                exclusive,
                derive_default: false,
                read_by_fields,
            },
        );
        Ok(())
    }

    fn lower_enum(&mut self, name: &str, schema: &Schema, at: &Pointer) -> Result<()> {
        let (repr, values): (EnumRepr, Vec<WireValue>) = match &schema.schema_kind {
            SchemaKind::Type(openapiv3::Type::String(s)) => {
                let values = s
                    .enumeration
                    .iter()
                    .map(|v| v.clone().map(WireValue::String).ok_or(()))
                    .collect::<Result<_, _>>();
                (
                    EnumRepr::String,
                    values.map_err(|()| {
                        self.err(&at.join("enum"), "null is not supported as an enum value")
                    })?,
                )
            }
            SchemaKind::Type(openapiv3::Type::Integer(i)) => {
                let values = i
                    .enumeration
                    .iter()
                    .map(|v| v.map(WireValue::Integer).ok_or(()))
                    .collect::<Result<_, _>>();
                (
                    EnumRepr::Integer,
                    values.map_err(|()| {
                        self.err(&at.join("enum"), "null is not supported as an enum value")
                    })?,
                )
            }
            _ => {
                return Err(self.err(
                    &at.join("enum"),
                    "only string and integer enums are supported",
                ))
            }
        };
        let ext: SchemaExtensions = self.extensions(&schema.schema_data.extensions, at)?;
        let chosen = ext.enum_varnames.is_some();
        let names = match ext.enum_varnames {
            Some(names) => names,
            None if repr == EnumRepr::String => values.iter().map(WireValue::to_string).collect(),
            None => {
                return Err(self.err(
                    at,
                    "integer enum without variant names: add `x-enum-varnames` with one Rust name per value",
                ))
            }
        };
        if names.len() != values.len() {
            return Err(self.err(
                &at.join("x-enum-varnames"),
                format!(
                    "x-enum-varnames has {} names for {} enum values",
                    names.len(),
                    values.len()
                ),
            ));
        }
        let docs = match ext.enum_descriptions {
            Some(docs) => {
                if docs.len() != values.len() {
                    return Err(self.err(
                        &at.join("x-enum-descriptions"),
                        format!(
                            "x-enum-descriptions has {} entries for {} enum values",
                            docs.len(),
                            values.len()
                        ),
                    ));
                }
                docs.into_iter().map(Some).collect()
            }
            None => vec![None; values.len()],
        };
        let mut variants: Vec<Variant> = Vec::new();
        for (i, ((value, raw_name), doc)) in values.into_iter().zip(names).zip(docs).enumerate() {
            if variants.iter().any(|v| v.value == value) {
                return Err(self.err(
                    &at.join("enum").join(i),
                    format!("enum value `{value}` is listed twice"),
                ));
            }
            let rust = naming::variant_name(&raw_name);
            if chosen && rust != raw_name {
                return Err(self.err(
                    &at.join("x-enum-varnames").join(i),
                    format!(
                        "x-enum-varnames name {} is not an UpperCamelCase Rust name (try `{rust}`)",
                        quoted(&raw_name)
                    ),
                ));
            }
            if let Some(other) = variants.iter().find(|v| v.name == rust) {
                let (first, value) = (quoted(&other.value.to_string()), quoted(&value.to_string()));
                return Err(if chosen {
                    self.err(
                        &at.join("x-enum-varnames").join(i),
                        format!("x-enum-varnames gives the variant name `{rust}` to both enum values {first} and {value}; give each value a name of its own"),
                    )
                } else {
                    self.err(
                        &at.join("enum").join(i),
                        format!("enum values {first} and {value} both give the variant name `{rust}`; name the variants with `x-enum-varnames` (one UpperCamelCase name per value, in the order of `enum`), so that neither name depends on the order of the spec"),
                    )
                });
            }
            variants.push(Variant {
                name: rust,
                value,
                doc,
            });
        }
        let doc = schema.schema_data.description.clone();
        self.enums.insert(
            name.to_owned(),
            Enum {
                name: name.to_owned(),
                doc,
                repr,
                variants,
            },
        );
        Ok(())
    }
}

/// Boxes every field through which a struct contains itself, directly or through other structs, so the Rust
/// type has a finite size. Lists already live on the heap and break cycles.
///
/// A field of `s` naming `t` leads back to `s` exactly when `s` and `t` reach each other: when they are in one
/// strongly connected component of the graph of struct fields. The components are found once, in time linear
/// in the number of fields, without recursion, however long a chain of structs is.
pub(super) fn box_recursive_fields(structs: &mut BTreeMap<String, Struct>) {
    let index: BTreeMap<&str, usize> = structs
        .values()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = structs
        .values()
        .map(|s| {
            s.fields
                .iter()
                .filter_map(|f| match &f.ty {
                    Type::Struct(target) => index.get(target.as_str()).copied(),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let component = strongly_connected(&edges);
    let mut boxed = Vec::new();
    for (from, s) in structs.values().enumerate() {
        for (i, field) in s.fields.iter().enumerate() {
            if let Type::Struct(target) = &field.ty {
                let back = target == &s.name
                    || index
                        .get(target.as_str())
                        .is_some_and(|&to| component[to] == component[from]);
                if back {
                    boxed.push((s.name.clone(), i));
                }
            }
        }
    }
    for (name, i) in boxed {
        if let Some(field) = structs.get_mut(&name).and_then(|s| s.fields.get_mut(i)) {
            field.boxed = true;
        }
    }
}

/// The strongly connected component of each node of a graph given by its edges (two nodes share one when each
/// reaches the other): Tarjan's algorithm, with its own stack of calls instead of recursion.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let count = edges.len();
    let mut order = vec![UNSEEN; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut component = vec![UNSEEN; count];
    let mut stack = Vec::new();
    // Each node being visited, and the index of its next edge to follow.
    let mut calls: Vec<(usize, usize)> = Vec::new();
    let mut next_order = 0;
    let mut components = 0;
    for root in 0..count {
        if order[root] != UNSEEN {
            continue;
        }
        order[root] = next_order;
        low[root] = next_order;
        next_order += 1;
        stack.push(root);
        on_stack[root] = true;
        calls.push((root, 0));
        while let Some((node, edge)) = calls.last_mut() {
            let node = *node;
            if let Some(&next) = edges[node].get(*edge) {
                *edge += 1;
                if order[next] == UNSEEN {
                    order[next] = next_order;
                    low[next] = next_order;
                    next_order += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    calls.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(caller, _)) = calls.last() {
                low[caller] = low[caller].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = components;
                    if member == node {
                        break;
                    }
                }
                components += 1;
            }
        }
    }
    component
}

fn has_enum(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(openapiv3::Type::String(s)) => !s.enumeration.is_empty(),
        SchemaKind::Type(openapiv3::Type::Integer(i)) => !i.enumeration.is_empty(),
        SchemaKind::Type(openapiv3::Type::Number(n)) => !n.enumeration.is_empty(),
        SchemaKind::Type(openapiv3::Type::Boolean(b)) => !b.enumeration.is_empty(),
        _ => false,
    }
}

fn is_object(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(openapiv3::Type::Object(_))
    )
}

/// Marks the structs that derive `Default`: those whose required fields all have a default (enums have none).
///
/// A struct lacks one when a required field is an enum, a struct the spec does not have, or a struct that lacks
/// one: starting from the first two, the lack is followed back along required fields, each struct once.
pub(super) fn mark_defaults(structs: &mut BTreeMap<String, Struct>) {
    let lacking: BTreeSet<String> = {
        // For each struct, the structs that hold it in a required field.
        let mut holders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut lacking: BTreeSet<&str> = BTreeSet::new();
        let mut pending = Vec::new();
        for s in structs.values() {
            let mut lacks = false;
            for field in s.fields.iter().filter(|f| f.required) {
                match &field.ty {
                    Type::Struct(name) if structs.contains_key(name) => {
                        holders.entry(name).or_default().push(&s.name);
                    }
                    ty => lacks |= !has_default(ty, structs),
                }
            }
            if lacks && lacking.insert(&s.name) {
                pending.push(s.name.as_str());
            }
        }
        while let Some(name) = pending.pop() {
            for &holder in holders.get(name).into_iter().flatten() {
                if lacking.insert(holder) {
                    pending.push(holder);
                }
            }
        }
        lacking.into_iter().map(str::to_owned).collect()
    };
    for s in structs.values_mut() {
        s.derive_default = !lacking.contains(&s.name);
    }
}

fn has_default(ty: &Type, structs: &BTreeMap<String, Struct>) -> bool {
    match ty {
        Type::Enum(_) => false,
        Type::Struct(name) => structs.get(name).is_some_and(|s| s.derive_default),
        _ => true,
    }
}
