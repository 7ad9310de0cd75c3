//! A GeoReport v2 endpoint over a [`Journal`]: the requests an HTTP server
//! receives mapped to commands and reads, and the answers it sends back —
//! with no HTTP library in it.
//!
//! [`Endpoint`] serves a service hall's catalogue ([`ServiceRequest`]) and a
//! 12345 centre's work orders ([`WorkOrder`]) as one GeoReport v2 service
//! list. Each of its methods takes what a handler has at hand (the path's
//! file name, the raw query string, the body's content type and bytes, and
//! the time) and returns a [`Reply`]: an HTTP status and a JSON body. An
//! HTTP server only routes and writes the reply out (`examples/open311_server.rs`
//! does it with axum, calling the synchronous journal on blocking threads).
//!
//! | method and path | [`Endpoint`] method | answer |
//! |---|---|---|
//! | `GET services.json` | [`services`](Endpoint::services) | the service list: the catalogue's items, then the work-order services |
//! | `GET services/{code}.json` | [`service_definition`](Endpoint::service_definition) | a catalogue item's definition (its attributes); a work-order service has none |
//! | `POST requests.json` | [`post_request`](Endpoint::post_request) | `201` and `[{"service_request_id", "service_notice", "account_id"}]` |
//! | `GET requests.json` | [`requests`](Endpoint::requests) | the requests the filters select, newest first, at most [`MAX_LISTED`] |
//! | `GET requests/{id}.json` | [`request`](Endpoint::request) | a list of the one request |
//!
//! # Posting a request
//!
//! The body is form data (`application/x-www-form-urlencoded`, as the
//! GeoReport specification has it) or a JSON object of the same
//! parameters (`{"api_key": "..", "service_code": "..", "attribute":
//! {"CODE": ".."}}`). The parameters read:
//!
//! - `api_key` (required): one of the endpoint's keys; the request is sent
//!   for the key's client;
//! - `service_code` (required): a catalogue item's code (a hall request) or
//!   a work-order service's code (a work order);
//! - `attribute[CODE]` (a catalogue item's attributes; repeat
//!   `attribute[CODE][]` for a `multivaluelist`), read as the attribute's
//!   datatype says: a number, an RFC 3339 time, a key, text;
//! - `account_id`: the requester (an [`ActorId`]); the key's client when
//!   absent;
//! - `description`: what the requester says — required for a work order;
//! - `lat` and `long`, `address_string`, `address_id`, `media_url`: where,
//!   and a picture. A work order needs a location (`lat` and `long`,
//!   `address_string` or `address_id`); `address_id` names a territorial
//!   body of the work orders' organisation graph, and the endpoint's
//!   default location stands in when only a point or an address is given.
//!
//! Other parameters (`jurisdiction_id`, `email`, `device_id`, `first_name`,
//! `last_name`, `phone`) are read by no rule and ignored. An empty value
//! counts as absent.
//!
//! A hall request is a [`ServiceRequestCommand::Submit`] by the requester
//! (with the [`Party`](Role::Party) role, no materials: the hall asks for
//! them); a work order is a [`WorkOrderCommand::Receive`] through the
//! [`App`](Channel::App) channel. The workflow's own rules decide: a
//! missing required attribute, a value outside an attribute's list, a
//! location that is not territorial are its refusals, answered `400` with
//! the refusal's text. Whatever the answer but `201`, nothing was written.
//!
//! # Errors
//!
//! Every error is answered as GeoReport has it: a JSON list of one
//! `{"code": <the HTTP status>, "description": ".."}`, with the status:
//!
//! | status | when |
//! |---|---|
//! | `400` | a malformed body or query, a missing or unknown `service_code`, a missing required attribute, a value of the wrong type, a bad date filter, a refusal of the workflow |
//! | `403` | `api_key` missing or not one of the endpoint's (POST only) |
//! | `404` | an unknown service code or request id, a path that is not a resource, a format other than JSON |
//! | `405` | a method the resource does not take |
//! | `413` | a body longer than [`MAX_BODY_BYTES`] |
//! | `415` | a body that is neither form data nor JSON |
//! | `422` | a JSON body that is not an object of text, numbers and lists of them |
//! | `500`, `503` | the journal failed, or stayed contended (retry later) |
//!
//! The description of a `500` says only that the journal failed; the
//! [`Open311Error`] a method returns beside the reply has the detail, for
//! the server's log.
//!
//! # Listing requests
//!
//! `GET requests.json` takes GeoReport's filters: `service_request_id` (a
//! comma-separated list; when given, every other filter is ignored),
//! `service_code` and `status` (comma-separated lists), `start_date` and
//! `end_date` (RFC 3339, on `requested_datetime`, both ends included).
//! Without dates the span is the [`DEFAULT_SPAN_DAYS`] days up to now; with
//! one date, the span of that many days from or to it. At most
//! [`MAX_LISTED`] requests are listed, newest first. The endpoint reads
//! every case of the journal's two workflows for it: fine for a hall's or
//! a centre's day, not for a city's years — project the views into a read
//! model for those ([`crate::journal::read`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::actor::{Actor, Role};
use crate::id::{ActorId, CaseId, IdError, OrgId};
use crate::journal::{EventStore, ExecuteError, Journal, JournalError};
use crate::org::Need;
use crate::service::{
    AttributeCode, AttributeValue, Attributes, Datatype, Note, NoteError, ServiceItem,
    ServiceRequest, ServiceRequestCommand, ServiceRequestError,
};
use crate::work_order::{
    Channel, GeoError, GeoFields, GeoPoint, MediaUrl, WorkOrder, WorkOrderCommand, WorkOrderError,
};
use crate::workflow::{Case, CaseError, Context};

use super::{GeoReportRequest, Service, ServiceType, Status, WorkOrderRequest, matter_code};

/// The most requests `GET requests.json` lists (GeoReport's default limit).
pub const MAX_LISTED: usize = 1000;

/// The span of days `GET requests.json` covers when a date filter is
/// missing (GeoReport's default).
pub const DEFAULT_SPAN_DAYS: i64 = 90;

/// The longest body a POST may have, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The content type of every reply.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// How many taken ids a POST skips before it gives up (another process
/// writing cases under the same prefix).
const MAX_ID_SKIPS: u32 = 1000;

/// What an [`Endpoint`] answers: an HTTP status and a JSON body (sent with
/// [`CONTENT_TYPE`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// The body.
    pub body: Value,
}

impl Reply {
    /// `200` with `body`.
    pub fn ok(body: Value) -> Self {
        Self { status: 200, body }
    }

