//! `posture diff` on real scans of a sandbox of its own, before and after the seeder's change
//! step: the demo's story exactly, and then every kind of transition — an account that cannot be
//! read, a Region dropped, an account excluded and brought back, accounts joining and leaving, a
//! check added — each with the cause that explains it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use posture::diff::{Cause, ChangeKind, Changes, diff};
use posture::sandbox::{FaultRule, Sandbox, SandboxAdmin, SandboxGuard};
use posture::snapshot::{Store, read_snapshot_summary};
use serde_json::Value;

use crate::support::{ClearFaults, account_id_in, posture_scan, state_dir};

/// Runs `posture scan` into `store`; returns the new snapshot's path.
fn scan(endpoint: &str, store: &Path, args: &[&str]) -> PathBuf {
    let output = posture_scan(endpoint, store, args);
    let code = output.status.code().expect("exit code");
    assert!(
        code == 0 || code == 3,
        "posture scan exited {code}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Store::new(store)
        .list()
        .expect("list")
        .pop()
        .expect("a snapshot")
        .path
}

fn changes(old: &Path, new: &Path) -> Changes {
    diff(
        &read_snapshot_summary(old).expect("old"),
        &read_snapshot_summary(new).expect("new"),
    )
}

/// The kinds that changed, with how many findings each (still failing and still unknown left out).
fn changed_kinds(changes: &Changes) -> BTreeMap<ChangeKind, usize> {
    changes
        .summary
        .total
        .iter()
        .filter(|(kind, n)| {
            **n > 0 && !matches!(kind, ChangeKind::StillFailing | ChangeKind::StillUnknown)
        })
        .map(|(kind, n)| (*kind, *n))
        .collect()
}

#[tokio::test]
async fn real_scans_around_the_change_step_show_every_transition_with_its_cause() {
    let guard =
        SandboxGuard::start(Sandbox::locate().with_state_dir(state_dir("it-diff"))).expect("start");
    let endpoint = guard.endpoint().to_owned();
    let description: Value = serde_json::from_slice(
        &std::fs::read(guard.sandbox().seed(8).expect("seed")).expect("read"),
    )
    .expect("json");
    let research = account_id_in(&description, "acme-sandbox-research");
    let data_dev = account_id_in(&description, "acme-data-dev");
    let legacy = account_id_in(&description, "acme-legacy-reporting");
    let demo_store = state_dir("it-diff-demo");
    let store = state_dir("it-diff-kinds");
    for dir in [&demo_store, &store] {
        let _ = std::fs::remove_dir_all(dir);
    }
    let demo_flags = ["--regions", "us-east-1,eu-west-1"];

    // Before the change window: the demo's scan, and a narrower one (research excluded, one
    // check left out).
    let demo_before = scan(&endpoint, &demo_store, &demo_flags);
    let all_but_one: Vec<&str> = posture::evaluate::catalog()
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| *id != "delegated-admin-not-management")
        .collect();
    let narrow_before = scan(
        &endpoint,
        &store,
        &[
            "--regions",
            "us-east-1,eu-west-1",
            "--exclude-accounts",
            &research,
            "--checks",
            &all_but_one.join(","),
        ],
    );
    guard.sandbox().change().expect("change");

    // The demo's two scans differ by exactly the change step: two resolved, one regressed.
    let demo_after = scan(&endpoint, &demo_store, &demo_flags);
    let demo = changes(&demo_before, &demo_after);
    assert_eq!(
        changed_kinds(&demo),
        BTreeMap::from([(ChangeKind::Regressed, 1), (ChangeKind::Resolved, 2)]),
        "{:#?}",
        demo.findings
    );
    assert!(
        demo.scope.is_empty() && demo.accounts_joined.is_empty() && demo.checks_added.is_empty()
    );
    let regressed = demo.of_kind(ChangeKind::Regressed).next().expect("one");
    assert!(
        regressed
            .resource
            .ends_with("user/hotfix-deployer/access-key-1"),
        "{regressed:?}"
    );
    assert!(
        matches!(&regressed.causes[..], [Cause::ResourceChanged { detail }] if detail == "newly reported")
    );
    let resolved: Vec<_> = demo
        .of_kind(ChangeKind::Resolved)
        .map(|f| f.check.as_str())
        .collect();
    assert_eq!(resolved, ["root-mfa", "external-access-findings"]);
    let (code, stdout) = diff_command(&demo_store, &[]);
    assert_eq!(code, 1, "a regression fails the change pipeline: {stdout}");

    // Then: an account joins, the suspended one leaves, data-dev's role is denied; the scan
    // covers one Region only, brings research back and runs every check.
    let factory = posture::aws::ClientFactory::for_sandbox(&endpoint).await;
    let organizations = factory.organizations(factory.base());
    let created = organizations
        .create_account()
        .account_name("acme-new-joiner")
        .email("new-joiner@example.com")
        .send()
        .await
        .expect("create account");
    let joiner = created
        .create_account_status()
        .and_then(|s| s.account_id())
        .expect("new account id")
        .to_owned();
    organizations
        .remove_account_from_organization()
        .account_id(&legacy)
        .send()
        .await
        .expect("remove account");
    let admin = SandboxAdmin::new(&endpoint);
    let faults = ClearFaults(&admin);
    admin
        .add_fault(&FaultRule::deny_assume_role(&data_dev))
        .expect("fault");
    let wide_after = scan(&endpoint, &store, &["--regions", "us-east-1"]);
    faults.clear();

    let wide = changes(&narrow_before, &wide_after);
    let kinds = changed_kinds(&wide);
    for kind in [
        ChangeKind::Regressed,
        ChangeKind::Resolved,
        ChangeKind::NewlyUnknown,
        ChangeKind::NoLongerEvaluated,
        ChangeKind::NewlyEvaluated,
    ] {
        assert!(kinds.contains_key(&kind), "no {kind:?} in {kinds:?}");
    }
    assert!(wide.count(ChangeKind::StillFailing) > 0);
    assert_eq!(wide.scope.regions_removed, ["eu-west-1"]);
    assert_eq!(
        wide.scope.options,
        [format!("--exclude-accounts: {research} → (all)")]
    );
    assert_eq!(
        wide.accounts_joined
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        [joiner.as_str()]
    );
    assert_eq!(
        wide.accounts_left
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        [legacy.as_str()]
    );
    assert_eq!(wide.checks_added, ["delegated-admin-not-management"]);
    for finding in &wide.findings {
        let cause = finding.causes.first();
        match finding.kind {
            // Unreadable now: only data-dev, and the cause says it was the role.
            ChangeKind::NewlyUnknown => {
                assert_eq!(finding.account, data_dev, "{finding:?}");
                assert!(
                    matches!(cause, Some(Cause::CoverageChanged { detail }) if detail.contains("AssumeRole")),
                    "{finding:?}"
                );
            }
            // Dropped Region, departed account: never "resolved".
            ChangeKind::NoLongerEvaluated => {
                assert!(
                    finding.region.as_deref() == Some("eu-west-1") || finding.account == legacy,
                    "{finding:?}"
                );
                assert!(
                    matches!(cause, Some(Cause::ScopeChanged { .. })),
                    "{finding:?}"
                );
            }
            // Research back in scope, the new account, the new check.
            ChangeKind::NewlyEvaluated => {
                assert!(
                    finding.account == research
                        || finding.account == joiner
                        || finding.check == "delegated-admin-not-management",
                    "{finding:?}"
                );
                assert!(
                    matches!(cause, Some(Cause::ScopeChanged { .. })),
                    "{finding:?}"
                );
            }
            ChangeKind::Resolved => {
                assert!(
                    finding.account != data_dev && finding.account != legacy,
                    "{finding:?}"
                );
                assert!(
                    matches!(cause, Some(Cause::ResourceChanged { .. })),
                    "{finding:?}"
                );
            }
            _ => {}
        }
    }

    // data-dev readable again: recovered, and nothing else changed.
    let recovered_scan = scan(&endpoint, &store, &["--regions", "us-east-1"]);
    let recovered = changes(&wide_after, &recovered_scan);
    let kinds = changed_kinds(&recovered);
    assert_eq!(
        kinds.keys().copied().collect::<Vec<_>>(),
        [ChangeKind::Recovered],
        "{kinds:?}"
    );
    assert!(recovered.findings.iter().filter(|f| f.kind == ChangeKind::Recovered).all(|f| {
        f.account == data_dev
            && matches!(f.causes.first(), Some(Cause::CoverageChanged { detail }) if detail.starts_with("readable again"))
    }));
    // The reverse diff swaps sides: recovered becomes newly unknown, nothing else moves.
    let back = changes(&recovered_scan, &wide_after);
    assert_eq!(
        changed_kinds(&back),
        BTreeMap::from([(
            ChangeKind::NewlyUnknown,
            recovered.count(ChangeKind::Recovered)
        )])
    );
    let store = Store::new(&store);
    assert!(
        posture::snapshot::verify_store(&store, |_| {})
            .expect("verify")
            .intact()
    );
}

/// Runs `posture diff` on the two newest snapshots of `store`.
fn diff_command(store: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .arg("diff")
        .arg("--snapshots-dir")
        .arg(store)
        .args(args)
        .output()
        .expect("run posture diff");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}
