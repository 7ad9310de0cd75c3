//! Messages in Simplified Chinese as well as English: refusals, errors,
//! state and event names, audit-trail lines and Open311 status notes.
//!
//! English stays each type's [`Display`](std::fmt::Display); [`Localized`]
//! adds the Chinese, written with the report's and the law's own terms
//! (人民调解委员会, 受理, 司法确认, 补正, 办结, 督办, ...). The texts are typed
//! and live here, one file per area, each an exhaustive `match`: a new
//! variant without its Chinese does not compile (see DESIGN.md, "Chinese
//! messages").
//!
//! ```
//! use grassroots::i18n::{Lang, Localized};
//! use grassroots::dispute::DisputeStateKind;
//!
//! assert_eq!(DisputeStateKind::Mediating.render(Lang::En), "Mediating");
//! assert_eq!(DisputeStateKind::Mediating.render(Lang::Zh), "调解中");
//! assert_eq!("zh".parse::<Lang>()?, Lang::Zh);
//! # Ok::<(), grassroots::i18n::LangError>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

mod calendar;
mod dispute;
mod escalation;
mod journal;
mod kernel;
mod open311;
mod org;
mod service;
mod umbrella;
mod vocabulary;
mod work_order;

pub use open311::{service_status_notes, work_order_status_notes};

/// A language messages are rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Lang {
    /// English, the crate's `Display`.
    #[default]
    En,
    /// Simplified Chinese (简体中文).
    Zh,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The language's tag (`en`, `zh`).
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A language tag that is not `en` or `zh`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LangError {
    /// The tag names no language the crate speaks.
    #[error("unknown language {tag:?}: expected en or zh")]
    Unknown {
        /// The tag given.
        tag: String,
    },
}

impl FromStr for Lang {
    type Err = LangError;

    /// Parses `en` or `zh` (also `zh-CN`, `zh-Hans`, any case).
    fn from_str(s: &str) -> Result<Self, LangError> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "en" | "en-us" | "en-gb" => Ok(Lang::En),
            "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" => Ok(Lang::Zh),
            _ => Err(LangError::Unknown { tag: s.to_owned() }),
        }
    }
}

/// A value with a text in each [`Lang`]: the English is its `Display`, the
/// Chinese is written out per variant.
pub trait Localized {
    /// The text in English.
    fn en(&self) -> Cow<'_, str>;

    /// The text in Simplified Chinese.
    fn zh(&self) -> Cow<'_, str>;

    /// The text in `lang`.
    fn render(&self, lang: Lang) -> Cow<'_, str> {
        match lang {
            Lang::En => self.en(),
            Lang::Zh => self.zh(),
        }
    }
}

impl<T: Localized + ?Sized> Localized for &T {
    fn en(&self) -> Cow<'_, str> {
        (**self).en()
    }

    fn zh(&self) -> Cow<'_, str> {
        (**self).zh()
    }
}

impl<T: Localized + ?Sized> Localized for Box<T> {
    fn en(&self) -> Cow<'_, str> {
        (**self).en()
    }

    fn zh(&self) -> Cow<'_, str> {
        (**self).zh()
    }
}

/// Implements [`Localized`] for a `Display` type whose Chinese is a
/// `fn(&Self) -> Cow<str>`.
macro_rules! localized_by {
    ($ty:ty, $zh:path) => {
        impl $crate::i18n::Localized for $ty {
            fn en(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Owned(self.to_string())
            }

            fn zh(&self) -> ::std::borrow::Cow<'_, str> {
                $zh(self)
            }
        }
    };
}
pub(crate) use localized_by;

/// Joins Chinese list items with the enumeration comma (、).
pub(crate) fn join_zh<T: fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("、")
}

/// A time as the Chinese text shows it (UTC, to the minute).
pub(crate) fn at_zh(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y年%-m月%-d日 %H:%M UTC").to_string()
}

/// `head`, then `note` after `sep` when there is one: a line whose last
/// text is optional (a review's comment, a callback's note).
pub(crate) fn with_note(head: String, sep: &str, note: Option<&crate::service::Note>) -> String {
    match note {
        Some(note) => format!("{head}{sep}{note}"),
        None => head,
    }
}

