//! Open311 GeoReport v2 views of the service hall: the catalogue as a
//! service list and service definitions, and any service request as a
//! GeoReport `request` — JSON with serde, for outside systems.
//!
//! This module sits above the workflows (DESIGN.md §2): it reads a
//! [`Catalogue`] and a [`Case<ServiceRequest>`](Case) and builds plain
//! values; nothing in the core imports it.
//!
//! # Mapping
//!
//! | GeoReport field | from |
//! |---|---|
//! | `service_code`, `service_name`, `description` | the catalogue item |
//! | `group` | the item's category (`business_registration`, ...) |
//! | `type` | always `realtime`: a request id is returned at once |
//! | `metadata` | whether the item has intake attributes |
//! | attribute `datatype` | [`Datatype`] names: `string`, `number`, `datetime`, `text`, `singlevaluelist`, `multivaluelist` |
//! | `service_request_id` | the case id |
//! | `status` | `closed` once the hall has finished — completed, denied, delivered, rated, closed, refused or withdrawn — and `open` before (a request sent back for rework opens again) |
//! | `status_notes` | what the state says: materials asked for, the reason and legal basis of a refusal or denial, a suspension's reason, the department it was forwarded to, overdue |
//! | `agency_responsible` | the name of the body handling it now: the hall, or the department it was forwarded to or that signed for it |
//! | `requested_datetime` | when it was submitted |
//! | `updated_datetime` | when its last event was recorded |
//! | `expected_datetime` | the promised completion date in force |
//! | `address` | the name of the area the hall serves |
//!
//! Every time is RFC 3339 in UTC (`2026-03-05T16:00:00Z`). Fields GeoReport
//! defines that the hall has no value for (`lat`, `long`, `zipcode`,
//! `media_url`, ...) are present with `null`.
//!
//! # The extension field
//!
//! GeoReport's two statuses lose most of what a service hall knows, so each
//! request and each service definition also carries an object under the
//! key [`EXTENSION`] (`"grassroots"`), which GeoReport clients ignore:
//!
//! - on a request ([`RequestExtension`]): the exact state (the kind in the
//!   transition table: `Suspended`, `ExtensionRequested`, ...), the mode,
//!   the category, the hall, the item's handling body and the body handling
//!   it now, the acceptance time, the working days of the item's limit,
//!   paused and extended, the deadline it went overdue on, where its
//!   supervision stands (`none`, `reminded` with the notice's due time, or
//!   `noticed`), the materials still outstanding, the outcome, the review
//!   and the case's version;
//! - on a service definition ([`DefinitionExtension`]): the mode, the
//!   handling body, the time limit in working days and the required
//!   materials.
//!
//! # Serving it
//!
//! [`server::Endpoint`] answers GeoReport v2's five calls over a
//! [`Journal`](crate::journal::Journal) of hall requests and work orders —
//! posting as well as reading — with the specification's error list and
//! status codes, and no HTTP library in it; `examples/open311_server.rs`
//! serves it with axum.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "sim")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chrono::{TimeZone, Utc};
//! use grassroots::actor::{Actor, Role};
//! use grassroots::open311::{self, Status};
//! use grassroots::service::{sample, AttributeValue, ServiceRequest, ServiceRequestCommand};
//! use grassroots::workflow::{Case, Context};
//!
//! let service = sample::huanan_city_service();
//! let services = open311::services(service.catalogue());
//! assert_eq!(services.len(), 18);
//! let definition = open311::service_definition(service.catalogue(), "TX-001").unwrap();
//! assert_eq!(definition.attributes[0].code, "invoice_type");
//!
//! let applicant = Actor::new("ent-0042".parse()?).with_role(Role::Party);
//! let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
//! let mut case = Case::<ServiceRequest>::new("HN-2026-0007".parse()?);
//! let submit = ServiceRequestCommand::Submit {
//!     item: "TX-001".parse()?,
//!     materials: vec!["business-licence".parse()?, "id-card".parse()?],
//!     attributes: [
//!         ("invoice_type".parse()?, AttributeValue::Choice("general".into())),
//!         ("quantity".parse()?, AttributeValue::Number(25.0)),
//!     ]
//!     .into_iter()
//!     .collect(),
//!     description: None,
//! };
//! case.handle(&service, &submit, &Context::new(at, &applicant))?;
//!
//! let request = open311::request(&service, &case).unwrap();
//! assert_eq!(request.status, Status::Open);
//! let json = serde_json::to_value(&request)?;
//! assert_eq!(json["requested_datetime"], "2026-03-02T01:00:00Z");
//! assert_eq!(json["agency_responsible"], "Huanan City branch of the district administrative service hall");
//! assert_eq!(json["grassroots"]["state"], "Submitted");
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "sim"))]
//! # fn main() {}
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::escalation::Supervision;
use crate::id::{CaseId, MaterialId, OrgId, ServiceCode};
use crate::matter::ServiceCategory;
use crate::service::{
    Catalogue, Datatype, Material, Mode, Outcome, Review, ServiceItem, ServiceRequest,
    ServiceRequestEvent, ServiceRequestState,
};
use crate::workflow::Case;
use crate::workflow::{HasKind, Kind};

