//! [`WorkOrder`]: the configured workflow — the dispatch centre, the terms,
//! the working hours and the escalation ladder that supervises overdue
//! orders — and its rules.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::command::{Channel, Finding, Lead, ReturnReason, Satisfaction, WorkOrderCommand};
use super::error::{WorkOrderConfigError, WorkOrderError};
use super::event::{Assignment, Basis, Intake, WorkOrderEvent, WorkOrderEventKind};
use super::geo::GeoFields;
use super::hours::WorkingHours;
use super::state::{CallbackRecord, Handling, Order, Pending, WorkOrderState, WorkOrderStateKind};
use super::table::TRANSITIONS;
use crate::actor::{Actor, Role};
use crate::calendar::{CalendarError, TimeLimit, WorkingCalendar};
use crate::escalation::{Ladder, LadderCommand, LadderState};
use crate::id::{ActorId, OrgId};
use crate::org::Need;
use crate::service::Note;
use crate::tier::{Severity, Tier};
use crate::vocabulary::Name;
use crate::workflow::{Context, Decision, HasKind, Transition, Workflow, embed};

type Result<T, E = WorkOrderError> = std::result::Result<T, E>;

/// The role of a dispatcher of the 12345 centre (派单员): records hotline
/// calls, dispatches, dismisses, upholds dispatches, calls back, orders
/// redos and closes. A custom role: `dispatcher`.
pub const DISPATCHER: Role = Role::Custom(Name::from_static("dispatcher"));

/// The role of the merchants' council's liaison, who brings members'
/// requests (`council_liaison`).
pub const COUNCIL_LIAISON: Role = Role::Custom(Name::from_static("council_liaison"));

/// The roles that let an actor act as a member of a body handling an
/// order (with [`Actor::acting_for`] that body).
pub const MEMBER_ROLES: [Role; 5] = [
    Role::DepartmentOfficer,
    Role::Officer(Tier::Grid),
    Role::GridWorker,
    Role::HallClerk,
    COUNCIL_LIAISON,
];

/// The time limits of work orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    sign_for_hours: u32,
    handling_days: u32,
    redo_days: u32,
    max_redos: u32,
}

impl Default for Terms {
    /// Sign for within 2 working hours, handle within 5 working days, redo
    /// within 3, and up to 2 redos before an order may close dissatisfied.
    fn default() -> Self {
        Self {
            sign_for_hours: 2,
            handling_days: 5,
            redo_days: 3,
            max_redos: 2,
        }
    }
}

impl Terms {
    /// Terms with these limits.
    ///
    /// # Errors
    ///
    /// [`WorkOrderConfigError::LimitNotPositive`] for a zero limit.
    pub fn new(
        sign_for_hours: u32,
        handling_days: u32,
        redo_days: u32,
        max_redos: u32,
    ) -> Result<Self, WorkOrderConfigError> {
        for (value, limit) in [
            (sign_for_hours, "sign-for"),
            (handling_days, "handling"),
            (redo_days, "redo"),
        ] {
            if value == 0 {
                return Err(WorkOrderConfigError::LimitNotPositive { limit });
            }
        }
        Ok(Self {
            sign_for_hours,
            handling_days,
            redo_days,
            max_redos,
        })
    }

    /// Working hours to sign for a dispatched order.
    pub fn sign_for_hours(&self) -> u32 {
        self.sign_for_hours
    }

    /// Working days to handle it, from sign-for.
    pub fn handling_days(&self) -> u32 {
        self.handling_days
    }

    /// Working days to redo it.
    pub fn redo_days(&self) -> u32 {
        self.redo_days
    }

    /// Redos before a callback that warrants one no longer stops closing.
    pub fn max_redos(&self) -> u32 {
        self.max_redos
    }
}

/// The work-order workflow of one dispatch centre: the centre, its
/// [`Terms`] and [`WorkingHours`], and the escalation [`Ladder`] (with its
/// policies, organisation graph and working calendar) that routes matters
/// and supervises overdue orders.
///
/// See the [module docs](super) for the lifecycle, the rules and who may
/// send each command.
#[derive(Debug, Clone)]
pub struct WorkOrder {
    centre: OrgId,
    ladder: Ladder,
    terms: Terms,
    hours: WorkingHours,
    severity: Severity,
}

