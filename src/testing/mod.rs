//! A testing kit for workflows: given/when/then scenarios, an invariant
//! checker for command sequences, a [`Guide`] saying which commands make
//! sense in each state, [`Coverage`] of the declared table, bounded
//! [`explore`]ation of every reachable state and (feature `proptest`)
//! strategies that draw command sequences, [`guided`] by the guide.
//!
//! Every scenario also checks the kernel's invariants for you: a refused
//! command must leave the case untouched, every performed transition must be
//! in the workflow's declared table, and replaying the history must give the
//! live case back.
//!
//! ```
//! # use chrono::{TimeZone, Utc};
//! # use grassroots::actor::{Actor, Forbidden, Role};
//! # use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
//! use grassroots::testing::given;
//! # struct Lamp;
//! # #[derive(Debug, Clone, PartialEq, HasKind)] enum State { Off, On }
//! # #[derive(Debug, HasKind)] enum Command { Switch }
//! # #[derive(Debug, Clone, PartialEq, HasKind)] enum Event { SwitchedOn, SwitchedOff }
//! # impl Workflow for Lamp {
//! #     const NAME: &'static str = "lamp";
//! #     type State = State; type Command = Command; type Event = Event; type Rejection = Forbidden;
//! #     fn initial() -> State { State::Off }
//! #     fn decide(&self, s: &State, _: &Command, ctx: &Context<'_>) -> Result<Decision<Event>, Forbidden> {
//! #         ctx.actor().require("switch", Role::GridWorker)?;
//! #         Ok(match s { State::Off => Event::SwitchedOn, State::On => Event::SwitchedOff }.into())
//! #     }
//! #     fn evolve(_: State, e: &Event) -> State { match e { Event::SwitchedOn => State::On, Event::SwitchedOff => State::Off } }
//! #     fn is_terminal(_: &State) -> bool { false }
//! #     fn transitions() -> &'static [Transition<StateKind, EventKind>] {
//! #         const T: &[Transition<StateKind, EventKind>] = &[
//! #             Transition::new(StateKind::Off, EventKind::SwitchedOn, StateKind::On),
//! #             Transition::new(StateKind::On, EventKind::SwitchedOff, StateKind::Off),
//! #         ];
//! #         T
//! #     }
//! # }
//! let at = Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap();
//! let worker = Actor::new("gw-1".parse()?).with_role(Role::GridWorker);
//! let visitor = Actor::new("visitor".parse()?);
//!
//! given(&Lamp, [Event::SwitchedOn])
//!     .when(&worker, at, Command::Switch)
//!     .then([Event::SwitchedOff]);
//!
//! given(&Lamp, [])
//!     .when(&visitor, at, Command::Switch)
//!     .then_rejected(visitor.forbidden("switch", Role::GridWorker));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(feature = "proptest"),
    doc = "\n[`guided`]: https://docs.rs/grassroots/latest/grassroots/testing/guided/"
)]

mod coverage;
mod explore;
mod guide;
#[cfg(feature = "proptest")]
pub mod guided;

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};

pub use coverage::{Coverage, CoverageError, TransitionName};
pub use explore::{Budget, Counterexample, Exploration, explore};
pub use guide::Guide;

use crate::actor::Actor;
use crate::id::CaseId;
use crate::workflow::{
    Case, CaseError, Context, HasKind, Kind, KindName, Recorded, Transition, TransitionOf, Workflow,
};

/// The time the kit's cases start: 2026-01-05 09:00 UTC, a Monday.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The case id scenarios use unless told otherwise.
pub fn scenario_case_id() -> CaseId {
    CaseId::new("scenario").expect("`scenario` is a valid id")
}

/// Starts a scenario: a case whose history holds `events`, applied in order.
///
/// The events are recorded by [`Actor::system`] at the time of the command
/// given to [`Given::when`] (or at the time set with [`Given::at`]).
pub fn given<W: Workflow>(
    workflow: &W,
    events: impl IntoIterator<Item = W::Event>,
) -> Given<'_, W> {
    Given {
        workflow,
        events: events.into_iter().collect(),
        id: scenario_case_id(),
        at: None,
    }
}

/// The "given" half of a scenario; see [`given`].
pub struct Given<'w, W: Workflow> {
    workflow: &'w W,
    events: Vec<W::Event>,
    id: CaseId,
    at: Option<DateTime<Utc>>,
}

