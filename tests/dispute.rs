//! The dispute workflow as a user meets it: every cell of the state ×
//! command table, and every rule with the refusal that names it.

mod support {
    pub mod dispute_fixture;
}

use std::sync::LazyLock;

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::{TimeLimit, WorkingCalendar};
use grassroots::dispute::{
    Channel, DeclineReason, Dispute, DisputeCommand as C, DisputeError, DisputeEvent as E,
    DisputeState, Ending, FailureReason, LabourLimit, Obligation, ObligationKind,
    ObligationPerformance, Party, Performance, ReferralGround, RefusalGround, Remedy,
    RiskContinuation, Routes, Ruling, Satisfaction, Selection,
};
use grassroots::dispute::{DisputeCommandKind, DisputeStateKind};
use grassroots::escalation::{
    Band, Escalated, EscalationReason, LadderError, LadderEvent, MatterReport, Outcome, Override,
    PolicyBook, Referral, SeverityCause, Started,
};
use grassroots::matter::DisputeKind;
use grassroots::org::{Need, Route, RouteReason};
use grassroots::testing::{Given, given};
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::{CaseError, Workflow};
use grassroots::workflow::{HasKind, Kind};
use support::dispute_fixture::*;

static DISPUTE: LazyLock<Dispute> = LazyLock::new(dispute);

fn d() -> &'static Dispute {
    &DISPUTE
}

/// When the given events are recorded.
fn g() -> DateTime<Utc> {
    minutes(10)
}

/// When the command under test is sent.
fn c() -> DateTime<Utc> {
    minutes(20)
}

/// The events that bring the labour dispute to the state of kind `kind`.
fn history(kind: &str) -> Vec<E> {
    events(d(), &path::to(kind))
}

fn given_state(kind: &str) -> Given<'static, Dispute> {
    given(d(), history(kind)).at(g())
}

fn given_events(events: Vec<E>) -> Given<'static, Dispute> {
    given(d(), events).at(g())
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::prc()
}

fn deadline(at: DateTime<Utc>, limit: TimeLimit) -> DateTime<Utc> {
    calendar().deadline(at, limit).unwrap()
}

/// The labour dispute's statutory deadline: 15 days from its receipt by
/// the academy (its acceptance at minute 1), not from the report at t0.
fn labour_deadline() -> DateTime<Utc> {
    deadline(minutes(1), TimeLimit::LegalDays(15))
}

fn arbitration_opened() -> E {
    E::ArbitrationOpened {
        deadline: labour_deadline(),
    }
}

fn referred(ground: ReferralGround) -> E {
    E::Referred {
        to: Referral::Arbitration,
        ground: Some(ground),
        routes: arbitration(),
    }
}

fn arbitration() -> Routes {
    Routes::only(Referral::Arbitration)
}

fn not_applicable(command: &str, state: &str) -> DisputeError {
    DisputeError::NotApplicable {
        command: command.parse().unwrap(),
        state: state.parse().unwrap(),
    }
}

fn command_names() -> Vec<String> {
    DisputeCommandKind::all().map(|k| k.to_string()).collect()
}

fn route(handler: &str, tier: Tier, area: &str) -> Route {
    Route {
        handler: id(handler),
        tier,
        area: id(area),
        reason: RouteReason::Serves { area: id(area) },
    }
}

fn limit(tier: Tier) -> TimeLimit {
    PolicyBook::default().current().limit(tier).unwrap()
}

fn escalated_event(
    from: Tier,
    to: Tier,
    reason: EscalationReason,
    route: Route,
    at: DateTime<Utc>,
) -> E {
    E::from(LadderEvent::Escalated(Escalated {
        from,
        to,
        reason,
        route,
        at,
        due: Some(deadline(at, limit(to))),
        overridden: None,
    }))
}

fn pinghu_officer() -> Actor {
    officer("officer-pinghu", Tier::Subdistrict, "pinghu-med")
}

fn stranger() -> Actor {
    Actor::new(aid("stranger")).with_role(Role::Party)
}

// ---------------------------------------------------------------------------
// The state × command table: every cell asserted.
// ---------------------------------------------------------------------------

/// The table of the module docs: `A` accepted, `-` refused as not
/// applicable, `T` refused by the kernel (terminal). Columns in the order of
/// `DisputeCommand::KINDS`, rows in the order of `DisputeState::KINDS`.
const TABLE: [(&str, &str); 15] = [
    ("Unreported", "A----------------------A-"),
    ("Reported", "-AAAA---------------AA-A-"),
    ("Accepted", "---AAA--------------AAAA-"),
    ("Escalated", "-AAAA---------------AAAA-"),
    ("Mediating", "----A-AAAA-------A--AAAA-"),
    ("Signing", "----A-----AA-----A--AAAA-"),
    ("Agreed", "------------AAAA-----A-A-"),
    ("MediationFailed", "----A-------------AAAAAA-"),
    ("Fulfilled", "---------------------A-AA"),
    ("Breached", "----------------A----A-AA"),
    ("Referred", "---------------------A-AA"),
    ("Withdrawn", "---------------------A-AA"),
    ("Declined", "TTTTTTTTTTTTTTTTTTTTTTTTT"),
    ("Refused", "TTTTTTTTTTTTTTTTTTTTTTTTT"),
    ("Closed", "TTTTTTTTTTTTTTTTTTTTTTTTT"),
];

/// A well-formed command of kind `command`, from the actor the rules ask
/// for, on the history that reaches `state` (with the labour limit lapsed
/// for an early referral, and at the ceiling for an override).
fn canonical(state: &str, command: &str) -> (Vec<E>, Actor, C) {
    let mut events = history(state);
    let body_officer = || {
        if state == "Escalated" {
            committee_officer()
        } else {
            academy_officer()
        }
    };
    let (actor, command) = match command {
        "Report" => (party("li"), C::Report(labour_report())),
        "Accept" => (body_officer(), C::Accept),
        "Decline" => (
            body_officer(),
            C::Decline {
                reason: DeclineReason::OutOfScope,
                routes: arbitration(),
            },
        ),
        "Refuse" => (party("acme-rep"), C::Refuse),
        "Withdraw" => (party("acme-rep"), C::Withdraw),
        "AssignMediators" => (
            academy_officer(),
            C::AssignMediators {
                mediators: vec![aid("qian")],
                selection: Selection::Roster,
            },
        ),
        "RequestRecusal" => (
            party("li"),
            C::RequestRecusal {
                mediator: aid("qian"),
                reason: "Qian trained with Acme's manager.".into(),
            },
        ),
        "RecordSession" => (mediator("qian"), C::RecordSession),
        "RecordAgreement" => (
            mediator("qian"),
            C::RecordAgreement {
                facts: "Acme has not paid the March wages.".into(),
                terms: "Acme pays the wages.".into(),
                obligations: vec![wages_obligation()],
            },
        ),
        "AffixSeal" => (body_officer(), C::AffixSeal),
        "RecordObligation" => {
            if state == "Agreed" {
                events = agreed_with_obligations();
            }
            (
                mediator("qian"),
                C::RecordObligation {
                    obligation: 0,
                    performance: ObligationPerformance::Performed,
                },
            )
        }
        "RecordRuling" => {
            if state == "Agreed" {
                events.push(confirmation_applied());
            }
            (
                party("li"),
                C::RecordRuling {
                    ruling: Ruling::Confirmed,
                },
            )
        }
        "ApplyForEnforcement" => {
            if state == "Breached" {
                events = history("Agreed");
                events.extend([
                    confirmation_applied(),
                    confirmed(),
                    E::AgreementBreached {
                        obligation: None,
                        performance: ObligationPerformance::NotPerformed,
                        remedies: vec![Remedy::Enforcement],
                    },
                ]);
            }
            (party("li"), C::ApplyForEnforcement)
        }
        "RecordOralAgreement" => (
            mediator("qian"),
            C::RecordOralAgreement {
                content: "Acme pays Li his overtime on Friday.".into(),
            },
        ),
        "Sign" => (party("li"), C::Sign),
        "ApplyForConfirmation" => (
            party("li"),
            C::ApplyForConfirmation {
                applicants: vec![aid("li"), aid("acme-rep")],
            },
        ),
        "RecordPerformance" => (
            mediator("qian"),
            C::RecordPerformance {
                performance: Performance::Fulfilled,
            },
        ),
        "TerminateMediation" => (
            mediator("qian"),
            C::TerminateMediation {
                reason: FailureReason::NoAgreementReached,
            },
        ),
        "Escalate" => (academy_officer(), C::Escalate),
        "OverrideCeiling" => {
            if state == "MediationFailed" {
                events = events_of(path::failed_at_community());
            }
            (
                pinghu_officer(),
                C::OverrideCeiling {
                    justification: "the workers threaten a strike".into(),
                },
            )
        }
        "Refer" => {
            // Open to a labour party in every open state: directly if
            // unwilling to mediate (LDMAL art. 5).
            (
                party("li"),
                C::Refer {
                    to: Referral::Arbitration,
                },
            )
        }
        "FlagRisk" => (
            grid_worker(),
            C::FlagRisk {
                severity: Severity::Serious,
            },
        ),
        "ReportRisk" => (
            body_officer(),
            C::ReportRisk {
                measures: "Met both sides apart; asked the workers not to gather at the gate."
                    .into(),
                to: Need::EarlyWarning,
                continuation: RiskContinuation::MediationContinues,
            },
        ),
        "Tick" => (system(), C::Tick),
        "RecordFollowUp" => (
            grid_worker(),
            C::RecordFollowUp {
                rating: Satisfaction::Satisfied,
            },
        ),
        other => panic!("no command {other}"),
    };
    (events, actor, command)
}

fn events_of(steps: path::Steps) -> Vec<E> {
    events(d(), &steps)
}

