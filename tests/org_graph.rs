//! The organisation graph through its public API, as a user would drive it.

use chrono::NaiveDate;
use grassroots::id::{ActorId, OrgId};
use grassroots::matter::{DisputeKind, ServiceCategory};
use grassroots::org::{
    Capability, DataEntry, EstatePart, Finding, Link, LinkEnd, LinkOrigin, Mechanism,
    MediationOrganisation, Need, Org, OrgGraph, OrgGraphData, OrgGraphError, OrgKind, Relation,
    RelationKind, Route, RouteReason, Validity,
};
use grassroots::tier::Tier;
use grassroots::vocabulary::Name;

fn id(s: &str) -> OrgId {
    OrgId::new(s).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn since_2023() -> Validity {
    Validity::since(d(2023, 1, 1))
}

fn add(graph: &mut OrgGraph, key: &str, kind: OrgKind) {
    graph
        .try_add_org(Org::new(id(key), key.to_uppercase(), kind))
        .unwrap();
}

fn add_with(graph: &mut OrgGraph, key: &str, kind: OrgKind, caps: &[Capability]) {
    graph
        .try_add_org(
            Org::new(id(key), key.to_uppercase(), kind).with_capabilities(caps.iter().copied()),
        )
        .unwrap();
}

fn link(graph: &mut OrgGraph, from: &str, relation: Relation, to: &str) {
    graph.try_link(&id(from), relation, &id(to)).unwrap();
}

/// Longgang in miniature: a district, a subdistrict, Hehua community with
/// an estate and a park, their grids and bodies.
fn longgang() -> OrgGraph {
    let mut g = OrgGraph::new();
    add_with(
        &mut g,
        "longgang",
        OrgKind::District,
        &[Capability::Mediation(DisputeKind::Labour)],
    );
    add(&mut g, "pinghu", OrgKind::Subdistrict);
    add(&mut g, "hehua", OrgKind::Community);
    add(&mut g, "mancheng", OrgKind::HousingEstate);
    add(&mut g, "huanan", OrgKind::IndustrialPark);
    add(&mut g, "g1", OrgKind::Grid);
    add(&mut g, "g2", OrgKind::Grid);
    add(&mut g, "pc-hehua", OrgKind::PartyCommittee);
    add(&mut g, "pb-mancheng", OrgKind::PartyBranch);
    add(&mut g, "pm-mancheng", OrgKind::PropertyManagementCompany);
    add_with(
        &mut g,
        "med-hehua",
        OrgKind::MediationCommittee,
        &[
            Capability::Mediation(DisputeKind::Neighbour),
            Capability::Mediation(DisputeKind::PropertyManagement),
        ],
    );
    add_with(
        &mut g,
        "studio",
        OrgKind::CommercialMediationStudio,
        &[Capability::Mediation(DisputeKind::Commercial)],
    );
    add(&mut g, "council", OrgKind::MerchantsCouncil);
    add_with(
        &mut g,
        "academy",
        OrgKind::MediationAcademy,
        &[Capability::MediatorTraining],
    );
    // The academy trains; the committee it hosts mediates.
    add_with(
        &mut g,
        "park-med",
        OrgKind::MediationCommittee,
        &[Capability::Mediation(DisputeKind::Labour)],
    );
    add_with(
        &mut g,
        "asc-huanan",
        OrgKind::AdministrativeServiceCentre,
        &ServiceCategory::ALL.map(Capability::Service),
    );
    add(&mut g, "ent-1", OrgKind::Enterprise);
    add(
        &mut g,
        "wang",
        OrgKind::Person(ActorId::new("actor-wang").unwrap()),
    );

    link(&mut g, "pinghu", Relation::PartOf, "longgang");
    link(&mut g, "hehua", Relation::PartOf, "pinghu");
    link(&mut g, "mancheng", Relation::PartOf, "hehua");
    link(&mut g, "huanan", Relation::PartOf, "hehua");
    link(&mut g, "g1", Relation::PartOf, "mancheng");
    link(&mut g, "g2", Relation::PartOf, "huanan");
    link(&mut g, "pc-hehua", Relation::Leads, "hehua");
    link(&mut g, "pc-hehua", Relation::Leads, "pb-mancheng");
    link(&mut g, "pb-mancheng", Relation::Leads, "mancheng");
    link(
        &mut g,
        "pm-mancheng",
        Relation::Serves(since_2023()),
        "mancheng",
    );
    link(&mut g, "med-hehua", Relation::Serves(since_2023()), "hehua");
    link(&mut g, "council", Relation::Serves(since_2023()), "huanan");
    link(
        &mut g,
        "asc-huanan",
        Relation::Serves(since_2023()),
        "huanan",
    );
    let pairing = Validity::since(d(2024, 5, 1)).ending(d(2026, 4, 30));
    link(&mut g, "studio", Relation::PairedWith(pairing), "hehua");
    link(
        &mut g,
        "council",
        Relation::PairedWith(since_2023()),
        "academy",
    );
    link(
        &mut g,
        "studio",
        Relation::Coordinates(Mechanism::JointMediation, since_2023()),
        "med-hehua",
    );
    link(&mut g, "park-med", Relation::Serves(since_2023()), "huanan");
    link(
        &mut g,
        "park-med",
        Relation::Coordinates(Mechanism::JointMediation, since_2023()),
        "academy",
    );
    link(&mut g, "ent-1", Relation::MemberOf(since_2023()), "council");
    link(
        &mut g,
        "wang",
        Relation::MemberOf(Validity::since(d(2020, 1, 1)).ending(d(2024, 12, 31))),
        "ent-1",
    );
    link(
        &mut g,
        "wang",
        Relation::MemberOf(since_2023()),
        "med-hehua",
    );
    g
}

#[test]
fn lookups_take_an_id_or_its_text() {
    let g = longgang();
    assert!(g.contains("hehua") && g.contains(&id("hehua")));
    assert!(!g.contains("atlantis"));
    assert_eq!(g.org("hehua"), g.org(&id("hehua")));
    assert_eq!(g.parent("hehua").map(|o| o.id.as_str()), Some("pinghu"));
    let by_text: Vec<_> = g.ancestors("hehua").collect();
    let by_id: Vec<_> = g.ancestors(&id("hehua")).collect();
    assert_eq!(by_text, by_id);
    assert!(!by_text.is_empty());
    assert_eq!(g.person("actor-wang").map(|o| o.id.as_str()), Some("wang"));
    assert!(g.person("actor-nobody").is_none());
}

fn json(graph: &OrgGraph) -> String {
    serde_json::to_string(graph).unwrap()
}

/// Asserts that `attempt` is refused with `expected` and leaves `graph` as
/// it was.
fn assert_refused(
    graph: &mut OrgGraph,
    attempt: impl FnOnce(&mut OrgGraph) -> Result<(), OrgGraphError>,
    expected: OrgGraphError,
) {
    let before = json(graph);
    assert_eq!(attempt(graph), Err(expected));
    assert_eq!(json(graph), before, "a refused insert changed the graph");
}

// ---- insert rules -------------------------------------------------------

#[test]
fn part_of_must_point_to_a_higher_tier() {
    let mut g = longgang();
    add(&mut g, "other-estate", OrgKind::UrbanVillage);
    assert_refused(
        &mut g,
        |g| g.try_link(&id("other-estate"), Relation::PartOf, &id("mancheng")),
        OrgGraphError::PartOfNotUpward {
            from: id("other-estate"),
            from_tier: Tier::Estate,
            to: id("mancheng"),
            to_tier: Tier::Estate,
        },
    );
    add(&mut g, "lone-district", OrgKind::District);
    assert!(matches!(
        g.try_link(&id("lone-district"), Relation::PartOf, &id("hehua")),
        Err(OrgGraphError::PartOfNotUpward { .. })
    ));
    // Skipping a tier upward is fine.
    g.try_link(&id("other-estate"), Relation::PartOf, &id("pinghu"))
        .unwrap();
}

#[test]
fn part_of_cycles_are_refused_naming_the_cycle() {
    let mut g = longgang();
    assert_refused(
        &mut g,
        |g| g.try_link(&id("longgang"), Relation::PartOf, &id("g1")),
        OrgGraphError::Cycle {
            relation: RelationKind::PartOf,
            cycle: ["longgang", "g1", "mancheng", "hehua", "pinghu"]
                .map(id)
                .to_vec(),
        },
    );
}

#[test]
fn leads_cycles_are_refused_naming_the_cycle() {
    let mut g = longgang();
    add(&mut g, "pc-pinghu", OrgKind::PartyCommittee);
    link(&mut g, "pc-pinghu", Relation::Leads, "pc-hehua");
    assert_refused(
        &mut g,
        |g| g.try_link(&id("pb-mancheng"), Relation::Leads, &id("pc-pinghu")),
        OrgGraphError::Cycle {
            relation: RelationKind::Leads,
            cycle: ["pb-mancheng", "pc-pinghu", "pc-hehua"].map(id).to_vec(),
        },
    );
    assert_refused(
        &mut g,
        |g| g.try_link(&id("pc-hehua"), Relation::Leads, &id("pc-pinghu")),
        OrgGraphError::Cycle {
            relation: RelationKind::Leads,
            cycle: ["pc-hehua", "pc-pinghu"].map(id).to_vec(),
        },
    );
}

#[test]
fn leads_diamonds_are_not_cycles() {
    let mut g = longgang();
    add(&mut g, "pc-pinghu", OrgKind::PartyCommittee);
    link(&mut g, "pc-pinghu", Relation::Leads, "pc-hehua");
    link(&mut g, "pc-pinghu", Relation::Leads, "pb-mancheng");
    link(&mut g, "pc-pinghu", Relation::Leads, "mancheng");
    g.validate().unwrap();
}

#[test]
fn a_territorial_body_has_one_administrative_parent() {
    let mut g = longgang();
    add(&mut g, "buji", OrgKind::Subdistrict);
    assert_refused(
        &mut g,
        |g| g.try_link(&id("hehua"), Relation::PartOf, &id("buji")),
        OrgGraphError::SecondParent {
            org: id("hehua"),
            parent: id("pinghu"),
            refused: id("buji"),
        },
    );
}

#[test]
fn only_party_organisations_lead_and_only_bodies_serve_areas() {
    let mut g = longgang();
    assert_refused(
        &mut g,
        |g| g.try_link(&id("pm-mancheng"), Relation::Leads, &id("mancheng")),
        OrgGraphError::KindNotAllowed {
            org: id("pm-mancheng"),
            kind: OrgKind::PropertyManagementCompany,
            relation: RelationKind::Leads,
            end: LinkEnd::From,
        },
    );
    assert_refused(
        &mut g,
        |g| g.try_link(&id("pc-hehua"), Relation::Leads, &id("wang")),
        OrgGraphError::KindNotAllowed {
            org: id("wang"),
            kind: OrgKind::Person(ActorId::new("actor-wang").unwrap()),
            relation: RelationKind::Leads,
            end: LinkEnd::To,
        },
    );
    assert!(matches!(
        g.try_link(
            &id("studio"),
            Relation::Serves(since_2023()),
            &id("council")
        ),
        Err(OrgGraphError::KindNotAllowed {
            end: LinkEnd::To,
            ..
        })
    ));
    assert!(matches!(
        g.try_link(&id("studio"), Relation::PartOf, &id("hehua")),
        Err(OrgGraphError::KindNotAllowed {
            end: LinkEnd::From,
            ..
        })
    ));
    assert!(matches!(
        g.try_link(&id("ent-1"), Relation::MemberOf(since_2023()), &id("wang")),
        Err(OrgGraphError::KindNotAllowed {
            end: LinkEnd::To,
            ..
        })
    ));
}

#[test]
fn links_must_name_orgs_in_the_graph() {
    let mut g = longgang();
    assert_refused(
        &mut g,
        |g| g.try_link(&id("ghost"), Relation::PartOf, &id("hehua")),
        OrgGraphError::UnknownOrg { id: id("ghost") },
    );
    assert_refused(
        &mut g,
        |g| g.try_link(&id("g1"), Relation::PartOf, &id("ghost")),
        OrgGraphError::UnknownOrg { id: id("ghost") },
    );
}

#[test]
fn an_org_cannot_be_linked_to_itself() {
    let mut g = longgang();
    assert_refused(
        &mut g,
        |g| {
            g.try_link(
                &id("studio"),
                Relation::PairedWith(since_2023()),
                &id("studio"),
            )
        },
        OrgGraphError::SelfLink {
            id: id("studio"),
            relation: RelationKind::PairedWith,
        },
    );
}

#[test]
fn identical_links_are_refused_and_symmetric_ones_either_way() {
    let mut g = longgang();
    assert_refused(
        &mut g,
        |g| g.try_link(&id("pc-hehua"), Relation::Leads, &id("hehua")),
        OrgGraphError::DuplicateLink {
            from: id("pc-hehua"),
            to: id("hehua"),
            relation: Relation::Leads,
        },
    );
    assert_refused(
        &mut g,
        |g| {
            g.try_link(
                &id("academy"),
                Relation::PairedWith(since_2023()),
                &id("council"),
            )
        },
        OrgGraphError::DuplicateLink {
            from: id("academy"),
            to: id("council"),
            relation: Relation::PairedWith(since_2023()),
        },
    );
    // The same pair with other dates is another link (a renewed pairing).
    g.try_link(
        &id("academy"),
        Relation::PairedWith(Validity::since(d(2019, 1, 1)).ending(d(2019, 12, 31))),
        &id("council"),
    )
    .unwrap();
}

#[test]
fn ids_and_actors_are_unique() {
    let mut g = longgang();
    assert_refused(
        &mut g,
        |g| g.try_add_org(Org::new(id("hehua"), "again", OrgKind::School)),
        OrgGraphError::DuplicateOrg { id: id("hehua") },
    );
    assert_refused(
        &mut g,
        |g| {
            g.try_add_org(Org::new(
                id("wang-2"),
                "Wang again",
                OrgKind::Person(ActorId::new("actor-wang").unwrap()),
            ))
        },
        OrgGraphError::DuplicateActor {
            actor: ActorId::new("actor-wang").unwrap(),
            existing: id("wang"),
        },
    );
}

#[test]
fn a_validity_must_not_end_before_it_starts() {
    let mut g = longgang();
    let backwards = Validity::since(d(2024, 2, 1)).ending(d(2024, 1, 31));
    assert_refused(
        &mut g,
        |g| {
            g.try_link(
                &id("studio"),
                Relation::PairedWith(backwards),
                &id("council"),
            )
        },
        OrgGraphError::EmptyValidity {
            from: id("studio"),
            to: id("council"),
            relation: RelationKind::PairedWith,
            validity: backwards,
        },
    );
}

// ---- queries ---------------------------------------------------------------

#[test]
fn ancestors_run_up_the_administrative_tree() {
    let g = longgang();
    let up: Vec<&str> = g.ancestors(&id("g1")).map(|o| o.id.as_str()).collect();
    assert_eq!(up, ["mancheng", "hehua", "pinghu", "longgang"]);
    assert_eq!(
        g.parent(&id("hehua")).map(|o| o.id.clone()),
        Some(id("pinghu"))
    );
    assert_eq!(g.parent(&id("longgang")), None);
    assert_eq!(g.ancestors(&id("ghost")).count(), 0);
    assert_eq!(
        g.ancestor_at(&id("g1"), Tier::Community).unwrap().id,
        id("hehua")
    );
    assert_eq!(
        g.ancestor_at(&id("hehua"), Tier::Community).unwrap().id,
        id("hehua")
    );
    assert_eq!(
        g.ancestor_at(&id("hehua"), Tier::Estate),
        Err(OrgGraphError::NoAncestorAt {
            location: id("hehua"),
            tier: Tier::Estate
        })
    );
    assert_eq!(
        g.ancestor_at(&id("g1"), Tier::Municipal),
        Err(OrgGraphError::NoAncestorAt {
            location: id("g1"),
            tier: Tier::Municipal
        })
    );
}

#[test]
fn routing_prefers_the_area_itself() {
    let g = longgang();
    let route = g
        .route(
            &id("g1"),
            Tier::District,
            &Need::Mediation(DisputeKind::Labour),
            d(2025, 1, 6),
        )
        .unwrap();
    assert_eq!(route.handler, id("longgang"));
    assert_eq!(route.area, id("longgang"));
    assert_eq!(route.tier, Tier::District);
    assert_eq!(route.reason, RouteReason::Itself);
}

#[test]
fn routing_falls_back_to_a_body_serving_the_area() {
    let g = longgang();
    let need = Need::Mediation(DisputeKind::Neighbour);
    let route = g
        .route(&id("g1"), Tier::Community, &need, d(2025, 1, 6))
        .unwrap();
    assert_eq!(route.handler, id("med-hehua"));
    assert_eq!(route.reason, RouteReason::Serves { area: id("hehua") });
    // Before the committee served Hehua, nobody did.
    assert_eq!(
        g.route(&id("g1"), Tier::Community, &need, d(2022, 12, 31)),
        Err(OrgGraphError::NoHandler {
            location: id("g1"),
            tier: Tier::Community,
            need
        })
    );
}

/// 结对共建 links party organisations: it is party building, not
/// jurisdiction, and never decides who handles a case.
#[test]
fn pairing_never_routes_a_case() {
    let mut g = longgang();
    // The studio has the capability and is paired with Hehua; a consumer
    // dispute committee has it and is paired with the park and with the
    // council that serves the park. Neither serves: nobody is routed to.
    add_with(
        &mut g,
        "paired-med",
        OrgKind::MediationCommittee,
        &[Capability::Mediation(DisputeKind::Consumer)],
    );
    link(
        &mut g,
        "paired-med",
        Relation::PairedWith(since_2023()),
        "huanan",
    );
    link(
        &mut g,
        "paired-med",
        Relation::PairedWith(since_2023()),
        "council",
    );
    let day = d(2025, 1, 6);
    let commercial = Need::Mediation(DisputeKind::Commercial);
    let consumer = Need::Mediation(DisputeKind::Consumer);
    assert_eq!(
        g.paired_with(&id("hehua"), day).unwrap()[0].id,
        id("studio")
    );
    assert_eq!(
        g.route(&id("g2"), Tier::Community, &commercial, day),
        Err(OrgGraphError::NoHandler {
            location: id("g2"),
            tier: Tier::Community,
            need: commercial,
        })
    );
    assert_eq!(
        g.route(&id("g2"), Tier::Estate, &consumer, day),
        Err(OrgGraphError::NoHandler {
            location: id("g2"),
            tier: Tier::Estate,
            need: consumer,
        })
    );
    assert!(
        g.health(day)
            .findings
            .iter()
            .all(|f| !matches!(f, Finding::NoMediation { community } if *community == id("hehua")))
    );
    // A service link is what routes, from its first day.
    link(
        &mut g,
        "studio",
        Relation::Serves(Validity::since(d(2024, 5, 1))),
        "hehua",
    );
    let route = g
        .route(&id("g2"), Tier::Community, &commercial, day)
        .unwrap();
    assert_eq!(route.handler, id("studio"));
    assert_eq!(route.reason, RouteReason::Serves { area: id("hehua") });
    assert!(
        g.route(&id("g2"), Tier::Community, &commercial, d(2024, 4, 30))
            .is_err()
    );
}

/// A service link that came from a pairing records it as its origin; the
/// graph checks the pairing is there on the link's first day, and carries
/// the origin through JSON and `validate`.
#[test]
fn a_service_link_records_the_pairing_it_came_from() {
    let mut g = longgang();
    let pairing = LinkOrigin::pairing(id("studio"), id("hehua"));
    let serves = Link::new(
        id("studio"),
        Relation::Serves(Validity::since(d(2024, 5, 1))),
        id("hehua"),
    )
    .originating_in(pairing.clone());
    g.try_add_link(serves.clone()).unwrap();
    let stored: Vec<Link> = g.links().filter(|l| l.origin.is_some()).collect();
    assert_eq!(stored, std::slice::from_ref(&serves));
    assert_eq!(
        serves.to_string(),
        "studio -[serves 2024-05-01..]-> hehua (from the pairing of hehua and studio)"
    );
    assert_eq!(g.validate(), Ok(()));

    // JSON carries it, in either order of the list.
    let json = serde_json::to_value(&g).unwrap();
    let with_origin: Vec<&serde_json::Value> = json["relations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l.get("origin").is_some())
        .collect();
    assert_eq!(
        with_origin[0]["origin"],
        serde_json::json!({"pairing": ["hehua", "studio"]})
    );
    let back: OrgGraph = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, g);
    let mut data = OrgGraphData::from(&g);
    data.relations.reverse();
    assert_eq!(OrgGraph::try_from(data).unwrap(), g);

    // A different origin is a different link.
    let mut other = longgang();
    other
        .try_link(
            &id("studio"),
            Relation::Serves(Validity::since(d(2024, 5, 1))),
            &id("hehua"),
        )
        .unwrap();
    assert_ne!(other, g);
}

#[test]
fn an_origin_must_name_a_pairing_in_force_on_a_service_link() {
    let mut g = longgang();
    let before = serde_json::to_string(&g).unwrap();
    let pairing = LinkOrigin::pairing(id("hehua"), id("studio"));
    // Only a service link records an origin.
    assert_eq!(
        g.try_add_link(
            Link::new(
                id("studio"),
                Relation::Coordinates(Mechanism::JointMediation, Validity::since(d(2024, 6, 1))),
                id("council"),
            )
            .originating_in(pairing.clone())
        ),
        Err(OrgGraphError::OriginNotAllowed {
            from: id("studio"),
            to: id("council"),
            relation: RelationKind::Coordinates,
        })
    );
    // The pairing starts on 1 May 2024: a service link from 2023 cannot
    // have come from it.
    assert_eq!(
        g.try_add_link(
            Link::new(id("studio"), Relation::Serves(since_2023()), id("hehua"))
                .originating_in(pairing.clone())
        ),
        Err(OrgGraphError::UnknownPairing {
            from: id("studio"),
            to: id("hehua"),
            a: id("hehua"),
            b: id("studio"),
            date: d(2023, 1, 1),
        })
    );
    // Two bodies that are not paired at all.
    assert!(matches!(
        g.try_add_link(
            Link::new(id("studio"), Relation::Serves(since_2023()), id("mancheng"))
                .originating_in(LinkOrigin::pairing(id("pc-hehua"), id("council")))
        ),
        Err(OrgGraphError::UnknownPairing { .. })
    ));
    assert_eq!(
        g.try_add_link(
            Link::new(id("studio"), Relation::Serves(since_2023()), id("mancheng"))
                .originating_in(LinkOrigin::pairing(id("ghost"), id("council")))
        ),
        Err(OrgGraphError::UnknownOrg { id: id("ghost") })
    );
    assert_eq!(serde_json::to_string(&g).unwrap(), before);
    // The same from JSON.
    let mut json = serde_json::to_value(&g).unwrap();
    json["relations"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "from": "studio", "to": "hehua", "relation": "serves",
            "validity": {"from": "2023-01-01"}, "origin": {"pairing": ["hehua", "studio"]}
        }));
    let err = serde_json::from_value::<OrgGraph>(json).unwrap_err();
    assert!(
        err.to_string().contains("not paired on 2023-01-01"),
        "{err}"
    );
}

