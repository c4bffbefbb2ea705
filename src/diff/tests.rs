//! Diff on hand-built snapshots: every transition, its cause, the symmetry between `diff(a, b)`
//! and `diff(b, a)`, and that a change of scope or coverage never reads as a fix.

use std::collections::BTreeMap;

use super::*;
use crate::evaluate::{Mappings, Thresholds};
use crate::snapshot::{
    AccountRecord, Integrity, RegionsRequested, ScanMetadata, ScopeRecord, SnapshotSummary,
};

const MANAGEMENT: &str = "111111111111";
const PROD: &str = "222222222222";
const DEV: &str = "333333333333";

fn check(id: &str, severity: Severity, scope: Scope, csf: &[&str]) -> CheckRecord {
    CheckRecord {
        id: id.into(),
        title: format!("{id} passes"),
        severity,
        scope,
        service: "iam".into(),
        logic_version: 1,
        mappings: Mappings {
            nist_csf_2: csf.iter().map(|s| (*s).to_owned()).collect(),
            nist_csf_1_1: vec![],
            cis_aws_v3: vec![],
            cis_aws_v5: vec![],
            cis_aws_v7: vec![],
            nist_800_53_r5: vec![],
            security_hub: vec![],
        },
    }
}

fn finding(
    check: &str,
    account: &str,
    region: Option<&str>,
    resource: &str,
    status: Status,
) -> Finding {
    Finding {
        check: check.into(),
        account: account.into(),
        region: region.map(Into::into),
        resource: resource.into(),
        status,
        reason: format!("{status:?}"),
        evidence: Evidence::from([("state".to_owned(), format!("{status:?}"))]),
        waiver: None,
    }
}

fn account(id: &str, status: &str, outcome: AccountOutcome) -> AccountRecord {
    AccountRecord {
        id: id.into(),
        name: format!("acct-{id}"),
        email: None,
        ou_path: "/Workloads".into(),
        ou_ids: vec![],
        status: status.into(),
        outcome,
        errors: vec![],
    }
}

/// A snapshot of the three accounts, two Regions and three checks unless changed.
struct Build {
    accounts: Vec<AccountRecord>,
    regions: Vec<&'static str>,
    checks: Vec<CheckRecord>,
    findings: Vec<Finding>,
    thresholds: Thresholds,
    landing_zone: LandingZone,
}

impl Build {
    fn new() -> Self {
        Self {
            accounts: vec![
                account(MANAGEMENT, "ACTIVE", AccountOutcome::Scanned),
                account(PROD, "ACTIVE", AccountOutcome::Scanned),
                account(DEV, "ACTIVE", AccountOutcome::Scanned),
            ],
            regions: vec!["us-east-1", "eu-west-1"],
            checks: vec![
                check(
                    "root-mfa",
                    Severity::Critical,
                    Scope::Account,
                    &["PR.AA-03"],
                ),
                check(
                    "trail",
                    Severity::High,
                    Scope::Region,
                    &["DE.CM-09", "ID.AM-08"],
                ),
                check("keys", Severity::Medium, Scope::Account, &["PR.AA-01"]),
            ],
            findings: vec![],
            thresholds: Thresholds::default(),
            landing_zone: LandingZone::default(),
        }
    }

    /// The same snapshot with no findings yet.
    fn clone_without_findings(&self) -> Self {
        Self {
            accounts: self.accounts.clone(),
            regions: self.regions.clone(),
            checks: self.checks.clone(),
            findings: vec![],
            thresholds: self.thresholds,
            landing_zone: self.landing_zone.clone(),
        }
    }

    fn with(mut self, finding: Finding) -> Self {
        self.findings.push(finding);
        self
    }