#[test]
fn every_state_reads_as_its_kind_then_what_where_and_who() {
    let mut lines = Vec::new();
    for kind in DisputeStateKind::all() {
        let kind = kind.to_string();
        let case = support::dispute_fixture::drive(d(), &path::to(&kind));
        let text = case.state().to_string();
        assert!(text.starts_with(&kind), "{text}");
        if let Some(file) = case.state().file() {
            let place = format!("{} dispute at {}", file.kind(), file.location());
            assert!(text.contains(&place), "{text}");
        }
        lines.push(text);
    }
    let expected = [
        "Unreported",
        "Reported: labour dispute at huanan-park",
        "Accepted: labour dispute at huanan-park, estate tier, park-academy",
        "Escalated: labour dispute at huanan-park, community tier, hehua-med",
        "Mediating: labour dispute at huanan-park, estate tier, park-academy; mediators qian, 1 session",
        "Signing: labour dispute at huanan-park, estate tier, park-academy; signed by 0 of 3",
        "Agreed: labour dispute at huanan-park, estate tier, park-academy",
        "MediationFailed: labour dispute at huanan-park, estate tier, park-academy; routes open: arbitration",
        "Fulfilled: labour dispute at huanan-park, estate tier, park-academy",
        "Breached: labour dispute at huanan-park, estate tier, park-academy",
        "Referred: labour dispute at huanan-park, estate tier, park-academy; to arbitration",
        "Withdrawn: labour dispute at huanan-park, estate tier, park-academy; withdrawn by acme-rep, routes open: arbitration",
        "Declined: labour dispute at huanan-park; declined by park-academy, routes open: arbitration",
        "Refused: labour dispute at huanan-park; refused by acme-rep, routes open: arbitration",
        "Closed: labour dispute at huanan-park, estate tier, park-academy; fulfilled, parties satisfied",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn the_table_lists_every_state_and_command() {
    let states: Vec<&str> = TABLE.iter().map(|(s, _)| *s).collect();
    let all: Vec<String> = DisputeStateKind::all().map(|k| k.to_string()).collect();
    assert_eq!(states, all);
    for (state, row) in TABLE {
        assert_eq!(row.len(), DisputeCommandKind::COUNT, "{state}");
    }
    // Terminal rows are exactly the workflow's terminal states.
    for (state, row) in TABLE {
        let terminal = Dispute::is_terminal(
            &grassroots::workflow::Case::<Dispute>::replay(
                "x".parse().unwrap(),
                support::dispute_fixture::drive(d(), &path::to(state))
                    .history()
                    .to_vec(),
            )
            .unwrap()
            .state()
            .clone(),
        );
        assert_eq!(terminal, row.starts_with('T'), "{state}");
    }
}

#[test]
fn every_cell_of_the_state_command_table() {
    let mut cells = 0;
    for (state, row) in TABLE {
        for (command, cell) in command_names().iter().zip(row.chars()) {
            let (events, actor, cmd) = canonical(state, command);
            let when = given_events(events).when(&actor, c(), cmd);
            match cell {
                'A' => {
                    assert!(
                        when.outcome().is_ok(),
                        "{state} × {command}: expected accepted, got {:?}",
                        when.outcome()
                    );
                }
                '-' => {
                    when.then_rejected(not_applicable(command, state));
                }
                'T' => {
                    when.then_error(|e| {
                        matches!(e, CaseError::Terminal { state: s, command: k, .. } if *s == *state && *k == command.as_str())
                    });
                }
                other => panic!("bad cell {other}"),
            }
            cells += 1;
        }
    }
    assert_eq!(cells, 15 * DisputeCommandKind::COUNT);
}

// ---------------------------------------------------------------------------
// Reporting.
// ---------------------------------------------------------------------------

#[test]
fn a_party_reports_a_labour_dispute_and_its_fifteen_days_await_receipt() {
    let case = given(d(), [])
        .when(&party("li"), c(), C::Report(labour_report()))
        .then([E::from(grassroots::dispute::Reported {
            kind: DisputeKind::Labour,
            parties: labour_report().parties,
            location: id("huanan-park"),
            channel: Channel::Party,
            severity: Severity::Moderate,
            received_at: c(),
            // The 15 days run from the body's receipt (LDMAL art. 14).
            labour_deadline: None,
        })]);
    let file = case.state().file().unwrap();
    assert_eq!(file.labour(), LabourLimit::AwaitingReceipt);
    // Accepted on Monday 2 March: the 15 days end with Tuesday 17 March.
    assert_eq!(
        labour_deadline(),
        Utc.with_ymd_and_hms(2026, 3, 17, 16, 0, 0).unwrap()
    );
    assert_eq!(case.state().tier(), None); // not on the ladder before acceptance
}

#[test]
fn a_report_needs_two_distinct_parties_and_a_known_territorial_place() {
    let li = party("li");
    let mut one = labour_report();
    one.parties.truncate(1);
    given(d(), [])
        .when(&li, c(), C::Report(one))
        .then_rejected(DisputeError::TooFewParties { count: 1 });

    let mut twice = labour_report();
    twice.parties[1] = Party::person(aid("li"));
    given(d(), [])
        .when(&li, c(), C::Report(twice))
        .then_rejected(DisputeError::DuplicateParty { party: aid("li") });

    let mut nowhere = labour_report();
    nowhere.location = id("atlantis");
    given(d(), [])
        .when(&li, c(), C::Report(nowhere))
        .then_rejected(DisputeError::UnknownLocation {
            location: id("atlantis"),
        });

    let mut a_company = labour_report();
    a_company.location = id("acme");
    given(d(), [])
        .when(&li, c(), C::Report(a_company))
        .then_rejected(DisputeError::LocationNotTerritorial {
            location: id("acme"),
        });

    let mut ghost = labour_report();
    ghost.parties[1] = Party::enterprise(aid("acme-rep"), id("ghost-co"));
    given(d(), [])
        .when(&li, c(), C::Report(ghost))
        .then_rejected(DisputeError::UnknownPartyOrg {
            party: aid("acme-rep"),
            org: id("ghost-co"),
        });
}

#[test]
fn who_may_report_depends_on_the_channel() {
    given(d(), [])
        .when(&grid_worker(), c(), C::Report(labour_report()))
        .then_rejected(DisputeError::NotAParty {
            actor: aid("gw-1"),
            action: "report a dispute as a party",
        });
    let li = party("li");
    given(d(), [])
        .when(&li, c(), C::Report(neighbour_report()))
        .then_rejected(li.forbidden("report a dispute", Role::GridWorker).into());
    given(d(), [])
        .when(&grid_worker(), c(), C::Report(neighbour_report()))
        .then(events_of(vec![(
            grid_worker(),
            c(),
            C::Report(neighbour_report()),
        )]));
    // A secretary face-to-face session, a court or the police: an officer.
    given(d(), [])
        .when(&grid_worker(), c(), C::Report(consumer_report()))
        .then_rejected(
            grid_worker()
                .forbidden("report a dispute", Role::Officer(Tier::Grid))
                .into(),
        );
    let secretary = officer("secretary-he", Tier::Community, "hehua");
    given(d(), [])
        .when(&secretary, c(), C::Report(consumer_report()))
        .then(events_of(vec![(
            secretary.clone(),
            c(),
            C::Report(consumer_report()),
        )]));
}

#[test]
fn a_tick_before_any_report_records_nothing_and_only_the_system_ticks() {
    given(d(), []).when(&system(), c(), C::Tick).then_nothing();
    let li = party("li");
    given_state("Mediating")
        .when(&li, c(), C::Tick)
        .then_rejected(li.forbidden("tick", Role::System).into());
}

// ---------------------------------------------------------------------------
// Acceptance, the ladder's start, declining.
// ---------------------------------------------------------------------------

fn started_at_the_park(at: DateTime<Utc>) -> E {
    E::from(LadderEvent::Started(Started {
        location: id("huanan-park"),
        need: Need::Mediation(DisputeKind::Labour),
        severity: Severity::Moderate,
        policy: PolicyBook::default().current().reference().clone(),
        band: Band::new(Tier::Estate, Tier::Community),
        route: route("park-academy", Tier::Estate, "huanan-park"),
        at,
        due: Some(deadline(at, TimeLimit::WorkingDays(5))),
    }))
}

#[test]
fn the_routed_body_accepts_the_dispute_and_starts_the_ladder() {
    let case = given_state("Reported")
        .when(&academy_officer(), c(), C::Accept)
        .then([
            started_at_the_park(c()),
            E::Accepted {
                body: id("park-academy"),
                tier: Tier::Estate,
                labour_deadline: Some(deadline(c(), TimeLimit::LegalDays(15))),
            },
        ]);
    assert!(matches!(case.state(), DisputeState::Accepted { .. }));
    assert_eq!(case.state().tier(), Some(Tier::Estate));
    assert_eq!(
        case.state().file().unwrap().handler(),
        Some(&id("park-academy"))
    );
}

#[test]
fn only_officers_of_the_routed_body_accept_or_decline() {
    let not_theirs = |actor: &Actor, action| DisputeError::NotBodyOfficer {
        actor: actor.id().clone(),
        action,
        body: id("park-academy"),
        tier: Tier::Estate,
    };
    let committee = committee_officer();
    given_state("Reported")
        .when(&committee, c(), C::Accept)
        .then_rejected(not_theirs(&committee, "accept the dispute"));
    let clerk = Actor::new(aid("clerk"))
        .with_role(Role::HallClerk)
        .acting_for(id("park-academy"));
    given_state("Reported")
        .when(&clerk, c(), C::Accept)
        .then_rejected(not_theirs(&clerk, "accept the dispute"));
    let decline = C::Decline {
        reason: DeclineReason::OutOfScope,
        routes: arbitration(),
    };
    given_state("Reported")
        .when(&committee, c(), decline.clone())
        .then_rejected(not_theirs(&committee, "decline the dispute"));
    // After escalation, the community's committee accepts, not the academy.
    let academy = academy_officer();
    given_state("Escalated")
        .when(&academy, c(), C::Accept)
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: academy.id().clone(),
            action: "accept the dispute",
            body: id("hehua-med"),
            tier: Tier::Community,
        });
    given_state("Escalated")
        .when(&committee, c(), C::Accept)
        .then([E::Accepted {
            body: id("hehua-med"),
            tier: Tier::Community,
            labour_deadline: None,
        }]);
}

#[test]
fn a_decline_names_the_body_the_reason_and_the_routes_left_open() {
    let routes = Routes::only(Referral::Arbitration).with(Referral::Administrative);
    let case = given_state("Reported")
        .when(
            &academy_officer(),
            c(),
            C::Decline {
                reason: DeclineReason::PendingElsewhere,
                routes,
            },
        )
        .then([E::Declined {
            body: id("park-academy"),
            tier: Tier::Estate,
            reason: DeclineReason::PendingElsewhere,
            routes,
        }]);
    assert!(case.is_terminal());
    given_state("Reported")
        .when(
            &academy_officer(),
            c(),
            C::Decline {
                reason: DeclineReason::OutOfScope,
                routes: Routes::NONE,
            },
        )
        .then_rejected(DisputeError::NoRoutesNamed);
    given_state("Escalated")
        .when(
            &committee_officer(),
            c(),
            C::Decline {
                reason: DeclineReason::NotMediableByLaw,
                routes: arbitration(),
            },
        )
        .then([E::Declined {
            body: id("hehua-med"),
            tier: Tier::Community,
            reason: DeclineReason::NotMediableByLaw,
            routes: arbitration(),
        }]);
}

// ---------------------------------------------------------------------------
// Mediation is voluntary.
// ---------------------------------------------------------------------------

