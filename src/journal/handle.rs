//! [`Journal`]: one tenant's cases in one store — handle a command, load a
//! case, list cases — with a bounded cache of recently used cases.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::execute::{decode_rows, load_stream, with_micros};
use super::hash::{EventHash, HashFields, canonical_payload, verify_continuation};
use super::snapshot::{Policy, SnapshotRefused, SnapshotStats, Snapshots};
use super::{
    Appended, EventSchema, EventStore, ExecuteError, Executed, JournalError, NewEvent, StreamKey,
    StreamType, Sweeper, encode, to_micros,
};
use crate::id::{CaseId, TenantId};
use crate::workflow::{Case, Context, Workflow};

/// A workflow whose cases a [`Journal`] can keep: its events serialize to
/// JSON and back ([`EventSchema`] for their schema versions), and its
/// states and events may move between threads (the journal is shared).
/// Implemented for every such workflow; name it in generic code:
/// `fn send<W: Journaled>(journal: &Journal<S>, ..)`.
pub trait Journaled:
    EventSchema<Event: Serialize + DeserializeOwned + Send + Sync, State: Send + Sync>
{
}

impl<W> Journaled for W
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned + Send + Sync,
    W::State: Send + Sync,
{
}

/// How many cases a [`Journal`] keeps by default (see
/// [`Journal::with_cache`]).
pub const DEFAULT_CACHE: usize = 1024;

/// How many times [`Journal::handle`] decides a command again after a
/// version conflict, by default.
pub const DEFAULT_RETRIES: u32 = 3;

/// One tenant's cases in one store: handle a command on a case, load a
/// case, list a workflow's cases.
///
/// [`handle`](Journal::handle) loads the case, runs the workflow's rules,
/// and appends the decided events with the version it loaded (optimistic
/// concurrency); when another writer got there first it loads again and
/// decides again, up to [`with_retries`](Journal::with_retries) more times.
///
/// The journal keeps the cases it recently loaded or changed, each with
/// the version and head hash it verified, so a command on a case it has
/// seen reads only the store's anchor for that stream (one row) and, when
/// other writers appended, only their new events — checked to continue the
/// hash chain from the head it verified, and decoded. A cached case is never
/// trusted blindly: when the store's anchor is behind it or names another
/// head, the entry is dropped and the case is read and verified in full.
/// The cache is bounded ([`with_cache`](Journal::with_cache)); a journal is
/// `Send` and `Sync`, so share one between threads.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// # use grassroots::actor::{Forbidden};
/// # use grassroots::workflow::{Decision, HasKind, Transition, Workflow};
/// # use serde::{Deserialize, Serialize};
/// # struct Complaint;
/// # #[derive(Debug, Clone, PartialEq, HasKind)]
/// # enum State { New, Open }
/// # #[derive(Debug, HasKind)]
/// # enum Command { Open }
/// # #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
/// # enum Event { Opened }
/// # impl Workflow for Complaint {
/// #     const NAME: &'static str = "complaint";
/// #     type State = State;
/// #     type Command = Command;
/// #     type Event = Event;
/// #     type Rejection = Forbidden;
/// #     fn initial() -> State { State::New }
/// #     fn decide(&self, _: &State, _: &Command, ctx: &Context<'_>) -> Result<Decision<Event>, Forbidden> {
/// #         ctx.actor().require("open", Role::GridWorker)?;
/// #         Ok(Event::Opened.into())
/// #     }
/// #     fn evolve(_: State, _: &Event) -> State { State::Open }
/// #     fn is_terminal(_: &State) -> bool { false }
/// #     fn transitions() -> &'static [Transition<StateKind, EventKind>] {
/// #         const TABLE: &[Transition<StateKind, EventKind>] =
/// #             &[Transition::new(StateKind::New, EventKind::Opened, StateKind::Open)];
/// #         TABLE
/// #     }
/// # }
/// # impl grassroots::journal::EventSchema for Complaint {}
/// use grassroots::actor::{Actor, Role};
/// use grassroots::journal::{Journal, MemoryStore};
/// use grassroots::workflow::Context;
///
/// let journal = Journal::new(MemoryStore::new(), "longgang".parse()?);
/// let grid_worker = Actor::new("gw-7".parse()?).with_role(Role::GridWorker);
/// let ctx = Context::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(), &grid_worker);
///
/// let done = journal.handle(&Complaint, &"C-1".parse()?, &Command::Open, &ctx)?;
/// assert_eq!(done.case.version(), 1);
/// assert_eq!(journal.load::<Complaint>(&"C-1".parse()?)?, done.case);
/// assert_eq!(journal.list::<Complaint>(None, 10)?, ["C-1".parse()?]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Journal<S> {
    store: S,
    tenant: TenantId,
    retries: u32,
    cache: Mutex<CaseCache>,
    snapshots: Snapshots,
}

