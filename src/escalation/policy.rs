//! [`EscalationPolicy`]: where handling starts, the ceiling it should not
//! pass, and how long each tier has.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::calendar::TimeLimit;
use crate::id::PolicyId;
use crate::org::Need;
use crate::tier::{Severity, Tier};

/// Names one version of one policy. A case records the reference it started
/// under and keeps it, whatever policies are published later.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PolicyRef {
    /// The policy's id.
    pub id: PolicyId,
    /// Its version.
    pub version: u32,
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} v{}", self.id, self.version)
    }
}

/// The tiers a matter of one severity moves between: it starts at `start`
/// and should not pass `ceiling` without an override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Band {
    /// The tier where handling starts.
    pub start: Tier,
    /// The highest tier it may reach without an override.
    pub ceiling: Tier,
}

impl Band {
    /// A band from `start` up to `ceiling`.
    pub const fn new(start: Tier, ceiling: Tier) -> Self {
        Self { start, ceiling }
    }
}

/// A band that applies to one kind of matter at one severity, overriding the
/// policy's general band for that severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KindBand {
    /// The kind of matter (a mediation of a dispute kind, a service
    /// category, ...).
    pub need: Need,
    /// The severity it applies to.
    pub severity: Severity,
    /// The band.
    pub band: Band,
}

/// Why an escalation policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A band starts above its ceiling.
    #[error("policy {policy}: the {severity} band starts at {start}, above its ceiling {ceiling}")]
    StartAboveCeiling {
        /// The policy.
        policy: PolicyRef,
        /// The severity of the band.
        severity: Severity,
        /// Its start.
        start: Tier,
        /// Its ceiling.
        ceiling: Tier,
    },
    /// A severity has no band.
    #[error("policy {policy} has no band for {severity} matters")]
    MissingBand {
        /// The policy.
        policy: PolicyRef,
        /// The severity without a band.
        severity: Severity,
    },
    /// A severity's band is given twice.
    #[error("policy {policy} gives the band for {severity} matters twice")]
    DuplicateBand {
        /// The policy.
        policy: PolicyRef,
        /// The severity given twice.
        severity: Severity,
    },
    /// A time limit of zero.
    #[error("policy {policy}: the time limit at the {tier} tier must be positive")]
    ZeroLimit {
        /// The policy.
        policy: PolicyRef,
        /// The tier.
        tier: Tier,
    },
    /// A higher severity starts or ends lower than a smaller one: bands must
    /// not get smaller as matters get bigger.
    #[error("policy {policy}: {severity} matters must not start or end below smaller ones")]
    BandsNotMonotonic {
        /// The policy.
        policy: PolicyRef,
        /// The first severity whose band is lower than the one before.
        severity: Severity,
    },
    /// A supervision interval of zero.
    #[error("policy {policy}: the supervision interval must be positive")]
    ZeroSupervision {
        /// The policy.
        policy: PolicyRef,
    },
    /// A policy with the same id and version is already in the book.
    #[error("policy {policy} is already in the book")]
    DuplicatePolicy {
        /// The policy.
        policy: PolicyRef,
    },
}

/// An escalation policy: for each severity (and optionally each kind of
/// matter) the tier where handling starts and the ceiling; the time limit at
/// each tier; and how long supervision waits between a reminder and a written
/// notice.
///
/// Policies are versioned values. Build one with [`EscalationPolicy::new`]
/// and the `try_with_*` methods, take [`EscalationPolicy::report_default`],
/// or load one from serde — which validates the same way.
///
/// ```
/// use grassroots::escalation::{Band, EscalationPolicy};
/// use grassroots::tier::{Severity, Tier};
///
/// let policy = EscalationPolicy::report_default();
/// // Small matters stay in the park, big matters stay in the community.
/// assert_eq!(policy.band(None, Severity::Minor).ceiling, Tier::Estate);
/// assert_eq!(policy.band(None, Severity::Serious).ceiling, Tier::Community);
///
/// let json = serde_json::to_string(&policy)?;
/// let back: EscalationPolicy = serde_json::from_str(&json)?;
/// assert_eq!(back, policy);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PolicyData", into = "PolicyData")]
pub struct EscalationPolicy {
    reference: PolicyRef,
    bands: [Band; 4],
    kinds: Vec<KindBand>,
    limits: BTreeMap<Tier, TimeLimit>,
    supervision: TimeLimit,
}

fn severity_index(severity: Severity) -> usize {
    severity as usize
}

