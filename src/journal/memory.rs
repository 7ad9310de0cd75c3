//! [`MemoryStore`]: the journal in memory, always available.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::hash::{EventHash, HashFields};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use smallvec::SmallVec;

use super::{
    AppendOutcome, Appended, Clock, EventStore, FeedPage, JournalError, NewEvent,
    OwnedStreamAppend, Snapshot, StoredEvent, StoredText, StreamHead, StreamKey, SystemClock,
    check_anchor, first_duplicate, retry_outcome, stage_payload, to_micros, truncate_to_micros,
};
use super::{DueEntry, DueQuery, DueUpdate, StreamType};
use crate::id::{ActorId, CaseId, CorrelationId, EventId, TenantId};

/// The memory store's maps: keys are hashed on every append and load, with
/// foldhash (randomly seeded per process) rather than SipHash.
pub(super) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// An event store in memory: for tests, examples and short-lived programs.
///
/// It keeps the same schema and follows the same rules as the durable
/// backends (it passes the same conformance suite); its contents go when it
/// is dropped. Share it between threads behind an [`Arc`].
///
/// Like them, it keeps each payload as the canonical JSON text it hashed,
/// and parses it again when the event is read: a payload reads back as
/// SQLite and PostgreSQL give it back (`-0.0` as `0.0`), and a stored event
/// takes about 200 bytes beside its text rather than a tree of JSON values
/// (see DESIGN.md, "The memory store keeps text").
///
/// ```
/// use grassroots::journal::{EventStore, JournalError, MemoryStore, NewEvent, StreamKey};
///
/// let store = MemoryStore::new();
/// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
/// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
/// let opened = NewEvent::new("e-1".parse()?, "Opened", serde_json::json!("Opened"), "gw-7".parse()?, at);
///
/// store.append(&stream, 0, &[opened.clone()])?;
/// // A writer that still thinks the stream is new is refused.
/// let held = NewEvent::new("e-2".parse()?, "Held", serde_json::json!("Held"), "gw-7".parse()?, at);
/// let err = store.append(&stream, 0, &[held]).unwrap_err();
/// assert!(matches!(err, JournalError::VersionConflict { expected: 0, actual: 1, .. }));
/// assert_eq!(store.stream_version(&stream)?, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MemoryStore {
    inner: RwLock<Inner>,
    clock: Arc<dyn Clock>,
}

#[derive(Default)]
struct Inner {
    /// Where every event lies, in position order: the event at index `i`
    /// has position `i + 1`.
    log: Vec<Place>,
    /// Every stream, each holding its own events in version order (so a
    /// stream's events lie side by side and are lent as one slice) and its
    /// anchored head, kept apart from the events and moved by every append
    /// (see the module docs, "Anchors").
    streams: Vec<Stream>,
    /// Each stream's index in `streams`. One map, so an append looks its
    /// stream up once.
    slots: HashMap<StreamKey, usize>,
    /// Each tenant's events and event ids.
    tenants: HashMap<TenantId, Tenant>,
    /// The due index.
    due: super::due::MemoryDue,
    /// Each stream's latest snapshot.
    snapshots: HashMap<StreamKey, Snapshot>,
    /// The buffer an append writes each payload's canonical JSON into, kept
    /// between appends (they hold the write lock).
    scratch: Vec<u8>,
}

/// One tenant's part of the store.
#[derive(Default)]
struct Tenant {
    /// Its events, as indexes into `log`, in position order.
    log: Vec<usize>,
    /// Where each of its event ids is recorded, as an index into `log`:
    /// looked up by the id alone, with no key to build.
    ids: HashMap<EventId, usize>,
}

/// Where one event lies: its stream's index in `streams` and its own index
/// among the stream's events.
#[derive(Debug, Clone, Copy)]
struct Place {
    stream: usize,
    index: usize,
}

