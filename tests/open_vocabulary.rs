//! A city's own vocabulary, end to end: its own kinds of body, dispute
//! kinds, service categories, roles and workflow — in the graph, routed,
//! run as cases, recorded in the journal and counted in the metrics —
//! beside the report's names, which keep their typed rules and their JSON.

mod support {
    pub mod renovation;
}

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::WorkingCalendar;
use grassroots::dispute::{
    Channel, Dispute, DisputeCommand as C, DisputeEvent, DisputeState, Party, Performance, Report,
    Routes, Satisfaction, Selection,
};
use grassroots::escalation::{Ladder, PolicyBook, Referral};
use grassroots::id::{OrgId, TenantId};
use grassroots::journal::{self, EventStore, MemoryStore, StreamKey};
use grassroots::matter::{DisputeKind, ServiceCategory};
use grassroots::metrics::{CaseType, GovernanceMetrics};
use grassroots::org::{
    Capability, MediationOrganisation, Need, Org, OrgGraph, OrgGraphError, OrgKind, Relation,
    RouteReason, Validity,
};
use grassroots::service::{
    Catalogue, ServiceRequest, ServiceRequestCommand as S, supervision_policy,
};
use grassroots::tier::{Severity, Tier};
use grassroots::vocabulary::{Name, NameError, Vocabulary};
use grassroots::workflow::Context;
use serde_json::json;
use support::renovation::{
    COMMITTEE_MEMBER, Command as R, RENOVATION, RenovationFiling, Verdict, approval_limit,
};

/// The city's own kinds of body.
const LAW_FIRM: OrgKind = OrgKind::Custom(Name::from_static("law_firm"));
const TENANTS_ASSOCIATION: OrgKind = OrgKind::Custom(Name::from_static("tenants_association"));
/// The city's own dispute kinds.
const TENANCY: DisputeKind = DisputeKind::Custom(Name::from_static("tenancy"));
const NOISE_NUISANCE: DisputeKind = DisputeKind::Custom(Name::from_static("noise_nuisance"));
/// The city's own service category, read from the catalogue's text.
const ELEVATOR_RETROFIT: ServiceCategory = ServiceCategory::from_static("elevator_retrofit");

fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

/// Monday 2 March 2026, 09:00 in Shenzhen, plus `minutes`.
fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::minutes(minutes)
}