    /// The GeoReport error list for `error`, with its status.
    pub fn error(error: &Open311Error) -> Self {
        let status = error.status();
        let description = match status {
            500 => "the journal failed; the server's log has the detail".to_owned(),
            _ => error.to_string(),
        };
        Self::error_with(status, &description)
    }

    /// A GeoReport error list with any status and description: for what
    /// the HTTP layer refuses before an [`Endpoint`] sees the request.
    pub fn error_with(status: u16, description: &str) -> Self {
        Self {
            status,
            body: json!([{ "code": status, "description": description }]),
        }
    }

    /// The body as bytes of JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        // A `Value` always serializes.
        serde_json::to_vec(&self.body).unwrap_or_default()
    }
}

/// The reply to an endpoint's call, with the error behind it when it is
/// one (for the server's log).
pub type Answer = (Reply, Option<Open311Error>);

fn answer(result: Result<Reply, Open311Error>) -> Answer {
    match result {
        Ok(reply) => (reply, None),
        Err(e) => (Reply::error(&e), Some(e)),
    }
}

/// Why form data (a body or a query string) does not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// A `%` not followed by two hexadecimal digits.
    #[error("a bad percent escape at byte {at}")]
    BadEscape {
        /// Where the `%` is.
        at: usize,
    },
    /// The decoded bytes are not UTF-8.
    #[error("the decoded text is not utf-8")]
    NotUtf8,
}

/// Why a value given for a parameter was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// Not a valid identifier.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Not a valid note.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// Not a valid point or media URL.
    #[error(transparent)]
    Geo(#[from] GeoError),
    /// Not a number.
    #[error("{value:?} is not a number")]
    NotANumber {
        /// The text given.
        value: String,
    },
    /// Not an RFC 3339 date and time.
    #[error("{value:?} is not an rfc 3339 date and time")]
    NotADate {
        /// The text given.
        value: String,
    },
    /// Neither `open` nor `closed`.
    #[error("{value:?} is neither open nor closed")]
    NotAStatus {
        /// The text given.
        value: String,
    },
}

/// Why an [`Endpoint`] refused a request. [`status`](Open311Error::status)
/// is the HTTP status it is answered with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Open311Error {
    /// The body is longer than [`MAX_BODY_BYTES`].
    #[error("the body is {len} bytes long, the limit is {max}")]
    BodyTooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The body is neither form data nor JSON.
    #[error(
        "the content type {content_type:?} is not served: send application/x-www-form-urlencoded or application/json"
    )]
    UnsupportedMediaType {
        /// The content type given, if any.
        content_type: Option<String>,
    },
    /// The form body does not decode.
    #[error("the body is not valid form data: {0}")]
    MalformedForm(FormError),
    /// The JSON body does not parse.
    #[error("the body is not valid json: {reason}")]
    MalformedJson {
        /// serde_json's account of where and why.
        reason: String,
    },
    /// The JSON body parses but is not an object of text, numbers,
    /// booleans and lists of them.
    #[error(
        "the json body must be an object of text, numbers, booleans and lists of them; {field} is not"
    )]
    JsonShape {
        /// The field that is not (`(body)` for the body itself).
        field: String,
    },
    /// The query string does not decode.
    #[error("the query string is not valid: {0}")]
    MalformedQuery(FormError),
    /// No `api_key` was given.
    #[error("api_key was not provided")]
    ApiKeyMissing,
    /// The `api_key` given is not one of the endpoint's.
    #[error("api_key is not valid")]
    ApiKeyInvalid,
    /// A required parameter is missing.
    #[error("{parameter} was not provided")]
    Missing {
        /// The parameter.
        parameter: &'static str,
    },
    /// A parameter that takes one value was given several.
    #[error("{parameter} is given {count} times; give it once")]
    Repeated {
        /// The parameter.
        parameter: String,
        /// How many times.
        count: usize,
    },
    /// A value was refused.
    #[error("{parameter}: {source}")]
    Invalid {
        /// The parameter.
        parameter: String,
        /// Why.
        source: ValueError,
    },
    /// `lat` without `long` or the other way round.
    #[error("lat and long must be given together")]
    HalfPoint,
    /// A work order without a location.
    #[error("service {code} needs a location: lat and long, address_string or address_id")]
    LocationMissing {
        /// The service code.
        code: String,
    },
    /// The `service_code` posted or filtered on is not one of the
    /// endpoint's services.
    #[error("service_code {code:?} is not a service of this endpoint")]
    UnknownService {
        /// The code given.
        code: String,
    },
    /// `start_date` is after `end_date`.
    #[error("start_date {start} is after end_date {end}")]
    DatesReversed {
        /// The start.
        start: DateTime<Utc>,
        /// The end.
        end: DateTime<Utc>,
    },
    /// The hall refused the request.
    #[error(transparent)]
    HallRefused(CaseError<ServiceRequestError>),
    /// The 12345 centre refused the work order.
    #[error(transparent)]
    WorkOrderRefused(CaseError<WorkOrderError>),
    /// No service has this code (`GET services/{code}.json`).
    #[error("service_code {code:?} was not found")]
    ServiceNotFound {
        /// The code asked for.
        code: String,
    },
    /// No request has this id.
    #[error("service_request_id {id:?} was not found")]
    RequestNotFound {
        /// The id asked for.
        id: String,
    },
    /// The path names no resource (or a format other than JSON).
    #[error("{path} is not a resource of this endpoint; resources end in .json")]
    NoSuchResource {
        /// The path.
        path: String,
    },
    /// The resource does not take the method.
    #[error("{path} does not take {method}")]
    MethodNotAllowed {
        /// The method.
        method: String,
        /// The path.
        path: String,
    },
    /// Other writers kept appending to the case: retry later.
    #[error("the journal is busy; retry later")]
    Contended,
    /// Every id the endpoint tried was taken.
    #[error("no free request id after {tried} tries")]
    IdsExhausted {
        /// How many were tried.
        tried: u32,
    },
    /// The journal failed.
    #[error(transparent)]
    Journal(Box<JournalError>),
}

impl From<JournalError> for Open311Error {
    fn from(e: JournalError) -> Self {
        Open311Error::Journal(Box::new(e))
    }
}

