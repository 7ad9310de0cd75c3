//! Property tests of the ladder's invariants over random command sequences.

mod support {
    pub mod ladder_fixture;
}

use grassroots::actor::{Actor, Role};
use grassroots::escalation::LadderStateKind;
use grassroots::escalation::{
    EscalationReason, Ladder, LadderCommand, LadderEvent, Referral, SeverityCause,
};
use grassroots::id::CaseId;
use grassroots::matter::DisputeKind;
use grassroots::org::Need;
use grassroots::testing::guided::{self, Run};
use grassroots::testing::strategies::steps;
use grassroots::testing::{Budget, Guide, Step, check_invariants, explore};
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::{Case, Context, Workflow};
use proptest::prelude::*;
use support::ladder_fixture::*;

fn severity() -> impl Strategy<Value = Severity> {
    proptest::sample::select(Severity::ALL.to_vec())
}

fn reason() -> impl Strategy<Value = EscalationReason> {
    proptest::sample::select(vec![
        EscalationReason::TimedOut,
        EscalationReason::HandlingFailed,
        EscalationReason::SeverityRaised,
        EscalationReason::RequestedByParty,
        EscalationReason::Supervision,
    ])
}

fn command() -> impl Strategy<Value = LadderCommand> {
    let need = proptest::sample::select(vec![
        Need::Mediation(DisputeKind::Labour),
        Need::Mediation(DisputeKind::Commercial),
        Need::Mediation(DisputeKind::Consumer),
    ]);
    let location = proptest::sample::select(vec!["grid-7", "huanan-park", "hehua", "nowhere"]);
    prop_oneof![
        1 => (location, need, severity()).prop_map(|(l, need, severity)| LadderCommand::Start {
            location: id(l),
            need,
            severity,
            due: None,
        }),
        3 => reason().prop_map(|reason| LadderCommand::Escalate { reason }),
        1 => (reason(), proptest::sample::select(vec!["", "the park cannot compel it"])).prop_map(
            |(reason, j)| LadderCommand::Override {
                reason,
                justification: j.into()
            }
        ),
        1 => severity().prop_map(|to| LadderCommand::RaiseSeverity {
            to,
            cause: SeverityCause::RiskOfIntensifying
        }),
        1 => Just(LadderCommand::Resolve),
        1 => Just(LadderCommand::ReferOut { to: Referral::Arbitration }),
        4 => Just(LadderCommand::Tick),
    ]
}

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        Just(Actor::system()),
        Just(grid_worker()),
        Just(party()),
        Just(supervisor()),
        proptest::sample::select(Tier::ALL.to_vec()).prop_map(officer),
        Just(Actor::new("stranger".parse().unwrap())),
    ]
}

