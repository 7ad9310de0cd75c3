//! [`AsyncPostgresStore`]: the PostgreSQL journal on `tokio-postgres`, with
//! a pool of connections (features `tokio` and `postgres`).
//!
//! Same schema, same migrations, same SQL, same hash chain and the same
//! checks as the sync `PostgresStore` (`src/journal/postgres.rs`, whose
//! migrations and statements this module uses, not copies): the advisory
//! locks that keep a feed read from passing an append in flight (the
//! tenant's, shared by appends and exclusive for a feed read) and make the
//! version check race-free (the stream's), idempotent retries, anchors,
//! tenant partitions (and [`AsyncPostgresStore::prepare_tenant`], which
//! makes a tenant's ahead of its first append), the due index and its
//! `FOR UPDATE SKIP LOCKED` claims. The two stores can share one
//! database, and the same conformance suite runs on both.
//!
//! The pool is `deadpool-postgres`: small, tokio-native, maintained, and it
//! keeps each connection's prepared statements (see DESIGN.md, "Async
//! journal").

use std::collections::HashSet;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use deadpool_postgres::{ClientWrapper, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Statement};

use super::AsyncEventStore;
use crate::id::{CaseId, TenantId};
use crate::journal::postgres::{
    BACKEND, DDL_LOCK, MIGRATIONS, Probed, SQL_ALL, SQL_ANCHOR, SQL_ID_TAKEN, SQL_LOCK_FEED,
    SQL_LOCK_STREAM, SQL_LOCK_TENANT, SQL_PARTITION, SQL_PROBE, SQL_STREAM, SQL_VERSION, Staged,
    Write, convert, partition_name, pg, positions, read_probe, session_settings, to_anchor, to_i64,
    write_sql,
};
use crate::journal::{
    AppendOutcome, Appended, Clock, DueEntry, DueQuery, DueUpdate, FeedPage, JournalError,
    NewEvent, SkippedRow, StoredEvent, StreamHead, StreamKey, StreamType, SystemClock,
    retry_outcome, to_micros,
};

/// The connections a pool holds at most, by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 16;

fn pool_error(e: impl std::error::Error + Send + Sync + 'static) -> JournalError {
    JournalError::backend(BACKEND, e)
}

/// How to connect an [`AsyncPostgresStore`].
#[derive(Debug, Clone)]
pub struct AsyncPostgresOptions {
    clock: Arc<dyn Clock>,
    max_connections: usize,
}

impl Default for AsyncPostgresOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl AsyncPostgresOptions {
    /// The defaults: the [`SystemClock`], a pool of at most
    /// [`DEFAULT_MAX_CONNECTIONS`] connections.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `recorded_at` times come from.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The most connections the pool opens (at least 1). A call waits for
    /// a free one when all are in use.
    #[must_use]
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }
}

/// An event store on a PostgreSQL server for async code, with a pool of
/// connections: many tasks append and read at once, each call on a
/// connection of its own. Connections are opened as they are needed, kept
/// with their prepared statements, and replaced when one breaks.
///
/// Connections are made without TLS (a local socket or a trusted network).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use grassroots::journal::{AsyncEventStore, AsyncPostgresOptions, AsyncPostgresStore, StreamKey};
///
/// let options = AsyncPostgresOptions::new().max_connections(8);
/// let store = AsyncPostgresStore::connect_with("host=127.0.0.1 user=postgres", options).await?;
/// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
/// assert_eq!(store.stream_version(&stream).await?, 0);
/// # Ok(())
/// # }
/// ```
pub struct AsyncPostgresStore {
    pool: Pool,
    clock: Arc<dyn Clock>,
    /// Tenants whose partition is known to exist.
    partitions: Mutex<HashSet<TenantId>>,
}

impl fmt::Debug for AsyncPostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.pool.status();
        f.debug_struct("AsyncPostgresStore")
            .field("clock", &self.clock)
            .field("max_connections", &status.max_size)
            .field("connections", &status.size)
            .finish_non_exhaustive()
    }
}

