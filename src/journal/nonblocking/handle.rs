//! [`AsyncJournal`]: [`Journal`](crate::journal::Journal) in async form —
//! the same decisions, cache and retries, with the store's I/O awaited.

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{AsyncEventStore, AsyncSweeper};
use crate::id::{CaseId, TenantId};
use crate::journal::execute::{case_from_rows, with_micros};
use crate::journal::handle::{
    Cached, CaseCache, Journaled, Loaded, cached_against, continue_cached, head_after, remember,
};
use crate::journal::hash::EventHash;
use crate::journal::snapshot::{self, Policy, SnapshotRefused, SnapshotStats, Snapshots};
use crate::journal::trace;
use crate::journal::{
    AppendOutcome, Appended, DEFAULT_CACHE, DEFAULT_RETRIES, DueUpdate, EventSchema, ExecuteError,
    Executed, JournalError, StreamKey, StreamType, encode, truncate_to_micros,
};
use crate::workflow::{Case, Context, Workflow};

/// One tenant's cases in one async store: [`Journal`](crate::journal::Journal)
/// in async form.
///
/// [`handle`](Self::handle) loads the case (awaited), decides the command
/// with the workflow's rules (synchronously: the kernel does no I/O), and
/// appends the decided events with the version it loaded (awaited); on a
/// version conflict it loads and decides again, up to
/// [`with_retries`](Self::with_retries) more times. It keeps recently used
/// cases exactly as the sync journal does, each checked against the
/// store's anchor before use. A journal is `Send` and `Sync`: share one
/// between tasks (in an `Arc`).
///
/// ```
/// # #[cfg(feature = "sqlite")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use chrono::{TimeZone, Utc};
/// use grassroots::actor::{Actor, Role};
/// use grassroots::escalation::{Ladder, LadderCommand, PolicyBook};
/// use grassroots::journal::{AsyncJournal, AsyncSqliteStore, SqliteStore};
/// use grassroots::org::Need;
/// use grassroots::tier::Severity;
/// use grassroots::workflow::Context;
/// # use grassroots::calendar::WorkingCalendar;
/// # use grassroots::matter::DisputeKind;
/// # use grassroots::org::{Capability, Org, OrgGraph, OrgKind};
/// # let mut graph = OrgGraph::new();
/// # graph.try_add_org(Org::new("grid-7".parse()?, "Grid 7", OrgKind::Grid)
/// #     .with_capabilities([Capability::Mediation(DisputeKind::Labour)]))?;
/// # let ladder = Ladder::new(PolicyBook::default(), graph, WorkingCalendar::prc());
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// # runtime.block_on(async {
/// let store = AsyncSqliteStore::new(SqliteStore::open_in_memory()?);
/// let journal = AsyncJournal::new(store, "longgang".parse()?);
/// let worker = Actor::new("gw-1".parse()?).with_role(Role::GridWorker);
/// let ctx = Context::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(), &worker);
/// let start = LadderCommand::Start {
///     location: "grid-7".parse()?,
///     need: Need::Mediation(DisputeKind::Labour),
///     severity: Severity::Minor,
///     due: None,
/// };
/// let done = journal.handle(&ladder, &"M-1".parse()?, &start, &ctx).await?;
/// assert_eq!(journal.load::<Ladder>(&"M-1".parse()?).await?, done.case);
/// assert_eq!(journal.list::<Ladder>(None, 10).await?, ["M-1".parse()?]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })
/// # }
/// # #[cfg(not(feature = "sqlite"))]
/// # fn main() {}
/// ```
pub struct AsyncJournal<S> {
    store: S,
    tenant: TenantId,
    retries: u32,
    cache: Mutex<CaseCache>,
    snapshots: Snapshots,
}

impl<S: fmt::Debug> fmt::Debug for AsyncJournal<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cache = self.cache();
        f.debug_struct("AsyncJournal")
            .field("store", &self.store)
            .field("tenant", &self.tenant)
            .field("retries", &self.retries)
            .field("cached", &cache.len())
            .field("cache_capacity", &cache.capacity)
            .field("snapshotted_workflows", &self.snapshots.workflows())
            .finish_non_exhaustive()
    }
}

impl<S> AsyncJournal<S> {
    /// The cache, locked for a moment (never across an `.await`).
    fn cache(&self) -> MutexGuard<'_, CaseCache> {
        // Every entry is checked against the store before use: a panic
        // halfway through an update breaks nothing.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What the journal's snapshots did since it was made: see
    /// [`Journal::snapshot_stats`](crate::journal::Journal::snapshot_stats).
    pub fn snapshot_stats(&self) -> SnapshotStats {
        self.snapshots.report()
    }
}

impl<S: AsyncEventStore> AsyncJournal<S> {
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
    /// none).
    #[must_use]
    pub fn with_cache(self, capacity: usize) -> Self {
        Self {
            cache: Mutex::new(CaseCache::new(capacity)),
            ..self
        }
    }

