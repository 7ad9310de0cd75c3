//! The due index: per stream, the next instant a timer command could change
//! its case ([`Workflow::next_due`]), kept by every store in the same
//! transaction as the append that changes it.
//!
//! - [`DueUpdate`] is what an append does to its stream's entry;
//!   [`execute`](super::execute) computes it from the case after the command.
//! - [`EventStore::due`] pages through the streams of a tenant and workflow
//!   due at or before a time, oldest first (keyset pagination on
//!   `(due, stream id)`); [`EventStore::claim_due`] does the same and leases
//!   the rows it returns, so several sweepers share the work.
//! - [`rebuild_due_index`] recomputes a workflow's entries from the log.
//!
//! A case that ended, or has no timer pending, has no entry: closed cases
//! cost the index nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use chrono::{DateTime, TimeDelta, Utc};
use serde::de::DeserializeOwned;

use super::{EventSchema, EventStore, JournalError, StreamKey, StreamType, from_micros, to_micros};
use crate::id::{CaseId, TenantId};
#[allow(unused_imports)] // used by the doc links above
use crate::workflow::Workflow;

/// What an append does to its stream's entry in the due index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DueUpdate {
    /// Leaves the entry as it is (what [`EventStore::append`] does).
    #[default]
    Keep,
    /// The stream is next due at this instant (its lease, if a sweeper held
    /// one, ends).
    At(DateTime<Utc>),
    /// Nothing is pending: the stream leaves the index.
    Clear,
}

impl DueUpdate {
    /// The update that records `next_due`: [`At`](Self::At) or
    /// [`Clear`](Self::Clear).
    pub fn of(next_due: Option<DateTime<Utc>>) -> Self {
        next_due.map_or(Self::Clear, Self::At)
    }
}

/// One entry of the due index: a stream and when it is next due.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DueEntry {
    /// When a timer command could next change the case (to the
    /// microsecond).
    pub due: DateTime<Utc>,
    /// The stream.
    pub stream: StreamKey,
}

/// Which entries of the due index to read: those of one tenant and stream
/// type due at or before `until`, after the `after` cursor, at most `limit`
/// of them, ordered by `(due, stream id)`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use grassroots::journal::{DueQuery, EventStore, MemoryStore};
///
/// let store = MemoryStore::new();
/// let now = Utc.with_ymd_and_hms(2026, 3, 9, 1, 0, 0).unwrap();
/// let mut query = DueQuery::new("longgang".parse()?, "dispute".parse()?, now).limit(100);
/// loop {
///     let page = store.due(&query)?;
///     // ... tick each case of the page ...
///     match page.last() {
///         Some(last) => query = query.after(last),
///         None => break,
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueQuery {
    /// The tenant.
    pub tenant: TenantId,
    /// The workflow whose cases to read.
    pub stream_type: StreamType,
    /// The latest due instant to return (inclusive).
    pub until: DateTime<Utc>,
    /// Where the previous page ended: only entries ordered after this
    /// `(due, stream id)` are returned.
    pub after: Option<(DateTime<Utc>, CaseId)>,
    /// The most entries to return.
    pub limit: usize,
}

impl DueQuery {
    /// The first page (of up to 1,000 entries) of `tenant`'s `stream_type`
    /// streams due at or before `until`.
    pub fn new(tenant: TenantId, stream_type: StreamType, until: DateTime<Utc>) -> Self {
        Self {
            tenant,
            stream_type,
            until,
            after: None,
            limit: 1000,
        }
    }

    /// The page after `entry` (the last entry of the previous page).
    #[must_use]
    pub fn after(mut self, entry: &DueEntry) -> Self {
        self.after = Some((entry.due, entry.stream.id.clone()));
        self
    }

    /// At most `limit` entries per page.
    #[must_use]
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// The cursor as `(due micros, stream id)`, the smallest when none.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(super) fn cursor(&self) -> (i64, &str) {
        self.after
            .as_ref()
            .map_or((i64::MIN, ""), |(due, id)| (to_micros(*due), id.as_str()))
    }

    pub(super) fn entry(&self, id: CaseId, due: i64) -> Result<DueEntry, JournalError> {
        Ok(DueEntry {
            due: from_micros(due).ok_or(JournalError::Corrupt {
                position: 0,
                column: "due",
            })?,
            stream: StreamKey::new(self.tenant.clone(), self.stream_type.clone(), id),
        })
    }
}