impl<S: fmt::Debug> fmt::Debug for Journal<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cache = self.cache();
        f.debug_struct("Journal")
            .field("store", &self.store)
            .field("tenant", &self.tenant)
            .field("retries", &self.retries)
            .field("cached", &cache.len())
            .field("cache_capacity", &cache.capacity)
            .field("snapshotted_workflows", &self.snapshots.workflows())
            .finish_non_exhaustive()
    }
}

impl<S> Journal<S> {
    fn cache(&self) -> MutexGuard<'_, CaseCache> {
        // The cache holds no invariant a panic could break halfway: every
        // entry is checked against the store before use.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the journal's snapshots did since it was made: how many were
    /// taken, failed, used and refused, and why the last one was refused
    /// (see [`with_snapshots`](Self::with_snapshots)).
    pub fn snapshot_stats(&self) -> SnapshotStats {
        self.snapshots.report()
    }
}

impl<S: EventStore> Journal<S> {
    /// The journal of `tenant`'s cases in `store` — a store, a reference to
    /// one or an `Arc` of one — retrying a contended command
    /// [`DEFAULT_RETRIES`] times and keeping up to [`DEFAULT_CACHE`] cases.
    pub fn new(store: S, tenant: TenantId) -> Self {
        Self {
            store,
            tenant,
            retries: DEFAULT_RETRIES,
            cache: Mutex::new(CaseCache::new(DEFAULT_CACHE)),
            snapshots: Snapshots::default(),
        }
    }

