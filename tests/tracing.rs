//! The `tracing` feature: the journal layer opens a span per handled
//! command (with a refusal's reason), per append, per sweep and per
//! projection page. A small hand-written subscriber
//! (`tests/support/capture.rs`) keeps every span's name and fields (as
//! text) so the tests can look at them.

mod support {
    pub mod capture;
    pub mod stores;
    pub mod ticket;
}

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::CaseId;
use grassroots::journal::read::{CaseIndex, MemoryReadStore, Runner};
use grassroots::journal::{self, EventStore, ExecuteError, Journal};
use grassroots::workflow::Context;
use support::capture::Capture;
use support::ticket::{Command, REMIND_AFTER_HOURS, Ticket};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

thread_local! {
    /// The capture of the test running on this thread, if any.
    static SINK: std::cell::RefCell<Option<Capture>> = const { std::cell::RefCell::new(None) };
}

/// The one global subscriber of this test binary: it hands every span to
/// the capture of the thread it happens on. One global subscriber, not one
/// scoped subscriber per test: tracing caches each callsite's interest
/// across the dispatchers alive when it is first hit, and tests running in
/// parallel with scoped subscribers raced on that cache (a span went
/// unrecorded in one CI run).
struct PerThread;

fn sink<T>(f: impl FnOnce(&Capture) -> T) -> Option<T> {
    SINK.with(|sink| sink.borrow().as_ref().map(f))
}

impl Subscriber for PerThread {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        sink(|c| c.new_span(attributes)).unwrap_or_else(|| Id::from_u64(u64::MAX))
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        sink(|c| c.record(span, values));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, span: &Id) {
        sink(|c| c.enter(span));
    }
    fn exit(&self, span: &Id) {
        sink(|c| c.exit(span));
    }
}

/// Runs `f` with `capture` keeping the spans this thread opens.
fn capturing<T>(capture: &Capture, f: impl FnOnce() -> T) -> T {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        tracing::subscriber::set_global_default(PerThread).expect("no other global subscriber");
    });
    SINK.with(|sink| *sink.borrow_mut() = Some(capture.clone()));
    let out = f();
    SINK.with(|sink| *sink.borrow_mut() = None);
    out
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn worker() -> Actor {
    Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker)
}

fn case(n: usize) -> CaseId {
    format!("T-{n}").parse().unwrap()
}

#[test]
fn a_refused_command_records_its_workflow_case_kind_and_reason() {
    let capture = Capture::default();
    let store = support::stores::memory();
    let journal = Journal::new(&store, "longgang".parse().unwrap());
    let worker = worker();
    let ctx = Context::new(t0(), &worker);
    let refused = capturing(&capture, || {
        journal
            .handle(&Ticket, &case(1), &Command::Open, &ctx)
            .unwrap();
        // A grid worker may not close a ticket that is open.
        journal.handle(&Ticket, &case(1), &Command::Close, &ctx)
    });
    let Err(ExecuteError::Refused(reason)) = refused else {
        panic!("closing an open ticket is refused: {refused:?}");
    };
    let commands = capture.named("grassroots.command");
    assert_eq!(commands.len(), 2, "{commands:#?}");
    let (opened, closed) = (&commands[0], &commands[1]);
    assert_eq!(opened.field("workflow"), Some("ticket"));
    assert_eq!(opened.field("case"), Some("T-1"));
    assert_eq!(opened.field("command"), Some("Open"));
    assert_eq!(opened.field("actor"), Some("gw-7"));
    assert_eq!(opened.field("tenant"), Some("longgang"));
    assert_eq!(opened.field("outcome"), Some("recorded"));
    assert_eq!(opened.field("events"), Some("1"));
    assert_eq!(opened.field("reason"), None);

    assert_eq!(closed.field("workflow"), Some("ticket"));
    assert_eq!(closed.field("case"), Some("T-1"));
    assert_eq!(closed.field("command"), Some("Close"));
    assert_eq!(closed.field("outcome"), Some("refused"));
    let text = reason.to_string();
    assert!(text.contains("Close"), "{text}");
    assert_eq!(closed.field("reason"), Some(text.as_str()));

    // Only the recorded command appended, inside its command's span.
    let appends = capture.named("grassroots.append");
    assert_eq!(appends.len(), 1, "{appends:#?}");
    assert_eq!(appends[0].field("store"), Some("memory"));
    assert_eq!(appends[0].field("stream"), Some("longgang/ticket/T-1"));
    assert_eq!(appends[0].field("events"), Some("1"));
    assert_eq!(appends[0].field("outcome"), Some("recorded"));
    assert_eq!(appends[0].parent, Some("grassroots.command"));
}

