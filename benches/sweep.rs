//! The due index and the sweeper: find and tick 10,000 due cases among many
//! (most closed or not yet due), on the memory store and on SQLite; and what
//! keeping the index costs a batched SQLite append.
//!
//! ```sh
//! cargo bench --all-features --bench sweep
//! GRASSROOTS_SWEEP_SQLITE_CLOSED=10000000 cargo bench --all-features --bench sweep -- sweep/sqlite
//! GRASSROOTS_SWEEP_CLOSED=10000000 cargo bench --all-features --bench sweep -- sweep/memory
//! ```
//!
//! `GRASSROOTS_SWEEP_CASES` sets the cases in the memory store (default
//! 1,000,000), `GRASSROOTS_SWEEP_SQLITE_CASES` those in the SQLite file
//! (default 1,000,000), and `GRASSROOTS_SWEEP_SQLITE_CLOSED` adds that many
//! more closed cases beside them in the SQLite file (default 0; the issue's
//! comparison uses 10,000,000); `GRASSROOTS_SWEEP_CLOSED` does the same in
//! the memory store (10,000,000 take about 16 GB and two minutes). `GRASSROOTS_SWEEP_PAGE` sets the
//! sweeper's page, the due cases claimed and appended in one transaction
//! (default: `SweepOptions`'s). Up to 40
//! groups of 10,000 cases are periodic: group `g` is due at `t0 + g` hours,
//! and each tick sets its next due instant a cycle (one hour per group)
//! later. Each sweep runs at the index's oldest due instant, when exactly
//! one group — 10,000 cases — is due; the other cases are closed, due in
//! 2100, or in another group.
//!
//! `GRASSROOTS_SWEEP_TRACE=1` prints each timed sweep's time to stderr.
//!
//! `GRASSROOTS_SWEEP_CACHE=BYTES` sets the page cache of the kept file's
//! store for the sweeps (default `SqliteOptions`'s, 64 MiB).
//!
//! `GRASSROOTS_SWEEP_KEEP=DIR` keeps the SQLite file between runs, as
//! `DIR/sweep_CASES_CLOSED.db` (a marker `DIR/sweep_CASES_CLOSED.done`
//! says its set-up finished), and sweeps it again in later runs instead of
//! writing it anew: the 10,000,000 closed cases (~35 minutes to write) are
//! written once. A later run goes on from where the last one stopped: its
//! first sweep is at the index's oldest due instant, not at `t0`; the
//! leases a stopped run left are ended and a group it ticked in part is
//! finished (untimed) first. A file whose set-up did not finish (no
//! marker) is written anew. Every group's set-up runs before criterion
//! filters, so `--list` writes a kept file without timing anything, and
//! `GRASSROOTS_SWEEP_CASES=1000` keeps the memory group's set-up short.
//! Write the files once, then time each:
//!
//! ```sh
//! export GRASSROOTS_SWEEP_KEEP=/big/disk GRASSROOTS_SWEEP_CASES=1000
//! cargo bench --all-features --bench sweep -- --list sweep/sqlite
//! GRASSROOTS_SWEEP_SQLITE_CLOSED=10000000 cargo bench --all-features --bench sweep -- --list sweep/sqlite
//! cargo bench --all-features --bench sweep -- sweep/sqlite
//! GRASSROOTS_SWEEP_SQLITE_CLOSED=10000000 cargo bench --all-features --bench sweep -- sweep/sqlite
//! ```
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use grassroots::actor::{Forbidden, Role};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{
    self, DueQuery, DueUpdate, EventSchema, EventStore, MemoryStore, NewEvent, StreamAppend,
    StreamKey, StreamType, SweepOptions, Sweeper,
};
use grassroots::workflow::{Context, Decision, HasKind, Recorded, Transition, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::json;

const DUE: usize = 10_000;
const PERIOD: TimeDelta = TimeDelta::hours(1);

/// A case with a periodic timer: each tick at or after its due instant
/// fires and sets the next one, a period later.
struct Timer;

#[derive(Debug, Clone, PartialEq, HasKind)]
enum TimerState {
    New,
    Waiting {
        due: DateTime<Utc>,
        every: TimeDelta,
    },
    Closed,
}

#[derive(Debug, HasKind)]
enum TimerCommand {
    Tick,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
enum TimerEvent {
    Opened {
        due: DateTime<Utc>,
        every_hours: i64,
    },
    Fired {
        next: DateTime<Utc>,
    },
    Closed,
}

impl Workflow for Timer {
    const NAME: &'static str = "timer";
    type State = TimerState;
    type Command = TimerCommand;
    type Event = TimerEvent;
    type Rejection = Forbidden;
    fn initial() -> TimerState {
        TimerState::New
    }
    fn decide(
        &self,
        state: &TimerState,
        _: &TimerCommand,
        ctx: &Context<'_>,
    ) -> Result<Decision<TimerEvent>, Forbidden> {
        ctx.actor().require("tick", Role::System)?;
        Ok(match state {
            TimerState::Waiting { due, every } if ctx.at() >= *due => TimerEvent::Fired {
                next: *due + *every,
            }
            .into(),
            _ => Decision::none(),
        })
    }
    fn evolve(state: TimerState, event: &TimerEvent) -> TimerState {
        match (state, event) {
            (_, TimerEvent::Opened { due, every_hours }) => TimerState::Waiting {
                due: *due,
                every: TimeDelta::hours(*every_hours),
            },
            (TimerState::Waiting { every, .. }, TimerEvent::Fired { next }) => {
                TimerState::Waiting { due: *next, every }
            }
            (_, TimerEvent::Closed) => TimerState::Closed,
            (state, _) => state,
        }
    }
    fn is_terminal(state: &TimerState) -> bool {
        matches!(state, TimerState::Closed)
    }
    fn transitions() -> &'static [Transition<TimerStateKind, TimerEventKind>] {
        use {TimerEventKind as E, TimerStateKind as S};
        const TABLE: &[Transition<S, E>] = &[
            Transition::new(S::New, E::Opened, S::Waiting),
            Transition::new(S::Waiting, E::Fired, S::Waiting),
            Transition::new(S::Waiting, E::Closed, S::Closed),
        ];
        TABLE
    }
    fn next_due(state: &TimerState) -> Option<DateTime<Utc>> {
        match state {
            TimerState::Waiting { due, .. } => Some(*due),
            _ => None,
        }
    }
    fn timer_command() -> Option<TimerCommand> {
        Some(TimerCommand::Tick)
    }
}

impl EventSchema for Timer {}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn cases_from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn encode(stream: &StreamKey, seq: u64, event: TimerEvent) -> NewEvent {
    let recorded = Recorded {
        seq,
        at: t0(),
        actor: "clerk-li".parse().unwrap(),
        correlation: None,
        event,
    };
    journal::encode::<Timer>(stream, &recorded).unwrap()
}

/// The number of periodic groups of 10,000 cases among `cases`.
fn groups(cases: usize) -> usize {
    (cases / DUE).clamp(1, 40)
}

/// Fills `store` with `cases` timer cases of `tenant`: the periodic groups
/// first, then alternately closed and due in 2100; then `closed` more
/// closed cases. Appends 1,000 cases per [`EventStore::append_streams`].
/// Returns how long it took.
fn fill(store: &dyn EventStore, tenant: &TenantId, cases: usize, closed: usize) -> Duration {
    const CHUNK: usize = 1_000;
    let start = Instant::now();
    let far = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    let groups = groups(cases);
    let every_hours = groups as i64;
    let mut n = 0;
    while n < cases + closed {
        let chunk: Vec<(StreamKey, Vec<NewEvent>, DueUpdate)> = (n..(n + CHUNK)
            .min(cases + closed))
            .map(|n| {
                let stream = StreamKey::new(
                    tenant.clone(),
                    "timer".parse().unwrap(),
                    format!("T-{n:08}").parse::<CaseId>().unwrap(),
                );
                let group = n / DUE;
                if n < cases && (group < groups || n % 2 == 0) {
                    let due = if group < groups {
                        t0() + PERIOD * group as i32
                    } else {
                        far
                    };
                    let opened = encode(&stream, 1, TimerEvent::Opened { due, every_hours });
                    (stream, vec![opened], DueUpdate::At(due))
                } else {
                    let opened = encode(
                        &stream,
                        1,
                        TimerEvent::Opened {
                            due: far,
                            every_hours,
                        },
                    );
                    let closed = encode(&stream, 2, TimerEvent::Closed);
                    (stream, vec![opened, closed], DueUpdate::Clear)
                }
            })
            .collect();
        let batch: Vec<StreamAppend<'_>> = chunk
            .iter()
            .map(|(stream, events, due)| StreamAppend {
                stream,
                expected_version: 0,
                events,
                due: *due,
            })
            .collect();
        for outcome in store.append_streams(&batch).unwrap() {
            outcome.unwrap();
        }
        n += chunk.len();
    }
    start.elapsed()
}

/// The oldest due instant in `tenant`'s timer index, if any.
fn oldest_due(store: &dyn EventStore, tenant: &TenantId) -> Option<DateTime<Utc>> {
    let far = Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).unwrap();
    let query = DueQuery::new(tenant.clone(), StreamType::of::<Timer>().unwrap(), far).limit(1);
    store.due(&query).unwrap().first().map(|entry| entry.due)
}

