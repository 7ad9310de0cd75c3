//! The kinds of matter the library handles: [`DisputeKind`] for people's
//! mediation and [`ServiceCategory`] for the service hall's enterprise items
//! and the other matters residents and enterprises bring (a 12345 work
//! order's noise complaint is a `Custom` service category).
//!
//! Both the organisation graph (what a body is able to handle) and the
//! workflows (what a case is about) use these, so they live on the ground
//! floor. Each lists the report's names as variants, with a stable
//! snake_case name used by serde, [`Display`](std::fmt::Display) and
//! [`FromStr`], and a `Custom` variant for a city's own names (see
//! [`vocabulary`](crate::vocabulary) for the rule a custom name follows).
//!
//! ```
//! use grassroots::matter::{DisputeKind, ServiceCategory};
//! use grassroots::vocabulary::{Name, VocabularyError};
//!
//! let kind: DisputeKind = "property_management".parse()?;
//! assert_eq!(kind, DisputeKind::PropertyManagement);
//! assert_eq!(kind.to_string(), "property_management");
//! assert_eq!(ServiceCategory::ALL.len(), 9);
//! assert_eq!(
//!     serde_json::to_string(&ServiceCategory::FundingSupport).unwrap(),
//!     "\"funding_support\""
//! );
//! let tenancy: DisputeKind = "tenancy".parse()?;
//! assert_eq!(tenancy, DisputeKind::Custom(Name::from_static("tenancy")));
//! assert!("Bribery!".parse::<DisputeKind>().is_err());
//! # Ok::<(), VocabularyError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::vocabulary::{Name, ParseVisitor, Vocabulary, VocabularyError};

macro_rules! matter_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $vocabulary:ident, $count:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
        $(#[$cmeta:meta])*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            $(#[$cmeta])*
            Custom(Name),
        }

        impl $name {
            /// Every built-in value (the report's names), in declaration
            /// order. Custom values are not listed.
            pub const ALL: [$name; $count] = [ $( $name::$variant, )+ ];

            /// The snake_case name, as used in serde and
            /// [`Display`](fmt::Display); a custom value's own name.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Custom(name) => name.as_str(),
                }
            }

            /// The built-in value named `name`, if there is one.
            const fn built_in(name: &str) -> Option<$name> {
                $( if crate::vocabulary::eq_bytes(name.as_bytes(), $text.as_bytes()) {
                    return Some($name::$variant);
                } )+
                None
            }

            /// The value named by a literal, for constants: the built-in one
            /// for a built-in name, else a custom one.
            ///
            /// # Panics
            ///
            /// When `name` is neither a built-in name nor a valid custom
            /// [`Name`]; in a constant that is a compile-time error.
            pub const fn from_static(name: &'static str) -> $name {
                match $name::built_in(name) {
                    Some(value) => value,
                    None => $name::Custom(Name::from_static(name)),
                }
            }

            /// The position of a built-in value in [`Self::ALL`]; `None`
            /// for a custom value.
            pub(crate) const fn ordinal(&self) -> Option<u32> {
                let mut i = 0;
                $(
                    if matches!(self, $name::$variant) {
                        return Some(i);
                    }
                    i += 1;
                )+
                let _ = i;
                None
            }

            /// Whether this is a custom value, not one of the report's.
            pub const fn is_custom(&self) -> bool {
                matches!(self, $name::Custom(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = VocabularyError;
            /// The built-in value of that name, else a custom value.
            ///
            /// # Errors
            ///
            /// [`VocabularyError`] when the text is no built-in name and
            /// breaks the rule of [`Name::new`].
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match $name::built_in(s) {
                    Some(value) => Ok(value),
                    None => Name::new(s)
                        .map($name::Custom)
                        .map_err(|reason| VocabularyError::new(Vocabulary::$vocabulary, s, reason)),
                }
            }
        }

        impl From<Name> for $name {
            fn from(name: Name) -> Self {
                $name::Custom(name)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(ParseVisitor::<$name>::new(concat!("a ", stringify!($name), " name")))
            }
        }
    };
}

matter_enum! {
    /// The kind of a dispute (矛盾纠纷) brought to people's mediation.
    DisputeKind, DisputeKind, 6 {
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
    /// A dispute kind of the city's own (a renovation dispute, a tenancy
    /// dispute, ...). The law ties no rule to it: like the non-commercial
    /// kinds it has no statutory limit, and litigation and administrative
    /// handling stay open when it is not settled.
}

matter_enum! {
    /// The category of an enterprise service item in the service hall's
    /// catalogue (the report: 168 items in 9 categories), and through
    /// `Custom` any other matter a body handles for a resident or an
    /// enterprise: a 12345 work order's noise complaint is
    /// `Capability::Service(ServiceCategory::from_static("noise"))`, and the
    /// body that handles noise declares the same capability in the graph.
    ServiceCategory, ServiceCategory, 9 {
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
    /// A category of the city's own (renovation filings, ...), named in
    /// the catalogue like the built-in ones.
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::NameError;

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
    fn built_in_names_keep_their_json() {
        let kinds = serde_json::to_string(&DisputeKind::ALL).unwrap();
        assert_eq!(
            kinds,
            r#"["labour","commercial","neighbour","property_management","consumer","other"]"#
        );
        let categories = serde_json::to_string(&[
            ServiceCategory::BusinessRegistration,
            ServiceCategory::TaxAndInvoicing,
            ServiceCategory::LegalServices,
        ])
        .unwrap();
        assert_eq!(
            categories,
            r#"["business_registration","tax_and_invoicing","legal_services"]"#
        );
    }

    #[test]
    fn a_custom_name_is_a_custom_value_and_a_built_in_name_never_is() {
        let tenancy: DisputeKind = "tenancy".parse().unwrap();
        assert_eq!(tenancy, DisputeKind::Custom(Name::new("tenancy").unwrap()));
        assert!(tenancy.is_custom());
        assert_eq!(serde_json::to_string(&tenancy).unwrap(), "\"tenancy\"");
        assert_eq!(
            serde_json::from_str::<DisputeKind>("\"tenancy\"").unwrap(),
            tenancy
        );
        assert_eq!(DisputeKind::from_static("labour"), DisputeKind::Labour);
        assert!(!DisputeKind::Labour.is_custom());
        let renovation = ServiceCategory::from_static("renovation_filing");
        assert_eq!(renovation.as_str(), "renovation_filing");
        assert_eq!("renovation_filing".parse(), Ok(renovation));
    }

    #[test]
    fn malformed_names_are_refused_with_the_vocabulary_and_the_rule() {
        assert_eq!(
            "Labour".parse::<DisputeKind>(),
            Err(VocabularyError {
                vocabulary: Vocabulary::DisputeKind,
                input: "Labour".to_owned(),
                reason: NameError::Character { found: 'L', at: 0 },
            })
        );
        assert_eq!(
            "".parse::<ServiceCategory>().unwrap_err().reason,
            NameError::Empty
        );
        let err = serde_json::from_str::<ServiceCategory>("\"tax and fees\"").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("\"tax and fees\" is not a valid service category: it holds ' '"),
            "{err}"
        );
        assert!(serde_json::from_str::<DisputeKind>("7").is_err());
    }
}
