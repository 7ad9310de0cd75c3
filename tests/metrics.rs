//! Governance metrics over hand-built histories with known answers: every
//! rate, every exclusion, the breakdowns, the medians, merging and export.

mod support {
    pub mod renovation;
}

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeDelta, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::dispute::{
    Channel, DeclineReason, DisputeEvent as D, FailureReason, ObligationPerformance, Party, Remedy,
    Routes, Satisfaction, Selection,
};
use grassroots::escalation::{
    Band, Escalated, EscalationReason, LadderEvent, Override, PolicyRef, Referral, Started,
};
use grassroots::id::{ActorId, OrgId};
use grassroots::matter::{DisputeKind, ServiceCategory};
use grassroots::metrics::{
    AgreementOutcome, CaseFacts, CaseType, Exclusion, Figures, GovernanceMetrics, RESPONSE_LIMIT,
};
use grassroots::org::{Need, Route, RouteReason};
use grassroots::service::{Mode, Note, Request, Review, ServiceRequestEvent as S, Submission};
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::{Case, Context, Recorded};
use support::renovation::{
    COMMITTEE_MEMBER, Command as R, RENOVATION, RenovationFiling, Verdict, estate_graph,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn hours(h: i64) -> DateTime<Utc> {
    t0() + Duration::hours(h)
}

fn org(s: &str) -> OrgId {
    s.parse().unwrap()
}

fn actor(s: &str) -> ActorId {
    s.parse().unwrap()
}

/// Numbers the events from 1, each at its own time.
fn history<E>(events: Vec<(DateTime<Utc>, E)>) -> Vec<Recorded<E>> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, (at, event))| Recorded {
            seq: i as u64 + 1,
            at,
            actor: actor("someone"),
            correlation: None,
            event,
        })
        .collect()
}

fn reported(kind: DisputeKind) -> D {
    D::from(grassroots::dispute::Reported {
        kind,
        parties: vec![Party::person(actor("li")), Party::person(actor("wang"))],
        location: org("e1"),
        channel: Channel::Party,
        severity: Severity::Minor,
        received_at: t0(),
        labour_deadline: None,
    })
}

fn route(handler: &str, tier: Tier, area: &str) -> Route {
    Route {
        handler: org(handler),
        tier,
        area: org(area),
        reason: RouteReason::Serves { area: org(area) },
    }
}

/// The ladder starts at the estate's team; the band is minor's (estate up
/// to the estate); the tier is due `due_hours` after the start.
fn started(at: DateTime<Utc>, due_hours: i64) -> D {
    D::from(LadderEvent::Started(Started {
        location: org("e1"),
        need: Need::Mediation(DisputeKind::Neighbour),
        severity: Severity::Minor,
        policy: PolicyRef {
            id: "report-default".parse().unwrap(),
            version: 1,
        },
        band: Band::new(Tier::Estate, Tier::Estate),
        route: route("mt-e1", Tier::Estate, "e1"),
        at,
        due: Some(at + Duration::hours(due_hours)),
    }))
}

fn escalated(at: DateTime<Utc>, reason: EscalationReason, overridden: bool) -> D {
    D::from(LadderEvent::Escalated(Escalated {
        from: Tier::Estate,
        to: Tier::Community,
        reason,
        route: route("med-c1", Tier::Community, "c1"),
        at,
        due: Some(at + Duration::hours(240)),
        overridden: overridden.then(|| Override {
            by: actor("off.c"),
            justification: "the parties asked".to_owned(),
        }),
    }))
}

fn resolved(at: DateTime<Utc>, tier: Tier, handler: &str) -> D {
    D::from(LadderEvent::Resolved {
        tier,
        handler: org(handler),
        at,
    })
}

fn accepted(body: &str, tier: Tier) -> D {
    D::Accepted {
        body: org(body),
        tier,
        labour_deadline: None,
    }
}

fn mediated() -> D {
    D::MediatorsAssigned {
        mediators: vec![actor("med.1")],
        selection: Selection::Roster,
    }
}

/// A dispute accepted after `respond` hours, resolved at the estate after
/// `resolve` hours (the estate is due after 120 hours) and rated.
fn settled(respond: i64, resolve: i64, rating: Satisfaction) -> Vec<Recorded<D>> {
    history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (hours(respond), started(hours(respond), 120)),
        (hours(respond), accepted("mt-e1", Tier::Estate)),
        (hours(respond + 1), mediated()),
        (hours(respond + 2), D::SessionRecorded { number: 1 }),
        (
            hours(resolve),
            D::AgreementTookEffect {
                at: hours(resolve),
                confirmation_due: hours(resolve + 720),
            },
        ),
        (
            hours(resolve),
            resolved(hours(resolve), Tier::Estate, "mt-e1"),
        ),
        (hours(resolve + 200), D::AgreementFulfilled),
        (hours(resolve + 300), D::FollowedUp { rating }),
    ])
}

/// Settled at the estate, then breached: Wang does not perform.
fn breached() -> Vec<Recorded<D>> {
    let mut h = settled(2, 50, Satisfaction::Dissatisfied);
    h.truncate(7);
    h.extend(history(vec![(
        hours(250),
        D::AgreementBreached {
            obligation: None,
            performance: ObligationPerformance::NotPerformed,
            remedies: vec![Remedy::Litigation],
        },
    )]));
    renumber(h)
}

