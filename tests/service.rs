//! The service-request workflow as a user meets it: every cell of the state
//! × command table, then each rule `decide` enforces, given/when/then.

mod support {
    pub mod service_fixture;
}

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::escalation::{LadderEvent, LadderState, MatterReport, Outcome, Supervision};
use grassroots::matter::ServiceCategory;
use grassroots::service::{
    AttributeValue, Datatype, Mode, Review, ServiceRequest, ServiceRequestCommand as Command,
    ServiceRequestError as Error, ServiceRequestEvent as Event, ServiceRequestState as State,
};
use grassroots::service::{ServiceRequestCommandKind, ServiceRequestStateKind};
use grassroots::testing::given;
use grassroots::tier::Tier;
use grassroots::workflow::{Case, CaseError, Context, Workflow};
use grassroots::workflow::{HasKind, Kind};
use support::service_fixture::*;

enum Expect {
    Events(Vec<Event>),
    Rejected(Error),
    Terminal,
}

/// The table: what each command does in each state, sent at [`now`] by the
/// actor allowed to send it.
fn expected(row: Row, kind: &str) -> Expect {
    use Row as R;
    if row.is_terminal() {
        return Expect::Terminal;
    }
    let n = now();
    let events = match (row, kind) {
        (_, "Tick") => vec![],
        (R::New, "Submit") => vec![br001_submitted(&BR_MATERIALS, n)],
        (R::New, "SubmitForApplicant") => vec![br001_submitted_by_agent(&BR_MATERIALS, n)],
        (R::Submitted, "AcceptWithPromise") => {
            return Expect::Rejected(Error::MaterialProvided {
                material: mat("premises-proof"),
            });
        }
        (R::AcceptedPending, "SupplyMaterials") => vec![Event::PendingSupplied {
            at: n,
            materials: vec![mat("premises-proof")],
            paused_working_days: 0,
            promised: end_of_march(5),
        }],
        (R::Submitted, "RequestSupplement") => vec![Event::SupplementRequested {
            materials: vec![mat("articles")],
        }],
        (R::Submitted, "Accept") => vec![
            Event::Accepted {
                at: n,
                promised: end_of_march(5),
            },
            ladder_started(ServiceCategory::BusinessRegistration, n, end_of_march(5)),
        ],
        (R::Submitted | R::SupplementRequested, "Refuse") => vec![Event::Refused {
            reason: note("the premises are not for business use"),
            legal_basis: note("company registration regulations, art. 26"),
        }],
        (R::SupplementRequested, "SupplyMaterials") => vec![Event::MaterialsSupplied {
            materials: vec![mat("premises-proof")],
        }],
        (R::AcceptedForHandling | R::AcceptedPending, "StartProcessing") => {
            vec![Event::ProcessingStarted]
        }
        (R::AcceptedForHandling | R::AcceptedPending, "Forward") => {
            return Expect::Rejected(Error::WrongMode {
                command: ServiceRequestCommandKind::Forward,
                mode: Mode::Handle,
            });
        }
        (R::AcceptedAsAgent, "Forward") => vec![Event::Forwarded { to: industry() }],
        (R::AcceptedAsAgent, "StartProcessing") => {
            return Expect::Rejected(Error::WrongMode {
                command: ServiceRequestCommandKind::StartProcessing,
                mode: Mode::Forward,
            });
        }
        (R::Forwarded, "SignFor") => vec![Event::SignedFor { by: industry() }],
        (R::Forwarded, "Return") => vec![Event::Returned {
            by: industry(),
            reason: note("rent subsidies are the park's"),
        }],
        (R::InProcess, "Suspend") => vec![Event::Suspended {
            at: n,
            reason: note("waiting for a site inspection"),
        }],
        (R::InProcess, "RequestExtension") => vec![Event::ExtensionRequested {
            working_days: 2,
            reason: note("the name needs a second check"),
        }],
        (R::InProcess | R::ExtensionRequested, "Complete") => vec![Event::Completed],
        (R::InProcess | R::ExtensionRequested, "Deny") => vec![Event::Denied {
            reason: note("the name is already registered"),
            legal_basis: note("enterprise name regulations, art. 17"),
        }],
        // Suspended and resumed on the same day: no working day paused.
        (R::Suspended, "Resume") => vec![
            Event::Resumed {
                at: n,
                paused_working_days: 0,
                promised: end_of_march(5),
            },
            rescheduled(end_of_march(5)),
        ],
        // Two working days after Thursday 5 March: Friday 6, Monday 9.
        (R::ExtensionRequested, "ApproveExtension") => vec![
            Event::ExtensionApproved {
                working_days: 2,
                promised: end_of_march(9),
            },
            rescheduled(end_of_march(9)),
        ],
        (R::ExtensionRequested, "RejectExtension") => vec![Event::ExtensionRejected {
            reason: note("three days are enough"),
        }],
        (R::Completed | R::Denied, "Deliver") => vec![Event::Delivered],
        (R::Delivered, "Rate") => vec![
            Event::Rated {
                review: Review::Dissatisfied,
                comment: Some(note("the licence had a typo")),
            },
            Event::RectificationOpened {
                due: rectification_due(),
            },
        ],
        (R::Delivered | R::Rated, "Close") => vec![Event::Closed],
        (R::Rated, "SendBackForRework") => return Expect::Rejected(Error::ReworkNeedsBadReview),
        (R::Rectifying, "SendBackForRework") => vec![Event::SentBackForRework {
            reason: note("correct the typo"),
        }],
        (R::Rectifying, "Rectify") => vec![Event::Rectified {
            at: n,
            action: note("the licence was reissued without the typo"),
        }],
        (R::FollowingUp, "FollowUp") => vec![Event::FollowedUp {
            at: n,
            result: note("the applicant confirmed the new licence is right"),
        }],
        (R::Rectifying | R::FollowingUp, "Close") => {
            return Expect::Rejected(Error::RectificationOpen {
                due: rectification_due(),
            });
        }
        (
            R::Submitted
            | R::SupplementRequested
            | R::AcceptedForHandling
            | R::AcceptedPending
            | R::AcceptedAsAgent
            | R::Forwarded
            | R::InProcess
            | R::Suspended
            | R::ExtensionRequested,
            "Withdraw",
        ) => vec![Event::Withdrawn { reason: None }],
        _ => {
            return Expect::Rejected(Error::NotApplicable {
                command: kind.parse().unwrap(),
                state: row.kind().parse().unwrap(),
            });
        }
    };
    Expect::Events(events)
}

