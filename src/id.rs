//! Newtype identifiers.
//!
//! Every identifier in the crate is its own type, so a [`CaseId`] cannot be
//! passed where an [`OrgId`] is expected. Each one is validated when it is
//! built *and* when it is deserialised: it must be non-empty, at most
//! [`MAX_ID_LEN`] bytes long and free of control characters.
//!
//! Identifiers are cheap to clone: short ones (up to 23 bytes) are stored
//! inline and longer ones are shared, so recording an actor id on every event
//! does not allocate.
//!
//! ```
//! use grassroots::id::{CaseId, IdError};
//!
//! let id: CaseId = "LG-2026-000123".parse()?;
//! assert_eq!(id.as_str(), "LG-2026-000123");
//! assert!(CaseId::new("").is_err());
//! assert!(CaseId::new("tab\there").is_err());
//! # Ok::<(), IdError>(())
//! ```
//!
//! # Known ids as constants
//!
//! An id known when the program is written — a hall, the timer's actor, a
//! fixture's case — is written with `from_static` in a `const` item or a
//! `const { }` block: the compiler runs the same checks as
//! [`CaseId::new`], so there is no `parse()?` and no run-time failure.
//!
//! ```
//! use grassroots::id::{ActorId, OrgId};
//!
//! const HALL: OrgId = OrgId::from_static("huanan-hall");
//! let timer = const { ActorId::from_static("timer") };
//! assert_eq!(HALL.as_str(), "huanan-hall");
//! assert_eq!(timer.to_string(), "timer");
//! ```
//!
//! An id that `new` would refuse is a compile error:
//!
//! ```compile_fail
//! use grassroots::id::CaseId;
//!
//! const BAD: CaseId = CaseId::from_static("tab\there");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// The longest identifier accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// Why a string was refused as an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The string was empty.
    #[error("{kind} must not be empty")]
    Empty {
        /// Which identifier type refused it (`"CaseId"`, `"OrgId"`, ...).
        kind: &'static str,
    },
    /// The string was longer than [`MAX_ID_LEN`] bytes.
    #[error("{kind} is {len} bytes long, the limit is {max}")]
    TooLong {
        /// Which identifier type refused it.
        kind: &'static str,
        /// The length that was offered.
        len: usize,
        /// The limit, [`MAX_ID_LEN`].
        max: usize,
    },
    /// The string was only whitespace.
    #[error("{kind} must not be blank")]
    Blank {
        /// Which identifier type refused it.
        kind: &'static str,
    },
    /// The string held a control character (a newline, a tab, a NUL, ...)
    /// or an invisible formatting character (a zero-width space, a
    /// bidirectional override that could disguise an audit log, ...).
    #[error("{kind} holds a control or formatting character at byte {at}")]
    ControlCharacter {
        /// Which identifier type refused it.
        kind: &'static str,
        /// The byte offset of the first control character.
        at: usize,
    },
}

fn validate(kind: &'static str, s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::TooLong {
            kind,
            len: s.len(),
            max: MAX_ID_LEN,
        });
    }
    if let Some((at, _)) = s
        .char_indices()
        .find(|(_, c)| c.is_control() || is_format(*c))
    {
        return Err(IdError::ControlCharacter { kind, at });
    }
    if s.trim().is_empty() {
        return Err(IdError::Blank { kind });
    }
    Ok(())
}

