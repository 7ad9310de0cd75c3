//! The journal in async form (feature `tokio`): eight tokio tasks writing
//! to distinct and shared cases through one `AsyncJournal` lose nothing and
//! double nothing; a case that becomes due is moved by the `AsyncSweeper`
//! and read back by the journal; the sweeper's loop stops on its signal;
//! the `AsyncRunner` keeps a case index equal to the sync runner's, also
//! when it meets cases in the middle of their history. On the async SQLite
//! store, and on the async PostgreSQL store where PostgreSQL is available.

#![cfg(all(feature = "tokio", any(feature = "sqlite", feature = "postgres")))]

mod support {
    pub mod stores;
    pub mod tally;
    pub mod ticket;
}

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::OrgId;
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::read::{
    CaseIndex, CaseKey, CaseQueries, CaseRow, MemoryReadStore, Page, Projection, ProjectionError,
    ReadStore, Runner,
};
use grassroots::journal::{
    self, AppendOutcome, AsyncEventStore, AsyncJournal, AsyncRunner, AsyncSweeper, EventStore,
    ExecuteError, StreamKey, SweepOptions,
};
use grassroots::workflow::{Case, Context};
use support::stores::BlockingStore;
use support::tally::{Add, Event, Tally, clerk};
use support::ticket::{Command, REMIND_AFTER_HOURS, Ticket};

const TASKS: usize = 8;
const COMMANDS_PER_TASK: usize = 25;
const SHARED_CASES: usize = 3;
const RETRIES: u32 = 1_000;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// One accepted command: its case, token and amount.
type Accepted = (CaseId, String, u64);

/// Eight tasks, each sending commands alternately to a case of its own and
/// to one of three shared cases, through one journal; then every case's
/// stored history holds exactly the accepted commands, once each.
async fn tasks_lose_nothing<S>(journal: Arc<AsyncJournal<S>>)
where
    S: AsyncEventStore + 'static,
{
    let shared: Vec<CaseId> = (0..SHARED_CASES)
        .map(|i| format!("shared-{i}").parse().unwrap())
        .collect();
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (journal, shared, barrier) = (Arc::clone(&journal), shared.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            let actor = clerk(&format!("clerk-{task}"));
            let own: CaseId = format!("own-{task}").parse().unwrap();
            let mut accepted: Vec<Accepted> = Vec::new();
            barrier.wait().await;
            for n in 0..COMMANDS_PER_TASK {
                let case = if n % 2 == 0 {
                    own.clone()
                } else {
                    shared[(task + n) % SHARED_CASES].clone()
                };
                let add = Add {
                    token: format!("t{task}-{n}"),
                    amount: (task * 1_000 + n) as u64,
                };
                let ctx = Context::new(t0(), &actor);
                match journal.handle(&Tally, &case, &add, &ctx).await {
                    Ok(done) => {
                        assert_eq!(done.events().len(), 1);
                        assert_eq!(done.appended.outcome, AppendOutcome::Recorded);
                        accepted.push((case, add.token, add.amount));
                    }
                    Err(ExecuteError::Contended { .. }) => {}
                    Err(e) => panic!("task {task}: {e:?}"),
                }
            }
            accepted
        }));
    }
    let mut accepted: Vec<Accepted> = Vec::new();
    for task in tasks {
        accepted.extend(task.await.unwrap());
    }
    assert_eq!(
        accepted.len(),
        TASKS * COMMANDS_PER_TASK,
        "with {RETRIES} retries every command gets through"
    );
    let mut by_case: BTreeMap<CaseId, Vec<&Accepted>> = BTreeMap::new();
    for a in &accepted {
        by_case.entry(a.0.clone()).or_default().push(a);
    }
    assert_eq!(by_case.len(), TASKS + SHARED_CASES);
    // Read back with a journal that caches nothing: the store's own rows.
    let fresh = AsyncJournal::new(journal.store(), journal.tenant().clone()).with_cache(0);
    let mut stored_tokens = BTreeMap::new();
    for (case_id, expected) in &by_case {
        let case: Case<Tally> = fresh.load(case_id).await.unwrap();
        assert_eq!(case.version() as usize, expected.len(), "case {case_id}");
        assert_eq!(
            case.state().total,
            expected.iter().map(|a| a.2).sum::<u64>(),
            "case {case_id}: an update was lost"
        );
        for recorded in case.history() {
            let Event::Added { token, .. } = &recorded.event;
            let previous = stored_tokens.insert(token.clone(), case_id.clone());
            assert!(previous.is_none(), "token {token} stored twice");
        }
        // The journal that wrote it agrees (its cache is checked against
        // the store's anchor).
        assert_eq!(journal.load::<Tally>(case_id).await.unwrap(), case);
        assert_eq!(fresh.find::<Tally>(case_id).await.unwrap(), Some(case));
    }
    let unknown: CaseId = "never-recorded".parse().unwrap();
    assert!(fresh.find::<Tally>(&unknown).await.unwrap().is_none());
    assert_eq!(stored_tokens.len(), accepted.len());
    let feed = journal
        .store()
        .read_all(journal.tenant(), 0, 1_000_000)
        .await
        .unwrap();
    assert_eq!(
        feed.len(),
        accepted.len(),
        "nothing stored twice in the log"
    );
}

