//! [`ServiceRequest`]: the configured workflow — a catalogue and the
//! escalation ladder that supervises overdue requests — and its rules.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::catalogue::{Attributes, Catalogue, Mode};
use super::command::{Review, ServiceRequestCommand, ServiceRequestCommandKind};
use super::error::{CatalogueError, OrgUse, ServiceRequestError};
use super::event::ServiceRequestEventKind;
use super::event::{ServiceRequestEvent, Submission};
use super::note::Note;
use super::state::{
    Handling, Intake, MaterialStatus, Request, ServiceRequestState, ServiceRequestStateKind,
};
use super::table::TRANSITIONS;
use crate::actor::{Actor, Role};
use crate::calendar::{CalendarError, TimeLimit, WorkingCalendar};
use crate::escalation::{Band, EscalationPolicy, Ladder, LadderCommand, LadderState, PolicyError};
use crate::id::{MaterialId, OrgId, PolicyId, ServiceCode};
use crate::matter::ServiceCategory;
use crate::org::Need;
use crate::tier::{Severity, Tier};
use crate::workflow::{Context, Decision, HasKind, Transition, Workflow, embed};

type Result<T, E = ServiceRequestError> = std::result::Result<T, E>;

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
        })
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
    /// for it in agent mode.
    fn require_handler(actor: &Actor, handling: &Handling, action: &'static str) -> Result<()> {
        let role = match handling.request().mode {
            Mode::Accept => Role::HallClerk,
            Mode::Agent => Role::DepartmentOfficer,
        };
        Self::require_member(actor, role, action, handling.handler())
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

    fn submit(
        &self,
        item: &ServiceCode,
        materials: &[MaterialId],
        attributes: &Attributes,
        description: Option<&Note>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        let actor = ctx.actor();
        actor.require("submit a request", Role::Party)?;
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
        Ok(ServiceRequestEvent::Submitted(Box::new(Submission {
            request: Request {
                item: entry.code.clone(),
                category: entry.category,
                mode: entry.mode,
                hall: self.catalogue.hall().clone(),
                handling_body: entry.handling_body.clone(),
                working_days: entry.working_days,
                applicant: actor.id().clone(),
                submitted_at: ctx.at(),
            },
            required,
            provided,
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
        Self::require_applicant(ctx.actor(), intake.request(), "supply materials")?;
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
        let promised = self
            .calendar()
            .deadline(at, TimeLimit::WorkingDays(intake.request().working_days))?;
        // The ladder's due date is the promised date: supervision falls due
        // when the request does (see DESIGN.md).
        let start = LadderCommand::Start {
            location: self.catalogue.area().clone(),
            need: Need::Service(intake.request().category),
            severity: self.severity,
            due: Some(promised),
        };
        let started = self
            .ladder
            .decide_embedded(&LadderState::Idle, &start, ctx)?;
        let mut decision = Decision::one(ServiceRequestEvent::Accepted { at, promised });
        decision.extend(embed::wrap(started));
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
        decision.extend(self.reschedule(handling, promised, ctx)?);
        Ok(decision)
    }

    /// Moves the ladder's due date to the new promised date, so supervision
    /// follows the request: a ladder event, recorded by the ladder's rules.
    fn reschedule(
        &self,
        handling: &Handling,
        promised: DateTime<Utc>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        match handling.ladder() {
            LadderState::Handling(_) | LadderState::Exhausted(_) => {
                let command = LadderCommand::Reschedule { due: promised };
                let decided = self
                    .ladder
                    .decide_embedded(handling.ladder(), &command, ctx)?;
                Ok(embed::wrap(decided))
            }
            _ => Ok(Decision::none()),
        }
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
        if handling.request().mode != Mode::Accept {
            return Err(ServiceRequestError::WrongMode {
                command: ServiceRequestCommandKind::StartProcessing,
                mode: handling.request().mode,
            });
        }
        Ok(ServiceRequestEvent::ProcessingStarted.into())
    }

    /// An agent clerk forwards an agent-mode item to a department of the
    /// graph that has not returned it before.
    fn forward(
        &self,
        handling: &Handling,
        to: Option<&OrgId>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::AgentClerk,
            "forward the request",
            &handling.request().hall,
        )?;
        if handling.request().mode != Mode::Agent {
            return Err(ServiceRequestError::WrongMode {
                command: ServiceRequestCommandKind::Forward,
                mode: handling.request().mode,
            });
        }
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
    fn sign_for(to: &OrgId, ctx: &Context<'_>) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_member(
            ctx.actor(),
            Role::DepartmentOfficer,
            "sign for the request",
            to,
        )?;
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
        Ok(ServiceRequestEvent::Suspended {
            at: ctx.at(),
            reason: reason.clone(),
        }
        .into())
    }

    /// The handler asks for an extension: some working days, no more than
    /// the item's limit, before the promised date.
    fn request_extension(
        handling: &Handling,
        working_days: u32,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_handler(ctx.actor(), handling, "request an extension")?;
        if working_days == 0 {
            return Err(ServiceRequestError::ZeroExtension);
        }
        if working_days > handling.request().working_days {
            return Err(ServiceRequestError::ExtensionTooLong {
                requested: working_days,
                max: handling.request().working_days,
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
        let promised = self.shift(handling.promised(), working_days)?;
        let mut decision = Decision::one(ServiceRequestEvent::ExtensionApproved {
            working_days,
            promised,
        });
        decision.extend(self.reschedule(handling, promised, ctx)?);
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

    /// The handler completes it.
    fn complete(handling: &Handling, ctx: &Context<'_>) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_handler(ctx.actor(), handling, "complete the request")?;
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

    /// The applicant rates the service.
    fn rate(
        handling: &Handling,
        review: Review,
        comment: Option<&Note>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        Self::require_applicant(ctx.actor(), handling.request(), "rate the service")?;
        Ok(ServiceRequestEvent::Rated {
            review,
            comment: comment.cloned(),
        }
        .into())
    }

    /// A supervisor sends a badly reviewed request back for rework.
    fn send_back_for_rework(
        review: Review,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        ctx.actor()
            .require("send the request back for rework", Role::Supervisor)?;
        if review != Review::Bad {
            return Err(ServiceRequestError::ReworkNeedsBadReview);
        }
        Ok(ServiceRequestEvent::SentBackForRework {
            reason: reason.clone(),
        }
        .into())
    }

    /// A clerk of the hall closes a delivered (or rated) request.
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
        Self::require_applicant(ctx.actor(), request, "withdraw the request")?;
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
        let Some(handling) = state.running() else {
            return Ok(Decision::none());
        };
        if !handling.is_past_deadline(ctx.at()) {
            return Ok(Decision::none());
        }
        let mut decision = Decision::none();
        if handling.overdue() != Some(handling.promised()) {
            decision.push(ServiceRequestEvent::Overdue {
                deadline: handling.promised(),
            });
        }
        let supervision =
            self.ladder
                .decide_embedded(handling.ladder(), &LadderCommand::Tick, ctx)?;
        decision.extend(embed::wrap(supervision));
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
            ) => self.submit(item, materials, attributes, description.as_ref(), ctx),
            (S::Submitted(intake), C::RequestSupplement { materials }) => {
                Self::request_supplement(intake, materials, ctx)
            }
            (S::SupplementRequested(intake), C::SupplyMaterials { materials }) => {
                Self::supply(intake, materials, ctx)
            }
            (S::Submitted(intake), C::Accept) => self.accept(intake, ctx),
            (
                S::Submitted(intake) | S::SupplementRequested(intake),
                C::Refuse {
                    reason,
                    legal_basis,
                },
            ) => Self::refuse(intake, reason, legal_basis, ctx),
            (S::Accepted(h), C::StartProcessing) => Self::start_processing(h, ctx),
            (S::Accepted(h), C::Forward { to }) => self.forward(h, to.as_ref(), ctx),
            (S::Forwarded { to, .. }, C::SignFor) => Self::sign_for(to, ctx),
            (S::Forwarded { to, .. }, C::Return { reason }) => {
                Self::return_to_hall(to, reason, ctx)
            }
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
                Self::rate(handling, *review, comment.as_ref(), ctx)
            }
            (S::Rated { review, .. }, C::SendBackForRework { reason }) => {
                Self::send_back_for_rework(*review, reason, ctx)
            }
            (S::Delivered { handling, .. } | S::Rated { handling, .. }, C::Close) => {
                Self::close(handling, ctx)
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

    fn is_terminal(state: &ServiceRequestState) -> bool {
        state.is_terminal()
    }

    /// While the clock runs: the promised date until overdue is recorded
    /// for it, then the ladder's supervision dates (never before the
    /// promised date: a `Tick` acts only past it).
    fn next_due(state: &ServiceRequestState) -> Option<DateTime<Utc>> {
        let handling = state.running()?;
        if handling.overdue() != Some(handling.promised()) {
            return Some(handling.promised());
        }
        let ladder = handling.ladder().next_due()?;
        Some(ladder.max(handling.promised()))
    }

    fn timer_command() -> Option<ServiceRequestCommand> {
        Some(ServiceRequestCommand::Tick)
    }

    fn transitions() -> &'static [Transition<ServiceRequestStateKind, ServiceRequestEventKind>] {
        TRANSITIONS
    }
}
