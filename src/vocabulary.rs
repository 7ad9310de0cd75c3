//! The open vocabulary: a city's own names for roles, kinds of body, dispute
//! kinds, service categories and case types.
//!
//! The report's names are built-in variants of [`Role`](crate::actor::Role),
//! [`OrgKind`](crate::org::OrgKind), [`DisputeKind`](crate::matter::DisputeKind),
//! [`ServiceCategory`](crate::matter::ServiceCategory) and
//! [`CaseType`](crate::metrics::CaseType). Each of them also has a
//! `Custom(Name)` variant for a name the city chooses itself — an owners'
//! committee member, a law firm, a renovation filing, a workflow of its own —
//! so nobody has to fork the crate to add one.
//!
//! A [`Name`] follows one rule, [`Name::new`], shared by every vocabulary:
//!
//! - it is 1 to [`MAX_NAME_LEN`] (32) bytes long;
//! - it uses only lowercase ASCII letters, digits, `_` and `-`
//!   (`owners_committee_member`, `law-firm`, `k12`);
//! - it is not a built-in name of *any* vocabulary (`labour`, `community`,
//!   `party`, `officer`, `person`, `dispute`, ...; the list is
//!   [`RESERVED`]). A built-in is always its typed variant, so the rules the
//!   law ties to a kind (a labour dispute's arbitration route and 15-day
//!   limit) can never be reached, or dodged, by spelling its name.
//!
//! A name is stored inline (32 bytes, `Copy`): comparing two roles or kinds
//! is a byte comparison, and no value of the vocabularies allocates.
//!
//! Parsing (`FromStr`) and deserialising any vocabulary give the built-in
//! variant for a built-in name, a custom variant for any other valid name,
//! and a [`VocabularyError`] naming the vocabulary and the broken rule for
//! anything else. Serialising writes a built-in exactly as before (a custom
//! value is its name as a JSON string).
//!
//! ```
//! use grassroots::matter::DisputeKind;
//! use grassroots::org::OrgKind;
//! use grassroots::vocabulary::{Name, NameError};
//!
//! const LAW_FIRM: OrgKind = OrgKind::Custom(Name::from_static("law_firm"));
//! assert_eq!("law_firm".parse::<OrgKind>()?, LAW_FIRM);
//! assert_eq!(serde_json::to_string(&LAW_FIRM)?, r#""law_firm""#);
//!
//! // A built-in name is always the typed variant.
//! assert_eq!("labour".parse::<DisputeKind>()?, DisputeKind::Labour);
//! assert!(matches!(Name::new("labour"), Err(NameError::Reserved { .. })));
//!
//! let refused = "Law Firm".parse::<OrgKind>().unwrap_err();
//! assert_eq!(
//!     refused.to_string(),
//!     "\"Law Firm\" is not a valid kind of body: \
//!      it holds 'L' at byte 0; a name uses lowercase ascii letters, digits, `_` and `-`"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The longest [`Name`] accepted, in bytes.
pub const MAX_NAME_LEN: usize = 32;

/// Every built-in name of every vocabulary: none of them can be a custom
/// [`Name`]. A unit test checks this list against the vocabularies.
pub const RESERVED: &[&str] = &[
    // Role
    "party",
    "grid_worker",
    "mediator",
    "property_manager",
    "hall_clerk",
    "agent_clerk",
    "department_officer",
    "officer",
    "supervisor",
    "system",
    // OrgKind
    "municipality",
    "district",
    "subdistrict",
    "community",
    "housing_estate",
    "industrial_park",
    "commercial_district",
    "urban_village",
    "grid",
    "party_committee",
    "party_branch",
    "property_management_company",
    "owners_committee",
    "merchants_council",
    "party_public_service_centre",
    "administrative_service_centre",
    "mediation_committee",
    "commercial_mediation_studio",
    "mediation_academy",
    "comprehensive_governance_centre",
    "expert_think_tank",
    "school",
    "enterprise",
    "volunteer_team",
    "person",
    // DisputeKind
    "labour",
    "commercial",
    "neighbour",
    "property_management",
    "consumer",
    "other",
    // ServiceCategory
    "business_registration",
    "funding_support",
    "talent_support",
    "tax_and_invoicing",
    "social_insurance",
    "permits_and_licences",
    "intellectual_property",
    "trade_and_customs",
    "legal_services",
    // CaseType
    "dispute",
    "service_request",
    "work_order",
];

/// A city's own name for a role, a kind of body, a dispute kind, a service
/// category or a case type: see the [module docs](self) for the rule.
///
/// Stored inline and `Copy`; ordered and compared as its text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name([u8; MAX_NAME_LEN]);

