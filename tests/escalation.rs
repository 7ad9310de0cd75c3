//! The escalation ladder as a user drives it: policy, ceilings, overrides,
//! ticks, supervision and reports.

mod support {
    pub mod ladder_fixture;
}

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::{TimeLimit, WorkingCalendar};
use grassroots::escalation::{
    Band, EscalationPolicy, EscalationReason, Ladder, LadderCommand, LadderError, LadderEvent,
    LadderState, LadderSummary, MatterReport, Outcome, PolicyBook, Referral, SeverityCause,
    Supervision,
};
use grassroots::escalation::{LadderCommandKind, LadderStateKind};
use grassroots::id::PolicyId;
use grassroots::matter::DisputeKind;
use grassroots::org::{Need, RouteReason};
use grassroots::testing::given;
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::{Case, CaseError, Context, Workflow};
use support::ladder_fixture::*;

const LABOUR: Need = Need::Mediation(DisputeKind::Labour);

fn start(severity: Severity) -> LadderCommand {
    LadderCommand::Start {
        location: id("grid-7"),
        need: LABOUR,
        severity,
        due: None,
    }
}

/// A ladder case started at `severity` by a grid worker on Monday.
fn started(ladder: &Ladder, severity: Severity) -> Case<Ladder> {
    let mut case = Case::<Ladder>::new("M-1".parse().unwrap());
    case.handle(
        ladder,
        &start(severity),
        &Context::new(monday(), &grid_worker()),
    )
    .unwrap();
    case
}

fn rung_of(case: &Case<Ladder>) -> &grassroots::escalation::Rung {
    case.state().rung().unwrap()
}

#[test]
fn start_routes_the_first_handler_and_stores_it_in_the_event() {
    let ladder = ladder();
    let case = started(&ladder, Severity::Minor);
    let LadderEvent::Started(s) = &case.history()[0].event else {
        panic!("{:?}", case.history());
    };
    assert_eq!(s.route.tier, Tier::Grid);
    assert_eq!(s.route.handler, id("grid-7"));
    assert_eq!(s.route.reason, RouteReason::Itself);
    assert_eq!(s.band, Band::new(Tier::Grid, Tier::Estate));
    assert_eq!(s.policy.version, 1);
    // Three working days counted from the next day: Tue, Wed, Thu; due at
    // the end of Thursday in Shenzhen.
    assert_eq!(
        s.due,
        Some(Utc.with_ymd_and_hms(2026, 3, 5, 16, 0, 0).unwrap())
    );
}

#[test]
fn a_ladder_state_reads_as_its_kind_tier_and_handler() {
    assert_eq!(LadderState::Idle.to_string(), "Idle");
    let ladder = ladder();
    let district = officer(Tier::Municipal);
    let at = |actor| Context::new(monday(), actor);

    let grid_officer = officer(Tier::Grid);
    let mut resolved = started(&ladder, Severity::Minor);
    assert_eq!(
        resolved.state().to_string(),
        "Handling at grid tier, grid-7"
    );
    resolved
        .handle(&ladder, &LadderCommand::Resolve, &at(&grid_officer))
        .unwrap();
    assert_eq!(
        resolved.state().to_string(),
        "Resolved at grid tier, grid-7"
    );

    let mut referred = started(&ladder, Severity::Critical);
    let escalate = LadderCommand::Escalate {
        reason: EscalationReason::HandlingFailed,
    };
    for _ in 0..2 {
        referred.handle(&ladder, &escalate, &at(&district)).unwrap();
    }
    let over = LadderCommand::Override {
        reason: EscalationReason::HandlingFailed,
        justification: "district-wide".into(),
    };
    referred.handle(&ladder, &over, &at(&district)).unwrap();
    let handler = rung_of(&referred).handler().clone();
    assert_eq!(
        referred.state().to_string(),
        format!("Exhausted at district tier, {handler}")
    );
    let refer = LadderCommand::ReferOut {
        to: Referral::Litigation,
    };
    referred.handle(&ladder, &refer, &at(&district)).unwrap();
    assert_eq!(
        referred.state().to_string(),
        format!("ReferredOut to litigation from district tier, {handler}")
    );
}

#[test]
fn a_moderate_matter_starts_at_the_estate() {
    let case = started(&ladder(), Severity::Moderate);
    assert_eq!(rung_of(&case).tier(), Tier::Estate);
    assert_eq!(*rung_of(&case).handler(), id("huanan-park"));
}

