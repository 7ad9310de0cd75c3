//! [`DisputeEvent`]: the facts a dispute's history is made of.

use crate::workflow::HasKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::{
    Channel, DeclineReason, FailureReason, Obligation, ObligationPerformance, Party,
    ReferralGround, RiskContinuation, Ruling, Satisfaction, Selection,
};
use super::routes::{Remedy, Routes};
use crate::escalation::{LadderEvent, LadderEvents, Referral};
use crate::id::{ActorId, OrgId};
use crate::matter::DisputeKind;
use crate::tier::{Severity, Tier};

/// What a report records: the fields of [`DisputeEvent::Reported`].
///
/// Stored inside the event, as if its fields were the event's own (`{"type":
/// "reported", "kind": ..., "parties": [...], ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reported {
    /// What it is about.
    pub kind: DisputeKind,
    /// The parties.
    pub parties: Vec<Party>,
    /// Where it arose.
    pub location: OrgId,
    /// How it came in.
    pub channel: Channel,
    /// Its severity when reported.
    pub severity: Severity,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// Stored by earlier versions for a labour dispute: the end of the
    /// 15-day period counted from the report. New reports leave it
    /// out: the period runs from the body's receipt, and
    /// [`Accepted`](DisputeEvent::Accepted) records it (劳动争议调解仲裁法,
    /// art. 14). Still read, and honoured, for stored histories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour_deadline: Option<DateTime<Utc>>,
}

/// A written agreement as the mediator recorded it: the fields of
/// [`DisputeEvent::AgreementRecorded`].
///
/// Stored inside the event, as if its fields were the event's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementRecorded {
    /// The terms.
    pub terms: String,
    /// The mediator who recorded it, who signs it too.
    pub mediator: ActorId,
    /// The main facts and the issues in dispute (empty in histories
    /// stored before 0.3).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub facts: String,
    /// Each obligation: who, what, how much, by when (none in
    /// histories stored before 0.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<Obligation>,
}

