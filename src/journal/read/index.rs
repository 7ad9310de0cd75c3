//! The case index and the work queue: what each case is and who must act
//! on it next, kept from the log.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{FastMap, Generations, ProjectionError};
use crate::actor::{Actor, Role};
use crate::id::{CaseId, OrgId, TenantId};
use crate::journal::{
    EventStore, FeedRow, JournalError, Journaled, StoredEvent, StreamKey, StreamType, decode_event,
    decode_row_event,
};
use crate::tier::Tier;
use crate::workflow::{HasKind, Kind, KindName};

/// A workflow whose cases the [`CaseIndex`] and the [`WorkQueue`] follow:
/// it says, from a state alone, what the index shows of a case.
///
/// The crate's [`Dispute`](crate::dispute::Dispute),
/// [`ServiceRequest`](crate::service::ServiceRequest) and
/// [`WorkOrder`](crate::work_order::WorkOrder) implement it.
pub trait Indexed: Journaled {
    /// What the index shows of a case in `state`.
    fn summary(state: &Self::State) -> CaseSummary;
}

/// What the index shows of a case in one state (see [`Indexed`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSummary {
    /// The tier handling the case, if any.
    pub tier: Option<Tier>,
    /// The body handling the case, if any.
    pub body: Option<OrgId>,
    /// How many parties the case has (1 for a service request's applicant).
    pub parties: u32,
    /// Who must act next, unless the case waits on no one (a new or
    /// ended case).
    pub waiting: Option<Waiting>,
}

/// Who a case waits on, and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The act awaited, in a word or two: `accept`, `sign for`, `assign
    /// mediators`, `sign`, `review the extension`, `visit`.
    pub action: &'static str,
    /// The body that must act (or at which the actor acts), if one.
    pub body: Option<OrgId>,
    /// The role that must act.
    pub role: Role,
}

/// A case's place in the index: its workflow and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseKey {
    /// The workflow.
    pub stream_type: StreamType,
    /// The case.
    pub id: CaseId,
}

impl CaseKey {
    /// The key of case `id` of workflow `W`, its stream type named by
    /// `W::NAME`.
    ///
    /// ```
    /// use grassroots::journal::read::CaseKey;
    /// use grassroots::work_order::WorkOrder;
    ///
    /// let key = CaseKey::of::<WorkOrder>("WO-1".parse()?)?;
    /// assert_eq!(key.to_string(), "work_order/WO-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`IdError`](crate::id::IdError) when `W::NAME` is not a valid stream
    /// type.
    pub fn of<W: crate::workflow::Workflow>(id: CaseId) -> Result<Self, crate::id::IdError> {
        Ok(Self {
            stream_type: StreamType::of::<W>()?,
            id,
        })
    }
}

impl fmt::Display for CaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.stream_type, self.id)
    }
}

/// One case in the [`CaseIndex`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// The workflow and case.
    pub key: CaseKey,
    /// The name of its state's kind (`Mediating`, `InProcess`).
    pub state: String,
    /// The tier handling it, if any.
    pub tier: Option<Tier>,
    /// The body handling it, if any.
    pub body: Option<OrgId>,
    /// How many parties it has.
    pub parties: u32,
    /// When its first event was recorded (its `occurred_at`).
    pub opened: DateTime<Utc>,
    /// When the event that ended it was recorded; `None` while open.
    pub closed: Option<DateTime<Utc>>,
    /// When its timer is next due, while open
    /// ([`Workflow::next_due`](crate::workflow::Workflow::next_due)).
    pub next_due: Option<DateTime<Utc>>,
    /// Its version: the number of events applied.
    pub version: u64,
}

impl CaseRow {
    /// Whether the case is still open.
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

/// One open case in the [`WorkQueue`]: who must act on it next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    /// The workflow and case.
    pub key: CaseKey,
    /// The act awaited ([`Waiting::action`]).
    pub action: String,
    /// The body that must act, if one.
    pub body: Option<OrgId>,
    /// The role that must act.
    pub role: Role,
    /// The time of the case's last event.
    pub since: DateTime<Utc>,
    /// When its timer is next due, if it has one.
    pub due: Option<DateTime<Utc>>,
}

/// One page of a query: at most `limit` rows after `after`, ordered by
/// [`CaseKey`]. Pass the last row's key as `after` for the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The key the page starts after (`None`: from the first).
    pub after: Option<CaseKey>,
    /// The most rows the page holds.
    pub limit: usize,
}

impl Page {
    /// The first `limit` rows.
    pub fn first(limit: usize) -> Self {
        Self { after: None, limit }
    }

