//! [`AsyncSweeper`]: [`Sweeper`](crate::journal::Sweeper) in async form,
//! with a background loop that stops on a signal.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::AsyncEventStore;
use super::handle::{execute, load_in_full};
use crate::actor::Actor;
use crate::id::TenantId;
use crate::journal::sweep::{Planned, plan_ticks};
use crate::journal::{
    DueEntry, DueQuery, DueUpdate, EventSchema, ExecuteError, JournalError, StreamAppend,
    StreamKey, StreamType, SweepError, SweepOptions, SweepReport, Ticked, truncate_to_micros,
};
use crate::workflow::{Context, Workflow};

/// Sends workflow `W`'s timer command to every due case of a tenant:
/// [`Sweeper`](crate::journal::Sweeper) in async form, with the same
/// claims and leases, the same page-per-commit appends, the same retries
/// and the same [`SweepReport`].
///
/// [`run`](Self::run) is the background task of a service: a sweep every
/// interval until a stop signal — any future, such as a
/// `tokio::sync::oneshot` receiver, a `watch` channel's `changed()`, or
/// `tokio::signal::ctrl_c()` — completes.
#[derive(Debug)]
pub struct AsyncSweeper<W, S> {
    store: S,
    tenant: TenantId,
    workflow: W,
    options: SweepOptions,
}

