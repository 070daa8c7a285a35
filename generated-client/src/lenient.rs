//! Reading an answer whose numbers do not keep to their documented types, as the official SDKs do.
//!
//! Feishu's answers sometimes carry an integer as a string (`"3"`, an int64 in quotes), as a float (`3.0`), or
//! an id as a number where the spec says string. The strict read of an answer fails on such a value; the answer
//! is then read again through [`from_str`], which accepts, for an integer field (any width, in lists and in
//! integer enums too), a JSON string holding an integer and a float with no fractional part, and for a string
//! field a JSON integer, read as its decimal text. The field's own type still decides the range: `"2147483648"`
//! in an `i32` field, `"abc"` and `3.5` stay errors, at their path. Each value read this way logs one `tracing`
//! warning per operation and field path (`data.items[].create_time`, list indices left out), at most
//! [`MAX_WARNED_PATHS`] of them.
//!
//! It works on the deserializer, not the types: [`Lenient`] wraps serde_json's deserializer, so every type read
//! through it, the runtime's `fields!` structs, serde's derives, lists and enums alike, is read the same way.
//! Keeping the strict read first keeps the cost of the usual answer unchanged.

use crate::object::Key;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// How many (operation, field path) pairs the client remembers having warned about, process-wide. Past that a
/// last warning says so, and values read leniently at new paths are no longer logged: the set stays bounded
/// whatever the answers hold, and a path already warned about is never warned about again.
pub const MAX_WARNED_PATHS: usize = 1024;

/// The (operation, path) pairs already warned about, process-wide.
static WARNED: Mutex<Option<HashSet<(&'static str, String)>>> = Mutex::new(None);

/// Reads `text` as `T`, leniently (see the module's documentation), with path tracking for errors; `root` is
/// the path of `text` in the answer (`data`), for the warnings.
pub(crate) fn from_str<'de, T: de::Deserialize<'de>>(
    operation: &'static str,
    root: &str,
    text: &'de str,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    let context = Context {
        operation,
        path: RefCell::new(root.to_owned()),
    };
    let mut json = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(Lenient {
        inner: &mut json,
        context: &context,
    })
}

/// The operation, and the path of the value being read, without list indices.
struct Context {
    operation: &'static str,
    path: RefCell<String>,
}

impl Context {
    /// Logs that the value at the current path was `found` where the spec says `expected`, once per operation
    /// and path.
    fn warn(&self, found: &'static str, expected: &'static str) {
        let path = self.path.borrow();
        // Decided under the lock, logged after it: a subscriber never runs while the lock is held.
        let first = {
            let mut warned = WARNED.lock().unwrap_or_else(PoisonError::into_inner);
            let warned = warned.get_or_insert_with(HashSet::new);
            let key = (self.operation, path.clone());
            if warned.contains(&key) {
                return;
            }
            // Past the limit, remembering stops, and with it the warnings of paths not yet seen: bounded,
            // and never a flood. The one pair past the limit, remembered, says so once.
            if warned.len() > MAX_WARNED_PATHS {
                return;
            }
            warned.insert(key);
            warned.len() <= MAX_WARNED_PATHS
        };
        if first {
            tracing::warn!(
                operation = self.operation,
                path = path.as_str(),
                found,
                expected,
                "an answer holds a value of another JSON type than its spec says; read it as {expected} \
                 (logged once per operation and path)"
            );
        } else {
            tracing::warn!(
                limit = MAX_WARNED_PATHS,
                "values of another JSON type than their spec says were read at too many paths; no more are logged"
            );
        }
    }

    fn len(&self) -> usize {
        self.path.borrow().len()
    }

    fn truncate(&self, len: usize) {
        self.path.borrow_mut().truncate(len);
    }
}

/// What the type being read asked for.
#[derive(Clone, Copy)]
enum Want {
    /// Anything but a number or a string: nothing is converted, what is nested is read leniently.
    Other,
    /// An integer, of any width: its visitor checks the range.
    Integer,
    /// A string.
    Text,
}

/// A deserializer that reads leniently whatever the type asks of it.
struct Lenient<'c, D> {
    inner: D,
    context: &'c Context,
}

impl<'c, D> Lenient<'c, D> {
    fn visit<V>(&self, inner: V, want: Want) -> Visit<'c, V> {
        Visit {
            inner,
            context: self.context,
            want,
        }
    }
}

/// The integer requests of a deserializer, each read from whatever JSON value is there.
macro_rules! integers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                let visit = self.visit(visitor, Want::Integer);
                self.inner.deserialize_any(visit)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Lenient<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visit = self.visit(visitor, Want::Other);
        self.inner.deserialize_any(visit)
    }

    integers!(
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    );

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visit = self.visit(visitor, Want::Text);
        self.inner.deserialize_any(visit)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visit = self.visit(visitor, Want::Text);
        self.inner.deserialize_any(visit)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visit = self.visit(visitor, Want::Other);
        self.inner.deserialize_option(visit)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visit = self.visit(visitor, Want::Other);
        self.inner.deserialize_newtype_struct(name, visit)
    }

    // Enums keep serde_json's own reading, which is not a plain value's; the generated code has no enum with
    // data, and its open enums read an integer or a string, above.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_enum(name, variants, visitor)
    }

    // What is skipped is not read, so nothing in it needs converting or a path.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_ignored_any(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_bytes(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_byte_buf(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }

    // serde_json reads these as it reads any value.
    serde::forward_to_deserialize_any! {
        bool f32 f64 char unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// A visitor that converts what its type wants from the JSON value found, and reads what is nested leniently.
struct Visit<'c, V> {
    inner: V,
    context: &'c Context,
    want: Want,
}

