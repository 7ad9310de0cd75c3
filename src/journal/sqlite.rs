//! [`SqliteStore`]: the journal in one SQLite file (feature `sqlite`).
//!
//! The embedded default. The file is opened in WAL mode, every append runs
//! in a `BEGIN IMMEDIATE` transaction (it takes the write lock up front, so
//! two writers never deadlock upgrading a read lock), and a busy timeout
//! makes a writer wait for another instead of failing. Statements are
//! prepared once per connection and cached; a batch of events is one
//! transaction.
//!
//! One writer connection and a pool of reader connections: see
//! [`SqliteStore`]'s docs.
//!
//! Several `SqliteStore`s (in several threads or processes) may open the same
//! file: SQLite serializes their appends, and the version check inside the
//! immediate transaction makes a stale writer fail with a version conflict.
//!
//! Positions are SQLite's `AUTOINCREMENT` row ids: assigned under the write
//! lock, so they follow commit order, and never reused.
//!
//! The file's tables: `journal_streams` gives each stream (tenant, type
//! and id) an integer key when it is first written, never drawn twice; `journal_events` holds
//! the rows, each naming its stream by that key, unique by `(stream_key,
//! version)` and by `(event_id, tenant)`; `journal_heads` the streams'
//! anchors, `journal_due` the due index, `journal_snapshots` the snapshots.
//! To look at the rows by hand: `SELECT stream_id, version, event_type,
//! actor FROM journal_events JOIN journal_streams USING (stream_key)`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

use super::hash::{EventHash, HashFields};
use super::{
    AppendOutcome, Appended, Clock, EventStore, FeedPage, FeedRow, JournalError, NewEvent,
    SkippedRow, StoredEvent, StreamAppend, StreamHead, StreamKey, StreamType, SystemClock,
    check_anchor, first_duplicate, from_micros, retry_outcome, stage_payload, to_micros,
};
use super::{DueEntry, DueQuery, DueUpdate};
use crate::id::{ActorId, CaseId, CorrelationId, EventId, TenantId};

const BACKEND: &str = "sqlite";

fn sql(e: rusqlite::Error) -> JournalError {
    JournalError::backend(BACKEND, e)
}

/// The numbered migrations, applied in order when a store is opened.
const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "events table",
        "CREATE TABLE journal_events (
        position       INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant         TEXT    NOT NULL,
        stream_type    TEXT    NOT NULL,
        stream_id      TEXT    NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        event_id       TEXT    NOT NULL,
        event_type     TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        payload        TEXT    NOT NULL,
        actor          TEXT    NOT NULL,
        correlation    TEXT,
        occurred_at    INTEGER NOT NULL,
        recorded_at    INTEGER NOT NULL,
        hash           BLOB    NOT NULL,
        UNIQUE (tenant, stream_type, stream_id, version),
        UNIQUE (tenant, event_id)
    ) STRICT;
    CREATE INDEX journal_events_by_tenant ON journal_events (tenant, position);",
    ),
    (
        2,
        "stream anchors",
        // Every existing stream is anchored at the head it has now: an
        // anchor proves nothing about what happened before it was written.
        "CREATE TABLE journal_heads (
        tenant      TEXT    NOT NULL,
        stream_type TEXT    NOT NULL,
        stream_id   TEXT    NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        hash        BLOB    NOT NULL,
        PRIMARY KEY (tenant, stream_type, stream_id)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO journal_heads (tenant, stream_type, stream_id, version, hash)
    SELECT e.tenant, e.stream_type, e.stream_id, e.version, e.hash
    FROM journal_events AS e
    WHERE e.version = (SELECT max(m.version) FROM journal_events AS m
                       WHERE m.tenant = e.tenant AND m.stream_type = e.stream_type
                         AND m.stream_id = e.stream_id);",
    ),
    super::due::sqlite::MIGRATION,
    super::snapshot::sqlite::MIGRATION,
    (
        5,
        "keys led by the stream id",
        // SQLite's fast key comparison decides on a key's first column
        // alone; with the tenant first, every comparison inside a tenant
        // fell through to the general one (DESIGN.md, "The SQLite keys,
        // round 8"). The three tables are rebuilt with the stream id (or
        // the event id) first; every row, position and the position
        // sequence are kept.
        "CREATE TABLE journal_events_v5 (
        position       INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant         TEXT    NOT NULL,
        stream_type    TEXT    NOT NULL,
        stream_id      TEXT    NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        event_id       TEXT    NOT NULL,
        event_type     TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        payload        TEXT    NOT NULL,
        actor          TEXT    NOT NULL,
        correlation    TEXT,
        occurred_at    INTEGER NOT NULL,
        recorded_at    INTEGER NOT NULL,
        hash           BLOB    NOT NULL,
        UNIQUE (stream_id, stream_type, tenant, version),
        UNIQUE (event_id, tenant)
    ) STRICT;
    INSERT INTO journal_events_v5 (position, tenant, stream_type, stream_id, version, event_id,
        event_type, schema_version, payload, actor, correlation, occurred_at, recorded_at, hash)
    SELECT position, tenant, stream_type, stream_id, version, event_id,
        event_type, schema_version, payload, actor, correlation, occurred_at, recorded_at, hash
    FROM journal_events ORDER BY position;
    DELETE FROM sqlite_sequence WHERE name = 'journal_events_v5';
    UPDATE sqlite_sequence SET name = 'journal_events_v5' WHERE name = 'journal_events';
    DROP TABLE journal_events;
    ALTER TABLE journal_events_v5 RENAME TO journal_events;
    CREATE INDEX journal_events_by_tenant ON journal_events (tenant, position);

    CREATE TABLE journal_heads_v5 (
        tenant      TEXT    NOT NULL,
        stream_type TEXT    NOT NULL,
        stream_id   TEXT    NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        hash        BLOB    NOT NULL,
        PRIMARY KEY (stream_id, stream_type, tenant)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO journal_heads_v5 (tenant, stream_type, stream_id, version, hash)
    SELECT tenant, stream_type, stream_id, version, hash FROM journal_heads;
    DROP TABLE journal_heads;
    ALTER TABLE journal_heads_v5 RENAME TO journal_heads;
    CREATE INDEX journal_heads_by_type ON journal_heads (tenant, stream_type, stream_id);

    CREATE TABLE journal_due_v5 (
        tenant        TEXT    NOT NULL,
        stream_type   TEXT    NOT NULL,
        stream_id     TEXT    NOT NULL,
        due           INTEGER NOT NULL,
        claimed_until INTEGER,
        PRIMARY KEY (stream_id, stream_type, tenant)
    ) STRICT;
    INSERT INTO journal_due_v5 (tenant, stream_type, stream_id, due, claimed_until)
    SELECT tenant, stream_type, stream_id, due, claimed_until FROM journal_due;
    DROP TABLE journal_due;
    ALTER TABLE journal_due_v5 RENAME TO journal_due;
    CREATE INDEX journal_due_by_time ON journal_due (tenant, stream_type, due, stream_id);",
    ),
    (
        6,
        "integer stream keys",
        // Each stream gets an integer key in `journal_streams`; an event
        // row names its stream by that key instead of repeating the
        // tenant's, type's and id's text, and the stream's rows are found
        // through `(stream_key, version)`. The rows' B-tree records and the
        // stream index shrink, so a batched append writes fewer pages
        // (DESIGN.md, "Round 19"). Keys are drawn in the order each stream
        // first appears; every row, position and the position sequence are
        // kept. The tenant stays in the event row: the feed's index and
        // the event ids' are per tenant. `AUTOINCREMENT`: a key is never
        // drawn twice, even after the highest stream's row was removed
        // and its events, under that key, are still in the file.
        "CREATE TABLE journal_streams (
        stream_key  INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant      TEXT    NOT NULL,
        stream_type TEXT    NOT NULL,
        stream_id   TEXT    NOT NULL,
        UNIQUE (stream_id, stream_type, tenant)
    ) STRICT;
    INSERT INTO journal_streams (tenant, stream_type, stream_id)
    SELECT tenant, stream_type, stream_id FROM journal_events
    GROUP BY stream_id, stream_type, tenant ORDER BY min(position);

    CREATE TABLE journal_events_v6 (
        position       INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant         TEXT    NOT NULL,
        stream_key     INTEGER NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        event_id       TEXT    NOT NULL,
        event_type     TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        payload        TEXT    NOT NULL,
        actor          TEXT    NOT NULL,
        correlation    TEXT,
        occurred_at    INTEGER NOT NULL,
        recorded_at    INTEGER NOT NULL,
        hash           BLOB    NOT NULL,
        UNIQUE (stream_key, version),
        UNIQUE (event_id, tenant)
    ) STRICT;
    INSERT INTO journal_events_v6 (position, tenant, stream_key, version, event_id,
        event_type, schema_version, payload, actor, correlation, occurred_at, recorded_at, hash)
    SELECT e.position, e.tenant, s.stream_key, e.version, e.event_id,
        e.event_type, e.schema_version, e.payload, e.actor, e.correlation, e.occurred_at,
        e.recorded_at, e.hash
    FROM journal_events AS e
    JOIN journal_streams AS s
      ON s.stream_id = e.stream_id AND s.stream_type = e.stream_type AND s.tenant = e.tenant
    ORDER BY e.position;
    DELETE FROM sqlite_sequence WHERE name = 'journal_events_v6';
    UPDATE sqlite_sequence SET name = 'journal_events_v6' WHERE name = 'journal_events';
    DROP TABLE journal_events;
    ALTER TABLE journal_events_v6 RENAME TO journal_events;
    CREATE INDEX journal_events_by_tenant ON journal_events (tenant, position);",
    ),
];

/// The columns [`convert`] reads, in order, of `journal_events AS e`
/// joined with its stream ([`joined!`]).
macro_rules! columns {
    () => {
        concat!(
            "e.position, e.tenant, s.stream_type, s.stream_id, ",
            event_columns!()
        )
    };
}

/// The columns [`convert`] reads of a row whose stream the caller knows:
/// no join, the stream's type and id left `NULL` (`convert` does not read
/// them).
macro_rules! stream_columns {
    () => {
        concat!("e.position, e.tenant, NULL, NULL, ", event_columns!())
    };
}

/// The columns of `journal_events AS e` after the stream's.
macro_rules! event_columns {
    () => {
        "e.version, e.event_id, e.event_type, e.schema_version, e.payload, e.actor, \
         e.correlation, e.occurred_at, e.recorded_at, e.hash"
    };
}

/// The event rows, each with its stream (`s`): a `LEFT JOIN`, so a row
/// whose stream key names no stream is read, its type and id `NULL`, and
/// reported as corrupt instead of left out.
macro_rules! joined {
    () => {
        " FROM journal_events AS e LEFT JOIN journal_streams AS s ON s.stream_key = e.stream_key"
    };
}

/// The key of the stream whose tenant, type and id are parameters 1, 2
/// and 3 (`NULL` for a stream never written): an uncorrelated subquery,
/// run once per statement.
macro_rules! key_of {
    () => {
        "(SELECT stream_key FROM journal_streams
           WHERE stream_id = ?3 AND stream_type = ?2 AND tenant = ?1)"
    };
}

/// How hard SQLite works to make a commit durable (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Synchronous {
    /// `NORMAL`: with WAL, a commit survives the program crashing; the last
    /// commits may be lost if the machine loses power. The default, and the
    /// usual choice for WAL.
    #[default]
    Normal,
    /// `FULL`: every commit is synced to disk before it returns.
    Full,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        }
    }
}

/// How to open a [`SqliteStore`].
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    busy_timeout: Duration,
    synchronous: Synchronous,
    readers: u32,
    cache_bytes: u64,
    checkpoint_pages: u32,
    clock: Arc<dyn Clock>,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
            synchronous: Synchronous::Normal,
            readers: 4,
            cache_bytes: DEFAULT_CACHE_BYTES,
            checkpoint_pages: DEFAULT_CHECKPOINT_PAGES,
            clock: Arc::new(SystemClock),
        }
    }
}

/// The default page cache of each connection: 64 MiB (SQLite's own
/// default is 2 MiB).
const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

/// The default WAL growth, in pages, between two checkpoints: 10,000
/// pages of 4 KiB (SQLite's own default is 1,000).
const DEFAULT_CHECKPOINT_PAGES: u32 = 10_000;

impl SqliteOptions {
    /// The defaults: a 5 s busy timeout, [`Synchronous::Normal`], 4 reader
    /// connections, a 64 MiB page cache per connection, a checkpoint every
    /// 10,000 WAL pages, the [`SystemClock`].
    pub fn new() -> Self {
        Self::default()
    }

    /// How many reader connections the store keeps beside its writer: at
    /// most this many reads run at once. `0` lets the writer's connection
    /// serve the reads too (one at a time, waiting for a write in
    /// progress), as a private in-memory database always does.
    #[must_use]
    pub fn readers(mut self, readers: u32) -> Self {
        self.readers = readers;
        self
    }

