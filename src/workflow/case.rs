//! [`Case`]: one matter's state and its append-only history.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::table::TableIndex;
use super::{
    CaseError, Context, Decision, EventKindOf, HasKind, Kind, ReplayError, StateKindOf, Workflow,
};
use crate::id::{ActorId, CaseId, CorrelationId};

/// One event as it was recorded on a case: its sequence number, when and by
/// whom.
///
/// Sequence numbers start at 1 and count the case's events; the `seq` of the
/// last event is the case's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded<E> {
    /// The event's position in the case's history, from 1.
    pub seq: u64,
    /// When the command that decided it was handled (from its [`Context`]).
    pub at: DateTime<Utc>,
    /// Who sent that command.
    pub actor: ActorId,
    /// The correlation id the command carried, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation: Option<CorrelationId>,
    /// The decided fact.
    pub event: E,
}

/// One case of a workflow: its id, current state and the history that
/// produced it.
///
/// A case changes only through [`handle`](Case::handle), which records all
/// events of a command or none, and is rebuilt from its history with
/// [`replay`](Case::replay). Live and replayed cases compare equal.
pub struct Case<W: Workflow> {
    id: CaseId,
    state: W::State,
    history: Vec<Recorded<W::Event>>,
    /// Where the held history starts: `None` for a case holding its whole
    /// history, the snapshot for one resumed from a snapshot.
    base: Option<Box<Base<W::State>>>,
    table: &'static TableIndex,
}

/// What a case resumed from a snapshot started from: the state at a
/// version, and the time of the event at that version.
struct Base<S> {
    version: u64,
    at: DateTime<Utc>,
    state: S,
}

impl<S: Clone> Clone for Base<S> {
    fn clone(&self) -> Self {
        Self {
            version: self.version,
            at: self.at,
            state: self.state.clone(),
        }
    }
}

impl<W: Workflow> Case<W> {
    /// A new case in the workflow's initial state, with no history.
    pub fn new(id: CaseId) -> Self {
        Self {
            id,
            state: W::initial(),
            history: Vec::new(),
            base: None,
            table: TableIndex::of::<W>(),
        }
    }

    /// The case's id.
    pub fn id(&self) -> &CaseId {
        &self.id
    }

    /// The current state.
    pub fn state(&self) -> &W::State {
        &self.state
    }

    /// The number of events recorded: 0 for a new case.
    pub fn version(&self) -> u64 {
        self.base_version() + self.history.len() as u64
    }

    /// The recorded events the case holds, oldest first: every one, or for
    /// a case a journal resumed from a snapshot, those after
    /// [`base_version`](Self::base_version) (`history()[i].seq ==
    /// base_version() + i + 1`).
    pub fn history(&self) -> &[Recorded<W::Event>] {
        &self.history
    }

    /// The version the held [`history`](Self::history) starts after: 0 for
    /// a case that holds its whole history, the snapshot's version for a
    /// case a [`Journal`](crate::journal::Journal) resumed from a snapshot
    /// (see [`Journal::with_snapshots`](crate::journal::Journal::with_snapshots)).
    pub fn base_version(&self) -> u64 {
        self.base.as_ref().map_or(0, |b| b.version)
    }

    /// The time of the last recorded event, if any.
    pub fn last_at(&self) -> Option<DateTime<Utc>> {
        self.history
            .last()
            .map(|r| r.at)
            .or_else(|| self.base.as_ref().map(|b| b.at))
    }

    /// Whether the case has reached a terminal state.
    pub fn is_terminal(&self) -> bool {
        W::is_terminal(&self.state)
    }

