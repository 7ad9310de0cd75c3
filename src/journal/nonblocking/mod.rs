//! The journal in async form (feature `tokio`): [`AsyncEventStore`], its
//! SQLite and PostgreSQL stores, and the async [`AsyncJournal`],
//! [`AsyncSweeper`] and [`AsyncRunner`].
//!
//! Only I/O is async. The kernel stays synchronous and pure: a command is
//! decided by [`Case::handle`](crate::workflow::Case::handle) on the task
//! that awaits [`AsyncJournal::handle`], between the awaited load and the
//! awaited append; hashing, encoding, decoding and verifying are the sync
//! journal's own functions. So an async store keeps every rule of the sync
//! one — optimistic concurrency, idempotent retries, the hash chain and the
//! anchors, the payload limits, the due index — and one conformance suite
//! (`tests/journal_conformance.rs`) runs on both.
//!
//! - [`AsyncEventStore`]: the methods of [`EventStore`], each returning a
//!   `Send` future (return-position `impl Future` in the trait: no boxing,
//!   no macro). It is not object safe; be generic over it.
//! - `AsyncSqliteStore` (features `tokio` and `sqlite`): a `SqliteStore`
//!   whose calls run on tokio's blocking threads.
//! - `AsyncPostgresStore` (features `tokio` and `postgres`): the
//!   PostgreSQL store on `tokio-postgres`, with a pool of connections
//!   (`deadpool-postgres`): the same schema, migrations and SQL as
//!   `PostgresStore`, so the two can share a database.
//! - [`AsyncJournal`]: [`Journal`](super::Journal) in async form, with the
//!   same case cache and retries.
//! - [`AsyncSweeper`]: [`Sweeper`](super::Sweeper) in async form, with a
//!   [`run`](AsyncSweeper::run) loop for a background task that stops when
//!   a future (a shutdown signal) completes.
//! - [`AsyncRunner`]: [`Runner`](super::read::Runner) in async form: the
//!   tenant's feed is read asynchronously, each page is applied to the
//!   (synchronous) read store in one transaction with its checkpoint.
//!
//! # Example
//!
//! A case handled through the async journal on SQLite, and the sweeper as
//! a background task that stops on a shutdown signal:
//!
//! ```
//! # #[cfg(feature = "sqlite")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chrono::{Duration, TimeZone, Utc};
//! use grassroots::actor::{Actor, Role};
//! use grassroots::escalation::{Ladder, LadderCommand, PolicyBook};
//! use grassroots::journal::{AsyncJournal, AsyncSqliteStore};
//! use grassroots::org::Need;
//! use grassroots::tier::Severity;
//! use grassroots::workflow::Context;
//! # use grassroots::calendar::WorkingCalendar;
//! # use grassroots::matter::DisputeKind;
//! # use grassroots::org::{Capability, Org, OrgGraph, OrgKind};
//! # let mut graph = OrgGraph::new();
//! # graph.try_add_org(Org::new("grid-7".parse()?, "Grid 7", OrgKind::Grid)
//! #     .with_capabilities([Capability::Mediation(DisputeKind::Labour)]))?;
//! # let ladder = Ladder::new(PolicyBook::default(), graph, WorkingCalendar::prc());
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("journal.db");
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! # runtime.block_on(async {
//! let store = AsyncSqliteStore::open(path).await?;
//! let journal = AsyncJournal::new(store, "longgang".parse()?);
//! let worker = Actor::new("gw-1".parse()?).with_role(Role::GridWorker);
//! let monday = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
//! let start = LadderCommand::Start {
//!     location: "grid-7".parse()?,
//!     need: Need::Mediation(DisputeKind::Labour),
//!     severity: Severity::Minor,
//!     due: None,
//! };
//! let ctx = Context::new(monday, &worker);
//! let done = journal.handle(&ladder, &"M-1".parse()?, &start, &ctx).await?;
//! assert_eq!(done.case.version(), 1);
//!
//! // The sweeper's loop until a shutdown signal (a service sends it on
//! // SIGTERM; here the first sweep does). Its clock says two weeks later,
//! // so the case's deadline has passed.
//! let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
//! let mut shutdown = Some(shutdown);
//! let stopped = async move {
//!     let _ = signal.await;
//! };
//! let clock = move || monday + Duration::days(14);
//! let mut ticked = 0;
//! let sweeper = journal.sweeper(ladder);
//! sweeper
//!     .run(std::time::Duration::from_secs(60), clock, stopped, |report| {
//!         ticked += report.map_or(0, |r| r.ticked.len());
//!         if let Some(shutdown) = shutdown.take() {
//!             shutdown.send(()).ok();
//!         }
//!     })
//!     .await;
//! assert_eq!(ticked, 1);
//! assert!(journal.load::<Ladder>(&"M-1".parse()?).await?.version() > 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })
//! # }
//! # #[cfg(not(feature = "sqlite"))]
//! # fn main() {}
//! ```