    /// How long a writer waits for another to finish before failing (at
    /// most about 24.8 days, SQLite's limit: a longer one waits that long).
    #[must_use]
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        // Bounded here: the pool's connection timeout is added to an
        // `Instant` too, which a `Duration::MAX` overflows.
        self.busy_timeout = timeout.min(LONGEST_BUSY_TIMEOUT);
        self
    }

    /// How durable a commit is.
    #[must_use]
    pub fn synchronous(mut self, synchronous: Synchronous) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// How much memory each connection (the writer and every reader) may
    /// keep as its page cache (`PRAGMA cache_size`), in bytes; 64 MiB by
    /// default. A sweep or a command touches a few pages of several
    /// indexes per case; with SQLite's own 2 MiB default, a store of a
    /// million cases read most of them from the file again (DESIGN.md,
    /// "Event stores").
    #[must_use]
    pub fn cache_size(mut self, bytes: u64) -> Self {
        self.cache_bytes = bytes;
        self
    }

    /// After how many pages of write-ahead log they are copied into the
    /// database file (a checkpoint); 10,000 by default. The store runs
    /// its checkpoints on a thread and connection of their own (`PRAGMA
    /// wal_checkpoint(PASSIVE)`, with the writer's `synchronous`), so no
    /// commit waits for one; the writer checkpoints itself only when the
    /// log reaches four times `pages` (the thread fell behind). A larger
    /// figure copies a page written by many commits once instead of once
    /// per checkpoint, and lets the log file grow to about `pages` × 4 KiB
    /// between checkpoints; `0` turns the automatic checkpoint off (the
    /// caller then runs `PRAGMA wal_checkpoint`).
    #[must_use]
    pub fn checkpoint_every(mut self, pages: u32) -> Self {
        self.checkpoint_pages = pages;
        self
    }

    /// `PRAGMA cache_size`'s argument: the cache in KiB, negated.
    fn cache_pragma(&self) -> i64 {
        -i64::try_from(self.cache_bytes / 1024).unwrap_or(i64::MAX)
    }

    /// Where `recorded_at` times come from.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// An event store in a SQLite file.
///
/// # One writer, many readers
///
/// A store holds one *writer* connection behind a mutex (SQLite lets one
/// connection write at a time anyway) and a pool of *reader* connections
/// ([`SqliteOptions::readers`], 4 by default) on the same file. Reads —
/// [`read_stream`](EventStore::read_stream), [`read_feed`](EventStore::read_feed),
/// [`stream_version`](EventStore::stream_version), [`due`](EventStore::due),
/// [`list_streams`](EventStore::list_streams), [`anchor`](EventStore::anchor)
/// — take a reader, so many threads read in parallel, and none waits for a
/// write in progress: in WAL mode a read sees the last commit before its
/// statement began, never a write in flight. Every reader has the writer's
/// busy timeout and `synchronous` setting, a statement cache of its own, and
/// `PRAGMA query_only`, so it cannot write by mistake. The pool is
/// [`r2d2`]'s, with one worker thread per store; a read waits for a free
/// reader up to the busy timeout (at least a second).
///
/// A private in-memory database ([`open_in_memory`](Self::open_in_memory))
/// cannot be shared between connections: there, as with `readers(0)`, the
/// writer's connection serves the reads too, one at a time.
///
/// The store is [`Send`] and [`Sync`]. Share one between threads behind an
/// [`Arc`] (`Arc<SqliteStore>` is itself an [`EventStore`]): appends take
/// turns on the writer while reads run on the readers. An async service
/// hands clones of the `Arc` to `spawn_blocking`.
///
/// ```
/// use grassroots::journal::{EventStore, NewEvent, SqliteStore, StreamKey};
///
/// let dir = tempfile::tempdir()?;
/// let store = SqliteStore::open(dir.path().join("journal.db"))?;
/// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
/// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
/// let event = NewEvent::new("e-1".parse()?, "Opened", serde_json::json!("Opened"), "gw-7".parse()?, at);
/// store.append(&stream, 0, &[event])?;
/// assert_eq!(store.read_stream(&stream, 0)?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SqliteStore {
    /// The one connection that writes (and, without readers, reads).
    writer: Mutex<Connection>,
    /// The reader connections; `None` for an in-memory database or
    /// `readers(0)`.
    readers: Option<r2d2::Pool<Readers>>,
    /// The file, `None` in memory.
    path: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    /// The thread that checkpoints the file's write-ahead log; `None` in
    /// memory or with [`SqliteOptions::checkpoint_every`]`(0)`.
    checkpointer: Option<Checkpointer>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field(
                "readers",
                &self.readers.as_ref().map_or(0, r2d2::Pool::max_size),
            )
            .field("clock", &self.clock)
            .field("checkpointer", &self.checkpointer)
            .finish()
    }
}

/// Opens the reader connections of a store's pool: the file's own, with the
/// writer's busy timeout and `synchronous`, `query_only`, and a statement
/// cache each.
#[derive(Debug)]
struct Readers {
    path: PathBuf,
    busy_timeout: Duration,
    synchronous: Synchronous,
    cache_pragma: i64,
}

impl r2d2::ManageConnection for Readers {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let conn = Connection::open(&self.path)?;
        set_busy_timeout(&conn, self.busy_timeout)?;
        conn.pragma_update(None, "synchronous", self.synchronous.pragma())?;
        conn.pragma_update(None, "query_only", true)?;
        conn.pragma_update(None, "cache_size", self.cache_pragma)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch("")
    }

    fn has_broken(&self, _: &mut Connection) -> bool {
        // A SQLite connection does not break: an error leaves it usable.
        false
    }
}

/// Statements each connection keeps prepared.
const STATEMENT_CACHE: usize = 32;

impl SqliteStore {
    /// Opens (or creates) the journal in the file at `path` with the default
    /// [`SqliteOptions`], running any migration it lacks.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when the file cannot be opened or migrated;
    /// [`JournalError::SchemaTooNew`] when a newer library migrated it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens (or creates) the journal in the file at `path`.
    ///
    /// # Errors
    ///
    /// As for [`open`](Self::open).
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, JournalError> {
        let path = path.as_ref();
        let writer = writer(Connection::open(path).map_err(sql)?, &options)?;
        // The readers open once the file is in WAL mode and migrated.
        let readers = match options.readers {
            0 => None,
            size => {
                let manager = Readers {
                    path: path.to_owned(),
                    busy_timeout: options.busy_timeout,
                    synchronous: options.synchronous,
                    cache_pragma: options.cache_pragma(),
                };
                let pool = r2d2::Pool::builder()
                    .max_size(size)
                    // Every reader is opened now and kept: a reader costs a
                    // file handle, and a new one parses the schema again.
                    .min_idle(None)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .test_on_check_out(false)
                    .connection_timeout(options.busy_timeout.max(Duration::from_secs(1)))
                    .thread_pool(worker())
                    .build(manager)
                    .map_err(|e| JournalError::backend(BACKEND, e))?;
                Some(pool)
            }
        };
        let checkpointer = match options.checkpoint_pages {
            0 => None,
            pages => Some(Checkpointer::start(path, &options, pages)?),
        };
        Ok(Self {
            writer: Mutex::new(writer),
            readers,
            path: Some(path.to_owned()),
            clock: options.clock,
            checkpointer,
        })
    }

    /// A journal in a private in-memory database, gone when the store is
    /// dropped. Such a database cannot be shared between connections, so
    /// the one connection serves reads and writes alike (as with
    /// [`SqliteOptions::readers`]`(0)`).
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when SQLite fails.
    pub fn open_in_memory() -> Result<Self, JournalError> {
        let options = SqliteOptions::default();
        let writer = writer(Connection::open_in_memory().map_err(sql)?, &options)?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers: None,
            path: None,
            clock: options.clock,
            checkpointer: None,
        })
    }

    /// The newest migration applied to the file.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when SQLite fails.
    pub fn migration(&self) -> Result<u32, JournalError> {
        self.read(|conn| {
            conn.query_row("SELECT max(version) FROM journal_migrations", [], |row| {
                row.get::<_, Option<u32>>(0)
            })
            .map(|v| v.unwrap_or(0))
            .map_err(sql)
        })
    }

    /// How many reader connections the store keeps (`0`: the writer serves
    /// the reads).
    pub fn readers(&self) -> u32 {
        self.readers.as_ref().map_or(0, r2d2::Pool::max_size)
    }

    /// After a commit on the writer `conn`: the checkpointer's turn.
    fn committed(&self, conn: &Connection) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.committed(conn);
        }
    }

    /// The writer connection.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-append drops its transaction, which rolls back.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `read` on a reader connection (waiting for a free one), or on
    /// the writer's when the store has no readers.
    fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, JournalError>,
    ) -> Result<T, JournalError> {
        match &self.readers {
            Some(pool) => {
                let conn = pool.get().map_err(|e| JournalError::backend(BACKEND, e))?;
                read(&conn)
            }
            None => read(&self.lock()),
        }
    }
}

/// Makes `conn` the store's writer: busy timeout, WAL, `synchronous`, a
/// statement cache, and every migration it lacks.
fn writer(mut conn: Connection, options: &SqliteOptions) -> Result<Connection, JournalError> {
    set_busy_timeout(&conn, options.busy_timeout).map_err(sql)?;
    enable_wal(&conn, options.busy_timeout)?;
    conn.pragma_update(None, "synchronous", options.synchronous.pragma())
        .map_err(sql)?;
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(sql)?;
    conn.pragma_update(None, "cache_size", options.cache_pragma())
        .map_err(sql)?;
    // No checkpoint inside a commit: with `checkpoint_every(n)`, n > 0, the
    // store's checkpointer thread copies the log (`Checkpointer`), and the
    // hook tells the writer how full the log is after each commit.
    conn.pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(sql)?;
    if options.checkpoint_pages > 0 {
        conn.wal_hook(Some(note_wal_pages));
    }
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    migrate(&mut conn)?;
    Ok(conn)
}

/// Switches the file to WAL mode. The switch needs the file to itself and
/// SQLite does not wait for it through the busy handler, so when other
/// connections are opening the same file at the same moment it is retried
/// until the busy timeout runs out.
/// The longest busy timeout SQLite takes: `i32::MAX` milliseconds, about
/// 24.8 days.
const LONGEST_BUSY_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);

/// Sets `conn`'s busy timeout, a longer one than SQLite takes as the
/// longest it does ([`LONGEST_BUSY_TIMEOUT`]): rusqlite panics on it
/// otherwise, and a caller's configured `Duration` is input from outside.
pub(crate) fn set_busy_timeout(conn: &Connection, timeout: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(timeout.min(LONGEST_BUSY_TIMEOUT))
}

pub(crate) fn enable_wal(conn: &Connection, timeout: Duration) -> Result<(), JournalError> {
    let start = Instant::now();
    loop {
        // Returns the mode now in force ("memory" for an in-memory database).
        match conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        }) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::DatabaseBusy && start.elapsed() < timeout =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(sql(e)),
        }
    }
}

thread_local! {
    /// The pages in the write-ahead log after the last commit on this
    /// thread, as SQLite's WAL hook reported them (0 once read).
    static WAL_PAGES: std::cell::Cell<i32> = const { std::cell::Cell::new(0) };
}

/// The writer's WAL hook: notes the log's size. SQLite calls it inside the
/// commit, on the committing thread, which reads it once the commit
/// returned ([`Checkpointer::committed`]).
fn note_wal_pages(_: &rusqlite::hooks::Wal, pages: std::ffi::c_int) -> rusqlite::Result<()> {
    WAL_PAGES.with(|noted| noted.set(pages));
    Ok(())
}

