//! [`JournalError`], [`Breakage`] and [`ExecuteError`]: everything that can go
//! wrong storing, reading, checking or executing against a journal.

use crate::workflow::KindName;
use std::error::Error as StdError;
use std::fmt;

use chrono::{DateTime, Utc};

use super::StreamKey;
use super::upcast::UpcastError;
use crate::id::{EventId, IdError};
use crate::workflow::{CaseError, ReplayError};

/// Why a journal operation failed.
///
/// Every variant names what it is about: the stream, the stream version, the
/// global position, the event type. A [`VersionConflict`](Self::VersionConflict)
/// is the one a caller is expected to retry (reload, decide again, append);
/// [`execute`](super::execute) does that for you.
///
/// Where the cause is another error (serde's reason a payload does not
/// decode, the replay step that broke, the backend's own error), the
/// message says what failed and the cause is its
/// [`source`](std::error::Error::source), not repeated in the message, as
/// the Rust API guidelines ask. Log the whole chain:
///
/// ```
/// use grassroots::Dispute;
/// use grassroots::id::{CaseId, TenantId};
/// use grassroots::journal::{self, EventStore, MemoryStore, NewEvent, StreamKey};
///
/// let store = MemoryStore::new();
/// let (tenant, id): (TenantId, CaseId) = ("longgang".parse()?, "D-1".parse()?);
/// let stream = StreamKey::of::<Dispute>(tenant.clone(), id.clone())?;
/// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
/// let bad = NewEvent::new("e-1".parse()?, "Applied", serde_json::json!({"type": "Nope"}), "gw-7".parse()?, at);
/// store.append(&stream, 0, &[bad])?;
///
/// let err = journal::load::<Dispute, _>(&store, &tenant, &id).unwrap_err();
/// let mut chain = err.to_string();
/// let mut cause = std::error::Error::source(&err);
/// while let Some(e) = cause {
///     chain = format!("{chain}: {e}");
///     cause = e.source();
/// }
/// assert!(chain.contains("does not decode: unknown variant `Nope`"), "{chain}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Another writer appended to the stream since the caller read it: the
    /// append expected `expected` events and found `actual`. Nothing was
    /// written. Reload the stream and retry.
    #[error("stream {stream} is at version {actual}, the append expected version {expected}")]
    VersionConflict {
        /// The stream appended to.
        stream: StreamKey,
        /// The version the writer expected (its number of events).
        expected: u64,
        /// The version the stream is at.
        actual: u64,
    },
    /// An event id of the batch is already recorded in the tenant (or repeats
    /// within the batch) and the batch is not an exact retry of the append
    /// that recorded it. Nothing was written.
    #[error("event id {event_id} is already recorded: append to stream {stream} refused")]
    DuplicateEventId {
        /// The stream appended to.
        stream: StreamKey,
        /// The event id that is already taken.
        event_id: EventId,
    },
    /// An event could not be turned into JSON.
    #[error("stream {stream}: event type {event_type} does not encode as JSON")]
    Encode {
        /// The stream the event was meant for.
        stream: StreamKey,
        /// The event's type.
        event_type: KindName,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
    /// A stored payload does not decode: it is not JSON, or not the shape of
    /// the workflow's event (after upcasting).
    #[error(
        "stream {stream} version {version}: payload of event type {event_type} (schema version {schema_version}) does not decode"
    )]
    Decode {
        /// The stream read.
        stream: StreamKey,
        /// The event's version in the stream.
        version: u64,
        /// The stored event type.
        event_type: Box<str>,
        /// The stored schema version.
        schema_version: u32,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
    /// A stored payload decoded, but as another event type than the one
    /// stored beside it.
    #[error(
        "stream {stream} version {version}: stored as event type {stored} but decodes as {decoded}"
    )]
    EventTypeMismatch {
        /// The stream read.
        stream: StreamKey,
        /// The event's version in the stream.
        version: u64,
        /// The stored event type.
        stored: Box<str>,
        /// The type of the decoded event.
        decoded: KindName,
    },
    /// A row of another workflow's stream was given to a workflow's decoder.
    #[error("stream {stream} is not a stream of workflow {expected}")]
    StreamTypeMismatch {
        /// The row's stream.
        stream: StreamKey,
        /// The workflow's [`NAME`](crate::workflow::Workflow::NAME).
        expected: &'static str,
    },
    /// An older schema version of an event could not be brought up to date.
    #[error("stream {stream} version {version}: {source}")]
    Upcast {
        /// The stream read.
        stream: StreamKey,
        /// The event's version in the stream.
        version: u64,
        /// Which upcast failed and why.
        #[source]
        source: Box<UpcastError>,
    },
    /// The stream's decoded history does not replay (see
    /// [`Case::replay`](crate::workflow::Case::replay)).
    #[error("stream {stream} does not replay")]
    Replay {
        /// The stream read.
        stream: StreamKey,
        /// Why the kernel refused the history.
        #[source]
        source: Box<ReplayError>,
    },
    /// The stream's hash chain is broken: an event was changed, removed,
    /// reordered or inserted after it was recorded.
    #[error("stream {stream} is broken at version {version}: {breakage}")]
    Tampered {
        /// The stream checked.
        stream: StreamKey,
        /// The first version that does not check out.
        version: u64,
        /// The global position of the row found at that version, if a row is
        /// there (a removed event leaves none).
        position: Option<u64>,
        /// What kind of change was found.
        breakage: Breakage,
    },
    /// A stored row holds a value no append could have written (an invalid
    /// identifier, an out-of-range time, a hash of the wrong length).
    #[error("the row at position {position} holds an invalid {column}")]
    Corrupt {
        /// The row's global position.
        position: u64,
        /// The column holding the invalid value.
        column: &'static str,
    },
    /// An event's payload was refused at append (or [`encode`](super::encode)):
    /// the store could not read it back, or could not on every backend.
    /// Nothing was written.
    #[error("stream {stream} version {version}: payload refused, {limit}")]
    PayloadRefused {
        /// The stream appended to.
        stream: StreamKey,
        /// The version the event would have had.
        version: u64,
        /// The limit it broke.
        limit: PayloadLimit,
    },
    /// An event's time lies outside the instants the crate accepts
    /// ([`EARLIEST`](crate::workflow::EARLIEST) ..=
    /// [`LATEST`](crate::workflow::LATEST)). Nothing was written.
    #[error("stream {stream} version {version}: time {at} is outside the accepted range")]
    TimeOutOfRange {
        /// The stream appended to.
        stream: StreamKey,
        /// The version the event would have had.
        version: u64,
        /// The refused time.
        at: DateTime<Utc>,
    },
    /// The stream holds fewer events than its anchor recorded: its last
    /// rows were cut off behind the store's back (see the module docs,
    /// "Anchors"). An append to it is refused.
    #[error(
        "stream {stream} was truncated: its anchor records version {anchored}, it holds {found}"
    )]
    Truncated {
        /// The stream checked.
        stream: StreamKey,
        /// The version its anchor records.
        anchored: u64,
        /// The version its rows reach.
        found: u64,
    },
    /// The stream's rows do not end where its anchor says: the event at the
    /// anchored version has another hash, or rows were added after it
    /// without the anchor being moved. An append to it is refused.
    #[error(
        "stream {stream} does not match its anchor at version {anchored} (its rows reach {found})"
    )]
    AnchorMismatch {
        /// The stream checked.
        stream: StreamKey,
        /// The version its anchor records.
        anchored: u64,
        /// The version its rows reach.
        found: u64,
    },
    /// A name given to the journal is not a valid identifier (for example a
    /// workflow `NAME` used as a stream type).
    #[error("invalid name for the journal")]
    InvalidName(#[from] IdError),
    /// The database was migrated by a newer version of this library.
    #[error(
        "the journal schema is at migration {found}, this library knows migrations up to {supported}"
    )]
    SchemaTooNew {
        /// The newest migration recorded in the database.
        found: u32,
        /// The newest migration this library knows.
        supported: u32,
    },
    /// A case's state does not encode as JSON for a snapshot.
    #[error("stream {stream}: the state does not encode as JSON for a snapshot")]
    SnapshotEncode {
        /// The stream.
        stream: StreamKey,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// The store keeps no snapshots (the default of
    /// [`EventStore::put_snapshot`](super::EventStore::put_snapshot)).
    #[error("this store keeps no snapshots")]
    SnapshotsUnsupported,
    /// The storage backend failed (I/O, connection, SQL).
    #[error("{backend} backend error")]
    Backend {
        /// `"sqlite"` or `"postgres"`.
        backend: &'static str,
        /// The backend's own error.
        #[source]
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
    /// An async store's call did not run to its end on the blocking thread
    /// it was sent to (feature `tokio`): it panicked there, the runtime
    /// shut down first, or there was no tokio runtime to send it to. A
    /// transaction it had begun was rolled back; an append retried with the
    /// same events is recognised, so retrying is safe.
    #[error("{backend} store call did not run to its end on a blocking thread")]
    TaskFailed {
        /// `"sqlite"`.
        backend: &'static str,
        /// Why: tokio's join error, or the missing runtime.
        #[source]
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
}

impl JournalError {
    /// Whether this is a [`VersionConflict`](Self::VersionConflict): another
    /// writer got there first, and reloading and retrying may succeed.
    pub fn is_conflict(&self) -> bool {
        matches!(self, JournalError::VersionConflict { .. })
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn backend(
        backend: &'static str,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        JournalError::Backend {
            backend,
            source: Box::new(source),
        }
    }
}

/// Which limit an event's payload broke (see
/// [`JournalError::PayloadRefused`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadLimit {
    /// Arrays and objects nest deeper than
    /// [`MAX_PAYLOAD_DEPTH`](super::MAX_PAYLOAD_DEPTH).
    #[error("arrays and objects nest more than {max} deep")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// The payload's canonical JSON is longer than
    /// [`MAX_PAYLOAD_BYTES`](super::MAX_PAYLOAD_BYTES).
    #[error("its canonical JSON is {bytes} bytes, the limit is {max}")]
    TooLarge {
        /// The payload's length in canonical JSON.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A string or a key holds U+0000, which PostgreSQL's `jsonb` cannot
    /// store (refused on every backend, so a history moves between them).
    #[error("a string holds the character U+0000")]
    NulCharacter,
}

/// The kind of change [`verify_stream`](super::verify_stream) found in a
/// stream's hash chain.
///
/// The first broken version is exact; the kind is the best explanation of
/// what the chain shows there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Breakage {
    /// The event at this version is not the one that was recorded: its
    /// content (or its stored hash) was changed.
    Changed,
    /// The event recorded at this version is missing: the stream skips a
    /// version, or the later events were renumbered to close the gap.
    Removed,
    /// The event recorded at this version is still in the stream, but at
    /// another place: events were swapped, or their global positions no
    /// longer follow their versions.
    Reordered,
    /// An event that was never appended stands at this version; the recorded
    /// one follows it.
    Inserted,
}

impl fmt::Display for Breakage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Breakage::Changed => "the event was changed",
            Breakage::Removed => "an event was removed",
            Breakage::Reordered => "events were reordered",
            Breakage::Inserted => "an event was inserted",
        })
    }
}

/// Why [`execute`](super::execute) did not record a command.
///
/// In every case, nothing was written for the command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecuteError<R> {
    /// The case refused the command: the workflow's rejection, or a kernel
    /// refusal (terminal case, time running backwards). Not retried.
    #[error(transparent)]
    Refused(CaseError<R>),
    /// Other writers kept appending to the case: every attempt met a version
    /// conflict. Retrying later may succeed.
    #[error("stream {stream}: still conflicting after {attempts} attempts")]
    Contended {
        /// The case's stream.
        stream: StreamKey,
        /// How many times the command was decided and refused by the store.
        attempts: u32,
    },
    /// The journal failed (a backend error, an undecodable history, ...).
    #[error(transparent)]
    Journal(Box<JournalError>),
}

impl<R> From<JournalError> for ExecuteError<R> {
    fn from(e: JournalError) -> Self {
        ExecuteError::Journal(Box::new(e))
    }
}

impl<R> ExecuteError<R> {
    /// The workflow's rejection, if that is why the command was refused.
    pub fn rejection(&self) -> Option<&R> {
        match self {
            ExecuteError::Refused(e) => e.rejection(),
            _ => None,
        }
    }
}
