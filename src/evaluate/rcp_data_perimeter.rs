//! `rcp-data-perimeter`: whether the resource control policies on an account's path keep its
//! resources out of reach of principals outside the organization, judged from the policies' own
//! statements.
//!
//! RCPs restrict what any principal may do to the resources of the accounts below them, whatever
//! the resource's own policy grants; AWS attaches the allow-all `RCPFullAWSAccess` to every level,
//! so an RCP restricts only by what it denies. For each service RCPs govern that the data-perimeter
//! guidance names (S3, STS, KMS, SQS, Secrets Manager), the path is probed ([`PolicyPath`]) with a
//! role of an account outside the organization (once in another organization, once in none) and,
//! for the evidence, with the account's own role over plain HTTP. PASS when access from outside the
//! organization is denied to all five in every scanned Region; FAIL when the RCP type is off, when
//! no RCP of the organization's own applies to the account, or naming the services left open.
//! RCPs do not apply to the management account's resources: SKIPPED there.

use super::context::AccountContext;
use super::policy_path::{self, NoPath, Probe};
use crate::facts::RCP;
use crate::finding::{Outcome, Status};

/// A service RCPs govern, and the action on one of its resources the perimeter is probed with.
struct Governed {
    /// How the finding names it.
    name: &'static str,
    /// A data-access action of the service.
    action: &'static str,
}

/// The services the data-perimeter guidance asks an RCP to cover, in the order the finding lists
/// them.
const SERVICES: [Governed; 5] = [
    Governed {
        name: "S3",
        action: "s3:GetObject",
    },
    Governed {
        name: "STS",
        action: "sts:AssumeRole",
    },
    Governed {
        name: "KMS",
        action: "kms:Decrypt",
    },
    Governed {
        name: "SQS",
        action: "sqs:SendMessage",
    },
    Governed {
        name: "Secrets Manager",
        action: "secretsmanager:GetSecretValue",
    },
];

/// The caller outside the organization: an account no organization of the probe's own contains.
const OUTSIDER: &str = "arn:aws:iam::999999999999:role/posture-perimeter-probe";
/// The organization the outsider belongs to, in the first of its two probes.
const OTHER_ORGANIZATION: &str = "o-posturenotours";
/// The account's own role, for the TLS probe.
const PROBE_ROLE: &str = "posture-perimeter-probe";

/// Judges the RCP data perimeter of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    vec![judge(ctx)]
}

