//! The Chinese of the organisation graph: kinds of body, routes and the
//! health check's findings (the 1 + 1 + N model, 1+1+N 共建模式).

use std::borrow::Cow;

use super::vocabulary::{capability, mediation_organisation};
use super::{Localized, day_zh, join_zh, localized_by};
use crate::org::{
    DataEntry, EstatePart, Finding, LinkEnd, OrgGraphError, OrgKind, RelationKind, RouteReason,
};

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
            format!("{}级单位 {org} 没有上级", tier.zh())
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

fn relation_kind(r: &RelationKind) -> Cow<'static, str> {
    Cow::Borrowed(match r {
        RelationKind::PartOf => "隶属",
        RelationKind::Leads => "领导",
        RelationKind::Serves => "服务",
        RelationKind::PairedWith => "结对共建",
        RelationKind::MemberOf => "成员",
        RelationKind::Coordinates => "联动",
    })
}
localized_by!(RelationKind, relation_kind);

fn link_end(e: &LinkEnd) -> &'static str {
    match e {
        LinkEnd::From => "起点",
        LinkEnd::To => "终点",
    }
}

fn data_entry(d: &DataEntry) -> String {
    match d {
        DataEntry::Org { index, id } => format!("第 {index} 个组织（{id}）"),
        DataEntry::Relation { index, from, to } => {
            format!("第 {index} 条关系（{from} -> {to}）")
        }
    }
}

fn error(e: &OrgGraphError) -> Cow<'_, str> {
    use OrgGraphError as E;
    Cow::Owned(match e {
        E::DuplicateOrg { id } => format!("组织 {id} 已在组织图中"),
        E::DuplicateActor { actor, existing } => {
            format!("人员 {actor} 已作为 {existing} 在组织图中")
        }
        E::UnknownOrg { id } => format!("组织图中没有组织 {id}"),
        E::SelfLink { id, relation } => {
            format!("{id} 不能以“{}”关系连接自身", relation_kind(relation))
        }
        E::KindNotAllowed {
            org,
            kind,
            relation,
            end,
        } => format!(
            "{org}（{}）不能作为“{}”关系的{}",
            org_kind(kind),
            relation_kind(relation),
            link_end(end)
        ),
        E::EmptyValidity {
            from,
            to,
            relation,
            validity,
        } => format!(
            "“{}”关系 {from} -> {to} 的结束早于开始（{validity}）",
            relation_kind(relation)
        ),
        E::DuplicateLink { from, to, relation } => {
            format!("关系 {from} -> {to}（{relation}）已在组织图中")
        }
        E::Cycle { relation, cycle } => {
            let mut ids: Vec<String> = cycle.iter().map(ToString::to_string).collect();
            if let Some(first) = cycle.first() {
                ids.push(first.to_string());
            }
            format!(
                "“{}”关系将形成循环：{}",
                relation_kind(relation),
                ids.join(" -> ")
            )
        }
        E::PartOfNotUpward {
            from,
            from_tier,
            to,
            to_tier,
        } => format!(
            "{from}（{}级）不能隶属于 {to}（{}级）：隶属关系须指向更高层级",
            from_tier.zh(),
            to_tier.zh()
        ),
        E::SecondParent {
            org,
            parent,
            refused,
        } => format!("{org} 已隶属于 {parent}，不能再隶属于 {refused}"),
        E::NotTerritorial { org, kind } => {
            format!("{org}（{}）不是属地单位，没有可分派的层级", org_kind(kind))
        }
        E::NoAncestorAt { location, tier } => {
            format!("{location} 没有{}级的上级", tier.zh())
        }
        E::NoHandler {
            location,
            tier,
            need,
        } => format!(
            "{}级没有为 {location} 办理{}的单位",
            tier.zh(),
            capability(need)
        ),
        E::NotAMediationOrganisation {
            org,
            kind,
            capability: c,
        } => format!(
            "{org}（{}）不是调解组织，不能具备{}职能",
            org_kind(kind),
            capability(c)
        ),
        E::MediationOrganisationNotAllowed {
            org,
            kind,
            organisation,
        } => format!(
            "{org}（{}）不能是{}",
            org_kind(kind),
            mediation_organisation(organisation)
        ),
        E::NotALabourMediationOrganisation { org, organisation } => format!(
            "{org} 是{}，不属于劳动争议调解仲裁法第十条规定的劳动争议调解组织",
            mediation_organisation(organisation)
        ),
        E::OriginNotAllowed { from, to, relation } => format!(
            "“{}”关系 {from} -> {to} 不能记录来源：只有服务关系可以",
            relation_kind(relation)
        ),
        E::UnknownPairing {
            from,
            to,
            a,
            b,
            date,
        } => format!(
            "服务关系 {from} -> {to} 以 {a} 与 {b} 的结对共建为来源，但二者在{}并未结对",
            day_zh(date)
        ),
        E::InvalidEntry { entry, source } => {
            format!("{}：{}", data_entry(entry), error(source))
        }
    })
}
localized_by!(OrgGraphError, error);
