//! `config-aggregator-organization`: an organization-wide AWS Config aggregator, gathering every
//! scanned Region, exists in the delegated administrator for AWS Config.
//!
//! One finding for the organization (resource: `config.amazonaws.com`, the service principal the
//! delegated administrator is registered for, as `delegated-admin-not-management` names it).
//! Aggregators are regional, so collect reads them in every scanned Region of each delegated
//! administrator for `config.amazonaws.com`, or of the management account when none is
//! registered. An aggregator counts when its source is the organization
//! (`OrganizationAggregationSource`) and it gathers all AWS Regions or at least every scanned
//! one; an aggregator of named accounts does not, since accounts that join later are left out.
//!
//! PASS when a delegated administrator holds one. FAIL when none does, and also when only the
//! management account holds one because AWS Config has no delegated administrator: landing zones
//! run Config's organization view from the security tooling (audit) account, and the management
//! account, which SCPs cannot restrict, is kept for the tasks that need it. ERROR when the
//! delegated administrators, or the aggregators of an account and Region where one might be,
//! could not be read, or the snapshot holds no aggregator facts.
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{Collected, ConfigAggregator, RegionalAggregators, ScanFacts};
use crate::finding::{Outcome, Status};

use super::{describe_error, error_evidence, unread_outcome};

/// The finding's resource: the service principal of AWS Config's aggregators.
const RESOURCE: &str = "config.amazonaws.com";

/// Judges where the organization's AWS Config aggregator is.
pub(crate) fn evaluate(facts: &ScanFacts) -> Vec<Outcome> {
    let organization = &facts.organization;
    let management = organization.management_account_id.as_str();
    let Some(aggregation) = &organization.config_aggregators else {
        return vec![Outcome::new(
            None,
            RESOURCE,
            Status::Error,
            "the AWS Config aggregators were not read: the snapshot was made by a posture that \
             did not read them; scan again",
        )];
    };
    let admins = match &aggregation.delegated_admins {
        Collected::Error(err) => {
            return vec![unread_outcome(
                None,
                RESOURCE,
                "the delegated administrators for AWS Config (config.amazonaws.com)",
                "delegated administrators",
                err,
            )];
        }
        Collected::Ok(admins) => admins,
    };
    let holder = if admins.is_empty() {
        format!("the management account {management} (AWS Config has no delegated administrator)")
    } else {
        format!("the delegated administrator {}", admins.join(", "))
    };

    let mut outcome = Outcome::new(None, RESOURCE, Status::Pass, String::new())
        .with("management account", management)
        .with(
            "delegated administrators (config.amazonaws.com)",
            if admins.is_empty() {
                "none".to_owned()
            } else {
                admins.join(", ")
            },
        );
    let mut covering: Vec<(&RegionalAggregators, &ConfigAggregator)> = Vec::new();
    let mut shortfalls: Vec<String> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    for regional in &aggregation.regions {
        let place = format!("{} in {}", regional.account_id, regional.region);
        match &regional.aggregators {
            Collected::Error(err) => {
                unread.push(format!("{place}: {}", describe_error(err)));
                outcome = outcome.with(&format!("aggregators of {place}"), error_evidence(err));
            }
            Collected::Ok(aggregators) => {
                if aggregators.is_empty() {
                    outcome = outcome.with(&format!("aggregators of {place}"), "none");
                }
                for aggregator in aggregators {
                    let label = format!("aggregator {} ({place})", aggregator.name);
                    outcome = outcome.with(&label, gathers(aggregator));
                    match missing_regions(aggregator, &facts.regions) {
                        None => shortfalls.push(format!(
                            "{} ({place}) gathers named accounts, not the organization",
                            aggregator.name
                        )),
                        Some(missing) if missing.is_empty() => {
                            covering.push((regional, aggregator))
                        }
                        Some(missing) => shortfalls.push(format!(
                            "{} ({place}) does not gather {}",
                            aggregator.name,
                            missing.join(", ")
                        )),
                    }
                }
            }
        }
    }

    let (status, reason) = match covering.first() {
        Some((regional, aggregator)) if !admins.is_empty() => (
            Status::Pass,
            format!(
                "the organization aggregator {} in the delegated administrator {} ({}) gathers {}",
                aggregator.name,
                regional.account_id,
                regional.region,
                if aggregator
                    .organization_source
                    .as_ref()
                    .is_some_and(|s| s.all_aws_regions)
                {
                    "all AWS Regions"
                } else {
                    "every scanned Region"
                }
            ),
        ),
        Some((regional, aggregator)) => (
            Status::Fail,
            format!(
                "the organization aggregator {} is in the management account {} ({}): AWS \
                 Config has no delegated administrator to run it from the security tooling \
                 account",
                aggregator.name, regional.account_id, regional.region
            ),
        ),
        None if !unread.is_empty() => (
            Status::Error,
            format!(
                "cannot tell whether {holder} has an organization aggregator: {}",
                unread.join("; ")
            ),
        ),
        None => {
            let seen = if shortfalls.is_empty() {
                String::new()
            } else {
                format!(" ({})", shortfalls.join("; "))
            };
            (
                Status::Fail,
                format!(
                    "no organization aggregator gathering every scanned Region is in \
                     {holder}{seen}"
                ),
            )
        }
    };
    outcome.status = status;
    outcome.reason = reason;
    vec![outcome]
}

