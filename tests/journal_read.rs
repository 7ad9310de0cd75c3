//! Reading the journal: the case index and the work queue on every read
//! store — their queries, resuming, rebuilding, a newer schema refused —
//! and, for random histories, equality with a full replay of every case.

mod support {
    pub mod stores;
    pub mod ticket;
}

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::read::{
    CaseIndex, CaseKey, CaseQueries, Checkpoint, Page, Projection, ProjectionError, ReadStore,
    Runner, WorkQueue, expected_rows,
};
use grassroots::journal::{EventStore, Journal};
use grassroots::tier::Tier;
use grassroots::workflow::Context;
use support::ticket::{Command, Ticket};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn key(id: &str) -> CaseKey {
    let key = CaseKey::of::<Ticket>(id.parse().unwrap()).unwrap();
    assert_eq!(key.stream_type.as_str(), "ticket");
    key
}

fn worker(n: u32) -> Actor {
    Actor::new(format!("gw-{n}").parse().unwrap()).with_role(Role::GridWorker)
}

/// Five tickets, nine events: T-1, T-2 open at gw-1's desk, T-3 on hold
/// at gw-2's, T-4 resolved (waits on a supervisor), T-5 closed.
fn five_tickets(journal: &Journal<&dyn EventStore>) {
    let boss = Actor::new("sup-1".parse().unwrap())
        .with_role(Role::Supervisor)
        .with_role(Role::GridWorker);
    let send = |id: &str, actor: &Actor, hours: i64, command: Command| {
        let ctx = Context::new(t0() + Duration::hours(hours), actor);
        journal
            .handle(&Ticket, &id.parse().unwrap(), &command, &ctx)
            .unwrap();
    };
    send("T-1", &worker(1), 0, Command::Open);
    send("T-2", &worker(1), 1, Command::Open);
    send("T-3", &worker(2), 0, Command::Open);
    send("T-3", &worker(2), 2, Command::Hold);
    send("T-4", &worker(2), 0, Command::Open);
    send("T-4", &worker(2), 3, Command::Resolve);
    send("T-5", &boss, 0, Command::Open);
    send("T-5", &boss, 4, Command::ResolveAndClose);
}

fn ids<T>(rows: &[T], key: impl Fn(&T) -> &CaseKey) -> Vec<String> {
    rows.iter().map(|r| key(r).id.to_string()).collect()
}

fn the_case_index_and_work_queue_answer_their_queries<R>(
    store: &dyn EventStore,
    tenant: TenantId,
    read: R,
) where
    R: ReadStore + CaseQueries,
    CaseIndex: Projection<R>,
    WorkQueue: Projection<R>,
{
    let journal = Journal::new(store, tenant.clone());
    five_tickets(&journal);
    let runner = Runner::new(store, tenant.clone(), read).with_page(3);
    let mut index = CaseIndex::new().with::<Ticket>();
    let mut queue = WorkQueue::new().with::<Ticket>();
    assert_eq!(runner.catch_up(&mut index).unwrap().events, 9);
    assert_eq!(runner.catch_up(&mut queue).unwrap().events, 9);
    let reads = runner.read_store();

    let desk1 = "desk-gw-1".parse().unwrap();
    let open = reads
        .open_cases_of(&tenant, &desk1, &Page::first(10))
        .unwrap();
    assert_eq!(ids(&open, |r| &r.key), ["T-1", "T-2"]);
    let paged = reads
        .open_cases_of(&tenant, &desk1, &Page::first(1))
        .unwrap();
    assert_eq!(ids(&paged, |r| &r.key), ["T-1"]);
    let next = reads
        .open_cases_of(&tenant, &desk1, &Page::after(paged[0].key.clone(), 1))
        .unwrap();
    assert_eq!(ids(&next, |r| &r.key), ["T-2"]);

    // Due 72 hours after opening: T-1 at t0+72h, T-2 at t0+73h.
    let at = t0() + Duration::hours(72) + Duration::minutes(30);
    assert_eq!(
        ids(
            &reads.due_before(&tenant, at, &Page::first(10)).unwrap(),
            |r| &r.key
        ),
        ["T-1"]
    );
    assert_eq!(
        ids(
            &reads
                .overdue_at(&tenant, Tier::Grid, at, &Page::first(10))
                .unwrap(),
            |r| &r.key
        ),
        ["T-1"]
    );
    assert!(
        reads
            .overdue_at(&tenant, Tier::Community, at, &Page::first(10))
            .unwrap()
            .is_empty()
    );

    let t5 = reads.case(&tenant, &key("T-5")).unwrap().unwrap();
    assert_eq!(t5.state, "Closed");
    assert_eq!(t5.closed, Some(t0() + Duration::hours(4)));
    assert_eq!(t5.version, 3);
    assert_eq!(t5.opened, t0());
    assert!(reads.case(&tenant, &key("T-9")).unwrap().is_none());

    let work = reads
        .work_of(&tenant, &"desk-gw-2".parse().unwrap(), &Page::first(10))
        .unwrap();
    assert_eq!(ids(&work, |w| &w.key), ["T-3"]);
    assert_eq!(work[0].action, "resume");
    let clerk = worker(1).acting_for(desk1.clone());
    assert_eq!(
        ids(
            &reads.work_for(&tenant, &clerk, &Page::first(10)).unwrap(),
            |w| &w.key
        ),
        ["T-1", "T-2"]
    );
    let supervisor = Actor::new("sup-2".parse().unwrap()).with_role(Role::Supervisor);
    let theirs = reads
        .work_for(&tenant, &supervisor, &Page::first(10))
        .unwrap();
    assert_eq!(ids(&theirs, |w| &w.key), ["T-4"]);
    assert_eq!(theirs[0].action, "close");
    // Another tenant sees nothing.
    let other = TenantId::new(format!("{tenant}-x")).unwrap();
    assert!(
        reads
            .work_for(&other, &supervisor, &Page::first(10))
            .unwrap()
            .is_empty()
    );
}