    /// The `limit` rows after `key`.
    pub fn after(key: CaseKey, limit: usize) -> Self {
        Self {
            after: Some(key),
            limit,
        }
    }
}

/// The queries of the [`CaseIndex`] and the [`WorkQueue`], answered by
/// every read store. Each pages by [`CaseKey`] ([`Page`]).
pub trait CaseQueries {
    /// The index's row of one case, if it has one.
    ///
    /// # Errors
    ///
    /// [`ProjectionError::SchemaTooNew`] when a newer library wrote the
    /// tables; [`ProjectionError::Backend`] when storage fails.
    fn case(&self, tenant: &TenantId, key: &CaseKey) -> Result<Option<CaseRow>, ProjectionError>;

    /// The open cases handled by `body`.
    ///
    /// A case is handled by a body once its workflow names one (each
    /// workflow's [`Indexed`] impl says when): a dispute is routed when it
    /// is accepted, so a reported dispute is in no body's list yet; it is
    /// in the [`WorkQueue`], waiting for an officer to accept it.
    ///
    /// # Errors
    ///
    /// As for [`case`](Self::case).
    fn open_cases_of(
        &self,
        tenant: &TenantId,
        body: &OrgId,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError>;

    /// The open cases at `tier` whose timer was due before `now`.
    ///
    /// # Errors
    ///
    /// As for [`case`](Self::case).
    fn overdue_at(
        &self,
        tenant: &TenantId,
        tier: Tier,
        now: DateTime<Utc>,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError>;

    /// The open cases whose timer is due before `at`.
    ///
    /// # Errors
    ///
    /// As for [`case`](Self::case).
    fn due_before(
        &self,
        tenant: &TenantId,
        at: DateTime<Utc>,
        page: &Page,
    ) -> Result<Vec<CaseRow>, ProjectionError>;

    /// The work waiting at `body`, whoever must do it.
    ///
    /// # Errors
    ///
    /// As for [`case`](Self::case).
    fn work_of(
        &self,
        tenant: &TenantId,
        body: &OrgId,
        page: &Page,
    ) -> Result<Vec<WorkItem>, ProjectionError>;

    /// The work `actor` may do: items waiting on a role the actor holds
    /// (an officer of a tier serves lower tiers too, see
    /// [`Role::satisfies`]), at the body the actor acts for or at no body.
    ///
    /// # Errors
    ///
    /// As for [`case`](Self::case).
    fn work_for(
        &self,
        tenant: &TenantId,
        actor: &Actor,
        page: &Page,
    ) -> Result<Vec<WorkItem>, ProjectionError>;
}

/// A role as the read models store it: `grid_worker`, `officer(community)`,
/// a custom role's name — the text [`Role`]'s `FromStr` reads back.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn role_key(role: &Role) -> String {
    match role {
        Role::Officer(tier) => format!("officer({tier})"),
        other => other.as_str().to_owned(),
    }
}

/// The role keys work for `actor` may wait on.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn role_keys_for(actor: &Actor) -> Vec<String> {
    let mut keys = Vec::new();
    for role in actor.roles() {
        match role {
            Role::Officer(held) => {
                for tier in Tier::ALL.into_iter().filter(|t| t <= held) {
                    keys.push(role_key(&Role::Officer(tier)));
                }
            }
            other => keys.push(role_key(other)),
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Whether `item` is work `actor` may do (see [`CaseQueries::work_for`]).
pub(crate) fn is_work_for(item: &WorkItem, actor: &Actor) -> bool {
    actor.roles().iter().any(|r| r.satisfies(item.role))
        && item.body.as_ref().is_none_or(|b| actor.acts_for(b))
}

/// How a read store's transaction writes the case index and the work
/// queue.
pub(crate) trait CaseTables {
    fn put_case(&mut self, tenant: &TenantId, row: &CaseRow) -> Result<(), ProjectionError>;
    /// Writes `rows`, all of `tenant` and each of another case: a page's
    /// changes. The default writes them one by one.
    fn put_cases(&mut self, tenant: &TenantId, rows: &[CaseRow]) -> Result<(), ProjectionError> {
        rows.iter().try_for_each(|row| self.put_case(tenant, row))
    }
    fn put_work(
        &mut self,
        tenant: &TenantId,
        key: &CaseKey,
        item: Option<&WorkItem>,
    ) -> Result<(), ProjectionError>;
    fn clear_cases(&mut self, tenant: &TenantId) -> Result<(), ProjectionError>;
    fn clear_work(&mut self, tenant: &TenantId) -> Result<(), ProjectionError>;
    fn create_case_tables(&mut self) -> Result<(), ProjectionError>;
    fn create_work_tables(&mut self) -> Result<(), ProjectionError>;
}

/// A case after an event, as the trackers see it: what its index row
/// and work item are built from when the page is flushed (the case's key is
/// the stream's).
pub(crate) struct Tracked {
    /// The name of its state's kind.
    state: KindName,
    summary: CaseSummary,
    opened: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
    next_due: Option<DateTime<Utc>>,
    version: u64,
    /// When the event was recorded.
    at: DateTime<Utc>,
}

impl Tracked {
    fn key(stream: &StreamKey) -> CaseKey {
        CaseKey {
            stream_type: stream.stream_type.clone(),
            id: stream.id.clone(),
        }
    }

    /// The case's row in the index.
    fn row(self, stream: &StreamKey) -> CaseRow {
        CaseRow {
            key: Self::key(stream),
            state: self.state.as_str().to_owned(),
            tier: self.summary.tier,
            body: self.summary.body,
            parties: self.summary.parties,
            opened: self.opened,
            closed: self.closed,
            next_due: self.next_due,
            version: self.version,
        }
    }

    /// Who must act next, and since when: what the work queue holds
    /// (nothing once closed).
    fn awaited(self) -> Option<Awaited> {
        if self.closed.is_some() {
            return None;
        }
        let (since, due) = (self.at, self.next_due);
        self.summary.waiting.map(|waiting| Awaited {
            waiting,
            since,
            due,
        })
    }
}

/// What the work queue holds of a case after an event: who it waits on,
/// since when, and when it is due.
struct Awaited {
    waiting: Waiting,
    since: DateTime<Utc>,
    due: Option<DateTime<Utc>>,
}

impl Awaited {
    fn item(self, stream: &StreamKey) -> WorkItem {
        WorkItem {
            key: Tracked::key(stream),
            action: self.waiting.action.to_owned(),
            body: self.waiting.body,
            role: self.waiting.role,
            since: self.since,
            due: self.due,
        }
    }
}

/// Follows one workflow's cases: keeps the state of recently seen cases,
/// and loads a case's earlier events from the journal when it has not.
pub(crate) trait Track: Send {
    fn apply(
        &mut self,
        event: &StoredEvent,
        source: &dyn EventStore,
    ) -> Result<Tracked, ProjectionError>;

    /// [`apply`](Track::apply) for a feed row, its payload decoded
    /// straight from the text.
    fn apply_row(
        &mut self,
        row: &FeedRow,
        source: &dyn EventStore,
    ) -> Result<Tracked, ProjectionError>;

    /// Keeps at most `cases` open cases in memory from now on.
    fn set_capacity(&mut self, cases: usize);
}

/// An event of the log as the trackers take it: a stored event, or a feed
/// row whose payload is still text.
pub(crate) trait Fed {
    fn stream(&self) -> &StreamKey;
    fn version(&self) -> u64;
    fn occurred_at(&self) -> DateTime<Utc>;
    /// The event, with every check [`decode_event`] makes.
    fn decode<W: Indexed>(&self) -> Result<W::Event, JournalError>;
    /// Hands the event to `tracker`'s method for its kind.
    fn track(
        &self,
        tracker: &mut dyn Track,
        source: &dyn EventStore,
    ) -> Result<Tracked, ProjectionError>;
}

impl Fed for StoredEvent {
    fn stream(&self) -> &StreamKey {
        &self.stream
    }
    fn version(&self) -> u64 {
        self.version
    }
    fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_at
    }
    fn decode<W: Indexed>(&self) -> Result<W::Event, JournalError> {
        decode_event::<W>(self)
    }
    fn track(
        &self,
        tracker: &mut dyn Track,
        source: &dyn EventStore,
    ) -> Result<Tracked, ProjectionError> {
        tracker.apply(self, source)
    }
}

impl Fed for FeedRow {
    fn stream(&self) -> &StreamKey {
        &self.stream
    }
    fn version(&self) -> u64 {
        self.version
    }
    fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_at
    }
    fn decode<W: Indexed>(&self) -> Result<W::Event, JournalError> {
        decode_row_event::<W>(self)
    }
    fn track(
        &self,
        tracker: &mut dyn Track,
        source: &dyn EventStore,
    ) -> Result<Tracked, ProjectionError> {
        tracker.apply_row(self, source)
    }
}

/// How many open cases the [`CaseIndex`] and the [`WorkQueue`] keep in
/// memory per workflow by default (see [`CaseIndex::with_cache`]).
pub const DEFAULT_TRACKED: usize = 1_000_000;

struct Tracker<W: Indexed> {
    /// Per open case: the version applied, the state, when it opened.
    cases: Generations<Known<W>>,
}

struct Known<W: Indexed> {
    version: u64,
    state: W::State,
    opened: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
}

impl<W: Indexed> Tracker<W> {
    fn new(capacity: usize) -> Self {
        Self {
            cases: Generations::new(capacity),
        }
    }