impl<'w, W: Workflow> Given<'w, W> {
    /// Uses `id` for the scenario's case.
    #[must_use]
    pub fn with_case_id(mut self, id: CaseId) -> Self {
        self.id = id;
        self
    }

    /// Records the given events at `at` rather than at the command's time.
    #[must_use]
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }

    /// The case the given events produce, before any command.
    ///
    /// # Panics
    ///
    /// If the given events do not form a valid history (for example an
    /// event after a terminal state): the scenario itself is wrong.
    #[track_caller]
    pub fn case(&self, default_at: DateTime<Utc>) -> Case<W> {
        let at = self.at.unwrap_or(default_at);
        let system = Actor::system();
        let recorded = self
            .events
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, event)| Recorded {
                seq: i as u64 + 1,
                at,
                actor: system.id().clone(),
                correlation: None,
                event,
            });
        match Case::replay(self.id.clone(), recorded) {
            Ok(case) => case,
            Err(e) => panic!("the given events are not a valid history: {e}"),
        }
    }

    /// Sends `command` as `actor` at `at` and keeps the outcome for the
    /// `then` assertions.
    ///
    /// # Panics
    ///
    /// If a kernel invariant breaks: a refused command changed the case, an
    /// accepted one performed a transition missing from the declared table,
    /// or replay does not give the live case back.
    #[track_caller]
    pub fn when(self, actor: &Actor, at: DateTime<Utc>, command: W::Command) -> When<W> {
        let mut case = self.case(at);
        let before = case.clone();
        let outcome = case
            .handle(self.workflow, &command, &Context::new(at, actor))
            .map(|recorded| recorded.iter().map(|r| r.event.clone()).collect::<Vec<_>>());
        if let Err(violation) =
            check_outcome(&before, &case, outcome.is_ok(), 0, W::transitions(), None)
        {
            panic!("{command:?}: {}", violation.without_step());
        }
        When {
            command,
            case,
            outcome,
        }
    }
}

impl<W: Workflow> fmt::Debug for Given<'_, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Given")
            .field("workflow", &W::NAME)
            .field("events", &self.events)
            .finish()
    }
}

/// The outcome of a scenario's command, to check with a `then` method.
pub struct When<W: Workflow> {
    command: W::Command,
    case: Case<W>,
    outcome: Result<Vec<W::Event>, CaseError<W::Rejection>>,
}

impl<W: Workflow> When<W> {
    /// The events recorded, or the error.
    pub fn outcome(&self) -> &Result<Vec<W::Event>, CaseError<W::Rejection>> {
        &self.outcome
    }

    /// Asserts that the command recorded exactly `expected`, and returns the
    /// case for further checks.
    ///
    /// # Panics
    ///
    /// If the command was refused or recorded other events.
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = W::Event>) -> Case<W> {
        let expected: Vec<W::Event> = expected.into_iter().collect();
        match &self.outcome {
            Ok(events) if *events == expected => self.case,
            Ok(events) => panic!(
                "{:?}: expected events {expected:?}, recorded {events:?}",
                self.command
            ),
            Err(e) => panic!(
                "{:?}: expected events {expected:?}, but it was refused: {e}",
                self.command
            ),
        }
    }

    /// Asserts that the command was accepted and recorded nothing (a no-op,
    /// such as a `Tick` before any deadline).
    ///
    /// # Panics
    ///
    /// If the command was refused or recorded events.
    #[track_caller]
    pub fn then_nothing(self) -> Case<W> {
        self.then([])
    }

    /// Asserts that the workflow's rules refused the command with exactly
    /// `expected`.
    ///
    /// # Panics
    ///
    /// If the command was accepted, or refused with another error.
    #[track_caller]
    pub fn then_rejected(self, expected: W::Rejection) -> Case<W>
    where
        W::Rejection: PartialEq,
    {
        match &self.outcome {
            Err(CaseError::Rejected(r)) if *r == expected => self.case,
            Err(e) => panic!(
                "{:?}: expected rejection {expected:?}, got {e:?}",
                self.command
            ),
            Ok(events) => panic!(
                "{:?}: expected rejection {expected:?}, but it recorded {events:?}",
                self.command
            ),
        }
    }

    /// Asserts that the command was refused with an error `check` accepts —
    /// for kernel errors such as [`CaseError::Terminal`] or to match only part
    /// of a rejection.
    ///
    /// # Panics
    ///
    /// If the command was accepted, or `check` returns `false`.
    #[track_caller]
    pub fn then_error(self, check: impl FnOnce(&CaseError<W::Rejection>) -> bool) -> Case<W> {
        match &self.outcome {
            Err(e) if check(e) => self.case,
            Err(e) => panic!("{:?}: refused with an unexpected error {e:?}", self.command),
            Ok(events) => panic!(
                "{:?}: expected a refusal, but it recorded {events:?}",
                self.command
            ),
        }
    }
}