#[test]
fn a_party_may_refuse_mediation_before_it_starts() {
    for state in ["Reported", "Accepted", "Escalated"] {
        let case = given_state(state)
            .when(&party("acme-rep"), c(), C::Refuse)
            .then([E::MediationRefused {
                party: aid("acme-rep"),
                routes: arbitration(),
            }]);
        assert!(
            matches!(case.state(), DisputeState::Refused { by, .. } if *by == aid("acme-rep")),
            "{state}"
        );
        assert!(case.is_terminal());
    }
    given_state("Reported")
        .when(&grid_worker(), c(), C::Refuse)
        .then_rejected(DisputeError::NotAParty {
            actor: aid("gw-1"),
            action: "refuse mediation",
        });
    // Once mediation started, leaving it is a withdrawal.
    given_state("Mediating")
        .when(&party("acme-rep"), c(), C::Refuse)
        .then_rejected(not_applicable("Refuse", "Mediating"));
}

#[test]
fn any_party_may_withdraw_while_mediation_is_open() {
    for state in [
        "Reported",
        "Accepted",
        "Escalated",
        "Mediating",
        "Signing",
        "MediationFailed",
    ] {
        let case = given_state(state)
            .when(&party("li"), c(), C::Withdraw)
            .then([E::Withdrawn {
                party: aid("li"),
                routes: arbitration(),
            }]);
        assert!(
            matches!(case.state(), DisputeState::Withdrawn { by, .. } if *by == aid("li")),
            "{state}"
        );
    }
    given_state("Mediating")
        .when(&mediator("qian"), c(), C::Withdraw)
        .then_rejected(DisputeError::NotAParty {
            actor: aid("qian"),
            action: "withdraw from mediation",
        });
    // An agreement in effect binds: nothing left to withdraw from.
    given_state("Agreed")
        .when(&party("li"), c(), C::Withdraw)
        .then_rejected(not_applicable("Withdraw", "Agreed"));
}

// ---------------------------------------------------------------------------
// Mediators.
// ---------------------------------------------------------------------------

fn assign(mediators: &[&str], selection: Selection) -> C {
    C::AssignMediators {
        mediators: mediators.iter().map(|m| aid(m)).collect(),
        selection,
    }
}

#[test]
fn mediators_come_from_the_bodys_roster_or_the_parties_choice() {
    let case = given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["qian"], Selection::Roster),
        )
        .then([E::MediatorsAssigned {
            mediators: vec![aid("qian")],
            selection: Selection::Roster,
        }]);
    assert_eq!(case.state().mediators(), [aid("qian")]);
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["chen"], Selection::Roster),
        )
        .then_rejected(DisputeError::NotOnRoster {
            mediator: aid("chen"),
            body: id("park-academy"),
        });
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["chen", "qian"], Selection::ChosenByParties),
        )
        .then([E::MediatorsAssigned {
            mediators: vec![aid("chen"), aid("qian")],
            selection: Selection::ChosenByParties,
        }]);
}

#[test]
fn a_mediator_may_not_be_a_party_nor_belong_to_a_partys_organisation() {
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["li"], Selection::ChosenByParties),
        )
        .then_rejected(DisputeError::MediatorIsParty {
            mediator: aid("li"),
        });
    // Zhao trains at the academy but manages at Acme, where Li works.
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["zhao"], Selection::Roster),
        )
        .then_rejected(DisputeError::MediatorConflict {
            mediator: aid("zhao"),
            party: aid("li"),
            org: id("acme"),
        });
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["qian", "zhao"], Selection::ChosenByParties),
        )
        .then_rejected(DisputeError::MediatorConflict {
            mediator: aid("zhao"),
            party: aid("li"),
            org: id("acme"),
        });
    // Ma is on the community committee, and belongs to shop 9, a party.
    let secretary = officer("secretary-he", Tier::Community, "hehua");
    let accepted = events_of(vec![
        (secretary, minutes(0), C::Report(consumer_report())),
        (committee_officer(), minutes(1), C::Accept),
    ]);
    given_events(accepted.clone())
        .when(
            &committee_officer(),
            c(),
            assign(&["ma"], Selection::Roster),
        )
        .then_rejected(DisputeError::MediatorConflict {
            mediator: aid("ma"),
            party: aid("shopkeeper"),
            org: id("shop-9"),
        });
    given_events(accepted)
        .when(
            &committee_officer(),
            c(),
            assign(&["chen"], Selection::Roster),
        )
        .then([E::MediatorsAssigned {
            mediators: vec![aid("chen")],
            selection: Selection::Roster,
        }]);
}

#[test]
fn assigning_needs_a_distinct_mediator_and_the_accepting_bodys_officer() {
    given_state("Accepted")
        .when(&academy_officer(), c(), assign(&[], Selection::Roster))
        .then_rejected(DisputeError::NoMediators);
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["qian", "qian"], Selection::Roster),
        )
        .then_rejected(DisputeError::DuplicateMediator {
            mediator: aid("qian"),
        });
    given_state("Accepted")
        .when(
            &committee_officer(),
            c(),
            assign(&["qian"], Selection::Roster),
        )
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: aid("officer-hehua"),
            action: "assign mediators",
            body: id("park-academy"),
            tier: Tier::Estate,
        });
}

// ---------------------------------------------------------------------------
// Sessions and the agreement.
// ---------------------------------------------------------------------------

#[test]
fn only_an_assigned_mediator_records_sessions() {
    let case = given_state("Mediating")
        .when(&mediator("qian"), c(), C::RecordSession)
        .then([E::SessionRecorded { number: 2 }]);
    assert!(
        matches!(case.state(), DisputeState::Mediating { mediation, .. } if mediation.sessions() == 2)
    );
    given_state("Mediating")
        .when(&mediator("chen"), c(), C::RecordSession)
        .then_rejected(DisputeError::NotAssignedMediator {
            actor: aid("chen"),
            action: "record a session",
        });
}

#[test]
fn the_agreement_follows_a_session_has_terms_and_is_recorded_by_a_mediator() {
    let terms = C::RecordAgreement {
        facts: "Acme has not paid the March wages.".into(),
        terms: "Acme pays the March wages by 20 March.".into(),
        obligations: Vec::new(),
    };
    given_events(events_of(path::mediating()))
        .when(&mediator("qian"), c(), terms.clone())
        .then_rejected(DisputeError::NoSessionYet);
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            C::RecordAgreement {
                facts: "Acme has not paid the March wages.".into(),
                terms: "  ".into(),
                obligations: Vec::new(),
            },
        )
        .then_rejected(DisputeError::EmptyTerms);
    given_state("Mediating")
        .when(&party("li"), c(), terms.clone())
        .then_rejected(DisputeError::NotAssignedMediator {
            actor: aid("li"),
            action: "record the agreement",
        });
    let case = given_state("Mediating")
        .when(&mediator("qian"), c(), terms)
        .then([E::from(grassroots::dispute::AgreementRecorded {
            terms: "Acme pays the March wages by 20 March.".into(),
            mediator: aid("qian"),
            facts: "Acme has not paid the March wages.".into(),
            obligations: Vec::new(),
        })]);
    assert!(matches!(case.state(), DisputeState::Signing { .. }));
}

#[test]
fn the_agreement_takes_effect_when_the_last_signature_lands() {
    let case = given_state("Signing")
        .when(&party("li"), c(), C::Sign)
        .then([E::AgreementSigned { by: aid("li") }]);
    assert!(matches!(case.state(), DisputeState::Signing { .. }));

    let mut signed_by_parties = sealed();
    signed_by_parties.push(E::AgreementSigned { by: aid("li") });
    signed_by_parties.push(E::AgreementSigned {
        by: aid("acme-rep"),
    });
    let case = given_events(signed_by_parties)
        .when(&mediator("qian"), c(), C::Sign)
        .then([
            E::AgreementSigned { by: aid("qian") },
            E::AgreementTookEffect {
                at: c(),
                // 30 days from Monday 2 March end with Wednesday 1 April.
                confirmation_due: Utc.with_ymd_and_hms(2026, 4, 1, 16, 0, 0).unwrap(),
            },
            E::from(LadderEvent::Resolved {
                tier: Tier::Estate,
                handler: id("park-academy"),
                at: c(),
            }),
        ]);
    let agreement = case.state().agreement().unwrap();
    assert_eq!(agreement.effective_at(), c());
    assert_eq!(*agreement.mediator(), aid("qian"));

    // The order does not matter: the mediator first, a party last.
    let mut mediator_first = sealed();
    mediator_first.push(E::AgreementSigned { by: aid("qian") });
    mediator_first.push(E::AgreementSigned {
        by: aid("acme-rep"),
    });
    let case = given_events(mediator_first)
        .when(&party("li"), c(), C::Sign)
        .then([
            E::AgreementSigned { by: aid("li") },
            E::AgreementTookEffect {
                at: c(),
                confirmation_due: Utc.with_ymd_and_hms(2026, 4, 1, 16, 0, 0).unwrap(),
            },
            E::from(LadderEvent::Resolved {
                tier: Tier::Estate,
                handler: id("park-academy"),
                at: c(),
            }),
        ]);
    assert!(matches!(case.state(), DisputeState::Agreed { .. }));
}

#[test]
fn only_the_parties_and_the_mediator_sign_each_once() {
    given_state("Signing")
        .when(&mediator("zhao"), c(), C::Sign)
        .then_rejected(DisputeError::NotSignatory { actor: aid("zhao") });
    given_state("Signing")
        .when(&academy_officer(), c(), C::Sign)
        .then_rejected(DisputeError::NotSignatory {
            actor: aid("officer-academy"),
        });
    let mut signed = history("Signing");
    signed.push(E::AgreementSigned { by: aid("li") });
    given_events(signed)
        .when(&party("li"), c(), C::Sign)
        .then_rejected(DisputeError::AlreadySigned { actor: aid("li") });
}

// ---------------------------------------------------------------------------
// Judicial confirmation and performance.
// ---------------------------------------------------------------------------

fn apply(applicants: &[&str]) -> C {
    C::ApplyForConfirmation {
        applicants: applicants.iter().map(|a| aid(a)).collect(),
    }
}

/// The agreement of `path::agreed` took effect at minute 7 of 2 March: its
/// window ends with 1 April (Beijing).
fn confirmation_due() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 16, 0, 0).unwrap()
}

#[test]
fn judicial_confirmation_is_applied_for_jointly_within_thirty_days() {
    let case = given_state("Agreed")
        .when(&party("li"), c(), apply(&["li", "acme-rep"]))
        .then([E::ConfirmationApplied {
            applicants: vec![aid("li"), aid("acme-rep")],
            at: c(),
        }]);
    assert!(matches!(
        case.state().agreement().unwrap().confirmation(),
        grassroots::dispute::Confirmation::Applied { .. }
    ));
    // The last minute of the window is in time.
    let last_minute = confirmation_due() - Duration::minutes(1);
    given_state("Agreed")
        .when(&party("acme-rep"), last_minute, apply(&["acme-rep", "li"]))
        .then([E::ConfirmationApplied {
            applicants: vec![aid("acme-rep"), aid("li")],
            at: last_minute,
        }]);
}