/// A decided fact about a dispute. Stored forever: the serde names below
/// never change.
///
/// In JSON an event is an object tagged by `"type"` (`{"type":
/// "session_recorded", "number": 2}`); a ladder step is `{"type": "ladder",
/// "event": "escalated", ...}`, the ladder's own event inside.
///
/// Deadlines and routed bodies are decided once and stored here (the labour
/// deadline in [`Accepted`](DisputeEvent::Accepted), the confirmation
/// deadline in [`AgreementTookEffect`](DisputeEvent::AgreementTookEffect),
/// the handler in the ladder's events), so replay never consults the graph,
/// the calendar or the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DisputeEvent {
    /// The dispute was reported and received (boxed: one per dispute, and
    /// the largest fact).
    Reported(Box<Reported>),
    /// The routed body accepted it for mediation at a tier: the body has
    /// received the application.
    Accepted {
        /// The accepting body.
        body: OrgId,
        /// Its tier.
        tier: Tier,
        /// For a labour dispute received by its first body: the end of the
        /// 15-day period counted from this receipt (劳动争议调解仲裁法, art.
        /// 14). `None` for other kinds and on later acceptances (an
        /// escalation does not restart the period).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labour_deadline: Option<DateTime<Utc>>,
    },
    /// The routed body declined it.
    Declined {
        /// The body that declined.
        body: OrgId,
        /// Its tier.
        tier: Tier,
        /// Why.
        reason: DeclineReason,
        /// The routes named to the parties.
        routes: Routes,
    },
    /// A party refused mediation before it started: there is none.
    MediationRefused {
        /// The party who refused.
        party: ActorId,
        /// The routes the law leaves open.
        routes: Routes,
    },
    /// A party withdrew while mediation was open: it ends without
    /// agreement, and the routes are named (人民调解法 art. 26).
    Withdrawn {
        /// The party who withdrew.
        party: ActorId,
        /// The routes the law leaves open, named to the parties (empty in
        /// histories stored before 0.3).
        #[serde(default)]
        routes: Routes,
    },
    /// Mediators were assigned.
    MediatorsAssigned {
        /// Who.
        mediators: Vec<ActorId>,
        /// How they were chosen.
        selection: Selection,
    },
    /// A mediator was replaced at a party's request (recusal, 回避).
    MediatorRecused {
        /// The mediator who leaves the mediation.
        mediator: ActorId,
        /// The party who asked.
        requested_by: ActorId,
        /// Why.
        reason: String,
    },
    /// A mediation session was held.
    SessionRecorded {
        /// Its number, from 1.
        number: u32,
    },
    /// The mediator recorded the written agreement; it awaits the
    /// signatures and the seal (人民调解法 art. 29). Boxed: one per
    /// agreement, and large.
    AgreementRecorded(Box<AgreementRecorded>),
    /// The parties reached an oral agreement, which the mediator recorded:
    /// it is in effect from now (人民调解法 arts. 28, 30).
    OralAgreementReached {
        /// The content, as recorded.
        content: String,
        /// The mediator who recorded it.
        mediator: ActorId,
        /// When the parties reached it (and it took effect).
        at: DateTime<Utc>,
    },
    /// A party or the mediator signed the agreement.
    AgreementSigned {
        /// Who signed.
        by: ActorId,
    },
    /// The handling body's seal was affixed to the agreement (人民调解法
    /// art. 29).
    SealAffixed {
        /// The body whose seal it is.
        body: OrgId,
        /// The officer who affixed it.
        by: ActorId,
    },
    /// The last of the signatures and the seal landed: the agreement is in
    /// effect.
    AgreementTookEffect {
        /// When.
        at: DateTime<Utc>,
        /// The end of the window for applying for judicial confirmation
        /// (30 days by default).
        confirmation_due: DateTime<Utc>,
    },
    /// The parties jointly applied for judicial confirmation.
    ConfirmationApplied {
        /// The applicants: every party.
        applicants: Vec<ActorId>,
        /// When.
        at: DateTime<Utc>,
    },
    /// The court ruled on the application for judicial confirmation.
    ConfirmationRuled {
        /// Confirmed, or refused on a ground.
        ruling: Ruling,
        /// When it was recorded.
        at: DateTime<Utc>,
        /// The routes a refusal leaves open (litigation; the parties may
        /// also change the agreement by mediation, 人民调解法 art. 33);
        /// none after a confirmation.
        routes: Routes,
    },
    /// One obligation of the agreement was performed (人民调解法 art. 31).
    ObligationPerformed {
        /// Its number, from 0.
        obligation: u32,
    },
    /// The agreement was fulfilled.
    AgreementFulfilled,
    /// The agreement was breached, or its performance disputed: the
    /// routes are named (人民调解法 art. 32; 劳动争议调解仲裁法 arts. 15–16).
    /// (Stored without fields before 0.3; still read.)
    AgreementBreached {
        /// The obligation not performed or disputed, if one was named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        obligation: Option<u32>,
        /// Not performed, or disputed.
        #[serde(default = "not_performed")]
        performance: ObligationPerformance,
        /// The routes open to the parties.
        #[serde(default)]
        remedies: Vec<Remedy>,
    },
    /// A party applied to the people's court for enforcement of the
    /// confirmed agreement (人民调解法 art. 33).
    EnforcementApplied {
        /// The applicant.
        by: ActorId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The mediation ended without agreement.
    MediationFailed {
        /// Why.
        reason: FailureReason,
        /// The routes the law leaves open, named to the parties.
        routes: Routes,
    },
    /// The dispute was referred out of mediation.
    Referred {
        /// Where to.
        to: Referral,
        /// On what ground (absent in histories stored before 0.3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ground: Option<ReferralGround>,
        /// The routes that were open, named to the parties.
        routes: Routes,
    },
    /// A risk flag was raised: the dispute may intensify (early warning).
    RiskFlagged {
        /// The severity before.
        from: Severity,
        /// The severity now.
        to: Severity,
    },
    /// A risk of intensification was reported (人民调解法 art. 25). A
    /// hand-over is followed by [`Referred`](DisputeEvent::Referred).
    RiskReported {
        /// The preventive measures taken.
        measures: String,
        /// Who reported (a mediator or an officer of the handling body).
        by: ActorId,
        /// The body reported to, found in the graph by capability.
        reported_to: OrgId,
        /// Its tier.
        tier: Tier,
        /// Whether mediation continues or the case was handed over.
        continuation: RiskContinuation,
    },
    /// A labour dispute's 15 days from receipt ended without an agreement:
    /// any party may apply for arbitration (劳动争议调解仲裁法, art. 14).
    /// Recorded for the record and the metrics, by a `Tick` or by the
    /// referral that first relies on it; it grants nothing the clock did
    /// not. (Stored as `labour_limit_lapsed` before 0.3; still read.)
    #[serde(alias = "labour_limit_lapsed")]
    ArbitrationOpened {
        /// When the period ended.
        deadline: DateTime<Utc>,
    },
    /// The follow-up visit was made; the dispute is closed.
    FollowedUp {
        /// The parties' rating.
        rating: Satisfaction,
    },
    /// A step on the embedded escalation ladder (boxed: ladder steps are
    /// rare and large, and the common events stay small).
    #[kind(embed)]
    Ladder(Box<LadderEvent>),
}

impl DisputeEvent {}

fn not_performed() -> ObligationPerformance {
    ObligationPerformance::NotPerformed
}

impl From<Reported> for DisputeEvent {
    fn from(report: Reported) -> Self {
        DisputeEvent::Reported(Box::new(report))
    }
}

impl From<AgreementRecorded> for DisputeEvent {
    fn from(agreement: AgreementRecorded) -> Self {
        DisputeEvent::AgreementRecorded(Box::new(agreement))
    }
}

impl From<LadderEvent> for DisputeEvent {
    fn from(event: LadderEvent) -> Self {
        DisputeEvent::Ladder(Box::new(event))
    }
}

impl LadderEvents for DisputeEvent {
    fn ladder_event(&self) -> Option<&LadderEvent> {
        match self {
            DisputeEvent::Ladder(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rare_large_facts_are_boxed_and_an_event_is_eighty_bytes() {
        // A report (its dispute kind is 33 bytes) and a written agreement
        // (two texts, the mediator, the obligations) sit behind one box:
        // every recorded event of a history is as small as the common ones.
        assert_eq!(std::mem::size_of::<DisputeEvent>(), 80);
        assert!(std::mem::size_of::<Reported>() > 80);
        assert!(std::mem::size_of::<AgreementRecorded>() > 80);
    }
}
