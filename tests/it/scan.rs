//! `posture scan` end to end: the binary, with the standard credential chain and an endpoint
//! override, against the seeded sandbox; verdicts compared with what the seeder says it built.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use posture::sandbox::{CREDENTIALS_ENV, FaultKind, FaultRule, SandboxAdmin};
use serde_json::Value;

use crate::support::{
    ClearFaults, Seeded, Verdicts, exclusive, posture_scan, seeded, state_dir, text, verdicts,
};

const REGIONS: &str = "us-east-1,eu-west-1";

/// Runs `posture scan` against the sandbox with `args`; returns the exit code and the snapshot.
fn scan(seeded: &Seeded, name: &str, args: &[&str]) -> (i32, Value) {
    scan_at(seeded.endpoint(), name, args)
}

/// Runs `posture scan` against the sandbox at `endpoint` (in [`REGIONS`] unless `args` name
/// others); returns the exit code and the snapshot.
fn scan_at(endpoint: &str, name: &str, args: &[&str]) -> (i32, Value) {
    let dir: PathBuf = state_dir(&format!("scan-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let regions: &[&str] = if args.contains(&"--regions") {
        &[]
    } else {
        &["--regions", REGIONS]
    };
    let output = posture_scan(endpoint, &dir, &[regions, args].concat());
    let code = output.status.code().expect("exit code");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        code == 0 || code == 3,
        "posture scan exited {code}: {stderr}"
    );
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("snapshot dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "one snapshot per scan: {files:?}");
    let bytes = posture::snapshot::read_snapshot_bytes(&files[0]).expect("a valid snapshot");
    let snapshot = serde_json::from_slice(&bytes).expect("json");
    (code, snapshot)
}

/// The status of every finding of `check` in `account`.
fn statuses(verdicts: &Verdicts, check: &str, account: &str) -> Vec<String> {
    verdicts
        .iter()
        .filter(|((c, a, _, _), _)| c == check && a == account)
        .map(|(_, status)| status.clone())
        .collect()
}

/// Whether an SCP attached at `target` (an OU path, `/` for the root) applies to what sits at
/// `ou_path`: attached there or above.
fn on_path(ou_path: &str, target: &str) -> bool {
    target == "/" || ou_path == target || ou_path.starts_with(&format!("{target}/"))
}

/// The services `rcp-data-perimeter` probes, in the order it names them (the seeder's
/// `RCP_SERVICES`).
const RCP_SERVICES: [&str; 5] = ["S3", "STS", "KMS", "SQS", "Secrets Manager"];

/// The services the seeded RCPs on the path to `ou_path` leave open to callers outside the
/// organization; `None` when no RCP of the seeder's applies there.
fn rcp_open_services(seeded: &Seeded, ou_path: &str) -> Option<Vec<&'static str>> {
    let applying: Vec<&Value> = seeded.description["resource_control_policies"]["attached"]
        .as_array()
        .expect("attached RCPs")
        .iter()
        .filter(|p| on_path(ou_path, text(&p["target_path"])))
        .collect();
    if applying.is_empty() {
        return None;
    }
    Some(
        RCP_SERVICES
            .into_iter()
            .filter(|service| {
                !applying.iter().any(|p| {
                    p["perimeter"]
                        .as_array()
                        .expect("perimeter")
                        .iter()
                        .any(|s| s == service)
                })
            })
            .collect(),
    )
}

/// How many guardrails `scp-guardrails` asks for (the seeder's `GUARDRAILS`).
const SCP_GUARDRAILS: usize = 6;

/// What the seeder's description says each account-scope check must answer.
/// Whole days from `then` to `now` (both RFC 3339).
fn days(then: &str, now: &str) -> i64 {
    let then: jiff::Timestamp = then.parse().expect("a date");
    let now: jiff::Timestamp = now.parse().expect("a date");
    (now.as_second() - then.as_second()).max(0) / 86_400
}

/// What each check must say of each account, from the seeder's description; key ages count to
/// the evaluation time of `snapshot`'s scan.
fn expected(seeded: &Seeded, snapshot: &Value) -> BTreeMap<(String, String), BTreeSet<String>> {
    let evaluated_at = snapshot["scan"]["finished_at"]
        .as_str()
        .expect("finished_at");
    let mut expected = BTreeMap::new();
    let management = seeded.management_account_id();
    let org_analyzer_regions: BTreeSet<String> = seeded
        .accounts()
        .iter()
        .flat_map(|a| {
            a["access_analyzers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|a| a["type"] == "ORGANIZATION")
        .map(|a| a["region"].as_str().expect("region").to_owned())
        .collect();
    // The organization trail lives in the management account and logs every member.
    let organization_trails: Vec<Value> = seeded
        .accounts()
        .iter()
        .filter(|a| a["id"] == management.as_str())
        .flat_map(|a| a["trails"].as_array().cloned().unwrap_or_default())
        .filter(|t| t["organization"] == true)
        .collect();
    for account in seeded.accounts() {
        let id = account["id"].as_str().expect("id").to_owned();
        let organization_trails: &[Value] = if id == management {
            &[] // its own trails list it already
        } else {
            &organization_trails
        };
        let mut put = |check: &str, statuses: &[&str]| {
            expected.insert(
                (check.to_owned(), id.clone()),
                statuses
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<BTreeSet<_>>(),
            );
        };
        if account["status"] != "ACTIVE" {
            for check in [
                "root-mfa",
                "cloudtrail-multi-region",
                "iam-user-access-keys",
                "external-access-findings",
                "root-access-keys",
                "iam-user-console-mfa",
                "access-key-rotation",
                "access-key-unused",
                "cloudtrail-log-file-validation",
                "cloudtrail-kms-encryption",
                "cloudtrail-logs-outside-account",
                "guardduty-enabled",
                "access-analyzer-enabled",
                "securityhub-enabled",
                "config-recorder-enabled",
                "scp-guardrails",
                "rcp-data-perimeter",
                "root-access-centralized",
                "identity-center",
            ] {
                put(check, &["SKIPPED"]);
            }
            continue;
        }
        let root = &account["root"];
        let no_credentials = root["password"] == false
            && root["access_keys"] == 0
            && root["signing_certificates"] == 0;
        put(
            "root-mfa",
            &[if root["mfa"] == true || no_credentials {
                "PASS"
            } else {
                "FAIL"
            }],
        );
        // Centralized root access is on (the seeder turns on both features): a member passes
        // when nothing of its root user is left, MFA device included.
        put(
            "root-access-centralized",
            &[if id == management {
                "SKIPPED"
            } else if no_credentials && root["mfa"] == false {
                "PASS"
            } else {
                "FAIL"
            }],
        );
        // IAM Identity Center: a permission set of the organization instance reaches the
        // account, it made no account instance, and none of its IAM users has a console password.
        let identity_center = &seeded.description["identity_center"];
        let reached = identity_center["permission_sets"]
            .as_array()
            .expect("permission sets")
            .iter()
            .any(|p| {
                p["accounts"]
                    .as_array()
                    .expect("accounts")
                    .contains(&account["id"])
            });
        let own_instance = identity_center["account_instances"]
            .as_array()
            .expect("account instances")
            .iter()
            .any(|i| i["account_id"] == account["id"]);
        let console_password = account["iam_users"]
            .as_array()
            .expect("iam_users")
            .iter()
            .any(|u| u["console_password"] == true);
        put(
            "identity-center",
            &[if reached && !own_instance && !console_password {
                "PASS"
            } else {
                "FAIL"
            }],
        );
        // Every guardrail of the SCPs attached on the account's path; SCPs never apply to the
        // management account.
        let ou_path = account["ou_path"].as_str().expect("ou_path");
        let held: BTreeSet<&str> = seeded.description["service_control_policies"]["attached"]
            .as_array()
            .expect("attached")
            .iter()
            .filter(|p| on_path(ou_path, p["target_path"].as_str().expect("path")))
            .flat_map(|p| p["guardrails"].as_array().expect("guardrails"))
            .map(|g| g.as_str().expect("guardrail"))
            .collect();
        put(
            "scp-guardrails",
            &[if id == management {
                "SKIPPED"
            } else if held.len() == SCP_GUARDRAILS {
                "PASS"
            } else {
                "FAIL"
            }],
        );
        // The RCP perimeter: FAIL without an RCP of the organization's own on the path, or
        // with a service it leaves open; RCPs never apply to the management account.
        put(
            "rcp-data-perimeter",
            &[if id == management {
                "SKIPPED"
            } else {
                match rcp_open_services(seeded, ou_path) {
                    Some(open) if open.is_empty() => "PASS",
                    _ => "FAIL",
                }
            }],
        );
        let trail_ok = account["trails"]
            .as_array()
            .expect("trails")
            .iter()
            .any(|t| {
                t["multi_region"] == true
                    && t["logging"] == true
                    && t["management_events"] == "all"
                    && !(t["organization"] == true && id != management)
            });
        put(
            "cloudtrail-multi-region",
            &[if trail_ok { "PASS" } else { "FAIL" }],
        );
        let active_keys = account["iam_users"]
            .as_array()
            .expect("users")
            .iter()
            .flat_map(|u| u["access_keys"].as_array().cloned().unwrap_or_default())
            .filter(|k| k["status"] == "Active")
            .count();
        put(
            "iam-user-access-keys",
            &[if active_keys > 0 { "FAIL" } else { "PASS" }],
        );
        // Covered in a Region by the organization's analyzer or the account's own; FAIL for every
        // active finding on its resources, and for every Region nothing covers.
        let own_regions: BTreeSet<String> = account["access_analyzers"]
            .as_array()
            .expect("analyzers")
            .iter()
            .filter(|a| a["type"] == "ACCOUNT")
            .map(|a| a["region"].as_str().expect("region").to_owned())
            .collect();
        let uncovered = REGIONS
            .split(',')
            .any(|r| !org_analyzer_regions.contains(r) && !own_regions.contains(r));
        let active_findings = seeded.description["external_access"]
            .as_array()
            .expect("external_access")
            .iter()
            .any(|f| f["account_id"] == id.as_str() && f["expected_status"] == "ACTIVE");
        let mut external = Vec::new();
        if uncovered || active_findings {
            external.push("FAIL");
        }
        if REGIONS
            .split(',')
            .any(|r| org_analyzer_regions.contains(r) || own_regions.contains(r))
            && !active_findings
        {
            external.push("PASS");
        }
        put("external-access-findings", &external);
        let analyzed: Vec<&str> = REGIONS
            .split(',')
            .map(|r| {
                if org_analyzer_regions.contains(r) || own_regions.contains(r) {
                    "PASS"
                } else {
                    "FAIL"
                }
            })
            .collect();
        put("access-analyzer-enabled", &analyzed);
        if id == management {
            // One verdict per OU: guarded when an SCP is attached to it or to an OU above it.
            let attached: Vec<&str> = seeded.description["service_control_policies"]["attached"]
                .as_array()
                .expect("attached")
                .iter()
                .map(|p| p["target_path"].as_str().expect("path"))
                .collect();
            let scps: Vec<&str> = seeded.description["organizational_units"]
                .as_array()
                .expect("organizational_units")
                .iter()
                .map(|ou| {
                    let path = ou["path"].as_str().expect("path");
                    let guarded = attached.iter().any(|t| on_path(path, t));
                    if guarded { "PASS" } else { "FAIL" }
                })
                .collect();
            put("scps-attached", &scps);
            put(
                "config-aggregator-organization",
                &[config_aggregator_verdict(seeded)],
            );
            let holds_users = !account["iam_users"].as_array().expect("users").is_empty();
            put(
                "management-account-no-iam-users",
                &[if holds_users { "FAIL" } else { "PASS" }],
            );
        }

        put(
            "root-access-keys",
            &[if root["access_keys"] == 0 {
                "PASS"
            } else {
                "FAIL"
            }],
        );
        let users = account["iam_users"].as_array().expect("users");
        let console_without_mfa = users
            .iter()
            .any(|u| u["console_password"] == true && u["mfa"] == false);
        put(
            "iam-user-console-mfa",
            &[if console_without_mfa { "FAIL" } else { "PASS" }],
        );
        // Active keys: created when seeded unless backdated; used when seeded unless backdated.
        let seeded_at = seeded.description["seeded_at"].as_str().expect("seeded_at");
        let keys: Vec<(i64, Option<i64>)> = users
            .iter()
            .flat_map(|u| u["access_keys"].as_array().cloned().unwrap_or_default())
            .filter(|k| k["status"] == "Active")
            .map(|k| {
                let backdated = &k["backdated"];
                let created = backdated["create_date"].as_str().unwrap_or(seeded_at);
                let last_used = backdated["last_used"]
                    .as_str()
                    .or((k["used"] == true).then_some(seeded_at));
                (
                    days(created, evaluated_at),
                    last_used.map(|u| days(u, evaluated_at)),
                )
            })
            .collect();
        put(
            "access-key-rotation",
            &[if keys.iter().any(|(age, _)| *age > 90) {
                "FAIL"
            } else {
                "PASS"
            }],
        );
        put(
            "access-key-unused",
            &[
                if keys.iter().any(|(age, used)| used.unwrap_or(*age) >= 45) {
                    "FAIL"
                } else {
                    "PASS"
                },
            ],
        );
        // The trails that log the account: the organization trail and its own.
        let logging: Vec<&Value> = organization_trails
            .iter()
            .chain(account["trails"].as_array().expect("trails"))
            .collect();
        let per_trail = |passes: &dyn Fn(&Value) -> bool| -> Vec<&str> {
            if logging.is_empty() {
                return vec!["FAIL"];
            }
            logging
                .iter()
                .map(|t| if passes(t) { "PASS" } else { "FAIL" })
                .collect()
        };
        put(
            "cloudtrail-log-file-validation",
            &per_trail(&|t| t["log_file_validation"] == true),
        );
        put(
            "cloudtrail-kms-encryption",
            &per_trail(&|t| t["kms_key_id"].is_string()),
        );
        // PASS when a multi-Region trail that is logging writes into a bucket the account does
        // not own (the organization trail's is the log-archive account's).
        let own_buckets = account["s3_buckets"].as_array().expect("s3_buckets");
        let delivered_outside = logging.iter().any(|t| {
            t["multi_region"] == true
                && t["logging"] == true
                && !own_buckets.contains(&t["s3_bucket"])
        });
        put(
            "cloudtrail-logs-outside-account",
            &[if delivered_outside { "PASS" } else { "FAIL" }],
        );
        // One verdict per scanned Region: PASS where the seeder enabled a detector.
        let detector_regions = account["guardduty_detector_regions"]
            .as_array()
            .expect("guardduty_detector_regions");
        let guardduty: Vec<&str> = REGIONS
            .split(',')
            .map(|r| {
                if detector_regions.iter().any(|d| d == r) {
                    "PASS"
                } else {
                    "FAIL"
                }
            })
            .collect();
        put("guardduty-enabled", &guardduty);
        // One verdict per scanned Region: PASS where the seeder enabled Security Hub with a
        // standard (each READY), FAIL without a hub or without a standard.
        let hubs = &account["security_hub_standards"];
        let securityhub: Vec<&str> = REGIONS
            .split(',')
            .map(|r| match hubs[r].as_array() {
                Some(standards) if !standards.is_empty() => "PASS",
                _ => "FAIL",
            })
            .collect();
        put("securityhub-enabled", &securityhub);
        put("config-recorder-enabled", &config_verdicts(account));
    }
    expected
}

/// The findings of `check` in `account`.
fn findings_of<'a>(snapshot: &'a Value, check: &str, account: &str) -> Vec<&'a Value> {
    snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == check && f["account"] == account)
        .collect()
}

