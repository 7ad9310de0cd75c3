//! Why a catalogue was refused ([`CatalogueError`]) and why a command on a
//! service request was refused ([`ServiceRequestError`]).

use std::fmt;

use chrono::{DateTime, Utc};

use super::catalogue::{AttributeCode, Datatype, Mode};
use super::command::ServiceRequestCommandKind;
use super::state::ServiceRequestStateKind;
use crate::actor::Forbidden;
use crate::calendar::CalendarError;
use crate::escalation::LadderError;
use crate::id::{ActorId, IdError, MaterialId, OrgId, ServiceCode};

/// What an organisation is used as in a catalogue, for
/// [`CatalogueError::NotInGraph`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrgUse {
    /// The hall that publishes the catalogue.
    Hall,
    /// The area the hall serves.
    Area,
    /// The handling body of an item.
    HandlingBody(ServiceCode),
}

impl fmt::Display for OrgUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrgUse::Hall => f.write_str("the hall"),
            OrgUse::Area => f.write_str("the area"),
            OrgUse::HandlingBody(code) => write!(f, "the handling body of item {code}"),
        }
    }
}

/// Why a [`Catalogue`](super::Catalogue) (or a
/// [`ServiceRequest`](super::ServiceRequest) built on one) was refused. Each
/// names the offending entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// An item's code is not a valid identifier.
    #[error("catalogue entry {index}: {source}")]
    InvalidCode {
        /// The entry's position in the list, from 0.
        index: usize,
        /// Why the code was refused.
        source: IdError,
    },
    /// Two items share a code.
    #[error("service code {code} appears twice in the catalogue")]
    DuplicateCode {
        /// The code.
        code: ServiceCode,
    },
    /// An item's category is neither one of the report's nine nor a valid
    /// custom name (see [`vocabulary`](crate::vocabulary)).
    #[error("item {code}: {category:?} is not a valid service category: {reason}")]
    InvalidCategory {
        /// The item.
        code: ServiceCode,
        /// The category given.
        category: String,
        /// The rule the name broke.
        reason: crate::vocabulary::NameError,
    },
    /// An item's time limit is not a positive number of working days.
    #[error(
        "item {code}: the time limit must be a positive number of working days, not {working_days}"
    )]
    LimitNotPositive {
        /// The item.
        code: ServiceCode,
        /// The limit given.
        working_days: i64,
    },
    /// An item has a blank name.
    #[error("item {code} has no name")]
    EmptyName {
        /// The item.
        code: ServiceCode,
    },
    /// An item lists a material twice.
    #[error("item {code} lists the material {material} twice")]
    DuplicateMaterial {
        /// The item.
        code: ServiceCode,
        /// The material.
        material: MaterialId,
    },
    /// An item defines an attribute twice.
    #[error("item {code} defines the attribute {attribute} twice")]
    DuplicateAttribute {
        /// The item.
        code: ServiceCode,
        /// The attribute.
        attribute: AttributeCode,
    },
    /// A list attribute without allowed values.
    #[error("item {code}: the attribute {attribute} is a {datatype} but lists no allowed values")]
    MissingValues {
        /// The item.
        code: ServiceCode,
        /// The attribute.
        attribute: AttributeCode,
        /// Its datatype.
        datatype: Datatype,
    },
    /// A attribute that is not a list but lists allowed values.
    #[error(
        "item {code}: the attribute {attribute} is a {datatype} and may not list allowed values"
    )]
    UnexpectedValues {
        /// The item.
        code: ServiceCode,
        /// The attribute.
        attribute: AttributeCode,
        /// Its datatype.
        datatype: Datatype,
    },
    /// A list attribute lists a key twice.
    #[error("item {code}: the attribute {attribute} lists the value {value:?} twice")]
    DuplicateValue {
        /// The item.
        code: ServiceCode,
        /// The attribute.
        attribute: AttributeCode,
        /// The key.
        value: String,
    },
    /// An item the hall handles itself ([`Mode::Handle`]) names another
    /// handling body.
    #[error("item {code} is handled by the hall {hall} itself, not by {body}")]
    HandledElsewhere {
        /// The item.
        code: ServiceCode,
        /// The handling body given.
        body: OrgId,
        /// The hall.
        hall: OrgId,
    },
    /// An item the hall forwards ([`Mode::Forward`]) names the hall itself
    /// as the competent department.
    #[error(
        "item {code} is forwarded: its handling body must be a competent department, not the hall {hall}"
    )]
    ForwardToItself {
        /// The item.
        code: ServiceCode,
        /// The hall.
        hall: OrgId,
    },
    /// An item's promised time limit is longer than its statutory one.
    #[error(
        "item {code}: the promised limit of {promised} working days is longer than the statutory limit of {statutory}"
    )]
    PromiseBeyondStatutoryLimit {
        /// The item.
        code: ServiceCode,
        /// The promised limit.
        promised: u32,
        /// The statutory limit.
        statutory: u32,
    },
    /// An organisation the catalogue names is not in the organisation graph.
    #[error("{used_as}, {org}, is not in the organisation graph")]
    NotInGraph {
        /// The organisation.
        org: OrgId,
        /// What the catalogue uses it as.
        used_as: OrgUse,
    },
    /// The area the hall serves is not a territorial body.
    #[error("the area {area} is not a territorial body")]
    AreaNotTerritorial {
        /// The area.
        area: OrgId,
    },
}