    /// When the workflow's timer command could next change the case
    /// ([`Workflow::next_due`] of its state); `None` when nothing is
    /// pending or the case has ended.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        if W::is_terminal(&self.state) {
            None
        } else {
            W::next_due(&self.state)
        }
    }

    /// Reserves room for at least `additional` more events in the history,
    /// so the next commands record without growing it.
    pub fn reserve(&mut self, additional: usize) {
        self.history.reserve(additional);
    }

    /// Takes the case apart into its state and the history it holds (see
    /// [`history`](Self::history)).
    pub fn into_parts(self) -> (CaseId, W::State, Vec<Recorded<W::Event>>) {
        (self.id, self.state, self.history)
    }

    /// Handles one command: checks the kernel's rules, runs the workflow's
    /// `decide`, then `evolve` for each decided event, and appends them to
    /// the history — all or nothing.
    ///
    /// Returns the events just recorded (empty when the workflow decided
    /// nothing, as a `Tick` before any deadline does).
    ///
    /// # Errors
    ///
    /// - [`CaseError::Terminal`] if the case is already in a terminal state;
    /// - [`CaseError::TimeOutOfRange`] if `ctx.at()` lies outside
    ///   [`EARLIEST`](super::EARLIEST) ..= [`LATEST`](super::LATEST);
    /// - [`CaseError::TimeRunsBackwards`] if `ctx.at()` is earlier than the
    ///   last recorded event;
    /// - [`CaseError::Rejected`] with the workflow's rejection;
    /// - [`CaseError::EventAfterTerminal`] if the workflow decided events
    ///   after one that ends the case;
    /// - [`CaseError::Undeclared`] if an event it decided performs a
    ///   transition the workflow's table does not declare.
    ///
    /// On every error the case is left exactly as it was.
    // Inlined into the caller, with every error built out of line (`#[cold]`
    // helpers below): out of line, `handle` moved the decision, each event
    // and each record through its own stack frame, and the records were
    // assembled from narrow stores and copied on with wide loads (a
    // store-forwarding stall per record). `#[inline]` alone was not taken
    // (callgrind). See DESIGN.md, "The kernel's hot path, round 7".
    #[inline(always)]
    pub fn handle(
        &mut self,
        workflow: &W,
        command: &W::Command,
        ctx: &Context<'_>,
    ) -> Result<&[Recorded<W::Event>], CaseError<W::Rejection>> {
        let at = ctx.at();
        if W::is_terminal(&self.state) {
            return Err(self.terminal(command));
        }
        if !super::is_accepted_instant(at) {
            return Err(self.out_of_range(command, at));
        }
        if let Some(last) = self.last_at() {
            if at < last {
                return Err(self.backwards(command, at, last));
            }
        }
        let decision = match workflow.decide(&self.state, command, ctx) {
            Ok(decision) => decision,
            Err(rejection) => return Err(CaseError::Rejected(rejection)),
        };
        let start = self.history.len();
        match decision.into_one() {
            // The common case, one event, straight into the history.
            Ok(event) => {
                let from = self.state.kind();
                W::evolve_in_place(&mut self.state, &event);
                let (kind, to) = (event.kind(), self.state.kind());
                if !self.table.allows::<W>(from, kind, to) {
                    return Err(self.undeclared(from, kind, to));
                }
                let seq = self.version() + 1;
                self.history.push(Recorded {
                    seq,
                    at,
                    actor: ctx.actor().id().clone(),
                    correlation: ctx.correlation().cloned(),
                    event,
                });
            }
            Err(decision) => self.record_all(decision, ctx)?,
        }
        Ok(&self.history[start..])
    }

    /// Records a decision of no event or of several: appends each event
    /// and evolves the state from it where it lies, checking that none
    /// follows a terminal state (the first cannot: a terminal case was
    /// refused) and every step against the table. A faulty decision takes
    /// its records back out and rebuilds the state from the history, so
    /// it changes nothing. One pass, each event moved once: from the
    /// decision into the history (DESIGN.md, "Round 14: the two-event
    /// path in one pass").
    #[inline(never)]
    fn record_all(
        &mut self,
        decision: Decision<W::Event>,
        ctx: &Context<'_>,
    ) -> Result<(), CaseError<W::Rejection>> {
        let start = self.history.len();
        let next = self.version() + 1;
        let mut from = self.state.kind();
        self.history.reserve(decision.len());
        for (seq, event) in (next..).zip(decision) {
            let kind = event.kind();
            if seq > next && W::is_terminal(&self.state) {
                let error = CaseError::EventAfterTerminal {
                    case: self.id.clone(),
                    state: from.name(),
                    event: kind.name(),
                };
                self.history.truncate(start);
                return Err(self.undo(error));
            }
            self.history.push(Recorded {
                seq,
                at: ctx.at(),
                actor: ctx.actor().id().clone(),
                correlation: ctx.correlation().cloned(),
                event,
            });
            if let Some(recorded) = self.history.last() {
                W::evolve_in_place(&mut self.state, &recorded.event);
            }
            let to = self.state.kind();
            if !self.table.allows::<W>(from, kind, to) {
                self.history.truncate(start);
                return Err(self.undeclared(from, kind, to));
            }
            from = to;
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn terminal(&self, command: &W::Command) -> CaseError<W::Rejection> {
        CaseError::Terminal {
            case: self.id.clone(),
            state: self.state.kind().name(),
            command: command.kind().name(),
        }
    }

    #[cold]
    #[inline(never)]
    fn out_of_range(&self, command: &W::Command, at: DateTime<Utc>) -> CaseError<W::Rejection> {
        CaseError::TimeOutOfRange {
            case: self.id.clone(),
            command: command.kind().name(),
            at,
        }
    }

    #[cold]
    #[inline(never)]
    fn backwards(
        &self,
        command: &W::Command,
        at: DateTime<Utc>,
        last: DateTime<Utc>,
    ) -> CaseError<W::Rejection> {
        CaseError::TimeRunsBackwards {
            case: self.id.clone(),
            command: command.kind().name(),
            at,
            last,
        }
    }

    #[cold]
    #[inline(never)]
    fn undeclared(
        &mut self,
        from: StateKindOf<W>,
        event: EventKindOf<W>,
        to: StateKindOf<W>,
    ) -> CaseError<W::Rejection> {
        let error = CaseError::Undeclared {
            case: self.id.clone(),
            from: from.name(),
            event: event.name(),
            to: to.name(),
        };
        self.undo(error)
    }

    /// Puts the state back to the fold of the (untouched) history after a
    /// faulty decision, and passes `error` on.
    #[cold]
    #[inline(never)]
    fn undo(&mut self, error: CaseError<W::Rejection>) -> CaseError<W::Rejection> {
        let mut state = self
            .base
            .as_ref()
            .map_or_else(W::initial, |b| b.state.clone());
        for r in &self.history {
            W::evolve_in_place(&mut state, &r.event);
        }
        self.state = state;
        error
    }

    /// Like [`handle`](Case::handle), but first checks that the case is at
    /// `expected` version — optimistic concurrency for callers that loaded
    /// the case earlier.
    ///
    /// # Errors
    ///
    /// [`CaseError::VersionConflict`] when the case is at another version,
    /// and everything [`handle`](Case::handle) returns.
    pub fn handle_expecting(
        &mut self,
        expected: u64,
        workflow: &W,
        command: &W::Command,
        ctx: &Context<'_>,
    ) -> Result<&[Recorded<W::Event>], CaseError<W::Rejection>> {
        if self.version() != expected {
            return Err(CaseError::VersionConflict {
                case: self.id.clone(),
                expected,
                actual: self.version(),
            });
        }
        self.handle(workflow, command, ctx)
    }

    /// Rebuilds a case from its recorded history.
    ///
    /// Replay checks what a history can break on its own — sequence,
    /// time order and range, terminal states — and every step against the
    /// workflow's declared transition table, so an event that does not fit
    /// the state it is recorded in is refused, not silently ignored. A
    /// stored history's integrity is the journal's hash chain's job.
    ///
    /// # Errors
    ///
    /// A [`ReplayError`] for a broken history: a gap, a duplicate or
    /// reordered sequence number, a time outside the accepted range, time
    /// running backwards, an event after a terminal state, or an event whose
    /// transition the table does not declare.
    pub fn replay(
        id: CaseId,
        history: impl IntoIterator<Item = Recorded<W::Event>>,
    ) -> Result<Self, ReplayError> {
        let history: Vec<Recorded<W::Event>> = history.into_iter().collect();
        let state = replay_state::<W>(&id, &history)?;
        Ok(Self {
            id,
            state,
            history,
            base: None,
            table: TableIndex::of::<W>(),
        })
    }

    /// A case resumed from a snapshot: `state` at `version` (at least 1),
    /// whose event at that version was recorded `at`, then the recorded
    /// events after it, replayed with the checks of [`replay`](Self::replay)
    /// (sequence from `version + 1`, time from `at`, terminal states, the
    /// declared table).
    ///
    /// The state is taken as given: the journal checks a snapshot against
    /// the stored chain before it resumes from it.
    pub(crate) fn resume(
        id: CaseId,
        state: W::State,
        version: u64,
        at: DateTime<Utc>,
        history: Vec<Recorded<W::Event>>,
    ) -> Result<Self, ReplayError> {
        if !super::is_accepted_instant(at) {
            return Err(ReplayError::TimeOutOfRange {
                case: id,
                seq: version,
                at,
            });
        }
        let current = fold_state::<W>(&id, state.clone(), version + 1, at, &history)?;
        Ok(Self {
            id,
            state: current,
            history,
            base: Some(Box::new(Base { version, at, state })),
            table: TableIndex::of::<W>(),
        })
    }

    /// The case continued by `more`, the recorded events after its version,
    /// replayed onto its state with the checks of [`replay`](Self::replay).
    pub(crate) fn continued(mut self, more: Vec<Recorded<W::Event>>) -> Result<Self, ReplayError> {
        let floor = self.last_at().unwrap_or(super::EARLIEST);
        let next = self.version() + 1;
        let state = std::mem::replace(&mut self.state, W::initial());
        self.state = fold_state::<W>(&self.id, state, next, floor, &more)?;
        self.history.extend(more);
        Ok(self)
    }
}

/// Folds a recorded history into the state it produces, checking it as
/// [`Case::replay`] does, without keeping the history.
///
/// This is the streaming form of replay: a projection or a metrics fold can
/// read a case's events, fold them and drop them.
///
/// # Errors
///
/// The same [`ReplayError`]s as [`Case::replay`].
pub fn replay_state<'a, W: Workflow>(
    case: &CaseId,
    history: impl IntoIterator<Item = &'a Recorded<W::Event>>,
) -> Result<W::State, ReplayError>
where
    W::Event: 'a,
{
    fold_state::<W>(case, W::initial(), 1, super::EARLIEST, history)
}

