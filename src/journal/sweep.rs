//! [`Sweeper`]: sends the timer command to every case the due index says is
//! due, through the same load, decide and append steps as [`execute`], a
//! page of cases per commit.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::execute::{case_from_rows, case_from_text_rows, load_anchored};
use super::{
    DueEntry, DueQuery, DueUpdate, EventSchema, EventStore, ExecuteError, JournalError, NewEvent,
    OwnedStreamAppend, StreamKey, StreamType, encode, execute, truncate_to_micros,
};
use crate::actor::Actor;
use crate::id::TenantId;
use crate::workflow::{Context, Workflow};

/// How a [`Sweeper`] works: page size, lease, retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepOptions {
    /// How many due streams one claim takes, and one transaction appends
    /// (default 1,024). A larger page writes fewer log pages and commits
    /// less often per case (DESIGN.md, "The SQLite sweep, round 9"); it
    /// holds SQLite's writer for the whole page's append (other writers
    /// wait) and leases that many cases at once.
    pub page: usize,
    /// How long a claimed stream is left to this sweeper before another
    /// may take it (default 5 minutes). A sweeper killed mid-sweep leaves
    /// its unfinished claims to the next sweep once their lease ends.
    ///
    /// Leases run on the store's [`Clock`](super::Clock) (the system clock
    /// unless the store was opened with another), not on the `now` given
    /// to [`Sweeper::sweep`], which says only which cases are due. A case
    /// whose tick failed keeps its lease, so sweeps within the lease pass
    /// over it: a later report is [`is_idle`](SweepReport::is_idle) while
    /// that case is still due, and the failure is reported again once the
    /// lease has ended.
    pub lease: TimeDelta,
    /// How many times a tick that meets a version conflict is decided again
    /// (default 3).
    pub retries: u32,
    /// The most timer commands sent to one case in one sweep (default 16):
    /// a case with several timers overdue is ticked until nothing is due at
    /// the sweep's time.
    pub ticks_per_case: u32,
}

impl Default for SweepOptions {
    fn default() -> Self {
        Self {
            page: 1_024,
            lease: TimeDelta::minutes(5),
            retries: 3,
            ticks_per_case: 16,
        }
    }
}

/// Why the sweep could not tick one case. The sweep reports it and goes on
/// with the next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError<R: std::error::Error + 'static> {
    /// Loading, deciding or appending failed (a history that no longer
    /// decodes, a refused tick, every attempt contended).
    #[error(transparent)]
    Execute(#[from] ExecuteError<R>),
    /// The workflow's [`next_due`](Workflow::next_due) names a due instant
    /// but it has no [`timer_command`](Workflow::timer_command).
    #[error("the {workflow} workflow has due cases but no timer command")]
    NoTimerCommand {
        /// The workflow's name.
        workflow: &'static str,
    },
    /// The case was still due at the sweep's time after the most ticks one
    /// sweep sends it ([`SweepOptions::ticks_per_case`]).
    #[error("{stream} is still due at {due} after {ticks} ticks")]
    StillDue {
        /// The stream.
        stream: StreamKey,
        /// Its due instant after the last tick.
        due: DateTime<Utc>,
        /// How many ticks were sent.
        ticks: u32,
    },
}

/// One case the sweep ticked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticked {
    /// The case's stream.
    pub stream: StreamKey,
    /// How many events the ticks recorded.
    pub events: usize,
    /// The case's next due instant after the sweep (later than the sweep's
    /// time), if any.
    pub next_due: Option<DateTime<Utc>>,
}

/// What [`Sweeper::sweep`] did, case by case.
#[derive(Debug)]
#[non_exhaustive]
pub struct SweepReport<R: std::error::Error + 'static> {
    /// The cases ticked, with the events recorded.
    pub ticked: Vec<Ticked>,
    /// The cases the index named that had nothing due (another sweeper or
    /// writer got there first, or the entry was out of date): their entry
    /// was corrected, nothing recorded.
    pub nothing_to_do: Vec<StreamKey>,
    /// The cases whose tick met another writer's append (a version
    /// conflict) and was decided again on the new state.
    pub conflicts_retried: Vec<StreamKey>,
    /// The cases that could not be ticked, with the error. Each keeps its
    /// entry (and its lease, so the next sweeps skip it until the lease
    /// ends).
    pub failed: Vec<(StreamKey, SweepError<R>)>,
}

