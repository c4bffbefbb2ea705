//! `identity-center`: people sign in to every account through the organization's IAM Identity
//! Center instance, not through an account instance of the account's own or IAM users with
//! console passwords.
//!
//! Four things are judged for each scanned account: the organization has an ACTIVE organization
//! instance (the one the management account owns, read once where Identity Center is
//! administered); the account runs no account instance of its own (read in the account: only it
//! sees one); a permission set of the organization instance is provisioned to it (an account
//! assignment provisions one, as a role people sign in to); and none of its IAM users has a console
//! password (its credential report). Any of them failing is FAIL, naming each; otherwise a fact
//! that could not be read is ERROR. The resource is the account.

use super::context::AccountContext;
use super::describe_error;
use super::parts::Parts;
use super::root_mfa::join_and;
use crate::facts::{Collected, IdentityCenterFacts, IdentityCenterInstance};
use crate::finding::{Outcome, Status};

/// Judges how people sign in to one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    vec![judge(ctx)]
}

fn judge(ctx: &AccountContext<'_>) -> Outcome {
    let account_id = ctx.account.account_id.as_str();
    let Some(identity_center) = &ctx.organization.identity_center else {
        return Outcome::new(
            None,
            account_id,
            Status::Error,
            "IAM Identity Center was not read: the snapshot was made by a posture that did not \
             read it; scan again"
                .to_owned(),
        );
    };
    let mut found = Parts::default();
    let organization_instance = organization_instance(ctx, identity_center, &mut found);
    account_instances(ctx, &mut found);
    if let Some(instance) = organization_instance {
        permission_sets(ctx, identity_center, instance, &mut found);
    }
    console_users(ctx, &mut found);

    found.outcome(None, account_id, || {
        "people sign in through the organization's IAM Identity Center instance: a permission \
         set reaches the account, it runs no account instance, and no IAM user has a console \
         password"
            .to_owned()
    })
}

/// The organization instance: the ACTIVE instance the management account owns, as the account
/// that administers Identity Center lists it.
fn organization_instance<'a>(
    ctx: &AccountContext<'_>,
    identity_center: &'a IdentityCenterFacts,
    found: &mut Parts,
) -> Option<&'a IdentityCenterInstance> {
    let read_in = identity_center
        .account_id
        .as_deref()
        .unwrap_or("the account that administers it");
    let instances = match &identity_center.instances {
        Collected::Error(err) => {
            found.unread(
                "organization instance",
                "not read",
                format!(
                    "whether the organization has an IAM Identity Center instance: {}",
                    describe_error(err)
                ),
            );
            return None;
        }
        Collected::Ok(instances) => instances,
    };
    let management = ctx.organization.management_account_id.as_str();
    let Some(instance) = instances.iter().find(|i| i.owner_account_id == management) else {
        found.fail(
            "organization instance",
            "none",
            format!(
                "the organization has no IAM Identity Center organization instance \
                 (sso:ListInstances in {read_in}, every Region): enable Identity Center in the \
                 management account"
            ),
        );
        return None;
    };
    if instance.status != "ACTIVE" {
        found.fail(
            "organization instance",
            describe_instance(instance),
            format!(
                "the organization instance {} is {}, not ACTIVE",
                instance.arn, instance.status
            ),
        );
        return None;
    }
    found.saw("organization instance", describe_instance(instance));
    Some(instance)
}

/// An account instance of the account's own: any instance it owns, unless it is the management
/// account (whose instance is the organization's).
fn account_instances(ctx: &AccountContext<'_>, found: &mut Parts) {
    let account_id = ctx.account.account_id.as_str();
    let instances = match &ctx.account.identity_center_instances {
        None => {
            found.unread(
                "account instances",
                "not read",
                "the account's own Identity Center instances were not read: the snapshot was \
                 made by a posture that did not read them"
                    .to_owned(),
            );
            return;
        }
        Some(Collected::Error(err)) => {
            found.unread(
                "account instances",
                "not read",
                format!(
                    "whether the account runs an Identity Center account instance: {}",
                    describe_error(err)
                ),
            );
            return;
        }
        Some(Collected::Ok(instances)) => instances,
    };
    if account_id == ctx.organization.management_account_id {
        return;
    }
    let own: Vec<String> = instances
        .iter()
        .filter(|i| i.owner_account_id == account_id)
        .map(describe_instance)
        .collect();
    if own.is_empty() {
        found.saw("account instances", "none");
    } else {
        found.fail(
            "account instances",
            own.join(", "),
            format!(
                "the account runs an IAM Identity Center account instance of its own ({}): its \
                 users and sign-in are outside the organization's; delete it and assign access \
                 from the organization instance",
                own.join(", ")
            ),
        );
    }
}

