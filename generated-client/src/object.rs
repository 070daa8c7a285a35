//! Reading and writing a generated object type as JSON, field by field.
//!
//! The generated structs whose fields are all optional get `Deserialize` and `Serialize` from [`fields!`]:
//! reading is one `match` from wire name to field (the [`Fields`] trait), with a single generic visitor doing the
//! rest; writing is one line per field that is set. The result is what serde's derives give with
//! `skip_serializing_if = "Option::is_none"` on every field (absent fields `None`, `null` read as `None`,
//! unknown fields skipped, errors naming what was expected), for a fraction of the code: no field enum, no
//! visitor and no sequence form per struct, and no attribute per field. That makes the crate much cheaper to
//! compile for every service that depends on it. Two differences: a key that appears twice keeps its last value,
//! and an object is never read from a JSON array of its fields in order.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// An object type read field by field. Implemented by [`fields!`] for generated structs.
pub trait Fields<'de>: Default {
    /// The type's name, for errors (`expected struct Job`).
    const NAME: &'static str;

    /// Reads the value of the field whose wire name is `key` from `map`; a key the type does not have is read
    /// and ignored.
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// Deserializes `T` from a JSON object.
pub fn deserialize<'de, D: Deserializer<'de>, T: Fields<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Fields<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            value.field(&key.0, &mut map)?;
        }
        Ok(value)
    }
}

/// An object key, borrowed from the input where it can be.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_owned())))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key)))
    }
}

/// Implements [`Fields`], `Deserialize` and `Serialize` (leaving out the fields that are `None`) of a struct
/// whose fields are all `Option`s:
/// `fields!(Job { id, title, r#type = "type" })`, each field by its Rust name, followed by its wire name where
/// the two differ.
macro_rules! fields {
    ($name:ident { $($field:ident $(= $wire:literal)?),* $(,)? }) => {
        // A deprecated field is still read.
        #[allow(deprecated)]
        impl<'de> crate::object::Fields<'de> for $name {
            const NAME: &'static str = stringify!($name);

            fn field<A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
                match key {
                    $(crate::object::wire!($field $(= $wire)?) => crate::object::read(map, &mut self.$field),)*
                    _ => crate::object::skip(map),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::object::deserialize(deserializer)
            }
        }

        #[allow(deprecated)]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let set = 0 $(+ usize::from(self.$field.is_some()))*;
                // A struct without fields writes none.
                #[allow(unused_mut)]
                let mut object = crate::object::Writer::new(serializer, stringify!($name), set);
                $(object.field(crate::object::wire!($field $(= $wire)?), &self.$field);)*
                object.end()
            }
        }
    };
}

/// The wire name of a field in [`fields!`]: the one given, or the Rust name.
macro_rules! wire {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident = $wire:literal) => {
        $wire
    };
}

pub(crate) use {fields, wire};

// `fields!` expands to one line per field, calling the functions below: a call per field costs the compiler less
// than the same work written out (a `?` and an `if let` per field), in every struct of every crate that depends
// on this one.

/// Reads the value of one field.
pub(crate) fn read<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    field: &mut T,
) -> Result<(), A::Error> {
    *field = map.next_value()?;
    Ok(())
}

/// Reads and ignores the value of a key the type does not have.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// Writes the fields of a struct that are set. The first error ends the writing, and [`Writer::end`] returns it.
pub(crate) struct Writer<S: Serializer> {
    state: Result<S::SerializeStruct, S::Error>,
}

impl<S: Serializer> Writer<S> {
    pub(crate) fn new(serializer: S, name: &'static str, fields_set: usize) -> Self {
        Writer {
            state: serializer.serialize_struct(name, fields_set),
        }
    }

    /// Writes `value` under `key` when it is set.
    pub(crate) fn field<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let (Ok(object), Some(value)) = (&mut self.state, value) {
            if let Err(e) = object.serialize_field(key, value) {
                self.state = Err(e);
            }
        }
    }

    pub(crate) fn end(self) -> Result<S::Ok, S::Error> {
        self.state.and_then(SerializeStruct::end)
    }
}
