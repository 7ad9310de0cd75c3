//! The city-year end to end at a scale a benchmark can afford, and what a
//! case costs in bytes.
//!
//! `cargo bench --features sim --bench city_year` (the full 20 million cases run from
//! `cargo run --release --features sim --example city_year`).
//!
//! - `city_year/build_city`: generating the million-organisation city and
//!   completing it for the workflows (mediation teams, halls, catalogues,
//!   rosters) — [`City::build`].
//! - `city_year/play_100k/{1,2}_threads`: 100,000 cases of the default
//!   mix played on that city — each generated from its own random stream,
//!   every command decided, evolved and recorded on a fresh `Case`, the
//!   history folded into `GovernanceMetrics` (work orders into
//!   `WorkOrderMetrics`) and dropped, one case in a
//!   thousand replayed and compared — on one and two worker threads.
//! - `city_year_histories/*`: 20,000 of those cases kept (about 50 MB of
//!   histories, far more than the cache): replayed with `replay_state`
//!   (events per second) — all of them, and a tenth of them, which stay in
//!   the cache — and folded into metrics (cases per second).
//!
//! It also prints the bytes per case and per event of those histories: in
//! memory (the recorded events and the heap parts they own) and as JSON.

#![allow(missing_docs)]

use std::hint::black_box;
use std::mem::size_of;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use grassroots::dispute::{Dispute, DisputeEvent, Party};
use grassroots::escalation::LadderEvent;
use grassroots::id::OrgId;
use grassroots::id::{ActorId, MaterialId};
use grassroots::load::{City, CityCase, CityYear};
use grassroots::metrics::{GovernanceMetrics, WorkOrderMetrics};
use grassroots::service::{AttributeValue, ServiceRequest, ServiceRequestEvent, Submission};
use grassroots::work_order::{Assignment, Intake, WorkOrder, WorkOrderEvent};
use grassroots::workflow::{Case, Recorded, replay_state};

const PLAYED: u64 = 100_000;
const KEPT: u64 = 20_000;

/// The heap a dispute event owns (vectors and boxes it holds; SmolStr ids
/// of up to 23 bytes are inline), without the allocator's own overhead.
fn dispute_heap(e: &DisputeEvent) -> usize {
    match e {
        DisputeEvent::Reported(report) => {
            size_of::<grassroots::dispute::Reported>()
                + report.parties.capacity() * size_of::<Party>()
        }
        DisputeEvent::MediatorsAssigned { mediators, .. } => {
            mediators.capacity() * size_of::<ActorId>()
        }
        DisputeEvent::AgreementRecorded(agreement) => {
            size_of::<grassroots::dispute::AgreementRecorded>() + agreement.terms.capacity()
        }
        DisputeEvent::ConfirmationApplied { applicants, .. } => {
            applicants.capacity() * size_of::<ActorId>()
        }
        DisputeEvent::Ladder(l) => size_of::<LadderEvent>() + ladder_heap(l),
        _ => 0,
    }
}

fn ladder_heap(e: &LadderEvent) -> usize {
    match e {
        LadderEvent::Escalated(e) => e
            .overridden
            .as_ref()
            .map_or(0, |o| o.justification.capacity()),
        _ => 0,
    }
}

fn service_heap(e: &ServiceRequestEvent) -> usize {
    match e {
        ServiceRequestEvent::Submitted(s) => {
            let Submission {
                required,
                provided,
                attributes,
                ..
            } = &**s;
            let values: usize = attributes
                .values()
                .map(|v| match v {
                    AttributeValue::Text(t) | AttributeValue::Choice(t) => t.capacity(),
                    AttributeValue::Choices(c) => {
                        c.capacity() * size_of::<String>()
                            + c.iter().map(String::capacity).sum::<usize>()
                    }
                    _ => 0,
                })
                .sum();
            // A B-tree leaf holds up to 11 entries: one node per request here.
            let node = if attributes.is_empty() {
                0
            } else {
                11 * (size_of::<grassroots::service::AttributeCode>() + size_of::<AttributeValue>())
                    + 16
            };
            size_of::<Submission>()
                + (required.capacity() + provided.capacity()) * size_of::<MaterialId>()
                + node
                + values
        }
        ServiceRequestEvent::SupplementRequested { materials }
        | ServiceRequestEvent::MaterialsSupplied { materials } => {
            materials.capacity() * size_of::<MaterialId>()
        }
        ServiceRequestEvent::Ladder(l) => size_of::<LadderEvent>() + ladder_heap(l),
        _ => 0,
    }
}

