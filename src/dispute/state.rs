//! [`DisputeState`]: where a dispute stands, each state carrying exactly
//! the data that exists in it, and `evolve`, which applies one fact.

use crate::workflow::HasKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::{
    Channel, DeclineReason, FailureReason, Obligation, Party, RefusalGround, Ruling, Satisfaction,
    Selection,
};
use super::error::DisputeStateError;
use super::event::{DisputeEvent, Reported};
use super::routes::Routes;
use crate::escalation::{Ladder, LadderEvent, LadderState, Referral, Rung};
use crate::id::{ActorId, OrgId};
use crate::matter::DisputeKind;
use crate::tier::{Severity, Tier};
use crate::workflow::embed;

/// Where a labour dispute's mediation period stands (劳动争议调解仲裁法,
/// art. 14: if no agreement is reached within 15 days from the day the
/// mediation body *receives* the application, a party may apply for
/// arbitration).
///
/// The period is counted from receipt by the body, which is its
/// acceptance: a labour dispute is `AwaitingReceipt` until a body accepts
/// it, then `Running`. An escalation does not restart it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "limit", rename_all = "snake_case")]
pub enum LabourLimit {
    /// Not a labour dispute: no statutory period.
    NotLabour,
    /// A labour dispute no mediation body has received (accepted) yet: the
    /// period has not begun.
    AwaitingReceipt,
    /// Running until `deadline`.
    Running {
        /// When it runs out.
        deadline: DateTime<Utc>,
    },
    /// The period ended without an agreement (recorded by a `Tick` or by
    /// the referral itself): any party may apply for arbitration. (Stored
    /// as `lapsed` before 0.3; still read.)
    #[serde(alias = "lapsed")]
    MayApplyForArbitration {
        /// When the period ended.
        deadline: DateTime<Utc>,
    },
}

/// What every reported dispute carries, whatever its state: the dispute
/// file.
///
/// Sealed, like every part of a [`DisputeState`]: built only by the
/// dispute's events and read through accessors; read from JSON it is
/// checked ([`DisputeStateError`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DisputeFileData")]
pub struct DisputeFile {
    kind: DisputeKind,
    parties: Vec<Party>,
    location: OrgId,
    channel: Channel,
    received_at: DateTime<Utc>,
    severity: Severity,
    risk_flags: u32,
    labour: LabourLimit,
    ladder: LadderState,
}

impl DisputeFile {
    /// What it is about.
    pub fn kind(&self) -> DisputeKind {
        self.kind
    }

    /// The parties (two or more, distinct actors).
    pub fn parties(&self) -> &[Party] {
        &self.parties
    }

    /// Where it arose.
    pub fn location(&self) -> &OrgId {
        &self.location
    }

    /// How it came in.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// When it was received.
    pub fn received_at(&self) -> DateTime<Utc> {
        self.received_at
    }

    /// Its severity now (raised by risk flags).
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// How many risk flags were raised.
    pub fn risk_flags(&self) -> u32 {
        self.risk_flags
    }

    /// The labour limit, for labour disputes.
    pub fn labour(&self) -> LabourLimit {
        self.labour
    }

    /// The embedded escalation ladder: idle until the dispute is accepted.
    pub fn ladder(&self) -> &LadderState {
        &self.ladder
    }
}

/// A [`DisputeFile`] as stored, checked before it becomes one.
#[derive(Deserialize)]
struct DisputeFileData {
    kind: DisputeKind,
    parties: Vec<Party>,
    location: OrgId,
    channel: Channel,
    received_at: DateTime<Utc>,
    severity: Severity,
    risk_flags: u32,
    labour: LabourLimit,
    ladder: LadderState,
}

impl TryFrom<DisputeFileData> for DisputeFile {
    type Error = DisputeStateError;

    fn try_from(d: DisputeFileData) -> Result<Self, DisputeStateError> {
        if d.parties.len() < 2 {
            return Err(DisputeStateError::TooFewParties {
                count: d.parties.len(),
            });
        }
        for (i, p) in d.parties.iter().enumerate() {
            if d.parties[..i].iter().any(|q| q.actor == p.actor) {
                return Err(DisputeStateError::DuplicateParty {
                    party: p.actor.clone(),
                });
            }
        }
        let labour = d.kind == DisputeKind::Labour;
        if labour == matches!(d.labour, LabourLimit::NotLabour) {
            return Err(DisputeStateError::LabourLimitMismatch { kind: d.kind });
        }
        if let LabourLimit::Running { deadline }
        | LabourLimit::MayApplyForArbitration { deadline } = d.labour
        {
            if deadline < d.received_at {
                return Err(DisputeStateError::DeadlineBeforeReceipt {
                    received_at: d.received_at,
                    deadline,
                });
            }
        }
        Ok(DisputeFile {
            kind: d.kind,
            parties: d.parties,
            location: d.location,
            channel: d.channel,
            received_at: d.received_at,
            severity: d.severity,
            risk_flags: d.risk_flags,
            labour: d.labour,
            ladder: d.ladder,
        })
    }
}

impl DisputeFile {
    /// Whether `actor` acts for one of the parties.
    pub fn is_party(&self, actor: &ActorId) -> bool {
        self.parties.iter().any(|p| p.actor == *actor)
    }

    /// The ladder's rung, once the dispute was accepted.
    pub fn rung(&self) -> Option<&Rung> {
        self.ladder.rung()
    }

    /// The tier handling it (or that last handled it), once accepted.
    pub fn tier(&self) -> Option<Tier> {
        self.ladder.tier()
    }

    /// The body handling it (or that last handled it), once accepted.
    pub fn handler(&self) -> Option<&OrgId> {
        self.rung().map(|r| r.handler())
    }
}

