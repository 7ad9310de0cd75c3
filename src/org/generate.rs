//! A seeded generator of city-sized organisation graphs, for tests and
//! benchmarks.
//!
//! The same [`CityScale`] and seed always give the same graph (the random
//! stream is `rand_pcg::Pcg64Mcg`, portable and reproducible).
//!
//! ```
//! use grassroots::org::generate::{city, CityScale};
//!
//! let graph = city(&CityScale::small(), 7);
//! assert_eq!(graph, city(&CityScale::small(), 7));
//! assert!(graph.validate().is_ok());
//! ```
//!
//! What a generated city holds, with the default scale's counts:
//!
//! - one municipality, 10 districts, 80 subdistricts, 800 communities,
//!   25,000 estate-tier bodies (about 78% housing estates, 10% industrial
//!   parks, 4% commercial districts, 8% urban villages) and 100,000 grids,
//!   each part of the one above;
//! - a party committee leading every district, subdistrict and community
//!   (each led by the committee above), and a party branch leading about 90%
//!   of the estates (led by the community's committee);
//! - an administrative service centre (all service categories) and a
//!   mediation committee (all dispute kinds) serving every district and
//!   subdistrict; a mediation committee serving about 98% of communities
//!   (neighbour, property-management and other disputes always, labour and
//!   consumer disputes mostly, commercial ones rarely), plus a comprehensive
//!   governance centre and, for half of them, a party–public service centre;
//! - one commercial mediation studio per ten communities, paired with a
//!   community and coordinating joint mediation with its committee;
//! - property management companies, owners' committees and volunteer teams
//!   serving housing estates, merchants' councils serving parks and
//!   commercial districts;
//! - 300,000 enterprises, members of merchants' councils, and 510,000
//!   persons, members of owners' committees, volunteer teams, enterprises
//!   and mediation committees — about a million organisations in all.

use chrono::{Days, NaiveDate};
use petgraph::stable_graph::NodeIndex;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

use crate::id::{ActorId, OrgId};
use crate::matter::{DisputeKind, ServiceCategory};

use super::OrgGraph;
use super::kind::{Capability, Org, OrgKind};
use super::relation::{Mechanism, Relation, Validity};

/// How big a generated city is: how many bodies of each kind.
///
/// Build one from [`CityScale::default`] (a city of about a million
/// organisations) or [`CityScale::small`] (a few hundred, for tests) and
/// change the fields you care about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CityScale {
    /// Districts, part of the municipality.
    pub districts: usize,
    /// Subdistricts, spread evenly over the districts.
    pub subdistricts: usize,
    /// Communities, spread evenly over the subdistricts.
    pub communities: usize,
    /// Estate-tier bodies (housing estates, industrial parks, commercial
    /// districts, urban villages), spread evenly over the communities.
    pub estates: usize,
    /// Grids, spread evenly over the estates.
    pub grids: usize,
    /// Enterprises, each a member of a merchants' council.
    pub enterprises: usize,
    /// Persons, each a member of one or two bodies.
    pub persons: usize,
}

impl Default for CityScale {
    /// 10 districts, 80 subdistricts, 800 communities, 25,000 estates and
    /// parks, 100,000 grids, 300,000 enterprises and 510,000 persons: about
    /// a million organisations and a million links.
    fn default() -> Self {
        CityScale {
            districts: 10,
            subdistricts: 80,
            communities: 800,
            estates: 25_000,
            grids: 100_000,
            enterprises: 300_000,
            persons: 510_000,
        }
    }
}

impl CityScale {
    /// A small city for tests: 2 districts, 4 subdistricts, 12 communities,
    /// 60 estates, 180 grids, 150 enterprises and 300 persons.
    pub fn small() -> Self {
        CityScale {
            districts: 2,
            subdistricts: 4,
            communities: 12,
            estates: 60,
            grids: 180,
            enterprises: 150,
            persons: 300,
        }
    }
}

/// Reusable text buffers, so ids cost no allocation of their own.
struct Namer {
    buf: String,
}

impl Namer {
    fn id(&mut self, prefix: &str, i: usize) -> OrgId {
        self.buf.clear();
        self.buf.push_str(prefix);
        push_number(&mut self.buf, i);
        OrgId::new(&self.buf).expect("generated ids are valid")
    }

    fn actor(&mut self, i: usize) -> ActorId {
        self.buf.clear();
        self.buf.push('a');
        push_number(&mut self.buf, i);
        ActorId::new(&self.buf).expect("generated ids are valid")
    }
}