/// Asserts that every (check, account) verdict in `snapshot` is what the seeder built, except
/// those `affected` names (what a fault test broke on purpose and asserts itself).
#[track_caller]
fn assert_as_seeded_except(
    seeded: &Seeded,
    snapshot: &Value,
    affected: impl Fn(&str, &str) -> bool,
) {
    let verdicts = verdicts(snapshot);
    for ((check, account), want) in expected(seeded, snapshot) {
        if !affected(&check, &account) {
            let got: BTreeSet<String> = statuses(&verdicts, &check, &account).into_iter().collect();
            assert_eq!(got, want, "{check} in {account}");
        }
    }
}

/// `config-aggregator-organization`: PASS when AWS Config's delegated administrator holds an
/// organization aggregator, in a scanned Region, gathering all Regions or every scanned one; FAIL
/// otherwise, also when only the management account (no delegated administrator) holds one.
fn config_aggregator_verdict(seeded: &Seeded) -> &'static str {
    let admins: Vec<&Value> = seeded.description["delegated_administrators"]
        .as_array()
        .expect("delegated_administrators")
        .iter()
        .filter(|a| a["service_principal"] == "config.amazonaws.com")
        .map(|a| &a["account_id"])
        .collect();
    let covering = seeded.description["config_aggregators"]
        .as_array()
        .expect("config_aggregators")
        .iter()
        .any(|a| {
            admins.contains(&&a["account_id"])
                && REGIONS.split(',').any(|r| a["region"] == r)
                && a["organization"] == true
                && (a["all_aws_regions"] == true
                    || REGIONS.split(',').all(|r| {
                        a["aws_regions"]
                            .as_array()
                            .expect("regions")
                            .iter()
                            .any(|x| x == r)
                    }))
        });
    if covering { "PASS" } else { "FAIL" }
}

/// The global IAM resource types a recorder records with `includeGlobalResourceTypes`.
const GLOBAL_IAM_TYPES: [&str; 4] = [
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
];

/// `config-recorder-enabled` per scanned Region of a described account: PASS where the recorder
/// records every type, is recording and has a delivery channel, when some Region of the account
/// records the global IAM types (all types with them, exclusions that leave them in, inclusions
/// that name them, while recording).
fn config_verdicts(account: &Value) -> Vec<&'static str> {
    let config = account["config"].as_array().expect("config");
    let in_region = |region: &str| -> &Value {
        config
            .iter()
            .find(|c| c["region"] == region)
            .expect("a described Region")
    };
    let types = |recorder: &Value, key: &str| -> Vec<String> {
        recorder[key]
            .as_array()
            .expect("types")
            .iter()
            .map(|t| t.as_str().expect("type").to_owned())
            .collect()
    };
    let records_global = |c: &Value| {
        let recorder = &c["recorder"];
        recorder["recording"] == true
            && match recorder["recording_strategy"].as_str() {
                Some("ALL_SUPPORTED_RESOURCE_TYPES") => {
                    recorder["include_global_resource_types"] == true
                }
                Some("EXCLUSION_BY_RESOURCE_TYPES") => {
                    let excluded = types(recorder, "excluded_resource_types");
                    GLOBAL_IAM_TYPES
                        .iter()
                        .all(|t| !excluded.iter().any(|e| e == t))
                }
                _ => {
                    let included = types(recorder, "resource_types");
                    GLOBAL_IAM_TYPES
                        .iter()
                        .all(|t| included.iter().any(|e| e == t))
                }
            }
    };
    let global = REGIONS.split(',').any(|r| records_global(in_region(r)));
    REGIONS
        .split(',')
        .map(|r| {
            let c = in_region(r);
            let recorder = &c["recorder"];
            let recorded = recorder["recording_strategy"] == "ALL_SUPPORTED_RESOURCE_TYPES"
                && recorder["recording"] == true
                && c["delivery_channel"].is_object();
            if recorded && global { "PASS" } else { "FAIL" }
        })
        .collect()
}

