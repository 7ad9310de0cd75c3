//! Snapshots: a case's state at a version, with the hash of its event at
//! that version, so that a [`Journal`](super::Journal) loads a long case
//! from there instead of from its first event.
//!
//! A snapshot is a cache kept in the store, never a source of truth. Before
//! a journal resumes a case from one it checks that
//!
//! - the snapshot is of the stream asked for and its digest matches its
//!   contents (a state edited behind the journal's back is refused);
//! - its state is at the workflow's [`EventSchema::snapshot_version`];
//! - the stream's anchor is not behind it (a snapshot beyond the log);
//! - the stored event at its version hashes to its head, and the events
//!   after it continue the chain from there and reach the anchor;
//! - its state decodes, and the events after it replay onto it.
//!
//! A snapshot that fails any check is not used: the case is read and
//! verified in full, and the refusal is counted and kept
//! ([`SnapshotStats`]) and, with the `tracing` feature, logged.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::execute::decode_rows;
use super::hash::{EventHash, READ_DEPTH, canonical_json, canonical_payload, verify_continuation};
use super::{EventSchema, JournalError, StoredEvent, StreamHead, StreamKey};
use crate::workflow::{Case, Workflow};

/// One case's state at a version, as a store keeps it: the stream, the
/// version, the hash of the stream's event at that version (`head`), the
/// state's schema version and its serde JSON, and a digest over all of
/// them. A store keeps the latest snapshot of each stream.
///
/// Build one with [`Snapshot::new`], which computes the digest; a store
/// gives back what it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The stream the snapshot is of.
    pub stream: StreamKey,
    /// The version the state is at (at least 1).
    pub version: u64,
    /// The hash of the stream's event at `version`.
    pub head: EventHash,
    /// The schema version of the state's JSON
    /// ([`EventSchema::snapshot_version`]).
    pub state_version: u32,
    /// The state's serde JSON.
    pub state: Value,
    /// SHA-256 over the other fields, the state in canonical JSON.
    pub digest: EventHash,
}

impl Snapshot {
    /// A snapshot of `stream` at `version`, whose event there hashes to
    /// `head`, holding `state` at schema version `state_version`; the digest
    /// is computed.
    ///
    /// # Errors
    ///
    /// [`JournalError::PayloadRefused`] when the state's JSON is one a store
    /// could not read back (the limits of an event's payload, see
    /// [`EventStore::append`](super::EventStore::append)).
    pub fn new(
        stream: StreamKey,
        version: u64,
        head: EventHash,
        state_version: u32,
        state: Value,
    ) -> Result<Self, JournalError> {
        let mut canonical = Vec::with_capacity(256);
        canonical_payload(&state, &mut canonical).map_err(|limit| {
            JournalError::PayloadRefused {
                stream: stream.clone(),
                version,
                limit,
            }
        })?;
        let digest = digest(&stream, version, head, state_version, &canonical);
        Ok(Self {
            stream,
            version,
            head,
            state_version,
            state,
            digest,
        })
    }

    /// Whether the digest matches the other fields: `false` for a snapshot
    /// changed behind the journal's back.
    pub fn is_intact(&self) -> bool {
        let mut canonical = Vec::with_capacity(256);
        canonical_json(&self.state, READ_DEPTH, &mut canonical).is_ok()
            && digest(
                &self.stream,
                self.version,
                self.head,
                self.state_version,
                &canonical,
            ) == self.digest
    }
}