/// Folds `history`, whose first event must be number `expected` and not
/// earlier than `floor`, into `state`, checking it as [`Case::replay`]
/// does, and returns the state it produces.
///
/// A workflow that evolves in place ([`Workflow::EVOLVES_IN_PLACE`]) is
/// folded behind a reference; any other moves the state it owns through
/// [`Workflow::evolve`], without the default `evolve_in_place`'s
/// placeholder (a copy and a store per event: a fifth of the kernel
/// bench's replay). Folding an in-place workflow by value instead costs it
/// about 7 % (the dispute bench).
#[inline]
fn fold_state<'a, W: Workflow>(
    case: &CaseId,
    mut state: W::State,
    expected: u64,
    floor: DateTime<Utc>,
    history: impl IntoIterator<Item = &'a Recorded<W::Event>>,
) -> Result<W::State, ReplayError>
where
    W::Event: 'a,
{
    if W::EVOLVES_IN_PLACE {
        fold::<W, _>(case, InPlace(&mut state), expected, floor, history)?;
        Ok(state)
    } else {
        fold::<W, _>(case, Owned(state), expected, floor, history).map(|owned| owned.0)
    }
}

/// Where [`fold`] keeps the state it folds, passed along by value from
/// event to event.
trait Slot<W: Workflow> {
    fn state(&self) -> &W::State;

