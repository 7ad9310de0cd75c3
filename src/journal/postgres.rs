//! [`PostgresStore`]: the journal on a PostgreSQL server (feature
//! `postgres`).
//!
//! The server-grade engine: many service halls of a district — many
//! processes, many connections — append to one store.
//!
//! # Commit order and the locks
//!
//! A plain serial number is handed out when a row is inserted, not when its
//! transaction commits: a projection reading "everything after position 41"
//! could see 43 committed while 42 is still in flight, move on, and miss 42
//! for ever. This store closes that hole with two advisory transaction
//! locks, both held until the transaction ends:
//!
//! - **An append takes its tenant's lock shared**, then **its stream's lock
//!   exclusively**, before the probe. Appends of one tenant to different
//!   streams run side by side (each server process inserting its own rows:
//!   eight writers of one tenant are no longer one writer at a time), and
//!   appends of one stream one after another, which makes the version check
//!   race-free; each partition's unique index on `(stream_id, version,
//!   stream_type)` backs it up.
//! - **A read of the feed ([`EventStore::read_feed`]) takes its tenant's
//!   lock exclusively**, in a transaction of its own, and reads after it has
//!   it. It waits for the appends of the tenant in flight, and its
//!   statement's snapshot, taken once they have ended, sees every row they
//!   wrote; an append that begins after the read has the lock draws
//!   positions above every position drawn before. So a reader never sees a
//!   position while a lower one may still commit: positions appear in order
//!   even though two appends of a tenant may commit in the other order than
//!   they drew them.
//! - **While a read holds the lock or waits for it, new appends of the
//!   tenant wait** (PostgreSQL queues a later shared request behind a
//!   waiting exclusive one, so a reader is not starved): a read waits for
//!   the appends in flight, then holds the others back until it commits,
//!   right after its `SELECT` (a page). A slow append in flight therefore
//!   holds back the tenant's appends too once a feed read is waiting
//!   behind it.
//! - **Every transaction is read committed.** A statement that runs after
//!   a lock was waited for must see what the lock's holders committed; a
//!   repeatable-read or serializable transaction takes its snapshot when
//!   its first statement starts — the lock's, before the wait — and would
//!   not. The store's connections send `default_transaction_isolation`
//!   as read committed when they connect, after the connection string's
//!   own options, so a role's or a database's default does not apply to
//!   them. They send `plan_cache_mode = force_custom_plan` the same way:
//!   a generic plan of a statement on `journal_events` would lock every
//!   tenant's partition; a custom one locks the tenant's own.
//!
//! The locks, for a program that reads the tables by hand. Reading a
//! stream needs no lock. Following `journal_events` by position does,
//! exactly like this — one page a transaction, read committed, the lock a
//! statement of its own before the `SELECT` (a lock taken in the
//! `SELECT` itself, in a repeatable-read or serializable transaction, or
//! outside a transaction, released before the `SELECT` runs, may pass an
//! append in flight for ever), and `COMMIT` straight after the `SELECT`
//! (the tenant's appends wait until then: do the page's work after it). A
//! program that prepares the `SELECT` and runs it again and again sets
//! `plan_cache_mode` as the store does, or its sixth run locks every
//! tenant's partition:
//!
//! ```sql
//! SET plan_cache_mode = force_custom_plan;  -- once a connection
//!
//! BEGIN ISOLATION LEVEL READ COMMITTED;
//! -- the tenant's lock: exclusive for a feed read (an append takes it shared)
//! SELECT pg_advisory_xact_lock(hashtextextended('grassroots.journal/' || $tenant, 0));
//! SELECT position, stream_type, stream_id, version, event_type, payload
//!   FROM journal_events WHERE tenant = $tenant AND position > $after
//!   ORDER BY position LIMIT 1000;
//! COMMIT;
//! ```
//!
//! A page's positions have gaps (below). An append also takes its
//! stream's lock, exclusively, after the tenant's (two `int4` keys, a
//! space of their own):
//!
//! ```sql
//! SELECT pg_advisory_xact_lock(hashtext($tenant), hashtext($stream_type || '/' || $stream_id));
//! ```
//!
//! Two streams whose names hash alike share a lock and wait for each other;
//! nothing else comes of it. An append draws its positions a block of 1,024
//! at a time (one `nextval` per block, the sequence stepping by the block;
//! migration 6), so positions stay unique in the store and ascend with
//! versions, with gaps between appends. Appends and reads of different
//! tenants do not wait for each other.
//!
//! # Round trips
//!
//! Everything that does not need the stream's head is done before the
//! transaction begins: each payload is checked against the limits and
//! written as canonical JSON, and the rows are laid out as column arrays.
//! An append then costs four round trips: `BEGIN` with the two locks (one
//! simple query), the probe (head, anchor, a retried event id), one
//! statement that draws the positions in version order and writes the
//! rows, the anchor and the due entry (`INSERT ... SELECT FROM unnest` with
//! data-modifying `WITH` parts, times sent as `timestamptz`), and `COMMIT`.
//! The async store pipelines `BEGIN`, the locks and the probe into one
//! round trip: three in all. `COMMIT` is never sent before the write has
//! answered, so a writer that dies mid-append leaves nothing that commits
//! after its death. A feed read costs three: `BEGIN` with the lock, the
//! `SELECT`, `COMMIT` (two in the async store).
//!
//! # Partitions
//!
//! `journal_events` is partitioned by tenant (`PARTITION BY LIST (tenant)`).
//! A tenant's partition is created the first time anything is appended for
//! it and recorded in `journal_tenants`. Reads of one tenant touch only its
//! partition; a district that outgrows the server can be detached and moved
//! with its history intact (its indexes go with it).
//!
//! Creating a partition takes a lock on `journal_events` that waits for
//! the appends in flight, of every tenant, and holds back the ones after
//! it until it is done: a pause of every tenant's appends, once a tenant.
//! [`PostgresStore::prepare_tenant`] (and the async store's
//! `AsyncPostgresStore::prepare_tenant`) creates a tenant's partition when
//! you choose (when a district is set up, say), so its first case does not
//! pause the others.
//!
//! Each partition holds one tenant, and the unique rules are its own
//! indexes, without the tenant (migration 5): `position`, `(stream_id,
//! version, stream_type)` (in that order since migration 6) and
//! `event_id`, so event ids are unique per tenant. They were constraints
//! on the parent table, which PostgreSQL requires to lead with the
//! partition key: every index entry repeated the tenant and every
//! comparison went through it. Payloads are stored as
//! `text`, the canonical JSON the store wrote, not `jsonb`: nothing queries
//! them on the server, readers parse them anyway, and a payload that does
//! not parse is a typed [`JournalError::Decode`] on read. At a batch of
//! 1,000 events the two changes cut the server's instructions for the write
//! statement by a third (DESIGN.md, "Narrower PostgreSQL rows").
//!
//! # Running the tests
//!
//! The PostgreSQL tests read a connection string from the environment
//! variable `GRASSROOTS_POSTGRES_URL` (for example `host=127.0.0.1 port=5432
//! user=postgres dbname=grassroots`) and say they were skipped when it is not
//! set. `.ci/postgres.sh` starts a throwaway cluster and sets it:
//!
//! ```sh
//! source .ci/postgres.sh && cargo test --all-features
//! ```
//!
//! Connections (a pool) and TLS: see [`PostgresStore`]'s docs.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, NoTls, Row, Statement};
use serde_json::Value;

use super::hash::{EventHash, HashFields};
use super::{
    AppendOutcome, Appended, Clock, EventStore, FeedPage, JournalError, NewEvent, SkippedRow,
    StoredEvent, StreamHead, StreamKey, StreamType, SystemClock, check_anchor, first_duplicate,
    from_micros, retry_outcome, stage_payload, to_micros,
};
use super::{DueEntry, DueQuery, DueUpdate};
use crate::id::{ActorId, CaseId, CorrelationId, EventId, TenantId};

pub(super) const BACKEND: &str = "postgres";

pub(super) fn pg(e: postgres::Error) -> JournalError {
    JournalError::backend(BACKEND, e)
}

