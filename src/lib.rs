//! **grassroots** — governance-workflow primitives for software that serves
//! grassroots governance: people's mediation of disputes, government service
//! halls, hotline and grid case handling, and the web of organisations
//! behind them.
//!
//! Every workflow is a *decider* on one small kernel: `decide` holds every
//! rule and returns the events to record (or a typed refusal naming who,
//! what and why); `evolve` only applies those facts. A [`Case`] records all
//! events of a command or none, and replays its history into an equal case.
//! Time and actor are always passed in; the library never reads a clock.
//!
//! # Example
//!
//! A workflow of your own, driven, refused and replayed (the full version is
//! `examples/quickstart.rs`):
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use grassroots::{Actor, Case, Context, Decision, Forbidden, HasKind, Role, Transition, Workflow};
//!
//! struct Visit;
//!
//! #[derive(Debug, Clone, PartialEq, HasKind)]
//! enum State { Planned, Done }
//! #[derive(Debug, HasKind)]
//! struct Record;
//! #[derive(Debug, Clone, PartialEq, HasKind)]
//! struct Visited;
//!
//! impl Workflow for Visit {
//!     const NAME: &'static str = "visit";
//!     type State = State;
//!     type Command = Record;
//!     type Event = Visited;
//!     type Rejection = Forbidden;
//!     fn initial() -> State { State::Planned }
//!     fn decide(&self, _: &State, _: &Record, ctx: &Context<'_>) -> Result<Decision<Visited>, Forbidden> {
//!         ctx.actor().require("record a visit", Role::GridWorker)?;
//!         Ok(Visited.into())
//!     }
//!     fn evolve(_: State, _: &Visited) -> State { State::Done }
//!     fn is_terminal(s: &State) -> bool { *s == State::Done }
//!     fn transitions() -> &'static [Transition<StateKind, VisitedKind>] {
//!         const T: &[Transition<StateKind, VisitedKind>] =
//!             &[Transition::new(StateKind::Planned, VisitedKind::Visited, StateKind::Done)];
//!         T
//!     }
//! }
//!
//! let at = Utc.with_ymd_and_hms(2026, 4, 1, 2, 0, 0).unwrap();
//! let stranger = Actor::new("stranger".parse()?);
//! let grid_worker = Actor::new("gw-3".parse()?).with_role(Role::GridWorker);
//! let mut case = Case::<Visit>::new("visit-1".parse()?);
//!
//! let refused = case.handle(&Visit, &Record, &Context::new(at, &stranger)).unwrap_err();
//! assert_eq!(
//!     refused.to_string(),
//!     "actor stranger may not record a visit: it needs the role grid worker"
//! );
//! assert_eq!(case.version(), 0); // a refusal changes nothing
//!
//! case.handle(&Visit, &Record, &Context::new(at, &grid_worker))?;
//! let replayed = Case::<Visit>::replay(case.id().clone(), case.history().to_vec())?;
//! assert_eq!(replayed, case);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The map
//!
//! | module | what it holds |
//! |---|---|
//! | [`id`] | newtype identifiers, validated on construction and deserialisation |
//! | [`metrics`] | [`GovernanceMetrics`](metrics::GovernanceMetrics): the three rates (response, resolution, satisfaction), on-time rate, overdue counts, the share resolved within the ceiling and median time per tier — per workflow, tier, kind and organisation — folded from histories |
//! | `load` (feature `sim`) | a seeded load generator: a city's year of disputes, service requests and work orders (`load::CityYear`, 20 million cases by default) played through the real workflows on worker threads and folded into metrics |
//! | [`tier`] | [`Tier`] (grid → municipal) and [`Severity`] |
//! | [`actor`] | [`Actor`], [`Role`] and the permission check workflows call |
//! | [`calendar`] | [`WorkingCalendar`] (weekends, public holidays, make-up working days) and [`TimeLimit`]: working-day deadlines |
//! | [`matter`] | [`DisputeKind`] and [`ServiceCategory`]: the kinds of matter cases are about |
//! | [`vocabulary`] | [`Name`](vocabulary::Name): a city's own roles, kinds of body, dispute kinds, service categories and case types, beside the report's |
//! | [`workflow`] | the kernel: [`Workflow`], [`Case`], [`Context`], replay, transition tables, Mermaid and DOT diagrams |
//! | [`org`] | [`OrgGraph`]: who is linked to whom (hierarchy, party leadership, pairings, memberships, the six joint mechanisms), routing each need to the body that handles it, health checks, Mermaid and DOT, a seeded city generator |
//! | [`escalation`] | [`EscalationPolicy`](escalation::EscalationPolicy) and the [`Ladder`](escalation::Ladder): tiers, ceilings, time limits, supervision, reports |
//! | [`dispute`] | [`Dispute`]: people's mediation from report to follow-up visit, with the ladder inside |
//! | [`service`] | [`ServiceRequest`]: the service hall's catalogue and the request lifecycle with promised working-day dates |
//! | [`work_order`] | [`WorkOrder`]: the 12345 work order — intake from any channel, dispatch, sign-for, returns, joint handling, reply, callback, redo and supervision |
//! | [`open311`] | GeoReport v2 views of the catalogue and of service requests and work orders, and [`Endpoint`](open311::server::Endpoint): the five GeoReport calls served over a journal, without an HTTP library |
//! | [`journal`] | event stores: the `EventStore` trait, `MemoryStore`, `SqliteStore` (feature `sqlite`), `PostgresStore` (feature `postgres`); optimistic concurrency, idempotent retries, hash-chained tamper evidence, upcasters |
//! | [`testing`] | given/when/then scenarios, an invariant checker, guided generation, coverage and bounded exploration for users' tests |
//! | [`error`] | [`Error`], one type wrapping every module's errors |
//!
//! # Crate features
//!
//! - `proptest` — exports proptest strategies that draw command sequences
//!   for property tests: `testing::strategies` for any workflow,
//!   `dispute::strategies`, `service::strategies` and
//!   `work_order::strategies` for the crate's own.
//! - `sqlite` — an event store on an embedded SQLite file (bundled SQLite):
//!   one writer connection and a pool of readers (`r2d2`).
//! - `postgres` — an event store on a PostgreSQL server, with a connection
//!   pool (`r2d2`).
//! - `postgres-tls` — TLS for the PostgreSQL store: rustls (the `ring`
//!   provider) with the Mozilla roots; the connection string's `sslmode`
//!   decides when it is used.
//! - `sim` — simulation and sample data: the city-year load generator
//!   (`load`), seeded city graphs (`org::generate`), the sample service
//!   hall (`service::sample`) and the sample 12345 centre
//!   (`work_order::sample`). It brings in `rand`, `rand_pcg` and `itoa`,
//!   which the default build does not have.
//! - `tokio` — the journal in async form: `AsyncEventStore`, the async
//!   SQLite store (with `sqlite`), the pooled async PostgreSQL store on
//!   `tokio-postgres` and `deadpool-postgres` (with `postgres`),
//!   `AsyncJournal`, `AsyncSweeper`, `AsyncRunner`. Brings in `tokio`,
//!   which the default build does not have.
//!
//! None is on by default.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets `#[derive(HasKind)]` name `::grassroots` inside the crate too.
extern crate self as grassroots;

