//! [`LiveMetrics`]: [`GovernanceMetrics`] kept as events arrive.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::{CaseKey, MemoryReadStore, MemoryTables, Projection, ProjectionError};
use crate::id::TenantId;
use crate::journal::{EventStore, Journaled, StoredEvent, StreamKey, decode};
use crate::metrics::{CaseFacts, GovernanceMetrics, Measured};
use crate::workflow::Recorded;

/// The governance metrics of a tenant's cases, kept as events arrive: each
/// event updates its case's [`CaseFacts`], and [`metrics`](LiveMetrics::metrics)
/// adds the facts up — equal to [`GovernanceMetrics::observe_case`] over
/// the same histories, in case order, without reading a history again.
///
/// On the [`MemoryReadStore`] (the facts have no table layout yet). A case
/// that is still open keeps its history in memory (to read its facts
/// again); an ended case keeps only its facts.
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
/// let metrics = LiveMetrics::metrics(runner.read_store(), runner.tenant());
/// assert_eq!(metrics.total().received(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LiveMetrics {
    by_type: HashMap<String, Box<dyn FactsOf>>,
}

impl fmt::Debug for LiveMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.by_type.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("LiveMetrics")
            .field("workflows", &names)
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

impl LiveMetrics {
    /// The name its checkpoint is kept under.
    pub const NAME: &'static str = "governance_metrics";
    /// The schema version of its facts.
    pub const SCHEMA_VERSION: u32 = 1;

    /// Metrics following no workflow yet.
    pub fn new() -> Self {
        Self {
            by_type: HashMap::new(),
        }
    }

    /// The same metrics, following workflow `W`'s cases too.
    #[must_use]
    pub fn with<W: Measured + Journaled>(mut self) -> Self {
        self.by_type.insert(
            W::NAME.to_owned(),
            Box::new(Histories::<W> {
                open: HashMap::new(),
            }),
        );
        self
    }

    /// The metrics of `tenant`'s cases so far.
    pub fn metrics(read: &MemoryReadStore, tenant: &TenantId) -> GovernanceMetrics {
        read.with_tables(|tables| {
            let mut metrics = GovernanceMetrics::new();
            if let Some(cases) = tables.table::<FactsTable>().cases.get(tenant) {
                for facts in cases.values() {
                    metrics.observe(facts);
                }
            }
            metrics
        })
    }
}

/// One workflow's open cases' histories.
trait FactsOf: Send {
    /// The facts of the event's case after it (`None`: not a case yet).
    fn apply(
        &mut self,
        event: &StoredEvent,
        source: &dyn EventStore,
    ) -> Result<Option<CaseFacts>, ProjectionError>;
}

struct Histories<W: Journaled> {
    open: HashMap<StreamKey, Vec<Recorded<W::Event>>>,
}

impl<W: Measured + Journaled> FactsOf for Histories<W> {
    fn apply(
        &mut self,
        event: &StoredEvent,
        source: &dyn EventStore,
    ) -> Result<Option<CaseFacts>, ProjectionError> {
        let mut history = match self.open.remove(&event.stream) {
            Some(h) if h.len() as u64 + 1 == event.version => h,
            // A restart, or a page applied again: read what came before.
            _ => source
                .read_stream(&event.stream, 0)?
                .iter()
                .take_while(|r| r.version < event.version)
                .map(decode::<W>)
                .collect::<Result<Vec<_>, _>>()?,
        };
        history.push(decode::<W>(event)?);
        let facts = W::case_facts(&history);
        let mut state = W::initial();
        for recorded in &history {
            state = W::evolve(state, &recorded.event);
        }
        if !W::is_terminal(&state) {
            self.open.insert(event.stream.clone(), history);
        }
        Ok(facts)
    }
}

impl Projection<MemoryReadStore> for LiveMetrics {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn schema_version(&self) -> u32 {
        Self::SCHEMA_VERSION
    }

    fn setup(
        &mut self,
        _: &mut std::sync::MutexGuard<'_, MemoryTables>,
    ) -> Result<(), ProjectionError> {
        Ok(())
    }

    fn apply(
        &mut self,
        tx: &mut std::sync::MutexGuard<'_, MemoryTables>,
        event: &StoredEvent,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        let Some(tracker) = self.by_type.get_mut(event.stream.stream_type.as_str()) else {
            return Ok(());
        };
        let key = CaseKey {
            stream_type: event.stream.stream_type.clone(),
            id: event.stream.id.clone(),
        };
        let cases = tx
            .table::<FactsTable>()
            .cases
            .entry(event.stream.tenant.clone())
            .or_default();
        match tracker.apply(event, source)? {
            Some(facts) => cases.insert(key, facts),
            None => cases.remove(&key),
        };
        Ok(())
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
