//! Reading the journal: catching the case index up on SQLite, "open cases
//! of this body" among 1,000,000 indexed cases, a command on a cached case
//! against one on a case held in memory, and 8 threads racing 6,000
//! commands on one SQLite file; loading a 10,000-event case cold on SQLite,
//! in full and from a snapshot.
//!
//! ```sh
//! cargo bench --all-features --bench read
//! GRASSROOTS_READ_CASES=2000000 cargo bench --all-features --bench read -- catch_up
//! GRASSROOTS_READ_CITY=200000 cargo bench --all-features --bench read -- catch_up_city
//! ```
//!
//! `GRASSROOTS_READ_CASES` sets the cases of the catch-up log (default
//! 100,000, 3 events each; the histories are built beforehand and
//! appended 1,000 cases per transaction, `append_streams`);
//! `GRASSROOTS_READ_CITY` (feature `sim`) adds a catch-up from a slice of
//! the city-year's log: the first N cases of the 20-million-case year, each
//! played to its end, every event appended in time order, interleaved
//! across cases as a deployment's log is (default 0: skipped); `GRASSROOTS_READ_REPORT=1` prints each
//! catch-up's own rate (useful with `--profile-time`, which runs one);
//! `GRASSROOTS_READ_PAGE` the events per page (one read of the log) of a
//! catch-up (default the runner's, `DEFAULT_PAGE`), `GRASSROOTS_READ_BATCH`
//! the most events per read-store transaction (default `DEFAULT_BATCH`);
//! `GRASSROOTS_READ_AHEAD=1` reads a batch's pages on a thread of their own
//! (`Runner::with_read_ahead`);
//! `GRASSROOTS_READ_KEEP=DIR` keeps each catch-up's journal in `DIR`
//! (`catch_up_N.db`, `catch_up_city_N.db`) and reads it again in later
//! runs instead of writing it anew: the city-year's 2,000,000-case slice
//! (~19 M events, ~10 GB) is written once. Each set-up prints its time,
//! per million cases too. For that slice, time one catch-up:
//! `GRASSROOTS_READ_KEEP=/big/disk GRASSROOTS_READ_CITY=2000000 GRASSROOTS_READ_REPORT=1
//! cargo bench --all-features --bench read -- --profile-time 1 catch_up_city`;
//! `GRASSROOTS_READ_INDEXED` the rows of the index the query runs on
//! (default 1,000,000, inserted directly); `GRASSROOTS_READ_UNCACHED=1`
//! adds the racing threads without the cache (slow).
//!
//! The issue's 2-million-case slice of the catch-up log (6 M events, about
//! 2 GB): write it once, then time one catch-up on it (the set-up
//! prints its time: 30,000 cases took 17.6 s at load 29, about 20 minutes
//! for 2 M at that load and a few on a quiet machine, not hours — one
//! append per case rewrote every page it touched, the events table's leaf,
//! its three indexes' leaves and the anchor's, into the WAL once per case):
//! `GRASSROOTS_READ_KEEP=/big/disk GRASSROOTS_READ_CASES=2000000 GRASSROOTS_READ_INDEXED=1000
//! GRASSROOTS_READ_REPORT=1 cargo bench --all-features --bench read -- --profile-time 1 catch_up_sqlite`
//! (later runs read the kept journal; drop `--profile-time 1` for
//! criterion's ten samples).
//!
//! To count a catch-up's instructions, write the journal once outside
//! valgrind (`GRASSROOTS_READ_KEEP`), keep the query's index small, and
//! collect inside the runner only (`Runner::catch_up`; the report line
//! gives the events to divide by):
//! `GRASSROOTS_READ_KEEP=/tmp/keep GRASSROOTS_READ_CASES=30000 GRASSROOTS_READ_INDEXED=1000
//! GRASSROOTS_READ_REPORT=1 valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='*Runner*catch_up*' BENCH --bench --profile-time 1 catch_up_sqlite`
//! (run the same without valgrind first to write the journal).
#![allow(missing_docs)]