impl MemoryStore {
    /// An empty store stamping `recorded_at` from the [`SystemClock`].
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty store stamping `recorded_at` from `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: RwLock::new(Inner::default()),
            clock,
        }
    }

    /// The number of events stored, across all tenants.
    pub fn len(&self) -> usize {
        self.read().log.len()
    }

    /// Whether the store holds no event.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // A panic while holding the lock cannot leave `Inner` half-written:
        // appends stage everything before touching it.
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.read();
        f.debug_struct("MemoryStore")
            .field("events", &inner.log.len())
            .field("streams", &inner.streams.len())
            .field("tenants", &inner.tenants.len())
            .field("clock", &self.clock)
            .finish()
    }
}

/// One stream of the store.
struct Stream {
    /// Its key.
    key: StreamKey,
    /// Its events, in version order: the event at index `i` has version
    /// `i + 1`.
    events: Vec<Row>,
    /// Its anchored head: `None` until its first event.
    head: Option<StreamHead>,
    /// Its entry in the due index, in micros (`None` when it has none):
    /// kept here so an append finds it with the stream, not with a lookup
    /// of its own. A stream that has a due entry but no event yet has a
    /// place in `streams` too.
    due: Option<i64>,
}

/// One stored event, as the store keeps it: its stream's key is the
/// stream's, its version its place in the stream, and its payload the
/// canonical JSON text the store hashed (what the durable stores keep),
/// parsed again when the event is read.
struct Row {
    position: u64,
    event_id: EventId,
    event_type: Box<str>,
    schema_version: u32,
    payload: Box<str>,
    actor: ActorId,
    correlation: Option<CorrelationId>,
    occurred_at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
    hash: EventHash,
}

impl Stream {
    fn new(key: StreamKey) -> Self {
        Self {
            key,
            events: Vec::new(),
            head: None,
            due: None,
        }
    }

    /// The event at `index` as a [`StoredEvent`], its payload parsed.
    ///
    /// # Errors
    ///
    /// [`JournalError::Corrupt`] if the payload is not JSON: never for text
    /// the store wrote itself, which it checked when it wrote it.
    fn stored(&self, index: usize) -> Result<StoredEvent, JournalError> {
        let row = &self.events[index];
        let payload: Value =
            serde_json::from_str(&row.payload).map_err(|_| JournalError::Corrupt {
                position: row.position,
                column: "payload",
            })?;
        Ok(StoredEvent {
            position: row.position,
            stream: self.key.clone(),
            version: index as u64 + 1,
            event_id: row.event_id.clone(),
            event_type: row.event_type.as_ref().to_owned(),
            schema_version: row.schema_version,
            payload,
            actor: row.actor.clone(),
            correlation: row.correlation.clone(),
            occurred_at: row.occurred_at,
            recorded_at: row.recorded_at,
            hash: row.hash,
        })
    }

    /// The events with a version greater than `after`, read.
    fn stored_after(&self, after: u64) -> Result<Vec<StoredEvent>, JournalError> {
        let from = usize::try_from(after)
            .unwrap_or(usize::MAX)
            .min(self.events.len());
        let mut rows = Vec::with_capacity(self.events.len() - from);
        for i in from..self.events.len() {
            rows.push(self.stored(i)?);
        }
        Ok(rows)
    }
}

impl Inner {
    /// The stream `key`, if it holds an event.
    fn stream(&self, key: &StreamKey) -> Option<&Stream> {
        self.slots.get(key).map(|&slot| &self.streams[slot])
    }

    /// The events of `key` with a version greater than `after` (none for an
    /// unknown stream), read.
    fn stream_events(&self, key: &StreamKey, after: u64) -> Result<Vec<StoredEvent>, JournalError> {
        self.stream(key)
            .map_or(Ok(Vec::new()), |s| s.stored_after(after))
    }

    /// The event at index `i` of the log (position `i + 1`), read.
    fn event(&self, i: usize) -> Result<StoredEvent, JournalError> {
        let place = self.log[i];
        self.streams[place.stream].stored(place.index)
    }
}

impl MemoryStore {
    /// [`EventStore::append_with_due`] inside its span.
    ///
    /// `events` are kept as they are when they are owned, copied when
    /// borrowed.
    fn append_one(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: Cow<'_, [NewEvent]>,
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        let count = events.len();
        let mut inner = self.write();
        let inner = &mut *inner;
        let ids = inner.tenants.get(&stream.tenant).map(|t| &t.ids);
        let taken = |id: &EventId| ids.and_then(|ids| ids.get(id)).copied();
        if let Some(first) = events.first() {
            if let Some(at) = taken(&first.event_id) {
                let place = inner.log[at];
                let found = &inner.streams[place.stream];
                let recorded = found.stored_after(expected_version)?;
                let to = events.len().min(recorded.len());
                return retry_outcome(
                    stream,
                    expected_version,
                    &events,
                    &found.key,
                    place.index as u64 + 1,
                    &recorded[..to],
                );
            }
        }
        let slot = inner.slots.get(stream).copied();
        let (actual, head, anchor) = slot.map_or((0, EventHash::GENESIS, None), |slot| {
            let s = &inner.streams[slot];
            let head = s.events.last().map_or(EventHash::GENESIS, |e| e.hash);
            (s.events.len() as u64, head, s.head)
        });
        check_anchor(stream, actual, head, anchor)?;
        if actual != expected_version {
            return Err(JournalError::VersionConflict {
                stream: stream.clone(),
                expected: expected_version,
                actual,
            });
        }
        // The first id was looked up above: a batch of one has no other.
        if count > 1 {
            if let Some(event_id) = first_duplicate(&events, |id| Ok(taken(id).is_some()))? {
                return Err(JournalError::DuplicateEventId {
                    stream: stream.clone(),
                    event_id: event_id.clone(),
                });
            }
        }
        let mut prev = head;
        let recorded_at = truncate_to_micros(self.clock.now());
        let first_position = inner.log.len() as u64 + 1;
        let mut buf = std::mem::take(&mut inner.scratch);
        let mut hashes: SmallVec<[Staged; 2]> = SmallVec::new();
        for (i, event) in events.iter().enumerate() {
            let version = expected_version + 1 + i as u64;
            buf.clear();
            if let Err(e) = stage_payload(stream, version, event, &mut buf) {
                inner.scratch = buf;
                return Err(e);
            }
            // The canonical form is JSON text written from `str` pieces:
            // UTF-8 (as the SQLite store reads it).
            let text = Box::<str>::from(std::str::from_utf8(&buf).unwrap_or_default());
            let occurred_at = truncate_to_micros(event.occurred_at);
            let hash = HashFields::of_new(stream, version, event, &buf, to_micros(occurred_at))
                .link(&prev);
            prev = hash;
            hashes.push((occurred_at, hash, text));
        }
        inner.scratch = buf;
        // Nothing above touched the store; from here on nothing can fail.
        let unchanged = Appended {
            version: expected_version,
            positions: first_position..first_position,
            outcome: AppendOutcome::Recorded,
        };
        let slot = match slot {
            Some(slot) => slot,
            // Nothing to keep for a new stream: no event, no entry.
            None if count == 0 && !matches!(due, DueUpdate::At(_)) => return Ok(unchanged),
            None => {
                inner.streams.push(Stream::new(stream.clone()));
                let slot = inner.streams.len() - 1;
                inner.slots.insert(stream.clone(), slot);
                slot
            }
        };
        let entry = &mut inner.streams[slot];
        entry.due = inner.due.apply(stream, entry.due, due);
        if count == 0 {
            return Ok(unchanged);
        }
        let tenant = match inner.tenants.get_mut(&stream.tenant) {
            Some(tenant) => tenant,
            None => inner.tenants.entry(stream.tenant.clone()).or_default(),
        };
        let mut store = |event: Parts, i: usize, (occurred_at, hash, payload)| {
            let index = inner.log.len();
            tenant.ids.insert(event.event_id.clone(), index);
            inner.log.push(Place {
                stream: slot,
                index: entry.events.len(),
            });
            tenant.log.push(index);
            entry.events.push(Row {
                position: first_position + i as u64,
                event_id: event.event_id,
                event_type: event.event_type,
                schema_version: event.schema_version,
                payload,
                actor: event.actor,
                correlation: event.correlation,
                occurred_at,
                recorded_at,
                hash,
            });
        };
        // The payload's value goes with the event: the store keeps its text.
        match events {
            Cow::Owned(events) => {
                for (i, (event, staged)) in events.into_iter().zip(hashes).enumerate() {
                    store(Parts::owned(event), i, staged);
                }
            }
            Cow::Borrowed(events) => {
                for (i, (event, staged)) in events.iter().zip(hashes).enumerate() {
                    store(Parts::borrowed(event), i, staged);
                }
            }
        }
        entry.head = Some(StreamHead {
            version: expected_version + count as u64,
            hash: prev,
        });
        Ok(Appended {
            version: expected_version + count as u64,
            positions: first_position..first_position + count as u64,
            outcome: AppendOutcome::Recorded,
        })
    }
}

impl EventStore for MemoryStore {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        super::trace::append("memory", stream, events.len()).appended(self.append_one(
            stream,
            expected_version,
            Cow::Borrowed(events),
            due,
        ))
    }

    fn append_streams_owned(
        &self,
        batch: Vec<OwnedStreamAppend<'_>>,
    ) -> Result<Vec<Result<Appended, JournalError>>, JournalError> {
        // Each part as `append_with_due` would write it, its events kept
        // rather than copied.
        Ok(batch
            .into_iter()
            .map(|part| {
                super::trace::append("memory", part.stream, part.events.len()).appended(
                    self.append_one(
                        part.stream,
                        part.expected_version,
                        Cow::Owned(part.events),
                        part.due,
                    ),
                )
            })
            .collect())
    }

    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        self.read().stream_events(stream, after)
    }

    fn read_anchored_stream_with(
        &self,
        stream: &StreamKey,
        visit: &mut dyn FnMut(Option<StreamHead>, &[StoredEvent]),
    ) -> Result<(), JournalError> {
        // The anchor and the rows under one read lock, from one lookup of
        // the stream: an append moves both under the write lock.
        let (head, rows) = {
            let inner = self.read();
            match inner.stream(stream) {
                Some(s) => (s.head, s.stored_after(0)?),
                None => (None, Vec::new()),
            }
        };
        visit(head, &rows);
        Ok(())
    }

    fn read_anchored_stream_text_with(
        &self,
        stream: &StreamKey,
        visit: &mut dyn FnMut(Option<StreamHead>, &[StoredText<'_>]),
    ) -> Result<bool, JournalError> {
        // Lent under the read lock, as kept: nothing parsed, nothing copied
        // but the list of borrowed rows.
        let inner = self.read();
        match inner.stream(stream) {
            Some(s) => {
                let rows: Vec<StoredText<'_>> = s
                    .events
                    .iter()
                    .enumerate()
                    .map(|(i, row)| StoredText {
                        position: row.position,
                        version: i as u64 + 1,
                        event_id: &row.event_id,
                        event_type: &row.event_type,
                        schema_version: row.schema_version,
                        payload: &row.payload,
                        actor: &row.actor,
                        correlation: row.correlation.as_ref(),
                        occurred_at: row.occurred_at,
                        recorded_at: row.recorded_at,
                        hash: row.hash,
                    })
                    .collect();
                visit(s.head, &rows);
            }
            None => visit(None, &[]),
        }
        Ok(true)
    }

    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage, JournalError> {
        let inner = self.read();
        let indexes = inner
            .tenants
            .get(tenant)
            .map_or(&[][..], |t| t.log.as_slice());
        // Positions are index + 1, so `after` is the first index to skip to.
        let start = indexes.partition_point(|&i| (i as u64) < after);
        let events: Vec<StoredEvent> = indexes[start..]
            .iter()
            .take(limit)
            .map(|&i| inner.event(i))
            .collect::<Result<_, _>>()?;
        // Rows in memory were checked at append: every one reads back.
        Ok(FeedPage {
            next_after: events.last().map_or(after, |e| e.position),
            events,
            skipped: Vec::new(),
        })
    }

    fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        Ok(self.read().stream(stream).and_then(|s| s.head))
    }

    fn snapshot(&self, stream: &StreamKey) -> Result<Option<Snapshot>, JournalError> {
        Ok(self.read().snapshots.get(stream).cloned())
    }

    fn put_snapshot(&self, snapshot: &Snapshot) -> Result<(), JournalError> {
        self.write()
            .snapshots
            .insert(snapshot.stream.clone(), snapshot.clone());
        Ok(())
    }

    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        Ok(self
            .read()
            .stream(stream)
            .map_or(0, |s| s.events.len() as u64))
    }

    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        let inner = self.read();
        let mut ids: Vec<CaseId> = inner
            .slots
            .iter()
            // A stream with a due entry but no event is not listed.
            .filter(|&(_, &slot)| !inner.streams[slot].events.is_empty())
            .map(|(k, _)| k)
            .filter(|k| &k.tenant == tenant && &k.stream_type == stream_type)
            .filter(|k| after.is_none_or(|after| &k.id > after))
            .map(|k| k.id.clone())
            .collect();
        ids.sort_unstable();
        ids.truncate(limit);
        Ok(ids)
    }

    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        self.read().due.page(query)
    }

    fn claim_due(&self, query: &DueQuery, lease: TimeDelta) -> Result<Vec<DueEntry>, JournalError> {
        let now = self.clock.now();
        self.write().due.claim(query, now, lease)
    }

    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        let mut inner = self.write();
        let inner = &mut *inner;
        for id in inner.due.take_group(tenant, stream_type) {
            let key = StreamKey::new(tenant.clone(), stream_type.clone(), id);
            if let Some(&slot) = inner.slots.get(&key) {
                inner.streams[slot].due = None;
            }
        }
        for entry in entries {
            let slot = match inner.slots.get(&entry.stream) {
                Some(&slot) => slot,
                None => {
                    inner.streams.push(Stream::new(entry.stream.clone()));
                    let slot = inner.streams.len() - 1;
                    inner.slots.insert(entry.stream.clone(), slot);
                    slot
                }
            };
            let s = &mut inner.streams[slot];
            s.due = inner
                .due
                .apply(&entry.stream, s.due, DueUpdate::At(entry.due));
        }
        Ok(())
    }
}

/// An event staged for an append: when it occurred, its hash and its
/// payload's canonical text.
type Staged = (DateTime<Utc>, EventHash, Box<str>);

/// What the store keeps of a [`NewEvent`] beside its payload's text:
/// moved out of an owned event, copied from a borrowed one (its payload's
/// value is not copied).
struct Parts {
    event_id: EventId,
    event_type: Box<str>,
    schema_version: u32,
    actor: ActorId,
    correlation: Option<CorrelationId>,
}

impl Parts {
    fn owned(event: NewEvent) -> Self {
        Self {
            event_id: event.event_id,
            event_type: event.event_type.into_boxed_str(),
            schema_version: event.schema_version,
            actor: event.actor,
            correlation: event.correlation,
        }
    }

    fn borrowed(event: &NewEvent) -> Self {
        Self {
            event_id: event.event_id.clone(),
            event_type: event.event_type.as_str().into(),
            schema_version: event.schema_version,
            actor: event.actor.clone(),
            correlation: event.correlation.clone(),
        }
    }
}
