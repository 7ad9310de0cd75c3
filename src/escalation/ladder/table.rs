//! The ladder's declared transition table: every (state, event) pair that
//! moves a matter, and where it lands. `Case::handle` and replay refuse any
//! other.

use super::event::LadderEventKind as E;
use super::state::LadderStateKind as S;
use crate::workflow::Transition;

/// The declared transition table.
pub(super) const TRANSITIONS: &[Transition<S, E>] = &[
    Transition::new(S::Idle, E::Started, S::Handling),
    Transition::new(S::Handling, E::Escalated, S::Handling),
    Transition::new(S::Handling, E::SeverityRaised, S::Handling),
    Transition::new(S::Handling, E::Rescheduled, S::Handling),
    Transition::new(S::Exhausted, E::Rescheduled, S::Exhausted),
    Transition::new(S::Handling, E::SupervisionReminded, S::Handling),
    Transition::new(S::Handling, E::SupervisionNoticeIssued, S::Handling),
    Transition::new(S::Handling, E::Exhausted, S::Exhausted),
    Transition::new(S::Handling, E::Resolved, S::Resolved),
    Transition::new(S::Exhausted, E::SeverityRaised, S::Exhausted),
    Transition::new(S::Exhausted, E::Resolved, S::Resolved),
    Transition::new(S::Exhausted, E::ReferredOut, S::ReferredOut),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Kind;

    #[test]
    fn every_state_and_event_kind_is_in_the_table() {
        for state in S::all() {
            assert!(
                TRANSITIONS.iter().any(|t| t.from == state || t.to == state),
                "{state} is in no transition"
            );
        }
        for event in E::all() {
            assert!(
                TRANSITIONS.iter().any(|t| t.event == event),
                "{event} is in no transition"
            );
        }
    }

    #[test]
    fn nothing_leaves_a_terminal_state() {
        for t in TRANSITIONS {
            assert!(
                !matches!(t.from, S::Resolved | S::ReferredOut),
                "{t:?} leaves a terminal state"
            );
        }
    }
}