/// Keeps `value`, read by converting what was `found` into what was wanted, and says so once for this path.
fn converted<T, E>(
    context: &Context,
    want: Want,
    value: Result<T, E>,
    found: &'static str,
) -> Result<T, E> {
    if value.is_ok() {
        let expected = match want {
            Want::Text => "a string",
            Want::Integer | Want::Other => "an integer",
        };
        context.warn(found, expected);
    }
    value
}

/// The largest integer plus one that a `u64` holds, as a float (2^64).
const U64_END: f64 = 18_446_744_073_709_551_616.0;
/// The smallest integer an `i64` holds, as a float (-2^63).
const I64_START: f64 = -9_223_372_036_854_775_808.0;

impl<'de, V: Visitor<'de>> Visitor<'de> for Visit<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        self.inner.visit_bool(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        match self.want {
            Want::Text => {
                let value = self.inner.visit_string(v.to_string());
                converted(self.context, self.want, value, "a number")
            }
            _ => self.inner.visit_i64(v),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        match self.want {
            Want::Text => {
                let value = self.inner.visit_string(v.to_string());
                converted(self.context, self.want, value, "a number")
            }
            _ => self.inner.visit_u64(v),
        }
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<V::Value, E> {
        self.inner.visit_i128(v)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<V::Value, E> {
        self.inner.visit_u128(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        // A float is an integer when it has no fractional part and an `i64` or a `u64` holds it; the field's
        // visitor checks its own range.
        let integral = matches!(self.want, Want::Integer)
            && v.is_finite()
            && v.fract() == 0.0
            && (I64_START..U64_END).contains(&v);
        if !integral {
            return self.inner.visit_f64(v);
        }
        let (context, want) = (self.context, self.want);
        // Casts are exact here: `v` is integral and within the target's range.
        let value = if v >= 0.0 {
            self.inner.visit_u64(v as u64)
        } else {
            self.inner.visit_i64(v as i64)
        };
        converted(context, want, value, "a float")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        match self.integer_in(v) {
            Some(n) => self.integer(n),
            None => self.inner.visit_str(v),
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        match self.integer_in(v) {
            Some(n) => self.integer(n),
            None => self.inner.visit_borrowed_str(v),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        match self.integer_in(&v) {
            Some(n) => self.integer(n),
            None => self.inner.visit_string(v),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.inner.visit_bytes(v)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.inner.visit_borrowed_bytes(v)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        self.inner.visit_byte_buf(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Lenient {
            inner: deserializer,
            context: self.context,
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Lenient {
            inner: deserializer,
            context: self.context,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let base = self.context.len();
        self.inner.visit_seq(Seq {
            inner: seq,
            context: self.context,
            base,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let base = self.context.len();
        self.inner.visit_map(Map {
            inner: map,
            context: self.context,
            base,
        })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(data)
    }
}

/// An integer written as a string.
enum Integer {
    Signed(i64),
    Unsigned(u64),
}

impl<'de, V: Visitor<'de>> Visit<'_, V> {
    /// The integer `text` holds, when an integer is wanted: decimal digits with an optional sign, nothing else.
    fn integer_in(&self, text: &str) -> Option<Integer> {
        if !matches!(self.want, Want::Integer) {
            return None;
        }
        text.parse()
            .map(Integer::Signed)
            .or_else(|_| text.parse().map(Integer::Unsigned))
            .ok()
    }

    fn integer<E: de::Error>(self, n: Integer) -> Result<V::Value, E> {
        let (context, want) = (self.context, self.want);
        let value = match n {
            Integer::Signed(n) => self.inner.visit_i64(n),
            Integer::Unsigned(n) => self.inner.visit_u64(n),
        };
        converted(context, want, value, "a string")
    }
}

/// The items of a list, each read leniently at `path[]`.
struct Seq<'c, A> {
    inner: A,
    context: &'c Context,
    base: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.context.truncate(self.base);
        self.context.path.borrow_mut().push_str("[]");
        let item = self.inner.next_element_seed(Seed {
            inner: seed,
            context: self.context,
        });
        self.context.truncate(self.base);
        item
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// The members of an object, each value read leniently at `path.key`.
struct Map<'c, A> {
    inner: A,
    context: &'c Context,
    base: usize,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.context.truncate(self.base);
        let Some(Key(key)) = self.inner.next_key::<Key<'de>>()? else {
            return Ok(None);
        };
        {
            let mut path = self.context.path.borrow_mut();
            path.push('.');
            path.push_str(&key);
        }
        match key {
            Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
            Cow::Owned(key) => seed.deserialize(key.into_deserializer()),
        }
        .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let value = self.inner.next_value_seed(Seed {
            inner: seed,
            context: self.context,
        });
        self.context.truncate(self.base);
        value
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A value of a list or an object, read leniently.
struct Seed<'c, S> {
    inner: S,
    context: &'c Context,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Lenient {
            inner: deserializer,
            context: self.context,
        })
    }
}
