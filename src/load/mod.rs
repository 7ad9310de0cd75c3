//! A seeded load generator: a city's year of disputes, service requests
//! and 12345 work orders, decided, recorded and folded into governance
//! metrics — for the crate's own benchmarks and for your load tests.
//!
//! A [`CityYear`] says how many cases arrive over how many days, in which
//! city ([`CityScale`]) and with which [`Mix`] of kinds, parties and
//! fates; the default is the full **city-year: 20 million cases over 365
//! days** in a city of about a million organisations. [`run`] builds the
//! [`City`] and plays every case on worker threads: each case is a fresh
//! [`Case`] driven command by command through the
//! real workflows (decide, evolve, record), its history folded into
//! [`GovernanceMetrics`] and dropped — streaming, so memory does not grow
//! with the number of cases. A sample of cases is replayed and compared
//! with the live state.
//!
//! # Example
//!
//! ```
//! use grassroots::load::{self, CityYear};
//! use grassroots::metrics::CaseType;
//!
//! let year = CityYear::small().with_cases(2_000);
//! let report = load::run(&year, 2)?;
//! assert_eq!(report.cases, 2_000);
//! assert_eq!(report.unexpected, 0); // every command went as scripted
//! assert_eq!(report.replay_mismatches, 0);
//! assert!(report.refused.total() > 0); // some were refused on purpose
//!
//! // Deterministic whatever the number of threads.
//! let again = load::run(&year, 1)?;
//! assert_eq!(again.metrics, report.metrics);
//!
//! let disputes = report.metrics.by_case_type(CaseType::Dispute);
//! assert!(disputes.resolution_rate().unwrap() > 0.5);
//! // Work orders have their own indicators.
//! assert_eq!(report.work_order_metrics.received(), report.work_orders);
//! assert!(report.work_order_metrics.callback_satisfaction().unwrap() > 0.5);
//! println!("{report}");
//! # Ok::<(), grassroots::load::LoadError>(())
//! ```
//!
//! # Determinism
//!
//! Case `n` draws everything — its workflow, place, kind, parties, times
//! and fate — from its own random stream, seeded from the year's seed and
//! `n` (`rand_pcg::Pcg64Mcg`), and arrives on day `n × days ÷ cases` in
//! working hours. So a case plays the same whichever thread plays it, and
//! the metrics of a run do not depend on the number of threads. Nothing is
//! sent after the year ends: cases still open then stay open.
//!
//! # The scripts
//!
//! A case's script is a plan drawn up front (how it should end, whether it
//! lapses, is suspended, rated badly, ...) played against the state the
//! case reaches, so every command is one the workflow's rules expect from
//! the actor sending it:
//!
//! - **disputes** are reported at an estate-tier place by a party, the
//!   place's grid worker or an intake officer; the body the organisation
//!   graph routes them to accepts (its officer, found by asking the
//!   dispute who may), assigns mediators from its roster or chosen by the
//!   parties, records sessions, an agreement and every signature; some are
//!   declined (out of scope, pending elsewhere), refused or withdrawn by a
//!   party, flagged as a risk, left past their tier's time limit (a `Tick`
//!   then escalates them or sends supervision), fail and go up the ladder
//!   (within the ceiling, or past it by override) or out to arbitration or
//!   litigation; agreements may be confirmed jointly, fulfilled or
//!   breached; a follow-up visit with a rating closes them;
//! - **service requests** go to one of the halls (one per subdistrict),
//!   for one of 18 items (the [sample catalogue](crate::service::sample),
//!   with the hall as handling body for the items it handles and the
//!   district's service centre as the competent department for those it
//!   forwards); some miss
//!   a material and are asked for it, are refused at intake, withdrawn,
//!   returned by a department, suspended, extended, left overdue (a `Tick`
//!   records it and sends supervision), denied, rated badly and sent back
//!   for rework;
//! - **work orders** (12345) arise at an estate and come in by the
//!   hotline, the app, a grid worker or a secretary face-to-face (both
//!   acting for the community's work station) or the merchants' council
//!   serving the place; a body that received one first takes it on (a work
//!   station, for city appearance) or hands it over with a record; the
//!   dispatcher dispatches it through the graph (city appearance to the
//!   work station, noise to the subdistrict's environment office, street
//!   lighting to its urban management office), now and then with an
//!   assisting body; some are signed for late (a `Tick` records it), some
//!   returned — re-dispatched to another body or the dispatch upheld — some
//!   extended, left overdue (a `Tick` records it and starts supervision),
//!   dismissed or withdrawn; the lead replies, the dispatcher calls the
//!   requester back and closes the order, or has it redone after a
//!   dissatisfied callback that found the reply wanting;
//! - a share of cases gets one **deliberately refused** command — sent by
//!   the wrong actor (a passer-by accepting, a party recording a session,
//!   a clerk of another hall), too late (judicial confirmation after the
//!   window, an extension after the deadline) or in a state it does not
//!   apply to (signing before an agreement, rating before delivery, a
//!   callback before the reply, dismissing a request a body received
//!   first). The
//!   report counts them; any other refusal, or a refused command that was
//!   accepted, counts as *unexpected* (zero in a correct run).
//!
//! # The city
//!
//! [`City::build`] generates the organisation graph
//! ([`org::generate::city`](crate::org::generate::city)) and completes it
//! where the workflows need more than the generator gives: every
//! estate-tier body gets a people's mediation team (all dispute kinds, three
//! mediators on its roster), so small matters can stay in the estate; a
//! community where some dispute kind has no handler gets a mediation point
//! for those kinds (routing still prefers the community's own committee
//! and the studios paired with it); each subdistrict's administrative
//! service centre is a hall with a catalogue, supervised at the
//! subdistrict tier ([`supervision_policy`](crate::service::supervision_policy)).
//! Disputes use the report's default escalation policy. A 12345 hotline
//! centre serves the city, with a work station for every community, an
//! urban management and an environment office for every subdistrict and a
//! street lighting office for every district; work orders are supervised
//! at the subdistrict tier like service requests.