#[test]
fn a_confirmation_application_after_thirty_days_or_not_joint_is_refused() {
    given_state("Agreed")
        .when(&party("li"), c(), apply(&["li"]))
        .then_rejected(DisputeError::ConfirmationNotJoint {
            missing: vec![aid("acme-rep")],
        });
    given_state("Agreed")
        .when(&party("li"), confirmation_due(), apply(&["li", "acme-rep"]))
        .then_rejected(DisputeError::ConfirmationTooLate {
            effective_at: minutes(7),
            applied_at: confirmation_due(),
            deadline: confirmation_due(),
            limit: TimeLimit::LegalDays(30),
        });
    given_state("Agreed")
        .when(&party("li"), c(), apply(&["li", "acme-rep", "stranger"]))
        .then_rejected(DisputeError::ApplicantNotAParty {
            applicant: aid("stranger"),
        });
    given_state("Agreed")
        .when(&mediator("qian"), c(), apply(&["li", "acme-rep"]))
        .then_rejected(DisputeError::NotAParty {
            actor: aid("qian"),
            action: "apply for judicial confirmation",
        });
    let mut applied = history("Agreed");
    applied.push(E::ConfirmationApplied {
        applicants: vec![aid("li"), aid("acme-rep")],
        at: minutes(8),
    });
    given_events(applied)
        .when(&party("li"), c(), apply(&["li", "acme-rep"]))
        .then_rejected(DisputeError::ConfirmationAlreadyApplied {
            applied_at: minutes(8),
        });
}

#[test]
fn the_mediator_or_the_body_records_how_the_agreement_was_performed() {
    let fulfilled = C::RecordPerformance {
        performance: Performance::Fulfilled,
    };
    let breached = C::RecordPerformance {
        performance: Performance::Breached,
    };
    let case = given_state("Agreed")
        .when(&mediator("qian"), c(), fulfilled.clone())
        .then([E::AgreementFulfilled]);
    assert!(matches!(case.state(), DisputeState::Fulfilled { .. }));
    let case = given_state("Agreed")
        .when(&academy_officer(), c(), breached)
        .then([E::AgreementBreached {
            obligation: None,
            performance: ObligationPerformance::NotPerformed,
            // LDMAL art. 15: a labour agreement not performed goes to
            // arbitration.
            remedies: vec![Remedy::Arbitration],
        }]);
    assert!(matches!(case.state(), DisputeState::Breached { .. }));
    given_state("Agreed")
        .when(&party("li"), c(), fulfilled)
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: aid("li"),
            action: "record the performance",
            body: id("park-academy"),
            tier: Tier::Estate,
        });
}

// ---------------------------------------------------------------------------
// The written agreement as a document, its performance, the court's ruling
// (issue 13, items 10-11).
// ---------------------------------------------------------------------------

fn on_march(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 2, 0, 0).unwrap()
}

/// The fixture's draft with the academy's seal affixed.
fn sealed() -> Vec<E> {
    let mut events = history("Signing");
    events.push(E::SealAffixed {
        body: id("park-academy"),
        by: aid("officer-academy"),
    });
    events
}

/// Acme pays Li's March wages, 6,500 yuan, by 20 March.
fn wages_obligation() -> Obligation {
    Obligation::new(
        aid("acme-rep"),
        ObligationKind::Wages,
        "pays Li's March wages",
    )
    .amount(650_000)
    .due_by(on_march(20))
}

fn record_document(obligations: Vec<Obligation>) -> C {
    C::RecordAgreement {
        facts: "Acme has not paid Li's March wages; Li complained to the labour bureau.".into(),
        terms: "Acme pays the wages; Li withdraws his complaint.".into(),
        obligations,
    }
}

/// A labour agreement in effect with two obligations: 0, Acme's wages (due
/// 20 March); 1, Li withdraws his complaint (no date).
fn agreed_with_obligations() -> Vec<E> {
    let mut steps = path::mediating_with_session();
    steps.extend([
        (
            mediator("qian"),
            minutes(4),
            record_document(vec![
                wages_obligation(),
                Obligation::new(aid("li"), ObligationKind::Act, "withdraws his complaint"),
            ]),
        ),
        (academy_officer(), minutes(5), C::AffixSeal),
        (party("li"), minutes(5), C::Sign),
        (party("acme-rep"), minutes(6), C::Sign),
        (mediator("qian"), minutes(7), C::Sign),
    ]);
    events_of(steps)
}

fn confirmation_applied() -> E {
    E::ConfirmationApplied {
        applicants: vec![aid("li"), aid("acme-rep")],
        at: minutes(8),
    }
}

fn confirmed() -> E {
    E::ConfirmationRuled {
        ruling: Ruling::Confirmed,
        at: minutes(9),
        routes: Routes::NONE,
    }
}

fn obligation(n: u32, performance: ObligationPerformance) -> C {
    C::RecordObligation {
        obligation: n,
        performance,
    }
}

#[test]
fn pml_art_29_the_agreement_takes_effect_on_the_last_of_the_signatures_and_the_seal() {
    // Every signature without the seal: not yet in effect.
    let mut signed = history("Signing");
    signed.push(E::AgreementSigned { by: aid("li") });
    signed.push(E::AgreementSigned {
        by: aid("acme-rep"),
    });
    let case = given_events(signed.clone())
        .when(&mediator("qian"), c(), C::Sign)
        .then([E::AgreementSigned { by: aid("qian") }]);
    assert!(matches!(case.state(), DisputeState::Signing { .. }));
    // The seal last puts it into effect.
    signed.push(E::AgreementSigned { by: aid("qian") });
    let case = given_events(signed.clone())
        .when(&academy_officer(), c(), C::AffixSeal)
        .then([
            E::SealAffixed {
                body: id("park-academy"),
                by: aid("officer-academy"),
            },
            E::AgreementTookEffect {
                at: c(),
                confirmation_due: confirmation_due(),
            },
            E::from(LadderEvent::Resolved {
                tier: Tier::Estate,
                handler: id("park-academy"),
                at: c(),
            }),
        ]);
    assert_eq!(case.state().agreement().unwrap().effective_at(), c());
    // Only an officer of the handling body seals, and once.
    given_events(signed)
        .when(&committee_officer(), c(), C::AffixSeal)
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: aid("officer-hehua"),
            action: "affix the seal",
            body: id("park-academy"),
            tier: Tier::Estate,
        });
    given_events(sealed())
        .when(&academy_officer(), c(), C::AffixSeal)
        .then_rejected(DisputeError::AlreadySealed {
            body: id("park-academy"),
        });
}

#[test]
fn pml_art_29_the_written_agreement_states_facts_and_each_obligation() {
    let case = given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            record_document(vec![wages_obligation()]),
        )
        .then([E::from(grassroots::dispute::AgreementRecorded {
            terms: "Acme pays the wages; Li withdraws his complaint.".into(),
            mediator: aid("qian"),
            facts: "Acme has not paid Li's March wages; Li complained to the labour bureau.".into(),
            obligations: vec![wages_obligation()],
        })]);
    let DisputeState::Signing { draft, .. } = case.state() else {
        panic!("{:?}", case.state());
    };
    assert_eq!(draft.obligations(), [wages_obligation()]);
    assert_eq!(draft.sealed_by(), None);
    // No facts stated.
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            C::RecordAgreement {
                facts: " ".into(),
                terms: "Acme pays.".into(),
                obligations: Vec::new(),
            },
        )
        .then_rejected(DisputeError::NoFactsStated);
    // An obligation binding someone who is not a party.
    let mut stranger = wages_obligation();
    stranger.obligor = aid("zhao");
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            record_document(vec![wages_obligation(), stranger]),
        )
        .then_rejected(DisputeError::ObligorNotAParty {
            obligation: 1,
            obligor: aid("zhao"),
        });
    // A negative amount.
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            record_document(vec![wages_obligation().amount(-1)]),
        )
        .then_rejected(DisputeError::NegativeAmount {
            obligation: 0,
            fen: -1,
        });
    // Due before the agreement.
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            record_document(vec![wages_obligation().due_by(minutes(19))]),
        )
        .then_rejected(DisputeError::DueBeforeAgreement {
            obligation: 0,
            due: minutes(19),
            recorded_at: c(),
        });
    // Nothing to do.
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            record_document(vec![Obligation::new(aid("li"), ObligationKind::Act, "")]),
        )
        .then_rejected(DisputeError::EmptyObligation { obligation: 0 });
}

#[test]
fn pml_art_31_performance_is_followed_obligation_by_obligation() {
    let agreed = agreed_with_obligations();
    given_events(agreed.clone())
        .when(
            &mediator("qian"),
            c(),
            C::RecordPerformance {
                performance: Performance::Fulfilled,
            },
        )
        .then_rejected(DisputeError::ObligationsOutstanding { outstanding: 2 });
    let case = given_events(agreed.clone())
        .when(
            &mediator("qian"),
            c(),
            obligation(1, ObligationPerformance::Performed),
        )
        .then([E::ObligationPerformed { obligation: 1 }]);
    assert_eq!(case.state().agreement().unwrap().performed(), [1]);
    let mut one_done = agreed.clone();
    one_done.push(E::ObligationPerformed { obligation: 1 });
    let case = given_events(one_done.clone())
        .when(
            &academy_officer(),
            on_march(19),
            obligation(0, ObligationPerformance::Performed),
        )
        .then([
            E::ObligationPerformed { obligation: 0 },
            E::AgreementFulfilled,
        ]);
    assert!(matches!(case.state(), DisputeState::Fulfilled { .. }));
    given_events(one_done.clone())
        .when(
            &mediator("qian"),
            c(),
            obligation(1, ObligationPerformance::Performed),
        )
        .then_rejected(DisputeError::ObligationAlreadyPerformed { obligation: 1 });
    given_events(one_done)
        .when(
            &mediator("qian"),
            c(),
            obligation(2, ObligationPerformance::Performed),
        )
        .then_rejected(DisputeError::UnknownObligation {
            obligation: 2,
            count: 2,
        });
    given_events(agreed)
        .when(
            &party("li"),
            c(),
            obligation(1, ObligationPerformance::Performed),
        )
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: aid("li"),
            action: "record the performance",
            body: id("park-academy"),
            tier: Tier::Estate,
        });
}

