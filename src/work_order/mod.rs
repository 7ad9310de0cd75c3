//! Work orders: a resident's or an enterprise's request (诉求) as the 12345
//! hotline handles it — received from any channel, dispatched to the body
//! that must handle it, signed for, returned or handled jointly, replied
//! to, called back, redone when the reply fell short, and supervised when
//! overdue.
//!
//! This is the loop Open311 GeoReport v2 was made for (a pothole, a noise
//! complaint), and the one a subdistrict's IT team builds first.
//! [`WorkOrder`] is the workflow of one dispatch centre on the
//! [kernel](crate::workflow): the centre, its [`Terms`] and
//! [`WorkingHours`], and the escalation [`Ladder`](crate::escalation::Ladder)
//! it embeds for supervision (督办), whose organisation graph routes
//! matters and whose working calendar counts deadlines.
//!
//! - [`open311`](crate::open311::work_order_request) shows work orders as
//!   GeoReport requests, lossless in the extension field;
//! - [`WorkOrderMetrics`](crate::metrics::WorkOrderMetrics) folds histories
//!   into the usual indicators;
//! - `sample` (feature `sim`) holds a small Huanan City configuration;
//! - `strategies` (feature `proptest`) draws command sequences and offers a
//!   [`Guide`](crate::testing::Guide) for the testing kit.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "sim")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chrono::{TimeZone, Utc};
//! use grassroots::work_order::{
//!     sample, Channel, Finding, GeoFields, Lead, Satisfaction, WorkOrderCommand as C,
//!     WorkOrderError, WorkOrderState,
//! };
//! use grassroots::workflow::{Case, Context};
//!
//! let orders = sample::huanan_work_orders();
//! let dispatcher = sample::dispatcher();
//! let resident = sample::requester("res-0042");
//! // Monday 2 March 2026, 10:00 in Shenzhen.
//! let at = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
//! let ctx = |actor| Context::new(at, actor);
//!
//! let mut case = Case::<grassroots::work_order::WorkOrder>::new("12345-0001".parse()?);
//! let receive = C::Receive {
//!     channel: Channel::Hotline,
//!     requester: resident.id().clone(),
//!     matter: sample::NOISE,
//!     location: sample::HUANAN_CITY.parse()?,
//!     description: "a workshop runs its presses at night".parse()?,
//!     geo: GeoFields::default(),
//! };
//! case.handle(&orders, &receive, &ctx(&dispatcher))?;
//!
//! // A body that cannot handle noise is refused, and nothing changes.
//! let market = C::Dispatch {
//!     lead: Lead::Chosen { body: sample::MARKET.parse()?, reason: "near the market".parse()? },
//!     assisting: vec![],
//! };
//! let refused = case.handle(&orders, &market, &ctx(&dispatcher)).unwrap_err();
//! assert!(matches!(refused.rejection(), Some(WorkOrderError::CannotHandle { .. })));
//! assert_eq!(case.version(), 1);
//!
//! // Routed through the graph to Pinghu's environment office.
//! case.handle(&orders, &C::Dispatch { lead: Lead::Routed, assisting: vec![] }, &ctx(&dispatcher))?;
//! let officer = sample::member(sample::ENVIRONMENT);
//! case.handle(&orders, &C::SignFor, &ctx(&officer))?;
//! case.handle(&orders, &C::Reply { reply: "presses stopped at 22:00".parse()? }, &ctx(&officer))?;
//! let callback = C::Callback {
//!     satisfaction: Satisfaction::Satisfied,
//!     finding: Finding::ReplyAdequate,
//!     note: None,
//! };
//! case.handle(&orders, &callback, &ctx(&dispatcher))?;
//! case.handle(&orders, &C::Close, &ctx(&dispatcher))?;
//! assert!(matches!(case.state(), WorkOrderState::Closed { .. }));
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "sim"))]
//! # fn main() {}
//! ```
//!
//! # The lifecycle
//!
//! Received (from the hotline or the app at the dispatch centre; from a
//! grid worker, a secretary face-to-face or the merchants' council at the
//! body they act for) → at a body other than the centre, that body takes it
//! on itself or hands it over with a record (first-contact responsibility,
//! 首问负责) → dispatched to a lead body, routed through the graph or chosen
//! by the dispatcher with a reason, with assisting bodies for joint handling
//! → signed for within the sign-for limit in working hours, or returned
//! (退单) with a reason, after which the dispatcher re-dispatches it or
//! upholds the dispatch → in hand, with extensions a supervisor approves →
//! replied → called back (回访) → redone (重办) when the requester is
//! dissatisfied and the reply was wanting, or closed. A dispatcher may
//! dismiss a request that is no matter for government while it is with the
//! centre; the requester may withdraw until the reply.
//!
//! # The state × command table
//!
//! What each state accepts and the events it records. Every other command
//! is refused with [`WorkOrderError::NotApplicable`], but for the refusals
//! named below; a terminal state refuses every command through the kernel
//! ([`CaseError::Terminal`](crate::workflow::CaseError::Terminal)).
//! `tests/work_order.rs` asserts every cell.
//!
//! | state | accepts → records | `Tick` |
//! |---|---|---|
//! | `New` | `Receive` → `Received` | nothing |
//! | `Received` | `TakeOn` → `TakenOn`, `Ladder.Started`; `HandOver` → `HandedOver`; `Withdraw` → `Withdrawn`; `Dismiss` is refused with [`WorkOrderError::FirstContactCannotRefuse`] | nothing |
//! | `AwaitingDispatch` | `Dispatch` → `Dispatched`; `Dismiss` → `Dismissed`; `Withdraw` → `Withdrawn` | nothing |
//! | `Dispatched` | `SignFor` → `SignedFor`, `Ladder.Started`; `Return` → `Returned`; `Withdraw` → `Withdrawn` | `SignForOverdue` once |
//! | `ReturnPending` | `Dispatch` → `Dispatched`; `UpholdDispatch` → `DispatchUpheld`; `Dismiss` → `Dismissed`; `Withdraw` → `Withdrawn` | nothing |
//! | `InHand` | `Assist` → `Assisted`; `RequestExtension` → `ExtensionRequested`; `Reply` → `Replied`; `Withdraw` → `Withdrawn` | overdue, supervision |
//! | `ExtensionRequested` | `ApproveExtension` → `ExtensionApproved`, `Ladder.Rescheduled`; `RejectExtension` → `ExtensionRejected`; `Assist` → `Assisted`; `Reply` → `Replied`; `Withdraw` → `Withdrawn` | overdue, supervision |
//! | `Replied` | `Callback` → `CalledBack` | nothing |
//! | `CalledBack` | `Redo` → `RedoOrdered`, `Ladder.Rescheduled`; `Close` → `Closed` | nothing |
//! | `Closed`, `Dismissed`, `Withdrawn` | terminal | terminal |
//!
//! A `Callback` in any state before the reply is refused with
//! [`WorkOrderError::CallbackBeforeReply`]. "Overdue, supervision": a `Tick`
//! at or after the handling deadline records `Overdue { deadline }` once
//! per deadline and ticks the embedded ladder, which reminds, issues a
//! written notice or escalates as its policy says.
//!
//! # Who may send each command
//!
//! | command | sender |
//! |---|---|
//! | `Receive` | hotline: a [`DISPATCHER`] acting for the centre; app: the requester, a [`Party`](crate::actor::Role::Party); grid worker: a [`GridWorker`](crate::actor::Role::GridWorker); secretary face-to-face: an [`Officer`](crate::actor::Role::Officer); merchants' council: a [`COUNCIL_LIAISON`] — each acting for the body that receives it first |
//! | `TakeOn`, `HandOver` | a member of the first receiving body |
//! | `Dispatch`, `Dismiss`, `UpholdDispatch`, `Callback`, `Redo`, `Close` | a [`DISPATCHER`] acting for the order's centre |
//! | `SignFor`, `Return`, `RequestExtension`, `Reply` | a member of the lead body |
//! | `Assist` | a member of an assisting body |
//! | `ApproveExtension`, `RejectExtension` | a [`Supervisor`](crate::actor::Role::Supervisor) |
//! | `Withdraw` | the requester |
//! | `Tick` | the [`System`](crate::actor::Role::System) |
//!
//! A member of a body holds one of [`MEMBER_ROLES`] and acts for it. A
//! missing role is [`WorkOrderError::Forbidden`]; the right role acting for
//! another body is [`WorkOrderError::NotActingFor`] (a sign-for by another
//! body, say).
//!
//! # Rules
//!
//! - **Routing.** `Lead::Routed` takes the lowest tier's body the graph
//!   routes the matter to for the order's location
//!   ([`WorkOrderError::NoRoute`] if none); a chosen body must be in the
//!   graph and able to handle the matter ([`WorkOrderError::CannotHandle`]),
//!   as must a first receiving body that takes a request on. Assisting
//!   bodies are in the graph, named once, and not the lead
//!   ([`WorkOrderError::BodyRepeated`]). A dispatch the ladder could not
//!   supervise once signed for — its policy has no handling body for the
//!   matter at the order's location — is refused with the ladder's reason
//!   ([`WorkOrderError::Ladder`]; see [`WorkOrder::try_new`]).
//! - **First-contact responsibility** (首问负责). A request received by a
//!   body other than the centre stays with that body until it takes it on
//!   or hands it over with a record; it cannot be dismissed there
//!   ([`WorkOrderError::FirstContactCannotRefuse`]).
//! - **Returns** (退单) carry a [`ReturnReason`] — a ground and a note, so
//!   there is no return without a reason — and a body cannot return an
//!   order twice on the same ground ([`WorkOrderError::ReturnedBefore`]).
//!   After a return the dispatcher re-dispatches to another body, or
//!   upholds the dispatch with a reason; a re-dispatch to the body that
//!   returned it is refused ([`WorkOrderError::RedispatchToReturner`]).
//! - **Joint handling.** The lead replies once every assisting body has
//!   reported its part ([`WorkOrderError::AssistancePending`]).
//! - **Callback and redo.** A callback comes after the reply; a redo needs a
//!   dissatisfied requester and a wanting reply
//!   ([`WorkOrderError::RedoNotWarranted`]), and such a callback stops the
//!   order from closing until it has been redone [`Terms::max_redos`] times
//!   ([`WorkOrderError::RedoRequired`]).
//! - **Extensions** are asked for before the deadline, for 1 to the
//!   handling limit's working days, and approved by a supervisor.
//!
//! # Deadlines
//!
//! Dispatch (and an upheld dispatch) records the sign-for deadline:
//! [`Terms::sign_for_hours`] working hours ([`WorkingHours`] on the
//! calendar's working days). Sign-for (or taking on) records the handling
//! deadline, [`Terms::handling_days`] working days later; a redo records
//! one [`Terms::redo_days`] later; an approved extension moves it by its
//! working days. `decide` computes each; `evolve` consults no calendar.
//!
//! # Supervision on the ladder
//!
//! Sign-for starts the embedded ladder (`LadderCommand::Start { location:
//! the order's location, need: its matter, due: the handling deadline }`)
//! and records its `Started` event wrapped in [`WorkOrderEvent::Ladder`];
//! when the deadline moves, the rung's due date moves with it. A `Tick`
//! past the deadline ticks the ladder. With a policy that keeps the matter
//! at one tier ([`supervision_policy`](crate::service::supervision_policy))
//! the ladder reminds, then issues a written notice.
//!
//! # Diagram
//!
//! Drawn from the declared transition table by
//! [`mermaid`](crate::workflow::mermaid) (and kept in
//! `docs/work_order.mmd`; tests check both):
//!
//! ```mermaid
//! stateDiagram-v2
//!     [*] --> New
//!     New --> Received: Received
//!     New --> AwaitingDispatch: Received
//!     Received --> InHand: TakenOn
//!     Received --> AwaitingDispatch: HandedOver
//!     AwaitingDispatch --> Dispatched: Dispatched
//!     AwaitingDispatch --> Dismissed: Dismissed
//!     Dispatched --> Dispatched: SignForOverdue
//!     Dispatched --> InHand: SignedFor
//!     Dispatched --> ReturnPending: Returned
//!     ReturnPending --> Dispatched: Dispatched, DispatchUpheld
//!     ReturnPending --> Dismissed: Dismissed
//!     InHand --> InHand: Ladder.Started, Assisted, Overdue, Ladder.Rescheduled, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued, Ladder.Escalated
//!     ExtensionRequested --> ExtensionRequested: Assisted, Overdue, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued, Ladder.Escalated
//!     InHand --> ExtensionRequested: ExtensionRequested
//!     ExtensionRequested --> InHand: ExtensionApproved, ExtensionRejected
//!     InHand --> Replied: Replied
//!     ExtensionRequested --> Replied: Replied
//!     Replied --> CalledBack: CalledBack
//!     CalledBack --> InHand: RedoOrdered
//!     CalledBack --> Closed: Closed
//!     Received --> Withdrawn: Withdrawn
//!     AwaitingDispatch --> Withdrawn: Withdrawn
//!     Dispatched --> Withdrawn: Withdrawn
//!     ReturnPending --> Withdrawn: Withdrawn
//!     InHand --> Withdrawn: Withdrawn
//!     ExtensionRequested --> Withdrawn: Withdrawn
//!     Dismissed --> [*]
//!     Closed --> [*]
//!     Withdrawn --> [*]
//! ```