/// How many of `tenant`'s timer cases are due at `at`, counting up to
/// `most`.
fn due_at(store: &dyn EventStore, tenant: &TenantId, at: DateTime<Utc>, most: usize) -> usize {
    let query = DueQuery::new(tenant.clone(), StreamType::of::<Timer>().unwrap(), at).limit(most);
    store.due(&query).unwrap().len()
}

/// Sweeps at successive hours: each sweep finds and ticks the 10,000 due
/// cases of one group. The first sweep is at the index's oldest due
/// instant (`t0` in a new store; later in a kept one).
fn sweep_bench(c: &mut Criterion, name: &str, store: &dyn EventStore, cases: usize, closed: usize) {
    let tenant: TenantId = "longgang".parse().unwrap();
    if oldest_due(store, &tenant).is_none() {
        let took = fill(store, &tenant, cases, closed);
        eprintln!("{name}: {cases} cases and {closed} more closed set up in {took:.1?}");
    }
    let mut options = SweepOptions::default();
    options.page = cases_from_env("GRASSROOTS_SWEEP_PAGE", options.page);
    let sweeper = Sweeper::new(store, tenant.clone(), Timer).with_options(options);
    // Fewer cases than one group make one smaller group.
    let per_sweep = DUE.min(cases);
    // A run stopped mid-sweep left part of a group ticked: finish it, so
    // each timed sweep finds exactly one group due.
    let oldest = oldest_due(store, &tenant).expect("periodic cases are always due");
    if due_at(store, &tenant, oldest, DUE + 1) != per_sweep {
        let report = sweeper.sweep(oldest).unwrap();
        eprintln!("{name}: finished a group a run stopped mid-sweep: {report}");
        assert!(report.failed.is_empty(), "{report}");
    }
    let first = oldest_due(store, &tenant).unwrap();
    eprintln!("{name}: the first sweep is at {first}");
    let mut period = 0i32;
    // `GRASSROOTS_SWEEP_TRACE=1` prints each timed sweep's time.
    let trace = std::env::var_os("GRASSROOTS_SWEEP_TRACE").is_some();
    let mut group = c.benchmark_group("sweep");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(per_sweep as u64));
    let label = if closed == 0 {
        format!("{name}/{cases}_cases_{per_sweep}_due")
    } else {
        format!("{name}/{cases}_cases_{per_sweep}_due_{closed}_more_closed")
    };
    group.bench_function(label, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let now = first + PERIOD * period;
                period += 1;
                let start = Instant::now();
                let report = sweeper.sweep(now).unwrap();
                let took = start.elapsed();
                total += took;
                if trace {
                    eprintln!("{name}: sweep at {now}: {took:.1?}");
                }
                assert_eq!(report.ticked.len(), per_sweep, "{report}");
            }
            total
        });
    });
    group.finish();
}