#[test]
fn pml_art_32_a_breach_or_a_dispute_over_performance_names_the_routes() {
    // A labour agreement: arbitration (LDMAL art. 15).
    let case = given_events(agreed_with_obligations())
        .when(
            &mediator("qian"),
            c(),
            obligation(1, ObligationPerformance::Disputed),
        )
        .then([E::AgreementBreached {
            obligation: Some(1),
            performance: ObligationPerformance::Disputed,
            remedies: vec![Remedy::Arbitration],
        }]);
    assert!(matches!(case.state(), DisputeState::Breached { .. }));
    // Another kind: litigation (PML art. 32).
    given_events(commercial_agreed())
        .when(
            &mediator("fang"),
            c(),
            C::RecordPerformance {
                performance: Performance::Breached,
            },
        )
        .then([E::AgreementBreached {
            obligation: None,
            performance: ObligationPerformance::NotPerformed,
            remedies: vec![Remedy::Litigation],
        }]);
}

#[test]
fn ldmal_art_16_unpaid_wages_open_a_payment_order_once_due() {
    given_events(agreed_with_obligations())
        .when(
            &mediator("qian"),
            on_march(21),
            obligation(0, ObligationPerformance::NotPerformed),
        )
        .then([E::AgreementBreached {
            obligation: Some(0),
            performance: ObligationPerformance::NotPerformed,
            remedies: vec![Remedy::Arbitration, Remedy::PaymentOrder],
        }]);
    // Not before the wages fall due.
    given_events(agreed_with_obligations())
        .when(
            &mediator("qian"),
            c(),
            obligation(0, ObligationPerformance::NotPerformed),
        )
        .then_rejected(DisputeError::ObligationNotYetDue {
            obligation: 0,
            due: on_march(20),
            at: c(),
        });
    // A breach of the whole with the wages outstanding opens it too.
    given_events(agreed_with_obligations())
        .when(
            &mediator("qian"),
            on_march(21),
            C::RecordPerformance {
                performance: Performance::Breached,
            },
        )
        .then([E::AgreementBreached {
            obligation: None,
            performance: ObligationPerformance::NotPerformed,
            remedies: vec![Remedy::Arbitration, Remedy::PaymentOrder],
        }]);
}

#[test]
fn pml_art_33_the_courts_ruling_is_recorded_confirmed_or_refused_with_its_ground() {
    given_state("Agreed")
        .when(
            &party("li"),
            c(),
            C::RecordRuling {
                ruling: Ruling::Confirmed,
            },
        )
        .then_rejected(DisputeError::NoConfirmationPending);
    let mut applied = history("Agreed");
    applied.push(confirmation_applied());
    let case = given_events(applied.clone())
        .when(
            &party("acme-rep"),
            c(),
            C::RecordRuling {
                ruling: Ruling::Confirmed,
            },
        )
        .then([E::ConfirmationRuled {
            ruling: Ruling::Confirmed,
            at: c(),
            routes: Routes::NONE,
        }]);
    assert_eq!(
        case.state().agreement().unwrap().confirmation(),
        grassroots::dispute::Confirmation::Confirmed {
            at: minutes(8),
            ruled_at: c(),
        }
    );
    let refused = Ruling::Refused {
        ground: RefusalGround::ContentUnclear,
    };
    let case = given_events(applied.clone())
        .when(&academy_officer(), c(), C::RecordRuling { ruling: refused })
        .then([E::ConfirmationRuled {
            ruling: refused,
            at: c(),
            routes: Routes::only(Referral::Litigation),
        }]);
    assert_eq!(
        case.state().agreement().unwrap().confirmation(),
        grassroots::dispute::Confirmation::Refused {
            at: minutes(8),
            ruled_at: c(),
            ground: RefusalGround::ContentUnclear,
        }
    );
    // Ruled once; not re-applied for.
    let mut ruled = applied.clone();
    ruled.push(confirmed());
    given_events(ruled.clone())
        .when(&party("li"), c(), C::RecordRuling { ruling: refused })
        .then_rejected(DisputeError::NoConfirmationPending);
    given_events(ruled)
        .when(&party("li"), c(), apply(&["li", "acme-rep"]))
        .then_rejected(DisputeError::ConfirmationAlreadyApplied {
            applied_at: minutes(8),
        });
    given_events(applied)
        .when(&mediator("qian"), c(), C::RecordRuling { ruling: refused })
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: aid("qian"),
            action: "record the court's ruling",
            body: id("park-academy"),
            tier: Tier::Estate,
        });
}

#[test]
fn pml_art_33_a_confirmed_agreement_not_performed_may_go_to_enforcement() {
    let breach = C::RecordPerformance {
        performance: Performance::Breached,
    };
    let mut confirmed_agreement = history("Agreed");
    confirmed_agreement.extend([confirmation_applied(), confirmed()]);
    let case = given_events(confirmed_agreement)
        .when(&mediator("qian"), c(), breach.clone())
        .then([E::AgreementBreached {
            obligation: None,
            performance: ObligationPerformance::NotPerformed,
            remedies: vec![Remedy::Enforcement],
        }]);
    let breached = case
        .history()
        .iter()
        .map(|r| r.event.clone())
        .collect::<Vec<_>>();
    let case = given_events(breached.clone())
        .when(&party("li"), c(), C::ApplyForEnforcement)
        .then([E::EnforcementApplied {
            by: aid("li"),
            at: c(),
        }]);
    assert_eq!(
        case.state().agreement().unwrap().enforcement_applied_at(),
        Some(c())
    );
    let mut applied = breached.clone();
    applied.push(E::EnforcementApplied {
        by: aid("li"),
        at: minutes(30),
    });
    given_events(applied)
        .when(&party("acme-rep"), c(), C::ApplyForEnforcement)
        .then_rejected(DisputeError::EnforcementAlreadyApplied {
            applied_at: minutes(30),
        });
    given_events(breached)
        .when(&mediator("qian"), c(), C::ApplyForEnforcement)
        .then_rejected(DisputeError::NotAParty {
            actor: aid("qian"),
            action: "apply for enforcement",
        });
    // Without a confirmation there is nothing to enforce.
    given_state("Breached")
        .when(&party("li"), c(), C::ApplyForEnforcement)
        .then_rejected(DisputeError::NotConfirmed);
}

// ---------------------------------------------------------------------------
// Failure, the ladder, referral.
// ---------------------------------------------------------------------------

#[test]
fn a_mediator_ends_a_mediation_without_agreement_naming_the_routes() {
    let case = given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            C::TerminateMediation {
                reason: FailureReason::NoAgreementReached,
            },
        )
        .then([E::MediationFailed {
            reason: FailureReason::NoAgreementReached,
            routes: arbitration(),
        }]);
    assert!(matches!(case.state(), DisputeState::MediationFailed { .. }));
    given_state("Signing")
        .when(
            &mediator("qian"),
            c(),
            C::TerminateMediation {
                reason: FailureReason::PartyRefusedToSign,
            },
        )
        .then([E::MediationFailed {
            reason: FailureReason::PartyRefusedToSign,
            routes: arbitration(),
        }]);
    given_state("Mediating")
        .when(
            &mediator("chen"),
            c(),
            C::TerminateMediation {
                reason: FailureReason::PartyAbsent,
            },
        )
        .then_rejected(DisputeError::NotAssignedMediator {
            actor: aid("chen"),
            action: "end the mediation",
        });
}

#[test]
fn a_failed_mediation_goes_up_the_ladder_to_the_next_routed_body() {
    let case = given_state("MediationFailed")
        .when(&academy_officer(), c(), C::Escalate)
        .then([escalated_event(
            Tier::Estate,
            Tier::Community,
            EscalationReason::HandlingFailed,
            route("hehua-med", Tier::Community, "hehua"),
            c(),
        )]);
    assert!(matches!(case.state(), DisputeState::Escalated { .. }));
    assert_eq!(case.state().tier(), Some(Tier::Community));
    assert_eq!(
        case.state().file().unwrap().handler(),
        Some(&id("hehua-med"))
    );
    given_state("MediationFailed")
        .when(&mediator("qian"), c(), C::Escalate)
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: aid("qian"),
            action: "escalate the dispute",
            body: id("park-academy"),
            tier: Tier::Estate,
        });
}

#[test]
fn the_ceiling_holds_without_an_override_by_the_higher_tier() {
    let at_ceiling = events_of(path::failed_at_community());
    given_events(at_ceiling.clone())
        .when(&committee_officer(), c(), C::Escalate)
        .then_rejected(DisputeError::Ladder(LadderError::CeilingReached {
            tier: Tier::Community,
            next: Tier::Subdistrict,
            ceiling: Tier::Community,
            needed: Role::Officer(Tier::Subdistrict),
        }));
    let override_ = |j: &str| C::OverrideCeiling {
        justification: j.into(),
    };
    let committee = committee_officer();
    given_events(at_ceiling.clone())
        .when(&committee, c(), override_("urgent"))
        .then_rejected(
            committee
                .forbidden("override the ceiling", Role::Officer(Tier::Subdistrict))
                .into(),
        );
    given_events(at_ceiling.clone())
        .when(&pinghu_officer(), c(), override_(" "))
        .then_rejected(DisputeError::Ladder(LadderError::MissingJustification));
    let case = given_events(at_ceiling)
        .when(
            &pinghu_officer(),
            c(),
            override_("the workers threaten a strike"),
        )
        .then([E::from(LadderEvent::Escalated(Escalated {
            from: Tier::Community,
            to: Tier::Subdistrict,
            reason: EscalationReason::HandlingFailed,
            route: route("pinghu-med", Tier::Subdistrict, "pinghu"),
            at: c(),
            due: Some(deadline(c(), limit(Tier::Subdistrict))),
            overridden: Some(Override {
                by: aid("officer-pinghu"),
                justification: "the workers threaten a strike".into(),
            }),
        }))]);
    assert_eq!(case.state().tier(), Some(Tier::Subdistrict));
    // Below the ceiling an override is not needed.
    given_state("MediationFailed")
        .when(&pinghu_officer(), c(), override_("urgent"))
        .then_rejected(DisputeError::Ladder(LadderError::OverrideNotNeeded {
            tier: Tier::Estate,
            next: Tier::Community,
            ceiling: Tier::Community,
        }));
}

#[test]
fn after_a_failed_mediation_a_party_or_the_body_refers_it_to_an_open_route() {
    let refer = |to| C::Refer { to };
    let case = given_state("MediationFailed")
        .when(&party("li"), c(), refer(Referral::Arbitration))
        .then([referred(ReferralGround::MediationFailed)]);
    assert!(matches!(
        case.state(),
        DisputeState::Referred {
            to: Referral::Arbitration,
            ..
        }
    ));
    given_state("MediationFailed")
        .when(&academy_officer(), c(), refer(Referral::Arbitration))
        .then([referred(ReferralGround::MediationFailed)]);
    // A labour dispute goes to arbitration before any lawsuit.
    given_state("MediationFailed")
        .when(&party("li"), c(), refer(Referral::Litigation))
        .then_rejected(DisputeError::RouteNotOpen {
            to: Referral::Litigation,
            open: arbitration(),
        });
    given_state("MediationFailed")
        .when(&stranger(), c(), refer(Referral::Arbitration))
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: aid("stranger"),
            action: "refer the dispute",
            body: id("park-academy"),
            tier: Tier::Estate,
        });
}

