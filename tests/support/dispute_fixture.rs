#![allow(unreachable_pub, dead_code)]
//! A small world for the dispute workflow's tests and benchmarks.
//!
//! ```text
//! longgang (district) ── longgang-med serves it
//!   pinghu (subdistrict) ── pinghu-med serves it
//!     hehua (community) ── hehua-med serves it; studio (commercial) serves it
//!       mancheng (housing estate, mediates neighbour and property disputes itself)
//!       huanan-park (industrial park) ── park-academy (the labour committee the academy hosts) serves it
//!         acme (enterprise in the park)
//! ```
//!
//! `pinghu-centre` (the comprehensive governance centre, early warning)
//! serves Pinghu.
//!
//! People: `li` (a worker, member of acme) and `acme-rep` (acts for acme);
//! trainee mediators `zhao` (academy, and a manager at acme: conflicted)
//! and `qian` (academy only); committee mediators `chen` and `sun`
//! (hehua-med); `ma` (hehua-med, and a member of shop 9: conflicted in its
//! disputes); `zhou` (pinghu-med); neighbours `wang` and `zhang`; the shop
//! `shop-9` (a merchant, acted for by `shopkeeper`); `fang` (the commercial
//! mediation studio's mediator); `he` (on the academy's roster until 10
//! March 2026).

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::WorkingCalendar;
use grassroots::dispute::{
    Channel, Dispute, DisputeCommand, DisputeEvent, Party, Report, Selection,
};
use grassroots::escalation::{Ladder, PolicyBook};
use grassroots::id::{ActorId, OrgId};
use grassroots::matter::DisputeKind;
use grassroots::org::{Capability, Org, OrgGraph, OrgKind, Relation, Validity};
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::{Case, Context};

pub fn id(s: &str) -> OrgId {
    OrgId::new(s).unwrap()
}

pub fn aid(s: &str) -> ActorId {
    ActorId::new(s).unwrap()
}

fn since() -> Validity {
    Validity::since(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())
}

