//! The snapshot store as evidence: the committed v1 fixture reads forever, `verify` names any
//! file that was altered, removed or reordered, bad files get one line naming them, and a write
//! killed at any moment leaves the store as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use sha2::Digest as _;

use posture::diff::{ChangeKind, diff};
use posture::evaluate::{catalog, evaluate};
use posture::finding::{Finding, Status};
use posture::snapshot::{
    ChainProblem, CheckRecord, Snapshot, Store, read_snapshot, read_snapshot_summary, verify_store,
};

use crate::support::{Mounted, state_dir, tmpfs};
use crate::synthetic;

/// A fresh, empty directory for one test.
fn fresh(name: &str) -> PathBuf {
    let dir = state_dir(&format!("snapshots-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create");
    dir
}

/// A store holding a copy of the v1 fixture (two chained scans).
fn fixture_store(name: &str) -> PathBuf {
    let dir = fresh(name);
    for entry in std::fs::read_dir(synthetic::fixture_dir()).expect("fixture") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

/// The fixture's two scans written again, in order, into a fresh store as if the current
/// catalogue had made them (their facts and findings unchanged): for what depends on the catalogue
/// being the one of the scan.
fn current_catalogue_store(name: &str) -> PathBuf {
    let dir = fresh(name);
    let store = Store::new(&dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(synthetic::fixture_dir())
        .expect("fixture")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let mut snapshot = read_snapshot(&path).expect("the fixture reads");
        snapshot.scan.catalogue_version = posture::evaluate::catalogue_version().to_owned();
        store.write(&mut snapshot, None).expect("write");
    }
    dir
}

/// Overwrites a snapshot file, which the store leaves read-only.
fn overwrite(path: &Path, bytes: &[u8]) {
    let mut permissions = std::fs::metadata(path).expect("stat").permissions();
    #[expect(
        clippy::permissions_set_readonly_false,
        reason = "a test tampering with its own scratch copy"
    )]
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions).expect("chmod");
    std::fs::write(path, bytes).expect("write");
}

