//! [`LadderError`]: why the ladder refused a command.

use chrono::{DateTime, Utc};

use super::command::{EscalationReason, LadderCommandKind};
use super::state::LadderStateKind;
use crate::actor::{Forbidden, Role};
use crate::calendar::CalendarError;
use crate::escalation::PolicyRef;
use crate::id::OrgId;
use crate::org::{Need, OrgGraphError};
use crate::tier::{Severity, Tier};

/// Why the ladder refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LadderError {
    /// The actor lacks the role the command needs.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The command does not apply in the ladder's state.
    #[error("command {command} does not apply to a matter that is {state}")]
    NotApplicable {
        /// The command's kind.
        command: LadderCommandKind,
        /// The state's kind.
        state: LadderStateKind,
    },
    /// The next tier is above the ceiling: only an override may pass it.
    #[error(
        "escalating from {tier} to {next} passes the ceiling {ceiling}: it needs an override by an {needed}"
    )]
    CeilingReached {
        /// The current tier.
        tier: Tier,
        /// The tier above.
        next: Tier,
        /// The ceiling.
        ceiling: Tier,
        /// The role whose override is needed.
        needed: Role,
    },
    /// An override was asked for below the ceiling, where none is needed.
    #[error(
        "escalating from {tier} to {next} stays within the ceiling {ceiling}: no override is needed"
    )]
    OverrideNotNeeded {
        /// The current tier.
        tier: Tier,
        /// The tier above.
        next: Tier,
        /// The ceiling.
        ceiling: Tier,
    },
    /// An override without a written reason.
    #[error("an override past the ceiling needs a written reason")]
    MissingJustification,
    /// The reason may not be given to `Escalate`.
    #[error("{reason:?} is recorded by {by}, not by an escalate command")]
    ReasonNotAllowed {
        /// The reason.
        reason: EscalationReason,
        /// The command that records it.
        by: LadderCommandKind,
    },
    /// No body handles the need at the tier the matter would move to.
    #[error("no body handles {need} for {location} at the {tier} tier")]
    NoHandler {
        /// Where the matter arose.
        location: OrgId,
        /// The tier.
        tier: Tier,
        /// The need.
        need: Need,
    },
    /// The org graph could not route the matter.
    #[error("routing failed: {0}")]
    Routing(OrgGraphError),
    /// The case's policy is not in the ladder's policy book.
    #[error("the case started under policy {policy}, which this ladder does not have")]
    UnknownPolicy {
        /// The policy.
        policy: PolicyRef,
    },
    /// A deadline could not be computed.
    #[error("deadline: {0}")]
    Calendar(#[from] CalendarError),
    /// The new severity is not higher than the current one.
    #[error("severity {requested} does not raise {current}")]
    SeverityNotRaised {
        /// The current severity.
        current: Severity,
        /// The severity asked for.
        requested: Severity,
    },
}

/// Why a stored ladder state was refused: read from JSON, a [`Rung`] is
/// checked, not trusted.
///
/// [`Rung`]: super::Rung
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LadderStateError {
    /// The tier's due date lies before the matter reached the tier.
    #[error("the due date {due} lies before the matter reached its tier at {since}")]
    DueBeforeSince {
        /// When it reached the tier.
        since: DateTime<Utc>,
        /// The due date stored.
        due: DateTime<Utc>,
    },
    /// A supervision notice falls due before the matter reached its tier,
    /// so before any reminder could have been sent.
    #[error(
        "the supervision notice due {notice_due} lies before the matter reached its tier at {since}"
    )]
    NoticeBeforeSince {
        /// When it reached the tier.
        since: DateTime<Utc>,
        /// The notice date stored.
        notice_due: DateTime<Utc>,
    },
    /// The band starts above its ceiling.
    #[error("the band starts at {start}, above its ceiling {ceiling}")]
    BandInverted {
        /// Where it starts.
        start: Tier,
        /// Its ceiling.
        ceiling: Tier,
    },
}