    /// The same journal, deciding a command again up to `retries` times
    /// after a version conflict (0: never).
    #[must_use]
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The same journal, keeping up to `capacity` recently used cases (0:
    /// none — every command reads and verifies its case in full).
    #[must_use]
    pub fn with_cache(self, capacity: usize) -> Self {
        Self {
            cache: Mutex::new(CaseCache::new(capacity)),
            ..self
        }
    }

    /// The same journal, keeping snapshots of workflow `W`'s cases: after a
    /// command that leaves a case `every` or more events past its last
    /// snapshot (or its first event), the case's state, version and head
    /// hash are put in the store ([`EventStore::put_snapshot`]); `every =
    /// 0` turns `W`'s snapshots off.
    ///
    /// A case that is not in the cache then loads from its latest snapshot
    /// and the events after it, not from its first event. The snapshot is
    /// checked against the stored chain first (see [`Snapshot`](super::Snapshot)'s
    /// module docs: digest, state version, the stored event at its version,
    /// the chain after it, the anchor); one that fails a check is not
    /// used, the case is read and verified in full, and the refusal is
    /// counted in [`snapshot_stats`](Self::snapshot_stats) with its reason
    /// (and, with the `tracing` feature, logged as a warning).
    ///
    /// A snapshot is written after the command's append, outside its
    /// transaction and never inside `decide`: a snapshot that cannot be
    /// written does not fail the command (the events are stored; the
    /// next command tries again), it is counted as failed.
    ///
    /// A case resumed from a snapshot holds only the events after it
    /// ([`Case::base_version`]); its state and version are those of the
    /// full replay.
    ///
    /// ```
    /// use grassroots::dispute::Dispute;
    /// use grassroots::journal::{Journal, MemoryStore};
    ///
    /// // A dispute's state is put in the store every 100 events.
    /// let journal = Journal::new(MemoryStore::new(), "longgang".parse()?)
    ///     .with_snapshots::<Dispute>(100);
    /// assert_eq!(journal.snapshot_stats().taken, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_snapshots<W>(mut self, every: u64) -> Self
    where
        W: Journaled,
        W::State: Serialize + DeserializeOwned,
    {
        self.snapshots
            .set::<W>((every > 0).then(|| Policy::of::<W>(every)));
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// How many cases the cache holds now.
    pub fn cached(&self) -> usize {
        self.cache().len()
    }

    /// Handles `command` on case `id` of `workflow` and appends the events
    /// it decides, with the due index moved in the same transaction.
    ///
    /// The command's time is truncated to the microsecond first (the
    /// journal's resolution), so the returned case equals the stored one. A
    /// command that decides nothing appends nothing.
    ///
    /// # Errors
    ///
    /// - [`ExecuteError::Refused`] when the case refuses the command (the
    ///   workflow's rejection, a terminal case, time running backwards) —
    ///   never retried;
    /// - [`ExecuteError::Contended`] when every attempt met a version
    ///   conflict;
    /// - [`ExecuteError::Journal`] for everything [`load`](Journal::load)
    ///   and [`EventStore::append_with_due`] return besides a version
    ///   conflict.
    ///
    /// On every error nothing was written for this command.
    pub fn handle<W>(
        &self,
        workflow: &W,
        id: &CaseId,
        command: &W::Command,
        ctx: &Context<'_>,
    ) -> Result<Executed<W>, ExecuteError<W::Rejection>>
    where
        W: Journaled,
    {
        super::trace::command::<W>(&self.tenant, id, command, ctx)
            .handled(self.decide_and_append(workflow, id, command, ctx))
    }

    /// [`handle`](Self::handle) inside its span.
    fn decide_and_append<W>(
        &self,
        workflow: &W,
        id: &CaseId,
        command: &W::Command,
        ctx: &Context<'_>,
    ) -> Result<Executed<W>, ExecuteError<W::Rejection>>
    where
        W: Journaled,
    {
        let stream =
            StreamKey::of::<W>(self.tenant.clone(), id.clone()).map_err(JournalError::from)?;
        let ctx = with_micros(ctx);
        let mut attempts: u32 = 0;
        loop {
            attempts = attempts.saturating_add(1);
            let Loaded {
                mut case,
                head,
                snapshot,
            } = self.load_verified::<W>(&stream)?;
            let expected = case.version();
            let from = case.history().len();
            case.handle(workflow, command, &ctx)
                .map_err(ExecuteError::Refused)?;
            let events = case.history()[from..]
                .iter()
                .map(|recorded| encode::<W>(&stream, recorded))
                .collect::<Result<Vec<_>, _>>()?;
            if events.is_empty() {
                let appended = Appended {
                    version: expected,
                    positions: 0..0,
                    outcome: super::AppendOutcome::Recorded,
                };
                return Ok(Executed::new(case, appended, attempts, from));
            }
            let due = super::DueUpdate::of(case.next_due().map(super::truncate_to_micros));
            match self.store.append_with_due(&stream, expected, &events, due) {
                Ok(appended) => {
                    let head = head_after(&stream, expected, head, &events)?;
                    let snapshot = self.snapshot_after(&stream, &case, head, snapshot);
                    self.remember(&stream, &case, head, snapshot);
                    return Ok(Executed::new(case, appended, attempts, from));
                }
                Err(e) if e.is_conflict() => {
                    if attempts > self.retries {
                        return Err(ExecuteError::Contended { stream, attempts });
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Loads case `id` of workflow `W`: from the cache when the store's
    /// anchor still names the head it verified (reading and verifying only
    /// the events appended since); otherwise, when `W` is snapshotted
    /// ([`with_snapshots`](Self::with_snapshots)), from its latest snapshot
    /// that passes every check and the events after it; otherwise read and
    /// verified in full (see [`load`](super::load)). An unknown case loads
    /// as a new one, at version 0, ready for its first command; to tell an
    /// unknown id apart (a typo, a case of another tenant), use
    /// [`find`](Self::find).
    ///
    /// # Errors
    ///
    /// As for [`load`](super::load).
    pub fn load<W>(&self, id: &CaseId) -> Result<Case<W>, JournalError>
    where
        W: Journaled,
    {
        let stream = StreamKey::of::<W>(self.tenant.clone(), id.clone())?;
        Ok(self.load_verified::<W>(&stream)?.case)
    }

    /// Case `id` of workflow `W` as [`load`](Self::load) gives it, or `None`
    /// when nothing was ever recorded for it.
    ///
    /// ```
    /// use grassroots::dispute::Dispute;
    /// use grassroots::journal::{Journal, MemoryStore};
    ///
    /// let journal = Journal::new(MemoryStore::new(), "longgang".parse()?);
    /// assert!(journal.find::<Dispute>(&"D-typo".parse()?)?.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`load`](super::load).
    pub fn find<W>(&self, id: &CaseId) -> Result<Option<Case<W>>, JournalError>
    where
        W: Journaled,
    {
        let case = self.load::<W>(id)?;
        Ok((case.version() > 0).then_some(case))
    }

    /// One page of workflow `W`'s cases: at most `limit` ids after `after`
    /// (from the first with `None`), in id order. Pass the last id of a
    /// page as `after` for the next (see [`EventStore::list_streams`]).
    ///
    /// ```
    /// # use grassroots::journal::{Journal, MemoryStore};
    /// # let journal = Journal::new(MemoryStore::new(), "longgang".parse()?);
    /// use grassroots::dispute::Dispute;
    ///
    /// let mut after = None;
    /// loop {
    ///     let page = journal.list::<Dispute>(after.as_ref(), 100)?;
    ///     for id in &page {
    ///         println!("{id}");
    ///     }
    ///     match page.last() {
    ///         Some(last) => after = Some(last.clone()),
    ///         None => break,
    ///     }
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`JournalError::InvalidName`] when `W::NAME` is not a valid stream
    /// type; whatever [`EventStore::list_streams`] returns.
    pub fn list<W: Workflow>(
        &self,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        let stream_type = StreamType::of::<W>()?;
        self.store
            .list_streams(&self.tenant, &stream_type, after, limit)
    }

    /// A [`Sweeper`] of `workflow`'s cases in this journal's tenant and
    /// store, with the default options.
    pub fn sweeper<W>(&self, workflow: W) -> Sweeper<W, &S>
    where
        W: EventSchema,
        W::Event: Serialize + DeserializeOwned,
    {
        Sweeper::new(&self.store, self.tenant.clone(), workflow)
    }

    /// The case of `stream`, the hash of its last event and the version of
    /// its last snapshot known, verified: from the cache when the anchor
    /// agrees, otherwise from a snapshot that passes every check, otherwise
    /// in full.
    fn load_verified<W>(&self, stream: &StreamKey) -> Result<Loaded<W>, JournalError>
    where
        W: Journaled,
    {
        // The anchor first: rows only grow after it is read.
        let anchor = self.store.anchor(stream)?;
        let cached = self.cache().get(stream);
        if let Some(entry) = cached {
            if let Some(case) = entry.case.downcast_ref::<Case<W>>() {
                if let Some((case, head)) =
                    self.catch_up(stream, case, entry.version, entry.head, anchor)?
                {
                    if case.version() != entry.version {
                        self.remember(stream, &case, head, entry.snapshot);
                    }
                    return Ok(Loaded {
                        case,
                        head,
                        snapshot: entry.snapshot,
                    });
                }
            }
            self.cache().forget(stream);
        }
        if let Some(policy) = self.snapshots.policy::<W>() {
            if let Some(loaded) = self.resume_from_snapshot::<W>(policy, stream, anchor)? {
                self.remember(stream, &loaded.case, loaded.head, loaded.snapshot);
                return Ok(loaded);
            }
        }
        let (case, head) = load_stream::<W, S>(&self.store, stream, anchor)?;
        self.remember(stream, &case, head, 0);
        Ok(Loaded {
            case,
            head,
            snapshot: 0,
        })
    }

    /// The case of `stream` resumed from its latest snapshot, if it has
    /// one that passes every check; a refused one is reported.
    fn resume_from_snapshot<W>(
        &self,
        policy: &Policy,
        stream: &StreamKey,
        anchor: Option<super::StreamHead>,
    ) -> Result<Option<Loaded<W>>, JournalError>
    where
        W: Journaled,
    {
        let snapshot = match self.store.snapshot(stream) {
            Ok(Some(snapshot)) => snapshot,
            Ok(None) => return Ok(None),
            Err(_) => {
                self.snapshots.refused(SnapshotRefused::Unreadable {
                    stream: stream.clone(),
                });
                return Ok(None);
            }
        };
        if let Err(refused) = super::snapshot::check_before_read(policy, stream, &snapshot, anchor)
        {
            self.snapshots.refused(refused);
            return Ok(None);
        }
        let rows = self.store.read_stream(stream, snapshot.version - 1)?;
        match super::snapshot::resume::<W>(policy, stream, &snapshot, anchor, &rows)? {
            Ok((case, head)) => {
                self.snapshots.used();
                Ok(Some(Loaded {
                    case,
                    head,
                    snapshot: snapshot.version,
                }))
            }
            Err(refused) => {
                self.snapshots.refused(refused);
                Ok(None)
            }
        }
    }

    /// Puts a snapshot of `case` (whose last event hashes to `head`) in the
    /// store when its workflow is snapshotted and it is far enough past
    /// `last`, the version of its last snapshot; returns the version of its
    /// last snapshot now. A failure is counted, never returned: the
    /// command's events are stored already.
    fn snapshot_after<W>(
        &self,
        stream: &StreamKey,
        case: &Case<W>,
        head: EventHash,
        last: u64,
    ) -> u64
    where
        W: Journaled,
    {
        match self.snapshots.due(stream, case, head, last) {
            Some(snapshot)
                if self
                    .snapshots
                    .written(stream, self.store.put_snapshot(&snapshot)) =>
            {
                snapshot.version
            }
            _ => last,
        }
    }

    /// `case`, cached at `version` with head `head`, brought up to the
    /// store: `None` when the store does not continue what the cache saw
    /// (the caller then loads in full).
    fn catch_up<W>(
        &self,
        stream: &StreamKey,
        case: &Case<W>,
        version: u64,
        head: EventHash,
        anchor: Option<super::StreamHead>,
    ) -> Result<Option<(Case<W>, EventHash)>, JournalError>
    where
        W: EventSchema,
        W::Event: DeserializeOwned,
    {
        match cached_against(anchor, version, head) {
            Cached::Current => return Ok(Some((case.clone(), head))),
            Cached::Untrusted => return Ok(None),
            Cached::Behind => {}
        }
        let rows = self.store.read_stream(stream, version)?;
        continue_cached(stream, case, version, head, anchor, &rows)
    }

    fn remember<W>(&self, stream: &StreamKey, case: &Case<W>, head: EventHash, snapshot: u64)
    where
        W: Journaled,
    {
        remember(&mut self.cache(), stream, case, head, snapshot);
    }
}

/// A case as the journal loaded it: verified, with the hash of its last
/// event and the version of its last snapshot known (0: none).
pub(super) struct Loaded<W: Workflow> {
    pub(super) case: Case<W>,
    pub(super) head: EventHash,
    pub(super) snapshot: u64,
}

/// What the store's anchor says of a cached case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cached {
    /// The anchor names the cached head: the case is current.
    Current,
    /// The anchor is behind the cache, or names another event at its
    /// version: stale (a restored backup) or tampered. Never trusted.
    Untrusted,
    /// The store may hold events after the cached version: read them.
    Behind,
}

/// What `anchor`, read first, says of a case cached at `version` with head
/// `head`.
pub(super) fn cached_against(
    anchor: Option<super::StreamHead>,
    version: u64,
    head: EventHash,
) -> Cached {
    match anchor {
        Some(a) if a.version == version && a.hash == head => Cached::Current,
        Some(a) if a.version <= version => Cached::Untrusted,
        _ => Cached::Behind,
    }
}

/// `case`, cached at `version` with head `head`, continued by `rows` (the
/// stream's events after `version`, read after `anchor`): `None` when they
/// do not continue what the cache saw (the caller then loads in full).
pub(super) fn continue_cached<W>(
    stream: &StreamKey,
    case: &Case<W>,
    version: u64,
    head: EventHash,
    anchor: Option<super::StreamHead>,
    rows: &[super::StoredEvent],
) -> Result<Option<(Case<W>, EventHash)>, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    let Ok(new_head) = verify_continuation(stream, version, head, rows) else {
        return Ok(None);
    };
    if let Some(a) = anchor {
        // The row the anchor names; none when the anchor is not after the
        // cache (the caller sends only `Cached::Behind` here).
        let at = a
            .version
            .checked_sub(version.saturating_add(1))
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| rows.get(i));
        if at.is_none_or(|row| row.hash != a.hash) {
            return Ok(None);
        }
    }
    if rows.is_empty() {
        return Ok(Some((case.clone(), head)));
    }
    // The cached case was verified: only the new events are replayed.
    let more = decode_rows::<W>(rows)?;
    let case = case
        .clone()
        .continued(more)
        .map_err(|source| JournalError::Replay {
            stream: stream.clone(),
            source: Box::new(source),
        })?;
    Ok(Some((case, new_head)))
}

/// Keeps `case` at its version with head `head`, last snapshotted at
/// version `snapshot`, in `cache`.
pub(super) fn remember<W>(
    cache: &mut CaseCache,
    stream: &StreamKey,
    case: &Case<W>,
    head: EventHash,
    snapshot: u64,
) where
    W: Journaled,
{
    if cache.capacity == 0 {
        return;
    }
    cache.put(
        stream.clone(),
        Entry {
            version: case.version(),
            head,
            snapshot,
            case: Arc::new(case.clone()),
        },
    );
}

/// The hash the store gives the last of `events`, appended after version
/// `expected` whose event hashes to `prev`: computed as the store computes
/// it, so the cache need not read it back. Were it wrong, the next load
/// would find the anchor disagreeing and read the case in full.
pub(super) fn head_after(
    stream: &StreamKey,
    expected: u64,
    prev: EventHash,
    events: &[NewEvent],
) -> Result<EventHash, JournalError> {
    let mut buf = Vec::with_capacity(256);
    let mut head = prev;
    for (i, event) in events.iter().enumerate() {
        let version = expected + 1 + i as u64;
        buf.clear();
        canonical_payload(&event.payload, &mut buf).map_err(|limit| {
            JournalError::PayloadRefused {
                stream: stream.clone(),
                version,
                limit,
            }
        })?;
        let at = to_micros(event.occurred_at);
        head = HashFields::of_new(stream, version, event, &buf, at).link(&head);
    }
    Ok(head)
}

/// A cached case with the version and head it was verified at.
#[derive(Clone)]
pub(super) struct Entry {
    pub(super) version: u64,
    pub(super) head: EventHash,
    /// The version of the case's last snapshot known (0: none).
    pub(super) snapshot: u64,
    pub(super) case: Arc<dyn Any + Send + Sync>,
}

/// A bounded map of recently used cases, in two generations: entries are
/// put in the young one; when it is full, it becomes the old one (the old
/// one is dropped) and a new young one starts. A hit in the old generation
/// moves the entry to the young one. So at most `capacity` entries are
/// kept, a case used since the last turnover always survives the next, and
/// every operation is O(1) — least-recently-used in effect, without a list.
pub(super) struct CaseCache {
    pub(super) capacity: usize,
    young: HashMap<StreamKey, Entry>,
    old: HashMap<StreamKey, Entry>,
}

impl CaseCache {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            young: HashMap::new(),
            old: HashMap::new(),
        }
    }

    /// How many entries one generation holds at most.
    fn generation(&self) -> usize {
        self.capacity.div_ceil(2)
    }

    pub(super) fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    pub(super) fn get(&mut self, stream: &StreamKey) -> Option<Entry> {
        if let Some(entry) = self.young.get(stream) {
            return Some(entry.clone());
        }
        let entry = self.old.remove(stream)?;
        self.put(stream.clone(), entry.clone());
        Some(entry)
    }

    pub(super) fn put(&mut self, stream: StreamKey, entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        if !self.young.contains_key(&stream) && self.young.len() >= self.generation() {
            self.old = std::mem::take(&mut self.young);
        }
        self.old.remove(&stream);
        self.young.insert(stream, entry);
        // Odd capacities: the two generations may hold one more than asked.
        while self.len() > self.capacity {
            let Some(key) = self.old.keys().next().cloned() else {
                break;
            };
            self.old.remove(&key);
        }
    }

    pub(super) fn forget(&mut self, stream: &StreamKey) {
        self.young.remove(stream);
        self.old.remove(stream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: usize) -> StreamKey {
        StreamKey::new(
            "t".parse().unwrap(),
            "w".parse().unwrap(),
            format!("C-{i}").parse().unwrap(),
        )
    }

    fn entry(i: usize) -> Entry {
        Entry {
            version: i as u64,
            head: EventHash::GENESIS,
            snapshot: 0,
            case: Arc::new(i),
        }
    }

    #[test]
    fn the_cache_never_holds_more_than_its_capacity() {
        for capacity in [1, 2, 3, 7, 64] {
            let mut cache = CaseCache::new(capacity);
            for i in 0..500 {
                cache.put(key(i), entry(i));
                assert!(cache.len() <= capacity, "{capacity}: {}", cache.len());
            }
            assert!(cache.get(&key(499)).is_some(), "the last one is kept");
        }
    }

    #[test]
    fn a_case_used_since_the_last_turnover_survives_the_next() {
        let mut cache = CaseCache::new(8);
        cache.put(key(0), entry(0));
        for i in 1..100 {
            cache.put(key(i), entry(i));
            assert!(cache.get(&key(0)).is_some(), "evicted at {i}");
        }
        assert!(cache.get(&key(1)).is_none(), "an unused one goes");
    }

    #[test]
    fn a_cache_of_nothing_keeps_nothing() {
        let mut cache = CaseCache::new(0);
        cache.put(key(0), entry(0));
        assert_eq!(cache.len(), 0);
        assert!(cache.get(&key(0)).is_none());
    }
}