#[tokio::test]
async fn every_accounts_verdicts_match_what_the_seeder_built() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (code, snapshot) = scan(seeded, "verdicts", &[]);
    assert_eq!(code, 0, "a clean scan of the sandbox reads everything");
    let verdicts = verdicts(&snapshot);
    assert_as_seeded_except(seeded, &snapshot, |_, _| false);
    // The seeded organization shows every account and Region check both passing and failing
    // somewhere, so the comparison above tests both verdicts of each (an organization check has
    // one subject: its other verdicts are unit-tested).
    let per_account = posture::evaluate::catalog()
        .iter()
        .filter(|c| c.scope != posture::evaluate::Scope::Organization);
    for check in per_account.map(|c| c.id.as_str()) {
        let seen: BTreeSet<&str> = verdicts
            .iter()
            .filter(|((c, _, _, _), _)| c == check)
            .map(|(_, status)| status.as_str())
            .collect();
        assert!(
            seen.contains("PASS") && seen.contains("FAIL"),
            "{check} is {seen:?} everywhere in the sandbox"
        );
    }

    // One finding per active IAM user key, none for inactive ones.
    let data_dev = seeded.account_id("acme-data-dev");
    let keys: Vec<_> = verdicts
        .keys()
        .filter(|(c, a, _, _)| c == "iam-user-access-keys" && a == &data_dev)
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].3.contains(":user/etl-runner"), "{keys:?}");

    // Delegated administrators: one finding per service principal, all the management
    // account's (each service's verdict: each_security_service_has_the_administrator_...).
    let management = seeded.management_account_id();
    let admins: Vec<_> = verdicts
        .keys()
        .filter(|(c, _, _, _)| c == "delegated-admin-not-management")
        .collect();
    assert_eq!(admins.len(), 11, "{admins:?}");
    assert!(admins.iter().all(|(_, a, _, _)| a == &management));

    // The public bucket is a FAIL on its own resource, with its evidence.
    let public = snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["check"] == "external-access-findings"
                && f["resource"] == "arn:aws:s3:::acme-web-prod-public-assets"
        })
        .expect("the public bucket's finding");
    assert_eq!(public["status"], "FAIL");
    assert_eq!(public["region"], "us-east-1");

    // The SUSPENDED account is skipped, and its record says so.
    let legacy = seeded.account_id("acme-legacy-reporting");
    let record = snapshot["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["id"] == legacy.as_str())
        .expect("the suspended account");
    assert_eq!(record["status"], "SUSPENDED");
    assert_eq!(record["outcome"], "skipped");
}

/// One fault test: the faults it injects into the sandbox, how posture is run while they hold, and
/// what it must then show. Every case runs the same way (see [`run_fault_case`]): faults added
/// under a [`ClearFaults`] guard, posture run, faults cleared, exit code 3, then `verify`.
struct FaultCase {
    /// What the case shows, as a sentence (it was a test of its own).
    name: &'static str,
    /// The state directory of its run (under the test binary's own).
    dir: &'static str,
    /// A full scan ([`scan`]) or `--preflight`.
    run: FaultRun,
    /// The fault rules to inject.
    faults: fn(&Seeded) -> Vec<FaultRule>,
    /// The assertions on what the run gave.
    verify: fn(&Seeded, &Faulted),
}

/// How a fault case runs posture.
#[derive(Clone, Copy)]
enum FaultRun {
    /// `posture scan` in [`REGIONS`], read back as its snapshot.
    Scan,
    /// `posture scan --preflight` in us-east-1: its report, and the calls it made.
    Preflight,
}

/// What a fault case's run gave.
struct Faulted {
    /// The snapshot of a scan (`Null` for a preflight).
    snapshot: Value,
    /// A preflight's standard output (empty for a scan: it runs `--quiet`).
    stdout: String,
    /// The store the run wrote to.
    store: PathBuf,
    /// The calls the sandbox recorded during a preflight (none are gathered for a scan).
    calls: Vec<posture::sandbox::RecordedRequest>,
}

const FAULT_CASES: &[FaultCase] = &[
    FaultCase {
        name: "an account whose role is denied is ERROR on every check while the others complete",
        dir: "denied",
        run: FaultRun::Scan,
        faults: |seeded| {
            vec![FaultRule::deny_assume_role(
                &seeded.account_id("acme-sandbox-research"),
            )]
        },
        verify: |seeded, ran| {
            let denied = seeded.account_id("acme-sandbox-research");
            let snapshot = &ran.snapshot;
            let verdicts = verdicts(snapshot);
            let account_checks = posture::evaluate::catalog()
                .iter()
                .filter(|c| c.scope != posture::evaluate::Scope::Organization)
                .map(|c| c.id.as_str());
            for check in account_checks {
                let got = statuses(&verdicts, check, &denied);
                assert!(
                    !got.is_empty() && got.iter().all(|s| s == "ERROR"),
                    "{check}: {got:?}"
                );
            }
            let record = snapshot["accounts"]
                .as_array()
                .expect("accounts")
                .iter()
                .find(|a| a["id"] == denied.as_str())
                .expect("record");
            assert_eq!(record["outcome"], "unreachable");
            assert_eq!(record["errors"][0]["code"], "AccessDenied");
            // Everyone else is judged as in a clean scan.
            assert_as_seeded_except(seeded, snapshot, |_, account| account == denied);
        },
    },
    FaultCase {
        name: "throttling is retried and a 500 for one account errors only what it feeds",
        dir: "faults",
        run: FaultRun::Scan,
        faults: |seeded| {
            vec![
                FaultRule {
                    count: Some(2),
                    ..FaultRule::on(
                        FaultKind::Throttle,
                        "iam",
                        "GetAccountSummary",
                        &seeded.account_id("acme-payments-prod"),
                    )
                },
                FaultRule::on(
                    FaultKind::Error,
                    "cloudtrail",
                    "DescribeTrails",
                    &seeded.account_id("acme-data-dev"),
                ),
            ]
        },
        verify: |seeded, ran| {
            let broken = seeded.account_id("acme-data-dev");
            let verdicts = verdicts(&ran.snapshot);
            assert_eq!(
                statuses(&verdicts, "cloudtrail-multi-region", &broken),
                vec!["ERROR"]
            );
            // The trail checks still judge the organization trail, and say the account's own
            // trails could not be read.
            for check in [
                "cloudtrail-log-file-validation",
                "cloudtrail-kms-encryption",
            ] {
                let got = statuses(&verdicts, check, &broken);
                assert!(got.contains(&"ERROR".to_owned()), "{check}: {got:?}");
            }
            // The throttled account is judged as in a clean scan: its retries succeeded.
            assert_as_seeded_except(seeded, &ran.snapshot, |check, account| {
                account == broken && check.starts_with("cloudtrail-")
            });
        },
    },
    FaultCase {
        name: "Security Hub standards that fail are ERROR in each Region and nothing else",
        dir: "securityhub-fails",
        run: FaultRun::Scan,
        // Its hub is on in both Regions, with standards: only reading them fails.
        faults: |seeded| {
            vec![FaultRule::on(
                FaultKind::Error,
                "securityhub",
                "GetEnabledStandards",
                &seeded.account_id("acme-audit"),
            )]
        },
        verify: |seeded, ran| {
            let broken = seeded.account_id("acme-audit");
            let findings = findings_of(&ran.snapshot, "securityhub-enabled", &broken);
            assert_eq!(findings.len(), REGIONS.split(',').count());
            for finding in findings {
                assert_eq!(finding["status"], "ERROR", "{finding}");
                let reason = finding["reason"].as_str().expect("reason");
                assert!(
                    reason.contains(
                        "but its standards could not be read: securityhub:GetEnabledStandards"
                    ),
                    "{reason}"
                );
            }
            assert_as_seeded_except(seeded, &ran.snapshot, |check, account| {
                (check, account) == ("securityhub-enabled", broken.as_str())
            });
        },
    },
    FaultCase {
        name: "a bucket list that fails is ERROR on the log delivery check alone",
        dir: "buckets-fail",
        run: FaultRun::Scan,
        // Logged by the organization trail, which delivers outside it: PASS when its buckets are
        // read.
        faults: |seeded| {
            vec![FaultRule::on(
                FaultKind::Error,
                "s3",
                "ListBuckets",
                &seeded.account_id("acme-payments-prod"),
            )]
        },
        verify: |seeded, ran| {
            let broken = seeded.account_id("acme-payments-prod");
            let [finding] =
                findings_of(&ran.snapshot, "cloudtrail-logs-outside-account", &broken)[..]
            else {
                panic!("one finding for the account");
            };
            assert_eq!(finding["status"], "ERROR", "{finding}");
            let reason = finding["reason"].as_str().expect("reason");
            assert!(
                reason.contains("but the account's S3 buckets could not be read (s3:ListBuckets"),
                "{reason}"
            );
            assert_as_seeded_except(seeded, &ran.snapshot, |check, account| {
                (check, account) == ("cloudtrail-logs-outside-account", broken.as_str())
            });
        },
    },
    FaultCase {
        name: "a credential report that fails is ERROR on the checks that read it and nothing else",
        dir: "report-fails",
        run: FaultRun::Scan,
        faults: |seeded| {
            vec![FaultRule::on(
                FaultKind::Error,
                "iam",
                "GetCredentialReport",
                &seeded.account_id("acme-data-dev"),
            )]
        },
        verify: |seeded, ran| {
            let broken = seeded.account_id("acme-data-dev");
            let snapshot = &ran.snapshot;
            let verdicts = verdicts(snapshot);
            for check in [
                "iam-user-access-keys",
                "iam-user-console-mfa",
                "access-key-rotation",
                "access-key-unused",
            ] {
                let got = statuses(&verdicts, check, &broken);
                assert_eq!(got, ["ERROR"], "{check}");
                let reason = findings_of(snapshot, check, &broken)[0]["reason"]
                    .as_str()
                    .expect("reason")
                    .to_owned();
                assert!(
                    reason.starts_with(
                        "the credential report could not be read: iam:GetCredentialReport"
                    ),
                    "{check}: {reason}"
                );
            }
            // The root user's keys are also in GetAccountSummary: still judged (the seeded root
            // key).
            assert_eq!(statuses(&verdicts, "root-access-keys", &broken), ["FAIL"]);
            // Every other account is judged as in a clean scan.
            assert_as_seeded_except(seeded, snapshot, |_, account| account == broken);
        },
    },
    FaultCase {
        name: "AWS Config that cannot be read is ERROR where nothing known fails and nowhere else",
        dir: "config-fails",
        run: FaultRun::Scan,
        faults: |seeded| {
            let mut rules = vec![FaultRule::on(
                FaultKind::Error,
                "config",
                "DescribeConfigurationRecorders",
                &seeded.account_id("acme-payments-prod"),
            )];
            // Every account that could hold the organization's aggregator: AWS Config's delegated
            // administrators.
            let aggregator_holders: Vec<String> = seeded.description["delegated_administrators"]
                .as_array()
                .expect("delegated_administrators")
                .iter()
                .filter(|a| a["service_principal"] == "config.amazonaws.com")
                .map(|a| a["account_id"].as_str().expect("id").to_owned())
                .collect();
            assert!(!aggregator_holders.is_empty());
            for holder in &aggregator_holders {
                rules.push(FaultRule::on(
                    FaultKind::Error,
                    "config",
                    "DescribeConfigurationAggregators",
                    holder,
                ));
            }
            rules
        },
        verify: |seeded, ran| {
            let broken = seeded.account_id("acme-payments-prod");
            let snapshot = &ran.snapshot;
            // Without its recorders no Region of the account can pass; one without a delivery
            // channel still fails for that, the others are unknown.
            let findings: BTreeMap<String, (String, String)> = snapshot["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| {
                    f["check"] == "config-recorder-enabled" && f["account"] == broken.as_str()
                })
                .map(|f| {
                    (
                        f["region"].as_str().expect("region").to_owned(),
                        (
                            f["status"].as_str().expect("status").to_owned(),
                            f["reason"].as_str().expect("reason").to_owned(),
                        ),
                    )
                })
                .collect();
            let described = seeded
                .accounts()
                .iter()
                .find(|a| a["id"] == broken.as_str())
                .expect("described");
            let mut errors = 0;
            for config in described["config"].as_array().expect("config") {
                let region = config["region"].as_str().expect("region");
                let (status, reason) = &findings[region];
                let want = if config["delivery_channel"].is_null() {
                    "FAIL"
                } else {
                    errors += 1;
                    "ERROR"
                };
                assert_eq!(status, want, "{region}: {reason}");
                assert!(
                    reason.contains("config:DescribeConfigurationRecorders"),
                    "{region}: {reason}"
                );
            }
            assert!(errors > 0, "the test must see an ERROR");
            let verdicts = verdicts(snapshot);
            let management = seeded.management_account_id();
            assert_eq!(
                statuses(&verdicts, "config-aggregator-organization", &management),
                ["ERROR"]
            );
            let aggregator = snapshot["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .find(|f| f["check"] == "config-aggregator-organization")
                .expect("the aggregator's finding");
            assert!(
                aggregator["reason"]
                    .as_str()
                    .expect("reason")
                    .contains("config:DescribeConfigurationAggregators"),
                "{aggregator}"
            );
            assert_as_seeded_except(seeded, snapshot, |check, account| {
                (account == broken && check == "config-recorder-enabled")
                    || check == "config-aggregator-organization"
            });
        },
    },
    FaultCase {
        name: "a preflight names the accounts it cannot reach and reads nothing else",
        dir: "scan-preflight",
        run: FaultRun::Preflight,
        faults: |seeded| {
            vec![FaultRule::deny_assume_role(
                &seeded.account_id("acme-data-dev"),
            )]
        },
        verify: |seeded, ran| {
            let denied = seeded.account_id("acme-data-dev");
            let stdout = &ran.stdout;
            let active = seeded
                .accounts()
                .iter()
                .filter(|a| a["status"] == "ACTIVE")
                .count();
            for line in [
                "store: can be written".to_owned(),
                format!(
                    "accounts: {active} in scope, {} reachable with role {}, 1 not",
                    active - 1,
                    crate::support::ROLE
                ),
                format!("  unreachable: {denied} (acme-data-dev): sts:AssumeRole"),
                "not ready: a scan would record the above as ERROR".to_owned(),
            ] {
                assert!(
                    stdout.lines().any(|l| l.starts_with(&line)),
                    "{line:?} not in {stdout}"
                );
            }
            let reads = stdout
                .lines()
                .find(|l| l.starts_with("organization-wide reads from here: "))
                .expect("the organization-wide reads");
            assert!(reads.ends_with("can be made"), "{reads}");
            // Nothing was written, and nothing but discovery, the access checks and the
            // organization-wide reads was called: no credential report, no trail, no analyzer.
            assert!(
                posture::snapshot::Store::new(&ran.store)
                    .list()
                    .expect("list")
                    .is_empty()
            );
            for call in &ran.calls {
                let action = format!("{}:{}", call.service, call.action);
                assert!(
                    action.starts_with("organizations:")
                        || action.starts_with("sts:")
                        || action == "account:ListRegions"
                        || action.ends_with(":ListOrganizationAdminAccounts"),
                    "a preflight called {action}"
                );
            }
            assert!(
                ran.calls.len() <= 2 * active + 40,
                "{} calls",
                ran.calls.len()
            );
        },
    },
];