/// Copies a file store's write-ahead log into the database file on a
/// thread of its own (a `PASSIVE` checkpoint, on a connection of its own),
/// so no commit waits for it: the writer asks each time the log has grown
/// by [`SqliteOptions::checkpoint_every`] pages, and checkpoints on its
/// own only when the log reaches four times that (the thread fell behind).
/// The checkpoint's connection has the writer's `synchronous` setting, so
/// it syncs the log and the file as a checkpoint inside a commit would.
struct Checkpointer {
    /// Pages of log growth between two requests.
    every: i32,
    /// The log's size at the last request.
    asked_at: std::sync::atomic::AtomicI32,
    shared: Arc<(Mutex<CheckpointState>, std::sync::Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What the writer asked of the checkpointer thread, and what it did.
#[derive(Debug, Default)]
struct CheckpointState {
    wanted: bool,
    stop: bool,
    /// Checkpoints run so far.
    done: u64,
}

impl fmt::Debug for Checkpointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checkpointer")
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

impl Checkpointer {
    fn start(path: &Path, options: &SqliteOptions, pages: u32) -> Result<Self, JournalError> {
        let conn = Connection::open(path).map_err(sql)?;
        set_busy_timeout(&conn, options.busy_timeout).map_err(sql)?;
        conn.pragma_update(None, "synchronous", options.synchronous.pragma())
            .map_err(sql)?;
        let shared = Arc::new((
            Mutex::new(CheckpointState::default()),
            std::sync::Condvar::new(),
        ));
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("grassroots-sqlite-checkpoint".into())
            .spawn(move || checkpoints(&conn, &theirs))
            .map_err(|e| JournalError::backend(BACKEND, e))?;
        Ok(Self {
            every: i32::try_from(pages).unwrap_or(i32::MAX),
            asked_at: std::sync::atomic::AtomicI32::new(0),
            shared,
            thread: Some(thread),
        })
    }

    /// Called by the writer (holding its lock) after a commit: asks for a
    /// checkpoint when the log has grown by `every` pages since the last
    /// request, and checkpoints on `conn` itself past four times that.
    fn committed(&self, conn: &Connection) {
        use std::sync::atomic::Ordering::Relaxed;
        let pages = WAL_PAGES.with(|noted| noted.replace(0));
        let mut asked_at = self.asked_at.load(Relaxed);
        if pages < asked_at {
            // The log was restarted after a complete checkpoint.
            asked_at = 0;
            self.asked_at.store(0, Relaxed);
        }
        if pages.saturating_sub(asked_at) >= self.every {
            self.asked_at.store(pages, Relaxed);
            let (state, wake) = &*self.shared;
            lock_state(state).wanted = true;
            wake.notify_one();
        }
        if pages >= self.every.saturating_mul(4) {
            // Best effort, as SQLite's own checkpoint after a commit: the
            // commit stands whatever the checkpoint does.
            let _ = checkpoint(conn);
        }
    }

    /// Checkpoints run so far by the thread.
    #[cfg(test)]
    fn done(&self) -> u64 {
        lock_state(&self.shared.0).done
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (state, wake) = &*self.shared;
        lock_state(state).stop = true;
        wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock_state(state: &Mutex<CheckpointState>) -> MutexGuard<'_, CheckpointState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// A `PASSIVE` checkpoint on `conn`: copies what no reader still needs,
/// waits for no one.
fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

/// The checkpointer thread: a checkpoint each time one is wanted, until
/// the store is dropped.
fn checkpoints(conn: &Connection, shared: &(Mutex<CheckpointState>, std::sync::Condvar)) {
    let (state, wake) = shared;
    loop {
        let mut now = lock_state(state);
        while !now.wanted && !now.stop {
            now = wake.wait(now).unwrap_or_else(|e| e.into_inner());
        }
        if now.stop {
            return;
        }
        now.wanted = false;
        drop(now);
        // A failed checkpoint (another connection checkpointing, a busy
        // file) is left to the next request or to the writer's own.
        let _ = checkpoint(conn);
        lock_state(state).done += 1;
    }
}

fn migrate(conn: &mut Connection) -> Result<(), JournalError> {
    migrate_through(conn, u32::MAX)
}

/// Applies, in one transaction, every migration numbered up to `last`
/// that `conn`'s file lacks.
fn migrate_through(conn: &mut Connection, last: u32) -> Result<(), JournalError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS journal_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT;",
    )
    .map_err(sql)?;
    let found: u32 = tx
        .query_row(
            "SELECT coalesce(max(version), 0) FROM journal_migrations",
            [],
            |row| row.get(0),
        )
        .map_err(sql)?;
    let supported = MIGRATIONS.last().map_or(0, |m| m.0);
    if found > supported {
        return Err(JournalError::SchemaTooNew { found, supported });
    }
    for (version, name, script) in MIGRATIONS.iter().filter(|m| m.0 > found && m.0 <= last) {
        tx.execute_batch(script).map_err(sql)?;
        tx.execute(
            "INSERT INTO journal_migrations (version, name, applied_at)
             VALUES (?1, ?2, CAST(unixepoch('subsec') * 1000000 AS INTEGER))",
            params![version, name],
        )
        .map_err(sql)?;
    }
    tx.commit().map_err(sql)
}

/// The pool's one worker thread (r2d2 would start three per pool); pending
/// jobs are dropped with the pool, so no thread outlives the store for long.
fn worker() -> Arc<scheduled_thread_pool::ScheduledThreadPool> {
    Arc::new(
        scheduled_thread_pool::ScheduledThreadPool::builder()
            .num_threads(1)
            .thread_name_pattern("grassroots-sqlite-{}")
            .on_drop_behavior(scheduled_thread_pool::OnPoolDropBehavior::DiscardPendingScheduled)
            .build(),
    )
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Reads rows with `sql_text` (selecting `columns!()`); `stream` is the stream they
/// all belong to, if known.
fn read_rows(
    tx: &Connection,
    sql_text: &str,
    params: impl rusqlite::Params,
    stream: Option<&StreamKey>,
) -> Result<Vec<StoredEvent>, JournalError> {
    let mut stmt = tx.prepare_cached(sql_text).map_err(sql)?;
    let mut rows = stmt.query(params).map_err(sql)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql)? {
        out.push(convert(row, stream.cloned(), None)?);
    }
    Ok(out)
}

/// The position of a row selecting `columns!()`.
fn position(row: &rusqlite::Row<'_>) -> Result<u64, JournalError> {
    let position: i64 = row.get(0).map_err(sql)?;
    Ok(u64::try_from(position).unwrap_or(0))
}

/// The text in column `i` of `row`, at `position`.
fn text<'r>(
    row: &'r rusqlite::Row<'_>,
    position: u64,
    i: usize,
    column: &'static str,
) -> Result<&'r str, JournalError> {
    row.get_ref(i)
        .map_err(sql)?
        .as_str()
        .map_err(|_| JournalError::Corrupt { position, column })
}

/// The stream of a feed row of `tenant`'s at `position`, its type and id
/// in columns `at` and `at + 1`. The query asked for the
/// tenant's rows, so the row's tenant is `tenant` (SQLite compares text
/// byte for byte); a stream type equal to the one of the row before is
/// that one's, already checked, and so is a whole stream (type and id)
/// equal to the row before's — a case's events lie together in a log
/// written a case at a time. A changed stream id is checked.
fn feed_stream(
    row: &rusqlite::Row<'_>,
    position: u64,
    at: usize,
    tenant: &TenantId,
    before: Option<&StreamKey>,
) -> Result<StreamKey, JournalError> {
    let corrupt = |column: &'static str| JournalError::Corrupt { position, column };
    // No stream joined: the row's key names none (its registration was
    // removed behind the store's back).
    if row.get_ref(at).map_err(sql)?.data_type() == rusqlite::types::Type::Null {
        return Err(corrupt("stream_key"));
    }
    let stream_type = text(row, position, at, "stream_type")?;
    let id = || text(row, position, at + 1, "stream_id");
    let (stream_type, id) = match before {
        Some(b) if b.stream_type.as_str() == stream_type => {
            let id = id()?;
            if b.id.as_str() == id {
                return Ok(b.clone());
            }
            (b.stream_type.clone(), id)
        }
        _ => (
            StreamType::new(stream_type).map_err(|_| corrupt("stream_type"))?,
            id()?,
        ),
    };
    let id = CaseId::new(id).map_err(|_| corrupt("stream_id"))?;
    Ok(StreamKey::new(tenant.clone(), stream_type, id))
}

/// The stored event of `row` (selecting `columns!()`), of stream `known`
/// when the caller knows it (else read from the row), each column
/// checked; an actor equal to `actor_before` (the row before's, already
/// checked) is that one.
fn convert(
    row: &rusqlite::Row<'_>,
    known: Option<StreamKey>,
    actor_before: Option<&ActorId>,
) -> Result<StoredEvent, JournalError> {
    let position = position(row)?;
    let corrupt = |column: &'static str| JournalError::Corrupt { position, column };
    let text = |i: usize, column: &'static str| text(row, position, i, column);
    let stream = match known {
        Some(stream) => stream,
        None => StreamKey::new(
            TenantId::new(text(1, "tenant")?).map_err(|_| corrupt("tenant"))?,
            StreamType::new(text(2, "stream_type")?).map_err(|_| corrupt("stream_type"))?,
            CaseId::new(text(3, "stream_id")?).map_err(|_| corrupt("stream_id"))?,
        ),
    };
    let e = read_event(row, position, &stream, [4, 6], actor_before, |text| {
        serde_json::from_str::<Value>(text)
    })?;
    let recorded_at: i64 = row.get(12).map_err(sql)?;
    let hash = row.get_ref(13).map_err(sql)?.as_blob().ok();
    Ok(StoredEvent {
        position,
        version: e.version,
        event_id: EventId::new(text(5, "event_id")?).map_err(|_| corrupt("event_id"))?,
        event_type: e.event_type,
        schema_version: e.schema_version,
        payload: e.payload,
        actor: e.actor,
        correlation: e.correlation,
        occurred_at: e.occurred_at,
        recorded_at: from_micros(recorded_at).ok_or_else(|| corrupt("recorded_at"))?,
        hash: hash
            .and_then(EventHash::from_slice)
            .ok_or_else(|| corrupt("hash"))?,
        stream,
    })
}

/// The columns the lean feed reads (`read_feed_rows`): what a [`FeedRow`]
/// holds, the stream's type and id at 1 and 2.
macro_rules! feed_row_columns {
    () => {
        "e.position, s.stream_type, s.stream_id, e.version, e.event_type, e.schema_version, \
         e.payload, e.actor, e.correlation, e.occurred_at"
    };
}

/// The feed row of `row` (selecting `feed_row_columns!()`) at `position`,
/// of stream `stream`: each column checked as [`convert`] checks it,
/// in the same order, its payload checked to be JSON and kept as text; an
/// actor equal to `actor_before` (the row before's, already checked) is
/// that one.
fn convert_row(
    row: &rusqlite::Row<'_>,
    position: u64,
    stream: StreamKey,
    actor_before: Option<&ActorId>,
) -> Result<FeedRow, JournalError> {
    let e = read_event(row, position, &stream, [3, 4], actor_before, |text| {
        super::json_text(text)
    })?;
    Ok(FeedRow {
        position,
        version: e.version,
        event_type: e.event_type,
        schema_version: e.schema_version,
        payload: e.payload,
        actor: e.actor,
        correlation: e.correlation,
        occurred_at: e.occurred_at,
        stream,
    })
}

/// The columns an event's full row and its feed row share.
struct EventColumns<P> {
    version: u64,
    event_type: String,
    schema_version: u32,
    payload: P,
    actor: ActorId,
    correlation: Option<CorrelationId>,
    occurred_at: DateTime<Utc>,
}

/// The shared columns of `row` at `position`, of `stream`: the version in
/// column `at[0]`; the event type, schema version, payload (read by
/// `parse`), actor, correlation and occurred time in the six columns from
/// `at[1]`. Each is checked; an actor equal to `actor_before` (checked
/// already) is cloned, not checked again.
fn read_event<P>(
    row: &rusqlite::Row<'_>,
    position: u64,
    stream: &StreamKey,
    at: [usize; 2],
    actor_before: Option<&ActorId>,
    parse: impl FnOnce(&str) -> serde_json::Result<P>,
) -> Result<EventColumns<P>, JournalError> {
    let corrupt = |column: &'static str| JournalError::Corrupt { position, column };
    let text = |i: usize, column: &'static str| text(row, position, i, column);
    let [at_version, at] = at;
    let version: i64 = row.get(at_version).map_err(sql)?;
    let version = u64::try_from(version).map_err(|_| corrupt("version"))?;
    let event_type = text(at, "event_type")?.to_owned();
    let schema_version: i64 = row.get(at + 1).map_err(sql)?;
    let schema_version = u32::try_from(schema_version).map_err(|_| corrupt("schema_version"))?;
    let payload = parse(text(at + 2, "payload")?).map_err(|source| JournalError::Decode {
        stream: stream.clone(),
        version,
        event_type: event_type.as_str().into(),
        schema_version,
        source,
    })?;
    let correlation = match row.get_ref(at + 4).map_err(sql)?.as_str_or_null() {
        Ok(None) => None,
        Ok(Some(c)) => Some(CorrelationId::new(c).map_err(|_| corrupt("correlation"))?),
        Err(_) => return Err(corrupt("correlation")),
    };
    let occurred_at: i64 = row.get(at + 5).map_err(sql)?;
    Ok(EventColumns {
        version,
        event_type,
        schema_version,
        payload,
        actor: match (actor_before, text(at + 3, "actor")?) {
            (Some(before), actor) if before.as_str() == actor => before.clone(),
            (_, actor) => ActorId::new(actor).map_err(|_| corrupt("actor"))?,
        },
        correlation,
        occurred_at: from_micros(occurred_at).ok_or_else(|| corrupt("occurred_at"))?,
    })
}

/// The rows of one stream after a version, in order: the text shared by
/// [`stream_range`]'s two statements.
macro_rules! stream_rows_sql {
    () => {
        concat!(
            "SELECT ",
            stream_columns!(),
            " FROM journal_events AS e WHERE e.stream_key = ",
            key_of!(),
            " AND +e.tenant = ?1 AND e.version > ?4 ORDER BY e.version"
        )
    };
}

