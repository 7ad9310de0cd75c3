//! The work-order workflow as a user meets it: every cell of the state ×
//! command table, and every rule with the refusal that names it.

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::escalation::{LadderEvent, LadderState, Supervision};
use grassroots::id::OrgId;
use grassroots::work_order::sample::{self, *};
use grassroots::work_order::{
    Basis, Channel, Finding, GeoFields, GeoPoint, Lead, ReturnGround, ReturnReason, Satisfaction,
    WorkOrder, WorkOrderCommand as C, WorkOrderCommandKind, WorkOrderError, WorkOrderEvent as E,
    WorkOrderState, WorkOrderStateKind,
};
use grassroots::workflow::{Case, CaseError, Context, HasKind, Kind, Workflow};

fn wo() -> WorkOrder {
    sample::huanan_work_orders()
}

fn org(s: &str) -> OrgId {
    s.parse().unwrap()
}

fn note<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

/// Monday 2 March 2026, 10:00 in Shenzhen.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn resident() -> Actor {
    requester("res-0042")
}

fn receive(channel: Channel, matter: grassroots::org::Need) -> C {
    C::Receive {
        channel,
        requester: resident().id().clone(),
        matter,
        location: org(HUANAN_CITY),
        description: note("the street light at gate 3 is out"),
        geo: GeoFields::default(),
    }
}

fn dispatch(lead: Lead, assisting: &[&str]) -> C {
    C::Dispatch {
        lead,
        assisting: assisting.iter().map(|s| org(s)).collect(),
    }
}

fn callback(satisfaction: Satisfaction, finding: Finding) -> C {
    C::Callback {
        satisfaction,
        finding,
        note: None,
    }
}

/// A case that ran `steps`, one minute apart from `t0`; panics on a
/// refusal (the scenario is wrong).
fn run(steps: &[(Actor, C)]) -> Case<WorkOrder> {
    let w = wo();
    let mut case = Case::new("12345-T".parse().unwrap());
    for (i, (actor, command)) in steps.iter().enumerate() {
        let at = t0() + Duration::minutes(i as i64);
        case.handle(&w, command, &Context::new(at, actor))
            .unwrap_or_else(|e| panic!("step {i} {command:?}: {e}"));
    }
    case
}

/// Sends `command` and expects a typed refusal that changes nothing.
fn refused(case: &Case<WorkOrder>, actor: &Actor, command: C, at: DateTime<Utc>) -> WorkOrderError {
    let mut after = case.clone();
    let err = after
        .handle(&wo(), &command, &Context::new(at, actor))
        .expect_err("refused");
    assert_eq!(&after, case, "a refusal changes nothing");
    err.rejection()
        .cloned()
        .unwrap_or_else(|| panic!("not a rejection: {err}"))
}

fn accepted(case: &mut Case<WorkOrder>, actor: &Actor, command: C, at: DateTime<Utc>) -> Vec<E> {
    case.handle(&wo(), &command, &Context::new(at, actor))
        .unwrap_or_else(|e| panic!("{command:?}: {e}"))
        .iter()
        .map(|r| r.event.clone())
        .collect()
}

/// How the path to a state goes.
#[derive(Clone, Copy, Default)]
struct Path {
    assisting: bool,
    satisfied: bool,
}

/// The steps that reach `state`: a secretary face-to-face about a street
/// light, handed over, routed to Pinghu, signed for.
fn steps_to(state: &str, path: Path) -> Vec<(Actor, C)> {
    let pinghu = member(PINGHU);
    let assisting: &[&str] = if path.assisting { &[URBAN] } else { &[] };
    let mut steps = vec![];
    let order = [
        "New",
        "Received",
        "AwaitingDispatch",
        "Dispatched",
        "InHand",
        "Replied",
        "CalledBack",
        "Closed",
    ];
    let special = [
        "ReturnPending",
        "ExtensionRequested",
        "Dismissed",
        "Withdrawn",
    ];
    let target = match state {
        "ReturnPending" => "Dispatched",
        "ExtensionRequested" => "InHand",
        "Dismissed" => "AwaitingDispatch",
        "Withdrawn" => "Received",
        s => s,
    };
    assert!(
        order.contains(&target) || special.contains(&state),
        "{state}"
    );
    for s in order.iter().skip(1) {
        if order.iter().position(|o| o == s) > order.iter().position(|o| *o == target) {
            break;
        }
        match *s {
            "Received" => steps.push((
                secretary(),
                receive(Channel::SecretaryFaceToFace, STREET_LIGHTING),
            )),
            "AwaitingDispatch" => steps.push((
                secretary(),
                C::HandOver {
                    record: note("heard at the Monday session; the light is on a public road"),
                },
            )),
            "Dispatched" => steps.push((dispatcher(), dispatch(Lead::Routed, assisting))),
            "InHand" => steps.push((pinghu.clone(), C::SignFor)),
            "Replied" => {
                if path.assisting {
                    steps.push((
                        member(URBAN),
                        C::Assist {
                            note: note("cleared the pole"),
                        },
                    ));
                }
                steps.push((
                    pinghu.clone(),
                    C::Reply {
                        reply: note("the lamp was replaced"),
                    },
                ));
            }
            "CalledBack" => steps.push((
                dispatcher(),
                if path.satisfied {
                    callback(Satisfaction::Satisfied, Finding::ReplyAdequate)
                } else {
                    callback(Satisfaction::Dissatisfied, Finding::ReplyWanting)
                },
            )),
            "Closed" => steps.push((dispatcher(), C::Close)),
            _ => {}
        }
    }
    match state {
        "ReturnPending" => steps.push((pinghu, C::Return { reason: outside() })),
        "ExtensionRequested" => steps.push((
            pinghu,
            C::RequestExtension {
                working_days: 2,
                reason: note("the lamp must be ordered"),
            },
        )),
        "Dismissed" => steps.push((
            dispatcher(),
            C::Dismiss {
                reason: note("a duplicate"),
            },
        )),
        "Withdrawn" => steps.push((resident(), C::Withdraw { reason: None })),
        _ => {}
    }
    steps
}

