//! The ordered levels everything shares: [`Tier`] and [`Severity`].
//!
//! Tiers are the rungs of the administrative ladder a case climbs, from the
//! grid a grid worker walks to the municipality. Severity says how big a
//! matter is; an escalation policy maps each severity to the tier where
//! handling starts and the ceiling it should not pass ("small matters stay in
//! the park, big matters stay in the community").
//!
//! ```
//! use grassroots::tier::{Severity, Tier};
//!
//! assert!(Tier::Grid < Tier::Estate && Tier::Estate < Tier::Community);
//! assert_eq!(Tier::Community.above(), Some(Tier::Subdistrict));
//! assert_eq!(Tier::Municipal.above(), None);
//! assert!(Severity::Minor < Severity::Critical);
//! assert_eq!("subdistrict".parse::<Tier>(), Ok(Tier::Subdistrict));
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A level of the administrative hierarchy, lowest first.
///
/// `Estate` covers every body at the level below a community: a housing
/// estate (小区), an industrial park (园区), a commercial district (商圈) or an
/// urban village (城中村).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// A grid (网格), walked by a grid worker.
    Grid,
    /// A housing estate, industrial park, commercial district or urban
    /// village.
    Estate,
    /// A community (社区).
    Community,
    /// A subdistrict (街道).
    Subdistrict,
    /// A district (区).
    District,
    /// A municipality (市).
    Municipal,
}

impl Tier {
    /// Every tier, lowest first.
    pub const ALL: [Tier; 6] = [
        Tier::Grid,
        Tier::Estate,
        Tier::Community,
        Tier::Subdistrict,
        Tier::District,
        Tier::Municipal,
    ];

    /// The tier directly above this one, or `None` at the top.
    pub const fn above(self) -> Option<Tier> {
        match self {
            Tier::Grid => Some(Tier::Estate),
            Tier::Estate => Some(Tier::Community),
            Tier::Community => Some(Tier::Subdistrict),
            Tier::Subdistrict => Some(Tier::District),
            Tier::District => Some(Tier::Municipal),
            Tier::Municipal => None,
        }
    }

    /// The tier directly below this one, or `None` at the bottom.
    pub const fn below(self) -> Option<Tier> {
        match self {
            Tier::Grid => None,
            Tier::Estate => Some(Tier::Grid),
            Tier::Community => Some(Tier::Estate),
            Tier::Subdistrict => Some(Tier::Community),
            Tier::District => Some(Tier::Subdistrict),
            Tier::Municipal => Some(Tier::District),
        }
    }

    /// The tier's lowercase name, as used in serde and [`Display`](fmt::Display).
    pub const fn as_str(self) -> &'static str {
        match self {
            Tier::Grid => "grid",
            Tier::Estate => "estate",
            Tier::Community => "community",
            Tier::Subdistrict => "subdistrict",
            Tier::District => "district",
            Tier::Municipal => "municipal",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A name that is not a tier or severity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a {what}")]
pub struct ParseLevelError {
    /// `"tier"` or `"severity"`.
    pub what: &'static str,
    /// The text that was offered.
    pub input: String,
}

impl FromStr for Tier {
    type Err = ParseLevelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseLevelError {
                what: "tier",
                input: s.to_owned(),
            })
    }
}

/// How big a matter is, smallest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A small matter between neighbours or merchants.
    Minor,
    /// An ordinary dispute or complaint.
    Moderate,
    /// A big matter: many parties, large sums, or a risk of intensifying.
    Serious,
    /// A matter touching safety or public order.
    Critical,
}

impl Severity {
    /// Every severity, smallest first.
    pub const ALL: [Severity; 4] = [
        Severity::Minor,
        Severity::Moderate,
        Severity::Serious,
        Severity::Critical,
    ];

    /// The next severity up, or `None` at [`Severity::Critical`].
    pub const fn raised(self) -> Option<Severity> {
        match self {
            Severity::Minor => Some(Severity::Moderate),
            Severity::Moderate => Some(Severity::Serious),
            Severity::Serious => Some(Severity::Critical),
            Severity::Critical => None,
        }
    }

    /// The severity's lowercase name, as used in serde and [`Display`](fmt::Display).
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Moderate => "moderate",
            Severity::Serious => "serious",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = ParseLevelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseLevelError {
                what: "severity",
                input: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn above_and_below_follow_the_order() {
        for pair in Tier::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
            assert_eq!(pair[0].above(), Some(pair[1]));
            assert_eq!(pair[1].below(), Some(pair[0]));
        }
        assert_eq!(Tier::Grid.below(), None);
    }

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for t in Tier::ALL {
            assert_eq!(t.to_string().parse::<Tier>(), Ok(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{t}\""));
        }
        for s in Severity::ALL {
            assert_eq!(s.to_string().parse::<Severity>(), Ok(s));
        }
        assert!("park".parse::<Tier>().is_err());
        assert!(serde_json::from_str::<Severity>("\"huge\"").is_err());
    }
}
