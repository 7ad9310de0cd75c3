//! Bounded exploration of the dispute workflow (issue 20).
//!
//! `cargo bench --all-features --bench explore`
//!
//! Explores the Huanan City dispute fixture (a labour dispute in the
//! industrial park, two parties, two mediators) with the guide of
//! `dispute::strategies::guide` — every command the lifecycle strategy could
//! send in each state, by its actor — the time steps one hour, four days
//! and sixteen days, and states deduplicated by their `Debug` form without
//! times (`Guide::view`), as tests/kit.rs does.
//!
//! - Before the measurements it runs depth 12 once and prints the wall
//!   time, the distinct states reached, the commands tried and states per
//!   second.
//! - `explore_dispute/depth_8`: criterion's measurement of depth 8, with
//!   throughput in distinct states.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use chrono::Duration;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use grassroots::dispute::strategies::{Cast, guide};
use grassroots::dispute::{Dispute, Party};
use grassroots::matter::DisputeKind;
use grassroots::testing::{Budget, Guide, explore};

#[path = "../tests/support/dispute_fixture.rs"]
mod fixture;

use fixture::*;

fn dispute_guide(dispute: &Dispute) -> Guide<Dispute> {
    let cast = Cast::new(
        DisputeKind::Labour,
        id("huanan-park"),
        vec![
            Party::person(aid("li")),
            Party::enterprise(aid("acme-rep"), id("acme")),
        ],
        vec![aid("qian"), aid("zhao")],
    )
    .with_bodies([id("park-academy"), id("hehua-med"), id("pinghu-med")]);
    guide(dispute, &cast)
        .gaps([Duration::hours(1), Duration::days(4), Duration::days(16)])
        .view(without_times)
}

/// A state's `Debug` form without its times (`2026-01-05T09:00:00Z`), as
/// tests/kit.rs explores: states that differ only in when things happened
/// count as one.
fn without_times<S: std::fmt::Debug>(state: &S) -> String {
    let text = format!("{state:?}");
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let time_char = |c: char| c.is_ascii_digit() || "-:TZ.+".contains(c);
    for c in text.chars().chain(std::iter::once(' ')) {
        if time_char(c) {
            token.push(c);
            continue;
        }
        if !(token.contains('T') && token.contains(':')) {
            out.push_str(&token);
        }
        token.clear();
        out.push(c);
    }
    out
}

fn bench(c: &mut Criterion) {
    let dispute = dispute();
    let guide = dispute_guide(&dispute);

    let started = Instant::now();
    let report = explore(&dispute, &guide, Budget::depth(12));
    let secs = started.elapsed().as_secs_f64();
    println!(
        "explore dispute depth 12: {:.2} s, {} distinct states, {} commands tried, {:.0} states/s, complete: {}, {} of {} declared transitions",
        secs,
        report.states,
        report.tried,
        report.states as f64 / secs,
        report.complete,
        report.coverage.exercised().len(),
        report.coverage.exercised().len() + report.coverage.unreached().len(),
    );
    assert!(report.violation.is_none(), "{report}");

    let states = explore(&dispute, &guide, Budget::depth(8)).states;
    let mut group = c.benchmark_group("explore_dispute");
    group.sample_size(10);
    group.throughput(Throughput::Elements(states as u64));
    group.bench_function("depth_8", |b| {
        b.iter(|| black_box(explore(&dispute, &guide, Budget::depth(8)).states))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