    fn summary(&self) -> SnapshotSummary {
        let mut findings = self.findings.clone();
        findings.sort_by(|a, b| a.id().cmp(&b.id()));
        SnapshotSummary {
            format: crate::snapshot::FORMAT.into(),
            schema_version: 1,
            integrity: Integrity {
                content_sha256: "0".repeat(64),
                file: "2026-11-23T08-00-00.000Z.json".into(),
                previous_sha256: None,
                previous_file: None,
            },
            scan: ScanMetadata {
                posture_version: "0.1.0".into(),
                catalogue_version: "abc".into(),
                started_at: "2026-11-23T08:00:00.000Z".into(),
                finished_at: "2026-11-23T08:01:00Z".into(),
                caller_arn: "arn:aws:iam::111111111111:user/auditor".into(),
                caller_account_id: MANAGEMENT.into(),
                organization_id: "o-example".into(),
                management_account_id: MANAGEMENT.into(),
                scope: ScopeRecord {
                    accounts: vec![],
                    exclude_accounts: vec![],
                    ous: vec![],
                    regions_requested: RegionsRequested::Enabled,
                    regions: self.regions.iter().map(|r| (*r).to_owned()).collect(),
                    checks: self.checks.iter().map(|c| c.id.clone()).collect(),
                    role_name: "PostureAuditor".into(),
                    emails_kept: false,
                },
                thresholds: self.thresholds,
                landing_zone: self.landing_zone.clone(),
                waivers: vec![],
            },
            reevaluation: None,
            checks: self.checks.clone(),
            accounts: self.accounts.clone(),
            findings,
            facts: serde::de::IgnoredAny,
        }
    }
}

/// The everyday organization: root MFA, trails in both Regions, one key per account.
fn baseline() -> Build {
    let mut build = Build::new();
    for account in [MANAGEMENT, PROD, DEV] {
        build = build
            .with(finding(
                "root-mfa",
                account,
                None,
                &format!("arn:aws:iam::{account}:root"),
                Status::Pass,
            ))
            .with(finding(
                "keys",
                account,
                None,
                &format!("arn:aws:iam::{account}:user/app/access-key-1"),
                Status::Fail,
            ));
        for region in ["us-east-1", "eu-west-1"] {
            build = build.with(finding(
                "trail",
                account,
                Some(region),
                account,
                Status::Pass,
            ));
        }
    }
    build
}

fn kinds(changes: &Changes) -> BTreeMap<(String, String, Option<String>, String), ChangeKind> {
    changes
        .findings
        .iter()
        .map(|f| {
            (
                (
                    f.check.clone(),
                    f.account.clone(),
                    f.region.clone(),
                    f.resource.clone(),
                ),
                f.kind,
            )
        })
        .collect()
}

fn kind_of_resource(changes: &Changes, resource: &str) -> Option<ChangeKind> {
    changes
        .findings
        .iter()
        .find(|f| f.resource == resource)
        .map(|f| f.kind)
}

/// Asserts the symmetry the module promises, and returns `diff(old, new)`.
fn symmetric_diff(old: &SnapshotSummary, new: &SnapshotSummary) -> Changes {
    let forward = diff(old, new);
    let backward = diff(new, old);
    let reversed: BTreeMap<_, _> = kinds(&backward)
        .into_iter()
        .map(|(id, kind)| (id, kind.reversed()))
        .collect();
    assert_eq!(
        kinds(&forward),
        reversed,
        "diff(b, a) is not diff(a, b) reversed"
    );
    assert_eq!(forward.accounts_joined, backward.accounts_left);
    assert_eq!(forward.checks_added, backward.checks_removed);
    assert_eq!(forward.scope.regions_added, backward.scope.regions_removed);
    forward
}

#[test]
fn identical_snapshots_diff_to_nothing() {
    let changes = symmetric_diff(&baseline().summary(), &baseline().summary());
    assert!(changes.is_empty(), "{changes:#?}");
    assert_eq!(changes.gate(Some(Severity::Low)).regressions, 0);
    // The keys fail in both: listed as still failing, with no cause.
    assert_eq!(changes.count(ChangeKind::StillFailing), 3);
    assert!(changes.findings.iter().all(|f| f.causes.is_empty()));
}