#[test]
fn every_state_reads_as_its_kind_then_item_applicant_and_handler() {
    let service = service();
    let mut lines = Vec::new();
    for row in Row::ALL {
        let case = given(&service, row.history()).case(t0());
        let text = case.state().to_string();
        assert!(text.starts_with(row.kind()), "{text}");
        lines.push(text);
    }
    let handled = "at huanan-hall, handled by huanan-hall, promised";
    let expected = [
        "New".to_owned(),
        "Submitted: BR-001 for ent-0042 at huanan-hall".to_owned(),
        "SupplementRequested: BR-001 for ent-0042 at huanan-hall; 1 material missing".to_owned(),
        "Refused: BR-001 for ent-0042 at huanan-hall; the premises are not for business use"
            .to_owned(),
        format!("Accepted: BR-001 for ent-0042 {handled} 2026-03-05"),
        format!(
            "Accepted: BR-001 for ent-0042 {handled} 2026-03-05; 1 material pending until 2026-03-04"
        ),
        format!("Accepted: FS-001 for ent-0042 {handled} 2026-03-30"),
        format!(
            "Forwarded: FS-001 for ent-0042 {handled} 2026-03-30; forwarded to longgang-industry"
        ),
        format!("InProcess: BR-001 for ent-0042 {handled} 2026-03-05"),
        format!("Suspended: BR-001 for ent-0042 {handled} 2026-03-05; suspended since 2026-03-02"),
        format!(
            "ExtensionRequested: BR-001 for ent-0042 {handled} 2026-03-05; 2 more working days asked for"
        ),
        format!("Completed: BR-001 for ent-0042 {handled} 2026-03-05"),
        format!("Denied: BR-001 for ent-0042 {handled} 2026-03-05; the name is already registered"),
        format!("Delivered: BR-001 for ent-0042 {handled} 2026-03-05"),
        format!("Rated: BR-001 for ent-0042 {handled} 2026-03-05"),
        format!(
            "Rectifying: BR-001 for ent-0042 {handled} 2026-03-05; rated dissatisfied, rectification due 2026-03-09"
        ),
        format!(
            "FollowingUp: BR-001 for ent-0042 {handled} 2026-03-05; rectified, follow-up call due"
        ),
        format!("Closed: BR-001 for ent-0042 {handled} 2026-03-05"),
        "Withdrawn: BR-001 for ent-0042 at huanan-hall".to_owned(),
    ];
    assert_eq!(lines, expected);
}

/// Runs one cell as a given/when/then scenario.
fn cell(service: &ServiceRequest, row: Row, kind: &str) {
    let (actor, command) = command_of(kind);
    let when = given(service, row.history())
        .at(t0())
        .when(&actor, now(), command);
    match expected(row, kind) {
        Expect::Events(events) => {
            // `then` also checks every transition against the declared
            // table and that the case replays to itself.
            when.then(events);
        }
        Expect::Rejected(error) => {
            when.then_rejected(error);
        }
        Expect::Terminal => {
            when.then_error(|e| matches!(e, CaseError::Terminal { .. }));
        }
    }
}

/// Asserts every cell of a row, reporting every failing cell.
fn row(row: Row) {
    let service = service();
    let mut failures = Vec::new();
    for kind in ServiceRequestCommandKind::all() {
        let kind = kind.to_string();
        if catch_unwind(AssertUnwindSafe(|| cell(&service, row, &kind))).is_err() {
            failures.push(kind);
        }
    }
    assert!(failures.is_empty(), "{row:?}: failing cells {failures:?}");
    assert_eq!(ServiceRequestCommandKind::COUNT, 26);
}

macro_rules! rows {
    ($($name:ident => $row:expr,)*) => {
        $(
            #[test]
            fn $name() {
                row($row);
            }
        )*

        #[test]
        fn the_table_has_a_row_for_every_state() {
            let mut kinds: Vec<&str> = [$($row),*].iter().map(|r: &Row| r.kind()).collect();
            kinds.dedup();
            let all: Vec<String> = ServiceRequestStateKind::all().map(|k| k.to_string()).collect();
            assert_eq!(kinds, all);
        }
    };
}

rows! {
    table_new => Row::New,
    table_submitted => Row::Submitted,
    table_supplement_requested => Row::SupplementRequested,
    table_refused => Row::Refused,
    table_accepted_for_handling => Row::AcceptedForHandling,
    table_accepted_with_a_material_pending => Row::AcceptedPending,
    table_accepted_as_agent => Row::AcceptedAsAgent,
    table_forwarded => Row::Forwarded,
    table_in_process => Row::InProcess,
    table_suspended => Row::Suspended,
    table_extension_requested => Row::ExtensionRequested,
    table_completed => Row::Completed,
    table_denied => Row::Denied,
    table_delivered => Row::Delivered,
    table_rated => Row::Rated,
    table_rectifying => Row::Rectifying,
    table_following_up => Row::FollowingUp,
    table_closed => Row::Closed,
    table_withdrawn => Row::Withdrawn,
}

// --- tell everything at once -------------------------------------------

#[test]
fn a_first_supplement_request_must_name_every_missing_material() {
    let service = service();
    let submitted = [br001_submitted(&["application-form", "id-card"], t0())];
    given(&service, submitted.clone())
        .when(
            &clerk(),
            now(),
            Command::RequestSupplement {
                materials: vec![mat("articles")],
            },
        )
        .then_rejected(Error::MaterialNotNamed {
            material: mat("premises-proof"),
        });
    given(&service, submitted.clone())
        .when(
            &clerk(),
            now(),
            Command::RequestSupplement {
                materials: vec![mat("premises-proof"), mat("articles"), mat("articles")],
            },
        )
        .then([Event::SupplementRequested {
            materials: vec![mat("articles"), mat("premises-proof")],
        }]);
    given(&service, submitted)
        .when(
            &clerk(),
            now(),
            Command::RequestSupplement {
                materials: vec![mat("articles"), mat("premises-proof"), mat("tax-receipt")],
            },
        )
        .then_rejected(Error::MaterialNotRequired {
            material: mat("tax-receipt"),
        });
}

#[test]
fn a_later_supplement_request_may_name_only_materials_still_missing() {
    let service = service();
    // Asked for both; the applicant brought only the articles.
    let history = [
        br001_submitted(&["application-form", "id-card"], t0()),
        Event::SupplementRequested {
            materials: vec![mat("articles"), mat("premises-proof")],
        },
        Event::MaterialsSupplied {
            materials: vec![mat("articles")],
        },
    ];
    // The id card was there from the start: the first request could have
    // named it.
    given(&service, history.clone())
        .when(
            &clerk(),
            now(),
            Command::RequestSupplement {
                materials: vec![mat("id-card")],
            },
        )
        .then_rejected(Error::MaterialAlreadyKnown {
            material: mat("id-card"),
        });
    // The articles were supplied: no longer missing.
    given(&service, history.clone())
        .when(
            &clerk(),
            now(),
            Command::RequestSupplement {
                materials: vec![mat("articles"), mat("premises-proof")],
            },
        )
        .then_rejected(Error::MaterialAlreadyKnown {
            material: mat("articles"),
        });
    given(&service, history.clone())
        .when(
            &clerk(),
            now(),
            Command::RequestSupplement { materials: vec![] },
        )
        .then_rejected(Error::NothingToSupplement);
    given(&service, history.clone())
        .when(
            &clerk(),
            now(),
            Command::RequestSupplement {
                materials: vec![mat("premises-proof")],
            },
        )
        .then([Event::SupplementRequested {
            materials: vec![mat("premises-proof")],
        }]);
    // Nor may it be accepted while the premises proof is outstanding.
    given(&service, history)
        .when(&clerk(), now(), Command::Accept)
        .then_rejected(Error::MaterialMissing {
            material: mat("premises-proof"),
        });
}

#[test]
fn with_everything_provided_there_is_nothing_to_supplement() {
    given(&service(), [br001_submitted(&BR_MATERIALS, t0())])
        .when(
            &clerk(),
            now(),
            Command::RequestSupplement { materials: vec![] },
        )
        .then_rejected(Error::NothingToSupplement);
}

#[test]
fn a_request_missing_a_material_cannot_be_accepted_before_it_is_asked_for() {
    given(&service(), [br001_submitted(&BR_MATERIALS[..3], t0())])
        .when(&clerk(), now(), Command::Accept)
        .then_rejected(Error::MaterialMissing {
            material: mat("premises-proof"),
        });
}

