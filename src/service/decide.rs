//! [`ServiceRequest`]: the configured workflow — a catalogue and the
//! escalation ladder that supervises overdue requests — and its rules.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::catalogue::{Attributes, Catalogue, Materiality, Mode};
use super::command::{Review, ServiceRequestCommand, ServiceRequestCommandKind};
use super::error::{CatalogueError, OrgUse, ServiceRequestError};
use super::event::ServiceRequestEventKind;
use super::event::{ServiceRequestEvent, Submission};
use super::note::Note;
use super::state::{
    Agency, Handling, Intake, MaterialStatus, PromiseStatus, Request, ServiceRequestState,
    ServiceRequestStateKind,
};
use super::table::TRANSITIONS;
use crate::actor::{Actor, Role};
use crate::calendar::{CalendarError, TimeLimit, WorkingCalendar};
use crate::escalation::{Band, EscalationPolicy, Ladder, LadderCommand, LadderState, PolicyError};
use crate::id::{ActorId, MaterialId, OrgId, PolicyId, ServiceCode};
use crate::matter::ServiceCategory;
use crate::org::Need;
use crate::tier::{Severity, Tier};
use crate::workflow::{Context, Decision, HasKind, Transition, Workflow, embed};

type Result<T, E = ServiceRequestError> = std::result::Result<T, E>;

/// The window for a supplement notice: five working days from receipt
/// (行政许可法 art. 32; its periods are working days, art. 82).
pub const SUPPLEMENT_NOTICE_LIMIT: TimeLimit = TimeLimit::WorkingDays(5);

/// The default rectification deadline after a bad review: five working
/// days. 国办发〔2019〕51号 asks for rectification within a set limit
/// (限期整改) and feedback to the applicant; the figure is the hall's to
/// set ([`ServiceRequest::with_rectification_limit`]) — five is ours, as
/// in local implementing rules (Dezhou's, for one).
pub const DEFAULT_RECTIFICATION_LIMIT: TimeLimit = TimeLimit::WorkingDays(5);

/// The service-request workflow of one hall: its [`Catalogue`], and the
/// escalation [`Ladder`] (with its policies, organisation graph and working
/// calendar) that supervises overdue requests.
///
/// See the [module docs](super) for the lifecycle, the rules and who may
/// send each command.
#[derive(Debug, Clone)]
pub struct ServiceRequest {
    catalogue: Arc<Catalogue>,
    ladder: Ladder,
    severity: Severity,
    rectification_limit: TimeLimit,
}

impl ServiceRequest {
    /// The workflow for `catalogue`, supervised through `ladder`, whose
    /// calendar also counts the promised dates. Requests go on the ladder
    /// as [`Severity::Minor`] matters unless [`with_severity`] says
    /// otherwise.
    ///
    /// [`with_severity`]: Self::with_severity
    ///
    /// # Errors
    ///
    /// [`CatalogueError::NotInGraph`] when the hall, the area or an item's
    /// handling body is not in the ladder's organisation graph, and
    /// [`CatalogueError::AreaNotTerritorial`] when the area has no tier.
    pub fn try_new(catalogue: Arc<Catalogue>, ladder: Ladder) -> Result<Self, CatalogueError> {
        let graph = ladder.graph();
        let known = |org: &OrgId, used_as: OrgUse| {
            if graph.contains(org) {
                Ok(())
            } else {
                Err(CatalogueError::NotInGraph {
                    org: org.clone(),
                    used_as,
                })
            }
        };
        known(catalogue.hall(), OrgUse::Hall)?;
        known(catalogue.area(), OrgUse::Area)?;
        if graph.org(catalogue.area()).and_then(|o| o.tier()).is_none() {
            return Err(CatalogueError::AreaNotTerritorial {
                area: catalogue.area().clone(),
            });
        }
        for item in catalogue.items() {
            known(&item.handling_body, OrgUse::HandlingBody(item.code.clone()))?;
        }
        Ok(Self {
            catalogue,
            ladder,
            severity: Severity::Minor,
            rectification_limit: DEFAULT_RECTIFICATION_LIMIT,
        })
    }

    /// The same workflow, giving the hall `limit` to rectify after a bad
    /// review (default [`DEFAULT_RECTIFICATION_LIMIT`]).
    #[must_use]
    pub fn with_rectification_limit(mut self, limit: TimeLimit) -> Self {
        self.rectification_limit = limit;
        self
    }

    /// How long the hall has to rectify after a bad review.
    pub fn rectification_limit(&self) -> TimeLimit {
        self.rectification_limit
    }

    /// The same workflow, putting requests on the ladder at `severity`.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The escalation ladder that supervises overdue requests.
    pub fn ladder(&self) -> &Ladder {
        &self.ladder
    }

    /// The working calendar promised dates are counted on (the ladder's).
    pub fn calendar(&self) -> &WorkingCalendar {
        self.ladder.calendar()
    }

    /// The severity requests go on the ladder at.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The civil date of `at` in the calendar's offset.
    fn date(&self, at: DateTime<Utc>) -> Result<NaiveDate> {
        Ok(self.calendar().local_date(at)?)
    }

