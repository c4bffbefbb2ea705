//! `posture.toml`: the configuration file, parsed strictly and validated into [`ConfigFile`]
//! (cargo-deny's `UnvalidatedConfig` → `ValidConfig`). Unknown tables and keys are rejected, so a
//! typo is an error instead of a setting silently left at its default; every error is one line
//! that names the file, the line and the key ([`FileError`]).
//!
//! It owns the file's format only: reading the file, and merging it with the command line (where
//! flags win), is `config`'s business. The tables are `[checks]`, `[thresholds]`,
//! `[landing_zone]` and `[scan]`, and waivers are a `[[waiver]]` array of tables beside them.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{CONCURRENCY, RegionChoice, THRESHOLD_DAYS, ThresholdOverrides};
use crate::evaluate::LandingZone;
use crate::evaluate::catalog::UnknownCheck;
use crate::evaluate::catalog::locate;
use crate::evaluate::waivers::{WaiverEntry, WaiverRule, WaiverScope};

/// A `posture.toml` that does not parse or validate: one line naming the file, the line and the
/// key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    /// The file, as it was named (`posture.toml`, or the `--config` path).
    pub file: PathBuf,
    /// The line, 1-based, when it can be told.
    pub line: Option<usize>,
    /// The key at fault, dotted (`thresholds.access_key_max_age_days`), when it can be told.
    pub key: Option<String>,
    /// What is wrong, naming the key.
    pub problem: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// A validated `posture.toml`: what it sets, each `None` (or empty) where it sets nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    /// The file it was read from.
    pub path: PathBuf,
    /// `[checks]`: the checks to evaluate, in catalogue order (`only`, or every check, less
    /// `skip`); `None` when the file selects none.
    pub checks: Option<Vec<String>>,
    /// `[thresholds]`.
    pub thresholds: ThresholdOverrides,
    /// `[landing_zone]`; `None` when the file has no such table.
    pub landing_zone: Option<LandingZone>,
    /// `[scan] regions`.
    pub regions: Option<RegionChoice>,
    /// `[scan] role_name`.
    pub role_name: Option<String>,
    /// `[scan] concurrency`.
    pub concurrency: Option<usize>,
    /// `[[waiver]]`, in file order.
    pub waivers: Vec<WaiverEntry>,
}

/// The file as written. Every table is optional, and so is every key in it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    checks: Option<RawChecks>,
    thresholds: Option<RawThresholds>,
    landing_zone: Option<RawLandingZone>,
    scan: Option<RawScan>,
    waiver: Option<Vec<RawWaiver>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecks {
    only: Option<Spanned<Vec<Spanned<String>>>>,
    skip: Option<Spanned<Vec<Spanned<String>>>>,
}

/// Integers are read as `i64`, so that `-1` is "out of range" rather than a type error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    access_key_max_age_days: Option<Spanned<i64>>,
    access_key_max_unused_days: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLandingZone {
    security_ous: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    regions: Option<Spanned<Vec<Spanned<String>>>>,
    role_name: Option<Spanned<String>>,
    concurrency: Option<Spanned<i64>>,
}

/// One `[[waiver]]`. Every key is optional here so that a missing one gets a message of ours that
/// says what to write, rather than serde's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    check: Option<Spanned<String>>,
    account: Option<Spanned<String>>,
    ou: Option<Spanned<String>>,
    resource: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    approved_by: Option<Spanned<String>>,
    /// A TOML date (`2027-03-31`) or a string holding one.
    expires: Option<Spanned<toml::Value>>,
}

/// The tables of the file, for the message about an unknown one.
const TABLES: &[&str] = &["checks", "thresholds", "landing_zone", "scan", "waiver"];

