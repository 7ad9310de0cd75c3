//! Why a work-order configuration was refused ([`WorkOrderConfigError`]),
//! why a GeoReport field was refused ([`GeoError`]) and why a command on a
//! work order was refused ([`WorkOrderError`]).

use chrono::{DateTime, Utc};

use super::command::{Finding, ReturnGround, Satisfaction, WorkOrderCommandKind};
use super::state::WorkOrderStateKind;
use crate::actor::Forbidden;
use crate::calendar::CalendarError;
use crate::escalation::LadderError;
use crate::id::{ActorId, OrgId};
use crate::org::Need;

/// Why a [`WorkOrder`](super::WorkOrder) configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkOrderConfigError {
    /// The dispatch centre is not in the ladder's organisation graph.
    #[error("the dispatch centre {centre} is not in the organisation graph")]
    CentreNotInGraph {
        /// The centre.
        centre: OrgId,
    },
    /// A time limit of the terms is zero.
    #[error("the {limit} limit of work orders must be positive")]
    LimitNotPositive {
        /// Which limit: `sign-for`, `handling` or `redo`.
        limit: &'static str,
    },
    /// The working hours close before (or when) they open.
    #[error("working hours must open before they close, not {opens} to {closes}")]
    HoursEmpty {
        /// Opening time, local.
        opens: chrono::NaiveTime,
        /// Closing time, local.
        closes: chrono::NaiveTime,
    },
}

