//! The due index and the sweeper on every backend: the index moves with each
//! append, closed cases leave it, pages are oldest first, the rebuild equals
//! the kept index, the sweeper ticks each due case once and reports the ones
//! it cannot tick; several sweepers at once record each timer exactly once;
//! a sweeper killed mid-sweep loses nothing.

mod support {
    pub mod stores;
    pub mod ticket;
}

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeDelta, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{
    self, DueEntry, DueQuery, DueUpdate, EventStore, JournalError, NewEvent, StreamKey, StreamType,
    SweepError, SweepOptions, Sweeper,
};
use grassroots::workflow::Context;
use serde_json::json;
use support::ticket::{Command, REMIND_AFTER_HOURS, Ticket};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn ticket() -> StreamType {
    "ticket".parse().unwrap()
}

fn worker() -> Actor {
    Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker)
}

fn case(n: usize) -> CaseId {
    format!("T-{n:04}").parse().unwrap()
}

fn key(tenant: &TenantId, n: usize) -> StreamKey {
    StreamKey::new(tenant.clone(), ticket(), case(n))
}

/// Opens ticket `n` at `t0 + n minutes`: due 72 hours later.
fn open(store: &dyn EventStore, tenant: &TenantId, n: usize) -> DateTime<Utc> {
    let at = t0() + Duration::minutes(n as i64);
    let worker = worker();
    journal::execute(
        store,
        tenant,
        &Ticket,
        &case(n),
        &Command::Open,
        &Context::new(at, &worker),
        3,
    )
    .unwrap();
    at + Duration::hours(REMIND_AFTER_HOURS)
}

fn send(store: &dyn EventStore, tenant: &TenantId, n: usize, command: Command, actor: &Actor) {
    let at = t0() + Duration::hours(200);
    journal::execute(
        store,
        tenant,
        &Ticket,
        &case(n),
        &command,
        &Context::new(at, actor),
        3,
    )
    .unwrap();
}

fn index(store: &dyn EventStore, tenant: &TenantId) -> Vec<DueEntry> {
    journal::due_entries(store, tenant, &ticket()).unwrap()
}

