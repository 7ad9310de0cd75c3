//! The kernel as a user meets it: a workflow of their own, handled,
//! refused, replayed and drawn.

mod support {
    pub mod ticket;
}

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::CaseId;
use grassroots::testing::{Step, Violation, check_invariants, given};
use grassroots::workflow::HasKind;
use grassroots::workflow::{
    Case, CaseError, Context, Decision, Kind, Recorded, ReplayError, Transition, Workflow, dot,
    mermaid, replay_state,
};
use support::ticket::{Command, Event, EventKind, State, StateKind, Ticket, TicketError};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn worker() -> Actor {
    Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker)
}

fn boss() -> Actor {
    Actor::new("gw-7".parse().unwrap())
        .with_role(Role::GridWorker)
        .with_role(Role::Supervisor)
}

fn supervisor() -> Actor {
    Actor::new("sup-1".parse().unwrap()).with_role(Role::Supervisor)
}

fn opened() -> Event {
    Event::Opened {
        owner: "gw-7".parse().unwrap(),
        at: t0(),
    }
}

fn live_case() -> Case<Ticket> {
    let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
    case.handle(&Ticket, &Command::Open, &Context::new(t0(), &worker()))
        .unwrap();
    case.handle(
        &Ticket,
        &Command::Resolve,
        &Context::new(t0() + Duration::hours(1), &worker()),
    )
    .unwrap();
    case.handle(
        &Ticket,
        &Command::Close,
        &Context::new(t0() + Duration::hours(2), &supervisor()),
    )
    .unwrap();
    case
}

#[test]
fn handle_records_the_event_with_sequence_time_and_actor() {
    let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
    let recorded = case
        .handle(&Ticket, &Command::Open, &Context::new(t0(), &worker()))
        .unwrap()
        .to_vec();
    assert_eq!(
        recorded,
        vec![Recorded {
            seq: 1,
            at: t0(),
            actor: "gw-7".parse().unwrap(),
            correlation: None,
            event: opened(),
        }]
    );
    assert_eq!(case.version(), 1);
    assert!(matches!(case.state(), State::Open { .. }));
}

#[test]
fn a_correlation_id_is_recorded_with_every_event() {
    let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
    let correlation = "req-42".parse().unwrap();
    let worker = worker();
    let ctx = Context::new(t0(), &worker).with_correlation(&correlation);
    let recorded = case.handle(&Ticket, &Command::Open, &ctx).unwrap();
    assert_eq!(recorded[0].correlation.as_ref(), Some(&correlation));
}

#[test]
fn a_refused_command_leaves_the_case_untouched() {
    let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
    case.handle(&Ticket, &Command::Open, &Context::new(t0(), &worker()))
        .unwrap();
    let before = case.clone();
    let err = case
        .handle(
            &Ticket,
            &Command::Resolve,
            &Context::new(t0(), &supervisor()),
        )
        .unwrap_err();
    assert_eq!(
        err,
        CaseError::Rejected(TicketError::NotOwner {
            owner: "gw-7".parse().unwrap()
        })
    );
    assert_eq!(case, before);
}

