//! [`WorkOrderCommand`]: what requesters, receiving bodies, dispatchers,
//! handling bodies, supervisors and the timer ask of a work order.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::geo::GeoFields;
use crate::id::{ActorId, OrgId};
use crate::org::Need;
use crate::service::Note;
use crate::workflow::HasKind;

/// How a request reached the government.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// The 12345 hotline: a dispatcher of the centre records the call.
    Hotline,
    /// The city's app or mini-program: the requester reports in person.
    App,
    /// A grid worker (网格员) met it on their rounds.
    GridWorker,
    /// "Secretary face-to-face" (书记面对面): a party secretary heard it in
    /// person.
    SecretaryFaceToFace,
    /// The merchants' council (商会) brought it on a member's behalf.
    MerchantsCouncil,
}

impl Channel {
    /// Every channel, in declaration order.
    pub const ALL: [Channel; 5] = [
        Channel::Hotline,
        Channel::App,
        Channel::GridWorker,
        Channel::SecretaryFaceToFace,
        Channel::MerchantsCouncil,
    ];

    /// The snake_case name, as in serde.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Hotline => "hotline",
            Channel::App => "app",
            Channel::GridWorker => "grid_worker",
            Channel::SecretaryFaceToFace => "secretary_face_to_face",
            Channel::MerchantsCouncil => "merchants_council",
        }
    }

    /// Whether the request arrives at the dispatch centre itself (hotline,
    /// app) rather than at a body that meets the requester.
    pub const fn reaches_centre(self) -> bool {
        matches!(self, Channel::Hotline | Channel::App)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who leads the handling of a dispatched order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "lead")]
pub enum Lead {
    /// The body the organisation graph routes the matter to, for the
    /// order's location, at the lowest tier that handles it.
    Routed,
    /// A body the dispatcher chose, with the reason for departing from the
    /// route.
    Chosen {
        /// The body.
        body: OrgId,
        /// Why this body.
        reason: Note,
    },
}

/// Why a body returns an order (退单). A body returns an order for one
/// ground at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReturnGround {
    /// The matter is not within the body's remit.
    NotOurRemit,
    /// The place is outside the body's area.
    OutsideOurArea,
    /// The order lacks what the body needs to act (an address, a contact).
    InformationIncomplete,
    /// The matter was already handled under another order.
    AlreadyHandled,
}

impl fmt::Display for ReturnGround {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReturnGround::NotOurRemit => "not our remit",
            ReturnGround::OutsideOurArea => "outside our area",
            ReturnGround::InformationIncomplete => "information incomplete",
            ReturnGround::AlreadyHandled => "already handled",
        })
    }
}

/// The reason a body gives when it returns an order: a ground and a
/// written explanation. Both are required — there is no return without a
/// reason.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReturnReason {
    /// The ground.
    pub ground: ReturnGround,
    /// The written explanation.
    pub note: Note,
}

/// How satisfied the requester says they are at the callback (回访).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// Satisfied.
    Satisfied,
    /// Basically satisfied.
    BasicallySatisfied,
    /// Not satisfied.
    Dissatisfied,
}

impl Satisfaction {
    /// Whether it counts as satisfied in the rate: satisfied or basically
    /// satisfied.
    pub const fn is_satisfied(self) -> bool {
        !matches!(self, Satisfaction::Dissatisfied)
    }
}

impl fmt::Display for Satisfaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::BasicallySatisfied => "basically satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
        })
    }
}

/// What the callback found of the reply, whatever the requester says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The reply answers the request.
    ReplyAdequate,
    /// The reply falls short: the matter was not dealt with.
    ReplyWanting,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Finding::ReplyAdequate => "an adequate reply",
            Finding::ReplyWanting => "a wanting reply",
        })
    }
}

/// A command to a work order. Who may send each is in the
/// [module docs](super).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "command")]
#[non_exhaustive]
pub enum WorkOrderCommand {
    /// Records a request (诉求) as it arrives through a channel.
    Receive {
        /// How it arrived.
        channel: Channel,
        /// The resident or enterprise asking.
        requester: ActorId,
        /// What it is about: the capability a body needs to handle it.
        matter: Need,
        /// Where, in the organisation graph (a territorial body).
        location: OrgId,
        /// What the requester said.
        description: Note,
        /// GeoReport's optional fields.
        geo: GeoFields,
    },
    /// The first receiving body handles the request itself (首问负责).
    TakeOn,
    /// The first receiving body hands the request over to the dispatch
    /// centre, with a record of what it did and why.
    HandOver {
        /// The record.
        record: Note,
    },
    /// A dispatcher sends the order to a lead body, with assisting bodies
    /// for joint handling (派单); after a return, this re-dispatches it.
    Dispatch {
        /// The lead body: routed, or chosen with a reason.
        lead: Lead,
        /// Assisting bodies (协办), if any.
        assisting: Vec<OrgId>,
    },
    /// A dispatcher dismisses a request that is no matter for government
    /// (a duplicate, a private dispute for the courts), with the reason.
    Dismiss {
        /// Why.
        reason: Note,
    },
    /// The lead body signs for the order (签收): its handling limit starts.
    SignFor,
    /// The lead body returns the order to the dispatcher (退单).
    Return {
        /// Why: a ground and a note.
        reason: ReturnReason,
    },
    /// A dispatcher upholds the dispatch after a return: the order goes
    /// back to the same lead body.
    UpholdDispatch {
        /// Why the return does not stand.
        reason: Note,
    },
    /// An assisting body reports its part of a joint handling.
    Assist {
        /// What it did.
        note: Note,
    },
    /// The lead body asks for more working days, before the deadline.
    RequestExtension {
        /// How many working days more.
        working_days: u32,
        /// Why.
        reason: Note,
    },
    /// A supervisor approves the pending extension.
    ApproveExtension,
    /// A supervisor rejects the pending extension.
    RejectExtension {
        /// Why.
        reason: Note,
    },
    /// The lead body replies to the requester (答复).
    Reply {
        /// The reply.
        reply: Note,
    },
    /// A dispatcher calls the requester back (回访) and records what they
    /// said and what the call found.
    Callback {
        /// The requester's satisfaction.
        satisfaction: Satisfaction,
        /// What the call found of the reply.
        finding: Finding,
        /// Notes of the call, if any.
        note: Option<Note>,
    },
    /// A dispatcher sends the order back to the lead body to be redone
    /// (重办): the requester is dissatisfied and the reply was wanting.
    Redo {
        /// What must be done.
        reason: Note,
    },
    /// A dispatcher closes the order after the callback (办结).
    Close,
    /// The requester withdraws the request (撤诉), before the reply.
    Withdraw {
        /// Why, if they say.
        reason: Option<Note>,
    },
    /// A timer (sent by the system): records a missed sign-for or handling
    /// deadline once per deadline, and drives supervision (督办).
    Tick,
}