/// How many `Reminded` events each ticket of the tenant holds.
fn reminders(store: &dyn EventStore, tenant: &TenantId) -> BTreeMap<CaseId, usize> {
    let mut out = BTreeMap::new();
    for row in store.read_all(tenant, 0, usize::MAX).unwrap() {
        let count = out.entry(row.stream.id.clone()).or_insert(0);
        if row.event_type == "Reminded" {
            *count += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The rules, run on every backend.
// ---------------------------------------------------------------------------

fn an_append_moves_the_index_and_a_closed_case_leaves_it(store: &dyn EventStore, tenant: TenantId) {
    let due = open(store, &tenant, 1);
    assert_eq!(
        index(store, &tenant),
        [DueEntry {
            due,
            stream: key(&tenant, 1)
        }]
    );
    // A reminder ends the timer: the case leaves the index.
    send(store, &tenant, 1, Command::Tick, &Actor::system());
    assert!(index(store, &tenant).is_empty());
    // Another ticket, put on hold: nothing pending, no entry.
    open(store, &tenant, 2);
    send(store, &tenant, 2, Command::Hold, &worker());
    assert!(index(store, &tenant).is_empty());
    // Resumed: due again, 72 hours from the resumption.
    send(store, &tenant, 2, Command::Resume, &worker());
    let resumed = t0() + Duration::hours(200 + REMIND_AFTER_HOURS);
    assert_eq!(index(store, &tenant)[0].due, resumed);
    // Cancelled (terminal): gone.
    let party = Actor::new("p-1".parse().unwrap()).with_role(Role::Party);
    send(store, &tenant, 2, Command::Cancel, &party);
    assert!(index(store, &tenant).is_empty());
}

fn pages_are_oldest_first_and_stop_at_the_time_asked(store: &dyn EventStore, tenant: TenantId) {
    // Opened in reverse order of their number: due times go down as ids go up.
    let mut due = Vec::new();
    for n in (0..23).rev() {
        let at = t0() + Duration::minutes(100 - n as i64);
        journal::execute(
            store,
            &tenant,
            &Ticket,
            &case(n),
            &Command::Open,
            &Context::new(at, &worker()),
            3,
        )
        .unwrap();
        due.push(DueEntry {
            due: at + Duration::hours(REMIND_AFTER_HOURS),
            stream: key(&tenant, n),
        });
    }
    due.sort();
    let until = due[16].due;
    let mut query = DueQuery::new(tenant.clone(), ticket(), until).limit(5);
    let mut read = Vec::new();
    loop {
        let page = store.due(&query).unwrap();
        assert!(page.len() <= 5);
        let Some(last) = page.last() else { break };
        query = query.after(last);
        read.extend(page);
    }
    assert_eq!(read, due[..17]);
    // Other tenants and stream types see nothing.
    let other = DueQuery::new(
        support::stores::tenant("other"),
        ticket(),
        DateTime::<Utc>::MAX_UTC,
    );
    assert!(store.due(&other).unwrap().is_empty());
    let dispute = DueQuery::new(tenant, "dispute".parse().unwrap(), DateTime::<Utc>::MAX_UTC);
    assert!(store.due(&dispute).unwrap().is_empty());
}

fn ids_due_at_one_instant_page_in_byte_order_however_long_their_shared_prefix(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    // Short ids whose later bytes disagree with their first, ids that
    // share 16 bytes and more, ids that are prefixes of others, and
    // non-ASCII bytes after a long shared head: all due at one instant
    // (two at another), read back in pages of two, in `(due, id)` order.
    let ids = [
        "LG-2026-0000000000-b",
        "LG-2026-0000000000",
        "LG-2026-0000000000-a",
        "LG-2026-000000000",
        "LG-2026-0000000000中",
        "LG-2026-00000000009",
        "LG-2026-0000000001",
        "LG-2026-0000000000-a-long-tail-after-the-prefix",
        "A",
        "B-1",
        "A-2",
        "T-10",
        "T-9",
        "T-1",
        "LG-2026-0000000000 ",
        "LG-2026-000000000~",
    ];
    let at = t0();
    let mut expected = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let stream = StreamKey::new(tenant.clone(), ticket(), id.parse().unwrap());
        let due = if n % 5 == 4 {
            at
        } else {
            at + Duration::hours(1)
        };
        let opened = NewEvent::new(
            format!("e-{n}").parse().unwrap(),
            "Opened",
            json!("Opened"),
            "gw-7".parse().unwrap(),
            at,
        );
        store
            .append_with_due(&stream, 0, &[opened], DueUpdate::At(due))
            .unwrap();
        expected.push(DueEntry { due, stream });
    }
    expected.sort();
    let until = at + Duration::hours(1);
    let mut query = DueQuery::new(tenant.clone(), ticket(), until).limit(2);
    let mut read = Vec::new();
    while let Some(last) = store.due(&query).unwrap().last().cloned() {
        read.extend(store.due(&query).unwrap());
        query = query.after(&last);
    }
    assert_eq!(read, expected);
    // A claim walks the same order and leases what it takes.
    let mut query = DueQuery::new(tenant, ticket(), until).limit(3);
    let mut claimed = Vec::new();
    loop {
        let page = store.claim_due(&query, TimeDelta::minutes(5)).unwrap();
        let Some(last) = page.last() else { break };
        query = query.after(last);
        claimed.extend(page);
    }
    assert_eq!(claimed, expected);
}

fn the_rebuild_equals_the_kept_index(store: &dyn EventStore, tenant: TenantId) {
    for n in 0..12 {
        open(store, &tenant, n);
    }
    for n in (0..12).step_by(3) {
        send(store, &tenant, n, Command::Tick, &Actor::system());
    }
    send(store, &tenant, 1, Command::Hold, &worker());
    send(store, &tenant, 4, Command::Resolve, &worker());
    let kept = index(store, &tenant);
    assert_eq!(kept.len(), 6);
    store.replace_due(&tenant, &ticket(), &[]).unwrap();
    assert!(index(store, &tenant).is_empty());
    let rebuilt = journal::rebuild_due_index::<Ticket, _>(store, &tenant).unwrap();
    assert_eq!((rebuilt.indexed, rebuilt.idle), (6, 6));
    assert!(rebuilt.failed.is_empty());
    assert_eq!(index(store, &tenant), kept);
}

fn a_plain_append_keeps_the_index_and_an_empty_one_can_correct_it(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let due = open(store, &tenant, 1);
    let stream = key(&tenant, 1);
    let note = NewEvent::new(
        "imported-1".parse().unwrap(),
        "Held",
        json!("Held"),
        "gw-7".parse().unwrap(),
        t0(),
    );
    store.append(&stream, 1, &[note]).unwrap();
    assert_eq!(index(store, &tenant)[0].due, due, "kept as it was");
    // An empty append checks the version and writes only the index.
    let stale = store.append_with_due(&stream, 1, &[], DueUpdate::Clear);
    assert!(matches!(stale, Err(JournalError::VersionConflict { .. })));
    assert_eq!(index(store, &tenant).len(), 1);
    store
        .append_with_due(&stream, 2, &[], DueUpdate::Clear)
        .unwrap();
    assert!(index(store, &tenant).is_empty());
    assert_eq!(store.stream_version(&stream).unwrap(), 2);
}

/// A due entry for a stream that has no event yet (an empty append at
/// version 0, or a replaced index) is kept and moved like any other, and
/// the stream stays unlisted, at version 0, with no anchor, until its first
/// event; replacing the index takes the entry out again.
fn a_stream_with_an_entry_but_no_event_is_not_listed(store: &dyn EventStore, tenant: TenantId) {
    let stream = key(&tenant, 5);
    store
        .append_with_due(&stream, 0, &[], DueUpdate::At(t0()))
        .unwrap();
    assert_eq!(index(store, &tenant).len(), 1);
    assert!(
        store
            .list_streams(&tenant, &ticket(), None, 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.stream_version(&stream).unwrap(), 0);
    assert!(store.anchor(&stream).unwrap().is_none());
    assert!(store.read_stream(&stream, 0).unwrap().is_empty());
    // It moves, and it is found again when it moves back.
    store
        .append_with_due(&stream, 0, &[], DueUpdate::At(t0() + Duration::hours(1)))
        .unwrap();
    let moved = index(store, &tenant);
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].due, t0() + Duration::hours(1));
    // A replaced index holds only what it was given; an entry for another
    // stream without events is kept the same way.
    let other = DueEntry {
        stream: key(&tenant, 6),
        due: t0(),
    };
    store
        .replace_due(&tenant, &ticket(), std::slice::from_ref(&other))
        .unwrap();
    assert_eq!(index(store, &tenant), [other]);
    assert!(
        store
            .list_streams(&tenant, &ticket(), None, 10)
            .unwrap()
            .is_empty()
    );
    // The stream's first event comes after its entry, which it keeps.
    let first = open(store, &tenant, 6);
    assert_eq!(
        store.list_streams(&tenant, &ticket(), None, 10).unwrap(),
        [case(6)]
    );
    assert_eq!(index(store, &tenant).len(), 1);
    assert_eq!(index(store, &tenant)[0].due, first);
    store.replace_due(&tenant, &ticket(), &[]).unwrap();
    assert!(index(store, &tenant).is_empty());
    // The emptied entry of the first stream is not found again either.
    store
        .append_with_due(&stream, 0, &[], DueUpdate::Clear)
        .unwrap();
    assert!(index(store, &tenant).is_empty());
}

fn a_claim_leases_its_rows_until_an_append_or_the_lease_ends(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    for n in 0..4 {
        open(store, &tenant, n);
    }
    let query = DueQuery::new(tenant.clone(), ticket(), DateTime::<Utc>::MAX_UTC);
    let hour = TimeDelta::hours(1);
    let first = store.claim_due(&query.clone().limit(3), hour).unwrap();
    assert_eq!(first.len(), 3);
    let second = store.claim_due(&query, hour).unwrap();
    assert_eq!(second.len(), 1, "only the free row");
    assert!(store.claim_due(&query, hour).unwrap().is_empty());
    // The index still shows every row; an append ends the lease.
    assert_eq!(store.due(&query).unwrap().len(), 4);
    send(store, &tenant, 0, Command::Hold, &worker());
    send(store, &tenant, 0, Command::Resume, &worker());
    assert_eq!(store.claim_due(&query, hour).unwrap().len(), 1);
    // A lease that ends at once (the test clock stands still) leaves a row
    // free: a new ticket claimed so is claimed again.
    open(store, &tenant, 9);
    let zero = TimeDelta::zero();
    assert_eq!(store.claim_due(&query, zero).unwrap().len(), 1);
    assert_eq!(store.claim_due(&query, zero).unwrap().len(), 1);
}

fn a_sweep_ticks_every_due_case_once_and_reports_the_broken_one(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    let mut due = Vec::new();
    for n in 0..30 {
        due.push(open(store, &tenant, n));
    }
    // Case 7's history no longer decodes (written behind the typed layer).
    let broken = key(&tenant, 7);
    let bad = NewEvent::new(
        "bad-1".parse().unwrap(),
        "Opened",
        json!({"Opened": {"owner": 42}}),
        "gw-7".parse().unwrap(),
        t0(),
    );
    store.append(&broken, 1, &[bad]).unwrap();
    let sweeper = Sweeper::new(store, tenant.clone(), Ticket).with_options(SweepOptions {
        page: 4,
        ..SweepOptions::default()
    });
    let now = due[19];
    let report = sweeper.sweep(now).unwrap();
    assert_eq!(report.ticked.len(), 19, "{report}");
    assert!(
        report
            .ticked
            .iter()
            .all(|t| t.events == 1 && t.next_due.is_none())
    );
    assert_eq!(report.failed.len(), 1);
    let (stream, error) = &report.failed[0];
    assert_eq!(stream, &broken);
    assert!(
        matches!(
            error,
            SweepError::Execute(journal::ExecuteError::Journal(e)) if matches!(**e, JournalError::Decode { .. })
        ),
        "{error:?}"
    );
    // Nothing left due at `now` but the broken case; sweeping again
    // records nothing (the broken case is leased, so skipped).
    let left: Vec<_> = index(store, &tenant)
        .into_iter()
        .filter(|e| e.due <= now)
        .collect();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].stream, broken);
    let again = sweeper.sweep(now).unwrap();
    assert!(again.is_idle(), "{again}");
    let counts = reminders(store, &tenant);
    assert_eq!(counts.values().filter(|&&c| c == 1).count(), 19);
    assert!(counts.values().all(|&c| c <= 1));
}