/// Why a string was refused as a [`Name`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The string was empty.
    #[error("a name may not be empty")]
    Empty,
    /// The string was longer than [`MAX_NAME_LEN`] bytes.
    #[error("it is {len} bytes long; a name has at most {max}")]
    TooLong {
        /// The length that was offered, in bytes.
        len: usize,
        /// The limit, [`MAX_NAME_LEN`].
        max: usize,
    },
    /// The string held a character other than a lowercase ASCII letter, a
    /// digit, `_` or `-`.
    #[error(
        "it holds {found:?} at byte {at}; a name uses lowercase ascii letters, digits, `_` and `-`"
    )]
    Character {
        /// The first character refused.
        found: char,
        /// Its byte offset.
        at: usize,
    },
    /// The string is a built-in name (of any vocabulary, see [`RESERVED`]).
    #[error("{name:?} is a built-in name, not a custom one")]
    Reserved {
        /// The built-in name.
        name: &'static str,
    },
}

/// Which vocabulary refused a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Vocabulary {
    /// [`Role`](crate::actor::Role).
    Role,
    /// [`OrgKind`](crate::org::OrgKind).
    OrgKind,
    /// [`DisputeKind`](crate::matter::DisputeKind).
    DisputeKind,
    /// [`ServiceCategory`](crate::matter::ServiceCategory).
    ServiceCategory,
    /// [`CaseType`](crate::metrics::CaseType).
    CaseType,
}

impl fmt::Display for Vocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Vocabulary::Role => "role",
            Vocabulary::OrgKind => "kind of body",
            Vocabulary::DisputeKind => "dispute kind",
            Vocabulary::ServiceCategory => "service category",
            Vocabulary::CaseType => "case type",
        })
    }
}

/// A string was refused as a value of a vocabulary (parsed or
/// deserialised): it is no built-in name and no valid custom one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a valid {vocabulary}: {reason}")]
pub struct VocabularyError {
    /// The vocabulary that refused it.
    pub vocabulary: Vocabulary,
    /// The text that was offered.
    pub input: String,
    /// The rule it broke.
    pub reason: NameError,
}

impl VocabularyError {
    pub(crate) fn new(vocabulary: Vocabulary, input: &str, reason: NameError) -> Self {
        VocabularyError {
            vocabulary,
            input: input.to_owned(),
            reason,
        }
    }
}

/// What [`check`] found wrong, without allocating (so constants can use it).
#[derive(Clone, Copy)]
enum Problem {
    Empty,
    TooLong,
    Character(usize),
    Reserved(&'static str),
}

/// The one rule every vocabulary's custom names follow.
const fn check(bytes: &[u8]) -> Result<(), Problem> {
    if bytes.is_empty() {
        return Err(Problem::Empty);
    }
    if bytes.len() > MAX_NAME_LEN {
        return Err(Problem::TooLong);
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-') {
            return Err(Problem::Character(i));
        }
        i += 1;
    }
    let mut r = 0;
    while r < RESERVED.len() {
        if eq_bytes(RESERVED[r].as_bytes(), bytes) {
            return Err(Problem::Reserved(RESERVED[r]));
        }
        r += 1;
    }
    Ok(())
}

/// Byte equality, usable in constants.
pub(crate) const fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Copies checked bytes into the inline buffer, zero-padded.
const fn pack(bytes: &[u8]) -> Name {
    let mut buf = [0u8; MAX_NAME_LEN];
    let mut i = 0;
    while i < bytes.len() {
        buf[i] = bytes[i];
        i += 1;
    }
    Name(buf)
}

impl Name {
    /// Builds a name, checking the rule in the [module docs](self).
    ///
    /// # Errors
    ///
    /// [`NameError`] saying which rule the string broke: empty, longer
    /// than [`MAX_NAME_LEN`] bytes, a character outside `a-z 0-9 _ -`, or a
    /// built-in name.
    ///
    /// ```
    /// use grassroots::vocabulary::{Name, NameError};
    ///
    /// assert_eq!(Name::new("law_firm")?.as_str(), "law_firm");
    /// assert_eq!(Name::new(""), Err(NameError::Empty));
    /// assert_eq!(Name::new("Law"), Err(NameError::Character { found: 'L', at: 0 }));
    /// assert_eq!(Name::new("community"), Err(NameError::Reserved { name: "community" }));
    /// # Ok::<(), NameError>(())
    /// ```
    pub fn new(s: &str) -> Result<Name, NameError> {
        match check(s.as_bytes()) {
            Ok(()) => Ok(pack(s.as_bytes())),
            Err(Problem::Empty) => Err(NameError::Empty),
            Err(Problem::TooLong) => Err(NameError::TooLong {
                len: s.len(),
                max: MAX_NAME_LEN,
            }),
            Err(Problem::Character(at)) => Err(NameError::Character {
                found: s[at..].chars().next().unwrap_or('\u{FFFD}'),
                at,
            }),
            Err(Problem::Reserved(name)) => Err(NameError::Reserved { name }),
        }
    }

