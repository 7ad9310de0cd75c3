//! Event stores: where a case's history lives between commands.
//!
//! A journal stores *serialized* events: rows of JSON with their stream,
//! version, id, type, schema version, actor and times, chained by a hash.
//! The [`EventStore`] trait is about rows only — it knows no workflow — so it
//! is object safe and one store holds every workflow's cases. A typed layer on
//! top turns rows into a workflow's [`Recorded`] events and back:
//!
//! - [`Journal`] is one tenant's cases in one store: [`Journal::handle`]
//!   loads a case, handles a command, appends the decided events with the
//!   version it loaded (optimistic concurrency), and on a version conflict
//!   loads and decides again, a bounded number of times; it keeps recently
//!   used cases, so a command reads only what it has not seen.
//!   [`Journal::load`] loads a case, [`Journal::list`] pages through a
//!   workflow's cases;
//! - [`load`] and [`execute`] are the same operations as functions of a
//!   store and a tenant, reading and verifying the case in full each time;
//! - [`verify_stream`] checks a stream's hash chain, [`verify_anchored`]
//!   checks it against the stream's anchor too;
//! - [`encode`] and [`decode`] convert single events, for projections that
//!   read [`EventStore::read_all`].
//!
//! A workflow opts in by implementing [`EventSchema`] (an empty `impl` is
//! enough: every event type at schema version 1) and deriving serde's
//! `Serialize` and `Deserialize` for its event.
//!
//! # Example
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use grassroots::actor::{Actor, Forbidden, Role};
//! use grassroots::journal::{self, EventSchema, EventStore, Journal, MemoryStore, StreamKey};
//! use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
//! use serde::{Deserialize, Serialize};
//!
//! /// A complaint a grid worker opens.
//! struct Complaint;
//! #[derive(Debug, Clone, PartialEq, HasKind)]
//! enum State { New, Open }
//! #[derive(Debug, HasKind)]
//! enum Command { Open }
//! #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
//! enum Event { Opened }
//!
//! impl Workflow for Complaint {
//!     const NAME: &'static str = "complaint";
//!     type State = State;
//!     type Command = Command;
//!     type Event = Event;
//!     type Rejection = Forbidden;
//!     fn initial() -> State { State::New }
//!     fn decide(&self, _: &State, _: &Command, ctx: &Context<'_>) -> Result<Decision<Event>, Forbidden> {
//!         ctx.actor().require("open", Role::GridWorker)?;
//!         Ok(Event::Opened.into())
//!     }
//!     fn evolve(_: State, _: &Event) -> State { State::Open }
//!     fn is_terminal(_: &State) -> bool { false }
//!     fn transitions() -> &'static [Transition<StateKind, EventKind>] {
//!         const TABLE: &[Transition<StateKind, EventKind>] =
//!             &[Transition::new(StateKind::New, EventKind::Opened, StateKind::Open)];
//!         TABLE
//!     }
//! }
//! // Every event type is at schema version 1: nothing to upcast yet.
//! impl EventSchema for Complaint {}
//!
//! let journal = Journal::new(MemoryStore::new(), "longgang".parse()?);
//! let case_id = "C-1".parse()?;
//! let grid_worker = Actor::new("gw-7".parse()?).with_role(Role::GridWorker);
//! let ctx = Context::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(), &grid_worker);
//!
//! let done = journal.handle(&Complaint, &case_id, &Command::Open, &ctx)?;
//! assert_eq!(done.case.version(), 1);
//! assert_eq!(journal.load::<Complaint>(&case_id)?, done.case);
//!
//! let store = journal.store();
//! let stream = StreamKey::of::<Complaint>(journal.tenant().clone(), case_id.clone())?;
//! let rows = store.read_stream(&stream, 0)?;
//! assert_eq!(rows[0].event_type, "Opened");
//! assert_eq!(journal::verify_stream(&store, &stream)?.version, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The schema
//!
//! Every backend stores the same fields for an event (in the table
//! `journal_events`; on SQLite a stream's tenant, type and id are kept once,
//! in `journal_streams`, and each event row names its stream by the
//! integer `stream_key`):
//!
//! | column | meaning |
//! |---|---|
//! | `position` | global position: unique in the store; a feed read never sees one while a lower one of its tenant may still commit |
//! | `tenant` | the [`TenantId`], for example a district |
//! | `stream_type`, `stream_id` | the workflow's `NAME` and the [`CaseId`] |
//! | `version` | the event's place in its stream, from 1; unique per stream |
//! | `event_id` | the [`EventId`], unique per tenant: retries are idempotent |
//! | `event_type` | the workflow's `event_kind` |
//! | `schema_version` | the payload's schema version, for [upcasting](EventSchema) |
//! | `payload` | the event as JSON |
//! | `actor`, `correlation` | who sent the command, and its correlation id |
//! | `occurred_at` | the command's time (from its [`Context`]) |
//! | `recorded_at` | when the store recorded it (from the store's [`Clock`]) |
//! | `hash` | SHA-256 linking the event to the previous one of its stream |
//!
//! Times are kept to the microsecond on every backend (PostgreSQL's
//! resolution); [`execute`] truncates a command's time before deciding, so
//! the live case equals the stored one. Migrations are numbered and run when
//! a store is opened.
//!
//! To read a SQLite file by hand (times are integer microseconds since the
//! Unix epoch, hashes 32-byte blobs):
//!
//! ```sql
//! SELECT s.tenant, s.stream_type, s.stream_id, e.version, e.event_type, e.actor,
//!        datetime(e.occurred_at / 1000000, 'unixepoch') AS occurred
//! FROM journal_events AS e JOIN journal_streams AS s USING (stream_key)
//! ORDER BY e.position;
//! ```
//!
//! The stream anchors are in `journal_heads`, the due index in
//! `journal_due`, snapshots in `journal_snapshots`; PostgreSQL keeps the
//! stream's type and id in each row of `journal_events`.
//!
//! # Backends
//!
//! - [`MemoryStore`] — always there; for tests and short-lived programs.
//! - `SqliteStore` (feature `sqlite`) — the embedded default: one file, WAL,
//!   `BEGIN IMMEDIATE`, a busy timeout, cached statements; one writer
//!   connection and a pool of readers that read while it writes.
//! - `PostgresStore` (feature `postgres`) — many writers on one server; the
//!   events table is partitioned by tenant; a pool of connections (TLS with
//!   the feature `postgres-tls`).
//!
//! All three pass one conformance suite (`tests/journal_conformance.rs`).
//!
//! With the feature `tokio`, the same journal in async form (the
//! `nonblocking` module, its types re-exported here): `AsyncEventStore`,
//! `AsyncSqliteStore`, `AsyncPostgresStore` (pooled, on `tokio-postgres`),
//! `AsyncJournal`, `AsyncSweeper` and `AsyncRunner` — only the I/O is
//! async; the async stores pass the same conformance suite.
//!
//! # Concurrency and idempotency
//!
//! [`EventStore::append`] takes the version the writer expects the stream to
//! be at. If another writer got there first, the append fails with
//! [`JournalError::VersionConflict`] and writes nothing — never a silent
//! overwrite. An append whose first event id is already recorded, and whose
//! events equal the ones recorded there, is a *retry*: it succeeds with
//! [`AppendOutcome::AlreadyRecorded`] and writes nothing. The typed layer
//! derives each event id from the event's stream, version and content, so a
//! retried append after a lost reply is recognised.
//!
//! # Tamper evidence
//!
//! Each event's hash covers the previous event's hash and every column but
//! `position` and `recorded_at` (which the store assigns). [`verify_stream`]
//! recomputes the chain and names the first broken version and the kind of
//! change ([`Breakage`]).
//!
//! # Anchors
//!
//! A chain alone cannot show that its *last* events were cut off: what is
//! left is still a valid chain. So every store keeps each stream's head —
//! the version and hash its last append left ([`StreamHead`]) — apart from
//! the rows: a `journal_heads` table on SQLite and PostgreSQL, a map in
//! memory, moved in the same transaction as the append.
//! [`verify_anchored`] and [`load`] compare the rows with it and report
//! [`JournalError::Truncated`] (with the stream, the anchored version and
//! the version the rows reach) or [`JournalError::AnchorMismatch`]; an
//! append to such a stream is refused the same way, so the chain is never
//! continued from a cut and the evidence stays.
//!
//! What the anchor proves: rows deleted (or changed at the head) by someone
//! who did not also rewrite `journal_heads` are found. What it does not: an
//! attacker with write access to both tables can cut the rows and move the
//! anchor to match (or rewrite the whole chain and its anchor); streams
//! are anchored at the head they had when the anchor table was created
//! (migration 2), so nothing cut before then is found. For evidence that
//! survives a database administrator, export [`Verified::head`] of the
//! streams that matter somewhere they cannot write — signed, or in another
//! system — and compare.
//!
//! # Hostile input
//!
//! A store refuses at append what it could not read back, on every
//! backend, with a typed error and nothing written: a payload nested
//! deeper than [`MAX_PAYLOAD_DEPTH`] (serde_json stops reading at 128), one
//! longer than [`MAX_PAYLOAD_BYTES`] of canonical JSON, or one holding
//! U+0000 ([`JournalError::PayloadRefused`]); a time outside the crate's
//! accepted range ([`JournalError::TimeOutOfRange`]); an event type that is
//! not a valid name ([`JournalError::InvalidName`]). A row that does not
//! read back anyway — written before these checks, by another program, or
//! changed behind the store's back — never blocks the tenant's log:
//! [`EventStore::read_feed`] reports it in [`FeedPage::skipped`] with its
//! position and reads on; [`EventStore::read_all`] and the stream's own
//! reads return its error.

