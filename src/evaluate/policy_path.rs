//! The authorization policies of one type (SCPs or RCPs) that apply to an account, level by
//! level from the root down, and what they decide about a request: what `scp-guardrails` and
//! `rcp-data-perimeter` share.
//!
//! AWS applies to a member account the policies of a type attached to the root, to every OU
//! above it and to the account itself: a request is allowed only when a policy at every one of
//! those levels allows it, and denied when any of them denies it (`DescribeEffectivePolicy`
//! answers neither type; the path is computed here). RCPs follow the same rule, with
//! `RCPFullAWSAccess` attached to every level by AWS. The statements are evaluated by the
//! `iam-rs` crate, so `NotAction`, wildcards and conditions count as AWS counts them.

use iam_rs::{
    Arn, Context, Decision, IAMPolicy, IAMRequest, PolicyEvaluator, Principal, PrincipalId,
};

use super::context::AccountContext;
use super::describe_error;
use crate::facts::{Collected, OrganizationPolicies, OrganizationPolicy, RCP};

/// One level of an account's path: the root, an OU or the account, with the policies attached
/// there.
struct Level<'a> {
    /// `the root`, `OU /Workloads/Prod`, `the account`.
    label: String,
    /// The policies attached to it, each parsed into an evaluator of its own (so that a denial
    /// can be traced to its policy), built once per account.
    policies: Vec<(&'a OrganizationPolicy, PolicyEvaluator)>,
}

/// The policies of one type that apply to one account, level by level from the root down.
pub(super) struct PolicyPath<'a> {
    /// `SCP` or `RCP`, as the evidence names a policy.
    kind: &'static str,
    levels: Vec<Level<'a>>,
}

/// Why a check cannot judge the policies on an account's path.
pub(super) enum NoPath {
    /// The policies, or the path, could not be read: ERROR, with this reason.
    Unread(String),
    /// The policy type is not enabled at the root: no policy of it applies anywhere.
    NotEnabled,
}

/// The `policy_type` policies on the path to the account of `ctx`, with the organization's
/// policies they come from; or why there is no path to judge.
pub(super) fn account_path<'a>(
    ctx: &AccountContext<'a>,
    policy_type: &str,
) -> Result<(&'a OrganizationPolicies, PolicyPath<'a>), NoPath> {
    let kind = kind(policy_type);
    let policies = match &ctx.organization.policies {
        None => {
            return Err(NoPath::Unread(
                "the organization's policies were not read: the snapshot was made by a posture \
                 that did not read them; scan again"
                    .to_owned(),
            ));
        }
        Some(Collected::Error(err)) => {
            return Err(NoPath::Unread(format!(
                "cannot tell which {kind}s apply to the account: {}",
                describe_error(err)
            )));
        }
        Some(Collected::Ok(policies)) => policies,
    };
    if !policies.type_enabled(policy_type) {
        return Err(NoPath::NotEnabled);
    }
    let path = PolicyPath::of(policies, policy_type, &ctx.account.account_id).map_err(|why| {
        NoPath::Unread(format!(
            "cannot tell which {kind}s apply to the account: {why}"
        ))
    })?;
    Ok((policies, path))
}

