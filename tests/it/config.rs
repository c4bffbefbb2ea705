//! `posture.toml` end to end: a bad file stops `posture scan` in one line before any AWS call;
//! in the sandbox, the file's `[checks]` decides which checks run, its `[thresholds]` turn
//! verdicts, the snapshot records the thresholds, a flag beats the file, and `reevaluate` and
//! `diff` follow a change of limits.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use posture::sandbox::CREDENTIALS_ENV;
use serde_json::Value;

use crate::support::{Seeded, exclusive, posture_scan, seeded, state_dir};

/// An address nothing listens on: a scan that got as far as AWS would fail there, not on the file.
const UNREACHABLE: &str = "http://127.0.0.1:9";

/// A fresh directory of this test's own.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = state_dir(&format!("config-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("test dir");
    dir
}

/// Runs `posture ARGS` in `dir` with the sandbox's dummy credentials and no other AWS settings.
fn posture_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(CREDENTIALS_ENV)
        .output()
        .expect("run posture")
}

/// `posture reevaluate` of the first snapshot in `store`, run in `dir` with `args` after it;
/// asserts that it wrote a re-evaluation and returns what it printed.
fn reevaluate_first(dir: &Path, store: &Path, args: &[&str]) -> Output {
    let source = snapshot_files(store).remove(0);
    let source_name = source.file_name().expect("name").to_str().expect("utf-8");
    let store_arg = store.to_str().expect("utf-8");
    let output = posture_in(
        dir,
        &[
            &["reevaluate", source_name, "--snapshots-dir", store_arg][..],
            args,
        ]
        .concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    output
}

/// Asserts that `output` is a failure to run (exit status 2) of one line on stderr; returns it.
#[track_caller]
fn refused(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    stderr
}

#[test]
fn a_bad_file_stops_the_scan_in_one_line_before_any_aws_call() {
    let cases = [
        (
            "[thresholds]\naccess_key_max_age_days = 90\nacess_key_max_unused_days = 30\n",
            "posture.toml, line 3: unknown key `acess_key_max_unused_days` in [thresholds]; known keys: access_key_max_age_days, access_key_max_unused_days",
        ),
        (
            "[checks]\nskip = [\"root-mfx\"]\n",
            "posture.toml, line 2: [checks] skip: no check \"root-mfx\" in the catalogue; did you mean root-mfa?",
        ),
        (
            "[thresholds]\naccess_key_max_unused_days = 0\n",
            "posture.toml, line 2: [thresholds] access_key_max_unused_days: 0 is out of range: use 1 to 3650 (days)",
        ),
        (
            "\n[thresholds]\naccess_key_max_age_days = \"ninety\"\n",
            "posture.toml, line 3: [thresholds] access_key_max_age_days: invalid type: string \"ninety\", expected an integer",
        ),
        (
            "[checks]\nonly = [\"root-mfa\"\n",
            "posture.toml, line 2: not valid TOML: ",
        ),
        (
            "[tresholds]\naccess_key_max_age_days = 90\n",
            "posture.toml, line 1: unknown table or key `tresholds`; known tables: checks, thresholds, landing_zone, scan",
        ),
        (
            "[scan]\nregions = [\"us-east-7\"]\n",
            "posture.toml, line 2: [scan] regions: \"us-east-7\" is not an AWS Region",
        ),
    ];
    for (i, (text, message)) in cases.iter().enumerate() {
        // Found in the working directory, without --config.
        let dir = fresh_dir(&format!("bad-{i}"));
        std::fs::write(dir.join("posture.toml"), text).expect("write");
        let stderr = refused(&posture_in(&dir, &["scan", "--endpoint-url", UNREACHABLE]));
        assert!(
            stderr.starts_with(&format!("posture: {message}")),
            "{text:?} gave {stderr}"
        );
        // Named with --config, from elsewhere: the message names the path as given.
        let elsewhere = fresh_dir(&format!("bad-{i}-elsewhere"));
        let path = dir.join("posture.toml");
        let stderr = refused(&posture_in(
            &elsewhere,
            &[
                "scan",
                "--endpoint-url",
                UNREACHABLE,
                "--config",
                path.to_str().expect("utf-8"),
            ],
        ));
        assert!(
            stderr.starts_with(&format!("posture: {}, line ", path.display())),
            "{stderr}"
        );
    }
}

#[test]
fn a_config_path_that_does_not_exist_is_named_in_one_line() {
    let dir = fresh_dir("missing");
    let stderr = refused(&posture_in(
        &dir,
        &[
            "scan",
            "--endpoint-url",
            UNREACHABLE,
            "--config",
            "elsewhere/posture.toml",
        ],
    ));
    assert_eq!(
        stderr.trim_end(),
        "posture: --config: elsewhere/posture.toml does not exist"
    );
}

#[test]
fn no_config_leaves_the_file_in_the_working_directory_unread() {
    let dir = fresh_dir("no-config");
    std::fs::write(
        dir.join("posture.toml"),
        "[checks]\nskip = [\"root-mfx\"]\n",
    )
    .expect("write");
    // The scan gets past the file to AWS, where nothing answers: a failure, but not the file's.
    // One attempt, so that it does not wait for retries.
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["scan", "--no-config", "--endpoint-url", UNREACHABLE])
        .current_dir(&dir)
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .envs(CREDENTIALS_ENV)
        .output()
        .expect("run posture");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("posture.toml"), "{stderr}");
}