/// The key of the advisory lock migrations and partition creation take.
pub(super) const DDL_LOCK: i64 = 0x6a6f_7572_6e61_6c00; // "journal\0"

/// The numbered migrations, applied in order when a store connects.
pub(super) const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "events table partitioned by tenant",
        r"
    CREATE SEQUENCE journal_position_seq AS bigint;

    CREATE FUNCTION journal_micros_to_ts(bigint) RETURNS timestamptz
        LANGUAGE sql STABLE STRICT PARALLEL SAFE
        AS $$ SELECT timestamptz 'epoch'
                     + ($1 / 1000000) * interval '1 second'
                     + ($1 % 1000000) * interval '1 microsecond' $$;

    CREATE FUNCTION journal_ts_to_micros(timestamptz) RETURNS bigint
        LANGUAGE sql STABLE STRICT PARALLEL SAFE
        AS $$ SELECT (extract(epoch FROM $1) * 1000000)::bigint $$;

    CREATE TABLE journal_events (
        position       bigint      NOT NULL,
        tenant         text        NOT NULL,
        stream_type    text        NOT NULL,
        stream_id      text        NOT NULL,
        version        bigint      NOT NULL CHECK (version >= 1),
        event_id       text        NOT NULL,
        event_type     text        NOT NULL,
        schema_version bigint      NOT NULL,
        payload        jsonb       NOT NULL,
        actor          text        NOT NULL,
        correlation    text,
        occurred_at    timestamptz NOT NULL,
        recorded_at    timestamptz NOT NULL,
        hash           bytea       NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (tenant, position),
        UNIQUE (tenant, stream_type, stream_id, version),
        UNIQUE (tenant, event_id)
    ) PARTITION BY LIST (tenant);

    CREATE TABLE journal_tenants (
        tenant     text        PRIMARY KEY,
        partition  text        NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    ",
    ),
    (
        2,
        "stream anchors",
        // Every existing stream is anchored at the head it has now: an
        // anchor proves nothing about what happened before it was written.
        r"
    CREATE TABLE journal_heads (
        tenant      text   NOT NULL,
        stream_type text   NOT NULL,
        stream_id   text   NOT NULL,
        version     bigint NOT NULL CHECK (version >= 1),
        hash        bytea  NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (tenant, stream_type, stream_id)
    );
    INSERT INTO journal_heads (tenant, stream_type, stream_id, version, hash)
    SELECT DISTINCT ON (tenant, stream_type, stream_id)
           tenant, stream_type, stream_id, version, hash
    FROM journal_events
    ORDER BY tenant, stream_type, stream_id, version DESC;
    ",
    ),
    super::due::postgres::MIGRATION,
    super::snapshot::postgres::MIGRATION,
    (
        5,
        "payloads as text, unique indexes per partition",
        // The payload was `jsonb`: the server parsed every payload the
        // store had just written as canonical JSON, and nothing queries it
        // (readers parse it again). The unique indexes led with the tenant,
        // which a partition holds once: each partition now has its own,
        // without it (`SQL_PARTITION`). Each partition is one tenant's, so
        // ids and versions stay unique per tenant.
        r"
    ALTER TABLE journal_events ALTER COLUMN payload TYPE text USING payload::text;
    DO $$
    DECLARE
        part text;
        old text;
    BEGIN
        FOR part IN SELECT partition FROM journal_tenants ORDER BY tenant LOOP
            EXECUTE format('CREATE UNIQUE INDEX %I ON %I (position)',
                           part || '_position', part);
            EXECUTE format('CREATE UNIQUE INDEX %I ON %I (stream_id, stream_type, version)',
                           part || '_version', part);
            EXECUTE format('CREATE UNIQUE INDEX %I ON %I (event_id)',
                           part || '_event_id', part);
        END LOOP;
        FOR old IN SELECT conname FROM pg_constraint
                   WHERE conrelid = 'journal_events'::regclass AND contype IN ('p', 'u')
                   ORDER BY conname LOOP
            EXECUTE format('ALTER TABLE journal_events DROP CONSTRAINT %I', old);
        END LOOP;
    END $$;
    ",
    ),
    (
        6,
        "positions drawn a block per append, stream index by version before type",
        // An append draws one position a block of `POSITION_BLOCK` rows
        // (`write_rows!`), not one `nextval` per row: the sequence steps by
        // the block. Its next value is above every position drawn so far,
        // so positions keep ascending in commit order within a tenant; an
        // older library's `nextval` per row would draw a block per row and
        // stay unique, but it refuses this schema anyway (`SchemaTooNew`).
        // The stream's index holds the same three columns, version before
        // type: the same uniqueness, and a descent within a stream decides
        // on the version without comparing the type.
        r"
    ALTER SEQUENCE journal_position_seq INCREMENT BY 1024;
    DO $$
    DECLARE
        part text;
    BEGIN
        FOR part IN SELECT partition FROM journal_tenants ORDER BY tenant LOOP
            EXECUTE format('CREATE UNIQUE INDEX %I ON %I (stream_id, version, stream_type)',
                           part || '_stream', part);
            EXECUTE format('DROP INDEX %I', part || '_version');
            EXECUTE format('ALTER INDEX %I RENAME TO %I', part || '_stream', part || '_version');
        END LOOP;
    END $$;
    ",
    ),
];

/// How many positions an append draws with one `nextval`: the step of
/// `journal_position_seq` (migration 6) and the block size of
/// [`SQL_WRITE`]. An append of up to this many events gets consecutive
/// positions; a longer one draws a block for each `POSITION_BLOCK` rows.
pub(super) const POSITION_BLOCK: u64 = 1024;

/// Writes the DDL of a tenant's partition: `$1` its name
/// ([`partition_name`]), `$2` the tenant. The table and its three unique
/// indexes — position, stream version, event id; the tenant is the
/// partition's one value, so no index holds it (migration 5) — are
/// created together, in the transaction that records the partition, so no
/// row is written before its indexes exist. The stream's index leads with
/// its id, which tells streams apart sooner than their type (a tenant has
/// few types), and holds the version before the type (migration 6): within
/// a stream a comparison decides on the version, without comparing the
/// type. The three columns are unique together whatever their order, and
/// with the id fixed the index is in version order, which the stream reads
/// and the probe use (rows of another type under the same id are skipped
/// in the index).
pub(super) const SQL_PARTITION: &str = "SELECT format(
         'CREATE TABLE %1$I PARTITION OF journal_events FOR VALUES IN (%2$L);
          CREATE UNIQUE INDEX %3$I ON %1$I (position);
          CREATE UNIQUE INDEX %4$I ON %1$I (stream_id, version, stream_type);
          CREATE UNIQUE INDEX %5$I ON %1$I (event_id)',
         $1::text, $2::text, $1::text || '_position', $1::text || '_version',
         $1::text || '_event_id')";

/// The columns [`convert`] reads, in order.
macro_rules! columns {
    () => {
        "position, tenant, stream_type, stream_id, version, event_id, event_type, schema_version, \
         payload, actor, correlation, journal_ts_to_micros(occurred_at), \
         journal_ts_to_micros(recorded_at), hash"
    };
}

/// The tenant's lock as an append takes it, shared, as a parameterised
/// statement (the async store's); the sync store sends the same call with
/// the tenant as a literal ([`begin_append`]).
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(super) const SQL_LOCK_TENANT: &str =
    "SELECT pg_advisory_xact_lock_shared(hashtextextended('grassroots.journal/' || $1, 0))";
/// The stream's lock, taken by an append after the tenant's: `$1` tenant,
/// `$2` stream type, `$3` stream id. Two `int4` keys, a space apart from the
/// one-`bigint` keys of the tenants' locks.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(super) const SQL_LOCK_STREAM: &str =
    "SELECT pg_advisory_xact_lock(hashtext($1::text), hashtext($2::text || '/' || $3::text))";
/// The tenant's lock as a feed read takes it: exclusively, so the read
/// waits for the tenant's appends in flight (see the module docs).
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(super) const SQL_LOCK_FEED: &str =
    "SELECT pg_advisory_xact_lock(hashtextextended('grassroots.journal/' || $1, 0))";
