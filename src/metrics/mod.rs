//! Governance indicators, folded from recorded histories: the three rates
//! (response, resolution, satisfaction), the on-time rate, overdue counts,
//! the share of disputes resolved at or below their ceiling ("small
//! matters stayed in the park") and the median time per tier — for the
//! whole city and per workflow, per tier, per kind of matter and per
//! organisation.
//!
//! Every figure is computed from the events alone, so anyone holding the
//! histories gets the same numbers. The fold is streaming: observe a
//! case's history, drop it, keep going; a case contributes a few counters
//! and one 4-byte duration per tier it reached. [`GovernanceMetrics`]
//! merge, so worker threads fold separately and add up at the end.
//!
//! # Which report do I want?
//!
//! - [`GovernanceMetrics`] (this module): the indicators a district is
//!   judged by, over disputes, service requests *and* 12345 work orders
//!   together, with every breakdown. Start here.
//! - [`WorkOrderMetrics`]: the hotline's own indicators of work orders
//!   (on-time sign-for, return and redo rates, callback satisfaction).
//! - [`escalation::LadderSummary`](crate::escalation::LadderSummary): the
//!   ladder alone — where matters were resolved, the share within the
//!   ceiling, mean time per tier — for any workflow that embeds the ladder,
//!   including your own.
//! - [`service::HallMetrics`](crate::service::HallMetrics): one service
//!   hall's figures in working days (on-time completion, average working
//!   days to completion, good-review rate).
//!
//! Time per tier counts from the moment a tier's body takes the matter on
//! (acceptance) to the moment it leaves that tier; the wait between a
//! report and its acceptance is not part of any tier's time.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "sim")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use grassroots::metrics::{CaseType, GovernanceMetrics};
//! use grassroots::service::{sample, ServiceRequestCommand as Command};
//! use grassroots::actor::{Actor, Role};
//! use grassroots::workflow::{Case, Context};
//! use chrono::{TimeZone, Utc};
//!
//! let service = sample::huanan_city_service();
//! let hall = sample::HALL.parse()?;
//! let applicant = Actor::new("ent-7".parse()?).with_role(Role::Party);
//! let clerk = Actor::new("clerk-li".parse()?).with_role(Role::HallClerk).acting_for(hall);
//! let monday = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
//!
//! let mut case = Case::new("HN-1".parse()?);
//! let submit = Command::Submit {
//!     item: "TX-001".parse()?,
//!     materials: vec!["business-licence".parse()?, "id-card".parse()?],
//!     attributes: [
//!         ("invoice_type".parse()?, grassroots::service::AttributeValue::Choice("general".into())),
//!         ("quantity".parse()?, grassroots::service::AttributeValue::Number(25.0)),
//!     ]
//!     .into_iter()
//!     .collect(),
//!     description: None,
//! };
//! case.handle(&service, &submit, &Context::new(monday, &applicant))?;
//! case.handle(&service, &Command::Accept, &Context::new(monday, &clerk))?;
//! case.handle(&service, &Command::StartProcessing, &Context::new(monday, &clerk))?;
//! case.handle(&service, &Command::Complete, &Context::new(monday, &clerk))?;
//!
//! let mut metrics = GovernanceMetrics::default();
//! metrics.observe_service_request(case.history());
//! drop(case); // streaming: the history is no longer needed
//!
//! let requests = metrics.by_case_type(CaseType::ServiceRequest);
//! assert_eq!(requests.received(), 1);
//! assert_eq!(requests.response_rate(), Some(1.0));
//! assert_eq!(requests.resolution_rate(), Some(1.0));
//! assert_eq!(requests.on_time_rate(), Some(1.0));
//! assert_eq!(requests.satisfaction_rate(), None); // not rated yet
//! assert_eq!(metrics.by_organisation().count(), 1); // the hall
//! println!("{metrics}");
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "sim"))]
//! # fn main() {}
//! ```
//!
//! # Definitions
//!
//! A case is *received* when its history begins with a report (dispute), a
//! submission (service request) or the order's receipt (work order). It is
//! *excluded* from every rate —
//! numerators and denominators alike — when it was:
//!
//! - **withdrawn**: a party withdrew the dispute or refused mediation
//!   before it started (mediation is voluntary); the applicant withdrew
//!   the request; the requester withdrew the work order;
//! - **a duplicate**: a dispute declined because a court, an arbitration
//!   body or a department had already accepted it
//!   ([`PendingElsewhere`](crate::dispute::DeclineReason::PendingElsewhere));
//!   the service workflow records no duplicates;
//! - **returned**: a dispute declined as out of scope or not mediable by
//!   law; a request refused at intake (不予受理); a work order a
//!   dispatcher dismissed.
//!
//! The rest are *eligible*. Cases still open at the end count as eligible
//! and unresolved.
//!
//! | figure | numerator | denominator |
//! |---|---|---|
//! | response rate (响应率) | eligible cases answered within [`RESPONSE_LIMIT`] (24 h) of receipt: a dispute accepted by the routed body; a request accepted or sent a supplement request by the hall; a work order signed for by its lead body or taken on by its first receiver | eligible cases |
//! | resolution rate (解决率) | eligible cases resolved: a dispute whose agreement took effect (the ladder recorded it resolved); a request concluded — completed, or denied on its merits (办结); a work order closed after its callback | eligible cases |
//! | satisfaction rate (满意率) | satisfied ratings: *satisfied* or *fairly satisfied* at a dispute's follow-up visit; a good review of a request (好评: very satisfied, satisfied or basically satisfied); a work order's callback finding the requester satisfied or basically satisfied | ratings of eligible cases: every follow-up visit, every review, every callback (a request reworked after a bad review, or an order redone, may be rated twice) |
//! | on-time rate | resolved cases resolved before their due date: a dispute before the due date of the tier that resolved it (a tier without a time limit is always on time); a request before the promised date in force then (after pauses and extensions); a work order whose every reply came at or before the handling deadline then in force (extended, or set by a redo) | resolved eligible cases |
//! | overdue | eligible cases found overdue at least once: a request's `Overdue`; a dispute's timeout escalation, supervision reminder or lapsed labour limit; a work order's `SignForOverdue`, `Overdue` or supervision reminder | — (a count) |
//! | within the ceiling | eligible cases the ladder resolved at or below the ceiling in force (severity raises move it) | eligible cases the ladder resolved (disputes: service requests and work orders are supervised, never resolved on the ladder) |
//! | median time per tier | the lower median of the time eligible cases spent at each tier, per workflow: from the step that brought the case there to the step that took it away or the end of handling (a dispute's agreement taking effect, referral; a request's completion or denial; a work order's close); a case still handled counts to its last recorded event | cases that reached the tier |
//! | escalations | steps up the ladder taken by eligible cases | — (a count) |
//! | mediation success rate (调解成功率) | mediated eligible cases whose agreement (written or oral) took effect | eligible cases mediated (mediators assigned). Withdrawn cases are in neither, as in every rate: withdrawal is the party's right (人民调解法 art. 23), not an outcome of the mediation — see [`Figures::mediation_success_rate`] |
//! | performance rate (履行率) | agreements in effect that were fulfilled, every obligation performed (人民调解法 art. 31) | agreements that took effect, those still being performed included |
//!
//! # Breakdowns
//!
//! Each case counts once in the total, once under its workflow
//! ([`CaseType`]) and once under its kind ([`Need`]: the dispute's kind, the
//! request's category, the work order's matter). It counts under a *tier* and an *organisation*
//! when its history names them: a dispute under the body handling it at
//! the end (the last one the ladder routed it to, or the body that declined
//! it) and that body's tier; a request under the hall that took it and the
//! tier of its supervision on the ladder; a work order under the body that
//! signed for it last (or took it on) and the tier of its supervision. A
//! dispute that no body accepted
//! or declined yet, and a request not yet accepted, count under no tier; a
//! dispute no body accepted or declined counts under no organisation.