    /// The promised date moved `working_days` later: the limit of a day
    /// counted from the last day of the current promise.
    fn shift(&self, promised: DateTime<Utc>, working_days: u32) -> Result<DateTime<Utc>> {
        if working_days == 0 {
            return Ok(promised);
        }
        let limit = TimeLimit::WorkingDays(working_days);
        // The promise runs out at local midnight after its last day: one
        // second earlier lies in that last day.
        let last = promised.checked_sub_signed(TimeDelta::seconds(1)).ok_or(
            CalendarError::OutOfRange {
                from: promised.date_naive(),
                limit,
            },
        )?;
        Ok(self.calendar().deadline(last, limit)?)
    }

    /// Checks that `actor` holds `role` and acts for `body`.
    fn require_member(actor: &Actor, role: Role, action: &'static str, body: &OrgId) -> Result<()> {
        actor.require(action, role)?;
        if actor.acts_for(body) {
            Ok(())
        } else {
            Err(ServiceRequestError::NotActingFor {
                actor: actor.id().clone(),
                action,
                body: body.clone(),
            })
        }
    }

    /// Checks that `actor` handles the request now: a clerk of the hall for
    /// an item it handles itself, an officer of the department that signed
    /// for it when the hall forwards the item.
    fn require_handler(actor: &Actor, handling: &Handling, action: &'static str) -> Result<()> {
        let role = match handling.request().mode {
            Mode::Handle => Role::HallClerk,
            Mode::Forward => Role::DepartmentOfficer,
        };
        Self::require_member(actor, role, action, handling.handler())
    }