impl WorkOrder {
    /// The workflow of the dispatch centre `centre`, routing and
    /// supervising through `ladder`, with the default [`Terms`] and
    /// [`WorkingHours`]; orders go on the ladder as [`Severity::Minor`].
    ///
    /// **The ladder's policy decides where supervision may run.** Sign-for
    /// (and taking a request on) starts the ladder at the order's location
    /// for its matter, so a dispatch (and a take-on) is refused with the
    /// ladder's reason (`NoHandler`) when the policy's band for a minor
    /// matter has no body in the graph that handles it. The
    /// default [`PolicyBook`](crate::escalation::PolicyBook) keeps minor
    /// matters at the grid and estate tiers ("small matters stay in the
    /// park"), so a city whose offices sit at the subdistrict tier needs a
    /// policy that supervises there, for example
    /// [`supervision_policy`](crate::service::supervision_policy):
    ///
    /// ```
    /// use grassroots::escalation::{Ladder, PolicyBook};
    /// use grassroots::service::supervision_policy;
    /// use grassroots::{OrgGraph, Tier, WorkingCalendar};
    ///
    /// // The 12345 centre supervises overdue orders at the subdistrict tier.
    /// let policy = supervision_policy("longgang-12345".parse()?, 1, Tier::Subdistrict)?;
    /// let ladder = Ladder::new(PolicyBook::new(policy), OrgGraph::new(), WorkingCalendar::prc());
    /// # let _ = ladder;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// `work_order::sample` (feature `sim`) builds a whole centre this way.
    ///
    /// # Errors
    ///
    /// [`WorkOrderConfigError::CentreNotInGraph`] when the centre is not in
    /// the ladder's graph.
    pub fn try_new(centre: OrgId, ladder: Ladder) -> Result<Self, WorkOrderConfigError> {
        if !ladder.graph().contains(&centre) {
            return Err(WorkOrderConfigError::CentreNotInGraph { centre });
        }
        Ok(Self {
            centre,
            ladder,
            terms: Terms::default(),
            hours: WorkingHours::default(),
            severity: Severity::Minor,
        })
    }

    /// The same workflow with these terms.
    #[must_use]
    pub fn with_terms(mut self, terms: Terms) -> Self {
        self.terms = terms;
        self
    }

    /// The same workflow with these working hours.
    #[must_use]
    pub fn with_hours(mut self, hours: WorkingHours) -> Self {
        self.hours = hours;
        self
    }

    /// The same workflow, putting orders on the ladder at `severity`.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The dispatch centre.
    pub fn centre(&self) -> &OrgId {
        &self.centre
    }

    /// The time limits.
    pub fn terms(&self) -> Terms {
        self.terms
    }

    /// The working hours sign-for limits run in.
    pub fn hours(&self) -> WorkingHours {
        self.hours
    }

    /// The escalation ladder.
    pub fn ladder(&self) -> &Ladder {
        &self.ladder
    }

    /// The working calendar (the ladder's).
    pub fn calendar(&self) -> &WorkingCalendar {
        self.ladder.calendar()
    }

    fn local_date(&self, at: DateTime<Utc>) -> Result<NaiveDate> {
        Ok(self.calendar().local_date(at)?)
    }

    /// Checks that `actor` holds one of `roles` and acts for `body`.
    fn require_for(
        actor: &Actor,
        roles: &[Role],
        action: &'static str,
        body: &OrgId,
    ) -> Result<()> {
        actor.require_any(action, roles)?;
        if actor.acts_for(body) {
            Ok(())
        } else {
            Err(WorkOrderError::NotActingFor {
                actor: actor.id().clone(),
                action,
                body: body.clone(),
            })
        }
    }

    /// Checks that `actor` is a dispatcher of the order's centre.
    fn require_dispatcher(actor: &Actor, order: &Order, action: &'static str) -> Result<()> {
        Self::require_for(actor, &[DISPATCHER], action, &order.intake().centre)
    }

