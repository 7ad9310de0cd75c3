//! [`ServiceRequestState`]: where a service request stands, with exactly the
//! data that exists there, and how each fact changes it.

use crate::workflow::HasKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::catalogue::{Materiality, Mode};
use super::command::Review;
use super::error::ServiceStateError;
use super::event::ServiceRequestEvent;
use super::note::Note;
use crate::escalation::{Ladder, LadderState};
use crate::id::{ActorId, MaterialId, OrgId, ServiceCode};
use crate::matter::ServiceCategory;
use crate::workflow::embed;

/// What the applicant asked for, and the item's terms it is held to: taken
/// from the catalogue when the request was submitted, so later changes to
/// the catalogue do not change a running request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The item's code.
    pub item: ServiceCode,
    /// Its category.
    pub category: ServiceCategory,
    /// Whether the hall handles it itself or forwards it, once accepted.
    pub mode: Mode,
    /// The hall that took the request.
    pub hall: OrgId,
    /// The item's handling body: the hall, or the competent department.
    pub handling_body: OrgId,
    /// The item's promised time limit in working days.
    pub working_days: u32,
    /// The item's statutory time limit in working days (0 in events stored
    /// before it was recorded: read as the promised limit, see
    /// [`statutory_limit`](Self::statutory_limit)).
    #[serde(default)]
    pub statutory_working_days: u32,
    /// The applicant.
    pub applicant: ActorId,
    /// The hall's agent who submitted it for the applicant (代办), with the
    /// applicant's written authorisation; `None` when the applicant
    /// submitted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agency>,
    /// When it was submitted: when the hall received it.
    pub submitted_at: DateTime<Utc>,
}

impl Request {
    /// The statutory time limit in working days: never shorter than the
    /// promised one.
    pub fn statutory_limit(&self) -> u32 {
        self.statutory_working_days.max(self.working_days)
    }
}

/// Agent service (代办): the hall's agent clerk acting for the applicant,
/// on the applicant's written authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// The agent clerk.
    pub agent: ActorId,
    /// The applicant's written authorisation (委托书): its reference or text.
    pub authorisation: Note,
}

/// Where one required material stands at intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialStatus {
    /// Provided (with the submission or supplied since).
    Provided,
    /// Neither provided nor asked for yet.
    Missing,
    /// Asked for in a supplement request and not supplied yet (a provided
    /// material asked for again, to be corrected, is outstanding too).
    Outstanding,
}

/// One required material of a request at intake (checked with its
/// [`Intake`] when read from JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeMaterial {
    id: MaterialId,
    status: MaterialStatus,
    #[serde(default, skip_serializing_if = "is_essential")]
    materiality: Materiality,
}

fn is_essential(m: &Materiality) -> bool {
    *m == Materiality::Essential
}

impl IntakeMaterial {
    /// The material.
    pub fn id(&self) -> &MaterialId {
        &self.id
    }

    /// Whether the request may be accepted while it is pending, as the
    /// item said when the request was submitted.
    pub fn materiality(&self) -> Materiality {
        self.materiality
    }

    /// Where it stands.
    pub fn status(&self) -> MaterialStatus {
        self.status
    }
}

/// A request at intake, before it is accepted or refused: where each
/// required material stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "IntakeData")]
pub struct Intake {
    request: Request,
    materials: Vec<IntakeMaterial>,
    supplement_rounds: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notice_due: Option<DateTime<Utc>>,
}

impl Intake {
    /// The request.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Every material the item requires, sorted by id, with its status.
    pub fn materials(&self) -> &[IntakeMaterial] {
        &self.materials
    }

    /// How many supplement requests were made.
    pub fn supplement_rounds(&self) -> u32 {
        self.supplement_rounds
    }

    /// The last moment for a supplement notice, five working days after
    /// receipt (行政许可法 art. 32); past it without one, the application
    /// counts as accepted from receipt. `None` once a notice was given (or
    /// for a request stored before the rule).
    pub fn notice_due(&self) -> Option<DateTime<Utc>> {
        if self.supplement_rounds == 0 {
            self.notice_due
        } else {
            None
        }
    }
}

/// A [`Intake`] as stored, checked before it becomes one.
#[derive(Deserialize)]
struct IntakeData {
    request: Request,
    materials: Vec<IntakeMaterial>,
    supplement_rounds: u32,
    #[serde(default)]
    notice_due: Option<DateTime<Utc>>,
}

impl TryFrom<IntakeData> for Intake {
    type Error = ServiceStateError;

