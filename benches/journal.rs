//! Journal benchmarks: appends per second (single events and batches of
//! 1,000) for each backend, loading a case of 20 events, and verifying a
//! stream's hash chain; and the pools (group `journal_pool`): SQLite reads
//! per second from 8 threads sharing one store, alone and beside a writer,
//! and PostgreSQL batched appends from 8 threads sharing one store (eight
//! appends started together, an iteration timed until the slowest ends;
//! `benches/async_store.rs` measures eight writers of both PostgreSQL
//! stores appending for a whole run, issue 19's figure); and
//! the latency of one command per SQLite transaction (p50, p99), with
//! `synchronous = NORMAL` and `FULL`.
//!
//! SQLite runs when the `sqlite` feature is on, PostgreSQL when the
//! `postgres` feature is on *and* `GRASSROOTS_POSTGRES_URL` is set (see
//! `.ci/postgres.sh`):
//!
//! ```sh
//! source .ci/postgres.sh
//! cargo bench --all-features --bench journal
//! ```
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main,
};
use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{
    self, DueUpdate, EventSchema, EventStore, MemoryStore, NewEvent, StreamKey,
};
use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::json;

const BATCH: usize = 1_000;
const CASE_EVENTS: u64 = 20;

/// A case file that clerks add notes to: the shape of a typical event.
struct Notes;

#[derive(Debug, Clone, PartialEq, HasKind)]
#[kind(variant = Open)]
struct NotesState {
    notes: u64,
}

/// A clerk's note to add.
#[derive(Debug, HasKind)]
struct Note(String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
enum NoteEvent {
    Noted {
        by: String,
        text: String,
        at: DateTime<Utc>,
    },
}

impl Workflow for Notes {
    const NAME: &'static str = "notes";
    type State = NotesState;
    type Command = Note;
    type Event = NoteEvent;
    type Rejection = Forbidden;
    fn initial() -> NotesState {
        NotesState { notes: 0 }
    }
    fn decide(
        &self,
        _: &NotesState,
        Note(text): &Note,
        ctx: &Context<'_>,
    ) -> Result<Decision<NoteEvent>, Forbidden> {
        ctx.actor().require("note", Role::HallClerk)?;
        Ok(NoteEvent::Noted {
            by: ctx.actor().id().to_string(),
            text: text.clone(),
            at: ctx.at(),
        }
        .into())
    }
    fn evolve(state: NotesState, _: &NoteEvent) -> NotesState {
        NotesState {
            notes: state.notes + 1,
        }
    }
    fn is_terminal(_: &NotesState) -> bool {
        false
    }
    fn transitions() -> &'static [Transition<NotesStateKind, NoteEventKind>] {
        const TABLE: &[Transition<NotesStateKind, NoteEventKind>] = &[Transition::new(
            NotesStateKind::Open,
            NoteEventKind::Noted,
            NotesStateKind::Open,
        )];
        TABLE
    }
}

impl EventSchema for Notes {}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// A tenant no earlier run used (a PostgreSQL database outlives a run).
fn fresh_tenant(name: &str) -> TenantId {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    TenantId::new(format!("bench-{name}-{nanos}")).unwrap()
}

fn note(id: u64) -> NewEvent {
    NewEvent::new(
        format!("ev-{id}").parse().unwrap(),
        "Noted",
        json!({"Noted": {"by": "clerk-li", "text": "材料已补齐, applicant notified", "at": "2026-03-02T09:00:00Z"}}),
        "clerk-li".parse().unwrap(),
        t0(),
    )
}

fn stream(tenant: &TenantId, id: u64) -> StreamKey {
    StreamKey::new(
        tenant.clone(),
        "notes".parse().unwrap(),
        format!("C-{id}").parse().unwrap(),
    )
}

/// Appends of one event each, to cases of up to 20 events.
fn append_single(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, store: &dyn EventStore) {
    let tenant = fresh_tenant(name);
    let mut n = 0u64;
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("append_single/{name}"), |b| {
        b.iter_batched(
            || {
                let this = n;
                n += 1;
                (
                    stream(&tenant, this / CASE_EVENTS),
                    this % CASE_EVENTS,
                    note(this),
                )
            },
            |(key, version, event)| {
                store
                    .append(&key, version, std::slice::from_ref(&event))
                    .unwrap();
            },
            BatchSize::SmallInput,
        )
    });
}

