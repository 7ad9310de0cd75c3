//! Snapshots (issue 15, item 2): a long case loads from its latest snapshot
//! and the events after it, equal to its full replay; a snapshot that does
//! not match the stored chain is never trusted — the case is read in full
//! and the refusal reported; a snapshot that cannot be written does not
//! fail the command. On memory, SQLite and PostgreSQL.

mod support {
    pub mod stores;
}

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{
    self, Appended, DueEntry, DueQuery, DueUpdate, EventHash, EventSchema, EventStore, FeedPage,
    Journal, JournalError, NewEvent, Snapshot, SnapshotRefused, StoredEvent, StreamHead, StreamKey,
    StreamType,
};
use grassroots::workflow::{Case, Context, Decision, HasKind, Transition, Workflow, replay_state};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A ledger: opened, posted to any number of times, closed.
#[derive(Debug, Default)]
struct Ledger;

/// The same ledger in a newer program, whose state's snapshot version
/// moved on to 2.
#[derive(Debug, Default)]
struct NewerLedger;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
enum LedgerState {
    New,
    Open {
        total: i64,
        entries: u64,
        last: String,
    },
    Closed {
        total: i64,
    },
}

#[derive(Debug, HasKind)]
enum LedgerCommand {
    Open,
    Post { amount: i64, note: String },
    Close,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
enum LedgerEvent {
    Opened,
    Posted { amount: i64, note: String },
    Closed,
}

macro_rules! ledger {
    ($ledger:ident, $version:literal) => {
        impl Workflow for $ledger {
            const NAME: &'static str = "ledger";
            type State = LedgerState;
            type Command = LedgerCommand;
            type Event = LedgerEvent;
            type Rejection = Forbidden;

            fn initial() -> LedgerState {
                LedgerState::New
            }

            fn decide(
                &self,
                _: &LedgerState,
                command: &LedgerCommand,
                ctx: &Context<'_>,
            ) -> Result<Decision<LedgerEvent>, Forbidden> {
                ctx.actor().require("keep the ledger", Role::HallClerk)?;
                Ok(match command {
                    LedgerCommand::Open => LedgerEvent::Opened,
                    LedgerCommand::Post { amount, note } => LedgerEvent::Posted {
                        amount: *amount,
                        note: note.clone(),
                    },
                    LedgerCommand::Close => LedgerEvent::Closed,
                }
                .into())
            }

            fn evolve(state: LedgerState, event: &LedgerEvent) -> LedgerState {
                match (state, event) {
                    (LedgerState::New, LedgerEvent::Opened) => LedgerState::Open {
                        total: 0,
                        entries: 0,
                        last: String::new(),
                    },
                    (
                        LedgerState::Open { total, entries, .. },
                        LedgerEvent::Posted { amount, note },
                    ) => LedgerState::Open {
                        total: total + amount,
                        entries: entries + 1,
                        last: note.clone(),
                    },
                    (LedgerState::Open { total, .. }, LedgerEvent::Closed) => {
                        LedgerState::Closed { total }
                    }
                    (state, _) => state,
                }
            }

            fn is_terminal(state: &LedgerState) -> bool {
                matches!(state, LedgerState::Closed { .. })
            }

            fn transitions() -> &'static [Transition<LedgerStateKind, LedgerEventKind>] {
                use LedgerEventKind as E;
                use LedgerStateKind as S;
                const TABLE: &[Transition<LedgerStateKind, LedgerEventKind>] = &[
                    Transition::new(S::New, E::Opened, S::Open),
                    Transition::new(S::Open, E::Posted, S::Open),
                    Transition::new(S::Open, E::Closed, S::Closed),
                ];
                TABLE
            }
        }

        impl EventSchema for $ledger {
            fn snapshot_version() -> u32 {
                $version
            }
        }
    };
}

ledger!(Ledger, 1);
ledger!(NewerLedger, 2);

