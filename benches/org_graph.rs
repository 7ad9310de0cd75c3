//! The organisation graph at city scale (about a million organisations):
//! building it, routing a query, validating it, running the health
//! checks and reading every link back; plus the memory it takes per
//! organisation.
//!
//! `cargo bench --features sim --bench org_graph` (add `-- --quick` for a fast pass).

// criterion_group! and criterion_main! generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use grassroots::id::OrgId;
use grassroots::matter::{DisputeKind, ServiceCategory};
use grassroots::org::generate::{CityScale, city};
use grassroots::org::{Link, Need, Org, OrgGraph, Relation};
use grassroots::tier::Tier;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Resident set size of this process in bytes (Linux), if it can be read.
fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn report_memory(scale: &CityScale) -> OrgGraph {
    let before = resident_bytes();
    let graph = city(scale, 1);
    let after = resident_bytes();
    let (orgs, links) = (graph.len(), graph.link_count());
    println!("org_graph: {orgs} organisations, {links} links");
    if let (Some(before), Some(after)) = (before, after) {
        let bytes = after.saturating_sub(before);
        println!(
            "org_graph memory: {:.1} MiB resident for the graph, {:.0} bytes per organisation \
             (links, names and indexes included)",
            bytes as f64 / (1024.0 * 1024.0),
            bytes as f64 / orgs as f64
        );
    }
    println!(
        "org_graph sizes: Org {} bytes inline, Relation {} bytes, Link {} bytes, OrgId {} bytes",
        std::mem::size_of::<Org>(),
        std::mem::size_of::<Relation>(),
        std::mem::size_of::<Link>(),
        std::mem::size_of::<OrgId>()
    );
    graph
}

fn org_graph(c: &mut Criterion) {
    let scale = CityScale::default();
    let graph = report_memory(&scale);
    let date = NaiveDate::from_ymd_opt(2025, 6, 1).expect("a valid date");

    let mut group = c.benchmark_group("org_graph");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(12));
    group.bench_function("build_city_1m", |b| {
        b.iter_with_large_drop(|| city(black_box(&scale), 1))
    });
    group.bench_function("validate_1m", |b| b.iter(|| black_box(&graph).validate()));
    group.bench_function("health_1m", |b| b.iter(|| black_box(&graph).health(date)));
    // Every link read back (what an export or a diagram of the city
    // walks): ids cloned, origins attached.
    group.bench_function("links_1m", |b| {
        b.iter(|| {
            black_box(&graph)
                .links()
                .filter(|l| l.origin.is_some())
                .count()
        })
    });
    group.finish();

    // Routing: locations drawn pseudo-randomly from the grids, needs and
    // tiers mixed, precomputed so the loop only routes.
    let mut rng = Pcg64Mcg::seed_from_u64(99);
    let queries: Vec<(OrgId, Tier, Need)> = (0..4096)
        .map(|_| {
            let grid = OrgId::new(format!("g{}", rng.random_range(0..scale.grids))).expect("an id");
            let k = rng.random_range(0..DisputeKind::ALL.len() + ServiceCategory::ALL.len());
            let (need, tier) = match DisputeKind::ALL.get(k) {
                Some(&kind) => (
                    Need::Mediation(kind),
                    [
                        Tier::Estate,
                        Tier::Community,
                        Tier::Community,
                        Tier::Subdistrict,
                    ][rng.random_range(0..4)],
                ),
                None => (
                    Need::Service(ServiceCategory::ALL[k - DisputeKind::ALL.len()]),
                    Tier::Subdistrict,
                ),
            };
            (grid, tier, need)
        })
        .collect();
    let routed = queries
        .iter()
        .filter(|(l, t, n)| graph.route(l, *t, n, date).is_ok())
        .count();
    println!(
        "org_graph routing: {routed} of {} queries find a handler",
        queries.len()
    );
    let mut group = c.benchmark_group("org_graph");
    group.bench_function("route_1m", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) & 4095;
            let (location, tier, need) = &queries[i];
            black_box(graph.route(location, *tier, need, date))
        })
    });
    group.bench_function("escalation_path_1m", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) & 4095;
            let (location, _, need) = &queries[i];
            black_box(graph.escalation_path(location, need, date))
        })
    });
    group.finish();
}

criterion_group!(benches, org_graph);
criterion_main!(benches);