impl<W: Workflow> fmt::Debug for When<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("When")
            .field("command", &self.command)
            .field("case", &self.case)
            .finish_non_exhaustive()
    }
}

/// One command of a sequence: who sends it, when, and what.
#[derive(Debug, Clone)]
pub struct Step<C> {
    /// The sender.
    pub actor: Actor,
    /// When it is sent.
    pub at: DateTime<Utc>,
    /// The command.
    pub command: C,
}

/// A kernel invariant that a command sequence broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// A refused command changed the case's state, version or history.
    #[error("step {step}: a refused command changed the case")]
    RefusedCommandChangedCase {
        /// The index of the step in the sequence.
        step: usize,
    },
    /// A command performed a transition the workflow's table does not
    /// declare.
    #[error("step {step}: transition {from} --{event}--> {to} is not in the declared table")]
    UndeclaredTransition {
        /// The index of the step in the sequence.
        step: usize,
        /// The state kind before the event.
        from: KindName,
        /// The event kind.
        event: KindName,
        /// The state kind after it.
        to: KindName,
    },
    /// The workflow decided an event after one that ended the case (the
    /// kernel refused the decision; the workflow's `decide` is at fault).
    #[error("step {step}: the decision records {event} after the terminal state {state}")]
    EventAfterTerminal {
        /// The index of the step in the sequence.
        step: usize,
        /// The terminal state kind reached mid-decision.
        state: KindName,
        /// The event kind that came after it.
        event: KindName,
    },
    /// A command was accepted after the case reached a terminal state.
    #[error("step {step}: a command was accepted on a terminal case")]
    AcceptedAfterTerminal {
        /// The index of the step in the sequence.
        step: usize,
    },
    /// An invariant of your own (see [`Guide::invariant`]) does not hold
    /// after the step.
    #[error("step {step}: invariant {invariant:?} does not hold")]
    InvariantBroken {
        /// The index of the step in the sequence.
        step: usize,
        /// The invariant's name.
        invariant: String,
    },
    /// The guide's outsider sent a command that is not public, and the
    /// workflow accepted it and decided events: a guard on who may send it
    /// is missing.
    #[error("step {step}: the outsider's {command} was accepted in state {state}")]
    OutsiderAccepted {
        /// The index of the step in the sequence.
        step: usize,
        /// The command kind.
        command: KindName,
        /// The state kind it was accepted in.
        state: KindName,
    },
    /// [`Workflow::evolve`] and [`Workflow::evolve_in_place`] gave
    /// different states for the same state and event: the kernel handles
    /// commands in place, and replay folds with either (see
    /// [`Workflow::EVOLVES_IN_PLACE`]), so a case would not read back as it
    /// was recorded.
    #[error(
        "step {step}: evolve and evolve_in_place disagree on {event}: {by_value} by value, {in_place} in place"
    )]
    EvolveDisagrees {
        /// The index of the step in the sequence.
        step: usize,
        /// The event kind both were given.
        event: KindName,
        /// The state `evolve` returned, as `Debug` prints it.
        by_value: String,
        /// The state `evolve_in_place` left, as `Debug` prints it.
        in_place: String,
    },
    /// Replaying the history failed or gave another case than the live one.
    #[error("replay does not give the live case back: {reason}")]
    ReplayDiffers {
        /// The replay error, or a note that the states differ.
        reason: String,
    },
}

/// What [`check_invariants`] saw.
pub struct Checked<W: Workflow> {
    /// The case after every step.
    pub case: Case<W>,
    /// How many steps were accepted.
    pub accepted: usize,
    /// How many steps were refused.
    pub refused: usize,
}

