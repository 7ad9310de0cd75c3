#![allow(unreachable_pub, dead_code)]
//! Fixtures for the service-request tests: the sample Huanan City hall,
//! its actors, times, commands, and the events that lead to each state.

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::TimeLimit;
use grassroots::escalation::{Band, LadderEvent, PolicyRef, Started};
use grassroots::id::{MaterialId, OrgId};
use grassroots::matter::ServiceCategory;
use grassroots::org::{Need, Route, RouteReason};
use grassroots::service::{
    Agency, AttributeValue, Attributes, Mode, Note, Request, Review, ServiceRequest,
    ServiceRequestCommand as Command, ServiceRequestEvent as Event, Submission, sample,
};
use grassroots::tier::{Severity, Tier};

pub fn service() -> ServiceRequest {
    sample::huanan_city_service()
}

/// Monday 2 March 2026, 09:00 in Shenzhen.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

/// An hour after [`t0`]: when the table's commands are sent.
pub fn now() -> DateTime<Utc> {
    t0() + Duration::hours(1)
}

/// Midnight in Shenzhen at the end of `day` March 2026, in UTC.
pub fn end_of_march(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 16, 0, 0).unwrap()
}

pub fn org(s: &str) -> OrgId {
    s.parse().unwrap()
}

pub fn mat(s: &str) -> MaterialId {
    s.parse().unwrap()
}

pub fn note(s: &str) -> Note {
    s.parse().unwrap()
}

pub fn hall() -> OrgId {
    org(sample::HALL)
}

pub fn industry() -> OrgId {
    org(sample::INDUSTRY_BUREAU)
}

pub fn applicant() -> Actor {
    Actor::new("ent-0042".parse().unwrap()).with_role(Role::Party)
}

pub fn other_party() -> Actor {
    Actor::new("ent-0099".parse().unwrap()).with_role(Role::Party)
}

pub fn clerk() -> Actor {
    Actor::new("clerk-li".parse().unwrap())
        .with_role(Role::HallClerk)
        .acting_for(hall())
}

pub fn agent_clerk() -> Actor {
    Actor::new("agent-wu".parse().unwrap())
        .with_role(Role::AgentClerk)
        .acting_for(hall())
}

pub fn officer(department: &str) -> Actor {
    Actor::new(format!("officer-{department}").parse().unwrap())
        .with_role(Role::DepartmentOfficer)
        .acting_for(org(department))
}

pub fn industry_officer() -> Actor {
    officer(sample::INDUSTRY_BUREAU)
}

pub fn supervisor() -> Actor {
    Actor::new("sup-zhao".parse().unwrap()).with_role(Role::Supervisor)
}

pub fn system() -> Actor {
    Actor::system()
}

pub const BR_MATERIALS: [&str; 4] = ["application-form", "articles", "id-card", "premises-proof"];
pub const FS_MATERIALS: [&str; 3] = ["bank-account", "business-licence", "financial-statements"];

pub fn br001_attributes() -> Attributes {
    [
        (
            "company_name",
            AttributeValue::Text("Huanan Trading Co.".into()),
        ),
        ("registered_capital", AttributeValue::Number(500_000.0)),
        (
            "company_type",
            AttributeValue::Choice("limited_liability".into()),
        ),
        (
            "business_scope",
            AttributeValue::Text("Wholesale of textiles\nand garments".into()),
        ),
    ]
    .into_iter()
    .map(|(c, v)| (c.parse().unwrap(), v))
    .collect()
}

pub fn fs001_attributes() -> Attributes {
    [
        ("amount", AttributeValue::Number(200_000.0)),
        ("employees", AttributeValue::Number(12.0)),
        ("sector", AttributeValue::Choice("ecommerce".into())),
        (
            "project",
            AttributeValue::Text("A cross-border shop".into()),
        ),
    ]
    .into_iter()
    .map(|(c, v)| (c.parse().unwrap(), v))
    .collect()
}

pub fn submit_br001(materials: &[&str]) -> Command {
    Command::Submit {
        item: "BR-001".parse().unwrap(),
        materials: materials.iter().map(|m| mat(m)).collect(),
        attributes: br001_attributes(),
        description: None,
    }
}

pub fn submit_fs001() -> Command {
    Command::Submit {
        item: "FS-001".parse().unwrap(),
        materials: FS_MATERIALS.iter().map(|m| mat(m)).collect(),
        attributes: fs001_attributes(),
        description: Some(note("Start-up subsidy for a new shop")),
    }
}

fn sorted(materials: &[&str]) -> Vec<MaterialId> {
    let mut v: Vec<MaterialId> = materials.iter().map(|m| mat(m)).collect();
    v.sort();
    v
}

