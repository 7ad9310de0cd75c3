//! The feed the projection runner reads: rows whose payload is kept as
//! JSON text (`EventStore::read_feed_rows`), decoded straight into the
//! workflow's events by the case index. The rows are the feed's events;
//! a row that is not JSON is set aside and reported as before; a row that
//! is JSON but not the event stored beside it stops the catch-up with a
//! typed error, its page not committed.

mod support {
    pub mod stores;
    pub mod ticket;
}

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::TenantId;
use grassroots::journal::read::{
    CaseIndex, CaseKey, CaseQueries, Projection, ProjectionError, ReadStore, Runner,
};
use grassroots::journal::{EventStore, Journal, JournalError, StoredEvent, StreamKey};
use grassroots::workflow::Context;
use support::ticket::{Command, Ticket};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// Four tickets, seven events; T-3's second event (Held) is the fourth
/// of the log.
fn four_tickets(store: &dyn EventStore, tenant: &TenantId) {
    let journal = Journal::new(store, tenant.clone());
    let worker = Actor::new("gw-1".parse().unwrap()).with_role(Role::GridWorker);
    let send = |id: &str, hours: i64, command: Command| {
        let ctx = Context::new(t0() + Duration::hours(hours), &worker);
        journal
            .handle(&Ticket, &id.parse().unwrap(), &command, &ctx)
            .unwrap();
    };
    send("T-1", 0, Command::Open);
    send("T-2", 1, Command::Open);
    send("T-3", 2, Command::Open);
    send("T-3", 3, Command::Hold);
    send("T-4", 4, Command::Open);
    send("T-4", 5, Command::Resolve);
    send("T-1", 6, Command::Hold);
}

fn key(id: &str) -> CaseKey {
    CaseKey {
        stream_type: "ticket".parse().unwrap(),
        id: id.parse().unwrap(),
    }
}

/// Page by page, at every page size: the same positions, the same rows
/// set aside, and each row holds its event's columns (the lean ones).
fn the_feed_rows_are_the_feed_events_with_their_payload_as_text(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    four_tickets(store, &tenant);
    for limit in [1, 3, 100] {
        let (mut after, mut seen) = (0, 0);
        loop {
            let events = store.read_feed(&tenant, after, limit).unwrap();
            let rows = store.read_feed_rows(&tenant, after, limit).unwrap();
            assert_eq!(rows.next_after, events.next_after);
            assert!(rows.skipped.is_empty() && events.skipped.is_empty());
            assert_eq!(rows.events.len(), events.events.len());
            for (row, event) in rows.events.iter().zip(&events.events) {
                assert_eq!(row.position, event.position);
                assert_eq!(row.stream, event.stream);
                assert_eq!(row.version, event.version);
                assert_eq!(row.event_type, event.event_type);
                assert_eq!(row.schema_version, event.schema_version);
                assert_eq!(row.actor, event.actor);
                assert_eq!(row.correlation, event.correlation);
                assert_eq!(row.occurred_at, event.occurred_at);
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(row.payload.get()).unwrap(),
                    event.payload
                );
            }
            if events.next_after == after {
                break;
            }
            seen += events.events.len();
            after = events.next_after;
        }
        assert_eq!(seen, 7, "page size {limit}");
    }
}

/// A projection that takes stored events (the default): it keeps what
/// the lean feed leaves out — each event's id, recorded time and hash —
/// by position.
#[derive(Default)]
struct Ids {
    seen: Vec<(u64, String, DateTime<Utc>, String)>,
}

impl Ids {
    fn of(event: &StoredEvent) -> (u64, String, DateTime<Utc>, String) {
        (
            event.position,
            event.event_id.to_string(),
            event.recorded_at,
            event.hash.to_string(),
        )
    }
}

