//! [`LiveMetrics`]: [`GovernanceMetrics`] kept as events arrive.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::{
    CaseKey, FastMap, Generations, MemoryReadStore, MemoryTables, Projection, ProjectionError,
    ReadStore,
};
use crate::id::TenantId;
use crate::journal::{
    EventStore, FeedRow, JournalError, Journaled, StoredEvent, StreamKey, decode, decode_row_event,
};
use crate::metrics::{CaseFacts, GovernanceMetrics, Measured};
use crate::workflow::{Recorded, Workflow};

/// The governance metrics of a tenant's cases, kept as events arrive: each
/// event updates its case's [`CaseFacts`], and [`metrics`](LiveMetrics::metrics)
/// adds the facts up — equal to [`GovernanceMetrics::observe_case`] over
/// the same histories, without reading a history again.
///
/// On every read store: the [`MemoryReadStore`] keeps the facts in a map;
/// `SqliteReadStore` and `PostgresReadStore` in the table
/// `grassroots_case_facts`, one row per case with a typed column per fact,
/// written in the transaction that moves the checkpoint, which a user may
/// query with SQL too. Its schema version is [`SCHEMA_VERSION`](Self::SCHEMA_VERSION);
/// facts written at a newer one are refused
/// ([`ProjectionError::SchemaTooNew`]). The columns (SQLite type /
/// PostgreSQL type; times in microseconds since the Unix epoch, durations
/// in microseconds, flags 0 or 1):
///
/// | column | type | holds |
/// |---|---|---|
/// | `tenant`, `stream_type`, `case_id` | `TEXT` / `text` | the case (primary key) |
/// | `case_type` | `TEXT` / `text` | [`CaseType`](crate::metrics::CaseType): `dispute`, `service_request`, a custom workflow's name |
/// | `need` | `TEXT` / `text` | the [`Need`](crate::org::Need) as it displays: `mediation(labour)`, `legal_aid` |
/// | `received_at` | `INTEGER` / `bigint` | [`CaseFacts::received_at`] |
/// | `body`, `tier` | `TEXT` / `text`, null | the organisation and tier the case counts under |
/// | `exclusion` | `TEXT` / `text`, null | `withdrawn`, `duplicate`, `returned`; null: eligible |
/// | `responded`, `resolved`, `overdue`, `mediated` | `INTEGER` / `int` | flags |
/// | `resolved_on_time`, `within_ceiling` | `INTEGER` / `int`, null | flags; null where they do not apply |
/// | `agreement` | `TEXT` / `text`, null | `pending`, `fulfilled`, `breached` |
/// | `ratings`, `satisfied` | `INTEGER` / `bigint` | counts |
/// | `ladder_started_at`, `ladder_ceiling` | `TEXT` / `text`, null | tiers of the ladder's report |
/// | `ladder_outcome`, `ladder_outcome_tier`, `ladder_referral` | `TEXT` / `text` | `open`; `resolved` at a tier; `referred_out` from a tier to `arbitration`, `litigation` or `administrative` |
/// | `ladder_escalations`, `ladder_overrides` | `INTEGER` / `bigint` | counts |
/// | `time_at_grid` … `time_at_municipal` | `INTEGER` / `bigint`, null | time at the tier; null: never there |
///
/// A case's facts are read from its whole history
/// ([`Measured::case_facts`]), so the projection keeps the histories of
/// recently seen open cases in memory ([`with_cache`](Self::with_cache));
/// a case it does not hold (after a restart, an eviction, a page applied
/// again) has its earlier events read from the journal.
///
/// ```
/// # use grassroots::journal::read::{LiveMetrics, MemoryReadStore, Runner};
/// # use grassroots::journal::MemoryStore;
/// use grassroots::{Dispute, ServiceRequest};
///
/// let store = MemoryStore::new();
/// let runner = Runner::new(&store, "longgang".parse()?, MemoryReadStore::new());
/// let mut live = LiveMetrics::new().with::<Dispute>().with::<ServiceRequest>();
/// runner.catch_up(&mut live)?;
/// let metrics = LiveMetrics::metrics(runner.read_store(), runner.tenant())?;
/// assert_eq!(metrics.total().received(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LiveMetrics {
    by_type: FastMap<String, Box<dyn FactsOf>>,
    cache: usize,
    /// The page's last facts of each case (`None`: not a case), written at
    /// the page's end by the SQL read stores.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pending: BTreeMap<StreamKey, Option<CaseFacts>>,
}

