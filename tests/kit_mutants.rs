//! A mutation check of the testing kit itself (issue 20): every row of
//! every workflow's table removed, one at a time, and every authority guard
//! flipped, one command kind at a time; the kit (exploration plus guided
//! generation, with the crate's guides) must catch each mutant.
//!
//! Slow, so ignored; run it with
//! `cargo test --release --all-features --test kit_mutants -- --ignored --nocapture`.

mod support {
    pub mod dispute_fixture;
    pub mod ladder_fixture;
    pub mod ticket;
}

use grassroots::actor::{Actor, Role};
use grassroots::dispute::strategies::{self as dispute_strategies, Cast};
use grassroots::dispute::{Dispute, DisputeError, Party};
use grassroots::escalation::{
    EscalationReason, LadderCommand, LadderError, LadderStateKind, Referral, SeverityCause,
};
use grassroots::matter::DisputeKind;
use grassroots::org::Need;
use grassroots::service::{ServiceRequestError, sample, strategies};
use grassroots::testing::guided::{self, Run};
use grassroots::testing::{Budget, Guide, Violation, explore};
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::{
    CommandKindOf, Context, Decision, HasKind, Kind, TransitionOf, Workflow,
};

/// A workflow with one authority guard flipped: when `W` refuses a command
/// of kind `command` for want of a role or a body, it is decided again as
/// if the sender had them.
struct Flip<W: Workflow> {
    inner: W,
    command: CommandKindOf<W>,
    promote: fn(&W::Rejection, &Actor) -> Option<Actor>,
}

impl<W: Workflow> Workflow for Flip<W> {
    const NAME: &'static str = W::NAME;
    type State = W::State;
    type Command = W::Command;
    type Event = W::Event;
    type Rejection = W::Rejection;

    fn initial() -> W::State {
        W::initial()
    }
    fn decide(
        &self,
        state: &W::State,
        command: &W::Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<W::Event>, W::Rejection> {
        if command.kind() != self.command {
            return self.inner.decide(state, command, ctx);
        }
        // A guard may stand on two checks (a role, then a body): promote
        // the sender until the workflow stops refusing for either.
        let mut actor = ctx.actor().clone();
        let mut decided = self.inner.decide(state, command, ctx);
        for _ in 0..3 {
            match &decided {
                Err(e) => match (self.promote)(e, &actor) {
                    Some(promoted) => actor = promoted,
                    None => break,
                },
                Ok(_) => break,
            }
            decided = self
                .inner
                .decide(state, command, &Context::new(ctx.at(), &actor));
        }
        decided
    }
    fn evolve(state: W::State, event: &W::Event) -> W::State {
        W::evolve(state, event)
    }
    fn is_terminal(state: &W::State) -> bool {
        W::is_terminal(state)
    }
    fn transitions() -> &'static [TransitionOf<Self>] {
        W::transitions()
    }
}

/// What the kit finds with a guide: a violation from exploration or from
/// guided generation.
fn caught<W: Workflow>(
    workflow: &W,
    guide: &Guide<W>,
    depth: usize,
    states: usize,
) -> Option<Violation>
where
    W::Command: Clone,
{
    let explored = explore(workflow, guide, Budget::depth(depth).states(states));
    if let Some(c) = explored.violation {
        return Some(c.violation);
    }
    let config = Run {
        cases: 128,
        ..Run::default()
    };
    guided::run(workflow, guide, config)
        .err()
        .map(|f| f.violation)
}

struct Tally {
    name: &'static str,
    killed: usize,
    survivors: Vec<String>,
}

impl Tally {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            killed: 0,
            survivors: Vec::new(),
        }
    }
    fn record(&mut self, mutant: String, caught: Option<Violation>) {
        match caught {
            Some(_) => self.killed += 1,
            None => self.survivors.push(mutant),
        }
    }
    fn print(&self) {
        let total = self.killed + self.survivors.len();
        println!(
            "{}: {} of {} mutants killed ({:.1}%)",
            self.name,
            self.killed,
            total,
            100.0 * self.killed as f64 / total.max(1) as f64
        );
        for s in &self.survivors {
            println!("  survived: {s}");
        }
    }
}

/// Removes each row of `W`'s table in turn from the guide's table.
fn rows<W: Workflow>(tally: &mut Tally, workflow: &W, guide: &Guide<W>, depth: usize, states: usize)
where
    W::Command: Clone,
{
    let table = W::transitions();
    for (i, row) in table.iter().enumerate() {
        let mutant = guide.clone().with_table(
            table
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, t)| *t),
        );
        let found = caught(workflow, &mutant, depth, states);
        let found = found.filter(|v| {
            matches!(v, Violation::UndeclaredTransition { from, event, to, .. }
                if *from == row.from.name() && *event == row.event.name() && *to == row.to.name())
        });
        tally.record(
            format!("row {} --{}--> {} removed", row.from, row.event, row.to),
            found,
        );
    }
}

