//! [`LadderState`]: where a matter stands on the ladder, and how the
//! ladder's facts move it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::Referral;
use super::event::LadderEvent;
use crate::escalation::{Band, PolicyRef};
use crate::id::OrgId;
use crate::org::Need;
use crate::tier::{Severity, Tier};
use crate::workflow::HasKind;

/// Where supervision of an overdue matter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "stage")]
pub enum Supervision {
    /// Not under supervision.
    None,
    /// A reminder was sent; a written notice follows at `notice_due`.
    Reminded {
        /// When the written notice falls due.
        notice_due: DateTime<Utc>,
    },
    /// A written notice was issued.
    Noticed,
}

/// Where a matter stands on the ladder while it is handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rung {
    /// Where the matter arose (an org-graph node).
    pub location: OrgId,
    /// What it needs (mediation of a dispute kind, a service category).
    pub need: Need,
    /// The policy it started under, kept for its whole life.
    pub policy: PolicyRef,
    /// Its severity now.
    pub severity: Severity,
    /// Its band under that severity.
    pub band: Band,
    /// The tier handling it.
    pub tier: Tier,
    /// The body handling it (routed through the org graph).
    pub handler: OrgId,
    /// When it reached this tier.
    pub since: DateTime<Utc>,
    /// When this tier's time runs out, if the policy limits it.
    pub due: Option<DateTime<Utc>>,
    /// Where supervision stands.
    pub supervision: Supervision,
}

/// The state of a matter on the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum LadderState {
    /// Not started.
    Idle,
    /// Handled at a tier.
    Handling(Rung),
    /// At the top with nowhere left to go: it must be resolved or referred
    /// out.
    Exhausted(Rung),
    /// Resolved at a tier. Terminal.
    Resolved {
        /// Where it stood when it was resolved.
        rung: Rung,
        /// When.
        at: DateTime<Utc>,
    },
    /// Referred out of the ladder. Terminal.
    ReferredOut {
        /// Where it stood.
        rung: Rung,
        /// Where it went.
        to: Referral,
    },
}

impl LadderState {
    /// The rung, unless the ladder has not started.
    pub fn rung(&self) -> Option<&Rung> {
        match self {
            LadderState::Idle => None,
            LadderState::Handling(r) | LadderState::Exhausted(r) => Some(r),
            LadderState::Resolved { rung, .. } | LadderState::ReferredOut { rung, .. } => {
                Some(rung)
            }
        }
    }

    /// The tier the matter is (or was last) handled at.
    pub fn tier(&self) -> Option<Tier> {
        self.rung().map(|r| r.tier)
    }

    /// Applies one fact. Consults nothing but the state and the event; an
    /// event that does not apply leaves the state as it is.
    pub(crate) fn evolve(self, event: &LadderEvent) -> LadderState {
        match (self, event) {
            (LadderState::Idle, LadderEvent::Started(s)) => LadderState::Handling(Rung {
                location: s.location.clone(),
                need: s.need,
                policy: s.policy.clone(),
                severity: s.severity,
                band: s.band,
                tier: s.route.tier,
                handler: s.route.handler.clone(),
                since: s.at,
                due: s.due,
                supervision: Supervision::None,
            }),
            (LadderState::Handling(rung), LadderEvent::Exhausted { .. }) => {
                LadderState::Exhausted(rung)
            }
            (
                LadderState::Handling(rung) | LadderState::Exhausted(rung),
                LadderEvent::Resolved { at, .. },
            ) => LadderState::Resolved { rung, at: *at },
            (LadderState::Exhausted(rung), LadderEvent::ReferredOut { to, .. }) => {
                LadderState::ReferredOut { rung, to: *to }
            }
            (LadderState::Handling(rung), e) => LadderState::Handling(rung.evolve(e)),
            (LadderState::Exhausted(rung), e) => LadderState::Exhausted(rung.evolve(e)),
            (state, _) => state,
        }
    }
}

impl Rung {
    /// Applies a ladder event to a rung; shared by the states that hold one.
    fn evolve(mut self, event: &LadderEvent) -> Rung {
        match event {
            LadderEvent::Escalated(e) => {
                self.tier = e.to;
                self.handler = e.route.handler.clone();
                self.since = e.at;
                self.due = e.due;
                self.supervision = Supervision::None;
            }
            LadderEvent::SeverityRaised { to, band, .. } => {
                self.severity = *to;
                self.band = *band;
            }
            LadderEvent::SupervisionReminded { notice_due, .. } => {
                self.supervision = Supervision::Reminded {
                    notice_due: *notice_due,
                };
            }
            LadderEvent::SupervisionNoticeIssued { .. } => self.supervision = Supervision::Noticed,
            LadderEvent::Rescheduled { due, .. } => self.due = Some(*due),
            _ => {}
        }
        self
    }
}
