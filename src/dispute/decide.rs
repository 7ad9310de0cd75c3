//! [`Dispute`]: the configured machine, and the rules its `decide` holds.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::command::{
    Channel, DisputeCommand, Obligation, ObligationKind, ObligationPerformance, Performance,
    ReferralGround, Report, RiskContinuation, Ruling, Selection,
};
use super::error::DisputeError;
use super::event::{AgreementRecorded, DisputeEvent, DisputeEventKind, Reported};
use super::routes::{Remedy, Routes};
use super::state::{
    Agreement, AgreementForm, Confirmation, DisputeFile, DisputeState, DisputeStateKind, Draft,
    LabourLimit, Mediation,
};
use super::table::TRANSITIONS;
use crate::actor::{Actor, Role};
use crate::calendar::TimeLimit;
use crate::escalation::{
    EscalationReason, Ladder, LadderCommand, LadderCommandKind, LadderError, LadderEvent,
    LadderState, LadderStateKind, Referral, SeverityCause, Started,
};
use crate::id::{ActorId, OrgId};
use crate::org::{MediationOrganisation, Need};
use crate::tier::{Severity, Tier};
use crate::workflow::{Context, Decision, HasKind, Transition, Workflow, embed};

/// The time limits of the dispute workflow, with the law's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeSettings {
    /// How long a labour dispute may go without an agreement, from receipt,
    /// before any party may take it to arbitration: 15 days by default
    /// (劳动争议调解仲裁法, art. 14).
    pub labour_limit: TimeLimit,
    /// How long after an agreement takes effect the parties may jointly
    /// apply for its judicial confirmation: 30 days by default (人民调解法,
    /// art. 33).
    pub confirmation_window: TimeLimit,
}

impl Default for DisputeSettings {
    fn default() -> Self {
        Self {
            labour_limit: TimeLimit::LegalDays(15),
            confirmation_window: TimeLimit::LegalDays(30),
        }
    }
}

/// The dispute-mediation workflow, configured: the escalation [`Ladder`] it
/// embeds (and through it the org graph and the working calendar) and its
/// [`DisputeSettings`].
///
/// Cheap to clone: the ladder shares its policies, graph and calendar.
#[derive(Debug, Clone)]
pub struct Dispute {
    ladder: Ladder,
    settings: DisputeSettings,
}

impl Dispute {
    /// The workflow on `ladder`, with the law's default time limits.
    pub fn new(ladder: Ladder) -> Self {
        Self {
            ladder,
            settings: DisputeSettings::default(),
        }
    }

