//! `cloudtrail-kms-encryption`: every trail that logs the account encrypts its logs with a KMS
//! key.
//!
//! The trails are those of `cloudtrail-multi-region` (the organization's trails and the
//! account's own): one finding per trail, FAIL when it has no `KmsKeyId` (its logs are then
//! encrypted only with S3-managed keys, readable by anyone who can read the bucket). An account no
//! trail logs fails; a list of trails that could not be read is an ERROR.
//!
//! Pure: no I/O, no clock, no logging.

use crate::finding::Outcome;

use super::context::AccountContext;
use super::trails::{TrailVerdict, per_trail};

/// Judges KMS encryption on the trails that log one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    per_trail(
        ctx,
        |trail| match &trail.kms_key_id {
            Some(key) => TrailVerdict {
                passes: true,
                reason: format!("encrypts its logs with KMS key {key}"),
                evidence: ("KMS key", key.clone()),
            },
            None => TrailVerdict {
                passes: false,
                reason: "does not encrypt its logs with a KMS key (S3-managed encryption only)"
                    .to_owned(),
                evidence: ("KMS key", "none".to_owned()),
            },
        },
        "no trail logs the account, so no log is encrypted with a KMS key",
    )
}

#[cfg(test)]
mod tests {
    use super::super::cloudtrail_log_file_validation::tests::trail;
    use super::super::test_support::{ACCT, MGMT, account, context, error, organization};
    use super::*;
    use crate::facts::{AccountFacts, Collected, OrganizationFacts, Trail};
    use crate::finding::Status;

    fn run(account: &AccountFacts, org: &OrganizationFacts) -> Vec<Outcome> {
        evaluate(&context(account, org, &[]))
    }

    fn encrypted(mut trail: Trail) -> Trail {
        trail.kms_key_id = Some("arn:aws:kms:us-east-1:111111111111:key/k-1".to_owned());
        trail
    }

    #[test]
    fn judges_each_trail_and_the_account_without_one() {
        let mut org = organization();
        org.organization_trails =
            Collected::Ok(vec![encrypted(trail(MGMT, "org-trail", true, true))]);
        let mut member = account(ACCT);
        member.trails = Collected::Ok(vec![trail(ACCT, "own-trail", true, false)]);
        let outcomes = run(&member, &org);
        let statuses: Vec<Status> = outcomes.iter().map(|o| o.status).collect();
        assert_eq!(statuses, [Status::Pass, Status::Fail]);
        assert_eq!(
            outcomes[0].reason,
            "organization trail org-trail encrypts its logs with KMS key arn:aws:kms:us-east-1:111111111111:key/k-1"
        );
        assert_eq!(outcomes[1].evidence["KMS key"], "none");
        assert!(outcomes[1].reason.contains("S3-managed encryption only"));

        let none = run(&account(ACCT), &organization());
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].status, Status::Fail);
        assert_eq!(none[0].resource, ACCT);

        let mut unreadable = account(ACCT);
        unreadable.trails = Collected::Error(error("cloudtrail", "DescribeTrails", "Throttling"));
        let error = run(&unreadable, &organization());
        assert_eq!(error.len(), 1);
        assert_eq!(error[0].status, Status::Error);
    }
}
