//! Reading the journal: projections that keep read models from a tenant's
//! log, and the read models the crate ships.
//!
//! A [`Projection`] turns events into a read model — rows a deployment
//! queries ("which cases are open at this body", "what must this clerk do
//! this morning") without replaying every history. A [`Runner`] catches a
//! projection up: it reads the tenant's log ([`EventStore::read_feed`], or
//! the lean [`EventStore::read_feed_rows`] for a projection that
//! [takes rows](Projection::reads_rows)) from the projection's checkpoint,
//! applies the events in commit order, and stores the new checkpoint **in
//! the same transaction** as the read model's changes, one page at a time.
//! A process killed between two pages (or in the middle of one) loses the
//! uncommitted page only: the next run starts from the last committed
//! checkpoint, so no event is applied twice and none skipped.
//! [`Runner::rebuild`] clears the read model and starts from zero.
//!
//! Read models live in a [`ReadStore`]: [`MemoryReadStore`] for tests,
//! `SqliteReadStore` (feature `sqlite`) and `PostgresReadStore` (feature
//! `postgres`), whose tables a user can also query with SQL (the schema is
//! in DESIGN.md, "Reading the journal").
//!
//! The crate ships two read models, each a projection with its queries
//! ([`CaseQueries`]):
//!
//! - the [`CaseIndex`]: per case its workflow, state, tier, handling body,
//!   parties' count, when it opened and closed and when it is next due;
//! - the [`WorkQueue`]: who must act next on each open case — the body and
//!   role the state waits on — the list a clerk opens in the morning.
//!
//! Both follow the workflows registered with them, through [`Indexed`].
//! [`LiveMetrics`] keeps [`GovernanceMetrics`](crate::metrics::GovernanceMetrics)
//! as events arrive, each case's facts a row of `grassroots_case_facts` on
//! SQLite and PostgreSQL ([`MetricsQueries`]).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use grassroots::actor::{Actor, Forbidden, Role};
//! use grassroots::journal::read::{
//!     CaseIndex, CaseKey, CaseQueries, CaseSummary, Indexed, MemoryReadStore, Page, Runner, Waiting, WorkQueue,
//! };
//! use grassroots::journal::{EventSchema, Journal, MemoryStore};
//! use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
//! use serde::{Deserialize, Serialize};
//!
//! /// A complaint a grid worker opens and a supervisor closes.
//! struct Complaint;
//! #[derive(Debug, Clone, PartialEq, HasKind)]
//! enum State { New, Open, Closed }
//! #[derive(Debug, HasKind)]
//! enum Command { Open, Close }
//! #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
//! enum Event { Opened, Closed }
//! # impl Workflow for Complaint {
//! #     const NAME: &'static str = "complaint";
//! #     type State = State;
//! #     type Command = Command;
//! #     type Event = Event;
//! #     type Rejection = Forbidden;
//! #     fn initial() -> State { State::New }
//! #     fn decide(&self, _: &State, c: &Command, _: &Context<'_>) -> Result<Decision<Event>, Forbidden> {
//! #         Ok(match c { Command::Open => Event::Opened, Command::Close => Event::Closed }.into())
//! #     }
//! #     fn evolve(_: State, e: &Event) -> State { match e { Event::Opened => State::Open, Event::Closed => State::Closed } }
//! #     fn is_terminal(s: &State) -> bool { matches!(s, State::Closed) }
//! #     fn transitions() -> &'static [Transition<StateKind, EventKind>] {
//! #         const T: &[Transition<StateKind, EventKind>] = &[
//! #             Transition::new(StateKind::New, EventKind::Opened, StateKind::Open),
//! #             Transition::new(StateKind::Open, EventKind::Closed, StateKind::Closed),
//! #         ];
//! #         T
//! #     }
//! # }
//! impl EventSchema for Complaint {}
//!
//! /// An open complaint waits on a supervisor of the street office.
//! impl Indexed for Complaint {
//!     fn summary(state: &State) -> CaseSummary {
//!         let waiting = matches!(state, State::Open).then(|| Waiting {
//!             action: "close",
//!             body: Some("street-office".parse().unwrap()),
//!             role: Role::Supervisor,
//!         });
//!         CaseSummary { body: Some("street-office".parse().unwrap()), parties: 1, waiting, ..Default::default() }
//!     }
//! }
//!
//! let journal = Journal::new(MemoryStore::new(), "longgang".parse()?);
//! let worker = Actor::new("gw-7".parse()?).with_role(Role::GridWorker);
//! let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
//! for id in ["C-1", "C-2"] {
//!     journal.handle(&Complaint, &id.parse()?, &Command::Open, &Context::new(at, &worker))?;
//! }
//!
//! let runner = Runner::new(journal.store(), journal.tenant().clone(), MemoryReadStore::new());
//! let mut index = CaseIndex::new().with::<Complaint>();
//! let mut queue = WorkQueue::new().with::<Complaint>();
//! runner.catch_up(&mut index)?;
//! runner.catch_up(&mut queue)?;
//!
//! let reads = runner.read_store();
//! let office = "street-office".parse()?;
//! assert_eq!(reads.open_cases_of(journal.tenant(), &office, &Page::first(10))?.len(), 2);
//! let supervisor = Actor::new("sup-1".parse()?).with_role(Role::Supervisor).acting_for(office);
//! let morning = reads.work_for(journal.tenant(), &supervisor, &Page::first(10))?;
//! assert_eq!(morning.iter().map(|w| w.key.id.as_str()).collect::<Vec<_>>(), ["C-1", "C-2"]);
//!
//! // Later events: catch up from the checkpoint.
//! journal.handle(&Complaint, &"C-1".parse()?, &Command::Close, &Context::new(at, &worker))?;
//! assert_eq!(runner.catch_up(&mut queue)?.events, 1);
//! assert_eq!(reads.work_for(journal.tenant(), &supervisor, &Page::first(10))?.len(), 1);
//! let c1 = CaseKey { stream_type: "complaint".parse()?, id: "C-1".parse()? };
//! assert_eq!(runner.catch_up(&mut index)?.events, 1);
//! assert!(reads.case(journal.tenant(), &c1)?.is_some_and(|row| row.closed.is_some()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod index;
mod memory;
mod metrics;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod metrics_sql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
mod workflows;