/// Mediated at the estate; then a party withdraws.
fn withdrawn_in_mediation() -> Vec<Recorded<D>> {
    history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (hours(2), started(hours(2), 120)),
        (hours(2), accepted("mt-e1", Tier::Estate)),
        (hours(3), mediated()),
        (
            hours(20),
            D::Withdrawn {
                party: actor("li"),
                routes: Routes::open_for(DisputeKind::Neighbour),
            },
        ),
    ])
}

/// Mediated at the estate, failed, referred to litigation.
fn failed_and_referred() -> Vec<Recorded<D>> {
    history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (hours(2), started(hours(2), 120)),
        (hours(2), accepted("mt-e1", Tier::Estate)),
        (hours(3), mediated()),
        (
            hours(40),
            D::MediationFailed {
                reason: FailureReason::NoAgreementReached,
                routes: Routes::open_for(DisputeKind::Neighbour),
            },
        ),
        (
            hours(41),
            D::Referred {
                to: Referral::Litigation,
                ground: None,
                routes: Routes::open_for(DisputeKind::Neighbour),
            },
        ),
    ])
}

fn renumber(h: Vec<Recorded<D>>) -> Vec<Recorded<D>> {
    h.into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.seq = i as u64 + 1;
            r
        })
        .collect()
}

#[test]
fn mediation_success_is_agreements_over_mediated_cases_the_withdrawn_left_out() {
    let mut m = GovernanceMetrics::new();
    for h in [
        settled(2, 50, Satisfaction::Satisfied),
        failed_and_referred(),
        withdrawn_in_mediation(),
        // Reported, never mediated.
        history(vec![(t0(), reported(DisputeKind::Neighbour))]),
    ] {
        m.observe_dispute(&h);
    }
    let total = m.total();
    // The withdrawn case was mediated, but is in neither count: a
    // withdrawal is the party's right, not an outcome of the mediation.
    assert_eq!(total.withdrawn(), 1);
    assert_eq!((total.mediated(), total.agreements()), (2, 1));
    assert_eq!(total.mediation_success_rate(), Some(0.5));
    assert_eq!(total.rates().mediation_success, Some(0.5));
    let f = facts(&withdrawn_in_mediation());
    assert!(f.mediated);
    assert_eq!(f.excluded, Some(Exclusion::Withdrawn));
    // An oral agreement is an agreement in effect too (PML art. 30).
    let oral = history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (hours(2), started(hours(2), 120)),
        (hours(2), accepted("mt-e1", Tier::Estate)),
        (hours(3), mediated()),
        (
            hours(4),
            D::OralAgreementReached {
                content: "Quiet after ten.".into(),
                mediator: actor("qian"),
                at: hours(4),
            },
        ),
    ]);
    assert_eq!(facts(&oral).agreement, Some(AgreementOutcome::Pending));
    // Service requests are never mediated: no rate.
    let mut requests = GovernanceMetrics::new();
    requests.observe_service_request(&handled(3, 40, &[]));
    assert_eq!(requests.total().mediation_success_rate(), None);
}

#[test]
fn pml_art_31_performance_rate_is_fulfilled_over_agreements_in_effect() {
    let mut m = GovernanceMetrics::new();
    for h in [
        settled(2, 50, Satisfaction::Satisfied),
        breached(),
        // In effect, performance not yet recorded: in the denominator.
        climbed(EscalationReason::HandlingFailed, false),
        failed_and_referred(),
    ] {
        m.observe_dispute(&h);
    }
    let total = m.total();
    assert_eq!((total.agreements(), total.performed()), (3, 1));
    assert_eq!(total.performance_rate(), Some(1.0 / 3.0));
    assert_eq!(
        facts(&breached()).agreement,
        Some(AgreementOutcome::Breached)
    );
    assert_eq!(
        facts(&settled(2, 50, Satisfaction::Satisfied)).agreement,
        Some(AgreementOutcome::Fulfilled)
    );
    // By tier, the same counts fold.
    assert_eq!(m.by_tier(Tier::Estate).performed(), 1);
    assert_eq!(m.by_tier(Tier::Community).agreements(), 1);
}

#[test]
fn merging_two_folds_keeps_the_mediation_and_performance_counts() {
    let histories = [
        settled(2, 50, Satisfaction::Satisfied),
        breached(),
        withdrawn_in_mediation(),
        failed_and_referred(),
        climbed(EscalationReason::TimedOut, false),
    ];
    let mut one = GovernanceMetrics::new();
    let (mut a, mut b) = (GovernanceMetrics::new(), GovernanceMetrics::new());
    for (i, h) in histories.iter().enumerate() {
        one.observe_dispute(h);
        if i % 2 == 0 { &mut a } else { &mut b }.observe_dispute(h);
    }
    a.merge(b);
    assert_eq!(a.total(), one.total());
    for tier in Tier::ALL {
        assert_eq!(a.by_tier(tier), one.by_tier(tier));
    }
    let total = a.total();
    assert_eq!(
        (total.mediated(), total.agreements(), total.performed()),
        (4, 3, 1)
    );
    // Figures read back as written.
    let json = serde_json::to_string(total).unwrap();
    assert_eq!(serde_json::from_str::<Figures>(&json).unwrap(), *total);
}

