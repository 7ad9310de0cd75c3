//! The workflow kernel: the [`Workflow`] trait, [`Case`], [`Context`],
//! replay and transition tables.
//!
//! Every workflow in grassroots — and any a user writes — is a *decider*:
//!
//! - [`Workflow::decide`] holds every rule. Given the current state, a
//!   command and its [`Context`] (time and actor, always passed in), it
//!   returns the events to record or a typed rejection.
//! - [`Workflow::evolve`] only applies facts. It takes no `self`, so no
//!   configuration, calendar, graph or clock can leak into replay: a deadline
//!   or a routed body is decided once and stored in the event.
//!
//! A [`Case`] runs the two together: [`Case::handle`] records all events of a
//! command or none, and [`Case::replay`] rebuilds the same case from its
//! history, refusing a broken one.
//!
//! # A workflow in thirty lines
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use grassroots::actor::{Actor, Forbidden, Role};
//! use grassroots::workflow::{Case, Context, Decision, HasKind, Transition, Workflow};
//!
//! /// A complaint a grid worker opens and an officer closes.
//! struct Complaint;
//!
//! #[derive(Debug, Clone, PartialEq, HasKind)]
//! enum State { New, Open, Closed }
//! #[derive(Debug, HasKind)]
//! enum Command { Open, Close }
//! #[derive(Debug, Clone, PartialEq, HasKind)]
//! enum Event { Opened, Closed }
//!
//! impl Workflow for Complaint {
//!     const NAME: &'static str = "complaint";
//!     type State = State;
//!     type Command = Command;
//!     type Event = Event;
//!     type Rejection = Forbidden;
//!
//!     fn initial() -> State { State::New }
//!     fn decide(&self, state: &State, command: &Command, ctx: &Context<'_>)
//!         -> Result<Decision<Event>, Forbidden> {
//!         match (state, command) {
//!             (State::New, Command::Open) => {
//!                 ctx.actor().require("open", Role::GridWorker)?;
//!                 Ok(Event::Opened.into())
//!             }
//!             (State::Open, Command::Close) => {
//!                 ctx.actor().require("close", Role::Supervisor)?;
//!                 Ok(Event::Closed.into())
//!             }
//!             _ => Ok(Decision::none()),
//!         }
//!     }
//!     fn evolve(state: State, event: &Event) -> State {
//!         match event { Event::Opened => State::Open, Event::Closed => State::Closed }
//!     }
//!     fn is_terminal(state: &State) -> bool { matches!(state, State::Closed) }
//!     fn transitions() -> &'static [Transition<StateKind, EventKind>] {
//!         use {EventKind as E, StateKind as S};
//!         const TABLE: &[Transition<S, E>] = &[
//!             Transition::new(S::New, E::Opened, S::Open),
//!             Transition::new(S::Open, E::Closed, S::Closed),
//!         ];
//!         TABLE
//!     }
//! }
//!
//! let grid_worker = Actor::new("gw-7".parse()?).with_role(Role::GridWorker);
//! let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
//! let mut case = Case::<Complaint>::new("C-1".parse()?);
//!
//! case.handle(&Complaint, &Command::Open, &Context::new(at, &grid_worker))?;
//! // A grid worker may not close it: refused, and nothing changes.
//! assert!(case.handle(&Complaint, &Command::Close, &Context::new(at, &grid_worker)).is_err());
//! assert_eq!(case.version(), 1);
//!
//! let replayed = Case::<Complaint>::replay(case.id().clone(), case.history().to_vec())?;
//! assert_eq!(replayed, case);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod case;
mod decision;
pub mod embed;
mod error;
mod instant;
mod kind;
mod table;

use std::fmt;

use chrono::{DateTime, Utc};

pub use case::{Case, Recorded, replay_state};
pub use decision::Decision;
pub use error::{CaseError, ReplayError};
pub use instant::{EARLIEST, LATEST, is_accepted_instant};
pub use kind::{HasKind, Kind, KindName, UnknownKind};
pub use table::{Transition, TransitionOf, dot, final_kinds, is_declared, mermaid, state_kinds};

/// Derives [`HasKind`] for an enum (see there).
pub use grassroots_derive::HasKind;

use crate::actor::Actor;
use crate::id::CorrelationId;