pub(super) const SQL_PROBE: &str =
    "SELECT h.version, h.hash, f.stream_type, f.stream_id, f.version,
         a.version, a.hash
     FROM (SELECT 1) AS one
     LEFT JOIN LATERAL (
         SELECT version, hash FROM journal_events
         WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3
         ORDER BY version DESC LIMIT 1) AS h ON true
     LEFT JOIN LATERAL (
         SELECT stream_type, stream_id, version FROM journal_events
         WHERE tenant = $1 AND event_id = $4) AS f ON true
     LEFT JOIN journal_heads AS a
         ON a.tenant = $1 AND a.stream_type = $2 AND a.stream_id = $3";
pub(super) const SQL_ANCHOR: &str = "SELECT version, hash FROM journal_heads
     WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3";
pub(super) const SQL_STREAM: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM journal_events
     WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3 AND version > $4
     ORDER BY version LIMIT $5"
);
pub(super) const SQL_ALL: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM journal_events WHERE tenant = $1 AND position > $2 ORDER BY position LIMIT $3"
);
pub(super) const SQL_VERSION: &str = "SELECT coalesce(max(version), 0) FROM journal_events
     WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3";
pub(super) const SQL_ID_TAKEN: &str =
    "SELECT EXISTS (SELECT 1 FROM journal_events WHERE tenant = $1 AND event_id = $2)";

/// The statement that writes an append's rows in one round trip: positions
/// drawn a block at a time, the events, the stream's anchor and (`$due`)
/// the due entry, all in the append's transaction. Parameters: `$1` tenant,
/// `$2` stream type, `$3` stream id, `$4` recorded at, `$5`..`$13` the
/// rows' columns as arrays (times as `timestamptz`), `$14` and `$15` the
/// new anchor's version and hash. Returns the first position of each
/// block ([`positions`]).
///
/// The arrays are unnested in the select list (a `ProjectSet`): rows come
/// out one by one in array order — `unnest` reads an array in storage
/// order, and [`Staged`] lays the rows out by ascending version — without
/// the tuplestore and sort of `unnest` in `FROM` (DESIGN.md, "PostgreSQL
/// appends, round 8").
///
/// Positions: `blocks` calls `nextval` once for every [`POSITION_BLOCK`]
/// rows (the sequence steps by the block, migration 6), in order, and the
/// row `i` places after the first version takes `starts[i / 1024 + 1] +
/// i % 1024`. Positions ascend with versions, as one `nextval` per row
/// made them; a feed read waits for the append before it reads past them
/// (module docs, "Commit order and the locks"). Nothing is returned per row:
/// the caller works the positions out from the starts.
macro_rules! write_rows {
    ($due:expr) => {
        concat!(
            "WITH blocks AS (
                 SELECT ARRAY(SELECT nextval('journal_position_seq')
                              FROM generate_series(1, (cardinality($5::bigint[]) + 1023) / 1024))
                            AS starts,
                        $14::bigint - cardinality($5::bigint[]) + 1 AS first
             ), appended AS (
                 INSERT INTO journal_events (position, tenant, stream_type, stream_id, version,
                     event_id, event_type, schema_version, payload, actor, correlation,
                     occurred_at, recorded_at, hash)
                 SELECT (SELECT starts FROM blocks)[(u.version - (SELECT first FROM blocks)) / 1024 + 1]
                            + (u.version - (SELECT first FROM blocks)) % 1024,
                     $1, $2, $3, u.version, u.event_id,
                     u.event_type, u.schema_version, u.payload, u.actor, u.correlation,
                     u.occurred_at, $4, u.hash
                 FROM (SELECT unnest($5::bigint[]) AS version, unnest($6::text[]) AS event_id,
                              unnest($7::text[]) AS event_type,
                              unnest($8::bigint[]) AS schema_version,
                              unnest($9::text[]) AS payload, unnest($10::text[]) AS actor,
                              unnest($11::text[]) AS correlation,
                              unnest($12::timestamptz[]) AS occurred_at,
                              unnest($13::bytea[]) AS hash) AS u
             ), anchored AS (
                 INSERT INTO journal_heads (tenant, stream_type, stream_id, version, hash)
                 VALUES ($1, $2, $3, $14, $15)
                 ON CONFLICT (tenant, stream_type, stream_id)
                 DO UPDATE SET version = EXCLUDED.version, hash = EXCLUDED.hash
             )",
            $due,
            " SELECT starts FROM blocks"
        )
    };
}

/// `write_rows!` keeping the due entry ([`DueUpdate::Keep`]).
pub(super) const SQL_WRITE: &str = write_rows!("");
/// `write_rows!` setting the due entry to `$16` ([`DueUpdate::At`]).
pub(super) const SQL_WRITE_DUE_AT: &str = write_rows!(
    ", due AS (
         INSERT INTO journal_due (tenant, stream_type, stream_id, due)
         VALUES ($1, $2, $3, $16)
         ON CONFLICT (tenant, stream_type, stream_id)
         DO UPDATE SET due = excluded.due, claimed_until = NULL
     )"
);
/// `write_rows!` deleting the due entry ([`DueUpdate::Clear`]).
pub(super) const SQL_WRITE_DUE_CLEAR: &str = write_rows!(
    ", due AS (
         DELETE FROM journal_due WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3
     )"
);

/// An append's rows, checked and laid out as the columns of
/// [`SQL_WRITE`] before its transaction begins: the canonical payloads are
/// written and every limit is checked outside the tenant's lock. Only the
/// hash chain, which needs the stream's head, is left for inside it
/// ([`Staged::chain`]).
pub(super) struct Staged<'e> {
    versions: Vec<i64>,
    event_ids: Vec<&'e str>,
    event_types: Vec<&'e str>,
    schema_versions: Vec<i64>,
    payloads: Vec<String>,
    actors: Vec<&'e str>,
    correlations: Vec<Option<&'e str>>,
    /// Each `occurred_at`, to the microsecond (as hashed).
    occurred: Vec<Timestamp>,
    /// The hashes, 32 bytes each, once [`Staged::chain`] has run.
    hashes: Vec<u8>,
}

impl<'e> Staged<'e> {
    /// Checks and lays out `events`, to be appended after
    /// `expected_version`.
    ///
    /// # Errors
    ///
    /// As `stage_payload`, for the first event it refuses.
    pub(super) fn new(
        stream: &StreamKey,
        expected_version: u64,
        events: &'e [NewEvent],
    ) -> Result<Self, JournalError> {
        let n = events.len();
        let mut staged = Staged {
            versions: Vec::with_capacity(n),
            event_ids: Vec::with_capacity(n),
            event_types: Vec::with_capacity(n),
            schema_versions: Vec::with_capacity(n),
            payloads: Vec::with_capacity(n),
            actors: Vec::with_capacity(n),
            correlations: Vec::with_capacity(n),
            occurred: Vec::with_capacity(n),
            hashes: Vec::with_capacity(n * 32),
        };
        for (i, event) in events.iter().enumerate() {
            let version = expected_version.saturating_add(1 + i as u64);
            let mut buf = Vec::with_capacity(128);
            stage_payload(stream, version, event, &mut buf)?;
            staged.versions.push(to_i64(version));
            staged.event_ids.push(event.event_id.as_str());
            staged.event_types.push(event.event_type.as_str());
            staged.schema_versions.push(i64::from(event.schema_version));
            // Canonical JSON is UTF-8 already: no copy.
            staged.payloads.push(
                String::from_utf8(buf)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            );
            staged.actors.push(event.actor.as_str());
            staged
                .correlations
                .push(event.correlation.as_ref().map(CorrelationId::as_str));
            staged
                .occurred
                .push(Timestamp(to_micros(event.occurred_at)));
        }
        Ok(staged)
    }

    /// Links the rows to the stream's `head` (its last hash): fills in
    /// every row's hash and returns the last one, the stream's new head.
    pub(super) fn chain(
        &mut self,
        stream: &StreamKey,
        events: &[NewEvent],
        head: EventHash,
    ) -> EventHash {
        self.hashes.clear();
        let mut prev = head;
        for (i, event) in events.iter().enumerate() {
            let version = u64::try_from(self.versions[i]).unwrap_or(0);
            let payload = self.payloads[i].as_bytes();
            let occurred_at = self.occurred[i].0;
            prev = HashFields::of_new(stream, version, event, payload, occurred_at).link(&prev);
            self.hashes.extend_from_slice(prev.as_bytes());
        }
        prev
    }
}

