//! [`AsyncRunner`]: [`Runner`](crate::journal::read::Runner) in async form —
//! the tenant's feed read from an [`AsyncEventStore`], a batch of pages
//! applied to the read store in one transaction with its checkpoint.

use std::collections::HashMap;
use std::sync::Mutex;

use super::AsyncEventStore;
use crate::id::{CaseId, TenantId};
use crate::journal::read::{
    CaughtUp, Cursor, DEFAULT_BATCH, DEFAULT_PAGE, Projection, ProjectionError, ReadStore,
    apply_page, clear_for_rebuild, start_position,
};
use crate::journal::{
    Appended, DueEntry, DueQuery, DueUpdate, EventStore, FeedPage, JournalError, NewEvent,
    StoredEvent, StreamHead, StreamKey, StreamType,
};

/// How many times one page is applied at most: the first try, one after
/// reading ahead every case the page continues, and a few for streams a
/// projection reads beyond the page.
const MOST_PASSES: u32 = 6;

/// Catches projections up with a tenant's log in an async store:
/// [`Runner`](crate::journal::read::Runner) in async form, with the same
/// checkpoints, pages and guarantees (each page and its checkpoint commit
/// together; a run cut off loses only its uncommitted page).
///
/// The log is read with the async store. [`Projection`]s and
/// [`ReadStore`]s stay synchronous: each page is applied in one read-store
/// transaction on the task that awaits [`catch_up`](Self::catch_up) —
/// memory work with the [`MemoryReadStore`](crate::journal::read::MemoryReadStore);
/// with a SQLite or PostgreSQL read store, the page's commit blocks that
/// task's thread, so give the runner a task of its own.
///
/// A projection that reads a case's earlier events from its `source`
/// (the crate's read models do, for a case they meet in the middle: after
/// a restart, or a page applied again) is served from the streams read
/// ahead for the page: when it asks for one that was not, the page's
/// transaction is rolled back, the streams the page continues are read
/// from the async store, and the page is applied again — at most a few
/// times. Its `source` answers reads only (`read_stream`, `anchor`,
/// `stream_version`); anything else is refused with
/// [`JournalError::Backend`].
#[derive(Debug)]
pub struct AsyncRunner<S, R> {
    store: S,
    tenant: TenantId,
    read: R,
    page: usize,
    batch: usize,
}

impl<S: AsyncEventStore, R: ReadStore> AsyncRunner<S, R> {
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
    /// page) in one read-store transaction, as
    /// [`Runner::with_batch`](crate::journal::read::Runner::with_batch)
    /// does. The pages are read before the transaction begins (the read
    /// store is synchronous), so the batch's events are held in memory
    /// until it commits. Reading and applying do not overlap here; the
    /// synchronous [`Runner`](crate::journal::read::Runner) with
    /// [`with_read_ahead`](crate::journal::read::Runner::with_read_ahead)
    /// reads the next pages while it applies, for a first catch-up or a
    /// rebuild of a city-scale log (run it with `spawn_blocking`).
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
    /// order, until the log holds no more: see
    /// [`Runner::catch_up`](crate::journal::read::Runner::catch_up).
    ///
    /// # Errors
    ///
    /// As for [`Runner::catch_up`](crate::journal::read::Runner::catch_up).
    pub async fn catch_up<P: Projection<R>>(
        &self,
        projection: &mut P,
    ) -> Result<CaughtUp, ProjectionError> {
        let start = start_position(&self.read, projection, &self.tenant)?;
        let mut done = CaughtUp {
            events: 0,
            skipped: Vec::new(),
            position: start,
        };
        loop {
            let after = done.position;
            let page = self.read_batch(after).await?;
            if page.next_after == after {
                return Ok(done);
            }
            if let Some(moved) = self.apply(projection, after, &page).await? {
                // Another runner moved the checkpoint: go on from there.
                done.position = moved;
                continue;
            }
            done.events += page.events.len();
            done.skipped.extend(page.skipped.iter().map(|s| s.position));
            done.position = page.next_after;
        }
    }

    /// Pages after `after`, read until they hold the batch or one comes
    /// back short (the log's end), as one page.
    async fn read_batch(&self, after: u64) -> Result<FeedPage, JournalError> {
        let mut batch = self.store.read_feed(&self.tenant, after, self.page).await?;
        let mut cursor = Cursor::from_first(&batch, self.page, self.batch);
        while cursor.has_more() {
            let next = self
                .store
                .read_feed(&self.tenant, cursor.position(), self.page)
                .await?;
            if !cursor.advance(&next) {
                break;
            }
            batch.events.extend(next.events);
            batch.skipped.extend(next.skipped);
            batch.next_after = next.next_after;
        }
        Ok(batch)
    }

    /// Clears `projection`'s read model for the tenant and its checkpoint,
    /// then catches it up from the start of the log.
    ///
    /// # Errors
    ///
    /// As for [`catch_up`](Self::catch_up).
    pub async fn rebuild<P: Projection<R>>(
        &self,
        projection: &mut P,
    ) -> Result<CaughtUp, ProjectionError> {
        clear_for_rebuild(&self.read, projection, &self.tenant)?;
        self.catch_up(projection).await
    }