/// A mediation under way: who mediates and how many sessions were held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MediationData")]
pub struct Mediation {
    mediators: Vec<ActorId>,
    selection: Selection,
    sessions: u32,
}

impl Mediation {
    /// The assigned mediators.
    pub fn mediators(&self) -> &[ActorId] {
        &self.mediators
    }

    /// How they were chosen.
    pub fn selection(&self) -> Selection {
        self.selection
    }

    /// Sessions held so far.
    pub fn sessions(&self) -> u32 {
        self.sessions
    }
}

/// A [`Mediation`] as stored, checked before it becomes one.
#[derive(Deserialize)]
struct MediationData {
    mediators: Vec<ActorId>,
    selection: Selection,
    sessions: u32,
}

impl TryFrom<MediationData> for Mediation {
    type Error = DisputeStateError;

    fn try_from(d: MediationData) -> Result<Self, DisputeStateError> {
        if d.mediators.is_empty() {
            return Err(DisputeStateError::NoMediators);
        }
        for (i, m) in d.mediators.iter().enumerate() {
            if d.mediators[..i].contains(m) {
                return Err(DisputeStateError::DuplicateMediator {
                    mediator: m.clone(),
                });
            }
        }
        Ok(Mediation {
            mediators: d.mediators,
            selection: d.selection,
            sessions: d.sessions,
        })
    }
}

impl Mediation {
    /// Whether `actor` is an assigned mediator.
    pub fn is_mediator(&self, actor: &ActorId) -> bool {
        self.mediators.iter().any(|m| m == actor)
    }
}

/// A recorded agreement collecting its signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DraftData")]
pub struct Draft {
    terms: String,
    mediator: ActorId,
    signed: Vec<ActorId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    facts: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    obligations: Vec<Obligation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_by: Option<OrgId>,
}

impl Draft {
    /// The terms.
    pub fn terms(&self) -> &str {
        &self.terms
    }

    /// The main facts and the issues in dispute.
    pub fn facts(&self) -> &str {
        &self.facts
    }

    /// The obligations, in order.
    pub fn obligations(&self) -> &[Obligation] {
        &self.obligations
    }

    /// The body whose seal was affixed, once it was (人民调解法 art. 29).
    pub fn sealed_by(&self) -> Option<&OrgId> {
        self.sealed_by.as_ref()
    }

    /// The mediator who recorded it (and signs it).
    pub fn mediator(&self) -> &ActorId {
        &self.mediator
    }

    /// Who has signed so far, in order.
    pub fn signed(&self) -> &[ActorId] {
        &self.signed
    }
}

/// A [`Draft`] as stored, checked before it becomes one.
#[derive(Deserialize)]
struct DraftData {
    terms: String,
    mediator: ActorId,
    signed: Vec<ActorId>,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    obligations: Vec<Obligation>,
    #[serde(default)]
    sealed_by: Option<OrgId>,
}

impl TryFrom<DraftData> for Draft {
    type Error = DisputeStateError;

    fn try_from(d: DraftData) -> Result<Self, DisputeStateError> {
        if d.terms.trim().is_empty() {
            return Err(DisputeStateError::EmptyTerms);
        }
        for (i, signer) in d.signed.iter().enumerate() {
            if d.signed[..i].contains(signer) {
                return Err(DisputeStateError::SignedTwice {
                    signer: signer.clone(),
                });
            }
        }
        check_obligations(&d.obligations)?;
        Ok(Draft {
            terms: d.terms,
            mediator: d.mediator,
            signed: d.signed,
            facts: d.facts,
            obligations: d.obligations,
            sealed_by: d.sealed_by,
        })
    }
}

impl Draft {
    /// Whether `actor` has signed.
    pub fn is_signed_by(&self, actor: &ActorId) -> bool {
        self.signed.iter().any(|s| s == actor)
    }

    /// Whether every party in `parties` and the mediator have signed and
    /// the seal is affixed: the agreement is in effect on the last of them
    /// (人民调解法 art. 29).
    pub fn is_complete(&self, parties: &[Party]) -> bool {
        self.sealed_by.is_some()
            && self.is_signed_by(&self.mediator)
            && parties.iter().all(|p| self.is_signed_by(&p.actor))
    }
}

/// Checks stored obligations: no negative amount.
fn check_obligations(obligations: &[Obligation]) -> Result<(), DisputeStateError> {
    for (i, o) in obligations.iter().enumerate() {
        if let Some(fen) = o.amount_fen {
            if fen < 0 {
                return Err(DisputeStateError::NegativeAmount {
                    obligation: u32::try_from(i).unwrap_or(u32::MAX),
                    fen,
                });
            }
        }
    }
    Ok(())
}

/// Where judicial confirmation of an agreement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Confirmation {
    /// Not applied for.
    NotApplied,
    /// Applied for jointly; the court has not ruled yet.
    Applied {
        /// When.
        at: DateTime<Utc>,
    },
    /// The court confirmed it: if not performed, it may be enforced
    /// (人民调解法 art. 33).
    Confirmed {
        /// When it was applied for.
        at: DateTime<Utc>,
        /// When the ruling was recorded.
        ruled_at: DateTime<Utc>,
    },
    /// The court refused to confirm it, on a ground.
    Refused {
        /// When it was applied for.
        at: DateTime<Utc>,
        /// When the ruling was recorded.
        ruled_at: DateTime<Utc>,
        /// The court's ground.
        ground: RefusalGround,
    },
}

impl Confirmation {
    /// When it was applied for, if it was.
    pub fn applied_at(&self) -> Option<DateTime<Utc>> {
        match *self {
            Confirmation::NotApplied => None,
            Confirmation::Applied { at }
            | Confirmation::Confirmed { at, .. }
            | Confirmation::Refused { at, .. } => Some(at),
        }
    }

