//! The Open311 GeoReport v2 views, checked against the GeoReport field
//! rules on every state of a service request.

mod support {
    pub mod georeport;
    pub mod service_fixture;
}

use grassroots::escalation::{LadderEvent, Supervision};
use grassroots::open311::{
    self, EXTENSION, GeoReportRequest, RequestExtension, Status, definition_of, request, services,
};
use grassroots::service::{ServiceRequestCommand as Command, ServiceRequestEvent as Event};
use grassroots::testing::given;
use grassroots::tier::Tier;
use serde_json::Value;
use support::georeport::{definition_problems, is_rfc3339, request_problems, service_problems};
use support::service_fixture::*;

fn expected_status(row: Row) -> Option<Status> {
    use Row as R;
    match row {
        R::New => None,
        R::Submitted
        | R::SupplementRequested
        | R::AcceptedForHandling
        | R::AcceptedPending
        | R::AcceptedAsAgent
        | R::Forwarded
        | R::InProcess
        | R::Suspended
        | R::ExtensionRequested => Some(Status::Open),
        R::Refused
        | R::Completed
        | R::Denied
        | R::Delivered
        | R::Rated
        | R::Rectifying
        | R::FollowingUp
        | R::Closed
        | R::Withdrawn => Some(Status::Closed),
    }
}

#[test]
fn every_state_validates_as_a_georeport_request() {
    let service = service();
    for row in Row::ALL {
        let case = given(&service, row.history()).at(t0()).case(t0());
        let view = request(&service, &case);
        let Some(view) = view else {
            assert_eq!(row, Row::New, "only an unsubmitted request has no view");
            continue;
        };
        assert_eq!(Some(view.status), expected_status(row), "{row:?}");
        let json = serde_json::to_value(&view).unwrap();
        let problems = request_problems(&json);
        assert!(problems.is_empty(), "{row:?}: {problems:?}\n{json:#}");
        assert_eq!(json[EXTENSION]["state"], row.kind(), "{row:?}");
        assert_eq!(json["service_request_id"], "scenario");
        assert_eq!(json["requested_datetime"], "2026-03-02T01:00:00Z");
        // Nothing is lost: the JSON reads back into the same view.
        let back: GeoReportRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back, view);
    }
}

#[test]
fn the_expected_datetime_is_the_promised_date_and_follows_it() {
    let service = service();
    let case = given(&service, Row::InProcess.history())
        .at(t0())
        .case(t0());
    let json = serde_json::to_value(request(&service, &case).unwrap()).unwrap();
    assert_eq!(json["expected_datetime"], "2026-03-05T16:00:00Z");
    assert_eq!(
        json["agency_responsible"],
        "Huanan City branch of the district administrative service hall"
    );

    let mut history = Row::ExtensionRequested.history();
    history.push(
        grassroots::service::ServiceRequestEvent::ExtensionApproved {
            working_days: 2,
            promised: end_of_march(9),
        },
    );
    let case = given(&service, history).at(t0()).case(t0());
    let view = request(&service, &case).unwrap();
    assert_eq!(view.expected_datetime, Some(end_of_march(9)));
    assert_eq!(view.grassroots.extended_working_days, 2);
}

#[test]
fn the_extension_keeps_what_the_two_statuses_lose() {
    let service = service();
    let view = |row: Row| {
        let case = given(&service, row.history()).at(t0()).case(t0());
        request(&service, &case).unwrap()
    };
    let suspended = view(Row::Suspended);
    assert_eq!(suspended.status, Status::Open);
    assert_eq!(suspended.grassroots.state, "Suspended");
    assert_eq!(
        suspended.status_notes.as_deref(),
        Some("suspended: waiting for a site inspection")
    );
    let forwarded = view(Row::Forwarded);
    assert_eq!(
        forwarded.agency_responsible.as_deref(),
        Some("Longgang district bureau of industry and information technology")
    );
    assert_eq!(forwarded.grassroots.handler, Some(industry()));
    let refused = view(Row::Refused);
    assert_eq!(
        refused.status_notes.as_deref(),
        Some(
            "refused: the premises are not for business use (legal basis: company registration regulations, art. 26)"
        )
    );
    assert_eq!(refused.expected_datetime, None);
    let supplement = view(Row::SupplementRequested);
    assert_eq!(
        supplement.grassroots.outstanding_materials,
        [mat("premises-proof")]
    );
    let rated = view(Row::Rated);
    assert_eq!(rated.status, Status::Closed);
    assert_eq!(
        rated.grassroots.review,
        Some(grassroots::service::Review::BasicallySatisfied)
    );
    assert_eq!(rated.grassroots.outcome.as_deref(), Some("completed"));
    let json = serde_json::to_value(&rated).unwrap();
    let ext: RequestExtension = serde_json::from_value(json[EXTENSION].clone()).unwrap();
    assert_eq!(ext, rated.grassroots);
}