mod due;
mod error;
mod execute;
mod handle;
mod hash;
mod memory;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod nonblocking;
#[cfg(feature = "postgres")]
mod postgres;
pub mod read;
mod snapshot;
#[cfg(feature = "sqlite")]
mod sqlite;
mod sweep;
mod trace;
mod upcast;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde_json::Value;
use smol_str::SmolStr;

pub use due::{DueEntry, DueQuery, DueUpdate, Rebuilt, due_entries, rebuild_due_index};
pub use error::{Breakage, ExecuteError, JournalError, PayloadLimit};
pub use execute::{Executed, decode, encode, execute, load};
pub(crate) use execute::{decode_event, decode_row_event};
pub use handle::{DEFAULT_CACHE, DEFAULT_RETRIES, Journal, Journaled};
pub use hash::{EventHash, Verified, verify_anchored, verify_rows, verify_stream};
pub use memory::MemoryStore;
#[cfg(all(feature = "tokio", feature = "sqlite"))]
pub use nonblocking::AsyncSqliteStore;
#[cfg(feature = "tokio")]
pub use nonblocking::{AsyncEventStore, AsyncJournal, AsyncRunner, AsyncSweeper};
#[cfg(all(feature = "tokio", feature = "postgres"))]
pub use nonblocking::{AsyncPostgresOptions, AsyncPostgresStore, DEFAULT_MAX_CONNECTIONS};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresOptions, PostgresStore};
pub use snapshot::{Snapshot, SnapshotRefused, SnapshotStats};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteStore, Synchronous};
pub use sweep::{SweepError, SweepOptions, SweepReport, Sweeper, Ticked};
pub use upcast::{EventSchema, UpcastError, convert};

use crate::id::{ActorId, CaseId, CorrelationId, EventId, IdError, TenantId};
#[allow(unused_imports)] // used by the doc links above
use crate::workflow::{Case, Context, Recorded};

/// The deepest nesting of arrays and objects an event's payload may have
/// (`[1]` is 1 deep). serde_json refuses to read text nested 128 deep, so a
/// store refuses at append, well below that, what it could not read back.
pub const MAX_PAYLOAD_DEPTH: usize = 64;

/// The longest payload an event may have, in bytes of canonical JSON: 1 MiB.
/// An event is a fact about a case, not a document store; attachments
/// belong elsewhere, referenced by id.
pub const MAX_PAYLOAD_BYTES: usize = 1 << 20;

/// A stream's anchored head: the version and hash its last append left,
/// kept by the store apart from the rows (see the module docs, "Anchors").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamHead {
    /// The stream's version after its last append.
    pub version: u64,
    /// The hash of the event at that version.
    pub hash: EventHash,
}

/// One page of a tenant's log, from [`EventStore::read_feed`] (or, its
/// payloads left as text, [`EventStore::read_feed_rows`]): the rows that
/// read back, and the ones that did not, each with its position.
#[derive(Debug)]
pub struct FeedPage<E = StoredEvent> {
    /// The events that read back, in position order.
    pub events: Vec<E>,
    /// The rows that did not, in position order, with the reason.
    pub skipped: Vec<SkippedRow>,
    /// The position to pass as `after` for the next page: the last row this
    /// page looked at, read back or not (`after` itself when the page is
    /// empty).
    pub next_after: u64,
}

/// A row of the log that does not read back: written by another program,
/// by an older version of this library before it checked payloads at
/// append, or changed behind the store's back.
#[derive(Debug)]
pub struct SkippedRow {
    /// The row's global position.
    pub position: u64,
    /// Why it does not read back ([`JournalError::Decode`],
    /// [`JournalError::Corrupt`], ...).
    pub error: JournalError,
}

/// The kind of a stream: the [`NAME`](crate::workflow::Workflow::NAME) of the
/// workflow whose case it holds (`"dispute"`, `"service_request"`).
///
/// Validated like the crate's identifiers (see [`crate::id`]): non-empty,
/// not blank, at most [`MAX_ID_LEN`](crate::id::MAX_ID_LEN) bytes, no
/// control, format or other
/// invisible character.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamType(SmolStr);

impl StreamType {
    /// Builds a stream type.
    ///
    /// # Errors
    ///
    /// [`IdError`] when `name` is empty, blank, too long, or holds a
    /// control, format or other invisible character.
    pub fn new(name: &str) -> Result<Self, IdError> {
        validate_name(name)?;
        Ok(Self(SmolStr::new(name)))
    }