impl EscalationPolicy {
    /// A policy from one band per severity (smallest first: minor, moderate,
    /// serious, critical), with no time limits yet and supervision notices
    /// three working days after a reminder.
    ///
    /// # Errors
    ///
    /// [`PolicyError::StartAboveCeiling`] or
    /// [`PolicyError::BandsNotMonotonic`].
    pub fn new(id: PolicyId, version: u32, bands: [Band; 4]) -> Result<Self, PolicyError> {
        let policy = Self {
            reference: PolicyRef { id, version },
            bands,
            kinds: Vec::new(),
            limits: BTreeMap::new(),
            supervision: TimeLimit::WorkingDays(3),
        };
        policy.check_bands()?;
        Ok(policy)
    }

    /// The report's rule, "small matters stay in the park, big matters stay
    /// in the community", as policy `report-default` version 1, with
    /// defaults of ours around it:
    ///
    /// | severity | starts at | ceiling |
    /// |---|---|---|
    /// | minor | grid *(ours)* | estate/park **(the report)** |
    /// | moderate | estate/park *(ours)* | community *(ours)* |
    /// | serious | community *(ours)* | community **(the report)** |
    /// | critical | community *(ours)* | district *(ours)* |
    ///
    /// Only the two ceilings marked "the report" are the report's rule:
    /// small (minor) matters do not leave the park, big (serious) ones do
    /// not leave the community. Everything else is a default of this crate,
    /// not the report's and not the law's: the start tiers, the moderate
    /// ceiling, the critical → district step, and the time limits — 3
    /// (grid), 5 (estate), 10 (community), 15 (subdistrict) and 30
    /// (district, municipal) working days per tier, and a written
    /// supervision notice 3 working days after its reminder. Replace any of
    /// them with [`EscalationPolicy::new`], [`try_with_limit`](Self::try_with_limit),
    /// [`try_with_kind_band`](Self::try_with_kind_band) and
    /// [`try_with_supervision`](Self::try_with_supervision), and publish the
    /// result in a [`PolicyBook`](super::PolicyBook).
    pub fn report_default() -> Self {
        let limits = [
            (Tier::Grid, 3),
            (Tier::Estate, 5),
            (Tier::Community, 10),
            (Tier::Subdistrict, 15),
            (Tier::District, 30),
            (Tier::Municipal, 30),
        ]
        .into_iter()
        .map(|(t, d)| (t, TimeLimit::WorkingDays(d)))
        .collect();
        Self {
            reference: PolicyRef {
                id: PolicyId::new("report-default").expect("a valid id"),
                version: 1,
            },
            bands: [
                Band::new(Tier::Grid, Tier::Estate),
                Band::new(Tier::Estate, Tier::Community),
                Band::new(Tier::Community, Tier::Community),
                Band::new(Tier::Community, Tier::District),
            ],
            kinds: Vec::new(),
            limits,
            supervision: TimeLimit::WorkingDays(3),
        }
    }

    /// Sets the time limit at `tier`.
    ///
    /// # Errors
    ///
    /// [`PolicyError::ZeroLimit`] for a limit of zero.
    pub fn try_with_limit(mut self, tier: Tier, limit: TimeLimit) -> Result<Self, PolicyError> {
        if limit.amount() == 0 {
            return Err(PolicyError::ZeroLimit {
                policy: self.reference.clone(),
                tier,
            });
        }
        self.limits.insert(tier, limit);
        Ok(self)
    }

    /// Sets how long supervision waits after its reminder before issuing a
    /// written notice.
    ///
    /// # Errors
    ///
    /// [`PolicyError::ZeroLimit`] for a limit of zero.
    pub fn try_with_supervision(mut self, limit: TimeLimit) -> Result<Self, PolicyError> {
        if limit.amount() == 0 {
            return Err(PolicyError::ZeroSupervision {
                policy: self.reference.clone(),
            });
        }
        self.supervision = limit;
        Ok(self)
    }

    /// Gives one kind of matter its own band at one severity (a labour
    /// dispute of moderate severity may start at the community, say).
    ///
    /// Kind bands are exceptions and are not held to the rule that bigger
    /// matters get bands at least as high as smaller ones.
    ///
    /// # Errors
    ///
    /// [`PolicyError::StartAboveCeiling`].
    pub fn try_with_kind_band(
        mut self,
        need: Need,
        severity: Severity,
        band: Band,
    ) -> Result<Self, PolicyError> {
        if band.start > band.ceiling {
            return Err(PolicyError::StartAboveCeiling {
                policy: self.reference.clone(),
                severity,
                start: band.start,
                ceiling: band.ceiling,
            });
        }
        self.kinds
            .retain(|k| !(k.need == need && k.severity == severity));
        self.kinds.push(KindBand {
            need,
            severity,
            band,
        });
        Ok(self)
    }

