//! [`WorkOrderState`]: where a work order stands, with exactly the data
//! that exists there, and how each fact changes it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use super::command::{Finding, ReturnReason, Satisfaction};
use super::error::WorkOrderStateError;
use super::event::{Assignment, Basis, Intake, WorkOrderEvent};
use crate::escalation::{Ladder, LadderState};
use crate::id::OrgId;
use crate::service::Note;
use crate::workflow::{HasKind, embed};

/// The record a first receiving body leaves when it hands a request over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// The body.
    pub by: OrgId,
    /// What it did and why it handed the request over.
    pub record: Note,
}

/// One return of the order (退单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRecord {
    /// The body that returned it.
    pub by: OrgId,
    /// Why.
    pub reason: ReturnReason,
}

/// A work order from intake on: the request, the first-contact handover
/// and every return. Sealed: built by the order's events, read through
/// accessors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    intake: Arc<Intake>,
    handover: Option<Handover>,
    // Most orders are returned at most once: the first return is kept
    // inline, without an allocation.
    returns: SmallVec<[ReturnRecord; 1]>,
}

impl Order {
    /// The request as received.
    pub fn intake(&self) -> &Intake {
        &self.intake
    }

    /// The first receiving body's handover, if it handed the request over.
    pub fn handover(&self) -> Option<&Handover> {
        self.handover.as_ref()
    }

    /// Every return, oldest first.
    pub fn returns(&self) -> &[ReturnRecord] {
        &self.returns
    }

    /// Whether `body` already returned the order on this reason's ground.
    pub fn was_returned_by(&self, body: &OrgId, reason: &ReturnReason) -> bool {
        self.returns
            .iter()
            .any(|r| r.by == *body && r.reason.ground == reason.ground)
    }
}

/// A dispatched order waiting to be signed for. Sealed; checked when read
/// from JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PendingData")]
pub struct Pending {
    assignment: Arc<Assignment>,
    dispatched_at: DateTime<Utc>,
    sign_for_due: DateTime<Utc>,
    sign_for_overdue: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct PendingData {
    assignment: Arc<Assignment>,
    dispatched_at: DateTime<Utc>,
    sign_for_due: DateTime<Utc>,
    sign_for_overdue: Option<DateTime<Utc>>,
}

impl TryFrom<PendingData> for Pending {
    type Error = WorkOrderStateError;
    fn try_from(d: PendingData) -> Result<Self, WorkOrderStateError> {
        if d.sign_for_due < d.dispatched_at {
            return Err(WorkOrderStateError::DueBeforeStart {
                start: d.dispatched_at,
                due: d.sign_for_due,
            });
        }
        if d.sign_for_overdue.is_some_and(|o| o != d.sign_for_due) {
            return Err(WorkOrderStateError::OverdueNotTheDeadline);
        }
        Ok(Pending {
            assignment: d.assignment,
            dispatched_at: d.dispatched_at,
            sign_for_due: d.sign_for_due,
            sign_for_overdue: d.sign_for_overdue,
        })
    }
}

impl Pending {
    /// Who is to handle it.
    pub fn assignment(&self) -> &Assignment {
        &self.assignment
    }

    /// When it was (last) dispatched or the dispatch upheld.
    pub fn dispatched_at(&self) -> DateTime<Utc> {
        self.dispatched_at
    }

    /// By when the lead must sign for it.
    pub fn sign_for_due(&self) -> DateTime<Utc> {
        self.sign_for_due
    }