impl fmt::Debug for LiveMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.by_type.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("LiveMetrics")
            .field("workflows", &names)
            .field("cache", &self.cache)
            .finish()
    }
}

impl Default for LiveMetrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The facts of every case, by tenant and case.
#[derive(Default)]
struct FactsTable {
    cases: HashMap<TenantId, BTreeMap<CaseKey, CaseFacts>>,
}

/// How many open cases' histories [`LiveMetrics`] keeps per workflow by
/// default (see [`LiveMetrics::with_cache`]).
pub const DEFAULT_HISTORIES: usize = 20_000;

impl LiveMetrics {
    /// The name its checkpoint is kept under.
    pub const NAME: &'static str = "governance_metrics";
    /// The schema version of its facts (and of the SQL table
    /// `grassroots_case_facts`).
    pub const SCHEMA_VERSION: u32 = 1;

    /// Metrics following no workflow yet, keeping up to
    /// [`DEFAULT_HISTORIES`] open cases' histories per workflow.
    pub fn new() -> Self {
        Self {
            by_type: FastMap::default(),
            cache: DEFAULT_HISTORIES,
            pending: BTreeMap::new(),
        }
    }

    /// The same metrics, following workflow `W`'s cases too.
    ///
    /// Register every workflow before the first catch-up, as for
    /// [`CaseIndex::with`](super::CaseIndex::with): a workflow added later
    /// is followed from the checkpoint on until a
    /// [`Runner::rebuild`](super::Runner::rebuild); metrics following no
    /// workflow refuse to catch up
    /// ([`ProjectionError::NothingFollowed`]).
    #[must_use]
    pub fn with<W: Measured + Journaled>(mut self) -> Self {
        self.by_type.insert(
            W::NAME.to_owned(),
            Box::new(Histories::<W>::new(self.cache)),
        );
        self
    }

    /// Refuses a catch-up of metrics that follow no workflow
    /// ([`require_followed`](super::require_followed)).
    pub(crate) fn follow_something(&self) -> Result<(), ProjectionError> {
        super::require_followed(Self::NAME, self.by_type.len())
    }

    /// The same metrics, keeping at most `cases` open cases' histories per
    /// workflow in memory (0: none; every event then reads its case's
    /// earlier events from the journal). The histories are a cache: the
    /// facts are the same whatever its size, only the journal reads differ.
    #[must_use]
    pub fn with_cache(mut self, cases: usize) -> Self {
        self.cache = cases;
        for tracker in self.by_type.values_mut() {
            tracker.set_capacity(cases);
        }
        self
    }

    /// The metrics of `tenant`'s cases so far, from the facts in `read`:
    /// equal to [`GovernanceMetrics::observe_case`] over the histories
    /// applied.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::SchemaTooNew`] when a newer library wrote the
    /// facts; [`ProjectionError::Corrupt`] for a row no projection could
    /// have written; [`ProjectionError::Backend`] when storage fails.
    pub fn metrics<R: MetricsQueries + ?Sized>(
        read: &R,
        tenant: &TenantId,
    ) -> Result<GovernanceMetrics, ProjectionError> {
        read.governance_metrics(tenant)
    }

    /// The facts of the event's case after it; `None` for a workflow not
    /// followed, `Some(None)` when its history is not a case.
    pub(crate) fn facts_after(
        &mut self,
        event: Incoming<'_>,
        source: &dyn EventStore,
    ) -> Result<Option<Option<CaseFacts>>, ProjectionError> {
        match self.by_type.get_mut(event.stream().stream_type.as_str()) {
            Some(tracker) => tracker.apply(event, source).map(Some),
            None => Ok(None),
        }
    }

    /// Applies `event`, keeping the facts it leaves for [`take_pending`](Self::take_pending).
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn gather(
        &mut self,
        event: Incoming<'_>,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        if let Some(facts) = self.facts_after(event, source)? {
            self.pending.insert(event.stream().clone(), facts);
        }
        Ok(())
    }

    /// The page's facts, last per case, in key order.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn take_pending(&mut self) -> BTreeMap<StreamKey, Option<CaseFacts>> {
        std::mem::take(&mut self.pending)
    }

    /// Forgets the page's facts (a page not committed, a rebuild).
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn forget_pending(&mut self) {
        self.pending.clear();
    }
}