/// The organization instance's permission sets provisioned to the account.
fn permission_sets(
    ctx: &AccountContext<'_>,
    identity_center: &IdentityCenterFacts,
    instance: &IdentityCenterInstance,
    found: &mut Parts,
) {
    let account_id = ctx.account.account_id.as_str();
    const LABEL: &str = "permission sets provisioned";
    let sets = match &identity_center.permission_sets {
        Collected::Error(err) => {
            found.unread(
                LABEL,
                "not read",
                format!(
                    "which permission sets reach the account: {}",
                    describe_error(err)
                ),
            );
            return;
        }
        Collected::Ok(sets) => sets,
    };
    let mut reaching: Vec<&str> = Vec::new();
    let mut unread: Vec<String> = Vec::new();
    for set in sets {
        match &set.accounts {
            Collected::Ok(accounts) if accounts.iter().any(|a| a == account_id) => {
                reaching.push(&set.arn);
            }
            Collected::Ok(_) => {}
            Collected::Error(err) => unread.push(describe_error(err)),
        }
    }
    reaching.sort_unstable();
    if !reaching.is_empty() {
        found.saw(LABEL, reaching.join(", "));
    } else if !unread.is_empty() {
        found.unread(
            LABEL,
            "not read",
            format!(
                "which permission sets reach the account: {}",
                unread.join("; ")
            ),
        );
    } else if sets.is_empty() {
        found.fail(
            LABEL,
            "none",
            format!(
                "the organization instance {} has no permission sets: no one signs in to any \
                 account through it",
                instance.arn
            ),
        );
    } else {
        found.fail(
            LABEL,
            "none",
            "no permission set of the organization instance is provisioned to the account: no \
             one signs in to it through Identity Center (assign a group a permission set on it)"
                .to_owned(),
        );
    }
}

/// The account's IAM users with a console password, from its credential report.
fn console_users(ctx: &AccountContext<'_>, found: &mut Parts) {
    const LABEL: &str = "IAM users with a console password";
    let report = match &ctx.account.credential_report {
        Collected::Error(err) => {
            found.unread(
                LABEL,
                "not read",
                format!(
                    "whether IAM users sign in with passwords: {}",
                    describe_error(err)
                ),
            );
            return;
        }
        Collected::Ok(report) => report,
    };
    let with_password: Vec<&str> = report
        .users
        .iter()
        .filter(|u| u.password_enabled.as_bool() == Some(true))
        .map(|u| u.user.as_str())
        .collect();
    let unclear = report
        .users
        .iter()
        .filter(|u| u.password_enabled.as_bool().is_none())
        .count();
    if !with_password.is_empty() {
        let one = with_password.len() == 1;
        found.fail(
            LABEL,
            with_password.join(", "),
            format!(
                "{} IAM user{} sign{} in with a console password ({}): give their people \
                 Identity Center access and delete the passwords",
                with_password.len(),
                if one { "" } else { "s" },
                if one { "s" } else { "" },
                join_and(&with_password)
            ),
        );
    } else if unclear > 0 {
        // Read, but the report's cells do not tell: unknown rather than unread.
        found.unread(
            LABEL,
            "unknown",
            format!(
                "the credential report does not say whether {unclear} IAM user{} a console \
                 password",
                if unclear == 1 { " has" } else { "s have" }
            ),
        );
    } else {
        found.saw(LABEL, "none");
    }
}