use std::sync::Barrier;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::id::{ActorId, CaseId, OrgId, TenantId};
use grassroots::journal::read::{
    CaseIndex, CaseQueries, CaseSummary, DEFAULT_BATCH, DEFAULT_PAGE, Indexed, Page, Runner,
    SqliteReadStore, Waiting,
};
use grassroots::journal::{
    self, DueUpdate, EventSchema, EventStore, Journal, MemoryStore, NewEvent, SqliteStore,
    StreamAppend, StreamKey,
};
use grassroots::tier::Tier;
use grassroots::workflow::{Case, Context, Decision, HasKind, Recorded, Transition, Workflow};
use serde::{Deserialize, Serialize};

/// An errand a body handles: opened, noted any number of times, closed.
struct Errand;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
enum ErrandState {
    New,
    Open { body: OrgId, due: DateTime<Utc> },
    Closed,
}

#[derive(Debug, HasKind)]
enum ErrandCommand {
    Open { body: OrgId, due: DateTime<Utc> },
    Note,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
enum ErrandEvent {
    Opened { body: OrgId, due: DateTime<Utc> },
    Noted,
    Closed,
}

impl Workflow for Errand {
    const NAME: &'static str = "errand";
    type State = ErrandState;
    type Command = ErrandCommand;
    type Event = ErrandEvent;
    type Rejection = Forbidden;
    fn initial() -> ErrandState {
        ErrandState::New
    }
    /// Opening an open errand notes it.
    fn decide(
        &self,
        state: &ErrandState,
        command: &ErrandCommand,
        _: &Context<'_>,
    ) -> Result<Decision<ErrandEvent>, Forbidden> {
        Ok(match (state, command) {
            (ErrandState::New, ErrandCommand::Open { body, due }) => ErrandEvent::Opened {
                body: body.clone(),
                due: *due,
            },
            _ => ErrandEvent::Noted,
        }
        .into())
    }
    fn evolve(state: ErrandState, event: &ErrandEvent) -> ErrandState {
        match (state, event) {
            (ErrandState::New, ErrandEvent::Opened { body, due }) => ErrandState::Open {
                body: body.clone(),
                due: *due,
            },
            (_, ErrandEvent::Closed) => ErrandState::Closed,
            (state, _) => state,
        }
    }
    fn is_terminal(state: &ErrandState) -> bool {
        matches!(state, ErrandState::Closed)
    }
    fn next_due(state: &ErrandState) -> Option<DateTime<Utc>> {
        match state {
            ErrandState::Open { due, .. } => Some(*due),
            _ => None,
        }
    }
    fn transitions() -> &'static [Transition<ErrandStateKind, ErrandEventKind>] {
        use ErrandEventKind as E;
        use ErrandStateKind as S;
        const TABLE: &[Transition<ErrandStateKind, ErrandEventKind>] = &[
            Transition::new(S::New, E::Opened, S::Open),
            Transition::new(S::Open, E::Noted, S::Open),
            Transition::new(S::Open, E::Closed, S::Closed),
        ];
        TABLE
    }
}

impl EventSchema for Errand {}

