//! The kernel's errors: a refused command ([`CaseError`]) and a broken
//! history ([`ReplayError`]).

use chrono::{DateTime, Utc};

use super::KindName;
use crate::id::CaseId;

/// Why [`Case::handle`](super::Case::handle) refused a command. The case is
/// left exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError<R> {
    /// The workflow's own rules refused the command.
    #[error(transparent)]
    Rejected(R),
    /// The case has reached a terminal state and takes no more commands.
    #[error("case {case} is {state}, a terminal state: command {command} refused")]
    Terminal {
        /// The case.
        case: CaseId,
        /// The kind of its terminal state.
        state: KindName,
        /// The kind of command that was refused.
        command: KindName,
    },
    /// The command's time is earlier than the case's last recorded event;
    /// recording it would make the history run backwards.
    #[error("case {case}: command {command} at {at} is earlier than the last event at {last}")]
    TimeRunsBackwards {
        /// The case.
        case: CaseId,
        /// The kind of command that was refused.
        command: KindName,
        /// The command's time.
        at: DateTime<Utc>,
        /// The time of the case's last recorded event.
        last: DateTime<Utc>,
    },
    /// The command's time lies outside the instants the crate accepts,
    /// [`EARLIEST`](super::EARLIEST) ..= [`LATEST`](super::LATEST).
    #[error("case {case}: command {command} at {at} is outside the accepted range of times")]
    TimeOutOfRange {
        /// The case.
        case: CaseId,
        /// The kind of command that was refused.
        command: KindName,
        /// The command's time.
        at: DateTime<Utc>,
    },
    /// The caller expected another version of the case (someone else handled
    /// a command in between). Reload the case and retry.
    #[error("case {case} is at version {actual}, the command expected version {expected}")]
    VersionConflict {
        /// The case.
        case: CaseId,
        /// The version the caller expected.
        expected: u64,
        /// The version the case is at.
        actual: u64,
    },
    /// The workflow decided more events after one that ended the case — a bug
    /// in the workflow's `decide`, refused so the history stays replayable.
    #[error("case {case}: the decision records {event} after the terminal state {state}")]
    EventAfterTerminal {
        /// The case.
        case: CaseId,
        /// The kind of the terminal state reached mid-decision.
        state: KindName,
        /// The kind of the event that came after it.
        event: KindName,
    },
    /// The workflow decided an event whose transition its table does not
    /// declare — a bug in the workflow, refused so the history stays
    /// replayable.
    #[error(
        "case {case}: the decision records {event} in state {from}, leading to {to}, a transition the workflow does not declare"
    )]
    Undeclared {
        /// The case.
        case: CaseId,
        /// The kind of state the event applies to.
        from: KindName,
        /// The kind of the event.
        event: KindName,
        /// The kind of state it leads to.
        to: KindName,
    },
}

impl<R> CaseError<R> {
    /// Converts the workflow's rejection with `f`, keeping the kernel's own
    /// refusals as they are.
    pub fn map_rejection<S>(self, f: impl FnOnce(R) -> S) -> CaseError<S> {
        match self {
            CaseError::Rejected(r) => CaseError::Rejected(f(r)),
            CaseError::Terminal {
                case,
                state,
                command,
            } => CaseError::Terminal {
                case,
                state,
                command,
            },
            CaseError::TimeRunsBackwards {
                case,
                command,
                at,
                last,
            } => CaseError::TimeRunsBackwards {
                case,
                command,
                at,
                last,
            },
            CaseError::TimeOutOfRange { case, command, at } => {
                CaseError::TimeOutOfRange { case, command, at }
            }
            CaseError::VersionConflict {
                case,
                expected,
                actual,
            } => CaseError::VersionConflict {
                case,
                expected,
                actual,
            },
            CaseError::EventAfterTerminal { case, state, event } => {
                CaseError::EventAfterTerminal { case, state, event }
            }
            CaseError::Undeclared {
                case,
                from,
                event,
                to,
            } => CaseError::Undeclared {
                case,
                from,
                event,
                to,
            },
        }
    }

    /// The workflow's rejection, if that is why the command was refused.
    pub fn rejection(&self) -> Option<&R> {
        match self {
            CaseError::Rejected(r) => Some(r),
            _ => None,
        }
    }
}

/// Why [`Case::replay`](super::Case::replay) refused a history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// A sequence number is missing: the history jumps from `expected - 1` to
    /// `found`.
    #[error("case {case}: history has a gap, expected event {expected} but found {found}")]
    Gap {
        /// The case.
        case: CaseId,
        /// The sequence number that should have come next.
        expected: u64,
        /// The sequence number that came instead.
        found: u64,
    },
    /// The same sequence number appears twice in a row.
    #[error("case {case}: event {seq} appears twice")]
    Duplicate {
        /// The case.
        case: CaseId,
        /// The repeated sequence number.
        seq: u64,
    },
    /// Sequence numbers are out of order: `found` came where `expected`
    /// belonged, and `expected` appears later.
    #[error("case {case}: history is out of order, event {found} came where {expected} belonged")]
    Reordered {
        /// The case.
        case: CaseId,
        /// The sequence number that belonged here.
        expected: u64,
        /// The sequence number that came instead.
        found: u64,
    },
    /// An event's time lies outside the instants the crate accepts,
    /// [`EARLIEST`](super::EARLIEST) ..= [`LATEST`](super::LATEST).
    #[error("case {case}: event {seq} at {at} is outside the accepted range of times")]
    TimeOutOfRange {
        /// The case.
        case: CaseId,
        /// The sequence number of the offending event.
        seq: u64,
        /// Its time.
        at: DateTime<Utc>,
    },
    /// An event is recorded earlier than the one before it.
    #[error("case {case}: event {seq} at {at} is earlier than the event before it at {previous}")]
    TimeRunsBackwards {
        /// The case.
        case: CaseId,
        /// The sequence number of the offending event.
        seq: u64,
        /// Its time.
        at: DateTime<Utc>,
        /// The time of the event before it.
        previous: DateTime<Utc>,
    },
    /// An event is recorded after the case reached a terminal state.
    #[error("case {case}: event {seq} ({event}) comes after the terminal state {state}")]
    AfterTerminal {
        /// The case.
        case: CaseId,
        /// The sequence number of the offending event.
        seq: u64,
        /// The kind of the offending event.
        event: KindName,
        /// The kind of the terminal state.
        state: KindName,
    },
    /// An event leads from one kind of state to another by a transition the
    /// workflow's table does not declare — an event that does not fit the
    /// state it is recorded in (or one `evolve` ignores).
    #[error(
        "case {case}: event {seq} ({event}) in state {from} leads to {to}, a transition the workflow does not declare"
    )]
    Undeclared {
        /// The case.
        case: CaseId,
        /// The sequence number of the offending event.
        seq: u64,
        /// The kind of state it was recorded in.
        from: KindName,
        /// The kind of the offending event.
        event: KindName,
        /// The kind of state it led to.
        to: KindName,
    },
}