fn posture(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .output()
        .expect("run posture");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_v1_fixture_reads_forever_and_diffs_to_the_change_step() {
    let store = Store::new(synthetic::fixture_dir());
    let files = store.list().expect("list");
    assert_eq!(files.len(), 2);
    let before = read_snapshot(&files[0].path).expect("v1 reads");
    assert_eq!(before.schema_version, 1);
    assert_eq!(before.accounts.len(), 9);
    assert_eq!(before.scan.scope.regions, ["us-east-1", "eu-west-1"]);
    assert_eq!(before.facts.accounts.len(), 8, "one account is SUSPENDED");
    assert!(before.findings.iter().any(|f| f.check == "root-mfa"));
    assert!(before.accounts.iter().all(|a| a.email.is_none()));
    // Written before snapshots recorded their thresholds: judged with, and read as, the defaults.
    assert_eq!(
        before.scan.thresholds,
        posture::evaluate::Thresholds::default()
    );

    let verification = verify_store(&store, |_| {}).expect("verify");
    assert!(verification.intact(), "{:?}", verification.problems);
    let same = read_snapshot_summary(&files[1].path).expect("read");
    assert!(
        diff(&same, &same).is_empty(),
        "a snapshot differs from itself"
    );

    let changes = diff(
        &read_snapshot_summary(&files[0].path).expect("read"),
        &read_snapshot_summary(&files[1].path).expect("read"),
    );
    let counted: BTreeMap<ChangeKind, usize> = changes
        .summary
        .total
        .iter()
        .filter(|(kind, n)| {
            **n > 0 && !matches!(kind, ChangeKind::StillFailing | ChangeKind::StillUnknown)
        })
        .map(|(kind, n)| (*kind, *n))
        .collect();
    assert_eq!(
        counted,
        BTreeMap::from([(ChangeKind::Regressed, 1), (ChangeKind::Resolved, 2)])
    );
}

#[test]
fn stored_snapshots_hold_no_full_access_key_id() {
    let dir = fresh("redacted");
    let mut snapshot = synthetic::fixture_before();
    snapshot.findings[0].reason = "line one\nAKIAIOSFODNN7EXAMPLE is active".into();
    snapshot.findings[0]
        .evidence
        .insert("access key id".into(), "ASIAY34FZKBOKMUTVV7A".into());
    let path = Store::new(&dir).write(&mut snapshot, None).expect("write");
    let text = String::from_utf8(std::fs::read(&path).expect("read")).expect("utf-8");
    assert!(!text.contains("AKIAIOSFODNN7EXAMPLE") && !text.contains("ASIAY34FZKBOKMUTVV7A"));
    let back = read_snapshot(&path).expect("reads");
    assert_eq!(back.findings[0].reason, "line one\n****MPLE is active");
    assert_eq!(back.findings[0].evidence["access key id"], "****VV7A");
}

/// A store of three chained snapshots: the fixture's two and a large (compressed) one.
fn store_with_large_snapshot(name: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = fixture_store(name);
    let mut large = synthetic::snapshot(200, 5, 2, 0);
    let path = Store::new(&dir).write(&mut large, None).expect("write");
    assert!(
        path.to_string_lossy().ends_with(".json.gz"),
        "{path:?} is compressed"
    );
    let files = Store::new(&dir)
        .list()
        .expect("list")
        .into_iter()
        .map(|s| s.path)
        .collect();
    (dir, files)
}

#[test]
fn large_snapshots_are_compressed_and_read_back_the_same() {
    let dir = fresh("compressed");
    let mut large = synthetic::snapshot(200, 5, 2, 0);
    let path = Store::new(&dir).write(&mut large, None).expect("write");
    let on_disk = std::fs::metadata(&path).expect("stat").len();
    let content = posture::snapshot::read_snapshot_bytes(&path)
        .expect("read")
        .len() as u64;
    assert!(content >= 1024 * 1024, "{content} bytes of content");
    assert!(
        on_disk * 4 < content,
        "{on_disk} bytes on disk for {content}"
    );
    assert_eq!(read_snapshot(&path).expect("read"), large);
}

#[test]
fn a_flipped_byte_anywhere_in_any_snapshot_makes_verify_name_that_file() {
    let (dir, files) = store_with_large_snapshot("flip");
    let store = Store::new(&dir);
    assert!(verify_store(&store, |_| {}).expect("verify").intact());
    for path in &files {
        let original = std::fs::read(path).expect("read");
        let len = original.len();
        // The first and last bytes, the header with the content hash, the gzip header and
        // trailer, and a spread through the middle.
        let mut positions: Vec<usize> = vec![0, 1, 5, 9, 60, 100, 150, len / 2, len - 9, len - 1];
        positions.extend((1..40).map(|i| i * len / 40));
        for position in positions {
            let mut flipped = original.clone();
            flipped[position] ^= 0xff;
            overwrite(path, &flipped);
            let verification = verify_store(&store, |_| {}).expect("verify");
            let name = path.file_name().expect("name").to_string_lossy();
            let first = verification.problems.first().unwrap_or_else(|| {
                panic!("a flipped byte {position} of {name} ({len} bytes) went unnoticed")
            });
            assert!(
                first.to_string().starts_with(&*name),
                "byte {position} of {name}: the first problem is {first}"
            );
        }
        overwrite(path, &original);
    }
    assert!(verify_store(&store, |_| {}).expect("verify").intact());
}

#[test]
fn a_changed_digit_of_a_recorded_hash_names_that_file_only() {
    let (dir, files) = store_with_large_snapshot("hash-digit");
    let text = std::fs::read_to_string(&files[0]).expect("utf-8");
    let start = "{\"format\":\"posture-snapshot\",\"schema_version\":1,\"integrity\":{\"content_sha256\":\"".len();
    let mut bytes = text.into_bytes();
    bytes[start] = if bytes[start] == b'0' { b'1' } else { b'0' };
    overwrite(&files[0], &bytes);
    let verification = verify_store(&Store::new(&dir), |_| {}).expect("verify");
    assert_eq!(
        verification.problems.len(),
        1,
        "{:?}",
        verification.problems
    );
    let name = files[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        matches!(&verification.problems[0], ChainProblem::Unreadable { file, reason } if *file == name && reason.contains("altered")),
        "{:?}",
        verification.problems
    );
}

#[test]
fn verify_names_a_removed_and_a_reordered_snapshot() {
    let (dir, files) = store_with_large_snapshot("chain");
    let store = Store::new(&dir);
    let name = |p: &Path| p.file_name().expect("name").to_string_lossy().into_owned();

    // The middle one removed: the next one says which snapshot is missing.
    let middle = std::fs::read(&files[1]).expect("read");
    std::fs::remove_file(&files[1]).expect("remove");
    let verification = verify_store(&store, |_| {}).expect("verify");
    assert_eq!(
        verification.problems,
        [ChainProblem::Missing {
            file: name(&files[2]),
            previous: name(&files[1]),
        }]
    );
    std::fs::write(&files[1], middle).expect("restore");

    // The first two swapped by renaming.
    let tmp = dir.join("swap.tmp");
    std::fs::rename(&files[0], &tmp).expect("rename");
    std::fs::rename(&files[1], &files[0]).expect("rename");
    std::fs::rename(&tmp, &files[1]).expect("rename");
    let verification = verify_store(&store, |_| {}).expect("verify");
    let first = verification.problems.first().expect("a problem");
    assert!(
        matches!(first, ChainProblem::Renamed { file, .. } if *file == name(&files[0])),
        "{first}"
    );
    let (code, stdout, _) = posture(&["verify", "--snapshots-dir", &dir.to_string_lossy()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("first: {}: renamed or reordered", name(&files[0]))),
        "{stdout}"
    );

    // Swapped back: intact again, and the newest hash can be checked against one kept elsewhere.
    std::fs::rename(&files[0], &tmp).expect("rename");
    std::fs::rename(&files[1], &files[0]).expect("rename");
    std::fs::rename(&tmp, &files[1]).expect("rename");
    let verification = verify_store(&store, |_| {}).expect("verify");
    let kept = verification.head().expect("a head").1.to_owned();
    let dir_arg = dir.to_string_lossy();
    let (code, stdout, _) = posture(&["verify", "--snapshots-dir", &dir_arg, "--expect", &kept]);
    assert_eq!(code, 0, "{stdout}");
    let (code, _, stderr) = posture(&[
        "verify",
        "--snapshots-dir",
        &dir_arg,
        "--expect",
        &kept[..16],
    ]);
    assert_eq!(code, 2, "a prefix is refused: {stderr}");
    // The newest removed: the chain alone cannot tell, the kept hash can.
    let newest_bytes = std::fs::read(&files[2]).expect("read");
    std::fs::remove_file(&files[2]).expect("remove");
    assert_eq!(posture(&["verify", "--snapshots-dir", &dir_arg]).0, 0);
    let (code, stdout, _) = posture(&["verify", "--snapshots-dir", &dir_arg, "--expect", &kept]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("no snapshot in the store has content hash {kept}")),
        "{stdout}"
    );
    // A single file on its own, against its own hash.
    let loose = dir.join("attached-to-a-ticket.json.gz");
    std::fs::write(&loose, &newest_bytes).expect("write");
    let (code, stdout, _) = posture(&["verify", &loose.to_string_lossy()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains(&kept), "{stdout}");
}

#[test]
fn bad_snapshot_files_get_one_line_naming_the_file_and_the_problem() {
    let dir = fresh("bad");
    let good = synthetic::fixture_dir().join(
        Store::new(synthetic::fixture_dir()).list().expect("list")[0]
            .name
            .clone(),
    );
    let original = std::fs::read(&good).expect("read");
    let text = String::from_utf8(original.clone()).expect("utf-8");
    // Intact and of a newer schema: sealed by the rule every version keeps.
    let mut future = text
        .replacen("\"schema_version\":1,", "\"schema_version\":2,", 1)
        .into_bytes();
    reseal(&mut future);
    let mut altered = text.replacen("\"status\":\"FAIL\"", "\"status\":\"PASS\"", 1);
    assert_ne!(altered, text);
    altered.push('\n');
    let (_, large_files) = store_with_large_snapshot("bad-large");
    let large = std::fs::read(&large_files[2]).expect("read");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.json", vec![], "truncated"),
        (
            "truncated.json",
            original[..original.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "truncated.json.gz",
            large[..large.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "corrupted.json",
            text.replacen("\"findings\":[", "\"findings\":[[[", 1)
                .into_bytes(),
            "corrupted",
        ),
        (
            "altered.json",
            altered.into_bytes(),
            "altered after it was written",
        ),
        (
            "foreign.json",
            b"{\"hello\": \"world\"}".to_vec(),
            "not a posture snapshot",
        ),
        (
            "foreign.csv",
            b"id,name\n1,a\n".to_vec(),
            "not a posture snapshot",
        ),
        ("future.json", future, "newer than this posture reads"),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        let (code, _, stderr) =
            posture(&["diff", &path.to_string_lossy(), &good.to_string_lossy()]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.contains(&*path.to_string_lossy()),
            "{name}: {stderr}"
        );
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let (code, _, stderr) = posture(&["diff", "no-such-snapshot", &good.to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no snapshot \"no-such-snapshot\""),
        "{stderr}"
    );
}

#[test]
fn diff_refuses_two_organizations_unless_forced() {
    let dir = fixture_store("two-orgs");
    let files = Store::new(&dir).list().expect("list");
    let mut other = read_snapshot(&files[1].path).expect("read");
    other.scan.organization_id = "o-someoneelse".into();
    let other_dir = fresh("two-orgs-other");
    let other_path = Store::new(&other_dir)
        .write(&mut other, None)
        .expect("write");
    let (old, new) = (
        files[0].path.to_string_lossy(),
        other_path.to_string_lossy(),
    );
    let (code, _, stderr) = posture(&["diff", &old, &new]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("o-someoneelse") && stderr.contains("--force"),
        "{stderr}"
    );
    let (code, stdout, stderr) = posture(&["diff", &old, &new, "--force"]);
    assert_eq!(code, 1, "the change step has a regression: {stderr}");
    assert!(stdout.contains("compared with --force"), "{stdout}");
}

#[test]
fn diff_exits_by_the_severity_of_regressions_and_prints_every_format() {
    let dir = fixture_store("exit");
    let dir = dir.to_string_lossy();
    let base = ["diff", "--snapshots-dir", &dir];
    let run = |extra: &[&str]| posture(&[&base[..], extra].concat());
    // The regression is an active access key: medium.
    assert_eq!(run(&[]).0, 1);
    assert_eq!(run(&["--fail-on", "medium"]).0, 1);
    assert_eq!(run(&["--fail-on", "high"]).0, 0);
    assert_eq!(run(&["--fail-on", "never"]).0, 0);
    assert_eq!(run(&["--fail-on", "HIGH"]).0, 0, "severities in any case");
    let (_, json, _) = run(&["--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["gate"]["regressions"], 1);
    assert_eq!(json["gate"]["fails"], true);
    assert_eq!(json["summary"]["total"]["regressed"], 1);
    assert_eq!(
        json["summary"]["total"]["newly_unknown"], 0,
        "zeros are there too"
    );
    assert_eq!(json["summary"]["total"]["resolved"], 2);
    assert_eq!(json["findings"][0]["kind"], "regressed");
    assert_eq!(
        json["findings"][0]["causes"][0]["cause"],
        "resource_changed"
    );
    let (_, markdown, _) = run(&["--markdown"]);
    assert!(markdown.starts_with("## posture diff: "), "{markdown}");
    assert!(markdown.contains("### Regressed (1)"), "{markdown}");
    assert!(markdown.contains("hotfix-deployer"), "{markdown}");
    let (_, table, _) = run(&[]);
    assert!(table.contains("1 regressed, 2 resolved"), "{table}");
}

#[test]
fn a_check_added_since_the_scan_is_error_in_a_reevaluation_never_pass() {
    // The fixture's scans predate `scp-guardrails`: they never read the organization's policies.
    let dir = fixture_store("reevaluate-new-check");
    let store = Store::new(&dir);
    let files = store.list().expect("list");
    let dir_arg = dir.to_string_lossy();
    let (code, stdout, stderr) = posture(&[
        "reevaluate",
        &files[1].name,
        "--snapshots-dir",
        &dir_arg,
        "--checks",
        "scp-guardrails,root-mfa",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("not evaluated: ")
            && stdout.contains(" access-analyzer-enabled,")
            && stdout.contains("`--checks all`"),
        "the checks left out are named: {stdout}"
    );
    let now = store.list().expect("list");
    let reevaluated = read_snapshot(&now[2].path).expect("read");
    let source = read_snapshot(&files[1].path).expect("read");
    assert_eq!(
        reevaluated.scan.scope.checks,
        ["root-mfa", "scp-guardrails"]
    );
    let of = |snapshot: &Snapshot, check: &str| -> Vec<Finding> {
        snapshot
            .findings
            .iter()
            .filter(|f| f.check == check)
            .cloned()
            .collect()
    };
    let guardrails = of(&reevaluated, "scp-guardrails");
    let management = &source.scan.management_account_id;
    assert!(guardrails.len() >= 5, "{guardrails:?}");
    for finding in &guardrails {
        // The management account and a suspended one are SKIPPED, as in any scan.
        if finding.account == management.as_str() || finding.reason.contains("SUSPENDED") {
            assert_eq!(finding.status, Status::Skipped, "{finding:?}");
        } else {
            assert_eq!(finding.status, Status::Error, "{finding:?}");
            assert!(
                finding.reason.contains("policies were not read"),
                "{}",
                finding.reason
            );
        }
    }
    // The check the scan did run is judged from its facts as before.
    assert_eq!(of(&reevaluated, "root-mfa"), of(&source, "root-mfa"));
    // An id the catalogue lacks is refused in a line that lists the ones it has.
    let (code, _, stderr) = posture(&[
        "reevaluate",
        &files[1].name,
        "--snapshots-dir",
        &dir_arg,
        "--checks",
        "scp-guardrail",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no check \"scp-guardrail\"") && stderr.contains("`all`"),
        "{stderr}"
    );
}

#[test]
fn the_landing_zone_checks_in_a_reevaluation_of_a_snapshot_from_before_them_are_error() {
    // The fixture's scans predate these checks: they never read IAM Identity Center, EC2's
    // account settings or the management account's compute.
    let dir = fixture_store("reevaluate-landing-zone-checks");
    let store = Store::new(&dir);
    let files = store.list().expect("list");
    let (code, _, stderr) = posture(&[
        "reevaluate",
        &files[1].name,
        "--snapshots-dir",
        &dir.to_string_lossy(),
        "--checks",
        "identity-center,ec2-declarative-policy,management-account-no-workloads",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let reevaluated = read_snapshot(&store.list().expect("list")[2].path).expect("read");
    for (check, unread) in [
        ("identity-center", "IAM Identity Center was not read"),
        (
            "ec2-declarative-policy",
            "EC2 account configuration was not read in",
        ),
        (
            "management-account-no-workloads",
            "the management account's workloads were not read in",
        ),
    ] {
        let judged: Vec<&Finding> = reevaluated
            .findings
            .iter()
            .filter(|f| f.check == check)
            .collect();
        assert!(!judged.is_empty(), "{check}: no findings");
        for finding in judged {
            // A suspended account is SKIPPED, as in any scan; every other one, the management
            // account too, is ERROR.
            if finding.reason.contains("SUSPENDED") {
                assert_eq!(finding.status, Status::Skipped, "{finding:?}");
            } else {
                assert_eq!(finding.status, Status::Error, "{finding:?}");
                assert!(
                    finding.reason.contains(unread),
                    "{check}: {}",
                    finding.reason
                );
            }
        }
    }
}

#[test]
fn reevaluation_writes_a_new_marked_snapshot_and_keeps_the_original() {
    let dir = current_catalogue_store("reevaluate");
    let store = Store::new(&dir);
    let files = store.list().expect("list");
    let original = std::fs::read(&files[1].path).expect("read");
    let dir_arg = dir.to_string_lossy();
    // The catalogue has not changed since the scan: nothing could change, so it refuses.
    let (code, _, stderr) = posture(&["reevaluate", &files[1].name, "--snapshots-dir", &dir_arg]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("would change nothing"), "{stderr}");
    let (code, stdout, stderr) = posture(&[
        "reevaluate",
        &files[1].name,
        "--snapshots-dir",
        &dir_arg,
        "--force",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("re-evaluated the facts of"), "{stdout}");
    assert_eq!(std::fs::read(&files[1].path).expect("read"), original);
    let now = store.list().expect("list");
    assert_eq!(now.len(), 3);
    assert!(now[2].name.contains("-reevaluated."), "{}", now[2].name);
    let source = read_snapshot(&files[1].path).expect("read");
    let reevaluated = read_snapshot(&now[2].path).expect("read");
    let marked = reevaluated.reevaluation.as_ref().expect("marked");
    assert_eq!(marked.source_file, files[1].name);
    assert_eq!(marked.source_sha256, source.integrity.content_sha256);
    // The same facts and checks give the same verdicts, as of the scan's time: every check
    // whose logic is the one the scan ran. A check whose logic changed since (its
    // logic_version) decides anew, and still judges every cell it judged.
    let changed: BTreeSet<&str> = source
        .checks
        .iter()
        .filter(|recorded| {
            posture::evaluate::catalog()
                .iter()
                .find(|c| c.id == recorded.id)
                .is_some_and(|c| c.logic_version != recorded.logic_version)
        })
        .map(|c| c.id.as_str())
        .collect();
    let same_logic = |findings: &[posture::finding::Finding]| -> Vec<posture::finding::Finding> {
        findings
            .iter()
            .filter(|f| !changed.contains(f.check.as_str()))
            .cloned()
            .collect()
    };
    assert_eq!(
        same_logic(&reevaluated.findings),
        same_logic(&source.findings)
    );
    for check in &changed {
        let cells = |findings: &[posture::finding::Finding]| -> BTreeSet<String> {
            findings
                .iter()
                .filter(|f| f.check == *check)
                .map(|f| f.resource.to_string())
                .collect()
        };
        assert!(
            cells(&source.findings).is_subset(&cells(&reevaluated.findings)),
            "{check}"
        );
    }
    assert_eq!(reevaluated.facts, source.facts);
    assert!(verify_store(&store, |_| {}).expect("verify").intact());
    // The prefix given matches one snapshot only; an ambiguous one is refused, and says so.
    let (code, _, stderr) =
        posture(&["reevaluate", "2026", "--snapshots-dir", &dir_arg, "--force"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("\"2026\" is ambiguous"), "{stderr}");
    // The default diff compares the re-evaluation with its source, not with another scan.
    let (code, stdout, stderr) = posture(&["diff", "--snapshots-dir", &dir_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("old: {}", files[1].name)),
        "{stdout}"
    );
    assert!(stdout.contains("0 regressed, 0 resolved"), "{stdout}");
    // A scan after it is compared with the scan before it, not with the re-evaluation.
    let mut later = read_snapshot(&files[1].path).expect("read");
    later.scan.started_at = "2099-01-01T00:00:00.000Z".into();
    store.write(&mut later, None).expect("write");
    let (_, stdout, _) = posture(&["diff", "--snapshots-dir", &dir_arg]);
    assert!(
        stdout.contains(&format!("old: {}", files[1].name)),
        "{stdout}"
    );
    // Named the wrong way round in time, it refuses to run backwards.
    let (code, _, stderr) = posture(&[
        "diff",
        &files[1].name,
        &files[0].name,
        "--snapshots-dir",
        &dir_arg,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("backwards in time"), "{stderr}");
    // The newest alone is no comparison.
    let newest = store.list().expect("list").pop().expect("newest").name;
    let (code, _, stderr) = posture(&["diff", &newest, "--snapshots-dir", &dir_arg]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is the newest"), "{stderr}");
}

#[test]
fn a_write_killed_at_any_moment_leaves_the_store_as_it_was() {
    let dir = fixture_store("killed");
    let store = Store::new(&dir);
    // A large scan of real checks over synthetic facts, so that a re-evaluation takes a while
    // to write.
    let mut large: Snapshot = synthetic::snapshot(400, 1, 1, 0);
    large.checks = catalog().iter().map(CheckRecord::from).collect();
    large.scan.scope.checks = large.checks.iter().map(|c| c.id.clone()).collect();
    large.findings = evaluate(
        &large.facts,
        &large.scan.finished_at,
        &Default::default(),
        &Default::default(),
        |_| true,
    );
    store.write(&mut large, None).expect("write");
    let source = store.list().expect("list").pop().expect("the large one");

    let fingerprint = |store: &Store| -> BTreeMap<String, Vec<u8>> {
        store
            .list()
            .expect("list")
            .into_iter()
            .map(|s| (s.name, std::fs::read(&s.path).expect("read")))
            .collect()
    };
    let reevaluate = || {
        Command::new(env!("CARGO_BIN_EXE_posture"))
            .args(["reevaluate", &source.name, "--force", "--snapshots-dir"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    // How long one whole re-evaluation takes here.
    let started = Instant::now();
    assert!(reevaluate().wait().expect("wait").success());
    let whole = started.elapsed();
    let mut before = fingerprint(&store);

    let mut killed_mid_write = 0;
    // Kills spread over the whole run, 1/25th apart: the write is a small part of it (the rest
    // is reading and evaluating), so fewer steps can miss it on a busy machine.
    for step in 1..=24u32 {
        let mut child = reevaluate();
        std::thread::sleep(whole * step / 25);
        // Look for the temporary file just before the kill: if it is there, the kill lands
        // while the snapshot is being written.
        let writing = std::fs::read_dir(&dir).expect("list").any(|e| {
            e.expect("entry")
                .file_name()
                .to_string_lossy()
                .contains(".tmp-")
        });
        child.kill().expect("kill");
        child.wait().expect("wait");
        let after = fingerprint(&store);
        for (name, bytes) in &before {
            assert_eq!(
                after.get(name),
                Some(bytes),
                "step {step}: {name} changed or went"
            );
        }
        assert!(after.len() <= before.len() + 1, "step {step}");
        let verification = verify_store(&store, |_| {}).expect("verify");
        assert!(
            verification.intact(),
            "step {step}: {:?}",
            verification.problems
        );
        if writing && after.len() == before.len() {
            killed_mid_write += 1;
        }
        before = after;
    }
    assert!(
        killed_mid_write > 0,
        "no kill landed mid-write (one write takes {whole:?}); the test proves nothing"
    );
    // The next write removes what the killed ones left behind.
    assert!(reevaluate().wait().expect("wait").success());
    let listing = store.listing().expect("list");
    assert!(listing.temporary.is_empty(), "{:?}", listing.temporary);
}

/// Recomputes a plain snapshot's content hash the way `snapshots/README.md` documents it: what
/// a forger with the format at hand can do.
fn reseal(bytes: &mut [u8]) {
    let key = b"\"content_sha256\":\"";
    let at = bytes
        .windows(key.len())
        .position(|w| w == key)
        .expect("a content hash")
        + key.len();
    bytes[at..at + 64].copy_from_slice(&[b'0'; 64]);
    let digest = sha2::Sha256::digest(&*bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    bytes[at..at + 64].copy_from_slice(hex.as_bytes());
}

/// Three small chained snapshots, a few milliseconds apart.
fn three_snapshots(name: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = fresh(name);
    let store = Store::new(&dir);
    let paths = (0..3)
        .map(|_| {
            let mut snapshot = synthetic::fixture_before();
            let path = store.write(&mut snapshot, None).expect("write");
            std::thread::sleep(std::time::Duration::from_millis(5));
            path
        })
        .collect();
    (dir, paths)
}

#[test]
fn a_forged_snapshot_slipped_between_two_is_named_itself() {
    let (dir, paths) = three_snapshots("forged");
    let name = |p: &Path| p.file_name().expect("name").to_string_lossy().into_owned();
    let (b, c) = (name(&paths[1]), name(&paths[2]));
    // C's content follows B: give it a name between B and C, pass a failure, seal it again.
    let stamp: jiff::Timestamp = format!("{}:{}:{}", &b[..13], &b[14..16], &b[17..24])
        .parse()
        .expect("time");
    let forged = format!(
        "{}.json",
        (stamp + jiff::SignedDuration::from_millis(1)).strftime("%Y-%m-%dT%H-%M-%S%.3fZ")
    );
    assert!(forged > b && forged < c, "{forged}");
    let text = std::fs::read_to_string(&paths[2])
        .expect("read")
        .replacen(&c, &forged, 1)
        .replacen("\"status\":\"FAIL\"", "\"status\":\"PASS\"", 1);
    let mut bytes = text.into_bytes();
    reseal(&mut bytes);
    std::fs::write(dir.join(&forged), bytes).expect("write");
    let verification = verify_store(&Store::new(&dir), |_| {}).expect("verify");
    let first = verification.problems.first().expect("a problem");
    assert!(
        matches!(first, ChainProblem::Inserted { file, displaced, .. } if *file == forged && *displaced == c),
        "{first}"
    );
}

#[test]
fn a_snapshot_linked_only_by_name_cannot_be_removed_unnoticed() {
    let dir = fresh("name-link");
    let store = Store::new(&dir);
    let mut a = synthetic::fixture_before();
    let a_path = store.write(&mut a, None).expect("write");
    // A's header damaged before the next scan: B can only name it.
    let mut bytes = std::fs::read(&a_path).expect("read");
    bytes[2] = b'X';
    overwrite(&a_path, &bytes);
    let mut b = synthetic::fixture_before();
    store.write(&mut b, None).expect("write");
    assert_eq!(b.integrity.previous_sha256, None);
    std::fs::remove_file(&a_path).expect("remove");
    let verification = verify_store(&store, |_| {}).expect("verify");
    assert!(
        matches!(
            verification.problems.as_slice(),
            [ChainProblem::Missing { .. }]
        ),
        "{:?}",
        verification.problems
    );
}

#[test]
fn a_changed_schema_version_digit_is_tampering_not_a_newer_version() {
    let (dir, paths) = three_snapshots("schema-digit");
    let mut bytes = std::fs::read(&paths[0]).expect("read");
    let key = b"\"schema_version\":";
    let at = bytes
        .windows(key.len())
        .position(|w| w == key)
        .expect("version")
        + key.len();
    bytes[at] = b'9';
    overwrite(&paths[0], &bytes);
    let mut last = std::fs::read(&paths[2]).expect("read");
    last.truncate(last.len() - 10);
    overwrite(&paths[2], &last);
    let (code, stdout, stderr) = posture(&["verify", "--snapshots-dir", &dir.to_string_lossy()]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let name = |p: &Path| p.file_name().expect("name").to_string_lossy().into_owned();
    assert!(
        stdout.contains(&format!("first: {}: altered", name(&paths[0]))),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{}: truncated", name(&paths[2]))),
        "{stdout}"
    );
}

#[test]
fn anything_after_the_compressed_content_is_corruption() {
    let dir = fresh("gzip-tail");
    let mut large = synthetic::snapshot(200, 5, 2, 0);
    let path = Store::new(&dir).write(&mut large, None).expect("write");
    let original = std::fs::read(&path).expect("read");
    let mut empty_member = Vec::new();
    flate2::write::GzEncoder::new(&mut empty_member, flate2::Compression::new(6))
        .finish()
        .expect("gzip");
    for (what, tail) in [
        ("an empty gzip member", empty_member),
        ("garbage", b"garbage".to_vec()),
    ] {
        overwrite(&path, &[original.as_slice(), &tail].concat());
        let err = read_snapshot(&path).expect_err(what);
        assert!(
            err.to_string()
                .contains("bytes after its compressed content"),
            "{what}: {err}"
        );
    }
    overwrite(&path, &original[..4]);
    let err = read_snapshot(&path).expect_err("4 bytes");
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn the_store_copes_with_names_at_the_end_of_time_and_leaves_other_hidden_files_alone() {
    let dir = fresh("odd-names");
    std::fs::write(dir.join(".auditor-notes.tmp-keep"), b"mine").expect("write");
    let fixture = Store::new(synthetic::fixture_dir()).list().expect("list");
    std::fs::copy(&fixture[0].path, dir.join("9999-12-30T22-00-00.999Z.json")).expect("copy");
    let mut snapshot = synthetic::fixture_before();
    let err = Store::new(&dir)
        .write(&mut snapshot, None)
        .expect_err("no later name");
    assert!(err.to_string().contains("at the end of time"), "{err}");
    std::fs::remove_file(dir.join("9999-12-30T22-00-00.999Z.json")).expect("remove");
    Store::new(&dir).write(&mut snapshot, None).expect("write");
    assert!(dir.join(".auditor-notes.tmp-keep").exists());
}

#[test]
fn an_intact_snapshot_of_a_newer_schema_is_not_tampering_but_cannot_be_verified_here() {
    let dir = fixture_store("newer");
    let newest = Store::new(&dir)
        .list()
        .expect("list")
        .pop()
        .expect("newest");
    let text = std::fs::read_to_string(&newest.path).expect("read");
    let mut newer = text
        .replacen("\"schema_version\":1,", "\"schema_version\":2,", 1)
        .into_bytes();
    reseal(&mut newer);
    overwrite(&newest.path, &newer);
    let (code, stdout, stderr) = posture(&["verify", "--snapshots-dir", &dir.to_string_lossy()]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(!stdout.contains("NOT INTACT"), "{stdout}");
    assert!(stderr.contains("upgrade posture"), "{stderr}");
    // Nothing claims the whole store: the newer file is listed as not checked.
    assert!(!stdout.contains("intact:"), "{stdout}");
    assert!(
        stdout.contains(&format!("not checked: {}", newest.path.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains("incomplete: 1 of 2 snapshots in ")
            && stdout.contains("1 not checked (written by a newer posture)"),
        "{stdout}"
    );
}

/// `posture ARGS…` that must end within 30 seconds: exit code, stdout and stderr.
fn posture_in_time(args: &[&str]) -> (i32, String, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run posture");
    let output = crate::support::wait_within(
        child,
        std::time::Duration::from_secs(30),
        &format!("posture {args:?}"),
    );
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_snapshot_hangs_no_command_and_verify_names_it() {
    let dir = fixture_store("fifo");
    let store = dir.to_string_lossy().into_owned();
    // The newest name in the store, so every command looks at it first.
    let fifo = dir.join("2026-12-01T00-00-00.000Z.json");
    let name = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("no NUL");
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let (code, stdout, stderr) = posture_in_time(&["verify", "--snapshots-dir", &store]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "ignored: 2026-12-01T00-00-00.000Z.json: a fifo, not a regular file (never opened)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("intact: 2 snapshots"), "{stdout}");
    let (code, stdout, stderr) = posture_in_time(&["diff", "--snapshots-dir", &store]);
    assert!(code == 0 || code == 1, "{stdout}{stderr}");
    let out = fresh("fifo-site");
    let (code, _, stderr) = posture_in_time(&[
        "render",
        "--snapshots-dir",
        &store,
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.join("index.html").is_file());
    // Named on the command line, it is refused in a line, not waited on.
    let (code, _, stderr) = posture_in_time(&["verify", &fifo.to_string_lossy()]);
    assert_eq!(code, 1, "{stderr}");
    // A fifo planted as the store's lock stops a write with a line, not a wait.
    let lock = std::ffi::CString::new(dir.join(".lock").to_str().expect("utf-8")).expect("no NUL");
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(lock.as_ptr(), 0o644) }, 0);
    let newest = Store::new(&dir)
        .list()
        .expect("list")
        .pop()
        .expect("newest");
    let (code, _, stderr) = posture_in_time(&[
        "reevaluate",
        &newest.name,
        "--force",
        "--snapshots-dir",
        &store,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(".lock: a fifo, not a regular file"),
        "{stderr}"
    );
    // A `--config` or a template that is a fifo is refused too.
    let (code, _, stderr) = posture_in_time(&[
        "scan",
        "--config",
        &fifo.to_string_lossy(),
        "--snapshots-dir",
        &store,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("a fifo, not a regular file"), "{stderr}");
}

#[test]
fn one_snapshot_stored_twice_is_refused_by_every_command_naming_both_files() {
    let dir = fixture_store("twice");
    let newest = Store::new(&dir)
        .list()
        .expect("list")
        .pop()
        .expect("newest");
    let gz = dir.join(format!("{}.gz", newest.name));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, &std::fs::read(&newest.path).expect("read"))
        .expect("compress");
    std::fs::write(&gz, encoder.finish().expect("compress")).expect("write");
    let store = dir.to_string_lossy().into_owned();
    let out = fresh("twice-site").to_string_lossy().into_owned();
    for args in [
        vec!["verify", "--snapshots-dir", &store],
        vec!["diff", "--snapshots-dir", &store],
        vec!["render", "--snapshots-dir", &store, "--out", &out],
    ] {
        let (code, stdout, stderr) = posture_in_time(&args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{} and {} are the same snapshot stored twice",
                newest.path.display(),
                gz.display()
            )),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_scan_refuses_a_store_it_cannot_write_before_any_aws_call() {
    let dir = fresh("unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, "not a folder").expect("write");
    let long = dir.join("x".repeat(300));
    let under_a_file = file.join("snapshots");
    let mut stores = vec![file.clone(), long, under_a_file];
    #[cfg(unix)]
    let _read_only = read_only_folder(&dir).inspect(|folder| stores.push(folder.path.clone()));
    for store in &stores {
        // An endpoint nothing listens on: a scan that got as far as AWS would say so instead.
        let output = Command::new(env!("CARGO_BIN_EXE_posture"))
            .args([
                "scan",
                "--endpoint-url",
                "http://127.0.0.1:9",
                "--region",
                "us-east-1",
            ])
            .arg("--snapshots-dir")
            .arg(store)
            .envs(posture::sandbox::CREDENTIALS_ENV)
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null())
            .output()
            .expect("run posture scan");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        // A long path is cut where it is echoed; its start names it.
        let named: String = store.display().to_string().chars().take(200).collect();
        assert!(
            stderr.starts_with(&format!("posture: {named}"))
                && stderr.contains("snapshots cannot be written there, so nothing was scanned"),
            "{stderr}"
        );
        if *store == file {
            assert!(
                stderr.contains("a-file: a regular file, not a folder"),
                "{stderr}"
            );
        }
    }
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "not a folder"
    );
}

/// A folder posture may not write: read-only for everyone but root, so for root a read-only
/// tmpfs (`None` where it cannot be mounted).
#[cfg(unix)]
fn read_only_folder(dir: &Path) -> Option<Mounted> {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("read-only");
    std::fs::create_dir_all(&path).expect("create");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        return Some(Mounted::unmounted(path));
    }
    tmpfs(&path, "ro,size=16k")
}
