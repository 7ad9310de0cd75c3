//! The Chinese of the organisation graph: kinds of body, routes and the
//! health check's findings (the 1 + 1 + N model, 1+1+N 共建模式).

use std::borrow::Cow;

use super::{join_zh, localized_by};
use crate::org::{EstatePart, Finding, OrgKind, RouteReason};

pub(crate) fn org_kind(k: &OrgKind) -> Cow<'_, str> {
    match k {
        OrgKind::Municipality => Cow::Borrowed("市"),
        OrgKind::District => Cow::Borrowed("区"),
        OrgKind::Subdistrict => Cow::Borrowed("街道"),
        OrgKind::Community => Cow::Borrowed("社区"),
        OrgKind::HousingEstate => Cow::Borrowed("小区"),
        OrgKind::IndustrialPark => Cow::Borrowed("园区"),
        OrgKind::CommercialDistrict => Cow::Borrowed("商圈"),
        OrgKind::UrbanVillage => Cow::Borrowed("城中村"),
        OrgKind::Grid => Cow::Borrowed("网格"),
        OrgKind::PartyCommittee => Cow::Borrowed("党委"),
        OrgKind::PartyBranch => Cow::Borrowed("党支部"),
        OrgKind::PropertyManagementCompany => Cow::Borrowed("物业"),
        OrgKind::OwnersCommittee => Cow::Borrowed("业委会"),
        OrgKind::MerchantsCouncil => Cow::Borrowed("商户议事会"),
        OrgKind::PartyPublicServiceCentre => Cow::Borrowed("党群服务中心"),
        OrgKind::AdministrativeServiceCentre => Cow::Borrowed("行政服务中心"),
        OrgKind::MediationCommittee => Cow::Borrowed("人民调解委员会"),
        OrgKind::CommercialMediationStudio => Cow::Borrowed("商事调解工作室"),
        OrgKind::MediationAcademy => Cow::Borrowed("调解学院"),
        OrgKind::ComprehensiveGovernanceCentre => Cow::Borrowed("综治中心"),
        OrgKind::ExpertThinkTank => Cow::Borrowed("专家人才智库"),
        OrgKind::School => Cow::Borrowed("学校"),
        OrgKind::Enterprise => Cow::Borrowed("企业"),
        OrgKind::VolunteerTeam => Cow::Borrowed("志愿者队伍"),
        OrgKind::Person(id) => Cow::Owned(format!("个人 {id}")),
        OrgKind::Custom(name) => Cow::Borrowed(name.as_str()),
    }
}
localized_by!(OrgKind, org_kind);

fn estate_part(p: &EstatePart) -> Cow<'static, str> {
    Cow::Borrowed(match p {
        EstatePart::PartyOrganisation => "党组织",
        EstatePart::Grid => "网格",
        EstatePart::OtherForce => "其他力量",
    })
}
localized_by!(EstatePart, estate_part);

fn finding(f: &Finding) -> Cow<'_, str> {
    Cow::Owned(match f {
        Finding::EstateIncomplete {
            estate,
            kind,
            missing,
        } => format!(
            "{} {estate} 缺少{}",
            org_kind(kind),
            join_zh(missing.iter().map(estate_part))
        ),
        Finding::NoMediation { community } => {
            format!("社区 {community} 没有可及的调解组织")
        }
        Finding::Orphan { org, tier } => {
            format!("{}级单位 {org} 没有上级", super::Localized::zh(tier))
        }
        Finding::Isolated { org } => format!("{org} 没有任何关系"),
        Finding::Detached { org } => format!("{org} 与属地层级没有关系"),
    })
}
localized_by!(Finding, finding);

fn route_reason(r: &RouteReason) -> Cow<'_, str> {
    match r {
        RouteReason::Itself => Cow::Borrowed("属地本身"),
        RouteReason::Serves { area } => Cow::Owned(format!("服务 {area}")),
    }
}
localized_by!(RouteReason, route_reason);
