//! The JSON users build on, as insta snapshots (cargo-deny's way): `posture checks --json`,
//! `posture diff --json` of the fixture store's two snapshots, and the findings the current checks
//! give on the fixture's facts (`posture reevaluate`). Each snapshot holds the whole document, so
//! a change of shape or of any value fails until it is reviewed (`cargo insta review`).
//!
//! What changes without the output changing meaning is redacted by insta, not by editing: the
//! catalogue version (a hash of `checks/`, which every edit of a check's prose moves), the times
//! a run stamps and posture's own version. The fixture's own times and hashes are fixed data and
//! stay in.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::state_dir;

/// The fixture store (`tests/fixtures/snapshots/v1`): two snapshots of one organization.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/v1")
}

/// A copy of the fixture store in a directory of the test's own, so commands that write (the
/// store's lock, a re-evaluated snapshot) never touch the repository.
fn fixture_copy(name: &str) -> PathBuf {
    let dir = state_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the store");
    for entry in std::fs::read_dir(fixture()).expect("fixture") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

/// Runs `posture` with `args`; returns the exit code and standard output parsed as JSON.
fn posture_json(args: &[&str]) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run posture");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|err| {
        panic!(
            "posture {args:?} printed no JSON ({err}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("exit code"), json)
}

/// insta settings for this module: snapshots beside the site's, named without the module.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn checks_json_matches_its_snapshot() {
    let (code, json) = posture_json(&["checks", "--json"]);
    assert_eq!(code, 0);
    settings().bind(|| {
        insta::assert_json_snapshot!("checks-json", json, {
            ".catalogue_version" => "[catalogue version]",
        });
    });
}

#[test]
fn diff_json_of_the_fixture_store_matches_its_snapshot() {
    let store = fixture_copy("json-diff");
    let store_arg = store.to_str().expect("utf-8 path");
    let (code, json) = posture_json(&["diff", "--snapshots-dir", store_arg, "--json"]);
    // The fixture's newer snapshot has a new failure: the gate says so with exit code 1.
    assert_eq!(code, 1);
    settings().bind(|| {
        // Nothing to redact: every time, hash and version in it is the fixture's own.
        insta::assert_json_snapshot!("diff-json", json);
    });
}

#[test]
fn findings_of_the_fixture_snapshot_match_their_snapshot() {
    let store = fixture_copy("json-findings");
    let newest = "2026-11-23T09-03-19.569Z.json";
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(["reevaluate", "--snapshots-dir"])
        .arg(&store)
        .arg(newest)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run posture reevaluate");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reevaluated: Vec<PathBuf> = std::fs::read_dir(&store)
        .expect("store")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with("-reevaluated.json"))
        .collect();
    let [path] = &reevaluated[..] else {
        panic!("one re-evaluated snapshot: {reevaluated:?}");
    };
    let bytes = posture::snapshot::read_snapshot_bytes(path).expect("a valid snapshot");
    let snapshot: Value = serde_json::from_slice(&bytes).expect("json");
    let shown = serde_json::json!({
        "reevaluation": snapshot["reevaluation"],
        "findings": snapshot["findings"],
    });
    settings().bind(|| {
        insta::assert_json_snapshot!("fixture-findings-json", shown, {
            ".reevaluation.reevaluated_at" => "[time]",
            ".reevaluation.posture_version" => "[version]",
            ".reevaluation.catalogue_version" => "[catalogue version]",
        });
    });
}