#[test]
fn a_two_event_decision_is_recorded_whole() {
    let case = given(&Ticket, [opened()])
        .when(&boss(), t0(), Command::ResolveAndClose)
        .then([Event::Resolved, Event::Closed]);
    assert_eq!(case.version(), 3);
    assert_eq!(case.state(), &State::Closed);
    assert_eq!(
        case.history().iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn a_tick_before_the_deadline_records_nothing_and_after_it_reminds_once() {
    let system = Actor::system();
    given(&Ticket, [opened()])
        .when(&system, t0() + Duration::hours(71), Command::Tick)
        .then_nothing();
    let case = given(&Ticket, [opened()])
        .when(&system, t0() + Duration::hours(72), Command::Tick)
        .then([Event::Reminded]);
    assert_eq!(case.version(), 2);
    given(&Ticket, [opened(), Event::Reminded])
        .when(&system, t0() + Duration::hours(90), Command::Tick)
        .then_nothing();
}

#[test]
fn a_terminal_case_refuses_every_command() {
    let commands = [
        Command::Open,
        Command::Hold,
        Command::Resume,
        Command::Resolve,
        Command::ResolveAndClose,
        Command::Close,
        Command::Cancel,
        Command::Tick,
    ];
    for command in commands {
        let kind = command.kind();
        given(&Ticket, [opened(), Event::Resolved, Event::Closed])
            .when(&boss().with_role(Role::Party), t0(), command)
            .then_error(|e| {
                matches!(e, CaseError::Terminal { state, command, .. } if *state == "Closed" && *command == kind.name())
            });
    }
}

#[test]
fn a_command_earlier_than_the_last_event_is_refused() {
    let mut case = live_case();
    let before = case.clone();
    let err = case
        .handle(
            &Ticket,
            &Command::Tick,
            &Context::new(t0(), &Actor::system()),
        )
        .unwrap_err();
    // The case is terminal, which is checked first; use an open one.
    assert!(matches!(err, CaseError::Terminal { .. }));
    assert_eq!(case, before);

    let mut open = Case::<Ticket>::new("T-2".parse().unwrap());
    open.handle(&Ticket, &Command::Open, &Context::new(t0(), &worker()))
        .unwrap();
    let before = open.clone();
    let err = open
        .handle(
            &Ticket,
            &Command::Hold,
            &Context::new(t0() - Duration::seconds(1), &worker()),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        CaseError::TimeRunsBackwards { ref command, .. } if *command == "Hold"
    ));
    assert_eq!(open, before);
}

#[test]
fn handle_expecting_refuses_a_stale_version() {
    let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
    case.handle_expecting(0, &Ticket, &Command::Open, &Context::new(t0(), &worker()))
        .unwrap();
    let err = case
        .handle_expecting(0, &Ticket, &Command::Hold, &Context::new(t0(), &worker()))
        .unwrap_err();
    assert_eq!(
        err,
        CaseError::VersionConflict {
            case: "T-1".parse().unwrap(),
            expected: 0,
            actual: 1
        }
    );
    assert_eq!(case.version(), 1);
}

#[test]
fn replay_gives_the_live_case_back() {
    let case = live_case();
    let replayed = Case::<Ticket>::replay(case.id().clone(), case.history().to_vec()).unwrap();
    assert_eq!(replayed, case);
    let state = replay_state::<Ticket>(case.id(), case.history()).unwrap();
    assert_eq!(&state, case.state());
}

fn replay_err(history: Vec<Recorded<Event>>) -> ReplayError {
    Case::<Ticket>::replay("T-1".parse().unwrap(), history).unwrap_err()
}

#[test]
fn replay_refuses_a_gap() {
    let mut h = live_case().history().to_vec();
    h.remove(1);
    assert_eq!(
        replay_err(h),
        ReplayError::Gap {
            case: "T-1".parse().unwrap(),
            expected: 2,
            found: 3
        }
    );
}

#[test]
fn replay_refuses_a_duplicate() {
    let mut h = live_case().history().to_vec();
    h.insert(1, h[0].clone());
    assert_eq!(
        replay_err(h),
        ReplayError::Duplicate {
            case: "T-1".parse().unwrap(),
            seq: 1
        }
    );
}

#[test]
fn replay_refuses_reordered_events() {
    let mut h = live_case().history().to_vec();
    h.swap(1, 2);
    assert_eq!(
        replay_err(h),
        ReplayError::Reordered {
            case: "T-1".parse().unwrap(),
            expected: 2,
            found: 3
        }
    );
    let mut h = live_case().history().to_vec();
    h[0].seq = 0;
    assert!(matches!(
        replay_err(h),
        ReplayError::Reordered {
            expected: 1,
            found: 0,
            ..
        }
    ));
}

#[test]
fn replay_refuses_time_running_backwards() {
    let mut h = live_case().history().to_vec();
    h[2].at = t0() - Duration::days(1);
    assert!(matches!(
        replay_err(h),
        ReplayError::TimeRunsBackwards { seq: 3, .. }
    ));
}

#[test]
fn replay_refuses_an_event_after_a_terminal_state() {
    let mut h = live_case().history().to_vec();
    let mut extra = h[2].clone();
    extra.seq = 4;
    extra.event = Event::Cancelled;
    h.push(extra);
    assert_eq!(
        replay_err(h),
        ReplayError::AfterTerminal {
            case: "T-1".parse().unwrap(),
            seq: 4,
            event: "Cancelled".into(),
            state: "Closed".into()
        }
    );
}

#[test]
fn replay_errors_name_case_and_position() {
    let mut h = live_case().history().to_vec();
    h.remove(0);
    let err = replay_err(h);
    assert_eq!(
        err.to_string(),
        "case T-1: history has a gap, expected event 1 but found 2"
    );
}

#[test]
fn diagrams_are_drawn_from_the_transition_table() {
    let m = mermaid::<Ticket>();
    assert!(m.starts_with("stateDiagram-v2\n    [*] --> New\n"), "{m}");
    assert!(m.contains("    Open --> Resolved: Resolved\n"), "{m}");
    assert!(m.contains("    Closed --> [*]\n"), "{m}");
    assert!(m.contains("    Cancelled --> [*]\n"), "{m}");
    assert!(!m.contains("Resolved --> [*]"), "{m}");
    let d = dot::<Ticket>();
    assert!(d.starts_with("digraph \"ticket\" {"), "{d}");
    assert!(
        d.contains("\"Open\" -> \"OnHold\" [label=\"Held\"];"),
        "{d}"
    );
    assert!(d.contains("\"Closed\" [peripheries=2];"), "{d}");
    for t in Ticket::transitions() {
        assert!(m.contains(&format!("{} --> {}", t.from, t.to)), "{t:?}");
    }
}

/// A faulty workflow that records an event after closing, and one that
/// performs a transition its table does not declare: the kernel and the
/// testing kit must catch both.
#[derive(Debug)]
struct Faulty;

impl Workflow for Faulty {
    const NAME: &'static str = "faulty";
    type State = State;
    type Command = Command;
    type Event = Event;
    type Rejection = TicketError;

    fn initial() -> State {
        State::New
    }

    fn decide(
        &self,
        _: &State,
        command: &Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<Event>, TicketError> {
        Ok(match command {
            Command::Close => Decision::one(Event::Cancelled).and(Event::Reminded),
            _ => Event::Opened {
                owner: ctx.actor().id().clone(),
                at: ctx.at(),
            }
            .into(),
        })
    }

    fn evolve(state: State, event: &Event) -> State {
        Ticket::evolve(state, event)
    }

    fn is_terminal(state: &State) -> bool {
        Ticket::is_terminal(state)
    }

    fn transitions() -> &'static [Transition<StateKind, EventKind>] {
        // Declares the first cancelled step, so the kernel's terminal
        // check (not the table) is what refuses `Close`; not what `Open`
        // performs.
        const TABLE: &[Transition<StateKind, EventKind>] = &[
            Transition::new(StateKind::Open, EventKind::Opened, StateKind::Open),
            Transition::new(StateKind::New, EventKind::Cancelled, StateKind::Cancelled),
        ];
        TABLE
    }
}

#[test]
fn the_kernel_refuses_a_decision_with_an_event_after_the_terminal_state() {
    let mut case = Case::<Faulty>::new("F-1".parse().unwrap());
    let err = case
        .handle(&Faulty, &Command::Close, &Context::new(t0(), &worker()))
        .unwrap_err();
    assert_eq!(
        err,
        CaseError::EventAfterTerminal {
            case: "F-1".parse().unwrap(),
            state: "Cancelled".into(),
            event: "Reminded".into()
        }
    );
    assert_eq!(case.version(), 0);
    assert_eq!(case.state(), &State::New);
}

#[test]
fn the_invariant_checker_catches_an_undeclared_transition() {
    let steps = [Step {
        actor: worker(),
        at: t0(),
        command: Command::Open,
    }];
    let err = check_invariants(&Faulty, CaseId::new("F-2").unwrap(), steps).unwrap_err();
    assert_eq!(
        err,
        Violation::UndeclaredTransition {
            step: 0,
            from: "New".into(),
            event: "Opened".into(),
            to: "Open".into()
        }
    );
}

#[test]
fn recorded_events_round_trip_through_json() {
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Payload {
        note: String,
    }
    let r = Recorded {
        seq: 1,
        at: t0(),
        actor: "gw-7".parse().unwrap(),
        correlation: None,
        event: Payload { note: "x".into() },
    };
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(
        json,
        r#"{"seq":1,"at":"2026-03-02T09:00:00Z","actor":"gw-7","event":{"note":"x"}}"#
    );
    assert_eq!(serde_json::from_str::<Recorded<Payload>>(&json).unwrap(), r);
    assert!(
        serde_json::from_str::<Recorded<Payload>>(
            r#"{"seq":1,"at":"2026-03-02T09:00:00Z","actor":"","event":{"note":"x"}}"#
        )
        .is_err()
    );
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Case<Ticket>>();
    assert_send_sync::<Recorded<Event>>();
    assert_send_sync::<CaseError<TicketError>>();
    assert_send_sync::<ReplayError>();
    assert_send_sync::<Actor>();
    assert_send_sync::<Context<'_>>();
    assert_send_sync::<Decision<Event>>();
    assert_send_sync::<grassroots::id::CaseId>();
    assert_send_sync::<grassroots::tier::Tier>();
    assert_send_sync::<Violation>();
}

#[test]
fn a_command_outside_the_accepted_range_of_times_is_refused_and_changes_nothing() {
    use grassroots::workflow::{EARLIEST, LATEST};
    let one = Duration::microseconds(1);
    for at in [
        DateTime::<Utc>::MIN_UTC,
        EARLIEST - one,
        LATEST + one,
        DateTime::<Utc>::MAX_UTC,
    ] {
        let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
        let err = case
            .handle(&Ticket, &Command::Open, &Context::new(at, &worker()))
            .unwrap_err();
        assert_eq!(
            err,
            CaseError::TimeOutOfRange {
                case: "T-1".parse().unwrap(),
                command: "Open".into(),
                at,
            }
        );
        assert!(err.to_string().contains("outside the accepted range"));
        assert_eq!(case, Case::<Ticket>::new("T-1".parse().unwrap()));
    }
    let mut case = Case::<Ticket>::new("T-1".parse().unwrap());
    case.handle(&Ticket, &Command::Open, &Context::new(EARLIEST, &worker()))
        .unwrap();
    case.handle(&Ticket, &Command::Resolve, &Context::new(LATEST, &worker()))
        .unwrap();
}

#[test]
fn a_recorded_event_outside_the_accepted_range_does_not_replay() {
    let (id, _, history) = live_case().into_parts();
    for (seq, at) in [(1, DateTime::<Utc>::MIN_UTC), (3, DateTime::<Utc>::MAX_UTC)] {
        let mut forged = history.clone();
        forged[seq as usize - 1].at = at;
        let err = Case::<Ticket>::replay(id.clone(), forged).unwrap_err();
        assert_eq!(
            err,
            ReplayError::TimeOutOfRange {
                case: id.clone(),
                seq,
                at,
            }
        );
    }
}

#[test]
fn replay_names_the_range_before_the_order_and_the_event_just_before() {
    let (id, _, history) = live_case().into_parts();
    // Before both the range and the event before it: the range is named.
    let mut forged = history.clone();
    forged[1].at = DateTime::<Utc>::MIN_UTC;
    assert_eq!(
        Case::<Ticket>::replay(id.clone(), forged).unwrap_err(),
        ReplayError::TimeOutOfRange {
            case: id.clone(),
            seq: 2,
            at: DateTime::<Utc>::MIN_UTC,
        }
    );
    // A second before the event just before it: that event's time is named.
    let mut forged = history.clone();
    let previous = forged[1].at;
    forged[2].at = previous - Duration::seconds(1);
    assert_eq!(
        Case::<Ticket>::replay(id.clone(), forged).unwrap_err(),
        ReplayError::TimeRunsBackwards {
            case: id,
            seq: 3,
            at: previous - Duration::seconds(1),
            previous,
        }
    );
}

/// The ticket, declaring that it evolves in place, with an `evolve_in_place`
/// that forgets the resumption time: replay folds in place too, so the
/// live case and its replay agree and only comparing the two folds step by
/// step finds the fault.
#[derive(Debug)]
struct Drifting;

impl Workflow for Drifting {
    const NAME: &'static str = "drifting";
    const EVOLVES_IN_PLACE: bool = true;
    type State = State;
    type Command = Command;
    type Event = Event;
    type Rejection = TicketError;

    fn initial() -> State {
        Ticket::initial()
    }

    fn decide(
        &self,
        state: &State,
        command: &Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<Event>, TicketError> {
        Ticket.decide(state, command, ctx)
    }

    fn evolve(state: State, event: &Event) -> State {
        Ticket::evolve(state, event)
    }

    fn evolve_in_place(state: &mut State, event: &Event) {
        Ticket::evolve_in_place(state, event);
        if let (State::Open { since, .. }, Event::Resumed { .. }) = (state, event) {
            *since = t0();
        }
    }

    fn is_terminal(state: &State) -> bool {
        Ticket::is_terminal(state)
    }

    fn transitions() -> &'static [Transition<StateKind, EventKind>] {
        Ticket::transitions()
    }
}

#[test]
fn the_invariant_checker_catches_evolve_and_evolve_in_place_disagreeing() {
    let step = |minutes: i64, command: Command| Step {
        actor: worker(),
        at: t0() + Duration::minutes(minutes),
        command,
    };
    let steps = [
        step(0, Command::Open),
        step(1, Command::Hold),
        step(2, Command::Resume),
    ];
    // The faulty pair goes unseen by replay: both sides fold in place.
    let mut case = Case::<Drifting>::new("D-1".parse().unwrap());
    for s in &steps {
        case.handle(&Drifting, &s.command, &Context::new(s.at, &s.actor))
            .unwrap();
    }
    let replayed = Case::<Drifting>::replay(case.id().clone(), case.history().to_vec()).unwrap();
    assert_eq!(replayed, case);

    let err = check_invariants(&Drifting, CaseId::new("D-1").unwrap(), steps).unwrap_err();
    match err {
        Violation::EvolveDisagrees {
            step,
            event,
            by_value,
            in_place,
        } => {
            assert_eq!((step, event.as_ref()), (2, "Resumed"));
            assert!(by_value.contains("09:02:00"), "{by_value}");
            assert!(in_place.contains("09:00:00"), "{in_place}");
        }
        other => panic!("expected EvolveDisagrees, got {other:?}"),
    }
    // The ticket itself, whose two folds agree, passes the same steps.
    let steps = [
        step(0, Command::Open),
        step(1, Command::Hold),
        step(2, Command::Resume),
    ];
    check_invariants(&Ticket, CaseId::new("D-2").unwrap(), steps).unwrap();
}