#[test]
fn a_pass_turning_to_fail_is_a_regression_and_its_reverse_a_resolution() {
    let mut new = baseline();
    new.findings[0].status = Status::Fail;
    new.findings[0]
        .evidence
        .insert("mfa".into(), "false".into());
    let (old, new) = (baseline().summary(), new.summary());
    let changes = symmetric_diff(&old, &new);
    let regressed: Vec<_> = changes.of_kind(ChangeKind::Regressed).collect();
    assert_eq!(regressed.len(), 1);
    assert_eq!(regressed[0].check, "root-mfa");
    assert_eq!(changes.gate(Some(Severity::Low)).regressions, 1);
    assert_eq!(
        changes.gate(Some(Severity::Critical)).regressions,
        1,
        "root-mfa is critical"
    );
    assert!(
        matches!(&regressed[0].causes[..], [Cause::ResourceChanged { detail }] if detail.contains("mfa: (none) → false"))
    );
    let back = diff(&new, &old);
    assert_eq!(back.count(ChangeKind::Resolved), 1);
    assert_eq!(back.count(ChangeKind::Regressed), 0);
    assert_eq!(back.gate(Some(Severity::Low)).regressions, 0);
}

#[test]
fn a_new_failing_resource_regresses_and_a_gone_one_is_resolved() {
    let new = baseline().with(finding(
        "keys",
        PROD,
        None,
        "arn:aws:iam::222222222222:user/hotfix/access-key-1",
        Status::Fail,
    ));
    let changes = symmetric_diff(&baseline().summary(), &new.summary());
    assert_eq!(
        kind_of_resource(
            &changes,
            "arn:aws:iam::222222222222:user/hotfix/access-key-1"
        ),
        Some(ChangeKind::Regressed)
    );
    assert_eq!(changes.gate(Some(Severity::Medium)).regressions, 1);
    assert_eq!(
        changes.gate(Some(Severity::High)).regressions,
        0,
        "keys is medium"
    );
    let back = diff(&new.summary(), &baseline().summary());
    let resolved: Vec<_> = back.of_kind(ChangeKind::Resolved).collect();
    assert_eq!(resolved.len(), 1);
    assert!(
        matches!(&resolved[0].causes[..], [Cause::ResourceChanged { detail }] if detail == "no longer reported")
    );
}

#[test]
fn an_unreadable_account_is_newly_unknown_never_resolved() {
    // PROD's role could not be assumed: one ERROR per check and cell, no resources.
    let mut new = baseline();
    new.findings.retain(|f| f.account != PROD);
    new.accounts[1].outcome = AccountOutcome::Unreachable;
    for check in ["root-mfa", "keys"] {
        new = new.with(finding(check, PROD, None, PROD, Status::Error));
    }
    for region in ["us-east-1", "eu-west-1"] {
        new = new.with(finding("trail", PROD, Some(region), PROD, Status::Error));
    }
    let changes = symmetric_diff(&baseline().summary(), &new.summary());
    assert_eq!(changes.count(ChangeKind::Resolved), 0);
    assert_eq!(changes.count(ChangeKind::Removed), 0);
    // The root user, the key and two trail cells: each resource once, no extra line per marker.
    assert_eq!(
        changes.count(ChangeKind::NewlyUnknown),
        4,
        "{:#?}",
        changes.findings
    );
    let key = changes
        .findings
        .iter()
        .find(|f| f.check == "keys" && f.account == PROD)
        .expect("the key");
    assert_eq!(key.old.status, Some(Status::Fail));
    assert_eq!(key.new.status, None);
    assert!(matches!(&key.causes[0], Cause::CoverageChanged { detail } if detail == "Error"));
    let back = symmetric_diff(&new.summary(), &baseline().summary());
    assert_eq!(back.count(ChangeKind::Recovered), 4);
    // The key recovered into FAIL: reported, but not a regression the change window caused.
    let key = back
        .findings
        .iter()
        .find(|f| f.check == "keys" && f.account == PROD)
        .expect("key");
    assert_eq!(
        (key.kind, key.new.status),
        (ChangeKind::Recovered, Some(Status::Fail))
    );
    assert!(!back.gate(Some(Severity::Low)).fails);
}

