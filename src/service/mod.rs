//! Service requests: the service hall's catalogue, the request lifecycle
//! with promised working-day deadlines, and supervision of overdue requests
//! through the escalation ladder.
//!
//! A hall — the Huanan City branch of the Longgang district administrative
//! service hall, in the report — publishes a [`Catalogue`] of the items it
//! accepts (受理: formally takes in the application), each either handled
//! by the hall itself ([`Mode::Handle`]) or forwarded to the competent
//! department ([`Mode::Forward`], 转办), with its category, handling body,
//! statutory and promised time limits in working days, required materials
//! (some of which may be pending at acceptance) and typed intake
//! attributes. Agent service (代办) — the hall's agent clerk acting for the
//! applicant on its written authorisation — is how a request may be
//! submitted, in either mode.
//! [`ServiceRequest`] is the workflow of one request on the
//! [kernel](crate::workflow): a catalogue, plus the escalation
//! [`Ladder`](crate::escalation::Ladder) it embeds for supervision (whose
//! working calendar also counts the promised dates).
//!
//! - [`open311`](crate::open311) shows the catalogue and any request as
//!   Open311 GeoReport v2 JSON;
//! - [`HallMetrics`] folds histories into the hall's indicators;
//! - `sample` (feature `sim`) holds an illustrative catalogue and
//!   organisation graph;
//! - `strategies` (feature `proptest`) draws command sequences for property
//!   tests.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "sim")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chrono::{TimeZone, Utc};
//! use grassroots::actor::{Actor, Role};
//! use grassroots::service::{
//!     sample, AttributeValue, ServiceRequest, ServiceRequestCommand as Command,
//!     ServiceRequestError, ServiceRequestEvent as Event,
//! };
//! use grassroots::workflow::{Case, Context, HasKind};
//!
//! let service = sample::huanan_city_service();
//! let hall = sample::HALL.parse()?;
//! let applicant = Actor::new("ent-0042".parse()?).with_role(Role::Party);
//! let clerk = Actor::new("clerk-li".parse()?).with_role(Role::HallClerk).acting_for(hall);
//! // Monday 2 March 2026, 09:00 in Shenzhen.
//! let monday = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
//!
//! let mut case = Case::<ServiceRequest>::new("HN-2026-0001".parse()?);
//! let submit = Command::Submit {
//!     item: "TX-001".parse()?, // apply for invoices: 1 working day
//!     materials: vec!["business-licence".parse()?],
//!     attributes: [
//!         ("invoice_type".parse()?, AttributeValue::Choice("general".into())),
//!         ("quantity".parse()?, AttributeValue::Number(25.0)),
//!     ]
//!     .into_iter()
//!     .collect(),
//!     description: None,
//! };
//! case.handle(&service, &submit, &Context::new(monday, &applicant))?;
//!
//! // Tell everything at once: a supplement request must name every missing
//! // material, and a refusal changes nothing.
//! let nothing = Command::RequestSupplement { materials: vec![] };
//! let refused = case.handle(&service, &nothing, &Context::new(monday, &clerk)).unwrap_err();
//! assert_eq!(
//!     refused.rejection(),
//!     Some(&ServiceRequestError::MaterialNotNamed { material: "id-card".parse()? })
//! );
//! let ask = Command::RequestSupplement { materials: vec!["id-card".parse()?] };
//! case.handle(&service, &ask, &Context::new(monday, &clerk))?;
//! let supply = Command::SupplyMaterials { materials: vec!["id-card".parse()?] };
//! case.handle(&service, &supply, &Context::new(monday, &applicant))?;
//!
//! // Accepted: due when Tuesday ends in Shenzhen, and on the ladder.
//! case.handle(&service, &Command::Accept, &Context::new(monday, &clerk))?;
//! let tuesday_ends = Utc.with_ymd_and_hms(2026, 3, 3, 16, 0, 0).unwrap();
//! assert_eq!(case.state().promised(), Some(tuesday_ends));
//!
//! // Nobody started on it: Wednesday's tick records it overdue and sends
//! // the hall a supervision reminder.
//! let wednesday = Utc.with_ymd_and_hms(2026, 3, 4, 1, 0, 0).unwrap();
//! let recorded = case.handle(&service, &Command::Tick, &Context::new(wednesday, &Actor::system()))?;
//! let kinds: Vec<String> = recorded.iter().map(|r| r.event.kind().to_string()).collect();
//! assert_eq!(kinds, ["Overdue", "Ladder.SupervisionReminded"]);
//! assert_eq!(recorded[0].event, Event::Overdue { deadline: tuesday_ends });
//!
//! // Live equals replay.
//! let replayed = Case::<ServiceRequest>::replay(case.id().clone(), case.history().to_vec())?;
//! assert_eq!(replayed, case);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "sim"))]
//! # fn main() {}
//! ```
//!
//! # The lifecycle
//!
//! Submitted (by the applicant, or by the hall's agent for it) →
//! supplement requested (and supplied) → accepted (the promised completion
//! date is computed and stored in the event; with non-essential materials
//! pending on a written promise; or from receipt, when no supplement notice
//! came in time) or refused (reason and legal basis) → for an item the
//! hall forwards, forwarded to the competent department, which signs for
//! it or returns it as not its own → in process ⇄ suspended (the clock
//! stops) ⇄ extension requested (approved or rejected by a supervisor) →
//! completed or denied → delivered → rated on five levels → closed; a bad
//! review first opens rectification (rectified, then a follow-up call, or
//! sent back for rework). The applicant may withdraw at any open point:
//! from submission until it is completed or denied.
//!
//! # The state × command table
//!
//! What each state accepts and the events it records. Every other command
//! is refused with [`ServiceRequestError::NotApplicable`]; a terminal state
//! refuses every command through the kernel
//! ([`CaseError::Terminal`](crate::workflow::CaseError::Terminal)).
//! `tests/service.rs` asserts every cell.
//!
//! | state | accepts → records | `Tick` |
//! |---|---|---|
//! | `New` | `Submit`, `SubmitForApplicant` → `Submitted` | nothing |
//! | `Submitted` | `RequestSupplement` → `SupplementRequested`; `Accept` → `Accepted`, `LadderStarted`; `AcceptWithPromise` → `AcceptedWithPending`, `LadderStarted`; `Refuse` → `Refused`; `Withdraw` → `Withdrawn` — past the supplement window without a notice: `Accept`, `AcceptWithPromise` → `DeemedAccepted`, `LadderStarted`; `RequestSupplement`, `Refuse` refused with [`ServiceRequestError::AcceptedFromReceipt`] | past the supplement window without a notice: `DeemedAccepted`, `LadderStarted` (then the running request's own timers) |
//! | `SupplementRequested` | `SupplyMaterials` → `MaterialsSupplied`; `Refuse` → `Refused`; `Withdraw` → `Withdrawn` | nothing |
//! | `Accepted` | `StartProcessing` → `ProcessingStarted` (handled by the hall); `Forward` → `Forwarded` (forwarded items; the other mode's command is refused with [`ServiceRequestError::WrongMode`]); `SupplyMaterials` → `PendingSupplied` (materials pending); `Withdraw` → `Withdrawn` | overdue, supervision, lapse |
//! | `Forwarded` | `SignFor` → `SignedFor`; `Return` → `Returned` (back to `Accepted`); `SupplyMaterials` → `PendingSupplied`; `Withdraw` → `Withdrawn` | overdue, supervision, lapse |
//! | `InProcess` | `Suspend` → `Suspended`; `RequestExtension` → `ExtensionRequested`; `Complete` → `Completed`; `Deny` → `Denied`; `SupplyMaterials` → `PendingSupplied`; `Withdraw` → `Withdrawn` | overdue, supervision, lapse |
//! | `Suspended` | `Resume` → `Resumed`; `SupplyMaterials` → `PendingSupplied`; `Withdraw` → `Withdrawn` | nothing: the clock is stopped |
//! | `ExtensionRequested` | `ApproveExtension` → `ExtensionApproved`; `RejectExtension` → `ExtensionRejected`; `Complete` → `Completed`; `Deny` → `Denied`; `SupplyMaterials` → `PendingSupplied`; `Withdraw` → `Withdrawn` | overdue, supervision, lapse |
//! | `Completed` | `Deliver` → `Delivered` | nothing |
//! | `Denied` | `Deliver` → `Delivered` | nothing |
//! | `Delivered` | `Rate` → `Rated` (and `RectificationOpened` for a bad review); `Close` → `Closed` | nothing |
//! | `Rated` | `Close` → `Closed`; `SendBackForRework` refused with [`ServiceRequestError::ReworkNeedsBadReview`] | nothing |
//! | `Rectifying` | `Rectify` → `Rectified`; `SendBackForRework` → `SentBackForRework`; `Close` refused with [`ServiceRequestError::RectificationOpen`] | `RectificationOverdue` at the deadline, once |
//! | `FollowingUp` | `FollowUp` → `FollowedUp` (closed); `Close` refused with [`ServiceRequestError::RectificationOpen`] | nothing |
//! | `Refused`, `Withdrawn`, `Closed` | terminal | terminal |
//!
//! `SupplyMaterials` after acceptance applies only while materials are
//! pending. Past the date promised for them, the handler's commands (and
//! an extension's approval) are refused with
//! [`ServiceRequestError::PromiseLapsed`] whether or not a tick recorded
//! the lapse; a supply then records `PromiseLapsed` first if no tick did.
//! "Lapse": a `Tick` at or after the promised supply date records
//! `PromiseLapsed` (the clock stops there).
//!
//! "Overdue, supervision": a `Tick` at or after the promised date records
//! `Overdue { deadline }` once per deadline, and ticks the embedded ladder,
//! which records `LadderSupervisionReminded` (to the hall) and, if the
//! request is still overdue when the written notice falls due,
//! `LadderSupervisionNoticeIssued`. Before the promised date a `Tick`
//! records nothing.
//!
//! # Who may send each command
//!
//! | command | sender |
//! |---|---|
//! | `Submit` | a [`Party`](crate::actor::Role::Party): it becomes the applicant |
//! | `SubmitForApplicant` | an [`AgentClerk`](crate::actor::Role::AgentClerk) acting for the hall (代办): the applicant named becomes the applicant, the agent and the written authorisation are recorded |
//! | `SupplyMaterials`, `Withdraw` | the applicant or the agent who submitted for it ([`ServiceRequestError::NotTheApplicant`]) |
//! | `Rate` | the applicant itself |
//! | `RequestSupplement`, `Accept`, `AcceptWithPromise`, `Refuse`, `StartProcessing`, `Forward`, `Deliver`, `Rectify`, `FollowUp`, `Close` | a [`HallClerk`](crate::actor::Role::HallClerk) acting for the hall |
//! | `SignFor`, `Return` | a [`DepartmentOfficer`](crate::actor::Role::DepartmentOfficer) acting for the department it was forwarded to |
//! | `Suspend`, `Resume`, `RequestExtension`, `Complete`, `Deny` | the handler: a hall clerk acting for the hall for an item the hall handles itself ([`Mode::Handle`]), an officer acting for the department that signed for it for an item the hall forwards ([`Mode::Forward`]) |
//! | `ApproveExtension`, `RejectExtension`, `SendBackForRework` | a [`Supervisor`](crate::actor::Role::Supervisor) |
//! | `Tick` | the [`System`](crate::actor::Role::System) |
//!
//! A missing role is [`ServiceRequestError::Forbidden`]; the right role
//! acting for another body is [`ServiceRequestError::NotActingFor`].
//!
//! # Rules
//!
//! - **Tell everything at once** (一次性告知). The first supplement request
//!   must name every missing required material
//!   ([`ServiceRequestError::MaterialNotNamed`]); it may also name provided
//!   ones that need correcting. A later one may name only materials still
//!   outstanding — anything else could have been named the first time
//!   ([`ServiceRequestError::MaterialAlreadyKnown`]). The applicant supplies
//!   only what was asked for, and a request is accepted only with nothing
//!   missing or outstanding ([`ServiceRequestError::MaterialMissing`]).
//! - **Intake attributes** are checked against the item:
//!   [`AttributeMissing`](ServiceRequestError::AttributeMissing),
//!   [`AttributeWrongType`](ServiceRequestError::AttributeWrongType),
//!   [`NotAllowedValue`](ServiceRequestError::NotAllowedValue) and
//!   [`UnknownAttribute`](ServiceRequestError::UnknownAttribute) each name
//!   the attribute.
//! - **The supplement window** (行政许可法 art. 32(4); its periods are
//!   working days, art. 82): the supplement notice must come within five
//!   working days of receipt ([`SUPPLEMENT_NOTICE_LIMIT`]; the `Submitted`
//!   event carries the instant). Past it without a notice, the application
//!   counts as accepted from receipt: `decide` judges it from the clock, so
//!   a clerk's `Accept` then records `DeemedAccepted` (promised from
//!   receipt, whatever is missing) and a late `RequestSupplement` or
//!   `Refuse` is [`ServiceRequestError::AcceptedFromReceipt`]; a `Tick`
//!   records the acceptance when nobody acted.
//! - **Acceptance with a material pending** (容缺受理): where the item marks
//!   a material [`Materiality::NonEssential`], `AcceptWithPromise` accepts
//!   without it on the applicant's written promise to supply it by a date
//!   after acceptance. Every material not provided must be named
//!   ([`MaterialMissing`](ServiceRequestError::MaterialMissing)), and each
//!   named one must be non-essential
//!   ([`MaterialEssential`](ServiceRequestError::MaterialEssential)) and
//!   not provided ([`MaterialProvided`](ServiceRequestError::MaterialProvided)).
//!   The request cannot be completed while one is pending
//!   ([`MaterialPending`](ServiceRequestError::MaterialPending)). Missing
//!   the date suspends handling from that date: the clock stops, and the
//!   last material supplied resumes it, moving the promised date by the
//!   working days suspended.
//! - **Statutory and promised limits** (法定时限 / 承诺时限): the promised
//!   limit is the hall's and never longer than the statutory one (the
//!   catalogue refuses it); extensions are requested before the deadline
//!   ([`ServiceRequestError::ExtensionTooLate`]), for at least one working
//!   day, and the promised limit with every approved extension may not
//!   exceed the statutory limit
//!   ([`ServiceRequestError::ExtensionBeyondStatutoryLimit`]).
//! - **Forwarding** goes to the item's handling body unless another
//!   department is named; never to one that already returned the request
//!   ([`ServiceRequestError::ReturnedBefore`]).
//! - **Reviews** (好差评, 国办发〔2019〕51号): five levels, [`Review`]. A bad
//!   review (dissatisfied or very dissatisfied) opens rectification (整改),
//!   due after the hall's rectification limit
//!   ([`DEFAULT_RECTIFICATION_LIMIT`] unless
//!   [`ServiceRequest::with_rectification_limit`] says otherwise); the
//!   hall records what it did, then the follow-up call (回访), which closes
//!   the request. It cannot be closed before
//!   ([`ServiceRequestError::RectificationOpen`]); a supervisor may instead
//!   send it back for rework, after which it is delivered and rated again.
//!
//! # Deadlines
//!
//! The submission records the item's terms (mode, handling body, limit,
//! materials), so a later change to the catalogue does not change a running
//! request. On acceptance the promised date is
//! [`WorkingCalendar::deadline`](crate::calendar::WorkingCalendar::deadline)
//! of the item's limit in working days: counted from the day after
//! acceptance, it runs out at midnight (in the calendar's offset) after the
//! last working day. `decide` computes it and the `Accepted` event carries
//! it; `evolve` consults no calendar.
//!
//! A suspension records when it started; resuming records the pause in
//! working days — those after the day of suspension up to and including the
//! day of resumption (a pause within one day counts 0) — and the promised
//! date moved later by that many working days. An approved extension
//! records the new date likewise. So the promised date never moves earlier,
//! and moves by exactly the suspensions and approved extensions. Rework
//! after a bad review is held to the date in force.
//!
//! # Supervision on the ladder
//!
//! Acceptance starts the embedded ladder
//! (`LadderCommand::Start { location: the hall's area, need:
//! Need::Service(category), severity }`) and records its `Started` event
//! wrapped in [`ServiceRequestEvent::Ladder`], with the ladder's due date
//! set to the promised date; when the promised date moves, the rung's due
//! date moves with it. A `Tick` past the promised date ticks the ladder.
//! With a policy whose band keeps service requests at the hall's tier
//! ([`supervision_policy`]) the ladder does not climb: it sends the hall a
//! reminder, then a written notice. A policy with a higher ceiling lets an
//! overdue request escalate instead (`LadderEscalated`).
//!
//! # Diagram
//!
//! Drawn from the declared transition table by
//! [`mermaid`](crate::workflow::mermaid) (and kept in
//! `docs/service_request.mmd`; tests check both):
//!
//! ```mermaid
//! stateDiagram-v2
//!     [*] --> New
//!     New --> Submitted: Submitted
//!     Submitted --> SupplementRequested: SupplementRequested
//!     SupplementRequested --> Submitted: MaterialsSupplied
//!     Submitted --> Refused: Refused
//!     SupplementRequested --> Refused: Refused
//!     Submitted --> Accepted: Accepted, DeemedAccepted, AcceptedWithPending
//!     Accepted --> Accepted: Ladder.Started, Overdue, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued, Ladder.Rescheduled, PromiseLapsed, PendingSupplied, Ladder.Escalated
//!     Accepted --> InProcess: ProcessingStarted
//!     Accepted --> Forwarded: Forwarded
//!     Forwarded --> InProcess: SignedFor
//!     Forwarded --> Accepted: Returned
//!     InProcess --> Suspended: Suspended
//!     Suspended --> InProcess: Resumed
//!     InProcess --> ExtensionRequested: ExtensionRequested
//!     ExtensionRequested --> InProcess: ExtensionApproved, ExtensionRejected
//!     InProcess --> Completed: Completed
//!     ExtensionRequested --> Completed: Completed
//!     InProcess --> Denied: Denied
//!     ExtensionRequested --> Denied: Denied
//!     Completed --> Delivered: Delivered
//!     Denied --> Delivered: Delivered
//!     Delivered --> Rated: Rated
//!     Rated --> Rectifying: RectificationOpened
//!     Rectifying --> Rectifying: RectificationOverdue
//!     Rectifying --> FollowingUp: Rectified
//!     FollowingUp --> Closed: FollowedUp
//!     Rectifying --> InProcess: SentBackForRework
//!     Delivered --> Closed: Closed
//!     Rated --> Closed: Closed
//!     Submitted --> Withdrawn: Withdrawn
//!     SupplementRequested --> Withdrawn: Withdrawn
//!     Accepted --> Withdrawn: Withdrawn
//!     Forwarded --> Withdrawn: Withdrawn
//!     InProcess --> Withdrawn: Withdrawn
//!     Suspended --> Withdrawn: Withdrawn
//!     ExtensionRequested --> Withdrawn: Withdrawn
//!     Forwarded --> Forwarded: Overdue, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued, Ladder.Rescheduled, PromiseLapsed, PendingSupplied, Ladder.Escalated
//!     InProcess --> InProcess: Overdue, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued, Ladder.Rescheduled, PromiseLapsed, PendingSupplied, Ladder.Escalated
//!     ExtensionRequested --> ExtensionRequested: Overdue, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued, Ladder.Rescheduled, PromiseLapsed, PendingSupplied, Ladder.Escalated
//!     Suspended --> Suspended: PendingSupplied
//!     Refused --> [*]
//!     Closed --> [*]
//!     Withdrawn --> [*]
//! ```

