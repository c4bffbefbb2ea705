//! `control-tower-landing-zone`: the organization runs a Control Tower landing zone that is
//! active, current and in sync, and every OU that holds a scanned account is governed by it, with
//! its controls in sync.
//!
//! One finding for the landing zone, and, when there is one, one per OU above a scanned account
//! (the resource is its path): PASS when an `AWSControlTowerBaseline`-style enabled baseline
//! registers it and none of its enabled controls failed or drifted. An organization without a
//! landing zone FAILs once, naming the guardrails posture judges that it relies on instead: a
//! FAIL, not a SKIPPED, because the guidance this check follows expects one, and a waiver is how
//! an organization records that it chose otherwise.
//!
//! Pure: no I/O, no clock, no logging.

use std::collections::BTreeSet;

use super::{describe_error, error_evidence};
use crate::facts::{Collected, ControlTowerFacts, OuRef, ScanFacts};
use crate::finding::{Outcome, Status};

/// The resource of the finding about the landing zone.
pub(crate) const LANDING_ZONE: &str = "landing zone";

/// The checks that judge what a landing zone would otherwise provide.
const INSTEAD: &str = "the SCPs on every OU (scps-attached, scp-guardrails), the organization \
                       trail into the log-archive account (organization-trail-log-archive), AWS \
                       Config's organization aggregator (config-aggregator-organization) and the \
                       security services' delegated administrators \
                       (delegated-admin-not-management)";

/// Judges the landing zone and the OUs it governs.
pub(crate) fn evaluate(facts: &ScanFacts) -> Vec<Outcome> {
    let outcome = |status, reason: String| Outcome::new(None, LANDING_ZONE, status, reason);
    let tower = match &facts.organization.control_tower {
        None => {
            return vec![outcome(
                Status::Error,
                "Control Tower was not recorded: the snapshot was made by a posture that did not \
                 read it; scan again"
                    .to_owned(),
            )];
        }
        Some(Collected::Error(err)) => {
            // ERROR for every cell a landing zone would answer: it, and each OU.
            let reason = format!("Control Tower could not be read: {}", describe_error(err));
            return std::iter::once(LANDING_ZONE)
                .chain(ous_of(facts).iter().map(|ou| ou.path.as_str()))
                .map(|resource| {
                    Outcome::new(None, resource, Status::Error, reason.clone())
                        .with("landing zone", error_evidence(err))
                })
                .collect();
        }
        Some(Collected::Ok(tower)) => tower,
    };
    let Some(zone) = &tower.landing_zone else {
        return vec![outcome(
            Status::Fail,
            format!(
                "the organization has no Control Tower landing zone in the scanned Regions: it \
                 relies instead on {INSTEAD}; if that is its choice, accept this finding with a \
                 waiver"
            ),
        )];
    };
    let placements = placements(facts);
    let ous = ous_of(facts);

    let mut ungoverned: Vec<&str> = Vec::new();
    let mut outcomes: Vec<Outcome> = Vec::new();
    for ou in &ous {
        let verdict = judge_ou(tower, ou);
        if !governed(tower, ou) {
            ungoverned.push(ou.path.as_str());
        }
        outcomes.push(verdict);
    }
    // Accounts no governed OU holds: under the root, or only in ungoverned OUs.
    let outside: Vec<&str> = placements
        .iter()
        .filter(|p| p.account_id != facts.organization.management_account_id)
        .filter(|p| !p.parents.iter().any(|ou| governed(tower, ou)))
        .map(|p| p.account_id.as_str())
        .collect();

    let mut problems = Vec::new();
    if zone.status.as_deref() != Some("ACTIVE") {
        problems.push(format!(
            "its status is {}, not ACTIVE",
            zone.status.as_deref().unwrap_or("not answered")
        ));
    }
    if zone.drift_status.as_deref() == Some("DRIFTED") {
        problems.push("it has drifted from its configuration: repair it".to_owned());
    }
    if let Some(latest) = zone
        .latest_available_version
        .as_deref()
        .filter(|latest| *latest != zone.version)
    {
        problems.push(format!(
            "it runs version {}, and {latest} is available: update it",
            zone.version
        ));
    }
    let (status, reason) = if problems.is_empty() {
        (
            Status::Pass,
            format!(
                "the landing zone (version {}) is active and in sync in {}",
                zone.version, zone.region
            ),
        )
    } else {
        (
            Status::Fail,
            format!(
                "the landing zone in {}: {}",
                zone.region,
                problems.join("; ")
            ),
        )
    };
    let named = |items: &[&str]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let landing = outcome(status, reason)
        .with("landing zone", zone.arn.as_str())
        .with("version", zone.version.as_str())
        .with(
            "latest available version",
            zone.latest_available_version
                .as_deref()
                .unwrap_or("not answered"),
        )
        .with(
            "drift status",
            zone.drift_status.as_deref().unwrap_or("not answered"),
        )
        .with("OUs not governed", named(&ungoverned))
        .with("accounts not governed", named(&outside));
    std::iter::once(landing).chain(outcomes).collect()
}