impl Open311Error {
    /// The HTTP status the error is answered with.
    pub fn status(&self) -> u16 {
        use Open311Error as E;
        match self {
            E::BodyTooLarge { .. } => 413,
            E::UnsupportedMediaType { .. } => 415,
            E::JsonShape { .. } => 422,
            E::ApiKeyMissing | E::ApiKeyInvalid => 403,
            E::ServiceNotFound { .. } | E::RequestNotFound { .. } | E::NoSuchResource { .. } => 404,
            E::MethodNotAllowed { .. } => 405,
            E::Contended => 503,
            E::IdsExhausted { .. } | E::Journal(_) => 500,
            E::MalformedForm(_)
            | E::MalformedJson { .. }
            | E::MalformedQuery(_)
            | E::Missing { .. }
            | E::Repeated { .. }
            | E::Invalid { .. }
            | E::HalfPoint
            | E::LocationMissing { .. }
            | E::UnknownService { .. }
            | E::DatesReversed { .. }
            | E::HallRefused(_)
            | E::WorkOrderRefused(_) => 400,
        }
    }

    fn invalid(parameter: impl Into<String>, source: impl Into<ValueError>) -> Self {
        Open311Error::Invalid {
            parameter: parameter.into(),
            source: source.into(),
        }
    }
}

/// Why an [`Endpoint`] could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// Two services have the same code (a work-order service named like a
    /// catalogue item, or added twice).
    #[error("two services have the code {code:?}")]
    DuplicateServiceCode {
        /// The code.
        code: String,
    },
    /// An API key is empty or blank.
    #[error("an api key must not be blank")]
    BlankApiKey,
    /// An API key was added twice.
    #[error("the api key of {client} is already given")]
    DuplicateApiKey {
        /// The client of the second.
        client: ActorId,
    },
    /// Request ids under the prefix would not be valid case ids.
    #[error("request ids under the prefix {prefix:?} are not valid: {source}")]
    IdPrefix {
        /// The prefix.
        prefix: String,
        /// Why.
        source: IdError,
    },
    /// The journal could not be read for the ids in use.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// A work-order service: a matter the centre takes requests about, as
/// GeoReport lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WorkOrderService {
    code: String,
    matter: Need,
    name: String,
    description: String,
}

/// What an endpoint serves, before it is opened on a journal: the hall,
/// the centre and its services, the API keys and the request ids' prefix.
/// See [`EndpointBuilder::new`].
#[derive(Debug)]
pub struct EndpointBuilder {
    hall: ServiceRequest,
    work_orders: WorkOrder,
    location: OrgId,
    services: Vec<WorkOrderService>,
    keys: Vec<(String, ActorId)>,
    prefix: String,
}

impl EndpointBuilder {
    /// An endpoint for `hall`'s catalogue and `work_orders`' centre, whose
    /// work orders are received at `location` (a territorial body of the
    /// centre's graph) when a request gives a point or an address but no
    /// `address_id`. Add work-order services and API keys, then
    /// [`open`](EndpointBuilder::open) it on a journal.
    pub fn new(hall: ServiceRequest, work_orders: WorkOrder, location: OrgId) -> Self {
        Self {
            hall,
            work_orders,
            location,
            services: Vec::new(),
            keys: Vec::new(),
            prefix: "311-".to_owned(),
        }
    }

    /// Offers work orders about `matter` as a service, with its name and
    /// description. Its code is the matter's GeoReport code: a service
    /// category's name (`noise`), else the capability's (`legal_aid`).
    #[must_use]
    pub fn work_order_service(
        mut self,
        matter: Need,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        self.services.push(WorkOrderService {
            code: matter_code(&matter),
            matter,
            name: name.into(),
            description: description.into(),
        });
        self
    }

    /// Accepts `key` on POST, for `client` (the requester when a request
    /// names no `account_id`).
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>, client: ActorId) -> Self {
        self.keys.push((key.into(), client));
        self
    }

    /// Names new requests `{prefix}{n:06}` (`311-000001`, ...); `311-` by
    /// default.
    #[must_use]
    pub fn id_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The endpoint on `journal`: new request ids continue after the
    /// highest one under the prefix that the journal holds.
    ///
    /// # Errors
    ///
    /// [`EndpointError::DuplicateServiceCode`],
    /// [`EndpointError::BlankApiKey`], [`EndpointError::DuplicateApiKey`]
    /// or [`EndpointError::IdPrefix`] for a configuration that cannot be
    /// served; [`EndpointError::Journal`] when the journal's cases cannot
    /// be listed.
    pub fn open<S: EventStore>(self, journal: Journal<S>) -> Result<Endpoint<S>, EndpointError> {
        let mut codes = BTreeSet::new();
        let catalogue = self
            .hall
            .catalogue()
            .items()
            .iter()
            .map(|i| i.code.to_string());
        for code in catalogue.chain(self.services.iter().map(|s| s.code.clone())) {
            if !codes.insert(code.clone()) {
                return Err(EndpointError::DuplicateServiceCode { code });
            }
        }
        let mut keys = BTreeSet::new();
        for (key, client) in &self.keys {
            if key.trim().is_empty() {
                return Err(EndpointError::BlankApiKey);
            }
            if !keys.insert(key.as_str()) {
                return Err(EndpointError::DuplicateApiKey {
                    client: client.clone(),
                });
            }
        }
        format!("{}{:06}", self.prefix, u64::MAX)
            .parse::<CaseId>()
            .map_err(|source| EndpointError::IdPrefix {
                prefix: self.prefix.clone(),
                source,
            })?;
        let taken =
            highest_id::<ServiceRequest, S>(&journal, &self.prefix)?
                .max(highest_id::<WorkOrder, S>(&journal, &self.prefix)?);
        Ok(Endpoint {
            journal,
            hall: self.hall,
            work_orders: self.work_orders,
            location: self.location,
            services: self.services,
            keys: self.keys,
            prefix: self.prefix,
            next: AtomicU64::new(taken.saturating_add(1)),
        })
    }
}

/// The highest `n` of the cases of `W` named `{prefix}{n}`.
fn highest_id<W, S>(journal: &Journal<S>, prefix: &str) -> Result<u64, JournalError>
where
    W: crate::workflow::Workflow,
    S: EventStore,
{
    let mut highest = 0;
    let mut after = None;
    loop {
        let page = journal.list::<W>(after.as_ref(), 512)?;
        for id in &page {
            let n = id
                .as_str()
                .strip_prefix(prefix)
                .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|digits| digits.parse::<u64>().ok());
            highest = highest.max(n.unwrap_or(0));
        }
        match page.last() {
            Some(last) => after = Some(last.clone()),
            None => return Ok(highest),
        }
    }
}