impl Indexed for Errand {
    fn summary(state: &ErrandState) -> CaseSummary {
        match state {
            ErrandState::Open { body, .. } => CaseSummary {
                tier: Some(Tier::Community),
                body: Some(body.clone()),
                parties: 1,
                waiting: Some(Waiting {
                    action: "close",
                    body: Some(body.clone()),
                    role: Role::GridWorker,
                }),
            },
            _ => CaseSummary::default(),
        }
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn tenant() -> TenantId {
    "longgang".parse().unwrap()
}

fn body(n: usize) -> OrgId {
    format!("body-{:04}", n % 1000).parse().unwrap()
}

/// The errands appended per transaction by [`errand_log`].
const ERRANDS_PER_APPEND: usize = 1_000;

/// The encoded history of errand `n` (open, note, and every other one
/// closed or noted again): its stream and its 3 events.
fn errand(n: usize, worker: &ActorId) -> (StreamKey, Vec<NewEvent>) {
    let id: CaseId = format!("E-{n:08}").parse().unwrap();
    let stream = StreamKey::of::<Errand>(tenant(), id).unwrap();
    let at = t0() + TimeDelta::seconds(n as i64);
    let recorded = [
        ErrandEvent::Opened {
            body: body(n),
            due: at + TimeDelta::days(7),
        },
        ErrandEvent::Noted,
        if n % 2 == 0 {
            ErrandEvent::Closed
        } else {
            ErrandEvent::Noted
        },
    ];
    let rows = recorded
        .into_iter()
        .enumerate()
        .map(|(i, event)| {
            let recorded = Recorded {
                seq: i as u64 + 1,
                at,
                actor: worker.clone(),
                correlation: None,
                event,
            };
            journal::encode::<Errand>(&stream, &recorded).unwrap()
        })
        .collect();
    (stream, rows)
}

/// `cases` errands of 3 events each ([`errand`]), their histories built
/// beforehand and appended [`ERRANDS_PER_APPEND`] cases per transaction
/// (`append_streams`, as benches/sweep.rs's `fill` does): the log is laid
/// out as one append per case would lay it out (each case's events
/// together, cases in order), in a thousandth of the commits.
fn errand_log(store: &SqliteStore, cases: usize) -> u64 {
    let worker = ActorId::new("gw-1").unwrap();
    let mut events = 0;
    let mut n = 0;
    while n < cases {
        let chunk: Vec<(StreamKey, Vec<NewEvent>)> = (n..(n + ERRANDS_PER_APPEND).min(cases))
            .map(|n| errand(n, &worker))
            .collect();
        let batch: Vec<StreamAppend<'_>> = chunk
            .iter()
            .map(|(stream, events)| StreamAppend {
                stream,
                expected_version: 0,
                events,
                due: DueUpdate::Keep,
            })
            .collect();
        for outcome in store.append_streams(&batch).unwrap() {
            outcome.unwrap();
        }
        events += chunk.iter().map(|(_, e)| e.len() as u64).sum::<u64>();
        n += chunk.len();
    }
    events
}

/// Catches a fresh case index up with the log in `dir`'s journal, in a
/// new read store file; the time the catch-up took.
fn timed_catch_up(
    store: &SqliteStore,
    dir: &std::path::Path,
    i: u64,
    events: u64,
    index: impl FnOnce() -> CaseIndex,
) -> Duration {
    let read = SqliteReadStore::open(dir.join(format!("read-{i}.db"))).unwrap();
    let page = env("GRASSROOTS_READ_PAGE", DEFAULT_PAGE);
    let batch = env("GRASSROOTS_READ_BATCH", DEFAULT_BATCH);
    let mut runner = Runner::new(store, tenant(), read)
        .with_page(page)
        .with_batch(batch);
    if std::env::var_os("GRASSROOTS_READ_AHEAD").is_some_and(|v| v == "1") {
        runner = runner.with_read_ahead();
    }
    let mut index = index();
    let start = Instant::now();
    let done = runner.catch_up(&mut index).unwrap();
    let took = start.elapsed();
    assert_eq!(done.events as u64, events);
    assert!(done.skipped.is_empty());
    if std::env::var_os("GRASSROOTS_READ_REPORT").is_some() {
        eprintln!(
            "catch-up: {events} events in {took:?}: {:.0} events/s",
            events as f64 / took.as_secs_f64()
        );
    }
    drop(runner);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("read-{i}.db{suffix}")));
    }
    took
}

/// Where a catch-up bench keeps its journal: a fresh temporary directory,
/// or with `GRASSROOTS_READ_KEEP=DIR` the file `DIR/NAME.db`, written
/// once and read again by later runs (a marker `DIR/NAME.events` holds the
/// events it was finished with). Returns the directory (the read stores go
/// there too), the store, and the events when the journal was kept from
/// an earlier run.
fn journal_dir(name: &str) -> (Dir, SqliteStore, Option<u64>) {
    match std::env::var_os("GRASSROOTS_READ_KEEP") {
        Some(keep) => {
            let dir = std::path::PathBuf::from(keep);
            std::fs::create_dir_all(&dir).unwrap();
            let marker = dir.join(format!("{name}.events"));
            let done = std::fs::read_to_string(&marker)
                .ok()
                .and_then(|t| t.trim().parse().ok());
            if done.is_none() {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(dir.join(format!("{name}.db{suffix}")));
                }
            }
            let store = SqliteStore::open(dir.join(format!("{name}.db"))).unwrap();
            (Dir::Kept(dir, marker), store, done)
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(dir.path().join("journal.db")).unwrap();
            (Dir::Temporary(dir), store, None)
        }
    }
}