/// Why a command on a service request was refused. Names who, what and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceRequestError {
    /// The actor lacks the role the command needs.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The actor holds the role but acts for another body than the one the
    /// command needs (a clerk of another hall, an officer of another
    /// department).
    #[error("actor {actor} may not {action}: it does not act for {body}")]
    NotActingFor {
        /// The actor.
        actor: ActorId,
        /// What it tried.
        action: &'static str,
        /// The body it would have to act for.
        body: OrgId,
    },
    /// Only the applicant may withdraw or rate a request.
    #[error("actor {actor} may not {action}: only the applicant {applicant} may")]
    NotTheApplicant {
        /// The actor.
        actor: ActorId,
        /// What it tried.
        action: &'static str,
        /// The applicant.
        applicant: ActorId,
    },
    /// The command does not apply to a request in this state.
    #[error("command {command} does not apply to a request that is {state}")]
    NotApplicable {
        /// The command's kind.
        command: ServiceRequestCommandKind,
        /// The state's kind.
        state: ServiceRequestStateKind,
    },
    /// The catalogue has no item with this code.
    #[error("the catalogue has no item {code}")]
    UnknownItem {
        /// The code asked for.
        code: ServiceCode,
    },
    /// A required intake attribute was not given.
    #[error("the required attribute {code} is missing")]
    AttributeMissing {
        /// The attribute.
        code: AttributeCode,
    },
    /// An intake attribute's value has the wrong type.
    #[error("the attribute {code} takes a {expected} value")]
    AttributeWrongType {
        /// The attribute.
        code: AttributeCode,
        /// The type it takes.
        expected: Datatype,
    },
    /// An intake attribute's value is not among its allowed values.
    #[error("{value:?} is not an allowed value of the attribute {code}")]
    NotAllowedValue {
        /// The attribute.
        code: AttributeCode,
        /// The value given.
        value: String,
    },
    /// An attribute the item does not ask for.
    #[error("the item asks for no attribute {code}")]
    UnknownAttribute {
        /// The attribute given.
        code: AttributeCode,
    },
    /// A material the item does not require.
    #[error("the item requires no material {material}")]
    MaterialNotRequired {
        /// The material.
        material: MaterialId,
    },
    /// A first supplement request left out a missing material: every
    /// missing material must be named at once (一次性告知).
    #[error(
        "the material {material} is missing and must be named in the first supplement request: everything is told at once"
    )]
    MaterialNotNamed {
        /// The missing material left out.
        material: MaterialId,
    },
    /// A later supplement request named a material that is not still
    /// outstanding: the first request could have named it.
    #[error(
        "the material {material} could have been named by the first supplement request: a later one may name only materials still missing"
    )]
    MaterialAlreadyKnown {
        /// The material.
        material: MaterialId,
    },
    /// A supplement request with nothing to ask for.
    #[error("no material is missing: there is nothing to ask the applicant for")]
    NothingToSupplement,
    /// The applicant supplied a material that was not asked for.
    #[error("the material {material} was not asked for")]
    MaterialNotRequested {
        /// The material.
        material: MaterialId,
    },
    /// A supply of materials that names none.
    #[error("a supply of materials must name at least one")]
    NothingSupplied,
    /// The request cannot be accepted while a required material is missing
    /// or asked for.
    #[error("the required material {material} is still missing")]
    MaterialMissing {
        /// The first material missing.
        material: MaterialId,
    },
    /// The command belongs to the other mode (forwarding an item the hall
    /// handles itself, say).
    #[error("command {command} does not apply to an item in {mode} mode")]
    WrongMode {
        /// The command's kind.
        command: ServiceRequestCommandKind,
        /// The item's mode.
        mode: Mode,
    },
    /// The department to forward to is not in the organisation graph.
    #[error("the department {department} is not in the organisation graph")]
    UnknownDepartment {
        /// The department.
        department: OrgId,
    },
    /// The department already returned this request as not its own.
    #[error("the department {department} already returned this request as not its own")]
    ReturnedBefore {
        /// The department.
        department: OrgId,
    },
    /// An extension asked for at or after the deadline.
    #[error("an extension must be requested before the deadline {deadline}")]
    ExtensionTooLate {
        /// The promised date in force.
        deadline: DateTime<Utc>,
    },
    /// An extension of zero working days.
    #[error("an extension must be of at least one working day")]
    ZeroExtension,
    /// An extension that would take the promised limit, with the
    /// extensions already approved, past the item's statutory limit.
    #[error(
        "an extension of {requested} working days goes past the statutory limit of {statutory}: at most {max} more"
    )]
    ExtensionBeyondStatutoryLimit {
        /// The working days asked for.
        requested: u32,
        /// The most still allowed.
        max: u32,
        /// The item's statutory limit.
        statutory: u32,
    },
    /// Only a dissatisfied review may send a request back for rework.
    #[error("only a dissatisfied review may send a request back for rework")]
    ReworkNeedsBadReview,
    /// No supplement notice came within five working days of receipt, so
    /// the application counts as accepted from receipt (行政许可法 art. 32):
    /// it can no longer be asked to supplement nor be refused.
    #[error(
        "no supplement notice was given by {notice_due}: the application counts as accepted from its receipt at {received}"
    )]
    AcceptedFromReceipt {
        /// When the hall received it.
        received: DateTime<Utc>,
        /// The last moment a supplement notice could be given.
        notice_due: DateTime<Utc>,
    },
    /// A material named as pending is essential: the item cannot be
    /// accepted without it.
    #[error("the material {material} is essential: the item cannot be accepted without it")]
    MaterialEssential {
        /// The material.
        material: MaterialId,
    },
    /// A material named as pending was provided.
    #[error("the material {material} was provided: it cannot be pending")]
    MaterialProvided {
        /// The material.
        material: MaterialId,
    },
    /// An acceptance with materials pending that names none.
    #[error("an acceptance with materials pending must name at least one")]
    NothingPending,
    /// The date promised for the pending materials is not after the
    /// acceptance.
    #[error("the pending materials must be promised for a date after {at}, not {supply_by}")]
    SupplyDateNotAfterAcceptance {
        /// When it would be accepted.
        at: DateTime<Utc>,
        /// The date promised.
        supply_by: DateTime<Utc>,
    },
    /// A promised material has not been supplied yet: the request cannot
    /// be completed, nor resumed once the promise lapsed.
    #[error("the promised material {material} has not been supplied")]
    MaterialPending {
        /// The first material still pending.
        material: MaterialId,
    },
    /// The applicant promised a material by a date that has passed:
    /// handling is suspended from that date until it is supplied.
    #[error(
        "handling is suspended: the promised material {material} was not supplied by {supply_by}"
    )]
    PromiseLapsed {
        /// The first material still pending.
        material: MaterialId,
        /// The date promised.
        supply_by: DateTime<Utc>,
    },
    /// A dissatisfied review opened rectification: the request closes only
    /// once it is rectified and followed up.
    #[error(
        "a dissatisfied review opened rectification, due {due}: the request closes only once it is rectified and followed up"
    )]
    RectificationOpen {
        /// The rectification deadline.
        due: DateTime<Utc>,
    },
    /// The escalation ladder refused (routing, policy or calendar).
    #[error("supervision: {0}")]
    Ladder(#[from] LadderError),
    /// A deadline could not be computed.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// Why a stored service-request state was refused: read from JSON, the
/// parts of a [`ServiceRequestState`](super::ServiceRequestState) are
/// checked, not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceStateError {
    /// The intake's materials are not sorted by id without repeats.
    #[error("the stored intake's materials are not sorted without repeats at {material}")]
    MaterialsUnsorted {
        /// The first material out of order.
        material: MaterialId,
    },
    /// A material is outstanding though no supplement was requested.
    #[error("material {material} is outstanding but no supplement was requested")]
    OutstandingWithoutRequest {
        /// The material.
        material: MaterialId,
    },
    /// Accepted before it was submitted.
    #[error("the request was accepted at {accepted_at}, before it was submitted at {submitted_at}")]
    AcceptedBeforeSubmitted {
        /// When it was submitted.
        submitted_at: DateTime<Utc>,
        /// When it was accepted.
        accepted_at: DateTime<Utc>,
    },
    /// The promised date lies before acceptance.
    #[error("the promised date {promised} lies before acceptance at {accepted_at}")]
    PromisedBeforeAccepted {
        /// When it was accepted.
        accepted_at: DateTime<Utc>,
        /// The promised date stored.
        promised: DateTime<Utc>,
    },
    /// The materials pending at acceptance are empty, or not sorted
    /// without repeats.
    #[error("the stored pending materials are empty or not sorted without repeats")]
    PendingNotSorted,
    /// The date promised for pending materials is not after acceptance.
    #[error(
        "the pending materials are promised for {supply_by}, not after acceptance at {accepted_at}"
    )]
    SupplyDateNotAfterAcceptance {
        /// When it was accepted.
        accepted_at: DateTime<Utc>,
        /// The date promised.
        supply_by: DateTime<Utc>,
    },
    /// Overdue recorded for a deadline later than the promise in force.
    #[error("overdue recorded for {overdue}, after the promised date {promised}")]
    OverdueAfterPromise {
        /// The deadline overdue was recorded for.
        overdue: DateTime<Utc>,
        /// The promised date in force.
        promised: DateTime<Utc>,
    },
}