/// Unicode's invisible format characters (general category Cf) that can
/// appear in text: soft hyphen, Arabic and Syriac marks, Mongolian vowel
/// separator, zero-width and directional marks, word joiners and invisible
/// operators, directional isolates, the byte-order mark and interlinear
/// annotation marks.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// [`validate`] as a `const fn`, for [`CaseId::from_static`] and its
/// siblings: the same rules, the same error, the same byte offset. It
/// decodes UTF-8 by hand (a `&str` is valid UTF-8, so the decoding needs no
/// checks) and spells out the character classes `validate` asks the
/// standard library for; a test compares the two on every character of the
/// Basic Multilingual Plane and beyond.
const fn validate_const(kind: &'static str, s: &str) -> Result<(), IdError> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if bytes.len() > MAX_ID_LEN {
        return Err(IdError::TooLong {
            kind,
            len: bytes.len(),
            max: MAX_ID_LEN,
        });
    }
    let mut at = 0;
    let mut blank = true;
    while at < bytes.len() {
        let (c, width) = decode_utf8(bytes, at);
        if is_control_const(c) || is_format_const(c) {
            return Err(IdError::ControlCharacter { kind, at });
        }
        if !is_whitespace_const(c) {
            blank = false;
        }
        at += width;
    }
    if blank {
        return Err(IdError::Blank { kind });
    }
    Ok(())
}

/// The code point starting at byte `at` of valid UTF-8, and its width.
const fn decode_utf8(bytes: &[u8], at: usize) -> (u32, usize) {
    let b0 = bytes[at] as u32;
    if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | continuation(bytes, at + 1), 2)
    } else if b0 < 0xF0 {
        let c =
            ((b0 & 0x0F) << 12) | (continuation(bytes, at + 1) << 6) | continuation(bytes, at + 2);
        (c, 3)
    } else {
        let c = ((b0 & 0x07) << 18)
            | (continuation(bytes, at + 1) << 12)
            | (continuation(bytes, at + 2) << 6)
            | continuation(bytes, at + 3);
        (c, 4)
    }
}

/// The six payload bits of the continuation byte at `at`.
const fn continuation(bytes: &[u8], at: usize) -> u32 {
    (bytes[at] as u32) & 0x3F
}

/// [`char::is_control`]: general category Cc.
const fn is_control_const(c: u32) -> bool {
    matches!(c, 0x00..=0x1F | 0x7F..=0x9F)
}

/// [`is_format`], on a code point.
const fn is_format_const(c: u32) -> bool {
    matches!(
        c,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
    )
}