fn work_order_heap(e: &WorkOrderEvent) -> usize {
    // The intake and the assignment are shared with the state (`Arc`: two
    // counts before the value); counted here, once.
    let counts = 2 * size_of::<usize>();
    match e {
        WorkOrderEvent::Received(_) => counts + size_of::<Intake>(),
        WorkOrderEvent::Dispatched { assignment, .. } => {
            counts + size_of::<Assignment>() + assignment.assisting.capacity() * size_of::<OrgId>()
        }
        WorkOrderEvent::Ladder(l) => size_of::<LadderEvent>() + ladder_heap(l),
        _ => 0,
    }
}

struct Bytes {
    cases: usize,
    events: usize,
    memory: usize,
    json: usize,
}

impl Bytes {
    fn add<E: serde::Serialize>(&mut self, history: &[Recorded<E>], heap: impl Fn(&E) -> usize) {
        self.cases += 1;
        self.events += history.len();
        self.memory +=
            std::mem::size_of_val(history) + history.iter().map(|r| heap(&r.event)).sum::<usize>();
        self.json += history
            .iter()
            .map(|r| serde_json::to_vec(r).map_or(0, |v| v.len()))
            .sum::<usize>();
    }

    fn print(&self, what: &str) {
        println!(
            "city_year bytes, {what}: {} cases, {:.1} events per case; in memory {:.0} B per case, {:.0} B per event; JSON {:.0} B per case, {:.0} B per event",
            self.cases,
            self.events as f64 / self.cases as f64,
            self.memory as f64 / self.cases as f64,
            self.memory as f64 / self.events as f64,
            self.json as f64 / self.cases as f64,
            self.json as f64 / self.events as f64,
        );
    }
}

