//! `delegated-admin-not-management`: each security service has a delegated administrator, and it
//! is not the management account. One finding per service principal.
//!
//! Every source collect consulted is judged (Organizations' `ListDelegatedAdministrators`, and the
//! service's own admin API per Region where it has one): FAIL if any names the management account
//! (Organizations never does, the services' own APIs may); FAIL if every readable source names
//! nobody; ERROR if a source could not be read (it may be the one that names the management
//! account: Security Hub's and GuardDuty's own lists answer only the management account, and
//! Organizations never lists the management account, so from a delegated administrator the
//! readable sources cannot rule it out); PASS otherwise. The evidence lists each source's
//! answer. The four services the mission names are expected: one missing from the facts is ERROR,
//! not silence.
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{AdminSource, Collected, OrganizationFacts, ServiceAdministration};
use crate::finding::{Outcome, Status};

use super::{describe_error, error_evidence};

/// The services whose administrator the check judges (Security Hub, GuardDuty, IAM Access
/// Analyzer, AWS Config), by the principal their findings are about.
const EXPECTED_SERVICES: [&str; 4] = [
    "securityhub.amazonaws.com",
    "guardduty.amazonaws.com",
    "access-analyzer.amazonaws.com",
    "config.amazonaws.com",
];

/// Judges who administers each security service.
pub(crate) fn evaluate(organization: &OrganizationFacts) -> Vec<Outcome> {
    let management = organization.management_account_id.as_str();
    let mut outcomes: Vec<Outcome> = organization
        .delegated_admins
        .iter()
        .map(|service| judge(service, management))
        .collect();
    for expected in EXPECTED_SERVICES {
        if !organization
            .delegated_admins
            .iter()
            .any(|s| s.service_principal == expected)
        {
            outcomes.push(Outcome::new(
                None,
                expected,
                Status::Error,
                format!("the administrator of {expected} was not collected"),
            ));
        }
    }
    outcomes
}

fn judge(service: &ServiceAdministration, management: &str) -> Outcome {
    let principal = service.service_principal.as_str();
    let mut naming_management = Vec::new();
    let mut other_admins: Vec<&str> = Vec::new();
    let mut unread = Vec::new();
    let mut readable = 0;
    let mut outcome = Outcome::new(None, principal, Status::Pass, String::new())
        .with("management account", management);
    for (index, source) in service.sources.iter().enumerate() {
        let mut label = source_label(source);
        // Two sources can share a label (Config's two Organizations principals are both
        // `ListDelegatedAdministrators`, unless collect names the principal in `api`): keep both.
        if outcome.evidence.contains_key(&label) {
            label = format!("{label} (source {})", index + 1);
        }
        match &source.admin_account_ids {
            Collected::Ok(ids) => {
                readable += 1;
                if ids.iter().any(|id| id == management) {
                    naming_management.push(label.clone());
                }
                other_admins.extend(
                    ids.iter()
                        .map(String::as_str)
                        .filter(|id| *id != management),
                );
                let answer = if ids.is_empty() {
                    "none".to_owned()
                } else {
                    ids.join(", ")
                };
                outcome = outcome.with(&label, answer);
            }
            Collected::Error(err) => {
                unread.push(describe_error(err));
                outcome = outcome.with(&label, error_evidence(err));
            }
        }
    }
    other_admins.sort_unstable();
    other_admins.dedup();
    let unread_note = match unread.len() {
        0 => String::new(),
        n => format!(
            " ({n} source{} could not be read: {})",
            if n == 1 { "" } else { "s" },
            unread.join("; ")
        ),
    };

    let (status, reason) = if !naming_management.is_empty() {
        (
            Status::Fail,
            format!(
                "the management account {management} administers {principal} according to {}",
                naming_management.join(", ")
            ),
        )
    } else if readable == 0 {
        let reason = if service.sources.is_empty() {
            format!("no source of {principal}'s administrator was consulted")
        } else {
            format!(
                "the administrator of {principal} could not be read: {}",
                unread.join("; ")
            )
        };
        (Status::Error, reason)
    } else if other_admins.is_empty() {
        (
            Status::Fail,
            format!("{principal} has no delegated administrator{unread_note}"),
        )
    } else if !unread.is_empty() {
        (
            Status::Error,
            format!(
                "{principal} is administered by {} according to the sources read, but whether the management account administers it too is unknown{unread_note}",
                other_admins.join(", ")
            ),
        )
    } else {
        (
            Status::Pass,
            format!(
                "{principal} is administered by {}, not the management account{unread_note}",
                other_admins.join(", ")
            ),
        )
    };
    outcome.status = status;
    outcome.reason = reason;
    outcome
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
                "guardduty.amazonaws.com is administered by 333333333333, not the management account",
            ),
            (
                "errors_when_an_unread_source_could_name_the_management_account",
                vec![source(ORGS, None, &[audit]), unread(GD, Some("eu-west-1"))],
                Status::Error,
                "guardduty.amazonaws.com is administered by 333333333333 according to the sources read, but whether the management account administers it too is unknown (1 source could not be read: guardduty:ListOrganizationAdminAccounts failed: AccessDeniedException",
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
                "fails_when_no_readable_source_names_an_administrator",
                vec![
                    source(ORGS, None, &[]),
                    source(GD, Some("us-east-1"), &[]),
                    unread(GD, Some("eu-west-1")),
                ],
                Status::Fail,
                "guardduty.amazonaws.com has no delegated administrator (1 source could not be read",
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
        assert_eq!(resources, EXPECTED_SERVICES);
        assert!(outcomes.iter().all(|o| o.status == Status::Error));
    }
}