pub mod server;

/// The key of the extension object on requests and service definitions.
pub const EXTENSION: &str = "grassroots";

/// RFC 3339 text for times, in UTC with `Z` (fractions of a second only
/// when there are some).
pub mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// The RFC 3339 text of `at`: `2026-03-05T16:00:00Z`.
    pub fn format(at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    /// Serialises a time as RFC 3339 text.
    ///
    /// # Errors
    ///
    /// Whatever the serialiser returns.
    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(at))
    }

    /// Reads a time from RFC 3339 text, in any offset.
    ///
    /// # Errors
    ///
    /// When the text is not RFC 3339.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    /// The same for optional times (`null` when absent).
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer};

        /// Serialises an optional time as RFC 3339 text or `null`.
        ///
        /// # Errors
        ///
        /// Whatever the serialiser returns.
        pub fn serialize<S: Serializer>(
            at: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => s.serialize_str(&super::format(at)),
                None => s.serialize_none(),
            }
        }

        /// Reads an optional time from RFC 3339 text or `null`.
        ///
        /// # Errors
        ///
        /// When the text is not RFC 3339.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(text) => DateTime::parse_from_rfc3339(&text)
                    .map(|t| Some(t.with_timezone(&Utc)))
                    .map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

/// How a GeoReport service takes requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceType {
    /// A request id is returned as soon as the request is submitted.
    Realtime,
    /// A token is returned, exchanged later for a request id.
    Batch,
    /// No status is given back.
    Blackbox,
}

/// One entry of the GeoReport service list (`GET services`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// The item's code.
    pub service_code: String,
    /// The item's name.
    pub service_name: String,
    /// The item's description.
    pub description: String,
    /// Whether the service has a definition with attributes to fill in.
    pub metadata: bool,
    /// Always [`ServiceType::Realtime`].
    #[serde(rename = "type")]
    pub service_type: ServiceType,
    /// Comma-separated keywords: the category and the mode.
    pub keywords: String,
    /// The category.
    pub group: String,
}

/// One allowed value of a list attribute in a service definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionValue {
    /// The key submitted.
    pub key: String,
    /// The name shown.
    pub name: String,
}

/// One attribute of a GeoReport service definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionAttribute {
    /// Always `true`: every attribute is filled in by the applicant.
    pub variable: bool,
    /// The attribute's code.
    pub code: String,
    /// Its datatype.
    pub datatype: Datatype,
    /// Whether it must be given.
    pub required: bool,
    /// How to fill it in.
    pub datatype_description: String,
    /// Its position, from 1.
    pub order: u32,
    /// What it asks for.
    pub description: String,
    /// The allowed values of a list attribute (absent for others).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<DefinitionValue>,
}

/// What a service definition carries beyond GeoReport, under
/// [`EXTENSION`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionExtension {
    /// Whether the hall handles it itself or forwards it, once accepted.
    pub mode: Mode,
    /// Who handles it: the hall or the competent department.
    pub handling_body: OrgId,
    /// The time limit, in working days from the day after acceptance.
    pub working_days: u32,
    /// The materials it requires.
    pub materials: Vec<Material>,
}

/// A GeoReport service definition (`GET services/{code}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDefinition {
    /// The item's code.
    pub service_code: String,
    /// Its intake attributes, in order.
    pub attributes: Vec<DefinitionAttribute>,
    /// What GeoReport has no field for.
    pub grassroots: DefinitionExtension,
}

