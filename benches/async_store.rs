//! The async PostgreSQL store (features `tokio` and `postgres`): eight
//! tokio tasks appending batches to distinct cases at once (events/s), in
//! one tenant and in eight, and the latency of single-event appends (one
//! task, and eight at once).
//!
//! The sync store is measured first, the same way: eight threads, each
//! building and appending its batches one after another for the whole
//! run, timed from the first append to the last. This is issue 19's figure
//! for "8 writers" on both stores. `journal_pool/postgres_append_*` in
//! `benches/journal.rs` times something else: eight appends started
//! together, each iteration waiting for the slowest (round 21 in
//! DESIGN.md).
//!
//! Uses `GRASSROOTS_POSTGRES_URL`, or starts a throwaway cluster as the
//! tests do (`tests/support/stores.rs`):
//!
//! ```sh
//! source .ci/postgres.sh   # first: the build reads GRASSROOTS_POSTGRES_URL
//! GRASSROOTS_BENCH_ROUNDS=50 cargo bench --features tokio,postgres --bench async_store
//! ```
//!
//! `GRASSROOTS_BENCH_ROUNDS` (default 25) sets how many batches of 1,000
//! events each writer appends; BENCHMARKS.md's figures since round 21 use
//! 50, for steadier rates. Sourcing `.ci/postgres.sh` after a build
//! rebuilds the crate (`build.rs` watches the variable).
#![allow(missing_docs)]

#[path = "../tests/support/stores.rs"]
mod stores;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{
    AsyncEventStore, AsyncPostgresOptions, AsyncPostgresStore, EventStore, NewEvent,
    PostgresOptions, PostgresStore, StreamKey,
};
use serde_json::json;

const WRITERS: usize = 8;
const BATCH: usize = 1_000;
const SINGLES: usize = 400;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// The event of `benches/journal.rs`: a note of about 90 bytes of JSON.
fn note(id: String) -> NewEvent {
    NewEvent::new(
        id.parse().unwrap(),
        "Noted",
        json!({"Noted": {"by": "clerk-li", "text": "材料已补齐, applicant notified", "at": "2026-03-02T09:00:00Z"}}),
        "clerk-li".parse().unwrap(),
        t0(),
    )
}

fn stream(tenant: &TenantId, id: String) -> StreamKey {
    StreamKey::new(
        tenant.clone(),
        "notes".parse().unwrap(),
        id.parse().unwrap(),
    )
}

/// Eight writers, writer `w` in `tenants[w % tenants.len()]`, each
/// appending `rounds` batches of [`BATCH`] events to new cases of its own.
async fn batched(store: &Arc<AsyncPostgresStore>, tenants: &[TenantId], rounds: usize) -> f64 {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (store, tenant) = (Arc::clone(store), tenants[w % tenants.len()].clone());
        tasks.push(tokio::spawn(async move {
            for r in 0..rounds {
                let events: Vec<NewEvent> =
                    (0..BATCH).map(|i| note(format!("w{w}-r{r}-{i}"))).collect();
                let key = stream(&tenant, format!("W{w}-R{r}"));
                store.append(&key, 0, &events).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    (WRITERS * rounds * BATCH) as f64 / start.elapsed().as_secs_f64()
}

/// As [`batched`], on the sync store: eight threads in place of the tasks,
/// each building and appending its batches one after another, the same
/// events to the same shape of cases, timed the same way.
fn sync_batched(store: &PostgresStore, tenants: &[TenantId], rounds: usize) -> f64 {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let tenant = &tenants[w % tenants.len()];
            scope.spawn(move || {
                for r in 0..rounds {
                    let events: Vec<NewEvent> =
                        (0..BATCH).map(|i| note(format!("w{w}-r{r}-{i}"))).collect();
                    let key = stream(tenant, format!("W{w}-R{r}"));
                    store.append(&key, 0, &events).unwrap();
                }
            });
        }
    });
    (WRITERS * rounds * BATCH) as f64 / start.elapsed().as_secs_f64()
}

/// `writers` tasks, each appending [`SINGLES`] single events to a case of
/// its own, one after another: every append's latency.
async fn singles(
    store: &Arc<AsyncPostgresStore>,
    tenant: &TenantId,
    writers: usize,
) -> Vec<Duration> {
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (store, tenant) = (Arc::clone(store), tenant.clone());
        tasks.push(tokio::spawn(async move {
            let key = stream(&tenant, format!("S{writers}-{w}"));
            let mut latencies = Vec::with_capacity(SINGLES);
            for v in 0..SINGLES as u64 {
                let event = note(format!("s{writers}-{w}-{v}"));
                let start = Instant::now();
                store.append(&key, v, &[event]).await.unwrap();
                latencies.push(start.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_unstable();
    all
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn report_latency(what: &str, latencies: &[Duration], elapsed: Duration) {
    println!(
        "{what}: p50 {:.2} ms, p99 {:.2} ms, {:.0} events/s",
        quantile(latencies, 0.5).as_secs_f64() * 1e3,
        quantile(latencies, 0.99).as_secs_f64() * 1e3,
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter is not used.
    let Some(url) = stores::postgres_url() else {
        println!("async_store: skipped, no PostgreSQL");
        return;
    };
    let rounds: usize = std::env::var("GRASSROOTS_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(25);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // The sync store first, outside the runtime (its client runs one of
    // its own on each call).
    let store = PostgresStore::connect_with(&url, PostgresOptions::new().pool_size(WRITERS as u32))
        .unwrap();
    let one = [stores::tenant("bench-sync")];
    let eight: Vec<TenantId> = (0..WRITERS)
        .map(|w| stores::tenant(&format!("bench-sync-{w}")))
        .collect();
    sync_batched(&store, &one, 1);
    sync_batched(&store, &eight, 1);
    let rate = sync_batched(&store, &one, rounds);
    println!(
        "sync store, 8 threads, one tenant, batches of {BATCH} to distinct cases: {rate:.0} events/s"
    );
    let rate = sync_batched(&store, &eight, rounds);
    println!(
        "sync store, 8 threads, eight tenants, batches of {BATCH} to distinct cases: {rate:.0} events/s"
    );
    drop(store);
    runtime.block_on(async {
        let options = AsyncPostgresOptions::new().max_connections(WRITERS);
        let store = Arc::new(
            AsyncPostgresStore::connect_with(&url, options)
                .await
                .unwrap(),
        );
        let one: Vec<TenantId> = vec![stores::tenant("bench-async")];
        let eight: Vec<TenantId> = (0..WRITERS)
            .map(|w| stores::tenant(&format!("bench-async-{w}")))
            .collect();
        // Warm up: partitions, connections, prepared statements.
        batched(&store, &one, 1).await;
        batched(&store, &eight, 1).await;

        let rate = batched(&store, &one, rounds).await;
        println!(
            "async store, 8 tasks, one tenant, batches of {BATCH} to distinct cases: {rate:.0} events/s"
        );
        let rate = batched(&store, &eight, rounds).await;
        println!(
            "async store, 8 tasks, eight tenants, batches of {BATCH} to distinct cases: {rate:.0} events/s"
        );

        let start = Instant::now();
        let latencies = singles(&store, &one[0], 1).await;
        report_latency("single-event append, 1 writer", &latencies, start.elapsed());
        let start = Instant::now();
        let latencies = singles(&store, &one[0], WRITERS).await;
        report_latency(
            "single-event append, 8 writers (one tenant)",
            &latencies,
            start.elapsed(),
        );
    });
}
