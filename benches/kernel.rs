//! The kernel against a bare enum `match`, measured side by side.
//!
//! `cargo bench --bench kernel`
//!
//! - `handle/case`: `Case::handle` on the test ticket workflow (decide +
//!   evolve + record), alternating `Hold` and `Resume`.
//! - `handle/bare_match`: the same rules written as one `match` that pushes
//!   the same audit record (`Recorded`: sequence, time, actor, event) to a
//!   `Vec` — the hand-written baseline of DESIGN.md §7.
//! - `handle/case_in_place`: `Case::handle` on the same ticket written to
//!   change its state in place (`evolve_in_place` overridden,
//!   `EVOLVES_IN_PLACE`), as the crate's own workflows do: what a
//!   workflow's by-value `evolve` costs the kernel's row.
//! - `replay/case`: `Case::replay` of a 1,000-event history;
//!   `replay/replay_state`: the same checked fold without keeping the
//!   history; `replay/bare_fold`: a plain fold of the same events.

#![allow(missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main,
};
use grassroots::actor::{Actor, Role};
use grassroots::id::{ActorId, CaseId};
use grassroots::workflow::{Case, Context, Decision, Recorded, TransitionOf, Workflow};

#[path = "../tests/support/ticket.rs"]
mod ticket;

use ticket::{Command, Event, State, Ticket, TicketError};

const BATCH: usize = 1_000;

/// The ticket with the same rules, events and table, its state changed in
/// place: a kind change moves the owner into the next state where the
/// case keeps it, with no state returned by value.
#[derive(Debug, Default)]
struct InPlaceTicket;

impl Workflow for InPlaceTicket {
    const NAME: &'static str = "ticket_in_place";
    const EVOLVES_IN_PLACE: bool = true;
    type State = State;
    type Command = Command;
    type Event = Event;
    type Rejection = TicketError;

    fn initial() -> State {
        Ticket::initial()
    }