    /// The stream type of workflow `W`'s cases.
    ///
    /// # Errors
    ///
    /// [`IdError`] when `W::NAME` is not a valid name.
    pub fn of<W: crate::workflow::Workflow>() -> Result<Self, IdError> {
        validate_name(W::NAME)?;
        Ok(Self(SmolStr::new_static(W::NAME)))
    }

    /// The stream type as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn validate_name(name: &str) -> Result<(), IdError> {
    crate::id::validate("StreamType", name)
}

impl fmt::Display for StreamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StreamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamType({:?})", self.0.as_str())
    }
}

impl std::str::FromStr for StreamType {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::new(s)
    }
}

/// Names one stream: a tenant's case of one workflow.
///
/// Displays as `tenant/stream_type/id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamKey {
    /// The tenant (for example a district) the case belongs to.
    pub tenant: TenantId,
    /// The workflow the case runs.
    pub stream_type: StreamType,
    /// The case.
    pub id: CaseId,
}

impl StreamKey {
    /// The stream of `id`, a case of `stream_type`, in `tenant`.
    pub fn new(tenant: TenantId, stream_type: StreamType, id: CaseId) -> Self {
        Self {
            tenant,
            stream_type,
            id,
        }
    }

    /// The stream of workflow `W`'s case `id` in `tenant`.
    ///
    /// # Errors
    ///
    /// [`IdError`] when `W::NAME` is not a valid stream type.
    pub fn of<W: crate::workflow::Workflow>(tenant: TenantId, id: CaseId) -> Result<Self, IdError> {
        Ok(Self::new(tenant, StreamType::of::<W>()?, id))
    }
}

impl fmt::Display for StreamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.tenant, self.stream_type, self.id)
    }
}

/// An event to append: everything but what the store assigns (position,
/// version, recorded-at, hash).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The event's id, unique within the tenant. Appending the same ids again
    /// is an idempotent retry.
    pub event_id: EventId,
    /// The event's type (the workflow's `event_kind`).
    pub event_type: String,
    /// The schema version of `payload`, from 1.
    pub schema_version: u32,
    /// The event as JSON.
    pub payload: Value,
    /// Who sent the command that decided the event.
    pub actor: ActorId,
    /// The command's correlation id, if any.
    pub correlation: Option<CorrelationId>,
    /// When the command was handled. Stored to the microsecond.
    pub occurred_at: DateTime<Utc>,
}

impl NewEvent {
    /// An event at schema version 1 without a correlation id.
    pub fn new(
        event_id: EventId,
        event_type: impl Into<String>,
        payload: Value,
        actor: ActorId,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id,
            event_type: event_type.into(),
            schema_version: 1,
            payload,
            actor,
            correlation: None,
            occurred_at,
        }
    }

    /// Sets the payload's schema version.
    #[must_use]
    pub fn with_schema_version(mut self, schema_version: u32) -> Self {
        self.schema_version = schema_version;
        self
    }

    /// Sets the correlation id.
    #[must_use]
    pub fn with_correlation(mut self, correlation: CorrelationId) -> Self {
        self.correlation = Some(correlation);
        self
    }

    /// Whether `stored` is this event as the store recorded it (same id,
    /// type, schema version, payload, actor, correlation and time to the
    /// microsecond) — how a retried append is recognised.
    pub fn matches(&self, stored: &StoredEvent) -> bool {
        self.event_id == stored.event_id
            && self.event_type == stored.event_type
            && self.schema_version == stored.schema_version
            && self.actor == stored.actor
            && self.correlation == stored.correlation
            && to_micros(self.occurred_at) == to_micros(stored.occurred_at)
            && self.payload == stored.payload
    }
}

/// An event as the store recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// The global position (see [`EventStore::read_all`]).
    pub position: u64,
    /// The stream it belongs to.
    pub stream: StreamKey,
    /// Its place in the stream, from 1.
    pub version: u64,
    /// Its id, unique within the tenant.
    pub event_id: EventId,
    /// Its type.
    pub event_type: String,
    /// The schema version of `payload`.
    pub schema_version: u32,
    /// The event as JSON, as stored (not upcast).
    pub payload: Value,
    /// Who sent the command that decided it.
    pub actor: ActorId,
    /// The command's correlation id, if any.
    pub correlation: Option<CorrelationId>,
    /// When the command was handled.
    pub occurred_at: DateTime<Utc>,
    /// When the store recorded it.
    pub recorded_at: DateTime<Utc>,
    /// The hash linking it to the previous event of its stream.
    pub hash: EventHash,
}

/// An event of a tenant's log as [`EventStore::read_feed_rows`] reads it
/// for projections: the columns a read model takes from an event — its
/// position, stream, version, type, schema version, actor, correlation and
/// when it occurred, each checked as `read_feed` checks it — with the
/// payload left as the stored JSON text (checked to be JSON) instead of
/// parsed into a [`Value`]. The event id, the time the store recorded it
/// and its hash are not read (a lean feed: a catch-up reads every row of
/// the log once); a projection that needs them takes [`StoredEvent`]s
/// ([`Projection::reads_rows`](read::Projection::reads_rows) false, the
/// default). A projection that knows the event's workflow decodes the text
/// straight into the event (the crate's read models do).
#[derive(Debug, Clone)]
pub struct FeedRow {
    /// The global position (see [`EventStore::read_all`]).
    pub position: u64,
    /// The stream it belongs to.
    pub stream: StreamKey,
    /// Its place in the stream, from 1.
    pub version: u64,
    /// Its type.
    pub event_type: String,
    /// The schema version of `payload`.
    pub schema_version: u32,
    /// The event as JSON text, as stored (not upcast).
    pub payload: Box<serde_json::value::RawValue>,
    /// Who sent the command that decided it.
    pub actor: ActorId,
    /// The command's correlation id, if any.
    pub correlation: Option<CorrelationId>,
    /// When the command was handled.
    pub occurred_at: DateTime<Utc>,
}

/// A nesting of arrays and objects deep enough to be parsed into a
/// [`Value`] to know whether serde_json reads it (its recursion limit is
/// 128 levels; this leaves room below it).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
const DEEP: usize = 100;

/// `text` checked to be JSON that parses into a [`Value`] — what a
/// [`FeedRow`]'s payload holds — without building the value: the syntax is
/// checked by [`RawValue`](serde_json::value::RawValue), which knows no
/// nesting limit, so a text long enough to nest [`DEEP`] levels is
/// measured, and parsed into a `Value` when it does, for serde_json's own
/// verdict and error.
///
/// # Errors
///
/// serde_json's, for a text that is not JSON or nests too deep.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn json_text(text: &str) -> serde_json::Result<Box<serde_json::value::RawValue>> {
    let raw: Box<serde_json::value::RawValue> = serde_json::from_str(text)?;
    // Nesting `DEEP` levels takes that many opening and closing brackets.
    if text.len() >= 2 * DEEP && nesting(raw.get()) >= DEEP {
        serde_json::from_str::<Value>(text)?;
    }
    Ok(raw)
}

