//! Every stored event type of every workflow, and its JSON, pinned.
//!
//! An event is stored forever under its type (its kind's name,
//! `Ladder.Started`) with its serde JSON as the payload. `tests/golden/
//! events.jsonl` holds one example of every event kind of every workflow in
//! the crate; this test decodes each, checks that it is the kind it is
//! stored as and that it encodes back to the same JSON, and that no kind is
//! missing. A rename of an event, a variant or a field fails here.
//!
//! After a deliberate change of an event's shape (with a new schema version
//! and an upcaster), regenerate the file from a city-year:
//! `GRASSROOTS_BLESS=1 cargo test --all-features --test golden_events --
//! --test-threads=1`, and review the diff: every changed line is a stored
//! shape that changed.

use std::collections::BTreeMap;

use grassroots::dispute::{Dispute, DisputeEvent};
use grassroots::escalation::{Ladder, LadderEvent};
use grassroots::service::{ServiceRequest, ServiceRequestEvent};
use grassroots::work_order::{WorkOrder, WorkOrderEvent};
use grassroots::workflow::{EventKindOf, HasKind, Kind, Workflow};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

const GOLDEN: &str = "tests/golden/events.jsonl";

#[derive(Debug, Serialize, Deserialize)]
struct Line {
    workflow: String,
    #[serde(rename = "type")]
    event_type: String,
    json: Value,
}

fn lines() -> Vec<Line> {
    let text = std::fs::read_to_string(GOLDEN).expect("the golden file is in the repository");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a golden line is JSON"))
        .collect()
}

/// Checks one workflow's lines and returns the kinds they cover.
fn check<W>(lines: &[Line]) -> BTreeMap<String, usize>
where
    W: Workflow,
    W::Event: Serialize + DeserializeOwned,
{
    let mut covered = BTreeMap::new();
    for line in lines.iter().filter(|l| l.workflow == W::NAME) {
        let event: W::Event = serde_json::from_value(line.json.clone()).unwrap_or_else(|e| {
            panic!(
                "{} {}: golden JSON no longer decodes: {e}",
                W::NAME,
                line.event_type
            )
        });
        assert_eq!(
            event.kind().name(),
            line.event_type.as_str(),
            "{}: stored as {} but decodes as another kind",
            W::NAME,
            line.event_type
        );
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            line.json,
            "{} {}: encodes differently",
            W::NAME,
            line.event_type
        );
        *covered.entry(line.event_type.clone()).or_default() += 1;
    }
    let missing: Vec<String> = EventKindOf::<W>::all()
        .map(|k| k.to_string())
        .filter(|k| !covered.contains_key(k))
        .collect();
    assert!(
        missing.is_empty(),
        "{}: no golden JSON for {missing:?}",
        W::NAME
    );
    covered
}

#[test]
fn every_stored_event_type_and_its_json_is_pinned() {
    #[cfg(feature = "sim")]
    if std::env::var_os("GRASSROOTS_BLESS").is_some() {
        bless();
    }
    let lines = lines();
    let dispute = check::<Dispute>(&lines);
    let service = check::<ServiceRequest>(&lines);
    let ladder = check::<Ladder>(&lines);
    let work_order = check::<WorkOrder>(&lines);
    assert_eq!(
        lines.len(),
        dispute.len() + service.len() + ladder.len() + work_order.len(),
        "one line per kind, and no line of another workflow"
    );
}

#[test]
fn an_embedded_event_is_stored_under_one_name_by_every_workflow() {
    let lines = lines();
    for line in lines.iter().filter(|l| l.workflow == Ladder::NAME) {
        let ladder: LadderEvent = serde_json::from_value(line.json.clone()).unwrap();
        let in_dispute = DisputeEvent::from(ladder.clone()).kind().name();
        let in_service = ServiceRequestEvent::from(ladder.clone()).kind().name();
        let in_work_order = WorkOrderEvent::from(ladder).kind().name();
        assert_eq!(in_dispute, in_service);
        assert_eq!(in_dispute, in_work_order);
        assert_eq!(in_dispute.as_str(), format!("Ladder.{}", line.event_type));
    }
}