pub mod actor;
pub mod calendar;
pub mod dispute;
pub mod error;
pub mod escalation;
pub mod i18n;
pub mod id;
pub mod journal;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod load;
pub mod matter;
pub mod metrics;
pub mod open311;
pub mod org;
pub mod service;
pub mod testing;
pub mod tier;
pub mod vocabulary;
pub mod work_order;
pub mod workflow;

pub use actor::{Actor, Forbidden, Role};
pub use calendar::{TimeLimit, WorkingCalendar};
pub use dispute::{Dispute, DisputeCommand, DisputeError, DisputeEvent, DisputeState};
pub use error::{AnyRejection, Error};
pub use id::{ActorId, CaseId, IdError, OrgId};
pub use matter::{DisputeKind, ServiceCategory};
pub use org::{Capability, Need, Org, OrgGraph, OrgGraphError, OrgKind, Relation, Route};
pub use service::{
    Catalogue, ServiceRequest, ServiceRequestCommand, ServiceRequestError, ServiceRequestEvent,
    ServiceRequestState,
};
pub use tier::{Severity, Tier};
pub use work_order::{WorkOrder, WorkOrderCommand, WorkOrderError, WorkOrderEvent, WorkOrderState};
pub use workflow::{
    Case, CaseError, Context, Decision, HasKind, Kind, Recorded, ReplayError, Transition, Workflow,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// Not public API: what `#[derive(HasKind)]` expands to names.
#[doc(hidden)]
pub mod __private {
    pub use serde;

    /// Deserialises a kind from its name.
    pub fn deserialize_kind<'de, K, D>(deserializer: D) -> Result<K, D::Error>
    where
        K: crate::workflow::Kind,
        D: serde::Deserializer<'de>,
    {
        let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        K::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(crate::workflow::UnknownKind::new(&name)))
    }
}