fn a_projection_resumes_from_its_checkpoint_and_rebuilds_the_same<R>(
    store: &dyn EventStore,
    tenant: TenantId,
    read: R,
) where
    R: ReadStore + CaseQueries,
    CaseIndex: Projection<R>,
    WorkQueue: Projection<R>,
{
    let journal = Journal::new(store, tenant.clone());
    five_tickets(&journal);
    let runner = Runner::new(store, tenant.clone(), read).with_page(2);
    let mut index = CaseIndex::new().with::<Ticket>();
    runner.catch_up(&mut index).unwrap();
    let at = runner.position(&index).unwrap();
    assert!(at > 0);
    assert_eq!(
        runner.catch_up(&mut index).unwrap().events,
        0,
        "nothing new"
    );

    let gw1 = worker(1);
    let later = Context::new(t0() + Duration::hours(5), &gw1);
    journal
        .handle(&Ticket, &"T-1".parse().unwrap(), &Command::Resolve, &later)
        .unwrap();
    // A fresh projection (a restarted process) resumes from the checkpoint.
    let mut restarted = CaseIndex::new().with::<Ticket>();
    let resumed = runner.catch_up(&mut restarted).unwrap();
    assert_eq!(resumed.events, 1);
    let t1 = runner
        .read_store()
        .case(&tenant, &key("T-1"))
        .unwrap()
        .unwrap();
    assert_eq!((t1.state.as_str(), t1.version), ("Resolved", 2));

    let before: Vec<_> = (1..=5)
        .map(|i| {
            runner
                .read_store()
                .case(&tenant, &key(&format!("T-{i}")))
                .unwrap()
        })
        .collect();
    let rebuilt = runner
        .rebuild(&mut CaseIndex::new().with::<Ticket>())
        .unwrap();
    assert_eq!(rebuilt.events, 10);
    let after: Vec<_> = (1..=5)
        .map(|i| {
            runner
                .read_store()
                .case(&tenant, &key(&format!("T-{i}")))
                .unwrap()
        })
        .collect();
    assert_eq!(before, after);
}