#[test]
fn escalation_within_the_ceiling_moves_up_one_tier_to_the_routed_handler() {
    let ladder = ladder();
    let mut case = started(&ladder, Severity::Moderate);
    let at = monday() + Duration::hours(3);
    let recorded = case
        .handle(
            &ladder,
            &LadderCommand::Escalate {
                reason: EscalationReason::HandlingFailed,
            },
            &Context::new(at, &officer(Tier::Estate)),
        )
        .unwrap()
        .to_vec();
    let LadderEvent::Escalated(e) = &recorded[0].event else {
        panic!("{recorded:?}");
    };
    assert_eq!((e.from, e.to), (Tier::Estate, Tier::Community));
    assert_eq!(e.route.handler, id("hehua"));
    assert_eq!(e.reason, EscalationReason::HandlingFailed);
    assert!(e.overridden.is_none());
    assert_eq!(rung_of(&case).tier(), Tier::Community);
    assert_eq!(rung_of(&case).since(), at);
}

#[test]
fn escalation_past_the_ceiling_is_refused_without_an_override() {
    let ladder = ladder();
    let mut case = started(&ladder, Severity::Minor);
    let escalate = LadderCommand::Escalate {
        reason: EscalationReason::HandlingFailed,
    };
    case.handle(
        &ladder,
        &escalate,
        &Context::new(monday(), &officer(Tier::Grid)),
    )
    .unwrap();
    assert_eq!(rung_of(&case).tier(), Tier::Estate);
    let before = case.clone();
    let err = case
        .handle(
            &ladder,
            &escalate,
            &Context::new(monday(), &officer(Tier::Estate)),
        )
        .unwrap_err();
    assert_eq!(
        err,
        CaseError::Rejected(LadderError::CeilingReached {
            tier: Tier::Estate,
            next: Tier::Community,
            ceiling: Tier::Estate,
            needed: Role::Officer(Tier::Community),
        })
    );
    assert_eq!(case, before);
}

fn at_estate_ceiling(ladder: &Ladder) -> Vec<LadderEvent> {
    let mut case = started(ladder, Severity::Minor);
    case.handle(
        ladder,
        &LadderCommand::Escalate {
            reason: EscalationReason::HandlingFailed,
        },
        &Context::new(monday(), &officer(Tier::Grid)),
    )
    .unwrap();
    case.history().iter().map(|r| r.event.clone()).collect()
}

#[test]
fn an_override_by_an_officer_of_the_higher_tier_passes_the_ceiling_with_its_reason() {
    let ladder = ladder();
    let community_officer = officer(Tier::Community);
    let case = given(&ladder, at_estate_ceiling(&ladder))
        .at(monday())
        .when(
            &community_officer,
            monday() + Duration::hours(1),
            LadderCommand::Override {
                reason: EscalationReason::HandlingFailed,
                justification: "the employer owns three parks; the park cannot compel it".into(),
            },
        )
        .outcome()
        .clone()
        .unwrap();
    let LadderEvent::Escalated(e) = &case[0] else {
        panic!("{case:?}");
    };
    assert_eq!(e.to, Tier::Community);
    let o = e.overridden.as_ref().unwrap();
    assert_eq!(o.by, *community_officer.id());
    assert!(o.justification.contains("three parks"));
}

#[test]
fn an_override_by_a_lower_officer_or_without_a_reason_is_refused() {
    let ladder = ladder();
    let estate_officer = officer(Tier::Estate);
    given(&ladder, at_estate_ceiling(&ladder))
        .when(
            &estate_officer,
            monday(),
            LadderCommand::Override {
                reason: EscalationReason::HandlingFailed,
                justification: "please".into(),
            },
        )
        .then_rejected(LadderError::Forbidden(
            estate_officer.forbidden("override the ceiling", Role::Officer(Tier::Community)),
        ));
    given(&ladder, at_estate_ceiling(&ladder))
        .when(
            &officer(Tier::Community),
            monday(),
            LadderCommand::Override {
                reason: EscalationReason::HandlingFailed,
                justification: "  ".into(),
            },
        )
        .then_rejected(LadderError::MissingJustification);
}

#[test]
fn an_override_below_the_ceiling_is_refused_as_not_needed() {
    let ladder = ladder();
    let events: Vec<_> = started(&ladder, Severity::Minor)
        .history()
        .iter()
        .map(|r| r.event.clone())
        .collect();
    given(&ladder, events)
        .when(
            &officer(Tier::Estate),
            monday(),
            LadderCommand::Override {
                reason: EscalationReason::HandlingFailed,
                justification: "why not".into(),
            },
        )
        .then_rejected(LadderError::OverrideNotNeeded {
            tier: Tier::Grid,
            next: Tier::Estate,
            ceiling: Tier::Estate,
        });
}

