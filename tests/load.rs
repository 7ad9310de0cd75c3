//! The load generator: a small city-year played end to end, deterministic
//! whatever the thread count, every command as scripted, every transition
//! declared, nothing after the year's end.

use chrono::{TimeDelta, TimeZone, Utc};
use grassroots::dispute::Dispute;
use grassroots::load::{self, City, CityCase, CityYear, LoadError, Mix};
use grassroots::metrics::CaseType;
use grassroots::org::generate::CityScale;
use grassroots::service::ServiceRequest;
use grassroots::testing::Coverage;
use grassroots::work_order::{Channel, WorkOrder, WorkOrderEvent};
use grassroots::workflow::{Case, HasKind, Recorded, Workflow, is_declared};

fn small(cases: u64) -> CityYear {
    CityYear::small().with_cases(cases).with_seed(11)
}

#[test]
fn the_default_city_year_is_twenty_million_cases_over_a_year() {
    let year = CityYear::default();
    assert_eq!(year.cases, 20_000_000);
    assert_eq!(year.days, 365);
}

#[test]
fn a_small_year_plays_every_command_as_scripted() {
    let report = load::run(&small(3_000), 2).unwrap();
    assert_eq!(report.cases, 3_000);
    assert_eq!(
        report.disputes + report.service_requests + report.work_orders,
        3_000
    );
    assert!(report.disputes > 400 && report.service_requests > 1_300 && report.work_orders > 700);
    assert_eq!(report.unexpected, 0, "{:?}", report.unexpected_examples);
    assert_eq!(report.replay_mismatches, 0);
    assert_eq!(report.replayed, 3);
    // Some commands of each sort were refused on purpose.
    assert!(report.refused.wrong_actor > 0);
    assert!(report.refused.too_late > 0);
    assert!(report.refused.not_applicable > 0);
    assert!(report.events > 7 * report.cases);
    assert!(report.elapsed > std::time::Duration::ZERO);
    // The metrics saw every case: disputes and requests in the governance
    // metrics, work orders in their own.
    assert_eq!(
        report.metrics.total().received(),
        3_000 - report.work_orders
    );
    assert_eq!(report.work_order_metrics.received(), report.work_orders);
    assert_eq!(
        report.metrics.by_case_type(CaseType::Dispute).received(),
        report.disputes
    );
    // Every fate the mix asks for happened.
    for state in ["Closed", "Declined", "Refused", "Withdrawn"] {
        assert!(
            report.dispute_states.contains_key(&state.parse().unwrap()),
            "no dispute ended {state}: {:?}",
            report.dispute_states
        );
    }
    for state in ["Closed", "Refused", "Withdrawn"] {
        assert!(
            report.service_states.contains_key(&state.parse().unwrap()),
            "no request ended {state}: {:?}",
            report.service_states
        );
    }
    for state in ["Closed", "Dismissed", "Withdrawn"] {
        assert!(
            report
                .work_order_states
                .contains_key(&state.parse().unwrap()),
            "no work order ended {state}: {:?}",
            report.work_order_states
        );
    }
    let orders = &report.work_order_metrics;
    assert!(orders.returned() > 0 && orders.redone() > 0);
    for rate in [
        orders.on_time_sign_for_rate(),
        orders.on_time_completion_rate(),
        orders.callback_satisfaction(),
    ] {
        let rate = rate.unwrap();
        assert!(rate > 0.5 && rate < 1.0, "{orders}");
    }
    let total = report.metrics.total();
    assert!(total.withdrawn() > 0 && total.duplicate() > 0 && total.returned() > 0);
    assert!(total.overdue() > 0 && total.escalations() > 0);
    let text = report.to_string();
    assert!(text.contains("cases/s") && text.contains("Governance metrics"));
    assert!(text.contains("work orders at the end") && text.contains("callback satisfaction"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["cases"], 3_000);
    assert!(json["elapsed"].is_number());
}

#[test]
fn the_figures_do_not_depend_on_the_number_of_threads() {
    let year = small(1_500);
    let one = load::run(&year, 1).unwrap();
    let three = load::run(&year, 3).unwrap();
    assert_eq!(one.metrics, three.metrics);
    assert_eq!(one.events, three.events);
    assert_eq!(one.commands, three.commands);
    assert_eq!(one.refused, three.refused);
    assert_eq!(one.dispute_states, three.dispute_states);
    assert_eq!(one.service_states, three.service_states);
    assert_eq!(one.work_order_states, three.work_order_states);
    assert_eq!(one.work_order_metrics, three.work_order_metrics);
    assert_eq!(one.due_index, three.due_index);
    // Another seed, another year.
    let other = load::run(&year.clone().with_seed(12), 1).unwrap();
    assert_ne!(other.metrics, one.metrics);
}

/// Every transition the history performs is declared in the workflow's
/// table, and replay gives the live case.
fn check<W: Workflow>(case: &Case<W>) {
    let mut state = W::initial();
    for r in case.history() {
        let next = W::evolve(state.clone(), &r.event);
        assert!(
            is_declared::<W>(state.kind(), r.event.kind(), next.kind()),
            "{}: {} --{}--> {} is not declared",
            case.id(),
            state.kind(),
            r.event.kind(),
            next.kind()
        );
        state = next;
    }
    let replayed = Case::<W>::replay(case.id().clone(), case.history().to_vec()).unwrap();
    assert_eq!(&replayed, case);
}

fn ends_before<E>(history: &[Recorded<E>], end: chrono::DateTime<Utc>) -> bool {
    history.iter().all(|r| r.at < end)
}

#[test]
fn played_cases_are_deterministic_declared_and_end_with_the_year() {
    let mut year = small(600);
    year.days = 30;
    let city = City::build(&year).unwrap();
    // 1 January 2026, 00:00 in Shenzhen, plus 30 days.
    let end = Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap() + TimeDelta::days(30);
    let mut open = 0;
    for n in 0..year.cases {
        let played = city.play(n);
        assert_eq!(played.unexpected, 0, "{:?}", played.first_unexpected);
        let again = city.play(n);
        assert_eq!(played.case.version(), again.case.version());
        match (&played.case, &again.case) {
            (CityCase::Dispute(a), CityCase::Dispute(b)) => {
                assert_eq!(a, b);
                check::<Dispute>(a);
                assert!(ends_before(a.history(), end));
                open += u32::from(!a.is_terminal());
            }
            (CityCase::ServiceRequest(a), CityCase::ServiceRequest(b)) => {
                assert_eq!(a, b);
                check::<ServiceRequest>(a);
                assert!(ends_before(a.history(), end));
                open += u32::from(!a.is_terminal());
            }
            (CityCase::WorkOrder(a), CityCase::WorkOrder(b)) => {
                assert_eq!(a, b);
                check::<WorkOrder>(a);
                assert!(ends_before(a.history(), end));
                open += u32::from(!a.is_terminal());
            }
            _ => panic!("case {n} changed workflow between plays"),
        }
    }
    // A month is too short for many cases to end: they stay open.
    assert!(open > 50, "only {open} open cases");
}

#[test]
fn the_due_index_holds_each_open_case_with_a_timer_at_its_next_due() {
    let mut year = small(800);
    year.days = 30;
    let city = City::build(&year).unwrap();
    let report = city.run(2);
    let mut expected: Vec<_> = (0..year.cases)
        .filter_map(|n| {
            let due = match city.play(n).case {
                CityCase::Dispute(c) => c.next_due(),
                CityCase::ServiceRequest(c) => c.next_due(),
                CityCase::WorkOrder(c) => c.next_due(),
                _ => unreachable!("the city plays three workflows"),
            };
            due.map(|due| (due, n))
        })
        .collect();
    expected.sort();
    // A month is too short for many cases to end: their timers are kept.
    assert!(expected.len() > 50, "only {} entries", expected.len());
    let far = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    let kept: Vec<_> = report.due_index.due_by(far).collect();
    assert_eq!(kept, expected);
    assert_eq!(report.due_index.len(), expected.len());
    assert_eq!(report.due_index.first(), expected.first().copied());
    // A sweeper waking at the first entry's time finds the entries due by then.
    let (first, _) = expected[0];
    let by_first: Vec<_> = report.due_index.due_by(first).collect();
    let due_then = expected.iter().take_while(|(due, _)| *due <= first).count();
    assert_eq!(by_first, expected[..due_then]);
    assert_eq!(
        report
            .due_index
            .due_by(first - TimeDelta::seconds(1))
            .count(),
        0
    );
}

#[test]
fn a_mix_without_disputes_or_refusals_has_none() {
    let mut mix = Mix::default();
    mix.disputes = 0.0;
    mix.work_orders = 0.0;
    mix.refused_commands = 0.0;
    let report = load::run(&small(500).with_mix(mix), 1).unwrap();
    assert_eq!(report.disputes, 0);
    assert_eq!(report.work_orders, 0);
    assert_eq!(report.service_requests, 500);
    assert_eq!(report.refused.total(), 0);
    assert_eq!(report.unexpected, 0);
}

#[test]
fn a_city_without_places_or_halls_is_refused() {
    let mut scale = CityScale::small();
    scale.estates = 0;
    scale.grids = 0;
    assert_eq!(
        City::build(&small(10).with_scale(scale)).unwrap_err(),
        LoadError::NoEstates
    );
    let mut scale = CityScale::small();
    scale.subdistricts = 0;
    scale.communities = 0;
    scale.estates = 5;
    scale.grids = 5;
    assert_eq!(
        City::build(&small(10).with_scale(scale)).unwrap_err(),
        LoadError::NoHalls
    );
}

/// A year of work orders alone: every channel, and every transition of the
/// declared table a script plays (the ladder never escalates under the
/// subdistrict's supervision policy), every command as scripted.
#[test]
fn a_year_of_work_orders_plays_every_channel_and_the_scripted_transitions() {
    let mut mix = Mix::default();
    mix.disputes = 0.0;
    mix.work_orders = 1.0;
    let year = small(4_000).with_mix(mix);
    let report = load::run(&year, 2).unwrap();
    assert_eq!(report.work_orders, 4_000);
    assert_eq!(report.unexpected, 0, "{:?}", report.unexpected_examples);
    assert_eq!(report.replay_mismatches, 0);
    assert_eq!(report.replayed, 4);
    assert!(report.refused.wrong_actor > 0);
    assert!(report.refused.too_late > 0);
    assert!(report.refused.not_applicable > 0);

    let city = City::build(&year).unwrap();
    let mut coverage = Coverage::<WorkOrder>::new();
    let mut channels = Vec::new();
    for n in 0..year.cases {
        let CityCase::WorkOrder(case) = city.play(n).case else {
            panic!("case {n} is not a work order");
        };
        coverage.record_case(&case);
        if let Some(WorkOrderEvent::Received(intake)) = case.history().first().map(|r| &r.event) {
            if !channels.contains(&intake.channel) {
                channels.push(intake.channel);
            }
        }
    }
    for channel in Channel::ALL {
        assert!(channels.contains(&channel), "no order came by {channel}");
    }
    assert!(coverage.undeclared().is_empty(), "{coverage}");
    let exercised: Vec<String> = coverage
        .exercised()
        .iter()
        .map(|(t, _)| format!("{} --{}--> {}", t.from, t.event, t.to))
        .collect();
    for row in [
        "New --Received--> Received",
        "New --Received--> AwaitingDispatch",
        "Received --TakenOn--> InHand",
        "Received --HandedOver--> AwaitingDispatch",
        "AwaitingDispatch --Dispatched--> Dispatched",
        "AwaitingDispatch --Dismissed--> Dismissed",
        "Dispatched --SignForOverdue--> Dispatched",
        "Dispatched --SignedFor--> InHand",
        "Dispatched --Returned--> ReturnPending",
        "ReturnPending --Dispatched--> Dispatched",
        "ReturnPending --DispatchUpheld--> Dispatched",
        "InHand --Ladder.Started--> InHand",
        "InHand --Assisted--> InHand",
        "InHand --ExtensionRequested--> ExtensionRequested",
        "ExtensionRequested --ExtensionApproved--> InHand",
        "ExtensionRequested --ExtensionRejected--> InHand",
        "InHand --Replied--> Replied",
        "Replied --CalledBack--> CalledBack",
        "CalledBack --RedoOrdered--> InHand",
        "CalledBack --Closed--> Closed",
        "Received --Withdrawn--> Withdrawn",
        "AwaitingDispatch --Withdrawn--> Withdrawn",
        "Dispatched --Withdrawn--> Withdrawn",
        "InHand --Withdrawn--> Withdrawn",
        "InHand --Overdue--> InHand",
        "InHand --Ladder.Rescheduled--> InHand",
        "InHand --Ladder.SupervisionReminded--> InHand",
        "InHand --Ladder.SupervisionNoticeIssued--> InHand",
    ] {
        assert!(
            exercised.iter().any(|e| e == row),
            "{row} never played:\n{coverage}"
        );
    }
}
