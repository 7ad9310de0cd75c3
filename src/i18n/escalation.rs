//! The Chinese of the escalation ladder (逐级上报): states, commands, events
//! and refusals — "small matters stay in the park, big matters stay in the
//! community" (小事不出园区，大事不出社区).

use std::borrow::Cow;

use super::vocabulary::{capability, referral};
use super::{Localized, at_en, at_zh, localized_by};
use crate::escalation::{
    LadderCommandKind, LadderError, LadderEvent, LadderEventKind, LadderStateError,
    LadderStateKind, SeverityCause,
};

fn state_kind(k: &LadderStateKind) -> Cow<'static, str> {
    Cow::Borrowed(match k {
        LadderStateKind::Idle => "未启动",
        LadderStateKind::Handling => "本级办理中",
        LadderStateKind::Exhausted => "已至最高层级",
        LadderStateKind::Resolved => "已化解",
        LadderStateKind::ReferredOut => "已转其他途径",
    })
}
localized_by!(LadderStateKind, state_kind);

fn command_kind(k: &LadderCommandKind) -> Cow<'static, str> {
    Cow::Borrowed(match k {
        LadderCommandKind::Start => "启动",
        LadderCommandKind::Reschedule => "调整期限",
        LadderCommandKind::Escalate => "上报",
        LadderCommandKind::Override => "越级上报",
        LadderCommandKind::RaiseSeverity => "提高严重程度",
        LadderCommandKind::Resolve => "化解",
        LadderCommandKind::ReferOut => "转其他途径",
        LadderCommandKind::Tick => "计时",
    })
}
localized_by!(LadderCommandKind, command_kind);

fn event_kind(k: &LadderEventKind) -> Cow<'static, str> {
    Cow::Borrowed(match k {
        LadderEventKind::Started => "由属地单位开始办理",
        LadderEventKind::Escalated => "上报上一级",
        LadderEventKind::SeverityRaised => "严重程度升高",
        LadderEventKind::Rescheduled => "办理期限调整",
        LadderEventKind::SupervisionReminded => "超期督办提醒",
        LadderEventKind::SupervisionNoticeIssued => "发出督办通知",
        LadderEventKind::Exhausted => "已至最高层级仍未化解",
        LadderEventKind::Resolved => "已化解",
        LadderEventKind::ReferredOut => "转仲裁、诉讼或行政途径",
    })
}
localized_by!(LadderEventKind, event_kind);

fn cause(c: SeverityCause) -> &'static str {
    match c {
        SeverityCause::RiskOfIntensifying => "有激化可能",
        SeverityCause::ManyParties => "涉及人数众多",
        SeverityCause::Safety => "危及人身安全",
        SeverityCause::RepeatComplaints => "重复投诉",
    }
}

/// An event's line in the audit trail: where the matter went, and why.
impl Localized for LadderEvent {
    fn en(&self) -> Cow<'_, str> {
        Cow::Owned(match self {
            LadderEvent::Started(s) => format!(
                "Started at {} for {} ({})",
                s.route.tier, s.route.handler, s.severity
            ),
            LadderEvent::Escalated(e) => {
                format!("Escalated from {} to {}: {}", e.from, e.to, e.reason.en())
            }
            LadderEvent::SeverityRaised { from, to, .. } => {
                format!("SeverityRaised from {from} to {to}")
            }
            LadderEvent::Rescheduled { tier, due } => {
                format!("Rescheduled: due at the {tier} tier by {}", at_en(due))
            }
            LadderEvent::SupervisionReminded {
                tier,
                handler,
                notice_due,
            } => format!(
                "SupervisionReminded: {handler} at the {tier} tier is overdue; a supervision notice follows if it is not done by {}",
                at_en(notice_due)
            ),
            LadderEvent::SupervisionNoticeIssued { tier, handler } => {
                format!("SupervisionNoticeIssued to {handler} at the {tier} tier")
            }
            LadderEvent::Exhausted { tier } => {
                format!("Exhausted: the {tier} tier has no tier above it")
            }
            LadderEvent::Resolved { tier, handler, .. } => {
                format!("Resolved by {handler} at the {tier} tier")
            }
            LadderEvent::ReferredOut { tier, to } => {
                format!("ReferredOut from the {tier} tier to {to}")
            }
        })
    }

    fn zh(&self) -> Cow<'_, str> {
        Cow::Owned(match self {
            LadderEvent::Started(s) => format!(
                "由{}级 {} 开始办理（{}，严重程度{}）",
                s.route.tier.zh(),
                s.route.handler,
                capability(&s.need),
                s.severity.zh()
            ),
            LadderEvent::Escalated(e) => format!(
                "由{}级上报至{}级 {}：{}",
                e.from.zh(),
                e.to.zh(),
                e.route.handler,
                e.reason.zh()
            ),
            LadderEvent::SeverityRaised {
                from, to, cause: c, ..
            } => format!("严重程度由{}升为{}：{}", from.zh(), to.zh(), cause(*c)),
            LadderEvent::Rescheduled { tier, due } => {
                format!("{}级办理期限调整为{}", tier.zh(), at_zh(due))
            }
            LadderEvent::SupervisionReminded {
                tier,
                handler,
                notice_due,
            } => format!(
                "{}级 {handler} 办理超期，督办提醒；{}前未办结将发出督办通知",
                tier.zh(),
                at_zh(notice_due)
            ),
            LadderEvent::SupervisionNoticeIssued { tier, handler } => {
                format!("向{}级 {handler} 发出督办通知", tier.zh())
            }
            LadderEvent::Exhausted { tier } => {
                format!("已至{}级，无可再上报的层级", tier.zh())
            }
            LadderEvent::Resolved { tier, handler, .. } => {
                format!("由{}级 {handler} 化解", tier.zh())
            }
            LadderEvent::ReferredOut { tier, to } => {
                format!("由{}级转{}途径解决", tier.zh(), referral(to))
            }
        })
    }
}