#[test]
fn a_region_out_of_scope_is_no_longer_evaluated_not_resolved() {
    let mut old = baseline();
    old.findings
        .iter_mut()
        .filter(|f| f.check == "trail" && f.region.as_deref() == Some("eu-west-1"))
        .for_each(|f| f.status = Status::Fail);
    let mut new = baseline();
    new.regions = vec!["us-east-1"];
    new.findings
        .retain(|f| f.region.as_deref() != Some("eu-west-1"));
    let changes = symmetric_diff(&old.summary(), &new.summary());
    assert_eq!(changes.count(ChangeKind::Resolved), 0);
    assert_eq!(changes.count(ChangeKind::NoLongerEvaluated), 3);
    assert_eq!(changes.scope.regions_removed, ["eu-west-1"]);
    let first = changes
        .of_kind(ChangeKind::NoLongerEvaluated)
        .next()
        .expect("one");
    assert!(
        matches!(&first.causes[0], Cause::ScopeChanged { detail } if detail.contains("eu-west-1 was not scanned"))
    );
}

#[test]
fn accounts_that_join_leave_or_are_excluded_are_scope_changes() {
    let mut old = baseline();
    old.accounts
        .push(account("444444444444", "ACTIVE", AccountOutcome::Scanned));
    old = old.with(finding("keys", "444444444444", None, "k", Status::Fail));
    let mut new = baseline();
    new.accounts[2].outcome = AccountOutcome::Excluded;
    new.findings.retain(|f| f.account != DEV);
    new.accounts
        .push(account("555555555555", "ACTIVE", AccountOutcome::Scanned));
    new = new.with(finding("keys", "555555555555", None, "k2", Status::Fail));
    let changes = symmetric_diff(&old.summary(), &new.summary());
    assert_eq!(changes.accounts_left.len(), 1);
    assert_eq!(changes.accounts_left[0].id, "444444444444");
    assert_eq!(changes.accounts_joined[0].id, "555555555555");
    assert_eq!(
        kind_of_resource(&changes, "k"),
        Some(ChangeKind::NoLongerEvaluated)
    );
    assert_eq!(
        kind_of_resource(&changes, "k2"),
        Some(ChangeKind::NewlyEvaluated)
    );
    assert_eq!(changes.count(ChangeKind::Resolved), 0);
    // DEV was excluded: its findings are no longer evaluated, not resolved, and it did not leave.
    assert!(changes.accounts_left.iter().all(|a| a.id != DEV));
    let dev: Vec<_> = changes
        .findings
        .iter()
        .filter(|f| f.account == DEV)
        .collect();
    assert_eq!(dev.len(), 4);
    assert!(dev.iter().all(|f| f.kind == ChangeKind::NoLongerEvaluated));
    assert!(
        matches!(&dev[0].causes[0], Cause::ScopeChanged { detail } if detail.contains("excluded"))
    );
    // A joined account's FAIL is newly evaluated, not a regression: the gate does not fail.
    assert!(!changes.gate(Some(Severity::Low)).fails);
    assert!(
        matches!(&changes.findings.iter().find(|f| f.resource == "k2").expect("k2").causes[0],
        Cause::ScopeChanged { detail } if detail.contains("not in the organization"))
    );
}

#[test]
fn a_suspended_account_is_no_longer_evaluated() {
    let mut new = baseline();
    new.accounts[1].status = "SUSPENDED".into();
    new.accounts[1].outcome = AccountOutcome::Skipped;
    new.findings.retain(|f| f.account != PROD);
    for check in ["root-mfa", "keys"] {
        new = new.with(finding(check, PROD, None, PROD, Status::Skipped));
    }
    let changes = symmetric_diff(&baseline().summary(), &new.summary());
    assert_eq!(changes.accounts_changed.len(), 1);
    assert_eq!(
        changes.accounts_changed[0].changes,
        ["status: ACTIVE → SUSPENDED"]
    );
    assert_eq!(changes.count(ChangeKind::Resolved), 0);
    assert_eq!(changes.count(ChangeKind::NoLongerEvaluated), 4);
}

