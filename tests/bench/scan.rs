//! The scan benchmark: `posture scan` (the release binary) against sandbox organizations of 10, 50
//! and 200 member accounts. Not a test: it measures and writes its figures to
//! `tests/bench/scan.md`; the targets it reports against are the scan issue's (calls per account
//! no more than the checks need; at 200 accounts, wall time within 1.3× of total calls ÷ the
//! sandbox's maximum rate; with 100 ms of latency on every call, wall time within 1.5× of the same
//! scan without it; peak RSS under 100 MB, growing no faster than linearly).
//!
//! Run: `cargo bench --bench scan`. Cargo builds the `posture` binary (release profile) before a
//! benchmark and gives its path in `CARGO_BIN_EXE_posture`, so the scans run the binary of the same
//! source. About seven minutes on 2 cores once built, half of it seeding: every scan gets a freshly
//! seeded organization.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use aws_config::retry::RetryConfig;
use posture::aws::{AwsTarget, ClientFactory};
use posture::sandbox::{
    CREDENTIALS_ENV, FaultKind, FaultRule, RecordedRequest, Sandbox, SandboxAdmin, SandboxGuard,
};
use serde_json::Value;

#[path = "common.rs"]
mod common;
use common::{Hammered, hammer, last_seq, run_measured, source};

/// Member accounts of each organization scanned.
const SIZES: [u32; 3] = [10, 50, 200];
/// Requests per (operation, clients) cell of the sandbox's maximum-rate measurement, and the
/// numbers of concurrent clients tried.
const RATE_REQUESTS: usize = 1000;
const RATE_CLIENTS: [usize; 3] = [1, 8, 32];
/// The role the seeder's organization has in every member account.
const ROLE: &str = "OrganizationAccountAccessRole";
/// The Regions every scan reads.
const REGIONS: &str = "us-east-1,eu-west-1";
/// The latency injected on every call of the latency scans.
const LATENCY_MS: u64 = 100;
/// Runs of each scan: the median wall time is reported.
const RUNS: usize = 3;
/// posture's default `--concurrency`, and the other one tried: 64, or 16 when 64 is the default.
const DEFAULT_CONCURRENCY: usize = posture::config::DEFAULT_CONCURRENCY;
const OTHER_CONCURRENCY: usize = if DEFAULT_CONCURRENCY == 64 { 16 } else { 64 };

fn main() {
    let source = source(&["src"]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    Sandbox::locate().ensure_venv().expect("venv");
    let mut sizes = Vec::new();
    for members in SIZES {
        writeln!(std::io::stderr(), "scan benchmark: {members} members").expect("stderr");
        sizes.push(measure(&runtime, members));
    }
    let report = report(&sizes, &source);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bench/scan.md");
    std::fs::write(&path, &report).expect("write results");
    writeln!(std::io::stderr(), "{report}\nwritten to {}", path.display()).expect("stderr");
}

/// Everything measured for one organization size.
struct Size {
    members: u32,
    /// ACTIVE accounts, the management account included: the accounts a scan reads.
    active: usize,
    /// Accounts that are not ACTIVE (skipped, never called).
    inactive: usize,
    /// The highest of `rates`: the sandbox's maximum request rate.
    rate: f64,
    /// Requests/s per operation and number of clients.
    rates: Vec<Rate>,
    /// The scans at the default concurrency, and at the other one, without and with latency.
    plain: Scans,
    latency: Scans,
    other: Scans,
    other_latency: Scans,
    /// The calls of the first scan at the default concurrency.
    calls: Calls,
    /// A scan right after the last round's, with no credential report new enough: every
    /// account's IAM users read live (`--fresh-after` in the far future), and its calls.
    live: ScanRun,
    live_calls: Calls,
}

/// The calls of a scan that reads IAM users live instead of taking the credential report.
const LIVE_IAM: [&str; 5] = [
    "iam:ListUsers",
    "iam:GetLoginProfile",
    "iam:ListMFADevices",
    "iam:ListAccessKeys",
    "iam:GetAccessKeyLastUsed",
];

/// The organization-wide reads of issue 22's checks, reported apart.
const ORGANIZATION_WIDE: [&str; 17] = [
    "organizations:ListAWSServiceAccessForOrganization",
    "guardduty:DescribeOrganizationConfiguration",
    "guardduty:ListMembers",
    "guardduty:GetMemberDetectors",
    "securityhub:DescribeOrganizationConfiguration",
    "securityhub:ListConfigurationPolicies",
    "securityhub:GetConfigurationPolicy",
    "securityhub:ListConfigurationPolicyAssociations",
    "controltower:ListLandingZones",
    "controltower:GetLandingZone",
    "controltower:ListEnabledControls",
    "controltower:ListEnabledBaselines",
    "s3:GetBucketLocation",
    "s3:GetBucketPolicy",
    "s3:GetObjectLockConfiguration",
    "guardduty:ListOrganizationAdminAccounts",
    "securityhub:ListOrganizationAdminAccounts",
];

/// One cell of the maximum-rate measurement.
struct Rate {
    operation: &'static str,
    clients: usize,
    rate: f64,
    failed: usize,
}

/// `RUNS` runs of one scan: the median wall time (and its run's discovery time), the highest
/// peak RSS, and what every run exited with, recorded and called.
struct Scans {
    wall: Duration,
    walls: Vec<Duration>,
    discovery: Duration,
    peak_rss_kib: i64,
    codes: Vec<i32>,
    errors: usize,
    calls: (usize, usize),
}

impl Scans {
    fn of(mut runs: Vec<ScanRun>) -> Self {
        runs.sort_by_key(|r| r.wall);
        let median = &runs[runs.len() / 2];
        Self {
            wall: median.wall,
            walls: runs.iter().map(|r| r.wall).collect(),
            discovery: median.discovery,
            peak_rss_kib: runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0),
            codes: runs.iter().map(|r| r.code).collect(),
            errors: runs.iter().map(|r| r.errors).max().unwrap_or(0),
            calls: (
                runs.iter().map(|r| r.calls).min().unwrap_or(0),
                runs.iter().map(|r| r.calls).max().unwrap_or(0),
            ),
        }
    }
}