/// The parameters of one [`Staged`] append's write statement (the one
/// [`write_sql`] names for its due update).
pub(super) struct Write<'a> {
    staged: &'a Staged<'a>,
    stream: [&'a str; 3],
    recorded_at: Timestamp,
    hashes: Vec<&'a [u8]>,
    anchored: i64,
    head: &'a [u8],
    due: Option<i64>,
}

impl<'a> Write<'a> {
    /// The write of `staged` (already [chained](Staged::chain)) to
    /// `stream`, with `head` the new last hash.
    pub(super) fn new(
        stream: &'a StreamKey,
        staged: &'a Staged<'a>,
        head: &'a EventHash,
        recorded_at: chrono::DateTime<chrono::Utc>,
        due: DueUpdate,
    ) -> Self {
        let due = match due {
            DueUpdate::At(at) => Some(to_micros(at)),
            _ => None,
        };
        Write {
            staged,
            stream: [
                stream.tenant.as_str(),
                stream.stream_type.as_str(),
                stream.id.as_str(),
            ],
            recorded_at: Timestamp(to_micros(recorded_at)),
            hashes: staged.hashes.chunks_exact(32).collect(),
            anchored: staged.versions.last().copied().unwrap_or(0),
            head: head.as_bytes(),
            due,
        }
    }

    /// The statement's parameters, in order.
    pub(super) fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let s = self.staged;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![
            &self.stream[0],
            &self.stream[1],
            &self.stream[2],
            &self.recorded_at,
            &s.versions,
            &s.event_ids,
            &s.event_types,
            &s.schema_versions,
            &s.payloads,
            &s.actors,
            &s.correlations,
            &s.occurred,
            &self.hashes,
            &self.anchored,
            &self.head,
        ];
        if let Some(due) = &self.due {
            params.push(due);
        }
        params
    }
}

/// A time sent as PostgreSQL's binary `timestamptz`, from microseconds
/// since the Unix epoch (`to_micros`): no conversion function runs per row
/// on the server.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timestamp(i64);

/// Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 UTC.
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

impl ToSql for Timestamp {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let since = self
            .0
            .checked_sub(POSTGRES_EPOCH_MICROS)
            .ok_or("time out of range for timestamptz")?;
        out.extend_from_slice(&since.to_be_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMESTAMPTZ
    }

    to_sql_checked!();
}

/// The write statement for an append with `due`: [`SQL_WRITE`],
/// [`SQL_WRITE_DUE_AT`] or [`SQL_WRITE_DUE_CLEAR`].
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(super) fn write_sql(due: DueUpdate) -> &'static str {
    match due {
        DueUpdate::Keep => SQL_WRITE,
        DueUpdate::Clear => SQL_WRITE_DUE_CLEAR,
        DueUpdate::At(_) => SQL_WRITE_DUE_AT,
    }
}

/// The positions an append of `rows` events was given, from its write's
/// result row: the first position of each block of [`POSITION_BLOCK`]
/// rows. The range runs from the first to the last; it holds other
/// appends' positions only when the append spans more than one block.
///
/// # Errors
///
/// [`JournalError::Corrupt`] when the starts do not fit `rows` (a block
/// missing or a negative position).
pub(super) fn positions(row: &Row, rows: usize) -> Result<std::ops::Range<u64>, JournalError> {
    let starts: Vec<i64> = row.try_get(0).map_err(pg)?;
    block_positions(&starts, rows)
}

/// [`positions`] from the blocks' starts.
fn block_positions(starts: &[i64], rows: usize) -> Result<std::ops::Range<u64>, JournalError> {
    let corrupt = || JournalError::Corrupt {
        position: 0,
        column: "position",
    };
    let Some(last_row) = rows.checked_sub(1) else {
        return Ok(0..0);
    };
    let block = POSITION_BLOCK as usize;
    if starts.len() != last_row / block + 1 {
        return Err(corrupt());
    }
    let start = |i: usize| u64::try_from(starts[i]).map_err(|_| corrupt());
    let first = start(0)?;
    let last = start(starts.len() - 1)?
        .checked_add((last_row % block) as u64 + 1)
        .ok_or_else(corrupt)?;
    Ok(first..last)
}

/// Writes `text` as an escape string literal (`E'...'`, backslashes and
/// quotes doubled), whose meaning does not depend on
/// `standard_conforming_strings`.
fn push_literal(sql: &mut String, text: &str) {
    sql.push_str("E'");
    for c in text.chars() {
        match c {
            '\\' => sql.push_str("\\\\"),
            '\'' => sql.push_str("''"),
            c => sql.push(c),
        }
    }
    sql.push('\'');
}

/// `BEGIN` and an append's two locks ([`SQL_LOCK_TENANT`],
/// [`SQL_LOCK_STREAM`]) as one simple query: one round trip. The texts are
/// written as escape string literals.
pub(super) fn begin_append(stream: &StreamKey) -> String {
    let mut sql = String::with_capacity(192);
    sql.push_str("BEGIN; SELECT pg_advisory_xact_lock_shared(hashtextextended(");
    push_literal(
        &mut sql,
        &format!("grassroots.journal/{}", stream.tenant.as_str()),
    );
    sql.push_str(", 0)); SELECT pg_advisory_xact_lock(hashtext(");
    push_literal(&mut sql, stream.tenant.as_str());
    sql.push_str("), hashtext(");
    push_literal(
        &mut sql,
        &format!("{}/{}", stream.stream_type.as_str(), stream.id.as_str()),
    );
    sql.push_str("))");
    sql
}

/// `BEGIN` and the tenant's lock taken exclusively, as a feed read takes
/// it ([`SQL_LOCK_FEED`]), in one simple query.
pub(super) fn begin_feed(tenant: &str) -> String {
    let mut sql = String::with_capacity(96 + tenant.len());
    sql.push_str("BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(");
    push_literal(&mut sql, &format!("grassroots.journal/{tenant}"));
    sql.push_str(", 0))");
    sql
}

/// How to connect a [`PostgresStore`].
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    clock: Arc<dyn Clock>,
    pool_size: u32,
    checkout_timeout: Duration,
    #[cfg(feature = "postgres-tls")]
    tls: Option<rustls::ClientConfig>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            pool_size: 8,
            checkout_timeout: Duration::from_secs(30),
            #[cfg(feature = "postgres-tls")]
            tls: None,
        }
    }
}

impl PostgresOptions {
    /// The defaults: the [`SystemClock`], a pool of at most 8 connections,
    /// a 30 s checkout timeout (and, with `postgres-tls`, rustls with the
    /// Mozilla roots).
    pub fn new() -> Self {
        Self::default()
    }

    /// The most connections the store holds at once (at least 1: `0` is
    /// taken as 1). Each is a server process; mind the server's
    /// `max_connections`.
    #[must_use]
    pub fn pool_size(mut self, size: u32) -> Self {
        self.pool_size = size.max(1);
        self
    }