#[test]
fn an_overdue_request_says_so_and_shows_its_supervision() {
    let service = service();
    let when = given(&service, Row::InProcess.history()).at(t0()).when(
        &system(),
        end_of_march(5),
        Command::Tick,
    );
    let case = when.then(when_overdue());
    let view = request(&service, &case).unwrap();
    assert_eq!(
        view.status_notes.as_deref(),
        Some("in process; overdue since 2026-03-05T16:00:00Z")
    );
    assert_eq!(view.grassroots.overdue_since, Some(end_of_march(5)));
    assert_eq!(
        view.grassroots.supervision,
        Some(Supervision::Reminded {
            notice_due: end_of_march(11)
        })
    );
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json[EXTENSION]["supervision"]["stage"], "reminded");
    assert!(request_problems(&json).is_empty());
}

fn when_overdue() -> Vec<Event> {
    vec![
        Event::Overdue {
            deadline: end_of_march(5),
        },
        LadderEvent::SupervisionReminded {
            tier: Tier::Estate,
            handler: hall(),
            notice_due: end_of_march(11),
        }
        .into(),
    ]
}

#[test]
fn the_service_list_and_definitions_have_the_georeport_shape() {
    let service = service();
    let catalogue = service.catalogue();
    let list = serde_json::to_value(services(catalogue)).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), catalogue.len());
    for entry in list {
        let problems = service_problems(entry);
        assert!(problems.is_empty(), "{entry}: {problems:?}");
    }
    assert_eq!(list[0]["service_code"], "BR-001");
    assert_eq!(list[0]["group"], "business_registration");
    assert_eq!(list[0]["type"], "realtime");
    let mut datatypes = std::collections::BTreeSet::new();
    for item in catalogue.items() {
        let definition = serde_json::to_value(definition_of(item)).unwrap();
        let problems = definition_problems(&definition);
        assert!(problems.is_empty(), "{}: {problems:?}", item.code);
        for a in definition["attributes"].as_array().unwrap() {
            datatypes.insert(a["datatype"].as_str().unwrap().to_owned());
        }
        assert_eq!(
            definition[EXTENSION]["working_days"],
            Value::from(item.working_days)
        );
    }
    // The sample uses all six datatypes.
    assert_eq!(datatypes.len(), 6, "{datatypes:?}");
    assert!(open311::service_definition(catalogue, "XX-1").is_none());
}

#[test]
fn the_rfc3339_check_refuses_what_is_not_rfc3339() {
    assert!(is_rfc3339("2026-03-05T16:00:00Z"));
    assert!(is_rfc3339("2026-03-05T16:00:00.25+08:00"));
    assert!(!is_rfc3339("2026-03-05 16:00:00Z"));
    assert!(!is_rfc3339("2026-03-05T16:00:00"));
    assert!(!is_rfc3339("2026-13-05T16:00:00Z"));
    assert!(!is_rfc3339("March 5"));
}

#[test]
fn every_state_has_chinese_status_notes_and_english_ones_as_served() {
    use grassroots::i18n::{Lang, service_status_notes};
    let service = service();
    for row in Row::ALL {
        let case = given(&service, row.history()).at(t0()).case(t0());
        let zh = service_status_notes(&service, case.state(), Lang::Zh);
        let en = service_status_notes(&service, case.state(), Lang::En);
        assert!(!zh.is_ascii(), "{row:?}: no Chinese in {zh:?}");
        assert_ne!(zh, en, "{row:?}");
        if let Some(view) = request(&service, &case) {
            assert_eq!(view.status_notes.as_deref(), Some(en.as_str()), "{row:?}");
        }
    }
    let refused = given(&service, Row::Refused.history()).at(t0()).case(t0());
    assert!(service_status_notes(&service, refused.state(), Lang::Zh).starts_with("不予受理"));
    let asked = given(&service, Row::SupplementRequested.history())
        .at(t0())
        .case(t0());
    assert!(
        service_status_notes(&service, asked.state(), Lang::Zh).starts_with("已一次性告知补正材料")
    );
}