use std::error::Error as StdError;
use std::fmt;
use std::sync::mpsc;

/// The read models' in-memory maps (trackers, a page's pending changes):
/// foldhash, randomly seeded per process, rather than SipHash — a catch-up
/// looks a stream up several times per event.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use super::{EventStore, FeedRow, JournalError, StoredEvent, StreamKey};
use crate::id::TenantId;

pub use index::{
    CaseIndex, CaseKey, CaseQueries, CaseRow, CaseSummary, DEFAULT_TRACKED, Indexed, Page, Waiting,
    WorkItem, WorkQueue, expected_rows,
};
pub use memory::{MemoryReadStore, MemoryTables};
pub use metrics::{DEFAULT_HISTORIES, LiveMetrics, MetricsQueries};
#[cfg(feature = "postgres")]
pub use postgres::PostgresReadStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteReadStore;

/// The open cases a read model keeps in memory, up to `capacity`, in two
/// generations of `capacity / 2` (a full young one becomes the old one,
/// the old one is dropped): bounded, least recently used in effect. A case
/// not kept is read again from the journal, so the size changes the reads,
/// never what the read model holds.
pub(crate) struct Generations<V> {
    young: FastMap<StreamKey, V>,
    old: FastMap<StreamKey, V>,
    capacity: usize,
}

impl<V> Generations<V> {
    /// Room for `capacity` cases (0: none is kept).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            young: FastMap::default(),
            old: FastMap::default(),
            capacity,
        }
    }

    /// The case of `stream`, if kept in the young generation (where a
    /// case's next event finds it, unless it aged).
    pub(crate) fn young_mut(&mut self, stream: &StreamKey) -> Option<&mut V> {
        self.young.get_mut(stream)
    }

    /// Takes the case of `stream` out, from whichever generation holds it.
    pub(crate) fn take(&mut self, stream: &StreamKey) -> Option<V> {
        self.young
            .remove(stream)
            .or_else(|| self.old.remove(stream))
    }

    /// Keeps `value` as the case of `stream`, in the young generation.
    pub(crate) fn keep(&mut self, stream: StreamKey, value: V) {
        if self.capacity == 0 {
            return;
        }
        let half = (self.capacity / 2).max(1);
        if self.young.len() >= half {
            // The next generation fills as far: room for it at once, not
            // grown (and rehashed) step by step.
            let next = FastMap::with_capacity_and_hasher(half, Default::default());
            let young = std::mem::replace(&mut self.young, next);
            // With room for one case, the old generation stays empty.
            self.old = if self.capacity > 1 {
                young
            } else {
                FastMap::default()
            };
        }
        self.young.insert(stream, value);
    }

    /// How many cases are kept.
    pub(crate) fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    /// Room for `capacity` cases from now on; drops every case kept when
    /// more are kept than that.
    pub(crate) fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
        if self.len() > capacity {
            self.young = FastMap::default();
            self.old = FastMap::default();
        }
    }
}