#[test]
fn the_applicant_supplies_only_what_was_asked_for() {
    let service = service();
    let history = Row::SupplementRequested.history();
    given(&service, history.clone())
        .when(
            &applicant(),
            now(),
            Command::SupplyMaterials {
                materials: vec![mat("articles")],
            },
        )
        .then_rejected(Error::MaterialNotRequested {
            material: mat("articles"),
        });
    given(&service, history.clone())
        .when(
            &applicant(),
            now(),
            Command::SupplyMaterials {
                materials: vec![mat("passport")],
            },
        )
        .then_rejected(Error::MaterialNotRequired {
            material: mat("passport"),
        });
    given(&service, history.clone())
        .when(
            &applicant(),
            now(),
            Command::SupplyMaterials { materials: vec![] },
        )
        .then_rejected(Error::NothingSupplied);
    given(&service, history)
        .when(
            &other_party(),
            now(),
            Command::SupplyMaterials {
                materials: vec![mat("premises-proof")],
            },
        )
        .then_rejected(Error::NotTheApplicant {
            actor: other_party().id().clone(),
            action: "supply materials",
            applicant: applicant().id().clone(),
        });
}

// --- intake attributes -------------------------------------------------

fn submit_with(change: impl FnOnce(&mut grassroots::service::Attributes)) -> Command {
    let mut attributes = br001_attributes();
    change(&mut attributes);
    Command::Submit {
        item: "BR-001".parse().unwrap(),
        materials: vec![],
        attributes,
        description: None,
    }
}

#[test]
fn a_missing_required_attribute_is_refused_naming_it() {
    let command = submit_with(|a| {
        a.remove(&"registered_capital".parse().unwrap());
    });
    given(&service(), [])
        .when(&applicant(), now(), command)
        .then_rejected(Error::AttributeMissing {
            code: "registered_capital".parse().unwrap(),
        });
}

#[test]
fn an_attribute_of_the_wrong_type_is_refused_naming_it_and_its_type() {
    let command = submit_with(|a| {
        a.insert(
            "registered_capital".parse().unwrap(),
            AttributeValue::Text("half a million".into()),
        );
    });
    given(&service(), [])
        .when(&applicant(), now(), command)
        .then_rejected(Error::AttributeWrongType {
            code: "registered_capital".parse().unwrap(),
            expected: Datatype::Number,
        });
    let two_lines = submit_with(|a| {
        a.insert(
            "company_name".parse().unwrap(),
            AttributeValue::Text("Huanan\nTrading".into()),
        );
    });
    given(&service(), [])
        .when(&applicant(), now(), two_lines)
        .then_rejected(Error::AttributeWrongType {
            code: "company_name".parse().unwrap(),
            expected: Datatype::String,
        });
}

#[test]
fn a_value_not_among_the_allowed_ones_is_refused_naming_it() {
    let command = submit_with(|a| {
        a.insert(
            "company_type".parse().unwrap(),
            AttributeValue::Choice("cooperative".into()),
        );
    });
    given(&service(), [])
        .when(&applicant(), now(), command)
        .then_rejected(Error::NotAllowedValue {
            code: "company_type".parse().unwrap(),
            value: "cooperative".into(),
        });
}

#[test]
fn an_unknown_attribute_or_item_is_refused() {
    let command = submit_with(|a| {
        a.insert(
            "favourite_colour".parse().unwrap(),
            AttributeValue::Text("red".into()),
        );
    });
    given(&service(), [])
        .when(&applicant(), now(), command)
        .then_rejected(Error::UnknownAttribute {
            code: "favourite_colour".parse().unwrap(),
        });
    given(&service(), [])
        .when(
            &applicant(),
            now(),
            Command::Submit {
                item: "XX-999".parse().unwrap(),
                materials: vec![],
                attributes: Default::default(),
                description: None,
            },
        )
        .then_rejected(Error::UnknownItem {
            code: "XX-999".parse().unwrap(),
        });
    given(&service(), [])
        .when(&applicant(), now(), {
            let mut c = submit_br001(&["application-form", "tax-receipt"]);
            if let Command::Submit { materials, .. } = &mut c {
                materials.push(mat("tax-receipt"));
            }
            c
        })
        .then_rejected(Error::MaterialNotRequired {
            material: mat("tax-receipt"),
        });
}

#[test]
fn optional_attributes_may_be_left_out_and_the_submission_keeps_the_items_terms() {
    let case = given(&service(), [])
        .when(&applicant(), now(), submit_br001(&["id-card"]))
        .then([br001_submitted(&["id-card"], now())]);
    let intake = case.state().intake().unwrap();
    assert_eq!(intake.request().working_days, 3);
    assert_eq!(
        intake.missing().map(|m| m.as_str()).collect::<Vec<_>>(),
        ["application-form", "articles", "premises-proof"]
    );
}

// --- who may do what ---------------------------------------------------

#[test]
fn only_the_halls_clerks_accept() {
    let service = service();
    let submitted = [br001_submitted(&BR_MATERIALS, t0())];
    let other_hall = Actor::new("clerk-chen".parse().unwrap())
        .with_role(Role::HallClerk)
        .acting_for(org("longgang-hall"));
    given(&service, submitted.clone())
        .when(&other_hall, now(), Command::Accept)
        .then_rejected(Error::NotActingFor {
            actor: other_hall.id().clone(),
            action: "accept the request",
            body: hall(),
        });
    given(&service, submitted.clone())
        .when(&agent_clerk(), now(), Command::Accept)
        .then_rejected(Error::Forbidden(
            agent_clerk().forbidden("accept the request", Role::HallClerk),
        ));
    given(&service, submitted)
        .when(&applicant(), now(), Command::Accept)
        .then_rejected(Error::Forbidden(
            applicant().forbidden("accept the request", Role::HallClerk),
        ));
}

/// The hall forwards what it accepted (转办); the agent clerk acts for the
/// applicant (代办), not for the hall's forwarding.
#[test]
fn the_hall_forwards_an_accepted_request_not_its_agent_clerk() {
    given(&service(), Row::AcceptedAsAgent.history())
        .when(&agent_clerk(), now(), Command::Forward { to: None })
        .then_rejected(Error::Forbidden(
            agent_clerk().forbidden("forward the request", Role::HallClerk),
        ));
}

#[test]
fn only_the_competent_department_signs_for_or_returns_a_forwarded_request() {
    let service = service();
    let market = officer(grassroots::service::sample::MARKET_BUREAU);
    given(&service, Row::Forwarded.history())
        .when(&market, now(), Command::SignFor)
        .then_rejected(Error::NotActingFor {
            actor: market.id().clone(),
            action: "sign for the request",
            body: industry(),
        });
    given(&service, Row::Forwarded.history())
        .when(
            &agent_clerk(),
            now(),
            Command::Return {
                reason: note("not ours"),
            },
        )
        .then_rejected(Error::Forbidden(
            agent_clerk().forbidden("return the request", Role::DepartmentOfficer),
        ));
}

#[test]
fn in_agent_mode_the_department_that_signed_for_it_handles_it() {
    let service = service();
    let mut history = Row::Forwarded.history();
    history.push(Event::SignedFor { by: industry() });
    given(&service, history.clone())
        .when(&clerk(), now(), Command::Complete)
        .then_rejected(Error::Forbidden(
            clerk().forbidden("complete the request", Role::DepartmentOfficer),
        ));
    given(&service, history.clone())
        .when(&officer("longgang-hr"), now(), Command::Complete)
        .then_rejected(Error::NotActingFor {
            actor: officer("longgang-hr").id().clone(),
            action: "complete the request",
            body: industry(),
        });
    given(&service, history.clone())
        .when(&industry_officer(), now(), Command::Complete)
        .then([Event::Completed]);
    // The hall still delivers the result: one window in, one window out.
    history.push(Event::Completed);
    given(&service, history)
        .when(&clerk(), now(), Command::Deliver)
        .then([Event::Delivered]);
}