/// A GeoReport v2 endpoint over a journal: a service hall's requests and a
/// 12345 centre's work orders (see the [module docs](crate::open311::server)).
///
/// Its methods are synchronous, as the journal is: an async server calls
/// them on blocking threads (`tokio::task::spawn_blocking`). It is `Send`
/// and `Sync`; share one behind an `Arc`. It never reads a clock: each
/// method that needs the time takes it.
#[derive(Debug)]
pub struct Endpoint<S> {
    journal: Journal<S>,
    hall: ServiceRequest,
    work_orders: WorkOrder,
    location: OrgId,
    services: Vec<WorkOrderService>,
    keys: Vec<(String, ActorId)>,
    prefix: String,
    next: AtomicU64,
}

/// The service a code names.
enum Target<'a> {
    Hall(&'a ServiceItem),
    WorkOrder(&'a WorkOrderService),
}

/// A request as GeoReport shows it, of either workflow.
enum View {
    Hall(GeoReportRequest),
    WorkOrder(WorkOrderRequest),
}

impl View {
    fn requested(&self) -> DateTime<Utc> {
        match self {
            View::Hall(v) => v.requested_datetime,
            View::WorkOrder(v) => v.requested_datetime,
        }
    }

    fn status(&self) -> Status {
        match self {
            View::Hall(v) => v.status,
            View::WorkOrder(v) => v.status,
        }
    }

    fn code(&self) -> &str {
        match self {
            View::Hall(v) => &v.service_code,
            View::WorkOrder(v) => &v.service_code,
        }
    }

    fn id(&self) -> &str {
        match self {
            View::Hall(v) => &v.service_request_id,
            View::WorkOrder(v) => &v.service_request_id,
        }
    }

    fn to_json(&self) -> Value {
        // Both views are plain data with string keys: they serialize.
        match self {
            View::Hall(v) => serde_json::to_value(v),
            View::WorkOrder(v) => serde_json::to_value(v),
        }
        .unwrap_or(Value::Null)
    }
}

impl<S: EventStore> Endpoint<S> {
    /// The journal.
    pub fn journal(&self) -> &Journal<S> {
        &self.journal
    }

    /// `GET services.json`: the catalogue's items, then the work-order
    /// services.
    pub fn services(&self) -> Answer {
        let mut list: Vec<Service> = super::services(self.hall.catalogue());
        list.extend(self.services.iter().map(|s| Service {
            service_code: s.code.clone(),
            service_name: s.name.clone(),
            description: s.description.clone(),
            metadata: false,
            service_type: ServiceType::Realtime,
            keywords: format!("work_order, {}", s.code),
            group: "work_order".to_owned(),
        }));
        // Plain data with string keys: it serializes.
        (
            Reply::ok(serde_json::to_value(list).unwrap_or(Value::Null)),
            None,
        )
    }

    /// `GET services/{file}`: the definition of the service `file` names
    /// (`TX-001.json`). A work-order service has no attributes.
    pub fn service_definition(&self, file: &str) -> Answer {
        answer(self.definition(file))
    }

    fn definition(&self, file: &str) -> Result<Reply, Open311Error> {
        let code = file
            .strip_suffix(".json")
            .ok_or_else(|| Open311Error::NoSuchResource {
                path: format!("services/{file}"),
            })?;
        match self.target(code) {
            Some(Target::Hall(item)) => Ok(Reply::ok(
                serde_json::to_value(super::definition_of(item)).unwrap_or(Value::Null),
            )),
            Some(Target::WorkOrder(s)) => Ok(Reply::ok(
                json!({ "service_code": s.code, "attributes": [] }),
            )),
            None => Err(Open311Error::ServiceNotFound {
                code: code.to_owned(),
            }),
        }
    }

    fn target(&self, code: &str) -> Option<Target<'_>> {
        match self.hall.catalogue().item(code) {
            Some(item) => Some(Target::Hall(item)),
            None => self
                .services
                .iter()
                .find(|s| s.code == code)
                .map(Target::WorkOrder),
        }
    }

    /// `POST requests.json`: a new hall request or work order from the
    /// body (form data or JSON, by `content_type`), sent at `at`. `201`
    /// with the new request's id; on every other answer nothing was
    /// written.
    pub fn post_request(
        &self,
        content_type: Option<&str>,
        body: &[u8],
        at: DateTime<Utc>,
    ) -> Answer {
        answer(self.post(content_type, body, at))
    }

    fn post(
        &self,
        content_type: Option<&str>,
        body: &[u8],
        at: DateTime<Utc>,
    ) -> Result<Reply, Open311Error> {
        if body.len() > MAX_BODY_BYTES {
            return Err(Open311Error::BodyTooLarge {
                len: body.len(),
                max: MAX_BODY_BYTES,
            });
        }
        let params = Params::from_body(content_type, body)?;
        let client = self.client(params.one("api_key")?)?;
        let code = params.one("service_code")?.ok_or(Open311Error::Missing {
            parameter: "service_code",
        })?;
        let target = self
            .target(code)
            .ok_or_else(|| Open311Error::UnknownService {
                code: code.to_owned(),
            })?;
        let requester = match params.one("account_id")? {
            Some(id) => id
                .parse::<ActorId>()
                .map_err(|e| Open311Error::invalid("account_id", e))?,
            None => client.clone(),
        };
        let geo = params.geo()?;
        let description = params
            .one("description")?
            .map(|d| Note::new(d).map_err(|e| Open311Error::invalid("description", e)))
            .transpose()?;
        let actor = Actor::new(requester.clone()).with_role(Role::Party);
        let ctx = Context::new(at, &actor);
        let id = match target {
            Target::Hall(item) => {
                let submit = ServiceRequestCommand::Submit {
                    item: item.code.clone(),
                    materials: Vec::new(),
                    attributes: params.attributes(item)?,
                    description,
                };
                self.create::<ServiceRequest>(&self.hall, &submit, &ctx, |e| match e {
                    ExecuteError::Refused(e) => Open311Error::HallRefused(e),
                    other => journal_failure(other),
                })?
            }
            Target::WorkOrder(service) => {
                let description = description.ok_or(Open311Error::Missing {
                    parameter: "description",
                })?;
                let location = match params.one("address_id")? {
                    Some(id) => id
                        .parse::<OrgId>()
                        .map_err(|e| Open311Error::invalid("address_id", e))?,
                    None if geo.point.is_some() || geo.address.is_some() => self.location.clone(),
                    None => {
                        return Err(Open311Error::LocationMissing {
                            code: service.code.clone(),
                        });
                    }
                };
                let receive = WorkOrderCommand::Receive {
                    channel: Channel::App,
                    requester: requester.clone(),
                    matter: service.matter,
                    location,
                    description,
                    geo,
                };
                self.create::<WorkOrder>(&self.work_orders, &receive, &ctx, |e| match e {
                    ExecuteError::Refused(e) => Open311Error::WorkOrderRefused(e),
                    other => journal_failure(other),
                })?
            }
        };
        let account = params.one("account_id")?;
        Ok(Reply {
            status: 201,
            body: json!([{
                "service_request_id": id.as_str(),
                "service_notice": null,
                "account_id": account,
            }]),
        })
    }

    /// The client of `key`, compared in constant time per key.
    fn client(&self, key: Option<&str>) -> Result<&ActorId, Open311Error> {
        let key = key.ok_or(Open311Error::ApiKeyMissing)?;
        let mut found = None;
        for (known, client) in &self.keys {
            if constant_time_eq(known.as_bytes(), key.as_bytes()) {
                found = Some(client);
            }
        }
        found.ok_or(Open311Error::ApiKeyInvalid)
    }

    /// Handles `command` on a new case of `W` under the next free id.
    fn create<W>(
        &self,
        workflow: &W,
        command: &W::Command,
        ctx: &Context<'_>,
        refused: impl Fn(ExecuteError<W::Rejection>) -> Open311Error,
    ) -> Result<CaseId, Open311Error>
    where
        W: crate::journal::Journaled,
    {
        for _ in 0..MAX_ID_SKIPS {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            let id: CaseId = format!("{}{n:06}", self.prefix)
                .parse()
                .map_err(|_| Open311Error::IdsExhausted { tried: 1 })?;
            // Taken by another process writing under the prefix: skip it.
            if self.taken(&id)? {
                continue;
            }
            return match self.journal.handle(workflow, &id, command, ctx) {
                Ok(_) => Ok(id),
                Err(e) => {
                    // Nothing was written: give the id back, unless another
                    // request took the next one meanwhile.
                    let _ = self.next.compare_exchange(
                        n.saturating_add(1),
                        n,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                    Err(refused(e))
                }
            };
        }
        Err(Open311Error::IdsExhausted {
            tried: MAX_ID_SKIPS,
        })
    }

    fn taken(&self, id: &CaseId) -> Result<bool, Open311Error> {
        Ok(self.journal.load::<ServiceRequest>(id)?.version() > 0
            || self.journal.load::<WorkOrder>(id)?.version() > 0)
    }

    /// `GET requests/{file}`: the request `file` names (`311-000001.json`),
    /// as a list of one.
    pub fn request(&self, file: &str) -> Answer {
        answer(self.one_request(file))
    }

    fn one_request(&self, file: &str) -> Result<Reply, Open311Error> {
        let id = file
            .strip_suffix(".json")
            .ok_or_else(|| Open311Error::NoSuchResource {
                path: format!("requests/{file}"),
            })?;
        match self.view(id)? {
            Some(view) => Ok(Reply::ok(Value::Array(vec![view.to_json()]))),
            None => Err(Open311Error::RequestNotFound { id: id.to_owned() }),
        }
    }

    /// The view of request `id`, if there is one.
    fn view(&self, id: &str) -> Result<Option<View>, Open311Error> {
        let Ok(id) = id.parse::<CaseId>() else {
            return Ok(None);
        };
        let hall = self.journal.load::<ServiceRequest>(&id)?;
        if let Some(view) = super::request(&self.hall, &hall) {
            return Ok(Some(View::Hall(view)));
        }
        let order = self.journal.load::<WorkOrder>(&id)?;
        Ok(super::work_order_request(&self.work_orders, &order).map(View::WorkOrder))
    }

    /// `GET requests.json` with `query` (the raw query string, if any), at
    /// `at`: the requests its filters select, newest first.
    pub fn requests(&self, query: Option<&str>, at: DateTime<Utc>) -> Answer {
        answer(self.list(query, at))
    }

    fn list(&self, query: Option<&str>, at: DateTime<Utc>) -> Result<Reply, Open311Error> {
        let params = Params::from_query(query.unwrap_or(""))?;
        let ids = params.list("service_request_id");
        let mut views = Vec::new();
        if !ids.is_empty() {
            let mut seen = BTreeSet::new();
            for id in ids {
                if seen.insert(id) {
                    views.extend(self.view(id)?);
                }
            }
            return Ok(listed(views));
        }
        let filter = Filter::read(&params, at, |code| self.target(code).is_some())?;
        self.each_case::<ServiceRequest>(|case| {
            if let Some(view) = super::request(&self.hall, case).map(View::Hall) {
                if filter.selects(&view) {
                    views.push(view);
                }
            }
        })?;
        self.each_case::<WorkOrder>(|case| {
            if let Some(view) = super::work_order_request(&self.work_orders, case) {
                let view = View::WorkOrder(view);
                if filter.selects(&view) {
                    views.push(view);
                }
            }
        })?;
        views.sort_by(|a, b| {
            b.requested()
                .cmp(&a.requested())
                .then_with(|| b.id().cmp(a.id()))
        });
        views.truncate(MAX_LISTED);
        Ok(listed(views))
    }

    fn each_case<W>(&self, mut f: impl FnMut(&Case<W>)) -> Result<(), Open311Error>
    where
        W: crate::journal::Journaled,
    {
        let mut after = None;
        loop {
            let page = self.journal.list::<W>(after.as_ref(), 256)?;
            for id in &page {
                f(&self.journal.load::<W>(id)?);
            }
            match page.last() {
                Some(last) => after = Some(last.clone()),
                None => return Ok(()),
            }
        }
    }
}

fn listed(views: Vec<View>) -> Reply {
    Reply::ok(Value::Array(views.iter().map(View::to_json).collect()))
}

fn journal_failure<R>(e: ExecuteError<R>) -> Open311Error {
    match e {
        ExecuteError::Journal(e) => Open311Error::Journal(e),
        // `Refused` is mapped by the caller; everything else is contention.
        _ => Open311Error::Contended,
    }
}

/// Compares two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What `GET requests.json`'s filters select.
#[derive(Debug)]
struct Filter {
    codes: BTreeSet<String>,
    statuses: BTreeSet<StatusKey>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// [`Status`] ordered, for a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum StatusKey {
    Open,
    Closed,
}

impl From<Status> for StatusKey {
    fn from(s: Status) -> Self {
        match s {
            Status::Open => StatusKey::Open,
            Status::Closed => StatusKey::Closed,
        }
    }
}

impl Filter {
    fn read(
        params: &Params,
        at: DateTime<Utc>,
        known: impl Fn(&str) -> bool,
    ) -> Result<Self, Open311Error> {
        let mut codes = BTreeSet::new();
        for code in params.list("service_code") {
            if !known(code) {
                return Err(Open311Error::UnknownService {
                    code: code.to_owned(),
                });
            }
            codes.insert(code.to_owned());
        }
        let mut statuses = BTreeSet::new();
        for status in params.list("status") {
            statuses.insert(match status {
                "open" => StatusKey::Open,
                "closed" => StatusKey::Closed,
                other => {
                    return Err(Open311Error::invalid(
                        "status",
                        ValueError::NotAStatus {
                            value: other.to_owned(),
                        },
                    ));
                }
            });
        }
        let date = |name: &'static str| -> Result<Option<DateTime<Utc>>, Open311Error> {
            params.one(name)?.map(|v| parse_date(name, v)).transpose()
        };
        let span = TimeDelta::days(DEFAULT_SPAN_DAYS);
        let (start, end) = match (date("start_date")?, date("end_date")?) {
            (Some(start), Some(end)) => (start, end),
            (Some(start), None) => (start, start.checked_add_signed(span).unwrap_or(start)),
            (None, Some(end)) => (end.checked_sub_signed(span).unwrap_or(end), end),
            (None, None) => (at.checked_sub_signed(span).unwrap_or(at), at),
        };
        if start > end {
            return Err(Open311Error::DatesReversed { start, end });
        }
        Ok(Self {
            codes,
            statuses,
            start,
            end,
        })
    }

    fn selects(&self, view: &View) -> bool {
        (self.codes.is_empty() || self.codes.contains(view.code()))
            && (self.statuses.is_empty() || self.statuses.contains(&StatusKey::from(view.status())))
            && (self.start..=self.end).contains(&view.requested())
    }
}