/// Only mediation organisations mediate: a mediation academy, a merchants'
/// council, a party branch or an enterprise with a mediation capability is
/// refused, and the graph is unchanged. An area stands for the people's
/// mediation committee established there (PML arts. 8, 34).
#[test]
fn only_mediation_organisations_mediate() {
    let mut g = longgang();
    let before = serde_json::to_string(&g).unwrap();
    let labour = Capability::Mediation(DisputeKind::Labour);
    for kind in [
        OrgKind::MediationAcademy,
        OrgKind::MerchantsCouncil,
        OrgKind::PartyBranch,
        OrgKind::Enterprise,
        OrgKind::ComprehensiveGovernanceCentre,
        OrgKind::Custom(Name::new("law_firm").unwrap()),
    ] {
        assert_eq!(
            g.try_add_org(Org::new(id("x"), "X", kind.clone()).with_capability(labour)),
            Err(OrgGraphError::NotAMediationOrganisation {
                org: id("x"),
                kind,
                capability: labour,
            })
        );
    }
    assert_eq!(serde_json::to_string(&g).unwrap(), before);
    assert_eq!(g.mediation_organisation(&id("academy")), None);
    assert_eq!(g.mediation_organisation(&id("council")), None);
    assert_eq!(
        g.mediation_organisation(&id("med-hehua")),
        Some(MediationOrganisation::PeoplesMediationCommittee)
    );
    // Longgang district mediates labour disputes itself: its committee.
    assert_eq!(
        g.mediation_organisation(&id("longgang")),
        Some(MediationOrganisation::PeoplesMediationCommittee)
    );
    assert_eq!(g.mediation_organisation(&id("hehua")), None);
    // A custom kind declared a mediation organisation mediates.
    g.try_add_org(
        Org::new(
            id("tenancy-med"),
            "Tenancy mediation centre",
            OrgKind::Custom(Name::new("tenancy_centre").unwrap()),
        )
        .as_mediation_organisation(MediationOrganisation::IndustryOrProfessional)
        .with_capability(Capability::Mediation(DisputeKind::Neighbour)),
    )
    .unwrap();
}