fn clerk() -> Actor {
    Actor::new("clerk-1".parse().unwrap()).with_role(Role::HallClerk)
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn id() -> CaseId {
    "L-1".parse().unwrap()
}

fn post(n: usize) -> LedgerCommand {
    LedgerCommand::Post {
        amount: (n as i64 % 17) - 5,
        note: format!("entry {n}"),
    }
}

/// Opens case `id` and posts until it holds `events` events, one command
/// (one minute) after another, through `journal`.
fn grow<S: EventStore>(journal: &Journal<S>, id: &CaseId, events: u64) {
    let clerk = clerk();
    let mut n = journal.load::<Ledger>(id).unwrap().version();
    while n < events {
        let at = t0() + Duration::minutes(n as i64);
        let ctx = Context::new(at, &clerk);
        let command = if n == 0 {
            LedgerCommand::Open
        } else {
            post(n as usize)
        };
        journal.handle(&Ledger, id, &command, &ctx).unwrap();
        n += 1;
    }
}

/// What the case is in full, read by the uncached, snapshot-free loader.
fn full<S: EventStore>(store: &S, tenant: &TenantId, id: &CaseId) -> Case<Ledger> {
    journal::load::<Ledger, S>(store, tenant, id).unwrap()
}

/// `resumed` equals the full replay `whole` in all but what it holds: the
/// same state, version, last time and next due, and the events it holds are
/// the full history's tail.
fn assert_same_case(resumed: &Case<Ledger>, whole: &Case<Ledger>) {
    assert_eq!(resumed.id(), whole.id());
    assert_eq!(resumed.state(), whole.state());
    assert_eq!(resumed.version(), whole.version());
    assert_eq!(resumed.last_at(), whole.last_at());
    assert_eq!(resumed.next_due(), whole.next_due());
    assert_eq!(resumed.is_terminal(), whole.is_terminal());
    let base = resumed.base_version() as usize;
    assert_eq!(resumed.history(), &whole.history()[base..]);
}

fn stream(tenant: &TenantId) -> StreamKey {
    StreamKey::of::<Ledger>(tenant.clone(), id()).unwrap()
}

/// The snapshot a store holds of `tenant`'s ledger `L-1`.
fn stored<S: EventStore>(store: &S, tenant: &TenantId) -> Snapshot {
    store
        .snapshot(&stream(tenant))
        .unwrap()
        .expect("a snapshot")
}

/// A store counting the events it reads, which may refuse to keep
/// snapshots, or serve another snapshot than the one asked for.
struct Probe<S> {
    store: S,
    rows_read: AtomicUsize,
    refuse_puts: AtomicBool,
    serve: Mutex<Option<Snapshot>>,
}

impl<S> Probe<S> {
    fn new(store: S) -> Self {
        Self {
            store,
            rows_read: AtomicUsize::new(0),
            refuse_puts: AtomicBool::new(false),
            serve: Mutex::new(None),
        }
    }
    fn rows_read(&self) -> usize {
        self.rows_read.swap(0, Ordering::Relaxed)
    }
}

impl<S: EventStore> EventStore for Probe<S> {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        self.store
            .append_with_due(stream, expected_version, events, due)
    }
    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        self.store.due(query)
    }
    fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
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
    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        let rows = self.store.read_stream(stream, after)?;
        self.rows_read.fetch_add(rows.len(), Ordering::Relaxed);
        Ok(rows)
    }
    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage, JournalError> {
        self.store.read_feed(tenant, after, limit)
    }
    fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        self.store.anchor(stream)
    }
    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        self.store.stream_version(stream)
    }
    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        self.store.list_streams(tenant, stream_type, after, limit)
    }
    fn snapshot(&self, stream: &StreamKey) -> Result<Option<Snapshot>, JournalError> {
        match self.serve.lock().unwrap().clone() {
            Some(served) => Ok(Some(served)),
            None => self.store.snapshot(stream),
        }
    }
    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), JournalError> {
        if self.refuse_puts.load(Ordering::Relaxed) {
            return Err(JournalError::SnapshotsUnsupported);
        }
        self.store.put_snapshot(snapshot)
    }
}

// The rules, run on every backend (see the bottom of the file).

