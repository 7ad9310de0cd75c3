//! Schema evolution: [`EventSchema`] says which schema version each event
//! type is at and turns older payloads into current ones on read.
//!
//! Events are stored forever and their serde names never change. When an
//! event's shape must change, its schema version goes up by one and the
//! workflow gains an upcaster from the old version to the new one. Stored
//! events are never rewritten: [`load`](super::load) and
//! [`decode`](super::decode) apply the upcasters, one version at a time, as
//! they read.
//!
//! An upcaster is a pure function of the old payload: it must not call the
//! event store. [`load`](super::load) runs it while the store lends the
//! stream's rows, and the memory store holds its read lock meanwhile.
//!
//! ```
//! use grassroots::journal::{EventSchema, UpcastError, convert};
//! # use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
//! use serde::{Deserialize, Serialize};
//! use serde_json::{Value, json};
//!
//! # #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
//! # enum Event { Opened { owner: String, channel: String } }
//! # #[derive(Debug, Clone, PartialEq, HasKind)] struct Any;
//! # struct Complaint;
//! # impl Workflow for Complaint {
//! #     const NAME: &'static str = "complaint";
//! #     type State = Any; type Command = Any; type Event = Event;
//! #     type Rejection = std::convert::Infallible;
//! #     fn initial() -> Any { Any }
//! #     fn decide(&self, _: &Any, _: &Any, _: &Context<'_>) -> Result<Decision<Event>, std::convert::Infallible> { Ok(Decision::none()) }
//! #     fn evolve(s: Any, _: &Event) -> Any { s }
//! #     fn is_terminal(_: &Any) -> bool { false }
//! #     fn transitions() -> &'static [Transition<AnyKind, EventKind>] { &[] }
//! # }
//! /// Version 1 of `Opened` had no channel.
//! #[derive(Deserialize)]
//! enum OpenedV1 { Opened { owner: String } }
//!
//! impl EventSchema for Complaint {
//!     fn schema_version(event_type: &str) -> u32 {
//!         match event_type { "Opened" => 2, _ => 1 }
//!     }
//!     fn upcast(event_type: &str, from: u32, payload: Value) -> Result<Value, UpcastError> {
//!         match (event_type, from) {
//!             ("Opened", 1) => convert(event_type, from, payload, |OpenedV1::Opened { owner }| {
//!                 Event::Opened { owner, channel: "walk-in".into() }
//!             }),
//!             _ => Err(UpcastError::Missing { event_type: event_type.into(), from }),
//!         }
//!     }
//! }
//!
//! let old = json!({"Opened": {"owner": "gw-7"}});
//! let new = Complaint::upcast("Opened", 1, old)?;
//! assert_eq!(new, json!({"Opened": {"owner": "gw-7", "channel": "walk-in"}}));
//! # Ok::<(), UpcastError>(())
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::workflow::Workflow;

/// How a workflow's events are versioned in a journal, and how older
/// versions become current.
///
/// The defaults say every event type is at schema version 1 and there is
/// nothing to upcast, so a new workflow needs only `impl EventSchema for
/// MyWorkflow {}`.
pub trait EventSchema: Workflow {
    /// The current schema version of events of type `event_type` (as named
    /// by the name of its [`Kind`](crate::workflow::Kind)). Starts at 1.
    fn schema_version(event_type: &str) -> u32 {
        let _ = event_type;
        1
    }

    /// Turns the payload of an `event_type` event stored at schema version
    /// `from` into its shape at version `from + 1`. Called repeatedly until
    /// the payload reaches [`schema_version`](Self::schema_version).
    ///
    /// # Errors
    ///
    /// An [`UpcastError`]: [`Missing`](UpcastError::Missing) when there is no
    /// upcaster from `from` (the default), [`Shape`](UpcastError::Shape) when
    /// the old payload is not the shape expected.
    fn upcast(event_type: &str, from: u32, payload: Value) -> Result<Value, UpcastError> {
        let _ = payload;
        Err(UpcastError::Missing {
            event_type: event_type.to_owned(),
            from,
        })
    }

    /// The schema version of the workflow's state as snapshots keep it
    /// (see [`Journal::with_snapshots`](super::Journal::with_snapshots)).
    /// Starts at 1. Raise it when the state's serde form changes: a
    /// snapshot at another version is not used (the case is replayed from
    /// its events and snapshotted anew), so no state is misread.
    fn snapshot_version() -> u32 {
        1
    }
}

/// Why an older payload could not be brought to the current schema version.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpcastError {
    /// No upcaster takes this event type from this schema version.
    #[error("no upcaster takes event type {event_type} from schema version {from}")]
    Missing {
        /// The event type.
        event_type: String,
        /// The schema version it is stored at.
        from: u32,
    },
    /// The stored schema version is newer than the current one: the event
    /// was written by a newer version of the program.
    #[error(
        "event type {event_type} is stored at schema version {found}, newer than the current {current}"
    )]
    TooNew {
        /// The event type.
        event_type: String,
        /// The stored schema version.
        found: u32,
        /// The current schema version.
        current: u32,
    },
    /// The payload does not have the shape its schema version promises.
    #[error("event type {event_type} at schema version {from} does not have the expected shape")]
    Shape {
        /// The event type.
        event_type: String,
        /// The schema version it is stored at.
        from: u32,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
}

