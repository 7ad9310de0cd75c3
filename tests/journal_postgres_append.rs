//! PostgreSQL appends in few round trips: the sync store takes its locks
//! with `BEGIN` in one simple query, the tenant and stream written as
//! literals, and the async store pipelines its statements. The locks are
//! the ones the store's module docs name, whatever the tenant's name: an
//! append takes its tenant's lock shared and its stream's exclusively, so
//! appends of one tenant run side by side and appends of one stream one
//! after another; a read of the tenant's feed takes the tenant's lock
//! exclusively, so it waits for the appends in flight and never passes a
//! position one of them may still commit. A batch's positions ascend with
//! its versions, also across the blocks of positions an append draws, and
//! stay unique across tenants; an async append cancelled mid-transaction
//! leaves no transaction behind holding a lock.

#![cfg(feature = "postgres")]

mod support {
    pub mod stores;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{EventStore, NewEvent, PostgresOptions, PostgresStore, StreamKey};

fn event(id: &str, n: u64) -> NewEvent {
    NewEvent::new(
        id.parse().unwrap(),
        "Noted",
        serde_json::json!({ "n": n, "note": "材料已补齐" }),
        "clerk-li".parse().unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    )
}

fn key(tenant: &TenantId, id: &str) -> StreamKey {
    StreamKey::new(
        tenant.clone(),
        "notes".parse().unwrap(),
        id.parse().unwrap(),
    )
}

/// Whether a test holds `journal_events` still: the tests that hold an
/// append in flight run alone. An append in flight holds its lock on
/// `journal_events`; another test's new tenant meanwhile creates its
/// partition, whose lock on the table waits for that append, and every
/// later append of any tenant queues behind the creation — the held
/// append would stall its own test's later append for a reason of the
/// test's making.
static TABLES: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// For a test that holds nothing in flight: runs beside the others.
fn tables_shared() -> std::sync::RwLockReadGuard<'static, ()> {
    TABLES.read().unwrap_or_else(|e| e.into_inner())
}

/// For a test that holds an append in flight: runs alone.
fn tables_alone() -> std::sync::RwLockWriteGuard<'static, ()> {
    TABLES.write().unwrap_or_else(|e| e.into_inner())
}

/// A tenant whose name holds a quote and backslashes, as ids may.
fn quoted_tenant(test: &str) -> TenantId {
    let base = support::stores::tenant(test);
    TenantId::new(format!("{base}-o'brien\\x\\'")).unwrap()
}

/// The key of the tenant's lock, from `$1` the tenant, as the module docs
/// of the PostgreSQL store name it.
const TENANT_KEY: &str = "hashtextextended('grassroots.journal/' || $1, 0)";

/// The tenant's lock exactly as the module docs of the PostgreSQL store
/// name it, taken on a connection of its own (exclusively, as a feed read
/// takes it).
const LOCK: &str = "SELECT pg_advisory_xact_lock(hashtextextended('grassroots.journal/' || $1, 0))";

/// The tenant's lock taken shared, as an append in flight holds it.
const LOCK_SHARED: &str =
    "SELECT pg_advisory_xact_lock_shared(hashtextextended('grassroots.journal/' || $1, 0))";

/// A stream's lock, as the module docs name it: `$1` tenant, `$2` stream
/// type, `$3` stream id.
const LOCK_STREAM: &str =
    "SELECT pg_advisory_xact_lock(hashtext($1::text), hashtext($2::text || '/' || $3::text))";

/// While another connection holds the lock `lock` takes with `params`,
/// `append` (run on a thread) waits; it finishes once the lock is released.
fn an_append_waits_for(
    url: &str,
    lock: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    append: impl FnOnce() + Send + 'static,
) {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut tx = admin.transaction().unwrap();
    tx.execute(lock, params).unwrap();
    let (thread, done) = on_a_thread(append);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !done.load(Ordering::SeqCst),
        "the append did not wait for the lock {lock}"
    );
    tx.commit().unwrap();
    thread.join().unwrap();
    assert!(done.load(Ordering::SeqCst));
}

/// While another connection holds `tenant`'s lock, `append` waits.
fn an_append_waits_for_the_tenant_lock(
    url: &str,
    tenant: &TenantId,
    append: impl FnOnce() + Send + 'static,
) {
    an_append_waits_for(url, LOCK, &[&tenant.as_str()], append);
}