/// A GeoReport request status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being handled.
    Open,
    /// Finished with.
    Closed,
}

/// What a request carries beyond GeoReport, under [`EXTENSION`]: enough to
/// tell every state apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestExtension {
    /// The state's kind, as in the transition table (`InProcess`,
    /// `Suspended`, ...).
    pub state: String,
    /// Whether the hall handles it itself or forwards it, once accepted.
    pub mode: Mode,
    /// The item's category.
    pub category: ServiceCategory,
    /// The hall that took it.
    pub hall: OrgId,
    /// The item's handling body.
    pub handling_body: OrgId,
    /// The body handling it now, if any (a forwarded request: the
    /// department it went to).
    pub handler: Option<OrgId>,
    /// When the hall accepted it.
    #[serde(with = "rfc3339::option")]
    pub accepted_datetime: Option<DateTime<Utc>>,
    /// The item's time limit in working days.
    pub working_days: u32,
    /// The working days it was suspended.
    pub paused_working_days: u32,
    /// The working days of approved extensions.
    pub extended_working_days: u32,
    /// The deadline it was last recorded overdue on.
    #[serde(with = "rfc3339::option")]
    pub overdue_since: Option<DateTime<Utc>>,
    /// Where its supervision stands, once accepted.
    pub supervision: Option<Supervision>,
    /// Materials asked for and not yet supplied.
    pub outstanding_materials: Vec<MaterialId>,
    /// `completed` or `denied`, once handled.
    pub outcome: Option<String>,
    /// The applicant's review, once rated.
    pub review: Option<Review>,
    /// The number of events recorded on the case.
    pub version: u64,
}

/// A service request as GeoReport v2 shows it (`GET requests/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeoReportRequest {
    /// The case id.
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: Status,
    /// What the state says, for people.
    pub status_notes: Option<String>,
    /// The item's name.
    pub service_name: String,
    /// The item's code.
    pub service_code: String,
    /// The applicant's description.
    pub description: Option<String>,
    /// The name of the body handling it now.
    pub agency_responsible: Option<String>,
    /// A notice about the service (unused).
    pub service_notice: Option<String>,
    /// When it was submitted.
    #[serde(with = "rfc3339")]
    pub requested_datetime: DateTime<Utc>,
    /// When its last event was recorded.
    #[serde(with = "rfc3339")]
    pub updated_datetime: DateTime<Utc>,
    /// The promised completion date in force.
    #[serde(with = "rfc3339::option")]
    pub expected_datetime: Option<DateTime<Utc>>,
    /// The name of the area the hall serves.
    pub address: Option<String>,
    /// Unused.
    pub address_id: Option<String>,
    /// Unused.
    pub zipcode: Option<String>,
    /// Unused: service requests have no coordinates.
    pub lat: Option<f64>,
    /// Unused: service requests have no coordinates.
    pub long: Option<f64>,
    /// Unused.
    pub media_url: Option<String>,
    /// Everything GeoReport has no field for.
    pub grassroots: RequestExtension,
}

/// The catalogue as a GeoReport service list, in catalogue order.
pub fn services(catalogue: &Catalogue) -> Vec<Service> {
    catalogue
        .items()
        .iter()
        .map(|item| Service {
            service_code: item.code.to_string(),
            service_name: item.name.clone(),
            description: item.description.clone(),
            metadata: !item.attributes.is_empty(),
            service_type: ServiceType::Realtime,
            keywords: format!("{}, {}", item.category, item.mode),
            group: item.category.to_string(),
        })
        .collect()
}

/// The GeoReport definition of the item with this code (the code or its
/// text), if the catalogue has it.
pub fn service_definition<Q>(catalogue: &Catalogue, code: &Q) -> Option<ServiceDefinition>
where
    ServiceCode: std::borrow::Borrow<Q>,
    Q: Ord + ?Sized,
{
    catalogue.item(code).map(definition_of)
}

