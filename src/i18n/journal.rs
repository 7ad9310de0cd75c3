//! The Chinese of the event journal: appends refused, histories that do not
//! decode or replay, tampering found by the hash chain, the sweeper's
//! failures — and identifiers and notes refused on the way in.

use std::borrow::Cow;

use super::{Localized, at_zh, localized_by};
use crate::id::IdError;
use crate::journal::{Breakage, ExecuteError, JournalError, PayloadLimit, SweepError, UpcastError};
use crate::service::NoteError;

fn breakage(b: &Breakage) -> Cow<'static, str> {
    Cow::Borrowed(match b {
        Breakage::Changed => "事件被改动",
        Breakage::Removed => "有事件被删除",
        Breakage::Reordered => "事件顺序被调换",
        Breakage::Inserted => "有事件被插入",
    })
}
localized_by!(Breakage, breakage);

fn payload_limit(p: &PayloadLimit) -> Cow<'static, str> {
    Cow::Owned(match p {
        PayloadLimit::TooDeep { max } => format!("数组和对象嵌套超过 {max} 层"),
        PayloadLimit::TooLarge { bytes, max } => {
            format!("规范 JSON 长 {bytes} 字节，上限为 {max}")
        }
        PayloadLimit::NulCharacter => "字符串含有字符 U+0000".to_owned(),
    })
}
localized_by!(PayloadLimit, payload_limit);

fn upcast(e: &UpcastError) -> Cow<'_, str> {
    Cow::Owned(match e {
        UpcastError::Missing { event_type, from } => {
            format!("没有将事件类型 {event_type} 从第 {from} 版升级的转换器")
        }
        UpcastError::TooNew {
            event_type,
            found,
            current,
        } => format!("事件类型 {event_type} 以第 {found} 版存储，新于当前的第 {current} 版"),
        UpcastError::Shape {
            event_type, from, ..
        } => format!("第 {from} 版的事件类型 {event_type} 结构不符"),
    })
}
localized_by!(UpcastError, upcast);

fn id_error(e: &IdError) -> Cow<'_, str> {
    Cow::Owned(match e {
        IdError::Empty { kind } => format!("{kind} 不能为空"),
        IdError::TooLong { kind, len, max } => format!("{kind} 长 {len} 字节，上限为 {max}"),
        IdError::Blank { kind } => format!("{kind} 不能只含空白"),
        IdError::ControlCharacter { kind, at } => {
            format!("{kind} 在第 {at} 字节处含控制或格式字符")
        }
    })
}
localized_by!(IdError, id_error);

fn note_error(e: &NoteError) -> Cow<'static, str> {
    Cow::Owned(match e {
        NoteError::Blank => "说明不能为空".to_owned(),
        NoteError::TooLong { len, max } => format!("说明长 {len} 字节，上限为 {max}"),
    })
}
localized_by!(NoteError, note_error);

fn error(e: &JournalError) -> Cow<'_, str> {
    use JournalError as E;
    Cow::Owned(match e {
        E::VersionConflict {
            stream,
            expected,
            actual,
        } => format!("事件流 {stream} 当前为第 {actual} 版，追加预期第 {expected} 版"),
        E::DuplicateEventId { stream, event_id } => {
            format!("事件编号 {event_id} 已记录：拒绝追加到事件流 {stream}")
        }
        E::Encode {
            stream, event_type, ..
        } => format!("事件流 {stream}：事件类型 {event_type} 无法编码为 JSON"),
        E::Decode {
            stream,
            version,
            event_type,
            schema_version,
            ..
        } => format!(
            "事件流 {stream} 第 {version} 版：事件类型 {event_type}（第 {schema_version} 版结构）无法解码"
        ),
        E::EventTypeMismatch {
            stream,
            version,
            stored,
            decoded,
        } => {
            format!("事件流 {stream} 第 {version} 版：存储为事件类型 {stored}，解码却为 {decoded}")
        }
        E::StreamTypeMismatch { stream, expected } => {
            format!("事件流 {stream} 不是流程 {expected} 的事件流")
        }
        E::Upcast {
            stream,
            version,
            source,
        } => format!("事件流 {stream} 第 {version} 版：{}", upcast(source)),
        E::Replay { stream, source } => {
            format!("事件流 {stream} 无法重放：{}", source.zh())
        }
        E::Tampered {
            stream,
            version,
            breakage: b,
            ..
        } => format!("事件流 {stream} 在第 {version} 版处被破坏：{}", breakage(b)),
        E::Corrupt { position, column } => {
            format!("第 {position} 行的 {column} 列无效")
        }
        E::PayloadRefused {
            stream,
            version,
            limit,
        } => format!(
            "事件流 {stream} 第 {version} 版：拒绝载荷，{}",
            payload_limit(limit)
        ),
        E::TimeOutOfRange {
            stream,
            version,
            at,
        } => format!(
            "事件流 {stream} 第 {version} 版：时间{}超出可接受的范围",
            at_zh(at)
        ),
        E::Truncated {
            stream,
            anchored,
            found,
        } => format!("事件流 {stream} 被截断：锚点记录第 {anchored} 版，实有 {found} 版"),
        E::AnchorMismatch {
            stream,
            anchored,
            found,
        } => format!("事件流 {stream} 与其第 {anchored} 版的锚点不符（记录至第 {found} 版）"),
        E::InvalidName(id) => format!("日志名称无效：{}", id_error(id)),
        E::SchemaTooNew { found, supported } => {
            format!("日志结构已迁移至第 {found} 版，本库只认识到第 {supported} 版的迁移")
        }
        E::SnapshotEncode { stream, .. } => {
            format!("事件流 {stream}：状态无法编码为快照所需的 JSON")
        }
        E::SnapshotsUnsupported => "此存储不保存快照".to_owned(),
        E::Backend { backend, source } => format!("{backend} 后端错误：{source}"),
        E::TaskFailed { backend, source } => {
            format!("{backend} 存储的调用未能在阻塞线程上执行完毕：{source}")
        }
    })
}

impl Localized for JournalError {
    fn en(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }

    fn zh(&self) -> Cow<'_, str> {
        error(self)
    }
}

impl<R: Localized + std::fmt::Display> Localized for ExecuteError<R> {
    fn en(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }

    fn zh(&self) -> Cow<'_, str> {
        match self {
            ExecuteError::Refused(e) => e.zh(),
            ExecuteError::Contended { stream, attempts } => {
                Cow::Owned(format!("事件流 {stream}：尝试 {attempts} 次后仍有冲突"))
            }
            ExecuteError::Journal(e) => error(e),
        }
    }
}

impl<R: std::error::Error + Localized + 'static> Localized for SweepError<R> {
    fn en(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }

    fn zh(&self) -> Cow<'_, str> {
        match self {
            SweepError::Execute(e) => e.zh(),
            SweepError::NoTimerCommand { workflow } => {
                Cow::Owned(format!("流程 {workflow} 有到期案件，却没有计时命令"))
            }
            SweepError::StillDue { stream, due, ticks } => {
                Cow::Owned(format!("{stream} 计时 {ticks} 次后仍在{}到期", at_zh(due)))
            }
        }
    }
}