fn parse_date(parameter: &str, value: &str) -> Result<DateTime<Utc>, Open311Error> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Open311Error::invalid(
                parameter,
                ValueError::NotADate {
                    value: value.to_owned(),
                },
            )
        })
}

/// The parameters of a body or a query string, in order, empty values
/// left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    fn new(pairs: Vec<(String, String)>) -> Self {
        Self {
            pairs: pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        }
    }

    fn from_query(query: &str) -> Result<Self, Open311Error> {
        decode_form(query.as_bytes())
            .map(Self::new)
            .map_err(Open311Error::MalformedQuery)
    }

    fn from_body(content_type: Option<&str>, body: &[u8]) -> Result<Self, Open311Error> {
        let media = content_type
            .and_then(|c| c.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase());
        match media.as_deref() {
            Some("application/x-www-form-urlencoded") => decode_form(body)
                .map(Self::new)
                .map_err(Open311Error::MalformedForm),
            Some("application/json") => decode_json(body).map(Self::new),
            _ => Err(Open311Error::UnsupportedMediaType {
                content_type: content_type.map(str::to_owned),
            }),
        }
    }

    /// The value of a parameter given at most once.
    fn one(&self, name: &str) -> Result<Option<&str>, Open311Error> {
        let mut values = self.pairs.iter().filter(|(k, _)| k == name);
        let first = values.next();
        let more = values.count();
        if more > 0 {
            return Err(Open311Error::Repeated {
                parameter: name.to_owned(),
                count: more + 1,
            });
        }
        Ok(first.map(|(_, v)| v.as_str()))
    }

    /// The comma-separated values of a parameter, over every time it is
    /// given.
    fn list(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// GeoReport's location fields.
    fn geo(&self) -> Result<GeoFields, Open311Error> {
        let number = |name: &'static str| -> Result<Option<f64>, Open311Error> {
            self.one(name)?
                .map(|v| {
                    v.trim().parse::<f64>().map_err(|_| {
                        Open311Error::invalid(
                            name,
                            ValueError::NotANumber {
                                value: v.to_owned(),
                            },
                        )
                    })
                })
                .transpose()
        };
        let point = match (number("lat")?, number("long")?) {
            (Some(lat), Some(long)) => {
                Some(GeoPoint::new(lat, long).map_err(|e| Open311Error::invalid("lat", e))?)
            }
            (None, None) => None,
            _ => return Err(Open311Error::HalfPoint),
        };
        let address = self
            .one("address_string")?
            .map(|a| Note::new(a).map_err(|e| Open311Error::invalid("address_string", e)))
            .transpose()?;
        let media_url = self
            .one("media_url")?
            .map(|u| {
                u.parse::<MediaUrl>()
                    .map_err(|e| Open311Error::invalid("media_url", e))
            })
            .transpose()?;
        Ok(GeoFields {
            point,
            address,
            media_url,
        })
    }

    /// The `attribute[CODE]` (and `attribute[CODE][]`) values, read as
    /// `item`'s attributes' datatypes say. A code the item does not ask
    /// for is passed on as text, for the workflow to refuse.
    fn attributes(&self, item: &ServiceItem) -> Result<Attributes, Open311Error> {
        let mut given: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (key, value) in &self.pairs {
            let Some(rest) = key.strip_prefix("attribute[") else {
                continue;
            };
            let code = rest
                .strip_suffix("][]")
                .or_else(|| rest.strip_suffix(']'))
                .unwrap_or(rest);
            given.entry(code).or_default().push(value.as_str());
        }
        let mut attributes = Attributes::new();
        for (code, values) in given {
            let parameter = || format!("attribute[{code}]");
            let code: AttributeCode = code
                .parse()
                .map_err(|e| Open311Error::invalid(parameter(), e))?;
            let datatype = item.attribute(&code).map(|a| a.datatype);
            let single = || -> Result<&str, Open311Error> {
                match values.as_slice() {
                    [one] => Ok(*one),
                    many => Err(Open311Error::Repeated {
                        parameter: parameter(),
                        count: many.len(),
                    }),
                }
            };
            let value = match datatype {
                Some(Datatype::MultiValueList) => {
                    AttributeValue::Choices(values.iter().map(|v| (*v).to_owned()).collect())
                }
                Some(Datatype::SingleValueList) => AttributeValue::Choice(single()?.to_owned()),
                Some(Datatype::Number) => {
                    let text = single()?;
                    AttributeValue::Number(text.trim().parse().map_err(|_| {
                        Open311Error::invalid(
                            parameter(),
                            ValueError::NotANumber {
                                value: text.to_owned(),
                            },
                        )
                    })?)
                }
                Some(Datatype::DateTime) => {
                    AttributeValue::DateTime(parse_date(&parameter(), single()?)?)
                }
                Some(Datatype::String | Datatype::Text) | None => {
                    AttributeValue::Text(single()?.to_owned())
                }
            };
            attributes.insert(code, value);
        }
        Ok(attributes)
    }
}