mod city;
mod dispute;
mod due;
mod script;
mod service;
mod work_order;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta};
use rand::Rng;
use rand_pcg::Pcg64Mcg;
use serde::Serialize;

pub use city::City;
pub use due::DueIndex;

use crate::dispute::{Dispute, DisputeStateKind};
use crate::escalation::PolicyError;
use crate::id::{CaseId, IdError, OrgId};
use crate::matter::DisputeKind;
use crate::metrics::GovernanceMetrics;
use crate::metrics::WorkOrderMetrics;
use crate::org::OrgGraphError;
use crate::org::generate::CityScale;
use crate::service::{CatalogueError, NoteError, ServiceRequest, ServiceRequestStateKind};
use crate::tier::{Severity, Tier};
use crate::work_order::{WorkOrder, WorkOrderConfigError, WorkOrderStateKind};
use crate::workflow::{Case, HasKind, Kind, replay_state};
use script::Log;

/// Why a city could not be built for a [`CityYear`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The scale has no estate-tier bodies: disputes have nowhere to arise.
    #[error("the city has no estates, parks or villages for disputes to arise in")]
    NoEstates,
    /// No subdistrict has a service hall routing can find.
    #[error("the city has no subdistrict with a service hall")]
    NoHalls,
    /// Completing the organisation graph failed.
    #[error(transparent)]
    Graph(#[from] OrgGraphError),
    /// A hall's catalogue was refused.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// The supervision policy was refused.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A generated identifier was refused.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A prepared note was refused.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The 12345 work-order workflow was refused.
    #[error(transparent)]
    WorkOrder(#[from] WorkOrderConfigError),
}

/// The shares and weights of what happens in a [`CityYear`].
///
/// Shares are probabilities per case (`0.0 ..= 1.0`); weights are
/// relative. Change the fields you care about on [`Mix::default`]:
///
/// ```
/// use grassroots::load::Mix;
///
/// let mut mix = Mix::default();
/// mix.disputes = 0.5;
/// mix.refused_commands = 0.0; // no deliberate refusals
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Mix {
    /// Share of cases that are disputes. Default 0.2 (a real city sees
    /// fewer disputes per request; the default gives the dispute workflow
    /// a real share of the load).
    pub disputes: f64,
    /// Share of cases that are 12345 work orders; the rest (after
    /// disputes) are service requests. Default 0.3.
    pub work_orders: f64,
    /// Weights of the dispute kinds, in [`DisputeKind::ALL`](crate::matter::DisputeKind::ALL)
    /// order (labour, commercial, neighbour, property management,
    /// consumer, other). Default `[20, 8, 30, 20, 15, 7]`; parks add labour
    /// disputes and commercial districts commercial and consumer ones.
    pub dispute_kinds: [u32; 6],
    /// Weights of the severities (minor, moderate, serious, critical).
    /// Default `[50, 30, 15, 5]`.
    pub severities: [u32; 4],
    /// Share of disputes the routed body declines. Default 0.03.
    pub declined: f64,
    /// Share of disputes a party refuses to have mediated. Default 0.02.
    pub refused_by_party: f64,
    /// Share of cases withdrawn by a party or the applicant. Default 0.04.
    pub withdrawn: f64,
    /// Share of disputes whose mediation fails at least once (a quarter of
    /// them twice). Default 0.15.
    pub failed: f64,
    /// Share of disputes flagged as a risk of intensifying. Default 0.04.
    pub risk_flags: f64,
    /// Share of cases left past their time limit until a `Tick` finds them
    /// (a dispute's tier limit, a request's promised date). Default 0.05.
    pub lapsed: f64,
    /// Share of agreements breached. Default 0.06.
    pub breached: f64,
    /// Share of requests submitted with a required material missing.
    /// Default 0.2.
    pub supplements: f64,
    /// Share of requests refused at intake. Default 0.03.
    pub refused_at_intake: f64,
    /// Share of agent-mode requests the department first returns as not
    /// its own. Default 0.03.
    pub returned_by_department: f64,
    /// Share of requests suspended for a while. Default 0.08.
    pub suspended: f64,
    /// Share of requests whose handler asks for an extension (a
    /// supervisor approves four in five). Default 0.04.
    pub extended: f64,
    /// Share of requests denied on their merits. Default 0.04.
    pub denied: f64,
    /// Share of delivered requests the applicant rates. Default 0.7.
    pub rated: f64,
    /// Share of those ratings that are bad (half of them sent back for
    /// rework). Default 0.08.
    pub bad_reviews: f64,
    /// Share of cases with one deliberately refused command. Default 0.08.
    pub refused_commands: f64,
    /// Weights of the channels work orders come in by, in
    /// [`Channel::ALL`](crate::work_order::Channel::ALL) order (hotline,
    /// app, grid worker, secretary face-to-face, merchants' council).
    /// Default `[55, 20, 12, 8, 5]`; a place no council serves turns a
    /// council's request into a hotline call.
    pub work_order_channels: [u32; 5],
    /// Weights of the matters of work orders (city appearance, noise,
    /// street lighting). Default `[45, 35, 20]`.
    pub work_order_matters: [u32; 3],
    /// Share of work orders the dispatcher dismisses. Default 0.03.
    pub dismissed: f64,
    /// Share of work orders dispatched with an assisting body (joint
    /// handling). Default 0.05.
    pub joint_handling: f64,
    /// Share of work orders signed for only after a `Tick` recorded the
    /// sign-for deadline missed. Default 0.04.
    pub late_sign_for: f64,
    /// Share of work orders the lead body returns (re-dispatched, or the
    /// dispatch upheld). Default 0.08.
    pub returned_orders: f64,
    /// Share of work orders whose callback finds the requester
    /// dissatisfied and the reply wanting, so they are redone. Default 0.05.
    pub redone: f64,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            disputes: 0.2,
            dispute_kinds: [20, 8, 30, 20, 15, 7],
            severities: [50, 30, 15, 5],
            declined: 0.03,
            refused_by_party: 0.02,
            withdrawn: 0.04,
            failed: 0.15,
            risk_flags: 0.04,
            lapsed: 0.05,
            breached: 0.06,
            supplements: 0.2,
            refused_at_intake: 0.03,
            returned_by_department: 0.03,
            suspended: 0.08,
            extended: 0.04,
            denied: 0.04,
            rated: 0.7,
            bad_reviews: 0.08,
            refused_commands: 0.08,
            work_orders: 0.3,
            work_order_channels: [55, 20, 12, 8, 5],
            work_order_matters: [45, 35, 20],
            dismissed: 0.03,
            joint_handling: 0.05,
            late_sign_for: 0.04,
            returned_orders: 0.08,
            redone: 0.05,
        }
    }
}

