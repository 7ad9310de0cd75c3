//! One conformance suite for every event store: each rule below is a
//! function over `&dyn EventStore`, and the `conformance!` macro runs all of
//! them against the in-memory store, SQLite (feature `sqlite`) and
//! PostgreSQL (feature `postgres`, when `GRASSROOTS_POSTGRES_URL` is set),
//! and with the feature `tokio` against the async SQLite and PostgreSQL
//! stores too, driven through a blocking adapter
//! (`support::stores::BlockingStore`).

mod support {
    pub mod stores;
    pub mod ticket;
}

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::{CaseId, EventId, TenantId};
use grassroots::journal::{
    self, AppendOutcome, DueQuery, DueUpdate, EventStore, ExecuteError, JournalError, NewEvent,
    OwnedStreamAppend, StoredEvent, StreamAppend, StreamKey,
};
use grassroots::workflow::{Case, CaseError, Context};
use serde_json::{Value, json};
use support::stores::recorded_at;
use support::ticket::{Command, Ticket, TicketError};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn stream(tenant: &TenantId, id: &str) -> StreamKey {
    StreamKey::new(
        tenant.clone(),
        "ticket".parse().unwrap(),
        id.parse().unwrap(),
    )
}

fn event(id: &str, event_type: &str, payload: Value) -> NewEvent {
    NewEvent::new(
        id.parse().unwrap(),
        event_type,
        payload,
        "gw-7".parse().unwrap(),
        t0(),
    )
}

/// `n` events with ids `{prefix}-1 ..`.
fn events(prefix: &str, n: usize) -> Vec<NewEvent> {
    (1..=n)
        .map(|i| {
            event(
                &format!("{prefix}-{i}"),
                "Noted",
                json!({"Noted": {"n": i}}),
            )
        })
        .collect()
}

fn ids(rows: &[StoredEvent]) -> Vec<&str> {
    rows.iter().map(|r| r.event_id.as_str()).collect()
}

// ---------------------------------------------------------------------------
// The rules.
// ---------------------------------------------------------------------------

fn append_then_read_returns_every_column(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    let at = t0() + Duration::nanoseconds(123_456_789);
    let opened = NewEvent::new(
        "ev-1".parse().unwrap(),
        "Opened",
        json!({"Opened": {"owner": "网格员-7", "note": "楼道 \"堵塞\"\n", "score": 2.5, "big": u64::MAX, "neg": -3}}),
        "gw-7".parse().unwrap(),
        at,
    )
    .with_correlation("req-42".parse().unwrap());
    let held = event("ev-2", "Held", json!("Held")).with_schema_version(3);
    let appended = store
        .append(&key, 0, &[opened.clone(), held.clone()])
        .unwrap();
    assert_eq!(appended.version, 2);
    assert_eq!(appended.outcome, AppendOutcome::Recorded);

    let rows = store.read_stream(&key, 0).unwrap();
    assert_eq!(rows.len(), 2);
    for (row, (new, version)) in rows.iter().zip([(&opened, 1), (&held, 2)]) {
        assert_eq!(row.stream, key);
        assert_eq!(row.version, version);
        assert!(new.matches(row), "{row:?} does not match {new:?}");
        assert_eq!(row.payload, new.payload);
        assert_eq!(row.recorded_at, recorded_at());
        assert!(appended.positions.contains(&row.position));
    }
    // Times are kept to the microsecond.
    assert_eq!(rows[0].occurred_at.timestamp_subsec_nanos(), 123_456_000);
    assert_eq!(rows[0].correlation.as_ref().unwrap().as_str(), "req-42");
    assert_eq!(rows[1].schema_version, 3);
    assert!(rows[0].position < rows[1].position);
    assert_ne!(rows[0].hash, rows[1].hash);
    assert_eq!(store.stream_version(&key).unwrap(), 2);
}

fn an_unknown_stream_is_empty_at_version_zero(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "nobody");
    assert!(store.read_stream(&key, 0).unwrap().is_empty());
    assert_eq!(store.stream_version(&key).unwrap(), 0);
    assert!(store.read_all(&tenant, 0, 100).unwrap().is_empty());
}

fn read_stream_after_a_version_returns_only_later_events(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    store.append(&key, 0, &events("a", 3)).unwrap();
    store.append(&key, 3, &events("b", 2)).unwrap();
    let later = store.read_stream(&key, 3).unwrap();
    assert_eq!(ids(&later), ["b-1", "b-2"]);
    assert_eq!(later[0].version, 4);
    assert!(store.read_stream(&key, 5).unwrap().is_empty());
}

fn a_stale_writer_gets_a_version_conflict_and_changes_nothing(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let key = stream(&tenant, "T-1");
    store.append(&key, 0, &events("first", 2)).unwrap();
    let before = store.read_stream(&key, 0).unwrap();
    let before_all = store.read_all(&tenant, 0, 100).unwrap();

    for expected in [0, 1, 3] {
        match store.append(&key, expected, &events(&format!("stale{expected}"), 1)) {
            Err(JournalError::VersionConflict {
                stream,
                expected: e,
                actual,
            }) => {
                assert_eq!(stream, key);
                assert_eq!(e, expected);
                assert_eq!(actual, 2);
            }
            other => panic!("expected a version conflict, got {other:?}"),
        }
    }
    assert_eq!(store.read_stream(&key, 0).unwrap(), before);
    assert_eq!(store.read_all(&tenant, 0, 100).unwrap(), before_all);
    // The refused event ids were not taken: appending them at the right
    // version works.
    store.append(&key, 2, &events("stale0", 1)).unwrap();
}

fn a_new_stream_is_at_version_zero(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    let err = store.append(&key, 1, &events("e", 1)).unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(store.stream_version(&key).unwrap(), 0);
}

fn an_empty_append_checks_the_version_and_writes_nothing(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    store.append(&key, 0, &events("e", 1)).unwrap();
    let appended = store.append(&key, 1, &[]).unwrap();
    assert_eq!(appended.version, 1);
    assert!(appended.positions.is_empty());
    assert!(store.append(&key, 0, &[]).unwrap_err().is_conflict());
    assert_eq!(store.read_all(&tenant, 0, 100).unwrap().len(), 1);
}

fn a_retried_append_is_idempotent(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    let batch = events("e", 3);
    let first = store.append(&key, 0, &batch).unwrap();
    let retry = store.append(&key, 0, &batch).unwrap();
    assert_eq!(retry.outcome, AppendOutcome::AlreadyRecorded);
    assert_eq!(retry.version, first.version);
    assert_eq!(retry.positions, first.positions);
    assert_eq!(store.read_stream(&key, 0).unwrap().len(), 3);
    assert_eq!(store.read_all(&tenant, 0, 100).unwrap().len(), 3);
}