/// Where each scanned account sits (none when the organization's policies were not read).
fn placements(facts: &ScanFacts) -> &[crate::facts::AccountPlacement] {
    match &facts.organization.policies {
        Some(Collected::Ok(policies)) => policies.placements.as_slice(),
        _ => &[],
    }
}

/// Every OU above a scanned account, once each, by path.
fn ous_of(facts: &ScanFacts) -> Vec<&OuRef> {
    let mut seen = BTreeSet::new();
    let mut ous: Vec<&OuRef> = placements(facts)
        .iter()
        .flat_map(|p| &p.parents)
        .filter(|ou| seen.insert(ou.id.as_str()))
        .collect();
    ous.sort_by(|a, b| a.path.cmp(&b.path));
    ous
}

/// Whether `target` (an OU or account ARN) names `ou`.
fn targets(target: &str, ou: &OuRef) -> bool {
    target.rsplit('/').next() == Some(ou.id.as_str())
}

/// Whether a baseline registers `ou` with Control Tower.
fn governed(tower: &ControlTowerFacts, ou: &OuRef) -> bool {
    tower
        .enabled_baselines
        .iter()
        .any(|b| targets(&b.target_identifier, ou) && b.status.as_deref() != Some("FAILED"))
}

fn judge_ou(tower: &ControlTowerFacts, ou: &OuRef) -> Outcome {
    let outcome = |status, reason: String| {
        Outcome::new(None, ou.path.as_str(), status, reason).with("OU", ou.id.as_str())
    };
    let controls: Vec<_> = tower
        .enabled_controls
        .iter()
        .filter(|c| targets(&c.target_identifier, ou))
        .collect();
    let listed = |controls: &[&crate::facts::EnabledControl]| -> String {
        if controls.is_empty() {
            "none".to_owned()
        } else {
            controls
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}, {})",
                        c.control_identifier,
                        c.status.as_deref().unwrap_or("status not answered"),
                        c.drift_status.as_deref().unwrap_or("drift not answered")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let failed_baseline = tower
        .enabled_baselines
        .iter()
        .find(|b| targets(&b.target_identifier, ou) && b.status.as_deref() == Some("FAILED"));
    if !governed(tower, ou) {
        let why = if failed_baseline.is_some() {
            "its registration with Control Tower failed"
        } else {
            "it is not registered with Control Tower"
        };
        return outcome(
            Status::Fail,
            format!(
                "{why}: the accounts in it get none of the landing zone's controls; register it"
            ),
        )
        .with("enabled controls", listed(&controls));
    }
    let drifted: Vec<&str> = controls
        .iter()
        .filter(|c| c.drift_status.as_deref() == Some("DRIFTED"))
        .map(|c| c.control_identifier.as_str())
        .collect();
    let failed: Vec<&str> = controls
        .iter()
        .filter(|c| c.status.as_deref() == Some("FAILED"))
        .map(|c| c.control_identifier.as_str())
        .collect();
    let mut problems = Vec::new();
    if !drifted.is_empty() {
        problems.push(format!(
            "drifted: {} (reset or re-enable them)",
            drifted.join(", ")
        ));
    }
    if !failed.is_empty() {
        problems.push(format!("failed to enable: {}", failed.join(", ")));
    }
    let verdict = if problems.is_empty() {
        outcome(
            Status::Pass,
            format!(
                "governed by Control Tower, with {} enabled control{} in sync",
                controls.len(),
                if controls.len() == 1 { "" } else { "s" }
            ),
        )
    } else {
        outcome(
            Status::Fail,
            format!(
                "governed by Control Tower, but controls {}",
                problems.join("; ")
            ),
        )
    };
    verdict.with("enabled controls", listed(&controls))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{MGMT, error, organization};
    use super::*;
    use crate::facts::{
        AccountPlacement, EnabledBaseline, EnabledControl, LandingZoneDetail, OrganizationPolicies,
    };

    fn ou(id: &str, path: &str) -> OuRef {
        OuRef {
            id: id.to_owned(),
            path: path.to_owned(),
        }
    }

    fn arn(ou: &str) -> String {
        format!("arn:aws:organizations::{MGMT}:ou/o-org/{ou}")
    }

    fn control(target: &str, name: &str, drift: &str) -> EnabledControl {
        EnabledControl {
            control_identifier: format!("arn:aws:controlcatalog:::control/{name}"),
            target_identifier: arn(target),
            status: Some("SUCCEEDED".to_owned()),
            drift_status: Some(drift.to_owned()),
        }
    }

    fn baseline(target: &str) -> EnabledBaseline {
        EnabledBaseline {
            baseline_identifier: "arn:aws:controltower:us-east-1::baseline/17BSJV3IGJ2QSGA2"
                .to_owned(),
            target_identifier: arn(target),
            status: Some("SUCCEEDED".to_owned()),
        }
    }

    fn facts(tower: Collected<ControlTowerFacts>) -> ScanFacts {
        let mut organization = organization();
        organization.control_tower = Some(tower);
        let placement = |id: &str, parents: Vec<OuRef>| AccountPlacement {
            account_id: id.to_owned(),
            parents,
        };
        organization.policies = Some(Collected::Ok(OrganizationPolicies {
            root_id: "r-root".to_owned(),
            organization_id: "o-org".to_owned(),
            policy_types: Vec::new(),
            by_type: Vec::new(),
            placements: vec![
                placement(MGMT, Vec::new()),
                placement("222222222222", vec![ou("ou-sec", "/Security")]),
                placement(
                    "333333333333",
                    vec![
                        ou("ou-work", "/Workloads"),
                        ou("ou-prod", "/Workloads/Prod"),
                    ],
                ),
                placement("444444444444", vec![ou("ou-sand", "/Sandbox")]),
                placement("555555555555", Vec::new()),
            ],
        }));
        ScanFacts {
            organization,
            accounts: Vec::new(),
            skipped_accounts: Vec::new(),
            regions: vec!["us-east-1".to_owned()],
        }
    }

    fn zone(version: &str, drift: &str) -> LandingZoneDetail {
        LandingZoneDetail {
            arn: format!("arn:aws:controltower:us-east-1:{MGMT}:landingzone/LZ"),
            region: "us-east-1".to_owned(),
            version: version.to_owned(),
            latest_available_version: Some("3.3".to_owned()),
            status: Some("ACTIVE".to_owned()),
            drift_status: Some(drift.to_owned()),
        }
    }

    fn find<'a>(outcomes: &'a [Outcome], resource: &str) -> &'a Outcome {
        outcomes.iter().find(|o| o.resource == resource).unwrap()
    }

    #[test]
    fn judges_the_landing_zone_and_each_ou() {
        let outcomes = evaluate(&facts(Collected::Ok(ControlTowerFacts {
            landing_zone: Some(zone("3.2", "IN_SYNC")),
            enabled_controls: vec![
                control("ou-sec", "AWS-GR_A", "IN_SYNC"),
                control("ou-work", "AWS-GR_B", "DRIFTED"),
                control("ou-prod", "AWS-GR_A", "IN_SYNC"),
            ],
            enabled_baselines: vec![baseline("ou-sec"), baseline("ou-work"), baseline("ou-prod")],
        })));
        assert_eq!(outcomes.len(), 5);
        let landing = find(&outcomes, LANDING_ZONE);
        assert_eq!(landing.status, Status::Fail);
        assert!(
            landing
                .reason
                .contains("it runs version 3.2, and 3.3 is available"),
            "{}",
            landing.reason
        );
        assert_eq!(landing.evidence["OUs not governed"], "/Sandbox");
        assert_eq!(
            landing.evidence["accounts not governed"],
            "444444444444, 555555555555"
        );
        assert_eq!(find(&outcomes, "/Security").status, Status::Pass);
        let work = find(&outcomes, "/Workloads");
        assert_eq!(work.status, Status::Fail);
        assert!(
            work.reason
                .contains("drifted: arn:aws:controlcatalog:::control/AWS-GR_B"),
            "{}",
            work.reason
        );
        let sandbox = find(&outcomes, "/Sandbox");
        assert_eq!(sandbox.status, Status::Fail);
        assert!(sandbox.reason.contains("not registered with Control Tower"));
        assert!(
            find(&outcomes, "/Workloads/Prod")
                .reason
                .contains("1 enabled control in sync")
        );
    }

    #[test]
    fn a_current_landing_zone_in_sync_passes_and_a_drifted_one_fails() {
        let tower = |drift: &str| {
            Collected::Ok(ControlTowerFacts {
                landing_zone: Some(zone("3.3", drift)),
                enabled_controls: Vec::new(),
                enabled_baselines: Vec::new(),
            })
        };
        assert_eq!(
            find(&evaluate(&facts(tower("IN_SYNC"))), LANDING_ZONE).status,
            Status::Pass
        );
        let drifted = evaluate(&facts(tower("DRIFTED")));
        assert!(find(&drifted, LANDING_ZONE).reason.contains("drifted"));
    }

    #[test]
    fn no_landing_zone_fails_once_naming_what_it_relies_on_and_unread_is_error() {
        let outcomes = evaluate(&facts(Collected::Ok(ControlTowerFacts {
            landing_zone: None,
            enabled_controls: Vec::new(),
            enabled_baselines: Vec::new(),
        })));
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].status, Status::Fail);
        assert!(
            outcomes[0]
                .reason
                .contains("organization-trail-log-archive")
        );
        let outcomes = evaluate(&facts(Collected::Error(error(
            "controltower",
            "ListLandingZones",
            "AccessDeniedException",
        ))));
        // The landing zone and each of the four OUs.
        assert_eq!(outcomes.len(), 5);
        assert!(outcomes.iter().all(|o| o.status == Status::Error));
    }
}