    /// When the court's ruling was recorded, if it was.
    pub fn ruled_at(&self) -> Option<DateTime<Utc>> {
        match *self {
            Confirmation::Confirmed { ruled_at, .. } | Confirmation::Refused { ruled_at, .. } => {
                Some(ruled_at)
            }
            _ => None,
        }
    }
}

/// The form of an agreement (人民调解法 art. 28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementForm {
    /// A written agreement (调解协议书), in effect once every party and the
    /// mediator signed (art. 29).
    #[default]
    Written,
    /// An oral agreement recorded by the mediator, in effect when the
    /// parties reached it (art. 30); never judicially confirmed.
    Oral,
}

/// An agreement in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AgreementData")]
pub struct Agreement {
    terms: String,
    mediator: ActorId,
    effective_at: DateTime<Utc>,
    confirmation_due: DateTime<Utc>,
    confirmation: Confirmation,
    #[serde(default)]
    form: AgreementForm,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    facts: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    obligations: Vec<Obligation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    performed: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enforcement_applied_at: Option<DateTime<Utc>>,
}

impl Agreement {
    /// The main facts and the issues in dispute (written agreements).
    pub fn facts(&self) -> &str {
        &self.facts
    }

    /// The obligations, in order (written agreements; none in histories
    /// stored before 0.3).
    pub fn obligations(&self) -> &[Obligation] {
        &self.obligations
    }

    /// The numbers of the obligations performed so far, in the order
    /// recorded (人民调解法 art. 31).
    pub fn performed(&self) -> &[u32] {
        &self.performed
    }

    /// Whether obligation number `obligation` was performed.
    pub fn is_performed(&self, obligation: u32) -> bool {
        self.performed.contains(&obligation)
    }

    /// How many obligations are still outstanding.
    pub fn outstanding(&self) -> usize {
        self.obligations.len().saturating_sub(self.performed.len())
    }

    /// When a party applied for enforcement, if one did.
    pub fn enforcement_applied_at(&self) -> Option<DateTime<Utc>> {
        self.enforcement_applied_at
    }

    /// The terms.
    pub fn terms(&self) -> &str {
        &self.terms
    }

    /// The mediator who recorded it.
    pub fn mediator(&self) -> &ActorId {
        &self.mediator
    }

    /// When the last signature put it into effect.
    pub fn effective_at(&self) -> DateTime<Utc> {
        self.effective_at
    }

    /// The end of the window for judicial confirmation.
    pub fn confirmation_due(&self) -> DateTime<Utc> {
        self.confirmation_due
    }

    /// Where judicial confirmation stands.
    pub fn confirmation(&self) -> Confirmation {
        self.confirmation
    }

    /// Written or oral. An oral agreement has no confirmation window: its
    /// [`confirmation_due`](Self::confirmation_due) is the moment it took
    /// effect.
    pub fn form(&self) -> AgreementForm {
        self.form
    }
}

/// A [`Agreement`] as stored, checked before it becomes one.
#[derive(Deserialize)]
struct AgreementData {
    terms: String,
    mediator: ActorId,
    effective_at: DateTime<Utc>,
    confirmation_due: DateTime<Utc>,
    confirmation: Confirmation,
    #[serde(default)]
    form: AgreementForm,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    obligations: Vec<Obligation>,
    #[serde(default)]
    performed: Vec<u32>,
    #[serde(default)]
    enforcement_applied_at: Option<DateTime<Utc>>,
}

impl TryFrom<AgreementData> for Agreement {
    type Error = DisputeStateError;

    fn try_from(d: AgreementData) -> Result<Self, DisputeStateError> {
        if d.terms.trim().is_empty() {
            return Err(DisputeStateError::EmptyTerms);
        }
        if d.confirmation_due < d.effective_at {
            return Err(DisputeStateError::DeadlineBeforeEffect {
                effective_at: d.effective_at,
                deadline: d.confirmation_due,
            });
        }
        if let Some(at) = d.confirmation.applied_at() {
            if at < d.effective_at || at > d.confirmation_due {
                return Err(DisputeStateError::ConfirmationOutsideWindow {
                    at,
                    effective_at: d.effective_at,
                    deadline: d.confirmation_due,
                });
            }
        }
        if d.form == AgreementForm::Oral && d.confirmation != Confirmation::NotApplied {
            return Err(DisputeStateError::OralAgreementConfirmed);
        }
        if let (Some(at), Some(ruled_at)) = (d.confirmation.applied_at(), d.confirmation.ruled_at())
        {
            if ruled_at < at {
                return Err(DisputeStateError::RulingBeforeApplication { at, ruled_at });
            }
        }
        check_obligations(&d.obligations)?;
        let count = d.obligations.len();
        for (i, n) in d.performed.iter().enumerate() {
            if usize::try_from(*n).map_or(true, |n| n >= count) || d.performed[..i].contains(n) {
                return Err(DisputeStateError::UnknownObligationPerformed {
                    obligation: *n,
                    count,
                });
            }
        }
        Ok(Agreement {
            terms: d.terms,
            mediator: d.mediator,
            effective_at: d.effective_at,
            confirmation_due: d.confirmation_due,
            confirmation: d.confirmation,
            form: d.form,
            facts: d.facts,
            obligations: d.obligations,
            performed: d.performed,
            enforcement_applied_at: d.enforcement_applied_at,
        })
    }
}

/// How a closed dispute ended before its follow-up visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ending", rename_all = "snake_case")]
pub enum Ending {
    /// The agreement was fulfilled.
    Fulfilled,
    /// The agreement was breached.
    Breached,
    /// It was referred out.
    Referred {
        /// Where to.
        to: Referral,
    },
    /// A party withdrew.
    Withdrawn {
        /// Who.
        by: ActorId,
    },
}