    /// `projection`'s checkpoint in this tenant's log (0 before its first
    /// run); reads the read store only.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::Backend`] when storage fails.
    pub fn position<P: Projection<R>>(&self, projection: &P) -> Result<u64, ProjectionError> {
        self.read.in_transaction(|tx| {
            Ok(R::checkpoint(tx, projection.name(), &self.tenant)?.map_or(0, |c| c.position))
        })
    }

    /// Applies one page with its checkpoint, reading ahead the streams the
    /// projection asks its source for; where the checkpoint stands when
    /// another runner moved it meanwhile (nothing is then applied).
    async fn apply<P: Projection<R>>(
        &self,
        projection: &mut P,
        after: u64,
        page: &FeedPage,
    ) -> Result<Option<u64>, ProjectionError> {
        let mut source = PageSource::default();
        let mut passes = 0;
        loop {
            passes += 1;
            // The span is a guard of the current thread: closed before any
            // `.await`.
            let wanted = {
                let span = crate::journal::trace::projection_page(
                    projection.name(),
                    &self.tenant,
                    after,
                    page.events.len(),
                    page.next_after,
                );
                let applied =
                    apply_page(&self.read, projection, &self.tenant, after, page, &source);
                let error = match applied {
                    Ok(moved) => return Ok(moved),
                    Err(error) => error,
                };
                projection.discard();
                let mut wanted = source.take_missed();
                if !wanted.is_empty() && passes == 1 {
                    // A case met in the middle is seldom alone (a restart
                    // meets every open case): read ahead every case the
                    // page continues.
                    let continued = page.events.iter().filter(|e| e.version > 1);
                    wanted.extend(continued.map(|e| e.stream.clone()));
                }
                wanted.sort_unstable();
                wanted.dedup();
                wanted.retain(|stream| !source.streams.contains_key(stream));
                if wanted.is_empty() || passes >= MOST_PASSES {
                    return Err(span.failed(error));
                }
                wanted
            };
            for stream in wanted {
                // The anchor first: rows only grow after it is read.
                let anchor = self.store.anchor(&stream).await?;
                let rows = self.store.read_stream(&stream, 0).await?;
                source.streams.insert(stream, (anchor, rows));
            }
        }
    }
}

/// Why the source of a projection under the [`AsyncRunner`] did not answer.
#[derive(Debug, thiserror::Error)]
enum PageSourceError {
    /// The stream was not read ahead for this page (it is, before the
    /// page is applied again).
    #[error("stream {0} was not read ahead for this page")]
    NotReadAhead(StreamKey),
    /// The call is not a read of a stream.
    #[error("a projection under the async runner cannot call {0}")]
    Unavailable(&'static str),
}

fn refused(error: PageSourceError) -> JournalError {
    JournalError::Backend {
        backend: "async runner",
        source: Box::new(error),
    }
}

/// The journal as a projection sees it under the [`AsyncRunner`]: the
/// streams read ahead for the page, each with the anchor read before it.
#[derive(Debug, Default)]
struct PageSource {
    streams: HashMap<StreamKey, (Option<StreamHead>, Vec<StoredEvent>)>,
    /// The streams asked for and not read ahead, in the order asked.
    missed: Mutex<Vec<StreamKey>>,
}

impl PageSource {
    fn take_missed(&self) -> Vec<StreamKey> {
        std::mem::take(&mut *self.missed.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn stream(
        &self,
        stream: &StreamKey,
    ) -> Result<&(Option<StreamHead>, Vec<StoredEvent>), JournalError> {
        self.streams.get(stream).ok_or_else(|| {
            let mut missed = self.missed.lock().unwrap_or_else(|e| e.into_inner());
            missed.push(stream.clone());
            refused(PageSourceError::NotReadAhead(stream.clone()))
        })
    }
}

impl EventStore for PageSource {
    fn append_with_due(
        &self,
        _: &StreamKey,
        _: u64,
        _: &[NewEvent],
        _: DueUpdate,
    ) -> Result<Appended, JournalError> {
        Err(refused(PageSourceError::Unavailable("append")))
    }

    fn due(&self, _: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        Err(refused(PageSourceError::Unavailable("due")))
    }

    fn claim_due(&self, _: &DueQuery, _: chrono::TimeDelta) -> Result<Vec<DueEntry>, JournalError> {
        Err(refused(PageSourceError::Unavailable("claim_due")))
    }

    fn replace_due(
        &self,
        _: &TenantId,
        _: &StreamType,
        _: &[DueEntry],
    ) -> Result<(), JournalError> {
        Err(refused(PageSourceError::Unavailable("replace_due")))
    }

    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        let (_, rows) = self.stream(stream)?;
        Ok(rows.iter().filter(|r| r.version > after).cloned().collect())
    }

    fn read_feed(&self, _: &TenantId, _: u64, _: usize) -> Result<FeedPage, JournalError> {
        Err(refused(PageSourceError::Unavailable("read_feed")))
    }

    fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        Ok(self.stream(stream)?.0)
    }

    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        let (_, rows) = self.stream(stream)?;
        Ok(rows.last().map_or(0, |r| r.version))
    }

    fn list_streams(
        &self,
        _: &TenantId,
        _: &StreamType,
        _: Option<&CaseId>,
        _: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        Err(refused(PageSourceError::Unavailable("list_streams")))
    }
}
