//! A writer killed mid-append (SIGKILL, no chance to clean up) leaves every
//! stream whole: each batch is recorded entirely or not at all, the hash
//! chain and the anchor agree, the tenant's feed reads, and the next writer
//! continues from where the last committed append left the stream.
//!
//! The test runs its own binary again as the writer (the `crash_writer`
//! test, which does nothing unless `GRASSROOTS_CRASH_WRITER` is set), kills
//! it after a moment, and checks the store — three times over, on SQLite and
//! on PostgreSQL (when `GRASSROOTS_POSTGRES_URL` is set), and on the async
//! PostgreSQL store (feature `tokio`).

#![cfg(any(feature = "sqlite", feature = "postgres"))]

mod support {
    pub mod stores;
}

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{self, EventStore, JournalError, NewEvent, StreamKey};
use serde_json::json;

const WRITER: &str = "GRASSROOTS_CRASH_WRITER";
const TENANT: &str = "GRASSROOTS_CRASH_TENANT";
const STREAMS: u64 = 4;

fn stream(tenant: &TenantId, n: u64) -> StreamKey {
    StreamKey::new(
        tenant.clone(),
        "ticket".parse().unwrap(),
        format!("T-{n}").parse().unwrap(),
    )
}

/// Appends batches of 1 to 40 events to the streams, round and round, until
/// killed.
fn write_forever(store: &dyn EventStore, tenant: &TenantId) -> ! {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut round = 0u64;
    loop {
        round += 1;
        for n in 0..STREAMS {
            let key = stream(tenant, n);
            let version = store.stream_version(&key).unwrap();
            let size = 1 + (round * 7 + n * 13) % 40;
            let batch: Vec<NewEvent> = (1..=size)
                .map(|i| {
                    NewEvent::new(
                        format!("{}-{}", key.id, version + i).parse().unwrap(),
                        "Noted",
                        json!({"Noted": {"round": round, "i": i, "note": "网格员".repeat(50)}}),
                        "gw-7".parse().unwrap(),
                        at,
                    )
                })
                .collect();
            match store.append(&key, version, &batch) {
                Ok(_) | Err(JournalError::VersionConflict { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }
}

/// The writer, run as a child process by the tests below.
#[test]
fn crash_writer() {
    let Ok(target) = std::env::var(WRITER) else {
        return;
    };
    let tenant: TenantId = std::env::var(TENANT).unwrap().parse().unwrap();
    #[cfg(feature = "postgres")]
    if let Some(url) = target.strip_prefix("postgres:") {
        let store = grassroots::journal::PostgresStore::connect(url).unwrap();
        write_forever(&store, &tenant);
    }
    #[cfg(all(feature = "tokio", feature = "postgres"))]
    if let Some(url) = target.strip_prefix("async-postgres:") {
        let runtime = support::stores::runtime();
        let store = runtime
            .block_on(grassroots::journal::AsyncPostgresStore::connect(url))
            .unwrap();
        let store = support::stores::BlockingStore::new(store, runtime);
        write_forever(&store, &tenant);
    }
    #[cfg(feature = "sqlite")]
    if let Some(path) = target.strip_prefix("sqlite:") {
        let store = grassroots::journal::SqliteStore::open(path).unwrap();
        write_forever(&store, &tenant);
    }
    panic!("unknown writer target {target}");
}

fn spawn_writer(target: &str, tenant: &TenantId) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_writer", "--nocapture", "--test-threads=1"])
        .env(WRITER, target)
        .env(TENANT, tenant.as_str())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Events recorded in the tenant so far.
fn recorded(store: &dyn EventStore, tenant: &TenantId) -> u64 {
    (0..STREAMS)
        .map(|n| store.stream_version(&stream(tenant, n)).unwrap())
        .sum()
}

/// Kills a writer three times, each time once it has recorded more, and
/// checks the store after each kill, once `settled` has returned: on
/// PostgreSQL the killed writer's server session may still be finishing a
/// `COMMIT` it sent before it died (an append it never saw acknowledged is
/// recorded whole or not at all), so the check waits for that session to
/// end rather than read the feed and the streams while a commit lands
/// between them.
fn killed_writers_leave_every_stream_whole(
    store: &dyn EventStore,
    target: &str,
    tenant: &TenantId,
    settled: &dyn Fn(),
) {
    for _ in 0..3 {
        let before = recorded(store, tenant);
        let mut child = spawn_writer(target, tenant);
        let start = Instant::now();
        while recorded(store, tenant) < before + 200 && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGKILL on Unix: no destructor, no rollback by the writer.
        child.kill().unwrap();
        child.wait().unwrap();
        settled();
        assert!(
            recorded(store, tenant) > before,
            "the writer recorded nothing"
        );

        let page = store.read_feed(tenant, 0, 1_000_000).unwrap();
        assert!(page.skipped.is_empty(), "{:?}", page.skipped);
        let mut total = 0;
        for n in 0..STREAMS {
            let key = stream(tenant, n);
            let verified = journal::verify_anchored(store, &key).unwrap();
            let anchor = store.anchor(&key).unwrap().unwrap();
            assert_eq!(
                (anchor.version, anchor.hash),
                (verified.version, verified.head)
            );
            // Whole batches only: every batch's last event id names the
            // version the stream reached with it.
            let rows = store.read_stream(&key, 0).unwrap();
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row.event_id.as_str(), format!("{}-{}", key.id, i + 1));
            }
            total += verified.version;
        }
        assert_eq!(total, page.events.len() as u64);
    }
    // The next writer continues every stream.
    for n in 0..STREAMS {
        let key = stream(tenant, n);
        let version = store.stream_version(&key).unwrap();
        let next = NewEvent::new(
            format!("{}-{}", key.id, version + 1).parse().unwrap(),
            "Noted",
            json!("after the crash"),
            "gw-7".parse().unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap(),
        );
        store.append(&key, version, &[next]).unwrap();
        journal::verify_anchored(store, &key).unwrap();
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn a_sqlite_writer_killed_mid_append_leaves_every_stream_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let store = grassroots::journal::SqliteStore::open(&path).unwrap();
    let tenant = support::stores::tenant("crash");
    let target = format!("sqlite:{}", path.display());
    killed_writers_leave_every_stream_whole(&store, &target, &tenant, &|| {});
}

#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn a_postgres_writer_killed_mid_append_leaves_every_stream_whole() {
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let store = grassroots::journal::PostgresStore::connect(&url).unwrap();
    let tenant = support::stores::tenant("crash");
    let name = format!("gr-crash-sync-{}", std::process::id());
    let target = format!("postgres:{}", with_application_name(&url, &name));
    killed_writers_leave_every_stream_whole(&store, &target, &tenant, &|| {
        sessions_ended(&url, &name)
    });
}

/// The async PostgreSQL store (feature `tokio`): a writer on it killed
/// mid-append leaves every stream whole, as the sync store's does; the
/// store is checked through the async store itself.
#[cfg(all(feature = "tokio", feature = "postgres"))]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn an_async_postgres_writer_killed_mid_append_leaves_every_stream_whole() {
    let Some(url) = support::stores::postgres_url() else {
        return;
    };
    let runtime = support::stores::runtime();
    let store = runtime
        .block_on(grassroots::journal::AsyncPostgresStore::connect(&url))
        .unwrap();
    let store = support::stores::BlockingStore::new(store, runtime);
    let tenant = support::stores::tenant("async-crash");
    let name = format!("gr-crash-async-{}", std::process::id());
    let target = format!("async-postgres:{}", with_application_name(&url, &name));
    killed_writers_leave_every_stream_whole(&store, &target, &tenant, &|| {
        sessions_ended(&url, &name)
    });
}

/// `url` with the writer's sessions named `name` on the server (key-value
/// or URI form of a libpq connection string).
#[cfg(feature = "postgres")]
fn with_application_name(url: &str, name: &str) -> String {
    if url.contains("://") {
        let joiner = if url.contains('?') { '&' } else { '?' };
        format!("{url}{joiner}application_name={name}")
    } else {
        format!("{url} application_name={name}")
    }
}

/// Waits until the server has no session named `name` left: a killed
/// writer's backend ends once it has finished what it was running.
#[cfg(feature = "postgres")]
fn sessions_ended(url: &str, name: &str) {
    let mut admin = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
    let start = Instant::now();
    loop {
        let row = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
            .unwrap();
        if row.get::<_, i64>(0) == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the killed writer's session {name} is still on the server after 60 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
