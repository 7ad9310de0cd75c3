//! [`Routes`]: the routes the law leaves open to the parties when there is
//! no mediation, or no agreement.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::escalation::Referral;
use crate::matter::DisputeKind;

/// A set of [`Referral`] routes (arbitration, litigation, administrative
/// handling), as named to the parties when a dispute is declined, refused,
/// ends without agreement or is referred out.
///
/// A small copyable bit set; in JSON, a list of route names in a fixed
/// order.
///
/// ```
/// use grassroots::dispute::Routes;
/// use grassroots::escalation::Referral;
/// use grassroots::matter::DisputeKind;
///
/// let labour = Routes::open_for(DisputeKind::Labour);
/// assert!(labour.contains(Referral::Arbitration));
/// assert!(!labour.contains(Referral::Litigation)); // arbitration comes first
///
/// let routes: Routes = [Referral::Litigation, Referral::Arbitration].into_iter().collect();
/// assert_eq!(serde_json::to_string(&routes)?, r#"["arbitration","litigation"]"#);
/// assert_eq!(routes.to_string(), "arbitration, litigation");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Referral>", into = "Vec<Referral>")]
pub struct Routes(u8);

const ALL: [Referral; 3] = [
    Referral::Arbitration,
    Referral::Litigation,
    Referral::Administrative,
];

const fn bit(route: Referral) -> u8 {
    match route {
        Referral::Arbitration => 1,
        Referral::Litigation => 2,
        Referral::Administrative => 4,
    }
}

impl Routes {
    /// No route.
    pub const NONE: Routes = Routes(0);

    /// The single route `route`.
    pub const fn only(route: Referral) -> Self {
        Routes(bit(route))
    }

    /// The same set with `route` added.
    #[must_use]
    pub const fn with(self, route: Referral) -> Self {
        Routes(self.0 | bit(route))
    }

    /// Whether `route` is in the set.
    pub const fn contains(self, route: Referral) -> bool {
        self.0 & bit(route) != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many routes the set holds.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The routes, in the order arbitration, litigation, administrative.
    pub fn iter(self) -> impl Iterator<Item = Referral> {
        ALL.into_iter().filter(move |r| self.contains(*r))
    }

    /// The routes the law leaves open for a dispute of `kind` that is not
    /// mediated, or not settled:
    ///
    /// | kind | routes |
    /// |---|---|
    /// | labour | arbitration (it comes before any lawsuit) |
    /// | commercial | arbitration, litigation |
    /// | neighbour, property management, consumer, other | litigation, administrative |
    /// | a custom kind of the city's own | litigation, administrative |
    ///
    /// The law ties arbitration to labour and commercial disputes only, so
    /// a custom kind gets the routes of the non-commercial kinds.
    pub const fn open_for(kind: DisputeKind) -> Self {
        match kind {
            DisputeKind::Labour => Routes::only(Referral::Arbitration),
            DisputeKind::Commercial => {
                Routes::only(Referral::Arbitration).with(Referral::Litigation)
            }
            DisputeKind::Neighbour
            | DisputeKind::PropertyManagement
            | DisputeKind::Consumer
            | DisputeKind::Other
            | DisputeKind::Custom(_) => {
                Routes::only(Referral::Litigation).with(Referral::Administrative)
            }
        }
    }
}

/// A route open to a party after an agreement in effect was breached or
/// its performance disputed, or after a court refused to confirm it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Remedy {
    /// Suing in the people's court over the agreement's performance or
    /// content (人民调解法 art. 32).
    Litigation,
    /// Applying for labour arbitration (劳动争议调解仲裁法 art. 15).
    Arbitration,
    /// Applying to the people's court for a payment order for wages and
    /// the other sums of 劳动争议调解仲裁法 art. 16.
    PaymentOrder,
    /// Applying to the people's court for enforcement of a confirmed
    /// agreement (人民调解法 art. 33).
    Enforcement,
}

impl Remedy {
    /// The routes open when an agreement is breached or its performance
    /// disputed:
    ///
    /// - judicially confirmed: enforcement (人民调解法 art. 33);
    /// - a labour agreement: arbitration (劳动争议调解仲裁法 art. 15), and a
    ///   payment order when a wage obligation is not performed (art. 16);
    /// - otherwise: litigation (人民调解法 art. 32).
    pub(crate) fn for_breach(
        kind: DisputeKind,
        confirmed: bool,
        wages_unpaid: bool,
    ) -> Vec<Remedy> {
        if confirmed {
            return vec![Remedy::Enforcement];
        }
        match kind {
            DisputeKind::Labour if wages_unpaid => vec![Remedy::Arbitration, Remedy::PaymentOrder],
            DisputeKind::Labour => vec![Remedy::Arbitration],
            _ => vec![Remedy::Litigation],
        }
    }
}

impl FromIterator<Referral> for Routes {
    fn from_iter<I: IntoIterator<Item = Referral>>(iter: I) -> Self {
        iter.into_iter().fold(Routes::NONE, Routes::with)
    }
}

impl From<Vec<Referral>> for Routes {
    fn from(routes: Vec<Referral>) -> Self {
        routes.into_iter().collect()
    }
}

impl From<Routes> for Vec<Referral> {
    fn from(routes: Routes) -> Self {
        routes.iter().collect()
    }
}

impl fmt::Debug for Routes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for Routes {
    /// `arbitration, litigation`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(match r {
                Referral::Arbitration => "arbitration",
                Referral::Litigation => "litigation",
                Referral::Administrative => "administrative",
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_leaves_a_route_open() {
        for kind in DisputeKind::ALL {
            assert!(!Routes::open_for(kind).is_empty(), "{kind}");
        }
        assert_eq!(Routes::open_for(DisputeKind::Labour).len(), 1);
    }

    #[test]
    fn a_custom_kind_gets_litigation_and_administrative_handling() {
        let tenancy = DisputeKind::from_static("tenancy");
        assert_eq!(
            Routes::open_for(tenancy),
            Routes::only(Referral::Litigation).with(Referral::Administrative)
        );
        assert!(!Routes::open_for(tenancy).contains(Referral::Arbitration));
    }

    #[test]
    fn routes_round_trip_and_collapse_repeats() {
        let json = r#"["administrative","arbitration","administrative"]"#;
        let routes: Routes = serde_json::from_str(json).unwrap();
        assert_eq!(routes.len(), 2);
        assert_eq!(
            serde_json::to_string(&routes).unwrap(),
            r#"["arbitration","administrative"]"#
        );
        assert_eq!(Routes::NONE.to_string(), "none");
        assert_eq!(
            format!("{:?}", Routes::only(Referral::Litigation)),
            "{Litigation}"
        );
        assert!(serde_json::from_str::<Routes>(r#"["mediation"]"#).is_err());
    }
}