/// Where a dispute stands. Each state carries exactly the data that exists
/// in it: a `Reported` dispute has no mediators, a `Mediating` one does; an
/// `Agreed` one has an agreement in effect.
///
/// Large parts sit behind a `Box`, so moving the state through the kernel's
/// hot path copies a few words: the state is 40 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "StoredState")]
pub enum DisputeState {
    /// Nothing reported yet (a new case).
    Unreported,
    /// Reported, awaiting acceptance by the body the org graph routes it to.
    Reported {
        /// The dispute file (its ladder idle).
        file: Box<DisputeFile>,
    },
    /// Accepted at a tier; awaiting mediators.
    Accepted {
        /// The dispute file (its ladder handling at the accepting tier).
        file: Box<DisputeFile>,
    },
    /// Moved up the ladder; awaiting acceptance by the new tier's body.
    Escalated {
        /// The dispute file (its ladder handling at the new tier).
        file: Box<DisputeFile>,
    },
    /// Mediators assigned; sessions under way.
    Mediating {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// Who mediates, sessions held.
        mediation: Box<Mediation>,
    },
    /// An agreement recorded, collecting signatures.
    Signing {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// Who mediates, sessions held.
        mediation: Box<Mediation>,
        /// The agreement and its signatures so far.
        draft: Box<Draft>,
    },
    /// The agreement is in effect: awaiting performance (and perhaps
    /// judicial confirmation).
    Agreed {
        /// The dispute file (its ladder resolved).
        file: Box<DisputeFile>,
        /// The agreement.
        agreement: Box<Agreement>,
    },
    /// Mediation ended without agreement: to be escalated or referred out.
    MediationFailed {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// Why it failed.
        reason: FailureReason,
        /// The routes named to the parties.
        routes: Routes,
    },
    /// The agreement was fulfilled; a follow-up visit is due.
    Fulfilled {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// The agreement.
        agreement: Box<Agreement>,
    },
    /// The agreement was breached; a follow-up visit is due.
    Breached {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// The agreement.
        agreement: Box<Agreement>,
    },
    /// Referred out of mediation; a follow-up visit is due.
    Referred {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// Where to.
        to: Referral,
        /// The routes named to the parties.
        routes: Routes,
    },
    /// A party withdrew; a follow-up visit is due.
    Withdrawn {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// Who withdrew.
        by: ActorId,
        /// The routes named to the parties.
        #[serde(default)]
        routes: Routes,
    },
    /// Declined by the routed body. Terminal.
    Declined {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// The body that declined.
        body: OrgId,
        /// Why.
        reason: DeclineReason,
        /// The routes named to the parties.
        routes: Routes,
    },
    /// A party refused mediation: there is none. Terminal.
    Refused {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// The party who refused.
        by: ActorId,
        /// The routes named to the parties.
        routes: Routes,
    },
    /// Followed up and closed. Terminal.
    Closed {
        /// The dispute file.
        file: Box<DisputeFile>,
        /// How it ended.
        ending: Ending,
        /// The parties' rating at the follow-up visit.
        rating: Satisfaction,
    },
}

/// A [`DisputeState`] as stored, checked before it becomes one: its parts
/// are checked on their own, and here against each other.
#[derive(Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum StoredState {
    Unreported,
    Reported {
        file: Box<DisputeFile>,
    },
    Accepted {
        file: Box<DisputeFile>,
    },
    Escalated {
        file: Box<DisputeFile>,
    },
    Mediating {
        file: Box<DisputeFile>,
        mediation: Box<Mediation>,
    },
    Signing {
        file: Box<DisputeFile>,
        mediation: Box<Mediation>,
        draft: Box<Draft>,
    },
    Agreed {
        file: Box<DisputeFile>,
        agreement: Box<Agreement>,
    },
    MediationFailed {
        file: Box<DisputeFile>,
        reason: FailureReason,
        routes: Routes,
    },
    Fulfilled {
        file: Box<DisputeFile>,
        agreement: Box<Agreement>,
    },
    Breached {
        file: Box<DisputeFile>,
        agreement: Box<Agreement>,
    },
    Referred {
        file: Box<DisputeFile>,
        to: Referral,
        routes: Routes,
    },
    Withdrawn {
        file: Box<DisputeFile>,
        by: ActorId,
        #[serde(default)]
        routes: Routes,
    },
    Declined {
        file: Box<DisputeFile>,
        body: OrgId,
        reason: DeclineReason,
        routes: Routes,
    },
    Refused {
        file: Box<DisputeFile>,
        by: ActorId,
        routes: Routes,
    },
    Closed {
        file: Box<DisputeFile>,
        ending: Ending,
        rating: Satisfaction,
    },
}

impl TryFrom<StoredState> for DisputeState {
    type Error = DisputeStateError;