    fn try_from(d: IntakeData) -> Result<Self, ServiceStateError> {
        if let Some(pair) = d.materials.windows(2).find(|w| w[0].id >= w[1].id) {
            return Err(ServiceStateError::MaterialsUnsorted {
                material: pair[1].id.clone(),
            });
        }
        if d.supplement_rounds == 0 {
            if let Some(m) = d
                .materials
                .iter()
                .find(|m| m.status == MaterialStatus::Outstanding)
            {
                return Err(ServiceStateError::OutstandingWithoutRequest {
                    material: m.id.clone(),
                });
            }
        }
        Ok(Intake {
            request: d.request,
            materials: d.materials,
            supplement_rounds: d.supplement_rounds,
            notice_due: d.notice_due,
        })
    }
}

impl Intake {
    fn with_status(&self, status: MaterialStatus) -> impl Iterator<Item = &MaterialId> {
        self.materials
            .iter()
            .filter(move |m| m.status == status)
            .map(|m| &m.id)
    }

    /// Every required material, in order.
    pub fn required(&self) -> impl Iterator<Item = &MaterialId> {
        self.materials.iter().map(|m| &m.id)
    }

    /// The required materials neither provided nor asked for, in order.
    pub fn missing(&self) -> impl Iterator<Item = &MaterialId> {
        self.with_status(MaterialStatus::Missing)
    }

    /// The materials asked for and not supplied yet, in order.
    pub fn outstanding(&self) -> impl Iterator<Item = &MaterialId> {
        self.with_status(MaterialStatus::Outstanding)
    }

    /// The status of a material, if the item requires it.
    pub fn status(&self, material: &MaterialId) -> Option<MaterialStatus> {
        self.materials
            .iter()
            .find(|m| m.id == *material)
            .map(|m| m.status)
    }

    fn set(&mut self, materials: &[MaterialId], status: MaterialStatus) {
        for m in &mut self.materials {
            if materials.contains(&m.id) {
                m.status = status;
            }
        }
    }
}

/// A request after acceptance: its promised date, who handles it, and its
/// supervision on the escalation ladder.
///
/// Sealed, like [`Intake`] and [`IntakeMaterial`]: built only by the
/// request's events and read through accessors; read from JSON it is
/// checked ([`ServiceStateError`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "HandlingData")]
pub struct Handling {
    request: Request,
    accepted_at: DateTime<Utc>,
    promised: DateTime<Utc>,
    handler: OrgId,
    overdue: Option<DateTime<Utc>>,
    paused_working_days: u32,
    extended_working_days: u32,
    returned_by: Vec<OrgId>,
    ladder: LadderState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending: Option<Pending>,
}

/// Whether a promise to supply pending materials still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseStatus {
    /// The date has not passed (or the lapse is not recorded yet).
    Open,
    /// The date passed without the materials: handling is suspended.
    Lapsed,
}

/// Materials a request was accepted without (容缺受理), and the
/// applicant's written promise to supply them by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    materials: Vec<MaterialId>,
    supply_by: DateTime<Utc>,
    promise: Note,
    status: PromiseStatus,
}

impl Pending {
    /// The materials still pending, sorted.
    pub fn materials(&self) -> &[MaterialId] {
        &self.materials
    }

    /// When the applicant promised to supply them.
    pub fn supply_by(&self) -> DateTime<Utc> {
        self.supply_by
    }

    /// The applicant's written promise.
    pub fn promise(&self) -> &Note {
        &self.promise
    }

    /// Whether the promise lapsed (recorded).
    pub fn status(&self) -> PromiseStatus {
        self.status
    }

    /// Whether the promise has lapsed at `at`: recorded, or its date
    /// passed — the right judged from the clock, whether or not a tick
    /// recorded it.
    pub fn is_lapsed_at(&self, at: DateTime<Utc>) -> bool {
        self.status == PromiseStatus::Lapsed || at >= self.supply_by
    }
}

impl Handling {
    /// The request.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// When the hall accepted it.
    pub fn accepted_at(&self) -> DateTime<Utc> {
        self.accepted_at
    }

    /// The promised completion date in force. It never moves earlier: it
    /// moves later by exactly the suspensions and approved extensions.
    pub fn promised(&self) -> DateTime<Utc> {
        self.promised
    }

    /// The body handling it now: the hall, or the department that signed
    /// for it.
    pub fn handler(&self) -> &OrgId {
        &self.handler
    }