/// Runs one fault case: its faults are added under a [`ClearFaults`] guard (so a panic while
/// they hold still removes them), cleared as soon as posture has run, and only then is the run
/// judged: exit code 3 (finished, with errors), then the case's own assertions.
fn run_fault_case(seeded: &Seeded, admin: &SandboxAdmin, case: &FaultCase) {
    let before = admin.last_seq().expect("record");
    let clear = ClearFaults(admin);
    for rule in (case.faults)(seeded) {
        admin.add_fault(&rule).expect("fault");
    }
    let (code, ran) = match case.run {
        FaultRun::Scan => {
            let (code, snapshot) = scan(seeded, case.dir, &[]);
            let ran = Faulted {
                snapshot,
                stdout: String::new(),
                store: state_dir(&format!("scan-{}", case.dir)),
                calls: Vec::new(),
            };
            (code, ran)
        }
        FaultRun::Preflight => {
            let store = state_dir(case.dir);
            let _ = std::fs::remove_dir_all(&store);
            let output = scan_command(seeded, &store)
                .arg("--preflight")
                .output()
                .expect("run the preflight");
            let calls = admin
                .requests()
                .expect("record")
                .into_iter()
                .filter(|r| r.seq > before)
                .collect();
            let ran = Faulted {
                snapshot: Value::Null,
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                store,
                calls,
            };
            (output.status.code().expect("exit code"), ran)
        }
    };
    clear.clear();
    assert_eq!(
        code, 3,
        "a run with an injected fault finishes with errors: {}",
        ran.stdout
    );
    (case.verify)(seeded, &ran);
}

#[tokio::test]
async fn each_injected_fault_errors_only_what_it_feeds_and_the_rest_is_judged_as_seeded() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    // Every case runs, so one failure does not hide another; each failure's panic message is
    // printed as it happens, and the cases that failed are named at the end.
    let failed: Vec<&str> = FAULT_CASES
        .iter()
        .filter(|case| {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                run_fault_case(seeded, &admin, case);
            }))
            .is_err()
        })
        .map(|case| case.name)
        .collect();
    assert!(failed.is_empty(), "fault cases failed: {failed:#?}");
}
#[test]
fn bad_input_gets_one_line_naming_it_before_any_aws_call() {
    for (args, needle) in [
        (&["--regions", "us-east-7"][..], "--regions: \"us-east-7\""),
        (&["--accounts", "12345"][..], "--accounts: \"12345\""),
        (
            &["--role-name", "no spaces"][..],
            "--role-name: \"no spaces\"",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_posture"))
            .args(["scan", "--endpoint-url", "http://127.0.0.1:9"])
            .args(args)
            .output()
            .expect("run posture");
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }
}

/// The actions a policy file of `policies/` allows.
fn allowed_actions(file: &str) -> BTreeSet<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(file);
    let policy: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("policy")).expect("json");
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|statement| match &statement["Action"] {
            Value::String(action) => vec![action.clone()],
            Value::Array(actions) => actions
                .iter()
                .map(|a| a.as_str().expect("action").to_owned())
                .collect(),
            other => panic!("unexpected Action {other}"),
        })
        .collect()
}

#[tokio::test]
async fn every_call_a_scan_makes_is_a_read_allowed_by_the_shipped_policies() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let admin = seeded.admin();
    let before = admin.last_seq().expect("record");
    scan(seeded, "least-privilege", &[]);
    let calls: Vec<_> = admin
        .requests()
        .expect("record")
        .into_iter()
        .filter(|r| r.seq > before)
        .collect();
    assert!(calls.len() > 50, "the scan made {} calls", calls.len());

    let org_principal = allowed_actions("posture-org-principal.json");
    let auditor_role = allowed_actions("posture-auditor-role.json");
    let management = seeded.management_account_id();
    for call in &calls {
        let action = call.iam_action.clone();
        // Needs no permission, and cannot be denied.
        if action == "sts:GetCallerIdentity" {
            continue;
        }
        let policy = if call.account_id == management && !call.principal.contains(":assumed-role/")
        {
            &org_principal
        } else {
            &auditor_role
        };
        assert!(
            policy.contains(&action),
            "{action} by {} is not in the shipped policy",
            call.principal
        );
        assert!(
            ["Describe", "Get", "List"]
                .iter()
                .any(|read| call.action.starts_with(read))
                // The one write in an audited account: it creates the report the scan then reads.
                || action == "iam:GenerateCredentialReport"
                // Made by the scanning principal in its own account; changes nothing audited.
                || action == "sts:AssumeRole",
            "{action} is not a read"
        );
    }
}

