//! [`CaseFacts`]: what one case's history contributes to the metrics.

use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::dispute::{DeclineReason, DisputeEvent, Satisfaction};
use crate::escalation::{EscalationReason, LadderEvent, MatterReport};
use crate::id::OrgId;
use crate::org::Need;
use crate::service::{RequestFacts, ServiceRequestEvent};
use crate::tier::Tier;
use crate::vocabulary::{Name, ParseVisitor, Vocabulary, VocabularyError, eq_bytes};
use crate::work_order::WorkOrderEvent;
use crate::workflow::Recorded;

/// How long the handling body has to answer a case for it to count as
/// *responded*: 24 hours from receipt (wall-clock hours, weekends
/// included), as the municipal hotline's "answer within a day" rule.
pub const RESPONSE_LIMIT: TimeDelta = TimeDelta::hours(24);

/// Which workflow a case ran on: the crate's three, or a workflow of the
/// user's own, named by its [`Workflow::NAME`](crate::workflow::Workflow::NAME)
/// (see [`Measured::CASE_TYPE`](super::Measured::CASE_TYPE)).
///
/// Serialised as its name (`"dispute"`, `"work_order"`, `"noise_complaint"`); parsing and
/// deserialising refuse a malformed name (see [`vocabulary`](crate::vocabulary)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum CaseType {
    /// A dispute ([`Dispute`](crate::dispute::Dispute)).
    Dispute,
    /// A service request ([`ServiceRequest`](crate::service::ServiceRequest)).
    ServiceRequest,
    /// A 12345 work order ([`WorkOrder`](crate::work_order::WorkOrder)).
    WorkOrder,
    /// A workflow of the user's own.
    Custom(Name),
}

impl CaseType {
    /// The crate's own case types, disputes first (custom ones are not
    /// listed).
    pub const ALL: [CaseType; 3] = [
        CaseType::Dispute,
        CaseType::ServiceRequest,
        CaseType::WorkOrder,
    ];

    /// The snake_case name: `dispute`, `service_request`, `work_order`, a
    /// custom type's own name.
    pub fn as_str(&self) -> &str {
        match self {
            CaseType::Dispute => "dispute",
            CaseType::ServiceRequest => "service_request",
            CaseType::WorkOrder => "work_order",
            CaseType::Custom(name) => name.as_str(),
        }
    }

    /// The case type named by a literal, for constants: `dispute`,
    /// `service_request` and `work_order` are the crate's own, any other
    /// name a custom type.
    ///
    /// # Panics
    ///
    /// When `name` is not a valid [`Name`] (in a constant, a compile-time
    /// error).
    pub const fn from_static(name: &'static str) -> CaseType {
        if eq_bytes(name.as_bytes(), b"dispute") {
            CaseType::Dispute
        } else if eq_bytes(name.as_bytes(), b"service_request") {
            CaseType::ServiceRequest
        } else if eq_bytes(name.as_bytes(), b"work_order") {
            CaseType::WorkOrder
        } else {
            CaseType::Custom(Name::from_static(name))
        }
    }

    /// Whether this is one of the crate's own case types.
    pub const fn is_built_in(&self) -> bool {
        !matches!(self, CaseType::Custom(_))
    }
}

impl std::fmt::Display for CaseType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseType {
    type Err = VocabularyError;

    /// # Errors
    ///
    /// [`VocabularyError`] when the text is neither `dispute`,
    /// `service_request`, `work_order` nor a valid custom name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dispute" => Ok(CaseType::Dispute),
            "service_request" => Ok(CaseType::ServiceRequest),
            "work_order" => Ok(CaseType::WorkOrder),
            _ => Name::new(s)
                .map(CaseType::Custom)
                .map_err(|reason| VocabularyError::new(Vocabulary::CaseType, s, reason)),
        }
    }
}

impl From<Name> for CaseType {
    fn from(name: Name) -> Self {
        CaseType::Custom(name)
    }
}

impl Serialize for CaseType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CaseType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseVisitor::<CaseType>::new("a case type name"))
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

/// How an agreement in effect stands, as the performance rate counts it
/// (人民调解法 art. 31: the committee follows performance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementOutcome {
    /// In effect; its performance not yet recorded.
    Pending,
    /// Fulfilled: every obligation performed.
    Fulfilled,
    /// Breached, or its performance disputed.
    Breached,
}