fn memory(c: &mut Criterion) {
    let cases = cases_from_env("GRASSROOTS_SWEEP_CASES", 1_000_000);
    let closed = cases_from_env("GRASSROOTS_SWEEP_CLOSED", 0);
    let store = MemoryStore::new();
    sweep_bench(c, "memory", &store, cases, closed);
}

#[cfg(feature = "sqlite")]
fn sqlite(c: &mut Criterion) {
    let cases = cases_from_env("GRASSROOTS_SWEEP_SQLITE_CASES", 1_000_000);
    let closed = cases_from_env("GRASSROOTS_SWEEP_SQLITE_CLOSED", 0);
    match std::env::var_os("GRASSROOTS_SWEEP_KEEP") {
        None => {
            let dir = tempfile::tempdir().unwrap();
            let store = journal::SqliteStore::open(dir.path().join("sweep.db")).unwrap();
            sweep_bench(c, "sqlite", &store, cases, closed);
        }
        Some(keep) => {
            let dir = std::path::PathBuf::from(keep);
            std::fs::create_dir_all(&dir).unwrap();
            let name = format!("sweep_{cases}_{closed}");
            let path = dir.join(format!("{name}.db"));
            let marker = dir.join(format!("{name}.done"));
            if marker.exists() {
                release_claims(&path);
            } else {
                // A set-up that did not finish: start again.
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(dir.join(format!("{name}.db{suffix}")));
                }
                // A page cache that holds the event-id index (its keys
                // are hashes: every insert lands on a page of its own),
                // for the set-up only; the sweeps run with the defaults.
                let options = journal::SqliteOptions::new().cache_size(FILL_CACHE);
                let store = journal::SqliteStore::open_with(&path, options).unwrap();
                let tenant: TenantId = "longgang".parse().unwrap();
                let took = fill(&store, &tenant, cases, closed);
                eprintln!("sqlite: {cases} cases and {closed} more closed set up in {took:.1?}");
                drop(store);
                std::fs::write(&marker, format!("set up in {took:.1?}\n")).unwrap();
            }
            let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
            eprintln!("sqlite: kept in {} ({} MB)", path.display(), bytes >> 20);
            let mut options = journal::SqliteOptions::new();
            // Read as the other knobs are (`cases_from_env`): unset or not a
            // number, the store's default.
            if let Some(bytes) = std::env::var("GRASSROOTS_SWEEP_CACHE")
                .ok()
                .and_then(|v| v.parse().ok())
            {
                options = options.cache_size(bytes);
            }
            let store = journal::SqliteStore::open_with(&path, options).unwrap();
            sweep_bench(c, "sqlite", &store, cases, closed);
        }
    }
}