/// Parses and validates the text of a `posture.toml`; `path` names it in errors and `catalogue`
/// holds the check ids there are, in catalogue order.
///
/// # Errors
/// The first problem, as a [`FileError`]: TOML syntax, an unknown table or key, a value of the
/// wrong type, an unknown check id, a value out of range.
pub fn parse(path: &Path, text: &str, catalogue: &[&str]) -> Result<ConfigFile, FileError> {
    let at = |span: Option<Range<usize>>, key: &str, problem: String| FileError {
        file: path.to_owned(),
        line: span.map(|s| line_of(text, s.start)),
        key: Some(key.to_owned()),
        problem,
    };
    let raw: RawFile = toml::from_str(text).map_err(|err| toml_error(path, text, &err))?;
    let mut file = ConfigFile {
        path: path.to_owned(),
        ..ConfigFile::default()
    };
    if let Some(checks) = raw.checks {
        file.checks = select_checks(&checks, catalogue, &at)?;
    }
    if let Some(thresholds) = raw.thresholds {
        let days = |value: Option<Spanned<i64>>, key: &str| {
            value
                .map(|v| {
                    let span = v.span();
                    let n = *v.get_ref();
                    u32::try_from(n)
                        .ok()
                        .filter(|n| THRESHOLD_DAYS.contains(n))
                        .ok_or_else(|| {
                            at(
                                Some(span),
                                &format!("thresholds.{key}"),
                                format!(
                                    "[thresholds] {key}: {n} is out of range: use {} to {} (days)",
                                    THRESHOLD_DAYS.start(),
                                    THRESHOLD_DAYS.end()
                                ),
                            )
                        })
                })
                .transpose()
        };
        file.thresholds = ThresholdOverrides {
            access_key_max_age_days: days(
                thresholds.access_key_max_age_days,
                "access_key_max_age_days",
            )?,
            access_key_max_unused_days: days(
                thresholds.access_key_max_unused_days,
                "access_key_max_unused_days",
            )?,
        };
    }
    if let Some(landing_zone) = raw.landing_zone {
        file.landing_zone = landing_zone_of(landing_zone, &at)?;
    }
    if let Some(scan) = raw.scan {
        if let Some(regions) = scan.regions {
            let span = regions.span();
            let list = regions.into_inner();
            if list.is_empty() {
                return Err(at(
                    Some(span),
                    "scan.regions",
                    "[scan] regions is empty: name Regions, or [\"all\"], or leave it out to scan the Regions enabled for the caller's account".into(),
                ));
            }
            let names: Vec<String> = list.iter().map(|r| r.get_ref().clone()).collect();
            file.regions = Some(super::region_choice(&names).map_err(|bad| match bad {
                super::BadRegions::NotARegion(bad) => {
                    let span = list.iter().find(|r| r.get_ref() == &bad).map(Spanned::span);
                    at(
                        span,
                        "scan.regions",
                        format!(
                            "[scan] regions: {bad:?} is not an AWS Region: use names like \"us-east-1\", or [\"all\"]"
                        ),
                    )
                }
                super::BadRegions::AllWithOthers => {
                    let span = list.iter().find(|r| r.get_ref() == "all").map(Spanned::span);
                    at(
                        span,
                        "scan.regions",
                        "[scan] regions: \"all\" stands alone: give [\"all\"] for every Region, or list the Regions without it".into(),
                    )
                }
            })?);
        }
        if let Some(role) = scan.role_name {
            if !super::valid_role_name(role.get_ref()) {
                return Err(at(
                    Some(role.span()),
                    "scan.role_name",
                    format!(
                        "[scan] role_name: {:?} is not a valid IAM role name: use 1 to 64 letters, digits and +=,.@_-",
                        role.get_ref()
                    ),
                ));
            }
            file.role_name = Some(role.into_inner());
        }
        if let Some(concurrency) = scan.concurrency {
            let n = *concurrency.get_ref();
            file.concurrency = Some(
                usize::try_from(n)
                    .ok()
                    .filter(|n| CONCURRENCY.contains(n))
                    .ok_or_else(|| {
                        at(
                            Some(concurrency.span()),
                            "scan.concurrency",
                            format!(
                                "[scan] concurrency: {n} is out of range: use {} to {}",
                                CONCURRENCY.start(),
                                CONCURRENCY.end()
                            ),
                        )
                    })?,
            );
        }
    }
    for (index, waiver) in raw.waiver.into_iter().flatten().enumerate() {
        file.waivers
            .push(validate_waiver(path, text, index, waiver, catalogue, &at)?);
    }
    Ok(file)
}

/// `[landing_zone]`, validated: each Security OU named by path (`/Security`) or id (`ou-…`),
/// none twice; `None` when it sets nothing (so that `reevaluate --config` keeps the snapshot's).
fn landing_zone_of(
    raw: RawLandingZone,
    at: &impl Fn(Option<Range<usize>>, &str, String) -> FileError,
) -> Result<Option<LandingZone>, FileError> {
    let Some(list) = raw.security_ous else {
        return Ok(None);
    };
    let span = list.span();
    let list = list.into_inner();
    if list.is_empty() {
        return Err(at(
            Some(span),
            "landing_zone.security_ous",
            "[landing_zone] security_ous is empty: name the Security OU by path (\"/Security\") or id, or leave it out for the default [\"/Security\", \"/Core\"]".into(),
        ));
    }
    let mut security_ous: Vec<String> = Vec::new();
    for entry in &list {
        let ou = entry.get_ref();
        if !is_ou_path_or_id(ou) {
            return Err(at(
                Some(entry.span()),
                "landing_zone.security_ous",
                format!(
                    "[landing_zone] security_ous: {ou:?} is not an OU: give its path (\"/Security\") or id (\"ou-ab12-cdef3456\")"
                ),
            ));
        }
        if security_ous
            .iter()
            .any(|seen| seen.eq_ignore_ascii_case(ou))
        {
            return Err(at(
                Some(entry.span()),
                "landing_zone.security_ous",
                format!("[landing_zone] security_ous: {ou:?} is named twice: name each OU once"),
            ));
        }
        security_ous.push(ou.clone());
    }
    Ok(Some(LandingZone { security_ous }))
}