/// Runs `posture scan` on the sandbox with `config` as its configuration file (none: no file at
/// all) and `args`, in one Region; returns the snapshot.
fn scan(seeded: &Seeded, name: &str, config: Option<&str>, args: &[&str]) -> Value {
    let dir = fresh_dir(name);
    let store = dir.join("snapshots");
    let config_path = dir.join("posture.toml");
    let mut all: Vec<&str> = vec!["--regions", "us-east-1"];
    match config {
        Some(text) => {
            std::fs::write(&config_path, text).expect("write the configuration");
            all.extend(["--config", config_path.to_str().expect("utf-8")]);
        }
        None => all.push("--no-config"),
    }
    all.extend(args);
    let output = posture_scan(seeded.endpoint(), &store, &all);
    let code = output.status.code().expect("exit code");
    assert!(
        code == 0 || code == 3,
        "posture scan exited {code}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    read_only_snapshot(&store)
}

/// The one snapshot in `store`, as JSON.
fn read_only_snapshot(store: &Path) -> Value {
    let files = snapshot_files(store);
    assert_eq!(files.len(), 1, "one snapshot: {files:?}");
    read(&files[0])
}

fn snapshot_files(store: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(store)
        .expect("the store")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> Value {
    let bytes = posture::snapshot::read_snapshot_bytes(path).expect("a valid snapshot");
    serde_json::from_slice(&bytes).expect("json")
}

fn scope_checks(snapshot: &Value) -> Vec<String> {
    snapshot["scan"]["scope"]["checks"]
        .as_array()
        .expect("scope.checks")
        .iter()
        .map(|c| c.as_str().expect("id").to_owned())
        .collect()
}

fn finding_checks(snapshot: &Value) -> BTreeSet<String> {
    snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["check"].as_str().expect("check").to_owned())
        .collect()
}

/// The statuses of `check`'s findings in `account`.
fn statuses(snapshot: &Value, check: &str, account: &str) -> BTreeSet<String> {
    snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == check && f["account"] == account)
        .map(|f| f["status"].as_str().expect("status").to_owned())
        .collect()
}

/// The catalogue's ids, less `without`, in catalogue order.
fn catalogue_without(without: &[&str]) -> Vec<String> {
    posture::evaluate::catalog()
        .iter()
        .map(|c| c.id.clone())
        .filter(|id| !without.contains(&id.as_str()))
        .collect()
}

#[tokio::test]
async fn the_files_checks_decide_which_checks_a_scan_runs() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let accounts = [
        seeded.account_id("acme-payments-prod"),
        seeded.account_id("acme-sandbox-research"),
    ]
    .join(",");

    let skipping = "[checks]\nskip = [\"external-access-findings\", \"root-mfa\"]\n";
    let snapshot = scan(seeded, "skip", Some(skipping), &["--accounts", &accounts]);
    let want = catalogue_without(&["external-access-findings", "root-mfa"]);
    assert_eq!(scope_checks(&snapshot), want);
    assert_eq!(
        finding_checks(&snapshot),
        want.iter().cloned().collect::<BTreeSet<_>>()
    );
    let recorded: Vec<&str> = snapshot["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(recorded, want);

    // `only` selects, in catalogue order whatever the file's order.
    let only = "[checks]\nonly = [\"access-key-unused\", \"root-mfa\"]\n";
    let snapshot = scan(seeded, "only", Some(only), &["--accounts", &accounts]);
    let want = ["root-mfa", "access-key-unused"];
    assert_eq!(scope_checks(&snapshot), want);
    assert_eq!(
        finding_checks(&snapshot),
        want.iter()
            .map(|s| (*s).to_owned())
            .collect::<BTreeSet<_>>()
    );

    // --checks replaces the file's selection, skip included.
    let snapshot = scan(
        seeded,
        "checks-flag",
        Some(skipping),
        &["--accounts", &accounts, "--checks", "root-mfa"],
    );
    assert_eq!(scope_checks(&snapshot), ["root-mfa"]);
    assert_eq!(
        finding_checks(&snapshot),
        BTreeSet::from(["root-mfa".to_owned()])
    );
}