fn outside() -> ReturnReason {
    ReturnReason {
        ground: ReturnGround::OutsideOurArea,
        note: note("the road belongs to the park"),
    }
}

fn to(state: &str) -> Case<WorkOrder> {
    run(&steps_to(
        state,
        Path {
            satisfied: true,
            ..Path::default()
        },
    ))
}

// ---------------------------------------------------------------------------
// The state × command table: every cell asserted.
// ---------------------------------------------------------------------------

/// `A` accepted, `-` refused as not applicable, `T` refused by the kernel
/// (terminal), `F` refused by first-contact responsibility, `C` refused as
/// a callback before the reply. Columns in the order of the command kinds,
/// rows in the order of the state kinds.
const TABLE: [(&str, &str); 12] = [
    ("New", "A----------------A"),
    ("Received", "-AA-F--------C--AA"),
    ("AwaitingDispatch", "---AA--------C--AA"),
    ("Dispatched", "-----AA------C--AA"),
    ("ReturnPending", "---AA--A-----C--AA"),
    ("InHand", "--------AA--AC--AA"),
    ("ExtensionRequested", "--------A-AAAC--AA"),
    ("Replied", "-------------A---A"),
    ("CalledBack", "--------------AA-A"),
    ("Closed", "TTTTTTTTTTTTTTTTTT"),
    ("Dismissed", "TTTTTTTTTTTTTTTTTT"),
    ("Withdrawn", "TTTTTTTTTTTTTTTTTT"),
];

/// A well-formed command of kind `command` from the actor the rules ask for,
/// and the path to `state` it needs.
fn canonical(state: &str, command: &str) -> (Path, Actor, C) {
    let pinghu = member(PINGHU);
    let mut path = Path {
        satisfied: true,
        ..Path::default()
    };
    let (actor, command) = match command {
        "Receive" => (
            secretary(),
            receive(Channel::SecretaryFaceToFace, STREET_LIGHTING),
        ),
        "TakeOn" => (secretary(), C::TakeOn),
        "HandOver" => (
            secretary(),
            C::HandOver {
                record: note("handed over"),
            },
        ),
        // After Pinghu's return, to another body that mends lights.
        "Dispatch" if state == "ReturnPending" => (
            dispatcher(),
            dispatch(
                Lead::Chosen {
                    body: org(LIGHTING),
                    reason: note("a district road"),
                },
                &[],
            ),
        ),
        "Dispatch" => (dispatcher(), dispatch(Lead::Routed, &[])),
        "Dismiss" => (
            dispatcher(),
            C::Dismiss {
                reason: note("not for government"),
            },
        ),
        "SignFor" => (pinghu, C::SignFor),
        "Return" => (pinghu, C::Return { reason: outside() }),
        "UpholdDispatch" => (
            dispatcher(),
            C::UpholdDispatch {
                reason: note("it is Pinghu's road"),
            },
        ),
        "Assist" => {
            path.assisting = true;
            (
                member(URBAN),
                C::Assist {
                    note: note("cleared the pole"),
                },
            )
        }
        "RequestExtension" => (
            pinghu,
            C::RequestExtension {
                working_days: 1,
                reason: note("parts"),
            },
        ),
        "ApproveExtension" => (supervisor(), C::ApproveExtension),
        "RejectExtension" => (supervisor(), C::RejectExtension { reason: note("no") }),
        "Reply" => (
            pinghu,
            C::Reply {
                reply: note("fixed"),
            },
        ),
        "Callback" => (
            dispatcher(),
            callback(Satisfaction::Satisfied, Finding::ReplyAdequate),
        ),
        "Redo" => {
            // A callback that warrants a redo, where the path can end so.
            path.satisfied = state != "CalledBack";
            (
                dispatcher(),
                C::Redo {
                    reason: note("still dark"),
                },
            )
        }
        "Close" => (dispatcher(), C::Close),
        "Withdraw" => (resident(), C::Withdraw { reason: None }),
        "Tick" => (Actor::system(), C::Tick),
        other => panic!("no command {other}"),
    };
    (path, actor, command)
}

#[test]
fn the_table_lists_every_state_and_command() {
    let states: Vec<&str> = TABLE.iter().map(|(s, _)| *s).collect();
    let all: Vec<String> = WorkOrderStateKind::all().map(|k| k.to_string()).collect();
    assert_eq!(states, all);
    for (state, row) in TABLE {
        assert_eq!(row.len(), WorkOrderCommandKind::COUNT, "{state}");
        let case = to(state);
        assert_eq!(case.state().kind().to_string(), state);
        assert_eq!(
            WorkOrder::is_terminal(case.state()),
            row.starts_with('T'),
            "{state}"
        );
    }
}

