//! The collect stage against the seeded sandbox: the facts it gathers are what the seeder built,
//! organization-wide facts come from the accounts that own them, and each account costs the calls
//! the checks need and no more.

use std::collections::{BTreeMap, BTreeSet};

use posture::collect::{CollectPlan, Progress, collect};
use posture::discover::DelegatedAdmin;
use posture::facts::{
    AccountFacts, AccountPlacement, Collected, EventSelectors, OrganizationFacts, OuRef, RCP, SCP,
    SecurityHub, Trail,
};
use posture::sandbox::FaultRule;
use serde_json::Value;

use crate::support::{ClearFaults, ROLE, Seeded, TEST_BUCKET_PREFIX, exclusive, seeded, text};

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// Organizations' delegated administrators, as discover reads them for the plan.
async fn organizations_admins(
    factory: &posture::aws::ClientFactory,
) -> Collected<Vec<DelegatedAdmin>> {
    let org = factory.organizations(factory.base());
    let mut admins = Vec::new();
    let mut pages = org.list_delegated_administrators().into_paginator().send();
    while let Some(page) = pages.next().await {
        for admin in page
            .expect("delegated administrators")
            .delegated_administrators()
        {
            let account_id = admin.id().expect("id").to_owned();
            let services = org
                .list_delegated_services_for_account()
                .account_id(&account_id)
                .send()
                .await
                .expect("delegated services");
            for service in services.delegated_services() {
                admins.push(DelegatedAdmin {
                    account_id: account_id.clone(),
                    service_principal: service.service_principal().expect("principal").to_owned(),
                });
            }
        }
    }
    Collected::Ok(admins)
}

/// A plan for every ACTIVE account of the description, in its order.
fn plan(
    seeded: &Seeded,
    session_name: &str,
    admins: Collected<Vec<DelegatedAdmin>>,
) -> CollectPlan {
    let management = seeded.management_account_id();
    let access_analyzer_admin =
        posture::collect::administrator(&admins, posture::collect::ACCESS_ANALYZER, &management);
    let identity_center_admin =
        posture::collect::administrator(&admins, posture::collect::IDENTITY_CENTER, &management);
    CollectPlan {
        management_account_id: seeded.management_account_id(),
        caller_account_id: seeded.management_account_id(),
        accounts: seeded
            .accounts()
            .iter()
            .filter(|a| a["status"] == "ACTIVE")
            .map(|a| text(&a["id"]).to_owned())
            .collect(),
        regions: REGIONS.iter().map(|r| r.to_string()).collect(),
        role_name: ROLE.into(),
        external_id: None,
        session_name: session_name.into(),
        concurrency: 8,
        organizations_admins: admins,
        access_analyzer_admin,
        identity_center_admin,
        organizational_units: seeded.description["organizational_units"]
            .as_array()
            .expect("organizational_units")
            .iter()
            .map(|ou| (text(&ou["id"]).to_owned(), text(&ou["path"]).to_owned()))
            .collect(),
        placements: placements(seeded),
        fresh_after: None,
    }
}

/// Where each ACTIVE account sits, as discovery would give it: its OUs from the root down.
fn placements(seeded: &Seeded) -> Vec<AccountPlacement> {
    let ous = seeded.description["organizational_units"]
        .as_array()
        .expect("organizational_units");
    seeded
        .accounts()
        .iter()
        .filter(|a| a["status"] == "ACTIVE")
        .map(|a| {
            let ou_path = text(&a["ou_path"]);
            let mut parents: Vec<OuRef> = ous
                .iter()
                .filter(|ou| {
                    let path = text(&ou["path"]);
                    ou_path == path || ou_path.starts_with(&format!("{path}/"))
                })
                .map(|ou| OuRef {
                    id: text(&ou["id"]).to_owned(),
                    path: text(&ou["path"]).to_owned(),
                })
                .collect();
            parents.sort_by_key(|ou| ou.path.len());
            AccountPlacement {
                account_id: text(&a["id"]).to_owned(),
                parents,
            }
        })
        .collect()
}