/// A bench's directory: temporary, or kept between runs.
enum Dir {
    Temporary(tempfile::TempDir),
    Kept(std::path::PathBuf, std::path::PathBuf),
}

impl Dir {
    fn path(&self) -> &std::path::Path {
        match self {
            Dir::Temporary(dir) => dir.path(),
            Dir::Kept(dir, _) => dir,
        }
    }

    /// Records that the kept journal holds `events`, all written.
    fn finished(&self, events: u64) {
        if let Dir::Kept(_, marker) = self {
            std::fs::write(marker, events.to_string()).unwrap();
        }
    }
}

/// The journal of `cases` cases in `name`, written by `write` unless kept
/// from an earlier run; its events. Prints the set-up time, per million
/// cases too.
fn set_up(
    name: &str,
    cases: u64,
    write: impl FnOnce(&SqliteStore) -> u64,
) -> (Dir, SqliteStore, u64) {
    let (dir, store, kept) = journal_dir(name);
    if let Some(events) = kept {
        eprintln!("{name}: {cases} cases, {events} events kept from an earlier run");
        return (dir, store, events);
    }
    let start = Instant::now();
    let events = write(&store);
    let took = start.elapsed();
    eprintln!(
        "{name}: {cases} cases, {events} events written in {took:?} ({:.0} s per million cases)",
        took.as_secs_f64() * 1e6 / cases.max(1) as f64
    );
    dir.finished(events);
    (dir, store, events)
}

fn catch_up(c: &mut Criterion) {
    let cases = env("GRASSROOTS_READ_CASES", 100_000);
    let name = format!("catch_up_{cases}");
    let (dir, store, events) = set_up(&name, cases as u64, |store| errand_log(store, cases));
    let mut group = c.benchmark_group("read/catch_up_sqlite");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(events));
    group.bench_function(format!("case_index_{cases}_cases"), |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|i| {
                    timed_catch_up(&store, dir.path(), i, events, || {
                        CaseIndex::new().with::<Errand>()
                    })
                })
                .sum::<Duration>()
        });
    });
    group.finish();
}