/// The end of the supplement window for a request received at `at`: five
/// working days (行政许可法 art. 32).
pub fn notice_due(at: DateTime<Utc>) -> DateTime<Utc> {
    service()
        .calendar()
        .deadline(at, TimeLimit::WorkingDays(5))
        .unwrap()
}

/// The agent's written authorisation in the fixtures.
pub fn authorisation() -> Note {
    note("authorisation HN-A-0042, signed 1 March 2026")
}

/// The `Submitted` event of BR-001 (handled by the hall, 3 working days
/// promised, 8 statutory; the premises proof non-essential) with these
/// materials provided, submitted at `at`.
pub fn br001_submitted(provided: &[&str], at: DateTime<Utc>) -> Event {
    Event::Submitted(Box::new(Submission {
        request: Request {
            item: "BR-001".parse().unwrap(),
            category: ServiceCategory::BusinessRegistration,
            mode: Mode::Handle,
            hall: hall(),
            handling_body: hall(),
            working_days: 3,
            statutory_working_days: 8,
            applicant: applicant().id().clone(),
            agent: None,
            submitted_at: at,
        },
        required: sorted(&BR_MATERIALS),
        provided: sorted(provided),
        non_essential: vec![mat("premises-proof")],
        notice_due: Some(notice_due(at)),
        attributes: br001_attributes(),
        description: None,
    }))
}

/// [`br001_submitted`] by the hall's agent clerk for the applicant (代办).
pub fn br001_submitted_by_agent(provided: &[&str], at: DateTime<Utc>) -> Event {
    let Event::Submitted(mut submission) = br001_submitted(provided, at) else {
        unreachable!()
    };
    submission.request.agent = Some(Agency {
        agent: agent_clerk().id().clone(),
        authorisation: authorisation(),
    });
    Event::Submitted(submission)
}

/// The `Submitted` event of FS-001 (forwarded to the industry bureau, 20
/// working days), all materials provided, submitted at `at`.
pub fn fs001_submitted(at: DateTime<Utc>) -> Event {
    Event::Submitted(Box::new(Submission {
        request: Request {
            item: "FS-001".parse().unwrap(),
            category: ServiceCategory::FundingSupport,
            mode: Mode::Forward,
            hall: hall(),
            handling_body: industry(),
            working_days: 20,
            statutory_working_days: 40,
            applicant: applicant().id().clone(),
            agent: None,
            submitted_at: at,
        },
        required: sorted(&FS_MATERIALS),
        provided: sorted(&FS_MATERIALS),
        non_essential: Vec::new(),
        notice_due: Some(notice_due(at)),
        attributes: fs001_attributes(),
        description: Some(note("Start-up subsidy for a new shop")),
    }))
}

/// The ladder's start for a request of `category` accepted at `at`, due
/// at `promised`.
pub fn ladder_started(
    category: ServiceCategory,
    at: DateTime<Utc>,
    promised: DateTime<Utc>,
) -> Event {
    let area = org(sample::AREA);
    LadderEvent::Started(Started {
        location: area.clone(),
        need: Need::Service(category),
        severity: Severity::Minor,
        policy: PolicyRef {
            id: "huanan-city-service".parse().unwrap(),
            version: 1,
        },
        band: Band::new(Tier::Estate, Tier::Estate),
        route: Route {
            handler: hall(),
            tier: Tier::Estate,
            area: area.clone(),
            reason: RouteReason::Serves { area },
        },
        at,
        due: Some(promised),
    })
    .into()
}

/// BR-001 accepted at [`t0`]: due when Thursday 5 March ends.
pub fn br001_accepted() -> [Event; 2] {
    let promised = end_of_march(5);
    [
        Event::Accepted { at: t0(), promised },
        ladder_started(ServiceCategory::BusinessRegistration, t0(), promised),
    ]
}

/// BR-001 accepted at [`t0`] with the premises proof pending, promised by
/// the end of Wednesday 4 March.
pub fn br001_accepted_pending() -> [Event; 2] {
    let promised = end_of_march(5);
    [
        Event::AcceptedWithPending {
            at: t0(),
            promised,
            pending: vec![mat("premises-proof")],
            supply_by: end_of_march(4),
            promise: promise(),
        },
        ladder_started(ServiceCategory::BusinessRegistration, t0(), promised),
    ]
}

/// The applicant's written promise in the fixtures.
pub fn promise() -> Note {
    note("promise HN-P-0042: premises proof by 4 March")
}

/// The rectification deadline of a bad review given at [`now`]: five
/// working days, the end of Monday 9 March.
pub fn rectification_due() -> DateTime<Utc> {
    end_of_march(9)
}

