//! Embedding one workflow in another — the one way every workflow in the
//! crate does it (a dispute and a service request embed the escalation
//! ladder).
//!
//! An embedding workflow keeps the embedded one's state as a field of its
//! own state and wraps the embedded one's events in one variant of its own
//! event, marked `#[kind(embed)]` so that the variant's kind carries the
//! embedded kind and its stored name is `<Variant>.<embedded kind>`
//! (`Ladder.Started`), for every embedding workflow alike. Three steps, each
//! one function here:
//!
//! - **decide**: the embedding workflow checks who may act by its own rules,
//!   asks the embedded workflow's rules for a decision, and [`wrap`]s it;
//! - **evolve**: it hands the embedded state and the unwrapped event to
//!   [`evolve`], which runs the embedded workflow's own `evolve`;
//! - **name**: the derive does it.
//!
//! The embedding workflow never rewrites the embedded one's facts: when it
//! needs the embedded state to change (a new due date), it sends the
//! embedded workflow a command and records the event that decides.
//!
//! ```
//! use grassroots::workflow::{embed, Decision, HasKind, Kind};
//!
//! #[derive(Debug, Clone, PartialEq, HasKind)]
//! enum Step { Started }
//! #[derive(Debug, Clone, PartialEq, HasKind)]
//! enum Event { Opened, #[kind(embed)] Timer(Box<Step>) }
//! impl From<Step> for Event {
//!     fn from(step: Step) -> Self { Event::Timer(Box::new(step)) }
//! }
//!
//! let wrapped: Decision<Event> = embed::wrap(Decision::one(Step::Started));
//! assert_eq!(wrapped[0].kind().name(), "Timer.Started");
//! ```

use super::{Decision, Workflow};

/// Wraps an embedded workflow's decision in the embedding workflow's event
/// type (through its `From`). One event stays inline: no allocation but
/// what `From` does.
pub fn wrap<I, E>(decision: Decision<I>) -> Decision<E>
where
    E: From<I>,
{
    decision.into_iter().map(E::from).collect()
}

/// Applies one embedded event to the embedded state held in place, with the
/// embedded workflow's own `evolve` (its
/// [`evolve_in_place`](Workflow::evolve_in_place): the embedded state is not
/// moved out and back).
#[inline]
pub fn evolve<W: Workflow>(state: &mut W::State, event: &W::Event) {
    W::evolve_in_place(state, event);
}