impl<R: ReadStore> Projection<R> for Ids {
    fn name(&self) -> &str {
        "ids"
    }
    fn schema_version(&self) -> u32 {
        1
    }
    fn setup(&mut self, _: &mut R::Tx<'_>) -> Result<(), ProjectionError> {
        Ok(())
    }
    fn apply(
        &mut self,
        _: &mut R::Tx<'_>,
        event: &StoredEvent,
        _: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        self.seen.push(Self::of(event));
        Ok(())
    }
    fn clear(&mut self, _: &mut R::Tx<'_>, _: &TenantId) -> Result<(), ProjectionError> {
        Ok(())
    }
}

/// A projection that does not take rows is handed every stored event,
/// with the columns the lean feed leaves out; handed a row anyway
/// (`apply_row`'s default), it gets the row's stored event.
fn a_projection_that_takes_stored_events_gets_every_column<R: ReadStore>(
    store: &dyn EventStore,
    tenant: TenantId,
    read: R,
) {
    four_tickets(store, &tenant);
    let all: Vec<_> = store
        .read_feed(&tenant, 0, 100)
        .unwrap()
        .events
        .iter()
        .map(Ids::of)
        .collect();
    assert_eq!(all.len(), 7);
    let runner = Runner::new(store, tenant.clone(), read).with_page(3);
    let mut ids = Ids::default();
    assert!(!<Ids as Projection<R>>::reads_rows(&ids));
    assert_eq!(runner.catch_up(&mut ids).unwrap().events, 7);
    assert_eq!(ids.seen, all);
    let mut by_rows = Ids::default();
    for row in store.read_feed_rows(&tenant, 0, 100).unwrap().events {
        runner
            .read_store()
            .in_transaction(|tx| <Ids as Projection<R>>::apply_row(&mut by_rows, tx, &row, store))
            .unwrap();
    }
    assert_eq!(by_rows.seen, all);
}

mod memory {
    #[test]
    fn a_projection_that_takes_stored_events_gets_every_column() {
        let store = crate::support::stores::memory();
        let tenant = crate::support::stores::tenant("ids-memory");
        super::a_projection_that_takes_stored_events_gets_every_column(
            &store,
            tenant,
            grassroots::journal::read::MemoryReadStore::new(),
        );
    }