mod facts;
mod figures;
mod measured;
mod samples;
mod work_order;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use chrono::TimeDelta;
use serde::Serialize;

pub use facts::{AgreementOutcome, CaseFacts, CaseType, Exclusion, RESPONSE_LIMIT, Rating};
pub use figures::{Figures, FiguresError, Rates};
pub use measured::Measured;
pub use samples::TimeSamples;
pub use work_order::WorkOrderMetrics;

use crate::dispute::{Dispute, DisputeEvent};
use crate::id::OrgId;
use crate::org::Need;
use crate::service::{ServiceRequest, ServiceRequestEvent};
use crate::tier::Tier;
use crate::vocabulary::Name;
use crate::work_order::{WorkOrder, WorkOrderEvent};
use crate::workflow::Recorded;

/// A city's (or a district's, or a hall's) governance indicators, folded
/// from case histories. See the [module docs](self) for every definition.
///
/// Fold with [`observe_case`](Self::observe_case) (any [`Measured`]
/// workflow), or its shorthands [`observe_dispute`](Self::observe_dispute),
/// [`observe_service_request`](Self::observe_service_request) and
/// [`observe_work_order`](Self::observe_work_order), one case
/// at a time; combine folds with [`merge`](Self::merge). `Display` prints a
/// readable report (the alternate form `{:#}` adds every organisation's
/// row); `Serialize` exports every row with its rates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GovernanceMetrics {
    // Organisations are many (one row per body cases counted under) and
    // looked up once per case: a hash map, sorted only when read.
    total: Figures,
    by_case_type: [TypeRow; 3],
    by_custom_type: BTreeMap<Name, TypeRow>,
    by_tier: [Figures; 6],
    by_need: BTreeMap<Need, Figures>,
    by_body: HashMap<OrgId, Figures>,
}