/// One run of the binary.
struct ScanRun {
    wall: Duration,
    /// From spawn to the first `sts:AssumeRole` the sandbox answered: start and discovery, before
    /// any member account is read.
    discovery: Duration,
    /// `ru_maxrss` of the posture process, in KiB.
    peak_rss_kib: i64,
    code: i32,
    /// Errors recorded on the snapshot's accounts.
    errors: usize,
    /// Calls the sandbox recorded during the run.
    calls: usize,
}

/// The calls of one scan, from the sandbox's record.
struct Calls {
    total: usize,
    management: String,
    /// Calls per account they acted in (`AssumeRole`: the role's account).
    per_account: BTreeMap<String, usize>,
    /// Per `service:action`: calls in the management account, and in member accounts.
    per_action: BTreeMap<String, (usize, usize)>,
    /// Per member account and action: observed calls minus what the checks need (positive only).
    excess: BTreeMap<String, BTreeMap<String, usize>>,
    /// Per action: what the checks need in all member accounts together.
    needed: BTreeMap<String, usize>,
    /// Calls that acted in an account that is not ACTIVE.
    in_inactive: usize,
    /// Calls before the first `sts:AssumeRole`: discovery's.
    before_first_role: usize,
}

/// Measures one size. Every scan runs on a freshly seeded organization (the seeder resets the
/// sandbox first): the sandbox slows as assumed-role sessions pile up, a few per cent per scan of
/// 200 accounts, which would otherwise favour whichever scan runs first.
fn measure(runtime: &tokio::runtime::Runtime, members: u32) -> Size {
    let guard = SandboxGuard::start(sandbox(&format!("bench-scan-{members}"))).expect("start");
    let seed = || {
        let path = guard.sandbox().seed(members).expect("seed");
        serde_json::from_slice::<Value>(&std::fs::read(&path).expect("read description"))
            .expect("parse description")
    };
    let description = seed();
    let endpoint = guard.endpoint().to_owned();
    let admin = SandboxAdmin::new(&endpoint);
    let accounts = description["accounts"].as_array().expect("accounts");
    let active = accounts.iter().filter(|a| a["status"] == "ACTIVE").count();
    let management = description["organization"]["management_account_id"]
        .as_str()
        .expect("management account");
    let member = accounts
        .iter()
        .find(|a| a["status"] == "ACTIVE" && a["id"] != management)
        .and_then(|a| a["id"].as_str())
        .expect("an ACTIVE member");

    let rates = runtime.block_on(max_rate(&endpoint, member));
    let rate = rates.iter().map(|r| r.rate).fold(0.0, f64::max);

    // Rounds of the four scans, interleaved so that a change in the machine's load touches all
    // four alike; each on a fresh seed but the first (seeded above).
    let kinds = [
        (DEFAULT_CONCURRENCY, false),
        (DEFAULT_CONCURRENCY, true),
        (OTHER_CONCURRENCY, false),
        (OTHER_CONCURRENCY, true),
    ];
    let mut runs: [Vec<ScanRun>; 4] = Default::default();
    let mut first_calls = None;
    let mut latest = description.clone();
    for round in 0..RUNS {
        for (kind, &(concurrency, latency)) in kinds.iter().enumerate() {
            if round > 0 || kind > 0 {
                latest = seed();
            }
            if latency {
                admin
                    .add_fault(&FaultRule {
                        kind: FaultKind::Latency,
                        ms: Some(LATENCY_MS),
                        ..FaultRule::default()
                    })
                    .expect("latency rule");
            }
            let before = last_seq(&admin);
            let delay = if latency { "-latency" } else { "" };
            let name = format!("bench-scan-{members}-c{concurrency}{delay}-{round}");
            runs[kind].push(scan(&endpoint, &admin, &name, concurrency, &[]));
            if latency {
                admin.clear_faults().expect("clear faults");
            }
            if first_calls.is_none() {
                first_calls = Some(calls(&description, &since(&admin, before)));
            }
        }
    }
    // Right after the last scan, as after a change window: IAM hands out the same reports.
    let before = last_seq(&admin);
    let live = scan(
        &endpoint,
        &admin,
        &format!("bench-scan-{members}-live-iam"),
        DEFAULT_CONCURRENCY,
        &["--fresh-after", "2999-01-01T00:00:00Z"],
    );
    let live_calls = calls(&latest, &since(&admin, before));
    drop(guard);
    let [plain, latency, other, other_latency] = runs.map(Scans::of);

    Size {
        members,
        active,
        inactive: accounts.len() - active,
        rate,
        rates,
        plain,
        latency,
        other,
        other_latency,
        calls: first_calls.expect("a first scan"),
        live,
        live_calls,
    }
}