fn judge(ctx: &AccountContext<'_>) -> Outcome {
    let account_id = ctx.account.account_id.as_str();
    let outcome = |status, reason: String| Outcome::new(None, account_id, status, reason);
    if account_id == ctx.organization.management_account_id {
        return outcome(
            Status::Skipped,
            "RCPs never apply to the resources of the management account (AWS Organizations)"
                .to_owned(),
        );
    }
    let (policies, path) = match policy_path::account_path(ctx, RCP) {
        Ok(found) => found,
        Err(NoPath::Unread(why)) => return outcome(Status::Error, why),
        Err(NoPath::NotEnabled) => {
            return outcome(
                Status::Fail,
                "RCPs are not enabled for the organization (the policy type is off at the root): \
                 no RCP restricts the resources of any account"
                    .to_owned(),
            );
        }
    };
    if policies.organization_id.is_empty() {
        return outcome(
            Status::Error,
            "the organization's id was not recorded with its policies: the snapshot was made by \
             a posture that did not record it; scan again"
                .to_owned(),
        );
    }
    let listing = path.listing();
    if path.own_policies().next().is_none() {
        return outcome(
            Status::Fail,
            "no RCP beyond AWS's RCPFullAWSAccess applies to the account: nothing restricts who \
             may reach its resources"
                .to_owned(),
        )
        .with("RCPs on the path", listing);
    }
    let own_role = format!("arn:aws:iam::{account_id}:role/{PROBE_ROLE}");
    let org = policies.organization_id.as_str();
    let mut open: Vec<&str> = Vec::new();
    let mut evidence: Vec<(String, String)> = Vec::new();
    for service in &SERVICES {
        let outside = path.denial_of_all(ctx.regions.iter().flat_map(|region| {
            [Some(OTHER_ORGANIZATION), None].map(|principal_org| Probe {
                principal: OUTSIDER,
                action: service.action,
                resource_account: account_id,
                region,
                principal_org,
                resource_org: Some(org),
                secure_transport: true,
            })
        }));
        let plain_http = path.denial_of_all(ctx.regions.iter().map(|region| Probe {
            principal_org: Some(org),
            resource_org: Some(org),
            secure_transport: false,
            ..Probe::own(&own_role, service.action, region)
        }));
        if outside.is_none() {
            open.push(service.name);
        }
        evidence.push((
            format!("{} from outside the organization", service.name),
            said(outside),
        ));
        evidence.push((format!("{} without TLS", service.name), said(plain_http)));
    }
    let result = if open.is_empty() {
        outcome(
            Status::Pass,
            "the RCPs on the account's path deny access from outside the organization to S3, \
             STS, KMS, SQS and Secrets Manager"
                .to_owned(),
        )
    } else {
        outcome(
            Status::Fail,
            format!(
                "the RCPs on the account's path do not deny access from outside the \
                 organization to: {}",
                open.join(", ")
            ),
        )
    };
    evidence
        .into_iter()
        .fold(result, |outcome, (key, value)| outcome.with(&key, value))
        .with("RCPs on the path", listing)
}