/// Raw appends of eight tasks racing on one stream, each expecting the
/// version it read: exactly the successful appends are stored, with
/// contiguous versions and an unbroken chain; every failure is a conflict.
async fn raw_appends_race_without_overwrites<S>(store: Arc<S>, tenant: TenantId)
where
    S: AsyncEventStore + 'static,
{
    let key = StreamKey::new(tenant, "race".parse().unwrap(), "R-1".parse().unwrap());
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (store, key, barrier) = (Arc::clone(&store), key.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            let mut won = Vec::new();
            barrier.wait().await;
            for n in 0..COMMANDS_PER_TASK {
                let id = format!("w{task}-{n}");
                let version = store.stream_version(&key).await.unwrap();
                let event = journal::NewEvent::new(
                    id.parse().unwrap(),
                    "Raced",
                    serde_json::json!({"by": task}),
                    "racer".parse().unwrap(),
                    t0(),
                );
                match store.append(&key, version, &[event]).await {
                    Ok(_) => won.push(id),
                    Err(e) => assert!(e.is_conflict(), "{e:?}"),
                }
            }
            won
        }));
    }
    let mut won = std::collections::BTreeSet::new();
    for task in tasks {
        won.extend(task.await.unwrap());
    }
    let rows = store.read_stream(&key, 0).await.unwrap();
    let stored: std::collections::BTreeSet<String> =
        rows.iter().map(|r| r.event_id.to_string()).collect();
    assert_eq!(stored, won);
    assert!(
        rows.iter()
            .enumerate()
            .all(|(i, r)| r.version == i as u64 + 1)
    );
    journal::verify_rows(&key, &rows).unwrap();
    let anchor = store.anchor(&key).await.unwrap().unwrap();
    assert_eq!(anchor.version, rows.len() as u64);
}

/// Opens ticket `n` at `t0 + n minutes` (due 72 hours later) through the
/// journal.
async fn open_ticket<S: AsyncEventStore>(journal: &AsyncJournal<S>, n: usize) {
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    let at = t0() + Duration::minutes(n as i64);
    let id: CaseId = format!("T-{n}").parse().unwrap();
    journal
        .handle(&Ticket, &id, &Command::Open, &Context::new(at, &worker))
        .await
        .unwrap();
}

/// Three tickets opened; the sweep at their due time reminds each once,
/// the index moves on, and the journal reads the reminder back.
async fn the_sweeper_moves_due_cases<S: AsyncEventStore>(journal: &AsyncJournal<S>) {
    for n in 0..3 {
        open_ticket(journal, n).await;
    }
    let sweeper = journal.sweeper(Ticket);
    let before = sweeper.sweep(t0() + Duration::hours(1)).await.unwrap();
    assert!(before.is_idle(), "nothing due yet: {before}");
    let due = t0() + Duration::hours(REMIND_AFTER_HOURS) + Duration::minutes(1);
    let report = sweeper.sweep(due).await.unwrap();
    assert_eq!(report.ticked.len(), 2, "T-0 and T-1 are due: {report}");
    assert!(report.failed.is_empty(), "{report}");
    for n in 0..2 {
        let case: Case<Ticket> = journal
            .load(&format!("T-{n}").parse().unwrap())
            .await
            .unwrap();
        assert_eq!(case.version(), 2, "T-{n} was reminded");
        assert_eq!(
            case.history()[1].event,
            support::ticket::Event::Reminded,
            "T-{n}"
        );
    }
    let t2: Case<Ticket> = journal.load(&"T-2".parse().unwrap()).await.unwrap();
    assert_eq!(t2.version(), 1, "T-2 is not due yet");
    let again = sweeper.sweep(due).await.unwrap();
    assert!(again.is_idle(), "each timer once: {again}");
    let later = sweeper.sweep(due + Duration::hours(1)).await.unwrap();
    assert_eq!(later.ticked.len(), 1, "then T-2: {later}");
}

