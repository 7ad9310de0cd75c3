//! [`LadderState`]: where a matter stands on the ladder, and how the
//! ladder's facts move it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::Referral;
use super::error::LadderStateError;
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
///
/// Sealed: built only by the ladder's events and read through its
/// accessors; read from JSON it is checked ([`LadderStateError`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RungData")]
pub struct Rung {
    location: OrgId,
    need: Need,
    policy: PolicyRef,
    severity: Severity,
    band: Band,
    tier: Tier,
    handler: OrgId,
    since: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
    supervision: Supervision,
}

impl Rung {
    /// Where the matter arose (an org-graph node).
    pub fn location(&self) -> &OrgId {
        &self.location
    }

    /// What it needs (mediation of a dispute kind, a service category).
    pub fn need(&self) -> &Need {
        &self.need
    }

    /// The policy it started under, kept for its whole life.
    pub fn policy(&self) -> &PolicyRef {
        &self.policy
    }

    /// Its severity now.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Its band under that severity.
    pub fn band(&self) -> Band {
        self.band
    }

    /// The tier handling it.
    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// The body handling it (routed through the org graph).
    pub fn handler(&self) -> &OrgId {
        &self.handler
    }

    /// When it reached this tier.
    pub fn since(&self) -> DateTime<Utc> {
        self.since
    }

    /// When this tier's time runs out, if the policy limits it.
    pub fn due(&self) -> Option<DateTime<Utc>> {
        self.due
    }

    /// Where supervision stands.
    pub fn supervision(&self) -> Supervision {
        self.supervision
    }

    /// When the written supervision notice falls due, while a reminder
    /// waits for it.
    pub fn notice_due(&self) -> Option<DateTime<Utc>> {
        match self.supervision {
            Supervision::Reminded { notice_due } => Some(notice_due),
            _ => None,
        }
    }
}

/// A [`Rung`] as stored, checked before it becomes one.
#[derive(Deserialize)]
struct RungData {
    location: OrgId,
    need: Need,
    policy: PolicyRef,
    severity: Severity,
    band: Band,
    tier: Tier,
    handler: OrgId,
    since: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
    supervision: Supervision,
}

impl TryFrom<RungData> for Rung {
    type Error = LadderStateError;

    fn try_from(d: RungData) -> Result<Self, LadderStateError> {
        if d.band.start > d.band.ceiling {
            return Err(LadderStateError::BandInverted {
                start: d.band.start,
                ceiling: d.band.ceiling,
            });
        }
        if let Some(due) = d.due {
            if due < d.since {
                return Err(LadderStateError::DueBeforeSince {
                    since: d.since,
                    due,
                });
            }
        }
        if let Supervision::Reminded { notice_due } = d.supervision {
            if notice_due < d.since {
                return Err(LadderStateError::NoticeBeforeSince {
                    since: d.since,
                    notice_due,
                });
            }
        }
        Ok(Rung {
            location: d.location,
            need: d.need,
            policy: d.policy,
            severity: d.severity,
            band: d.band,
            tier: d.tier,
            handler: d.handler,
            since: d.since,
            due: d.due,
            supervision: d.supervision,
        })
    }
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
        self.rung().map(Rung::tier)
    }

    /// When a `Tick` could next change the matter (see
    /// [`Workflow::next_due`](crate::workflow::Workflow::next_due)): while
    /// handled, the tier's due date — or, once reminded at the ceiling, the
    /// written notice's date (never before the due date); nothing once
    /// noticed, exhausted, resolved, referred out or not started.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let LadderState::Handling(rung) = self else {
            return None;
        };
        match rung.supervision() {
            Supervision::None => rung.due(),
            Supervision::Reminded { notice_due } => rung.due().map(|due| due.max(notice_due)),
            Supervision::Noticed => None,
        }
    }

    /// Applies one fact. Consults nothing but the state and the event; an
    /// event that does not apply leaves the state as it is.
    pub(crate) fn evolve(mut self, event: &LadderEvent) -> LadderState {
        self.apply(event);
        self
    }

    /// Applies one fact where the state lies (what [`evolve`](Self::evolve)
    /// does): a step on the rung changes the rung in place, and only a
    /// change of state moves it, once.
    pub(crate) fn apply(&mut self, event: &LadderEvent) {
        use LadderEvent as E;
        use LadderState as S;
        match (&mut *self, event) {
            (S::Idle, E::Started(s)) => {
                *self = S::Handling(Rung {
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
                });
            }
            (S::Handling(_), E::Exhausted { .. }) => self.move_rung(S::Exhausted),
            (S::Handling(_) | S::Exhausted(_), E::Resolved { at, .. }) => {
                self.move_rung(|rung| S::Resolved { rung, at: *at });
            }
            (S::Exhausted(_), E::ReferredOut { to, .. }) => {
                self.move_rung(|rung| S::ReferredOut { rung, to: *to });
            }
            (S::Handling(rung) | S::Exhausted(rung), e) => rung.apply(e),
            // Not applicable here: the state stays (replay's table check
            // refuses a history that relies on it).
            (S::Idle | S::Resolved { .. } | S::ReferredOut { .. }, _) => {}
        }
    }

    /// Moves the rung of a `Handling` or `Exhausted` state into the state
    /// `into` makes of it; any other state stays as it is.
    fn move_rung(&mut self, into: impl FnOnce(Rung) -> LadderState) {
        *self = match std::mem::replace(self, LadderState::Idle) {
            LadderState::Handling(rung) | LadderState::Exhausted(rung) => into(rung),
            other => other,
        };
    }
}