impl LiveMetrics {
    /// Applies `event` to the memory store's facts.
    fn put_in_memory(
        &mut self,
        tx: &mut std::sync::MutexGuard<'_, MemoryTables>,
        event: Incoming<'_>,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        let Some(facts) = self.facts_after(event, source)? else {
            return Ok(());
        };
        let stream = event.stream();
        let key = CaseKey {
            stream_type: stream.stream_type.clone(),
            id: stream.id.clone(),
        };
        let cases = tx
            .table::<FactsTable>()
            .cases
            .entry(stream.tenant.clone())
            .or_default();
        match facts {
            Some(facts) => cases.insert(key, facts),
            None => cases.remove(&key),
        };
        Ok(())
    }
}

/// The queries of [`LiveMetrics`], answered by every read store.
pub trait MetricsQueries {
    /// The facts kept of one case, if it has a row.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::SchemaTooNew`] when a newer library wrote the
    /// facts; [`ProjectionError::Corrupt`] for a row no projection could
    /// have written; [`ProjectionError::Backend`] when storage fails.
    fn case_facts(
        &self,
        tenant: &TenantId,
        key: &CaseKey,
    ) -> Result<Option<CaseFacts>, ProjectionError>;

    /// Every case's facts added up (see [`LiveMetrics::metrics`]).
    ///
    /// # Errors
    ///
    /// As for [`case_facts`](Self::case_facts).
    fn governance_metrics(&self, tenant: &TenantId) -> Result<GovernanceMetrics, ProjectionError>;
}

/// Refuses facts a newer library wrote, given the checkpoint found.
pub(crate) fn check_version(found: Option<u32>) -> Result<(), ProjectionError> {
    match found {
        Some(found) if found > LiveMetrics::SCHEMA_VERSION => Err(ProjectionError::SchemaTooNew {
            projection: LiveMetrics::NAME.to_owned(),
            found,
            known: LiveMetrics::SCHEMA_VERSION,
        }),
        _ => Ok(()),
    }
}

impl MetricsQueries for MemoryReadStore {
    fn case_facts(
        &self,
        tenant: &TenantId,
        key: &CaseKey,
    ) -> Result<Option<CaseFacts>, ProjectionError> {
        self.in_transaction(|tables| {
            let found = Self::checkpoint(tables, LiveMetrics::NAME, tenant)?;
            check_version(found.map(|c| c.schema_version))?;
            Ok(tables
                .table::<FactsTable>()
                .cases
                .get(tenant)
                .and_then(|cases| cases.get(key))
                .cloned())
        })
    }

    fn governance_metrics(&self, tenant: &TenantId) -> Result<GovernanceMetrics, ProjectionError> {
        self.in_transaction(|tables| {
            let found = Self::checkpoint(tables, LiveMetrics::NAME, tenant)?;
            check_version(found.map(|c| c.schema_version))?;
            let mut metrics = GovernanceMetrics::new();
            if let Some(cases) = tables.table::<FactsTable>().cases.get(tenant) {
                for facts in cases.values() {
                    metrics.observe(facts);
                }
            }
            Ok(metrics)
        })
    }
}

/// An event of the log as [`LiveMetrics`] takes it: a stored event, or a
/// feed row whose payload is decoded straight from its text (parsed once,
/// not into a `Value` first).
#[derive(Clone, Copy)]
pub(crate) enum Incoming<'a> {
    Stored(&'a StoredEvent),
    Row(&'a FeedRow),
}

impl Incoming<'_> {
    fn stream(&self) -> &StreamKey {
        match self {
            Incoming::Stored(event) => &event.stream,
            Incoming::Row(row) => &row.stream,
        }
    }

    fn version(&self) -> u64 {
        match self {
            Incoming::Stored(event) => event.version,
            Incoming::Row(row) => row.version,
        }
    }

    /// The recorded event, with every check [`decode`] makes.
    fn decode<W: Journaled>(&self) -> Result<Recorded<W::Event>, JournalError> {
        match self {
            Incoming::Stored(event) => decode::<W>(event),
            Incoming::Row(row) => Ok(Recorded {
                seq: row.version,
                at: row.occurred_at,
                actor: row.actor.clone(),
                correlation: row.correlation.clone(),
                event: decode_row_event::<W>(row)?,
            }),
        }
    }
}

/// One workflow's recently seen open cases.
trait FactsOf: Send {
    /// The facts of the event's case after it (`None`: not a case).
    fn apply(
        &mut self,
        event: Incoming<'_>,
        source: &dyn EventStore,
    ) -> Result<Option<CaseFacts>, ProjectionError>;