mod catalogue;
mod command;
mod decide;
mod display;
mod error;
mod event;
mod note;
mod report;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sample;
mod state;
#[cfg(feature = "proptest")]
pub mod strategies;
mod table;

pub use catalogue::{
    AllowedValue, Attribute, AttributeCode, AttributeValue, Attributes, Catalogue, Datatype,
    Material, Materiality, Mode, Requirement, ServiceItem,
};
pub use command::{Review, ServiceRequestCommand, ServiceRequestCommandKind};
pub use decide::{
    DEFAULT_RECTIFICATION_LIMIT, SUPPLEMENT_NOTICE_LIMIT, ServiceRequest, supervision_policy,
};
pub use error::{CatalogueError, OrgUse, ServiceRequestError, ServiceStateError};
pub use event::{ServiceRequestEvent, ServiceRequestEventKind, Submission};
pub use note::{MAX_NOTE_LEN, Note, NoteError};
pub use report::{HallMetrics, RequestFacts};
pub use state::{
    Agency, Handling, Intake, IntakeMaterial, MaterialStatus, Outcome, Pending, PromiseStatus,
    Request, ServiceRequestState, ServiceRequestStateKind,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::mermaid;

    /// The Mermaid block of these module docs.
    fn documented_diagram() -> String {
        let source = include_str!("mod.rs");
        let mut lines = source
            .lines()
            .map(|l| l.strip_prefix("//!").unwrap_or(l))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .skip_while(|l| *l != "```mermaid")
            .skip(1);
        let mut out = String::new();
        for line in lines.by_ref() {
            if line == "```" {
                break;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    #[test]
    fn the_documented_diagram_is_the_transition_table() {
        assert_eq!(documented_diagram(), mermaid::<ServiceRequest>());
    }

    #[test]
    fn the_diagram_file_is_the_transition_table() {
        assert_eq!(
            include_str!("../../docs/service_request.mmd"),
            mermaid::<ServiceRequest>(),
            "regenerate docs/service_request.mmd from grassroots::workflow::mermaid::<ServiceRequest>()"
        );
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ServiceRequest>();
        assert_send_sync::<Catalogue>();
        assert_send_sync::<ServiceRequestState>();
        assert_send_sync::<ServiceRequestEvent>();
        assert_send_sync::<ServiceRequestCommand>();
        assert_send_sync::<ServiceRequestError>();
        assert_send_sync::<CatalogueError>();
        assert_send_sync::<HallMetrics>();
    }

    #[cfg(feature = "sim")]
    #[test]
    fn the_sample_is_well_formed() {
        let service = sample::huanan_city_service();
        let catalogue = service.catalogue();
        assert_eq!(catalogue.len(), 18);
        assert!(service.ladder().graph().validate().is_ok());
        let json = serde_json::to_string(catalogue).unwrap();
        let back: Catalogue = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, catalogue);
    }
}