    /// The policy's id and version.
    pub fn reference(&self) -> &PolicyRef {
        &self.reference
    }

    /// The band for a matter of `severity` (and, if given, of kind `need`:
    /// a kind band wins over the general one).
    pub fn band(&self, need: Option<&Need>, severity: Severity) -> Band {
        need.and_then(|need| {
            self.kinds
                .iter()
                .find(|k| k.need == *need && k.severity == severity)
        })
        .map_or(self.bands[severity_index(severity)], |k| k.band)
    }

    /// The time limit at `tier`, if the policy sets one. A tier without one
    /// never times out.
    pub fn limit(&self, tier: Tier) -> Option<TimeLimit> {
        self.limits.get(&tier).copied()
    }

    /// How long supervision waits after a reminder before a written notice.
    pub fn supervision(&self) -> TimeLimit {
        self.supervision
    }

    fn check_bands(&self) -> Result<(), PolicyError> {
        for (severity, band) in Severity::ALL.into_iter().zip(self.bands) {
            if band.start > band.ceiling {
                return Err(PolicyError::StartAboveCeiling {
                    policy: self.reference.clone(),
                    severity,
                    start: band.start,
                    ceiling: band.ceiling,
                });
            }
        }
        for (i, pair) in self.bands.windows(2).enumerate() {
            if pair[1].start < pair[0].start || pair[1].ceiling < pair[0].ceiling {
                return Err(PolicyError::BandsNotMonotonic {
                    policy: self.reference.clone(),
                    severity: Severity::ALL[i + 1],
                });
            }
        }
        Ok(())
    }
}

/// The serialised form of a policy: plain lists, validated on the way in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyData {
    id: PolicyId,
    version: u32,
    bands: Vec<SeverityBand>,
    #[serde(default)]
    kinds: Vec<KindBand>,
    #[serde(default)]
    limits: BTreeMap<Tier, TimeLimit>,
    supervision: TimeLimit,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeverityBand {
    severity: Severity,
    start: Tier,
    ceiling: Tier,
}

impl TryFrom<PolicyData> for EscalationPolicy {
    type Error = PolicyError;
    fn try_from(data: PolicyData) -> Result<Self, PolicyError> {
        let reference = PolicyRef {
            id: data.id,
            version: data.version,
        };
        let mut bands: [Option<Band>; 4] = [None; 4];
        for b in &data.bands {
            let slot = &mut bands[severity_index(b.severity)];
            if slot.is_some() {
                return Err(PolicyError::DuplicateBand {
                    policy: reference,
                    severity: b.severity,
                });
            }
            *slot = Some(Band::new(b.start, b.ceiling));
        }
        let mut full = [Band::new(Tier::Grid, Tier::Grid); 4];
        for (i, band) in bands.into_iter().enumerate() {
            full[i] = band.ok_or(PolicyError::MissingBand {
                policy: reference.clone(),
                severity: Severity::ALL[i],
            })?;
        }
        let mut policy = EscalationPolicy::new(reference.id, reference.version, full)?;
        for k in data.kinds {
            policy = policy.try_with_kind_band(k.need, k.severity, k.band)?;
        }
        for (tier, limit) in data.limits {
            policy = policy.try_with_limit(tier, limit)?;
        }
        policy.try_with_supervision(data.supervision)
    }
}

impl From<EscalationPolicy> for PolicyData {
    fn from(p: EscalationPolicy) -> Self {
        PolicyData {
            id: p.reference.id,
            version: p.reference.version,
            bands: Severity::ALL
                .into_iter()
                .zip(p.bands)
                .map(|(severity, b)| SeverityBand {
                    severity,
                    start: b.start,
                    ceiling: b.ceiling,
                })
                .collect(),
            kinds: p.kinds,
            limits: p.limits,
            supervision: p.supervision,
        }
    }
}

/// Every published policy version, and which one new cases start under.
///
/// A ladder looks up a case's policy by the [`PolicyRef`] recorded when it
/// started, so publishing a new version never changes a running case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyBook {
    policies: BTreeMap<PolicyRef, EscalationPolicy>,
    current: PolicyRef,
}

impl PolicyBook {
    /// A book holding one policy, which new cases start under.
    pub fn new(policy: EscalationPolicy) -> Self {
        let current = policy.reference.clone();
        let mut policies = BTreeMap::new();
        policies.insert(current.clone(), policy);
        Self { policies, current }
    }