fn run(steps: &[Step<LadderCommand>]) -> Case<Ladder> {
    let ladder = ladder();
    check_invariants(&ladder, CaseId::new("P").unwrap(), steps.to_vec())
        .unwrap_or_else(|v| panic!("{v}"))
        .case
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn kernel_invariants_hold_live_equals_replay_and_refusals_change_nothing(
        steps in steps((actor(), command()), 0..30)
    ) {
        run(&steps);
    }

    #[test]
    fn the_tier_never_decreases_and_every_new_tier_has_a_routed_handler(
        steps in steps((actor(), command()), 0..30)
    ) {
        let case = run(&steps);
        let mut tier = None;
        for r in case.history() {
            match &r.event {
                LadderEvent::Started(s) => {
                    prop_assert!(s.route.tier >= s.band.start, "{:?}", s);
                    tier = Some(s.route.tier);
                }
                LadderEvent::Escalated(e) => {
                    prop_assert!(Some(e.from) == tier);
                    prop_assert!(e.to > e.from, "{:?}", e);
                    prop_assert_eq!(e.route.tier, e.to);
                    tier = Some(e.to);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn the_ceiling_is_never_passed_without_an_override_by_an_authorised_actor(
        steps in steps((actor(), command()), 0..30)
    ) {
        let case = run(&steps);
        let mut ceiling = None;
        for (i, r) in case.history().iter().enumerate() {
            match &r.event {
                LadderEvent::Started(s) => ceiling = Some(s.band.ceiling),
                LadderEvent::SeverityRaised { band, .. } => ceiling = Some(band.ceiling),
                LadderEvent::Escalated(e) if Some(e.to) > ceiling => {
                    let o = e.overridden.as_ref();
                    prop_assert!(o.is_some(), "event {} passed the ceiling without override", i + 1);
                    let o = o.unwrap();
                    prop_assert_eq!(&o.by, &r.actor);
                    prop_assert!(!o.justification.trim().is_empty());
                    let sender = steps.iter().find(|s| s.actor.id() == &r.actor && s.at == r.at);
                    prop_assert!(sender.is_some_and(|s| s.actor.has_role(Role::Officer(e.to))));
                }
                _ => {}
            }
        }
    }

    #[test]
    fn a_tick_before_the_deadline_never_escalates_and_after_it_always_acts(
        severity in severity(),
        hours in 0i64..(24 * 60),
    ) {
        let ladder = ladder();
        let mut case = Case::<Ladder>::new(CaseId::new("T").unwrap());
        case.handle(
            &ladder,
            &LadderCommand::Start { location: id("grid-7"), need: Need::Mediation(DisputeKind::Labour), severity, due: None },
            &Context::new(monday(), &grid_worker()),
        ).unwrap();
        let rung = case.state().rung().unwrap().clone();
        let at = monday() + chrono::Duration::hours(hours);
        let recorded = case.handle(&ladder, &LadderCommand::Tick, &Context::new(at, &Actor::system()))
            .unwrap()
            .to_vec();
        let due = rung.due().unwrap();
        if at < due {
            prop_assert!(recorded.is_empty());
        } else {
            prop_assert_eq!(recorded.len(), 1);
            let at_ceiling = rung.tier() >= rung.band().ceiling;
            match &recorded[0].event {
                LadderEvent::Escalated(e) => {
                    prop_assert!(!at_ceiling);
                    prop_assert_eq!(e.reason, EscalationReason::TimedOut);
                }
                LadderEvent::SupervisionReminded { .. } => prop_assert!(at_ceiling),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
        prop_assert!(!Ladder::is_terminal(case.state()));
    }
}

/// The commands that make sense on the ladder, each by the actor allowed to
/// send it: a grid worker starts, the tier's officer escalates, resolves,
/// reschedules and refers out, the next tier's officer overrides the
/// ceiling, a party and a supervisor escalate for their reasons.
pub fn ladder_guide() -> Guide<Ladder> {
    let start = |severity| LadderCommand::Start {
        location: id("grid-7"),
        need: Need::Mediation(DisputeKind::Labour),
        severity,
        due: None,
    };
    Guide::new()
        .when(LadderStateKind::Idle, move |_| {
            vec![
                (grid_worker(), start(Severity::Minor)),
                (grid_worker(), start(Severity::Serious)),
            ]
        })
        .anywhere(|state: &grassroots::escalation::LadderState| {
            let tier = state.tier().unwrap_or(Tier::Grid);
            let due = monday() + chrono::Duration::days(40);
            vec![
                (
                    officer(tier),
                    LadderCommand::Escalate {
                        reason: EscalationReason::HandlingFailed,
                    },
                ),
                (
                    party(),
                    LadderCommand::Escalate {
                        reason: EscalationReason::RequestedByParty,
                    },
                ),
                (
                    officer(tier.above().unwrap_or(Tier::Municipal)),
                    LadderCommand::Override {
                        reason: EscalationReason::HandlingFailed,
                        justification: "the park cannot compel it".into(),
                    },
                ),
                (
                    grid_worker(),
                    LadderCommand::RaiseSeverity {
                        to: Severity::Critical,
                        cause: SeverityCause::RiskOfIntensifying,
                    },
                ),
                (officer(tier), LadderCommand::Reschedule { due }),
                (officer(tier), LadderCommand::Resolve),
                (
                    officer(tier),
                    LadderCommand::ReferOut {
                        to: Referral::Arbitration,
                    },
                ),
                (Actor::system(), LadderCommand::Tick),
            ]
        })
        .invariant("the tier never decreases", |case| {
            let mut tier = None;
            let mut state = Ladder::initial();
            for r in case.history() {
                state = Ladder::evolve(state, &r.event);
                if state.tier() < tier {
                    return false;
                }
                tier = state.tier();
            }
            true
        })
}

/// Guided generation and exploration, together, exercise every row of the
/// ladder's table.
#[test]
fn guided_runs_and_exploration_reach_every_declared_transition() {
    let ladder = ladder();
    let guide = ladder_guide();
    let mut coverage =
        guided::run(&ladder, &guide, Run::default()).unwrap_or_else(|f| panic!("{f}"));
    let explored = explore(&ladder, &guide, Budget::depth(8));
    assert!(explored.violation.is_none(), "{explored}");
    coverage.merge(&explored.coverage);
    println!("{coverage}");
    coverage.require(1.0).unwrap();
}
