//! `delegated-admin-not-management`: each security service the organization uses has one
//! delegated administrator, it is not the management account, and the services AWS's Security
//! Reference Architecture runs from the security tooling (audit) account are all run from the
//! same one. One finding per service principal.
//!
//! Every source collect consulted is judged (Organizations' `ListDelegatedAdministrators`, and
//! Security Hub's and GuardDuty's own admin APIs per Region): FAIL if any names the management
//! account (Organizations never does, the services' own APIs may); otherwise ERROR if any source
//! could not be read (a service's administrator is per Region, so the unread one might name the
//! management account, or the only administrator). When no source names an administrator, the
//! four services of the mission FAIL; the others FAIL when the organization uses them (trusted
//! access is enabled for them), are SKIPPED when it does not, and are ERROR when trusted access
//! could not be read. Sources that name different accounts FAIL (they disagree: one administrator
//! is expected). A security tooling service administered by another account than the security
//! tooling account (the one that administers most of them) FAILs. The evidence lists each
//! source's answer. A service missing from the facts is ERROR, not silence.
//!
//! Pure: no I/O, no clock, no logging.

use std::collections::BTreeMap;

use crate::facts::{AdminSource, Collected, OrganizationFacts, ServiceAdministration};
use crate::finding::{Outcome, Status};

use super::{describe_error, error_evidence};

/// What the check expects of one service.
struct Expected {
    /// The principal its finding is about.
    principal: &'static str,
    /// A name for people.
    name: &'static str,
    /// Judged whether or not the organization uses it (the four services of the mission).
    always: bool,
    /// AWS's Security Reference Architecture runs it from the security tooling account.
    security_tooling: bool,
    /// The trusted-access principals that show the organization uses it.
    trusted_access: &'static [&'static str],
}

const fn expected(
    principal: &'static str,
    name: &'static str,
    always: bool,
    security_tooling: bool,
    trusted_access: &'static [&'static str],
) -> Expected {
    Expected {
        principal,
        name,
        always,
        security_tooling,
        trusted_access,
    }
}

/// The services the check judges, in the order their findings come. IAM Identity Center,
/// CloudFormation StackSets and AWS Backup need a delegated administrator too, but not the
/// security tooling one (the SRA runs Identity Center from a shared-services account, and
/// StackSets and Backup from where the teams that run them work).
const EXPECTED: [Expected; 11] = [
    expected(
        "securityhub.amazonaws.com",
        "Security Hub",
        true,
        true,
        &["securityhub.amazonaws.com"],
    ),
    expected(
        "guardduty.amazonaws.com",
        "GuardDuty",
        true,
        true,
        &["guardduty.amazonaws.com"],
    ),
    expected(
        "access-analyzer.amazonaws.com",
        "IAM Access Analyzer",
        true,
        true,
        &["access-analyzer.amazonaws.com"],
    ),
    expected(
        "config.amazonaws.com",
        "AWS Config",
        true,
        true,
        &[
            "config.amazonaws.com",
            "config-multiaccountsetup.amazonaws.com",
        ],
    ),
    expected(
        "inspector2.amazonaws.com",
        "Amazon Inspector",
        false,
        true,
        &["inspector2.amazonaws.com"],
    ),
    expected(
        "macie.amazonaws.com",
        "Amazon Macie",
        false,
        true,
        &["macie.amazonaws.com"],
    ),
    expected(
        "detective.amazonaws.com",
        "Amazon Detective",
        false,
        true,
        &["detective.amazonaws.com"],
    ),
    expected(
        "fms.amazonaws.com",
        "Firewall Manager",
        false,
        true,
        &["fms.amazonaws.com"],
    ),
    expected(
        "sso.amazonaws.com",
        "IAM Identity Center",
        false,
        false,
        &["sso.amazonaws.com"],
    ),
    expected(
        "member.org.stacksets.cloudformation.amazonaws.com",
        "CloudFormation StackSets",
        false,
        false,
        &["member.org.stacksets.cloudformation.amazonaws.com"],
    ),
    expected(
        "backup.amazonaws.com",
        "AWS Backup",
        false,
        false,
        &["backup.amazonaws.com"],
    ),
];