/// What [`rebuild_due_index`] did.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rebuilt {
    /// The streams now in the index.
    pub indexed: usize,
    /// The streams of the workflow with nothing pending (left out).
    pub idle: usize,
    /// The streams that did not load, with the error: left out of the
    /// index (a sweep would only fail on them).
    pub failed: Vec<(StreamKey, JournalError)>,
}

/// Recomputes `W`'s entries of `tenant`'s due index from the log, in one
/// call: reads the tenant's log, loads every `W` case in it, and replaces
/// the entries with each case's [`next_due`](crate::workflow::Case::next_due)
/// in one transaction.
///
/// Use it after importing events with [`EventStore::append`] (which keeps
/// the index as it is), or to check the index. Run it while no other writer
/// appends to the tenant: an append between the read and the replacement
/// may be missed until that case's next append.
///
/// # Errors
///
/// What [`EventStore::read_all`] and [`EventStore::replace_due`] return; a
/// case that does not load is reported in [`Rebuilt::failed`], not as an
/// error.
pub fn rebuild_due_index<W, S>(store: &S, tenant: &TenantId) -> Result<Rebuilt, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
    S: EventStore + ?Sized,
{
    const PAGE: usize = 4096;
    let stream_type = StreamType::of::<W>()?;
    let mut ids = BTreeSet::new();
    let mut after = 0;
    loop {
        let page = store.read_all(tenant, after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.position;
        ids.extend(
            page.iter()
                .filter(|row| row.stream.stream_type == stream_type)
                .map(|row| row.stream.id.clone()),
        );
    }
    let mut rebuilt = Rebuilt {
        indexed: 0,
        idle: 0,
        failed: Vec::new(),
    };
    let mut entries = Vec::with_capacity(ids.len());
    for id in ids {
        match super::load::<W, S>(store, tenant, &id) {
            Ok(case) => match case.next_due() {
                Some(due) => entries.push(DueEntry {
                    due: super::truncate_to_micros(due),
                    stream: StreamKey::new(tenant.clone(), stream_type.clone(), id),
                }),
                None => rebuilt.idle += 1,
            },
            Err(e) => rebuilt
                .failed
                .push((StreamKey::new(tenant.clone(), stream_type.clone(), id), e)),
        }
    }
    rebuilt.indexed = entries.len();
    store.replace_due(tenant, &stream_type, &entries)?;
    Ok(rebuilt)
}

/// Reads every entry of `tenant`'s `stream_type` streams, oldest first:
/// the whole index of one workflow, for checks and tests.
///
/// # Errors
///
/// What [`EventStore::due`] returns.
pub fn due_entries<S: EventStore + ?Sized>(
    store: &S,
    tenant: &TenantId,
    stream_type: &StreamType,
) -> Result<Vec<DueEntry>, JournalError> {
    let end = DateTime::<Utc>::MAX_UTC;
    let mut query = DueQuery::new(tenant.clone(), stream_type.clone(), end).limit(4096);
    let mut out = Vec::new();
    loop {
        let page = store.due(&query)?;
        let Some(last) = page.last() else { break };
        query = query.after(last);
        out.extend(page);
    }
    Ok(out)
}

/// The lease's end, in micros, for a claim made at `now`.
pub(super) fn lease_end(now: DateTime<Utc>, lease: TimeDelta) -> i64 {
    to_micros(now).saturating_add(lease.num_microseconds().unwrap_or(i64::MAX))
}

/// A key of the memory due index, ordered as `(due, id)`: the id's first
/// 16 bytes, read as a big-endian number (zero-padded), come before the id
/// itself, so most comparisons within a group — whose entries often share
/// a due instant — compare integers, not strings. Byte order of the padded
/// prefix agrees with the ids' byte order wherever it differs, and equal
/// prefixes fall back to the ids: the order is exactly `(due, id)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct DueKey {
    due: i64,
    prefix: u128,
    id: CaseId,
}

