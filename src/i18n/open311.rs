//! Open311 (GeoReport v2) status notes in either language: what a request's
//! or a work order's state says, for people.

use super::service::review_zh;
use super::work_order::{finding, return_ground, satisfaction};
use super::{Lang, at_zh, join_zh};
use crate::id::{MaterialId, OrgId};
use crate::service::{Outcome, ServiceRequest, ServiceRequestState};
use crate::work_order::{WorkOrder, WorkOrderState};

/// The status notes of a service request's state in `lang`, as
/// [`open311::request`](crate::open311::request) writes them in English:
/// materials asked for, a refusal's reason and legal basis, the department
/// it was forwarded to, overdue. Bodies are named as the ladder's graph
/// names them.
pub fn service_status_notes(
    service: &ServiceRequest,
    state: &ServiceRequestState,
    lang: Lang,
) -> String {
    let graph = service.ladder().graph();
    let name = |org: &OrgId| {
        graph
            .org(org)
            .map_or_else(|| org.to_string(), |o| o.name.clone())
    };
    match lang {
        Lang::En => crate::open311::status_notes(state, &name),
        Lang::Zh => service_zh(state, &name),
    }
}

/// The status notes of a work order's state in `lang`, as
/// [`open311::work_order_request`](crate::open311::work_order_request)
/// writes them in English: who holds it, returns, overdue, the reply and
/// the callback.
pub fn work_order_status_notes(
    work_orders: &WorkOrder,
    state: &WorkOrderState,
    lang: Lang,
) -> String {
    let graph = work_orders.ladder().graph();
    let name = |org: &OrgId| {
        graph
            .org(org)
            .map_or_else(|| org.to_string(), |o| o.name.clone())
    };
    match lang {
        Lang::En => crate::open311::work_order_notes(state, &name),
        Lang::Zh => work_order_zh(state, &name),
    }
}

fn service_zh(state: &ServiceRequestState, name: &dyn Fn(&OrgId) -> String) -> String {
    use ServiceRequestState as S;
    let list = |ms: &mut dyn Iterator<Item = &MaterialId>| join_zh(ms.map(MaterialId::as_str));
    let denied = |reason: &dyn std::fmt::Display, basis: &dyn std::fmt::Display| {
        format!("不予许可：{reason}（依据：{basis}）")
    };
    let outcome_note = |o: &Outcome| match o {
        Outcome::Completed => "已办结".to_owned(),
        Outcome::Denied {
            reason,
            legal_basis,
        } => denied(reason, legal_basis),
    };
    let mut note = match state {
        S::New => "未提交".to_owned(),
        S::Submitted(i) if i.supplement_rounds() == 0 => "已提交，窗口正在审查".to_owned(),
        S::Submitted(i) if i.outstanding().next().is_none() => {
            "材料已补正，窗口正在重新审查".to_owned()
        }
        S::Submitted(i) => format!("材料已部分补正，仍缺：{}", list(&mut i.outstanding())),
        S::SupplementRequested(i) => {
            format!("已一次性告知补正材料：{}", list(&mut i.outstanding()))
        }
        S::Refused {
            reason,
            legal_basis,
            ..
        } => format!("不予受理：{reason}（依据：{legal_basis}）"),
        S::Accepted(h) if h.returned_by().is_empty() => "已受理".to_owned(),
        S::Accepted(h) => format!(
            "已受理；{} 以非本部门事项退回",
            join_zh(h.returned_by().iter().map(name))
        ),
        S::Forwarded { to, .. } => format!("已转 {} 办理", name(to)),
        S::InProcess(_) => "办理中".to_owned(),
        S::Suspended { reason, .. } => format!("中止办理：{reason}"),
        S::ExtensionRequested {
            working_days,
            reason,
            ..
        } => format!("办理中；已申请延期 {working_days} 个工作日：{reason}"),
        S::Completed(_) => "已办结，办理结果待送达".to_owned(),
        S::Denied {
            reason,
            legal_basis,
            ..
        } => denied(reason, legal_basis),
        S::Delivered { outcome, .. } => format!("{}；已送达", outcome_note(outcome)),
        S::Rated {
            outcome, review, ..
        } => format!(
            "{}；已送达；评价：{}",
            outcome_note(outcome),
            review_zh(*review)
        ),
        S::Rectifying {
            outcome,
            review,
            due,
            ..
        } => format!(
            "{}；已送达；评价：{}；整改期限{}",
            outcome_note(outcome),
            review_zh(*review),
            due.format("%Y年%-m月%-d日")
        ),
        S::FollowingUp {
            outcome,
            review,
            action,
            ..
        } => format!(
            "{}；已送达；评价：{}；已整改：{action}；待回访",
            outcome_note(outcome),
            review_zh(*review)
        ),
        S::Closed { outcome, .. } => format!("{}；已归档", outcome_note(outcome)),
        S::Withdrawn {
            reason: Some(reason),
            ..
        } => format!("申请人已撤回：{reason}"),
        S::Withdrawn { reason: None, .. } => "申请人已撤回".to_owned(),
    };
    if let Some(h) = state.running() {
        if h.overdue() == Some(h.promised()) {
            note.push_str(&format!("；自{}起超期", at_zh(&h.promised())));
        }
    }
    note
}

fn work_order_zh(state: &WorkOrderState, name: &dyn Fn(&OrgId) -> String) -> String {
    use WorkOrderState as S;
    let mut note = match state {
        S::New => "未登记".to_owned(),
        S::Received(o) => format!(
            "{} 已接收（首问负责）：自行承办或移交",
            name(&o.intake().first_receiver)
        ),
        S::AwaitingDispatch(_) => "待派单".to_owned(),
        S::Dispatched { pending, .. } => {
            format!("已派单至 {}", name(&pending.assignment().lead))
        }
        S::ReturnPending { order, .. } => match order.returns().last() {
            Some(r) => format!(
                "{} 退单：{}（{}）",
                name(&r.by),
                return_ground(&r.reason.ground),
                r.reason.note
            ),
            None => "已退单".to_owned(),
        },
        S::InHand { handling, .. } if handling.redos() > 0 => format!(
            "{} 重办中（第 {} 次重办）",
            name(handling.lead()),
            handling.redos()
        ),
        S::InHand { handling, .. } => format!("{} 承办中", name(handling.lead())),
        S::ExtensionRequested {
            handling,
            working_days,
            reason,
            ..
        } => format!(
            "{} 承办中；已申请延期 {working_days} 个工作日：{reason}",
            name(handling.lead())
        ),
        S::Replied { reply, .. } => format!("{} 已答复：{}", name(&reply.by), reply.reply),
        S::CalledBack { callback, .. } => format!(
            "已回访：{}，{}",
            satisfaction(&callback.satisfaction),
            finding(&callback.finding)
        ),
        S::Closed { callback, .. } => {
            format!("已办结；诉求人{}", satisfaction(&callback.satisfaction))
        }
        S::Dismissed { reason, .. } => format!("不予受理：{reason}"),
        S::Withdrawn {
            reason: Some(reason),
            ..
        } => format!("诉求人已撤回：{reason}"),
        S::Withdrawn { reason: None, .. } => "诉求人已撤回".to_owned(),
    };
    if let Some(h) = state.running() {
        if h.overdue() == Some(h.due()) {
            note.push_str(&format!("；自{}起超期", at_zh(&h.due())));
        }
    }
    if let Some(p) = state.pending() {
        if p.sign_for_overdue().is_some() {
            note.push_str(&format!("；{}前未签收", at_zh(&p.sign_for_due())));
        }
    }
    note
}
