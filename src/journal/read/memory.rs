//! [`MemoryReadStore`]: read models in memory, for tests and short-lived
//! programs.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::index::{CaseTables, case_projections, is_work_for};
use super::{
    CaseIndex, CaseKey, CaseQueries, CaseRow, Checkpoint, Page, ProjectionError, ReadStore,
    WorkItem, WorkQueue,
};
use crate::actor::Actor;
use crate::id::{OrgId, TenantId};
use crate::tier::Tier;

/// Read models in memory. Its transaction is the store's lock: a
/// projection's changes and its checkpoint are written together under it.
/// Nothing survives the process.
#[derive(Default)]
pub struct MemoryReadStore {
    tables: Mutex<MemoryTables>,
}

impl fmt::Debug for MemoryReadStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tables = self.lock();
        f.debug_struct("MemoryReadStore")
            .field("cases", &tables.cases.len())
            .field("work", &tables.work.len())
            .field("checkpoints", &tables.checkpoints.len())
            .finish_non_exhaustive()
    }
}

/// The tables of a [`MemoryReadStore`], as a projection's transaction sees
/// them: the crate's read models, and a table of any type for a user's own
/// projection ([`table`](MemoryTables::table)).
#[derive(Default)]
pub struct MemoryTables {
    checkpoints: HashMap<(String, TenantId), Checkpoint>,
    cases: HashMap<TenantId, BTreeMap<CaseKey, CaseRow>>,
    work: HashMap<TenantId, BTreeMap<CaseKey, WorkItem>>,
    others: HashMap<TypeId, Box<dyn Any + Send>>,
}

impl fmt::Debug for MemoryTables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTables")
            .field("cases", &self.cases.len())
            .field("work", &self.work.len())
            .finish_non_exhaustive()
    }
}

impl MemoryTables {
    /// The table of type `T` (created empty on first use): where a user's
    /// projection on the memory store keeps its read model.
    pub fn table<T: Default + Send + 'static>(&mut self) -> &mut T {
        self.others
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut::<T>()
            .expect("the table under T's type id is a T")
    }
}