/// A time as the English text shows it (UTC, to the minute).
pub(crate) fn at_en(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A day as the Chinese text shows it.
pub(crate) fn day_zh(day: &chrono::NaiveDate) -> String {
    day.format("%Y年%-m月%-d日").to_string()
}

/// The Chinese of an action named in a refusal (`action: &'static str`,
/// such as `"accept the dispute"`); the English for one not listed.
pub(crate) fn action_zh(action: &str) -> Cow<'_, str> {
    let zh = match action {
        "accept the dispute" => "受理纠纷",
        "affix the seal" => "加盖调解委员会印章",
        "apply for enforcement" => "申请强制执行",
        "record the court's ruling" => "记录人民法院的裁定",
        "accept the request" => "受理申请",
        "apply for judicial confirmation" => "申请司法确认",
        "approve an extension" => "批准延期",
        "ask for a mediator to be replaced" => "申请更换调解员",
        "assign mediators" => "指派调解员",
        "call the requester back" => "回访诉求人",
        "close the order" => "办结工单",
        "close the request" => "办结申请",
        "complete the request" => "办结事项",
        "decline the dispute" => "不予受理纠纷",
        "deliver the result" => "送达办理结果",
        "deny the request" => "作出不予许可决定",
        "dismiss the request" => "不予受理诉求",
        "dispatch the order" => "派单",
        "end the mediation" => "终止调解",
        "escalate the dispute" => "上报纠纷",
        "escalate" => "上报升级",
        "forward the request" => "转办申请",
        "hand the request over" => "移交诉求",
        "order a redo" => "责令重办",
        "override the ceiling" => "越级上报",
        "raise the severity" => "提高严重程度",
        "rate the service" => "评价服务（好差评）",
        "record a follow-up visit" => "记录回访",
        "record a request" => "登记诉求",
        "record a session" => "记录调解会谈",
        "record an oral agreement" => "记录口头协议",
        "record the agreement" => "制作调解协议",
        "record the follow-up call" => "记录回访电话",
        "record the performance" => "记录协议履行情况",
        "record the rectification" => "记录整改",
        "refer out" => "引导至其他途径",
        "refer the dispute" => "引导当事人通过其他途径解决",
        "refuse mediation" => "拒绝调解",
        "refuse the request" => "不予受理申请",
        "reject an extension" => "驳回延期申请",
        "reply to the requester" => "答复诉求人",
        "report a dispute as a party" => "以当事人身份申请调解",
        "report a dispute" => "报告纠纷",
        "report an assisting body's part" => "报告协办单位办理情况",
        "request an extension" => "申请延期",
        "request supplementary materials" => "一次性告知补正材料",
        "reschedule" => "调整期限",
        "resolve" => "化解",
        "resume processing" => "恢复办理",
        "return the order" => "退单",
        "return the request" => "退回申请",
        "send the request back for rework" => "退回重办",
        "sign for the order" => "签收工单",
        "sign for the request" => "签收申请",
        "sign the agreement as mediator" => "以调解员身份签署调解协议",
        "start an escalation" => "启动逐级上报",
        "start processing" => "开始办理",
        "submit a request for an applicant" => "代办提交申请",
        "submit a request" => "提交申请",
        "supply materials" => "补正材料",
        "suspend processing" => "中止办理",
        "take the dispute to arbitration" => "申请劳动争议仲裁",
        "take the request on" => "首问负责承办诉求",
        "uphold the dispatch" => "维持派单",
        "withdraw from mediation" => "退出调解",
        "withdraw the request" => "撤回申请",
        "announce the re-election" => "发布业委会换届公告",
        "record door-to-door visits" => "记录入户走访",
        "record the result" => "记录选举结果",
        "tick" => "计时",
        _ => return Cow::Borrowed(action),
    };
    Cow::Borrowed(zh)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::workflow::Kind;

    /// Checks every kind of `K` has Chinese that is not blank, not ASCII
    /// and not its English.
    pub(crate) fn check_kinds<K: Kind + Localized>() {
        for k in K::all() {
            let zh = k.render(Lang::Zh);
            assert!(!zh.trim().is_empty(), "{k} has no Chinese");
            assert_ne!(zh, k.render(Lang::En), "{k}'s Chinese is its English");
            assert!(!zh.is_ascii(), "{k}'s Chinese is ASCII: {zh}");
        }
    }

    #[test]
    fn a_language_tag_parses_and_an_unknown_one_is_refused() {
        assert_eq!("zh-CN".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert_eq!(
            "fr".parse::<Lang>(),
            Err(LangError::Unknown { tag: "fr".into() })
        );
    }
}

#[cfg(test)]
mod error_tests {
    use super::*;
    use crate::calendar::{CalendarError, TimeLimit};
    use crate::dispute::{DisputeCommandKind, DisputeError, DisputeStateKind};
    use crate::escalation::{LadderError, Referral};
    use crate::id::{ActorId, CaseId, OrgId};
    use crate::org::MediationOrganisation;
    use crate::tier::Tier;
    use crate::workflow::CaseError;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn check(e: &(impl Localized + fmt::Display)) {
        let zh = e.render(Lang::Zh);
        assert!(!zh.trim().is_empty(), "{e}: no Chinese");
        assert_ne!(zh, e.render(Lang::En), "{e}: the Chinese is the English");
        assert_eq!(e.render(Lang::En), e.to_string());
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{e}: no Chinese character in {zh}"
        );
    }

    #[test]
    fn refusals_and_errors_render_in_chinese_with_the_law_s_terms() {
        let body: OrgId = "hehua-studio".parse().unwrap();
        let actor: ActorId = "wu".parse().unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let not_confirmable = DisputeError::NotJudiciallyConfirmable {
            body: body.clone(),
            organisation: MediationOrganisation::Commercial,
        };
        check(&not_confirmable);
        assert!(not_confirmable.zh().contains("商事调解组织"));
        assert!(not_confirmable.zh().contains("司法确认"));
        let not_now = DisputeError::NotApplicable {
            command: DisputeCommandKind::Accept,
            state: DisputeStateKind::Closed,
        };
        check(&not_now);
        assert_eq!(not_now.zh(), "纠纷处于“已结案”状态，不能受理");
        let ceiling = LadderError::CeilingReached {
            tier: Tier::Community,
            next: Tier::Subdistrict,
            ceiling: Tier::Community,
            needed: crate::actor::Role::Officer(Tier::Subdistrict),
        };
        check(&ceiling);
        assert!(ceiling.zh().contains("社区级"));
        let route = DisputeError::RouteNotOpen {
            to: Referral::Litigation,
            open: crate::dispute::Routes::only(Referral::Arbitration),
        };
        check(&route);
        assert!(route.zh().contains("诉讼") && route.zh().contains("仲裁"));
        let late = DisputeError::ConfirmationTooLate {
            effective_at: at,
            applied_at: at,
            deadline: at,
            limit: TimeLimit::CalendarDays(30),
        };
        check(&late);
        assert!(late.zh().contains("30 日"));
        let forbidden = crate::actor::Actor::new(actor.clone())
            .require("accept the dispute", crate::actor::Role::Mediator)
            .unwrap_err();
        check(&forbidden);
        assert_eq!(forbidden.zh(), "wu 无权受理纠纷：需要调解员身份");
        let case: CaseError<DisputeError> = CaseError::Rejected(not_confirmable.clone());
        assert_eq!(case.zh(), not_confirmable.zh());
        let terminal: CaseError<DisputeError> = CaseError::Terminal {
            case: "LD-001".parse::<CaseId>().unwrap(),
            state: "Closed".into(),
            command: "Accept".into(),
        };
        check(&terminal);
        let calendar = CalendarError::DuplicateDate {
            date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        };
        check(&calendar);
        let umbrella: crate::Error = CaseError::Rejected(not_confirmable.clone()).into();
        assert_eq!(umbrella.zh(), not_confirmable.zh());
        let umbrella: crate::Error = calendar.into();
        check(&umbrella);
    }
}