#[test]
fn checks_added_or_removed_are_listed_and_their_findings_not_counted_as_changes_of_posture() {
    let mut old = baseline();
    old.checks.retain(|c| c.id != "keys");
    old.findings.retain(|f| f.check != "keys");
    let changes = symmetric_diff(&old.summary(), &baseline().summary());
    assert_eq!(changes.checks_added, ["keys"]);
    assert_eq!(changes.count(ChangeKind::NewlyEvaluated), 3);
    assert_eq!(changes.count(ChangeKind::Regressed), 0);
    let first = changes
        .of_kind(ChangeKind::NewlyEvaluated)
        .next()
        .expect("one");
    assert!(
        matches!(&first.causes[0], Cause::ScopeChanged { detail } if detail.contains("check keys was not run"))
    );
}

#[test]
fn a_new_rule_is_blamed_on_the_check_not_the_change_window() {
    let mut new = baseline();
    new.checks[0].logic_version = 2;
    new.checks[0].mappings.nist_csf_2.push("PR.AA-05".into());
    let root = new
        .findings
        .iter_mut()
        .find(|f| f.check == "root-mfa")
        .expect("root");
    root.status = Status::Fail;
    root.reason = "Fail".into();
    // The evidence is the same: only the rule changed.
    let changes = symmetric_diff(&baseline().summary(), &new.summary());
    let regressed: Vec<_> = changes.of_kind(ChangeKind::Regressed).collect();
    assert_eq!(regressed.len(), 1);
    assert!(
        !regressed[0]
            .causes
            .iter()
            .any(|c| matches!(c, Cause::ResourceChanged { .. }))
    );
    assert!(
        regressed[0]
            .causes
            .contains(&Cause::LogicChanged { old: 1, new: 2 })
    );
    assert!(regressed[0].causes.contains(&Cause::MappingChanged));
    assert_eq!(changes.checks_changed.len(), 1);
    assert_eq!(changes.checks_changed[0].logic_version, Some((1, 2)));
}

#[test]
fn waivers_starting_changing_and_expiring_are_causes() {
    let waiver = |expires: &str| Waiver {
        reason: "vendor migration".into(),
        approved_by: "ciso@example.com".into(),
        expires: expires.into(),
    };
    fn key(build: &mut Build) -> &mut Finding {
        build
            .findings
            .iter_mut()
            .find(|f| f.check == "keys")
            .expect("a key")
    }
    let (mut waived, mut extended, mut expired) = (baseline(), baseline(), baseline());
    key(&mut waived).waiver = Some(Box::new(waiver("2026-12-31")));
    key(&mut extended).waiver = Some(Box::new(waiver("2027-03-31")));
    key(&mut expired).waiver = Some(Box::new(waiver("2026-01-31")));
    let cause = |old: Build, new: Build| {
        let changes = symmetric_diff(&old.summary(), &new.summary());
        let still: Vec<_> = changes
            .of_kind(ChangeKind::StillFailing)
            .filter(|f| !f.causes.is_empty())
            .collect();
        assert_eq!(still.len(), 1);
        assert!(
            changes
                .findings
                .iter()
                .any(|f| f.new.waived || f.old.waived)
        );
        still[0].causes.clone()
    };
    assert_eq!(cause(baseline(), waived), [Cause::WaiverStarted]);
    let mut waived = baseline();
    key(&mut waived).waiver = Some(Box::new(waiver("2026-12-31")));
    assert_eq!(cause(waived, extended), [Cause::WaiverChanged]);
    assert_eq!(cause(expired, baseline()), [Cause::WaiverExpired]);
    let mut waived = baseline();
    key(&mut waived).waiver = Some(Box::new(waiver("2026-12-31")));
    assert_eq!(cause(waived, baseline()), [Cause::WaiverRemoved]);
}