    /// The slot after `event`.
    fn apply(self, event: &W::Event) -> Self;
}

/// The state behind a reference, changed by
/// [`evolve_in_place`](Workflow::evolve_in_place).
struct InPlace<'s, W: Workflow>(&'s mut W::State);

impl<W: Workflow> Slot<W> for InPlace<'_, W> {
    #[inline]
    fn state(&self) -> &W::State {
        self.0
    }

    #[inline]
    fn apply(self, event: &W::Event) -> Self {
        W::evolve_in_place(self.0, event);
        self
    }
}

/// The state itself, moved through [`evolve`](Workflow::evolve).
struct Owned<W: Workflow>(W::State);

impl<W: Workflow> Slot<W> for Owned<W> {
    #[inline]
    fn state(&self) -> &W::State {
        &self.0
    }

    #[inline]
    fn apply(self, event: &W::Event) -> Self {
        Self(W::evolve(self.0, event))
    }
}

/// Folds `history`, whose first event must be number `expected` and not
/// earlier than `floor`, into the state in `slot`, checking it as
/// [`Case::replay`] does.
#[inline]
fn fold<'a, W: Workflow, S: Slot<W>>(
    case: &CaseId,
    mut slot: S,
    mut expected: u64,
    // The earliest time the next event may carry: the start of the accepted
    // range (or the time of the event before the first), then the time of
    // the event before it. One comparison checks both the range's lower end
    // and the order.
    mut floor: DateTime<Utc>,
    history: impl IntoIterator<Item = &'a Recorded<W::Event>>,
) -> Result<S, ReplayError>
where
    W::Event: 'a,
{
    let table = TableIndex::of::<W>();
    let mut from = slot.state().kind();
    let mut iter = history.into_iter();
    while let Some(r) = iter.next() {
        if r.seq != expected {
            return Err(sequence_error(case, expected, r.seq, iter));
        }
        if r.at < floor || r.at > super::LATEST {
            return Err(if super::is_accepted_instant(r.at) {
                ReplayError::TimeRunsBackwards {
                    case: case.clone(),
                    seq: r.seq,
                    at: r.at,
                    previous: floor,
                }
            } else {
                ReplayError::TimeOutOfRange {
                    case: case.clone(),
                    seq: r.seq,
                    at: r.at,
                }
            });
        }
        if W::is_terminal(slot.state()) {
            return Err(ReplayError::AfterTerminal {
                case: case.clone(),
                seq: r.seq,
                event: r.event.kind().name(),
                state: from.name(),
            });
        }
        slot = slot.apply(&r.event);
        let (event, to) = (r.event.kind(), slot.state().kind());
        if !table.allows::<W>(from, event, to) {
            return Err(ReplayError::Undeclared {
                case: case.clone(),
                seq: r.seq,
                from: from.name(),
                event: event.name(),
                to: to.name(),
            });
        }
        // The state after this event is the one the next applies to.
        from = to;
        floor = r.at;
        expected += 1;
    }
    Ok(slot)
}

