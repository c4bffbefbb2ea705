//! `organization-structure`: the organization is laid out as the landing-zone guidance lays it
//! out: a Security OU holds the audit and log-archive accounts, and no member account sits
//! directly under the root.
//!
//! The Security OU is the first OU of `[landing_zone] security_ous` that holds a scanned account
//! (by default the OU `/Security`, or `/Core`, Control Tower's former name, in any case); an
//! account is in it when it sits in it or in an OU below it. The audit account is every member
//! that is a delegated administrator of a security
//! service (any source of `delegated_admins`); the log-archive account is the scanned account
//! that owns the bucket the organization trails deliver to. Where each account sits comes from
//! discovery, kept with the organization's policies. One finding for the Security OU and one per
//! scanned member account (the resource is the account), all owned by the management account as
//! every organization check's are.

use std::collections::BTreeSet;

use super::LandingZone;
use super::describe_error;
use crate::facts::{AccountPlacement, Collected, ScanFacts};
use crate::finding::{Outcome, Status};

/// The resource of the finding about the Security OU.
pub(crate) const SECURITY_OU: &str = "Security OU";

/// Judges the organization's structure.
pub(crate) fn evaluate(facts: &ScanFacts, landing_zone: &LandingZone) -> Vec<Outcome> {
    let organization = &facts.organization;
    let management = organization.management_account_id.as_str();
    let security = |status, reason: String| Outcome::new(None, SECURITY_OU, status, reason);
    let placements = match &organization.policies {
        None => {
            return vec![security(
                Status::Error,
                "where each account sits was not recorded: the snapshot was made by a posture \
                 that did not record it; scan again"
                    .to_owned(),
            )];
        }
        Some(Collected::Error(err)) => {
            return vec![security(
                Status::Error,
                format!(
                    "where each account sits was not recorded: the organization's root could not \
                     be read: {}",
                    describe_error(err)
                ),
            )];
        }
        Some(Collected::Ok(policies)) => &policies.placements,
    };
    let mut outcomes = vec![security_ou(facts, placements, landing_zone)];
    outcomes.extend(
        placements
            .iter()
            .filter(|p| p.account_id != management)
            .map(member),
    );
    outcomes
}

/// Where a member sits: FAIL directly under the root.
fn member(placement: &AccountPlacement) -> Outcome {
    let account_id = placement.account_id.as_str();
    match placement.parents.last() {
        None => Outcome::new(
            None,
            account_id,
            Status::Fail,
            "the account sits directly under the root: move it into an OU (workloads in their \
             own OUs, so that guardrails apply by OU)"
                .to_owned(),
        )
        .with("OU", "the root"),
        Some(ou) => Outcome::new(
            None,
            account_id,
            Status::Pass,
            format!("the account sits in OU {}", ou.path),
        )
        .with("OU", ou.path.as_str()),
    }
}