    fn set_capacity(&mut self, cases: usize);
}

/// An open case: its history and the state it leads to.
struct Open<W: Workflow> {
    history: Vec<Recorded<W::Event>>,
    state: W::State,
}

/// The histories of the open cases kept in memory (see [`Generations`]).
type Histories<W> = Generations<Open<W>>;

impl<W: Measured + Journaled> FactsOf for Histories<W> {
    fn apply(
        &mut self,
        event: Incoming<'_>,
        source: &dyn EventStore,
    ) -> Result<Option<CaseFacts>, ProjectionError> {
        let (stream, version) = (event.stream(), event.version());
        let mut open = match self.take(stream) {
            // The event right after the last one kept: go on from there.
            Some(open) if open.history.len() as u64 + 1 == version => open,
            // A restart, an evicted or ended case, a page applied again:
            // read what came before from the journal.
            _ => {
                let mut open = Open::<W> {
                    history: Vec::new(),
                    state: W::initial(),
                };
                if version > 1 {
                    for row in source
                        .read_stream(stream, 0)?
                        .iter()
                        .take_while(|r| r.version < version)
                    {
                        let recorded = decode::<W>(row)?;
                        W::evolve_in_place(&mut open.state, &recorded.event);
                        open.history.push(recorded);
                    }
                }
                open
            }
        };
        let recorded = event.decode::<W>()?;
        W::evolve_in_place(&mut open.state, &recorded.event);
        open.history.push(recorded);
        let facts = W::case_facts(&open.history);
        if !W::is_terminal(&open.state) {
            self.keep(stream.clone(), open);
        }
        Ok(facts)
    }

    fn set_capacity(&mut self, cases: usize) {
        Generations::set_capacity(self, cases);
    }
}

impl Projection<MemoryReadStore> for LiveMetrics {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn schema_version(&self) -> u32 {
        Self::SCHEMA_VERSION
    }

    fn reads_rows(&self) -> bool {
        true
    }

    fn setup(
        &mut self,
        _: &mut std::sync::MutexGuard<'_, MemoryTables>,
    ) -> Result<(), ProjectionError> {
        self.follow_something()
    }

    fn apply(
        &mut self,
        tx: &mut std::sync::MutexGuard<'_, MemoryTables>,
        event: &StoredEvent,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        self.put_in_memory(tx, Incoming::Stored(event), source)
    }

    fn apply_row(
        &mut self,
        tx: &mut std::sync::MutexGuard<'_, MemoryTables>,
        row: &FeedRow,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        self.put_in_memory(tx, Incoming::Row(row), source)
    }