    /// The same workflow with other time limits.
    #[must_use]
    pub fn with_settings(mut self, settings: DisputeSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The embedded ladder.
    pub fn ladder(&self) -> &Ladder {
        &self.ladder
    }

    /// The time limits.
    pub fn settings(&self) -> &DisputeSettings {
        &self.settings
    }

    /// The local date of `at` on the ladder's calendar: memberships are
    /// judged on that day.
    fn date(&self, at: DateTime<Utc>) -> Result<NaiveDate, DisputeError> {
        Ok(self.ladder.calendar().local_date(at)?)
    }

    fn report(
        &self,
        r: &Report,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        match r.channel {
            Channel::Party => {
                if !r.parties.iter().any(|p| p.actor == *actor.id()) {
                    return Err(not_a_party(actor, "report a dispute as a party"));
                }
            }
            Channel::GridWorker => actor.require("report a dispute", Role::GridWorker)?,
            Channel::MerchantsCouncil
            | Channel::SecretaryFaceToFace
            | Channel::CourtReferral
            | Channel::PoliceReferral => {
                actor.require("report a dispute", Role::Officer(Tier::Grid))?
            }
        }
        if r.parties.len() < 2 {
            return Err(DisputeError::TooFewParties {
                count: r.parties.len(),
            });
        }
        let graph = self.ladder.graph();
        for (i, p) in r.parties.iter().enumerate() {
            if r.parties[..i].iter().any(|q| q.actor == p.actor) {
                return Err(DisputeError::DuplicateParty {
                    party: p.actor.clone(),
                });
            }
            if let Some(org) = &p.org {
                if !graph.contains(org) {
                    return Err(DisputeError::UnknownPartyOrg {
                        party: p.actor.clone(),
                        org: org.clone(),
                    });
                }
            }
        }
        match graph.org(&r.location) {
            None => {
                return Err(DisputeError::UnknownLocation {
                    location: r.location.clone(),
                });
            }
            Some(org) if org.tier().is_none() => {
                return Err(DisputeError::LocationNotTerritorial {
                    location: r.location.clone(),
                });
            }
            Some(_) => {}
        }
        // The labour period runs from the body's receipt, not from the
        // report: `accept` records it (劳动争议调解仲裁法, art. 14).
        Ok(DisputeEvent::from(Reported {
            kind: r.kind,
            parties: r.parties.clone(),
            location: r.location.clone(),
            channel: r.channel,
            severity: r.severity,
            received_at: ctx.at(),
            labour_deadline: None,
        })
        .into())
    }

    /// LDMAL art. 14 (劳动争议调解仲裁法): the 15 days in which a labour
    /// dispute may be mediated run from the day the mediation body
    /// *receives* it — its acceptance — not from the first report. The
    /// first acceptance of a labour dispute fixes the deadline; later ones
    /// (after an escalation) do not restart it.
    fn labour_deadline(
        &self,
        file: &DisputeFile,
        ctx: &Context<'_>,
    ) -> Result<Option<DateTime<Utc>>, DisputeError> {
        match file.labour() {
            LabourLimit::AwaitingReceipt => Ok(Some(
                self.ladder
                    .calendar()
                    .deadline(ctx.at(), self.settings.labour_limit)?,
            )),
            _ => Ok(None),
        }
    }

    /// Puts a reported dispute on the ladder: the `Started` step names the
    /// routed body, whose officers alone may accept or decline.
    fn start(&self, file: &DisputeFile, ctx: &Context<'_>) -> Result<Started, DisputeError> {
        let start = LadderCommand::Start {
            location: file.location().clone(),
            need: Need::Mediation(file.kind()),
            severity: file.severity(),
            due: None,
        };
        let decided = self.ladder.decide_embedded(file.ladder(), &start, ctx)?;
        decided
            .into_iter()
            .find_map(|e| match e {
                LadderEvent::Started(s) => Some(s),
                _ => None,
            })
            .ok_or(DisputeError::Ladder(LadderError::NotApplicable {
                command: LadderCommandKind::Start,
                state: LadderStateKind::Idle,
            }))
    }

    fn ladder_step(
        &self,
        file: &DisputeFile,
        command: &LadderCommand,
        ctx: &Context<'_>,
    ) -> Result<impl Iterator<Item = DisputeEvent>, DisputeError> {
        let decided = self.ladder.decide_embedded(file.ladder(), command, ctx)?;
        Ok(embed::wrap::<_, DisputeEvent>(decided).into_iter())
    }

    fn assign(
        &self,
        file: &DisputeFile,
        mediators: &[ActorId],
        selection: Selection,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let (body, tier) = handling_body(file)?;
        officer_of(ctx.actor(), body, tier, "assign mediators")?;
        if mediators.is_empty() {
            return Err(DisputeError::NoMediators);
        }
        let graph = self.ladder.graph();
        let date = self.date(ctx.at())?;
        if selection == Selection::Roster {
            // The body must exist for its roster to be read.
            graph.node(body)?;
        }
        // The organisations each party is, represents or belongs to.
        let tied: Vec<(&ActorId, Vec<&OrgId>)> = file
            .parties()
            .iter()
            .map(|p| {
                let mut orgs: Vec<&OrgId> = graph
                    .orgs_of_actor(&p.actor, date)
                    .into_iter()
                    .map(|o| &o.id)
                    .collect();
                orgs.extend(p.org.as_ref());
                (&p.actor, orgs)
            })
            .collect();
        for (i, m) in mediators.iter().enumerate() {
            if mediators[..i].contains(m) {
                return Err(DisputeError::DuplicateMediator {
                    mediator: m.clone(),
                });
            }
            if file.is_party(m) {
                return Err(DisputeError::MediatorIsParty {
                    mediator: m.clone(),
                });
            }
            // On the roster: a member of the body on the day. Read from the
            // mediator's own memberships (a few links), not the body's
            // member list (hundreds in a city).
            let belongs_to = graph.orgs_of_actor(m, date);
            if selection == Selection::Roster && !belongs_to.iter().any(|o| o.id == *body) {
                return Err(DisputeError::NotOnRoster {
                    mediator: m.clone(),
                    body: body.clone(),
                });
            }
            if !self.is_rostered(m, selection, body, date) {
                return Err(DisputeError::NotAPeoplesMediator {
                    mediator: m.clone(),
                    date,
                });
            }
            for org in belongs_to {
                if let Some((party, _)) = tied.iter().find(|(_, orgs)| orgs.contains(&&org.id)) {
                    return Err(DisputeError::MediatorConflict {
                        mediator: m.clone(),
                        party: (*party).clone(),
                        org: org.id.clone(),
                    });
                }
            }
        }
        Ok(DisputeEvent::MediatorsAssigned {
            mediators: mediators.to_vec(),
            selection,
        }
        .into())
    }

    /// PML arts. 13 and 19 (人民调解法): people's mediators are the members
    /// of a people's mediation committee and those it engages; the
    /// committee assigns mediators, or the parties choose people's
    /// mediators. `mediator` is on a roster on `date` if it is a member of
    /// the handling `body` — or, chosen by the parties, of a people's
    /// mediation committee.
    fn is_rostered(
        &self,
        mediator: &ActorId,
        selection: Selection,
        body: &OrgId,
        date: NaiveDate,
    ) -> bool {
        let graph = self.ladder.graph();
        graph.memberships(mediator, date).any(|o| o.id == *body)
            || (selection == Selection::ChosenByParties
                && graph.memberships(mediator, date).any(|o| {
                    graph.mediation_organisation(&o.id)
                        == Some(MediationOrganisation::PeoplesMediationCommittee)
                }))
    }

    /// Only people's mediators mediate (PML arts. 13, 19): recording a
    /// session, an agreement, a signature as mediator or the end of the
    /// mediation needs an assigned mediator with the mediator role who is
    /// on a roster on the day ([`Self::is_rostered`]); an id alone is not
    /// enough.
    fn require_rostered_mediator(
        &self,
        file: &DisputeFile,
        mediation: &Mediation,
        actor: &Actor,
        action: &'static str,
        at: DateTime<Utc>,
    ) -> Result<(), DisputeError> {
        is_mediator_of(mediation, actor, action)?;
        actor.require(action, Role::Mediator)?;
        let (body, _) = handling_body(file)?;
        let date = self.date(at)?;
        if self.is_rostered(actor.id(), mediation.selection(), body, date) {
            Ok(())
        } else {
            Err(DisputeError::MediatorNotRostered {
                mediator: actor.id().clone(),
                action,
                body: body.clone(),
                date,
            })
        }
    }

    /// A party may ask for a mediator to be replaced, giving its reason
    /// (PML art. 23: a party may choose or accept the mediator, and ask for
    /// one to withdraw). The reason is recorded; the request is granted.
    fn request_recusal(
        &self,
        file: &DisputeFile,
        mediation: &Mediation,
        mediator: &ActorId,
        reason: &str,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        is_party_of(file, actor, "ask for a mediator to be replaced")?;
        if !mediation.is_mediator(mediator) {
            return Err(DisputeError::NotAnAssignedMediator {
                mediator: mediator.clone(),
            });
        }
        if reason.trim().is_empty() {
            return Err(DisputeError::NoRecusalReason {
                mediator: mediator.clone(),
            });
        }
        Ok(DisputeEvent::MediatorRecused {
            mediator: mediator.clone(),
            requested_by: actor.id().clone(),
            reason: reason.to_owned(),
        }
        .into())
    }

    /// PML arts. 28 and 30 (人民调解法): where the parties see no need for a
    /// written agreement, the agreement may be oral; a rostered mediator
    /// records its content (after at least one session), and it takes
    /// effect when the parties reach it — so the ladder is resolved now.
    fn record_oral_agreement(
        &self,
        file: &DisputeFile,
        mediation: &Mediation,
        content: &str,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        self.require_rostered_mediator(
            file,
            mediation,
            actor,
            "record an oral agreement",
            ctx.at(),
        )?;
        if mediation.sessions() == 0 {
            return Err(DisputeError::NoSessionYet);
        }
        if content.trim().is_empty() {
            return Err(DisputeError::EmptyTerms);
        }
        let mut decision = Decision::one(DisputeEvent::OralAgreementReached {
            content: content.to_owned(),
            mediator: actor.id().clone(),
            at: ctx.at(),
        });
        push_all(
            &mut decision,
            self.ladder_step(file, &LadderCommand::Resolve, ctx)?,
        );
        Ok(decision)
    }

    fn sign(
        &self,
        file: &DisputeFile,
        mediation: &Mediation,
        draft: &Draft,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let by = ctx.actor().id();
        if !file.is_party(by) && *draft.mediator() != *by {
            return Err(DisputeError::NotSignatory { actor: by.clone() });
        }
        if draft.is_signed_by(by) {
            return Err(DisputeError::AlreadySigned { actor: by.clone() });
        }
        if *draft.mediator() == *by && !file.is_party(by) {
            self.require_rostered_mediator(
                file,
                mediation,
                ctx.actor(),
                "sign the agreement as mediator",
                ctx.at(),
            )?;
        }
        let signed = DisputeEvent::AgreementSigned { by: by.clone() };
        let last = draft.sealed_by().is_some()
            && (*draft.mediator() == *by || draft.is_signed_by(draft.mediator()))
            && file
                .parties()
                .iter()
                .all(|p| p.actor == *by || draft.is_signed_by(&p.actor));
        if !last {
            return Ok(signed.into());
        }
        self.take_effect(file, Decision::one(signed), ctx)
    }

    /// PML art. 29 (人民调解法): a written agreement bears the handling
    /// body's seal beside the signatures; an officer of the body affixes
    /// it, once. In effect on the last of the signatures and the seal.
    fn affix_seal(
        &self,
        file: &DisputeFile,
        draft: &Draft,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let (body, tier) = handling_body(file)?;
        officer_of(ctx.actor(), body, tier, "affix the seal")?;
        if let Some(sealed) = draft.sealed_by() {
            return Err(DisputeError::AlreadySealed {
                body: sealed.clone(),
            });
        }
        let sealed = Decision::one(DisputeEvent::SealAffixed {
            body: body.clone(),
            by: ctx.actor().id().clone(),
        });
        if draft.is_signed_by(draft.mediator())
            && file.parties().iter().all(|p| draft.is_signed_by(&p.actor))
        {
            return self.take_effect(file, sealed, ctx);
        }
        Ok(sealed)
    }

    /// The agreement takes effect now: the confirmation window starts and
    /// the ladder is resolved.
    fn take_effect(
        &self,
        file: &DisputeFile,
        decision: Decision<DisputeEvent>,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let at = ctx.at();
        let confirmation_due = self
            .ladder
            .calendar()
            .deadline(at, self.settings.confirmation_window)?;
        let mut decision = decision.and(DisputeEvent::AgreementTookEffect {
            at,
            confirmation_due,
        });
        push_all(
            &mut decision,
            self.ladder_step(file, &LadderCommand::Resolve, ctx)?,
        );
        Ok(decision)
    }

    fn apply_for_confirmation(
        &self,
        file: &DisputeFile,
        agreement: &Agreement,
        applicants: &[ActorId],
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        if !file.is_party(actor.id()) {
            return Err(not_a_party(actor, "apply for judicial confirmation"));
        }
        // PML arts. 28, 30, 33: an oral agreement is not confirmed.
        if agreement.form() == AgreementForm::Oral {
            return Err(DisputeError::OralAgreementNotConfirmable);
        }
        // PML art. 33: only a people's mediation agreement may be
        // judicially confirmed; a commercial mediation organisation's is a
        // contract.
        let (body, _) = handling_body(file)?;
        if let Some(organisation) = self.ladder.graph().mediation_organisation(body) {
            if !organisation.agreement_may_be_judicially_confirmed() {
                return Err(DisputeError::NotJudiciallyConfirmable {
                    body: body.clone(),
                    organisation,
                });
            }
        }
        if let Some(at) = agreement.confirmation().applied_at() {
            return Err(DisputeError::ConfirmationAlreadyApplied { applied_at: at });
        }
        if let Some(a) = applicants.iter().find(|a| !file.is_party(a)) {
            return Err(DisputeError::ApplicantNotAParty {
                applicant: a.clone(),
            });
        }
        let missing: Vec<ActorId> = file
            .parties()
            .iter()
            .filter(|p| !applicants.contains(&p.actor))
            .map(|p| p.actor.clone())
            .collect();
        if !missing.is_empty() {
            return Err(DisputeError::ConfirmationNotJoint { missing });
        }
        if ctx.at() >= agreement.confirmation_due() {
            return Err(DisputeError::ConfirmationTooLate {
                effective_at: agreement.effective_at(),
                applied_at: ctx.at(),
                deadline: agreement.confirmation_due(),
                limit: self.settings.confirmation_window,
            });
        }
        let mut named: Vec<ActorId> = Vec::with_capacity(file.parties().len());
        for a in applicants {
            if !named.contains(a) {
                named.push(a.clone());
            }
        }
        Ok(DisputeEvent::ConfirmationApplied {
            applicants: named,
            at: ctx.at(),
        }
        .into())
    }

    /// PML art. 29 (人民调解法): the written agreement states the parties
    /// (the dispute's), the main facts and issues, and each obligation —
    /// who, what, how much, by when. Every obligor is a party, no amount is
    /// negative, no obligation falls due before the agreement is recorded.
    fn record_agreement(
        &self,
        file: &DisputeFile,
        mediation: &Mediation,
        facts: &str,
        terms: &str,
        obligations: &[Obligation],
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        self.require_rostered_mediator(file, mediation, actor, "record the agreement", ctx.at())?;
        if mediation.sessions() == 0 {
            return Err(DisputeError::NoSessionYet);
        }
        if terms.trim().is_empty() {
            return Err(DisputeError::EmptyTerms);
        }
        if facts.trim().is_empty() {
            return Err(DisputeError::NoFactsStated);
        }
        for (i, o) in obligations.iter().enumerate() {
            let obligation = u32::try_from(i).unwrap_or(u32::MAX);
            if !file.is_party(&o.obligor) {
                return Err(DisputeError::ObligorNotAParty {
                    obligation,
                    obligor: o.obligor.clone(),
                });
            }
            if o.what.trim().is_empty() {
                return Err(DisputeError::EmptyObligation { obligation });
            }
            if let Some(fen) = o.amount_fen {
                if fen < 0 {
                    return Err(DisputeError::NegativeAmount { obligation, fen });
                }
            }
            if let Some(due) = o.due {
                if due < ctx.at() {
                    return Err(DisputeError::DueBeforeAgreement {
                        obligation,
                        due,
                        recorded_at: ctx.at(),
                    });
                }
            }
        }
        Ok(DisputeEvent::from(AgreementRecorded {
            terms: terms.to_owned(),
            mediator: actor.id().clone(),
            facts: facts.to_owned(),
            obligations: obligations.to_vec(),
        })
        .into())
    }

    /// PML art. 31 (人民调解法): the committee follows the agreement's
    /// performance; its mediator or an officer of the body that resolved
    /// it records it.
    fn require_follower(
        file: &DisputeFile,
        agreement: &Agreement,
        actor: &Actor,
    ) -> Result<(), DisputeError> {
        if *agreement.mediator() != *actor.id() {
            let (body, tier) = handling_body(file)?;
            officer_of(actor, body, tier, "record the performance")?;
        }
        Ok(())
    }

    /// The whole agreement's performance. Fulfilled needs every obligation
    /// performed (PML art. 31: obligation by obligation); a breach names
    /// the routes (PML art. 32; LDMAL arts. 15–16; PML art. 33 once
    /// confirmed).
    fn record_performance(
        file: &DisputeFile,
        agreement: &Agreement,
        performance: Performance,
        actor: &Actor,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        Self::require_follower(file, agreement, actor)?;
        Ok(match performance {
            Performance::Fulfilled => {
                if agreement.outstanding() > 0 {
                    return Err(DisputeError::ObligationsOutstanding {
                        outstanding: agreement.outstanding(),
                    });
                }
                DisputeEvent::AgreementFulfilled
            }
            Performance::Breached => {
                breach(file, agreement, None, ObligationPerformance::NotPerformed)
            }
        }
        .into())
    }

    /// PML art. 31 (人民调解法): performance is followed obligation by
    /// obligation. The last obligation performed fulfils the agreement;
    /// one not performed (once due) or disputed breaches it, naming the
    /// routes (art. 32; for labour, 劳动争议调解仲裁法 arts. 15–16: arbitration,
    /// and a payment order for unpaid wages).
    fn record_obligation(
        file: &DisputeFile,
        agreement: &Agreement,
        obligation: u32,
        performance: ObligationPerformance,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        Self::require_follower(file, agreement, ctx.actor())?;
        let count = agreement.obligations().len();
        let Some(o) = usize::try_from(obligation)
            .ok()
            .and_then(|i| agreement.obligations().get(i))
        else {
            return Err(DisputeError::UnknownObligation { obligation, count });
        };
        if agreement.is_performed(obligation) {
            return Err(DisputeError::ObligationAlreadyPerformed { obligation });
        }
        match performance {
            ObligationPerformance::Performed => {
                let mut decision = Decision::one(DisputeEvent::ObligationPerformed { obligation });
                if agreement.outstanding() == 1 {
                    decision.push(DisputeEvent::AgreementFulfilled);
                }
                Ok(decision)
            }
            ObligationPerformance::NotPerformed => {
                if let Some(due) = o.due {
                    if ctx.at() < due {
                        return Err(DisputeError::ObligationNotYetDue {
                            obligation,
                            due,
                            at: ctx.at(),
                        });
                    }
                }
                Ok(breach(file, agreement, Some(obligation), performance).into())
            }
            _ => Ok(breach(file, agreement, Some(obligation), performance).into()),
        }
    }

    /// The court's ruling on a pending application for judicial
    /// confirmation, recorded by a party or an officer of the body that
    /// resolved the dispute. A refusal names litigation as the route open
    /// (PML art. 33: or a changed or new agreement by mediation).
    fn record_ruling(
        file: &DisputeFile,
        agreement: &Agreement,
        ruling: Ruling,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        if !file.is_party(actor.id()) {
            let (body, tier) = handling_body(file)?;
            officer_of(actor, body, tier, "record the court's ruling")?;
        }
        if !matches!(agreement.confirmation(), Confirmation::Applied { .. }) {
            return Err(DisputeError::NoConfirmationPending);
        }
        let routes = match ruling {
            Ruling::Confirmed => Routes::NONE,
            Ruling::Refused { .. } => Routes::only(Referral::Litigation),
        };
        Ok(DisputeEvent::ConfirmationRuled {
            ruling,
            at: ctx.at(),
            routes,
        }
        .into())
    }

    /// PML art. 33 (人民调解法): a confirmed agreement that a party refuses
    /// to perform, or performs only in part, may be enforced by the
    /// people's court on the other party's application. Only a party, only
    /// once, only a confirmed agreement that was breached.
    fn apply_for_enforcement(
        file: &DisputeFile,
        agreement: &Agreement,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        is_party_of(file, ctx.actor(), "apply for enforcement")?;
        if !matches!(agreement.confirmation(), Confirmation::Confirmed { .. }) {
            return Err(DisputeError::NotConfirmed);
        }
        if let Some(applied_at) = agreement.enforcement_applied_at() {
            return Err(DisputeError::EnforcementAlreadyApplied { applied_at });
        }
        Ok(DisputeEvent::EnforcementApplied {
            by: ctx.actor().id().clone(),
            at: ctx.at(),
        }
        .into())
    }

    fn refer(
        &self,
        state: &DisputeState,
        file: &DisputeFile,
        to: Referral,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        if let DisputeState::MediationFailed { routes, .. } = state {
            if !file.is_party(actor.id()) {
                let (body, tier) = handling_body(file)?;
                officer_of(actor, body, tier, "refer the dispute")?;
            }
            if !routes.contains(to) {
                return Err(DisputeError::RouteNotOpen { to, open: *routes });
            }
            let mut decision = Decision::none();
            if matches!(file.ladder(), LadderState::Exhausted(_)) {
                push_all(
                    &mut decision,
                    self.ladder_step(file, &LadderCommand::ReferOut { to }, ctx)?,
                );
            }
            decision.push(DisputeEvent::Referred {
                to,
                ground: Some(ReferralGround::MediationFailed),
                routes: *routes,
            });
            return Ok(decision);
        }
        self.refer_labour(file, to, ctx)
    }

    /// Before mediation fails, only a party to a labour dispute is
    /// referred out, and only to arbitration, on one of two grounds:
    ///
    /// - LDMAL art. 5: a party unwilling to mediate may apply for
    ///   arbitration directly — at any time, even before any body received
    ///   the dispute. The ground is recorded.
    /// - LDMAL art. 14: once 15 days from the body's receipt passed without
    ///   an agreement, a party may apply for arbitration. The right is
    ///   judged here from the recorded deadline and the command's time; it
    ///   does not wait for a `Tick` to have recorded it (the referral then
    ///   records `ArbitrationOpened` first).
    fn refer_labour(
        &self,
        file: &DisputeFile,
        to: Referral,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        if file.labour() == LabourLimit::NotLabour {
            return Err(DisputeError::NotLabourDispute { kind: file.kind() });
        }
        if !file.is_party(actor.id()) {
            return Err(not_a_party(actor, "take the dispute to arbitration"));
        }
        let open = Routes::only(Referral::Arbitration);
        if !open.contains(to) {
            return Err(DisputeError::RouteNotOpen { to, open });
        }
        let mut decision = Decision::none();
        let ground = match file.labour() {
            LabourLimit::Running { deadline } if ctx.at() >= deadline => {
                decision.push(DisputeEvent::ArbitrationOpened { deadline });
                ReferralGround::NoAgreementWithinPeriod
            }
            LabourLimit::MayApplyForArbitration { .. } => ReferralGround::NoAgreementWithinPeriod,
            _ => ReferralGround::UnwillingToMediate,
        };
        decision.push(DisputeEvent::Referred {
            to,
            ground: Some(ground),
            routes: Routes::open_for(file.kind()),
        });
        Ok(decision)
    }

    /// PML art. 25 (人民调解法): where a dispute may intensify, the mediator
    /// takes preventive measures and reports in time to the public
    /// security organ or other relevant department. The report is its own
    /// fact: the measures, the body reported to — the nearest body with
    /// capability `to` serving the dispute's location or an area above it,
    /// on the day — and whether mediation continues or the case is handed
    /// over (then referred out, for administrative handling, with the
    /// routes named). Raising the severity is `FlagRisk`'s, not this.
    fn report_risk(
        &self,
        state: &DisputeState,
        file: &DisputeFile,
        measures: &str,
        to: &Need,
        continuation: RiskContinuation,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let actor = ctx.actor();
        let (body, tier) = handling_body(file)?;
        let mediator =
            actor.has_role(Role::Mediator) && state.mediators().iter().any(|m| m == actor.id());
        let officer = actor.acts_for(body) && actor.has_role(Role::Officer(tier));
        if !mediator && !officer {
            return Err(DisputeError::NotMediatorOrOfficer {
                actor: actor.id().clone(),
                body: body.clone(),
            });
        }
        if measures.trim().is_empty() {
            return Err(DisputeError::NoMeasuresRecorded);
        }
        let date = self.date(ctx.at())?;
        let path = self
            .ladder
            .graph()
            .escalation_path(file.location(), to, date)?;
        let Some(route) = path.into_iter().next() else {
            return Err(DisputeError::NoBodyToReportTo {
                location: file.location().clone(),
                need: *to,
            });
        };
        let mut decision = Decision::one(DisputeEvent::RiskReported {
            measures: measures.to_owned(),
            by: actor.id().clone(),
            reported_to: route.handler,
            tier: route.tier,
            continuation,
        });
        if continuation == RiskContinuation::HandedOver {
            decision.push(DisputeEvent::Referred {
                to: Referral::Administrative,
                ground: Some(ReferralGround::RiskHandedOver),
                routes: Routes::open_for(file.kind()),
            });
        }
        Ok(decision)
    }

    fn flag_risk(
        &self,
        state: &DisputeState,
        file: &DisputeFile,
        severity: Severity,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let raise = LadderCommand::RaiseSeverity {
            to: severity,
            cause: SeverityCause::RiskOfIntensifying,
        };
        self.ladder
            .authorize(file.ladder(), &raise, ctx.actor())
            .map_err(|e| match e {
                LadderError::Forbidden(f) => DisputeError::Forbidden(f),
                other => DisputeError::Ladder(other),
            })?;
        if severity <= file.severity() {
            return Err(DisputeError::SeverityNotRaised {
                current: file.severity(),
                requested: severity,
            });
        }
        let mut decision = Decision::one(DisputeEvent::RiskFlagged {
            from: file.severity(),
            to: severity,
        });
        let on_ladder = matches!(
            file.ladder(),
            LadderState::Handling(_) | LadderState::Exhausted(_)
        );
        if state.is_on_ladder() && on_ladder {
            push_all(&mut decision, self.ladder_step(file, &raise, ctx)?);
        }
        Ok(decision)
    }

    fn tick(
        &self,
        state: &DisputeState,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        let mut decision = Decision::none();
        let Some(file) = state.file() else {
            return Ok(decision);
        };
        if let LabourLimit::Running { deadline } = file.labour() {
            if state.is_open() && ctx.at() >= deadline {
                decision.push(DisputeEvent::ArbitrationOpened { deadline });
            }
        }
        if state.is_on_ladder() && matches!(file.ladder(), LadderState::Handling(_)) {
            push_all(
                &mut decision,
                self.ladder_step(file, &LadderCommand::Tick, ctx)?,
            );
        }
        Ok(decision)
    }
}

/// The breach of `agreement` (of one obligation, or of the whole), with
/// the routes open: enforcement once confirmed, arbitration (and a
/// payment order for unpaid wages) for labour, litigation otherwise.
fn breach(
    file: &DisputeFile,
    agreement: &Agreement,
    obligation: Option<u32>,
    performance: ObligationPerformance,
) -> DisputeEvent {
    let confirmed = matches!(agreement.confirmation(), Confirmation::Confirmed { .. });
    let wages = |o: &Obligation| o.kind == ObligationKind::Wages;
    let wages_unpaid = performance == ObligationPerformance::NotPerformed
        && match obligation.and_then(|n| usize::try_from(n).ok()) {
            Some(i) => agreement.obligations().get(i).is_some_and(wages),
            None => agreement.obligations().iter().enumerate().any(|(i, o)| {
                wages(o) && !agreement.is_performed(u32::try_from(i).unwrap_or(u32::MAX))
            }),
        };
    DisputeEvent::AgreementBreached {
        obligation,
        performance,
        remedies: Remedy::for_breach(file.kind(), confirmed, wages_unpaid),
    }
}

/// The body handling an accepted dispute, and its tier.
fn handling_body(file: &DisputeFile) -> Result<(&OrgId, Tier), DisputeError> {
    file.rung()
        .map(|r| (r.handler(), r.tier()))
        .ok_or(DisputeError::NotOnLadder)
}

/// Checks that `actor` is an officer of `tier` acting for `body`.
fn officer_of(
    actor: &Actor,
    body: &OrgId,
    tier: Tier,
    action: &'static str,
) -> Result<(), DisputeError> {
    if actor.acts_for(body) && actor.has_role(Role::Officer(tier)) {
        Ok(())
    } else {
        Err(DisputeError::NotBodyOfficer {
            actor: actor.id().clone(),
            action,
            body: body.clone(),
            tier,
        })
    }
}

fn push_all(decision: &mut Decision<DisputeEvent>, events: impl Iterator<Item = DisputeEvent>) {
    for e in events {
        decision.push(e);
    }
}

fn not_a_party(actor: &Actor, action: &'static str) -> DisputeError {
    DisputeError::NotAParty {
        actor: actor.id().clone(),
        action,
    }
}

fn is_party_of(
    file: &DisputeFile,
    actor: &Actor,
    action: &'static str,
) -> Result<(), DisputeError> {
    if file.is_party(actor.id()) {
        Ok(())
    } else {
        Err(not_a_party(actor, action))
    }
}

fn is_mediator_of(
    mediation: &Mediation,
    actor: &Actor,
    action: &'static str,
) -> Result<(), DisputeError> {
    if mediation.is_mediator(actor.id()) {
        Ok(())
    } else {
        Err(DisputeError::NotAssignedMediator {
            actor: actor.id().clone(),
            action,
        })
    }
}

impl Workflow for Dispute {
    const NAME: &'static str = "dispute";
    type State = DisputeState;
    type Command = DisputeCommand;
    type Event = DisputeEvent;
    type Rejection = DisputeError;