#[test]
fn an_exhausted_ladder_refers_the_dispute_out() {
    // A critical labour dispute: from the community up to the district, the
    // top of this graph.
    let mut report = labour_report();
    report.severity = Severity::Critical;
    let mut steps: path::Steps = vec![(party("li"), minutes(0), C::Report(report))];
    let bodies = [
        ("hehua-med", Tier::Community, "chen"),
        ("pinghu-med", Tier::Subdistrict, "zhou"),
        ("longgang-med", Tier::District, "qian"),
    ];
    let mut minute = 0;
    let mut next = || {
        minute += 1;
        minutes(minute)
    };
    for (body, tier, who) in bodies {
        let officer = officer("officer", tier, body);
        steps.push((officer.clone(), next(), C::Accept));
        steps.push((
            officer.clone(),
            next(),
            assign(&[who], Selection::ChosenByParties),
        ));
        steps.push((mediator(who), next(), C::RecordSession));
        steps.push((
            mediator(who),
            next(),
            C::TerminateMediation {
                reason: FailureReason::NoAgreementReached,
            },
        ));
        steps.push((officer, next(), C::Escalate));
    }
    let case = drive(d(), &steps);
    assert!(matches!(case.state(), DisputeState::MediationFailed { .. }));
    assert_eq!(
        case.history().last().unwrap().event,
        E::from(LadderEvent::Exhausted {
            tier: Tier::District
        })
    );
    let at_the_top: Vec<E> = case.history().iter().map(|r| r.event.clone()).collect();
    let case = given(d(), at_the_top)
        .at(minutes(30))
        .when(
            &party("acme-rep"),
            minutes(40),
            C::Refer {
                to: Referral::Arbitration,
            },
        )
        .then([
            E::from(LadderEvent::ReferredOut {
                tier: Tier::District,
                to: Referral::Arbitration,
            }),
            referred(ReferralGround::MediationFailed),
        ]);
    let report = MatterReport::from_history(case.history());
    assert_eq!(report.started_at, Some(Tier::Community));
    assert_eq!(report.escalations, 2);
    assert_eq!(
        report.outcome,
        Outcome::ReferredOut(Tier::District, Referral::Arbitration)
    );
}

// ---------------------------------------------------------------------------
// Labour disputes: the fifteen days.
// ---------------------------------------------------------------------------

/// LDMAL art. 14: the 15 days run from the body's receipt (acceptance),
/// not from the report; a tick records that arbitration may be applied
/// for.
#[test]
fn ldmal_art_14_the_fifteen_days_run_from_the_bodys_receipt() {
    let deadline = labour_deadline();
    // Before any body received it, no period runs: no timer, nothing due.
    let reported = given_state("Reported")
        .when(&system(), deadline + Duration::days(30), C::Tick)
        .then_nothing();
    assert_eq!(
        reported.state().file().unwrap().labour(),
        LabourLimit::AwaitingReceipt
    );
    assert_eq!(Dispute::next_due(reported.state()), None);
    // Accepted a week after the report: 15 days from that acceptance.
    let late = minutes(7 * 24 * 60);
    let from_receipt = calendar().deadline(late, TimeLimit::LegalDays(15)).unwrap();
    let case = given(d(), history("Reported"))
        .at(g())
        .when(&academy_officer(), late, C::Accept)
        .then([
            started_at_the_park(late),
            E::Accepted {
                body: id("park-academy"),
                tier: Tier::Estate,
                labour_deadline: Some(from_receipt),
            },
        ]);
    assert_eq!(
        case.state().file().unwrap().labour(),
        LabourLimit::Running {
            deadline: from_receipt
        }
    );
    // (The same tick finds the park's 5 working days long gone.)
    let case = given_state("Accepted")
        .when(&system(), deadline, C::Tick)
        .then([
            arbitration_opened(),
            escalated_event(
                Tier::Estate,
                Tier::Community,
                EscalationReason::TimedOut,
                route("hehua-med", Tier::Community, "hehua"),
                deadline,
            ),
        ]);
    assert_eq!(
        case.state().file().unwrap().labour(),
        LabourLimit::MayApplyForArbitration { deadline }
    );
    // Recorded once.
    let mut opened_once = history("Accepted");
    opened_once.push(arbitration_opened());
    let again = given_events(opened_once).when(&system(), deadline + Duration::days(3), C::Tick);
    assert!(
        again
            .outcome()
            .as_ref()
            .is_ok_and(|events| !events.contains(&arbitration_opened()))
    );
    // While mediating, the same tick also finds the park's 5 working days
    // long gone: the ladder moves the dispute up to the community.
    let case = given_state("Mediating")
        .when(&system(), deadline, C::Tick)
        .then([
            arbitration_opened(),
            escalated_event(
                Tier::Estate,
                Tier::Community,
                EscalationReason::TimedOut,
                route("hehua-med", Tier::Community, "hehua"),
                deadline,
            ),
        ]);
    assert!(matches!(case.state(), DisputeState::Escalated { .. }));
    // An escalation does not restart the period.
    given_state("Escalated")
        .when(&committee_officer(), c(), C::Accept)
        .then([E::Accepted {
            body: id("hehua-med"),
            tier: Tier::Community,
            labour_deadline: None,
        }]);
    // Not once an agreement is in effect.
    given_state("Agreed")
        .when(&system(), deadline, C::Tick)
        .then_nothing();
    // Not for other kinds of dispute.
    let neighbours = events_of(vec![(
        grid_worker(),
        minutes(0),
        C::Report(neighbour_report()),
    )]);
    given_events(neighbours)
        .when(&system(), deadline + Duration::days(30), C::Tick)
        .then_nothing();
}

/// LDMAL art. 14: the right to apply for arbitration comes from elapsed
/// time, judged in `decide`, not from a tick.
#[test]
fn ldmal_art_14_a_party_may_apply_for_arbitration_once_the_period_ends_without_a_tick() {
    let to_arbitration = C::Refer {
        to: Referral::Arbitration,
    };
    for state in ["Accepted", "Escalated", "Mediating", "Signing"] {
        // A second before: the party goes as one unwilling to mediate.
        given_state(state)
            .when(
                &party("li"),
                labour_deadline() - Duration::seconds(1),
                to_arbitration.clone(),
            )
            .then([referred(ReferralGround::UnwillingToMediate)]);
        // On time: the period's end is recorded, then the referral on it.
        let case = given_state(state)
            .when(&party("li"), labour_deadline(), to_arbitration.clone())
            .then([
                arbitration_opened(),
                referred(ReferralGround::NoAgreementWithinPeriod),
            ]);
        assert!(
            matches!(case.state(), DisputeState::Referred { .. }),
            "{state}"
        );
        // After a tick recorded it, the referral alone.
        let mut events = history(state);
        events.push(arbitration_opened());
        given_events(events)
            .when(&party("acme-rep"), c(), to_arbitration.clone())
            .then([referred(ReferralGround::NoAgreementWithinPeriod)]);
    }
}

/// LDMAL art. 5: a party unwilling to mediate a labour dispute may apply
/// for arbitration directly, even before any body received it; only a
/// party, only to arbitration, only for labour disputes.
#[test]
fn ldmal_art_5_a_party_unwilling_to_mediate_goes_to_arbitration_directly() {
    let to_arbitration = C::Refer {
        to: Referral::Arbitration,
    };
    for state in ["Reported", "Accepted", "Escalated", "Mediating", "Signing"] {
        let case = given_state(state)
            .when(&party("acme-rep"), c(), to_arbitration.clone())
            .then([referred(ReferralGround::UnwillingToMediate)]);
        assert!(
            matches!(case.state(), DisputeState::Referred { .. }),
            "{state}"
        );
        given_state(state)
            .when(&academy_officer(), c(), to_arbitration.clone())
            .then_rejected(DisputeError::NotAParty {
                actor: aid("officer-academy"),
                action: "take the dispute to arbitration",
            });
        given_state(state)
            .when(
                &party("li"),
                c(),
                C::Refer {
                    to: Referral::Litigation,
                },
            )
            .then_rejected(DisputeError::RouteNotOpen {
                to: Referral::Litigation,
                open: arbitration(),
            });
    }
    let neighbours = events_of(vec![(
        grid_worker(),
        minutes(0),
        C::Report(neighbour_report()),
    )]);
    given_events(neighbours)
        .when(
            &party("wang"),
            c(),
            C::Refer {
                to: Referral::Litigation,
            },
        )
        .then_rejected(DisputeError::NotLabourDispute {
            kind: DisputeKind::Neighbour,
        });
}

#[test]
fn the_ladder_times_out_a_tier_on_a_tick_and_a_quiet_tick_records_nothing() {
    // Accepted on Monday 2 March at the park: 5 working days, due at the
    // start of Tuesday 10 March.
    let due = Utc.with_ymd_and_hms(2026, 3, 9, 16, 0, 0).unwrap();
    given_state("Accepted")
        .when(&system(), due - Duration::seconds(1), C::Tick)
        .then_nothing();
    let case = given_state("Accepted")
        .when(&system(), due, C::Tick)
        .then([escalated_event(
            Tier::Estate,
            Tier::Community,
            EscalationReason::TimedOut,
            route("hehua-med", Tier::Community, "hehua"),
            due,
        )]);
    assert!(matches!(case.state(), DisputeState::Escalated { .. }));
    // Referred, withdrawn or agreed disputes are off the ladder: no timeouts.
    for state in ["Agreed", "Fulfilled", "Referred", "Withdrawn"] {
        given_state(state)
            .when(&system(), due + Duration::days(3), C::Tick)
            .then_nothing();
    }
}

// ---------------------------------------------------------------------------
// Risk flags: the early warning.
// ---------------------------------------------------------------------------

fn flag(severity: Severity) -> C {
    C::FlagRisk { severity }
}

#[test]
fn a_risk_flag_raises_the_severity_on_the_ladder() {
    let case = given_state("Mediating")
        .when(&grid_worker(), c(), flag(Severity::Serious))
        .then([
            E::RiskFlagged {
                from: Severity::Moderate,
                to: Severity::Serious,
            },
            E::from(LadderEvent::SeverityRaised {
                from: Severity::Moderate,
                to: Severity::Serious,
                cause: SeverityCause::RiskOfIntensifying,
                band: Band::new(Tier::Community, Tier::Community),
            }),
            // A serious matter starts at the community: it moves up now.
            escalated_event(
                Tier::Estate,
                Tier::Community,
                EscalationReason::SeverityRaised,
                route("hehua-med", Tier::Community, "hehua"),
                c(),
            ),
        ]);
    assert!(matches!(case.state(), DisputeState::Escalated { .. }));
    let file = case.state().file().unwrap();
    assert_eq!(file.severity(), Severity::Serious);
    assert_eq!(file.risk_flags(), 1);
    // Already at the community: the severity rises, the tier stays.
    given_state("Escalated")
        .when(&mediator("chen"), c(), flag(Severity::Serious))
        .then([
            E::RiskFlagged {
                from: Severity::Moderate,
                to: Severity::Serious,
            },
            E::from(LadderEvent::SeverityRaised {
                from: Severity::Moderate,
                to: Severity::Serious,
                cause: SeverityCause::RiskOfIntensifying,
                band: Band::new(Tier::Community, Tier::Community),
            }),
        ]);
}