/// A 1,000-event case, snapshotted every 100 events, loads cold from its
/// last snapshot: it reads only the events from there on and equals the
/// full replay.
fn a_long_case_loads_from_its_snapshot_equal_to_its_full_replay<S: EventStore>(
    store: &S,
    tenant: TenantId,
) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(100);
    grow(&writer, &id(), 1_050);
    let stats = writer.snapshot_stats();
    assert_eq!(stats.taken, 10, "{stats:?}");
    assert_eq!(stats.failed, 0, "{stats:?}");
    let snapshot = stored(store, &tenant);
    assert_eq!(snapshot.version, 1_000);
    assert_eq!(
        snapshot.head,
        store.read_stream(&stream(&tenant), 999).unwrap()[0].hash
    );

    let probe = Probe::new(store);
    let cold = Journal::new(&probe, tenant.clone()).with_snapshots::<Ledger>(100);
    let resumed = cold.load::<Ledger>(&id()).unwrap();
    assert_eq!(
        probe.rows_read(),
        51,
        "the event at the snapshot and the 50 after it"
    );
    assert_eq!(resumed.base_version(), 1_000);
    assert_same_case(&resumed, &full(store, &tenant, &id()));
    assert_eq!(cold.snapshot_stats().used, 1);
    assert_eq!(cold.snapshot_stats().refused, 0);

    // Commands go on from the resumed case, and the next snapshot is taken
    // 100 events after the one it resumed from.
    grow(&cold, &id(), 1_100);
    assert_eq!(stored(store, &tenant).version, 1_100);
    let again = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(100);
    assert_same_case(
        &again.load::<Ledger>(&id()).unwrap(),
        &full(store, &tenant, &id()),
    );
}

/// A journal that does not snapshot the workflow reads the case in full,
/// whatever the store holds.
fn a_journal_without_the_policy_reads_in_full<S: EventStore>(store: &S, tenant: TenantId) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&writer, &id(), 25);
    let probe = Probe::new(store);
    let plain = Journal::new(&probe, tenant.clone());
    let case = plain.load::<Ledger>(&id()).unwrap();
    assert_eq!(probe.rows_read(), 25);
    assert_eq!(case.base_version(), 0);
    assert_eq!(case, full(store, &tenant, &id()));
}

/// Loads the ledger cold with snapshots on, and checks it equals the full
/// replay, resumed from no snapshot, and the refusal's reason.
fn loads_in_full_refusing<S: EventStore>(
    store: &S,
    tenant: &TenantId,
    why: impl Fn(&SnapshotRefused) -> bool,
) {
    let cold = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    let case = cold.load::<Ledger>(&id()).unwrap();
    assert_eq!(case.base_version(), 0, "the snapshot was trusted");
    assert_eq!(case, full(store, tenant, &id()));
    let stats = cold.snapshot_stats();
    assert_eq!((stats.used, stats.refused), (0, 1), "{stats:?}");
    let reason = stats.last_refused.expect("a reason");
    assert!(why(&reason), "refused for another reason: {reason}");
    assert_eq!(reason.stream(), &stream(tenant));
}

/// A snapshot whose state was changed behind the journal's back (its
/// digest no longer matches) is not trusted.
fn a_snapshot_with_another_state_is_not_trusted<S: EventStore>(store: &S, tenant: TenantId) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&writer, &id(), 25);
    let mut forged = stored(store, &tenant);
    forged.state = json!({"Open": {"total": 1_000_000, "entries": 19, "last": "entry 19"}});
    store.put_snapshot(&forged).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(r, SnapshotRefused::Altered { version: 20, .. })
    });
}

/// A snapshot whose head is not the stored event at its version — sealed
/// with a valid digest — is not trusted.
fn a_snapshot_with_another_head_is_not_trusted<S: EventStore>(store: &S, tenant: TenantId) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&writer, &id(), 25);
    let real = stored(store, &tenant);
    let forged = Snapshot::new(
        real.stream.clone(),
        real.version,
        EventHash::from_bytes([7; 32]),
        real.state_version,
        real.state.clone(),
    )
    .unwrap();
    store.put_snapshot(&forged).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(r, SnapshotRefused::HeadMismatch { version: 20, .. })
    });

    // The head of another version of the same stream does not pass either.
    let other = store.read_stream(&stream(&tenant), 4).unwrap()[0].hash;
    let shifted = Snapshot::new(
        real.stream.clone(),
        real.version,
        other,
        real.state_version,
        real.state,
    )
    .unwrap();
    store.put_snapshot(&shifted).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(r, SnapshotRefused::HeadMismatch { .. })
    });
}