/// A year of a city's cases: how many, over how many days from which
/// date, in which city, with which mix, from which seed.
///
/// ```
/// use grassroots::load::CityYear;
///
/// let full = CityYear::default();
/// assert_eq!(full.cases, 20_000_000);
/// assert_eq!(full.days, 365);
/// let quick = CityYear::default().with_cases(200_000).with_seed(7);
/// assert_eq!(quick.cases, 200_000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CityYear {
    /// How many cases arrive. Default 20 million.
    pub cases: u64,
    /// Over how many days they arrive. Default 365.
    pub days: u32,
    /// The first day (China Standard Time). Default 1 January 2026, the
    /// last year the shipped PRC calendar covers.
    pub start: NaiveDate,
    /// The seed of the city's graph and of every case's random stream.
    pub seed: u64,
    /// The city's size. Default [`CityScale::default`]: about a million
    /// organisations.
    #[serde(skip)]
    pub scale: CityScale,
    /// What happens to the cases.
    pub mix: Mix,
    /// Every how many cases one is replayed and compared with its live
    /// state (0: never). Default 1,000.
    pub replay_every: u64,
}

impl Default for CityYear {
    fn default() -> Self {
        CityYear {
            cases: 20_000_000,
            days: 365,
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            seed: 2026,
            scale: CityScale::default(),
            mix: Mix::default(),
            replay_every: 1_000,
        }
    }
}