    /// The same journal, keeping snapshots of workflow `W`'s cases every
    /// `every` events (0: none): see
    /// [`Journal::with_snapshots`](crate::journal::Journal::with_snapshots).
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
    /// it decides, with the due index moved in the same transaction: see
    /// [`Journal::handle`](crate::journal::Journal::handle).
    ///
    /// # Errors
    ///
    /// As for [`Journal::handle`](crate::journal::Journal::handle). On
    /// every error nothing was written for this command.
    pub async fn handle<W>(
        &self,
        workflow: &W,
        id: &CaseId,
        command: &W::Command,
        ctx: &Context<'_>,
    ) -> Result<Executed<W>, ExecuteError<W::Rejection>>
    where
        W: Journaled,
    {
        let span = trace::command::<W>(&self.tenant, id, command, ctx).detached();
        let result = span
            .in_future(self.decide_and_append(workflow, id, command, ctx))
            .await;
        span.handled(result)
    }

    /// [`handle`](Self::handle) inside its span.
    async fn decide_and_append<W>(
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
            } = self.load_verified::<W>(&stream).await?;
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
                    outcome: AppendOutcome::Recorded,
                };
                return Ok(Executed::new(case, appended, attempts, from));
            }
            let due = DueUpdate::of(case.next_due().map(truncate_to_micros));
            match self
                .store
                .append_with_due(&stream, expected, &events, due)
                .await
            {
                Ok(appended) => {
                    let head = head_after(&stream, expected, head, &events)?;
                    let snapshot = match self.snapshots.due(&stream, &case, head, snapshot) {
                        Some(taken) => {
                            let put = self.store.put_snapshot(&taken).await;
                            if self.snapshots.written(&stream, put) {
                                taken.version
                            } else {
                                snapshot
                            }
                        }
                        None => snapshot,
                    };
                    remember(&mut self.cache(), &stream, &case, head, snapshot);
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

    /// Loads case `id` of workflow `W`, from the cache when the store's
    /// anchor still names the head it verified: see
    /// [`Journal::load`](crate::journal::Journal::load).
    ///
    /// # Errors
    ///
    /// As for [`load`](crate::journal::load).
    pub async fn load<W>(&self, id: &CaseId) -> Result<Case<W>, JournalError>
    where
        W: Journaled,
    {
        let stream = StreamKey::of::<W>(self.tenant.clone(), id.clone())?;
        Ok(self.load_verified::<W>(&stream).await?.case)
    }

    /// Case `id` of workflow `W` as [`load`](Self::load) gives it, or `None`
    /// when nothing was ever recorded for it: see
    /// [`Journal::find`](crate::journal::Journal::find).
    ///
    /// # Errors
    ///
    /// As for [`load`](crate::journal::load).
    pub async fn find<W>(&self, id: &CaseId) -> Result<Option<Case<W>>, JournalError>
    where
        W: Journaled,
    {
        let case = self.load::<W>(id).await?;
        Ok((case.version() > 0).then_some(case))
    }

    /// One page of workflow `W`'s cases: at most `limit` ids after `after`,
    /// in id order (see [`Journal::list`](crate::journal::Journal::list)).
    ///
    /// # Errors
    ///
    /// [`JournalError::InvalidName`] when `W::NAME` is not a valid stream
    /// type; whatever [`AsyncEventStore::list_streams`] returns.
    pub async fn list<W: Workflow>(
        &self,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        let stream_type = StreamType::of::<W>()?;
        self.store
            .list_streams(&self.tenant, &stream_type, after, limit)
            .await
    }

    /// An [`AsyncSweeper`] of `workflow`'s cases in this journal's tenant
    /// and store, with the default options.
    pub fn sweeper<W>(&self, workflow: W) -> AsyncSweeper<W, &S>
    where
        W: EventSchema,
        W::Event: Serialize + DeserializeOwned,
    {
        AsyncSweeper::new(&self.store, self.tenant.clone(), workflow)
    }

    /// The case of `stream`, the hash of its last event and the version of
    /// its last snapshot known, verified: from the cache when the anchor
    /// agrees, otherwise from a snapshot that passes every check, otherwise
    /// in full.
    async fn load_verified<W>(&self, stream: &StreamKey) -> Result<Loaded<W>, JournalError>
    where
        W: Journaled,
    {
        // The anchor first: rows only grow after it is read.
        let anchor = self.store.anchor(stream).await?;
        let cached = self.cache().get(stream);
        let cached = cached.and_then(|entry| {
            let case = entry.case.downcast_ref::<Case<W>>()?.clone();
            Some((case, entry.version, entry.head, entry.snapshot))
        });
        if let Some((case, version, head, snapshot)) = cached {
            let found = match cached_against(anchor, version, head) {
                Cached::Current => Some((case, head)),
                Cached::Untrusted => None,
                Cached::Behind => {
                    let rows = self.store.read_stream(stream, version).await?;
                    continue_cached(stream, &case, version, head, anchor, &rows)?
                }
            };
            if let Some((case, head)) = found {
                if case.version() != version {
                    remember(&mut self.cache(), stream, &case, head, snapshot);
                }
                return Ok(Loaded {
                    case,
                    head,
                    snapshot,
                });
            }
        }
        self.cache().forget(stream);
        if let Some(policy) = self.snapshots.policy::<W>() {
            if let Some(loaded) = self
                .resume_from_snapshot::<W>(policy, stream, anchor)
                .await?
            {
                remember(
                    &mut self.cache(),
                    stream,
                    &loaded.case,
                    loaded.head,
                    loaded.snapshot,
                );
                return Ok(loaded);
            }
        }
        let rows = self.store.read_stream(stream, 0).await?;
        let (case, head) = case_from_rows::<W>(stream, &rows, anchor)?;
        remember(&mut self.cache(), stream, &case, head, 0);
        Ok(Loaded {
            case,
            head,
            snapshot: 0,
        })
    }

    /// The case of `stream` resumed from its latest snapshot, if it has
    /// one that passes every check; a refused one is reported (see
    /// [`Journal::with_snapshots`](crate::journal::Journal::with_snapshots)).
    async fn resume_from_snapshot<W>(
        &self,
        policy: &Policy,
        stream: &StreamKey,
        anchor: Option<crate::journal::StreamHead>,
    ) -> Result<Option<Loaded<W>>, JournalError>
    where
        W: Journaled,
    {
        let found = match self.store.snapshot(stream).await {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(None),
            Err(_) => {
                self.snapshots.refused(SnapshotRefused::Unreadable {
                    stream: stream.clone(),
                });
                return Ok(None);
            }
        };
        if let Err(refused) = snapshot::check_before_read(policy, stream, &found, anchor) {
            self.snapshots.refused(refused);
            return Ok(None);
        }
        let rows = self.store.read_stream(stream, found.version - 1).await?;
        match snapshot::resume::<W>(policy, stream, &found, anchor, &rows)? {
            Ok((case, head)) => {
                self.snapshots.used();
                Ok(Some(Loaded {
                    case,
                    head,
                    snapshot: found.version,
                }))
            }
            Err(refused) => {
                self.snapshots.refused(refused);
                Ok(None)
            }
        }
    }
}

/// The case of `stream` and its head, read and verified in full: the
/// anchor first, then the rows.
pub(super) async fn load_in_full<W, S>(
    store: &S,
    stream: &StreamKey,
) -> Result<(Case<W>, EventHash), JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
    S: AsyncEventStore + ?Sized,
{
    let anchor = store.anchor(stream).await?;
    let rows = store.read_stream(stream, 0).await?;
    case_from_rows::<W>(stream, &rows, anchor)
}

/// [`execute`](crate::journal::execute) in async form: loads the case in
/// full, decides, appends, and on a version conflict does it again up to
/// `retries` more times.
pub(super) async fn execute<W, S>(
    store: &S,
    stream: &StreamKey,
    workflow: &W,
    command: &W::Command,
    ctx: &Context<'_>,
    retries: u32,
) -> Result<Executed<W>, ExecuteError<W::Rejection>>
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned,
    S: AsyncEventStore + ?Sized,
{
    let span = trace::command::<W>(&stream.tenant, &stream.id, command, ctx).detached();
    let result = span
        .in_future(decide_and_append(
            store, stream, workflow, command, ctx, retries,
        ))
        .await;
    span.handled(result)
}

/// [`execute`] inside its span.
async fn decide_and_append<W, S>(
    store: &S,
    stream: &StreamKey,
    workflow: &W,
    command: &W::Command,
    ctx: &Context<'_>,
    retries: u32,
) -> Result<Executed<W>, ExecuteError<W::Rejection>>
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned,
    S: AsyncEventStore + ?Sized,
{
    let ctx = with_micros(ctx);
    let mut attempts: u32 = 0;
    loop {
        attempts = attempts.saturating_add(1);
        let (mut case, _) = load_in_full::<W, S>(store, stream).await?;
        let expected = case.version();
        let from = case.history().len();
        case.handle(workflow, command, &ctx)
            .map_err(ExecuteError::Refused)?;
        let events = case.history()[from..]
            .iter()
            .map(|recorded| encode::<W>(stream, recorded))
            .collect::<Result<Vec<_>, _>>()?;
        if events.is_empty() {
            let appended = Appended {
                version: expected,
                positions: 0..0,
                outcome: AppendOutcome::Recorded,
            };
            return Ok(Executed::new(case, appended, attempts, from));
        }
        let due = DueUpdate::of(case.next_due().map(truncate_to_micros));
        match store.append_with_due(stream, expected, &events, due).await {
            Ok(appended) => return Ok(Executed::new(case, appended, attempts, from)),
            Err(e) if e.is_conflict() => {
                if attempts > retries {
                    return Err(ExecuteError::Contended {
                        stream: stream.clone(),
                        attempts,
                    });
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}