/// `arn (Region)`, or the ARN alone when the Region is unknown.
fn describe_instance(instance: &IdentityCenterInstance) -> String {
    match &instance.region {
        Some(region) => format!("{} ({region})", instance.arn),
        None => instance.arn.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, account, assert_verdict, context, error, organization, row, value,
    };
    use super::*;
    use crate::facts::{AccountFacts, CredentialReportRow, OrganizationFacts, PermissionSetReach};

    const ORG_ARN: &str = "arn:aws:sso:::instance/ssoins-1111111111111111";
    const PS_ARN: &str = "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1";

    fn instance(owner: &str, arn: &str) -> IdentityCenterInstance {
        IdentityCenterInstance {
            arn: arn.to_owned(),
            owner_account_id: owner.to_owned(),
            name: None,
            status: "ACTIVE".to_owned(),
            region: Some("us-east-1".to_owned()),
        }
    }

    /// An organization whose instance has one permission set, provisioned to `reached`.
    fn with_instance(reached: &[&str]) -> OrganizationFacts {
        OrganizationFacts {
            identity_center: Some(IdentityCenterFacts {
                account_id: Some(MGMT.to_owned()),
                instances: Collected::Ok(vec![instance(MGMT, ORG_ARN)]),
                permission_sets: Collected::Ok(vec![PermissionSetReach {
                    arn: PS_ARN.to_owned(),
                    accounts: Collected::Ok(reached.iter().map(|a| (*a).to_owned()).collect()),
                }]),
            }),
            ..organization()
        }
    }

    fn judged(account: &AccountFacts, organization: &OrganizationFacts) -> Outcome {
        let regions = ["us-east-1".to_owned()];
        evaluate(&context(account, organization, &regions))
            .pop()
            .expect("one outcome")
    }

    #[test]
    fn verdicts() {
        let reached = with_instance(&[ACCT, MGMT]);
        let mut own_instance = account(ACCT);
        own_instance.identity_center_instances = Some(Collected::Ok(vec![instance(
            ACCT,
            "arn:aws:sso:::instance/ssoins-2222222222222222",
        )]));
        let mut console_user = account(ACCT);
        if let Collected::Ok(report) = &mut console_user.credential_report {
            report.users.push(CredentialReportRow {
                password_enabled: value("true"),
                ..row("alice", "arn:aws:iam::222222222222:user/alice")
            });
        }
        let no_instance = OrganizationFacts {
            identity_center: Some(IdentityCenterFacts {
                account_id: Some(MGMT.to_owned()),
                instances: Collected::Ok(Vec::new()),
                permission_sets: Collected::Ok(Vec::new()),
            }),
            ..organization()
        };
        let mut management = account(MGMT);
        management.identity_center_instances = Some(Collected::Ok(vec![instance(MGMT, ORG_ARN)]));
        let cases: [(&str, AccountFacts, &OrganizationFacts, Status, &str); 6] = [
            (
                "reached, nothing else",
                account(ACCT),
                &reached,
                Status::Pass,
                "people sign in through",
            ),
            (
                "the management account's instance is the organization's",
                management,
                &reached,
                Status::Pass,
                "people sign in through",
            ),
            (
                "no organization instance",
                account(ACCT),
                &no_instance,
                Status::Fail,
                "no IAM Identity Center organization instance",
            ),
            (
                "account instance",
                own_instance,
                &reached,
                Status::Fail,
                "account instance of its own (arn:aws:sso:::instance/ssoins-2222222222222222 \
                 (us-east-1))",
            ),
            (
                "not reached",
                account(ACCT),
                &with_instance(&[MGMT]),
                Status::Fail,
                "no permission set of the organization instance is provisioned",
            ),
            (
                "console user",
                console_user,
                &reached,
                Status::Fail,
                "1 IAM user signs in with a console password (alice)",
            ),
        ];
        for (name, account, organization, status, reason) in cases {
            assert_verdict(name, &judged(&account, organization), status, reason);
        }
    }

    #[test]
    fn no_permission_sets_at_all_says_so() {
        let mut org = with_instance(&[]);
        if let Some(ic) = &mut org.identity_center {
            ic.permission_sets = Collected::Ok(Vec::new());
        }
        let outcome = judged(&account(ACCT), &org);
        assert_verdict("no sets", &outcome, Status::Fail, "has no permission sets");
        assert_eq!(outcome.evidence["permission sets provisioned"], "none");
    }

    #[test]
    fn evidence_names_the_instance_and_the_sets() {
        let outcome = judged(&account(ACCT), &with_instance(&[ACCT]));
        assert_eq!(
            outcome.evidence["organization instance"],
            format!("{ORG_ARN} (us-east-1)")
        );
        assert_eq!(outcome.evidence["permission sets provisioned"], PS_ARN);
        assert_eq!(outcome.evidence["account instances"], "none");
        assert_eq!(
            outcome.evidence["IAM users with a console password"],
            "none"
        );
    }

    #[test]
    fn every_missing_fact_is_error_never_pass() {
        let reached = with_instance(&[ACCT]);
        let denied = || error("sso", "ListInstances", "AccessDeniedException");
        let unread_org = OrganizationFacts {
            identity_center: Some(IdentityCenterFacts {
                account_id: Some(MGMT.to_owned()),
                instances: Collected::Error(denied()),
                permission_sets: Collected::Error(denied()),
            }),
            ..organization()
        };
        let unread_sets = {
            let mut org = with_instance(&[ACCT]);
            if let Some(ic) = &mut org.identity_center {
                ic.permission_sets =
                    Collected::Error(error("sso", "ListPermissionSets", "AccessDeniedException"));
            }
            org
        };
        let unread_reach = {
            let mut org = with_instance(&[]);
            if let Some(ic) = &mut org.identity_center
                && let Collected::Ok(sets) = &mut ic.permission_sets
            {
                sets[0].accounts = Collected::Error(error(
                    "sso",
                    "ListAccountsForProvisionedPermissionSet",
                    "ThrottlingException",
                ));
            }
            org
        };
        let mut own_unread = account(ACCT);
        own_unread.identity_center_instances = Some(Collected::Error(denied()));
        let mut own_old = account(ACCT);
        own_old.identity_center_instances = None;
        let mut report_unread = account(ACCT);
        report_unread.credential_report =
            Collected::Error(error("iam", "GetCredentialReport", "AccessDenied"));
        let not_read = OrganizationFacts {
            identity_center: None,
            ..organization()
        };
        let cases: [(&str, AccountFacts, &OrganizationFacts, &str); 7] = [
            (
                "organization not read",
                account(ACCT),
                &not_read,
                "was not read: the snapshot was made by a posture",
            ),
            (
                "instances unread",
                account(ACCT),
                &unread_org,
                "sso:ListInstances failed: AccessDeniedException",
            ),
            (
                "permission sets unread",
                account(ACCT),
                &unread_sets,
                "sso:ListPermissionSets failed",
            ),
            (
                "reach unread",
                account(ACCT),
                &unread_reach,
                "sso:ListAccountsForProvisionedPermissionSet failed",
            ),
            (
                "account instances unread",
                own_unread,
                &reached,
                "whether the account runs an Identity Center account instance",
            ),
            (
                "account instances from an old snapshot",
                own_old,
                &reached,
                "were not read: the snapshot was made by a posture",
            ),
            (
                "credential report unread",
                report_unread,
                &reached,
                "iam:GetCredentialReport failed",
            ),
        ];
        for (name, account, organization, reason) in cases {
            assert_verdict(name, &judged(&account, organization), Status::Error, reason);
        }
    }

    #[test]
    fn an_organization_instance_not_active_fails_and_a_password_cell_that_says_nothing_is_error() {
        let mut creating = with_instance(&[ACCT]);
        if let Some(ic) = &mut creating.identity_center
            && let Collected::Ok(instances) = &mut ic.instances
        {
            instances[0].status = "CREATE_IN_PROGRESS".to_owned();
        }
        assert_verdict(
            "creating",
            &judged(&account(ACCT), &creating),
            Status::Fail,
            "is CREATE_IN_PROGRESS, not ACTIVE",
        );
        let mut unclear = account(ACCT);
        if let Collected::Ok(report) = &mut unclear.credential_report {
            report.users.push(CredentialReportRow {
                password_enabled: crate::facts::ReportValue::Missing,
                ..row("bob", "arn:aws:iam::222222222222:user/bob")
            });
        }
        let outcome = judged(&unclear, &with_instance(&[ACCT]));
        assert_verdict(
            "unclear",
            &outcome,
            Status::Error,
            "does not say whether 1 IAM user has a console password",
        );
        assert_eq!(
            outcome.evidence["IAM users with a console password"],
            "unknown"
        );
    }

    #[test]
    fn a_failure_stands_beside_an_unread_fact() {
        let mut account = account(ACCT);
        account.identity_center_instances = Some(Collected::Error(error(
            "sso",
            "ListInstances",
            "AccessDeniedException",
        )));
        let outcome = judged(&account, &with_instance(&[MGMT]));
        assert_verdict(
            "fail and unread",
            &outcome,
            Status::Fail,
            "no permission set of the organization instance is provisioned",
        );
        assert!(outcome.reason.contains("also unread"), "{}", outcome.reason);
    }
}
