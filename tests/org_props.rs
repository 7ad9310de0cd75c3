//! Property tests of the organisation graph over random sequences of
//! inserts, through the public API only.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use grassroots::id::{ActorId, OrgId};
use grassroots::matter::{DisputeKind, ServiceCategory};
use grassroots::org::{
    Link, Mechanism, Need, Org, OrgGraph, OrgGraphData, OrgGraphError, OrgKind, Relation, Route,
    RouteReason, Validity,
};
use grassroots::tier::Tier;
use proptest::prelude::*;

const SLOTS: usize = 10;

fn kinds() -> Vec<OrgKind> {
    vec![
        OrgKind::Municipality,
        OrgKind::District,
        OrgKind::Subdistrict,
        OrgKind::Community,
        OrgKind::HousingEstate,
        OrgKind::IndustrialPark,
        OrgKind::Grid,
        OrgKind::PartyCommittee,
        OrgKind::PartyBranch,
        OrgKind::MediationCommittee,
        OrgKind::CommercialMediationStudio,
        OrgKind::AdministrativeServiceCentre,
        OrgKind::Enterprise,
        OrgKind::MediationAcademy,
    ]
}

/// A small set of needs, so that capabilities collide often.
fn needs() -> [Need; 4] {
    [
        Need::Mediation(DisputeKind::Labour),
        Need::Mediation(DisputeKind::Commercial),
        Need::Service(ServiceCategory::FundingSupport),
        Need::LegalAid,
    ]
}

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

fn day(offset: u64) -> NaiveDate {
    base() + Days::new(offset)
}

fn slot_id(slot: usize) -> OrgId {
    OrgId::new(format!("o{slot}")).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Add {
        slot: usize,
        /// An index into `kinds()`, or `kinds().len()` for a person.
        kind: usize,
        actor: usize,
        caps: u8,
    },
    Link {
        from: usize,
        relation: Relation,
        to: usize,
    },
}

fn validity() -> impl Strategy<Value = Validity> {
    (0u64..6, prop::option::of(-1i64..6)).prop_map(|(start, len)| {
        let from = day(start);
        match len {
            None => Validity::since(from),
            Some(-1) => Validity {
                from,
                until: Some(from - Days::new(1)),
            },
            Some(n) => Validity::since(from).ending(from + Days::new(n as u64)),
        }
    })
}

fn relation() -> impl Strategy<Value = Relation> {
    prop_oneof![
        3 => Just(Relation::PartOf),
        3 => Just(Relation::Leads),
        2 => validity().prop_map(Relation::Serves),
        2 => validity().prop_map(Relation::PairedWith),
        1 => validity().prop_map(Relation::MemberOf),
        1 => (0usize..2, validity())
            .prop_map(|(m, v)| Relation::Coordinates(Mechanism::ALL[m], v)),
    ]
}

/// Which class each kind index in `kinds()` (plus the person index) is in.
fn class_of(kind: usize) -> &'static str {
    match kinds().get(kind) {
        Some(k) if k.tier().is_some() => "territorial",
        Some(k) if k.is_party_organisation() => "party",
        Some(_) => "body",
        None => "person",
    }
}

/// Slots whose kind is in one of `classes`, or every slot if none is.
fn slots_of(slot_kinds: &[usize], classes: &[&str]) -> Vec<usize> {
    let chosen: Vec<usize> = (0..SLOTS)
        .filter(|&s| classes.contains(&class_of(slot_kinds[s])))
        .collect();
    if chosen.is_empty() {
        (0..SLOTS).collect()
    } else {
        chosen
    }
}

/// A random sequence of operations: first adding an organisation in each
/// slot (of a random kind), then mostly links between slots whose kinds can
/// take part in the relation, plus some fully random links and adds (to be
/// refused or not).
fn ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
    let kind = prop_oneof![
        3 => 0..7usize, // territorial
        2 => 7..9usize, // party
        2 => 9..kinds().len(),
        1 => Just(kinds().len()), // a person
    ];
    prop::collection::vec(kind, SLOTS).prop_flat_map(move |slot_kinds| {
        let adds: Vec<Op> = slot_kinds
            .iter()
            .enumerate()
            .map(|(slot, &kind)| Op::Add { slot, kind, actor: slot % 3, caps: (slot * 37 % 16) as u8 })
            .collect();
        let pick = |classes: &[&str]| prop::sample::select(slots_of(&slot_kinds, classes));
        let terr = || pick(&["territorial"]);
        let not_person = || pick(&["territorial", "party", "body"]);
        let link = prop_oneof![
            4 => (terr(), terr()).prop_map(|(from, to)| Op::Link { from, relation: Relation::PartOf, to }),
            3 => (pick(&["party"]), not_person())
                .prop_map(|(from, to)| Op::Link { from, relation: Relation::Leads, to }),
            3 => (pick(&["body"]), terr(), validity())
                .prop_map(|(from, to, v)| Op::Link { from, relation: Relation::Serves(v), to }),
            3 => (not_person(), not_person(), validity())
                .prop_map(|(from, to, v)| Op::Link { from, relation: Relation::PairedWith(v), to }),
            1 => (0..SLOTS, not_person(), validity())
                .prop_map(|(from, to, v)| Op::Link { from, relation: Relation::MemberOf(v), to }),
            2 => (0..SLOTS, relation(), 0..SLOTS)
                .prop_map(|(from, relation, to)| Op::Link { from, relation, to }),
            1 => (0..SLOTS, 0..=kinds().len(), 0usize..3, any::<u8>())
                .prop_map(|(slot, kind, actor, caps)| Op::Add { slot, kind, actor, caps }),
        ];
        prop::collection::vec(link, 0..max).prop_map(move |links| {
            let mut all = adds.clone();
            all.extend(links);
            all
        })
    })
}