/// Appends of 1,000 events at once, each to a new case with a due entry.
fn append_batch(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, store: &dyn EventStore) {
    let tenant = fresh_tenant(name);
    let mut n = 0u64;
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(format!("append_batch_{BATCH}/{name}"), |b| {
        b.iter_batched(
            || {
                n += 1;
                let events: Vec<NewEvent> =
                    (0..BATCH as u64).map(|i| note(n * 10_000 + i)).collect();
                (stream(&tenant, n), events)
            },
            |(key, events)| {
                // With a due entry, as a case's append writes one: the
                // issue's bar counts the due index in.
                store
                    .append_with_due(&key, 0, &events, DueUpdate::At(t0()))
                    .unwrap();
                // Dropped after the timing stops.
                (key, events)
            },
            BatchSize::PerIteration,
        )
    });
}

/// Loading (read, decode, replay) a case of 20 events.
fn load_case(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, store: &dyn EventStore) {
    let tenant = fresh_tenant(name);
    let case: CaseId = "C-load".parse().unwrap();
    let clerk = Actor::new("clerk-li".parse().unwrap()).with_role(Role::HallClerk);
    for i in 0..CASE_EVENTS {
        let ctx = Context::new(t0() + chrono::Duration::minutes(i as i64), &clerk);
        journal::execute(
            store,
            &tenant,
            &Notes,
            &case,
            &Note(format!("note {i}")),
            &ctx,
            0,
        )
        .unwrap();
    }
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("load_20_events/{name}"), |b| {
        b.iter(|| {
            let loaded = journal::load::<Notes, _>(store, &tenant, &case).unwrap();
            assert_eq!(black_box(loaded).version(), CASE_EVENTS);
        })
    });
}

/// Verifying the hash chain of a stream of 1,000 events (read and check).
fn verify(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, store: &dyn EventStore) {
    let tenant = fresh_tenant(name);
    let key = stream(&tenant, 0);
    let events: Vec<NewEvent> = (0..BATCH as u64).map(note).collect();
    store.append(&key, 0, &events).unwrap();
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(format!("verify_{BATCH}/{name}"), |b| {
        b.iter(|| {
            let verified = journal::verify_stream(store, &key).unwrap();
            assert_eq!(black_box(verified).version, BATCH as u64);
        })
    });
}

/// A page of 1,000 rows of a tenant's feed (ten streams of 1,000 events):
/// what a projection catching up reads at a time. On PostgreSQL the read
/// takes the tenant's lock first (no append is in flight here).
fn read_feed(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, store: &dyn EventStore) {
    let tenant = fresh_tenant(&format!("{name}-feed"));
    for case in 0..10 {
        let events: Vec<NewEvent> = (0..BATCH as u64).map(|i| note(case * 10_000 + i)).collect();
        store.append(&stream(&tenant, case), 0, &events).unwrap();
    }
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(format!("read_feed_{BATCH}/{name}"), |b| {
        b.iter(|| {
            let page = store.read_feed(&tenant, 0, BATCH).unwrap();
            assert_eq!(black_box(page).events.len(), BATCH);
        })
    });
}

fn backend(c: &mut Criterion, name: &str, store: &dyn EventStore) {
    let mut group = c.benchmark_group("journal");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    append_single(&mut group, name, store);
    append_batch(&mut group, name, store);
    load_case(&mut group, name, store);
    verify(&mut group, name, store);
    read_feed(&mut group, name, store);
    group.finish();
}

fn memory(c: &mut Criterion) {
    backend(c, "memory", &MemoryStore::new());
}

fn hash_chain_only(c: &mut Criterion) {
    let store = MemoryStore::new();
    let key = stream(&fresh_tenant("rows"), 0);
    let events: Vec<NewEvent> = (0..BATCH as u64).map(note).collect();
    store.append(&key, 0, &events).unwrap();
    let rows = store.read_stream(&key, 0).unwrap();
    let mut group = c.benchmark_group("journal");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(format!("verify_rows_{BATCH}"), |b| {
        b.iter(|| journal::verify_rows(&key, black_box(&rows)).unwrap())
    });
    group.finish();
}

#[cfg(feature = "sqlite")]
fn sqlite(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = journal::SqliteStore::open(dir.path().join("bench.db")).unwrap();
    backend(c, "sqlite", &store);
}

/// Commands in the one-command-per-transaction latency run.
#[cfg(feature = "sqlite")]
const COMMANDS: usize = 2_000;