/// The account ids a snapshot's `accounts` records name as in scope (not excluded).
fn account_ids(snapshot: &Value) -> BTreeSet<String> {
    snapshot["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter(|a| a["outcome"] != "excluded")
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn an_ou_scope_includes_its_nested_ous_and_nothing_else() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, snapshot) = scan(seeded, "ou-scope", &["--ous", "/Workloads"]);
    let expected: BTreeSet<String> = seeded
        .accounts()
        .iter()
        .filter(|a| {
            a["ou_path"]
                .as_str()
                .expect("path")
                .starts_with("/Workloads/")
        })
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(expected.len() >= 4);
    assert_eq!(account_ids(&snapshot), expected);
    let findings_accounts: BTreeSet<String> = snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        // Organization checks belong to the management account, whatever the scope.
        .filter(|f| {
            posture::evaluate::catalog()
                .iter()
                .any(|c| c.id == f["check"] && c.scope != posture::evaluate::Scope::Organization)
        })
        .map(|f| f["account"].as_str().expect("account").to_owned())
        .collect();
    assert_eq!(findings_accounts, expected);

    let (_, excluded) = scan(
        seeded,
        "exclude",
        &["--exclude-accounts", &seeded.account_id("acme-audit")],
    );
    assert!(!account_ids(&excluded).contains(&seeded.account_id("acme-audit")));
    assert_eq!(account_ids(&excluded).len(), seeded.accounts().len() - 1);
}

/// Runs `posture scan` expecting it to refuse to run; returns its stderr.
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let home = state_dir("no-home");
    std::fs::create_dir_all(&home).expect("home");
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("scan")
        .args(args)
        .env_clear()
        .env("HOME", &home)
        // Never ask an instance metadata service: there is none here, and it is not ours to ask.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .output()
        .expect("run posture");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn an_ou_that_does_not_exist_is_refused_in_one_line() {
    let seeded = seeded();
    let stderr = refused(
        &["--endpoint-url", seeded.endpoint(), "--ous", "/Nowhere"],
        &CREDENTIALS_ENV,
    );
    assert!(
        stderr.contains("--ous: the organization has no OU \"/Nowhere\""),
        "{stderr}"
    );
}

#[test]
fn no_credentials_are_refused_in_one_line_that_says_what_to_do() {
    let seeded = seeded();
    let stderr = refused(
        &["--endpoint-url", seeded.endpoint()],
        &[("AWS_REGION", "us-east-1")],
    );
    assert!(stderr.contains("no usable AWS credentials"), "{stderr}");
    assert!(stderr.contains("--profile"), "{stderr}");
}

#[tokio::test]
async fn a_trail_homed_in_an_unscanned_region_is_found_and_read_in_its_home_region() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    // Every seeded trail lives in us-east-1; scan eu-west-1 alone.
    let (_, eu_only) = scan(seeded, "eu-only", &["--regions", "eu-west-1"]);
    let (_, both) = scan(seeded, "both-regions", &[]);
    let cloudtrail = |snapshot: &Value| -> BTreeMap<String, String> {
        snapshot["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["check"] == "cloudtrail-multi-region")
            .map(|f| {
                (
                    f["account"].as_str().expect("account").to_owned(),
                    f["status"].as_str().expect("status").to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(cloudtrail(&eu_only), cloudtrail(&both));
    assert!(cloudtrail(&eu_only).values().any(|s| s == "PASS"));
}

#[tokio::test]
async fn a_member_covered_only_by_the_organization_trail_passes() {
    // A sandbox of its own: this test repairs the organization trail.
    let guard = posture::sandbox::SandboxGuard::start(
        posture::sandbox::Sandbox::locate().with_state_dir(state_dir("it-org-trail")),
    )
    .expect("start");
    let description: Value = serde_json::from_slice(
        &std::fs::read(guard.sandbox().seed(8).expect("seed")).expect("read"),
    )
    .expect("json");
    let research = description["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["name"] == "acme-sandbox-research")
        .expect("account");
    assert!(research["trails"].as_array().expect("trails").is_empty());
    let research = research["id"].as_str().expect("id").to_owned();

    let (_, before) = scan_at(guard.endpoint(), "org-trail-before", &[]);
    let status =
        |snapshot: &Value| statuses(&verdicts(snapshot), "cloudtrail-multi-region", &research);
    assert_eq!(
        status(&before),
        vec!["FAIL"],
        "the org trail excludes KMS events"
    );

    // The management account makes its organization trail record every management event.
    let factory = posture::aws::ClientFactory::for_sandbox(guard.endpoint()).await;
    let cloudtrail = factory.cloudtrail(factory.base(), &aws_config::Region::new("us-east-1"));
    cloudtrail
        .put_event_selectors()
        .trail_name("acme-org-trail")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .expect("put event selectors");

    let (_, after) = scan_at(guard.endpoint(), "org-trail-after", &[]);
    assert_eq!(
        status(&after),
        vec!["PASS"],
        "covered by the organization trail alone"
    );
}

#[test]
fn a_profile_that_does_not_exist_is_refused_by_name() {
    let stderr = refused(&["--profile", "no-such-profile"], &[]);
    assert!(
        stderr.contains("--profile: no profile \"no-such-profile\""),
        "{stderr}"
    );
}

#[tokio::test]
async fn account_emails_stay_out_of_the_snapshot_unless_asked() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let scope = format!(
        "{},{}",
        seeded.management_account_id(),
        seeded.account_id("acme-audit")
    );
    let emails: Vec<String> = seeded
        .accounts()
        .iter()
        .map(|a| a["email"].as_str().expect("email").to_owned())
        .collect();
    let (_, without) = scan(seeded, "no-emails", &["--accounts", &scope]);
    let text = without.to_string();
    assert!(emails.iter().all(|e| !text.contains(e.as_str())), "{text}");
    assert_eq!(without["scan"]["scope"]["emails_kept"], false);

    let (_, with) = scan(seeded, "emails", &["--accounts", &scope, "--keep-emails"]);
    assert_eq!(with["scan"]["scope"]["emails_kept"], true);
    for record in with["accounts"].as_array().expect("accounts") {
        let id = record["id"].as_str().expect("id");
        let described = seeded
            .accounts()
            .iter()
            .find(|a| a["id"] == id)
            .expect("described");
        assert_eq!(record["email"], described["email"], "{id}");
    }
}

/// `posture scan` of the sandbox in us-east-1 into `store`, not yet run.
fn scan_command(seeded: &Seeded, store: &std::path::Path) -> Command {
    crate::support::posture_scan_command(seeded.endpoint(), store, &["--regions", "us-east-1"])
}

#[cfg(unix)]
#[tokio::test]
async fn a_scan_whose_disk_fills_up_keeps_its_snapshot_elsewhere_and_says_where() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return; // a full disk on demand is a tmpfs mount, which only root may make
    }
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let dir = state_dir("scan-disk-full");
    let _ = Command::new("umount").arg(dir.join("store")).status();
    let _ = std::fs::remove_dir_all(&dir);
    let full = crate::support::tmpfs(&dir.join("store"), "size=16k").expect("mount a tmpfs");
    let elsewhere = dir.join("tmp");
    std::fs::create_dir_all(&elsewhere).expect("create");
    let output = scan_command(seeded, &full.path)
        .env("TMPDIR", &elsewhere)
        .output()
        .expect("run posture scan");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    let kept_dir = elsewhere.join("posture-unsaved-snapshots");
    let kept: Vec<PathBuf> = std::fs::read_dir(&kept_dir)
        .expect("the snapshot was kept")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(
        stderr.contains(&format!("the snapshot is kept as {}", kept[0].display())),
        "{stderr}"
    );
    // It is the whole snapshot, sealed, and named as the store would have named it.
    let snapshot = posture::snapshot::read_snapshot(&kept[0]).expect("the kept snapshot reads");
    assert_eq!(
        Some(snapshot.integrity.file.as_str()),
        kept[0].file_name().and_then(|n| n.to_str())
    );
    assert!(!snapshot.findings.is_empty());
    let names: Vec<String> = std::fs::read_dir(&full.path)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [".lock"],
        "nothing half-written is left in the store"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_named_like_the_newest_snapshot_does_not_hang_a_scan() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let store = state_dir("scan-fifo");
    let _ = std::fs::remove_dir_all(&store);
    std::fs::create_dir_all(&store).expect("create");
    let fifo = store.join("2026-12-01T00-00-00.000Z.json");
    let name = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("no NUL");
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let child = scan_command(seeded, &store)
        .spawn()
        .expect("run posture scan");
    let status = crate::support::wait_within(child, Duration::from_secs(120), "the scan").status;
    assert!(matches!(status.code(), Some(0 | 3)), "{status}");
    let written = posture::snapshot::Store::new(&store).list().expect("list");
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(posture::snapshot::read_snapshot(&written[0].path).is_ok());
}

#[tokio::test]
async fn users_read_live_give_the_verdicts_the_credential_report_gives() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, from_report) = scan(seeded, "live-iam-report", &["--fresh-after", "any"]);
    // A time no report can be newer than: every account's users are read live.
    let (_, live) = scan(
        seeded,
        "live-iam-live",
        &["--fresh-after", "2999-01-01T00:00:00Z"],
    );
    assert_eq!(verdicts(&live), verdicts(&from_report));
    let read_live = |snapshot: &Value| {
        snapshot["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["check"] == "iam-user-access-keys" && f["status"] != "SKIPPED")
            .all(|f| f["evidence"]["IAM users read live at"].is_string())
    };
    assert!(read_live(&live));
    assert!(!read_live(&from_report));
}

#[tokio::test]
async fn a_key_deactivated_minutes_after_a_scan_shows_in_the_next_scans_diff() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let account = crate::support::account_id_in(&seeded.description, "acme-svc-001-prod");
    let user = "svc-001-ci";
    let store = state_dir("scan-change-window");
    let _ = std::fs::remove_dir_all(&store);
    let before = scan_command(seeded, &store)
        .args(["--accounts", &account])
        .output()
        .expect("scan");
    assert!(matches!(before.status.code(), Some(0 | 3)), "{before:?}");

    let factory = seeded.factory().await;
    let iam = aws_sdk_iam::Client::new(&seeded.member(&factory, &account).await);
    let keys = iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .expect("list keys");
    let key = keys.access_key_metadata()[0]
        .access_key_id()
        .expect("key id")
        .to_owned();
    let set = |status: aws_sdk_iam::types::StatusType| {
        iam.update_access_key()
            .user_name(user)
            .access_key_id(&key)
            .status(status)
            .send()
    };
    set(aws_sdk_iam::types::StatusType::Inactive)
        .await
        .expect("deactivate");
    let after = scan_command(seeded, &store)
        .args(["--accounts", &account])
        .output();
    set(aws_sdk_iam::types::StatusType::Active)
        .await
        .expect("reactivate");
    let after = after.expect("scan");
    assert!(matches!(after.status.code(), Some(0 | 3)), "{after:?}");

    let files = posture::snapshot::Store::new(&store).list().expect("list");
    let [old, new] = &files[..] else {
        panic!("two snapshots: {files:?}");
    };
    // IAM still hands out the report of the first scan: the key shows inactive only because the
    // users were read live.
    let report = |file: &posture::snapshot::StoredSnapshot| {
        let snapshot = posture::snapshot::read_snapshot(&file.path).expect("read");
        match &snapshot.facts.accounts[0].credential_report {
            posture::facts::Collected::Ok(report) => report.clone(),
            posture::facts::Collected::Error(err) => panic!("{err:?}"),
        }
    };
    let (before, after) = (report(old), report(new));
    assert_eq!(before.generated_time, after.generated_time);
    assert_eq!(before.users_read_live_at, None);
    assert!(after.users_read_live_at.is_some());
    let summary = |file: &posture::snapshot::StoredSnapshot| {
        posture::snapshot::read_snapshot_summary(&file.path).expect("read")
    };
    let changes = posture::diff::diff(&summary(old), &summary(new));
    let resolved: Vec<(&str, &str)> = changes
        .of_kind(posture::diff::ChangeKind::Resolved)
        .map(|f| (f.check.as_str(), f.resource.as_str()))
        .collect();
    let resource = format!("arn:aws:iam::{account}:user/{user}/access-key-1");
    assert!(
        resolved.contains(&("iam-user-access-keys", resource.as_str())),
        "{resolved:?}"
    );
}

