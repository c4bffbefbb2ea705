//! `scp-guardrails`: which preventive guardrails the service control policies on an account's
//! path enforce, judged from the policies' own statements rather than from the fact that one is
//! attached.
//!
//! A guardrail holds when every action it names is denied ([`PolicyPath`]: explicitly, or for
//! want of an Allow at some level) for an ordinary role of the account in every scanned Region
//! (the root-user guardrail: for the account's root user). A Deny that exempts only named roles
//! (`ArnNotLike aws:PrincipalArn …/AWSControlTowerExecution`) still holds for everyone else; a
//! Deny that applies only in one Region does not hold in the others.
//!
//! The Region restriction is reported (which Regions an ordinary role may use) but is not
//! required: an organization may use every Region. SCPs never apply to the management account:
//! its finding is SKIPPED with that reason.

use super::context::AccountContext;
use super::policy_path::{self, NoPath, PolicyPath, Probe};
use crate::config::KNOWN_REGIONS;
use crate::facts::SCP;
use crate::finding::{Outcome, Status};

/// Who a guardrail is probed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// An ordinary role of the account, named by no exemption.
    Role,
    /// The account's root user.
    Root,
}

/// One guardrail: the actions it must deny, and as whom.
#[derive(Debug)]
struct Guardrail {
    /// How the finding names it.
    name: &'static str,
    /// Every action it must deny.
    actions: &'static [&'static str],
    /// Who the actions are denied to.
    caller: Caller,
}

/// The guardrails the landing-zone guidance asks of every member account, in the order the
/// finding lists them.
const GUARDRAILS: [Guardrail; 6] = [
    Guardrail {
        name: "deny leaving the organization",
        actions: &["organizations:LeaveOrganization"],
        caller: Caller::Role,
    },
    Guardrail {
        name: "deny stopping or deleting CloudTrail",
        actions: &["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
        caller: Caller::Role,
    },
    Guardrail {
        name: "deny stopping or deleting AWS Config",
        actions: &[
            "config:StopConfigurationRecorder",
            "config:DeleteConfigurationRecorder",
            "config:DeleteDeliveryChannel",
        ],
        caller: Caller::Role,
    },
    Guardrail {
        name: "deny disabling GuardDuty",
        actions: &[
            "guardduty:DeleteDetector",
            "guardduty:DisassociateFromAdministratorAccount",
        ],
        caller: Caller::Role,
    },
    Guardrail {
        name: "deny disabling Security Hub",
        actions: &[
            "securityhub:DisableSecurityHub",
            "securityhub:DisassociateFromAdministratorAccount",
        ],
        caller: Caller::Role,
    },
    Guardrail {
        name: "deny root user actions",
        actions: &["iam:CreateAccessKey", "ec2:RunInstances", "s3:DeleteBucket"],
        caller: Caller::Root,
    },
];

/// The regional action the Region restriction is probed with.
const REGIONAL_ACTION: &str = "ec2:RunInstances";

/// The role the guardrails are probed as: a name no exemption would list.
const PROBE_ROLE: &str = "posture-guardrail-probe";

/// Judges the SCP guardrails of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    vec![judge(ctx)]
}