/// An upcaster written with types: decodes the payload as `Old`, maps it
/// with `f` and encodes the result.
///
/// # Errors
///
/// [`UpcastError::Shape`] when the payload is not an `Old` or the result
/// does not encode.
pub fn convert<Old, New>(
    event_type: &str,
    from: u32,
    payload: Value,
    f: impl FnOnce(Old) -> New,
) -> Result<Value, UpcastError>
where
    Old: DeserializeOwned,
    New: Serialize,
{
    let shape = |source| UpcastError::Shape {
        event_type: event_type.to_owned(),
        from,
        source,
    };
    let old: Old = serde_json::from_value(payload).map_err(shape)?;
    serde_json::to_value(f(old)).map_err(shape)
}

/// Brings `payload` of `event_type` from schema version `stored` to the
/// current one, one version at a time.
pub(crate) fn upcast_to_current<W: EventSchema>(
    event_type: &str,
    stored: u32,
    mut payload: Value,
) -> Result<Value, UpcastError> {
    let current = W::schema_version(event_type);
    if stored > current {
        return Err(UpcastError::TooNew {
            event_type: event_type.to_owned(),
            found: stored,
            current,
        });
    }
    for from in stored..current {
        payload = W::upcast(event_type, from, payload)?;
    }
    Ok(payload)
}

/// The crate's own workflows store every event type at schema version 1.
impl EventSchema for crate::dispute::Dispute {}

/// The crate's own workflows store every event type at schema version 1.
impl EventSchema for crate::service::ServiceRequest {}

/// The crate's own workflows store every event type at schema version 1.
impl EventSchema for crate::escalation::Ladder {}

/// The work order's events, all at schema version 1: stored in a journal
/// like the other workflows' (`work_order` streams).
impl EventSchema for crate::work_order::WorkOrder {}

#[cfg(test)]
mod tests {
    #[test]
    fn the_crates_own_workflows_can_be_journaled() {
        fn version<W: EventSchema>() -> u32 {
            W::schema_version("Reported")
        }
        assert_eq!(version::<crate::dispute::Dispute>(), 1);
        assert_eq!(version::<crate::service::ServiceRequest>(), 1);
        assert_eq!(version::<crate::escalation::Ladder>(), 1);
    }

    use super::*;
    use crate::workflow::{Context, Decision, Transition};
    use serde_json::json;

    /// A workflow whose `Moved` event is at schema version 3; each upcast
    /// appends the version it came from to a trail.
    struct Trail;

    #[derive(Debug, Clone, PartialEq, crate::workflow::HasKind)]
    enum Any {
        Any,
    }
    #[derive(Debug, crate::workflow::HasKind)]
    #[allow(dead_code)]
    enum Move {
        Move,
    }
    #[derive(Debug, Clone, PartialEq, crate::workflow::HasKind)]
    #[allow(dead_code)]
    enum Moved {
        Moved,
    }

    impl Workflow for Trail {
        const NAME: &'static str = "trail";
        type State = Any;
        type Command = Move;
        type Event = Moved;
        type Rejection = std::convert::Infallible;
        fn initial() -> Any {
            Any::Any
        }
        fn decide(
            &self,
            _: &Any,
            _: &Move,
            _: &Context<'_>,
        ) -> Result<Decision<Moved>, Self::Rejection> {
            Ok(Decision::none())
        }
        fn evolve(state: Any, _: &Moved) -> Any {
            state
        }
        fn is_terminal(_: &Any) -> bool {
            false
        }
        fn transitions() -> &'static [Transition<AnyKind, MovedKind>] {
            &[]
        }
    }

    impl EventSchema for Trail {
        fn schema_version(event_type: &str) -> u32 {
            if event_type == "Moved" { 3 } else { 1 }
        }
        fn upcast(event_type: &str, from: u32, mut payload: Value) -> Result<Value, UpcastError> {
            if event_type != "Moved" {
                return Err(UpcastError::Missing {
                    event_type: event_type.to_owned(),
                    from,
                });
            }
            if let Some(trail) = payload.as_array_mut() {
                trail.push(json!(from));
            }
            Ok(payload)
        }
    }

    #[test]
    fn upcasting_runs_every_step_from_the_stored_version() {
        assert_eq!(
            upcast_to_current::<Trail>("Moved", 1, json!([])).unwrap(),
            json!([1, 2])
        );
        assert_eq!(
            upcast_to_current::<Trail>("Moved", 2, json!([])).unwrap(),
            json!([2])
        );
        assert_eq!(
            upcast_to_current::<Trail>("Moved", 3, json!([])).unwrap(),
            json!([])
        );
    }

    #[test]
    fn a_version_newer_than_the_current_one_is_refused() {
        let err = upcast_to_current::<Trail>("Moved", 4, json!([])).unwrap_err();
        assert!(matches!(
            err,
            UpcastError::TooNew {
                found: 4,
                current: 3,
                ..
            }
        ));
    }

    #[test]
    fn convert_reports_a_payload_of_the_wrong_shape() {
        let err = convert("Moved", 1, json!("not a number"), |n: u32| n + 1).unwrap_err();
        assert!(matches!(err, UpcastError::Shape { from: 1, .. }));
        assert_eq!(
            convert("Moved", 1, json!(41), |n: u32| n + 1).unwrap(),
            json!(42)
        );
    }
}
