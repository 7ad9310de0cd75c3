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