/// The organisations' rows: foldhash, not SipHash (one look-up per case).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// One workflow's figures and its time per tier.
#[derive(Debug, Clone, Default, PartialEq)]
struct TypeRow {
    figures: Figures,
    time_at: [TimeSamples; 6],
}

impl TypeRow {
    fn merge(&mut self, other: TypeRow) {
        self.figures.merge(&other.figures);
        for (mine, theirs) in self.time_at.iter_mut().zip(other.time_at) {
            mine.merge(theirs);
        }
    }
}

/// The row of a case type nothing was counted under.
static EMPTY_ROW: LazyLock<TypeRow> = LazyLock::new(TypeRow::default);

fn tier_index(tier: Tier) -> usize {
    tier as usize
}

impl GovernanceMetrics {
    /// Empty metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one case of any [`Measured`] workflow — the crate's or your
    /// own — as its [`case_facts`](Measured::case_facts) read it. A
    /// history they do not read as a case is ignored.
    pub fn observe_case<W: Measured>(&mut self, history: &[Recorded<W::Event>]) {
        if let Some(facts) = W::case_facts(history) {
            self.observe(&facts);
        }
    }

    /// Adds one dispute's history. A history that does not begin with a
    /// report is ignored.
    pub fn observe_dispute(&mut self, history: &[Recorded<DisputeEvent>]) {
        self.observe_case::<Dispute>(history);
    }

    /// Adds one service request's history. A history that does not begin
    /// with a submission is ignored.
    pub fn observe_service_request(&mut self, history: &[Recorded<ServiceRequestEvent>]) {
        self.observe_case::<ServiceRequest>(history);
    }

    /// Adds one 12345 work order's history. A history that does not begin
    /// with the order's receipt is ignored.
    pub fn observe_work_order(&mut self, history: &[Recorded<WorkOrderEvent>]) {
        self.observe_case::<WorkOrder>(history);
    }

    /// Adds one case's facts.
    pub fn observe(&mut self, facts: &CaseFacts) {
        self.total.add(facts);
        let row = self.type_row_mut(facts.case_type);
        row.figures.add(facts);
        if facts.is_eligible() {
            for (tier, time) in &facts.ladder.time_per_tier {
                row.time_at[tier_index(*tier)].push(*time);
            }
        }
        if let Some(tier) = facts.tier {
            self.by_tier[tier_index(tier)].add(facts);
        }
        self.by_need.entry(facts.need).or_default().add(facts);
        if let Some(body) = &facts.body {
            match self.by_body.get_mut(body) {
                Some(figures) => figures.add(facts),
                None => {
                    let mut figures = Figures::default();
                    figures.add(facts);
                    self.by_body.insert(body.clone(), figures);
                }
            }
        }
    }