#[test]
fn stored_figures_with_more_agreements_than_mediations_are_refused() {
    let error =
        serde_json::from_str::<Figures>(r#"{"received": 2, "mediated": 1, "agreements": 2}"#)
            .unwrap_err()
            .to_string();
    assert!(
        error.contains("agreements is 2, more than mediated (1)"),
        "{error}"
    );
    let error = serde_json::from_str::<Figures>(
        r#"{"received": 2, "mediated": 2, "agreements": 1, "performed": 2}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("performed is 2, more than agreements (1)"),
        "{error}"
    );
    let error = serde_json::from_str::<Figures>(r#"{"received": 1, "mediated": 2}"#)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("mediated is 2, more than eligible (1)"),
        "{error}"
    );
}

fn facts(h: &[Recorded<D>]) -> CaseFacts {
    CaseFacts::from_dispute(h).expect("a reported dispute")
}

#[test]
fn a_dispute_answered_and_settled_in_time_scores_on_every_rate() {
    let f = facts(&settled(2, 50, Satisfaction::Satisfied));
    assert_eq!(f.case_type, CaseType::Dispute);
    assert_eq!(f.need, Need::Mediation(DisputeKind::Neighbour));
    assert_eq!(f.body, Some(org("mt-e1")));
    assert_eq!(f.tier, Some(Tier::Estate));
    assert_eq!(f.excluded, None);
    assert!(f.responded && f.resolved && !f.overdue);
    assert_eq!(f.resolved_on_time, Some(true));
    assert_eq!(f.within_ceiling, Some(true));
    assert_eq!((f.ratings, f.satisfied), (1, 1));
    // Time at the estate: from the ladder's start to the resolution.
    assert_eq!(f.ladder.time_per_tier[&Tier::Estate], TimeDelta::hours(48));

    let mut m = GovernanceMetrics::new();
    m.observe_dispute(&settled(2, 50, Satisfaction::Satisfied));
    let d = m.by_case_type(CaseType::Dispute);
    assert_eq!(d.response_rate(), Some(1.0));
    assert_eq!(d.resolution_rate(), Some(1.0));
    assert_eq!(d.satisfaction_rate(), Some(1.0));
    assert_eq!(d.on_time_rate(), Some(1.0));
    assert_eq!(d.within_ceiling_rate(), Some(1.0));
    assert_eq!(
        m.by_case_type(CaseType::ServiceRequest),
        &Figures::default()
    );
}

#[test]
fn a_response_counts_only_within_twenty_four_hours() {
    assert_eq!(RESPONSE_LIMIT, TimeDelta::hours(24));
    assert!(facts(&settled(24, 50, Satisfaction::Satisfied)).responded);
    assert!(!facts(&settled(25, 50, Satisfaction::Satisfied)).responded);
}

#[test]
fn resolving_after_the_tier_is_due_is_late() {
    // Started at hour 2, due 120 hours later: resolved at hour 130.
    let f = facts(&settled(2, 130, Satisfaction::Satisfied));
    assert!(f.resolved);
    assert_eq!(f.resolved_on_time, Some(false));
}

#[test]
fn fairly_satisfied_counts_as_satisfied_and_dissatisfied_does_not() {
    let mut m = GovernanceMetrics::new();
    m.observe_dispute(&settled(2, 50, Satisfaction::Satisfied));
    m.observe_dispute(&settled(2, 50, Satisfaction::FairlySatisfied));
    m.observe_dispute(&settled(2, 50, Satisfaction::Dissatisfied));
    m.observe_dispute(&settled(2, 50, Satisfaction::Dissatisfied));
    let t = m.total();
    assert_eq!((t.ratings(), t.satisfied()), (4, 2));
    assert_eq!(t.satisfaction_rate(), Some(0.5));
}

#[test]
fn withdrawn_refused_duplicate_and_returned_disputes_leave_the_rates() {
    let withdrawn = history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (hours(1), started(hours(1), 120)),
        (hours(1), accepted("mt-e1", Tier::Estate)),
        (
            hours(5),
            D::Withdrawn {
                party: actor("li"),
                routes: Routes::NONE,
            },
        ),
        // Its follow-up visit is not counted either.
        (
            hours(100),
            D::FollowedUp {
                rating: Satisfaction::Dissatisfied,
            },
        ),
    ]);
    let refused = history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (
            hours(3),
            D::MediationRefused {
                party: actor("wang"),
                routes: Routes::open_for(DisputeKind::Neighbour),
            },
        ),
    ]);
    let declined = |reason| {
        history(vec![
            (t0(), reported(DisputeKind::Neighbour)),
            (
                hours(3),
                D::Declined {
                    body: org("mt-e1"),
                    tier: Tier::Estate,
                    reason,
                    routes: Routes::only(Referral::Litigation),
                },
            ),
        ])
    };
    assert_eq!(facts(&withdrawn).excluded, Some(Exclusion::Withdrawn));
    assert_eq!(facts(&refused).excluded, Some(Exclusion::Withdrawn));
    assert_eq!(
        facts(&declined(DeclineReason::PendingElsewhere)).excluded,
        Some(Exclusion::Duplicate)
    );
    assert_eq!(
        facts(&declined(DeclineReason::OutOfScope)).excluded,
        Some(Exclusion::Returned)
    );
    assert_eq!(
        facts(&declined(DeclineReason::NotMediableByLaw)).excluded,
        Some(Exclusion::Returned)
    );

    let mut m = GovernanceMetrics::new();
    m.observe_dispute(&settled(2, 50, Satisfaction::Satisfied));
    m.observe_dispute(&withdrawn);
    m.observe_dispute(&refused);
    m.observe_dispute(&declined(DeclineReason::PendingElsewhere));
    m.observe_dispute(&declined(DeclineReason::OutOfScope));
    let t = m.total();
    assert_eq!(t.received(), 5);
    assert_eq!((t.withdrawn(), t.duplicate(), t.returned()), (2, 1, 1));
    assert_eq!(t.excluded(), 4);
    assert_eq!(t.eligible(), 1);
    // Only the settled dispute is in the rates.
    assert_eq!(t.response_rate(), Some(1.0));
    assert_eq!(t.resolution_rate(), Some(1.0));
    assert_eq!((t.ratings(), t.satisfied()), (1, 1));
    // The declining body has a row, with its two declines excluded.
    let team = m.organisation(&org("mt-e1")).unwrap();
    assert_eq!((team.received(), team.excluded()), (4, 3));
    // The refused dispute named no body: it has no organisation or tier.
    assert_eq!(facts(&refused).body, None);
    assert_eq!(facts(&refused).tier, None);
}