    /// The case of `stream` just before `version`, from the journal.
    fn load(
        stream: &StreamKey,
        version: u64,
        source: &dyn EventStore,
    ) -> Result<Option<Known<W>>, ProjectionError> {
        let rows = source.read_stream(stream, 0)?;
        let mut known: Option<Known<W>> = None;
        for row in rows.iter().take_while(|r| r.version < version) {
            let event = decode_event::<W>(row)?;
            let case = known.get_or_insert_with(|| Known::new(row.occurred_at));
            Self::step(case, &event, row);
        }
        Ok(known)
    }

    /// Applies `event`, stored as `row`, to the case where it lies.
    fn step(known: &mut Known<W>, event: &W::Event, row: &impl Fed) {
        W::evolve_in_place(&mut known.state, event);
        if known.closed.is_none() && W::is_terminal(&known.state) {
            known.closed = Some(row.occurred_at());
        }
        known.version = row.version();
    }

    /// What the read models take of the case after `row`.
    fn tracked(known: &Known<W>, row: &impl Fed) -> Tracked {
        let next_due = if W::is_terminal(&known.state) {
            None
        } else {
            W::next_due(&known.state).map(crate::journal::truncate_to_micros)
        };
        Tracked {
            state: known.state.kind().name(),
            summary: W::summary(&known.state),
            opened: known.opened,
            closed: known.closed,
            next_due,
            version: known.version,
            at: row.occurred_at(),
        }
    }
}

impl<W: Indexed> Known<W> {
    /// A case before its first event, which was recorded at `opened`.
    fn new(opened: DateTime<Utc>) -> Self {
        Self {
            version: 0,
            state: W::initial(),
            opened,
            closed: None,
        }
    }
}

impl<W: Indexed> Track for Tracker<W>
where
    W::State: Send,
{
    fn apply(
        &mut self,
        event: &StoredEvent,
        source: &dyn EventStore,
    ) -> Result<Tracked, ProjectionError> {
        self.apply_fed(event, source)
    }

    fn apply_row(
        &mut self,
        row: &FeedRow,
        source: &dyn EventStore,
    ) -> Result<Tracked, ProjectionError> {
        self.apply_fed(row, source)
    }

    fn set_capacity(&mut self, cases: usize) {
        self.cases.set_capacity(cases);
    }
}

impl<W: Indexed> Tracker<W>
where
    W::State: Send,
{
    fn apply_fed(
        &mut self,
        event: &impl Fed,
        source: &dyn EventStore,
    ) -> Result<Tracked, ProjectionError> {
        let stream = event.stream();
        // Decoded first: an event that does not decode changes nothing.
        let decoded = event.decode::<W>()?;
        // The event right after the one applied: go on from there, in
        // place (one lookup, nothing cloned).
        if let Some(known) = self.cases.young_mut(stream) {
            if known.version + 1 == event.version() {
                Self::step(known, &decoded, event);
                let tracked = Self::tracked(known, event);
                if W::is_terminal(&known.state) {
                    // Ended: no event is expected, the room is an open
                    // case's.
                    self.cases.take(stream);
                }
                return Ok(tracked);
            }
        }
        let before = match self.cases.take(stream) {
            Some(k) if k.version + 1 == event.version() => Some(k),
            // A restart, an evicted case, a page applied again after a
            // rollback: read what came before from the journal.
            _ if event.version() > 1 => Self::load(stream, event.version(), source)?,
            _ => None,
        };
        let mut known = before.unwrap_or_else(|| Known::new(event.occurred_at()));
        Self::step(&mut known, &decoded, event);
        let tracked = Self::tracked(&known, event);
        if !W::is_terminal(&known.state) {
            self.cases.keep(stream.clone(), known);
        }
        Ok(tracked)
    }
}

/// The registered workflows' trackers, by stream type.
pub(super) struct Trackers {
    by_type: FastMap<String, Box<dyn Track>>,
    /// The open cases each tracker keeps in memory.
    capacity: usize,
}

impl Default for Trackers {
    fn default() -> Self {
        Self {
            by_type: FastMap::default(),
            capacity: DEFAULT_TRACKED,
        }
    }
}

impl Trackers {
    fn add<W: Indexed>(&mut self)
    where
        W::State: Send,
    {
        self.by_type.insert(
            W::NAME.to_owned(),
            Box::new(Tracker::<W>::new(self.capacity)),
        );
    }