/// Three sweepers in three tasks at once, small pages: they share the
/// claims, and every due ticket is reminded exactly once.
async fn sweepers_at_once_remind_each_case_once<S>(store: Arc<S>, tenant: TenantId)
where
    S: AsyncEventStore + 'static,
{
    const TICKETS: usize = 20;
    let journal = AsyncJournal::new(Arc::clone(&store), tenant.clone());
    for n in 0..TICKETS {
        open_ticket(&journal, n).await;
    }
    let due = t0() + Duration::hours(REMIND_AFTER_HOURS + 1);
    let options = SweepOptions {
        page: 3,
        ..SweepOptions::default()
    };
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let sweeper =
            AsyncSweeper::new(Arc::clone(&store), tenant.clone(), Ticket).with_options(options);
        tasks.push(tokio::spawn(async move {
            let report = sweeper.sweep(due).await.unwrap();
            assert!(report.failed.is_empty(), "{report}");
            report.events()
        }));
    }
    let mut events = 0;
    for task in tasks {
        events += task.await.unwrap();
    }
    assert_eq!(events, TICKETS, "one reminder per ticket, none twice");
    for n in 0..TICKETS {
        let case: Case<Ticket> = journal
            .load(&format!("T-{n}").parse().unwrap())
            .await
            .unwrap();
        assert_eq!(case.version(), 2, "T-{n}");
    }
}