#[test]
fn a_risk_flag_must_raise_the_severity_and_comes_from_those_who_watch() {
    given_state("Mediating")
        .when(&grid_worker(), c(), flag(Severity::Moderate))
        .then_rejected(DisputeError::SeverityNotRaised {
            current: Severity::Moderate,
            requested: Severity::Moderate,
        });
    let li = party("li");
    given_state("Mediating")
        .when(&li, c(), flag(Severity::Critical))
        .then_rejected(
            li.forbidden("raise the severity", Role::Officer(Tier::Grid))
                .into(),
        );
}

#[test]
fn a_risk_flag_before_acceptance_starts_the_ladder_higher() {
    let mut events = history("Reported");
    let flagged = given_events(events.clone())
        .when(&grid_worker(), c(), flag(Severity::Serious))
        .then([E::RiskFlagged {
            from: Severity::Moderate,
            to: Severity::Serious,
        }]);
    assert_eq!(flagged.state().tier(), None);
    events.push(E::RiskFlagged {
        from: Severity::Moderate,
        to: Severity::Serious,
    });
    // Now the community's committee is the routed body, not the academy.
    given_events(events.clone())
        .when(&academy_officer(), c(), C::Accept)
        .then_rejected(DisputeError::NotBodyOfficer {
            actor: aid("officer-academy"),
            action: "accept the dispute",
            body: id("hehua-med"),
            tier: Tier::Community,
        });
    let case = given_events(events)
        .when(&committee_officer(), c(), C::Accept)
        .then([
            E::from(LadderEvent::Started(Started {
                location: id("huanan-park"),
                need: Need::Mediation(DisputeKind::Labour),
                severity: Severity::Serious,
                policy: PolicyBook::default().current().reference().clone(),
                band: Band::new(Tier::Community, Tier::Community),
                route: route("hehua-med", Tier::Community, "hehua"),
                at: c(),
                due: Some(deadline(c(), limit(Tier::Community))),
            })),
            E::Accepted {
                body: id("hehua-med"),
                tier: Tier::Community,
                labour_deadline: Some(deadline(c(), TimeLimit::LegalDays(15))),
            },
        ]);
    assert_eq!(case.state().tier(), Some(Tier::Community));
}

#[test]
fn after_the_agreement_a_risk_flag_is_recorded_as_an_early_warning_only() {
    for state in ["Agreed", "Fulfilled", "Breached", "Referred", "Withdrawn"] {
        let case = given_state(state)
            .when(&grid_worker(), c(), flag(Severity::Critical))
            .then([E::RiskFlagged {
                from: Severity::Moderate,
                to: Severity::Critical,
            }]);
        assert_eq!(case.state().kind().name(), state);
    }
}

// ---------------------------------------------------------------------------
// Follow-up and close.
// ---------------------------------------------------------------------------

#[test]
fn a_follow_up_visit_with_a_rating_closes_the_dispute() {
    for (state, ending) in [
        ("Fulfilled", Ending::Fulfilled),
        ("Breached", Ending::Breached),
        (
            "Referred",
            Ending::Referred {
                to: Referral::Arbitration,
            },
        ),
        (
            "Withdrawn",
            Ending::Withdrawn {
                by: aid("acme-rep"),
            },
        ),
    ] {
        let case = given_state(state)
            .when(
                &mediator("qian"),
                c(),
                C::RecordFollowUp {
                    rating: Satisfaction::FairlySatisfied,
                },
            )
            .then([E::FollowedUp {
                rating: Satisfaction::FairlySatisfied,
            }]);
        assert_eq!(
            case.state(),
            &DisputeState::Closed {
                file: Box::new(case.state().file().unwrap().clone()),
                ending,
                rating: Satisfaction::FairlySatisfied,
            }
        );
        assert!(case.is_terminal());
    }
    let li = party("li");
    given_state("Fulfilled")
        .when(
            &li,
            c(),
            C::RecordFollowUp {
                rating: Satisfaction::Satisfied,
            },
        )
        .then_rejected(
            li.forbidden("record a follow-up visit", Role::Mediator)
                .into(),
        );
}

#[test]
fn ladder_reports_read_dispute_histories() {
    let case = drive(d(), &path::closed());
    let report = MatterReport::from_history(case.history());
    assert_eq!(report.started_at, Some(Tier::Estate));
    assert_eq!(report.outcome, Outcome::Resolved(Tier::Estate));
    assert_eq!(report.resolved_within_ceiling(), Some(true));
    assert_eq!(report.escalations, 0);
}

#[test]
fn refusals_say_which_rule_refused_them() {
    let err = given_state("Agreed")
        .when(&party("li"), c(), apply(&["li"]))
        .outcome()
        .clone()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "judicial confirmation must be applied for jointly: 1 party is missing"
    );
    let conflict = DisputeError::MediatorConflict {
        mediator: aid("zhao"),
        party: aid("li"),
        org: id("acme"),
    };
    assert_eq!(
        conflict.to_string(),
        "mediator zhao belongs to acme, which party li is, represents or belongs to"
    );
    assert_eq!(
        not_applicable("Sign", "Mediating").to_string(),
        "command Sign does not apply to a dispute that is Mediating"
    );
}

// ---------------------------------------------------------------------------
// The law, read again (issue 13).
// ---------------------------------------------------------------------------

/// A commercial dispute mediated by the studio to an agreement in effect.
fn commercial_agreed() -> Vec<E> {
    let studio = || officer("officer-studio", Tier::Community, "studio");
    events_of(vec![
        (party("wang"), minutes(0), C::Report(commercial_report())),
        (studio(), minutes(1), C::Accept),
        (studio(), minutes(2), assign(&["fang"], Selection::Roster)),
        (mediator("fang"), minutes(3), C::RecordSession),
        (
            mediator("fang"),
            minutes(4),
            C::RecordAgreement {
                facts: "Shop 9 kept Wang's deposit after the lease ended.".into(),
                terms: "Shop 9 refunds the deposit by 31 March.".into(),
                obligations: Vec::new(),
            },
        ),
        (studio(), minutes(5), C::AffixSeal),
        (party("wang"), minutes(5), C::Sign),
        (party("shopkeeper"), minutes(6), C::Sign),
        (mediator("fang"), minutes(7), C::Sign),
    ])
}

/// PML art. 33 provides judicial confirmation for people's mediation
/// agreements only: a commercial mediation organisation's agreement is a
/// contract, and the joint application is refused.
#[test]
fn pml_art_33_a_commercial_mediation_agreement_is_not_judicially_confirmed() {
    given_events(commercial_agreed())
        .when(
            &party("wang"),
            c(),
            C::ApplyForConfirmation {
                applicants: vec![aid("wang"), aid("shopkeeper")],
            },
        )
        .then_rejected(DisputeError::NotJudiciallyConfirmable {
            body: id("studio"),
            organisation: grassroots::org::MediationOrganisation::Commercial,
        });
    // A people's mediation committee's agreement may be confirmed.
    given_state("Agreed")
        .when(
            &party("li"),
            c(),
            C::ApplyForConfirmation {
                applicants: vec![aid("li"), aid("acme-rep")],
            },
        )
        .then([E::ConfirmationApplied {
            applicants: vec![aid("li"), aid("acme-rep")],
            at: c(),
        }]);
}

/// PML arts. 13 and 19: only people's mediators mediate. Recording a
/// session, an agreement, a signature as mediator or the end of mediation
/// needs the mediator role and a place on the roster on that day; an
/// assigned id alone is not enough.
#[test]
fn pml_arts_13_19_only_a_rostered_mediator_records() {
    // He is on the academy's roster until 10 March.
    let he_assigned = events_of(vec![
        (party("li"), minutes(0), C::Report(labour_report())),
        (academy_officer(), minutes(1), C::Accept),
        (
            academy_officer(),
            minutes(2),
            assign(&["he"], Selection::Roster),
        ),
    ]);
    let march = |d| Utc.with_ymd_and_hms(2026, 3, d, 2, 0, 0).unwrap();
    given_events(he_assigned.clone())
        .when(&mediator("he"), march(10), C::RecordSession)
        .then([E::SessionRecorded { number: 1 }]);
    given_events(he_assigned.clone())
        .when(&mediator("he"), march(11), C::RecordSession)
        .then_rejected(DisputeError::MediatorNotRostered {
            mediator: aid("he"),
            action: "record a session",
            body: id("park-academy"),
            date: chrono::NaiveDate::from_ymd_opt(2026, 3, 11).unwrap(),
        });
    given_events(he_assigned)
        .when(
            &mediator("he"),
            march(11),
            C::TerminateMediation {
                reason: FailureReason::PartyAbsent,
            },
        )
        .then_error(|e| {
            matches!(
                e,
                CaseError::Rejected(DisputeError::MediatorNotRostered { .. })
            )
        });
    // An assigned id without the mediator role records nothing.
    let qian_without_role = Actor::new(aid("qian")).with_role(Role::GridWorker);
    given_state("Mediating")
        .when(&qian_without_role, c(), C::RecordSession)
        .then_error(|e| matches!(e, CaseError::Rejected(DisputeError::Forbidden(_))));
    given_state("Mediating")
        .when(
            &qian_without_role,
            c(),
            C::RecordAgreement {
                facts: "Wages unpaid.".into(),
                terms: "Acme pays.".into(),
                obligations: Vec::new(),
            },
        )
        .then_error(|e| matches!(e, CaseError::Rejected(DisputeError::Forbidden(_))));
    given_state("Signing")
        .when(&qian_without_role, c(), C::Sign)
        .then_error(|e| matches!(e, CaseError::Rejected(DisputeError::Forbidden(_))));
    // Chosen by the parties, a people's mediator of another committee
    // records: Chen is on Hehua's committee.
    let chosen = events_of(vec![
        (party("li"), minutes(0), C::Report(labour_report())),
        (academy_officer(), minutes(1), C::Accept),
        (
            academy_officer(),
            minutes(2),
            assign(&["chen"], Selection::ChosenByParties),
        ),
    ]);
    given_events(chosen)
        .when(&mediator("chen"), c(), C::RecordSession)
        .then([E::SessionRecorded { number: 1 }]);
}

