//! A fixed amount of organisation-graph work for an instruction counter:
//! generates a city (the default scale; a first argument divides the counts
//! below the district tier), validates it once and routes the
//! `org_graph` bench's 4,096 queries once, each in a function of its own.
//!
//! ```sh
//! cargo build --release --features sim --example org_graph_probe
//! valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/examples/org_graph_probe
//! callgrind_annotate --inclusive=yes cg.out | grep -E 'probe_(build|validate|route)'
//! ```
//!
//! Divide `probe_build` and `probe_validate` by the organisations and
//! `probe_route` by 4,096 (DESIGN.md, "Organisation graph at city scale").
use chrono::NaiveDate;
use grassroots::id::OrgId;
use grassroots::matter::{DisputeKind, ServiceCategory};
use grassroots::org::generate::{CityScale, city};
use grassroots::org::{Need, OrgGraph};
use grassroots::tier::Tier;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::hint::black_box;

#[inline(never)]
fn probe_build(scale: &CityScale) -> OrgGraph {
    city(black_box(scale), 1)
}
#[inline(never)]
fn probe_validate(g: &OrgGraph) {
    black_box(g.validate()).unwrap();
}
#[inline(never)]
fn probe_route(g: &OrgGraph, qs: &[(OrgId, Tier, Need)], date: NaiveDate) -> usize {
    let mut ok = 0;
    for (l, t, n) in qs {
        if black_box(g.route(l, *t, n, date)).is_ok() {
            ok += 1;
        }
    }
    ok
}

fn main() {
    let div: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(1);
    let mut scale = CityScale::default();
    scale.estates /= div;
    scale.grids /= div;
    scale.enterprises /= div;
    scale.persons /= div;
    if div > 1 {
        scale.communities /= div;
        scale.subdistricts = (scale.subdistricts / div).max(2);
    }
    let g = probe_build(&scale);
    let date = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    probe_validate(&g);
    let mut rng = Pcg64Mcg::seed_from_u64(99);
    let qs: Vec<(OrgId, Tier, Need)> = (0..4096)
        .map(|_| {
            let grid = OrgId::new(format!("g{}", rng.random_range(0..scale.grids))).unwrap();
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
    let ok = probe_route(&g, &qs, date);
    println!(
        "nodes {} links {} routed {ok} of {}",
        g.len(),
        g.link_count(),
        qs.len()
    );
}