/// The evidence label of the security tooling account.
const TOOLING_LABEL: &str = "security tooling account";

/// What the sources of one service say, once read.
struct Read<'a> {
    service: &'a ServiceAdministration,
    outcome: Outcome,
    naming_management: Vec<String>,
    /// Each non-management administrator, with the sources that name it.
    admins: BTreeMap<&'a str, Vec<String>>,
    unread: Vec<String>,
    readable: usize,
}

/// Judges who administers each security service.
pub(crate) fn evaluate(organization: &OrganizationFacts) -> Vec<Outcome> {
    let management = organization.management_account_id.as_str();
    let reads: Vec<Read<'_>> = organization
        .delegated_admins
        .iter()
        .map(|service| read(service, management))
        .collect();
    let tooling = tooling_account(&reads);
    let mut outcomes: Vec<Outcome> = reads
        .into_iter()
        .map(|read| judge(read, management, organization, tooling.as_ref()))
        .collect();
    for expected in &EXPECTED {
        if !organization
            .delegated_admins
            .iter()
            .any(|s| s.service_principal == expected.principal)
        {
            outcomes.push(Outcome::new(
                None,
                expected.principal,
                Status::Error,
                format!(
                    "the administrator of {} was not collected (the snapshot was made by a \
                     posture that did not read it; scan again)",
                    expected.principal
                ),
            ));
        }
    }
    outcomes
}

fn expectation(principal: &str) -> Option<&'static Expected> {
    EXPECTED.iter().find(|e| e.principal == principal)
}

fn read<'a>(service: &'a ServiceAdministration, management: &str) -> Read<'a> {
    let principal = service.service_principal.as_str();
    let mut read = Read {
        service,
        outcome: Outcome::new(None, principal, Status::Pass, String::new())
            .with("management account", management),
        naming_management: Vec::new(),
        admins: BTreeMap::new(),
        unread: Vec::new(),
        readable: 0,
    };
    for (index, source) in service.sources.iter().enumerate() {
        let mut label = source_label(source);
        // Two sources can share a label (Config's two Organizations principals are both
        // `ListDelegatedAdministrators`, unless collect names the principal in `api`): keep both.
        if read.outcome.evidence.contains_key(&label) {
            label = format!("{label} (source {})", index + 1);
        }
        match &source.admin_account_ids {
            Collected::Ok(ids) => {
                read.readable += 1;
                if ids.iter().any(|id| id == management) {
                    read.naming_management.push(label.clone());
                }
                for id in ids.iter().filter(|id| *id != management) {
                    read.admins
                        .entry(id.as_str())
                        .or_default()
                        .push(label.clone());
                }
                let answer = if ids.is_empty() {
                    "none".to_owned()
                } else {
                    ids.join(", ")
                };
                read.outcome.evidence.insert(label, answer);
            }
            Collected::Error(err) => {
                read.unread.push(describe_error(err));
                read.outcome.evidence.insert(label, error_evidence(err));
            }
        }
    }
    read
}

/// The security tooling account: the member that administers the most security tooling
/// services, Security Hub's administrator first among equals, then the lowest id; with how many
/// it administers of how many have one.
struct Tooling<'a> {
    account: &'a str,
    administers: usize,
    of: usize,
}

fn tooling_account<'a>(reads: &[Read<'a>]) -> Option<Tooling<'a>> {
    let tooling: Vec<&Read<'a>> = reads
        .iter()
        .filter(|r| {
            expectation(&r.service.service_principal).is_some_and(|e| e.security_tooling)
                && r.naming_management.is_empty()
                && !r.admins.is_empty()
        })
        .collect();
    let mut counts: BTreeMap<&'a str, usize> = BTreeMap::new();
    for read in &tooling {
        for admin in read.admins.keys() {
            *counts.entry(admin).or_default() += 1;
        }
    }
    let securityhub: Option<&str> = tooling
        .iter()
        .find(|r| r.service.service_principal == "securityhub.amazonaws.com")
        .and_then(|r| r.admins.keys().next().copied());
    let (account, administers) = counts.iter().max_by(|(a, n), (b, m)| {
        n.cmp(m)
            .then_with(|| (Some(**a) == securityhub).cmp(&(Some(**b) == securityhub)))
            .then_with(|| b.cmp(a))
    })?;
    Some(Tooling {
        account,
        administers: *administers,
        of: tooling.len(),
    })
}