    /// The deadline for which overdue was last recorded, if any.
    pub fn overdue(&self) -> Option<DateTime<Utc>> {
        self.overdue
    }

    /// The working days it was suspended, in total.
    pub fn paused_working_days(&self) -> u32 {
        self.paused_working_days
    }

    /// The working days of approved extensions, in total.
    pub fn extended_working_days(&self) -> u32 {
        self.extended_working_days
    }

    /// The departments that returned it as not their own.
    pub fn returned_by(&self) -> &[OrgId] {
        &self.returned_by
    }

    /// Its supervision on the escalation ladder, started at acceptance.
    pub fn ladder(&self) -> &LadderState {
        &self.ladder
    }

    /// The materials it was accepted without and the promise to supply
    /// them, until the last one is supplied.
    pub fn pending(&self) -> Option<&Pending> {
        self.pending.as_ref()
    }

    /// Whether handling is suspended because a promise lapsed (recorded).
    pub fn is_lapsed(&self) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|p| p.status == PromiseStatus::Lapsed)
    }
}

/// A [`Handling`] as stored, checked before it becomes one.
#[derive(Deserialize)]
struct HandlingData {
    request: Request,
    accepted_at: DateTime<Utc>,
    promised: DateTime<Utc>,
    handler: OrgId,
    overdue: Option<DateTime<Utc>>,
    paused_working_days: u32,
    extended_working_days: u32,
    returned_by: Vec<OrgId>,
    ladder: LadderState,
    #[serde(default)]
    pending: Option<Pending>,
}

impl TryFrom<HandlingData> for Handling {
    type Error = ServiceStateError;

    fn try_from(d: HandlingData) -> Result<Self, ServiceStateError> {
        if d.accepted_at < d.request.submitted_at {
            return Err(ServiceStateError::AcceptedBeforeSubmitted {
                submitted_at: d.request.submitted_at,
                accepted_at: d.accepted_at,
            });
        }
        if d.promised < d.accepted_at {
            return Err(ServiceStateError::PromisedBeforeAccepted {
                accepted_at: d.accepted_at,
                promised: d.promised,
            });
        }
        if let Some(pending) = &d.pending {
            if pending.materials.is_empty() || pending.materials.windows(2).any(|w| w[0] >= w[1]) {
                return Err(ServiceStateError::PendingNotSorted);
            }
            if pending.supply_by <= d.accepted_at {
                return Err(ServiceStateError::SupplyDateNotAfterAcceptance {
                    accepted_at: d.accepted_at,
                    supply_by: pending.supply_by,
                });
            }
        }
        if let Some(overdue) = d.overdue {
            if overdue > d.promised {
                return Err(ServiceStateError::OverdueAfterPromise {
                    overdue,
                    promised: d.promised,
                });
            }
        }
        Ok(Handling {
            request: d.request,
            accepted_at: d.accepted_at,
            promised: d.promised,
            handler: d.handler,
            overdue: d.overdue,
            paused_working_days: d.paused_working_days,
            extended_working_days: d.extended_working_days,
            returned_by: d.returned_by,
            ladder: d.ladder,
            pending: d.pending,
        })
    }
}

impl Handling {
    /// Whether it is overdue at `at` (the clock may be stopped: see
    /// [`ServiceRequestState::is_clock_running`]).
    pub fn is_past_deadline(&self, at: DateTime<Utc>) -> bool {
        at >= self.promised
    }
}

/// How handling ended: completed, or denied on its merits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Completed.
    Completed,
    /// Denied, with the reason and the legal basis.
    Denied {
        /// Why.
        reason: Note,
        /// The provision it rests on.
        legal_basis: Note,
    },
}

