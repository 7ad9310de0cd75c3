//! [`WorkOrderEvent`]: the decided facts of a work order.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::{Channel, Finding, ReturnReason, Satisfaction};
use super::geo::GeoFields;
use crate::escalation::{LadderEvent, LadderEvents};
use crate::id::{ActorId, OrgId};
use crate::org::{Need, Route};
use crate::service::Note;
use crate::workflow::HasKind;

/// A request as it was received: who asked, about what, where, through
/// which channel, and which body received it first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intake {
    /// How it arrived.
    pub channel: Channel,
    /// The resident or enterprise asking.
    pub requester: ActorId,
    /// What it is about.
    pub matter: Need,
    /// Where, in the organisation graph.
    pub location: OrgId,
    /// What the requester said.
    pub description: Note,
    /// GeoReport's optional fields.
    #[serde(default)]
    pub geo: GeoFields,
    /// The body that received it first (首问): the dispatch centre for the
    /// hotline and the app, else the body the recorder acts for.
    pub first_receiver: OrgId,
    /// The dispatch centre that dispatches it.
    pub centre: OrgId,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// Why the lead body was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum Basis {
    /// The organisation graph routed the matter to it.
    Routed {
        /// The route.
        route: Route,
    },
    /// The dispatcher chose it.
    Chosen {
        /// Why.
        reason: Note,
    },
    /// It received the request first and took it on itself.
    FirstContact,
}

/// Who handles a dispatched order: the lead body, the assisting bodies of a
/// joint handling, and why the lead was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The lead body (主办).
    pub lead: OrgId,
    /// The assisting bodies (协办), in the order named.
    pub assisting: Vec<OrgId>,
    /// Why the lead.
    pub basis: Basis,
}

/// A fact about a work order. Stored forever: the serde names (the `type`
/// tag, snake_case) never change.
///
/// Every deadline is decided in `decide` and carried here (`sign_for_due`,
/// `due`), so replay consults no calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "type")]
#[non_exhaustive]
pub enum WorkOrderEvent {
    /// The request was received. Shared (not copied) with the order it
    /// starts; stored as the intake itself.
    Received(Arc<Intake>),
    /// The first receiving body took it on itself.
    TakenOn {
        /// The body.
        by: OrgId,
        /// When.
        at: DateTime<Utc>,
        /// The handling deadline.
        due: DateTime<Utc>,
    },
    /// The first receiving body handed it over to the dispatch centre.
    HandedOver {
        /// The body.
        by: OrgId,
        /// Its record.
        record: Note,
    },
    /// A dispatcher dispatched (or re-dispatched) it.
    Dispatched {
        /// Who handles it. Shared (not copied) with the dispatch and the
        /// handling it starts; stored as the assignment itself.
        assignment: Arc<Assignment>,
        /// When.
        at: DateTime<Utc>,
        /// By when the lead must sign for it (working hours).
        sign_for_due: DateTime<Utc>,
    },
    /// A dispatcher dismissed it.
    Dismissed {
        /// Why.
        reason: Note,
    },
    /// The lead body signed for it.
    SignedFor {
        /// The body.
        by: OrgId,
        /// When.
        at: DateTime<Utc>,
        /// The handling deadline.
        due: DateTime<Utc>,
    },
    /// The lead body returned it to the dispatcher.
    Returned {
        /// The body.
        by: OrgId,
        /// Why.
        reason: ReturnReason,
    },
    /// A dispatcher upheld the dispatch: back to the same lead body.
    DispatchUpheld {
        /// Why the return does not stand.
        reason: Note,
        /// When.
        at: DateTime<Utc>,
        /// The new sign-for deadline.
        sign_for_due: DateTime<Utc>,
    },
    /// A tick found the order not signed for by its deadline. Recorded once
    /// per dispatch.
    SignForOverdue {
        /// The sign-for deadline that passed.
        deadline: DateTime<Utc>,
    },
    /// An assisting body reported its part.
    Assisted {
        /// The body.
        by: OrgId,
        /// What it did.
        note: Note,
    },
    /// The lead body asked for an extension.
    ExtensionRequested {
        /// How many working days more.
        working_days: u32,
        /// Why.
        reason: Note,
    },
    /// A supervisor approved it.
    ExtensionApproved {
        /// How many working days more.
        working_days: u32,
        /// The deadline from now on.
        due: DateTime<Utc>,
    },
    /// A supervisor rejected it.
    ExtensionRejected {
        /// Why.
        reason: Note,
    },
    /// The lead body replied to the requester.
    Replied {
        /// The body.
        by: OrgId,
        /// When.
        at: DateTime<Utc>,
        /// The reply.
        reply: Note,
    },
    /// A dispatcher called the requester back.
    CalledBack {
        /// When.
        at: DateTime<Utc>,
        /// The requester's satisfaction.
        satisfaction: Satisfaction,
        /// What the call found of the reply.
        finding: Finding,
        /// Notes of the call, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// A dispatcher sent it back to be redone.
    RedoOrdered {
        /// What must be done.
        reason: Note,
        /// When.
        at: DateTime<Utc>,
        /// The deadline of the redo.
        due: DateTime<Utc>,
    },
    /// A dispatcher closed it.
    Closed,
    /// The requester withdrew it.
    Withdrawn {
        /// Why, if they said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Note>,
    },
    /// A tick found the order past its handling deadline. Recorded once
    /// per deadline.
    Overdue {
        /// The deadline that passed.
        deadline: DateTime<Utc>,
    },
    /// A step of the order's supervision (督办) on the escalation ladder,
    /// boxed.
    #[kind(embed)]
    Ladder(Box<LadderEvent>),
}

impl From<LadderEvent> for WorkOrderEvent {
    fn from(event: LadderEvent) -> Self {
        WorkOrderEvent::Ladder(Box::new(event))
    }
}

impl LadderEvents for WorkOrderEvent {
    fn ladder_event(&self) -> Option<&LadderEvent> {
        match self {
            WorkOrderEvent::Ladder(e) => Some(e),
            _ => None,
        }
    }
}