fn judge(
    read: Read<'_>,
    management: &str,
    organization: &OrganizationFacts,
    tooling: Option<&Tooling<'_>>,
) -> Outcome {
    let Read {
        service,
        mut outcome,
        naming_management,
        admins,
        unread,
        readable,
    } = read;
    let principal = service.service_principal.as_str();
    let expected = expectation(principal);
    if let Some(tooling) = tooling.filter(|_| expected.is_some_and(|e| e.security_tooling)) {
        outcome = outcome.with(
            TOOLING_LABEL,
            format!(
                "{} (administers {} of the {} security tooling services that have an \
                 administrator)",
                tooling.account, tooling.administers, tooling.of
            ),
        );
    }
    let names: Vec<&str> = admins.keys().copied().collect();
    let (status, reason) = if !naming_management.is_empty() {
        (
            Status::Fail,
            format!(
                "the management account {management} administers {principal} according to {}",
                naming_management.join(", ")
            ),
        )
    } else if service.sources.is_empty() {
        (
            Status::Error,
            format!("no source of {principal}'s administrator was consulted"),
        )
    } else if readable == 0 {
        (
            Status::Error,
            format!(
                "the administrator of {principal} could not be read: {}",
                unread.join("; ")
            ),
        )
    } else if !unread.is_empty() {
        let read = if names.is_empty() {
            "the sources read name no administrator".to_owned()
        } else {
            format!("the sources read name {}", names.join(", "))
        };
        (
            Status::Error,
            format!(
                "cannot tell who administers {principal}: {read}, but {} could not be read: {}",
                match unread.len() {
                    1 => "1 source".to_owned(),
                    n => format!("{n} sources"),
                },
                unread.join("; ")
            ),
        )
    } else if names.is_empty() {
        unadministered(principal, expected, organization, &mut outcome)
    } else if names.len() > 1 {
        let each: Vec<String> = admins
            .iter()
            .map(|(id, sources)| format!("{id} ({})", sources.join(", ")))
            .collect();
        (
            Status::Fail,
            format!(
                "the sources disagree on who administers {principal}: {}; one administrator \
                 is expected",
                each.join("; ")
            ),
        )
    } else {
        let admin = names[0];
        match tooling.filter(|_| expected.is_some_and(|e| e.security_tooling)) {
            Some(tooling) if tooling.account != admin => (
                Status::Fail,
                format!(
                    "{principal} is administered by {admin}, not by the security tooling account \
                     {}, which administers {} of the {} security tooling services: run them from \
                     one account",
                    tooling.account, tooling.administers, tooling.of
                ),
            ),
            Some(_) => (
                Status::Pass,
                format!(
                    "{principal} is administered by the security tooling account {admin}, not \
                     the management account"
                ),
            ),
            None => (
                Status::Pass,
                format!("{principal} is administered by {admin}, not the management account"),
            ),
        }
    };
    outcome.status = status;
    outcome.reason = reason;
    outcome
}

/// A service no source names an administrator for: FAIL if the mission always expects one or
/// the organization uses it (trusted access), SKIPPED if it does not, ERROR if that is unknown.
fn unadministered(
    principal: &str,
    expected: Option<&Expected>,
    organization: &OrganizationFacts,
    outcome: &mut Outcome,
) -> (Status, String) {
    let no_admin = format!("{principal} has no delegated administrator");
    let Some(expected) = expected.filter(|e| !e.always) else {
        return (Status::Fail, no_admin);
    };
    let label = "trusted access";
    match &organization.trusted_access {
        None => (
            Status::Error,
            format!(
                "{no_admin}, and whether the organization uses {} was not recorded (the \
                 snapshot was made by a posture that did not read trusted access; scan again)",
                expected.name
            ),
        ),
        Some(Collected::Error(err)) => {
            outcome
                .evidence
                .insert(label.to_owned(), error_evidence(err));
            (
                Status::Error,
                format!(
                    "{no_admin}, and whether the organization uses {} cannot be told: {}",
                    expected.name,
                    describe_error(err)
                ),
            )
        }
        Some(Collected::Ok(enabled)) => {
            let used: Vec<&str> = expected
                .trusted_access
                .iter()
                .copied()
                .filter(|p| enabled.iter().any(|e| e == p))
                .collect();
            if used.is_empty() {
                outcome
                    .evidence
                    .insert(label.to_owned(), "not enabled".to_owned());
                (
                    Status::Skipped,
                    format!(
                        "the organization does not use {}: it has no delegated administrator \
                         and no trusted access",
                        expected.name
                    ),
                )
            } else {
                outcome.evidence.insert(label.to_owned(), used.join(", "));
                (
                    Status::Fail,
                    format!(
                        "{no_admin}, though the organization uses {} (trusted access is enabled): \
                         it is run from the management account; designate the security tooling \
                         account",
                        expected.name
                    ),
                )
            }
        }
    }
}