#[test]
fn only_the_applicant_withdraws_or_rates() {
    let service = service();
    given(&service, Row::InProcess.history())
        .when(&other_party(), now(), Command::Withdraw { reason: None })
        .then_rejected(Error::NotTheApplicant {
            actor: other_party().id().clone(),
            action: "withdraw the request",
            applicant: applicant().id().clone(),
        });
    given(&service, Row::Delivered.history())
        .when(
            &clerk(),
            now(),
            Command::Rate {
                review: Review::Satisfied,
                comment: None,
            },
        )
        .then_rejected(Error::NotTheApplicant {
            actor: clerk().id().clone(),
            action: "rate the service",
            applicant: applicant().id().clone(),
        });
}

#[test]
fn only_a_party_submits_only_a_supervisor_approves_and_only_the_system_ticks() {
    let service = service();
    given(&service, [])
        .when(&clerk(), now(), submit_br001(&BR_MATERIALS))
        .then_rejected(Error::Forbidden(
            clerk().forbidden("submit a request", Role::Party),
        ));
    given(&service, Row::ExtensionRequested.history())
        .when(&clerk(), now(), Command::ApproveExtension)
        .then_rejected(Error::Forbidden(
            clerk().forbidden("approve an extension", Role::Supervisor),
        ));
    given(&service, Row::InProcess.history())
        .when(&clerk(), now(), Command::Tick)
        .then_rejected(Error::Forbidden(clerk().forbidden("tick", Role::System)));
}

// --- deadlines -----------------------------------------------------------

#[test]
fn the_promised_date_skips_holidays_counting_from_the_day_after_acceptance() {
    // BR-001 (3 working days) accepted on Thursday 30 April 2026, 10:00 in
    // Shenzhen: Labour Day (1-5 May) is skipped, so Wednesday 6, Thursday 7
    // and Friday 8 May are the three days.
    let at = Utc.with_ymd_and_hms(2026, 4, 30, 2, 0, 0).unwrap();
    let due = Utc.with_ymd_and_hms(2026, 5, 8, 16, 0, 0).unwrap();
    given(&service(), [br001_submitted(&BR_MATERIALS, at)])
        .at(at)
        .when(&clerk(), at, Command::Accept)
        .then([
            Event::Accepted { at, promised: due },
            ladder_started(ServiceCategory::BusinessRegistration, at, due),
        ]);
}

/// A live case of BR-001 in process, accepted at [`t0`] and due when
/// Thursday 5 March ends.
fn in_process() -> Case<ServiceRequest> {
    let service = service();
    let mut case = Case::<ServiceRequest>::new("HN-2026-0001".parse().unwrap());
    case.handle(
        &service,
        &submit_br001(&BR_MATERIALS),
        &Context::new(t0(), &applicant()),
    )
    .unwrap();
    case.handle(&service, &Command::Accept, &Context::new(t0(), &clerk()))
        .unwrap();
    case.handle(
        &service,
        &Command::StartProcessing,
        &Context::new(t0(), &clerk()),
    )
    .unwrap();
    assert_eq!(case.state().promised(), Some(end_of_march(5)));
    case
}

fn at_day(day: u32, hour_in_shenzhen: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour_in_shenzhen - 8, 0, 0)
        .unwrap()
}

fn send(
    case: &mut Case<ServiceRequest>,
    actor: &Actor,
    at: DateTime<Utc>,
    command: Command,
) -> Vec<Event> {
    case.handle(&service(), &command, &Context::new(at, actor))
        .unwrap()
        .iter()
        .map(|r| r.event.clone())
        .collect()
}

/// The ladder's own record that the hall's tier is now due at `due` (the
/// sample hall supervises at the estate tier).
fn rescheduled(due: DateTime<Utc>) -> Event {
    Event::from(LadderEvent::Rescheduled {
        tier: Tier::Estate,
        due,
    })
}

fn rung_due(case: &Case<ServiceRequest>) -> Option<DateTime<Utc>> {
    case.state()
        .ladder()
        .and_then(|l| l.rung())
        .and_then(|r| r.due())
}

#[test]
fn a_suspension_stops_the_clock_and_moves_the_promised_date_by_the_pause() {
    let mut case = in_process();
    let suspend = Command::Suspend {
        reason: note("waiting for a site inspection"),
    };
    send(&mut case, &clerk(), at_day(3, 10), suspend);
    // Past the old deadline, but suspended: no overdue.
    assert!(send(&mut case, &system(), at_day(6, 9), Command::Tick).is_empty());
    // Suspended Tuesday 3, resumed Friday 6: Wednesday, Thursday and Friday
    // were paused, so Thursday 5 becomes Tuesday 10.
    let resumed = send(&mut case, &clerk(), at_day(6, 10), Command::Resume);
    assert_eq!(
        resumed,
        [
            Event::Resumed {
                at: at_day(6, 10),
                paused_working_days: 3,
                promised: end_of_march(10),
            },
            rescheduled(end_of_march(10)),
        ]
    );
    let handling = case.state().handling().unwrap();
    assert_eq!(handling.paused_working_days(), 3);
    // The ladder's due date moved with it.
    assert_eq!(rung_due(&case), Some(end_of_march(10)));
}

#[test]
fn a_pause_over_a_weekend_counts_only_the_working_day_resumed_on() {
    let mut case = in_process();
    let suspend = Command::Suspend {
        reason: note("the applicant is abroad"),
    };
    send(&mut case, &clerk(), at_day(6, 15), suspend);
    let resumed = send(&mut case, &clerk(), at_day(9, 9), Command::Resume);
    assert_eq!(
        resumed,
        [
            Event::Resumed {
                at: at_day(9, 9),
                paused_working_days: 1,
                promised: end_of_march(6),
            },
            rescheduled(end_of_march(6)),
        ]
    );
}

#[test]
fn an_extension_is_requested_before_the_deadline_and_approved_by_a_supervisor() {
    let service = service();
    let history = Row::InProcess.history();
    let ask = |days| Command::RequestExtension {
        working_days: days,
        reason: note("the name needs a second check"),
    };
    given(&service, history.clone())
        .at(t0())
        .when(&clerk(), end_of_march(5), ask(2))
        .then_rejected(Error::ExtensionTooLate {
            deadline: end_of_march(5),
        });
    given(&service, history.clone())
        .at(t0())
        .when(&clerk(), now(), ask(0))
        .then_rejected(Error::ZeroExtension);
    // BR-001: 3 working days promised, 8 statutory.
    given(&service, history)
        .at(t0())
        .when(&clerk(), now(), ask(6))
        .then_rejected(Error::ExtensionBeyondStatutoryLimit {
            requested: 6,
            max: 5,
            statutory: 8,
        });

    let mut case = in_process();
    send(&mut case, &clerk(), at_day(5, 10), ask(2));
    send(
        &mut case,
        &supervisor(),
        at_day(5, 11),
        Command::ApproveExtension,
    );
    let handling = case.state().handling().unwrap();
    assert_eq!(handling.promised(), end_of_march(9));
    assert_eq!(handling.extended_working_days(), 2);
    assert_eq!(rung_due(&case), Some(end_of_march(9)));

    // A rejected extension leaves the date as it was.
    send(&mut case, &clerk(), at_day(6, 10), ask(1));
    send(
        &mut case,
        &supervisor(),
        at_day(6, 11),
        Command::RejectExtension {
            reason: note("enough time already"),
        },
    );
    assert_eq!(case.state().promised(), Some(end_of_march(9)));
    assert!(matches!(case.state(), State::InProcess(_)));
}

