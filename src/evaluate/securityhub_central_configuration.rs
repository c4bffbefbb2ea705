//! `securityhub-central-configuration`: Security Hub's administrator configures the organization
//! centrally, and a configuration policy that enables Security Hub with a standard (AWS
//! Foundational Security Best Practices or CIS) applies to every account.
//!
//! Read in the administrator's account (`DescribeOrganizationConfiguration`, then in the home
//! Region the policies and `ListConfigurationPolicyAssociations`, which names every account's
//! policy, applied to it or inherited from an OU or the root). One finding for the organization
//! configuration (PASS under `CENTRAL`), and one per scanned account: PASS when its policy enables
//! Security Hub with such a standard and the association did not fail; FAIL when the account is
//! self-managed, has a policy that disables Security Hub or enables neither standard, or its
//! association failed; ERROR for every account when the administrator could not be read.
//!
//! Pure: no I/O, no clock, no logging.

use super::administrator_view;
use crate::facts::{ConfigurationPolicy, ScanFacts, SecurityHubAdminView};
use crate::finding::{Outcome, Status};

/// The resource of the finding about the organization configuration.
pub(crate) const CONFIGURATION: &str = "organization configuration";

/// What `ListConfigurationPolicyAssociations` names for a target no policy reaches.
const SELF_MANAGED: &str = "SELF_MANAGED_SECURITY_HUB";

/// The standards a policy must enable one of, by the part of their ARN that names them.
const BASELINES: [(&str, &str); 2] = [
    (
        "standards/aws-foundational-security-best-practices/",
        "AWS Foundational Security Best Practices",
    ),
    (
        "cis-aws-foundations-benchmark/",
        "CIS AWS Foundations Benchmark",
    ),
];