    fn set_capacity(&mut self, cases: usize) {
        self.capacity = cases;
        for tracker in self.by_type.values_mut() {
            tracker.set_capacity(cases);
        }
    }

    fn apply(
        &mut self,
        event: &impl Fed,
        source: &dyn EventStore,
    ) -> Result<Option<Tracked>, ProjectionError> {
        match self.by_type.get_mut(event.stream().stream_type.as_str()) {
            Some(tracker) => event.track(tracker.as_mut(), source).map(Some),
            None => Ok(None),
        }
    }

    /// How many workflows are followed.
    pub(super) fn len(&self) -> usize {
        self.by_type.len()
    }

    fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.by_type.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

/// The case index: per case its workflow, state, tier, handling body,
/// parties' count, opened, closed and next due — for the workflows
/// registered with [`with`](CaseIndex::with). Query it through the read
/// store ([`CaseQueries`]).
///
/// Table `grassroots_case_index` on SQLite and PostgreSQL (see DESIGN.md).
pub struct CaseIndex {
    pub(super) trackers: Trackers,
    /// The page's last change of each case, written at the page's end.
    pending: Pending<Tracked>,
}

/// A page's changes, the last one per case.
struct Pending<T> {
    /// Where each case's change lies in `changes`.
    at: FastMap<StreamKey, usize>,
    changes: Vec<(StreamKey, T)>,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Self {
            at: FastMap::default(),
            changes: Vec::new(),
        }
    }
}

impl<T> Pending<T> {
    /// Keeps `value` as the case's change, replacing the page's earlier
    /// one (one lookup; the key is cloned the first time only).
    fn put(&mut self, stream: &StreamKey, value: T) {
        match self.at.get(stream) {
            Some(&i) => self.changes[i].1 = value,
            None => {
                self.at.insert(stream.clone(), self.changes.len());
                self.changes.push((stream.clone(), value));
            }
        }
    }

