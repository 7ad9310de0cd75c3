//! Property tests of the service-request workflow over drawn command
//! sequences: live equals replay, refused commands change nothing, the
//! promised date never moves earlier and moves by exactly the suspensions
//! and approved extensions, overdue is recorded at most once per deadline,
//! and every state reached shows as a valid GeoReport request.

mod support {
    pub mod georeport;
}

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use grassroots::escalation::LadderState;
use grassroots::id::CaseId;
use grassroots::open311::request_from_state;
use grassroots::service::ServiceRequestStateKind;
use grassroots::service::{
    HallMetrics, ServiceRequest, ServiceRequestEvent as Event, ServiceRequestState as State,
    sample, strategies,
};
use grassroots::testing::guided::{self, Run};
use grassroots::testing::{Coverage, Step, check_invariants};
use grassroots::workflow::{Case, Context, Recorded, Workflow, replay_state};
use grassroots::workflow::{HasKind, Kind};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use support::georeport::request_problems;

static SERVICE: LazyLock<ServiceRequest> = LazyLock::new(sample::huanan_city_service);

fn service() -> &'static ServiceRequest {
    &SERVICE
}

fn id() -> CaseId {
    CaseId::new("HN-P").unwrap()
}

/// The last working day of a promise that runs out at local midnight.
fn last_day(promised: DateTime<Utc>) -> NaiveDate {
    (promised - TimeDelta::seconds(1))
        .with_timezone(&service().calendar().offset())
        .date_naive()
}

/// Runs the steps, ignoring refusals, and returns the case.
fn run(steps: &[Step<grassroots::service::ServiceRequestCommand>]) -> Case<ServiceRequest> {
    let mut case = Case::<ServiceRequest>::new(id());
    for s in steps {
        let _ = case.handle(service(), &s.command, &Context::new(s.at, &s.actor));
    }
    case
}