/// A snapshot at a version the log has not reached is not trusted.
fn a_snapshot_beyond_the_log_is_not_trusted<S: EventStore>(store: &S, tenant: TenantId) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&writer, &id(), 25);
    let real = stored(store, &tenant);
    let ahead = Snapshot::new(
        real.stream.clone(),
        30,
        real.head,
        real.state_version,
        real.state,
    )
    .unwrap();
    store.put_snapshot(&ahead).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(
            r,
            SnapshotRefused::BeyondLog {
                version: 30,
                head: 25,
                ..
            }
        )
    });
}

/// A snapshot whose state no longer decodes (the state's serde form
/// changed) falls back to the full replay, with the reason.
fn a_snapshot_that_no_longer_decodes_is_replayed_in_full<S: EventStore>(
    store: &S,
    tenant: TenantId,
) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&writer, &id(), 25);
    let real = stored(store, &tenant);
    let old_shape = Snapshot::new(
        real.stream.clone(),
        real.version,
        real.head,
        real.state_version,
        json!({"Open": {"sum": 42}}),
    )
    .unwrap();
    store.put_snapshot(&old_shape).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(r, SnapshotRefused::Undecodable { .. })
    });
}

/// A state that decodes but does not fit the events after it (a closed
/// ledger that is posted to) is not trusted.
fn a_snapshot_the_events_after_it_do_not_replay_onto_is_not_trusted<S: EventStore>(
    store: &S,
    tenant: TenantId,
) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&writer, &id(), 25);
    let real = stored(store, &tenant);
    let closed = Snapshot::new(
        real.stream.clone(),
        real.version,
        real.head,
        real.state_version,
        serde_json::to_value(LedgerState::Closed { total: 3 }).unwrap(),
    )
    .unwrap();
    store.put_snapshot(&closed).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(r, SnapshotRefused::Unreplayable { version: 20, .. })
    });
}

/// A program whose state's snapshot version moved on does not read the
/// older snapshots, and writes its own at the next command.
fn a_snapshot_at_another_state_version_is_replaced<S: EventStore>(store: &S, tenant: TenantId) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&writer, &id(), 25);
    let newer = Journal::new(store, tenant.clone()).with_snapshots::<NewerLedger>(10);
    let case = newer.load::<NewerLedger>(&id()).unwrap();
    assert_eq!(case.base_version(), 0);
    let stats = newer.snapshot_stats();
    assert!(
        matches!(
            stats.last_refused,
            Some(SnapshotRefused::StateVersion {
                found: 1,
                current: 2,
                ..
            })
        ),
        "{stats:?}"
    );
    let clerk = clerk();
    let ctx = Context::new(t0() + Duration::days(1), &clerk);
    newer.handle(&NewerLedger, &id(), &post(99), &ctx).unwrap();
    let replaced = stored(store, &tenant);
    assert_eq!((replaced.version, replaced.state_version), (26, 2));
    let cold = Journal::new(store, tenant.clone()).with_snapshots::<NewerLedger>(10);
    assert_eq!(cold.load::<NewerLedger>(&id()).unwrap().base_version(), 26);
}