/// Decodes `application/x-www-form-urlencoded` data: `&`-separated
/// `name=value` pairs, `+` for a space, `%XX` escapes, UTF-8.
///
/// ```
/// use grassroots::open311::server::decode_form;
///
/// let pairs = decode_form(b"service_code=noise&description=presses+at+night%21&attribute%5Bq%5D=1")?;
/// assert_eq!(pairs[1], ("description".to_owned(), "presses at night!".to_owned()));
/// assert_eq!(pairs[2].0, "attribute[q]");
/// assert!(decode_form(b"a=%zz").is_err());
/// # Ok::<(), grassroots::open311::server::FormError>(())
/// ```
///
/// # Errors
///
/// [`FormError::BadEscape`] for a `%` without two hexadecimal digits,
/// [`FormError::NotUtf8`] when the decoded bytes are not UTF-8.
pub fn decode_form(data: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let mut pairs = Vec::new();
    let mut offset = 0;
    for part in data.split(|b| *b == b'&') {
        let start = offset;
        offset += part.len() + 1;
        if part.is_empty() {
            continue;
        }
        let (name, value) = match part.iter().position(|b| *b == b'=') {
            Some(eq) => (&part[..eq], &part[eq + 1..]),
            None => (part, &[][..]),
        };
        let value_start = start + name.len() + 1;
        pairs.push((unescape(name, start)?, unescape(value, value_start)?));
    }
    Ok(pairs)
}

