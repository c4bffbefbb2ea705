//! `scps-attached`: service control policies are enabled, and a policy beyond AWS's
//! `FullAWSAccess` applies to every OU (attached to it, to an OU above it, or to the root).
//!
//! One finding per OU (resource: the OU id), or one for the root when the organization has no
//! OU: PASS when such a policy applies, FAIL when none does, ERROR when the SCPs of the OU or of
//! one above it could not be read. When the policy type is not enabled, one FAIL for the root.
//! `FullAWSAccess` (`p-FullAWSAccess`) allows everything and guards nothing, so it does not count.
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{AttachedPolicy, Collected, PolicyTarget, ScanFacts};
use crate::finding::{Outcome, Status};

use super::{describe_error, error_evidence, unread_outcome};

/// Judges the organization's SCPs.
pub(crate) fn evaluate(facts: &ScanFacts) -> Vec<Outcome> {
    let scps = match &facts.organization.service_control_policies {
        None => {
            return vec![Outcome::new(
                None,
                "root",
                Status::Error,
                "the service control policies were not read: the snapshot was made by a posture \
                 that did not read them; scan again",
            )];
        }
        Some(Collected::Error(err)) => {
            return vec![unread_outcome(
                None,
                "root",
                "the service control policies",
                "ListRoots",
                err,
            )];
        }
        Some(Collected::Ok(scps)) => scps,
    };
    if !scps.enabled {
        return vec![
            Outcome::new(
                None,
                scps.root_id.clone(),
                Status::Fail,
                "service control policies are not enabled for the organization: no guardrail \
                 limits what member accounts can do",
            )
            .with("SERVICE_CONTROL_POLICY", "not enabled on the root"),
        ];
    }
    let ous: Vec<&PolicyTarget> = scps.targets.iter().filter(|t| t.path != "/").collect();
    let judged: Vec<&PolicyTarget> = if ous.is_empty() {
        scps.targets.iter().filter(|t| t.path == "/").collect()
    } else {
        ous
    };
    judged
        .into_iter()
        .map(|target| judge(target, &scps.targets))
        .collect()
}

/// Whether a guarding SCP applies to `target`: its own, its ancestors' or the root's.
fn judge(target: &PolicyTarget, all: &[PolicyTarget]) -> Outcome {
    let place = if target.path == "/" {
        "the root".to_owned()
    } else {
        format!("OU {}", target.path)
    };
    let chain: Vec<&PolicyTarget> = all
        .iter()
        .filter(|t| {
            t.path == "/"
                || t.path == target.path
                || target.path.starts_with(&format!("{}/", t.path))
        })
        .collect();
    let guarding: Vec<String> = chain
        .iter()
        .filter_map(|t| match &t.policies {
            Collected::Ok(policies) => {
                let names: Vec<&str> = policies
                    .iter()
                    .filter(|p| guards(p))
                    .map(|p| p.name.as_str())
                    .collect();
                (!names.is_empty()).then(|| format!("{} on {}", names.join(", "), where_(t)))
            }
            Collected::Error(_) => None,
        })
        .collect();
    let unread: Vec<String> = chain
        .iter()
        .filter_map(|t| match &t.policies {
            Collected::Error(err) => Some(format!("{}: {}", where_(t), describe_error(err))),
            Collected::Ok(_) => None,
        })
        .collect();
    let (status, reason) = if !guarding.is_empty() {
        (
            Status::Pass,
            format!("{place} is guarded by {}", guarding.join("; ")),
        )
    } else if !unread.is_empty() {
        (
            Status::Error,
            format!(
                "cannot tell whether an SCP beyond FullAWSAccess applies to {place}: {}",
                unread.join("; ")
            ),
        )
    } else {
        (
            Status::Fail,
            format!(
                "no SCP beyond FullAWSAccess applies to {place}, nor to an OU above it or the root"
            ),
        )
    };
    let mut outcome =
        Outcome::new(None, target.id.clone(), status, reason).with("path", &target.path);
    for t in chain {
        let value = match &t.policies {
            Collected::Ok(policies) if policies.is_empty() => "none".to_owned(),
            Collected::Ok(policies) => policies
                .iter()
                .map(|p| format!("{} ({})", p.name, p.id))
                .collect::<Vec<_>>()
                .join(", "),
            Collected::Error(err) => error_evidence(err),
        };
        outcome = outcome.with(&format!("SCPs on {}", where_(t)), value);
    }
    outcome
}

fn where_(target: &PolicyTarget) -> String {
    if target.path == "/" {
        format!("the root {}", target.id)
    } else {
        target.path.clone()
    }
}

