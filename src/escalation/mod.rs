//! Escalation tiers: the policy, the ladder and supervision.
//!
//! "Small matters stay in the park, big matters stay in the community"
//! (小事不出园区,大事不出社区) is an [`EscalationPolicy`]: for each severity
//! the tier where handling starts, the *ceiling* it should not pass, and a
//! time limit per tier. The [`Ladder`] is a typed state machine on the
//! kernel that moves a matter only upward, routes every step through the
//! [`OrgGraph`](crate::org::OrgGraph) and records who handles it at the new
//! tier in the event; it passes the ceiling only with an override by an
//! officer of the higher tier, with a written reason; at the top it is
//! exhausted and must be referred out.
//!
//! Timers are commands: a `Tick` escalates what waited past its tier's
//! limit and does nothing otherwise. At the ceiling an overdue matter goes
//! under supervision instead — a reminder, then a written notice.
//!
//! The dispute and service-request workflows embed the same ladder: their
//! event enums wrap [`LadderEvent`], their `decide` calls
//! [`Ladder::decide_embedded`], their `evolve` delegates to the ladder's.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::{TimeZone, Utc};
//! use grassroots::actor::{Actor, Role};
//! use grassroots::calendar::WorkingCalendar;
//! use grassroots::escalation::{EscalationReason, Ladder, LadderCommand, LadderError, LadderState, PolicyBook};
//! use grassroots::matter::DisputeKind;
//! use grassroots::org::{Capability, Need, Org, OrgGraph, OrgKind, Relation};
//! use grassroots::tier::{Severity, Tier};
//! use grassroots::workflow::{Case, Context};
//!
//! let mut graph = OrgGraph::new();
//! let mediate = Capability::Mediation(DisputeKind::Neighbour);
//! graph.try_add_org(Org::new("hehua".parse()?, "Hehua community", OrgKind::Community).with_capability(mediate))?;
//! graph.try_add_org(Org::new("mancheng".parse()?, "Mancheng estate", OrgKind::HousingEstate).with_capability(mediate))?;
//! graph.try_link(&"mancheng".parse()?, Relation::PartOf, &"hehua".parse()?)?;
//!
//! let ladder = Ladder::new(Arc::new(PolicyBook::default()), Arc::new(graph), Arc::new(WorkingCalendar::prc()));
//! let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
//! let worker = Actor::new("gw-1".parse()?).with_role(Role::GridWorker);
//! let estate_officer = Actor::new("wang".parse()?).with_role(Role::Officer(Tier::Estate));
//!
//! let mut case = Case::<Ladder>::new("noise-1".parse()?);
//! let start = LadderCommand::Start {
//!     location: "mancheng".parse()?,
//!     need: Need::Mediation(DisputeKind::Neighbour),
//!     severity: Severity::Minor,
//!     due: None,
//! };
//! case.handle(&ladder, &start, &Context::new(at, &worker))?;
//! assert_eq!(case.state().tier(), Some(Tier::Estate)); // no grid here: starts at the estate
//!
//! // A minor matter's ceiling is the estate: it may not go up without an override.
//! let escalate = LadderCommand::Escalate { reason: EscalationReason::HandlingFailed };
//! let refused = case.handle(&ladder, &escalate, &Context::new(at, &estate_officer)).unwrap_err();
//! assert!(matches!(refused.rejection(), Some(LadderError::CeilingReached { .. })));
//! assert!(matches!(case.state(), LadderState::Handling(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The ladder's states and transitions:
//!
//! ```text
//! Idle --Started--> Handling --Escalated / SeverityRaised / Supervision*--> Handling
//! Handling --Resolved--> Resolved            Handling --Exhausted--> Exhausted
//! Exhausted --Resolved--> Resolved           Exhausted --ReferredOut--> ReferredOut
//! ```

mod ladder;
mod policy;
mod report;

pub use ladder::{
    Escalated, EscalationReason, Ladder, LadderCommand, LadderCommandKind, LadderError,
    LadderEvent, LadderEventKind, LadderState, LadderStateError, LadderStateKind, Override,
    Referral, Rung, SeverityCause, Started, Supervision,
};
pub use policy::{Band, EscalationPolicy, KindBand, PolicyBook, PolicyError, PolicyRef};
pub use report::{LadderEvents, LadderSummary, MatterReport, Outcome};