/// The guardrails as `scp-guardrails` names them, by the seeder's keys (`sandbox/seed.py`).
const GUARDRAIL_NAMES: [(&str, &str); SCP_GUARDRAILS] = [
    ("leave-organization", "deny leaving the organization"),
    ("cloudtrail", "deny stopping or deleting CloudTrail"),
    ("config", "deny stopping or deleting AWS Config"),
    ("guardduty", "deny disabling GuardDuty"),
    ("securityhub", "deny disabling Security Hub"),
    ("root-user", "deny root user actions"),
];

#[tokio::test]
async fn root_mfa_and_centralized_root_access_tell_the_same_story_of_each_root_user() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    assert_eq!(
        seeded.description["root_access"]["features"],
        serde_json::json!(["RootCredentialsManagement", "RootSessions"])
    );
    let (_, snapshot) = scan(
        seeded,
        "root-story",
        &["--checks", "root-mfa,root-access-centralized"],
    );
    let finding = |check: &str, id: &str| -> Value {
        snapshot["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["check"] == check && f["account"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {check} finding for {id}"))
    };
    let mut kinds = BTreeSet::new();
    for account in seeded.accounts() {
        let id = text(&account["id"]);
        if account["status"] != "ACTIVE" || id == seeded.management_account_id() {
            continue;
        }
        let (mfa, central) = (
            finding("root-mfa", id),
            finding("root-access-centralized", id),
        );
        let root = &account["root"];
        let said = |what: &str| central["evidence"][format!("root {what} (either source)")].clone();
        // Each credential the seeder left is one root-mfa counts and this check names.
        assert_eq!(
            said("a password"),
            if root["password"] == true { "1" } else { "0" }
        );
        assert_eq!(
            said("MFA"),
            if root["mfa"] == true { "1" } else { "0" },
            "{id}"
        );
        // The organization's features as IAM answered them, on every member's finding.
        assert_eq!(
            central["evidence"]["enabled features"], "RootCredentialsManagement, RootSessions",
            "{id}"
        );
        if central["status"] == "PASS" {
            assert_eq!(mfa["status"], "PASS", "{id}: {mfa}");
            assert!(
                text(&mfa["reason"]).starts_with("no root credentials"),
                "{mfa}"
            );
        }
        if mfa["status"] == "FAIL" {
            assert_eq!(central["status"], "FAIL", "{id}: {central}");
        }
        kinds.insert((
            text(&mfa["status"]).to_owned(),
            text(&central["status"]).to_owned(),
        ));
    }
    // Seeded: no credentials (PASS, PASS), MFA kept (PASS, FAIL), a password without MFA
    // (FAIL, FAIL).
    assert_eq!(kinds.len(), 3, "{kinds:?}");
}