/// Waits until a request for the advisory lock that `key` (a query of one
/// `bigint` from `$1`) names is waiting in `pg_locks`, or `finished` says
/// the one who would wait is done. Whether it was seen waiting.
fn seen_waiting(
    admin: &mut postgres::Client,
    key: &str,
    text: &str,
    finished: &AtomicBool,
) -> bool {
    let waiting = format!(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
         AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = ({key})"
    );
    within_30_seconds(|| {
        let count: i64 = admin.query_one(&waiting, &[&text]).unwrap().get(0);
        if count > 0 {
            Some(true)
        } else {
            finished.load(Ordering::SeqCst).then_some(false)
        }
    })
}

/// Whether `done` is set within 30 seconds (it is, at once, for work
/// that waits for nothing).
fn finishes_in_time(done: &AtomicBool) -> bool {
    within_30_seconds(|| done.load(Ordering::SeqCst).then_some(true)) || done.load(Ordering::SeqCst)
}

/// Asks `answer` every 20 ms until it gives one, for at most 30 seconds;
/// `false` if it never does.
fn within_30_seconds(mut answer: impl FnMut() -> Option<bool>) -> bool {
    for _ in 0..1_500 {
        if let Some(answer) = answer() {
            return answer;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Runs `work` on a thread; its result and a flag set once it is done.
fn on_a_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> (std::thread::JoinHandle<T>, Arc<AtomicBool>) {
    let done = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&done);
    let thread = std::thread::spawn(move || {
        let out = work();
        flag.store(true, Ordering::SeqCst);
        out
    });
    (thread, done)
}

/// A gate on a tenant's partition: a row trigger that, after a row of the
/// stream `T-gated` is written (its position drawn), waits for a lock the
/// gate's connection holds, so the append that wrote it stays in flight
/// until [`Gate::open`].
struct Gate {
    admin: postgres::Client,
    name: String,
    partition: String,
    tenant: TenantId,
}

impl Gate {
    /// The lock the trigger waits for, from `$1` the tenant.
    const KEY: &str = "hashtextextended('gate/' || $1, 0)";

    /// Installs the gate, named `name`, on `tenant`'s partition (which
    /// must exist), closed.
    fn closed(url: &str, tenant: &TenantId, name: &str) -> Gate {
        let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let partition: String = admin
            .query_one(
                "SELECT partition FROM journal_tenants WHERE tenant = $1",
                &[&tenant.as_str()],
            )
            .unwrap()
            .get(0);
        admin
            .batch_execute(&format!(
                "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                     PERFORM pg_advisory_xact_lock_shared(hashtextextended('gate/' || NEW.tenant, 0));
                     RETURN NULL;
                 END $$;
                 CREATE TRIGGER {name} AFTER INSERT ON {partition} FOR EACH ROW
                     WHEN (NEW.stream_id = 'T-gated') EXECUTE FUNCTION {name}();"
            ))
            .unwrap();
        let key = Gate::KEY;
        admin
            .execute(
                &format!("SELECT pg_advisory_lock({key})"),
                &[&tenant.as_str()],
            )
            .unwrap();
        Gate {
            admin,
            name: name.to_owned(),
            partition,
            tenant: tenant.clone(),
        }
    }

    /// Whether an append reached the gate (or `done` said it finished
    /// first).
    fn reached(&mut self, done: &AtomicBool) -> bool {
        seen_waiting(&mut self.admin, Gate::KEY, self.tenant.as_str(), done)
    }

    /// Lets the held append go on.
    fn open(&mut self) {
        let key = Gate::KEY;
        self.admin
            .execute(
                &format!("SELECT pg_advisory_unlock({key})"),
                &[&self.tenant.as_str()],
            )
            .unwrap();
    }

    /// Removes the trigger and its function (`CASCADE`: also a trigger a
    /// failed run of the test left on its own tenant's partition).
    fn remove(mut self) {
        let (name, partition) = (&self.name, &self.partition);
        self.admin
            .batch_execute(&format!(
                "DROP TRIGGER {name} ON {partition}; DROP FUNCTION {name}() CASCADE;"
            ))
            .unwrap();
    }
}

/// An append in flight with positions drawn, a later append of the same
/// tenant, and a feed read: the later append does not wait for the one in
/// flight, and the read waits for it, so it sees its event before the
/// later one instead of passing its position for ever.
fn a_feed_read_waits_for_an_append_in_flight<S>(url: &str, store: S, tenant: &TenantId, gate: &str)
where
    S: EventStore + Send + Sync + 'static,
{
    let store = Arc::new(store);
    store
        .append(&key(tenant, "T-0"), 0, &[event("in-0", 0)])
        .unwrap();
    let mut gate = Gate::closed(url, tenant, gate);
    let (gated, gated_done) = {
        let (store, tenant) = (Arc::clone(&store), tenant.clone());
        on_a_thread(move || store.append(&key(&tenant, "T-gated"), 0, &[event("in-gated", 1)]))
    };
    assert!(
        gate.reached(&gated_done),
        "the gated append never reached its gate"
    );
    let (later, later_done) = {
        let (store, tenant) = (Arc::clone(&store), tenant.clone());
        on_a_thread(move || store.append(&key(&tenant, "T-later"), 0, &[event("in-later", 2)]))
    };
    let later_finished = finishes_in_time(&later_done);
    let (read, read_done) = {
        let (store, tenant) = (Arc::clone(&store), tenant.clone());
        on_a_thread(move || store.read_all(&tenant, 0, 10))
    };
    let read_waited =
        later_finished && seen_waiting(&mut gate.admin, TENANT_KEY, tenant.as_str(), &read_done);
    gate.open();
    let gated = gated.join().unwrap().unwrap();
    let later = later.join().unwrap().unwrap();
    let read = read.join().unwrap().unwrap();
    gate.remove();
    assert!(
        later_finished,
        "an append of the tenant waited for another stream's append in flight"
    );
    assert!(
        read_waited,
        "the feed read did not wait for the append in flight"
    );
    assert!(gated.positions.end <= later.positions.start);
    let ids: Vec<&str> = read.iter().map(|row| row.event_id.as_str()).collect();
    assert_eq!(ids, ["in-0", "in-gated", "in-later"]);
}

/// Every call of a store of one connection, on one tenant, while another
/// connection holds another tenant's partition locked (`LOCK TABLE ... IN
/// ACCESS EXCLUSIVE MODE`, as maintenance of that tenant's table would):
/// none waits for it, also at the sixth run of each of the connection's
/// statements — when PostgreSQL's plan cache builds a generic plan of a
/// prepared statement to weigh it against the custom ones, and planning
/// it locks every partition of `journal_events` (with hundreds of
/// tenants, eight connections doing so at once ran the server's lock
/// table out of memory: "out of shared memory"). `other` (another store)
/// makes the other tenant's partition, so `store`'s statements have run
/// exactly five times before.
fn a_tenant_never_waits_for_another_tenants_partition<S>(
    url: &str,
    store: S,
    other: S,
    tenant: &TenantId,
) where
    S: EventStore + Send + Sync + 'static,
{
    let store = Arc::new(store);
    let other_tenant = TenantId::new(format!("{}-other", tenant.as_str())).unwrap();
    other
        .append(&key(&other_tenant, "T-0"), 0, &[event("o-0", 0)])
        .unwrap();
    // Every kind of call a store makes on a tenant, on stream `T-n`.
    fn calls<S: EventStore>(store: &S, tenant: &TenantId, n: u64) {
        let stream = key(tenant, &format!("T-{n}"));
        store
            .append(&stream, 0, &[event(&format!("p-{n}"), n)])
            .unwrap();
        assert_eq!(store.read_stream(&stream, 0).unwrap().len(), 1);
        assert_eq!(store.stream_version(&stream).unwrap(), 1);
        assert!(store.anchor(&stream).unwrap().is_some());
        assert_eq!(
            store.read_all(tenant, 0, 100).unwrap().len(),
            n as usize + 1
        );
    }
    for n in 0..5 {
        calls(&*store, tenant, n);
    }
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let partition: String = admin
        .query_one(
            "SELECT partition FROM journal_tenants WHERE tenant = $1",
            &[&other_tenant.as_str()],
        )
        .unwrap()
        .get(0);
    let mut tx = admin.transaction().unwrap();
    tx.batch_execute(&format!("LOCK TABLE {partition} IN ACCESS EXCLUSIVE MODE"))
        .unwrap();
    let (work, done) = {
        let (store, tenant) = (Arc::clone(&store), tenant.clone());
        on_a_thread(move || calls(&*store, &tenant, 5))
    };
    let finished = finishes_in_time(&done);
    tx.commit().unwrap();
    work.join().unwrap();
    assert!(
        finished,
        "a call on one tenant waited for another tenant's partition"
    );
}

/// While another connection holds a stream's lock, an append to the
/// stream waits; an append to another stream of the tenant does not.
fn an_append_waits_for_its_streams_lock<S>(url: &str, store: S, tenant: &TenantId)
where
    S: EventStore + Send + Sync + 'static,
{
    let store = Arc::new(store);
    store
        .append(&key(tenant, "T-0"), 0, &[event("s-0", 0)])
        .unwrap();
    let (writer, inside) = (Arc::clone(&store), tenant.clone());
    let (other, other_tenant) = (Arc::clone(&store), tenant.clone());
    an_append_waits_for(
        url,
        LOCK_STREAM,
        &[&tenant.as_str(), &"notes", &"T-1"],
        move || {
            // Another stream of the tenant goes through while the lock is
            // held (its own append waits for nothing).
            other
                .append(&key(&other_tenant, "T-2"), 0, &[event("s-2", 2)])
                .unwrap();
            writer
                .append(&key(&inside, "T-1"), 0, &[event("s-1", 1)])
                .unwrap();
        },
    );
    assert_eq!(store.read_all(tenant, 0, 10).unwrap().len(), 3);
}

/// While another connection holds the tenant's lock shared, as appends in
/// flight do, an append of the tenant goes through.
fn an_append_does_not_wait_for_appends_in_flight<S>(url: &str, store: S, tenant: &TenantId)
where
    S: EventStore + Send + Sync + 'static,
{
    store
        .append(&key(tenant, "T-0"), 0, &[event("f-0", 0)])
        .unwrap();
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut tx = admin.transaction().unwrap();
    tx.execute(LOCK_SHARED, &[&tenant.as_str()]).unwrap();
    let (append, done) = {
        let tenant = tenant.clone();
        on_a_thread(move || store.append(&key(&tenant, "T-1"), 0, &[event("f-1", 1)]))
    };
    let finished = finishes_in_time(&done);
    tx.commit().unwrap();
    append.join().unwrap().unwrap();
    assert!(finished, "the append waited for an append in flight");
}

/// A batch of `n` events to a new stream: every event reads back, in the
/// tenant's log too, and positions ascend with versions within
/// `appended.positions`.
fn a_batch_reads_back_in_order(store: &dyn EventStore, tenant: &TenantId, n: usize) {
    let stream = key(tenant, "T-batch");
    let events: Vec<NewEvent> = (0..n as u64).map(|i| event(&format!("b-{i}"), i)).collect();
    let appended = store.append(&stream, 0, &events).unwrap();
    assert_eq!(appended.version, n as u64);
    let rows = store.read_stream(&stream, 0).unwrap();
    assert_eq!(rows.len(), n);
    for (i, (row, new)) in rows.iter().zip(&events).enumerate() {
        assert_eq!(row.version, i as u64 + 1);
        assert!(new.matches(row), "{row:?} does not match {new:?}");
        assert!(appended.positions.contains(&row.position));
    }
    assert!(rows.windows(2).all(|w| w[0].position < w[1].position));
    let log = store.read_all(tenant, 0, 10 * n).unwrap();
    assert_eq!(log.len(), n);
    // The chain and the anchor, written in the same statement, agree.
    let verified = grassroots::journal::verify_anchored(store, &stream).unwrap();
    assert_eq!(verified.version, n as u64);
    assert_eq!(verified.head, rows[n - 1].hash);
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn the_sync_store_takes_the_tenant_lock_whatever_the_tenant_name() {
    let _tables = tables_shared();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let Some(store) = support::stores::postgres() else {
        return;
    };
    let store = Arc::new(store);
    let tenant = quoted_tenant("lock");
    // The partition exists before the lock is held.
    store
        .append(&key(&tenant, "T-0"), 0, &[event("e-0", 0)])
        .unwrap();
    let (writer, inside) = (Arc::clone(&store), tenant.clone());
    an_append_waits_for_the_tenant_lock(&url, &tenant, move || {
        writer
            .append(&key(&inside, "T-1"), 0, &[event("e-1", 1)])
            .unwrap();
    });
    assert_eq!(store.read_all(&tenant, 0, 10).unwrap().len(), 2);
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn a_feed_read_on_postgres_waits_for_an_append_in_flight_and_appends_do_not() {
    let _tables = tables_alone();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let Some(store) = support::stores::postgres() else {
        return;
    };
    let tenant = support::stores::tenant("in-flight");
    a_feed_read_waits_for_an_append_in_flight(&url, store, &tenant, "gate_sync");
}

/// `url` asking the server to begin every transaction serializable, as a
/// role's or a database's default may (`ALTER ROLE ... SET
/// default_transaction_isolation`): the stores must keep to read committed
/// whatever the default (module docs, "Commit order and the locks").
fn serializable_by_default(url: &str) -> String {
    with_options(url, "-c default_transaction_isolation=serializable")
}

/// `url` with its `options` set to `options`, quoted for either form of
/// connection string.
fn with_options(url: &str, options: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let encoded: String = options
            .chars()
            .map(|c| match c {
                ' ' => "%20".to_owned(),
                '=' => "%3D".to_owned(),
                '\\' => "%5C".to_owned(),
                c => c.to_string(),
            })
            .collect();
        support::stores::with_param(url, "options", &encoded)
    } else {
        let quoted = options.replace('\\', "\\\\").replace('\'', "\\'");
        support::stores::with_param(url, "options", &format!("'{quoted}'"))
    }
}

/// `url` set to begin transactions serializable, its `options` ending in
/// a lone backslash (which the server drops at the end of the string).
fn serializable_ending_in_a_backslash(url: &str) -> String {
    with_options(url, "-c default_transaction_isolation=serializable\\")
}

/// The advisory lock migrations and the creation of a partition take (the
/// store's `DDL_LOCK`: "journal\0" read as a number).
const DDL_LOCK: i64 = 0x6a6f_7572_6e61_6c00;

/// `prepare` creates a new tenant's partition ahead (`true`, then `false`
/// when called again). While another connection holds the lock that
/// creating a partition takes, `store` — which has seen neither tenant —
/// appends the prepared tenant's first event at once, and an unprepared
/// tenant's first append waits for that lock.
fn a_prepared_tenant_appends_while_no_partition_can_be_made<S>(
    url: &str,
    prepare: impl Fn(&TenantId) -> bool,
    store: Arc<S>,
) where
    S: EventStore + Send + Sync + 'static,
{
    let prepared = support::stores::tenant("prepared");
    let unprepared = support::stores::tenant("unprepared");
    assert!(prepare(&prepared), "the first call creates the partition");
    assert!(!prepare(&prepared), "a second call finds it made");
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut tx = admin.transaction().unwrap();
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DDL_LOCK])
        .unwrap();
    let first = Arc::clone(&store);
    let (thread, done) = on_a_thread(move || {
        first
            .append(&key(&prepared, "P-1"), 0, &[event("p-1", 1)])
            .unwrap();
    });
    assert!(
        finishes_in_time(&done),
        "the prepared tenant's first append waited to make a partition"
    );
    thread.join().unwrap();
    let (thread, done) = on_a_thread(move || {
        store
            .append(&key(&unprepared, "U-1"), 0, &[event("u-1", 1)])
            .unwrap();
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !done.load(Ordering::SeqCst),
        "an unprepared tenant's first append made no partition"
    );
    tx.commit().unwrap();
    thread.join().unwrap();
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn a_tenant_prepared_on_postgres_appends_its_first_events_without_making_a_partition() {
    let _tables = tables_shared();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let preparer = sync_store(&url, 1);
    let store = Arc::new(sync_store(&url, 2));
    a_prepared_tenant_appends_while_no_partition_can_be_made(
        &url,
        |tenant| preparer.prepare_tenant(tenant).unwrap(),
        store,
    );
}

/// A store on `url` with a pool of `connections` and the tests' clock.
fn sync_store(url: &str, connections: u32) -> PostgresStore {
    let options = PostgresOptions::new()
        .pool_size(connections)
        .clock(support::stores::clock());
    PostgresStore::connect_with(url, options).unwrap()
}

/// The first appends of a new tenant, eight at once from one store's
/// pool: every one is recorded (the tenant's partition is created once,
/// and no append fails for another's).
fn first_appends_of_a_tenant_race_without_errors<S>(store: S, tenant: &TenantId)
where
    S: EventStore + Send + Sync,
{
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|scope| {
        for t in 0..8 {
            let (store, barrier) = (&store, &barrier);
            scope.spawn(move || {
                barrier.wait();
                let events: Vec<NewEvent> =
                    (0..20).map(|i| event(&format!("r-{t}-{i}"), i)).collect();
                store
                    .append(&key(tenant, &format!("T-{t}")), 0, &events)
                    .unwrap();
            });
        }
    });
    assert_eq!(store.read_all(tenant, 0, 1_000).unwrap().len(), 160);
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn a_feed_read_on_postgres_waits_for_an_append_in_flight_where_the_server_defaults_to_serializable()
{
    let _tables = tables_alone();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let store = sync_store(&serializable_by_default(&url), 8);
    let tenant = support::stores::tenant("in-flight-serializable");
    a_feed_read_waits_for_an_append_in_flight(&url, store, &tenant, "gate_sync_serializable");
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn first_appends_of_a_tenant_on_postgres_race_without_errors_where_the_server_defaults_to_serializable()
 {
    let _tables = tables_shared();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let store = sync_store(&serializable_by_default(&url), 8);
    first_appends_of_a_tenant_race_without_errors(store, &support::stores::tenant("first-race"));
}

/// The string's `options` end in a backslash: the store's settings are
/// still read as settings of their own (not run into the string's last
/// option), so it connects, and they still win.
#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn options_ending_in_a_backslash_on_postgres_keep_the_stores_settings() {
    let _tables = tables_shared();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let store = sync_store(&serializable_ending_in_a_backslash(&url), 8);
    first_appends_of_a_tenant_race_without_errors(store, &support::stores::tenant("backslash"));
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn a_tenant_on_postgres_never_waits_for_another_tenants_partition() {
    let _tables = tables_alone();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let (store, other) = (sync_store(&url, 1), sync_store(&url, 1));
    let tenant = support::stores::tenant("partition-locks");
    a_tenant_never_waits_for_another_tenants_partition(&url, store, other, &tenant);
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn an_append_on_postgres_waits_for_its_streams_lock_whatever_the_names() {
    let _tables = tables_shared();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let Some(store) = support::stores::postgres() else {
        return;
    };
    an_append_waits_for_its_streams_lock(&url, store, &quoted_tenant("stream-lock"));
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn an_append_on_postgres_does_not_wait_for_appends_in_flight() {
    let _tables = tables_shared();
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let Some(store) = support::stores::postgres() else {
        return;
    };
    an_append_does_not_wait_for_appends_in_flight(&url, store, &quoted_tenant("shared"));
}

#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn a_tenant_named_with_quotes_and_backslashes_appends_a_batch_on_postgres() {
    let _tables = tables_shared();
    let Some(store) = support::stores::postgres() else {
        return;
    };
    a_batch_reads_back_in_order(&store, &quoted_tenant("quoted"), 300);
}

/// An append draws a block of 1,024 positions with each `nextval`: a batch
/// longer than a block still reads back with positions ascending with its
/// versions, consecutive within each block, all in `appended.positions`.
#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn an_append_longer_than_a_block_keeps_its_positions_in_version_order_on_postgres() {
    let _tables = tables_shared();
    let Some(store) = support::stores::postgres() else {
        return;
    };
    let tenant = support::stores::tenant("blocks");
    a_batch_reads_back_in_order(&store, &tenant, 2_500);
    let rows = store.read_stream(&key(&tenant, "T-batch"), 0).unwrap();
    for block in rows.chunks(1_024) {
        assert!(block.windows(2).all(|w| w[1].position == w[0].position + 1));
    }
    // The next append, even of one event, is placed after all of them.
    let next = store
        .append(&key(&tenant, "T-next"), 0, &[event("n-0", 0)])
        .unwrap();
    assert_eq!(next.positions.end - next.positions.start, 1);
    assert!(next.positions.start > rows[rows.len() - 1].position);
}

/// Positions are unique in the store, not only within a tenant: tenants
/// appending at the same time never share one.
#[test]
#[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
fn tenants_appending_at_once_never_share_a_position_on_postgres() {
    let _tables = tables_shared();
    let Some(store) = support::stores::postgres() else {
        return;
    };
    let store = Arc::new(store);
    let tenants: Vec<TenantId> = (0..3)
        .map(|t| support::stores::tenant(&format!("shared-{t}")))
        .collect();
    let threads: Vec<_> = tenants
        .iter()
        .map(|tenant| {
            let (store, tenant) = (Arc::clone(&store), tenant.clone());
            std::thread::spawn(move || {
                for a in 0..10 {
                    let events: Vec<NewEvent> =
                        (0..40).map(|i| event(&format!("s-{a}-{i}"), i)).collect();
                    store
                        .append(&key(&tenant, &format!("T-{a}")), 0, &events)
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let mut positions: Vec<u64> = tenants
        .iter()
        .flat_map(|tenant| store.read_all(tenant, 0, 1_000).unwrap())
        .map(|row| row.position)
        .collect();
    assert_eq!(positions.len(), 3 * 10 * 40);
    positions.sort_unstable();
    positions.dedup();
    assert_eq!(positions.len(), 3 * 10 * 40);
}

#[cfg(feature = "tokio")]
mod nonblocking {
    use std::future::{Future, poll_fn};
    use std::pin::pin;
    use std::task::Poll;

    use super::*;
    use grassroots::journal::{AsyncEventStore, AsyncPostgresOptions, AsyncPostgresStore};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn the_async_store_takes_the_tenant_lock_whatever_the_tenant_name() {
        let _tables = tables_shared();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let runtime = Arc::new(runtime());
        let Some(store) = support::stores::async_postgres_on(&runtime) else {
            return;
        };
        let store = Arc::new(store);
        let tenant = quoted_tenant("async-lock");
        runtime
            .block_on(store.append(&key(&tenant, "T-0"), 0, &[event("e-0", 0)]))
            .unwrap();
        let (writer, inside, on) = (Arc::clone(&store), tenant.clone(), Arc::clone(&runtime));
        an_append_waits_for_the_tenant_lock(&url, &tenant, move || {
            on.block_on(writer.append(&key(&inside, "T-1"), 0, &[event("e-1", 1)]))
                .unwrap();
        });
        let log = runtime.block_on(store.read_all(&tenant, 0, 10)).unwrap();
        assert_eq!(log.len(), 2);
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn a_feed_read_on_async_postgres_waits_for_an_append_in_flight_and_appends_do_not() {
        let _tables = tables_alone();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let Some(store) = support::stores::async_postgres() else {
            return;
        };
        let tenant = support::stores::tenant("async-in-flight");
        a_feed_read_waits_for_an_append_in_flight(&url, store, &tenant, "gate_async");
    }

    /// The async store on `url` with at most `connections` and the tests'
    /// clock, behind the sync face.
    fn async_store(
        url: &str,
        connections: usize,
    ) -> support::stores::BlockingStore<AsyncPostgresStore> {
        let runtime = support::stores::runtime();
        let options = AsyncPostgresOptions::new()
            .max_connections(connections)
            .clock(support::stores::clock());
        let store = runtime
            .block_on(AsyncPostgresStore::connect_with(url, options))
            .unwrap();
        support::stores::BlockingStore::new(store, runtime)
    }

    /// The async store on `url` set to begin transactions serializable.
    fn async_serializable(url: &str) -> support::stores::BlockingStore<AsyncPostgresStore> {
        async_store(&serializable_by_default(url), 8)
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn a_feed_read_on_async_postgres_waits_for_an_append_in_flight_where_the_server_defaults_to_serializable()
     {
        let _tables = tables_alone();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let tenant = support::stores::tenant("async-in-flight-serializable");
        let gate = "gate_async_serializable";
        a_feed_read_waits_for_an_append_in_flight(&url, async_serializable(&url), &tenant, gate);
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn first_appends_of_a_tenant_on_async_postgres_race_without_errors_where_the_server_defaults_to_serializable()
     {
        let _tables = tables_shared();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let tenant = support::stores::tenant("async-first-race");
        first_appends_of_a_tenant_race_without_errors(async_serializable(&url), &tenant);
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn a_tenant_prepared_on_async_postgres_appends_its_first_events_without_making_a_partition() {
        let _tables = tables_shared();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let preparer = async_store(&url, 1);
        let store = Arc::new(async_store(&url, 2));
        a_prepared_tenant_appends_while_no_partition_can_be_made(
            &url,
            |tenant| {
                preparer
                    .runtime()
                    .block_on(preparer.store().prepare_tenant(tenant))
                    .unwrap()
            },
            store,
        );
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn options_ending_in_a_backslash_on_async_postgres_keep_the_stores_settings() {
        let _tables = tables_shared();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let store = async_store(&serializable_ending_in_a_backslash(&url), 8);
        first_appends_of_a_tenant_race_without_errors(
            store,
            &support::stores::tenant("async-backslash"),
        );
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn a_tenant_on_async_postgres_never_waits_for_another_tenants_partition() {
        let _tables = tables_alone();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let (store, other) = (async_store(&url, 1), async_store(&url, 1));
        let tenant = support::stores::tenant("async-partition-locks");
        a_tenant_never_waits_for_another_tenants_partition(&url, store, other, &tenant);
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn an_append_on_async_postgres_waits_for_its_streams_lock_whatever_the_names() {
        let _tables = tables_shared();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let Some(store) = support::stores::async_postgres() else {
            return;
        };
        an_append_waits_for_its_streams_lock(&url, store, &quoted_tenant("async-stream-lock"));
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn an_append_on_async_postgres_does_not_wait_for_appends_in_flight() {
        let _tables = tables_shared();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let Some(store) = support::stores::async_postgres() else {
            return;
        };
        an_append_does_not_wait_for_appends_in_flight(&url, store, &quoted_tenant("async-shared"));
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn a_tenant_named_with_quotes_and_backslashes_appends_a_batch_on_async_postgres() {
        let _tables = tables_shared();
        let Some(store) = support::stores::async_postgres() else {
            return;
        };
        a_batch_reads_back_in_order(&store, &quoted_tenant("async-quoted"), 300);
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn an_append_longer_than_a_block_keeps_its_positions_in_version_order_on_async_postgres() {
        let _tables = tables_shared();
        let Some(store) = support::stores::async_postgres() else {
            return;
        };
        a_batch_reads_back_in_order(&store, &support::stores::tenant("async-blocks"), 2_500);
    }

    /// An append whose future is dropped after its first poll — `BEGIN`,
    /// the locks and the probe sent, nothing answered — must not leave its
    /// connection idle in a transaction that holds the tenant's or the
    /// stream's lock: another store's append to the same stream and its
    /// read of the tenant's feed go through, and the first store still
    /// works.
    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn a_cancelled_async_append_leaves_no_transaction_holding_the_tenant_lock() {
        let _tables = tables_shared();
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let tenant = support::stores::tenant("cancelled");
        runtime().block_on(async {
            let options = AsyncPostgresOptions::new()
                .max_connections(1)
                .clock(support::stores::clock());
            let first = AsyncPostgresStore::connect_with(&url, options)
                .await
                .unwrap();
            // The partition, the connection and its statements, ready.
            first
                .append(&key(&tenant, "T-0"), 0, &[event("e-0", 0)])
                .await
                .unwrap();
            let cancelled = [event("e-1", 1)];
            {
                let stream = key(&tenant, "T-1");
                let mut append = pin!(first.append(&stream, 0, &cancelled));
                // One poll sends `BEGIN`, the lock and the probe; no
                // answer can have come back yet.
                let pending =
                    poll_fn(|cx| Poll::Ready(append.as_mut().poll(cx).is_pending())).await;
                assert!(pending, "the append finished in one poll");
            }
            // An append to the cancelled one's stream waits for its
            // stream's lock, a feed read for the tenant's: neither is
            // left held.
            let second = AsyncPostgresStore::connect(&url).await.unwrap();
            let appended = tokio::time::timeout(
                Duration::from_secs(20),
                second.append(&key(&tenant, "T-1"), 0, &[event("e-2", 2)]),
            )
            .await;
            assert!(
                appended.is_ok(),
                "the cancelled append's transaction still holds its stream's lock"
            );
            appended.unwrap().unwrap();
            let read =
                tokio::time::timeout(Duration::from_secs(20), second.read_all(&tenant, 0, 10))
                    .await;
            assert!(
                read.is_ok(),
                "the cancelled append's transaction still holds the tenant's lock"
            );
            assert_eq!(read.unwrap().unwrap().len(), 2);
            first
                .append(&key(&tenant, "T-3"), 0, &[event("e-3", 3)])
                .await
                .unwrap();
            assert_eq!(first.stream_version(&key(&tenant, "T-1")).await.unwrap(), 1);
            assert_eq!(first.read_all(&tenant, 0, 10).await.unwrap().len(), 3);
        });
    }
}
