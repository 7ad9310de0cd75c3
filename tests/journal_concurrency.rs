//! Several writers handling commands on the same cases at once: every
//! accepted command's events are stored exactly once, nothing refused is
//! stored, and every case's final state equals the replay of its stored
//! history (no lost update).

mod support {
    pub mod stores;
    pub mod tally;
}

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Barrier};

use chrono::{TimeZone, Utc};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{self, AppendOutcome, EventStore, ExecuteError, StreamKey};
use grassroots::workflow::{Case, Context};
use support::tally::{Add, Event, Tally, clerk};

const THREADS: usize = 4;
const COMMANDS_PER_THREAD: usize = 30;
const CASES: usize = 3;
const RETRIES: u32 = 1_000;

struct Accepted {
    case: CaseId,
    token: String,
    amount: u64,
}

/// Runs `THREADS` writers, each with the store `open` gives it, adding to
/// `CASES` shared cases, then checks what was stored.
fn writers_lose_nothing<S, F>(tenant: TenantId, open: F)
where
    S: EventStore + Send,
    F: Fn() -> S,
{
    let cases: Vec<CaseId> = (0..CASES)
        .map(|i| format!("tally-{i}").parse().unwrap())
        .collect();
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let barrier = Barrier::new(THREADS);
    // Opened up front: a thread that failed to open would leave the others
    // waiting at the barrier.
    let stores: Vec<S> = (0..THREADS).map(|_| open()).collect();

    let results: Vec<(Vec<Accepted>, u32)> = std::thread::scope(|scope| {
        let handles: Vec<_> = stores
            .into_iter()
            .enumerate()
            .map(|(thread, store)| {
                let (cases, barrier, tenant) = (&cases, &barrier, &tenant);
                scope.spawn(move || {
                    let actor = clerk(&format!("clerk-{thread}"));
                    let ctx = Context::new(at, &actor);
                    let mut accepted = Vec::new();
                    let mut attempts = 0;
                    barrier.wait();
                    for n in 0..COMMANDS_PER_THREAD {
                        let case = &cases[(thread + n) % CASES];
                        let add = Add {
                            token: format!("t{thread}-{n}"),
                            amount: (thread * 1_000 + n) as u64,
                        };
                        match journal::execute(&store, tenant, &Tally, case, &add, &ctx, RETRIES) {
                            Ok(done) => {
                                assert_eq!(done.events().len(), 1);
                                assert_eq!(done.appended.outcome, AppendOutcome::Recorded);
                                attempts += done.attempts;
                                accepted.push(Accepted {
                                    case: case.clone(),
                                    token: add.token,
                                    amount: add.amount,
                                });
                            }
                            Err(ExecuteError::Contended { attempts: a, .. }) => attempts += a,
                            Err(e) => panic!("thread {thread}: {e:?}"),
                        }
                    }
                    (accepted, attempts)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let store = open();
    let accepted: Vec<&Accepted> = results.iter().flat_map(|(a, _)| a).collect();
    let attempts: u32 = results.iter().map(|(_, a)| a).sum();
    assert_eq!(
        accepted.len(),
        THREADS * COMMANDS_PER_THREAD,
        "with {RETRIES} retries every command should get through"
    );
    assert!(attempts as usize >= accepted.len());
    eprintln!(
        "{} commands accepted in {attempts} attempts",
        accepted.len()
    );

    let mut stored_tokens = BTreeMap::new();
    let mut total_events = 0;
    for case_id in &cases {
        let case = journal::load::<Tally, _>(&store, &tenant, case_id).unwrap();
        // The stored history replays to the same state...
        let replayed = Case::<Tally>::replay(case_id.clone(), case.history().to_vec()).unwrap();
        assert_eq!(replayed, case);
        // ...which holds exactly the commands accepted for this case.
        let expected: Vec<&&Accepted> = accepted.iter().filter(|a| &a.case == case_id).collect();
        assert_eq!(case.version() as usize, expected.len(), "case {case_id}");
        assert_eq!(
            case.state().total,
            expected.iter().map(|a| a.amount).sum::<u64>(),
            "case {case_id}: an update was lost"
        );
        for recorded in case.history() {
            let Event::Added { token, .. } = &recorded.event;
            let previous = stored_tokens.insert(token.clone(), case_id.clone());
            assert!(previous.is_none(), "token {token} stored twice");
        }
        total_events += case.version();
        let key = StreamKey::of::<Tally>(tenant.clone(), case_id.clone()).unwrap();
        journal::verify_stream(&store, &key).unwrap();
    }
    let accepted_tokens: BTreeSet<(&str, &CaseId)> = accepted
        .iter()
        .map(|a| (a.token.as_str(), &a.case))
        .collect();
    let stored: BTreeSet<(&str, &CaseId)> =
        stored_tokens.iter().map(|(t, c)| (t.as_str(), c)).collect();
    assert_eq!(stored, accepted_tokens);

    // The tenant's log holds each event once, in increasing positions.
    let all = store.read_all(&tenant, 0, 10_000).unwrap();
    assert_eq!(all.len() as u64, total_events);
    assert!(all.windows(2).all(|w| w[0].position < w[1].position));
}

#[test]
fn threads_sharing_a_memory_store_lose_no_update() {
    let store = Arc::new(support::stores::memory());
    writers_lose_nothing(support::stores::tenant("concurrency"), || {
        Arc::clone(&store)
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn connections_to_one_sqlite_file_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    // Each thread opens its own connection to the same file.
    writers_lose_nothing(support::stores::tenant("concurrency"), || {
        support::stores::sqlite_in(&dir)
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn threads_sharing_one_sqlite_connection_lose_no_update() {
    let (_dir, store) = support::stores::sqlite();
    let store = Arc::new(store);
    writers_lose_nothing(support::stores::tenant("concurrency"), || {
        Arc::clone(&store)
    });
}

#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn postgres_connections_lose_no_update() {
    if support::stores::postgres_url().is_none() {
        return;
    }
    // Each thread opens its own connection.
    writers_lose_nothing(support::stores::tenant("concurrency"), || {
        support::stores::postgres().unwrap()
    });
}

/// Raw appends racing on one stream: each writer reads the version and
/// appends expecting it. Exactly the successful appends are stored, with
/// contiguous versions, and every failure is a version conflict.
fn raw_appends_race_without_overwrites<S, F>(tenant: TenantId, open: F)
where
    S: EventStore + Send,
    F: Fn() -> S,
{
    let key = StreamKey::new(tenant, "race".parse().unwrap(), "R-1".parse().unwrap());
    let barrier = Barrier::new(THREADS);
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let stores: Vec<S> = (0..THREADS).map(|_| open()).collect();
    let won: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = stores
            .into_iter()
            .enumerate()
            .map(|(thread, store)| {
                let (key, barrier) = (&key, &barrier);
                scope.spawn(move || {
                    let mut won = Vec::new();
                    barrier.wait();
                    for n in 0..COMMANDS_PER_THREAD {
                        let id = format!("w{thread}-{n}");
                        let version = store.stream_version(key).unwrap();
                        let event = journal::NewEvent::new(
                            id.parse().unwrap(),
                            "Raced",
                            serde_json::json!({"by": thread}),
                            "racer".parse().unwrap(),
                            at,
                        );
                        match store.append(key, version, &[event]) {
                            Ok(_) => won.push(id),
                            Err(e) => assert!(e.is_conflict(), "{e:?}"),
                        }
                    }
                    won
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let store = open();
    let rows = store.read_stream(&key, 0).unwrap();
    let stored: BTreeSet<&str> = rows.iter().map(|r| r.event_id.as_str()).collect();
    let won: BTreeSet<&str> = won.iter().flatten().map(String::as_str).collect();
    assert_eq!(stored, won);
    assert!(
        rows.iter()
            .enumerate()
            .all(|(i, r)| r.version == i as u64 + 1)
    );
    journal::verify_stream(&store, &key).unwrap();
}

#[test]
fn raw_appends_to_a_memory_store_never_overwrite() {
    let store = Arc::new(support::stores::memory());
    raw_appends_race_without_overwrites(support::stores::tenant("race"), || Arc::clone(&store));
}

#[cfg(feature = "sqlite")]
#[test]
fn raw_appends_to_one_sqlite_file_never_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    raw_appends_race_without_overwrites(support::stores::tenant("race"), || {
        support::stores::sqlite_in(&dir)
    });
}

#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn raw_appends_to_postgres_never_overwrite() {
    if support::stores::postgres_url().is_none() {
        return;
    }
    raw_appends_race_without_overwrites(support::stores::tenant("race"), || {
        support::stores::postgres().unwrap()
    });
}

#[cfg(feature = "sqlite")]
#[test]
fn threads_opening_one_new_sqlite_file_at_once_all_succeed() {
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| scope.spawn(|| grassroots::journal::SqliteStore::open(&path)))
                .collect();
            for handle in handles {
                handle.join().unwrap().unwrap();
            }
        });
    }
}

/// A projection following `read_all` while writers append: it must see every
/// event exactly once, in increasing positions. With positions that could
/// become visible out of order (a plain serial number on PostgreSQL), the
/// follower would move past an event still in flight and miss it for ever.
fn a_follower_of_read_all_misses_nothing<S, F>(tenant: TenantId, open: F)
where
    S: EventStore + Send,
    F: Fn() -> S,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    const WRITERS: usize = 3;
    const APPENDS: usize = 40;
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let writers: Vec<S> = (0..WRITERS).map(|_| open()).collect();
    let follower = open();
    let running = AtomicUsize::new(WRITERS);
    let seen = std::thread::scope(|scope| {
        for (w, store) in writers.into_iter().enumerate() {
            let (tenant, running) = (&tenant, &running);
            scope.spawn(move || {
                let key = StreamKey::new(
                    tenant.clone(),
                    "follow".parse().unwrap(),
                    format!("F-{w}").parse().unwrap(),
                );
                for n in 0..APPENDS {
                    let event = journal::NewEvent::new(
                        format!("f{w}-{n}").parse().unwrap(),
                        "Appended",
                        serde_json::json!(n),
                        "writer".parse().unwrap(),
                        at,
                    );
                    store.append(&key, n as u64, &[event]).unwrap();
                }
                running.fetch_sub(1, Ordering::SeqCst);
            });
        }
        let (tenant, running) = (&tenant, &running);
        scope
            .spawn(move || {
                let mut seen = Vec::new();
                let mut last = 0;
                loop {
                    let done = running.load(Ordering::SeqCst) == 0;
                    let page = follower.read_all(tenant, last, 7).unwrap();
                    if let Some(row) = page.last() {
                        last = row.position;
                    }
                    let empty = page.is_empty();
                    seen.extend(page.into_iter().map(|r| (r.position, r.event_id)));
                    if done && empty {
                        return seen;
                    }
                }
            })
            .join()
            .unwrap()
    });
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "positions went backwards"
    );
    let ids: BTreeSet<String> = seen.iter().map(|(_, id)| id.to_string()).collect();
    assert_eq!(ids.len(), seen.len(), "an event was seen twice");
    assert_eq!(ids.len(), WRITERS * APPENDS, "the follower missed events");
}

#[test]
fn a_follower_of_a_memory_store_misses_nothing() {
    let store = Arc::new(support::stores::memory());
    a_follower_of_read_all_misses_nothing(support::stores::tenant("follow"), || Arc::clone(&store));
}

#[cfg(feature = "sqlite")]
#[test]
fn a_follower_of_a_sqlite_file_misses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    a_follower_of_read_all_misses_nothing(support::stores::tenant("follow"), || {
        support::stores::sqlite_in(&dir)
    });
}

#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn a_follower_of_postgres_misses_nothing_with_many_connections() {
    if support::stores::postgres_url().is_none() {
        return;
    }
    a_follower_of_read_all_misses_nothing(support::stores::tenant("follow"), || {
        support::stores::postgres().unwrap()
    });
}
