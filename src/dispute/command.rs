//! [`DisputeCommand`]: what an actor asks a dispute to do, and the small
//! choices commands carry.

use crate::workflow::HasKind;
use serde::{Deserialize, Serialize};

use super::routes::Routes;
use crate::escalation::Referral;
use crate::id::{ActorId, OrgId};
use crate::matter::DisputeKind;
use crate::org::Need;
use crate::tier::Severity;

/// What sort of party a party to a dispute is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A natural person: a worker, a neighbour, a consumer, an owner.
    Person,
    /// An enterprise (an employer, a company in a commercial dispute).
    Enterprise,
    /// A merchant (a shop in a commercial district).
    Merchant,
}

/// One party to a dispute: who acts for it, what it is, and the
/// organisation it is or represents, if any.
///
/// The organisation matters for conflicts of interest: no mediator may
/// belong to it (see [`DisputeError::MediatorConflict`](super::DisputeError::MediatorConflict)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Party {
    /// The actor who acts for the party: signs, refuses, withdraws.
    pub actor: ActorId,
    /// A person, an enterprise or a merchant.
    pub kind: PartyKind,
    /// The organisation the party is or represents (an org-graph node), if
    /// any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgId>,
}

impl Party {
    /// A natural person.
    pub fn person(actor: ActorId) -> Self {
        Self {
            actor,
            kind: PartyKind::Person,
            org: None,
        }
    }

    /// An enterprise, acted for by `actor`, that is the org-graph node
    /// `org`.
    pub fn enterprise(actor: ActorId, org: OrgId) -> Self {
        Self {
            actor,
            kind: PartyKind::Enterprise,
            org: Some(org),
        }
    }

    /// A merchant, acted for by `actor`, that is the org-graph node `org`.
    pub fn merchant(actor: ActorId, org: OrgId) -> Self {
        Self {
            actor,
            kind: PartyKind::Merchant,
            org: Some(org),
        }
    }

    /// The same party, representing `org`.
    #[must_use]
    pub fn representing(mut self, org: OrgId) -> Self {
        self.org = Some(org);
        self
    }
}

/// The channel a dispute came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// A party brought it (the reporter must be one of the parties).
    Party,
    /// A community grid worker found it on a visit (needs the role
    /// [`GridWorker`](crate::actor::Role::GridWorker)).
    GridWorker,
    /// A merchants' council (商户议事会) raised it.
    MerchantsCouncil,
    /// It came up at a "secretary face-to-face" (书记面对面) session.
    SecretaryFaceToFace,
    /// A people's court referred it for mediation.
    CourtReferral,
    /// A police station referred it for mediation.
    PoliceReferral,
}

/// Why a body declined a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// It is not a dispute people's mediation may take on.
    OutOfScope,
    /// A court, arbitration body or administrative department has already
    /// accepted it.
    PendingElsewhere,
    /// The law forbids settling it by mediation.
    NotMediableByLaw,
}

/// How mediators were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// By the accepting body, from its roster: each mediator must be a
    /// member of that body on the day.
    Roster,
    /// By the parties (人民调解法 art. 19): people's mediators they agree on
    /// — members, on the day, of a people's mediation committee (or of the
    /// accepting body).
    ChosenByParties,
}

/// How an agreement in effect was performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Performance {
    /// Every party did what it agreed to.
    Fulfilled,
    /// A party did not.
    Breached,
}

/// Why a mediation ended without an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// The parties could not agree.
    NoAgreementReached,
    /// A party stayed away from the sessions.
    PartyAbsent,
    /// A party would not sign the recorded agreement.
    PartyRefusedToSign,
}

/// On what ground a dispute was referred out of mediation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReferralGround {
    /// Mediation ended without agreement and the parties were told the
    /// routes open to them (人民调解法, art. 26).
    MediationFailed,
    /// A party to a labour dispute is unwilling to mediate and goes to
    /// arbitration directly (劳动争议调解仲裁法, art. 5).
    UnwillingToMediate,
    /// A risk of intensification was reported and the case handed over to
    /// the body reported to (人民调解法 art. 25).
    RiskHandedOver,
    /// No agreement within 15 days of the body's receipt of a labour
    /// dispute: a party may apply for arbitration (劳动争议调解仲裁法, art.
    /// 14).
    NoAgreementWithinPeriod,
}

/// After a risk report, whether mediation goes on or the case is handed
/// over to the body reported to (人民调解法 art. 25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RiskContinuation {
    /// Mediation continues, with the measures taken.
    MediationContinues,
    /// The case is handed over to the body reported to: it leaves
    /// mediation (referred, for administrative handling).
    HandedOver,
}

/// The rating a party gives at the follow-up visit (回访).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// Satisfied (满意).
    Satisfied,
    /// Fairly satisfied (基本满意).
    FairlySatisfied,
    /// Dissatisfied (不满意).
    Dissatisfied,
}

