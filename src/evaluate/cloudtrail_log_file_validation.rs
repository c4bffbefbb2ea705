//! `cloudtrail-log-file-validation`: every trail that logs the account has log file validation on.
//!
//! The trails are those of `cloudtrail-multi-region` (the organization's trails and the
//! account's own): one finding per trail, FAIL when `LogFileValidationEnabled` is false. Without
//! validation nobody can prove that a log file was not changed or deleted after CloudTrail wrote
//! it. An account no trail logs fails (there is nothing to validate); a list of trails that could
//! not be read is an ERROR.
//!
//! Pure: no I/O, no clock, no logging.

use crate::finding::Outcome;

use super::context::AccountContext;
use super::trails::{TrailVerdict, per_trail};

/// Judges log file validation on the trails that log one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    per_trail(
        ctx,
        |trail| TrailVerdict {
            passes: trail.log_file_validation,
            reason: if trail.log_file_validation {
                "has log file validation on: each hour's digest file proves its logs unchanged"
                    .to_owned()
            } else {
                "has log file validation off: a changed or deleted log file cannot be detected"
                    .to_owned()
            },
            evidence: (
                "log file validation",
                if trail.log_file_validation {
                    "on"
                } else {
                    "off"
                }
                .to_owned(),
            ),
        },
        "no trail logs the account, so no log file is validated",
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::test_support::{ACCT, MGMT, account, context, error, organization};
    use super::*;
    use crate::facts::{AccountFacts, Collected, OrganizationFacts, Trail};
    use crate::finding::Status;

    pub(crate) fn trail(account: &str, name: &str, validation: bool, org: bool) -> Trail {
        Trail {
            organization_trail: org,
            log_file_validation: validation,
            ..super::super::test_support::trail(account, name)
        }
    }

    fn run(account: &AccountFacts, org: &OrganizationFacts) -> Vec<Outcome> {
        evaluate(&context(account, org, &[]))
    }

    fn verdicts(outcomes: &[Outcome]) -> Vec<(&str, Status)> {
        outcomes
            .iter()
            .map(|o| (o.resource.as_str(), o.status))
            .collect()
    }

    #[test]
    fn one_verdict_per_trail_that_logs_the_account() {
        let mut org = organization();
        org.organization_trails = Collected::Ok(vec![trail(MGMT, "org-trail", true, true)]);
        let mut member = account(ACCT);
        member.trails = Collected::Ok(vec![trail(ACCT, "own-trail", false, false)]);
        let outcomes = run(&member, &org);
        assert_eq!(
            verdicts(&outcomes),
            [
                (
                    "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail",
                    Status::Pass
                ),
                (
                    "arn:aws:cloudtrail:us-east-1:222222222222:trail/own-trail",
                    Status::Fail
                ),
            ]
        );
        assert!(
            outcomes[0]
                .reason
                .starts_with("organization trail org-trail has log file validation on"),
            "{}",
            outcomes[0].reason
        );
        assert_eq!(outcomes[1].evidence["log file validation"], "off");
        assert_eq!(outcomes[1].evidence["kind"], "trail");
    }

    #[test]
    fn an_account_no_trail_logs_fails() {
        let outcomes = run(&account(ACCT), &organization());
        assert_eq!(verdicts(&outcomes), [(ACCT, Status::Fail)]);
        assert_eq!(
            outcomes[0].reason,
            "no trail logs the account, so no log file is validated"
        );
    }

    #[test]
    fn an_unread_list_is_an_error_beside_the_trails_that_were_read() {
        let mut org = organization();
        org.organization_trails =
            Collected::Error(error("cloudtrail", "DescribeTrails", "AccessDenied"));
        let mut member = account(ACCT);
        member.trails = Collected::Ok(vec![trail(ACCT, "own-trail", true, false)]);
        let outcomes = run(&member, &org);
        assert_eq!(
            verdicts(&outcomes),
            [
                (
                    "arn:aws:cloudtrail:us-east-1:222222222222:trail/own-trail",
                    Status::Pass
                ),
                (ACCT, Status::Error),
            ]
        );
        assert!(
            outcomes[1]
                .reason
                .contains("the organization trails could not be read (cloudtrail:DescribeTrails failed: AccessDenied"),
            "{}",
            outcomes[1].reason
        );
        let mut unreadable = account(ACCT);
        unreadable.trails = Collected::Error(error("cloudtrail", "DescribeTrails", "Throttling"));
        assert_eq!(
            verdicts(&run(&unreadable, &organization())),
            [(ACCT, Status::Error)]
        );
    }
}