fn unescape(text: &[u8], offset: usize) -> Result<String, FormError> {
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let digits = text
                    .get(i + 1)
                    .copied()
                    .and_then(hex)
                    .zip(text.get(i + 2).copied().and_then(hex));
                let Some((high, low)) = digits else {
                    return Err(FormError::BadEscape { at: offset + i });
                };
                out.push((high << 4) | low);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FormError::NotUtf8)
}

/// The parameters of a JSON body: an object whose values are text,
/// numbers, booleans, `null` (absent) or lists of those, and whose
/// `attribute` may be an object of attribute codes.
fn decode_json(body: &[u8]) -> Result<Vec<(String, String)>, Open311Error> {
    let value: Value = serde_json::from_slice(body).map_err(|e| Open311Error::MalformedJson {
        reason: e.to_string(),
    })?;
    let Value::Object(object) = value else {
        return Err(Open311Error::JsonShape {
            field: "(body)".to_owned(),
        });
    };
    let mut pairs = Vec::new();
    for (name, value) in object {
        match value {
            Value::Object(attributes) if name == "attribute" => {
                for (code, value) in attributes {
                    push_json(&mut pairs, format!("attribute[{code}]"), value)?;
                }
            }
            value => push_json(&mut pairs, name, value)?,
        }
    }
    Ok(pairs)
}