#[test]
fn an_open_dispute_counts_against_the_rates() {
    let open = history(vec![(t0(), reported(DisputeKind::Labour))]);
    let mut m = GovernanceMetrics::new();
    m.observe_dispute(&settled(2, 50, Satisfaction::Satisfied));
    m.observe_dispute(&open);
    let t = m.total();
    assert_eq!(t.eligible(), 2);
    assert_eq!(t.response_rate(), Some(0.5));
    assert_eq!(t.resolution_rate(), Some(0.5));
    assert_eq!(t.on_time_rate(), Some(1.0)); // over resolved cases only
    assert_eq!(
        m.by_need(Need::Mediation(DisputeKind::Labour))
            .unwrap()
            .received(),
        1
    );
    // Counted in no tier and no organisation.
    let tiers: u64 = Tier::ALL.iter().map(|t| m.by_tier(*t).received()).sum();
    assert_eq!(tiers, 1);
    assert_eq!(m.organisations(), 1);
}

/// Failed at the estate, escalated to the community (within or past the
/// ceiling), resolved there.
fn climbed(reason: EscalationReason, overridden: bool) -> Vec<Recorded<D>> {
    history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (hours(2), started(hours(2), 120)),
        (hours(2), accepted("mt-e1", Tier::Estate)),
        (hours(3), mediated()),
        (
            hours(40),
            D::MediationFailed {
                reason: FailureReason::NoAgreementReached,
                routes: Routes::open_for(DisputeKind::Neighbour),
            },
        ),
        (hours(50), escalated(hours(50), reason, overridden)),
        (hours(60), accepted("med-c1", Tier::Community)),
        (hours(61), mediated()),
        (
            hours(110),
            D::AgreementTookEffect {
                at: hours(110),
                confirmation_due: hours(830),
            },
        ),
        (hours(110), resolved(hours(110), Tier::Community, "med-c1")),
    ])
}

#[test]
fn an_override_past_the_ceiling_is_resolved_outside_it() {
    let f = facts(&climbed(EscalationReason::HandlingFailed, true));
    assert_eq!(f.body, Some(org("med-c1")));
    assert_eq!(f.tier, Some(Tier::Community));
    assert_eq!(f.ladder.escalations, 1);
    assert_eq!(f.within_ceiling, Some(false)); // the ceiling was the estate
    assert!(!f.overdue);
    assert_eq!(f.ladder.time_per_tier[&Tier::Estate], TimeDelta::hours(48));
    assert_eq!(
        f.ladder.time_per_tier[&Tier::Community],
        TimeDelta::hours(60)
    );

    let mut m = GovernanceMetrics::new();
    m.observe_dispute(&settled(2, 50, Satisfaction::Satisfied));
    m.observe_dispute(&climbed(EscalationReason::HandlingFailed, true));
    let t = m.total();
    assert_eq!((t.ladder_resolved(), t.within_ceiling()), (2, 1));
    assert_eq!(t.within_ceiling_rate(), Some(0.5));
    assert_eq!(t.escalations(), 1);
    assert_eq!(m.by_tier(Tier::Community).received(), 1);
    assert_eq!(m.by_tier(Tier::Estate).received(), 1);
}

#[test]
fn timeouts_supervision_and_lapsed_labour_limits_are_overdue() {
    assert!(facts(&climbed(EscalationReason::TimedOut, false)).overdue);
    let supervised = history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (hours(2), started(hours(2), 120)),
        (hours(2), accepted("mt-e1", Tier::Estate)),
        (
            hours(130),
            D::from(LadderEvent::SupervisionReminded {
                tier: Tier::Estate,
                handler: org("mt-e1"),
                notice_due: hours(200),
            }),
        ),
    ]);
    assert!(facts(&supervised).overdue);
    let lapsed = history(vec![
        (t0(), reported(DisputeKind::Labour)),
        (
            hours(400),
            D::ArbitrationOpened {
                deadline: hours(360),
            },
        ),
    ]);
    assert!(facts(&lapsed).overdue);
    let mut m = GovernanceMetrics::new();
    for h in [&supervised, &lapsed] {
        m.observe_dispute(h);
    }
    m.observe_dispute(&settled(2, 50, Satisfaction::Satisfied));
    assert_eq!(m.total().overdue(), 2);
}

#[test]
fn a_referral_ends_the_time_at_the_tier() {
    let referred = history(vec![
        (t0(), reported(DisputeKind::Neighbour)),
        (hours(2), started(hours(2), 120)),
        (hours(2), accepted("mt-e1", Tier::Estate)),
        (
            hours(30),
            D::MediationFailed {
                reason: FailureReason::PartyAbsent,
                routes: Routes::open_for(DisputeKind::Neighbour),
            },
        ),
        (
            hours(32),
            D::Referred {
                to: Referral::Litigation,
                ground: None,
                routes: Routes::open_for(DisputeKind::Neighbour),
            },
        ),
        // The follow-up visit weeks later does not stretch the estate's time.
        (
            hours(500),
            D::FollowedUp {
                rating: Satisfaction::FairlySatisfied,
            },
        ),
    ]);
    let f = facts(&referred);
    assert!(!f.resolved && f.excluded.is_none());
    assert_eq!(f.ladder.time_per_tier[&Tier::Estate], TimeDelta::hours(30));
    assert_eq!((f.ratings, f.satisfied), (1, 1));
}

