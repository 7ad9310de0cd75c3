//! Service requests against a bare enum `match`, measured side by side;
//! replay of realistic request histories; sizes and bytes per event.
//!
//! `cargo bench --features sim --bench service -- --warm-up-time 1 --measurement-time 3`
//!
//! - `service_handle/case`: `Case::handle` on a request in process
//!   (decide + evolve + record), alternating `Suspend` and `Resume` — the
//!   resumption counts the pause on the working calendar and moves the
//!   promised date.
//! - `service_handle/bare_match`: the same rules (the handler's role and
//!   body, no lapsed promise, the pause, the new date, the ladder's new due
//!   date) written as one `match` on the same
//!   state, pushing the same audit record (`Recorded`: sequence, time,
//!   actor, event) — the baseline of DESIGN.md §7.
//! - `service_replay/lifecycle_*`: replay of 100 whole requests (submission,
//!   supplement, acceptance with the ladder's start, forwarding, signing,
//!   suspension, extension, overdue and supervision, completion, delivery,
//!   rating, closing: 17 events each).
//! - `service_replay/long_*`: replay of one request with 1,000 events.

#![allow(missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, TimeDelta, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::{TimeLimit, WorkingCalendar};
use grassroots::id::CaseId;
use grassroots::service::{
    Handling, Mode, Review, ServiceRequest, ServiceRequestCommand as Command,
    ServiceRequestEvent as Event, ServiceRequestState as State,
};
use grassroots::workflow::HasKind;
use grassroots::workflow::{Case, Context, Recorded, Workflow, replay_state};

#[path = "../tests/support/service_fixture.rs"]
mod fixture;

use fixture::*;

const BATCH: usize = 1_000;

fn date(calendar: &WorkingCalendar, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&calendar.offset()).date_naive()
}

/// The baseline: suspend and resume as a bare `match`, with the same
/// checks and the same deadline arithmetic, pushing the same audit record.
/// One command through the kernel. Kept out of line, as `bare_handle` is,
/// so that both sides are one call returning whether the command was
/// recorded, and callgrind counts each per command
/// (`--toggle-collect='*case_handle*'` against `'*bare_handle*'`).
#[inline(never)]
fn case_handle(
    case: &mut Case<ServiceRequest>,
    workflow: &ServiceRequest,
    command: &<ServiceRequest as Workflow>::Command,
    ctx: &Context<'_>,
) -> bool {
    case.handle(workflow, command, ctx).is_ok()
}

#[inline(never)]
fn bare_handle(
    calendar: &WorkingCalendar,
    state: &mut State,
    history: &mut Vec<Recorded<Event>>,
    command: &Command,
    at: DateTime<Utc>,
    actor: &Actor,
) -> bool {
    // The handler's role and body, and no lapsed promise to supply
    // pending materials (容缺受理), as the workflow checks them.
    let may_handle = |h: &Handling| {
        let role = match h.request().mode {
            Mode::Handle => Role::HallClerk,
            Mode::Forward => Role::DepartmentOfficer,
        };
        let lapsed = h
            .pending()
            .is_some_and(|p| p.is_lapsed_at(at) && !p.materials().is_empty());
        actor.has_role(role) && actor.acts_for(h.handler()) && !lapsed
    };
    let event = match (&*state, command) {
        (State::InProcess(h), Command::Suspend { reason }) if may_handle(h) => Event::Suspended {
            at,
            reason: reason.clone(),
        },
        (
            State::Suspended {
                handling, since, ..
            },
            Command::Resume,
        ) if may_handle(handling) => {
            let paused = calendar.count_working_days(date(calendar, *since), date(calendar, at));
            let promised = if paused == 0 {
                handling.promised()
            } else {
                match calendar.deadline(
                    handling.promised() - TimeDelta::seconds(1),
                    TimeLimit::WorkingDays(paused),
                ) {
                    Ok(p) => p,
                    Err(_) => return false,
                }
            };
            Event::Resumed {
                at,
                paused_working_days: paused,
                promised,
            }
        }
        _ => return false,
    };
    // The state is sealed: the facts move it, as they do in the kernel —
    // the request's own, then the ladder's new due date beside a moved
    // promise (recorded too, as the kernel records it).
    let mut next =
        <ServiceRequest as Workflow>::evolve(std::mem::replace(state, State::New), &event);
    let mut rescheduled = None;
    if let Event::Resumed { promised, .. } = &event {
        if let Some(
            grassroots::escalation::LadderState::Handling(rung)
            | grassroots::escalation::LadderState::Exhausted(rung),
        ) = next.ladder()
        {
            let ladder = Event::from(grassroots::escalation::LadderEvent::Rescheduled {
                tier: rung.tier(),
                due: *promised,
            });
            next = <ServiceRequest as Workflow>::evolve(next, &ladder);
            rescheduled = Some(ladder);
        }
    }
    *state = next;
    for event in std::iter::once(event).chain(rescheduled) {
        history.push(Recorded {
            seq: history.len() as u64 + 1,
            at,
            actor: actor.id().clone(),
            correlation: None,
            event,
        });
    }
    true
}