impl<W, S> AsyncSweeper<W, S>
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned,
    S: AsyncEventStore,
{
    /// A sweeper of `workflow`'s cases in `tenant`, with the default
    /// [`SweepOptions`]. `store` may be a store, a reference to one or an
    /// `Arc` of one (an `Arc` lets the sweeper move into a spawned task).
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

    /// The workflow.
    pub fn workflow(&self) -> &W {
        &self.workflow
    }

    /// The tenant swept.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Ticks every case due at or before `now`, until none is: see
    /// [`Sweeper::sweep`](crate::journal::Sweeper::sweep).
    ///
    /// # Errors
    ///
    /// [`JournalError`] only when the due index itself cannot be read (or
    /// `W::NAME` is not a valid stream type); every error of a single case
    /// is in [`SweepReport::failed`].
    pub async fn sweep(
        &self,
        now: DateTime<Utc>,
    ) -> Result<SweepReport<W::Rejection>, JournalError> {
        let now = truncate_to_micros(now);
        let span = crate::journal::trace::sweep(W::NAME, &self.tenant, now).detached();
        let result = span.in_future(self.sweep_pages(now)).await;
        span.swept(result)
    }

    /// [`sweep`](Self::sweep) inside its span: the report and how many due
    /// cases were claimed.
    async fn sweep_pages(
        &self,
        now: DateTime<Utc>,
    ) -> Result<(SweepReport<W::Rejection>, usize), JournalError> {
        let stream_type = StreamType::of::<W>()?;
        let mut report = SweepReport::new();
        let mut claimed = 0;
        let mut query =
            DueQuery::new(self.tenant.clone(), stream_type, now).limit(self.options.page.max(1));
        loop {
            let page = self.store.claim_due(&query, self.options.lease).await?;
            let Some(last) = page.last() else {
                return Ok((report, claimed));
            };
            claimed += page.len();
            query = query.after(last);
            self.tick_page(&page, now, &mut report).await;
        }
    }

    /// Sweeps every `interval` until `stop` completes, with `now` from
    /// `clock` each time, handing each sweep's outcome to `on_sweep` (the
    /// loop goes on after an error). The library reads no clock itself:
    /// pass `chrono::Utc::now` in production.
    ///
    /// `stop` is looked at before each sweep and while waiting; a sweep
    /// under way is finished first, so what it recorded is reported.
    pub async fn run<F>(
        &self,
        interval: Duration,
        clock: impl Fn() -> DateTime<Utc>,
        stop: F,
        mut on_sweep: impl FnMut(Result<SweepReport<W::Rejection>, JournalError>),
    ) where
        F: Future<Output = ()>,
    {
        let mut stop = std::pin::pin!(stop);
        loop {
            if is_done(stop.as_mut()).await {
                return;
            }
            on_sweep(self.sweep(clock()).await);
            if sleep_unless(interval, stop.as_mut()).await {
                return;
            }
        }
    }

    /// Ticks a page of due cases: decides each case's ticks, appends every
    /// case's events with one [`AsyncEventStore::append_streams`], and ticks
    /// a case whose append met another writer again alone.
    async fn tick_page(
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
        let mut planned: Vec<Planned> = Vec::with_capacity(page.len());
        for entry in page {
            let loaded = load_in_full::<W, S>(&self.store, &entry.stream).await;
            let plan = match loaded {
                Ok((case, _)) => plan_ticks(
                    &self.workflow,
                    &self.options,
                    &entry.stream,
                    case,
                    &command,
                    &ctx,
                ),
                Err(e) => Err(SweepError::Execute(ExecuteError::from(e))),
            };
            match plan {
                Ok(plan) => planned.push(plan),
                Err(error) => report.failed.push((entry.stream.clone(), error)),
            }
        }
        let outcomes = {
            let batch: Vec<StreamAppend<'_>> = planned
                .iter()
                .map(|plan| StreamAppend {
                    stream: &plan.stream,
                    expected_version: plan.expected_version,
                    events: &plan.events,
                    due: DueUpdate::of(plan.next_due),
                })
                .collect();
            self.store.append_streams(&batch).await
        };
        let Ok(outcomes) = outcomes else {
            // The batch's transaction failed as a whole: nothing of it was
            // written. Tick the cases one by one, each reporting its error.
            for plan in planned {
                self.tick(&plan.stream, now, report).await;
            }
            return;
        };
        for (plan, outcome) in planned.into_iter().zip(outcomes) {
            match outcome {
                Ok(_) if plan.events.is_empty() => report.nothing_to_do.push(plan.stream),
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
                        events: plan.events.len(),
                        next_due: plan.next_due,
                    }),
                },
                // Only the due entry was to be corrected, and a writer just
                // moved it itself.
                Err(e) if e.is_conflict() && plan.events.is_empty() => {
                    report.nothing_to_do.push(plan.stream);
                }
                Err(e) if e.is_conflict() => {
                    let ticked = report.ticked.len();
                    self.tick(&plan.stream, now, report).await;
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

    /// Ticks one case until nothing is due at `now`, one execute per tick:
    /// the path of a case whose batched append met another writer.
    async fn tick(
        &self,
        stream: &StreamKey,
        now: DateTime<Utc>,
        report: &mut SweepReport<W::Rejection>,
    ) {
        let Some(command) = W::timer_command() else {
            let error = SweepError::NoTimerCommand { workflow: W::NAME };
            report.failed.push((stream.clone(), error));
            return;
        };
        let system = Actor::system();
        let ctx = Context::new(now, &system);
        let most = self.options.ticks_per_case.max(1);
        let mut events = 0;
        let mut retried = false;
        for ticks in 1..=most {
            let done = execute(
                &self.store,
                stream,
                &self.workflow,
                &command,
                &ctx,
                self.options.retries,
            )
            .await;
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
                    // first): put the case's own next due instant there.
                    let version = done.case.version();
                    let update = DueUpdate::of(next_due);
                    match self
                        .store
                        .append_with_due(stream, version, &[], update)
                        .await
                    {
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
                    if ticks == most {
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
}

/// Whether `stop` has completed, polled once.
async fn is_done<F: Future<Output = ()>>(mut stop: Pin<&mut F>) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(stop.as_mut().poll(cx).is_ready())).await
}

/// Waits `interval`, or less when `stop` completes first: whether it did.
async fn sleep_unless<F: Future<Output = ()>>(interval: Duration, mut stop: Pin<&mut F>) -> bool {
    let mut sleep = std::pin::pin!(tokio::time::sleep(interval));
    std::future::poll_fn(|cx| {
        if stop.as_mut().poll(cx).is_ready() {
            return Poll::Ready(true);
        }
        sleep.as_mut().poll(cx).map(|()| false)
    })
    .await
}

/// What a sweeper sweeps with, whatever its store.
impl<W: Workflow, S> AsyncSweeper<W, S> {
    /// The options it sweeps with.
    pub fn options(&self) -> &SweepOptions {
        &self.options
    }
}