/// The GeoReport definition of one item.
pub fn definition_of(item: &ServiceItem) -> ServiceDefinition {
    ServiceDefinition {
        service_code: item.code.to_string(),
        attributes: item
            .attributes
            .iter()
            .zip(1..)
            .map(|(a, order)| DefinitionAttribute {
                variable: true,
                code: a.code.to_string(),
                datatype: a.datatype,
                required: a.is_required(),
                datatype_description: datatype_description(a.datatype).to_owned(),
                order,
                description: a.description.clone(),
                values: a
                    .values
                    .iter()
                    .map(|v| DefinitionValue {
                        key: v.key.clone(),
                        name: v.name.clone(),
                    })
                    .collect(),
            })
            .collect(),
        grassroots: DefinitionExtension {
            mode: item.mode,
            handling_body: item.handling_body.clone(),
            working_days: item.working_days,
            materials: item.materials.clone(),
        },
    }
}

fn datatype_description(datatype: Datatype) -> &'static str {
    match datatype {
        Datatype::String => "one line of text",
        Datatype::Number => "a number",
        Datatype::DateTime => "a date and time in RFC 3339",
        Datatype::Text => "text, possibly several lines",
        Datatype::SingleValueList => "one key from the values",
        Datatype::MultiValueList => "one or more keys from the values",
    }
}

/// A service request as GeoReport shows it; `None` before it is submitted.
///
/// The description comes from the submission in the case's history.
pub fn request(service: &ServiceRequest, case: &Case<ServiceRequest>) -> Option<GeoReportRequest> {
    let updated = case.last_at()?;
    let mut view = request_from_state(service, case.id(), case.state(), updated, case.version())?;
    view.description = case.history().iter().find_map(|r| match &r.event {
        ServiceRequestEvent::Submitted(s) => s.description.as_ref().map(|d| d.to_string()),
        _ => None,
    });
    Some(view)
}

/// A service request as GeoReport shows it, from its state alone (for a
/// projection that folds histories without keeping them): `updated` is the
/// time of its last event and `version` the number of events. `None`
/// before it is submitted. The description is left out.
pub fn request_from_state(
    service: &ServiceRequest,
    id: &CaseId,
    state: &ServiceRequestState,
    updated: DateTime<Utc>,
    version: u64,
) -> Option<GeoReportRequest> {
    use ServiceRequestState as S;
    let request = state.request()?;
    let graph = service.ladder().graph();
    let name = |org: &OrgId| {
        graph
            .org(org)
            .map_or_else(|| org.to_string(), |o| o.name.clone())
    };
    let handling = state.handling();
    let handler = match state {
        S::Forwarded { to, .. } => Some(to.clone()),
        S::Submitted(_) | S::SupplementRequested(_) => Some(request.hall.clone()),
        S::Refused { .. } | S::Withdrawn { .. } => None,
        _ => handling.map(|h| h.handler().clone()),
    };
    // GeoReport's two statuses: open while the hall still owes an answer.
    let status = if state.is_open() {
        Status::Open
    } else {
        Status::Closed
    };
    let outcome = match state {
        S::Completed(_) => Some(Outcome::Completed),
        S::Denied {
            reason,
            legal_basis,
            ..
        } => Some(Outcome::Denied {
            reason: reason.clone(),
            legal_basis: legal_basis.clone(),
        }),
        S::Delivered { outcome, .. }
        | S::Rated { outcome, .. }
        | S::Rectifying { outcome, .. }
        | S::FollowingUp { outcome, .. }
        | S::Closed { outcome, .. } => Some(outcome.clone()),
        _ => None,
    };
    let review = match state {
        S::Rated { review, .. } | S::Rectifying { review, .. } | S::FollowingUp { review, .. } => {
            Some(*review)
        }
        S::Closed { review, .. } => *review,
        _ => None,
    };
    let item_name = service
        .catalogue()
        .item(&request.item)
        .map_or_else(|| request.item.to_string(), |i| i.name.clone());
    Some(GeoReportRequest {
        service_request_id: id.to_string(),
        status,
        status_notes: Some(status_notes(state, &name)),
        service_name: item_name,
        service_code: request.item.to_string(),
        description: None,
        agency_responsible: handler.as_ref().map(name),
        service_notice: None,
        requested_datetime: request.submitted_at,
        updated_datetime: updated,
        expected_datetime: state.promised(),
        address: Some(name(service.catalogue().area())),
        address_id: None,
        zipcode: None,
        lat: None,
        long: None,
        media_url: None,
        grassroots: RequestExtension {
            state: state.kind().name().to_string(),
            mode: request.mode,
            category: request.category,
            hall: request.hall.clone(),
            handling_body: request.handling_body.clone(),
            handler,
            accepted_datetime: handling.map(|h| h.accepted_at()),
            working_days: request.working_days,
            paused_working_days: handling.map_or(0, |h| h.paused_working_days()),
            extended_working_days: handling.map_or(0, |h| h.extended_working_days()),
            overdue_since: handling.and_then(|h| h.overdue()),
            supervision: state
                .ladder()
                .and_then(|l| l.rung())
                .map(|r| r.supervision()),
            outstanding_materials: state
                .intake()
                .map(|i| i.outstanding().cloned().collect())
                .unwrap_or_default(),
            outcome: outcome.map(|o| {
                match o {
                    Outcome::Completed => "completed",
                    Outcome::Denied { .. } => "denied",
                }
                .to_owned()
            }),
            review,
            version,
        },
    })
}

