//! The journal handle's cache: a command on a case it has seen reads no
//! event, and an entry the store no longer agrees with is never trusted.

mod support {
    pub mod stores;
    pub mod ticket;
}

use std::cell::Cell;

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{
    self, Appended, DueEntry, DueQuery, DueUpdate, EventStore, FeedPage, Journal, JournalError,
    MemoryStore, NewEvent, StoredEvent, StreamHead, StreamKey, StreamType,
};
use grassroots::workflow::Context;
use support::ticket::{Command, State, Ticket};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// Two stores behind one face, switched by the test (a database restored
/// from a backup, say), counting the events read.
struct Switch {
    stores: [MemoryStore; 2],
    current: Cell<usize>,
    rows_read: Cell<usize>,
}

impl Switch {
    fn new() -> Self {
        Self {
            stores: [support::stores::memory(), support::stores::memory()],
            current: Cell::new(0),
            rows_read: Cell::new(0),
        }
    }
    fn store(&self) -> &MemoryStore {
        &self.stores[self.current.get()]
    }
}

impl EventStore for Switch {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        self.store()
            .append_with_due(stream, expected_version, events, due)
    }
    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        self.store().due(query)
    }
    fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
        self.store().claim_due(query, lease)
    }
    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        self.store().replace_due(tenant, stream_type, entries)
    }
    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        let rows = self.store().read_stream(stream, after)?;
        self.rows_read.set(self.rows_read.get() + rows.len());
        Ok(rows)
    }
    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage, JournalError> {
        self.store().read_feed(tenant, after, limit)
    }
    fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        self.store().anchor(stream)
    }
    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        self.store().stream_version(stream)
    }
    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        self.store().list_streams(tenant, stream_type, after, limit)
    }
}

fn worker() -> Actor {
    Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker)
}

#[test]
fn a_command_on_a_cached_case_reads_no_event() {
    let store = Switch::new();
    let worker = worker();
    let ctx = |hours| Context::new(t0() + Duration::hours(hours), &worker);
    let journal = Journal::new(&store, "longgang".parse().unwrap());
    let id: CaseId = "T-1".parse().unwrap();
    journal
        .handle(&Ticket, &id, &Command::Open, &ctx(0))
        .unwrap();
    journal
        .handle(&Ticket, &id, &Command::Hold, &ctx(1))
        .unwrap();
    store.rows_read.set(0);
    let done = journal
        .handle(&Ticket, &id, &Command::Resume, &ctx(2))
        .unwrap();
    assert_eq!(done.case.version(), 3);
    assert_eq!(store.rows_read.get(), 0, "the cache was not used");
    assert_eq!(journal.load::<Ticket>(&id).unwrap(), done.case);
    assert_eq!(store.rows_read.get(), 0);

    let uncached = Journal::new(&store, "longgang".parse().unwrap()).with_cache(0);
    assert_eq!(uncached.load::<Ticket>(&id).unwrap(), done.case);
    assert_eq!(store.rows_read.get(), 3, "no cache reads every event");
    assert_eq!(uncached.cached(), 0);
}

#[test]
fn a_cached_case_the_store_went_back_on_is_read_again() {
    let store = Switch::new();
    let worker = worker();
    let ctx = |hours| Context::new(t0() + Duration::hours(hours), &worker);
    let tenant: TenantId = "longgang".parse().unwrap();
    let id: CaseId = "T-1".parse().unwrap();
    // The "backup": the case opened only.
    let backup = Journal::new(&store.stores[1], tenant.clone());
    backup
        .handle(&Ticket, &id, &Command::Open, &ctx(0))
        .unwrap();

    let journal = Journal::new(&store, tenant.clone());
    journal
        .handle(&Ticket, &id, &Command::Open, &ctx(0))
        .unwrap();
    let held = journal
        .handle(&Ticket, &id, &Command::Hold, &ctx(1))
        .unwrap();
    assert_eq!(held.case.version(), 2);

    // Restored: the store is behind the cache.
    store.current.set(1);
    let loaded = journal.load::<Ticket>(&id).unwrap();
    assert_eq!(loaded.version(), 1, "the stale entry was trusted");
    assert_eq!(
        loaded,
        journal::load::<Ticket, _>(&store, &tenant, &id).unwrap()
    );

    // Another history at the same version: the head differs.
    store.current.set(0);
    let other: CaseId = "T-2".parse().unwrap();
    journal
        .handle(&Ticket, &other, &Command::Open, &ctx(0))
        .unwrap();
    journal
        .handle(&Ticket, &other, &Command::Hold, &ctx(1))
        .unwrap();
    backup
        .handle(&Ticket, &other, &Command::Open, &ctx(0))
        .unwrap();
    backup
        .handle(&Ticket, &other, &Command::Resolve, &ctx(1))
        .unwrap();
    store.current.set(1);
    let loaded = journal.load::<Ticket>(&other).unwrap();
    assert_eq!(loaded.version(), 2);
    assert_eq!(
        loaded,
        journal::load::<Ticket, _>(&store, &tenant, &other).unwrap()
    );
    assert!(
        matches!(loaded.state(), State::Resolved),
        "{:?}",
        loaded.state()
    );
}

#[test]
fn a_journal_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Journal<MemoryStore>>();
    assert_send_sync::<Journal<std::sync::Arc<MemoryStore>>>();
}

#[test]
fn find_tells_an_unknown_case_from_a_recorded_one() {
    let store = MemoryStore::new();
    let worker = worker();
    let journal = Journal::new(&store, "longgang".parse().unwrap());
    let id: CaseId = "T-1".parse().unwrap();
    let typo: CaseId = "T-l".parse().unwrap();
    journal
        .handle(&Ticket, &id, &Command::Open, &Context::new(t0(), &worker))
        .unwrap();
    let found = journal.find::<Ticket>(&id).unwrap().expect("recorded");
    assert_eq!(found, journal.load::<Ticket>(&id).unwrap());
    assert_eq!(found.version(), 1);
    assert!(journal.find::<Ticket>(&typo).unwrap().is_none());
    // `load` still gives the unknown case as a new one, ready for a command.
    assert_eq!(journal.load::<Ticket>(&typo).unwrap().version(), 0);
    // Another tenant's journal does not find it.
    let other = Journal::new(&store, "futian".parse().unwrap());
    assert!(other.find::<Ticket>(&id).unwrap().is_none());
}