// --- overdue and supervision ---------------------------------------------

#[test]
fn a_tick_past_the_promised_date_records_overdue_once_and_puts_it_under_supervision() {
    let mut case = in_process();
    // Before the deadline: nothing.
    assert!(send(&mut case, &system(), at_day(5, 23), Command::Tick).is_empty());
    // At the deadline (midnight in Shenzhen after Thursday 5 March).
    let overdue = send(&mut case, &system(), end_of_march(5), Command::Tick);
    assert_eq!(
        overdue,
        [
            Event::Overdue {
                deadline: end_of_march(5)
            },
            LadderEvent::SupervisionReminded {
                tier: Tier::Estate,
                handler: hall(),
                // Three working days for the written notice: Monday 9,
                // Tuesday 10, Wednesday 11.
                notice_due: end_of_march(11),
            }
            .into(),
        ]
    );
    assert_eq!(
        case.state().handling().unwrap().overdue(),
        Some(end_of_march(5))
    );
    // Overdue is recorded once per deadline.
    assert!(send(&mut case, &system(), at_day(9, 9), Command::Tick).is_empty());
    // Then the written notice, once.
    let notice = send(&mut case, &system(), end_of_march(11), Command::Tick);
    assert_eq!(
        notice,
        [LadderEvent::SupervisionNoticeIssued {
            tier: Tier::Estate,
            handler: hall(),
        }
        .into()]
    );
    assert!(send(&mut case, &system(), end_of_march(20), Command::Tick).is_empty());
    let rung = case.state().ladder().and_then(LadderState::rung).unwrap();
    assert_eq!(rung.supervision(), Supervision::Noticed);
    assert_eq!(rung.tier(), Tier::Estate, "supervised, not escalated");
}

#[test]
fn a_forwarded_request_the_department_has_not_signed_for_can_be_overdue() {
    let due = end_of_march(30);
    let case = given(&service(), Row::Forwarded.history())
        .at(t0())
        .when(&system(), due + Duration::hours(1), Command::Tick)
        .then([
            Event::Overdue { deadline: due },
            LadderEvent::SupervisionReminded {
                tier: Tier::Estate,
                handler: hall(),
                // From Tuesday 31 March: 1, 2 and 3 April (Qingming follows).
                notice_due: Utc.with_ymd_and_hms(2026, 4, 3, 16, 0, 0).unwrap(),
            }
            .into(),
        ]);
    assert!(matches!(case.state(), State::Forwarded { .. }));
}

#[test]
fn a_new_deadline_can_be_overdue_again_but_each_deadline_only_once() {
    let mut case = in_process();
    assert_eq!(
        send(&mut case, &system(), end_of_march(5), Command::Tick).len(),
        2
    );
    let suspend = Command::Suspend {
        reason: note("waiting for a site inspection"),
    };
    send(&mut case, &clerk(), at_day(6, 9), suspend);
    send(&mut case, &clerk(), at_day(9, 9), Command::Resume);
    assert_eq!(case.state().promised(), Some(end_of_march(6)));
    // Still past the moved deadline: overdue for the new one, once.
    let again = send(&mut case, &system(), at_day(9, 10), Command::Tick);
    assert_eq!(
        again,
        [Event::Overdue {
            deadline: end_of_march(6)
        }]
    );
    assert!(send(&mut case, &system(), at_day(9, 11), Command::Tick).is_empty());
}

// --- forwarding ------------------------------------------------------------

#[test]
fn a_returned_request_goes_back_to_the_hall_and_not_to_the_same_department() {
    let service = service();
    let mut history = Row::Forwarded.history();
    history.push(Event::Returned {
        by: industry(),
        reason: note("rent subsidies are the park's"),
    });
    let case = given(&service, history.clone()).at(t0()).case(t0());
    assert!(matches!(case.state(), State::Accepted(_)));
    assert_eq!(case.state().handling().unwrap().returned_by(), [industry()]);
    given(&service, history.clone())
        .when(&clerk(), now(), Command::Forward { to: None })
        .then_rejected(Error::ReturnedBefore {
            department: industry(),
        });
    given(&service, history.clone())
        .when(
            &clerk(),
            now(),
            Command::Forward {
                to: Some(org("nowhere")),
            },
        )
        .then_rejected(Error::UnknownDepartment {
            department: org("nowhere"),
        });
    let market = org(grassroots::service::sample::MARKET_BUREAU);
    given(&service, history)
        .when(
            &clerk(),
            now(),
            Command::Forward {
                to: Some(market.clone()),
            },
        )
        .then([Event::Forwarded { to: market }]);
}

// --- reviews and rework ------------------------------------------------------

#[test]
fn only_a_bad_review_under_rectification_sends_a_request_back_for_rework() {
    let service = service();
    let mut good = Row::Delivered.history();
    good.push(Event::Rated {
        review: Review::Satisfied,
        comment: None,
    });
    given(&service, good)
        .when(
            &supervisor(),
            now(),
            Command::SendBackForRework {
                reason: note("why not"),
            },
        )
        .then_rejected(Error::ReworkNeedsBadReview);
    let case = given(&service, Row::Rectifying.history())
        .when(
            &supervisor(),
            now(),
            Command::SendBackForRework {
                reason: note("correct the typo"),
            },
        )
        .then([Event::SentBackForRework {
            reason: note("correct the typo"),
        }]);
    // Rework is held to the promise made at acceptance.
    assert!(matches!(case.state(), State::InProcess(_)));
    assert_eq!(case.state().promised(), Some(end_of_march(5)));
}

// --- a whole request -----------------------------------------------------------

#[test]
fn a_request_runs_from_submission_to_closing_and_replays_to_the_same_case() {
    let service = service();
    let mut case = Case::<ServiceRequest>::new("HN-2026-0002".parse().unwrap());
    let mut at = t0();
    let mut step = |case: &mut Case<ServiceRequest>, actor: Actor, command: Command| {
        at += Duration::hours(2);
        case.handle(&service, &command, &Context::new(at, &actor))
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    };
    step(&mut case, applicant(), submit_fs001());
    step(&mut case, clerk(), Command::Accept);
    step(&mut case, clerk(), Command::Forward { to: None });
    step(&mut case, industry_officer(), Command::SignFor);
    step(
        &mut case,
        industry_officer(),
        Command::Suspend {
            reason: note("waiting for the tax bureau"),
        },
    );
    step(&mut case, industry_officer(), Command::Resume);
    step(&mut case, industry_officer(), Command::Complete);
    step(&mut case, clerk(), Command::Deliver);
    step(
        &mut case,
        applicant(),
        Command::Rate {
            review: Review::Satisfied,
            comment: Some(note("quick and clear")),
        },
    );
    step(&mut case, clerk(), Command::Close);
    assert!(case.is_terminal());
    assert!(matches!(
        case.state(),
        State::Closed {
            review: Some(Review::Satisfied),
            ..
        }
    ));
    let replayed =
        Case::<ServiceRequest>::replay(case.id().clone(), case.history().to_vec()).unwrap();
    assert_eq!(replayed, case);

    // The ladder's report reads the same history.
    let report = MatterReport::from_history(case.history());
    assert_eq!(report.started_at, Some(Tier::Estate));
    assert_eq!(report.outcome, Outcome::Open);

    // Every event round-trips through JSON.
    for r in case.history() {
        let json = serde_json::to_string(&r.event).unwrap();
        let back: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r.event, "{json}");
    }
    let state = serde_json::to_string(case.state()).unwrap();
    assert_eq!(
        &serde_json::from_str::<State>(&state).unwrap(),
        case.state()
    );
    assert_eq!(ServiceRequest::NAME, "service_request");
}

