//! The Chinese of the kernel's refusals: a case's terminal state, time and
//! versions, and a history that does not replay.

use std::borrow::Cow;

use super::{Localized, at_zh};
use crate::workflow::{CaseError, ReplayError};

impl<R: Localized + std::fmt::Display> Localized for CaseError<R> {
    fn en(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }

    fn zh(&self) -> Cow<'_, str> {
        Cow::Owned(match self {
            CaseError::Rejected(r) => return r.zh(),
            CaseError::Terminal {
                case,
                state,
                command,
            } => format!("案件 {case} 已处于终结状态 {state}：不受理命令 {command}"),
            CaseError::TimeRunsBackwards {
                case,
                command,
                at,
                last,
            } => format!(
                "案件 {case}：命令 {command} 的时间{}早于上一事件的时间{}",
                at_zh(at),
                at_zh(last)
            ),
            CaseError::TimeOutOfRange { case, command, at } => format!(
                "案件 {case}：命令 {command} 的时间{}超出可接受的范围",
                at_zh(at)
            ),
            CaseError::VersionConflict {
                case,
                expected,
                actual,
            } => format!("案件 {case} 当前为第 {actual} 版，命令预期第 {expected} 版"),
            CaseError::EventAfterTerminal { case, state, event } => {
                format!("案件 {case}：决定在终结状态 {state} 之后记录了事件 {event}")
            }
            CaseError::Undeclared {
                case,
                from,
                event,
                to,
            } => format!(
                "案件 {case}：决定在状态 {from} 记录事件 {event} 并转入 {to}，该流转未在流程中声明"
            ),
        })
    }
}

fn replay(e: &ReplayError) -> Cow<'_, str> {
    Cow::Owned(match e {
        ReplayError::Gap {
            case,
            expected,
            found,
        } => format!("案件 {case}：历史记录有缺口，应为第 {expected} 个事件，实为第 {found} 个"),
        ReplayError::Duplicate { case, seq } => {
            format!("案件 {case}：第 {seq} 个事件出现两次")
        }
        ReplayError::Reordered {
            case,
            expected,
            found,
        } => {
            format!("案件 {case}：历史记录顺序错乱，第 {expected} 个事件的位置出现了第 {found} 个")
        }
        ReplayError::TimeOutOfRange { case, seq, at } => format!(
            "案件 {case}：第 {seq} 个事件的时间{}超出可接受的范围",
            at_zh(at)
        ),
        ReplayError::TimeRunsBackwards {
            case,
            seq,
            at,
            previous,
        } => format!(
            "案件 {case}：第 {seq} 个事件的时间{}早于前一事件的时间{}",
            at_zh(at),
            at_zh(previous)
        ),
        ReplayError::AfterTerminal {
            case,
            seq,
            event,
            state,
        } => format!("案件 {case}：第 {seq} 个事件（{event}）出现在终结状态 {state} 之后"),
        ReplayError::Undeclared {
            case,
            seq,
            from,
            event,
            to,
        } => format!(
            "案件 {case}：第 {seq} 个事件（{event}）在状态 {from} 转入 {to}，该流转未在流程中声明"
        ),
    })
}
super::localized_by!(ReplayError, replay);
