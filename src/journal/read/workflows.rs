//! [`Indexed`] for the crate's workflows: what the case index shows of a
//! dispute and a service request, and who each state waits on.

use super::{CaseSummary, Indexed, Waiting};
use crate::actor::Role;
use crate::dispute::{Dispute, DisputeState as D};
use crate::service::{Mode, ServiceRequest, ServiceRequestState as S};
use crate::tier::Tier;

impl Indexed for Dispute {
    /// The tier and body are the ladder's (once accepted); the parties are
    /// the file's. Who acts next:
    ///
    /// | state | action | role | body |
    /// |---|---|---|---|
    /// | `Reported` | accept | an officer (any tier) | none: routed when accepted |
    /// | `Escalated` | accept | an officer of the new tier | the new tier's body |
    /// | `Accepted` | assign mediators | an officer of the tier | the handling body |
    /// | `Mediating` | record the agreement | a mediator | the handling body |
    /// | `Signing` | sign | a party | the handling body |
    /// | `Agreed` | record the performance | a mediator | the handling body |
    /// | `MediationFailed` | escalate or refer | an officer of the tier | the handling body |
    /// | `Fulfilled`, `Breached`, `Referred`, `Withdrawn` | visit | a grid worker | the handling body |
    fn summary(state: &D) -> CaseSummary {
        let Some(file) = state.file() else {
            return CaseSummary::default();
        };
        let tier = file.tier();
        let body = file.handler().cloned();
        let officer = Role::Officer(tier.unwrap_or(Tier::Grid));
        let waiting = |action, role| {
            Some(Waiting {
                action,
                body: body.clone(),
                role,
            })
        };
        let waiting = match state {
            D::Reported { .. } => Some(Waiting {
                action: "accept",
                body: None,
                role: Role::Officer(Tier::Grid),
            }),
            D::Escalated { .. } => waiting("accept", officer),
            D::Accepted { .. } => waiting("assign mediators", officer),
            D::Mediating { .. } => waiting("record the agreement", Role::Mediator),
            D::Signing { .. } => waiting("sign", Role::Party),
            D::Agreed { .. } => waiting("record the performance", Role::Mediator),
            D::MediationFailed { .. } => waiting("escalate or refer", officer),
            D::Fulfilled { .. } | D::Breached { .. } | D::Referred { .. } | D::Withdrawn { .. } => {
                waiting("visit", Role::GridWorker)
            }
            _ => None,
        };
        CaseSummary {
            tier,
            body,
            parties: u32::try_from(file.parties().len()).unwrap_or(u32::MAX),
            waiting,
        }
    }
}

impl Indexed for ServiceRequest {
    /// The tier is the supervision ladder's; the body is the hall until
    /// accepted, then the body handling it; one party, the applicant. Who
    /// acts next:
    ///
    /// | state | action | role | body |
    /// |---|---|---|---|
    /// | `Submitted` | examine | a hall clerk | the hall |
    /// | `SupplementRequested` | supply materials | a party (the applicant) | the hall |
    /// | `Accepted` | start processing or forward | a hall clerk | the hall |
    /// | `Forwarded` | sign for | a department officer | the department |
    /// | `InProcess`, `Suspended` | complete / resume | a hall clerk, or a department officer | the handler |
    /// | `ExtensionRequested` | review the extension | a supervisor | the handler |
    /// | `Completed`, `Denied` | deliver | a hall clerk | the hall |
    /// | `Delivered`, `Rated` | close | a hall clerk | the hall |
    fn summary(state: &S) -> CaseSummary {
        let Some(request) = state.request() else {
            return CaseSummary::default();
        };
        let hall = request.hall.clone();
        let handler = state.handling().map(|h| h.handler().clone());
        let tier = state.ladder().and_then(|l| l.tier());
        let handler_role = match &handler {
            Some(h) if *h != hall => Role::DepartmentOfficer,
            _ => Role::HallClerk,
        };
        let at_hall = |action, role| {
            Some(Waiting {
                action,
                body: Some(hall.clone()),
                role,
            })
        };
        let at_handler = |action, role| {
            Some(Waiting {
                action,
                body: handler.clone().or_else(|| Some(hall.clone())),
                role,
            })
        };
        let waiting = match state {
            S::Submitted(_) => at_hall("examine", Role::HallClerk),
            S::SupplementRequested(_) => at_hall("supply materials", Role::Party),
            S::Accepted(_) => match request.mode {
                Mode::Forward => at_hall("forward", Role::HallClerk),
                _ => at_hall("start processing", Role::HallClerk),
            },
            S::Forwarded { to, .. } => Some(Waiting {
                action: "sign for",
                body: Some(to.clone()),
                role: Role::DepartmentOfficer,
            }),
            S::InProcess(_) => at_handler("complete", handler_role),
            S::Suspended { .. } => at_handler("resume", handler_role),
            S::ExtensionRequested { .. } => at_handler("review the extension", Role::Supervisor),
            S::Completed(_) | S::Denied { .. } => at_hall("deliver", Role::HallClerk),
            S::Delivered { .. } | S::Rated { .. } => at_hall("close", Role::HallClerk),
            _ => None,
        };
        CaseSummary {
            tier,
            body: handler.or(Some(hall)),
            parties: 1,
            waiting,
        }
    }
}
