//! The `next_due` rule, for every workflow in the crate, over drawn command
//! sequences: a timer command (`Tick`, sent by the system) before
//! `next_due` decides nothing; at or after it, it decides something and
//! `next_due` moves strictly later (or becomes `None`).

mod support {
    pub mod ladder_fixture;
}

use std::fmt::Debug;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use grassroots::actor::Actor;
use grassroots::dispute::strategies::{any_steps, lifecycle, noisy_lifecycle};
use grassroots::dispute::{Dispute, DisputeCommand};
use grassroots::escalation::{EscalationReason, Ladder, LadderCommand, Referral, SeverityCause};
use grassroots::id::CaseId;
use grassroots::matter::DisputeKind;
use grassroots::org::Need;
use grassroots::service::{ServiceRequest, ServiceRequestCommand, sample, strategies};
use grassroots::testing::Step;
use grassroots::testing::strategies::steps;
use grassroots::tier::{Severity, Tier};
use grassroots::work_order::{WorkOrder, WorkOrderCommand};
use grassroots::workflow::{Case, Context, Workflow};
use proptest::prelude::*;
use support::ladder_fixture::*;

static SERVICE: LazyLock<ServiceRequest> = LazyLock::new(sample::huanan_city_service);
static DISPUTE: LazyLock<(Dispute, grassroots::dispute::strategies::Cast)> =
    LazyLock::new(grassroots::dispute::strategies::sample);
static LADDER: LazyLock<Ladder> = LazyLock::new(ladder);
static ORDERS: LazyLock<WorkOrder> =
    LazyLock::new(grassroots::work_order::sample::huanan_work_orders);

/// Runs `steps` on a new case, ignoring refusals.
fn run<W: Workflow>(workflow: &W, steps: &[Step<W::Command>]) -> Case<W> {
    let mut case = Case::<W>::new(CaseId::new("N-1").unwrap());
    for s in steps {
        let _ = case.handle(workflow, &s.command, &Context::new(s.at, &s.actor));
    }
    case
}

/// Checks the rule on `case` at `at` (not before its last event) and at
/// the edges of its `next_due`.
fn check_rule<W: Workflow>(
    workflow: &W,
    case: &Case<W>,
    at: DateTime<Utc>,
) -> Result<(), TestCaseError>
where
    W::Rejection: Debug,
{
    let tick = W::timer_command().expect("the crate's workflows have a timer");
    let system = Actor::system();
    let last = case.last_at().unwrap_or(at);
    let due = case.next_due();
    let mut instants = vec![at.max(last)];
    if let Some(due) = due {
        instants.push(due.max(last));
        instants.push((due - Duration::microseconds(1)).max(last));
        instants.push((due + Duration::minutes(1)).max(last));
    }
    for t in instants {
        let mut ticked = case.clone();
        let outcome = ticked
            .handle(workflow, &tick, &Context::new(t, &system))
            .map(<[_]>::len);
        match due {
            Some(due) if t >= due => {
                let decided = outcome.map_err(|e| {
                    TestCaseError::fail(format!("tick at {t} (due {due}) refused: {e:?}"))
                })?;
                prop_assert!(
                    decided > 0,
                    "tick at {t} on or after due {due} decided nothing"
                );
                let next = ticked.next_due();
                prop_assert!(
                    next.is_none_or(|n| n > due),
                    "next due {next:?} did not move later than {due} after a tick at {t}: {:?}",
                    ticked.state()
                );
            }
            _ => {
                prop_assert!(
                    !matches!(outcome, Ok(n) if n > 0),
                    "tick at {t} before due {due:?} decided something in {:?}",
                    case.state()
                );
            }
        }
    }
    Ok(())
}

/// Minutes after the last step: up to 60 days, where every limit in the
/// crate's workflows has run out.
fn later() -> impl Strategy<Value = i64> {
    prop_oneof![0i64..=24 * 60, 0i64..=60 * 24 * 60]
}