/// Where a service request stands. Each variant carries exactly the data
/// that exists in that state; what every request has after intake lives in
/// a boxed [`Handling`], so moving between states moves one pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ServiceRequestState {
    /// Nothing submitted yet.
    New,
    /// Submitted; the hall examines it.
    Submitted(Box<Intake>),
    /// The hall asked for supplementary materials; the applicant supplies
    /// them.
    SupplementRequested(Box<Intake>),
    /// Refused at intake. Terminal.
    Refused {
        /// The request.
        request: Box<Request>,
        /// Why.
        reason: Note,
        /// The provision it rests on.
        legal_basis: Note,
    },
    /// Accepted, with a promised date; waiting to be handled by the hall or
    /// forwarded to the competent department.
    Accepted(Box<Handling>),
    /// Forwarded to a department, which has not signed for it yet.
    Forwarded {
        /// The handling.
        handling: Box<Handling>,
        /// The department.
        to: OrgId,
    },
    /// Being handled.
    InProcess(Box<Handling>),
    /// Suspended: the clock is stopped.
    Suspended {
        /// The handling.
        handling: Box<Handling>,
        /// Since when.
        since: DateTime<Utc>,
        /// Why.
        reason: Note,
    },
    /// Being handled, with an extension waiting for a supervisor.
    ExtensionRequested {
        /// The handling.
        handling: Box<Handling>,
        /// The working days asked for.
        working_days: u32,
        /// Why.
        reason: Note,
    },
    /// Completed; the result waits to be delivered.
    Completed(Box<Handling>),
    /// Denied; the decision waits to be delivered.
    Denied {
        /// The handling.
        handling: Box<Handling>,
        /// Why.
        reason: Note,
        /// The provision it rests on.
        legal_basis: Note,
    },
    /// Delivered; the applicant may rate it.
    Delivered {
        /// The handling.
        handling: Box<Handling>,
        /// How handling ended.
        outcome: Outcome,
    },
    /// Rated by the applicant.
    Rated {
        /// The handling.
        handling: Box<Handling>,
        /// How handling ended.
        outcome: Outcome,
        /// The review.
        review: Review,
        /// The comment, if any.
        comment: Option<Note>,
    },
    /// A bad review opened rectification (整改): the hall rectifies by the
    /// deadline (or a supervisor sends the request back for rework).
    Rectifying {
        /// The handling.
        handling: Box<Handling>,
        /// How handling ended.
        outcome: Outcome,
        /// The review: dissatisfied or very dissatisfied.
        review: Review,
        /// The comment, if any.
        comment: Option<Note>,
        /// The rectification deadline.
        due: DateTime<Utc>,
        /// Whether a tick recorded the deadline passed.
        overdue: Option<DateTime<Utc>>,
    },
    /// Rectified: the hall calls the applicant back (回访), then the request
    /// is closed.
    FollowingUp {
        /// The handling.
        handling: Box<Handling>,
        /// How handling ended.
        outcome: Outcome,
        /// The review.
        review: Review,
        /// The rectification deadline.
        due: DateTime<Utc>,
        /// What the hall did.
        action: Note,
    },
    /// Closed. Terminal.
    Closed {
        /// The handling.
        handling: Box<Handling>,
        /// How handling ended.
        outcome: Outcome,
        /// The review, if the applicant gave one.
        review: Option<Review>,
    },
    /// Withdrawn by the applicant. Terminal.
    Withdrawn {
        /// The request.
        request: Box<Request>,
        /// The promised date in force when it was withdrawn, if it had been
        /// accepted.
        promised: Option<DateTime<Utc>>,
        /// Why, if they said.
        reason: Option<Note>,
    },
}

impl ServiceRequestState {
    /// The request, once submitted.
    pub fn request(&self) -> Option<&Request> {
        use ServiceRequestState as S;
        match self {
            S::New => None,
            S::Submitted(i) | S::SupplementRequested(i) => Some(&i.request),
            S::Refused { request, .. } | S::Withdrawn { request, .. } => Some(request),
            other => other.handling().map(|h| &h.request),
        }
    }

    /// The intake, while the request is examined.
    pub fn intake(&self) -> Option<&Intake> {
        match self {
            ServiceRequestState::Submitted(i) | ServiceRequestState::SupplementRequested(i) => {
                Some(i)
            }
            _ => None,
        }
    }

    /// The handling, from acceptance on (not once withdrawn).
    pub fn handling(&self) -> Option<&Handling> {
        use ServiceRequestState as S;
        match self {
            S::Accepted(h) | S::InProcess(h) | S::Completed(h) => Some(h),
            S::Forwarded { handling, .. }
            | S::Suspended { handling, .. }
            | S::ExtensionRequested { handling, .. }
            | S::Denied { handling, .. }
            | S::Delivered { handling, .. }
            | S::Rated { handling, .. }
            | S::Rectifying { handling, .. }
            | S::FollowingUp { handling, .. }
            | S::Closed { handling, .. } => Some(handling),
            _ => None,
        }
    }

    /// The handling while the clock runs: accepted, forwarded, in process,
    /// or waiting for an extension — not suspended (by the handler, or by
    /// a lapsed promise to supply materials), and not once completed or
    /// denied.
    pub fn running(&self) -> Option<&Handling> {
        self.open_handling()
            .filter(|h| !h.is_lapsed() && !matches!(self, ServiceRequestState::Suspended { .. }))
    }