/// Why a projection or a read-model query failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectionError {
    /// Reading the journal failed (or a case's history did not load).
    #[error(transparent)]
    Journal(Box<JournalError>),
    /// The read model's tables were written by a newer version of the
    /// read model than this library knows: refused rather than misread.
    #[error(
        "read model {projection} was written at schema version {found}, this library knows up to {known}"
    )]
    SchemaTooNew {
        /// The read model's name.
        projection: String,
        /// The schema version recorded in the read store.
        found: u32,
        /// The newest schema version this library knows.
        known: u32,
    },
    /// A case index, work queue or live metrics following no workflow
    /// (nothing registered with `with::<W>()`) was asked to catch up:
    /// refused, so its checkpoint does not move past events it never read.
    #[error(
        "read model {projection} follows no workflow: register one with with::<W>() before catching up"
    )]
    NothingFollowed {
        /// The read model's name.
        projection: &'static str,
    },
    /// A stored read-model row holds a value no projection could have
    /// written.
    #[error("read model table {table} holds an invalid {column}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
    },
    /// The read store's backend failed (I/O, connection, SQL).
    #[error("{backend} read store error")]
    Backend {
        /// `"sqlite"` or `"postgres"`.
        backend: &'static str,
        /// The backend's own error.
        #[source]
        source: Box<dyn StdError + Send + Sync + 'static>,
    },
}

/// Refuses the catch-up of a read model that follows no workflow
/// (`workflows` is how many it follows): it would move its checkpoint past
/// every event without reading one.
pub(crate) fn require_followed(
    projection: &'static str,
    workflows: usize,
) -> Result<(), ProjectionError> {
    if workflows == 0 {
        return Err(ProjectionError::NothingFollowed { projection });
    }
    Ok(())
}

impl From<JournalError> for ProjectionError {
    fn from(e: JournalError) -> Self {
        ProjectionError::Journal(Box::new(e))
    }
}

impl ProjectionError {
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn backend(
        backend: &'static str,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        ProjectionError::Backend {
            backend,
            source: Box::new(source),
        }
    }
}

/// Where a projection stands in a tenant's log: the last position applied,
/// and the schema version of the read model that applied it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// The global position of the last event applied (0: none yet).
    pub position: u64,
    /// The read model's schema version ([`Projection::schema_version`]).
    pub schema_version: u32,
}

/// Where read models live, with transactions that hold the read model's
/// changes and its checkpoint together.
pub trait ReadStore {
    /// An open transaction.
    type Tx<'a>
    where
        Self: 'a;

    /// Runs `f` in one transaction and commits it when `f` returns `Ok`;
    /// on `Err` nothing `f` wrote is kept (on SQLite and PostgreSQL; the
    /// memory store keeps what was written, which the crate's read models,
    /// writing whole rows, apply again harmlessly).
    ///
    /// # Errors
    ///
    /// `f`'s error; [`ProjectionError::Backend`] when the transaction
    /// cannot begin or commit.
    fn in_transaction<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ProjectionError>,
    ) -> Result<T, ProjectionError>;

    /// The checkpoint of projection `name` in `tenant`'s log, if it has
    /// one.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when storage fails.
    fn checkpoint(
        tx: &mut Self::Tx<'_>,
        name: &str,
        tenant: &TenantId,
    ) -> Result<Option<Checkpoint>, ProjectionError>;

    /// Stores the checkpoint of projection `name` in `tenant`'s log.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when storage fails.
    fn set_checkpoint(
        tx: &mut Self::Tx<'_>,
        name: &str,
        tenant: &TenantId,
        checkpoint: Checkpoint,
    ) -> Result<(), ProjectionError>;
}

/// A read model kept from a tenant's log, in read store `R`.
///
/// `apply` is called once per event, in commit order, inside the
/// transaction that also moves the checkpoint; it must write its changes
/// through `tx` only, so they commit or vanish with the checkpoint.
pub trait Projection<R: ReadStore> {
    /// The name its checkpoint is kept under (unique per read store).
    fn name(&self) -> &str;

    /// The schema version of its tables. A read store whose checkpoint
    /// names a newer version is refused ([`ProjectionError::SchemaTooNew`]);
    /// an older one is cleared and rebuilt from zero.
    fn schema_version(&self) -> u32;

