//! The stores' pools: SQLite's readers read while its writer writes (and
//! see committed rows only), eight threads sharing one store lose and
//! double nothing, the pool sizes asked for are the ones used, and a
//! PostgreSQL URL that requires TLS from a server without it is a typed
//! error.

#![cfg(any(feature = "sqlite", feature = "postgres"))]

mod support {
    pub mod stores;
    pub mod tally;
}

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use chrono::{TimeZone, Utc};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{self, EventStore, NewEvent, StreamKey};
use grassroots::workflow::{Case, Context};
use support::tally::{Add, Event, Tally, clerk};

const THREADS: usize = 8;
const COMMANDS: usize = 25;

fn event(id: &str, n: u64) -> NewEvent {
    NewEvent::new(
        id.parse().unwrap(),
        "Noted",
        serde_json::json!({ "n": n }),
        "clerk-li".parse().unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    )
}

/// `THREADS` threads share `store`, each handling `COMMANDS` commands on a
/// case of its own while reading the other cases: every case ends with its
/// own commands, once each, and the tenant's log holds each event once.
fn threads_with_a_case_each_lose_and_double_nothing<S>(tenant: TenantId, store: Arc<S>)
where
    S: EventStore + Send + Sync + 'static,
{
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let cases: Vec<CaseId> = (0..THREADS)
        .map(|i| format!("own-{i}").parse().unwrap())
        .collect();
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|scope| {
        for (thread, case) in cases.iter().enumerate() {
            let (store, tenant, barrier, cases) = (&store, &tenant, &barrier, &cases);
            scope.spawn(move || {
                let actor = clerk(&format!("clerk-{thread}"));
                let ctx = Context::new(at, &actor);
                barrier.wait();
                for n in 0..COMMANDS {
                    let add = Add {
                        token: format!("t{thread}-{n}"),
                        amount: n as u64 + 1,
                    };
                    // No other writer touches this case: no retry is needed.
                    let done =
                        journal::execute(&**store, tenant, &Tally, case, &add, &ctx, 0).unwrap();
                    assert_eq!(done.events().len(), 1);
                    // Read a neighbour's case meanwhile: its history is whole.
                    let other = &cases[(thread + 1) % THREADS];
                    let key = StreamKey::of::<Tally>(tenant.clone(), other.clone()).unwrap();
                    let rows = store.read_stream(&key, 0).unwrap();
                    assert!(
                        rows.iter()
                            .enumerate()
                            .all(|(i, r)| r.version == i as u64 + 1)
                    );
                    // Its writer may have appended since.
                    assert!(store.stream_version(&key).unwrap() >= rows.len() as u64);
                }
            });
        }
    });
    let mut tokens = BTreeSet::new();
    for (thread, case_id) in cases.iter().enumerate() {
        let case = journal::load::<Tally, _>(&*store, &tenant, case_id).unwrap();
        assert_eq!(case.version() as usize, COMMANDS, "case {case_id}");
        let replayed = Case::<Tally>::replay(case_id.clone(), case.history().to_vec()).unwrap();
        assert_eq!(replayed, case);
        for recorded in case.history() {
            let Event::Added { token, .. } = &recorded.event;
            assert!(
                token.starts_with(&format!("t{thread}-")),
                "{token} in {case_id}"
            );
            assert!(tokens.insert(token.clone()), "token {token} stored twice");
        }
        let key = StreamKey::of::<Tally>(tenant.clone(), case_id.clone()).unwrap();
        journal::verify_stream(&*store, &key).unwrap();
    }
    assert_eq!(tokens.len(), THREADS * COMMANDS);
    let all = store.read_all(&tenant, 0, 100_000).unwrap();
    assert_eq!(all.len(), THREADS * COMMANDS);
    assert!(all.windows(2).all(|w| w[0].position < w[1].position));
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use grassroots::journal::{DueQuery, DueUpdate, SqliteOptions, SqliteStore};

    use super::*;

    fn options() -> SqliteOptions {
        SqliteOptions::new().clock(support::stores::clock())
    }

    #[test]
    fn eight_threads_sharing_one_sqlite_store_lose_and_double_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_with(dir.path().join("journal.db"), options()).unwrap();
        assert_eq!(store.readers(), 4);
        threads_with_a_case_each_lose_and_double_nothing(
            support::stores::tenant("pool"),
            Arc::new(store),
        );
    }

    #[test]
    fn eight_threads_sharing_a_store_without_readers_lose_and_double_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            SqliteStore::open_with(dir.path().join("journal.db"), options().readers(0)).unwrap();
        assert_eq!(store.readers(), 0);
        threads_with_a_case_each_lose_and_double_nothing(
            support::stores::tenant("pool"),
            Arc::new(store),
        );
    }

    #[test]
    fn an_in_memory_store_serves_reads_from_its_one_connection() {
        let store = SqliteStore::open_in_memory().unwrap();
        assert_eq!(store.readers(), 0);
        threads_with_a_case_each_lose_and_double_nothing(
            support::stores::tenant("pool"),
            Arc::new(store),
        );
    }

    /// Readers are not blocked by a writer: another connection holds the
    /// write lock with an uncommitted row, the store's own append waits for
    /// it (holding the store's writer), and meanwhile eight threads read
    /// through the store — every read returns, and none sees the
    /// uncommitted row. With one connection for reads and writes, the reads
    /// would wait behind the append until its busy timeout ran out.
    #[test]
    fn readers_read_committed_rows_while_a_writer_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let store = Arc::new(
            SqliteStore::open_with(&path, options().busy_timeout(Duration::from_secs(60))).unwrap(),
        );
        let tenant = support::stores::tenant("readers");
        let key = StreamKey::new(
            tenant.clone(),
            "notes".parse().unwrap(),
            "N-1".parse().unwrap(),
        );
        let due_at = Utc.with_ymd_and_hms(2026, 3, 9, 9, 0, 0).unwrap();
        store
            .append_with_due(
                &key,
                0,
                &[event("e-1", 1), event("e-2", 2)],
                DueUpdate::At(due_at),
            )
            .unwrap();
        let committed = store.read_stream(&key, 0).unwrap();

        // Another connection takes the write lock and leaves a row
        // uncommitted.
        let other = rusqlite::Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        other
            .execute(
                "INSERT INTO journal_events (tenant, stream_key, version, event_id,
                     event_type, schema_version, payload, actor, correlation, occurred_at,
                     recorded_at, hash)
                 SELECT tenant, stream_key, 3, 'uncommitted', event_type,
                     schema_version, payload, actor, correlation, occurred_at, recorded_at, hash
                 FROM journal_events WHERE event_id = 'e-2'",
                [],
            )
            .unwrap();

        // The store's own append now waits for the lock, holding the writer.
        let (sent, appended) = mpsc::channel();
        let writer = {
            let (store, key) = (Arc::clone(&store), key.clone());
            std::thread::spawn(move || {
                let result = store.append(&key, 2, &[event("e-3", 3)]);
                sent.send(()).unwrap();
                result
            })
        };
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            appended.try_recv().is_err(),
            "the append went through a held write lock"
        );

        let started = Instant::now();
        let barrier = Barrier::new(THREADS);
        std::thread::scope(|scope| {
            for _ in 0..THREADS {
                let (store, key, tenant, committed, barrier) =
                    (&store, &key, &tenant, &committed, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    for _ in 0..20 {
                        assert_eq!(&store.read_stream(key, 0).unwrap(), committed);
                        assert_eq!(store.stream_version(key).unwrap(), 2);
                        let feed = store.read_feed(tenant, 0, 100).unwrap();
                        assert_eq!(feed.events.len(), 2);
                        assert!(
                            feed.events
                                .iter()
                                .all(|e| e.event_id.as_str() != "uncommitted")
                        );
                        assert_eq!(store.anchor(key).unwrap().unwrap().version, 2);
                        let streams = store
                            .list_streams(tenant, &key.stream_type, None, 10)
                            .unwrap();
                        assert_eq!(streams, std::slice::from_ref(&key.id));
                        let due = store
                            .due(&DueQuery::new(
                                tenant.clone(),
                                key.stream_type.clone(),
                                due_at,
                            ))
                            .unwrap();
                        assert_eq!(due.len(), 1);
                    }
                });
            }
        });
        let reading = started.elapsed();
        // Every read came back while the append was still waiting.
        assert!(
            appended.try_recv().is_err(),
            "the reads waited for the append ({reading:?})"
        );
        assert!(reading < Duration::from_secs(30), "{reading:?}");

        // The other connection gives up its row; the append goes through.
        other.execute_batch("ROLLBACK").unwrap();
        writer.join().unwrap().unwrap();
        let rows = store.read_stream(&key, 0).unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r.event_id.as_str()).collect();
        assert_eq!(ids, ["e-1", "e-2", "e-3"]);
        journal::verify_stream(&*store, &key).unwrap();
    }

    /// A read on a reader right after an append on the writer sees it: no
    /// reader keeps an old snapshot between reads.
    #[test]
    fn a_read_after_an_append_sees_it_on_every_reader() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_with(dir.path().join("journal.db"), options()).unwrap();
        let key = StreamKey::new(
            support::stores::tenant("query-only"),
            "notes".parse().unwrap(),
            "N-1".parse().unwrap(),
        );
        for n in 0..10u64 {
            store
                .append(&key, n, &[event(&format!("q-{n}"), n)])
                .unwrap();
            assert_eq!(store.stream_version(&key).unwrap(), n + 1);
        }
    }

    /// The file handles of this process open on `path` (Linux): one per
    /// connection.
    #[cfg(target_os = "linux")]
    fn connections_to(path: &std::path::Path) -> usize {
        let path = path.canonicalize().unwrap();
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(Result::ok)
            .filter(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == path))
            .count()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_reader_count_asked_for_is_the_number_of_connections_opened() {
        // The writer, the readers asked for, and — unless automatic
        // checkpoints are off — the checkpointer's own connection.
        for (readers, checkpoint_every, checkpointer) in [
            (0, 10_000, 1),
            (1, 10_000, 1),
            (3, 10_000, 1),
            (6, 10_000, 1),
            (3, 0, 0),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("journal.db");
            let options = options()
                .readers(readers)
                .checkpoint_every(checkpoint_every);
            let store = SqliteStore::open_with(&path, options).unwrap();
            assert_eq!(store.readers(), readers);
            // Many threads reading at once open no connection beyond them.
            std::thread::scope(|scope| {
                for _ in 0..THREADS {
                    let store = &store;
                    scope.spawn(move || {
                        for _ in 0..10 {
                            store.migration().unwrap();
                        }
                    });
                }
            });
            assert_eq!(
                connections_to(&path),
                1 + readers as usize + checkpointer,
                "{readers} readers beside the writer, checkpoints every {checkpoint_every} pages"
            );
            drop(store);
            // Dropping the store closes them all (the pool's within moments:
            // its worker thread may still hold the pool when the store goes).
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while connections_to(&path) > 0 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            assert_eq!(connections_to(&path), 0, "connections left open");
        }
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    use std::time::Duration;

    use grassroots::journal::{JournalError, PostgresOptions, PostgresStore};

    use super::*;

    /// `url` with one more connection parameter, in either of its forms.
    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn eight_threads_sharing_one_postgres_store_lose_and_double_nothing() {
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let store = PostgresStore::connect_with(
            &url,
            PostgresOptions::new().clock(support::stores::clock()),
        )
        .unwrap();
        assert_eq!(store.pool_size(), 8);
        threads_with_a_case_each_lose_and_double_nothing(
            support::stores::tenant("pool"),
            Arc::new(store),
        );
    }

    /// The pool never holds more connections than its size, counted by the
    /// server, however many threads call at once — and it does use more
    /// than one.
    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn the_pool_holds_at_most_its_size_in_connections() {
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        let name = format!("grassroots-pool-{}", std::process::id());
        let store = Arc::new(
            PostgresStore::connect_with(
                &support::stores::with_param(&url, "application_name", &name),
                PostgresOptions::new()
                    .clock(support::stores::clock())
                    .pool_size(3),
            )
            .unwrap(),
        );
        assert_eq!(store.pool_size(), 3);
        let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let count = move |admin: &mut ::postgres::Client| -> i64 {
            admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                    &[&name],
                )
                .unwrap()
                .get(0)
        };
        let tenant = support::stores::tenant("pool-size");
        let running = AtomicBool::new(true);
        let most = AtomicI64::new(0);
        std::thread::scope(|scope| {
            let (running, most) = (&running, &most);
            scope.spawn(move || {
                while running.load(Ordering::SeqCst) {
                    most.fetch_max(count(&mut admin), Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                }
                most.fetch_max(count(&mut admin), Ordering::SeqCst);
            });
            std::thread::scope(|workers| {
                for thread in 0..THREADS {
                    let (store, tenant) = (&store, &tenant);
                    workers.spawn(move || {
                        let key = StreamKey::new(
                            tenant.clone(),
                            "notes".parse().unwrap(),
                            format!("P-{thread}").parse().unwrap(),
                        );
                        for n in 0..20u64 {
                            let id = format!("p{thread}-{n}");
                            store.append(&key, n, &[event(&id, n)]).unwrap();
                            store.read_stream(&key, 0).unwrap();
                        }
                    });
                }
            });
            running.store(false, Ordering::SeqCst);
        });
        let most = most.load(Ordering::SeqCst);
        assert!(most <= 3, "{most} connections for a pool of 3");
        assert!(most >= 2, "eight threads ran on {most} connection");
    }

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available")]
    fn requiring_tls_from_a_server_without_it_is_a_typed_error() {
        let Some(url) = support::stores::postgres_url() else {
            return;
        };
        // The throwaway cluster has no TLS.
        let err = PostgresStore::connect(&support::stores::with_param(&url, "sslmode", "require"))
            .unwrap_err();
        let JournalError::Backend { backend, source } = &err else {
            panic!("not a backend error: {err:?}");
        };
        assert_eq!(*backend, "postgres");
        assert!(
            source.downcast_ref::<::postgres::Error>().is_some(),
            "{source:?}"
        );
        assert!(err.to_string().contains("postgres"), "{err}");
        assert!(
            format!("{source}").to_lowercase().contains("tls"),
            "{source}"
        );
    }

    #[test]
    fn an_unknown_sslmode_is_a_typed_error() {
        // Refused while the connection string is read: no server needed.
        let err = PostgresStore::connect("host=127.0.0.1 port=1 sslmode=verify-full").unwrap_err();
        assert!(matches!(err, JournalError::Backend { .. }), "{err:?}");
    }
}
