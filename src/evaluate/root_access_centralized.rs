//! `root-access-centralized`: IAM's centralized root access is on for the organization, and no
//! member account keeps root credentials of its own.
//!
//! With `RootCredentialsManagement` the management account can delete a member's root password,
//! access keys, signing certificates and MFA devices, and new accounts are created without them;
//! with `RootSessions` it takes a short, task-scoped root session when one is needed. The
//! organization's features are read once (`ListOrganizationsFeatures`); each member's root user
//! is read as `root-mfa` reads it ([`root_mfa::readings`]: `GetAccountSummary` and the credential
//! report), so the two checks tell the same story: `root-mfa` passes a root user with MFA, this
//! check fails it while its password and MFA device remain. The management account's own root
//! user is outside the feature: SKIPPED there (root-mfa judges it).

use super::context::AccountContext;
use super::describe_error;
use super::root_mfa::{self, RootReadings, flag, join_and, root_arn, source_problems};
use crate::facts::{Collected, ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS};
use crate::finding::{Outcome, Status};

/// Judges the centralized root access of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    vec![judge(ctx)]
}

fn judge(ctx: &AccountContext<'_>) -> Outcome {
    let account = ctx.account;
    let account_id = account.account_id.as_str();
    let outcome = |status, reason: String| Outcome::new(None, root_arn(account_id), status, reason);
    if account_id == ctx.organization.management_account_id {
        return outcome(
            Status::Skipped,
            "centralized root access manages the root users of member accounts; the management \
             account's own root user is judged by root-mfa"
                .to_owned(),
        );
    }
    let features = match &ctx.organization.root_access {
        None => {
            return outcome(
                Status::Error,
                "centralized root access was not read: the snapshot was made by a posture that \
                 did not read it; scan again"
                    .to_owned(),
            );
        }
        Some(Collected::Error(err)) => {
            return outcome(
                Status::Error,
                format!(
                    "cannot tell whether centralized root access is on: {}",
                    describe_error(err)
                ),
            );
        }
        Some(Collected::Ok(features)) => features,
    };
    let on = |feature: &str| features.enabled_features.iter().any(|f| f == feature);
    let off: Vec<&str> = [ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS]
        .into_iter()
        .filter(|f| !on(f))
        .collect();
    let RootReadings { mfa, credentials } =
        root_mfa::readings(&account.account_summary, &account.credential_report);
    // The credentials first, then the MFA device, as the reason lists them.
    let readings: Vec<_> = credentials.iter().chain(std::iter::once(&mfa)).collect();
    let mut left: Vec<&str> = credentials
        .iter()
        .filter(|r| r.combined() == Some(true))
        .map(|r| r.name)
        .collect();
    if mfa.combined() == Some(true) {
        left.push("an MFA device");
    }
    let unknown = readings.iter().any(|r| r.combined().is_none());
    let (status, reason) = if !off.is_empty() {
        (
            Status::Fail,
            format!(
                "centralized root access is not fully on for the organization: {} not enabled \
                 (iam:ListOrganizationsFeatures){}",
                off.join(" and "),
                if left.is_empty() {
                    String::new()
                } else {
                    format!("; the root user has {}", join_and(&left))
                }
            ),
        )
    } else if !left.is_empty() {
        (
            Status::Fail,
            format!(
                "centralized root access is on, but the root user still has {}: delete them \
                 from the management account",
                join_and(&left)
            ),
        )
    } else if unknown {
        (
            Status::Error,
            format!(
                "centralized root access is on, but whether the root user kept credentials is \
                 unknown: {}",
                source_problems(
                    &account.account_summary,
                    &account.credential_report,
                    &readings
                )
                .join("; ")
            ),
        )
    } else {
        (
            Status::Pass,
            "centralized root access is on and the root user has no password, access key, \
             signing certificate or MFA device"
                .to_owned(),
        )
    };
    let enabled = if features.enabled_features.is_empty() {
        "none".to_owned()
    } else {
        features.enabled_features.join(", ")
    };
    readings.iter().fold(
        outcome(status, reason).with("enabled features", enabled),
        |outcome, r| {
            outcome.with(
                &format!("root {} (either source)", r.name),
                flag(r.combined()),
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, account, assert_verdict, context, error, organization,
    };
    use super::*;
    use crate::facts::{AccountFacts, AccountSummary, OrganizationFacts, RootAccessFeatures};

    fn with_features(features: &[&str]) -> OrganizationFacts {
        OrganizationFacts {
            root_access: Some(Collected::Ok(RootAccessFeatures {
                organization_id: Some("o-example".to_owned()),
                enabled_features: features.iter().map(|f| (*f).to_owned()).collect(),
            })),
            ..organization()
        }
    }

    fn root(password: bool, mfa: bool) -> AccountFacts {
        let mut account = account(ACCT);
        account.account_summary = Collected::Ok(AccountSummary {
            mfa_enabled: Some(mfa),
            access_keys_present: Some(false),
            password_present: Some(password),
            signing_certificates_present: Some(false),
        });
        account
    }

    fn run(org: &OrganizationFacts, account: &AccountFacts) -> Outcome {
        let regions = vec!["us-east-1".to_owned()];
        judge(&context(account, org, &regions))
    }

    const BOTH: [&str; 2] = [ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS];

    #[test]
    fn on_with_no_root_credentials_passes_and_what_remains_fails() {
        let org = with_features(&BOTH);
        assert_verdict(
            "none left",
            &run(&org, &root(false, false)),
            Status::Pass,
            "is on",
        );
        assert_verdict(
            "password and MFA",
            &run(&org, &root(true, true)),
            Status::Fail,
            "still has a password and an MFA device",
        );
        assert_verdict(
            "MFA device only",
            &run(&org, &root(false, true)),
            Status::Fail,
            "still has an MFA device",
        );
    }

    #[test]
    fn a_feature_left_off_fails_whatever_the_root_user_holds() {
        let org = with_features(&[ROOT_CREDENTIALS_MANAGEMENT]);
        assert_verdict(
            "sessions off",
            &run(&org, &root(false, false)),
            Status::Fail,
            "RootSessions not enabled",
        );
        let outcome = run(&with_features(&[]), &root(true, false));
        assert_verdict(
            "both off",
            &outcome,
            Status::Fail,
            "RootCredentialsManagement and RootSessions not enabled (iam:ListOrganizationsFeatures); the root user has a password",
        );
        assert_eq!(outcome.evidence["enabled features"], "none");
    }

    #[test]
    fn what_could_not_be_read_is_error_and_the_management_account_is_skipped() {
        let org = with_features(&BOTH);
        assert_eq!(run(&org, &account(MGMT)).status, Status::Skipped);
        assert_verdict(
            "old snapshot",
            &run(&organization(), &root(false, false)),
            Status::Error,
            "was not read",
        );
        let refused = OrganizationFacts {
            root_access: Some(Collected::Error(error(
                "iam",
                "ListOrganizationsFeatures",
                "AccountNotManagementOrDelegatedAdministratorException",
            ))),
            ..organization()
        };
        assert_verdict(
            "refused",
            &run(&refused, &root(false, false)),
            Status::Error,
            "AccountNotManagementOrDelegatedAdministratorException",
        );
        let mut unread = account(ACCT);
        unread.account_summary =
            Collected::Error(error("iam", "GetAccountSummary", "AccessDenied"));
        unread.credential_report =
            Collected::Error(error("iam", "GetCredentialReport", "AccessDenied"));
        assert_verdict("unread", &run(&org, &unread), Status::Error, "unknown");
    }
}