fn error(e: &LadderError) -> Cow<'_, str> {
    use LadderError as E;
    Cow::Owned(match e {
        E::Forbidden(f) => return f.zh(),
        E::NotApplicable { command, state } => format!(
            "事项处于“{}”状态，不能{}",
            state_kind(state),
            command_kind(command)
        ),
        E::CeilingReached {
            tier,
            next,
            ceiling,
            needed,
        } => format!(
            "由{}级上报至{}级超过上限{}级（小事不出园区，大事不出社区）：须由{}批准越级",
            tier.zh(),
            next.zh(),
            ceiling.zh(),
            needed.zh()
        ),
        E::OverrideNotNeeded {
            tier,
            next,
            ceiling,
        } => format!(
            "由{}级上报至{}级未超过上限{}级，无须越级批准",
            tier.zh(),
            next.zh(),
            ceiling.zh()
        ),
        E::MissingJustification => "越级上报须写明理由".to_owned(),
        E::ReasonNotAllowed { reason, by } => format!(
            "“{}”由{}记录，不能用上报命令记录",
            reason.zh(),
            command_kind(by)
        ),
        E::NoHandler {
            location,
            tier,
            need,
        } => format!(
            "{}级没有为 {location} 办理{}的单位",
            tier.zh(),
            capability(need)
        ),
        E::Routing(g) => format!("分派失败：{}", g.zh()),
        E::UnknownPolicy { policy } => format!("事项按政策 {policy} 启动，本阶梯没有该政策"),
        E::Calendar(c) => format!("期限计算：{}", c.zh()),
        E::SeverityNotRaised { current, requested } => {
            format!("严重程度{}没有高于当前的{}", requested.zh(), current.zh())
        }
    })
}
localized_by!(LadderError, error);

fn state_error(e: &LadderStateError) -> Cow<'_, str> {
    use LadderStateError as E;
    Cow::Owned(match e {
        E::DueBeforeSince { since, due } => format!(
            "办理期限{}早于事项到达本级的时间{}",
            at_zh(due),
            at_zh(since)
        ),
        E::NoticeBeforeSince { since, notice_due } => format!(
            "督办通知期限{}早于事项到达本级的时间{}",
            at_zh(notice_due),
            at_zh(since)
        ),
        E::BandInverted { start, ceiling } => {
            format!("起始层级{}级高于上限{}级", start.zh(), ceiling.zh())
        }
    })
}
localized_by!(LadderStateError, state_error);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::tests::check_kinds;

    #[test]
    fn a_rescheduled_line_gives_the_new_date_in_both_languages() {
        let rescheduled = LadderEvent::Rescheduled {
            tier: crate::Tier::Community,
            due: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(
            rescheduled.en(),
            format!(
                "Rescheduled: due at the {} tier by 1970-01-01 00:00 UTC",
                crate::Tier::Community
            )
        );
        assert!(rescheduled.zh().ends_with("1970年1月1日 00:00 UTC"));
    }

    #[test]
    fn every_ladder_kind_has_chinese_unlike_its_english() {
        check_kinds::<LadderStateKind>();
        check_kinds::<LadderCommandKind>();
        check_kinds::<LadderEventKind>();
    }
}
