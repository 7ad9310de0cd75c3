//! [`ServiceRequestEvent`]: the decided facts of a service request.

use crate::workflow::HasKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::catalogue::Attributes;
use super::command::Review;
use super::note::Note;
use super::state::Request;
use crate::escalation::{LadderEvent, LadderEvents};
use crate::id::{MaterialId, OrgId};

/// What was submitted: the request with the item's terms at that moment,
/// the materials the item requires and those provided, and the intake
/// attributes (already checked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// The request and the terms it is held to.
    pub request: Request,
    /// Every material the item required when it was submitted, sorted.
    pub required: Vec<MaterialId>,
    /// The materials provided with it, sorted.
    pub provided: Vec<MaterialId>,
    /// The required materials the item marked non-essential (容缺受理),
    /// sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_essential: Vec<MaterialId>,
    /// The last moment for a supplement notice: five working days after
    /// receipt (行政许可法 arts. 32, 82). `None` in events stored before the
    /// rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_due: Option<DateTime<Utc>>,
    /// The intake attribute values.
    pub attributes: Attributes,
    /// The applicant's description, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Note>,
}

/// A fact about a service request. Stored forever: the serde names (the
/// `type` tag, snake_case) never change.
///
/// Every deadline is decided in `decide` and carried here, so replay
/// consults no calendar: `Accepted`, `DeemedAccepted` and
/// `AcceptedWithPending` carry the promised completion date, `Resumed`,
/// `PendingSupplied` and `ExtensionApproved` the date it moved to,
/// `RectificationOpened` the rectification deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "type")]
#[non_exhaustive]
pub enum ServiceRequestEvent {
    /// The applicant submitted the request.
    Submitted(Box<Submission>),
    /// The hall asked for supplementary materials.
    SupplementRequested {
        /// The materials asked for, sorted.
        materials: Vec<MaterialId>,
    },
    /// The applicant supplied materials.
    MaterialsSupplied {
        /// The materials supplied, sorted.
        materials: Vec<MaterialId>,
    },
    /// The hall accepted the request.
    Accepted {
        /// When.
        at: DateTime<Utc>,
        /// The promised completion date: when the item's time limit, counted
        /// in working days from the day after acceptance, runs out.
        promised: DateTime<Utc>,
    },
    /// No supplement notice came within five working days of receipt: the
    /// application counts as accepted from receipt (行政许可法 art. 32).
    DeemedAccepted {
        /// When the hall received it: the acceptance date.
        received: DateTime<Utc>,
        /// The promised completion date, counted from receipt.
        promised: DateTime<Utc>,
    },
    /// The hall accepted the request with non-essential materials pending
    /// (容缺受理), on the applicant's written promise.
    AcceptedWithPending {
        /// When.
        at: DateTime<Utc>,
        /// The promised completion date.
        promised: DateTime<Utc>,
        /// The materials pending, sorted.
        pending: Vec<MaterialId>,
        /// When the applicant promised to supply them.
        supply_by: DateTime<Utc>,
        /// The applicant's written promise.
        promise: Note,
    },
    /// The date promised for the pending materials passed without them:
    /// handling is suspended from that date.
    PromiseLapsed {
        /// The date promised: the suspension starts then.
        supply_by: DateTime<Utc>,
    },
    /// The applicant supplied promised materials. When the last one comes
    /// after the promise lapsed, handling resumes and the promised date
    /// moves by the pause.
    PendingSupplied {
        /// When.
        at: DateTime<Utc>,
        /// The materials supplied, sorted.
        materials: Vec<MaterialId>,
        /// The working days handling was suspended for the lapse (0 unless
        /// this supply ends one).
        paused_working_days: u32,
        /// The promised date from now on.
        promised: DateTime<Utc>,
    },
    /// The hall refused the request.
    Refused {
        /// Why.
        reason: Note,
        /// The provision it rests on.
        legal_basis: Note,
    },
    /// The hall started handling an item it handles itself.
    ProcessingStarted,
    /// An agent clerk forwarded the request to a department.
    Forwarded {
        /// The department.
        to: OrgId,
    },
    /// The department signed for it and now handles it.
    SignedFor {
        /// The department.
        by: OrgId,
    },
    /// The department returned it as not its own; the hall holds it again.
    Returned {
        /// The department.
        by: OrgId,
        /// Why it is not the department's.
        reason: Note,
    },
    /// Processing was suspended: the clock stopped.
    Suspended {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: Note,
    },
    /// Processing resumed: the promised date moved by the pause.
    Resumed {
        /// When.
        at: DateTime<Utc>,
        /// The working days the pause lasted (see the module docs for how
        /// they are counted).
        paused_working_days: u32,
        /// The promised date from now on.
        promised: DateTime<Utc>,
    },
    /// The handler asked for an extension.
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
        /// The promised date from now on.
        promised: DateTime<Utc>,
    },
    /// A supervisor rejected it.
    ExtensionRejected {
        /// Why.
        reason: Note,
    },
    /// The request was completed.
    Completed,
    /// The request was denied on its merits.
    Denied {
        /// Why.
        reason: Note,
        /// The provision it rests on.
        legal_basis: Note,
    },
    /// The result was delivered to the applicant.
    Delivered,
    /// The applicant rated the service.
    Rated {
        /// One of the five levels.
        review: Review,
        /// Their comment, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<Note>,
    },
    /// A bad review opened rectification (整改), due by a deadline.
    RectificationOpened {
        /// The deadline.
        due: DateTime<Utc>,
    },
    /// A tick found the rectification past its deadline. Recorded once.
    RectificationOverdue {
        /// The deadline that passed.
        due: DateTime<Utc>,
    },
    /// The hall rectified.
    Rectified {
        /// When.
        at: DateTime<Utc>,
        /// What was done.
        action: Note,
    },
    /// The hall called the applicant back after rectification (回访); the
    /// request is closed.
    FollowedUp {
        /// When.
        at: DateTime<Utc>,
        /// What the applicant said.
        result: Note,
    },
    /// A supervisor sent it back for rework after a bad review.
    SentBackForRework {
        /// Why.
        reason: Note,
    },
    /// The request was closed.
    Closed,
    /// The applicant withdrew it.
    Withdrawn {
        /// Why, if they said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Note>,
    },
    /// A tick found the request past its promised date. Recorded once per
    /// deadline.
    Overdue {
        /// The promised date that passed.
        deadline: DateTime<Utc>,
    },
    /// A step of the request's supervision on the escalation ladder — the
    /// ladder's own event, boxed (it is four times the size of any other
    /// event here, so boxing keeps every recorded event small).
    #[kind(embed)]
    Ladder(Box<LadderEvent>),
}

impl ServiceRequestEvent {}

impl From<LadderEvent> for ServiceRequestEvent {
    fn from(event: LadderEvent) -> Self {
        ServiceRequestEvent::Ladder(Box::new(event))
    }
}

impl LadderEvents for ServiceRequestEvent {
    fn ladder_event(&self) -> Option<&LadderEvent> {
        match self {
            ServiceRequestEvent::Ladder(e) => Some(e),
            _ => None,
        }
    }
}