/// LDMAL art. 10: labour disputes go to an enterprise labour dispute
/// mediation committee, a grassroots people's mediation organisation, or a
/// township or subdistrict body with labour dispute mediation functions.
#[test]
fn only_ldmal_art_10_bodies_mediate_labour_disputes() {
    let mut g = OrgGraph::new();
    let labour = Capability::Mediation(DisputeKind::Labour);
    let committee = |key: &str, organisation| {
        Org::new(id(key), key, OrgKind::MediationCommittee)
            .as_mediation_organisation(organisation)
            .with_capability(labour)
    };
    assert_eq!(
        g.try_add_org(
            Org::new(id("studio"), "Studio", OrgKind::CommercialMediationStudio)
                .with_capability(labour)
        ),
        Err(OrgGraphError::NotALabourMediationOrganisation {
            org: id("studio"),
            organisation: MediationOrganisation::Commercial,
        })
    );
    assert_eq!(
        g.try_add_org(committee(
            "trade-med",
            MediationOrganisation::IndustryOrProfessional
        )),
        Err(OrgGraphError::NotALabourMediationOrganisation {
            org: id("trade-med"),
            organisation: MediationOrganisation::IndustryOrProfessional,
        })
    );
    assert!(g.is_empty());
    for (key, organisation) in [
        ("pmc", MediationOrganisation::PeoplesMediationCommittee),
        (
            "pengda-ldmc",
            MediationOrganisation::EnterpriseLabourDisputeCommittee,
        ),
        (
            "pinghu-labour",
            MediationOrganisation::SubdistrictLabourDisputeMediation,
        ),
    ] {
        g.try_add_org(committee(key, organisation)).unwrap();
        assert_eq!(g.mediation_organisation(key), Some(organisation));
        assert!(organisation.mediates_labour_disputes());
    }
}