/// Every state of the history, after each event, with its record.
fn states(history: &[Recorded<Event>]) -> Vec<(&Recorded<Event>, State)> {
    let mut state = ServiceRequest::initial();
    history
        .iter()
        .map(|r| {
            state = ServiceRequest::evolve(state.clone(), &r.event);
            (r, state.clone())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn kernel_invariants_hold_for_arbitrary_sequences(
        steps in strategies::any_steps(service(), 0..40)
    ) {
        let n = steps.len();
        let checked = check_invariants(service(), id(), steps);
        prop_assert!(checked.is_ok(), "{:?}", checked.err());
        let checked = checked.unwrap();
        prop_assert_eq!(checked.accepted + checked.refused, n);
    }

    #[test]
    fn every_step_of_a_valid_sequence_is_accepted(
        steps in strategies::valid_steps(service(), 1..40)
    ) {
        let checked = check_invariants(service(), id(), steps.clone());
        prop_assert!(checked.is_ok(), "{:?}", checked.err());
        let checked = checked.unwrap();
        prop_assert_eq!(checked.refused, 0);
        prop_assert_eq!(checked.accepted, steps.len());
    }

    #[test]
    fn kernel_invariants_hold_for_mixed_sequences(
        steps in strategies::mixed_steps(service(), 1..40)
    ) {
        let checked = check_invariants(service(), id(), steps);
        prop_assert!(checked.is_ok(), "{:?}", checked.err());
    }

    #[test]
    fn live_equals_replay_after_every_step_and_refusals_change_nothing(
        steps in strategies::mixed_steps(service(), 1..40)
    ) {
        let mut case = Case::<ServiceRequest>::new(id());
        for s in &steps {
            let before = case.clone();
            match case.handle(service(), &s.command, &Context::new(s.at, &s.actor)) {
                Ok(_) => {
                    let replayed = replay_state::<ServiceRequest>(case.id(), case.history());
                    prop_assert_eq!(replayed.as_ref(), Ok(case.state()));
                }
                Err(_) => prop_assert_eq!(&case, &before),
            }
        }
        let replayed = Case::<ServiceRequest>::replay(case.id().clone(), case.history().to_vec());
        prop_assert_eq!(replayed.as_ref(), Ok(&case));
    }

    #[test]
    fn the_promised_date_never_moves_earlier_and_moves_by_exactly_the_pauses_and_extensions(
        steps in strategies::mixed_steps(service(), 1..60)
    ) {
        let case = run(&steps);
        let calendar = service().calendar();
        let mut first: Option<DateTime<Utc>> = None;
        let mut in_force: Option<DateTime<Utc>> = None;
        let mut moved = 0u32;
        for (r, state) in states(case.history()) {
            match &r.event {
                Event::Accepted { at, promised }
                | Event::AcceptedWithPending { at, promised, .. }
                | Event::DeemedAccepted { received: at, promised } => {
                    prop_assert!(promised > at);
                    first = Some(*promised);
                    in_force = Some(*promised);
                }
                Event::Resumed { paused_working_days: days, promised, .. }
                | Event::PendingSupplied { paused_working_days: days, promised, .. }
                | Event::ExtensionApproved { working_days: days, promised } => {
                    let before = in_force.unwrap();
                    prop_assert!(*promised >= before, "moved earlier: {} -> {}", before, promised);
                    prop_assert_eq!(
                        calendar.count_working_days(last_day(before), last_day(*promised)),
                        *days
                    );
                    moved += days;
                    in_force = Some(*promised);
                }
                _ => {}
            }
            // The state agrees after every event.
            if let Some(handling) = state.handling() {
                prop_assert_eq!(Some(handling.promised()), in_force);
                prop_assert_eq!(handling.paused_working_days() + handling.extended_working_days(), moved);
            }
        }
        if let (Some(first), Some(last)) = (first, in_force) {
            prop_assert_eq!(calendar.count_working_days(last_day(first), last_day(last)), moved);
        }
    }

    #[test]
    fn overdue_is_recorded_at_most_once_per_deadline_and_only_after_it(
        steps in strategies::mixed_steps(service(), 1..60)
    ) {
        let case = run(&steps);
        let mut seen = BTreeSet::new();
        let mut in_force = None;
        for (r, _) in states(case.history()) {
            match &r.event {
                Event::Accepted { promised, .. }
                | Event::AcceptedWithPending { promised, .. }
                | Event::DeemedAccepted { promised, .. }
                | Event::Resumed { promised, .. }
                | Event::PendingSupplied { promised, .. }
                | Event::ExtensionApproved { promised, .. } => in_force = Some(*promised),
                Event::Overdue { deadline } => {
                    prop_assert!(seen.insert(*deadline), "overdue twice for {}", deadline);
                    prop_assert_eq!(Some(*deadline), in_force);
                    prop_assert!(r.at >= *deadline);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn the_ladders_due_date_is_the_promised_date(
        steps in strategies::mixed_steps(service(), 1..60)
    ) {
        let case = run(&steps);
        let history = case.history();
        for (i, (_, state)) in states(history).into_iter().enumerate() {
            // Between a moved promise and the ladder's `Rescheduled`, decided
            // together, the two differ for one event: check whole decisions.
            let next = history.get(i + 1).map(|r| &r.event);
            if matches!(next, Some(Event::Ladder(l)) if matches!(**l, grassroots::escalation::LadderEvent::Rescheduled { .. })) {
                continue;
            }
            if let (Some(handling), Some(LadderState::Handling(rung))) = (state.handling(), state.ladder()) {
                prop_assert_eq!(rung.due(), Some(handling.promised()));
                prop_assert_eq!(rung.tier(), grassroots::tier::Tier::Estate);
            }
        }
    }

    /// 行政许可法 art. 32: the first supplement notice comes within five
    /// working days of receipt; past them the application is accepted from
    /// receipt (and nothing else is decided at intake but a withdrawal).
    #[test]
    fn no_supplement_notice_or_refusal_comes_after_the_window(
        steps in strategies::mixed_steps(service(), 1..60)
    ) {
        let case = run(&steps);
        let mut window = None;
        for (r, _) in states(case.history()) {
            match &r.event {
                Event::Submitted(s) => window = s.notice_due,
                Event::SupplementRequested { .. } | Event::Refused { .. } => {
                    if let Some(due) = window {
                        prop_assert!(r.at < due, "{} at {} after the window {}", r.event.kind(), r.at, due);
                    }
                    window = None;
                }
                Event::Accepted { at, .. } | Event::AcceptedWithPending { at, .. } => {
                    if let Some(due) = window {
                        prop_assert!(*at < due);
                    }
                }
                Event::DeemedAccepted { .. } => {
                    let due = window.expect("accepted from receipt only with a window");
                    prop_assert!(r.at >= due);
                }
                _ => {}
            }
        }
    }

    /// 容缺受理: while a promise to supply materials has lapsed, handling
    /// stands still until the last material comes; nothing is completed
    /// with a material pending.
    #[test]
    fn handling_stands_still_while_a_promise_has_lapsed(
        steps in strategies::mixed_steps(service(), 1..60)
    ) {
        let case = run(&steps);
        let mut before = ServiceRequest::initial();
        for (r, state) in states(case.history()) {
            if let Some(pending) = before.open_handling().and_then(|h| h.pending()) {
                let moves = matches!(
                    r.event,
                    Event::ProcessingStarted
                        | Event::Forwarded { .. }
                        | Event::SignedFor { .. }
                        | Event::Returned { .. }
                        | Event::Suspended { .. }
                        | Event::Resumed { .. }
                        | Event::ExtensionRequested { .. }
                        | Event::ExtensionApproved { .. }
                        | Event::Denied { .. }
                );
                prop_assert!(!(moves && pending.is_lapsed_at(r.at)), "{} while the promise lapsed", r.event.kind());
                prop_assert!(!matches!(r.event, Event::Completed), "completed with a material pending");
            }
            before = state;
        }
    }

    /// 好差评: a bad review is closed only through rectification and the
    /// follow-up call (or rework and a new review).
    #[test]
    fn a_bad_review_closes_only_through_rectification_and_the_follow_up(
        steps in strategies::mixed_steps(service(), 1..60)
    ) {
        let case = run(&steps);
        let mut open = false;
        for (r, _) in states(case.history()) {
            match &r.event {
                Event::Rated { review, .. } => open = review.is_dissatisfied(),
                Event::SentBackForRework { .. } | Event::FollowedUp { .. } => open = false,
                Event::Closed => prop_assert!(!open, "closed with rectification open"),
                _ => {}
            }
        }
    }

    #[test]
    fn every_state_reached_shows_as_a_valid_georeport_request(
        steps in strategies::mixed_steps(service(), 1..40)
    ) {
        let case = run(&steps);
        for (r, state) in states(case.history()) {
            let view = request_from_state(service(), case.id(), &state, r.at, r.seq);
            prop_assert!(view.is_some());
            let json = serde_json::to_value(view.unwrap()).unwrap();
            let problems = request_problems(&json);
            prop_assert!(problems.is_empty(), "{}: {:?}", state.kind(), problems);
        }
    }

    #[test]
    fn hall_metrics_stay_within_bounds(
        runs in proptest::collection::vec(strategies::valid_steps(service(), 1..40), 1..6)
    ) {
        let cases: Vec<Case<ServiceRequest>> = runs.iter().map(|s| run(s)).collect();
        let metrics = HallMetrics::from_histories(
            service().calendar(),
            cases.iter().map(|c| c.history()),
        );
        prop_assert!(metrics.completed_on_time <= metrics.completed);
        prop_assert!(metrics.completed <= metrics.accepted);
        prop_assert!(metrics.overdue <= metrics.accepted);
        for rate in [metrics.on_time_rate(), metrics.good_review_rate()].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&rate));
        }
    }
}

#[test]
fn valid_sequences_reach_every_state() {
    let mut runner = TestRunner::deterministic();
    let strategy = strategies::valid_steps(service(), 10..60);
    let mut reached = BTreeSet::new();
    for _ in 0..400 {
        let steps = strategy.new_tree(&mut runner).unwrap().current();
        let case = run(&steps);
        for (_, state) in states(case.history()) {
            reached.insert(state.kind());
        }
    }
    let all: BTreeSet<ServiceRequestStateKind> = ServiceRequestStateKind::all()
        .filter(|k| *k != ServiceRequestStateKind::New)
        .collect();
    let missing: Vec<_> = all.difference(&reached).collect();
    assert!(missing.is_empty(), "never reached: {missing:?}");
}

/// Valid draws and guided runs with the hall's guide exercise every
/// declared transition but the ladder's escalations, which the Huanan
/// hall's supervision policy rules out, and five that need a case left
/// overdue through two ticks in one state — exploration reaches those
/// (tests/kit.rs; DESIGN.md, issue 20).
#[test]
fn the_strategies_exercise_every_declared_transition_the_policy_allows() {
    use grassroots::escalation::LadderEventKind as L;
    use grassroots::service::{ServiceRequestEventKind as E, ServiceRequestStateKind as S};
    use grassroots::workflow::Transition;

    let mut runner = TestRunner::deterministic();
    let strategy = strategies::valid_steps(service(), 10..60);
    let mut coverage = Coverage::<ServiceRequest>::new();
    for _ in 0..400 {
        let steps = strategy.new_tree(&mut runner).unwrap().current();
        coverage.record_case(&run(&steps));
    }
    let guide = strategies::guide(service());
    let guided = guided::run(service(), &guide, Run::default()).unwrap_or_else(|f| panic!("{f}"));
    coverage.merge(&guided);
    println!("{coverage}");
    let escalated = E::Ladder(L::Escalated);
    let notice = E::Ladder(L::SupervisionNoticeIssued);
    coverage
        .require_all_except(&[
            Transition::new(S::ExtensionRequested, E::Overdue, S::ExtensionRequested),
            Transition::new(
                S::ExtensionRequested,
                E::Ladder(L::SupervisionReminded),
                S::ExtensionRequested,
            ),
            Transition::new(S::Accepted, notice, S::Accepted),
            Transition::new(S::Forwarded, notice, S::Forwarded),
            Transition::new(S::ExtensionRequested, notice, S::ExtensionRequested),
            Transition::new(S::Accepted, escalated, S::Accepted),
            Transition::new(S::Forwarded, escalated, S::Forwarded),
            Transition::new(S::InProcess, escalated, S::InProcess),
            Transition::new(S::ExtensionRequested, escalated, S::ExtensionRequested),
        ])
        .unwrap();
}