    /// The handling of an open request after acceptance: accepted,
    /// forwarded, in process, suspended or waiting for an extension.
    pub fn open_handling(&self) -> Option<&Handling> {
        use ServiceRequestState as S;
        match self {
            S::Accepted(h) | S::InProcess(h) => Some(h),
            S::Forwarded { handling, .. }
            | S::ExtensionRequested { handling, .. }
            | S::Suspended { handling, .. } => Some(handling),
            _ => None,
        }
    }

    /// Whether the promised date's clock is running (see
    /// [`running`](Self::running)).
    pub fn is_clock_running(&self) -> bool {
        self.running().is_some()
    }

    /// The promised completion date in force, once accepted (also the one
    /// in force when a request was withdrawn).
    pub fn promised(&self) -> Option<DateTime<Utc>> {
        match self {
            ServiceRequestState::Withdrawn { promised, .. } => *promised,
            other => other.handling().map(|h| h.promised),
        }
    }

    /// The request's supervision on the escalation ladder, once accepted.
    pub fn ladder(&self) -> Option<&LadderState> {
        self.handling().map(|h| &h.ladder)
    }

    /// Whether the applicant may still withdraw: from submission until the
    /// request is completed or denied.
    pub fn is_open(&self) -> bool {
        use ServiceRequestState as S;
        matches!(
            self,
            S::Submitted(_)
                | S::SupplementRequested(_)
                | S::Accepted(_)
                | S::Forwarded { .. }
                | S::InProcess(_)
                | S::Suspended { .. }
                | S::ExtensionRequested { .. }
        )
    }

