//! Tamper evidence: a stream changed behind the journal's back — an event
//! changed, removed, reordered or inserted — fails verification, naming the
//! first broken version, the row's position and the kind of change.
//!
//! The same scenarios run on rows read from the in-memory store and edited
//! in memory, and on SQLite and PostgreSQL edited with SQL, as someone with
//! access to the database would.

mod support {
    pub mod stores;
    pub mod ticket;
}

use chrono::{Duration, TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{
    self, Breakage, EventStore, JournalError, MemoryStore, NewEvent, StoredEvent, StreamKey,
    verify_rows,
};
use serde_json::json;

const EVENTS: u64 = 6;

fn stream(tenant: &TenantId) -> StreamKey {
    StreamKey::new(
        tenant.clone(),
        "ticket".parse().unwrap(),
        "T-1".parse().unwrap(),
    )
}

/// Appends six events (in two batches) and returns the stream.
fn six_events(store: &dyn EventStore, tenant: &TenantId) -> StreamKey {
    let key = stream(tenant);
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let events: Vec<NewEvent> = (1..=EVENTS)
        .map(|i| {
            NewEvent::new(
                format!("e-{i}").parse().unwrap(),
                "Noted",
                json!({"Noted": {"n": i, "by": "网格员"}}),
                "gw-7".parse().unwrap(),
                at + Duration::minutes(i as i64),
            )
        })
        .collect();
    store.append(&key, 0, &events[..3]).unwrap();
    store.append(&key, 3, &events[3..]).unwrap();
    journal::verify_stream(store, &key).unwrap();
    key
}

/// Asserts `result` is a tamper report at `version` of kind `breakage`, and
/// returns the reported position.
fn assert_tampered(
    result: Result<journal::Verified, JournalError>,
    version: u64,
    breakage: Breakage,
) -> Option<u64> {
    match result {
        Err(JournalError::Tampered {
            version: v,
            breakage: b,
            position,
            ..
        }) => {
            assert_eq!((v, b), (version, breakage), "reported at {position:?}");
            position
        }
        other => panic!("expected {breakage:?} at version {version}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Rows edited in memory.
// ---------------------------------------------------------------------------

fn memory_rows() -> (MemoryStore, StreamKey, Vec<StoredEvent>) {
    let store = support::stores::memory();
    let key = six_events(&store, &support::stores::tenant("tamper"));
    let rows = store.read_stream(&key, 0).unwrap();
    (store, key, rows)
}

#[test]
fn an_intact_stream_verifies_with_its_head() {
    let (_, key, rows) = memory_rows();
    let verified = verify_rows(&key, &rows).unwrap();
    assert_eq!(verified.version, EVENTS);
    assert_eq!(verified.head, rows[5].hash);
}

#[test]
fn a_changed_payload_is_reported_at_its_version() {
    let (_, key, mut rows) = memory_rows();
    rows[2].payload = json!({"Noted": {"n": 99, "by": "网格员"}});
    let position = assert_tampered(verify_rows(&key, &rows), 3, Breakage::Changed);
    assert_eq!(position, Some(rows[2].position));
}

#[test]
fn a_change_to_any_hashed_column_is_reported() {
    let (_, key, rows) = memory_rows();
    let edits: [fn(&mut StoredEvent); 7] = [
        |r| r.event_id = "forged".parse().unwrap(),
        |r| r.event_type = "Closed".into(),
        |r| r.schema_version = 2,
        |r| r.actor = "someone-else".parse().unwrap(),
        |r| r.correlation = Some("req-9".parse().unwrap()),
        |r| r.occurred_at += Duration::microseconds(1),
        |r| r.hash = journal::EventHash::from_bytes([7; 32]),
    ];
    for edit in edits {
        let mut tampered = rows.clone();
        edit(&mut tampered[3]);
        assert_tampered(verify_rows(&key, &tampered), 4, Breakage::Changed);
    }
}

#[test]
fn position_and_recorded_at_are_not_hashed() {
    let (_, key, mut rows) = memory_rows();
    rows[1].recorded_at += Duration::days(1);
    for row in &mut rows {
        row.position += 1_000;
    }
    verify_rows(&key, &rows).unwrap();
}

#[test]
fn a_removed_event_is_reported_at_the_missing_version() {
    let (_, key, mut rows) = memory_rows();
    rows.remove(2);
    let position = assert_tampered(verify_rows(&key, &rows), 3, Breakage::Removed);
    assert_eq!(position, None);
}

#[test]
fn a_removal_with_the_later_events_renumbered_is_reported() {
    let (_, key, mut rows) = memory_rows();
    rows.remove(2);
    for row in &mut rows[2..] {
        row.version -= 1;
    }
    assert_tampered(verify_rows(&key, &rows), 3, Breakage::Removed);
}

#[test]
fn swapped_neighbours_are_reported_as_reordered() {
    let (_, key, mut rows) = memory_rows();
    rows.swap(2, 3);
    rows[2].version = 3;
    rows[3].version = 4;
    assert_tampered(verify_rows(&key, &rows), 3, Breakage::Reordered);
}

#[test]
fn swapped_distant_events_are_reported_as_reordered() {
    let (_, key, mut rows) = memory_rows();
    rows.swap(1, 4);
    rows[1].version = 2;
    rows[4].version = 5;
    assert_tampered(verify_rows(&key, &rows), 2, Breakage::Reordered);
}

#[test]
fn positions_out_of_version_order_are_reported_as_reordered() {
    let (_, key, mut rows) = memory_rows();
    let (p3, p4) = (rows[2].position, rows[3].position);
    rows[2].position = p4;
    rows[3].position = p3;
    assert_tampered(verify_rows(&key, &rows), 4, Breakage::Reordered);
}

#[test]
fn an_inserted_event_is_reported_at_its_version() {
    let (_, key, mut rows) = memory_rows();
    let mut forged = rows[1].clone();
    forged.event_id = "forged".parse().unwrap();
    forged.version = 3;
    for row in &mut rows[2..] {
        row.version += 1;
    }
    rows.insert(2, forged);
    assert_tampered(verify_rows(&key, &rows), 3, Breakage::Inserted);
}

#[test]
fn an_inserted_event_with_a_linking_hash_is_still_reported() {
    // The forger builds a correctly linked event 3 in a store of their own
    // (same first two events), then slips it in and renumbers the rest.
    let (_, key, mut rows) = memory_rows();
    let forgery_store = MemoryStore::new();
    let first_two: Vec<NewEvent> = rows[..2]
        .iter()
        .map(|r| NewEvent {
            event_id: r.event_id.clone(),
            event_type: r.event_type.clone(),
            schema_version: r.schema_version,
            payload: r.payload.clone(),
            actor: r.actor.clone(),
            correlation: r.correlation.clone(),
            occurred_at: r.occurred_at,
        })
        .collect();
    forgery_store.append(&key, 0, &first_two).unwrap();
    let forged = NewEvent::new(
        "forged".parse().unwrap(),
        "Closed",
        json!("Closed"),
        "gw-7".parse().unwrap(),
        rows[1].occurred_at,
    );
    forgery_store.append(&key, 2, &[forged]).unwrap();
    let forged = forgery_store.read_stream(&key, 2).unwrap().remove(0);
    assert_eq!(
        forgery_store.read_stream(&key, 0).unwrap()[1].hash,
        rows[1].hash
    );

    for row in &mut rows[2..] {
        row.version += 1;
    }
    rows.insert(2, forged);
    assert_tampered(verify_rows(&key, &rows), 3, Breakage::Inserted);
}

#[test]
fn a_cut_off_tail_shows_only_against_a_kept_head() {
    let (_, key, mut rows) = memory_rows();
    let anchored = verify_rows(&key, &rows).unwrap().head;
    rows.pop();
    // The chain that is left is intact...
    let verified = verify_rows(&key, &rows).unwrap();
    assert_eq!(verified.version, EVENTS - 1);
    // ...but its head is not the one kept elsewhere.
    assert_ne!(verified.head, anchored);
}

// ---------------------------------------------------------------------------
// Databases edited with SQL.
// ---------------------------------------------------------------------------

/// Runs SQL against the journal's database behind the store's back.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
trait Sql {
    fn exec(&mut self, sql: &str);
    fn positions(&mut self, key: &StreamKey) -> Vec<i64>;

    /// The condition on `journal_events` that selects `key`'s rows.
    fn rows_of(&self, key: &StreamKey) -> String {
        filter(key)
    }

    /// The columns of `journal_events` that name a row's stream.
    fn stream_columns(&self) -> &'static str {
        "tenant, stream_type, stream_id"
    }
}

/// Builds each scenario in a tenant of its own, tampers with SQL, and checks
/// what `verify_stream` reports.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn sql_scenarios(store: &dyn EventStore, sql: &mut dyn Sql) {
    type Scenario = (
        &'static str,
        u64,
        Breakage,
        fn(&str, &str, &[i64]) -> Vec<String>,
    );
    let scenarios: [Scenario; 8] = [
        ("changed_payload", 3, Breakage::Changed, |w, _, _| {
            vec![format!(
                r#"UPDATE journal_events SET payload = '{{"Noted":{{"n":99,"by":"网格员"}}}}' WHERE {w} AND version = 3"#
            )]
        }),
        ("changed_actor", 2, Breakage::Changed, |w, _, _| {
            vec![format!(
                "UPDATE journal_events SET actor = 'someone-else' WHERE {w} AND version = 2"
            )]
        }),
        ("removed", 3, Breakage::Removed, |w, _, _| {
            vec![format!(
                "DELETE FROM journal_events WHERE {w} AND version = 3"
            )]
        }),
        ("removed_and_renumbered", 3, Breakage::Removed, |w, _, _| {
            vec![
                format!("DELETE FROM journal_events WHERE {w} AND version = 3"),
                format!(
                    "UPDATE journal_events SET version = version + 100 WHERE {w} AND version > 3"
                ),
                format!(
                    "UPDATE journal_events SET version = version - 101 WHERE {w} AND version > 100"
                ),
            ]
        }),
        ("swapped_versions", 3, Breakage::Reordered, |w, _, _| {
            vec![
                format!("UPDATE journal_events SET version = 1000 WHERE {w} AND version = 3"),
                format!("UPDATE journal_events SET version = 3 WHERE {w} AND version = 4"),
                format!("UPDATE journal_events SET version = 4 WHERE {w} AND version = 1000"),
            ]
        }),
        (
            "swapped_distant_versions",
            2,
            Breakage::Reordered,
            |w, _, _| {
                vec![
                    format!("UPDATE journal_events SET version = 1000 WHERE {w} AND version = 2"),
                    format!("UPDATE journal_events SET version = 2 WHERE {w} AND version = 5"),
                    format!("UPDATE journal_events SET version = 5 WHERE {w} AND version = 1000"),
                ]
            },
        ),
        ("swapped_positions", 4, Breakage::Reordered, |w, _, p| {
            vec![
                format!("UPDATE journal_events SET position = -1 WHERE {w} AND version = 3"),
                format!(
                    "UPDATE journal_events SET position = {} WHERE {w} AND version = 4",
                    p[2]
                ),
                format!(
                    "UPDATE journal_events SET position = {} WHERE {w} AND version = 3",
                    p[3]
                ),
            ]
        }),
        ("inserted", 3, Breakage::Inserted, |w, stream, _| {
            vec![
                format!(
                    "UPDATE journal_events SET version = version + 100 WHERE {w} AND version >= 3"
                ),
                format!(
                    "UPDATE journal_events SET version = version - 99 WHERE {w} AND version > 100"
                ),
                format!(
                    "INSERT INTO journal_events (position, {stream}, version,
                         event_id, event_type, schema_version, payload, actor, correlation,
                         occurred_at, recorded_at, hash)
                     SELECT (SELECT max(position) + 1 FROM journal_events), {stream},
                         3, 'forged', event_type, schema_version, payload, actor,
                         correlation, occurred_at, recorded_at, hash
                     FROM journal_events WHERE {w} AND version = 2"
                ),
            ]
        }),
    ];
    for (name, version, breakage, edits) in scenarios {
        let tenant = support::stores::tenant(name);
        let key = six_events(store, &tenant);
        let positions = sql.positions(&key);
        let rows = sql.rows_of(&key);
        for statement in edits(&rows, sql.stream_columns(), &positions) {
            sql.exec(&statement);
        }
        let result = journal::verify_stream(store, &key);
        match result {
            Err(JournalError::Tampered {
                version: v,
                breakage: b,
                ..
            }) if (v, b) == (version, breakage) => {}
            other => panic!("{name}: expected {breakage:?} at version {version}, got {other:?}"),
        }
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn filter(key: &StreamKey) -> String {
    format!(
        "tenant = '{}' AND stream_type = '{}' AND stream_id = '{}'",
        key.tenant, key.stream_type, key.id
    )
}

/// Cuts the last two rows off a stream with SQL: the chain that is left
/// verifies, but the anchor names the cut, and the chain is not continued
/// from it.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn a_truncated_tail_is_reported_against_the_anchor_and_not_continued(
    store: &dyn EventStore,
    sql: &mut dyn Sql,
) {
    let tenant = support::stores::tenant("truncated");
    let key = six_events(store, &tenant);
    let other = StreamKey::new(
        tenant.clone(),
        "ticket".parse().unwrap(),
        "T-2".parse().unwrap(),
    );
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let event = |id: &str| {
        NewEvent::new(
            id.parse().unwrap(),
            "Noted",
            json!("Noted"),
            "gw-7".parse().unwrap(),
            at,
        )
    };
    store.append(&other, 0, &[event("o-1")]).unwrap();
    sql.exec(&format!(
        "DELETE FROM journal_events WHERE {} AND version > 4",
        sql.rows_of(&key)
    ));
    // The chain alone cannot see it.
    assert_eq!(journal::verify_stream(store, &key).unwrap().version, 4);
    let truncated = |result: Result<_, JournalError>| match result {
        Err(JournalError::Truncated {
            stream,
            anchored,
            found,
        }) => {
            assert_eq!(stream, key);
            assert_eq!((anchored, found), (EVENTS, 4));
        }
        other => panic!("expected the truncation to be reported, got {other:?}"),
    };
    truncated(journal::verify_anchored(store, &key).map(|_| ()));
    // The anchor and the rows read together show the cut too.
    let mut lent = None;
    store
        .read_anchored_stream_with(&key, &mut |anchor, rows| {
            lent = Some((anchor.map(|a| a.version), rows.len()));
        })
        .unwrap();
    assert_eq!(lent, Some((Some(EVENTS), 4)));
    // The next append refuses to continue the chain from the cut, whatever
    // version it expects; nothing is written.
    truncated(store.append(&key, 4, &[event("after-cut")]).map(|_| ()));
    truncated(
        store
            .append(&key, EVENTS, &[event("after-cut")])
            .map(|_| ()),
    );
    assert_eq!(store.stream_version(&key).unwrap(), 4);
    assert_eq!(store.anchor(&key).unwrap().unwrap().version, EVENTS);
    // Other streams of the tenant are untouched.
    journal::verify_anchored(store, &other).unwrap();
    store.append(&other, 1, &[event("o-2")]).unwrap();
}

/// Rows cut off *and* the anchor rewritten to match: an attacker with write
/// access to both tables is not caught by the anchor (see the module docs).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn a_rewritten_anchor_is_what_the_anchor_cannot_prove(store: &dyn EventStore, sql: &mut dyn Sql) {
    let tenant = support::stores::tenant("rewritten-anchor");
    let key = six_events(store, &tenant);
    let w = filter(&key);
    let rows = sql.rows_of(&key);
    sql.exec(&format!(
        "DELETE FROM journal_events WHERE {rows} AND version > 4"
    ));
    sql.exec(&format!(
        "UPDATE journal_heads SET version = 4,
             hash = (SELECT hash FROM journal_events WHERE {rows} AND version = 4)
         WHERE {w}"
    ));
    assert_eq!(journal::verify_anchored(store, &key).unwrap().version, 4);
    // An anchor moved without its rows is caught, though.
    sql.exec(&format!("UPDATE journal_heads SET version = 3 WHERE {w}"));
    match journal::verify_anchored(store, &key) {
        Err(JournalError::AnchorMismatch {
            anchored: 3,
            found: 4,
            ..
        }) => {}
        other => panic!("expected an anchor mismatch, got {other:?}"),
    }
}

/// One row that does not read back (nested deeper than serde_json reads,
/// as an older version of the library or another writer could store)
/// does not block the tenant's feed: it is reported with its position and
/// the feed moves on.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn a_row_that_does_not_read_back_is_skipped_by_the_feed(store: &dyn EventStore, sql: &mut dyn Sql) {
    let tenant = support::stores::tenant("bad-row");
    let key = six_events(store, &tenant);
    let positions = sql.positions(&key);
    let deep = format!("{}1{}", "[".repeat(130), "]".repeat(130));
    sql.exec(&format!(
        "UPDATE journal_events SET payload = '{deep}' WHERE {} AND version = 3",
        sql.rows_of(&key)
    ));
    let bad = u64::try_from(positions[2]).unwrap();
    // The strict reads name it...
    assert!(store.read_all(&tenant, 0, 100).is_err());
    assert!(store.read_stream(&key, 0).is_err());
    let mut lent = false;
    assert!(
        store
            .read_stream_with(&key, 0, &mut |_| lent = true)
            .is_err()
    );
    assert!(
        !lent,
        "a stream with a row that does not read back lends nothing"
    );
    let mut lent = false;
    assert!(
        store
            .read_anchored_stream_with(&key, &mut |_, _| lent = true)
            .is_err()
    );
    assert!(
        !lent,
        "a stream with a row that does not read back lends no anchor either"
    );
    // ...the feed reads past it.
    let page = store.read_feed(&tenant, 0, 100).unwrap();
    assert_eq!(page.events.len() as u64, EVENTS - 1);
    assert_eq!(page.skipped.len(), 1);
    assert_eq!(page.skipped[0].position, bad);
    assert!(
        matches!(
            page.skipped[0].error,
            JournalError::Decode { version: 3, .. }
        ),
        "{:?}",
        page.skipped[0].error
    );
    assert_eq!(page.next_after, u64::try_from(positions[5]).unwrap());
    // The projections' feed, payloads kept as text, sets it aside too.
    let rows = store.read_feed_rows(&tenant, 0, 100).unwrap();
    assert_eq!(rows.events.len() as u64, EVENTS - 1);
    assert_eq!(rows.skipped.len(), 1);
    assert_eq!(rows.skipped[0].position, bad);
    assert!(matches!(
        rows.skipped[0].error,
        JournalError::Decode { version: 3, .. }
    ));
    assert_eq!(rows.next_after, page.next_after);
    // Paging one row at a time passes it too.
    let mut after = 0;
    let mut seen = (0, 0);
    loop {
        let page = store.read_feed(&tenant, after, 1).unwrap();
        if page.next_after == after {
            break;
        }
        after = page.next_after;
        seen.0 += page.events.len();
        seen.1 += page.skipped.len();
    }
    assert_eq!(seen, (EVENTS as usize - 1, 1));
    // The rows after it still read from their version on.
    assert_eq!(store.read_stream(&key, 3).unwrap().len(), 3);
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;

    struct Sqlite(rusqlite::Connection);

    impl Sql for Sqlite {
        fn exec(&mut self, sql: &str) {
            self.0.execute_batch(sql).unwrap();
        }
        fn positions(&mut self, key: &StreamKey) -> Vec<i64> {
            let mut stmt = self
                .0
                .prepare(
                    "SELECT e.position FROM journal_events AS e
                     JOIN journal_streams AS s ON s.stream_key = e.stream_key
                     WHERE s.tenant = ?1 AND s.stream_type = ?2 AND s.stream_id = ?3
                     ORDER BY e.version",
                )
                .unwrap();
            stmt.query_map(
                [
                    key.tenant.as_str(),
                    key.stream_type.as_str(),
                    key.id.as_str(),
                ],
                |row| row.get(0),
            )
            .unwrap()
            .map(Result::unwrap)
            .collect()
        }

        // An event row names its stream by the stream's key.
        fn rows_of(&self, key: &StreamKey) -> String {
            format!(
                "stream_key = (SELECT stream_key FROM journal_streams WHERE {})",
                filter(key)
            )
        }

        fn stream_columns(&self) -> &'static str {
            "tenant, stream_key"
        }
    }

    #[test]
    fn every_kind_of_sql_tampering_is_reported() {
        let (dir, store) = support::stores::sqlite();
        let mut sql = Sqlite(rusqlite::Connection::open(dir.path().join("journal.db")).unwrap());
        sql_scenarios(&store, &mut sql);
    }

    #[test]
    fn a_truncated_tail_is_reported_against_the_anchor() {
        let (dir, store) = support::stores::sqlite();
        let mut sql = Sqlite(rusqlite::Connection::open(dir.path().join("journal.db")).unwrap());
        a_truncated_tail_is_reported_against_the_anchor_and_not_continued(&store, &mut sql);
        a_rewritten_anchor_is_what_the_anchor_cannot_prove(&store, &mut sql);
    }

    #[test]
    fn a_row_that_does_not_read_back_does_not_block_the_feed() {
        let (dir, store) = support::stores::sqlite();
        let mut sql = Sqlite(rusqlite::Connection::open(dir.path().join("journal.db")).unwrap());
        a_row_that_does_not_read_back_is_skipped_by_the_feed(&store, &mut sql);
    }

    #[test]
    fn an_anchor_that_does_not_read_back_is_a_typed_error_on_every_read() {
        use grassroots::journal::load;
        use support::ticket::Ticket;

        let (dir, store) = support::stores::sqlite();
        let mut sql = Sqlite(rusqlite::Connection::open(dir.path().join("journal.db")).unwrap());
        let tenant = support::stores::tenant("bad-anchor");
        let key = six_events(&store, &tenant);
        sql.exec(&format!(
            "UPDATE journal_heads SET hash = x'00' WHERE {}",
            filter(&key)
        ));
        let corrupt_hash = |result: Result<(), JournalError>| match result {
            Err(JournalError::Corrupt {
                column: "journal_heads.hash",
                ..
            }) => {}
            other => panic!("expected a corrupt anchor hash, got {other:?}"),
        };
        corrupt_hash(store.anchor(&key).map(drop));
        let mut lent = false;
        corrupt_hash(store.read_anchored_stream_with(&key, &mut |_, _| lent = true));
        assert!(!lent, "nothing is lent beside a corrupt anchor");
        corrupt_hash(load::<Ticket, _>(&store, &tenant, &key.id).map(drop));
        // Read with sound streams, the corrupt one is an error of its own.
        let sound = six_events(&store, &support::stores::tenant("good-anchor"));
        let mut lent = Vec::new();
        store
            .read_anchored_streams_with(&[&sound, &key, &sound], &mut |i, read| {
                lent.push((i, read.map(|(anchor, rows)| (anchor, rows.len()))));
            })
            .unwrap();
        let (bad, good): (Vec<_>, Vec<_>) = lent.into_iter().partition(|(i, _)| *i == 1);
        corrupt_hash(bad.into_iter().next().unwrap().1.map(drop));
        for (i, read) in good {
            assert_eq!(read.unwrap().1, 6, "stream {i} reads back beside it");
        }
    }

    #[test]
    fn loading_a_case_whose_rows_were_edited_is_refused() {
        use grassroots::journal::{execute, load};
        use grassroots::workflow::Context;
        use support::ticket::{Command, Ticket};

        let (dir, store) = support::stores::sqlite();
        let tenant = support::stores::tenant("load-tampered");
        let id: grassroots::CaseId = "T-9".parse().unwrap();
        let worker =
            grassroots::Actor::new("gw-7".parse().unwrap()).with_role(grassroots::Role::GridWorker);
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        for command in [Command::Open, Command::Hold] {
            execute(
                &store,
                &tenant,
                &Ticket,
                &id,
                &command,
                &Context::new(at, &worker),
                0,
            )
            .unwrap();
        }
        assert_eq!(
            load::<Ticket, _>(&store, &tenant, &id).unwrap().version(),
            2
        );

        let sql = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
        sql.execute(
            "UPDATE journal_events SET actor = 'mallory' WHERE tenant = ?1 AND version = 1",
            [tenant.as_str()],
        )
        .unwrap();
        match load::<Ticket, _>(&store, &tenant, &id) {
            Err(JournalError::Tampered { version, .. }) => assert_eq!(version, 1),
            other => panic!("expected the tampering to be refused, got {other:?}"),
        }
    }

    #[test]
    fn a_payload_that_is_no_longer_json_names_stream_version_and_type() {
        let (dir, store) = support::stores::sqlite();
        let key = six_events(&store, &support::stores::tenant("not-json"));
        let sql = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
        sql.execute(
            "UPDATE journal_events SET payload = '{not json' WHERE version = 4",
            [],
        )
        .unwrap();
        match store.read_stream(&key, 0) {
            Err(JournalError::Decode {
                stream,
                version,
                event_type,
                ..
            }) => {
                assert_eq!(stream, key);
                assert_eq!(version, 4);
                assert_eq!(&*event_type, "Noted");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;

    struct Postgres(::postgres::Client);

    impl Sql for Postgres {
        fn exec(&mut self, sql: &str) {
            self.0.batch_execute(sql).unwrap();
        }
        fn positions(&mut self, key: &StreamKey) -> Vec<i64> {
            self.0
                .query(
                    "SELECT position FROM journal_events
                     WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3 ORDER BY version",
                    &[
                        &key.tenant.as_str(),
                        &key.stream_type.as_str(),
                        &key.id.as_str(),
                    ],
                )
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect()
        }
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn every_kind_of_sql_tampering_is_reported() {
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let store = support::stores::postgres().unwrap();
        let mut sql = Postgres(::postgres::Client::connect(&url, ::postgres::NoTls).unwrap());
        sql_scenarios(&store, &mut sql);
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn a_truncated_tail_is_reported_against_the_anchor() {
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let store = support::stores::postgres().unwrap();
        let mut sql = Postgres(::postgres::Client::connect(&url, ::postgres::NoTls).unwrap());
        a_truncated_tail_is_reported_against_the_anchor_and_not_continued(&store, &mut sql);
        a_rewritten_anchor_is_what_the_anchor_cannot_prove(&store, &mut sql);
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn a_row_that_does_not_read_back_does_not_block_the_feed() {
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let store = support::stores::postgres().unwrap();
        let mut sql = Postgres(::postgres::Client::connect(&url, ::postgres::NoTls).unwrap());
        a_row_that_does_not_read_back_is_skipped_by_the_feed(&store, &mut sql);
    }
}