fn a_retry_is_recognised_after_the_stream_moved_on(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    let batch = events("a", 2);
    store.append(&key, 0, &batch).unwrap();
    store.append(&key, 2, &events("b", 2)).unwrap();
    let retry = store.append(&key, 0, &batch).unwrap();
    assert_eq!(retry.outcome, AppendOutcome::AlreadyRecorded);
    assert_eq!(retry.version, 2);
    assert_eq!(store.stream_version(&key).unwrap(), 4);
}

fn a_reused_event_id_with_other_content_is_refused(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    store
        .append(&key, 0, &[event("e-1", "Opened", json!(1))])
        .unwrap();
    let before = store.read_all(&tenant, 0, 100).unwrap();

    // Same id, same place, other payload.
    let err = store
        .append(&key, 0, &[event("e-1", "Opened", json!(2))])
        .unwrap_err();
    assert!(
        matches!(&err, JournalError::DuplicateEventId { event_id, .. } if event_id.as_str() == "e-1"),
        "{err:?}"
    );
    // Same id in another stream of the tenant.
    let other = stream(&tenant, "T-2");
    let err = store
        .append(&other, 0, &[event("e-1", "Opened", json!(1))])
        .unwrap_err();
    assert!(
        matches!(err, JournalError::DuplicateEventId { .. }),
        "{err:?}"
    );
    // Same id, appended as if the stream moved on.
    let err = store
        .append(&key, 1, &[event("e-1", "Opened", json!(1))])
        .unwrap_err();
    assert!(
        matches!(err, JournalError::DuplicateEventId { .. }),
        "{err:?}"
    );

    assert_eq!(store.read_all(&tenant, 0, 100).unwrap(), before);
    assert_eq!(store.stream_version(&other).unwrap(), 0);
}

fn a_failure_mid_append_leaves_the_stream_as_it_was(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    let other = stream(&tenant, "T-2");
    store.append(&key, 0, &events("a", 2)).unwrap();
    store
        .append(&other, 0, &[event("taken", "Opened", json!(0))])
        .unwrap();
    let before = store.read_stream(&key, 0).unwrap();
    let before_all = store.read_all(&tenant, 0, 100).unwrap();

    // The first two events would go in; the third's id is taken, so the
    // append fails part-way and must leave no trace.
    let mut batch = events("b", 2);
    batch.push(event("taken", "Noted", json!(3)));
    let err = store.append(&key, 2, &batch).unwrap_err();
    assert!(
        matches!(&err, JournalError::DuplicateEventId { event_id, .. } if event_id.as_str() == "taken"),
        "{err:?}"
    );
    assert_eq!(store.read_stream(&key, 0).unwrap(), before);
    assert_eq!(store.read_all(&tenant, 0, 100).unwrap(), before_all);
    assert_eq!(store.stream_version(&key).unwrap(), 2);
    // The ids of the rolled-back events are free again.
    store.append(&key, 2, &events("b", 2)).unwrap();
    assert_eq!(store.stream_version(&key).unwrap(), 4);
}

fn an_event_id_repeated_within_a_batch_is_refused(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    let batch = [
        event("x", "Opened", json!(1)),
        event("y", "Held", json!(2)),
        event("x", "Resumed", json!(3)),
    ];
    let err = store.append(&key, 0, &batch).unwrap_err();
    assert!(
        matches!(&err, JournalError::DuplicateEventId { event_id, .. } if event_id.as_str() == "x"),
        "{err:?}"
    );
    assert_eq!(store.stream_version(&key).unwrap(), 0);
}

fn read_all_returns_a_tenants_events_in_global_order(store: &dyn EventStore, tenant: TenantId) {
    let a = stream(&tenant, "A");
    let b = stream(&tenant, "B");
    store.append(&a, 0, &events("a1", 2)).unwrap();
    store.append(&b, 0, &events("b1", 1)).unwrap();
    store.append(&a, 2, &events("a2", 1)).unwrap();
    store.append(&b, 1, &events("b2", 2)).unwrap();

    let all = store.read_all(&tenant, 0, 100).unwrap();
    assert_eq!(ids(&all), ["a1-1", "a1-2", "b1-1", "a2-1", "b2-1", "b2-2"]);
    assert!(all.windows(2).all(|w| w[0].position < w[1].position));

    // Paging: after a position, at most `limit`.
    let page = store.read_all(&tenant, all[1].position, 2).unwrap();
    assert_eq!(ids(&page), ["b1-1", "a2-1"]);
    let rest = store.read_all(&tenant, page[1].position, 100).unwrap();
    assert_eq!(ids(&rest), ["b2-1", "b2-2"]);
    assert!(
        store
            .read_all(&tenant, all[5].position, 100)
            .unwrap()
            .is_empty()
    );
    assert!(store.read_all(&tenant, 0, 0).unwrap().is_empty());
}

fn tenants_are_isolated(store: &dyn EventStore, tenant: TenantId) {
    let other = TenantId::new(format!("{tenant}-other")).unwrap();
    let mine = stream(&tenant, "T-1");
    let theirs = stream(&other, "T-1");
    store.append(&mine, 0, &events("e", 2)).unwrap();
    // The same stream id and the same event ids are free in another tenant.
    store.append(&theirs, 0, &events("e", 1)).unwrap();

    assert_eq!(store.stream_version(&mine).unwrap(), 2);
    assert_eq!(store.stream_version(&theirs).unwrap(), 1);
    let all_mine = store.read_all(&tenant, 0, 100).unwrap();
    let all_theirs = store.read_all(&other, 0, 100).unwrap();
    assert_eq!(all_mine.len(), 2);
    assert_eq!(all_theirs.len(), 1);
    assert!(all_mine.iter().all(|r| r.stream.tenant == tenant));
    assert!(all_theirs.iter().all(|r| r.stream.tenant == other));
    // A conflict in one tenant says nothing about the other.
    assert!(
        store
            .append(&theirs, 2, &events("f", 1))
            .unwrap_err()
            .is_conflict()
    );
}

fn a_stored_stream_verifies(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    store.append(&key, 0, &events("a", 3)).unwrap();
    store.append(&key, 3, &events("b", 2)).unwrap();
    let verified = journal::verify_stream(store, &key).unwrap();
    assert_eq!(verified.version, 5);
    assert_eq!(verified.head, store.read_stream(&key, 0).unwrap()[4].hash);
}