/// Alternating suspensions and resumptions, 37 minutes apart (so some
/// pauses cross a working day).
fn commands() -> Vec<(Command, DateTime<Utc>)> {
    let reason = note("waiting for a site inspection");
    (0..BATCH)
        .map(|i| {
            let command = if i % 2 == 0 {
                Command::Suspend {
                    reason: reason.clone(),
                }
            } else {
                Command::Resume
            };
            (command, now() + Duration::minutes(37 * (i as i64 + 1)))
        })
        .collect()
}

/// A request in process (BR-001, handled by the hall).
fn in_process(service: &ServiceRequest) -> Case<ServiceRequest> {
    let mut case = Case::<ServiceRequest>::new(CaseId::new("B-1").unwrap());
    for (actor, command) in [
        (applicant(), submit_br001(&BR_MATERIALS)),
        (clerk(), Command::Accept),
        (clerk(), Command::StartProcessing),
    ] {
        case.handle(service, &command, &Context::new(t0(), &actor))
            .unwrap();
    }
    case
}

/// A whole request in agent mode: 18 events.
fn lifecycle(service: &ServiceRequest, id: &str) -> Case<ServiceRequest> {
    let mut case = Case::<ServiceRequest>::new(CaseId::new(id).unwrap());
    let mut submit = submit_fs001();
    if let Command::Submit { materials, .. } = &mut submit {
        materials.pop();
    }
    let officer = industry_officer();
    let steps: Vec<(Actor, Command, i64)> = vec![
        (applicant(), submit, 0),
        (
            clerk(),
            Command::RequestSupplement {
                materials: vec![mat("financial-statements")],
            },
            1,
        ),
        (
            applicant(),
            Command::SupplyMaterials {
                materials: vec![mat("financial-statements")],
            },
            24,
        ),
        (clerk(), Command::Accept, 25),
        (clerk(), Command::Forward { to: None }, 26),
        (officer.clone(), Command::SignFor, 48),
        (
            officer.clone(),
            Command::Suspend {
                reason: note("waiting for the tax bureau"),
            },
            72,
        ),
        (officer.clone(), Command::Resume, 200),
        (
            officer.clone(),
            Command::RequestExtension {
                working_days: 5,
                reason: note("the audit takes longer"),
            },
            400,
        ),
        (supervisor(), Command::ApproveExtension, 401),
        (system(), Command::Tick, 24 * 45),
        (officer, Command::Complete, 24 * 46),
        (clerk(), Command::Deliver, 24 * 47),
        (
            applicant(),
            Command::Rate {
                review: Review::Satisfied,
                comment: Some(note("clear and friendly")),
            },
            24 * 48,
        ),
        (clerk(), Command::Close, 24 * 49),
    ];
    for (actor, command, hours) in steps {
        let at = t0() + Duration::hours(hours);
        case.handle(service, &command, &Context::new(at, &actor))
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    }
    assert!(case.is_terminal());
    case
}