    /// Creates its tables if they do not exist.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when storage fails.
    fn setup(&mut self, tx: &mut R::Tx<'_>) -> Result<(), ProjectionError>;

    /// Applies one event of the tenant's log. `source` is the journal, for
    /// a projection that needs more of a case than the event (the crate's
    /// read models load a case's earlier events from it when they have not
    /// seen them).
    ///
    /// # Errors
    ///
    /// Whatever storage or the journal returns; the page is then not
    /// committed.
    fn apply(
        &mut self,
        tx: &mut R::Tx<'_>,
        event: &StoredEvent,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError>;

    /// Whether the [`Runner`] reads the lean feed for it
    /// ([`EventStore::read_feed_rows`]) and hands it [`FeedRow`]s
    /// ([`apply_row`](Self::apply_row)), rather than [`StoredEvent`]s
    /// ([`apply`](Self::apply)). The default, `false`, suits a projection
    /// that needs an event's id, recorded time or hash; the crate's read
    /// models take rows.
    fn reads_rows(&self) -> bool {
        false
    }

    /// Applies one event of the tenant's log read as a [`FeedRow`] (its
    /// payload still JSON text): what the [`Runner`] calls when
    /// [`reads_rows`](Self::reads_rows) says so. The default reads the
    /// row's stored event again ([`EventStore::read_feed`] at its position)
    /// and calls [`apply`](Self::apply); a projection that decodes payloads
    /// straight into its workflow's events (the crate's read models do)
    /// overrides it.
    ///
    /// # Errors
    ///
    /// As for [`apply`](Self::apply); [`ProjectionError::Journal`] when
    /// the stored event does not read back (the error `read_feed` sets it
    /// aside with).
    fn apply_row(
        &mut self,
        tx: &mut R::Tx<'_>,
        row: &FeedRow,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        let mut page = source.read_feed(&row.stream.tenant, row.position.saturating_sub(1), 1)?;
        match (page.events.pop(), page.skipped.pop()) {
            (Some(event), _) if event.position == row.position => self.apply(tx, &event, source),
            (_, Some(skipped)) if skipped.position == row.position => Err(skipped.error.into()),
            _ => Err(JournalError::Corrupt {
                position: row.position,
                column: "position",
            }
            .into()),
        }
    }

    /// Called once a page's events are applied, before the checkpoint
    /// moves, in the same transaction: a projection that gathers a page's
    /// changes (the last row of each case, say) writes them here. The
    /// default does nothing.
    ///
    /// # Errors
    ///
    /// Whatever storage returns; the page is then not committed.
    fn flush(&mut self, tx: &mut R::Tx<'_>) -> Result<(), ProjectionError> {
        let _ = tx;
        Ok(())
    }

    /// Called when a page was not committed (an error in `apply`, `flush`
    /// or the commit): forget what `apply` gathered for `flush`. The
    /// default does nothing.
    fn discard(&mut self) {}

    /// Deletes everything it wrote for `tenant` (before a rebuild).
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when storage fails.
    fn clear(&mut self, tx: &mut R::Tx<'_>, tenant: &TenantId) -> Result<(), ProjectionError>;
}

/// What [`Runner::catch_up`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaughtUp {
    /// How many events were applied.
    pub events: usize,
    /// The positions of rows that did not read back (see
    /// [`FeedPage::skipped`](super::FeedPage::skipped)): passed over.
    pub skipped: Vec<u64>,
    /// The checkpoint after the run.
    pub position: u64,
}

/// Catches projections up with a tenant's log, page by page, a batch of
/// pages in one read-store transaction with its checkpoint.
#[derive(Debug)]
pub struct Runner<S, R> {
    store: S,
    tenant: TenantId,
    read: R,
    page: usize,
    batch: usize,
    /// Set by [`Runner::with_read_ahead`] (only for a store that can be
    /// shared with another thread): reads a batch's pages on a thread of
    /// its own while the pages before them are applied.
    read_ahead: Option<ReadAhead<S>>,
}

/// The read-ahead of a [`Runner`], one function per kind of page, made
/// where the store is known to be `Sync` and called where it need not be.
struct ReadAhead<S> {
    rows: Pipeline<S, FeedRow>,
    events: Pipeline<S, StoredEvent>,
}

impl<S> Clone for ReadAhead<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for ReadAhead<S> {}

impl<S> fmt::Debug for ReadAhead<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReadAhead")
    }
}

/// Runs `apply` with the batch's pages after the first, read by `cursor`
/// on another thread.
type Pipeline<S, E> = fn(
    &S,
    &TenantId,
    Cursor,
    &mut dyn FnMut(&mut dyn Pages<E>) -> Result<(), ProjectionError>,
) -> Result<(), ProjectionError>;

/// How many events one page (one read of the log) holds by default.
///
/// A page's rows are held in memory (a few MB at this size). Several pages
/// go into one read-store transaction, up to [`DEFAULT_BATCH`] events;
/// with [`Runner::with_page`] a transaction holds one page. Catching the
/// case index up on a 2,000,000-case SQLite log (6,000,000 events, each
/// case's three together, `benches/read.rs`) with one page a transaction:
/// 148 k events/s at 1,000 events a page, 216 k at 10,000, 263 k at
/// 20,000 (a transaction's changes to one index leaf go to the write-ahead
/// log once).
pub const DEFAULT_PAGE: usize = 10_000;