fn a_read_model_written_by_a_newer_schema_is_refused<R>(
    store: &dyn EventStore,
    tenant: TenantId,
    read: R,
) where
    R: ReadStore + CaseQueries,
    CaseIndex: Projection<R>,
    WorkQueue: Projection<R>,
{
    let journal = Journal::new(store, tenant.clone());
    five_tickets(&journal);
    let runner = Runner::new(store, tenant.clone(), read);
    let mut index = CaseIndex::new().with::<Ticket>();
    runner.catch_up(&mut index).unwrap();
    let newer = Checkpoint {
        position: 1,
        schema_version: CaseIndex::SCHEMA_VERSION + 1,
    };
    runner
        .read_store()
        .in_transaction(|tx| R::set_checkpoint(tx, CaseIndex::NAME, &tenant, newer))
        .unwrap();
    let refused = runner.catch_up(&mut index).unwrap_err();
    assert!(
        matches!(&refused, ProjectionError::SchemaTooNew { found, known, .. }
            if *found == CaseIndex::SCHEMA_VERSION + 1 && *known == CaseIndex::SCHEMA_VERSION),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("schema version 2"),
        "{refused}"
    );
    let query = runner.read_store().case(&tenant, &key("T-1")).unwrap_err();
    assert!(
        matches!(query, ProjectionError::SchemaTooNew { .. }),
        "{query:?}"
    );
    assert!(matches!(
        runner.rebuild(&mut index).unwrap_err(),
        ProjectionError::SchemaTooNew { .. }
    ));
    // The checkpoint was left as the newer version wrote it.
    let kept = runner
        .read_store()
        .in_transaction(|tx| R::checkpoint(tx, CaseIndex::NAME, &tenant))
        .unwrap();
    assert_eq!(kept, Some(newer));
}

fn an_older_read_model_is_rebuilt_from_zero<R>(store: &dyn EventStore, tenant: TenantId, read: R)
where
    R: ReadStore + CaseQueries,
    CaseIndex: Projection<R>,
    WorkQueue: Projection<R>,
{
    let journal = Journal::new(store, tenant.clone());
    five_tickets(&journal);
    let runner = Runner::new(store, tenant.clone(), read);
    let older = Checkpoint {
        position: 1_000_000,
        schema_version: 0,
    };
    runner
        .read_store()
        .in_transaction(|tx| R::set_checkpoint(tx, WorkQueue::NAME, &tenant, older))
        .unwrap();
    let done = runner
        .catch_up(&mut WorkQueue::new().with::<Ticket>())
        .unwrap();
    assert_eq!(done.events, 9, "applied from zero");
}

