//! `guardduty-organization-coverage`: in every scanned Region, GuardDuty's administrator enrolls
//! every account of the organization, the ones created tomorrow included.
//!
//! Read in the administrator's account (its detector, `DescribeOrganizationConfiguration`,
//! `ListMembers`, `GetMemberDetectors`), never in the members: the administrator's view is what
//! decides whether an account's findings reach the security team. One finding per Region about
//! the organization configuration (PASS when `AutoEnableOrganizationMembers` is `ALL`: `NEW`
//! leaves the accounts that were there before it out), and one per scanned account and Region:
//! PASS for the administrator itself and for an `Enabled` member, FAIL for any other account,
//! with the administrator's view as evidence; ERROR for every account when the administrator
//! could not be read.
//!
//! Pure: no I/O, no clock, no logging.

use super::administrator_view;
use crate::facts::{GuardDutyAdminView, GuardDutyOrganization, Regional, ScanFacts};
use crate::finding::{Outcome, Status};

/// The resource of each Region's finding about the organization configuration.
pub(crate) const CONFIGURATION: &str = "organization configuration";

/// Judges GuardDuty's enrolment of every scanned account.
pub(crate) fn evaluate(facts: &ScanFacts) -> Vec<Outcome> {
    let Some(regions) = &facts.organization.guardduty_organization else {
        return vec![Outcome::new(
            None,
            CONFIGURATION,
            Status::Error,
            "GuardDuty's organization was not recorded: the snapshot was made by a posture that \
             did not read it; scan again",
        )];
    };
    regions
        .iter()
        .flat_map(|regional| in_region(facts, regional))
        .collect()
}

fn in_region(facts: &ScanFacts, regional: &Regional<GuardDutyOrganization>) -> Vec<Outcome> {
    let region = regional.region.as_str();
    let accounts = facts.accounts.iter().map(|a| a.account_id.as_str());
    // One verdict for the configuration and every account, when the Region cannot be judged
    // account by account.
    let everywhere = |status, reason: String, label: &str, value: String| -> Vec<Outcome> {
        std::iter::once(CONFIGURATION)
            .chain(accounts.clone())
            .map(|resource| {
                Outcome::new(Some(region), resource, status, reason.clone())
                    .with(label, value.clone())
            })
            .collect()
    };
    let (admin, view) = match administrator_view(
        "GuardDuty",
        &format!(" in {region}"),
        &regional.facts.admin_account_id,
        regional.facts.view.as_ref(),
        "no account enrolls the organization's accounts there",
    ) {
        Ok(read) => read,
        Err((status, reason, evidence)) => {
            return everywhere(status, reason, "administrator", evidence);
        }
    };
    if view.detector_id.is_none() {
        return everywhere(
            Status::Fail,
            format!(
                "the GuardDuty administrator {admin} has no detector in {region}, so it enrolls \
                 no account there"
            ),
            "administrator",
            admin.to_owned(),
        );
    }
    let mut outcomes = vec![configuration(region, admin, view)];
    outcomes.extend(accounts.map(|account| member(region, admin, view, account)));
    outcomes
}

/// `ALL`, `NEW` or `NONE`, as the evidence shows it.
fn auto_enable(view: &GuardDutyAdminView) -> &str {
    view.auto_enable_members
        .as_deref()
        .unwrap_or("not answered")
}

fn configuration(region: &str, admin: &str, view: &GuardDutyAdminView) -> Outcome {
    let plans: Vec<String> = view
        .auto_enable_features
        .iter()
        .map(|(name, auto)| format!("{name} {auto}"))
        .collect();
    let (status, reason) = match view.auto_enable_members.as_deref() {
        Some("ALL") => (
            Status::Pass,
            format!("the GuardDuty administrator {admin} enrolls every account in {region} (ALL)"),
        ),
        Some("NEW") => (
            Status::Fail,
            format!(
                "the GuardDuty administrator {admin} enrolls new accounts only in {region} (NEW): \
                 accounts that joined before are never added; set ALL"
            ),
        ),
        other => (
            Status::Fail,
            format!(
                "the GuardDuty administrator {admin} enrolls no account by itself in {region} \
                 ({}); set ALL",
                other.unwrap_or("AutoEnableOrganizationMembers not answered")
            ),
        ),
    };
    Outcome::new(Some(region), CONFIGURATION, status, reason)
        .with("administrator", admin)
        .with("auto-enable members", auto_enable(view))
        .with(
            "auto-enabled protection plans",
            if plans.is_empty() {
                "none".to_owned()
            } else {
                plans.join(", ")
            },
        )
}