#[test]
fn the_median_time_per_tier_is_the_lower_median() {
    let mut m = GovernanceMetrics::new();
    for resolve in [10, 30, 20, 40] {
        m.observe_dispute(&settled(2, resolve, Satisfaction::Satisfied));
    }
    let at_estate = m.time_at(CaseType::Dispute, Tier::Estate);
    assert_eq!(at_estate.len(), 4);
    // 8, 18, 28, 38 hours at the estate: the lower median is 18.
    assert_eq!(
        m.median_time_at(CaseType::Dispute, Tier::Estate),
        Some(TimeDelta::hours(18))
    );
    assert_eq!(m.median_time_at(CaseType::Dispute, Tier::Community), None);
}

// ---- service requests ----

fn submitted(category: ServiceCategory) -> S {
    S::Submitted(Box::new(Submission {
        request: Request {
            item: "TX-001".parse().unwrap(),
            category,
            mode: Mode::Handle,
            hall: org("hall-1"),
            handling_body: org("hall-1"),
            working_days: 3,
            statutory_working_days: 3,
            applicant: actor("ap1"),
            agent: None,
            submitted_at: t0(),
        },
        required: vec!["id-card".parse().unwrap()],
        provided: vec!["id-card".parse().unwrap()],
        non_essential: Vec::new(),
        notice_due: None,
        attributes: Default::default(),
        description: None,
    }))
}

fn service_started(at: DateTime<Utc>) -> S {
    S::from(LadderEvent::Started(Started {
        location: org("s1"),
        need: Need::Service(ServiceCategory::TaxAndInvoicing),
        severity: Severity::Minor,
        policy: PolicyRef {
            id: "supervision".parse().unwrap(),
            version: 1,
        },
        band: Band::new(Tier::Subdistrict, Tier::Subdistrict),
        route: route("hall-1", Tier::Subdistrict, "s1"),
        at,
        due: Some(at + Duration::hours(72)),
    }))
}

fn note(s: &str) -> Note {
    Note::new(s).unwrap()
}

/// A request answered after `respond` hours, promised 72 hours after
/// acceptance, concluded after `conclude` hours, rated.
fn handled(respond: i64, conclude: i64, reviews: &[Review]) -> Vec<Recorded<S>> {
    let mut events = vec![
        (t0(), submitted(ServiceCategory::TaxAndInvoicing)),
        (
            hours(respond),
            S::Accepted {
                at: hours(respond),
                promised: hours(respond + 72),
            },
        ),
        (hours(respond), service_started(hours(respond))),
        (hours(respond + 1), S::ProcessingStarted),
        (hours(conclude), S::Completed),
        (hours(conclude + 1), S::Delivered),
    ];
    for (i, review) in reviews.iter().enumerate() {
        events.push((
            hours(conclude + 2 + i as i64),
            S::Rated {
                review: *review,
                comment: None,
            },
        ));
    }
    history(events)
}

fn request_facts(h: &[Recorded<S>]) -> CaseFacts {
    CaseFacts::from_service_request(h).expect("a submitted request")
}

#[test]
fn a_request_completed_in_time_and_praised_scores_on_every_rate() {
    let f = request_facts(&handled(3, 40, &[Review::Satisfied]));
    assert_eq!(f.case_type, CaseType::ServiceRequest);
    assert_eq!(f.need, Need::Service(ServiceCategory::TaxAndInvoicing));
    assert_eq!(f.body, Some(org("hall-1")));
    assert_eq!(f.tier, Some(Tier::Subdistrict));
    assert!(f.responded && f.resolved && !f.overdue);
    assert_eq!(f.resolved_on_time, Some(true));
    assert_eq!(f.within_ceiling, None); // a supervised request never resolves on the ladder
    assert_eq!((f.ratings, f.satisfied), (1, 1));
    // Time at the hall's tier: acceptance to completion.
    assert_eq!(
        f.ladder.time_per_tier[&Tier::Subdistrict],
        TimeDelta::hours(37)
    );
}

#[test]
fn a_supplement_request_is_the_halls_first_answer() {
    let h = history(vec![
        (t0(), submitted(ServiceCategory::TaxAndInvoicing)),
        (
            hours(5),
            S::SupplementRequested {
                materials: vec!["id-card".parse().unwrap()],
            },
        ),
        (
            hours(80),
            S::MaterialsSupplied {
                materials: vec!["id-card".parse().unwrap()],
            },
        ),
        (
            hours(81),
            S::Accepted {
                at: hours(81),
                promised: hours(150),
            },
        ),
    ]);
    assert!(request_facts(&h).responded);
    assert!(!request_facts(&handled(30, 60, &[])).responded);
}

