//! How a service request's state reads in logs and messages: its kind, the
//! item and applicant, who handles it and the promised date, and the facts
//! of the state.

use crate::workflow::HasKind;
use std::fmt;

use super::ServiceRequestState;

impl fmt::Display for ServiceRequestState {
    /// The kind, then the item, applicant and hall, the handler and promised
    /// date once accepted, and the state's own facts: `InProcess: TX-001
    /// for ent-7 at huanan-hall, handled by huanan-hall, promised
    /// 2026-03-05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind())?;
        let Some(request) = self.request() else {
            return Ok(());
        };
        write!(
            f,
            ": {} for {} at {}",
            request.item, request.applicant, request.hall
        )?;
        if let Some(handling) = self.handling() {
            write!(
                f,
                ", handled by {}, promised {}",
                handling.handler(),
                handling.promised().format("%Y-%m-%d")
            )?;
        }
        if let Some(pending) = self.open_handling().and_then(|h| h.pending()) {
            let n = pending.materials().len();
            let s = if n == 1 { "" } else { "s" };
            let by = pending.supply_by().format("%Y-%m-%d");
            match pending.status() {
                super::PromiseStatus::Open => write!(f, "; {n} material{s} pending until {by}")?,
                super::PromiseStatus::Lapsed => {
                    write!(
                        f,
                        "; suspended: {n} material{s} promised by {by} not supplied"
                    )?;
                }
            }
        }
        if let Some(intake) = self.intake() {
            let missing = intake.missing().count() + intake.outstanding().count();
            if missing > 0 {
                let s = if missing == 1 { "" } else { "s" };
                write!(f, "; {missing} material{s} missing")?;
            }
        }
        match self {
            ServiceRequestState::Refused { reason, .. }
            | ServiceRequestState::Denied { reason, .. } => write!(f, "; {reason}"),
            ServiceRequestState::Forwarded { to, .. } => write!(f, "; forwarded to {to}"),
            ServiceRequestState::Suspended { since, .. } => {
                write!(f, "; suspended since {}", since.format("%Y-%m-%d"))
            }
            ServiceRequestState::ExtensionRequested { working_days, .. } => {
                write!(f, "; {working_days} more working days asked for")
            }
            ServiceRequestState::Rectifying { review, due, .. } => write!(
                f,
                "; rated {review}, rectification due {}",
                due.format("%Y-%m-%d")
            ),
            ServiceRequestState::FollowingUp { .. } => write!(f, "; rectified, follow-up call due"),
            _ => Ok(()),
        }
    }
}