    /// The page's changes, in the order of the tables' primary key
    /// (tenant, workflow, case): a page of an interleaved log touches cases
    /// all over the index, and rows written in key order visit each leaf
    /// of the table once, not once per row.
    fn drain(&mut self) -> std::vec::Drain<'_, (StreamKey, T)> {
        self.at.clear();
        self.changes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.changes.drain(..)
    }

    fn forget(&mut self) {
        self.at.clear();
        self.changes.clear();
    }
}

impl fmt::Debug for CaseIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaseIndex")
            .field("workflows", &self.trackers.names())
            .field("cache", &self.trackers.capacity)
            .finish()
    }
}

impl Default for CaseIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl CaseIndex {
    /// The name its checkpoint is kept under.
    pub const NAME: &'static str = "case_index";
    /// The schema version of its table.
    pub const SCHEMA_VERSION: u32 = 1;

    /// An index following no workflow yet.
    pub fn new() -> Self {
        Self {
            trackers: Trackers::default(),
            pending: Pending::default(),
        }
    }

    /// The same index, following workflow `W`'s cases too.
    ///
    /// Register every workflow before the first catch-up: the checkpoint
    /// is the index's, not the workflow's, so a workflow added to an index
    /// that has caught up is followed from there on, and its earlier cases
    /// appear only after [`Runner::rebuild`](super::Runner::rebuild). An
    /// index following no workflow refuses to catch up
    /// ([`ProjectionError::NothingFollowed`](super::ProjectionError::NothingFollowed)).
    #[must_use]
    pub fn with<W: Indexed>(mut self) -> Self
    where
        W::State: Send,
    {
        self.trackers.add::<W>();
        self
    }

    /// The same index, keeping at most `cases` open cases per workflow in
    /// memory (default [`DEFAULT_TRACKED`]; 0: none). A case not kept has
    /// its earlier events read again from the journal at its next event:
    /// what the index holds is the same whatever the size, only the
    /// journal reads differ. An ended case is never kept. Size it to the
    /// cases open at once (a case takes a few hundred bytes); a catch-up
    /// whose open cases outnumber it reads most cases' histories again.
    #[must_use]
    pub fn with_cache(mut self, cases: usize) -> Self {
        self.trackers.set_capacity(cases);
        self
    }
}

