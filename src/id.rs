//! Newtype identifiers.
//!
//! Every identifier in the crate is its own type, so a [`CaseId`] cannot be
//! passed where an [`OrgId`] is expected. Each one is validated when it is
//! built *and* when it is deserialised: it must be non-empty, at most
//! [`MAX_ID_LEN`] bytes long, not blank, and free of characters a reader
//! cannot see: controls, format characters (Unicode general category Cf,
//! looked up in a maintained Unicode table rather than a hand list), line
//! and paragraph separators, unassigned code points and the blank fillers
//! (U+115F, U+1160, U+3164, U+FFA0, U+2800).
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
    /// The string held a control character (a newline, a tab, a NUL, ...),
    /// an invisible formatting character (a zero-width space, a
    /// bidirectional override that could disguise an audit log, a tag
    /// character, ...), a line or paragraph separator, an unassigned code
    /// point or a blank filler such as U+3164 HANGUL FILLER.
    #[error("{kind} holds a control or formatting character at byte {at}")]
    ControlCharacter {
        /// Which identifier type refused it.
        kind: &'static str,
        /// The byte offset of the first control character.
        at: usize,
    },
}

pub(crate) fn validate(kind: &'static str, s: &str) -> Result<(), IdError> {
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
    // Printable ASCII (U+0020..=U+007E) has no invisible character, so the
    // common id skips the general-category lookup (a table search per
    // character, 15 % of a journaled command in the profile).
    let printable_ascii = s.bytes().all(|b| (0x20..=0x7E).contains(&b));
    let blank = if printable_ascii {
        // The only white space in printable ASCII is the space.
        s.bytes().all(|b| b == b' ')
    } else {
        if let Some((at, _)) = s.char_indices().find(|(_, c)| is_invisible(*c)) {
            return Err(IdError::ControlCharacter { kind, at });
        }
        s.trim().is_empty()
    };
    if blank {
        return Err(IdError::Blank { kind });
    }
    Ok(())
}

/// Whether `c` is refused in an identifier because a reader cannot see it
/// or it breaks a line of a log: by Unicode general category (from the
/// `unicode-properties` tables, Unicode 18) a control (Cc), a format
/// character (Cf: zero-width and directional marks, tag characters,
/// musical and hieroglyph format controls, shorthand format controls, ...),
/// a line or paragraph separator (Zl, Zp), a surrogate, or an unassigned
/// code point (Cn, which a later Unicode may make a format character); or
/// one of the blank fillers that are letters or symbols by category but
/// draw nothing (see [`BLANK_FILLERS`]).
fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory as _};
    matches!(
        c.general_category(),
        G::Control
            | G::Format
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::Surrogate
            | G::Unassigned
    ) || BLANK_FILLERS.contains(&c)
}

/// [`validate`] as a `const fn`, for [`CaseId::from_static`] and its
/// siblings. `validate` reads Unicode's general categories from tables a
/// `const fn` cannot call, so the compile-time check accepts a *subset* of
/// what `validate` accepts — printable ASCII (spaces inside, not alone) and
/// the CJK Unified Ideographs (U+3400–U+4DBF, U+4E00–U+9FFF), all assigned
/// letters — and refuses everything else with the error `validate` would
/// give for an invisible character. An id outside that subset is built at
/// run time with `new`. A test checks, character by character, that
/// whatever the const check accepts `validate` accepts too, and that the two
/// agree on ASCII.
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
        let visible = matches!(c, 0x21..=0x7E | 0x3400..=0x4DBF | 0x4E00..=0x9FFF);
        if !visible && c != 0x20 {
            return Err(IdError::ControlCharacter { kind, at });
        }
        if visible {
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

/// Characters that draw as blank space but are not whitespace: the Hangul
/// fillers (U+115F, U+1160, U+3164, U+FFA0, letters by category and
/// default-ignorable) and the blank Braille pattern (U+2800, a symbol). An
/// identifier holding one could pass for another, or for nothing.
const BLANK_FILLERS: [char; 5] = ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', '\u{2800}'];

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

    /// Every code point issue 18's probe found accepted by the old hand
    /// list.
    const INVISIBLE_PROBES: &[(u32, u32)] = &[
        (0xE0001, 0xE0001),
        (0xE0020, 0xE007F),
        (0x1D173, 0x1D17A),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x110BD, 0x110BD),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x3164, 0x3164),
        (0x115F, 0x1160),
        (0xFFA0, 0xFFA0),
        (0x2800, 0x2800),
        (0x2028, 0x2029),
    ];

    #[test]
    fn ids_refuse_the_invisible_characters_the_hand_list_missed() {
        for &(first, last) in INVISIBLE_PROBES {
            for code in first..=last {
                let c = char::from_u32(code).unwrap();
                for (text, at) in [
                    (format!("{c}"), 0),
                    (format!("ab{c}"), 2),
                    (format!("a{c}b"), 1),
                ] {
                    assert_eq!(
                        CaseId::new(&text),
                        Err(IdError::ControlCharacter { kind: "CaseId", at }),
                        "U+{code:04X} in {text:?}"
                    );
                    let json = serde_json::to_string(&text).unwrap();
                    assert!(
                        serde_json::from_str::<ActorId>(&json).is_err(),
                        "U+{code:04X} deserialised"
                    );
                }
            }
        }
    }

    #[test]
    fn ids_refuse_unassigned_code_points_and_keep_visible_scripts() {
        assert!(CaseId::new("a\u{0378}").is_err()); // unassigned
        assert!(CaseId::new("a\u{10FFFD}").is_ok()); // private use is visible
        for ok in [
            "禾花社区",
            "Ἀθῆναι",
            "مدينة",
            "한국",
            "e\u{301}",
            "⠁⠃",
            "x-1_2.3",
        ] {
            assert!(CaseId::new(ok).is_ok(), "{ok:?}");
        }
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
                let at_compile_time = validate_const("OrgId", &text);
                let at_run_time = validate("OrgId", &text);
                // Whatever the compiler accepts, the run time accepts.
                if at_compile_time.is_ok() {
                    assert_eq!(at_run_time, Ok(()), "{text:?} (U+{:04X})", c as u32);
                }
                // On ASCII they agree exactly, error for error.
                if c.is_ascii() {
                    assert_eq!(at_compile_time, at_run_time, "{text:?}");
                }
            }
        }
        for text in [
            "",
            " ",
            "a".repeat(MAX_ID_LEN).as_str(),
            "a".repeat(MAX_ID_LEN + 1).as_str(),
            "禾".repeat(43).as_str(),
        ] {
            assert_eq!(
                validate_const("OrgId", text),
                validate("OrgId", text),
                "{text:?}"
            );
        }
    }

    /// The printable-ASCII fast path of `validate` gives the verdict of the
    /// general-category check on every ASCII character, alone and inside an
    /// id.
    #[test]
    fn the_ascii_fast_path_agrees_with_the_general_category_check() {
        for c in (0..=0x7Fu8).map(char::from) {
            for text in [format!("{c}"), format!("a{c}b"), format!("{c}{c}")] {
                let refused = validate("OrgId", &text).is_err();
                let expected = text.chars().any(is_invisible) || text.trim().is_empty();
                assert_eq!(refused, expected, "{text:?}");
            }
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
