#![allow(unreachable_pub, dead_code)]
//! Opening each backend for the journal's integration tests, with a fixed
//! clock and a tenant of its own per test.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{Clock, MemoryStore};

/// The environment variable the PostgreSQL tests read their server from.
pub const POSTGRES_URL: &str = "GRASSROOTS_POSTGRES_URL";

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The time every test store records events at.
pub fn recorded_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 8, 30, 0).unwrap()
}

pub fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock(recorded_at()))
}

/// A tenant no other test (and no earlier run against the same database)
/// uses, so tests can share one PostgreSQL database.
pub fn tenant(test: &str) -> TenantId {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    TenantId::new(format!("{test}-{}-{nanos}-{n}", std::process::id())).unwrap()
}

pub fn memory() -> MemoryStore {
    MemoryStore::with_clock(clock())
}

#[cfg(feature = "sqlite")]
pub fn sqlite_in(dir: &tempfile::TempDir) -> grassroots::journal::SqliteStore {
    use grassroots::journal::{SqliteOptions, SqliteStore};
    SqliteStore::open_with(
        dir.path().join("journal.db"),
        SqliteOptions::new().clock(clock()),
    )
    .unwrap()
}

/// A fresh SQLite journal in a temporary directory (kept alive by the
/// returned guard).
#[cfg(feature = "sqlite")]
pub fn sqlite() -> (tempfile::TempDir, grassroots::journal::SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_in(&dir);
    (dir, store)
}

/// The PostgreSQL server's connection string, or `None` after saying why
/// the test is skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "skipped: {POSTGRES_URL} is not set (run `source .ci/postgres.sh` to start a \
                 throwaway PostgreSQL 15 cluster and set it, or point it at a server of your own: \
                 {POSTGRES_URL}='host=127.0.0.1 port=5432 user=postgres dbname=grassroots')"
            );
            None
        }
    }
}

/// A connection to the PostgreSQL journal, or `None` (skipped) when no server
/// is configured.
#[cfg(feature = "postgres")]
pub fn postgres() -> Option<grassroots::journal::PostgresStore> {
    use grassroots::journal::{PostgresOptions, PostgresStore};
    let url = postgres_url()?;
    Some(PostgresStore::connect_with(&url, PostgresOptions::new().clock(clock())).unwrap())
}