/// The organization's policies as the seeder made them: SCPs and RCPs on, every seeded policy
/// with its document and the OU it is attached to, AWS's allow-all policy of each on the root, and the plan's
/// placements kept with them.
fn assert_policies(seeded: &Seeded, organization: &OrganizationFacts, plan: &CollectPlan) {
    let policies = ok(
        organization.policies.as_ref().expect("policies read"),
        "policies",
    );
    let root_id = text(&seeded.description["organization"]["root_id"]);
    assert_eq!(policies.root_id, root_id);
    assert_eq!(
        policies.organization_id,
        text(&seeded.description["organization"]["id"])
    );
    let ou_id = |path: &str| -> String {
        seeded.description["organizational_units"]
            .as_array()
            .expect("organizational_units")
            .iter()
            .find(|ou| ou["path"] == path)
            .map(|ou| text(&ou["id"]).to_owned())
            .unwrap_or_else(|| panic!("no OU {path}"))
    };
    for (policy_type, described, full_access) in [
        (SCP, "service_control_policies", "p-FullAWSAccess"),
        (RCP, "resource_control_policies", "p-RCPFullAWSAccess"),
    ] {
        assert!(
            policies.type_enabled(policy_type),
            "{:?}",
            policies.policy_types
        );
        let read_all = ok(policies.of_type(policy_type).expect("listed"), policy_type);
        let seeded_policies = seeded.description[described]["attached"]
            .as_array()
            .expect("attached");
        for seeded_policy in seeded_policies {
            let read = read_all
                .iter()
                .find(|p| p.id == text(&seeded_policy["id"]))
                .unwrap_or_else(|| panic!("{seeded_policy} was not read"));
            assert_eq!(read.name, text(&seeded_policy["name"]));
            assert!(!read.aws_managed, "{read:?}");
            assert_eq!(
                ok(&read.targets, "targets"),
                &[ou_id(text(&seeded_policy["target_path"]))]
            );
            let document: Value = serde_json::from_str(ok::<String>(&read.content, "content"))
                .expect("a JSON document");
            assert!(document["Statement"].is_array(), "{document}");
        }
        let full = read_all
            .iter()
            .find(|p| p.id == full_access)
            .expect("AWS's allow-all policy");
        assert!(full.aws_managed);
        assert!(ok(&full.targets, "targets").iter().any(|t| t == root_id));
        assert_eq!(
            read_all.len(),
            seeded_policies.len() + 1,
            "{policy_type}: {read_all:?}"
        );
    }
    assert_eq!(policies.placements, plan.placements);
}

fn ok<'a, T: std::fmt::Debug>(fact: &'a Collected<T>, what: &str) -> &'a T {
    fact.as_result()
        .unwrap_or_else(|err| panic!("{what}: {err:?}"))
}

fn trail<'a>(trails: &'a [Trail], arn: &str) -> &'a Trail {
    trails
        .iter()
        .find(|t| t.arn == arn)
        .unwrap_or_else(|| panic!("no trail {arn} in {trails:?}"))
}

/// The selectors of a trail as the seeder's `management_events` style describes them.
fn assert_selectors(trail: &Trail, style: &str) {
    let selectors = ok(&trail.selectors, &trail.arn);
    match style {
        "read-only" => match selectors {
            EventSelectors::Basic(basic) => {
                assert_eq!(basic.len(), 1);
                assert_eq!(basic[0].read_write_type, "ReadOnly");
            }
            other => panic!("{}: {other:?}", trail.arn),
        },
        "excludes-kms" => match selectors {
            EventSelectors::Advanced(advanced) => assert!(
                advanced.iter().any(|s| s.field_selectors.iter().any(|f| {
                    f.field == "eventSource" && f.not_equals == ["kms.amazonaws.com"]
                })),
                "{advanced:?}"
            ),
            other => panic!("{}: {other:?}", trail.arn),
        },
        // No selectors put (AWS, and the sandbox, answer the default basic selector; moto alone
        // none), or the management-events-only advanced selector.
        "all" => match selectors {
            EventSelectors::Default => {}
            EventSelectors::Basic(basic) => assert_eq!(
                basic
                    .iter()
                    .map(|b| (
                        b.read_write_type.as_str(),
                        b.include_management_events,
                        b.exclude_management_event_sources.len()
                    ))
                    .collect::<Vec<_>>(),
                [("All", true, 0)]
            ),
            EventSelectors::Advanced(advanced) => assert!(
                advanced
                    .iter()
                    .flat_map(|s| &s.field_selectors)
                    .all(|f| f.field == "eventCategory" && f.equals == ["Management"]),
                "{advanced:?}"
            ),
        },
        other => panic!("unknown style {other}"),
    }
}