    fn try_from(d: StoredState) -> Result<Self, DisputeStateError> {
        let state = match d {
            StoredState::Unreported => DisputeState::Unreported,
            StoredState::Reported { file } => DisputeState::Reported { file },
            StoredState::Accepted { file } => DisputeState::Accepted { file },
            StoredState::Escalated { file } => DisputeState::Escalated { file },
            StoredState::Mediating { file, mediation } => {
                DisputeState::Mediating { file, mediation }
            }
            StoredState::Signing {
                file,
                mediation,
                draft,
            } => DisputeState::Signing {
                file,
                mediation,
                draft,
            },
            StoredState::Agreed { file, agreement } => DisputeState::Agreed { file, agreement },
            StoredState::MediationFailed {
                file,
                reason,
                routes,
            } => DisputeState::MediationFailed {
                file,
                reason,
                routes,
            },
            StoredState::Fulfilled { file, agreement } => {
                DisputeState::Fulfilled { file, agreement }
            }
            StoredState::Breached { file, agreement } => DisputeState::Breached { file, agreement },
            StoredState::Referred { file, to, routes } => {
                DisputeState::Referred { file, to, routes }
            }
            StoredState::Withdrawn { file, by, routes } => {
                DisputeState::Withdrawn { file, by, routes }
            }
            StoredState::Declined {
                file,
                body,
                reason,
                routes,
            } => DisputeState::Declined {
                file,
                body,
                reason,
                routes,
            },
            StoredState::Refused { file, by, routes } => DisputeState::Refused { file, by, routes },
            StoredState::Closed {
                file,
                ending,
                rating,
            } => DisputeState::Closed {
                file,
                ending,
                rating,
            },
        };
        state.check_parts()?;
        Ok(state)
    }
}

impl DisputeState {
    /// Checks the parts against each other: only the parties and the
    /// mediator sign a draft, and only parties are bound by obligations
    /// (人民调解法 art. 29).
    fn check_parts(&self) -> Result<(), DisputeStateError> {
        let Some(file) = self.file() else {
            return Ok(());
        };
        let stranger = |actor: &ActorId| DisputeStateError::StrangerOnAgreement {
            actor: actor.clone(),
        };
        let obligations = match self {
            DisputeState::Signing { draft, .. } => {
                if let Some(s) = draft
                    .signed
                    .iter()
                    .find(|s| **s != draft.mediator && !file.is_party(s))
                {
                    return Err(stranger(s));
                }
                &draft.obligations
            }
            _ => match self.agreement() {
                Some(a) => &a.obligations,
                None => return Ok(()),
            },
        };
        match obligations.iter().find(|o| !file.is_party(&o.obligor)) {
            Some(o) => Err(stranger(&o.obligor)),
            None => Ok(()),
        }
    }

    /// The dispute file, once reported.
    pub fn file(&self) -> Option<&DisputeFile> {
        match self {
            DisputeState::Unreported => None,
            DisputeState::Reported { file }
            | DisputeState::Accepted { file }
            | DisputeState::Escalated { file }
            | DisputeState::Mediating { file, .. }
            | DisputeState::Signing { file, .. }
            | DisputeState::Agreed { file, .. }
            | DisputeState::MediationFailed { file, .. }
            | DisputeState::Fulfilled { file, .. }
            | DisputeState::Breached { file, .. }
            | DisputeState::Referred { file, .. }
            | DisputeState::Withdrawn { file, .. }
            | DisputeState::Declined { file, .. }
            | DisputeState::Refused { file, .. }
            | DisputeState::Closed { file, .. } => Some(file),
        }
    }

    fn file_mut(&mut self) -> Option<&mut DisputeFile> {
        match self {
            DisputeState::Unreported => None,
            DisputeState::Reported { file }
            | DisputeState::Accepted { file }
            | DisputeState::Escalated { file }
            | DisputeState::Mediating { file, .. }
            | DisputeState::Signing { file, .. }
            | DisputeState::Agreed { file, .. }
            | DisputeState::MediationFailed { file, .. }
            | DisputeState::Fulfilled { file, .. }
            | DisputeState::Breached { file, .. }
            | DisputeState::Referred { file, .. }
            | DisputeState::Withdrawn { file, .. }
            | DisputeState::Declined { file, .. }
            | DisputeState::Refused { file, .. }
            | DisputeState::Closed { file, .. } => Some(file),
        }
    }

    /// The tier handling the dispute (or that last handled it), once
    /// accepted.
    pub fn tier(&self) -> Option<Tier> {
        self.file().and_then(DisputeFile::tier)
    }

    /// The assigned mediators, while mediating or signing (empty
    /// otherwise).
    pub fn mediators(&self) -> &[ActorId] {
        match self {
            DisputeState::Mediating { mediation, .. } | DisputeState::Signing { mediation, .. } => {
                &mediation.mediators
            }
            _ => &[],
        }
    }

    /// The agreement in effect, once the last signature landed.
    pub fn agreement(&self) -> Option<&Agreement> {
        match self {
            DisputeState::Agreed { agreement, .. }
            | DisputeState::Fulfilled { agreement, .. }
            | DisputeState::Breached { agreement, .. } => Some(agreement),
            _ => None,
        }
    }

    /// Whether the dispute ended: declined, refused or closed.
    pub const fn is_terminal(&self) -> bool {
        matches!(
            self,
            DisputeState::Declined { .. }
                | DisputeState::Refused { .. }
                | DisputeState::Closed { .. }
        )
    }

    /// Whether mediation is still open: reported, accepted, escalated,
    /// mediating, signing, or failed and awaiting its next step. Parties may
    /// withdraw here; the labour limit runs here.
    pub const fn is_open(&self) -> bool {
        matches!(
            self,
            DisputeState::Reported { .. }
                | DisputeState::Accepted { .. }
                | DisputeState::Escalated { .. }
                | DisputeState::Mediating { .. }
                | DisputeState::Signing { .. }
                | DisputeState::MediationFailed { .. }
        )
    }

    /// Whether the dispute is on the ladder: accepted and not yet resolved
    /// or referred (the open states but `Reported`). Ticks and risk flags
    /// reach the ladder only here.
    pub const fn is_on_ladder(&self) -> bool {
        self.is_open() && !matches!(self, DisputeState::Reported { .. })
    }