fn digest(
    stream: &StreamKey,
    version: u64,
    head: EventHash,
    state_version: u32,
    canonical: &[u8],
) -> EventHash {
    fn put(hasher: &mut Sha256, bytes: &[u8]) {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    let mut hasher = Sha256::new();
    hasher.update(b"grassroots.journal.snapshot.v1\0");
    put(&mut hasher, stream.tenant.as_str().as_bytes());
    put(&mut hasher, stream.stream_type.as_str().as_bytes());
    put(&mut hasher, stream.id.as_str().as_bytes());
    hasher.update(version.to_be_bytes());
    hasher.update(head.as_bytes());
    hasher.update(state_version.to_be_bytes());
    put(&mut hasher, canonical);
    EventHash::from_bytes(hasher.finalize().into())
}

/// Why a journal did not resume a case from its stored snapshot (it read
/// the case in full instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotRefused {
    /// The store could not give the snapshot back (a backend error, a row
    /// no write could have left).
    #[error("stream {stream}: the snapshot could not be read")]
    Unreadable {
        /// The stream.
        stream: StreamKey,
    },
    /// The store gave back a snapshot of another stream.
    #[error("stream {stream}: the store gave back a snapshot of stream {found}")]
    OtherStream {
        /// The stream asked for.
        stream: StreamKey,
        /// The stream the snapshot names.
        found: Box<StreamKey>,
    },
    /// The digest does not match the snapshot's contents: it was changed
    /// behind the journal's back.
    #[error("stream {stream}: the snapshot at version {version} does not match its digest")]
    Altered {
        /// The stream.
        stream: StreamKey,
        /// The version the snapshot claims.
        version: u64,
    },
    /// The state was written at another schema version than the
    /// workflow's now.
    #[error(
        "stream {stream}: the snapshot's state is at schema version {found}, the workflow's is {current}"
    )]
    StateVersion {
        /// The stream.
        stream: StreamKey,
        /// The schema version stored.
        found: u32,
        /// [`EventSchema::snapshot_version`].
        current: u32,
    },
    /// The snapshot is at a version the stream has not reached.
    #[error("stream {stream}: the snapshot is at version {version}, the stream at {head}")]
    BeyondLog {
        /// The stream.
        stream: StreamKey,
        /// The snapshot's version.
        version: u64,
        /// The stream's version (its anchor's, or its last row's).
        head: u64,
    },
    /// The stored event at the snapshot's version is not the one it names.
    #[error("stream {stream}: the stored event at version {version} is not the snapshot's head")]
    HeadMismatch {
        /// The stream.
        stream: StreamKey,
        /// The snapshot's version.
        version: u64,
    },
    /// The events after the snapshot do not continue the chain from its
    /// head, or do not reach the anchor (the full read says how).
    #[error(
        "stream {stream}: the events after the snapshot at version {version} do not continue it"
    )]
    Discontinued {
        /// The stream.
        stream: StreamKey,
        /// The snapshot's version.
        version: u64,
    },
    /// The state does not decode as the workflow's state (its serde form
    /// changed without a new [`EventSchema::snapshot_version`]).
    #[error("stream {stream}: the snapshot's state does not decode: {message}")]
    Undecodable {
        /// The stream.
        stream: StreamKey,
        /// serde's message.
        message: String,
    },
    /// The events after the snapshot do not replay onto its state.
    #[error(
        "stream {stream}: the events after the snapshot at version {version} do not replay onto it"
    )]
    Unreplayable {
        /// The stream.
        stream: StreamKey,
        /// The snapshot's version.
        version: u64,
    },
}

impl SnapshotRefused {
    /// The stream whose snapshot was refused.
    pub fn stream(&self) -> &StreamKey {
        match self {
            SnapshotRefused::Unreadable { stream }
            | SnapshotRefused::OtherStream { stream, .. }
            | SnapshotRefused::Altered { stream, .. }
            | SnapshotRefused::StateVersion { stream, .. }
            | SnapshotRefused::BeyondLog { stream, .. }
            | SnapshotRefused::HeadMismatch { stream, .. }
            | SnapshotRefused::Discontinued { stream, .. }
            | SnapshotRefused::Undecodable { stream, .. }
            | SnapshotRefused::Unreplayable { stream, .. } => stream,
        }
    }
}

/// What a journal's snapshots did since it was made
/// ([`Journal::snapshot_stats`](super::Journal::snapshot_stats)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnapshotStats {
    /// Snapshots written after a command.
    pub taken: u64,
    /// Snapshots that could not be written (the command succeeded anyway).
    pub failed: u64,
    /// Cases resumed from a snapshot.
    pub used: u64,
    /// Snapshots found but not used (the case was read in full).
    pub refused: u64,
    /// Why the last refused snapshot was refused.
    pub last_refused: Option<SnapshotRefused>,
    /// What the last failed write said (its display form: the error itself
    /// went to the `tracing` log, with the feature).
    pub last_failure: Option<String>,
}

