//! Schema evolution: events stored in older shapes are read back as current
//! ones through the workflow's upcasters; stored rows are never rewritten.

mod support {
    pub mod stores;
}

use chrono::{DateTime, TimeZone, Utc};
use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{
    self, EventSchema, EventStore, JournalError, NewEvent, StreamKey, UpcastError, convert,
};
use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A petition to the community: filed, then answered.
struct Petition;

#[derive(Debug, Clone, PartialEq, HasKind)]
enum State {
    New,
    Filed { applicant: String, channel: Channel },
    Answered,
}

#[derive(Debug, HasKind)]
enum Command {
    File { applicant: String, channel: Channel },
    Answer { text: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Channel {
    WalkIn,
    Hotline,
}

/// The current shapes. `Filed` is at schema version 3:
/// v1 `{ by }`, v2 `{ by, channel }`, v3 `{ applicant, channel }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
enum Event {
    Filed { applicant: String, channel: Channel },
    Answered { text: String },
}

/// `Filed` at schema version 1.
#[derive(Deserialize)]
enum FiledV1 {
    Filed { by: String },
}

/// `Filed` at schema version 2.
#[derive(Serialize, Deserialize)]
enum FiledV2 {
    Filed { by: String, channel: Channel },
}

impl EventSchema for Petition {
    fn schema_version(event_type: &str) -> u32 {
        match event_type {
            "Filed" => 3,
            _ => 1,
        }
    }

    fn upcast(event_type: &str, from: u32, payload: Value) -> Result<Value, UpcastError> {
        match (event_type, from) {
            // Before the hotline, every petition was filed in person.
            ("Filed", 1) => convert(event_type, from, payload, |FiledV1::Filed { by }| {
                FiledV2::Filed {
                    by,
                    channel: Channel::WalkIn,
                }
            }),
            ("Filed", 2) => convert(
                event_type,
                from,
                payload,
                |FiledV2::Filed { by, channel }| Event::Filed {
                    applicant: by,
                    channel,
                },
            ),
            _ => Err(UpcastError::Missing {
                event_type: event_type.to_owned(),
                from,
            }),
        }
    }
}

impl Workflow for Petition {
    const NAME: &'static str = "petition";
    type State = State;
    type Command = Command;
    type Event = Event;
    type Rejection = Forbidden;

    fn initial() -> State {
        State::New
    }

    fn decide(
        &self,
        _: &State,
        command: &Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<Event>, Forbidden> {
        ctx.actor().require("handle petitions", Role::HallClerk)?;
        Ok(match command {
            Command::File { applicant, channel } => Event::Filed {
                applicant: applicant.clone(),
                channel: *channel,
            },
            Command::Answer { text } => Event::Answered { text: text.clone() },
        }
        .into())
    }

    fn evolve(_: State, event: &Event) -> State {
        match event {
            Event::Filed { applicant, channel } => State::Filed {
                applicant: applicant.clone(),
                channel: *channel,
            },
            Event::Answered { .. } => State::Answered,
        }
    }

    fn is_terminal(state: &State) -> bool {
        matches!(state, State::Answered)
    }

    fn transitions() -> &'static [Transition<StateKind, EventKind>] {
        const TABLE: &[Transition<StateKind, EventKind>] = &[
            Transition::new(StateKind::New, EventKind::Filed, StateKind::Filed),
            Transition::new(StateKind::Filed, EventKind::Answered, StateKind::Answered),
        ];
        TABLE
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 10, 0, 0).unwrap()
}

fn key(tenant: &TenantId, id: &str) -> StreamKey {
    StreamKey::of::<Petition>(tenant.clone(), id.parse().unwrap()).unwrap()
}

/// An event as an older version of the program stored it.
fn old(id: &str, event_type: &str, schema_version: u32, payload: Value) -> NewEvent {
    NewEvent::new(
        id.parse().unwrap(),
        event_type,
        payload,
        "clerk-1".parse().unwrap(),
        t0(),
    )
    .with_schema_version(schema_version)
}

// ---------------------------------------------------------------------------
// The rules, over any store.
// ---------------------------------------------------------------------------

fn old_shaped_events_load_as_current_ones(store: &dyn EventStore, tenant: TenantId) {
    // Three cases filed by three generations of the program.
    let v1 = key(&tenant, "P-1");
    store
        .append(
            &v1,
            0,
            &[old("a-1", "Filed", 1, json!({"Filed": {"by": "李女士"}}))],
        )
        .unwrap();
    let v2 = key(&tenant, "P-2");
    store
        .append(
            &v2,
            0,
            &[old(
                "b-1",
                "Filed",
                2,
                json!({"Filed": {"by": "王先生", "channel": "hotline"}}),
            )],
        )
        .unwrap();
    let v3 = key(&tenant, "P-3");
    store
        .append(
            &v3,
            0,
            &[
                old(
                    "c-1",
                    "Filed",
                    3,
                    json!({"Filed": {"applicant": "陈阿姨", "channel": "walk_in"}}),
                ),
                old(
                    "c-2",
                    "Answered",
                    1,
                    json!({"Answered": {"text": "已处理"}}),
                ),
            ],
        )
        .unwrap();

    let p1 = journal::load::<Petition, _>(store, &tenant, &v1.id).unwrap();
    assert_eq!(
        p1.history()[0].event,
        Event::Filed {
            applicant: "李女士".into(),
            channel: Channel::WalkIn
        }
    );
    let p2 = journal::load::<Petition, _>(store, &tenant, &v2.id).unwrap();
    assert_eq!(
        p2.state(),
        &State::Filed {
            applicant: "王先生".into(),
            channel: Channel::Hotline
        }
    );
    let p3 = journal::load::<Petition, _>(store, &tenant, &v3.id).unwrap();
    assert_eq!(p3.state(), &State::Answered);

    // The stored rows keep their old shape and still verify.
    let stored = store.read_stream(&v1, 0).unwrap();
    assert_eq!(stored[0].schema_version, 1);
    assert_eq!(stored[0].payload, json!({"Filed": {"by": "李女士"}}));
    journal::verify_stream(store, &v1).unwrap();
}

fn an_upcast_case_takes_new_commands_at_the_current_version(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let case = key(&tenant, "P-1");
    store
        .append(
            &case,
            0,
            &[old("a-1", "Filed", 1, json!({"Filed": {"by": "李女士"}}))],
        )
        .unwrap();
    let clerk = Actor::new("clerk-2".parse().unwrap()).with_role(Role::HallClerk);
    let answer = Command::Answer {
        text: "answered".into(),
    };
    let ctx = Context::new(t0() + chrono::Duration::days(1), &clerk);
    let done = journal::execute(store, &tenant, &Petition, &case.id, &answer, &ctx, 3).unwrap();
    assert_eq!(done.case.version(), 2);
    let rows = store.read_stream(&case, 0).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.schema_version).collect::<Vec<_>>(),
        [1, 1]
    );

