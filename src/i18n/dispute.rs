//! The Chinese of disputes (矛盾纠纷): states, commands, events and refusals,
//! in the words of the People's Mediation Law (人民调解法) and the Labour
//! Dispute Mediation and Arbitration Law (劳动争议调解仲裁法).

use std::borrow::Cow;

use super::vocabulary::{capability, dispute_kind, mediation_organisation, referral};
use super::{Localized, action_zh, at_zh, day_zh, join_zh, localized_by};
use crate::dispute::{
    DisputeCommandKind, DisputeError, DisputeEvent, DisputeEventKind, DisputeStateError,
    DisputeStateKind,
};
use crate::workflow::{HasKind, Kind};

fn state_kind(k: &DisputeStateKind) -> Cow<'static, str> {
    Cow::Borrowed(match k {
        DisputeStateKind::Unreported => "未申请",
        DisputeStateKind::Reported => "已申请调解，待受理",
        DisputeStateKind::Accepted => "已受理",
        DisputeStateKind::Escalated => "已上报",
        DisputeStateKind::Mediating => "调解中",
        DisputeStateKind::Signing => "调解协议签署中",
        DisputeStateKind::Agreed => "已达成调解协议",
        DisputeStateKind::MediationFailed => "调解不成",
        DisputeStateKind::Fulfilled => "协议已履行",
        DisputeStateKind::Breached => "协议未履行",
        DisputeStateKind::Referred => "已引导通过其他途径解决",
        DisputeStateKind::Withdrawn => "已撤回",
        DisputeStateKind::Declined => "不予受理",
        DisputeStateKind::Refused => "当事人拒绝调解",
        DisputeStateKind::Closed => "已结案",
    })
}
localized_by!(DisputeStateKind, state_kind);

fn command_kind(k: &DisputeCommandKind) -> Cow<'static, str> {
    Cow::Borrowed(match k {
        DisputeCommandKind::Report => "申请调解",
        DisputeCommandKind::Accept => "受理",
        DisputeCommandKind::Decline => "不予受理",
        DisputeCommandKind::Refuse => "拒绝调解",
        DisputeCommandKind::Withdraw => "撤回",
        DisputeCommandKind::AssignMediators => "指派调解员",
        DisputeCommandKind::RequestRecusal => "申请调解员回避",
        DisputeCommandKind::RecordSession => "记录调解会谈",
        DisputeCommandKind::RecordAgreement => "制作调解协议书",
        DisputeCommandKind::RecordOralAgreement => "记录口头协议",
        DisputeCommandKind::Sign => "签署调解协议",
        DisputeCommandKind::ApplyForConfirmation => "申请司法确认",
        DisputeCommandKind::RecordPerformance => "记录协议履行情况",
        DisputeCommandKind::TerminateMediation => "终止调解",
        DisputeCommandKind::Escalate => "上报",
        DisputeCommandKind::OverrideCeiling => "越级上报",
        DisputeCommandKind::Refer => "引导通过其他途径解决",
        DisputeCommandKind::FlagRisk => "标记激化风险",
        DisputeCommandKind::ReportRisk => "报告激化风险",
        DisputeCommandKind::Tick => "计时",
        DisputeCommandKind::RecordFollowUp => "记录回访",
        DisputeCommandKind::AffixSeal => "加盖人民调解委员会印章",
        DisputeCommandKind::RecordObligation => "记录一项义务的履行情况",
        DisputeCommandKind::RecordRuling => "记录人民法院的确认裁定",
        DisputeCommandKind::ApplyForEnforcement => "申请人民法院强制执行",
    })
}
localized_by!(DisputeCommandKind, command_kind);