mod handle;
#[cfg(feature = "postgres")]
mod postgres;
mod runner;
#[cfg(feature = "sqlite")]
mod sqlite;
mod sweep;

use std::future::Future;
use std::sync::Arc;

#[allow(unused_imports)] // used by the doc links above
use super::EventStore;
use super::{
    Appended, DueEntry, DueQuery, DueUpdate, FeedPage, JournalError, NewEvent, Snapshot,
    StoredEvent, StreamAppend, StreamHead, StreamKey, StreamType,
};
use crate::id::{CaseId, TenantId};

pub use handle::AsyncJournal;
#[cfg(feature = "postgres")]
pub use postgres::{AsyncPostgresOptions, AsyncPostgresStore, DEFAULT_MAX_CONNECTIONS};
pub use runner::AsyncRunner;
#[cfg(feature = "sqlite")]
pub use sqlite::AsyncSqliteStore;
pub use sweep::AsyncSweeper;

/// Where events are kept, in async form: the methods of [`EventStore`],
/// each returning a `Send` future, with the same contracts (see each sync
/// method) and the same defaults.
///
/// Implementations take `&self` and are `Send` and `Sync`, so one store is
/// shared by many tasks (behind an [`Arc`], or by reference). The trait is
/// not object safe (its methods return `impl Future`); be generic over it.
/// A future dropped before it completes (a timeout, a cancelled request)
/// writes nothing or everything: a transaction in flight is rolled back
/// (PostgreSQL) or runs to its end on its blocking thread (SQLite).
pub trait AsyncEventStore: Send + Sync {
    /// [`EventStore::append`]: appends `events` to `stream` at
    /// `expected_version`, all or none, leaving the due index as it is.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::append`]; on every error nothing is written.
    fn append(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
    ) -> impl Future<Output = Result<Appended, JournalError>> + Send {
        self.append_with_due(stream, expected_version, events, DueUpdate::Keep)
    }

    /// [`EventStore::append_with_due`]: [`append`](Self::append), moving
    /// the stream's entry in the due index in the same transaction.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::append_with_due`].
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> impl Future<Output = Result<Appended, JournalError>> + Send;