/// The status notes of a state, for people.
pub(crate) fn status_notes(state: &ServiceRequestState, name: &dyn Fn(&OrgId) -> String) -> String {
    use ServiceRequestState as S;
    let list = |ms: &mut dyn Iterator<Item = &MaterialId>| {
        ms.map(MaterialId::as_str).collect::<Vec<_>>().join(", ")
    };
    let denied = |reason: &dyn std::fmt::Display, basis: &dyn std::fmt::Display| {
        format!("denied: {reason} (legal basis: {basis})")
    };
    let outcome_note = |o: &Outcome| match o {
        Outcome::Completed => "completed".to_owned(),
        Outcome::Denied {
            reason,
            legal_basis,
        } => denied(reason, legal_basis),
    };
    let mut note = match state {
        S::New => "not submitted".to_owned(),
        S::Submitted(i) if i.supplement_rounds() == 0 => {
            "submitted; the hall is examining it".to_owned()
        }
        S::Submitted(i) if i.outstanding().next().is_none() => {
            "materials supplied; the hall is examining it again".to_owned()
        }
        S::Submitted(i) => format!(
            "materials supplied in part; still missing: {}",
            list(&mut i.outstanding())
        ),
        S::SupplementRequested(i) => format!(
            "supplementary materials requested: {}",
            list(&mut i.outstanding())
        ),
        S::Refused {
            reason,
            legal_basis,
            ..
        } => format!("refused: {reason} (legal basis: {legal_basis})"),
        S::Accepted(h) if h.returned_by().is_empty() => "accepted".to_owned(),
        S::Accepted(h) => format!(
            "accepted; returned as not its own by {}",
            h.returned_by()
                .iter()
                .map(name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        S::Forwarded { to, .. } => format!("forwarded to {}", name(to)),
        S::InProcess(_) => "in process".to_owned(),
        S::Suspended { reason, .. } => format!("suspended: {reason}"),
        S::ExtensionRequested {
            working_days,
            reason,
            ..
        } => format!(
            "in process; an extension of {working_days} working days is requested: {reason}"
        ),
        S::Completed(_) => "completed; the result waits to be delivered".to_owned(),
        S::Denied {
            reason,
            legal_basis,
            ..
        } => denied(reason, legal_basis),
        S::Delivered { outcome, .. } => format!("{}; delivered", outcome_note(outcome)),
        S::Rated {
            outcome, review, ..
        } => format!(
            "{}; delivered; rated {}",
            outcome_note(outcome),
            review.as_str()
        ),
        S::Rectifying {
            outcome,
            review,
            due,
            ..
        } => format!(
            "{}; delivered; rated {}; rectification due {}",
            outcome_note(outcome),
            review.as_str(),
            due.format("%Y-%m-%d")
        ),
        S::FollowingUp {
            outcome,
            review,
            action,
            ..
        } => format!(
            "{}; delivered; rated {}; rectified: {action}; a follow-up call is due",
            outcome_note(outcome),
            review.as_str()
        ),
        S::Closed { outcome, .. } => format!("{}; closed", outcome_note(outcome)),
        S::Withdrawn {
            reason: Some(reason),
            ..
        } => format!("withdrawn by the applicant: {reason}"),
        S::Withdrawn { reason: None, .. } => "withdrawn by the applicant".to_owned(),
    };
    if let Some(h) = state.running() {
        if h.overdue() == Some(h.promised()) {
            note.push_str(&format!(
                "; overdue since {}",
                rfc3339::format(&h.promised())
            ));
        }
    }
    note
}

// ---------------------------------------------------------------------------
// Work orders (12345).
// ---------------------------------------------------------------------------

/// What a work order carries beyond GeoReport, under [`EXTENSION`]: the
/// order's whole state, so the view is lossless — a client that reads the
/// extension back has exactly the state the case is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrderExtension {
    /// The state's kind, as in the transition table (`Dispatched`,
    /// `CalledBack`, ...).
    pub state_kind: String,
    /// The channel it arrived through.
    pub channel: crate::work_order::Channel,
    /// The first receiving body.
    pub first_receiver: OrgId,
    /// The order's whole state (checked when read back).
    pub state: crate::work_order::WorkOrderState,
    /// The number of events recorded on the case.
    pub version: u64,
}

/// A work order as GeoReport v2 shows it (`GET requests/{id}.json`; a list
/// of them is `requests.json`).
///
/// | GeoReport field | from |
/// |---|---|
/// | `service_request_id` | the case id |
/// | `status` | `closed` once closed, dismissed or withdrawn, `open` before |
/// | `status_notes` | what the state says: who holds it, returns, overdue, the reply and the callback |
/// | `service_code`, `service_name` | the matter (`noise`; `legal_aid`) |
/// | `description` | what the requester said |
/// | `agency_responsible` | the name of the body that holds it now |
/// | `requested_datetime` | when it was received |
/// | `updated_datetime` | when its last event was recorded |
/// | `expected_datetime` | the handling deadline in force, or the sign-for deadline while dispatched |
/// | `address` | the address given, else the location's name |
/// | `address_id` | the location's id in the organisation graph |
/// | `lat`, `long`, `media_url` | as given at intake |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrderRequest {
    /// The case id.
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: Status,
    /// What the state says, for people.
    pub status_notes: Option<String>,
    /// The matter's name.
    pub service_name: String,
    /// The matter's code.
    pub service_code: String,
    /// What the requester said.
    pub description: Option<String>,
    /// The name of the body that holds it now.
    pub agency_responsible: Option<String>,
    /// A notice about the service (unused).
    pub service_notice: Option<String>,
    /// When it was received.
    #[serde(with = "rfc3339")]
    pub requested_datetime: DateTime<Utc>,
    /// When its last event was recorded.
    #[serde(with = "rfc3339")]
    pub updated_datetime: DateTime<Utc>,
    /// The deadline in force.
    #[serde(with = "rfc3339::option")]
    pub expected_datetime: Option<DateTime<Utc>>,
    /// The address given, else the location's name.
    pub address: Option<String>,
    /// The location's id in the organisation graph.
    pub address_id: Option<String>,
    /// Unused.
    pub zipcode: Option<String>,
    /// The latitude given, if any.
    pub lat: Option<f64>,
    /// The longitude given, if any.
    pub long: Option<f64>,
    /// The media URL given, if any.
    pub media_url: Option<String>,
    /// Everything GeoReport has no field for: the whole state.
    pub grassroots: WorkOrderExtension,
}