fn sandbox(name: &str) -> Sandbox {
    Sandbox::locate().with_state_dir(scratch(name))
}

fn scratch(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// The sandbox's request rate now, through posture's client factory with SDK retries off:
/// `RATE_REQUESTS` requests from each number of `RATE_CLIENTS` concurrent clients, of
/// `sts:GetCallerIdentity` with the caller's credentials (the sandbox benchmark's operation) and of
/// `iam:GetAccountSummary` in the member account `member` through its role (a call the scan makes
/// in every account, signed as the scan's are).
async fn max_rate(endpoint: &str, member: &str) -> Vec<Rate> {
    let factory =
        ClientFactory::load(AwsTarget::sandbox(endpoint).with_retry(RetryConfig::disabled())).await;
    let sts = factory.sts(factory.base());
    let config = factory
        .member_config(member, ROLE, None, "posture-bench-rate")
        .await;
    let iam = factory.iam(&config);
    iam.get_account_summary()
        .send()
        .await
        .expect("assume the role first");
    let mut rates = Vec::new();
    for clients in RATE_CLIENTS {
        let sts = sts.clone();
        let Hammered { rate, failed, .. } = hammer(RATE_REQUESTS, clients, move || {
            let sts = sts.clone();
            async move { sts.get_caller_identity().send().await.is_ok() }
        })
        .await;
        rates.push(Rate {
            operation: "sts:GetCallerIdentity (caller's credentials)",
            clients,
            rate,
            failed,
        });
        let iam = iam.clone();
        let Hammered { rate, failed, .. } = hammer(RATE_REQUESTS, clients, move || {
            let iam = iam.clone();
            async move { iam.get_account_summary().send().await.is_ok() }
        })
        .await;
        rates.push(Rate {
            operation: "iam:GetAccountSummary (member, assumed role)",
            clients,
            rate,
            failed,
        });
    }
    rates
}

/// Runs `posture scan` as the integration tests do (tests/it/scan.rs), and measures its wall time
/// and peak RSS (`wait4`'s `ru_maxrss`).
fn scan(
    endpoint: &str,
    admin: &SandboxAdmin,
    name: &str,
    concurrency: usize,
    extra: &[&str],
) -> ScanRun {
    let dir = scratch(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("snapshots dir");
    let stderr_path = dir.with_extension("stderr");
    let stderr = File::create(&stderr_path).expect("stderr file");
    let before = last_seq(admin);
    let spawned_at = SystemTime::now();
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO_BIN_EXE_posture"));
    command
        .args([
            "scan",
            "--quiet",
            "--endpoint-url",
            endpoint,
            "--regions",
            REGIONS,
            "--concurrency",
            &concurrency.to_string(),
        ])
        .args(extra)
        .arg("--snapshots-dir")
        .arg(&dir)
        .envs(CREDENTIALS_ENV)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    let measured = run_measured(&mut command);
    let (wall, code) = (started.elapsed(), measured.code);
    let errors = snapshot_errors(&dir).unwrap_or_else(|| {
        panic!(
            "posture scan ({name}) exited {code} without a snapshot: {}",
            std::fs::read_to_string(&stderr_path).unwrap_or_default()
        )
    });
    ScanRun {
        wall,
        discovery: first_assume_role(endpoint, before)
            .and_then(|at| at.duration_since(spawned_at).ok())
            .unwrap_or_default(),
        peak_rss_kib: measured.peak_rss_kib,
        code,
        errors,
        calls: since(admin, before).len(),
    }
}

/// How many errors the snapshot of `dir` records on its accounts; `None` if there is no snapshot.
fn snapshot_errors(dir: &Path) -> Option<usize> {
    let file = posture::snapshot::Store::new(dir).list().ok()?.pop()?;
    let bytes = posture::snapshot::read_snapshot_bytes(&file.path).expect("read snapshot");
    let snapshot: Value = serde_json::from_slice(&bytes).expect("json");
    Some(
        snapshot["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .map(|a| a["errors"].as_array().map_or(0, Vec::len))
            .sum(),
    )
}

/// When the sandbox answered the first `sts:AssumeRole` after `seq` (its record's `time`, which
/// `RecordedRequest` leaves out).
fn first_assume_role(endpoint: &str, seq: u64) -> Option<SystemTime> {
    let record: Value = ureq::get(format!(
        "{endpoint}/_posture/requests?action=AssumeRole&since={seq}"
    ))
    .call()
    .ok()?
    .body_mut()
    .read_json()
    .ok()?;
    let seconds = record["requests"].as_array()?.first()?["time"].as_f64()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(seconds))
}

fn since(admin: &SandboxAdmin, seq: u64) -> Vec<RecordedRequest> {
    admin
        .requests()
        .expect("record")
        .into_iter()
        .filter(|r| r.seq > seq)
        .collect()
}

/// The account a recorded call acted in: the role's account for `AssumeRole` (made by the caller
/// in its own account, but to reach the role's), else the account of its credentials.
fn acting_account(call: &RecordedRequest) -> &str {
    match (&call.target_account_id, call.action.as_str()) {
        (Some(target), "AssumeRole") => target,
        _ => &call.account_id,
    }
}

fn calls(description: &Value, record: &[RecordedRequest]) -> Calls {
    let management = description["organization"]["management_account_id"]
        .as_str()
        .expect("management account")
        .to_owned();
    let accounts = description["accounts"].as_array().expect("accounts");
    let inactive: Vec<&str> = accounts
        .iter()
        .filter(|a| a["status"] != "ACTIVE")
        .map(|a| a["id"].as_str().expect("id"))
        .collect();
    let mut per_account = BTreeMap::new();
    let mut per_action: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut observed: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for call in record {
        let account = acting_account(call);
        let action = format!("{}:{}", call.service, call.action);
        *per_account.entry(account.to_owned()).or_insert(0) += 1;
        let entry = per_action.entry(action.clone()).or_default();
        if account == management {
            entry.0 += 1;
        } else {
            entry.1 += 1;
            *observed
                .entry(account.to_owned())
                .or_default()
                .entry(action)
                .or_insert(0) += 1;
        }
    }

    let mut needed_total: BTreeMap<String, usize> = BTreeMap::new();
    let mut excess = BTreeMap::new();
    for account in accounts {
        let id = account["id"].as_str().expect("id");
        if id == management || account["status"] != "ACTIVE" {
            continue;
        }
        let needed = needed(account);
        let seen = observed.remove(id).unwrap_or_default();
        let over: BTreeMap<String, usize> = seen
            .iter()
            .filter_map(|(action, &n)| {
                let need = needed.get(action.as_str()).copied().unwrap_or(0);
                (n > need).then(|| (action.clone(), n - need))
            })
            .collect();
        if !over.is_empty() {
            excess.insert(id.to_owned(), over);
        }
        for (action, n) in needed {
            *needed_total.entry(action.to_owned()).or_insert(0) += n;
        }
    }
    let first_role = record
        .iter()
        .filter(|c| c.action == "AssumeRole")
        .map(|c| c.seq)
        .min()
        .unwrap_or(u64::MAX);
    Calls {
        total: record.len(),
        before_first_role: record.iter().filter(|c| c.seq < first_role).count(),
        in_inactive: inactive
            .iter()
            .map(|id| per_account.get(*id).copied().unwrap_or(0))
            .sum(),
        management,
        per_account,
        per_action,
        excess,
        needed: needed_total,
    }
}

/// What the checks need in one ACTIVE member account, per action, from the seeder's description
/// of it: reach it (one `AssumeRole`), the credential report (the sandbox keeps no report, so
/// Generate answers STARTED, then COMPLETE, then one Get), the account summary, the trails seen
/// from each Region and each own trail's status and selectors, the analyzers of each Region and
/// the active findings of each own analyzer (one page each). The access check
/// (`GetCallerIdentity`) is posture's design, counted as needed: it is what makes the SDK assume
/// the role, and a role that cannot be assumed stops there.
fn needed(account: &Value) -> BTreeMap<&'static str, usize> {
    let regions: Vec<&str> = REGIONS.split(',').collect();
    let trails = account["trails"].as_array().map_or(0, Vec::len);
    let analyzers = account["access_analyzers"]
        .as_array()
        .map_or(0, |analyzers| {
            analyzers
                .iter()
                .filter(|a| {
                    a["region"]
                        .as_str()
                        .is_some_and(|region| regions.contains(&region))
                })
                .count()
        });
    BTreeMap::from([
        ("sts:AssumeRole", 1),
        ("sts:GetCallerIdentity", 1),
        ("iam:GenerateCredentialReport", 2),
        ("iam:GetCredentialReport", 1),
        ("iam:GetAccountSummary", 1),
        ("cloudtrail:DescribeTrails", regions.len()),
        ("cloudtrail:GetTrailStatus", trails),
        ("cloudtrail:GetEventSelectors", trails),
        ("access-analyzer:ListAnalyzers", regions.len()),
        ("access-analyzer:ListFindings", analyzers),
    ])
}

/// Why a scan makes each call (`src/discover.rs`, `src/collect/`).
fn why(action: &str) -> &'static str {
    match action {
        "sts:GetCallerIdentity" => {
            "discovery's caller identity (once); then each account's access check, which makes the SDK assume the role (once per account)"
        }
        "sts:AssumeRole" => {
            "the role in each member account, assumed once and cached; made by the caller, counted in the role's account"
        }
        "organizations:DescribeOrganization" => {
            "the organization and its management account (once)"
        }
        "organizations:ListRoots" => {
            "the root of the OU-tree walk (discovery), and its policy types for the policy facts (collect): twice"
        }
        "organizations:ListPolicies" => {
            "scp-guardrails: the SCPs (and RCPs, when enabled), once per enabled type, per page"
        }
        "organizations:DescribePolicy" => {
            "scp-guardrails: each policy's document (once per policy)"
        }
        "organizations:ListTargetsForPolicy" => {
            "scp-guardrails: where each policy is attached (once per policy, per page)"
        }
        "organizations:ListPoliciesForTarget" => {
            "scps-attached: the SCPs attached to the root and each OU (once per root and OU)"
        }
        "organizations:ListOrganizationalUnitsForParent" => {
            "the OU tree: each parent's OUs (once per root and OU, per page)"
        }
        "organizations:ListAccountsForParent" => {
            "every account with status and OU path: each parent's accounts (once per root and OU, per page), never one ListParents per account"
        }
        "organizations:ListDelegatedAdministrators" => {
            "Organizations' delegated administrators (once, per page)"
        }
        "organizations:ListDelegatedServicesForAccount" => {
            "the services of each delegated administrator (once per administrator)"
        }
        "account:ListRegions" => {
            "the Regions enabled for the caller's account (default scope; read even with --regions)"
        }
        "iam:GenerateCredentialReport" => {
            "the credential report, generated once per account: STARTED, then polled until COMPLETE (a freshly seeded sandbox has no report yet; one younger than four hours answers COMPLETE at once)"
        }
        "iam:GetCredentialReport" => {
            "root-mfa and iam-user-access-keys: the report read once per account, not per-user calls"
        }
        "iam:GetAccountSummary" => {
            "root-mfa: the root user's keys, the second source the report is checked against"
        }
        "cloudtrail:DescribeTrails" => {
            "cloudtrail-multi-region: trails are regional and single-Region trails are seen only at home, so once per scanned Region"
        }
        "cloudtrail:GetTrailStatus" => {
            "cloudtrail-multi-region: whether each own trail is logging, read once in its home Region"
        }
        "cloudtrail:GetEventSelectors" => {
            "cloudtrail-multi-region: whether each own trail records management read and write events"
        }
        "access-analyzer:ListAnalyzers" => {
            "external-access-findings: the account's analyzers, once per scanned Region, no type filter"
        }
        "access-analyzer:ListFindings" => {
            "external-access-findings: ACTIVE findings of each ACTIVE analyzer, all pages; the organization analyzer's once, in its owner"
        }
        "securityhub:ListOrganizationAdminAccounts" => {
            "delegated-admin-not-management: Security Hub's own admin list, in the management account, per Region"
        }
        "guardduty:ListOrganizationAdminAccounts" => {
            "delegated-admin-not-management: GuardDuty's own admin list, in the management account, per Region"
        }
        "iam:ListOrganizationsFeatures" => {
            "root-access-centralized: the organization's centralized root access features, once, with the caller's credentials"
        }
        "sso:ListInstances" => {
            "identity-center: the instances each account sees, every Region in one call (RegionScope ALL_REGIONS), once per account"
        }
        "sso:ListPermissionSets" => {
            "identity-center: the organization instance's permission sets, once, in its Region"
        }
        "sso:ListAccountsForProvisionedPermissionSet" => {
            "identity-center: the accounts each permission set reaches, once per permission set"
        }
        "ec2:GetImageBlockPublicAccessState"
        | "ec2:GetSnapshotBlockPublicAccessState"
        | "ec2:GetInstanceMetadataDefaults"
        | "ec2:GetSerialConsoleAccessStatus" => {
            "ec2-declarative-policy: one EC2 setting and who manages it, once per account and scanned Region"
        }
        "ec2:DescribeInstances" => {
            "management-account-no-workloads: the management account's instances, once per scanned Region, per page"
        }
        "lambda:ListFunctions" => {
            "management-account-no-workloads: the management account's functions, once per scanned Region, per page"
        }
        "iam:ListUsers"
        | "iam:GetLoginProfile"
        | "iam:ListMFADevices"
        | "iam:ListAccessKeys"
        | "iam:GetAccessKeyLastUsed" => {
            "the IAM users read live, when the credential report is older than the evidence must be (not in a first scan)"
        }
        "organizations:ListAWSServiceAccessForOrganization" => {
            "delegated-admin-not-management: which services the organization uses (once, per page of 20)"
        }
        "guardduty:DescribeOrganizationConfiguration" => {
            "guardduty-organization-coverage: auto-enable, in GuardDuty's administrator (once per Region with a detector)"
        }
        "guardduty:ListMembers" => {
            "guardduty-organization-coverage: the administrator's members (per Region, per page of 50)"
        }
        "guardduty:GetMemberDetectors" => {
            "guardduty-organization-coverage: the members' protection plans (per Region, per 50 members)"
        }
        "securityhub:DescribeOrganizationConfiguration" => {
            "securityhub-central-configuration: LOCAL or CENTRAL, in Security Hub's administrator (once)"
        }
        "securityhub:ListConfigurationPolicies" => {
            "securityhub-central-configuration: the policies, in the first Region that answers (the home Region)"
        }
        "securityhub:GetConfigurationPolicy" => {
            "securityhub-central-configuration: each policy's standards (once per policy)"
        }
        "securityhub:ListConfigurationPolicyAssociations" => {
            "securityhub-central-configuration: every account's, OU's and the root's policy (per page)"
        }
        "controltower:ListLandingZones" => {
            "control-tower-landing-zone: in each Region until one lists the landing zone"
        }
        "controltower:GetLandingZone"
        | "controltower:ListEnabledControls"
        | "controltower:ListEnabledBaselines" => {
            "control-tower-landing-zone: the landing zone, its controls and baselines, in its home Region (per page)"
        }
        "s3:GetBucketLocation" | "s3:GetBucketPolicy" | "s3:GetObjectLockConfiguration" => {
            "organization-trail-log-archive: the organization trail's bucket, read by its owner (once each)"
        }
        _ => "(not a call the collect docs name: look at it)",
    }
}

