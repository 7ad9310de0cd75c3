//! [`PostgresReadStore`]: read models on a PostgreSQL server (feature
//! `postgres`).

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use postgres::types::ToSql;
use postgres::{Client, Row, Transaction};

use super::index::{CaseTables, case_projections, role_key, role_keys_for};
use super::{
    CaseIndex, CaseKey, CaseQueries, CaseRow, Checkpoint, Page, ProjectionError, ReadStore,
    WorkItem, WorkQueue,
};
use crate::actor::{Actor, Role};
use crate::id::{OrgId, TenantId};
use crate::journal::{from_micros, to_micros};
use crate::tier::Tier;

const BACKEND: &str = "postgres";

fn pg(e: postgres::Error) -> ProjectionError {
    ProjectionError::backend(BACKEND, e)
}

/// Serialises concurrent `CREATE TABLE IF NOT EXISTS` of the read models.
const DDL_LOCK: i64 = 0x6772_6173_7372_6d31;

const CHECKPOINTS: &str = "CREATE TABLE IF NOT EXISTS grassroots_read_models (
    name           text   NOT NULL,
    tenant         text   NOT NULL,
    position       bigint NOT NULL CHECK (position >= 0),
    schema_version int    NOT NULL,
    PRIMARY KEY (name, tenant)
);";

const CASE_INDEX: &str = "CREATE TABLE IF NOT EXISTS grassroots_case_index (
    tenant      text   NOT NULL,
    stream_type text   NOT NULL,
    case_id     text   NOT NULL,
    state       text   NOT NULL,
    tier        text,
    body        text,
    parties     int    NOT NULL,
    opened      bigint NOT NULL,
    closed      bigint,
    next_due    bigint,
    version     bigint NOT NULL,
    PRIMARY KEY (tenant, stream_type, case_id)
);
CREATE INDEX IF NOT EXISTS grassroots_case_index_open_by_body
    ON grassroots_case_index (tenant, body, stream_type, case_id) WHERE closed IS NULL;
CREATE INDEX IF NOT EXISTS grassroots_case_index_open_by_due
    ON grassroots_case_index (tenant, next_due) WHERE closed IS NULL AND next_due IS NOT NULL;
CREATE INDEX IF NOT EXISTS grassroots_case_index_open_by_tier
    ON grassroots_case_index (tenant, tier, next_due) WHERE closed IS NULL AND next_due IS NOT NULL;";

const WORK_QUEUE: &str = "CREATE TABLE IF NOT EXISTS grassroots_work_queue (
    tenant      text   NOT NULL,
    stream_type text   NOT NULL,
    case_id     text   NOT NULL,
    action      text   NOT NULL,
    body        text,
    role        text   NOT NULL,
    since       bigint NOT NULL,
    due         bigint,
    PRIMARY KEY (tenant, stream_type, case_id)
);
CREATE INDEX IF NOT EXISTS grassroots_work_queue_by_body
    ON grassroots_work_queue (tenant, body, stream_type, case_id);
CREATE INDEX IF NOT EXISTS grassroots_work_queue_by_role
    ON grassroots_work_queue (tenant, role, stream_type, case_id);";

/// Read models on a PostgreSQL server — the journal's database or another.
/// Each page a projection applies is one transaction holding the read
/// model's rows and the checkpoint (table `grassroots_read_models`), so a
/// process killed at any point leaves them agreeing. The tables are
/// documented in DESIGN.md; query them with SQL too. Times are
/// microseconds since the Unix epoch (`bigint`), as on SQLite.
/// The live metrics' table, `grassroots_case_facts`, is documented on
/// [`LiveMetrics`](super::LiveMetrics).
pub struct PostgresReadStore {
    client: Mutex<Client>,
}

impl fmt::Debug for PostgresReadStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresReadStore").finish_non_exhaustive()
    }
}

