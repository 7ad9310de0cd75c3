//! The Chinese of the service hall (行政服务中心): a request's states,
//! commands and events, its refusals and the catalogue's — 受理, 补正
//! (一次性告知), 容缺受理, 办理, 办结, 送达, 中止, 好差评, 整改, 回访.

use std::borrow::Cow;

use super::{Localized, action_zh, at_en, at_zh, localized_by, with_note};
use crate::service::{
    CatalogueError, Datatype, Mode, Note, OrgUse, Review, ServiceRequestCommandKind,
    ServiceRequestError, ServiceRequestEvent, ServiceRequestEventKind, ServiceRequestStateKind,
    ServiceStateError,
};
use crate::workflow::{HasKind, Kind};

pub(crate) fn state_kind(k: &ServiceRequestStateKind) -> Cow<'static, str> {
    use ServiceRequestStateKind as K;
    Cow::Borrowed(match k {
        K::New => "未提交",
        K::Submitted => "已提交，待受理",
        K::SupplementRequested => "已一次性告知补正材料",
        K::Refused => "不予受理",
        K::Accepted => "已受理",
        K::Forwarded => "已转职能部门办理",
        K::InProcess => "办理中",
        K::Suspended => "中止办理",
        K::ExtensionRequested => "办理中，已申请延期",
        K::Completed => "已办结，待送达",
        K::Denied => "不予许可",
        K::Delivered => "已送达",
        K::Rated => "已评价",
        K::Rectifying => "整改中",
        K::FollowingUp => "整改后待回访",
        K::Closed => "已办结归档",
        K::Withdrawn => "申请人已撤回",
    })
}
localized_by!(ServiceRequestStateKind, state_kind);

fn command_kind(k: &ServiceRequestCommandKind) -> Cow<'static, str> {
    use ServiceRequestCommandKind as K;
    Cow::Borrowed(match k {
        K::Submit => "提交申请",
        K::SubmitForApplicant => "代办提交申请",
        K::RequestSupplement => "一次性告知补正材料",
        K::SupplyMaterials => "补正材料",
        K::Accept => "受理",
        K::AcceptWithPromise => "容缺受理",
        K::Refuse => "不予受理",
        K::StartProcessing => "开始办理",
        K::Forward => "转职能部门办理",
        K::SignFor => "签收",
        K::Return => "退回",
        K::Suspend => "中止办理",
        K::Resume => "恢复办理",
        K::RequestExtension => "申请延期",
        K::ApproveExtension => "批准延期",
        K::RejectExtension => "驳回延期申请",
        K::Complete => "办结",
        K::Deny => "作出不予许可决定",
        K::Deliver => "送达",
        K::Rate => "好差评",
        K::SendBackForRework => "退回重办",
        K::Rectify => "整改",
        K::FollowUp => "回访",
        K::Close => "归档",
        K::Withdraw => "撤回申请",
        K::Tick => "计时",
    })
}
localized_by!(ServiceRequestCommandKind, command_kind);