/// How many events one read-store transaction of a [`Runner`] applies at
/// most by default: a runner far behind reads page after page into one
/// transaction until it has applied this many (or the log ends), then
/// commits them with the checkpoint.
///
/// On a log whose cases interleave (a deployment's: each case's events
/// spread over millions of positions), a transaction rewrites the index
/// rows of every case it touches, and nearly every open case is touched in
/// a large batch; fewer, larger transactions rewrite them fewer times. The
/// price: the rows a batch changes are held in memory until its commit (the
/// last row of each case, a few hundred bytes each), the read store's
/// writer is held for the transaction, and a failure rolls the whole batch
/// back. [`Runner::with_batch`] sets another size; BENCHMARKS.md has the
/// figures on the city-year's log.
pub const DEFAULT_BATCH: usize = 100_000;

impl<S: EventStore, R: ReadStore> Runner<S, R> {
    /// A runner over `tenant`'s log in `store`, keeping read models in
    /// `read`, reading [`DEFAULT_PAGE`] events at a time and applying up to
    /// [`DEFAULT_BATCH`] in one transaction.
    pub fn new(store: S, tenant: TenantId, read: R) -> Self {
        Self {
            store,
            tenant,
            read,
            page: DEFAULT_PAGE,
            batch: DEFAULT_BATCH,
            read_ahead: None,
        }
    }

    /// The same runner, reading `page` events at a time (at least 1) and
    /// applying one page per transaction: the batch is set to `page` too
    /// (raise it after with [`with_batch`](Self::with_batch)).
    #[must_use]
    pub fn with_page(mut self, page: usize) -> Self {
        self.page = page.max(1);
        self.batch = self.page;
        self
    }

    /// The same runner, applying up to `events` events (at least one
    /// page) in one read-store transaction: pages are read into the
    /// transaction until it holds that many or the log ends (see
    /// [`DEFAULT_BATCH`]).
    #[must_use]
    pub fn with_batch(mut self, events: usize) -> Self {
        self.batch = events.max(self.page);
        self
    }

    /// The read store, for queries.
    pub fn read_store(&self) -> &R {
        &self.read
    }

    /// The journal.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Applies every event after `projection`'s checkpoint, in commit
    /// order, until the log holds no more; returns what it did.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::SchemaTooNew`] when the read store was written
    /// by a newer version of the projection; whatever reading the log or
    /// the projection returns (the page in progress is then not committed,
    /// the pages before it are).
    pub fn catch_up<P: Projection<R>>(
        &self,
        projection: &mut P,
    ) -> Result<CaughtUp, ProjectionError> {
        let name = projection.name().to_owned();
        let start = start_position(&self.read, projection, &self.tenant)?;
        let mut done = CaughtUp {
            events: 0,
            skipped: Vec::new(),
            position: start,
        };
        loop {
            let after = done.position;
            let batch = if projection.reads_rows() {
                self.apply_batch::<P, FeedRow>(
                    projection,
                    &name,
                    after,
                    self.read_ahead.map(|r| r.rows),
                )
            } else {
                self.apply_batch::<P, StoredEvent>(
                    projection,
                    &name,
                    after,
                    self.read_ahead.map(|r| r.events),
                )
            };
            let batch = batch.inspect_err(|_| projection.discard())?;
            if batch.position == after {
                return Ok(done);
            }
            done.events += batch.events;
            done.skipped.extend(batch.skipped);
            done.position = batch.position;
        }
    }