/// The first `cases` cases of the full city-year (disputes, service
/// requests and work orders as `load::City` plays them): those arriving in
/// its first 365 × cases ÷ 20,000,000 days, each played to its end within
/// the year. Every event is appended
/// in time order, interleaved across cases as a deployment's log is, a
/// batch of up to 1,000 single-event appends per transaction. Returns the
/// events written.
#[cfg(feature = "sim")]
fn city_log(store: &SqliteStore, cases: u64) -> u64 {
    use std::cmp::Reverse;
    use std::collections::{BinaryHeap, HashMap, HashSet};

    use grassroots::journal::Journaled;
    use grassroots::load::{City, CityCase, CityYear};

    /// The stream of `case` and its `i`-th event, encoded.
    fn encoded<W: Journaled>(case: &Case<W>, i: usize) -> (StreamKey, NewEvent) {
        let stream = StreamKey::of::<W>(tenant(), case.id().clone()).unwrap();
        let event = journal::encode::<W>(&stream, &case.history()[i]).unwrap();
        (stream, event)
    }

    /// When each event of `case` happened.
    fn times<W: Journaled>(case: &Case<W>) -> Vec<DateTime<Utc>> {
        case.history().iter().map(|r| r.at).collect()
    }

    fn flush(store: &SqliteStore, batch: &mut Vec<(StreamKey, u64, NewEvent)>) {
        let parts: Vec<StreamAppend<'_>> = batch
            .iter()
            .map(|(stream, version, event)| StreamAppend {
                stream,
                expected_version: version - 1,
                events: std::slice::from_ref(event),
                due: DueUpdate::Keep,
            })
            .collect();
        for outcome in store.append_streams(&parts).unwrap() {
            outcome.unwrap();
        }
        batch.clear();
    }

    // The whole year is built and its first `cases` cases played: the
    // same arrivals, at the same density, as in the 20-million-case year.
    let year = CityYear::default();
    assert!(
        cases <= year.cases,
        "the city-year has {} cases",
        year.cases
    );
    let (days, all) = (u64::from(year.days), year.cases);
    let city = City::build(&year).unwrap();
    // A day before the slice's first local midnight: no case of day `d`
    // has an event before `floor + d days`.
    let floor =
        Utc.from_utc_datetime(&year.start.and_hms_opt(0, 0, 0).unwrap()) - TimeDelta::days(1);
    let mut heap: BinaryHeap<Reverse<(DateTime<Utc>, u64, usize)>> = BinaryHeap::new();
    // The played cases whose events are not all written, with how many are left.
    let mut open: HashMap<u64, (CityCase, usize)> = HashMap::new();
    let mut batch: Vec<(StreamKey, u64, NewEvent)> = Vec::new();
    let mut in_batch: HashSet<u64> = HashSet::new();
    let mut written = 0;
    let mut emit_before = |bound: Option<DateTime<Utc>>,
                           heap: &mut BinaryHeap<Reverse<(DateTime<Utc>, u64, usize)>>,
                           open: &mut HashMap<u64, (CityCase, usize)>| {
        while let Some(Reverse((at, n, i))) = heap.peek().copied() {
            if bound.is_some_and(|b| at >= b) {
                break;
            }
            heap.pop();
            if batch.len() >= 1_000 || in_batch.contains(&n) {
                flush(store, &mut batch);
                in_batch.clear();
            }
            let (case, left) = open.get_mut(&n).unwrap();
            let (stream, event) = match case {
                CityCase::Dispute(c) => encoded(c, i),
                CityCase::ServiceRequest(c) => encoded(c, i),
                CityCase::WorkOrder(c) => encoded(c, i),
                other => panic!("a case of an unknown workflow: {}", other.id()),
            };
            batch.push((stream, i as u64 + 1, event));
            in_batch.insert(n);
            written += 1;
            *left -= 1;
            if *left == 0 {
                open.remove(&n);
            }
        }
    };
    for n in 0..cases {
        let day = i64::try_from(n * days / all).unwrap();
        emit_before(Some(floor + TimeDelta::days(day)), &mut heap, &mut open);
        let case = city.play(n).case;
        let at = match &case {
            CityCase::Dispute(c) => times(c),
            CityCase::ServiceRequest(c) => times(c),
            CityCase::WorkOrder(c) => times(c),
            other => panic!("a case of an unknown workflow: {}", other.id()),
        };
        for (i, at) in at.iter().enumerate() {
            heap.push(Reverse((*at, n, i)));
        }
        if !at.is_empty() {
            open.insert(n, (case, at.len()));
        }
    }
    emit_before(None, &mut heap, &mut open);
    flush(store, &mut batch);
    written
}

#[cfg(feature = "sim")]
fn catch_up_city(c: &mut Criterion) {
    use grassroots::{Dispute, ServiceRequest, WorkOrder};

    let cases = env("GRASSROOTS_READ_CITY", 0) as u64;
    if cases == 0 {
        return;
    }
    let name = format!("catch_up_city_{cases}");
    let (dir, store, events) = set_up(&name, cases, |store| city_log(store, cases));
    let mut group = c.benchmark_group("read/catch_up_city_sqlite");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(events));
    group.bench_function(format!("case_index_{cases}_cases"), |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|i| {
                    timed_catch_up(&store, dir.path(), i, events, || {
                        CaseIndex::new()
                            .with::<Dispute>()
                            .with::<ServiceRequest>()
                            .with::<WorkOrder>()
                    })
                })
                .sum::<Duration>()
        });
    });
    group.finish();
}

#[cfg(not(feature = "sim"))]
fn catch_up_city(_: &mut Criterion) {}