fn judge(ctx: &AccountContext<'_>) -> Outcome {
    let account_id = ctx.account.account_id.as_str();
    let outcome = |status, reason: String| Outcome::new(None, account_id, status, reason);
    if account_id == ctx.organization.management_account_id {
        return outcome(
            Status::Skipped,
            "SCPs never apply to the management account (AWS Organizations): it holds no \
             guardrail whatever the policies say"
                .to_owned(),
        );
    }
    let path = match policy_path::account_path(ctx, SCP) {
        Ok((_, path)) => path,
        Err(NoPath::Unread(why)) => return outcome(Status::Error, why),
        Err(NoPath::NotEnabled) => {
            return outcome(
                Status::Fail,
                "SCPs are not enabled for the organization: no guardrail applies to any account"
                    .to_owned(),
            );
        }
    };
    let held: Vec<(&str, Option<String>)> = GUARDRAILS
        .iter()
        .map(|g| (g.name, enforces(&path, g, account_id, ctx.regions)))
        .collect();
    let missing: Vec<&str> = held
        .iter()
        .filter(|(_, source)| source.is_none())
        .map(|(name, _)| *name)
        .collect();
    let allowed = allowed_regions(&path, account_id);
    let result = if missing.is_empty() {
        outcome(
            Status::Pass,
            format!(
                "the SCPs on the account's path enforce all {} guardrails",
                GUARDRAILS.len()
            ),
        )
    } else {
        outcome(
            Status::Fail,
            format!(
                "the SCPs on the account's path do not enforce: {}",
                missing.join("; ")
            ),
        )
    };
    let result = held.into_iter().fold(result, |outcome, (name, source)| {
        outcome.with(
            name,
            source.map_or_else(|| "missing".to_owned(), |s| format!("holds: {s}")),
        )
    });
    result
        .with(
            "Regions an ordinary role may use",
            if allowed.len() == KNOWN_REGIONS.len() {
                "every Region (no Region restriction)".to_owned()
            } else {
                allowed.join(", ")
            },
        )
        .with("SCPs on the path", path.listing())
}

/// Where `guardrail` is enforced (its actions' denials), or `None` when one of its actions is
/// allowed in one of `regions`.
fn enforces(
    path: &PolicyPath<'_>,
    guardrail: &Guardrail,
    account_id: &str,
    regions: &[String],
) -> Option<String> {
    let principal = match guardrail.caller {
        Caller::Role => format!("arn:aws:iam::{account_id}:role/{PROBE_ROLE}"),
        Caller::Root => format!("arn:aws:iam::{account_id}:root"),
    };
    path.denial_of_all(guardrail.actions.iter().flat_map(|action| {
        regions
            .iter()
            .map(|region| Probe::own(&principal, action, region))
    }))
}