impl AsyncPostgresStore {
    /// Connects to the server at `url` (a libpq-style connection string or
    /// a `postgresql://` URL) with the default [`AsyncPostgresOptions`],
    /// running any migration the database lacks.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when `url` does not parse, the server
    /// cannot be reached or the migration fails;
    /// [`JournalError::SchemaTooNew`] when a newer library migrated the
    /// database.
    pub async fn connect(url: &str) -> Result<Self, JournalError> {
        Self::connect_with(url, AsyncPostgresOptions::default()).await
    }

    /// Connects to the server at `url`.
    ///
    /// # Errors
    ///
    /// As for [`connect`](Self::connect).
    pub async fn connect_with(
        url: &str,
        options: AsyncPostgresOptions,
    ) -> Result<Self, JournalError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(pg)?;
        let settings = session_settings(config.get_options());
        config.options(&settings);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(pool_error)?;
        let store = Self {
            pool,
            clock: options.clock,
            partitions: Mutex::new(HashSet::new()),
        };
        let mut client = store.client().await?;
        migrate(&mut client).await?;
        Ok(store)
    }

    /// The newest migration applied to the database.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when the query fails.
    pub async fn migration(&self) -> Result<u32, JournalError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM journal_migrations",
                &[],
            )
            .await
            .map_err(pg)?;
        let version: i32 = row.try_get(0).map_err(pg)?;
        Ok(u32::try_from(version).unwrap_or(0))
    }

    /// The most connections the pool opens.
    pub fn max_connections(&self) -> usize {
        self.pool.status().max_size
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, JournalError> {
        self.pool.get().await.map_err(pool_error)
    }

    fn partition_known(&self, tenant: &TenantId) -> bool {
        let known = self.partitions.lock().unwrap_or_else(|e| e.into_inner());
        known.contains(tenant)
    }

    /// Creates `tenant`'s partition now, if it has none: `true` if this
    /// call created it, `false` if it was there. The sync store's
    /// [`PostgresStore::prepare_tenant`](crate::journal::PostgresStore::prepare_tenant),
    /// awaited: a tenant's first append creates its partition by itself,
    /// and every tenant's appends pause while it does; call this when a
    /// tenant is set up, so that pause comes when you choose.
    ///
    /// ```no_run
    /// use grassroots::journal::AsyncPostgresStore;
    ///
    /// # async fn set_up() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = AsyncPostgresStore::connect("host=localhost user=journal dbname=journal").await?;
    /// let longgang = "longgang".parse()?;
    /// let made_now = store.prepare_tenant(&longgang).await?;
    /// println!("longgang's partition made now: {made_now}");
    /// assert!(!store.prepare_tenant(&longgang).await?, "made once");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when a statement fails, or when the pool
    /// cannot give a connection (it waits for one to be free; the server
    /// refused a new one, say).
    pub async fn prepare_tenant(&self, tenant: &TenantId) -> Result<bool, JournalError> {
        let mut client = self.client().await?;
        self.ensure_partition(&mut client, tenant).await
    }

    /// Creates `tenant`'s partition if it does not exist yet (`true` if it
    /// did): the sync store's `ensure_partition`, awaited (the same
    /// statements).
    async fn ensure_partition(
        &self,
        client: &mut deadpool_postgres::Client,
        tenant: &TenantId,
    ) -> Result<bool, JournalError> {
        if self.partition_known(tenant) {
            return Ok(false);
        }
        let known = "SELECT EXISTS (SELECT 1 FROM journal_tenants WHERE tenant = $1)";
        let exists: bool = client
            .query_one(known, &[&tenant.as_str()])
            .await
            .and_then(|row| row.try_get(0))
            .map_err(pg)?;
        let mut created = false;
        if !exists {
            let tx = client.transaction().await.map_err(pg)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DDL_LOCK])
                .await
                .map_err(pg)?;
            let exists: bool = tx
                .query_one(known, &[&tenant.as_str()])
                .await
                .and_then(|row| row.try_get(0))
                .map_err(pg)?;
            if !exists {
                let name = partition_name(tenant);
                let ddl: String = tx
                    .query_one(SQL_PARTITION, &[&name, &tenant.as_str()])
                    .await
                    .and_then(|row| row.try_get(0))
                    .map_err(pg)?;
                tx.batch_execute(&ddl).await.map_err(pg)?;
                tx.execute(
                    "INSERT INTO journal_tenants (tenant, partition) VALUES ($1, $2)",
                    &[&tenant.as_str(), &name],
                )
                .await
                .map_err(pg)?;
            }
            tx.commit().await.map_err(pg)?;
            created = !exists;
        }
        let mut known = self.partitions.lock().unwrap_or_else(|e| e.into_inner());
        known.insert(tenant.clone());
        Ok(created)
    }

    /// [`AsyncEventStore::append_with_due`]: the sync store's `append_one`,
    /// awaited — every step and check in the same order — in three round
    /// trips: `BEGIN`, the tenant's and the stream's locks and the probe
    /// pipelined in one;
    /// the write (positions, rows, anchor, due entry); `COMMIT`.
    async fn append_one(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        // Checked and laid out before the tenant's lock is taken; an error
        // is reported where the sync store reports it, after the probe.
        let staged = Staged::new(stream, expected_version, events);
        let mut client = self.client().await?;
        if !events.is_empty() {
            self.ensure_partition(&mut client, &stream.tenant).await?;
        }
        let lock_tenant = client.prepare_cached(SQL_LOCK_TENANT).await.map_err(pg)?;
        let lock_stream = client.prepare_cached(SQL_LOCK_STREAM).await.map_err(pg)?;
        let probe = client.prepare_cached(SQL_PROBE).await.map_err(pg)?;
        let write = client.prepare_cached(write_sql(due)).await.map_err(pg)?;
        let tx = InTransaction::begun(client);
        let appended = async {
            let client = tx.client()?;
            let tenant = stream.tenant.as_str();
            let first_id = events.first().map(|e| e.event_id.as_str());
            // One round trip: the tenant's lock (shared), then the
            // stream's, are taken before the probe runs, so the probe sees
            // every append of the stream committed before.
            let probe_params: [&(dyn ToSql + Sync); 4] = [
                &tenant,
                &stream.stream_type.as_str(),
                &stream.id.as_str(),
                &first_id,
            ];
            let (begun, ((shared, locked), probe)) = both(
                client.batch_execute("BEGIN"),
                both(
                    both(
                        client.execute(&lock_tenant, &[&tenant]),
                        client.execute(&lock_stream, &probe_params[..3]),
                    ),
                    client.query_one(&probe, &probe_params),
                ),
            )
            .await;
            begun.map_err(pg)?;
            shared.map_err(pg)?;
            locked.map_err(pg)?;
            let probe = probe.map_err(pg)?;
            let (actual, head) = match read_probe(&probe, stream)? {
                Probed::Taken {
                    stream: found_stream,
                    version: found_version,
                } => {
                    let statement = client.prepare_cached(SQL_STREAM).await.map_err(pg)?;
                    let range = Some(events.len());
                    let recorded = stream_range(
                        &***client,
                        &statement,
                        &found_stream,
                        expected_version,
                        range,
                    )
                    .await?;
                    return retry_outcome(
                        stream,
                        expected_version,
                        events,
                        &found_stream,
                        found_version,
                        &recorded,
                    );
                }
                Probed::Head { version, hash } => (version, hash),
            };
            if actual != expected_version {
                return Err(JournalError::VersionConflict {
                    stream: stream.clone(),
                    expected: expected_version,
                    actual,
                });
            }
            if events.is_empty() {
                write_due(client, stream, due).await?;
                tx.ended();
                client.batch_execute("COMMIT").await.map_err(pg)?;
                return Ok(Appended {
                    version: actual,
                    positions: 0..0,
                    outcome: AppendOutcome::Recorded,
                });
            }
            let mut staged = staged?;
            let last = staged.chain(stream, events, head);
            let rows = Write::new(stream, &staged, &last, self.clock.now(), due);
            // `COMMIT` waits for the write's answer: a writer that dies
            // before it leaves nothing behind that commits later.
            let written = client.query_one(&write, &rows.params()).await;
            let row = match written {
                Ok(row) => row,
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    // The transaction is aborted; roll it back and find the
                    // culprit.
                    client.batch_execute("ROLLBACK").await.map_err(pg)?;
                    tx.ended();
                    let duplicate = first_taken(client, tenant, events).await?;
                    return Err(match duplicate {
                        Some(event_id) => JournalError::DuplicateEventId {
                            stream: stream.clone(),
                            event_id: event_id.clone(),
                        },
                        None => pg(e),
                    });
                }
                Err(e) => return Err(pg(e)),
            };
            let positions = positions(&row, events.len())?;
            tx.ended();
            client.batch_execute("COMMIT").await.map_err(pg)?;
            Ok(Appended {
                version: expected_version + events.len() as u64,
                positions,
                outcome: AppendOutcome::Recorded,
            })
        }
        .await;
        tx.finish().await;
        appended
    }
}

