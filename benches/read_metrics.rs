//! The live metrics on SQLite (issue 15, item 5): catching `LiveMetrics`
//! up from a city-year log of disputes and service requests whose events
//! are interleaved (every case's first event, then every second one, ...),
//! with the open cases' histories kept in memory (the default) and with
//! none kept (each event reads its case's earlier events from the
//! journal); the case index on the same log for scale; and
//! `LiveMetrics::metrics` read from the table.
//!
//! ```sh
//! cargo bench --features sqlite,sim --bench read_metrics
//! GRASSROOTS_METRICS_CASES=20000 cargo bench --features sqlite,sim --bench read_metrics
//! ```
//!
//! `GRASSROOTS_METRICS_CASES` sets the cases of the log (default 2,000).
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use grassroots::dispute::Dispute;
use grassroots::id::TenantId;
use grassroots::journal::read::{
    CaseIndex, LiveMetrics, MemoryReadStore, Projection, ReadStore, Runner, SqliteReadStore,
};
use grassroots::journal::{self, EventStore, Journaled, SqliteStore, StreamKey};
use grassroots::load::{City, CityCase, CityYear};
use grassroots::service::ServiceRequest;
use grassroots::workflow::Case;

fn tenant() -> TenantId {
    "longgang".parse().unwrap()
}

fn append<W: Journaled>(store: &SqliteStore, case: &Case<W>, round: usize) -> bool {
    let Some(recorded) = case.history().get(round) else {
        return false;
    };
    let stream = StreamKey::of::<W>(tenant(), case.id().clone()).unwrap();
    let row = journal::encode::<W>(&stream, recorded).unwrap();
    store.append(&stream, round as u64, &[row]).unwrap();
    true
}

/// `cases` disputes and service requests of a small city-year, appended
/// round by round; returns the events written.
fn city_log(store: &SqliteStore, cases: u64) -> u64 {
    let mut year = CityYear::small().with_cases(cases.max(1)).with_seed(15);
    year.mix.work_orders = 0.0;
    let city = City::build(&year).unwrap();
    let played: Vec<CityCase> = (0..cases).map(|n| city.play(n).case).collect();
    let mut events = 0;
    for round in 0.. {
        let mut any = false;
        for case in &played {
            let appended = match case {
                CityCase::Dispute(c) => append(store, c, round),
                CityCase::ServiceRequest(c) => append(store, c, round),
                _ => false,
            };
            events += u64::from(appended);
            any |= appended;
        }
        if !any {
            break;
        }
    }
    events
}

fn live(cache: usize) -> LiveMetrics {
    LiveMetrics::new()
        .with::<Dispute>()
        .with::<ServiceRequest>()
        .with_cache(cache)
}

/// Times one catch-up from zero per iteration, each into a fresh read
/// store from `open`.
fn time_catch_up<R: ReadStore, P: Projection<R>>(
    store: &SqliteStore,
    events: u64,
    iters: u64,
    open: impl Fn(u64) -> R,
    projection: impl Fn() -> P,
) -> Duration {
    let mut total = Duration::ZERO;
    for i in 0..iters {
        let runner = Runner::new(store, tenant(), open(i));
        let mut p = projection();
        let start = Instant::now();
        let done = runner.catch_up(&mut p).unwrap();
        total += start.elapsed();
        assert_eq!(done.events as u64, events);
    }
    total
}

fn catch_up(c: &mut Criterion) {
    let cases: u64 = std::env::var("GRASSROOTS_METRICS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("journal.db")).unwrap();
    let start = Instant::now();
    let events = city_log(&store, cases);
    eprintln!(
        "read_metrics: {cases} cases, {events} events written in {:?}",
        start.elapsed()
    );
    let sqlite = |name: &'static str| {
        let dir = dir.path().to_owned();
        move |i: u64| {
            let path = dir.join(format!("{name}-{i}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            SqliteReadStore::open(path).unwrap()
        }
    };
    let mut group = c.benchmark_group("read_metrics/catch_up");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(events));
    group.bench_function("metrics_sqlite_histories_kept", |b| {
        b.iter_custom(|iters| {
            time_catch_up(&store, events, iters, sqlite("kept"), || {
                live(grassroots::journal::read::DEFAULT_HISTORIES)
            })
        });
    });
    group.bench_function("metrics_sqlite_histories_reread", |b| {
        b.iter_custom(|iters| time_catch_up(&store, events, iters, sqlite("reread"), || live(0)));
    });
    group.bench_function("metrics_memory_histories_kept", |b| {
        b.iter_custom(|iters| {
            time_catch_up(
                &store,
                events,
                iters,
                |_| MemoryReadStore::new(),
                || live(grassroots::journal::read::DEFAULT_HISTORIES),
            )
        });
    });
    group.bench_function("case_index_sqlite", |b| {
        b.iter_custom(|iters| {
            time_catch_up(&store, events, iters, sqlite("index"), || {
                CaseIndex::new().with::<Dispute>().with::<ServiceRequest>()
            })
        });
    });
    group.finish();

    let read = SqliteReadStore::open(dir.path().join("query.db")).unwrap();
    let runner = Runner::new(&store, tenant(), read);
    runner.catch_up(&mut live(1 << 20)).unwrap();
    let mut group = c.benchmark_group("read_metrics/query");
    group.sample_size(20);
    group.throughput(Throughput::Elements(cases));
    group.bench_function("metrics_from_the_sqlite_table", |b| {
        b.iter(|| LiveMetrics::metrics(runner.read_store(), runner.tenant()).unwrap());
    });
    group.finish();
}

criterion_group!(benches, catch_up);
criterion_main!(benches);