/// FS-001 accepted at [`t0`]: 20 working days, due when Monday 30 March
/// ends.
pub fn fs001_accepted() -> [Event; 2] {
    let promised = end_of_march(30);
    [
        Event::Accepted { at: t0(), promised },
        ladder_started(ServiceCategory::FundingSupport, t0(), promised),
    ]
}

/// The rows of the state × command table: every state, and the accepted
/// state once per mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    New,
    Submitted,
    SupplementRequested,
    Refused,
    AcceptedForHandling,
    AcceptedPending,
    AcceptedAsAgent,
    Forwarded,
    InProcess,
    Suspended,
    ExtensionRequested,
    Completed,
    Denied,
    Delivered,
    Rated,
    Rectifying,
    FollowingUp,
    Closed,
    Withdrawn,
}

impl Row {
    pub const ALL: [Row; 19] = [
        Row::New,
        Row::Submitted,
        Row::SupplementRequested,
        Row::Refused,
        Row::AcceptedForHandling,
        Row::AcceptedPending,
        Row::AcceptedAsAgent,
        Row::Forwarded,
        Row::InProcess,
        Row::Suspended,
        Row::ExtensionRequested,
        Row::Completed,
        Row::Denied,
        Row::Delivered,
        Row::Rated,
        Row::Rectifying,
        Row::FollowingUp,
        Row::Closed,
        Row::Withdrawn,
    ];

    /// The state kind the row's history leads to.
    pub fn kind(self) -> &'static str {
        match self {
            Row::AcceptedForHandling | Row::AcceptedPending | Row::AcceptedAsAgent => "Accepted",
            other => match other {
                Row::New => "New",
                Row::Submitted => "Submitted",
                Row::SupplementRequested => "SupplementRequested",
                Row::Refused => "Refused",
                Row::Forwarded => "Forwarded",
                Row::InProcess => "InProcess",
                Row::Suspended => "Suspended",
                Row::ExtensionRequested => "ExtensionRequested",
                Row::Completed => "Completed",
                Row::Denied => "Denied",
                Row::Delivered => "Delivered",
                Row::Rated => "Rated",
                Row::Rectifying => "Rectifying",
                Row::FollowingUp => "FollowingUp",
                Row::Closed => "Closed",
                Row::Withdrawn => "Withdrawn",
                _ => unreachable!(),
            },
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Row::Refused | Row::Closed | Row::Withdrawn)
    }

    /// The events that lead to the row's state. Accept-mode rows use BR-001
    /// (handled by the hall); the agent rows use FS-001 (the industry
    /// bureau). Everything happens at [`t0`].
    pub fn history(self) -> Vec<Event> {
        let t = t0();
        let mut h = Vec::new();
        let handled = |h: &mut Vec<Event>| {
            h.push(br001_submitted(&BR_MATERIALS, t));
            h.extend(br001_accepted());
            h.push(Event::ProcessingStarted);
        };
        match self {
            Row::New => {}
            Row::Submitted => h.push(br001_submitted(&BR_MATERIALS, t)),
            Row::SupplementRequested => {
                h.push(br001_submitted(&BR_MATERIALS[..3], t));
                h.push(Event::SupplementRequested {
                    materials: vec![mat("premises-proof")],
                });
            }
            Row::Refused => {
                h.push(br001_submitted(&BR_MATERIALS, t));
                h.push(Event::Refused {
                    reason: note("the premises are not for business use"),
                    legal_basis: note("company registration regulations, art. 26"),
                });
            }
            Row::AcceptedForHandling => {
                h.push(br001_submitted(&BR_MATERIALS, t));
                h.extend(br001_accepted());
            }
            Row::AcceptedPending => {
                h.push(br001_submitted(&BR_MATERIALS[..3], t));
                h.extend(br001_accepted_pending());
            }
            Row::AcceptedAsAgent => {
                h.push(fs001_submitted(t));
                h.extend(fs001_accepted());
            }
            Row::Forwarded => {
                h.push(fs001_submitted(t));
                h.extend(fs001_accepted());
                h.push(Event::Forwarded { to: industry() });
            }
            Row::InProcess => handled(&mut h),
            Row::Suspended => {
                handled(&mut h);
                h.push(Event::Suspended {
                    at: t,
                    reason: note("waiting for a site inspection"),
                });
            }
            Row::ExtensionRequested => {
                handled(&mut h);
                h.push(Event::ExtensionRequested {
                    working_days: 2,
                    reason: note("the name needs a second check"),
                });
            }
            Row::Completed => {
                handled(&mut h);
                h.push(Event::Completed);
            }
            Row::Denied => {
                handled(&mut h);
                h.push(Event::Denied {
                    reason: note("the name is already registered"),
                    legal_basis: note("enterprise name regulations, art. 17"),
                });
            }
            Row::Delivered => {
                handled(&mut h);
                h.extend([Event::Completed, Event::Delivered]);
            }
            Row::Rated => {
                handled(&mut h);
                h.extend([
                    Event::Completed,
                    Event::Delivered,
                    Event::Rated {
                        review: Review::BasicallySatisfied,
                        comment: Some(note("slow, but done")),
                    },
                ]);
            }
            Row::Rectifying | Row::FollowingUp => {
                handled(&mut h);
                h.extend([
                    Event::Completed,
                    Event::Delivered,
                    Event::Rated {
                        review: Review::Dissatisfied,
                        comment: Some(note("the licence had a typo")),
                    },
                    Event::RectificationOpened {
                        due: rectification_due(),
                    },
                ]);
                if self == Row::FollowingUp {
                    h.push(Event::Rectified {
                        at: t,
                        action: note("the licence was reissued without the typo"),
                    });
                }
            }
            Row::Closed => {
                handled(&mut h);
                h.extend([Event::Completed, Event::Delivered, Event::Closed]);
            }
            Row::Withdrawn => {
                h.push(br001_submitted(&BR_MATERIALS, t));
                h.push(Event::Withdrawn { reason: None });
            }
        }
        h
    }
}