fn handle(c: &mut Criterion) {
    let service = service();
    let calendar = service.calendar().clone();
    let clerk = clerk();
    let commands = commands();
    let opened = in_process(&service);

    let mut group = c.benchmark_group("service_handle");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("case", |b| {
        b.iter_batched_ref(
            || opened.clone(),
            |case| {
                for (command, at) in &commands {
                    let ctx = Context::new(*at, &clerk);
                    black_box(case_handle(case, &service, command, &ctx));
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("bare_match", |b| {
        b.iter_batched_ref(
            || (opened.state().clone(), opened.history().to_vec()),
            |(state, history)| {
                for (command, at) in &commands {
                    black_box(bare_handle(&calendar, state, history, command, *at, &clerk));
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    // Both sides did the same thing.
    let mut live = opened.clone();
    let (mut state, mut history) = (opened.state().clone(), opened.history().to_vec());
    for (command, at) in &commands {
        live.handle(&service, command, &Context::new(*at, &clerk))
            .unwrap();
        assert!(bare_handle(
            &calendar,
            &mut state,
            &mut history,
            command,
            *at,
            &clerk
        ));
    }
    assert_eq!(live.state(), &state);
    assert_eq!(live.history(), &history[..]);

    // Replay: 100 whole requests, and one long one.
    let lifecycles: Vec<Case<ServiceRequest>> = (0..100)
        .map(|i| lifecycle(&service, &format!("HN-{i:04}")))
        .collect();
    let per_request = lifecycles[0].history().len();
    let events = (per_request * lifecycles.len()) as u64;
    let mut group = c.benchmark_group("service_replay");
    group.throughput(Throughput::Elements(events));
    group.bench_function("lifecycle_case", |b| {
        b.iter_batched(
            || {
                lifecycles
                    .iter()
                    .map(|c| (c.id().clone(), c.history().to_vec()))
                    .collect::<Vec<_>>()
            },
            // The replayed cases are returned, so criterion drops them
            // (and the histories they own) outside the measurement.
            |histories| {
                histories
                    .into_iter()
                    .map(|(id, h)| Case::<ServiceRequest>::replay(id, h).unwrap())
                    .collect::<Vec<_>>()
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("lifecycle_replay_state", |b| {
        b.iter(|| {
            for case in &lifecycles {
                black_box(replay_state::<ServiceRequest>(case.id(), case.history()).unwrap());
            }
        })
    });
    group.bench_function("lifecycle_bare_fold", |b| {
        b.iter(|| {
            for case in &lifecycles {
                black_box(
                    case.history()
                        .iter()
                        .fold(ServiceRequest::initial(), |s, r| {
                            ServiceRequest::evolve(s, &r.event)
                        }),
                );
            }
        })
    });
    group.finish();

    let long = live.history().to_vec();
    let mut group = c.benchmark_group("service_replay");
    group.throughput(Throughput::Elements(long.len() as u64));
    group.bench_function("long_replay_state", |b| {
        b.iter(|| black_box(replay_state::<ServiceRequest>(live.id(), long.iter()).unwrap()))
    });
    group.bench_function("long_bare_fold", |b| {
        b.iter(|| {
            black_box(long.iter().fold(ServiceRequest::initial(), |s, r| {
                ServiceRequest::evolve(s, &r.event)
            }))
        })
    });
    group.finish();

    // Sizes and bytes per event.
    let history = lifecycles[0].history();
    let json_recorded: usize = history
        .iter()
        .map(|r| serde_json::to_vec(r).unwrap().len())
        .sum();
    let json_events: usize = history
        .iter()
        .map(|r| serde_json::to_vec(&r.event).unwrap().len())
        .sum();
    let largest = history
        .iter()
        .map(|r| (serde_json::to_vec(&r.event).unwrap().len(), r.event.kind()))
        .max()
        .unwrap();
    println!(
        "size_of: State {} B, Event {} B, Recorded<Event> {} B; heap per accepted request: Handling {} B",
        std::mem::size_of::<State>(),
        std::mem::size_of::<Event>(),
        std::mem::size_of::<Recorded<Event>>(),
        std::mem::size_of::<Handling>(),
    );
    println!(
        "JSON over a {}-event request: {:.0} B per recorded event, {:.0} B per event alone; largest: {} ({} B)",
        history.len(),
        json_recorded as f64 / history.len() as f64,
        json_events as f64 / history.len() as f64,
        largest.1,
        largest.0,
    );
    let kinds: Vec<String> = history.iter().map(|r| r.event.kind().to_string()).collect();
    println!("lifecycle events: {kinds:?}");
}

criterion_group!(benches, handle);
criterion_main!(benches);