/// How deep arrays and objects nest in `json` (valid JSON text).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
fn nesting(json: &str) -> usize {
    let (mut depth, mut deepest) = (0_usize, 0_usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in json.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

impl FeedRow {
    /// The payload parsed into a [`Value`].
    ///
    /// # Errors
    ///
    /// [`JournalError::Decode`] when it does not parse (JSON nested deeper
    /// than serde_json's limit).
    pub fn payload_value(&self) -> Result<Value, JournalError> {
        serde_json::from_str(self.payload.get()).map_err(|source| JournalError::Decode {
            stream: self.stream.clone(),
            version: self.version,
            event_type: self.event_type.as_str().into(),
            schema_version: self.schema_version,
            source,
        })
    }

    /// The row of `event` (its event id, recorded time and hash left
    /// out), its payload written back to JSON text.
    ///
    /// # Errors
    ///
    /// [`JournalError::Decode`] when the payload does not write as JSON
    /// text (it always does: a [`Value`] is JSON).
    pub fn from_stored(event: StoredEvent) -> Result<Self, JournalError> {
        let payload = serde_json::value::to_raw_value(&event.payload).map_err(|source| {
            JournalError::Decode {
                stream: event.stream.clone(),
                version: event.version,
                event_type: event.event_type.as_str().into(),
                schema_version: event.schema_version,
                source,
            }
        })?;
        Ok(Self {
            position: event.position,
            stream: event.stream,
            version: event.version,
            event_type: event.event_type,
            schema_version: event.schema_version,
            payload,
            actor: event.actor,
            correlation: event.correlation,
            occurred_at: event.occurred_at,
        })
    }
}

/// What [`EventStore::append`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The stream's version right after the appended events.
    pub version: u64,
    /// The global positions of the appended events lie in this range, in
    /// order (empty when nothing was appended). On PostgreSQL the range may
    /// also hold positions of other appends when more than 1,024 events were
    /// appended at once (positions are drawn a block of 1,024 at a time).
    pub positions: Range<u64>,
    /// Whether the events were recorded now or by an earlier attempt.
    pub outcome: AppendOutcome,
}

/// Whether an append recorded its events or found them already recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AppendOutcome {
    /// The events were recorded by this call.
    Recorded,
    /// An earlier call with the same events recorded them; this one was an
    /// idempotent retry and wrote nothing.
    AlreadyRecorded,
}

/// One stream's anchor and rows as
/// [`EventStore::read_anchored_streams_with`] lends them, or the error
/// reading that stream met.
pub type AnchoredRead<'a> = Result<(Option<StreamHead>, &'a [StoredEvent]), JournalError>;

/// One stored event as a store that keeps text lends it
/// ([`EventStore::read_anchored_stream_text_with`]): the columns of a
/// [`StoredEvent`] but its stream, borrowed, with the payload as the
/// canonical JSON text the store hashed, not parsed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredText<'a> {
    /// The global position.
    pub position: u64,
    /// Its place in the stream, from 1.
    pub version: u64,
    /// Its id.
    pub event_id: &'a EventId,
    /// Its type.
    pub event_type: &'a str,
    /// The schema version of `payload`.
    pub schema_version: u32,
    /// The event as canonical JSON text, as stored and hashed.
    pub payload: &'a str,
    /// Who sent the command that decided it.
    pub actor: &'a ActorId,
    /// The command's correlation id, if any.
    pub correlation: Option<&'a CorrelationId>,
    /// When the command was handled.
    pub occurred_at: DateTime<Utc>,
    /// When the store recorded it.
    pub recorded_at: DateTime<Utc>,
    /// The hash linking it to the previous event of its stream.
    pub hash: EventHash,
}

/// Where events are kept: append with optimistic concurrency, read a stream,
/// read a tenant's log in order.
///
/// Implementations are synchronous and take `&self`, so one store can be
/// shared between threads (behind an [`Arc`]). The trait is object safe.
pub trait EventStore {
    /// Appends `events` to `stream`, expecting the stream to hold exactly
    /// `expected_version` events (0 for a new stream). All events are
    /// recorded, as versions `expected_version + 1 ..`, or none.
    ///
    /// If the first event's id is already recorded and the batch equals the
    /// events recorded from `expected_version + 1` on, the call is an
    /// idempotent retry: it returns [`AppendOutcome::AlreadyRecorded`] and
    /// writes nothing.
    ///
    /// # Errors
    ///
    /// - [`JournalError::VersionConflict`] when the stream is at another
    ///   version;
    /// - [`JournalError::DuplicateEventId`] when an event id is already taken
    ///   (and the call is not a retry) or repeats within the batch;
    /// - [`JournalError::PayloadRefused`] when a payload is nested deeper
    ///   than [`MAX_PAYLOAD_DEPTH`], longer than [`MAX_PAYLOAD_BYTES`] or
    ///   holds U+0000 — what the store could not read back;
    /// - [`JournalError::InvalidName`] when an event type is empty, blank,
    ///   longer than [`MAX_ID_LEN`](crate::id::MAX_ID_LEN) bytes or holds an
    ///   invisible character (validated like an identifier);
    /// - [`JournalError::TimeOutOfRange`] when an event's time lies outside
    ///   [`EARLIEST`](crate::workflow::EARLIEST) ..=
    ///   [`LATEST`](crate::workflow::LATEST);
    /// - [`JournalError::Truncated`] or [`JournalError::AnchorMismatch`] when
    ///   the stream's rows no longer end where its anchor says: the chain is
    ///   not continued from a cut;
    /// - [`JournalError::Backend`] when storage fails.
    ///
    /// On every error nothing is written.
    ///
    /// The stream's entry in the due index is left as it is; the typed
    /// layer ([`execute`]) appends with [`append_with_due`](Self::append_with_due).
    fn append(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
    ) -> Result<Appended, JournalError> {
        self.append_with_due(stream, expected_version, events, DueUpdate::Keep)
    }

    /// Like [`append`](Self::append), and in the same transaction applies
    /// `due` to the stream's entry in the due index (see [`DueUpdate`]).
    ///
    /// With no events it checks the version and writes only the due
    /// update: how a sweeper corrects an entry that was out of date. An
    /// idempotent retry writes nothing, the due update included (the
    /// first attempt wrote it).
    ///
    /// # Errors
    ///
    /// As for [`append`](Self::append); on every error nothing is written.
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError>;

