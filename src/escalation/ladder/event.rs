//! [`LadderEvent`]: the facts of a matter on the ladder.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::{EscalationReason, Referral, SeverityCause};
use crate::escalation::{Band, PolicyRef};
use crate::id::{ActorId, OrgId};
use crate::org::{Need, Route};
use crate::tier::{Severity, Tier};
use crate::workflow::HasKind;

/// Passing the ceiling: who allowed it and why, in writing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// The officer of the higher tier who allowed it.
    pub by: ActorId,
    /// The written reason.
    pub justification: String,
}

/// The first step on the ladder, with the routed handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    /// Where the matter arose.
    pub location: OrgId,
    /// What it needs.
    pub need: Need,
    /// Its severity.
    pub severity: Severity,
    /// The policy it starts under.
    pub policy: PolicyRef,
    /// Its band under that policy.
    pub band: Band,
    /// Who handles it first, where and why.
    pub route: Route,
    /// When.
    pub at: DateTime<Utc>,
    /// When the first tier's time runs out.
    pub due: Option<DateTime<Utc>>,
}

/// One step up the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalated {
    /// The tier it left.
    pub from: Tier,
    /// The tier it reached.
    pub to: Tier,
    /// Why.
    pub reason: EscalationReason,
    /// Who handles it at the new tier, where and why (routed through the org
    /// graph when the step was decided).
    pub route: Route,
    /// When.
    pub at: DateTime<Utc>,
    /// When the new tier's time runs out.
    pub due: Option<DateTime<Utc>>,
    /// Present when the step passed the ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overridden: Option<Override>,
}

/// A fact about a matter on the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "event")]
#[non_exhaustive]
pub enum LadderEvent {
    /// The matter was put on the ladder.
    Started(Started),
    /// It moved up.
    Escalated(Escalated),
    /// Its severity was raised.
    SeverityRaised {
        /// The old severity.
        from: Severity,
        /// The new one.
        to: Severity,
        /// What raised it.
        cause: SeverityCause,
        /// The band under the new severity.
        band: Band,
    },
    /// The current tier's due date moved (see
    /// [`LadderCommand::Reschedule`](super::LadderCommand::Reschedule)).
    Rescheduled {
        /// The tier.
        tier: Tier,
        /// The new due date.
        due: DateTime<Utc>,
    },
    /// It waited past its limit at the ceiling: a supervision reminder was
    /// sent to the handler.
    SupervisionReminded {
        /// The tier.
        tier: Tier,
        /// The body reminded.
        handler: OrgId,
        /// When a written notice follows if it is still open.
        notice_due: DateTime<Utc>,
    },
    /// A written supervision notice was issued.
    SupervisionNoticeIssued {
        /// The tier.
        tier: Tier,
        /// The body noticed.
        handler: OrgId,
    },
    /// An escalation was asked for at the top: nowhere left to go.
    Exhausted {
        /// The top tier reached.
        tier: Tier,
    },
    /// Resolved at a tier.
    Resolved {
        /// The tier.
        tier: Tier,
        /// The body that resolved it.
        handler: OrgId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Referred out of the ladder.
    ReferredOut {
        /// The tier it stood at.
        tier: Tier,
        /// Where it went.
        to: Referral,
    },
}
