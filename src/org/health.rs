//! Health checks a district office runs over the graph: a report, not an
//! error.

use std::collections::VecDeque;
use std::fmt;

use chrono::NaiveDate;
use petgraph::Direction::{Incoming, Outgoing};
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, NodeIndexable};
use serde::{Deserialize, Serialize};

use crate::id::OrgId;
use crate::tier::Tier;

use super::OrgGraph;
use super::kind::{KindClass, OrgKind};
use super::relation::Relation;

/// One of the parts of the "1 + 1 + N" model (1+1+N 共建模式) an estate
/// should have: one estate party organisation, the community grid, and N
/// other forces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstatePart {
    /// A party organisation that [`Leads`](Relation::Leads) the estate.
    PartyOrganisation,
    /// A grid that is [`PartOf`](Relation::PartOf) the estate.
    Grid,
    /// At least one other force: a body (a property management company, an
    /// owners' committee, a volunteer team, a merchants' council, ...) that
    /// serves, pairs or coordinates with the estate on the day.
    OtherForce,
}

impl fmt::Display for EstatePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EstatePart::PartyOrganisation => "party organisation",
            EstatePart::Grid => "grid",
            EstatePart::OtherForce => "other force",
        })
    }
}

/// One thing a health check found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Finding {
    /// An estate-tier body (housing estate, industrial park, commercial
    /// district or urban village) is missing parts of the "1 + 1 + N" model.
    EstateIncomplete {
        /// The estate.
        estate: OrgId,
        /// Its kind.
        kind: OrgKind,
        /// The parts it lacks, in [`EstatePart`] order.
        missing: Vec<EstatePart>,
    },
    /// No body able to mediate any kind of dispute is reachable from the
    /// community (itself or a body serving it; a pairing is no route).
    NoMediation {
        /// The community.
        community: OrgId,
    },
    /// A territorial body below the top tier of the graph has no parent.
    Orphan {
        /// The body.
        org: OrgId,
        /// Its tier.
        tier: Tier,
    },
    /// A body (not a person) with no link at all in force on the day.
    Isolated {
        /// The body.
        org: OrgId,
    },
    /// A body (not a person) with links, none of which connects it, through
    /// other bodies, to any territorial body.
    Detached {
        /// The body.
        org: OrgId,
    },
}

impl Finding {
    fn rank(&self) -> (u8, &OrgId) {
        match self {
            Finding::EstateIncomplete { estate, .. } => (0, estate),
            Finding::NoMediation { community } => (1, community),
            Finding::Orphan { org, .. } => (2, org),
            Finding::Isolated { org } => (3, org),
            Finding::Detached { org } => (4, org),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::EstateIncomplete {
                estate,
                kind,
                missing,
            } => {
                write!(f, "{kind} {estate} lacks ")?;
                for (i, part) in missing.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{part}")?;
                }
                Ok(())
            }
            Finding::NoMediation { community } => {
                write!(f, "community {community} has no mediation within reach")
            }
            Finding::Orphan { org, tier } => write!(f, "{tier} {org} has no parent"),
            Finding::Isolated { org } => write!(f, "{org} has no link"),
            Finding::Detached { org } => {
                write!(f, "{org} has no link to the territorial hierarchy")
            }
        }
    }
}

/// What [`OrgGraph::health`] found on a day. Its `Display` is a short text a
/// district office can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    /// The day the links were read for.
    pub date: NaiveDate,
    /// What was found, grouped by kind of finding and sorted by id.
    pub findings: Vec<Finding>,
}

impl HealthReport {
    /// Whether nothing was found.
    pub fn is_healthy(&self) -> bool {
        self.findings.is_empty()
    }
}

impl fmt::Display for HealthReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "organisation graph on {}: ", self.date)?;
        match self.findings.len() {
            0 => return f.write_str("no findings"),
            1 => f.write_str("1 finding")?,
            n => write!(f, "{n} findings")?,
        }
        for finding in &self.findings {
            write!(f, "\n- {finding}")?;
        }
        Ok(())
    }
}

