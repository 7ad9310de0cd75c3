//! Handling a service-request command that decides one event does not
//! touch the heap.

mod support {
    pub mod service_fixture;
}

use chrono::Duration;
use grassroots::service::{Review, ServiceRequest, ServiceRequestCommand as Command};
use grassroots::workflow::{Case, Context};
use support::service_fixture::*;

fn in_process(service: &ServiceRequest) -> Case<ServiceRequest> {
    let mut case = Case::<ServiceRequest>::new("HN-A-1".parse().unwrap());
    for (actor, command) in [
        (applicant(), submit_fs001()),
        (clerk(), Command::Accept),
        (clerk(), Command::Forward { to: None }),
    ] {
        case.handle(service, &command, &Context::new(t0(), &actor))
            .unwrap();
    }
    case
}

#[test]
fn one_event_decisions_do_not_allocate() {
    let service = service();
    let mut case = in_process(&service);
    case.reserve(64);
    let officer = industry_officer();
    let (clerk, applicant, system) = (clerk(), applicant(), system());
    let suspend = Command::Suspend {
        reason: note("waiting for the tax bureau to confirm the company's records"),
    };
    let rate = Command::Rate {
        review: Review::Satisfied,
        comment: Some(note("quick")),
    };
    let at = |hours| t0() + Duration::hours(hours);
    let steps = [
        (&officer, Command::SignFor, at(1)),
        (&system, Command::Tick, at(2)),
        (&officer, suspend.clone(), at(3)),
        (&officer, Command::Resume, at(30)),
        (&officer, suspend, at(31)),
        (&officer, Command::Resume, at(80)),
        (&officer, Command::Complete, at(81)),
        (&clerk, Command::Deliver, at(82)),
        (&applicant, rate, at(83)),
        (&clerk, Command::Close, at(84)),
    ];
    let contexts: Vec<_> = steps
        .iter()
        .map(|(actor, _, at)| Context::new(*at, actor))
        .collect();
    // `Resume` decides two events (`Resumed` and the ladder's
    // `Rescheduled`, boxed), so it may allocate; every other step decides
    // one and must not.
    let mut total = 0;
    for ((_, command, _), ctx) in steps.iter().zip(&contexts) {
        if matches!(command, Command::Resume) {
            let recorded = case.handle(&service, command, ctx).unwrap();
            assert_eq!(recorded.len(), 2);
            continue;
        }
        let counted = allocation_counter::measure(|| {
            case.handle(&service, command, ctx).unwrap();
        });
        total += counted.count_total;
    }
    assert_eq!(total, 0);
    assert!(case.is_terminal());
    // The pauses moved the promised date: the computation ran.
    assert!(case.state().handling().unwrap().paused_working_days() > 0);
}

#[test]
fn acceptance_decides_two_events_and_may_allocate() {
    let service = service();
    let mut case = Case::<ServiceRequest>::new("HN-A-2".parse().unwrap());
    case.handle(
        &service,
        &submit_br001(&BR_MATERIALS),
        &Context::new(t0(), &applicant()),
    )
    .unwrap();
    case.reserve(8);
    let clerk = clerk();
    let ctx = Context::new(t0(), &clerk);
    let counted = allocation_counter::measure(|| {
        case.handle(&service, &Command::Accept, &ctx).unwrap();
    });
    // The accepted event and the ladder's start spill the decision to the
    // heap (and the handling is boxed): the measurement sees allocations.
    assert!(counted.count_total > 0, "{counted:?}");
}
