//! A small illustrative 12345 configuration for Huanan City (feature
//! `sim`): the Longgang 12345 centre, the bodies that handle residents' and
//! merchants' requests around Huanan City, and the cast that sends
//! commands.

use std::sync::Arc;

use chrono::NaiveDate;

use super::decide::{COUNCIL_LIAISON, DISPATCHER, WorkOrder};
use crate::actor::{Actor, Role};
use crate::calendar::WorkingCalendar;
use crate::escalation::{Ladder, PolicyBook};
use crate::id::{ActorId, OrgId};
use crate::matter::ServiceCategory;
use crate::org::{Capability, Need, Org, OrgGraph, OrgKind, Relation, Validity};
use crate::service::supervision_policy;
use crate::tier::Tier;
use crate::vocabulary::Name;

/// Noise (噪声扰民).
pub const NOISE: Need = Capability::Service(ServiceCategory::from_static("noise"));
/// City appearance: stalls, clutter, blocked lanes (市容).
pub const CITY_APPEARANCE: Need =
    Capability::Service(ServiceCategory::from_static("city_appearance"));
/// Street lighting (路灯).
pub const STREET_LIGHTING: Need =
    Capability::Service(ServiceCategory::from_static("street_lighting"));

/// The Longgang 12345 centre, which dispatches.
pub const CENTRE: &str = "longgang-12345";
/// Pinghu subdistrict: it mends street lights itself.
pub const PINGHU: &str = "pinghu";
/// Huanan City, the estate-tier park where the requests arise.
pub const HUANAN_CITY: &str = "huanan-city";
/// A grid of Huanan City.
pub const GRID: &str = "huanan-grid-3";
/// Pinghu's urban management office: city appearance.
pub const URBAN: &str = "pinghu-urban";
/// Pinghu's environment office: noise.
pub const ENVIRONMENT: &str = "pinghu-environment";
/// Huanan City's property management company: city appearance inside the
/// park.
pub const PROPERTY: &str = "huanan-property";
/// The Longgang street lighting office: it maintains the district's main
/// roads' lights.
pub const LIGHTING: &str = "longgang-lighting";
/// The Longgang market supervision bureau: it handles none of the three.
pub const MARKET: &str = "longgang-market";
/// The Huanan City merchants' council.
pub const COUNCIL: &str = "huanan-merchants";

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap_or_else(|e| panic!("sample id {s}: {e:?}"))
}

/// The sample organisation graph: Shenzhen → Longgang → Pinghu → the Huanan
/// City commercial district → Huanan City → grid 3; the 12345 centre, the
/// urban management and environment offices, the lighting office and the
/// market bureau; the
/// park's property company and the merchants' council.
///
/// # Panics
///
/// Never: the sample is checked by this crate's tests.
pub fn huanan_graph() -> OrgGraph {
    let since = Validity::since(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default());
    let mut graph = OrgGraph::new();
    let custom = |name: &'static str| OrgKind::Custom(Name::from_static(name));
    for org in [
        Org::new(id("shenzhen"), "Shenzhen", OrgKind::Municipality),
        Org::new(id("longgang"), "Longgang district", OrgKind::District),
        Org::new(id(PINGHU), "Pinghu subdistrict", OrgKind::Subdistrict)
            .with_capability(STREET_LIGHTING),
        Org::new(
            id("huanan-district"),
            "Huanan City commercial district",
            OrgKind::CommercialDistrict,
        ),
        Org::new(id(HUANAN_CITY), "Huanan City", OrgKind::IndustrialPark),
        Org::new(id(GRID), "Huanan City grid 3", OrgKind::Grid),
        Org::new(
            id(CENTRE),
            "Longgang 12345 hotline centre",
            OrgKind::ComprehensiveGovernanceCentre,
        ),
        Org::new(
            id(URBAN),
            "Pinghu urban management office",
            custom("urban_management"),
        )
        .with_capability(CITY_APPEARANCE),
        Org::new(
            id(ENVIRONMENT),
            "Pinghu environment office",
            custom("environment_office"),
        )
        .with_capability(NOISE),
        Org::new(
            id(PROPERTY),
            "Huanan City property management",
            OrgKind::PropertyManagementCompany,
        )
        .with_capability(CITY_APPEARANCE),
        Org::new(
            id(LIGHTING),
            "Longgang street lighting office",
            custom("lighting_office"),
        )
        .with_capability(STREET_LIGHTING),
        Org::new(
            id(MARKET),
            "Longgang market supervision bureau",
            OrgKind::AdministrativeServiceCentre,
        )
        .with_capability(Capability::Service(ServiceCategory::PermitsAndLicences)),
        Org::new(
            id(COUNCIL),
            "Huanan City merchants' council",
            OrgKind::MerchantsCouncil,
        ),
    ] {
        graph
            .try_add_org(org)
            .unwrap_or_else(|e| panic!("sample graph: {e}"));
    }
    for (from, relation, to) in [
        ("longgang", Relation::PartOf, "shenzhen"),
        (PINGHU, Relation::PartOf, "longgang"),
        ("huanan-district", Relation::PartOf, PINGHU),
        (HUANAN_CITY, Relation::PartOf, "huanan-district"),
        (GRID, Relation::PartOf, HUANAN_CITY),
        (CENTRE, Relation::Serves(since), "longgang"),
        (URBAN, Relation::Serves(since), PINGHU),
        (ENVIRONMENT, Relation::Serves(since), PINGHU),
        (PROPERTY, Relation::Serves(since), HUANAN_CITY),
        (MARKET, Relation::Serves(since), "longgang"),
        (LIGHTING, Relation::Serves(since), "longgang"),
    ] {
        graph
            .try_link(&id(from), relation, &id(to))
            .unwrap_or_else(|e| panic!("sample graph: {e}"));
    }
    graph
}

