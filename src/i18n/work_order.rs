//! The Chinese of the 12345 work order (工单): states, commands, events and
//! refusals — 派单, 签收, 退单, 协办, 答复, 回访, 重办, 首问负责.

use std::borrow::Cow;

use super::vocabulary::capability;
use super::{Localized, action_zh, at_en, at_zh, localized_by, with_note};
use crate::OrgId;
use crate::service::Note;
use crate::work_order::{
    Channel, Finding, GeoError, ReturnGround, Satisfaction, WorkOrderCommandKind,
    WorkOrderConfigError, WorkOrderError, WorkOrderEvent, WorkOrderEventKind, WorkOrderStateError,
    WorkOrderStateKind,
};
use crate::workflow::{HasKind, Kind};

pub(crate) fn state_kind(k: &WorkOrderStateKind) -> Cow<'static, str> {
    use WorkOrderStateKind as K;
    Cow::Borrowed(match k {
        K::New => "未登记",
        K::Received => "首问单位已接收",
        K::AwaitingDispatch => "待派单",
        K::Dispatched => "已派单，待签收",
        K::ReturnPending => "已退单，待处理",
        K::InHand => "承办中",
        K::ExtensionRequested => "承办中，已申请延期",
        K::Replied => "已答复",
        K::CalledBack => "已回访",
        K::Closed => "已办结",
        K::Dismissed => "不予受理",
        K::Withdrawn => "诉求人已撤回",
    })
}
localized_by!(WorkOrderStateKind, state_kind);

fn command_kind(k: &WorkOrderCommandKind) -> Cow<'static, str> {
    use WorkOrderCommandKind as K;
    Cow::Borrowed(match k {
        K::Receive => "登记诉求",
        K::TakeOn => "首问负责承办",
        K::HandOver => "移交派单中心",
        K::Dispatch => "派单",
        K::Dismiss => "不予受理",
        K::SignFor => "签收",
        K::Return => "退单",
        K::UpholdDispatch => "维持派单",
        K::Assist => "协办",
        K::RequestExtension => "申请延期",
        K::ApproveExtension => "批准延期",
        K::RejectExtension => "驳回延期申请",
        K::Reply => "答复",
        K::Callback => "回访",
        K::Redo => "重办",
        K::Close => "办结",
        K::Withdraw => "撤回诉求",
        K::Tick => "计时",
    })
}
localized_by!(WorkOrderCommandKind, command_kind);

fn event_kind(k: &WorkOrderEventKind) -> Cow<'static, str> {
    use WorkOrderEventKind as K;
    match k {
        K::Received => Cow::Borrowed("登记诉求"),
        K::TakenOn => Cow::Borrowed("首问单位自行承办"),
        K::HandedOver => Cow::Borrowed("首问单位移交派单中心并记录"),
        K::Dispatched => Cow::Borrowed("派单"),
        K::Dismissed => Cow::Borrowed("不予受理"),
        K::SignedFor => Cow::Borrowed("承办单位签收"),
        K::Returned => Cow::Borrowed("承办单位退单"),
        K::DispatchUpheld => Cow::Borrowed("维持原派单"),
        K::SignForOverdue => Cow::Borrowed("超时未签收"),
        K::Assisted => Cow::Borrowed("协办单位报告办理情况"),
        K::ExtensionRequested => Cow::Borrowed("申请延期"),
        K::ExtensionApproved => Cow::Borrowed("批准延期"),
        K::ExtensionRejected => Cow::Borrowed("驳回延期申请"),
        K::Replied => Cow::Borrowed("答复诉求人"),
        K::CalledBack => Cow::Borrowed("回访诉求人"),
        K::RedoOrdered => Cow::Borrowed("责令重办"),
        K::Closed => Cow::Borrowed("办结"),
        K::Withdrawn => Cow::Borrowed("诉求人撤回"),
        K::Overdue => Cow::Borrowed("办理超期"),
        K::Ladder(step) => Cow::Owned(format!("督办：{}", step.zh())),
    }
}
localized_by!(WorkOrderEventKind, event_kind);

/// The texts a work-order event's audit line shows after its name, the
/// same in both languages: the body that wrote it, if the line names one,
/// and what it wrote.
fn carried(e: &WorkOrderEvent) -> Option<(Option<&OrgId>, &Note)> {
    use WorkOrderEvent as E;
    match e {
        E::HandedOver { by, record: note }
        | E::Assisted { by, note }
        | E::Replied {
            by, reply: note, ..
        } => Some((Some(by), note)),
        E::Dismissed { reason }
        | E::DispatchUpheld { reason, .. }
        | E::ExtensionRejected { reason }
        | E::Withdrawn {
            reason: Some(reason),
        } => Some((None, reason)),
        _ => None,
    }
}