    fn clear(
        &mut self,
        tx: &mut std::sync::MutexGuard<'_, MemoryTables>,
        tenant: &TenantId,
    ) -> Result<(), ProjectionError> {
        tx.table::<FactsTable>().cases.remove(tenant);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispute::Dispute;

    fn stream(n: u32) -> StreamKey {
        StreamKey::new(
            "t".parse().unwrap(),
            "dispute".parse().unwrap(),
            format!("C-{n}").parse().unwrap(),
        )
    }

    fn open() -> Open<Dispute> {
        Open {
            history: Vec::new(),
            state: <Dispute as Workflow>::initial(),
        }
    }

    #[test]
    fn the_histories_kept_never_exceed_the_cache() {
        for capacity in [0, 1, 2, 3, 10] {
            let mut kept = Histories::<Dispute>::new(capacity);
            for n in 0..50 {
                kept.keep(stream(n), open());
                assert!(kept.len() <= capacity, "{capacity}: {}", kept.len());
            }
            // The case kept last is there, unless nothing is kept.
            assert_eq!(kept.take(&stream(49)).is_some(), capacity > 0);
        }
    }

    /// A page of the log through `apply_row` (the payload decoded straight
    /// from its text, as the runner hands it) leaves the facts `apply`
    /// leaves with the same rows as stored events; a payload that is JSON
    /// but not its event stops the catch-up with the decoder's typed error
    /// on the row path too.
    #[cfg(feature = "sim")]
    #[test]
    fn feed_rows_leave_the_facts_stored_events_leave_and_the_same_errors() {
        use crate::journal::{Journaled, MemoryStore, encode};
        use crate::load::{City, CityCase, CityYear};
        use crate::service::ServiceRequest;
        use crate::work_order::WorkOrder;
        use crate::workflow::Case;

        fn append<W: Journaled>(store: &MemoryStore, tenant: &TenantId, case: &Case<W>) {
            let stream = StreamKey::of::<W>(tenant.clone(), case.id().clone()).unwrap();
            let rows: Vec<_> = case
                .history()
                .iter()
                .map(|recorded| encode::<W>(&stream, recorded).unwrap())
                .collect();
            store.append(&stream, 0, &rows).unwrap();
        }

        let year = CityYear::small().with_seed(7);
        let city = City::build(&year).unwrap();
        let (store, tenant): (MemoryStore, TenantId) = (MemoryStore::new(), "t".parse().unwrap());
        let mut keys = Vec::new();
        for n in 0..40 {
            match city.play(n).case {
                CityCase::Dispute(c) => {
                    append(&store, &tenant, &c);
                    keys.push(CaseKey {
                        stream_type: "dispute".parse().unwrap(),
                        id: c.id().clone(),
                    });
                }
                CityCase::ServiceRequest(c) => {
                    append(&store, &tenant, &c);
                    keys.push(CaseKey {
                        stream_type: "service_request".parse().unwrap(),
                        id: c.id().clone(),
                    });
                }
                CityCase::WorkOrder(c) => {
                    append(&store, &tenant, &c);
                    keys.push(CaseKey {
                        stream_type: "work_order".parse().unwrap(),
                        id: c.id().clone(),
                    });
                }
            }
        }
        assert!(
            keys.iter().any(|k| k.stream_type.as_str() == "work_order"),
            "the mix has work orders"
        );
        let live = || {
            LiveMetrics::new()
                .with::<Dispute>()
                .with::<ServiceRequest>()
                .with::<WorkOrder>()
        };

        // Rows, through the runner.
        let runner = super::super::Runner::new(&store, tenant.clone(), MemoryReadStore::new());
        let done = runner.catch_up(&mut live()).unwrap();
        assert!(done.events > 40 && done.skipped.is_empty());
        // Stored events, through `apply`.
        let by_events = MemoryReadStore::new();
        let mut metrics = live();
        let events = store.read_feed(&tenant, 0, usize::MAX).unwrap().events;
        by_events
            .in_transaction(|tx| {
                Projection::<MemoryReadStore>::setup(&mut metrics, tx)?;
                MemoryReadStore::set_checkpoint(
                    tx,
                    LiveMetrics::NAME,
                    &tenant,
                    super::super::Checkpoint {
                        position: done.position,
                        schema_version: LiveMetrics::SCHEMA_VERSION,
                    },
                )?;
                events.iter().try_for_each(|event| {
                    Projection::<MemoryReadStore>::apply(&mut metrics, tx, event, &store)
                })
            })
            .unwrap();
        for key in &keys {
            let (row, stored) = (
                runner.read_store().case_facts(&tenant, key).unwrap(),
                by_events.case_facts(&tenant, key).unwrap(),
            );
            assert!(row.is_some(), "{key}");
            assert_eq!(row, stored, "{key}");
        }
        assert_eq!(
            LiveMetrics::metrics(runner.read_store(), &tenant).unwrap(),
            LiveMetrics::metrics(&by_events, &tenant).unwrap()
        );

        // A dispute's second event stored as JSON that is not its event.
        let CityCase::Dispute(case) = (0..)
            .map(|n| city.play(n).case)
            .find(|c| matches!(c, CityCase::Dispute(d) if d.history().len() > 1))
            .unwrap()
        else {
            unreachable!()
        };
        let poisoned = MemoryStore::new();
        let stream = StreamKey::of::<Dispute>(tenant.clone(), case.id().clone()).unwrap();
        let mut rows: Vec<_> = case.history()[..2]
            .iter()
            .map(|recorded| encode::<Dispute>(&stream, recorded).unwrap())
            .collect();
        rows[1].payload = serde_json::json!({ "Nope": 1 });
        poisoned.append(&stream, 0, &rows).unwrap();
        let runner = super::super::Runner::new(&poisoned, tenant.clone(), MemoryReadStore::new());
        match runner.catch_up(&mut live()) {
            Err(ProjectionError::Journal(e)) => assert!(
                matches!(
                    *e,
                    JournalError::Decode { version: 2, .. }
                        | JournalError::EventTypeMismatch { version: 2, .. }
                ),
                "{e:?}"
            ),
            other => panic!("expected the decoder's error, got {other:?}"),
        }
    }
}