fn a_stale_entry_is_corrected_with_nothing_recorded(store: &dyn EventStore, tenant: TenantId) {
    let due = open(store, &tenant, 1);
    // An entry that says "due now" for a case that is not.
    store
        .append_with_due(&key(&tenant, 1), 1, &[], DueUpdate::At(t0()))
        .unwrap();
    let report = Sweeper::new(store, tenant.clone(), Ticket)
        .sweep(t0() + Duration::hours(1))
        .unwrap();
    assert_eq!(report.nothing_to_do, [key(&tenant, 1)]);
    assert_eq!(report.events(), 0);
    assert_eq!(index(store, &tenant)[0].due, due);
}

/// A store where another clerk holds and resumes the first case of the
/// sweep's first batched append just before it commits.
struct RacingClerk<'a> {
    store: &'a dyn EventStore,
    raced: std::cell::Cell<bool>,
}

impl EventStore for RacingClerk<'_> {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<journal::Appended, JournalError> {
        self.store
            .append_with_due(stream, expected_version, events, due)
    }
    fn append_streams(
        &self,
        batch: &[journal::StreamAppend<'_>],
    ) -> Result<Vec<Result<journal::Appended, JournalError>>, JournalError> {
        if !self.raced.replace(true) {
            let first = batch[0].stream;
            let n = first.id.as_str()[2..].parse().unwrap();
            send(self.store, &first.tenant, n, Command::Hold, &worker());
            send(self.store, &first.tenant, n, Command::Resume, &worker());
        }
        self.store.append_streams(batch)
    }
    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<journal::StoredEvent>, JournalError> {
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
    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        self.store.due(query)
    }
    fn claim_due(&self, query: &DueQuery, lease: TimeDelta) -> Result<Vec<DueEntry>, JournalError> {
        self.store.claim_due(query, lease)
    }
    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        self.store.replace_due(tenant, stream_type, entries)
    }
}