    /// Whether a follow-up visit is due: fulfilled, breached, referred or
    /// withdrawn.
    pub const fn is_follow_up_due(&self) -> bool {
        matches!(
            self,
            DisputeState::Fulfilled { .. }
                | DisputeState::Breached { .. }
                | DisputeState::Referred { .. }
                | DisputeState::Withdrawn { .. }
        )
    }

    /// Applies one fact. Consults nothing but the state and the event; an
    /// event that does not apply leaves the state as it is.
    pub(crate) fn evolve(mut self, event: &DisputeEvent) -> DisputeState {
        self.apply(event);
        self
    }

    /// Applies one fact where the state lies (what [`evolve`](Self::evolve)
    /// does). A fact that keeps the state's kind — a session, a signature,
    /// the seal, a risk flag, a ladder step — changes its part in place; a
    /// fact that changes the kind moves the parts into the new state once
    /// ([`transition`](Self::transition)).
    pub(crate) fn apply(&mut self, event: &DisputeEvent) {
        use DisputeEvent as E;
        use DisputeState as S;
        match (&mut *self, event) {
            // The common event first.
            (S::Mediating { mediation, .. }, E::SessionRecorded { number }) => {
                mediation.sessions = *number;
            }
            (S::Signing { draft, .. }, E::SealAffixed { body, .. }) => {
                draft.sealed_by = Some(body.clone());
            }
            (S::Signing { draft, .. }, E::AgreementSigned { by }) => {
                if !draft.is_signed_by(by) {
                    draft.signed.push(by.clone());
                }
            }
            (S::Agreed { agreement, .. }, E::ConfirmationApplied { at, .. }) => {
                agreement.confirmation = Confirmation::Applied { at: *at };
            }
            (S::Agreed { agreement, .. }, E::ConfirmationRuled { ruling, at, .. }) => {
                if let Confirmation::Applied { at: applied } = agreement.confirmation {
                    agreement.confirmation = match ruling {
                        Ruling::Confirmed => Confirmation::Confirmed {
                            at: applied,
                            ruled_at: *at,
                        },
                        Ruling::Refused { ground } => Confirmation::Refused {
                            at: applied,
                            ruled_at: *at,
                            ground: *ground,
                        },
                    };
                }
            }
            (S::Agreed { agreement, .. }, E::ObligationPerformed { obligation }) => {
                if !agreement.performed.contains(obligation) {
                    agreement.performed.push(*obligation);
                }
            }
            (S::Breached { agreement, .. }, E::EnforcementApplied { at, .. }) => {
                agreement.enforcement_applied_at = Some(*at);
            }
            (_, E::RiskFlagged { to, .. }) => {
                if let Some(file) = self.file_mut() {
                    file.severity = *to;
                    file.risk_flags = file.risk_flags.saturating_add(1);
                }
            }
            (_, E::ArbitrationOpened { deadline }) => {
                if let Some(file) = self.file_mut() {
                    file.labour = LabourLimit::MayApplyForArbitration {
                        deadline: *deadline,
                    };
                }
            }
            (_, E::Ladder(step)) => {
                let moved_up = matches!(**step, LadderEvent::Escalated(_)) && self.is_on_ladder();
                if let Some(file) = self.file_mut() {
                    embed::evolve::<Ladder>(&mut file.ladder, step);
                }
                if moved_up {
                    *self = match std::mem::replace(self, S::Unreported).into_file() {
                        Some(file) => S::Escalated { file },
                        None => S::Unreported,
                    };
                }
            }
            _ => {
                let taken = std::mem::replace(self, S::Unreported);
                *self = taken.transition(event);
            }
        }
    }