/// The snapshot of a stream on another tenant is never used: not when it
/// is copied over (its digest names its own stream), not when it is sealed
/// anew for this stream (its head is not this stream's event), not when a
/// store hands it back for this stream.
fn a_snapshot_of_another_tenant_is_never_used<S: EventStore>(store: &S, tenant: TenantId) {
    let other = TenantId::new(format!("{tenant}-other")).unwrap();
    // The same commands at the same times on both tenants.
    for t in [&tenant, &other] {
        let writer = Journal::new(store, t.clone()).with_snapshots::<Ledger>(10);
        grow(&writer, &id(), 25);
    }
    let theirs = stored(store, &other);

    let copied = Snapshot {
        stream: stream(&tenant),
        ..theirs.clone()
    };
    store.put_snapshot(&copied).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(r, SnapshotRefused::Altered { .. })
    });

    let resealed = Snapshot::new(
        stream(&tenant),
        theirs.version,
        theirs.head,
        theirs.state_version,
        theirs.state.clone(),
    )
    .unwrap();
    store.put_snapshot(&resealed).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(r, SnapshotRefused::HeadMismatch { .. })
    });

    let probe = Probe::new(store);
    *probe.serve.lock().unwrap() = Some(theirs);
    loads_in_full_refusing(
        &probe,
        &tenant,
        |r| matches!(r, SnapshotRefused::OtherStream { found, .. } if found.tenant == other),
    );
}

/// A snapshot that cannot be written does not fail the command: the events
/// are stored, the failure counted, and the next command tries again.
fn a_snapshot_that_cannot_be_written_does_not_fail_the_command<S: EventStore>(
    store: &S,
    tenant: TenantId,
) {
    let probe = Probe::new(store);
    probe.refuse_puts.store(true, Ordering::Relaxed);
    let journal = Journal::new(&probe, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&journal, &id(), 12);
    let stats = journal.snapshot_stats();
    assert_eq!((stats.taken, stats.failed), (0, 3), "{stats:?}");
    assert_eq!(
        stats.last_failure.as_deref(),
        Some("this store keeps no snapshots")
    );
    assert_eq!(store.stream_version(&stream(&tenant)).unwrap(), 12);
    assert!(store.snapshot(&stream(&tenant)).unwrap().is_none());
    probe.refuse_puts.store(false, Ordering::Relaxed);
    grow(&journal, &id(), 13);
    assert_eq!(journal.snapshot_stats().taken, 1);
    assert_eq!(stored(store, &tenant).version, 13);
}

/// A snapshot is only as good as the chain after it: the events after it
/// must continue from its head and reach the anchor.
fn events_after_a_snapshot_must_continue_it<S: EventStore>(store: &S, tenant: TenantId) {
    let writer = Journal::new(store, tenant.clone()).with_snapshots::<Ledger>(10);
    grow(&writer, &id(), 25);
    // A snapshot at 20 sealed with the head of the event at 20, but placed
    // at 19: the event at 19 is not its head.
    let real = stored(store, &tenant);
    let early = Snapshot::new(
        real.stream.clone(),
        19,
        real.head,
        real.state_version,
        real.state,
    )
    .unwrap();
    store.put_snapshot(&early).unwrap();
    loads_in_full_refusing(store, &tenant, |r| {
        matches!(r, SnapshotRefused::HeadMismatch { version: 19, .. })
    });
}

support::stores::on_every_store!(
    a_long_case_loads_from_its_snapshot_equal_to_its_full_replay,
    a_journal_without_the_policy_reads_in_full,
    a_snapshot_with_another_state_is_not_trusted,
    a_snapshot_with_another_head_is_not_trusted,
    a_snapshot_beyond_the_log_is_not_trusted,
    a_snapshot_that_no_longer_decodes_is_replayed_in_full,
    a_snapshot_the_events_after_it_do_not_replay_onto_is_not_trusted,
    a_snapshot_at_another_state_version_is_replaced,
    a_snapshot_of_another_tenant_is_never_used,
    a_snapshot_that_cannot_be_written_does_not_fail_the_command,
    events_after_a_snapshot_must_continue_it,
);