    /// Checks that `actor` is a member of `body`.
    fn require_member(actor: &Actor, action: &'static str, body: &OrgId) -> Result<()> {
        Self::require_for(actor, &MEMBER_ROLES, action, body)
    }

    /// Checks that `body` is in the graph and able to handle `matter`.
    fn require_capable(&self, body: &OrgId, matter: &Need) -> Result<()> {
        let org = self
            .ladder
            .graph()
            .org(body)
            .ok_or_else(|| WorkOrderError::UnknownBody { body: body.clone() })?;
        if org.has(*matter) {
            Ok(())
        } else {
            Err(WorkOrderError::CannotHandle {
                body: body.clone(),
                matter: *matter,
            })
        }
    }

    fn sign_for_due(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>> {
        Ok(self
            .hours
            .deadline(self.calendar(), at, self.terms.sign_for_hours)?)
    }

    fn deadline(&self, at: DateTime<Utc>, working_days: u32) -> Result<DateTime<Utc>> {
        Ok(self
            .calendar()
            .deadline(at, TimeLimit::WorkingDays(working_days))?)
    }

    #[allow(clippy::too_many_arguments)]
    fn receive(
        &self,
        channel: Channel,
        requester: &ActorId,
        matter: &Need,
        location: &OrgId,
        description: &Note,
        geo: &GeoFields,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        let actor = ctx.actor();
        let action = "record a request";
        let first_receiver = match channel {
            Channel::Hotline => {
                Self::require_for(actor, &[DISPATCHER], action, &self.centre)?;
                self.centre.clone()
            }
            Channel::App => {
                actor.require(action, Role::Party)?;
                if actor.id() != requester {
                    return Err(WorkOrderError::NotTheRequester {
                        actor: actor.id().clone(),
                        action,
                        requester: requester.clone(),
                    });
                }
                self.centre.clone()
            }
            Channel::GridWorker | Channel::SecretaryFaceToFace | Channel::MerchantsCouncil => {
                let role = match channel {
                    Channel::GridWorker => Role::GridWorker,
                    Channel::SecretaryFaceToFace => Role::Officer(Tier::Grid),
                    _ => COUNCIL_LIAISON,
                };
                actor.require(action, role)?;
                let body = actor.org().ok_or_else(|| WorkOrderError::ActsForNoBody {
                    actor: actor.id().clone(),
                })?;
                if !self.ladder.graph().contains(body) {
                    return Err(WorkOrderError::UnknownBody { body: body.clone() });
                }
                body.clone()
            }
        };
        let territorial = self
            .ladder
            .graph()
            .org(location)
            .is_some_and(|o| o.tier().is_some());
        if !territorial {
            return Err(WorkOrderError::NotTerritorial {
                location: location.clone(),
            });
        }
        Ok(WorkOrderEvent::Received(Arc::new(Intake {
            channel,
            requester: requester.clone(),
            matter: *matter,
            location: location.clone(),
            description: description.clone(),
            geo: geo.clone(),
            first_receiver,
            centre: self.centre.clone(),
            received_at: ctx.at(),
        }))
        .into())
    }

    /// Starts supervision on the ladder, due when the handling is.
    fn start_ladder(
        &self,
        order: &Order,
        due: DateTime<Utc>,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        let start = LadderCommand::Start {
            location: order.intake().location.clone(),
            need: order.intake().matter,
            severity: self.severity,
            due: Some(due),
        };
        let started = self
            .ladder
            .decide_embedded(&LadderState::Idle, &start, ctx)?;
        Ok(embed::wrap(started))
    }

    /// The first receiving body takes the request on itself.
    fn take_on(&self, order: &Order, ctx: &Context<'_>) -> Result<Decision<WorkOrderEvent>> {
        let body = &order.intake().first_receiver;
        Self::require_member(ctx.actor(), "take the request on", body)?;
        self.require_capable(body, &order.intake().matter)?;
        let at = ctx.at();
        let due = self.deadline(at, self.terms.handling_days)?;
        let mut decision = Decision::one(WorkOrderEvent::TakenOn {
            by: body.clone(),
            at,
            due,
        });
        decision.extend(self.start_ladder(order, due, ctx)?);
        Ok(decision)
    }

    fn hand_over(
        order: &Order,
        record: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        let body = &order.intake().first_receiver;
        Self::require_member(ctx.actor(), "hand the request over", body)?;
        Ok(WorkOrderEvent::HandedOver {
            by: body.clone(),
            record: record.clone(),
        }
        .into())
    }

    /// A dispatcher dispatches to a routed or chosen lead, with assisting
    /// bodies.
    fn dispatch(
        &self,
        order: &Order,
        returned: Option<&Pending>,
        lead: &Lead,
        assisting: &[OrgId],
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        Self::require_dispatcher(ctx.actor(), order, "dispatch the order")?;
        let intake = order.intake();
        let (lead, basis) = match lead {
            Lead::Routed => {
                let date = self.local_date(ctx.at())?;
                let no_route = || WorkOrderError::NoRoute {
                    location: intake.location.clone(),
                    matter: intake.matter,
                };
                let route = self
                    .ladder
                    .graph()
                    .escalation_path(&intake.location, &intake.matter, date)
                    .map_err(|_| no_route())?
                    .into_iter()
                    .next()
                    .ok_or_else(no_route)?;
                (route.handler.clone(), Basis::Routed { route })
            }
            Lead::Chosen { body, reason } => {
                self.require_capable(body, &intake.matter)?;
                (
                    body.clone(),
                    Basis::Chosen {
                        reason: reason.clone(),
                    },
                )
            }
        };
        if let Some(returned) = returned {
            if returned.assignment().lead == lead {
                return Err(WorkOrderError::RedispatchToReturner { body: lead });
            }
        }
        // Sign-for starts supervision on the ladder: an order the ladder's
        // policy cannot supervise is refused now, not left to be refused at
        // every sign-for.
        self.start_ladder(order, ctx.at(), ctx)?;
        for (i, body) in assisting.iter().enumerate() {
            if !self.ladder.graph().contains(body) {
                return Err(WorkOrderError::UnknownBody { body: body.clone() });
            }
            if *body == lead || assisting[..i].contains(body) {
                return Err(WorkOrderError::BodyRepeated { body: body.clone() });
            }
        }
        let at = ctx.at();
        Ok(WorkOrderEvent::Dispatched {
            assignment: Arc::new(Assignment {
                lead,
                assisting: assisting.to_vec(),
                basis,
            }),
            at,
            sign_for_due: self.sign_for_due(at)?,
        }
        .into())
    }

    fn dismiss(
        order: &Order,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        Self::require_dispatcher(ctx.actor(), order, "dismiss the request")?;
        Ok(WorkOrderEvent::Dismissed {
            reason: reason.clone(),
        }
        .into())
    }

    /// The lead body signs for it: the handling deadline is set and
    /// supervision starts.
    fn sign_for(
        &self,
        order: &Order,
        pending: &Pending,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        let lead = &pending.assignment().lead;
        Self::require_member(ctx.actor(), "sign for the order", lead)?;
        let at = ctx.at();
        let due = self.deadline(at, self.terms.handling_days)?;
        let mut decision = Decision::one(WorkOrderEvent::SignedFor {
            by: lead.clone(),
            at,
            due,
        });
        decision.extend(self.start_ladder(order, due, ctx)?);
        Ok(decision)
    }

    fn return_order(
        order: &Order,
        pending: &Pending,
        reason: &ReturnReason,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        let lead = &pending.assignment().lead;
        Self::require_member(ctx.actor(), "return the order", lead)?;
        if order.was_returned_by(lead, reason) {
            return Err(WorkOrderError::ReturnedBefore {
                body: lead.clone(),
                ground: reason.ground,
            });
        }
        Ok(WorkOrderEvent::Returned {
            by: lead.clone(),
            reason: reason.clone(),
        }
        .into())
    }

    fn uphold(
        &self,
        order: &Order,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        Self::require_dispatcher(ctx.actor(), order, "uphold the dispatch")?;
        let at = ctx.at();
        Ok(WorkOrderEvent::DispatchUpheld {
            reason: reason.clone(),
            at,
            sign_for_due: self.sign_for_due(at)?,
        }
        .into())
    }

    fn assist(
        handling: &Handling,
        note: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        let actor = ctx.actor();
        actor.require_any("report an assisting body's part", &MEMBER_ROLES)?;
        let body = handling
            .assignment()
            .assisting
            .iter()
            .find(|b| actor.acts_for(b))
            .ok_or_else(|| WorkOrderError::NotAssisting {
                actor: actor.id().clone(),
            })?;
        if handling.assisted().contains(body) {
            return Err(WorkOrderError::AlreadyAssisted { body: body.clone() });
        }
        Ok(WorkOrderEvent::Assisted {
            by: body.clone(),
            note: note.clone(),
        }
        .into())
    }

    fn request_extension(
        &self,
        handling: &Handling,
        working_days: u32,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        Self::require_member(ctx.actor(), "request an extension", handling.lead())?;
        if working_days == 0 {
            return Err(WorkOrderError::ZeroExtension);
        }
        if working_days > self.terms.handling_days {
            return Err(WorkOrderError::ExtensionTooLong {
                requested: working_days,
                max: self.terms.handling_days,
            });
        }
        if handling.is_past_deadline(ctx.at()) {
            return Err(WorkOrderError::ExtensionTooLate {
                deadline: handling.due(),
            });
        }
        Ok(WorkOrderEvent::ExtensionRequested {
            working_days,
            reason: reason.clone(),
        }
        .into())
    }

    /// The deadline moved `working_days` later.
    fn shift(&self, due: DateTime<Utc>, working_days: u32) -> Result<DateTime<Utc>> {
        let limit = TimeLimit::WorkingDays(working_days);
        // The deadline runs out at local midnight after its last day: one
        // second earlier lies in that last day.
        let last =
            due.checked_sub_signed(TimeDelta::seconds(1))
                .ok_or(CalendarError::OutOfRange {
                    from: due.date_naive(),
                    limit,
                })?;
        Ok(self.calendar().deadline(last, limit)?)
    }

    /// Moves the ladder's due date with the order's.
    fn reschedule(
        &self,
        handling: &Handling,
        due: DateTime<Utc>,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        match handling.ladder() {
            LadderState::Handling(_) | LadderState::Exhausted(_) => {
                let decided = self.ladder.decide_embedded(
                    handling.ladder(),
                    &LadderCommand::Reschedule { due },
                    ctx,
                )?;
                Ok(embed::wrap(decided))
            }
            _ => Ok(Decision::none()),
        }
    }

    fn approve_extension(
        &self,
        handling: &Handling,
        working_days: u32,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        ctx.actor()
            .require("approve an extension", Role::Supervisor)?;
        let due = self.shift(handling.due(), working_days)?;
        let mut decision = Decision::one(WorkOrderEvent::ExtensionApproved { working_days, due });
        decision.extend(self.reschedule(handling, due, ctx)?);
        Ok(decision)
    }

    fn reply(
        handling: &Handling,
        reply: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        Self::require_member(ctx.actor(), "reply to the requester", handling.lead())?;
        if let Some(body) = handling.pending_assistance() {
            return Err(WorkOrderError::AssistancePending { body: body.clone() });
        }
        Ok(WorkOrderEvent::Replied {
            by: handling.lead().clone(),
            at: ctx.at(),
            reply: reply.clone(),
        }
        .into())
    }

    fn callback(
        order: &Order,
        satisfaction: Satisfaction,
        finding: Finding,
        note: Option<&Note>,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        Self::require_dispatcher(ctx.actor(), order, "call the requester back")?;
        Ok(WorkOrderEvent::CalledBack {
            at: ctx.at(),
            satisfaction,
            finding,
            note: note.cloned(),
        }
        .into())
    }

    fn redo(
        &self,
        order: &Order,
        handling: &Handling,
        callback: &CallbackRecord,
        reason: &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        Self::require_dispatcher(ctx.actor(), order, "order a redo")?;
        if !callback.warrants_redo() {
            return Err(WorkOrderError::RedoNotWarranted {
                satisfaction: callback.satisfaction,
                finding: callback.finding,
            });
        }
        let at = ctx.at();
        let due = self.deadline(at, self.terms.redo_days)?;
        let mut decision = Decision::one(WorkOrderEvent::RedoOrdered {
            reason: reason.clone(),
            at,
            due,
        });
        decision.extend(self.reschedule(handling, due, ctx)?);
        Ok(decision)
    }

    fn close(
        &self,
        order: &Order,
        handling: &Handling,
        callback: &CallbackRecord,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        Self::require_dispatcher(ctx.actor(), order, "close the order")?;
        if callback.warrants_redo() && handling.redos() < self.terms.max_redos {
            return Err(WorkOrderError::RedoRequired {
                redos: handling.redos(),
                max: self.terms.max_redos,
            });
        }
        Ok(WorkOrderEvent::Closed.into())
    }

    fn withdraw(
        order: &Order,
        reason: Option<&Note>,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        let actor = ctx.actor();
        let requester = &order.intake().requester;
        if actor.id() != requester {
            return Err(WorkOrderError::NotTheRequester {
                actor: actor.id().clone(),
                action: "withdraw the request",
                requester: requester.clone(),
            });
        }
        Ok(WorkOrderEvent::Withdrawn {
            reason: reason.cloned(),
        }
        .into())
    }

    /// A timer: records a missed sign-for deadline once per dispatch, a
    /// missed handling deadline once per deadline, and lets the ladder put
    /// an overdue order under supervision.
    fn tick(&self, state: &WorkOrderState, ctx: &Context<'_>) -> Result<Decision<WorkOrderEvent>> {
        ctx.actor().require("tick", Role::System)?;
        let at = ctx.at();
        if let WorkOrderState::Dispatched { pending, .. } = state {
            if pending.sign_for_overdue().is_none() && at >= pending.sign_for_due() {
                return Ok(WorkOrderEvent::SignForOverdue {
                    deadline: pending.sign_for_due(),
                }
                .into());
            }
            return Ok(Decision::none());
        }
        let Some(handling) = state.running() else {
            return Ok(Decision::none());
        };
        if !handling.is_past_deadline(at) {
            return Ok(Decision::none());
        }
        let mut decision = Decision::none();
        if handling.overdue() != Some(handling.due()) {
            decision.push(WorkOrderEvent::Overdue {
                deadline: handling.due(),
            });
        }
        let supervision =
            self.ladder
                .decide_embedded(handling.ladder(), &LadderCommand::Tick, ctx)?;
        decision.extend(embed::wrap(supervision));
        Ok(decision)
    }
}

impl Workflow for WorkOrder {
    const NAME: &'static str = "work_order";
    type State = WorkOrderState;
    type Command = WorkOrderCommand;
    type Event = WorkOrderEvent;
    type Rejection = WorkOrderError;