    /// Applies a fact that moves the dispute to another state (or, for a
    /// fact [`apply`](Self::apply) changes in place, does nothing).
    fn transition(self, event: &DisputeEvent) -> DisputeState {
        use DisputeEvent as E;
        use DisputeState as S;
        match (self, event) {
            (S::Unreported, E::Reported(report)) => {
                let Reported {
                    kind,
                    parties,
                    location,
                    channel,
                    severity,
                    received_at,
                    labour_deadline,
                } = &**report;
                S::Reported {
                    file: Box::new(DisputeFile {
                        kind: *kind,
                        parties: parties.clone(),
                        location: location.clone(),
                        channel: *channel,
                        received_at: *received_at,
                        severity: *severity,
                        risk_flags: 0,
                        // A deadline on the report is a stored fact of old
                        // (counted from the report); new reports leave it to
                        // the acceptance.
                        labour: match (labour_deadline, kind) {
                            (Some(deadline), _) => LabourLimit::Running {
                                deadline: *deadline,
                            },
                            (None, DisputeKind::Labour) => LabourLimit::AwaitingReceipt,
                            (None, _) => LabourLimit::NotLabour,
                        },
                        ladder: LadderState::Idle,
                    }),
                }
            }
            (
                S::Reported { mut file } | S::Escalated { mut file },
                E::Accepted {
                    labour_deadline, ..
                },
            ) => {
                if let (LabourLimit::AwaitingReceipt, Some(deadline)) =
                    (file.labour, labour_deadline)
                {
                    file.labour = LabourLimit::Running {
                        deadline: *deadline,
                    };
                }
                S::Accepted { file }
            }
            (
                S::Reported { file } | S::Escalated { file },
                E::Declined {
                    body,
                    reason,
                    routes,
                    ..
                },
            ) => S::Declined {
                file,
                body: body.clone(),
                reason: *reason,
                routes: *routes,
            },
            (
                S::Reported { file } | S::Accepted { file } | S::Escalated { file },
                E::MediationRefused { party, routes },
            ) => S::Refused {
                file,
                by: party.clone(),
                routes: *routes,
            },
            (state, E::Withdrawn { party, routes }) if state.is_open() => match state.into_file() {
                Some(file) => S::Withdrawn {
                    file,
                    by: party.clone(),
                    routes: *routes,
                },
                None => S::Unreported,
            },
            (
                S::Accepted { file },
                E::MediatorsAssigned {
                    mediators,
                    selection,
                },
            ) => S::Mediating {
                file,
                mediation: Box::new(Mediation {
                    mediators: mediators.clone(),
                    selection: *selection,
                    sessions: 0,
                }),
            },
            (
                S::Mediating {
                    file,
                    mut mediation,
                },
                E::MediatorRecused { mediator, .. },
            ) => {
                mediation.mediators.retain(|m| m != mediator);
                if mediation.mediators.is_empty() {
                    S::Accepted { file }
                } else {
                    S::Mediating { file, mediation }
                }
            }
            (S::Mediating { file, mediation }, E::AgreementRecorded(agreement)) => S::Signing {
                file,
                mediation,
                draft: Box::new(Draft {
                    terms: agreement.terms.clone(),
                    mediator: agreement.mediator.clone(),
                    signed: Vec::new(),
                    facts: agreement.facts.clone(),
                    obligations: agreement.obligations.clone(),
                    sealed_by: None,
                }),
            },
            (
                S::Signing { file, draft, .. },
                E::AgreementTookEffect {
                    at,
                    confirmation_due,
                },
            ) => {
                let Draft {
                    terms,
                    mediator,
                    facts,
                    obligations,
                    ..
                } = *draft;
                S::Agreed {
                    file,
                    agreement: Box::new(Agreement {
                        terms,
                        mediator,
                        effective_at: *at,
                        confirmation_due: *confirmation_due,
                        confirmation: Confirmation::NotApplied,
                        form: AgreementForm::Written,
                        facts,
                        obligations,
                        performed: Vec::new(),
                        enforcement_applied_at: None,
                    }),
                }
            }
            (
                S::Mediating { file, .. },
                E::OralAgreementReached {
                    content,
                    mediator,
                    at,
                },
            ) => S::Agreed {
                file,
                agreement: Box::new(Agreement {
                    terms: content.clone(),
                    mediator: mediator.clone(),
                    effective_at: *at,
                    confirmation_due: *at,
                    confirmation: Confirmation::NotApplied,
                    form: AgreementForm::Oral,
                    facts: String::new(),
                    obligations: Vec::new(),
                    performed: Vec::new(),
                    enforcement_applied_at: None,
                }),
            },
            (S::Agreed { file, agreement }, E::AgreementFulfilled) => {
                S::Fulfilled { file, agreement }
            }
            (S::Agreed { file, agreement }, E::AgreementBreached { .. }) => {
                S::Breached { file, agreement }
            }
            (
                S::Mediating { file, .. } | S::Signing { file, .. },
                E::MediationFailed { reason, routes },
            ) => S::MediationFailed {
                file,
                reason: *reason,
                routes: *routes,
            },
            (state, E::Referred { to, routes, .. }) if state.is_open() => match state.into_file() {
                Some(file) => S::Referred {
                    file,
                    to: *to,
                    routes: *routes,
                },
                None => S::Unreported,
            },
            (state, E::FollowedUp { rating }) if state.is_follow_up_due() => {
                let ending = match &state {
                    S::Breached { .. } => Ending::Breached,
                    S::Referred { to, .. } => Ending::Referred { to: *to },
                    S::Withdrawn { by, .. } => Ending::Withdrawn { by: by.clone() },
                    _ => Ending::Fulfilled,
                };
                match state.into_file() {
                    Some(file) => S::Closed {
                        file,
                        ending,
                        rating: *rating,
                    },
                    None => S::Unreported,
                }
            }
            (state, _) => state,
        }
    }

    /// Takes the file out of the state.
    fn into_file(self) -> Option<Box<DisputeFile>> {
        match self {
            DisputeState::Unreported => None,
            DisputeState::Reported { file }
            | DisputeState::Accepted { file }
            | DisputeState::Escalated { file }
            | DisputeState::Mediating { file, .. }
            | DisputeState::Signing { file, .. }
            | DisputeState::Agreed { file, .. }
            | DisputeState::MediationFailed { file, .. }
            | DisputeState::Fulfilled { file, .. }
            | DisputeState::Breached { file, .. }
            | DisputeState::Referred { file, .. }
            | DisputeState::Withdrawn { file, .. }
            | DisputeState::Declined { file, .. }
            | DisputeState::Refused { file, .. }
            | DisputeState::Closed { file, .. } => Some(file),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};
    use serde_json::{Value, json};

    use super::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
    }

    fn file(kind: DisputeKind) -> Box<DisputeFile> {
        Box::new(DisputeFile {
            kind,
            parties: vec![
                Party::person("li".parse().unwrap()),
                Party::person("wang".parse().unwrap()),
            ],
            location: "grid-7".parse().unwrap(),
            channel: Channel::Party,
            received_at: at(),
            severity: Severity::Minor,
            risk_flags: 0,
            labour: match kind {
                DisputeKind::Labour => LabourLimit::Running {
                    deadline: at() + TimeDelta::days(15),
                },
                _ => LabourLimit::NotLabour,
            },
            ladder: LadderState::Idle,
        })
    }

    fn mediation() -> Box<Mediation> {
        Box::new(Mediation {
            mediators: vec!["qian".parse().unwrap()],
            selection: Selection::Roster,
            sessions: 1,
        })
    }

