//! [`CaseFacts`]: what one case's history contributes to the metrics.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::dispute::{DeclineReason, DisputeEvent, Satisfaction};
use crate::escalation::{EscalationReason, LadderEvent, MatterReport};
use crate::id::OrgId;
use crate::org::Need;
use crate::service::{RequestFacts, ServiceRequestEvent};
use crate::tier::Tier;
use crate::workflow::Recorded;

/// How long the handling body has to answer a case for it to count as
/// *responded*: 24 hours from receipt (wall-clock hours, weekends
/// included), as the municipal hotline's "answer within a day" rule.
pub const RESPONSE_LIMIT: TimeDelta = TimeDelta::hours(24);

/// Which workflow a case ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseType {
    /// A dispute ([`Dispute`](crate::dispute::Dispute)).
    Dispute,
    /// A service request ([`ServiceRequest`](crate::service::ServiceRequest)).
    ServiceRequest,
}

impl CaseType {
    /// Both case types, disputes first.
    pub const ALL: [CaseType; 2] = [CaseType::Dispute, CaseType::ServiceRequest];

    /// The snake_case name: `dispute`, `service_request`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CaseType::Dispute => "dispute",
            CaseType::ServiceRequest => "service_request",
        }
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for CaseType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a case is left out of the rates (their denominators and
/// numerators alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Withdrawn by a party or the applicant — for a dispute, also a
    /// party refusing mediation before it started (mediation is
    /// voluntary).
    Withdrawn,
    /// A duplicate of a matter already handled elsewhere: a dispute
    /// declined because a court, an arbitration body or a department had
    /// already accepted it ([`DeclineReason::PendingElsewhere`]). The
    /// service workflow has no duplicates.
    Duplicate,
    /// Returned as not the body's to handle: a dispute declined as out of
    /// scope or not mediable by law; a service request refused at intake
    /// (不予受理, with the reason and the legal basis).
    Returned,
}

/// What one case's history says, as the metrics count it. Folded by
/// [`CaseFacts::from_dispute`] and [`CaseFacts::from_service_request`];
/// [`GovernanceMetrics`](super::GovernanceMetrics) adds them up.
///
/// The definitions are in the [module docs](super); every field here is
/// read from the recorded events alone, so the same history always gives
/// the same facts.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    /// The workflow.
    pub case_type: CaseType,
    /// What the case is about: the dispute's kind or the request's
    /// category, as the [`Need`] it was routed for.
    pub need: Need,
    /// When it was received: reported or submitted.
    pub received_at: DateTime<Utc>,
    /// The organisation it counts for: for a dispute, the body handling it
    /// at the end (the last body the ladder routed it to, or the body that
    /// declined it); for a service request, the hall that took it. `None`
    /// for a dispute no body ever accepted or declined.
    pub body: Option<OrgId>,
    /// The tier it counts for: the ladder's tier at the end (for a declined
    /// dispute, the declining body's). `None` before the case reached the
    /// ladder.
    pub tier: Option<Tier>,
    /// Why it is left out of the rates, if it is.
    pub excluded: Option<Exclusion>,
    /// Whether the body answered within [`RESPONSE_LIMIT`] of receipt: a
    /// dispute accepted, a request accepted or sent a supplement request.
    pub responded: bool,
    /// Whether it was resolved: a dispute's agreement took effect (the
    /// ladder recorded it resolved); a request's handling was concluded —
    /// completed, or denied on its merits (办结).
    pub resolved: bool,
    /// For a resolved case, whether it was resolved on time: a dispute
    /// before the due date of the tier that resolved it (none set counts
    /// as on time), a request before the promised date in force then.
    pub resolved_on_time: Option<bool>,
    /// Whether it was ever found overdue: a request's `Overdue`; for a
    /// dispute, a tier's time limit running out on the ladder (a timeout
    /// escalation or a supervision reminder) or the labour limit lapsing.
    pub overdue: bool,
    /// For a matter the ladder resolved, whether at or below its ceiling
    /// ("small matters stay in the park").
    pub within_ceiling: Option<bool>,
    /// Ratings given: a dispute's follow-up visits, a request's reviews
    /// (a request sent back for rework may be rated again).
    pub ratings: u32,
    /// Of those, satisfied ones: *satisfied* or *fairly satisfied* at a
    /// follow-up visit, a good review.
    pub satisfied: u32,
    /// The ladder's report of the case up to the end of its handling — a
    /// dispute's agreement taking effect, referral, withdrawal, refusal or
    /// decline; a request's completion, denial, withdrawal or refusal; the
    /// last recorded event while it is still handled. Its `time_per_tier`
    /// is the time at each tier.
    pub ladder: MatterReport,
}