fn assert_account(seeded: &Seeded, facts: &AccountFacts) {
    let described = seeded
        .accounts()
        .iter()
        .find(|a| a["id"] == facts.account_id.as_str())
        .expect("described");
    let id = &facts.account_id;
    ok(&facts.access, "access");

    // The root user, in both sources.
    let root = &described["root"];
    let report = ok(&facts.credential_report, "credential report");
    let root_row = report.root.as_ref().expect("root row");
    assert_eq!(root_row.arn, format!("arn:aws:iam::{id}:root"));
    assert_eq!(root_row.mfa_active.as_bool(), root["mfa"].as_bool(), "{id}");
    let keys = root["access_keys"].as_u64().expect("keys");
    assert_eq!(root_row.access_keys[0].active.as_bool(), Some(keys >= 1));
    assert_eq!(root_row.access_keys[1].active.as_bool(), Some(keys >= 2));
    let summary = ok(&facts.account_summary, "account summary");
    assert_eq!(summary.mfa_enabled, root["mfa"].as_bool(), "{id}");
    assert_eq!(summary.password_present, root["password"].as_bool(), "{id}");
    assert_eq!(summary.access_keys_present, Some(keys > 0), "{id}");

    // Every IAM user, with its keys' states.
    let users: BTreeMap<&str, _> = report.users.iter().map(|u| (u.user.as_str(), u)).collect();
    let described_users = described["iam_users"].as_array().expect("users");
    assert_eq!(users.len(), described_users.len(), "{id}: {users:?}");
    for user in described_users {
        let row = users[text(&user["name"])];
        for (slot, key) in user["access_keys"]
            .as_array()
            .expect("keys")
            .iter()
            .enumerate()
        {
            assert_eq!(
                row.access_keys[slot].active.as_bool(),
                Some(key["status"] == "Active")
            );
        }
    }

    // The account's own trails: every one the seeder made, logging and multi-Region as made.
    let trails = ok(&facts.trails, "trails");
    let described_trails = described["trails"].as_array().expect("trails");
    assert_eq!(trails.len(), described_trails.len(), "{id}: {trails:?}");
    for expected in described_trails {
        let found = trail(trails, text(&expected["arn"]));
        assert_eq!(found.home_region, text(&expected["home_region"]));
        assert_eq!(Some(found.multi_region), expected["multi_region"].as_bool());
        assert_eq!(
            Some(ok(&found.status, "status").is_logging),
            expected["logging"].as_bool(),
            "{}",
            found.arn
        );
        assert_eq!(
            Some(found.log_file_validation),
            expected["log_file_validation"].as_bool()
        );
        assert_eq!(
            found.kms_key_id.as_deref(),
            expected["kms_key_id"].as_str(),
            "{}",
            found.arn
        );
        assert_eq!(found.s3_bucket.as_deref(), expected["s3_bucket"].as_str());
        assert_selectors(found, text(&expected["management_events"]));
    }

    // GuardDuty, per Region: an ENABLED detector exactly where the seeder created one.
    let detector_regions: Vec<&str> = described["guardduty_detector_regions"]
        .as_array()
        .expect("guardduty_detector_regions")
        .iter()
        .map(text)
        .collect();
    let regions: Vec<&str> = facts.guardduty.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(regions, REGIONS);
    for regional in &facts.guardduty {
        let statuses: Vec<&str> = ok(&regional.facts.detectors, "detectors")
            .iter()
            .map(|d| ok(&d.status, "detector status").as_str())
            .collect();
        let want: &[&str] = if detector_regions.contains(&regional.region.as_str()) {
            &["ENABLED"]
        } else {
            &[]
        };
        assert_eq!(statuses, want, "{id} in {}", regional.region);
    }

    // Security Hub, per Region: enabled exactly where the seeder enabled it, with the standards
    // it enabled there, each READY.
    let hub_regions: Vec<&str> = described["security_hub_regions"]
        .as_array()
        .expect("security_hub_regions")
        .iter()
        .map(text)
        .collect();
    let regions: Vec<&str> = facts
        .securityhub
        .iter()
        .map(|r| r.region.as_str())
        .collect();
    assert_eq!(regions, REGIONS);
    for regional in &facts.securityhub {
        let region = regional.region.as_str();
        match ok(&regional.facts.hub, "hub") {
            SecurityHub::Enabled {
                hub_arn, standards, ..
            } => {
                assert!(hub_regions.contains(&region), "{id} in {region}: {hub_arn}");
                assert_eq!(
                    hub_arn,
                    &format!("arn:aws:securityhub:{region}:{id}:hub/default")
                );
                let found: Vec<(&str, &str)> = ok(standards, "standards")
                    .iter()
                    .map(|s| (s.standards_arn.as_str(), s.status.as_str()))
                    .collect();
                let want: Vec<(&str, &str)> = described["security_hub_standards"][region]
                    .as_array()
                    .expect("security_hub_standards")
                    .iter()
                    .map(|arn| (text(arn), "READY"))
                    .collect();
                assert_eq!(found, want, "{id} in {region}");
            }
            SecurityHub::NotEnabled { message } => {
                assert!(
                    !hub_regions.contains(&region),
                    "{id} in {region}: {message}"
                );
            }
        }
    }

    // The buckets it owns, every one the seeder made there (and those other tests make while
    // this one runs, which the description cannot list, left out).
    let mut buckets: Vec<&str> = ok(facts.buckets.as_ref().expect("buckets read"), "buckets")
        .iter()
        .map(String::as_str)
        .filter(|name| !name.starts_with(TEST_BUCKET_PREFIX))
        .collect();
    buckets.sort_unstable();
    let described_buckets: Vec<&str> = described["s3_buckets"]
        .as_array()
        .expect("s3_buckets")
        .iter()
        .map(text)
        .collect();
    assert_eq!(buckets, described_buckets, "{id}");

    // AWS Config, per Region: the recorder, its status and the channel the seeder set up.
    let described_config = described["config"].as_array().expect("config");
    let regions: Vec<&str> = facts.config.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(regions, REGIONS);
    for regional in &facts.config {
        let region = regional.region.as_str();
        let expected = described_config
            .iter()
            .find(|c| c["region"] == region)
            .expect("the described Region");
        let recorders = ok(&regional.facts.recorders, "recorders");
        let statuses = ok(&regional.facts.recorder_statuses, "recorder statuses");
        let recorder = &expected["recorder"];
        if recorder.is_null() {
            assert_eq!(recorders, &[], "{id} in {region}");
            assert_eq!(statuses, &[], "{id} in {region}");
        } else {
            let strings = |value: &Value| -> Vec<String> {
                value
                    .as_array()
                    .expect("types")
                    .iter()
                    .map(|t| text(t).to_owned())
                    .collect()
            };
            assert_eq!(recorders.len(), 1, "{id} in {region}: {recorders:?}");
            let found = &recorders[0];
            assert_eq!(found.name, text(&recorder["name"]));
            assert_eq!(found.service_principal, None);
            assert_eq!(
                found.recording_strategy.as_deref(),
                recorder["recording_strategy"].as_str(),
                "{id} in {region}"
            );
            assert_eq!(
                Some(found.include_global_resource_types),
                recorder["include_global_resource_types"].as_bool(),
                "{id} in {region}"
            );
            assert_eq!(found.resource_types, strings(&recorder["resource_types"]));
            assert_eq!(
                found.excluded_resource_types,
                strings(&recorder["excluded_resource_types"])
            );
            let states: Vec<(&str, bool)> = statuses
                .iter()
                .map(|s| (s.name.as_str(), s.recording))
                .collect();
            assert_eq!(
                states,
                [(found.name.as_str(), recorder["recording"] == true)],
                "{id} in {region}"
            );
        }
        let channels: Vec<(&str, Option<&str>)> = ok(&regional.facts.delivery_channels, "channels")
            .iter()
            .map(|c| (c.name.as_str(), c.s3_bucket_name.as_deref()))
            .collect();
        let channel = &expected["delivery_channel"];
        let want: Vec<(&str, Option<&str>)> = if channel.is_null() {
            Vec::new()
        } else {
            vec![(text(&channel["name"]), channel["s3_bucket"].as_str())]
        };
        assert_eq!(channels, want, "{id} in {region}");
    }

    // The account's own analyzers, per Region, with their ACTIVE findings.
    let regions: Vec<&str> = facts.analyzers.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(regions, REGIONS);
    let mut seen = BTreeSet::new();
    for regional in &facts.analyzers {
        assert_eq!(&regional.facts.account_id, id);
        for analyzer in ok(&regional.facts.analyzers, "analyzers") {
            seen.insert(analyzer.arn.clone());
            assert_eq!(analyzer.status, "ACTIVE");
            let active: BTreeSet<&str> = ok(&analyzer.active_findings, "findings")
                .iter()
                .map(|f| f.resource.as_str())
                .collect();
            assert_eq!(
                active,
                active_findings(seeded, &analyzer.arn),
                "{}",
                analyzer.arn
            );
        }
    }
    let expected: BTreeSet<String> = described["access_analyzers"]
        .as_array()
        .expect("analyzers")
        .iter()
        .map(|a| text(&a["arn"]).to_owned())
        .collect();
    assert_eq!(seen, expected, "{id}");
}