#[test]
fn a_tick_before_the_deadline_does_nothing_and_after_it_escalates_once() {
    let ladder = ladder();
    let mut case = started(&ladder, Severity::Minor);
    let due = rung_of(&case).due().unwrap();
    let system = Actor::system();
    let before = case.clone();
    let none = case
        .handle(
            &ladder,
            &LadderCommand::Tick,
            &Context::new(due - Duration::seconds(1), &system),
        )
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(case.history(), before.history());

    let recorded = case
        .handle(&ladder, &LadderCommand::Tick, &Context::new(due, &system))
        .unwrap()
        .to_vec();
    assert!(matches!(
        &recorded[0].event,
        LadderEvent::Escalated(e) if e.reason == EscalationReason::TimedOut && e.to == Tier::Estate
    ));
    let version = case.version();
    assert!(
        case.handle(&ladder, &LadderCommand::Tick, &Context::new(due, &system))
            .unwrap()
            .is_empty(),
        "ticking twice at the same time is a no-op"
    );
    assert_eq!(case.version(), version);
}

#[test]
fn an_overdue_matter_at_its_ceiling_goes_under_supervision_reminder_then_notice() {
    let ladder = ladder();
    let system = Actor::system();
    let mut case = started(&ladder, Severity::Minor);
    let escalate = LadderCommand::Escalate {
        reason: EscalationReason::HandlingFailed,
    };
    case.handle(
        &ladder,
        &escalate,
        &Context::new(monday(), &officer(Tier::Grid)),
    )
    .unwrap();
    let due = rung_of(&case).due().unwrap();

    let reminded = case
        .handle(&ladder, &LadderCommand::Tick, &Context::new(due, &system))
        .unwrap()
        .to_vec();
    let LadderEvent::SupervisionReminded {
        tier, notice_due, ..
    } = reminded[0].event.clone()
    else {
        panic!("{reminded:?}");
    };
    assert_eq!(tier, Tier::Estate, "stays at the ceiling");
    assert!(notice_due > due);
    assert!(
        case.handle(
            &ladder,
            &LadderCommand::Tick,
            &Context::new(notice_due - Duration::minutes(1), &system)
        )
        .unwrap()
        .is_empty()
    );
    let noticed = case
        .handle(
            &ladder,
            &LadderCommand::Tick,
            &Context::new(notice_due, &system),
        )
        .unwrap()
        .to_vec();
    assert!(matches!(
        noticed[0].event,
        LadderEvent::SupervisionNoticeIssued {
            tier: Tier::Estate,
            ..
        }
    ));
    assert_eq!(rung_of(&case).supervision(), Supervision::Noticed);
    assert!(
        case.handle(
            &ladder,
            &LadderCommand::Tick,
            &Context::new(notice_due + Duration::days(30), &system)
        )
        .unwrap()
        .is_empty()
    );
}

#[test]
fn escalation_is_refused_when_the_graph_has_no_body_at_the_next_tier() {
    let ladder = ladder();
    let commercial = LadderCommand::Start {
        location: id("grid-7"),
        need: Need::Mediation(DisputeKind::Commercial),
        severity: Severity::Serious,
        due: None,
    };
    let mut case = Case::<Ladder>::new("M-2".parse().unwrap());
    case.handle(
        &ladder,
        &commercial,
        &Context::new(monday(), &grid_worker()),
    )
    .unwrap();
    assert_eq!(rung_of(&case).tier(), Tier::Community);
    let before = case.clone();
    let err = case
        .handle(
            &ladder,
            &LadderCommand::Override {
                reason: EscalationReason::HandlingFailed,
                justification: "needs the subdistrict".into(),
            },
            &Context::new(monday(), &officer(Tier::Subdistrict)),
        )
        .unwrap_err();
    assert_eq!(
        err,
        CaseError::Rejected(LadderError::NoHandler {
            location: id("grid-7"),
            tier: Tier::Subdistrict,
            need: Need::Mediation(DisputeKind::Commercial),
        })
    );
    assert_eq!(case, before);
}