fn stream_range(
    conn: &Connection,
    stream: &StreamKey,
    after: u64,
    limit: Option<usize>,
) -> Result<Vec<StoredEvent>, JournalError> {
    let (tenant, kind, id) = (
        stream.tenant.as_str(),
        stream.stream_type.as_str(),
        stream.id.as_str(),
    );
    let after = to_i64(after);
    // Two statements, not `LIMIT -1`: SQLite prepares a statement whose
    // LIMIT is a parameter again on every new binding (measured: the whole
    // cost of a sweep's loads went to re-preparing the read).
    match limit {
        None => read_rows(
            conn,
            stream_rows_sql!(),
            params![tenant, kind, id, after],
            Some(stream),
        ),
        Some(limit) => read_rows(
            conn,
            concat!(stream_rows_sql!(), " LIMIT ?5"),
            params![
                tenant,
                kind,
                id,
                after,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            Some(stream),
        ),
    }
}

/// A stream's anchor and all its rows in one statement, so in one read
/// transaction: the anchor row joined with the stream's rows (`columns!()`
/// first, then the anchor's version and hash). No row: no anchor.
const ANCHORED_ROWS_SQL: &str = concat!(
    "SELECT ",
    stream_columns!(),
    ", h.version, h.hash
     FROM journal_heads AS h
     LEFT JOIN journal_events AS e ON e.stream_key = ",
    key_of!(),
    " AND +e.tenant = ?1
     WHERE h.tenant = ?1 AND h.stream_type = ?2 AND h.stream_id = ?3
     ORDER BY e.version"
);

/// `stream`'s anchor and all its rows, read in one transaction (see
/// [`EventStore::read_anchored_stream_with`]). A stream without an anchor
/// (unknown, or its anchor removed behind the store's back) has its rows
/// read after, in a transaction of their own: rows only grow after the
/// anchor was found missing.
fn anchored_rows(
    conn: &Connection,
    stream: &StreamKey,
) -> Result<(Option<StreamHead>, Vec<StoredEvent>), JournalError> {
    let mut stmt = conn.prepare_cached(ANCHORED_ROWS_SQL).map_err(sql)?;
    let mut found = stmt
        .query(params![
            stream.tenant.as_str(),
            stream.stream_type.as_str(),
            stream.id.as_str()
        ])
        .map_err(sql)?;
    let mut anchor = None;
    let mut rows = Vec::new();
    while let Some(row) = found.next().map_err(sql)? {
        if anchor.is_none() {
            anchor = Some(anchor_of(row, 14)?);
        }
        // The anchor's row alone: the stream has no rows left.
        if row.get_ref(0).map_err(sql)?.data_type() == rusqlite::types::Type::Null {
            break;
        }
        rows.push(convert(row, Some(stream.clone()), None)?);
    }
    drop(found);
    match anchor {
        Some(anchor) => Ok((Some(anchor), rows)),
        None => Ok((None, stream_range(conn, stream, 0, None)?)),
    }
}

/// The anchor in columns `at` (version) and `at + 1` (hash) of `row`.
fn anchor_of(row: &rusqlite::Row<'_>, at: usize) -> Result<StreamHead, JournalError> {
    let corrupt = |column| JournalError::Corrupt {
        position: 0,
        column,
    };
    let version: i64 = row.get(at).map_err(sql)?;
    let hash = row
        .get_ref(at + 1)
        .map_err(sql)?
        .as_blob()
        .ok()
        .and_then(EventHash::from_slice);
    Ok(StreamHead {
        version: u64::try_from(version).map_err(|_| corrupt("journal_heads.version"))?,
        hash: hash.ok_or_else(|| corrupt("journal_heads.hash"))?,
    })
}

fn event_id_taken(tx: &Connection, tenant: &TenantId, id: &EventId) -> Result<bool, JournalError> {
    tx.prepare_cached("SELECT 1 FROM journal_events WHERE event_id = ?2 AND tenant = ?1")
        .map_err(sql)?
        .exists(params![tenant.as_str(), id.as_str()])
        .map_err(sql)
}

/// The anchored head of `stream`, if it has one.
fn read_anchor(conn: &Connection, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT version, hash FROM journal_heads
             WHERE tenant = ?1 AND stream_type = ?2 AND stream_id = ?3",
        )
        .map_err(sql)?;
    let mut found = stmt
        .query(params![
            stream.tenant.as_str(),
            stream.stream_type.as_str(),
            stream.id.as_str()
        ])
        .map_err(sql)?;
    match found.next().map_err(sql)? {
        Some(row) => anchor_of(row, 0).map(Some),
        None => Ok(None),
    }
}

/// Moves `stream`'s anchor to `head`, inside the append's transaction:
/// an `UPDATE` of the row the append read (`anchored`), else an `INSERT`.
fn write_anchor(
    tx: &Connection,
    stream: &StreamKey,
    head: StreamHead,
    anchored: bool,
) -> rusqlite::Result<()> {
    let sql_text = if anchored {
        "UPDATE journal_heads SET version = ?4, hash = ?5
         WHERE tenant = ?1 AND stream_type = ?2 AND stream_id = ?3"
    } else {
        "INSERT INTO journal_heads (tenant, stream_type, stream_id, version, hash)
         VALUES (?1, ?2, ?3, ?4, ?5)"
    };
    let changed = tx.prepare_cached(sql_text)?.execute(params![
        stream.tenant.as_str(),
        stream.stream_type.as_str(),
        stream.id.as_str(),
        to_i64(head.version),
        &head.hash.as_bytes()[..]
    ])?;
    if changed == 1 {
        Ok(())
    } else {
        // The row read in this transaction is gone: nothing but a bug
        // could do that, and the append must not commit without its anchor.
        Err(rusqlite::Error::StatementChangedRows(changed))
    }
}

/// One event ready to insert.
struct Row<'a> {
    version: i64,
    event: &'a NewEvent,
    /// Its canonical payload, as a range of the batch's payload buffer.
    payload: std::ops::Range<usize>,
    occurred_at: i64,
    hash: EventHash,
}

/// The most rows one `INSERT` statement carries.
const MAX_CHUNK: usize = 64;

/// How many of `left` rows the next `INSERT` takes: the largest power of two
/// up to [`MAX_CHUNK`], so a batch needs few distinct (cached) statements.
fn chunk_size(left: usize) -> usize {
    if left >= MAX_CHUNK {
        MAX_CHUNK
    } else {
        1 << (usize::BITS - 1 - left.leading_zeros())
    }
}

/// The `INSERT` of `rows` rows: parameters 1–3 are shared by every row
/// (tenant, stream key, recorded-at), then 9 per row.
///
/// `OR FAIL`: a row a constraint refuses ends the statement but keeps the
/// rows it inserted before, instead of undoing the statement (`ABORT`,
/// SQLite's default). Nothing is kept either way: [`append_in`] answers
/// [`PartError::DuplicateId`] or [`PartError::Failed`], and every caller
/// rolls the whole transaction back. Without an undo of its own, a
/// statement of many rows inside a transaction needs no statement journal
/// (SQLite keeps one only for a statement that writes several rows and
/// may abort): the copy of every page it changes, about a twentieth of a
/// batched append's time (DESIGN.md, "Round 17").
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT OR FAIL INTO journal_events (tenant, stream_key, version, event_id,
            event_type, schema_version, payload, actor, correlation, occurred_at, recorded_at,
            hash) VALUES ",
    );
    for r in 0..rows {
        let p = 4 + r * 9;
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(?1,?2,?{},?{},?{},?{},?{},?{},?{},?{},?3,?{})",
            p,
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6,
            p + 7,
            p + 8
        ));
    }
    sql
}

/// Inserts `chunk` with one statement and returns the position of its last
/// row (positions within one statement are consecutive).
fn insert_chunk(
    tx: &Connection,
    stream: &StreamKey,
    key: i64,
    recorded_at: i64,
    chunk: &[Row<'_>],
    payloads: &str,
) -> rusqlite::Result<u64> {
    static SQL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let sql = SQL.get_or_init(|| {
        (0..=MAX_CHUNK.trailing_zeros())
            .map(|k| insert_sql(1 << k))
            .collect()
    });
    let mut stmt = tx.prepare_cached(&sql[chunk.len().trailing_zeros() as usize])?;
    stmt.raw_bind_parameter(1, stream.tenant.as_str())?;
    stmt.raw_bind_parameter(2, key)?;
    stmt.raw_bind_parameter(3, recorded_at)?;
    for (r, row) in chunk.iter().enumerate() {
        let p = 4 + r * 9;
        let event = row.event;
        stmt.raw_bind_parameter(p, row.version)?;
        stmt.raw_bind_parameter(p + 1, event.event_id.as_str())?;
        stmt.raw_bind_parameter(p + 2, event.event_type.as_str())?;
        stmt.raw_bind_parameter(p + 3, i64::from(event.schema_version))?;
        stmt.raw_bind_parameter(p + 4, payloads.get(row.payload.clone()).unwrap_or("null"))?;
        stmt.raw_bind_parameter(p + 5, event.actor.as_str())?;
        stmt.raw_bind_parameter(p + 6, event.correlation.as_ref().map(CorrelationId::as_str))?;
        stmt.raw_bind_parameter(p + 7, row.occurred_at)?;
        stmt.raw_bind_parameter(p + 8, &row.hash.as_bytes()[..])?;
    }
    stmt.raw_execute()?;
    Ok(u64::try_from(tx.last_insert_rowid()).unwrap_or(0))
}

/// Why one stream's append inside an open transaction failed.
enum PartError {
    /// Refused before anything was written: the transaction may go on.
    Refused(JournalError),
    /// An event id was taken (a unique index refused a row mid-insert): the
    /// transaction holds part of the stream's rows and must be rolled back.
    DuplicateId,
    /// Storage failed mid-write: the transaction must be rolled back.
    Failed(JournalError),
}

impl From<JournalError> for PartError {
    fn from(e: JournalError) -> Self {
        PartError::Refused(e)
    }
}

/// What an append reads of a stream before it writes: the version and hash
/// of its last row (0 and [`EventHash::GENESIS`] without rows) and its
/// anchor, and the stream's key (`None` for a stream never written).
struct Found {
    version: u64,
    hash: EventHash,
    anchor: Option<StreamHead>,
    key: Option<i64>,
}

/// The head of `stream`'s rows, its anchor and its key. Plain lookups: one
/// statement joining the head and the anchor cost more than both (SQLite
/// materialised the `LIMIT` subquery; callgrind, the sweep bench).
fn head_and_anchor(tx: &Connection, stream: &StreamKey) -> Result<Found, JournalError> {
    let key: Option<i64> = tx
        .prepare_cached(
            "SELECT stream_key FROM journal_streams
             WHERE stream_id = ?3 AND stream_type = ?2 AND tenant = ?1",
        )
        .map_err(sql)?
        .query_row(
            params![
                stream.tenant.as_str(),
                stream.stream_type.as_str(),
                stream.id.as_str()
            ],
            |row| row.get(0),
        )
        .optional()
        .map_err(sql)?;
    let head = match key {
        None => None,
        Some(key) => tx
            .prepare_cached(HEAD_SQL)
            .map_err(sql)?
            .query_row(params![key, stream.tenant.as_str()], |row| {
                let version: i64 = row.get(0)?;
                let hash = row
                    .get_ref(1)?
                    .as_blob()
                    .ok()
                    .and_then(EventHash::from_slice);
                Ok((version, hash))
            })
            .optional()
            .map_err(sql)?,
    };
    let (version, hash) = match head {
        None => (0, EventHash::GENESIS),
        Some((version, hash)) => (
            u64::try_from(version).unwrap_or(0),
            hash.unwrap_or(EventHash::GENESIS),
        ),
    };
    Ok(Found {
        version,
        hash,
        anchor: read_anchor(tx, stream)?,
        key,
    })
}

/// The version and hash of the last row of the stream keyed `?1` in
/// tenant `?2`. The tenant is compared, not searched (`+`): the stream's
/// key leads the search.
const HEAD_SQL: &str = "SELECT version, hash FROM journal_events
     WHERE stream_key = ?1 AND +tenant = ?2
     ORDER BY version DESC LIMIT 1";

/// The key of `stream`, found by [`head_and_anchor`] or, for a stream never
/// written, drawn now (a new row of `journal_streams`).
fn stream_key(tx: &Connection, stream: &StreamKey, found: Option<i64>) -> rusqlite::Result<i64> {
    match found {
        Some(key) => Ok(key),
        None => {
            tx.prepare_cached(
                "INSERT INTO journal_streams (tenant, stream_type, stream_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![
                stream.tenant.as_str(),
                stream.stream_type.as_str(),
                stream.id.as_str()
            ])?;
            Ok(tx.last_insert_rowid())
        }
    }
}