fn event_kind(k: &ServiceRequestEventKind) -> Cow<'static, str> {
    use ServiceRequestEventKind as K;
    match k {
        K::Submitted => Cow::Borrowed("申请人提交申请"),
        K::SupplementRequested => Cow::Borrowed("一次性告知需补正的全部材料"),
        K::MaterialsSupplied => Cow::Borrowed("申请人补正材料"),
        K::Accepted => Cow::Borrowed("受理"),
        K::DeemedAccepted => Cow::Borrowed("逾期未告知补正，自收到申请之日起即为受理"),
        K::AcceptedWithPending => Cow::Borrowed("容缺受理，申请人书面承诺限期补齐材料"),
        K::PromiseLapsed => Cow::Borrowed("承诺期限届满未补齐材料，中止办理"),
        K::PendingSupplied => Cow::Borrowed("容缺材料已补齐"),
        K::Refused => Cow::Borrowed("不予受理，说明理由和依据"),
        K::ProcessingStarted => Cow::Borrowed("开始办理"),
        K::Forwarded => Cow::Borrowed("转职能部门办理"),
        K::SignedFor => Cow::Borrowed("职能部门签收"),
        K::Returned => Cow::Borrowed("职能部门以非本部门事项退回"),
        K::Suspended => Cow::Borrowed("中止办理"),
        K::Resumed => Cow::Borrowed("恢复办理"),
        K::ExtensionRequested => Cow::Borrowed("申请延长办理期限"),
        K::ExtensionApproved => Cow::Borrowed("批准延期"),
        K::ExtensionRejected => Cow::Borrowed("驳回延期申请"),
        K::Completed => Cow::Borrowed("办结"),
        K::Denied => Cow::Borrowed("作出不予许可决定，说明理由和依据"),
        K::Delivered => Cow::Borrowed("送达办理结果"),
        K::Rated => Cow::Borrowed("申请人作出好差评"),
        K::RectificationOpened => Cow::Borrowed("差评启动整改"),
        K::RectificationOverdue => Cow::Borrowed("整改超期"),
        K::Rectified => Cow::Borrowed("整改完成"),
        K::FollowedUp => Cow::Borrowed("回访"),
        K::SentBackForRework => Cow::Borrowed("退回重办"),
        K::Closed => Cow::Borrowed("归档"),
        K::Withdrawn => Cow::Borrowed("申请人撤回申请"),
        K::Overdue => Cow::Borrowed("办理超期"),
        K::Ladder(step) => Cow::Owned(format!("督办：{}", step.zh())),
    }
}
localized_by!(ServiceRequestEventKind, event_kind);

/// The texts a service event's audit line shows after its name, the same
/// in both languages: a reason (with the provision it rests on, for a
/// refusal or a denial) or the record of what was done.
fn carried(e: &ServiceRequestEvent) -> Option<(&Note, Option<&Note>)> {
    use ServiceRequestEvent as E;
    match e {
        E::Refused {
            reason,
            legal_basis,
        }
        | E::Denied {
            reason,
            legal_basis,
        } => Some((reason, Some(legal_basis))),
        E::Suspended { reason, .. }
        | E::ExtensionRejected { reason }
        | E::SentBackForRework { reason }
        | E::Withdrawn {
            reason: Some(reason),
        }
        | E::Rectified { action: reason, .. }
        | E::FollowedUp { result: reason, .. } => Some((reason, None)),
        _ => None,
    }
}

/// An event's line in the audit trail: its name, and the reason, date or
/// review it carries.
impl Localized for ServiceRequestEvent {
    fn en(&self) -> Cow<'_, str> {
        use ServiceRequestEvent as E;
        let name = self.kind().name();
        Cow::Owned(match (self, carried(self)) {
            (_, Some((reason, Some(basis)))) => format!("{name}: {reason} (basis: {basis})"),
            (_, Some((note, None))) => format!("{name}: {note}"),
            (E::Ladder(step), _) => format!("Ladder: {}", step.en()),
            (E::Returned { by, reason }, _) => format!("{name} by {by}: {reason}"),
            (E::Resumed { promised, .. }, _) => {
                format!("{name}: now promised by {}", at_en(promised))
            }
            (
                E::ExtensionRequested {
                    working_days,
                    reason,
                },
                _,
            ) => format!("{name}: {working_days} working days more: {reason}"),
            (
                E::ExtensionApproved {
                    working_days,
                    promised,
                },
                _,
            ) => format!(
                "{name}: {working_days} working days more, promised by {}",
                at_en(promised)
            ),
            (E::Rated { review, comment }, _) => {
                let review = review.as_str().replace('_', " ");
                with_note(format!("{name}: {review}"), ": ", comment.as_ref())
            }
            _ => name.to_string(),
        })
    }

    fn zh(&self) -> Cow<'_, str> {
        use ServiceRequestEvent as E;
        let kind = event_kind(&self.kind());
        Cow::Owned(match (self, carried(self)) {
            (_, Some((reason, Some(basis)))) => format!("{kind}：{reason}（依据：{basis}）"),
            (_, Some((note, None))) => format!("{kind}：{note}"),
            (E::Ladder(step), _) => format!("督办：{}", step.zh()),
            (E::Returned { by, reason }, _) => format!("{kind}（{by}）：{reason}"),
            (E::Resumed { promised, .. }, _) => {
                format!("{kind}，承诺办结时间调整为{}", at_zh(promised))
            }
            (
                E::ExtensionRequested {
                    working_days,
                    reason,
                },
                _,
            ) => format!("{kind}{working_days}个工作日：{reason}"),
            (
                E::ExtensionApproved {
                    working_days,
                    promised,
                },
                _,
            ) => format!(
                "{kind}{working_days}个工作日，承诺办结时间调整为{}",
                at_zh(promised)
            ),
            (E::Rated { review, comment }, _) => with_note(
                format!("申请人评价：{}", review_zh(*review)),
                "：",
                comment.as_ref(),
            ),
            _ => return kind,
        })
    }
}

