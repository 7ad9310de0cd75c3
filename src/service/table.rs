//! The service request's declared transition table: every (state, event)
//! pair that moves a request, and where it lands. `Case::handle` and replay
//! refuse any other.

use super::event::ServiceRequestEventKind as E;
use super::state::ServiceRequestStateKind as S;
use crate::escalation::LadderEventKind as L;
use crate::workflow::Transition;

/// The declared transition table.
pub(super) const TRANSITIONS: &[Transition<S, E>] = &[
    Transition::new(S::New, E::Submitted, S::Submitted),
    Transition::new(S::Submitted, E::SupplementRequested, S::SupplementRequested),
    Transition::new(S::SupplementRequested, E::MaterialsSupplied, S::Submitted),
    Transition::new(S::Submitted, E::Refused, S::Refused),
    Transition::new(S::SupplementRequested, E::Refused, S::Refused),
    Transition::new(S::Submitted, E::Accepted, S::Accepted),
    Transition::new(S::Accepted, E::Ladder(L::Started), S::Accepted),
    Transition::new(S::Accepted, E::ProcessingStarted, S::InProcess),
    Transition::new(S::Accepted, E::Forwarded, S::Forwarded),
    Transition::new(S::Forwarded, E::SignedFor, S::InProcess),
    Transition::new(S::Forwarded, E::Returned, S::Accepted),
    Transition::new(S::InProcess, E::Suspended, S::Suspended),
    Transition::new(S::Suspended, E::Resumed, S::InProcess),
    Transition::new(S::InProcess, E::ExtensionRequested, S::ExtensionRequested),
    Transition::new(S::ExtensionRequested, E::ExtensionApproved, S::InProcess),
    Transition::new(S::ExtensionRequested, E::ExtensionRejected, S::InProcess),
    Transition::new(S::InProcess, E::Completed, S::Completed),
    Transition::new(S::ExtensionRequested, E::Completed, S::Completed),
    Transition::new(S::InProcess, E::Denied, S::Denied),
    Transition::new(S::ExtensionRequested, E::Denied, S::Denied),
    Transition::new(S::Completed, E::Delivered, S::Delivered),
    Transition::new(S::Denied, E::Delivered, S::Delivered),
    Transition::new(S::Delivered, E::Rated, S::Rated),
    Transition::new(S::Rated, E::SentBackForRework, S::InProcess),
    Transition::new(S::Delivered, E::Closed, S::Closed),
    Transition::new(S::Rated, E::Closed, S::Closed),
    Transition::new(S::Submitted, E::Withdrawn, S::Withdrawn),
    Transition::new(S::SupplementRequested, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Accepted, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Forwarded, E::Withdrawn, S::Withdrawn),
    Transition::new(S::InProcess, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Suspended, E::Withdrawn, S::Withdrawn),
    Transition::new(S::ExtensionRequested, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Accepted, E::Overdue, S::Accepted),
    Transition::new(S::Forwarded, E::Overdue, S::Forwarded),
    Transition::new(S::InProcess, E::Overdue, S::InProcess),
    Transition::new(S::ExtensionRequested, E::Overdue, S::ExtensionRequested),
    Transition::new(S::Accepted, E::Ladder(L::SupervisionReminded), S::Accepted),
    Transition::new(
        S::Forwarded,
        E::Ladder(L::SupervisionReminded),
        S::Forwarded,
    ),
    Transition::new(
        S::InProcess,
        E::Ladder(L::SupervisionReminded),
        S::InProcess,
    ),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::SupervisionReminded),
        S::ExtensionRequested,
    ),
    Transition::new(
        S::Accepted,
        E::Ladder(L::SupervisionNoticeIssued),
        S::Accepted,
    ),
    Transition::new(
        S::Forwarded,
        E::Ladder(L::SupervisionNoticeIssued),
        S::Forwarded,
    ),
    Transition::new(
        S::InProcess,
        E::Ladder(L::SupervisionNoticeIssued),
        S::InProcess,
    ),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::SupervisionNoticeIssued),
        S::ExtensionRequested,
    ),
    Transition::new(S::InProcess, E::Ladder(L::Rescheduled), S::InProcess),
    Transition::new(S::Accepted, E::Ladder(L::Escalated), S::Accepted),
    Transition::new(S::Forwarded, E::Ladder(L::Escalated), S::Forwarded),
    Transition::new(S::InProcess, E::Ladder(L::Escalated), S::InProcess),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::Escalated),
        S::ExtensionRequested,
    ),
];
