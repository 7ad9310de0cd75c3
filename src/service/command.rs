//! [`ServiceRequestCommand`]: what applicants, clerks, departments,
//! supervisors and the timer ask of a service request.

use crate::workflow::HasKind;
use serde::{Deserialize, Serialize};

use super::catalogue::Attributes;
use super::note::Note;
use crate::id::{ActorId, MaterialId, OrgId, ServiceCode};
use chrono::{DateTime, Utc};

/// The applicant's review of a delivered request: the five levels of the
/// good-and-bad review system (好差评, 国办发〔2019〕51号), from very
/// satisfied to very dissatisfied. The last two are a bad review (差评):
/// they open rectification (整改) with a deadline and a follow-up call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// 非常满意.
    VerySatisfied,
    /// 满意.
    Satisfied,
    /// 基本满意.
    BasicallySatisfied,
    /// 不满意: a bad review.
    Dissatisfied,
    /// 非常不满意: a bad review.
    VeryDissatisfied,
}

impl Review {
    /// The five levels, from very satisfied to very dissatisfied.
    pub const ALL: [Review; 5] = [
        Review::VerySatisfied,
        Review::Satisfied,
        Review::BasicallySatisfied,
        Review::Dissatisfied,
        Review::VeryDissatisfied,
    ];

    /// Whether it is a bad review (差评: dissatisfied or very dissatisfied),
    /// which opens rectification.
    pub const fn is_dissatisfied(self) -> bool {
        matches!(self, Review::Dissatisfied | Review::VeryDissatisfied)
    }

    /// The serde name: `very_satisfied`, ..., `very_dissatisfied`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Review::VerySatisfied => "very_satisfied",
            Review::Satisfied => "satisfied",
            Review::BasicallySatisfied => "basically_satisfied",
            Review::Dissatisfied => "dissatisfied",
            Review::VeryDissatisfied => "very_dissatisfied",
        }
    }
}

impl std::fmt::Display for Review {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    /// An agent clerk of the hall submits a request for the applicant (代办),
    /// on the applicant's written authorisation, which is recorded. The
    /// agent may then supply materials and withdraw for the applicant; the
    /// review stays the applicant's own.
    SubmitForApplicant {
        /// The applicant the agent acts for.
        applicant: ActorId,
        /// The applicant's written authorisation (委托书): its reference or
        /// text.
        authorisation: Note,
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
    /// The first request names every missing material at once, and comes
    /// within five working days of receipt (行政许可法 art. 32).
    RequestSupplement {
        /// The materials asked for.
        materials: Vec<MaterialId>,
    },
    /// The applicant (or its agent) supplies materials that were asked for,
    /// or that were promised at acceptance.
    SupplyMaterials {
        /// The materials supplied.
        materials: Vec<MaterialId>,
    },
    /// A hall clerk accepts the request (受理); the promised completion date
    /// is computed from the working calendar.
    Accept,
    /// A hall clerk accepts the request with non-essential materials pending
    /// (容缺受理), on the applicant's written promise to supply them by a
    /// date.
    AcceptWithPromise {
        /// The materials pending: every required one not provided, each
        /// non-essential.
        pending: Vec<MaterialId>,
        /// When the applicant promises to supply them.
        supply_by: DateTime<Utc>,
        /// The applicant's written promise (承诺书): its reference or text.
        promise: Note,
    },
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
    /// A hall clerk forwards an accepted request of an item the hall
    /// forwards ([`Mode::Forward`](super::Mode::Forward)) to the competent
    /// department (转办).
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
        /// One of the five levels.
        review: Review,
        /// A comment, if any.
        comment: Option<Note>,
    },
    /// A supervisor sends a request under rectification back for rework:
    /// the rework is the rectification.
    SendBackForRework {
        /// Why.
        reason: Note,
    },
    /// A hall clerk records what the hall did to rectify after a bad review
    /// (整改).
    Rectify {
        /// What was done.
        action: Note,
    },
    /// A hall clerk records the follow-up call to the applicant after
    /// rectification (回访): the request is then closed.
    FollowUp {
        /// What the applicant said.
        result: Note,
    },
    /// A hall clerk closes a delivered request (not while rectification is
    /// open).
    Close,
    /// The applicant withdraws the request, at any open point.
    Withdraw {
        /// Why, if they say.
        reason: Option<Note>,
    },
    /// A timer (sent by the system): records that the request is overdue,
    /// once per deadline, and drives its supervision; records the
    /// acceptance from receipt once the supplement window closed, the
    /// lapse of a promise to supply materials, and an overdue
    /// rectification.
    Tick,
}

impl ServiceRequestCommand {}