#[test]
fn the_applicant_may_withdraw_at_any_open_point_and_keeps_the_promise_on_record() {
    let case = given(&service(), Row::Suspended.history())
        .when(
            &applicant(),
            now(),
            Command::Withdraw {
                reason: Some(note("we moved to Futian")),
            },
        )
        .then([Event::Withdrawn {
            reason: Some(note("we moved to Futian")),
        }]);
    assert_eq!(case.state().promised(), Some(end_of_march(5)));
    assert!(case.is_terminal());
}

// --- hall metrics ------------------------------------------------------------------

#[test]
fn hall_metrics_count_on_time_completion_overdue_working_days_and_reviews() {
    let service = service();
    let rate = |review| Command::Rate {
        review,
        comment: None,
    };
    // Completed on Wednesday 4 March (2 working days), rated good.
    let mut on_time = in_process();
    send(&mut on_time, &clerk(), at_day(4, 15), Command::Complete);
    send(&mut on_time, &clerk(), at_day(4, 16), Command::Deliver);
    send(
        &mut on_time,
        &applicant(),
        at_day(4, 17),
        rate(Review::Satisfied),
    );
    // Overdue, completed on Monday 9 March (5 working days), rated bad.
    let mut late = in_process();
    send(&mut late, &system(), end_of_march(5), Command::Tick);
    send(&mut late, &clerk(), at_day(9, 10), Command::Complete);
    send(&mut late, &clerk(), at_day(9, 11), Command::Deliver);
    send(
        &mut late,
        &applicant(),
        at_day(9, 12),
        rate(Review::Dissatisfied),
    );
    // Denied on Tuesday 3 March (1 working day).
    let mut denied = in_process();
    let deny = command_of("Deny").1;
    send(&mut denied, &clerk(), at_day(3, 10), deny);
    // Refused at intake.
    let refused = given(&service, Row::Refused.history()).at(t0()).case(t0());

    let metrics = grassroots::service::HallMetrics::from_histories(
        service.calendar(),
        [&on_time, &late, &denied, &refused].map(|c| c.history()),
    );
    assert_eq!(metrics.requests, 4);
    assert_eq!(metrics.accepted, 3);
    assert_eq!(metrics.completed, 3);
    assert_eq!(metrics.completed_on_time, 2);
    assert_eq!(metrics.overdue, 1);
    assert_eq!(metrics.on_time_rate(), Some(2.0 / 3.0));
    assert_eq!(
        metrics.average_working_days_to_completion(),
        Some(8.0 / 3.0)
    );
    assert_eq!(metrics.good_review_rate(), Some(0.5));
    let facts = grassroots::service::RequestFacts::from_history(late.history());
    assert_eq!(facts.concluded_on_time(), Some(false));
}

#[test]
fn next_due_is_the_promised_date_then_the_notice_date_then_nothing() {
    let mut case = in_process();
    assert_eq!(case.next_due(), Some(end_of_march(5)));
    send(&mut case, &system(), end_of_march(5), Command::Tick);
    assert_eq!(case.next_due(), Some(end_of_march(11)));
    send(&mut case, &system(), end_of_march(11), Command::Tick);
    assert_eq!(case.next_due(), None);
    // A suspended request's clock is stopped: no timer while it waits.
    let mut case = in_process();
    send(
        &mut case,
        &clerk(),
        at_day(3, 10),
        Command::Suspend {
            reason: note("on-site inspection"),
        },
    );
    assert_eq!(case.next_due(), None);
}

// --- reviews: five levels, rectification, follow-up (国办发〔2019〕51号) ------

#[test]
fn reviews_have_five_levels_and_only_the_two_dissatisfied_ones_open_rectification() {
    let service = service();
    assert_eq!(Review::ALL.len(), 5);
    for review in Review::ALL {
        let rate = Command::Rate {
            review,
            comment: None,
        };
        let mut expected = vec![Event::Rated {
            review,
            comment: None,
        }];
        if matches!(review, Review::Dissatisfied | Review::VeryDissatisfied) {
            expected.push(Event::RectificationOpened {
                due: rectification_due(),
            });
        }
        assert_eq!(review.is_dissatisfied(), expected.len() == 2);
        given(&service, Row::Delivered.history())
            .when(&applicant(), now(), rate)
            .then(expected);
    }
}

#[test]
fn a_request_under_rectification_closes_only_after_rectification_and_the_follow_up_call() {
    let service = service();
    let mut case = given(&service, Row::Rectifying.history())
        .at(t0())
        .case(t0());
    let close = |case: &mut Case<ServiceRequest>| {
        case.handle(&service, &Command::Close, &Context::new(now(), &clerk()))
            .unwrap_err()
            .rejection()
            .cloned()
    };
    let open = Some(Error::RectificationOpen {
        due: rectification_due(),
    });
    assert_eq!(close(&mut case), open);
    let (_, rectify) = command_of("Rectify");
    send(&mut case, &clerk(), now(), rectify);
    assert!(matches!(case.state(), State::FollowingUp { .. }));
    assert_eq!(close(&mut case), open);
    // Only the hall's clerk records the follow-up call.
    let (_, follow_up) = command_of("FollowUp");
    let refused = case
        .handle(&service, &follow_up, &Context::new(now(), &applicant()))
        .unwrap_err();
    assert_eq!(
        refused.rejection(),
        Some(&Error::Forbidden(
            applicant().forbidden("record the follow-up call", Role::HallClerk)
        ))
    );
    send(&mut case, &clerk(), now(), follow_up);
    assert!(case.is_terminal());
    assert!(matches!(
        case.state(),
        State::Closed {
            review: Some(Review::Dissatisfied),
            ..
        }
    ));
}

#[test]
fn an_overdue_rectification_is_recorded_once_by_the_timer_at_its_deadline() {
    let service = service();
    let mut case = given(&service, Row::Rectifying.history())
        .at(t0())
        .case(t0());
    assert_eq!(case.next_due(), Some(rectification_due()));
    let before = rectification_due() - Duration::seconds(1);
    assert!(send(&mut case, &system(), before, Command::Tick).is_empty());
    assert_eq!(
        send(&mut case, &system(), rectification_due(), Command::Tick),
        [Event::RectificationOverdue {
            due: rectification_due()
        }]
    );
    assert_eq!(case.next_due(), None);
    assert!(send(&mut case, &system(), at_day(20, 9), Command::Tick).is_empty());
    // Still rectifiable, late.
    let (_, rectify) = command_of("Rectify");
    send(&mut case, &clerk(), at_day(20, 10), rectify);
    assert!(matches!(case.state(), State::FollowingUp { .. }));
}

#[test]
fn the_rectification_deadline_is_the_halls_to_set() {
    use grassroots::calendar::TimeLimit;
    let service = service().with_rectification_limit(TimeLimit::WorkingDays(2));
    let (_, rate) = command_of("Rate");
    given(&service, Row::Delivered.history())
        .when(&applicant(), now(), rate)
        .then([
            Event::Rated {
                review: Review::Dissatisfied,
                comment: Some(note("the licence had a typo")),
            },
            Event::RectificationOpened {
                due: end_of_march(4),
            },
        ]);
}

// --- the supplement window (行政许可法 art. 32) ---------------------------------

/// BR-001 received at [`t0`] without the premises proof.
fn incomplete() -> Vec<Event> {
    vec![br001_submitted(&BR_MATERIALS[..3], t0())]
}