/// One workflow's snapshot policy: how often, and the state's serde form
/// (captured where the state's serde bounds are known).
#[derive(Clone, Copy)]
pub(super) struct Policy {
    /// A snapshot after a command that leaves the case this many events
    /// past its last snapshot.
    pub(super) every: u64,
    state_version: u32,
    encode: fn(&dyn Any) -> Result<Value, serde_json::Error>,
    decode: fn(&Value) -> Result<Box<dyn Any>, serde_json::Error>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("every", &self.every)
            .field("state_version", &self.state_version)
            .finish_non_exhaustive()
    }
}

fn encode_state<W: Workflow>(state: &dyn Any) -> Result<Value, serde_json::Error>
where
    W::State: Serialize,
{
    match state.downcast_ref::<W::State>() {
        Some(state) => serde_json::to_value(state),
        None => Err(serde::ser::Error::custom("not this workflow's state")),
    }
}

fn decode_state<W: Workflow>(value: &Value) -> Result<Box<dyn Any>, serde_json::Error>
where
    W::State: DeserializeOwned,
{
    W::State::deserialize(value).map(|state| Box::new(state) as Box<dyn Any>)
}

impl Policy {
    pub(super) fn of<W>(every: u64) -> Self
    where
        W: EventSchema,
        W::State: Serialize + DeserializeOwned,
    {
        Self {
            every,
            state_version: W::snapshot_version(),
            encode: encode_state::<W>,
            decode: decode_state::<W>,
        }
    }

    /// A snapshot of `case` of `stream`, whose last event hashes to `head`.
    pub(super) fn snapshot<W: Workflow>(
        &self,
        stream: &StreamKey,
        case: &Case<W>,
        head: EventHash,
    ) -> Result<Snapshot, JournalError> {
        let state = (self.encode)(case.state()).map_err(|source| JournalError::SnapshotEncode {
            stream: stream.clone(),
            source,
        })?;
        Snapshot::new(
            stream.clone(),
            case.version(),
            head,
            self.state_version,
            state,
        )
    }