#[test]
fn a_store_that_keeps_no_snapshots_refuses_them_and_has_none() {
    struct Bare(grassroots::journal::MemoryStore);
    impl EventStore for Bare {
        fn append_with_due(
            &self,
            stream: &StreamKey,
            expected_version: u64,
            events: &[NewEvent],
            due: DueUpdate,
        ) -> Result<Appended, JournalError> {
            self.0
                .append_with_due(stream, expected_version, events, due)
        }
        fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
            self.0.due(query)
        }
        fn claim_due(
            &self,
            query: &DueQuery,
            lease: chrono::TimeDelta,
        ) -> Result<Vec<DueEntry>, JournalError> {
            self.0.claim_due(query, lease)
        }
        fn replace_due(
            &self,
            tenant: &TenantId,
            stream_type: &StreamType,
            entries: &[DueEntry],
        ) -> Result<(), JournalError> {
            self.0.replace_due(tenant, stream_type, entries)
        }
        fn read_stream(
            &self,
            stream: &StreamKey,
            after: u64,
        ) -> Result<Vec<StoredEvent>, JournalError> {
            self.0.read_stream(stream, after)
        }
        fn read_feed(
            &self,
            tenant: &TenantId,
            after: u64,
            limit: usize,
        ) -> Result<FeedPage, JournalError> {
            self.0.read_feed(tenant, after, limit)
        }
        fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
            self.0.stream_version(stream)
        }
        fn list_streams(
            &self,
            tenant: &TenantId,
            stream_type: &StreamType,
            after: Option<&CaseId>,
            limit: usize,
        ) -> Result<Vec<CaseId>, JournalError> {
            self.0.list_streams(tenant, stream_type, after, limit)
        }
    }
    let store = Bare(support::stores::memory());
    let tenant = support::stores::tenant("bare");
    let journal = Journal::new(&store, tenant.clone()).with_snapshots::<Ledger>(5);
    grow(&journal, &id(), 12);
    let stats = journal.snapshot_stats();
    // Every command from the fifth on tries, and fails.
    assert_eq!((stats.taken, stats.failed), (0, 8), "{stats:?}");
    assert!(store.snapshot(&stream(&tenant)).unwrap().is_none());
    // Behind an `Arc` the memory store's own snapshots are reached.
    let shared = std::sync::Arc::new(support::stores::memory());
    let journal =
        Journal::new(std::sync::Arc::clone(&shared), tenant.clone()).with_snapshots::<Ledger>(5);
    grow(&journal, &id(), 12);
    assert_eq!(journal.snapshot_stats().taken, 2);
    assert_eq!(stored(&shared, &tenant).version, 10);
}

#[test]
fn the_crate_workflows_can_be_snapshotted() {
    // Their states serialize and deserialize (a compile-time check of the
    // bounds), at snapshot version 1.
    use grassroots::dispute::Dispute;
    use grassroots::escalation::Ladder;
    use grassroots::service::ServiceRequest;
    use grassroots::work_order::WorkOrder;
    let journal = Journal::new(support::stores::memory(), "t".parse().unwrap())
        .with_snapshots::<Dispute>(50)
        .with_snapshots::<ServiceRequest>(50)
        .with_snapshots::<Ladder>(50)
        .with_snapshots::<WorkOrder>(50);
    assert_eq!(journal.snapshot_stats().taken, 0);
    assert_eq!(
        [
            Dispute::snapshot_version(),
            ServiceRequest::snapshot_version(),
            Ladder::snapshot_version(),
            WorkOrder::snapshot_version()
        ],
        [1; 4]
    );
}

/// Raw edits of the SQLite table behind the store's back.
#[cfg(feature = "sqlite")]
mod sqlite_rows {
    use super::*;

    #[test]
    fn snapshots_outlive_the_store_and_an_edited_row_is_not_trusted() {
        let (dir, store) = support::stores::sqlite();
        let tenant = support::stores::tenant("sqlite_rows");
        let writer = Journal::new(&store, tenant.clone()).with_snapshots::<Ledger>(100);
        grow(&writer, &id(), 250);
        drop(writer);
        drop(store);

        let store = support::stores::sqlite_in(&dir);
        let cold = Journal::new(&store, tenant.clone()).with_snapshots::<Ledger>(100);
        let resumed = cold.load::<Ledger>(&id()).unwrap();
        assert_eq!(resumed.base_version(), 200);
        assert_same_case(&resumed, &full(&store, &tenant, &id()));

        let conn = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
        let edited = conn
            .execute(
                "UPDATE journal_snapshots SET state = replace(state, 'entry 199', 'entry 0')
                 WHERE tenant = ?1",
                [tenant.as_str()],
            )
            .unwrap();
        assert_eq!(edited, 1);
        loads_in_full_refusing(&store, &tenant, |r| {
            matches!(r, SnapshotRefused::Altered { version: 200, .. })
        });

        conn.execute(
            "UPDATE journal_snapshots SET head = x'00' WHERE tenant = ?1",
            [tenant.as_str()],
        )
        .unwrap();
        loads_in_full_refusing(&store, &tenant, |r| {
            matches!(r, SnapshotRefused::Unreadable { .. })
        });
    }