#[tokio::test]
async fn organization_structure_finds_the_security_ou_and_the_accounts_under_the_root() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, snapshot) = scan(seeded, "structure", &["--checks", "organization-structure"]);
    let findings: BTreeMap<String, Value> = snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == "organization-structure")
        .map(|f| (text(&f["resource"]).to_owned(), f.clone()))
        .collect();
    let id_of = |kind: &str| -> String {
        seeded
            .accounts()
            .iter()
            .find(|a| a["kind"] == kind)
            .map(|a| text(&a["id"]).to_owned())
            .expect("seeded")
    };
    let security = &findings["Security OU"];
    assert_eq!(security["status"], "PASS", "{security}");
    assert_eq!(
        security["evidence"]["log-archive accounts"],
        format!("{} (/Security)", id_of("log-archive"))
    );
    // Every member that administers a security service, as the seeder designated them (the
    // audit account, and the log-archive account for Macie).
    let management = seeded.management_account_id();
    let administrators: BTreeSet<String> = seeded.description["delegated_administrators"]
        .as_array()
        .expect("delegated administrators")
        .iter()
        .map(|a| text(&a["account_id"]).to_owned())
        .filter(|id| *id != management)
        .collect();
    assert!(administrators.contains(&id_of("audit")));
    assert_eq!(
        security["evidence"]["audit accounts"],
        administrators
            .iter()
            .map(|id| format!("{id} (/Security)"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut under_root = 0;
    for account in seeded.accounts() {
        let id = text(&account["id"]);
        if account["status"] != "ACTIVE" || id == seeded.management_account_id() {
            assert!(!findings.contains_key(id), "{id} is not judged");
            continue;
        }
        let finding = &findings[id];
        if account["ou_path"] == "/" {
            under_root += 1;
            assert_eq!(finding["status"], "FAIL", "{finding}");
        } else {
            assert_eq!(finding["status"], "PASS", "{finding}");
            assert_eq!(finding["evidence"]["OU"], account["ou_path"]);
        }
    }
    assert_eq!(
        under_root, 1,
        "the seeder leaves acme-data-dev under the root"
    );
}

#[tokio::test]
async fn rcp_data_perimeter_names_what_each_account_leaves_open_and_which_rcp_denies() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, snapshot) = scan(seeded, "perimeter", &["--checks", "rcp-data-perimeter"]);
    let management = seeded.management_account_id();
    let mut judged = BTreeSet::new();
    for account in seeded.accounts() {
        let id = account["id"].as_str().expect("id");
        if account["status"] != "ACTIVE" || id == management {
            continue;
        }
        let ou_path = text(&account["ou_path"]);
        let finding = snapshot["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["check"] == "rcp-data-perimeter" && f["account"] == id)
            .unwrap_or_else(|| panic!("no rcp-data-perimeter finding for {id}"));
        let reason = text(&finding["reason"]);
        match rcp_open_services(seeded, ou_path) {
            None => assert!(
                reason.starts_with("no RCP beyond"),
                "{id} {ou_path}: {reason}"
            ),
            Some(open) if open.is_empty() => {
                assert_eq!(finding["status"], "PASS", "{id} {ou_path}: {reason}");
            }
            Some(open) => assert!(
                reason.ends_with(&format!("to: {}", open.join(", "))),
                "{id} {ou_path}: {reason}"
            ),
        }
        // Each denial names the seeder's RCP that makes it.
        for service in RCP_SERVICES {
            let said = finding["evidence"][format!("{service} from outside the organization")]
                .as_str()
                .unwrap_or("not said");
            let holder = seeded.description["resource_control_policies"]["attached"]
                .as_array()
                .expect("attached")
                .iter()
                .find(|p| {
                    on_path(ou_path, text(&p["target_path"]))
                        && p["perimeter"]
                            .as_array()
                            .expect("perimeter")
                            .iter()
                            .any(|s| s == service)
                });
            match holder {
                Some(rcp) => assert!(
                    said.starts_with(&format!(
                        "denied by {} ({})",
                        text(&rcp["name"]),
                        text(&rcp["id"])
                    )),
                    "{id} {service}: {said}"
                ),
                None if rcp_open_services(seeded, ou_path).is_some() => {
                    assert_eq!(said, "allowed", "{id} {service}");
                }
                None => {}
            }
        }
        judged.insert(text(&finding["status"]).to_owned());
    }
    assert_eq!(
        judged,
        BTreeSet::from(["FAIL".to_owned(), "PASS".to_owned()]),
        "the seeder builds both"
    );
}

#[tokio::test]
async fn scp_guardrails_say_which_policy_holds_each_guardrail_of_each_account() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, snapshot) = scan(seeded, "guardrails", &["--checks", "scp-guardrails"]);
    let attached = seeded.description["service_control_policies"]["attached"]
        .as_array()
        .expect("attached");
    let management = seeded.management_account_id();
    let mut members = 0;
    for account in seeded.accounts() {
        let id = account["id"].as_str().expect("id");
        if account["status"] != "ACTIVE" || id == management {
            continue;
        }
        members += 1;
        let ou_path = account["ou_path"].as_str().expect("ou_path");
        let applying: Vec<&Value> = attached
            .iter()
            .filter(|p| on_path(ou_path, text(&p["target_path"])))
            .collect();
        let finding = snapshot["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["check"] == "scp-guardrails" && f["account"] == id)
            .unwrap_or_else(|| panic!("no scp-guardrails finding for {id}"));
        let evidence = &finding["evidence"];
        for (key, name) in GUARDRAIL_NAMES {
            let holder = applying.iter().find(|p| {
                p["guardrails"]
                    .as_array()
                    .expect("guardrails")
                    .iter()
                    .any(|g| g == key)
            });
            let said = evidence[name].as_str().unwrap_or_default();
            match holder {
                Some(policy) => assert!(
                    said.starts_with("holds: ")
                        && said.contains(&format!(
                            "{} ({})",
                            text(&policy["name"]),
                            text(&policy["id"])
                        )),
                    "{id} {ou_path} {name}: {said}"
                ),
                None => assert_eq!(said, "missing", "{id} {ou_path} {name}"),
            }
        }
        // The Region restriction: the Regions the seeder allowed, or every Region.
        let allowed = applying
            .iter()
            .find_map(|p| p["regions_allowed"].as_array())
            .map(|regions| {
                regions
                    .iter()
                    .map(|r| text(r).to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "every Region (no Region restriction)".to_owned());
        assert_eq!(
            evidence["Regions an ordinary role may use"],
            allowed.as_str(),
            "{id} {ou_path}"
        );
        // The one that looks like a guardrail is listed on the path, and holds nothing.
        if ou_path.starts_with("/Sandbox") {
            assert!(
                evidence["SCPs on the path"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("deny-stop-logging-in-us-west-2"),
                "{evidence}"
            );
        }
    }
    assert!(members >= 5, "{members} members checked");
    // The raw policies are kept: a re-evaluation of this snapshot judges them again, and the same.
    assert_eq!(reevaluated("guardrails")["findings"], snapshot["findings"]);
}

#[tokio::test]
async fn identity_center_names_what_the_seeder_built_and_reevaluates_the_same() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, snapshot) = scan(seeded, "identity-center", &["--checks", "identity-center"]);
    let built = &seeded.description["identity_center"];
    let finding = |id: &str| -> Value {
        snapshot["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["check"] == "identity-center" && f["account"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no identity-center finding for {id}"))
    };
    let organization_instance = format!(
        "{} ({})",
        text(&built["organization_instance"]["arn"]),
        text(&built["organization_instance"]["region"])
    );
    for account in seeded.accounts() {
        if account["status"] != "ACTIVE" {
            continue;
        }
        let id = text(&account["id"]);
        let evidence = &finding(id)["evidence"];
        assert_eq!(
            evidence["organization instance"],
            organization_instance.as_str(),
            "{id}"
        );
        // The permission sets the seeder assigned there, by ARN, or none.
        let mut reaching: Vec<&str> = built["permission_sets"]
            .as_array()
            .expect("permission sets")
            .iter()
            .filter(|p| {
                p["accounts"]
                    .as_array()
                    .expect("accounts")
                    .contains(&account["id"])
            })
            .map(|p| text(&p["arn"]))
            .collect();
        reaching.sort_unstable();
        let reaching = if reaching.is_empty() {
            "none".to_owned()
        } else {
            reaching.join(", ")
        };
        assert_eq!(
            evidence["permission sets provisioned"],
            reaching.as_str(),
            "{id}"
        );
    }
    for instance in built["account_instances"]
        .as_array()
        .expect("account instances")
    {
        let evidence = &finding(text(&instance["account_id"]))["evidence"];
        assert_eq!(
            evidence["account instances"],
            format!("{} ({})", text(&instance["arn"]), text(&instance["region"])).as_str()
        );
    }
    // The instances and permission sets are kept raw: a re-evaluation judges them the same.
    assert_eq!(
        reevaluated("identity-center")["findings"],
        snapshot["findings"]
    );
}

/// `posture reevaluate --force` of the snapshot [`scan`] wrote as `name`: the new snapshot.
fn reevaluated(name: &str) -> Value {
    let dir = state_dir(&format!("scan-{name}"));
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["reevaluate", "2", "--force", "--snapshots-dir"])
        .arg(&dir)
        .output()
        .expect("run posture reevaluate");
    assert!(output.status.success(), "{output:?}");
    let reevaluated = std::fs::read_dir(&dir)
        .expect("store")
        .map(|e| e.expect("entry").path())
        .find(|p| p.to_string_lossy().contains("-reevaluated."))
        .expect("a re-evaluation");
    serde_json::from_slice(
        &posture::snapshot::read_snapshot_bytes(&reevaluated).expect("a valid snapshot"),
    )
    .expect("json")
}

#[tokio::test]
async fn ec2_declarative_policy_matches_what_the_seeder_pinned_and_set() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, snapshot) = scan(
        seeded,
        "ec2-declarative",
        &["--checks", "ec2-declarative-policy"],
    );
    let built = &seeded.description["declarative_policies_ec2"];
    assert_eq!(built["enabled"], true);
    let pinned_under: Vec<&str> = built["attached"]
        .as_array()
        .expect("attached")
        .iter()
        .map(|p| text(&p["target_path"]))
        .collect();
    let set_by_account: Vec<&str> = built["account_level"]
        .as_array()
        .expect("account level")
        .iter()
        .map(|a| text(&a["account_id"]))
        .collect();
    let findings: Vec<&Value> = snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == "ec2-declarative-policy")
        .collect();
    let mut judged = 0;
    for account in seeded.accounts() {
        if account["status"] != "ACTIVE" {
            continue;
        }
        let id = text(&account["id"]);
        let path = text(&account["ou_path"]);
        let pinned = pinned_under
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")));
        for region in REGIONS.split(',') {
            let finding = findings
                .iter()
                .find(|f| f["account"] == id && f["region"] == region)
                .unwrap_or_else(|| panic!("no finding for {id} in {region}"));
            let evidence = &finding["evidence"];
            assert_eq!(evidence["DECLARATIVE_POLICY_EC2"], "enabled on the root");
            let reason = text(&finding["reason"]);
            if pinned {
                assert_eq!(
                    finding["status"], "PASS",
                    "{id} ({path}) in {region}: {reason}"
                );
                assert_eq!(
                    evidence["snapshot block public access"],
                    "block-all-sharing (managed by declarative-policy)"
                );
            } else if set_by_account.contains(&id) {
                // The same values, set by the account: each fails as not pinned, none as unsafe.
                assert_eq!(finding["status"], "FAIL", "{id} in {region}");
                assert_eq!(
                    reason.matches("but set by the account").count(),
                    4,
                    "{reason}"
                );
                assert_eq!(
                    evidence["IMDS default HttpTokens"],
                    "required (managed by account)"
                );
            } else {
                // A new account's defaults: snapshots unblocked, no IMDS default.
                assert_eq!(finding["status"], "FAIL", "{id} in {region}");
                assert!(
                    reason.contains(
                        "snapshot block public access is unblocked, not block-all-sharing"
                    ) && reason.contains("IMDS default HttpTokens is no-preference, not required"),
                    "{id} in {region}: {reason}"
                );
            }
            judged += 1;
        }
    }
    assert_eq!(
        judged,
        findings.iter().filter(|f| f["status"] != "SKIPPED").count(),
        "one finding per active account and Region"
    );
    assert!(
        findings.iter().any(|f| f["status"] == "PASS"),
        "some account is pinned"
    );
    // The settings are kept raw: a re-evaluation judges them the same.
    assert_eq!(
        reevaluated("ec2-declarative")["findings"],
        snapshot["findings"]
    );
}

#[tokio::test]
async fn management_account_no_workloads_names_what_the_seeder_ran_there() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, snapshot) = scan(
        seeded,
        "management-workloads",
        &["--checks", "management-account-no-workloads"],
    );
    let built = &seeded.description["management_workloads"];
    let mut expected: Vec<(String, String)> = built["ec2_instances"]
        .as_array()
        .expect("instances")
        .iter()
        .map(|i| (text(&i["region"]).to_owned(), text(&i["id"]).to_owned()))
        .chain(
            built["lambda_functions"]
                .as_array()
                .expect("functions")
                .iter()
                .map(|f| (text(&f["region"]).to_owned(), text(&f["arn"]).to_owned())),
        )
        .collect();
    expected.sort();
    let mut failing: Vec<(String, String)> = snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == "management-account-no-workloads")
        .inspect(|f| {
            assert_eq!(f["status"], "FAIL", "{f}");
            assert_eq!(f["account"], seeded.management_account_id());
        })
        .map(|f| {
            (
                text(&f["region"]).to_owned(),
                text(&f["resource"]).to_owned(),
            )
        })
        .collect();
    failing.sort();
    // The running instance and the function; the terminated instance is gone.
    assert_eq!(failing, expected);
    let gone = text(&built["terminated_instances"][0]["id"]);
    assert!(failing.iter().all(|(_, resource)| resource != gone));
}