    /// Whether the request has ended: refused, withdrawn or closed.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ServiceRequestState::Refused { .. }
                | ServiceRequestState::Withdrawn { .. }
                | ServiceRequestState::Closed { .. }
        )
    }

    /// Applies one fact. Consults nothing but the state and the event; an
    /// event that does not apply leaves the state as it is (the declared
    /// transition table and the testing kit catch such a decision).
    pub(crate) fn evolve(mut self, event: &ServiceRequestEvent) -> Self {
        self.apply(event);
        self
    }

    /// Applies one fact where the state lies (what [`evolve`](Self::evolve)
    /// does). A fact about the handling of a running request — a ladder
    /// step, a lapse, a supply, overdue — changes the boxed [`Handling`] in
    /// place; a suspension and a resumption move only the box; any other
    /// fact moves the parts into the new state once
    /// ([`transition`](Self::transition)).
    pub(crate) fn apply(&mut self, event: &ServiceRequestEvent) {
        use ServiceRequestEvent as E;
        use ServiceRequestState as S;
        match (&mut *self, event) {
            (_, E::Ladder(e)) => {
                if let Some(h) = self.running_mut() {
                    embed::evolve::<Ladder>(&mut h.ladder, e);
                }
            }
            (_, E::Overdue { deadline }) => {
                if let Some(h) = self.running_mut() {
                    h.overdue = Some(*deadline);
                }
            }
            (_, E::PromiseLapsed { .. }) => {
                if let Some(p) = self.running_mut().and_then(|h| h.pending.as_mut()) {
                    p.status = PromiseStatus::Lapsed;
                }
            }
            (
                _,
                E::PendingSupplied {
                    materials,
                    paused_working_days,
                    promised,
                    ..
                },
            ) => {
                if let Some(h) = self.open_handling_mut() {
                    if let Some(p) = &mut h.pending {
                        p.materials.retain(|m| !materials.contains(m));
                        if p.materials.is_empty() {
                            h.pending = None;
                        }
                        h.paused_working_days =
                            h.paused_working_days.saturating_add(*paused_working_days);
                        move_promise(h, *promised);
                    }
                }
            }
            (S::InProcess(_), E::Suspended { at, reason }) => {
                self.move_handling(|handling| S::Suspended {
                    handling,
                    since: *at,
                    reason: reason.clone(),
                });
            }
            (
                S::Suspended { handling, .. },
                E::Resumed {
                    paused_working_days,
                    promised,
                    ..
                },
            ) => {
                handling.paused_working_days = handling
                    .paused_working_days
                    .saturating_add(*paused_working_days);
                move_promise(handling, *promised);
                self.move_handling(S::InProcess);
            }
            _ => {
                let taken = std::mem::replace(self, S::New);
                *self = taken.transition(event);
            }
        }
    }

    /// Applies a fact that moves the request to another state (or, for a
    /// fact [`apply`](Self::apply) changes in place, does nothing).
    // Kept out of line: inlined into `apply`, its one match over the
    // whole state made every call copy every variant's fields through the
    // stack (callgrind; see DESIGN.md, "Replay of work orders, round 5").
    #[inline(never)]
    fn transition(self, event: &ServiceRequestEvent) -> Self {
        use ServiceRequestEvent as E;
        use ServiceRequestState as S;
        match (self, event) {
            (S::New, E::Submitted(s)) => S::Submitted(Box::new(Intake {
                request: s.request.clone(),
                materials: s
                    .required
                    .iter()
                    .map(|id| IntakeMaterial {
                        id: id.clone(),
                        status: if s.provided.contains(id) {
                            MaterialStatus::Provided
                        } else {
                            MaterialStatus::Missing
                        },
                        materiality: if s.non_essential.contains(id) {
                            Materiality::NonEssential
                        } else {
                            Materiality::Essential
                        },
                    })
                    .collect(),
                supplement_rounds: 0,
                notice_due: s.notice_due,
            })),
            (S::Submitted(mut i), E::SupplementRequested { materials }) => {
                i.set(materials, MaterialStatus::Outstanding);
                i.supplement_rounds = i.supplement_rounds.saturating_add(1);
                S::SupplementRequested(i)
            }
            (S::SupplementRequested(mut i), E::MaterialsSupplied { materials }) => {
                i.set(materials, MaterialStatus::Provided);
                S::Submitted(i)
            }
            (
                S::Submitted(i) | S::SupplementRequested(i),
                E::Refused {
                    reason,
                    legal_basis,
                },
            ) => S::Refused {
                request: Box::new(i.request),
                reason: reason.clone(),
                legal_basis: legal_basis.clone(),
            },
            (S::Submitted(i), E::Accepted { at, promised }) => {
                S::Accepted(Box::new(Handling::new(i.request, *at, *promised, None)))
            }
            (
                S::Submitted(i),
                E::DeemedAccepted {
                    received: at,
                    promised,
                },
            ) => S::Accepted(Box::new(Handling::new(i.request, *at, *promised, None))),
            (
                S::Submitted(i),
                E::AcceptedWithPending {
                    at,
                    promised,
                    pending,
                    supply_by,
                    promise,
                },
            ) => {
                let pending = Pending {
                    materials: pending.clone(),
                    supply_by: *supply_by,
                    promise: promise.clone(),
                    status: PromiseStatus::Open,
                };
                S::Accepted(Box::new(Handling::new(
                    i.request,
                    *at,
                    *promised,
                    Some(pending),
                )))
            }
            (S::Accepted(h), E::ProcessingStarted) => S::InProcess(h),
            (S::Accepted(h), E::Forwarded { to }) => S::Forwarded {
                handling: h,
                to: to.clone(),
            },
            (S::Forwarded { mut handling, .. }, E::SignedFor { by }) => {
                handling.handler = by.clone();
                S::InProcess(handling)
            }
            (S::Forwarded { mut handling, .. }, E::Returned { by, .. }) => {
                handling.returned_by.push(by.clone());
                S::Accepted(handling)
            }
            (
                S::InProcess(h),
                E::ExtensionRequested {
                    working_days,
                    reason,
                },
            ) => S::ExtensionRequested {
                handling: h,
                working_days: *working_days,
                reason: reason.clone(),
            },
            (
                S::ExtensionRequested { mut handling, .. },
                E::ExtensionApproved {
                    working_days,
                    promised,
                },
            ) => {
                handling.extended_working_days =
                    handling.extended_working_days.saturating_add(*working_days);
                move_promise(&mut handling, *promised);
                S::InProcess(handling)
            }
            (S::ExtensionRequested { handling, .. }, E::ExtensionRejected { .. }) => {
                S::InProcess(handling)
            }
            (S::InProcess(h) | S::ExtensionRequested { handling: h, .. }, E::Completed) => {
                S::Completed(h)
            }
            (
                S::InProcess(h) | S::ExtensionRequested { handling: h, .. },
                E::Denied {
                    reason,
                    legal_basis,
                },
            ) => S::Denied {
                handling: h,
                reason: reason.clone(),
                legal_basis: legal_basis.clone(),
            },
            (S::Completed(h), E::Delivered) => S::Delivered {
                handling: h,
                outcome: Outcome::Completed,
            },
            (
                S::Denied {
                    handling,
                    reason,
                    legal_basis,
                },
                E::Delivered,
            ) => S::Delivered {
                handling,
                outcome: Outcome::Denied {
                    reason,
                    legal_basis,
                },
            },
            (S::Delivered { handling, outcome }, E::Rated { review, comment }) => S::Rated {
                handling,
                outcome,
                review: *review,
                comment: comment.clone(),
            },
            (
                S::Rated {
                    handling,
                    outcome,
                    review,
                    comment,
                },
                E::RectificationOpened { due },
            ) => S::Rectifying {
                handling,
                outcome,
                review,
                comment,
                due: *due,
                overdue: None,
            },
            (
                S::Rectifying {
                    handling,
                    outcome,
                    review,
                    comment,
                    due,
                    ..
                },
                E::RectificationOverdue { due: late },
            ) => S::Rectifying {
                handling,
                outcome,
                review,
                comment,
                due,
                overdue: Some(*late),
            },
            (
                S::Rectifying {
                    handling,
                    outcome,
                    review,
                    due,
                    ..
                },
                E::Rectified { action, .. },
            ) => S::FollowingUp {
                handling,
                outcome,
                review,
                due,
                action: action.clone(),
            },
            (
                S::FollowingUp {
                    handling,
                    outcome,
                    review,
                    ..
                },
                E::FollowedUp { .. },
            ) => S::Closed {
                handling,
                outcome,
                review: Some(review),
            },
            (S::Rectifying { handling, .. }, E::SentBackForRework { .. }) => S::InProcess(handling),
            (S::Delivered { handling, outcome }, E::Closed) => S::Closed {
                handling,
                outcome,
                review: None,
            },
            (
                S::Rated {
                    handling,
                    outcome,
                    review,
                    ..
                },
                E::Closed,
            ) => S::Closed {
                handling,
                outcome,
                review: Some(review),
            },
            (state, E::Withdrawn { reason }) if state.is_open() => {
                let promised = state.promised();
                match state.into_request() {
                    Some(request) => S::Withdrawn {
                        request,
                        promised,
                        reason: reason.clone(),
                    },
                    None => S::New,
                }
            }
            (state, _) => state,
        }
    }

    /// The handling of a state whose clock runs (see
    /// [`running`](Self::running)), to change in place.
    fn running_mut(&mut self) -> Option<&mut Handling> {
        if self.is_clock_running() {
            self.open_handling_mut()
        } else {
            None
        }
    }

    /// The handling of an open state after acceptance (see
    /// [`open_handling`](Self::open_handling)), to change in place.
    fn open_handling_mut(&mut self) -> Option<&mut Handling> {
        use ServiceRequestState as S;
        match self {
            S::Accepted(h) | S::InProcess(h) => Some(h),
            S::Forwarded { handling, .. }
            | S::ExtensionRequested { handling, .. }
            | S::Suspended { handling, .. } => Some(handling),
            _ => None,
        }
    }

    /// Moves the boxed handling of an open state after acceptance into the
    /// state `into` makes of it; any other state stays as it is.
    fn move_handling(&mut self, into: impl FnOnce(Box<Handling>) -> Self) {
        use ServiceRequestState as S;
        *self = match std::mem::replace(self, S::New) {
            S::Accepted(h)
            | S::InProcess(h)
            | S::Forwarded { handling: h, .. }
            | S::Suspended { handling: h, .. }
            | S::ExtensionRequested { handling: h, .. } => into(h),
            other => other,
        };
    }

    /// The request of an open state, boxed.
    fn into_request(self) -> Option<Box<Request>> {
        use ServiceRequestState as S;
        match self {
            S::Submitted(i) | S::SupplementRequested(i) => Some(Box::new(i.request)),
            S::Accepted(h)
            | S::InProcess(h)
            | S::Forwarded { handling: h, .. }
            | S::Suspended { handling: h, .. }
            | S::ExtensionRequested { handling: h, .. } => Some(Box::new(h.request)),
            _ => None,
        }
    }
}