/// A pooled connection inside an append's transaction. Dropped while the
/// transaction is open (the append's future was cancelled), the connection
/// is taken out of the pool and closed, which ends the transaction on the
/// server: a connection never goes back to the pool mid-transaction.
struct InTransaction {
    client: Option<deadpool_postgres::Client>,
    /// Whether the transaction may still be open on the server.
    open: AtomicBool,
}

impl InTransaction {
    /// `client`, about to send `BEGIN`: from here on, its transaction may
    /// be open on the server.
    fn begun(client: deadpool_postgres::Client) -> Self {
        InTransaction {
            client: Some(client),
            open: AtomicBool::new(true),
        }
    }

    fn client(&self) -> Result<&deadpool_postgres::Client, JournalError> {
        self.client
            .as_ref()
            .ok_or_else(|| pool_error(std::io::Error::other("connection already released")))
    }

    /// Marks the transaction ended (committed or rolled back on the server).
    fn ended(&self) {
        self.open.store(false, Ordering::Relaxed);
    }

    /// Rolls back if still open, and gives the connection back to the pool.
    async fn finish(self) {
        if self.open.load(Ordering::Relaxed) {
            if let Ok(client) = self.client() {
                if client.batch_execute("ROLLBACK").await.is_ok() {
                    self.ended();
                }
            }
        }
    }
}