impl<R: std::error::Error + 'static> SweepReport<R> {
    pub(super) fn new() -> Self {
        Self {
            ticked: Vec::new(),
            nothing_to_do: Vec::new(),
            conflicts_retried: Vec::new(),
            failed: Vec::new(),
        }
    }

    /// The number of events the sweep recorded.
    pub fn events(&self) -> usize {
        self.ticked.iter().map(|t| t.events).sum()
    }

    /// Whether the sweep found nothing to do and nothing failed.
    ///
    /// A case that failed in an earlier sweep and is still leased
    /// ([`SweepOptions::lease`]) is not looked at, so it does not count
    /// here: keep the failures a report lists rather than waiting for a
    /// report that is not idle.
    pub fn is_idle(&self) -> bool {
        self.ticked.is_empty() && self.failed.is_empty()
    }
}

impl<R: std::error::Error + 'static> fmt::Display for SweepReport<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let events = self.events();
        write!(
            f,
            "{} ticked ({} event{}), {} with nothing to do, {} retried after a conflict, {} failed",
            self.ticked.len(),
            events,
            if events == 1 { "" } else { "s" },
            self.nothing_to_do.len(),
            self.conflicts_retried.len(),
            self.failed.len()
        )
    }
}

/// Sends workflow `W`'s timer command, as [`Actor::system()`], to every case
/// of a tenant that the due index says is due — through the steps of
/// [`execute`], so with optimistic concurrency, the hash chain and
/// idempotent retries, and the index moves with each append.
///
/// A page of due cases ([`SweepOptions::page`]) is loaded with one
/// [`EventStore::read_anchored_streams_with`] (one read transaction on
/// SQLite) and decided case by case, then appended with one
/// [`EventStore::append_streams`] — one transaction on SQLite — each case
/// still checked against the version it was loaded at. A case the read
/// did not lend is loaded alone. A case whose append meets another writer
/// is ticked again alone through [`execute`], with
/// [`SweepOptions::retries`].
///
/// Several sweepers may run at once, in threads or processes: each claims
/// a page of due streams with a lease ([`EventStore::claim_due`]; `FOR
/// UPDATE SKIP LOCKED` on PostgreSQL, serialised writes on SQLite), so they
/// share the work. Should two tick the same case anyway (a lease ended), the
/// second meets a version conflict, decides again on the new state and finds
/// nothing due: no timer command is recorded twice. A sweeper killed
/// mid-sweep loses nothing: what it recorded moved the index in the same
/// transaction, and its other claims go to the next sweep when their lease
/// ends.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use grassroots::escalation::{Ladder, LadderCommand, PolicyBook};
/// # use grassroots::calendar::WorkingCalendar;
/// # use grassroots::org::{Capability, Org, OrgGraph, OrgKind};
/// # use grassroots::matter::DisputeKind;
/// use grassroots::actor::{Actor, Role};
/// use grassroots::journal::{Journal, MemoryStore};
/// use grassroots::org::Need;
/// use grassroots::tier::Severity;
/// use grassroots::workflow::Context;
///
/// # let mut graph = OrgGraph::new();
/// # graph.try_add_org(Org::new("grid-7".parse()?, "Grid 7", OrgKind::Grid)
/// #     .with_capabilities([Capability::Mediation(DisputeKind::Labour)]))?;
/// # let ladder = Ladder::new(PolicyBook::default(), graph, WorkingCalendar::prc());
/// let journal = Journal::new(MemoryStore::new(), "longgang".parse()?);
/// let monday = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
/// let worker = Actor::new("gw-1".parse()?).with_role(Role::GridWorker);
/// let start = LadderCommand::Start {
///     location: "grid-7".parse()?,
///     need: Need::Mediation(DisputeKind::Labour),
///     severity: Severity::Minor,
///     due: None,
/// };
/// let ctx = Context::new(monday, &worker);
/// journal.handle(&ladder, &"M-1".parse()?, &start, &ctx)?;
///
/// let sweeper = journal.sweeper(ladder);
/// assert!(sweeper.sweep(monday)?.ticked.is_empty(), "nothing due yet");
/// let report = sweeper.sweep(monday + Duration::days(14))?;
/// assert_eq!(report.ticked.len(), 1, "{report}");
/// assert!(sweeper.sweep(monday + Duration::days(14))?.is_idle(), "done once");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Sweeper<W, S> {
    store: S,
    tenant: TenantId,
    workflow: W,
    options: SweepOptions,
}