/// One command of each kind, with the actor who may send it for a request
/// handled by the hall (BR-001) or forwarded to the industry bureau
/// (FS-001).
pub fn command_of(kind: &str) -> (Actor, Command) {
    match kind {
        "Submit" => (applicant(), submit_br001(&BR_MATERIALS)),
        "SubmitForApplicant" => (
            agent_clerk(),
            Command::SubmitForApplicant {
                applicant: applicant().id().clone(),
                authorisation: authorisation(),
                item: "BR-001".parse().unwrap(),
                materials: BR_MATERIALS.iter().map(|m| mat(m)).collect(),
                attributes: br001_attributes(),
                description: None,
            },
        ),
        "AcceptWithPromise" => (
            clerk(),
            Command::AcceptWithPromise {
                pending: vec![mat("premises-proof")],
                supply_by: end_of_march(4),
                promise: promise(),
            },
        ),
        "Rectify" => (
            clerk(),
            Command::Rectify {
                action: note("the licence was reissued without the typo"),
            },
        ),
        "FollowUp" => (
            clerk(),
            Command::FollowUp {
                result: note("the applicant confirmed the new licence is right"),
            },
        ),
        "RequestSupplement" => (
            clerk(),
            Command::RequestSupplement {
                materials: vec![mat("articles")],
            },
        ),
        "SupplyMaterials" => (
            applicant(),
            Command::SupplyMaterials {
                materials: vec![mat("premises-proof")],
            },
        ),
        "Accept" => (clerk(), Command::Accept),
        "Refuse" => (
            clerk(),
            Command::Refuse {
                reason: note("the premises are not for business use"),
                legal_basis: note("company registration regulations, art. 26"),
            },
        ),
        "StartProcessing" => (clerk(), Command::StartProcessing),
        "Forward" => (clerk(), Command::Forward { to: None }),
        "SignFor" => (industry_officer(), Command::SignFor),
        "Return" => (
            industry_officer(),
            Command::Return {
                reason: note("rent subsidies are the park's"),
            },
        ),
        "Suspend" => (
            clerk(),
            Command::Suspend {
                reason: note("waiting for a site inspection"),
            },
        ),
        "Resume" => (clerk(), Command::Resume),
        "RequestExtension" => (
            clerk(),
            Command::RequestExtension {
                working_days: 2,
                reason: note("the name needs a second check"),
            },
        ),
        "ApproveExtension" => (supervisor(), Command::ApproveExtension),
        "RejectExtension" => (
            supervisor(),
            Command::RejectExtension {
                reason: note("three days are enough"),
            },
        ),
        "Complete" => (clerk(), Command::Complete),
        "Deny" => (
            clerk(),
            Command::Deny {
                reason: note("the name is already registered"),
                legal_basis: note("enterprise name regulations, art. 17"),
            },
        ),
        "Deliver" => (clerk(), Command::Deliver),
        "Rate" => (
            applicant(),
            Command::Rate {
                review: Review::Dissatisfied,
                comment: Some(note("the licence had a typo")),
            },
        ),
        "SendBackForRework" => (
            supervisor(),
            Command::SendBackForRework {
                reason: note("correct the typo"),
            },
        ),
        "Close" => (clerk(), Command::Close),
        "Withdraw" => (applicant(), Command::Withdraw { reason: None }),
        "Tick" => (system(), Command::Tick),
        other => panic!("no command {other}"),
    }
}