impl<'a> PolicyPath<'a> {
    /// The `policy_type` path of `account_id`, or why it cannot be known: a policy whose targets
    /// or document could not be read (it might be attached on the path), or one that does not
    /// parse.
    fn of(
        policies: &'a OrganizationPolicies,
        policy_type: &str,
        account_id: &str,
    ) -> Result<Self, String> {
        let kind = kind(policy_type);
        let placement = policies
            .placements
            .iter()
            .find(|p| p.account_id == account_id)
            .ok_or_else(|| "the account's place in the organization was not recorded".to_owned())?;
        let listed = policies
            .of_type(policy_type)
            .ok_or_else(|| format!("the {kind}s were not listed"))?;
        let listed = listed.as_result().map_err(describe_error)?;
        let mut levels: Vec<(String, &str)> = vec![("the root".to_owned(), &policies.root_id)];
        for parent in &placement.parents {
            levels.push((format!("OU {}", parent.path), &parent.id));
        }
        levels.push(("the account".to_owned(), account_id));
        let mut path = PolicyPath {
            kind,
            levels: Vec::new(),
        };
        for (label, target) in levels {
            let mut attached = Vec::new();
            for policy in listed {
                let targets = policy.targets.as_result().map_err(|err| {
                    format!(
                        "the targets of {kind} {} ({}) could not be read: {}",
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
                        "{kind} {} ({}) could not be read: {}",
                        policy.name,
                        policy.id,
                        describe_error(err)
                    )
                })?;
                let parsed = IAMPolicy::from_json(content).map_err(|err| {
                    format!(
                        "{kind} {} ({}) is not a policy posture can read: {err}",
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

    /// What denies `probe`: the first policy that denies it explicitly, else the first level
    /// where no policy allows it; `None` when it is allowed, or cannot be made.
    pub(super) fn denial(&self, probe: &Probe<'_>) -> Option<String> {
        // A probe that cannot be made denies nothing: the guardrail is not shown to hold.
        let request = probe.request()?;
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
                implicit = Some(format!("no {} on {} allows it", self.kind, level.label));
            }
        }
        implicit
    }

    /// What denies every one of `probes` (each distinct denial once, in order), or `None` when
    /// one of them is allowed: a restriction holds only where it holds for every probe.
    pub(super) fn denial_of_all<'p>(
        &self,
        probes: impl IntoIterator<Item = Probe<'p>>,
    ) -> Option<String> {
        let mut sources: Vec<String> = Vec::new();
        for probe in probes {
            let source = self.denial(&probe)?;
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        Some(sources.join("; "))
    }

    /// The policies on the path that AWS does not manage (`FullAWSAccess`, `RCPFullAWSAccess`
    /// allow everything), for a check that asks whether any restricts anything.
    pub(super) fn own_policies(&self) -> impl Iterator<Item = &'a OrganizationPolicy> + '_ {
        self.levels
            .iter()
            .flat_map(|level| level.policies.iter().map(|(meta, _)| *meta))
            .filter(|meta| !meta.aws_managed)
    }

    /// Every policy on the path, level by level, for the evidence.
    pub(super) fn listing(&self) -> String {
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

/// One request a check asks the path about: `principal` calling `action` on a resource of
/// `resource_account` in `region`, with the context keys the policies' conditions test.
#[derive(Debug, Clone)]
pub(super) struct Probe<'a> {
    /// The caller's ARN.
    pub(super) principal: &'a str,
    /// `service:Action`.
    pub(super) action: &'a str,
    /// The account whose resource is asked for.
    pub(super) resource_account: &'a str,
    /// The Region of the request.
    pub(super) region: &'a str,
    /// The caller's organization (`aws:PrincipalOrgID`); `None` for a caller in none.
    pub(super) principal_org: Option<&'a str>,
    /// The resource's organization (`aws:ResourceOrgID`), when known.
    pub(super) resource_org: Option<&'a str>,
    /// Whether the request came over TLS (`aws:SecureTransport`).
    pub(super) secure_transport: bool,
}

impl<'a> Probe<'a> {
    /// `principal` calling `action` on a resource of its own account in `region`, over TLS.
    pub(super) fn own(principal: &'a str, action: &'a str, region: &'a str) -> Self {
        Probe {
            principal,
            action,
            resource_account: principal.split(':').nth(4).unwrap_or_default(),
            region,
            principal_org: None,
            resource_org: None,
            secure_transport: true,
        }
    }

    /// The request, or `None` if no ARN can be made of it.
    fn request(&self) -> Option<IAMRequest> {
        let account = self.principal.split(':').nth(4).unwrap_or_default();
        let service = self.action.split(':').next().unwrap_or_default();
        let mut context = Context::new()
            .with_string("aws:PrincipalArn", self.principal)
            .with_string("aws:PrincipalAccount", account)
            .with_string("aws:RequestedRegion", self.region)
            .with_string("aws:ResourceAccount", self.resource_account)
            .with_boolean("aws:SecureTransport", self.secure_transport)
            .with_boolean("aws:PrincipalIsAWSService", false);
        if let Some(org) = self.principal_org {
            context = context.with_string("aws:PrincipalOrgID", org);
        }
        if let Some(org) = self.resource_org {
            context = context.with_string("aws:ResourceOrgID", org);
        }
        let resource =
            Arn::parse(&resource_arn(service, self.region, self.resource_account)).ok()?;
        Some(IAMRequest::new_with_context(
            Principal::Aws(PrincipalId::String(self.principal.to_owned())),
            self.action,
            resource,
            context,
        ))
    }
}

/// A resource of `account` in `region` as `service` names its resources, so that a policy that
/// names them by pattern (`arn:aws:s3:::*`) matches the probe as it matches the real thing.
fn resource_arn(service: &str, region: &str, account: &str) -> String {
    match service {
        "s3" => "arn:aws:s3:::posture-probe/object".to_owned(),
        "sts" | "iam" => format!("arn:aws:iam::{account}:role/posture-probe"),
        "kms" => format!("arn:aws:kms:{region}:{account}:key/posture-probe"),
        "secretsmanager" => {
            format!("arn:aws:secretsmanager:{region}:{account}:secret:posture-probe")
        }
        _ => format!("arn:aws:{service}:{region}:{account}:posture-probe"),
    }
}

/// `SCP` or `RCP`, as a reason names a policy of `policy_type`.
fn kind(policy_type: &str) -> &'static str {
    if policy_type == RCP { "RCP" } else { "SCP" }
}

/// One policy's decision on `request`; a request the evaluator refuses counts as not applicable.
fn decide(policy: &PolicyEvaluator, request: &IAMRequest) -> Decision {
    policy
        .evaluate(request)
        .map_or(Decision::NotApplicable, |result| result.decision)
}
