//! [`LadderCommand`] and the reasons and routes it names.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::OrgId;
use crate::org::Need;
use crate::tier::Severity;
use crate::workflow::HasKind;

/// Why a matter moved up a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EscalationReason {
    /// It waited past its tier's time limit (recorded by a `Tick`).
    TimedOut,
    /// Handling at the tier failed (a mediation that did not settle).
    HandlingFailed,
    /// Its severity was raised above what the tier may handle.
    SeverityRaised,
    /// A party asked for it to go up.
    RequestedByParty,
    /// A supervisor sent it up.
    Supervision,
}

/// What raises a matter's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeverityCause {
    /// The dispute may intensify (the early-warning flag).
    RiskOfIntensifying,
    /// Many parties are involved.
    ManyParties,
    /// Someone's safety is at stake.
    Safety,
    /// The same complaint keeps coming back.
    RepeatComplaints,
}

/// Where a matter goes when the ladder is exhausted, or when mediation ends
/// without agreement: the routes the law leaves open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Referral {
    /// Arbitration (仲裁), e.g. a labour arbitration commission.
    Arbitration,
    /// Litigation (诉讼) before a people's court.
    Litigation,
    /// Handling by the competent administrative department.
    Administrative,
}

/// A command to the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "command")]
#[non_exhaustive]
pub enum LadderCommand {
    /// Puts a matter on the ladder at the tier its severity starts at.
    Start {
        /// Where it arose.
        location: OrgId,
        /// What it needs.
        need: Need,
        /// How big it is.
        severity: Severity,
        /// The first tier's due date, when the embedding workflow decides
        /// it (a service request's promised date); `None` takes the policy's
        /// limit for the tier.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<DateTime<Utc>>,
    },
    /// Moves the current tier's due date: the embedding workflow's deadline
    /// moved (a suspension ended, an extension was approved), and
    /// supervision follows it. Recorded as
    /// [`LadderEvent::Rescheduled`](super::LadderEvent::Rescheduled).
    Reschedule {
        /// The new due date.
        due: DateTime<Utc>,
    },
    /// Moves it up one tier, within the ceiling.
    Escalate {
        /// Why (`HandlingFailed`, `RequestedByParty` or `Supervision`;
        /// timeouts come from `Tick`, severity from `RaiseSeverity`).
        reason: EscalationReason,
    },
    /// Moves it up one tier past the ceiling, allowed by an officer of the
    /// higher tier with a written reason.
    Override {
        /// Why it moves.
        reason: EscalationReason,
        /// The written reason for passing the ceiling.
        justification: String,
    },
    /// Raises its severity; if the new band starts above the current tier,
    /// the matter moves up to it.
    RaiseSeverity {
        /// The new severity.
        to: Severity,
        /// What raised it.
        cause: SeverityCause,
    },
    /// Records that it was resolved at its current tier.
    Resolve,
    /// Refers an exhausted matter out of the ladder.
    ReferOut {
        /// Where to.
        to: Referral,
    },
    /// A timer: escalates what waited past its tier's limit, or puts it
    /// under supervision at the ceiling; does nothing otherwise.
    Tick,
}