/// Whole days from `then` (RFC 3339) to now.
fn days_since(then: &str) -> i64 {
    let then: jiff::Timestamp = then.parse().expect("a date");
    (jiff::Timestamp::now().as_second() - then.as_second()) / 86_400
}

/// The backdated date `field` (`create_date`, `last_used`) of the active key of IAM user `user`
/// in the account named `account`, as the seeder describes it.
fn key_date(seeded: &Seeded, account: &str, user: &str, field: &str) -> String {
    seeded.account(account)["iam_users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["name"] == user)
        .and_then(|u| {
            u["access_keys"]
                .as_array()?
                .iter()
                .find(|k| k["status"] == "Active")
        })
        .and_then(|k| k["backdated"][field].as_str())
        .unwrap_or_else(|| panic!("{account}'s {user} has no active key with {field}"))
        .to_owned()
}

#[tokio::test]
async fn thresholds_from_the_file_turn_verdicts_and_the_snapshot_records_them() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let payments = seeded.account_id("acme-payments-prod");
    let research = seeded.account_id("acme-sandbox-research");
    let accounts = [payments.as_str(), research.as_str()].join(",");
    let checks = "access-key-rotation,access-key-unused";
    // payments-app's key was created 2025-03-01 (older than 90 days, younger than 3650);
    // researcher's was last used 2026-08-01 (unused 45 days or more). Limits past both, from the
    // seeder's dates so that the test does not age.
    let age = days_since(&key_date(
        seeded,
        "acme-payments-prod",
        "payments-app",
        "create_date",
    ));
    let unused = days_since(&key_date(
        seeded,
        "acme-sandbox-research",
        "researcher",
        "last_used",
    ));
    assert!(
        age > 90 && age < 3650,
        "payments-app's key is {age} days old"
    );
    assert!(unused >= 45, "researcher's key is unused for {unused} days");
    let unused_limit = (unused + 30).max(200);
    assert!(unused_limit <= 3650);
    let config = format!(
        "[thresholds]\naccess_key_max_age_days = 3650\naccess_key_max_unused_days = {unused_limit}\n"
    );

    // With the defaults: both FAIL, and the snapshot says it judged with 90 and 45.
    let defaults = scan(
        seeded,
        "thresholds-default",
        None,
        &["--accounts", &accounts, "--checks", checks],
    );
    assert_eq!(
        statuses(&defaults, "access-key-rotation", &payments),
        BTreeSet::from(["FAIL".to_owned()])
    );
    assert_eq!(
        statuses(&defaults, "access-key-unused", &research),
        BTreeSet::from(["FAIL".to_owned()])
    );
    assert_eq!(
        defaults["scan"]["thresholds"],
        serde_json::json!({"access_key_max_age_days": 90, "access_key_max_unused_days": 45})
    );

    // With the file's limits: both PASS, and the snapshot records them.
    let dir = fresh_dir("thresholds-file");
    let store = dir.join("snapshots");
    let config_path = dir.join("posture.toml");
    std::fs::write(&config_path, &config).expect("write");
    let config_arg = config_path.to_str().expect("utf-8");
    let output = posture_scan(
        seeded.endpoint(),
        &store,
        &[
            "--regions",
            "us-east-1",
            "--accounts",
            &accounts,
            "--checks",
            checks,
            "--config",
            config_arg,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let relaxed = read_only_snapshot(&store);
    assert_eq!(
        statuses(&relaxed, "access-key-rotation", &payments),
        BTreeSet::from(["PASS".to_owned()])
    );
    assert_eq!(
        statuses(&relaxed, "access-key-unused", &research),
        BTreeSet::from(["PASS".to_owned()])
    );
    assert_eq!(
        relaxed["scan"]["thresholds"],
        serde_json::json!({
            "access_key_max_age_days": 3650,
            "access_key_max_unused_days": unused_limit,
        })
    );

    // A flag beats the file, key by key.
    let flagged = scan(
        seeded,
        "thresholds-flag",
        Some(&config),
        &[
            "--accounts",
            &accounts,
            "--checks",
            checks,
            "--access-key-max-age-days",
            "90",
        ],
    );
    assert_eq!(
        statuses(&flagged, "access-key-rotation", &payments),
        BTreeSet::from(["FAIL".to_owned()])
    );
    assert_eq!(
        statuses(&flagged, "access-key-unused", &research),
        BTreeSet::from(["PASS".to_owned()])
    );
    assert_eq!(flagged["scan"]["thresholds"]["access_key_max_age_days"], 90);

    // `reevaluate` judges with the snapshot's limits: with nothing else changed, it refuses...
    let store_arg = store.to_str().expect("utf-8");
    let source = snapshot_files(&store).remove(0);
    let source_name = source.file_name().expect("name").to_str().expect("utf-8");
    let stderr = refused(&posture_in(
        &dir,
        &["reevaluate", source_name, "--snapshots-dir", store_arg],
    ));
    assert!(stderr.contains("would change nothing"), "{stderr}");
    // ...and with a limit flag, it judges with that one and records it.
    reevaluate_first(&dir, &store, &["--access-key-max-age-days", "90"]);
    let files = snapshot_files(&store);
    assert_eq!(files.len(), 2, "{files:?}");
    let reevaluated = read(&files[1]);
    assert_eq!(
        reevaluated["scan"]["thresholds"],
        serde_json::json!({
            "access_key_max_age_days": 90,
            "access_key_max_unused_days": unused_limit,
        })
    );
    assert_eq!(
        statuses(&reevaluated, "access-key-rotation", &payments),
        BTreeSet::from(["FAIL".to_owned()])
    );

    // `diff` tells the changed limit from a changed key.
    let output = posture_in(&dir, &["diff", "--json", "--snapshots-dir", store_arg]);
    assert_eq!(output.status.code(), Some(1), "a regression: {output:?}");
    let changes: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        changes["scope"]["options"],
        serde_json::json!(["[thresholds] access_key_max_age_days: 3650 → 90 days"])
    );
    let regressed: Vec<&Value> = changes["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "regressed")
        .collect();
    assert_eq!(regressed.len(), 1, "{regressed:?}");
    assert_eq!(regressed[0]["check"], "access-key-rotation");
    assert!(
        regressed[0]["causes"]
            .as_array()
            .expect("causes")
            .iter()
            .any(|c| c["cause"] == "threshold_changed" && c["old"] == 3650 && c["new"] == 90),
        "{}",
        regressed[0]["causes"]
    );
}

/// The failing findings of `check` in `account`, as JSON.
fn failing<'a>(snapshot: &'a Value, check: &str, account: &str) -> Vec<&'a Value> {
    snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == check && f["account"] == account && f["status"] == "FAIL")
        .collect()
}