impl CityYear {
    /// A small year for tests and examples: 20,000 cases in a
    /// [`CityScale::small`] city.
    pub fn small() -> Self {
        CityYear {
            cases: 20_000,
            scale: CityScale::small(),
            ..CityYear::default()
        }
    }

    /// The same year with `cases` cases.
    #[must_use]
    pub fn with_cases(mut self, cases: u64) -> Self {
        self.cases = cases;
        self
    }

    /// The same year with another seed.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same year in a city of another scale.
    #[must_use]
    pub fn with_scale(mut self, scale: CityScale) -> Self {
        self.scale = scale;
        self
    }

    /// The same year with another mix.
    #[must_use]
    pub fn with_mix(mut self, mix: Mix) -> Self {
        self.mix = mix;
        self
    }
}

/// One played case: a dispute, a service request or a work order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CityCase {
    /// A dispute.
    Dispute(Case<Dispute>),
    /// A service request.
    ServiceRequest(Case<ServiceRequest>),
    /// A 12345 work order.
    WorkOrder(Case<WorkOrder>),
}

impl CityCase {
    /// The number of events recorded.
    pub fn version(&self) -> u64 {
        match self {
            CityCase::Dispute(c) => c.version(),
            CityCase::ServiceRequest(c) => c.version(),
            CityCase::WorkOrder(c) => c.version(),
        }
    }

    /// The case's id.
    pub fn id(&self) -> &CaseId {
        match self {
            CityCase::Dispute(c) => c.id(),
            CityCase::ServiceRequest(c) => c.id(),
            CityCase::WorkOrder(c) => c.id(),
        }
    }
}

/// The commands deliberately refused, by why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Refusals {
    /// Sent by an actor the rules do not allow.
    pub wrong_actor: u64,
    /// Sent after their time ran out.
    pub too_late: u64,
    /// Sent in a state they do not apply to.
    pub not_applicable: u64,
}

impl Refusals {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.wrong_actor + self.too_late + self.not_applicable
    }

    fn add(&mut self, log: &Log) {
        self.wrong_actor += u64::from(log.wrong_actor);
        self.too_late += u64::from(log.too_late);
        self.not_applicable += u64::from(log.not_applicable);
    }

    fn merge(&mut self, other: &Refusals) {
        self.wrong_actor += other.wrong_actor;
        self.too_late += other.too_late;
        self.not_applicable += other.not_applicable;
    }
}

/// One case played by [`City::play`]: the case with its history, and what
/// happened to its commands.
#[derive(Debug, Clone)]
pub struct Played {
    /// The case.
    pub case: CityCase,
    /// Commands sent.
    pub commands: u32,
    /// Commands refused on purpose.
    pub refused: Refusals,
    /// Commands refused against the script, or accepted though meant to be
    /// refused (0 unless something is wrong).
    pub unexpected: u32,
    /// The first unexpected outcome, described.
    pub first_unexpected: Option<String>,
}

/// What one worker keeps between cases: a text buffer for ids, and the
/// bodies disputes were routed to, by place, kind and severity.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub(crate) buf: String,
    pub(crate) routed: Routed,
}

/// The bodies disputes were routed to, by place, kind and severity: one
/// slot per place, kind and severity (a dense table, no hashing), holding
/// 1 + the answer's index in `answers` (0: not asked yet), each distinct
/// answer kept once. A hash map keyed by the triple held an id per key:
/// tens of MiB per worker once most triples had been seen.
#[derive(Debug, Default)]
pub(crate) struct Routed {
    slots: Vec<u32>,
    answers: Vec<(OrgId, Tier)>,
    index: city::HashMap<(OrgId, Tier), u32>,
}