fn a_read_model_following_no_workflow_refuses_to_catch_up<R>(
    store: &dyn EventStore,
    tenant: TenantId,
    read: R,
) where
    R: ReadStore + CaseQueries,
    CaseIndex: Projection<R>,
    WorkQueue: Projection<R>,
{
    let journal = Journal::new(store, tenant.clone());
    five_tickets(&journal);
    let runner = Runner::new(store, tenant.clone(), read);
    // Nothing registered: refused, and the checkpoint does not move past
    // the events it never read.
    for err in [
        runner.catch_up(&mut CaseIndex::new()).unwrap_err(),
        runner.catch_up(&mut WorkQueue::new()).unwrap_err(),
    ] {
        assert!(
            matches!(err, ProjectionError::NothingFollowed { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("follows no workflow"), "{err}");
    }
    assert!(runner.rebuild(&mut CaseIndex::new()).is_err());
    // Registered afterwards, every case is read from the start.
    // (the five tickets' 9 events).
    let mut index = CaseIndex::new().with::<Ticket>();
    assert_eq!(runner.catch_up(&mut index).unwrap().events, 9);
    assert!(
        runner
            .read_store()
            .case(&tenant, &key("T-5"))
            .unwrap()
            .is_some()
    );
    let mut queue = WorkQueue::new().with::<Ticket>();
    assert_eq!(runner.catch_up(&mut queue).unwrap().events, 9);
}

macro_rules! read_models {
    ($($rule:ident),* $(,)?) => {
        mod memory {
            $(
                #[test]
                fn $rule() {
                    let store = crate::support::stores::memory();
                    let tenant = crate::support::stores::tenant(stringify!($rule));
                    super::$rule(&store, tenant, grassroots::journal::read::MemoryReadStore::new());
                }
            )*
        }

        #[cfg(feature = "sqlite")]
        mod sqlite {
            $(
                #[test]
                fn $rule() {
                    let (dir, store) = crate::support::stores::sqlite();
                    let tenant = crate::support::stores::tenant(stringify!($rule));
                    // The read models in the journal's own file.
                    let read = grassroots::journal::read::SqliteReadStore::open(dir.path().join("journal.db")).unwrap();
                    super::$rule(&store, tenant, read);
                }
            )*
        }

        #[cfg(feature = "postgres")]
        mod postgres {
            $(
                #[test]
                #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL")]
                fn $rule() {
                    let Some(store) = crate::support::stores::postgres() else { return };
                    let url = crate::support::stores::postgres_url().unwrap();
                    let read = grassroots::journal::read::PostgresReadStore::connect(&url).unwrap();
                    let tenant = crate::support::stores::tenant(stringify!($rule));
                    super::$rule(&store, tenant, read);
                }
            )*
        }
    };
}

read_models! {
    the_case_index_and_work_queue_answer_their_queries,
    a_projection_resumes_from_its_checkpoint_and_rebuilds_the_same,
    a_read_model_written_by_a_newer_schema_is_refused,
    an_older_read_model_is_rebuilt_from_zero,
    a_read_model_following_no_workflow_refuses_to_catch_up,
}

// ---------------------------------------------------------------------------
// Property: the read models equal a full replay of every case.
// ---------------------------------------------------------------------------

mod replay {
    use super::*;
    use grassroots::journal::read::MemoryReadStore;
    use proptest::prelude::*;

    fn command(n: u8) -> Command {
        match n % 8 {
            0 => Command::Open,
            1 => Command::Hold,
            2 => Command::Resume,
            3 => Command::Resolve,
            4 => Command::ResolveAndClose,
            5 => Command::Close,
            6 => Command::Cancel,
            _ => Command::Tick,
        }
    }

    fn actor(n: u8) -> Actor {
        match n % 4 {
            0 => worker(1),
            1 => worker(2),
            2 => Actor::new("sup-1".parse().unwrap())
                .with_role(Role::Supervisor)
                .with_role(Role::GridWorker)
                .with_role(Role::Party),
            _ => Actor::system(),
        }
    }

    /// Sends random commands to random cases (refusals are part of the
    /// history's shape: they record nothing), catching the read models up
    /// at random points, then compares every case with its replay.
    fn check<R>(
        steps: &[(u8, u8, u8, u16, bool)],
        (page, pages, ahead): (usize, usize, bool),
        cache: usize,
        read: R,
        store: &(dyn EventStore + Sync),
    ) where
        R: ReadStore + CaseQueries,
        CaseIndex: Projection<R>,
        WorkQueue: Projection<R>,
    {
        let tenant: TenantId = "prop".parse().unwrap();
        let journal = Journal::new(store, tenant.clone()).with_cache(4);
        // Batches of several pages, read ahead or not, give the same rows.
        let runner = Runner::new(store, tenant.clone(), read)
            .with_page(page)
            .with_batch(page * pages);
        let runner = if ahead {
            runner.with_read_ahead()
        } else {
            runner
        };
        // Trackers of any cache give the same rows: a case not kept is read
        // again from the journal. A fresh projection at some catch-ups
        // stands for a restart.
        let index = || CaseIndex::new().with::<Ticket>().with_cache(cache);
        let queue = || WorkQueue::new().with::<Ticket>().with_cache(cache);
        let (mut kept_index, mut kept_queue) = (index(), queue());
        let mut hours = 0i64;
        for &(case, cmd, who, minutes, catch_up) in steps {
            hours += i64::from(minutes);
            let ctx_actor = actor(who);
            let ctx = Context::new(t0() + Duration::minutes(hours), &ctx_actor);
            let id: CaseId = format!("T-{}", case % 6).parse().unwrap();
            let _ = journal.handle(&Ticket, &id, &command(cmd), &ctx);
            if catch_up {
                if minutes % 3 == 0 {
                    (kept_index, kept_queue) = (index(), queue());
                }
                runner.catch_up(&mut kept_index).unwrap();
                runner.catch_up(&mut kept_queue).unwrap();
            }
        }
        runner.catch_up(&mut kept_index).unwrap();
        runner.catch_up(&mut kept_queue).unwrap();
        let reads = runner.read_store();
        let mut expected_work = Vec::new();
        for id in journal.list::<Ticket>(None, 100).unwrap() {
            let case = journal.load::<Ticket>(&id).unwrap();
            let (row, item) = expected_rows(&case).unwrap();
            assert_eq!(reads.case(&tenant, &row.key).unwrap(), Some(row));
            expected_work.extend(item);
        }
        let everyone = Actor::new("all".parse().unwrap())
            .with_role(Role::GridWorker)
            .with_role(Role::Supervisor);
        let mut found = Vec::new();
        for desk in ["desk-gw-1", "desk-gw-2", "desk-sup-1"] {
            found.extend(
                reads
                    .work_of(&tenant, &desk.parse().unwrap(), &Page::first(100))
                    .unwrap(),
            );
        }
        found.extend(
            reads
                .work_for(&tenant, &everyone, &Page::first(100))
                .unwrap(),
        );
        found.sort_by(|a, b| a.key.cmp(&b.key));
        found.dedup();
        expected_work.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(found, expected_work);
    }

    fn steps() -> impl Strategy<Value = Vec<(u8, u8, u8, u16, bool)>> {
        prop::collection::vec(
            (
                any::<u8>(),
                any::<u8>(),
                any::<u8>(),
                0u16..3000,
                prop::bool::weighted(0.1),
            ),
            1..80,
        )
    }

    /// Events per page, pages per batch, and whether they are read ahead.
    fn paging() -> impl Strategy<Value = (usize, usize, bool)> {
        (1usize..7, 1usize..4, any::<bool>())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn the_read_models_equal_a_full_replay_in_memory(steps in steps(), paging in paging(), cache in 0usize..4) {
            let store = crate::support::stores::memory();
            check(&steps, paging, cache, MemoryReadStore::new(), &store);
        }

        #[cfg(feature = "sqlite")]
        #[test]
        fn the_read_models_equal_a_full_replay_on_sqlite(steps in steps(), paging in paging(), cache in 0usize..4) {
            let (dir, store) = crate::support::stores::sqlite();
            let read = grassroots::journal::read::SqliteReadStore::open(dir.path().join("read.db")).unwrap();
            check(&steps, paging, cache, read, &store);
        }
    }
}

/// A projection that fails on its `fail_at`-th event, counting what the
/// runner tells it.
#[derive(Default)]
struct Flaky {
    seen: usize,
    fail_at: usize,
    discarded: usize,
    flushed: usize,
}

impl Projection<grassroots::journal::read::MemoryReadStore> for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }
    fn schema_version(&self) -> u32 {
        1
    }
    fn setup(
        &mut self,
        _: &mut <grassroots::journal::read::MemoryReadStore as ReadStore>::Tx<'_>,
    ) -> Result<(), ProjectionError> {
        Ok(())
    }
    fn apply(
        &mut self,
        _: &mut <grassroots::journal::read::MemoryReadStore as ReadStore>::Tx<'_>,
        _: &grassroots::journal::StoredEvent,
        _: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        self.seen += 1;
        if self.seen == self.fail_at {
            return Err(ProjectionError::Corrupt {
                table: "flaky",
                column: "seen",
            });
        }
        Ok(())
    }
    fn flush(
        &mut self,
        _: &mut <grassroots::journal::read::MemoryReadStore as ReadStore>::Tx<'_>,
    ) -> Result<(), ProjectionError> {
        self.flushed += 1;
        Ok(())
    }
    fn discard(&mut self) {
        self.discarded += 1;
    }
    fn clear(
        &mut self,
        _: &mut <grassroots::journal::read::MemoryReadStore as ReadStore>::Tx<'_>,
        _: &TenantId,
    ) -> Result<(), ProjectionError> {
        Ok(())
    }
}