impl Drop for InTransaction {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if self.open.load(Ordering::Relaxed) {
                drop(deadpool_postgres::Object::take(client));
            }
        }
    }
}

/// Runs `a` and `b` together and returns both outputs. Each request of
/// `tokio-postgres` goes out when its future is first polled, so `a`'s and
/// `b`'s go out together, in that order, and the server answers both in
/// one round trip (pipelining).
async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut done_a, mut done_b) = (None, None);
    poll_fn(|cx| {
        if done_a.is_none() {
            if let Poll::Ready(out) = a.as_mut().poll(cx) {
                done_a = Some(out);
            }
        }
        if done_b.is_none() {
            if let Poll::Ready(out) = b.as_mut().poll(cx) {
                done_b = Some(out);
            }
        }
        match (done_a.take(), done_b.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (a, b) => {
                (done_a, done_b) = (a, b);
                Poll::Pending
            }
        }
    })
    .await
}

/// Runs the migrations the database lacks: the sync store's `migrate`,
/// awaited, with the same list ([`MIGRATIONS`]) and the same lock.
async fn migrate(client: &mut deadpool_postgres::Client) -> Result<(), JournalError> {
    let tx = client.transaction().await.map_err(pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DDL_LOCK])
        .await
        .map_err(pg)?;
    // As in src/journal/postgres.rs `migrate`.
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS journal_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )
    .await
    .map_err(pg)?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM journal_migrations",
            &[],
        )
        .await
        .and_then(|row| row.try_get(0))
        .map_err(pg)?;
    let supported = MIGRATIONS.last().map_or(0, |m| m.0);
    if found > supported {
        return Err(JournalError::SchemaTooNew {
            found: u32::try_from(found).unwrap_or(0),
            supported: u32::try_from(supported).unwrap_or(0),
        });
    }
    for (version, name, script) in MIGRATIONS.iter().filter(|m| m.0 > found) {
        tx.batch_execute(script).await.map_err(pg)?;
        tx.execute(
            "INSERT INTO journal_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await
        .map_err(pg)?;
    }
    tx.commit().await.map_err(pg)
}