fn city_year(c: &mut Criterion) {
    let year = CityYear::default().with_cases(PLAYED);
    let started = Instant::now();
    let city = City::build(&year).expect("the default city builds");
    println!(
        "city_year: city built in {:.2} s ({} organisations)",
        started.elapsed().as_secs_f64(),
        city.graph().len()
    );
    let report = city.run(2);
    assert_eq!(report.unexpected, 0, "{:?}", report.unexpected_examples);
    assert_eq!(report.replay_mismatches, 0);
    println!(
        "city_year: {} cases, {} commands, {} events ({:.1} per case), {} refused on purpose",
        report.cases,
        report.commands,
        report.events,
        report.events as f64 / report.cases as f64,
        report.refused.total()
    );

    let mut group = c.benchmark_group("city_year");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("build_city", |b| {
        b.iter_with_large_drop(|| City::build(black_box(&year)).expect("the city builds"))
    });
    group.throughput(Throughput::Elements(PLAYED));
    for threads in [1, 2] {
        group.bench_function(format!("play_100k/{threads}_threads"), |b| {
            b.iter_with_large_drop(|| city.run(threads))
        });
    }
    group.finish();

    // Histories kept, for replay, metrics and bytes.
    let mut disputes: Vec<Case<Dispute>> = Vec::new();
    let mut requests: Vec<Case<ServiceRequest>> = Vec::new();
    let mut orders: Vec<Case<WorkOrder>> = Vec::new();
    for n in 0..KEPT {
        match city.play(n).case {
            CityCase::Dispute(c) => disputes.push(c),
            CityCase::ServiceRequest(c) => requests.push(c),
            CityCase::WorkOrder(c) => orders.push(c),
            _ => unreachable!("the city plays three workflows"),
        }
    }
    let events: usize = disputes.iter().map(|c| c.history().len()).sum::<usize>()
        + requests.iter().map(|c| c.history().len()).sum::<usize>()
        + orders.iter().map(|c| c.history().len()).sum::<usize>();
    let mut group = c.benchmark_group("city_year_histories");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(events as u64));
    group.bench_function("replay_state_20k_cases", |b| {
        b.iter(|| {
            for c in &disputes {
                black_box(replay_state::<Dispute>(c.id(), c.history()).expect("replays"));
            }
            for c in &requests {
                black_box(replay_state::<ServiceRequest>(c.id(), c.history()).expect("replays"));
            }
            for c in &orders {
                black_box(replay_state::<WorkOrder>(c.id(), c.history()).expect("replays"));
            }
        })
    });
    // The same kind of histories, few enough to stay in the cache.
    let (hot_disputes, hot_requests, hot_orders) = (
        &disputes[..disputes.len() / 10],
        &requests[..requests.len() / 10],
        &orders[..orders.len() / 10],
    );
    let hot_events: usize = hot_disputes
        .iter()
        .map(|c| c.history().len())
        .sum::<usize>()
        + hot_requests
            .iter()
            .map(|c| c.history().len())
            .sum::<usize>()
        + hot_orders.iter().map(|c| c.history().len()).sum::<usize>();
    group.throughput(Throughput::Elements(hot_events as u64));
    group.bench_function("replay_state_2k_cases", |b| {
        b.iter(|| {
            for c in hot_disputes {
                black_box(replay_state::<Dispute>(c.id(), c.history()).expect("replays"));
            }
            for c in hot_requests {
                black_box(replay_state::<ServiceRequest>(c.id(), c.history()).expect("replays"));
            }
            for c in hot_orders {
                black_box(replay_state::<WorkOrder>(c.id(), c.history()).expect("replays"));
            }
        })
    });
    group.throughput(Throughput::Elements(KEPT));
    group.bench_function("metrics_20k_cases", |b| {
        b.iter_batched(
            || (GovernanceMetrics::new(), WorkOrderMetrics::default()),
            |(mut m, mut w)| {
                for c in &disputes {
                    m.observe_dispute(c.history());
                }
                for c in &requests {
                    m.observe_service_request(c.history());
                }
                for c in &orders {
                    w.observe(c.history());
                }
                (m, w)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut d = Bytes {
        cases: 0,
        events: 0,
        memory: 0,
        json: 0,
    };
    let mut r = Bytes {
        cases: 0,
        events: 0,
        memory: 0,
        json: 0,
    };
    for c in &disputes {
        d.add(c.history(), dispute_heap);
    }
    for c in &requests {
        r.add(c.history(), service_heap);
    }
    let mut w = Bytes {
        cases: 0,
        events: 0,
        memory: 0,
        json: 0,
    };
    for c in &orders {
        w.add(c.history(), work_order_heap);
    }
    println!(
        "city_year sizes: Recorded<DisputeEvent> {} B, Recorded<ServiceRequestEvent> {} B, Recorded<WorkOrderEvent> {} B, LadderEvent {} B (boxed)",
        size_of::<Recorded<DisputeEvent>>(),
        size_of::<Recorded<ServiceRequestEvent>>(),
        size_of::<Recorded<WorkOrderEvent>>(),
        size_of::<LadderEvent>()
    );
    d.print("disputes");
    r.print("service requests");
    w.print("work orders");
    let all = Bytes {
        cases: d.cases + r.cases + w.cases,
        events: d.events + r.events + w.events,
        memory: d.memory + r.memory + w.memory,
        json: d.json + r.json + w.json,
    };
    all.print("all");
}

criterion_group!(benches, city_year);
criterion_main!(benches);