#[test]
fn a_supplement_notice_must_come_within_five_working_days_of_receipt() {
    let service = service();
    // Received Monday 2 March: the window ends with Monday 9 March.
    assert_eq!(notice_due(t0()), end_of_march(9));
    let ask = Command::RequestSupplement {
        materials: vec![mat("premises-proof")],
    };
    given(&service, incomplete())
        .at(t0())
        .when(
            &clerk(),
            end_of_march(9) - Duration::seconds(1),
            ask.clone(),
        )
        .then([Event::SupplementRequested {
            materials: vec![mat("premises-proof")],
        }]);
    let late = AcceptedFromReceipt();
    given(&service, incomplete())
        .at(t0())
        .when(&clerk(), end_of_march(9), ask)
        .then_rejected(late.clone());
    // Nor may acceptance be refused any more.
    let (_, refuse) = command_of("Refuse");
    given(&service, incomplete())
        .at(t0())
        .when(&clerk(), at_day(10, 9), refuse)
        .then_rejected(late);
}

#[allow(non_snake_case)]
fn AcceptedFromReceipt() -> Error {
    Error::AcceptedFromReceipt {
        received: t0(),
        notice_due: end_of_march(9),
    }
}

#[test]
fn past_the_window_the_application_counts_as_accepted_from_receipt() {
    let service = service();
    let at = at_day(10, 9);
    // Accepted from receipt, with the promise counted from receipt, though
    // a material is missing.
    given(&service, incomplete())
        .at(t0())
        .when(&clerk(), at, Command::Accept)
        .then([
            Event::DeemedAccepted {
                received: t0(),
                promised: end_of_march(5),
            },
            ladder_started(ServiceCategory::BusinessRegistration, at, end_of_march(5)),
        ]);
    // Still only the hall's clerk records it.
    given(&service, incomplete())
        .at(t0())
        .when(&applicant(), at, Command::Accept)
        .then_rejected(Error::Forbidden(
            applicant().forbidden("accept the request", Role::HallClerk),
        ));
}

#[test]
fn the_timer_records_acceptance_from_receipt_when_nobody_acted() {
    let service = service();
    let mut case = given(&service, incomplete()).at(t0()).case(t0());
    assert_eq!(case.next_due(), Some(end_of_march(9)));
    let before = end_of_march(9) - Duration::seconds(1);
    assert!(send(&mut case, &system(), before, Command::Tick).is_empty());
    let recorded = send(&mut case, &system(), end_of_march(9), Command::Tick);
    let kinds: Vec<String> = recorded.iter().map(|e| e.kind().to_string()).collect();
    // The promise, counted from receipt, ran out on 5 March: overdue at
    // once, and under supervision.
    assert_eq!(
        kinds,
        [
            "DeemedAccepted",
            "Ladder.Started",
            "Overdue",
            "Ladder.SupervisionReminded"
        ]
    );
    assert!(case.next_due().unwrap() > end_of_march(9));
    assert_eq!(case.state().handling().unwrap().accepted_at(), t0());
}

#[test]
fn once_a_notice_was_given_the_window_no_longer_runs() {
    let service = service();
    let mut history = incomplete();
    history.push(Event::SupplementRequested {
        materials: vec![mat("premises-proof")],
    });
    let case = given(&service, history.clone()).at(t0()).case(t0());
    assert_eq!(case.next_due(), None);
    history.push(Event::MaterialsSupplied {
        materials: vec![mat("premises-proof")],
    });
    let case = given(&service, history.clone()).at(t0()).case(t0());
    assert_eq!(case.state().intake().unwrap().notice_due(), None);
    assert_eq!(case.next_due(), None);
    let at = at_day(20, 9);
    given(&service, history)
        .at(t0())
        .when(&clerk(), at, Command::Accept)
        .then([
            Event::Accepted {
                at,
                promised: end_of_march(25),
            },
            ladder_started(ServiceCategory::BusinessRegistration, at, end_of_march(25)),
        ]);
}

// --- acceptance with a material pending (容缺受理) -----------------------------

fn accept_pending(pending: &[&str], supply_by: DateTime<Utc>) -> Command {
    Command::AcceptWithPromise {
        pending: pending.iter().map(|m| mat(m)).collect(),
        supply_by,
        promise: promise(),
    }
}

#[test]
fn a_non_essential_material_may_be_pending_on_a_written_promise() {
    given(&service(), vec![br001_submitted(&BR_MATERIALS[..3], t0())])
        .at(t0())
        .when(
            &clerk(),
            t0(),
            accept_pending(&["premises-proof"], end_of_march(4)),
        )
        .then(br001_accepted_pending());
}

#[test]
fn only_non_essential_materials_may_be_pending_and_every_missing_one_must_be_named() {
    let service = service();
    let without_articles = vec![br001_submitted(&["application-form", "id-card"], t0())];
    given(&service, without_articles.clone())
        .when(
            &clerk(),
            now(),
            accept_pending(&["articles", "premises-proof"], end_of_march(4)),
        )
        .then_rejected(Error::MaterialEssential {
            material: mat("articles"),
        });
    given(&service, without_articles)
        .when(
            &clerk(),
            now(),
            accept_pending(&["premises-proof"], end_of_march(4)),
        )
        .then_rejected(Error::MaterialMissing {
            material: mat("articles"),
        });
    given(&service, incomplete())
        .when(&clerk(), now(), accept_pending(&[], end_of_march(4)))
        .then_rejected(Error::NothingPending);
    given(&service, incomplete())
        .when(
            &clerk(),
            now(),
            accept_pending(&["passport"], end_of_march(4)),
        )
        .then_rejected(Error::MaterialNotRequired {
            material: mat("passport"),
        });
    given(&service, incomplete())
        .when(&clerk(), now(), accept_pending(&["premises-proof"], now()))
        .then_rejected(Error::SupplyDateNotAfterAcceptance {
            at: now(),
            supply_by: now(),
        });
}

/// BR-001 accepted with the premises proof pending until the end of 4
/// March, and in process.
fn pending_in_process() -> Case<ServiceRequest> {
    let mut history = Row::AcceptedPending.history();
    history.push(Event::ProcessingStarted);
    given(&service(), history).at(t0()).case(t0())
}

#[test]
fn a_request_with_a_material_pending_cannot_be_completed() {
    let mut case = pending_in_process();
    let refused = case
        .handle(
            &service(),
            &Command::Complete,
            &Context::new(now(), &clerk()),
        )
        .unwrap_err();
    assert_eq!(
        refused.rejection(),
        Some(&Error::MaterialPending {
            material: mat("premises-proof")
        })
    );
    // Supplied in time: nothing moves, and it may be completed.
    assert_eq!(
        send(
            &mut case,
            &applicant(),
            at_day(3, 10),
            Command::SupplyMaterials {
                materials: vec![mat("premises-proof")]
            }
        ),
        [Event::PendingSupplied {
            at: at_day(3, 10),
            materials: vec![mat("premises-proof")],
            paused_working_days: 0,
            promised: end_of_march(5),
        }]
    );
    assert!(case.state().handling().unwrap().pending().is_none());
    send(&mut case, &clerk(), at_day(3, 11), Command::Complete);
}