    /// How long a call waits for a free connection (or for a new one to be
    /// made) before it fails with [`JournalError::Backend`]. At least a
    /// millisecond.
    #[must_use]
    pub fn checkout_timeout(mut self, timeout: Duration) -> Self {
        self.checkout_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The rustls configuration for TLS connections (feature
    /// `postgres-tls`), in place of the default: the `ring` provider and the
    /// Mozilla roots of `webpki-roots`, no client certificate. Whether TLS
    /// is used is still the connection string's `sslmode` (see the
    /// [`PostgresStore`'s docs](PostgresStore#tls)).
    #[cfg(feature = "postgres-tls")]
    #[must_use]
    pub fn tls(mut self, config: rustls::ClientConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// Where `recorded_at` times come from.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// An event store on a PostgreSQL server.
///
/// It is [`Send`] and [`Sync`]: share one between threads behind an
/// [`Arc`] for parallel writers and readers, or open several stores, in one
/// process or many; they coordinate through the server.
///
/// # Connections
///
/// A store keeps a pool of connections ([`r2d2`]'s, with one worker thread
/// per store): at most [`PostgresOptions::pool_size`] (8 by default), made
/// when calls need them and kept; a call waits for a free connection up to
/// [`PostgresOptions::checkout_timeout`] (30 s). Share one store between
/// threads (`Arc<PostgresStore>` is an [`EventStore`]): their calls run on
/// different connections at once. Each connection prepares the store's
/// statements the first time it is used; the set of tenants whose partition
/// exists is shared by all of them. A connection the server dropped is
/// thrown away when it comes back to the pool, and a new one is made when
/// needed.
///
/// # TLS
///
/// The connection string's `sslmode` decides: `disable` never uses TLS,
/// `prefer` (the default) uses it when the server offers it, `require`
/// refuses a server that does not. The `postgres` client knows no other
/// mode (`verify-ca` and `verify-full` are refused as a bad connection
/// string).
///
/// Without the `postgres-tls` feature the store has no TLS: `prefer`
/// connects in the clear and `require` fails with
/// [`JournalError::Backend`]. With it, TLS is rustls (its `ring` provider)
/// and **always verifies** the server's certificate and host name — against
/// the Mozilla roots of `webpki-roots`, or the roots of the configuration
/// given to `PostgresOptions::tls` — so `require` (and `prefer`, when the
/// server offers TLS) is what libpq calls `verify-full`. A server with a
/// certificate no root vouches for fails with [`JournalError::Backend`]:
/// give its CA to `PostgresOptions::tls`, or connect with `sslmode=disable`
/// on a trusted network.
pub struct PostgresStore {
    pool: r2d2::Pool<Manager>,
    /// Tenants whose partition is known to exist, shared by the connections.
    partitions: RwLock<HashSet<TenantId>>,
    clock: Arc<dyn Clock>,
}

/// One pooled connection and its statements, prepared on first use.
struct Conn {
    client: Client,
    statements: Option<Statements>,
}

impl Conn {
    /// The client and its prepared statements (preparing them the first
    /// time).
    fn parts(&mut self) -> Result<(&mut Client, &Statements), JournalError> {
        let statements = match self.statements.take() {
            Some(statements) => statements,
            None => Statements::prepare(&mut self.client).map_err(pg)?,
        };
        let statements = self.statements.insert(statements);
        Ok((&mut self.client, statements))
    }
}

/// How the pool makes connections.
enum Tls {
    /// In the clear (`sslmode=require` fails).
    #[cfg_attr(feature = "postgres-tls", allow(dead_code))]
    Off,
    /// rustls, as configured.
    #[cfg(feature = "postgres-tls")]
    Rustls(tokio_postgres_rustls::MakeRustlsConnect),
}

/// Makes the pool's connections.
struct Manager {
    config: Config,
    tls: Tls,
    /// The connection the store migrated with, handed to the pool as its
    /// first one.
    spare: Mutex<Option<Client>>,
}

impl Manager {
    fn client(&self) -> Result<Client, postgres::Error> {
        match &self.tls {
            #[cfg(feature = "postgres-tls")]
            Tls::Rustls(tls) if may_use_tls(&self.config) => self.config.connect(tls.clone()),
            _ => self.config.connect(NoTls),
        }
    }
}

/// One connection to the server at `url` with the default TLS (feature
/// `postgres-tls`; in the clear without it), as the journal's pool makes
/// them: for the PostgreSQL read store.
pub(crate) fn connect_client(
    url: &str,
) -> Result<Client, Box<dyn std::error::Error + Send + Sync + 'static>> {
    let config = journal_config(url)?;
    #[cfg(feature = "postgres-tls")]
    if may_use_tls(&config) {
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(default_tls()?);
        return Ok(config.connect(tls)?);
    }
    Ok(config.connect(NoTls)?)
}

/// The connection options `options` (a connection string's `options`)
/// with the two settings the journal's connections rely on, after
/// whatever they set, so they win over them and over a role's or a
/// database's default (settings a client sends when it connects take
/// precedence over both):
///
/// - `default_transaction_isolation` read committed: a statement that runs
///   after a lock was waited for must see what the holders committed,
///   which under repeatable read or serializable it does not (the snapshot
///   is taken when the lock's statement starts, before the wait; module
///   docs, "Commit order and the locks");
/// - `plan_cache_mode` `force_custom_plan`: at a prepared statement's
///   sixth run PostgreSQL's plan cache builds a generic plan to weigh
///   against the custom ones, and a generic plan of a statement on
///   `journal_events` cannot prune partitions when it is planned, so it
///   locks every tenant's partition and its indexes (about 3,400 locks with
///   840 tenants; eight connections doing so at once ran the server's lock
///   table out of memory). A custom plan is pruned to the tenant's own
///   partition as it is planned.
///
/// The server splits `options` at spaces, a backslash escaping the
/// character after it, and drops a backslash that ends the string. Such a
/// backslash would escape the space before the settings appended here and
/// run the string's last option into them, so it is dropped first: the
/// string's own options read as the server would read them alone.
pub(super) fn session_settings(options: Option<&str>) -> String {
    const SETTING: &str =
        r"-c default_transaction_isolation=read\ committed -c plan_cache_mode=force_custom_plan";
    match options {
        Some(options) if !options.trim().is_empty() => {
            // An odd run of backslashes at the end: the last escapes
            // nothing.
            let trailing = options.len() - options.trim_end_matches('\\').len();
            let options = if trailing % 2 == 1 {
                &options[..options.len() - 1]
            } else {
                options
            };
            format!("{options} {SETTING}")
        }
        _ => SETTING.to_owned(),
    }
}

/// The connection string `url` parsed, with the journal's
/// [`session_settings`].
fn journal_config(url: &str) -> Result<Config, postgres::Error> {
    let mut config: Config = url.parse()?;
    let settings = session_settings(config.get_options());
    config.options(&settings);
    Ok(config)
}

/// Whether a connection made with `config` may use TLS: not with
/// `sslmode=disable`, and not when every host is a Unix socket (the server
/// offers no TLS there, and there is no host name to verify).
#[cfg(feature = "postgres-tls")]
fn may_use_tls(config: &Config) -> bool {
    config.get_ssl_mode() != postgres::config::SslMode::Disable
        && config
            .get_hosts()
            .iter()
            .any(|host| matches!(host, postgres::config::Host::Tcp(_)))
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        let spare = self.spare.lock().unwrap_or_else(|e| e.into_inner()).take();
        let client = match spare {
            Some(client) if !client.is_closed() => client,
            _ => self.client()?,
        };
        Ok(Conn {
            client,
            statements: None,
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(drop)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

struct Statements {
    probe: Statement,
    write: Statement,
    write_due_at: Statement,
    write_due_clear: Statement,
    stream: Statement,
    all: Statement,
    version: Statement,
    id_taken: Statement,
    anchor: Statement,
}

impl Statements {
    fn prepare(client: &mut Client) -> Result<Self, postgres::Error> {
        Ok(Self {
            probe: client.prepare(SQL_PROBE)?,
            write: client.prepare(SQL_WRITE)?,
            write_due_at: client.prepare(SQL_WRITE_DUE_AT)?,
            write_due_clear: client.prepare(SQL_WRITE_DUE_CLEAR)?,
            stream: client.prepare(SQL_STREAM)?,
            all: client.prepare(SQL_ALL)?,
            version: client.prepare(SQL_VERSION)?,
            id_taken: client.prepare(SQL_ID_TAKEN)?,
            anchor: client.prepare(SQL_ANCHOR)?,
        })
    }

    /// The write statement for an append with `due` (see [`write_sql`]).
    fn write(&self, due: DueUpdate) -> &Statement {
        match due {
            DueUpdate::Keep => &self.write,
            DueUpdate::Clear => &self.write_due_clear,
            DueUpdate::At(_) => &self.write_due_at,
        }
    }
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool_size", &self.pool.max_size())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// The default TLS configuration: rustls with its `ring` provider (named,
/// so another provider in the program cannot make it ambiguous) and the
/// Mozilla roots.
#[cfg(feature = "postgres-tls")]
fn default_tls() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

impl PostgresStore {
    /// Connects to the server at `url` (a libpq-style connection string such
    /// as `host=127.0.0.1 user=postgres dbname=grassroots`, or a
    /// `postgresql://` URL) with the default [`PostgresOptions`], running any
    /// migration the database lacks.
    ///
    /// The store's connections begin their transactions read committed and
    /// plan every statement for its parameters, whatever the connection
    /// string's `options`, the role or the database set as the default
    /// (`default_transaction_isolation` and `plan_cache_mode` are sent when
    /// connecting, after the string's own options): its locks rely on the
    /// first (see "Commit order and the locks"), and the second keeps a
    /// statement on one tenant from locking every tenant's partition.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when the server cannot be reached or the
    /// migration fails; [`JournalError::SchemaTooNew`] when a newer library
    /// migrated the database.
    pub fn connect(url: &str) -> Result<Self, JournalError> {
        Self::connect_with(url, PostgresOptions::default())
    }

    /// Connects to the server at `url`.
    ///
    /// # Errors
    ///
    /// As for [`connect`](Self::connect).
    pub fn connect_with(url: &str, options: PostgresOptions) -> Result<Self, JournalError> {
        let config = journal_config(url).map_err(pg)?;
        #[cfg(feature = "postgres-tls")]
        let tls = {
            let config = match options.tls {
                Some(config) => config,
                None => default_tls().map_err(|e| JournalError::backend(BACKEND, e))?,
            };
            Tls::Rustls(tokio_postgres_rustls::MakeRustlsConnect::new(config))
        };
        #[cfg(not(feature = "postgres-tls"))]
        let tls = Tls::Off;
        let manager = Manager {
            config,
            tls,
            spare: Mutex::new(None),
        };
        // The first connection is made here, not by the pool, so a server
        // that cannot be reached (or refuses TLS) fails at once with its own
        // error; it migrates and becomes the pool's first connection.
        let mut client = manager.client().map_err(pg)?;
        migrate(&mut client)?;
        *manager.spare.lock().unwrap_or_else(|e| e.into_inner()) = Some(client);
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(options.checkout_timeout.max(Duration::from_millis(1)))
            .thread_pool(worker())
            .build(manager)
            .map_err(|e| JournalError::backend(BACKEND, e))?;
        Ok(Self {
            pool,
            partitions: RwLock::new(HashSet::new()),
            clock: options.clock,
        })
    }

    /// The most connections the store holds at once.
    pub fn pool_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// Creates `tenant`'s partition now, if it has none: `true` if this
    /// call created it, `false` if it was there.
    ///
    /// A tenant's first append does this by itself, and every tenant's
    /// appends pause while it does (module docs, "Partitions"). Call this
    /// when a tenant is set up, so that pause comes when you choose.
    ///
    /// ```no_run
    /// use grassroots::journal::PostgresStore;
    ///
    /// let store = PostgresStore::connect("host=localhost user=journal dbname=journal")?;
    /// let longgang = "longgang".parse()?;
    /// // `true` if this call made the partition; `false` if it was there
    /// // (made by an earlier call, another store or a first append).
    /// let made_now = store.prepare_tenant(&longgang)?;
    /// println!("longgang's partition made now: {made_now}");
    /// assert!(!store.prepare_tenant(&longgang)?, "made once");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when a statement fails or no connection
    /// is free in time.
    pub fn prepare_tenant(&self, tenant: &TenantId) -> Result<bool, JournalError> {
        let mut conn = self.conn()?;
        let (client, _) = conn.parts()?;
        self.ensure_partition(client, tenant)
    }

    /// The newest migration applied to the database.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when the query fails.
    pub fn migration(&self) -> Result<u32, JournalError> {
        let mut conn = self.conn()?;
        let row = conn
            .client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM journal_migrations",
                &[],
            )
            .map_err(pg)?;
        let version: i32 = row.try_get(0).map_err(pg)?;
        Ok(u32::try_from(version).unwrap_or(0))
    }

    /// A connection of the pool (waiting for a free one).
    fn conn(&self) -> Result<r2d2::PooledConnection<Manager>, JournalError> {
        self.pool
            .get()
            .map_err(|e| JournalError::backend(BACKEND, e))
    }

    /// Creates `tenant`'s partition on `client` if it is not known to exist
    /// (`true` if this call made it).
    fn ensure_partition(
        &self,
        client: &mut Client,
        tenant: &TenantId,
    ) -> Result<bool, JournalError> {
        let known = self
            .partitions
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(tenant);
        if known {
            return Ok(false);
        }
        let created = ensure_partition(client, tenant)?;
        self.partitions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant.clone());
        Ok(created)
    }
}

fn migrate(client: &mut Client) -> Result<(), JournalError> {
    let mut tx = client.transaction().map_err(pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DDL_LOCK])
        .map_err(pg)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS journal_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )
    .map_err(pg)?;
    let found: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM journal_migrations",
            &[],
        )
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
        tx.batch_execute(script).map_err(pg)?;
        tx.execute(
            "INSERT INTO journal_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .map_err(pg)?;
    }
    tx.commit().map_err(pg)
}

/// Creates `tenant`'s partition if it does not exist yet: `true` if it
/// did.
fn ensure_partition(client: &mut Client, tenant: &TenantId) -> Result<bool, JournalError> {
    let known = "SELECT EXISTS (SELECT 1 FROM journal_tenants WHERE tenant = $1)";
    let exists: bool = client
        .query_one(known, &[&tenant.as_str()])
        .and_then(|row| row.try_get(0))
        .map_err(pg)?;
    if !exists {
        let mut tx = client.transaction().map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DDL_LOCK])
            .map_err(pg)?;
        let exists: bool = tx
            .query_one(known, &[&tenant.as_str()])
            .and_then(|row| row.try_get(0))
            .map_err(pg)?;
        if !exists {
            let name = partition_name(tenant);
            let ddl: String = tx
                .query_one(SQL_PARTITION, &[&name, &tenant.as_str()])
                .and_then(|row| row.try_get(0))
                .map_err(pg)?;
            tx.batch_execute(&ddl).map_err(pg)?;
            tx.execute(
                "INSERT INTO journal_tenants (tenant, partition) VALUES ($1, $2)",
                &[&tenant.as_str(), &name],
            )
            .map_err(pg)?;
        }
        tx.commit().map_err(pg)?;
        return Ok(!exists);
    }
    Ok(false)
}