    fn type_row_mut(&mut self, case_type: CaseType) -> &mut TypeRow {
        match case_type {
            CaseType::Dispute => &mut self.by_case_type[0],
            CaseType::ServiceRequest => &mut self.by_case_type[1],
            CaseType::WorkOrder => &mut self.by_case_type[2],
            CaseType::Custom(name) => self.by_custom_type.entry(name).or_default(),
        }
    }

    fn type_row(&self, case_type: CaseType) -> &TypeRow {
        match case_type {
            CaseType::Dispute => &self.by_case_type[0],
            CaseType::ServiceRequest => &self.by_case_type[1],
            CaseType::WorkOrder => &self.by_case_type[2],
            CaseType::Custom(name) => self.by_custom_type.get(&name).unwrap_or(&EMPTY_ROW),
        }
    }

    /// Adds another fold's figures to these (a worker thread's, another
    /// district's).
    pub fn merge(&mut self, other: GovernanceMetrics) {
        let GovernanceMetrics {
            total,
            by_case_type,
            by_custom_type,
            by_tier,
            by_need,
            by_body,
        } = other;
        self.total.merge(&total);
        for (mine, theirs) in self.by_case_type.iter_mut().zip(by_case_type) {
            mine.merge(theirs);
        }
        for (name, row) in by_custom_type {
            self.by_custom_type.entry(name).or_default().merge(row);
        }
        for (mine, theirs) in self.by_tier.iter_mut().zip(&by_tier) {
            mine.merge(theirs);
        }
        for (need, figures) in by_need {
            self.by_need.entry(need).or_default().merge(&figures);
        }
        for (body, figures) in by_body {
            self.by_body.entry(body).or_default().merge(&figures);
        }
    }

    /// Every case.
    pub fn total(&self) -> &Figures {
        &self.total
    }

    /// The cases of one workflow (empty figures for a custom case type
    /// nothing was counted under).
    pub fn by_case_type(&self, case_type: CaseType) -> &Figures {
        &self.type_row(case_type).figures
    }

    /// Every workflow with its figures: the crate's three, then each custom
    /// case type that counted a case, by name.
    pub fn case_types(&self) -> impl Iterator<Item = (CaseType, &Figures)> {
        self.type_rows().map(|(_, c, row)| (c, &row.figures))
    }

    /// Every workflow's name, case type and row, as [`case_types`](Self::case_types) lists them.
    fn type_rows(&self) -> impl Iterator<Item = (&str, CaseType, &TypeRow)> {
        [
            ("dispute", CaseType::Dispute),
            ("service_request", CaseType::ServiceRequest),
            ("work_order", CaseType::WorkOrder),
        ]
        .into_iter()
        .zip(&self.by_case_type)
        .map(|((name, c), row)| (name, c, row))
        .chain(
            self.by_custom_type
                .iter()
                .map(|(name, row)| (name.as_str(), CaseType::Custom(*name), row)),
        )
    }

    /// The cases counted under `tier` (see the module docs' breakdowns).
    pub fn by_tier(&self, tier: Tier) -> &Figures {
        &self.by_tier[tier_index(tier)]
    }

    /// The cases of one kind (a dispute kind or a service category);
    /// `None` when there was none.
    pub fn by_need(&self, need: Need) -> Option<&Figures> {
        self.by_need.get(&need)
    }

    /// Every kind seen, with its figures, in [`Need`]'s order.
    pub fn needs(&self) -> impl Iterator<Item = (Need, &Figures)> {
        self.by_need.iter().map(|(n, f)| (*n, f))
    }