    // A new petition is written at the current schema version.
    let new_case: CaseId = "P-9".parse().unwrap();
    let file = Command::File {
        applicant: "赵先生".into(),
        channel: Channel::Hotline,
    };
    journal::execute(store, &tenant, &Petition, &new_case, &file, &ctx, 3).unwrap();
    let rows = store.read_stream(&key(&tenant, "P-9"), 0).unwrap();
    assert_eq!(rows[0].schema_version, 3);
    assert_eq!(
        rows[0].payload,
        json!({"Filed": {"applicant": "赵先生", "channel": "hotline"}})
    );
}

fn an_event_from_a_newer_program_is_refused_by_name(store: &dyn EventStore, tenant: TenantId) {
    let case = key(&tenant, "P-1");
    store
        .append(
            &case,
            0,
            &[old("a-1", "Filed", 4, json!({"Filed": {"future": true}}))],
        )
        .unwrap();
    match journal::load::<Petition, _>(store, &tenant, &case.id) {
        Err(JournalError::Upcast {
            stream,
            version: 1,
            source,
        }) => {
            assert_eq!(stream, case);
            assert!(
                matches!(
                    *source,
                    UpcastError::TooNew {
                        found: 4,
                        current: 3,
                        ..
                    }
                ),
                "{source:?}"
            );
        }
        other => panic!("expected an upcast error, got {other:?}"),
    }
}

fn an_old_event_of_the_wrong_shape_is_refused_by_name(store: &dyn EventStore, tenant: TenantId) {
    let case = key(&tenant, "P-1");
    store
        .append(
            &case,
            0,
            &[old("a-1", "Filed", 1, json!({"Filed": {"name": "?"}}))],
        )
        .unwrap();
    let err = journal::load::<Petition, _>(store, &tenant, &case.id).unwrap_err();
    let JournalError::Upcast {
        version: 1, source, ..
    } = &err
    else {
        panic!("expected an upcast error, got {err:?}");
    };
    assert!(
        matches!(&**source, UpcastError::Shape { from: 1, event_type, .. } if event_type == "Filed"),
        "{err:?}"
    );
}

fn an_old_version_without_an_upcaster_is_refused_by_name(store: &dyn EventStore, tenant: TenantId) {
    let case = key(&tenant, "P-1");
    store
        .append(
            &case,
            0,
            &[
                old(
                    "a-1",
                    "Filed",
                    3,
                    json!({"Filed": {"applicant": "x", "channel": "walk_in"}}),
                ),
                old("a-2", "Answered", 0, json!({"Answered": {"text": "?"}})),
            ],
        )
        .unwrap();
    let err = journal::load::<Petition, _>(store, &tenant, &case.id).unwrap_err();
    assert!(
        matches!(&err, JournalError::Upcast { version: 2, source, .. }
            if matches!(**source, UpcastError::Missing { from: 0, .. })),
        "{err:?}"
    );
}

support::stores::on_every_store! {
    old_shaped_events_load_as_current_ones,
    an_upcast_case_takes_new_commands_at_the_current_version,
    an_event_from_a_newer_program_is_refused_by_name,
    an_old_event_of_the_wrong_shape_is_refused_by_name,
    an_old_version_without_an_upcaster_is_refused_by_name,
}