    /// The sign-for deadline recorded as missed, if it was.
    pub fn sign_for_overdue(&self) -> Option<DateTime<Utc>> {
        self.sign_for_overdue
    }
}

/// An order being handled: who handles it, its deadline, the assisting
/// bodies' reports, its redos and its supervision on the ladder. Sealed;
/// checked when read from JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "HandlingData")]
pub struct Handling {
    assignment: Arc<Assignment>,
    signed_for_at: DateTime<Utc>,
    due: DateTime<Utc>,
    overdue: Option<DateTime<Utc>>,
    extended_working_days: u32,
    assisted: Vec<OrgId>,
    redos: u32,
    ladder: LadderState,
}

#[derive(Deserialize)]
struct HandlingData {
    assignment: Arc<Assignment>,
    signed_for_at: DateTime<Utc>,
    due: DateTime<Utc>,
    overdue: Option<DateTime<Utc>>,
    extended_working_days: u32,
    assisted: Vec<OrgId>,
    redos: u32,
    ladder: LadderState,
}

impl TryFrom<HandlingData> for Handling {
    type Error = WorkOrderStateError;
    fn try_from(d: HandlingData) -> Result<Self, WorkOrderStateError> {
        if d.due < d.signed_for_at {
            return Err(WorkOrderStateError::DueBeforeStart {
                start: d.signed_for_at,
                due: d.due,
            });
        }
        if let Some(body) = d
            .assisted
            .iter()
            .find(|b| !d.assignment.assisting.contains(b))
        {
            return Err(WorkOrderStateError::AssistedButNotAssisting { body: body.clone() });
        }
        Ok(Handling {
            assignment: d.assignment,
            signed_for_at: d.signed_for_at,
            due: d.due,
            overdue: d.overdue,
            extended_working_days: d.extended_working_days,
            assisted: d.assisted,
            redos: d.redos,
            ladder: d.ladder,
        })
    }
}

impl Handling {
    /// Who handles it.
    pub fn assignment(&self) -> &Assignment {
        &self.assignment
    }

    /// The lead body.
    pub fn lead(&self) -> &OrgId {
        &self.assignment.lead
    }

    /// When the lead signed for it (or took it on).
    pub fn signed_for_at(&self) -> DateTime<Utc> {
        self.signed_for_at
    }

    /// The handling deadline in force.
    pub fn due(&self) -> DateTime<Utc> {
        self.due
    }

    /// The deadline for which overdue was last recorded, if any.
    pub fn overdue(&self) -> Option<DateTime<Utc>> {
        self.overdue
    }

    /// The working days of approved extensions, in total.
    pub fn extended_working_days(&self) -> u32 {
        self.extended_working_days
    }

    /// The assisting bodies that reported their part.
    pub fn assisted(&self) -> &[OrgId] {
        &self.assisted
    }

    /// The first assisting body that has not reported its part yet.
    pub fn pending_assistance(&self) -> Option<&OrgId> {
        self.assignment
            .assisting
            .iter()
            .find(|b| !self.assisted.contains(b))
    }

    /// How many times the order was sent back to be redone.
    pub fn redos(&self) -> u32 {
        self.redos
    }

    /// Its supervision on the escalation ladder, started at sign-for.
    pub fn ladder(&self) -> &LadderState {
        &self.ladder
    }

    /// Whether it is past its deadline at `at`.
    pub fn is_past_deadline(&self, at: DateTime<Utc>) -> bool {
        at >= self.due
    }
}

/// The lead body's reply to the requester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRecord {
    /// The lead body.
    pub by: OrgId,
    /// When.
    pub at: DateTime<Utc>,
    /// The reply.
    pub reply: Note,
}

/// What the callback (回访) recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// The requester's satisfaction.
    pub satisfaction: Satisfaction,
    /// What the call found of the reply.
    pub finding: Finding,
    /// Notes of the call, if any.
    pub note: Option<Note>,
}

impl CallbackRecord {
    /// Whether it warrants a redo: the requester is dissatisfied and the
    /// reply was wanting.
    pub fn warrants_redo(&self) -> bool {
        self.satisfaction == Satisfaction::Dissatisfied && self.finding == Finding::ReplyWanting
    }
}

/// Where a work order stands. Each variant carries exactly the data that
/// exists in that state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum WorkOrderState {
    /// Nothing received yet.
    New,
    /// Received by a body other than the dispatch centre, which must handle
    /// it or hand it over (首问负责).
    Received(Box<Order>),
    /// With the dispatch centre, waiting to be dispatched.
    AwaitingDispatch(Box<Order>),
    /// Dispatched; the lead body has not signed for it yet.
    Dispatched {
        /// The order.
        order: Box<Order>,
        /// The dispatch (small: its assignment is shared with the event).
        pending: Pending,
    },
    /// Returned by the lead body; the dispatcher re-dispatches it or
    /// upholds the dispatch.
    ReturnPending {
        /// The order (its last return is the one pending).
        order: Box<Order>,
        /// The dispatch that was returned.
        pending: Pending,
    },
    /// Being handled.
    InHand {
        /// The order.
        order: Box<Order>,
        /// The handling.
        handling: Box<Handling>,
    },
    /// Being handled, with an extension waiting for a supervisor.
    ExtensionRequested {
        /// The order.
        order: Box<Order>,
        /// The handling.
        handling: Box<Handling>,
        /// The working days asked for.
        working_days: u32,
        /// Why.
        reason: Note,
    },
    /// Replied to; waiting for the callback.
    Replied {
        /// The order.
        order: Box<Order>,
        /// The handling.
        handling: Box<Handling>,
        /// The reply.
        reply: ReplyRecord,
    },
    /// Called back; the dispatcher closes it or has it redone.
    CalledBack {
        /// The order.
        order: Box<Order>,
        /// The handling.
        handling: Box<Handling>,
        /// The reply.
        reply: ReplyRecord,
        /// The callback.
        callback: CallbackRecord,
    },
    /// Closed. Terminal.
    Closed {
        /// The order.
        order: Box<Order>,
        /// The handling.
        handling: Box<Handling>,
        /// The last reply.
        reply: ReplyRecord,
        /// The last callback.
        callback: CallbackRecord,
    },
    /// Dismissed by the dispatcher. Terminal.
    Dismissed {
        /// The order.
        order: Box<Order>,
        /// Why.
        reason: Note,
    },
    /// Withdrawn by the requester. Terminal.
    Withdrawn {
        /// The order.
        order: Box<Order>,
        /// Why, if they said.
        reason: Option<Note>,
    },
}

