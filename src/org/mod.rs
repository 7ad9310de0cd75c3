//! The organisation graph: who is part of what, who leads, serves, pairs
//! with and coordinates with whom — and so which body handles a case.
//!
//! An [`OrgGraph`] holds [`Org`]s (a district, a community, an estate, a
//! party branch, a mediation committee, an enterprise, a person, ...) linked
//! by [`Relation`]s:
//!
//! - [`Relation::PartOf`] — administrative containment, grid → estate →
//!   community → subdistrict → district → municipality;
//! - [`Relation::Leads`] — party-building leadership;
//! - [`Relation::Serves`] — a body serves an area; the link may record its
//!   [`LinkOrigin`] (the pairing that brought the body in);
//! - [`Relation::PairedWith`] — co-construction pairing (symmetric): party
//!   building, never a route;
//! - [`Relation::MemberOf`] — a person, enterprise or merchant belongs to a
//!   body;
//! - [`Relation::Coordinates`] — one of the six joint [`Mechanism`]s
//!   (symmetric).
//!
//! The last four carry a [`Validity`], so "who was linked on that day" has
//! an answer.
//!
//! # Rules, enforced at insert time
//!
//! [`OrgGraph::try_add_org`] and [`OrgGraph::try_link`] refuse, with an
//! [`OrgGraphError`] naming the offending ids, and leave the graph unchanged:
//!
//! - a duplicate organisation id, or two person nodes for one actor;
//! - a link naming an organisation not in the graph, a link from an
//!   organisation to itself, or the same link twice;
//! - a kind at an end of a link it cannot take part in (only territorial
//!   bodies are part of others; only party organisations lead; only bodies
//!   serve, and only areas are served; persons only join);
//! - a validity ending before it starts;
//! - a mediation capability on a body that is not a mediation organisation
//!   (a mediation academy, a merchants' council, a party branch, ...), and
//!   labour dispute mediation on one LDMAL art. 10 does not name (see
//!   [`MediationOrganisation`]);
//! - an origin on a link other than a service link, or naming a pairing not
//!   in the graph on the link's first day;
//! - a cycle through `PartOf` or `Leads` links (the error lists the cycle);
//! - a `PartOf` link not pointing to a strictly higher tier, or giving a
//!   territorial body a second parent.
//!
//! Deserialising goes through the same inserts, so no [`OrgGraph`] value
//! breaks these rules. Every check costs O(1) or O(depth): the parent
//! chain for `PartOf`, the (short) chains of leadership for `Leads`, the
//! links of one node for duplicates.
//!
//! # Queries
//!
//! - [`OrgGraph::ancestors`], [`OrgGraph::ancestor_at`],
//!   [`OrgGraph::parent`];
//! - [`OrgGraph::route`]: the body that handles a [`Need`] for a location at
//!   a tier — the area itself, else a body serving it; never a body only
//!   paired with it — with the [`RouteReason`];
//!   [`OrgGraph::mediation_organisation`]: which kind of mediation
//!   organisation a handler is (a commercial one's agreements are
//!   contracts, with no judicial confirmation under PML art. 33);
//!   [`OrgGraph::escalation_path`]: who handles it at each tier above;
//! - [`OrgGraph::members_of`], [`OrgGraph::orgs_of_actor`] (a mediator's
//!   conflict of interest), [`OrgGraph::partners`],
//!   [`OrgGraph::paired_with`], [`OrgGraph::links_on`];
//! - [`OrgGraph::health`]: the checks a district office runs (the
//!   "1 + 1 + N" estates, communities without mediation, bodies cut off);
//! - [`OrgGraph::to_mermaid`], [`OrgGraph::to_dot`], serde as
//!   [`OrgGraphData`]; `generate::city` (feature `sim`) for test and
//!   benchmark cities.
//!
//! # Example
//!
//! Hehua community gained a commercial mediation studio through Pinghu's
//! pairing with a legal-affairs party branch. The pairing does not route
//! cases; the studio's service link does, and records the pairing as its
//! origin:
//!
//! ```
//! use chrono::NaiveDate;
//! use grassroots::id::OrgId;
//! use grassroots::matter::DisputeKind;
//! use grassroots::org::{
//!     Capability, Link, LinkOrigin, MediationOrganisation, Need, Org, OrgGraph, OrgGraphError,
//!     OrgKind, Relation, RouteReason, Validity,
//! };
//! use grassroots::tier::Tier;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let id = |s: &str| OrgId::new(s);
//! let mut graph = OrgGraph::new();
//! graph.try_add_org(Org::new(id("pinghu")?, "Pinghu subdistrict", OrgKind::Subdistrict))?;
//! graph.try_add_org(Org::new(id("pinghu-party")?, "Pinghu party working committee", OrgKind::PartyCommittee))?;
//! graph.try_add_org(Org::new(id("ccpit-branch")?, "CCPIT legal-affairs party branch", OrgKind::PartyBranch))?;
//! graph.try_add_org(Org::new(id("hehua")?, "Hehua community", OrgKind::Community))?;
//! graph.try_add_org(Org::new(id("mancheng")?, "Mancheng estate", OrgKind::HousingEstate))?;
//! graph.try_add_org(
//!     Org::new(id("hehua-med")?, "Hehua mediation committee", OrgKind::MediationCommittee)
//!         .with_capability(Capability::Mediation(DisputeKind::Neighbour)),
//! )?;
//! graph.try_add_org(
//!     Org::new(id("studio")?, "Commercial mediation studio", OrgKind::CommercialMediationStudio)
//!         .with_capability(Capability::Mediation(DisputeKind::Commercial)),
//! )?;
//!
//! let since = Validity::since(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
//! let paired = Validity::since(NaiveDate::from_ymd_opt(2023, 6, 1).unwrap());
//! graph.try_link(&id("hehua")?, Relation::PartOf, &id("pinghu")?)?;
//! graph.try_link(&id("mancheng")?, Relation::PartOf, &id("hehua")?)?;
//! graph.try_link(&id("pinghu-party")?, Relation::Leads, &id("pinghu")?)?;
//! graph.try_link(&id("hehua-med")?, Relation::Serves(since), &id("hehua")?)?;
//! graph.try_link(&id("pinghu-party")?, Relation::PairedWith(paired), &id("ccpit-branch")?)?;
//! graph.try_add_link(
//!     Link::new(id("studio")?, Relation::Serves(paired), id("hehua")?)
//!         .originating_in(LinkOrigin::pairing(id("pinghu-party")?, id("ccpit-branch")?)),
//! )?;
//!
//! // A part-of link pointing down is refused, and changes nothing.
//! assert!(matches!(
//!     graph.try_link(&id("pinghu")?, Relation::PartOf, &id("mancheng")?),
//!     Err(OrgGraphError::Cycle { .. } | OrgGraphError::PartOfNotUpward { .. })
//! ));
//! // A merchants' council is not a mediation organisation.
//! assert!(matches!(
//!     graph.try_add_org(
//!         Org::new(id("council")?, "Merchants' council", OrgKind::MerchantsCouncil)
//!             .with_capability(Capability::Mediation(DisputeKind::Commercial)),
//!     ),
//!     Err(OrgGraphError::NotAMediationOrganisation { .. })
//! ));
//!
//! let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
//! let neighbours = Need::Mediation(DisputeKind::Neighbour);
//! let route = graph.route(&id("mancheng")?, Tier::Community, &neighbours, day)?;
//! assert_eq!(route.handler, id("hehua-med")?);
//! assert_eq!(route.reason, RouteReason::Serves { area: id("hehua")? });
//!
//! let commercial = Need::Mediation(DisputeKind::Commercial);
//! let route = graph.route(&id("mancheng")?, Tier::Community, &commercial, day)?;
//! assert_eq!(route.handler, id("studio")?);
//! // Its agreements are contracts: no judicial confirmation (PML art. 33).
//! let studio = graph.mediation_organisation(&route.handler);
//! assert_eq!(studio, Some(MediationOrganisation::Commercial));
//! assert!(!MediationOrganisation::Commercial.agreement_may_be_judicially_confirmed());
//!
//! // Before the service link, nobody in Hehua handled commercial disputes.
//! let before = NaiveDate::from_ymd_opt(2023, 5, 31).unwrap();
//! assert!(matches!(
//!     graph.route(&id("mancheng")?, Tier::Community, &commercial, before),
//!     Err(OrgGraphError::NoHandler { .. })
//! ));
//!
//! // The graph round-trips through JSON, through the same checks.
//! let json = serde_json::to_string(&graph)?;
//! let back: OrgGraph = serde_json::from_str(&json)?;
//! assert_eq!(back, graph);
//! # Ok(())
//! # }
//! ```

mod error;
mod export;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod generate;
mod graph;
mod health;
mod kind;
mod relation;
mod route;
mod table;

pub use error::{DataEntry, LinkEnd, OrgGraphError};
pub use export::OrgGraphData;
pub use graph::{Ancestors, OrgGraph};
pub use health::{EstatePart, Finding, HealthReport};
pub use kind::{Capability, KindClass, MediationOrganisation, Need, Org, OrgKind};
pub use relation::{Link, LinkOrigin, Mechanism, Relation, RelationKind, Validity};
pub use route::{Route, RouteReason};