/// Flips the authority guard of each command kind in turn.
fn guards<W: Workflow>(
    tally: &mut Tally,
    make: impl Fn() -> W,
    guide: impl Fn() -> Guide<Flip<W>>,
    promote: fn(&W::Rejection, &Actor) -> Option<Actor>,
    depth: usize,
    states: usize,
) where
    W::Command: Clone,
{
    for command in CommandKindOf::<W>::all() {
        let flipped = Flip {
            inner: make(),
            command,
            promote,
        };
        let found = caught(&flipped, &guide(), depth, states)
            .filter(|v| matches!(v, Violation::OutsiderAccepted { .. }));
        tally.record(format!("guard on {command} flipped"), found);
    }
}

mod ticket_guide {
    use super::support::ticket::{Command, State, StateKind};
    use grassroots::actor::{Actor, Role};
    use grassroots::testing::Guide;
    use grassroots::workflow::Workflow;

    pub(super) fn guide<W: Workflow<State = State, Command = Command>>() -> Guide<W> {
        let owner = || Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
        let party = || Actor::new("resident".parse().unwrap()).with_role(Role::Party);
        let supervisor = || Actor::new("sup-1".parse().unwrap()).with_role(Role::Supervisor);
        Guide::new()
            .when(StateKind::New, move |_| {
                vec![(owner(), Command::Open), (party(), Command::Cancel)]
            })
            .when(StateKind::Open, move |_| {
                vec![
                    (owner(), Command::Hold),
                    (owner(), Command::Resolve),
                    (
                        owner().with_role(Role::Supervisor),
                        Command::ResolveAndClose,
                    ),
                    (party(), Command::Cancel),
                ]
            })
            .when(StateKind::OnHold, move |_| {
                vec![(owner(), Command::Resume), (party(), Command::Cancel)]
            })
            .when(StateKind::Resolved, move |_| {
                vec![(supervisor(), Command::Close)]
            })
            .anywhere(|_| vec![(Actor::system(), Command::Tick)])
    }
}

fn ladder_guide<
    W: Workflow<State = grassroots::escalation::LadderState, Command = LadderCommand>,
>() -> Guide<W> {
    use support::ladder_fixture::*;
    let start = |severity| LadderCommand::Start {
        location: id("grid-7"),
        need: Need::Mediation(DisputeKind::Labour),
        severity,
        due: None,
    };
    Guide::new()
        .when(LadderStateKind::Idle, move |_| {
            vec![
                (grid_worker(), start(Severity::Minor)),
                (grid_worker(), start(Severity::Serious)),
            ]
        })
        .anywhere(|state: &grassroots::escalation::LadderState| {
            let tier = state.tier().unwrap_or(Tier::Grid);
            let due = monday() + chrono::Duration::days(40);
            vec![
                (
                    officer(tier),
                    LadderCommand::Escalate {
                        reason: EscalationReason::HandlingFailed,
                    },
                ),
                (
                    party(),
                    LadderCommand::Escalate {
                        reason: EscalationReason::RequestedByParty,
                    },
                ),
                (
                    officer(tier.above().unwrap_or(Tier::Municipal)),
                    LadderCommand::Override {
                        reason: EscalationReason::HandlingFailed,
                        justification: "the park cannot compel it".into(),
                    },
                ),
                (
                    grid_worker(),
                    LadderCommand::RaiseSeverity {
                        to: Severity::Critical,
                        cause: SeverityCause::RiskOfIntensifying,
                    },
                ),
                (officer(tier), LadderCommand::Reschedule { due }),
                (officer(tier), LadderCommand::Resolve),
                (
                    officer(tier),
                    LadderCommand::ReferOut {
                        to: Referral::Arbitration,
                    },
                ),
                (Actor::system(), LadderCommand::Tick),
            ]
        })
}

fn labour_cast() -> Cast {
    use support::dispute_fixture::*;
    Cast::new(
        DisputeKind::Labour,
        id("huanan-park"),
        vec![
            Party::person(aid("li")),
            Party::enterprise(aid("acme-rep"), id("acme")),
        ],
        vec![aid("qian"), aid("zhao")],
    )
    .with_bodies([id("park-academy"), id("hehua-med"), id("pinghu-med")])
}

