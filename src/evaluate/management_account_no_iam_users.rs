//! `management-account-no-iam-users`: the management account holds no IAM user.
//!
//! The management account's credential report, when the scan read that account: one FAIL per IAM
//! user (resource: the user's ARN), one PASS (resource: the account id) when there is none; ERROR
//! when the account or its credential report could not be read; SKIPPED when the management account
//! was not in the scan's scope. The root user is not an IAM user (it is `root-mfa`'s).
//!
//! Its compute (EC2 instances, Lambda functions) is `management-account-no-workloads`'.
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{Collected, ScanFacts};
use crate::finding::{Outcome, Status};

use super::credentials::{ReportEvidence, iam_users};
use super::{management_account, report_cell, unread_outcome};

/// Judges the management account's IAM users.
pub(crate) fn evaluate(facts: &ScanFacts) -> Vec<Outcome> {
    let account = match management_account(facts) {
        Ok(account) => account,
        Err(why) => return vec![why],
    };
    let management = account.account_id.as_str();
    let report = match &account.credential_report {
        Collected::Error(err) => {
            return vec![unread_outcome(
                None,
                management,
                "the management account's credential report",
                "credential report",
                err,
            )];
        }
        Collected::Ok(report) => report,
    };
    let users: Vec<_> = iam_users(report).collect();
    if users.is_empty() {
        return vec![
            Outcome::new(
                None,
                management,
                Status::Pass,
                "the management account holds no IAM user",
            )
            .with_report(report),
        ];
    }
    users
        .into_iter()
        .map(|user| {
            let keys = user
                .access_keys
                .iter()
                .filter(|k| k.active.as_bool() == Some(true))
                .count();
            Outcome::new(
                None,
                user.arn.clone(),
                Status::Fail,
                format!(
                    "the management account holds IAM user {}: people and workloads belong in \
                     member accounts",
                    user.user
                ),
            )
            .with("user", &user.user)
            .with("console password", report_cell(&user.password_enabled))
            .with("active access keys", keys)
            .with_report(report)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        MGMT, account, assert_verdict, error, organization, root_row, row, with_users,
    };
    use super::*;
    use crate::facts::{AccountFacts, SkippedAccount};

    fn scan(accounts: Vec<AccountFacts>) -> ScanFacts {
        ScanFacts {
            organization: organization(),
            accounts,
            skipped_accounts: Vec::new(),
            regions: vec!["us-east-1".to_owned()],
        }
    }

    #[test]
    fn judges_each_case() {
        let outcomes = evaluate(&scan(vec![with_users(MGMT, vec![root_row(MGMT)])]));
        assert_eq!(outcomes.len(), 1);
        assert_verdict("none", &outcomes[0], Status::Pass, "holds no IAM user");
        assert_eq!(outcomes[0].resource, MGMT);

        let outcomes = evaluate(&scan(vec![with_users(
            MGMT,
            vec![
                row("ci", "arn:aws:iam::111111111111:user/ci"),
                row("ops", "arn:aws:iam::111111111111:user/ops"),
            ],
        )]));
        let resources: Vec<(&str, Status)> = outcomes
            .iter()
            .map(|o| (o.resource.as_str(), o.status))
            .collect();
        assert_eq!(
            resources,
            [
                ("arn:aws:iam::111111111111:user/ci", Status::Fail),
                ("arn:aws:iam::111111111111:user/ops", Status::Fail)
            ]
        );
        assert!(outcomes[0].reason.contains("holds IAM user ci"));

        let mut unreadable = account(MGMT);
        unreadable.credential_report =
            Collected::Error(error("iam", "GetCredentialReport", "AccessDenied"));
        let outcomes = evaluate(&scan(vec![unreadable]));
        assert_verdict(
            "unread",
            &outcomes[0],
            Status::Error,
            "the management account's credential report could not be read",
        );
    }

    #[test]
    fn a_management_account_out_of_scope_is_skipped_with_the_reason() {
        let outcomes = evaluate(&scan(vec![account("222222222222")]));
        assert_verdict(
            "out of scope",
            &outcomes[0],
            Status::Skipped,
            "the management account is not in the scan's scope",
        );
        let mut facts = scan(Vec::new());
        facts.skipped_accounts.push(SkippedAccount {
            account_id: MGMT.to_owned(),
            reason: "account is SUSPENDED".to_owned(),
        });
        assert_eq!(evaluate(&facts)[0].reason, "account is SUSPENDED");
    }
}
