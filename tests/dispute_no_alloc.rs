//! Handling the dispute's common one-event commands does not touch the
//! heap.

mod support {
    pub mod dispute_fixture;
}

use grassroots::dispute::{DisputeCommand, DisputeState};
use grassroots::workflow::Context;
use support::dispute_fixture::*;

#[test]
fn recording_a_session_does_not_allocate() {
    let d = dispute();
    let mut case = drive(&d, &path::mediating_with_session());
    case.reserve(16);
    let qian = mediator("qian");
    let contexts: Vec<Context<'_>> = (30..40).map(|m| Context::new(minutes(m), &qian)).collect();
    let counted = allocation_counter::measure(|| {
        for ctx in &contexts {
            case.handle(&d, &DisputeCommand::RecordSession, ctx)
                .unwrap();
        }
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
    assert!(
        matches!(case.state(), DisputeState::Mediating { mediation, .. } if mediation.sessions() == 11)
    );
}

#[test]
fn a_quiet_tick_and_a_refusal_do_not_allocate_either() {
    let d = dispute();
    let mut case = drive(&d, &path::mediating_with_session());
    case.reserve(16);
    let system = system();
    let tick = Context::new(minutes(30), &system);
    let li = party("li");
    let stranger = Context::new(minutes(31), &li);
    let counted = allocation_counter::measure(|| {
        assert!(
            case.handle(&d, &DisputeCommand::Tick, &tick)
                .unwrap()
                .is_empty()
        );
        assert!(
            case.handle(&d, &DisputeCommand::RecordSession, &stranger)
                .is_err()
        );
    });
    assert_eq!(counted.count_total, 0, "{counted:?}");
}

#[test]
fn a_signature_that_puts_the_agreement_into_effect_does_allocate() {
    let d = dispute();
    let mut steps = path::signing();
    steps.push((academy_officer(), minutes(5), DisputeCommand::AffixSeal));
    steps.push((party("li"), minutes(5), DisputeCommand::Sign));
    steps.push((party("acme-rep"), minutes(6), DisputeCommand::Sign));
    let mut case = drive(&d, &steps);
    case.reserve(16);
    let qian = mediator("qian");
    let ctx = Context::new(minutes(7), &qian);
    let counted = allocation_counter::measure(|| {
        case.handle(&d, &DisputeCommand::Sign, &ctx).unwrap();
    });
    // Three events spill the decision to the heap: the measurement sees
    // allocations, so the zeros above mean something.
    assert!(counted.count_total > 0, "{counted:?}");
}
