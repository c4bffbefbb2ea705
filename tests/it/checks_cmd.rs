//! `posture checks`: the catalogue, one check, and the NIST CSF 2.0 coverage, run as the binary.
//! Expectations come from the files in `checks/` (the check files, the classification
//! `checks/nist-csf-2.0-aws.toml`, and the Core the binary embeds), never from a list of today's
//! checks, so a check added to the catalogue is tested by the same tests. Every run
//! has an empty environment and an empty working directory: the command must need no credentials,
//! no AWS and no snapshot store.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::support::state_dir;

/// Runs `posture ARGS` with no environment (no AWS credentials, profile or endpoint) in an empty
/// directory: (exit status, stdout, stderr).
fn posture(args: &[&str]) -> (i32, String, String) {
    let empty = state_dir("checks-cmd-empty");
    std::fs::create_dir_all(&empty).expect("create an empty directory");
    let output = Command::new(env!("CARGO_BIN_EXE_posture"))
        .args(args)
        .env_clear()
        .env("HOME", &empty)
        .current_dir(&empty)
        .output()
        .expect("run posture");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// One `checks/<id>.toml` as written.
struct CheckFile {
    id: String,
    toml: toml::Table,
}

impl CheckFile {
    fn str(&self, key: &str) -> &str {
        self.toml[key].as_str().expect(key)
    }

    fn list(&self, key: &str) -> Vec<&str> {
        let value = match key.split_once('.') {
            Some((table, field)) => self.toml[table].get(field),
            None => self.toml.get(key),
        };
        value
            .and_then(|v| v.as_array())
            .map(|a| a.iter().map(|v| v.as_str().expect(key)).collect())
            .unwrap_or_default()
    }

    fn csf_ids(&self) -> Vec<&str> {
        self.list("mappings.nist_csf_2")
    }
}

/// `checks/landing-zone-controls.toml`, the other TOML file in `checks/` that is not a check.
fn landing_zone_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(posture::evaluate::landing_zone::LANDING_ZONE_FILE)
}

/// `checks/nist-csf-2.0-aws.toml`, one of the two TOML files in `checks/` that are not checks.
fn classification_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(posture::evaluate::csf_evidence::NIST_CSF_2_AWS_FILE)
}

/// What `checks/nist-csf-2.0-aws.toml` says of a subcategory, read here with the `toml` crate
/// rather than posture's parser.
#[derive(Debug)]
struct Classified {
    /// `aws` or `outside`.
    kind: String,
    /// The file's one line for it.
    evidence: String,
}

/// The classification as written: subcategory id → its kind and line.
fn classification() -> BTreeMap<String, Classified> {
    let path = classification_path();
    let text = std::fs::read_to_string(&path).expect("read the classification");
    let table: toml::Table = toml::from_str(&text).expect("the classification is TOML");
    let rows = table["subcategories"].as_array().expect("subcategories");
    let mut classified = BTreeMap::new();
    for row in rows {
        let field = |key: &str| row[key].as_str().expect(key).to_owned();
        let previous = classified.insert(
            field("id"),
            Classified {
                kind: field("kind"),
                evidence: field("evidence"),
            },
        );
        assert!(previous.is_none(), "{} is listed twice", field("id"));
    }
    classified
}

/// The NIST CSF 2.0 ids the check files name.
fn named_csf_ids() -> BTreeSet<String> {
    check_files()
        .iter()
        .flat_map(|f| f.csf_ids())
        .map(str::to_owned)
        .collect()
}

/// What the coverage must say of subcategory `id`, from the files: its status and, without a
/// check, the text of its line (with checks, the line is `checked by` them, in catalogue order).
fn expected_coverage(
    id: &str,
    named: &BTreeSet<String>,
    classified: &BTreeMap<String, Classified>,
) -> (&'static str, Option<String>) {
    let entry = classified
        .get(id)
        .unwrap_or_else(|| panic!("{id} is not in checks/nist-csf-2.0-aws.toml"));
    if named.contains(id) {
        assert_eq!(
            entry.kind, "aws",
            "{id}: a check maps to it, so it must be `aws`"
        );
        ("checked", None)
    } else if entry.kind == "aws" {
        let text = format!(
            "no posture check yet (AWS APIs could give evidence: {})",
            entry.evidence
        );
        ("not_yet_checked", Some(text))
    } else {
        assert_eq!(entry.kind, "outside", "{id}");
        let text = format!("cannot be assessed from AWS APIs ({})", entry.evidence);
        ("outside_aws", Some(text))
    }
}