fn event_kind(k: &DisputeEventKind) -> Cow<'static, str> {
    match k {
        DisputeEventKind::Reported => Cow::Borrowed("当事人申请调解"),
        DisputeEventKind::Accepted => Cow::Borrowed("受理纠纷"),
        DisputeEventKind::Declined => Cow::Borrowed("不予受理，告知当事人其他解决途径"),
        DisputeEventKind::MediationRefused => Cow::Borrowed("当事人拒绝调解"),
        DisputeEventKind::Withdrawn => Cow::Borrowed("当事人撤回调解申请"),
        DisputeEventKind::MediatorsAssigned => Cow::Borrowed("指派调解员"),
        DisputeEventKind::MediatorRecused => Cow::Borrowed("调解员回避，另行指定"),
        DisputeEventKind::SessionRecorded => Cow::Borrowed("记录一次调解会谈"),
        DisputeEventKind::AgreementRecorded => Cow::Borrowed("制作调解协议书"),
        DisputeEventKind::OralAgreementReached => Cow::Borrowed("达成口头调解协议"),
        DisputeEventKind::AgreementSigned => Cow::Borrowed("调解协议书签名"),
        DisputeEventKind::AgreementTookEffect => Cow::Borrowed("调解协议生效"),
        DisputeEventKind::ConfirmationApplied => Cow::Borrowed("双方共同申请司法确认"),
        DisputeEventKind::AgreementFulfilled => Cow::Borrowed("调解协议已履行"),
        DisputeEventKind::AgreementBreached => Cow::Borrowed("当事人不履行调解协议"),
        DisputeEventKind::MediationFailed => Cow::Borrowed("调解不成，终止调解"),
        DisputeEventKind::Referred => Cow::Borrowed("告知当事人通过仲裁、诉讼等途径解决"),
        DisputeEventKind::RiskFlagged => Cow::Borrowed("纠纷有激化可能，采取预防措施"),
        DisputeEventKind::RiskReported => Cow::Borrowed("报告公安机关或有关部门"),
        DisputeEventKind::ArbitrationOpened => Cow::Borrowed("当事人申请劳动争议仲裁"),
        DisputeEventKind::FollowedUp => Cow::Borrowed("回访"),
        DisputeEventKind::SealAffixed => Cow::Borrowed("加盖人民调解委员会印章"),
        DisputeEventKind::ConfirmationRuled => Cow::Borrowed("人民法院作出司法确认裁定"),
        DisputeEventKind::ObligationPerformed => Cow::Borrowed("一项协议义务已履行"),
        DisputeEventKind::EnforcementApplied => Cow::Borrowed("当事人申请人民法院强制执行"),
        DisputeEventKind::Ladder(step) => Cow::Owned(format!("逐级上报：{}", step.zh())),
    }
}
localized_by!(DisputeEventKind, event_kind);

/// An event's line in the audit trail: its kind, and what it names.
impl Localized for DisputeEvent {
    fn en(&self) -> Cow<'_, str> {
        let name = self.kind().name();
        match self {
            DisputeEvent::Accepted { body, .. } => Cow::Owned(format!("Accepted by {body}")),
            DisputeEvent::Referred { to, .. } => Cow::Owned(format!("Referred to {to}")),
            DisputeEvent::MediatorsAssigned { mediators, .. } => Cow::Owned(format!(
                "MediatorsAssigned: {}",
                mediators
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            DisputeEvent::MediationRefused { party, .. }
            | DisputeEvent::Withdrawn { party, .. } => Cow::Owned(format!("{name} by {party}")),
            DisputeEvent::MediatorRecused {
                mediator,
                requested_by,
                reason,
            } => Cow::Owned(format!(
                "{name}: {mediator}, asked by {requested_by}: {reason}"
            )),
            DisputeEvent::AgreementSigned { by } => Cow::Owned(format!("{name} by {by}")),
            DisputeEvent::SealAffixed { body, by } => {
                Cow::Owned(format!("{name}: {body}'s seal, by {by}"))
            }
            _ => Cow::Owned(name.to_string()),
        }
    }

    fn zh(&self) -> Cow<'_, str> {
        let kind = event_kind(&self.kind());
        match self {
            DisputeEvent::MediationRefused { party, .. }
            | DisputeEvent::Withdrawn { party, .. } => Cow::Owned(format!("{kind}（{party}）")),
            DisputeEvent::MediatorRecused {
                mediator,
                requested_by,
                reason,
            } => Cow::Owned(format!(
                "{kind}：{mediator}（{requested_by} 申请）：{reason}"
            )),
            DisputeEvent::AgreementSigned { by } => Cow::Owned(format!("{kind}（{by}）")),
            DisputeEvent::SealAffixed { body, by } => {
                Cow::Owned(format!("{kind}（{body}，经办 {by}）"))
            }
            DisputeEvent::Accepted { body, .. } => Cow::Owned(format!("{body} 受理纠纷")),
            DisputeEvent::Referred { to, .. } => {
                Cow::Owned(format!("告知当事人通过{}途径解决", referral(to)))
            }
            DisputeEvent::MediatorsAssigned { mediators, .. } => {
                Cow::Owned(format!("指派调解员：{}", join_zh(mediators.iter())))
            }
            _ => kind,
        }
    }
}