#[test]
fn changes_are_grouped_by_severity_and_csf_function() {
    let mut new = baseline();
    for f in new
        .findings
        .iter_mut()
        .filter(|f| f.check == "trail" && f.account == PROD)
    {
        f.status = Status::Fail;
    }
    let changes = symmetric_diff(&baseline().summary(), &new.summary());
    assert_eq!(changes.summary.total[&ChangeKind::Regressed], 2);
    assert_eq!(
        changes.summary.by_severity[&Severity::High][&ChangeKind::Regressed],
        2
    );
    assert_eq!(changes.summary.by_function["DE"][&ChangeKind::Regressed], 2);
    assert_eq!(changes.summary.by_function["ID"][&ChangeKind::Regressed], 2);
    // Every function is there, zero or not.
    assert_eq!(changes.summary.by_function["GV"][&ChangeKind::Regressed], 0);
    assert_eq!(changes.summary.by_function.len(), 6);
    // Regressions come first, then by severity.
    assert_eq!(changes.findings[0].kind, ChangeKind::Regressed);
}

#[test]
fn every_transition_is_symmetric_across_many_random_pairs() {
    // A small deterministic generator: each identity gets one of the five states per side.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..200 {
        let mut sides = [Build::new(), Build::new()];
        for side in &mut sides {
            for account in [MANAGEMENT, PROD, DEV] {
                for resource in ["r1", "r2"] {
                    let status = match next() % 5 {
                        0 => continue,
                        1 => Status::Pass,
                        2 => Status::Fail,
                        3 => Status::Error,
                        _ => Status::Skipped,
                    };
                    side.findings
                        .push(finding("keys", account, None, resource, status));
                }
            }
            if next() % 4 == 0 {
                side.regions = vec!["us-east-1"];
            }
        }
        let [a, b] = sides;
        let changes = symmetric_diff(&a.summary(), &b.summary());
        let back = diff(&b.summary(), &a.summary());
        assert_eq!(
            changes.count(ChangeKind::Regressed),
            back.count(ChangeKind::Resolved)
        );
        assert_eq!(
            changes.count(ChangeKind::NewlyUnknown),
            back.count(ChangeKind::Recovered)
        );
    }
}

/// external-access-findings' shape: one failing bucket while an analyzer covers the account,
/// then the analyzer is deleted and the check fails the account as a whole.
#[test]
fn losing_coverage_is_a_regression_of_the_cell_not_a_fix_of_its_resources() {
    let bucket = "arn:aws:s3:::public-bucket";
    let in_cell = |f: &Finding| {
        f.check == "trail" && f.account == PROD && f.region.as_deref() == Some("us-east-1")
    };
    let mut old = baseline();
    old.findings.retain(|f| !in_cell(f));
    old = old.with(finding(
        "trail",
        PROD,
        Some("us-east-1"),
        bucket,
        Status::Fail,
    ));
    let mut new = baseline();
    for f in new.findings.iter_mut().filter(|f| in_cell(f)) {
        f.status = Status::Fail;
    }
    let changes = symmetric_diff(&old.summary(), &new.summary());
    assert_eq!(
        changes.count(ChangeKind::Resolved),
        0,
        "{:#?}",
        changes.findings
    );
    assert_eq!(
        kind_of_resource(&changes, bucket),
        Some(ChangeKind::NewlyUnknown)
    );
    assert_eq!(
        kind_of_resource(&changes, PROD),
        Some(ChangeKind::Regressed)
    );
    assert_eq!(changes.gate(Some(Severity::Low)).regressions, 1);
    // Coverage back: the cell's FAIL is resolved, the bucket recovers into FAIL.
    let back = symmetric_diff(&new.summary(), &old.summary());
    assert_eq!(kind_of_resource(&back, PROD), Some(ChangeKind::Resolved));
    assert_eq!(kind_of_resource(&back, bucket), Some(ChangeKind::Recovered));
}