/// An OU path as Organizations' names make one (`/Security`, `/Infrastructure/Security`: no empty
/// name, no surrounding space), or an OU id (`ou-` and its letters and digits).
fn is_ou_path_or_id(ou: &str) -> bool {
    if let Some(id) = ou.strip_prefix("ou-") {
        return !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    }
    ou.strip_prefix('/').is_some_and(|path| {
        path.split('/')
            .all(|name| !name.is_empty() && name.trim() == name)
    })
}

/// One `[[waiver]]`, validated: a known check, exactly one of `account` and `ou`, a reason, an
/// approver and an expiry date.
fn validate_waiver(
    path: &Path,
    text: &str,
    index: usize,
    raw: RawWaiver,
    catalogue: &[&str],
    at: &impl Fn(Option<Range<usize>>, &str, String) -> FileError,
) -> Result<WaiverEntry, FileError> {
    // The header's line, for what is missing (a missing key has no span of its own).
    let header = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with("[[waiver]]"))
        .nth(index)
        .map(|(i, _)| i + 1);
    let missing = |key: &str, what: &str| FileError {
        file: path.to_owned(),
        line: header,
        key: Some(format!("waiver.{key}")),
        problem: format!("[[waiver]] has no {key}: {what}"),
    };
    let text_of = |value: Option<Spanned<String>>, key: &str, what: &str| {
        let value = value.ok_or_else(|| missing(key, what))?;
        if value.get_ref().trim().is_empty() {
            return Err(at(
                Some(value.span()),
                &format!("waiver.{key}"),
                format!("[[waiver]] {key} is empty: {what}"),
            ));
        }
        Ok(value.into_inner())
    };
    let check = raw.check.ok_or_else(|| {
        missing(
            "check",
            "name the check it waives, e.g. check = \"root-mfa\"",
        )
    })?;
    if !catalogue.contains(&check.get_ref().as_str()) {
        let unknown = UnknownCheck::new(check.get_ref(), catalogue.iter().copied());
        return Err(at(
            Some(check.span()),
            "waiver.check",
            format!("[[waiver]] check: {unknown}"),
        ));
    }
    let applies_to = match (raw.account, raw.ou) {
        (Some(account), None) => {
            let id = account.get_ref();
            if !super::valid_account_id(id) {
                return Err(at(
                    Some(account.span()),
                    "waiver.account",
                    format!(
                        "[[waiver]] account: {id:?} is not an AWS account id: give 12 digits, e.g. \"123456789012\""
                    ),
                ));
            }
            WaiverScope::Account(account.into_inner())
        }
        (None, Some(ou)) => {
            let name = ou.get_ref();
            if !(name.starts_with('/') || name.starts_with("ou-") || name.starts_with("r-")) {
                return Err(at(
                    Some(ou.span()),
                    "waiver.ou",
                    format!(
                        "[[waiver]] ou: {name:?} is not an OU: give its path (\"/Workloads/Prod\") or id (\"ou-ab12-cdef3456\")"
                    ),
                ));
            }
            WaiverScope::Ou(ou.into_inner())
        }
        (Some(_), Some(ou)) => {
            return Err(at(
                Some(ou.span()),
                "waiver.ou",
                "[[waiver]] names both account and ou: give one (one waiver per account or OU)"
                    .into(),
            ));
        }
        (None, None) => {
            return Err(missing(
                "account",
                "name the account (account = \"123456789012\") or OU (ou = \"/Workloads\") the accepted risk is in",
            ));
        }
    };
    let resource = raw
        .resource
        .map(|r| {
            text_of(
                Some(r),
                "resource",
                "give a pattern such as \"ci-*\", or leave resource out to cover every resource",
            )
        })
        .transpose()?;
    let reason = text_of(raw.reason, "reason", "say why the risk is accepted")?;
    let approved_by = text_of(raw.approved_by, "approved_by", "name who accepted the risk")?;
    let expires = raw.expires.ok_or_else(|| {
        missing(
            "expires",
            "give the last day it applies, e.g. expires = 2027-03-31",
        )
    })?;
    let span = expires.span();
    let date = match expires.get_ref() {
        toml::Value::String(s) => s.parse::<jiff::civil::Date>().ok().filter(|_| s.len() == 10),
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
            d.to_string().parse::<jiff::civil::Date>().ok()
        }
        _ => None,
    }
    .ok_or_else(|| {
        at(
            Some(span.clone()),
            "waiver.expires",
            "[[waiver]] expires: not a date: give the last day it applies, e.g. expires = 2027-03-31"
                .into(),
        )
    })?;
    Ok(WaiverEntry {
        origin: format!(
            "{}, line {}",
            path.display(),
            header.unwrap_or_else(|| line_of(text, span.start))
        ),
        rule: WaiverRule {
            check: check.into_inner(),
            applies_to,
            resource,
            reason,
            approved_by,
            expires: date.to_string(),
        },
    })
}