    /// Reads pages after `after` and applies them in one transaction with
    /// the checkpoint they reach, until the batch is full or a page comes
    /// back short (the log's end); with `read_ahead`, the pages after the
    /// first are read on another thread meanwhile. Applies nothing when the
    /// first page is empty; when another runner moved the checkpoint
    /// meanwhile, applies nothing and goes on from where it stands.
    fn apply_batch<P: Projection<R>, E: PageEvent>(
        &self,
        projection: &mut P,
        name: &str,
        after: u64,
        read_ahead: Option<Pipeline<S, E>>,
    ) -> Result<CaughtUp, ProjectionError> {
        let mut done = CaughtUp {
            events: 0,
            skipped: Vec::new(),
            position: after,
        };
        // The first page outside the transaction: a runner that is caught
        // up takes no write lock.
        let first = E::read(&self.store, &self.tenant, after, self.page)?;
        if first.next_after == after {
            return Ok(done);
        }
        let cursor = Cursor::from_first(&first, self.page, self.batch);
        // Called once; `FnMut` only for the pipeline's `dyn` signature.
        let mut first = Some(first);
        let read = &self.read;
        let mut apply = |pages: &mut dyn Pages<E>| {
            read.in_transaction(|tx| {
                if let Some(at) = moved_checkpoint::<R>(tx, name, &self.tenant, after)? {
                    done.position = at;
                    return Ok(());
                }
                let mut page = first.take();
                while let Some(this) = page {
                    let span = super::trace::projection_page(
                        name,
                        &self.tenant,
                        done.position,
                        this.events.len(),
                        this.next_after,
                    );
                    for event in &this.events {
                        event
                            .apply_to(projection, tx, &self.store)
                            .map_err(|e| span.failed(e))?;
                    }
                    drop(span);
                    done.events += this.events.len();
                    done.skipped.extend(this.skipped.iter().map(|s| s.position));
                    done.position = this.next_after;
                    pages.spent(this);
                    page = pages.next()?;
                }
                flush_to_checkpoint(projection, tx, name, &self.tenant, done.position)
            })
        };
        match read_ahead {
            Some(pipeline) if cursor.has_more() => {
                pipeline(&self.store, &self.tenant, cursor, &mut apply)?;
            }
            _ => apply(&mut Sequential {
                store: &self.store,
                tenant: &self.tenant,
                cursor,
            })?,
        }
        Ok(done)
    }

    /// Clears `projection`'s read model for the tenant and its checkpoint,
    /// then catches it up from the start of the log.
    ///
    /// # Errors
    ///
    /// As for [`catch_up`](Self::catch_up).
    pub fn rebuild<P: Projection<R>>(
        &self,
        projection: &mut P,
    ) -> Result<CaughtUp, ProjectionError> {
        clear_for_rebuild(&self.read, projection, &self.tenant)?;
        self.catch_up(projection)
    }

    /// `projection`'s checkpoint in this tenant's log (0 before its first
    /// run).
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when storage fails.
    pub fn position<P: Projection<R>>(&self, projection: &P) -> Result<u64, ProjectionError> {
        self.read.in_transaction(|tx| {
            Ok(R::checkpoint(tx, projection.name(), &self.tenant)?.map_or(0, |c| c.position))
        })
    }
}

/// Where `projection` starts in `tenant`'s log: its checkpoint, after
/// setting up its tables; from zero (cleared) when its tables are older.
pub(crate) fn start_position<R: ReadStore, P: Projection<R>>(
    read: &R,
    projection: &mut P,
    tenant: &TenantId,
) -> Result<u64, ProjectionError> {
    let version = projection.schema_version();
    let name = projection.name().to_owned();
    read.in_transaction(|tx| {
        projection.setup(tx)?;
        match R::checkpoint(tx, &name, tenant)? {
            Some(found) if found.schema_version > version => Err(ProjectionError::SchemaTooNew {
                projection: name.clone(),
                found: found.schema_version,
                known: version,
            }),
            Some(found) if found.schema_version == version => Ok(found.position),
            // Older tables, or none: from zero.
            _ => {
                projection.clear(tx, tenant)?;
                let zero = Checkpoint {
                    position: 0,
                    schema_version: version,
                };
                R::set_checkpoint(tx, &name, tenant, zero)?;
                Ok(0)
            }
        }
    })
}

/// Applies a page of the log read after `after` in one transaction with
/// the checkpoint it reaches (the async runner's transaction). When
/// another runner moved the checkpoint meanwhile, applies nothing and
/// returns where it stands.
#[cfg(feature = "tokio")]
pub(crate) fn apply_page<R: ReadStore, P: Projection<R>, E: PageEvent>(
    read: &R,
    projection: &mut P,
    tenant: &TenantId,
    after: u64,
    page: &super::FeedPage<E>,
    source: &dyn EventStore,
) -> Result<Option<u64>, ProjectionError> {
    let name = projection.name().to_owned();
    read.in_transaction(|tx| {
        if let Some(at) = moved_checkpoint::<R>(tx, &name, tenant, after)? {
            return Ok(Some(at));
        }
        for event in &page.events {
            event.apply_to(projection, tx, source)?;
        }
        flush_to_checkpoint(projection, tx, &name, tenant, page.next_after).map(|()| None)
    })
}

/// Where `name`'s checkpoint stands in `tx`, if another runner moved it
/// away from `after` (the position its caller read from): the caller then
/// applies nothing and goes on from there.
fn moved_checkpoint<R: ReadStore>(
    tx: &mut R::Tx<'_>,
    name: &str,
    tenant: &TenantId,
    after: u64,
) -> Result<Option<u64>, ProjectionError> {
    let at = R::checkpoint(tx, name, tenant)?.map_or(0, |c| c.position);
    Ok((at != after).then_some(at))
}