#[test]
fn raising_the_severity_moves_the_matter_up_to_its_new_band() {
    let ladder = ladder();
    let mut case = started(&ladder, Severity::Minor);
    let recorded = case
        .handle(
            &ladder,
            &LadderCommand::RaiseSeverity {
                to: Severity::Serious,
                cause: SeverityCause::RiskOfIntensifying,
            },
            &Context::new(monday(), &grid_worker()),
        )
        .unwrap()
        .to_vec();
    assert_eq!(recorded.len(), 2);
    assert!(matches!(
        recorded[0].event,
        LadderEvent::SeverityRaised {
            from: Severity::Minor,
            to: Severity::Serious,
            ..
        }
    ));
    assert!(matches!(
        &recorded[1].event,
        LadderEvent::Escalated(e) if e.reason == EscalationReason::SeverityRaised && e.to == Tier::Community
    ));
    assert_eq!(
        rung_of(&case).band(),
        Band::new(Tier::Community, Tier::Community)
    );

    let before = case.clone();
    let err = case
        .handle(
            &ladder,
            &LadderCommand::RaiseSeverity {
                to: Severity::Moderate,
                cause: SeverityCause::ManyParties,
            },
            &Context::new(monday(), &grid_worker()),
        )
        .unwrap_err();
    assert_eq!(
        err,
        CaseError::Rejected(LadderError::SeverityNotRaised {
            current: Severity::Serious,
            requested: Severity::Moderate
        })
    );
    assert_eq!(case, before);
}

#[test]
fn timeouts_and_raised_severity_are_not_reasons_an_escalate_command_may_give() {
    let ladder = ladder();
    for (reason, by) in [
        (EscalationReason::TimedOut, LadderCommandKind::Tick),
        (
            EscalationReason::SeverityRaised,
            LadderCommandKind::RaiseSeverity,
        ),
    ] {
        given(&ladder, at_estate_ceiling(&ladder))
            .when(
                &officer(Tier::Estate),
                monday(),
                LadderCommand::Escalate { reason },
            )
            .then_rejected(LadderError::ReasonNotAllowed { reason, by });
    }
}

#[test]
fn who_may_escalate_depends_on_the_reason() {
    let ladder = ladder();
    let events: Vec<_> = started(&ladder, Severity::Moderate)
        .history()
        .iter()
        .map(|r| r.event.clone())
        .collect();
    let stranger = Actor::new("stranger".parse().unwrap());
    given(&ladder, events.clone())
        .when(
            &stranger,
            monday(),
            LadderCommand::Escalate {
                reason: EscalationReason::RequestedByParty,
            },
        )
        .then_rejected(LadderError::Forbidden(
            stranger.forbidden("escalate", Role::Party),
        ));
    given(&ladder, events.clone())
        .when(
            &stranger,
            monday(),
            LadderCommand::Escalate {
                reason: EscalationReason::Supervision,
            },
        )
        .then_rejected(LadderError::Forbidden(
            stranger.forbidden("escalate", Role::Supervisor),
        ));
    given(&ladder, events.clone())
        .when(
            &stranger,
            monday(),
            LadderCommand::Escalate {
                reason: EscalationReason::HandlingFailed,
            },
        )
        .then_rejected(LadderError::Forbidden(
            stranger.forbidden("escalate", Role::Officer(Tier::Estate)),
        ));
    // The handler's own staff may report their failure without an officer role.
    let park_mediator = Actor::new("academy-trainee".parse().unwrap())
        .with_role(Role::Mediator)
        .acting_for(id("huanan-park"));
    for (actor, reason) in [
        (party(), EscalationReason::RequestedByParty),
        (supervisor(), EscalationReason::Supervision),
        (park_mediator, EscalationReason::HandlingFailed),
    ] {
        let outcome = given(&ladder, events.clone())
            .when(&actor, monday(), LadderCommand::Escalate { reason })
            .outcome()
            .clone();
        assert!(matches!(&outcome.unwrap()[0], LadderEvent::Escalated(e) if e.reason == reason));
    }
}

