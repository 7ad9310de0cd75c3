//! [`SqliteReadStore`]: read models in a SQLite file (feature `sqlite`).

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::index::{CaseTables, case_projections, role_key, role_keys_for};
use super::{
    CaseIndex, CaseKey, CaseQueries, CaseRow, Checkpoint, Page, ProjectionError, ReadStore,
    WorkItem, WorkQueue,
};
use crate::actor::{Actor, Role};
use crate::id::{OrgId, TenantId};
use crate::journal::{from_micros, to_micros};
use crate::tier::Tier;

const BACKEND: &str = "sqlite";

fn sql(e: rusqlite::Error) -> ProjectionError {
    ProjectionError::backend(BACKEND, e)
}

/// The checkpoints: one row per projection and tenant.
const CHECKPOINTS: &str = "CREATE TABLE IF NOT EXISTS grassroots_read_models (
    name           TEXT    NOT NULL,
    tenant         TEXT    NOT NULL,
    position       INTEGER NOT NULL CHECK (position >= 0),
    schema_version INTEGER NOT NULL,
    PRIMARY KEY (name, tenant)
) STRICT, WITHOUT ROWID;";

const CASE_INDEX: &str = "CREATE TABLE IF NOT EXISTS grassroots_case_index (
    tenant      TEXT    NOT NULL,
    stream_type TEXT    NOT NULL,
    case_id     TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    tier        TEXT,
    body        TEXT,
    parties     INTEGER NOT NULL,
    opened      INTEGER NOT NULL,
    closed      INTEGER,
    next_due    INTEGER,
    version     INTEGER NOT NULL,
    PRIMARY KEY (tenant, stream_type, case_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS grassroots_case_index_open_by_body
    ON grassroots_case_index (tenant, body, stream_type, case_id) WHERE closed IS NULL;
CREATE INDEX IF NOT EXISTS grassroots_case_index_open_by_due
    ON grassroots_case_index (tenant, next_due) WHERE closed IS NULL AND next_due IS NOT NULL;
CREATE INDEX IF NOT EXISTS grassroots_case_index_open_by_tier
    ON grassroots_case_index (tenant, tier, next_due) WHERE closed IS NULL AND next_due IS NOT NULL;";

const WORK_QUEUE: &str = "CREATE TABLE IF NOT EXISTS grassroots_work_queue (
    tenant      TEXT    NOT NULL,
    stream_type TEXT    NOT NULL,
    case_id     TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    body        TEXT,
    role        TEXT    NOT NULL,
    since       INTEGER NOT NULL,
    due         INTEGER,
    PRIMARY KEY (tenant, stream_type, case_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS grassroots_work_queue_by_body
    ON grassroots_work_queue (tenant, body, stream_type, case_id);
CREATE INDEX IF NOT EXISTS grassroots_work_queue_by_role
    ON grassroots_work_queue (tenant, role, stream_type, case_id);";

/// Read models in a SQLite file — the journal's own file or another. Each
/// page a projection applies is one `BEGIN IMMEDIATE` transaction holding
/// the read model's rows and the checkpoint (table
/// `grassroots_read_models`), so a process killed at any point leaves them
/// agreeing. The tables are documented in DESIGN.md; query them with SQL
/// too.
/// The live metrics' table, `grassroots_case_facts`, is documented on
/// [`LiveMetrics`](super::LiveMetrics).
pub struct SqliteReadStore {
    conn: Mutex<Connection>,
}

impl fmt::Debug for SqliteReadStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let conn = self.lock();
        f.debug_struct("SqliteReadStore")
            .field("path", &conn.path())
            .finish()
    }
}