fn error(e: &DisputeError) -> Cow<'_, str> {
    use DisputeError as E;
    Cow::Owned(match e {
        E::NotApplicable { command, state } => format!(
            "纠纷处于“{}”状态，不能{}",
            state_kind(state),
            command_kind(command)
        ),
        E::NotOnLadder => "纠纷尚未受理，没有承办组织".to_owned(),
        E::Forbidden(f) => return f.zh(),
        E::NotAParty { actor, action } => {
            format!("{actor} 不是纠纷当事人，不能{}", action_zh(action))
        }
        E::NotBodyOfficer {
            actor,
            action,
            body,
            tier,
        } => format!(
            "{actor} 不能{}：须由代表 {body} 的{}级工作人员办理",
            action_zh(action),
            tier.zh()
        ),
        E::NotAssignedMediator { actor, action } => {
            format!("{actor} 不是指派的调解员，不能{}", action_zh(action))
        }
        E::TooFewParties { count } => format!("纠纷须有两方以上当事人，只列明 {count} 方"),
        E::DuplicateParty { party } => format!("{party} 被重复列为当事人"),
        E::UnknownPartyOrg { party, org } => {
            format!("当事人 {party} 所属组织 {org} 不在组织图中")
        }
        E::UnknownLocation { location } => format!("发生地 {location} 不在组织图中"),
        E::LocationNotTerritorial { location } => {
            format!("发生地 {location} 不是属地单位")
        }
        E::NoRoutesNamed => "不予受理须告知当事人可以选择的其他解决途径".to_owned(),
        E::NoMediators => "至少须指派一名调解员".to_owned(),
        E::DuplicateMediator { mediator } => format!("调解员 {mediator} 被重复指派"),
        E::MediatorIsParty { mediator } => format!("调解员 {mediator} 是纠纷当事人"),
        E::MediatorConflict {
            mediator,
            party,
            org,
        } => format!("调解员 {mediator} 属于 {org}，而当事人 {party} 即是、代表或属于该组织"),
        E::NotOnRoster { mediator, body } => {
            format!("调解员 {mediator} 不在 {body} 的调解员名册上")
        }
        E::NotAPeoplesMediator { mediator, date } => {
            format!("当事人选择的 {mediator} 于{}不是人民调解员", day_zh(date))
        }
        E::MediatorNotRostered {
            mediator,
            action,
            body,
            date,
        } => format!(
            "调解员 {mediator} 不能{}：{}不在 {body} 或任何人民调解委员会的名册上",
            action_zh(action),
            day_zh(date)
        ),
        E::NoRecusalReason { mediator } => format!("申请更换调解员 {mediator} 须说明理由"),
        E::NotAnAssignedMediator { mediator } => format!("{mediator} 不是本纠纷指派的调解员"),
        E::NoSessionYet => "尚未记录任何调解会谈".to_owned(),
        E::EmptyTerms => "调解协议内容为空".to_owned(),
        E::NotSignatory { actor } => format!("{actor} 不是调解协议的签名人"),
        E::AlreadySigned { actor } => format!("{actor} 已在调解协议上签名"),
        E::OralAgreementNotConfirmable => "口头协议不能申请司法确认".to_owned(),
        E::ConfirmationAlreadyApplied { applied_at } => {
            format!("已于{}申请司法确认", at_zh(applied_at))
        }
        E::ApplicantNotAParty { applicant } => format!("申请人 {applicant} 不是协议当事人"),
        E::ConfirmationNotJoint { missing } => format!(
            "司法确认须由双方当事人共同申请：{} 未申请",
            join_zh(missing.iter())
        ),
        E::ConfirmationTooLate {
            effective_at,
            applied_at,
            deadline,
            limit,
        } => format!(
            "于{}申请司法确认，已超过自协议生效（{}）起 {} 的期限（{}届满）",
            at_zh(applied_at),
            at_zh(effective_at),
            limit.zh(),
            at_zh(deadline)
        ),
        E::NotLabourDispute { kind } => {
            format!(
                "{}须在调解不成后方可引导通过其他途径解决",
                dispute_kind(kind)
            )
        }
        E::NotJudiciallyConfirmable { body, organisation } => format!(
            "协议由 {body}（{}）主持达成，不能申请司法确认",
            mediation_organisation(organisation)
        ),
        E::RouteNotOpen { to, open } => format!(
            "不能引导至{}：可选途径为{}",
            referral(to),
            join_zh(open.iter().map(|r| referral(&r)))
        ),
        E::NoMeasuresRecorded => "报告激化风险须记录已采取的预防措施".to_owned(),
        E::NoBodyToReportTo { location, need } => format!(
            "{location} 及其上级区域均无具备{}职能的单位，无法报告风险",
            capability(need)
        ),
        E::NotMediatorOrOfficer { actor, body } => {
            format!("{actor} 既不是指派的调解员，也不是 {body} 的工作人员，不能报告风险")
        }
        E::SeverityNotRaised { current, requested } => format!(
            "标记风险须提高严重程度：当前为{}，申请为{}",
            current.zh(),
            requested.zh()
        ),
        E::NoFactsStated => "书面调解协议未载明纠纷的主要事实和争议事项".to_owned(),
        E::ObligorNotAParty {
            obligation,
            obligor,
        } => format!(
            "第 {} 项义务的义务人 {obligor} 不是纠纷当事人",
            obligation + 1
        ),
        E::NegativeAmount { obligation, fen } => {
            format!("第 {} 项义务的金额为负（{fen} 分）", obligation + 1)
        }
        E::DueBeforeAgreement {
            obligation,
            due,
            recorded_at,
        } => format!(
            "第 {} 项义务的履行期限{}早于协议制作时间{}",
            obligation + 1,
            at_zh(due),
            at_zh(recorded_at)
        ),
        E::EmptyObligation { obligation } => {
            format!("第 {} 项义务未写明履行内容", obligation + 1)
        }
        E::AlreadySealed { body } => format!("{body} 的印章已经加盖"),
        E::UnknownObligation { obligation, count } => {
            format!("协议没有第 {} 项义务：共 {count} 项", obligation + 1)
        }
        E::ObligationAlreadyPerformed { obligation } => {
            format!("第 {} 项义务已记录为履行", obligation + 1)
        }
        E::ObligationNotYetDue {
            obligation,
            due,
            at,
        } => format!(
            "第 {} 项义务的履行期限为{}，{}不能记录为未履行",
            obligation + 1,
            at_zh(due),
            at_zh(at)
        ),
        E::ObligationsOutstanding { outstanding } => {
            format!("协议尚有 {outstanding} 项义务未履行")
        }
        E::NoConfirmationPending => "没有等待人民法院裁定的司法确认申请".to_owned(),
        E::NotConfirmed => "调解协议未经司法确认，不能申请强制执行".to_owned(),
        E::EnforcementAlreadyApplied { applied_at } => {
            format!("已于{}申请强制执行", at_zh(applied_at))
        }
        E::Ladder(l) => format!("逐级上报：{}", l.zh()),
        E::Graph(g) => format!("组织图：{}", g.zh()),
        E::Calendar(c) => format!("期限计算：{}", c.zh()),
    })
}
localized_by!(DisputeError, error);

