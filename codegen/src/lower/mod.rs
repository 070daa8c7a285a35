//! Stage 2: lower the OpenAPI document into the generator's model, checking everything the emitter relies on.
//! Anything unsupported becomes an [`Error`] with the JSON pointer of the node.
//!
//! One file per concern: `schemas.rs` (component schemas, structs, enums), `operations.rs` (paths, operations,
//! parameters, request bodies), `responses.rs` (the envelope, `data`, error codes, pagination) and
//! `extensions.rs` (the spec's `x-` keys, read into typed structs).

mod events;
mod extensions;
mod names;
mod operations;
mod responses;
mod schemas;

use crate::error::{Error, Pointer};
use crate::model::{Api, Enum, Rules, Struct, Type};
use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind};
use serde_json::Value;
use std::collections::BTreeMap;

type Result<T, E = Error> = std::result::Result<T, E>;

const REF_PREFIX: &str = "#/components/schemas/";

/// Lowers `spec` (read from `file`) into the model.
pub fn lower(file: &str, spec: &OpenAPI) -> Result<Api> {
    let mut lowerer = Lowerer {
        file,
        spec,
        declared: BTreeMap::new(),
        names: BTreeMap::new(),
        structs: BTreeMap::new(),
        enums: BTreeMap::new(),
    };
    lowerer.check_rust_name_places()?;
    lowerer.declare_components()?;
    lowerer.lower_components()?;
    let mut operations = lowerer.lower_operations()?;
    // Decisions that need every struct: which fields are boxed, which structs have a default, and what the
    // operations' bodies and checks look like given both.
    schemas::box_recursive_fields(&mut lowerer.structs);
    schemas::mark_defaults(&mut lowerer.structs);
    for operation in &mut operations {
        operations::finish(operation, &lowerer.structs);
    }
    let error_codes = lowerer.collect_error_codes(&operations)?;
    let events = lowerer.lower_events()?;
    Ok(Api {
        title: spec.info.title.clone(),
        structs: lowerer.structs.into_values().collect(),
        enums: lowerer.enums.into_values().collect(),
        operations,
        error_codes,
        events,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Struct,
    Enum,
    Envelope,
}

struct Declared {
    rust: String,
    kind: Kind,
}

struct Lowerer<'a> {
    file: &'a str,
    spec: &'a OpenAPI,
    /// Component schemas by key.
    declared: BTreeMap<String, Declared>,
    /// Every Rust type name handed out, with the node it came from.
    names: BTreeMap<String, Pointer>,
    structs: BTreeMap<String, Struct>,
    enums: BTreeMap<String, Enum>,
}

impl<'a> Lowerer<'a> {
    fn err(&self, at: &Pointer, message: impl Into<String>) -> Error {
        Error::at(self.file, at, message)
    }

    /// Reserves `rust` as a type name for the node at `at`; a second node wanting the same name is an error.
    fn claim_type_name(&mut self, rust: &str, at: &Pointer) -> Result<()> {
        if let Some(first) = self.names.get(rust) {
            return Err(self.err(
                at,
                format!("the Rust type name `{rust}` is already used by {first}; rename one of them in the spec"),
            ));
        }
        self.names.insert(rust.to_owned(), at.clone());
        Ok(())
    }

    fn components(&self) -> Option<&'a openapiv3::Components> {
        self.spec.components.as_ref()
    }

    /// What the spec says of one value besides its type: its default, its example and its limits. A schema that
    /// only refers to a component (`$ref`, or `allOf` with one `$ref`) takes from the component what it does not
    /// say itself.
    fn value_facts<S: std::borrow::Borrow<Schema>>(&self, schema: &ReferenceOr<S>) -> ValueFacts {
        let mut facts = ValueFacts::default();
        let mut next = match schema {
            ReferenceOr::Reference { reference } => self.component(reference),
            ReferenceOr::Item(schema) => Some(schema.borrow()),
        };
        // Components may refer on to components; a loop of references ends at the bound.
        for _ in 0..8 {
            let Some(schema) = next.take() else { break };
            let data = &schema.schema_data;
            facts.default = facts
                .default
                .or_else(|| data.default.as_ref().map(value_text));
            facts.example = facts.example.or_else(|| data.example.clone());
            facts.rules = facts.rules.or(rules_of(schema));
            if let SchemaKind::AllOf { all_of } = &schema.schema_kind {
                if let [one] = all_of.as_slice() {
                    next = match one {
                        ReferenceOr::Reference { reference } => self.component(reference),
                        ReferenceOr::Item(schema) => Some(schema),
                    };
                }
            }
        }
        facts
    }

    /// The component schema a `$ref` names, if it names one.
    fn component(&self, reference: &str) -> Option<&'a Schema> {
        let key = reference.strip_prefix(REF_PREFIX)?;
        match self.components()?.schemas.get(key)? {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { .. } => None,
        }
    }
}

/// See [`Lowerer::value_facts`].
#[derive(Default)]
struct ValueFacts {
    default: Option<String>,
    example: Option<Value>,
    rules: Rules,
}

/// How a refusal names the kind of schema it found: `type: string`, `type: strng`, `oneOf`, no `type`.
fn kind_of(schema: &Schema) -> String {
    let ty = match &schema.schema_kind {
        SchemaKind::Type(openapiv3::Type::String(_)) => "string",
        SchemaKind::Type(openapiv3::Type::Number(_)) => "number",
        SchemaKind::Type(openapiv3::Type::Integer(_)) => "integer",
        SchemaKind::Type(openapiv3::Type::Boolean(_)) => "boolean",
        SchemaKind::Type(openapiv3::Type::Array(_)) => "array",
        SchemaKind::Type(openapiv3::Type::Object(_)) => "object",
        SchemaKind::OneOf { .. } => return "`oneOf`".to_owned(),
        SchemaKind::AllOf { .. } => return "`allOf`".to_owned(),
        SchemaKind::AnyOf { .. } => return "`anyOf`".to_owned(),
        SchemaKind::Not { .. } => return "`not`".to_owned(),
        SchemaKind::Any(any) => match &any.typ {
            Some(ty) => return format!("`type: {ty}`"),
            None => return "no `type`".to_owned(),
        },
    };
    format!("`type: {ty}`")
}

/// How a refusal names a lowered type: `string`, `integer (i64)`, `list of string`, `object Job`.
fn type_text(ty: &Type) -> String {
    match ty {
        Type::String => "string".to_owned(),
        Type::Bool => "boolean".to_owned(),
        Type::I32 => "integer (i32)".to_owned(),
        Type::I64 => "integer (i64)".to_owned(),
        Type::F64 => "number".to_owned(),
        Type::Json => "free-form JSON".to_owned(),
        Type::Struct(name) => format!("object `{name}`"),
        Type::Enum(name) => format!("enum `{name}`"),
        Type::List(inner) => format!("list of {}", type_text(inner)),
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The documented limits of a schema, checked before a request carrying it is sent.
fn rules_of(schema: &Schema) -> Rules {
    let mut rules = Rules::default();
    match &schema.schema_kind {
        SchemaKind::Type(openapiv3::Type::Integer(i)) => {
            rules.minimum = i.minimum;
            rules.maximum = i.maximum;
        }
        SchemaKind::Type(openapiv3::Type::String(s)) => {
            rules.min_length = s.min_length.map(|n| n as u64);
            rules.max_length = s.max_length.map(|n| n as u64);
        }
        SchemaKind::Type(openapiv3::Type::Array(a)) => {
            rules.min_items = a.min_items.map(|n| n as u64);
            rules.max_items = a.max_items.map(|n| n as u64);
        }
        _ => {}
    }
    rules
}