impl CaseFacts {
    /// Reads a dispute's history. `None` when it does not begin with a
    /// report (an empty history).
    ///
    /// ```
    /// use grassroots::metrics::CaseFacts;
    ///
    /// assert!(CaseFacts::from_dispute(&[]).is_none());
    /// ```
    pub fn from_dispute(history: &[Recorded<DisputeEvent>]) -> Option<Self> {
        use DisputeEvent as E;
        let (need, received_at) = match history.first().map(|r| &r.event) {
            Some(E::Reported {
                kind, received_at, ..
            }) => (Need::Mediation(*kind), *received_at),
            _ => return None,
        };
        let mut facts = CaseFacts::new(CaseType::Dispute, need, received_at);
        let mut end = history.len();
        let mut due: Option<DateTime<Utc>> = None;
        for (i, r) in history.iter().enumerate() {
            let ends = match &r.event {
                E::Accepted { .. } => {
                    if !facts.responded && r.at - received_at <= RESPONSE_LIMIT {
                        facts.responded = true;
                    }
                    false
                }
                E::Declined {
                    body, tier, reason, ..
                } => {
                    facts.body = Some(body.clone());
                    facts.tier = Some(*tier);
                    facts.excluded = Some(match reason {
                        DeclineReason::PendingElsewhere => Exclusion::Duplicate,
                        _ => Exclusion::Returned,
                    });
                    true
                }
                E::MediationRefused { .. } | E::Withdrawn { .. } => {
                    facts.excluded = Some(Exclusion::Withdrawn);
                    true
                }
                E::Referred { .. } => true,
                E::LabourLimitLapsed { .. } => {
                    facts.overdue = true;
                    false
                }
                E::FollowedUp { rating } => {
                    facts.ratings = facts.ratings.saturating_add(1);
                    facts.satisfied = facts
                        .satisfied
                        .saturating_add(u32::from(*rating != Satisfaction::Dissatisfied));
                    false
                }
                E::Ladder(step) => match &**step {
                    LadderEvent::Started(s) => {
                        facts.body = Some(s.route.handler.clone());
                        facts.tier = Some(s.route.tier);
                        due = s.due;
                        false
                    }
                    LadderEvent::Escalated(e) => {
                        facts.body = Some(e.route.handler.clone());
                        facts.tier = Some(e.to);
                        facts.overdue |= e.reason == EscalationReason::TimedOut;
                        due = e.due;
                        false
                    }
                    LadderEvent::SupervisionReminded { .. } => {
                        facts.overdue = true;
                        false
                    }
                    LadderEvent::Resolved { at, .. } => {
                        facts.resolved = true;
                        facts.resolved_on_time = Some(due.is_none_or(|d| *at < d));
                        true
                    }
                    LadderEvent::ReferredOut { .. } => true,
                    _ => false,
                },
                _ => false,
            };
            if ends && end == history.len() {
                end = i + 1;
            }
        }
        facts.finish(&history[..end]);
        Some(facts)
    }

    /// Reads a service request's history, with the service module's own
    /// [`RequestFacts`] for acceptance, conclusion, overdue and reviews.
    /// `None` when it does not begin with a submission.
    pub fn from_service_request(history: &[Recorded<ServiceRequestEvent>]) -> Option<Self> {
        use ServiceRequestEvent as E;
        let (need, received_at, hall) = match history.first().map(|r| &r.event) {
            Some(E::Submitted(s)) => (
                Need::Service(s.request.category),
                s.request.submitted_at,
                s.request.hall.clone(),
            ),
            _ => return None,
        };
        let request = RequestFacts::from_history(history);
        let mut facts = CaseFacts::new(CaseType::ServiceRequest, need, received_at);
        facts.body = Some(hall);
        facts.resolved_on_time = request.concluded_on_time();
        facts.resolved = facts.resolved_on_time.is_some();
        facts.overdue = request.overdue;
        facts.ratings = request.good_reviews.saturating_add(request.bad_reviews);
        facts.satisfied = request.good_reviews;
        let mut end = history.len();
        let mut answered = false;
        for (i, r) in history.iter().enumerate() {
            let ends = match &r.event {
                E::SupplementRequested { .. } | E::Accepted { .. } => {
                    if !answered {
                        answered = true;
                        facts.responded = r.at - received_at <= RESPONSE_LIMIT;
                    }
                    false
                }
                E::Refused { .. } => {
                    facts.excluded = Some(Exclusion::Returned);
                    true
                }
                E::Withdrawn { .. } => {
                    facts.excluded = Some(Exclusion::Withdrawn);
                    true
                }
                E::Completed | E::Denied { .. } => true,
                E::Ladder(step) => {
                    match &**step {
                        LadderEvent::Started(s) => facts.tier = Some(s.route.tier),
                        LadderEvent::Escalated(e) => facts.tier = Some(e.to),
                        _ => {}
                    }
                    false
                }
                _ => false,
            };
            if ends && end == history.len() {
                end = i + 1;
            }
        }
        facts.finish(&history[..end]);
        Some(facts)
    }

    fn new(case_type: CaseType, need: Need, received_at: DateTime<Utc>) -> Self {
        CaseFacts {
            case_type,
            need,
            received_at,
            body: None,
            tier: None,
            excluded: None,
            responded: false,
            resolved: false,
            resolved_on_time: None,
            overdue: false,
            within_ceiling: None,
            ratings: 0,
            satisfied: 0,
            ladder: MatterReport::from_history::<LadderEvent>([]),
        }
    }

    /// Folds the ladder's report over the handling part of the history.
    fn finish<E: crate::escalation::LadderEvents>(&mut self, handled: &[Recorded<E>]) {
        self.ladder = MatterReport::from_history(handled);
        self.within_ceiling = self.ladder.resolved_within_ceiling();
    }

    /// Whether the case counts in the rates: received and not excluded.
    pub fn is_eligible(&self) -> bool {
        self.excluded.is_none()
    }
}