/// The work queue: for each open case, who must act next — the body and
/// the role its state waits on — for the workflows registered with
/// [`with`](WorkQueue::with). Query it through the read store
/// ([`CaseQueries::work_of`], [`CaseQueries::work_for`]).
///
/// Table `grassroots_work_queue` on SQLite and PostgreSQL (see DESIGN.md).
pub struct WorkQueue {
    pub(super) trackers: Trackers,
    /// The page's last item of each case (`None`: nothing waits).
    pending: Pending<Option<Awaited>>,
}

impl fmt::Debug for WorkQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkQueue")
            .field("workflows", &self.trackers.names())
            .field("cache", &self.trackers.capacity)
            .finish()
    }
}

impl Default for WorkQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl WorkQueue {
    /// The name its checkpoint is kept under.
    pub const NAME: &'static str = "work_queue";
    /// The schema version of its table.
    pub const SCHEMA_VERSION: u32 = 1;

    /// A queue following no workflow yet.
    pub fn new() -> Self {
        Self {
            trackers: Trackers::default(),
            pending: Pending::default(),
        }
    }

    /// The same queue, following workflow `W`'s cases too.
    ///
    /// Register every workflow before the first catch-up, as for
    /// [`CaseIndex::with`]: a workflow added later is followed from the
    /// checkpoint on until a [`Runner::rebuild`](super::Runner::rebuild).
    #[must_use]
    pub fn with<W: Indexed>(mut self) -> Self
    where
        W::State: Send,
    {
        self.trackers.add::<W>();
        self
    }

    /// The same queue, keeping at most `cases` open cases per workflow in
    /// memory (default [`DEFAULT_TRACKED`]; 0: none). A case not kept has
    /// its earlier events read again from the journal at its next event:
    /// what the queue holds is the same whatever the size, only the
    /// journal reads differ. An ended case is never kept. Size it to the
    /// cases open at once (a case takes a few hundred bytes); a catch-up
    /// whose open cases outnumber it reads most cases' histories again.
    #[must_use]
    pub fn with_cache(mut self, cases: usize) -> Self {
        self.trackers.set_capacity(cases);
        self
    }
}

/// Implements [`Projection`](super::Projection) for the case index and the
/// work queue on a read store whose transaction writes [`CaseTables`].
macro_rules! case_projections {
    ($store:ty) => {
        impl $crate::journal::read::Projection<$store> for $crate::journal::read::CaseIndex {
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
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                $crate::journal::read::require_followed(Self::NAME, self.trackers.len())?;
                $crate::journal::read::index::CaseTables::create_case_tables(tx)
            }
            fn apply(
                &mut self,
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
                event: &$crate::journal::StoredEvent,
                source: &dyn $crate::journal::EventStore,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                self.apply_to(tx, event, source)
            }
            fn apply_row(
                &mut self,
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
                row: &$crate::journal::FeedRow,
                source: &dyn $crate::journal::EventStore,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                self.apply_to(tx, row, source)
            }
            fn clear(
                &mut self,
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
                tenant: &$crate::id::TenantId,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                self.clear_from(tx, tenant)
            }
            fn flush(
                &mut self,
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                self.flush_to(tx)
            }
            fn discard(&mut self) {
                self.discard_pending();
            }
        }

        impl $crate::journal::read::Projection<$store> for $crate::journal::read::WorkQueue {
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
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                $crate::journal::read::require_followed(Self::NAME, self.trackers.len())?;
                $crate::journal::read::index::CaseTables::create_work_tables(tx)
            }
            fn apply(
                &mut self,
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
                event: &$crate::journal::StoredEvent,
                source: &dyn $crate::journal::EventStore,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                self.apply_to(tx, event, source)
            }
            fn apply_row(
                &mut self,
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
                row: &$crate::journal::FeedRow,
                source: &dyn $crate::journal::EventStore,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                self.apply_to(tx, row, source)
            }
            fn clear(
                &mut self,
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
                tenant: &$crate::id::TenantId,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                self.clear_from(tx, tenant)
            }
            fn flush(
                &mut self,
                tx: &mut <$store as $crate::journal::read::ReadStore>::Tx<'_>,
            ) -> Result<(), $crate::journal::read::ProjectionError> {
                self.flush_to(tx)
            }
            fn discard(&mut self) {
                self.discard_pending();
            }
        }
    };
}
pub(crate) use case_projections;

impl CaseIndex {
    pub(crate) fn apply_to(
        &mut self,
        tx: &mut impl CaseTables,
        event: &impl Fed,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        let _ = tx;
        if let Some(tracked) = self.trackers.apply(event, source)? {
            self.pending.put(event.stream(), tracked);
        }
        Ok(())
    }