#[test]
fn a_page_that_fails_is_discarded_and_its_checkpoint_stays() {
    let store = support::stores::memory();
    let tenant = support::stores::tenant("flaky");
    five_tickets(&Journal::new(&store as &dyn EventStore, tenant.clone()));
    let runner = Runner::new(
        &store as &dyn EventStore,
        tenant,
        grassroots::journal::read::MemoryReadStore::new(),
    )
    .with_page(4);
    let mut flaky = Flaky {
        fail_at: 6,
        ..Flaky::default()
    };
    assert!(runner.catch_up(&mut flaky).is_err());
    assert_eq!((flaky.flushed, flaky.discarded), (1, 1));
    assert_eq!(runner.position(&flaky).unwrap(), 4, "the first page only");
    // Again: the failed page is read from its start.
    let done = runner.catch_up(&mut flaky).unwrap();
    assert_eq!(done.events, 5);
    assert_eq!(flaky.seen, 6 + 5);
}

/// A batch of pages is one transaction: nine events read two at a time,
/// six to a batch, are committed twice (six, then the three left); an
/// event that fails in the batch's third page rolls the whole batch back,
/// and the next catch-up reads it again from the batch's start.
#[test]
fn a_batch_of_pages_commits_once_and_fails_whole() {
    let store = support::stores::memory();
    let tenant = support::stores::tenant("batched");
    five_tickets(&Journal::new(&store as &dyn EventStore, tenant.clone()));
    // The same with the pages read ahead on another thread: the same
    // pages, transactions and rollback.
    for ahead in [false, true] {
        let runner = |batch: usize| {
            let runner = Runner::new(
                &store,
                tenant.clone(),
                grassroots::journal::read::MemoryReadStore::new(),
            )
            .with_page(2)
            .with_batch(batch);
            if ahead {
                runner.with_read_ahead()
            } else {
                runner
            }
        };

        let whole = runner(6);
        let mut counted = Flaky::default();
        let done = whole.catch_up(&mut counted).unwrap();
        assert_eq!((done.events, done.position), (9, 9), "ahead: {ahead}");
        assert_eq!((counted.seen, counted.flushed), (9, 2), "two transactions");
        // Caught up: nothing read into a transaction, nothing flushed.
        assert_eq!(whole.catch_up(&mut counted).unwrap().events, 0);
        assert_eq!(counted.flushed, 2);

        let failing = runner(6);
        let mut flaky = Flaky {
            fail_at: 5,
            ..Flaky::default()
        };
        assert!(failing.catch_up(&mut flaky).is_err());
        assert_eq!((flaky.flushed, flaky.discarded), (0, 1));
        assert_eq!(
            failing.position(&flaky).unwrap(),
            0,
            "the batch rolled back"
        );
        let done = failing.catch_up(&mut flaky).unwrap();
        assert_eq!((done.events, done.position), (9, 9));
        assert_eq!(flaky.seen, 5 + 9);

        // One batch of everything: pages 2 to 5 read ahead.
        let mut counted = Flaky::default();
        let done = runner(100).catch_up(&mut counted).unwrap();
        assert_eq!((done.events, counted.flushed), (9, 1));
    }

    // `with_page` alone: one page a transaction.
    let paged = Runner::new(
        &store as &dyn EventStore,
        tenant.clone(),
        grassroots::journal::read::MemoryReadStore::new(),
    )
    .with_page(2);
    let mut counted = Flaky::default();
    paged.catch_up(&mut counted).unwrap();
    assert_eq!(counted.flushed, 5);
}