/// `journal_events_` and 16 hex digits of the tenant's SHA-256: a valid,
/// short table name for any tenant id.
pub(super) fn partition_name(tenant: &TenantId) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(tenant.as_str().as_bytes());
    let mut name = String::from("journal_events_");
    for byte in &digest[..8] {
        name.push_str(&format!("{byte:02x}"));
    }
    name
}

/// The pool's one worker thread (r2d2 would start three per pool); pending
/// jobs are dropped with the pool, so no thread outlives the store for long.
fn worker() -> Arc<scheduled_thread_pool::ScheduledThreadPool> {
    Arc::new(
        scheduled_thread_pool::ScheduledThreadPool::builder()
            .num_threads(1)
            .thread_name_pattern("grassroots-postgres-{}")
            .on_drop_behavior(scheduled_thread_pool::OnPoolDropBehavior::DiscardPendingScheduled)
            .build(),
    )
}

pub(super) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// What an append's probe row says about its stream.
pub(super) enum Probed {
    /// The batch's first event id is recorded already, in `stream` at
    /// `version`: a retry or a duplicate.
    Taken {
        /// The stream that holds the id.
        stream: StreamKey,
        /// The version of the event with that id.
        version: u64,
    },
    /// The stream's head (version 0 and the genesis hash when it has no
    /// event), already checked against its anchor.
    Head {
        /// The stream's version.
        version: u64,
        /// The hash of its last event.
        hash: EventHash,
    },
}

