//! The work order's declared transition table: every (state, event) pair
//! that moves an order, and where it lands. `Case::handle` and replay
//! refuse any other.

use super::event::WorkOrderEventKind as E;
use super::state::WorkOrderStateKind as S;
use crate::escalation::LadderEventKind as L;
use crate::workflow::Transition;

/// The declared transition table.
pub(super) const TRANSITIONS: &[Transition<S, E>] = &[
    Transition::new(S::New, E::Received, S::Received),
    Transition::new(S::New, E::Received, S::AwaitingDispatch),
    Transition::new(S::Received, E::TakenOn, S::InHand),
    Transition::new(S::Received, E::HandedOver, S::AwaitingDispatch),
    Transition::new(S::AwaitingDispatch, E::Dispatched, S::Dispatched),
    Transition::new(S::AwaitingDispatch, E::Dismissed, S::Dismissed),
    Transition::new(S::Dispatched, E::SignForOverdue, S::Dispatched),
    Transition::new(S::Dispatched, E::SignedFor, S::InHand),
    Transition::new(S::Dispatched, E::Returned, S::ReturnPending),
    Transition::new(S::ReturnPending, E::Dispatched, S::Dispatched),
    Transition::new(S::ReturnPending, E::DispatchUpheld, S::Dispatched),
    Transition::new(S::ReturnPending, E::Dismissed, S::Dismissed),
    Transition::new(S::InHand, E::Ladder(L::Started), S::InHand),
    Transition::new(S::InHand, E::Assisted, S::InHand),
    Transition::new(S::ExtensionRequested, E::Assisted, S::ExtensionRequested),
    Transition::new(S::InHand, E::ExtensionRequested, S::ExtensionRequested),
    Transition::new(S::ExtensionRequested, E::ExtensionApproved, S::InHand),
    Transition::new(S::ExtensionRequested, E::ExtensionRejected, S::InHand),
    Transition::new(S::InHand, E::Replied, S::Replied),
    Transition::new(S::ExtensionRequested, E::Replied, S::Replied),
    Transition::new(S::Replied, E::CalledBack, S::CalledBack),
    Transition::new(S::CalledBack, E::RedoOrdered, S::InHand),
    Transition::new(S::CalledBack, E::Closed, S::Closed),
    Transition::new(S::Received, E::Withdrawn, S::Withdrawn),
    Transition::new(S::AwaitingDispatch, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Dispatched, E::Withdrawn, S::Withdrawn),
    Transition::new(S::ReturnPending, E::Withdrawn, S::Withdrawn),
    Transition::new(S::InHand, E::Withdrawn, S::Withdrawn),
    Transition::new(S::ExtensionRequested, E::Withdrawn, S::Withdrawn),
    Transition::new(S::InHand, E::Overdue, S::InHand),
    Transition::new(S::ExtensionRequested, E::Overdue, S::ExtensionRequested),
    Transition::new(S::InHand, E::Ladder(L::Rescheduled), S::InHand),
    Transition::new(S::InHand, E::Ladder(L::SupervisionReminded), S::InHand),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::SupervisionReminded),
        S::ExtensionRequested,
    ),
    Transition::new(S::InHand, E::Ladder(L::SupervisionNoticeIssued), S::InHand),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::SupervisionNoticeIssued),
        S::ExtensionRequested,
    ),
    Transition::new(S::InHand, E::Ladder(L::Escalated), S::InHand),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::Escalated),
        S::ExtensionRequested,
    ),
];