    #[test]
    fn an_event_changed_after_the_snapshot_is_refused_not_replayed() {
        let (dir, store) = support::stores::sqlite();
        let tenant = support::stores::tenant("sqlite_rows");
        let writer = Journal::new(&store, tenant.clone()).with_snapshots::<Ledger>(10);
        grow(&writer, &id(), 25);
        let conn = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
        conn.execute(
            "UPDATE journal_events SET payload = replace(payload, 'entry 22', 'entry 99')
             WHERE tenant = ?1 AND version = 23",
            [tenant.as_str()],
        )
        .unwrap();
        let cold = Journal::new(&store, tenant.clone()).with_snapshots::<Ledger>(10);
        let err = cold.load::<Ledger>(&id()).unwrap_err();
        assert!(
            matches!(err, JournalError::Tampered { version: 23, .. }),
            "{err}"
        );
        let stats = cold.snapshot_stats();
        assert_eq!(stats.used, 0);
        assert!(
            matches!(
                stats.last_refused,
                Some(SnapshotRefused::Discontinued { version: 20, .. })
            ),
            "{stats:?}"
        );
    }
}

/// The same edits on PostgreSQL.
#[cfg(feature = "postgres")]
mod postgres_rows {
    use super::*;

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn snapshots_outlive_the_store_and_an_edited_row_is_not_trusted() {
        let Some(store) = support::stores::postgres() else {
            return;
        };
        let url = support::stores::postgres_url().unwrap();
        let tenant = support::stores::tenant("postgres_rows");
        let writer = Journal::new(&store, tenant.clone()).with_snapshots::<Ledger>(100);
        grow(&writer, &id(), 250);
        drop(writer);
        drop(store);

        let store = support::stores::postgres().unwrap();
        let cold = Journal::new(&store, tenant.clone()).with_snapshots::<Ledger>(100);
        let resumed = cold.load::<Ledger>(&id()).unwrap();
        assert_eq!(resumed.base_version(), 200);
        assert_same_case(&resumed, &full(&store, &tenant, &id()));

        let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let edited = admin
            .execute(
                "UPDATE journal_snapshots SET state = replace(state, 'entry 199', 'entry 0')
                 WHERE tenant = $1",
                &[&tenant.as_str()],
            )
            .unwrap();
        assert_eq!(edited, 1);
        loads_in_full_refusing(&store, &tenant, |r| {
            matches!(r, SnapshotRefused::Altered { version: 200, .. })
        });
    }
}

/// The async journal resumes from snapshots and refuses bad ones alike.
#[cfg(all(feature = "tokio", feature = "sqlite"))]
mod nonblocking {
    use super::*;
    use grassroots::journal::{AsyncJournal, AsyncSqliteStore};

