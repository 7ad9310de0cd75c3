//! The kinds of matter the library handles: [`DisputeKind`] for people's
//! mediation and [`ServiceCategory`] for the service hall's enterprise items.
//!
//! Both the organisation graph (what a body is able to handle) and the
//! workflows (what a case is about) use these, so they live on the ground
//! floor. Each is a closed list from the report, with a stable snake_case name
//! used by serde, [`Display`](std::fmt::Display) and [`FromStr`].
//!
//! ```
//! use grassroots::matter::{DisputeKind, ParseMatterError, ServiceCategory};
//!
//! let kind: DisputeKind = "property_management".parse()?;
//! assert_eq!(kind, DisputeKind::PropertyManagement);
//! assert_eq!(kind.to_string(), "property_management");
//! assert_eq!(ServiceCategory::ALL.len(), 9);
//! assert_eq!(
//!     serde_json::to_string(&ServiceCategory::FundingSupport).unwrap(),
//!     "\"funding_support\""
//! );
//! assert!("bribery".parse::<DisputeKind>().is_err());
//! # Ok::<(), ParseMatterError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A name that is not a dispute kind or service category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a {what}")]
pub struct ParseMatterError {
    /// `"dispute kind"` or `"service category"`.
    pub what: &'static str,
    /// The text that was offered.
    pub input: String,
}

macro_rules! matter_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal, $count:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; $count] = [ $( $name::$variant, )+ ];

            /// The snake_case name, as used in serde and
            /// [`Display`](fmt::Display).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseMatterError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| ParseMatterError {
                        what: $what,
                        input: s.to_owned(),
                    })
            }
        }
    };
}

matter_enum! {
    /// The kind of a dispute (矛盾纠纷) brought to people's mediation.
    DisputeKind, "dispute kind", 6 {
        /// A labour dispute (劳资纠纷): wages, contracts, injuries at work.
        /// Carries the statutory 15-day limit before arbitration.
        Labour => "labour",
        /// A commercial dispute (商事纠纷) between enterprises or merchants.
        Commercial => "commercial",
        /// A dispute between neighbours: noise, leaks, shared space.
        Neighbour => "neighbour",
        /// A dispute with or about the property management company (物业).
        PropertyManagement => "property_management",
        /// A consumer dispute between a buyer and a merchant.
        Consumer => "consumer",
        /// Any other dispute.
        Other => "other",
    }
}

matter_enum! {
    /// The category of an enterprise service item in the service hall's
    /// catalogue (the report: 168 items in 9 categories).
    ServiceCategory, "service category", 9 {
        /// Business registration: setting up, changing or closing a business.
        BusinessRegistration => "business_registration",
        /// Funding support: subsidies and grants for enterprises.
        FundingSupport => "funding_support",
        /// Talent support: residence, housing and subsidies for talent.
        TalentSupport => "talent_support",
        /// Tax and invoicing.
        TaxAndInvoicing => "tax_and_invoicing",
        /// Social insurance and housing fund registration.
        SocialInsurance => "social_insurance",
        /// Permits and licences for regulated activities.
        PermitsAndLicences => "permits_and_licences",
        /// Intellectual property: trademarks, patents, copyright.
        IntellectualProperty => "intellectual_property",
        /// Trade and customs: import, export, certificates of origin.
        TradeAndCustoms => "trade_and_customs",
        /// Legal services: notarisation, legal consultation for enterprises.
        LegalServices => "legal_services",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_through_text_and_serde() {
        for k in DisputeKind::ALL {
            assert_eq!(k.to_string().parse::<DisputeKind>(), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{k}\""));
            assert_eq!(serde_json::from_str::<DisputeKind>(&json).unwrap(), k);
        }
        for c in ServiceCategory::ALL {
            assert_eq!(c.to_string().parse::<ServiceCategory>(), Ok(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<ServiceCategory>(&json).unwrap(), c);
        }
    }

    #[test]
    fn unknown_names_are_refused_with_the_input() {
        assert_eq!(
            "Labour".parse::<DisputeKind>(),
            Err(ParseMatterError {
                what: "dispute kind",
                input: "Labour".to_owned()
            })
        );
        assert!("".parse::<ServiceCategory>().is_err());
        assert!(serde_json::from_str::<ServiceCategory>("\"taxes\"").is_err());
    }
}