/// [`char::is_whitespace`] (Unicode `White_Space`), which `str::trim`
/// strips.
const fn is_whitespace_const(c: u32) -> bool {
    matches!(
        c,
        0x09..=0x0D
            | 0x20
            | 0x85
            | 0xA0
            | 0x1680
            | 0x2000..=0x200A
            | 0x2028
            | 0x2029
            | 0x202F
            | 0x205F
            | 0x3000
    )
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
        #[serde(try_from = "SmolStr")]
        pub struct $name(SmolStr);

        impl $name {
            /// Builds the identifier, refusing an empty string, one longer
            /// than [`MAX_ID_LEN`] bytes, or one with a control character.
            ///
            /// # Errors
            ///
            /// [`IdError`] saying which rule the string broke.
            pub fn new(s: impl AsRef<str>) -> Result<Self, IdError> {
                let s = s.as_ref();
                validate(stringify!($name), s)?;
                Ok(Self(SmolStr::new(s)))
            }

            /// Builds the identifier from a string literal, checked by the
            /// compiler when used in a `const` item or a `const { }` block:
            /// the way to write a known id without `parse()?`.
            ///
            /// ```
            #[doc = concat!("use grassroots::id::", stringify!($name), ";")]
            ///
            #[doc = concat!("const KNOWN: ", stringify!($name), " = ", stringify!($name), "::from_static(\"huanan-hall\");")]
            #[doc = concat!("assert_eq!(KNOWN, \"huanan-hall\".parse::<", stringify!($name), ">()?);")]
            #[doc = concat!("let inline = const { ", stringify!($name), "::from_static(\"LG-2026-000123\") };")]
            /// assert_eq!(inline.as_str(), "LG-2026-000123");
            /// # Ok::<(), grassroots::id::IdError>(())
            /// ```
            ///
            /// An id [`new`](Self::new) would refuse does not compile (see
            /// the [module docs](self)).
            ///
            /// # Panics
            ///
            /// When `s` breaks a rule [`new`](Self::new) checks — empty,
            /// longer than [`MAX_ID_LEN`] bytes, a control or formatting
            /// character, only whitespace — with the same checks, character
            /// for character. In a `const` that panic is a compile error;
            /// called at run time it is a panic, so keep run-time strings
            /// for [`new`](Self::new).
            pub const fn from_static(s: &'static str) -> Self {
                match validate_const(stringify!($name), s) {
                    Ok(()) => Self(SmolStr::new_static(s)),
                    Err(IdError::Empty { .. }) => panic!("an identifier must not be empty"),
                    Err(IdError::TooLong { .. }) => {
                        panic!("an identifier must be at most MAX_ID_LEN (128) bytes long")
                    }
                    Err(IdError::ControlCharacter { .. }) => {
                        panic!("an identifier must not hold a control or formatting character")
                    }
                    Err(IdError::Blank { .. }) => panic!("an identifier must not be blank"),
                }
            }

            /// The identifier as a string slice.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0.as_str())
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl TryFrom<SmolStr> for $name {
            type Error = IdError;
            fn try_from(s: SmolStr) -> Result<Self, IdError> {
                validate(stringify!($name), &s)?;
                Ok(Self(s))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.as_str()
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

id_type! {
    /// Identifies one case: a dispute, a service request or any matter on a
    /// ladder. It is also the stream id of the case's history in a journal.
    CaseId
}
id_type! {
    /// Identifies an organisation (a node of the organisation graph): a
    /// community, an estate, a mediation studio, a service centre, ...
    OrgId
}
id_type! {
    /// Identifies a person or system acting on a case: a party, a grid
    /// worker, a mediator, a clerk, an officer, the timer.
    ActorId
}
id_type! {
    /// The code of an item in the service hall's catalogue.
    ServiceCode
}
id_type! {
    /// Identifies a tenant of a shared event store, for example a district.
    TenantId
}
id_type! {
    /// Identifies a version of an escalation policy, so a case keeps the
    /// policy it started under.
    PolicyId
}
id_type! {
    /// Names a material a service item requires (a business licence, an ID
    /// card copy, ...).
    MaterialId
}
id_type! {
    /// Identifies one recorded event in a journal; retries with the same
    /// event id are idempotent.
    EventId
}
id_type! {
    /// Correlates the commands and events that belong to one request of the
    /// embedding program (for example, one HTTP request or one batch job).
    CorrelationId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_bad_input_on_construction() {
        assert_eq!(OrgId::new(""), Err(IdError::Empty { kind: "OrgId" }));
        assert_eq!(
            OrgId::new("a".repeat(MAX_ID_LEN + 1)),
            Err(IdError::TooLong {
                kind: "OrgId",
                len: MAX_ID_LEN + 1,
                max: MAX_ID_LEN
            })
        );
        assert_eq!(
            ActorId::new("wang\n"),
            Err(IdError::ControlCharacter {
                kind: "ActorId",
                at: 4
            })
        );
        assert!(OrgId::new("a".repeat(MAX_ID_LEN)).is_ok());
        assert_eq!(OrgId::new("   "), Err(IdError::Blank { kind: "OrgId" }));
        assert_eq!(
            ActorId::new("\u{202E}nimda"),
            Err(IdError::ControlCharacter {
                kind: "ActorId",
                at: 0
            })
        );
        assert!(ActorId::new("a\u{200B}b").is_err());
        assert!(OrgId::new("Hehua community").is_ok());
        assert!(OrgId::new("禾花社区").is_ok());
    }

    #[test]
    fn ids_refuse_bad_input_on_deserialisation() {
        assert!(serde_json::from_str::<CaseId>("\"\"").is_err());
        assert!(serde_json::from_str::<CaseId>("\"a\\u0000b\"").is_err());
        assert!(serde_json::from_str::<CaseId>("17").is_err());
        let long = format!("\"{}\"", "x".repeat(MAX_ID_LEN + 1));
        let err = serde_json::from_str::<CaseId>(&long).unwrap_err();
        assert!(
            err.to_string().contains("CaseId is 129 bytes long"),
            "{err}"
        );
    }

    #[test]
    fn ids_round_trip_through_serde_and_display() {
        let id = ServiceCode::new("BR-001").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"BR-001\"");
        assert_eq!(serde_json::from_str::<ServiceCode>(&json).unwrap(), id);
        assert_eq!(id.to_string().parse::<ServiceCode>().unwrap(), id);
        assert_eq!(format!("{id:?}"), "ServiceCode(\"BR-001\")");
    }

    #[test]
    fn known_ids_are_built_at_compile_time() {
        const HALL: OrgId = OrgId::from_static("huanan-hall");
        const LONG: CaseId = CaseId::from_static(
            "a-case-id-longer-than-the-twenty-three-bytes-smol-str-keeps-inline",
        );
        const CHINESE: OrgId = OrgId::from_static("禾花社区");
        assert_eq!(HALL, OrgId::new("huanan-hall").unwrap());
        assert_eq!(LONG.as_str().len(), 66);
        assert_eq!(CHINESE, OrgId::new("禾花社区").unwrap());
        assert_eq!(format!("{HALL:?}"), "OrgId(\"huanan-hall\")");
        let timer = const { ActorId::from_static("timer") };
        assert_eq!(timer, ActorId::new("timer").unwrap());
    }

    #[test]
    #[should_panic(expected = "an identifier must not be blank")]
    fn a_blank_static_id_panics_at_run_time() {
        let text: &'static str = "   ";
        let _ = CaseId::from_static(text);
    }

    #[test]
    #[should_panic(expected = "an identifier must not hold a control or formatting character")]
    fn a_static_id_with_a_zero_width_space_panics_at_run_time() {
        let _ = ActorId::from_static("a\u{200B}b");
    }

    /// The const checks are the run-time checks: the same verdict and the
    /// same error on every character alone, between letters, and padded
    /// with spaces, and on the length limits.
    #[test]
    fn the_const_checks_agree_with_the_run_time_checks() {
        let chars = (0..=0x3_0000u32)
            .chain(0xE_0000..=0xE_0100)
            .filter_map(char::from_u32);
        for c in chars.chain([char::MAX]) {
            for text in [
                format!("{c}"),
                format!("a{c}b"),
                format!(" {c} "),
                format!("{c}{c}"),
            ] {
                assert_eq!(
                    validate_const("OrgId", &text),
                    validate("OrgId", &text),
                    "{text:?} (U+{:04X})",
                    c as u32
                );
            }
        }
        for text in [
            "",
            " ",
            "a".repeat(MAX_ID_LEN).as_str(),
            "a".repeat(MAX_ID_LEN + 1).as_str(),
            "é".repeat(65).as_str(),
        ] {
            assert_eq!(
                validate_const("OrgId", text),
                validate("OrgId", text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn maps_keyed_by_ids_are_looked_up_by_text() {
        use std::collections::{BTreeMap, HashMap};
        let hall = OrgId::from_static("huanan-hall");
        let long = OrgId::new("x".repeat(40)).unwrap(); // stored on the heap
        let hashed: HashMap<OrgId, u32> = [(hall.clone(), 1), (long.clone(), 2)].into();
        let sorted: BTreeMap<OrgId, u32> = [(hall, 1), (long, 2)].into();
        assert_eq!(hashed.get("huanan-hall"), Some(&1));
        assert_eq!(sorted.get("huanan-hall"), Some(&1));
        assert_eq!(hashed.get("x".repeat(40).as_str()), Some(&2));
        assert_eq!(sorted.get("x".repeat(40).as_str()), Some(&2));
        assert_eq!(hashed.get("huanan"), None);
        assert_eq!(sorted.get("huanan"), None);
    }

    #[test]
    fn ids_order_by_their_text() {
        let mut ids = [CaseId::new("b").unwrap(), CaseId::new("a").unwrap()];
        ids.sort();
        assert_eq!(ids[0].as_str(), "a");
    }
}
