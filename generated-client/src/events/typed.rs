//! Typed events: the generated `Event` decodes a delivery's `event` object through [`decode_event`], and
//! [`Delivery::event`] gives it for a received delivery.

use crate::lenient;
use crate::response::without_values;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::fmt;

/// A delivery's `event` object that does not have its event's documented shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDecodeError {
    event_type: String,
    path: String,
    message: String,
}

impl EventDecodeError {
    /// The event type.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// Where in the `event` object decoding failed (`event.stage.type`); `event` is the whole object.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was wrong there, in serde's words, without the value.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EventDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot decode the event at `{}`: {}",
            self.event_type, self.path, self.message
        )
    }
}

impl std::error::Error for EventDecodeError {}

/// Decodes `event` (a delivery's `event` object, as sent) as `T`, the event of `event_type`: strictly first,
/// then, if that fails, as leniently as answers are read (an integer in quotes, an integral float), so that an
/// event decodes whenever its answer twin would.
#[doc(hidden)]
pub fn decode_event<T: DeserializeOwned>(
    event_type: &str,
    event: &RawValue,
) -> Result<T, EventDecodeError> {
    let strict = {
        let mut json = serde_json::Deserializer::from_str(event.get());
        serde_path_to_error::deserialize::<_, T>(&mut json)
    };
    let first = match strict {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    lenient::from_str::<T>("event", "event", event.get()).map_err(|_| {
        // The strict error names the place as the spec types it.
        EventDecodeError {
            event_type: event_type.to_owned(),
            path: event_path(first.path().to_string()),
            message: without_value(&first.inner().to_string()),
        }
    })
}

/// serde_path_to_error's path (`stage.type`, `.` for the top) under `event`.
fn event_path(path: String) -> String {
    if path == "." {
        "event".to_owned()
    } else {
        format!("event.{path}")
    }
}

/// serde's message without the values it quotes (an event may carry personal data, and errors are logged), and
/// without the line and column of the object's own text.
fn without_value(message: &str) -> String {
    without_values(message.split(" at line ").next().unwrap_or(message))
}
