//! The dispute workflow against a bare enum `match`, measured side by side.
//!
//! `cargo bench --bench dispute`
//!
//! - `dispute_handle/case`: `Case::handle` (decide + evolve + record) of
//!   1,000 `RecordSession` commands by the assigned mediator, on a case
//!   reserved with `Case::reserve`.
//! - `dispute_handle/bare_match`: the same rule (only an assigned mediator
//!   with the mediator role, on a roster of the handling body on the day,
//!   records a session) written as one `match` on the same state, pushing
//!   the same audit record (`Recorded`) to a reserved `Vec` — the
//!   hand-written baseline of DESIGN.md §7. It reads the organisation graph
//!   and the calendar through their public API as the workflow does; what
//!   it leaves out is only what the kernel adds (the terminal check, the
//!   time's range and order, the declared table).
//! - `dispute_replay/*`: replay of a realistic dispute history (report,
//!   acceptance, sessions, a risk flag, failure, escalation, a second
//!   mediation, signatures, confirmation, performance, follow-up): 1,000
//!   histories folded with `replay_state` (the kernel's checks), with
//!   `Case::replay`, and with a plain `fold` of `evolve`.
//!
//! It also prints the sizes of the state, the event and the recorded event,
//! and the JSON bytes per recorded event of that history.

#![allow(missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use grassroots::actor::{Actor, Role};
use grassroots::dispute::{
    Dispute, DisputeCommand, DisputeEvent, DisputeFile, DisputeState, FailureReason, Mediation,
    Performance, Satisfaction, Selection,
};
use grassroots::id::CaseId;
use grassroots::org::MediationOrganisation;
use grassroots::tier::Severity;
use grassroots::workflow::{Case, Context, Recorded, Workflow, replay_state};

#[path = "../tests/support/dispute_fixture.rs"]
mod fixture;

use fixture::*;

const BATCH: usize = 1_000;

/// The baseline: "only an assigned mediator on a roster today records a
/// session" as a bare `match` on the same state, pushing the same audit
/// record the kernel keeps.
/// One command through the kernel. Kept out of line, as `bare_handle` is,
/// so that both sides are one call returning whether the command was
/// recorded, and callgrind counts each per command
/// (`--toggle-collect='*case_handle*'` against `'*bare_handle*'`).
#[inline(never)]
fn case_handle(
    case: &mut Case<Dispute>,
    workflow: &Dispute,
    command: &<Dispute as Workflow>::Command,
    ctx: &Context<'_>,
) -> bool {
    case.handle(workflow, command, ctx).is_ok()
}

#[inline(never)]
fn bare_handle(
    d: &Dispute,
    state: &mut DisputeState,
    history: &mut Vec<Recorded<DisputeEvent>>,
    command: &DisputeCommand,
    at: DateTime<Utc>,
    actor: &Actor,
) -> bool {
    // The rule the workflow states (PML arts. 13, 19): an assigned mediator
    // with the mediator role, on a roster of the body handling the dispute
    // on the day (or, chosen by the parties, of any people's mediation
    // committee).
    let rostered = |file: &DisputeFile, mediation: &Mediation| {
        let Some(body) = file.handler() else {
            return false;
        };
        let Ok(date) = d.ladder().calendar().local_date(at) else {
            return false;
        };
        let graph = d.ladder().graph();
        graph.memberships(actor.id(), date).any(|o| o.id == *body)
            || (mediation.selection() == Selection::ChosenByParties
                && graph.memberships(actor.id(), date).any(|o| {
                    graph.mediation_organisation(&o.id)
                        == Some(MediationOrganisation::PeoplesMediationCommittee)
                }))
    };
    let event = match (&*state, command) {
        (DisputeState::Mediating { file, mediation }, DisputeCommand::RecordSession)
            if mediation.is_mediator(actor.id())
                && actor.has_role(Role::Mediator)
                && rostered(file, mediation) =>
        {
            DisputeEvent::SessionRecorded {
                number: mediation.sessions().saturating_add(1),
            }
        }
        _ => return false,
    };
    // The state is sealed: the fact moves it, as it does in the kernel.
    let before = std::mem::replace(state, DisputeState::Unreported);
    *state = <Dispute as Workflow>::evolve(before, &event);
    history.push(Recorded {
        seq: history.len() as u64 + 1,
        at,
        actor: actor.id().clone(),
        correlation: None,
        event,
    });
    true
}