#[test]
fn at_the_top_the_ladder_is_exhausted_and_must_be_referred_out() {
    let ladder = ladder();
    let district = officer(Tier::Municipal);
    let mut case = started(&ladder, Severity::Critical);
    assert_eq!(rung_of(&case).tier(), Tier::Community);
    let over = LadderCommand::Override {
        reason: EscalationReason::HandlingFailed,
        justification: "district-wide".into(),
    };
    let escalate = LadderCommand::Escalate {
        reason: EscalationReason::HandlingFailed,
    };
    case.handle(&ladder, &escalate, &Context::new(monday(), &district))
        .unwrap();
    case.handle(&ladder, &escalate, &Context::new(monday(), &district))
        .unwrap();
    assert_eq!(rung_of(&case).tier(), Tier::District);
    // The fixture has no municipality above the district: nowhere left to go.
    let recorded = case
        .handle(&ladder, &over, &Context::new(monday(), &district))
        .unwrap()
        .to_vec();
    assert_eq!(
        recorded[0].event,
        LadderEvent::Exhausted {
            tier: Tier::District
        }
    );
    assert!(matches!(case.state(), LadderState::Exhausted(_)));

    let before = case.clone();
    assert!(matches!(
        case.handle(&ladder, &escalate, &Context::new(monday(), &district)),
        Err(CaseError::Rejected(LadderError::NotApplicable {
            command: LadderCommandKind::Escalate,
            state: LadderStateKind::Exhausted
        }))
    ));
    assert_eq!(case, before);
    case.handle(
        &ladder,
        &LadderCommand::ReferOut {
            to: Referral::Litigation,
        },
        &Context::new(monday(), &district),
    )
    .unwrap();
    assert!(Ladder::is_terminal(case.state()));
}

#[test]
fn a_matter_cannot_be_referred_out_before_the_ladder_is_exhausted() {
    let ladder = ladder();
    let events: Vec<_> = started(&ladder, Severity::Minor)
        .history()
        .iter()
        .map(|r| r.event.clone())
        .collect();
    given(&ladder, events)
        .when(
            &officer(Tier::Grid),
            monday(),
            LadderCommand::ReferOut {
                to: Referral::Arbitration,
            },
        )
        .then_rejected(LadderError::NotApplicable {
            command: LadderCommandKind::ReferOut,
            state: LadderStateKind::Handling,
        });
}

#[test]
fn a_case_keeps_the_policy_version_it_started_under() {
    let ladder_v1 = ladder();
    let case = started(&ladder_v1, Severity::Moderate);

    // Version 2 gives the community 2 working days instead of 10.
    let v2 = EscalationPolicy::new(
        PolicyId::new("report-default").unwrap(),
        2,
        [
            Band::new(Tier::Grid, Tier::Estate),
            Band::new(Tier::Estate, Tier::Community),
            Band::new(Tier::Community, Tier::Community),
            Band::new(Tier::Community, Tier::District),
        ],
    )
    .unwrap()
    .try_with_limit(Tier::Community, TimeLimit::WorkingDays(2))
    .unwrap();
    let mut book = PolicyBook::default();
    book.try_publish(v2.clone()).unwrap();
    let ladder_v2 = Ladder::new(
        Arc::new(book),
        Arc::new(graph()),
        Arc::new(WorkingCalendar::prc()),
    );

    let mut old = case.clone();
    old.handle(
        &ladder_v2,
        &LadderCommand::Escalate {
            reason: EscalationReason::HandlingFailed,
        },
        &Context::new(monday(), &officer(Tier::Estate)),
    )
    .unwrap();
    // Ten working days from Monday 2 March: Monday 16 March, end of day.
    assert_eq!(
        rung_of(&old).due(),
        Some(Utc.with_ymd_and_hms(2026, 3, 16, 16, 0, 0).unwrap())
    );
    assert_eq!(rung_of(&old).policy().version, 1);

    // A ladder that no longer has version 1 refuses rather than guess.
    let only_v2 = Ladder::new(
        Arc::new(PolicyBook::new(v2)),
        Arc::new(graph()),
        Arc::new(WorkingCalendar::prc()),
    );
    let mut orphan = case.clone();
    let err = orphan
        .handle(
            &only_v2,
            &LadderCommand::Escalate {
                reason: EscalationReason::HandlingFailed,
            },
            &Context::new(monday(), &officer(Tier::Estate)),
        )
        .unwrap_err();
    assert!(
        matches!(err, CaseError::Rejected(LadderError::UnknownPolicy { .. })),
        "{err}"
    );
    assert_eq!(orphan, case);
}