#[test]
fn missing_the_promised_date_suspends_handling_from_that_date() {
    let mut case = pending_in_process();
    // The timer is due at the promised supply date.
    assert_eq!(case.next_due(), Some(end_of_march(4)));
    assert_eq!(
        send(&mut case, &system(), end_of_march(4), Command::Tick),
        [Event::PromiseLapsed {
            supply_by: end_of_march(4)
        }]
    );
    assert!(!case.state().is_clock_running());
    assert_eq!(case.next_due(), None);
    let refused = case
        .handle(
            &service(),
            &Command::Complete,
            &Context::new(at_day(5, 9), &clerk()),
        )
        .unwrap_err();
    assert_eq!(
        refused.rejection(),
        Some(&Error::PromiseLapsed {
            material: mat("premises-proof"),
            supply_by: end_of_march(4),
        })
    );
    // Supplied on Friday 6 March: suspended Thursday and Friday, so the
    // promise moves from Thursday 5 to Monday 9 March.
    let supply = Command::SupplyMaterials {
        materials: vec![mat("premises-proof")],
    };
    assert_eq!(
        send(&mut case, &applicant(), at_day(6, 10), supply),
        [
            Event::PendingSupplied {
                at: at_day(6, 10),
                materials: vec![mat("premises-proof")],
                paused_working_days: 2,
                promised: end_of_march(9),
            },
            rescheduled(end_of_march(9)),
        ]
    );
    assert!(case.state().is_clock_running());
    assert_eq!(rung_due(&case), Some(end_of_march(9)));
    send(&mut case, &clerk(), at_day(6, 11), Command::Complete);
}

#[test]
fn a_lapsed_promise_is_judged_from_the_clock_without_a_tick() {
    let case = pending_in_process();
    let late = at_day(5, 9);
    let ask = Command::RequestExtension {
        working_days: 1,
        reason: note("the name needs a second check"),
    };
    let mut c = case.clone();
    let refused = c
        .handle(&service(), &ask, &Context::new(late, &clerk()))
        .unwrap_err();
    assert_eq!(
        refused.rejection(),
        Some(&Error::PromiseLapsed {
            material: mat("premises-proof"),
            supply_by: end_of_march(4),
        })
    );
    assert_eq!(c, case, "a refusal changes nothing");
    // A supply after the date records the lapse the timer did not.
    let mut c = case.clone();
    let supply = Command::SupplyMaterials {
        materials: vec![mat("premises-proof")],
    };
    assert_eq!(
        send(&mut c, &applicant(), at_day(6, 10), supply),
        [
            Event::PromiseLapsed {
                supply_by: end_of_march(4)
            },
            Event::PendingSupplied {
                at: at_day(6, 10),
                materials: vec![mat("premises-proof")],
                paused_working_days: 2,
                promised: end_of_march(9),
            },
            rescheduled(end_of_march(9)),
        ]
    );
}

#[test]
fn only_what_is_pending_may_be_supplied_after_acceptance() {
    let service = service();
    given(&service, Row::AcceptedPending.history())
        .when(
            &applicant(),
            now(),
            Command::SupplyMaterials {
                materials: vec![mat("articles")],
            },
        )
        .then_rejected(Error::MaterialNotRequested {
            material: mat("articles"),
        });
    given(&service, Row::AcceptedPending.history())
        .when(
            &other_party(),
            now(),
            Command::SupplyMaterials {
                materials: vec![mat("premises-proof")],
            },
        )
        .then_rejected(Error::NotTheApplicant {
            actor: other_party().id().clone(),
            action: "supply materials",
            applicant: applicant().id().clone(),
        });
}

// --- statutory and promised limits; agent service (代办) -------------------------

#[test]
fn the_promised_limit_may_not_exceed_the_statutory_one() {
    use grassroots::service::{Catalogue, CatalogueError, ServiceItem};
    let item = ServiceItem::new(
        "TX-9".parse().unwrap(),
        "Something",
        ServiceCategory::TaxAndInvoicing,
        Mode::Handle,
        hall(),
        10,
    )
    .with_statutory_limit(5);
    assert_eq!(
        Catalogue::try_new(hall(), org(grassroots::service::sample::AREA), [item]),
        Err(CatalogueError::PromiseBeyondStatutoryLimit {
            code: "TX-9".parse().unwrap(),
            promised: 10,
            statutory: 5,
        })
    );
}

#[test]
fn extensions_together_are_capped_by_the_statutory_limit() {
    let mut case = in_process();
    let ask = |days| Command::RequestExtension {
        working_days: days,
        reason: note("the name needs a second check"),
    };
    // 3 promised, 8 statutory: 4 more, then at most 1.
    send(&mut case, &clerk(), at_day(3, 10), ask(4));
    send(
        &mut case,
        &supervisor(),
        at_day(3, 11),
        Command::ApproveExtension,
    );
    let refused = case
        .handle(&service(), &ask(2), &Context::new(at_day(4, 10), &clerk()))
        .unwrap_err();
    assert_eq!(
        refused.rejection(),
        Some(&Error::ExtensionBeyondStatutoryLimit {
            requested: 2,
            max: 1,
            statutory: 8,
        })
    );
    send(&mut case, &clerk(), at_day(4, 10), ask(1));
}

#[test]
fn an_agent_submits_for_the_applicant_on_its_written_authorisation() {
    let service = service();
    let (agent, submit) = command_of("SubmitForApplicant");
    let mut case = given(&service, Vec::<Event>::new())
        .when(&agent, now(), submit.clone())
        .then([br001_submitted_by_agent(&BR_MATERIALS, now())]);
    let request = case.state().request().unwrap().clone();
    assert_eq!(request.applicant, *applicant().id());
    assert_eq!(
        request.agent.as_ref().unwrap().authorisation,
        authorisation()
    );
    // Only the hall's agent clerk acts for an applicant.
    given(&service, Vec::<Event>::new())
        .when(&applicant(), now(), submit.clone())
        .then_rejected(Error::Forbidden(
            applicant().forbidden("submit a request for an applicant", Role::AgentClerk),
        ));
    let elsewhere = Actor::new("agent-qian".parse().unwrap())
        .with_role(Role::AgentClerk)
        .acting_for(org("longgang-hall"));
    given(&service, Vec::<Event>::new())
        .when(&elsewhere, now(), submit)
        .then_rejected(Error::NotActingFor {
            actor: elsewhere.id().clone(),
            action: "submit a request for an applicant",
            body: hall(),
        });
    // The agent may withdraw for the applicant; the review is the
    // applicant's own.
    send(
        &mut case,
        &agent_clerk(),
        now(),
        Command::Withdraw { reason: None },
    );
    let mut history = vec![br001_submitted_by_agent(&BR_MATERIALS, t0())];
    history.extend(Row::Delivered.history().into_iter().skip(1));
    let (_, rate) = command_of("Rate");
    given(&service, history)
        .when(&agent_clerk(), now(), rate)
        .then_rejected(Error::NotTheApplicant {
            actor: agent_clerk().id().clone(),
            action: "rate the service",
            applicant: applicant().id().clone(),
        });
}

// --- names --------------------------------------------------------------------

#[test]
fn modes_say_what_the_hall_does_once_it_has_accepted() {
    assert_eq!(serde_json::to_string(&Mode::Handle).unwrap(), "\"handle\"");
    assert_eq!(
        serde_json::to_string(&Mode::Forward).unwrap(),
        "\"forward\""
    );
    // The names before the rename are still read.
    assert_eq!(
        serde_json::from_str::<Mode>("\"accept\"").unwrap(),
        Mode::Handle
    );
    assert_eq!(
        serde_json::from_str::<Mode>("\"agent\"").unwrap(),
        Mode::Forward
    );
    let forwarded = service()
        .catalogue()
        .items()
        .iter()
        .filter(|i| i.mode == Mode::Forward)
        .all(|i| i.handling_body != hall());
    assert!(forwarded);
}
