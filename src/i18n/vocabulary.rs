//! The Chinese of the shared vocabulary: tiers, severities, roles, dispute
//! kinds, referrals, mediation organisations, capabilities.

use std::borrow::Cow;

use super::localized_by;
use crate::actor::{Forbidden, Role};
use crate::escalation::{EscalationReason, Referral};
use crate::matter::{DisputeKind, ServiceCategory};
use crate::org::{Capability, MediationOrganisation};
use crate::tier::{Severity, Tier};

fn tier(t: &Tier) -> Cow<'static, str> {
    Cow::Borrowed(match t {
        Tier::Grid => "网格",
        Tier::Estate => "小区",
        Tier::Community => "社区",
        Tier::Subdistrict => "街道",
        Tier::District => "区",
        Tier::Municipal => "市",
    })
}
localized_by!(Tier, tier);

fn severity(s: &Severity) -> Cow<'static, str> {
    Cow::Borrowed(match s {
        Severity::Minor => "轻微",
        Severity::Moderate => "一般",
        Severity::Serious => "较重",
        Severity::Critical => "重大",
    })
}
localized_by!(Severity, severity);

fn role(r: &Role) -> Cow<'_, str> {
    match r {
        Role::Party => Cow::Borrowed("当事人"),
        Role::GridWorker => Cow::Borrowed("网格员"),
        Role::Mediator => Cow::Borrowed("调解员"),
        Role::PropertyManager => Cow::Borrowed("物业管理人员"),
        Role::HallClerk => Cow::Borrowed("行政服务中心受理窗口工作人员"),
        Role::AgentClerk => Cow::Borrowed("代办员"),
        Role::DepartmentOfficer => Cow::Borrowed("职能部门工作人员"),
        Role::Officer(t) => Cow::Owned(format!("{}级工作人员", tier(t))),
        Role::Supervisor => Cow::Borrowed("督办人员"),
        Role::System => Cow::Borrowed("系统"),
        Role::Custom(name) => Cow::Borrowed(name.as_str()),
    }
}
localized_by!(Role, role);

fn forbidden(f: &Forbidden) -> Cow<'_, str> {
    Cow::Owned(format!(
        "{} 无权{}：需要{}身份",
        f.actor,
        super::action_zh(&f.action),
        role(&f.needed)
    ))
}
localized_by!(Forbidden, forbidden);

pub(crate) fn dispute_kind(k: &DisputeKind) -> Cow<'_, str> {
    match k {
        DisputeKind::Labour => Cow::Borrowed("劳资纠纷"),
        DisputeKind::Commercial => Cow::Borrowed("商事纠纷"),
        DisputeKind::Neighbour => Cow::Borrowed("邻里纠纷"),
        DisputeKind::PropertyManagement => Cow::Borrowed("物业纠纷"),
        DisputeKind::Consumer => Cow::Borrowed("消费纠纷"),
        DisputeKind::Other => Cow::Borrowed("其他纠纷"),
        DisputeKind::Custom(name) => Cow::Borrowed(name.as_str()),
    }
}
localized_by!(DisputeKind, dispute_kind);

fn service_category(c: &ServiceCategory) -> Cow<'_, str> {
    match c {
        ServiceCategory::BusinessRegistration => Cow::Borrowed("商事登记"),
        ServiceCategory::FundingSupport => Cow::Borrowed("资金扶持"),
        ServiceCategory::TalentSupport => Cow::Borrowed("人才支持"),
        ServiceCategory::TaxAndInvoicing => Cow::Borrowed("税务与发票"),
        ServiceCategory::SocialInsurance => Cow::Borrowed("社会保险"),
        ServiceCategory::PermitsAndLicences => Cow::Borrowed("许可与证照"),
        ServiceCategory::IntellectualProperty => Cow::Borrowed("知识产权"),
        ServiceCategory::TradeAndCustoms => Cow::Borrowed("贸易与海关"),
        ServiceCategory::LegalServices => Cow::Borrowed("法律服务"),
        ServiceCategory::Custom(name) => Cow::Borrowed(name.as_str()),
    }
}
localized_by!(ServiceCategory, service_category);

pub(crate) fn referral(r: &Referral) -> Cow<'static, str> {
    Cow::Borrowed(match r {
        Referral::Arbitration => "仲裁",
        Referral::Litigation => "诉讼",
        Referral::Administrative => "行政途径",
    })
}
localized_by!(Referral, referral);

pub(crate) fn mediation_organisation(m: &MediationOrganisation) -> Cow<'static, str> {
    Cow::Borrowed(match m {
        MediationOrganisation::PeoplesMediationCommittee => "人民调解委员会",
        MediationOrganisation::IndustryOrProfessional => "行业性、专业性调解组织",
        MediationOrganisation::Commercial => "商事调解组织",
        MediationOrganisation::EnterpriseLabourDisputeCommittee => "企业劳动争议调解委员会",
        MediationOrganisation::SubdistrictLabourDisputeMediation => "街道劳动争议调解组织",
    })
}
localized_by!(MediationOrganisation, mediation_organisation);

pub(crate) fn capability(c: &Capability) -> Cow<'_, str> {
    match c {
        Capability::Mediation(kind) => Cow::Owned(format!("{}调解", dispute_kind(kind))),
        Capability::Service(category) => service_category(category),
        Capability::LegalConsultation => Cow::Borrowed("法律咨询"),
        Capability::LegalAid => Cow::Borrowed("法律援助"),
        Capability::Arbitration => Cow::Borrowed("仲裁"),
        Capability::JudicialConfirmation => Cow::Borrowed("司法确认"),
        Capability::Supervision => Cow::Borrowed("督办"),
        Capability::EarlyWarning => Cow::Borrowed("监测预警"),
        Capability::MediatorTraining => Cow::Borrowed("调解员培训"),
    }
}
localized_by!(Capability, capability);

fn escalation_reason(r: &EscalationReason) -> Cow<'static, str> {
    Cow::Borrowed(match r {
        EscalationReason::TimedOut => "办理超期",
        EscalationReason::HandlingFailed => "本级化解不成",
        EscalationReason::SeverityRaised => "严重程度升高",
        EscalationReason::RequestedByParty => "当事人申请",
        EscalationReason::Supervision => "督办",
    })
}
impl super::Localized for EscalationReason {
    fn en(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            EscalationReason::TimedOut => "timed out",
            EscalationReason::HandlingFailed => "handling failed",
            EscalationReason::SeverityRaised => "severity raised",
            EscalationReason::RequestedByParty => "requested by a party",
            EscalationReason::Supervision => "supervision",
        })
    }

    fn zh(&self) -> Cow<'_, str> {
        escalation_reason(self)
    }
}