    /// One organisation's figures (by its id or its text); `None` when no
    /// case counted under it.
    pub fn organisation<Q>(&self, body: &Q) -> Option<&Figures>
    where
        OrgId: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.by_body.get(body)
    }

    /// Every organisation cases counted under, with its figures, sorted by
    /// id.
    pub fn by_organisation(&self) -> impl Iterator<Item = (&OrgId, &Figures)> {
        let mut rows: Vec<(&OrgId, &Figures)> = self.by_body.iter().collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
        rows.into_iter()
    }

    /// How many organisations have a row.
    pub fn organisations(&self) -> usize {
        self.by_body.len()
    }

    /// The time eligible cases of `case_type` spent at `tier`.
    pub fn time_at(&self, case_type: CaseType, tier: Tier) -> &TimeSamples {
        &self.type_row(case_type).time_at[tier_index(tier)]
    }

    /// The median time eligible cases of `case_type` spent at `tier`;
    /// `None` when none reached it.
    pub fn median_time_at(&self, case_type: CaseType, tier: Tier) -> Option<TimeDelta> {
        self.time_at(case_type, tier).median()
    }
}

/// A rate as a percentage with one decimal, `—` without a denominator.
struct Percent(Option<f64>);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.0 {
            Some(r) => format!("{:.1}%", r * 100.0),
            None => "—".to_owned(),
        };
        f.pad(&text)
    }
}

/// A duration as days, hours and minutes.
struct Span(Option<TimeDelta>);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(d) = self.0 else {
            return f.pad("—");
        };
        let minutes = d.num_minutes();
        let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
        let text = if days > 0 {
            format!("{days}d {hours:02}h")
        } else {
            format!("{hours}h {minutes:02}m")
        };
        f.pad(&text)
    }
}

fn header(f: &mut fmt::Formatter<'_>, title: &str) -> fmt::Result {
    writeln!(
        f,
        "{title:<36} {:>11} {:>10} {:>9} {:>10} {:>12} {:>8} {:>9} {:>8}",
        "received",
        "excluded",
        "response",
        "resolution",
        "satisfaction",
        "on time",
        "overdue",
        "ceiling"
    )
}

fn row(f: &mut fmt::Formatter<'_>, label: &str, figures: &Figures) -> fmt::Result {
    let rates = figures.rates();
    writeln!(
        f,
        "{label:<36} {:>11} {:>10} {:>9} {:>10} {:>12} {:>8} {:>9} {:>8}",
        figures.received(),
        figures.excluded(),
        Percent(rates.response),
        Percent(rates.resolution),
        Percent(rates.satisfaction),
        Percent(rates.on_time),
        figures.overdue(),
        Percent(rates.within_ceiling),
    )
}

impl fmt::Display for GovernanceMetrics {
    /// A table of the rows; `{:#}` adds one row per organisation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.total;
        writeln!(
            f,
            "Governance metrics: {} cases received, {} eligible ({} withdrawn, {} duplicate, {} returned); \
             response within {} h",
            t.received(),
            t.eligible(),
            t.withdrawn(),
            t.duplicate(),
            t.returned(),
            RESPONSE_LIMIT.num_hours()
        )?;
        header(f, "")?;
        row(f, "all cases", t)?;
        for (name, _, type_row) in self.type_rows() {
            row(f, name, &type_row.figures)?;
        }
        writeln!(f)?;
        header(f, "per tier")?;
        for tier in Tier::ALL {
            let figures = self.by_tier(tier);
            if figures.received() > 0 {
                row(f, tier.as_str(), figures)?;
            }
        }
        writeln!(f)?;
        header(f, "per kind")?;
        for (need, figures) in self.needs() {
            row(f, &need.to_string(), figures)?;
        }
        writeln!(f)?;
        // One pair of columns per workflow: the crate's three, then each
        // custom workflow that spent time at a tier.
        let columns: Vec<(&str, &TypeRow)> = self
            .type_rows()
            .filter(|(_, c, row)| c.is_built_in() || row.time_at.iter().any(|t| !t.is_empty()))
            .map(|(name, c, row)| {
                let label = match c {
                    CaseType::Dispute => "disputes",
                    CaseType::ServiceRequest => "requests",
                    CaseType::WorkOrder => "orders",
                    CaseType::Custom(_) => name,
                };
                (label, row)
            })
            .collect();
        write!(f, "{:<36}", "median time per tier")?;
        for (label, _) in &columns {
            write!(f, " {label:>11} {:>10}", "(cases)")?;
        }
        writeln!(f)?;
        for tier in Tier::ALL {
            let at = tier_index(tier);
            if columns.iter().all(|(_, row)| row.time_at[at].is_empty()) {
                continue;
            }
            write!(f, "{:<36}", tier.as_str())?;
            for (_, row) in &columns {
                let samples = &row.time_at[at];
                write!(f, " {:>11} {:>10}", Span(samples.median()), samples.len())?;
            }
            writeln!(f)?;
        }
        writeln!(f)?;
        if f.alternate() {
            header(f, "per organisation")?;
            for (body, figures) in self.by_organisation() {
                row(f, body.as_str(), figures)?;
            }
        } else {
            let n = self.organisations();
            writeln!(
                f,
                "{n} organisation{} {} their own row (shown with {{:#}}, exported with serde)",
                if n == 1 { "" } else { "s" },
                if n == 1 { "has" } else { "have" },
            )?;
        }
        Ok(())
    }
}

