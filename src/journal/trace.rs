//! Spans of the journal layer, behind the `tracing` feature: one per handled
//! command, per append, per sweep and per projection page.
//!
//! Each span is opened by one function here and closed by a method that
//! records the outcome and hands the result back, so a call site is one
//! line. Without the feature every span is a zero-sized value and every
//! function an empty inline one: nothing is formatted, nothing is kept.
//! The kernel (`Case::handle`, `decide`) never traces; only the journal's
//! I/O does.
#![cfg_attr(not(feature = "tracing"), allow(unused_variables))]

use std::fmt::Display;

use chrono::{DateTime, Utc};

use super::{
    AppendOutcome, Appended, ExecuteError, Executed, JournalError, StreamKey, SweepReport,
};
use crate::id::TenantId;
#[cfg(feature = "tracing")]
use crate::workflow::HasKind;
use crate::workflow::{Context, Workflow};
#[cfg(feature = "tracing")]
use tracing::field::Empty;

/// An entered span (nothing without the feature). Dropping it leaves the
/// span.
#[must_use]
pub(crate) struct Span {
    #[cfg(feature = "tracing")]
    entered: tracing::span::EnteredSpan,
}

/// Opens and enters a span: `tracing::info_span!`'s arguments, or nothing
/// at all without the feature.
#[cfg(feature = "tracing")]
macro_rules! open {
    ($($span:tt)*) => {
        Span {
            entered: tracing::info_span!($($span)*).entered(),
        }
    };
}

#[cfg(not(feature = "tracing"))]
macro_rules! open {
    ($($span:tt)*) => {
        Span {}
    };
}

impl Span {
    /// Records `value` as field `field` (declared when the span opened).
    #[inline]
    fn record(&self, field: &'static str, value: &dyn Display) {
        #[cfg(feature = "tracing")]
        self.entered.record(field, tracing::field::display(value));
    }

    /// Records a count as field `field`.
    #[inline]
    fn count(&self, field: &'static str, value: usize) {
        #[cfg(feature = "tracing")]
        self.entered
            .record(field, u64::try_from(value).unwrap_or(u64::MAX));
    }

    /// Records a number of attempts as field `attempts`.
    #[inline]
    fn attempts(&self, attempts: u32) {
        #[cfg(feature = "tracing")]
        self.entered.record("attempts", attempts);
    }

    /// The same span, left but still open: for async code, which enters
    /// it at each poll of the future it runs ([`AsyncSpan::in_future`])
    /// instead of holding a guard of the current thread across `.await`.
    #[cfg(feature = "tokio")]
    pub(crate) fn detached(self) -> AsyncSpan {
        AsyncSpan {
            #[cfg(feature = "tracing")]
            span: self.entered.exit(),
        }
    }
}

/// A span that async code enters at each poll of a future
/// ([`in_future`](Self::in_future)); made by [`Span::detached`]. Unlike
/// [`Span`] it is `Send` and `Sync`, so a future holding it can move
/// between threads.
#[cfg(feature = "tokio")]
#[must_use]
pub(crate) struct AsyncSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

#[cfg(feature = "tokio")]
impl AsyncSpan {
    /// Runs `future` inside this span: entered at each poll, left between
    /// them.
    pub(crate) async fn in_future<F: std::future::Future>(&self, future: F) -> F::Output {
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            future.instrument(self.span.clone()).await
        }
        #[cfg(not(feature = "tracing"))]
        future.await
    }

    /// Records `value` as field `field` (declared when the span opened).
    #[inline]
    fn record(&self, field: &'static str, value: &dyn Display) {
        #[cfg(feature = "tracing")]
        self.span.record(field, tracing::field::display(value));
    }

    /// Records a count as field `field`.
    #[inline]
    fn count(&self, field: &'static str, value: usize) {
        #[cfg(feature = "tracing")]
        self.span
            .record(field, u64::try_from(value).unwrap_or(u64::MAX));
    }

    /// Records a number of attempts as field `attempts`.
    #[inline]
    fn attempts(&self, attempts: u32) {
        #[cfg(feature = "tracing")]
        self.span.record("attempts", attempts);
    }
}