/// The first event id of `events` that repeats within the batch or is
/// already recorded in `tenant` (the sync store's `first_duplicate`).
async fn first_taken<'e>(
    client: &ClientWrapper,
    tenant: &str,
    events: &'e [NewEvent],
) -> Result<Option<&'e crate::id::EventId>, JournalError> {
    let id_taken = client.prepare_cached(SQL_ID_TAKEN).await.map_err(pg)?;
    let mut seen = HashSet::with_capacity(events.len());
    for event in events {
        if !seen.insert(&event.event_id) {
            return Ok(Some(&event.event_id));
        }
        let taken: bool = client
            .query_one(&id_taken, &[&tenant, &event.event_id.as_str()])
            .await
            .and_then(|row| row.try_get(0))
            .map_err(pg)?;
        if taken {
            return Ok(Some(&event.event_id));
        }
    }
    Ok(None)
}

/// The events of `stream` after version `after`, at most `limit`, with
/// `statement` ([`SQL_STREAM`] prepared on `client`'s connection).
async fn stream_range<C>(
    client: &C,
    statement: &Statement,
    stream: &StreamKey,
    after: u64,
    limit: Option<usize>,
) -> Result<Vec<StoredEvent>, JournalError>
where
    C: tokio_postgres::GenericClient + Sync,
{
    let limit: Option<i64> = limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
    let rows = client
        .query(
            statement,
            &[
                &stream.tenant.as_str(),
                &stream.stream_type.as_str(),
                &stream.id.as_str(),
                &to_i64(after),
                &limit,
            ],
        )
        .await
        .map_err(pg)?;
    rows.iter().map(|row| convert(row, Some(stream))).collect()
}

// The due index: the statements of src/journal/due.rs `mod postgres`,
// awaited. Its SQL is written inside the sync functions there, so it is
// repeated here; the conformance and due tests run on both stores.

const DUE_WHERE: &str = "tenant = $1 AND stream_type = $2 AND due <= $3
     AND (due, stream_id) > ($4, $5)";

/// Writes `update` for `stream`, inside the append's transaction.
async fn write_due(
    client: &impl deadpool_postgres::GenericClient,
    stream: &StreamKey,
    update: DueUpdate,
) -> Result<(), JournalError> {
    let (tenant, stream_type, id) = (
        stream.tenant.as_str(),
        stream.stream_type.as_str(),
        stream.id.as_str(),
    );
    match update {
        DueUpdate::At(due) => {
            let statement = client
                .prepare_cached(
                    "INSERT INTO journal_due (tenant, stream_type, stream_id, due)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (tenant, stream_type, stream_id)
                     DO UPDATE SET due = excluded.due, claimed_until = NULL",
                )
                .await
                .map_err(pg)?;
            client
                .execute(&statement, &[&tenant, &stream_type, &id, &to_micros(due)])
                .await
                .map(drop)
                .map_err(pg)
        }
        DueUpdate::Clear => {
            let statement = client
                .prepare_cached(
                    "DELETE FROM journal_due
                     WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3",
                )
                .await
                .map_err(pg)?;
            client
                .execute(&statement, &[&tenant, &stream_type, &id])
                .await
                .map(drop)
                .map_err(pg)
        }
        DueUpdate::Keep => Ok(()),
    }
}

fn due_entries(
    query: &DueQuery,
    rows: Vec<tokio_postgres::Row>,
) -> Result<Vec<DueEntry>, JournalError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: &str = row.try_get(0).map_err(pg)?;
        let due: i64 = row.try_get(1).map_err(pg)?;
        let id = CaseId::new(id).map_err(|_| JournalError::Corrupt {
            position: 0,
            column: "stream_id",
        })?;
        out.push(query.entry(id, due)?);
    }
    out.sort_unstable();
    Ok(out)
}