/// A journal whose feed reads go through `hook` after the read: it may
/// act (another runner catching up) or fail the read.
struct FeedHook<'a> {
    inner: &'a (dyn EventStore + Sync),
    hook: Box<dyn Fn() -> Result<(), grassroots::journal::JournalError> + Sync + 'a>,
}

/// A feed page read through a [`FeedHook`].
type Feed<E> = Result<grassroots::journal::FeedPage<E>, grassroots::journal::JournalError>;

impl FeedHook<'_> {
    fn after<E>(&self, page: Feed<E>) -> Feed<E> {
        let page = page?;
        (self.hook)()?;
        Ok(page)
    }
}

impl EventStore for FeedHook<'_> {
    fn append_with_due(
        &self,
        stream: &grassroots::journal::StreamKey,
        expected_version: u64,
        events: &[grassroots::journal::NewEvent],
        due: grassroots::journal::DueUpdate,
    ) -> Result<grassroots::journal::Appended, grassroots::journal::JournalError> {
        self.inner
            .append_with_due(stream, expected_version, events, due)
    }
    fn due(
        &self,
        query: &grassroots::journal::DueQuery,
    ) -> Result<Vec<grassroots::journal::DueEntry>, grassroots::journal::JournalError> {
        self.inner.due(query)
    }
    fn claim_due(
        &self,
        query: &grassroots::journal::DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<grassroots::journal::DueEntry>, grassroots::journal::JournalError> {
        self.inner.claim_due(query, lease)
    }
    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &grassroots::journal::StreamType,
        entries: &[grassroots::journal::DueEntry],
    ) -> Result<(), grassroots::journal::JournalError> {
        self.inner.replace_due(tenant, stream_type, entries)
    }
    fn read_stream(
        &self,
        stream: &grassroots::journal::StreamKey,
        after: u64,
    ) -> Result<Vec<grassroots::journal::StoredEvent>, grassroots::journal::JournalError> {
        self.inner.read_stream(stream, after)
    }
    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Feed<grassroots::journal::StoredEvent> {
        self.after(self.inner.read_feed(tenant, after, limit))
    }
    fn read_feed_rows(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Feed<grassroots::journal::FeedRow> {
        self.after(self.inner.read_feed_rows(tenant, after, limit))
    }
    fn stream_version(
        &self,
        stream: &grassroots::journal::StreamKey,
    ) -> Result<u64, grassroots::journal::JournalError> {
        self.inner.stream_version(stream)
    }
    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &grassroots::journal::StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, grassroots::journal::JournalError> {
        self.inner.list_streams(tenant, stream_type, after, limit)
    }
}