/// The outcome methods of [`Span`] and [`AsyncSpan`]: each records what a
/// result says on the span's declared fields and hands the result back.
macro_rules! outcomes {
    ($span:ty) => {
        #[allow(dead_code)]
        impl $span {
            /// Records a command's outcome: `recorded` (with the events and
            /// attempts), `unchanged` (decided nothing), `refused` (with the
            /// refusal's reason), `contended` or `failed` (with the error).
            pub(crate) fn handled<W, R>(
                self,
                result: Result<Executed<W>, ExecuteError<R>>,
            ) -> Result<Executed<W>, ExecuteError<R>>
            where
                W: Workflow,
                R: std::error::Error,
            {
                match &result {
                    Ok(done) if done.events().is_empty() => self.record("outcome", &"unchanged"),
                    Ok(done) => {
                        self.record("outcome", &"recorded");
                        self.count("events", done.events().len());
                        self.attempts(done.attempts);
                    }
                    Err(ExecuteError::Refused(reason)) => {
                        self.record("outcome", &"refused");
                        self.record("reason", reason);
                    }
                    Err(ExecuteError::Contended { attempts, .. }) => {
                        self.record("outcome", &"contended");
                        self.attempts(*attempts);
                    }
                    Err(error) => {
                        self.record("outcome", &"failed");
                        self.record("error", error);
                    }
                }
                result
            }

            /// Records an append's outcome: `recorded`, `already recorded` (an
            /// idempotent retry), `conflict` or `failed` (with the error).
            pub(crate) fn appended(
                self,
                result: Result<Appended, JournalError>,
            ) -> Result<Appended, JournalError> {
                match &result {
                    Ok(appended) => match appended.outcome {
                        AppendOutcome::Recorded => self.record("outcome", &"recorded"),
                        AppendOutcome::AlreadyRecorded => {
                            self.record("outcome", &"already recorded")
                        }
                    },
                    Err(error) if error.is_conflict() => self.record("outcome", &"conflict"),
                    Err(error) => {
                        self.record("outcome", &"failed");
                        self.record("error", error);
                    }
                }
                result
            }

            /// Records a batch append's outcome: how many parts were written and
            /// how many refused, or the error that refused the whole batch.
            #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
            pub(crate) fn appended_batch(
                self,
                result: Result<Vec<Result<Appended, JournalError>>, JournalError>,
            ) -> Result<Vec<Result<Appended, JournalError>>, JournalError> {
                match &result {
                    Ok(parts) => {
                        self.record("outcome", &"written");
                        self.count("refused", parts.iter().filter(|p| p.is_err()).count());
                    }
                    Err(error) => {
                        self.record("outcome", &"failed");
                        self.record("error", error);
                    }
                }
                result
            }

            /// Records a sweep's figures: how many due cases it claimed, ticked,
            /// found with nothing to do and failed, and the events it recorded.
            pub(crate) fn swept<R: std::error::Error + 'static>(
                self,
                result: Result<(SweepReport<R>, usize), JournalError>,
            ) -> Result<SweepReport<R>, JournalError> {
                match &result {
                    Ok((report, due)) => {
                        self.count("due", *due);
                        self.count("ticked", report.ticked.len());
                        self.count("nothing_to_do", report.nothing_to_do.len());
                        self.count("failed", report.failed.len());
                        self.count("events", report.events());
                    }
                    Err(error) => self.record("error", error),
                }
                result.map(|(report, _)| report)
            }

            /// Records why a projection page failed; the error is handed back.
            pub(crate) fn failed<E: Display>(&self, error: E) -> E {
                self.record("error", &error);
                error
            }
        }
    };
}

outcomes!(Span);
#[cfg(feature = "tokio")]
outcomes!(AsyncSpan);

/// The span of one command handled on case `id` of workflow `W`.
#[inline]
pub(crate) fn command<W: Workflow>(
    tenant: &TenantId,
    id: &crate::id::CaseId,
    command: &W::Command,
    ctx: &Context<'_>,
) -> Span {
    open!(
        "grassroots.command",
        workflow = W::NAME,
        tenant = %tenant,
        case = %id,
        command = %command.kind(),
        actor = %ctx.actor().id(),
        outcome = Empty,
        reason = Empty,
        error = Empty,
        events = Empty,
        attempts = Empty,
    )
}

/// The span of one append of `events` events to `stream` in the `store`
/// backend (`memory`, `sqlite`, `postgres`).
#[inline]
pub(crate) fn append(store: &'static str, stream: &StreamKey, events: usize) -> Span {
    open!(
        "grassroots.append",
        store,
        stream = %stream,
        events,
        outcome = Empty,
        error = Empty,
    )
}

/// The span of one append to `streams` streams at once (`events` events in
/// all) in the `store` backend.
#[inline]
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn append_batch(store: &'static str, streams: usize, events: usize) -> Span {
    open!(
        "grassroots.append_batch",
        store,
        streams,
        events,
        outcome = Empty,
        refused = Empty,
        error = Empty,
    )
}

/// The span of one sweep of workflow `workflow`'s due cases at `now`.
#[inline]
pub(crate) fn sweep(workflow: &'static str, tenant: &TenantId, now: DateTime<Utc>) -> Span {
    open!(
        "grassroots.sweep",
        workflow,
        tenant = %tenant,
        now = %now,
        due = Empty,
        ticked = Empty,
        nothing_to_do = Empty,
        failed = Empty,
        events = Empty,
        error = Empty,
    )
}

/// The span of one page a projection runner applies: `events` events after
/// position `after`, moving the checkpoint to `checkpoint`.
#[inline]
pub(crate) fn projection_page(
    projection: &str,
    tenant: &TenantId,
    after: u64,
    events: usize,
    checkpoint: u64,
) -> Span {
    open!(
        "grassroots.projection_page",
        projection,
        tenant = %tenant,
        after,
        events,
        checkpoint,
        error = Empty,
    )
}

/// A warning that a snapshot was not used (the case was read in full).
#[inline]
pub(crate) fn snapshot_refused(refused: &super::SnapshotRefused) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        target: "grassroots.snapshot",
        stream = %refused.stream(),
        reason = %refused,
        "snapshot refused; the case is read in full"
    );
}

/// A warning that a snapshot could not be written (the command stands).
#[inline]
pub(crate) fn snapshot_failed(stream: &StreamKey, error: &JournalError) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        target: "grassroots.snapshot",
        stream = %stream,
        error = %error,
        "snapshot not written; the command's events are stored"
    );
}
