//! [`Indexed`] for the crate's workflows: what the case index shows of a
//! dispute, a service request and a work order, and who each state waits on.

use super::{CaseSummary, Indexed, Waiting};
use crate::actor::Role;
use crate::dispute::{Dispute, DisputeState as D};
use crate::service::{Mode, ServiceRequest, ServiceRequestState as S};
use crate::tier::Tier;
use crate::work_order::{DISPATCHER, WorkOrder, WorkOrderState as W};

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
    /// | `Rectifying` | rectify | a hall clerk, or a department officer | the handler |
    /// | `FollowingUp` | follow up | a hall clerk | the hall |
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
            S::Rectifying { .. } => at_handler("rectify", handler_role),
            S::FollowingUp { .. } => at_hall("follow up", Role::HallClerk),
            S::New | S::Refused { .. } | S::Closed { .. } | S::Withdrawn { .. } => None,
        };
        CaseSummary {
            tier,
            body: handler.or(Some(hall)),
            parties: 1,
            waiting,
        }
    }
}

impl Indexed for WorkOrder {
    /// The tier is the supervision ladder's, once signed for; the body is
    /// the one holding the order ([`WorkOrderState::holder`](crate::work_order::WorkOrderState::holder));
    /// one party, the requester. Who acts next:
    ///
    /// | state | action | role | body |
    /// |---|---|---|---|
    /// | `Received` | take on or hand over | a department officer | the first receiving body |
    /// | `AwaitingDispatch` | dispatch | a dispatcher | the 12345 centre |
    /// | `Dispatched` | sign for | a department officer | the lead body |
    /// | `ReturnPending` | re-dispatch or uphold | a dispatcher | the centre |
    /// | `InHand` | reply | a department officer | the lead body |
    /// | `ExtensionRequested` | review the extension | a supervisor | the lead body |
    /// | `Replied` | call back | a dispatcher | the centre |
    /// | `CalledBack` | close or redo | a dispatcher | the centre |
    fn summary(state: &W) -> CaseSummary {
        let Some(order) = state.order() else {
            return CaseSummary::default();
        };
        let body = state.holder().cloned();
        let tier = state.handling().and_then(|h| h.ladder().tier());
        let waiting = |action, role| {
            Some(Waiting {
                action,
                body: body.clone(),
                role,
            })
        };
        let waiting = match state {
            W::Received(_) => waiting("take on or hand over", Role::DepartmentOfficer),
            W::AwaitingDispatch(_) => waiting("dispatch", DISPATCHER),
            W::Dispatched { .. } => waiting("sign for", Role::DepartmentOfficer),
            W::ReturnPending { .. } => waiting("re-dispatch or uphold", DISPATCHER),
            W::InHand { .. } => waiting("reply", Role::DepartmentOfficer),
            W::ExtensionRequested { .. } => waiting("review the extension", Role::Supervisor),
            W::Replied { .. } => waiting("call back", DISPATCHER),
            W::CalledBack { .. } => waiting("close or redo", DISPATCHER),
            W::New | W::Closed { .. } | W::Dismissed { .. } | W::Withdrawn { .. } => None,
        };
        CaseSummary {
            tier,
            body: body.or_else(|| Some(order.intake().centre.clone())),
            parties: 1,
            waiting,
        }
    }
}
