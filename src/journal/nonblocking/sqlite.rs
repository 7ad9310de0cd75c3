//! [`AsyncSqliteStore`]: the SQLite journal on tokio's blocking threads
//! (features `tokio` and `sqlite`).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::AsyncEventStore;
use crate::id::{CaseId, TenantId};
use crate::journal::{
    Appended, DueEntry, DueQuery, DueUpdate, EventStore, FeedPage, JournalError, NewEvent,
    SqliteOptions, SqliteStore, StoredEvent, StreamAppend, StreamHead, StreamKey, StreamType,
};

const BACKEND: &str = "sqlite";

/// Runs `f` on tokio's blocking threads and awaits its result.
///
/// # Errors
///
/// `f`'s error; [`JournalError::TaskFailed`] when there is no tokio runtime
/// to send `f` to, or `f` did not run to its end there (it panicked, or the
/// runtime shut down first) — never a panic on the awaiting task.
pub(super) async fn on_blocking_thread<T, F>(backend: &'static str, f: F) -> Result<T, JournalError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, JournalError> + Send + 'static,
{
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| JournalError::TaskFailed {
        backend,
        source,
    };
    let runtime = tokio::runtime::Handle::try_current().map_err(|e| failed(Box::new(e)))?;
    // The store's own spans (an append's) are children of the caller's
    // (the command's), though they open on another thread.
    #[cfg(feature = "tracing")]
    let f = {
        let parent = tracing::Span::current();
        move || parent.in_scope(f)
    };
    runtime
        .spawn_blocking(f)
        .await
        .map_err(|e| failed(Box::new(e)))?
}

/// The SQLite journal for async code: a [`SqliteStore`] whose every call
/// runs on tokio's blocking threads (`spawn_blocking`), its arguments
/// copied into the call, so the awaiting task never blocks.
///
/// The rules are the sync store's own — it is the same store: WAL, one
/// writer at a time, `BEGIN IMMEDIATE`, the hash chain, anchors, the due
/// index. Cloning an `AsyncSqliteStore` is cheap (an [`Arc`]); the sync
/// store stays reachable through [`sync_store`](Self::sync_store), for a
/// projection or a tool that wants it.
///
/// A call's future dropped before it completes does not stop the call: it
/// runs to its end on its blocking thread (all of an append or none of
/// it), and its answer is dropped.
#[derive(Debug, Clone)]
pub struct AsyncSqliteStore {
    store: Arc<SqliteStore>,
}

impl AsyncSqliteStore {
    /// The async face of `store`.
    pub fn new(store: SqliteStore) -> Self {
        Self::from(Arc::new(store))
    }

    /// Opens (or creates) the journal in the file at `path` with the
    /// default [`SqliteOptions`], on a blocking thread (see
    /// [`SqliteStore::open`]).
    ///
    /// # Errors
    ///
    /// As for [`SqliteStore::open`]; [`JournalError::TaskFailed`] when the
    /// blocking thread fails.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        Self::open_with(path, SqliteOptions::default()).await
    }

    /// Opens (or creates) the journal in the file at `path`, on a blocking
    /// thread (see [`SqliteStore::open_with`]).
    ///
    /// # Errors
    ///
    /// As for [`open`](Self::open).
    pub async fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<Self, JournalError> {
        let path: PathBuf = path.as_ref().to_owned();
        let store =
            on_blocking_thread(BACKEND, move || SqliteStore::open_with(path, options)).await?;
        Ok(Self::new(store))
    }

    /// The synchronous store underneath.
    pub fn sync_store(&self) -> &Arc<SqliteStore> {
        &self.store
    }

    /// Runs `call` on the store on a blocking thread.
    fn run<T, F>(&self, call: F) -> impl Future<Output = Result<T, JournalError>> + Send + 'static
    where
        T: Send + 'static,
        F: FnOnce(&SqliteStore) -> Result<T, JournalError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        on_blocking_thread(BACKEND, move || call(&store))
    }
}

impl From<Arc<SqliteStore>> for AsyncSqliteStore {
    fn from(store: Arc<SqliteStore>) -> Self {
        Self { store }
    }
}

impl AsyncEventStore for AsyncSqliteStore {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> impl Future<Output = Result<Appended, JournalError>> + Send {
        let (stream, events) = (stream.clone(), events.to_vec());
        self.run(move |store| store.append_with_due(&stream, expected_version, &events, due))
    }