fn with_role(actor: &Actor, role: Role) -> Actor {
    actor.clone().with_role(role)
}

#[test]
#[ignore = "slow: run with --ignored (see DESIGN.md, issue 20)"]
fn the_kit_kills_every_mutant_it_should() {
    use support::ticket::{Ticket, TicketError};

    let mut tallies = Vec::new();

    let mut t = Tally::new("ticket");
    rows(&mut t, &Ticket, &ticket_guide::guide(), 8, 100_000);
    guards(
        &mut t,
        || Ticket,
        ticket_guide::guide,
        |e, a| match e {
            TicketError::Forbidden(f) => Some(with_role(a, f.needed)),
            TicketError::NotOwner { owner } => {
                Some(Actor::new(owner.clone()).with_role(Role::Supervisor))
            }
            _ => None,
        },
        8,
        100_000,
    );
    tallies.push(t);

    let mut t = Tally::new("escalation ladder");
    let ladder = support::ladder_fixture::ladder();
    rows(&mut t, &ladder, &ladder_guide(), 8, 100_000);
    guards(
        &mut t,
        support::ladder_fixture::ladder,
        ladder_guide,
        |e: &LadderError, a| match e {
            LadderError::Forbidden(f) => Some(with_role(a, f.needed)),
            _ => None,
        },
        8,
        100_000,
    );
    tallies.push(t);

    let mut t = Tally::new("dispute");
    let dispute: Dispute = support::dispute_fixture::dispute();
    rows(&mut t, &dispute, &dispute_guide(), DISPUTE_DEPTH, 60_000);
    guards(
        &mut t,
        support::dispute_fixture::dispute,
        dispute_guide,
        |e: &DisputeError, a| match e {
            DisputeError::Forbidden(f) => Some(with_role(a, f.needed)),
            DisputeError::NotBodyOfficer { body, tier, .. } => {
                Some(with_role(a, Role::Officer(*tier)).acting_for(body.clone()))
            }
            _ => None,
        },
        DISPUTE_DEPTH,
        60_000,
    );
    tallies.push(t);

    let mut t = Tally::new("service request");
    let service = sample::huanan_city_service();
    rows(&mut t, &service, &service_guide(), SERVICE_DEPTH, 60_000);
    guards(
        &mut t,
        sample::huanan_city_service,
        service_guide,
        |e: &ServiceRequestError, a| match e {
            ServiceRequestError::Forbidden(f) => Some(with_role(a, f.needed)),
            ServiceRequestError::NotActingFor { body, .. } => {
                Some(a.clone().acting_for(body.clone()))
            }
            ServiceRequestError::NotTheApplicant { applicant, .. } => Some(
                a.roles()
                    .iter()
                    .fold(Actor::new(applicant.clone()), |actor, r| {
                        actor.with_role(*r)
                    }),
            ),
            _ => None,
        },
        SERVICE_DEPTH,
        60_000,
    );
    tallies.push(t);

    let (mut killed, mut total) = (0, 0);
    for t in &tallies {
        t.print();
        killed += t.killed;
        total += t.killed + t.survivors.len();
    }
    println!(
        "overall: {killed} of {total} mutants killed ({:.1}%)",
        100.0 * killed as f64 / total as f64
    );
}

const DISPUTE_DEPTH: usize = 8;
const SERVICE_DEPTH: usize = 10;

/// A state's `Debug` form without its times, as tests/kit.rs explores.
fn without_times<S: std::fmt::Debug>(state: &S) -> String {
    let text = format!("{state:?}");
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let time_char = |c: char| c.is_ascii_digit() || "-:TZ.+".contains(c);
    for c in text.chars().chain(std::iter::once(' ')) {
        if time_char(c) {
            token.push(c);
            continue;
        }
        if !(token.contains('T') && token.contains(':')) {
            out.push_str(&token);
        }
        token.clear();
        out.push(c);
    }
    out
}

fn dispute_guide<W>() -> Guide<W>
where
    W: Workflow<
            State = grassroots::dispute::DisputeState,
            Command = grassroots::dispute::DisputeCommand,
        >,
{
    dispute_strategies::guide(&support::dispute_fixture::dispute(), &labour_cast())
        .gaps([
            chrono::Duration::hours(1),
            chrono::Duration::days(4),
            chrono::Duration::days(16),
        ])
        .view(without_times)
}

fn service_guide<W>() -> Guide<W>
where
    W: Workflow<
            State = grassroots::service::ServiceRequestState,
            Command = grassroots::service::ServiceRequestCommand,
        >,
{
    strategies::guide(&sample::huanan_city_service()).view(without_times)
}