impl<W: Workflow> fmt::Debug for Checked<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checked")
            .field("case", &self.case)
            .field("accepted", &self.accepted)
            .field("refused", &self.refused)
            .finish()
    }
}

/// Runs `steps` on a new case and checks the kernel's invariants after each:
/// a refused command changes nothing, nothing is accepted after a terminal
/// state, every transition is declared, and the final case equals its
/// replay.
///
/// Use it inside a property test with the strategies of
/// in the `strategies` module (feature `proptest`), or with your own.
///
/// # Errors
///
/// The first [`Violation`] found.
pub fn check_invariants<W: Workflow>(
    workflow: &W,
    id: CaseId,
    steps: impl IntoIterator<Item = Step<W::Command>>,
) -> Result<Checked<W>, Violation> {
    check_with(workflow, id, steps, W::transitions(), None, None)
}

/// [`check_invariants`] against `table`, with the guide's own checks
/// (outsider refused, the user's invariants) when given, counting performed
/// transitions in `coverage`.
pub(crate) fn check_with<W: Workflow>(
    workflow: &W,
    id: CaseId,
    steps: impl IntoIterator<Item = Step<W::Command>>,
    table: &[TransitionOf<W>],
    guide: Option<&Guide<W>>,
    mut coverage: Option<&mut Coverage<W>>,
) -> Result<Checked<W>, Violation> {
    let mut case = Case::<W>::new(id);
    let (mut accepted, mut refused) = (0, 0);
    for (index, step) in steps.into_iter().enumerate() {
        if check_step(
            workflow,
            &mut case,
            &step,
            index,
            table,
            guide,
            coverage.as_deref_mut(),
        )? {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    Ok(Checked {
        case,
        accepted,
        refused,
    })
}

/// Sends `step` to `case` and checks every invariant on the outcome;
/// `Ok(true)` when it was accepted.
pub(crate) fn check_step<W: Workflow>(
    workflow: &W,
    case: &mut Case<W>,
    step: &Step<W::Command>,
    index: usize,
    table: &[TransitionOf<W>],
    guide: Option<&Guide<W>>,
    coverage: Option<&mut Coverage<W>>,
) -> Result<bool, Violation> {
    let before = case.clone();
    let outcome = case.handle(workflow, &step.command, &Context::new(step.at, &step.actor));
    // The kernel refuses a decision the workflow got wrong; for the kit
    // that is a violation, not a refusal by the rules.
    match outcome {
        Err(CaseError::Undeclared {
            from, event, to, ..
        }) => {
            return Err(Violation::UndeclaredTransition {
                step: index,
                from,
                event,
                to,
            });
        }
        Err(CaseError::EventAfterTerminal { state, event, .. }) => {
            return Err(Violation::EventAfterTerminal {
                step: index,
                state,
                event,
            });
        }
        _ => {}
    }
    let ok = outcome.is_ok();
    if ok && before.is_terminal() {
        return Err(Violation::AcceptedAfterTerminal { step: index });
    }
    check_outcome(&before, case, ok, index, table, coverage)?;
    if ok && case.version() > before.version() {
        if let Some(guide) = guide {
            let command = step.command.kind();
            if step.actor.id() == guide.outsider_actor().id() && !guide.is_public(command) {
                return Err(Violation::OutsiderAccepted {
                    step: index,
                    command: command.name(),
                    state: before.state().kind().name(),
                });
            }
            if let Some(name) = guide.broken_invariant(case) {
                return Err(Violation::InvariantBroken {
                    step: index,
                    invariant: name.to_owned(),
                });
            }
        }
    }
    Ok(ok)
}

impl Violation {
    /// The violation's message without the step number, for single-command
    /// scenarios.
    fn without_step(&self) -> String {
        let message = self.to_string();
        message
            .strip_prefix("step 0: ")
            .map_or(message.clone(), str::to_owned)
    }
}

fn check_outcome<W: Workflow>(
    before: &Case<W>,
    after: &Case<W>,
    ok: bool,
    step: usize,
    table: &[TransitionOf<W>],
    mut coverage: Option<&mut Coverage<W>>,
) -> Result<(), Violation> {
    if !ok {
        return if before == after {
            Ok(())
        } else {
            Err(Violation::RefusedCommandChangedCase { step })
        };
    }
    let mut state = before.state().clone();
    for r in &after.history()[before.history().len()..] {
        let from = state.kind();
        // The case evolved in place; replay may do either: both must agree.
        let mut in_place = state.clone();
        W::evolve_in_place(&mut in_place, &r.event);
        state = W::evolve(state, &r.event);
        let (event, to) = (r.event.kind(), state.kind());
        if in_place != state {
            return Err(Violation::EvolveDisagrees {
                step,
                event: event.name(),
                by_value: format!("{state:?}"),
                in_place: format!("{in_place:?}"),
            });
        }
        let transition = Transition::new(from, event, to);
        if let Some(coverage) = coverage.as_deref_mut() {
            coverage.record(transition);
        }
        if !table.contains(&transition) {
            return Err(Violation::UndeclaredTransition {
                step,
                from: from.name(),
                event: event.name(),
                to: to.name(),
            });
        }
    }
    match Case::<W>::replay(after.id().clone(), after.history().to_vec()) {
        Ok(replayed) if replayed == *after => Ok(()),
        Ok(replayed) => Err(Violation::ReplayDiffers {
            reason: format!(
                "live state {:?}, replayed state {:?}",
                after.state(),
                replayed.state()
            ),
        }),
        Err(e) => Err(Violation::ReplayDiffers {
            reason: e.to_string(),
        }),
    }
}

/// proptest strategies for drawing command sequences (feature `proptest`).
///
/// A workflow supplies a strategy for `(Actor, Command)` pairs — valid and
/// invalid ones alike — and [`steps`](strategies::steps) turns it into a
/// timed sequence to feed [`check_invariants`].
#[cfg(feature = "proptest")]
pub mod strategies {
    use chrono::Duration;
    use proptest::prelude::*;

    use super::Step;
    pub use super::epoch;
    use crate::actor::{Actor, Role};
    use crate::id::ActorId;
    use crate::tier::Tier;

    /// Any role.
    pub fn role() -> impl Strategy<Value = Role> {
        prop_oneof![
            Just(Role::Party),
            Just(Role::GridWorker),
            Just(Role::Mediator),
            Just(Role::PropertyManager),
            Just(Role::HallClerk),
            Just(Role::AgentClerk),
            Just(Role::DepartmentOfficer),
            proptest::sample::select(Tier::ALL.to_vec()).prop_map(Role::Officer),
            Just(Role::Supervisor),
            Just(Role::System),
        ]
    }

    /// An actor with one of `ids` and up to two roles drawn from [`role`].
    ///
    /// # Panics
    ///
    /// When the strategy is used with an empty `ids`.
    pub fn actor(ids: Vec<ActorId>) -> impl Strategy<Value = Actor> {
        (
            proptest::sample::select(ids),
            proptest::collection::vec(role(), 0..=2),
        )
            .prop_map(|(id, roles)| roles.into_iter().fold(Actor::new(id), Actor::with_role))
    }

    /// Timed sequences of `len` commands drawn from `commands`, starting at
    /// [`epoch`]; each step comes 0 minutes to 3 days after the one before.
    pub fn steps<C: Clone + std::fmt::Debug>(
        commands: impl Strategy<Value = (Actor, C)>,
        len: std::ops::Range<usize>,
    ) -> impl Strategy<Value = Vec<Step<C>>> {
        steps_with_gaps(commands, len, 0..=3 * 24 * 60)
    }

    /// Like [`steps`], with each step's gap in minutes drawn from `gaps`; a
    /// negative gap sends a command earlier than the one before it.
    pub fn steps_with_gaps<C: Clone + std::fmt::Debug>(
        commands: impl Strategy<Value = (Actor, C)>,
        len: std::ops::Range<usize>,
        gaps: std::ops::RangeInclusive<i64>,
    ) -> impl Strategy<Value = Vec<Step<C>>> {
        proptest::collection::vec((commands, gaps), len).prop_map(|drawn| {
            let mut at = epoch();
            drawn
                .into_iter()
                .map(|((actor, command), gap)| {
                    at += Duration::minutes(gap);
                    Step { actor, at, command }
                })
                .collect()
        })
    }
}