impl DueKey {
    fn new(due: i64, id: CaseId) -> Self {
        let mut bytes = [0u8; 16];
        let id_bytes = id.as_str().as_bytes();
        let head = &id_bytes[..id_bytes.len().min(16)];
        bytes[..head.len()].copy_from_slice(head);
        Self {
            due,
            prefix: u128::from_be_bytes(bytes),
            id,
        }
    }
}

/// One workflow's entries in memory: `(due micros, id)` → the lease's end,
/// if claimed.
type Ordered = BTreeMap<DueKey, Option<i64>>;

/// The due index of a [`MemoryStore`](super::MemoryStore): the ordered
/// entries. Each stream's own due instant is kept by the store beside the
/// stream's events, so moving an entry looks the stream up once, with the
/// append that moves it.
#[derive(Debug, Default)]
pub(super) struct MemoryDue {
    /// Per tenant and stream type: `(due, id)` → the lease's end, if
    /// claimed.
    ordered: super::memory::HashMap<(TenantId, StreamType), Ordered>,
}

impl MemoryDue {
    /// Moves the entry of `stream`, due at `old` (micros; `None` when it
    /// has none), as `update` says; returns its due instant after.
    pub(super) fn apply(
        &mut self,
        stream: &StreamKey,
        old: Option<i64>,
        update: DueUpdate,
    ) -> Option<i64> {
        let due = match update {
            DueUpdate::Keep => return old,
            DueUpdate::At(due) => Some(to_micros(due)),
            DueUpdate::Clear => None,
        };
        if old.is_none() && due.is_none() {
            return None;
        }
        let group = (stream.tenant.clone(), stream.stream_type.clone());
        let map = match due {
            Some(_) => self.ordered.entry(group).or_default(),
            // No group: `old` named no entry either.
            None => self.ordered.get_mut(&group)?,
        };
        let key = match old {
            Some(old) => {
                let mut key = DueKey::new(old, stream.id.clone());
                map.remove(&key);
                // The same id: only its instant moves.
                key.due = due.unwrap_or(old);
                key
            }
            None => DueKey::new(due.unwrap_or_default(), stream.id.clone()),
        };
        if due.is_some() {
            // A new entry, or the same one again: either way unleased.
            map.insert(key, None);
        }
        due
    }

    pub(super) fn page(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        let group = (query.tenant.clone(), query.stream_type.clone());
        let Some(map) = self.ordered.get(&group) else {
            return Ok(Vec::new());
        };
        select(map.range(range(query)), query, |_| true)
            .map(|(key, _)| query.entry(key.id.clone(), key.due))
            .collect()
    }

    pub(super) fn claim(
        &mut self,
        query: &DueQuery,
        now: DateTime<Utc>,
        lease: TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
        let now_micros = to_micros(now);
        let end = lease_end(now, lease);
        let group = (query.tenant.clone(), query.stream_type.clone());
        let Some(map) = self.ordered.get_mut(&group) else {
            return Ok(Vec::new());
        };
        // One walk: each free entry is leased as it is chosen.
        select(map.range_mut(range(query)), query, |lease| {
            lease.is_none_or(|end| end <= now_micros)
        })
        .map(|(key, lease)| {
            *lease = Some(end);
            query.entry(key.id.clone(), key.due)
        })
        .collect()
    }

    /// Takes every entry of `tenant`'s `stream_type` streams out of the
    /// index and returns their ids: the first half of replacing them (the
    /// store clears each one's due instant, then applies the new entries).
    pub(super) fn take_group(
        &mut self,
        tenant: &TenantId,
        stream_type: &StreamType,
    ) -> impl Iterator<Item = CaseId> + use<> {
        let group = (tenant.clone(), stream_type.clone());
        self.ordered
            .remove(&group)
            .unwrap_or_default()
            .into_keys()
            .map(|key| key.id)
    }
}

