//! `access-analyzer-enabled`: an ACTIVE external-access analyzer of IAM Access Analyzer covers the
//! account in every scanned Region.
//!
//! Coverage is `external-access-findings`'s (its [`coverage`]): the account's own ACCOUNT or
//! ORGANIZATION analyzer, or the organization's analyzer in that Region. One finding per Region
//! (resource: the account id): PASS when covered, FAIL when not, ERROR when a list that might
//! hold a covering analyzer could not be read. Whether the analyzers report findings is
//! `external-access-findings`'s business, not this check's.
//!
//! Pure: no I/O, no clock, no logging.

use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::external_access_findings::{RegionCoverage, coverage};

/// Judges every scanned Region of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = ctx.account.account_id.as_str();
    ctx.regions
        .iter()
        .map(|region| {
            let RegionCoverage {
                covering,
                unread,
                evidence,
                not_covering,
            } = coverage(ctx, region);
            let labels: Vec<&str> = covering.iter().map(|c| c.label.as_str()).collect();
            let (status, reason) = if !covering.is_empty() {
                (
                    Status::Pass,
                    format!("covered in {region} by {}", labels.join("; ")),
                )
            } else if unread.is_empty() {
                (
                    Status::Fail,
                    format!("no active external-access analyzer covers the account in {region}"),
                )
            } else {
                (
                    Status::Error,
                    format!(
                        "cannot tell whether an active external-access analyzer covers the \
                         account in {region}: {}",
                        unread.join("; ")
                    ),
                )
            };
            let mut outcome = Outcome::new(Some(region.as_str()), account_id, status, reason);
            if !covering.is_empty() {
                outcome = outcome.with("covered by", labels.join("; "));
            }
            if !not_covering.is_empty() {
                outcome = outcome.with("analyzers that do not count", not_covering.join("; "));
            }
            for (label, value) in evidence {
                outcome = outcome.with(&label, value);
            }
            outcome
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, account, assert_verdict, context, error, organization,
    };
    use super::*;
    use crate::facts::{
        AccountFacts, Analyzer, AnalyzerFacts, Collected, OrganizationFacts, Regional,
    };

    fn analyzer(name: &str, kind: &str, status: &str) -> Analyzer {
        Analyzer {
            arn: format!("arn:aws:access-analyzer:us-east-1:{ACCT}:analyzer/{name}"),
            name: name.to_owned(),
            analyzer_type: kind.to_owned(),
            status: status.to_owned(),
            managed_by: None,
            active_findings: Collected::Ok(Vec::new()),
        }
    }

    fn regional(
        account: &str,
        region: &str,
        analyzers: Collected<Vec<Analyzer>>,
    ) -> Regional<AnalyzerFacts> {
        Regional {
            region: region.to_owned(),
            facts: AnalyzerFacts {
                account_id: account.to_owned(),
                analyzers,
            },
        }
    }

    fn run(account: &AccountFacts, org: &OrganizationFacts) -> Vec<Outcome> {
        let regions = vec!["us-east-1".to_owned(), "eu-west-1".to_owned()];
        evaluate(&context(account, org, &regions))
    }

    #[test]
    fn judges_each_region() {
        let mut member = account(ACCT);
        member.analyzers = vec![
            regional(
                ACCT,
                "us-east-1",
                Collected::Ok(vec![analyzer("own", "ACCOUNT", "ACTIVE")]),
            ),
            regional(
                ACCT,
                "eu-west-1",
                Collected::Ok(vec![analyzer("off", "ACCOUNT", "DISABLED")]),
            ),
        ];
        let outcomes = run(&member, &organization());
        assert_verdict(
            "own analyzer",
            &outcomes[0],
            Status::Pass,
            "covered in us-east-1 by account analyzer own",
        );
        assert_verdict(
            "disabled analyzer",
            &outcomes[1],
            Status::Fail,
            "no active external-access analyzer covers the account in eu-west-1",
        );
        assert!(
            outcomes[1]
                .evidence
                .get("analyzers that do not count")
                .is_some()
        );
        assert_eq!(outcomes[1].region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn the_organization_analyzer_covers_and_an_unread_list_is_an_error() {
        let mut member = account(ACCT);
        member.analyzers = vec![
            regional(ACCT, "us-east-1", Collected::Ok(vec![])),
            regional(
                ACCT,
                "eu-west-1",
                Collected::Error(error("access-analyzer", "ListAnalyzers", "AccessDenied")),
            ),
        ];
        let mut org = organization();
        org.organization_analyzers = vec![
            regional(
                MGMT,
                "us-east-1",
                Collected::Ok(vec![analyzer("org", "ORGANIZATION", "ACTIVE")]),
            ),
            regional(MGMT, "eu-west-1", Collected::Ok(vec![])),
        ];
        let outcomes = run(&member, &org);
        assert_verdict(
            "organization analyzer",
            &outcomes[0],
            Status::Pass,
            "covered in us-east-1 by organization analyzer org (in 111111111111)",
        );
        assert_verdict(
            "unread own list",
            &outcomes[1],
            Status::Error,
            "cannot tell whether an active external-access analyzer covers the account in eu-west-1: the account's analyzers could not be read",
        );
    }
}
