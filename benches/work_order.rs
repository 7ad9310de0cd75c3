//! Work orders against a bare enum `match`, measured side by side in the
//! same run; replay of whole work-order histories.
//!
//! `cargo bench --features sim --bench work_order -- --warm-up-time 1 --measurement-time 3`
//!
//! - `work_order_handle/case`: `Case::handle` on an order in hand (decide +
//!   evolve + record), alternating `RequestExtension` by the lead body and
//!   `RejectExtension` by a supervisor.
//! - `work_order_handle/bare_match`: the same rules (the lead's role and
//!   body, the extension's bounds and deadline, the supervisor's role)
//!   written as one `match` on the same state, pushing the same audit
//!   record — the baseline of DESIGN.md §7.
//! - `work_order_replay/lifecycle_*`: replay of 100 whole orders (intake,
//!   handover, dispatch, return, re-dispatch, sign-for with the ladder's
//!   start, reply, dissatisfied callback, redo, reply, callback, close: 14 events each).

#![allow(missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use grassroots::actor::{Actor, Role};
use grassroots::id::CaseId;
use grassroots::service::Note;
use grassroots::work_order::sample::*;
use grassroots::work_order::{
    Channel, Finding, GeoFields, Lead, MEMBER_ROLES, ReturnGround, ReturnReason, Satisfaction,
    WorkOrder, WorkOrderCommand as Command, WorkOrderEvent as Event, WorkOrderState as State,
};
use grassroots::workflow::{Case, Context, Recorded, Workflow, replay_state};

const BATCH: usize = 1_000;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn note(s: &str) -> Note {
    s.parse().unwrap()
}

fn receive(channel: Channel, matter: grassroots::org::Need) -> Command {
    Command::Receive {
        channel,
        requester: "res-1".parse().unwrap(),
        matter,
        location: HUANAN_CITY.parse().unwrap(),
        description: note("the street light at gate 3 is out"),
        geo: GeoFields::default(),
    }
}

/// The baseline: request and reject extensions as a bare `match`, with the
/// same checks, pushing the same audit record.
/// One command through the kernel. Kept out of line, as `bare_handle` is,
/// so that both sides are one call returning whether the command was
/// recorded, and callgrind counts each per command
/// (`--toggle-collect='*case_handle*'` against `'*bare_handle*'`).
#[inline(never)]
fn case_handle(
    case: &mut Case<WorkOrder>,
    workflow: &WorkOrder,
    command: &<WorkOrder as Workflow>::Command,
    ctx: &Context<'_>,
) -> bool {
    case.handle(workflow, command, ctx).is_ok()
}

#[inline(never)]
fn bare_handle(
    orders: &WorkOrder,
    state: &mut State,
    history: &mut Vec<Recorded<Event>>,
    command: &Command,
    at: DateTime<Utc>,
    actor: &Actor,
) -> bool {
    let max = orders.terms().handling_days();
    let event = match (&*state, command) {
        (
            State::InHand { handling, .. },
            Command::RequestExtension {
                working_days,
                reason,
            },
        ) if MEMBER_ROLES.iter().any(|r| actor.has_role(*r))
            && actor.acts_for(handling.lead())
            && *working_days > 0
            && *working_days <= max
            && at < handling.due() =>
        {
            Event::ExtensionRequested {
                working_days: *working_days,
                reason: reason.clone(),
            }
        }
        (State::ExtensionRequested { .. }, Command::RejectExtension { reason })
            if actor.has_role(Role::Supervisor) =>
        {
            Event::ExtensionRejected {
                reason: reason.clone(),
            }
        }
        _ => return false,
    };
    // The state is sealed: the fact moves it, as it does in the kernel.
    *state = <WorkOrder as Workflow>::evolve(std::mem::replace(state, State::New), &event);
    history.push(Recorded {
        seq: history.len() as u64 + 1,
        at,
        actor: actor.id().clone(),
        correlation: None,
        event,
    });
    true
}

/// Alternating requests and rejections, a minute apart, with their senders.
fn commands() -> Vec<(Actor, Command, DateTime<Utc>)> {
    let reason = note("the lamp must be ordered");
    (0..BATCH)
        .map(|i| {
            let at = t0() + Duration::hours(1) + Duration::minutes(i as i64);
            if i % 2 == 0 {
                (
                    member(PINGHU),
                    Command::RequestExtension {
                        working_days: 2,
                        reason: reason.clone(),
                    },
                    at,
                )
            } else {
                (
                    supervisor(),
                    Command::RejectExtension {
                        reason: reason.clone(),
                    },
                    at,
                )
            }
        })
        .collect()
}

fn run(orders: &WorkOrder, id: &str, steps: Vec<(Actor, Command, i64)>) -> Case<WorkOrder> {
    let mut case = Case::<WorkOrder>::new(CaseId::new(id).unwrap());
    for (actor, command, minutes) in steps {
        let at = t0() + Duration::minutes(minutes);
        case.handle(orders, &command, &Context::new(at, &actor))
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    }
    case
}