#[cfg(feature = "sim")]
/// Writes the golden file from a small city-year's histories: the first
/// event of every kind, and every ladder event wrapped in both embedding
/// workflows (disputes never reschedule, but the name is reserved alike).
fn bless() {
    use grassroots::load::{City, CityCase, CityYear};
    let year = CityYear::small().with_cases(20_000);
    let city = City::build(&year).expect("the small city builds");
    let mut out: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut put = |workflow: &str, kind: String, json: Value| {
        out.entry((workflow.to_owned(), kind)).or_insert(json);
    };
    let mut ladder = Vec::new();
    for n in 0..20_000 {
        match city.play(n).case {
            CityCase::Dispute(c) => {
                for r in c.history() {
                    if let DisputeEvent::Ladder(e) = &r.event {
                        ladder.push((**e).clone());
                    }
                    put(
                        Dispute::NAME,
                        r.event.kind().to_string(),
                        serde_json::to_value(&r.event).unwrap(),
                    );
                }
            }
            CityCase::ServiceRequest(c) => {
                for r in c.history() {
                    if let ServiceRequestEvent::Ladder(e) = &r.event {
                        ladder.push((**e).clone());
                    }
                    put(
                        ServiceRequest::NAME,
                        r.event.kind().to_string(),
                        serde_json::to_value(&r.event).unwrap(),
                    );
                }
            }
            // Work-order events come from the sample below.
            _ => {}
        }
    }
    // Service steps a city-year never takes: acceptance from receipt, a
    // material pending and its promise lapsing, an overdue rectification.
    {
        use chrono::{Duration, TimeZone, Utc};
        use grassroots::service::Note;
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let day = |n| t + Duration::days(n);
        let premises: grassroots::id::MaterialId = "premises-proof".parse().unwrap();
        let promise: Note = "promise HN-P-0042: premises proof by 4 March"
            .parse()
            .unwrap();
        for e in [
            ServiceRequestEvent::DeemedAccepted {
                received: t,
                promised: day(3),
            },
            ServiceRequestEvent::AcceptedWithPending {
                at: t,
                promised: day(3),
                pending: vec![premises.clone()],
                supply_by: day(2),
                promise,
            },
            ServiceRequestEvent::PromiseLapsed { supply_by: day(2) },
            ServiceRequestEvent::PendingSupplied {
                at: day(4),
                materials: vec![premises],
                paused_working_days: 2,
                promised: day(7),
            },
            ServiceRequestEvent::RectificationOverdue { due: day(9) },
        ] {
            put(
                ServiceRequest::NAME,
                e.kind().to_string(),
                serde_json::to_value(&e).unwrap(),
            );
        }
    }
    // Steps a city-year rarely or never takes: exhaustion at the top and a
    // referral out of the ladder.
    ladder.push(LadderEvent::Exhausted {
        tier: grassroots::tier::Tier::District,
    });
    ladder.push(LadderEvent::ReferredOut {
        tier: grassroots::tier::Tier::District,
        to: grassroots::escalation::Referral::Litigation,
    });
    // Dispute events a city-year does not draw (issue 13).
    for e in rare_dispute_events() {
        put(
            Dispute::NAME,
            e.kind().to_string(),
            serde_json::to_value(&e).unwrap(),
        );
    }
    for e in ladder {
        put(
            Ladder::NAME,
            e.kind().to_string(),
            serde_json::to_value(&e).unwrap(),
        );
        let d = DisputeEvent::from(e.clone());
        put(
            Dispute::NAME,
            d.kind().to_string(),
            serde_json::to_value(&d).unwrap(),
        );
        let s = ServiceRequestEvent::from(e.clone());
        put(
            ServiceRequest::NAME,
            s.kind().to_string(),
            serde_json::to_value(&s).unwrap(),
        );
        let w = WorkOrderEvent::from(e);
        put(
            WorkOrder::NAME,
            w.kind().to_string(),
            serde_json::to_value(&w).unwrap(),
        );
    }
    for e in work_order_events() {
        put(
            WorkOrder::NAME,
            e.kind().to_string(),
            serde_json::to_value(&e).unwrap(),
        );
    }
    let mut text = String::new();
    for ((workflow, event_type), json) in out {
        let line = Line {
            workflow,
            event_type,
            json,
        };
        text.push_str(&serde_json::to_string(&line).unwrap());
        text.push('\n');
    }
    std::fs::write(GOLDEN, text).unwrap();
}

