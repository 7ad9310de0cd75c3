//! [`ServiceRequest`]: the configured workflow — a catalogue and the
//! escalation ladder that supervises overdue requests — and its rules.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::catalogue::{Attributes, Catalogue, Mode};
use super::command::{Review, ServiceRequestCommand};
use super::error::{CatalogueError, OrgUse, ServiceRequestError};
use super::event::{ServiceRequestEvent, Submission};
use super::note::Note;
use super::state::{Handling, Intake, MaterialStatus, Request, ServiceRequestState};
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
        let role = match handling.request.mode {
            Mode::Accept => Role::HallClerk,
            Mode::Agent => Role::DepartmentOfficer,
        };
        Self::require_member(actor, role, action, &handling.handler)
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

    fn request_supplement(
        intake: &Intake,
        materials: &[MaterialId],
    ) -> Result<Decision<ServiceRequestEvent>> {
        let named = sorted(materials);
        if let Some(m) = named.iter().find(|m| intake.status(m).is_none()) {
            return Err(ServiceRequestError::MaterialNotRequired {
                material: m.clone(),
            });
        }
        if intake.supplement_rounds == 0 {
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

    fn supply(intake: &Intake, materials: &[MaterialId]) -> Result<Decision<ServiceRequestEvent>> {
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

    fn accept(&self, intake: &Intake, ctx: &Context<'_>) -> Result<Decision<ServiceRequestEvent>> {
        if let Some(m) = intake
            .materials
            .iter()
            .find(|m| m.status != MaterialStatus::Provided)
            .map(|m| &m.id)
        {
            return Err(ServiceRequestError::MaterialMissing {
                material: m.clone(),
            });
        }
        let at = ctx.at();
        let promised = self
            .calendar()
            .deadline(at, TimeLimit::WorkingDays(intake.request.working_days))?;
        // The ladder's due date is the promised date: supervision falls due
        // when the request does (see DESIGN.md).
        let start = LadderCommand::Start {
            location: self.catalogue.area().clone(),
            need: Need::Service(intake.request.category),
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

    fn resume(
        &self,
        handling: &Handling,
        since: DateTime<Utc>,
        ctx: &Context<'_>,
    ) -> Result<Decision<ServiceRequestEvent>> {
        let at = ctx.at();
        let paused = self
            .calendar()
            .count_working_days(self.date(since)?, self.date(at)?);
        let promised = self.shift(handling.promised, paused)?;
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
        match handling.ladder {
            LadderState::Handling(_) | LadderState::Exhausted(_) => {
                let command = LadderCommand::Reschedule { due: promised };
                let decided = self
                    .ladder
                    .decide_embedded(&handling.ladder, &command, ctx)?;
                Ok(embed::wrap(decided))
            }
            _ => Ok(Decision::none()),
        }
    }

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
        if handling.overdue != Some(handling.promised) {
            decision.push(ServiceRequestEvent::Overdue {
                deadline: handling.promised,
            });
        }
        let supervision =
            self.ladder
                .decide_embedded(&handling.ladder, &LadderCommand::Tick, ctx)?;
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
/// a commercial district or industrial park.
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
        use ServiceRequestEvent as E;
        use ServiceRequestState as S;
        let actor = ctx.actor();
        let at = ctx.at();
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
                Self::require_member(
                    actor,
                    Role::HallClerk,
                    "request supplementary materials",
                    &intake.request.hall,
                )?;
                Self::request_supplement(intake, materials)
            }
            (S::SupplementRequested(intake), C::SupplyMaterials { materials }) => {
                Self::require_applicant(actor, &intake.request, "supply materials")?;
                Self::supply(intake, materials)
            }
            (S::Submitted(intake), C::Accept) => {
                Self::require_member(
                    actor,
                    Role::HallClerk,
                    "accept the request",
                    &intake.request.hall,
                )?;
                self.accept(intake, ctx)
            }
            (
                S::Submitted(intake) | S::SupplementRequested(intake),
                C::Refuse {
                    reason,
                    legal_basis,
                },
            ) => {
                Self::require_member(
                    actor,
                    Role::HallClerk,
                    "refuse the request",
                    &intake.request.hall,
                )?;
                Ok(E::Refused {
                    reason: reason.clone(),
                    legal_basis: legal_basis.clone(),
                }
                .into())
            }
            (S::Accepted(h), C::StartProcessing) => {
                Self::require_member(actor, Role::HallClerk, "start processing", &h.request.hall)?;
                if h.request.mode != Mode::Accept {
                    return Err(ServiceRequestError::WrongMode {
                        command: command.kind(),
                        mode: h.request.mode,
                    });
                }
                Ok(E::ProcessingStarted.into())
            }
            (S::Accepted(h), C::Forward { to }) => {
                Self::require_member(
                    actor,
                    Role::AgentClerk,
                    "forward the request",
                    &h.request.hall,
                )?;
                if h.request.mode != Mode::Agent {
                    return Err(ServiceRequestError::WrongMode {
                        command: command.kind(),
                        mode: h.request.mode,
                    });
                }
                let department = to.as_ref().unwrap_or(&h.request.handling_body);
                if !self.ladder.graph().contains(department) {
                    return Err(ServiceRequestError::UnknownDepartment {
                        department: department.clone(),
                    });
                }
                if h.returned_by.contains(department) {
                    return Err(ServiceRequestError::ReturnedBefore {
                        department: department.clone(),
                    });
                }
                Ok(E::Forwarded {
                    to: department.clone(),
                }
                .into())
            }
            (S::Forwarded { to, .. }, C::SignFor) => {
                Self::require_member(actor, Role::DepartmentOfficer, "sign for the request", to)?;
                Ok(E::SignedFor { by: to.clone() }.into())
            }
            (S::Forwarded { to, .. }, C::Return { reason }) => {
                Self::require_member(actor, Role::DepartmentOfficer, "return the request", to)?;
                Ok(E::Returned {
                    by: to.clone(),
                    reason: reason.clone(),
                }
                .into())
            }
            (S::InProcess(h), C::Suspend { reason }) => {
                Self::require_handler(actor, h, "suspend processing")?;
                Ok(E::Suspended {
                    at,
                    reason: reason.clone(),
                }
                .into())
            }
            (
                S::Suspended {
                    handling, since, ..
                },
                C::Resume,
            ) => {
                Self::require_handler(actor, handling, "resume processing")?;
                self.resume(handling, *since, ctx)
            }
            (
                S::InProcess(h),
                C::RequestExtension {
                    working_days,
                    reason,
                },
            ) => {
                Self::require_handler(actor, h, "request an extension")?;
                if *working_days == 0 {
                    return Err(ServiceRequestError::ZeroExtension);
                }
                if *working_days > h.request.working_days {
                    return Err(ServiceRequestError::ExtensionTooLong {
                        requested: *working_days,
                        max: h.request.working_days,
                    });
                }
                if h.is_past_deadline(at) {
                    return Err(ServiceRequestError::ExtensionTooLate {
                        deadline: h.promised,
                    });
                }
                Ok(E::ExtensionRequested {
                    working_days: *working_days,
                    reason: reason.clone(),
                }
                .into())
            }
            (
                S::ExtensionRequested {
                    handling,
                    working_days,
                    ..
                },
                C::ApproveExtension,
            ) => {
                actor.require("approve an extension", Role::Supervisor)?;
                let promised = self.shift(handling.promised, *working_days)?;
                let mut decision = Decision::one(E::ExtensionApproved {
                    working_days: *working_days,
                    promised,
                });
                decision.extend(self.reschedule(handling, promised, ctx)?);
                Ok(decision)
            }
            (S::ExtensionRequested { .. }, C::RejectExtension { reason }) => {
                actor.require("reject an extension", Role::Supervisor)?;
                Ok(E::ExtensionRejected {
                    reason: reason.clone(),
                }
                .into())
            }
            (S::InProcess(h) | S::ExtensionRequested { handling: h, .. }, C::Complete) => {
                Self::require_handler(actor, h, "complete the request")?;
                Ok(E::Completed.into())
            }
            (
                S::InProcess(h) | S::ExtensionRequested { handling: h, .. },
                C::Deny {
                    reason,
                    legal_basis,
                },
            ) => {
                Self::require_handler(actor, h, "deny the request")?;
                Ok(E::Denied {
                    reason: reason.clone(),
                    legal_basis: legal_basis.clone(),
                }
                .into())
            }
            (S::Completed(h) | S::Denied { handling: h, .. }, C::Deliver) => {
                Self::require_member(
                    actor,
                    Role::HallClerk,
                    "deliver the result",
                    &h.request.hall,
                )?;
                Ok(E::Delivered.into())
            }
            (S::Delivered { handling, .. }, C::Rate { review, comment }) => {
                Self::require_applicant(actor, &handling.request, "rate the service")?;
                Ok(E::Rated {
                    review: *review,
                    comment: comment.clone(),
                }
                .into())
            }
            (S::Rated { review, .. }, C::SendBackForRework { reason }) => {
                actor.require("send the request back for rework", Role::Supervisor)?;
                if *review != Review::Bad {
                    return Err(ServiceRequestError::ReworkNeedsBadReview);
                }
                Ok(E::SentBackForRework {
                    reason: reason.clone(),
                }
                .into())
            }
            (S::Delivered { handling, .. } | S::Rated { handling, .. }, C::Close) => {
                Self::require_member(
                    actor,
                    Role::HallClerk,
                    "close the request",
                    &handling.request.hall,
                )?;
                Ok(E::Closed.into())
            }
            (state, C::Withdraw { reason }) if state.is_open() => {
                let request = state.request().ok_or(ServiceRequestError::NotApplicable {
                    command: command.kind(),
                    state: state.kind(),
                })?;
                Self::require_applicant(actor, request, "withdraw the request")?;
                Ok(E::Withdrawn {
                    reason: reason.clone(),
                }
                .into())
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
        if handling.overdue != Some(handling.promised) {
            return Some(handling.promised);
        }
        let ladder = handling.ladder.next_due()?;
        Some(ladder.max(handling.promised))
    }

    fn timer_command() -> Option<ServiceRequestCommand> {
        Some(ServiceRequestCommand::Tick)
    }

    fn transitions() -> &'static [Transition<S, E>] {
        TRANSITIONS
    }
}

use super::event::ServiceRequestEventKind as E;
use super::state::ServiceRequestStateKind as S;
use crate::escalation::LadderEventKind as L;

/// The declared transition table.
const TRANSITIONS: &[Transition<S, E>] = &[
    Transition::new(S::New, E::Submitted, S::Submitted),
    Transition::new(S::Submitted, E::SupplementRequested, S::SupplementRequested),
    Transition::new(S::SupplementRequested, E::MaterialsSupplied, S::Submitted),
    Transition::new(S::Submitted, E::Refused, S::Refused),
    Transition::new(S::SupplementRequested, E::Refused, S::Refused),
    Transition::new(S::Submitted, E::Accepted, S::Accepted),
    Transition::new(S::Accepted, E::Ladder(L::Started), S::Accepted),
    Transition::new(S::Accepted, E::ProcessingStarted, S::InProcess),
    Transition::new(S::Accepted, E::Forwarded, S::Forwarded),
    Transition::new(S::Forwarded, E::SignedFor, S::InProcess),
    Transition::new(S::Forwarded, E::Returned, S::Accepted),
    Transition::new(S::InProcess, E::Suspended, S::Suspended),
    Transition::new(S::Suspended, E::Resumed, S::InProcess),
    Transition::new(S::InProcess, E::ExtensionRequested, S::ExtensionRequested),
    Transition::new(S::ExtensionRequested, E::ExtensionApproved, S::InProcess),
    Transition::new(S::ExtensionRequested, E::ExtensionRejected, S::InProcess),
    Transition::new(S::InProcess, E::Completed, S::Completed),
    Transition::new(S::ExtensionRequested, E::Completed, S::Completed),
    Transition::new(S::InProcess, E::Denied, S::Denied),
    Transition::new(S::ExtensionRequested, E::Denied, S::Denied),
    Transition::new(S::Completed, E::Delivered, S::Delivered),
    Transition::new(S::Denied, E::Delivered, S::Delivered),
    Transition::new(S::Delivered, E::Rated, S::Rated),
    Transition::new(S::Rated, E::SentBackForRework, S::InProcess),
    Transition::new(S::Delivered, E::Closed, S::Closed),
    Transition::new(S::Rated, E::Closed, S::Closed),
    Transition::new(S::Submitted, E::Withdrawn, S::Withdrawn),
    Transition::new(S::SupplementRequested, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Accepted, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Forwarded, E::Withdrawn, S::Withdrawn),
    Transition::new(S::InProcess, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Suspended, E::Withdrawn, S::Withdrawn),
    Transition::new(S::ExtensionRequested, E::Withdrawn, S::Withdrawn),
    Transition::new(S::Accepted, E::Overdue, S::Accepted),
    Transition::new(S::Forwarded, E::Overdue, S::Forwarded),
    Transition::new(S::InProcess, E::Overdue, S::InProcess),
    Transition::new(S::ExtensionRequested, E::Overdue, S::ExtensionRequested),
    Transition::new(S::Accepted, E::Ladder(L::SupervisionReminded), S::Accepted),
    Transition::new(
        S::Forwarded,
        E::Ladder(L::SupervisionReminded),
        S::Forwarded,
    ),
    Transition::new(
        S::InProcess,
        E::Ladder(L::SupervisionReminded),
        S::InProcess,
    ),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::SupervisionReminded),
        S::ExtensionRequested,
    ),
    Transition::new(
        S::Accepted,
        E::Ladder(L::SupervisionNoticeIssued),
        S::Accepted,
    ),
    Transition::new(
        S::Forwarded,
        E::Ladder(L::SupervisionNoticeIssued),
        S::Forwarded,
    ),
    Transition::new(
        S::InProcess,
        E::Ladder(L::SupervisionNoticeIssued),
        S::InProcess,
    ),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::SupervisionNoticeIssued),
        S::ExtensionRequested,
    ),
    Transition::new(S::InProcess, E::Ladder(L::Rescheduled), S::InProcess),
    Transition::new(S::Accepted, E::Ladder(L::Escalated), S::Accepted),
    Transition::new(S::Forwarded, E::Ladder(L::Escalated), S::Forwarded),
    Transition::new(S::InProcess, E::Ladder(L::Escalated), S::InProcess),
    Transition::new(
        S::ExtensionRequested,
        E::Ladder(L::Escalated),
        S::ExtensionRequested,
    ),
];