    /// Appends to several streams at once, each part as
    /// [`append_with_due`](Self::append_with_due) would: all-or-nothing for
    /// its own stream, checked against its own expected version. Returns
    /// each part's outcome in order; a version conflict or a refusal of one
    /// part leaves the others to be written.
    ///
    /// A store that can commit the parts together does: the SQLite store
    /// writes them in one transaction, so a sweep of a page of due cases
    /// pays for one commit, not one per case. The default appends the parts
    /// one after another.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when the batch as a whole cannot be
    /// written (its transaction fails to begin or commit); then none of it
    /// was written. Each part's own errors are in the returned list.
    fn append_streams(
        &self,
        batch: &[StreamAppend<'_>],
    ) -> Result<Vec<Result<Appended, JournalError>>, JournalError> {
        Ok(batch
            .iter()
            .map(|part| {
                self.append_with_due(part.stream, part.expected_version, part.events, part.due)
            })
            .collect())
    }

    /// [`append_streams`](Self::append_streams) with each part's events
    /// given up to the store, which may keep them instead of copying them
    /// (the memory store does). Each part is written, refused or set aside
    /// exactly as `append_streams` would; the default borrows the events and
    /// calls it.
    ///
    /// ```
    /// use grassroots::journal::{DueUpdate, EventStore, MemoryStore, NewEvent, OwnedStreamAppend, StreamKey};
    ///
    /// let store = MemoryStore::new();
    /// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
    /// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
    /// let opened = NewEvent::new("e-1".parse()?, "Opened", serde_json::json!("Opened"), "gw-7".parse()?, at);
    /// let part = OwnedStreamAppend { stream: &stream, expected_version: 0, events: vec![opened], due: DueUpdate::Keep };
    /// let outcomes = store.append_streams_owned(vec![part])?;
    /// assert_eq!(outcomes[0].as_ref().map(|appended| appended.version).ok(), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`append_streams`](Self::append_streams).
    fn append_streams_owned(
        &self,
        batch: Vec<OwnedStreamAppend<'_>>,
    ) -> Result<Vec<Result<Appended, JournalError>>, JournalError> {
        let parts: Vec<StreamAppend<'_>> = batch
            .iter()
            .map(|part| StreamAppend {
                stream: part.stream,
                expected_version: part.expected_version,
                events: &part.events,
                due: part.due,
            })
            .collect();
        self.append_streams(&parts)
    }

    /// One page of the due index: the streams of `query`'s tenant and
    /// stream type due at or before `query.until`, ordered by `(due,
    /// stream id)`, after `query.after`, at most `query.limit` (see
    /// [`DueQuery`]). Costs what the page holds, not what the store holds.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails.
    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError>;

    /// Like [`due`](Self::due), but returns only entries no one holds a
    /// lease on (or whose lease ended by the store's clock), and leases
    /// them for `lease`: several sweepers claiming at once take different
    /// streams. An append that sets the stream's due instant ends its
    /// lease. On PostgreSQL the claim takes rows `FOR UPDATE SKIP LOCKED`.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails.
    fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError>;

    /// Replaces every entry of `tenant`'s `stream_type` streams with
    /// `entries`, in one transaction (see [`rebuild_due_index`]).
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails; nothing is changed.
    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError>;

    /// The events of `stream` with a version greater than `after`, in version
    /// order (`after = 0` reads the whole stream; an unknown stream is
    /// empty).
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails;
    /// [`JournalError::Decode`] or [`JournalError::Corrupt`] for a row that
    /// no append could have written.
    fn read_stream(&self, stream: &StreamKey, after: u64)
    -> Result<Vec<StoredEvent>, JournalError>;

    /// Lends the events [`read_stream`](Self::read_stream) returns to
    /// `visit`, without copying them where the store can. The default reads
    /// them with
    /// [`read_stream`](Self::read_stream) and lends that.
    ///
    /// On success `visit` was called exactly once; on an error it was not
    /// called. `visit` must not call the store (a store may hold a lock or
    /// a connection while it runs).
    ///
    /// ```
    /// use grassroots::journal::{EventStore, MemoryStore, NewEvent, StreamKey};
    ///
    /// let store = MemoryStore::new();
    /// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
    /// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
    /// let opened = NewEvent::new("e-1".parse()?, "Opened", serde_json::json!("Opened"), "gw-7".parse()?, at);
    /// store.append(&stream, 0, &[opened])?;
    ///
    /// let mut types = Vec::new();
    /// store.read_stream_with(&stream, 0, &mut |rows| {
    ///     types = rows.iter().map(|row| row.event_type.clone()).collect();
    /// })?;
    /// assert_eq!(types, ["Opened"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`read_stream`](Self::read_stream).
    fn read_stream_with(
        &self,
        stream: &StreamKey,
        after: u64,
        visit: &mut dyn FnMut(&[StoredEvent]),
    ) -> Result<(), JournalError> {
        let rows = self.read_stream(stream, after)?;
        visit(&rows);
        Ok(())
    }

    /// Lends `stream`'s anchor (see [`anchor`](Self::anchor)) and all its
    /// rows (see [`read_stream`](Self::read_stream)) to `visit`, the anchor
    /// read no later than the rows: what a load verifies a case against.
    /// SQLite reads both with one statement on one reader connection. The
    /// default reads the anchor, then lends the rows with
    /// [`read_stream_with`](Self::read_stream_with).
    ///
    /// On success `visit` was called exactly once; on an error it was not
    /// called. `visit` must not call the store.
    ///
    /// ```
    /// use grassroots::journal::{EventStore, MemoryStore, NewEvent, StreamKey};
    ///
    /// let store = MemoryStore::new();
    /// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
    /// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
    /// let opened = NewEvent::new("e-1".parse()?, "Opened", serde_json::json!("Opened"), "gw-7".parse()?, at);
    /// store.append(&stream, 0, &[opened])?;
    ///
    /// let mut seen = None;
    /// store.read_anchored_stream_with(&stream, &mut |anchor, rows| {
    ///     seen = Some((anchor.map(|head| head.version), rows.len()));
    /// })?;
    /// assert_eq!(seen, Some((Some(1), 1)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`anchor`](Self::anchor) and
    /// [`read_stream`](Self::read_stream).
    fn read_anchored_stream_with(
        &self,
        stream: &StreamKey,
        visit: &mut dyn FnMut(Option<StreamHead>, &[StoredEvent]),
    ) -> Result<(), JournalError> {
        // The anchor first: rows only grow after it is read.
        let anchor = self.anchor(stream)?;
        self.read_stream_with(stream, 0, &mut |rows| visit(anchor, rows))
    }

    /// Lends `stream`'s anchor and rows as the store keeps them, each
    /// payload as the canonical JSON text it hashed, without parsing them:
    /// `Ok(true)` after calling `visit` once, or `Ok(false)` without calling
    /// it when the store does not keep text it can lend (the default). The
    /// memory store lends its rows this way; loading a case and the sweeper
    /// verify the chain over the text and decode the events from it, and
    /// read the stream again through
    /// [`read_anchored_stream_with`](Self::read_anchored_stream_with) for
    /// anything the text does not settle (an old schema version, a broken
    /// row: the same case or the same error either way).
    ///
    /// `visit` must not call the store.
    ///
    /// ```
    /// use grassroots::journal::{EventStore, MemoryStore, NewEvent, StreamKey};
    ///
    /// let store = MemoryStore::new();
    /// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
    /// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
    /// let payload = serde_json::json!({"Opened": {"by": "gw-7", "note": -0.0}});
    /// store.append(&stream, 0, &[NewEvent::new("e-1".parse()?, "Opened", payload, "gw-7".parse()?, at)])?;
    ///
    /// let mut text = Vec::new();
    /// let lent = store.read_anchored_stream_text_with(&stream, &mut |anchor, rows| {
    ///     assert_eq!(anchor.map(|head| head.version), Some(1));
    ///     text.extend(rows.iter().map(|row| row.payload.to_owned()));
    /// })?;
    /// assert!(lent);
    /// assert_eq!(text, [r#"{"Opened":{"by":"gw-7","note":0.0}}"#]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails.
    fn read_anchored_stream_text_with(
        &self,
        stream: &StreamKey,
        visit: &mut dyn FnMut(Option<StreamHead>, &[StoredText<'_>]),
    ) -> Result<bool, JournalError> {
        let _ = (stream, visit);
        Ok(false)
    }

    /// [`read_anchored_stream_with`](Self::read_anchored_stream_with) for
    /// each of `streams`, in order: `visit` gets each stream's index in
    /// `streams` and its anchor and rows, or the error that stream's read
    /// met (a row or anchor that does not read back), so one bad stream
    /// does not hide the others. What the sweeper loads a page of due cases
    /// with. SQLite reads them all in one read transaction on one reader
    /// connection (one snapshot, one shared lock, one page cache); the
    /// default reads them one by one.
    ///
    /// `visit` is called once per stream unless the read as a whole fails.
    /// `visit` must not call the store.
    ///
    /// ```
    /// use grassroots::journal::{EventStore, MemoryStore, NewEvent, StreamKey};
    ///
    /// let store = MemoryStore::new();
    /// let one = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
    /// let two = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-2".parse()?);
    /// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
    /// let opened = NewEvent::new("e-1".parse()?, "Opened", serde_json::json!("Opened"), "gw-7".parse()?, at);
    /// store.append(&one, 0, &[opened])?;
    ///
    /// let mut seen = Vec::new();
    /// store.read_anchored_streams_with(&[&one, &two], &mut |i, read| {
    ///     let (anchor, rows) = read.expect("both read back");
    ///     seen.push((i, anchor.map(|head| head.version), rows.len()));
    /// })?;
    /// assert_eq!(seen, [(0, Some(1), 1), (1, None, 0)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when the read as a whole cannot run (no
    /// connection); a single stream's error goes to `visit`.
    fn read_anchored_streams_with(
        &self,
        streams: &[&StreamKey],
        visit: &mut dyn FnMut(usize, AnchoredRead<'_>),
    ) -> Result<(), JournalError> {
        for (i, stream) in streams.iter().enumerate() {
            let mut lent = false;
            let read = self.read_anchored_stream_with(stream, &mut |anchor, rows| {
                lent = true;
                visit(i, Ok((anchor, rows)));
            });
            match read {
                Ok(()) if !lent => visit(i, Ok((None, &[]))),
                Ok(()) => {}
                Err(e) => visit(i, Err(e)),
            }
        }
        Ok(())
    }

    /// Up to `limit` rows of `tenant` with a global position greater than
    /// `after`, in position order — the feed for projections. A projection
    /// remembers [`FeedPage::next_after`] and asks for the rows after it;
    /// a read never returns a position while a lower one of the tenant may
    /// still commit, so a projection that moves past a position misses
    /// nothing before it (on PostgreSQL the read waits for the tenant's
    /// appends in flight: see `PostgresStore`).
    ///
    /// A row that does not read back (see [`SkippedRow`]) does not stop the
    /// feed: it is reported in [`FeedPage::skipped`] with its position and
    /// the page goes on, so one bad row never blocks the rest of a tenant's
    /// log. `limit` counts both kinds of rows.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails.
    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage, JournalError>;

    /// [`read_feed`](Self::read_feed) lean, each payload left as JSON text
    /// ([`FeedRow`]): the feed the projection [`Runner`](read::Runner)
    /// reads for a projection that takes rows, so that a projection knowing
    /// the workflow decodes a payload straight into its event. A row whose
    /// columns a [`FeedRow`] holds do not read back is set aside as
    /// `read_feed` sets it aside; the columns it leaves out (event id,
    /// recorded time, hash) are not read, so not checked, by the SQLite
    /// store.
    ///
    /// The default reads `read_feed` and writes each payload back to text;
    /// the SQLite store reads only the columns a [`FeedRow`] holds, the
    /// payload's text as stored.
    ///
    /// # Errors
    ///
    /// As for [`read_feed`](Self::read_feed).
    fn read_feed_rows(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage<FeedRow>, JournalError> {
        let page = self.read_feed(tenant, after, limit)?;
        let mut rows = FeedPage {
            events: Vec::with_capacity(page.events.len()),
            skipped: page.skipped,
            next_after: page.next_after,
        };
        let mut unordered = false;
        for event in page.events {
            let position = event.position;
            match FeedRow::from_stored(event) {
                Ok(row) => rows.events.push(row),
                Err(error) => {
                    unordered = true;
                    rows.skipped.push(SkippedRow { position, error });
                }
            }
        }
        if unordered {
            rows.skipped.sort_by_key(|s| s.position);
        }
        Ok(rows)
    }

    /// Up to `limit` events of `tenant` with a global position greater than
    /// `after`, in position order: [`read_feed`](Self::read_feed) for
    /// callers that want every row or an error.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails; the error of the first
    /// row that does not read back ([`JournalError::Decode`],
    /// [`JournalError::Corrupt`]) — use [`read_feed`](Self::read_feed) to
    /// read past it.
    fn read_all(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        let page = self.read_feed(tenant, after, limit)?;
        match page.skipped.into_iter().next() {
            Some(bad) => Err(bad.error),
            None => Ok(page.events),
        }
    }

    /// The anchored head of `stream` — the version and hash its last append
    /// recorded apart from the rows — or `None` for a stream with no anchor
    /// (an unknown stream, or a store that keeps none: the default).
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails;
    /// [`JournalError::Corrupt`] for an anchor no append could have written.
    fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        let _ = stream;
        Ok(None)
    }

    /// The number of events in `stream` (0 for an unknown stream).
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails.
    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError>;

    /// One page of the cases of `tenant`'s `stream_type` streams that hold
    /// an event: at most `limit` case ids after `after` (from the first
    /// with `None`), in id order (byte order on memory and SQLite, the
    /// database's collation on PostgreSQL). Pass the page's last id as `after` for
    /// the next page. Costs what the page holds, not what the store holds
    /// (SQLite and PostgreSQL read the anchor table's primary key).
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails;
    /// [`JournalError::Corrupt`] for a stored id that is not valid.
    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError>;

    /// The latest [`Snapshot`] of `stream`, as it was put, or `None` (the
    /// default: a store that keeps none). The journal checks it against
    /// the stream before using it; the store does not.
    ///
    /// # Errors
    ///
    /// [`JournalError::Backend`] when storage fails;
    /// [`JournalError::Corrupt`] for a row no put could have written.
    fn snapshot(&self, stream: &StreamKey) -> Result<Option<Snapshot>, JournalError> {
        let _ = stream;
        Ok(None)
    }

    /// Keeps `snapshot` as its stream's latest, replacing the one before
    /// it (see [`Journal::with_snapshots`]). The memory, SQLite and
    /// PostgreSQL stores keep them, beside the events.
    ///
    /// # Errors
    ///
    /// [`JournalError::SnapshotsUnsupported`] (the default: a store that
    /// keeps none); [`JournalError::Backend`] when storage fails.
    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), JournalError> {
        let _ = snapshot;
        Err(JournalError::SnapshotsUnsupported)
    }
}

/// One stream's part of [`EventStore::append_streams`]: what
/// [`EventStore::append_with_due`] takes.
#[derive(Debug, Clone, Copy)]
pub struct StreamAppend<'a> {
    /// The stream appended to.
    pub stream: &'a StreamKey,
    /// The version the writer read; the part is refused with
    /// [`JournalError::VersionConflict`] when the stream moved on.
    pub expected_version: u64,
    /// The events, in order (none: only the due update is written).
    pub events: &'a [NewEvent],
    /// What happens to the stream's entry in the due index.
    pub due: DueUpdate,
}

/// One stream's part of [`EventStore::append_streams_owned`]: a
/// [`StreamAppend`] whose events are given up to the store.
#[derive(Debug, Clone)]
pub struct OwnedStreamAppend<'a> {
    /// The stream appended to.
    pub stream: &'a StreamKey,
    /// The version the writer read; the part is refused with
    /// [`JournalError::VersionConflict`] when the stream moved on.
    pub expected_version: u64,
    /// The events, in order (none: only the due update is written).
    pub events: Vec<NewEvent>,
    /// What happens to the stream's entry in the due index.
    pub due: DueUpdate,
}

/// Forwards the store's methods through a pointer to a store.
macro_rules! forward_event_store {
    ($($pointer:ty),+) => {$(
        impl<S: EventStore + ?Sized> EventStore for $pointer {
            fn append(
                &self,
                stream: &StreamKey,
                expected_version: u64,
                events: &[NewEvent],
            ) -> Result<Appended, JournalError> {
                (**self).append(stream, expected_version, events)
            }
            fn append_with_due(
                &self,
                stream: &StreamKey,
                expected_version: u64,
                events: &[NewEvent],
                due: DueUpdate,
            ) -> Result<Appended, JournalError> {
                (**self).append_with_due(stream, expected_version, events, due)
            }
            fn append_streams(
                &self,
                batch: &[StreamAppend<'_>],
            ) -> Result<Vec<Result<Appended, JournalError>>, JournalError> {
                (**self).append_streams(batch)
            }
            fn append_streams_owned(
                &self,
                batch: Vec<OwnedStreamAppend<'_>>,
            ) -> Result<Vec<Result<Appended, JournalError>>, JournalError> {
                (**self).append_streams_owned(batch)
            }
            fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
                (**self).due(query)
            }
            fn claim_due(
                &self,
                query: &DueQuery,
                lease: chrono::TimeDelta,
            ) -> Result<Vec<DueEntry>, JournalError> {
                (**self).claim_due(query, lease)
            }
            fn replace_due(
                &self,
                tenant: &TenantId,
                stream_type: &StreamType,
                entries: &[DueEntry],
            ) -> Result<(), JournalError> {
                (**self).replace_due(tenant, stream_type, entries)
            }
            fn read_stream(
                &self,
                stream: &StreamKey,
                after: u64,
            ) -> Result<Vec<StoredEvent>, JournalError> {
                (**self).read_stream(stream, after)
            }
            fn read_stream_with(
                &self,
                stream: &StreamKey,
                after: u64,
                visit: &mut dyn FnMut(&[StoredEvent]),
            ) -> Result<(), JournalError> {
                (**self).read_stream_with(stream, after, visit)
            }
            fn read_anchored_stream_with(
                &self,
                stream: &StreamKey,
                visit: &mut dyn FnMut(Option<StreamHead>, &[StoredEvent]),
            ) -> Result<(), JournalError> {
                (**self).read_anchored_stream_with(stream, visit)
            }
            fn read_anchored_stream_text_with(
                &self,
                stream: &StreamKey,
                visit: &mut dyn FnMut(Option<StreamHead>, &[StoredText<'_>]),
            ) -> Result<bool, JournalError> {
                (**self).read_anchored_stream_text_with(stream, visit)
            }
            fn read_anchored_streams_with(
                &self,
                streams: &[&StreamKey],
                visit: &mut dyn FnMut(usize, AnchoredRead<'_>),
            ) -> Result<(), JournalError> {
                (**self).read_anchored_streams_with(streams, visit)
            }
            fn read_feed(
                &self,
                tenant: &TenantId,
                after: u64,
                limit: usize,
            ) -> Result<FeedPage, JournalError> {
                (**self).read_feed(tenant, after, limit)
            }
            fn read_feed_rows(
                &self,
                tenant: &TenantId,
                after: u64,
                limit: usize,
            ) -> Result<FeedPage<FeedRow>, JournalError> {
                (**self).read_feed_rows(tenant, after, limit)
            }
            fn read_all(
                &self,
                tenant: &TenantId,
                after: u64,
                limit: usize,
            ) -> Result<Vec<StoredEvent>, JournalError> {
                (**self).read_all(tenant, after, limit)
            }
            fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
                (**self).anchor(stream)
            }
            fn snapshot(&self, stream: &StreamKey) -> Result<Option<Snapshot>, JournalError> {
                (**self).snapshot(stream)
            }
            fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), JournalError> {
                (**self).put_snapshot(snapshot)
            }
            fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
                (**self).stream_version(stream)
            }
            fn list_streams(
                &self,
                tenant: &TenantId,
                stream_type: &StreamType,
                after: Option<&CaseId>,
                limit: usize,
            ) -> Result<Vec<CaseId>, JournalError> {
                (**self).list_streams(tenant, stream_type, after, limit)
            }
        }
    )+};
}

forward_event_store!(&S, Arc<S>, Box<S>);

/// Where a store gets its `recorded_at` times.
///
/// The core never reads a clock; stores are adapters and take one.
/// [`SystemClock`] is the default; tests pass a fixed one.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(SystemTime::now())
    }
}