#[cfg(feature = "sim")]
/// Every kind of work-order event, from scripted orders on the sample.
fn work_order_events() -> Vec<WorkOrderEvent> {
    use chrono::{Duration, TimeZone, Utc};
    use grassroots::actor::Actor;
    use grassroots::work_order::sample::*;
    use grassroots::work_order::{
        Channel, Finding, GeoFields, GeoPoint, Lead, ReturnGround, ReturnReason, Satisfaction,
        WorkOrderCommand as C,
    };
    use grassroots::workflow::{Case, Context};
    let orders = huanan_work_orders();
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    let note = |s: &str| s.parse().unwrap();
    let receive = |channel, matter| C::Receive {
        channel,
        requester: "res-1".parse().unwrap(),
        matter,
        location: HUANAN_CITY.parse().unwrap(),
        description: note("golden"),
        geo: GeoFields {
            point: Some(GeoPoint::new(22.66, 114.13).unwrap()),
            address: Some(note("gate 3")),
            media_url: Some("https://img.example.cn/g.jpg".parse().unwrap()),
        },
    };
    let pinghu = member(PINGHU);
    let scripts: Vec<Vec<(Actor, i64, C)>> = vec![
        vec![
            (
                secretary(),
                0,
                receive(Channel::SecretaryFaceToFace, STREET_LIGHTING),
            ),
            (
                secretary(),
                1,
                C::HandOver {
                    record: note("handed over"),
                },
            ),
            (
                dispatcher(),
                2,
                C::Dispatch {
                    lead: Lead::Routed,
                    assisting: vec![URBAN.parse().unwrap()],
                },
            ),
            (Actor::system(), 300, C::Tick),
            (
                pinghu.clone(),
                301,
                C::Return {
                    reason: ReturnReason {
                        ground: ReturnGround::NotOurRemit,
                        note: note("no"),
                    },
                },
            ),
            (
                dispatcher(),
                302,
                C::UpholdDispatch {
                    reason: note("yes"),
                },
            ),
            (pinghu.clone(), 303, C::SignFor),
            (
                member(URBAN),
                304,
                C::Assist {
                    note: note("helped"),
                },
            ),
            (
                pinghu.clone(),
                305,
                C::RequestExtension {
                    working_days: 1,
                    reason: note("parts"),
                },
            ),
            (supervisor(), 306, C::RejectExtension { reason: note("no") }),
            (
                pinghu.clone(),
                307,
                C::RequestExtension {
                    working_days: 1,
                    reason: note("parts"),
                },
            ),
            (supervisor(), 308, C::ApproveExtension),
            (Actor::system(), 20_000, C::Tick),
            (
                pinghu.clone(),
                20_001,
                C::Reply {
                    reply: note("done"),
                },
            ),
            (
                dispatcher(),
                20_002,
                C::Callback {
                    satisfaction: Satisfaction::Dissatisfied,
                    finding: Finding::ReplyWanting,
                    note: Some(note("dark")),
                },
            ),
            (
                dispatcher(),
                20_003,
                C::Redo {
                    reason: note("again"),
                },
            ),
            (
                pinghu.clone(),
                20_004,
                C::Reply {
                    reply: note("done"),
                },
            ),
            (
                dispatcher(),
                20_005,
                C::Callback {
                    satisfaction: Satisfaction::Satisfied,
                    finding: Finding::ReplyAdequate,
                    note: None,
                },
            ),
            (dispatcher(), 20_006, C::Close),
        ],
        vec![
            (
                secretary(),
                0,
                receive(Channel::SecretaryFaceToFace, STREET_LIGHTING),
            ),
            (secretary(), 1, C::TakeOn),
            (
                requester("res-1"),
                2,
                C::Withdraw {
                    reason: Some(note("fixed by itself")),
                },
            ),
        ],
        vec![
            (dispatcher(), 0, receive(Channel::Hotline, NOISE)),
            (
                dispatcher(),
                1,
                C::Dismiss {
                    reason: note("a duplicate"),
                },
            ),
        ],
    ];
    let mut out = Vec::new();
    for (n, script) in scripts.into_iter().enumerate() {
        let mut case = Case::<WorkOrder>::new(format!("golden-{n}").parse().unwrap());
        for (actor, minutes, command) in script {
            let at = t0 + Duration::minutes(minutes);
            let recorded = case
                .handle(&orders, &command, &Context::new(at, &actor))
                .unwrap_or_else(|e| panic!("golden script {n}: {command:?}: {e}"));
            out.extend(recorded.iter().map(|r| r.event.clone()));
        }
    }
    out
}

#[cfg(feature = "sim")]
/// One example of each dispute event a city-year does not draw.
fn rare_dispute_events() -> Vec<DisputeEvent> {
    let actor = |s: &str| grassroots::id::ActorId::new(s).unwrap();
    let org = |s: &str| grassroots::id::OrgId::new(s).unwrap();
    vec![
        DisputeEvent::MediatorRecused {
            mediator: actor("med.0.1"),
            requested_by: actor("dp1.1"),
            reason: "The mediator is the employer's cousin.".into(),
        },
        DisputeEvent::OralAgreementReached {
            content: "The shop refunds the deposit on Friday.".into(),
            mediator: actor("med.0.1"),
            at: chrono::DateTime::parse_from_rfc3339("2026-03-03T02:00:00Z")
                .unwrap()
                .to_utc(),
        },
        DisputeEvent::RiskReported {
            measures: "Kept the parties apart; the gate stays open.".into(),
            by: actor("med.0.1"),
            reported_to: org("centre-1"),
            tier: grassroots::tier::Tier::Subdistrict,
            continuation: grassroots::dispute::RiskContinuation::MediationContinues,
        },
        DisputeEvent::ConfirmationRuled {
            ruling: grassroots::dispute::Ruling::Refused {
                ground: grassroots::dispute::RefusalGround::ContentUnclear,
            },
            at: chrono::DateTime::parse_from_rfc3339("2026-03-10T02:00:00Z")
                .unwrap()
                .to_utc(),
            routes: grassroots::dispute::Routes::only(grassroots::escalation::Referral::Litigation),
        },
        DisputeEvent::ObligationPerformed { obligation: 0 },
        DisputeEvent::EnforcementApplied {
            by: actor("dp1.1"),
            at: chrono::DateTime::parse_from_rfc3339("2026-04-01T02:00:00Z")
                .unwrap()
                .to_utc(),
        },
    ]
}