    /// Checks that handling is not suspended by a lapsed promise to supply
    /// pending materials: judged from the clock, whether or not a tick
    /// recorded the lapse (容缺受理).
    fn require_promise_kept(handling: &Handling, at: DateTime<Utc>) -> Result<()> {
        match handling.pending() {
            Some(p) if p.is_lapsed_at(at) => match p.materials().first() {
                Some(material) => Err(ServiceRequestError::PromiseLapsed {
                    material: material.clone(),
                    supply_by: p.supply_by(),
                }),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Checks that `actor` is the applicant or the agent who submitted for
    /// it (代办).
    fn require_applicant_or_agent(
        actor: &Actor,
        request: &Request,
        action: &'static str,
    ) -> Result<()> {
        match &request.agent {
            Some(agency) if agency.agent == *actor.id() => Ok(()),
            _ => Self::require_applicant(actor, request, action),
        }
    }

    /// Checks that `actor` is the applicant.
    fn require_applicant(actor: &Actor, request: &Request, action: &'static str) -> Result<()> {
        if *actor.id() == request.applicant {
            Ok(())
        } else {
            Err(ServiceRequestError::NotTheApplicant {
                actor: actor.id().clone(),
                action,
                applicant: request.applicant.clone(),
            })
        }
    }

    /// A party submits for itself, or the hall's agent clerk for an
    /// applicant on its written authorisation (代办).
    fn submit(
        &self,
        item: &ServiceCode,
        materials: &[MaterialId],
        attributes: &Attributes,
        description: Option<&Note>,
        agent_for: Option<(&ActorId, &Note)>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        let actor = ctx.actor();
        let (applicant, agent) = match agent_for {
            None => {
                actor.require("submit a request", Role::Party)?;
                (actor.id().clone(), None)
            }
            Some((applicant, authorisation)) => {
                Self::require_member(
                    actor,
                    Role::AgentClerk,
                    "submit a request for an applicant",
                    self.catalogue.hall(),
                )?;
                let agency = Agency {
                    agent: actor.id().clone(),
                    authorisation: authorisation.clone(),
                };
                (applicant.clone(), Some(agency))
            }
        };
        let entry = self
            .catalogue
            .item(item)
            .ok_or_else(|| ServiceRequestError::UnknownItem { code: item.clone() })?;
        entry.check_attributes(attributes)?;
        let provided = sorted(materials);
        if let Some(m) = provided.iter().find(|m| !entry.requires(m)) {
            return Err(ServiceRequestError::MaterialNotRequired {
                material: m.clone(),
            });
        }
        let required = sorted(entry.materials.iter().map(|m| &m.id));
        let non_essential = sorted(entry.non_essential());
        let notice_due = self
            .calendar()
            .deadline(ctx.at(), SUPPLEMENT_NOTICE_LIMIT)?;
        Ok(ServiceRequestEvent::Submitted(Box::new(Submission {
            request: Request {
                item: entry.code.clone(),
                category: entry.category,
                mode: entry.mode,
                hall: self.catalogue.hall().clone(),
                handling_body: entry.handling_body.clone(),
                working_days: entry.working_days,
                statutory_working_days: entry.statutory_working_days,
                applicant,
                agent,
                submitted_at: ctx.at(),
            },
            required,
            provided,
            non_essential,
            notice_due: Some(notice_due),
            attributes: attributes.clone(),
            description: description.cloned(),
        }))
        .into())
    }

    /// A clerk of the hall asks for materials: on the first round every
    /// missing one at once, later only those already asked for.
    fn request_supplement(
        intake: &Intake,
        materials: &[MaterialId],
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "request supplementary materials",
            &intake.request().hall,
        )?;
        let named = sorted(materials);
        if let Some(m) = named.iter().find(|m| intake.status(m).is_none()) {
            return Err(ServiceRequestError::MaterialNotRequired {
                material: m.clone(),
            });
        }
        if intake.supplement_rounds() == 0 {
            // Tell everything at once.
            if let Some(m) = intake.missing().find(|m| !named.contains(m)) {
                return Err(ServiceRequestError::MaterialNotNamed {
                    material: m.clone(),
                });
            }
        } else if let Some(m) = named
            .iter()
            .find(|m| intake.status(m) != Some(MaterialStatus::Outstanding))
        {
            return Err(ServiceRequestError::MaterialAlreadyKnown {
                material: m.clone(),
            });
        }
        if named.is_empty() {
            return Err(ServiceRequestError::NothingToSupplement);
        }
        Ok(ServiceRequestEvent::SupplementRequested { materials: named }.into())
    }

    /// The applicant supplies materials that were asked for.
    fn supply(
        intake: &Intake,
        materials: &[MaterialId],
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_applicant_or_agent(ctx.actor(), intake.request(), "supply materials")?;
        let supplied = sorted(materials);
        if supplied.is_empty() {
            return Err(ServiceRequestError::NothingSupplied);
        }
        for m in &supplied {
            match intake.status(m) {
                None => {
                    return Err(ServiceRequestError::MaterialNotRequired {
                        material: m.clone(),
                    });
                }
                Some(MaterialStatus::Outstanding) => {}
                Some(_) => {
                    return Err(ServiceRequestError::MaterialNotRequested {
                        material: m.clone(),
                    });
                }
            }
        }
        Ok(ServiceRequestEvent::MaterialsSupplied {
            materials: supplied,
        }
        .into())
    }

    /// A clerk of the hall accepts a complete request: the promised date is
    /// set and the request goes on the ladder, due then.
    fn accept(&self, intake: &Intake, ctx: &Context<'_>) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "accept the request",
            &intake.request().hall,
        )?;
        if let Some(m) = intake
            .materials()
            .iter()
            .find(|m| m.status() != MaterialStatus::Provided)
            .map(|m| m.id())
        {
            return Err(ServiceRequestError::MaterialMissing {
                material: m.clone().clone(),
            });
        }
        let at = ctx.at();
        let promised = self.promise(intake, at)?;
        let mut decision = Decision::one(ServiceRequestEvent::Accepted { at, promised });
        decision.extend(self.start_supervision(intake, promised, ctx)?);
        Ok(decision)
    }

    /// The promised date of a request accepted at `at`: its promised limit
    /// in working days, from the day after.
    fn promise(&self, intake: &Intake, at: DateTime<Utc>) -> Result<DateTime<Utc>> {
        Ok(self
            .calendar()
            .deadline(at, TimeLimit::WorkingDays(intake.request().working_days))?)
    }

    /// Puts an accepted request on the ladder, due at the promised date:
    /// supervision falls due when the request does (see DESIGN.md).
    fn start_supervision(
        &self,
        intake: &Intake,
        promised: DateTime<Utc>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        let start = LadderCommand::Start {
            location: self.catalogue.area().clone(),
            need: Need::Service(intake.request().category),
            severity: self.severity,
            due: Some(promised),
        };
        let started = self
            .ladder
            .decide_embedded(&LadderState::Idle, &start, ctx)?;
        Ok(embed::wrap(started))
    }

    /// Whether the supplement window closed at `at` without a notice: the
    /// application then counts as accepted from receipt (行政许可法
    /// art. 32).
    fn is_deemed_accepted(intake: &Intake, at: DateTime<Utc>) -> bool {
        intake.notice_due().is_some_and(|due| at >= due)
    }

    /// The refusal of a supplement notice or a refusal of acceptance once
    /// the application counts as accepted from receipt.
    fn accepted_from_receipt(intake: &Intake) -> ServiceRequestError {
        ServiceRequestError::AcceptedFromReceipt {
            received: intake.request().submitted_at,
            notice_due: intake.notice_due().unwrap_or(intake.request().submitted_at),
        }
    }

    /// The acceptance from receipt, once the supplement window closed
    /// without a notice: promised from receipt, on the ladder, whatever
    /// materials are missing.
    fn deem_accepted(
        &self,
        intake: &Intake,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        let received = intake.request().submitted_at;
        let promised = self.promise(intake, received)?;
        let mut decision =
            Decision::one(ServiceRequestEvent::DeemedAccepted { received, promised });
        decision.extend(self.start_supervision(intake, promised, ctx)?);
        Ok(decision)
    }

    /// A clerk of the hall accepts with non-essential materials pending, on
    /// the applicant's written promise to supply them by a date (容缺受理).
    fn accept_with_promise(
        &self,
        intake: &Intake,
        pending: &[MaterialId],
        supply_by: DateTime<Utc>,
        promise: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "accept the request",
            &intake.request().hall,
        )?;
        let named = sorted(pending);
        if named.is_empty() {
            return Err(ServiceRequestError::NothingPending);
        }
        for m in &named {
            let Some(material) = intake.materials().iter().find(|i| i.id() == m) else {
                return Err(ServiceRequestError::MaterialNotRequired {
                    material: m.clone(),
                });
            };
            if material.status() == MaterialStatus::Provided {
                return Err(ServiceRequestError::MaterialProvided {
                    material: m.clone(),
                });
            }
            if material.materiality() == Materiality::Essential {
                return Err(ServiceRequestError::MaterialEssential {
                    material: m.clone(),
                });
            }
        }
        if let Some(m) = intake
            .materials()
            .iter()
            .find(|m| m.status() != MaterialStatus::Provided && !named.contains(m.id()))
        {
            return Err(ServiceRequestError::MaterialMissing {
                material: m.id().clone(),
            });
        }
        let at = ctx.at();
        if supply_by <= at {
            return Err(ServiceRequestError::SupplyDateNotAfterAcceptance { at, supply_by });
        }
        let promised = self.promise(intake, at)?;
        let mut decision = Decision::one(ServiceRequestEvent::AcceptedWithPending {
            at,
            promised,
            pending: named,
            supply_by,
            promise: promise.clone(),
        });
        decision.extend(self.start_supervision(intake, promised, ctx)?);
        Ok(decision)
    }