    fn decide(
        &self,
        state: &State,
        command: &Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<Event>, TicketError> {
        Ticket.decide(state, command, ctx)
    }

    fn evolve(mut state: State, event: &Event) -> State {
        Self::evolve_in_place(&mut state, event);
        state
    }

    fn evolve_in_place(state: &mut State, event: &Event) {
        match (&mut *state, event) {
            (State::Open { reminded, .. }, Event::Reminded) => *reminded = true,
            (State::Open { .. }, Event::Held) | (State::OnHold { .. }, Event::Resumed { .. }) => {
                *state = match (std::mem::replace(state, State::New), event) {
                    (State::Open { owner, .. }, _) => State::OnHold { owner },
                    (State::OnHold { owner }, Event::Resumed { at }) => State::Open {
                        owner,
                        since: *at,
                        reminded: false,
                    },
                    (other, _) => other,
                }
            }
            _ => {
                let taken = std::mem::replace(state, State::New);
                *state = Ticket::evolve(taken, event);
            }
        }
    }

    fn is_terminal(state: &State) -> bool {
        Ticket::is_terminal(state)
    }

    fn transitions() -> &'static [TransitionOf<Self>] {
        Ticket::transitions()
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// One command through the kernel. Kept out of line, as `bare_handle` is,
/// so that both sides are one call returning whether the command was
/// recorded, and callgrind counts each per command
/// (`--toggle-collect='*case_handle*'` against `'*bare_handle*'`).
#[inline(never)]
fn case_handle<W: Workflow>(
    case: &mut Case<W>,
    workflow: &W,
    command: &W::Command,
    ctx: &Context<'_>,
) -> bool {
    case.handle(workflow, command, ctx).is_ok()
}

/// Benches `case_handle` over the commands, each batch on a fresh clone of
/// `opened`.
fn bench_case<W: Workflow>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    workflow: &W,
    opened: &Case<W>,
    commands: &[(W::Command, DateTime<Utc>)],
    actor: &Actor,
) {
    group.bench_function(name, |b| {
        b.iter_batched_ref(
            || opened.clone(),
            |case| {
                for (command, at) in commands {
                    let ctx = Context::new(*at, actor);
                    black_box(case_handle(case, workflow, command, &ctx));
                }
            },
            BatchSize::SmallInput,
        )
    });
}

/// The baseline: the ticket's hold/resume rules as a bare `match`, pushing
/// the same audit record the kernel keeps.
#[inline(never)]
fn bare_handle(
    state: &mut State,
    history: &mut Vec<Recorded<Event>>,
    command: &Command,
    at: DateTime<Utc>,
    actor: &Actor,
) -> bool {
    let event = match (&*state, command) {
        (State::Open { owner, .. }, Command::Hold) if owner == actor.id() => Event::Held,
        (State::OnHold { owner }, Command::Resume) if owner == actor.id() => Event::Resumed { at },
        _ => return false,
    };
    *state = match (std::mem::replace(state, State::New), &event) {
        (State::Open { owner, .. }, Event::Held) => State::OnHold { owner },
        (State::OnHold { owner }, Event::Resumed { at }) => State::Open {
            owner,
            since: *at,
            reminded: false,
        },
        (s, _) => s,
    };
    history.push(Recorded {
        seq: history.len() as u64 + 1,
        at,
        actor: actor.id().clone(),
        correlation: None,
        event,
    });
    true
}

fn commands() -> Vec<(Command, DateTime<Utc>)> {
    (0..BATCH)
        .map(|i| {
            let command = if i % 2 == 0 {
                Command::Hold
            } else {
                Command::Resume
            };
            (command, t0() + Duration::minutes(i as i64 + 1))
        })
        .collect()
}

fn handle(c: &mut Criterion) {
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    let owner: ActorId = "gw-7".parse().unwrap();
    let commands = commands();
    let opened = Case::<Ticket>::replay(
        CaseId::new("B-1").unwrap(),
        [Recorded {
            seq: 1,
            at: t0(),
            actor: owner.clone(),
            correlation: None,
            event: Event::Opened { owner, at: t0() },
        }],
    )
    .unwrap();

    let mut group = c.benchmark_group("handle");
    group.throughput(Throughput::Elements(BATCH as u64));
    bench_case(&mut group, "case", &Ticket, &opened, &commands, &worker);
    let opened_in_place =
        Case::<InPlaceTicket>::replay(opened.id().clone(), opened.history().iter().cloned())
            .unwrap();
    bench_case(
        &mut group,
        "case_in_place",
        &InPlaceTicket,
        &opened_in_place,
        &commands,
        &worker,
    );
    group.bench_function("bare_match", |b| {
        b.iter_batched_ref(
            || (opened.state().clone(), opened.history().to_vec()),
            |(state, history)| {
                for (command, at) in &commands {
                    black_box(bare_handle(state, history, command, *at, &worker));
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let mut live = opened.clone();
    for (command, at) in &commands {
        live.handle(&Ticket, command, &Context::new(*at, &worker))
            .unwrap();
    }
    let history = live.history().to_vec();
    // The in-place ticket records the same history and reaches the same
    // state, so its row measures the same work.
    let mut in_place = opened_in_place.clone();
    for (command, at) in &commands {
        in_place
            .handle(&InPlaceTicket, command, &Context::new(*at, &worker))
            .unwrap();
    }
    assert_eq!(in_place.history(), live.history());
    assert_eq!(in_place.state(), live.state());
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(history.len() as u64));
    group.bench_function("case", |b| {
        b.iter_batched(
            || history.clone(),
            |h| black_box(Case::<Ticket>::replay(CaseId::new("B-1").unwrap(), h).unwrap()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("replay_state", |b| {
        b.iter(|| {
            black_box(grassroots::workflow::replay_state::<Ticket>(
                live.id(),
                history.iter(),
            ))
        })
    });
    group.bench_function("bare_fold", |b| {
        b.iter(|| {
            black_box(
                history
                    .iter()
                    .fold(Ticket::initial(), |s, r| Ticket::evolve(s, &r.event)),
            )
        })
    });
    group.finish();

    println!(
        "size_of: State {} B, Event {} B, Recorded<Event> {} B",
        std::mem::size_of::<State>(),
        std::mem::size_of::<Event>(),
        std::mem::size_of::<Recorded<Event>>()
    );
}

criterion_group!(benches, handle);
criterion_main!(benches);
