//! Synthetic snapshots of large organizations, for the snapshot benchmark and the tests that need
//! big files (a kill mid-write must land mid-write). Built from the committed v1 fixture — a real
//! scan of the sandbox — so the facts have the real shapes: each synthetic account's facts are
//! a copy of a real account's with the account id replaced.
//!
//! Shared by `tests/it` and `tests/bench` through `#[path]`; nothing here is posture's own code.

use std::path::PathBuf;

use posture::evaluate::{Mappings, Scope, Severity};
use posture::facts::AccountFacts;
use posture::finding::{Evidence, Finding, Status};
use posture::snapshot::{AccountOutcome, AccountRecord, CheckRecord, Snapshot, read_snapshot};

/// The committed v1 fixture store (a scan before and after the sandbox's change step).
pub(crate) fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/v1")
}

/// The fixture's older snapshot.
pub(crate) fn fixture_before() -> Snapshot {
    let mut files: Vec<_> = std::fs::read_dir(fixture_dir())
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    read_snapshot(&files[0]).expect("the v1 fixture reads")
}

/// NIST CSF 2.0 ids the synthetic checks map to, one function each.
const CSF: [&str; 6] = [
    "GV.OC-01", "ID.AM-01", "PR.AA-01", "DE.CM-01", "RS.MA-01", "RC.RP-01",
];

/// A snapshot of `accounts` accounts × `checks` region-scope checks × `regions` Regions: one
/// finding per cell, about one in ten failing. `variant` changes about one cell in a hundred (so
/// two variants diff to a realistic set of changes).
pub(crate) fn snapshot(accounts: usize, checks: usize, regions: usize, variant: u64) -> Snapshot {
    let mut snapshot = fixture_before();
    let templates: Vec<AccountFacts> = snapshot.facts.accounts.clone();
    let region_names: Vec<String> = [
        "us-east-1",
        "eu-west-1",
        "us-west-2",
        "ap-southeast-2",
        "eu-central-1",
        "ca-central-1",
    ]
    .iter()
    .take(regions)
    .map(|r| (*r).to_owned())
    .collect();
    let ids: Vec<String> = (0..accounts)
        .map(|i| format!("{:012}", 100_000_000_000 + i))
        .collect();

    snapshot.checks = (0..checks)
        .map(|i| CheckRecord {
            id: format!("synthetic-check-{i:02}"),
            title: format!("synthetic check {i} passes"),
            severity: [
                Severity::Critical,
                Severity::High,
                Severity::Medium,
                Severity::Low,
            ][i % 4],
            scope: Scope::Region,
            service: "iam".into(),
            logic_version: 1,
            mappings: Mappings {
                nist_csf_2: vec![CSF[i % CSF.len()].to_owned()],
                nist_csf_1_1: vec![],
                cis_aws_v3: vec![],
                cis_aws_v5: vec![],
                cis_aws_v7: vec![],
                nist_800_53_r5: vec![],
                security_hub: vec![],
            },
        })
        .collect();
    snapshot.scan.scope.checks = snapshot.checks.iter().map(|c| c.id.clone()).collect();
    snapshot.scan.scope.regions = region_names.clone();
    snapshot.integrity = posture::snapshot::unsealed();

    snapshot.accounts = ids
        .iter()
        .enumerate()
        .map(|(i, id)| AccountRecord {
            id: id.clone(),
            name: format!("acme-workload-{i:04}"),
            email: None,
            ou_path: [
                "/Workloads/Prod",
                "/Workloads/NonProd",
                "/Sandbox",
                "/Security",
            ][i % 4]
                .into(),
            ou_ids: Vec::new(),
            status: "ACTIVE".into(),
            outcome: AccountOutcome::Scanned,
            errors: vec![],
        })
        .collect();

    snapshot.facts.regions = region_names.clone();
    snapshot.facts.skipped_accounts.clear();
    snapshot.facts.accounts = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let template = &templates[i % templates.len()];
            let json = serde_json::to_string(template)
                .expect("facts serialize")
                .replace(&template.account_id, id);
            serde_json::from_str(&json).expect("facts deserialize")
        })
        .collect();

    let mut findings = Vec::with_capacity(accounts * checks * regions);
    for check in &snapshot.checks {
        for (a, id) in ids.iter().enumerate() {
            for (r, region) in region_names.iter().enumerate() {
                let cell = hash(&[
                    a as u64,
                    r as u64,
                    check.id.len() as u64,
                    findings.len() as u64,
                ]);
                let mut failing = cell.is_multiple_of(10);
                if variant != 0 && hash(&[cell, variant]).is_multiple_of(100) {
                    failing = !failing;
                }
                let status = if failing { Status::Fail } else { Status::Pass };
                findings.push(Finding {
                    check: check.id.as_str().into(),
                    account: id.as_str().into(),
                    region: Some(region.as_str().into()),
                    resource: format!("arn:aws:iam::{id}:role/synthetic-{region}-{}", check.id),
                    status,
                    reason: if failing {
                        format!("the role synthetic-{region} allows access from outside the organization")
                    } else {
                        "the role is only assumable from inside the organization".to_owned()
                    },
                    evidence: Evidence::from([
                        ("role".to_owned(), format!("synthetic-{region}")),
                        ("trust policy principals".to_owned(), if failing { "arn:aws:iam::999999999999:root" } else { "o-example" }.to_owned()),
                        ("last used".to_owned(), "2026-11-01T10:00:00Z".to_owned()),
                    ]),
                    waiver: None,
                });
            }
        }
    }
    findings.sort_by(|a, b| a.id().cmp(&b.id()));
    snapshot.findings = findings;
    snapshot
}

/// A small, stable mixing function (SplitMix64 over the parts).
fn hash(parts: &[u64]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for part in parts {
        h ^= part
            .wrapping_add(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(h << 6)
            .wrapping_add(h >> 2);
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^= h >> 31;
    }
    h
}