fn apply(graph: &mut OrgGraph, op: &Op) -> Result<(), OrgGraphError> {
    match op {
        Op::Add {
            slot,
            kind,
            actor,
            caps,
        } => {
            let kind = kinds().get(*kind).cloned().unwrap_or_else(|| {
                OrgKind::Person(ActorId::new(format!("actor-{actor}")).unwrap())
            });
            let chosen = needs()
                .into_iter()
                .enumerate()
                .filter(|(i, _)| caps & (1 << i) != 0)
                .map(|(_, n)| n);
            let org =
                Org::new(slot_id(*slot), format!("Org {slot}"), kind).with_capabilities(chosen);
            graph.try_add_org(org)
        }
        Op::Link { from, relation, to } => {
            graph.try_link(&slot_id(*from), *relation, &slot_id(*to))
        }
    }
}

fn build(ops: &[Op]) -> OrgGraph {
    let mut graph = OrgGraph::new();
    for op in ops {
        let _ = apply(&mut graph, op);
    }
    graph
}

/// An independent check: a depth-first search over the PartOf and Leads
/// links read back through the public API.
fn has_part_of_or_leads_cycle(links: &[Link]) -> bool {
    let mut next: HashMap<&OrgId, Vec<&OrgId>> = HashMap::new();
    for l in links {
        if matches!(l.relation, Relation::PartOf | Relation::Leads) {
            next.entry(&l.from).or_default().push(&l.to);
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit<'a>(
        n: &'a OrgId,
        next: &HashMap<&'a OrgId, Vec<&'a OrgId>>,
        marks: &mut HashMap<&'a OrgId, Mark>,
    ) -> bool {
        match marks.get(n) {
            Some(Mark::Open) => return true,
            Some(Mark::Done) => return false,
            None => {}
        }
        marks.insert(n, Mark::Open);
        for m in next.get(n).into_iter().flatten() {
            if visit(m, next, marks) {
                return true;
            }
        }
        marks.insert(n, Mark::Done);
        false
    }
    let mut marks = HashMap::new();
    next.keys().any(|n| visit(n, &next, &mut marks))
}

/// The routing rules, written again from the links in force on the day:
/// the area itself, else the smallest serving body; a pairing never routes.
fn expected_route(
    graph: &OrgGraph,
    location: &OrgId,
    tier: Tier,
    need: Need,
    date: NaiveDate,
) -> Option<Route> {
    let area = graph.ancestor_at(location, tier).ok()?.id.clone();
    let has = |id: &OrgId| graph.org(id).is_some_and(|o| o.has(need));
    if has(&area) {
        return Some(Route {
            handler: area.clone(),
            tier,
            area,
            reason: RouteReason::Itself,
        });
    }
    let links: Vec<Link> = graph.links_on(date).collect();
    let servers: Vec<&OrgId> = links
        .iter()
        .filter(|l| matches!(l.relation, Relation::Serves(_)) && l.to == area)
        .map(|l| &l.from)
        .collect();
    if let Some(handler) = servers.iter().copied().filter(|s| has(s)).min() {
        return Some(Route {
            handler: handler.clone(),
            tier,
            area: area.clone(),
            reason: RouteReason::Serves { area },
        });
    }
    // Nothing else: a pairing is party building, never a route.
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn refused_inserts_leave_the_graph_unchanged(ops in ops(60)) {
        let mut graph = OrgGraph::new();
        for op in &ops {
            let before = serde_json::to_string(&graph).unwrap();
            let result = apply(&mut graph, op);
            let after = serde_json::to_string(&graph).unwrap();
            match result {
                Ok(()) => prop_assert_ne!(&before, &after, "{:?} was accepted but changed nothing", op),
                Err(e) => {
                    prop_assert_eq!(&before, &after, "{:?} was refused ({}) but changed the graph", op, e);
                    if let (OrgGraphError::Cycle { cycle, .. }, Op::Link { from, to, .. }) = (&e, op) {
                        // The cycle starts with the refused link and goes
                        // round PartOf / Leads links already there.
                        prop_assert_eq!(&cycle[0], &slot_id(*from));
                        prop_assert_eq!(&cycle[1], &slot_id(*to));
                        let links: HashSet<(OrgId, OrgId)> = graph
                            .links()
                            .filter(|l| matches!(l.relation, Relation::PartOf | Relation::Leads))
                            .map(|l| (l.from, l.to))
                            .collect();
                        for i in 1..cycle.len() {
                            let next = cycle[(i + 1) % cycle.len()].clone();
                            prop_assert!(links.contains(&(cycle[i].clone(), next)), "{}", e);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn no_graph_holds_a_cycle_through_part_of_or_leads(ops in ops(80)) {
        let graph = build(&ops);
        let links: Vec<Link> = graph.links().collect();
        prop_assert!(!has_part_of_or_leads_cycle(&links));
        prop_assert_eq!(graph.validate(), Ok(()));
        for org in graph.orgs() {
            // Tiers strictly rise along the ancestors.
            let mut last = org.tier();
            for up in graph.ancestors(&org.id) {
                prop_assert!(up.tier() > last);
                last = up.tier();
            }
        }
    }

    #[test]
    fn serialising_then_deserialising_gives_an_equal_graph(ops in ops(60)) {
        let graph = build(&ops);
        let json = serde_json::to_string(&graph).unwrap();
        let back: OrgGraph = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &graph);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn routing_is_deterministic_and_follows_the_rules(
        ops in ops(80),
        date in 0u64..10,
    ) {
        let graph = build(&ops);
        let date = day(date);
        // The same graph built in the opposite order routes the same way.
        let mut data = OrgGraphData::from(&graph);
        data.orgs.reverse();
        data.relations.reverse();
        let reversed = OrgGraph::try_from(data).unwrap();
        prop_assert_eq!(&reversed, &graph);
        for location in graph.orgs().filter(|o| o.tier().is_some()) {
            for tier in Tier::ALL {
                for need in needs() {
                    let got = graph.route(&location.id, tier, &need, date);
                    prop_assert_eq!(&got, &reversed.route(&location.id, tier, &need, date));
                    let expected = expected_route(&graph, &location.id, tier, need, date);
                    match (&got, expected) {
                        (Ok(route), Some(expected)) => {
                            prop_assert_eq!(route, &expected);
                            // A dispute only ever goes to a mediation
                            // organisation, and a labour dispute only to one
                            // LDMAL art. 10 names.
                            if let Need::Mediation(kind) = need {
                                let organisation = graph.mediation_organisation(&route.handler);
                                prop_assert!(organisation.is_some(), "{} mediates", route.handler);
                                if kind == DisputeKind::Labour {
                                    prop_assert!(organisation.is_some_and(|o| o.mediates_labour_disputes()));
                                }
                            }
                        }
                        (Err(OrgGraphError::NoHandler { .. }), None) => {
                            prop_assert!(graph.ancestor_at(&location.id, tier).is_ok());
                        }
                        (Err(OrgGraphError::NoAncestorAt { .. }), None) => {
                            prop_assert!(graph.ancestor_at(&location.id, tier).is_err());
                        }
                        (got, expected) => prop_assert!(false, "got {:?}, expected {:?}", got, expected),
                    }
                }
            }
            for need in needs() {
                let path = graph.escalation_path(&location.id, &need, date).unwrap();
                let expected: Vec<Route> = Tier::ALL
                    .into_iter()
                    .filter_map(|t| graph.route(&location.id, t, &need, date).ok())
                    .collect();
                prop_assert_eq!(path, expected);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Routing keeps copies of the links it reads (sorted service links,
    /// parents) up to date at every insert: after each accepted operation,
    /// every route answers what the rules, written again from the links,
    /// answer.
    #[test]
    fn routing_after_every_insert_follows_the_rules(
        ops in ops(40),
        date in 0u64..10,
    ) {
        let date = day(date);
        let mut graph = OrgGraph::new();
        for op in &ops {
            if apply(&mut graph, op).is_err() {
                continue;
            }
            let locations: Vec<OrgId> = graph
                .orgs()
                .filter(|o| o.tier().is_some())
                .map(|o| o.id.clone())
                .collect();
            for location in &locations {
                for tier in Tier::ALL {
                    for need in needs() {
                        let got = graph.route(location, tier, &need, date).ok();
                        let expected = expected_route(&graph, location, tier, need, date);
                        prop_assert_eq!(got, expected, "{} at {} after {:?}", location, tier, op);
                    }
                }
            }
        }
    }
}