/// The scanned Regions an organization aggregator leaves out (empty: none); `None` for an
/// aggregator of named accounts.
fn missing_regions<'a>(
    aggregator: &ConfigAggregator,
    scanned: &'a [String],
) -> Option<Vec<&'a str>> {
    let source = aggregator.organization_source.as_ref()?;
    Some(if source.all_aws_regions {
        Vec::new()
    } else {
        scanned
            .iter()
            .map(String::as_str)
            .filter(|r| !source.aws_regions.iter().any(|a| a == r))
            .collect()
    })
}

/// `organization, all AWS Regions`; `organization: us-east-1, eu-west-1`; `accounts: 1111, 2222`.
fn gathers(aggregator: &ConfigAggregator) -> String {
    match &aggregator.organization_source {
        Some(source) if source.all_aws_regions => "organization, all AWS Regions".to_owned(),
        Some(source) => format!("organization: {}", source.aws_regions.join(", ")),
        None => format!("accounts: {}", aggregator.account_ids.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{MGMT, assert_verdict, error, organization};
    use super::*;
    use crate::facts::{AggregatedRegions, ConfigAggregators};

    const AUDIT: &str = "333333333333";
    const US: &str = "us-east-1";
    const EU: &str = "eu-west-1";

    fn run(aggregators: Option<ConfigAggregators>) -> Outcome {
        let mut org = organization();
        org.config_aggregators = aggregators;
        let facts = ScanFacts {
            organization: org,
            accounts: Vec::new(),
            skipped_accounts: Vec::new(),
            regions: vec![US.to_owned(), EU.to_owned()],
        };
        let mut outcomes = evaluate(&facts);
        assert_eq!(outcomes.len(), 1, "{outcomes:?}");
        let outcome = outcomes.remove(0);
        assert_eq!(outcome.resource, RESOURCE);
        assert_eq!(outcome.region, None);
        outcome
    }

    fn organization_aggregator(name: &str, regions: &[&str]) -> ConfigAggregator {
        ConfigAggregator {
            name: name.to_owned(),
            arn: format!("arn:aws:config:us-east-1:{AUDIT}:config-aggregator/{name}"),
            organization_source: Some(AggregatedRegions {
                all_aws_regions: regions.is_empty(),
                aws_regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            }),
            account_ids: Vec::new(),
        }
    }

    /// `holder`'s aggregators: `us` in us-east-1, none in eu-west-1.
    fn read_in(holder: &str, us: Collected<Vec<ConfigAggregator>>) -> Vec<RegionalAggregators> {
        vec![
            RegionalAggregators {
                account_id: holder.to_owned(),
                region: US.to_owned(),
                aggregators: us,
            },
            RegionalAggregators {
                account_id: holder.to_owned(),
                region: EU.to_owned(),
                aggregators: Collected::Ok(Vec::new()),
            },
        ]
    }

    fn delegated(us: Collected<Vec<ConfigAggregator>>) -> Option<ConfigAggregators> {
        Some(ConfigAggregators {
            delegated_admins: Collected::Ok(vec![AUDIT.to_owned()]),
            regions: read_in(AUDIT, us),
        })
    }

    #[test]
    fn passes_with_an_organization_aggregator_in_the_delegated_administrator() {
        let outcome = run(delegated(Collected::Ok(vec![organization_aggregator(
            "org",
            &[],
        )])));
        assert_verdict(
            "all Regions",
            &outcome,
            Status::Pass,
            "the organization aggregator org in the delegated administrator 333333333333 \
             (us-east-1) gathers all AWS Regions",
        );
        assert_eq!(
            outcome.evidence["aggregator org (333333333333 in us-east-1)"],
            "organization, all AWS Regions"
        );
        assert_eq!(
            outcome.evidence["aggregators of 333333333333 in eu-west-1"],
            "none"
        );
        assert_eq!(
            outcome.evidence["delegated administrators (config.amazonaws.com)"],
            AUDIT
        );

        let named = run(delegated(Collected::Ok(vec![organization_aggregator(
            "org",
            &[EU, US, "ap-south-1"],
        )])));
        assert_verdict(
            "named Regions",
            &named,
            Status::Pass,
            "gathers every scanned Region",
        );
    }

    #[test]
    fn fails_without_one_naming_what_falls_short() {
        let nothing = run(delegated(Collected::Ok(Vec::new())));
        assert_verdict(
            "nothing",
            &nothing,
            Status::Fail,
            "no organization aggregator gathering every scanned Region is in the delegated \
             administrator 333333333333",
        );
        let accounts = ConfigAggregator {
            organization_source: None,
            account_ids: vec![MGMT.to_owned(), AUDIT.to_owned()],
            ..organization_aggregator("some-accounts", &[])
        };
        let short = run(delegated(Collected::Ok(vec![
            accounts,
            organization_aggregator("home-only", &[US]),
        ])));
        assert_verdict(
            "short",
            &short,
            Status::Fail,
            "(some-accounts (333333333333 in us-east-1) gathers named accounts, not the \
             organization; home-only (333333333333 in us-east-1) does not gather eu-west-1)",
        );
        assert_eq!(
            short.evidence["aggregator some-accounts (333333333333 in us-east-1)"],
            "accounts: 111111111111, 333333333333"
        );
    }

    #[test]
    fn fails_when_only_the_management_account_holds_it() {
        let outcome = run(Some(ConfigAggregators {
            delegated_admins: Collected::Ok(Vec::new()),
            regions: read_in(
                MGMT,
                Collected::Ok(vec![organization_aggregator("org", &[])]),
            ),
        }));
        assert_verdict(
            "management",
            &outcome,
            Status::Fail,
            "the organization aggregator org is in the management account 111111111111 \
             (us-east-1): AWS Config has no delegated administrator",
        );
        assert_eq!(
            outcome.evidence["delegated administrators (config.amazonaws.com)"],
            "none"
        );
        let nothing = run(Some(ConfigAggregators {
            delegated_admins: Collected::Ok(Vec::new()),
            regions: read_in(MGMT, Collected::Ok(Vec::new())),
        }));
        assert_verdict(
            "nowhere",
            &nothing,
            Status::Fail,
            "no organization aggregator gathering every scanned Region is in the management \
             account 111111111111 (AWS Config has no delegated administrator)",
        );
    }

    #[test]
    fn what_could_not_be_read_is_error_unless_an_aggregator_was_found() {
        let denied = || error("config", "DescribeConfigurationAggregators", "AccessDenied");
        let unread = run(delegated(Collected::Error(denied())));
        assert_verdict(
            "unread Region",
            &unread,
            Status::Error,
            "cannot tell whether the delegated administrator 333333333333 has an organization \
             aggregator: 333333333333 in us-east-1: config:DescribeConfigurationAggregators \
             failed: AccessDenied",
        );
        assert!(
            unread.evidence["aggregators of 333333333333 in us-east-1"].starts_with("not read: ")
        );

        // One found in a Region that could be read is enough.
        let mut regions = read_in(AUDIT, Collected::Error(denied()));
        regions[1].aggregators = Collected::Ok(vec![organization_aggregator("org", &[])]);
        let found = run(Some(ConfigAggregators {
            delegated_admins: Collected::Ok(vec![AUDIT.to_owned()]),
            regions,
        }));
        assert_verdict(
            "found",
            &found,
            Status::Pass,
            "(eu-west-1) gathers all AWS Regions",
        );

        let admins = run(Some(ConfigAggregators {
            delegated_admins: Collected::Error(error(
                "organizations",
                "ListDelegatedAdministrators",
                "AccessDenied",
            )),
            regions: Vec::new(),
        }));
        assert_verdict(
            "admins unread",
            &admins,
            Status::Error,
            "the delegated administrators for AWS Config (config.amazonaws.com) could not be read",
        );

        let old = run(None);
        assert_verdict(
            "old snapshot",
            &old,
            Status::Error,
            "the AWS Config aggregators were not read",
        );
    }
}