/// Reads an append's probe row (the sync and async stores send the same
/// `SQL_PROBE`). A column that does not read back — a negative version, a
/// hash of the wrong length, an invalid stream name — is a typed
/// [`JournalError::Corrupt`], never a default.
pub(super) fn read_probe(probe: &Row, stream: &StreamKey) -> Result<Probed, JournalError> {
    let corrupt = |column| JournalError::Corrupt {
        position: 0,
        column,
    };
    let found_type: Option<&str> = probe.try_get(2).map_err(pg)?;
    let found_id: Option<&str> = probe.try_get(3).map_err(pg)?;
    let found_version: Option<i64> = probe.try_get(4).map_err(pg)?;
    if let (Some(found_type), Some(found_id), Some(found_version)) =
        (found_type, found_id, found_version)
    {
        return Ok(Probed::Taken {
            stream: StreamKey::new(
                stream.tenant.clone(),
                StreamType::new(found_type).map_err(|_| corrupt("stream_type"))?,
                CaseId::new(found_id).map_err(|_| corrupt("stream_id"))?,
            ),
            version: u64::try_from(found_version).map_err(|_| corrupt("version"))?,
        });
    }
    let head_version: Option<i64> = probe.try_get(0).map_err(pg)?;
    let head_hash: Option<&[u8]> = probe.try_get(1).map_err(pg)?;
    let version = match head_version {
        Some(v) => u64::try_from(v).map_err(|_| corrupt("version"))?,
        None => 0,
    };
    let hash = match head_hash {
        Some(bytes) => EventHash::from_slice(bytes).ok_or_else(|| corrupt("hash"))?,
        None => EventHash::GENESIS,
    };
    let anchor_version: Option<i64> = probe.try_get(5).map_err(pg)?;
    let anchor_hash: Option<&[u8]> = probe.try_get(6).map_err(pg)?;
    check_anchor(
        stream,
        version,
        hash,
        to_anchor(anchor_version, anchor_hash)?,
    )?;
    Ok(Probed::Head { version, hash })
}

/// A stream's anchor from its columns (`None` when it has none).
pub(super) fn to_anchor(
    version: Option<i64>,
    hash: Option<&[u8]>,
) -> Result<Option<StreamHead>, JournalError> {
    let corrupt = |column| JournalError::Corrupt {
        position: 0,
        column,
    };
    match (version, hash) {
        (Some(version), Some(hash)) => Ok(Some(StreamHead {
            version: u64::try_from(version).map_err(|_| corrupt("journal_heads.version"))?,
            hash: EventHash::from_slice(hash).ok_or_else(|| corrupt("journal_heads.hash"))?,
        })),
        _ => Ok(None),
    }
}

pub(super) fn convert(row: &Row, known: Option<&StreamKey>) -> Result<StoredEvent, JournalError> {
    let position: i64 = row.try_get(0).map_err(pg)?;
    let position = u64::try_from(position).unwrap_or(0);
    let corrupt = |column: &'static str| JournalError::Corrupt { position, column };
    let text = |i: usize| -> Result<&str, JournalError> { row.try_get(i).map_err(pg) };
    let stream = match known {
        Some(stream) => stream.clone(),
        None => StreamKey::new(
            TenantId::new(text(1)?).map_err(|_| corrupt("tenant"))?,
            StreamType::new(text(2)?).map_err(|_| corrupt("stream_type"))?,
            CaseId::new(text(3)?).map_err(|_| corrupt("stream_id"))?,
        ),
    };
    let version: i64 = row.try_get(4).map_err(pg)?;
    let version = u64::try_from(version).map_err(|_| corrupt("version"))?;
    let event_type = text(6)?.to_owned();
    let schema_version: i64 = row.try_get(7).map_err(pg)?;
    let schema_version = u32::try_from(schema_version).map_err(|_| corrupt("schema_version"))?;
    let payload: Value = serde_json::from_str(text(8)?).map_err(|source| JournalError::Decode {
        stream: stream.clone(),
        version,
        event_type: event_type.as_str().into(),
        schema_version,
        source,
    })?;
    let correlation: Option<&str> = row.try_get(10).map_err(pg)?;
    let correlation = correlation
        .map(|c| CorrelationId::new(c).map_err(|_| corrupt("correlation")))
        .transpose()?;
    let occurred_at: i64 = row.try_get(11).map_err(pg)?;
    let recorded_at: i64 = row.try_get(12).map_err(pg)?;
    let hash: &[u8] = row.try_get(13).map_err(pg)?;
    Ok(StoredEvent {
        position,
        version,
        event_id: EventId::new(text(5)?).map_err(|_| corrupt("event_id"))?,
        event_type,
        schema_version,
        payload,
        actor: ActorId::new(text(9)?).map_err(|_| corrupt("actor"))?,
        correlation,
        occurred_at: from_micros(occurred_at).ok_or_else(|| corrupt("occurred_at"))?,
        recorded_at: from_micros(recorded_at).ok_or_else(|| corrupt("recorded_at"))?,
        hash: EventHash::from_slice(hash).ok_or_else(|| corrupt("hash"))?,
        stream,
    })
}

fn stream_range(
    client: &mut impl postgres::GenericClient,
    statement: &Statement,
    stream: &StreamKey,
    after: u64,
    limit: Option<usize>,
) -> Result<Vec<StoredEvent>, JournalError> {
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
        .map_err(pg)?;
    rows.iter().map(|row| convert(row, Some(stream))).collect()
}

/// A transaction begun with its locks taken ([`begin_append`],
/// [`begin_feed`]);
/// rolled back if dropped before [`Locked::commit`].
struct Locked<'c> {
    client: &'c mut Client,
    open: bool,
}

impl<'c> Locked<'c> {
    /// `BEGIN` and the locks `sql` takes, in one round trip.
    fn begin(client: &'c mut Client, sql: &str) -> Result<Self, JournalError> {
        let tx = Locked { client, open: true };
        tx.client.batch_execute(sql).map_err(pg)?;
        Ok(tx)
    }

    fn commit(mut self) -> Result<(), JournalError> {
        // Whatever the answer, the transaction is over.
        self.open = false;
        self.client.batch_execute("COMMIT").map_err(pg)
    }

    fn rollback(mut self) -> Result<(), JournalError> {
        self.open = false;
        self.client.batch_execute("ROLLBACK").map_err(pg)
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        if self.open {
            // As `postgres::Transaction` does: a connection the server
            // dropped is thrown away by the pool.
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }
}

impl PostgresStore {
    /// [`EventStore::append_with_due`] inside its span, in four round
    /// trips: `BEGIN` with the tenant's and the stream's locks, the probe,
    /// the write (the positions, rows, anchor and due entry in one
    /// statement) and `COMMIT`.
    fn append_one(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        // Checked and laid out before the tenant's lock is taken; a refusal
        // is reported where it was before, after the probe's checks.
        let staged = Staged::new(stream, expected_version, events);
        let mut conn = self.conn()?;
        let (client, statements) = conn.parts()?;
        if !events.is_empty() {
            self.ensure_partition(client, &stream.tenant)?;
        }
        let tenant = stream.tenant.as_str();
        // The tenant's lock shared and the stream's exclusively, held
        // until the transaction ends: appends of one stream one at a time,
        // a feed read waits for this one (see the module docs).
        let tx = Locked::begin(&mut *client, &begin_append(stream))?;
        let first_id = events.first().map(|e| e.event_id.as_str());
        let probe = tx
            .client
            .query_one(
                &statements.probe,
                &[
                    &tenant,
                    &stream.stream_type.as_str(),
                    &stream.id.as_str(),
                    &first_id,
                ],
            )
            .map_err(pg)?;
        let (actual, head) = match read_probe(&probe, stream)? {
            Probed::Taken {
                stream: found_stream,
                version: found_version,
            } => {
                let recorded = stream_range(
                    &mut *tx.client,
                    &statements.stream,
                    &found_stream,
                    expected_version,
                    Some(events.len()),
                )?;
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
            super::due::postgres::write(&mut *tx.client, stream, due)?;
            tx.commit()?;
            return Ok(Appended {
                version: actual,
                positions: 0..0,
                outcome: AppendOutcome::Recorded,
            });
        }
        let mut staged = staged?;
        let last = staged.chain(stream, events, head);
        let rows = Write::new(stream, &staged, &last, self.clock.now(), due);
        let written = tx.client.query_one(statements.write(due), &rows.params());
        let row = match written {
            Ok(row) => row,
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                // The transaction is aborted; roll it back and find the
                // culprit.
                tx.rollback()?;
                let duplicate = first_duplicate(events, |id| {
                    client
                        .query_one(&statements.id_taken, &[&tenant, &id.as_str()])
                        .and_then(|row| row.try_get(0))
                        .map_err(pg)
                })?;
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
        tx.commit()?;
        Ok(Appended {
            version: expected_version + events.len() as u64,
            positions,
            outcome: AppendOutcome::Recorded,
        })
    }
}

impl EventStore for PostgresStore {
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

    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        let mut conn = self.conn()?;
        let (client, statements) = conn.parts()?;
        stream_range(client, &statements.stream, stream, after, None)
    }

    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage, JournalError> {
        let mut conn = self.conn()?;
        let (client, statements) = conn.parts()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let tx = Locked::begin(&mut *client, &begin_feed(tenant.as_str()))?;
        let rows = tx
            .client
            .query(&statements.all, &[&tenant.as_str(), &to_i64(after), &limit])
            .map_err(pg)?;
        tx.commit()?;
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

    fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        let mut conn = self.conn()?;
        let (client, statements) = conn.parts()?;
        let row = client
            .query_opt(
                &statements.anchor,
                &[
                    &stream.tenant.as_str(),
                    &stream.stream_type.as_str(),
                    &stream.id.as_str(),
                ],
            )
            .map_err(pg)?;
        match row {
            None => Ok(None),
            Some(row) => to_anchor(row.try_get(0).map_err(pg)?, row.try_get(1).map_err(pg)?),
        }
    }

    fn snapshot(&self, stream: &StreamKey) -> Result<Option<super::Snapshot>, JournalError> {
        super::snapshot::postgres::get(&mut self.conn()?.client, stream)
    }

    fn put_snapshot(&self, snapshot: &super::Snapshot) -> Result<(), JournalError> {
        super::snapshot::postgres::put(&mut self.conn()?.client, snapshot)
    }

    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        super::due::postgres::page(&mut self.conn()?.client, query)
    }

    fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
        let now = self.clock.now();
        super::due::postgres::claim(&mut self.conn()?.client, query, now, lease)
    }

    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        super::due::postgres::replace(&mut self.conn()?.client, tenant, stream_type, entries)
    }

    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        let mut conn = self.conn()?;
        let (client, statements) = conn.parts()?;
        let version: i64 = client
            .query_one(
                &statements.version,
                &[
                    &stream.tenant.as_str(),
                    &stream.stream_type.as_str(),
                    &stream.id.as_str(),
                ],
            )
            .and_then(|row| row.try_get(0))
            .map_err(pg)?;
        Ok(u64::try_from(version).unwrap_or(0))
    }

    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        let rows = self
            .conn()?
            .client
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

#[cfg(all(test, feature = "postgres-tls"))]
mod tests {
    use super::*;

    #[test]
    fn tls_is_tried_over_tcp_unless_disabled() {
        let tls = |url: &str| may_use_tls(&url.parse().unwrap());
        assert!(tls("host=db.example.org user=journal"));
        assert!(tls("host=127.0.0.1 sslmode=require"));
        assert!(tls(
            "postgresql://journal@db.example.org/grassroots?sslmode=prefer"
        ));
        assert!(!tls("host=db.example.org sslmode=disable"));
        assert!(!tls("host=/run/postgresql user=journal"));
    }

    #[test]
    fn the_default_tls_configuration_uses_the_ring_provider() {
        // Named explicitly: no process-wide default provider is needed.
        let config = default_tls().unwrap();
        let ring = rustls::crypto::ring::default_provider();
        let suites = |p: &rustls::crypto::CryptoProvider| -> Vec<_> {
            p.cipher_suites.iter().map(|s| s.suite()).collect()
        };
        assert_eq!(suites(config.crypto_provider()), suites(&ring));
    }
}

#[cfg(test)]
mod block_tests {
    use super::*;

    #[test]
    fn connections_begin_read_committed_with_custom_plans_after_whatever_options_the_string_sets() {
        let settings = r"-c default_transaction_isolation=read\ committed -c plan_cache_mode=force_custom_plan";
        assert_eq!(session_settings(None), settings);
        assert_eq!(session_settings(Some("  ")), settings);
        let options = "-c search_path=hall -c default_transaction_isolation=serializable";
        assert_eq!(
            session_settings(Some(options)),
            format!("{options} {settings}")
        );
        // As the server's `options` parser reads it: the settings last.
        let config =
            journal_config("host=h options='-c default_transaction_isolation=serializable'")
                .unwrap();
        assert!(config.get_options().unwrap().ends_with(settings));
    }

    /// The server's reading of `options` (`pg_split_opts`): split at
    /// unescaped white space, a backslash escaping the next character, a
    /// backslash at the end dropped.
    fn server_split(options: &str) -> Vec<String> {
        let (mut words, mut word, mut escaped, mut open) =
            (Vec::new(), String::new(), false, false);
        for c in options.chars() {
            if c.is_ascii_whitespace() && !escaped {
                if open {
                    words.push(std::mem::take(&mut word));
                    open = false;
                }
                continue;
            }
            open = true;
            if !escaped && c == '\\' {
                escaped = true;
            } else {
                escaped = false;
                word.push(c);
            }
        }
        if open {
            words.push(word);
        }
        words
    }

    #[test]
    fn options_ending_in_a_backslash_keep_their_words_and_the_settings_theirs() {
        let ours = server_split(&session_settings(None));
        assert_eq!(
            ours,
            [
                "-c",
                "default_transaction_isolation=read committed",
                "-c",
                "plan_cache_mode=force_custom_plan"
            ]
        );
        for (options, words) in [
            // A lone backslash at the end: the server drops it.
            (
                r"-c application_name=hall\",
                vec!["-c", "application_name=hall"],
            ),
            (
                r"-c application_name=hall\\\",
                vec!["-c", r"application_name=hall\"],
            ),
            // An escaped backslash at the end is the option's own.
            (
                r"-c application_name=hall\\",
                vec!["-c", r"application_name=hall\"],
            ),
            (
                r"-c application_name=a\ b",
                vec!["-c", "application_name=a b"],
            ),
        ] {
            assert_eq!(server_split(options), words, "{options}");
            let mut expected: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            expected.extend(ours.iter().cloned());
            assert_eq!(
                server_split(&session_settings(Some(options))),
                expected,
                "{options}"
            );
        }
    }

    #[test]
    fn the_write_and_the_migration_step_positions_by_the_block() {
        let block = POSITION_BLOCK.to_string();
        for sql in [SQL_WRITE, SQL_WRITE_DUE_AT, SQL_WRITE_DUE_CLEAR] {
            assert!(sql.contains(&format!(" + {}) / {block})", POSITION_BLOCK - 1)));
            assert!(sql.contains(&format!(") / {block} + 1]")));
            assert!(sql.contains(&format!(") % {block},")));
        }
        let (version, _, script) = MIGRATIONS.last().unwrap();
        assert_eq!(*version, 6);
        assert!(script.contains(&format!("INCREMENT BY {block};")));
    }

    #[test]
    fn an_append_of_one_block_gets_consecutive_positions() {
        assert_eq!(block_positions(&[], 0).unwrap(), 0..0);
        assert_eq!(block_positions(&[7], 1).unwrap(), 7..8);
        assert_eq!(block_positions(&[1025], 1024).unwrap(), 1025..2049);
    }

    #[test]
    fn an_append_of_several_blocks_runs_from_the_first_start_to_its_last_row() {
        assert_eq!(block_positions(&[1, 5121], 1025).unwrap(), 1..5122);
        assert_eq!(
            block_positions(&[1, 2049, 9217], 2500).unwrap(),
            1..(9217 + 2500 - 2048)
        );
    }

    #[test]
    fn starts_that_do_not_fit_the_rows_are_corrupt() {
        for (starts, rows) in [
            (&[][..], 1),
            (&[1, 1025][..], 1024),
            (&[1][..], 1025),
            (&[-3][..], 1),
        ] {
            assert!(
                matches!(
                    block_positions(starts, rows),
                    Err(JournalError::Corrupt {
                        column: "position",
                        ..
                    })
                ),
                "{starts:?} for {rows} rows"
            );
        }
    }
}