/// Why a GeoReport field of a work order was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GeoError {
    /// A latitude outside -90..=90 degrees, or not a number.
    #[error("latitude {lat} is not between -90 and 90 degrees")]
    Latitude {
        /// The latitude given.
        lat: f64,
    },
    /// A longitude outside -180..=180 degrees, or not a number.
    #[error("longitude {long} is not between -180 and 180 degrees")]
    Longitude {
        /// The longitude given.
        long: f64,
    },
    /// A media URL that is not an `http` or `https` URL without spaces.
    #[error("the media url {url:?} is not an http or https url without spaces")]
    MediaUrl {
        /// The text given (cut to 64 bytes).
        url: String,
    },
    /// A media URL longer than [`MAX_URL_LEN`](super::MAX_URL_LEN) bytes.
    #[error("the media url is {len} bytes long, the limit is {max}")]
    MediaUrlTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// Why a command on a work order was refused. Names who, what and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkOrderError {
    /// The actor lacks the role the command needs.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The actor holds the role but acts for another body than the one the
    /// command needs (a sign-for by an officer of another body).
    #[error("actor {actor} may not {action}: it does not act for {body}")]
    NotActingFor {
        /// The actor.
        actor: ActorId,
        /// What it tried.
        action: &'static str,
        /// The body it would have to act for.
        body: OrgId,
    },
    /// The actor records an intake in person but acts for no body.
    #[error("actor {actor} may not record a request: it acts for no body")]
    ActsForNoBody {
        /// The actor.
        actor: ActorId,
    },
    /// Only the requester may send this command (an app report, a
    /// withdrawal).
    #[error("actor {actor} may not {action}: only the requester {requester} may")]
    NotTheRequester {
        /// The actor.
        actor: ActorId,
        /// What it tried.
        action: &'static str,
        /// The requester.
        requester: ActorId,
    },
    /// The command does not apply to a work order in this state.
    #[error("command {command} does not apply to a work order that is {state}")]
    NotApplicable {
        /// The command's kind.
        command: WorkOrderCommandKind,
        /// The state's kind.
        state: WorkOrderStateKind,
    },
    /// A body the command names is not in the organisation graph.
    #[error("the body {body} is not in the organisation graph")]
    UnknownBody {
        /// The body.
        body: OrgId,
    },
    /// The location is not a territorial body of the graph.
    #[error("the location {location} is not a territorial body of the organisation graph")]
    NotTerritorial {
        /// The location given.
        location: OrgId,
    },
    /// The body cannot handle the matter: it lacks the capability.
    #[error("{body} cannot handle {matter}")]
    CannotHandle {
        /// The body.
        body: OrgId,
        /// The matter.
        matter: Need,
    },
    /// Routing found no body that handles the matter for the location.
    #[error("no body handles {matter} for {location}")]
    NoRoute {
        /// The location.
        location: OrgId,
        /// The matter.
        matter: Need,
    },
    /// An assisting body named twice, or the lead named as assisting.
    #[error("the body {body} is named twice in the assignment")]
    BodyRepeated {
        /// The body.
        body: OrgId,
    },
    /// First-contact responsibility (首问负责): the body that first
    /// received the request handles it or hands it over with a record; it
    /// cannot refuse it.
    #[error("{body} received the request first: it must handle it or hand it over, not refuse it")]
    FirstContactCannotRefuse {
        /// The first receiving body.
        body: OrgId,
    },
    /// The body already returned the order for this reason.
    #[error("{body} already returned this order as {ground}")]
    ReturnedBefore {
        /// The body.
        body: OrgId,
        /// The ground it gave both times.
        ground: ReturnGround,
    },
    /// A re-dispatch to the body whose return is pending: sending the order
    /// back to it is upholding the dispatch, which takes a reason
    /// ([`UpholdDispatch`](super::WorkOrderCommand::UpholdDispatch)).
    #[error("{body} returned the order: send it back by upholding the dispatch, with a reason")]
    RedispatchToReturner {
        /// The body that returned it.
        body: OrgId,
    },
    /// The actor acts for no assisting body of the order.
    #[error("actor {actor} acts for no assisting body of this order")]
    NotAssisting {
        /// The actor.
        actor: ActorId,
    },
    /// The assisting body already reported its part.
    #[error("the assisting body {body} already reported its part")]
    AlreadyAssisted {
        /// The body.
        body: OrgId,
    },
    /// The lead replies only once every assisting body reported its part.
    #[error("the assisting body {body} has not reported its part yet")]
    AssistancePending {
        /// The body.
        body: OrgId,
    },
    /// A callback (回访) comes only after the reply.
    #[error("a callback comes after the reply; the order is {state}")]
    CallbackBeforeReply {
        /// The state's kind.
        state: WorkOrderStateKind,
    },
    /// A redo (重办) needs a dissatisfied requester and a callback that
    /// found the reply wanting.
    #[error(
        "a redo needs a dissatisfied requester and a wanting reply, not {satisfaction} and {finding}"
    )]
    RedoNotWarranted {
        /// The requester's satisfaction.
        satisfaction: Satisfaction,
        /// What the callback found.
        finding: Finding,
    },
    /// The callback warrants a redo and the order has had fewer than the
    /// terms' redos: it may not be closed yet.
    #[error("the callback warrants a redo: the order has been redone {redos} of {max} times")]
    RedoRequired {
        /// Redos so far.
        redos: u32,
        /// The terms' most.
        max: u32,
    },
    /// An extension of zero working days.
    #[error("an extension must be at least one working day")]
    ZeroExtension,
    /// An extension longer than the handling limit.
    #[error("an extension of {requested} working days is longer than the limit of {max}")]
    ExtensionTooLong {
        /// The working days asked for.
        requested: u32,
        /// The most allowed.
        max: u32,
    },
    /// An extension asked for at or after the deadline.
    #[error("an extension must be asked for before the deadline {deadline}")]
    ExtensionTooLate {
        /// The deadline in force.
        deadline: DateTime<Utc>,
    },
    /// A deadline could not be computed.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The embedded escalation ladder refused the step.
    #[error(transparent)]
    Ladder(#[from] LadderError),
}

/// Why a stored work-order state was refused when read from JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkOrderStateError {
    /// A deadline before the moment its clock started.
    #[error("the deadline {due} lies before its start {start}")]
    DueBeforeStart {
        /// When the clock started.
        start: DateTime<Utc>,
        /// The deadline.
        due: DateTime<Utc>,
    },
    /// A missed sign-for deadline that is not the one in force.
    #[error("the missed sign-for deadline is not the one in force")]
    OverdueNotTheDeadline,
    /// A body recorded as having assisted that is not assisting.
    #[error("{body} reported a part but is not an assisting body")]
    AssistedButNotAssisting {
        /// The body.
        body: OrgId,
    },
}
