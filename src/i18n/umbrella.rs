//! The Chinese of the umbrella [`Error`](crate::Error), the escalation
//! policy's errors and the vocabulary's.

use std::borrow::Cow;

use super::{Localized, localized_by};
use crate::error::{AnyRejection, Error};
use crate::escalation::PolicyError;
use crate::tier::ParseLevelError;
use crate::vocabulary::{NameError, VocabularyError};

fn policy_error(e: &PolicyError) -> Cow<'_, str> {
    use PolicyError as E;
    Cow::Owned(match e {
        E::StartAboveCeiling {
            policy,
            severity,
            start,
            ceiling,
        } => format!(
            "政策 {policy}：{}事项的起始层级{}级高于上限{}级",
            severity.zh(),
            start.zh(),
            ceiling.zh()
        ),
        E::MissingBand { policy, severity } => {
            format!("政策 {policy} 没有{}事项的层级范围", severity.zh())
        }
        E::DuplicateBand { policy, severity } => {
            format!("政策 {policy} 重复给出{}事项的层级范围", severity.zh())
        }
        E::ZeroLimit { policy, tier } => {
            format!("政策 {policy}：{}级的办理时限须为正数", tier.zh())
        }
        E::BandsNotMonotonic { policy, severity } => format!(
            "政策 {policy}：{}事项的起止层级不得低于较轻事项",
            severity.zh()
        ),
        E::ZeroSupervision { policy } => format!("政策 {policy}：督办间隔须为正数"),
        E::DuplicatePolicy { policy } => format!("政策 {policy} 已在政策库中"),
    })
}
localized_by!(PolicyError, policy_error);

fn parse_level(e: &ParseLevelError) -> Cow<'_, str> {
    let what = match e.what {
        "tier" => "层级",
        "severity" => "严重程度",
        other => other,
    };
    Cow::Owned(format!("{:?} 不是有效的{what}", e.input))
}
localized_by!(ParseLevelError, parse_level);

fn name_error(e: &NameError) -> Cow<'_, str> {
    Cow::Owned(match e {
        NameError::Empty => "名称不能为空".to_owned(),
        NameError::TooLong { len, max } => format!("长 {len} 字节；名称最多 {max} 字节"),
        NameError::Character { found, at } => {
            format!("第 {at} 字节处为 {found:?}；名称只能用小写 ASCII 字母、数字、`_` 和 `-`")
        }
        NameError::Reserved { name } => format!("{name:?} 是内置名称，不是自定义名称"),
    })
}
localized_by!(NameError, name_error);

fn vocabulary_error(e: &VocabularyError) -> Cow<'_, str> {
    Cow::Owned(format!(
        "{:?} 不是有效的 {}：{}",
        e.input,
        e.vocabulary,
        name_error(&e.reason)
    ))
}
localized_by!(VocabularyError, vocabulary_error);

/// A boxed rejection is rendered in Chinese when it is one of the crate's
/// own; a rejection of another workflow keeps its English.
fn any_rejection(r: &AnyRejection) -> Cow<'_, str> {
    if let Some(e) = r.downcast_ref::<crate::DisputeError>() {
        return e.zh();
    }
    if let Some(e) = r.downcast_ref::<crate::ServiceRequestError>() {
        return e.zh();
    }
    if let Some(e) = r.downcast_ref::<crate::WorkOrderError>() {
        return e.zh();
    }
    if let Some(e) = r.downcast_ref::<crate::escalation::LadderError>() {
        return e.zh();
    }
    Cow::Owned(r.to_string())
}
localized_by!(AnyRejection, any_rejection);

impl Localized for Error {
    fn en(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }

    fn zh(&self) -> Cow<'_, str> {
        match self {
            Error::Id(e) => e.zh(),
            Error::Level(e) => e.zh(),
            Error::Name(e) => e.zh(),
            Error::Vocabulary(e) => e.zh(),
            Error::Forbidden(e) => e.zh(),
            Error::Calendar(e) => e.zh(),
            Error::OrgGraph(e) => e.zh(),
            Error::Policy(e) => e.zh(),
            Error::Ladder(e) => e.zh(),
            Error::Dispute(e) => e.zh(),
            Error::Catalogue(e) => e.zh(),
            Error::Note(e) => e.zh(),
            Error::ServiceRequest(e) => e.zh(),
            Error::WorkOrder(e) => e.zh(),
            Error::WorkOrderConfig(e) => e.zh(),
            Error::Geo(e) => e.zh(),
            Error::Journal(e) => e.zh(),
            Error::Upcast(e) => e.zh(),
            Error::Contended { stream, attempts } => {
                Cow::Owned(format!("事件流 {stream}：尝试 {attempts} 次后仍有冲突"))
            }
            #[cfg(feature = "sim")]
            Error::Load(e) => load_error(e),
            Error::Replay(e) => e.zh(),
            Error::Case(e) => e.zh(),
        }
    }
}

#[cfg(feature = "sim")]
fn load_error(e: &crate::load::LoadError) -> Cow<'_, str> {
    use crate::load::LoadError as E;
    match e {
        E::NoEstates => Cow::Borrowed("城市没有可发生纠纷的小区、园区或城中村"),
        E::NoHalls => Cow::Borrowed("城市没有设有行政服务中心的街道"),
        E::Graph(e) => e.zh(),
        E::Catalogue(e) => e.zh(),
        E::Policy(e) => e.zh(),
        E::Id(e) => e.zh(),
        E::Note(e) => e.zh(),
        E::WorkOrder(e) => e.zh(),
    }
}
#[cfg(feature = "sim")]
localized_by!(crate::load::LoadError, load_error);
