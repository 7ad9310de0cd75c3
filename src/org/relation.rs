//! Relations: the edges of the graph, and the dates they are in force.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::id::OrgId;

/// The days on which a link is in force: from `from` (inclusive) until
/// `until` (inclusive), or open-ended when `until` is `None`.
///
/// The graph refuses a link whose `until` is before its `from`
/// ([`OrgGraphError::EmptyValidity`](super::OrgGraphError::EmptyValidity)).
///
/// ```
/// use chrono::NaiveDate;
/// use grassroots::org::Validity;
///
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let pairing = Validity::since(d(2023, 3, 1)).ending(d(2025, 2, 28));
/// assert!(pairing.is_in_force(d(2024, 6, 1)));
/// assert!(pairing.is_in_force(d(2025, 2, 28)));
/// assert!(!pairing.is_in_force(d(2025, 3, 1)));
/// assert!(!pairing.is_in_force(d(2023, 2, 28)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Validity {
    /// The first day in force.
    pub from: NaiveDate,
    /// The last day in force, or `None` while it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl Validity {
    /// In force from `from` on, with no end yet.
    pub const fn since(from: NaiveDate) -> Self {
        Validity { from, until: None }
    }

    /// The same validity, ending on `until` (the last day in force).
    #[must_use]
    pub const fn ending(self, until: NaiveDate) -> Self {
        Validity {
            from: self.from,
            until: Some(until),
        }
    }

    /// Whether the link is in force on `date`.
    pub fn is_in_force(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|until| date <= until)
    }

    /// Whether no day at all is in force (`until` before `from`).
    pub fn is_empty(&self) -> bool {
        self.until.is_some_and(|until| until < self.from)
    }
}

impl fmt::Display for Validity {
    /// `2024-01-01..` or `2024-01-01..=2025-12-31`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.until {
            Some(until) => write!(f, "{}..={}", self.from, until),
            None => write!(f, "{}..", self.from),
        }
    }
}

/// One of the six joint mechanisms (六联) by which bodies coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// Joint mediation (联调).
    JointMediation,
    /// Joint defence (联防).
    JointDefence,
    /// Joint action (联动).
    JointAction,
    /// Joint governance (联治).
    JointGovernance,
    /// Joint creation (联创).
    JointCreation,
    /// Joint oversight (联抓).
    JointOversight,
}

impl Mechanism {
    /// Every mechanism, in declaration order.
    pub const ALL: [Mechanism; 6] = [
        Mechanism::JointMediation,
        Mechanism::JointDefence,
        Mechanism::JointAction,
        Mechanism::JointGovernance,
        Mechanism::JointCreation,
        Mechanism::JointOversight,
    ];

    /// The snake_case name, as used in serde and [`Display`](fmt::Display).
    pub const fn as_str(self) -> &'static str {
        match self {
            Mechanism::JointMediation => "joint_mediation",
            Mechanism::JointDefence => "joint_defence",
            Mechanism::JointAction => "joint_action",
            Mechanism::JointGovernance => "joint_governance",
            Mechanism::JointCreation => "joint_creation",
            Mechanism::JointOversight => "joint_oversight",
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one organisation is linked to another: the weight of an edge
/// `from → to`.
///
/// | relation | from | to | dated | direction |
/// |---|---|---|---|---|
/// | `PartOf` | territorial, lower tier | territorial, strictly higher tier | no | one parent per body |
/// | `Leads` | party committee or branch | any body but a person | no | |
/// | `Serves` | a body (not territorial, not a person) | territorial area | yes | |
/// | `PairedWith` | a body or area (not a person) | a body or area (not a person) | yes | symmetric |
/// | `MemberOf` | anyone | any body but a person | yes | |
/// | `Coordinates` | a body or area (not a person) | a body or area (not a person) | yes | symmetric |
///
/// Symmetric relations are stored once and queried both ways: `a` paired
/// with `b` is the same link as `b` paired with `a`.
///
/// In JSON a relation is flattened into its [`Link`]:
/// `{"from": "a", "to": "b", "relation": "paired_with", "validity": {"from": "2024-01-01"}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "RelationRepr", into = "RelationRepr")]
pub enum Relation {
    /// Administrative containment (an estate is part of a community).
    PartOf,
    /// Party-building leadership (an estate party branch leads the estate).
    Leads,
    /// A body serves an area (a mediation committee serves a community).
    Serves(Validity),
    /// Co-construction pairing (结对共建) between two bodies.
    PairedWith(Validity),
    /// A person, enterprise or merchant belongs to a body.
    MemberOf(Validity),
    /// Two bodies coordinate through one of the six joint mechanisms.
    Coordinates(Mechanism, Validity),
}

/// The kind of a [`Relation`], without its dates or mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// [`Relation::PartOf`].
    PartOf,
    /// [`Relation::Leads`].
    Leads,
    /// [`Relation::Serves`].
    Serves,
    /// [`Relation::PairedWith`].
    PairedWith,
    /// [`Relation::MemberOf`].
    MemberOf,
    /// [`Relation::Coordinates`].
    Coordinates,
}

impl RelationKind {
    /// The snake_case name, as used in serde and [`Display`](fmt::Display).
    pub const fn as_str(self) -> &'static str {
        match self {
            RelationKind::PartOf => "part_of",
            RelationKind::Leads => "leads",
            RelationKind::Serves => "serves",
            RelationKind::PairedWith => "paired_with",
            RelationKind::MemberOf => "member_of",
            RelationKind::Coordinates => "coordinates",
        }
    }

