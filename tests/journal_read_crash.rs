//! A projection killed at a random point (SIGKILL, no chance to clean up)
//! and restarted ends equal to one that ran without interruption: each
//! page's rows and checkpoint commit together, so no event is applied twice
//! or skipped.
//!
//! The test runs its own binary again as the projector (the `projector`
//! test, which does nothing unless `GRASSROOTS_PROJECTOR` is set), kills it
//! once the checkpoint has moved a random number of events, restarts it,
//! and at the end compares every row with an uninterrupted run — on SQLite
//! and on PostgreSQL (when `GRASSROOTS_POSTGRES_URL` is set).

#![cfg(any(feature = "sqlite", feature = "postgres"))]

mod support {
    pub mod stores;
    pub mod ticket;
}

use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration as Wait, Instant};

use chrono::{Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::TenantId;
use grassroots::journal::read::{
    CaseIndex, CaseQueries, MemoryReadStore, Page, Projection, ReadStore, Runner, WorkQueue,
};
use grassroots::journal::{EventStore, Journal};
use grassroots::workflow::Context;
use support::ticket::{Command, Ticket};

const PROJECTOR: &str = "GRASSROOTS_PROJECTOR";
const TENANT: &str = "GRASSROOTS_PROJECTOR_TENANT";
const CASES: u32 = 150;
const PAGE: usize = 2;

/// Tickets opened, held, resumed, resolved and closed, in an interleaved
/// order: about 700 events.
fn populate(store: &dyn EventStore, tenant: &TenantId) {
    let journal = Journal::new(store, tenant.clone());
    let boss = Actor::new("sup-1".parse().unwrap())
        .with_role(Role::Supervisor)
        .with_role(Role::GridWorker);
    let steps = [
        Command::Open,
        Command::Hold,
        Command::Resume,
        Command::Resolve,
        Command::Close,
    ];
    for (round, command) in steps.iter().enumerate() {
        for n in 0..CASES {
            if (n as usize + round) % 7 == 0 && round > 0 {
                continue; // some cases stop early
            }
            let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
                + Duration::hours(round as i64 * 10 + i64::from(n % 5));
            let ctx = Context::new(at, &boss);
            let id = format!("T-{n:03}").parse().unwrap();
            let _ = journal.handle(&Ticket, &id, command, &ctx);
        }
    }
}

fn catch_up_both<S, R>(runner: &Runner<S, R>)
where
    S: EventStore,
    R: ReadStore,
    CaseIndex: Projection<R>,
    WorkQueue: Projection<R>,
{
    runner
        .catch_up(&mut CaseIndex::new().with::<Ticket>())
        .unwrap();
    runner
        .catch_up(&mut WorkQueue::new().with::<Ticket>())
        .unwrap();
}

/// The projector, run as a child process by the tests below.
#[test]
fn projector() {
    let Ok(target) = std::env::var(PROJECTOR) else {
        return;
    };
    let tenant: TenantId = std::env::var(TENANT).unwrap().parse().unwrap();
    #[cfg(feature = "postgres")]
    if let Some(url) = target.strip_prefix("postgres:") {
        let store = grassroots::journal::PostgresStore::connect(url).unwrap();
        let read = grassroots::journal::read::PostgresReadStore::connect(url).unwrap();
        let runner = Runner::new(&store as &dyn EventStore, tenant, read).with_page(PAGE);
        catch_up_both(&runner);
        return;
    }
    #[cfg(feature = "sqlite")]
    if let Some(path) = target.strip_prefix("sqlite:") {
        let store = grassroots::journal::SqliteStore::open(path).unwrap();
        let read = grassroots::journal::read::SqliteReadStore::open(path).unwrap();
        let runner = Runner::new(&store as &dyn EventStore, tenant, read).with_page(PAGE);
        catch_up_both(&runner);
        return;
    }
    panic!("unknown projector target {target}");
}

fn spawn(target: &str, tenant: &TenantId) -> Child {
    Process::new(std::env::current_exe().unwrap())
        .args(["--exact", "projector", "--nocapture", "--test-threads=1"])
        .env(PROJECTOR, target)
        .env(TENANT, tenant.as_str())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// A small generator, seeded from the clock: where to kill.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

fn killed_projectors_end_equal_to_an_uninterrupted_one<R>(
    store: &dyn EventStore,
    read: R,
    target: &str,
    tenant: &TenantId,
) where
    R: ReadStore + CaseQueries,
    CaseIndex: Projection<R>,
    WorkQueue: Projection<R>,
{
    populate(store, tenant);
    let end = store.read_feed(tenant, 0, 1_000_000).unwrap().next_after;
    let runner = Runner::new(store, tenant.clone(), read).with_page(PAGE);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("kill seed {seed}");
    let mut rng = Lcg(seed);
    let index = CaseIndex::new().with::<Ticket>();
    let queue = WorkQueue::new().with::<Ticket>();
    let mut kills_mid_run = 0;
    for _ in 0..6 {
        let before = runner.position(&index).unwrap() + runner.position(&queue).unwrap();
        if before >= 2 * end {
            break;
        }
        let wait_for = before + 1 + rng.next(120);
        let mut child = spawn(target, tenant);
        let start = Instant::now();
        loop {
            let at = runner.position(&index).unwrap() + runner.position(&queue).unwrap();
            if at >= wait_for || start.elapsed() > Wait::from_secs(30) {
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Wait::from_micros(200 + rng.next(2000)));
        }
        // SIGKILL on Unix: no destructor, no rollback by the projector.
        child.kill().unwrap();
        child.wait().unwrap();
        let after = runner.position(&index).unwrap() + runner.position(&queue).unwrap();
        if after > before && after < 2 * end {
            kills_mid_run += 1;
        }
    }
    assert!(kills_mid_run > 0, "no projector was killed mid-run");
    // The last restart finishes the job.
    let mut child = spawn(target, tenant);
    assert!(child.wait().unwrap().success());
    assert_eq!(runner.position(&index).unwrap(), end);
    assert_eq!(runner.position(&queue).unwrap(), end);

    // An uninterrupted run.
    let calm = Runner::new(store, tenant.clone(), MemoryReadStore::new()).with_page(PAGE);
    catch_up_both::<_, MemoryReadStore>(&calm);
    let journal = Journal::new(store, tenant.clone());
    let mut compared = 0;
    let mut after = None;
    loop {
        let ids = journal.list::<Ticket>(after.as_ref(), 100).unwrap();
        let Some(last) = ids.last().cloned() else {
            break;
        };
        for id in ids {
            let key = grassroots::journal::read::CaseKey {
                stream_type: "ticket".parse().unwrap(),
                id,
            };
            let killed = runner.read_store().case(tenant, &key).unwrap();
            assert!(killed.is_some());
            assert_eq!(killed, calm.read_store().case(tenant, &key).unwrap());
            compared += 1;
        }
        after = Some(last);
    }
    assert_eq!(compared, CASES);
    let everyone = Actor::new("all".parse().unwrap())
        .with_role(Role::GridWorker)
        .with_role(Role::Supervisor);
    let mut page = Page::first(1000);
    let killed = runner
        .read_store()
        .work_for(tenant, &everyone, &page)
        .unwrap();
    let uninterrupted = calm
        .read_store()
        .work_for(tenant, &everyone, &page)
        .unwrap();
    assert!(!killed.is_empty());
    assert_eq!(killed, uninterrupted);
    page.limit = 10;
    let body = "desk-sup-1".parse().unwrap();
    assert_eq!(
        runner
            .read_store()
            .open_cases_of(tenant, &body, &page)
            .unwrap(),
        calm.read_store()
            .open_cases_of(tenant, &body, &page)
            .unwrap()
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn a_sqlite_projection_killed_and_restarted_ends_equal_to_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let store = grassroots::journal::SqliteStore::open(&path).unwrap();
    let read = grassroots::journal::read::SqliteReadStore::open(&path).unwrap();
    let tenant = support::stores::tenant("read-crash");
    let target = format!("sqlite:{}", path.display());
    killed_projectors_end_equal_to_an_uninterrupted_one(&store, read, &target, &tenant);
}

#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn a_postgres_projection_killed_and_restarted_ends_equal_to_an_uninterrupted_one() {
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let store = grassroots::journal::PostgresStore::connect(&url).unwrap();
    let read = grassroots::journal::read::PostgresReadStore::connect(&url).unwrap();
    let tenant = support::stores::tenant("read-crash");
    killed_projectors_end_equal_to_an_uninterrupted_one(
        &store,
        read,
        &format!("postgres:{url}"),
        &tenant,
    );
}