/// Ends a transaction's applying: the projection writes what it gathered,
/// and its checkpoint moves to `position`, in the same transaction.
fn flush_to_checkpoint<R: ReadStore, P: Projection<R>>(
    projection: &mut P,
    tx: &mut R::Tx<'_>,
    name: &str,
    tenant: &TenantId,
    position: u64,
) -> Result<(), ProjectionError> {
    projection.flush(tx)?;
    let next = Checkpoint {
        position,
        schema_version: projection.schema_version(),
    };
    R::set_checkpoint(tx, name, tenant, next)
}

impl<S: EventStore + Sync, R: ReadStore> Runner<S, R> {
    /// The same runner, reading the pages of a batch on a thread of its own
    /// while the pages before them are applied: the log's reads and the
    /// projection's work go on two cores at once. Only for a store that can
    /// be shared between threads (the crate's stores can; a trait object
    /// must say so: `&(dyn EventStore + Sync)`, not `&dyn EventStore`).
    /// Worth it for a runner far behind with a batch of several pages
    /// ([`with_batch`](Self::with_batch) above
    /// [`with_page`](Self::with_page), [`DEFAULT_PAGE`] by default) — a
    /// first catch-up or a rebuild. A batch of one page, a log shorter than
    /// a page, or a runner caught up, starts no thread.
    ///
    /// ```
    /// use grassroots::journal::read::{CaseIndex, MemoryReadStore, Runner};
    /// use grassroots::journal::{EventStore, MemoryStore};
    ///
    /// let store = MemoryStore::new();
    /// let journal: &(dyn EventStore + Sync) = &store;
    /// let runner = Runner::new(journal, "longgang".parse()?, MemoryReadStore::new())
    ///     .with_batch(4_000_000)
    ///     .with_read_ahead();
    /// assert_eq!(runner.catch_up(&mut CaseIndex::new().with::<grassroots::Dispute>())?.events, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// The pages are the same and applied in the same order, in the same
    /// transaction, with the same checkpoint: only when they are read
    /// changes. Up to two pages beyond the one being applied are held in
    /// memory.
    #[must_use]
    pub fn with_read_ahead(mut self) -> Self {
        self.read_ahead = Some(ReadAhead {
            rows: read_ahead::<S, FeedRow>,
            events: read_ahead::<S, StoredEvent>,
        });
        self
    }
}

/// Where a batch's reading stands: what the next page is read after, and
/// whether there is one to read. The one rule for when a batch is complete,
/// for the [`Runner`] (on either thread) and the async runner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor {
    after: u64,
    events: usize,
    last_rows: usize,
    page: usize,
    batch: usize,
}

impl Cursor {
    /// The cursor once `first` is read, with pages of `page` rows and
    /// batches of `batch` events.
    pub(crate) fn from_first<E>(first: &super::FeedPage<E>, page: usize, batch: usize) -> Self {
        Self {
            after: first.next_after,
            events: first.events.len(),
            last_rows: first.events.len() + first.skipped.len(),
            page,
            batch,
        }
    }

    /// The position the next page is read after.
    pub(crate) fn position(&self) -> u64 {
        self.after
    }

    /// Whether the batch may hold another page: the last one was full and
    /// the batch is not.
    pub(crate) fn has_more(&self) -> bool {
        self.last_rows >= self.page && self.events < self.batch
    }

    /// Counts `page`, read after [`position`](Self::position), into the
    /// batch; `false` (and no more pages) when it is empty: the log's end.
    pub(crate) fn advance<E>(&mut self, page: &super::FeedPage<E>) -> bool {
        if page.next_after == self.after {
            self.last_rows = 0;
            return false;
        }
        self.after = page.next_after;
        self.events += page.events.len();
        self.last_rows = page.events.len() + page.skipped.len();
        true
    }

    /// The batch's next page, or `None` when it is complete.
    fn next<E: PageEvent, S: EventStore + ?Sized>(
        &mut self,
        store: &S,
        tenant: &TenantId,
    ) -> Result<Option<super::FeedPage<E>>, JournalError> {
        if !self.has_more() {
            return Ok(None);
        }
        let page = E::read(store, tenant, self.position(), self.page)?;
        Ok(self.advance(&page).then_some(page))
    }
}

/// A batch's pages after the first, as the applying loop takes them.
trait Pages<E> {
    /// The next page, or `None` when the batch is complete.
    fn next(&mut self) -> Result<Option<super::FeedPage<E>>, JournalError>;

    /// Takes back a page once it is applied.
    fn spent(&mut self, page: super::FeedPage<E>) {
        drop(page);
    }
}

/// Pages read when they are asked for, on the applying thread.
struct Sequential<'a, S: ?Sized> {
    store: &'a S,
    tenant: &'a TenantId,
    cursor: Cursor,
}