impl SqliteReadStore {
    /// Opens (or creates) the read models in the file at `path` — the
    /// journal's file is fine — in WAL mode with a 5 s busy timeout, and
    /// creates the crate's read-model tables if they are missing.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when the file cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ProjectionError> {
        let conn = Connection::open(path).map_err(sql)?;
        let timeout = Duration::from_secs(5);
        crate::journal::sqlite::set_busy_timeout(&conn, timeout).map_err(sql)?;
        crate::journal::sqlite::enable_wal(&conn, timeout)
            .map_err(|e| ProjectionError::backend(BACKEND, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        Self::init(conn)
    }

    /// The same store, waiting up to `timeout` for another writer of the
    /// file (5 s from [`open`](Self::open)) before a transaction fails
    /// with [`ProjectionError::Backend`]. Raise it when runners share the
    /// file and one applies large batches
    /// ([`Runner::with_batch`](super::Runner::with_batch)): a batch holds
    /// the file's write lock until it commits. At most about 24.8 days
    /// (SQLite's limit): a longer timeout waits that long.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when SQLite refuses the setting.
    pub fn with_busy_timeout(self, timeout: Duration) -> Result<Self, ProjectionError> {
        crate::journal::sqlite::set_busy_timeout(&self.lock(), timeout).map_err(sql)?;
        Ok(self)
    }

    /// The page cache of a read store's connection, in KiB (SQLite's
    /// default is 2,000 KiB): a catch-up rewrites the index's leaves and
    /// its three partial indexes page after page, and a query walks them.
    const CACHE_KIB: i64 = 65_536;

    /// Read models in a private in-memory database, for tests.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when SQLite fails.
    pub fn open_in_memory() -> Result<Self, ProjectionError> {
        Self::init(Connection::open_in_memory().map_err(sql)?)
    }

    fn init(conn: Connection) -> Result<Self, ProjectionError> {
        conn.pragma_update(None, "cache_size", -Self::CACHE_KIB)
            .map_err(sql)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(sql)?;
        conn.set_prepared_statement_cache_capacity(32);
        conn.execute_batch(CHECKPOINTS).map_err(sql)?;
        conn.execute_batch(CASE_INDEX).map_err(sql)?;
        conn.execute_batch(WORK_QUEUE).map_err(sql)?;
        conn.execute_batch(super::metrics_sql::SQLITE_FACTS)
            .map_err(sql)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Refuses to read `name`'s table when a newer version wrote it.
    pub(super) fn check_schema(
        conn: &Connection,
        name: &str,
        tenant: &TenantId,
        known: u32,
    ) -> Result<(), ProjectionError> {
        let found: Option<i64> = conn
            .prepare_cached(
                "SELECT max(schema_version) FROM grassroots_read_models
                 WHERE name = ?1 AND tenant = ?2",
            )
            .map_err(sql)?
            .query_row(params![name, tenant.as_str()], |row| row.get(0))
            .map_err(sql)?;
        match found.map(|v| u32::try_from(v).unwrap_or(u32::MAX)) {
            Some(found) if found > known => Err(ProjectionError::SchemaTooNew {
                projection: name.to_owned(),
                found,
                known,
            }),
            _ => Ok(()),
        }
    }

    fn cases(
        &self,
        filter: &str,
        tenant: &TenantId,
        page: &Page,
        bind: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        let conn = self.lock();
        Self::check_schema(&conn, CaseIndex::NAME, tenant, CaseIndex::SCHEMA_VERSION)?;
        let query = format!(
            "SELECT stream_type, case_id, state, tier, body, parties, opened, closed, next_due, version
             FROM grassroots_case_index
             WHERE tenant = ?1 AND (stream_type, case_id) > (?2, ?3) AND {filter}
             ORDER BY stream_type, case_id LIMIT ?4"
        );
        let (after_type, after_id) = after(page);
        let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
        let tenant_text = tenant.as_str();
        let mut args: Vec<&dyn rusqlite::ToSql> =
            vec![&tenant_text, &after_type, &after_id, &limit];
        args.extend_from_slice(bind);
        let mut stmt = conn.prepare_cached(&query).map_err(sql)?;
        let mut rows = stmt.query(args.as_slice()).map_err(sql)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql)? {
            out.push(case_row(row)?);
        }
        Ok(out)
    }

    fn work(
        &self,
        filter: &str,
        tenant: &TenantId,
        page: &Page,
        bind: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<WorkItem>, ProjectionError> {
        let conn = self.lock();
        Self::check_schema(&conn, WorkQueue::NAME, tenant, WorkQueue::SCHEMA_VERSION)?;
        let query = format!(
            "SELECT stream_type, case_id, action, body, role, since, due
             FROM grassroots_work_queue
             WHERE tenant = ?1 AND (stream_type, case_id) > (?2, ?3) AND {filter}
             ORDER BY stream_type, case_id LIMIT ?4"
        );
        let (after_type, after_id) = after(page);
        let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
        let tenant_text = tenant.as_str();
        let mut args: Vec<&dyn rusqlite::ToSql> =
            vec![&tenant_text, &after_type, &after_id, &limit];
        args.extend_from_slice(bind);
        let mut stmt = conn.prepare_cached(&query).map_err(sql)?;
        let mut rows = stmt.query(args.as_slice()).map_err(sql)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql)? {
            out.push(work_item(row)?);
        }
        Ok(out)
    }
}

/// The page's cursor as two texts; `("", "")` sorts before every key.
fn after(page: &Page) -> (String, String) {
    page.after
        .as_ref()
        .map_or((String::new(), String::new()), |k| {
            (k.stream_type.as_str().to_owned(), k.id.as_str().to_owned())
        })
}

fn corrupt(table: &'static str, column: &'static str) -> ProjectionError {
    ProjectionError::Corrupt { table, column }
}

fn time(
    micros: i64,
    table: &'static str,
    column: &'static str,
) -> Result<DateTime<Utc>, ProjectionError> {
    from_micros(micros).ok_or_else(|| corrupt(table, column))
}

fn key(row: &Row<'_>, table: &'static str) -> Result<CaseKey, ProjectionError> {
    let stream_type: String = row.get(0).map_err(sql)?;
    let id: String = row.get(1).map_err(sql)?;
    Ok(CaseKey {
        stream_type: stream_type
            .parse()
            .map_err(|_| corrupt(table, "stream_type"))?,
        id: id.parse().map_err(|_| corrupt(table, "case_id"))?,
    })
}

fn case_row(row: &Row<'_>) -> Result<CaseRow, ProjectionError> {
    const T: &str = "grassroots_case_index";
    let tier: Option<String> = row.get(3).map_err(sql)?;
    let body: Option<String> = row.get(4).map_err(sql)?;
    let parties: i64 = row.get(5).map_err(sql)?;
    let closed: Option<i64> = row.get(7).map_err(sql)?;
    let next_due: Option<i64> = row.get(8).map_err(sql)?;
    let version: i64 = row.get(9).map_err(sql)?;
    Ok(CaseRow {
        key: key(row, T)?,
        state: row.get(2).map_err(sql)?,
        tier: tier
            .map(|t| t.parse::<Tier>())
            .transpose()
            .map_err(|_| corrupt(T, "tier"))?,
        body: body
            .map(|b| b.parse::<OrgId>())
            .transpose()
            .map_err(|_| corrupt(T, "body"))?,
        parties: u32::try_from(parties).map_err(|_| corrupt(T, "parties"))?,
        opened: time(row.get(6).map_err(sql)?, T, "opened")?,
        closed: closed.map(|c| time(c, T, "closed")).transpose()?,
        next_due: next_due.map(|d| time(d, T, "next_due")).transpose()?,
        version: u64::try_from(version).map_err(|_| corrupt(T, "version"))?,
    })
}

fn work_item(row: &Row<'_>) -> Result<WorkItem, ProjectionError> {
    const T: &str = "grassroots_work_queue";
    let body: Option<String> = row.get(3).map_err(sql)?;
    let role: String = row.get(4).map_err(sql)?;
    let due: Option<i64> = row.get(6).map_err(sql)?;
    Ok(WorkItem {
        key: key(row, T)?,
        action: row.get(2).map_err(sql)?,
        body: body
            .map(|b| b.parse::<OrgId>())
            .transpose()
            .map_err(|_| corrupt(T, "body"))?,
        role: role.parse::<Role>().map_err(|_| corrupt(T, "role"))?,
        since: time(row.get(5).map_err(sql)?, T, "since")?,
        due: due.map(|d| time(d, T, "due")).transpose()?,
    })
}

impl ReadStore for SqliteReadStore {
    type Tx<'a> = Transaction<'a>;