/// The GeoReport code of a matter: a service category's own name
/// (`noise`), else the capability's name (`legal_aid`).
fn matter_code(matter: &crate::org::Need) -> String {
    match matter {
        crate::org::Capability::Service(category) => category.to_string(),
        other => other.to_string(),
    }
}

/// A work order as GeoReport shows it; `None` before it is received.
pub fn work_order_request(
    work_orders: &crate::work_order::WorkOrder,
    case: &Case<crate::work_order::WorkOrder>,
) -> Option<WorkOrderRequest> {
    work_order_request_from_state(
        work_orders,
        case.id(),
        case.state(),
        case.last_at()?,
        case.version(),
    )
}

/// Work orders as GeoReport's `requests.json` lists them, in the order
/// given, leaving out cases with nothing received.
pub fn work_order_requests<'a>(
    work_orders: &crate::work_order::WorkOrder,
    cases: impl IntoIterator<Item = &'a Case<crate::work_order::WorkOrder>>,
) -> Vec<WorkOrderRequest> {
    cases
        .into_iter()
        .filter_map(|case| work_order_request(work_orders, case))
        .collect()
}

/// A work order as GeoReport shows it, from its state alone (for a
/// projection that folds histories without keeping them): `updated` is the
/// time of its last event and `version` the number of events. `None`
/// before it is received.
pub fn work_order_request_from_state(
    work_orders: &crate::work_order::WorkOrder,
    id: &CaseId,
    state: &crate::work_order::WorkOrderState,
    updated: DateTime<Utc>,
    version: u64,
) -> Option<WorkOrderRequest> {
    let order = state.order()?;
    let intake = order.intake();
    let graph = work_orders.ladder().graph();
    let name = |org: &OrgId| {
        graph
            .org(org)
            .map_or_else(|| org.to_string(), |o| o.name.clone())
    };
    let status = if state.is_terminal() {
        Status::Closed
    } else {
        Status::Open
    };
    let expected = state
        .handling()
        .map(|h| h.due())
        .or_else(|| state.pending().map(|p| p.sign_for_due()));
    let code = matter_code(&intake.matter);
    Some(WorkOrderRequest {
        service_request_id: id.to_string(),
        status,
        status_notes: Some(work_order_notes(state, &name)),
        service_name: code.replace('_', " "),
        service_code: code,
        description: Some(intake.description.to_string()),
        agency_responsible: state.holder().map(name),
        service_notice: None,
        requested_datetime: intake.received_at,
        updated_datetime: updated,
        expected_datetime: expected,
        address: Some(
            intake
                .geo
                .address
                .as_ref()
                .map_or_else(|| name(&intake.location), ToString::to_string),
        ),
        address_id: Some(intake.location.to_string()),
        zipcode: None,
        lat: intake.geo.point.map(|p| p.lat()),
        long: intake.geo.point.map(|p| p.long()),
        media_url: intake.geo.media_url.as_ref().map(ToString::to_string),
        grassroots: WorkOrderExtension {
            state_kind: state.kind().name().to_string(),
            channel: intake.channel,
            first_receiver: intake.first_receiver.clone(),
            state: state.clone(),
            version,
        },
    })
}