/// The stream and version of tenant `?1`'s event `?2`.
const RETRY_SQL: &str = concat!(
    "SELECT s.stream_type, s.stream_id, e.version",
    joined!(),
    " WHERE e.event_id = ?2 AND e.tenant = ?1"
);

/// What an append whose first event id is already recorded means (an
/// idempotent retry or a duplicate id), or `None` when the id is free.
fn recorded_retry(
    tx: &Connection,
    stream: &StreamKey,
    expected_version: u64,
    events: &[NewEvent],
) -> Result<Option<Appended>, JournalError> {
    let Some(first) = events.first() else {
        return Ok(None);
    };
    // The stream's type and id are `NULL` when the row's stream key names
    // no stream.
    let found: Option<(Option<String>, Option<String>, i64)> = tx
        .prepare_cached(RETRY_SQL)
        .map_err(sql)?
        .query_row(
            params![stream.tenant.as_str(), first.event_id.as_str()],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .map_err(sql)?;
    let Some((stream_type, stream_id, version)) = found else {
        return Ok(None);
    };
    let corrupt = |column| JournalError::Corrupt {
        position: 0,
        column,
    };
    if stream_type.is_none() {
        // The row's key names no stream.
        return Err(corrupt("stream_key"));
    }
    let found_stream = StreamKey::new(
        stream.tenant.clone(),
        stream_type
            .as_deref()
            .and_then(|t| StreamType::new(t).ok())
            .ok_or_else(|| corrupt("stream_type"))?,
        stream_id
            .as_deref()
            .and_then(|id| CaseId::new(id).ok())
            .ok_or_else(|| corrupt("stream_id"))?,
    );
    let recorded = stream_range(tx, &found_stream, expected_version, Some(events.len()))?;
    retry_outcome(
        stream,
        expected_version,
        events,
        &found_stream,
        u64::try_from(version).unwrap_or(0),
        &recorded,
    )
    .map(Some)
}

/// One stream's append inside the open transaction `tx`: every check first
/// (the version, the anchor, a retry, the payloads), then the writes. A
/// refusal writes nothing and leaves the transaction usable, so
/// [`EventStore::append_streams`] can write a batch of streams in one
/// commit without a savepoint per stream.
///
/// For a stream whose version and anchor are as expected: the reads of its
/// key, its head and its anchor, the rows' inserts (after the stream's
/// key is drawn, if it has none yet), the anchor's write and the due
/// entry's. The lookup of the first event id, which tells an
/// idempotent retry from a conflict, runs only when the version or the
/// anchor is not as expected. When they are, a recorded first id cannot be
/// a retry (its version would be past the head), so it can only be a
/// duplicate, and the event-id index refuses the insert just as it refuses
/// any later event's id ([`PartError::DuplicateId`]).
fn append_in(
    tx: &Connection,
    recorded_at: i64,
    stream: &StreamKey,
    expected_version: u64,
    events: &[NewEvent],
    due: DueUpdate,
) -> Result<Appended, PartError> {
    let found = head_and_anchor(tx, stream)?;
    let actual = found.version;
    let anchored = check_anchor(stream, actual, found.hash, found.anchor);
    if actual != expected_version || anchored.is_err() {
        if let Some(retry) = recorded_retry(tx, stream, expected_version, events)? {
            return Ok(retry);
        }
        anchored?;
        return Err(PartError::Refused(JournalError::VersionConflict {
            stream: stream.clone(),
            expected: expected_version,
            actual,
        }));
    }
    let mut prev = found.hash;
    // Hash every event first (the chain runs through the batch), keeping
    // the canonical payloads in one buffer.
    let mut payloads = Vec::with_capacity(events.len() * 128);
    let mut rows = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let version = expected_version + 1 + i as u64;
        let start = payloads.len();
        stage_payload(stream, version, event, &mut payloads)?;
        let occurred_at = to_micros(event.occurred_at);
        let hash =
            HashFields::of_new(stream, version, event, &payloads[start..], occurred_at).link(&prev);
        prev = hash;
        rows.push(Row {
            version: to_i64(version),
            event,
            payload: start..payloads.len(),
            occurred_at,
            hash,
        });
    }
    // The canonical form is JSON text written from `str` pieces: UTF-8.
    let payloads = std::str::from_utf8(&payloads).unwrap_or_default();
    let key = if events.is_empty() {
        0
    } else {
        stream_key(tx, stream, found.key).map_err(|e| PartError::Failed(sql(e)))?
    };
    let mut positions = 0..0;
    let mut rest = &rows[..];
    while !rest.is_empty() {
        let size = chunk_size(rest.len());
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let inserted = insert_chunk(tx, stream, key, recorded_at, chunk, payloads);
        match inserted {
            Ok(last) => {
                if positions.is_empty() {
                    positions.start = last + 1 - size as u64;
                }
                positions.end = last + 1;
            }
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::ConstraintViolation =>
            {
                return Err(PartError::DuplicateId);
            }
            Err(e) => return Err(PartError::Failed(sql(e))),
        }
    }
    if !events.is_empty() {
        let head = StreamHead {
            version: expected_version + events.len() as u64,
            hash: prev,
        };
        write_anchor(tx, stream, head, found.anchor.is_some())
            .map_err(|e| PartError::Failed(sql(e)))?;
    }
    super::due::sqlite::write(tx, stream, due, found.anchor.is_some())
        .map_err(PartError::Failed)?;
    Ok(Appended {
        version: expected_version + events.len() as u64,
        positions,
        outcome: AppendOutcome::Recorded,
    })
}

/// The event of `events` whose id is taken in `tenant`, or repeated in
/// `events` or in `others`: what a unique index refused.
fn duplicate_of(
    tx: &Connection,
    stream: &StreamKey,
    events: &[NewEvent],
    others: &[&[NewEvent]],
) -> Result<JournalError, JournalError> {
    let duplicate = first_duplicate(events, |id| {
        let elsewhere = others
            .iter()
            .any(|other| other.iter().any(|e| &e.event_id == id));
        Ok(elsewhere || event_id_taken(tx, &stream.tenant, id)?)
    })?;
    Ok(match duplicate {
        Some(event_id) => JournalError::DuplicateEventId {
            stream: stream.clone(),
            event_id: event_id.clone(),
        },
        None => JournalError::backend(
            BACKEND,
            std::io::Error::other(format!(
                "a unique index refused a row of stream {stream}, but no event id is taken: \
                 the file holds a row at one of its versions under its key \
                 (journal_streams and journal_events disagree)"
            )),
        ),
    })
}

impl SqliteStore {
    /// [`EventStore::append_with_due`] inside its span.
    fn append_one(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let recorded_at = to_micros(self.clock.now());
        match append_in(&tx, recorded_at, stream, expected_version, events, due) {
            Ok(appended) => {
                tx.commit().map_err(sql)?;
                self.committed(&conn);
                Ok(appended)
            }
            Err(PartError::Refused(e) | PartError::Failed(e)) => Err(e),
            Err(PartError::DuplicateId) => {
                // Roll back the rows inserted so far, then find the event
                // id that was taken.
                drop(tx);
                let tx = conn.transaction().map_err(sql)?;
                Err(duplicate_of(&tx, stream, events, &[])?)
            }
        }
    }

    /// [`EventStore::append_streams`] inside its span.
    fn append_batch(
        &self,
        batch: &[StreamAppend<'_>],
    ) -> Result<Vec<Result<Appended, JournalError>>, JournalError> {
        let mut conn = self.lock();
        // A part whose event id a unique index refused mid-insert leaves
        // rows behind: the transaction is rolled back, the part is set
        // aside with its error, and the batch is written again without it.
        let mut set_aside: Vec<Option<JournalError>> = batch.iter().map(|_| None).collect();
        loop {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql)?;
            let recorded_at = to_micros(self.clock.now());
            let mut outcomes = Vec::with_capacity(batch.len());
            let mut broken = None;
            for (i, part) in batch.iter().enumerate() {
                if set_aside[i].is_some() {
                    continue;
                }
                let appended = append_in(
                    &tx,
                    recorded_at,
                    part.stream,
                    part.expected_version,
                    part.events,
                    part.due,
                );
                match appended {
                    Ok(appended) => outcomes.push(Ok(appended)),
                    Err(PartError::Refused(e)) => outcomes.push(Err(e)),
                    Err(PartError::Failed(e)) => return Err(e),
                    Err(PartError::DuplicateId) => {
                        broken = Some(i);
                        break;
                    }
                }
            }
            let Some(i) = broken else {
                tx.commit().map_err(sql)?;
                self.committed(&conn);
                // Every part not set aside has its outcome, in order.
                let mut outcomes = outcomes.into_iter();
                return Ok(set_aside
                    .into_iter()
                    .filter_map(|aside| match aside {
                        Some(e) => Some(Err(e)),
                        None => outcomes.next(),
                    })
                    .collect());
            };
            drop(tx);
            let tx = conn.transaction().map_err(sql)?;
            let others: Vec<&[NewEvent]> = batch[..i]
                .iter()
                .zip(&set_aside)
                .filter(|(_, aside)| aside.is_none())
                .map(|(part, _)| part.events)
                .collect();
            set_aside[i] = Some(duplicate_of(
                &tx,
                batch[i].stream,
                batch[i].events,
                &others,
            )?);
            drop(tx);
        }
    }
}

impl EventStore for SqliteStore {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        super::trace::append(BACKEND, stream, events.len()).appended(self.append_one(
            stream,
            expected_version,
            events,
            due,
        ))
    }

    fn append_streams(
        &self,
        batch: &[StreamAppend<'_>],
    ) -> Result<Vec<Result<Appended, JournalError>>, JournalError> {
        let events = batch.iter().map(|part| part.events.len()).sum();
        super::trace::append_batch(BACKEND, batch.len(), events)
            .appended_batch(self.append_batch(batch))
    }

    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        self.read(|conn| stream_range(conn, stream, after, None))
    }

    fn read_anchored_stream_with(
        &self,
        stream: &StreamKey,
        visit: &mut dyn FnMut(Option<StreamHead>, &[StoredEvent]),
    ) -> Result<(), JournalError> {
        let (anchor, rows) = self.read(|conn| anchored_rows(conn, stream))?;
        visit(anchor, &rows);
        Ok(())
    }

    fn read_anchored_streams_with(
        &self,
        streams: &[&StreamKey],
        visit: &mut dyn FnMut(usize, super::AnchoredRead<'_>),
    ) -> Result<(), JournalError> {
        self.read(|conn| {
            // One read transaction for them all: one snapshot, one shared
            // lock taken and dropped (two `fcntl` calls, not two a stream),
            // and the reader's page cache, emptied when another connection
            // committed since its last read, emptied once, not once a
            // stream (DESIGN.md, "The SQLite sweep, round 9").
            let tx = conn.unchecked_transaction().map_err(sql)?;
            for (i, stream) in streams.iter().enumerate() {
                match anchored_rows(&tx, stream) {
                    Ok((anchor, rows)) => visit(i, Ok((anchor, &rows))),
                    Err(e) => visit(i, Err(e)),
                }
            }
            // Nothing was written: ending the read transaction by a
            // rollback cannot lose anything.
            drop(tx);
            Ok(())
        })
    }

    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage, JournalError> {
        self.read(|conn| read_feed(conn, tenant, after, limit))
    }

    fn read_feed_rows(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage<FeedRow>, JournalError> {
        self.read(|conn| read_feed_rows(conn, tenant, after, limit))
    }

    fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        self.read(|conn| read_anchor(conn, stream))
    }

    fn snapshot(&self, stream: &StreamKey) -> Result<Option<super::Snapshot>, JournalError> {
        self.read(|conn| super::snapshot::sqlite::get(conn, stream))
    }

    fn put_snapshot(&self, snapshot: &super::Snapshot) -> Result<(), JournalError> {
        super::snapshot::sqlite::put(&self.lock(), snapshot)
    }

    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        self.read(|conn| super::due::sqlite::page(conn, query))
    }

    fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
        let now = self.clock.now();
        super::due::sqlite::claim(&self.lock(), query, now, lease)
    }

    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        super::due::sqlite::replace(&mut self.lock(), tenant, stream_type, entries)
    }

    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        self.read(|conn| stream_version(conn, stream))
    }

    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        self.read(|conn| list_streams(conn, tenant, stream_type, after, limit))
    }
}

/// A page of tenant `?1`'s feed after position `?2`, `?3` rows at most.
const FEED_SQL: &str = concat!(
    "SELECT ",
    columns!(),
    joined!(),
    " WHERE e.tenant = ?1 AND e.position > ?2 ORDER BY e.position LIMIT ?3"
);

/// One page of `tenant`'s feed after position `after`.
fn read_feed(
    conn: &Connection,
    tenant: &TenantId,
    after: u64,
    limit: usize,
) -> Result<FeedPage, JournalError> {
    read_feed_with(
        conn,
        FEED_SQL,
        2,
        tenant,
        after,
        limit,
        |row, _, stream, actor| convert(row, Some(stream), actor),
    )
}