impl Routed {
    /// The slot of a place (an index into the city's estates, of
    /// `places`), kind and severity; `None` for a custom kind (never
    /// drawn by the scripts) or a place out of range.
    fn slot(places: usize, place: u32, kind: &DisputeKind, severity: Severity) -> Option<usize> {
        let place = usize::try_from(place).ok().filter(|p| *p < places)?;
        let kind = DisputeKind::ALL.iter().position(|k| k == kind)?;
        let severity = Severity::ALL.iter().position(|s| *s == severity)?;
        Some((place * DisputeKind::ALL.len() + kind) * Severity::ALL.len() + severity)
    }

    /// The body and tier remembered for the place, kind and severity.
    pub(crate) fn get(
        &self,
        places: usize,
        place: u32,
        kind: &DisputeKind,
        severity: Severity,
    ) -> Option<&(OrgId, Tier)> {
        let slot = Self::slot(places, place, kind, severity)?;
        let answer = self.slots.get(slot).copied().filter(|a| *a > 0)?;
        self.answers.get(answer as usize - 1)
    }

    /// Remembers the body and tier for the place, kind and severity.
    pub(crate) fn insert(
        &mut self,
        places: usize,
        place: u32,
        kind: &DisputeKind,
        severity: Severity,
        answer: (OrgId, Tier),
    ) {
        let Some(slot) = Self::slot(places, place, kind, severity) else {
            return;
        };
        if self.slots.is_empty() {
            self.slots = vec![0; places * DisputeKind::ALL.len() * Severity::ALL.len()];
        }
        let index = match self.index.get(&answer) {
            Some(&i) => i,
            None => {
                let Ok(i) = u32::try_from(self.answers.len() + 1) else {
                    return;
                };
                self.answers.push(answer.clone());
                self.index.insert(answer, i);
                i
            }
        };
        if let Some(s) = self.slots.get_mut(slot) {
            *s = index;
        }
    }
}

/// Mixes two numbers into a well-spread 64-bit seed (splitmix64).
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn case_rng(seed: u64, n: u64) -> Pcg64Mcg {
    let high = mix64(seed);
    let low = mix64(n ^ high);
    Pcg64Mcg::new((u128::from(high) << 64) | u128::from(low))
}

/// Formats a case id into `buf` (no allocation once `buf` has grown).
fn case_id(buf: &mut String, prefix: &str, n: u64) -> CaseId {
    CaseId::new(script::numbered(buf, prefix, n, 8, None))
        .unwrap_or_else(|_| CaseId::new("case").expect("a valid id"))
}

impl City {
    /// Plays case number `n` of the year (`0 ≤ n < cases`) to its end, or
    /// to the end of the year, and returns it with its history.
    ///
    /// The same `n` always plays the same way, so you can replay any case
    /// of a run, feed its events to your own store, or compare it with
    /// your own implementation.
    pub fn play(&self, n: u64) -> Played {
        let mut scratch = Scratch::default();
        let (case, log) = self.play_with(n, &mut scratch);
        let refused = {
            let mut r = Refusals::default();
            r.add(&log);
            r
        };
        Played {
            case,
            commands: log.commands,
            refused,
            unexpected: log.unexpected,
            first_unexpected: log.first_unexpected,
        }
    }

    fn play_with(&self, n: u64, scratch: &mut Scratch) -> (CityCase, Log) {
        let year = &self.year;
        let mut rng = case_rng(year.seed, n);
        let roll: f64 = rng.random();
        let day =
            u64::try_from(u128::from(n) * u128::from(year.days) / u128::from(year.cases.max(1)))
                .unwrap_or(0);
        // Working hours, 08:30 to 17:30 local time.
        let minutes = 8 * 60 + 30 + rng.random_range(0..9 * 60);
        let at = self.start
            + TimeDelta::days(i64::try_from(day).unwrap_or(0))
            + TimeDelta::minutes(minutes);
        if roll < year.mix.disputes {
            let id = case_id(&mut scratch.buf, "D", n);
            let s = dispute::play(self, n, id, at, &mut rng, scratch);
            (CityCase::Dispute(s.case), s.log)
        } else if roll < year.mix.disputes + year.mix.work_orders && !self.orders.beats.is_empty() {
            let id = case_id(&mut scratch.buf, "W", n);
            let s = work_order::play(self, n, id, at, &mut rng, &mut scratch.buf);
            (CityCase::WorkOrder(s.case), s.log)
        } else {
            let id = case_id(&mut scratch.buf, "S", n);
            let s = service::play(self, n, id, at, &mut rng, &mut scratch.buf);
            (CityCase::ServiceRequest(s.case), s.log)
        }
    }