#[test]
fn execute_records_a_command_span_too() {
    let capture = Capture::default();
    let store = support::stores::memory();
    let worker = worker();
    let tenant = "longgang".parse().unwrap();
    let result = capturing(&capture, || {
        journal::execute(
            &store,
            &tenant,
            &Ticket,
            &case(2),
            &Command::Resolve,
            &Context::new(t0(), &worker),
            3,
        )
    });
    assert!(
        matches!(result, Err(ExecuteError::Refused(_))),
        "{result:?}"
    );
    let commands = capture.named("grassroots.command");
    assert_eq!(commands.len(), 1, "{commands:#?}");
    assert_eq!(commands[0].field("command"), Some("Resolve"));
    assert_eq!(commands[0].field("outcome"), Some("refused"));
    assert!(commands[0].field("reason").is_some_and(|r| !r.is_empty()));
}

#[test]
fn a_sweep_records_its_span_with_what_it_ticked() {
    let capture = Capture::default();
    let (_dir, store) = support::stores::sqlite();
    let journal = Journal::new(&store, "longgang".parse().unwrap());
    let worker = worker();
    for n in 0..3 {
        let ctx = Context::new(t0(), &worker);
        journal
            .handle(&Ticket, &case(n), &Command::Open, &ctx)
            .unwrap();
    }
    let sweeper = journal.sweeper(Ticket);
    let now = t0() + Duration::hours(REMIND_AFTER_HOURS);
    let report = capturing(&capture, || sweeper.sweep(now)).expect("the sweep reads the index");
    assert_eq!(report.ticked.len(), 3, "{report}");

    let sweeps = capture.named("grassroots.sweep");
    assert_eq!(sweeps.len(), 1, "{sweeps:#?}");
    let sweep = &sweeps[0];
    assert_eq!(sweep.field("workflow"), Some("ticket"));
    assert_eq!(sweep.field("due"), Some("3"));
    assert_eq!(sweep.field("ticked"), Some("3"));
    assert_eq!(sweep.field("failed"), Some("0"));
    assert_eq!(sweep.field("events"), Some("3"));

    // The page went to SQLite as one batch, inside the sweep.
    let batches = capture.named("grassroots.append_batch");
    assert_eq!(batches.len(), 1, "{batches:#?}");
    assert_eq!(batches[0].field("store"), Some("sqlite"));
    assert_eq!(batches[0].field("streams"), Some("3"));
    assert_eq!(batches[0].field("events"), Some("3"));
    assert_eq!(batches[0].field("refused"), Some("0"));
    assert_eq!(batches[0].parent, Some("grassroots.sweep"));
}

#[test]
fn a_projection_page_records_its_events_and_checkpoint() {
    let capture = Capture::default();
    let store = support::stores::memory();
    let journal = Journal::new(&store, "longgang".parse().unwrap());
    let worker = worker();
    for n in 0..5 {
        let ctx = Context::new(t0(), &worker);
        journal
            .handle(&Ticket, &case(n), &Command::Open, &ctx)
            .unwrap();
    }
    let runner = Runner::new(&store, journal.tenant().clone(), MemoryReadStore::new()).with_page(2);
    let done = capturing(&capture, || {
        runner.catch_up(&mut CaseIndex::new().with::<Ticket>())
    })
    .unwrap();
    assert_eq!(done.events, 5);
    let pages = capture.named("grassroots.projection_page");
    let figures: Vec<_> = pages
        .iter()
        .map(|p| {
            (
                p.field("after").unwrap().to_owned(),
                p.field("events").unwrap().to_owned(),
                p.field("checkpoint").unwrap().to_owned(),
            )
        })
        .collect();
    let last = store
        .read_feed(journal.tenant(), 0, 100)
        .unwrap()
        .next_after;
    assert_eq!(figures.len(), 3, "{pages:#?}");
    assert_eq!(figures[0].0, "0");
    assert_eq!(figures[0].1, "2");
    assert_eq!(figures[2].1, "1");
    assert_eq!(figures[2].2, last.to_string());
    assert!(
        pages
            .iter()
            .all(|p| p.field("projection") == Some(CaseIndex::NAME))
    );
}