/// An event's line in the audit trail: its name, and the body, reason,
/// reply or finding it carries.
impl Localized for WorkOrderEvent {
    fn en(&self) -> Cow<'_, str> {
        use WorkOrderEvent as E;
        let name = self.kind().name();
        Cow::Owned(match (self, carried(self)) {
            (_, Some((Some(by), note))) => format!("{name} by {by}: {note}"),
            (_, Some((None, note))) => format!("{name}: {note}"),
            (E::Ladder(step), _) => format!("Ladder: {}", step.en()),
            (E::Returned { by, reason }, _) => {
                format!("{name} by {by} ({}): {}", reason.ground, reason.note)
            }
            (
                E::ExtensionRequested {
                    working_days,
                    reason,
                },
                _,
            ) => format!("{name}: {working_days} working days more: {reason}"),
            (
                E::CalledBack {
                    satisfaction,
                    finding,
                    note,
                    ..
                },
                _,
            ) => with_note(
                format!("{name}: {satisfaction}, {finding}"),
                ": ",
                note.as_ref(),
            ),
            (E::RedoOrdered { reason, due, .. }, _) => {
                format!("{name}: {reason}; due by {}", at_en(due))
            }
            _ => name.to_string(),
        })
    }

    fn zh(&self) -> Cow<'_, str> {
        use WorkOrderEvent as E;
        let kind = event_kind(&self.kind());
        Cow::Owned(match (self, carried(self)) {
            (_, Some((Some(by), note))) => format!("{kind}（{by}）：{note}"),
            (_, Some((None, note))) => format!("{kind}：{note}"),
            (E::Ladder(step), _) => format!("督办：{}", step.zh()),
            (E::Returned { by, reason }, _) => format!(
                "{kind}（{by}，{}）：{}",
                return_ground(&reason.ground),
                reason.note
            ),
            (
                E::ExtensionRequested {
                    working_days,
                    reason,
                },
                _,
            ) => format!("{kind}{working_days}个工作日：{reason}"),
            (
                E::CalledBack {
                    satisfaction: s,
                    finding: f,
                    note,
                    ..
                },
                _,
            ) => with_note(
                format!("{kind}：{}，{}", satisfaction(s), finding(f)),
                "：",
                note.as_ref(),
            ),
            (E::RedoOrdered { reason, due, .. }, _) => {
                format!("{kind}：{reason}；{}前办结", at_zh(due))
            }
            _ => return kind,
        })
    }
}

fn channel(c: &Channel) -> Cow<'static, str> {
    Cow::Borrowed(match c {
        Channel::Hotline => "12345热线",
        Channel::App => "手机应用",
        Channel::GridWorker => "网格员上报",
        Channel::SecretaryFaceToFace => "书记面对面",
        Channel::MerchantsCouncil => "商户议事会",
    })
}
localized_by!(Channel, channel);

pub(crate) fn return_ground(g: &ReturnGround) -> Cow<'static, str> {
    Cow::Borrowed(match g {
        ReturnGround::NotOurRemit => "非本单位职责",
        ReturnGround::OutsideOurArea => "不属本辖区",
        ReturnGround::InformationIncomplete => "信息不全",
        ReturnGround::AlreadyHandled => "已办理过",
    })
}
localized_by!(ReturnGround, return_ground);

pub(crate) fn satisfaction(s: &Satisfaction) -> Cow<'static, str> {
    Cow::Borrowed(match s {
        Satisfaction::Satisfied => "满意",
        Satisfaction::BasicallySatisfied => "基本满意",
        Satisfaction::Dissatisfied => "不满意",
    })
}
localized_by!(Satisfaction, satisfaction);

pub(crate) fn finding(f: &Finding) -> Cow<'static, str> {
    Cow::Borrowed(match f {
        Finding::ReplyAdequate => "答复到位",
        Finding::ReplyWanting => "答复不到位",
    })
}
localized_by!(Finding, finding);

fn config_error(e: &WorkOrderConfigError) -> Cow<'_, str> {
    use WorkOrderConfigError as E;
    Cow::Owned(match e {
        E::CentreNotInGraph { centre } => format!("派单中心 {centre} 不在组织图中"),
        E::LimitNotPositive { limit } => {
            let limit = match *limit {
                "handling" => "办理",
                "sign-for" => "签收",
                "redo" => "重办",
                other => other,
            };
            format!("工单的{limit}时限须为正数")
        }
        E::HoursEmpty { opens, closes } => {
            format!("工作时间须先开始后结束，而非 {opens} 至 {closes}")
        }
    })
}
localized_by!(WorkOrderConfigError, config_error);

fn geo_error(e: &GeoError) -> Cow<'_, str> {
    use GeoError as E;
    Cow::Owned(match e {
        E::Latitude { lat } => format!("纬度 {lat} 不在 -90 至 90 度之间"),
        E::Longitude { long } => format!("经度 {long} 不在 -180 至 180 度之间"),
        E::MediaUrl { url } => format!("媒体链接 {url:?} 不是不含空格的 http 或 https 链接"),
        E::MediaUrlTooLong { len, max } => format!("媒体链接长 {len} 字节，上限为 {max}"),
    })
}
localized_by!(GeoError, geo_error);

