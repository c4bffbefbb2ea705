//! What a check is given to judge: the context of one account. Its own module, so that the check
//! modules and the registry that lists them both depend on it, and not on each other.

use crate::facts::{AccountFacts, OrganizationFacts, Regional, RegionalService};
use crate::finding::{Outcome, Status};

/// What an account-scope check sees: one scanned account, the organization-wide facts that apply
/// to it, the Regions of the scan, and the time of the evaluation (for ages; checks never read
/// the clock).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AccountContext<'a> {
    /// The account judged; its role was assumed (the runner handles accounts it could not reach).
    pub(crate) account: &'a AccountFacts,
    /// Facts read once for the whole organization (organization trails and analyzers).
    pub(crate) organization: &'a OrganizationFacts,
    /// The Regions scanned, in order.
    pub(crate) regions: &'a [String],
    /// When the evaluation happens, RFC 3339 (as given to [`super::evaluate`]).
    pub(crate) evaluated_at: &'a str,
    /// The limits of the age checks.
    pub(crate) thresholds: &'a super::Thresholds,
}

impl<'a> AccountContext<'a> {
    /// One outcome per scanned Region, in order: `judge` on the Region's facts of one regional
    /// service (`facts`, one of the account's regional fields), or ERROR with the reason when
    /// the snapshot holds none for the Region (it was made by a posture that did not read the
    /// service).
    pub(crate) fn per_region<T: RegionalService>(
        &self,
        facts: &'a [Regional<T>],
        mut judge: impl FnMut(&'a str, &'a T) -> Outcome,
    ) -> Vec<Outcome> {
        self.regions
            .iter()
            .map(|region| {
                let region = region.as_str();
                match facts.iter().find(|r| r.region == region) {
                    Some(regional) => judge(region, &regional.facts),
                    None => Outcome::new(
                        Some(region),
                        self.account.account_id.clone(),
                        Status::Error,
                        format!(
                            "{} was not read in {region}: the snapshot was made by a posture \
                             that did not read it; scan again",
                            T::NAME
                        ),
                    ),
                }
            })
            .collect()
    }
}