/// The sweeper's loop sweeps, waits, and stops when its signal fires.
async fn the_sweep_loop_stops_on_its_signal<S: AsyncEventStore>(journal: &AsyncJournal<S>) {
    open_ticket(journal, 0).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let sweeper = journal.sweeper(Ticket);
    let clock = || t0() + Duration::hours(REMIND_AFTER_HOURS + 1);
    let mut sweeps = 0;
    let mut ticked = 0;
    let signal = async move {
        let mut stopped = stopped;
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let interval = std::time::Duration::from_millis(5);
    sweeper
        .run(interval, clock, signal, |report| {
            sweeps += 1;
            ticked += report.unwrap().ticked.len();
            if sweeps == 3 {
                stop.send(true).unwrap();
            }
        })
        .await;
    assert_eq!(sweeps, 3, "no sweep after the signal");
    assert_eq!(ticked, 1, "the due ticket once, then nothing");
}

/// What a case index shows of tickets T-0 .. T-5: each case's row, and
/// how many open cases the owner's desk has.
type IndexView = (Vec<Option<CaseRow>>, usize);

fn view(reads: &MemoryReadStore, tenant: &TenantId) -> IndexView {
    let rows = (0..6)
        .map(|n| {
            let key = CaseKey {
                stream_type: "ticket".parse().unwrap(),
                id: format!("T-{n}").parse().unwrap(),
            };
            reads.case(tenant, &key).unwrap()
        })
        .collect();
    let desk: OrgId = "desk-gw-7".parse().unwrap();
    let open = reads
        .open_cases_of(tenant, &desk, &Page::first(100))
        .unwrap();
    (rows, open.len())
}

/// Opens and moves tickets through the journal, catching a case index up
/// with the async runner — the second half with a fresh projection that
/// meets every case in the middle (as after a restart) — and returns what
/// the index shows.
async fn index_with_the_async_runner<S: AsyncEventStore>(journal: &AsyncJournal<S>) -> IndexView {
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    for n in 0..6 {
        open_ticket(journal, n).await;
    }
    let runner = AsyncRunner::new(
        journal.store(),
        journal.tenant().clone(),
        MemoryReadStore::new(),
    )
    .with_page(4);
    let mut index = CaseIndex::new().with::<Ticket>();
    assert_eq!(runner.catch_up(&mut index).await.unwrap().events, 6);
    for n in 0..6 {
        let id: CaseId = format!("T-{n}").parse().unwrap();
        let at = t0() + Duration::hours(1);
        let command = if n % 2 == 0 {
            Command::Hold
        } else {
            Command::Resolve
        };
        journal
            .handle(&Ticket, &id, &command, &Context::new(at, &worker))
            .await
            .unwrap();
    }
    // A new projection over the same read store: its checkpoint says 6,
    // it has seen no case, so every event continues a case it must read.
    let mut restarted = CaseIndex::new().with::<Ticket>();
    let caught = runner.catch_up(&mut restarted).await.unwrap();
    assert_eq!(caught.events, 6);
    assert!(caught.skipped.is_empty());
    assert_eq!(runner.position(&restarted).unwrap(), caught.position);
    view(runner.read_store(), journal.tenant())
}

/// A projection that counts the events and the flushes (transactions) the
/// runner hands it.
#[derive(Default)]
struct Flushes {
    seen: usize,
    flushed: usize,
}

impl Projection<MemoryReadStore> for Flushes {
    fn name(&self) -> &str {
        "flushes"
    }
    fn schema_version(&self) -> u32 {
        1
    }
    fn setup(
        &mut self,
        _: &mut <MemoryReadStore as ReadStore>::Tx<'_>,
    ) -> Result<(), ProjectionError> {
        Ok(())
    }
    fn apply(
        &mut self,
        _: &mut <MemoryReadStore as ReadStore>::Tx<'_>,
        _: &journal::StoredEvent,
        _: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        self.seen += 1;
        Ok(())
    }
    fn flush(
        &mut self,
        _: &mut <MemoryReadStore as ReadStore>::Tx<'_>,
    ) -> Result<(), ProjectionError> {
        self.flushed += 1;
        Ok(())
    }
    fn clear(
        &mut self,
        _: &mut <MemoryReadStore as ReadStore>::Tx<'_>,
        _: &TenantId,
    ) -> Result<(), ProjectionError> {
        Ok(())
    }
}

/// Six events read two at a time: batches of four are two transactions
/// (four, then two), pages alone three.
async fn the_async_runner_applies_a_batch_of_pages_at_once<S: AsyncEventStore>(
    journal: &AsyncJournal<S>,
) {
    for n in 0..6 {
        open_ticket(journal, n).await;
    }
    let runner = |batch: usize| {
        AsyncRunner::new(
            journal.store(),
            journal.tenant().clone(),
            MemoryReadStore::new(),
        )
        .with_page(2)
        .with_batch(batch)
    };
    let mut batched = Flushes::default();
    let done = runner(4).catch_up(&mut batched).await.unwrap();
    assert_eq!((done.events, batched.seen, batched.flushed), (6, 6, 2));
    let mut paged = Flushes::default();
    let done = runner(2).catch_up(&mut paged).await.unwrap();
    assert_eq!((done.events, paged.seen, paged.flushed), (6, 6, 3));
}

/// The sync runner's index of the same log, for comparison.
fn index_with_the_sync_runner(store: impl EventStore, tenant: &TenantId) -> IndexView {
    let runner = Runner::new(store, tenant.clone(), MemoryReadStore::new());
    runner
        .catch_up(&mut CaseIndex::new().with::<Ticket>())
        .unwrap();
    view(runner.read_store(), tenant)
}

fn assert_same_index(ours: IndexView, theirs: IndexView) {
    assert_eq!(ours.1, 3, "the three held tickets are open at the desk");
    for (n, row) in ours.0.iter().enumerate() {
        assert_eq!(row.as_ref().map(|r| r.version), Some(2), "T-{n}");
    }
    assert_eq!(ours, theirs);
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use grassroots::journal::AsyncSqliteStore;

    fn journal(dir: &tempfile::TempDir, test: &str) -> AsyncJournal<AsyncSqliteStore> {
        let store = AsyncSqliteStore::new(support::stores::sqlite_in(dir));
        AsyncJournal::new(store, support::stores::tenant(test)).with_retries(RETRIES)
    }

    #[test]
    fn the_async_runner_applies_a_batch_of_pages_at_once_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        runtime().block_on(the_async_runner_applies_a_batch_of_pages_at_once(&journal(
            &dir, "batch",
        )));
    }

    #[test]
    fn eight_tasks_on_async_sqlite_lose_nothing_and_double_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Arc::new(journal(&dir, "tasks"));
        runtime().block_on(tasks_lose_nothing(journal));
    }

    #[test]
    fn raw_appends_of_eight_tasks_to_async_sqlite_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(AsyncSqliteStore::new(support::stores::sqlite_in(&dir)));
        let tenant = support::stores::tenant("race");
        runtime().block_on(raw_appends_race_without_overwrites(store, tenant));
    }

    #[test]
    fn the_async_sweeper_moves_due_cases_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        runtime().block_on(the_sweeper_moves_due_cases(&journal(&dir, "sweep")));
    }

    #[test]
    fn three_async_sweepers_on_sqlite_remind_each_case_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(AsyncSqliteStore::new(support::stores::sqlite_in(&dir)));
        let tenant = support::stores::tenant("sweepers");
        runtime().block_on(sweepers_at_once_remind_each_case_once(store, tenant));
    }

    #[test]
    fn the_async_sweep_loop_stops_on_its_signal() {
        let dir = tempfile::tempdir().unwrap();
        runtime().block_on(the_sweep_loop_stops_on_its_signal(&journal(&dir, "loop")));
    }

    #[test]
    fn the_async_runner_keeps_the_index_the_sync_runner_keeps_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let journal = journal(&dir, "runner");
        let ours = runtime().block_on(index_with_the_async_runner(&journal));
        let sync = Arc::clone(journal.store().sync_store());
        assert_same_index(ours, index_with_the_sync_runner(sync, journal.tenant()));
    }

    #[test]
    fn a_sweeper_in_a_spawned_task_shares_the_store_through_an_arc() {
        let dir = tempfile::tempdir().unwrap();
        let journal = journal(&dir, "spawned");
        let store = Arc::new(journal.store().clone());
        let tenant = journal.tenant().clone();
        runtime().block_on(async move {
            open_ticket(&journal, 0).await;
            let sweeper = AsyncSweeper::new(Arc::clone(&store), tenant, Ticket);
            let due = t0() + Duration::hours(REMIND_AFTER_HOURS + 1);
            let task = tokio::spawn(async move { sweeper.sweep(due).await.unwrap().ticked.len() });
            assert_eq!(task.await.unwrap(), 1);
            let key = StreamKey::new(
                journal.tenant().clone(),
                "ticket".parse().unwrap(),
                "T-0".parse().unwrap(),
            );
            assert_eq!(store.stream_version(&key).await.unwrap(), 2);
        });
    }

    #[test]
    fn the_async_journal_sees_another_writers_append_to_a_cached_case() {
        let dir = tempfile::tempdir().unwrap();
        let first = journal(&dir, "cached");
        let second = AsyncJournal::new(first.store().clone(), first.tenant().clone());
        runtime().block_on(async {
            let id: CaseId = "tally-1".parse().unwrap();
            let actor = clerk("clerk-1");
            let ctx = Context::new(t0(), &actor);
            let add = |token: &str, amount| Add {
                token: token.to_owned(),
                amount,
            };
            first.handle(&Tally, &id, &add("a", 1), &ctx).await.unwrap();
            assert_eq!(first.cached(), 1);
            second
                .handle(&Tally, &id, &add("b", 2), &ctx)
                .await
                .unwrap();
            // The first journal's cached case is behind the store: it
            // reads the other writer's event and decides on it.
            let done = first.handle(&Tally, &id, &add("c", 4), &ctx).await.unwrap();
            assert_eq!(done.attempts, 1);
            assert_eq!(done.case.version(), 3);
            assert_eq!(done.case.state().total, 7);
            let refused = first.handle(&Tally, &id, &add("b", 8), &ctx).await;
            assert!(
                matches!(refused, Err(ExecuteError::Refused(_))),
                "{refused:?}"
            );
        });
    }

    #[test]
    fn the_async_stores_are_send_and_sync_and_their_futures_are_send() {
        fn assert_send_sync<T: Send + Sync>() {}
        fn assert_send<T: Send>(_: &T) {}
        assert_send_sync::<AsyncSqliteStore>();
        assert_send_sync::<AsyncJournal<AsyncSqliteStore>>();
        let dir = tempfile::tempdir().unwrap();
        let journal = journal(&dir, "send");
        let actor = clerk("clerk-1");
        let ctx = Context::new(t0(), &actor);
        let add = Add {
            token: "a".into(),
            amount: 1,
        };
        let id: CaseId = "tally-1".parse().unwrap();
        assert_send(&journal.handle(&Tally, &id, &add, &ctx));
        assert_send(&journal.load::<Tally>(&id));
        assert_send(&journal.sweeper(Ticket).sweep(t0()));
    }

    /// The blocking adapter of the conformance suite is what it says.
    #[test]
    fn the_blocking_adapter_reads_what_the_async_store_wrote() {
        let (_dir, store): (_, BlockingStore<AsyncSqliteStore>) = support::stores::async_sqlite();
        let tenant: TenantId = support::stores::tenant("adapter");
        let journal = AsyncJournal::new(store.store().clone(), tenant.clone());
        store.runtime().block_on(open_ticket(&journal, 0));
        let loaded = journal::load::<Ticket, _>(&store, &tenant, &"T-0".parse().unwrap()).unwrap();
        assert_eq!(loaded.version(), 1);
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use grassroots::journal::AsyncPostgresStore;

    fn journal(
        runtime: &tokio::runtime::Runtime,
        test: &str,
    ) -> Option<AsyncJournal<AsyncPostgresStore>> {
        let store = support::stores::async_postgres_on(runtime)?;
        Some(AsyncJournal::new(store, support::stores::tenant(test)).with_retries(RETRIES))
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn the_async_runner_applies_a_batch_of_pages_at_once_on_postgres() {
        let runtime = runtime();
        let Some(journal) = journal(&runtime, "batch") else {
            return;
        };
        runtime.block_on(the_async_runner_applies_a_batch_of_pages_at_once(&journal));
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn eight_tasks_on_async_postgres_lose_nothing_and_double_nothing() {
        let runtime = runtime();
        let Some(journal) = journal(&runtime, "tasks") else {
            return;
        };
        runtime.block_on(tasks_lose_nothing(Arc::new(journal)));
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn raw_appends_of_eight_tasks_to_async_postgres_never_overwrite() {
        let runtime = runtime();
        let Some(store) = support::stores::async_postgres_on(&runtime) else {
            return;
        };
        let tenant = support::stores::tenant("race");
        runtime.block_on(raw_appends_race_without_overwrites(Arc::new(store), tenant));
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn three_async_sweepers_on_postgres_remind_each_case_once() {
        let runtime = runtime();
        let Some(store) = support::stores::async_postgres_on(&runtime) else {
            return;
        };
        let tenant = support::stores::tenant("sweepers");
        runtime.block_on(sweepers_at_once_remind_each_case_once(
            Arc::new(store),
            tenant,
        ));
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn the_async_sweeper_moves_due_cases_on_postgres() {
        let runtime = runtime();
        let Some(journal) = journal(&runtime, "sweep") else {
            return;
        };
        runtime.block_on(the_sweeper_moves_due_cases(&journal));
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn the_async_runner_keeps_the_index_the_sync_runner_keeps_on_postgres() {
        let runtime = runtime();
        let Some(journal) = journal(&runtime, "runner") else {
            return;
        };
        let ours = runtime.block_on(index_with_the_async_runner(&journal));
        let Some(sync) = support::stores::postgres() else {
            return;
        };
        assert_same_index(ours, index_with_the_sync_runner(sync, journal.tenant()));
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn the_sync_and_async_postgres_stores_share_one_database() {
        let runtime = runtime();
        let Some(journal) = journal(&runtime, "shared") else {
            return;
        };
        let Some(sync) = support::stores::postgres() else {
            return;
        };
        runtime.block_on(open_ticket(&journal, 0));
        let tenant = journal.tenant();
        let id: CaseId = "T-0".parse().unwrap();
        let case = journal::load::<Ticket, _>(&sync, tenant, &id).unwrap();
        assert_eq!(case.version(), 1);
        let supervisor = Actor::new("sup-1".parse().unwrap()).with_role(Role::Supervisor);
        let at = t0() + Duration::hours(1);
        journal::execute(
            &sync,
            tenant,
            &Ticket,
            &id,
            &Command::Cancel,
            &Context::new(at, &supervisor.with_role(Role::Party)),
            3,
        )
        .unwrap();
        let back: Case<Ticket> = runtime.block_on(journal.load(&id)).unwrap();
        assert_eq!(
            back,
            journal::load::<Ticket, _>(&sync, tenant, &id).unwrap()
        );
        assert_eq!(runtime.block_on(journal.store().migration()).unwrap(), 6);
    }
}