impl MemoryReadStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the store's tables: a user's projection queries its own table
    /// here.
    pub fn with_tables<T>(&self, f: impl FnOnce(&mut MemoryTables) -> T) -> T {
        f(&mut self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, MemoryTables> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Refuses to read `name`'s table when a newer version wrote it.
    fn check_schema(
        tables: &MemoryTables,
        name: &str,
        tenant: &TenantId,
        known: u32,
    ) -> Result<(), ProjectionError> {
        let found = tables
            .checkpoints
            .get(&(name.to_owned(), tenant.clone()))
            .map(|c| c.schema_version);
        match found {
            Some(found) if found > known => Err(ProjectionError::SchemaTooNew {
                projection: name.to_owned(),
                found,
                known,
            }),
            _ => Ok(()),
        }
    }

    fn cases_where(
        &self,
        tenant: &TenantId,
        page: &Page,
        keep: impl Fn(&CaseRow) -> bool,
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        let tables = self.lock();
        Self::check_schema(&tables, CaseIndex::NAME, tenant, CaseIndex::SCHEMA_VERSION)?;
        let Some(cases) = tables.cases.get(tenant) else {
            return Ok(Vec::new());
        };
        Ok(cases
            .range(range_after(page))
            .map(|(_, row)| row)
            .filter(|row| keep(row))
            .take(page.limit)
            .cloned()
            .collect())
    }

    fn work_where(
        &self,
        tenant: &TenantId,
        page: &Page,
        keep: impl Fn(&WorkItem) -> bool,
    ) -> Result<Vec<WorkItem>, ProjectionError> {
        let tables = self.lock();
        Self::check_schema(&tables, WorkQueue::NAME, tenant, WorkQueue::SCHEMA_VERSION)?;
        let Some(work) = tables.work.get(tenant) else {
            return Ok(Vec::new());
        };
        Ok(work
            .range(range_after(page))
            .map(|(_, item)| item)
            .filter(|item| keep(item))
            .take(page.limit)
            .cloned()
            .collect())
    }
}

fn range_after(page: &Page) -> (Bound<CaseKey>, Bound<CaseKey>) {
    match &page.after {
        Some(key) => (Bound::Excluded(key.clone()), Bound::Unbounded),
        None => (Bound::Unbounded, Bound::Unbounded),
    }
}

impl ReadStore for MemoryReadStore {
    type Tx<'a> = MutexGuard<'a, MemoryTables>;

    fn in_transaction<T>(
        &self,
        f: impl FnOnce(&mut Self::Tx<'_>) -> Result<T, ProjectionError>,
    ) -> Result<T, ProjectionError> {
        f(&mut self.lock())
    }

    fn checkpoint(
        tx: &mut Self::Tx<'_>,
        name: &str,
        tenant: &TenantId,
    ) -> Result<Option<Checkpoint>, ProjectionError> {
        Ok(tx
            .checkpoints
            .get(&(name.to_owned(), tenant.clone()))
            .copied())
    }

    fn set_checkpoint(
        tx: &mut Self::Tx<'_>,
        name: &str,
        tenant: &TenantId,
        checkpoint: Checkpoint,
    ) -> Result<(), ProjectionError> {
        tx.checkpoints
            .insert((name.to_owned(), tenant.clone()), checkpoint);
        Ok(())
    }
}

impl CaseTables for MutexGuard<'_, MemoryTables> {
    fn put_case(&mut self, tenant: &TenantId, row: &CaseRow) -> Result<(), ProjectionError> {
        self.cases
            .entry(tenant.clone())
            .or_default()
            .insert(row.key.clone(), row.clone());
        Ok(())
    }

    fn put_work(
        &mut self,
        tenant: &TenantId,
        key: &CaseKey,
        item: Option<&WorkItem>,
    ) -> Result<(), ProjectionError> {
        let work = self.work.entry(tenant.clone()).or_default();
        match item {
            Some(item) => work.insert(key.clone(), item.clone()),
            None => work.remove(key),
        };
        Ok(())
    }

    fn clear_cases(&mut self, tenant: &TenantId) -> Result<(), ProjectionError> {
        self.cases.remove(tenant);
        Ok(())
    }

    fn clear_work(&mut self, tenant: &TenantId) -> Result<(), ProjectionError> {
        self.work.remove(tenant);
        Ok(())
    }

    fn create_case_tables(&mut self) -> Result<(), ProjectionError> {
        Ok(())
    }

    fn create_work_tables(&mut self) -> Result<(), ProjectionError> {
        Ok(())
    }
}

case_projections!(MemoryReadStore);

impl CaseQueries for MemoryReadStore {
    fn case(&self, tenant: &TenantId, key: &CaseKey) -> Result<Option<CaseRow>, ProjectionError> {
        let tables = self.lock();
        Self::check_schema(&tables, CaseIndex::NAME, tenant, CaseIndex::SCHEMA_VERSION)?;
        Ok(tables
            .cases
            .get(tenant)
            .and_then(|cases| cases.get(key))
            .cloned())
    }

    fn open_cases_of(
        &self,
        tenant: &TenantId,
        body: &OrgId,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        self.cases_where(tenant, page, |row| {
            row.is_open() && row.body.as_ref() == Some(body)
        })
    }

    fn overdue_at(
        &self,
        tenant: &TenantId,
        tier: Tier,
        now: DateTime<Utc>,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        self.cases_where(tenant, page, |row| {
            row.is_open() && row.tier == Some(tier) && row.next_due.is_some_and(|d| d < now)
        })
    }

    fn due_before(
        &self,
        tenant: &TenantId,
        at: DateTime<Utc>,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError> {
        self.cases_where(tenant, page, |row| {
            row.is_open() && row.next_due.is_some_and(|d| d < at)
        })
    }

    fn work_of(
        &self,
        tenant: &TenantId,
        body: &OrgId,
        page: &Page,
    ) -> Result<Vec<WorkItem>, ProjectionError> {
        self.work_where(tenant, page, |item| item.body.as_ref() == Some(body))
    }

    fn work_for(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        page: &Page,
    ) -> Result<Vec<WorkItem>, ProjectionError> {
        self.work_where(tenant, page, |item| is_work_for(item, actor))
    }
}