/// Appends `i` in decimal. `write!` goes through the formatting machinery,
/// which was a quarter of generating a city (two numbers per organisation).
fn push_number(buf: &mut String, i: usize) {
    buf.push_str(itoa::Buffer::new().format(i));
}

/// `before`, `i` in decimal and `after`, in a string of exactly that
/// length: `named("Estate ", 7, " party branch")` is `"Estate 7 party
/// branch"`.
fn named(before: &str, i: usize, after: &str) -> String {
    let mut digits = itoa::Buffer::new();
    let number = digits.format(i);
    let mut name = String::with_capacity(before.len() + number.len() + after.len());
    name.push_str(before);
    name.push_str(number);
    name.push_str(after);
    name
}

struct Builder {
    graph: OrgGraph,
    rng: Pcg64Mcg,
    names: Namer,
    /// The days a validity may start on: the five years from 2020,
    /// computed once (a date addition per link was 3 % of a city).
    days: Vec<NaiveDate>,
}

impl Builder {
    fn add(&mut self, org: Org) -> NodeIndex {
        self.graph
            .insert_org(org)
            .expect("generated ids are unique")
    }

    fn link(&mut self, a: NodeIndex, relation: Relation, b: NodeIndex) {
        self.graph
            .link_nodes(a, relation, b)
            .expect("generated links obey the rules");
    }

    /// A validity starting on a day in the five years from 2020.
    fn since(&mut self) -> Validity {
        let day = self.rng.random_range(0..5 * 365u64);
        Validity::since(self.days[day as usize])
    }

    fn body(&mut self, prefix: &str, i: usize, name: String, kind: OrgKind) -> NodeIndex {
        let id = self.names.id(prefix, i);
        self.add(Org::new(id, name, kind))
    }

    /// A body serving `area`, with capabilities.
    fn server(
        &mut self,
        prefix: &str,
        i: usize,
        name: String,
        kind: OrgKind,
        caps: impl IntoIterator<Item = Capability>,
        area: NodeIndex,
    ) -> NodeIndex {
        let id = self.names.id(prefix, i);
        let n = self.add(Org::new(id, name, kind).with_capabilities(caps));
        let v = self.since();
        self.link(n, Relation::Serves(v), area);
        n
    }

    /// A territorial body, part of `parent` if there is one.
    fn area(
        &mut self,
        prefix: &str,
        i: usize,
        name: String,
        kind: OrgKind,
        parent: Option<NodeIndex>,
    ) -> NodeIndex {
        let n = self.body(prefix, i, name, kind);
        if let Some(p) = parent {
            self.link(n, Relation::PartOf, p);
        }
        n
    }
}

/// The index of the parent of child `i` of `children` spread evenly over
/// `parents`.
fn spread(i: usize, children: usize, parents: &[NodeIndex]) -> Option<NodeIndex> {
    if parents.is_empty() {
        return None;
    }
    Some(parents[i * parents.len() / children.max(1)])
}