/// The checks whose files map to `id`, by id.
fn checks_naming(id: &str) -> BTreeSet<String> {
    check_files()
        .into_iter()
        .filter(|f| f.csf_ids().contains(&id))
        .map(|f| f.id)
        .collect()
}

/// Every check file in `checks/`, by id.
fn check_files() -> Vec<CheckFile> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("checks");
    let mut files: Vec<CheckFile> = std::fs::read_dir(&dir)
        .expect("read checks/")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .filter(|path| *path != classification_path() && *path != landing_zone_path())
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read a check file");
            CheckFile {
                id: path
                    .file_stem()
                    .expect("a file name")
                    .to_string_lossy()
                    .into_owned(),
                toml: toml::from_str(&text).expect("a check file is TOML"),
            }
        })
        .collect();
    files.sort_by(|a, b| a.id.cmp(&b.id));
    assert!(!files.is_empty(), "no check files in {}", dir.display());
    files
}

/// NIST's statement of a NIST CSF 2.0 subcategory, from the Core the binary embeds.
fn statement(id: &str) -> &'static str {
    &posture::evaluate::nist_csf_2()
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{id} is not in the NIST CSF 2.0 Core"))
        .statement
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|err| panic!("not JSON ({err}): {stdout}"))
}

#[test]
fn the_table_lists_every_check_file_with_its_severity_and_csf_ids() {
    let files = check_files();
    let (code, stdout, stderr) = posture(&["checks"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    for file in &files {
        let row = stdout
            .lines()
            .find(|line| line.split_whitespace().next() == Some(file.id.as_str()))
            .unwrap_or_else(|| panic!("no row for {}:\n{stdout}", file.id));
        for expected in [file.str("severity"), file.str("scope"), file.str("title")] {
            assert!(
                row.contains(expected),
                "{} lacks {expected:?}: {row}",
                file.id
            );
        }
        for id in file.csf_ids() {
            assert!(row.contains(id), "{} lacks {id}: {row}", file.id);
        }
    }
    // The checks' line ends their table; the landing-zone controls follow it.
    let last = stdout
        .lines()
        .find(|line| line.starts_with(&format!("{} checks (", files.len())))
        .expect("the checks' count line");
    assert!(
        last.starts_with(&format!("{} checks", files.len()))
            && last.contains("posture checks ID")
            && last.contains("--framework nist-csf-2.0"),
        "{last}"
    );
}

#[test]
fn the_json_listing_holds_every_check_file_as_written() {
    let files = check_files();
    let (code, stdout, stderr) = posture(&["checks", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let listing = json(&stdout);
    assert_eq!(
        listing["catalogue_version"],
        posture::evaluate::catalogue_version()
    );
    let listed: BTreeSet<&str> = listing["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    let on_disk: BTreeSet<&str> = files.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(listed, on_disk);
    for file in &files {
        let check = listing["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == file.id.as_str())
            .unwrap();
        assert_eq!(
            check["mappings"]["nist_csf_2"],
            serde_json::to_value(file.csf_ids()).unwrap()
        );
        assert_eq!(check["title"], file.str("title"));
    }
}

#[test]
fn one_check_shows_every_field_and_the_statement_of_each_of_its_csf_ids() {
    for file in check_files() {
        let (code, stdout, stderr) = posture(&["checks", &file.id]);
        assert_eq!(code, 0, "{}: {stderr}", file.id);
        assert!(
            stdout.starts_with(&format!("check          {}\n", file.id)),
            "{stdout}"
        );
        for key in ["title", "severity", "scope", "service"] {
            assert!(
                stdout.contains(&format!("{key:<14} {}\n", file.str(key))),
                "{}: {key}:\n{stdout}",
                file.id
            );
        }
        assert!(
            stdout.contains(&format!(
                "logic version  {}\n",
                file.toml["logic_version"].as_integer().unwrap()
            )),
            "{stdout}"
        );
        for key in ["rationale", "risk", "remediation"] {
            for line in file.str(key).lines().filter(|l| !l.trim().is_empty()) {
                assert!(stdout.contains(line), "{}: {key} lacks {line:?}", file.id);
            }
        }
        for reference in file.list("references") {
            assert!(stdout.contains(reference), "{}: {reference}", file.id);
        }
        for id in file.csf_ids() {
            let line = format!("{id}  {}\n", statement(id));
            assert!(
                stdout.contains(&line),
                "{}: no {line:?} in\n{stdout}",
                file.id
            );
        }
        for (family, name) in [
            ("nist_csf_2", "NIST CSF 2.0"),
            ("cis_aws_v3", "CIS AWS Foundations Benchmark v3.0.0"),
            ("cis_aws_v5", "CIS AWS Foundations Benchmark v5.0.0"),
            ("cis_aws_v7", "CIS AWS Foundations Benchmark v7.0.0"),
            ("nist_800_53_r5", "NIST SP 800-53 Rev. 5"),
            ("nist_csf_1_1", "NIST CSF 1.1"),
            ("security_hub", "AWS Security Hub controls"),
        ] {
            let row = stdout
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{name}  ")))
                .unwrap_or_else(|| panic!("{}: no {name} row:\n{stdout}", file.id));
            let ids = file.list(&format!("mappings.{family}"));
            if ids.is_empty() {
                assert!(row.ends_with("  none"), "{}: {row}", file.id);
            }
            for id in ids {
                assert!(row.contains(id), "{}: {name} lacks {id}: {row}", file.id);
            }
        }
    }
}

#[test]
fn one_check_as_json_resolves_each_csf_id_against_the_core() {
    for file in check_files() {
        let (code, stdout, stderr) = posture(&["checks", &file.id, "--json"]);
        assert_eq!(code, 0, "{}: {stderr}", file.id);
        let detail = json(&stdout);
        assert_eq!(detail["check"]["id"], file.id.as_str());
        assert_eq!(detail["check"]["rationale"], file.str("rationale"));
        let resolved: Vec<(&str, &str)> = detail["nist_csf_2"]
            .as_array()
            .expect("nist_csf_2")
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), s["statement"].as_str().unwrap()))
            .collect();
        let expected: Vec<(&str, &str)> = file
            .csf_ids()
            .into_iter()
            .map(|id| (id, statement(id)))
            .collect();
        assert_eq!(resolved, expected, "{}", file.id);
    }
}

#[test]
fn an_unknown_check_is_one_line_naming_it_and_the_closest_id_with_status_2() {
    let files = check_files();
    let real = &files[0].id;
    // One letter dropped: a typo whose closest id is the real one.
    let typo: String = real.chars().skip(1).collect();
    for (asked, suggested) in [
        (typo.as_str(), Some(real.as_str())),
        ("no-such-check-at-all", None),
    ] {
        for json_flag in [false, true] {
            let mut args = vec!["checks", asked];
            if json_flag {
                args.push("--json");
            }
            let (code, stdout, stderr) = posture(&args);
            assert_eq!(code, 2, "{asked}: {stderr}");
            assert_eq!(stdout, "", "{asked}");
            assert_eq!(stderr.lines().count(), 1, "{asked}: {stderr}");
            assert!(
                stderr.starts_with(&format!("posture: no check {asked:?} in the catalogue")),
                "{stderr}"
            );
            assert!(
                stderr.contains("`posture checks` lists every check"),
                "{stderr}"
            );
            if let Some(id) = suggested {
                let (_, suggestions) = stderr.split_once("did you mean ").expect(&stderr);
                assert!(suggestions.contains(id), "{stderr}");
            }
        }
    }
}

#[test]
fn the_coverage_json_says_of_each_of_the_106_subcategories_what_the_files_say() {
    let named = named_csf_ids();
    let classified = classification();
    let (code, stdout, stderr) = posture(&["checks", "--framework", "nist-csf-2.0", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let coverage = json(&stdout);
    assert_eq!(coverage["framework"]["id"], "nist-csf-2.0");
    assert_eq!(coverage["checks"], check_files().len());
    let functions = coverage["functions"].as_array().expect("functions");
    let ids: Vec<&str> = functions
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["GV", "ID", "PR", "DE", "RS", "RC"]);
    let mut listed = BTreeSet::new();
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for function in functions {
        let mut in_function: BTreeMap<&str, usize> = BTreeMap::new();
        for category in function["categories"].as_array().unwrap() {
            let mut in_category: BTreeMap<&str, usize> = BTreeMap::new();
            for sub in category["subcategories"].as_array().unwrap() {
                let id = sub["id"].as_str().unwrap();
                assert!(listed.insert(id.to_owned()), "{id} is listed twice");
                assert_eq!(sub["statement"], statement(id), "{id}");
                let checks: BTreeSet<String> = sub["checks"]
                    .as_array()
                    .expect("checks")
                    .iter()
                    .map(|c| c.as_str().expect("a check id").to_owned())
                    .collect();
                assert_eq!(checks, checks_naming(id), "{id}");
                let (status, text) = expected_coverage(id, &named, &classified);
                assert_eq!(sub["status"], status, "{id}");
                assert_eq!(sub["evidence"], classified[id].evidence.as_str(), "{id}");
                match text {
                    None => {
                        assert_eq!(sub["assessment"], "checked", "{id}");
                        assert!(sub.get("reason").is_none(), "{id}: {sub}");
                    }
                    Some(text) => {
                        assert_eq!(sub["assessment"], "not_assessed", "{id}");
                        assert_eq!(sub["reason"], text.as_str(), "{id}");
                    }
                }
                *in_category.entry(status).or_default() += 1;
            }
            assert_counts(
                &category["summary"],
                &in_category,
                category["id"].as_str().unwrap(),
            );
            for (status, n) in in_category {
                *in_function.entry(status).or_default() += n;
            }
        }
        assert_counts(
            &function["summary"],
            &in_function,
            function["id"].as_str().unwrap(),
        );
        for (status, n) in in_function {
            *totals.entry(status).or_default() += n;
        }
    }
    assert_counts(&coverage["summary"], &totals, "the Core");
    // Every subcategory of the Core, and every one the classification names.
    let core: BTreeSet<String> = posture::evaluate::nist_csf_2()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(core.len(), 106);
    assert_eq!(listed, core);
    assert_eq!(classified.keys().cloned().collect::<BTreeSet<_>>(), core);
}

/// A `summary` counts the statuses seen below it.
fn assert_counts(summary: &Value, seen: &BTreeMap<&str, usize>, whose: &str) {
    let n = |status| seen.get(status).copied().unwrap_or(0);
    let (checked, not_yet, outside) = (n("checked"), n("not_yet_checked"), n("outside_aws"));
    assert_eq!(
        summary,
        &serde_json::json!({
            "subcategories": checked + not_yet + outside,
            "covered": checked,
            "not_assessed": not_yet + outside,
            "not_yet_checked": not_yet,
            "outside_aws": outside,
        }),
        "{whose}"
    );
}

#[test]
fn the_coverage_table_says_of_each_subcategory_what_the_files_say_and_ends_with_the_totals() {
    let named = named_csf_ids();
    let classified = classification();
    let (code, stdout, stderr) = posture(&["checks", "--framework", "nist-csf-2.0"]);
    assert_eq!(code, 0, "{stderr}");
    let mut count: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for sub in posture::evaluate::nist_csf_2() {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{}  ", sub.id)))
            .unwrap_or_else(|| panic!("no line for {}", sub.id));
        let what = line.trim_start()[sub.id.len()..].trim();
        let (status, text) = expected_coverage(&sub.id, &named, &classified);
        match text {
            None => {
                let checks = what
                    .strip_prefix("checked by ")
                    .unwrap_or_else(|| panic!("{line}"));
                let checks: BTreeSet<String> = checks.split(", ").map(str::to_owned).collect();
                assert_eq!(checks, checks_naming(&sub.id), "{line}");
            }
            Some(text) => assert_eq!(what, text, "{line}"),
        }
        assert!(stdout.contains(&sub.statement), "{}", sub.id);
        *count.entry((&sub.function_id, status)).or_default() += 1;
        *count.entry(("all", status)).or_default() += 1;
    }
    let n = |function, status| count.get(&(function, status)).copied().unwrap_or(0);
    // Each Function's heading, and its row in the table of counts.
    for function in ["GV", "ID", "PR", "DE", "RS", "RC", "all"] {
        let (checked, not_yet, outside) = (
            n(function, "checked"),
            n(function, "not_yet_checked"),
            n(function, "outside_aws"),
        );
        let total = checked + not_yet + outside;
        if function != "all" {
            let heading = stdout
                .lines()
                .find(|l| l.starts_with(&format!("{function} ")))
                .unwrap_or_else(|| panic!("no heading for {function}"));
            assert!(
                heading.ends_with(&format!(
                    ": {checked} of {total} checked, {not_yet} not yet checked, {outside} outside AWS APIs"
                )),
                "{heading}"
            );
        }
        let row = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{function} ")) && !l.contains(':'))
            .unwrap_or_else(|| panic!("no row of counts for {function}"));
        let numbers: Vec<&str> = row.split_whitespace().rev().take(4).collect();
        assert_eq!(
            numbers,
            [outside, not_yet, checked, total].map(|n| n.to_string()),
            "{row}"
        );
    }
    let last = stdout.lines().last().expect("a last line");
    assert_eq!(
        last,
        format!(
            "{} of 106 subcategories have at least one check; {} more could be evidenced from AWS APIs; {} need evidence from outside AWS",
            named.len(),
            n("all", "not_yet_checked"),
            n("all", "outside_aws")
        )
    );
}

#[test]
fn an_unknown_framework_is_one_line_listing_the_supported_ones() {
    for args in [
        &["checks", "--framework", "cis-aws-v5"][..],
        &["checks", "--framework", "cis-aws-v5", "--json"],
    ] {
        let (code, stdout, stderr) = posture(args);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stdout, "");
        assert_eq!(
            stderr,
            "posture: --framework: unknown framework \"cis-aws-v5\"; supported: nist-csf-2.0\n"
        );
    }
}

#[test]
fn the_catalogue_says_which_landing_zone_controls_it_covers_and_what_it_leaves_out() {
    // The file read with the `toml` crate, not posture's parser.
    let text = std::fs::read_to_string(landing_zone_path()).expect("read");
    let file: toml::Table = toml::from_str(&text).expect("TOML");
    let controls = file["control"].as_array().expect("[[control]]");
    let ids: std::collections::BTreeSet<String> = check_files().into_iter().map(|c| c.id).collect();
    let (code, stdout, stderr) = posture(&["checks", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let listed = json["landing_zone"].as_array().expect("landing_zone");
    assert_eq!(listed.len(), controls.len());
    let mut not_checked = 0;
    for (control, said) in controls.iter().zip(listed) {
        assert_eq!(said["id"].as_str(), control["id"].as_str());
        let checks = control["checks"].as_array().expect("checks");
        for check in checks {
            assert!(ids.contains(check.as_str().expect("id")), "{check:?}");
        }
        if checks.is_empty() {
            not_checked += 1;
            assert!(
                control.get("gap").is_some(),
                "{control:?}: no check and no reason"
            );
        }
    }
    let (code, table, _) = posture(&["checks"]);
    assert_eq!(code, 0);
    assert!(
        table.trim_end().lines().last().is_some_and(|line| line
            .starts_with(&format!("{} landing-zone controls: ", controls.len()))
            && line.contains(&format!("{not_checked} not checked"))),
        "{table}"
    );
    assert!(table.contains("Control Tower governs every OU"), "{table}");
}