impl OrgGraph {
    /// Runs the health checks for `date`:
    ///
    /// - estate-tier bodies missing parts of the "1 + 1 + N" model (a
    ///   leading party organisation, a grid, at least one other force);
    /// - communities (and other areas at the community tier, such as a
    ///   commercial district) with no mediation reachable (itself or
    ///   serving, as [`route`](OrgGraph::route) would look: a pairing is no
    ///   route);
    /// - territorial bodies below the graph's top tier with no parent;
    /// - bodies (not persons) with no link in force, and bodies whose links
    ///   do not connect them to any territorial body.
    ///
    /// Runs in time linear in the size of the graph.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::id::OrgId;
    /// use grassroots::org::{EstatePart, Finding, Org, OrgGraph, OrgKind};
    ///
    /// let mut graph = OrgGraph::new();
    /// let estate = OrgId::new("mancheng")?;
    /// graph.try_add_org(Org::new(estate.clone(), "Mancheng estate", OrgKind::HousingEstate))?;
    /// let report = graph.health(NaiveDate::from_ymd_opt(2025, 1, 6).unwrap());
    /// assert_eq!(
    ///     report.findings,
    ///     [
    ///         Finding::EstateIncomplete {
    ///             estate: estate.clone(),
    ///             kind: OrgKind::HousingEstate,
    ///             missing: vec![EstatePart::PartyOrganisation, EstatePart::Grid, EstatePart::OtherForce],
    ///         },
    ///         Finding::Isolated { org: estate },
    ///     ]
    /// );
    /// assert!(report.to_string().ends_with("- mancheng has no link"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn health(&self, date: NaiveDate) -> HealthReport {
        let top = self.hot.iter().filter_map(|h| h.tier).max();
        let attached = self.attached(date);
        let mut findings = Vec::new();
        for n in self.graph.node_indices() {
            let node = &self.graph[n];
            let class = node.org.kind.class();
            if class == KindClass::Person {
                continue;
            }
            let has_link = self
                .graph
                .edges_directed(n, Outgoing)
                .chain(self.graph.edges_directed(n, Incoming))
                .any(|e| e.weight().is_in_force(date));
            if !has_link {
                findings.push(Finding::Isolated {
                    org: node.org.id.clone(),
                });
            } else if !attached[n.index()] {
                findings.push(Finding::Detached {
                    org: node.org.id.clone(),
                });
            }
            let hot = &self.hot[n.index()];
            let Some(tier) = hot.tier else { continue };
            if has_link && hot.parent.is_none() && top.is_some_and(|top| tier < top) {
                findings.push(Finding::Orphan {
                    org: node.org.id.clone(),
                    tier,
                });
            }
            match tier {
                Tier::Estate => {
                    let missing = self.missing_estate_parts(n, date);
                    if !missing.is_empty() {
                        findings.push(Finding::EstateIncomplete {
                            estate: node.org.id.clone(),
                            kind: node.org.kind.clone(),
                            missing,
                        });
                    }
                }
                Tier::Community
                    if self
                        .find_handler(n, super::route::Wanted::ANY_MEDIATION, date)
                        .is_none() =>
                {
                    findings.push(Finding::NoMediation {
                        community: node.org.id.clone(),
                    });
                }
                _ => {}
            }
        }
        findings.sort_by(|x, y| x.rank().cmp(&y.rank()));
        HealthReport { date, findings }
    }

    fn missing_estate_parts(&self, n: NodeIndex, date: NaiveDate) -> Vec<EstatePart> {
        let (mut party, mut grid, mut force) = (false, false, false);
        for (e, other) in self
            .graph
            .edges_directed(n, Incoming)
            .map(|e| (e, e.source()))
            .chain(
                self.graph
                    .edges_directed(n, Outgoing)
                    .map(|e| (e, e.target())),
            )
        {
            let tier = self.hot[other.index()].tier;
            let other = &self.graph[other];
            match e.weight() {
                Relation::Leads => party = true,
                Relation::PartOf => grid |= tier == Some(Tier::Grid),
                r @ (Relation::Serves(_) | Relation::PairedWith(_) | Relation::Coordinates(..)) => {
                    force |= r.is_in_force(date) && other.org.kind.class() == KindClass::Body;
                }
                Relation::MemberOf(_) => {}
            }
        }
        [
            (party, EstatePart::PartyOrganisation),
            (grid, EstatePart::Grid),
            (force, EstatePart::OtherForce),
        ]
        .into_iter()
        .filter(|(present, _)| !present)
        .map(|(_, part)| part)
        .collect()
    }

    /// Which nodes a chain of links in force, through bodies (not persons),
    /// connects to a territorial body, indexed by node index.
    fn attached(&self, date: NaiveDate) -> Vec<bool> {
        let mut seen = vec![false; self.graph.node_bound()];
        let mut queue: VecDeque<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&n| self.hot[n.index()].tier.is_some())
            .collect();
        for &n in &queue {
            seen[n.index()] = true;
        }
        while let Some(n) = queue.pop_front() {
            let out = self
                .graph
                .edges_directed(n, Outgoing)
                .map(|e| (e, e.target()));
            let inc = self
                .graph
                .edges_directed(n, Incoming)
                .map(|e| (e, e.source()));
            for (e, m) in out.chain(inc) {
                if !seen[m.index()]
                    && e.weight().is_in_force(date)
                    && self.graph[m].org.kind.class() != KindClass::Person
                {
                    seen[m.index()] = true;
                    queue.push_back(m);
                }
            }
        }
        seen
    }
}