/// The sample workflow: the Longgang 12345 centre on [`huanan_graph`], the
/// PRC working calendar, the default terms and working hours, and a
/// [`supervision_policy`] that keeps overdue orders under supervision at
/// the subdistrict tier.
///
/// # Panics
///
/// Never: the sample is checked by this crate's tests.
pub fn huanan_work_orders() -> WorkOrder {
    let policy = supervision_policy(id("huanan-12345"), 1, Tier::Subdistrict)
        .unwrap_or_else(|e| panic!("sample policy: {e}"));
    let ladder = Ladder::new(
        Arc::new(PolicyBook::new(policy)),
        Arc::new(huanan_graph()),
        Arc::new(WorkingCalendar::prc()),
    );
    WorkOrder::try_new(id(CENTRE), ladder).unwrap_or_else(|e| panic!("sample work orders: {e}"))
}

/// A dispatcher of the 12345 centre (`dispatcher-wu`).
pub fn dispatcher() -> Actor {
    Actor::new(id("dispatcher-wu"))
        .with_role(DISPATCHER)
        .acting_for(id(CENTRE))
}

/// An officer of `body` (`officer-<body>`), a member who may sign for,
/// return, reply and take on.
pub fn member(body: &str) -> Actor {
    Actor::new(id::<ActorId>(&format!("officer-{body}")))
        .with_role(Role::DepartmentOfficer)
        .acting_for(id::<OrgId>(body))
}

/// A resident or enterprise asking, with the party role.
pub fn requester(actor: &str) -> Actor {
    Actor::new(id(actor)).with_role(Role::Party)
}

/// A grid worker of grid 3 (`gw-3`).
pub fn grid_worker() -> Actor {
    Actor::new(id("gw-3"))
        .with_role(Role::GridWorker)
        .acting_for(id(GRID))
}

/// Pinghu's party secretary, who hears requests face to face
/// (`secretary-pinghu`).
pub fn secretary() -> Actor {
    Actor::new(id("secretary-pinghu"))
        .with_role(Role::Officer(Tier::Subdistrict))
        .acting_for(id(PINGHU))
}

/// The merchants' council's liaison (`liaison-chen`).
pub fn council_liaison() -> Actor {
    Actor::new(id("liaison-chen"))
        .with_role(COUNCIL_LIAISON)
        .acting_for(id(COUNCIL))
}

/// A supervisor, who approves extensions (`supervisor-he`).
pub fn supervisor() -> Actor {
    Actor::new(id("supervisor-he")).with_role(Role::Supervisor)
}