fn state_error(e: &DisputeStateError) -> Cow<'_, str> {
    use DisputeStateError as E;
    Cow::Owned(match e {
        E::TooFewParties { count } => format!("纠纷须有两方以上当事人，存档只有 {count} 方"),
        E::DuplicateParty { party } => format!("当事人 {party} 在存档中出现两次"),
        E::LabourLimitMismatch { kind } => {
            format!("存档的劳动争议调解期限不适用于{}", dispute_kind(kind))
        }
        E::DeadlineBeforeReceipt {
            received_at,
            deadline,
        } => format!(
            "劳动争议调解期限{}早于受理时间{}",
            at_zh(deadline),
            at_zh(received_at)
        ),
        E::NoMediators => "存档的调解没有调解员".to_owned(),
        E::DuplicateMediator { mediator } => format!("调解员 {mediator} 在存档中出现两次"),
        E::EmptyTerms => "存档的调解协议内容为空".to_owned(),
        E::SignedTwice { signer } => format!("{signer} 在存档的协议上签名两次"),
        E::DeadlineBeforeEffect {
            effective_at,
            deadline,
        } => format!(
            "司法确认期限{}早于协议生效时间{}",
            at_zh(deadline),
            at_zh(effective_at)
        ),
        E::OralAgreementConfirmed => "存档的口头协议不可能已申请司法确认".to_owned(),
        E::ConfirmationOutsideWindow {
            at,
            effective_at,
            deadline,
        } => format!(
            "于{}申请司法确认，不在{}至{}的期间内",
            at_zh(at),
            at_zh(effective_at),
            at_zh(deadline)
        ),
        E::NegativeAmount { obligation, fen } => {
            format!("存档中第 {} 项义务的金额为负（{fen} 分）", obligation + 1)
        }
        E::UnknownObligationPerformed { obligation, count } => format!(
            "存档记录的第 {} 项义务履行与协议的 {count} 项义务不符，或重复记录",
            obligation + 1
        ),
        E::RulingBeforeApplication { at, ruled_at } => format!(
            "存档中的裁定时间{}早于司法确认申请时间{}",
            at_zh(ruled_at),
            at_zh(at)
        ),
        E::StrangerOnAgreement { actor } => format!("存档协议上的 {actor} 不是纠纷当事人"),
    })
}
localized_by!(DisputeStateError, state_error);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::tests::check_kinds;

    #[test]
    fn an_event_line_names_who_acted_in_both_languages() {
        let recused = DisputeEvent::MediatorRecused {
            mediator: "mediator-he".parse().unwrap(),
            requested_by: "worker-gao".parse().unwrap(),
            reason: "related to the employer".to_owned(),
        };
        assert_eq!(
            recused.en(),
            "MediatorRecused: mediator-he, asked by worker-gao: related to the employer"
        );
        assert!(
            recused
                .zh()
                .contains("mediator-he（worker-gao 申请）：related to the employer")
        );
        let signed = DisputeEvent::AgreementSigned {
            by: "worker-gao".parse().unwrap(),
        };
        assert_eq!(signed.en(), "AgreementSigned by worker-gao");
        assert!(signed.zh().ends_with("（worker-gao）"));
        assert_eq!(
            DisputeEvent::SessionRecorded { number: 1 }.en(),
            "SessionRecorded"
        );
    }

    #[test]
    fn every_dispute_kind_has_chinese_unlike_its_english() {
        check_kinds::<DisputeStateKind>();
        check_kinds::<DisputeCommandKind>();
        check_kinds::<DisputeEventKind>();
    }
}