/// The sweep appends a page of cases together; the one case another writer
/// moved meanwhile is refused alone (its version moved), decided again on
/// its new state and ticked once; the rest of the page is recorded.
fn a_batched_tick_that_meets_a_writer_is_decided_again_alone(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    for n in 0..6 {
        open(store, &tenant, n);
    }
    let racing = RacingClerk {
        store,
        raced: std::cell::Cell::new(false),
    };
    let report = Sweeper::new(&racing, tenant.clone(), Ticket)
        .sweep(t0() + Duration::days(30))
        .unwrap();
    assert!(report.failed.is_empty(), "{report}");
    assert_eq!(report.ticked.len(), 6, "{report}");
    assert_eq!(report.conflicts_retried, [key(&tenant, 0)], "{report}");
    let counts = reminders(store, &tenant);
    assert!(counts.values().all(|&c| c == 1), "{counts:?}");
    // The raced case holds the clerk's two events and then the reminder.
    let rows = store.read_stream(&key(&tenant, 0), 0).unwrap();
    let types: Vec<_> = rows.iter().map(|r| r.event_type.as_str()).collect();
    assert_eq!(types, ["Opened", "Held", "Resumed", "Reminded"]);
    assert!(index(store, &tenant).is_empty());
}

/// A store whose read of several streams lends the first half of them and
/// then fails as a whole (a connection lost mid-read).
struct LendsHalf<'a> {
    store: &'a dyn EventStore,
}