/// PML art. 19: the parties may choose mediators, but only people's
/// mediators — members of a people's mediation committee (or of the
/// handling body) on the day.
#[test]
fn pml_art_19_a_mediator_chosen_by_the_parties_is_a_peoples_mediator() {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    // Fang mediates for the commercial studio: not a people's mediator.
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["fang"], Selection::ChosenByParties),
        )
        .then_rejected(DisputeError::NotAPeoplesMediator {
            mediator: aid("fang"),
            date,
        });
    // A volunteer on no roster at all.
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["qian", "volunteer"], Selection::ChosenByParties),
        )
        .then_rejected(DisputeError::NotAPeoplesMediator {
            mediator: aid("volunteer"),
            date,
        });
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            assign(&["chen"], Selection::ChosenByParties),
        )
        .then([E::MediatorsAssigned {
            mediators: vec![aid("chen")],
            selection: Selection::ChosenByParties,
        }]);
}

/// PML art. 23: a party may ask for a mediator to be replaced; the reason
/// is recorded. The last mediator leaving sends the dispute back to await
/// new mediators.
#[test]
fn pml_art_23_a_party_may_ask_for_a_mediator_to_be_replaced_with_its_reason() {
    let recuse = |mediator: &str, reason: &str| C::RequestRecusal {
        mediator: aid(mediator),
        reason: reason.into(),
    };
    let case = given_state("Mediating")
        .when(&party("li"), c(), recuse("qian", "Qian is Acme's trainee."))
        .then([E::MediatorRecused {
            mediator: aid("qian"),
            requested_by: aid("li"),
            reason: "Qian is Acme's trainee.".into(),
        }]);
    assert!(matches!(case.state(), DisputeState::Accepted { .. }));
    // The body then assigns another.
    let events: Vec<E> = case.history().iter().map(|r| r.event.clone()).collect();
    let case = given_events(events)
        .when(&academy_officer(), c(), assign(&["he"], Selection::Roster))
        .then([E::MediatorsAssigned {
            mediators: vec![aid("he")],
            selection: Selection::Roster,
        }]);
    assert_eq!(case.state().mediators(), [aid("he")]);
    // With two mediators, the other stays.
    let two = events_of(vec![
        (party("li"), minutes(0), C::Report(labour_report())),
        (academy_officer(), minutes(1), C::Accept),
        (
            academy_officer(),
            minutes(2),
            assign(&["chen", "qian"], Selection::ChosenByParties),
        ),
    ]);
    let case = given_events(two.clone())
        .when(
            &party("acme-rep"),
            c(),
            recuse("chen", "Chen sat on Li's last case."),
        )
        .then([E::MediatorRecused {
            mediator: aid("chen"),
            requested_by: aid("acme-rep"),
            reason: "Chen sat on Li's last case.".into(),
        }]);
    assert_eq!(case.state().mediators(), [aid("qian")]);
    given_events(two.clone())
        .when(&party("li"), c(), recuse("chen", "  "))
        .then_rejected(DisputeError::NoRecusalReason {
            mediator: aid("chen"),
        });
    given_events(two.clone())
        .when(&party("li"), c(), recuse("sun", "Sun is rude."))
        .then_rejected(DisputeError::NotAnAssignedMediator {
            mediator: aid("sun"),
        });
    given_events(two)
        .when(
            &academy_officer(),
            c(),
            recuse("chen", "The officer prefers Qian."),
        )
        .then_rejected(DisputeError::NotAParty {
            actor: aid("officer-academy"),
            action: "ask for a mediator to be replaced",
        });
}

/// PML art. 26: when mediation ends without agreement — refusal,
/// withdrawal, failure — the parties are told the routes open to them, by
/// kind (labour: arbitration; commercial: arbitration and litigation;
/// others: litigation and administrative handling).
#[test]
fn pml_art_26_every_ending_without_agreement_names_the_routes() {
    let routes_of = |events: &[E]| -> Vec<Routes> {
        events
            .iter()
            .filter_map(|e| match e {
                E::MediationRefused { routes, .. }
                | E::Withdrawn { routes, .. }
                | E::MediationFailed { routes, .. }
                | E::Referred { routes, .. } => Some(*routes),
                _ => None,
            })
            .collect()
    };
    for state in [
        "Reported",
        "Accepted",
        "Escalated",
        "Mediating",
        "Signing",
        "MediationFailed",
    ] {
        let withdrawn = given_state(state).when(&party("acme-rep"), c(), C::Withdraw);
        let Ok(events) = withdrawn.outcome() else {
            panic!("{state}: {withdrawn:?}")
        };
        assert_eq!(routes_of(events), [arbitration()], "{state}");
    }
    for state in ["Reported", "Accepted", "Escalated"] {
        let refused = given_state(state).when(&party("acme-rep"), c(), C::Refuse);
        let Ok(events) = refused.outcome() else {
            panic!("{state}: {refused:?}")
        };
        assert_eq!(routes_of(events), [arbitration()], "{state}");
    }
    let failed = given_state("Mediating").when(
        &mediator("qian"),
        c(),
        C::TerminateMediation {
            reason: FailureReason::PartyAbsent,
        },
    );
    let Ok(events) = failed.outcome() else {
        panic!("{failed:?}")
    };
    assert_eq!(routes_of(events), [arbitration()]);
    // By kind: a neighbours' quarrel withdrawn names litigation and
    // administrative handling; a commercial one, arbitration and litigation.
    let neighbours = events_of(vec![(
        grid_worker(),
        minutes(0),
        C::Report(neighbour_report()),
    )]);
    given_events(neighbours)
        .when(&party("wang"), c(), C::Withdraw)
        .then([E::Withdrawn {
            party: aid("wang"),
            routes: Routes::only(Referral::Litigation).with(Referral::Administrative),
        }]);
    let commercial = events_of(vec![(
        party("wang"),
        minutes(0),
        C::Report(commercial_report()),
    )]);
    given_events(commercial)
        .when(&party("shopkeeper"), c(), C::Withdraw)
        .then([E::Withdrawn {
            party: aid("shopkeeper"),
            routes: Routes::only(Referral::Arbitration).with(Referral::Litigation),
        }]);
}

/// PML art. 25: a risk of intensification is reported — the measures, the
/// body found in the graph by capability, whether mediation continues or
/// the case is handed over — and refused with a clear error where no such
/// body is reachable. Raising the severity is not the report.
#[test]
fn pml_art_25_a_risk_is_reported_to_the_body_found_by_capability() {
    let report = |to, continuation| C::ReportRisk {
        measures: "Talked the workers down; the gate stays open.".into(),
        to,
        continuation,
    };
    let case = given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            report(Need::EarlyWarning, RiskContinuation::MediationContinues),
        )
        .then([E::RiskReported {
            measures: "Talked the workers down; the gate stays open.".into(),
            by: aid("qian"),
            reported_to: id("pinghu-centre"),
            tier: Tier::Subdistrict,
            continuation: RiskContinuation::MediationContinues,
        }]);
    // The severity is untouched: flagging it is a separate step.
    assert_eq!(case.state().file().unwrap().severity(), Severity::Moderate);
    assert!(matches!(case.state(), DisputeState::Mediating { .. }));
    // Handed over: referred out for administrative handling, routes named.
    given_state("Accepted")
        .when(
            &academy_officer(),
            c(),
            report(Need::EarlyWarning, RiskContinuation::HandedOver),
        )
        .then([
            E::RiskReported {
                measures: "Talked the workers down; the gate stays open.".into(),
                by: aid("officer-academy"),
                reported_to: id("pinghu-centre"),
                tier: Tier::Subdistrict,
                continuation: RiskContinuation::HandedOver,
            },
            E::Referred {
                to: Referral::Administrative,
                ground: Some(ReferralGround::RiskHandedOver),
                routes: arbitration(),
            },
        ]);
    // Nobody with the capability: a clear error.
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            report(Need::LegalAid, RiskContinuation::MediationContinues),
        )
        .then_rejected(DisputeError::NoBodyToReportTo {
            location: id("huanan-park"),
            need: Need::LegalAid,
        });
    // Measures are recorded.
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            C::ReportRisk {
                measures: " ".into(),
                to: Need::EarlyWarning,
                continuation: RiskContinuation::MediationContinues,
            },
        )
        .then_rejected(DisputeError::NoMeasuresRecorded);
    // A party or a grid worker does not report under art. 25.
    given_state("Mediating")
        .when(
            &grid_worker(),
            c(),
            report(Need::EarlyWarning, RiskContinuation::MediationContinues),
        )
        .then_rejected(DisputeError::NotMediatorOrOfficer {
            actor: aid("gw-1"),
            body: id("park-academy"),
        });
}

/// PML arts. 28 and 30: a simple matter may end in an oral agreement the
/// mediator records with its content; it takes effect when the parties
/// reach it, and it cannot go to judicial confirmation (art. 33 confirms
/// written agreements).
#[test]
fn pml_arts_28_30_an_oral_agreement_takes_effect_at_once_and_is_not_confirmed() {
    let oral = C::RecordOralAgreement {
        content: "Acme pays Li his overtime on Friday.".into(),
    };
    let case = given_state("Mediating")
        .when(&mediator("qian"), c(), oral.clone())
        .then([
            E::OralAgreementReached {
                content: "Acme pays Li his overtime on Friday.".into(),
                mediator: aid("qian"),
                at: c(),
            },
            E::from(LadderEvent::Resolved {
                tier: Tier::Estate,
                handler: id("park-academy"),
                at: c(),
            }),
        ]);
    let agreement = case.state().agreement().unwrap();
    assert_eq!(agreement.form(), grassroots::dispute::AgreementForm::Oral);
    assert_eq!(agreement.effective_at(), c());
    let agreed: Vec<E> = case.history().iter().map(|r| r.event.clone()).collect();
    given_events(agreed.clone())
        .when(
            &party("li"),
            c(),
            C::ApplyForConfirmation {
                applicants: vec![aid("li"), aid("acme-rep")],
            },
        )
        .then_rejected(DisputeError::OralAgreementNotConfirmable);
    // Performed like any agreement.
    given_events(agreed)
        .when(
            &mediator("qian"),
            c(),
            C::RecordPerformance {
                performance: Performance::Fulfilled,
            },
        )
        .then([E::AgreementFulfilled]);
    // Recorded by a rostered mediator, after a session, with content.
    given_state("Mediating")
        .when(
            &mediator("qian"),
            c(),
            C::RecordOralAgreement {
                content: " ".into(),
            },
        )
        .then_rejected(DisputeError::EmptyTerms);
    given_events(events_of(path::mediating()))
        .when(&mediator("qian"), c(), oral.clone())
        .then_rejected(DisputeError::NoSessionYet);
    given_state("Mediating")
        .when(&party("li"), c(), oral)
        .then_rejected(DisputeError::NotAssignedMediator {
            actor: aid("li"),
            action: "record an oral agreement",
        });
}