    #[test]
    fn the_feed_rows_are_the_feed_events_with_their_payload_as_text() {
        let store = crate::support::stores::memory();
        let tenant = crate::support::stores::tenant("rows-memory");
        super::the_feed_rows_are_the_feed_events_with_their_payload_as_text(&store, tenant);
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use grassroots::journal::SqliteStore;
    use grassroots::journal::read::SqliteReadStore;

    #[test]
    fn the_feed_rows_are_the_feed_events_with_their_payload_as_text() {
        let (_dir, store) = crate::support::stores::sqlite();
        let tenant = crate::support::stores::tenant("rows-sqlite");
        super::the_feed_rows_are_the_feed_events_with_their_payload_as_text(&store, tenant);
    }

    #[test]
    fn a_projection_that_takes_stored_events_gets_every_column() {
        let (dir, store) = crate::support::stores::sqlite();
        let tenant = crate::support::stores::tenant("ids-sqlite");
        let read = SqliteReadStore::open(dir.path().join("read.db")).unwrap();
        super::a_projection_that_takes_stored_events_gets_every_column(&store, tenant, read);
    }

    /// The lean feed does not read a row's event id: a damaged one sets the
    /// row aside from `read_feed` (and from a projection taking stored
    /// events) but not from the case index, which takes nothing from it.
    #[test]
    fn a_damaged_event_id_is_set_aside_only_where_it_is_read() {
        let (dir, store, tenant, bad) = damaged("event-id", "event_id", " ");
        let page = store.read_feed(&tenant, 0, 100).unwrap();
        assert_eq!(page.skipped.len(), 1);
        assert!(matches!(
            page.skipped[0].error,
            JournalError::Corrupt {
                column: "event_id",
                ..
            }
        ));
        let rows = store.read_feed_rows(&tenant, 0, 100).unwrap();
        assert!(rows.skipped.is_empty());
        assert_eq!(rows.events.len(), 7);
        let read = SqliteReadStore::open(dir.path().join("read.db")).unwrap();
        let runner = Runner::new(&store, tenant.clone(), read);
        let mut ids = super::Ids::default();
        let done = runner.catch_up(&mut ids).unwrap();
        assert_eq!((done.events, done.skipped), (6, vec![bad]));
        // Handed the lean row anyway, `apply_row`'s default reads the stored
        // event again and gets the error `read_feed` sets it aside with.
        let row = rows.events.iter().find(|r| r.position == bad).unwrap();
        let error = runner
            .read_store()
            .in_transaction(|tx| {
                <super::Ids as Projection<SqliteReadStore>>::apply_row(&mut ids, tx, row, &store)
            })
            .unwrap_err();
        assert!(
            matches!(&error, ProjectionError::Journal(e) if matches!(**e, JournalError::Corrupt { column: "event_id", .. })),
            "{error:?}"
        );
        let mut index = CaseIndex::new().with::<Ticket>();
        let done = runner.catch_up(&mut index).unwrap();
        assert_eq!((done.events, done.skipped), (7, vec![]));
        let t3 = runner.read_store().case(&tenant, &key("T-3")).unwrap();
        assert_eq!(
            t3.map(|row| (row.state, row.version)),
            Some(("OnHold".into(), 2))
        );
        // A row gone from the log since it was read: a typed error too.
        let last = rows.events.last().unwrap();
        let sql = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
        sql.execute(
            "DELETE FROM journal_events WHERE position = ?1",
            [i64::try_from(last.position).unwrap()],
        )
        .unwrap();
        let error = runner
            .read_store()
            .in_transaction(|tx| {
                <super::Ids as Projection<SqliteReadStore>>::apply_row(&mut ids, tx, last, &store)
            })
            .unwrap_err();
        assert!(
            matches!(&error, ProjectionError::Journal(e) if matches!(**e, JournalError::Corrupt { column: "position", .. })),
            "{error:?}"
        );
        assert_eq!(ids.seen.len(), 6, "nothing applied by the failed calls");
    }

    /// The lean feed of a file holding one tenant's events (read in
    /// position order from the table) and of a file shared by two (read
    /// through the tenant's index): each tenant's rows, as `read_feed`
    /// pages them, at every page size.
    #[test]
    fn the_lean_feed_of_a_shared_file_is_each_tenants_own() {
        let (_dir, store) = crate::support::stores::sqlite();
        let (one, other) = (
            crate::support::stores::tenant("shared-one"),
            crate::support::stores::tenant("shared-other"),
        );
        let same = |tenant: &TenantId| {
            for limit in [1, 3, 100] {
                let mut after = 0;
                loop {
                    let events = store.read_feed(tenant, after, limit).unwrap();
                    let rows = store.read_feed_rows(tenant, after, limit).unwrap();
                    assert_eq!(rows.next_after, events.next_after);
                    assert_eq!(rows.events.len(), events.events.len());
                    for (row, event) in rows.events.iter().zip(&events.events) {
                        assert_eq!(row.position, event.position);
                        assert_eq!(row.stream, event.stream);
                        assert_eq!(row.stream.tenant, *tenant);
                    }
                    if events.next_after == after {
                        break;
                    }
                    after = events.next_after;
                }
            }
            store.read_feed_rows(tenant, 0, 100).unwrap().events.len()
        };
        four_tickets(&store, &one);
        assert_eq!(same(&one), 7, "one tenant in the file");
        assert_eq!(same(&other), 0);
        four_tickets(&store, &other);
        let journal = Journal::new(&store, one.clone());
        let worker = Actor::new("gw-1".parse().unwrap()).with_role(Role::GridWorker);
        let ctx = Context::new(t0() + Duration::hours(9), &worker);
        journal
            .handle(&Ticket, &"T-9".parse().unwrap(), &Command::Open, &ctx)
            .unwrap();
        assert_eq!(same(&one), 8, "two tenants, interleaved");
        assert_eq!(same(&other), 7);
    }

    /// The journal with four tickets, T-3's Held payload replaced by
    /// `payload` behind the store's back; the position of that row.
    fn poisoned(payload: &str) -> (tempfile::TempDir, SqliteStore, TenantId, u64) {
        damaged("poisoned", "payload", payload)
    }

    /// The journal of tenant `name` with four tickets, `column` of T-3's
    /// Held row set to `value` behind the store's back; the position of
    /// that row.
    fn damaged(
        name: &str,
        column: &str,
        value: &str,
    ) -> (tempfile::TempDir, SqliteStore, TenantId, u64) {
        let (dir, store) = crate::support::stores::sqlite();
        let tenant = crate::support::stores::tenant(name);
        four_tickets(&store, &tenant);
        let sql = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
        let position: i64 = sql
            .query_row(
                "SELECT e.position FROM journal_events AS e
                 JOIN journal_streams AS s ON s.stream_key = e.stream_key
                 WHERE e.tenant = ?1 AND s.stream_id = 'T-3' AND e.version = 2",
                [tenant.as_str()],
                |row| row.get(0),
            )
            .unwrap();
        sql.execute(
            &format!("UPDATE journal_events SET {column} = ?1 WHERE position = ?2"),
            rusqlite::params![value, position],
        )
        .unwrap();
        (dir, store, tenant, u64::try_from(position).unwrap())
    }

    fn index_position(runner: &Runner<&SqliteStore, SqliteReadStore>) -> u64 {
        let index = CaseIndex::new().with::<Ticket>();
        runner.position(&index).unwrap()
    }

    /// Not JSON, or JSON nested deeper than serde_json reads: the feed sets
    /// the row aside, the catch-up reports it and applies the rest.
    #[test]
    fn a_payload_that_does_not_read_back_is_reported_and_passed_over() {
        let deep = format!("{}1{}", "[".repeat(130), "]".repeat(130));
        for payload in ["not json", "{\"Held\"", deep.as_str()] {
            let (dir, store, tenant, bad) = poisoned(payload);
            let rows = store.read_feed_rows(&tenant, 0, 100).unwrap();
            assert_eq!(rows.skipped.len(), 1, "{payload}");
            assert_eq!(rows.skipped[0].position, bad);
            assert!(
                matches!(
                    rows.skipped[0].error,
                    JournalError::Decode { version: 2, .. }
                ),
                "{:?}",
                rows.skipped[0].error
            );
            let read = SqliteReadStore::open(dir.path().join("read.db")).unwrap();
            let runner = Runner::new(&store, tenant.clone(), read);
            let mut index = CaseIndex::new().with::<Ticket>();
            let done = runner.catch_up(&mut index).unwrap();
            assert_eq!((done.events, done.skipped), (6, vec![bad]));
            let t3 = runner.read_store().case(&tenant, &key("T-3")).unwrap();
            assert_eq!(
                t3.map(|row| (row.state, row.version)),
                Some(("Open".into(), 1))
            );
            let t1 = runner.read_store().case(&tenant, &key("T-1")).unwrap();
            assert_eq!(
                t1.map(|row| (row.state, row.version)),
                Some(("OnHold".into(), 2))
            );
        }
    }

    /// JSON that is not the event stored beside it (another event type, or
    /// no event at all): the catch-up stops with the decoder's typed error
    /// and the page holding it is not committed.
    #[test]
    fn a_payload_that_is_not_its_event_stops_the_catch_up_with_a_typed_error() {
        for payload in ["{\"Nope\":1}", "\"Resolved\"", "{\"Opened\":{}}"] {
            let (dir, store, tenant, bad) = poisoned(payload);
            let read = SqliteReadStore::open(dir.path().join("read.db")).unwrap();
            // One event per page: the pages before the bad row commit.
            let runner = Runner::new(&store, tenant.clone(), read).with_page(1);
            let mut index = CaseIndex::new().with::<Ticket>();
            let error = runner.catch_up(&mut index).unwrap_err();
            match &error {
                ProjectionError::Journal(e) => assert!(
                    matches!(
                        **e,
                        JournalError::Decode { version: 2, .. }
                            | JournalError::EventTypeMismatch { version: 2, .. }
                    ),
                    "{payload}: {e:?}"
                ),
                other => panic!("{payload}: expected a journal error, got {other:?}"),
            }
            assert_eq!(index_position(&runner), bad - 1, "{payload}");
            let t3 = runner.read_store().case(&tenant, &key("T-3")).unwrap();
            assert_eq!(t3.map(|row| row.version), Some(1));
            // Again, in one page: nothing of it is committed.
            let read = SqliteReadStore::open(dir.path().join("read-2.db")).unwrap();
            let runner = Runner::new(&store, tenant.clone(), read);
            let mut index = CaseIndex::new().with::<Ticket>();
            assert!(runner.catch_up(&mut index).is_err());
            assert_eq!(index_position(&runner), 0);
            assert_eq!(
                runner.read_store().case(&tenant, &key("T-1")).unwrap(),
                None
            );
        }
    }

    /// More cases than one statement writes: the chunked writes of a
    /// page's rows leave every case's row, and a second page rewrites
    /// them.
    #[test]
    fn a_page_of_many_cases_writes_every_row() {
        let (dir, store) = crate::support::stores::sqlite();
        let tenant = crate::support::stores::tenant("many");
        let journal = Journal::new(&store, tenant.clone());
        let worker = Actor::new("gw-1".parse().unwrap()).with_role(Role::GridWorker);
        let ctx = Context::new(t0(), &worker);
        // 64 + 64 + 8 + 8 + 1 + 1 + 1 cases: every chunk size.
        let cases = 147;
        for n in 0..cases {
            let id = format!("T-{n:03}").parse().unwrap();
            journal.handle(&Ticket, &id, &Command::Open, &ctx).unwrap();
        }
        for n in (0..cases).step_by(2) {
            let id = format!("T-{n:03}").parse().unwrap();
            journal.handle(&Ticket, &id, &Command::Hold, &ctx).unwrap();
        }
        let read = SqliteReadStore::open(dir.path().join("read.db")).unwrap();
        // A first page of every opening and three holds, a second of the
        // other holds, rewriting rows the first wrote.
        let runner = Runner::new(&store, tenant.clone(), read).with_page(150);
        let mut index = CaseIndex::new().with::<Ticket>();
        assert_eq!(runner.catch_up(&mut index).unwrap().events, 147 + 74);
        for n in 0..cases {
            let id = format!("T-{n:03}");
            let row = runner
                .read_store()
                .case(&tenant, &key(&id))
                .unwrap()
                .unwrap();
            let stream = StreamKey::new(
                tenant.clone(),
                "ticket".parse().unwrap(),
                id.parse().unwrap(),
            );
            let case = grassroots::journal::load::<Ticket, _>(&store, &tenant, &stream.id).unwrap();
            let (expected, _) = grassroots::journal::read::expected_rows(&case).unwrap();
            assert_eq!(row, expected);
        }
        // The count in SQL: one row per case, none twice.
        let rows: i64 = runner
            .read_store()
            .in_transaction(|tx| {
                Ok(tx
                    .query_row(
                        "SELECT count(*) FROM grassroots_case_index WHERE tenant = ?1",
                        [tenant.as_str()],
                        |row| row.get(0),
                    )
                    .unwrap())
            })
            .unwrap();
        assert_eq!(rows, 147);
    }
}