#[tokio::test]
async fn waivers_mark_failing_findings_report_expired_and_unmatched_ones_and_follow_reevaluate() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let payments = seeded.account_id("acme-payments-prod");
    let research = seeded.account_id("acme-sandbox-research");
    let accounts = [payments.as_str(), research.as_str()].join(",");
    // payments-app has an active key in acme-payments-prod (/Workloads/Prod); researcher has one
    // unused for months in acme-sandbox-research (/Sandbox).
    let config = format!(
        r#"[[waiver]]
check = "iam-user-access-keys"
account = "{payments}"
resource = "*:user/payments-*"
reason = "the payments vendor's SFTP bridge needs a key until the 2027 migration"
approved_by = "ciso@example.com"
expires = 2099-12-31

[[waiver]]
check = "access-key-unused"
ou = "/Sandbox"
reason = "research keys are parked between projects"
approved_by = "Head of Research"
expires = 2020-01-31

[[waiver]]
check = "iam-user-access-keys"
ou = "/Workloads"
resource = "*:user/no-such-user/*"
reason = "a user that does not exist"
approved_by = "nobody"
expires = 2099-12-31

[[waiver]]
check = "root-mfa"
account = "{payments}"
reason = "not scanned here"
approved_by = "nobody"
expires = 2099-12-31
"#
    );
    let dir = fresh_dir("waivers");
    let store = dir.join("snapshots");
    let config_path = dir.join("posture.toml");
    std::fs::write(&config_path, &config).expect("write");
    let config_arg = config_path.to_str().expect("utf-8");
    // Not --quiet, for the summary.
    let output = posture_in(
        &dir,
        &[
            "scan",
            "--endpoint-url",
            seeded.endpoint(),
            "--snapshots-dir",
            store.to_str().expect("utf-8"),
            "--regions",
            "us-east-1",
            "--accounts",
            &accounts,
            "--checks",
            "iam-user-access-keys,access-key-unused",
            "--config",
            config_arg,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let snapshot = read_only_snapshot(&store);

    // The waived finding still fails, and says who accepted it, why and until when.
    let keys = failing(&snapshot, "iam-user-access-keys", &payments);
    let waived: Vec<&&Value> = keys.iter().filter(|f| f["waiver"].is_object()).collect();
    assert_eq!(waived.len(), 1, "{keys:?}");
    assert!(
        waived[0]["resource"]
            .as_str()
            .expect("resource")
            .contains(":user/payments-app"),
        "{}",
        waived[0]
    );
    assert_eq!(
        waived[0]["waiver"],
        serde_json::json!({
            "reason": "the payments vendor's SFTP bridge needs a key until the 2027 migration",
            "approved_by": "ciso@example.com",
            "expires": "2099-12-31",
        })
    );
    // The expired waiver marks nothing: researcher's key fails as it would without it.
    let unused = failing(&snapshot, "access-key-unused", &research);
    assert!(!unused.is_empty(), "researcher's key is unused");
    assert!(
        unused.iter().all(|f| f.get("waiver").is_none()),
        "{unused:?}"
    );

    // The snapshot records each waiver with what it did.
    let outcomes: Vec<&Value> = snapshot["scan"]["waivers"]
        .as_array()
        .expect("scan.waivers")
        .iter()
        .map(|w| &w["outcome"])
        .collect();
    assert_eq!(
        outcomes,
        [
            &serde_json::json!({"state": "applied", "findings": 1}),
            &serde_json::json!({"state": "expired", "findings": unused.len()}),
            &serde_json::json!({"state": "unmatched", "check_evaluated": true}),
            &serde_json::json!({"state": "unmatched", "check_evaluated": false}),
        ]
    );
    assert_eq!(
        snapshot["scan"]["waivers"][1]["origin"],
        format!("{config_arg}, line 9")
    );

    // The scan says so: a WAIVED column, a summary line, and a warning per waiver that did not
    // apply, naming its file and line.
    assert!(stdout.contains("  WAIVED"), "{stdout}");
    assert!(
        stdout.contains("waivers: 1 applied (1 failing finding), 1 expired, 2 matched nothing"),
        "{stdout}"
    );
    for warning in [
        format!(
            "warning: {config_arg}, line 9: waiver of access-key-unused for OU /Sandbox expired on 2020-01-31: not applied"
        ),
        format!(
            "warning: {config_arg}, line 16: waiver of iam-user-access-keys for OU /Workloads (resource \"*:user/no-such-user/*\") matched no failing finding"
        ),
        format!(
            "warning: {config_arg}, line 24: waiver of root-mfa for account {payments} matched nothing: root-mfa was not evaluated in this scan"
        ),
    ] {
        assert!(stderr.contains(&warning), "{warning}\nnot in:\n{stderr}");
    }

    // `reevaluate` applies the scan's waivers again: nothing would change...
    let store_arg = store.to_str().expect("utf-8");
    let source = snapshot_files(&store).remove(0);
    let source_name = source.file_name().expect("name").to_str().expect("utf-8");
    let stderr = refused(&posture_in(
        &dir,
        &["reevaluate", source_name, "--snapshots-dir", store_arg],
    ));
    assert!(stderr.contains("would change nothing"), "{stderr}");
    // ...unless --config names a file with other waivers (here: none).
    let bare = dir.join("no-waivers.toml");
    std::fs::write(&bare, "[thresholds]\naccess_key_max_age_days = 90\n").expect("write");
    reevaluate_first(&dir, &store, &["--config", bare.to_str().expect("utf-8")]);
    let reevaluated = read(&snapshot_files(&store)[1]);
    assert!(reevaluated["scan"].get("waivers").is_none());
    assert!(
        failing(&reevaluated, "iam-user-access-keys", &payments)
            .iter()
            .all(|f| f.get("waiver").is_none())
    );

    // `diff` names the removed waiver as the cause; the finding is still failing.
    let output = posture_in(&dir, &["diff", "--json", "--snapshots-dir", store_arg]);
    let changes: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let removed: Vec<&Value> = changes["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["causes"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["cause"] == "waiver_removed"))
        })
        .collect();
    assert_eq!(removed.len(), 1, "{}", changes["findings"]);
    assert_eq!(removed[0]["check"], "iam-user-access-keys");
    assert_eq!(removed[0]["old"]["waived"], true);
    assert_eq!(removed[0]["new"]["status"], "FAIL");

    // The site shows the register of accepted risks on the scan's version, with the expired one.
    let site = dir.join("site");
    let output = posture_in(
        &dir,
        &[
            "render",
            "--snapshots-dir",
            store_arg,
            "--out",
            site.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let version = posture::render::view::version_id(source_name);
    let overview =
        std::fs::read_to_string(site.join("v").join(version).join("index.html")).expect("page");
    assert!(overview.contains("Accepted risks (waivers)"), "no register");
    assert!(overview.contains("EXPIRED"), "the expired waiver is shown");
    assert!(
        overview.contains("<span class=\"tag tag-waived\">waived</span> 1 failing finding\n"),
        "the applied waiver's count"
    );
    let account_page = std::fs::read_to_string(
        site.join("v")
            .join(version)
            .join(format!("account/{payments}.html")),
    )
    .expect("the account page");
    assert!(
        account_page.contains("the payments vendor&#39;s SFTP bridge")
            || account_page.contains("the payments vendor&#x27;s SFTP bridge"),
        "the waiver's reason on the account page"
    );
}

/// The Security OU finding of `organization-structure` in `snapshot`.
fn security_ou_finding(snapshot: &Value) -> &Value {
    snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check"] == "organization-structure" && f["resource"] == "Security OU")
        .expect("the Security OU finding")
}

#[tokio::test]
async fn landing_zone_names_the_security_ou_and_reevaluate_and_diff_follow_it() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let checks = ["--checks", "organization-structure"];
    let workloads = "[landing_zone]\nsecurity_ous = [\"/Workloads\"]\n";

    // By default the seeder's /Security holds the audit and log-archive accounts; the snapshot
    // leaves the default out.
    let defaults = scan(seeded, "landing-zone-default", None, &checks);
    let security = security_ou_finding(&defaults);
    assert_eq!(security["status"], "PASS", "{security}");
    assert_eq!(security["evidence"]["Security OU"], "/Security");
    assert!(defaults["scan"].get("landing_zone").is_none());

    // Named otherwise in the file: the audit and log-archive accounts are not in it.
    let named = scan(seeded, "landing-zone-file", Some(workloads), &checks);
    let security = security_ou_finding(&named);
    assert_eq!(security["status"], "FAIL", "{security}");
    assert!(
        security["reason"]
            .as_str()
            .is_some_and(|r| r.contains("not in /Workloads")),
        "{security}"
    );
    assert_eq!(
        named["scan"]["landing_zone"],
        serde_json::json!({"security_ous": ["/Workloads"]})
    );

    // `reevaluate --config` judges the default scan's facts by the file's Security OU, and
    // `diff` gives the setting, not the OU, as the cause.
    let dir = fresh_dir("landing-zone-reevaluate");
    let store = dir.join("snapshots");
    let output = posture_scan(
        seeded.endpoint(),
        &store,
        &[&["--regions", "us-east-1", "--no-config"][..], &checks].concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let store_arg = store.to_str().expect("utf-8");
    let config_path = dir.join("workloads.toml");
    std::fs::write(&config_path, workloads).expect("write");
    let output = reevaluate_first(
        &dir,
        &store,
        &["--config", config_path.to_str().expect("utf-8")],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            r#"landing zone: security_ous = ["/Workloads"] (the source snapshot's: security_ous = ["/Security", "/Core"])"#
        ),
        "{stdout}"
    );
    let reevaluated = read(&snapshot_files(&store)[1]);
    assert_eq!(security_ou_finding(&reevaluated)["status"], "FAIL");
    let output = posture_in(&dir, &["diff", "--json", "--snapshots-dir", store_arg]);
    let changes: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let regressed: Vec<&Value> = changes["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["resource"] == "Security OU")
        .collect();
    assert_eq!(regressed.len(), 1, "{}", changes["findings"]);
    let causes = regressed[0]["causes"].as_array().expect("causes");
    assert_eq!(causes.len(), 1, "{causes:?}");
    assert_eq!(causes[0]["cause"], "landing_zone_changed", "{causes:?}");
}