    fn initial() -> DisputeState {
        DisputeState::Unreported
    }

    fn decide(
        &self,
        state: &DisputeState,
        command: &DisputeCommand,
        ctx: &Context<'_>,
    ) -> Result<Decision<DisputeEvent>, DisputeError> {
        use DisputeCommand as C;
        use DisputeState as S;
        let not_applicable = || DisputeError::NotApplicable {
            command: command.kind(),
            state: state.kind(),
        };
        if state.is_terminal() {
            return Err(not_applicable());
        }
        let actor = ctx.actor();
        match (state, command) {
            (S::Mediating { file, mediation }, C::RecordSession) => {
                self.require_rostered_mediator(
                    file,
                    mediation,
                    actor,
                    "record a session",
                    ctx.at(),
                )?;
                Ok(DisputeEvent::SessionRecorded {
                    number: mediation.sessions().saturating_add(1),
                }
                .into())
            }
            (S::Unreported, C::Report(report)) => self.report(report, ctx),
            (_, C::Tick) => {
                actor.require("tick", Role::System)?;
                self.tick(state, ctx)
            }
            (S::Reported { file }, C::Accept) => {
                let s = self.start(file, ctx)?;
                let (body, tier) = (s.route.handler.clone(), s.route.tier);
                officer_of(actor, &body, tier, "accept the dispute")?;
                let labour_deadline = self.labour_deadline(file, ctx)?;
                Ok(
                    Decision::one(DisputeEvent::from(LadderEvent::Started(s))).and(
                        DisputeEvent::Accepted {
                            body,
                            tier,
                            labour_deadline,
                        },
                    ),
                )
            }
            (S::Escalated { file }, C::Accept) => {
                let (body, tier) = handling_body(file)?;
                officer_of(actor, body, tier, "accept the dispute")?;
                Ok(DisputeEvent::Accepted {
                    body: body.clone(),
                    tier,
                    labour_deadline: self.labour_deadline(file, ctx)?,
                }
                .into())
            }
            (S::Reported { file } | S::Escalated { file }, C::Decline { reason, routes }) => {
                let (body, tier) = match state {
                    S::Reported { .. } => {
                        let s = self.start(file, ctx)?;
                        (s.route.handler, s.route.tier)
                    }
                    _ => {
                        let (body, tier) = handling_body(file)?;
                        (body.clone(), tier)
                    }
                };
                officer_of(actor, &body, tier, "decline the dispute")?;
                if routes.is_empty() {
                    return Err(DisputeError::NoRoutesNamed);
                }
                Ok(DisputeEvent::Declined {
                    body,
                    tier,
                    reason: *reason,
                    routes: *routes,
                }
                .into())
            }
            (S::Reported { file } | S::Accepted { file } | S::Escalated { file }, C::Refuse) => {
                is_party_of(file, actor, "refuse mediation")?;
                Ok(DisputeEvent::MediationRefused {
                    party: actor.id().clone(),
                    routes: Routes::open_for(file.kind()),
                }
                .into())
            }
            (state, C::Withdraw) if state.is_open() => {
                let file = state.file().ok_or_else(not_applicable)?;
                is_party_of(file, actor, "withdraw from mediation")?;
                // PML art. 26: an ending without agreement names the
                // routes, withdrawal too.
                Ok(DisputeEvent::Withdrawn {
                    party: actor.id().clone(),
                    routes: Routes::open_for(file.kind()),
                }
                .into())
            }
            (
                S::Accepted { file },
                C::AssignMediators {
                    mediators,
                    selection,
                },
            ) => self.assign(file, mediators, *selection, ctx),
            (S::Mediating { file, mediation }, C::RequestRecusal { mediator, reason }) => {
                self.request_recusal(file, mediation, mediator, reason, ctx)
            }
            (S::Mediating { file, mediation }, C::RecordOralAgreement { content }) => {
                self.record_oral_agreement(file, mediation, content, ctx)
            }
            (
                S::Mediating { file, mediation },
                C::RecordAgreement {
                    facts,
                    terms,
                    obligations,
                },
            ) => self.record_agreement(file, mediation, facts, terms, obligations, ctx),
            (S::Signing { file, draft, .. }, C::AffixSeal) => self.affix_seal(file, draft, ctx),
            (
                S::Signing {
                    file,
                    mediation,
                    draft,
                },
                C::Sign,
            ) => self.sign(file, mediation, draft, ctx),
            (
                S::Mediating { mediation, .. } | S::Signing { mediation, .. },
                C::TerminateMediation { reason },
            ) => {
                let file = state.file().ok_or_else(not_applicable)?;
                self.require_rostered_mediator(
                    file,
                    mediation,
                    actor,
                    "end the mediation",
                    ctx.at(),
                )?;
                Ok(DisputeEvent::MediationFailed {
                    reason: *reason,
                    routes: Routes::open_for(file.kind()),
                }
                .into())
            }
            (S::Agreed { file, agreement }, C::ApplyForConfirmation { applicants }) => {
                self.apply_for_confirmation(file, agreement, applicants, ctx)
            }
            (S::Agreed { file, agreement }, C::RecordPerformance { performance }) => {
                Self::record_performance(file, agreement, *performance, actor)
            }
            (
                S::Agreed { file, agreement },
                C::RecordObligation {
                    obligation,
                    performance,
                },
            ) => Self::record_obligation(file, agreement, *obligation, *performance, ctx),
            (S::Agreed { file, agreement }, C::RecordRuling { ruling }) => {
                Self::record_ruling(file, agreement, *ruling, ctx)
            }
            (S::Breached { file, agreement }, C::ApplyForEnforcement) => {
                Self::apply_for_enforcement(file, agreement, ctx)
            }
            (S::MediationFailed { file, .. }, C::Escalate) => {
                let (body, tier) = handling_body(file)?;
                officer_of(actor, body, tier, "escalate the dispute")?;
                let escalate = LadderCommand::Escalate {
                    reason: EscalationReason::HandlingFailed,
                };
                Ok(self.ladder_step(file, &escalate, ctx)?.collect())
            }
            (S::MediationFailed { file, .. }, C::OverrideCeiling { justification }) => {
                let command = LadderCommand::Override {
                    reason: EscalationReason::HandlingFailed,
                    justification: justification.clone(),
                };
                self.ladder
                    .authorize(file.ladder(), &command, actor)
                    .map_err(|e| match e {
                        LadderError::Forbidden(f) => DisputeError::Forbidden(f),
                        other => DisputeError::Ladder(other),
                    })?;
                Ok(self.ladder_step(file, &command, ctx)?.collect())
            }
            (state, C::Refer { to }) if state.is_open() => {
                let file = state.file().ok_or_else(not_applicable)?;
                self.refer(state, file, *to, ctx)
            }
            (
                S::Accepted { file }
                | S::Escalated { file }
                | S::Mediating { file, .. }
                | S::Signing { file, .. }
                | S::MediationFailed { file, .. },
                C::ReportRisk {
                    measures,
                    to,
                    continuation,
                },
            ) => self.report_risk(state, file, measures, to, *continuation, ctx),
            (state, C::FlagRisk { severity }) => {
                let file = state.file().ok_or_else(not_applicable)?;
                self.flag_risk(state, file, *severity, ctx)
            }
            (state, C::RecordFollowUp { rating }) if state.is_follow_up_due() => {
                actor.require_any(
                    "record a follow-up visit",
                    &[Role::Mediator, Role::GridWorker, Role::Officer(Tier::Grid)],
                )?;
                Ok(DisputeEvent::FollowedUp { rating: *rating }.into())
            }
            _ => Err(not_applicable()),
        }
    }

