//! Property tests of the kernel's invariants over random command sequences
//! on a test workflow.

mod support {
    pub mod ticket;
}

use grassroots::actor::Actor;
use grassroots::id::{ActorId, CaseId};
use grassroots::testing::strategies::{actor, steps, steps_with_gaps};
use grassroots::testing::{Step, check_invariants};
use grassroots::workflow::{Case, CaseError, Context, Workflow};
use proptest::prelude::*;
use support::ticket::{Command, Ticket};

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Open),
        Just(Command::Hold),
        Just(Command::Resume),
        Just(Command::Resolve),
        Just(Command::ResolveAndClose),
        Just(Command::Close),
        Just(Command::Cancel),
        Just(Command::Tick),
    ]
}

fn ids() -> Vec<ActorId> {
    ["gw-7", "gw-8", "sup-1", "system"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect()
}

fn actor_and_command() -> impl Strategy<Value = (Actor, Command)> {
    (actor(ids()), command())
}

proptest! {
    #[test]
    fn kernel_invariants_hold_for_any_command_sequence(
        steps in steps(actor_and_command(), 0..40)
    ) {
        let checked = check_invariants(&Ticket, CaseId::new("P-1").unwrap(), steps.clone());
        prop_assert!(checked.is_ok(), "{:?}", checked.err());
    }

    #[test]
    fn live_equals_replay_even_when_time_jumps_backwards(
        steps in steps_with_gaps(actor_and_command(), 0..40, -120..=6000)
    ) {
        let mut case = Case::<Ticket>::new(CaseId::new("P-2").unwrap());
        for Step { actor, at, command } in &steps {
            let before = case.clone();
            match case.handle(&Ticket, command, &Context::new(*at, actor)) {
                Ok(_) => {}
                Err(CaseError::TimeRunsBackwards { .. }) => {
                    prop_assert!(before.last_at().is_some_and(|last| *at < last));
                    prop_assert_eq!(&case, &before);
                }
                Err(_) => prop_assert_eq!(&case, &before),
            }
        }
        let replayed = Case::<Ticket>::replay(case.id().clone(), case.history().to_vec());
        prop_assert_eq!(replayed.as_ref(), Ok(&case));
    }

    #[test]
    fn no_command_is_accepted_after_a_terminal_state(
        steps in steps(actor_and_command(), 0..40),
        tail in steps(actor_and_command(), 1..10)
    ) {
        let mut case = Case::<Ticket>::new(CaseId::new("P-3").unwrap());
        for s in &steps {
            let _ = case.handle(&Ticket, &s.command, &Context::new(s.at, &s.actor));
        }
        if Ticket::is_terminal(case.state()) {
            let last = case.last_at().unwrap();
            for s in &tail {
                let at = last + (s.at - grassroots::testing::strategies::epoch());
                let err = case.handle(&Ticket, &s.command, &Context::new(at, &s.actor));
                let is_terminal_err = matches!(err, Err(CaseError::Terminal { .. }));
                prop_assert!(is_terminal_err);
            }
        }
    }

    #[test]
    fn the_system_role_alone_never_opens_a_ticket(
        steps in steps((Just(Actor::system()), command()), 1..20)
    ) {
        let ticks = steps.iter().filter(|s| matches!(s.command, Command::Tick)).count();
        let checked = check_invariants(&Ticket, CaseId::new("P-4").unwrap(), steps).unwrap();
        prop_assert_eq!(checked.case.version(), 0);
        // Ticks are accepted as no-ops; everything else is refused.
        prop_assert_eq!(checked.accepted, ticks);
    }
}