    /// [`EventStore::append_streams`]: appends to several streams, each
    /// part on its own. The default appends the parts one after another.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::append_streams`].
    fn append_streams(
        &self,
        batch: &[StreamAppend<'_>],
    ) -> impl Future<Output = Result<Vec<Result<Appended, JournalError>>, JournalError>> + Send
    {
        async move {
            let mut outcomes = Vec::with_capacity(batch.len());
            for part in batch {
                outcomes.push(
                    self.append_with_due(part.stream, part.expected_version, part.events, part.due)
                        .await,
                );
            }
            Ok(outcomes)
        }
    }

    /// [`EventStore::due`]: one page of the due index.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::due`].
    fn due(
        &self,
        query: &DueQuery,
    ) -> impl Future<Output = Result<Vec<DueEntry>, JournalError>> + Send;

    /// [`EventStore::claim_due`]: one page of the due index, leased.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::claim_due`].
    fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> impl Future<Output = Result<Vec<DueEntry>, JournalError>> + Send;

    /// [`EventStore::replace_due`]: replaces a workflow's entries of the
    /// due index in one transaction.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::replace_due`].
    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> impl Future<Output = Result<(), JournalError>> + Send;

    /// [`EventStore::read_stream`]: the events of `stream` after version
    /// `after`.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::read_stream`].
    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, JournalError>> + Send;

    /// [`EventStore::read_feed`]: one page of a tenant's log, rows that do
    /// not read back set aside.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::read_feed`].
    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> impl Future<Output = Result<FeedPage, JournalError>> + Send;

    /// [`EventStore::read_all`]: one page of a tenant's log, or the error
    /// of its first row that does not read back.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::read_all`].
    fn read_all(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, JournalError>> + Send {
        async move {
            let page = self.read_feed(tenant, after, limit).await?;
            match page.skipped.into_iter().next() {
                Some(bad) => Err(bad.error),
                None => Ok(page.events),
            }
        }
    }

    /// [`EventStore::anchor`]: the stream's anchored head (`None` by
    /// default).
    ///
    /// # Errors
    ///
    /// As for [`EventStore::anchor`].
    fn anchor(
        &self,
        stream: &StreamKey,
    ) -> impl Future<Output = Result<Option<StreamHead>, JournalError>> + Send {
        let _ = stream;
        async { Ok(None) }
    }

    /// [`EventStore::stream_version`]: the number of events in `stream`.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::stream_version`].
    fn stream_version(
        &self,
        stream: &StreamKey,
    ) -> impl Future<Output = Result<u64, JournalError>> + Send;

    /// [`EventStore::list_streams`]: one page of a workflow's cases, in id
    /// order.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::list_streams`].
    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<CaseId>, JournalError>> + Send;

    /// [`EventStore::snapshot`]: the latest snapshot of `stream` (`None`
    /// by default).
    ///
    /// # Errors
    ///
    /// As for [`EventStore::snapshot`].
    fn snapshot(
        &self,
        stream: &StreamKey,
    ) -> impl Future<Output = Result<Option<Snapshot>, JournalError>> + Send {
        let _ = stream;
        async { Ok(None) }
    }

    /// [`EventStore::put_snapshot`]: keeps `snapshot` as its stream's
    /// latest.
    ///
    /// # Errors
    ///
    /// As for [`EventStore::put_snapshot`]
    /// ([`JournalError::SnapshotsUnsupported`] by default).
    fn put_snapshot(
        &self,
        snapshot: &Snapshot,
    ) -> impl Future<Output = Result<(), JournalError>> + Send {
        let _ = snapshot;
        async { Err(JournalError::SnapshotsUnsupported) }
    }
}

/// Forwards the store's methods through a pointer to a store.
macro_rules! forward_async_event_store {
    ($($pointer:ty),+) => {$(
        impl<S: AsyncEventStore + ?Sized> AsyncEventStore for $pointer {
            fn append(
                &self,
                stream: &StreamKey,
                expected_version: u64,
                events: &[NewEvent],
            ) -> impl Future<Output = Result<Appended, JournalError>> + Send {
                (**self).append(stream, expected_version, events)
            }
            fn append_with_due(
                &self,
                stream: &StreamKey,
                expected_version: u64,
                events: &[NewEvent],
                due: DueUpdate,
            ) -> impl Future<Output = Result<Appended, JournalError>> + Send {
                (**self).append_with_due(stream, expected_version, events, due)
            }
            fn append_streams(
                &self,
                batch: &[StreamAppend<'_>],
            ) -> impl Future<Output = Result<Vec<Result<Appended, JournalError>>, JournalError>>
                   + Send {
                (**self).append_streams(batch)
            }
            fn due(
                &self,
                query: &DueQuery,
            ) -> impl Future<Output = Result<Vec<DueEntry>, JournalError>> + Send {
                (**self).due(query)
            }
            fn claim_due(
                &self,
                query: &DueQuery,
                lease: chrono::TimeDelta,
            ) -> impl Future<Output = Result<Vec<DueEntry>, JournalError>> + Send {
                (**self).claim_due(query, lease)
            }
            fn replace_due(
                &self,
                tenant: &TenantId,
                stream_type: &StreamType,
                entries: &[DueEntry],
            ) -> impl Future<Output = Result<(), JournalError>> + Send {
                (**self).replace_due(tenant, stream_type, entries)
            }
            fn read_stream(
                &self,
                stream: &StreamKey,
                after: u64,
            ) -> impl Future<Output = Result<Vec<StoredEvent>, JournalError>> + Send {
                (**self).read_stream(stream, after)
            }
            fn read_feed(
                &self,
                tenant: &TenantId,
                after: u64,
                limit: usize,
            ) -> impl Future<Output = Result<FeedPage, JournalError>> + Send {
                (**self).read_feed(tenant, after, limit)
            }
            fn read_all(
                &self,
                tenant: &TenantId,
                after: u64,
                limit: usize,
            ) -> impl Future<Output = Result<Vec<StoredEvent>, JournalError>> + Send {
                (**self).read_all(tenant, after, limit)
            }
            fn anchor(
                &self,
                stream: &StreamKey,
            ) -> impl Future<Output = Result<Option<StreamHead>, JournalError>> + Send {
                (**self).anchor(stream)
            }
            fn snapshot(
                &self,
                stream: &StreamKey,
            ) -> impl Future<Output = Result<Option<Snapshot>, JournalError>> + Send {
                (**self).snapshot(stream)
            }
            fn put_snapshot(
                &self,
                snapshot: &Snapshot,
            ) -> impl Future<Output = Result<(), JournalError>> + Send {
                (**self).put_snapshot(snapshot)
            }
            fn stream_version(
                &self,
                stream: &StreamKey,
            ) -> impl Future<Output = Result<u64, JournalError>> + Send {
                (**self).stream_version(stream)
            }
            fn list_streams(
                &self,
                tenant: &TenantId,
                stream_type: &StreamType,
                after: Option<&CaseId>,
                limit: usize,
            ) -> impl Future<Output = Result<Vec<CaseId>, JournalError>> + Send {
                (**self).list_streams(tenant, stream_type, after, limit)
            }
        }
    )+};
}

forward_async_event_store!(&S, Arc<S>, Box<S>);