    fn evolve(state: DisputeState, event: &DisputeEvent) -> DisputeState {
        state.evolve(event)
    }

    const EVOLVES_IN_PLACE: bool = true;

    #[inline]
    fn evolve_in_place(state: &mut DisputeState, event: &DisputeEvent) {
        state.apply(event);
    }

    fn is_terminal(state: &DisputeState) -> bool {
        state.is_terminal()
    }

    /// The earliest of the dispute's timers: the labour limit while
    /// mediation is open and the limit still runs, and the embedded
    /// ladder's next due while the dispute is on the ladder. (The
    /// confirmation window needs no timer: `ApplyForConfirmation` judges it
    /// from the recorded deadline.)
    fn next_due(state: &DisputeState) -> Option<DateTime<Utc>> {
        let file = state.file()?;
        let labour = match file.labour() {
            LabourLimit::Running { deadline } if state.is_open() => Some(deadline),
            _ => None,
        };
        let ladder = if state.is_on_ladder() {
            file.ladder().next_due()
        } else {
            None
        };
        labour.into_iter().chain(ladder).min()
    }

    fn timer_command() -> Option<DisputeCommand> {
        Some(DisputeCommand::Tick)
    }

    fn transitions() -> &'static [Transition<DisputeStateKind, DisputeEventKind>] {
        TRANSITIONS
    }
}