    /// Plays every case of the year on `threads` worker threads (0: as
    /// many as [`std::thread::available_parallelism`] says) and reports.
    ///
    /// Each worker takes cases in chunks, plays each, folds its history
    /// into its own metrics and drops it; the workers' tallies are merged
    /// at the end.
    pub fn run(&self, threads: usize) -> CityYearReport {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            threads
        };
        let next = AtomicU64::new(0);
        let started = Instant::now();
        let tallies: Vec<Tally> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| scope.spawn(|| self.work(&next)))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let elapsed = started.elapsed();
        let mut total = Tally::default();
        for t in tallies {
            total.merge(t);
        }
        total.into_report(threads, elapsed)
    }

    fn work(&self, next: &AtomicU64) -> Tally {
        const CHUNK: u64 = 256;
        let mut tally = Tally::default();
        let mut scratch = Scratch::default();
        let cases = self.year.cases;
        loop {
            let from = next.fetch_add(CHUNK, Ordering::Relaxed);
            if from >= cases {
                break;
            }
            for n in from..(from + CHUNK).min(cases) {
                let (case, log) = self.play_with(n, &mut scratch);
                let replay = self.year.replay_every > 0 && n % self.year.replay_every == 0;
                tally.add(n, case, &log, replay);
            }
        }
        tally
    }
}

/// Plays the whole [`CityYear`]: builds the [`City`], then plays every
/// case on `threads` worker threads (0: as many as the machine has).
///
/// # Errors
///
/// The [`LoadError`] of [`City::build`].
pub fn run(year: &CityYear, threads: usize) -> Result<CityYearReport, LoadError> {
    let started = Instant::now();
    let city = City::build(year)?;
    let setup = started.elapsed();
    let mut report = city.run(threads);
    report.setup = setup;
    Ok(report)
}

/// What one worker counted.
#[derive(Default)]
struct Tally {
    commands: u64,
    events: u64,
    refused: Refusals,
    unexpected: u64,
    examples: Vec<String>,
    replayed: u64,
    replay_mismatches: u64,
    dispute_states: [u64; DisputeStateKind::COUNT],
    service_states: [u64; ServiceRequestStateKind::COUNT],
    work_order_states: [u64; WorkOrderStateKind::COUNT],
    metrics: GovernanceMetrics,
    work_order_metrics: WorkOrderMetrics,
    due_index: DueIndex,
}

const EXAMPLES: usize = 5;