fn open_cases_of_a_body(c: &mut Criterion) {
    let rows = env("GRASSROOTS_READ_INDEXED", 1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read.db");
    drop(SqliteReadStore::open(&path).unwrap());
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO grassroots_case_index
                     (tenant, stream_type, case_id, state, tier, body, parties, opened, closed, next_due, version)
                     VALUES ('longgang', 'errand', ?1, 'Open', 'community', ?2, 1, ?3, ?4, ?5, 2)",
                )
                .unwrap();
            for n in 0..rows {
                let opened = t0().timestamp_micros() + n as i64;
                // A third closed; 1,000 bodies: about 667 open cases each.
                let closed = (n % 3 == 0).then_some(opened + 1);
                insert
                    .execute(rusqlite::params![
                        format!("E-{n:08}"),
                        body(n).as_str(),
                        opened,
                        closed,
                        opened + 86_400_000_000
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
        conn.execute_batch("ANALYZE").unwrap();
    }
    let read = SqliteReadStore::open(&path).unwrap();
    let tenant = tenant();
    let office = body(42);
    let mut group = c.benchmark_group("read/open_cases_of_body");
    group.bench_function(format!("sqlite_{rows}_cases_page_50"), |b| {
        b.iter(|| {
            let page = read
                .open_cases_of(&tenant, &office, &Page::first(50))
                .unwrap();
            assert_eq!(page.len(), 50);
            page
        });
    });
    group.finish();
}

/// A command on a case the journal has cached against the same command on
/// a case held in memory; each case takes 16 commands, then a new one.
fn cached_command(c: &mut Criterion) {
    let worker = Actor::new("gw-1".parse().unwrap()).with_role(Role::GridWorker);
    let ctx = Context::new(t0(), &worker);
    let open = ErrandCommand::Open {
        body: body(1),
        due: t0() + TimeDelta::days(7),
    };
    let ids: Vec<CaseId> = (0..100_000)
        .map(|n| format!("E-{n:08}").parse().unwrap())
        .collect();
    let mut group = c.benchmark_group("read/command");
    group.bench_function("case_held_in_memory", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            let mut case = Case::<Errand>::new(ids[0].clone());
            for i in 0..iters as usize {
                if i % 16 == 0 {
                    case = Case::new(ids[(i / 16) % ids.len()].clone());
                    case.handle(&Errand, &open, &ctx).unwrap();
                } else {
                    case.handle(&Errand, &ErrandCommand::Note, &ctx).unwrap();
                }
            }
            start.elapsed()
        });
    });
    // The same journaled work without the journal's lookup: the caller
    // holds the case, decides, encodes and appends to the memory store.
    group.bench_function("case_held_in_memory_appended", |b| {
        b.iter_custom(|iters| {
            let store = MemoryStore::new();
            let start = Instant::now();
            let mut case = Case::<Errand>::new(ids[0].clone());
            let mut stream = StreamKey::of::<Errand>(tenant(), ids[0].clone()).unwrap();
            for i in 0..iters as usize {
                let command = if i % 16 == 0 {
                    let id = &ids[(i / 16) % ids.len()];
                    case = Case::new(id.clone());
                    stream = StreamKey::of::<Errand>(tenant(), id.clone()).unwrap();
                    &open
                } else {
                    &ErrandCommand::Note
                };
                let (expected, from) = (case.version(), case.history().len());
                case.handle(&Errand, command, &ctx).unwrap();
                let events = case.history()[from..]
                    .iter()
                    .map(|recorded| journal::encode::<Errand>(&stream, recorded))
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap();
                store
                    .append_with_due(&stream, expected, &events, DueUpdate::of(case.next_due()))
                    .unwrap();
            }
            start.elapsed()
        });
    });
    for (name, cache) in [
        ("journal_memory_cached", 1024),
        ("journal_memory_uncached", 0),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let journal = Journal::new(MemoryStore::new(), tenant()).with_cache(cache);
                let start = Instant::now();
                for i in 0..iters as usize {
                    let id = &ids[(i / 16) % ids.len()];
                    let command = if i % 16 == 0 {
                        &open
                    } else {
                        &ErrandCommand::Note
                    };
                    journal.handle(&Errand, id, command, &ctx).unwrap();
                }
                start.elapsed()
            });
        });
    }
    group.finish();
}

