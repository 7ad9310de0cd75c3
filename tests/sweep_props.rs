//! The sweeper over drawn histories and sweep times: after a sweep at `t` no
//! case has a timer due at or before `t`; sweeping again records nothing;
//! the due index kept append by append equals the one rebuilt from the log.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use grassroots::dispute::strategies::{Cast, lifecycle, noisy_lifecycle};
use grassroots::dispute::{Dispute, DisputeCommand};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{
    self, EventSchema, EventStore, MemoryStore, StreamType, SweepOptions, Sweeper,
};
use grassroots::service::{ServiceRequest, ServiceRequestCommand, sample, strategies};
use grassroots::testing::Step;
use grassroots::workflow::{Context, Workflow};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

static SERVICE: LazyLock<ServiceRequest> = LazyLock::new(sample::huanan_city_service);
static DISPUTE: LazyLock<(Dispute, Cast)> = LazyLock::new(grassroots::dispute::strategies::sample);

fn tenant() -> TenantId {
    "longgang".parse().unwrap()
}

/// Runs each history on its own case through `journal::execute`, ignoring
/// refusals; returns the time of the last step.
fn record<W>(
    store: &MemoryStore,
    workflow: &W,
    histories: &[Vec<Step<W::Command>>],
) -> DateTime<Utc>
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned,
{
    let mut last = grassroots::testing::strategies::epoch();
    for (n, steps) in histories.iter().enumerate() {
        let id: CaseId = format!("C-{n}").parse().unwrap();
        for s in steps {
            let ctx = Context::new(s.at, &s.actor);
            let _ = journal::execute(store, &tenant(), workflow, &id, &s.command, &ctx, 0);
            last = last.max(s.at);
        }
    }
    last
}

/// Sweeps at `at`, then checks every case and sweeps again.
fn sweep_and_check<W>(
    store: &MemoryStore,
    workflow: W,
    cases: usize,
    at: DateTime<Utc>,
) -> Result<(), TestCaseError>
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned,
    W::Rejection: std::fmt::Debug,
{
    let stream_type = StreamType::of::<W>().unwrap();
    let kept = journal::due_entries(store, &tenant(), &stream_type).unwrap();
    journal::rebuild_due_index::<W, _>(store, &tenant()).unwrap();
    prop_assert_eq!(
        &journal::due_entries(store, &tenant(), &stream_type).unwrap(),
        &kept,
        "the rebuilt index equals the kept one"
    );

    let sweeper = Sweeper::new(store, tenant(), workflow).with_options(SweepOptions {
        page: 3,
        ..SweepOptions::default()
    });
    let report = sweeper.sweep(at).unwrap();
    prop_assert!(report.failed.is_empty(), "{:?}", report.failed);
    for n in 0..cases {
        let id: CaseId = format!("C-{n}").parse().unwrap();
        let case = journal::load::<W, _>(store, &tenant(), &id).unwrap();
        prop_assert!(
            case.next_due().is_none_or(|d| d > at),
            "C-{} still due at {:?} after a sweep at {}",
            n,
            case.next_due(),
            at
        );
    }
    let events = store.len();
    let again = sweeper.sweep(at).unwrap();
    prop_assert!(again.is_idle(), "{}", again);
    prop_assert_eq!(store.len(), events, "the second sweep recorded nothing");
    prop_assert!(
        journal::due_entries(store, &tenant(), &stream_type)
            .unwrap()
            .iter()
            .all(|e| e.due > at)
    );
    Ok(())
}

fn dispute_histories() -> impl Strategy<Value = Vec<Vec<Step<DisputeCommand>>>> {
    let (dispute, cast) = DISPUTE.clone();
    let one = prop_oneof![
        lifecycle(dispute.clone(), cast.clone(), 0..20),
        noisy_lifecycle(dispute, cast, 0..20),
    ];
    proptest::collection::vec(one, 1..6)
}

fn service_histories() -> impl Strategy<Value = Vec<Vec<Step<ServiceRequestCommand>>>> {
    let one = prop_oneof![
        strategies::valid_steps(&SERVICE, 0..20),
        strategies::mixed_steps(&SERVICE, 0..20),
    ];
    proptest::collection::vec(one, 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn after_a_dispute_sweep_nothing_is_due_and_a_second_sweep_records_nothing(
        histories in dispute_histories(),
        later in 0i64..=40 * 24 * 60,
    ) {
        let store = MemoryStore::new();
        let dispute = DISPUTE.0.clone();
        let last = record(&store, &dispute, &histories);
        let at = last + Duration::minutes(later);
        sweep_and_check(&store, dispute, histories.len(), at)?;
    }

    #[test]
    fn after_a_service_sweep_nothing_is_due_and_a_second_sweep_records_nothing(
        histories in service_histories(),
        later in 0i64..=40 * 24 * 60,
    ) {
        let store = MemoryStore::new();
        let last = record(&store, &*SERVICE, &histories);
        let at = last + Duration::minutes(later);
        sweep_and_check(&store, SERVICE.clone(), histories.len(), at)?;
    }
}

#[test]
fn the_crates_workflows_name_their_timer() {
    assert!(matches!(
        Dispute::timer_command(),
        Some(DisputeCommand::Tick)
    ));
    assert!(matches!(
        ServiceRequest::timer_command(),
        Some(ServiceRequestCommand::Tick)
    ));
    assert!(
        EventStore::due(
            &MemoryStore::new(),
            &journal::DueQuery::new(
                tenant(),
                "dispute".parse().unwrap(),
                DateTime::<Utc>::MAX_UTC
            )
        )
        .unwrap()
        .is_empty()
    );
}