impl<E: PageEvent, S: EventStore + ?Sized> Pages<E> for Sequential<'_, S> {
    fn next(&mut self) -> Result<Option<super::FeedPage<E>>, JournalError> {
        self.cursor.next(self.store, self.tenant)
    }
}

/// Pages read ahead by another thread: each comes over a channel that
/// holds one, and goes back to that thread to be dropped, so the freeing
/// is off the applying thread too.
struct Ahead<E> {
    pages: mpsc::Receiver<Result<Option<super::FeedPage<E>>, JournalError>>,
    spent: mpsc::Sender<super::FeedPage<E>>,
}

impl<E> Pages<E> for Ahead<E> {
    fn next(&mut self) -> Result<Option<super::FeedPage<E>>, JournalError> {
        // The reader sends `None` (or an error) last and stops; a channel
        // closed without one would mean the reader panicked, which the
        // scope then reports.
        self.pages.recv().unwrap_or(Ok(None))
    }

    fn spent(&mut self, page: super::FeedPage<E>) {
        // Dropped here if the reader is gone.
        let _ = self.spent.send(page);
    }
}

/// The [`Pipeline`] of a `Sync` store: a scoped thread reads the batch's
/// pages with `cursor` and sends them, at most one waiting, while
/// `apply` takes them; it stops at the batch's end, at an error (sent on)
/// or when `apply` stops taking them.
fn read_ahead<S: EventStore + Sync, E: PageEvent>(
    store: &S,
    tenant: &TenantId,
    mut cursor: Cursor,
    apply: &mut dyn FnMut(&mut dyn Pages<E>) -> Result<(), ProjectionError>,
) -> Result<(), ProjectionError> {
    std::thread::scope(|scope| {
        let (send, pages) = mpsc::sync_channel(1);
        let (spent, spent_pages) = mpsc::channel::<super::FeedPage<E>>();
        scope.spawn(move || {
            loop {
                while let Ok(page) = spent_pages.try_recv() {
                    drop(page);
                }
                let next = cursor.next::<E, S>(store, tenant);
                let last = !matches!(next, Ok(Some(_)));
                if send.send(next).is_err() || last {
                    break;
                }
            }
        });
        let mut ahead = Ahead { pages, spent };
        let applied = apply(&mut ahead);
        // Unblocks a reader waiting to send, so the scope can end.
        drop(ahead);
        applied
    })
}

/// An event of a feed page, handed to the projection method that takes
/// its kind: [`Projection::apply`] a [`StoredEvent`],
/// [`Projection::apply_row`] a [`FeedRow`].
pub(crate) trait PageEvent: Sized + Send {
    /// A page of the tenant's log in this form.
    fn read<S: EventStore + ?Sized>(
        store: &S,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<super::FeedPage<Self>, JournalError>;

    fn apply_to<R: ReadStore, P: Projection<R>>(
        &self,
        projection: &mut P,
        tx: &mut R::Tx<'_>,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError>;
}

impl PageEvent for StoredEvent {
    fn read<S: EventStore + ?Sized>(
        store: &S,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<super::FeedPage<Self>, JournalError> {
        store.read_feed(tenant, after, limit)
    }

    fn apply_to<R: ReadStore, P: Projection<R>>(
        &self,
        projection: &mut P,
        tx: &mut R::Tx<'_>,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        projection.apply(tx, self, source)
    }
}

impl PageEvent for FeedRow {
    fn read<S: EventStore + ?Sized>(
        store: &S,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<super::FeedPage<Self>, JournalError> {
        store.read_feed_rows(tenant, after, limit)
    }

    fn apply_to<R: ReadStore, P: Projection<R>>(
        &self,
        projection: &mut P,
        tx: &mut R::Tx<'_>,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        projection.apply_row(tx, self, source)
    }
}

/// Clears `projection`'s read model for `tenant` and sets its checkpoint
/// to zero, refusing tables of a newer schema version.
pub(crate) fn clear_for_rebuild<R: ReadStore, P: Projection<R>>(
    read: &R,
    projection: &mut P,
    tenant: &TenantId,
) -> Result<(), ProjectionError> {
    let version = projection.schema_version();
    let name = projection.name().to_owned();
    read.in_transaction(|tx| {
        projection.setup(tx)?;
        if let Some(found) = R::checkpoint(tx, &name, tenant)? {
            if found.schema_version > version {
                return Err(ProjectionError::SchemaTooNew {
                    projection: name.clone(),
                    found: found.schema_version,
                    known: version,
                });
            }
        }
        projection.clear(tx, tenant)?;
        let zero = Checkpoint {
            position: 0,
            schema_version: version,
        };
        R::set_checkpoint(tx, &name, tenant, zero)
    })
}