/// A new dispute, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// What it is about.
    pub kind: DisputeKind,
    /// Two or more parties, each with its own actor id.
    pub parties: Vec<Party>,
    /// Where it arose: a territorial org-graph node (an estate, a park, a
    /// village, a community, ...).
    pub location: OrgId,
    /// How it came in.
    pub channel: Channel,
    /// How big it is; the escalation ladder starts from it.
    pub severity: Severity,
}

/// What an actor asks a dispute to do.
///
/// The module docs hold the full state × command table; every refusal is a
/// [`DisputeError`](super::DisputeError) naming the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(tag = "command", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DisputeCommand {
    /// Reports a new dispute (a party, a grid worker, or an officer for the
    /// other channels).
    Report(Report),
    /// Accepts the dispute for mediation: an officer acting for the body the
    /// org graph routes it to.
    Accept,
    /// Declines it, with the reason and the routes left open: an officer
    /// acting for the routed body.
    Decline {
        /// Why.
        reason: DeclineReason,
        /// Where the parties may go instead (at least one).
        routes: Routes,
    },
    /// A party refuses mediation before it starts: there is no mediation.
    Refuse,
    /// A party withdraws while mediation is open.
    Withdraw,
    /// Assigns mediators: an officer acting for the accepting body.
    AssignMediators {
        /// The mediators (at least one).
        mediators: Vec<ActorId>,
        /// From the roster, or chosen by the parties.
        selection: Selection,
    },
    /// A party asks for an assigned mediator to be replaced (recusal on
    /// request, 回避, 人民调解法 art. 23), with the reason, while mediation
    /// is under way. The mediator leaves the mediation; if none is left, the
    /// dispute awaits new mediators.
    RequestRecusal {
        /// The mediator to be replaced.
        mediator: ActorId,
        /// Why (recorded).
        reason: String,
    },
    /// Records a mediation session: an assigned mediator.
    RecordSession,
    /// Records the agreement's terms: an assigned mediator, after at least
    /// one session.
    RecordAgreement {
        /// The terms.
        terms: String,
    },
    /// Records an oral agreement (口头协议, 人民调解法 arts. 28, 30): where
    /// the parties see no need for a written one, a rostered mediator
    /// records its content, after at least one session. It takes effect
    /// when the parties reach it — now — and cannot go to judicial
    /// confirmation.
    RecordOralAgreement {
        /// The content agreed, as the mediator records it.
        content: String,
    },
    /// Signs the recorded agreement: a party or the mediator who recorded
    /// it. The last signature puts it into effect.
    Sign,
    /// Applies for judicial confirmation of the agreement in effect: jointly
    /// (every party named) and within the window (30 days by default).
    ApplyForConfirmation {
        /// Every party to the dispute.
        applicants: Vec<ActorId>,
    },
    /// Records how the agreement was performed: its mediator, or an officer
    /// of the body that resolved it.
    RecordPerformance {
        /// Fulfilled or breached.
        performance: Performance,
    },
    /// Ends the mediation without agreement: an assigned mediator.
    TerminateMediation {
        /// Why.
        reason: FailureReason,
    },
    /// Escalates a failed mediation one tier up the ladder, within its
    /// ceiling: an officer acting for the body that handled it.
    Escalate,
    /// Escalates a failed mediation past the ladder's ceiling: an officer of
    /// the higher tier, with a written reason.
    OverrideCeiling {
        /// The written reason.
        justification: String,
    },
    /// Refers the dispute out: after a failed mediation, a party or an
    /// officer of the handling body, to a route the law leaves open; for a
    /// labour dispute still open, a party, to arbitration — directly if
    /// unwilling to mediate (劳动争议调解仲裁法, art. 5), or because 15 days
    /// from the body's receipt passed without agreement (art. 14).
    Refer {
        /// Where to.
        to: Referral,
    },
    /// Raises a risk flag: the dispute may intensify (early warning). Raises
    /// the severity, on the ladder too while it is being mediated.
    FlagRisk {
        /// The severity it has now (higher than before).
        severity: Severity,
    },
    /// Reports a risk of intensification (人民调解法 art. 25): the
    /// mediator (or an officer of the handling body) records the
    /// preventive measures taken and reports to the body the graph finds
    /// with capability `to` nearest the dispute's location (public
    /// security, the comprehensive governance centre:
    /// [`Capability::EarlyWarning`](crate::org::Capability::EarlyWarning)),
    /// and says whether mediation continues or the case is handed over.
    /// Raising the severity is [`FlagRisk`](Self::FlagRisk), a separate
    /// step.
    ReportRisk {
        /// The preventive measures taken.
        measures: String,
        /// The capability of the body to report to.
        to: Need,
        /// Whether mediation continues or the case is handed over.
        continuation: RiskContinuation,
    },
    /// A timer (the system): records a lapsed labour limit, and drives the
    /// ladder's time limits and supervision while the dispute is mediated.
    Tick,
    /// Records the follow-up visit with the parties' rating, closing the
    /// dispute.
    RecordFollowUp {
        /// The rating.
        rating: Satisfaction,
    },
}

impl DisputeCommand {}
