//! [`Measured`]: how a workflow tells the metrics what its history means.

use super::facts::{CaseFacts, CaseType};
use crate::dispute::Dispute;
use crate::service::ServiceRequest;
use crate::work_order::WorkOrder;
use crate::workflow::{Recorded, Workflow};

/// A workflow whose cases the [`GovernanceMetrics`](super::GovernanceMetrics)
/// count: it reads one case's history into [`CaseFacts`] — when it was
/// received and about what, whether and when it was answered, resolved (on
/// time or not), excluded, found overdue, rated, and how long it spent at
/// each tier. The metrics do the rest (rates, breakdowns, medians), the same
/// way for every workflow.
///
/// [`Dispute`] and [`ServiceRequest`] implement it; so can a workflow of
/// your own, which is then counted under its own [`CaseType`], named by its
/// [`Workflow::NAME`]:
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use grassroots::matter::ServiceCategory;
/// use grassroots::metrics::{CaseFacts, CaseType, GovernanceMetrics, Measured};
/// use grassroots::org::Need;
/// use grassroots::vocabulary::Name;
/// use grassroots::{Actor, Case, Context, Decision, Forbidden, HasKind, Recorded, Transition, Workflow};
///
/// // A renovation filing: filed, then approved.
/// struct Renovation;
/// #[derive(Debug, Clone, PartialEq, HasKind)]
/// enum Step { Filed, Approved }
/// # #[derive(Debug, Clone, PartialEq, HasKind)]
/// # enum Phase { Blank, Filed, Approved }
///
/// # impl Workflow for Renovation {
/// #     const NAME: &'static str = "renovation_filing";
/// #     type State = Phase;
/// #     type Command = Step;
/// #     type Event = Step;
/// #     type Rejection = Forbidden;
/// #     fn initial() -> Phase { Phase::Blank }
/// #     fn decide(&self, _: &Phase, c: &Step, _: &Context<'_>) -> Result<Decision<Step>, Forbidden> { Ok(c.clone().into()) }
/// #     fn evolve(_: Phase, e: &Step) -> Phase { match e { Step::Filed => Phase::Filed, Step::Approved => Phase::Approved } }
/// #     fn is_terminal(s: &Phase) -> bool { *s == Phase::Approved }
/// #     fn transitions() -> &'static [Transition<PhaseKind, StepKind>] {
/// #         const T: &[Transition<PhaseKind, StepKind>] = &[
/// #             Transition::new(PhaseKind::Blank, StepKind::Filed, PhaseKind::Filed),
/// #             Transition::new(PhaseKind::Filed, StepKind::Approved, PhaseKind::Approved),
/// #         ];
/// #         T
/// #     }
/// # }
/// impl Measured for Renovation {
///     fn case_facts(history: &[Recorded<Step>]) -> Option<CaseFacts> {
///         let filed = history.first().filter(|r| r.event == Step::Filed)?;
///         let need = Need::Service(ServiceCategory::from_static("renovation_filing"));
///         let mut facts = CaseFacts::received(Self::CASE_TYPE, need, filed.at);
///         for r in history {
///             if r.event == Step::Approved {
///                 facts.respond(r.at);
///                 facts.resolve(r.at, None);
///             }
///         }
///         Some(facts)
///     }
/// }
///
/// assert_eq!(Renovation::CASE_TYPE, CaseType::Custom(Name::from_static("renovation_filing")));
///
/// let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
/// let owner = Actor::new("owner-gao".parse()?);
/// let mut case = Case::<Renovation>::new("RF-1".parse()?);
/// case.handle(&Renovation, &Step::Filed, &Context::new(at, &owner))?;
/// case.handle(&Renovation, &Step::Approved, &Context::new(at + Duration::hours(3), &owner))?;
///
/// let mut metrics = GovernanceMetrics::new();
/// metrics.observe_case::<Renovation>(case.history());
/// let filings = metrics.by_case_type(Renovation::CASE_TYPE);
/// assert_eq!((filings.received(), filings.responded(), filings.resolved()), (1, 1, 1));
/// assert_eq!(metrics.total().received(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Measured: Workflow {
    /// The case type its cases count under: by default the one
    /// [`Workflow::NAME`] names (`dispute` and `service_request` are the
    /// crate's own; any other name is a custom case type, so it must follow
    /// the [vocabulary's rule](crate::vocabulary) — a name that does not
    /// fails to compile where this constant is used).
    const CASE_TYPE: CaseType = CaseType::from_static(<Self as Workflow>::NAME);

    /// What one case's history means to the metrics; `None` when the
    /// history does not begin the way a case of this workflow begins (an
    /// empty history), and the case is not counted.
    ///
    /// Start from [`CaseFacts::received`] with [`Self::CASE_TYPE`], so the
    /// case counts under the workflow's own row.
    fn case_facts(history: &[Recorded<Self::Event>]) -> Option<CaseFacts>;
}

impl Measured for Dispute {
    /// See [`CaseFacts::from_dispute`].
    fn case_facts(history: &[Recorded<Self::Event>]) -> Option<CaseFacts> {
        CaseFacts::from_dispute(history)
    }
}

impl Measured for ServiceRequest {
    /// See [`CaseFacts::from_service_request`].
    fn case_facts(history: &[Recorded<Self::Event>]) -> Option<CaseFacts> {
        CaseFacts::from_service_request(history)
    }
}

impl Measured for WorkOrder {
    /// See [`CaseFacts::from_work_order`].
    fn case_facts(history: &[Recorded<Self::Event>]) -> Option<CaseFacts> {
        CaseFacts::from_work_order(history)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crate_s_workflows_count_under_their_built_in_case_types() {
        assert_eq!(Dispute::CASE_TYPE, CaseType::Dispute);
        assert_eq!(ServiceRequest::CASE_TYPE, CaseType::ServiceRequest);
        assert_eq!(WorkOrder::CASE_TYPE, CaseType::WorkOrder);
    }
}