/// Judges Security Hub's central configuration of every scanned account.
pub(crate) fn evaluate(facts: &ScanFacts) -> Vec<Outcome> {
    let accounts = facts.accounts.iter().map(|a| a.account_id.as_str());
    let everywhere = |status, reason: String, label: &str, value: String| -> Vec<Outcome> {
        std::iter::once(CONFIGURATION)
            .chain(accounts.clone())
            .map(|resource| {
                Outcome::new(None, resource, status, reason.clone()).with(label, value.clone())
            })
            .collect()
    };
    let Some(organization) = &facts.organization.securityhub_organization else {
        return vec![Outcome::new(
            None,
            CONFIGURATION,
            Status::Error,
            "Security Hub's organization configuration was not recorded: the snapshot was made \
             by a posture that did not read it; scan again",
        )];
    };
    let (admin, view) = match administrator_view(
        "Security Hub",
        "",
        &organization.admin_account_id,
        organization.view.as_ref(),
        "nothing configures the organization's accounts centrally",
    ) {
        Ok(read) => read,
        Err((status, reason, evidence)) => {
            return everywhere(status, reason, "administrator", evidence);
        }
    };
    let kind = view.configuration_type.as_deref().unwrap_or("not answered");
    if view.configuration_type.as_deref() != Some("CENTRAL") {
        return everywhere(
            Status::Fail,
            format!(
                "Security Hub's administrator {admin} does not use central configuration \
                 ({kind}): each account enables Security Hub and its standards itself"
            ),
            "configuration type",
            kind.to_owned(),
        );
    }
    let home = view.home_region.as_deref().unwrap_or(view.region.as_str());
    let mut outcomes = vec![
        Outcome::new(
            None,
            CONFIGURATION,
            Status::Pass,
            format!(
                "Security Hub's administrator {admin} configures the organization centrally \
                 from {home}"
            ),
        )
        .with("administrator", admin)
        .with("configuration type", kind)
        .with("status", view.status.as_deref().unwrap_or("not answered"))
        .with(
            "policies",
            if view.policies.is_empty() {
                "none".to_owned()
            } else {
                view.policies
                    .iter()
                    .map(describe_policy)
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        ),
    ];
    outcomes.extend(accounts.map(|account| judge_account(view, admin, account)));
    outcomes
}

/// `acme-baseline (id): Security Hub on, standards ...`.
fn describe_policy(policy: &ConfigurationPolicy) -> String {
    format!(
        "{} ({}): Security Hub {}, standards {}",
        policy.name,
        policy.id,
        if policy.service_enabled { "on" } else { "off" },
        if policy.standards.is_empty() {
            "none".to_owned()
        } else {
            policy.standards.join(", ")
        }
    )
}

fn judge_account(view: &SecurityHubAdminView, admin: &str, account: &str) -> Outcome {
    let outcome = |status, reason: String| {
        Outcome::new(None, account, status, reason).with("administrator", admin)
    };
    let Some(association) = view
        .associations
        .iter()
        .find(|a| a.target_type == "ACCOUNT" && a.target_id == account)
    else {
        return outcome(
            Status::Fail,
            "the Security Hub administrator lists no configuration policy association for the \
             account: no policy configures it"
                .to_owned(),
        );
    };
    let outcome = |status, reason: String| {
        outcome(status, reason)
            .with("policy", association.policy_id.as_str())
            .with(
                "association",
                format!("{} {}", association.association_type, association.status),
            )
    };
    if association.policy_id == SELF_MANAGED {
        return outcome(
            Status::Fail,
            "the account is self-managed: no configuration policy applies to it, to its OUs or \
             to the root"
                .to_owned(),
        );
    }
    if association.status == "FAILED" {
        return outcome(
            Status::Fail,
            format!(
                "the configuration policy {} failed to apply to the account: {}",
                association.policy_id,
                association
                    .status_message
                    .as_deref()
                    .unwrap_or("no reason given")
            ),
        );
    }
    let Some(policy) = view.policies.iter().find(|p| p.id == association.policy_id) else {
        return outcome(
            Status::Error,
            format!(
                "the account's configuration policy {} is not among the policies \
                 ListConfigurationPolicies listed",
                association.policy_id
            ),
        );
    };
    let baselines: Vec<&str> = BASELINES
        .iter()
        .filter(|(arn, _)| policy.standards.iter().any(|s| s.contains(arn)))
        .map(|(_, name)| *name)
        .collect();
    let how = if association.association_type == "APPLIED" {
        "applied to it"
    } else {
        "inherited"
    };
    let outcome = |status, reason| outcome(status, reason).with("policy", describe_policy(policy));
    if !policy.service_enabled {
        outcome(
            Status::Fail,
            format!(
                "the account's configuration policy {} ({how}) disables Security Hub",
                policy.name
            ),
        )
    } else if baselines.is_empty() {
        outcome(
            Status::Fail,
            format!(
                "the account's configuration policy {} ({how}) enables neither AWS Foundational \
                 Security Best Practices nor CIS AWS Foundations Benchmark",
                policy.name
            ),
        )
    } else {
        outcome(
            Status::Pass,
            format!(
                "the configuration policy {} ({how}) enables Security Hub with {}",
                policy.name,
                baselines.join(" and ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ACCT, MGMT, account, error, organization};
    use super::*;
    use crate::facts::Collected;
    use crate::facts::{PolicyAssociation, SecurityHubOrganization};

    const ADMIN: &str = "333333333333";
    const LEFT_OUT: &str = "444444444444";
    const FSBP: &str =
        "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";

    fn association(target: &str, policy: &str, kind: &str, status: &str) -> PolicyAssociation {
        PolicyAssociation {
            target_id: target.to_owned(),
            target_type: "ACCOUNT".to_owned(),
            policy_id: policy.to_owned(),
            association_type: kind.to_owned(),
            status: status.to_owned(),
            status_message: (status == "FAILED").then(|| "no Config recorder".to_owned()),
        }
    }

    fn central(
        associations: Vec<PolicyAssociation>,
        policies: Vec<ConfigurationPolicy>,
    ) -> ScanFacts {
        let mut organization = organization();
        organization.securityhub_organization = Some(SecurityHubOrganization {
            admin_account_id: Collected::Ok(Some(ADMIN.to_owned())),
            view: Some(Collected::Ok(SecurityHubAdminView {
                region: "us-east-1".to_owned(),
                configuration_type: Some("CENTRAL".to_owned()),
                status: Some("ENABLED".to_owned()),
                home_region: Some("us-east-1".to_owned()),
                policies,
                associations,
            })),
        });
        ScanFacts {
            organization,
            accounts: [MGMT, ADMIN, ACCT, LEFT_OUT]
                .into_iter()
                .map(account)
                .collect(),
            skipped_accounts: Vec::new(),
            regions: vec!["us-east-1".to_owned()],
        }
    }

    fn policy(id: &str, enabled: bool, standards: &[&str]) -> ConfigurationPolicy {
        ConfigurationPolicy {
            id: id.to_owned(),
            name: format!("{id}-name"),
            service_enabled: enabled,
            standards: standards.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn find<'a>(outcomes: &'a [Outcome], resource: &str) -> &'a Outcome {
        outcomes.iter().find(|o| o.resource == resource).unwrap()
    }

    #[test]
    fn judges_each_accounts_effective_policy() {
        let outcomes = evaluate(&central(
            vec![
                association(MGMT, "baseline", "INHERITED", "SUCCESS"),
                association(ADMIN, "off", "APPLIED", "SUCCESS"),
                association(ACCT, "bare", "INHERITED", "SUCCESS"),
                association(LEFT_OUT, SELF_MANAGED, "INHERITED", "SUCCESS"),
            ],
            vec![
                policy("baseline", true, &[FSBP]),
                policy("off", false, &[FSBP]),
                policy("bare", true, &[]),
            ],
        ));
        assert_eq!(outcomes.len(), 5);
        assert_eq!(find(&outcomes, CONFIGURATION).status, Status::Pass);
        let management = find(&outcomes, MGMT);
        assert_eq!(management.status, Status::Pass, "{}", management.reason);
        assert!(management.reason.contains(
            "(inherited) enables Security Hub with AWS Foundational Security Best Practices"
        ));
        assert!(
            find(&outcomes, ADMIN)
                .reason
                .contains("disables Security Hub")
        );
        assert!(find(&outcomes, ACCT).reason.contains("enables neither"));
        let left_out = find(&outcomes, LEFT_OUT);
        assert_eq!(left_out.status, Status::Fail);
        assert!(
            left_out.reason.contains("self-managed"),
            "{}",
            left_out.reason
        );
    }

    #[test]
    fn a_failed_or_missing_association_fails_and_an_unknown_policy_is_error() {
        let outcomes = evaluate(&central(
            vec![
                association(MGMT, "baseline", "APPLIED", "FAILED"),
                association(ADMIN, "gone", "APPLIED", "SUCCESS"),
            ],
            vec![policy("baseline", true, &[FSBP])],
        ));
        assert!(
            find(&outcomes, MGMT)
                .reason
                .contains("failed to apply to the account: no Config recorder")
        );
        assert_eq!(find(&outcomes, ADMIN).status, Status::Error);
        assert_eq!(find(&outcomes, ACCT).status, Status::Fail);
    }

    #[test]
    fn local_configuration_no_administrator_and_unread_judge_every_account() {
        let mut facts = central(Vec::new(), Vec::new());
        if let Some(Collected::Ok(view)) = facts
            .organization
            .securityhub_organization
            .as_mut()
            .and_then(|o| o.view.as_mut())
        {
            view.configuration_type = Some("LOCAL".to_owned());
        }
        let outcomes = evaluate(&facts);
        assert_eq!(outcomes.len(), 5);
        assert!(outcomes.iter().all(|o| o.status == Status::Fail));
        assert!(
            outcomes[0]
                .reason
                .contains("does not use central configuration (LOCAL)")
        );

        let err = error(
            "securityhub",
            "DescribeOrganizationConfiguration",
            "AccessDeniedException",
        );
        facts.organization.securityhub_organization = Some(SecurityHubOrganization {
            admin_account_id: Collected::Ok(Some(ADMIN.to_owned())),
            view: Some(Collected::Error(err)),
        });
        assert!(evaluate(&facts).iter().all(|o| o.status == Status::Error));
        facts.organization.securityhub_organization = Some(SecurityHubOrganization {
            admin_account_id: Collected::Ok(None),
            view: None,
        });
        assert!(evaluate(&facts).iter().all(|o| o.status == Status::Fail));
        facts.organization.securityhub_organization = None;
        assert_eq!(evaluate(&facts).len(), 1);
    }
}