#[test]
fn a_new_error_on_one_resource_is_newly_unknown_and_leaves_the_others_alone() {
    let key = "arn:aws:iam::222222222222:user/new/access-key-1";
    let new = baseline().with(finding("keys", PROD, None, key, Status::Error));
    let changes = symmetric_diff(&baseline().summary(), &new.summary());
    assert_eq!(changes.count(ChangeKind::NewlyUnknown), 1);
    assert_eq!(
        kind_of_resource(&changes, key),
        Some(ChangeKind::NewlyUnknown)
    );
    assert!(!changes.is_empty());
    // The key beside it is not dragged into "unknown".
    assert_eq!(changes.count(ChangeKind::StillFailing), 3);
}

#[test]
fn a_check_whose_scope_changed_is_listed_and_its_findings_are_not_resolved_or_regressed() {
    let mut new = baseline();
    new.checks[2].scope = Scope::Region;
    let keys: Vec<Finding> = new
        .findings
        .iter()
        .filter(|f| f.check == "keys")
        .cloned()
        .collect();
    new.findings.retain(|f| f.check != "keys");
    for key in keys {
        for region in ["us-east-1", "eu-west-1"] {
            let mut f = key.clone();
            f.region = Some(region.into());
            new.findings.push(f);
        }
    }
    let changes = symmetric_diff(&baseline().summary(), &new.summary());
    assert_eq!(changes.count(ChangeKind::Resolved), 0);
    assert_eq!(changes.count(ChangeKind::Regressed), 0);
    assert_eq!(changes.count(ChangeKind::NoLongerEvaluated), 3);
    assert_eq!(changes.count(ChangeKind::NewlyEvaluated), 6);
    assert_eq!(changes.checks_changed.len(), 1);
    assert_eq!(
        changes.checks_changed[0].scope,
        Some((Scope::Account, Scope::Region))
    );
    assert!(!changes.gate(Some(Severity::Low)).fails);
}

#[test]
fn a_changed_limit_is_blamed_on_the_limit_not_the_key() {
    // An access key judged against 90 days, then against 3650: the same key, the same age.
    let key = |status: Status, limit: &str| {
        let mut f = finding(
            "access-key-rotation",
            PROD,
            None,
            "arn:aws:iam::222222222222:user/app/access-key-1",
            status,
        );
        f.evidence = Evidence::from([
            ("last rotated".to_owned(), "2025-03-01".to_owned()),
            ("maximum age (days)".to_owned(), limit.to_owned()),
        ]);
        f
    };
    let rotation = check(
        "access-key-rotation",
        Severity::Medium,
        Scope::Account,
        &["PR.AA-01"],
    );
    let mut old = Build::new().with(key(Status::Fail, "90"));
    old.checks.push(rotation.clone());
    let mut new = Build::new().with(key(Status::Fail, "3650"));
    new.checks.push(rotation);
    new.thresholds.access_key_max_age_days = 3650;
    let limit = Cause::ThresholdChanged {
        key: "access_key_max_age_days".into(),
        old: 90,
        new: 3650,
    };

    // Still failing under the new limit: the limit is the cause, the key did not change.
    let changes = symmetric_diff(&old.summary(), &new.summary());
    assert_eq!(
        changes.scope.options,
        ["[thresholds] access_key_max_age_days: 90 → 3650 days"]
    );
    assert!(!changes.is_empty());
    let still: Vec<_> = changes.of_kind(ChangeKind::StillFailing).collect();
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].causes, std::slice::from_ref(&limit));

    // A verdict the new limit turned: resolved, with the limit among its causes.
    let mut passed = new.clone_without_findings();
    passed.findings.push(key(Status::Pass, "3650"));
    let changes = symmetric_diff(&old.summary(), &passed.summary());
    let resolved: Vec<_> = changes.of_kind(ChangeKind::Resolved).collect();
    assert_eq!(resolved.len(), 1);
    assert!(
        resolved[0].causes.contains(&limit),
        "{:?}",
        resolved[0].causes
    );
    assert!(
        !resolved[0]
            .causes
            .iter()
            .any(|c| matches!(c, Cause::ResourceChanged { .. })),
        "{:?}",
        resolved[0].causes
    );

    // Other checks' findings are not blamed on it.
    let mut other = baseline();
    other.thresholds.access_key_max_age_days = 3650;
    let changes = symmetric_diff(&baseline().summary(), &other.summary());
    assert!(
        changes.findings.iter().all(|f| !f.causes.contains(&limit)),
        "{changes:#?}"
    );
}