fn push_json(
    pairs: &mut Vec<(String, String)>,
    name: String,
    value: Value,
) -> Result<(), Open311Error> {
    fn scalar(value: &Value) -> Option<Option<String>> {
        match value {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.clone())),
            Value::Number(n) => Some(Some(n.to_string())),
            Value::Bool(b) => Some(Some(b.to_string())),
            Value::Array(_) | Value::Object(_) => None,
        }
    }
    let shape = |name: &str| Open311Error::JsonShape {
        field: name.to_owned(),
    };
    match &value {
        Value::Array(items) => {
            for item in items {
                let text = scalar(item).ok_or_else(|| shape(&name))?;
                pairs.extend(text.map(|t| (name.clone(), t)));
            }
        }
        other => {
            let text = scalar(other).ok_or_else(|| shape(&name))?;
            pairs.extend(text.map(|t| (name.clone(), t)));
        }
    }
    Ok(())
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn form_data_decodes_escapes_and_plus_and_skips_empty_parts() {
        let decoded = decode_form(b"a=1&&b=x+y%2Bz&c&attribute%5Bq%5D%5B%5D=%E5%99%AA").unwrap();
        assert_eq!(
            decoded,
            pairs(&[
                ("a", "1"),
                ("b", "x y+z"),
                ("c", ""),
                ("attribute[q][]", "噪")
            ])
        );
        assert_eq!(decode_form(b"").unwrap(), []);
    }

    #[test]
    fn bad_escapes_and_bad_utf8_are_refused_with_where() {
        assert_eq!(
            decode_form(b"ab=1&c=%4"),
            Err(FormError::BadEscape { at: 7 })
        );
        assert_eq!(decode_form(b"a%g0=1"), Err(FormError::BadEscape { at: 1 }));
        assert_eq!(decode_form(b"a=%ff%fe"), Err(FormError::NotUtf8));
    }

    #[test]
    fn a_json_body_reads_as_the_same_parameters() {
        let body =
            br#"{"api_key":"k","lat":22.5,"attribute":{"kinds":["a","b"],"n":3},"email":null}"#;
        let params = Params::from_body(Some("application/json; charset=utf-8"), body).unwrap();
        assert_eq!(
            params.pairs,
            // In the key order serde_json keeps; `null` is absent.
            pairs(&[
                ("api_key", "k"),
                ("attribute[kinds]", "a"),
                ("attribute[kinds]", "b"),
                ("attribute[n]", "3"),
                ("lat", "22.5"),
            ])
        );
        let nested = Params::from_body(Some("application/json"), br#"{"a":{"b":1}}"#);
        assert!(matches!(nested, Err(Open311Error::JsonShape { field }) if field == "a"));
        let list = Params::from_body(Some("application/json"), b"[1]");
        assert!(matches!(list, Err(ref e) if e.status() == 422));
        let broken = Params::from_body(Some("application/json"), b"{\"a\":");
        assert!(
            matches!(broken, Err(ref e @ Open311Error::MalformedJson { .. }) if e.status() == 400)
        );
    }

    #[test]
    fn a_body_of_another_type_is_unsupported() {
        for content_type in [
            None,
            Some("text/plain"),
            Some("multipart/form-data; boundary=x"),
        ] {
            let e = Params::from_body(content_type, b"a=1").unwrap_err();
            assert_eq!(e.status(), 415, "{content_type:?}");
        }
        let form = Params::from_body(
            Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
            b"a=1",
        );
        assert_eq!(form.unwrap().pairs, pairs(&[("a", "1")]));
    }

    #[test]
    fn a_parameter_given_twice_is_refused_and_lists_split_on_commas() {
        let params = Params::new(pairs(&[
            ("a", "1"),
            ("a", "2"),
            ("s", "open,closed"),
            ("s", "open"),
            ("e", ""),
        ]));
        assert!(matches!(
            params.one("a"),
            Err(Open311Error::Repeated { count: 2, .. })
        ));
        assert_eq!(params.list("s"), ["open", "closed", "open"]);
        assert_eq!(params.one("e").unwrap(), None, "an empty value is absent");
    }

    #[test]
    fn half_a_point_and_points_out_of_range_are_refused() {
        let geo = |list: &[(&str, &str)]| Params::new(pairs(list)).geo();
        assert!(matches!(
            geo(&[("lat", "22.5")]),
            Err(Open311Error::HalfPoint)
        ));
        assert!(matches!(
            geo(&[("lat", "95"), ("long", "114")]),
            Err(Open311Error::Invalid {
                source: ValueError::Geo(_),
                ..
            })
        ));
        assert!(matches!(
            geo(&[("lat", "north"), ("long", "114")]),
            Err(Open311Error::Invalid {
                source: ValueError::NotANumber { .. },
                ..
            })
        ));
        let ok = geo(&[
            ("lat", "22.5"),
            ("long", "114.1"),
            ("media_url", "https://a.cn/p.jpg"),
        ])
        .unwrap();
        assert_eq!(ok.point.map(|p| p.lat()), Some(22.5));
        assert!(geo(&[("media_url", "ftp://a.cn/p.jpg")]).is_err());
    }

    #[test]
    fn errors_render_as_the_georeport_list_with_their_status() {
        let reply = Reply::error(&Open311Error::ApiKeyInvalid);
        assert_eq!(reply.status, 403);
        assert_eq!(
            reply.body,
            json!([{"code": 403, "description": "api_key is not valid"}])
        );
        let journal = Reply::error(&Open311Error::from(JournalError::Backend {
            backend: "sqlite",
            source: Box::new(std::io::Error::other("disk I/O error at /secret/path")),
        }));
        assert_eq!(journal.status, 500);
        assert!(
            !journal.body.to_string().contains("/secret/path"),
            "{journal}"
        );
    }

    #[test]
    fn only_equal_keys_compare_equal() {
        assert!(constant_time_eq(b"key-1", b"key-1"));
        assert!(!constant_time_eq(b"key-1", b"key-2"));
        assert!(!constant_time_eq(b"key-1", b"key-10"));
        assert!(!constant_time_eq(b"", b"k"));
    }

    #[cfg(feature = "sim")]
    mod endpoint {
        use super::*;
        use crate::id::TenantId;
        use crate::journal::MemoryStore;
        use crate::service::sample as hall;
        use crate::work_order::sample as centre;
        use chrono::TimeZone;

        fn builder() -> EndpointBuilder {
            EndpointBuilder::new(
                hall::huanan_city_service(),
                centre::huanan_work_orders(),
                centre::HUANAN_CITY.parse().unwrap(),
            )
            .work_order_service(centre::NOISE, "Noise", "Noise at night")
            .api_key("k", "app".parse().unwrap())
        }

        fn tenant() -> TenantId {
            "longgang".parse().unwrap()
        }

        fn at() -> DateTime<Utc> {
            Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
        }

        const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
        const NOISE: &[u8] =
            b"api_key=k&service_code=noise&address_id=huanan-city&description=loud";

        fn posted<S: EventStore>(endpoint: &Endpoint<S>, body: &[u8]) -> Reply {
            endpoint.post_request(FORM, body, at()).0
        }

        #[test]
        fn ids_continue_after_the_highest_in_the_journal_and_skip_taken_ones() {
            let store = MemoryStore::new();
            let first = builder().open(Journal::new(&store, tenant())).unwrap();
            assert_eq!(
                posted(&first, NOISE).body[0]["service_request_id"],
                "311-000001"
            );
            // A second endpoint on the same store starts after what is there.
            let second = builder().open(Journal::new(&store, tenant())).unwrap();
            assert_eq!(
                posted(&first, NOISE).body[0]["service_request_id"],
                "311-000002"
            );
            // Its next id was taken meanwhile: it skips it.
            assert_eq!(
                posted(&second, NOISE).body[0]["service_request_id"],
                "311-000003"
            );
            assert_eq!(store.read_all(&tenant(), 0, 100).unwrap().len(), 3);
        }

        #[test]
        fn a_refusal_gives_its_id_back_and_writes_nothing() {
            let store = MemoryStore::new();
            let endpoint = builder().open(Journal::new(&store, tenant())).unwrap();
            let (reply, error) = endpoint.post_request(
                FORM,
                b"api_key=k&service_code=noise&address_id=longgang-market&description=loud",
                at(),
            );
            assert_eq!(reply.status, 400);
            assert!(matches!(
                error,
                Some(Open311Error::WorkOrderRefused(CaseError::Rejected(
                    WorkOrderError::NotTerritorial { .. }
                )))
            ));
            assert!(store.read_all(&tenant(), 0, 100).unwrap().is_empty());
            assert_eq!(
                posted(&endpoint, NOISE).body[0]["service_request_id"],
                "311-000001"
            );
        }

        #[test]
        fn a_duplicate_code_a_blank_or_repeated_key_or_a_bad_prefix_is_refused() {
            let store = MemoryStore::new();
            let open = |b: EndpointBuilder| b.open(Journal::new(&store, tenant())).unwrap_err();
            assert!(matches!(
                open(builder().work_order_service(centre::NOISE, "Noise", "again")),
                EndpointError::DuplicateServiceCode { code } if code == "noise"
            ));
            assert!(matches!(
                open(builder().api_key(" ", "other".parse().unwrap())),
                EndpointError::BlankApiKey
            ));
            assert!(matches!(
                open(builder().api_key("k", "other".parse().unwrap())),
                EndpointError::DuplicateApiKey { .. }
            ));
            assert!(matches!(
                open(builder().id_prefix("bad\u{0}")),
                EndpointError::IdPrefix { .. }
            ));
        }

        #[test]
        fn the_endpoint_is_send_and_sync() {
            fn assert_send_sync<T: Send + Sync>() {}
            assert_send_sync::<Endpoint<MemoryStore>>();
            assert_send_sync::<Open311Error>();
        }
    }
}
