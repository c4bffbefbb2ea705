//! `securityhub-enabled`: Security Hub is enabled in the account in every scanned Region, with at
//! least one security standard enabled.
//!
//! One finding per scanned Region (resource: the account id): PASS when the hub is enabled and a
//! standard is READY or PENDING; FAIL when the account is not subscribed to Security Hub there, or
//! no standard is enabled (none, or each INCOMPLETE, DELETING or FAILED); ERROR when the hub or its
//! standards could not be read, or when the snapshot holds no Security Hub facts for the Region (a
//! scan by a posture that did not read Security Hub).
//!
//! Why PENDING counts and INCOMPLETE does not: AWS reports PENDING while a standard is being
//! enabled and also while Security Hub adds new controls to a standard that is already enabled,
//! so failing it would fail healthy accounts whenever AWS ships controls; INCOMPLETE means
//! errors stopped the standard from being enabled (`StandardsStatusReason`, most often no AWS
//! Config recorder), so its controls do not run. DELETING and FAILED are a standard on its way
//! out, or a disabling that failed.
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{Collected, EnabledStandard, SecurityHub};
use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::unread_outcome;

/// The standard statuses that count as enabled (see the module's documentation).
const ENABLED_STATUSES: [&str; 2] = ["READY", "PENDING"];

/// Judges Security Hub in every scanned Region of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    ctx.per_region(
        &ctx.account.securityhub,
        |region, regional| match &regional.hub {
            Collected::Error(err) => unread_outcome(
                Some(region),
                account_id.clone(),
                &format!("Security Hub in {region}"),
                "hub",
                err,
            ),
            Collected::Ok(SecurityHub::NotEnabled { message }) => Outcome::new(
                Some(region),
                account_id.clone(),
                Status::Fail,
                format!(
                    "Security Hub is not enabled in {region}: the account is not subscribed \
                     (DescribeHub: InvalidAccessException)"
                ),
            )
            .with("hub", format!("not enabled: {message}")),
            Collected::Ok(SecurityHub::Enabled {
                hub_arn,
                subscribed_at,
                standards,
            }) => {
                let outcome = judge(account_id, region, standards).with("hub", hub_arn);
                match subscribed_at {
                    Some(at) => outcome.with("subscribed at", at),
                    None => outcome,
                }
            }
        },
    )
}

/// The verdict on an enabled hub, from its standards.
fn judge(account_id: &str, region: &str, standards: &Collected<Vec<EnabledStandard>>) -> Outcome {
    let standards = match standards {
        Collected::Ok(standards) => standards,
        Collected::Error(err) => {
            return unread_outcome(
                Some(region),
                account_id,
                &format!("Security Hub is enabled in {region}, but its standards"),
                "standards",
                err,
            );
        }
    };
    let enabled: Vec<String> = standards
        .iter()
        .filter(|s| ENABLED_STATUSES.contains(&s.status.as_str()))
        .map(|s| format!("{} ({})", standard_name(&s.standards_arn), s.status))
        .collect();
    let (status, reason) = if !enabled.is_empty() {
        (
            Status::Pass,
            format!(
                "Security Hub is enabled in {region} with {}",
                enabled.join(", ")
            ),
        )
    } else if standards.is_empty() {
        (
            Status::Fail,
            format!("Security Hub is enabled in {region} but no security standard is enabled"),
        )
    } else {
        let states: Vec<String> = standards.iter().map(described).collect();
        (
            Status::Fail,
            format!(
                "Security Hub is enabled in {region} but no security standard is enabled: {}",
                states.join(", ")
            ),
        )
    };
    let mut outcome = Outcome::new(Some(region), account_id.to_owned(), status, reason);
    if standards.is_empty() {
        outcome = outcome.with("standards", "none");
    }
    for standard in standards {
        outcome = outcome.with(
            &format!("standard {}", standard.standards_arn),
            status_text(standard),
        );
    }
    outcome
}