fn executed_commands_load_back_as_the_live_case(store: &dyn EventStore, tenant: TenantId) {
    let id: CaseId = "T-1".parse().unwrap();
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    let correlation = "req-1".parse().unwrap();
    let at = t0() + Duration::nanoseconds(999);
    let ctx = Context::new(at, &worker).with_correlation(&correlation);

    let opened = journal::execute(store, &tenant, &Ticket, &id, &Command::Open, &ctx, 3).unwrap();
    assert_eq!(opened.events().len(), 1);
    assert_eq!(opened.attempts, 1);
    let later = Context::new(at + Duration::hours(1), &worker);
    let resolved =
        journal::execute(store, &tenant, &Ticket, &id, &Command::Resolve, &later, 3).unwrap();
    assert_eq!(resolved.case.version(), 2);

    let loaded = journal::load::<Ticket, _>(store, &tenant, &id).unwrap();
    assert_eq!(loaded, resolved.case);
    let replayed = Case::<Ticket>::replay(id.clone(), loaded.history().to_vec()).unwrap();
    assert_eq!(replayed, loaded);
    assert_eq!(loaded.history()[0].correlation.as_ref(), Some(&correlation));

    let key = StreamKey::of::<Ticket>(tenant.clone(), id.clone()).unwrap();
    journal::verify_stream(store, &key).unwrap();
}

fn a_rejected_command_writes_nothing(store: &dyn EventStore, tenant: TenantId) {
    let id: CaseId = "T-1".parse().unwrap();
    let stranger = Actor::new("nobody".parse().unwrap());
    let ctx = Context::new(t0(), &stranger);
    let err = journal::execute(store, &tenant, &Ticket, &id, &Command::Open, &ctx, 3).unwrap_err();
    assert!(
        matches!(err.rejection(), Some(TicketError::Forbidden(_))),
        "{err:?}"
    );
    assert!(matches!(err, ExecuteError::Refused(CaseError::Rejected(_))));
    assert!(store.read_all(&tenant, 0, 100).unwrap().is_empty());
}

fn a_command_deciding_nothing_appends_nothing(store: &dyn EventStore, tenant: TenantId) {
    let id: CaseId = "T-1".parse().unwrap();
    let system = Actor::system();
    let tick = Context::new(t0(), &system);
    let done = journal::execute(store, &tenant, &Ticket, &id, &Command::Tick, &tick, 3).unwrap();
    assert!(done.events().is_empty());
    assert!(store.read_all(&tenant, 0, 100).unwrap().is_empty());
}

/// A store that lets another writer append to the case just before each of
/// the first `interruptions` appends goes through.
struct Interfering<'a> {
    store: &'a dyn EventStore,
    interruptions: std::cell::Cell<u32>,
}

impl EventStore for Interfering<'_> {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: journal::DueUpdate,
    ) -> Result<journal::Appended, JournalError> {
        let left = self.interruptions.get();
        if left > 0 {
            self.interruptions.set(left - 1);
            // Another clerk adds a note: a Tick after 72 hours reminds.
            let system = Actor::system();
            let tick = Context::new(t0() + Duration::hours(100), &system);
            let id = stream.id.clone();
            journal::execute(
                self.store,
                &stream.tenant,
                &Ticket,
                &id,
                &Command::Tick,
                &tick,
                0,
            )
            .unwrap();
        }
        self.store
            .append_with_due(stream, expected_version, events, due)
    }
    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        self.store.read_stream(stream, after)
    }
    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<journal::FeedPage, JournalError> {
        self.store.read_feed(tenant, after, limit)
    }
    fn anchor(&self, stream: &StreamKey) -> Result<Option<journal::StreamHead>, JournalError> {
        self.store.anchor(stream)
    }
    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        self.store.stream_version(stream)
    }
    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &journal::StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        self.store.list_streams(tenant, stream_type, after, limit)
    }
    fn due(&self, query: &journal::DueQuery) -> Result<Vec<journal::DueEntry>, JournalError> {
        self.store.due(query)
    }
    fn claim_due(
        &self,
        query: &journal::DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<journal::DueEntry>, JournalError> {
        self.store.claim_due(query, lease)
    }
    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &journal::StreamType,
        entries: &[journal::DueEntry],
    ) -> Result<(), JournalError> {
        self.store.replace_due(tenant, stream_type, entries)
    }
}

fn execute_decides_again_after_another_writer_got_there_first(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let id: CaseId = "T-1".parse().unwrap();
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    journal::execute(
        store,
        &tenant,
        &Ticket,
        &id,
        &Command::Open,
        &Context::new(t0(), &worker),
        0,
    )
    .unwrap();

    let interfering = Interfering {
        store,
        interruptions: std::cell::Cell::new(1),
    };
    let later = Context::new(t0() + Duration::hours(101), &worker);
    let done = journal::execute(
        &interfering,
        &tenant,
        &Ticket,
        &id,
        &Command::Hold,
        &later,
        3,
    )
    .unwrap();
    assert_eq!(done.attempts, 2);
    // The reminder the other writer recorded is kept, then the hold.
    let kinds: Vec<_> = done
        .case
        .history()
        .iter()
        .map(|r| format!("{:?}", r.event))
        .collect();
    assert!(kinds[1].starts_with("Reminded"), "{kinds:?}");
    assert!(kinds[2].starts_with("Held"), "{kinds:?}");
    assert_eq!(
        journal::load::<Ticket, _>(store, &tenant, &id).unwrap(),
        done.case
    );
}

fn execute_gives_up_after_its_retries(store: &dyn EventStore, tenant: TenantId) {
    let id: CaseId = "T-1".parse().unwrap();
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    journal::execute(
        store,
        &tenant,
        &Ticket,
        &id,
        &Command::Open,
        &Context::new(t0(), &worker),
        0,
    )
    .unwrap();
    let interfering = Interfering {
        store,
        interruptions: std::cell::Cell::new(1),
    };
    let later = Context::new(t0() + Duration::hours(101), &worker);
    let err = journal::execute(
        &interfering,
        &tenant,
        &Ticket,
        &id,
        &Command::Hold,
        &later,
        0,
    )
    .unwrap_err();
    assert!(
        matches!(err, ExecuteError::Contended { attempts: 1, .. }),
        "{err:?}"
    );
    // Only the other writer's reminder is stored.
    assert_eq!(
        journal::load::<Ticket, _>(store, &tenant, &id)
            .unwrap()
            .version(),
        2
    );
}