impl<W, S> Sweeper<W, S>
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned,
    S: EventStore,
{
    /// A sweeper of `workflow`'s cases in `tenant`, with the default
    /// [`SweepOptions`]. `store` may be a store, a reference to one or an
    /// `Arc` of one.
    pub fn new(store: S, tenant: TenantId, workflow: W) -> Self {
        Self {
            store,
            tenant,
            workflow,
            options: SweepOptions::default(),
        }
    }

    /// The same sweeper with other options.
    #[must_use]
    pub fn with_options(mut self, options: SweepOptions) -> Self {
        self.options = options;
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Ticks every case due at or before `now`, until none is (each case
    /// is ticked until its next due instant is after `now`), and reports
    /// what happened to each. One case failing does not stop the sweep.
    ///
    /// `now` is the business time the timer commands carry: pass the
    /// clock's time in a service, any time in a test or a replay.
    ///
    /// # Errors
    ///
    /// [`JournalError`] only when the due index itself cannot be read (or
    /// `W::NAME` is not a valid stream type); every error of a single case
    /// is in [`SweepReport::failed`].
    pub fn sweep(&self, now: DateTime<Utc>) -> Result<SweepReport<W::Rejection>, JournalError> {
        let now = truncate_to_micros(now);
        super::trace::sweep(W::NAME, &self.tenant, now).swept(self.sweep_pages(now))
    }

    /// [`sweep`](Self::sweep) inside its span: the report and how many due
    /// cases were claimed.
    fn sweep_pages(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(SweepReport<W::Rejection>, usize), JournalError> {
        let stream_type = StreamType::of::<W>()?;
        let mut report = SweepReport::new();
        let mut claimed = 0;
        let mut query =
            DueQuery::new(self.tenant.clone(), stream_type, now).limit(self.options.page.max(1));
        loop {
            let page = self.store.claim_due(&query, self.options.lease)?;
            let Some(last) = page.last() else {
                return Ok((report, claimed));
            };
            claimed += page.len();
            query = query.after(last);
            // Room for the page's cases, most of them ticked, at once: grown
            // push by push, the list was copied a dozen times a sweep of
            // 10,000, each time into pages the kernel had to clear (14 % of
            // a memory sweep; DESIGN.md, "The memory store keeps text").
            report.ticked.reserve(page.len());
            self.tick_page(&page, now, &mut report);
        }
    }

    /// Ticks a page of due cases: decides each case's ticks in memory, then
    /// appends every case's events with one [`EventStore::append_streams`]
    /// (one transaction on SQLite). A case whose append meets another
    /// writer is ticked again alone, through [`execute`] with its retries.
    fn tick_page(
        &self,
        page: &[DueEntry],
        now: DateTime<Utc>,
        report: &mut SweepReport<W::Rejection>,
    ) {
        let Some(command) = W::timer_command() else {
            for entry in page {
                let error = SweepError::NoTimerCommand { workflow: W::NAME };
                report.failed.push((entry.stream.clone(), error));
            }
            return;
        };
        let system = Actor::system();
        let ctx = Context::new(now, &system);
        // Each case is decided as it is lent.
        let streams: Vec<&StreamKey> = page.iter().map(|entry| &entry.stream).collect();
        let mut planned = Vec::with_capacity(page.len());
        let mut visited = vec![false; page.len()];
        // From the text a store keeps, where it lends it and the text
        // settles the case (see `case_from_text_rows`).
        for (i, stream) in streams.iter().copied().enumerate() {
            let mut loaded = None;
            let lent = self
                .store
                .read_anchored_stream_text_with(stream, &mut |anchor, rows| {
                    loaded = case_from_text_rows::<W>(stream, rows, anchor);
                });
            match lent {
                Ok(true) => {}
                // The store keeps no text: the page is read below.
                Ok(false) => break,
                // Read again below, reporting its own error.
                Err(_) => continue,
            }
            if let Some((case, _)) = loaded {
                visited[i] = true;
                match plan_ticks(&self.workflow, &self.options, stream, case, &command, &ctx) {
                    Ok(plan) => planned.push(plan),
                    Err(error) => report.failed.push((stream.clone(), error)),
                }
            }
        }
        // The rest, read together (one read transaction on SQLite); what
        // the store lends beyond them, or twice, is not planned.
        let rest: Vec<usize> = (0..page.len()).filter(|&i| !visited[i]).collect();
        let rest_streams: Vec<&StreamKey> = rest.iter().map(|&i| streams[i]).collect();
        let _ = self
            .store
            .read_anchored_streams_with(&rest_streams, &mut |j, read| {
                let Some(&i) = rest.get(j) else {
                    return;
                };
                let (Some(stream), Some(seen)) = (streams.get(i).copied(), visited.get_mut(i))
                else {
                    return;
                };
                if std::mem::replace(seen, true) {
                    return;
                }
                let plan = read
                    .and_then(|(anchor, rows)| case_from_rows::<W>(stream, rows, anchor))
                    .map_err(|e| SweepError::Execute(ExecuteError::from(e)))
                    .and_then(|(case, _)| {
                        plan_ticks(&self.workflow, &self.options, stream, case, &command, &ctx)
                    });
                match plan {
                    Ok(plan) => planned.push(plan),
                    Err(error) => report.failed.push((stream.clone(), error)),
                }
            });
        // A case the read did not lend (it failed as a whole) is loaded
        // alone, reporting its own error.
        for (entry, _) in page.iter().zip(&visited).filter(|(_, seen)| !**seen) {
            match self.plan(&entry.stream, &command, &ctx) {
                Ok(plan) => planned.push(plan),
                Err(error) => report.failed.push((entry.stream.clone(), error)),
            }
        }
        // The events go to the store (moved, not copied); each plan keeps
        // how many there were.
        let batch: Vec<OwnedStreamAppend<'_>> = planned
            .iter_mut()
            .map(|plan| OwnedStreamAppend {
                stream: &plan.stream,
                expected_version: plan.expected_version,
                events: std::mem::take(&mut plan.events),
                due: DueUpdate::of(plan.next_due),
            })
            .collect();
        let counts: Vec<usize> = batch.iter().map(|part| part.events.len()).collect();
        let Ok(outcomes) = self.store.append_streams_owned(batch) else {
            // The batch's transaction failed as a whole: nothing of it was
            // written. Tick the cases one by one, each reporting its error.
            for plan in planned {
                self.tick(&plan.stream, now, report);
            }
            return;
        };
        for ((plan, events), outcome) in planned.into_iter().zip(counts).zip(outcomes) {
            match outcome {
                Ok(_) if events == 0 => report.nothing_to_do.push(plan.stream),
                Ok(_) => match plan.still_due {
                    Some((due, ticks)) => {
                        let error = SweepError::StillDue {
                            stream: plan.stream.clone(),
                            due,
                            ticks,
                        };
                        report.failed.push((plan.stream, error));
                    }
                    None => report.ticked.push(Ticked {
                        stream: plan.stream,
                        events,
                        next_due: plan.next_due,
                    }),
                },
                // Only the due entry was to be corrected, and a writer just
                // moved it itself.
                Err(e) if e.is_conflict() && events == 0 => {
                    report.nothing_to_do.push(plan.stream);
                }
                Err(e) if e.is_conflict() => {
                    let ticked = report.ticked.len();
                    self.tick(&plan.stream, now, report);
                    if report.ticked.len() > ticked
                        && !report.conflicts_retried.contains(&plan.stream)
                    {
                        report.conflicts_retried.push(plan.stream);
                    }
                }
                Err(e) => {
                    let error = SweepError::Execute(ExecuteError::from(e));
                    report.failed.push((plan.stream, error));
                }
            }
        }
    }

    /// Loads one due case and decides its ticks in memory, until nothing is
    /// due at the sweep's time (or [`SweepOptions::ticks_per_case`] ticks).
    fn plan(
        &self,
        stream: &StreamKey,
        command: &W::Command,
        ctx: &Context<'_>,
    ) -> Result<Planned, SweepError<W::Rejection>> {
        let (case, _) = load_anchored::<W, S>(&self.store, stream).map_err(ExecuteError::from)?;
        plan_ticks(&self.workflow, &self.options, stream, case, command, ctx)
    }

    /// Ticks one case until nothing is due at `now`, one [`execute`] per tick:
    /// the path of a case whose batched append met another writer.
    fn tick(&self, stream: &StreamKey, now: DateTime<Utc>, report: &mut SweepReport<W::Rejection>) {
        let Some(command) = W::timer_command() else {
            let error = SweepError::NoTimerCommand { workflow: W::NAME };
            report.failed.push((stream.clone(), error));
            return;
        };
        let system = Actor::system();
        let ctx = Context::new(now, &system);
        let mut events = 0;
        let mut retried = false;
        for ticks in 1..=self.options.ticks_per_case.max(1) {
            let done = execute(
                &self.store,
                &self.tenant,
                &self.workflow,
                &stream.id,
                &command,
                &ctx,
                self.options.retries,
            );
            let done = match done {
                Ok(done) => done,
                Err(e) => {
                    report.failed.push((stream.clone(), e.into()));
                    return;
                }
            };
            retried |= done.attempts > 1;
            let next_due = done.case.next_due().map(truncate_to_micros);
            if done.events().is_empty() {
                if retried {
                    report.conflicts_retried.push(stream.clone());
                }
                if events == 0 {
                    // The entry was out of date (or another sweeper ticked
                    // first): put the case's own next due instant there. A
                    // conflict means a writer just moved the entry itself.
                    let version = done.case.version();
                    let update = DueUpdate::of(next_due);
                    match self.store.append_with_due(stream, version, &[], update) {
                        Ok(_) => {}
                        Err(e) if e.is_conflict() => {}
                        Err(e) => {
                            let error = SweepError::Execute(ExecuteError::from(e));
                            report.failed.push((stream.clone(), error));
                            return;
                        }
                    }
                    report.nothing_to_do.push(stream.clone());
                } else {
                    report.ticked.push(Ticked {
                        stream: stream.clone(),
                        events,
                        next_due,
                    });
                }
                return;
            }
            events += done.events().len();
            match next_due {
                Some(due) if due <= now => {
                    if ticks == self.options.ticks_per_case.max(1) {
                        let error = SweepError::StillDue {
                            stream: stream.clone(),
                            due,
                            ticks,
                        };
                        report.failed.push((stream.clone(), error));
                        return;
                    }
                }
                _ => {
                    if retried {
                        report.conflicts_retried.push(stream.clone());
                    }
                    report.ticked.push(Ticked {
                        stream: stream.clone(),
                        events,
                        next_due,
                    });
                    return;
                }
            }
        }
    }

    /// Sweeps every `interval` until `stop` is set, with `now` from `clock`
    /// each time: the background task of a service. The library reads no
    /// clock itself; pass `chrono::Utc::now` in production.
    ///
    /// `on_sweep` receives each sweep's report (or the error when the due
    /// index could not be read; the loop goes on either way). The loop
    /// notices `stop` within about 50 ms.
    pub fn run(
        &self,
        interval: Duration,
        clock: impl Fn() -> DateTime<Utc>,
        stop: &AtomicBool,
        mut on_sweep: impl FnMut(Result<SweepReport<W::Rejection>, JournalError>),
    ) {
        const STEP: Duration = Duration::from_millis(50);
        while !stop.load(Ordering::Relaxed) {
            on_sweep(self.sweep(clock()));
            let mut waited = Duration::ZERO;
            while waited < interval && !stop.load(Ordering::Relaxed) {
                let step = STEP.min(interval - waited);
                std::thread::sleep(step);
                waited += step;
            }
        }
    }
}

/// Decides a loaded due case's ticks in memory, until nothing is due at the
/// sweep's time (or [`SweepOptions::ticks_per_case`] ticks): the pure half
/// of a sweep's plan, shared with the async sweeper.
pub(super) fn plan_ticks<W>(
    workflow: &W,
    options: &SweepOptions,
    stream: &StreamKey,
    mut case: crate::workflow::Case<W>,
    command: &W::Command,
    ctx: &Context<'_>,
) -> Result<Planned, SweepError<W::Rejection>>
where
    W: EventSchema,
    W::Event: Serialize,
{
    let expected_version = case.version();

    let from = case.history().len();
    let most = options.ticks_per_case.max(1);
    let mut still_due = None;
    for ticks in 1..=most {
        let before = case.history().len();
        case.handle(workflow, command, ctx)
            .map_err(ExecuteError::Refused)?;
        if case.history().len() == before {
            break;
        }
        match case.next_due().map(truncate_to_micros) {
            Some(due) if due <= ctx.at() => {
                if ticks == most {
                    still_due = Some((due, ticks));
                }
            }
            _ => break,
        }
    }
    let events = case.history()[from..]
        .iter()
        .map(|recorded| encode::<W>(stream, recorded))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ExecuteError::from)?;
    Ok(Planned {
        stream: stream.clone(),
        expected_version,
        events,
        next_due: case.next_due().map(truncate_to_micros),
        still_due,
    })
}

/// One case's ticks, decided and encoded, waiting for the page's append.
pub(super) struct Planned {
    pub(super) stream: StreamKey,
    pub(super) expected_version: u64,
    pub(super) events: Vec<NewEvent>,
    pub(super) next_due: Option<DateTime<Utc>>,
    /// Set when the case was still due after the most ticks allowed.
    pub(super) still_due: Option<(DateTime<Utc>, u32)>,
}

/// The workflow type of a sweeper, for callers naming it.
impl<W: Workflow, S> Sweeper<W, S> {
    /// The workflow.
    pub fn workflow(&self) -> &W {
        &self.workflow
    }

    /// The tenant swept.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Forbidden;

    #[test]
    fn a_report_reads_as_a_sentence_with_one_event_or_several() {
        let stream = |id: &str| {
            StreamKey::new(
                "longgang".parse().unwrap(),
                "ticket".parse().unwrap(),
                id.parse().unwrap(),
            )
        };
        let mut report = SweepReport::<Forbidden>::new();
        assert!(report.is_idle());
        report.ticked.push(Ticked {
            stream: stream("T-1"),
            events: 1,
            next_due: None,
        });
        assert_eq!(
            report.to_string(),
            "1 ticked (1 event), 0 with nothing to do, 0 retried after a conflict, 0 failed"
        );
        report.ticked.push(Ticked {
            stream: stream("T-2"),
            events: 2,
            next_due: None,
        });
        report.nothing_to_do.push(stream("T-3"));
        assert_eq!(
            report.to_string(),
            "2 ticked (3 events), 1 with nothing to do, 0 retried after a conflict, 0 failed"
        );
        assert!(!report.is_idle());
    }
}
