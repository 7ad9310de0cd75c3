//! [`Guide`]: which commands make sense in each kind of state, and who may
//! send them — what guided generation and exploration draw from.

use std::fmt;
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};

use crate::actor::Actor;
use crate::id::{ActorId, CaseId};
use crate::workflow::{Case, CommandKindOf, HasKind, StateKindOf, TransitionOf, Workflow};

type Options<W> = Rc<dyn Fn(&<W as Workflow>::State) -> Vec<(Actor, <W as Workflow>::Command)>>;
type Check<W> = Rc<dyn Fn(&Case<W>) -> bool>;
type View<W> = Rc<dyn Fn(&<W as Workflow>::State) -> u128>;

/// What the testing kit may send a workflow's cases: per kind of state, the
/// commands that make sense and the actors allowed to send them, plus the
/// invariants of your own to check in every state reached.
///
/// One guide drives both `guided` generation
/// (feature `proptest`) and bounded [`explore`](crate::testing::explore)ation.
/// In each state the kit offers the commands of the [`when`](Guide::when)
/// rule for its kind and of every [`anywhere`](Guide::anywhere) rule;
/// generation prefers those the workflow would accept right now, so drawn
/// sequences mostly advance, and slips in a share of
/// [`mistakes`](Guide::mistakes): commands of other states, the
/// [`outsider`](Guide::outsider) in place of the right actor, and times
/// earlier than the last event.
///
/// ```
/// # use grassroots::actor::{Actor, Forbidden, Role};
/// # use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
/// # struct Lamp;
/// # #[derive(Debug, Clone, PartialEq, HasKind)] enum State { Off, On }
/// # #[derive(Debug, Clone, HasKind)] enum Command { Switch }
/// # #[derive(Debug, Clone, PartialEq, HasKind)] enum Event { SwitchedOn, SwitchedOff }
/// # impl Workflow for Lamp {
/// #     const NAME: &'static str = "lamp";
/// #     type State = State; type Command = Command; type Event = Event; type Rejection = Forbidden;
/// #     fn initial() -> State { State::Off }
/// #     fn decide(&self, s: &State, _: &Command, ctx: &Context<'_>) -> Result<Decision<Event>, Forbidden> {
/// #         ctx.actor().require("switch", Role::GridWorker)?;
/// #         Ok(match s { State::Off => Event::SwitchedOn, State::On => Event::SwitchedOff }.into())
/// #     }
/// #     fn evolve(_: State, e: &Event) -> State { match e { Event::SwitchedOn => State::On, Event::SwitchedOff => State::Off } }
/// #     fn is_terminal(_: &State) -> bool { false }
/// #     fn transitions() -> &'static [Transition<StateKind, EventKind>] {
/// #         const T: &[Transition<StateKind, EventKind>] = &[
/// #             Transition::new(StateKind::Off, EventKind::SwitchedOn, StateKind::On),
/// #             Transition::new(StateKind::On, EventKind::SwitchedOff, StateKind::Off),
/// #         ];
/// #         T
/// #     }
/// # }
/// use grassroots::testing::{Budget, Guide, explore};
///
/// let worker = Actor::new("gw-1".parse()?).with_role(Role::GridWorker);
/// let guide = Guide::<Lamp>::new()
///     .when(StateKind::Off, move |_| vec![(worker.clone(), Command::Switch)])
///     .anywhere(|_| vec![(Actor::new("gw-2".parse().unwrap()).with_role(Role::GridWorker), Command::Switch)])
///     .invariant("the lamp is never on twice in a row", |case| {
///         case.history().windows(2).all(|w| w[0].event != w[1].event)
///     });
/// let report = explore(&Lamp, &guide, Budget::depth(6));
/// assert!(report.violation.is_none(), "{report}");
/// assert!(report.coverage.unreached().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Guide<W: Workflow> {
    when: Vec<(StateKindOf<W>, Options<W>)>,
    anywhere: Vec<Options<W>>,
    public: Vec<CommandKindOf<W>>,
    invariants: Vec<(String, Check<W>)>,
    view: Option<View<W>>,
    table: Rc<[TransitionOf<W>]>,
    outsider: Actor,
    gaps: Vec<Duration>,
    mistakes: u8,
    id: CaseId,
    start: DateTime<Utc>,
}