    fn decode<W: Workflow>(&self, value: &Value) -> Result<W::State, String> {
        match (self.decode)(value) {
            Ok(state) => state
                .downcast::<W::State>()
                .map(|state| *state)
                .map_err(|_| "not this workflow's state".to_owned()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The workflows a journal snapshots, by type.
#[derive(Debug, Clone, Default)]
pub(super) struct Policies(HashMap<TypeId, Policy>);

impl Policies {
    pub(super) fn get<W: Workflow>(&self) -> Option<&Policy> {
        if self.0.is_empty() {
            return None;
        }
        self.0.get(&TypeId::of::<W>())
    }

    pub(super) fn set<W: Workflow>(&mut self, policy: Option<Policy>) {
        match policy {
            Some(policy) => self.0.insert(TypeId::of::<W>(), policy),
            None => self.0.remove(&TypeId::of::<W>()),
        };
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

/// A journal's snapshot policies and what they did.
#[derive(Debug, Default)]
pub(super) struct Snapshots {
    policies: Policies,
    stats: std::sync::Mutex<SnapshotStats>,
}

impl Snapshots {
    fn stats(&self) -> std::sync::MutexGuard<'_, SnapshotStats> {
        // Counters only: nothing a panic could leave half-done matters.
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn set<W: Workflow>(&mut self, policy: Option<Policy>) {
        self.policies.set::<W>(policy);
    }

    /// `W`'s policy, if its cases are snapshotted.
    pub(super) fn policy<W: Workflow>(&self) -> Option<&Policy> {
        self.policies.get::<W>()
    }

    pub(super) fn workflows(&self) -> usize {
        self.policies.len()
    }

    pub(super) fn report(&self) -> SnapshotStats {
        self.stats().clone()
    }

    pub(super) fn used(&self) {
        self.stats().used += 1;
    }

    pub(super) fn refused(&self, refused: SnapshotRefused) {
        super::trace::snapshot_refused(&refused);
        let mut stats = self.stats();
        stats.refused += 1;
        stats.last_refused = Some(refused);
    }

    /// The snapshot to put after a command that left `case` (whose last
    /// event hashes to `head`) `case.version() - last` events past its last
    /// snapshot, if its workflow is snapshotted and that is far enough; a
    /// snapshot that cannot be made is counted as failed.
    pub(super) fn due<W: Workflow>(
        &self,
        stream: &StreamKey,
        case: &Case<W>,
        head: EventHash,
        last: u64,
    ) -> Option<Snapshot> {
        let policy = self.policy::<W>()?;
        if case.version().saturating_sub(last) < policy.every {
            return None;
        }
        match policy.snapshot(stream, case, head) {
            Ok(snapshot) => Some(snapshot),
            Err(error) => {
                self.written(stream, Err(error));
                None
            }
        }
    }

    /// Counts a put's outcome: `true` when the snapshot was written.
    pub(super) fn written(&self, stream: &StreamKey, put: Result<(), JournalError>) -> bool {
        match put {
            Ok(()) => {
                self.stats().taken += 1;
                true
            }
            Err(error) => {
                super::trace::snapshot_failed(stream, &error);
                let mut stats = self.stats();
                stats.failed += 1;
                stats.last_failure = Some(error.to_string());
                false
            }
        }
    }
}

/// What can be checked of `snapshot` before reading any event: the
/// stream, the digest, the state's schema version and the anchor (read
/// first).
pub(super) fn check_before_read(
    policy: &Policy,
    stream: &StreamKey,
    snapshot: &Snapshot,
    anchor: Option<StreamHead>,
) -> Result<(), SnapshotRefused> {
    if snapshot.stream != *stream {
        return Err(SnapshotRefused::OtherStream {
            stream: stream.clone(),
            found: Box::new(snapshot.stream.clone()),
        });
    }
    if !snapshot.is_intact() {
        return Err(SnapshotRefused::Altered {
            stream: stream.clone(),
            version: snapshot.version,
        });
    }
    if snapshot.state_version != policy.state_version {
        return Err(SnapshotRefused::StateVersion {
            stream: stream.clone(),
            found: snapshot.state_version,
            current: policy.state_version,
        });
    }
    let head = anchor.map_or(0, |a| a.version);
    if snapshot.version == 0 || (anchor.is_some() && snapshot.version > head) {
        return Err(SnapshotRefused::BeyondLog {
            stream: stream.clone(),
            version: snapshot.version,
            head,
        });
    }
    Ok(())
}

/// The case of `stream` resumed from `snapshot` (checked by
/// [`check_before_read`]) and the hash of its last event, given `rows`,
/// the stream's events from the snapshot's version on, read after
/// `anchor`. `Ok(Err(_))`: the snapshot is not used; `Err(_)`: an event
/// after it does not decode (a full read would say the same).
pub(super) fn resume<W>(
    policy: &Policy,
    stream: &StreamKey,
    snapshot: &Snapshot,
    anchor: Option<StreamHead>,
    rows: &[StoredEvent],
) -> Result<Result<(Case<W>, EventHash), SnapshotRefused>, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    let version = snapshot.version;
    let Some((at_snapshot, after)) = rows.split_first() else {
        return Ok(Err(SnapshotRefused::BeyondLog {
            stream: stream.clone(),
            version,
            head: anchor.map_or(0, |a| a.version),
        }));
    };
    if at_snapshot.version != version || at_snapshot.hash != snapshot.head {
        return Ok(Err(SnapshotRefused::HeadMismatch {
            stream: stream.clone(),
            version,
        }));
    }
    let discontinued = || SnapshotRefused::Discontinued {
        stream: stream.clone(),
        version,
    };
    let Ok(head) = verify_continuation(stream, version, snapshot.head, after) else {
        return Ok(Err(discontinued()));
    };
    if let Some(a) = anchor {
        let at = a
            .version
            .checked_sub(version)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| rows.get(i));
        if at.is_none_or(|row| row.hash != a.hash) {
            return Ok(Err(discontinued()));
        }
    }
    let state = match policy.decode::<W>(&snapshot.state) {
        Ok(state) => state,
        Err(message) => {
            return Ok(Err(SnapshotRefused::Undecodable {
                stream: stream.clone(),
                message,
            }));
        }
    };
    let history = decode_rows::<W>(after)?;
    match Case::resume(
        stream.id.clone(),
        state,
        version,
        at_snapshot.occurred_at,
        history,
    ) {
        Ok(case) => Ok(Ok((case, head))),
        Err(_) => Ok(Err(SnapshotRefused::Unreplayable {
            stream: stream.clone(),
            version,
        })),
    }
}

/// The snapshot table on SQLite.
#[cfg(feature = "sqlite")]
pub(super) mod sqlite {
    use rusqlite::{Connection, OptionalExtension, params};

    use super::Snapshot;
    use crate::journal::{JournalError, StreamKey};

    /// The migration that creates the snapshot table.
    pub(in crate::journal) const MIGRATION: (u32, &str, &str) = (
        4,
        "snapshots",
        "CREATE TABLE journal_snapshots (
            tenant        TEXT    NOT NULL,
            stream_type   TEXT    NOT NULL,
            stream_id     TEXT    NOT NULL,
            version       INTEGER NOT NULL CHECK (version >= 1),
            head          BLOB    NOT NULL,
            state_version INTEGER NOT NULL,
            state         TEXT    NOT NULL,
            digest        BLOB    NOT NULL,
            PRIMARY KEY (tenant, stream_type, stream_id)
        ) STRICT;",
    );

    fn sql(e: rusqlite::Error) -> JournalError {
        JournalError::backend("sqlite", e)
    }

    /// Keeps `snapshot` as its stream's latest.
    pub(in crate::journal) fn put(
        conn: &Connection,
        snapshot: &Snapshot,
    ) -> Result<(), JournalError> {
        let s = &snapshot.stream;
        let version = i64::try_from(snapshot.version).map_err(|_| JournalError::Corrupt {
            position: 0,
            column: "journal_snapshots.version",
        })?;
        conn.prepare_cached(
            "INSERT INTO journal_snapshots
                 (tenant, stream_type, stream_id, version, head, state_version, state, digest)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (tenant, stream_type, stream_id) DO UPDATE SET
                 version = excluded.version, head = excluded.head,
                 state_version = excluded.state_version, state = excluded.state,
                 digest = excluded.digest",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                s.tenant.as_str(),
                s.stream_type.as_str(),
                s.id.as_str(),
                version,
                snapshot.head.as_bytes().as_slice(),
                snapshot.state_version,
                snapshot.state.to_string(),
                snapshot.digest.as_bytes().as_slice(),
            ])
        })
        .map(drop)
        .map_err(sql)
    }