#[test]
fn every_cell_of_the_state_command_table() {
    let commands: Vec<String> = WorkOrderCommandKind::all().map(|k| k.to_string()).collect();
    let mut cells = 0;
    for (state, row) in TABLE {
        for (command, cell) in commands.iter().zip(row.chars()) {
            let (path, actor, cmd) = canonical(state, command);
            let case = run(&steps_to(state, path));
            assert_eq!(case.state().kind().to_string(), state);
            let at = t0() + Duration::hours(1);
            let mut after = case.clone();
            let outcome = after.handle(&wo(), &cmd, &Context::new(at, &actor));
            match cell {
                'A' => assert!(outcome.is_ok(), "{state} × {command}: {outcome:?}"),
                '-' => assert!(
                    matches!(
                        outcome,
                        Err(CaseError::Rejected(WorkOrderError::NotApplicable { command: c, state: s }))
                            if c.is_named(command) && s.is_named(state)
                    ),
                    "{state} × {command}: {outcome:?}"
                ),
                'T' => assert!(
                    matches!(&outcome, Err(CaseError::Terminal { state: s, command: c, .. })
                        if *s == *state && *c == command.as_str()),
                    "{state} × {command}: {outcome:?}"
                ),
                'F' => assert!(
                    matches!(
                        outcome,
                        Err(CaseError::Rejected(
                            WorkOrderError::FirstContactCannotRefuse { .. }
                        ))
                    ),
                    "{state} × {command}: {outcome:?}"
                ),
                'C' => assert!(
                    matches!(outcome, Err(CaseError::Rejected(WorkOrderError::CallbackBeforeReply { state: s }))
                        if s.is_named(state)),
                    "{state} × {command}: {outcome:?}"
                ),
                other => panic!("bad cell {other}"),
            }
            if cell != 'A' {
                assert_eq!(
                    after, case,
                    "{state} × {command}: a refusal changes nothing"
                );
            }
            cells += 1;
        }
    }
    assert_eq!(cells, 12 * 18);
}

// ---------------------------------------------------------------------------
// Intake and first contact.
// ---------------------------------------------------------------------------

#[test]
fn hotline_and_app_requests_go_straight_to_the_dispatcher() {
    let case = run(&[(dispatcher(), receive(Channel::Hotline, NOISE))]);
    assert_eq!(case.state().kind(), WorkOrderStateKind::AwaitingDispatch);
    let case = run(&[(resident(), receive(Channel::App, NOISE))]);
    assert_eq!(case.state().kind(), WorkOrderStateKind::AwaitingDispatch);
    assert_eq!(
        case.state().order().unwrap().intake().first_receiver,
        org(CENTRE)
    );
}

#[test]
fn an_app_report_comes_from_the_requester_and_the_hotline_from_a_dispatcher() {
    let new = Case::<WorkOrder>::new("12345-T".parse().unwrap());
    let someone = requester("someone-else");
    assert!(matches!(
        refused(&new, &someone, receive(Channel::App, NOISE), t0()),
        WorkOrderError::NotTheRequester { .. }
    ));
    assert!(matches!(
        refused(&new, &resident(), receive(Channel::Hotline, NOISE), t0()),
        WorkOrderError::Forbidden(_)
    ));
    let unattached = Actor::new(note("gw-x")).with_role(Role::GridWorker);
    assert!(matches!(
        refused(&new, &unattached, receive(Channel::GridWorker, NOISE), t0()),
        WorkOrderError::ActsForNoBody { .. }
    ));
}

#[test]
fn a_request_is_located_at_a_territorial_body_and_keeps_its_georeport_fields() {
    let new = Case::<WorkOrder>::new("12345-T".parse().unwrap());
    let mut at_centre = receive(Channel::Hotline, NOISE);
    if let C::Receive { location, .. } = &mut at_centre {
        *location = org(CENTRE);
    }
    assert_eq!(
        refused(&new, &dispatcher(), at_centre, t0()),
        WorkOrderError::NotTerritorial {
            location: org(CENTRE)
        }
    );
    let geo = GeoFields {
        point: Some(GeoPoint::new(22.66, 114.13).unwrap()),
        address: Some(note("gate 3, Huanan City")),
        media_url: Some(note("https://img.example.cn/0001.jpg")),
    };
    let mut command = receive(Channel::Hotline, NOISE);
    if let C::Receive { geo: g, .. } = &mut command {
        *g = geo.clone();
    }
    let case = run(&[(dispatcher(), command)]);
    assert_eq!(case.state().order().unwrap().intake().geo, geo);
}

#[test]
fn the_first_receiving_body_cannot_refuse_a_request_it_hands_it_over_with_a_record() {
    let case = to("Received");
    assert_eq!(
        refused(
            &case,
            &dispatcher(),
            C::Dismiss { reason: note("no") },
            t0() + Duration::hours(1)
        ),
        WorkOrderError::FirstContactCannotRefuse { body: org(PINGHU) }
    );
    let case = to("AwaitingDispatch");
    let handover = case.state().order().unwrap().handover().unwrap();
    assert_eq!(handover.by, org(PINGHU));
}