    fn signing() -> Value {
        serde_json::to_value(DisputeState::Signing {
            file: file(DisputeKind::Labour),
            mediation: mediation(),
            draft: Box::new(Draft {
                terms: "pay the wages".into(),
                mediator: "qian".parse().unwrap(),
                signed: vec!["li".parse().unwrap()],
                facts: "wages for March unpaid".into(),
                obligations: vec![
                    Obligation::new(
                        "wang".parse().unwrap(),
                        super::super::command::ObligationKind::Wages,
                        "pays the wages",
                    )
                    .amount(300_000),
                ],
                sealed_by: None,
            }),
        })
        .unwrap()
    }

    fn agreed() -> Value {
        serde_json::to_value(DisputeState::Agreed {
            file: file(DisputeKind::Neighbour),
            agreement: Box::new(Agreement {
                terms: "quiet after ten".into(),
                mediator: "qian".parse().unwrap(),
                effective_at: at(),
                confirmation_due: at() + TimeDelta::days(30),
                confirmation: Confirmation::Applied {
                    at: at() + TimeDelta::days(1),
                },
                form: AgreementForm::Written,
                facts: "music after ten".into(),
                obligations: vec![Obligation::new(
                    "wang".parse().unwrap(),
                    super::super::command::ObligationKind::Act,
                    "stops the music at ten",
                )],
                performed: vec![0],
                enforcement_applied_at: None,
            }),
        })
        .unwrap()
    }

    fn refused(json: Value) -> String {
        serde_json::from_value::<DisputeState>(json)
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn sealing_keeps_the_state_at_forty_bytes() {
        assert_eq!(std::mem::size_of::<DisputeState>(), 40);
    }

    #[test]
    fn stored_states_round_trip() {
        for json in [signing(), agreed()] {
            let state: DisputeState = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(serde_json::to_value(&state).unwrap(), json);
        }
    }

    #[test]
    fn a_stored_file_with_one_party_or_a_party_twice_is_refused() {
        let mut json = signing();
        json["file"]["parties"] = json!([{ "actor": "li", "kind": "person" }]);
        assert!(refused(json).contains("two or more parties"));
        let mut json = signing();
        json["file"]["parties"][1]["actor"] = json!("li");
        assert!(refused(json).contains("appears twice"));
    }

    #[test]
    fn a_stored_labour_limit_must_fit_the_kind_and_follow_receipt() {
        let mut json = signing();
        json["file"]["labour"] = json!({ "limit": "not_labour" });
        assert!(refused(json).contains("does not fit a labour dispute"));
        let mut json = signing();
        json["file"]["labour"]["deadline"] = json!(at() - TimeDelta::days(1));
        assert!(refused(json).contains("lies before receipt"));
    }

    #[test]
    fn a_stored_mediation_without_mediators_or_with_one_twice_is_refused() {
        let mut json = signing();
        json["mediation"]["mediators"] = json!([]);
        assert!(refused(json).contains("no mediators"));
        let mut json = signing();
        json["mediation"]["mediators"] = json!(["qian", "qian"]);
        assert!(refused(json).contains("appears twice"));
    }

    #[test]
    fn a_stored_draft_signed_twice_or_without_terms_is_refused() {
        let mut json = signing();
        json["draft"]["signed"] = json!(["li", "li"]);
        assert!(refused(json).contains("signed the stored draft twice"));
        let mut json = signing();
        json["draft"]["terms"] = json!("  ");
        assert!(refused(json).contains("empty terms"));
    }

    #[test]
    fn a_stored_oral_agreement_applied_for_confirmation_is_refused() {
        let mut json = agreed();
        json["agreement"]["form"] = json!("oral");
        assert!(refused(json).contains("oral agreement"));
    }

    #[test]
    fn pml_art_29_a_stored_draft_signed_by_a_stranger_is_refused() {
        let mut json = signing();
        json["draft"]["signed"] = json!(["li", "zhao"]);
        assert!(refused(json).contains("zhao on the stored agreement is not a party"));
        // The mediator signs, though no party.
        let mut json = signing();
        json["draft"]["signed"] = json!(["li", "qian"]);
        assert!(serde_json::from_value::<DisputeState>(json).is_ok());
    }

    #[test]
    fn pml_art_29_a_stored_obligation_binding_a_stranger_or_negative_is_refused() {
        let mut json = signing();
        json["draft"]["obligations"][0]["obligor"] = json!("zhao");
        assert!(refused(json).contains("zhao on the stored agreement is not a party"));
        let mut json = agreed();
        json["agreement"]["obligations"][0]["obligor"] = json!("zhao");
        assert!(refused(json).contains("not a party"));
        let mut json = signing();
        json["draft"]["obligations"][0]["amount_fen"] = json!(-1);
        assert!(refused(json).contains("negative amount"));
    }

    #[test]
    fn pml_art_31_a_stored_performance_of_no_obligation_is_refused() {
        let mut json = agreed();
        json["agreement"]["performed"] = json!([1]);
        assert!(refused(json).contains("fits no obligation"));
        let mut json = agreed();
        json["agreement"]["performed"] = json!([0, 0]);
        assert!(refused(json).contains("fits no obligation"));
    }

    #[test]
    fn pml_art_33_a_stored_ruling_before_its_application_is_refused() {
        let mut json = agreed();
        json["agreement"]["confirmation"] = json!({
            "stage": "confirmed",
            "at": at() + TimeDelta::days(2),
            "ruled_at": at() + TimeDelta::days(1),
        });
        assert!(refused(json).contains("precedes its application"));
    }

    #[test]
    fn a_stored_agreement_with_its_confirmation_outside_the_window_is_refused() {
        let mut json = agreed();
        json["agreement"]["confirmation"]["at"] = json!(at() + TimeDelta::days(31));
        assert!(refused(json).contains("outside its window"));
        let mut json = agreed();
        json["agreement"]["confirmation_due"] = json!(at() - TimeDelta::days(1));
        assert!(refused(json).contains("before the agreement took effect"));
    }
}