impl<W: Workflow> Guide<W> {
    /// An empty guide with the kit's defaults: the workflow's declared table,
    /// gaps of a minute, an hour, a day, four days and sixteen days between
    /// steps, one drawn step in ten a deliberate mistake, an `outsider` with
    /// no role, and cases starting at [`epoch`](crate::testing::epoch).
    pub fn new() -> Self {
        Self {
            when: Vec::new(),
            anywhere: Vec::new(),
            public: Vec::new(),
            invariants: Vec::new(),
            view: None,
            table: W::transitions().into(),
            outsider: Actor::new(ActorId::new("outsider").expect("`outsider` is a valid id")),
            gaps: vec![
                Duration::minutes(1),
                Duration::hours(1),
                Duration::days(1),
                Duration::days(4),
                Duration::days(16),
            ],
            mistakes: 10,
            id: crate::testing::scenario_case_id(),
            start: crate::testing::epoch(),
        }
    }

    /// In states of kind `kind`, offers the commands `options` returns for
    /// the state, each with the actor to send it. Several rules for one kind
    /// add up.
    #[must_use]
    pub fn when(
        mut self,
        kind: StateKindOf<W>,
        options: impl Fn(&W::State) -> Vec<(Actor, W::Command)> + 'static,
    ) -> Self {
        self.when.push((kind, Rc::new(options)));
        self
    }

    /// In every state, also offers the commands `options` returns (a tick by
    /// the system, a risk flag, a withdrawal by a party).
    #[must_use]
    pub fn anywhere(
        mut self,
        options: impl Fn(&W::State) -> Vec<(Actor, W::Command)> + 'static,
    ) -> Self {
        self.anywhere.push(Rc::new(options));
        self
    }

    /// Declares commands of kind `kind` open to anyone: the kit does not
    /// expect the outsider to be refused them.
    #[must_use]
    pub fn public(mut self, kind: CommandKindOf<W>) -> Self {
        if !self.public.contains(&kind) {
            self.public.push(kind);
        }
        self
    }

    /// Adds an invariant of your own, checked on the case after every
    /// accepted command; `name` says the rule in the report.
    #[must_use]
    pub fn invariant(
        mut self,
        name: impl Into<String>,
        holds: impl Fn(&Case<W>) -> bool + 'static,
    ) -> Self {
        self.invariants.push((name.into(), Rc::new(holds)));
        self
    }

    /// Deduplicates explored states by `view` of them rather than by the
    /// whole state (TLC's `VIEW`): states with equal views count as one and
    /// only the first reached is expanded. Leave out what does not change
    /// what happens next — exact times, counters — to keep a deep
    /// exploration small; leave in whatever does, or states go unexplored.
    #[must_use]
    pub fn view<V: std::hash::Hash>(mut self, view: impl Fn(&W::State) -> V + 'static) -> Self {
        self.view = Some(Rc::new(move |state| {
            crate::testing::explore::fingerprint_hash(&view(state))
        }));
        self
    }

    /// Checks performed transitions against `rows` rather than the
    /// workflow's declared table (for mutation tests of the kit, or a table
    /// under review). Coverage is counted over `rows` too.
    #[must_use]
    pub fn with_table(mut self, rows: impl IntoIterator<Item = TransitionOf<W>>) -> Self {
        self.table = rows.into_iter().collect();
        self
    }

    /// The actor sent in place of the right one in wrong-actor mistakes and
    /// probes. The kit expects every command it offers, except
    /// [`public`](Guide::public) ones, to be refused from this actor (or to
    /// decide nothing).
    #[must_use]
    pub fn outsider(mut self, actor: Actor) -> Self {
        self.outsider = actor;
        self
    }