#[test]
fn a_first_receiver_takes_on_only_what_it_can_handle() {
    // The grid cannot handle noise: it must hand it over.
    let case = run(&[(grid_worker(), receive(Channel::GridWorker, NOISE))]);
    assert_eq!(
        refused(&case, &grid_worker(), C::TakeOn, t0() + Duration::hours(1)),
        WorkOrderError::CannotHandle {
            body: org(GRID),
            matter: NOISE
        }
    );
    // Pinghu mends street lights itself, and supervision starts.
    let mut case = to("Received");
    let events = accepted(
        &mut case,
        &secretary(),
        C::TakeOn,
        t0() + Duration::hours(1),
    );
    assert!(matches!(events[0], E::TakenOn { .. }));
    assert!(matches!(&events[1], E::Ladder(l) if matches!(**l, LadderEvent::Started(_))));
    assert_eq!(
        case.state().handling().unwrap().assignment().basis,
        Basis::FirstContact
    );
}

// ---------------------------------------------------------------------------
// Dispatch, sign-for, returns, joint handling.
// ---------------------------------------------------------------------------

#[test]
fn a_routed_dispatch_goes_to_the_lowest_tier_body_the_graph_routes_to() {
    let mut case = run(&[(dispatcher(), receive(Channel::Hotline, CITY_APPEARANCE))]);
    accepted(
        &mut case,
        &dispatcher(),
        dispatch(Lead::Routed, &[]),
        t0() + Duration::hours(1),
    );
    let pending = case.state().pending().unwrap();
    assert_eq!(pending.assignment().lead, org(PROPERTY));
    assert!(matches!(pending.assignment().basis, Basis::Routed { .. }));
}

#[test]
fn a_dispatch_to_a_body_that_cannot_handle_the_matter_is_refused_and_changes_nothing() {
    let case = run(&[(dispatcher(), receive(Channel::Hotline, NOISE))]);
    let at = t0() + Duration::hours(1);
    let chosen = |body: &str| {
        dispatch(
            Lead::Chosen {
                body: org(body),
                reason: note("near the market"),
            },
            &[],
        )
    };
    assert_eq!(
        refused(&case, &dispatcher(), chosen(MARKET), at),
        WorkOrderError::CannotHandle {
            body: org(MARKET),
            matter: NOISE
        }
    );
    assert_eq!(
        refused(&case, &dispatcher(), chosen("nowhere"), at),
        WorkOrderError::UnknownBody {
            body: org("nowhere")
        }
    );
    assert_eq!(
        refused(
            &case,
            &dispatcher(),
            dispatch(Lead::Routed, &[URBAN, URBAN]),
            at
        ),
        WorkOrderError::BodyRepeated { body: org(URBAN) }
    );
    assert_eq!(
        refused(
            &case,
            &dispatcher(),
            dispatch(Lead::Routed, &[ENVIRONMENT]),
            at
        ),
        WorkOrderError::BodyRepeated {
            body: org(ENVIRONMENT)
        }
    );
    let mut case = case;
    accepted(&mut case, &dispatcher(), chosen(ENVIRONMENT), at);
}

#[test]
fn a_sign_for_by_another_body_is_refused_and_changes_nothing() {
    let case = to("Dispatched");
    assert_eq!(
        refused(&case, &member(URBAN), C::SignFor, t0() + Duration::hours(1)),
        WorkOrderError::NotActingFor {
            actor: member(URBAN).id().clone(),
            action: "sign for the order",
            body: org(PINGHU),
        }
    );
}

#[test]
fn sign_for_is_due_within_two_working_hours_and_a_miss_is_recorded_once() {
    let case = to("Dispatched");
    let pending = case.state().pending().unwrap();
    // Dispatched at 10:02 local on a Monday: due at 12:02.
    assert_eq!(
        pending.sign_for_due(),
        t0() + Duration::minutes(2) + Duration::hours(2)
    );
    assert_eq!(
        WorkOrder::next_due(case.state()),
        Some(pending.sign_for_due())
    );
    let mut case = case;
    let late = t0() + Duration::hours(3);
    let events = accepted(&mut case, &Actor::system(), C::Tick, late);
    assert!(matches!(events[..], [E::SignForOverdue { .. }]));
    assert!(accepted(&mut case, &Actor::system(), C::Tick, late).is_empty());
    assert_eq!(WorkOrder::next_due(case.state()), None);
}

#[test]
fn a_body_cannot_return_an_order_twice_for_the_same_reason() {
    let mut case = to("ReturnPending");
    let at = t0() + Duration::hours(1);
    accepted(
        &mut case,
        &dispatcher(),
        C::UpholdDispatch {
            reason: note("it is Pinghu's road"),
        },
        at,
    );
    assert_eq!(case.state().kind(), WorkOrderStateKind::Dispatched);
    assert_eq!(
        refused(&case, &member(PINGHU), C::Return { reason: outside() }, at),
        WorkOrderError::ReturnedBefore {
            body: org(PINGHU),
            ground: ReturnGround::OutsideOurArea
        }
    );
    // Sending it back to the returner is upholding, which takes a reason.
    let mut returned = case.clone();
    let again = ReturnReason {
        ground: ReturnGround::InformationIncomplete,
        note: note("which pole?"),
    };
    accepted(
        &mut returned,
        &member(PINGHU),
        C::Return { reason: again },
        at,
    );
    assert_eq!(
        refused(&returned, &dispatcher(), dispatch(Lead::Routed, &[]), at),
        WorkOrderError::RedispatchToReturner { body: org(PINGHU) }
    );
    let other = ReturnReason {
        ground: ReturnGround::InformationIncomplete,
        note: note("which pole?"),
    };
    accepted(&mut case, &member(PINGHU), C::Return { reason: other }, at);
    assert_eq!(case.state().order().unwrap().returns().len(), 2);
}

