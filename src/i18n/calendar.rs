//! The Chinese of the working calendar: time limits (法定时限, 工作日,
//! 期间届满日为法定休假日的顺延) and the calendar's errors.

use std::borrow::Cow;

use super::{day_zh, localized_by};
use crate::calendar::{CalendarError, Directive, NameProblem, ParseErrorKind, TimeLimit};

pub(crate) fn time_limit(t: &TimeLimit) -> Cow<'static, str> {
    Cow::Owned(match t {
        TimeLimit::CalendarDays(n) => format!("{n} 日"),
        TimeLimit::LegalDays(n) => format!("{n} 日（法定期间，届满日遇法定休假日顺延）"),
        TimeLimit::WorkingDays(n) => format!("{n} 个工作日"),
        TimeLimit::Hours(n) => format!("{n} 小时"),
    })
}
localized_by!(TimeLimit, time_limit);

fn name_problem(p: &NameProblem) -> String {
    match p {
        NameProblem::Empty => "为空".to_owned(),
        NameProblem::ControlCharacter { at } => format!("第 {at} 字节处含控制字符"),
    }
}

fn directive(d: &Directive) -> &'static str {
    match d {
        Directive::Timezone => "timezone（时区）",
        Directive::Weekend => "weekend（周末）",
        Directive::Holiday => "holiday（法定休假日）",
        Directive::Workday => "workday（调休工作日）",
    }
}

fn parse_error(e: &ParseErrorKind) -> Cow<'static, str> {
    use ParseErrorKind as E;
    Cow::Owned(match e {
        E::UnknownDirective => "未知指令，应为 timezone、weekend、holiday 或 workday".to_owned(),
        E::MissingArgument { directive: d } => format!("{} 缺少参数", directive(d)),
        E::UnexpectedArgument { directive: d } => format!("{} 参数过多", directive(d)),
        E::RepeatedDirective { directive: d } => format!("{} 重复出现", directive(d)),
        E::InvalidOffset => "不是 +hh:mm 形式的 UTC 偏移".to_owned(),
        E::InvalidWeekday => "不是星期名称".to_owned(),
        E::InvalidDate => {
            "不是 yyyy-mm-dd 形式的日期或 yyyy-mm-dd..yyyy-mm-dd 形式的范围".to_owned()
        }
        E::ReversedRange => "范围的结束早于开始".to_owned(),
        E::RangeTooLong { max } => format!("范围超过 {max} 天"),
        E::InvalidName(p) => format!("名称{}", name_problem(p)),
        E::HolidayIsWorkday { date } => {
            format!("{}既是法定休假日又是调休工作日", day_zh(date))
        }
        E::DuplicateDate { date } => format!("{}被列出两次", day_zh(date)),
    })
}
localized_by!(ParseErrorKind, parse_error);

fn error(e: &CalendarError) -> Cow<'_, str> {
    use CalendarError as E;
    Cow::Owned(match e {
        E::HolidayIsWorkday { date } => {
            format!("{}既是法定休假日又是调休工作日", day_zh(date))
        }
        E::DuplicateDate { date } => format!("{}被列出两次", day_zh(date)),
        E::InvalidName { date, problem } => {
            format!("{}的名称{}", day_zh(date), name_problem(problem))
        }
        E::ReversedRange { first, last } => {
            format!("范围 {first}..{last} 的结束早于开始")
        }
        E::RangeTooLong { first, last, max } => {
            format!("范围 {first}..{last} 超过 {max} 天")
        }
        E::Parse { line, reason } => format!("第 {line} 行：{}", parse_error(reason)),
        E::OutOfRange { from, limit } => format!(
            "自{}起 {} 超出支持的日期范围",
            day_zh(from),
            time_limit(limit)
        ),
        E::NoWorkingDays { from, limit } => format!(
            "日历中{}之后的工作日不足 {}",
            day_zh(from),
            time_limit(limit)
        ),
    })
}
localized_by!(CalendarError, error);