/// The five levels of 好差评.
pub(crate) fn review_zh(r: Review) -> &'static str {
    match r {
        Review::VerySatisfied => "非常满意",
        Review::Satisfied => "满意",
        Review::BasicallySatisfied => "基本满意",
        Review::Dissatisfied => "不满意",
        Review::VeryDissatisfied => "非常不满意",
    }
}

fn review(r: &Review) -> Cow<'static, str> {
    Cow::Borrowed(review_zh(*r))
}
localized_by!(Review, review);

fn mode(m: &Mode) -> Cow<'static, str> {
    Cow::Borrowed(match m {
        Mode::Handle => "受理并办理",
        Mode::Forward => "受理后转办",
    })
}
localized_by!(Mode, mode);

fn datatype(d: &Datatype) -> Cow<'static, str> {
    Cow::Borrowed(match d {
        Datatype::String => "字符串",
        Datatype::Number => "数字",
        Datatype::DateTime => "日期时间",
        Datatype::Text => "文本",
        Datatype::SingleValueList => "单选",
        Datatype::MultiValueList => "多选",
    })
}
localized_by!(Datatype, datatype);

fn org_use(u: &OrgUse) -> Cow<'_, str> {
    match u {
        OrgUse::Hall => Cow::Borrowed("行政服务中心"),
        OrgUse::Area => Cow::Borrowed("服务区域"),
        OrgUse::HandlingBody(code) => Cow::Owned(format!("事项 {code} 的办理单位")),
    }
}
localized_by!(OrgUse, org_use);

fn catalogue_error(e: &CatalogueError) -> Cow<'_, str> {
    use CatalogueError as E;
    Cow::Owned(match e {
        E::InvalidCode { index, source } => format!("目录第 {index} 项：{source}"),
        E::DuplicateCode { code } => format!("事项编码 {code} 在目录中出现两次"),
        E::InvalidCategory {
            code,
            category,
            reason,
        } => format!("事项 {code}：{category:?} 不是有效的服务类别：{reason}"),
        E::LimitNotPositive { code, working_days } => {
            format!("事项 {code}：办理时限须为正数个工作日，而非 {working_days}")
        }
        E::EmptyName { code } => format!("事项 {code} 没有名称"),
        E::DuplicateMaterial { code, material } => {
            format!("事项 {code} 重复列明材料 {material}")
        }
        E::DuplicateAttribute { code, attribute } => {
            format!("事项 {code} 重复定义属性 {attribute}")
        }
        E::MissingValues {
            code,
            attribute,
            datatype: d,
        } => format!(
            "事项 {code}：属性 {attribute} 为{}，但未列出可选值",
            datatype(d)
        ),
        E::UnexpectedValues {
            code,
            attribute,
            datatype: d,
        } => format!(
            "事项 {code}：属性 {attribute} 为{}，不得列出可选值",
            datatype(d)
        ),
        E::DuplicateValue {
            code,
            attribute,
            value,
        } => format!("事项 {code}：属性 {attribute} 重复列出可选值 {value:?}"),
        E::HandledElsewhere { code, body, hall } => {
            format!("事项 {code} 由行政服务中心 {hall} 自行办理，而非 {body}")
        }
        E::ForwardToItself { code, hall } => {
            format!("事项 {code} 须转办：办理单位应为职能部门，而非行政服务中心 {hall}")
        }
        E::PromiseBeyondStatutoryLimit {
            code,
            promised,
            statutory,
        } => format!("事项 {code}：承诺时限 {promised} 个工作日长于法定时限 {statutory} 个工作日"),
        E::NotInGraph { org, used_as } => format!("{}（{org}）不在组织图中", org_use(used_as)),
        E::AreaNotTerritorial { area } => format!("服务区域 {area} 不是属地单位"),
    })
}
localized_by!(CatalogueError, catalogue_error);