/// A realistic history: 34 events.
fn realistic(d: &Dispute) -> Vec<Recorded<DisputeEvent>> {
    use DisputeCommand as C;
    let mut steps = path::mediating_with_session();
    let mut minute = 10;
    let mut at = || {
        minute += 7;
        minutes(minute)
    };
    for _ in 0..3 {
        steps.push((mediator("qian"), at(), C::RecordSession));
    }
    steps.push((
        grid_worker(),
        at(),
        C::FlagRisk {
            severity: Severity::Serious,
        },
    ));
    // The raise moved it up to the community's committee.
    steps.push((committee_officer(), at(), C::Accept));
    steps.push((
        committee_officer(),
        at(),
        C::AssignMediators {
            mediators: vec![aid("chen"), aid("sun")],
            selection: Selection::Roster,
        },
    ));
    for _ in 0..4 {
        steps.push((mediator("chen"), at(), C::RecordSession));
    }
    steps.push((
        mediator("chen"),
        at(),
        C::TerminateMediation {
            reason: FailureReason::PartyAbsent,
        },
    ));
    steps.push((
        officer(
            "officer-pinghu",
            grassroots::tier::Tier::Subdistrict,
            "pinghu-med",
        ),
        at(),
        C::OverrideCeiling {
            justification: "the workers threaten a strike".into(),
        },
    ));
    let pinghu = officer(
        "officer-pinghu",
        grassroots::tier::Tier::Subdistrict,
        "pinghu-med",
    );
    steps.push((pinghu.clone(), at(), C::Accept));
    let pinghu_seal = pinghu.clone();
    steps.push((
        pinghu,
        at(),
        C::AssignMediators {
            mediators: vec![aid("zhou")],
            selection: Selection::Roster,
        },
    ));
    for _ in 0..4 {
        steps.push((mediator("zhou"), at(), C::RecordSession));
    }
    steps.push((
        mediator("zhou"),
        at(),
        C::RecordAgreement {
            facts: "Acme has not paid the March wages.".into(),
            terms: "Acme pays the March wages by 20 March and 500 yuan for the delay.".into(),
            obligations: Vec::new(),
        },
    ));
    steps.push((pinghu_seal, at(), C::AffixSeal));
    steps.push((party("li"), at(), C::Sign));
    steps.push((party("acme-rep"), at(), C::Sign));
    steps.push((mediator("zhou"), at(), C::Sign));
    steps.push((
        party("li"),
        at(),
        C::ApplyForConfirmation {
            applicants: vec![aid("li"), aid("acme-rep")],
        },
    ));
    steps.push((
        mediator("zhou"),
        at(),
        C::RecordPerformance {
            performance: Performance::Fulfilled,
        },
    ));
    steps.push((
        grid_worker(),
        at(),
        C::RecordFollowUp {
            rating: Satisfaction::Satisfied,
        },
    ));
    let case = drive(d, &steps);
    assert!(case.is_terminal());
    case.history().to_vec()
}

fn handle(c: &mut Criterion) {
    let d = dispute();
    let qian = mediator("qian");
    let mediating = drive(&d, &path::mediating_with_session());
    let commands: Vec<(DisputeCommand, DateTime<Utc>)> = (0..BATCH)
        .map(|i| (DisputeCommand::RecordSession, minutes(10 + i as i64)))
        .collect();

    let mut group = c.benchmark_group("dispute_handle");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("case", |b| {
        b.iter_batched_ref(
            || {
                let mut case = mediating.clone();
                case.reserve(BATCH);
                case
            },
            |case| {
                for (command, at) in &commands {
                    let ctx = Context::new(*at, &qian);
                    black_box(case_handle(case, &d, command, &ctx));
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("bare_match", |b| {
        b.iter_batched_ref(
            || {
                let mut history = Vec::with_capacity(mediating.history().len() + BATCH);
                history.extend_from_slice(mediating.history());
                (mediating.state().clone(), history)
            },
            |(state, history)| {
                for (command, at) in &commands {
                    black_box(bare_handle(&d, state, history, command, *at, &qian));
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    // Both sides end in the same state with the same records.
    let mut live = mediating.clone();
    let (mut state, mut history) = (mediating.state().clone(), mediating.history().to_vec());
    for (command, at) in &commands {
        live.handle(&d, command, &Context::new(*at, &qian)).unwrap();
        assert!(bare_handle(
            &d,
            &mut state,
            &mut history,
            command,
            *at,
            &qian
        ));
    }
    assert_eq!(live.state(), &state);
    assert_eq!(live.history(), &history[..]);

    let one = realistic(&d);
    let histories: Vec<Vec<Recorded<DisputeEvent>>> = (0..BATCH).map(|_| one.clone()).collect();
    let events: usize = histories.iter().map(Vec::len).sum();
    let id = CaseId::new("LG-2026-000123").unwrap();
    let mut group = c.benchmark_group("dispute_replay");
    group.throughput(Throughput::Elements(events as u64));
    group.bench_function("replay_state", |b| {
        b.iter(|| {
            for h in &histories {
                black_box(replay_state::<Dispute>(&id, h.iter()).unwrap());
            }
        })
    });
    group.bench_function("case", |b| {
        b.iter_batched(
            || histories.clone(),
            |hs| {
                for h in hs {
                    black_box(Case::<Dispute>::replay(id.clone(), h).unwrap());
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("bare_fold", |b| {
        b.iter(|| {
            for h in &histories {
                black_box(
                    h.iter()
                        .fold(Dispute::initial(), |s, r| Dispute::evolve(s, &r.event)),
                );
            }
        })
    });
    group.finish();

    let json: usize = one
        .iter()
        .map(|r| serde_json::to_vec(r).unwrap().len())
        .sum();
    let json_events: usize = one
        .iter()
        .map(|r| serde_json::to_vec(&r.event).unwrap().len())
        .sum();
    let session = one
        .iter()
        .find(|r| matches!(r.event, DisputeEvent::SessionRecorded { .. }))
        .unwrap();
    println!(
        "size_of: DisputeState {} B, DisputeFile {} B (boxed), DisputeEvent {} B, Recorded<DisputeEvent> {} B",
        std::mem::size_of::<DisputeState>(),
        std::mem::size_of::<DisputeFile>(),
        std::mem::size_of::<DisputeEvent>(),
        std::mem::size_of::<Recorded<DisputeEvent>>(),
    );
    println!(
        "realistic history: {} events; JSON {} B per recorded event ({} B per event alone); a recorded SessionRecorded is {} B",
        one.len(),
        json / one.len(),
        json_events / one.len(),
        serde_json::to_vec(session).unwrap().len(),
    );
}

criterion_group!(benches, handle);
criterion_main!(benches);