/// The Security OU: it exists, and holds the audit and log-archive accounts.
fn security_ou(
    facts: &ScanFacts,
    placements: &[AccountPlacement],
    landing_zone: &LandingZone,
) -> Outcome {
    let outcome = |status, reason: String| Outcome::new(None, SECURITY_OU, status, reason);
    let audit = match audit_accounts(facts) {
        Ok(audit) => audit,
        Err(why) => return outcome(Status::Error, why),
    };
    let log_archive = match log_archive_accounts(facts) {
        Ok(log_archive) => log_archive,
        Err(why) => return outcome(Status::Error, why),
    };
    let ou_of = |account_id: &str| -> String {
        placements
            .iter()
            .find(|p| p.account_id == account_id)
            .and_then(|p| p.parents.last())
            .map_or_else(|| "the root".to_owned(), |ou| ou.path.clone())
    };
    let named = |accounts: &BTreeSet<String>| -> String {
        if accounts.is_empty() {
            "not identified".to_owned()
        } else {
            accounts
                .iter()
                .map(|a| format!("{a} ({})", ou_of(a)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let security_ou = landing_zone.security_ou(placements);
    let in_security = |account_id: &str| {
        placements
            .iter()
            .find(|p| p.account_id == account_id)
            .is_some_and(|p| security_ou.is_some_and(|ou| p.parents.iter().any(|o| o.id == ou.id)))
    };
    let mut problems: Vec<String> = Vec::new();
    if audit.is_empty() {
        problems.push(
            "no audit account: no member is the delegated administrator of a security service"
                .to_owned(),
        );
    }
    if log_archive.is_empty() {
        problems.push(
            "no log-archive account: no scanned account owns the bucket the organization trail \
             delivers to"
                .to_owned(),
        );
    }
    let result = match security_ou {
        None => outcome(
            Status::Fail,
            format!(
                "no Security OU: none of the OUs [landing_zone] names ({}) holds a scanned \
                 account; name the organization's in posture.toml",
                landing_zone.security_ous.join(", ")
            ),
        ),
        Some(ou) => {
            for (role, accounts) in [("audit", &audit), ("log-archive", &log_archive)] {
                for account in accounts.iter().filter(|a| !in_security(a)) {
                    problems.push(format!(
                        "the {role} account {account} sits in {}, not in {}",
                        ou_of(account),
                        ou.path
                    ));
                }
            }
            if problems.is_empty() {
                outcome(
                    Status::Pass,
                    format!("{} holds the audit and log-archive accounts", ou.path),
                )
            } else {
                outcome(Status::Fail, problems.join("; "))
            }
        }
    };
    result
        .with(
            SECURITY_OU,
            security_ou.map_or("none", |ou| ou.path.as_str()),
        )
        .with(LandingZone::EVIDENCE_LABEL, landing_zone.describe())
        .with("audit accounts", named(&audit))
        .with("log-archive accounts", named(&log_archive))
}

/// Every member that administers a security service for the organization, from every source
/// that could be read (a service's own admin API answers the management account only, so a scan
/// from elsewhere reads Organizations alone); why it cannot be known when no source could be read.
fn audit_accounts(facts: &ScanFacts) -> Result<BTreeSet<String>, String> {
    let management = facts.organization.management_account_id.as_str();
    let mut audit = BTreeSet::new();
    let mut first_error = None;
    let mut read_any = false;
    for source in facts
        .organization
        .delegated_admins
        .iter()
        .flat_map(|service| &service.sources)
    {
        match source.admin_account_ids.as_result() {
            Ok(ids) => {
                read_any = true;
                audit.extend(ids.iter().filter(|id| *id != management).cloned());
            }
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    match first_error {
        Some(err) if !read_any => Err(format!(
            "cannot tell which account is the audit account: {}",
            describe_error(err)
        )),
        _ => Ok(audit),
    }
}

/// The scanned accounts that own a bucket the organization trails deliver to, or why that
/// cannot be known: a delivery bucket no readable account owns, while some account's buckets
/// could not be listed (bucket names are global: once an owner is found, no other can own it).
pub(super) fn log_archive_accounts(facts: &ScanFacts) -> Result<BTreeSet<String>, String> {
    let trails = facts
        .organization
        .organization_trails
        .as_result()
        .map_err(|err| {
            format!(
                "cannot tell which account is the log-archive account: the organization trails \
                 could not be read: {}",
                describe_error(err)
            )
        })?;
    let buckets: BTreeSet<&str> = trails
        .iter()
        .filter_map(|t| t.s3_bucket.as_deref())
        .collect();
    let mut owners = BTreeSet::new();
    let mut owned_buckets: BTreeSet<&str> = BTreeSet::new();
    let mut unlisted = None;
    for account in &facts.accounts {
        match &account.buckets {
            Some(Collected::Ok(owned)) => {
                for bucket in owned.iter().filter(|b| buckets.contains(b.as_str())) {
                    owned_buckets.insert(bucket);
                    owners.insert(account.account_id.clone());
                }
            }
            Some(Collected::Error(err)) => {
                unlisted.get_or_insert(format!(
                    "the buckets of {} could not be listed: {}",
                    account.account_id,
                    describe_error(err)
                ));
            }
            None => {
                unlisted.get_or_insert(
                    "the accounts' buckets were not read (the snapshot was made by a posture \
                     that did not read them)"
                        .to_owned(),
                );
            }
        }
    }
    match unlisted {
        Some(why) if owned_buckets.len() < buckets.len() => Err(format!(
            "cannot tell which account is the log-archive account: {why}"
        )),
        _ => Ok(owners),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ACCT, MGMT, account, error, organization, trail};
    use super::*;
    use crate::facts::{AdminSource, OrganizationPolicies, OuRef, ServiceAdministration};

    const AUDIT: &str = "333333333333";
    const ARCHIVE: &str = "444444444444";

    fn placed(account_id: &str, path: &[&str]) -> AccountPlacement {
        AccountPlacement {
            account_id: account_id.to_owned(),
            parents: path
                .iter()
                .enumerate()
                .map(|(i, _)| OuRef {
                    id: format!("ou-{}", path[..=i].join("-").to_lowercase()),
                    path: format!("/{}", path[..=i].join("/")),
                })
                .collect(),
        }
    }

    /// A landing zone: audit and log archive in /Security, a workload in /Workloads/Prod.
    fn landing_zone(placements: Vec<AccountPlacement>) -> ScanFacts {
        let mut org_trail = trail(MGMT, "org-trail");
        org_trail.organization_trail = true;
        org_trail.s3_bucket = Some("org-trail-logs".to_owned());
        let mut archive = account(ARCHIVE);
        archive.buckets = Some(Collected::Ok(vec!["org-trail-logs".to_owned()]));
        let mut workload = account(ACCT);
        workload.buckets = Some(Collected::Ok(vec!["app-data".to_owned()]));
        let mut audit = account(AUDIT);
        audit.buckets = Some(Collected::Ok(Vec::new()));
        ScanFacts {
            organization: crate::facts::OrganizationFacts {
                delegated_admins: vec![ServiceAdministration {
                    service_principal: "securityhub.amazonaws.com".to_owned(),
                    sources: vec![AdminSource {
                        api: "organizations:ListDelegatedAdministrators".to_owned(),
                        region: None,
                        admin_account_ids: Collected::Ok(vec![AUDIT.to_owned()]),
                    }],
                }],
                organization_trails: Collected::Ok(vec![org_trail]),
                policies: Some(Collected::Ok(OrganizationPolicies {
                    root_id: "r-root".to_owned(),
                    organization_id: "o-example".to_owned(),
                    policy_types: Vec::new(),
                    by_type: Vec::new(),
                    placements,
                })),
                ..organization()
            },
            accounts: vec![account(MGMT), audit, archive, workload],
            skipped_accounts: Vec::new(),
            regions: vec!["us-east-1".to_owned()],
        }
    }

    fn good() -> Vec<AccountPlacement> {
        vec![
            placed(MGMT, &[]),
            placed(AUDIT, &["Security"]),
            placed(ARCHIVE, &["Security"]),
            placed(ACCT, &["Workloads", "Prod"]),
        ]
    }

    fn judged(facts: &ScanFacts) -> Vec<Outcome> {
        evaluate(facts, &LandingZone::default())
    }

    fn of<'a>(outcomes: &'a [Outcome], resource: &str) -> &'a Outcome {
        outcomes
            .iter()
            .find(|o| o.resource == resource)
            .unwrap_or_else(|| panic!("no finding for {resource}: {outcomes:?}"))
    }

    #[test]
    fn a_landing_zone_passes_for_the_security_ou_and_every_member() {
        let outcomes = judged(&landing_zone(good()));
        assert_eq!(
            outcomes.len(),
            4,
            "the Security OU and three members: {outcomes:?}"
        );
        let security = of(&outcomes, SECURITY_OU);
        assert_eq!(security.status, Status::Pass, "{}", security.reason);
        assert_eq!(
            security.evidence["audit accounts"],
            format!("{AUDIT} (/Security)")
        );
        assert_eq!(
            security.evidence["log-archive accounts"],
            format!("{ARCHIVE} (/Security)")
        );
        assert_eq!(of(&outcomes, ACCT).evidence["OU"], "/Workloads/Prod");
        assert!(outcomes.iter().all(|o| o.status == Status::Pass));
    }

    #[test]
    fn an_account_under_the_root_or_outside_the_security_ou_fails() {
        let mut placements = good();
        placements[3] = placed(ACCT, &[]);
        placements[2] = placed(ARCHIVE, &["Workloads"]);
        let outcomes = judged(&landing_zone(placements));
        let workload = of(&outcomes, ACCT);
        assert_eq!(workload.status, Status::Fail);
        assert!(
            workload.reason.contains("directly under the root"),
            "{}",
            workload.reason
        );
        let security = of(&outcomes, SECURITY_OU);
        assert_eq!(security.status, Status::Fail);
        assert!(
            security.reason.contains(&format!(
                "the log-archive account {ARCHIVE} sits in /Workloads, not in /Security"
            )),
            "{}",
            security.reason
        );
        // Without an OU of that name there is no Security OU at all; `core` counts, any case.
        let renamed: Vec<AccountPlacement> = good()
            .into_iter()
            .map(|p| {
                if p.parents.first().is_some_and(|ou| ou.path == "/Security") {
                    placed(&p.account_id, &["core"])
                } else {
                    p
                }
            })
            .collect();
        assert_eq!(
            of(&judged(&landing_zone(renamed)), SECURITY_OU).status,
            Status::Pass
        );
        let elsewhere: Vec<AccountPlacement> = good()
            .into_iter()
            .map(|p| {
                if p.parents.is_empty() {
                    p
                } else {
                    placed(&p.account_id, &["Workloads"])
                }
            })
            .collect();
        let security = of(&judged(&landing_zone(elsewhere)), SECURITY_OU).clone();
        assert_eq!(security.status, Status::Fail);
        assert!(
            security.reason.starts_with("no Security OU"),
            "{}",
            security.reason
        );
    }

    #[test]
    fn what_could_not_be_read_is_error() {
        let mut facts = landing_zone(good());
        facts.organization.policies = None;
        let outcomes = judged(&facts);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].status, Status::Error);
        let mut facts = landing_zone(good());
        facts.organization.delegated_admins[0].sources[0].admin_account_ids =
            Collected::Error(error(
                "organizations",
                "ListDelegatedAdministrators",
                "AccessDeniedException",
            ));
        let security = of(&judged(&facts), SECURITY_OU).clone();
        assert_eq!(security.status, Status::Error);
        assert!(
            security.reason.contains("audit account"),
            "{}",
            security.reason
        );
        // Another account's buckets unread changes nothing once the owner is known ...
        let mut facts = landing_zone(good());
        facts.accounts[3].buckets =
            Some(Collected::Error(error("s3", "ListBuckets", "AccessDenied")));
        assert_eq!(of(&judged(&facts), SECURITY_OU).status, Status::Pass);
        // ... but the owner's own unread leaves the bucket without one.
        facts.accounts[2].buckets =
            Some(Collected::Error(error("s3", "ListBuckets", "AccessDenied")));
        let security = of(&judged(&facts), SECURITY_OU).clone();
        assert_eq!(security.status, Status::Error);
        assert!(
            security.reason.contains("log-archive account"),
            "{}",
            security.reason
        );
        // One unread source of the administrators is not all of them.
        let mut facts = landing_zone(good());
        facts.organization.delegated_admins[0]
            .sources
            .push(AdminSource {
                api: "securityhub:ListOrganizationAdminAccounts".to_owned(),
                region: Some("us-east-1".to_owned()),
                admin_account_ids: Collected::Error(error(
                    "securityhub",
                    "ListOrganizationAdminAccounts",
                    "InvalidAccessException",
                )),
            });
        assert_eq!(of(&judged(&facts), SECURITY_OU).status, Status::Pass);
    }

    #[test]
    fn the_security_ou_is_the_first_one_landing_zone_names_that_the_organization_has() {
        // Audit and log archive in /Infrastructure/Security, nested: the default does not see it.
        let nested: Vec<AccountPlacement> = good()
            .into_iter()
            .map(|p| {
                if p.parents.first().is_some_and(|ou| ou.path == "/Security") {
                    placed(&p.account_id, &["Infrastructure", "Security"])
                } else {
                    p
                }
            })
            .collect();
        let facts = landing_zone(nested);
        let security = of(&judged(&facts), SECURITY_OU).clone();
        assert_eq!(security.status, Status::Fail);
        assert!(
            security.reason.contains("(/Security, /Core)")
                && security.reason.contains("posture.toml"),
            "{}",
            security.reason
        );
        // Named by path, in any case: PASS, and the evidence says how it was recognised.
        let by_path = LandingZone {
            security_ous: vec!["/infrastructure/security".to_owned()],
        };
        let security = of(&evaluate(&facts, &by_path), SECURITY_OU).clone();
        assert_eq!(security.status, Status::Pass, "{}", security.reason);
        assert_eq!(security.evidence["Security OU"], "/Infrastructure/Security");
        assert_eq!(
            security.evidence["Security OU is"],
            r#"security_ous = ["/infrastructure/security"]"#
        );
        // Named by id; an account in an OU below the Security OU is in it.
        let by_id = LandingZone {
            security_ous: vec!["ou-infrastructure".to_owned()],
        };
        let security = of(&evaluate(&facts, &by_id), SECURITY_OU).clone();
        assert_eq!(security.status, Status::Pass, "{}", security.reason);
        assert_eq!(security.evidence["Security OU"], "/Infrastructure");
        // The first named that exists wins, even when a later one would pass.
        let workloads_first = LandingZone {
            security_ous: vec![
                "/Workloads".to_owned(),
                "/Infrastructure/Security".to_owned(),
            ],
        };
        let security = of(&evaluate(&facts, &workloads_first), SECURITY_OU).clone();
        assert_eq!(security.status, Status::Fail);
        assert!(
            security.reason.contains("not in /Workloads"),
            "{}",
            security.reason
        );
    }
}