    pub(crate) fn flush_to(&mut self, tx: &mut impl CaseTables) -> Result<(), ProjectionError> {
        // The rows of one tenant written together (a runner reads one
        // tenant's log, so a page is one batch).
        let mut rows = Vec::with_capacity(self.pending.changes.len());
        let mut tenant: Option<TenantId> = None;
        for (stream, tracked) in self.pending.drain() {
            if tenant.as_ref().is_some_and(|t| *t != stream.tenant) {
                if let Some(t) = tenant.take() {
                    tx.put_cases(&t, &rows)?;
                }
                rows.clear();
            }
            let row = tracked.row(&stream);
            if tenant.is_none() {
                tenant = Some(stream.tenant);
            }
            rows.push(row);
        }
        match tenant {
            Some(t) => tx.put_cases(&t, &rows),
            None => Ok(()),
        }
    }

    pub(crate) fn clear_from(
        &mut self,
        tx: &mut impl CaseTables,
        tenant: &TenantId,
    ) -> Result<(), ProjectionError> {
        self.pending.forget();
        tx.clear_cases(tenant)
    }

    pub(crate) fn discard_pending(&mut self) {
        self.pending.forget();
    }
}

impl WorkQueue {
    pub(crate) fn apply_to(
        &mut self,
        tx: &mut impl CaseTables,
        event: &impl Fed,
        source: &dyn EventStore,
    ) -> Result<(), ProjectionError> {
        let _ = tx;
        if let Some(tracked) = self.trackers.apply(event, source)? {
            self.pending.put(event.stream(), tracked.awaited());
        }
        Ok(())
    }

    pub(crate) fn flush_to(&mut self, tx: &mut impl CaseTables) -> Result<(), ProjectionError> {
        for (stream, awaited) in self.pending.drain() {
            let item = awaited.map(|a| a.item(&stream));
            tx.put_work(&stream.tenant, &Tracked::key(&stream), item.as_ref())?;
        }
        Ok(())
    }

    pub(crate) fn clear_from(
        &mut self,
        tx: &mut impl CaseTables,
        tenant: &TenantId,
    ) -> Result<(), ProjectionError> {
        self.pending.forget();
        tx.clear_work(tenant)
    }

    pub(crate) fn discard_pending(&mut self) {
        self.pending.forget();
    }
}