/// How the evidence says a restriction's state.
fn said(denial: Option<String>) -> String {
    denial.map_or_else(|| "allowed".to_owned(), |by| format!("denied by {by}"))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, OU, ROOT, account, assert_verdict, context, error, org_policy, organization,
        with_policies,
    };
    use super::*;
    use crate::facts::{Collected, OrganizationFacts, OrganizationPolicy};

    fn full_access() -> OrganizationPolicy {
        org_policy(
            "p-RCPFullAWSAccess",
            &[ROOT, OU, ACCT],
            r#"[{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]"#,
        )
    }

    /// AWS's data-perimeter example: deny callers outside the organization, AWS services
    /// exempt; and deny plain HTTP.
    fn perimeter(target: &str, actions: &str) -> OrganizationPolicy {
        org_policy(
            "p-perimeter",
            &[target],
            &format!(
                r#"[
                  {{"Effect": "Deny", "Principal": "*", "Action": {actions}, "Resource": "*",
                    "Condition": {{
                      "StringNotEqualsIfExists": {{"aws:PrincipalOrgID": "o-example"}},
                      "BoolIfExists": {{"aws:PrincipalIsAWSService": "false"}}}}}},
                  {{"Effect": "Deny", "Principal": "*", "Action": {actions}, "Resource": "*",
                    "Condition": {{"BoolIfExists": {{"aws:SecureTransport": "false"}}}}}}
                ]"#
            ),
        )
    }

    const ALL: &str = r#"["s3:*", "sts:*", "kms:*", "sqs:*", "secretsmanager:*"]"#;

    fn run(org: &OrganizationFacts, id: &str) -> Outcome {
        let account = account(id);
        let regions = vec!["us-east-1".to_owned(), "eu-west-1".to_owned()];
        judge(&context(&account, org, &regions))
    }

    #[test]
    fn a_perimeter_on_any_level_denies_outsiders_to_every_service() {
        for target in [ROOT, OU, ACCT] {
            let org = with_policies(
                RCP,
                Collected::Ok(vec![full_access(), perimeter(target, ALL)]),
            );
            let outcome = run(&org, ACCT);
            assert_verdict(target, &outcome, Status::Pass, "deny access from outside");
            assert!(
                outcome.evidence["KMS from outside the organization"]
                    .starts_with("denied by perimeter (p-perimeter) on "),
                "{:?}",
                outcome.evidence
            );
            assert!(
                outcome.evidence["SQS without TLS"].starts_with("denied by perimeter"),
                "{:?}",
                outcome.evidence
            );
        }
    }

    #[test]
    fn the_services_an_rcp_leaves_out_are_named() {
        let org = with_policies(
            RCP,
            Collected::Ok(vec![
                full_access(),
                perimeter(OU, r#"["s3:*", "kms:Decrypt"]"#),
            ]),
        );
        let outcome = run(&org, ACCT);
        assert_verdict(
            "partial",
            &outcome,
            Status::Fail,
            "to: STS, SQS, Secrets Manager",
        );
        assert_eq!(
            outcome.evidence["STS from outside the organization"],
            "allowed"
        );
        assert!(
            outcome.evidence["S3 from outside the organization"]
                .starts_with("denied by perimeter (p-perimeter) on OU /Workloads"),
            "{:?}",
            outcome.evidence
        );
    }

    #[test]
    fn a_deny_that_exempts_every_caller_in_no_organization_does_not_hold() {
        // StringNotEquals without IfExists still matches a caller in no organization (a missing
        // key satisfies a negated operator); `StringEquals` on another org id does not.
        let lax = org_policy(
            "p-lax",
            &[OU],
            &format!(
                r#"[{{"Effect": "Deny", "Principal": "*", "Action": {ALL}, "Resource": "*",
                     "Condition": {{"StringEquals": {{"aws:PrincipalOrgID": "o-posturenotours"}}}}}}]"#
            ),
        );
        let org = with_policies(RCP, Collected::Ok(vec![full_access(), lax]));
        assert_verdict(
            "lax",
            &run(&org, ACCT),
            Status::Fail,
            "to: S3, STS, KMS, SQS, Secrets Manager",
        );
    }

    #[test]
    fn only_aws_managed_rcps_or_none_enabled_fail() {
        let org = with_policies(RCP, Collected::Ok(vec![full_access()]));
        assert_verdict(
            "managed only",
            &run(&org, ACCT),
            Status::Fail,
            "no RCP beyond AWS's RCPFullAWSAccess",
        );
        let mut off = org.clone();
        if let Some(Collected::Ok(policies)) = &mut off.policies {
            policies.policy_types.clear();
        }
        assert_verdict(
            "off",
            &run(&off, ACCT),
            Status::Fail,
            "RCPs are not enabled",
        );
    }

    #[test]
    fn what_could_not_be_read_is_error_and_the_management_account_is_skipped() {
        let org = with_policies(RCP, Collected::Ok(vec![full_access(), perimeter(OU, ALL)]));
        assert_eq!(run(&org, MGMT).status, Status::Skipped);
        assert_verdict(
            "old snapshot",
            &run(&organization(), ACCT),
            Status::Error,
            "policies were not read",
        );
        let unlisted = with_policies(
            RCP,
            Collected::Error(error(
                "organizations",
                "ListPolicies",
                "AccessDeniedException",
            )),
        );
        assert_verdict(
            "unlisted",
            &run(&unlisted, ACCT),
            Status::Error,
            "cannot tell which RCPs apply to the account: organizations:ListPolicies failed",
        );
        let mut unknown_org = org.clone();
        if let Some(Collected::Ok(policies)) = &mut unknown_org.policies {
            policies.organization_id.clear();
        }
        assert_verdict(
            "no org id",
            &run(&unknown_org, ACCT),
            Status::Error,
            "organization's id was not recorded",
        );
        let mut unreadable = perimeter(OU, ALL);
        unreadable.content = Collected::Error(error(
            "organizations",
            "DescribePolicy",
            "AccessDeniedException",
        ));
        let org = with_policies(RCP, Collected::Ok(vec![full_access(), unreadable]));
        assert_verdict(
            "document",
            &run(&org, ACCT),
            Status::Error,
            "RCP perimeter (p-perimeter) could not be read",
        );
    }
}