impl EventStore for LendsHalf<'_> {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<journal::Appended, JournalError> {
        self.store
            .append_with_due(stream, expected_version, events, due)
    }
    fn append_streams(
        &self,
        batch: &[journal::StreamAppend<'_>],
    ) -> Result<Vec<Result<journal::Appended, JournalError>>, JournalError> {
        self.store.append_streams(batch)
    }
    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<journal::StoredEvent>, JournalError> {
        self.store.read_stream(stream, after)
    }
    fn read_anchored_streams_with(
        &self,
        streams: &[&StreamKey],
        visit: &mut dyn FnMut(usize, journal::AnchoredRead<'_>),
    ) -> Result<(), JournalError> {
        let half = streams.len() / 2;
        self.store
            .read_anchored_streams_with(&streams[..half], visit)?;
        Err(JournalError::Backend {
            backend: "test",
            source: Box::new(std::io::Error::other("connection lost")),
        })
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
    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        self.store.due(query)
    }
    fn claim_due(&self, query: &DueQuery, lease: TimeDelta) -> Result<Vec<DueEntry>, JournalError> {
        self.store.claim_due(query, lease)
    }
    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        self.store.replace_due(tenant, stream_type, entries)
    }
}

/// The sweep reads a page of cases together; when that read fails part
/// way, the cases it lent are ticked and the rest are loaded one by one
/// and ticked too, each once.
fn a_page_read_that_fails_part_way_is_finished_case_by_case(
    store: &dyn EventStore,
    tenant: TenantId,
) {
    for n in 0..6 {
        open(store, &tenant, n);
    }
    let half = LendsHalf { store };
    let report = Sweeper::new(&half, tenant.clone(), Ticket)
        .sweep(t0() + Duration::days(30))
        .unwrap();
    assert!(report.failed.is_empty(), "{report}");
    assert_eq!(report.ticked.len(), 6, "{report}");
    let counts = reminders(store, &tenant);
    assert_eq!(counts.len(), 6, "{counts:?}");
    assert!(counts.values().all(|&c| c == 1), "{counts:?}");
    assert!(index(store, &tenant).is_empty());
}

support::stores::on_every_store! {
    an_append_moves_the_index_and_a_closed_case_leaves_it,
    pages_are_oldest_first_and_stop_at_the_time_asked,
    ids_due_at_one_instant_page_in_byte_order_however_long_their_shared_prefix,
    the_rebuild_equals_the_kept_index,
    a_plain_append_keeps_the_index_and_an_empty_one_can_correct_it,
    a_stream_with_an_entry_but_no_event_is_not_listed,
    a_claim_leases_its_rows_until_an_append_or_the_lease_ends,
    a_sweep_ticks_every_due_case_once_and_reports_the_broken_one,
    a_stale_entry_is_corrected_with_nothing_recorded,
    a_batched_tick_that_meets_a_writer_is_decided_again_alone,
    a_page_read_that_fails_part_way_is_finished_case_by_case,
}