#[test]
fn reports_tell_where_matters_were_resolved_and_how_long_each_tier_took() {
    let ladder = ladder();
    let mut summary = LadderSummary::default();

    // Resolved at the grid after two hours: within its ceiling.
    let mut small = started(&ladder, Severity::Minor);
    small
        .handle(
            &ladder,
            &LadderCommand::Resolve,
            &Context::new(monday() + Duration::hours(2), &officer(Tier::Grid)),
        )
        .unwrap();
    let report = MatterReport::from_history(small.history());
    assert_eq!(report.outcome, Outcome::Resolved(Tier::Grid));
    assert_eq!(report.resolved_within_ceiling(), Some(true));
    assert_eq!(report.time_per_tier[&Tier::Grid], Duration::hours(2));
    summary.add(&report);

    // Pushed past the ceiling to the community and resolved there.
    let mut big = started(&ladder, Severity::Minor);
    let t1 = monday() + Duration::hours(1);
    let t2 = monday() + Duration::hours(5);
    let t3 = monday() + Duration::days(2);
    big.handle(
        &ladder,
        &LadderCommand::Escalate {
            reason: EscalationReason::HandlingFailed,
        },
        &Context::new(t1, &officer(Tier::Grid)),
    )
    .unwrap();
    big.handle(
        &ladder,
        &LadderCommand::Override {
            reason: EscalationReason::RequestedByParty,
            justification: "both sides asked".into(),
        },
        &Context::new(t2, &officer(Tier::Community)),
    )
    .unwrap();
    big.handle(
        &ladder,
        &LadderCommand::Resolve,
        &Context::new(t3, &officer(Tier::Community)),
    )
    .unwrap();
    let report = MatterReport::from_history(big.history());
    assert_eq!(report.outcome, Outcome::Resolved(Tier::Community));
    assert_eq!(report.resolved_within_ceiling(), Some(false));
    assert_eq!(report.escalations, 2);
    assert_eq!(report.overrides, 1);
    assert_eq!(report.time_per_tier[&Tier::Grid], Duration::hours(1));
    assert_eq!(report.time_per_tier[&Tier::Estate], Duration::hours(4));
    assert_eq!(report.time_per_tier[&Tier::Community], t3 - t2);
    summary.add(&report);

    // Still open.
    summary.add(&MatterReport::from_history(
        started(&ladder, Severity::Moderate).history(),
    ));

    assert_eq!(summary.matters, 3);
    assert_eq!(summary.resolved(), 2);
    assert_eq!(summary.share_within_ceiling(), Some(0.5));
    assert_eq!(
        summary.mean_time_at(Tier::Grid),
        Some(Duration::minutes(90))
    );
}

#[test]
fn ladder_events_and_states_round_trip_through_json() {
    let ladder = ladder();
    let mut case = started(&ladder, Severity::Minor);
    case.handle(
        &ladder,
        &LadderCommand::Escalate {
            reason: EscalationReason::HandlingFailed,
        },
        &Context::new(monday(), &officer(Tier::Grid)),
    )
    .unwrap();
    for r in case.history() {
        let json = serde_json::to_string(&r.event).unwrap();
        assert_eq!(serde_json::from_str::<LadderEvent>(&json).unwrap(), r.event);
    }
    let json = serde_json::to_string(case.state()).unwrap();
    assert_eq!(
        &serde_json::from_str::<LadderState>(&json).unwrap(),
        case.state()
    );
    let first = serde_json::to_value(&case.history()[0].event).unwrap();
    assert_eq!(first["event"], "started");
    assert_eq!(first["route"]["handler"], "grid-7");
}

#[test]
fn an_extreme_time_is_a_typed_error_not_a_panic() {
    let ladder = ladder();
    let at = chrono::DateTime::<Utc>::MAX_UTC - Duration::hours(1);
    let mut case = Case::<Ladder>::new("M-9".parse().unwrap());
    let err = case
        .handle(
            &ladder,
            &start(Severity::Minor),
            &Context::new(at, &grid_worker()),
        )
        .unwrap_err();
    // The kernel refuses the time before the ladder's calendar sees it.
    assert!(matches!(err, CaseError::TimeOutOfRange { .. }), "{err}");
    assert_eq!(case.version(), 0);
}

#[test]
fn a_location_missing_from_the_graph_is_a_routing_error_not_exhaustion() {
    let events: Vec<_> = started(&ladder(), Severity::Minor)
        .history()
        .iter()
        .map(|r| r.event.clone())
        .collect();
    let empty = Ladder::new(
        PolicyBook::default(),
        grassroots::org::OrgGraph::new(),
        WorkingCalendar::prc(),
    );
    given(&empty, events)
        .when(
            &officer(Tier::Municipal),
            monday(),
            LadderCommand::Escalate {
                reason: EscalationReason::HandlingFailed,
            },
        )
        .then_error(|e| matches!(e, CaseError::Rejected(LadderError::Routing(_))));
}