    fn initial() -> WorkOrderState {
        WorkOrderState::New
    }

    fn decide(
        &self,
        state: &WorkOrderState,
        command: &WorkOrderCommand,
        ctx: &Context<'_>,
    ) -> Result<Decision<WorkOrderEvent>> {
        use WorkOrderCommand as C;
        use WorkOrderState as S;
        match (state, command) {
            (
                S::New,
                C::Receive {
                    channel,
                    requester,
                    matter,
                    location,
                    description,
                    geo,
                },
            ) => self.receive(*channel, requester, matter, location, description, geo, ctx),
            (S::Received(order), C::TakeOn) => self.take_on(order, ctx),
            (S::Received(order), C::HandOver { record }) => Self::hand_over(order, record, ctx),
            (S::Received(order), C::Dismiss { .. }) => {
                Err(WorkOrderError::FirstContactCannotRefuse {
                    body: order.intake().first_receiver.clone(),
                })
            }
            (S::AwaitingDispatch(order), C::Dispatch { lead, assisting }) => {
                self.dispatch(order, None, lead, assisting, ctx)
            }
            (S::ReturnPending { order, pending }, C::Dispatch { lead, assisting }) => {
                self.dispatch(order, Some(pending), lead, assisting, ctx)
            }
            (
                S::AwaitingDispatch(order) | S::ReturnPending { order, .. },
                C::Dismiss { reason },
            ) => Self::dismiss(order, reason, ctx),
            (S::Dispatched { order, pending }, C::SignFor) => self.sign_for(order, pending, ctx),
            (S::Dispatched { order, pending }, C::Return { reason }) => {
                Self::return_order(order, pending, reason, ctx)
            }
            (S::ReturnPending { order, .. }, C::UpholdDispatch { reason }) => {
                self.uphold(order, reason, ctx)
            }
            (
                S::InHand { handling, .. } | S::ExtensionRequested { handling, .. },
                C::Assist { note },
            ) => Self::assist(handling, note, ctx),
            (
                S::InHand { handling, .. },
                C::RequestExtension {
                    working_days,
                    reason,
                },
            ) => self.request_extension(handling, *working_days, reason, ctx),
            (
                S::ExtensionRequested {
                    handling,
                    working_days,
                    ..
                },
                C::ApproveExtension,
            ) => self.approve_extension(handling, *working_days, ctx),
            (S::ExtensionRequested { .. }, C::RejectExtension { reason }) => {
                ctx.actor()
                    .require("reject an extension", Role::Supervisor)?;
                Ok(WorkOrderEvent::ExtensionRejected {
                    reason: reason.clone(),
                }
                .into())
            }
            (
                S::InHand { handling, .. } | S::ExtensionRequested { handling, .. },
                C::Reply { reply },
            ) => Self::reply(handling, reply, ctx),
            (
                S::Replied { order, .. },
                C::Callback {
                    satisfaction,
                    finding,
                    note,
                },
            ) => Self::callback(order, *satisfaction, *finding, note.as_ref(), ctx),
            (state, C::Callback { .. }) if state.is_open() => {
                Err(WorkOrderError::CallbackBeforeReply {
                    state: state.kind(),
                })
            }
            (
                S::CalledBack {
                    order,
                    handling,
                    callback,
                    ..
                },
                C::Redo { reason },
            ) => self.redo(order, handling, callback, reason, ctx),
            (
                S::CalledBack {
                    order,
                    handling,
                    callback,
                    ..
                },
                C::Close,
            ) => self.close(order, handling, callback, ctx),
            (state, C::Withdraw { reason }) if state.is_open() => match state.order() {
                Some(order) => Self::withdraw(order, reason.as_ref(), ctx),
                None => Err(WorkOrderError::NotApplicable {
                    command: command.kind(),
                    state: state.kind(),
                }),
            },
            (state, C::Tick) => self.tick(state, ctx),
            (state, command) => Err(WorkOrderError::NotApplicable {
                command: command.kind(),
                state: state.kind(),
            }),
        }
    }