    /// Builds a name from a literal, for constants:
    /// `const LAW_FIRM: Name = Name::from_static("law_firm");`.
    ///
    /// # Panics
    ///
    /// When `s` breaks the rule of [`Name::new`]. In a constant that is a
    /// compile-time error; parse text that comes from outside with
    /// [`Name::new`] (or the vocabulary's `FromStr`) instead.
    pub const fn from_static(s: &'static str) -> Name {
        match check(s.as_bytes()) {
            Ok(()) => pack(s.as_bytes()),
            Err(Problem::Empty) => panic!("a name may not be empty"),
            Err(Problem::TooLong) => panic!("a name has at most 32 bytes"),
            Err(Problem::Character(_)) => {
                panic!("a name uses lowercase ascii letters, digits, `_` and `-`")
            }
            Err(Problem::Reserved(_)) => panic!("a built-in name cannot be a custom name"),
        }
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        let len = self.0.iter().position(|b| *b == 0).unwrap_or(MAX_NAME_LEN);
        // Only ASCII bytes are ever stored, so this never fails.
        std::str::from_utf8(&self.0[..len]).unwrap_or_default()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({:?})", self.as_str())
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for Name {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Name::new(s)
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseVisitor::<Name>::new("a custom name"))
    }
}

/// A serde visitor that reads a string through `T`'s `FromStr`, reporting
/// its typed error's message.
pub(crate) struct ParseVisitor<T> {
    expecting: &'static str,
    parsed: PhantomData<T>,
}

impl<T> ParseVisitor<T> {
    pub(crate) const fn new(expecting: &'static str) -> Self {
        ParseVisitor {
            expecting,
            parsed: PhantomData,
        }
    }
}

impl<T> serde::de::Visitor<'_> for ParseVisitor<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;
    use crate::matter::{DisputeKind, ServiceCategory};
    use crate::metrics::CaseType;
    use crate::org::OrgKind;
    use crate::tier::Tier;

    #[test]
    fn the_reserved_list_is_exactly_the_built_in_names() {
        let mut built_in: Vec<String> = Vec::new();
        built_in.extend(Role::BUILT_IN.iter().map(|r| r.as_str().to_owned()));
        built_in.extend(OrgKind::BUILT_IN.iter().map(|k| k.as_str().to_owned()));
        built_in.push("person".to_owned());
        built_in.extend(DisputeKind::ALL.iter().map(|k| k.as_str().to_owned()));
        built_in.extend(ServiceCategory::ALL.iter().map(|c| c.as_str().to_owned()));
        built_in.extend(CaseType::ALL.iter().map(|c| c.as_str().to_owned()));
        built_in.push(Role::Officer(Tier::Grid).as_str().to_owned());
        built_in.sort();
        built_in.dedup();
        let mut reserved: Vec<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
        reserved.sort();
        assert_eq!(built_in, reserved);
        for name in RESERVED {
            assert_eq!(Name::new(name), Err(NameError::Reserved { name }));
        }
    }

    #[test]
    fn a_name_is_short_lowercase_ascii() {
        assert_eq!(Name::new("a").unwrap().as_str(), "a");
        let longest = "x".repeat(MAX_NAME_LEN);
        assert_eq!(Name::new(&longest).unwrap().as_str(), longest);
        assert_eq!(
            Name::new(&"x".repeat(MAX_NAME_LEN + 1)),
            Err(NameError::TooLong {
                len: MAX_NAME_LEN + 1,
                max: MAX_NAME_LEN
            })
        );
        assert_eq!(Name::new(""), Err(NameError::Empty));
        for (bad, found, at) in [
            ("law firm", ' ', 3),
            ("caf\u{e9}", '\u{e9}', 3),
            ("a.b", '.', 1),
            ("A", 'A', 0),
            ("x\0", '\0', 1),
        ] {
            assert_eq!(Name::new(bad), Err(NameError::Character { found, at }));
        }
        assert_eq!(Name::new("law-firm_2").unwrap().to_string(), "law-firm_2");
    }

    #[test]
    fn names_order_as_their_text() {
        let mut names: Vec<Name> = ["b", "ab", "a", "a-b", "a_b", "a0"]
            .into_iter()
            .map(|s| Name::new(s).unwrap())
            .collect();
        names.sort();
        let text: Vec<&str> = names.iter().map(Name::as_str).collect();
        let mut sorted = text.clone();
        sorted.sort_unstable();
        assert_eq!(text, sorted);
    }

    #[test]
    fn a_name_round_trips_through_serde_and_refuses_bad_text() {
        let name = Name::from_static("law_firm");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"law_firm\"");
        assert_eq!(serde_json::from_str::<Name>("\"law_firm\"").unwrap(), name);
        let err = serde_json::from_str::<Name>("\"Law\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("a name uses lowercase ascii letters"),
            "{err}"
        );
        assert!(serde_json::from_str::<Name>("3").is_err());
    }

    #[test]
    fn a_name_is_small_and_copy() {
        fn assert_copy_send_sync<T: Copy + Send + Sync>() {}
        assert_copy_send_sync::<Name>();
        assert_eq!(std::mem::size_of::<Name>(), MAX_NAME_LEN);
    }
}