/// The status notes of a work order, for people.
pub(crate) fn work_order_notes(
    state: &crate::work_order::WorkOrderState,
    name: &dyn Fn(&OrgId) -> String,
) -> String {
    use crate::work_order::WorkOrderState as S;
    let mut note = match state {
        S::New => "not received".to_owned(),
        S::Received(o) => format!(
            "received by {}; it handles it or hands it over",
            name(&o.intake().first_receiver)
        ),
        S::AwaitingDispatch(_) => "waiting to be dispatched".to_owned(),
        S::Dispatched { pending, .. } => {
            format!("dispatched to {}", name(&pending.assignment().lead))
        }
        S::ReturnPending { order, .. } => match order.returns().last() {
            Some(r) => format!(
                "returned by {}: {} ({})",
                name(&r.by),
                r.reason.ground,
                r.reason.note
            ),
            None => "returned".to_owned(),
        },
        S::InHand { handling, .. } if handling.redos() > 0 => format!(
            "being redone by {} (redo {})",
            name(handling.lead()),
            handling.redos()
        ),
        S::InHand { handling, .. } => format!("being handled by {}", name(handling.lead())),
        S::ExtensionRequested {
            handling,
            working_days,
            reason,
            ..
        } => format!(
            "being handled by {}; an extension of {working_days} working days is requested: {reason}",
            name(handling.lead())
        ),
        S::Replied { reply, .. } => format!("replied by {}: {}", name(&reply.by), reply.reply),
        S::CalledBack { callback, .. } => format!(
            "called back: {}, {}",
            callback.satisfaction, callback.finding
        ),
        S::Closed { callback, .. } => {
            format!("closed; the requester was {}", callback.satisfaction)
        }
        S::Dismissed { reason, .. } => format!("dismissed: {reason}"),
        S::Withdrawn {
            reason: Some(reason),
            ..
        } => format!("withdrawn by the requester: {reason}"),
        S::Withdrawn { reason: None, .. } => "withdrawn by the requester".to_owned(),
    };
    if let Some(h) = state.running() {
        if h.overdue() == Some(h.due()) {
            note.push_str(&format!("; overdue since {}", rfc3339::format(&h.due())));
        }
    }
    if let Some(p) = state.pending() {
        if p.sign_for_overdue().is_some() {
            note.push_str(&format!(
                "; not signed for by {}",
                rfc3339::format(&p.sign_for_due())
            ));
        }
    }
    note
}