    /// Whether `a → b` and `b → a` are the same link.
    pub const fn is_symmetric(self) -> bool {
        matches!(self, RelationKind::PairedWith | RelationKind::Coordinates)
    }
}

impl fmt::Display for RelationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Relation {
    /// The relation's kind.
    pub const fn kind(&self) -> RelationKind {
        match self {
            Relation::PartOf => RelationKind::PartOf,
            Relation::Leads => RelationKind::Leads,
            Relation::Serves(_) => RelationKind::Serves,
            Relation::PairedWith(_) => RelationKind::PairedWith,
            Relation::MemberOf(_) => RelationKind::MemberOf,
            Relation::Coordinates(..) => RelationKind::Coordinates,
        }
    }

    /// The days the link is in force, or `None` for the undated relations
    /// (`PartOf`, `Leads`), which are always in force.
    pub const fn validity(&self) -> Option<Validity> {
        match self {
            Relation::PartOf | Relation::Leads => None,
            Relation::Serves(v) | Relation::PairedWith(v) | Relation::MemberOf(v) => Some(*v),
            Relation::Coordinates(_, v) => Some(*v),
        }
    }

    /// Whether the link is in force on `date`.
    pub fn is_in_force(&self, date: NaiveDate) -> bool {
        self.validity().is_none_or(|v| v.is_in_force(date))
    }
}

impl fmt::Display for Relation {
    /// `part_of`, `serves 2024-01-01..`, `coordinates(joint_mediation) 2024-01-01..`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Relation::Coordinates(m, v) => write!(f, "coordinates({m}) {v}"),
            other => match other.validity() {
                Some(v) => write!(f, "{} {v}", other.kind()),
                None => f.write_str(other.kind().as_str()),
            },
        }
    }
}

/// The serde shape of a [`Relation`]: internally tagged by `"relation"`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "relation", rename_all = "snake_case")]
enum RelationRepr {
    PartOf,
    Leads,
    Serves {
        validity: Validity,
    },
    PairedWith {
        validity: Validity,
    },
    MemberOf {
        validity: Validity,
    },
    Coordinates {
        mechanism: Mechanism,
        validity: Validity,
    },
}

impl From<RelationRepr> for Relation {
    fn from(r: RelationRepr) -> Self {
        match r {
            RelationRepr::PartOf => Relation::PartOf,
            RelationRepr::Leads => Relation::Leads,
            RelationRepr::Serves { validity } => Relation::Serves(validity),
            RelationRepr::PairedWith { validity } => Relation::PairedWith(validity),
            RelationRepr::MemberOf { validity } => Relation::MemberOf(validity),
            RelationRepr::Coordinates {
                mechanism,
                validity,
            } => Relation::Coordinates(mechanism, validity),
        }
    }
}

impl From<Relation> for RelationRepr {
    fn from(r: Relation) -> Self {
        match r {
            Relation::PartOf => RelationRepr::PartOf,
            Relation::Leads => RelationRepr::Leads,
            Relation::Serves(validity) => RelationRepr::Serves { validity },
            Relation::PairedWith(validity) => RelationRepr::PairedWith { validity },
            Relation::MemberOf(validity) => RelationRepr::MemberOf { validity },
            Relation::Coordinates(mechanism, validity) => RelationRepr::Coordinates {
                mechanism,
                validity,
            },
        }
    }
}

/// Why a [`Relation::Serves`] link exists, recorded on the link.
///
/// A pairing (结对共建) is party building: it never decides who handles a
/// case. It may explain why a body serves an area — the Hehua commercial
/// mediation studio came from Pinghu's pairing with the legal-affairs party
/// branch of the municipal council for the promotion of international trade
/// — and the service link, not the pairing, is what routing reads.
///
/// In JSON: `{"pairing": ["ccpit-legal-branch", "pinghu-party"]}`, the ends
/// in id order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LinkOrigin {
    /// The [`PairedWith`](Relation::PairedWith) link between these two
    /// organisations, in force on the day the service link starts.
    Pairing([OrgId; 2]),
}

impl LinkOrigin {
    /// The pairing of `a` and `b` (in either order).
    pub fn pairing(a: OrgId, b: OrgId) -> Self {
        if b < a {
            LinkOrigin::Pairing([b, a])
        } else {
            LinkOrigin::Pairing([a, b])
        }
    }

