//! The `tracing` feature in async code (`tokio`): the async journal opens a
//! span per handled command and the async sweeper one per sweep, each
//! entered at every poll of its future (so a handled command's future stays
//! `Send` and can be spawned); the store's spans open inside them, also
//! when the store does its work on a blocking thread. Each test writes to a
//! tenant of its own and looks only at that tenant's spans: the capture is
//! the one global subscriber of this binary.

#![cfg(all(feature = "tokio", feature = "sqlite", feature = "tracing"))]

mod support {
    pub mod capture;
    pub mod stores;
    pub mod ticket;
}

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::CaseId;
use grassroots::journal::{AsyncJournal, AsyncSqliteStore, AsyncSweeper, ExecuteError};
use grassroots::workflow::Context;
use support::capture::{Capture, Seen};
use support::ticket::{Command, REMIND_AFTER_HOURS, Ticket};

/// The capture every span of this binary goes to.
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing::subscriber::set_global_default(capture.clone())
            .expect("no other global subscriber");
        capture
    })
}

/// The spans named `name` whose `field` starts with `prefix`.
fn spans_of(name: &str, field: &str, prefix: &str) -> Vec<Seen> {
    capture()
        .named(name)
        .into_iter()
        .filter(|s| s.field(field).is_some_and(|v| v.starts_with(prefix)))
        .collect()
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn journal(dir: &tempfile::TempDir, tenant: &str) -> Arc<AsyncJournal<AsyncSqliteStore>> {
    let store = AsyncSqliteStore::new(support::stores::sqlite_in(dir));
    Arc::new(AsyncJournal::new(store, tenant.parse().unwrap()))
}

#[test]
fn an_async_command_records_its_span_and_the_append_inside_it() {
    capture();
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(&dir, "async-cmd");
    let refused = runtime().block_on(async move {
        // Spawned: the handled command's future, span and all, is `Send`.
        let task = tokio::spawn(async move {
            let worker = worker();
            let ctx = Context::new(t0(), &worker);
            journal
                .handle(&Ticket, &case(1), &Command::Open, &ctx)
                .await
                .unwrap();
            // A grid worker may not close a ticket that is open.
            journal
                .handle(&Ticket, &case(1), &Command::Close, &ctx)
                .await
                .map(|_| ())
        });
        task.await.unwrap()
    });
    let Err(ExecuteError::Refused(reason)) = refused else {
        panic!("closing an open ticket is refused: {refused:?}");
    };
    let commands = spans_of("grassroots.command", "tenant", "async-cmd");
    assert_eq!(commands.len(), 2, "{commands:#?}");
    let (opened, closed) = (&commands[0], &commands[1]);
    assert_eq!(opened.field("workflow"), Some("ticket"));
    assert_eq!(opened.field("case"), Some("T-1"));
    assert_eq!(opened.field("command"), Some("Open"));
    assert_eq!(opened.field("actor"), Some("gw-7"));
    assert_eq!(opened.field("outcome"), Some("recorded"));
    assert_eq!(opened.field("events"), Some("1"));
    assert_eq!(opened.field("attempts"), Some("1"));
    assert_eq!(closed.field("command"), Some("Close"));
    assert_eq!(closed.field("outcome"), Some("refused"));
    assert_eq!(closed.field("reason"), Some(reason.to_string().as_str()));

    // The append ran on a blocking thread, inside the command's span.
    let appends = spans_of("grassroots.append", "stream", "async-cmd/");
    assert_eq!(appends.len(), 1, "{appends:#?}");
    assert_eq!(appends[0].field("store"), Some("sqlite"));
    assert_eq!(appends[0].field("outcome"), Some("recorded"));
    assert_eq!(appends[0].parent, Some("grassroots.command"));
}

#[test]
fn an_async_sweep_records_its_span_with_what_it_ticked() {
    capture();
    let dir = tempfile::tempdir().unwrap();
    let journal = journal(&dir, "async-sweep");
    let report = runtime().block_on(async move {
        let worker = worker();
        for n in 0..3 {
            let ctx = Context::new(t0(), &worker);
            journal
                .handle(&Ticket, &case(n), &Command::Open, &ctx)
                .await
                .unwrap();
        }
        let sweeper = AsyncSweeper::new(journal.store().clone(), journal.tenant().clone(), Ticket);
        let now = t0() + Duration::hours(REMIND_AFTER_HOURS);
        tokio::spawn(async move { sweeper.sweep(now).await })
            .await
            .unwrap()
            .expect("the sweep reads the index")
    });
    assert_eq!(report.ticked.len(), 3, "{report}");

    let sweeps = spans_of("grassroots.sweep", "tenant", "async-sweep");
    assert_eq!(sweeps.len(), 1, "{sweeps:#?}");
    let sweep = &sweeps[0];
    assert_eq!(sweep.field("workflow"), Some("ticket"));
    assert_eq!(sweep.field("due"), Some("3"));
    assert_eq!(sweep.field("ticked"), Some("3"));
    assert_eq!(sweep.field("nothing_to_do"), Some("0"));
    assert_eq!(sweep.field("failed"), Some("0"));
    assert_eq!(sweep.field("events"), Some("3"));

    // The page went to SQLite as one batch, inside the sweep's span.
    let batches: Vec<Seen> = capture()
        .named("grassroots.append_batch")
        .into_iter()
        .filter(|b| b.parent == Some("grassroots.sweep"))
        .collect();
    assert!(
        batches
            .iter()
            .any(|b| b.field("streams") == Some("3") && b.field("refused") == Some("0")),
        "{batches:#?}"
    );
}
