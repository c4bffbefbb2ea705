//! `scp-guardrails`: which preventive guardrails the service control policies on an account's
//! path enforce, judged from the policies' own statements rather than from the fact that one is
//! attached.
//!
//! AWS applies to a member account the SCPs attached to the root, to every OU above it and to the
//! account itself: an action is allowed only when an SCP at every one of those levels allows it,
//! and denied when any of them denies it (`DescribeEffectivePolicy` does not exist for SCPs; the
//! path is computed here). A guardrail holds when every action it names is denied, explicitly or
//! for want of an Allow at some level, for an ordinary role of the account in every scanned
//! Region (the root-user guardrail: for the account's root user). The statements are evaluated
//! by the `iam-rs` crate, so `NotAction`, wildcards and conditions count as AWS counts them: a
//! Deny that exempts only named roles (`ArnNotLike aws:PrincipalArn …/AWSControlTowerExecution`)
//! still holds for everyone else; a Deny that applies only in one Region does not hold in the
//! others.
//!
//! The Region restriction is reported (which Regions an ordinary role may use) but is not
//! required: an organization may use every Region. SCPs never apply to the management account:
//! its finding is SKIPPED with that reason.

use iam_rs::{
    Arn, Context, Decision, IAMPolicy, IAMRequest, PolicyEvaluator, Principal, PrincipalId,
};

use super::context::AccountContext;
use super::describe_error;
use crate::config::KNOWN_REGIONS;
use crate::facts::{Collected, OrganizationPolicies, OrganizationPolicy, SCP};
use crate::finding::{Outcome, Status};

/// Who a guardrail is probed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
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
    probe: Probe,
}