impl PostgresReadStore {
    /// Connects to the server at `url` and creates the crate's read-model
    /// tables if they are missing.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when the server cannot be reached or
    /// the tables cannot be created.
    pub fn connect(url: &str) -> Result<Self, ProjectionError> {
        // The journal's TLS (feature `postgres-tls`) applies here too.
        let mut client = crate::journal::postgres::connect_client(url).map_err(|source| {
            ProjectionError::Backend {
                backend: BACKEND,
                source,
            }
        })?;
        let mut tx = client.transaction().map_err(pg)?;
        create(
            &mut tx,
            &[
                CHECKPOINTS,
                CASE_INDEX,
                WORK_QUEUE,
                super::metrics_sql::POSTGRES_FACTS,
            ],
        )?;
        tx.commit().map_err(pg)?;
        Ok(Self {
            client: Mutex::new(client),
        })
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn check_schema(
        client: &mut Client,
        name: &str,
        tenant: &TenantId,
        known: u32,
    ) -> Result<(), ProjectionError> {
        let row = client
            .query_one(
                "SELECT max(schema_version) FROM grassroots_read_models
                 WHERE name = $1 AND tenant = $2",
                &[&name, &tenant.as_str()],
            )
            .map_err(pg)?;
        let found: Option<i32> = row.try_get(0).map_err(pg)?;
        match found.map(|v| u32::try_from(v).unwrap_or(0)) {
            Some(found) if found > known => Err(ProjectionError::SchemaTooNew {
                projection: name.to_owned(),
                found,
                known,
            }),
            _ => Ok(()),
        }
    }

    fn select(
        &self,
        name: &str,
        known: u32,
        query: String,
        tenant: &TenantId,
        page: &Page,
        bind: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, ProjectionError> {
        let mut client = self.lock();
        Self::check_schema(&mut client, name, tenant, known)?;
        let (after_type, after_id) = after(page);
        let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
        let tenant_text = tenant.as_str();
        let mut args: Vec<&(dyn ToSql + Sync)> = vec![&tenant_text, &after_type, &after_id, &limit];
        args.extend_from_slice(bind);
        let stmt = client.prepare(&query).map_err(pg)?;
        client.query(&stmt, &args).map_err(pg)
    }

    fn cases(
        &self,
        filter: &str,
        tenant: &TenantId,
        page: &Page,
        bind: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        let query = format!(
            "SELECT stream_type, case_id, state, tier, body, parties, opened, closed, next_due, version
             FROM grassroots_case_index
             WHERE tenant = $1 AND (stream_type, case_id) > ($2, $3) AND {filter}
             ORDER BY stream_type, case_id LIMIT $4"
        );
        let rows = self.select(
            CaseIndex::NAME,
            CaseIndex::SCHEMA_VERSION,
            query,
            tenant,
            page,
            bind,
        )?;
        rows.iter().map(case_row).collect()
    }

    fn work(
        &self,
        filter: &str,
        tenant: &TenantId,
        page: &Page,
        bind: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<WorkItem>, ProjectionError> {
        let query = format!(
            "SELECT stream_type, case_id, action, body, role, since, due
             FROM grassroots_work_queue
             WHERE tenant = $1 AND (stream_type, case_id) > ($2, $3) AND {filter}
             ORDER BY stream_type, case_id LIMIT $4"
        );
        let rows = self.select(
            WorkQueue::NAME,
            WorkQueue::SCHEMA_VERSION,
            query,
            tenant,
            page,
            bind,
        )?;
        rows.iter().map(work_item).collect()
    }
}

pub(super) fn create(tx: &mut Transaction<'_>, scripts: &[&str]) -> Result<(), ProjectionError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DDL_LOCK])
        .map_err(pg)?;
    for script in scripts {
        tx.batch_execute(script).map_err(pg)?;
    }
    Ok(())
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

fn key(row: &Row, table: &'static str) -> Result<CaseKey, ProjectionError> {
    let stream_type: &str = row.try_get(0).map_err(pg)?;
    let id: &str = row.try_get(1).map_err(pg)?;
    Ok(CaseKey {
        stream_type: stream_type
            .parse()
            .map_err(|_| corrupt(table, "stream_type"))?,
        id: id.parse().map_err(|_| corrupt(table, "case_id"))?,
    })
}

fn case_row(row: &Row) -> Result<CaseRow, ProjectionError> {
    const T: &str = "grassroots_case_index";
    let tier: Option<&str> = row.try_get(3).map_err(pg)?;
    let body: Option<&str> = row.try_get(4).map_err(pg)?;
    let parties: i32 = row.try_get(5).map_err(pg)?;
    let closed: Option<i64> = row.try_get(7).map_err(pg)?;
    let next_due: Option<i64> = row.try_get(8).map_err(pg)?;
    let version: i64 = row.try_get(9).map_err(pg)?;
    Ok(CaseRow {
        key: key(row, T)?,
        state: row.try_get(2).map_err(pg)?,
        tier: tier
            .map(|t| t.parse::<Tier>())
            .transpose()
            .map_err(|_| corrupt(T, "tier"))?,
        body: body
            .map(|b| b.parse::<OrgId>())
            .transpose()
            .map_err(|_| corrupt(T, "body"))?,
        parties: u32::try_from(parties).map_err(|_| corrupt(T, "parties"))?,
        opened: time(row.try_get(6).map_err(pg)?, T, "opened")?,
        closed: closed.map(|c| time(c, T, "closed")).transpose()?,
        next_due: next_due.map(|d| time(d, T, "next_due")).transpose()?,
        version: u64::try_from(version).map_err(|_| corrupt(T, "version"))?,
    })
}

fn work_item(row: &Row) -> Result<WorkItem, ProjectionError> {
    const T: &str = "grassroots_work_queue";
    let body: Option<&str> = row.try_get(3).map_err(pg)?;
    let role: &str = row.try_get(4).map_err(pg)?;
    let due: Option<i64> = row.try_get(6).map_err(pg)?;
    Ok(WorkItem {
        key: key(row, T)?,
        action: row.try_get(2).map_err(pg)?,
        body: body
            .map(|b| b.parse::<OrgId>())
            .transpose()
            .map_err(|_| corrupt(T, "body"))?,
        role: role.parse::<Role>().map_err(|_| corrupt(T, "role"))?,
        since: time(row.try_get(5).map_err(pg)?, T, "since")?,
        due: due.map(|d| time(d, T, "due")).transpose()?,
    })
}

impl ReadStore for PostgresReadStore {
    type Tx<'a> = Transaction<'a>;

    fn in_transaction<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ProjectionError>,
    ) -> Result<T, ProjectionError> {
        let mut client = self.lock();
        let mut tx = client.transaction().map_err(pg)?;
        let out = f(&mut tx)?;
        tx.commit().map_err(pg)?;
        Ok(out)
    }

    fn checkpoint(
        tx: &mut Self::Tx<'_>,
        name: &str,
        tenant: &TenantId,
    ) -> Result<Option<Checkpoint>, ProjectionError> {
        // FOR UPDATE: two runners of one projection take turns per page.
        let row = tx
            .query_opt(
                "SELECT position, schema_version FROM grassroots_read_models
                 WHERE name = $1 AND tenant = $2 FOR UPDATE",
                &[&name, &tenant.as_str()],
            )
            .map_err(pg)?;
        row.map(|row| {
            let position: i64 = row.try_get(0).map_err(pg)?;
            let schema_version: i32 = row.try_get(1).map_err(pg)?;
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
        let position = i64::try_from(checkpoint.position).unwrap_or(i64::MAX);
        let version = i32::try_from(checkpoint.schema_version).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO grassroots_read_models (name, tenant, position, schema_version)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (name, tenant) DO UPDATE
             SET position = excluded.position, schema_version = excluded.schema_version",
            &[&name, &tenant.as_str(), &position, &version],
        )
        .map_err(pg)?;
        Ok(())
    }
}

impl CaseTables for Transaction<'_> {
    fn put_case(&mut self, tenant: &TenantId, row: &CaseRow) -> Result<(), ProjectionError> {
        let parties = i32::try_from(row.parties).unwrap_or(i32::MAX);
        let version = i64::try_from(row.version).unwrap_or(i64::MAX);
        self.execute(
            "INSERT INTO grassroots_case_index
             (tenant, stream_type, case_id, state, tier, body, parties, opened, closed, next_due, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (tenant, stream_type, case_id) DO UPDATE SET
             state = excluded.state, tier = excluded.tier, body = excluded.body,
             parties = excluded.parties, opened = excluded.opened, closed = excluded.closed,
             next_due = excluded.next_due, version = excluded.version",
            &[
                &tenant.as_str(),
                &row.key.stream_type.as_str(),
                &row.key.id.as_str(),
                &row.state,
                &row.tier.map(|t| t.as_str()),
                &row.body.as_ref().map(|b| b.as_str()),
                &parties,
                &to_micros(row.opened),
                &row.closed.map(to_micros),
                &row.next_due.map(to_micros),
                &version,
            ],
        )
        .map_err(pg)?;
        Ok(())
    }

    fn put_work(
        &mut self,
        tenant: &TenantId,
        key: &CaseKey,
        item: Option<&WorkItem>,
    ) -> Result<(), ProjectionError> {
        match item {
            Some(item) => self.execute(
                "INSERT INTO grassroots_work_queue
                 (tenant, stream_type, case_id, action, body, role, since, due)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (tenant, stream_type, case_id) DO UPDATE SET
                 action = excluded.action, body = excluded.body, role = excluded.role,
                 since = excluded.since, due = excluded.due",
                &[
                    &tenant.as_str(),
                    &key.stream_type.as_str(),
                    &key.id.as_str(),
                    &item.action,
                    &item.body.as_ref().map(|b| b.as_str()),
                    &role_key(&item.role),
                    &to_micros(item.since),
                    &item.due.map(to_micros),
                ],
            ),
            None => self.execute(
                "DELETE FROM grassroots_work_queue
                 WHERE tenant = $1 AND stream_type = $2 AND case_id = $3",
                &[
                    &tenant.as_str(),
                    &key.stream_type.as_str(),
                    &key.id.as_str(),
                ],
            ),
        }
        .map_err(pg)?;
        Ok(())
    }

    fn clear_cases(&mut self, tenant: &TenantId) -> Result<(), ProjectionError> {
        self.execute(
            "DELETE FROM grassroots_case_index WHERE tenant = $1",
            &[&tenant.as_str()],
        )
        .map_err(pg)?;
        Ok(())
    }

    fn clear_work(&mut self, tenant: &TenantId) -> Result<(), ProjectionError> {
        self.execute(
            "DELETE FROM grassroots_work_queue WHERE tenant = $1",
            &[&tenant.as_str()],
        )
        .map_err(pg)?;
        Ok(())
    }

    fn create_case_tables(&mut self) -> Result<(), ProjectionError> {
        create(self, &[CASE_INDEX])
    }

    fn create_work_tables(&mut self) -> Result<(), ProjectionError> {
        create(self, &[WORK_QUEUE])
    }
}

case_projections!(PostgresReadStore);

impl CaseQueries for PostgresReadStore {
    fn case(&self, tenant: &TenantId, key: &CaseKey) -> Result<Option<CaseRow>, ProjectionError> {
        let page = Page::first(1);
        let (stream_type, id) = (key.stream_type.as_str(), key.id.as_str());
        Ok(self
            .cases(
                "stream_type = $5 AND case_id = $6",
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
        self.cases("closed IS NULL AND body = $5", tenant, page, &[&body])
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
            "closed IS NULL AND next_due IS NOT NULL AND tier = $5 AND next_due < $6",
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
            "closed IS NULL AND next_due IS NOT NULL AND next_due < $5",
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
        self.work("body = $5", tenant, page, &[&body])
    }

    fn work_for(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        page: &Page,
    ) -> Result<Vec<WorkItem>, ProjectionError> {
        let roles = role_keys_for(actor);
        let body = actor.org().map(|b| b.as_str().to_owned());
        self.work(
            "role = ANY($5) AND (body IS NULL OR body = $6)",
            tenant,
            page,
            &[&roles, &body],
        )
    }
}