/// Microseconds since the Unix epoch: the resolution the journal keeps.
pub(crate) fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// The time `micros` microseconds after the Unix epoch, if representable.
pub(crate) fn from_micros(micros: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
}

/// `at` truncated to the microsecond.
pub(crate) fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    from_micros(to_micros(at)).unwrap_or(at)
}

/// Checks one event about to be appended at `version` and writes its
/// canonical payload to the end of `buf`: refuses a time outside the
/// accepted range and a payload the store could not read back.
pub(crate) fn stage_payload(
    stream: &StreamKey,
    version: u64,
    event: &NewEvent,
    buf: &mut Vec<u8>,
) -> Result<(), JournalError> {
    // Named like a stream type: PostgreSQL's text cannot hold U+0000, and an
    // invisible event type would disguise a history.
    crate::id::validate("EventType", &event.event_type)?;
    if !crate::workflow::is_accepted_instant(event.occurred_at) {
        return Err(JournalError::TimeOutOfRange {
            stream: stream.clone(),
            version,
            at: event.occurred_at,
        });
    }
    hash::canonical_payload(&event.payload, buf).map_err(|limit| JournalError::PayloadRefused {
        stream: stream.clone(),
        version,
        limit,
    })
}

/// Checks, inside an append's transaction, that the stream's rows end where
/// its anchor says: at version `actual` with hash `head`.
pub(crate) fn check_anchor(
    stream: &StreamKey,
    actual: u64,
    head: EventHash,
    anchor: Option<StreamHead>,
) -> Result<(), JournalError> {
    let Some(anchor) = anchor else {
        return Ok(());
    };
    if anchor.version > actual {
        return Err(JournalError::Truncated {
            stream: stream.clone(),
            anchored: anchor.version,
            found: actual,
        });
    }
    if anchor.version != actual || anchor.hash != head {
        return Err(JournalError::AnchorMismatch {
            stream: stream.clone(),
            anchored: anchor.version,
            found: actual,
        });
    }
    Ok(())
}