#[test]
fn a_returned_order_is_re_dispatched_elsewhere() {
    let mut case = run(&[(dispatcher(), receive(Channel::Hotline, CITY_APPEARANCE))]);
    let at = t0() + Duration::hours(1);
    accepted(&mut case, &dispatcher(), dispatch(Lead::Routed, &[]), at);
    accepted(
        &mut case,
        &member(PROPERTY),
        C::Return { reason: outside() },
        at,
    );
    let chosen = Lead::Chosen {
        body: org(URBAN),
        reason: note("the lane is a public road"),
    };
    accepted(&mut case, &dispatcher(), dispatch(chosen, &[]), at);
    accepted(&mut case, &member(URBAN), C::SignFor, at);
    assert_eq!(case.state().handling().unwrap().lead(), &org(URBAN));
}

#[test]
fn the_lead_replies_only_after_every_assisting_body_reported_its_part() {
    let case = run(&steps_to(
        "InHand",
        Path {
            assisting: true,
            satisfied: true,
        },
    ));
    let at = t0() + Duration::hours(1);
    assert_eq!(
        refused(
            &case,
            &member(PINGHU),
            C::Reply {
                reply: note("done")
            },
            at
        ),
        WorkOrderError::AssistancePending { body: org(URBAN) }
    );
    assert!(matches!(
        refused(
            &case,
            &member(ENVIRONMENT),
            C::Assist { note: note("x") },
            at
        ),
        WorkOrderError::NotAssisting { .. }
    ));
    let mut case = case;
    accepted(
        &mut case,
        &member(URBAN),
        C::Assist {
            note: note("cleared"),
        },
        at,
    );
    assert_eq!(
        refused(
            &case,
            &member(URBAN),
            C::Assist {
                note: note("again")
            },
            at
        ),
        WorkOrderError::AlreadyAssisted { body: org(URBAN) }
    );
    accepted(
        &mut case,
        &member(PINGHU),
        C::Reply {
            reply: note("done"),
        },
        at,
    );
}

// ---------------------------------------------------------------------------
// Deadlines, extensions, supervision.
// ---------------------------------------------------------------------------

#[test]
fn an_overdue_order_goes_under_supervision_on_the_ladder() {
    let mut case = to("InHand");
    let due = case.state().handling().unwrap().due();
    // Signed for on Monday 2 March: five working days run out when Monday 9
    // March ends in Shenzhen.
    assert_eq!(due, Utc.with_ymd_and_hms(2026, 3, 9, 16, 0, 0).unwrap());
    assert!(
        accepted(
            &mut case,
            &Actor::system(),
            C::Tick,
            due - Duration::seconds(1)
        )
        .is_empty()
    );
    let events = accepted(&mut case, &Actor::system(), C::Tick, due);
    let kinds: Vec<String> = events.iter().map(|e| e.kind().to_string()).collect();
    assert_eq!(kinds, ["Overdue", "Ladder.SupervisionReminded"]);
    let ladder = case.state().handling().unwrap().ladder();
    assert!(
        matches!(ladder, LadderState::Handling(r) if matches!(r.supervision(), Supervision::Reminded { .. }))
    );
}

#[test]
fn an_approved_extension_moves_the_deadline_and_the_ladder() {
    let mut case = to("ExtensionRequested");
    let before = case.state().handling().unwrap().due();
    let events = accepted(
        &mut case,
        &supervisor(),
        C::ApproveExtension,
        t0() + Duration::hours(1),
    );
    let after = case.state().handling().unwrap().due();
    assert_eq!(after, before + Duration::days(2));
    assert!(
        matches!(&events[1], E::Ladder(l) if matches!(**l, LadderEvent::Rescheduled { due, .. } if due == after))
    );
    let mut case = to("InHand");
    let late = case.state().handling().unwrap().due();
    let ask = |days| C::RequestExtension {
        working_days: days,
        reason: note("parts"),
    };
    assert_eq!(
        refused(&case, &member(PINGHU), ask(0), late),
        WorkOrderError::ZeroExtension
    );
    assert!(matches!(
        refused(&case, &member(PINGHU), ask(6), t0() + Duration::hours(1)),
        WorkOrderError::ExtensionTooLong {
            requested: 6,
            max: 5
        }
    ));
    assert!(matches!(
        refused(&case, &member(PINGHU), ask(1), late),
        WorkOrderError::ExtensionTooLate { .. }
    ));
    accepted(
        &mut case,
        &member(PINGHU),
        ask(1),
        t0() + Duration::hours(1),
    );
}

// ---------------------------------------------------------------------------
// Reply, callback, redo.
// ---------------------------------------------------------------------------

#[test]
fn a_callback_before_the_reply_is_refused_and_changes_nothing() {
    for state in [
        "Received",
        "AwaitingDispatch",
        "Dispatched",
        "ReturnPending",
        "InHand",
        "ExtensionRequested",
    ] {
        let case = to(state);
        let kind = case.state().kind();
        assert_eq!(
            refused(
                &case,
                &dispatcher(),
                callback(Satisfaction::Satisfied, Finding::ReplyAdequate),
                t0() + Duration::hours(1)
            ),
            WorkOrderError::CallbackBeforeReply { state: kind }
        );
    }
}