// ---------------------------------------------------------------------------
// Several sweepers at once, and a sweeper killed mid-sweep.
// ---------------------------------------------------------------------------

const CASES: usize = 120;

/// Four sweepers in threads over the same due set: every due ticket is
/// reminded exactly once, and nothing is left due.
fn four_sweepers_record_each_timer_exactly_once<S: EventStore + Send + Sync>(
    store: Arc<S>,
    tenant: TenantId,
    lease: TimeDelta,
) {
    for n in 0..CASES {
        open(&*store, &tenant, n);
    }
    let now = t0() + Duration::days(30);
    let reports: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let sweeper = Sweeper::new(Arc::clone(&store), tenant.clone(), Ticket)
                    .with_options(SweepOptions {
                        page: 8,
                        lease,
                        ..SweepOptions::default()
                    });
                scope.spawn(move || sweeper.sweep(now).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for report in &reports {
        assert!(report.failed.is_empty(), "{report}");
    }
    let ticked: usize = reports.iter().map(|r| r.ticked.len()).sum();
    assert_eq!(ticked, CASES, "each case ticked by exactly one sweeper");
    let counts = reminders(&*store, &tenant);
    assert_eq!(counts.len(), CASES);
    assert!(counts.values().all(|&c| c == 1), "{counts:?}");
    assert!(index(&*store, &tenant).is_empty());
}

#[test]
fn four_sweepers_in_memory_record_each_timer_exactly_once() {
    let store = Arc::new(support::stores::memory());
    four_sweepers_record_each_timer_exactly_once(
        store,
        support::stores::tenant("four"),
        TimeDelta::minutes(5),
    );
}

#[test]
fn four_sweepers_without_leases_still_record_each_timer_exactly_once() {
    // With leases that end at once every sweeper may take every case: the
    // version check alone keeps each timer to one record.
    let store = Arc::new(support::stores::memory());
    let tenant = support::stores::tenant("four-unleased");
    for n in 0..CASES {
        open(&*store, &tenant, n);
    }
    let now = t0() + Duration::days(30);
    let reports: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let sweeper = Sweeper::new(Arc::clone(&store), tenant.clone(), Ticket)
                    .with_options(SweepOptions {
                        page: 8,
                        lease: TimeDelta::zero(),
                        ..SweepOptions::default()
                    });
                scope.spawn(move || sweeper.sweep(now).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(reports.iter().all(|r| r.failed.is_empty()));
    let counts = reminders(&*store, &tenant);
    assert!(counts.values().all(|&c| c == 1), "{counts:?}");
    assert!(index(&*store, &tenant).is_empty());
}

#[cfg(feature = "sqlite")]
#[test]
fn four_sweepers_on_sqlite_record_each_timer_exactly_once() {
    let (_dir, store) = support::stores::sqlite();
    four_sweepers_record_each_timer_exactly_once(
        Arc::new(store),
        support::stores::tenant("four"),
        TimeDelta::minutes(5),
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn four_sweepers_on_four_sqlite_connections_record_each_timer_exactly_once() {
    // Four connections to one file, as four processes would have.
    let dir = tempfile::tempdir().unwrap();
    let tenant = support::stores::tenant("four-files");
    let first = support::stores::sqlite_in(&dir);
    for n in 0..CASES {
        open(&first, &tenant, n);
    }
    let now = t0() + Duration::days(30);
    let reports: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let store = support::stores::sqlite_in(&dir);
                let sweeper =
                    Sweeper::new(store, tenant.clone(), Ticket).with_options(SweepOptions {
                        page: 8,
                        ..SweepOptions::default()
                    });
                scope.spawn(move || sweeper.sweep(now).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(reports.iter().all(|r| r.failed.is_empty()));
    let ticked: usize = reports.iter().map(|r| r.ticked.len()).sum();
    assert_eq!(ticked, CASES);
    let counts = reminders(&first, &tenant);
    assert!(counts.values().all(|&c| c == 1), "{counts:?}");
    assert!(index(&first, &tenant).is_empty());
}

#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn four_sweepers_on_postgres_record_each_timer_exactly_once() {
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    use grassroots::journal::{PostgresOptions, PostgresStore};
    let tenant = support::stores::tenant("four-pg");
    let connect = || {
        PostgresStore::connect_with(&url, PostgresOptions::new().clock(support::stores::clock()))
            .unwrap()
    };
    let first = connect();
    for n in 0..CASES {
        open(&first, &tenant, n);
    }
    let now = t0() + Duration::days(30);
    let reports: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let sweeper =
                    Sweeper::new(connect(), tenant.clone(), Ticket).with_options(SweepOptions {
                        page: 8,
                        ..SweepOptions::default()
                    });
                scope.spawn(move || sweeper.sweep(now).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(reports.iter().all(|r| r.failed.is_empty()));
    let ticked: usize = reports.iter().map(|r| r.ticked.len()).sum();
    assert_eq!(ticked, CASES, "SKIP LOCKED shares the work: each case once");
    let counts = reminders(&first, &tenant);
    assert!(counts.values().all(|&c| c == 1), "{counts:?}");
    assert!(index(&first, &tenant).is_empty());
}

/// The kill test's second half, on any store: waits until the sweeper
/// child has reminded at least `at_least` of `cases` cases (watched through
/// `store`), kills it with SIGKILL (no destructor, no rollback by the
/// sweeper), waits for `settled` (the store done with the dead child's
/// work), and checks that a sweep from `later` — a store whose clock is
/// past the dead sweeper's leases — records every remaining timer exactly
/// once.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn kill_mid_sweep_then_finish<L: EventStore>(
    store: &dyn EventStore,
    later: &L,
    mut child: std::process::Child,
    settled: impl FnOnce(),
    tenant: &TenantId,
    cases: usize,
    at_least: usize,
) {
    use std::time::{Duration as StdDuration, Instant};
    let done = |store: &dyn EventStore| {
        reminders(store, tenant)
            .values()
            .filter(|&&c| c > 0)
            .count()
    };
    let start = Instant::now();
    while done(store) < at_least && start.elapsed() < StdDuration::from_secs(60) {
        std::thread::sleep(StdDuration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    settled();
    let before = done(store);
    assert!(
        before >= at_least,
        "the child swept {before} cases before the kill"
    );
    assert!(before < cases, "killed mid-sweep, not after");
    let report = Sweeper::new(later, tenant.clone(), Ticket)
        .sweep(t0() + Duration::days(30))
        .unwrap();
    assert!(report.failed.is_empty(), "{report}");
    assert_eq!(before + report.ticked.len(), cases, "{report}");
    let counts = reminders(later, tenant);
    assert_eq!(counts.len(), cases);
    assert!(counts.values().all(|&c| c == 1), "{counts:?}");
    assert!(index(later, tenant).is_empty());
}

#[cfg(feature = "sqlite")]
mod killed {
    //! The sweeper runs as a child process (this binary again, the
    //! `sweeper_child` test, which does nothing unless its variable is set),
    //! is killed with SIGKILL mid-sweep, and the next sweep finishes the
    //! work: every due timer recorded exactly once.

    use std::process::{Command, Stdio};

    use super::*;

    const CHILD: &str = "GRASSROOTS_SWEEPER_CHILD";
    const TENANT: &str = "GRASSROOTS_SWEEPER_TENANT";
    const KILL_CASES: usize = 600;

    fn now() -> DateTime<Utc> {
        t0() + Duration::days(30)
    }

    /// The sweeper, run as a child process: one case per claim, slowly.
    #[test]
    fn sweeper_child() {
        let Ok(path) = std::env::var(CHILD) else {
            return;
        };
        let tenant: TenantId = std::env::var(TENANT).unwrap().parse().unwrap();
        let store = grassroots::journal::SqliteStore::open(path).unwrap();
        let sweeper = Sweeper::new(store, tenant, Ticket).with_options(SweepOptions {
            page: 1,
            lease: TimeDelta::hours(1),
            ..SweepOptions::default()
        });
        sweeper.sweep(now()).unwrap();
    }

    #[test]
    fn a_sweeper_killed_mid_sweep_loses_nothing_and_the_next_sweep_finishes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let tenant = support::stores::tenant("killed");
        let store = grassroots::journal::SqliteStore::open(&path).unwrap();
        for n in 0..KILL_CASES {
            open(&store, &tenant, n);
        }
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "killed::sweeper_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, &path)
            .env(TENANT, tenant.as_str())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // The next sweeper, an hour and more later by its store's clock:
        // the dead sweeper's leases have ended.
        let later = grassroots::journal::SqliteStore::open_with(
            &path,
            grassroots::journal::SqliteOptions::new().clock(Arc::new(support::stores::FixedClock(
                DateTime::<Utc>::from(std::time::SystemTime::now()) + Duration::hours(2),
            ))),
        )
        .unwrap();
        // A killed process commits nothing more: SQLite commits in it.
        kill_mid_sweep_then_finish(&store, &later, child, || {}, &tenant, KILL_CASES, 50);
    }
}

#[cfg(feature = "postgres")]
mod killed_on_postgres {
    //! The same kill on PostgreSQL: the sweeper child (this binary again,
    //! `killed_on_postgres::sweeper_child`) claims one case at a time under
    //! `FOR UPDATE SKIP LOCKED` and is killed with SIGKILL mid-sweep; the
    //! server rolls back its open transaction, its leases end, and the next
    //! sweep records every remaining timer exactly once.

    use std::process::{Command, Stdio};

    use grassroots::journal::{PostgresOptions, PostgresStore};

    use super::*;

    const CHILD: &str = "GRASSROOTS_PG_SWEEPER_CHILD";
    const TENANT: &str = "GRASSROOTS_PG_SWEEPER_TENANT";
    const KILL_CASES: usize = 400;

    fn now() -> DateTime<Utc> {
        t0() + Duration::days(30)
    }

    /// The sweeper, run as a child process on the URL it is given.
    #[test]
    fn sweeper_child() {
        let Ok(url) = std::env::var(CHILD) else {
            return;
        };
        let tenant: TenantId = std::env::var(TENANT).unwrap().parse().unwrap();
        let store = PostgresStore::connect(&url).unwrap();
        let sweeper = Sweeper::new(store, tenant, Ticket).with_options(SweepOptions {
            page: 1,
            lease: TimeDelta::hours(1),
            ..SweepOptions::default()
        });
        sweeper.sweep(now()).unwrap();
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn a_sweeper_killed_mid_sweep_on_postgres_loses_nothing_and_the_next_sweep_finishes() {
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let tenant = support::stores::tenant("killed-pg");
        // The child's connections, by name, to see them end.
        let name = format!("grassroots-killed-sweeper-{}", std::process::id());
        let store = PostgresStore::connect(&url).unwrap();
        for n in 0..KILL_CASES {
            open(&store, &tenant, n);
        }
        let child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "killed_on_postgres::sweeper_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                CHILD,
                support::stores::with_param(&url, "application_name", &name),
            )
            .env(TENANT, tenant.as_str())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // The next sweeper, two hours later by its store's clock: the dead
        // sweeper's leases have ended. SIGKILL drops the child's
        // connection mid-transaction; the server rolls back what it had not
        // committed.
        let later = PostgresStore::connect_with(
            &url,
            PostgresOptions::new().clock(Arc::new(support::stores::FixedClock(
                DateTime::<Utc>::from(std::time::SystemTime::now()) + Duration::hours(2),
            ))),
        )
        .unwrap();
        // A COMMIT the child sent just before the kill is still carried
        // out by its server process, after the child is gone (seen in CI:
        // one case counted by neither side). The dead child's work is done
        // when its server process has ended.
        let settled = || {
            let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
            let start = std::time::Instant::now();
            loop {
                let left: i64 = admin
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                        &[&name],
                    )
                    .unwrap()
                    .get(0);
                if left == 0 {
                    break;
                }
                assert!(
                    start.elapsed() < std::time::Duration::from_secs(60),
                    "the killed sweeper's server process is still running"
                );
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        };
        kill_mid_sweep_then_finish(&store, &later, child, settled, &tenant, KILL_CASES, 30);
    }
}