    fn evolve(state: WorkOrderState, event: &WorkOrderEvent) -> WorkOrderState {
        state.evolve(event)
    }

    const EVOLVES_IN_PLACE: bool = true;

    #[inline]
    fn evolve_in_place(state: &mut WorkOrderState, event: &WorkOrderEvent) {
        state.apply(event);
    }

    fn is_terminal(state: &WorkOrderState) -> bool {
        state.is_terminal()
    }

    /// Dispatched: the sign-for deadline until it is recorded missed. In
    /// hand: the handling deadline until overdue is recorded for it, then
    /// the ladder's supervision dates (never before the deadline).
    fn next_due(state: &WorkOrderState) -> Option<DateTime<Utc>> {
        if let WorkOrderState::Dispatched { pending, .. } = state {
            return match pending.sign_for_overdue() {
                None => Some(pending.sign_for_due()),
                Some(_) => None,
            };
        }
        let handling = state.running()?;
        if handling.overdue() != Some(handling.due()) {
            return Some(handling.due());
        }
        let ladder = handling.ladder().next_due()?;
        Some(ladder.max(handling.due()))
    }

    fn timer_command() -> Option<WorkOrderCommand> {
        Some(WorkOrderCommand::Tick)
    }

    fn transitions() -> &'static [Transition<WorkOrderStateKind, WorkOrderEventKind>] {
        TRANSITIONS
    }
}