impl WorkOrderState {
    /// The order, once received.
    pub fn order(&self) -> Option<&Order> {
        use WorkOrderState as S;
        match self {
            S::New => None,
            S::Received(o) | S::AwaitingDispatch(o) => Some(o),
            S::Dispatched { order, .. }
            | S::ReturnPending { order, .. }
            | S::InHand { order, .. }
            | S::ExtensionRequested { order, .. }
            | S::Replied { order, .. }
            | S::CalledBack { order, .. }
            | S::Closed { order, .. }
            | S::Dismissed { order, .. }
            | S::Withdrawn { order, .. } => Some(order),
        }
    }

    /// The handling, from sign-for on.
    pub fn handling(&self) -> Option<&Handling> {
        use WorkOrderState as S;
        match self {
            S::InHand { handling, .. }
            | S::ExtensionRequested { handling, .. }
            | S::Replied { handling, .. }
            | S::CalledBack { handling, .. }
            | S::Closed { handling, .. } => Some(handling),
            _ => None,
        }
    }

    /// The handling while its deadline runs: in hand, or waiting for an
    /// extension.
    pub fn running(&self) -> Option<&Handling> {
        match self {
            WorkOrderState::InHand { handling, .. }
            | WorkOrderState::ExtensionRequested { handling, .. } => Some(handling),
            _ => None,
        }
    }

    /// The dispatch waiting to be signed for, or returned.
    pub fn pending(&self) -> Option<&Pending> {
        match self {
            WorkOrderState::Dispatched { pending, .. }
            | WorkOrderState::ReturnPending { pending, .. } => Some(pending),
            _ => None,
        }
    }

    /// The body that holds the order now: the first receiver, the centre,
    /// the lead it was dispatched to (the centre again once returned), the
    /// lead handling it; `None` once it has ended.
    pub fn holder(&self) -> Option<&OrgId> {
        use WorkOrderState as S;
        match self {
            S::Received(o) => Some(&o.intake.first_receiver),
            S::AwaitingDispatch(o)
            | S::ReturnPending { order: o, .. }
            | S::Replied { order: o, .. }
            | S::CalledBack { order: o, .. } => Some(&o.intake.centre),
            S::Dispatched { pending, .. } => Some(&pending.assignment.lead),
            S::InHand { handling, .. } | S::ExtensionRequested { handling, .. } => {
                Some(&handling.assignment.lead)
            }
            _ => None,
        }
    }

    /// The last reply, once replied.
    pub fn reply(&self) -> Option<&ReplyRecord> {
        match self {
            WorkOrderState::Replied { reply, .. }
            | WorkOrderState::CalledBack { reply, .. }
            | WorkOrderState::Closed { reply, .. } => Some(reply),
            _ => None,
        }
    }

    /// The last callback, once called back.
    pub fn callback(&self) -> Option<&CallbackRecord> {
        match self {
            WorkOrderState::CalledBack { callback, .. }
            | WorkOrderState::Closed { callback, .. } => Some(callback),
            _ => None,
        }
    }

    /// Whether the requester may still withdraw: from intake until the
    /// reply.
    pub fn is_open(&self) -> bool {
        use WorkOrderState as S;
        matches!(
            self,
            S::Received(_)
                | S::AwaitingDispatch(_)
                | S::Dispatched { .. }
                | S::ReturnPending { .. }
                | S::InHand { .. }
                | S::ExtensionRequested { .. }
        )
    }