/// Generates a city of the given scale from a seed.
///
/// The same scale and seed always give an equal graph. Building the default
/// scale (about a million organisations) takes well under a second on a
/// laptop core; see the `org_graph` benchmark.
///
/// # Panics
///
/// Not for realistic scales: every generated id is unique and every
/// generated link obeys the insert rules (the tests check this for many
/// seeds). A scale whose counts overflow `usize` when added up, or that does
/// not fit in memory, panics or aborts.
pub fn city(scale: &CityScale, seed: u64) -> OrgGraph {
    let orgs_estimate = [
        4usize.saturating_mul(scale.districts.saturating_add(scale.subdistricts)),
        5usize.saturating_mul(scale.communities),
        4usize.saturating_mul(scale.estates),
        scale.grids,
        scale.enterprises,
        scale.persons,
    ]
    .into_iter()
    .fold(1usize, usize::saturating_add);
    let links_estimate = orgs_estimate.saturating_add(scale.persons / 2);
    let mut b = Builder {
        graph: OrgGraph::with_capacity(orgs_estimate, links_estimate),
        rng: Pcg64Mcg::seed_from_u64(seed),
        names: Namer {
            buf: String::with_capacity(32),
        },
        days: {
            let epoch = NaiveDate::from_ymd_opt(2020, 1, 1).expect("a valid date");
            (0..5 * 365).map(|d| epoch + Days::new(d)).collect()
        },
    };
    b.graph.reserve_actors(scale.persons);
    let all_services = || ServiceCategory::ALL.into_iter().map(Capability::Service);
    let all_mediation = || DisputeKind::ALL.into_iter().map(Capability::Mediation);

    let city = b.body("city", 0, "City".to_owned(), OrgKind::Municipality);

    // Districts, subdistricts and communities: each part of the one above,
    // led by a committee led by the committee above, served by a service
    // centre and a mediation committee.
    let mut districts = Vec::with_capacity(scale.districts);
    let mut district_committees = Vec::with_capacity(scale.districts);
    for i in 0..scale.districts {
        let d = b.area(
            "d",
            i,
            named("District ", i, ""),
            OrgKind::District,
            Some(city),
        );
        let pc = b.body(
            "pc-d",
            i,
            named("District ", i, " party committee"),
            OrgKind::PartyCommittee,
        );
        b.link(pc, Relation::Leads, d);
        b.server(
            "asc-d",
            i,
            named("District ", i, " administrative service centre"),
            OrgKind::AdministrativeServiceCentre,
            all_services().chain([Capability::Supervision]),
            d,
        );
        b.server(
            "med-d",
            i,
            named("District ", i, " people's mediation committee"),
            OrgKind::MediationCommittee,
            all_mediation().chain([Capability::LegalAid]),
            d,
        );
        districts.push(d);
        district_committees.push(pc);
    }

    let mut subdistricts = Vec::with_capacity(scale.subdistricts);
    let mut subdistrict_committees = Vec::with_capacity(scale.subdistricts);
    for i in 0..scale.subdistricts {
        let parent = spread(i, scale.subdistricts, &districts);
        let s = b.area(
            "s",
            i,
            named("Subdistrict ", i, ""),
            OrgKind::Subdistrict,
            parent,
        );
        let pc = b.body(
            "pc-s",
            i,
            named("Subdistrict ", i, " party committee"),
            OrgKind::PartyCommittee,
        );
        b.link(pc, Relation::Leads, s);
        if let Some(lead) = spread(i, scale.subdistricts, &district_committees) {
            b.link(lead, Relation::Leads, pc);
        }
        b.server(
            "asc-s",
            i,
            named("Subdistrict ", i, " administrative service centre"),
            OrgKind::AdministrativeServiceCentre,
            all_services(),
            s,
        );
        b.server(
            "med-s",
            i,
            named("Subdistrict ", i, " people's mediation committee"),
            OrgKind::MediationCommittee,
            all_mediation(),
            s,
        );
        subdistricts.push(s);
        subdistrict_committees.push(pc);
    }

    let mut communities = Vec::with_capacity(scale.communities);
    let mut community_committees = Vec::with_capacity(scale.communities);
    let mut mediation_committees = Vec::with_capacity(scale.communities);
    for i in 0..scale.communities {
        let parent = spread(i, scale.communities, &subdistricts);
        let c = b.area(
            "c",
            i,
            named("Community ", i, ""),
            OrgKind::Community,
            parent,
        );
        let pc = b.body(
            "pc-c",
            i,
            named("Community ", i, " party committee"),
            OrgKind::PartyCommittee,
        );
        b.link(pc, Relation::Leads, c);
        if let Some(lead) = spread(i, scale.communities, &subdistrict_committees) {
            b.link(lead, Relation::Leads, pc);
        }
        if b.rng.random_bool(0.98) {
            let mut caps = vec![
                Capability::Mediation(DisputeKind::Neighbour),
                Capability::Mediation(DisputeKind::PropertyManagement),
                Capability::Mediation(DisputeKind::Other),
            ];
            for (kind, p) in [
                (DisputeKind::Labour, 0.7),
                (DisputeKind::Consumer, 0.6),
                (DisputeKind::Commercial, 0.1),
            ] {
                if b.rng.random_bool(p) {
                    caps.push(Capability::Mediation(kind));
                }
            }
            let m = b.server(
                "med-c",
                i,
                named("Community ", i, " people's mediation committee"),
                OrgKind::MediationCommittee,
                caps,
                c,
            );
            mediation_committees.push(m);
        }
        b.server(
            "cgc-c",
            i,
            named("Community ", i, " comprehensive governance centre"),
            OrgKind::ComprehensiveGovernanceCentre,
            [Capability::EarlyWarning],
            c,
        );
        if b.rng.random_bool(0.5) {
            b.server(
                "ppsc-c",
                i,
                named("Community ", i, " party-public service centre"),
                OrgKind::PartyPublicServiceCentre,
                [Capability::LegalConsultation],
                c,
            );
        }
        communities.push(c);
        community_committees.push(pc);
    }

    // Commercial mediation studios, gained by communities through pairings:
    // the pairing is party building, so the studio serves the community
    // through a service link of its own.
    for k in 0..scale.communities / 10 {
        let id = b.names.id("cms", k);
        let studio = b.add(
            Org::new(
                id,
                named("Commercial mediation studio ", k, ""),
                OrgKind::CommercialMediationStudio,
            )
            .with_capability(Capability::Mediation(DisputeKind::Commercial)),
        );
        let c = b.rng.random_range(0..communities.len());
        let v = b.since();
        b.link(studio, Relation::Serves(v), communities[c]);
        if let Some(&m) = mediation_committees.get(c) {
            let v = b.since();
            b.link(
                studio,
                Relation::Coordinates(Mechanism::JointMediation, v),
                m,
            );
        }
    }

    // Estates and parks: the "1 + 1 + N" bodies.
    let mut estates = Vec::with_capacity(scale.estates);
    let mut councils = Vec::new();
    let mut owners = Vec::new();
    let mut volunteers = Vec::new();
    for i in 0..scale.estates {
        let roll = b.rng.random_range(0..100u32);
        let kind = match roll {
            0..78 => OrgKind::HousingEstate,
            78..88 => OrgKind::IndustrialPark,
            // Commercial complexes: a commercial district (商圈) is an area
            // at the community tier, not an estate.
            88..92 => OrgKind::IndustrialPark,
            _ => OrgKind::UrbanVillage,
        };
        let parent = spread(i, scale.estates, &communities);
        let e = b.area("e", i, named("Estate ", i, ""), kind.clone(), parent);
        if b.rng.random_bool(0.9) {
            let pb = b.body(
                "pb-e",
                i,
                named("Estate ", i, " party branch"),
                OrgKind::PartyBranch,
            );
            b.link(pb, Relation::Leads, e);
            if let Some(lead) = spread(i, scale.estates, &community_committees) {
                b.link(lead, Relation::Leads, pb);
            }
        }
        match kind {
            OrgKind::HousingEstate => {
                if b.rng.random_bool(0.9) {
                    b.server(
                        "pm-e",
                        i,
                        named("Estate ", i, " property management"),
                        OrgKind::PropertyManagementCompany,
                        [],
                        e,
                    );
                }
                if b.rng.random_bool(0.6) {
                    let o = b.server(
                        "oc-e",
                        i,
                        named("Estate ", i, " owners' committee"),
                        OrgKind::OwnersCommittee,
                        [],
                        e,
                    );
                    owners.push(o);
                }
                if b.rng.random_bool(0.25) {
                    let v = b.server(
                        "vt-e",
                        i,
                        named("Estate ", i, " volunteers"),
                        OrgKind::VolunteerTeam,
                        [],
                        e,
                    );
                    volunteers.push(v);
                }
            }
            OrgKind::UrbanVillage => {
                if b.rng.random_bool(0.5) {
                    let v = b.server(
                        "vt-e",
                        i,
                        named("Estate ", i, " volunteers"),
                        OrgKind::VolunteerTeam,
                        [],
                        e,
                    );
                    volunteers.push(v);
                }
            }
            _ => {
                let m = b.server(
                    "mer-e",
                    i,
                    named("Estate ", i, " merchants' council"),
                    OrgKind::MerchantsCouncil,
                    [],
                    e,
                );
                councils.push(m);
            }
        }
        estates.push(e);
    }

    for i in 0..scale.grids {
        let parent = spread(i, scale.grids, &estates);
        b.area("g", i, named("Grid ", i, ""), OrgKind::Grid, parent);
    }

    let mut enterprises = Vec::with_capacity(scale.enterprises);
    for i in 0..scale.enterprises {
        let e = b.body("ent", i, named("Enterprise ", i, ""), OrgKind::Enterprise);
        if let Some(&council) = councils.choose(&mut b.rng) {
            let v = b.since();
            b.link(e, Relation::MemberOf(v), council);
        }
        enterprises.push(e);
    }

    for i in 0..scale.persons {
        let actor = b.names.actor(i);
        let id = b.names.id("p", i);
        let p = b.add(Org::new(
            id,
            named("Person ", i, ""),
            OrgKind::Person(actor),
        ));
        let roll = b.rng.random_range(0..100u32);
        let body = match roll {
            0..40 => owners.choose(&mut b.rng).or(volunteers.choose(&mut b.rng)),
            40..90 => enterprises.choose(&mut b.rng),
            _ => mediation_committees.choose(&mut b.rng),
        };
        if let Some(&body) = body {
            let v = b.since();
            b.link(p, Relation::MemberOf(v), body);
        }
        if roll % 10 == 0 {
            if let Some(&team) = volunteers.choose(&mut b.rng) {
                let v = b.since();
                b.link(p, Relation::MemberOf(v), team);
            }
        }
    }
    b.graph
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tier::Tier;

    #[test]
    fn the_same_seed_gives_the_same_city() {
        let one = city(&CityScale::small(), 42);
        let two = city(&CityScale::small(), 42);
        assert_eq!(one, two);
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&two).unwrap()
        );
        assert_ne!(one, city(&CityScale::small(), 43));
    }

    #[test]
    fn generated_cities_pass_full_validation() {
        for seed in 0..20 {
            let graph = city(&CityScale::small(), seed);
            graph.validate().unwrap();
        }
    }

    #[test]
    fn every_grid_reaches_the_municipality() {
        let graph = city(&CityScale::small(), 1);
        let grid = OrgId::new("g0").unwrap();
        let tiers: Vec<Tier> = graph.ancestors(&grid).filter_map(|o| o.tier()).collect();
        assert_eq!(
            tiers,
            [
                Tier::Estate,
                Tier::Community,
                Tier::Subdistrict,
                Tier::District,
                Tier::Municipal
            ]
        );
    }

    /// Routing on generated cities answers what the rules, written again
    /// from the links in force, answer: the area itself, else the smallest
    /// serving body with the capability; nobody else. (Routing reads a copy
    /// of each service link and of its body's capabilities; this checks the
    /// copies against the links.)
    #[test]
    fn routing_on_generated_cities_follows_the_rules_written_again() {
        use std::collections::HashMap;

        use crate::org::{OrgGraphError, Route, RouteReason};
        use crate::vocabulary::Name;

        let mut needs: Vec<Capability> = DisputeKind::ALL
            .into_iter()
            .map(Capability::Mediation)
            .chain(ServiceCategory::ALL.into_iter().map(Capability::Service))
            .chain([Capability::LegalConsultation, Capability::EarlyWarning])
            .collect();
        needs.push(Capability::Mediation(DisputeKind::Custom(
            Name::new("noise").unwrap(),
        )));
        let mut routed = 0usize;
        for seed in 0..4 {
            let graph = city(&CityScale::small(), seed);
            for date in [(2019, 12, 31), (2022, 6, 1), (2025, 6, 1)] {
                let date = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
                let links: Vec<_> = graph.links_on(date).collect();
                let mut servers: HashMap<&OrgId, Vec<&OrgId>> = HashMap::new();
                for link in links
                    .iter()
                    .filter(|l| matches!(l.relation, Relation::Serves(_)))
                {
                    servers.entry(&link.to).or_default().push(&link.from);
                }
                let has =
                    |id: &OrgId, need: &Capability| graph.org(id).is_some_and(|o| o.has(*need));
                for location in graph.orgs().filter(|o| o.tier().is_some()) {
                    for tier in Tier::ALL {
                        for need in &needs {
                            let got = graph.route(&location.id, tier, need, date);
                            let area = match graph.ancestor_at(&location.id, tier) {
                                Ok(area) => area.id.clone(),
                                Err(e) => {
                                    assert_eq!(got, Err(e));
                                    continue;
                                }
                            };
                            let expected = if has(&area, need) {
                                Some((area.clone(), RouteReason::Itself))
                            } else {
                                servers
                                    .get(&area)
                                    .into_iter()
                                    .flatten()
                                    .copied()
                                    .filter(|s| has(s, need))
                                    .min()
                                    .map(|s| {
                                        (s.clone(), RouteReason::Serves { area: area.clone() })
                                    })
                            };
                            let expected = match expected {
                                Some((handler, reason)) => Ok(Route {
                                    handler,
                                    tier,
                                    area,
                                    reason,
                                }),
                                None => Err(OrgGraphError::NoHandler {
                                    location: location.id.clone(),
                                    tier,
                                    need: *need,
                                }),
                            };
                            routed += usize::from(expected.is_ok());
                            assert_eq!(got, expected, "{} at {tier} for {need}", location.id);
                        }
                    }
                }
            }
        }
        assert!(routed > 1000, "only {routed} queries found a handler");
    }

    #[test]
    fn empty_scales_give_just_the_municipality() {
        let scale = CityScale {
            districts: 0,
            subdistricts: 0,
            communities: 0,
            estates: 0,
            grids: 3,
            enterprises: 2,
            persons: 2,
        };
        let graph = city(&scale, 0);
        assert_eq!(graph.len(), 8);
        graph.validate().unwrap();
    }
}
