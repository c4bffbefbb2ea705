//! `iam-user-console-mfa`: every IAM user with a console password has MFA.
//!
//! Read from the credential report: one FAIL per IAM user whose `password_enabled` is true and
//! `mfa_active` false (resource: the user's ARN); one ERROR per user for whom either column is not
//! a plain true/false; one PASS for the account (resource: the account id) when no user fails or
//! is unknown. The root user belongs to `root-mfa`.
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::CredentialReportRow;
use crate::finding::{Outcome, Status};

use super::context::AccountContext;
use super::credentials::{ReportEvidence, credential_report, iam_users};
use super::report_cell;

/// Judges the console users of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    let report = match credential_report(ctx) {
        Ok(report) => report,
        Err(unread) => return vec![unread],
    };
    let users: Vec<&CredentialReportRow> = iam_users(report).collect();

    let mut outcomes = Vec::new();
    let mut with_password = 0;
    for user in &users {
        let judged = match (user.password_enabled.as_bool(), user.mfa_active.as_bool()) {
            (Some(false), _) => continue,
            (Some(true), Some(true)) => {
                with_password += 1;
                continue;
            }
            (Some(true), Some(false)) => (
                Status::Fail,
                format!(
                    "IAM user {} can sign in to the console with a password and has no MFA",
                    user.user
                ),
            ),
            (Some(true), None) => (
                Status::Error,
                format!(
                    "IAM user {} has a console password, but the credential report does not say \
                     whether it has MFA (mfa_active is {})",
                    user.user,
                    report_cell(&user.mfa_active)
                ),
            ),
            (None, _) => (
                Status::Error,
                format!(
                    "the credential report does not say whether IAM user {} has a console \
                     password (password_enabled is {})",
                    user.user,
                    report_cell(&user.password_enabled)
                ),
            ),
        };
        let (status, reason) = judged;
        outcomes.push(
            Outcome::new(None, user.arn.clone(), status, reason)
                .with("user", &user.user)
                .with("password_enabled", report_cell(&user.password_enabled))
                .with("password last used", report_cell(&user.password_last_used))
                .with("mfa_active", report_cell(&user.mfa_active))
                .with_report(report),
        );
    }
    if outcomes.is_empty() {
        outcomes.push(
            Outcome::new(
                None,
                account_id.clone(),
                Status::Pass,
                format!(
                    "every IAM user with a console password has MFA ({with_password} of {} IAM \
                     user{} {} a console password)",
                    users.len(),
                    if users.len() == 1 { "" } else { "s" },
                    if with_password == 1 { "has" } else { "have" }
                ),
            )
            .with("IAM users", users.len())
            .with("IAM users with a console password", with_password)
            .with_report(report),
        );
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, account, assert_verdict, context, error, organization, root_row, row, value,
        with_users,
    };
    use super::*;
    use crate::facts::{AccountFacts, Collected, ReportValue};

    const BOB: &str = "arn:aws:iam::222222222222:user/bob";

    fn run(account: &AccountFacts) -> Vec<Outcome> {
        let org = organization();
        evaluate(&context(account, &org, &[]))
    }

    fn bob(password: ReportValue, mfa: ReportValue) -> CredentialReportRow {
        CredentialReportRow {
            password_enabled: password,
            mfa_active: mfa,
            ..row("bob", BOB)
        }
    }

    #[test]
    fn judges_each_case() {
        let cases: Vec<(&str, AccountFacts, Status, &str, &str)> = vec![
            (
                "passes_with_mfa",
                with_users(ACCT, vec![bob(value("true"), value("true"))]),
                Status::Pass,
                ACCT,
                "(1 of 1 IAM user has a console password)",
            ),
            (
                "passes_without_console_users",
                with_users(ACCT, vec![bob(value("false"), value("false"))]),
                Status::Pass,
                ACCT,
                "(0 of 1 IAM user have a console password)",
            ),
            (
                "fails_a_console_user_without_mfa",
                with_users(ACCT, vec![bob(value("true"), value("false"))]),
                Status::Fail,
                BOB,
                "IAM user bob can sign in to the console with a password and has no MFA",
            ),
            (
                "errors_when_mfa_is_unknown",
                with_users(ACCT, vec![bob(value("true"), ReportValue::Missing)]),
                Status::Error,
                BOB,
                "does not say whether it has MFA (mfa_active is missing)",
            ),
            (
                "errors_when_the_password_is_unknown",
                with_users(ACCT, vec![bob(ReportValue::NoInformation, value("false"))]),
                Status::Error,
                BOB,
                "(password_enabled is no_information)",
            ),
            (
                "ignores_the_root_row",
                with_users(
                    ACCT,
                    vec![CredentialReportRow {
                        password_enabled: value("true"),
                        ..root_row(ACCT)
                    }],
                ),
                Status::Pass,
                ACCT,
                "(0 of 0 IAM users have a console password)",
            ),
            (
                "errors_when_the_report_cannot_be_read",
                {
                    let mut a = account(ACCT);
                    a.credential_report =
                        Collected::Error(error("iam", "GetCredentialReport", "AccessDenied"));
                    a
                },
                Status::Error,
                ACCT,
                "the credential report could not be read: iam:GetCredentialReport failed",
            ),
        ];
        for (name, facts, status, resource, reason) in cases {
            let outcomes = run(&facts);
            assert_eq!(outcomes.len(), 1, "{name}: {outcomes:?}");
            assert_verdict(name, &outcomes[0], status, reason);
            assert_eq!(outcomes[0].resource, resource, "{name}");
        }
    }

    #[test]
    fn one_finding_per_failing_user_and_no_pass_beside_them() {
        let alice = CredentialReportRow {
            password_enabled: value("true"),
            mfa_active: value("true"),
            ..row("alice", "arn:aws:iam::222222222222:user/alice")
        };
        let outcomes = run(&with_users(
            ACCT,
            vec![
                alice,
                bob(value("true"), value("false")),
                CredentialReportRow {
                    password_enabled: value("true"),
                    mfa_active: value("false"),
                    ..row("carol", "arn:aws:iam::222222222222:user/carol")
                },
            ],
        ));
        let resources: Vec<(&str, Status)> = outcomes
            .iter()
            .map(|o| (o.resource.as_str(), o.status))
            .collect();
        assert_eq!(
            resources,
            [
                (BOB, Status::Fail),
                ("arn:aws:iam::222222222222:user/carol", Status::Fail)
            ]
        );
        assert_eq!(outcomes[0].evidence["mfa_active"], "false");
    }
}