#[test]
fn a_body_is_only_the_mediation_organisation_its_kind_allows() {
    let mut g = OrgGraph::new();
    for (kind, organisation) in [
        (
            OrgKind::MediationAcademy,
            MediationOrganisation::PeoplesMediationCommittee,
        ),
        (
            OrgKind::Community,
            MediationOrganisation::PeoplesMediationCommittee,
        ),
        (
            OrgKind::CommercialMediationStudio,
            MediationOrganisation::PeoplesMediationCommittee,
        ),
        (
            OrgKind::MediationCommittee,
            MediationOrganisation::Commercial,
        ),
    ] {
        assert_eq!(
            g.try_add_org(
                Org::new(id("x"), "X", kind.clone()).as_mediation_organisation(organisation)
            ),
            Err(OrgGraphError::MediationOrganisationNotAllowed {
                org: id("x"),
                kind,
                organisation,
            })
        );
    }
    // A committee read from JSON without the field is a people's mediation
    // committee; a studio a commercial one.
    let g: OrgGraph = serde_json::from_value(serde_json::json!({
        "orgs": [
            {"id": "med", "name": "Committee", "kind": "mediation_committee",
             "capabilities": [{"mediation": "labour"}]},
            {"id": "studio", "name": "Studio", "kind": "commercial_mediation_studio"}
        ]
    }))
    .unwrap();
    assert_eq!(
        g.mediation_organisation("med"),
        Some(MediationOrganisation::PeoplesMediationCommittee)
    );
    assert_eq!(
        g.org("studio").unwrap().mediation,
        Some(MediationOrganisation::Commercial)
    );
    let refused = serde_json::from_value::<OrgGraph>(serde_json::json!({
        "orgs": [{"id": "academy", "name": "Academy", "kind": "mediation_academy",
                  "capabilities": [{"mediation": "labour"}]}]
    }))
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("is not a mediation organisation"),
        "{refused}"
    );
}