/// The service hall's real pattern on SQLite: one command per
/// transaction, through [`journal::Journal::handle`] (the case from the
/// journal's cache, checked against the store's anchor, decided, appended
/// with its due entry and committed), a clerk at a time over 200 cases.
/// Prints p50 and p99 for each `synchronous` setting; not a criterion
/// benchmark, since the figure wanted is the latency's spread.
#[cfg(feature = "sqlite")]
fn sqlite_one_command_per_transaction(_: &mut Criterion) {
    use journal::{Journal, SqliteOptions, SqliteStore, Synchronous};
    for (label, synchronous) in [("NORMAL", Synchronous::Normal), ("FULL", Synchronous::Full)] {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions::new().synchronous(synchronous);
        let store = SqliteStore::open_with(dir.path().join("hall.db"), options).unwrap();
        let journal = Journal::new(&store, "huanan".parse().unwrap());
        let clerk = Actor::new("clerk-li".parse().unwrap()).with_role(Role::HallClerk);
        let mut latencies = Vec::with_capacity(COMMANDS);
        let start = Instant::now();
        for n in 0..COMMANDS {
            let case: CaseId = format!("HN-{:04}", n % 200).parse().unwrap();
            let ctx = Context::new(t0() + chrono::Duration::seconds(n as i64), &clerk);
            let note = Note("材料已补齐, applicant notified".to_owned());
            let began = Instant::now();
            journal.handle(&Notes, &case, &note, &ctx).unwrap();
            latencies.push(began.elapsed());
        }
        let elapsed = start.elapsed();
        latencies.sort_unstable();
        let at = |q: f64| {
            let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
            latencies[i].as_secs_f64() * 1e6
        };
        println!(
            "sqlite, one command per transaction, synchronous = {label}: p50 {:.0} µs, p99 {:.0} µs, {:.0} commands/s",
            at(0.5),
            at(0.99),
            COMMANDS as f64 / elapsed.as_secs_f64()
        );
    }
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_one_command_per_transaction(_: &mut Criterion) {}

/// Threads that share one store in the pool benches.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
const THREADS: usize = 8;

/// Reads each reader thread makes per iteration of the pool bench.
#[cfg(feature = "sqlite")]
const READS: u64 = 100;

/// `THREADS` threads each reading `READS` cases of 20 events (one
/// `read_stream` each) from `store`: the time it took, over `iters` rounds.
#[cfg(feature = "sqlite")]
fn read_in_threads(
    store: &(dyn EventStore + Sync),
    tenant: &TenantId,
    cases: u64,
    iters: u64,
) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        std::thread::scope(|scope| {
            for t in 0..THREADS as u64 {
                scope.spawn(move || {
                    for n in 0..READS {
                        let key = stream(tenant, (t * 31 + n * 7) % cases);
                        let rows = store.read_stream(&key, 0).unwrap();
                        assert_eq!(black_box(rows).len() as u64, CASE_EVENTS);
                    }
                });
            }
        });
    }
    start.elapsed()
}

/// The SQLite pool: reads per second from `THREADS` threads sharing one
/// store, with no write going on and beside a writer appending single
/// events as fast as it can; with the default 4 readers, and with none (the
/// writer's one connection serves the reads, as before the pool).
#[cfg(feature = "sqlite")]
fn sqlite_pool(c: &mut Criterion) {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    const CASES: u64 = 200;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pool.db");
    let tenant = fresh_tenant("pool");
    {
        let store = journal::SqliteStore::open(&path).unwrap();
        for case in 0..CASES {
            let events: Vec<NewEvent> = (0..CASE_EVENTS).map(|i| note(case * 100 + i)).collect();
            store.append(&stream(&tenant, case), 0, &events).unwrap();
        }
    }
    let mut group = c.benchmark_group("journal_pool");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(THREADS as u64 * READS));
    for (name, readers) in [("4_readers", 4), ("one_connection", 0)] {
        let options = journal::SqliteOptions::new().readers(readers);
        let store = journal::SqliteStore::open_with(&path, options).unwrap();
        group.bench_function(format!("sqlite_read_8_threads/{name}"), |b| {
            b.iter_custom(|iters| read_in_threads(&store, &tenant, CASES, iters))
        });
        let writing = AtomicBool::new(true);
        let written = AtomicU64::new(0);
        let started = Instant::now();
        std::thread::scope(|scope| {
            let (store, writing, written) = (&store, &writing, &written);
            let writer_tenant = fresh_tenant(&format!("pool-writer-{name}"));
            scope.spawn(move || {
                let mut n = 0u64;
                while writing.load(Ordering::Relaxed) {
                    let key = stream(&writer_tenant, n / CASE_EVENTS);
                    store.append(&key, n % CASE_EVENTS, &[note(n)]).unwrap();
                    n += 1;
                    written.store(n, Ordering::Relaxed);
                }
            });
            group.bench_function(
                format!("sqlite_read_8_threads_beside_a_writer/{name}"),
                |b| b.iter_custom(|iters| read_in_threads(store, &tenant, CASES, iters)),
            );
            writing.store(false, Ordering::Relaxed);
        });
        let written = written.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        // Filtered out: nothing ran beside the writer, nothing to say.
        if written == 0 {
            continue;
        }
        eprintln!(
            "journal_pool/sqlite ({name}): the writer appended {written} single events beside \
             the readers ({:.0} events/s over {secs:.1} s)",
            written as f64 / secs,
        );
    }
    group.finish();
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_pool(_: &mut Criterion) {
    eprintln!("skipped: SQLite benches need the `sqlite` feature");
}