/// A page read ahead fails: the batch fails whole (nothing committed, the
/// projection told to discard), the error is the journal's, and the next
/// catch-up applies everything once.
#[test]
fn a_page_read_ahead_that_fails_fails_its_batch_and_nothing_is_applied() {
    let store = support::stores::memory();
    let tenant = support::stores::tenant("read-ahead");
    five_tickets(&Journal::new(&store as &dyn EventStore, tenant.clone()));
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let readers = std::sync::Mutex::new(Vec::new());
    let failing = FeedHook {
        inner: &store,
        hook: Box::new(|| {
            readers.lock().unwrap().push(std::thread::current().id());
            // The third read: the second page read ahead.
            if reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 2 {
                Err(grassroots::journal::JournalError::Corrupt {
                    position: 5,
                    column: "payload",
                })
            } else {
                Ok(())
            }
        }),
    };
    let runner = Runner::new(
        &failing,
        tenant.clone(),
        grassroots::journal::read::MemoryReadStore::new(),
    )
    .with_page(2)
    .with_batch(100)
    .with_read_ahead();
    let mut counted = Flaky::default();
    let err = runner.catch_up(&mut counted).unwrap_err();
    assert!(
        matches!(
            &err,
            ProjectionError::Journal(e)
                if matches!(**e, grassroots::journal::JournalError::Corrupt { position: 5, .. })
        ),
        "{err:?}"
    );
    assert_eq!((counted.flushed, counted.discarded), (0, 1));
    assert_eq!(runner.position(&counted).unwrap(), 0);
    assert!(counted.seen <= 4, "at most the two pages before it");
    let here = std::thread::current().id();
    let readers = std::mem::take(&mut *readers.lock().unwrap());
    assert_eq!(readers.len(), 3);
    assert_eq!(
        readers[0], here,
        "the first page is read before the transaction"
    );
    assert!(
        readers[1..].iter().all(|&t| t != here),
        "the pages after it are read ahead on another thread"
    );

    let done = runner.catch_up(&mut counted).unwrap();
    assert_eq!((done.events, done.position), (9, 9));
    assert_eq!(counted.flushed, 1);
}

/// The checkpoint moves between a runner's first read and its
/// transaction (another runner caught the same projection up): the
/// runner applies nothing, counts nothing, and goes on from where the
/// checkpoint stands.
#[cfg(feature = "sqlite")]
#[test]
fn a_runner_whose_checkpoint_another_moved_goes_on_from_there() {
    let store = support::stores::memory();
    let tenant = support::stores::tenant("interloped");
    five_tickets(&Journal::new(&store as &dyn EventStore, tenant.clone()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read.db");
    // At the first feed read, another runner catches the same projection
    // up in the same read-store file: the checkpoint moves between the
    // first runner's read and its transaction.
    let done = std::sync::atomic::AtomicBool::new(false);
    let interloper = FeedHook {
        inner: &store,
        hook: Box::new(|| {
            if !done.swap(true, std::sync::atomic::Ordering::SeqCst) {
                let read = grassroots::journal::read::SqliteReadStore::open(&path).unwrap();
                Runner::new(&store, tenant.clone(), read)
                    .catch_up(&mut CaseIndex::new().with::<Ticket>())
                    .unwrap();
            }
            Ok(())
        }),
    };
    let read = grassroots::journal::read::SqliteReadStore::open(&path).unwrap();
    let runner = Runner::new(&interloper as &dyn EventStore, tenant.clone(), read);
    let mut index = CaseIndex::new().with::<Ticket>();
    let done = runner.catch_up(&mut index).unwrap();
    assert_eq!(
        (done.events, done.position),
        (0, 9),
        "the other runner's work"
    );
    assert_eq!(runner.position(&index).unwrap(), 9);
    let t5 = runner.read_store().case(&tenant, &key("T-5")).unwrap();
    assert!(t5.is_some_and(|row| !row.is_open()));
}