/// The resources of the description's ACTIVE findings of one analyzer.
fn active_findings<'a>(seeded: &'a Seeded, analyzer_arn: &str) -> BTreeSet<&'a str> {
    seeded.description["external_access"]
        .as_array()
        .expect("external_access")
        .iter()
        .filter(|f| f["analyzer_arn"] == analyzer_arn && f["expected_status"] == "ACTIVE")
        .map(|f| text(&f["resource"]))
        .collect()
}

fn assert_organization(seeded: &Seeded, organization: &OrganizationFacts) {
    let management = seeded.management_account_id();
    assert_eq!(organization.management_account_id, management);

    // The organization trail, read once in the management account.
    let described = seeded.account("acme-management")["trails"]
        .as_array()
        .expect("trails")
        .iter()
        .find(|t| t["organization"] == true)
        .expect("an organization trail");
    let trails = ok(&organization.organization_trails, "organization trails");
    assert_eq!(trails.len(), 1, "{trails:?}");
    let org_trail = trail(trails, text(&described["arn"]));
    assert!(org_trail.organization_trail && org_trail.multi_region);
    // It delivers to the log-archive account's bucket.
    assert_eq!(
        org_trail.s3_bucket.as_deref(),
        described["s3_bucket"].as_str()
    );
    assert_eq!(
        described["s3_bucket_account"],
        seeded.account_id("acme-log-archive").as_str()
    );
    assert!(ok(&org_trail.status, "status").is_logging);
    assert_selectors(org_trail, "excludes-kms");

    // The organization's analyzer, in the audit account, with every member's ACTIVE findings.
    let audit = seeded.account_id("acme-audit");
    let regions: Vec<&str> = organization
        .organization_analyzers
        .iter()
        .map(|r| r.region.as_str())
        .collect();
    assert_eq!(regions, REGIONS);
    let mut found = Vec::new();
    for regional in &organization.organization_analyzers {
        assert_eq!(regional.facts.account_id, audit);
        for analyzer in ok(&regional.facts.analyzers, "organization analyzers") {
            assert_eq!(analyzer.analyzer_type, "ORGANIZATION");
            let active: BTreeSet<&str> = ok(&analyzer.active_findings, "findings")
                .iter()
                .map(|f| f.resource.as_str())
                .collect();
            let expected = active_findings(seeded, &analyzer.arn);
            assert!(expected.len() >= 2, "{expected:?}");
            assert_eq!(active, expected);
            found.push((regional.region.clone(), analyzer.name.clone()));
        }
    }
    assert_eq!(
        found,
        [("us-east-1".to_owned(), "acme-org-analyzer".to_owned())]
    );

    // AWS Config's aggregators, read in every scanned Region of its delegated administrator (the
    // management account's when there is none), as the seeder made them.
    let config_admins: Vec<String> = seeded.description["delegated_administrators"]
        .as_array()
        .expect("delegated_administrators")
        .iter()
        .filter(|a| a["service_principal"] == "config.amazonaws.com")
        .map(|a| text(&a["account_id"]).to_owned())
        .collect();
    let aggregation = organization
        .config_aggregators
        .as_ref()
        .expect("config aggregators");
    assert_eq!(
        ok(&aggregation.delegated_admins, "config admins"),
        &config_admins
    );
    let holders = if config_admins.is_empty() {
        vec![management.clone()]
    } else {
        config_admins
    };
    let read: Vec<(&str, &str)> = aggregation
        .regions
        .iter()
        .map(|r| (r.account_id.as_str(), r.region.as_str()))
        .collect();
    let want: Vec<(&str, &str)> = holders
        .iter()
        .flat_map(|h| REGIONS.iter().map(move |r| (h.as_str(), *r)))
        .collect();
    assert_eq!(read, want);
    let mut found: Vec<(String, String, String, bool)> = aggregation
        .regions
        .iter()
        .flat_map(|r| {
            ok(&r.aggregators, "aggregators").iter().map(|a| {
                let source = a.organization_source.as_ref().expect("organization source");
                (
                    r.account_id.clone(),
                    r.region.clone(),
                    a.arn.clone(),
                    source.all_aws_regions,
                )
            })
        })
        .collect();
    found.sort();
    let mut described: Vec<(String, String, String, bool)> =
        seeded.description["config_aggregators"]
            .as_array()
            .expect("config_aggregators")
            .iter()
            .map(|a| {
                (
                    text(&a["account_id"]).to_owned(),
                    text(&a["region"]).to_owned(),
                    text(&a["arn"]).to_owned(),
                    a["all_aws_regions"] == true,
                )
            })
            .collect();
    described.sort();
    assert!(!described.is_empty());
    assert_eq!(found, described);

    // Delegated administrators, one entry per service, in order.
    let services: Vec<&str> = organization
        .delegated_admins
        .iter()
        .map(|s| s.service_principal.as_str())
        .collect();
    assert_eq!(
        services,
        [
            "securityhub.amazonaws.com",
            "guardduty.amazonaws.com",
            "access-analyzer.amazonaws.com",
            "config.amazonaws.com",
            "inspector2.amazonaws.com",
            "macie.amazonaws.com",
            "detective.amazonaws.com",
            "fms.amazonaws.com",
            "sso.amazonaws.com",
            "member.org.stacksets.cloudformation.amazonaws.com",
            "backup.amazonaws.com",
        ]
    );
    // Trusted access: Organizations' list, every page, as the seeder enabled it.
    let mut trusted: Vec<String> = ok(
        organization.trusted_access.as_ref().expect("read"),
        "trusted access",
    )
    .clone();
    trusted.sort();
    let mut described: Vec<String> = seeded.description["trusted_access"]
        .as_array()
        .expect("trusted_access")
        .iter()
        .map(|p| text(p).to_owned())
        .collect();
    described.sort();
    assert_eq!(trusted, described);
    // GuardDuty's administrator's view in the home Region: the members the seeder added.
    let guardduty = organization
        .guardduty_organization
        .as_ref()
        .expect("read")
        .iter()
        .find(|r| r.region == "us-east-1")
        .expect("us-east-1");
    assert_eq!(
        ok(&guardduty.facts.admin_account_id, "admin").as_deref(),
        Some(management.as_str())
    );
    let view = ok(guardduty.facts.view.as_ref().expect("view"), "view");
    let members: Vec<&str> = view.members.iter().map(|m| m.account_id.as_str()).collect();
    let seeded_members: Vec<&str> =
        seeded.description["guardduty_organization"]["regions"]["us-east-1"]["members"]
            .as_array()
            .expect("members")
            .iter()
            .map(text)
            .collect();
    assert_eq!(members, seeded_members);
    assert_eq!(view.auto_enable_members.as_deref(), Some("NEW"));
    // Security Hub's central configuration, read in its administrator's home Region.
    let securityhub = organization
        .securityhub_organization
        .as_ref()
        .expect("read");
    let view = ok(securityhub.view.as_ref().expect("view"), "view");
    assert_eq!(view.home_region.as_deref(), Some("us-east-1"));
    assert_eq!(view.policies.len(), 1);
    // Control Tower: the landing zone, its controls and its registered OUs.
    let tower = ok(organization.control_tower.as_ref().expect("read"), "tower");
    let zone = tower.landing_zone.as_ref().expect("a landing zone");
    assert_eq!(
        zone.arn,
        text(&seeded.description["control_tower"]["landing_zone"]["arn"])
    );
    assert_eq!(
        tower.enabled_controls.len(),
        seeded.description["control_tower"]["enabled_controls"]
            .as_array()
            .expect("controls")
            .len()
    );
    let named = |service: usize, api: &str, region: Option<&str>| -> Vec<String> {
        let source = organization.delegated_admins[service]
            .sources
            .iter()
            .find(|s| s.api == api && s.region.as_deref() == region)
            .unwrap_or_else(|| panic!("no {api} {region:?} source for service {service}"));
        ok(&source.admin_account_ids, api).clone()
    };
    let organizations = "organizations:ListDelegatedAdministrators";
    assert_eq!(
        named(
            0,
            "securityhub:ListOrganizationAdminAccounts",
            Some("us-east-1")
        ),
        [audit.as_str()]
    );
    assert_eq!(
        named(
            1,
            "guardduty:ListOrganizationAdminAccounts",
            Some("us-east-1")
        ),
        [management.as_str()]
    );
    assert_eq!(named(2, organizations, None), [audit.as_str()]);
    assert_eq!(named(3, organizations, None), [audit.as_str()]);
    for service in &organization.delegated_admins {
        let sources = &service.sources;
        assert_eq!(sources[0].api, organizations);
        let own = match service.service_principal.as_str() {
            "securityhub.amazonaws.com" | "guardduty.amazonaws.com" => REGIONS.len(),
            _ => 0,
        };
        assert_eq!(sources.len(), 1 + own, "{sources:?}");
        for source in sources {
            ok(&source.admin_account_ids, &source.api);
        }
    }
}