/// A page of tenant `?1`'s lean feed after position `?2`, `?3` rows at
/// most, through the `(tenant, position)` index.
const FEED_ROWS_SQL: &str = concat!(
    "SELECT ",
    feed_row_columns!(),
    joined!(),
    " WHERE e.tenant = ?1 AND e.position > ?2 ORDER BY e.position LIMIT ?3"
);

/// [`FEED_ROWS_SQL`] read from the table in position order, for a file
/// that holds one tenant's events.
const FEED_ROWS_ALONE_SQL: &str = concat!(
    "SELECT ",
    feed_row_columns!(),
    " FROM journal_events AS e NOT INDEXED \
     LEFT JOIN journal_streams AS s ON s.stream_key = e.stream_key \
     WHERE e.position > ?2 AND e.tenant = ?1 ORDER BY e.position LIMIT ?3"
);

/// One page of `tenant`'s lean feed ([`FeedRow`]s) after position `after`:
/// only the columns a feed row holds are read. When the file holds no
/// other tenant's events, the rows are read in position order from the
/// table itself (its key is the position) instead of through the
/// `(tenant, position)` index and a lookup of each row in the table: the
/// same rows, the tenant still compared on each, at less cost per row. A
/// file shared by tenants is read through the index, so a page reads no
/// other tenant's rows.
fn read_feed_rows(
    conn: &Connection,
    tenant: &TenantId,
    after: u64,
    limit: usize,
) -> Result<FeedPage<FeedRow>, JournalError> {
    let query = if holds_only(conn, tenant)? {
        FEED_ROWS_ALONE_SQL
    } else {
        FEED_ROWS_SQL
    };
    read_feed_with(conn, query, 1, tenant, after, limit, convert_row)
}

/// Whether every event in the file is `tenant`'s (and there is one): the
/// least and the greatest tenant, each read from the `(tenant, position)`
/// index's ends, are `tenant`.
fn holds_only(conn: &Connection, tenant: &TenantId) -> Result<bool, JournalError> {
    let (least, greatest): (Option<String>, Option<String>) = conn
        .prepare_cached(
            "SELECT (SELECT min(tenant) FROM journal_events), \
                    (SELECT max(tenant) FROM journal_events)",
        )
        .map_err(sql)?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(sql)?;
    Ok(least.as_deref() == Some(tenant.as_str()) && greatest.as_deref() == Some(tenant.as_str()))
}