/// 8 threads, each with its own store on one SQLite file, 750 commands
/// each on 100 shared cases.
fn racing(c: &mut Criterion) {
    const THREADS: usize = 8;
    const COMMANDS: usize = 6_000;
    let mut group = c.benchmark_group("read/racing_sqlite");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(COMMANDS as u64));
    // Without the cache every command reads and verifies its whole case:
    // slow, so only on request.
    let mut variants = vec![("8_threads_6000_commands_cached", 1024)];
    if std::env::var_os("GRASSROOTS_READ_UNCACHED").is_some() {
        variants.push(("8_threads_6000_commands_uncached", 0));
    }
    for (name, cache) in variants {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().unwrap();
                    let path = dir.path().join("journal.db");
                    let journals: Vec<_> = (0..THREADS)
                        .map(|_| {
                            Journal::new(SqliteStore::open(&path).unwrap(), tenant())
                                .with_cache(cache)
                                .with_retries(1_000)
                        })
                        .collect();
                    let barrier = Barrier::new(THREADS + 1);
                    let start = std::thread::scope(|s| {
                        for (t, journal) in journals.iter().enumerate() {
                            let barrier = &barrier;
                            s.spawn(move || {
                                let worker =
                                    Actor::new("gw-1".parse().unwrap()).with_role(Role::GridWorker);
                                let ctx = Context::new(t0(), &worker);
                                barrier.wait();
                                for n in 0..COMMANDS / THREADS {
                                    let id: CaseId =
                                        format!("E-{:03}", (t * 13 + n) % 100).parse().unwrap();
                                    let command = ErrandCommand::Open {
                                        body: body(1),
                                        due: t0() + TimeDelta::days(7),
                                    };
                                    // The first command on a case opens it; the rest note.
                                    match journal.handle(&Errand, &id, &command, &ctx) {
                                        Ok(_) => {}
                                        Err(e) => panic!("{e}"),
                                    }
                                }
                            });
                        }
                        barrier.wait();
                        Instant::now()
                    });
                    total += start.elapsed();
                }
                total
            });
        });
    }
    group.finish();
}

/// A 10,000-event errand on SQLite loaded by a journal with no cache (so
/// every load is cold): read and verified in full, against resumed from a
/// snapshot 50 events before its end (the average distance when snapshots
/// are taken every 100 events).
fn load_long_case(c: &mut Criterion) {
    const EVENTS: u64 = 10_000;
    const SNAPSHOT_AT: u64 = EVENTS - 50;
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("journal.db")).unwrap();
    let id: CaseId = "E-LONG".parse().unwrap();
    let stream = StreamKey::of::<Errand>(tenant(), id.clone()).unwrap();
    let worker = Actor::new("gw-1".parse().unwrap()).with_role(Role::GridWorker);
    let ctx = Context::new(t0(), &worker);
    let mut case = Case::<Errand>::new(id.clone());
    case.handle(
        &Errand,
        &ErrandCommand::Open {
            body: body(1),
            due: t0() + TimeDelta::days(7),
        },
        &ctx,
    )
    .unwrap();
    while case.version() < EVENTS {
        case.handle(&Errand, &ErrandCommand::Note, &ctx).unwrap();
    }
    for chunk in case.history().chunks(1_000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|recorded| journal::encode::<Errand>(&stream, recorded).unwrap())
            .collect();
        store.append(&stream, chunk[0].seq - 1, &rows).unwrap();
    }
    let at = &store.read_stream(&stream, SNAPSHOT_AT - 1).unwrap()[0];
    let state =
        grassroots::workflow::replay_state::<Errand>(&id, &case.history()[..SNAPSHOT_AT as usize])
            .unwrap();
    let snapshot = journal::Snapshot::new(
        stream.clone(),
        SNAPSHOT_AT,
        at.hash,
        Errand::snapshot_version(),
        serde_json::to_value(&state).unwrap(),
    )
    .unwrap();
    store.put_snapshot(&snapshot).unwrap();

    let full = Journal::new(&store, tenant()).with_cache(0);
    let resumed = Journal::new(&store, tenant())
        .with_cache(0)
        .with_snapshots::<Errand>(u64::MAX);
    assert_eq!(
        resumed.load::<Errand>(&id).unwrap().state(),
        full.load::<Errand>(&id).unwrap().state()
    );
    assert_eq!(resumed.snapshot_stats().used, 1, "the snapshot is used");

    let mut group = c.benchmark_group("read/load_long_case_sqlite");
    group.sample_size(20);
    group.bench_function("cold_10000_events_full", |b| {
        b.iter(|| full.load::<Errand>(&id).unwrap().version());
    });
    group.bench_function("cold_10000_events_snapshot_at_9950", |b| {
        b.iter(|| resumed.load::<Errand>(&id).unwrap().version());
    });
    group.finish();
}

criterion_group!(
    benches,
    load_long_case,
    cached_command,
    open_cases_of_a_body,
    racing,
    catch_up,
    catch_up_city
);
criterion_main!(benches);