#[test]
fn a_command_that_does_not_apply_is_refused_as_such_whoever_sends_it() {
    let ladder = ladder();
    given(&ladder, [])
        .when(
            &grid_worker(),
            monday(),
            LadderCommand::Override {
                reason: EscalationReason::HandlingFailed,
                justification: "x".into(),
            },
        )
        .then_rejected(LadderError::NotApplicable {
            command: LadderCommandKind::Override,
            state: LadderStateKind::Idle,
        });
}

// ---------------------------------------------------------------------------
// Hostile input (issue 18).
// ---------------------------------------------------------------------------

#[test]
fn ladder_commands_at_the_extremes_of_time_are_refused() {
    use chrono::DateTime;
    use grassroots::workflow::{EARLIEST, LATEST};
    let ladder = ladder();
    let one = Duration::microseconds(1);
    for at in [
        DateTime::<Utc>::MIN_UTC,
        EARLIEST - one,
        LATEST + one,
        DateTime::<Utc>::MAX_UTC,
    ] {
        let mut case = Case::<Ladder>::new("M-1".parse().unwrap());
        let err = case
            .handle(
                &ladder,
                &start(Severity::Minor),
                &Context::new(at, &grid_worker()),
            )
            .unwrap_err();
        assert_eq!(
            err,
            CaseError::TimeOutOfRange {
                case: "M-1".parse().unwrap(),
                command: "Start".into(),
                at,
            }
        );
        assert_eq!(case.version(), 0);
    }
    // A matter started in range is resolved at the edge, and no later.
    let mut case = started(&ladder, Severity::Minor);
    let err = case
        .handle(
            &ladder,
            &LadderCommand::Resolve,
            &Context::new(DateTime::<Utc>::MAX_UTC, &officer(Tier::Grid)),
        )
        .unwrap_err();
    assert!(matches!(err, CaseError::TimeOutOfRange { .. }), "{err}");
    case.handle(
        &ladder,
        &LadderCommand::Resolve,
        &Context::new(LATEST, &officer(Tier::Grid)),
    )
    .unwrap();
    let report = MatterReport::from_history(case.history());
    assert_eq!(report.time_per_tier[&Tier::Grid], LATEST - monday());
}

#[test]
fn ladder_summary_at_the_extremes_of_time_does_not_panic() {
    let longest = MatterReport {
        started_at: Some(Tier::Grid),
        outcome: Outcome::Resolved(Tier::Grid),
        ceiling: Some(Tier::Grid),
        time_per_tier: [(Tier::Grid, Duration::MAX), (Tier::Estate, Duration::MIN)]
            .into_iter()
            .collect(),
        escalations: u32::MAX,
        overrides: u32::MAX,
    };
    let mut summary = LadderSummary::default();
    for _ in 0..3 {
        summary.add(&longest);
    }
    assert_eq!(summary.time_per_tier[&Tier::Grid], Duration::MAX);
    assert_eq!(summary.time_per_tier[&Tier::Estate], Duration::MIN);
    assert_eq!(summary.matters, 3);
    assert_eq!(summary.mean_time_at(Tier::Grid), Some(Duration::MAX / 3));
    summary.resolved_at.insert(Tier::Estate, u64::MAX);
    assert_eq!(summary.resolved(), u64::MAX);
    assert!(summary.share_within_ceiling().is_some());
}

#[test]
fn matter_report_of_a_history_alternating_between_the_extremes_does_not_panic() {
    use chrono::DateTime;
    let ladder = ladder();
    let mut case = started(&ladder, Severity::Minor);
    case.handle(
        &ladder,
        &LadderCommand::Escalate {
            reason: EscalationReason::HandlingFailed,
        },
        &Context::new(monday(), &officer(Tier::Grid)),
    )
    .unwrap();
    let history = case.history();
    // Grid ⇄ estate, 2,000 times: the grid gathers +500,000 years a step,
    // the estate as much below zero.
    let (start, step) = (&history[0], &history[1]);
    let mut forged = vec![start.clone()];
    forged[0].at = DateTime::<Utc>::MIN_UTC;
    for i in 0..2_000u64 {
        let mut next = step.clone();
        next.seq = i + 2;
        if let LadderEvent::Escalated(e) = &mut next.event {
            e.to = if i % 2 == 0 { Tier::Estate } else { Tier::Grid };
        }
        next.at = if i % 2 == 0 {
            DateTime::<Utc>::MAX_UTC
        } else {
            DateTime::<Utc>::MIN_UTC
        };
        forged.push(next);
    }
    let report = MatterReport::from_history(&forged);
    assert_eq!(report.time_per_tier[&Tier::Grid], Duration::MAX);
    assert_eq!(report.time_per_tier[&Tier::Estate], Duration::MIN);
    assert_eq!(report.escalations, 2_000);
    let mut summary = LadderSummary::default();
    summary.add(&report);
    summary.add(&report);
    // Replay refuses the forged history outright.
    assert!(Case::<Ladder>::replay("M-1".parse().unwrap(), forged).is_err());
}