/// A commercial mediation organisation's agreement is a contract: PML art.
/// 33's judicial confirmation is for people's mediation agreements.
#[test]
fn a_commercial_mediation_agreement_is_not_judicially_confirmable() {
    let g = longgang();
    let studio = g.mediation_organisation(&id("studio")).unwrap();
    assert_eq!(studio, MediationOrganisation::Commercial);
    assert!(!studio.agreement_may_be_judicially_confirmed());
    let committee = g.mediation_organisation(&id("med-hehua")).unwrap();
    assert!(committee.agreement_may_be_judicially_confirmed());
    for organisation in MediationOrganisation::ALL {
        assert_eq!(
            organisation.agreement_may_be_judicially_confirmed(),
            organisation != MediationOrganisation::Commercial,
            "{organisation}"
        );
    }
}

#[test]
fn routing_breaks_ties_by_the_smallest_id() {
    let mut g = longgang();
    let caps = [Capability::Mediation(DisputeKind::Neighbour)];
    add_with(&mut g, "zz-med", OrgKind::MediationCommittee, &caps);
    add_with(&mut g, "aa-med", OrgKind::MediationCommittee, &caps);
    link(&mut g, "zz-med", Relation::Serves(since_2023()), "hehua");
    link(&mut g, "aa-med", Relation::Serves(since_2023()), "hehua");
    let route = g
        .route(&id("g1"), Tier::Community, &caps[0], d(2025, 1, 6))
        .unwrap();
    assert_eq!(route.handler, id("aa-med"));
}

#[test]
fn routing_needs_a_territorial_location_in_the_graph() {
    let g = longgang();
    let need = Need::Service(ServiceCategory::FundingSupport);
    assert_eq!(
        g.route(&id("ghost"), Tier::Estate, &need, d(2025, 1, 6)),
        Err(OrgGraphError::UnknownOrg { id: id("ghost") })
    );
    assert_eq!(
        g.route(&id("ent-1"), Tier::Estate, &need, d(2025, 1, 6)),
        Err(OrgGraphError::NotTerritorial {
            org: id("ent-1"),
            kind: OrgKind::Enterprise
        })
    );
    let route = g
        .route(&id("g2"), Tier::Estate, &need, d(2025, 1, 6))
        .unwrap();
    assert_eq!(route.handler, id("asc-huanan"));
}

#[test]
fn a_route_reads_as_handler_tier_area_and_reason() {
    let g = longgang();
    let need = Need::Service(ServiceCategory::FundingSupport);
    let route = g
        .route(&id("g2"), Tier::Estate, &need, d(2025, 1, 6))
        .unwrap();
    assert_eq!(
        route.to_string(),
        format!(
            "asc-huanan at estate tier for {} ({})",
            route.area, route.reason
        )
    );
    let reasons = [
        (RouteReason::Itself, "the area itself"),
        (RouteReason::Serves { area: id("hehua") }, "serves hehua"),
    ];
    for (reason, text) in reasons {
        assert_eq!(reason.to_string(), text);
        let route = Route {
            handler: id("studio"),
            tier: Tier::Community,
            area: id("hehua"),
            reason,
        };
        assert_eq!(
            route.to_string(),
            format!("studio at community tier for hehua ({text})")
        );
    }
}