fn mb(kib: i64) -> f64 {
    kib as f64 / 1024.0
}

fn verdict(pass: bool) -> &'static str {
    if pass { "pass" } else { "FAIL" }
}

fn report(sizes: &[Size], source: &str) -> String {
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    writeln!(out, "# Scan benchmark\n").unwrap();
    writeln!(
        out,
        "Written by `cargo bench --bench scan` ({cores} cores; {}; {cpu}{source}). For each size, a sandbox \
         of its own is started; every scan runs on a freshly seeded organization \
         (`seed.py seed --members N`: the management account, N members, one of them SUSPENDED), \
         {RUNS} times, in rounds of the four kinds of scan; times are the median of the {RUNS} runs.\n",
        std::env::consts::ARCH
    )
    .unwrap();
    writeln!(
        out,
        "- **max rate**: the sandbox's own maximum request rate, measured in the same run, after the \
         first seed: {RATE_REQUESTS} requests from each of {RATE_CLIENTS:?} concurrent clients of \
         posture's client factory, SDK retries off, of `sts:GetCallerIdentity` (caller's \
         credentials) and of `iam:GetAccountSummary` (a member, through its role); the highest rate \
         of these six.\n\
         - **scan**: the release binary, `posture scan --quiet --endpoint-url … --regions {REGIONS} \
         --snapshots-dir …`, default `--concurrency` ({DEFAULT_CONCURRENCY}); wall time from spawn \
         to exit, peak RSS from `wait4`'s `ru_maxrss`; its calls from the sandbox's request record.\n\
         - **floor** = calls ÷ max rate: the time the sandbox alone needs to answer the scan's calls.\n\
         - **latency**: the same scan with a fault rule adding {LATENCY_MS} ms to every call, at \
         `--concurrency` {DEFAULT_CONCURRENCY} and {OTHER_CONCURRENCY}; each compared with the scan \
         without latency at the same concurrency.\n\
         - **calls/account** = calls ÷ ACTIVE accounts (the management account included, whose \
         share holds discovery and the organization-wide reads); **per member**: the calls acting in \
         each ACTIVE member account (its `AssumeRole` counted there).\n"
    )
    .unwrap();

    writeln!(out, "## Results\n").unwrap();
    writeln!(
        out,
        "| members | ACTIVE accounts | wall s | peak RSS MB | calls | calls/account | per member: mean / max | management account | max rate req/s | floor s | wall / floor | scan's own rate req/s | wall with {LATENCY_MS} ms s | ratio | wall c={OTHER_CONCURRENCY} s | wall c={OTHER_CONCURRENCY} with {LATENCY_MS} ms s | ratio |"
    )
    .unwrap();
    writeln!(out, "|{}", "---|".repeat(17)).unwrap();
    for size in sizes {
        let calls = &size.calls;
        let members: Vec<usize> = calls
            .per_account
            .iter()
            .filter(|(id, _)| **id != calls.management)
            .map(|(_, n)| *n)
            .collect();
        let member_total: usize = members.iter().sum();
        let floor = calls.total as f64 / size.rate;
        let wall = size.plain.wall.as_secs_f64();
        writeln!(
            out,
            "| {} | {} | {:.2} | {:.1} | {} | {:.1} | {:.1} / {} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            size.members,
            size.active,
            wall,
            mb(size.plain.peak_rss_kib),
            calls.total,
            calls.total as f64 / size.active as f64,
            member_total as f64 / (size.active - 1) as f64,
            members.iter().max().copied().unwrap_or(0),
            calls.per_account.get(&calls.management).copied().unwrap_or(0),
            size.rate,
            floor,
            wall / floor,
            calls.total as f64 / wall,
            size.latency.wall.as_secs_f64(),
            size.latency.wall.as_secs_f64() / wall,
            size.other.wall.as_secs_f64(),
            size.other_latency.wall.as_secs_f64(),
            size.other_latency.wall.as_secs_f64() / size.other.wall.as_secs_f64(),
        )
        .unwrap();
    }

    writeln!(
        out,
        "\n### Right after another scan: the IAM users read live\n"
    )
    .unwrap();
    writeln!(
        out,
        "The last round's organization scanned once more at c={DEFAULT_CONCURRENCY}, with \
         `--fresh-after 2999-01-01T00:00:00Z`: no credential report is new enough, as in a scan \
         right after a change window (IAM, and the sandbox, hand out the same report for four \
         hours), so every account's IAM users are read live. **live IAM calls** are {}; \
         **per user** = `GetLoginProfile` calls (one per IAM user), **per key** = \
         `GetAccessKeyLastUsed` calls.\n",
        LIVE_IAM.map(|a| format!("`{a}`")).join(", ")
    )
    .unwrap();
    writeln!(
        out,
        "| members | exit | wall s | peak RSS MB | calls | calls/account | live IAM calls | live IAM calls/account | IAM users | access keys | calls added over the first scan |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    .unwrap();
    for size in sizes {
        let calls = &size.live_calls;
        let of = |action: &str| {
            calls
                .per_action
                .get(action)
                .map_or(0, |(management, members)| management + members)
        };
        let live: usize = LIVE_IAM.iter().map(|a| of(a)).sum();
        writeln!(
            out,
            "| {} | {} | {:.2} | {:.1} | {} | {:.1} | {live} | {:.1} | {} | {} | {:+} |",
            size.members,
            size.live.code,
            size.live.wall.as_secs_f64(),
            mb(size.live.peak_rss_kib),
            calls.total,
            calls.total as f64 / size.active as f64,
            live as f64 / size.active as f64,
            of("iam:GetLoginProfile"),
            of("iam:GetAccessKeyLastUsed"),
            calls.total as i64 - size.calls.total as i64,
        )
        .unwrap();
    }

    writeln!(
        out,
        "\n### The organization-wide reads of the landing-zone checks\n\nThe calls of the c=64 \
         scan that serve delegated-admin-not-management's trusted access, \
         guardduty-organization-coverage, securityhub-central-configuration, \
         control-tower-landing-zone and organization-trail-log-archive's bucket protection: made \
         in the management account, GuardDuty's and Security Hub's administrators and the \
         log-archive account only (\"in members\" counts those in the two administrators and the \
         log-archive account). GuardDuty's `ListMembers` and `GetMemberDetectors` take 50 \
         accounts a page, Security Hub's `ListConfigurationPolicyAssociations` lists every \
         account, OU and the root; the sandbox's GuardDuty administrator has one member.\n"
    )
    .unwrap();
    writeln!(
        out,
        "| members | action | calls | in the management account | in members |\n|---|---|---|---|---|"
    )
    .unwrap();
    for size in sizes {
        let mut total = 0;
        for (action, (management, members)) in size
            .calls
            .per_action
            .iter()
            .filter(|(action, _)| ORGANIZATION_WIDE.contains(&action.as_str()))
        {
            total += management + members;
            writeln!(
                out,
                "| {} | `{action}` | {} | {management} | {members} |",
                size.members,
                management + members
            )
            .unwrap();
        }
        writeln!(out, "| {} | **all** | **{total}** | | |", size.members).unwrap();
    }

    writeln!(out, "\n### Every scan\n").unwrap();
    writeln!(
        out,
        "\"until the first AssumeRole\": from spawn to the first member account's role, i.e. \
         process start and discovery (Organizations calls, few at a time by design).\n"
    )
    .unwrap();
    writeln!(
        out,
        "| members | scan | exit | errors in the snapshot | calls | wall s: median (all runs) | until the first AssumeRole s | peak RSS MB (highest run) |\n|---|---|---|---|---|---|---|---|"
    )
    .unwrap();
    for size in sizes {
        for (label, run) in [
            (format!("c={DEFAULT_CONCURRENCY}"), &size.plain),
            (
                format!("c={DEFAULT_CONCURRENCY}, {LATENCY_MS} ms"),
                &size.latency,
            ),
            (format!("c={OTHER_CONCURRENCY}"), &size.other),
            (
                format!("c={OTHER_CONCURRENCY}, {LATENCY_MS} ms"),
                &size.other_latency,
            ),
        ] {
            let codes: Vec<String> = run.codes.iter().map(i32::to_string).collect();
            let walls: Vec<String> = run
                .walls
                .iter()
                .map(|w| format!("{:.2}", w.as_secs_f64()))
                .collect();
            let calls = if run.calls.0 == run.calls.1 {
                run.calls.0.to_string()
            } else {
                format!("{}–{}", run.calls.0, run.calls.1)
            };
            writeln!(
                out,
                "| {} | {label} | {} | {} | {calls} | {:.2} ({}) | {:.2} | {:.1} |",
                size.members,
                codes.join(", "),
                run.errors,
                run.wall.as_secs_f64(),
                walls.join(", "),
                run.discovery.as_secs_f64(),
                mb(run.peak_rss_kib)
            )
            .unwrap();
        }
    }
    writeln!(out).unwrap();
    for size in sizes {
        writeln!(
            out,
            "- {} members: {} account(s) not ACTIVE, {} calls made in them.",
            size.members, size.inactive, size.calls.in_inactive
        )
        .unwrap();
    }

    writeln!(out, "\n### The sandbox's request rate\n").unwrap();
    writeln!(
        out,
        "| members | operation | clients | requests/s | failed |\n|---|---|---|---|---|"
    )
    .unwrap();
    for size in sizes {
        for rate in &size.rates {
            writeln!(
                out,
                "| {} | {} | {} | {:.0} | {} |",
                size.members, rate.operation, rate.clients, rate.rate, rate.failed
            )
            .unwrap();
        }
    }

    let Some(largest) = sizes.last() else {
        return out;
    };
    let member_count = largest.active - 1;
    writeln!(
        out,
        "\n## Calls by action, {} members ({} ACTIVE member accounts)\n",
        largest.members, member_count
    )
    .unwrap();
    writeln!(
        out,
        "\"needed\" is what the checks need in each ACTIVE member account, from the seeder's \
         description of it: one `AssumeRole` and one `GetCallerIdentity` (the access check); the \
         credential report (2 `GenerateCredentialReport`, since the sandbox keeps no report and \
         answers STARTED first, where AWS keeps one for four hours; 1 Get); 1 \
         `GetAccountSummary`; `DescribeTrails` and `ListAnalyzers` once per Region; status and \
         selectors of each own trail; one `ListFindings` page per own analyzer.\n"
    )
    .unwrap();
    writeln!(
        out,
        "| action | calls | management account | member accounts | per member (mean) | needed per member (mean) | why |\n|---|---|---|---|---|---|---|"
    )
    .unwrap();
    let calls = &largest.calls;
    for (action, (management, members)) in &calls.per_action {
        let needed = calls.needed.get(action).copied().unwrap_or(0);
        writeln!(
            out,
            "| `{action}` | {} | {management} | {members} | {:.2} | {:.2} | {} |",
            management + members,
            *members as f64 / member_count as f64,
            needed as f64 / member_count as f64,
            why(action)
        )
        .unwrap();
    }
    let excess_accounts = calls.excess.len();
    let mut excess_actions: BTreeMap<&str, usize> = BTreeMap::new();
    for over in calls.excess.values() {
        for (action, n) in over {
            *excess_actions.entry(action).or_insert(0) += n;
        }
    }
    writeln!(out).unwrap();
    if excess_accounts == 0 {
        writeln!(
            out,
            "No member account had a call beyond what its checks need."
        )
        .unwrap();
    } else {
        writeln!(
            out,
            "{excess_accounts} member accounts had calls beyond the need: {}.",
            excess_actions
                .iter()
                .map(|(action, n)| format!("`{action}` +{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
        .unwrap();
    }

    writeln!(
        out,
        "\n## Where the time goes with {LATENCY_MS} ms per call, {} members\n",
        largest.members
    )
    .unwrap();
    writeln!(
        out,
        "Before the first member account's role is assumed, discovery makes {} calls, few at a \
         time (Organizations throttles the management account), each {LATENCY_MS} ms longer here: \
         the first column. Collection then has at most `--concurrency` calls in flight, so it \
         needs at least calls × {LATENCY_MS} ms ÷ concurrency, and never less than it takes \
         without latency.\n",
        calls.before_first_role
    )
    .unwrap();
    writeln!(
        out,
        "| concurrency | until the first AssumeRole, with / without latency | calls × {LATENCY_MS} ms ÷ concurrency | collection without latency | expected: discovery + the larger of the two | measured | without latency | ratio |\n|---|---|---|---|---|---|---|---|"
    )
    .unwrap();
    for (concurrency, plain, latency) in [
        (DEFAULT_CONCURRENCY, &largest.plain, &largest.latency),
        (OTHER_CONCURRENCY, &largest.other, &largest.other_latency),
    ] {
        let in_flight = calls.total as f64 * LATENCY_MS as f64 / 1000.0 / concurrency as f64;
        let collection = (plain.wall - plain.discovery).as_secs_f64();
        let expected = latency.discovery.as_secs_f64() + in_flight.max(collection);
        writeln!(
            out,
            "| {concurrency} | {:.2} s / {:.2} s | {in_flight:.2} s | {collection:.2} s | {expected:.2} s | {:.2} s | {:.2} s | {:.2} |",
            latency.discovery.as_secs_f64(),
            plain.discovery.as_secs_f64(),
            latency.wall.as_secs_f64(),
            plain.wall.as_secs_f64(),
            latency.wall.as_secs_f64() / plain.wall.as_secs_f64(),
        )
        .unwrap();
    }

    writeln!(out, "\n## Targets\n").unwrap();
    writeln!(out, "| target | measured | result |\n|---|---|---|").unwrap();
    writeln!(
        out,
        "| {} members: calls per member account no more than the checks need | {excess_accounts} of {member_count} accounts over the need | {} |",
        largest.members,
        verdict(excess_accounts == 0)
    )
    .unwrap();
    let wall = largest.plain.wall.as_secs_f64();
    let floor = calls.total as f64 / largest.rate;
    writeln!(
        out,
        "| {} members: wall ≤ 1.3 × floor | {wall:.2} s / {floor:.2} s = {:.2} | {} |",
        largest.members,
        wall / floor,
        verdict(wall / floor <= 1.3)
    )
    .unwrap();
    for (concurrency, plain, latency) in [
        (DEFAULT_CONCURRENCY, &largest.plain, &largest.latency),
        (OTHER_CONCURRENCY, &largest.other, &largest.other_latency),
    ] {
        let ratio = latency.wall.as_secs_f64() / plain.wall.as_secs_f64();
        writeln!(
            out,
            "| {} members, `--concurrency {concurrency}`: wall with {LATENCY_MS} ms ≤ 1.5 × without | {:.2} s / {:.2} s = {ratio:.2} | {} |",
            largest.members,
            latency.wall.as_secs_f64(),
            plain.wall.as_secs_f64(),
            verdict(ratio <= 1.5)
        )
        .unwrap();
    }
    let peak = [
        &largest.plain,
        &largest.latency,
        &largest.other,
        &largest.other_latency,
    ]
    .iter()
    .map(|r| r.peak_rss_kib)
    .max()
    .unwrap_or(0);
    writeln!(
        out,
        "| {} members: peak RSS < 100 MB (highest of all its runs) | {:.1} MB | {} |",
        largest.members,
        mb(peak),
        verdict(mb(peak) < 100.0)
    )
    .unwrap();
    let at = |members: u32| sizes.iter().find(|s| s.members == members);
    if let (Some(small), Some(mid), Some(large)) = (at(10), at(50), at(200)) {
        let slope = |a: &Size, b: &Size| {
            (mb(b.plain.peak_rss_kib) - mb(a.plain.peak_rss_kib))
                / (b.active as f64 - a.active as f64)
        };
        let per_account = |s: &Size| mb(s.plain.peak_rss_kib) / s.active as f64;
        writeln!(
            out,
            "| peak RSS (`--concurrency {DEFAULT_CONCURRENCY}`) grows no faster than linearly: RSS per account at 200 ≤ at 50 | {:.3} MB per account at 200, {:.3} at 50; growth {:.3} MB per added account from 50 to 200 ({:.3} from 10 to 50) | {} |",
            per_account(large),
            per_account(mid),
            slope(mid, large),
            slope(small, mid),
            verdict(per_account(large) <= per_account(mid))
        )
        .unwrap();
    }
    out
}