/// The index row and work item a full replay of `case` gives: what the
/// read models must hold for it, for tests and audits. `None` for a case
/// with no event.
pub fn expected_rows<W: Indexed>(
    case: &crate::workflow::Case<W>,
) -> Option<(CaseRow, Option<WorkItem>)> {
    let history = case.history();
    let first = history.first()?;
    let last = history.last()?;
    let mut state = W::initial();
    let mut closed = None;
    for recorded in history {
        state = W::evolve(state, &recorded.event);
        if closed.is_none() && W::is_terminal(&state) {
            closed = Some(recorded.at);
        }
    }
    let summary = W::summary(&state);
    let next_due = if closed.is_some() {
        None
    } else {
        W::next_due(&state).map(crate::journal::truncate_to_micros)
    };
    let key = CaseKey {
        stream_type: StreamType::of::<W>().ok()?,
        id: case.id().clone(),
    };
    let row = CaseRow {
        key: key.clone(),
        state: state.kind().name().to_string(),
        tier: summary.tier,
        body: summary.body,
        parties: summary.parties,
        opened: first.at,
        closed,
        next_due,
        version: case.version(),
    };
    let item = if closed.is_some() {
        None
    } else {
        summary.waiting.map(|w| WorkItem {
            key,
            action: w.action.to_owned(),
            body: w.body,
            role: w.role,
            since: last.at,
            due: next_due,
        })
    };
    Some((row, item))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::read::{MemoryReadStore, Projection, ReadStore};

    #[test]
    fn a_discarded_page_writes_nothing_at_the_next_flush() {
        let tenant: TenantId = "t".parse().unwrap();
        let stream = StreamKey::new(tenant.clone(), "w".parse().unwrap(), "C-1".parse().unwrap());
        let key = Tracked::key(&stream);
        let opened = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let tracked = || Tracked {
            state: "Open".into(),
            summary: CaseSummary {
                parties: 1,
                ..CaseSummary::default()
            },
            opened,
            closed: None,
            next_due: None,
            version: 1,
            at: opened,
        };
        let row = CaseRow {
            key: key.clone(),
            state: "Open".into(),
            tier: None,
            body: None,
            parties: 1,
            opened,
            closed: None,
            next_due: None,
            version: 1,
        };
        let read = MemoryReadStore::new();
        let mut index = CaseIndex::new();
        index.pending.put(&stream, tracked());
        Projection::<MemoryReadStore>::discard(&mut index);
        read.in_transaction(|tx| Projection::<MemoryReadStore>::flush(&mut index, tx))
            .unwrap();
        assert_eq!(read.case(&tenant, &key).unwrap(), None);
        index.pending.put(&stream, tracked());
        read.in_transaction(|tx| Projection::<MemoryReadStore>::flush(&mut index, tx))
            .unwrap();
        assert_eq!(read.case(&tenant, &key).unwrap(), Some(row));
    }

    #[test]
    fn a_page_keeps_the_last_change_of_each_case_and_drains_them_in_key_order() {
        let tenant: TenantId = "t".parse().unwrap();
        let stream =
            |id: &str| StreamKey::new(tenant.clone(), "w".parse().unwrap(), id.parse().unwrap());
        let mut pending = Pending::default();
        pending.put(&stream("C-2"), 1);
        pending.put(&stream("C-1"), 2);
        pending.put(&stream("C-2"), 3);
        pending.put(&stream("C-1"), 4);
        pending.put(&stream("C-3"), 5);
        let drained: Vec<(String, i32)> = pending
            .drain()
            .map(|(s, v)| (s.id.as_str().to_owned(), v))
            .collect();
        assert_eq!(
            drained,
            [("C-1".into(), 4), ("C-2".into(), 3), ("C-3".into(), 5)]
        );
        // Drained, it starts afresh.
        pending.put(&stream("C-1"), 6);
        assert_eq!(pending.drain().map(|(_, v)| v).collect::<Vec<_>>(), [6]);
    }

    /// Disputes of a city, their events interleaved round by round: a
    /// tracker of any cache gives every event the same row, never keeps
    /// more open cases than its cache, and keeps no ended case.
    #[cfg(feature = "sim")]
    #[test]
    fn a_tracker_keeps_at_most_its_cache_and_no_ended_case() {
        use crate::dispute::Dispute;
        use crate::journal::{MemoryStore, encode};
        use crate::load::{City, CityCase, CityYear};

        let city = City::build(&CityYear::small().with_seed(7)).unwrap();
        let (store, tenant): (MemoryStore, TenantId) = (MemoryStore::new(), "t".parse().unwrap());
        let disputes: Vec<_> = (0..400)
            .filter_map(|n| match city.play(n).case {
                CityCase::Dispute(c) if c.history().len() > 2 => Some(c),
                _ => None,
            })
            .take(8)
            .collect();
        assert_eq!(disputes.len(), 8);
        let mut streams = Vec::new();
        for (n, case) in disputes.iter().enumerate() {
            let stream = StreamKey::of::<Dispute>(tenant.clone(), case.id().clone()).unwrap();
            // Every other dispute stops before its last event: still open.
            let history = case.history();
            let played = &history[..history.len() - n % 2];
            let rows: Vec<_> = played
                .iter()
                .map(|recorded| encode::<Dispute>(&stream, recorded).unwrap())
                .collect();
            store.append(&stream, 0, &rows).unwrap();
            streams.push(store.read_stream(&stream, 0).unwrap());
        }
        let longest = streams.iter().map(Vec::len).max().unwrap();
        let interleaved: Vec<&StoredEvent> = (0..longest)
            .flat_map(|round| streams.iter().filter_map(move |rows| rows.get(round)))
            .collect();

        let rows_with = |cache: usize| {
            let mut tracker = Tracker::<Dispute>::new(cache);
            let mut rows = Vec::new();
            for event in &interleaved {
                let tracked = tracker.apply(event, &store).unwrap();
                rows.push(tracked.row(&event.stream));
                assert!(tracker.cases.len() <= cache, "{cache}");
            }
            (rows, tracker.cases.len())
        };
        let (all, kept) = rows_with(DEFAULT_TRACKED);
        let last_rows: Vec<&CaseRow> = streams
            .iter()
            .map(|rows| {
                let last = rows.last().unwrap();
                all.iter()
                    .rev()
                    .find(|row| row.key.id == last.stream.id)
                    .unwrap()
            })
            .collect();
        let open = last_rows.iter().filter(|row| row.is_open()).count();
        assert!(open > 0 && open < 8, "{open} of 8 disputes open");
        assert_eq!(kept, open, "the open disputes, not the ended ones");
        for cache in [0, 1, 2, 3] {
            assert_eq!(rows_with(cache).0, all, "{cache}");
        }
    }
}