#[test]
fn a_changed_security_ou_setting_is_the_cause_of_organization_structure_changes_only() {
    let structure = check(
        "organization-structure",
        Severity::High,
        Scope::Organization,
        &["GV.OC-03"],
    );
    let security_ou = |status, ou: &str, setting: &LandingZone| {
        let mut f = finding(
            "organization-structure",
            MANAGEMENT,
            None,
            "Security OU",
            status,
        );
        f.evidence = Evidence::from([
            ("Security OU".to_owned(), ou.to_owned()),
            (LandingZone::EVIDENCE_LABEL.to_owned(), setting.describe()),
        ]);
        f
    };
    let nested = LandingZone {
        security_ous: vec!["/Infrastructure/Security".to_owned()],
    };
    let mut old = Build::new().with(security_ou(Status::Fail, "none", &LandingZone::default()));
    old.checks.push(structure.clone());
    let mut new = Build::new().with(security_ou(
        Status::Pass,
        "/Infrastructure/Security",
        &nested,
    ));
    new.checks.push(structure);
    new.landing_zone = nested;
    let changes = symmetric_diff(&old.summary(), &new.summary());
    assert_eq!(
        changes.scope.options,
        [
            r#"[landing_zone] security_ous = ["/Security", "/Core"] → security_ous = ["/Infrastructure/Security"]"#
        ]
    );
    let resolved: Vec<_> = changes.of_kind(ChangeKind::Resolved).collect();
    assert_eq!(resolved.len(), 1, "{changes:#?}");
    // The setting is the cause, not the resource: the OU it picked is the setting's doing.
    assert_eq!(
        resolved[0].causes,
        [Cause::LandingZoneChanged {
            old: LandingZone::default().describe(),
            new: new.landing_zone.describe(),
        }]
    );
    // With the setting the same, a different Security OU is the resource's change.
    let mut moved = old.clone_without_findings();
    moved.findings.push(security_ou(
        Status::Pass,
        "/Security",
        &LandingZone::default(),
    ));
    let changes = symmetric_diff(&old.summary(), &moved.summary());
    let resolved: Vec<_> = changes.of_kind(ChangeKind::Resolved).collect();
    assert!(
        matches!(&resolved[0].causes[..], [Cause::ResourceChanged { detail }] if detail == "Security OU: none → /Security"),
        "{:?}",
        resolved[0].causes
    );
    // Nor is a member's place under the root, which does not depend on it.
    let member = |status, ou: &str| {
        let mut f = finding("organization-structure", MANAGEMENT, None, PROD, status);
        f.evidence = Evidence::from([("OU".to_owned(), ou.to_owned())]);
        f
    };
    let mut before = old.clone_without_findings();
    before.findings.push(member(Status::Fail, "the root"));
    let mut after = new.clone_without_findings();
    after.findings.push(member(Status::Pass, "/Workloads"));
    let changes = symmetric_diff(&before.summary(), &after.summary());
    let resolved: Vec<_> = changes.of_kind(ChangeKind::Resolved).collect();
    assert!(
        matches!(&resolved[0].causes[..], [Cause::ResourceChanged { .. }]),
        "{:?}",
        resolved[0].causes
    );
    // Other checks' findings are not blamed on it.
    let mut other = baseline();
    other.landing_zone = new.landing_zone.clone();
    let changes = symmetric_diff(&baseline().summary(), &other.summary());
    assert!(
        changes.findings.iter().all(|f| !f
            .causes
            .iter()
            .any(|c| matches!(c, Cause::LandingZoneChanged { .. }))),
        "{changes:#?}"
    );
}