    /// The applicant (or its agent) supplies promised materials after
    /// acceptance. When the promise's date has passed the lapse is recorded
    /// first (if no tick did); when the last one comes after it, handling
    /// resumes and the promised date moves by the working days suspended.
    fn supply_pending(
        &self,
        state: &ServiceRequestState,
        handling: &Handling,
        command: &ServiceRequestCommand,
        materials: &[MaterialId],
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        let Some(pending) = handling.pending() else {
            return Err(ServiceRequestError::NotApplicable {
                command: command.kind(),
                state: state.kind(),
            });
        };
        Self::require_applicant_or_agent(ctx.actor(), handling.request(), "supply materials")?;
        let supplied = sorted(materials);
        if supplied.is_empty() {
            return Err(ServiceRequestError::NothingSupplied);
        }
        if let Some(m) = supplied.iter().find(|m| !pending.materials().contains(m)) {
            return Err(ServiceRequestError::MaterialNotRequested {
                material: m.clone(),
            });
        }
        let at = ctx.at();
        let mut decision = Decision::none();
        // A suspended request's clock is already stopped by its handler.
        let running = state.is_clock_running();
        let lapsed = pending.status() == PromiseStatus::Lapsed;
        if running && at >= pending.supply_by() {
            decision.push(ServiceRequestEvent::PromiseLapsed {
                supply_by: pending.supply_by(),
            });
        }
        let last = supplied.len() == pending.materials().len();
        let resumes = last && (lapsed || (running && at >= pending.supply_by()));
        let (paused, promised) = if resumes {
            // Suspended from the promised date on: the working days after
            // the last day of the promise up to and including today (a
            // promise "by 4 March" runs out at midnight, so 5 March is the
            // first day suspended).
            let last_day = pending
                .supply_by()
                .checked_sub_signed(TimeDelta::seconds(1))
                .unwrap_or(pending.supply_by());
            let paused = self
                .calendar()
                .count_working_days(self.date(last_day)?, self.date(at)?);
            (paused, self.shift(handling.promised(), paused)?)
        } else {
            (0, handling.promised())
        };
        decision.push(ServiceRequestEvent::PendingSupplied {
            at,
            materials: supplied,
            paused_working_days: paused,
            promised,
        });
        if resumes {
            self.reschedule(handling, promised, ctx, &mut decision)?;
        }
        Ok(decision)
    }

    /// The handler resumes: the promised date moves by the working days
    /// paused, and the ladder's due date with it.
    fn resume(
        &self,
        handling: &Handling,
        since: DateTime<Utc>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_handler(ctx.actor(), handling, "resume processing")?;
        Self::require_promise_kept(handling, ctx.at())?;
        let at = ctx.at();
        let paused = self
            .calendar()
            .count_working_days(self.date(since)?, self.date(at)?);
        let promised = self.shift(handling.promised(), paused)?;
        let mut decision = Decision::one(ServiceRequestEvent::Resumed {
            at,
            paused_working_days: paused,
            promised,
        });
        self.reschedule(handling, promised, ctx, &mut decision)?;
        Ok(decision)
    }

    /// Moves the ladder's due date to the new promised date, so supervision
    /// follows the request: a ladder event, recorded by the ladder's rules,
    /// added to `decision` (not collected into a decision of its own and
    /// moved over).
    fn reschedule(
        &self,
        handling: &Handling,
        promised: DateTime<Utc>,
        ctx: &Context<'_>,
        decision: &mut Decision<ServiceRequestEvent>,
    ) -> Result<()> {
        if let LadderState::Handling(_) | LadderState::Exhausted(_) = handling.ladder() {
            let command = LadderCommand::Reschedule { due: promised };
            let decided = self
                .ladder
                .decide_embedded(handling.ladder(), &command, ctx)?;
            decision.extend(decided.into_iter().map(ServiceRequestEvent::from));
        }
        Ok(())
    }