#[cfg(not(feature = "sqlite"))]
fn sqlite(_: &mut Criterion) {
    eprintln!("skipped: SQLite benches need the `sqlite` feature");
}

#[cfg(feature = "postgres")]
fn postgres(c: &mut Criterion) {
    let Ok(url) = std::env::var("GRASSROOTS_POSTGRES_URL") else {
        eprintln!(
            "skipped: GRASSROOTS_POSTGRES_URL is not set (run `source .ci/postgres.sh` to start a throwaway PostgreSQL)"
        );
        return;
    };
    let store = journal::PostgresStore::connect(&url).unwrap();
    backend(c, "postgres", &store);
}

#[cfg(not(feature = "postgres"))]
fn postgres(_: &mut Criterion) {
    eprintln!("skipped: PostgreSQL benches need the `postgres` feature");
}

/// The PostgreSQL pool: `THREADS` threads sharing one store (a pool of
/// `THREADS` connections), each appending a batch of 1,000 events to a case
/// of its own per round.
#[cfg(feature = "postgres")]
fn postgres_pool(c: &mut Criterion) {
    let Ok(url) = std::env::var("GRASSROOTS_POSTGRES_URL") else {
        eprintln!(
            "skipped: GRASSROOTS_POSTGRES_URL is not set (run `source .ci/postgres.sh` to start a throwaway PostgreSQL)"
        );
        return;
    };
    let options = journal::PostgresOptions::new().pool_size(THREADS as u32);
    let store = journal::PostgresStore::connect_with(&url, options).unwrap();
    let mut case = 0u64;
    let mut group = c.benchmark_group("journal_pool");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements((THREADS * BATCH) as u64));
    // The threads' cases in one tenant, then each thread's in a tenant of
    // its own, as the async store's bench measures eight writers: appends
    // to one tenant take its position lock in turn, appends to eight do
    // not wait for each other.
    let one = fresh_tenant("pool");
    let shapes = [
        ("", vec![one; THREADS]),
        (
            "_8_tenants",
            (0..THREADS)
                .map(|t| fresh_tenant(&format!("pool-{t}")))
                .collect(),
        ),
    ];
    for (suffix, tenants) in &shapes {
        let name = format!("postgres_append_batch_{BATCH}_8_threads{suffix}");
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut took = Duration::ZERO;
                for _ in 0..iters {
                    let batches: Vec<(StreamKey, Vec<NewEvent>)> = tenants
                        .iter()
                        .map(|tenant| {
                            case += 1;
                            let events =
                                (0..BATCH as u64).map(|i| note(case * 10_000 + i)).collect();
                            (stream(tenant, case), events)
                        })
                        .collect();
                    let start = Instant::now();
                    std::thread::scope(|scope| {
                        for (key, events) in &batches {
                            let store = &store;
                            scope.spawn(move || store.append(key, 0, events).unwrap());
                        }
                    });
                    took += start.elapsed();
                }
                took
            })
        });
    }
    group.finish();
}

#[cfg(not(feature = "postgres"))]
fn postgres_pool(_: &mut Criterion) {
    eprintln!("skipped: PostgreSQL benches need the `postgres` feature");
}

criterion_group!(
    benches,
    memory,
    hash_chain_only,
    sqlite,
    sqlite_one_command_per_transaction,
    postgres,
    sqlite_pool,
    postgres_pool
);
criterion_main!(benches);