/// The keys of a group that `query` reads from: those after its cursor.
fn range(query: &DueQuery) -> (Bound<DueKey>, Bound<DueKey>) {
    match &query.after {
        Some((due, id)) => (
            Bound::Excluded(DueKey::new(to_micros(*due), id.clone())),
            Bound::Unbounded,
        ),
        None => (Bound::Unbounded, Bound::Unbounded),
    }
}

/// The entries of `entries` (a group's, from the query's cursor on) due at
/// or before the query's time whose lease is `free`, at most the query's
/// limit.
fn select<'a, V>(
    entries: impl Iterator<Item = (&'a DueKey, V)>,
    query: &DueQuery,
    free: impl Fn(Option<i64>) -> bool,
) -> impl Iterator<Item = (&'a DueKey, V)>
where
    V: std::ops::Deref<Target = Option<i64>> + 'a,
{
    let until = to_micros(query.until);
    entries
        .take_while(move |(key, _)| key.due <= until)
        .filter(move |(_, lease)| free(**lease))
        .take(query.limit)
}

/// SQLite: the due table (migration 2) and its statements.
#[cfg(feature = "sqlite")]
pub(super) mod sqlite {
    use chrono::{DateTime, TimeDelta, Utc};
    use rusqlite::{Connection, params};

    use super::{DueEntry, DueQuery, DueUpdate, lease_end};
    use crate::id::{CaseId, TenantId};
    use crate::journal::{JournalError, StreamKey, StreamType, to_micros};

    /// The migration that creates the due table.
    pub(in crate::journal) const MIGRATION: (u32, &str, &str) = (
        3,
        "due index",
        "CREATE TABLE journal_due (
            tenant        TEXT    NOT NULL,
            stream_type   TEXT    NOT NULL,
            stream_id     TEXT    NOT NULL,
            due           INTEGER NOT NULL,
            claimed_until INTEGER,
            PRIMARY KEY (tenant, stream_type, stream_id)
        ) STRICT;
        CREATE INDEX journal_due_by_time ON journal_due (tenant, stream_type, due, stream_id);",
    );

    fn sql(e: rusqlite::Error) -> JournalError {
        JournalError::backend("sqlite", e)
    }

    /// Writes `update` for `stream`, inside the append's transaction.
    /// `has_entry` guesses whether the stream has an entry already (it
    /// has an anchor: an existing case): then an `UPDATE` comes first and
    /// an `INSERT` only if it changed no row. An upsert tries the insert
    /// first and updates on the conflict, which cost a ticked case as much
    /// as its event's own insert (callgrind, the sweep bench). A wrong
    /// guess costs one more index lookup, never a wrong entry.
    pub(in crate::journal) fn write(
        conn: &Connection,
        stream: &StreamKey,
        update: DueUpdate,
        has_entry: bool,
    ) -> Result<(), JournalError> {
        let key = params![
            stream.tenant.as_str(),
            stream.stream_type.as_str(),
            stream.id.as_str()
        ];
        match update {
            DueUpdate::Keep => Ok(()),
            DueUpdate::Clear => conn
                .prepare_cached(
                    "DELETE FROM journal_due
                     WHERE tenant = ?1 AND stream_type = ?2 AND stream_id = ?3",
                )
                .and_then(|mut s| s.execute(key))
                .map(drop)
                .map_err(sql),
            DueUpdate::At(due) => {
                let row = params![
                    stream.tenant.as_str(),
                    stream.stream_type.as_str(),
                    stream.id.as_str(),
                    to_micros(due)
                ];
                if has_entry {
                    let changed = conn
                        .prepare_cached(
                            "UPDATE journal_due SET due = ?4, claimed_until = NULL
                             WHERE tenant = ?1 AND stream_type = ?2 AND stream_id = ?3",
                        )
                        .and_then(|mut s| s.execute(row))
                        .map_err(sql)?;
                    if changed > 0 {
                        return Ok(());
                    }
                }
                conn.prepare_cached(
                    "INSERT INTO journal_due (tenant, stream_type, stream_id, due)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (tenant, stream_type, stream_id)
                     DO UPDATE SET due = excluded.due, claimed_until = NULL",
                )
                .and_then(|mut s| s.execute(row))
                .map(drop)
                .map_err(sql)
            }
        }
    }

    fn entries(query: &DueQuery, rows: Vec<(String, i64)>) -> Result<Vec<DueEntry>, JournalError> {
        let mut out = rows
            .into_iter()
            .map(|(id, due)| {
                let id = CaseId::new(&id).map_err(|_| JournalError::Corrupt {
                    position: 0,
                    column: "stream_id",
                })?;
                query.entry(id, due)
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_unstable();
        Ok(out)
    }

    const WHERE: &str = "tenant = ?1 AND stream_type = ?2 AND due <= ?3
         AND (due > ?4 OR (due = ?4 AND stream_id > ?5))";

    pub(in crate::journal) fn page(
        conn: &Connection,
        query: &DueQuery,
    ) -> Result<Vec<DueEntry>, JournalError> {
        let (after_due, after_id) = query.cursor();
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT stream_id, due FROM journal_due WHERE {WHERE}
                 ORDER BY due, stream_id LIMIT ?6"
            ))
            .map_err(sql)?;
        let rows = statement
            .query_map(
                params![
                    query.tenant.as_str(),
                    query.stream_type.as_str(),
                    to_micros(query.until),
                    after_due,
                    after_id,
                    i64::try_from(query.limit).unwrap_or(i64::MAX)
                ],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .and_then(Iterator::collect)
            .map_err(sql)?;
        entries(query, rows)
    }

    pub(in crate::journal) fn claim(
        conn: &Connection,
        query: &DueQuery,
        now: DateTime<Utc>,
        lease: TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
        let (after_due, after_id) = query.cursor();
        let mut statement = conn
            .prepare_cached(&format!(
                "UPDATE journal_due SET claimed_until = ?8
                 WHERE rowid IN (
                     SELECT rowid FROM journal_due WHERE {WHERE}
                     AND (claimed_until IS NULL OR claimed_until <= ?7)
                     ORDER BY due, stream_id LIMIT ?6)
                 RETURNING stream_id, due"
            ))
            .map_err(sql)?;
        let rows = statement
            .query_map(
                params![
                    query.tenant.as_str(),
                    query.stream_type.as_str(),
                    to_micros(query.until),
                    after_due,
                    after_id,
                    i64::try_from(query.limit).unwrap_or(i64::MAX),
                    to_micros(now),
                    lease_end(now, lease)
                ],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .and_then(Iterator::collect)
            .map_err(sql)?;
        entries(query, rows)
    }

    pub(in crate::journal) fn replace(
        conn: &mut Connection,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql)?;
        tx.execute(
            "DELETE FROM journal_due WHERE tenant = ?1 AND stream_type = ?2",
            params![tenant.as_str(), stream_type.as_str()],
        )
        .map_err(sql)?;
        for entry in entries {
            write(&tx, &entry.stream, DueUpdate::At(entry.due), false)?;
        }
        tx.commit().map_err(sql)
    }
}

/// PostgreSQL: the due table (migration 2) and its statements.
#[cfg(feature = "postgres")]
pub(super) mod postgres {
    use chrono::{DateTime, TimeDelta, Utc};
    use postgres::GenericClient;

    use super::{DueEntry, DueQuery, DueUpdate, lease_end};
    use crate::id::{CaseId, TenantId};
    use crate::journal::{JournalError, StreamKey, StreamType, to_micros};

    /// The migration that creates the due table.
    pub(in crate::journal) const MIGRATION: (i32, &str, &str) = (
        3,
        "due index",
        r#"
        CREATE TABLE journal_due (
            tenant        text   NOT NULL,
            stream_type   text   NOT NULL,
            stream_id     text   COLLATE "C" NOT NULL,
            due           bigint NOT NULL,
            claimed_until bigint,
            PRIMARY KEY (tenant, stream_type, stream_id)
        );
        CREATE INDEX journal_due_by_time ON journal_due (tenant, stream_type, due, stream_id);
        "#,
    );

    fn pg(e: postgres::Error) -> JournalError {
        JournalError::backend("postgres", e)
    }

    /// Writes `update` for `stream`, inside the append's transaction.
    pub(in crate::journal) fn write(
        client: &mut impl GenericClient,
        stream: &StreamKey,
        update: DueUpdate,
    ) -> Result<(), JournalError> {
        let (tenant, stream_type, id) = (
            stream.tenant.as_str(),
            stream.stream_type.as_str(),
            stream.id.as_str(),
        );
        match update {
            DueUpdate::Keep => Ok(()),
            DueUpdate::Clear => client
                .execute(
                    "DELETE FROM journal_due
                     WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3",
                    &[&tenant, &stream_type, &id],
                )
                .map(drop)
                .map_err(pg),
            DueUpdate::At(due) => client
                .execute(
                    "INSERT INTO journal_due (tenant, stream_type, stream_id, due)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (tenant, stream_type, stream_id)
                     DO UPDATE SET due = excluded.due, claimed_until = NULL",
                    &[&tenant, &stream_type, &id, &to_micros(due)],
                )
                .map(drop)
                .map_err(pg),
        }
    }

    fn entries(query: &DueQuery, rows: Vec<postgres::Row>) -> Result<Vec<DueEntry>, JournalError> {
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

    const WHERE: &str = "tenant = $1 AND stream_type = $2 AND due <= $3
         AND (due, stream_id) > ($4, $5)";

    fn limit(query: &DueQuery) -> i64 {
        i64::try_from(query.limit).unwrap_or(i64::MAX)
    }

    pub(in crate::journal) fn page(
        client: &mut impl GenericClient,
        query: &DueQuery,
    ) -> Result<Vec<DueEntry>, JournalError> {
        let (after_due, after_id) = query.cursor();
        let rows = client
            .query(
                &format!(
                    "SELECT stream_id, due FROM journal_due WHERE {WHERE}
                     ORDER BY due, stream_id LIMIT $6"
                ),
                &[
                    &query.tenant.as_str(),
                    &query.stream_type.as_str(),
                    &to_micros(query.until),
                    &after_due,
                    &after_id,
                    &limit(query),
                ],
            )
            .map_err(pg)?;
        entries(query, rows)
    }

    /// Leases up to `limit` free due rows: `FOR UPDATE SKIP LOCKED`, so
    /// sweepers claiming at once take different rows and never wait for
    /// each other.
    pub(in crate::journal) fn claim(
        client: &mut impl GenericClient,
        query: &DueQuery,
        now: DateTime<Utc>,
        lease: TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
        let (after_due, after_id) = query.cursor();
        let rows = client
            .query(
                &format!(
                    "UPDATE journal_due AS d SET claimed_until = $8
                     FROM (SELECT tenant, stream_type, stream_id FROM journal_due
                           WHERE {WHERE}
                           AND (claimed_until IS NULL OR claimed_until <= $7)
                           ORDER BY due, stream_id LIMIT $6
                           FOR UPDATE SKIP LOCKED) AS c
                     WHERE d.tenant = c.tenant AND d.stream_type = c.stream_type
                       AND d.stream_id = c.stream_id
                     RETURNING d.stream_id, d.due"
                ),
                &[
                    &query.tenant.as_str(),
                    &query.stream_type.as_str(),
                    &to_micros(query.until),
                    &after_due,
                    &after_id,
                    &limit(query),
                    &to_micros(now),
                    &lease_end(now, lease),
                ],
            )
            .map_err(pg)?;
        entries(query, rows)
    }

    pub(in crate::journal) fn replace(
        client: &mut postgres::Client,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        let mut tx = client.transaction().map_err(pg)?;
        tx.execute(
            "DELETE FROM journal_due WHERE tenant = $1 AND stream_type = $2",
            &[&tenant.as_str(), &stream_type.as_str()],
        )
        .map_err(pg)?;
        for entry in entries {
            write(&mut tx, &entry.stream, DueUpdate::At(entry.due))?;
        }
        tx.commit().map_err(pg)
    }
}
