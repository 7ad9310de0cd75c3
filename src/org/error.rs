//! [`OrgGraphError`]: why the graph refused an insert or could not answer.

use std::fmt;

use crate::id::{ActorId, OrgId};
use crate::tier::Tier;

use chrono::NaiveDate;

use super::kind::{Capability, MediationOrganisation, Need, OrgKind};
use super::relation::{Relation, RelationKind, Validity};

/// Which end of a link an organisation is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkEnd {
    /// The source (`from`).
    From,
    /// The target (`to`).
    To,
}

impl fmt::Display for LinkEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkEnd::From => "source",
            LinkEnd::To => "target",
        })
    }
}

/// An entry of [`OrgGraphData`](super::OrgGraphData) that could not be
/// inserted: its index in its list and the ids it names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataEntry {
    /// An entry of the `orgs` list.
    Org {
        /// Its index in the list, from 0.
        index: usize,
        /// Its id.
        id: OrgId,
    },
    /// An entry of the `relations` list.
    Relation {
        /// Its index in the list, from 0.
        index: usize,
        /// Its source.
        from: OrgId,
        /// Its target.
        to: OrgId,
    },
}

impl fmt::Display for DataEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataEntry::Org { index, id } => write!(f, "orgs[{index}] ({id})"),
            DataEntry::Relation { index, from, to } => {
                write!(f, "relations[{index}] ({from} -> {to})")
            }
        }
    }
}