mod command;
mod decide;
mod error;
mod event;
mod geo;
mod hours;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sample;
mod state;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub mod strategies;
mod table;

pub use command::{
    Channel, Finding, Lead, ReturnGround, ReturnReason, Satisfaction, WorkOrderCommand,
    WorkOrderCommandKind,
};
pub use decide::{COUNCIL_LIAISON, DISPATCHER, MEMBER_ROLES, Terms, WorkOrder};
pub use error::{GeoError, WorkOrderConfigError, WorkOrderError, WorkOrderStateError};
pub use event::{Assignment, Basis, Intake, WorkOrderEvent, WorkOrderEventKind};
pub use geo::{GeoFields, GeoPoint, MAX_URL_LEN, MediaUrl};
pub use hours::WorkingHours;
pub use state::{
    CallbackRecord, Handling, Handover, Order, Pending, ReplyRecord, ReturnRecord, WorkOrderState,
    WorkOrderStateKind,
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
        assert_eq!(documented_diagram(), mermaid::<WorkOrder>());
    }

    #[test]
    fn the_diagram_file_is_the_transition_table() {
        assert_eq!(
            include_str!("../../docs/work_order.mmd"),
            mermaid::<WorkOrder>(),
            "regenerate docs/work_order.mmd from grassroots::workflow::mermaid::<WorkOrder>()"
        );
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<WorkOrder>();
        assert_send_sync::<WorkOrderState>();
        assert_send_sync::<WorkOrderEvent>();
        assert_send_sync::<WorkOrderCommand>();
        assert_send_sync::<WorkOrderError>();
    }
}