    /// A clerk of the hall refuses at intake, with the reason and the legal
    /// basis.
    fn refuse(
        intake: &Intake,
        reason: &Note,
        legal_basis: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "refuse the request",
            &intake.request().hall,
        )?;
        Ok(ServiceRequestEvent::Refused {
            reason: reason.clone(),
            legal_basis: legal_basis.clone(),
        }
        .into())
    }

    /// A clerk of the hall starts processing an item the hall handles
    /// itself.
    fn start_processing(
        handling: &Handling,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "start processing",
            &handling.request().hall,
        )?;
        if handling.request().mode != Mode::Handle {
            return Err(ServiceRequestError::WrongMode {
                command: ServiceRequestCommandKind::StartProcessing,
                mode: handling.request().mode,
            });
        }
        Self::require_promise_kept(handling, ctx.at())?;
        Ok(ServiceRequestEvent::ProcessingStarted.into())
    }

    /// A clerk of the hall forwards an item the hall forwards to a
    /// department of the graph that has not returned it before (转办).
    fn forward(
        &self,
        handling: &Handling,
        to: Option<&OrgId>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "forward the request",
            &handling.request().hall,
        )?;
        if handling.request().mode != Mode::Forward {
            return Err(ServiceRequestError::WrongMode {
                command: ServiceRequestCommandKind::Forward,
                mode: handling.request().mode,
            });
        }
        Self::require_promise_kept(handling, ctx.at())?;
        let department = to.unwrap_or(&handling.request().handling_body);
        if !self.ladder.graph().contains(department) {
            return Err(ServiceRequestError::UnknownDepartment {
                department: department.clone(),
            });
        }
        if handling.returned_by().contains(department) {
            return Err(ServiceRequestError::ReturnedBefore {
                department: department.clone(),
            });
        }
        Ok(ServiceRequestEvent::Forwarded {
            to: department.clone(),
        }
        .into())
    }

    /// An officer of the department it was forwarded to signs for it.
    fn sign_for(
        handling: &Handling,
        to: &OrgId,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::DepartmentOfficer,
            "sign for the request",
            to,
        )?;
        Self::require_promise_kept(handling, ctx.at())?;
        Ok(ServiceRequestEvent::SignedFor { by: to.clone() }.into())
    }

    /// An officer of the department it was forwarded to returns it as not
    /// its own.
    fn return_to_hall(
        to: &OrgId,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::DepartmentOfficer,
            "return the request",
            to,
        )?;
        Ok(ServiceRequestEvent::Returned {
            by: to.clone(),
            reason: reason.clone(),
        }
        .into())
    }

    /// The handler suspends processing: the clock stops.
    fn suspend(
        handling: &Handling,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_handler(ctx.actor(), handling, "suspend processing")?;
        Self::require_promise_kept(handling, ctx.at())?;
        Ok(ServiceRequestEvent::Suspended {
            at: ctx.at(),
            reason: reason.clone(),
        }
        .into())
    }

    /// The handler asks for an extension, before the promised date: some
    /// working days, no more than the statutory limit leaves after the
    /// promised limit and the extensions approved.
    fn request_extension(
        handling: &Handling,
        working_days: u32,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_handler(ctx.actor(), handling, "request an extension")?;
        Self::require_promise_kept(handling, ctx.at())?;
        if working_days == 0 {
            return Err(ServiceRequestError::ZeroExtension);
        }
        let request = handling.request();
        let statutory = request.statutory_limit();
        let max = statutory
            .saturating_sub(request.working_days)
            .saturating_sub(handling.extended_working_days());
        if working_days > max {
            return Err(ServiceRequestError::ExtensionBeyondStatutoryLimit {
                requested: working_days,
                max,
                statutory,
            });
        }
        if handling.is_past_deadline(ctx.at()) {
            return Err(ServiceRequestError::ExtensionTooLate {
                deadline: handling.promised(),
            });
        }
        Ok(ServiceRequestEvent::ExtensionRequested {
            working_days,
            reason: reason.clone(),
        }
        .into())
    }

    /// A supervisor approves the extension: the promised date moves, and
    /// the ladder's due date with it.
    fn approve_extension(
        &self,
        handling: &Handling,
        working_days: u32,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        ctx.actor()
            .require("approve an extension", Role::Supervisor)?;
        Self::require_promise_kept(handling, ctx.at())?;
        let promised = self.shift(handling.promised(), working_days)?;
        let mut decision = Decision::one(ServiceRequestEvent::ExtensionApproved {
            working_days,
            promised,
        });
        self.reschedule(handling, promised, ctx, &mut decision)?;
        Ok(decision)
    }

    /// A supervisor rejects the extension.
    fn reject_extension(reason: &Note, ctx: &Context<'_>) -> Result<Decision<ServiceRequestEvent>> {
        ctx.actor()
            .require("reject an extension", Role::Supervisor)?;
        Ok(ServiceRequestEvent::ExtensionRejected {
            reason: reason.clone(),
        }
        .into())
    }

    /// The handler completes it, once every promised material is in.
    fn complete(handling: &Handling, ctx: &Context<'_>) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_handler(ctx.actor(), handling, "complete the request")?;
        Self::require_promise_kept(handling, ctx.at())?;
        if let Some(material) = handling.pending().and_then(|p| p.materials().first()) {
            return Err(ServiceRequestError::MaterialPending {
                material: material.clone(),
            });
        }
        Ok(ServiceRequestEvent::Completed.into())
    }

    /// The handler denies it on its merits, with the reason and the legal
    /// basis.
    fn deny(
        handling: &Handling,
        reason: &Note,
        legal_basis: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_handler(ctx.actor(), handling, "deny the request")?;
        Self::require_promise_kept(handling, ctx.at())?;
        Ok(ServiceRequestEvent::Denied {
            reason: reason.clone(),
            legal_basis: legal_basis.clone(),
        }
        .into())
    }

    /// A clerk of the hall delivers the result or the decision.
    fn deliver(handling: &Handling, ctx: &Context<'_>) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "deliver the result",
            &handling.request().hall,
        )?;
        Ok(ServiceRequestEvent::Delivered.into())
    }

    /// The applicant rates the service; a bad review (dissatisfied or very
    /// dissatisfied) opens rectification, due after the hall's
    /// rectification limit (国办发〔2019〕51号).
    fn rate(
        &self,
        handling: &Handling,
        review: Review,
        comment: Option<&Note>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_applicant(ctx.actor(), handling.request(), "rate the service")?;
        let mut decision = Decision::one(ServiceRequestEvent::Rated {
            review,
            comment: comment.cloned(),
        });
        if review.is_dissatisfied() {
            let due = self
                .calendar()
                .deadline(ctx.at(), self.rectification_limit)?;
            decision.push(ServiceRequestEvent::RectificationOpened { due });
        }
        Ok(decision)
    }

    /// A clerk of the hall records the rectification.
    fn rectify(
        handling: &Handling,
        action: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "record the rectification",
            &handling.request().hall,
        )?;
        Ok(ServiceRequestEvent::Rectified {
            at: ctx.at(),
            action: action.clone(),
        }
        .into())
    }

    /// A clerk of the hall records the follow-up call: the request closes.
    fn follow_up(
        handling: &Handling,
        result: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "record the follow-up call",
            &handling.request().hall,
        )?;
        Ok(ServiceRequestEvent::FollowedUp {
            at: ctx.at(),
            result: result.clone(),
        }
        .into())
    }

    /// A supervisor sends a badly reviewed request back for rework (from
    /// rectification: the rework is the rectification).
    fn send_back_for_rework(
        review: Review,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        ctx.actor()
            .require("send the request back for rework", Role::Supervisor)?;
        if !review.is_dissatisfied() {
            return Err(ServiceRequestError::ReworkNeedsBadReview);
        }
        Ok(ServiceRequestEvent::SentBackForRework {
            reason: reason.clone(),
        }
        .into())
    }

    /// A clerk of the hall closes a delivered (or rated) request; not while
    /// rectification is open.
    fn close(handling: &Handling, ctx: &Context<'_>) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::HallClerk,
            "close the request",
            &handling.request().hall,
        )?;
        Ok(ServiceRequestEvent::Closed.into())
    }

    /// The applicant withdraws an open request.
    fn withdraw(
        state: &ServiceRequestState,
        command: &ServiceRequestCommand,
        reason: Option<&Note>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        let request = state.request().ok_or(ServiceRequestError::NotApplicable {
            command: command.kind(),
            state: state.kind(),
        })?;
        Self::require_applicant_or_agent(ctx.actor(), request, "withdraw the request")?;
        Ok(ServiceRequestEvent::Withdrawn {
            reason: reason.cloned(),
        }
        .into())
    }

    /// A timer: records a missed promised date once per date, and lets the
    /// ladder put the request under supervision.
    fn tick(
        &self,
        state: &ServiceRequestState,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        ctx.actor().require("tick", Role::System)?;
        let at = ctx.at();
        match state {
            ServiceRequestState::Submitted(intake) if Self::is_deemed_accepted(intake, at) => {
                // Accepted from receipt; then the running request's own
                // timers, which may already be due.
                let mut decision = self.deem_accepted(intake, ctx)?;
                let accepted = decision.iter().fold(state.clone(), |s, e| s.evolve(e));
                decision.extend(self.tick_running(&accepted, ctx)?);
                Ok(decision)
            }
            ServiceRequestState::Rectifying {
                due, overdue: None, ..
            } if at >= *due => Ok(ServiceRequestEvent::RectificationOverdue { due: *due }.into()),
            _ => self.tick_running(state, ctx),
        }
    }

    /// A timer on a request whose clock runs: the promise to supply
    /// pending materials lapses at its date (the clock stops there), and
    /// past the promised date overdue is recorded once per deadline and the
    /// ladder supervises.
    fn tick_running(
        &self,
        state: &ServiceRequestState,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        let Some(handling) = state.running() else {
            return Ok(Decision::none());
        };
        let at = ctx.at();
        let lapse = handling
            .pending()
            .map(|p| p.supply_by())
            .filter(|supply_by| at >= *supply_by);
        let mut decision = Decision::none();
        // A lapse on or before the promised date stops the clock before
        // the request could be overdue.
        if let Some(supply_by) = lapse.filter(|s| *s <= handling.promised()) {
            decision.push(ServiceRequestEvent::PromiseLapsed { supply_by });
            return Ok(decision);
        }
        if handling.is_past_deadline(at) {
            if handling.overdue() != Some(handling.promised()) {
                decision.push(ServiceRequestEvent::Overdue {
                    deadline: handling.promised(),
                });
            }
            let supervision =
                self.ladder
                    .decide_embedded(handling.ladder(), &LadderCommand::Tick, ctx)?;
            decision.extend(embed::wrap(supervision));
        }
        if let Some(supply_by) = lapse {
            decision.push(ServiceRequestEvent::PromiseLapsed { supply_by });
        }
        Ok(decision)
    }
}