#[test]
fn a_redo_needs_a_dissatisfied_requester_and_a_wanting_reply() {
    let at = t0() + Duration::hours(1);
    let case = to("CalledBack");
    assert_eq!(
        refused(
            &case,
            &dispatcher(),
            C::Redo {
                reason: note("again")
            },
            at
        ),
        WorkOrderError::RedoNotWarranted {
            satisfaction: Satisfaction::Satisfied,
            finding: Finding::ReplyAdequate
        }
    );
    let mut case = run(&steps_to("CalledBack", Path::default()));
    assert_eq!(
        refused(&case, &dispatcher(), C::Close, at),
        WorkOrderError::RedoRequired { redos: 0, max: 2 }
    );
    let events = accepted(
        &mut case,
        &dispatcher(),
        C::Redo {
            reason: note("still dark"),
        },
        at,
    );
    assert!(matches!(events[0], E::RedoOrdered { .. }));
    let handling = case.state().handling().unwrap();
    assert_eq!(handling.redos(), 1);
    // Three working days from Monday: when Thursday ends.
    assert_eq!(
        handling.due(),
        Utc.with_ymd_and_hms(2026, 3, 5, 16, 0, 0).unwrap()
    );
    assert_eq!(case.state().kind(), WorkOrderStateKind::InHand);
}

#[test]
fn the_requester_withdraws_until_the_reply_and_nobody_else_does() {
    let case = to("InHand");
    assert!(matches!(
        refused(
            &case,
            &dispatcher(),
            C::Withdraw { reason: None },
            t0() + Duration::hours(1)
        ),
        WorkOrderError::NotTheRequester { .. }
    ));
    let case = to("Replied");
    assert!(matches!(
        refused(
            &case,
            &resident(),
            C::Withdraw { reason: None },
            t0() + Duration::hours(1)
        ),
        WorkOrderError::NotApplicable { .. }
    ));
}

#[test]
fn live_equals_replay_and_stored_states_round_trip() {
    for (state, _) in TABLE {
        let case = to(state);
        let replayed =
            Case::<WorkOrder>::replay(case.id().clone(), case.history().to_vec()).unwrap();
        assert_eq!(replayed, case);
        let json = serde_json::to_value(case.state()).unwrap();
        let back: WorkOrderState = serde_json::from_value(json).unwrap();
        assert_eq!(&back, case.state());
    }
}

// ---------------------------------------------------------------------------
// Open311 GeoReport v2.
// ---------------------------------------------------------------------------

#[test]
fn every_state_shows_as_a_georeport_request_lossless_in_the_extension() {
    use grassroots::open311::{Status, WorkOrderRequest, work_order_request, work_order_requests};
    let w = wo();
    let mut cases = Vec::new();
    for (state, _) in TABLE {
        let case = to(state);
        let view = work_order_request(&w, &case);
        if state == "New" {
            assert!(view.is_none());
            continue;
        }
        let view = view.unwrap();
        let json = serde_json::to_value(&view).unwrap();
        let back: WorkOrderRequest = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, view, "{state}: the view reads back as it was written");
        assert_eq!(&back.grassroots.state, case.state(), "{state}: lossless");
        assert_eq!(json["grassroots"]["state_kind"], state);
        assert_eq!(json["service_code"], "street_lighting");
        assert_eq!(json["address_id"], HUANAN_CITY);
        let closed = ["Closed", "Dismissed", "Withdrawn"].contains(&state);
        assert_eq!(view.status == Status::Closed, closed, "{state}");
        cases.push(case);
    }
    let list = work_order_requests(&w, &cases);
    assert_eq!(list.len(), TABLE.len() - 1);
    let text = serde_json::to_string(&list).unwrap();
    assert!(text.starts_with('['));
}

#[test]
fn every_state_has_chinese_status_notes_and_english_ones_as_served() {
    use grassroots::i18n::{Lang, work_order_status_notes};
    use grassroots::open311::work_order_request;
    let w = wo();
    for (state, _) in TABLE {
        let case = to(state);
        let zh = work_order_status_notes(&w, case.state(), Lang::Zh);
        let en = work_order_status_notes(&w, case.state(), Lang::En);
        assert!(!zh.is_ascii(), "{state}: no Chinese in {zh:?}");
        assert_ne!(zh, en, "{state}");
        if let Some(view) = work_order_request(&w, &case) {
            assert_eq!(view.status_notes.as_deref(), Some(en.as_str()), "{state}");
        }
    }
    let dispatched = work_order_status_notes(&w, to("Dispatched").state(), Lang::Zh);
    assert!(dispatched.starts_with("已派单至"), "{dispatched}");
}

#[test]
fn a_georeport_request_carries_the_point_address_and_media_given() {
    use grassroots::open311::work_order_request;
    let geo = GeoFields {
        point: Some(GeoPoint::new(22.66, 114.13).unwrap()),
        address: Some(note("gate 3, Huanan City")),
        media_url: Some(note("https://img.example.cn/0001.jpg")),
    };
    let mut command = receive(Channel::App, NOISE);
    if let C::Receive { geo: g, .. } = &mut command {
        *g = geo;
    }
    let case = run(&[(resident(), command)]);
    let json = serde_json::to_value(work_order_request(&wo(), &case).unwrap()).unwrap();
    assert_eq!(json["lat"], 22.66);
    assert_eq!(json["long"], 114.13);
    assert_eq!(json["address"], "gate 3, Huanan City");
    assert_eq!(json["media_url"], "https://img.example.cn/0001.jpg");
    assert_eq!(json["agency_responsible"], "Longgang 12345 hotline centre");
    assert_eq!(json["requested_datetime"], "2026-03-02T02:00:00Z");
    // A stored state that breaks a rule is refused on the way back in.
    let mut bad = json.clone();
    bad["grassroots"]["state"]["intake"]["geo"]["point"]["lat"] = serde_json::json!(123.0);
    assert!(serde_json::from_value::<grassroots::open311::WorkOrderRequest>(bad).is_err());
}