/// The finding of `check` on `resource` (and `region`, for a regional one).
fn finding<'a>(
    snapshot: &'a Value,
    check: &str,
    region: Option<&str>,
    resource: &str,
) -> &'a Value {
    snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["check"] == check && f["resource"] == resource && f["region"].as_str() == region
        })
        .unwrap_or_else(|| panic!("no {check} finding on {resource} in {region:?}"))
}

#[tokio::test]
async fn each_security_service_has_the_administrator_the_seeder_designated() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let (_, snapshot) = scan(
        seeded,
        "delegated-admins",
        &["--checks", "delegated-admin-not-management"],
    );
    let designated = |principal: &str| -> Vec<String> {
        seeded.description["delegated_administrators"]
            .as_array()
            .expect("delegated administrators")
            .iter()
            .filter(|a| a["service_principal"] == principal)
            .map(|a| text(&a["account_id"]).to_owned())
            .collect()
    };
    let audit = seeded.account_id("acme-audit");
    let management = seeded.management_account_id();
    // What the seeder built: the audit account runs every security tooling service but Macie
    // (the log-archive account) and GuardDuty (the management account itself); Identity Center
    // and Backup are used (trusted access) without an administrator.
    assert_eq!(designated("guardduty.amazonaws.com"), [management]);
    assert_eq!(
        designated("macie.amazonaws.com"),
        [seeded.account_id("acme-log-archive")]
    );
    assert!(designated("backup.amazonaws.com").is_empty());
    assert!(designated("sso.amazonaws.com").is_empty());
    let trusted: Vec<&str> = seeded.description["trusted_access"]
        .as_array()
        .expect("trusted access")
        .iter()
        .map(text)
        .collect();
    assert!(trusted.contains(&"backup.amazonaws.com") && trusted.contains(&"sso.amazonaws.com"));
    for principal in [
        "securityhub.amazonaws.com",
        "access-analyzer.amazonaws.com",
        "inspector2.amazonaws.com",
        "detective.amazonaws.com",
        "fms.amazonaws.com",
        "member.org.stacksets.cloudformation.amazonaws.com",
    ] {
        assert_eq!(
            designated(principal),
            std::slice::from_ref(&audit),
            "{principal}"
        );
    }
    let statuses: BTreeMap<String, String> = snapshot["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == "delegated-admin-not-management")
        .map(|f| {
            (
                text(&f["resource"]).to_owned(),
                text(&f["status"]).to_owned(),
            )
        })
        .collect();
    let expected: BTreeMap<String, String> = [
        ("access-analyzer.amazonaws.com", "PASS"),
        ("backup.amazonaws.com", "FAIL"),
        ("config.amazonaws.com", "PASS"),
        ("detective.amazonaws.com", "PASS"),
        ("fms.amazonaws.com", "PASS"),
        ("guardduty.amazonaws.com", "FAIL"),
        ("inspector2.amazonaws.com", "PASS"),
        ("macie.amazonaws.com", "FAIL"),
        ("member.org.stacksets.cloudformation.amazonaws.com", "PASS"),
        ("securityhub.amazonaws.com", "PASS"),
        ("sso.amazonaws.com", "FAIL"),
    ]
    .into_iter()
    .map(|(p, s)| (p.to_owned(), s.to_owned()))
    .collect();
    assert_eq!(statuses, expected);
    let macie = finding(
        &snapshot,
        "delegated-admin-not-management",
        None,
        "macie.amazonaws.com",
    );
    assert!(
        text(&macie["reason"]).contains(&format!("not by the security tooling account {audit}")),
        "{macie}"
    );
}

#[tokio::test]
async fn guardduty_enrolment_is_what_the_seeder_set_up_in_each_region() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let check = "guardduty-organization-coverage";
    let (_, snapshot) = scan(seeded, "guardduty-organization", &["--checks", check]);
    let built = &seeded.description["guardduty_organization"];
    let admin = text(&built["admin"]).to_owned();
    for region in REGIONS.split(',') {
        let set_up = &built["regions"][region];
        let members: BTreeSet<&str> = set_up["members"]
            .as_array()
            .map(|m| m.iter().map(text).collect())
            .unwrap_or_default();
        let configuration = finding(&snapshot, check, Some(region), "organization configuration");
        let expected = if set_up["auto_enable_members"] == "ALL" {
            "PASS"
        } else {
            "FAIL"
        };
        assert_eq!(configuration["status"], expected, "{configuration}");
        for account in seeded.accounts().iter().filter(|a| a["status"] == "ACTIVE") {
            let id = text(&account["id"]);
            let cell = finding(&snapshot, check, Some(region), id);
            let enrolled = set_up.is_object() && (id == admin || members.contains(id));
            assert_eq!(
                cell["status"],
                if enrolled { "PASS" } else { "FAIL" },
                "{} in {region}: {cell}",
                text(&account["name"])
            );
        }
    }
    // The old account the administrator never added, beside the ones it did.
    let old = seeded.account_id("acme-payments-prod");
    let cell = finding(&snapshot, check, Some("us-east-1"), &old);
    assert!(
        text(&cell["reason"]).contains("auto-enable is NEW"),
        "{cell}"
    );
}

#[tokio::test]
async fn security_hub_central_configuration_reaches_the_accounts_the_seeder_associated() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let check = "securityhub-central-configuration";
    let (_, snapshot) = scan(seeded, "securityhub-central", &["--checks", check]);
    let built = &seeded.description["security_hub_central"];
    assert_eq!(
        finding(&snapshot, check, None, "organization configuration")["status"],
        "PASS"
    );
    let effective = built["accounts"].as_object().expect("accounts");
    let mut left_out = 0;
    for account in seeded.accounts().iter().filter(|a| a["status"] == "ACTIVE") {
        let id = text(&account["id"]);
        let policy = text(&effective[id]);
        let cell = finding(&snapshot, check, None, id);
        if policy == "SELF_MANAGED_SECURITY_HUB" {
            left_out += 1;
            assert_eq!(cell["status"], "FAIL", "{cell}");
            assert!(text(&cell["reason"]).contains("self-managed"), "{cell}");
        } else {
            assert_eq!(cell["status"], "PASS", "{cell}");
        }
    }
    // The OU left out, and the account under the root.
    assert!(left_out >= 2, "{left_out} accounts left out");
}

#[tokio::test]
async fn the_organization_trail_lands_in_the_log_archive_account_protected() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let check = "organization-trail-log-archive";
    let (_, snapshot) = scan(seeded, "org-trail", &["--checks", check]);
    assert_eq!(seeded.description["org_trail_bucket"], "log-archive");
    let cell = finding(&snapshot, check, None, "organization trail");
    assert_eq!(cell["status"], "PASS", "{cell}");
    let archive = seeded.account_id("acme-log-archive");
    assert!(
        text(&cell["reason"]).contains(&format!(
            "of account {archive} (/Security), protected by its bucket policy"
        )),
        "{cell}"
    );
}

#[tokio::test]
async fn an_organization_trail_into_the_management_accounts_own_bucket_fails() {
    let guard = posture::sandbox::SandboxGuard::start(
        posture::sandbox::Sandbox::locate().with_state_dir(state_dir("it-self-logging")),
    )
    .expect("start");
    let description: Value = serde_json::from_slice(
        &std::fs::read(
            guard
                .sandbox()
                .seed_with(8, &["--org-trail-bucket", "management"])
                .expect("seed"),
        )
        .expect("read"),
    )
    .expect("json");
    assert_eq!(description["org_trail_bucket"], "management");
    let check = "organization-trail-log-archive";
    let (_, snapshot) = scan_at(guard.endpoint(), "self-logging", &["--checks", check]);
    let cell = finding(&snapshot, check, None, "organization trail");
    assert_eq!(cell["status"], "FAIL", "{cell}");
    let reason = text(&cell["reason"]);
    assert!(
        reason.contains("it delivers into a bucket of the management account itself"),
        "{reason}"
    );
    assert!(
        reason.contains("nothing stops deletion of its logs"),
        "{reason}"
    );
}

#[tokio::test]
async fn control_tower_findings_are_the_landing_zone_the_seeder_built() {
    let _exclusive = exclusive().await;
    let seeded = seeded();
    let check = "control-tower-landing-zone";
    let (_, snapshot) = scan(seeded, "control-tower", &["--checks", check]);
    let built = &seeded.description["control_tower"];
    let zone = &built["landing_zone"];
    let current = zone["version"] == zone["latest_available_version"] && zone["drift"] == "IN_SYNC";
    let landing = finding(&snapshot, check, None, "landing zone");
    assert_eq!(
        landing["status"],
        if current { "PASS" } else { "FAIL" },
        "{landing}"
    );
    let drifted: BTreeSet<&str> = built["enabled_controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| c["drift"] == "DRIFTED")
        .map(|c| text(&c["target_path"]))
        .collect();
    assert!(!drifted.is_empty(), "the seeder drifts one control");
    let mut ungoverned: Vec<&str> = built["ungoverned_ous"]
        .as_array()
        .expect("ungoverned")
        .iter()
        .map(text)
        .collect();
    ungoverned.sort_unstable();
    assert_eq!(
        landing["evidence"]["OUs not governed"],
        ungoverned.join(", ")
    );
    for path in built["governed_ous"]
        .as_array()
        .expect("governed")
        .iter()
        .map(text)
    {
        let cell = finding(&snapshot, check, None, path);
        let expected = if drifted.contains(path) {
            "FAIL"
        } else {
            "PASS"
        };
        assert_eq!(cell["status"], expected, "{path}: {cell}");
    }
    for path in &ungoverned {
        let cell = finding(&snapshot, check, None, path);
        assert_eq!(cell["status"], "FAIL", "{path}: {cell}");
        assert!(text(&cell["reason"]).contains("not registered"), "{cell}");
    }
}