/// One rating of a case: a follow-up visit's, a review's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rating {
    /// Satisfied (for a dispute, *satisfied* or *fairly satisfied*; a good
    /// review).
    Satisfied,
    /// Not satisfied.
    Dissatisfied,
}

/// What one case's history says, as the metrics count it. Folded by a
/// workflow's [`Measured::case_facts`](super::Measured::case_facts) (for the
/// crate's own, [`CaseFacts::from_dispute`],
/// [`CaseFacts::from_service_request`] and [`CaseFacts::from_work_order`]);
/// [`GovernanceMetrics`](super::GovernanceMetrics) adds them up.
///
/// The definitions are in the [module docs](super); every field here is
/// read from the recorded events alone, so the same history always gives
/// the same facts.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    /// The workflow.
    pub case_type: CaseType,
    /// What the case is about: the dispute's kind, the request's category
    /// or the work order's matter, as the [`Need`] it was routed for.
    pub need: Need,
    /// When it was received: reported, submitted, or taken by the hotline.
    pub received_at: DateTime<Utc>,
    /// The organisation it counts for: for a dispute, the body handling it
    /// at the end (the last body the ladder routed it to, or the body that
    /// declined it); for a service request, the hall that took it; for a
    /// work order, the body that signed for it last (or took it on).
    /// `None` for a dispute no body ever accepted or declined, and for a
    /// work order no body signed for.
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
    /// Whether the case was mediated: mediators were assigned (a dispute;
    /// never a service request).
    pub mediated: bool,
    /// The agreement that took effect (written or oral), if one did, and
    /// how its performance stands.
    pub agreement: Option<AgreementOutcome>,
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
            Some(E::Reported(report)) => (Need::Mediation(report.kind), report.received_at),
            _ => return None,
        };
        let mut facts = CaseFacts::received(CaseType::Dispute, need, received_at);
        let mut due: Option<DateTime<Utc>> = None;
        facts.read_to_the_end(history, |facts, r| match &r.event {
            E::Accepted { .. } => {
                facts.respond(r.at);
                false
            }
            E::Declined {
                body, tier, reason, ..
            } => {
                facts.body = Some(body.clone());
                facts.tier = Some(*tier);
                facts.exclude(match reason {
                    DeclineReason::PendingElsewhere => Exclusion::Duplicate,
                    _ => Exclusion::Returned,
                });
                true
            }
            E::MediationRefused { .. } | E::Withdrawn { .. } => {
                facts.exclude(Exclusion::Withdrawn);
                true
            }
            E::Referred { .. } => true,
            E::MediatorsAssigned { .. } => {
                facts.mediated = true;
                false
            }
            E::AgreementTookEffect { .. } | E::OralAgreementReached { .. } => {
                facts.agreement = Some(AgreementOutcome::Pending);
                false
            }
            E::AgreementFulfilled => {
                facts.agreement = Some(AgreementOutcome::Fulfilled);
                false
            }
            E::AgreementBreached { .. } => {
                facts.agreement = Some(AgreementOutcome::Breached);
                false
            }
            E::ArbitrationOpened { .. } => {
                facts.overdue = true;
                false
            }
            E::FollowedUp { rating } => {
                facts.rate(match rating {
                    Satisfaction::Dissatisfied => Rating::Dissatisfied,
                    _ => Rating::Satisfied,
                });
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
                    facts.resolve(*at, due);
                    true
                }
                LadderEvent::ReferredOut { .. } => true,
                _ => false,
            },
            _ => false,
        });
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
        let mut facts = CaseFacts::received(CaseType::ServiceRequest, need, received_at);
        facts.body = Some(hall);
        facts.resolved_on_time = request.concluded_on_time();
        facts.resolved = facts.resolved_on_time.is_some();
        facts.overdue = request.overdue;
        facts.ratings = request.good_reviews.saturating_add(request.bad_reviews);
        facts.satisfied = request.good_reviews;
        facts.read_to_the_end(history, |facts, r| match &r.event {
            E::SupplementRequested { .. }
            | E::Accepted { .. }
            | E::AcceptedWithPending { .. }
            | E::DeemedAccepted { .. } => {
                facts.respond(r.at);
                false
            }
            E::Refused { .. } => {
                facts.exclude(Exclusion::Returned);
                true
            }
            E::Withdrawn { .. } => {
                facts.exclude(Exclusion::Withdrawn);
                true
            }
            E::Completed | E::Denied { .. } => true,
            E::Ladder(step) => {
                facts.supervised(step);
                false
            }
            _ => false,
        });
        Some(facts)
    }

    /// Reads a 12345 work order's history. `None` when it does not begin
    /// with the order's receipt.
    ///
    /// - *received* at the intake's receipt, about its matter;
    /// - *responded* when the lead body signed for it, or the first
    ///   receiver took it on, within [`RESPONSE_LIMIT`] of receipt;
    /// - *resolved* when a dispatcher closed it (办结, after the callback),
    ///   on time when every reply came at or before the handling deadline
    ///   then in force (extended, or set anew by a redo) — the rule of
    ///   [`WorkOrderMetrics`](super::WorkOrderMetrics)'s on-time completion;
    /// - *excluded* as returned when a dispatcher dismissed it, as
    ///   withdrawn when the requester withdrew it;
    /// - *overdue* when a tick found it past its sign-for or handling
    ///   deadline, or its supervision was reminded on the ladder;
    /// - rated once per callback, satisfied when the requester was
    ///   satisfied or basically satisfied;
    /// - counted under the body that signed for it last (or took it on),
    ///   and the tier of its supervision on the ladder.
    ///
    /// ```
    /// use grassroots::metrics::CaseFacts;
    ///
    /// assert!(CaseFacts::from_work_order(&[]).is_none());
    /// ```
    pub fn from_work_order(history: &[Recorded<WorkOrderEvent>]) -> Option<Self> {
        use WorkOrderEvent as E;
        let (need, received_at) = match history.first().map(|r| &r.event) {
            Some(E::Received(intake)) => (intake.matter, intake.received_at),
            _ => return None,
        };
        let mut facts = CaseFacts::received(CaseType::WorkOrder, need, received_at);
        let mut due: Option<DateTime<Utc>> = None;
        let mut late = false;
        facts.read_to_the_end(history, |facts, r| match &r.event {
            E::TakenOn { by, at, due: d } | E::SignedFor { by, at, due: d } => {
                facts.respond(*at);
                facts.body = Some(by.clone());
                due = Some(*d);
                false
            }
            E::ExtensionApproved { due: d, .. } | E::RedoOrdered { due: d, .. } => {
                due = Some(*d);
                false
            }
            E::Replied { at, .. } => {
                late |= due.is_none_or(|d| *at > d);
                false
            }
            E::CalledBack { satisfaction, .. } => {
                facts.rate(if satisfaction.is_satisfied() {
                    Rating::Satisfied
                } else {
                    Rating::Dissatisfied
                });
                false
            }
            E::SignForOverdue { .. } | E::Overdue { .. } => {
                facts.overdue = true;
                false
            }
            E::Closed => {
                facts.resolved = true;
                facts.resolved_on_time = Some(!late);
                true
            }
            E::Dismissed { .. } => {
                facts.exclude(Exclusion::Returned);
                true
            }
            E::Withdrawn { .. } => {
                facts.exclude(Exclusion::Withdrawn);
                true
            }
            E::Ladder(step) => {
                facts.supervised(step);
                facts.overdue |= matches!(**step, LadderEvent::SupervisionReminded { .. });
                false
            }
            _ => false,
        });
        Some(facts)
    }

    /// A case of `case_type` about `need`, received at `received_at`, with
    /// nothing else known yet: the start of a [`Measured`](super::Measured)
    /// workflow's fold. Record what its history says with
    /// [`respond`](Self::respond), [`resolve`](Self::resolve),
    /// [`exclude`](Self::exclude), [`rate`](Self::rate), the `overdue`,
    /// `body` and `tier` fields, and time per tier with
    /// [`fold_ladder`](Self::fold_ladder) or [`add_time_at`](Self::add_time_at).
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use grassroots::matter::DisputeKind;
    /// use grassroots::metrics::{CaseFacts, CaseType, Rating};
    /// use grassroots::org::Need;
    ///
    /// let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    /// let mut facts = CaseFacts::received(
    ///     CaseType::from_static("noise_complaint"),
    ///     Need::Mediation(DisputeKind::Neighbour),
    ///     at,
    /// );
    /// facts.respond(at + Duration::hours(2));
    /// facts.resolve(at + Duration::days(1), Some(at + Duration::days(3)));
    /// facts.rate(Rating::Satisfied);
    /// assert!(facts.responded && facts.resolved);
    /// assert_eq!(facts.resolved_on_time, Some(true));
    /// assert_eq!((facts.ratings, facts.satisfied), (1, 1));
    /// ```
    pub fn received(case_type: CaseType, need: Need, received_at: DateTime<Utc>) -> Self {
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
            mediated: false,
            agreement: None,
            ratings: 0,
            satisfied: 0,
            ladder: MatterReport::from_history::<LadderEvent>([]),
        }
    }

    /// Follows a supervised case (a service request, a work order) up the
    /// ladder: the tier it counts under is the one its supervision reached.
    fn supervised(&mut self, step: &LadderEvent) {
        match step {
            LadderEvent::Started(s) => self.tier = Some(s.route.tier),
            LadderEvent::Escalated(e) => self.tier = Some(e.to),
            _ => {}
        }
    }

    /// Records an answer by the handling body at `at`: the case counts as
    /// responded when an answer came within [`RESPONSE_LIMIT`] of receipt
    /// (in a recorded history time never runs backwards, so that is the
    /// first answer).
    pub fn respond(&mut self, at: DateTime<Utc>) {
        self.responded |= at - self.received_at <= RESPONSE_LIMIT;
    }

    /// Records the case resolved at `at`, on time when `due` is `None` (no
    /// time limit) or later than `at`.
    pub fn resolve(&mut self, at: DateTime<Utc>, due: Option<DateTime<Utc>>) {
        self.resolved = true;
        self.resolved_on_time = Some(due.is_none_or(|d| at < d));
    }

    /// Leaves the case out of the rates, for `why`.
    pub fn exclude(&mut self, why: Exclusion) {
        self.excluded = Some(why);
    }

    /// Records one rating (a follow-up visit, a review).
    pub fn rate(&mut self, rating: Rating) {
        self.ratings = self.ratings.saturating_add(1);
        self.satisfied = self
            .satisfied
            .saturating_add(u32::from(rating == Rating::Satisfied));
    }

    /// Reads `history` event by event with `read`, which notes what the
    /// event means in the facts and says whether it ends the case; then
    /// folds the ladder's tier times over the history up to the first
    /// event that ended it.
    fn read_to_the_end<E: crate::escalation::LadderEvents>(
        &mut self,
        history: &[Recorded<E>],
        mut read: impl FnMut(&mut Self, &Recorded<E>) -> bool,
    ) {
        let mut end = history.len();
        for (i, r) in history.iter().enumerate() {
            if read(self, r) && end == history.len() {
                end = i + 1;
            }
        }
        self.fold_ladder(&history[..end]);
    }

    /// Folds the ladder's report over the handling part of the history
    /// (from receipt to the event that ended the handling, see
    /// [`ladder`](Self::ladder)): time per tier, escalations, and whether a
    /// matter the ladder resolved stayed within its ceiling. For a workflow
    /// that embeds the [`Ladder`](crate::escalation::Ladder).
    pub fn fold_ladder<E: crate::escalation::LadderEvents>(&mut self, handled: &[Recorded<E>]) {
        self.ladder = MatterReport::from_history(handled);
        self.within_ceiling = self.ladder.resolved_within_ceiling();
    }

    /// Adds `time` spent at `tier`, for a workflow that keeps its own
    /// tiers rather than embedding the ladder.
    pub fn add_time_at(&mut self, tier: Tier, time: TimeDelta) {
        *self
            .ladder
            .time_per_tier
            .entry(tier)
            .or_insert_with(TimeDelta::zero) += time;
    }

    /// Whether the case counts in the rates: received and not excluded.
    pub fn is_eligible(&self) -> bool {
        self.excluded.is_none()
    }
}
