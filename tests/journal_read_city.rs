//! The read models on the crate's own workflows, fed a small city-year's
//! disputes and service requests with their events interleaved: live
//! governance metrics equal the batch fold over the same histories, and the
//! case index and work queue equal a full replay of every case — through
//! restarts of the projections at arbitrary points.

mod support {
    pub mod stores;
}

use grassroots::dispute::Dispute;
use grassroots::journal::read::{
    CaseIndex, CaseQueries, LiveMetrics, MemoryReadStore, Page, Runner, WorkQueue, expected_rows,
};
use grassroots::journal::{self, EventStore, MemoryStore, StreamKey};
use grassroots::load::{City, CityCase, CityYear};
use grassroots::metrics::GovernanceMetrics;
use grassroots::service::ServiceRequest;
use grassroots::workflow::{Case, Workflow};

const CASES: u64 = 400;

/// Appends one event of `case` (the `round`-th), if it has one.
fn append_round<W: journal::Journaled>(
    store: &MemoryStore,
    tenant: &grassroots::id::TenantId,
    case: &Case<W>,
    round: usize,
) -> bool {
    let Some(recorded) = case.history().get(round) else {
        return false;
    };
    let stream = StreamKey::of::<W>(tenant.clone(), case.id().clone()).unwrap();
    let row = journal::encode::<W>(&stream, recorded).unwrap();
    store.append(&stream, round as u64, &[row]).unwrap();
    true
}

#[test]
fn live_metrics_and_the_case_index_follow_a_city_year() {
    // Disputes and service requests: the governance metrics' workflows.
    let mut year = CityYear::small().with_cases(CASES).with_seed(5);
    year.mix.work_orders = 0.0;
    let city = City::build(&year).unwrap();
    let cases: Vec<CityCase> = (0..CASES).map(|n| city.play(n).case).collect();
    let store = support::stores::memory();
    let tenant = support::stores::tenant("city");
    let runner = Runner::new(&store, tenant.clone(), MemoryReadStore::new()).with_page(97);
    // Interleaved: every case's first event, then every second one, ...;
    // after each round the projections are restarted (fresh values, as
    // after a crash) and catch up on what the round added.
    let mut round = 0;
    let mut applied = 0;
    loop {
        let mut any = false;
        for case in &cases {
            any |= match case {
                CityCase::Dispute(c) => append_round(&store, &tenant, c, round),
                CityCase::ServiceRequest(c) => append_round(&store, &tenant, c, round),
                other => panic!("not in this mix: {}", other.id()),
            };
        }
        let mut live = LiveMetrics::new()
            .with::<Dispute>()
            .with::<ServiceRequest>();
        let mut index = CaseIndex::new().with::<Dispute>().with::<ServiceRequest>();
        let mut queue = WorkQueue::new().with::<Dispute>().with::<ServiceRequest>();
        let done = runner.catch_up(&mut live).unwrap();
        assert_eq!(runner.catch_up(&mut index).unwrap().events, done.events);
        assert_eq!(runner.catch_up(&mut queue).unwrap().events, done.events);
        applied += done.events;
        if !any {
            break;
        }
        round += 1;
    }
    assert_eq!(applied, store.len());
    assert!(round > 5);

    // The batch fold, in the live fold's order (workflow, then case id).
    let mut sorted: Vec<&CityCase> = cases.iter().collect();
    sorted.sort_by_key(|c| match c {
        CityCase::Dispute(c) => (Dispute::NAME, c.id().clone()),
        CityCase::ServiceRequest(c) => (ServiceRequest::NAME, c.id().clone()),
        other => panic!("not in this mix: {}", other.id()),
    });
    let mut batch = GovernanceMetrics::new();
    for case in &sorted {
        match case {
            CityCase::Dispute(c) => batch.observe_dispute(c.history()),
            CityCase::ServiceRequest(c) => batch.observe_service_request(c.history()),
            other => panic!("not in this mix: {}", other.id()),
        }
    }
    let live = LiveMetrics::metrics(runner.read_store(), &tenant).unwrap();
    assert_eq!(live.total().received(), CASES);
    assert_eq!(live, batch);

    let reads = runner.read_store();
    let mut work = 0;
    for case in &cases {
        let (row, item) = match case {
            CityCase::Dispute(c) => expected_rows(c).unwrap(),
            CityCase::ServiceRequest(c) => expected_rows(c).unwrap(),
            other => panic!("not in this mix: {}", other.id()),
        };
        assert_eq!(reads.case(&tenant, &row.key).unwrap().as_ref(), Some(&row));
        if let Some(item) = item {
            work += 1;
            let at = item.body.clone().unwrap();
            let listed = reads.work_of(&tenant, &at, &Page::first(10_000)).unwrap();
            assert!(listed.contains(&item), "{item:?}");
        }
    }
    assert!(work > 0, "some cases are still open at the end of the year");
}