fn error(e: &ServiceRequestError) -> Cow<'_, str> {
    use ServiceRequestError as E;
    Cow::Owned(match e {
        E::Forbidden(f) => return f.zh(),
        E::NotActingFor {
            actor,
            action,
            body,
        } => format!("{actor} 不能{}：不代表 {body}", action_zh(action)),
        E::NotTheApplicant {
            actor,
            action,
            applicant,
        } => format!(
            "{actor} 不能{}：只有申请人 {applicant} 可以",
            action_zh(action)
        ),
        E::NotApplicable { command, state } => format!(
            "申请处于“{}”状态，不能{}",
            state_kind(state),
            command_kind(command)
        ),
        E::UnknownItem { code } => format!("事项目录中没有事项 {code}"),
        E::AttributeMissing { code } => format!("缺少必填属性 {code}"),
        E::AttributeWrongType { code, expected } => {
            format!("属性 {code} 须为{}", datatype(expected))
        }
        E::NotAllowedValue { code, value } => format!("{value:?} 不是属性 {code} 的可选值"),
        E::UnknownAttribute { code } => format!("该事项没有属性 {code}"),
        E::MaterialNotRequired { material } => format!("该事项不要求材料 {material}"),
        E::MaterialNotNamed { material } => {
            format!("材料 {material} 缺失，须在第一次补正告知中列明：应一次性告知")
        }
        E::MaterialAlreadyKnown { material } => {
            format!("材料 {material} 本应在第一次补正告知中列明：再次告知只能列出仍缺的材料")
        }
        E::NothingToSupplement => "材料齐全，无须告知补正".to_owned(),
        E::MaterialNotRequested { material } => format!("未要求补正材料 {material}"),
        E::NothingSupplied => "补正须至少提交一项材料".to_owned(),
        E::MaterialMissing { material } => format!("必需材料 {material} 仍缺"),
        E::WrongMode { command, mode: m } => {
            format!("“{}”方式的事项不能{}", mode(m), command_kind(command))
        }
        E::UnknownDepartment { department } => format!("职能部门 {department} 不在组织图中"),
        E::ReturnedBefore { department } => {
            format!("职能部门 {department} 已以非本部门事项退回过本申请")
        }
        E::ExtensionTooLate { deadline } => {
            format!("延期须在办理期限{}届满前申请", at_zh(deadline))
        }
        E::ZeroExtension => "延期至少一个工作日".to_owned(),
        E::ExtensionBeyondStatutoryLimit {
            requested,
            max,
            statutory,
        } => format!(
            "延期 {requested} 个工作日超过法定时限 {statutory} 个工作日：最多再延 {max} 个工作日"
        ),
        E::ReworkNeedsBadReview => "只有不满意的评价才能退回重办".to_owned(),
        E::AcceptedFromReceipt {
            received,
            notice_due,
        } => format!(
            "{}前未告知补正：自收到申请之日（{}）起即为受理",
            at_zh(notice_due),
            at_zh(received)
        ),
        E::MaterialEssential { material } => {
            format!("材料 {material} 为主要材料：缺少该材料不能容缺受理")
        }
        E::MaterialProvided { material } => format!("材料 {material} 已提交，不能列为容缺"),
        E::NothingPending => "容缺受理须至少列明一项容缺材料".to_owned(),
        E::SupplyDateNotAfterAcceptance { at, supply_by } => format!(
            "容缺材料的承诺补齐日期须晚于受理时间{}，而非{}",
            at_zh(at),
            at_zh(supply_by)
        ),
        E::MaterialPending { material } => format!("承诺补齐的材料 {material} 尚未提交"),
        E::PromiseLapsed {
            material,
            supply_by,
        } => format!(
            "办理已中止：承诺的材料 {material} 未在{}前补齐",
            at_zh(supply_by)
        ),
        E::RectificationOpen { due } => format!(
            "差评已启动整改（{}前完成）：整改并回访后方可归档",
            at_zh(due)
        ),
        E::Ladder(l) => format!("督办：{}", l.zh()),
        E::Calendar(c) => format!("期限计算：{}", c.zh()),
    })
}
localized_by!(ServiceRequestError, error);