impl Rung {
    /// Applies a ladder event to a rung in place; shared by the states that
    /// hold one.
    fn apply(&mut self, event: &LadderEvent) {
        match event {
            LadderEvent::Escalated(e) => {
                self.tier = e.to;
                self.handler = e.route.handler.clone();
                self.since = e.at;
                self.due = e.due;
                self.supervision = Supervision::None;
            }
            LadderEvent::SeverityRaised { to, band, .. } => {
                // Supervision is what a matter stuck at its ceiling gets; a
                // higher ceiling unsticks it, and its timer runs again.
                if band.ceiling > self.band.ceiling {
                    self.supervision = Supervision::None;
                }
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
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};
    use serde_json::{Value, json};

    use super::*;
    use crate::matter::DisputeKind;

    fn since() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
    }

    fn handling() -> LadderState {
        LadderState::Handling(Rung {
            location: "grid-7".parse().unwrap(),
            need: Need::Mediation(DisputeKind::Labour),
            policy: crate::escalation::EscalationPolicy::report_default()
                .reference()
                .clone(),
            severity: Severity::Minor,
            band: Band::new(Tier::Grid, Tier::Estate),
            tier: Tier::Grid,
            handler: "grid-7".parse().unwrap(),
            since: since(),
            due: Some(since() + TimeDelta::days(3)),
            supervision: Supervision::Reminded {
                notice_due: since() + TimeDelta::days(6),
            },
        })
    }

    fn refused(json: Value) -> String {
        serde_json::from_value::<LadderState>(json)
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn a_stored_rung_round_trips() {
        let state = handling();
        let json = serde_json::to_value(&state).unwrap();
        assert_eq!(serde_json::from_value::<LadderState>(json).unwrap(), state);
    }

    #[test]
    fn a_stored_rung_due_before_it_reached_its_tier_is_refused() {
        let mut json = serde_json::to_value(handling()).unwrap();
        json["due"] = json!(since() - TimeDelta::days(1));
        assert!(refused(json).contains("lies before the matter reached its tier"));
    }

    #[test]
    fn a_stored_supervision_notice_before_the_tier_was_reached_is_refused() {
        let mut json = serde_json::to_value(handling()).unwrap();
        json["supervision"]["notice_due"] = json!(since() - TimeDelta::seconds(1));
        assert!(refused(json).contains("supervision notice"));
    }

    #[test]
    fn a_stored_band_above_its_ceiling_is_refused() {
        let mut json = serde_json::to_value(handling()).unwrap();
        json["band"] = json!({ "start": "community", "ceiling": "grid" });
        assert!(refused(json).contains("above its ceiling"));
    }
}