#[tokio::test]
async fn collects_what_the_seeder_built_with_the_calls_the_checks_need() {
    // It reaches every account: no fault of another test may disturb it.
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let factory = seeded.factory().await;
    let session = "posture-it-collect";
    let plan = plan(seeded, session, organizations_admins(&factory).await);

    let done = std::sync::Mutex::new(Vec::new());
    let (organization, accounts) = collect(&factory, &plan, &|progress| {
        let Progress::AccountDone { account_id, errors } = progress else {
            return;
        };
        done.lock().expect("lock").push((account_id, errors));
    })
    .await;

    // Every account, in the plan's order, each reported once, none with an error.
    let ids: Vec<&str> = accounts.iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(ids, plan.accounts);
    let mut done = done.into_inner().expect("lock");
    done.sort();
    let mut expected: Vec<(String, usize)> = plan.accounts.iter().map(|a| (a.clone(), 0)).collect();
    expected.sort();
    assert_eq!(done, expected);

    for facts in &accounts {
        assert_account(seeded, facts);
    }
    assert_organization(seeded, &organization);
    assert_policies(seeded, &organization, &plan);
    assert!(
        plan.placements.iter().any(|p| p.parents.len() == 2),
        "a nested OU is placed: {:?}",
        plan.placements
    );

    // The management account is read with the caller's own credentials.
    let management = &accounts[0];
    assert_eq!(management.account_id, seeded.management_account_id());
    assert!(
        !ok(&management.access, "access")
            .principal_arn
            .contains("assumed-role")
    );

    // The calls made in one member (one trail, one analyzer in us-east-1), by its role session.
    let web_prod = seeded.account_id("acme-web-prod");
    let principal = format!("arn:aws:sts::{web_prod}:assumed-role/{ROLE}/{session}");
    let member = accounts
        .iter()
        .find(|a| a.account_id == web_prod)
        .expect("web-prod");
    assert_eq!(ok(&member.access, "access").principal_arn, principal);
    // Compute is read in the management account alone, in every Region.
    assert!(member.workloads.is_empty(), "{:?}", member.workloads);
    let built = &seeded.description["management_workloads"];
    let instances: Vec<&str> = management
        .workloads
        .iter()
        .flat_map(|r| ok(&r.facts.ec2_instances, "instances"))
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(management.workloads.len(), REGIONS.len());
    assert_eq!(
        instances,
        [built["ec2_instances"][0]["id"].as_str().expect("id")]
    );
    let functions: Vec<&str> = management
        .workloads
        .iter()
        .flat_map(|r| ok(&r.facts.lambda_functions, "functions"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        functions,
        [built["lambda_functions"][0]["arn"].as_str().expect("arn")]
    );
    let mut calls: Vec<(String, String, u16)> = seeded
        .admin()
        .requests_by(&principal)
        .expect("record")
        .into_iter()
        .inspect(|r| assert_eq!(r.account_id, web_prod))
        .map(|r| (r.action, r.region, r.status))
        .collect();
    calls.sort();
    // Security Hub is off there: DescribeHub answers 401 InvalidAccessException, and its
    // standards are not asked for.
    let expected: Vec<(&str, &str, u16)> = vec![
        ("DescribeConfigurationRecorderStatus", "eu-west-1", 200),
        ("DescribeConfigurationRecorderStatus", "us-east-1", 200),
        ("DescribeConfigurationRecorders", "eu-west-1", 200),
        ("DescribeConfigurationRecorders", "us-east-1", 200),
        ("DescribeDeliveryChannels", "eu-west-1", 200),
        ("DescribeDeliveryChannels", "us-east-1", 200),
        ("DescribeHub", "eu-west-1", 401),
        ("DescribeHub", "us-east-1", 401),
        ("DescribeTrails", "eu-west-1", 200),
        ("DescribeTrails", "us-east-1", 200),
        ("GenerateCredentialReport", "us-east-1", 200),
        ("GetAccountSummary", "us-east-1", 200),
        ("GetCallerIdentity", "us-east-1", 200),
        ("GetCredentialReport", "us-east-1", 200),
        ("GetEventSelectors", "us-east-1", 200),
        // EC2's account settings, in each Region; no workload list (management account only).
        ("GetImageBlockPublicAccessState", "eu-west-1", 200),
        ("GetImageBlockPublicAccessState", "us-east-1", 200),
        ("GetInstanceMetadataDefaults", "eu-west-1", 200),
        ("GetInstanceMetadataDefaults", "us-east-1", 200),
        ("GetSerialConsoleAccessStatus", "eu-west-1", 200),
        ("GetSerialConsoleAccessStatus", "us-east-1", 200),
        ("GetSnapshotBlockPublicAccessState", "eu-west-1", 200),
        ("GetSnapshotBlockPublicAccessState", "us-east-1", 200),
        ("GetTrailStatus", "us-east-1", 200),
        ("ListAnalyzers", "eu-west-1", 200),
        ("ListAnalyzers", "us-east-1", 200),
        ("ListBuckets", "us-east-1", 200),
        ("ListDetectors", "eu-west-1", 200),
        ("ListDetectors", "us-east-1", 200),
        ("ListFindings", "us-east-1", 200),
        // Every Region in one call (RegionScope ALL_REGIONS), sent to the first.
        ("ListInstances", "us-east-1", 200),
    ];
    let mut calls: Vec<(&str, &str, u16)> = calls
        .iter()
        .map(|(a, r, s)| (a.as_str(), r.as_str(), *s))
        .collect();
    // Twice when this collection started the report (STARTED, then COMPLETE), once when an
    // earlier scan of the shared sandbox left one younger than four hours (IAM hands it out).
    let generated = calls
        .iter()
        .filter(|(action, _, _)| *action == "GenerateCredentialReport")
        .count();
    assert!((1..=2).contains(&generated), "{generated}");
    let mut first = true;
    calls.retain(|(action, _, _)| {
        *action != "GenerateCredentialReport" || std::mem::replace(&mut first, false)
    });
    assert_eq!(calls, expected);

    // The audit account's analyzers serve its own facts and the organization's: read once.
    let audit = seeded.account_id("acme-audit");
    let principal = format!("arn:aws:sts::{audit}:assumed-role/{ROLE}/{session}");
    let mut counts = BTreeMap::new();
    for request in seeded.admin().requests_by(&principal).expect("record") {
        *counts.entry(request.action).or_insert(0) += 1;
    }
    assert_eq!(counts["GetCallerIdentity"], 1, "{counts:?}");
    assert_eq!(counts["ListAnalyzers"], REGIONS.len(), "{counts:?}");
    assert_eq!(counts["ListFindings"], 1, "{counts:?}");
    // Its hub is on in both Regions: one DescribeHub and one GetEnabledStandards in each.
    assert_eq!(counts["DescribeHub"], REGIONS.len(), "{counts:?}");
    assert_eq!(counts["GetEnabledStandards"], REGIONS.len(), "{counts:?}");
    // It is also AWS Config's delegated administrator: its aggregators, once per Region.
    assert_eq!(
        counts["DescribeConfigurationAggregators"],
        REGIONS.len(),
        "{counts:?}"
    );
}

#[tokio::test]
async fn an_account_whose_role_is_denied_has_the_assume_role_error_on_every_fact() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let faults = ClearFaults(&admin);
    let denied = seeded.account_id("acme-sandbox-research");
    let allowed = seeded.account_id("acme-log-archive");
    admin
        .add_fault(&FaultRule::deny_assume_role(&denied))
        .expect("add fault");

    let factory = seeded.factory().await;
    let session = "posture-it-collect-denied";
    let mut plan = plan(seeded, session, Collected::Ok(Vec::new()));
    plan.accounts = vec![denied.clone(), allowed.clone()];
    plan.access_analyzer_admin = Collected::Ok(allowed.clone());
    let (_, accounts) = collect(&factory, &plan, &|_| {}).await;
    faults.clear();

    let facts = &accounts[0];
    let err = facts.access.as_result().expect_err("denied");
    assert_eq!(
        (
            err.service.as_str(),
            err.action.as_str(),
            err.code.as_deref()
        ),
        ("sts", "AssumeRole", Some("AccessDenied"))
    );
    assert_eq!(err.http_status, Some(403));
    assert!(err.request_id.is_some(), "{err:?}");
    assert_eq!(facts.credential_report.as_result(), Err(err));
    assert_eq!(facts.account_summary.as_result(), Err(err));
    assert_eq!(facts.trails.as_result(), Err(err));
    assert_eq!(facts.config.len(), REGIONS.len());
    assert!(
        facts
            .config
            .iter()
            .all(|r| r.facts.recorders.as_result() == Err(err))
    );
    assert_eq!(facts.analyzers.len(), REGIONS.len());
    assert!(
        facts
            .analyzers
            .iter()
            .all(|r| r.facts.analyzers.as_result() == Err(err))
    );
    assert!(
        facts
            .securityhub
            .iter()
            .all(|r| r.facts.hub.as_result() == Err(err))
    );
    // Nothing else was called in it.
    let principal = format!("arn:aws:sts::{denied}:assumed-role/{ROLE}/{session}");
    assert_eq!(admin.requests_by(&principal).expect("record"), []);

    // The other account is not affected.
    assert_account(seeded, &accounts[1]);
}