/// The ids, sorted and without repeats.
fn sorted<'a>(ids: impl IntoIterator<Item = &'a MaterialId>) -> Vec<MaterialId> {
    let mut out: Vec<MaterialId> = ids.into_iter().cloned().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// An escalation policy for service requests: the report's default
/// ([`EscalationPolicy::report_default`]) with every service category kept
/// at `tier` — its band starts and ends there, whatever the severity — so an
/// overdue request goes under supervision at its hall's tier (a reminder,
/// then a written notice three working days later) instead of moving up.
/// The default bands (for a need without a band of its own, such as a
/// city's own category) are kept at `tier` too.
///
/// Use the tier of the area the hall serves: [`Tier::Estate`] for a hall in
/// an industrial park, [`Tier::Community`] for one serving a whole
/// commercial district.
///
/// ```
/// use grassroots::escalation::Band;
/// use grassroots::matter::ServiceCategory;
/// use grassroots::org::Need;
/// use grassroots::service::supervision_policy;
/// use grassroots::tier::{Severity, Tier};
///
/// let policy = supervision_policy("service-hall".parse()?, 1, Tier::Estate)?;
/// let need = Need::Service(ServiceCategory::FundingSupport);
/// assert_eq!(policy.band(Some(&need), Severity::Serious), Band::new(Tier::Estate, Tier::Estate));
/// let own = Need::Service(ServiceCategory::from_static("renovation_filing"));
/// assert_eq!(policy.band(Some(&own), Severity::Critical), Band::new(Tier::Estate, Tier::Estate));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// None in practice: the bands and limits it builds are valid. The
/// [`PolicyError`] comes from the checked builder it uses.
pub fn supervision_policy(
    id: PolicyId,
    version: u32,
    tier: Tier,
) -> Result<EscalationPolicy, PolicyError> {
    let base = EscalationPolicy::report_default();
    let mut policy =
        EscalationPolicy::new(id, version, Severity::ALL.map(|_| Band::new(tier, tier)))?;
    for t in Tier::ALL {
        if let Some(limit) = base.limit(t) {
            policy = policy.try_with_limit(t, limit)?;
        }
    }
    policy = policy.try_with_supervision(base.supervision())?;
    for category in ServiceCategory::ALL {
        for severity in Severity::ALL {
            policy = policy.try_with_kind_band(
                Need::Service(category),
                severity,
                Band::new(tier, tier),
            )?;
        }
    }
    Ok(policy)
}

impl Workflow for ServiceRequest {
    const NAME: &'static str = "service_request";
    type State = ServiceRequestState;
    type Command = ServiceRequestCommand;
    type Event = ServiceRequestEvent;
    type Rejection = ServiceRequestError;

    fn initial() -> ServiceRequestState {
        ServiceRequestState::New
    }

    fn decide(
        &self,
        state: &ServiceRequestState,
        command: &ServiceRequestCommand,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        use ServiceRequestCommand as C;
        use ServiceRequestState as S;
        match (state, command) {
            (
                S::New,
                C::Submit {
                    item,
                    materials,
                    attributes,
                    description,
                },
            ) => self.submit(item, materials, attributes, description.as_ref(), None, ctx),
            (
                S::New,
                C::SubmitForApplicant {
                    applicant,
                    authorisation,
                    item,
                    materials,
                    attributes,
                    description,
                },
            ) => self.submit(
                item,
                materials,
                attributes,
                description.as_ref(),
                Some((applicant, authorisation)),
                ctx,
            ),
            // Past the supplement window without a notice, the application
            // counts as accepted from receipt (行政许可法 art. 32): judged
            // here from the clock, whether or not a tick recorded it.
            (
                S::Submitted(intake),
                C::Accept
                | C::AcceptWithPromise { .. }
                | C::RequestSupplement { .. }
                | C::Refuse { .. },
            ) if Self::is_deemed_accepted(intake, ctx.at()) => match command {
                C::Accept | C::AcceptWithPromise { .. } => {
                    Self::require_member(
                        ctx.actor(),
                        Role::HallClerk,
                        "accept the request",
                        &intake.request().hall,
                    )?;
                    self.deem_accepted(intake, ctx)
                }
                _ => Err(Self::accepted_from_receipt(intake)),
            },
            (S::Submitted(intake), C::RequestSupplement { materials }) => {
                Self::request_supplement(intake, materials, ctx)
            }
            (S::SupplementRequested(intake), C::SupplyMaterials { materials }) => {
                Self::supply(intake, materials, ctx)
            }
            (S::Submitted(intake), C::Accept) => self.accept(intake, ctx),
            (
                S::Submitted(intake),
                C::AcceptWithPromise {
                    pending,
                    supply_by,
                    promise,
                },
            ) => self.accept_with_promise(intake, pending, *supply_by, promise, ctx),
            (
                S::Submitted(intake) | S::SupplementRequested(intake),
                C::Refuse {
                    reason,
                    legal_basis,
                },
            ) => Self::refuse(intake, reason, legal_basis, ctx),
            (S::Accepted(h), C::StartProcessing) => Self::start_processing(h, ctx),
            (S::Accepted(h), C::Forward { to }) => self.forward(h, to.as_ref(), ctx),
            (S::Forwarded { handling, to }, C::SignFor) => Self::sign_for(handling, to, ctx),
            (S::Forwarded { handling, to }, C::Return { reason }) => {
                Self::require_promise_kept(handling, ctx.at())?;
                Self::return_to_hall(to, reason, ctx)
            }
            (state, C::SupplyMaterials { materials }) => match state.open_handling() {
                Some(handling) => self.supply_pending(state, handling, command, materials, ctx),
                None => Err(ServiceRequestError::NotApplicable {
                    command: command.kind(),
                    state: state.kind(),
                }),
            },
            (S::InProcess(h), C::Suspend { reason }) => Self::suspend(h, reason, ctx),
            (
                S::Suspended {
                    handling, since, ..
                },
                C::Resume,
            ) => self.resume(handling, *since, ctx),
            (
                S::InProcess(h),
                C::RequestExtension {
                    working_days,
                    reason,
                },
            ) => Self::request_extension(h, *working_days, reason, ctx),
            (
                S::ExtensionRequested {
                    handling,
                    working_days,
                    ..
                },
                C::ApproveExtension,
            ) => self.approve_extension(handling, *working_days, ctx),
            (S::ExtensionRequested { .. }, C::RejectExtension { reason }) => {
                Self::reject_extension(reason, ctx)
            }
            (S::InProcess(h) | S::ExtensionRequested { handling: h, .. }, C::Complete) => {
                Self::complete(h, ctx)
            }
            (
                S::InProcess(h) | S::ExtensionRequested { handling: h, .. },
                C::Deny {
                    reason,
                    legal_basis,
                },
            ) => Self::deny(h, reason, legal_basis, ctx),
            (S::Completed(h) | S::Denied { handling: h, .. }, C::Deliver) => Self::deliver(h, ctx),
            (S::Delivered { handling, .. }, C::Rate { review, comment }) => {
                self.rate(handling, *review, comment.as_ref(), ctx)
            }
            (
                S::Rated { review, .. } | S::Rectifying { review, .. },
                C::SendBackForRework { reason },
            ) => Self::send_back_for_rework(*review, reason, ctx),
            (S::Rectifying { handling, .. }, C::Rectify { action }) => {
                Self::rectify(handling, action, ctx)
            }
            (S::FollowingUp { handling, .. }, C::FollowUp { result }) => {
                Self::follow_up(handling, result, ctx)
            }
            (S::Delivered { handling, .. } | S::Rated { handling, .. }, C::Close) => {
                Self::close(handling, ctx)
            }
            (
                S::Rectifying { handling, due, .. } | S::FollowingUp { handling, due, .. },
                C::Close,
            ) => {
                Self::close(handling, ctx)?;
                Err(ServiceRequestError::RectificationOpen { due: *due })
            }
            (state, C::Withdraw { reason }) if state.is_open() => {
                Self::withdraw(state, command, reason.as_ref(), ctx)
            }
            (state, C::Tick) => self.tick(state, ctx),
            (state, command) => Err(ServiceRequestError::NotApplicable {
                command: command.kind(),
                state: state.kind(),
            }),
        }
    }

    fn evolve(state: ServiceRequestState, event: &ServiceRequestEvent) -> ServiceRequestState {
        state.evolve(event)
    }

    const EVOLVES_IN_PLACE: bool = true;

    #[inline]
    fn evolve_in_place(state: &mut ServiceRequestState, event: &ServiceRequestEvent) {
        state.apply(event);
    }

    fn is_terminal(state: &ServiceRequestState) -> bool {
        state.is_terminal()
    }

    /// At intake, the end of the supplement window (before any notice).
    /// While the clock runs, the earliest of the date promised for pending
    /// materials and: the promised date until overdue is recorded for it,
    /// then the ladder's supervision dates (never before the promised date:
    /// a `Tick` acts only past it). Under rectification, its deadline until
    /// overdue is recorded.
    fn next_due(state: &ServiceRequestState) -> Option<DateTime<Utc>> {
        match state {
            ServiceRequestState::Submitted(intake) => return intake.notice_due(),
            ServiceRequestState::Rectifying {
                due, overdue: None, ..
            } => return Some(*due),
            _ => {}
        }
        let handling = state.running()?;
        let lapse = handling.pending().map(|p| p.supply_by());
        let clock = if handling.overdue() != Some(handling.promised()) {
            Some(handling.promised())
        } else {
            handling
                .ladder()
                .next_due()
                .map(|ladder| ladder.max(handling.promised()))
        };
        match (lapse, clock) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn timer_command() -> Option<ServiceRequestCommand> {
        Some(ServiceRequestCommand::Tick)
    }

    fn transitions() -> &'static [Transition<ServiceRequestStateKind, ServiceRequestEventKind>] {
        TRANSITIONS
    }
}