    /// The same origin with its ends in id order.
    pub(crate) fn canonical(self) -> Self {
        match self {
            LinkOrigin::Pairing([a, b]) => LinkOrigin::pairing(a, b),
        }
    }
}

impl fmt::Display for LinkOrigin {
    /// `pairing of a and b`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkOrigin::Pairing([a, b]) => write!(f, "pairing of {a} and {b}"),
        }
    }
}

/// One link of the graph: `from` is related to `to` by `relation`, and for
/// a service link, optionally, why it exists.
///
/// In JSON: `{"from": "estate-1", "to": "community-1", "relation": "part_of"}`;
/// a service link with its origin:
/// `{"from": "studio", "to": "huanan-city", "relation": "serves", "validity": {"from": "2023-06-01"}, "origin": {"pairing": ["ccpit-legal-branch", "pinghu-party"]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Link {
    /// The source of the link (the part, the leader, the server, the member).
    pub from: OrgId,
    /// The target of the link (the whole, the led, the served, the body).
    pub to: OrgId,
    /// How they are related, and on which days.
    #[serde(flatten)]
    pub relation: Relation,
    /// Why a service link exists, if recorded; never set on other links
    /// (the graph refuses it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<LinkOrigin>,
}

impl Link {
    /// The link `from → to` by `relation`, with no origin recorded.
    pub fn new(from: OrgId, relation: Relation, to: OrgId) -> Self {
        Link {
            from,
            to,
            relation,
            origin: None,
        }
    }

    /// The same link, recording `origin` as why it exists. Only a
    /// [`Relation::Serves`] link takes one; add it with
    /// [`OrgGraph::try_add_link`](super::OrgGraph::try_add_link).
    #[must_use]
    pub fn originating_in(mut self, origin: LinkOrigin) -> Self {
        self.origin = Some(origin.canonical());
        self
    }

    /// The same link with its ends in a canonical order (smaller id first)
    /// when the relation is symmetric, so equal links compare equal.
    pub(crate) fn canonical(mut self) -> Self {
        if self.relation.kind().is_symmetric() && self.to < self.from {
            std::mem::swap(&mut self.from, &mut self.to);
        }
        self
    }
}

impl fmt::Display for Link {
    /// `a -[serves 2024-01-01..]-> b`, with `(from the pairing of x and y)`
    /// after a recorded origin.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -[{}]-> {}", self.from, self.relation, self.to)?;
        match &self.origin {
            Some(origin) => write!(f, " (from the {origin})"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn validity_is_inclusive_at_both_ends() {
        let v = Validity::since(d(2024, 1, 1)).ending(d(2024, 1, 1));
        assert!(v.is_in_force(d(2024, 1, 1)));
        assert!(!v.is_in_force(d(2024, 1, 2)));
        assert!(!v.is_empty());
        assert!(
            Validity::since(d(2024, 1, 2))
                .ending(d(2024, 1, 1))
                .is_empty()
        );
        assert!(Relation::PartOf.is_in_force(d(1900, 1, 1)));
    }

    #[test]
    fn links_serialise_flat_with_a_relation_tag() {
        let link = Link::new(
            OrgId::new("a").unwrap(),
            Relation::Coordinates(Mechanism::JointMediation, Validity::since(d(2024, 1, 1))),
            OrgId::new("b").unwrap(),
        );
        let json = serde_json::to_string(&link).unwrap();
        assert_eq!(
            json,
            r#"{"from":"a","to":"b","relation":"coordinates","mechanism":"joint_mediation","validity":{"from":"2024-01-01"}}"#
        );
        assert_eq!(serde_json::from_str::<Link>(&json).unwrap(), link);
        let part = Link::new(
            OrgId::new("a").unwrap(),
            Relation::PartOf,
            OrgId::new("b").unwrap(),
        );
        let json = serde_json::to_string(&part).unwrap();
        assert_eq!(json, r#"{"from":"a","to":"b","relation":"part_of"}"#);
        assert_eq!(serde_json::from_str::<Link>(&json).unwrap(), part);
    }

    #[test]
    fn links_missing_their_dates_are_refused() {
        let json = r#"{"from":"a","to":"b","relation":"paired_with"}"#;
        assert!(serde_json::from_str::<Link>(json).is_err());
        let json = r#"{"from":"a","to":"b","relation":"friends_with"}"#;
        assert!(serde_json::from_str::<Link>(json).is_err());
    }

    #[test]
    fn symmetric_links_have_one_canonical_form() {
        let a = OrgId::new("a").unwrap();
        let b = OrgId::new("b").unwrap();
        let v = Validity::since(d(2024, 1, 1));
        assert_eq!(
            Link::new(b.clone(), Relation::PairedWith(v), a.clone()).canonical(),
            Link::new(a.clone(), Relation::PairedWith(v), b.clone())
        );
        assert_eq!(
            Link::new(b.clone(), Relation::Serves(v), a.clone())
                .canonical()
                .from,
            b
        );
    }
}