pub fn graph() -> OrgGraph {
    let all_but_commercial = DisputeKind::ALL
        .into_iter()
        .filter(|k| *k != DisputeKind::Commercial)
        .map(Capability::Mediation);
    let all = DisputeKind::ALL.into_iter().map(Capability::Mediation);
    let mut g = OrgGraph::new();
    let orgs = [
        Org::new(id("longgang"), "Longgang district", OrgKind::District),
        Org::new(id("pinghu"), "Pinghu subdistrict", OrgKind::Subdistrict),
        Org::new(id("hehua"), "Hehua community", OrgKind::Community),
        Org::new(id("mancheng"), "Mancheng estate", OrgKind::HousingEstate).with_capabilities([
            Capability::Mediation(DisputeKind::Neighbour),
            Capability::Mediation(DisputeKind::PropertyManagement),
        ]),
        Org::new(
            id("huanan-park"),
            "Huanan City park",
            OrgKind::IndustrialPark,
        ),
        Org::new(
            id("hehua-med"),
            "Hehua mediation committee",
            OrgKind::MediationCommittee,
        )
        .with_capabilities(all_but_commercial),
        Org::new(
            id("studio"),
            "Commercial mediation studio",
            OrgKind::CommercialMediationStudio,
        )
        .with_capability(Capability::Mediation(DisputeKind::Commercial)),
        // The people's mediation committee the park's mediation academy
        // hosts (an academy trains; it does not mediate).
        Org::new(
            id("park-academy"),
            "Park people's mediation committee (hosted by the academy)",
            OrgKind::MediationCommittee,
        )
        .with_capability(Capability::Mediation(DisputeKind::Labour)),
        Org::new(
            id("pinghu-med"),
            "Pinghu mediation committee",
            OrgKind::MediationCommittee,
        )
        .with_capabilities(all.clone()),
        Org::new(
            id("longgang-med"),
            "Longgang mediation committee",
            OrgKind::MediationCommittee,
        )
        .with_capabilities(all),
        Org::new(
            id("pinghu-centre"),
            "Pinghu comprehensive governance centre",
            OrgKind::ComprehensiveGovernanceCentre,
        )
        .with_capability(Capability::EarlyWarning),
        Org::new(id("acme"), "Acme Electronics", OrgKind::Enterprise),
        Org::new(id("shop-9"), "Shop 9", OrgKind::Enterprise),
    ];
    for org in orgs {
        g.try_add_org(org).unwrap();
    }
    for (person, name) in [
        ("li", "Li (worker)"),
        ("acme-rep", "Acme's representative"),
        ("zhao", "Zhao (trainee mediator, Acme manager)"),
        ("qian", "Qian (trainee mediator)"),
        ("chen", "Chen (mediator)"),
        ("sun", "Sun (mediator)"),
        ("zhou", "Zhou (mediator)"),
        ("ma", "Ma (mediator, shop 9's landlord)"),
        ("fang", "Fang (commercial mediator)"),
        ("he", "He (mediator until 10 March 2026)"),
    ] {
        g.try_add_org(Org::new(
            id(&format!("p-{person}")),
            name,
            OrgKind::Person(aid(person)),
        ))
        .unwrap();
    }
    let links = [
        ("pinghu", Relation::PartOf, "longgang"),
        ("hehua", Relation::PartOf, "pinghu"),
        ("mancheng", Relation::PartOf, "hehua"),
        ("huanan-park", Relation::PartOf, "hehua"),
        ("hehua-med", Relation::Serves(since()), "hehua"),
        ("studio", Relation::Serves(since()), "hehua"),
        ("park-academy", Relation::Serves(since()), "huanan-park"),
        ("pinghu-med", Relation::Serves(since()), "pinghu"),
        ("pinghu-centre", Relation::Serves(since()), "pinghu"),
        ("longgang-med", Relation::Serves(since()), "longgang"),
        ("p-li", Relation::MemberOf(since()), "acme"),
        ("p-acme-rep", Relation::MemberOf(since()), "acme"),
        ("p-zhao", Relation::MemberOf(since()), "park-academy"),
        ("p-zhao", Relation::MemberOf(since()), "acme"),
        ("p-qian", Relation::MemberOf(since()), "park-academy"),
        ("p-chen", Relation::MemberOf(since()), "hehua-med"),
        ("p-sun", Relation::MemberOf(since()), "hehua-med"),
        ("p-zhou", Relation::MemberOf(since()), "pinghu-med"),
        ("p-ma", Relation::MemberOf(since()), "hehua-med"),
        ("p-ma", Relation::MemberOf(since()), "shop-9"),
        ("p-fang", Relation::MemberOf(since()), "studio"),
        (
            "p-he",
            Relation::MemberOf(since().ending(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap())),
            "park-academy",
        ),
    ];
    for (from, relation, to) in links {
        g.try_link(&id(from), relation, &id(to)).unwrap();
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

pub fn dispute() -> Dispute {
    Dispute::new(ladder())
}

/// Monday 2 March 2026, 09:00 in Shenzhen.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

pub fn minutes(n: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(n)
}

pub fn party(id: &str) -> Actor {
    Actor::new(aid(id)).with_role(Role::Party)
}

pub fn mediator(id: &str) -> Actor {
    Actor::new(aid(id)).with_role(Role::Mediator)
}

pub fn grid_worker() -> Actor {
    Actor::new(aid("gw-1")).with_role(Role::GridWorker)
}

/// An officer of `tier` acting for `body`.
pub fn officer(name: &str, tier: Tier, body: &str) -> Actor {
    Actor::new(aid(name))
        .with_role(Role::Officer(tier))
        .acting_for(id(body))
}

/// The academy's officer (it handles labour disputes in the park).
pub fn academy_officer() -> Actor {
    officer("officer-academy", Tier::Estate, "park-academy")
}

/// The community committee's officer.
pub fn committee_officer() -> Actor {
    officer("officer-hehua", Tier::Community, "hehua-med")
}

pub fn system() -> Actor {
    Actor::system()
}

/// The labour dispute: worker `li` against Acme, in the park.
pub fn labour_report() -> Report {
    Report {
        kind: DisputeKind::Labour,
        parties: vec![
            Party::person(aid("li")),
            Party::enterprise(aid("acme-rep"), id("acme")),
        ],
        location: id("huanan-park"),
        channel: Channel::Party,
        severity: Severity::Moderate,
    }
}

/// A neighbours' quarrel in Mancheng estate.
pub fn neighbour_report() -> Report {
    Report {
        kind: DisputeKind::Neighbour,
        parties: vec![Party::person(aid("wang")), Party::person(aid("zhang"))],
        location: id("mancheng"),
        channel: Channel::GridWorker,
        severity: Severity::Minor,
    }
}

/// A consumer's complaint against shop 9, reported at a secretary
/// face-to-face session; serious, so it starts at the community.
pub fn consumer_report() -> Report {
    Report {
        kind: DisputeKind::Consumer,
        parties: vec![
            Party::person(aid("wang")),
            Party::merchant(aid("shopkeeper"), id("shop-9")),
        ],
        location: id("mancheng"),
        channel: Channel::SecretaryFaceToFace,
        severity: Severity::Serious,
    }
}

/// A serious commercial dispute between two shops' keepers in Mancheng:
/// it starts at the community, where only the commercial mediation studio
/// mediates commercial disputes.
pub fn commercial_report() -> Report {
    Report {
        kind: DisputeKind::Commercial,
        parties: vec![
            Party::person(aid("wang")),
            Party::merchant(aid("shopkeeper"), id("shop-9")),
        ],
        location: id("mancheng"),
        channel: Channel::Party,
        severity: Severity::Serious,
    }
}

/// The two parties of the labour dispute.
pub fn labour_parties() -> [Actor; 2] {
    [party("li"), party("acme-rep")]
}

/// Drives a live case through `steps` and panics on the first refusal.
pub fn drive(dispute: &Dispute, steps: &[(Actor, DateTime<Utc>, DisputeCommand)]) -> Case<Dispute> {
    let mut case = Case::<Dispute>::new("D-1".parse().unwrap());
    for (actor, at, command) in steps {
        if let Err(e) = case.handle(dispute, command, &Context::new(*at, actor)) {
            panic!("{command:?} by {}: {e}", actor.id());
        }
    }
    case
}

/// The events of a case driven through `steps`.
pub fn events(
    dispute: &Dispute,
    steps: &[(Actor, DateTime<Utc>, DisputeCommand)],
) -> Vec<DisputeEvent> {
    drive(dispute, steps)
        .history()
        .iter()
        .map(|r| r.event.clone())
        .collect()
}

/// The commands that take the labour dispute to each state, at one-minute
/// steps from [`t0`].
pub mod path {
    use super::*;
    use grassroots::dispute::{DeclineReason, FailureReason, Performance, Routes, Satisfaction};
    use grassroots::escalation::Referral;

    pub type Steps = Vec<(Actor, DateTime<Utc>, DisputeCommand)>;

    pub fn reported() -> Steps {
        vec![(
            party("li"),
            minutes(0),
            DisputeCommand::Report(labour_report()),
        )]
    }

    pub fn accepted() -> Steps {
        let mut s = reported();
        s.push((academy_officer(), minutes(1), DisputeCommand::Accept));
        s
    }

    pub fn mediating() -> Steps {
        let mut s = accepted();
        s.push((
            academy_officer(),
            minutes(2),
            DisputeCommand::AssignMediators {
                mediators: vec![aid("qian")],
                selection: Selection::Roster,
            },
        ));
        s
    }

    pub fn mediating_with_session() -> Steps {
        let mut s = mediating();
        s.push((mediator("qian"), minutes(3), DisputeCommand::RecordSession));
        s
    }

    pub fn signing() -> Steps {
        let mut s = mediating_with_session();
        s.push((
            mediator("qian"),
            minutes(4),
            DisputeCommand::RecordAgreement {
                terms: "Acme pays the March wages by 20 March.".into(),
            },
        ));
        s
    }

    pub fn agreed() -> Steps {
        let mut s = signing();
        s.push((party("li"), minutes(5), DisputeCommand::Sign));
        s.push((party("acme-rep"), minutes(6), DisputeCommand::Sign));
        s.push((mediator("qian"), minutes(7), DisputeCommand::Sign));
        s
    }

    pub fn failed() -> Steps {
        let mut s = mediating_with_session();
        s.push((
            mediator("qian"),
            minutes(4),
            DisputeCommand::TerminateMediation {
                reason: FailureReason::NoAgreementReached,
            },
        ));
        s
    }

    pub fn escalated() -> Steps {
        let mut s = failed();
        s.push((academy_officer(), minutes(5), DisputeCommand::Escalate));
        s
    }

    pub fn fulfilled() -> Steps {
        let mut s = agreed();
        s.push((
            mediator("qian"),
            minutes(8),
            DisputeCommand::RecordPerformance {
                performance: Performance::Fulfilled,
            },
        ));
        s
    }

    pub fn breached() -> Steps {
        let mut s = agreed();
        s.push((
            mediator("qian"),
            minutes(8),
            DisputeCommand::RecordPerformance {
                performance: Performance::Breached,
            },
        ));
        s
    }

    pub fn referred() -> Steps {
        let mut s = failed();
        s.push((
            party("li"),
            minutes(5),
            DisputeCommand::Refer {
                to: Referral::Arbitration,
            },
        ));
        s
    }

    pub fn withdrawn() -> Steps {
        let mut s = mediating();
        s.push((party("acme-rep"), minutes(3), DisputeCommand::Withdraw));
        s
    }

    pub fn declined() -> Steps {
        let mut s = reported();
        s.push((
            academy_officer(),
            minutes(1),
            DisputeCommand::Decline {
                reason: DeclineReason::PendingElsewhere,
                routes: Routes::only(Referral::Arbitration),
            },
        ));
        s
    }

    pub fn refused() -> Steps {
        let mut s = reported();
        s.push((party("acme-rep"), minutes(1), DisputeCommand::Refuse));
        s
    }

    pub fn closed() -> Steps {
        let mut s = fulfilled();
        s.push((
            grid_worker(),
            minutes(9),
            DisputeCommand::RecordFollowUp {
                rating: Satisfaction::Satisfied,
            },
        ));
        s
    }

    /// Escalated to the community, accepted there, mediated by `chen` and
    /// failed again: at the ceiling of a moderate dispute.
    pub fn failed_at_community() -> Steps {
        let mut s = escalated();
        s.push((committee_officer(), minutes(6), DisputeCommand::Accept));
        s.push((
            committee_officer(),
            minutes(7),
            DisputeCommand::AssignMediators {
                mediators: vec![aid("chen")],
                selection: Selection::Roster,
            },
        ));
        s.push((mediator("chen"), minutes(8), DisputeCommand::RecordSession));
        s.push((
            mediator("chen"),
            minutes(9),
            DisputeCommand::TerminateMediation {
                reason: FailureReason::NoAgreementReached,
            },
        ));
        s
    }

    /// The steps to reach the state of kind `kind` (`"Unreported"` is no
    /// step at all).
    pub fn to(kind: &str) -> Steps {
        match kind {
            "Unreported" => Vec::new(),
            "Reported" => reported(),
            "Accepted" => accepted(),
            "Escalated" => escalated(),
            "Mediating" => mediating_with_session(),
            "Signing" => signing(),
            "Agreed" => agreed(),
            "MediationFailed" => failed(),
            "Fulfilled" => fulfilled(),
            "Breached" => breached(),
            "Referred" => referred(),
            "Withdrawn" => withdrawn(),
            "Declined" => declined(),
            "Refused" => refused(),
            "Closed" => closed(),
            other => panic!("no path to {other}"),
        }
    }
}