/// One page of `tenant`'s feed after position `after`, by `query` (its
/// first column the position, the stream's type and id at `stream_at` and
/// after), each row read by `read` once its position and stream are known.
fn read_feed_with<E: FedEvent>(
    conn: &Connection,
    query: &str,
    stream_at: usize,
    tenant: &TenantId,
    after: u64,
    limit: usize,
    read: impl Fn(&rusqlite::Row<'_>, u64, StreamKey, Option<&ActorId>) -> Result<E, JournalError>,
) -> Result<FeedPage<E>, JournalError> {
    let mut stmt = conn.prepare_cached(query).map_err(sql)?;
    let mut rows = stmt
        .query(params![
            tenant.as_str(),
            to_i64(after),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ])
        .map_err(sql)?;
    let mut page = FeedPage {
        // Room for a page of rows at once, not grown step by step.
        events: Vec::with_capacity(limit.min(1_024)),
        skipped: Vec::new(),
        next_after: after,
    };
    while let Some(row) = rows.next().map_err(sql)? {
        let position: i64 = row.get(0).map_err(sql)?;
        let position = u64::try_from(position).unwrap_or(page.next_after);
        page.next_after = position;
        let before = page.events.last();
        match feed_stream(
            row,
            position,
            stream_at,
            tenant,
            before.map(FedEvent::stream),
        )
        .and_then(|stream| read(row, position, stream, before.map(FedEvent::actor)))
        {
            Ok(event) => page.events.push(event),
            Err(error) => page.skipped.push(SkippedRow { position, error }),
        }
    }
    Ok(page)
}

/// What a feed page holds: its stream and actor are the ones the next
/// row's are compared with.
trait FedEvent {
    fn stream(&self) -> &StreamKey;
    fn actor(&self) -> &ActorId;
}

impl FedEvent for StoredEvent {
    fn stream(&self) -> &StreamKey {
        &self.stream
    }
    fn actor(&self) -> &ActorId {
        &self.actor
    }
}

impl FedEvent for FeedRow {
    fn stream(&self) -> &StreamKey {
        &self.stream
    }
    fn actor(&self) -> &ActorId {
        &self.actor
    }
}

/// The newest version of the stream whose tenant, type and id are `?1`,
/// `?2` and `?3`.
const STREAM_VERSION_SQL: &str = concat!(
    "SELECT coalesce(max(e.version), 0) FROM journal_events AS e WHERE e.stream_key = ",
    key_of!(),
    " AND +e.tenant = ?1"
);

/// The newest version of `stream` (0 when it has none).
fn stream_version(conn: &Connection, stream: &StreamKey) -> Result<u64, JournalError> {
    let version: i64 = conn
        .prepare_cached(STREAM_VERSION_SQL)
        .map_err(sql)?
        .query_row(
            params![
                stream.tenant.as_str(),
                stream.stream_type.as_str(),
                stream.id.as_str()
            ],
            |row| row.get(0),
        )
        .map_err(sql)?;
    Ok(u64::try_from(version).unwrap_or(0))
}

/// A page of the ids of `tenant`'s streams of one type, after `after`.
fn list_streams(
    conn: &Connection,
    tenant: &TenantId,
    stream_type: &StreamType,
    after: Option<&CaseId>,
    limit: usize,
) -> Result<Vec<CaseId>, JournalError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT stream_id FROM journal_heads
             WHERE tenant = ?1 AND stream_type = ?2 AND stream_id > ?3
             ORDER BY stream_id LIMIT ?4",
        )
        .map_err(sql)?;
    let mut rows = stmt
        .query(params![
            tenant.as_str(),
            stream_type.as_str(),
            after.map_or("", CaseId::as_str),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ])
        .map_err(sql)?;
    let mut ids = Vec::new();
    while let Some(row) = rows.next().map_err(sql)? {
        let id: String = row.get(0).map_err(sql)?;
        ids.push(CaseId::new(id).map_err(|_| JournalError::Corrupt {
            position: 0,
            column: "journal_heads.stream_id",
        })?);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configured busy timeout longer than SQLite takes opens the store
    /// (writer, readers, checkpointer) with the longest it does, rather
    /// than panicking in rusqlite.
    #[test]
    fn a_busy_timeout_longer_than_sqlite_takes_is_its_longest() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions::new().busy_timeout(Duration::MAX);
        let store = SqliteStore::open_with(dir.path().join("j.db"), options).unwrap();
        let ms: i64 = store
            .lock()
            .pragma_query_value(None, "busy_timeout", |row| row.get(0))
            .unwrap();
        assert_eq!(ms, i64::from(i32::MAX));
        let tenant: TenantId = "t".parse().unwrap();
        assert!(store.read_feed(&tenant, 0, 10).unwrap().events.is_empty());
    }

    /// The opcodes of `sql` that end a statement on a failed constraint
    /// by undoing it (`Halt` or `HaltIfNull` with a constraint error code
    /// and `ABORT`, 2, as the conflict rule): what makes SQLite keep a
    /// statement journal for a statement of many rows.
    fn aborting_halts(conn: &Connection, sql: &str) -> Vec<(String, i64, i64)> {
        const SQLITE_CONSTRAINT: i64 = 19;
        const OE_ABORT: i64 = 2;
        let mut stmt = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
        // Unbound: EXPLAIN lists the program without running it.
        let mut rows = stmt.raw_query();
        let mut ops = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            ops.push((
                row.get::<_, String>("opcode").unwrap(),
                row.get::<_, i64>("p1").unwrap(),
                row.get::<_, i64>("p2").unwrap(),
            ));
        }
        ops.into_iter()
            .filter(|(op, p1, p2)| {
                (op == "Halt" || op == "HaltIfNull")
                    && p1 & 0xff == SQLITE_CONSTRAINT
                    && *p2 == OE_ABORT
            })
            .collect()
    }

    /// The events' `INSERT`, at every chunk size, ends on a refused row
    /// without undoing itself (`OR FAIL`), so SQLite keeps no statement
    /// journal for it; the same statement under SQLite's default `ABORT`
    /// has such halts (the check sees them). The anchor's and the due
    /// entry's statements write one row each and need none.
    #[test]
    fn the_batched_insert_fails_without_undoing_itself_so_needs_no_statement_journal() {
        let store = SqliteStore::open_in_memory().unwrap();
        let conn = store.lock();
        for k in 0..=MAX_CHUNK.trailing_zeros() {
            let sql = insert_sql(1 << k);
            assert!(sql.starts_with("INSERT OR FAIL INTO"), "{sql}");
            assert_eq!(aborting_halts(&conn, &sql), [], "{} rows", 1 << k);
            let aborting = sql.replacen("INSERT OR FAIL", "INSERT", 1);
            assert!(
                !aborting_halts(&conn, &aborting).is_empty(),
                "{} rows",
                1 << k
            );
        }
    }

    /// A taken event id deep inside one statement's rows (the 41st of a
    /// chunk of 64, after a whole chunk): the rows the statement kept
    /// before it are rolled back with the transaction, nothing of the
    /// stream is written, and the store goes on.
    #[test]
    fn a_taken_id_mid_statement_leaves_nothing_of_the_stream() {
        let store = SqliteStore::open_in_memory().unwrap();
        let tenant = TenantId::new("t").unwrap();
        let notes = StreamType::new("notes").unwrap();
        let key = |id: &str| StreamKey::new(tenant.clone(), notes.clone(), id.parse().unwrap());
        let at = from_micros(1_700_000_000_000_000).unwrap();
        let event = |id: String| {
            NewEvent::new(
                EventId::new(id).unwrap(),
                "Noted",
                serde_json::json!({"Noted": {}}),
                ActorId::new("clerk").unwrap(),
                at,
            )
        };
        store
            .append(&key("A"), 0, &[event("taken".into())])
            .unwrap();
        let mut events: Vec<NewEvent> = (0..128).map(|i| event(format!("b-{i}"))).collect();
        events[64 + 40] = event("taken".into());
        let refused = store.append_with_due(&key("B"), 0, &events, DueUpdate::At(at));
        assert!(
            matches!(&refused, Err(JournalError::DuplicateEventId { event_id, .. }) if event_id.as_str() == "taken"),
            "{refused:?}"
        );
        assert!(store.read_stream(&key("B"), 0).unwrap().is_empty());
        assert_eq!(store.read_feed(&tenant, 0, 1000).unwrap().events.len(), 1);
        assert_eq!(
            store
                .lock()
                .query_row("SELECT count(*) FROM journal_due", [], |r| r
                    .get::<_, i64>(0))
                .unwrap(),
            0
        );
        events[64 + 40] = event("b-104".into());
        let appended = store
            .append_with_due(&key("B"), 0, &events, DueUpdate::At(at))
            .unwrap();
        assert_eq!(appended.version, 128);
        assert_eq!(appended.positions, 2..130);
    }

    #[test]
    fn a_batch_is_cut_into_power_of_two_chunks_up_to_the_maximum() {
        let mut left = 1_000;
        let mut chunks = Vec::new();
        while left > 0 {
            let size = chunk_size(left);
            assert!(size.is_power_of_two() && size <= MAX_CHUNK && size <= left);
            chunks.push(size);
            left -= size;
        }
        assert_eq!(chunks.iter().filter(|&&c| c == MAX_CHUNK).count(), 15);
        assert_eq!(&chunks[15..], [32, 8]);
    }

    #[test]
    fn insert_statements_share_three_parameters_and_number_the_rest() {
        let one = insert_sql(1);
        assert!(one.ends_with("(?1,?2,?4,?5,?6,?7,?8,?9,?10,?11,?3,?12)"));
        let two = insert_sql(2);
        assert!(two.ends_with("(?1,?2,?4,?5,?6,?7,?8,?9,?10,?11,?3,?12),(?1,?2,?13,?14,?15,?16,?17,?18,?19,?20,?3,?21)"));
        // The largest statement stays far below SQLite's parameter limit.
        const { assert!(3 + 9 * MAX_CHUNK < 32_766) };
    }

    #[test]
    fn read_anchored_streams_with_reads_every_stream_in_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let store = SqliteStore::open(&path).unwrap();
        let other = SqliteStore::open(&path).unwrap();
        let tenant: TenantId = "longgang".parse().unwrap();
        let key = |id: &str| {
            StreamKey::new(
                tenant.clone(),
                "ticket".parse().unwrap(),
                id.parse().unwrap(),
            )
        };
        let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
        let event = |id: &str| {
            NewEvent::new(
                id.parse().unwrap(),
                "Opened",
                serde_json::json!("Opened"),
                "gw-7".parse().unwrap(),
                at,
            )
        };
        let (one, two) = (key("T-1"), key("T-2"));
        store.append(&one, 0, &[event("e-1")]).unwrap();
        store.append(&two, 0, &[event("e-2")]).unwrap();
        let mut seen = Vec::new();
        store
            .read_anchored_streams_with(&[&one, &two], &mut |i, read| {
                let (anchor, rows) = read.unwrap();
                seen.push((anchor.map(|head| head.version), rows.len()));
                if i == 0 {
                    // Another connection commits between the two streams.
                    other.append(&two, 1, &[event("e-3")]).unwrap();
                }
            })
            .unwrap();
        assert_eq!(
            seen,
            [(Some(1), 1), (Some(1), 1)],
            "the second stream as it was when the first was read"
        );
        assert_eq!(store.stream_version(&two).unwrap(), 2, "committed");
    }

    #[test]
    fn readers_cannot_write_and_the_writer_can() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("journal.db")).unwrap();
        let reader = store.readers.as_ref().unwrap().get().unwrap();
        let refused = reader.execute("DELETE FROM journal_events", []);
        assert!(
            matches!(&refused, Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ReadOnly),
            "{refused:?}"
        );
        assert!(
            reader
                .pragma_query_value(None, "query_only", |row| row.get::<_, bool>(0))
                .unwrap()
        );
        assert_eq!(
            reader
                .pragma_query_value(None, "busy_timeout", |row| row.get::<_, i64>(0))
                .unwrap(),
            5_000
        );
        assert!(
            store
                .lock()
                .execute("DELETE FROM journal_events", [])
                .is_ok()
        );
    }

    #[test]
    fn the_cache_checkpoint_and_temp_store_options_reach_every_connection() {
        let pragma = |conn: &Connection, name: &str| {
            conn.pragma_query_value(None, name, |row| row.get::<_, i64>(0))
                .unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("journal.db")).unwrap();
        // The defaults: 64 MiB of cache on every connection, a checkpoint
        // every 10,000 pages, statement journals in memory (2).
        let reader = store.readers.as_ref().unwrap().get().unwrap();
        assert_eq!(pragma(&reader, "cache_size"), -65_536);
        drop(reader);
        assert_eq!(pragma(&store.lock(), "cache_size"), -65_536);
        // No checkpoint inside a commit: the checkpointer thread's, every
        // 10,000 pages.
        assert_eq!(pragma(&store.lock(), "wal_autocheckpoint"), 0);
        assert_eq!(store.checkpointer.as_ref().unwrap().every, 10_000);
        assert_eq!(pragma(&store.lock(), "temp_store"), 2);

        let options = SqliteOptions::new()
            .cache_size(8 << 20)
            .checkpoint_every(500);
        let store = SqliteStore::open_with(dir.path().join("other.db"), options).unwrap();
        let reader = store.readers.as_ref().unwrap().get().unwrap();
        assert_eq!(pragma(&reader, "cache_size"), -8_192);
        drop(reader);
        assert_eq!(pragma(&store.lock(), "cache_size"), -8_192);
        assert_eq!(pragma(&store.lock(), "wal_autocheckpoint"), 0);
        assert_eq!(store.checkpointer.as_ref().unwrap().every, 500);

        // `0`: no automatic checkpoint at all, no thread.
        let options = SqliteOptions::new().checkpoint_every(0);
        let store = SqliteStore::open_with(dir.path().join("manual.db"), options).unwrap();
        assert!(store.checkpointer.is_none());
        assert_eq!(pragma(&store.lock(), "wal_autocheckpoint"), 0);
    }

    /// Appends `batches` batches of 200 events, each to a new stream.
    fn fill(store: &SqliteStore, batches: usize) {
        let tenant = TenantId::new("t").unwrap();
        let at = from_micros(1_700_000_000_000_000).unwrap();
        for b in 0..batches {
            let stream = StreamKey::new(
                tenant.clone(),
                StreamType::new("notes").unwrap(),
                CaseId::new(format!("N-{b}")).unwrap(),
            );
            let events: Vec<NewEvent> = (0..200)
                .map(|i| {
                    NewEvent::new(
                        EventId::new(format!("e-{b}-{i}")).unwrap(),
                        "Noted",
                        serde_json::json!({"Noted": {"text": "x".repeat(200)}}),
                        ActorId::new("clerk").unwrap(),
                        at,
                    )
                })
                .collect();
            store.append(&stream, 0, &events).unwrap();
        }
    }

    /// The size of the database file itself (not its log).
    fn file_bytes(path: &Path) -> u64 {
        std::fs::metadata(path).unwrap().len()
    }

    #[test]
    fn the_checkpointer_thread_copies_the_log_into_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let options = SqliteOptions::new().checkpoint_every(50);
        let store = SqliteStore::open_with(&path, options).unwrap();
        let before = file_bytes(&path);
        // Far more than 50 pages of log: the writer asks, the thread copies.
        fill(&store, 20);
        let checkpointer = store.checkpointer.as_ref().unwrap();
        let start = Instant::now();
        while checkpointer.done() == 0 && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(checkpointer.done() > 0, "no checkpoint ran");
        assert!(file_bytes(&path) > before, "the file did not grow");
        assert_eq!(
            store
                .read_stream(
                    &StreamKey::new(
                        TenantId::new("t").unwrap(),
                        StreamType::new("notes").unwrap(),
                        CaseId::new("N-19").unwrap(),
                    ),
                    0
                )
                .unwrap()
                .len(),
            200
        );

        // With the automatic checkpoint off, neither the thread nor a
        // commit copies anything: the file keeps its size.
        let path = dir.path().join("manual.db");
        let options = SqliteOptions::new().checkpoint_every(0);
        let store = SqliteStore::open_with(&path, options).unwrap();
        let before = file_bytes(&path);
        fill(&store, 20);
        assert_eq!(file_bytes(&path), before);
    }

    #[test]
    fn a_feed_page_reads_each_rows_own_stream_type_and_checks_a_changed_one() {
        let store = SqliteStore::open_in_memory().unwrap();
        let tenant = TenantId::new("t").unwrap();
        let at = from_micros(1_700_000_000_000_000).unwrap();
        let stream = |ty: &str, id: &str| {
            StreamKey::new(
                tenant.clone(),
                StreamType::new(ty).unwrap(),
                CaseId::new(id).unwrap(),
            )
        };
        // Two types, interleaved: a, a, b, a.
        let order = [("a", "A-1"), ("a", "A-2"), ("b", "B-1"), ("a", "A-3")];
        for (n, (ty, id)) in order.iter().enumerate() {
            let event = NewEvent::new(
                EventId::new(format!("e-{n}")).unwrap(),
                "Noted",
                serde_json::json!(n),
                ActorId::new("clerk").unwrap(),
                at,
            );
            store.append(&stream(ty, id), 0, &[event]).unwrap();
        }
        let page = store.read_feed(&tenant, 0, 10).unwrap();
        let read: Vec<_> = page.events.iter().map(|e| e.stream.clone()).collect();
        let wanted: Vec<_> = order.iter().map(|(ty, id)| stream(ty, id)).collect();
        assert_eq!(read, wanted);
        // A row whose stream type differs from the row before is checked.
        store
            .lock()
            .execute(
                "UPDATE journal_streams SET stream_type = '' WHERE stream_id = 'A-3'",
                [],
            )
            .unwrap();
        let page = store.read_feed(&tenant, 0, 10).unwrap();
        assert_eq!(page.events.len(), 3);
        assert!(
            matches!(
                page.skipped.as_slice(),
                [SkippedRow {
                    error: JournalError::Corrupt {
                        column: "stream_type",
                        ..
                    },
                    ..
                }]
            ),
            "{:?}",
            page.skipped
        );
    }

    /// The columns of each unique key of `table`, in key order, sorted.
    fn unique_keys(conn: &Connection, table: &str) -> Vec<Vec<String>> {
        let mut list = conn
            .prepare(&format!(
                "SELECT name FROM pragma_index_list('{table}') WHERE \"unique\""
            ))
            .unwrap();
        let names: Vec<String> = list
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut keys: Vec<Vec<String>> = names
            .iter()
            .map(|index| {
                conn.prepare(&format!(
                    "SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"
                ))
                .unwrap()
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
            })
            .collect();
        keys.sort();
        keys
    }

    /// Three streams of tenant `t` (`N-0`, `N-1`, `N-2`: 2, 3 and 4 events,
    /// the middle one's due entry cleared), the events of stream `n` from
    /// `from`, and each stream's due time.
    struct Fixture {
        tenant: TenantId,
        notes: StreamType,
        at: DateTime<Utc>,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                tenant: TenantId::new("t").unwrap(),
                notes: StreamType::new("notes").unwrap(),
                at: from_micros(1_700_000_000_000_000).unwrap(),
            }
        }

        fn key(&self, n: i64) -> StreamKey {
            StreamKey::new(
                self.tenant.clone(),
                self.notes.clone(),
                CaseId::new(format!("N-{n}")).unwrap(),
            )
        }

        fn events(&self, n: i64, from: i64, count: i64) -> Vec<NewEvent> {
            (from..from + count)
                .map(|i| {
                    NewEvent::new(
                        EventId::new(format!("e-{n}-{i}")).unwrap(),
                        "Noted",
                        serde_json::json!({"Noted": {"i": i}}),
                        ActorId::new("clerk").unwrap(),
                        self.at,
                    )
                })
                .collect()
        }

        fn due(&self, n: i64) -> DateTime<Utc> {
            self.at + chrono::TimeDelta::hours(n)
        }

        /// A file at `path` in migration `through`'s shape (its own
        /// scripts; 4 or 5, whose event rows carry their stream's text)
        /// holding the three streams as today's store wrote them, with the
        /// position sequence at 1,000 (rows deleted after the last
        /// position was drawn).
        fn old_file(&self, dir: &Path, through: u32) -> std::path::PathBuf {
            let today = dir.join(format!("today-{through}.db"));
            {
                let store = SqliteStore::open(&today).unwrap();
                for n in 0..3 {
                    let update = if n == 1 {
                        DueUpdate::Clear
                    } else {
                        DueUpdate::At(self.due(n))
                    };
                    store
                        .append_with_due(&self.key(n), 0, &self.events(n, 1, n + 2), update)
                        .unwrap();
                }
            }
            let path = dir.join(format!("migration-{through}.db"));
            let mut conn = Connection::open(&path).unwrap();
            migrate_through(&mut conn, through).unwrap();
            conn.execute("ATTACH DATABASE ?1 AS today", [today.to_str().unwrap()])
                .unwrap();
            conn.execute_batch(
                "INSERT INTO main.journal_events (position, tenant, stream_type, stream_id,
                     version, event_id, event_type, schema_version, payload, actor, correlation,
                     occurred_at, recorded_at, hash)
                 SELECT e.position, e.tenant, s.stream_type, s.stream_id, e.version, e.event_id,
                     e.event_type, e.schema_version, e.payload, e.actor, e.correlation,
                     e.occurred_at, e.recorded_at, e.hash
                 FROM today.journal_events AS e
                 JOIN today.journal_streams AS s ON s.stream_key = e.stream_key
                 ORDER BY e.position;
                 INSERT INTO main.journal_heads (tenant, stream_type, stream_id, version, hash)
                 SELECT tenant, stream_type, stream_id, version, hash FROM today.journal_heads;
                 INSERT INTO main.journal_due (tenant, stream_type, stream_id, due, claimed_until)
                 SELECT tenant, stream_type, stream_id, due, claimed_until FROM today.journal_due;
                 UPDATE main.sqlite_sequence SET seq = 1000 WHERE name = 'journal_events';
                 DETACH DATABASE today;",
            )
            .unwrap();
            path
        }
    }

    /// The rows of `query`, each a stream id and a number.
    fn id_and_count(conn: &Connection, query: &str) -> Vec<(String, i64)> {
        conn.prepare(query)
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn migration_5_leads_each_key_with_the_id_and_keeps_rows_anchors_due_entries_and_positions() {
        let dir = tempfile::tempdir().unwrap();
        let f = Fixture::new();
        let path = f.old_file(dir.path(), 4);
        let mut conn = Connection::open(&path).unwrap();
        assert_eq!(
            unique_keys(&conn, "journal_events"),
            [
                vec!["tenant", "event_id"],
                vec!["tenant", "stream_type", "stream_id", "version"]
            ]
        );
        migrate_through(&mut conn, 5).unwrap();
        assert_eq!(
            unique_keys(&conn, "journal_events"),
            [
                vec!["event_id", "tenant"],
                vec!["stream_id", "stream_type", "tenant", "version"]
            ]
        );
        for table in ["journal_heads", "journal_due"] {
            assert_eq!(
                unique_keys(&conn, table),
                [vec!["stream_id", "stream_type", "tenant"]]
            );
        }
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let kept: (i64, i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM journal_events),
                        (SELECT count(*) FROM journal_heads),
                        (SELECT count(*) FROM journal_due),
                        (SELECT seq FROM sqlite_sequence WHERE name = 'journal_events')",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap();
        assert_eq!(kept, (9, 3, 2, 1000));
    }

    #[test]
    fn migration_6_keys_each_stream_by_an_integer_and_keeps_rows_anchors_due_entries_and_positions()
    {
        let dir = tempfile::tempdir().unwrap();
        let f = Fixture::new();
        let (tenant, notes) = (&f.tenant, &f.notes);
        let path = f.old_file(dir.path(), 5);

        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.migration().unwrap(), 6);
        {
            let conn = store.lock();
            assert_eq!(
                unique_keys(&conn, "journal_events"),
                [vec!["event_id", "tenant"], vec!["stream_key", "version"]]
            );
            assert_eq!(
                unique_keys(&conn, "journal_streams"),
                [vec!["stream_id", "stream_type", "tenant"]]
            );
            // Keys in the order the streams first appear.
            assert_eq!(
                id_and_count(
                    &conn,
                    "SELECT stream_id, stream_key FROM journal_streams ORDER BY stream_key"
                ),
                [("N-0".into(), 1), ("N-1".into(), 2), ("N-2".into(), 3)]
            );
            let integrity: String = conn
                .query_row("PRAGMA integrity_check", [], |row| row.get(0))
                .unwrap();
            assert_eq!(integrity, "ok");
        }
        // Every row, chain and anchor is kept.
        for n in 0..3 {
            let verified = crate::journal::verify_anchored(&store, &f.key(n)).unwrap();
            let anchor = store.anchor(&f.key(n)).unwrap().unwrap();
            assert_eq!(anchor.version, n as u64 + 2);
            assert_eq!(anchor.hash, verified.head);
        }
        let feed = store.read_feed(tenant, 0, 100).unwrap();
        assert!(feed.skipped.is_empty(), "{:?}", feed.skipped);
        let streams: Vec<_> = feed.events.iter().map(|e| e.stream.id.as_str()).collect();
        assert_eq!(
            streams,
            [
                "N-0", "N-0", "N-1", "N-1", "N-1", "N-2", "N-2", "N-2", "N-2"
            ]
        );
        assert_eq!(
            store.list_streams(tenant, notes, None, 10).unwrap(),
            [f.key(0).id, f.key(1).id, f.key(2).id]
        );
        // The due entries are kept, in due order.
        let query = DueQuery::new(tenant.clone(), notes.clone(), f.due(10));
        let listed: Vec<_> = store
            .due(&query)
            .unwrap()
            .into_iter()
            .map(|e| (e.stream, e.due))
            .collect();
        assert_eq!(listed, [(f.key(0), f.due(0)), (f.key(2), f.due(2))]);
        // Positions go on after the sequence, not after the rows; an old
        // stream keeps its key, a new one draws the next.
        let appended = store
            .append_with_due(&f.key(0), 2, &f.events(0, 3, 2), DueUpdate::At(f.due(5)))
            .unwrap();
        assert_eq!(appended.positions, 1001..1003);
        store.append(&f.key(7), 0, &f.events(7, 1, 1)).unwrap();
        let rows_by_stream = id_and_count(
            &store.lock(),
            "SELECT s.stream_id, count(*) FROM journal_events AS e
             JOIN journal_streams AS s ON s.stream_key = e.stream_key
             GROUP BY e.stream_key ORDER BY e.stream_key",
        );
        assert_eq!(
            rows_by_stream,
            [
                ("N-0".into(), 4),
                ("N-1".into(), 3),
                ("N-2".into(), 4),
                ("N-7".into(), 1)
            ]
        );
        // The rules hold under the new keys: a taken id and a stale
        // version are refused, and nothing is written.
        let taken = store.append(&f.key(3), 0, &f.events(2, 1, 1));
        assert!(
            matches!(taken, Err(JournalError::DuplicateEventId { .. })),
            "{taken:?}"
        );
        let stale = store.append(&f.key(2), 1, &f.events(2, 9, 1));
        assert!(
            matches!(stale, Err(JournalError::VersionConflict { actual: 4, .. })),
            "{stale:?}"
        );
        let raw = store.lock();
        let duplicate = raw.execute(
            "INSERT INTO journal_events (tenant, stream_key, version, event_id,
                 event_type, schema_version, payload, actor, occurred_at, recorded_at, hash)
             SELECT tenant, stream_key, version, 'fresh', event_type, schema_version,
                 payload, actor, occurred_at, recorded_at, hash
             FROM journal_events WHERE stream_key = 3 AND version = 3",
            [],
        );
        assert!(
            duplicate.is_err(),
            "a second row at a stream's version was taken"
        );
        let unknown: i64 = raw
            .query_row(
                "SELECT count(*) FROM journal_streams WHERE stream_id = 'N-3'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(unknown, 0, "a refused append drew a stream key");
        drop(raw);
        assert_eq!(store.read_feed(tenant, 0, 100).unwrap().events.len(), 12);
    }

    #[test]
    fn a_feed_row_reuses_the_stream_and_actor_of_the_row_before_and_checks_changed_ones() {
        let store = SqliteStore::open_in_memory().unwrap();
        let tenant = TenantId::new("t").unwrap();
        let at = from_micros(1_700_000_000_000_000).unwrap();
        let stream = |id: &str| {
            StreamKey::new(
                tenant.clone(),
                StreamType::new("a").unwrap(),
                CaseId::new(id).unwrap(),
            )
        };
        let event = |n: usize, actor: &str| {
            NewEvent::new(
                EventId::new(format!("e-{n}")).unwrap(),
                "Noted",
                serde_json::json!(n),
                ActorId::new(actor).unwrap(),
                at,
            )
        };
        // A-1 twice by the same clerk, then A-2 by another, then A-3.
        store
            .append(&stream("A-1"), 0, &[event(0, "clerk"), event(1, "clerk")])
            .unwrap();
        store
            .append(&stream("A-2"), 0, &[event(2, "aide")])
            .unwrap();
        store
            .append(&stream("A-3"), 0, &[event(3, "aide")])
            .unwrap();
        let page = store.read_feed_rows(&tenant, 0, 10).unwrap();
        let read: Vec<_> = page
            .events
            .iter()
            .map(|e| (e.stream.id.as_str(), e.actor.as_str()))
            .collect();
        assert_eq!(
            read,
            [
                ("A-1", "clerk"),
                ("A-1", "clerk"),
                ("A-2", "aide"),
                ("A-3", "aide")
            ]
        );
        // An actor that differs from the row before's is checked; so is a
        // stream id that differs from the row before's, in a stream type
        // that does not.
        let conn = store.lock();
        conn.execute(
            "UPDATE journal_events SET actor = '' WHERE event_id = 'e-1'",
            [],
        )
        .unwrap();
        conn.execute(
            "UPDATE journal_streams SET stream_id = ' '
             WHERE stream_key = (SELECT stream_key FROM journal_events WHERE event_id = 'e-3')",
            [],
        )
        .unwrap();
        drop(conn);
        for skipped in [
            store.read_feed_rows(&tenant, 0, 10).unwrap().skipped,
            store.read_feed(&tenant, 0, 10).unwrap().skipped,
        ] {
            assert_eq!(corrupt_columns(&skipped), [(2, "actor"), (4, "stream_id")]);
        }
    }

    /// A store of `streams` streams (`N-0`, …) of `each` events, the row of
    /// `removed` in `journal_streams` deleted behind its back.
    fn registration_removed(streams: i64, each: i64, removed: &str) -> (SqliteStore, Fixture) {
        let store = SqliteStore::open_in_memory().unwrap();
        let f = Fixture::new();
        for n in 0..streams {
            store.append(&f.key(n), 0, &f.events(n, 1, each)).unwrap();
        }
        store
            .lock()
            .execute(
                "DELETE FROM journal_streams WHERE stream_id = ?1",
                [removed],
            )
            .unwrap();
        (store, f)
    }

    /// The position and column of each skipped row, each a corrupt one.
    fn corrupt_columns(skipped: &[SkippedRow]) -> Vec<(u64, &'static str)> {
        skipped
            .iter()
            .map(|s| match &s.error {
                JournalError::Corrupt { column, .. } => (s.position, *column),
                other => panic!("not a corrupt row: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_stream_whose_key_was_removed_is_reported_cut_off_and_its_rows_corrupt_in_the_feed() {
        let (store, f) = registration_removed(2, 3, "N-1");
        match crate::journal::verify_anchored(&store, &f.key(1)) {
            Err(JournalError::Truncated {
                anchored: 3,
                found: 0,
                ..
            }) => {}
            other => panic!("expected the rows reported cut off, got {other:?}"),
        }
        // Its rows are not appended to as a new stream's.
        assert!(store.append(&f.key(1), 0, &f.events(1, 9, 1)).is_err());
        // The feed reads them and sets each aside, naming the column.
        let feed = store.read_feed(&f.tenant, 0, 10).unwrap();
        assert_eq!(feed.events.len(), 3);
        assert_eq!(
            corrupt_columns(&feed.skipped),
            [(4, "stream_key"), (5, "stream_key"), (6, "stream_key")]
        );
        // The other stream is untouched.
        crate::journal::verify_anchored(&store, &f.key(0)).unwrap();
    }

    #[test]
    fn a_key_is_never_drawn_twice_even_after_the_highest_streams_row_was_removed() {
        // The newest stream's registration removed; its rows stay under
        // key 3.
        let (store, f) = registration_removed(3, 2, "N-2");
        // A new stream, of any tenant, still gets a key of its own.
        let elsewhere = StreamKey::new(
            TenantId::new("other").unwrap(),
            f.notes.clone(),
            CaseId::new("N-9").unwrap(),
        );
        store.append(&elsewhere, 0, &f.events(9, 1, 2)).unwrap();
        store.append(&f.key(5), 0, &f.events(5, 1, 1)).unwrap();
        let keys = id_and_count(
            &store.lock(),
            "SELECT stream_id, stream_key FROM journal_streams ORDER BY stream_key",
        );
        assert_eq!(
            keys,
            [
                ("N-0".into(), 1),
                ("N-1".into(), 2),
                ("N-9".into(), 4),
                ("N-5".into(), 5)
            ]
        );
        assert_eq!(store.read_stream(&elsewhere, 0).unwrap().len(), 2);
        crate::journal::verify_anchored(&store, &f.key(5)).unwrap();
    }

    /// What SQLite plans for `statement`: one line a step.
    fn plan(conn: &Connection, statement: &str) -> Vec<String> {
        let mut explained = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {statement}"))
            .unwrap();
        let mut rows = explained.raw_query();
        let mut steps = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            steps.push(row.get(3).unwrap());
        }
        steps
    }

    #[test]
    fn every_read_of_a_stream_searches_its_key_and_no_read_scans_or_sorts() {
        let store = SqliteStore::open_in_memory().unwrap();
        let conn = store.lock();
        let by_key = "USING INDEX sqlite_autoindex_journal_events_1 (stream_key=?";
        let key_found = "journal_streams USING COVERING INDEX sqlite_autoindex_journal_streams_1 \
                         (stream_id=? AND stream_type=? AND tenant=?)";
        for (statement, wanted) in [
            (stream_rows_sql!(), vec![by_key, key_found]),
            (ANCHORED_ROWS_SQL, vec![by_key, key_found]),
            (STREAM_VERSION_SQL, vec![by_key, key_found]),
            (HEAD_SQL, vec![by_key]),
            (
                FEED_SQL,
                vec![
                    "journal_events_by_tenant (tenant=? AND position>?)",
                    "s USING INTEGER PRIMARY KEY",
                ],
            ),
            (
                FEED_ROWS_SQL,
                vec![
                    "journal_events_by_tenant (tenant=? AND position>?)",
                    "s USING INTEGER PRIMARY KEY",
                ],
            ),
            (
                RETRY_SQL,
                vec!["(event_id=? AND tenant=?)", "s USING INTEGER PRIMARY KEY"],
            ),
        ] {
            let steps = plan(&conn, statement);
            for step in wanted {
                assert!(
                    steps.iter().any(|s| s.contains(step)),
                    "{statement}: no step {step:?} in {steps:?}"
                );
            }
            assert!(
                !steps
                    .iter()
                    .any(|s| s.starts_with("SCAN") || s.contains("TEMP B-TREE")),
                "{statement}: {steps:?}"
            );
        }
        // The lean feed of a file of one tenant reads the table in order.
        let steps = plan(&conn, FEED_ROWS_ALONE_SQL);
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("SEARCH e USING INTEGER PRIMARY KEY")),
            "{steps:?}"
        );
        assert!(
            !steps.iter().any(|s| s.contains("TEMP B-TREE")),
            "{steps:?}"
        );
    }

    #[test]
    fn an_in_memory_journal_is_migrated() {
        let store = SqliteStore::open_in_memory().unwrap();
        assert_eq!(store.migration().unwrap(), MIGRATIONS.len() as u32);
    }
}