/// The guardrails the landing-zone guidance asks of every member account, in the order the
/// finding lists them.
const GUARDRAILS: [Guardrail; 6] = [
    Guardrail {
        name: "deny leaving the organization",
        actions: &["organizations:LeaveOrganization"],
        probe: Probe::Role,
    },
    Guardrail {
        name: "deny stopping or deleting CloudTrail",
        actions: &["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
        probe: Probe::Role,
    },
    Guardrail {
        name: "deny stopping or deleting AWS Config",
        actions: &[
            "config:StopConfigurationRecorder",
            "config:DeleteConfigurationRecorder",
            "config:DeleteDeliveryChannel",
        ],
        probe: Probe::Role,
    },
    Guardrail {
        name: "deny disabling GuardDuty",
        actions: &[
            "guardduty:DeleteDetector",
            "guardduty:DisassociateFromAdministratorAccount",
        ],
        probe: Probe::Role,
    },
    Guardrail {
        name: "deny disabling Security Hub",
        actions: &[
            "securityhub:DisableSecurityHub",
            "securityhub:DisassociateFromAdministratorAccount",
        ],
        probe: Probe::Role,
    },
    Guardrail {
        name: "deny root user actions",
        actions: &["iam:CreateAccessKey", "ec2:RunInstances", "s3:DeleteBucket"],
        probe: Probe::Root,
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
    let policies = match &ctx.organization.policies {
        None => {
            return outcome(
                Status::Error,
                "the organization's policies were not read: the snapshot was made by a posture \
                 that did not read them; scan again"
                    .to_owned(),
            );
        }
        Some(Collected::Error(err)) => {
            return outcome(
                Status::Error,
                format!(
                    "cannot tell which SCPs apply to the account: {}",
                    describe_error(err)
                ),
            );
        }
        Some(Collected::Ok(policies)) => policies,
    };
    if !policies.type_enabled(SCP) {
        return outcome(
            Status::Fail,
            "SCPs are not enabled for the organization: no guardrail applies to any account"
                .to_owned(),
        );
    }
    let path = match Path::of(policies, account_id) {
        Ok(path) => path,
        Err(why) => {
            return outcome(
                Status::Error,
                format!("cannot tell which SCPs apply to the account: {why}"),
            );
        }
    };
    let held: Vec<(&str, Option<String>)> = GUARDRAILS
        .iter()
        .map(|g| (g.name, path.enforces(g, account_id, ctx.regions)))
        .collect();
    let missing: Vec<&str> = held
        .iter()
        .filter(|(_, source)| source.is_none())
        .map(|(name, _)| *name)
        .collect();
    let allowed = path.allowed_regions(account_id);
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

/// One level of an account's path: the root, an OU or the account, with the SCPs attached there.
struct Level<'a> {
    /// `the root`, `OU /Workloads/Prod`, `the account`.
    label: String,
    /// The SCPs attached to it, each parsed into an evaluator of its own (so that a denial can
    /// be traced to its policy), built once per account.
    policies: Vec<(&'a OrganizationPolicy, PolicyEvaluator)>,
}

/// The SCPs that apply to one account, level by level from the root down.
struct Path<'a> {
    levels: Vec<Level<'a>>,
}

impl<'a> Path<'a> {
    /// The path of `account_id`, or why it cannot be known: a policy whose targets or document
    /// could not be read (it might be attached on the path), or one that does not parse.
    fn of(policies: &'a OrganizationPolicies, account_id: &str) -> Result<Self, String> {
        let placement = policies
            .placements
            .iter()
            .find(|p| p.account_id == account_id)
            .ok_or_else(|| "the account's place in the organization was not recorded".to_owned())?;
        let scps = policies
            .of_type(SCP)
            .ok_or_else(|| "the SCPs were not listed".to_owned())?;
        let scps = scps.as_result().map_err(describe_error)?;
        let mut levels: Vec<(String, &str)> = vec![("the root".to_owned(), &policies.root_id)];
        for parent in &placement.parents {
            levels.push((format!("OU {}", parent.path), &parent.id));
        }
        levels.push(("the account".to_owned(), account_id));
        let mut path = Path { levels: Vec::new() };
        for (label, target) in levels {
            let mut attached = Vec::new();
            for policy in scps {
                let targets = policy.targets.as_result().map_err(|err| {
                    format!(
                        "the targets of SCP {} ({}) could not be read: {}",
                        policy.name,
                        policy.id,
                        describe_error(err)
                    )
                })?;
                if !targets.iter().any(|t| t == target) {
                    continue;
                }
                let content = policy.content.as_result().map_err(|err| {
                    format!(
                        "SCP {} ({}) could not be read: {}",
                        policy.name,
                        policy.id,
                        describe_error(err)
                    )
                })?;
                let parsed = IAMPolicy::from_json(content).map_err(|err| {
                    format!(
                        "SCP {} ({}) is not a policy posture can read: {err}",
                        policy.name, policy.id
                    )
                })?;
                attached.push((policy, PolicyEvaluator::with_policies(vec![parsed])));
            }
            path.levels.push(Level {
                label,
                policies: attached,
            });
        }
        Ok(path)
    }

    /// What denies `action` to `principal` in `region`: the first policy that denies it
    /// explicitly, else the first level where no SCP allows it; `None` when it is allowed.
    fn denial(&self, principal: &str, action: &str, region: &str) -> Option<String> {
        // A probe that cannot be made denies nothing: the guardrail is not shown to hold.
        let request = request(principal, action, region)?;
        let mut implicit: Option<String> = None;
        for level in &self.levels {
            let mut allowed = false;
            for (meta, policy) in &level.policies {
                match decide(policy, &request) {
                    Decision::Deny => {
                        return Some(format!("{} ({}) on {}", meta.name, meta.id, level.label));
                    }
                    Decision::Allow => allowed = true,
                    Decision::NotApplicable => {}
                }
            }
            if !allowed && implicit.is_none() {
                implicit = Some(format!("no SCP on {} allows it", level.label));
            }
        }
        implicit
    }

    /// Where `guardrail` is enforced (its first action's denial), or `None` when one of its
    /// actions is allowed in one of `regions`.
    fn enforces(
        &self,
        guardrail: &Guardrail,
        account_id: &str,
        regions: &[String],
    ) -> Option<String> {
        let principal = match guardrail.probe {
            Probe::Role => format!("arn:aws:iam::{account_id}:role/{PROBE_ROLE}"),
            Probe::Root => format!("arn:aws:iam::{account_id}:root"),
        };
        let mut sources: Vec<String> = Vec::new();
        for action in guardrail.actions {
            for region in regions {
                let source = self.denial(&principal, action, region)?;
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
        }
        Some(sources.join("; "))
    }

    /// The Regions in which an ordinary role of the account may run a regional action.
    fn allowed_regions(&self, account_id: &str) -> Vec<&'static str> {
        let principal = format!("arn:aws:iam::{account_id}:role/{PROBE_ROLE}");
        KNOWN_REGIONS
            .iter()
            .copied()
            .filter(|region| self.denial(&principal, REGIONAL_ACTION, region).is_none())
            .collect()
    }

    /// Every SCP on the path, level by level, for the evidence.
    fn listing(&self) -> String {
        self.levels
            .iter()
            .map(|level| {
                let names: Vec<String> = level
                    .policies
                    .iter()
                    .map(|(meta, _)| format!("{} ({})", meta.name, meta.id))
                    .collect();
                let names = if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                };
                format!("{}: {names}", level.label)
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The request a probe makes: `principal` calling `action` on a resource of its own account in
/// `region`, with the context keys SCP conditions test; `None` if no ARN can be made of them.
fn request(principal: &str, action: &str, region: &str) -> Option<IAMRequest> {
    let account = principal.split(':').nth(4).unwrap_or_default();
    let service = action.split(':').next().unwrap_or_default();
    let context = Context::new()
        .with_string("aws:PrincipalArn", principal)
        .with_string("aws:PrincipalAccount", account)
        .with_string("aws:RequestedRegion", region);
    // The resource is the account's own: SCPs name resources by pattern, and "*" is usual.
    let resource = Arn::parse(&format!(
        "arn:aws:{service}:{region}:{account}:posture-probe"
    ))
    .ok()?;
    Some(IAMRequest::new_with_context(
        Principal::Aws(PrincipalId::String(principal.to_owned())),
        action,
        resource,
        context,
    ))
}

/// One policy's decision on `request`; a request the evaluator refuses counts as not applicable.
fn decide(policy: &PolicyEvaluator, request: &IAMRequest) -> Decision {
    policy
        .evaluate(request)
        .map_or(Decision::NotApplicable, |result| result.decision)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, MGMT, account, assert_verdict, context, error, organization,
    };
    use super::*;
    use crate::facts::{AccountPlacement, OuRef, PoliciesOfType, RootPolicyType};

    const ROOT: &str = "r-root";
    const OU: &str = "ou-root-workloads";

    fn policy(id: &str, targets: &[&str], statements: &str) -> OrganizationPolicy {
        OrganizationPolicy {
            id: id.to_owned(),
            name: id.trim_start_matches("p-").to_owned(),
            aws_managed: id == "p-FullAWSAccess",
            content: Collected::Ok(format!(
                r#"{{"Version": "2012-10-17", "Statement": {statements}}}"#
            )),
            targets: Collected::Ok(targets.iter().map(|t| (*t).to_owned()).collect()),
        }
    }

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
        OrganizationFacts {
            policies: Some(Collected::Ok(OrganizationPolicies {
                root_id: ROOT.to_owned(),
                policy_types: vec![RootPolicyType {
                    policy_type: SCP.to_owned(),
                    status: "ENABLED".to_owned(),
                }],
                by_type: vec![PoliciesOfType {
                    policy_type: SCP.to_owned(),
                    policies: scps,
                }],
                placements: vec![AccountPlacement {
                    account_id: ACCT.to_owned(),
                    parents: vec![OuRef {
                        id: OU.to_owned(),
                        path: "/Workloads".to_owned(),
                    }],
                }],
            })),
            ..organization()
        }
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