    fn append_streams(
        &self,
        batch: &[StreamAppend<'_>],
    ) -> impl Future<Output = Result<Vec<Result<Appended, JournalError>>, JournalError>> + Send
    {
        let owned: Vec<(StreamKey, u64, Vec<NewEvent>, DueUpdate)> = batch
            .iter()
            .map(|part| {
                let events = part.events.to_vec();
                (part.stream.clone(), part.expected_version, events, part.due)
            })
            .collect();
        self.run(move |store| {
            let batch: Vec<StreamAppend<'_>> = owned
                .iter()
                .map(|(stream, expected_version, events, due)| StreamAppend {
                    stream,
                    expected_version: *expected_version,
                    events,
                    due: *due,
                })
                .collect();
            store.append_streams(&batch)
        })
    }

    fn due(
        &self,
        query: &DueQuery,
    ) -> impl Future<Output = Result<Vec<DueEntry>, JournalError>> + Send {
        let query = query.clone();
        self.run(move |store| store.due(&query))
    }

    fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> impl Future<Output = Result<Vec<DueEntry>, JournalError>> + Send {
        let query = query.clone();
        self.run(move |store| store.claim_due(&query, lease))
    }

    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> impl Future<Output = Result<(), JournalError>> + Send {
        let (tenant, stream_type, entries) =
            (tenant.clone(), stream_type.clone(), entries.to_vec());
        self.run(move |store| store.replace_due(&tenant, &stream_type, &entries))
    }

    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, JournalError>> + Send {
        let stream = stream.clone();
        self.run(move |store| store.read_stream(&stream, after))
    }

    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> impl Future<Output = Result<FeedPage, JournalError>> + Send {
        let tenant = tenant.clone();
        self.run(move |store| store.read_feed(&tenant, after, limit))
    }

    fn read_all(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, JournalError>> + Send {
        let tenant = tenant.clone();
        self.run(move |store| store.read_all(&tenant, after, limit))
    }

    fn anchor(
        &self,
        stream: &StreamKey,
    ) -> impl Future<Output = Result<Option<StreamHead>, JournalError>> + Send {
        let stream = stream.clone();
        self.run(move |store| store.anchor(&stream))
    }

    fn snapshot(
        &self,
        stream: &StreamKey,
    ) -> impl Future<Output = Result<Option<crate::journal::Snapshot>, JournalError>> + Send {
        let stream = stream.clone();
        self.run(move |store| store.snapshot(&stream))
    }

    fn put_snapshot(
        &self,
        snapshot: &crate::journal::Snapshot,
    ) -> impl Future<Output = Result<(), JournalError>> + Send {
        let snapshot = snapshot.clone();
        self.run(move |store| store.put_snapshot(&snapshot))
    }

    fn stream_version(
        &self,
        stream: &StreamKey,
    ) -> impl Future<Output = Result<u64, JournalError>> + Send {
        let stream = stream.clone();
        self.run(move |store| store.stream_version(&stream))
    }

    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<CaseId>, JournalError>> + Send {
        let (tenant, stream_type, after) = (tenant.clone(), stream_type.clone(), after.cloned());
        self.run(move |store| store.list_streams(&tenant, &stream_type, after.as_ref(), limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_call_that_panics_on_its_blocking_thread_is_a_typed_error() {
        let result = runtime().block_on(on_blocking_thread::<(), _>(BACKEND, || {
            panic!("a bug in the store")
        }));
        let error = result.expect_err("the call panicked");
        match &error {
            JournalError::TaskFailed { backend, source } => {
                assert_eq!(*backend, "sqlite");
                assert!(source.to_string().contains("panic"), "{source}");
            }
            other => panic!("expected a failed task, got {other:?}"),
        }
        use crate::i18n::Localized;
        assert!(error.zh().contains("阻塞线程"), "{}", error.zh());
    }

    #[test]
    fn a_call_polled_outside_a_runtime_is_a_typed_error() {
        // A future polled by another executor than tokio's.
        let future = on_blocking_thread(BACKEND, || Ok(1));
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(Err(JournalError::TaskFailed { backend, .. })) => {
                assert_eq!(backend, "sqlite");
            }
            other => panic!("expected a failed task, got {other:?}"),
        }
    }

    #[test]
    fn the_async_store_is_the_sync_store() {
        let store = AsyncSqliteStore::new(SqliteStore::open_in_memory().unwrap());
        let stream: StreamKey = StreamKey::new(
            "t".parse().unwrap(),
            "ticket".parse().unwrap(),
            "T-1".parse().unwrap(),
        );
        let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
        let event = NewEvent::new(
            "e-1".parse().unwrap(),
            "Opened",
            serde_json::json!("Opened"),
            "gw-7".parse().unwrap(),
            at,
        );
        let appended = runtime()
            .block_on(store.append(&stream, 0, &[event]))
            .unwrap();
        assert_eq!(appended.version, 1);
        assert_eq!(store.sync_store().stream_version(&stream).unwrap(), 1);
    }
}