fn member(region: &str, admin: &str, view: &GuardDutyAdminView, account: &str) -> Outcome {
    let outcome = |status, reason: String| {
        Outcome::new(Some(region), account, status, reason)
            .with("administrator", admin)
            .with("auto-enable members", auto_enable(view))
    };
    if account == admin {
        return outcome(
            Status::Pass,
            format!("the account is GuardDuty's administrator in {region}"),
        );
    }
    let Some(member) = view.members.iter().find(|m| m.account_id == account) else {
        let why = if view.auto_enable_members.as_deref() == Some("ALL") {
            String::new()
        } else {
            format!(
                " (auto-enable is {}: an account that was there before it is never added)",
                auto_enable(view)
            )
        };
        return outcome(
            Status::Fail,
            format!(
                "the account is not a GuardDuty member of the administrator {admin} in \
                 {region}{why}"
            ),
        )
        .with("relationship status", "not a member");
    };
    let plans = match &member.enabled_features {
        None => "not answered by GetMemberDetectors".to_owned(),
        Some(plans) if plans.is_empty() => "none".to_owned(),
        Some(plans) => plans.join(", "),
    };
    let (status, reason) = if member.relationship_status == "Enabled" {
        (
            Status::Pass,
            format!("the account is an enabled GuardDuty member of {admin} in {region}"),
        )
    } else {
        (
            Status::Fail,
            format!(
                "the account is a GuardDuty member of {admin} in {region} with status {}, not \
                 Enabled: its findings do not reach the administrator",
                if member.relationship_status.is_empty() {
                    "(none)"
                } else {
                    member.relationship_status.as_str()
                }
            ),
        )
    };
    outcome(status, reason)
        .with("relationship status", member.relationship_status.as_str())
        .with("protection plans", plans)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ACCT, MGMT, account, error, organization};
    use super::*;
    use crate::facts::Collected;
    use crate::facts::GuardDutyMember;

    const ADMIN: &str = "333333333333";
    const OLD: &str = "444444444444";

    fn view(auto: &str, members: Vec<GuardDutyMember>) -> GuardDutyAdminView {
        GuardDutyAdminView {
            detector_id: Some("d-admin".to_owned()),
            auto_enable_members: Some(auto.to_owned()),
            auto_enable_features: vec![("S3_DATA_EVENTS".to_owned(), "NEW".to_owned())],
            members,
        }
    }

    fn enabled(id: &str) -> GuardDutyMember {
        GuardDutyMember {
            account_id: id.to_owned(),
            relationship_status: "Enabled".to_owned(),
            enabled_features: Some(vec!["S3_DATA_EVENTS".to_owned()]),
        }
    }

    fn facts(regions: Vec<GuardDutyOrganization>) -> ScanFacts {
        let mut organization = organization();
        organization.guardduty_organization = Some(
            regions
                .into_iter()
                .zip(["us-east-1", "eu-west-1"])
                .map(|(facts, region)| Regional {
                    region: region.to_owned(),
                    facts,
                })
                .collect(),
        );
        ScanFacts {
            organization,
            accounts: [MGMT, ADMIN, ACCT, OLD].into_iter().map(account).collect(),
            skipped_accounts: Vec::new(),
            regions: vec!["us-east-1".to_owned(), "eu-west-1".to_owned()],
        }
    }

    fn administered(view: Collected<GuardDutyAdminView>) -> GuardDutyOrganization {
        GuardDutyOrganization {
            admin_account_id: Collected::Ok(Some(ADMIN.to_owned())),
            view: Some(view),
        }
    }

    fn find<'a>(outcomes: &'a [Outcome], region: &str, resource: &str) -> &'a Outcome {
        outcomes
            .iter()
            .find(|o| o.region.as_deref() == Some(region) && o.resource == resource)
            .unwrap()
    }

    #[test]
    fn judges_each_account_from_the_administrators_view() {
        let mut removed = enabled(MGMT);
        removed.relationship_status = "Removed".to_owned();
        let outcomes = evaluate(&facts(vec![administered(Collected::Ok(view(
            "NEW",
            vec![enabled(ACCT), removed],
        )))]));
        assert_eq!(outcomes.len(), 5);
        let config = find(&outcomes, "us-east-1", CONFIGURATION);
        assert_eq!(config.status, Status::Fail);
        assert!(
            config.reason.contains("enrolls new accounts only"),
            "{}",
            config.reason
        );
        assert_eq!(
            config.evidence["auto-enabled protection plans"],
            "S3_DATA_EVENTS NEW"
        );
        assert_eq!(find(&outcomes, "us-east-1", ADMIN).status, Status::Pass);
        let member = find(&outcomes, "us-east-1", ACCT);
        assert_eq!(member.status, Status::Pass, "{}", member.reason);
        assert_eq!(member.evidence["protection plans"], "S3_DATA_EVENTS");
        let old = find(&outcomes, "us-east-1", OLD);
        assert_eq!(old.status, Status::Fail);
        assert!(
            old.reason.contains("not a GuardDuty member of the administrator 333333333333 in us-east-1 (auto-enable is NEW"),
            "{}",
            old.reason
        );
        let management = find(&outcomes, "us-east-1", MGMT);
        assert_eq!(management.status, Status::Fail);
        assert!(
            management.reason.contains("with status Removed"),
            "{}",
            management.reason
        );
    }

    #[test]
    fn all_enrols_and_passes_the_configuration() {
        let outcomes = evaluate(&facts(vec![administered(Collected::Ok(view(
            "ALL",
            vec![enabled(ACCT), enabled(OLD), enabled(MGMT)],
        )))]));
        assert!(
            outcomes.iter().all(|o| o.status == Status::Pass),
            "{outcomes:?}"
        );
    }

    #[test]
    fn a_region_without_administrator_or_detector_fails_everywhere_and_unread_is_error() {
        let no_admin = GuardDutyOrganization {
            admin_account_id: Collected::Ok(None),
            view: None,
        };
        let mut no_detector = view("ALL", Vec::new());
        no_detector.detector_id = None;
        let outcomes = evaluate(&facts(vec![
            no_admin,
            administered(Collected::Ok(no_detector)),
        ]));
        assert_eq!(outcomes.len(), 10);
        assert!(outcomes.iter().all(|o| o.status == Status::Fail));
        assert!(
            find(&outcomes, "us-east-1", ACCT)
                .reason
                .contains("no administrator in us-east-1")
        );
        assert!(
            find(&outcomes, "eu-west-1", ADMIN)
                .reason
                .contains("has no detector in eu-west-1")
        );

        let err = error("guardduty", "ListMembers", "BadRequestException");
        let outcomes = evaluate(&facts(vec![
            administered(Collected::Error(err.clone())),
            GuardDutyOrganization {
                admin_account_id: Collected::Error(err),
                view: None,
            },
        ]));
        assert!(outcomes.iter().all(|o| o.status == Status::Error));
        assert!(
            find(&outcomes, "us-east-1", OLD)
                .reason
                .contains("the GuardDuty administrator 333333333333 could not be read in us-east-1: guardduty:ListMembers failed: BadRequestException")
        );
    }

    #[test]
    fn a_snapshot_without_the_facts_is_error() {
        let mut facts = facts(Vec::new());
        facts.organization.guardduty_organization = None;
        let outcomes = evaluate(&facts);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].status, Status::Error);
    }
}