#[test]
fn late_denied_overdue_and_badly_reviewed_requests() {
    // Promised at hour 75, completed at hour 80: late.
    assert_eq!(
        request_facts(&handled(3, 80, &[])).resolved_on_time,
        Some(false)
    );
    // A denial on the merits concludes the request.
    let denied = history(vec![
        (t0(), submitted(ServiceCategory::TaxAndInvoicing)),
        (
            hours(1),
            S::Accepted {
                at: hours(1),
                promised: hours(73),
            },
        ),
        (hours(2), S::ProcessingStarted),
        (
            hours(80),
            S::Overdue {
                deadline: hours(73),
            },
        ),
        (
            hours(90),
            S::Denied {
                reason: note("not eligible"),
                legal_basis: note("art. 7"),
            },
        ),
    ]);
    let f = request_facts(&denied);
    assert!(f.resolved && f.overdue);
    assert_eq!(f.resolved_on_time, Some(false));
    // A bad review, rework and a good one: every review counts.
    let mut m = GovernanceMetrics::new();
    m.observe_service_request(&handled(3, 40, &[Review::Dissatisfied, Review::Satisfied]));
    m.observe_service_request(&denied);
    let r = m.by_case_type(CaseType::ServiceRequest);
    assert_eq!((r.ratings(), r.satisfied()), (2, 1));
    assert_eq!(r.satisfaction_rate(), Some(0.5));
    assert_eq!(r.overdue(), 1);
    assert_eq!(r.on_time_rate(), Some(0.5));
    assert_eq!(r.resolution_rate(), Some(1.0));
}

#[test]
fn requests_refused_at_intake_or_withdrawn_leave_the_rates() {
    let refused = history(vec![
        (t0(), submitted(ServiceCategory::TalentSupport)),
        (
            hours(2),
            S::Refused {
                reason: note("not eligible"),
                legal_basis: note("art. 7"),
            },
        ),
    ]);
    let withdrawn = history(vec![
        (t0(), submitted(ServiceCategory::TalentSupport)),
        (
            hours(2),
            S::Accepted {
                at: hours(2),
                promised: hours(74),
            },
        ),
        (hours(3), S::Withdrawn { reason: None }),
    ]);
    assert_eq!(request_facts(&refused).excluded, Some(Exclusion::Returned));
    assert_eq!(
        request_facts(&withdrawn).excluded,
        Some(Exclusion::Withdrawn)
    );
    let mut m = GovernanceMetrics::new();
    m.observe_service_request(&refused);
    m.observe_service_request(&withdrawn);
    m.observe_service_request(&handled(3, 40, &[]));
    let t = m.total();
    assert_eq!(
        (t.received(), t.returned(), t.withdrawn(), t.duplicate()),
        (3, 1, 1, 0)
    );
    assert_eq!(t.resolution_rate(), Some(1.0));
    assert_eq!(t.satisfaction_rate(), None);
    // Both count under the hall; only the handled one has time at a tier.
    assert_eq!(m.organisation(&org("hall-1")).unwrap().received(), 3);
    assert_eq!(
        m.time_at(CaseType::ServiceRequest, Tier::Subdistrict).len(),
        1
    );
}

#[test]
fn histories_that_do_not_begin_with_a_report_or_submission_are_ignored() {
    let mut m = GovernanceMetrics::new();
    m.observe_dispute(&[]);
    m.observe_service_request(&history(vec![(t0(), S::Delivered)]));
    assert_eq!(m.total().received(), 0);
}

/// Histories of disputes and of service requests.
type Histories = (Vec<Vec<Recorded<D>>>, Vec<Vec<Recorded<S>>>);

fn everything() -> Histories {
    let disputes = vec![
        settled(2, 50, Satisfaction::Satisfied),
        settled(30, 150, Satisfaction::Dissatisfied),
        climbed(EscalationReason::HandlingFailed, true),
        climbed(EscalationReason::TimedOut, false),
        history(vec![(t0(), reported(DisputeKind::Commercial))]),
    ];
    let requests = vec![
        handled(3, 40, &[Review::Satisfied]),
        handled(30, 90, &[Review::Dissatisfied]),
        handled(1, 10, &[]),
    ];
    (disputes, requests)
}

#[test]
fn merging_two_folds_equals_one_fold() {
    let (disputes, requests) = everything();
    let mut one = GovernanceMetrics::new();
    for d in &disputes {
        one.observe_dispute(d);
    }
    for r in &requests {
        one.observe_service_request(r);
    }
    let (mut a, mut b) = (GovernanceMetrics::new(), GovernanceMetrics::new());
    for (i, d) in disputes.iter().enumerate() {
        if i % 2 == 0 { &mut a } else { &mut b }.observe_dispute(d);
    }
    for (i, r) in requests.iter().enumerate() {
        if i % 2 == 0 { &mut b } else { &mut a }.observe_service_request(r);
    }
    a.merge(b);
    assert_eq!(a.total(), one.total());
    for case_type in CaseType::ALL {
        assert_eq!(a.by_case_type(case_type), one.by_case_type(case_type));
        for tier in Tier::ALL {
            assert_eq!(a.by_tier(tier), one.by_tier(tier));
            assert_eq!(
                a.median_time_at(case_type, tier),
                one.median_time_at(case_type, tier)
            );
        }
    }
    assert!(a.by_organisation().eq(one.by_organisation()));
    assert!(a.needs().eq(one.needs()));
}

