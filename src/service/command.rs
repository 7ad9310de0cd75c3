//! [`ServiceRequestCommand`]: what applicants, clerks, departments,
//! supervisors and the timer ask of a service request.

use crate::workflow::HasKind;
use serde::{Deserialize, Serialize};

use super::catalogue::Attributes;
use super::note::Note;
use crate::id::{MaterialId, OrgId, ServiceCode};

/// The applicant's verdict on a delivered request (好差评).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// A good review.
    Good,
    /// A bad review; a supervisor may send the request back for rework.
    Bad,
}

/// A command to a service request. Who may send each is in the
/// [module docs](super).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "command")]
#[non_exhaustive]
pub enum ServiceRequestCommand {
    /// The applicant submits a request for a catalogue item, with the
    /// materials they bring and the intake attributes filled in.
    Submit {
        /// The item's code.
        item: ServiceCode,
        /// The materials provided, by id.
        materials: Vec<MaterialId>,
        /// The intake attribute values.
        attributes: Attributes,
        /// A free description, if any.
        description: Option<Note>,
    },
    /// A hall clerk asks the applicant for supplementary materials (补正).
    /// The first request names every missing material at once.
    RequestSupplement {
        /// The materials asked for.
        materials: Vec<MaterialId>,
    },
    /// The applicant supplies materials that were asked for.
    SupplyMaterials {
        /// The materials supplied.
        materials: Vec<MaterialId>,
    },
    /// A hall clerk accepts the request (受理); the promised completion date
    /// is computed from the working calendar.
    Accept,
    /// A hall clerk refuses the request (不予受理), with the reason and the
    /// legal basis.
    Refuse {
        /// Why.
        reason: Note,
        /// The provision it rests on.
        legal_basis: Note,
    },
    /// A hall clerk starts handling an item the hall handles itself.
    StartProcessing,
    /// An agent clerk forwards an agent-mode request to the competent
    /// department (代办).
    Forward {
        /// The department; the item's handling body when `None`.
        to: Option<OrgId>,
    },
    /// An officer of the department it was forwarded to signs for it.
    SignFor,
    /// An officer of the department it was forwarded to returns it as not
    /// its own.
    Return {
        /// Why it is not the department's.
        reason: Note,
    },
    /// The handler suspends processing (中止): the clock stops.
    Suspend {
        /// Why.
        reason: Note,
    },
    /// The handler resumes processing: the promised date moves by the
    /// pause.
    Resume,
    /// The handler asks for an extension, before the deadline.
    RequestExtension {
        /// How many working days more.
        working_days: u32,
        /// Why.
        reason: Note,
    },
    /// A supervisor approves the pending extension: the new date is
    /// recorded.
    ApproveExtension,
    /// A supervisor rejects the pending extension.
    RejectExtension {
        /// Why.
        reason: Note,
    },
    /// The handler completes the request (办结).
    Complete,
    /// The handler denies the request on its merits, with the reason and
    /// the legal basis.
    Deny {
        /// Why.
        reason: Note,
        /// The provision it rests on.
        legal_basis: Note,
    },
    /// A hall clerk delivers the result to the applicant (送达).
    Deliver,
    /// The applicant rates the service.
    Rate {
        /// Good or bad.
        review: Review,
        /// A comment, if any.
        comment: Option<Note>,
    },
    /// A supervisor sends a badly reviewed request back for rework.
    SendBackForRework {
        /// Why.
        reason: Note,
    },
    /// A hall clerk closes a delivered request.
    Close,
    /// The applicant withdraws the request, at any open point.
    Withdraw {
        /// Why, if they say.
        reason: Option<Note>,
    },
    /// A timer (sent by the system): records that the request is overdue,
    /// once per deadline, and drives its supervision.
    Tick,
}

impl ServiceRequestCommand {}