fn a_payload_that_does_not_decode_names_stream_version_and_type(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let id: CaseId = "T-1".parse().unwrap();
    let key = StreamKey::of::<Ticket>(tenant.clone(), id.clone()).unwrap();
    let opened = json!({"Opened": {"owner": "gw-7", "at": "2026-03-02T09:00:00Z"}});
    store
        .append(
            &key,
            0,
            &[
                event("e-1", "Opened", opened),
                event("e-2", "Held", json!({"Held": 7})),
            ],
        )
        .unwrap();
    match journal::load::<Ticket, _>(store, &tenant, &id) {
        Err(JournalError::Decode {
            stream,
            version,
            event_type,
            ..
        }) => {
            assert_eq!(stream, key);
            assert_eq!(version, 2);
            assert_eq!(&*event_type, "Held");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

fn an_event_stored_under_another_type_is_refused(store: &dyn EventStore, tenant: TenantId) {
    let id: CaseId = "T-1".parse().unwrap();
    let key = StreamKey::of::<Ticket>(tenant.clone(), id.clone()).unwrap();
    store
        .append(&key, 0, &[event("e-1", "Closed", json!("Held"))])
        .unwrap();
    let err = journal::load::<Ticket, _>(store, &tenant, &id).unwrap_err();
    assert!(
        matches!(&err, JournalError::EventTypeMismatch { version: 1, stored, decoded, .. } if &**stored == "Closed" && *decoded == "Held"),
        "{err:?}"
    );
}

fn event_ids_derived_by_the_typed_layer_make_retries_idempotent(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let id: CaseId = "T-1".parse().unwrap();
    let key = StreamKey::of::<Ticket>(tenant.clone(), id.clone()).unwrap();
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    let mut case = Case::<Ticket>::new(id);
    case.handle(&Ticket, &Command::Open, &Context::new(t0(), &worker))
        .unwrap();
    let row = journal::encode::<Ticket>(&key, &case.history()[0]).unwrap();
    let again = journal::encode::<Ticket>(&key, &case.history()[0]).unwrap();
    assert_eq!(row.event_id, again.event_id);
    store.append(&key, 0, &[row]).unwrap();
    // The reply was lost; the writer sends the same append again.
    let retry = store.append(&key, 0, &[again]).unwrap();
    assert_eq!(retry.outcome, AppendOutcome::AlreadyRecorded);
    let stored = store.read_stream(&key, 0).unwrap();
    assert_eq!(
        journal::decode::<Ticket>(&stored[0]).unwrap(),
        case.history()[0]
    );
    let _: EventId = stored[0].event_id.clone();
}

/// `[[...[1]...]]`, `depth` arrays deep.
fn nested(depth: usize) -> Value {
    let mut value = json!(1);
    for _ in 0..depth {
        value = Value::Array(vec![value]);
    }
    value
}

/// Asserts the stream and the tenant's feed still read, hold exactly
/// `version` events, and verify against the anchor.
fn assert_readable(store: &dyn EventStore, key: &StreamKey, version: u64) {
    assert_eq!(store.read_stream(key, 0).unwrap().len() as u64, version);
    assert_eq!(store.stream_version(key).unwrap(), version);
    let page = store.read_feed(&key.tenant, 0, 100).unwrap();
    assert!(page.skipped.is_empty(), "{:?}", page.skipped);
    assert_eq!(
        store.read_all(&key.tenant, 0, 100).unwrap().len(),
        page.events.len()
    );
    assert_eq!(
        journal::verify_anchored(store, key).unwrap().version,
        version
    );
}

fn a_payload_nested_128_deep_is_refused_and_poisons_nothing(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let key = stream(&tenant, "T-deep");
    store.append(&key, 0, &events("ok", 1)).unwrap();
    for depth in [journal::MAX_PAYLOAD_DEPTH + 1, 128, 1_000] {
        let deep = event("deep", "Noted", json!({"Noted": nested(depth)}));
        match store.append(&key, 1, &[deep]) {
            Err(JournalError::PayloadRefused {
                stream,
                version,
                limit: journal::PayloadLimit::TooDeep { max },
            }) => {
                assert_eq!((stream, version), (key.clone(), 2));
                assert_eq!(max, journal::MAX_PAYLOAD_DEPTH);
            }
            other => panic!("depth {depth}: expected a refusal, got {other:?}"),
        }
        assert_readable(store, &key, 1);
    }
    // The deepest payload accepted reads back as it was written.
    let payload = nested(journal::MAX_PAYLOAD_DEPTH);
    store
        .append(&key, 1, &[event("deepest", "Noted", payload.clone())])
        .unwrap();
    assert_eq!(store.read_stream(&key, 1).unwrap()[0].payload, payload);
    assert_readable(store, &key, 2);
}

fn a_payload_over_the_size_limit_is_refused(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-big");
    let big = "网".repeat(journal::MAX_PAYLOAD_BYTES / 3 + 1);
    match store.append(&key, 0, &[event("big", "Noted", json!(big))]) {
        Err(JournalError::PayloadRefused {
            version: 1,
            limit: journal::PayloadLimit::TooLarge { bytes, max },
            ..
        }) => {
            assert!(bytes > max);
            assert_eq!(max, journal::MAX_PAYLOAD_BYTES);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_readable(store, &key, 0);
    // Just under the limit is fine (the quotes count).
    let fits = "x".repeat(journal::MAX_PAYLOAD_BYTES - 2);
    store
        .append(&key, 0, &[event("fits", "Noted", json!(fits))])
        .unwrap();
    assert_readable(store, &key, 1);
}

fn a_nul_character_in_a_payload_is_refused_on_every_backend(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let key = stream(&tenant, "T-nul");
    for payload in [json!({"Noted": "a\u{0}b"}), json!({"a\u{0}": 1})] {
        match store.append(&key, 0, &[event("nul", "Noted", payload)]) {
            Err(JournalError::PayloadRefused {
                limit: journal::PayloadLimit::NulCharacter,
                ..
            }) => {}
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    assert_readable(store, &key, 0);
}

fn an_event_time_outside_the_accepted_range_is_refused(store: &dyn EventStore, tenant: TenantId) {
    use grassroots::workflow::{EARLIEST, LATEST};
    let key = stream(&tenant, "T-time");
    let one = Duration::microseconds(1);
    for at in [
        DateTime::<Utc>::MIN_UTC,
        EARLIEST - one,
        LATEST + one,
        DateTime::<Utc>::MAX_UTC,
    ] {
        let mut e = event("far", "Noted", json!("Noted"));
        e.occurred_at = at;
        match store.append(&key, 0, &[e]) {
            Err(JournalError::TimeOutOfRange {
                at: refused,
                version: 1,
                ..
            }) => {
                assert_eq!(refused, at);
            }
            other => panic!("{at}: expected a refusal, got {other:?}"),
        }
    }
    assert_readable(store, &key, 0);
    let mut first = event("earliest", "Noted", json!("Noted"));
    first.occurred_at = EARLIEST;
    let mut last = event("latest", "Noted", json!("Noted"));
    last.occurred_at = LATEST;
    store.append(&key, 0, &[first, last]).unwrap();
    let rows = store.read_stream(&key, 0).unwrap();
    assert_eq!(
        (rows[0].occurred_at, rows[1].occurred_at),
        (EARLIEST, LATEST)
    );
    assert_readable(store, &key, 2);
}

fn every_append_moves_the_streams_anchor(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-anchor");
    assert_eq!(store.anchor(&key).unwrap(), None);
    let batch = events("a", 5);
    store.append(&key, 0, &batch[..2]).unwrap();
    store.append(&key, 2, &batch[2..]).unwrap();
    // An empty append and a retried one leave it where it is.
    store.append(&key, 5, &[]).unwrap();
    store.append(&key, 2, &batch[2..]).unwrap();
    let verified = journal::verify_anchored(store, &key).unwrap();
    let head = store.anchor(&key).unwrap().unwrap();
    assert_eq!((head.version, head.hash), (5, verified.head));
    // A refused append leaves it too.
    let _ = store.append(&key, 5, &[event("a-1", "Noted", json!(1))]);
    assert_eq!(store.anchor(&key).unwrap(), Some(head));
}

fn an_append_expecting_version_u64_max_is_refused_without_overflow(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let key = stream(&tenant, "T-max");
    let batch = events("max", 2);
    match store.append(&key, u64::MAX, &batch) {
        Err(JournalError::VersionConflict {
            expected,
            actual: 0,
            ..
        }) => {
            assert_eq!(expected, u64::MAX);
        }
        other => panic!("expected a version conflict, got {other:?}"),
    }
    store.append(&key, 0, &batch).unwrap();
    // A "retry" of recorded events claiming the stream was at u64::MAX.
    match store.append(&key, u64::MAX, &batch) {
        Err(JournalError::DuplicateEventId { .. }) => {}
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_readable(store, &key, 2);
}

fn floats_read_back_exactly_and_their_hashes_check(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-floats");
    let floats = [
        -1.612_105_781_864_274_7e-50,
        5e-324,
        2.225_073_858_507_201_4e-308,
        f64::MAX,
        f64::MIN_POSITIVE,
        0.1,
        1e-7,
        123_456_789.123_456_78,
        -0.0,
        1e300,
    ];
    let payloads: Vec<NewEvent> = floats
        .iter()
        .enumerate()
        .map(|(i, f)| event(&format!("f-{i}"), "Noted", json!({"Noted": [f, -f, [f]]})))
        .collect();
    store.append(&key, 0, &payloads).unwrap();
    let rows = store.read_stream(&key, 0).unwrap();
    for (row, new) in rows.iter().zip(&payloads) {
        assert!(
            new.matches(row),
            "{:?} read back as {:?}",
            new.payload,
            row.payload
        );
    }
    assert_readable(store, &key, floats.len() as u64);
}

/// Every store keeps a payload as the canonical JSON it hashed: it reads
/// back with its keys in byte order and `-0.0` as `0.0`, from every read
/// (the stream, the anchored stream and the feed), whichever store wrote it.
fn payloads_read_back_in_their_canonical_form_from_every_store(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let key = stream(&tenant, "T-canonical");
    let payload = json!({"b": -0.0, "a": [1, "é", {"z": null, "y": 2.5}]});
    let canonical = r#"{"a":[1,"é",{"y":2.5,"z":null}],"b":0.0}"#;
    store
        .append(&key, 0, &[event("c-1", "Noted", payload)])
        .unwrap();
    let read = store.read_stream(&key, 0).unwrap();
    assert_eq!(serde_json::to_string(&read[0].payload).unwrap(), canonical);
    let mut anchored = None;
    store
        .read_anchored_stream_with(&key, &mut |_, rows| {
            anchored = Some(serde_json::to_string(&rows[0].payload).unwrap());
        })
        .unwrap();
    assert_eq!(anchored.as_deref(), Some(canonical));
    let feed = store.read_feed(&tenant, 0, 1_000).unwrap();
    let row = feed.events.iter().find(|e| e.stream == key).unwrap();
    assert_eq!(serde_json::to_string(&row.payload).unwrap(), canonical);
    assert_readable(store, &key, 1);
}

fn streams_are_listed_by_workflow_in_pages(store: &dyn EventStore, tenant: TenantId) {
    for id in ["T-3", "T-1", "T-5", "T-2", "T-4"] {
        store
            .append(&stream(&tenant, id), 0, &events(id, 2))
            .unwrap();
    }
    let other_type = StreamKey::new(
        tenant.clone(),
        "dispute".parse().unwrap(),
        "T-9".parse().unwrap(),
    );
    store.append(&other_type, 0, &events("D", 1)).unwrap();
    let other_tenant = stream(&TenantId::new(format!("{tenant}-other")).unwrap(), "T-0");
    store.append(&other_tenant, 0, &events("O", 1)).unwrap();

    let ticket = "ticket".parse().unwrap();
    let mut pages = Vec::new();
    let mut after: Option<CaseId> = None;
    loop {
        let page = store
            .list_streams(&tenant, &ticket, after.as_ref(), 2)
            .unwrap();
        let Some(last) = page.last().cloned() else {
            break;
        };
        pages.push(page.iter().map(|id| id.to_string()).collect::<Vec<_>>());
        after = Some(last);
    }
    assert_eq!(pages, [vec!["T-1", "T-2"], vec!["T-3", "T-4"], vec!["T-5"]]);
    let journal = journal::Journal::new(store, tenant.clone());
    assert_eq!(journal.list::<Ticket>(None, 100).unwrap().len(), 5);
    let none: Vec<CaseId> = Vec::new();
    assert_eq!(
        store
            .list_streams(&tenant, &"service".parse().unwrap(), None, 10)
            .unwrap(),
        none
    );
}

fn a_journal_sees_what_another_writer_appended_to_a_cached_case(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let id: CaseId = "T-1".parse().unwrap();
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    let ctx = |hours| Context::new(t0() + Duration::hours(hours), &worker);
    let ours = journal::Journal::new(store, tenant.clone());
    let theirs = journal::Journal::new(store, tenant.clone());

    ours.handle(&Ticket, &id, &Command::Open, &ctx(0)).unwrap();
    assert_eq!(ours.cached(), 1);
    let held = theirs
        .handle(&Ticket, &id, &Command::Hold, &ctx(1))
        .unwrap();
    // Our cached case is at version 1; the store is at 2.
    assert_eq!(ours.load::<Ticket>(&id).unwrap(), held.case);
    let resumed = ours
        .handle(&Ticket, &id, &Command::Resume, &ctx(2))
        .unwrap();
    assert_eq!(resumed.attempts, 1);
    assert_eq!(resumed.case.version(), 3);
    let resolved = theirs
        .handle(&Ticket, &id, &Command::Resolve, &ctx(3))
        .unwrap();
    assert_eq!(resolved.attempts, 1, "their cache caught up too");
    assert_eq!(
        journal::load::<Ticket, _>(store, &tenant, &id).unwrap(),
        resolved.case
    );
    assert_eq!(ours.load::<Ticket>(&id).unwrap(), resolved.case);
}

// ---------------------------------------------------------------------------
// The backends.
// ---------------------------------------------------------------------------

fn append_streams_writes_each_part_on_its_own(store: &dyn EventStore, tenant: TenantId) {
    let (a, b, c, d) = (
        stream(&tenant, "T-1"),
        stream(&tenant, "T-2"),
        stream(&tenant, "T-3"),
        stream(&tenant, "T-4"),
    );
    store.append(&b, 0, &events("b", 1)).unwrap();
    store.append(&d, 0, &events("d", 1)).unwrap();
    let fresh = events("a", 2);
    let stale = events("b-late", 1);
    // T-3 reuses T-1's first event id with other content.
    let reused = vec![event("a-1", "Noted", json!({"Noted": {"n": 99}}))];
    let due = t0() + Duration::days(3);
    let outcomes = store
        .append_streams(&[
            StreamAppend {
                stream: &a,
                expected_version: 0,
                events: &fresh,
                due: DueUpdate::of(Some(due)),
            },
            StreamAppend {
                stream: &b,
                expected_version: 0,
                events: &stale,
                due: DueUpdate::of(Some(due)),
            },
            StreamAppend {
                stream: &c,
                expected_version: 0,
                events: &reused,
                due: DueUpdate::of(Some(due)),
            },
            StreamAppend {
                stream: &d,
                expected_version: 1,
                events: &[],
                due: DueUpdate::of(Some(due)),
            },
        ])
        .unwrap();
    assert_eq!(outcomes.len(), 4);
    assert_eq!(outcomes[0].as_ref().unwrap().version, 2);
    assert!(
        outcomes[1].as_ref().unwrap_err().is_conflict(),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[2], Err(JournalError::DuplicateEventId { .. })),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[3].as_ref().unwrap().version, 1);
    // The refused parts wrote nothing, the others everything, due entries
    // included.
    assert_eq!(ids(&store.read_stream(&a, 0).unwrap()), ["a-1", "a-2"]);
    assert_eq!(ids(&store.read_stream(&b, 0).unwrap()), ["b-1"]);
    assert!(store.read_stream(&c, 0).unwrap().is_empty());
    assert_eq!(store.stream_version(&d).unwrap(), 1);
    let query = DueQuery::new(tenant.clone(), "ticket".parse().unwrap(), due).limit(10);
    let mut due_ids: Vec<String> = store
        .due(&query)
        .unwrap()
        .into_iter()
        .map(|entry| entry.stream.id.to_string())
        .collect();
    due_ids.sort();
    assert_eq!(due_ids, ["T-1", "T-4"]);
    journal::verify_stream(store, &a).unwrap();
}

fn append_streams_retried_is_idempotent(store: &dyn EventStore, tenant: TenantId) {
    let (a, b) = (stream(&tenant, "T-1"), stream(&tenant, "T-2"));
    let (first, second) = (events("a", 2), events("b", 1));
    let batch = [
        StreamAppend {
            stream: &a,
            expected_version: 0,
            events: &first,
            due: DueUpdate::Keep,
        },
        StreamAppend {
            stream: &b,
            expected_version: 0,
            events: &second,
            due: DueUpdate::Keep,
        },
    ];
    let once = store.append_streams(&batch).unwrap();
    let again = store.append_streams(&batch).unwrap();
    for (once, again) in once.iter().zip(&again) {
        let (once, again) = (once.as_ref().unwrap(), again.as_ref().unwrap());
        assert_eq!(once.outcome, AppendOutcome::Recorded);
        assert_eq!(again.outcome, AppendOutcome::AlreadyRecorded);
        assert_eq!(once.positions, again.positions);
    }
    assert_eq!(store.read_all(&tenant, 0, 100).unwrap().len(), 3);
}

fn append_streams_sets_aside_a_part_whose_later_event_id_is_taken(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let (a, b, c) = (
        stream(&tenant, "T-1"),
        stream(&tenant, "T-2"),
        stream(&tenant, "T-3"),
    );
    let first = events("x", 2);
    // T-2's second event reuses T-1's second id: found only mid-insert.
    let clash = vec![
        event("y-1", "Noted", json!({"Noted": {"n": 1}})),
        event("x-2", "Noted", json!({"Noted": {"n": 7}})),
    ];
    let last = events("z", 1);
    let outcomes = store
        .append_streams(&[
            StreamAppend {
                stream: &a,
                expected_version: 0,
                events: &first,
                due: DueUpdate::Keep,
            },
            StreamAppend {
                stream: &b,
                expected_version: 0,
                events: &clash,
                due: DueUpdate::Keep,
            },
            StreamAppend {
                stream: &c,
                expected_version: 0,
                events: &last,
                due: DueUpdate::Keep,
            },
        ])
        .unwrap();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(outcomes[0].as_ref().unwrap().version, 2);
    match &outcomes[1] {
        Err(JournalError::DuplicateEventId { stream, event_id }) => {
            assert_eq!(stream, &b);
            assert_eq!(event_id.as_str(), "x-2");
        }
        other => panic!("expected a duplicate event id, got {other:?}"),
    }
    assert_eq!(outcomes[2].as_ref().unwrap().version, 1);
    assert_eq!(ids(&store.read_stream(&a, 0).unwrap()), ["x-1", "x-2"]);
    assert!(store.read_stream(&b, 0).unwrap().is_empty());
    assert_eq!(ids(&store.read_stream(&c, 0).unwrap()), ["z-1"]);
    assert_eq!(store.read_all(&tenant, 0, 100).unwrap().len(), 3);
}

/// A part whose version and anchor are as expected but whose first event
/// id another stream recorded in an earlier commit: refused as a duplicate
/// (on SQLite by the event-id index, mid-insert, not by a lookup first),
/// leaving no row, anchor or due entry, while the batch's other parts are
/// recorded.
fn append_streams_refuses_a_first_event_id_taken_in_an_earlier_commit(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let (a, b, c) = (
        stream(&tenant, "T-1"),
        stream(&tenant, "T-2"),
        stream(&tenant, "T-3"),
    );
    store.append(&a, 0, &events("a", 2)).unwrap();
    let taken = vec![
        event("a-1", "Noted", json!({"Noted": {"n": 5}})),
        event("b-2", "Noted", json!({"Noted": {"n": 6}})),
    ];
    let fresh = events("c", 2);
    let due = t0() + Duration::days(1);
    let outcomes = store
        .append_streams(&[
            StreamAppend {
                stream: &b,
                expected_version: 0,
                events: &taken,
                due: DueUpdate::of(Some(due)),
            },
            StreamAppend {
                stream: &c,
                expected_version: 0,
                events: &fresh,
                due: DueUpdate::of(Some(due)),
            },
        ])
        .unwrap();
    match &outcomes[0] {
        Err(JournalError::DuplicateEventId { stream, event_id }) => {
            assert_eq!(stream, &b);
            assert_eq!(event_id.as_str(), "a-1");
        }
        other => panic!("expected a duplicate event id, got {other:?}"),
    }
    assert_eq!(outcomes[1].as_ref().unwrap().version, 2);
    assert!(store.read_stream(&b, 0).unwrap().is_empty());
    assert_eq!(store.anchor(&b).unwrap(), None);
    assert!(store.anchor(&c).unwrap().is_some());
    let query = DueQuery::new(tenant.clone(), "ticket".parse().unwrap(), due).limit(10);
    let due_ids: Vec<String> = store
        .due(&query)
        .unwrap()
        .into_iter()
        .map(|entry| entry.stream.id.to_string())
        .collect();
    assert_eq!(due_ids, ["T-3"]);
    assert_eq!(store.read_all(&tenant, 0, 100).unwrap().len(), 4);
    // The refused part's own second id is free: nothing of it stayed.
    store.append(&b, 0, &events("b", 2)).unwrap();
    journal::verify_stream(store, &b).unwrap();
}

/// What `read_stream_with` lends, and how many times it called back.
fn lent(store: &dyn EventStore, key: &StreamKey, after: u64) -> (Vec<StoredEvent>, usize) {
    let (mut rows, mut calls) = (Vec::new(), 0);
    store
        .read_stream_with(key, after, &mut |lent| {
            rows = lent.to_vec();
            calls += 1;
        })
        .unwrap();
    (rows, calls)
}

fn read_stream_with_lends_what_read_stream_returns(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    store.append(&key, 0, &events("a", 3)).unwrap();
    store.append(&key, 3, &events("b", 2)).unwrap();
    store
        .append(&stream(&tenant, "T-2"), 0, &events("c", 1))
        .unwrap();
    for after in [0, 1, 3, 5, 6, u64::MAX] {
        let (rows, calls) = lent(store, &key, after);
        assert_eq!(calls, 1, "called back once after {after}");
        assert_eq!(
            rows,
            store.read_stream(&key, after).unwrap(),
            "after {after}"
        );
    }
    assert_eq!(ids(&lent(store, &key, 3).0), ["b-1", "b-2"]);
    let (rows, calls) = lent(store, &stream(&tenant, "nobody"), 0);
    assert_eq!(
        (rows.len(), calls),
        (0, 1),
        "an unknown stream lends nothing"
    );
}

fn read_anchored_streams_with_lends_each_stream_in_order_as_one_read_would(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let one = stream(&tenant, "T-1");
    store.append(&one, 0, &events("a", 3)).unwrap();
    let two = stream(&tenant, "T-2");
    store.append(&two, 0, &events("b", 1)).unwrap();
    let nobody = stream(&tenant, "nobody");
    let keys = [&two, &nobody, &one, &two];
    let mut lent = Vec::new();
    store
        .read_anchored_streams_with(&keys, &mut |i, read| {
            let (anchor, rows) = read.unwrap();
            lent.push((i, anchor, rows.to_vec()));
        })
        .unwrap();
    assert_eq!(
        lent.iter().map(|(i, ..)| *i).collect::<Vec<_>>(),
        [0, 1, 2, 3],
        "each stream once, in order"
    );
    for ((_, anchor, rows), key) in lent.iter().zip(keys) {
        let mut alone = None;
        store
            .read_anchored_stream_with(key, &mut |anchor, rows| {
                alone = Some((anchor, rows.to_vec()));
            })
            .unwrap();
        let (anchor_alone, rows_alone) = alone.unwrap_or_default();
        assert_eq!((anchor, rows), (&anchor_alone, &rows_alone), "{key}");
    }
    assert_eq!(ids(&lent[2].2), ["a-1", "a-2", "a-3"]);
    assert_eq!((lent[1].1, lent[1].2.len()), (None, 0), "nobody's");
    let mut calls = 0;
    store
        .read_anchored_streams_with(&[], &mut |_, _| calls += 1)
        .unwrap();
    assert_eq!(calls, 0, "no stream, no call");
}

fn read_anchored_stream_with_lends_the_anchor_and_every_row(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let lent = |key: &StreamKey| {
        let (mut lent, mut calls) = (None, 0);
        store
            .read_anchored_stream_with(key, &mut |anchor, rows| {
                lent = Some((anchor, rows.to_vec()));
                calls += 1;
            })
            .unwrap();
        assert_eq!(calls, 1, "called back once");
        lent.unwrap()
    };
    let key = stream(&tenant, "T-1");
    store.append(&key, 0, &events("a", 3)).unwrap();
    store.append(&key, 3, &events("b", 2)).unwrap();
    let other = stream(&tenant, "T-2");
    store.append(&other, 0, &events("c", 1)).unwrap();
    for key in [&key, &other] {
        let (anchor, rows) = lent(key);
        assert_eq!(anchor, store.anchor(key).unwrap());
        assert_eq!(rows, store.read_stream(key, 0).unwrap());
    }
    let (anchor, rows) = lent(&key);
    assert_eq!(ids(&rows), ["a-1", "a-2", "a-3", "b-1", "b-2"]);
    if let Some(anchor) = anchor {
        assert_eq!(anchor.version, 5);
        assert_eq!(anchor.hash, rows[4].hash);
    }
    let (anchor, rows) = lent(&stream(&tenant, "nobody"));
    assert_eq!(
        (anchor, rows.len()),
        (None, 0),
        "an unknown stream lends no anchor and no row"
    );
    // A due entry alone anchors nothing.
    let due = stream(&tenant, "T-3");
    store
        .append_with_due(&due, 0, &[], DueUpdate::At(t0()))
        .unwrap();
    assert_eq!(lent(&due), (None, Vec::new()));
}

fn append_streams_owned_writes_each_part_as_append_streams_does(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let (a, b, c) = (
        stream(&tenant, "T-1"),
        stream(&tenant, "T-2"),
        stream(&tenant, "T-3"),
    );
    store.append(&b, 0, &events("b", 1)).unwrap();
    let due = t0() + Duration::days(3);
    fn part(
        stream: &StreamKey,
        expected_version: u64,
        events: Vec<NewEvent>,
    ) -> OwnedStreamAppend<'_> {
        OwnedStreamAppend {
            stream,
            expected_version,
            events,
            due: DueUpdate::of(Some(t0() + Duration::days(3))),
        }
    }
    let outcomes = store
        .append_streams_owned(vec![
            part(&a, 0, events("a", 2)),
            // Stale: refused, nothing written.
            part(&b, 0, events("b-late", 1)),
            // Reuses T-1's first event id with other content.
            part(
                &c,
                0,
                vec![event("a-1", "Noted", json!({"Noted": {"n": 99}}))],
            ),
        ])
        .unwrap();
    assert_eq!(outcomes.len(), 3);
    let recorded = outcomes[0].as_ref().unwrap();
    assert_eq!(
        (recorded.version, recorded.outcome),
        (2, AppendOutcome::Recorded)
    );
    assert!(
        outcomes[1].as_ref().unwrap_err().is_conflict(),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[2], Err(JournalError::DuplicateEventId { .. })),
        "{outcomes:?}"
    );
    // The kept events read back as the borrowed ones would, chain and all.
    let rows = store.read_stream(&a, 0).unwrap();
    assert_eq!(ids(&rows), ["a-1", "a-2"]);
    for (row, new) in rows.iter().zip(events("a", 2)) {
        assert!(new.matches(row), "{row:?}");
    }
    journal::verify_anchored(store, &a).unwrap();
    assert_eq!(ids(&store.read_stream(&b, 0).unwrap()), ["b-1"]);
    assert!(store.read_stream(&c, 0).unwrap().is_empty());
    let query = DueQuery::new(tenant.clone(), "ticket".parse().unwrap(), due).limit(10);
    let due_ids: Vec<String> = store
        .due(&query)
        .unwrap()
        .into_iter()
        .map(|entry| entry.stream.id.to_string())
        .collect();
    assert_eq!(due_ids, ["T-1"], "only the written part moved its entry");
    // Sent again, the written part is an idempotent retry.
    let again = store
        .append_streams_owned(vec![part(&a, 0, events("a", 2))])
        .unwrap();
    let again = again[0].as_ref().unwrap();
    assert_eq!(again.outcome, AppendOutcome::AlreadyRecorded);
    assert_eq!(again.positions, recorded.positions);
    assert_eq!(store.read_all(&tenant, 0, 100).unwrap().len(), 3);
}

fn a_due_update_alone_leaves_no_stream_to_list(store: &dyn EventStore, tenant: TenantId) {
    let key = stream(&tenant, "T-1");
    let due = DueUpdate::of(Some(t0() + Duration::days(3)));
    store.append_with_due(&key, 0, &[], due).unwrap();
    let listed = store
        .list_streams(&tenant, &"ticket".parse().unwrap(), None, 10)
        .unwrap();
    assert!(
        listed.is_empty(),
        "a stream with no event is not listed: {listed:?}"
    );
    assert_eq!(store.stream_version(&key).unwrap(), 0);
}

support::stores::on_every_store! {
    append_then_read_returns_every_column,
    an_unknown_stream_is_empty_at_version_zero,
    read_stream_after_a_version_returns_only_later_events,
    a_stale_writer_gets_a_version_conflict_and_changes_nothing,
    a_new_stream_is_at_version_zero,
    an_empty_append_checks_the_version_and_writes_nothing,
    a_retried_append_is_idempotent,
    a_retry_is_recognised_after_the_stream_moved_on,
    a_reused_event_id_with_other_content_is_refused,
    a_failure_mid_append_leaves_the_stream_as_it_was,
    an_event_id_repeated_within_a_batch_is_refused,
    read_all_returns_a_tenants_events_in_global_order,
    tenants_are_isolated,
    a_stored_stream_verifies,
    executed_commands_load_back_as_the_live_case,
    a_rejected_command_writes_nothing,
    a_command_deciding_nothing_appends_nothing,
    execute_decides_again_after_another_writer_got_there_first,
    execute_gives_up_after_its_retries,
    a_payload_that_does_not_decode_names_stream_version_and_type,
    an_event_stored_under_another_type_is_refused,
    event_ids_derived_by_the_typed_layer_make_retries_idempotent,
    a_payload_nested_128_deep_is_refused_and_poisons_nothing,
    a_payload_over_the_size_limit_is_refused,
    a_nul_character_in_a_payload_is_refused_on_every_backend,
    an_event_time_outside_the_accepted_range_is_refused,
    every_append_moves_the_streams_anchor,
    an_append_expecting_version_u64_max_is_refused_without_overflow,
    floats_read_back_exactly_and_their_hashes_check,
    payloads_read_back_in_their_canonical_form_from_every_store,
    streams_are_listed_by_workflow_in_pages,
    a_journal_sees_what_another_writer_appended_to_a_cached_case,
    append_streams_writes_each_part_on_its_own,
    append_streams_retried_is_idempotent,
    append_streams_sets_aside_a_part_whose_later_event_id_is_taken,
    append_streams_refuses_a_first_event_id_taken_in_an_earlier_commit,
    read_stream_with_lends_what_read_stream_returns,
    read_anchored_stream_with_lends_the_anchor_and_every_row,
    read_anchored_streams_with_lends_each_stream_in_order_as_one_read_would,
    append_streams_owned_writes_each_part_as_append_streams_does,
    a_due_update_alone_leaves_no_stream_to_list,
}