/// An order in hand at Pinghu, taken on at a secretary face-to-face.
fn in_hand(orders: &WorkOrder) -> Case<WorkOrder> {
    run(
        orders,
        "B-1",
        vec![
            (
                secretary(),
                receive(Channel::SecretaryFaceToFace, STREET_LIGHTING),
                0,
            ),
            (secretary(), Command::TakeOn, 1),
        ],
    )
}

/// A whole order: 14 events.
fn lifecycle(orders: &WorkOrder, id: &str) -> Case<WorkOrder> {
    let callback = |satisfaction, finding| Command::Callback {
        satisfaction,
        finding,
        note: None,
    };
    let case = run(
        orders,
        id,
        vec![
            (
                council_liaison(),
                receive(Channel::MerchantsCouncil, CITY_APPEARANCE),
                0,
            ),
            (
                council_liaison(),
                Command::HandOver {
                    record: note("passed on"),
                },
                5,
            ),
            (
                dispatcher(),
                Command::Dispatch {
                    lead: Lead::Routed,
                    assisting: vec![],
                },
                20,
            ),
            (
                member(PROPERTY),
                Command::Return {
                    reason: ReturnReason {
                        ground: ReturnGround::OutsideOurArea,
                        note: note("a municipal road"),
                    },
                },
                60,
            ),
            (
                dispatcher(),
                Command::Dispatch {
                    lead: Lead::Chosen {
                        body: URBAN.parse().unwrap(),
                        reason: note("a municipal road"),
                    },
                    assisting: vec![],
                },
                70,
            ),
            (member(URBAN), Command::SignFor, 90),
            (
                member(URBAN),
                Command::Reply {
                    reply: note("moved"),
                },
                600,
            ),
            (
                dispatcher(),
                callback(Satisfaction::Dissatisfied, Finding::ReplyWanting),
                1_500,
            ),
            (
                dispatcher(),
                Command::Redo {
                    reason: note("they came back"),
                },
                1_510,
            ),
            (
                member(URBAN),
                Command::Reply {
                    reply: note("moved for good"),
                },
                3_000,
            ),
            (
                dispatcher(),
                callback(Satisfaction::Satisfied, Finding::ReplyAdequate),
                4_000,
            ),
            (dispatcher(), Command::Close, 4_010),
        ],
    );
    assert!(case.is_terminal());
    case
}

fn handle(c: &mut Criterion) {
    let orders = huanan_work_orders();
    let commands = commands();
    let opened = in_hand(&orders);

    let mut group = c.benchmark_group("work_order_handle");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("case", |b| {
        b.iter_batched_ref(
            || opened.clone(),
            |case| {
                for (actor, command, at) in &commands {
                    let ctx = Context::new(*at, actor);
                    black_box(case_handle(case, &orders, command, &ctx));
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("bare_match", |b| {
        b.iter_batched_ref(
            || (opened.state().clone(), opened.history().to_vec()),
            |(state, history)| {
                for (actor, command, at) in &commands {
                    black_box(bare_handle(&orders, state, history, command, *at, actor));
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    // Both sides did the same thing.
    let mut live = opened.clone();
    let (mut state, mut history) = (opened.state().clone(), opened.history().to_vec());
    for (actor, command, at) in &commands {
        live.handle(&orders, command, &Context::new(*at, actor))
            .unwrap();
        assert!(bare_handle(
            &orders,
            &mut state,
            &mut history,
            command,
            *at,
            actor
        ));
    }
    assert_eq!(live.state(), &state);
    assert_eq!(live.history(), &history[..]);

    // Replay: 100 whole orders.
    let cases: Vec<Case<WorkOrder>> = (0..100)
        .map(|i| lifecycle(&orders, &format!("L-{i}")))
        .collect();
    let events: usize = cases.iter().map(|c| c.history().len()).sum();
    let mut group = c.benchmark_group("work_order_replay");
    group.throughput(Throughput::Elements(events as u64));
    group.bench_function("lifecycle_case", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(
                    Case::<WorkOrder>::replay(case.id().clone(), case.history().to_vec()).is_ok(),
                );
            }
        })
    });
    group.bench_function("lifecycle_replay_state", |b| {
        b.iter(|| {
            for case in &cases {
                black_box(replay_state::<WorkOrder>(case.id(), case.history()).is_ok());
            }
        })
    });
    group.bench_function("lifecycle_bare_fold", |b| {
        b.iter(|| {
            for case in &cases {
                let mut state = State::New;
                for r in case.history() {
                    state = <WorkOrder as Workflow>::evolve(state, &r.event);
                }
                black_box(&state);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, handle);
criterion_main!(benches);