/// The checks `[checks]` selects, in catalogue order: `only` (or every check) less `skip`.
fn select_checks(
    checks: &RawChecks,
    catalogue: &[&str],
    at: &impl Fn(Option<Range<usize>>, &str, String) -> FileError,
) -> Result<Option<Vec<String>>, FileError> {
    for (key, list) in [("only", &checks.only), ("skip", &checks.skip)] {
        for id in list.iter().flat_map(|l| l.get_ref()) {
            if !catalogue.contains(&id.get_ref().as_str()) {
                // The same answer as `posture checks ID` gives to a typo.
                let unknown = UnknownCheck::new(id.get_ref(), catalogue.iter().copied());
                return Err(at(
                    Some(id.span()),
                    &format!("checks.{key}"),
                    format!("[checks] {key}: {unknown}"),
                ));
            }
        }
    }
    let names = |list: &Option<Spanned<Vec<Spanned<String>>>>| -> Vec<String> {
        list.iter()
            .flat_map(|l| l.get_ref())
            .map(|id| id.get_ref().clone())
            .collect()
    };
    let (only, skip) = (names(&checks.only), names(&checks.skip));
    if let Some(list) = checks.only.as_ref().filter(|l| l.get_ref().is_empty()) {
        return Err(at(
            Some(list.span()),
            "checks.only",
            "[checks] only is empty: list the checks to evaluate, or leave it out to evaluate every check".into(),
        ));
    }
    if let Some(both) = checks
        .skip
        .iter()
        .flat_map(|l| l.get_ref())
        .find(|id| only.contains(id.get_ref()))
    {
        return Err(at(
            Some(both.span()),
            "checks.skip",
            format!(
                "[checks] skip: {:?} is in only too: name each check in one of them",
                both.get_ref()
            ),
        ));
    }
    if checks.only.is_none() && checks.skip.is_none() {
        return Ok(None);
    }
    let selected: Vec<String> = catalogue
        .iter()
        .filter(|id| {
            (only.is_empty() || only.iter().any(|o| o == *id)) && !skip.iter().any(|s| s == *id)
        })
        .map(|id| (*id).to_owned())
        .collect();
    if selected.is_empty() {
        let span = checks.skip.as_ref().map(Spanned::span);
        return Err(at(
            span,
            "checks.skip",
            "[checks] skip leaves no check to evaluate: skip fewer, or scan with --checks".into(),
        ));
    }
    Ok(Some(selected))
}

/// A TOML or serde error as one line: syntax, an unknown table or key (with the keys there are),
/// or a value of the wrong type (with the key).
fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> FileError {
    let message = err.message().trim();
    let place = locate(text, err.span(), message);
    let table = place.table.clone();
    let (key, problem) = if let Some(unknown) = unknown_field(message) {
        let known = expected_fields(message);
        // serde's list of the keys there are says where the key was: the top level's are the
        // tables (the span of an unknown table is its own header, which `locate` reads as the
        // table it is in).
        let top_level = known == TABLES;
        let problem = match table.as_ref().filter(|_| !top_level) {
            Some(table) => format!(
                "unknown key `{unknown}` in [{table}]; known keys: {}",
                known.join(", ")
            ),
            None => format!(
                "unknown table or key `{unknown}`; known tables: {}{}",
                TABLES.join(", "),
                if unknown == "waivers" {
                    " (a waiver is a [[waiver]] table)"
                } else {
                    ""
                }
            ),
        };
        let key = if top_level {
            Some(unknown.to_owned())
        } else {
            place.field()
        };
        (key, problem)
    } else if is_data_error(message) {
        let shown = match (&place.key, &table) {
            (Some(key), Some(table)) => format!("[{table}] {key}"),
            (Some(key), None) => key.clone(),
            (None, Some(table)) => format!("[{table}]"),
            (None, None) => "the file".to_owned(),
        };
        (place.field(), format!("{shown}: {}", plain_types(message)))
    } else {
        (
            None,
            format!(
                "not valid TOML: {}",
                message
                    .lines()
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
    };
    FileError {
        file: path.to_owned(),
        line: place.line,
        key,
        problem,
    }
}

/// The key serde names in `unknown field `x`, expected ...`.
fn unknown_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field)
}