/// `cis-aws-foundations-benchmark/v/5.0.0` for a standard's ARN (`…::standards/<name>/v/<n>`,
/// or `…:::ruleset/<name>/v/<n>` for CIS v1.2.0); the ARN itself when it has neither form.
fn standard_name(arn: &str) -> &str {
    ["::standards/", ":::ruleset/"]
        .iter()
        .find_map(|marker| arn.split_once(marker).map(|(_, name)| name))
        .unwrap_or(arn)
}

/// A standard that does not count, and why: `pci-dss/v/3.2.1 is INCOMPLETE (NO_AVAILABLE_…)`.
fn described(standard: &EnabledStandard) -> String {
    format!(
        "{} is {}",
        standard_name(&standard.standards_arn),
        status_text(standard)
    )
}

/// `INCOMPLETE (NO_AVAILABLE_CONFIGURATION_RECORDER)`, or the status alone.
fn status_text(standard: &EnabledStandard) -> String {
    match &standard.status_reason {
        Some(reason) => format!("{} ({reason})", standard.status),
        None => standard.status.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ACCT, account, assert_verdict, context, error, organization};
    use super::*;
    use crate::facts::{AccountFacts, Regional, SecurityHubFacts};

    const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
    const FSBP: &str =
        "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";
    const CIS_1_2: &str = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0";
    const CIS_5: &str =
        "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0";

    fn run(account: &AccountFacts) -> Vec<Outcome> {
        let org = organization();
        let regions: Vec<String> = REGIONS.iter().map(|r| (*r).to_owned()).collect();
        evaluate(&context(account, &org, &regions))
    }

    fn standard(arn: &str, status: &str, reason: Option<&str>) -> EnabledStandard {
        EnabledStandard {
            standards_arn: arn.to_owned(),
            status: status.to_owned(),
            status_reason: reason.map(str::to_owned),
        }
    }

    fn enabled(region: &str, standards: Collected<Vec<EnabledStandard>>) -> Collected<SecurityHub> {
        Collected::Ok(SecurityHub::Enabled {
            hub_arn: format!("arn:aws:securityhub:{region}:{ACCT}:hub/default"),
            subscribed_at: Some("2025-01-01T00:00:00.000Z".to_owned()),
            standards,
        })
    }

    fn with(us: Collected<SecurityHub>, eu: Option<Collected<SecurityHub>>) -> AccountFacts {
        let mut a = account(ACCT);
        a.securityhub.push(Regional {
            region: "us-east-1".to_owned(),
            facts: SecurityHubFacts { hub: us },
        });
        if let Some(eu) = eu {
            a.securityhub.push(Regional {
                region: "eu-west-1".to_owned(),
                facts: SecurityHubFacts { hub: eu },
            });
        }
        a
    }

    #[test]
    fn passes_with_a_ready_or_pending_standard_in_each_region() {
        let outcomes = run(&with(
            enabled(
                "us-east-1",
                Collected::Ok(vec![
                    standard(FSBP, "READY", None),
                    standard(
                        CIS_1_2,
                        "INCOMPLETE",
                        Some("NO_AVAILABLE_CONFIGURATION_RECORDER"),
                    ),
                ]),
            ),
            Some(enabled(
                "eu-west-1",
                Collected::Ok(vec![standard(CIS_5, "PENDING", None)]),
            )),
        ));
        assert_eq!(outcomes.len(), 2);
        assert_verdict(
            "ready",
            &outcomes[0],
            Status::Pass,
            "Security Hub is enabled in us-east-1 with aws-foundational-security-best-practices/v/1.0.0 (READY)",
        );
        assert_eq!(outcomes[0].region.as_deref(), Some("us-east-1"));
        assert_eq!(
            outcomes[0].evidence[&format!("standard {CIS_1_2}")],
            "INCOMPLETE (NO_AVAILABLE_CONFIGURATION_RECORDER)"
        );
        assert_eq!(
            outcomes[0].evidence["hub"],
            format!("arn:aws:securityhub:us-east-1:{ACCT}:hub/default")
        );
        assert_verdict(
            "pending: being enabled, or gaining new controls",
            &outcomes[1],
            Status::Pass,
            "with cis-aws-foundations-benchmark/v/5.0.0 (PENDING)",
        );
        assert!(outcomes.iter().all(|o| o.resource == ACCT));
    }

    #[test]
    fn fails_without_a_hub_or_without_an_enabled_standard() {
        let outcomes = run(&with(
            Collected::Ok(SecurityHub::NotEnabled {
                message: "Account is not subscribed to AWS Security Hub".to_owned(),
            }),
            Some(enabled("eu-west-1", Collected::Ok(vec![]))),
        ));
        assert_verdict(
            "not subscribed",
            &outcomes[0],
            Status::Fail,
            "Security Hub is not enabled in us-east-1: the account is not subscribed",
        );
        assert_eq!(
            outcomes[0].evidence["hub"],
            "not enabled: Account is not subscribed to AWS Security Hub"
        );
        assert_verdict(
            "no standard",
            &outcomes[1],
            Status::Fail,
            "Security Hub is enabled in eu-west-1 but no security standard is enabled",
        );
        assert_eq!(outcomes[1].evidence["standards"], "none");

        let only_broken = run(&with(
            enabled(
                "us-east-1",
                Collected::Ok(vec![
                    standard(
                        CIS_1_2,
                        "INCOMPLETE",
                        Some("NO_AVAILABLE_CONFIGURATION_RECORDER"),
                    ),
                    standard(FSBP, "DELETING", None),
                ]),
            ),
            None,
        ));
        assert_verdict(
            "incomplete and deleting",
            &only_broken[0],
            Status::Fail,
            "no security standard is enabled: cis-aws-foundations-benchmark/v/1.2.0 is \
             INCOMPLETE (NO_AVAILABLE_CONFIGURATION_RECORDER), \
             aws-foundational-security-best-practices/v/1.0.0 is DELETING",
        );
    }

    #[test]
    fn errors_when_the_hub_or_its_standards_are_unread_or_not_in_the_snapshot() {
        let outcomes = run(&with(
            Collected::Error(error("securityhub", "DescribeHub", "AccessDeniedException")),
            Some(enabled(
                "eu-west-1",
                Collected::Error(error(
                    "securityhub",
                    "GetEnabledStandards",
                    "ThrottlingException",
                )),
            )),
        ));
        assert_verdict(
            "unread hub",
            &outcomes[0],
            Status::Error,
            "Security Hub in us-east-1 could not be read: securityhub:DescribeHub failed: AccessDeniedException",
        );
        assert!(outcomes[0].evidence["hub"].starts_with("not read: "));
        assert_verdict(
            "unread standards",
            &outcomes[1],
            Status::Error,
            "Security Hub is enabled in eu-west-1, but its standards could not be read: \
             securityhub:GetEnabledStandards failed: ThrottlingException",
        );
        assert_eq!(
            outcomes[1].evidence["hub"],
            format!("arn:aws:securityhub:eu-west-1:{ACCT}:hub/default")
        );

        let old_snapshot = run(&account(ACCT));
        assert_eq!(old_snapshot.len(), 2);
        for outcome in &old_snapshot {
            assert_verdict(
                "not in the snapshot",
                outcome,
                Status::Error,
                "Security Hub was not read in",
            );
        }
    }

    #[test]
    fn names_a_standard_by_its_path() {
        assert_eq!(
            standard_name(FSBP),
            "aws-foundational-security-best-practices/v/1.0.0"
        );
        assert_eq!(
            standard_name(CIS_1_2),
            "cis-aws-foundations-benchmark/v/1.2.0"
        );
        assert_eq!(standard_name("arn:other"), "arn:other");
    }
}