/// `organizations:ListDelegatedAdministrators` or `guardduty:ListOrganizationAdminAccounts in
/// eu-west-1`.
fn source_label(source: &AdminSource) -> String {
    match &source.region {
        Some(region) => format!("{} in {region}", source.api),
        None => source.api.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{MGMT, assert_verdict, error, organization};
    use super::*;

    const ORGS: &str = "organizations:ListDelegatedAdministrators";
    const GD: &str = "guardduty:ListOrganizationAdminAccounts";

    fn source(api: &str, region: Option<&str>, ids: &[&str]) -> AdminSource {
        AdminSource {
            api: api.to_owned(),
            region: region.map(str::to_owned),
            admin_account_ids: Collected::Ok(ids.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    fn unread(api: &str, region: Option<&str>) -> AdminSource {
        AdminSource {
            admin_account_ids: Collected::Error(error(
                "guardduty",
                "ListOrganizationAdminAccounts",
                "AccessDeniedException",
            )),
            ..source(api, region, &[])
        }
    }

    fn guardduty(sources: Vec<AdminSource>) -> Outcome {
        let mut org = organization();
        org.delegated_admins.push(ServiceAdministration {
            service_principal: "guardduty.amazonaws.com".to_owned(),
            sources,
        });
        let outcomes = evaluate(&org);
        outcomes
            .into_iter()
            .find(|o| o.resource == "guardduty.amazonaws.com")
            .unwrap()
    }

    #[test]
    fn judges_each_case() {
        let audit = "333333333333";
        let cases: Vec<(&str, Vec<AdminSource>, Status, &str)> = vec![
            (
                "passes_when_an_audit_account_administers",
                vec![
                    source(ORGS, None, &[audit]),
                    source(GD, Some("us-east-1"), &[audit]),
                ],
                Status::Pass,
                "guardduty.amazonaws.com is administered by the security tooling account 333333333333, not the management account",
            ),
            (
                "errors_when_a_source_is_unread_and_none_names_the_management_account",
                vec![source(ORGS, None, &[audit]), unread(GD, Some("eu-west-1"))],
                Status::Error,
                "cannot tell who administers guardduty.amazonaws.com: the sources read name 333333333333, but 1 source could not be read: guardduty:ListOrganizationAdminAccounts failed: AccessDeniedException",
            ),
            (
                "fails_when_the_service_api_names_the_management_account",
                vec![
                    source(ORGS, None, &[]),
                    source(GD, Some("eu-west-1"), &[MGMT]),
                ],
                Status::Fail,
                "the management account 111111111111 administers guardduty.amazonaws.com according to guardduty:ListOrganizationAdminAccounts in eu-west-1",
            ),
            (
                "fails_on_the_management_account_even_with_an_unread_source",
                vec![
                    unread(ORGS, None),
                    source(GD, Some("us-east-1"), &[MGMT, audit]),
                ],
                Status::Fail,
                "the management account 111111111111 administers",
            ),
            (
                "fails_when_no_source_names_an_administrator",
                vec![source(ORGS, None, &[]), source(GD, Some("us-east-1"), &[])],
                Status::Fail,
                "guardduty.amazonaws.com has no delegated administrator",
            ),
            (
                "errors_when_the_unread_source_might_name_the_only_administrator",
                vec![
                    source(ORGS, None, &[]),
                    source(GD, Some("us-east-1"), &[]),
                    unread(GD, Some("eu-west-1")),
                ],
                Status::Error,
                "cannot tell who administers guardduty.amazonaws.com: the sources read name no administrator, but 1 source could not be read",
            ),
            (
                "errors_when_no_source_can_be_read",
                vec![unread(ORGS, None), unread(GD, Some("us-east-1"))],
                Status::Error,
                "the administrator of guardduty.amazonaws.com could not be read: guardduty:ListOrganizationAdminAccounts failed: AccessDeniedException",
            ),
            (
                "errors_when_no_source_was_consulted",
                vec![],
                Status::Error,
                "no source of guardduty.amazonaws.com's administrator was consulted",
            ),
        ];
        for (name, sources, status, reason) in cases {
            let outcome = guardduty(sources);
            assert_verdict(name, &outcome, status, reason);
            assert_eq!(outcome.region, None, "{name}");
        }
    }

    #[test]
    fn evidence_lists_each_sources_answer() {
        let outcome = guardduty(vec![
            source(ORGS, None, &[]),
            source(GD, Some("us-east-1"), &["333333333333"]),
            unread(GD, Some("eu-west-1")),
        ]);
        assert_eq!(outcome.evidence[ORGS], "none");
        assert_eq!(
            outcome.evidence["guardduty:ListOrganizationAdminAccounts in us-east-1"],
            "333333333333"
        );
        assert!(
            outcome.evidence["guardduty:ListOrganizationAdminAccounts in eu-west-1"]
                .starts_with("not read: ")
        );
        assert_eq!(outcome.evidence["management account"], MGMT);
    }

    #[test]
    fn config_counts_either_organizations_principal_listed_in_its_sources() {
        let mut org = organization();
        org.delegated_admins.push(ServiceAdministration {
            service_principal: "config.amazonaws.com".to_owned(),
            sources: vec![
                source("organizations:ListDelegatedAdministrators config.amazonaws.com", None, &[]),
                source(
                    "organizations:ListDelegatedAdministrators config-multiaccountsetup.amazonaws.com",
                    None,
                    &["333333333333"],
                ),
            ],
        });
        let outcome = evaluate(&org)
            .into_iter()
            .find(|o| o.resource == "config.amazonaws.com")
            .unwrap();
        assert_eq!(outcome.status, Status::Pass, "{}", outcome.reason);
    }

    #[test]
    fn sources_with_the_same_label_keep_both_answers() {
        let outcome = guardduty(vec![
            source(ORGS, None, &[]),
            source(ORGS, None, &["333333333333"]),
        ]);
        assert_eq!(outcome.evidence[ORGS], "none");
        assert_eq!(
            outcome.evidence[&format!("{ORGS} (source 2)")],
            "333333333333"
        );
    }

    #[test]
    fn a_service_missing_from_the_facts_is_error() {
        let outcomes = evaluate(&organization());
        let resources: Vec<&str> = outcomes.iter().map(|o| o.resource.as_str()).collect();
        assert_eq!(resources, EXPECTED.map(|e| e.principal));
        assert!(outcomes.iter().all(|o| o.status == Status::Error));
    }

    fn service(principal: &str, sources: Vec<AdminSource>) -> ServiceAdministration {
        ServiceAdministration {
            service_principal: principal.to_owned(),
            sources,
        }
    }

    fn find<'a>(outcomes: &'a [Outcome], principal: &str) -> &'a Outcome {
        outcomes.iter().find(|o| o.resource == principal).unwrap()
    }

    #[test]
    fn a_tooling_service_run_from_another_account_fails() {
        let mut org = organization();
        for principal in [
            "securityhub.amazonaws.com",
            "guardduty.amazonaws.com",
            "inspector2.amazonaws.com",
        ] {
            org.delegated_admins.push(service(
                principal,
                vec![source(ORGS, None, &["333333333333"])],
            ));
        }
        org.delegated_admins.push(service(
            "macie.amazonaws.com",
            vec![source(ORGS, None, &["444444444444"])],
        ));
        // Identity Center is not a security tooling service: its own account is fine.
        org.delegated_admins.push(service(
            "sso.amazonaws.com",
            vec![source(ORGS, None, &["555555555555"])],
        ));
        let outcomes = evaluate(&org);
        let macie = find(&outcomes, "macie.amazonaws.com");
        assert_verdict(
            "macie",
            macie,
            Status::Fail,
            "macie.amazonaws.com is administered by 444444444444, not by the security tooling account 333333333333, which administers 3 of the 4 security tooling services",
        );
        assert!(macie.evidence[TOOLING_LABEL].starts_with("333333333333 (administers 3 of the 4"));
        let sso = find(&outcomes, "sso.amazonaws.com");
        assert_eq!(sso.status, Status::Pass, "{}", sso.reason);
        assert!(!sso.evidence.contains_key(TOOLING_LABEL));
        assert_eq!(
            find(&outcomes, "inspector2.amazonaws.com").status,
            Status::Pass
        );
    }

    #[test]
    fn a_tie_for_the_tooling_account_goes_to_security_hubs_administrator() {
        let mut org = organization();
        org.delegated_admins.push(service(
            "guardduty.amazonaws.com",
            vec![source(ORGS, None, &["222222222222"])],
        ));
        org.delegated_admins.push(service(
            "securityhub.amazonaws.com",
            vec![source(ORGS, None, &["999999999999"])],
        ));
        let outcomes = evaluate(&org);
        assert_eq!(
            find(&outcomes, "securityhub.amazonaws.com").status,
            Status::Pass
        );
        assert_verdict(
            "guardduty",
            find(&outcomes, "guardduty.amazonaws.com"),
            Status::Fail,
            "not by the security tooling account 999999999999",
        );
    }

    #[test]
    fn sources_that_name_different_accounts_fail() {
        let outcome = guardduty(vec![
            source(ORGS, None, &["333333333333"]),
            source(GD, Some("eu-west-1"), &["444444444444"]),
        ]);
        assert_verdict(
            "disagree",
            &outcome,
            Status::Fail,
            "the sources disagree on who administers guardduty.amazonaws.com: 333333333333 (organizations:ListDelegatedAdministrators); 444444444444 (guardduty:ListOrganizationAdminAccounts in eu-west-1)",
        );
    }

    #[test]
    fn a_service_without_administrator_is_judged_by_whether_the_organization_uses_it() {
        let backup = |trusted: Option<Collected<Vec<String>>>| {
            let mut org = organization();
            org.trusted_access = trusted;
            org.delegated_admins.push(service(
                "backup.amazonaws.com",
                vec![source(ORGS, None, &[])],
            ));
            evaluate(&org)
                .into_iter()
                .find(|o| o.resource == "backup.amazonaws.com")
                .unwrap()
        };
        let used = backup(Some(Collected::Ok(vec!["backup.amazonaws.com".to_owned()])));
        assert_verdict(
            "used",
            &used,
            Status::Fail,
            "backup.amazonaws.com has no delegated administrator, though the organization uses AWS Backup (trusted access is enabled)",
        );
        assert_eq!(used.evidence["trusted access"], "backup.amazonaws.com");
        let unused = backup(Some(Collected::Ok(vec!["sso.amazonaws.com".to_owned()])));
        assert_verdict(
            "unused",
            &unused,
            Status::Skipped,
            "the organization does not use AWS Backup",
        );
        let unread = backup(Some(Collected::Error(error(
            "organizations",
            "ListAWSServiceAccessForOrganization",
            "AccessDeniedException",
        ))));
        assert_verdict(
            "unread",
            &unread,
            Status::Error,
            "whether the organization uses AWS Backup cannot be told: organizations:ListAWSServiceAccessForOrganization failed: AccessDeniedException",
        );
        assert_verdict(
            "old snapshot",
            &backup(None),
            Status::Error,
            "was not recorded",
        );
        // The mission's services are expected whatever trusted access says.
        let mut org = organization();
        org.trusted_access = Some(Collected::Ok(Vec::new()));
        org.delegated_admins.push(service(
            "guardduty.amazonaws.com",
            vec![source(ORGS, None, &[])],
        ));
        let outcomes = evaluate(&org);
        assert_eq!(
            find(&outcomes, "guardduty.amazonaws.com").status,
            Status::Fail
        );
    }
}