/// One row as exported: the counts, the derived totals and the rates.
#[derive(Serialize)]
struct RowView<'a> {
    #[serde(flatten)]
    figures: &'a Figures,
    excluded: u64,
    eligible: u64,
    rates: Rates,
}

impl<'a> RowView<'a> {
    fn new(figures: &'a Figures) -> Self {
        RowView {
            figures,
            excluded: figures.excluded(),
            eligible: figures.eligible(),
            rates: figures.rates(),
        }
    }
}

#[derive(Serialize)]
struct MetricsView<'a> {
    response_limit_hours: i64,
    total: RowView<'a>,
    by_case_type: BTreeMap<&'a str, RowView<'a>>,
    by_tier: BTreeMap<&'static str, RowView<'a>>,
    by_kind: BTreeMap<String, RowView<'a>>,
    by_organisation: BTreeMap<&'a str, RowView<'a>>,
    time_per_tier: BTreeMap<&'a str, BTreeMap<&'static str, &'a TimeSamples>>,
}

impl Serialize for GovernanceMetrics {
    /// Every row with its counts and rates, keyed by name (`"dispute"`,
    /// `"community"`, `"mediation(labour)"`, an organisation's id), and
    /// the median time per tier per workflow.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let view = MetricsView {
            response_limit_hours: RESPONSE_LIMIT.num_hours(),
            total: RowView::new(&self.total),
            by_case_type: self
                .type_rows()
                .map(|(name, _, row)| (name, RowView::new(&row.figures)))
                .collect(),
            by_tier: Tier::ALL
                .into_iter()
                .filter(|t| self.by_tier(*t).received() > 0)
                .map(|t| (t.as_str(), RowView::new(self.by_tier(t))))
                .collect(),
            by_kind: self
                .needs()
                .map(|(n, f)| (n.to_string(), RowView::new(f)))
                .collect(),
            by_organisation: self
                .by_organisation()
                .map(|(b, f)| (b.as_str(), RowView::new(f)))
                .collect(),
            time_per_tier: self
                .type_rows()
                .map(|(name, _, row)| {
                    let tiers = Tier::ALL
                        .into_iter()
                        .filter(|t| !row.time_at[tier_index(*t)].is_empty())
                        .map(|t| (t.as_str(), &row.time_at[tier_index(t)]))
                        .collect();
                    (name, tiers)
                })
                .collect(),
        };
        view.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<GovernanceMetrics>();
        assert_send_sync::<CaseFacts>();
        assert_send_sync::<Figures>();
        assert_send_sync::<TimeSamples>();
    }

    #[test]
    fn empty_metrics_have_no_rates() {
        let m = GovernanceMetrics::new();
        assert_eq!(m.total().rates(), Rates::default());
        assert_eq!(m.median_time_at(CaseType::Dispute, Tier::Community), None);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["total"]["received"], 0);
        assert!(m.to_string().contains("0 cases received"));
    }
}