/// Hehua community and Mancheng estate; a law firm (the city's own kind)
/// mediating tenancy disputes for the community; a tenants' association
/// (another) mediating noise nuisances, with an id that sorts first; the
/// estate's owners' committee handling renovation filings; the community's
/// service hall handling elevator retrofits.
fn graph() -> OrgGraph {
    let since = Validity::since(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    let mut graph = OrgGraph::new();
    for org in [
        Org::new(id("hehua"), "Hehua community", OrgKind::Community),
        Org::new(id("mancheng"), "Mancheng estate", OrgKind::HousingEstate),
        // A custom kind mediates once declared a mediation organisation.
        Org::new(id("law-firm"), "Zhang & Partners law firm", LAW_FIRM)
            .as_mediation_organisation(MediationOrganisation::IndustryOrProfessional)
            .with_capability(Capability::Mediation(TENANCY)),
        Org::new(
            id("assoc-tenants"),
            "Hehua tenants' association",
            TENANTS_ASSOCIATION,
        )
        .as_mediation_organisation(MediationOrganisation::PeoplesMediationCommittee)
        .with_capability(Capability::Mediation(NOISE_NUISANCE)),
        Org::new(
            id("mancheng-oc"),
            "Mancheng owners' committee",
            OrgKind::OwnersCommittee,
        )
        .with_capability(Capability::Service(RENOVATION)),
        Org::new(
            id("hehua-hall"),
            "Hehua service hall",
            OrgKind::AdministrativeServiceCentre,
        )
        .with_capability(Capability::Service(ELEVATOR_RETROFIT)),
        Org::new(
            id("p-zhang"),
            "Zhang",
            OrgKind::Person("zhang".parse().unwrap()),
        ),
    ] {
        graph.try_add_org(org).unwrap();
    }
    for (from, relation, to) in [
        ("mancheng", Relation::PartOf, "hehua"),
        ("law-firm", Relation::Serves(since), "hehua"),
        ("assoc-tenants", Relation::Serves(since), "hehua"),
        ("mancheng-oc", Relation::Serves(since), "mancheng"),
        ("hehua-hall", Relation::Serves(since), "hehua"),
        ("p-zhang", Relation::MemberOf(since), "law-firm"),
    ] {
        graph.try_link(&id(from), relation, &id(to)).unwrap();
    }
    graph
}

#[test]
fn the_graph_routes_each_custom_need_to_the_body_that_declared_it() {
    let graph = graph();
    let tenancy = graph
        .route(
            &id("mancheng"),
            Tier::Community,
            &Need::Mediation(TENANCY),
            day(),
        )
        .unwrap();
    assert_eq!(tenancy.handler, id("law-firm"));
    assert_eq!(tenancy.reason, RouteReason::Serves { area: id("hehua") });
    // Custom kinds of dispute share a bit in the routing mask: the
    // association (first by id) mediates another custom kind, not this one.
    let noise = graph
        .route(
            &id("mancheng"),
            Tier::Community,
            &Need::Mediation(NOISE_NUISANCE),
            day(),
        )
        .unwrap();
    assert_eq!(noise.handler, id("assoc-tenants"));
    let renovation = graph
        .route(
            &id("mancheng"),
            Tier::Estate,
            &Need::Service(RENOVATION),
            day(),
        )
        .unwrap();
    assert_eq!(renovation.handler, id("mancheng-oc"));
    // Nobody declared a boundary dispute: no handler, named.
    let boundary = Need::Mediation(DisputeKind::from_static("boundary"));
    assert_eq!(
        graph.route(&id("mancheng"), Tier::Community, &boundary, day()),
        Err(OrgGraphError::NoHandler {
            location: id("mancheng"),
            tier: Tier::Community,
            need: boundary,
        })
    );
    assert!(
        graph
            .escalation_path(&id("mancheng"), &boundary, day())
            .unwrap()
            .is_empty()
    );
    // A custom body is a body: it serves areas; it cannot be part of one.
    assert!(graph.org(&id("law-firm")).unwrap().kind.class() == grassroots::org::KindClass::Body);
    let mut graph = graph;
    assert!(matches!(
        graph.try_link(&id("law-firm"), Relation::PartOf, &id("hehua")),
        Err(OrgGraphError::KindNotAllowed { .. })
    ));
    // The graph, custom kinds and capabilities included, survives JSON.
    let json = serde_json::to_string(&graph).unwrap();
    assert!(json.contains(r#""kind":"law_firm""#), "{json}");
    assert!(json.contains(r#"{"mediation":"tenancy"}"#), "{json}");
    assert_eq!(serde_json::from_str::<OrgGraph>(&json).unwrap(), graph);
}

#[test]
fn a_custom_kind_of_body_with_mediation_keeps_a_community_healthy() {
    let mut graph = OrgGraph::new();
    graph
        .try_add_org(Org::new(id("hehua"), "Hehua community", OrgKind::Community))
        .unwrap();
    let no_mediation = |g: &OrgGraph| {
        g.health(day())
            .findings
            .iter()
            .any(|f| matches!(f, grassroots::org::Finding::NoMediation { .. }))
    };
    assert!(no_mediation(&graph));
    graph
        .try_add_org(
            Org::new(id("law-firm"), "Law firm", LAW_FIRM)
                .as_mediation_organisation(MediationOrganisation::IndustryOrProfessional)
                .with_capability(Capability::Mediation(TENANCY)),
        )
        .unwrap();
    let since = Validity::since(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    graph
        .try_link(&id("law-firm"), Relation::Serves(since), &id("hehua"))
        .unwrap();
    assert!(!no_mediation(&graph));
}

#[test]
fn the_law_s_kinds_stay_typed_and_custom_kinds_get_the_non_commercial_routes() {
    assert_eq!(
        "labour".parse::<DisputeKind>().unwrap(),
        DisputeKind::Labour
    );
    assert!(matches!(
        Name::new("labour"),
        Err(NameError::Reserved { name: "labour" })
    ));
    assert_eq!(
        Routes::open_for(DisputeKind::Labour),
        Routes::only(Referral::Arbitration)
    );
    assert_eq!(
        Routes::open_for(TENANCY),
        Routes::only(Referral::Litigation).with(Referral::Administrative)
    );
}

#[test]
fn malformed_names_are_refused_by_every_vocabulary() {
    let err = "Law Firm".parse::<OrgKind>().unwrap_err();
    assert_eq!(err.vocabulary, Vocabulary::OrgKind);
    assert_eq!(err.reason, NameError::Character { found: 'L', at: 0 });
    assert_eq!("".parse::<Role>().unwrap_err().reason, NameError::Empty);
    assert_eq!(
        "x".repeat(33).parse::<DisputeKind>().unwrap_err().reason,
        NameError::TooLong { len: 33, max: 32 }
    );
    assert_eq!(
        "elevator retrofit"
            .parse::<ServiceCategory>()
            .unwrap_err()
            .vocabulary,
        Vocabulary::ServiceCategory
    );
    assert_eq!(
        "Noise".parse::<CaseType>().unwrap_err().vocabulary,
        Vocabulary::CaseType
    );
    for bad in [json!("law firm"), json!(""), json!("LAW")] {
        assert!(
            serde_json::from_value::<OrgKind>(bad.clone()).is_err(),
            "{bad}"
        );
        assert!(
            serde_json::from_value::<Role>(bad.clone()).is_err(),
            "{bad}"
        );
        assert!(
            serde_json::from_value::<DisputeKind>(bad.clone()).is_err(),
            "{bad}"
        );
        assert!(
            serde_json::from_value::<ServiceCategory>(bad.clone()).is_err(),
            "{bad}"
        );
        assert!(serde_json::from_value::<CaseType>(bad).is_err());
    }
}

#[test]
fn built_in_names_keep_their_json() {
    let golden = json!({
        "roles": ["party", "grid_worker", {"officer": "community"}, "supervisor"],
        "kinds": ["community", "mediation_committee", {"person": "A-1"}],
        "dispute_kinds": ["labour", "property_management", "other"],
        "categories": ["funding_support", "legal_services"],
        "case_types": ["dispute", "service_request", "work_order"],
    });
    let values = json!({
        "roles": [Role::Party, Role::GridWorker, Role::Officer(Tier::Community), Role::Supervisor],
        "kinds": [
            OrgKind::Community,
            OrgKind::MediationCommittee,
            OrgKind::Person("A-1".parse().unwrap()),
        ],
        "dispute_kinds": [DisputeKind::Labour, DisputeKind::PropertyManagement, DisputeKind::Other],
        "categories": [ServiceCategory::FundingSupport, ServiceCategory::LegalServices],
        "case_types": [CaseType::Dispute, CaseType::ServiceRequest, CaseType::WorkOrder],
    });
    assert_eq!(
        serde_json::to_string(&values).unwrap(),
        serde_json::to_string(&golden).unwrap()
    );
    let custom = json!([COMMITTEE_MEMBER, LAW_FIRM, TENANCY, ELEVATOR_RETROFIT]);
    assert_eq!(
        custom.to_string(),
        r#"["owners_committee_member","law_firm","tenancy","elevator_retrofit"]"#
    );
}

#[test]
fn a_city_s_own_vocabulary_runs_end_to_end() {
    let graph = Arc::new(graph());
    let calendar = Arc::new(WorkingCalendar::prc());
    let store = MemoryStore::new();
    let tenant: TenantId = "longgang".parse().unwrap();

    // A tenancy dispute (the city's own kind), routed to the law firm (the
    // city's own kind of body), mediated and settled; recorded in the journal.
    let dispute = Dispute::new(Ladder::new(
        PolicyBook::default(),
        graph.clone(),
        calendar.clone(),
    ));
    let tenant_wu = Actor::new("tenant-wu".parse().unwrap()).with_role(Role::Party);
    let landlord = Actor::new("landlord-he".parse().unwrap()).with_role(Role::Party);
    let officer = Actor::new("officer-lin".parse().unwrap())
        .with_role(Role::Officer(Tier::Community))
        .acting_for(id("law-firm"));
    let zhang = Actor::new("zhang".parse().unwrap()).with_role(Role::Mediator);
    let case_id = "LG-T-1".parse().unwrap();
    let report = C::Report(Report {
        kind: TENANCY,
        parties: vec![
            Party::person("tenant-wu".parse().unwrap()),
            Party::person("landlord-he".parse().unwrap()),
        ],
        location: id("mancheng"),
        channel: Channel::Party,
        severity: Severity::Serious,
    });
    let steps: Vec<(i64, &Actor, C)> = vec![
        (0, &tenant_wu, report),
        (30, &officer, C::Accept),
        (
            40,
            &officer,
            C::AssignMediators {
                mediators: vec!["zhang".parse().unwrap()],
                selection: Selection::Roster,
            },
        ),
        (60, &zhang, C::RecordSession),
        (
            90,
            &zhang,
            C::RecordAgreement {
                facts: "The landlord kept Wu's deposit.".into(),
                terms: "The deposit is returned by 31 March.".into(),
                obligations: Vec::new(),
            },
        ),
        (92, &officer, C::AffixSeal),
        (95, &tenant_wu, C::Sign),
        (96, &landlord, C::Sign),
        (97, &zhang, C::Sign),
        (
            60 * 24 * 20,
            &zhang,
            C::RecordPerformance {
                performance: Performance::Fulfilled,
            },
        ),
        (
            60 * 24 * 21,
            &zhang,
            C::RecordFollowUp {
                rating: Satisfaction::Satisfied,
            },
        ),
    ];
    for (minutes, who, command) in &steps {
        journal::execute(
            &store,
            &tenant,
            &dispute,
            &case_id,
            command,
            &Context::new(t(*minutes), who),
            3,
        )
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    }
    let settled = journal::load::<Dispute, _>(&store, &tenant, &case_id).unwrap();
    assert!(settled.is_terminal());
    assert!(matches!(
        settled.history()[0].event,
        DisputeEvent::Reported(ref report)
            if report.kind == TENANCY && report.labour_deadline.is_none()
    ));
    assert_eq!(settled.state().tier(), Some(Tier::Community));
    assert!(!matches!(settled.state(), DisputeState::Reported { .. }));
    let stream = StreamKey::of::<Dispute>(tenant.clone(), case_id.clone()).unwrap();
    let rows = store.read_stream(&stream, 0).unwrap();
    assert_eq!(rows[0].payload["kind"], "tenancy");

    // An elevator retrofit (the city's own category) read from the hall's
    // catalogue text, handled by the hall it routes to.
    let catalogue: Catalogue = serde_json::from_value(json!({
        "hall": "hehua-hall",
        "area": "hehua",
        "items": [{
            "code": "ER-001",
            "name": "Elevator retrofit for an existing building",
            "category": "elevator_retrofit",
            "mode": "accept",
            "handling_body": "hehua-hall",
            "working_days": 10,
        }],
    }))
    .unwrap();
    assert_eq!(catalogue.in_category(ELEVATOR_RETROFIT).count(), 1);
    let policy = supervision_policy("hehua-service".parse().unwrap(), 1, Tier::Community).unwrap();
    let service = ServiceRequest::try_new(
        Arc::new(catalogue),
        Ladder::new(PolicyBook::new(policy), graph.clone(), calendar.clone()),
    )
    .unwrap();
    let owner = Actor::new("owner-gao".parse().unwrap())
        .with_role(Role::Party)
        .with_role(COMMITTEE_MEMBER);
    let clerk = Actor::new("clerk-li".parse().unwrap())
        .with_role(Role::HallClerk)
        .acting_for(id("hehua-hall"));
    let request_id = "HH-1".parse().unwrap();
    let submit = S::Submit {
        item: "ER-001".parse().unwrap(),
        materials: vec![],
        attributes: Default::default(),
        description: None,
    };
    for (minutes, who, command) in [
        (0, &owner, &submit),
        (60, &clerk, &S::Accept),
        (120, &clerk, &S::StartProcessing),
        (60 * 24 * 3, &clerk, &S::Complete),
    ] {
        journal::execute(
            &store,
            &tenant,
            &service,
            &request_id,
            command,
            &Context::new(t(minutes), who),
            3,
        )
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    }
    let request = journal::load::<ServiceRequest, _>(&store, &tenant, &request_id).unwrap();

    // A renovation filing: the user's own workflow, filed by an owners'
    // committee member (the city's own role) and routed by its own category.
    let filing = RenovationFiling::new(graph.clone());
    let manager = Actor::new("pm-sun".parse().unwrap()).with_role(Role::PropertyManager);
    let filing_id = "RF-1".parse().unwrap();
    let refused = journal::execute(
        &store,
        &tenant,
        &filing,
        &filing_id,
        &R::File {
            estate: id("mancheng"),
        },
        &Context::new(t(0), &manager),
        3,
    );
    assert!(
        refused.is_err(),
        "a property manager is no committee member"
    );
    for (minutes, who, command) in [
        (
            0,
            &owner,
            R::File {
                estate: id("mancheng"),
            },
        ),
        (60, &manager, R::Review),
        (60 * 24, &manager, R::Approve),
        (
            60 * 25,
            &owner,
            R::Rate {
                verdict: Verdict::Good,
            },
        ),
    ] {
        journal::execute(
            &store,
            &tenant,
            &filing,
            &filing_id,
            &command,
            &Context::new(t(minutes), who),
            3,
        )
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    }
    let filed = journal::load::<RenovationFiling, _>(&store, &tenant, &filing_id).unwrap();
    assert!(filed.is_terminal());

    // The metrics, folded from what the journal holds.
    let mut metrics = GovernanceMetrics::new();
    metrics.observe_case::<Dispute>(settled.history());
    metrics.observe_case::<ServiceRequest>(request.history());
    metrics.observe_case::<RenovationFiling>(filed.history());

    assert_eq!(metrics.total().received(), 3);
    assert_eq!(metrics.total().resolution_rate(), Some(1.0));
    let disputes = metrics.by_case_type(CaseType::Dispute);
    assert_eq!(
        (
            disputes.received(),
            disputes.resolved(),
            disputes.satisfied()
        ),
        (1, 1, 1)
    );
    assert_eq!(metrics.by_case_type(CaseType::ServiceRequest).resolved(), 1);
    let own = CaseType::from_static("renovation_filing");
    let filings = metrics.by_case_type(own);
    assert_eq!(
        (
            filings.received(),
            filings.responded(),
            filings.resolved_on_time()
        ),
        (1, 1, 1)
    );
    assert!(Duration::days(1) < approval_limit());

    assert_eq!(
        metrics
            .by_need(Need::Mediation(TENANCY))
            .unwrap()
            .received(),
        1
    );
    assert_eq!(
        metrics
            .by_need(Need::Service(ELEVATOR_RETROFIT))
            .unwrap()
            .received(),
        1
    );
    assert_eq!(
        metrics
            .by_need(Need::Service(RENOVATION))
            .unwrap()
            .received(),
        1
    );
    assert_eq!(metrics.organisation(&id("law-firm")).unwrap().resolved(), 1);
    assert_eq!(
        metrics.organisation(&id("hehua-hall")).unwrap().received(),
        1
    );
    assert_eq!(
        metrics.organisation(&id("mancheng-oc")).unwrap().received(),
        1
    );
    assert!(
        metrics
            .median_time_at(CaseType::Dispute, Tier::Community)
            .is_some()
    );
    assert_eq!(
        metrics.median_time_at(own, Tier::Estate),
        Some(Duration::days(1))
    );
    let text = metrics.to_string();
    for row in [
        "renovation_filing",
        "mediation(tenancy)",
        "service(elevator_retrofit)",
    ] {
        assert!(text.contains(row), "{row} missing from\n{text}");
    }
}