/// Decides what an append whose first event id is already recorded at
/// (`found_stream`, `found_version`) means: an idempotent retry when the batch
/// equals the events recorded from `expected + 1` on (`recorded`, read from
/// the stream), a [`JournalError::DuplicateEventId`] otherwise.
pub(crate) fn retry_outcome(
    stream: &StreamKey,
    expected: u64,
    events: &[NewEvent],
    found_stream: &StreamKey,
    found_version: u64,
    recorded: &[StoredEvent],
) -> Result<Appended, JournalError> {
    let duplicate = || JournalError::DuplicateEventId {
        stream: stream.clone(),
        event_id: events[0].event_id.clone(),
    };
    // `expected` comes from the caller: checked, so `u64::MAX` is refused
    // alike with and without overflow checks.
    if found_stream != stream
        || expected.checked_add(1) != Some(found_version)
        || recorded.len() < events.len()
    {
        return Err(duplicate());
    }
    let same = events
        .iter()
        .zip(recorded)
        .enumerate()
        .all(|(i, (new, old))| {
            found_version.checked_add(i as u64) == Some(old.version) && new.matches(old)
        });
    if !same {
        return Err(duplicate());
    }
    let first = recorded[0].position;
    let last = recorded[events.len() - 1].position;
    Ok(Appended {
        version: expected + events.len() as u64,
        positions: first..last + 1,
        outcome: AppendOutcome::AlreadyRecorded,
    })
}