    #[test]
    fn the_async_journal_takes_and_uses_snapshots() {
        let (_dir, store) = support::stores::sqlite();
        let store = std::sync::Arc::new(store);
        let tenant = support::stores::tenant("async");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let journal = AsyncJournal::new(
            AsyncSqliteStore::from(std::sync::Arc::clone(&store)),
            tenant.clone(),
        )
        .with_snapshots::<Ledger>(10);
        let clerk = clerk();
        runtime.block_on(async {
            for n in 0..35u64 {
                let ctx = Context::new(t0() + Duration::minutes(n as i64), &clerk);
                let command = if n == 0 {
                    LedgerCommand::Open
                } else {
                    post(n as usize)
                };
                journal
                    .handle(&Ledger, &id(), &command, &ctx)
                    .await
                    .unwrap();
            }
        });
        assert_eq!(journal.snapshot_stats().taken, 3);
        assert_eq!(stored(&*store, &tenant).version, 30);

        let cold = AsyncJournal::new(
            AsyncSqliteStore::from(std::sync::Arc::clone(&store)),
            tenant.clone(),
        )
        .with_snapshots::<Ledger>(10);
        let resumed = runtime.block_on(cold.load::<Ledger>(&id())).unwrap();
        assert_eq!(resumed.base_version(), 30);
        assert_same_case(&resumed, &full(&*store, &tenant, &id()));
        assert_eq!(cold.snapshot_stats().used, 1);

        let real = stored(&*store, &tenant);
        let ahead = Snapshot::new(real.stream, 40, real.head, 1, real.state).unwrap();
        store.put_snapshot(&ahead).unwrap();
        let cold = AsyncJournal::new(
            AsyncSqliteStore::from(std::sync::Arc::clone(&store)),
            tenant.clone(),
        )
        .with_snapshots::<Ledger>(10);
        let case = runtime.block_on(cold.load::<Ledger>(&id())).unwrap();
        assert_eq!(case, full(&*store, &tenant, &id()));
        assert!(matches!(
            cold.snapshot_stats().last_refused,
            Some(SnapshotRefused::BeyondLog { version: 40, .. })
        ));
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// For a random history and a snapshot at a random version, the
        /// case loaded from the snapshot equals the full replay, and so do
        /// the commands handled on it after.
        #[test]
        fn loading_from_a_snapshot_at_any_point_equals_the_replay(
            amounts in proptest::collection::vec(-1_000i64..1_000, 1..120),
            at in any::<prop::sample::Index>(),
            closed in any::<bool>(),
            more in 0usize..5,
        ) {
            let store = support::stores::memory();
            let tenant = support::stores::tenant("props");
            let plain = Journal::new(&store, tenant.clone());
            let clerk = clerk();
            let mut minute = 0i64;
            let mut next = || {
                minute += 1;
                t0() + Duration::minutes(minute)
            };
            plain.handle(&Ledger, &id(), &LedgerCommand::Open, &Context::new(next(), &clerk)).unwrap();
            for (n, amount) in amounts.iter().enumerate() {
                let post = LedgerCommand::Post { amount: *amount, note: format!("n{n}") };
                plain.handle(&Ledger, &id(), &post, &Context::new(next(), &clerk)).unwrap();
            }
            if closed {
                plain.handle(&Ledger, &id(), &LedgerCommand::Close, &Context::new(next(), &clerk)).unwrap();
            }
            let whole = full(&store, &tenant, &id());
            let k = at.index(whole.version() as usize) as u64 + 1;
            let state = replay_state::<Ledger>(&id(), &whole.history()[..k as usize]).unwrap();
            let head = store.read_stream(&stream(&tenant), k - 1).unwrap()[0].hash;
            let snapshot = Snapshot::new(
                stream(&tenant), k, head, 1, serde_json::to_value(&state).unwrap(),
            ).unwrap();
            store.put_snapshot(&snapshot).unwrap();

            let cold = Journal::new(&store, tenant.clone()).with_snapshots::<Ledger>(u64::MAX);
            let resumed = cold.load::<Ledger>(&id()).unwrap();
            prop_assert_eq!(resumed.base_version(), k);
            assert_same_case(&resumed, &whole);

            // Commands on the resumed case record what they would on the
            // full one.
            if !closed {
                let mut live = whole.clone();
                for n in 0..more {
                    let ctx = Context::new(next(), &clerk);
                    let done = cold.handle(&Ledger, &id(), &post(n), &ctx).unwrap();
                    live.handle(&Ledger, &post(n), &ctx).unwrap();
                    prop_assert_eq!(done.events(), &live.history()[live.history().len() - 1..]);
                }
                assert_same_case(&cold.load::<Ledger>(&id()).unwrap(), &full(&store, &tenant, &id()));
                prop_assert_eq!(full(&store, &tenant, &id()), live);
            }
        }
    }
}