#[test]
fn next_due_is_the_tiers_due_date_then_the_notice_date_then_nothing() {
    let ladder = ladder();
    let system = Actor::system();
    let mut case = started(&ladder, Severity::Minor);
    let escalate = LadderCommand::Escalate {
        reason: EscalationReason::HandlingFailed,
    };
    case.handle(
        &ladder,
        &escalate,
        &Context::new(monday(), &officer(Tier::Grid)),
    )
    .unwrap();
    let due = rung_of(&case).due().unwrap();
    assert_eq!(case.next_due(), Some(due));
    case.handle(&ladder, &LadderCommand::Tick, &Context::new(due, &system))
        .unwrap();
    let Supervision::Reminded { notice_due } = rung_of(&case).supervision() else {
        panic!("{:?}", case.state());
    };
    assert_eq!(case.next_due(), Some(notice_due));
    case.handle(
        &ladder,
        &LadderCommand::Tick,
        &Context::new(notice_due, &system),
    )
    .unwrap();
    assert_eq!(case.next_due(), None, "noticed: no timer left");
    case.handle(
        &ladder,
        &LadderCommand::Resolve,
        &Context::new(notice_due, &officer(Tier::Estate)),
    )
    .unwrap();
    assert_eq!(case.next_due(), None);
    assert_eq!(Case::<Ladder>::new("M-0".parse().unwrap()).next_due(), None);
}

#[test]
fn a_higher_ceiling_ends_supervision_and_the_timer_escalates_again() {
    let ladder = ladder();
    let system = Actor::system();
    let mut case = started(&ladder, Severity::Minor);
    let escalate = LadderCommand::Escalate {
        reason: EscalationReason::HandlingFailed,
    };
    case.handle(
        &ladder,
        &escalate,
        &Context::new(monday(), &officer(Tier::Grid)),
    )
    .unwrap();
    let due = rung_of(&case).due().unwrap();
    case.handle(&ladder, &LadderCommand::Tick, &Context::new(due, &system))
        .unwrap();
    assert!(matches!(
        rung_of(&case).supervision(),
        Supervision::Reminded { .. }
    ));
    // Moderate: the band starts at the estate (no move) and ends at the
    // community, so the matter is no longer stuck at its ceiling.
    case.handle(
        &ladder,
        &LadderCommand::RaiseSeverity {
            to: Severity::Moderate,
            cause: SeverityCause::ManyParties,
        },
        &Context::new(due, &system),
    )
    .unwrap();
    assert_eq!(rung_of(&case).supervision(), Supervision::None);
    assert_eq!(case.next_due(), Some(due));
    let recorded = case
        .handle(&ladder, &LadderCommand::Tick, &Context::new(due, &system))
        .unwrap()
        .to_vec();
    assert!(matches!(
        &recorded[0].event,
        LadderEvent::Escalated(e) if e.reason == EscalationReason::TimedOut && e.to == Tier::Community
    ));
}

#[test]
fn a_timed_out_matter_nobody_above_can_handle_is_supervised_where_it_is() {
    // Commercial disputes are mediated up to the community only; a critical
    // one's band reaches the district, but nobody above the community
    // handles it: the timer reminds instead of being refused forever.
    let ladder = ladder();
    let mut case = Case::<Ladder>::new("M-3".parse().unwrap());
    case.handle(
        &ladder,
        &LadderCommand::Start {
            location: id("grid-7"),
            need: Need::Mediation(DisputeKind::Commercial),
            severity: Severity::Critical,
            due: None,
        },
        &Context::new(monday(), &grid_worker()),
    )
    .unwrap();
    assert_eq!(rung_of(&case).tier(), Tier::Community);
    let due = case.next_due().unwrap();
    let recorded = case
        .handle(
            &ladder,
            &LadderCommand::Tick,
            &Context::new(due, &Actor::system()),
        )
        .unwrap()
        .to_vec();
    assert!(
        matches!(
            recorded[0].event,
            LadderEvent::SupervisionReminded {
                tier: Tier::Community,
                ..
            }
        ),
        "{recorded:?}"
    );
    assert!(case.next_due().unwrap() > due);
}