/// The page cache of the connection that writes a kept file: 2 GiB.
#[cfg(feature = "sqlite")]
const FILL_CACHE: u64 = 2 << 30;

/// Ends the leases a run stopped mid-sweep left in the kept file at
/// `path` (they would keep their cases from the next sweeps for minutes).
#[cfg(feature = "sqlite")]
fn release_claims(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "UPDATE journal_due SET claimed_until = NULL WHERE claimed_until IS NOT NULL",
        [],
    )
    .unwrap();
}

#[cfg(not(feature = "sqlite"))]
fn sqlite(_: &mut Criterion) {}

/// Batched SQLite appends (100 events each, to a new stream each time),
/// with and without a due update: what the index costs an append.
#[cfg(feature = "sqlite")]
fn sqlite_append_with_and_without_the_index(c: &mut Criterion) {
    const BATCH: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let store = journal::SqliteStore::open(dir.path().join("append.db")).unwrap();
    let tenant: TenantId = "longgang".parse().unwrap();
    let mut group = c.benchmark_group("sqlite_append_batch_100");
    group.sample_size(20);
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut n = 0u64;
    for (label, due) in [
        ("without_due_update", DueUpdate::Keep),
        ("with_due_update", DueUpdate::At(t0())),
    ] {
        group.bench_function(label, |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let stream = StreamKey::new(
                        tenant.clone(),
                        "notes".parse().unwrap(),
                        format!("N-{n}").parse().unwrap(),
                    );
                    let batch: Vec<NewEvent> = (1..=BATCH as u64)
                        .map(|i| {
                            NewEvent::new(
                                format!("ev-{n}-{i}").parse().unwrap(),
                                "Noted",
                                json!({"Noted": {"by": "clerk-li", "text": "材料已补齐, applicant notified"}}),
                                "clerk-li".parse().unwrap(),
                                t0(),
                            )
                        })
                        .collect();
                    (stream, batch)
                },
                |(stream, batch)| store.append_with_due(&stream, 0, &batch, due).unwrap(),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_append_with_and_without_the_index(_: &mut Criterion) {}

criterion_group!(
    benches,
    sqlite_append_with_and_without_the_index,
    memory,
    sqlite
);
criterion_main!(benches);