/// The Regions in which an ordinary role of the account may run a regional action.
fn allowed_regions(path: &PolicyPath<'_>, account_id: &str) -> Vec<&'static str> {
    let principal = format!("arn:aws:iam::{account_id}:role/{PROBE_ROLE}");
    KNOWN_REGIONS
        .iter()
        .copied()
        .filter(|region| {
            path.denial(&Probe::own(&principal, REGIONAL_ACTION, region))
                .is_none()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, OU, ROOT, account, assert_verdict, context, error, org_policy as policy,
        organization, with_policies,
    };
    use super::*;
    use crate::facts::{Collected, OrganizationPolicy};

    fn full_access() -> OrganizationPolicy {
        policy(
            "p-FullAWSAccess",
            &[ROOT, OU, ACCT],
            r#"[{"Effect": "Allow", "Action": "*", "Resource": "*"}]"#,
        )
    }

    /// Every guardrail, the way a landing zone writes them: wildcards, and an exemption for the
    /// Control Tower role.
    fn baseline(target: &str) -> OrganizationPolicy {
        policy(
            "p-baseline",
            &[target],
            r#"[
              {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
              {"Effect": "Deny", "Resource": "*",
               "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "config:Stop*",
                          "config:Delete*", "guardduty:DeleteDetector", "guardduty:Disassociate*",
                          "securityhub:DisableSecurityHub", "securityhub:Disassociate*"],
               "Condition": {"ArnNotLike": {"aws:PrincipalArn":
                   "arn:aws:iam::*:role/AWSControlTowerExecution"}}},
              {"Effect": "Deny", "Action": "*", "Resource": "*",
               "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}
            ]"#,
        )
    }

    fn with(scps: Collected<Vec<OrganizationPolicy>>) -> OrganizationFacts {
        with_policies(SCP, scps)
    }

    fn run(org: &OrganizationFacts, id: &str) -> Outcome {
        let regions = ["us-east-1".to_owned(), "eu-west-1".to_owned()];
        let mut outcomes = evaluate(&context(&account(id), org, &regions));
        assert_eq!(outcomes.len(), 1);
        outcomes.remove(0)
    }

    use crate::facts::OrganizationFacts;

    #[test]
    fn a_baseline_anywhere_on_the_path_holds_every_guardrail() {
        for target in [ROOT, OU, ACCT] {
            let org = with(Collected::Ok(vec![full_access(), baseline(target)]));
            let outcome = run(&org, ACCT);
            assert_verdict(
                target,
                &outcome,
                Status::Pass,
                "the SCPs on the account's path enforce all 6 guardrails",
            );
            assert!(
                outcome.evidence["deny stopping or deleting AWS Config"]
                    .starts_with("holds: baseline (p-baseline) on "),
                "{:?}",
                outcome.evidence
            );
            assert_eq!(
                outcome.evidence["Regions an ordinary role may use"],
                "every Region (no Region restriction)"
            );
        }
    }

    #[test]
    fn only_what_a_deny_covers_everywhere_counts() {
        // Leaving is denied only in one Region, and Config is only protected from deletion.
        let partial = policy(
            "p-partial",
            &[OU],
            r#"[
              {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*",
               "Condition": {"StringEquals": {"aws:RequestedRegion": "us-west-2"}}},
              {"Effect": "Deny", "Action": "config:Delete*", "Resource": "*"},
              {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"],
               "Resource": "*",
               "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}
            ]"#,
        );
        let org = with(Collected::Ok(vec![full_access(), partial]));
        let outcome = run(&org, ACCT);
        assert_verdict(
            "partial",
            &outcome,
            Status::Fail,
            "the SCPs on the account's path do not enforce: deny leaving the organization; deny \
             stopping or deleting CloudTrail; deny stopping or deleting AWS Config; deny \
             disabling GuardDuty; deny disabling Security Hub; deny root user actions",
        );
        assert_eq!(
            outcome.evidence["Regions an ordinary role may use"],
            "eu-west-1, us-east-1"
        );
        assert_eq!(
            outcome.evidence["SCPs on the path"],
            "the root: FullAWSAccess (p-FullAWSAccess); OU /Workloads: FullAWSAccess \
             (p-FullAWSAccess), partial (p-partial); the account: FullAWSAccess (p-FullAWSAccess)"
        );
    }

    #[test]
    fn an_unconditional_not_action_denies_everything_it_does_not_name() {
        let not_action = policy(
            "p-not-action",
            &[OU],
            r#"[{"Effect": "Deny", "Resource": "*",
                 "NotAction": ["cloudtrail:*", "iam:*", "ec2:*", "s3:*"]}]"#,
        );
        let org = with(Collected::Ok(vec![full_access(), not_action]));
        let outcome = run(&org, ACCT);
        let holds = "holds: not-action (p-not-action) on OU /Workloads";
        for (guardrail, said) in [
            ("deny leaving the organization", holds),
            ("deny stopping or deleting AWS Config", holds),
            ("deny disabling GuardDuty", holds),
            ("deny disabling Security Hub", holds),
            ("deny stopping or deleting CloudTrail", "missing"),
            ("deny root user actions", "missing"),
        ] {
            assert_eq!(outcome.evidence[guardrail], said, "{guardrail}");
        }
        assert_eq!(outcome.status, Status::Fail);
    }

    #[test]
    fn a_level_that_allows_nothing_denies_everything() {
        // An allow list at the OU that lists only EC2: everything else is denied there.
        let allow_list = policy(
            "p-ec2-only",
            &[OU],
            r#"[{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]"#,
        );
        let mut root_only = full_access();
        root_only.targets = Collected::Ok(vec![ROOT.to_owned(), ACCT.to_owned()]);
        let org = with(Collected::Ok(vec![root_only, allow_list]));
        let outcome = run(&org, ACCT);
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.reason);
        assert_eq!(
            outcome.evidence["deny leaving the organization"],
            "holds: no SCP on OU /Workloads allows it"
        );
        // ec2 stays allowed, so the root user's EC2 actions are not denied.
        assert_eq!(outcome.evidence["deny root user actions"], "missing");
    }

    #[test]
    fn what_could_not_be_read_is_error_and_the_management_account_is_skipped() {
        let mut unreadable = baseline(OU);
        unreadable.content = Collected::Error(error(
            "organizations",
            "DescribePolicy",
            "AccessDeniedException",
        ));
        let mut targets_unread = baseline(OU);
        targets_unread.targets = Collected::Error(error(
            "organizations",
            "ListTargetsForPolicy",
            "TooManyRequestsException",
        ));
        let mut not_json = baseline(OU);
        not_json.content = Collected::Ok("{not json".to_owned());
        let unlisted = OrganizationFacts {
            policies: Some(Collected::Error(error(
                "organizations",
                "ListRoots",
                "AccessDeniedException",
            ))),
            ..organization()
        };
        let mut not_read = with(Collected::Ok(vec![full_access()]));
        let mut unplaced = with(Collected::Ok(vec![full_access()]));
        if let (Some(Collected::Ok(read)), Some(Collected::Ok(placed))) =
            (&mut not_read.policies, &mut unplaced.policies)
        {
            read.by_type.clear();
            placed.placements.clear();
        }
        for (name, org, reason) in [
            (
                "root",
                unlisted,
                "cannot tell which SCPs apply to the account: organizations:ListRoots failed: \
                 AccessDeniedException",
            ),
            (
                "enabled but not listed",
                not_read,
                "cannot tell which SCPs apply to the account: the SCPs were not listed",
            ),
            (
                "placement",
                unplaced,
                "cannot tell which SCPs apply to the account: the account's place in the \
                 organization was not recorded",
            ),
            (
                "document",
                with(Collected::Ok(vec![full_access(), unreadable])),
                "cannot tell which SCPs apply to the account: SCP baseline (p-baseline) could \
                 not be read: organizations:DescribePolicy failed: AccessDeniedException",
            ),
            (
                "targets",
                with(Collected::Ok(vec![full_access(), targets_unread])),
                "cannot tell which SCPs apply to the account: the targets of SCP baseline \
                 (p-baseline) could not be read: organizations:ListTargetsForPolicy failed: \
                 TooManyRequestsException",
            ),
            (
                "listing",
                with(Collected::Error(error(
                    "organizations",
                    "ListPolicies",
                    "AccessDeniedException",
                ))),
                "cannot tell which SCPs apply to the account: organizations:ListPolicies \
                 failed: AccessDeniedException",
            ),
            (
                "old snapshot",
                organization(),
                "the organization's policies were not read: the snapshot was made by a posture \
                 that did not read them; scan again",
            ),
        ] {
            let outcome = run(&org, ACCT);
            assert_eq!(outcome.status, Status::Error, "{name}: {}", outcome.reason);
            assert!(
                outcome.reason.starts_with(reason),
                "{name}: {}",
                outcome.reason
            );
        }
        let org = with(Collected::Ok(vec![full_access(), not_json]));
        let outcome = run(&org, ACCT);
        assert_eq!(outcome.status, Status::Error);
        assert!(
            outcome
                .reason
                .contains("SCP baseline (p-baseline) is not a policy posture can read"),
            "{}",
            outcome.reason
        );

        let org = with(Collected::Ok(vec![full_access(), baseline(ROOT)]));
        assert_eq!(run(&org, MGMT).status, Status::Skipped);

        let mut disabled = with(Collected::Ok(Vec::new()));
        if let Some(Collected::Ok(policies)) = &mut disabled.policies {
            policies.policy_types.clear();
        }
        assert_verdict(
            "disabled",
            &run(&disabled, ACCT),
            Status::Fail,
            "SCPs are not enabled for the organization: no guardrail applies to any account",
        );
    }
}
