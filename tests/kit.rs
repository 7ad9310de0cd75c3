//! The testing kit on the Huanan City configuration: exploring the dispute
//! and service-request workflows reaches every declared transition but
//! those DESIGN.md lists, and exploration is deterministic.

mod support {
    pub mod dispute_fixture;
}

use chrono::Duration;
use grassroots::dispute::strategies::{self as dispute_strategies, Cast};
use grassroots::dispute::{Dispute, Party};
use grassroots::matter::DisputeKind;
use grassroots::service::{ServiceRequest, sample, strategies as service_strategies};
use grassroots::testing::{Budget, Guide, explore};
use support::dispute_fixture::*;

fn labour_cast() -> Cast {
    Cast::new(
        DisputeKind::Labour,
        id("huanan-park"),
        vec![
            Party::person(aid("li")),
            Party::enterprise(aid("acme-rep"), id("acme")),
        ],
        vec![aid("qian"), aid("zhao")],
    )
    .with_bodies([id("park-academy"), id("hehua-med"), id("pinghu-med")])
}

/// A state's `Debug` form without its times (`2026-01-05T09:00:00Z`):
/// states that differ only in when things happened count as one.
fn without_times<S: std::fmt::Debug>(state: &S) -> String {
    let text = format!("{state:?}");
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let time_char = |c: char| c.is_ascii_digit() || "-:TZ.+".contains(c);
    for c in text.chars().chain(std::iter::once(' ')) {
        if time_char(c) {
            token.push(c);
            continue;
        }
        if !(token.contains('T') && token.contains(':')) {
            out.push_str(&token);
        }
        token.clear();
        out.push(c);
    }
    out
}

fn dispute_guide(d: &Dispute) -> Guide<Dispute> {
    dispute_strategies::guide(d, &labour_cast())
        .gaps([Duration::hours(1), Duration::days(4), Duration::days(16)])
        .view(without_times)
}

fn service_guide(s: &ServiceRequest) -> Guide<ServiceRequest> {
    service_strategies::guide(s).view(without_times)
}

/// The transitions of the Huanan hall's table no exploration of it can
/// reach: its policy keeps service requests at the hall's tier
/// (`supervision_policy`), so the ladder reminds and issues notices but
/// never escalates (DESIGN.md, issue 20).
const SERVICE_OUT_OF_REACH: [&str; 4] = [
    "Accepted --Ladder.Escalated--> Accepted",
    "Forwarded --Ladder.Escalated--> Forwarded",
    "InProcess --Ladder.Escalated--> InProcess",
    "ExtensionRequested --Ladder.Escalated--> ExtensionRequested",
];

/// Depth 12 takes seconds in release and minutes unoptimised: run with
/// `cargo test --release --all-features --test kit`.
#[test]
#[cfg_attr(debug_assertions, ignore = "slow unoptimised: run with --release")]
fn exploring_the_huanan_dispute_reaches_every_declared_transition() {
    let d = dispute();
    let report = explore(&d, &dispute_guide(&d), Budget::depth(12));
    println!("{report}");
    assert!(report.violation.is_none(), "{report}");
    assert!(report.complete);
    assert!(report.undeclared().is_empty());
    // Referring an exhausted ladder out takes a mediation failed at every
    // tier up to the district: deeper than 12 commands (reached at 16). A
    // reported labour dispute has no deadline since the 15 days run from
    // acceptance (LDMAL art. 14): that transition is for stored histories.
    // A recusal that leaves a mediator behind needs two conflict-free
    // mediators; this cast's second (zhao) manages at Acme, so one is
    // assigned at a time (tests/dispute_props.rs reaches it with the
    // neighbours' cast).
    let unreachable: Vec<String> = report
        .unreachable()
        .iter()
        .map(|t| format!("{} --{}--> {}", t.from, t.event, t.to))
        .collect();
    assert_eq!(
        unreachable,
        [
            "Reported --ArbitrationOpened--> Reported",
            "Mediating --MediatorRecused--> Mediating",
            "MediationFailed --Ladder.ReferredOut--> MediationFailed"
        ],
        "{report}"
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "slow unoptimised: run with --release")]
fn exploring_the_huanan_service_hall_reaches_every_declared_transition_its_policy_allows() {
    let s = sample::huanan_city_service();
    let report = explore(&s, &service_guide(&s), Budget::depth(12));
    println!("{report}");
    assert!(report.violation.is_none(), "{report}");
    assert!(report.complete);
    assert!(report.undeclared().is_empty());
    let unreachable: Vec<String> = report
        .unreachable()
        .iter()
        .map(|t| format!("{} --{}--> {}", t.from, t.event, t.to))
        .collect();
    assert_eq!(unreachable, SERVICE_OUT_OF_REACH, "{report}");
}

#[test]
fn exploring_the_dispute_is_deterministic_for_a_seed_and_budget() {
    let d = dispute();
    let run = |seed| {
        let r = explore(
            &d,
            &dispute_guide(&d),
            Budget::depth(12).states(300).seed(seed),
        );
        (
            r.states,
            r.tried,
            r.depth,
            r.complete,
            r.coverage.exercised(),
        )
    };
    let first = run(42);
    assert!(!first.3, "the state budget cuts the walk short");
    assert_eq!(first, run(42));
    assert_eq!(run(0), run(0));
}

#[test]
fn a_shallow_exploration_of_the_service_hall_breaks_no_invariant() {
    let s = sample::huanan_city_service();
    let report = explore(&s, &service_guide(&s), Budget::depth(5));
    assert!(report.violation.is_none(), "{report}");
    assert!(report.complete);
    assert!(report.coverage.ratio() > 0.5, "{report}");
}