/// A workflow: its rules (`decide`), how facts change its state (`evolve`),
/// and its declared transition table.
///
/// `self` is the configured machine — a policy, a catalogue, a calendar, a
/// handle to the organisation graph. Only `decide` sees it.
pub trait Workflow: 'static {
    /// The workflow's name, used in diagrams, logs and journals
    /// (`"dispute"`, `"service_request"`).
    const NAME: &'static str;
    /// The state of one case. Each variant should carry exactly the data that
    /// exists in that state.
    ///
    /// Its [`Kind`] (`#[derive(HasKind)]`) names the states in the table.
    type State: Clone + fmt::Debug + PartialEq + HasKind;
    /// What an actor asks the case to do (imperative: `AssignMediators`).
    type Command: fmt::Debug + HasKind;
    /// A decided fact (past tense: `MediatorsAssigned`). Stored forever;
    /// its kind's name is its stored type in journals.
    type Event: Clone + fmt::Debug + PartialEq + HasKind;
    /// Why `decide` refused a command: a typed error naming who, what and
    /// why.
    type Rejection: std::error::Error;

    /// The state of a case before its first event.
    ///
    /// Called on every handled command, so it must be cheap (no allocation).
    fn initial() -> Self::State;

    /// Applies every rule to `command` in `state`, returning the events to
    /// record or a rejection. Must not panic on any input.
    ///
    /// # Errors
    ///
    /// The workflow's [`Rejection`](Workflow::Rejection) when a rule refuses
    /// the command.
    fn decide(
        &self,
        state: &Self::State,
        command: &Self::Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<Self::Event>, Self::Rejection>;

    /// Applies one decided fact. Consults nothing but the state and the
    /// event; must not panic on any input.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// Applies one decided fact to `state` where it lies: the same fact,
    /// the same result as [`evolve`](Workflow::evolve), without moving the
    /// state in and out. [`Case::handle`] and [`embed::evolve`] call this
    /// one; replay ([`replay_state`]) calls it only when
    /// [`EVOLVES_IN_PLACE`](Workflow::EVOLVES_IN_PLACE) is `true`, and
    /// moves the state it owns through `evolve` otherwise.
    ///
    /// The default moves the state through `evolve`, which returns it
    /// through memory for the kernel to copy back: up to a fifth of a
    /// small command's cost in the crate's kernel bench. A workflow that
    /// handles many commands, or whose state is large, may override it to
    /// change the state in place (and write `evolve` through it, as the
    /// crate's workflows do, setting
    /// [`EVOLVES_IN_PLACE`](Workflow::EVOLVES_IN_PLACE)); the two must
    /// agree on every state and event.
    ///
    /// Override both or neither: an `evolve` written through
    /// `evolve_in_place` with this default left in place calls itself
    /// until the stack overflows.
    #[inline]
    fn evolve_in_place(state: &mut Self::State, event: &Self::Event) {
        let taken = std::mem::replace(state, Self::initial());
        *state = Self::evolve(taken, event);
    }

    /// Whether replay folds with [`evolve_in_place`](Workflow::evolve_in_place)
    /// (`true`) or moves the state it owns through
    /// [`evolve`](Workflow::evolve) (`false`, the default).
    ///
    /// Set it to `true` when you override `evolve_in_place` and write
    /// `evolve` through it, as the crate's workflows do. With `true`,
    /// replay never calls `evolve`, so the two must agree on every state
    /// and event. Either way the result is the same; only the cost
    /// differs: the default
    /// `evolve_in_place` leaves a placeholder behind ([`initial`](Workflow::initial))
    /// for every event, which replay, owning its state, can skip.
    const EVOLVES_IN_PLACE: bool = false;

    /// Whether `state` ends the case: it then refuses every command.
    fn is_terminal(state: &Self::State) -> bool;

    /// The declared transition table: every `(state kind, event kind, state
    /// kind)` the workflow may perform. Diagrams are drawn from it, replay
    /// checks every recorded event against it and the testing kit checks
    /// every performed transition.
    fn transitions() -> &'static [TransitionOf<Self>];

    /// The earliest instant at which the workflow's timer command
    /// ([`timer_command`](Workflow::timer_command), sent by
    /// [`Actor::system()`]) could change a case in `state`; `None` when no
    /// timer is pending.
    ///
    /// The rule it must obey, for every state: a timer command sent before
    /// `next_due` decides nothing; sent at or after it, it decides
    /// something (and `next_due` of the state it leads to is later, or
    /// `None`). Journals keep it in their due index and the sweeper ticks
    /// the cases it names (see [`journal`](crate::journal)).
    ///
    /// Rights that elapsed time gives are judged in `decide` from recorded
    /// deadlines and the command's time; a timer only *acts* (records a
    /// lapse, escalates, reminds). The default, for a workflow without
    /// timers, is `None`.
    fn next_due(state: &Self::State) -> Option<DateTime<Utc>> {
        let _ = state;
        None
    }

    /// The timer command the sweeper sends, as [`Actor::system()`], to a
    /// case whose [`next_due`](Workflow::next_due) has come (`Tick` for the
    /// crate's workflows). The default, for a workflow without timers, is
    /// `None`.
    fn timer_command() -> Option<Self::Command> {
        None
    }
}

/// The kind of `W`'s states.
pub type StateKindOf<W> = <<W as Workflow>::State as HasKind>::Kind;
/// The kind of `W`'s events.
pub type EventKindOf<W> = <<W as Workflow>::Event as HasKind>::Kind;
/// The kind of `W`'s commands.
pub type CommandKindOf<W> = <<W as Workflow>::Command as HasKind>::Kind;

/// When and by whom a command is sent — always passed in, never read from a
/// clock.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    at: DateTime<Utc>,
    actor: &'a Actor,
    correlation: Option<&'a CorrelationId>,
}

impl<'a> Context<'a> {
    /// A command sent by `actor` at `at`.
    pub fn new(at: DateTime<Utc>, actor: &'a Actor) -> Self {
        Self {
            at,
            actor,
            correlation: None,
        }
    }

    /// Attaches a correlation id, recorded with every event the command
    /// decides.
    #[must_use]
    pub fn with_correlation(mut self, correlation: &'a CorrelationId) -> Self {
        self.correlation = Some(correlation);
        self
    }

    /// When the command is handled.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Who sent it.
    pub fn actor(&self) -> &'a Actor {
        self.actor
    }

    /// The correlation id, if any.
    pub fn correlation(&self) -> Option<&'a CorrelationId> {
        self.correlation
    }
}
