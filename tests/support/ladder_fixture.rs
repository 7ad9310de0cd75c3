//! A small organisation graph and ladder for the escalation tests:
//! grid-7 ⊂ huanan-park ⊂ hehua ⊂ pinghu ⊂ longgang, each able to mediate
//! labour disputes; commercial disputes only up to the community.
#![allow(unreachable_pub, dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::WorkingCalendar;
use grassroots::escalation::{Ladder, PolicyBook};
use grassroots::id::OrgId;
use grassroots::matter::DisputeKind;
use grassroots::org::{Capability, Org, OrgGraph, OrgKind, Relation};
use grassroots::tier::Tier;

pub fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

pub fn graph() -> OrgGraph {
    let labour = Capability::Mediation(DisputeKind::Labour);
    let commercial = Capability::Mediation(DisputeKind::Commercial);
    let mut g = OrgGraph::new();
    for (org_id, name, kind, caps) in [
        (
            "longgang",
            "Longgang district",
            OrgKind::District,
            vec![labour],
        ),
        (
            "pinghu",
            "Pinghu subdistrict",
            OrgKind::Subdistrict,
            vec![labour],
        ),
        (
            "hehua",
            "Hehua community",
            OrgKind::Community,
            vec![labour, commercial],
        ),
        (
            "huanan-park",
            "Huanan City park",
            OrgKind::IndustrialPark,
            vec![labour, commercial],
        ),
        ("grid-7", "Grid 7", OrgKind::Grid, vec![labour, commercial]),
    ] {
        g.try_add_org(Org::new(id(org_id), name, kind).with_capabilities(caps))
            .unwrap();
    }
    for (child, parent) in [
        ("pinghu", "longgang"),
        ("hehua", "pinghu"),
        ("huanan-park", "hehua"),
        ("grid-7", "huanan-park"),
    ] {
        g.try_link(&id(child), Relation::PartOf, &id(parent))
            .unwrap();
    }
    g
}

pub fn ladder() -> Ladder {
    Ladder::new(
        Arc::new(PolicyBook::default()),
        Arc::new(graph()),
        Arc::new(WorkingCalendar::prc()),
    )
}

/// Monday 2 March 2026, 09:00 in Shenzhen.
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

pub fn grid_worker() -> Actor {
    Actor::new("gw-1".parse().unwrap()).with_role(Role::GridWorker)
}

pub fn officer(tier: Tier) -> Actor {
    Actor::new(format!("officer-{tier}").parse().unwrap()).with_role(Role::Officer(tier))
}

pub fn party() -> Actor {
    Actor::new("party-zhang".parse().unwrap()).with_role(Role::Party)
}

pub fn supervisor() -> Actor {
    Actor::new("sup-1".parse().unwrap()).with_role(Role::Supervisor)
}