    /// The time steps between commands: generation draws one per step,
    /// exploration tries each. An empty list keeps the previous one.
    #[must_use]
    pub fn gaps(mut self, gaps: impl IntoIterator<Item = Duration>) -> Self {
        let gaps: Vec<Duration> = gaps.into_iter().collect();
        if !gaps.is_empty() {
            self.gaps = gaps;
        }
        self
    }

    /// The share of drawn steps, in percent (capped at 100), that are
    /// deliberate mistakes: a command offered in another state, the outsider
    /// as sender, or a time before the last event.
    #[must_use]
    pub fn mistakes(mut self, percent: u8) -> Self {
        self.mistakes = percent.min(100);
        self
    }

    /// Uses `id` and `start` for the cases the kit runs.
    #[must_use]
    pub fn starting(mut self, id: CaseId, start: DateTime<Utc>) -> Self {
        self.id = id;
        self.start = start;
        self
    }

    /// The commands offered in `state`, with their senders: the
    /// [`when`](Guide::when) rules of its kind first, then the
    /// [`anywhere`](Guide::anywhere) rules.
    pub fn options(&self, state: &W::State) -> Vec<(Actor, W::Command)> {
        let kind = state.kind();
        let mut out = Vec::new();
        for (k, options) in &self.when {
            if *k == kind {
                out.extend(options(state));
            }
        }
        for options in &self.anywhere {
            out.extend(options(state));
        }
        out
    }

    /// The fingerprint exploration deduplicates `state` by: its
    /// [`view`](Guide::view) if one is set, else its `Debug` form.
    pub fn fingerprint(&self, state: &W::State) -> u128 {
        match &self.view {
            Some(view) => view(state),
            None => crate::testing::explore::fingerprint(state),
        }
    }

    /// The table performed transitions are checked against.
    pub fn table(&self) -> &[TransitionOf<W>] {
        &self.table
    }

    /// The outsider (see [`outsider`](Guide::outsider)).
    pub fn outsider_actor(&self) -> &Actor {
        &self.outsider
    }

    /// Whether commands of `kind` are open to anyone.
    pub fn is_public(&self, kind: CommandKindOf<W>) -> bool {
        self.public.contains(&kind)
    }

    /// The time steps between commands.
    pub fn time_steps(&self) -> &[Duration] {
        &self.gaps
    }

    /// The share of deliberate mistakes, in percent.
    pub fn mistake_percent(&self) -> u8 {
        self.mistakes
    }

    /// The id of the cases the kit runs.
    pub fn case_id(&self) -> &CaseId {
        &self.id
    }

    /// When the cases the kit runs start.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The name of the first of your invariants `case` breaks, if any.
    pub fn broken_invariant(&self, case: &Case<W>) -> Option<&str> {
        self.invariants
            .iter()
            .find(|(_, holds)| !holds(case))
            .map(|(name, _)| name.as_str())
    }
}

impl<W: Workflow> Default for Guide<W> {
    fn default() -> Self {
        Self::new()
    }
}

impl<W: Workflow> Clone for Guide<W> {
    fn clone(&self) -> Self {
        Self {
            when: self.when.clone(),
            anywhere: self.anywhere.clone(),
            public: self.public.clone(),
            invariants: self.invariants.clone(),
            view: self.view.clone(),
            table: self.table.clone(),
            outsider: self.outsider.clone(),
            gaps: self.gaps.clone(),
            mistakes: self.mistakes,
            id: self.id.clone(),
            start: self.start,
        }
    }
}

impl<W: Workflow> fmt::Debug for Guide<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds: Vec<_> = self.when.iter().map(|(k, _)| *k).collect();
        let invariants: Vec<_> = self.invariants.iter().map(|(n, _)| n).collect();
        f.debug_struct("Guide")
            .field("workflow", &W::NAME)
            .field("when", &kinds)
            .field("anywhere", &self.anywhere.len())
            .field("public", &self.public)
            .field("invariants", &invariants)
            .field("view", &self.view.is_some())
            .field("table", &self.table.len())
            .field("outsider", &self.outsider)
            .field("gaps", &self.gaps)
            .field("mistakes", &self.mistakes)
            .finish()
    }
}