fn state_error(e: &ServiceStateError) -> Cow<'_, str> {
    use ServiceStateError as E;
    Cow::Owned(match e {
        E::MaterialsUnsorted { material } => {
            format!("存档的材料在 {material} 处未排序或有重复")
        }
        E::OutstandingWithoutRequest { material } => {
            format!("材料 {material} 缺失，但未告知补正")
        }
        E::AcceptedBeforeSubmitted {
            submitted_at,
            accepted_at,
        } => format!(
            "受理时间{}早于提交时间{}",
            at_zh(accepted_at),
            at_zh(submitted_at)
        ),
        E::PromisedBeforeAccepted {
            accepted_at,
            promised,
        } => format!(
            "承诺办结日期{}早于受理时间{}",
            at_zh(promised),
            at_zh(accepted_at)
        ),
        E::PendingNotSorted => "存档的容缺材料为空或未排序、有重复".to_owned(),
        E::SupplyDateNotAfterAcceptance {
            accepted_at,
            supply_by,
        } => format!(
            "容缺材料的承诺补齐日期{}不晚于受理时间{}",
            at_zh(supply_by),
            at_zh(accepted_at)
        ),
        E::OverdueAfterPromise { overdue, promised } => format!(
            "超期时间{}晚于承诺办结日期{}",
            at_zh(overdue),
            at_zh(promised)
        ),
    })
}
localized_by!(ServiceStateError, state_error);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::tests::check_kinds;

    #[test]
    fn an_event_line_carries_its_reason_in_both_languages() {
        let suspended = ServiceRequestEvent::Suspended {
            at: chrono::DateTime::UNIX_EPOCH,
            reason: "waiting for the tax bureau".parse().unwrap(),
        };
        assert_eq!(suspended.en(), "Suspended: waiting for the tax bureau");
        assert_eq!(suspended.zh(), "中止办理：waiting for the tax bureau");
        let rated = ServiceRequestEvent::Rated {
            review: Review::Dissatisfied,
            comment: Some("the queue was long".parse().unwrap()),
        };
        assert_eq!(rated.en(), "Rated: dissatisfied: the queue was long");
        assert_eq!(rated.zh(), "申请人评价：不满意：the queue was long");
        let resumed = ServiceRequestEvent::Resumed {
            at: chrono::DateTime::UNIX_EPOCH,
            paused_working_days: 1,
            promised: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(
            resumed.en(),
            "Resumed: now promised by 1970-01-01 00:00 UTC"
        );
        assert_eq!(
            ServiceRequestEvent::Withdrawn { reason: None }.en(),
            "Withdrawn"
        );
    }

    #[test]
    fn every_service_request_kind_has_chinese_unlike_its_english() {
        check_kinds::<ServiceRequestStateKind>();
        check_kinds::<ServiceRequestCommandKind>();
        check_kinds::<ServiceRequestEventKind>();
    }
}