#[test]
fn escalation_path_lists_each_tier_with_a_handler_and_skips_the_rest() {
    let g = longgang();
    let path = g
        .escalation_path(
            &id("g2"),
            &Need::Mediation(DisputeKind::Labour),
            d(2025, 1, 6),
        )
        .unwrap();
    let steps: Vec<(Tier, &str)> = path.iter().map(|r| (r.tier, r.handler.as_str())).collect();
    assert_eq!(
        steps,
        [(Tier::Estate, "park-med"), (Tier::District, "longgang")]
    );
    assert!(
        g.escalation_path(&id("ent-1"), &Need::LegalAid, d(2025, 1, 6))
            .is_err()
    );
    assert!(
        g.escalation_path(&id("g1"), &Need::LegalAid, d(2025, 1, 6))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn partners_are_found_from_either_end_on_the_day() {
    let g = longgang();
    let names = |orgs: Vec<&Org>| orgs.into_iter().map(|o| o.id.clone()).collect::<Vec<_>>();
    let day = d(2025, 1, 6);
    assert_eq!(
        names(
            g.partners(&id("med-hehua"), Mechanism::JointMediation, day)
                .unwrap()
        ),
        [id("studio")]
    );
    assert_eq!(
        names(
            g.partners(&id("studio"), Mechanism::JointMediation, day)
                .unwrap()
        ),
        [id("med-hehua")]
    );
    assert!(
        g.partners(&id("studio"), Mechanism::JointDefence, day)
            .unwrap()
            .is_empty()
    );
    assert!(
        g.partners(&id("studio"), Mechanism::JointMediation, d(2022, 1, 1))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        names(g.paired_with(&id("hehua"), day).unwrap()),
        [id("studio")]
    );
    assert_eq!(
        g.partners(&id("ghost"), Mechanism::JointMediation, day),
        Err(OrgGraphError::UnknownOrg { id: id("ghost") })
    );
}

#[test]
fn memberships_say_which_orgs_an_actor_belongs_to_on_a_day() {
    let g = longgang();
    let wang = ActorId::new("actor-wang").unwrap();
    let ids = |orgs: Vec<&Org>| orgs.into_iter().map(|o| o.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(g.orgs_of_actor(&wang, d(2024, 6, 1))),
        [id("ent-1"), id("med-hehua")]
    );
    assert_eq!(
        ids(g.orgs_of_actor(&wang, d(2025, 6, 1))),
        [id("med-hehua")]
    );
    assert!(
        g.orgs_of_actor(&ActorId::new("nobody").unwrap(), d(2025, 6, 1))
            .is_empty()
    );
    assert_eq!(
        ids(g.members_of(&id("ent-1"), d(2024, 6, 1)).unwrap()),
        [id("wang")]
    );
    assert!(
        g.members_of(&id("ent-1"), d(2025, 6, 1))
            .unwrap()
            .is_empty()
    );
    assert_eq!(g.person(&wang).map(|o| o.id.clone()), Some(id("wang")));
}

#[test]
fn links_on_a_day_leave_out_links_not_in_force() {
    let g = longgang();
    let all = g.links().count();
    assert_eq!(g.links_on(d(2024, 6, 1)).count(), all);
    // In 2022 only the undated links and Wang's job are in force.
    let old: Vec<_> = g.links_on(d(2022, 6, 1)).collect();
    assert!(old.iter().all(|l| matches!(
        l.relation,
        Relation::PartOf | Relation::Leads | Relation::MemberOf(_)
    )));
    assert_eq!(old.len(), 10);
}

// ---- health ------------------------------------------------------------------

#[test]
fn health_reports_missing_parts_of_the_one_plus_one_plus_n_model() {
    let mut g = longgang();
    add(&mut g, "village", OrgKind::UrbanVillage);
    link(&mut g, "village", Relation::PartOf, "hehua");
    let report = g.health(d(2025, 1, 6));
    let estates: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| matches!(f, Finding::EstateIncomplete { .. }))
        .collect();
    assert_eq!(
        estates,
        [
            &Finding::EstateIncomplete {
                estate: id("huanan"),
                kind: OrgKind::IndustrialPark,
                missing: vec![EstatePart::PartyOrganisation],
            },
            &Finding::EstateIncomplete {
                estate: id("village"),
                kind: OrgKind::UrbanVillage,
                missing: vec![
                    EstatePart::PartyOrganisation,
                    EstatePart::Grid,
                    EstatePart::OtherForce
                ],
            },
        ]
    );
    let text = report.to_string();
    assert!(
        text.contains("urban_village village lacks party organisation, grid, other force"),
        "{text}"
    );
}

#[test]
fn health_reports_communities_without_mediation_and_cut_off_bodies() {
    let mut g = longgang();
    add(&mut g, "dongfang", OrgKind::Community);
    link(&mut g, "dongfang", Relation::PartOf, "pinghu");
    add(&mut g, "lonely-school", OrgKind::School);
    add(&mut g, "tank", OrgKind::ExpertThinkTank);
    add(
        &mut g,
        "expert",
        OrgKind::Person(ActorId::new("expert").unwrap()),
    );
    link(&mut g, "expert", Relation::MemberOf(since_2023()), "tank");
    add(&mut g, "stray-grid", OrgKind::Grid);
    add(&mut g, "stray-vt", OrgKind::VolunteerTeam);
    link(
        &mut g,
        "stray-vt",
        Relation::PairedWith(since_2023()),
        "stray-grid",
    );
    let report = g.health(d(2025, 1, 6));
    for finding in [
        Finding::NoMediation {
            community: id("dongfang"),
        },
        Finding::Isolated {
            org: id("lonely-school"),
        },
        Finding::Detached { org: id("tank") },
        Finding::Orphan {
            org: id("stray-grid"),
            tier: Tier::Grid,
        },
    ] {
        assert!(
            report.findings.contains(&finding),
            "{finding} missing from {report}"
        );
    }
    assert!(!report.findings.contains(&Finding::NoMediation {
        community: id("hehua")
    }));
    assert!(!report.findings.contains(&Finding::Detached {
        org: id("stray-vt")
    }));
    assert!(!report.is_healthy());
}

#[test]
fn a_complete_estate_is_healthy() {
    let mut g = OrgGraph::new();
    add(&mut g, "c", OrgKind::Community);
    add(&mut g, "e", OrgKind::HousingEstate);
    add(&mut g, "g", OrgKind::Grid);
    add(&mut g, "pb", OrgKind::PartyBranch);
    add(&mut g, "oc", OrgKind::OwnersCommittee);
    add_with(
        &mut g,
        "m",
        OrgKind::MediationCommittee,
        &[Capability::Mediation(DisputeKind::Neighbour)],
    );
    link(&mut g, "e", Relation::PartOf, "c");
    link(&mut g, "g", Relation::PartOf, "e");
    link(&mut g, "pb", Relation::Leads, "e");
    link(&mut g, "oc", Relation::Serves(since_2023()), "e");
    link(&mut g, "m", Relation::Serves(since_2023()), "c");
    let report = g.health(d(2025, 1, 6));
    assert!(report.is_healthy(), "{report}");
    assert_eq!(
        report.to_string(),
        "organisation graph on 2025-01-06: no findings"
    );
}

// ---- serde, equality and export -------------------------------------------

#[test]
fn graphs_round_trip_through_json_equal() {
    let g = longgang();
    let text = json(&g);
    let back: OrgGraph = serde_json::from_str(&text).unwrap();
    assert_eq!(back, g);
    assert_eq!(json(&back), text);
    let data: OrgGraphData = serde_json::from_str(&text).unwrap();
    assert_eq!(data, g.to_data());
    assert_eq!(OrgGraph::try_from(data).unwrap(), g);
}

#[test]
fn equality_ignores_insertion_order_and_symmetric_direction() {
    let mut data = longgang().to_data();
    data.orgs.reverse();
    for l in &mut data.relations {
        if matches!(
            l.relation,
            Relation::PairedWith(_) | Relation::Coordinates(..)
        ) {
            std::mem::swap(&mut l.from, &mut l.to);
        }
    }
    let reordered = OrgGraph::try_from(data).unwrap();
    assert_eq!(reordered, longgang());
    let mut other = longgang();
    add(&mut other, "extra", OrgKind::School);
    assert_ne!(other, longgang());
}

fn hostile(orgs: &str, relations: &str) -> String {
    format!(r#"{{"orgs":[{orgs}],"relations":[{relations}]}}"#)
}

const ORGS: &str = r#"{"id":"c","name":"C","kind":"community"},{"id":"e","name":"E","kind":"housing_estate"},{"id":"g","name":"G","kind":"grid"},{"id":"p1","name":"P1","kind":"party_committee"},{"id":"p2","name":"P2","kind":"party_branch"}"#;

#[test]
fn hostile_json_with_a_dangling_id_is_refused_naming_the_entry() {
    let text = hostile(
        ORGS,
        r#"{"from":"e","to":"c","relation":"part_of"},{"from":"g","to":"nowhere","relation":"part_of"}"#,
    );
    let err = serde_json::from_str::<OrgGraph>(&text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("relations[1] (g -> nowhere)"), "{err}");
    assert!(err.contains("no organisation nowhere"), "{err}");
    let data: OrgGraphData = serde_json::from_str(&text).unwrap();
    assert_eq!(
        OrgGraph::try_from(data),
        Err(OrgGraphError::InvalidEntry {
            entry: DataEntry::Relation {
                index: 1,
                from: id("g"),
                to: id("nowhere")
            },
            source: Box::new(OrgGraphError::UnknownOrg { id: id("nowhere") }),
        })
    );
}

#[test]
fn hostile_json_with_a_cycle_is_refused_naming_the_entry() {
    let text = hostile(
        ORGS,
        r#"{"from":"p1","to":"p2","relation":"leads"},{"from":"p2","to":"p1","relation":"leads"}"#,
    );
    let data: OrgGraphData = serde_json::from_str(&text).unwrap();
    assert_eq!(
        OrgGraph::try_from(data),
        Err(OrgGraphError::InvalidEntry {
            entry: DataEntry::Relation {
                index: 1,
                from: id("p2"),
                to: id("p1")
            },
            source: Box::new(OrgGraphError::Cycle {
                relation: RelationKind::Leads,
                cycle: vec![id("p2"), id("p1")],
            }),
        })
    );
    let err = serde_json::from_str::<OrgGraph>(&text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("relations[1] (p2 -> p1)"), "{err}");
    assert!(err.contains("cycle p2 -> p1 -> p2"), "{err}");
}

#[test]
fn hostile_json_with_a_duplicate_id_is_refused_naming_the_entry() {
    let text = hostile(
        &format!(r#"{ORGS},{{"id":"e","name":"E2","kind":"school"}}"#),
        "",
    );
    let err = serde_json::from_str::<OrgGraph>(&text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("orgs[5] (e)"), "{err}");
    assert!(err.contains("already in the graph"), "{err}");
}

#[test]
fn hostile_json_with_a_downward_part_of_is_refused_naming_the_entry() {
    let text = hostile(ORGS, r#"{"from":"c","to":"g","relation":"part_of"}"#);
    let data: OrgGraphData = serde_json::from_str(&text).unwrap();
    assert_eq!(
        OrgGraph::try_from(data),
        Err(OrgGraphError::InvalidEntry {
            entry: DataEntry::Relation {
                index: 0,
                from: id("c"),
                to: id("g")
            },
            source: Box::new(OrgGraphError::PartOfNotUpward {
                from: id("c"),
                from_tier: Tier::Community,
                to: id("g"),
                to_tier: Tier::Grid,
            }),
        })
    );
}

#[test]
fn hostile_json_with_bad_ids_or_shapes_is_refused() {
    for text in [
        hostile(r#"{"id":"","name":"x","kind":"school"}"#, ""),
        hostile(r#"{"id":"a\u0000b","name":"x","kind":"school"}"#, ""),
        // A city's own kind is welcome; a malformed name is not.
        hostile(r#"{"id":"a","name":"x","kind":"Castle!"}"#, ""),
        hostile(ORGS, r#"{"from":"e","to":"c","relation":"serves"}"#),
        hostile(
            ORGS,
            r#"{"from":"e","to":"c","relation":"coordinates","validity":{"from":"2024-01-01"}}"#,
        ),
        r#"{"orgs":7}"#.to_owned(),
    ] {
        assert!(serde_json::from_str::<OrgGraph>(&text).is_err(), "{text}");
    }
    let castle = hostile(r#"{"id":"a","name":"x","kind":"castle"}"#, "");
    let graph = serde_json::from_str::<OrgGraph>(&castle).unwrap();
    assert!(graph.org(&id("a")).unwrap().kind.is_custom());
}

#[test]
fn exports_escape_names_and_style_by_kind() {
    let mut g = OrgGraph::new();
    g.try_add_org(Org::new(
        id("c"),
        "A \"quoted\" <b>name</b> #1 & co",
        OrgKind::Community,
    ))
    .unwrap();
    g.try_add_org(Org::new(
        id("p\"q"),
        "back\\slash\nnewline",
        OrgKind::PartyCommittee,
    ))
    .unwrap();
    g.try_link(&id("p\"q"), Relation::Leads, &id("c")).unwrap();
    let mermaid = g.to_mermaid();
    assert!(mermaid.contains("n0[\"A #34;quoted#34; #60;b#62;name#60;/b#62; #35;1 #38; co"));
    assert!(mermaid.contains("n1([\"back\\slash newline"));
    assert!(mermaid.contains(":::party"));
    assert!(mermaid.contains("n1 -.->|\"leads\"| n0"));
    let dot = g.to_dot();
    assert!(dot.contains(r#"label="A \"quoted\" <b>name</b> #1 & co\nc (community)""#));
    assert!(dot.contains(r#"label="back\\slash\nnewline\np\"q (party_committee)""#));
    assert!(dot.contains("n1 -> n0 [label=\"leads\""));
    assert!(dot.trim_end().ends_with('}'));
}

// ---- generated cities (feature `sim`) ------------------------------------------

#[cfg(feature = "sim")]
#[test]
fn every_generated_community_routes_neighbour_disputes_at_some_tier() {
    use grassroots::org::generate::{CityScale, city};

    let g = city(&CityScale::small(), 3);
    let day = d(2025, 6, 1);
    let need = Need::Mediation(DisputeKind::Neighbour);
    for org in g.orgs().filter(|o| o.kind == OrgKind::Grid) {
        let path = g.escalation_path(&org.id, &need, day).unwrap();
        assert!(!path.is_empty(), "{} has nowhere to go", org.id);
        assert!(path.windows(2).all(|w| w[0].tier < w[1].tier));
    }
    let json = serde_json::to_string(&g).unwrap();
    assert_eq!(serde_json::from_str::<OrgGraph>(&json).unwrap(), g);
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<OrgGraph>();
    assert_send_sync::<OrgGraphError>();
    assert_send_sync::<OrgGraphData>();
    assert_send_sync::<grassroots::org::Route>();
    assert_send_sync::<grassroots::org::HealthReport>();
}

#[test]
fn a_misspelt_key_in_graph_json_is_refused_not_read_as_an_empty_graph() {
    let err = serde_json::from_str::<grassroots::org::OrgGraph>(r#"{"orgs": [], "links": []}"#)
        .unwrap_err();
    assert!(err.to_string().contains("unknown field `links`"), "{err}");
}

/// Routing reads copies kept up to date as links are added (each area's
/// service links, sorted by the serving body's id; each node's parent): a
/// link added after a query changes the next answer, whatever order the
/// bodies came in.
#[test]
fn a_link_added_after_a_query_changes_the_next_answer() {
    let neighbours = Need::Mediation(DisputeKind::Neighbour);
    let mediation = [Capability::Mediation(DisputeKind::Neighbour)];
    let day = d(2025, 6, 1);
    let mut g = OrgGraph::new();
    add(&mut g, "hehua", OrgKind::Community);
    add(&mut g, "mancheng", OrgKind::HousingEstate);
    add(&mut g, "g1", OrgKind::Grid);
    for key in ["med-m", "med-z", "med-a", "med-0"] {
        add_with(&mut g, key, OrgKind::MediationCommittee, &mediation);
    }
    // No parent yet: no community above the grid.
    assert!(matches!(
        g.route(&id("g1"), Tier::Community, &neighbours, day),
        Err(OrgGraphError::NoAncestorAt { .. })
    ));
    link(&mut g, "mancheng", Relation::PartOf, "hehua");
    link(&mut g, "g1", Relation::PartOf, "mancheng");
    assert!(matches!(
        g.route(&id("g1"), Tier::Community, &neighbours, day),
        Err(OrgGraphError::NoHandler { .. })
    ));
    let handler = |g: &OrgGraph, tier: Tier, on: NaiveDate| {
        g.route(&id("g1"), tier, &neighbours, on)
            .map(|r| r.handler.as_str().to_owned())
    };
    link(&mut g, "med-m", Relation::Serves(since_2023()), "hehua");
    assert_eq!(handler(&g, Tier::Community, day).as_deref(), Ok("med-m"));
    // A larger id added later does not take over; a smaller one does.
    link(&mut g, "med-z", Relation::Serves(since_2023()), "hehua");
    assert_eq!(handler(&g, Tier::Community, day).as_deref(), Ok("med-m"));
    link(&mut g, "med-a", Relation::Serves(since_2023()), "hehua");
    assert_eq!(handler(&g, Tier::Community, day).as_deref(), Ok("med-a"));
    // The smallest id of all, but only from 2026: the answer depends on the day.
    link(
        &mut g,
        "med-0",
        Relation::Serves(Validity::since(d(2026, 1, 1))),
        "hehua",
    );
    assert_eq!(handler(&g, Tier::Community, day).as_deref(), Ok("med-a"));
    assert_eq!(
        handler(&g, Tier::Community, d(2026, 1, 1)).as_deref(),
        Ok("med-0")
    );
    // A second link from the same body, ending before the first starts:
    // still one body, in force on either day.
    link(
        &mut g,
        "med-0",
        Relation::Serves(Validity::since(d(2020, 1, 1)).ending(d(2020, 12, 31))),
        "hehua",
    );
    assert_eq!(
        handler(&g, Tier::Community, d(2020, 6, 1)).as_deref(),
        Ok("med-0")
    );
    assert_eq!(handler(&g, Tier::Community, day).as_deref(), Ok("med-a"));
    // The estate gains its own server; the community's answer stands.
    assert!(matches!(
        g.route(&id("g1"), Tier::Estate, &neighbours, day),
        Err(OrgGraphError::NoHandler { .. })
    ));
    link(&mut g, "med-z", Relation::Serves(since_2023()), "mancheng");
    assert_eq!(handler(&g, Tier::Estate, day).as_deref(), Ok("med-z"));
    assert_eq!(handler(&g, Tier::Community, day).as_deref(), Ok("med-a"));
}
