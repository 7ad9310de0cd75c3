#![allow(unreachable_pub, dead_code)]
//! Opening each backend for the journal's integration tests, with a fixed
//! clock and a tenant of its own per test.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{Clock, MemoryStore};

/// Runs each named rule, a `fn(&S, TenantId)` generic over the store (or
/// taking `&dyn EventStore`), as one test per backend: memory, SQLite,
/// PostgreSQL, and the async SQLite and PostgreSQL stores through the
/// blocking adapter — each in a tenant named after the rule. Backends whose
/// features are off are left out; PostgreSQL tests are ignored without a
/// server.
#[allow(unused_macros)]
macro_rules! on_every_store {
    ($($rule:ident),* $(,)?) => {
        mod memory {
            $(
                #[test]
                fn $rule() {
                    let store = crate::support::stores::memory();
                    super::$rule(&store, crate::support::stores::tenant(stringify!($rule)));
                }
            )*
        }

        #[cfg(feature = "sqlite")]
        mod sqlite {
            $(
                #[test]
                fn $rule() {
                    let (_dir, store) = crate::support::stores::sqlite();
                    super::$rule(&store, crate::support::stores::tenant(stringify!($rule)));
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
                    super::$rule(&store, crate::support::stores::tenant(stringify!($rule)));
                }
            )*
        }

        #[cfg(all(feature = "tokio", feature = "sqlite"))]
        mod async_sqlite {
            $(
                #[test]
                fn $rule() {
                    let (_dir, store) = crate::support::stores::async_sqlite();
                    super::$rule(&store, crate::support::stores::tenant(stringify!($rule)));
                }
            )*
        }

        #[cfg(all(feature = "tokio", feature = "postgres"))]
        mod async_postgres {
            $(
                #[test]
                #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL")]
                fn $rule() {
                    let Some(store) = crate::support::stores::async_postgres() else { return };
                    super::$rule(&store, crate::support::stores::tenant(stringify!($rule)));
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_every_store;

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

/// Why a PostgreSQL test is ignored where it cannot run (the build script
/// sets the cfg `grassroots_pg` where it can).
pub const NO_POSTGRES: &str = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL, or install \
     PostgreSQL (initdb, pg_ctl; GRASSROOTS_PG_BIN) for a throwaway cluster";

/// The PostgreSQL server's connection string: `GRASSROOTS_POSTGRES_URL` when
/// set, else a throwaway cluster this test process starts once (and a
/// watchdog removes when the process ends).
///
/// Where the build found PostgreSQL (cfg `grassroots_pg`) a server that
/// cannot be reached fails the test; elsewhere the PostgreSQL tests are
/// ignored, and one run with `--include-ignored` gets `None` after a skip
/// line.
pub fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var(POSTGRES_URL) {
        if !url.trim().is_empty() {
            return Some(url);
        }
    }
    static STARTED: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    let started = STARTED.get_or_init(|| match option_env!("GRASSROOTS_PG_BIN_FOUND") {
        Some(bin) => throwaway::start(std::path::Path::new(bin)),
        None => Err(NO_POSTGRES.to_owned()),
    });
    match started {
        Ok(url) => Some(url.clone()),
        Err(why) if cfg!(grassroots_pg) => panic!("PostgreSQL was found but did not start: {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

/// `url` (a `postgres://` URL or `key=value` pairs) with one more
/// connection parameter.
pub fn with_param(url: &str, key: &str, value: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}{key}={value}")
    } else {
        format!("{url} {key}={value}")
    }
}

/// A throwaway PostgreSQL cluster for one test process: `initdb` in a
/// temporary directory, a free port on 127.0.0.1, no fsync; run as the
/// `postgres` user when the tests run as root (PostgreSQL refuses root).
mod throwaway {
    use std::path::Path;
    use std::process::{Command, Stdio};

    fn as_server_user(program: &Path, root: bool) -> Command {
        if root {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(command: &mut Command, what: &str) -> Result<(), String> {
        let out = command
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{what}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{what} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    pub(super) fn start(bin: &Path) -> Result<String, String> {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|out| out.stdout.trim_ascii() == b"0")
            .unwrap_or(false);
        let dir = tempfile::Builder::new()
            .prefix("grassroots-pg-")
            .tempdir()
            .map_err(|e| format!("temporary directory: {e}"))?
            .keep();
        if root {
            run(
                Command::new("chown").arg("postgres").arg(&dir),
                "chown the cluster's directory to postgres",
            )?;
        }
        let data = dir.join("data");
        run(
            as_server_user(&bin.join("initdb"), root)
                .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "-D"])
                .arg(&data),
            "initdb",
        )?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("a free port: {e}"))?
            .port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            dir.display()
        );
        run(
            as_server_user(&bin.join("pg_ctl"), root)
                .args(["-w", "-D"])
                .arg(&data)
                .args(["-l"])
                .arg(dir.join("log"))
                .args(["-o", &options, "start"]),
            "pg_ctl start",
        )?;
        // Stop and delete the cluster once this process has ended.
        let pg_ctl = bin.join("pg_ctl");
        let stop = if root {
            format!("runuser -u postgres -- {}", pg_ctl.display())
        } else {
            pg_ctl.display().to_string()
        };
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             {stop} -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            data = data.display(),
            dir = dir.display(),
        );
        Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("the cluster's watchdog: {e}"))?;
        Ok(format!(
            "host=127.0.0.1 port={port} user=postgres dbname=postgres"
        ))
    }
}

/// A connection to the PostgreSQL journal of [`postgres_url`], or `None`
/// (skipped) when there is none.
#[cfg(feature = "postgres")]
pub fn postgres() -> Option<grassroots::journal::PostgresStore> {
    use grassroots::journal::{PostgresOptions, PostgresStore};
    let url = postgres_url()?;
    Some(PostgresStore::connect_with(&url, PostgresOptions::new().clock(clock())).unwrap())
}

/// The sync [`EventStore`](grassroots::journal::EventStore) face of an
/// async store, each call run to its end on a runtime of its own: how the
/// sync conformance suite and crash tests drive the async stores.
#[cfg(feature = "tokio")]
#[derive(Debug)]
pub struct BlockingStore<A> {
    store: A,
    runtime: tokio::runtime::Runtime,
}

#[cfg(feature = "tokio")]
impl<A: grassroots::journal::AsyncEventStore> BlockingStore<A> {
    /// `store`, whose connections (if any) live on `runtime`.
    pub fn new(store: A, runtime: tokio::runtime::Runtime) -> Self {
        Self { store, runtime }
    }

    /// The async store.
    pub fn store(&self) -> &A {
        &self.store
    }

    /// The runtime the calls run on.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

/// A runtime for one async store: one worker thread drives its
/// connections; the calling thread waits on each call.
#[cfg(feature = "tokio")]
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[cfg(feature = "tokio")]
impl<A: grassroots::journal::AsyncEventStore> grassroots::journal::EventStore for BlockingStore<A> {
    fn append(
        &self,
        stream: &grassroots::journal::StreamKey,
        expected_version: u64,
        events: &[grassroots::journal::NewEvent],
    ) -> Result<grassroots::journal::Appended, grassroots::journal::JournalError> {
        self.runtime
            .block_on(self.store.append(stream, expected_version, events))
    }

    fn append_with_due(
        &self,
        stream: &grassroots::journal::StreamKey,
        expected_version: u64,
        events: &[grassroots::journal::NewEvent],
        due: grassroots::journal::DueUpdate,
    ) -> Result<grassroots::journal::Appended, grassroots::journal::JournalError> {
        self.runtime.block_on(
            self.store
                .append_with_due(stream, expected_version, events, due),
        )
    }

    fn append_streams(
        &self,
        batch: &[grassroots::journal::StreamAppend<'_>],
    ) -> Result<
        Vec<Result<grassroots::journal::Appended, grassroots::journal::JournalError>>,
        grassroots::journal::JournalError,
    > {
        self.runtime.block_on(self.store.append_streams(batch))
    }

    fn due(
        &self,
        query: &grassroots::journal::DueQuery,
    ) -> Result<Vec<grassroots::journal::DueEntry>, grassroots::journal::JournalError> {
        self.runtime.block_on(self.store.due(query))
    }

    fn claim_due(
        &self,
        query: &grassroots::journal::DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<grassroots::journal::DueEntry>, grassroots::journal::JournalError> {
        self.runtime.block_on(self.store.claim_due(query, lease))
    }

    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &grassroots::journal::StreamType,
        entries: &[grassroots::journal::DueEntry],
    ) -> Result<(), grassroots::journal::JournalError> {
        self.runtime
            .block_on(self.store.replace_due(tenant, stream_type, entries))
    }

    fn read_stream(
        &self,
        stream: &grassroots::journal::StreamKey,
        after: u64,
    ) -> Result<Vec<grassroots::journal::StoredEvent>, grassroots::journal::JournalError> {
        self.runtime.block_on(self.store.read_stream(stream, after))
    }

    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<grassroots::journal::FeedPage, grassroots::journal::JournalError> {
        self.runtime
            .block_on(self.store.read_feed(tenant, after, limit))
    }

    fn read_all(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<grassroots::journal::StoredEvent>, grassroots::journal::JournalError> {
        self.runtime
            .block_on(self.store.read_all(tenant, after, limit))
    }

    fn anchor(
        &self,
        stream: &grassroots::journal::StreamKey,
    ) -> Result<Option<grassroots::journal::StreamHead>, grassroots::journal::JournalError> {
        self.runtime.block_on(self.store.anchor(stream))
    }

    fn stream_version(
        &self,
        stream: &grassroots::journal::StreamKey,
    ) -> Result<u64, grassroots::journal::JournalError> {
        self.runtime.block_on(self.store.stream_version(stream))
    }

    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &grassroots::journal::StreamType,
        after: Option<&grassroots::id::CaseId>,
        limit: usize,
    ) -> Result<Vec<grassroots::id::CaseId>, grassroots::journal::JournalError> {
        self.runtime
            .block_on(self.store.list_streams(tenant, stream_type, after, limit))
    }

    fn snapshot(
        &self,
        stream: &grassroots::journal::StreamKey,
    ) -> Result<Option<grassroots::journal::Snapshot>, grassroots::journal::JournalError> {
        self.runtime.block_on(self.store.snapshot(stream))
    }

    fn put_snapshot(
        &self,
        snapshot: &grassroots::journal::Snapshot,
    ) -> Result<(), grassroots::journal::JournalError> {
        self.runtime.block_on(self.store.put_snapshot(snapshot))
    }
}

/// A fresh async SQLite journal in a temporary directory, behind the sync
/// face.
#[cfg(all(feature = "tokio", feature = "sqlite"))]
pub fn async_sqlite() -> (
    tempfile::TempDir,
    BlockingStore<grassroots::journal::AsyncSqliteStore>,
) {
    let (dir, store) = sqlite();
    let store = grassroots::journal::AsyncSqliteStore::new(store);
    (dir, BlockingStore::new(store, runtime()))
}

/// The async PostgreSQL store on [`postgres_url`] with the fixed clock, on
/// `runtime`, or `None` (skipped) when there is none.
#[cfg(all(feature = "tokio", feature = "postgres"))]
pub fn async_postgres_on(
    runtime: &tokio::runtime::Runtime,
) -> Option<grassroots::journal::AsyncPostgresStore> {
    use grassroots::journal::{AsyncPostgresOptions, AsyncPostgresStore};
    let url = postgres_url()?;
    let options = AsyncPostgresOptions::new().clock(clock());
    Some(
        runtime
            .block_on(AsyncPostgresStore::connect_with(&url, options))
            .unwrap(),
    )
}

/// The async PostgreSQL store behind the sync face, or `None` (skipped).
#[cfg(all(feature = "tokio", feature = "postgres"))]
pub fn async_postgres() -> Option<BlockingStore<grassroots::journal::AsyncPostgresStore>> {
    let runtime = runtime();
    let store = async_postgres_on(&runtime)?;
    Some(BlockingStore::new(store, runtime))
}