fn sequence_error<'a, E: 'a>(
    case: &CaseId,
    expected: u64,
    found: u64,
    rest: impl Iterator<Item = &'a Recorded<E>>,
) -> ReplayError {
    let case = case.clone();
    if expected > 1 && found == expected - 1 {
        ReplayError::Duplicate { case, seq: found }
    } else if found < expected || rest.map(|r| r.seq).any(|s| s == expected) {
        ReplayError::Reordered {
            case,
            expected,
            found,
        }
    } else {
        ReplayError::Gap {
            case,
            expected,
            found,
        }
    }
}

impl<W: Workflow> Clone for Case<W> {
    fn clone(&self) -> Self {
        Self {
            id: self.id.clone(),
            state: self.state.clone(),
            history: self.history.clone(),
            base: self.base.clone(),
            table: self.table,
        }
    }
}

impl<W: Workflow> PartialEq for Case<W> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.state == other.state
            && self.base_version() == other.base_version()
            && self.history == other.history
    }
}

impl<W: Workflow> fmt::Debug for Case<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("workflow", &W::NAME)
            .field("id", &self.id)
            .field("version", &self.version())
            .field("base_version", &self.base_version())
            .field("state", &self.state)
            .field("history", &self.history)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::actor::Actor;
    use crate::workflow::{Decision, HasKind, Transition};

    /// Counts steps; `StepThenJump` decides a step and then a jump the
    /// table does not declare.
    struct Steps;

    #[derive(Debug, Clone, PartialEq, HasKind)]
    enum StepState {
        Counting(u32),
        Done,
    }

    #[derive(Debug, HasKind)]
    enum StepCommand {
        Step,
        StepThenJump,
        Jump,
    }

    #[derive(Debug, Clone, PartialEq, HasKind)]
    enum StepEvent {
        Stepped,
        Jumped,
    }

    impl Workflow for Steps {
        const NAME: &'static str = "steps";
        type State = StepState;
        type Command = StepCommand;
        type Event = StepEvent;
        type Rejection = std::convert::Infallible;
        fn initial() -> StepState {
            StepState::Counting(0)
        }
        fn decide(
            &self,
            _: &StepState,
            command: &StepCommand,
            _: &Context<'_>,
        ) -> Result<crate::workflow::Decision<StepEvent>, std::convert::Infallible> {
            Ok(match command {
                StepCommand::Step => StepEvent::Stepped.into(),
                StepCommand::StepThenJump => {
                    Decision::one(StepEvent::Stepped).and(StepEvent::Jumped)
                }
                StepCommand::Jump => StepEvent::Jumped.into(),
            })
        }
        fn evolve(state: StepState, event: &StepEvent) -> StepState {
            match (state, event) {
                (StepState::Counting(n), StepEvent::Stepped) => StepState::Counting(n + 1),
                _ => StepState::Done,
            }
        }
        fn is_terminal(state: &StepState) -> bool {
            matches!(state, StepState::Done)
        }
        fn transitions() -> &'static [Transition<StepStateKind, StepEventKind>] {
            const TABLE: &[Transition<StepStateKind, StepEventKind>] = &[Transition::new(
                StepStateKind::Counting,
                StepEventKind::Stepped,
                StepStateKind::Counting,
            )];
            TABLE
        }
    }

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute)
    }

    fn full(steps: usize) -> Case<Steps> {
        let actor = Actor::new("a-1".parse().unwrap());
        let mut case = Case::<Steps>::new("S-1".parse().unwrap());
        for minute in 0..steps {
            case.handle(
                &Steps,
                &StepCommand::Step,
                &Context::new(at(minute as i64), &actor),
            )
            .unwrap();
        }
        case
    }

    /// `case` resumed from its state at version `k`.
    fn resumed(case: &Case<Steps>, k: usize) -> Case<Steps> {
        let state = replay_state::<Steps>(case.id(), &case.history()[..k]).unwrap();
        let at = case.history()[k - 1].at;
        Case::resume(
            case.id().clone(),
            state,
            k as u64,
            at,
            case.history()[k..].to_vec(),
        )
        .unwrap()
    }

    thread_local! {
        /// Calls of `Counted`'s `(evolve, evolve_in_place)` on this thread.
        static EVOLVED: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
    }

    /// `Steps`, evolving in place when `IN_PLACE`, counting which of its
    /// two evolves replay calls.
    struct Counted<const IN_PLACE: bool>;

    impl<const IN_PLACE: bool> Workflow for Counted<IN_PLACE> {
        const NAME: &'static str = "counted";
        const EVOLVES_IN_PLACE: bool = IN_PLACE;
        type State = StepState;
        type Command = StepCommand;
        type Event = StepEvent;
        type Rejection = std::convert::Infallible;
        fn initial() -> StepState {
            Steps::initial()
        }
        fn decide(
            &self,
            state: &StepState,
            command: &StepCommand,
            ctx: &Context<'_>,
        ) -> Result<Decision<StepEvent>, std::convert::Infallible> {
            Steps.decide(state, command, ctx)
        }
        fn evolve(state: StepState, event: &StepEvent) -> StepState {
            EVOLVED.with(|n| n.set((n.get().0 + 1, n.get().1)));
            Steps::evolve(state, event)
        }
        fn evolve_in_place(state: &mut StepState, event: &StepEvent) {
            EVOLVED.with(|n| n.set((n.get().0, n.get().1 + 1)));
            *state = Steps::evolve(state.clone(), event);
        }
        fn is_terminal(state: &StepState) -> bool {
            Steps::is_terminal(state)
        }
        fn transitions() -> &'static [Transition<StepStateKind, StepEventKind>] {
            Steps::transitions()
        }
    }

    /// Replays `history` as `Counted<IN_PLACE>` whole and resumed at 2 and
    /// continued, returning the results and the `(evolve,
    /// evolve_in_place)` calls they made.
    fn counted<const IN_PLACE: bool>(
        history: &[Recorded<StepEvent>],
    ) -> (
        Result<StepState, ReplayError>,
        Result<StepState, ReplayError>,
        (usize, usize),
    ) {
        EVOLVED.with(|n| n.set((0, 0)));
        let id: CaseId = "S-1".parse().unwrap();
        let whole = replay_state::<Counted<IN_PLACE>>(&id, history);
        let head = replay_state::<Counted<IN_PLACE>>(&id, &history[..2]).unwrap();
        let pieces =
            Case::<Counted<IN_PLACE>>::resume(id, head, 2, history[1].at, history[2..4].to_vec())
                .and_then(|case| case.continued(history[4..].to_vec()))
                .map(|case| case.state().clone());
        (whole, pieces, EVOLVED.with(std::cell::Cell::get))
    }

    #[test]
    fn replay_evolves_in_place_only_a_workflow_that_says_so_and_both_agree() {
        let mut history = full(6).history().to_vec();
        let (moved, moved_pieces, moved_calls) = counted::<false>(&history);
        let (in_place, in_place_pieces, in_place_calls) = counted::<true>(&history);
        assert_eq!(moved, Ok(StepState::Counting(6)));
        assert_eq!(
            (&moved_pieces, &in_place, &in_place_pieces),
            (&moved, &moved, &moved)
        );
        // Whole (6), head (2), resumed and continued (4): 12 each.
        assert_eq!(moved_calls, (12, 0));
        assert_eq!(in_place_calls, (0, 12));

        // An undeclared step is refused alike, at the same event.
        history[3].event = StepEvent::Jumped;
        let (moved, moved_pieces, _) = counted::<false>(&history);
        let (in_place, in_place_pieces, _) = counted::<true>(&history);
        assert!(
            matches!(&moved, Err(ReplayError::Undeclared { seq: 4, .. })),
            "{moved:?}"
        );
        assert_eq!(
            (&moved_pieces, &in_place, &in_place_pieces),
            (&moved, &moved, &moved)
        );
    }

    #[test]
    fn a_resumed_case_numbers_times_and_states_as_the_full_one() {
        let whole = full(8);
        let mut case = resumed(&whole, 5);
        assert_eq!((case.version(), case.base_version()), (8, 5));
        assert_eq!(case.state(), whole.state());
        assert_eq!(case.history(), &whole.history()[5..]);
        let actor = Actor::new("a-1".parse().unwrap());
        let recorded = case
            .handle(&Steps, &StepCommand::Step, &Context::new(at(9), &actor))
            .unwrap();
        assert_eq!(recorded[0].seq, 9);
        assert_eq!(case.state(), &StepState::Counting(9));

        // With nothing held after the snapshot, its time still bounds the
        // next command's.
        let mut bare = resumed(&whole, 8);
        assert_eq!(bare.last_at(), Some(at(7)));
        let early = bare.handle(&Steps, &StepCommand::Step, &Context::new(at(6), &actor));
        assert!(matches!(early, Err(CaseError::TimeRunsBackwards { .. })));
    }

    #[test]
    fn a_faulty_decision_leaves_a_resumed_case_as_it_was() {
        let whole = full(6);
        let mut case = resumed(&whole, 4);
        let before = case.clone();
        let actor = Actor::new("a-1".parse().unwrap());
        let err = case.handle(
            &Steps,
            &StepCommand::StepThenJump,
            &Context::new(at(7), &actor),
        );
        assert!(matches!(err, Err(CaseError::Undeclared { .. })));
        assert_eq!(case, before);
        assert_eq!(case.state(), &StepState::Counting(6));
    }

    #[test]
    fn an_undeclared_one_event_decision_changes_nothing() {
        // One event takes the inlined path, not `record_all`: it must undo
        // the state just as the loop does.
        let mut case = full(3);
        let before = case.clone();
        let actor = Actor::new("a-1".parse().unwrap());
        let err = case.handle(&Steps, &StepCommand::Jump, &Context::new(at(4), &actor));
        assert!(matches!(err, Err(CaseError::Undeclared { .. })));
        assert_eq!(case, before);
        let recorded = case
            .handle(&Steps, &StepCommand::Step, &Context::new(at(5), &actor))
            .unwrap();
        assert_eq!(recorded[0].seq, 4);
        assert_eq!(case.state(), &StepState::Counting(4));
    }

    #[test]
    fn a_time_out_of_range_is_named_so_on_a_case_with_history() {
        // Out of range wins over running backwards, and the last time
        // bounds the next command's.
        let mut case = full(3);
        let before = case.clone();
        let actor = Actor::new("a-1".parse().unwrap());
        let one = chrono::Duration::microseconds(1);
        for far in [
            crate::workflow::EARLIEST - one,
            crate::workflow::LATEST + one,
        ] {
            let err = case.handle(&Steps, &StepCommand::Step, &Context::new(far, &actor));
            assert!(
                matches!(err, Err(CaseError::TimeOutOfRange { at: t, .. }) if t == far),
                "{err:?}"
            );
        }
        let early = at(1) - one;
        let err = case.handle(&Steps, &StepCommand::Step, &Context::new(early, &actor));
        assert!(
            matches!(err, Err(CaseError::TimeRunsBackwards { at: t, last, .. }) if t == early && last == at(2)),
            "{err:?}"
        );
        assert_eq!(case, before);
        // The last time itself and the end of the range are accepted.
        case.handle(&Steps, &StepCommand::Step, &Context::new(at(2), &actor))
            .unwrap();
        case.handle(
            &Steps,
            &StepCommand::Step,
            &Context::new(crate::workflow::LATEST, &actor),
        )
        .unwrap();
    }

    #[test]
    fn a_continued_case_equals_the_replay_and_checks_what_follows() {
        let whole = full(9);
        let start = Case::replay(whole.id().clone(), whole.history()[..3].to_vec()).unwrap();
        let continued = start
            .clone()
            .continued(whole.history()[3..].to_vec())
            .unwrap();
        assert_eq!(continued, whole);
        let from_snapshot = resumed(&whole, 2).continued(Vec::new()).unwrap();
        assert_eq!(from_snapshot.state(), whole.state());
        // A gap after the held events is refused.
        let gap = start.continued(whole.history()[4..].to_vec());
        assert!(matches!(
            gap,
            Err(ReplayError::Gap {
                expected: 4,
                found: 5,
                ..
            })
        ));
        // A snapshot time outside the accepted range is refused.
        let state = StepState::Counting(1);
        let far = Case::<Steps>::resume(
            whole.id().clone(),
            state,
            1,
            crate::workflow::LATEST + chrono::Duration::days(1),
            Vec::new(),
        );
        assert!(matches!(
            far,
            Err(ReplayError::TimeOutOfRange { seq: 1, .. })
        ));
    }
}