impl Tally {
    fn add(&mut self, n: u64, case: CityCase, log: &Log, replay: bool) {
        self.commands += u64::from(log.commands);
        if let Some(due) = log.due {
            self.due_index.add(due, n);
        }
        self.events += case.version();
        self.refused.add(log);
        self.unexpected += u64::from(log.unexpected);
        if let Some(e) = &log.first_unexpected {
            if self.examples.len() < EXAMPLES {
                self.examples.push(format!("{}: {e}", case.id()));
            }
        }
        match case {
            CityCase::Dispute(c) => {
                self.dispute_states[c.state().kind().index()] += 1;
                self.metrics.observe_dispute(c.history());
                if replay {
                    self.replayed += 1;
                    let replayed = replay_state::<Dispute>(c.id(), c.history());
                    self.replay_mismatches += u64::from(replayed.as_ref() != Ok(c.state()));
                }
            }
            CityCase::ServiceRequest(c) => {
                self.service_states[c.state().kind().index()] += 1;
                self.metrics.observe_service_request(c.history());
                if replay {
                    self.replayed += 1;
                    let replayed = replay_state::<ServiceRequest>(c.id(), c.history());
                    self.replay_mismatches += u64::from(replayed.as_ref() != Ok(c.state()));
                }
            }
            CityCase::WorkOrder(c) => {
                self.work_order_states[c.state().kind().index()] += 1;
                self.work_order_metrics.observe(c.history());
                if replay {
                    self.replayed += 1;
                    let replayed = replay_state::<WorkOrder>(c.id(), c.history());
                    self.replay_mismatches += u64::from(replayed.as_ref() != Ok(c.state()));
                }
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.commands += other.commands;
        self.events += other.events;
        self.refused.merge(&other.refused);
        self.unexpected += other.unexpected;
        for e in other.examples {
            if self.examples.len() < EXAMPLES {
                self.examples.push(e);
            }
        }
        self.replayed += other.replayed;
        self.replay_mismatches += other.replay_mismatches;
        for (m, t) in self.dispute_states.iter_mut().zip(other.dispute_states) {
            *m += t;
        }
        for (m, t) in self.service_states.iter_mut().zip(other.service_states) {
            *m += t;
        }
        for (m, t) in self
            .work_order_states
            .iter_mut()
            .zip(other.work_order_states)
        {
            *m += t;
        }
        self.metrics.merge(other.metrics);
        self.work_order_metrics.merge(&other.work_order_metrics);
        self.due_index.merge(other.due_index);
    }

    fn into_report(mut self, threads: usize, elapsed: Duration) -> CityYearReport {
        self.examples.sort();
        self.due_index.sort();
        fn states<K: Kind>(counts: &[u64]) -> BTreeMap<K, u64> {
            K::all()
                .zip(counts)
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| (k, *n))
                .collect()
        }
        // Every played case ends in exactly one state: the counts per
        // state add up to the cases.
        let disputes = self.dispute_states.iter().sum::<u64>();
        let service_requests = self.service_states.iter().sum::<u64>();
        let work_orders = self.work_order_states.iter().sum::<u64>();
        CityYearReport {
            cases: disputes + service_requests + work_orders,
            disputes,
            service_requests,
            work_orders,
            commands: self.commands,
            events: self.events,
            refused: self.refused,
            unexpected: self.unexpected,
            unexpected_examples: self.examples,
            replayed: self.replayed,
            replay_mismatches: self.replay_mismatches,
            dispute_states: states(&self.dispute_states),
            service_states: states(&self.service_states),
            work_order_states: states(&self.work_order_states),
            metrics: self.metrics,
            work_order_metrics: self.work_order_metrics,
            due_index: self.due_index,
            threads,
            setup: Duration::ZERO,
            elapsed,
        }
    }
}

fn due_entries<S: serde::Serializer>(due: &DueIndex, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(due.len() as u64)
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// What a [`run`] did: how many cases, commands and events, what was
/// refused, how fast, and the governance metrics of the year.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CityYearReport {
    /// Cases played.
    pub cases: u64,
    /// Of those, disputes.
    pub disputes: u64,
    /// Of those, service requests.
    pub service_requests: u64,
    /// Of those, 12345 work orders.
    pub work_orders: u64,
    /// Commands sent (accepted and refused).
    pub commands: u64,
    /// Events recorded.
    pub events: u64,
    /// Commands refused on purpose.
    pub refused: Refusals,
    /// Commands whose outcome was not the script's (0 in a correct run).
    pub unexpected: u64,
    /// The first few unexpected outcomes, described.
    pub unexpected_examples: Vec<String>,
    /// Cases replayed and compared with their live state.
    pub replayed: u64,
    /// Of those, replays that did not give the live state (0 in a correct
    /// run).
    pub replay_mismatches: u64,
    /// Disputes by the state they ended the year in.
    pub dispute_states: BTreeMap<DisputeStateKind, u64>,
    /// Service requests by the state they ended the year in.
    pub service_states: BTreeMap<ServiceRequestStateKind, u64>,
    /// Work orders by the state they ended the year in.
    pub work_order_states: BTreeMap<WorkOrderStateKind, u64>,
    /// The year's governance metrics (of disputes and service requests).
    pub metrics: GovernanceMetrics,
    /// The year's work-order indicators.
    pub work_order_metrics: WorkOrderMetrics,
    /// The due index at the year's end: the cases still open with a timer
    /// pending, by when they are next due (serialised as its length).
    #[serde(serialize_with = "due_entries")]
    pub due_index: DueIndex,
    /// Worker threads.
    pub threads: usize,
    /// Time to build the city (zero when [`City::run`] was called on a
    /// city built before).
    #[serde(serialize_with = "seconds")]
    pub setup: Duration,
    /// Time to play every case: decide, evolve, record, fold, drop.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

impl CityYearReport {
    /// Cases played per second of [`elapsed`](Self::elapsed).
    pub fn cases_per_second(&self) -> f64 {
        per_second(self.cases, self.elapsed)
    }

    /// Events recorded per second of [`elapsed`](Self::elapsed).
    pub fn events_per_second(&self) -> f64 {
        per_second(self.events, self.elapsed)
    }
}

fn per_second(n: u64, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 { n as f64 / s } else { 0.0 }
}

impl fmt::Display for CityYearReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "City-year: {} cases ({} disputes, {} service requests, {} work orders) on {} thread(s)",
            self.cases, self.disputes, self.service_requests, self.work_orders, self.threads
        )?;
        writeln!(
            f,
            "  city built in {:.2} s; played in {:.2} s: {:.0} cases/s, {:.0} events/s",
            self.setup.as_secs_f64(),
            self.elapsed.as_secs_f64(),
            self.cases_per_second(),
            self.events_per_second()
        )?;
        writeln!(
            f,
            "  {} commands, {} events ({:.1} per case); refused on purpose: {} \
             ({} wrong actor, {} too late, {} not applicable); unexpected: {}",
            self.commands,
            self.events,
            if self.cases > 0 {
                self.events as f64 / self.cases as f64
            } else {
                0.0
            },
            self.refused.total(),
            self.refused.wrong_actor,
            self.refused.too_late,
            self.refused.not_applicable,
            self.unexpected
        )?;
        for e in &self.unexpected_examples {
            writeln!(f, "    unexpected: {e}")?;
        }
        writeln!(
            f,
            "  replayed {} sampled cases: {} mismatches",
            self.replayed, self.replay_mismatches
        )?;
        match self.due_index.first() {
            Some((first, n)) => writeln!(
                f,
                "  due index: {} open cases with a timer pending, the first due {first} (case {n})",
                self.due_index.len()
            )?,
            None => writeln!(f, "  due index: empty")?,
        }
        fn list<K: Kind>(states: &BTreeMap<K, u64>) -> String {
            states
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
        writeln!(f, "  disputes at the end: {}", list(&self.dispute_states))?;
        writeln!(f, "  requests at the end: {}", list(&self.service_states))?;
        writeln!(
            f,
            "  work orders at the end: {}",
            list(&self.work_order_states)
        )?;
        writeln!(f)?;
        writeln!(f, "Work orders (12345)")?;
        for line in self.work_order_metrics.to_string().lines() {
            writeln!(f, "  {line}")?;
        }
        writeln!(f)?;
        if f.alternate() {
            write!(f, "{:#}", self.metrics)
        } else {
            write!(f, "{}", self.metrics)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<City>();
        assert_send_sync::<CityYear>();
        assert_send_sync::<CityYearReport>();
        assert_send_sync::<Played>();
        assert_send_sync::<LoadError>();
    }

    #[test]
    fn routed_remembers_each_place_kind_and_severity_and_each_answer_once() {
        let mut routed = Routed::default();
        let body = |s: &str| OrgId::new(s).unwrap();
        let (labour, other) = (DisputeKind::Labour, DisputeKind::Other);
        assert_eq!(routed.get(10, 3, &labour, Severity::Minor), None);
        routed.insert(10, 3, &labour, Severity::Minor, (body("a"), Tier::Estate));
        routed.insert(10, 3, &other, Severity::Minor, (body("a"), Tier::Estate));
        routed.insert(
            10,
            9,
            &labour,
            Severity::Critical,
            (body("b"), Tier::District),
        );
        // Out of range: not remembered, nothing panics.
        routed.insert(10, 10, &labour, Severity::Minor, (body("c"), Tier::Estate));
        let a = (body("a"), Tier::Estate);
        assert_eq!(routed.get(10, 3, &labour, Severity::Minor), Some(&a));
        assert_eq!(routed.get(10, 3, &other, Severity::Minor), Some(&a));
        assert_eq!(routed.get(10, 3, &labour, Severity::Serious), None);
        assert_eq!(routed.get(10, 4, &labour, Severity::Minor), None);
        assert_eq!(
            routed.get(10, 9, &labour, Severity::Critical),
            Some(&(body("b"), Tier::District))
        );
        assert_eq!(routed.get(10, 10, &labour, Severity::Minor), None);
        assert_eq!(routed.answers.len(), 2);
    }

    #[test]
    fn case_streams_differ_by_case_and_seed() {
        let a: u64 = case_rng(1, 1).random();
        let b: u64 = case_rng(1, 2).random();
        let c: u64 = case_rng(2, 1).random();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, case_rng(1, 1).random::<u64>());
    }
}