fn due_limit(query: &DueQuery) -> i64 {
    i64::try_from(query.limit).unwrap_or(i64::MAX)
}

impl AsyncEventStore for AsyncPostgresStore {
    async fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        let span = crate::journal::trace::append(BACKEND, stream, events.len()).detached();
        // Boxed: the append's pipelined round trips make a future of many
        // kilobytes (more in a debug build), which would otherwise sit in
        // every caller's future — a sweep polled by `block_on` on a test
        // thread's 2 MiB stack overflowed it. One allocation per append,
        // beside a network round trip.
        let result = span
            .in_future(Box::pin(self.append_one(
                stream,
                expected_version,
                events,
                due,
            )))
            .await;
        span.appended(result)
    }

    async fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(SQL_STREAM).await.map_err(pg)?;
        stream_range(&**client, &statement, stream, after, None).await
    }

    async fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage, JournalError> {
        let client = self.client().await?;
        let lock = client.prepare_cached(SQL_LOCK_FEED).await.map_err(pg)?;
        let statement = client.prepare_cached(SQL_ALL).await.map_err(pg)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let tx = InTransaction::begun(client);
        let read = async {
            let client = tx.client()?;
            // The tenant's lock, exclusively: the read waits for the
            // appends in flight and its snapshot (the `SELECT`'s, taken
            // after the lock) sees them all (see the sync store's docs).
            let (begun, locked) = both(
                client.batch_execute("BEGIN"),
                client.execute(&lock, &[&tenant.as_str()]),
            )
            .await;
            begun.map_err(pg)?;
            locked.map_err(pg)?;
            let rows = client
                .query(&statement, &[&tenant.as_str(), &to_i64(after), &limit])
                .await
                .map_err(pg)?;
            tx.ended();
            client.batch_execute("COMMIT").await.map_err(pg)?;
            Ok::<_, JournalError>(rows)
        }
        .await;
        tx.finish().await;
        let rows = read?;
        let mut page = FeedPage {
            events: Vec::with_capacity(rows.len()),
            skipped: Vec::new(),
            next_after: after,
        };
        for row in &rows {
            let position: i64 = row.try_get(0).map_err(pg)?;
            page.next_after = u64::try_from(position).unwrap_or(page.next_after);
            match convert(row, None) {
                Ok(event) => page.events.push(event),
                Err(error) => page.skipped.push(SkippedRow {
                    position: page.next_after,
                    error,
                }),
            }
        }
        Ok(page)
    }

    async fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(SQL_ANCHOR).await.map_err(pg)?;
        let row = client
            .query_opt(
                &statement,
                &[
                    &stream.tenant.as_str(),
                    &stream.stream_type.as_str(),
                    &stream.id.as_str(),
                ],
            )
            .await
            .map_err(pg)?;
        match row {
            None => Ok(None),
            Some(row) => to_anchor(row.try_get(0).map_err(pg)?, row.try_get(1).map_err(pg)?),
        }
    }

    async fn snapshot(
        &self,
        stream: &StreamKey,
    ) -> Result<Option<crate::journal::Snapshot>, JournalError> {
        use crate::journal::snapshot::postgres::{SQL_GET, from_row};
        let client = self.client().await?;
        let statement = client.prepare_cached(SQL_GET).await.map_err(pg)?;
        let row = client
            .query_opt(
                &statement,
                &[
                    &stream.tenant.as_str(),
                    &stream.stream_type.as_str(),
                    &stream.id.as_str(),
                ],
            )
            .await
            .map_err(pg)?;
        row.map(|row| from_row(stream, &row)).transpose()
    }

    async fn put_snapshot(&self, snapshot: &crate::journal::Snapshot) -> Result<(), JournalError> {
        use crate::journal::snapshot::postgres::{SQL_PUT, put_params};
        let p = put_params(snapshot)?;
        let s = &snapshot.stream;
        let client = self.client().await?;
        let statement = client.prepare_cached(SQL_PUT).await.map_err(pg)?;
        client
            .execute(
                &statement,
                &[
                    &s.tenant.as_str(),
                    &s.stream_type.as_str(),
                    &s.id.as_str(),
                    &p.version,
                    &snapshot.head.as_bytes().as_slice(),
                    &p.state_version,
                    &p.state,
                    &snapshot.digest.as_bytes().as_slice(),
                ],
            )
            .await
            .map(drop)
            .map_err(pg)
    }

    async fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        let client = self.client().await?;
        let (after_due, after_id) = query.cursor();
        let statement = client
            .prepare_cached(&format!(
                "SELECT stream_id, due FROM journal_due WHERE {DUE_WHERE}
                 ORDER BY due, stream_id LIMIT $6"
            ))
            .await
            .map_err(pg)?;
        let rows = client
            .query(
                &statement,
                &[
                    &query.tenant.as_str(),
                    &query.stream_type.as_str(),
                    &to_micros(query.until),
                    &after_due,
                    &after_id,
                    &due_limit(query),
                ],
            )
            .await
            .map_err(pg)?;
        due_entries(query, rows)
    }

    async fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
        let now = self.clock.now();
        let client = self.client().await?;
        let (after_due, after_id) = query.cursor();
        let statement = client
            .prepare_cached(&format!(
                "UPDATE journal_due AS d SET claimed_until = $8
                 FROM (SELECT tenant, stream_type, stream_id FROM journal_due
                       WHERE {DUE_WHERE}
                       AND (claimed_until IS NULL OR claimed_until <= $7)
                       ORDER BY due, stream_id LIMIT $6
                       FOR UPDATE SKIP LOCKED) AS c
                 WHERE d.tenant = c.tenant AND d.stream_type = c.stream_type
                   AND d.stream_id = c.stream_id
                 RETURNING d.stream_id, d.due"
            ))
            .await
            .map_err(pg)?;
        let rows = client
            .query(
                &statement,
                &[
                    &query.tenant.as_str(),
                    &query.stream_type.as_str(),
                    &to_micros(query.until),
                    &after_due,
                    &after_id,
                    &due_limit(query),
                    &to_micros(now),
                    &crate::journal::due::lease_end(now, lease),
                ],
            )
            .await
            .map_err(pg)?;
        due_entries(query, rows)
    }

    async fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        tx.execute(
            "DELETE FROM journal_due WHERE tenant = $1 AND stream_type = $2",
            &[&tenant.as_str(), &stream_type.as_str()],
        )
        .await
        .map_err(pg)?;
        for entry in entries {
            write_due(&tx, &entry.stream, DueUpdate::At(entry.due)).await?;
        }
        tx.commit().await.map_err(pg)
    }

    async fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(SQL_VERSION).await.map_err(pg)?;
        let version: i64 = client
            .query_one(
                &statement,
                &[
                    &stream.tenant.as_str(),
                    &stream.stream_type.as_str(),
                    &stream.id.as_str(),
                ],
            )
            .await
            .and_then(|row| row.try_get(0))
            .map_err(pg)?;
        Ok(u64::try_from(version).unwrap_or(0))
    }

    async fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        let client = self.client().await?;
        // As in src/journal/postgres.rs `list_streams`.
        let rows = client
            .query(
                "SELECT stream_id FROM journal_heads
                 WHERE tenant = $1 AND stream_type = $2 AND stream_id > $3
                 ORDER BY stream_id LIMIT $4",
                &[
                    &tenant.as_str(),
                    &stream_type.as_str(),
                    &after.map_or("", CaseId::as_str),
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .await
            .map_err(pg)?;
        rows.iter()
            .map(|row| {
                let id: &str = row.try_get(0).map_err(pg)?;
                CaseId::new(id).map_err(|_| JournalError::Corrupt {
                    position: 0,
                    column: "journal_heads.stream_id",
                })
            })
            .collect()
    }
}
