//! [`DisputeError`]: why a dispute refused a command — who, what and why.

use chrono::{DateTime, NaiveDate, Utc};

use super::command::DisputeCommandKind;
use super::routes::Routes;
use super::state::DisputeStateKind;
use crate::actor::Forbidden;
use crate::calendar::{CalendarError, TimeLimit};
use crate::escalation::{LadderError, Referral};
use crate::id::{ActorId, OrgId};
use crate::matter::DisputeKind;
use crate::org::{MediationOrganisation, Need, OrgGraphError};
use crate::tier::{Severity, Tier};

/// Why [`Dispute`](super::Dispute) refused a command. Each variant is one
/// rule, and names who was refused, what they tried and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DisputeError {
    /// The command does not apply to a dispute in this state.
    #[error("command {command} does not apply to a dispute that is {state}")]
    NotApplicable {
        /// The command's kind.
        command: DisputeCommandKind,
        /// The state's kind.
        state: DisputeStateKind,
    },
    /// The dispute has no handling body: it is not on the escalation
    /// ladder (it was never accepted).
    #[error("the dispute has no handling body: it was never accepted")]
    NotOnLadder,
    /// The actor lacks the role the command needs.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// Only a party may do this (refuse, withdraw, sign, apply for
    /// confirmation, report through the party channel).
    #[error("actor {actor} may not {action}: it is not a party to the dispute")]
    NotAParty {
        /// Who tried.
        actor: ActorId,
        /// What they tried.
        action: &'static str,
    },
    /// Only an officer acting for the body handling the dispute may do this
    /// (accept, decline, assign mediators, escalate).
    #[error(
        "actor {actor} may not {action}: it needs an officer of the {tier} tier acting for {body}"
    )]
    NotBodyOfficer {
        /// Who tried.
        actor: ActorId,
        /// What they tried.
        action: &'static str,
        /// The body whose officers may.
        body: OrgId,
        /// Its tier.
        tier: Tier,
    },
    /// Only an assigned mediator may do this (record sessions, the agreement,
    /// end the mediation).
    #[error("actor {actor} may not {action}: it is not an assigned mediator")]
    NotAssignedMediator {
        /// Who tried.
        actor: ActorId,
        /// What they tried.
        action: &'static str,
    },
    /// A dispute has two or more parties.
    #[error("a dispute needs two or more parties, {count} given")]
    TooFewParties {
        /// How many were given.
        count: usize,
    },
    /// The same actor was named for two parties.
    #[error("actor {party} is named for more than one party")]
    DuplicateParty {
        /// The actor named twice.
        party: ActorId,
    },
    /// A party's organisation is not in the org graph.
    #[error("party {party} names organisation {org}, which is not in the organisation graph")]
    UnknownPartyOrg {
        /// The party.
        party: ActorId,
        /// The organisation.
        org: OrgId,
    },
    /// The location is not in the org graph.
    #[error("location {location} is not in the organisation graph")]
    UnknownLocation {
        /// The location.
        location: OrgId,
    },
    /// The location is not a territorial body (an estate, a park, a village,
    /// a community, ...).
    #[error("location {location} is not a territorial body")]
    LocationNotTerritorial {
        /// The location.
        location: OrgId,
    },
    /// A decline must name the routes left open to the parties.
    #[error("declining a dispute must name the routes left open to the parties")]
    NoRoutesNamed,
    /// At least one mediator must be assigned.
    #[error("at least one mediator must be assigned")]
    NoMediators,
    /// The same mediator was named twice.
    #[error("mediator {mediator} is named twice")]
    DuplicateMediator {
        /// The mediator.
        mediator: ActorId,
    },
    /// A mediator may not be a party.
    #[error("mediator {mediator} is a party to the dispute")]
    MediatorIsParty {
        /// The mediator.
        mediator: ActorId,
    },
    /// A mediator may not belong to an organisation a party is, represents
    /// or belongs to (on the day of assignment).
    #[error(
        "mediator {mediator} belongs to {org}, which party {party} is, represents or belongs to"
    )]
    MediatorConflict {
        /// The mediator.
        mediator: ActorId,
        /// The party tied to the organisation.
        party: ActorId,
        /// The organisation they share.
        org: OrgId,
    },
    /// A mediator from the roster must be a member of the accepting body on
    /// the day.
    #[error("mediator {mediator} is not on the roster of {body}")]
    NotOnRoster {
        /// The mediator.
        mediator: ActorId,
        /// The body whose roster was checked.
        body: OrgId,
    },
    /// A mediator the parties choose must be a people's mediator: a member,
    /// on the day, of a people's mediation committee (人民调解法 arts. 13,
    /// 19) or of the handling body.
    #[error("mediator {mediator} chosen by the parties is not a people's mediator on {date}")]
    NotAPeoplesMediator {
        /// The mediator.
        mediator: ActorId,
        /// The day it was judged on.
        date: NaiveDate,
    },
    /// Recording as mediator needs the mediator's place on a roster on the
    /// day: the handling body's, or — chosen by the parties — a people's
    /// mediation committee's (人民调解法 arts. 13, 19). An id alone is not
    /// enough.
    #[error(
        "mediator {mediator} may not {action}: not on the roster of {body} or of a people's mediation committee on {date}"
    )]
    MediatorNotRostered {
        /// The mediator.
        mediator: ActorId,
        /// What they tried.
        action: &'static str,
        /// The handling body.
        body: OrgId,
        /// The day it was judged on.
        date: NaiveDate,
    },
    /// A recusal request must give its reason.
    #[error("a request to replace mediator {mediator} must give its reason")]
    NoRecusalReason {
        /// The mediator.
        mediator: ActorId,
    },
    /// A recusal request names a mediator who is not assigned.
    #[error("{mediator} is not an assigned mediator of the dispute")]
    NotAnAssignedMediator {
        /// The actor named.
        mediator: ActorId,
    },
    /// An agreement comes after at least one session.
    #[error("no mediation session has been recorded yet")]
    NoSessionYet,
    /// An agreement must have terms.
    #[error("the agreement's terms are empty")]
    EmptyTerms,
    /// Only the parties and the agreement's mediator sign.
    #[error("actor {actor} is not a signatory of the agreement")]
    NotSignatory {
        /// Who tried to sign.
        actor: ActorId,
    },
    /// A signatory signs once.
    #[error("actor {actor} has already signed the agreement")]
    AlreadySigned {
        /// Who tried to sign again.
        actor: ActorId,
    },
    /// An oral agreement cannot go to judicial confirmation (人民调解法
    /// arts. 28, 30, 33: confirmation is of a written agreement).
    #[error("an oral agreement cannot be judicially confirmed")]
    OralAgreementNotConfirmable,
    /// Judicial confirmation is applied for once.
    #[error("judicial confirmation was already applied for at {applied_at}")]
    ConfirmationAlreadyApplied {
        /// When.
        applied_at: DateTime<Utc>,
    },
    /// An applicant for judicial confirmation who is not a party.
    #[error("applicant {applicant} is not a party to the agreement")]
    ApplicantNotAParty {
        /// The applicant.
        applicant: ActorId,
    },
    /// Judicial confirmation is applied for jointly: every party must be an
    /// applicant.
    #[error("judicial confirmation must be applied for jointly: {} part{} missing", missing.len(), if missing.len() == 1 { "y is" } else { "ies are" })]
    ConfirmationNotJoint {
        /// The parties who are not applicants.
        missing: Vec<ActorId>,
    },
    /// Judicial confirmation is applied for within the window after the
    /// agreement took effect.
    #[error(
        "judicial confirmation applied for at {applied_at}, after the {limit} from {effective_at} ran out at {deadline}"
    )]
    ConfirmationTooLate {
        /// When the agreement took effect.
        effective_at: DateTime<Utc>,
        /// When the application came.
        applied_at: DateTime<Utc>,
        /// When the window closed.
        deadline: DateTime<Utc>,
        /// The window.
        limit: TimeLimit,
    },
    /// Before mediation fails, only a labour dispute can be referred (to
    /// arbitration, 劳动争议调解仲裁法 arts. 5 and 14) — and this is not one.
    #[error("a {kind} dispute is referred out only after its mediation fails")]
    NotLabourDispute {
        /// The dispute's kind.
        kind: DisputeKind,
    },
    /// PML art. 33 (人民调解法) provides judicial confirmation for people's
    /// mediation agreements only: the agreement of a commercial mediation
    /// organisation is a contract and cannot be confirmed.
    #[error(
        "the agreement was reached before {body}, a {organisation} organisation: its agreements may not be judicially confirmed"
    )]
    NotJudiciallyConfirmable {
        /// The body that handled the dispute.
        body: OrgId,
        /// What kind of mediation organisation it is.
        organisation: MediationOrganisation,
    },
    /// The route is not open for this dispute.
    #[error("referral to {to:?} is not open: the open routes are {open}")]
    RouteNotOpen {
        /// The route asked for.
        to: Referral,
        /// The routes that are open.
        open: Routes,
    },
    /// A risk report records the preventive measures taken.
    #[error("a risk report must record the preventive measures taken")]
    NoMeasuresRecorded,
    /// No body with the capability asked for is reachable from the
    /// dispute's location: the risk cannot be reported there.
    #[error(
        "no body with capability {need} serves {location} or any area above it: the risk cannot be reported"
    )]
    NoBodyToReportTo {
        /// The dispute's location.
        location: OrgId,
        /// The capability asked for.
        need: Need,
    },
    /// Only an assigned mediator or an officer of the handling body reports
    /// a risk.
    #[error(
        "actor {actor} may not report a risk: it is neither an assigned mediator nor an officer of {body}"
    )]
    NotMediatorOrOfficer {
        /// Who tried.
        actor: ActorId,
        /// The handling body.
        body: OrgId,
    },
    /// A risk flag must raise the severity.
    #[error("a risk flag must raise the severity: it is {current}, {requested} was asked")]
    SeverityNotRaised {
        /// The severity now.
        current: Severity,
        /// The severity asked for.
        requested: Severity,
    },
    /// The embedded escalation ladder refused (a ceiling, no handler, an
    /// exhausted ladder, ...).
    #[error("escalation ladder: {0}")]
    Ladder(#[from] LadderError),
    /// The organisation graph could not answer (a body missing from it).
    #[error("organisation graph: {0}")]
    Graph(#[from] OrgGraphError),
    /// A deadline could not be computed.
    #[error("calendar: {0}")]
    Calendar(#[from] CalendarError),
}

/// Why a stored dispute state was refused: read from JSON, the parts of a
/// [`DisputeState`](super::DisputeState) are checked, not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DisputeStateError {
    /// A dispute file with fewer than two parties.
    #[error("a dispute needs two or more parties, the stored file has {count}")]
    TooFewParties {
        /// How many it has.
        count: usize,
    },
    /// The same actor twice among the parties.
    #[error("party {party} appears twice in the stored file")]
    DuplicateParty {
        /// The actor.
        party: ActorId,
    },
    /// A labour limit on a dispute that is not about labour, or none on
    /// one that is.
    #[error("the stored labour limit does not fit a {kind} dispute")]
    LabourLimitMismatch {
        /// The dispute's kind.
        kind: DisputeKind,
    },
    /// The labour deadline lies before the dispute was received.
    #[error("the labour deadline {deadline} lies before receipt at {received_at}")]
    DeadlineBeforeReceipt {
        /// When it was received.
        received_at: DateTime<Utc>,
        /// The deadline stored.
        deadline: DateTime<Utc>,
    },
    /// A mediation without mediators.
    #[error("a stored mediation has no mediators")]
    NoMediators,
    /// The same mediator twice.
    #[error("mediator {mediator} appears twice in the stored mediation")]
    DuplicateMediator {
        /// The mediator.
        mediator: ActorId,
    },
    /// A draft or agreement without terms.
    #[error("a stored agreement has empty terms")]
    EmptyTerms,
    /// The same signature twice on a draft.
    #[error("{signer} signed the stored draft twice")]
    SignedTwice {
        /// Who.
        signer: ActorId,
    },
    /// The confirmation window closes before the agreement took effect.
    #[error(
        "the confirmation deadline {deadline} lies before the agreement took effect at {effective_at}"
    )]
    DeadlineBeforeEffect {
        /// When it took effect.
        effective_at: DateTime<Utc>,
        /// The deadline stored.
        deadline: DateTime<Utc>,
    },
    /// An oral agreement marked as applied for confirmation.
    #[error("a stored oral agreement cannot have been applied for confirmation")]
    OralAgreementConfirmed,
    /// A confirmation applied for outside its window.
    #[error(
        "a confirmation applied for at {at} lies outside its window {effective_at} to {deadline}"
    )]
    ConfirmationOutsideWindow {
        /// When it was applied for.
        at: DateTime<Utc>,
        /// When the agreement took effect.
        effective_at: DateTime<Utc>,
        /// The end of the window.
        deadline: DateTime<Utc>,
    },
}
