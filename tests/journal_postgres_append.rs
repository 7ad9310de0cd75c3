//! PostgreSQL appends in few round trips: the sync store takes the tenant's
//! lock with `BEGIN` in one simple query, its tenant written as a literal,
//! and the async store pipelines its statements. The lock is the same one
//! both stores take (the one that keeps positions committing in order)
//! whatever the tenant's name; a batch's positions ascend with its
//! versions, also across the blocks of positions an append draws, and stay
//! unique across tenants; an async append cancelled mid-transaction leaves
//! no transaction behind holding the lock.

#![cfg(feature = "postgres")]

mod support {
    pub mod stores;
}

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{EventStore, NewEvent, StreamKey};

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

/// A tenant whose name holds a quote and backslashes, as ids may.
fn quoted_tenant(test: &str) -> TenantId {
    let base = support::stores::tenant(test);
    TenantId::new(format!("{base}-o'brien\\x\\'")).unwrap()
}

/// The tenant's lock exactly as the module docs of the PostgreSQL store
/// name it, taken on a connection of its own.
const LOCK: &str = "SELECT pg_advisory_xact_lock(hashtextextended('grassroots.journal/' || $1, 0))";

/// While another connection holds `tenant`'s lock, `append` (run on a
/// thread) waits; it finishes once the lock is released.
fn an_append_waits_for_the_tenant_lock(
    url: &str,
    tenant: &TenantId,
    append: impl FnOnce() + Send + 'static,
) {
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut tx = admin.transaction().unwrap();
    tx.execute(LOCK, &[&tenant.as_str()]).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let thread = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            append();
            done.store(true, Ordering::SeqCst);
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !done.load(Ordering::SeqCst),
        "the append did not wait for its tenant's lock"
    );
    tx.commit().unwrap();
    thread.join().unwrap();
    assert!(done.load(Ordering::SeqCst));
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
fn a_tenant_named_with_quotes_and_backslashes_appends_a_batch_on_postgres() {
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
    fn a_tenant_named_with_quotes_and_backslashes_appends_a_batch_on_async_postgres() {
        let Some(store) = support::stores::async_postgres() else {
            return;
        };
        a_batch_reads_back_in_order(&store, &quoted_tenant("async-quoted"), 300);
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn an_append_longer_than_a_block_keeps_its_positions_in_version_order_on_async_postgres() {
        let Some(store) = support::stores::async_postgres() else {
            return;
        };
        a_batch_reads_back_in_order(&store, &support::stores::tenant("async-blocks"), 2_500);
    }

    /// An append whose future is dropped after its first poll — `BEGIN`,
    /// the lock and the probe sent, nothing answered — must not leave its connection
    /// idle in a transaction that holds the tenant's lock: another store's
    /// append to the tenant goes through, and the first store still works.
    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn a_cancelled_async_append_leaves_no_transaction_holding_the_tenant_lock() {
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
            let second = AsyncPostgresStore::connect(&url).await.unwrap();
            let appended = tokio::time::timeout(
                Duration::from_secs(20),
                second.append(&key(&tenant, "T-2"), 0, &[event("e-2", 2)]),
            )
            .await;
            assert!(
                appended.is_ok(),
                "the cancelled append's transaction still holds the tenant's lock"
            );
            appended.unwrap().unwrap();
            first
                .append(&key(&tenant, "T-3"), 0, &[event("e-3", 3)])
                .await
                .unwrap();
            assert_eq!(first.stream_version(&key(&tenant, "T-1")).await.unwrap(), 0);
            assert_eq!(first.read_all(&tenant, 0, 10).await.unwrap().len(), 3);
        });
    }
}