#[test]
fn the_report_and_the_export_show_every_row() {
    let (disputes, requests) = everything();
    let mut m = GovernanceMetrics::new();
    for d in &disputes {
        m.observe_dispute(d);
    }
    for r in &requests {
        m.observe_service_request(r);
    }
    let text = m.to_string();
    for row in [
        "all cases",
        "dispute",
        "service_request",
        "community",
        "mediation(neighbour)",
        "service(tax_and_invoicing)",
        "median time per tier",
    ] {
        assert!(text.contains(row), "{row} missing from\n{text}");
    }
    assert!(!text.contains("med-c1 "));
    assert!(format!("{m:#}").contains("med-c1"));

    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["total"]["received"], 8);
    assert_eq!(json["response_limit_hours"], 24);
    assert_eq!(json["by_case_type"]["dispute"]["received"], 5);
    assert!(json["by_case_type"]["dispute"]["rates"]["response"].is_number());
    assert_eq!(json["by_organisation"]["hall-1"]["received"], 3);
    assert_eq!(json["by_kind"]["mediation(commercial)"]["eligible"], 1);
    assert_eq!(json["time_per_tier"]["dispute"]["community"]["cases"], 2);
    assert!(json["time_per_tier"]["service_request"]["subdistrict"]["median_seconds"].is_number());
}

/// Renovation filings (a workflow of the user's own) with known answers:
/// one answered and approved in time and rated good, one answered late,
/// approved late and rated bad, one withdrawn, one still open.
fn filings() -> Vec<Case<RenovationFiling>> {
    let workflow = RenovationFiling::new(Arc::new(estate_graph()));
    let member = Actor::new(actor("owner-gao")).with_role(COMMITTEE_MEMBER);
    let manager = Actor::new(actor("pm-li")).with_role(Role::PropertyManager);
    let file = R::File {
        estate: org("mancheng"),
    };
    let script: [&[(i64, &Actor, R)]; 4] = [
        &[
            (2, &manager, R::Review),
            (30, &manager, R::Approve),
            (
                31,
                &member,
                R::Rate {
                    verdict: Verdict::Good,
                },
            ),
        ],
        &[
            (30, &manager, R::Review),
            (100, &manager, R::Approve),
            (
                101,
                &member,
                R::Rate {
                    verdict: Verdict::Bad,
                },
            ),
        ],
        &[(5, &member, R::Withdraw)],
        &[],
    ];
    script
        .iter()
        .enumerate()
        .map(|(i, steps)| {
            let mut case = Case::new(format!("RF-{i}").parse().unwrap());
            case.handle(&workflow, &file, &Context::new(t0(), &member))
                .unwrap();
            for (h, who, command) in steps.iter() {
                case.handle(&workflow, command, &Context::new(hours(*h), who))
                    .unwrap();
            }
            case
        })
        .collect()
}

#[test]
fn a_user_workflow_is_counted_under_its_own_case_type() {
    let own = CaseType::from_static("renovation_filing");
    let mut m = GovernanceMetrics::new();
    for case in filings() {
        m.observe_case::<RenovationFiling>(case.history());
    }
    let f = m.by_case_type(own);
    assert_eq!((f.received(), f.withdrawn(), f.eligible()), (4, 1, 3));
    assert_eq!(
        (f.responded(), f.resolved(), f.resolved_on_time()),
        (1, 2, 1)
    );
    assert_eq!((f.ratings(), f.satisfied()), (2, 1));
    assert_eq!(f.response_rate(), Some(1.0 / 3.0));
    assert_eq!(f.resolution_rate(), Some(2.0 / 3.0));
    assert_eq!(f.on_time_rate(), Some(0.5));
    assert_eq!(f.satisfaction_rate(), Some(0.5));
    // Its rows: the total, its kind of matter, its body and tier.
    assert_eq!(m.total(), f);
    assert_eq!(m.by_case_type(CaseType::Dispute).received(), 0);
    assert_eq!(m.by_need(Need::Service(RENOVATION)).unwrap().received(), 4);
    assert_eq!(m.organisation(&org("mancheng-oc")).unwrap().received(), 4);
    assert_eq!(m.by_tier(Tier::Estate).received(), 4);
    // Time per tier: 30 h and 100 h at the estate; the lower median.
    assert_eq!(m.time_at(own, Tier::Estate).len(), 2);
    assert_eq!(
        m.median_time_at(own, Tier::Estate),
        Some(TimeDelta::hours(30))
    );
    let types: Vec<CaseType> = m.case_types().map(|(c, _)| c).collect();
    assert_eq!(
        types,
        [
            CaseType::Dispute,
            CaseType::ServiceRequest,
            CaseType::WorkOrder,
            own
        ]
    );

    let text = m.to_string();
    assert!(text.contains("renovation_filing"), "{text}");
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["by_case_type"]["renovation_filing"]["received"], 4);
    assert_eq!(json["by_case_type"]["dispute"]["received"], 0);
    assert_eq!(json["by_kind"]["service(renovation_filing)"]["received"], 4);
    assert_eq!(
        json["time_per_tier"]["renovation_filing"]["estate"]["cases"],
        2
    );
}

#[test]
fn a_user_workflow_merges_with_the_crate_s_own() {
    let (disputes, requests) = everything();
    let own = CaseType::from_static("renovation_filing");
    let mut one = GovernanceMetrics::new();
    let (mut a, mut b) = (GovernanceMetrics::new(), GovernanceMetrics::new());
    for (i, case) in filings().iter().enumerate() {
        one.observe_case::<RenovationFiling>(case.history());
        if i % 2 == 0 { &mut a } else { &mut b }.observe_case::<RenovationFiling>(case.history());
    }
    for d in &disputes {
        one.observe_dispute(d);
        b.observe_dispute(d);
    }
    for r in &requests {
        one.observe_service_request(r);
        a.observe_service_request(r);
    }
    a.merge(b);
    assert_eq!(a.total(), one.total());
    assert!(a.case_types().eq(one.case_types()));
    assert_eq!(a.by_case_type(own).received(), 4);
    assert_eq!(a.total().received(), 4 + 8);
    for tier in Tier::ALL {
        assert_eq!(a.median_time_at(own, tier), one.median_time_at(own, tier));
    }
    // A custom case type nothing was counted under has empty figures.
    let never = CaseType::from_static("noise_complaint");
    assert_eq!(a.by_case_type(never), &Figures::default());
    assert!(a.time_at(never, Tier::Estate).is_empty());
}