    /// Publishes `policy`: new cases start under it; running cases keep
    /// theirs.
    ///
    /// # Errors
    ///
    /// [`PolicyError::DuplicatePolicy`] when that id and version is already
    /// in the book (a published version never changes).
    pub fn try_publish(&mut self, policy: EscalationPolicy) -> Result<(), PolicyError> {
        let reference = policy.reference.clone();
        if self.policies.contains_key(&reference) {
            return Err(PolicyError::DuplicatePolicy { policy: reference });
        }
        self.policies.insert(reference.clone(), policy);
        self.current = reference;
        Ok(())
    }

    /// The policy new cases start under.
    pub fn current(&self) -> &EscalationPolicy {
        &self.policies[&self.current]
    }

    /// The policy with that reference, if published.
    pub fn get(&self, reference: &PolicyRef) -> Option<&EscalationPolicy> {
        self.policies.get(reference)
    }
}

impl Default for PolicyBook {
    fn default() -> Self {
        Self::new(EscalationPolicy::report_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> PolicyId {
        PolicyId::new("p").unwrap()
    }

    #[test]
    fn a_band_may_not_start_above_its_ceiling() {
        let err = EscalationPolicy::new(
            id(),
            1,
            [
                Band::new(Tier::Community, Tier::Estate),
                Band::new(Tier::Community, Tier::Community),
                Band::new(Tier::Community, Tier::Community),
                Band::new(Tier::Community, Tier::Community),
            ],
        )
        .unwrap_err();
        assert!(matches!(
            err,
            PolicyError::StartAboveCeiling {
                severity: Severity::Minor,
                ..
            }
        ));
    }

    #[test]
    fn bigger_matters_may_not_get_a_lower_band() {
        let err = EscalationPolicy::new(
            id(),
            1,
            [
                Band::new(Tier::Estate, Tier::Community),
                Band::new(Tier::Grid, Tier::Community),
                Band::new(Tier::Community, Tier::Community),
                Band::new(Tier::Community, Tier::District),
            ],
        )
        .unwrap_err();
        assert!(matches!(
            err,
            PolicyError::BandsNotMonotonic {
                severity: Severity::Moderate,
                ..
            }
        ));
    }

    #[test]
    fn a_kind_band_wins_over_the_general_one() {
        use crate::matter::DisputeKind;
        let labour = Need::Mediation(DisputeKind::Labour);
        let policy = EscalationPolicy::report_default()
            .try_with_kind_band(
                labour,
                Severity::Moderate,
                Band::new(Tier::Community, Tier::Subdistrict),
            )
            .unwrap();
        assert_eq!(
            policy.band(Some(&labour), Severity::Moderate),
            Band::new(Tier::Community, Tier::Subdistrict)
        );
        assert_eq!(
            policy.band(None, Severity::Moderate),
            Band::new(Tier::Estate, Tier::Community)
        );
    }

    #[test]
    fn a_policy_is_validated_when_deserialised() {
        let good = serde_json::to_value(EscalationPolicy::report_default()).unwrap();
        let mut missing = good.clone();
        missing["bands"].as_array_mut().unwrap().pop();
        let err = serde_json::from_value::<EscalationPolicy>(missing).unwrap_err();
        assert!(err.to_string().contains("no band for critical"), "{err}");

        let mut zero = good.clone();
        zero["limits"]["grid"] = serde_json::json!({"working_days": 0});
        let err = serde_json::from_value::<EscalationPolicy>(zero).unwrap_err();
        assert!(
            err.to_string().contains("grid tier must be positive"),
            "{err}"
        );

        let mut upside_down = good;
        upside_down["bands"][0]["start"] = serde_json::json!("district");
        assert!(serde_json::from_value::<EscalationPolicy>(upside_down).is_err());
    }

    #[test]
    fn a_published_version_never_changes() {
        let mut book = PolicyBook::default();
        let err = book
            .try_publish(EscalationPolicy::report_default())
            .unwrap_err();
        assert!(matches!(err, PolicyError::DuplicatePolicy { .. }));
        let v2 = EscalationPolicy::new(
            PolicyId::new("report-default").unwrap(),
            2,
            EscalationPolicy::report_default().bands,
        )
        .unwrap();
        book.try_publish(v2).unwrap();
        assert_eq!(book.current().reference().version, 2);
        assert!(
            book.get(&PolicyRef {
                id: PolicyId::new("report-default").unwrap(),
                version: 1
            })
            .is_some()
        );
    }
}