// ---------------------------------------------------------------------------
// Metrics.
// ---------------------------------------------------------------------------

/// An order called back dissatisfied, redone, replied to an hour past the
/// new deadline and called back basically satisfied; and that hour.
fn redone_late() -> (Case<WorkOrder>, DateTime<Utc>) {
    let mut b = run(&steps_to("CalledBack", Path::default()));
    accepted(
        &mut b,
        &dispatcher(),
        C::Redo {
            reason: note("still dark"),
        },
        t0() + Duration::hours(1),
    );
    let late = b.state().handling().unwrap().due() + Duration::hours(1);
    accepted(
        &mut b,
        &member(PINGHU),
        C::Reply {
            reply: note("fixed at last"),
        },
        late,
    );
    accepted(
        &mut b,
        &dispatcher(),
        callback(Satisfaction::BasicallySatisfied, Finding::ReplyAdequate),
        late,
    );
    (b, late)
}

#[test]
fn work_order_metrics_follow_the_usual_definitions_and_merge() {
    use grassroots::metrics::WorkOrderMetrics;
    // A: closed, everything on time.
    let a = to("Closed");
    // B: redone after a dissatisfied callback, the second reply late.
    let (b, _) = redone_late();
    // C: returned, waiting for the dispatcher.
    let c = to("ReturnPending");
    // D: signed for three hours after dispatch: late.
    let mut d = to("Dispatched");
    accepted(
        &mut d,
        &member(PINGHU),
        C::SignFor,
        t0() + Duration::hours(5),
    );
    let mut all = WorkOrderMetrics::default();
    for case in [&a, &b, &c, &d] {
        all.observe(case.history());
    }
    assert_eq!(all.received(), 4);
    assert_eq!(all.on_time_sign_for_rate(), Some(2.0 / 3.0));
    assert_eq!(all.on_time_completion_rate(), Some(0.5));
    assert_eq!(all.return_rate(), Some(0.25));
    assert_eq!(all.redo_rate(), Some(0.5));
    assert_eq!(all.callback_satisfaction(), Some(1.0));
    let mut left = WorkOrderMetrics::default();
    left.observe(a.history());
    left.observe(b.history());
    let mut right = WorkOrderMetrics::default();
    right.observe(c.history());
    right.observe(d.history());
    left.merge(&right);
    assert_eq!(left, all);
    assert!(all.to_string().contains("return rate: 25.0%"));
}

#[test]
fn governance_metrics_count_work_orders_under_their_own_case_type() {
    use grassroots::metrics::{CaseFacts, CaseType, Exclusion, GovernanceMetrics, Measured};
    // A: closed, replied on time, the requester satisfied.
    let a = to("Closed");
    // B: redone after a dissatisfied callback, the second reply late, closed.
    let (mut b, late) = redone_late();
    accepted(&mut b, &dispatcher(), C::Close, late);
    // C: dismissed by the dispatcher; D: withdrawn by the requester.
    let c = to("Dismissed");
    let d = to("Withdrawn");
    // E: the sign-for deadline missed, signed for the next day: not
    // answered within 24 hours, overdue, still in hand.
    let mut e = to("Dispatched");
    accepted(&mut e, &Actor::system(), C::Tick, t0() + Duration::hours(3));
    accepted(
        &mut e,
        &member(PINGHU),
        C::SignFor,
        t0() + Duration::hours(26),
    );

    let facts = |case: &Case<WorkOrder>| CaseFacts::from_work_order(case.history()).unwrap();
    let fa = facts(&a);
    assert_eq!(fa.case_type, CaseType::WorkOrder);
    assert_eq!(fa.need, STREET_LIGHTING);
    assert_eq!(fa.received_at, t0());
    assert_eq!(fa.body, Some(org(PINGHU)));
    assert!(fa.responded && fa.resolved && !fa.overdue && fa.is_eligible());
    assert_eq!(fa.resolved_on_time, Some(true));
    assert_eq!((fa.ratings, fa.satisfied), (1, 1));
    let fb = facts(&b);
    assert!(fb.resolved);
    assert_eq!(fb.resolved_on_time, Some(false), "one reply came late");
    assert_eq!((fb.ratings, fb.satisfied), (2, 1));
    assert_eq!(facts(&c).excluded, Some(Exclusion::Returned));
    assert_eq!(facts(&d).excluded, Some(Exclusion::Withdrawn));
    let fe = facts(&e);
    assert!(!fe.responded && fe.overdue && !fe.resolved);
    assert_eq!(fe.body, Some(org(PINGHU)));
    assert_eq!(WorkOrder::case_facts(e.history()), Some(fe));
    assert_eq!(CaseFacts::from_work_order(&e.history()[1..]), None);

    let mut metrics = GovernanceMetrics::default();
    for case in [&a, &b, &c, &d, &e] {
        metrics.observe_work_order(case.history());
    }
    let orders = metrics.by_case_type(CaseType::WorkOrder);
    assert_eq!((orders.received(), orders.eligible()), (5, 3));
    assert_eq!(orders.response_rate(), Some(2.0 / 3.0));
    assert_eq!(orders.resolution_rate(), Some(2.0 / 3.0));
    assert_eq!(orders.on_time_rate(), Some(0.5));
    assert_eq!(orders.satisfaction_rate(), Some(2.0 / 3.0));
    assert_eq!(orders.overdue(), 1);
    assert_eq!(metrics.by_case_type(CaseType::Dispute).received(), 0);
    assert_eq!(
        metrics.by_need(STREET_LIGHTING).map(|f| f.received()),
        Some(5)
    );
    assert_eq!(metrics.organisation(PINGHU).map(|f| f.received()), Some(3));
    let types: Vec<CaseType> = metrics.case_types().map(|(t, _)| t).collect();
    assert_eq!(types, CaseType::ALL);
    assert!(metrics.to_string().contains("work_order"));
    let json = serde_json::to_value(&metrics).unwrap();
    assert_eq!(json["by_case_type"]["work_order"]["received"], 5);
    assert_eq!(
        "work_order".parse::<CaseType>().unwrap(),
        CaseType::WorkOrder
    );
    assert!(grassroots::vocabulary::Name::new("work_order").is_err());
}