    /// Whether the order has ended: closed, dismissed or withdrawn.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            WorkOrderState::Closed { .. }
                | WorkOrderState::Dismissed { .. }
                | WorkOrderState::Withdrawn { .. }
        )
    }

    /// Applies one fact. Consults nothing but the state and the event; an
    /// event that does not apply leaves the state as it is (the declared
    /// transition table catches such a decision).
    pub(crate) fn evolve(mut self, event: &WorkOrderEvent) -> Self {
        self.apply(event);
        self
    }

    /// Applies one fact where the state lies (what [`evolve`](Self::evolve)
    /// does). A fact that keeps the order in its state — a missed sign-for,
    /// a step of supervision, overdue, an assisting body's report — changes
    /// its part in place. A fact that changes the state's kind changes the
    /// part it concerns in place too, and then moves only the boxes (and the
    /// small records) of that kind into the new one: each arm takes the
    /// state out once ([`take`](Self::take)), so no other kind's fields are
    /// copied.
    pub(crate) fn apply(&mut self, event: &WorkOrderEvent) {
        use WorkOrderEvent as E;
        use WorkOrderState as S;
        match (&mut *self, event) {
            (S::Dispatched { pending, .. }, E::SignForOverdue { deadline }) => {
                pending.sign_for_overdue = Some(*deadline);
            }
            (S::InHand { handling, .. } | S::ExtensionRequested { handling, .. }, E::Ladder(e)) => {
                embed::evolve::<Ladder>(&mut handling.ladder, e);
            }
            (
                S::InHand { handling, .. } | S::ExtensionRequested { handling, .. },
                E::Overdue { deadline },
            ) => handling.overdue = Some(*deadline),
            (
                S::InHand { handling, .. } | S::ExtensionRequested { handling, .. },
                E::Assisted { by, .. },
            ) => handling.assisted.push(by.clone()),
            (S::New, E::Received(intake)) => {
                let order = Box::new(Order {
                    intake: Arc::clone(intake),
                    handover: None,
                    returns: SmallVec::new(),
                });
                *self = if intake.first_receiver == intake.centre {
                    S::AwaitingDispatch(order)
                } else {
                    S::Received(order)
                };
            }
            (S::Received(_), E::TakenOn { by, at, due }) => {
                let assignment = Arc::new(Assignment {
                    lead: by.clone(),
                    assisting: Vec::new(),
                    basis: Basis::FirstContact,
                });
                let handling = Box::new(Handling::new(assignment, *at, *due));
                *self = match self.take() {
                    S::Received(order) => S::InHand { order, handling },
                    other => other,
                };
            }
            (S::Received(order), E::HandedOver { by, record }) => {
                order.handover = Some(Handover {
                    by: by.clone(),
                    record: record.clone(),
                });
                *self = match self.take() {
                    S::Received(order) => S::AwaitingDispatch(order),
                    other => other,
                };
            }
            (
                S::AwaitingDispatch(_) | S::ReturnPending { .. },
                E::Dispatched {
                    assignment,
                    at,
                    sign_for_due,
                },
            ) => {
                let pending = Pending {
                    assignment: Arc::clone(assignment),
                    dispatched_at: *at,
                    sign_for_due: *sign_for_due,
                    sign_for_overdue: None,
                };
                *self = match self.take() {
                    S::AwaitingDispatch(order) | S::ReturnPending { order, .. } => {
                        S::Dispatched { order, pending }
                    }
                    other => other,
                };
            }
            (
                S::ReturnPending { pending, .. },
                E::DispatchUpheld {
                    at, sign_for_due, ..
                },
            ) => {
                pending.dispatched_at = *at;
                pending.sign_for_due = *sign_for_due;
                pending.sign_for_overdue = None;
                *self = match self.take() {
                    S::ReturnPending { order, pending } => S::Dispatched { order, pending },
                    other => other,
                };
            }
            (S::AwaitingDispatch(_) | S::ReturnPending { .. }, E::Dismissed { reason }) => {
                *self = match self.take() {
                    S::AwaitingDispatch(order) | S::ReturnPending { order, .. } => S::Dismissed {
                        order,
                        reason: reason.clone(),
                    },
                    other => other,
                };
            }
            (S::Dispatched { .. }, E::SignedFor { at, due, .. }) => {
                *self = match self.take() {
                    S::Dispatched { order, pending } => S::InHand {
                        order,
                        handling: Box::new(Handling::new(pending.assignment, *at, *due)),
                    },
                    other => other,
                };
            }
            (S::Dispatched { order, .. }, E::Returned { by, reason }) => {
                order.returns.push(ReturnRecord {
                    by: by.clone(),
                    reason: reason.clone(),
                });
                *self = match self.take() {
                    S::Dispatched { order, pending } => S::ReturnPending { order, pending },
                    other => other,
                };
            }
            (
                S::InHand { .. },
                E::ExtensionRequested {
                    working_days,
                    reason,
                },
            ) => {
                *self = match self.take() {
                    S::InHand { order, handling } => S::ExtensionRequested {
                        order,
                        handling,
                        working_days: *working_days,
                        reason: reason.clone(),
                    },
                    other => other,
                };
            }
            (
                S::ExtensionRequested { handling, .. },
                E::ExtensionApproved { working_days, due },
            ) => {
                handling.extended_working_days =
                    handling.extended_working_days.saturating_add(*working_days);
                handling.due = *due;
                self.back_in_hand();
            }
            (S::ExtensionRequested { .. }, E::ExtensionRejected { .. }) => self.back_in_hand(),
            (S::InHand { .. } | S::ExtensionRequested { .. }, E::Replied { by, at, reply }) => {
                let reply = ReplyRecord {
                    by: by.clone(),
                    at: *at,
                    reply: reply.clone(),
                };
                *self = match self.take() {
                    S::InHand { order, handling }
                    | S::ExtensionRequested {
                        order, handling, ..
                    } => S::Replied {
                        order,
                        handling,
                        reply,
                    },
                    other => other,
                };
            }
            (
                S::Replied { .. },
                E::CalledBack {
                    at,
                    satisfaction,
                    finding,
                    note,
                },
            ) => {
                let callback = CallbackRecord {
                    at: *at,
                    satisfaction: *satisfaction,
                    finding: *finding,
                    note: note.clone(),
                };
                *self = match self.take() {
                    S::Replied {
                        order,
                        handling,
                        reply,
                    } => S::CalledBack {
                        order,
                        handling,
                        reply,
                        callback,
                    },
                    other => other,
                };
            }
            (S::CalledBack { handling, .. }, E::RedoOrdered { due, .. }) => {
                handling.redos = handling.redos.saturating_add(1);
                handling.due = *due;
                *self = match self.take() {
                    S::CalledBack {
                        order, handling, ..
                    } => S::InHand { order, handling },
                    other => other,
                };
            }
            (S::CalledBack { .. }, E::Closed) => {
                *self = match self.take() {
                    S::CalledBack {
                        order,
                        handling,
                        reply,
                        callback,
                    } => S::Closed {
                        order,
                        handling,
                        reply,
                        callback,
                    },
                    other => other,
                };
            }
            (state, E::Withdrawn { reason }) if state.is_open() => {
                *self = match self.take().into_order() {
                    Some(order) => S::Withdrawn {
                        order,
                        reason: reason.clone(),
                    },
                    None => S::New,
                };
            }
            // Not applicable here: the state stays (replay's table check
            // refuses a history that relies on it).
            _ => {}
        }
    }

    /// Takes the state out, leaving `New`, for a fact that rebuilds it from
    /// its parts.
    #[inline]
    fn take(&mut self) -> Self {
        std::mem::replace(self, WorkOrderState::New)
    }

    /// An extension decided: back in hand with the same order and handling.
    fn back_in_hand(&mut self) {
        *self = match self.take() {
            WorkOrderState::ExtensionRequested {
                order, handling, ..
            } => WorkOrderState::InHand { order, handling },
            other => other,
        };
    }

    /// The order of an open state.
    fn into_order(self) -> Option<Box<Order>> {
        use WorkOrderState as S;
        match self {
            S::Received(o) | S::AwaitingDispatch(o) => Some(o),
            S::Dispatched { order, .. }
            | S::ReturnPending { order, .. }
            | S::InHand { order, .. }
            | S::ExtensionRequested { order, .. } => Some(order),
            _ => None,
        }
    }
}

impl Handling {
    fn new(assignment: Arc<Assignment>, at: DateTime<Utc>, due: DateTime<Utc>) -> Self {
        Self {
            assignment,
            signed_for_at: at,
            due,
            overdue: None,
            extended_working_days: 0,
            assisted: Vec::new(),
            redos: 0,
            ladder: LadderState::Idle,
        }
    }
}