    /// The latest snapshot of `stream`.
    pub(in crate::journal) fn get(
        conn: &Connection,
        stream: &StreamKey,
    ) -> Result<Option<Snapshot>, JournalError> {
        type Row = (i64, Vec<u8>, i64, String, Vec<u8>);
        let found: Option<Row> = conn
            .prepare_cached(
                "SELECT version, head, state_version, state, digest FROM journal_snapshots
                 WHERE tenant = ?1 AND stream_type = ?2 AND stream_id = ?3",
            )
            .map_err(sql)?
            .query_row(
                params![
                    stream.tenant.as_str(),
                    stream.stream_type.as_str(),
                    stream.id.as_str()
                ],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )
            .optional()
            .map_err(sql)?;
        let Some((version, head, state_version, state, digest)) = found else {
            return Ok(None);
        };
        super::from_columns(stream, version, &head, state_version, &state, &digest).map(Some)
    }
}

/// The snapshot table on PostgreSQL (shared by the sync and async stores).
#[cfg(feature = "postgres")]
pub(super) mod postgres {
    use super::Snapshot;
    use crate::journal::{JournalError, StreamKey};

    /// The migration that creates the snapshot table.
    pub(in crate::journal) const MIGRATION: (i32, &str, &str) = (
        4,
        "snapshots",
        r"
        CREATE TABLE journal_snapshots (
            tenant        text   NOT NULL,
            stream_type   text   NOT NULL,
            stream_id     text   NOT NULL,
            version       bigint NOT NULL CHECK (version >= 1),
            head          bytea  NOT NULL,
            state_version bigint NOT NULL,
            state         text   NOT NULL,
            digest        bytea  NOT NULL,
            PRIMARY KEY (tenant, stream_type, stream_id)
        );
        ",
    );