// ---------------------------------------------------------------------------
// Hostile input (issue 18).
// ---------------------------------------------------------------------------

/// A dispute stepping between two tiers 2,000 times, its events
/// alternating between the two extremes of chrono's time, so one tier
/// gathers +500,000 years a step and the other as much below zero: such a
/// history is refused by replay, but the metrics fold any history they are
/// given.
fn alternating_between_the_extremes() -> Vec<Recorded<D>> {
    let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    let mut events = vec![
        (min, reported(DisputeKind::Neighbour)),
        (min, started(t0(), 1)),
    ];
    for i in 0..2_000 {
        let (at, to) = if i % 2 == 0 {
            (max, Tier::Community)
        } else {
            (min, Tier::Estate)
        };
        let mut step = escalated(t0(), EscalationReason::HandlingFailed, false);
        if let D::Ladder(ladder) = &mut step {
            if let LadderEvent::Escalated(e) = &mut **ladder {
                e.to = to;
            }
        }
        events.push((at, step));
    }
    events.push((max, resolved(max, Tier::Estate, "mt-e1")));
    history(events)
}

#[test]
fn governance_metrics_of_a_history_alternating_between_the_extremes_do_not_panic() {
    let h = alternating_between_the_extremes();
    let mut metrics = GovernanceMetrics::new();
    for _ in 0..1_000 {
        metrics.observe_dispute(&h);
    }
    let mut twice = metrics.clone();
    twice.merge(metrics.clone());
    assert_eq!(twice.total().received(), 2_000);
    let _ = twice.to_string();
    let _ = serde_json::to_string(&twice).unwrap();
}

#[test]
fn figures_with_more_excluded_than_received_are_refused_on_deserialisation() {
    use grassroots::metrics::FiguresError;
    let refused = |json: &str| {
        serde_json::from_str::<Figures>(json)
            .unwrap_err()
            .to_string()
    };
    assert!(
        refused(r#"{"received": 1, "withdrawn": 1, "returned": 1}"#)
            .contains("withdrawn + duplicate + returned is 2, more than received (1)")
    );
    let max = u64::MAX;
    assert!(
        refused(&format!(
            r#"{{"received": {max}, "withdrawn": {max}, "duplicate": {max}}}"#
        ))
        .contains("more than received")
    );
    for (json, part) in [
        (
            r#"{"received": 2, "withdrawn": 1, "responded": 2}"#,
            "responded",
        ),
        (r#"{"received": 2, "resolved": 3}"#, "resolved"),
        (r#"{"received": 2, "overdue": 3}"#, "overdue"),
        (
            r#"{"received": 2, "ladder_resolved": 3}"#,
            "ladder_resolved",
        ),
        (
            r#"{"received": 2, "resolved": 1, "resolved_on_time": 2}"#,
            "resolved_on_time",
        ),
        (
            r#"{"received": 2, "ladder_resolved": 1, "within_ceiling": 2}"#,
            "within_ceiling",
        ),
        (r#"{"ratings": 1, "satisfied": 2}"#, "satisfied"),
    ] {
        assert!(refused(json).starts_with(&format!("{part} is ")), "{json}");
    }
    assert!(serde_json::from_str::<Figures>(r#"{"received": -1}"#).is_err());
    assert!(serde_json::from_str::<Figures>(r#"{"recieved": 1}"#).is_err());
    // What add and merge build always reads back.
    let mut figures = Figures::default();
    figures.add(&facts(&settled(2, 50, Satisfaction::Satisfied)));
    let json = serde_json::to_string(&figures).unwrap();
    assert_eq!(serde_json::from_str::<Figures>(&json).unwrap(), figures);
    let error = FiguresError::PartExceedsWhole {
        part: "satisfied",
        value: 2,
        whole: "ratings",
        limit: 1,
    };
    assert_eq!(error.to_string(), "satisfied is 2, more than ratings (1)");
}

#[test]
fn figures_merged_near_u64_max_saturate_and_keep_their_rates_in_range() {
    let max = u64::MAX;
    let near: Figures = serde_json::from_str(&format!(
        r#"{{"received": {max}, "withdrawn": {}, "responded": {}, "resolved": {}, "ratings": {max}, "satisfied": {max}}}"#,
        max / 2,
        max / 2,
        max / 2
    ))
    .unwrap();
    let mut merged = near;
    merged.merge(&near);
    merged.merge(&near);
    assert_eq!(merged.received(), max);
    assert_eq!(merged.ratings(), max);
    assert_eq!(merged.eligible(), max - merged.excluded());
    let rates = merged.rates();
    assert_eq!(rates.satisfaction, Some(1.0));
    for rate in [
        rates.response,
        rates.resolution,
        rates.satisfaction,
        rates.on_time,
        rates.mediation_success,
        rates.performance,
    ] {
        assert!(rate.is_none_or(|r| (0.0..=1.0).contains(&r)), "{rate:?}");
    }
    let mut metrics = GovernanceMetrics::new();
    metrics.observe_dispute(&settled(2, 50, Satisfaction::Satisfied));
    let mut sum = metrics.clone();
    for _ in 0..3 {
        sum.merge(metrics.clone());
    }
    assert_eq!(sum.total().received(), 4);
}