// ---------------------------------------------------------------------------
// The journal's read models: who each state waits on.
// ---------------------------------------------------------------------------

#[test]
fn the_work_queue_names_who_each_open_order_waits_on() {
    use grassroots::journal::read::Indexed;
    use grassroots::work_order::DISPATCHER;
    let expected: [(&str, Option<(&str, Role)>); 12] = [
        ("New", None),
        (
            "Received",
            Some(("take on or hand over", Role::DepartmentOfficer)),
        ),
        ("AwaitingDispatch", Some(("dispatch", DISPATCHER))),
        ("Dispatched", Some(("sign for", Role::DepartmentOfficer))),
        ("ReturnPending", Some(("re-dispatch or uphold", DISPATCHER))),
        ("InHand", Some(("reply", Role::DepartmentOfficer))),
        (
            "ExtensionRequested",
            Some(("review the extension", Role::Supervisor)),
        ),
        ("Replied", Some(("call back", DISPATCHER))),
        ("CalledBack", Some(("close or redo", DISPATCHER))),
        ("Closed", None),
        ("Dismissed", None),
        ("Withdrawn", None),
    ];
    for (state, waits) in expected {
        let case = to(state);
        assert_eq!(case.state().kind(), state);
        let summary = WorkOrder::summary(case.state());
        match (waits, &summary.waiting) {
            (None, None) => {}
            (Some((action, role)), Some(waiting)) => {
                assert_eq!(waiting.action, action, "{state}");
                assert_eq!(waiting.role, role, "{state}");
                assert_eq!(waiting.body.as_ref(), case.state().holder(), "{state}");
            }
            (want, got) => panic!("{state}: expected {want:?}, got {got:?}"),
        }
        if state != "New" {
            assert_eq!(summary.parties, 1, "{state}");
            assert!(summary.body.is_some(), "{state}");
        }
        // Supervision starts at sign-for: the tier is the ladder's from then.
        if matches!(state, "InHand" | "Replied") {
            assert!(summary.tier.is_some(), "{state}");
        }
    }
}

/// Sign-for starts supervision on the ladder, so an order the ladder's
/// policy cannot supervise is refused at dispatch — with the ladder's
/// reason, nothing recorded — instead of being dispatched and then refused
/// at every sign-for. The default policy keeps minor matters at the grid
/// and estate tiers, where no body of the sample city handles noise.
#[test]
fn a_dispatch_the_ladder_cannot_supervise_is_refused_and_changes_nothing() {
    use grassroots::escalation::{Ladder, LadderError, PolicyBook};
    use grassroots::work_order::WorkOrderError;
    let default_policy = WorkOrder::try_new(
        org(CENTRE),
        Ladder::new(
            PolicyBook::default(),
            huanan_graph(),
            grassroots::WorkingCalendar::prc(),
        ),
    )
    .unwrap();
    let mut case = Case::new("12345-P".parse().unwrap());
    let wu = dispatcher();
    let received = Context::new(t0(), &wu);
    case.handle(
        &default_policy,
        &receive(Channel::Hotline, NOISE),
        &received,
    )
    .unwrap();
    let before = case.clone();
    let later = Context::new(t0() + Duration::minutes(1), &wu);
    let err = case
        .handle(&default_policy, &dispatch(Lead::Routed, &[]), &later)
        .expect_err("the default policy cannot supervise noise at the subdistrict");
    assert!(
        matches!(
            err.rejection(),
            Some(WorkOrderError::Ladder(LadderError::NoHandler { .. }))
        ),
        "{err}"
    );
    assert_eq!(case, before, "a refusal changes nothing");

    // The sample centre's policy supervises at the subdistrict: accepted.
    let mut case = Case::new("12345-Q".parse().unwrap());
    case.handle(&wo(), &receive(Channel::Hotline, NOISE), &received)
        .unwrap();
    case.handle(&wo(), &dispatch(Lead::Routed, &[]), &later)
        .unwrap();
}