    fn in_transaction<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ProjectionError>,
    ) -> Result<T, ProjectionError> {
        let mut conn = self.lock();
        let mut tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let out = f(&mut tx)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    fn checkpoint(
        tx: &mut Self::Tx<'_>,
        name: &str,
        tenant: &TenantId,
    ) -> Result<Option<Checkpoint>, ProjectionError> {
        let found: Option<(i64, i64)> = tx
            .prepare_cached(
                "SELECT position, schema_version FROM grassroots_read_models
                 WHERE name = ?1 AND tenant = ?2",
            )
            .map_err(sql)?
            .query_row(params![name, tenant.as_str()], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
            .map_err(sql)?;
        found
            .map(|(position, schema_version)| {
                Ok(Checkpoint {
                    position: u64::try_from(position)
                        .map_err(|_| corrupt("grassroots_read_models", "position"))?,
                    schema_version: u32::try_from(schema_version)
                        .map_err(|_| corrupt("grassroots_read_models", "schema_version"))?,
                })
            })
            .transpose()
    }

    fn set_checkpoint(
        tx: &mut Self::Tx<'_>,
        name: &str,
        tenant: &TenantId,
        checkpoint: Checkpoint,
    ) -> Result<(), ProjectionError> {
        tx.prepare_cached(
            "INSERT INTO grassroots_read_models (name, tenant, position, schema_version)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name, tenant) DO UPDATE
             SET position = excluded.position, schema_version = excluded.schema_version",
        )
        .map_err(sql)?
        .execute(params![
            name,
            tenant.as_str(),
            i64::try_from(checkpoint.position).unwrap_or(i64::MAX),
            i64::from(checkpoint.schema_version)
        ])
        .map_err(sql)?;
        Ok(())
    }
}

/// The sizes of the chunks case rows are written in, largest first: a
/// page's rows go out in as few statements as these sizes allow.
const CASE_CHUNKS: [usize; 3] = [64, 8, 1];

/// The parameters of one case row beside the shared tenant (`?1`).
const CASE_PARAMS: usize = 10;

/// The largest chunk size no greater than `left` (at least 1).
fn case_chunk(left: usize) -> usize {
    CASE_CHUNKS
        .into_iter()
        .find(|&size| size <= left)
        .unwrap_or(1)
}

/// The statement writing `size` case rows (one of [`CASE_CHUNKS`]), the
/// tenant bound once as `?1`; built once per size.
fn upsert_cases_sql(size: usize) -> &'static str {
    static SQL: std::sync::OnceLock<[String; CASE_CHUNKS.len()]> = std::sync::OnceLock::new();
    let all = SQL.get_or_init(|| {
        CASE_CHUNKS.map(|n| {
            let mut sql = String::from(
                "INSERT OR REPLACE INTO grassroots_case_index
                 (tenant, stream_type, case_id, state, tier, body, parties, opened, closed, next_due, version)
                 VALUES ",
            );
            for i in 0..n {
                let at = 2 + i * CASE_PARAMS;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?1");
                for p in at..at + CASE_PARAMS {
                    sql.push_str(",?");
                    sql.push_str(&p.to_string());
                }
                sql.push(')');
            }
            sql
        })
    });
    &all[chunk_slot(size)]
}

/// Where chunk size `size` lies in [`CASE_CHUNKS`] (the last, 1, for a
/// size not there).
fn chunk_slot(size: usize) -> usize {
    CASE_CHUNKS
        .iter()
        .position(|&n| n == size)
        .unwrap_or(CASE_CHUNKS.len() - 1)
}

/// Binds `row`'s ten columns from parameter `at` on.
fn bind_case(
    stmt: &mut rusqlite::CachedStatement<'_>,
    at: usize,
    row: &CaseRow,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(at, row.key.stream_type.as_str())?;
    stmt.raw_bind_parameter(at + 1, row.key.id.as_str())?;
    stmt.raw_bind_parameter(at + 2, row.state.as_str())?;
    stmt.raw_bind_parameter(at + 3, row.tier.map(|t| t.as_str()))?;
    stmt.raw_bind_parameter(at + 4, row.body.as_ref().map(|b| b.as_str()))?;
    stmt.raw_bind_parameter(at + 5, i64::from(row.parties))?;
    stmt.raw_bind_parameter(at + 6, to_micros(row.opened))?;
    stmt.raw_bind_parameter(at + 7, row.closed.map(to_micros))?;
    stmt.raw_bind_parameter(at + 8, row.next_due.map(to_micros))?;
    stmt.raw_bind_parameter(at + 9, i64::try_from(row.version).unwrap_or(i64::MAX))
}

impl CaseTables for Transaction<'_> {
    fn put_case(&mut self, tenant: &TenantId, row: &CaseRow) -> Result<(), ProjectionError> {
        self.prepare_cached(
            "INSERT OR REPLACE INTO grassroots_case_index
             (tenant, stream_type, case_id, state, tier, body, parties, opened, closed, next_due, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .map_err(sql)?
        .execute(params![
            tenant.as_str(),
            row.key.stream_type.as_str(),
            row.key.id.as_str(),
            row.state,
            row.tier.map(|t| t.as_str()),
            row.body.as_ref().map(|b| b.as_str()),
            i64::from(row.parties),
            to_micros(row.opened),
            row.closed.map(to_micros),
            row.next_due.map(to_micros),
            i64::try_from(row.version).unwrap_or(i64::MAX),
        ])
        .map_err(sql)?;
        Ok(())
    }

    /// Many rows per statement: a statement's fixed cost (reset, bind,
    /// step, the conflict check's setup) is paid per chunk, not per row.
    /// Each chunk size's statement is taken from the cache once per call,
    /// the tenant bound once: a statement's trip through the cache hashes
    /// its text and clears its bindings, ~20,000 instructions for 64 rows.
    fn put_cases(&mut self, tenant: &TenantId, rows: &[CaseRow]) -> Result<(), ProjectionError> {
        let mut statements: [Option<rusqlite::CachedStatement<'_>>; CASE_CHUNKS.len()] =
            Default::default();
        let mut rest = rows;
        while !rest.is_empty() {
            let size = case_chunk(rest.len());
            let (chunk, after) = rest.split_at(size);
            let slot = &mut statements[chunk_slot(size)];
            let stmt = match slot {
                Some(stmt) => stmt,
                None => {
                    let mut stmt = self.prepare_cached(upsert_cases_sql(size)).map_err(sql)?;
                    stmt.raw_bind_parameter(1, tenant.as_str()).map_err(sql)?;
                    slot.insert(stmt)
                }
            };
            for (i, row) in chunk.iter().enumerate() {
                let at = 2 + i * CASE_PARAMS;
                bind_case(stmt, at, row).map_err(sql)?;
            }
            stmt.raw_execute().map_err(sql)?;
            rest = after;
        }
        Ok(())
    }

    fn put_work(
        &mut self,
        tenant: &TenantId,
        key: &CaseKey,
        item: Option<&WorkItem>,
    ) -> Result<(), ProjectionError> {
        match item {
            Some(item) => self
                .prepare_cached(
                    "INSERT OR REPLACE INTO grassroots_work_queue
                     (tenant, stream_type, case_id, action, body, role, since, due)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(sql)?
                .execute(params![
                    tenant.as_str(),
                    key.stream_type.as_str(),
                    key.id.as_str(),
                    item.action,
                    item.body.as_ref().map(|b| b.as_str()),
                    role_key(&item.role),
                    to_micros(item.since),
                    item.due.map(to_micros),
                ])
                .map_err(sql)?,
            None => self
                .prepare_cached(
                    "DELETE FROM grassroots_work_queue
                     WHERE tenant = ?1 AND stream_type = ?2 AND case_id = ?3",
                )
                .map_err(sql)?
                .execute(params![
                    tenant.as_str(),
                    key.stream_type.as_str(),
                    key.id.as_str()
                ])
                .map_err(sql)?,
        };
        Ok(())
    }

    fn clear_cases(&mut self, tenant: &TenantId) -> Result<(), ProjectionError> {
        self.execute(
            "DELETE FROM grassroots_case_index WHERE tenant = ?1",
            params![tenant.as_str()],
        )
        .map_err(sql)?;
        Ok(())
    }

    fn clear_work(&mut self, tenant: &TenantId) -> Result<(), ProjectionError> {
        self.execute(
            "DELETE FROM grassroots_work_queue WHERE tenant = ?1",
            params![tenant.as_str()],
        )
        .map_err(sql)?;
        Ok(())
    }

    fn create_case_tables(&mut self) -> Result<(), ProjectionError> {
        self.execute_batch(CASE_INDEX).map_err(sql)
    }

    fn create_work_tables(&mut self) -> Result<(), ProjectionError> {
        self.execute_batch(WORK_QUEUE).map_err(sql)
    }
}

case_projections!(SqliteReadStore);

impl CaseQueries for SqliteReadStore {
    fn case(&self, tenant: &TenantId, key: &CaseKey) -> Result<Option<CaseRow>, ProjectionError> {
        let page = Page {
            after: None,
            limit: 1,
        };
        let (stream_type, id) = (key.stream_type.as_str(), key.id.as_str());
        Ok(self
            .cases(
                "stream_type = ?5 AND case_id = ?6",
                tenant,
                &page,
                &[&stream_type, &id],
            )?
            .pop())
    }

    fn open_cases_of(
        &self,
        tenant: &TenantId,
        body: &OrgId,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        let body = body.as_str();
        self.cases("closed IS NULL AND body = ?5", tenant, page, &[&body])
    }

    fn overdue_at(
        &self,
        tenant: &TenantId,
        tier: Tier,
        now: DateTime<Utc>,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        let (tier, now) = (tier.as_str(), to_micros(now));
        self.cases(
            "closed IS NULL AND next_due IS NOT NULL AND tier = ?5 AND next_due < ?6",
            tenant,
            page,
            &[&tier, &now],
        )
    }

    fn due_before(
        &self,
        tenant: &TenantId,
        at: DateTime<Utc>,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        let at = to_micros(at);
        self.cases(
            "closed IS NULL AND next_due IS NOT NULL AND next_due < ?5",
            tenant,
            page,
            &[&at],
        )
    }

    fn work_of(
        &self,
        tenant: &TenantId,
        body: &OrgId,
        page: &Page,
    ) -> Result<Vec<WorkItem>, ProjectionError> {
        let body = body.as_str();
        self.work("body = ?5", tenant, page, &[&body])
    }

    fn work_for(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        page: &Page,
    ) -> Result<Vec<WorkItem>, ProjectionError> {
        let roles = serde_json::to_string(&role_keys_for(actor))
            .map_err(|e| ProjectionError::backend(BACKEND, e))?;
        let body = actor.org().map(|b| b.as_str().to_owned());
        self.work(
            "role IN (SELECT value FROM json_each(?5)) AND (body IS NULL OR body = ?6)",
            tenant,
            page,
            &[&roles, &body],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_store_waits_as_long_as_it_is_told_for_another_writer() {
        let busy = |store: &SqliteReadStore| -> i64 {
            store
                .lock()
                .pragma_query_value(None, "busy_timeout", |row| row.get(0))
                .unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteReadStore::open(dir.path().join("read.db")).unwrap();
        assert_eq!(busy(&store), 5_000);
        let store = store.with_busy_timeout(Duration::from_secs(60)).unwrap();
        assert_eq!(busy(&store), 60_000);
        // Longer than SQLite takes: the longest it does, not a panic.
        let store = store.with_busy_timeout(Duration::MAX).unwrap();
        assert_eq!(busy(&store), i64::from(i32::MAX));
    }

    #[test]
    fn case_rows_go_out_in_the_largest_chunks_that_fit() {
        let mut left = 147;
        let mut sizes = Vec::new();
        while left > 0 {
            let size = case_chunk(left);
            assert!(CASE_CHUNKS.contains(&size) && size <= left);
            sizes.push(size);
            left -= size;
        }
        assert_eq!(sizes, [64, 64, 8, 8, 1, 1, 1]);
    }

    #[test]
    fn a_chunk_statement_shares_the_tenant_and_numbers_the_rest() {
        let one = upsert_cases_sql(1);
        assert!(one.ends_with("VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"));
        let eight = upsert_cases_sql(8);
        assert!(eight.contains("(?1,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21),(?1,?22,"));
        // The largest statement stays far below SQLite's parameter limit.
        const { assert!(1 + CASE_PARAMS * 64 < 32_766) };
        assert!(upsert_cases_sql(64).ends_with(",?641)"));
    }
}