/// The first event id of `events` that repeats within the batch or for which
/// `taken` says it is already recorded.
pub(crate) fn first_duplicate(
    events: &[NewEvent],
    mut taken: impl FnMut(&EventId) -> Result<bool, JournalError>,
) -> Result<Option<&EventId>, JournalError> {
    let mut seen = std::collections::HashSet::with_capacity(events.len());
    for event in events {
        if !seen.insert(&event.event_id) || taken(&event.event_id)? {
            return Ok(Some(&event.event_id));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::MAX_ID_LEN;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn nesting_counts_brackets_outside_strings_only() {
        assert_eq!(nesting("1"), 0);
        assert_eq!(nesting(r#"{"a":[1,{"b":[]}]}"#), 4);
        assert_eq!(nesting(r#"["[[[{", "\"[[", "\\"]"#), 1);
        assert_eq!(nesting(r#"{"k\"}{[":"]]]"}"#), 1);
    }

    #[test]
    fn a_feed_payload_is_json_a_value_reads() {
        // What serde_json parses into a Value, and nothing else.
        for depth in [1, DEEP - 1, DEEP, 120, 126, 127, 128, 129, 200] {
            let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            let as_value = serde_json::from_str::<Value>(&text).is_ok();
            assert_eq!(json_text(&text).is_ok(), as_value, "depth {depth}");
        }
        let long_flat = format!("[{}1]", "\"[[[[\",".repeat(100));
        assert_eq!(json_text(&long_flat).unwrap().get(), long_flat);
        for bad in ["", "not json", "{\"a\":", "[1]]", "\"open"] {
            assert!(json_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn journal_types_are_send_and_sync() {
        assert_send_sync::<StreamKey>();
        assert_send_sync::<NewEvent>();
        assert_send_sync::<StoredEvent>();
        assert_send_sync::<JournalError>();
        assert_send_sync::<MemoryStore>();
        #[cfg(feature = "sqlite")]
        assert_send_sync::<SqliteStore>();
        #[cfg(feature = "postgres")]
        assert_send_sync::<PostgresStore>();
    }

    #[test]
    fn journal_errors_stay_small() {
        // Below clippy's `result_large_err` threshold, so callers' closures
        // returning `Result<_, JournalError>` pass it too.
        assert!(std::mem::size_of::<JournalError>() < 128);
    }

    #[test]
    fn stream_types_are_validated_like_ids() {
        assert!(StreamType::new("dispute").is_ok());
        assert_eq!(
            StreamType::new(""),
            Err(IdError::Empty { kind: "StreamType" })
        );
        assert!(StreamType::new("a\nb").is_err());
        assert!(StreamType::new(&"x".repeat(MAX_ID_LEN + 1)).is_err());
    }

    #[test]
    fn stream_types_refuse_bidi_overrides_format_characters_and_blank_names() {
        for bad in [
            "dis\u{202E}pute",
            "\u{2066}dispute",
            "dispute\u{E0001}",
            "\u{3164}",
            "\u{2800}",
            "dispute\u{200B}",
            "   ",
            "\u{3000}",
        ] {
            assert!(StreamType::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            StreamType::new(" \t"),
            Err(IdError::ControlCharacter {
                kind: "StreamType",
                at: 1
            })
        );
        assert_eq!(
            StreamType::new("  "),
            Err(IdError::Blank { kind: "StreamType" })
        );
    }

    #[test]
    fn a_stream_key_displays_as_tenant_type_and_id() {
        let key = StreamKey::new(
            "longgang".parse().unwrap(),
            "dispute".parse().unwrap(),
            "D-1".parse().unwrap(),
        );
        assert_eq!(key.to_string(), "longgang/dispute/D-1");
    }

    #[test]
    fn times_are_kept_to_the_microsecond() {
        let at = DateTime::from_timestamp(1_772_000_000, 123_456_789).unwrap();
        let kept = truncate_to_micros(at);
        assert_eq!(kept.timestamp_subsec_nanos(), 123_456_000);
        assert_eq!(from_micros(to_micros(kept)), Some(kept));
        let before_epoch = DateTime::from_timestamp(-5, 999_999_999).unwrap();
        assert!(truncate_to_micros(before_epoch) <= before_epoch);
    }
}