    /// Keeps a snapshot as its stream's latest: `$1..$8` are
    /// [`put_params`]'s.
    pub(in crate::journal) const SQL_PUT: &str = "INSERT INTO journal_snapshots
             (tenant, stream_type, stream_id, version, head, state_version, state, digest)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant, stream_type, stream_id) DO UPDATE SET
             version = excluded.version, head = excluded.head,
             state_version = excluded.state_version, state = excluded.state,
             digest = excluded.digest";

    /// The latest snapshot of the stream `$1, $2, $3`.
    pub(in crate::journal) const SQL_GET: &str =
        "SELECT version, head, state_version, state, digest FROM journal_snapshots
         WHERE tenant = $1 AND stream_type = $2 AND stream_id = $3";

    /// The columns [`SQL_PUT`] binds, in order.
    pub(in crate::journal) struct PutParams {
        pub(in crate::journal) version: i64,
        pub(in crate::journal) state_version: i64,
        pub(in crate::journal) state: String,
    }

    pub(in crate::journal) fn put_params(snapshot: &Snapshot) -> Result<PutParams, JournalError> {
        Ok(PutParams {
            version: i64::try_from(snapshot.version).map_err(|_| JournalError::Corrupt {
                position: 0,
                column: "journal_snapshots.version",
            })?,
            state_version: i64::from(snapshot.state_version),
            state: snapshot.state.to_string(),
        })
    }

    /// A snapshot of `stream` from [`SQL_GET`]'s row.
    pub(in crate::journal) fn from_row(
        stream: &StreamKey,
        row: &tokio_postgres::Row,
    ) -> Result<Snapshot, JournalError> {
        let pg = |e| JournalError::backend("postgres", e);
        let version: i64 = row.try_get(0).map_err(pg)?;
        let head: &[u8] = row.try_get(1).map_err(pg)?;
        let state_version: i64 = row.try_get(2).map_err(pg)?;
        let state: &str = row.try_get(3).map_err(pg)?;
        let digest: &[u8] = row.try_get(4).map_err(pg)?;
        super::from_columns(stream, version, head, state_version, state, digest)
    }

    /// Keeps `snapshot` as its stream's latest, on the sync client.
    pub(in crate::journal) fn put(
        client: &mut impl ::postgres::GenericClient,
        snapshot: &Snapshot,
    ) -> Result<(), JournalError> {
        let p = put_params(snapshot)?;
        let s = &snapshot.stream;
        client
            .execute(
                SQL_PUT,
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
            .map(drop)
            .map_err(|e| JournalError::backend("postgres", e))
    }

    /// The latest snapshot of `stream`, on the sync client.
    pub(in crate::journal) fn get(
        client: &mut impl ::postgres::GenericClient,
        stream: &StreamKey,
    ) -> Result<Option<Snapshot>, JournalError> {
        let row = client
            .query_opt(
                SQL_GET,
                &[
                    &stream.tenant.as_str(),
                    &stream.stream_type.as_str(),
                    &stream.id.as_str(),
                ],
            )
            .map_err(|e| JournalError::backend("postgres", e))?;
        row.map(|row| from_row(stream, &row)).transpose()
    }
}

/// A snapshot of `stream` from a row's columns.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn from_columns(
    stream: &StreamKey,
    version: i64,
    head: &[u8],
    state_version: i64,
    state: &str,
    digest: &[u8],
) -> Result<Snapshot, JournalError> {
    let corrupt = |column| JournalError::Corrupt {
        position: 0,
        column,
    };
    Ok(Snapshot {
        stream: stream.clone(),
        version: u64::try_from(version).map_err(|_| corrupt("journal_snapshots.version"))?,
        head: EventHash::from_slice(head).ok_or_else(|| corrupt("journal_snapshots.head"))?,
        state_version: u32::try_from(state_version)
            .map_err(|_| corrupt("journal_snapshots.state_version"))?,
        state: serde_json::from_str(state).map_err(|_| corrupt("journal_snapshots.state"))?,
        digest: EventHash::from_slice(digest).ok_or_else(|| corrupt("journal_snapshots.digest"))?,
    })
}
