//! Handling a command that decides one event does not touch the heap.

mod support {
    pub mod ticket;
}

use chrono::{Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::workflow::{Case, Context};
use support::ticket::{Command, Ticket};

#[test]
fn a_one_event_decision_does_not_allocate() {
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
    case.handle(&Ticket, &Command::Open, &Context::new(t0, &worker))
        .unwrap();
    case.reserve(16);
    let hold = Context::new(t0 + Duration::hours(1), &worker);
    let resume = Context::new(t0 + Duration::hours(2), &worker);
    let counted = allocation_counter::measure(|| {
        case.handle(&Ticket, &Command::Hold, &hold).unwrap();
        case.handle(&Ticket, &Command::Resume, &resume).unwrap();
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
    assert_eq!(case.version(), 3);
}

#[test]
fn a_two_event_decision_is_the_only_kind_that_allocates() {
    let boss = Actor::new("gw-7".parse().unwrap())
        .with_role(Role::GridWorker)
        .with_role(Role::Supervisor);
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
    case.handle(&Ticket, &Command::Open, &Context::new(t0, &boss))
        .unwrap();
    case.reserve(16);
    let ctx = Context::new(t0, &boss);
    let counted = allocation_counter::measure(|| {
        case.handle(&Ticket, &Command::ResolveAndClose, &ctx)
            .unwrap();
    });
    // The two events spill the decision to the heap: the measurement can see
    // allocations, so the zero above means something.
    assert!(counted.count_total > 0, "{counted:?}");
}