impl Handling {
    fn new(
        request: Request,
        accepted_at: DateTime<Utc>,
        promised: DateTime<Utc>,
        pending: Option<Pending>,
    ) -> Self {
        let handler = request.hall.clone();
        Handling {
            request,
            accepted_at,
            promised,
            handler,
            overdue: None,
            paused_working_days: 0,
            extended_working_days: 0,
            returned_by: Vec::new(),
            ladder: LadderState::Idle,
            pending,
        }
    }
}

/// Moves the promised date. The ladder's due date follows through its own
/// `Ladder.Rescheduled` event, decided with this one.
fn move_promise(handling: &mut Handling, promised: DateTime<Utc>) {
    handling.promised = promised;
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn a_one_pointer_note_keeps_the_state_at_sixty_four_bytes_and_an_event_at_seventy_two() {
        // Replay moves a state and reads an event per step: their size is
        // most of its cost. A note is one pointer (was a 24-byte inline
        // string: 112 and 88 bytes).
        assert_eq!(std::mem::size_of::<ServiceRequestState>(), 64);
        assert_eq!(
            std::mem::size_of::<crate::service::ServiceRequestEvent>(),
            72
        );
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
    }

    fn request() -> Request {
        Request {
            item: "BR-001".parse().unwrap(),
            category: ServiceCategory::BusinessRegistration,
            mode: Mode::Handle,
            hall: "hall".parse().unwrap(),
            handling_body: "hall".parse().unwrap(),
            working_days: 3,
            statutory_working_days: 10,
            applicant: "ap1".parse().unwrap(),
            agent: None,
            submitted_at: at(),
        }
    }

    fn submitted() -> Value {
        let material = |id: &str, status| IntakeMaterial {
            id: id.parse().unwrap(),
            status,
            materiality: Materiality::Essential,
        };
        serde_json::to_value(ServiceRequestState::Submitted(Box::new(Intake {
            request: request(),
            materials: vec![
                material("id-card", MaterialStatus::Provided),
                material("lease", MaterialStatus::Missing),
            ],
            supplement_rounds: 0,
            notice_due: None,
        })))
        .unwrap()
    }

    fn in_process() -> Value {
        serde_json::to_value(ServiceRequestState::InProcess(Box::new(Handling {
            request: request(),
            accepted_at: at() + TimeDelta::hours(1),
            promised: at() + TimeDelta::days(5),
            handler: "hall".parse().unwrap(),
            overdue: None,
            paused_working_days: 0,
            extended_working_days: 0,
            returned_by: Vec::new(),
            ladder: LadderState::Idle,
            pending: None,
        })))
        .unwrap()
    }

    fn refused(json: Value) -> String {
        serde_json::from_value::<ServiceRequestState>(json)
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn stored_states_round_trip() {
        for json in [submitted(), in_process()] {
            let state: ServiceRequestState = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(serde_json::to_value(&state).unwrap(), json);
        }
    }

    #[test]
    fn a_stored_intake_with_unsorted_materials_is_refused() {
        let mut json = submitted();
        json["materials"][1]["id"] = json!("id-card");
        assert!(refused(json).contains("not sorted without repeats"));
    }

    #[test]
    fn a_stored_material_outstanding_before_any_supplement_request_is_refused() {
        let mut json = submitted();
        json["materials"][1]["status"] = json!("outstanding");
        assert!(refused(json).contains("no supplement was requested"));
    }

    #[test]
    fn a_stored_promise_with_nothing_pending_or_due_before_acceptance_is_refused() {
        let pending = |materials: Vec<&str>, supply_by| {
            json!({
                "materials": materials,
                "supply_by": supply_by,
                "promise": "promise",
                "status": "open",
            })
        };
        let mut json = in_process();
        json["pending"] = pending(vec![], at() + TimeDelta::days(2));
        assert!(refused(json).contains("pending materials"));
        let mut json = in_process();
        json["pending"] = pending(vec!["lease", "id-card"], at() + TimeDelta::days(2));
        assert!(refused(json).contains("pending materials"));
        let mut json = in_process();
        json["pending"] = pending(vec!["lease"], at());
        assert!(refused(json).contains("after acceptance"));
        let mut json = in_process();
        json["pending"] = pending(vec!["id-card", "lease"], at() + TimeDelta::days(2));
        let state: ServiceRequestState = serde_json::from_value(json).unwrap();
        assert_eq!(
            state
                .handling()
                .unwrap()
                .pending()
                .unwrap()
                .materials()
                .len(),
            2
        );
    }

    #[test]
    fn a_stored_handling_out_of_time_order_is_refused() {
        let mut json = in_process();
        json["accepted_at"] = json!(at() - TimeDelta::hours(1));
        assert!(refused(json).contains("before it was submitted"));
        let mut json = in_process();
        json["promised"] = json!(at());
        assert!(refused(json).contains("lies before acceptance"));
        let mut json = in_process();
        json["overdue"] = json!(at() + TimeDelta::days(6));
        assert!(refused(json).contains("after the promised date"));
    }
}