/// The keys serde lists after `expected` (`expected `a` or `b``, `expected one of `a`, `b``).
fn expected_fields(message: &str) -> Vec<&str> {
    let Some((_, expected)) = message.split_once(", expected ") else {
        return Vec::new();
    };
    expected.split('`').skip(1).step_by(2).collect()
}

/// Whether serde (not the TOML parser) rejected a value: its messages say what it expected.
fn is_data_error(message: &str) -> bool {
    message.starts_with("invalid type:")
        || message.starts_with("invalid value:")
        || message.starts_with("invalid length")
}

/// serde's words for TOML's types: `a sequence` is an array, `i64` an integer, a struct a table.
fn plain_types(message: &str) -> String {
    let message = message
        .replace("expected a sequence", "expected an array")
        .replace("expected i64", "expected an integer");
    match message.split_once("expected struct ") {
        Some((before, _)) => format!("{before}expected a table"),
        None => message,
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOGUE: &[&str] = &[
        "root-mfa",
        "cloudtrail-multi-region",
        "access-key-rotation",
        "access-key-unused",
    ];

    fn parsed(text: &str) -> ConfigFile {
        parse(Path::new("posture.toml"), text, CATALOGUE).expect("a valid file")
    }

    fn error(text: &str) -> FileError {
        let err = parse(Path::new("posture.toml"), text, CATALOGUE).expect_err("rejected");
        let shown = err.to_string();
        assert_eq!(shown.lines().count(), 1, "one line: {shown}");
        assert!(shown.starts_with("posture.toml, line "), "{shown}");
        err
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        let file = parsed("# nothing yet\n");
        assert_eq!(
            file,
            ConfigFile {
                path: "posture.toml".into(),
                ..ConfigFile::default()
            }
        );
    }

    #[test]
    fn reads_every_table() {
        let file = parsed(
            r#"
[checks]
skip = ["cloudtrail-multi-region"]

[thresholds]
access_key_max_age_days = 180
access_key_max_unused_days = 60

[scan]
regions = ["eu-west-1", "us-east-1"]
role_name = "PostureAuditor"
concurrency = 16
"#,
        );
        assert_eq!(
            file.checks.as_deref(),
            Some(&["root-mfa", "access-key-rotation", "access-key-unused"].map(String::from)[..])
        );
        assert_eq!(
            file.thresholds,
            ThresholdOverrides {
                access_key_max_age_days: Some(180),
                access_key_max_unused_days: Some(60),
            }
        );
        assert_eq!(
            file.regions,
            Some(RegionChoice::Listed(vec![
                "eu-west-1".into(),
                "us-east-1".into()
            ]))
        );
        assert_eq!(file.role_name.as_deref(), Some("PostureAuditor"));
        assert_eq!(file.concurrency, Some(16));
        assert_eq!(
            parsed("[scan]\nregions = [\"all\"]\n").regions,
            Some(RegionChoice::All)
        );
    }

    #[test]
    fn landing_zone_names_the_security_ou_by_path_or_id() {
        assert_eq!(parsed("[scan]\nconcurrency = 4\n").landing_zone, None);
        // An empty table sets nothing, as an empty [thresholds] does.
        assert_eq!(parsed("[landing_zone]\n").landing_zone, None);
        for never_matches in ["/Security/", "//Security", "/Security ", "ou-", "/"] {
            let err = error(&format!(
                "[landing_zone]\nsecurity_ous = [{never_matches:?}]\n"
            ));
            assert!(
                err.problem.contains("is not an OU"),
                "{never_matches}: {}",
                err.problem
            );
        }
        assert_eq!(
            parsed("[landing_zone]\nsecurity_ous = [\"/Infrastructure/Security\", \"ou-ab12-cdef3456\"]\n")
                .landing_zone,
            Some(LandingZone {
                security_ous: vec!["/Infrastructure/Security".into(), "ou-ab12-cdef3456".into()],
            })
        );
        let err = error("[landing_zone]\nsecurity_ous = [\"/Security\", \"Security\"]\n");
        assert_eq!(err.line, Some(2));
        assert_eq!(err.key.as_deref(), Some("landing_zone.security_ous"));
        assert!(
            err.problem.contains("\"Security\" is not an OU"),
            "{}",
            err.problem
        );
        let err = error("[landing_zone]\nsecurity_ous = [\"/Security\", \"/security\"]\n");
        assert!(err.problem.contains("named twice"), "{}", err.problem);
        let err = error("[landing_zone]\nsecurity_ous = []\n");
        assert!(err.problem.contains("is empty"), "{}", err.problem);
        let err = error("[landing_zone]\nsecurity_ou = [\"/Security\"]\n");
        assert!(
            err.problem.contains("unknown key `security_ou`"),
            "{}",
            err.problem
        );
    }

    #[test]
    fn only_selects_and_skip_removes_in_catalogue_order() {
        let file = parsed("[checks]\nonly = [\"access-key-unused\", \"root-mfa\"]\n");
        assert_eq!(
            file.checks,
            Some(vec!["root-mfa".into(), "access-key-unused".into()])
        );
        let file = parsed(
            "[checks]\nonly = [\"access-key-unused\", \"root-mfa\"]\nskip = [\"access-key-rotation\"]\n",
        );
        assert_eq!(
            file.checks,
            Some(vec!["root-mfa".into(), "access-key-unused".into()])
        );
        assert_eq!(parsed("[checks]\n").checks, None);
    }

    #[test]
    fn names_the_line_and_key_of_an_unknown_key() {
        let err =
            error("[thresholds]\naccess_key_max_age_days = 90\n\nacess_key_max_age_days = 30\n");
        assert_eq!(err.line, Some(4), "{err}");
        assert_eq!(
            err.key.as_deref(),
            Some("thresholds.acess_key_max_age_days")
        );
        assert_eq!(
            err.to_string(),
            "posture.toml, line 4: unknown key `acess_key_max_age_days` in [thresholds]; known keys: access_key_max_age_days, access_key_max_unused_days"
        );
        let err = error("[checks]\nonly = [\"root-mfa\"]\nskipped = []\n");
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.to_string().ends_with("known keys: only, skip"), "{err}");
    }

    #[test]
    fn names_an_unknown_table() {
        let err = error("[treshold]\naccess_key_max_age_days = 90\n");
        assert_eq!(err.line, Some(1), "{err}");
        assert_eq!(
            err.to_string(),
            "posture.toml, line 1: unknown table or key `treshold`; known tables: checks, thresholds, landing_zone, scan, waiver"
        );
        let err = error("[waivers]\ncheck = \"root-mfa\"\n");
        assert!(
            err.to_string()
                .ends_with("(a waiver is a [[waiver]] table)"),
            "{err}"
        );
    }

    const WAIVERS: &str = r#"
[scan]
concurrency = 8

[[waiver]]
check = "root-mfa"
account = "111122223333"
reason = "break-glass account, hardware MFA on order"
approved_by = "ciso@example.com"
expires = 2027-03-31

[[waiver]]
check = "access-key-rotation"
ou = "/Workloads/Sandbox"
resource = "ci-*"
reason = "CI keys rotate with the pipeline migration"
approved_by = "Head of Platform"
expires = "2026-12-31"
"#;

    #[test]
    fn reads_waivers_in_file_order_with_their_lines() {
        let file = parsed(WAIVERS);
        assert_eq!(file.waivers.len(), 2);
        let [first, second] = &file.waivers[..] else {
            unreachable!()
        };
        assert_eq!(first.origin, "posture.toml, line 5");
        assert_eq!(
            first.rule,
            WaiverRule {
                check: "root-mfa".into(),
                applies_to: WaiverScope::Account("111122223333".into()),
                resource: None,
                reason: "break-glass account, hardware MFA on order".into(),
                approved_by: "ciso@example.com".into(),
                expires: "2027-03-31".into(),
            }
        );
        assert_eq!(second.origin, "posture.toml, line 12");
        assert_eq!(
            second.rule.applies_to,
            WaiverScope::Ou("/Workloads/Sandbox".into())
        );
        assert_eq!(second.rule.resource.as_deref(), Some("ci-*"));
        assert_eq!(second.rule.expires, "2026-12-31", "a string date reads too");
    }

    #[test]
    fn a_bad_waiver_is_named_by_line_and_key() {
        let waiver = |body: &str| format!("[checks]\nskip = []\n\n[[waiver]]\n{body}");
        let complete = "check = \"root-mfa\"\naccount = \"111122223333\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2027-01-01\n";
        assert_eq!(parsed(&waiver(complete)).waivers.len(), 1);
        for (body, line, key, says) in [
            (
                complete.replace("check = \"root-mfa\"", "check = \"root-mfaa\""),
                5,
                "waiver.check",
                "[[waiver]] check: no check \"root-mfaa\"",
            ),
            (
                complete.replace("check = \"root-mfa\"\n", ""),
                4,
                "waiver.check",
                "[[waiver]] has no check: name the check it waives",
            ),
            (
                complete.replace("account = \"111122223333\"\n", ""),
                4,
                "waiver.account",
                "[[waiver]] has no account: name the account",
            ),
            (
                complete.replace("111122223333", "1111"),
                6,
                "waiver.account",
                "[[waiver]] account: \"1111\" is not an AWS account id",
            ),
            (
                complete.replace("account = \"111122223333\"", "ou = \"Workloads\""),
                6,
                "waiver.ou",
                "[[waiver]] ou: \"Workloads\" is not an OU",
            ),
            (
                format!("{complete}ou = \"/Workloads\"\n"),
                10,
                "waiver.ou",
                "[[waiver]] names both account and ou",
            ),
            (
                complete.replace("reason = \"r\"", "reason = \"  \""),
                7,
                "waiver.reason",
                "[[waiver]] reason is empty: say why the risk is accepted",
            ),
            (
                complete.replace("approved_by = \"a\"\n", ""),
                4,
                "waiver.approved_by",
                "[[waiver]] has no approved_by: name who accepted the risk",
            ),
            (
                complete.replace("2027-01-01", "\"next year\""),
                9,
                "waiver.expires",
                "[[waiver]] expires: not a date",
            ),
            (
                complete.replace("2027-01-01", "2027-01-01T10:00:00Z"),
                9,
                "waiver.expires",
                "[[waiver]] expires: not a date",
            ),
            (
                format!("{complete}approver = \"x\"\n"),
                10,
                "waiver.approver",
                "unknown key `approver` in [waiver]",
            ),
        ] {
            let err = error(&waiver(&body));
            assert_eq!(err.line, Some(line), "{err}");
            assert_eq!(err.key.as_deref(), Some(key), "{err}");
            assert!(
                err.problem.starts_with(says),
                "{err}\nexpected it to start with: {says}"
            );
        }
    }

    #[test]
    fn names_the_line_and_key_of_a_wrong_type() {
        let err = error("[thresholds]\naccess_key_max_age_days = \"90\"\n");
        assert_eq!(err.line, Some(2), "{err}");
        assert_eq!(
            err.key.as_deref(),
            Some("thresholds.access_key_max_age_days")
        );
        assert_eq!(
            err.to_string(),
            "posture.toml, line 2: [thresholds] access_key_max_age_days: invalid type: string \"90\", expected an integer"
        );
        let err = error("\n[checks]\nonly = \"root-mfa\"\n");
        assert_eq!(err.line, Some(3), "{err}");
        assert!(
            err.to_string()
                .ends_with("[checks] only: invalid type: string \"root-mfa\", expected an array"),
            "{err}"
        );
        let err = error("checks = 5\n");
        assert!(err.to_string().ends_with("expected a table"), "{err}");
    }

    #[test]
    fn names_the_line_of_a_syntax_error() {
        let err =
            error("[thresholds]\naccess_key_max_age_days = 90\naccess_key_max_unused_days 45\n");
        assert_eq!(err.line, Some(3), "{err}");
        assert!(
            err.to_string()
                .starts_with("posture.toml, line 3: not valid TOML: "),
            "{err}"
        );
        let err =
            error("[thresholds]\naccess_key_max_age_days = 90\naccess_key_max_age_days = 91\n");
        assert_eq!(err.line, Some(3), "{err}");
    }

    #[test]
    fn names_an_unknown_check_with_the_closest_id() {
        let err = error("[checks]\n# a comment\nskip = [\n  \"root-mfa\",\n  \"root-mfx\",\n]\n");
        assert_eq!(err.line, Some(5), "{err}");
        assert_eq!(err.key.as_deref(), Some("checks.skip"));
        assert_eq!(
            err.to_string(),
            "posture.toml, line 5: [checks] skip: no check \"root-mfx\" in the catalogue; did you mean root-mfa? (`posture checks` lists every check)"
        );
        let err = error("[checks]\nonly = [\"nothing-like-it\"]\n");
        assert!(
            err.to_string()
                .contains("no check \"nothing-like-it\" in the catalogue (`posture checks`"),
            "{err}"
        );
    }

    #[test]
    fn rejects_selections_that_contradict_or_leave_nothing() {
        let err = error("[checks]\nonly = []\n");
        assert_eq!(err.key.as_deref(), Some("checks.only"));
        assert!(err.to_string().contains("only is empty"), "{err}");
        let err = error("[checks]\nonly = [\"root-mfa\"]\nskip = [\"root-mfa\"]\n");
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.to_string().contains("is in only too"), "{err}");
        let all = CATALOGUE
            .iter()
            .map(|id| format!("{id:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let err = error(&format!("[checks]\nskip = [{all}]\n"));
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.to_string().contains("leaves no check"), "{err}");
    }

    #[test]
    fn names_the_line_and_key_of_a_value_out_of_range() {
        for (value, line_text) in [("0", "0"), ("3651", "3651"), ("-5", "-5")] {
            let err = error(&format!(
                "[thresholds]\naccess_key_max_age_days = 90\naccess_key_max_unused_days = {value}\n"
            ));
            assert_eq!(err.line, Some(3), "{err}");
            assert_eq!(
                err.to_string(),
                format!(
                    "posture.toml, line 3: [thresholds] access_key_max_unused_days: {line_text} is out of range: use 1 to 3650 (days)"
                )
            );
        }
        assert_eq!(
            parsed("[thresholds]\naccess_key_max_age_days = 3650\n")
                .thresholds
                .access_key_max_age_days,
            Some(3650)
        );
        let err = error("[scan]\nconcurrency = 0\n");
        assert_eq!(err.key.as_deref(), Some("scan.concurrency"));
        assert!(
            err.to_string().ends_with("0 is out of range: use 1 to 256"),
            "{err}"
        );
    }

    #[test]
    fn names_the_line_of_a_bad_region_or_role() {
        let err = error("[scan]\nregions = [\n  \"us-east-1\",\n  \"us-east-7\",\n]\n");
        assert_eq!(err.line, Some(4), "{err}");
        assert!(
            err.to_string()
                .contains("\"us-east-7\" is not an AWS Region"),
            "{err}"
        );
        let err = error("[scan]\nregions = [\n  \"us-east-1\",\n  \"all\",\n]\n");
        assert_eq!(err.line, Some(4), "{err}");
        assert!(
            err.to_string()
                .ends_with("[scan] regions: \"all\" stands alone: give [\"all\"] for every Region, or list the Regions without it"),
            "{err}"
        );
        let err = error("[scan]\nregions = []\n");
        assert!(err.to_string().contains("regions is empty"), "{err}");
        let err = error("[scan]\nrole_name = \"no spaces\"\n");
        assert_eq!(err.line, Some(2), "{err}");
        assert!(
            err.to_string().contains("not a valid IAM role name"),
            "{err}"
        );
    }

    #[test]
    fn the_demo_configuration_parses_with_its_two_waivers() {
        let catalogue: Vec<&str> = crate::evaluate::catalog()
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let file = parse(
            Path::new("sandbox/demo-posture.toml"),
            include_str!("../../sandbox/demo-posture.toml"),
            &catalogue,
        )
        .expect("the demo's configuration parses");
        let expires: Vec<&str> = file
            .waivers
            .iter()
            .map(|w| w.rule.expires.as_str())
            .collect();
        assert_eq!(expires, ["2027-12-31", "2026-06-30"]);
    }

    #[test]
    fn the_readme_example_parses_and_states_the_defaults() {
        let readme = include_str!("../../README.md");
        let example = readme
            .split("```toml\n# posture.toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("README has the posture.toml example");
        let catalogue: Vec<&str> = crate::evaluate::catalog()
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let file = parse(Path::new("README.md"), example, &catalogue).expect("the example parses");
        assert!(file.waivers.is_empty(), "no waiver by default");
        let waivers = readme
            .split("```toml\n# waivers\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("README has the waiver example");
        let waivers = parse(Path::new("README.md"), waivers, &catalogue)
            .expect("the waiver example parses")
            .waivers;
        assert_eq!(waivers.len(), 2);
        assert_eq!(
            waivers[1].rule.applies_to,
            WaiverScope::Ou("/Sandbox".into())
        );
        let defaults = crate::evaluate::Thresholds::default();
        assert_eq!(
            file.thresholds.apply(crate::evaluate::Thresholds {
                access_key_max_age_days: 1,
                access_key_max_unused_days: 1,
            }),
            defaults
        );
        assert_eq!(
            file.role_name.as_deref(),
            Some(super::super::DEFAULT_ROLE_NAME)
        );
        assert_eq!(file.concurrency, Some(super::super::DEFAULT_CONCURRENCY));
        assert_eq!(
            file.checks.as_deref(),
            Some(
                &catalogue
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect::<Vec<_>>()[..]
            )
        );
        assert_eq!(file.regions, None);
    }
}