/// Whether a policy guards anything: every SCP but AWS's allow-all `FullAWSAccess`.
fn guards(policy: &AttachedPolicy) -> bool {
    !(policy.id == "p-FullAWSAccess" || (policy.aws_managed && policy.name == "FullAWSAccess"))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_verdict, error, organization};
    use super::*;
    use crate::facts::ServiceControlPolicies;

    fn full() -> AttachedPolicy {
        AttachedPolicy {
            id: "p-FullAWSAccess".into(),
            name: "FullAWSAccess".into(),
            aws_managed: true,
        }
    }

    fn deny() -> AttachedPolicy {
        AttachedPolicy {
            id: "p-abc123".into(),
            name: "deny-leave-organization".into(),
            aws_managed: false,
        }
    }

    fn target(id: &str, path: &str, policies: Collected<Vec<AttachedPolicy>>) -> PolicyTarget {
        PolicyTarget {
            id: id.into(),
            path: path.into(),
            policies,
        }
    }

    fn facts(scps: Option<Collected<ServiceControlPolicies>>) -> ScanFacts {
        let mut organization = organization();
        organization.service_control_policies = scps;
        ScanFacts {
            organization,
            accounts: Vec::new(),
            skipped_accounts: Vec::new(),
            regions: Vec::new(),
        }
    }

    fn enabled(targets: Vec<PolicyTarget>) -> ScanFacts {
        facts(Some(Collected::Ok(ServiceControlPolicies {
            root_id: "r-1".into(),
            enabled: true,
            targets,
        })))
    }

    #[test]
    fn an_ou_is_guarded_by_its_own_an_ancestors_or_the_roots_scp() {
        let outcomes = evaluate(&enabled(vec![
            target("r-1", "/", Collected::Ok(vec![full()])),
            target("ou-w", "/Workloads", Collected::Ok(vec![full(), deny()])),
            target("ou-p", "/Workloads/Prod", Collected::Ok(vec![full()])),
            target("ou-s", "/Sandbox", Collected::Ok(vec![full()])),
            target(
                "ou-x",
                "/Security",
                Collected::Error(error(
                    "organizations",
                    "ListPoliciesForTarget",
                    "Throttling",
                )),
            ),
        ]));
        let verdicts: Vec<(&str, Status)> = outcomes
            .iter()
            .map(|o| (o.resource.as_str(), o.status))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("ou-w", Status::Pass),
                ("ou-p", Status::Pass),
                ("ou-s", Status::Fail),
                ("ou-x", Status::Error),
            ]
        );
        assert_verdict(
            "inherited",
            &outcomes[1],
            Status::Pass,
            "OU /Workloads/Prod is guarded by deny-leave-organization on /Workloads",
        );
        assert_verdict(
            "unguarded",
            &outcomes[2],
            Status::Fail,
            "no SCP beyond FullAWSAccess applies to OU /Sandbox",
        );
        assert_eq!(
            outcomes[2].evidence["SCPs on the root r-1"],
            "FullAWSAccess (p-FullAWSAccess)"
        );
    }

    #[test]
    fn a_root_scp_guards_everything_and_an_organization_without_ous_is_judged_at_the_root() {
        let outcomes = evaluate(&enabled(vec![
            target("r-1", "/", Collected::Ok(vec![full(), deny()])),
            target("ou-s", "/Sandbox", Collected::Ok(vec![full()])),
        ]));
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].status, Status::Pass);
        let root_only = evaluate(&enabled(vec![target(
            "r-1",
            "/",
            Collected::Ok(vec![full()]),
        )]));
        assert_eq!(root_only.len(), 1);
        assert_verdict(
            "root only",
            &root_only[0],
            Status::Fail,
            "no SCP beyond FullAWSAccess applies to the root",
        );
    }

    #[test]
    fn disabled_unread_or_not_read_scps() {
        let disabled = evaluate(&facts(Some(Collected::Ok(ServiceControlPolicies {
            root_id: "r-1".into(),
            enabled: false,
            targets: Vec::new(),
        }))));
        assert_verdict(
            "disabled",
            &disabled[0],
            Status::Fail,
            "service control policies are not enabled",
        );
        assert_eq!(disabled[0].resource, "r-1");
        let unread = evaluate(&facts(Some(Collected::Error(error(
            "organizations",
            "ListRoots",
            "AccessDenied",
        )))));
        assert_verdict(
            "unread",
            &unread[0],
            Status::Error,
            "the service control policies could not be read: organizations:ListRoots failed",
        );
        let old = evaluate(&facts(None));
        assert_verdict("old snapshot", &old[0], Status::Error, "were not read");
    }
}