fn ladder_command() -> impl Strategy<Value = LadderCommand> {
    let need = proptest::sample::select(vec![
        Need::Mediation(DisputeKind::Labour),
        Need::Mediation(DisputeKind::Commercial),
    ]);
    let location = proptest::sample::select(vec!["grid-7", "huanan-park", "hehua"]);
    let reason = proptest::sample::select(vec![
        EscalationReason::HandlingFailed,
        EscalationReason::RequestedByParty,
        EscalationReason::Supervision,
    ]);
    let severity = proptest::sample::select(Severity::ALL.to_vec());
    prop_oneof![
        2 => (location, need, severity.clone()).prop_map(|(l, need, severity)| LadderCommand::Start {
            location: id(l),
            need,
            severity,
            due: None,
        }),
        1 => reason.prop_map(|reason| LadderCommand::Escalate { reason }),
        1 => severity.prop_map(|to| LadderCommand::RaiseSeverity {
            to,
            cause: SeverityCause::RiskOfIntensifying
        }),
        1 => Just(LadderCommand::Resolve),
        1 => Just(LadderCommand::ReferOut { to: Referral::Arbitration }),
        1 => (1i64..=40).prop_map(|days| LadderCommand::Reschedule {
            due: monday() + Duration::days(days)
        }),
        4 => Just(LadderCommand::Tick),
    ]
}

fn ladder_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        3 => Just(Actor::system()),
        1 => Just(grid_worker()),
        1 => Just(party()),
        1 => Just(supervisor()),
        2 => proptest::sample::select(Tier::ALL.to_vec()).prop_map(officer),
    ]
}

fn dispute_steps() -> impl Strategy<Value = Vec<Step<DisputeCommand>>> {
    let (dispute, cast) = DISPUTE.clone();
    prop_oneof![
        lifecycle(dispute.clone(), cast.clone(), 0..30),
        noisy_lifecycle(dispute, cast.clone(), 0..30),
        any_steps(&cast, 0..20),
    ]
}

fn service_steps() -> impl Strategy<Value = Vec<Step<ServiceRequestCommand>>> {
    prop_oneof![
        strategies::valid_steps(&SERVICE, 0..25),
        strategies::mixed_steps(&SERVICE, 0..25),
    ]
}

fn work_order_steps() -> impl Strategy<Value = Vec<Step<WorkOrderCommand>>> {
    use grassroots::work_order::strategies as wo;
    prop_oneof![
        wo::valid_steps(&ORDERS, 0..25),
        wo::mixed_steps(&ORDERS, 0..25),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_work_order_tick_before_next_due_decides_nothing_and_at_it_moves_the_case(
        steps in work_order_steps(),
        later in later(),
    ) {
        let case = run(&*ORDERS, &steps);
        let at = case.last_at().unwrap_or(monday()) + Duration::minutes(later);
        check_rule(&*ORDERS, &case, at)?;
    }

    #[test]
    fn a_ladder_tick_before_next_due_decides_nothing_and_at_it_moves_the_case(
        steps in steps((ladder_actor(), ladder_command()), 0..30),
        later in later(),
    ) {
        let case = run(&*LADDER, &steps);
        let at = case.last_at().unwrap_or(monday()) + Duration::minutes(later);
        check_rule(&*LADDER, &case, at)?;
    }

    #[test]
    fn a_dispute_tick_before_next_due_decides_nothing_and_at_it_moves_the_case(
        steps in dispute_steps(),
        later in later(),
    ) {
        let dispute = &DISPUTE.0;
        let case = run(dispute, &steps);
        let at = case.last_at().unwrap_or(monday()) + Duration::minutes(later);
        check_rule(dispute, &case, at)?;
    }

    #[test]
    fn a_service_tick_before_next_due_decides_nothing_and_at_it_moves_the_case(
        steps in service_steps(),
        later in later(),
    ) {
        let case = run(&*SERVICE, &steps);
        let at = case.last_at().unwrap_or(monday()) + Duration::minutes(later);
        check_rule(&*SERVICE, &case, at)?;
    }

    #[test]
    fn ticking_until_nothing_is_due_ends_with_next_due_after_the_sweep_time(
        steps in dispute_steps(),
        later in later(),
    ) {
        let dispute = &DISPUTE.0;
        let mut case = run(dispute, &steps);
        let at = case.last_at().unwrap_or(monday()) + Duration::minutes(later);
        for _ in 0..8 {
            if case.next_due().is_none_or(|d| d > at) {
                break;
            }
            case.handle(dispute, &DisputeCommand::Tick, &Context::new(at, &Actor::system()))
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        }
        prop_assert!(case.next_due().is_none_or(|d| d > at), "{:?}", case.state());
    }
}