/// Why the organisation graph refused an insert or could not answer a query.
///
/// A refused insert leaves the graph unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OrgGraphError {
    /// An organisation with this id is already in the graph.
    #[error("organisation {id} is already in the graph")]
    DuplicateOrg {
        /// The id offered twice.
        id: OrgId,
    },
    /// Another person node already stands for this actor.
    #[error("actor {actor} is already in the graph as {existing}")]
    DuplicateActor {
        /// The actor offered twice.
        actor: ActorId,
        /// The person node that already stands for the actor.
        existing: OrgId,
    },
    /// No organisation with this id is in the graph.
    #[error("no organisation {id} in the graph")]
    UnknownOrg {
        /// The id that names nothing.
        id: OrgId,
    },
    /// A link from an organisation to itself.
    #[error("{id} cannot be linked to itself by {relation}")]
    SelfLink {
        /// The organisation.
        id: OrgId,
        /// The relation offered.
        relation: RelationKind,
    },
    /// This kind of organisation cannot be at this end of this relation
    /// (for example, only a party organisation leads, only a territorial
    /// body is part of another).
    #[error("{org} ({kind}) cannot be the {end} of a {relation} link")]
    KindNotAllowed {
        /// The organisation.
        org: OrgId,
        /// Its kind.
        kind: OrgKind,
        /// The relation offered.
        relation: RelationKind,
        /// Which end of the link it was offered at.
        end: LinkEnd,
    },
    /// The validity ends before it starts.
    #[error("the {relation} link {from} -> {to} ends before it starts ({validity})")]
    EmptyValidity {
        /// The source of the link.
        from: OrgId,
        /// The target of the link.
        to: OrgId,
        /// The relation offered.
        relation: RelationKind,
        /// The empty validity.
        validity: Validity,
    },
    /// The same link (same ends, relation and dates; either direction for a
    /// symmetric relation) is already in the graph.
    #[error("the link {from} -> {to} ({relation}) is already in the graph")]
    DuplicateLink {
        /// The source of the link.
        from: OrgId,
        /// The target of the link.
        to: OrgId,
        /// The relation offered.
        relation: Relation,
    },
    /// The link would close a cycle through `PartOf` or `Leads` links.
    #[error("a {relation} link would close the cycle {}", CycleDisplay(cycle))]
    Cycle {
        /// The relation offered.
        relation: RelationKind,
        /// The organisations on the cycle in link order, starting with the
        /// new link's source then its target; the last one links back to
        /// the first.
        cycle: Vec<OrgId>,
    },
    /// `PartOf` must point from a lower tier to a strictly higher one.
    #[error(
        "{from} ({from_tier}) cannot be part of {to} ({to_tier}): part-of must point to a higher tier"
    )]
    PartOfNotUpward {
        /// The would-be part.
        from: OrgId,
        /// Its tier.
        from_tier: Tier,
        /// The would-be whole.
        to: OrgId,
        /// Its tier, not above `from_tier`.
        to_tier: Tier,
    },
    /// A territorial body has one administrative parent.
    #[error("{org} is already part of {parent}, so it cannot be part of {refused}")]
    SecondParent {
        /// The territorial body.
        org: OrgId,
        /// Its parent.
        parent: OrgId,
        /// The second parent refused.
        refused: OrgId,
    },
    /// The organisation is not territorial, so it is no location to route
    /// from.
    #[error("{org} ({kind}) is not territorial, so it has no tier to route from")]
    NotTerritorial {
        /// The organisation.
        org: OrgId,
        /// Its kind.
        kind: OrgKind,
    },
    /// The location has no territorial body at that tier above it (or is
    /// itself above that tier).
    #[error("{location} has no ancestor at the {tier} tier")]
    NoAncestorAt {
        /// The location.
        location: OrgId,
        /// The tier asked for.
        tier: Tier,
    },
    /// No body handles the need for the location at that tier on that date.
    #[error("no body handles {need} for {location} at the {tier} tier")]
    NoHandler {
        /// The location.
        location: OrgId,
        /// The tier asked for.
        tier: Tier,
        /// The need.
        need: Need,
    },
    /// A mediation capability on a body that is not a mediation
    /// organisation (a mediation academy, a merchants' council, a party
    /// branch, ...): only mediation organisations mediate, and an area only
    /// through the committee established there (PML arts. 8 and 34).
    #[error("{org} ({kind}) is not a mediation organisation, so it cannot have {capability}")]
    NotAMediationOrganisation {
        /// The body.
        org: OrgId,
        /// Its kind.
        kind: OrgKind,
        /// The mediation capability refused.
        capability: Capability,
    },
    /// A body declared a kind of mediation organisation its kind cannot be
    /// (see [`OrgKind::may_be`]).
    #[error("{org} ({kind}) cannot be a {organisation} mediation organisation")]
    MediationOrganisationNotAllowed {
        /// The body.
        org: OrgId,
        /// Its kind.
        kind: OrgKind,
        /// The declaration refused.
        organisation: MediationOrganisation,
    },
    /// Labour dispute mediation on a mediation organisation LDMAL art. 10
    /// does not name (an industry or professional one, a commercial one).
    #[error(
        "{org} is a {organisation} mediation organisation, which LDMAL art. 10 does not name for labour disputes"
    )]
    NotALabourMediationOrganisation {
        /// The body.
        org: OrgId,
        /// The kind of mediation organisation it is.
        organisation: MediationOrganisation,
    },
    /// An origin on a link that is not a [`Relation::Serves`] link.
    #[error("the {relation} link {from} -> {to} cannot record an origin: only a serves link does")]
    OriginNotAllowed {
        /// The source of the link.
        from: OrgId,
        /// The target of the link.
        to: OrgId,
        /// The relation offered.
        relation: RelationKind,
    },
    /// A service link names as its origin a pairing that is not in the
    /// graph on the day the link starts.
    #[error(
        "the serves link {from} -> {to} names the pairing of {a} and {b} as its origin, but they are not paired on {date}"
    )]
    UnknownPairing {
        /// The source of the service link.
        from: OrgId,
        /// The area it serves.
        to: OrgId,
        /// One end of the pairing named.
        a: OrgId,
        /// The other end.
        b: OrgId,
        /// The first day of the service link.
        date: NaiveDate,
    },
    /// An entry of serialised graph data was refused.
    #[error("{entry}: {source}")]
    InvalidEntry {
        /// The entry, by its index and ids.
        entry: DataEntry,
        /// Why it was refused.
        source: Box<OrgGraphError>,
    },
}

struct CycleDisplay<'a>(&'a [OrgId]);

impl fmt::Display for CycleDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for id in self.0 {
            write!(f, "{id} -> ")?;
        }
        match self.0.first() {
            Some(first) => write!(f, "{first}"),
            None => Ok(()),
        }
    }
}