fn error(e: &WorkOrderError) -> Cow<'_, str> {
    use WorkOrderError as E;
    Cow::Owned(match e {
        E::Forbidden(f) => return f.zh(),
        E::NotActingFor {
            actor,
            action,
            body,
        } => format!("{actor} 不能{}：不代表 {body}", action_zh(action)),
        E::ActsForNoBody { actor } => format!("{actor} 不代表任何单位，不能登记诉求"),
        E::NotTheRequester {
            actor,
            action,
            requester,
        } => format!(
            "{actor} 不能{}：只有诉求人 {requester} 可以",
            action_zh(action)
        ),
        E::NotApplicable { command, state } => format!(
            "工单处于“{}”状态，不能{}",
            state_kind(state),
            command_kind(command)
        ),
        E::UnknownBody { body } => format!("单位 {body} 不在组织图中"),
        E::NotTerritorial { location } => format!("地点 {location} 不是组织图中的属地单位"),
        E::CannotHandle { body, matter } => {
            format!("{body} 不能办理{}", capability(matter))
        }
        E::NoRoute { location, matter } => {
            format!("没有为 {location} 办理{}的单位", capability(matter))
        }
        E::BodyRepeated { body } => format!("单位 {body} 在派单中被重复列明"),
        E::FirstContactCannotRefuse { body } => {
            format!("{body} 首先接收诉求（首问负责）：须承办或移交，不能拒绝")
        }
        E::ReturnedBefore { body, ground } => {
            format!("{body} 已以“{}”退过此单", return_ground(ground))
        }
        E::RedispatchToReturner { body } => {
            format!("{body} 已退单：须说明理由维持原派单，而非重新派给它")
        }
        E::NotAssisting { actor } => format!("{actor} 不代表本工单的任何协办单位"),
        E::AlreadyAssisted { body } => format!("协办单位 {body} 已报告办理情况"),
        E::AssistancePending { body } => format!("协办单位 {body} 尚未报告办理情况"),
        E::CallbackBeforeReply { state } => {
            format!("回访须在答复之后；工单处于“{}”状态", state_kind(state))
        }
        E::RedoNotWarranted {
            satisfaction: s,
            finding: f,
        } => format!(
            "重办须诉求人不满意且答复不到位，而非{}、{}",
            satisfaction(s),
            finding(f)
        ),
        E::RedoRequired { redos, max } => {
            format!("回访结果须重办：已重办 {redos} 次，上限 {max} 次")
        }
        E::ZeroExtension => "延期至少一个工作日".to_owned(),
        E::ExtensionTooLong { requested, max } => {
            format!("延期 {requested} 个工作日超过上限 {max} 个工作日")
        }
        E::ExtensionTooLate { deadline } => {
            format!("延期须在办理期限{}届满前申请", at_zh(deadline))
        }
        E::Calendar(c) => format!("期限计算：{}", c.zh()),
        E::Ladder(l) => format!("督办：{}", l.zh()),
    })
}
localized_by!(WorkOrderError, error);

fn state_error(e: &WorkOrderStateError) -> Cow<'_, str> {
    use WorkOrderStateError as E;
    Cow::Owned(match e {
        E::DueBeforeStart { start, due } => {
            format!("期限{}早于起算时间{}", at_zh(due), at_zh(start))
        }
        E::OverdueNotTheDeadline => "记录的超时签收期限不是现行期限".to_owned(),
        E::AssistedButNotAssisting { body } => {
            format!("{body} 报告了办理情况，但不是协办单位")
        }
    })
}
localized_by!(WorkOrderStateError, state_error);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::tests::check_kinds;

    #[test]
    fn an_event_line_carries_its_reply_and_reasons_in_both_languages() {
        let replied = WorkOrderEvent::Replied {
            by: "pinghu-urban".parse().unwrap(),
            at: chrono::DateTime::UNIX_EPOCH,
            reply: "the stalls were moved".parse().unwrap(),
        };
        assert_eq!(
            replied.en(),
            "Replied by pinghu-urban: the stalls were moved"
        );
        assert!(
            replied
                .zh()
                .ends_with("（pinghu-urban）：the stalls were moved")
        );
        let returned = WorkOrderEvent::Returned {
            by: "huanan-property".parse().unwrap(),
            reason: crate::work_order::ReturnReason {
                ground: ReturnGround::NotOurRemit,
                note: "the fire lane is the city's".parse().unwrap(),
            },
        };
        assert_eq!(
            returned.en(),
            "Returned by huanan-property (not our remit): the fire lane is the city's"
        );
        assert!(
            returned
                .zh()
                .contains(&*return_ground(&ReturnGround::NotOurRemit))
        );
        assert_eq!(WorkOrderEvent::Closed.en(), "Closed");
    }

    #[test]
    fn every_work_order_kind_has_chinese_unlike_its_english() {
        check_kinds::<WorkOrderStateKind>();
        check_kinds::<WorkOrderCommandKind>();
        check_kinds::<WorkOrderEventKind>();
    }
}
