//! `root-mfa`: the root user has MFA, or no credentials at all (centralized root access).
//!
//! Two sources, both read: IAM `GetAccountSummary` (the only one that knows whether root has a
//! password) and the credential report's root row (whose `password_enabled` is always
//! `not_supported`). The decision rule of `aws-api-facts.md` (c): has_mfa = either source says
//! MFA; a credential exists when either source shows one. PASS with MFA; PASS when every kind of
//! credential is known to be absent; FAIL when a credential exists and MFA is known to be off;
//! ERROR otherwise, naming what is unknown and why. When the sources contradict each other the
//! finding says which said what (the rule still decides, leaning towards "credential present").
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{AccountSummary, Collected, CredentialReport, CredentialReportRow, ReportValue};
use crate::finding::{Outcome, REPORT_GENERATED, Status};

use super::context::AccountContext;
use super::{describe_error, error_evidence, report_cell};

/// The root user's ARN, the resource of every `root-mfa` finding.
pub(crate) fn root_arn(account_id: &str) -> String {
    format!("arn:aws:iam::{account_id}:root")
}

/// Judges the root user of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account = ctx.account;
    vec![judge(
        &account.account_id,
        &account.account_summary,
        &account.credential_report,
    )]
}

/// What each source says about one property of the root user: `Some(true/false)`, or `None`
/// when that source could not say.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reading {
    /// What the property is called in reasons ("MFA", "a password", ...).
    pub(super) name: &'static str,
    /// The `GetAccountSummary` key.
    summary_key: &'static str,
    /// The credential report column(s).
    report_column: &'static str,
    pub(super) summary: Option<bool>,
    pub(super) report: Option<bool>,
}

impl Reading {
    /// Either source saying yes wins: a credential one source shows is treated as present (the
    /// conservative side for credentials) and MFA either source shows counts (facts (c)).
    pub(super) fn combined(&self) -> Option<bool> {
        match (self.summary, self.report) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), _) | (_, Some(false)) => Some(false),
            (None, None) => None,
        }
    }

    pub(super) fn disagreement(&self) -> Option<String> {
        match (self.summary, self.report) {
            (Some(s), Some(r)) if s != r => Some(format!(
                "GetAccountSummary says {}={}, the credential report's root row says {}={}",
                self.summary_key,
                u8::from(s),
                self.report_column,
                r
            )),
            _ => None,
        }
    }
}

/// What the two sources say about the root user: MFA, and each kind of credential (a password,
/// access keys, signing certificates). `root-access-centralized` reads the same, so that both
/// checks tell the same story about the same account.
pub(super) struct RootReadings {
    pub(super) mfa: Reading,
    pub(super) credentials: [Reading; 3],
}

pub(super) fn readings(
    summary: &Collected<AccountSummary>,
    report: &Collected<CredentialReport>,
) -> RootReadings {
    let summary_ok = summary.as_result().ok();
    let root_row = match report {
        Collected::Ok(report) => report.root.as_ref(),
        Collected::Error(_) => None,
    };
    let s = |f: fn(&AccountSummary) -> Option<bool>| summary_ok.and_then(f);
    let r = |f: fn(&CredentialReportRow) -> Option<bool>| root_row.and_then(f);

    let mfa = Reading {
        name: "MFA",
        summary_key: "AccountMFAEnabled",
        report_column: "mfa_active",
        summary: s(|s| s.mfa_enabled),
        report: r(|row| row.mfa_active.as_bool()),
    };
    let credentials = [
        Reading {
            name: "a password",
            summary_key: "AccountPasswordPresent",
            report_column: "password_enabled",
            summary: s(|s| s.password_present),
            // Always `not_supported` for root in real reports, hence `None`; a literal
            // true/false is still AWS's word and is taken.
            report: r(|row| row.password_enabled.as_bool()),
        },
        access_keys(summary, report),
        Reading {
            name: "signing certificates",
            summary_key: "AccountSigningCertificatesPresent",
            report_column: "cert_N_active",
            summary: s(|s| s.signing_certificates_present),
            report: r(|row| any_active(row.certificates_active.iter())),
        },
    ];
    RootReadings { mfa, credentials }
}

fn judge(
    account_id: &str,
    summary: &Collected<AccountSummary>,
    report: &Collected<CredentialReport>,
) -> Outcome {
    let RootReadings { mfa, credentials } = readings(summary, report);

    let disagreements: Vec<String> = std::iter::once(&mfa)
        .chain(&credentials)
        .filter_map(Reading::disagreement)
        .collect();
    let present: Vec<&str> = credentials
        .iter()
        .filter(|c| c.combined() == Some(true))
        .map(|c| c.name)
        .collect();
    let unknown: Vec<&str> = credentials
        .iter()
        .filter(|c| c.combined().is_none())
        .map(|c| c.name)
        .collect();

    let (status, mut reason) = if mfa.combined() == Some(true) {
        (
            Status::Pass,
            format!("the root user has MFA ({})", said_yes(&mfa)),
        )
    } else if !present.is_empty() {
        if mfa.combined() == Some(false) {
            (
                Status::Fail,
                format!("the root user has {} and no MFA", join_and(&present)),
            )
        } else {
            (
                Status::Error,
                format!(
                    "the root user has {}, but whether it has MFA is unknown: {}",
                    join_and(&present),
                    source_problems(summary, report, &all_readings(&credentials, &mfa)).join("; ")
                ),
            )
        }
    } else if unknown.is_empty() {
        (
            Status::Pass,
            "no root credentials (centralized root access): the root user has no password, \
             access key or signing certificate"
                .to_owned(),
        )
    } else {
        (
            Status::Error,
            format!(
                "cannot tell whether the root user has {}: {}",
                join_or(&unknown),
                source_problems(summary, report, &all_readings(&credentials, &mfa)).join("; ")
            ),
        )
    };
    if !disagreements.is_empty() {
        reason.push_str(&format!(
            "; the sources disagree: {}",
            disagreements.join("; ")
        ));
    }

    let mut outcome = Outcome::new(None, root_arn(account_id), status, reason);
    outcome = match summary {
        Collected::Ok(s) => outcome
            .with("GetAccountSummary AccountMFAEnabled", flag(s.mfa_enabled))
            .with(
                "GetAccountSummary AccountPasswordPresent",
                flag(s.password_present),
            )
            .with(
                "GetAccountSummary AccountAccessKeysPresent",
                flag(s.access_keys_present),
            )
            .with(
                "GetAccountSummary AccountSigningCertificatesPresent",
                flag(s.signing_certificates_present),
            ),
        Collected::Error(err) => outcome.with("GetAccountSummary", error_evidence(err)),
    };
    outcome = match report {
        Collected::Error(err) => outcome.with("credential report", error_evidence(err)),
        Collected::Ok(report) => {
            let outcome = outcome.with(
                REPORT_GENERATED,
                report.generated_time.as_deref().unwrap_or("unknown"),
            );
            match &report.root {
                None => outcome.with("credential report root row", "missing"),
                Some(row) => {
                    let mut outcome = outcome
                        .with("credential report mfa_active", report_cell(&row.mfa_active))
                        .with(
                            "credential report password_enabled",
                            report_cell(&row.password_enabled),
                        );
                    for key in &row.access_keys {
                        outcome = outcome.with(
                            &format!("credential report access_key_{}_active", key.slot),
                            report_cell(&key.active),
                        );
                    }
                    for (index, cert) in row.certificates_active.iter().enumerate() {
                        outcome = outcome.with(
                            &format!("credential report cert_{}_active", index + 1),
                            report_cell(cert),
                        );
                    }
                    outcome
                }
            }
        }
    };
    if !disagreements.is_empty() {
        outcome = outcome.with("sources disagree", disagreements.join("; "));
    }
    outcome
}

/// What each source says about the root user's access keys (shared with `root-access-keys`).
pub(super) fn access_keys(
    summary: &Collected<AccountSummary>,
    report: &Collected<CredentialReport>,
) -> Reading {
    let root_row = match report {
        Collected::Ok(report) => report.root.as_ref(),
        Collected::Error(_) => None,
    };
    Reading {
        name: "access keys",
        summary_key: "AccountAccessKeysPresent",
        report_column: "access_key_N_active",
        summary: summary.as_result().ok().and_then(|s| s.access_keys_present),
        report: root_row.and_then(|row| any_active(row.access_keys.iter().map(|k| &k.active))),
    }
}

/// `Some(true)` if any cell says true, `Some(false)` if there is at least one cell and all say
/// false, `None` when a cell is not a boolean (and none says true).
fn any_active<'a>(cells: impl Iterator<Item = &'a ReportValue>) -> Option<bool> {
    let mut all_false = true;
    let mut seen = false;
    for cell in cells {
        seen = true;
        match cell.as_bool() {
            Some(true) => return Some(true),
            Some(false) => {}
            None => all_false = false,
        }
    }
    (seen && all_false).then_some(false)
}

/// MFA first, then the credentials: every property the sources were asked about.
fn all_readings<'a>(credentials: &'a [Reading; 3], mfa: &'a Reading) -> Vec<&'a Reading> {
    std::iter::once(mfa).chain(credentials).collect()
}

/// Why the sources could not settle the question: each source that failed, and each property
/// neither source answered.
pub(super) fn source_problems(
    summary: &Collected<AccountSummary>,
    report: &Collected<CredentialReport>,
    readings: &[&Reading],
) -> Vec<String> {
    let mut problems = Vec::new();
    match summary {
        Collected::Error(err) => problems.push(describe_error(err)),
        Collected::Ok(_) => {
            let missing: Vec<&str> = readings
                .iter()
                .filter(|r| r.summary.is_none() && r.report.is_none())
                .map(|r| r.summary_key)
                .collect();
            if !missing.is_empty() {
                problems.push(format!(
                    "GetAccountSummary did not return {}",
                    missing.join(", ")
                ));
            }
        }
    }
    match report {
        Collected::Error(err) => problems.push(format!(
            "the credential report could not be read ({})",
            describe_error(err)
        )),
        Collected::Ok(report) if report.root.is_none() => {
            problems.push("the credential report has no root row".to_owned());
        }
        Collected::Ok(_) => {
            let unanswered: Vec<&str> = readings
                .iter()
                .filter(|r| r.summary.is_none() && r.report.is_none())
                .map(|r| r.report_column)
                .collect();
            if !unanswered.is_empty() {
                problems.push(format!(
                    "the credential report's root row does not answer {} (not_supported or missing)",
                    unanswered.join(", ")
                ));
            }
        }
    }
    problems
}

/// Which source showed a property.
fn said_yes(reading: &Reading) -> String {
    match (reading.summary, reading.report) {
        (Some(true), Some(true)) => format!(
            "GetAccountSummary {}=1 and credential report {}=true",
            reading.summary_key, reading.report_column
        ),
        (Some(true), _) => format!("GetAccountSummary {}=1", reading.summary_key),
        _ => format!("credential report {}=true", reading.report_column),
    }
}

pub(super) fn flag(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "1",
        Some(false) => "0",
        None => "absent",
    }
}

pub(super) fn join_and(items: &[&str]) -> String {
    join_with(items, "and")
}

fn join_or(items: &[&str]) -> String {
    join_with(items, "or")
}

fn join_with(items: &[&str], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, NOW, account, assert_verdict, error, organization, value,
    };
    use super::*;
    use crate::facts::AccountFacts;

    fn run(account: &AccountFacts) -> Outcome {
        let org = organization();
        let mut outcomes = evaluate(&AccountContext {
            account,
            organization: &org,
            regions: &[],
            evaluated_at: NOW,
            thresholds: &super::super::test_support::THRESHOLDS,
        });
        assert_eq!(outcomes.len(), 1);
        outcomes.remove(0)
    }

    fn summary(a: &mut AccountFacts) -> &mut AccountSummary {
        match &mut a.account_summary {
            Collected::Ok(s) => s,
            Collected::Error(_) => panic!("summary is an error"),
        }
    }

    fn root(a: &mut AccountFacts) -> &mut CredentialReportRow {
        match &mut a.credential_report {
            Collected::Ok(r) => r.root.as_mut().expect("root row"),
            Collected::Error(_) => panic!("report is an error"),
        }
    }

    /// (name, change to a clean account, expected status, text the reason must contain)
    type Case = (&'static str, fn(&mut AccountFacts), Status, &'static str);

    const CASES: &[Case] = &[
        (
            "passes_with_mfa_in_both_sources",
            |a| {
                summary(a).mfa_enabled = Some(true);
                summary(a).password_present = Some(true);
                root(a).mfa_active = value("true");
            },
            Status::Pass,
            "the root user has MFA (GetAccountSummary AccountMFAEnabled=1 and credential report mfa_active=true)",
        ),
        (
            "passes_with_no_root_credentials",
            |_| {},
            Status::Pass,
            "no root credentials (centralized root access)",
        ),
        (
            "passes_with_no_credentials_from_the_summary_alone",
            |a| {
                a.credential_report =
                    Collected::Error(error("iam", "GetCredentialReport", "ReportInProgress"))
            },
            Status::Pass,
            "no root credentials",
        ),
        (
            "fails_when_root_has_a_password_and_no_mfa",
            |a| summary(a).password_present = Some(true),
            Status::Fail,
            "the root user has a password and no MFA",
        ),
        (
            "fails_when_root_has_active_keys_seen_only_in_the_report",
            |a| {
                summary(a).access_keys_present = None;
                summary(a).password_present = None;
                root(a).access_keys[1].active = value("true");
            },
            Status::Fail,
            "the root user has access keys and no MFA",
        ),
        (
            "fails_with_keys_even_when_the_summary_cannot_be_read",
            |a| {
                a.account_summary =
                    Collected::Error(error("iam", "GetAccountSummary", "AccessDenied"));
                root(a).access_keys[0].active = value("true");
            },
            Status::Fail,
            "has access keys and no MFA",
        ),
        (
            "passes_on_mfa_from_the_report_and_reports_the_disagreement",
            |a| {
                summary(a).password_present = Some(true);
                root(a).mfa_active = value("true");
            },
            Status::Pass,
            "the root user has MFA (credential report mfa_active=true); the sources disagree: GetAccountSummary says AccountMFAEnabled=0, the credential report's root row says mfa_active=true",
        ),
        (
            "fails_on_keys_the_summary_denies_and_reports_the_disagreement",
            |a| root(a).certificates_active[0] = value("true"),
            Status::Fail,
            "signing certificates and no MFA; the sources disagree: GetAccountSummary says AccountSigningCertificatesPresent=0, the credential report's root row says cert_N_active=true",
        ),
        (
            "errors_when_both_sources_fail",
            |a| {
                a.account_summary =
                    Collected::Error(error("iam", "GetAccountSummary", "AccessDenied"));
                a.credential_report =
                    Collected::Error(error("iam", "GetCredentialReport", "AccessDenied"));
            },
            Status::Error,
            "cannot tell whether the root user has a password, access keys or signing certificates: iam:GetAccountSummary failed: AccessDenied",
        ),
        (
            "errors_when_the_password_state_is_unknown_and_nothing_else_decides",
            |a| summary(a).password_present = None,
            Status::Error,
            "cannot tell whether the root user has a password: GetAccountSummary did not return AccountPasswordPresent",
        ),
        (
            "errors_when_the_report_is_missing_and_the_summary_lacks_keys",
            |a| {
                a.credential_report =
                    Collected::Error(error("iam", "GetCredentialReport", "ServiceFailure"));
                summary(a).access_keys_present = None;
            },
            Status::Error,
            "cannot tell whether the root user has access keys",
        ),
        (
            "errors_when_the_report_has_no_root_row_and_the_summary_lacks_certificates",
            |a| {
                if let Collected::Ok(r) = &mut a.credential_report {
                    r.root = None;
                }
                summary(a).signing_certificates_present = None;
            },
            Status::Error,
            "the credential report has no root row",
        ),
        (
            "errors_when_credentials_exist_but_mfa_is_unknown",
            |a| {
                summary(a).password_present = Some(true);
                summary(a).mfa_enabled = None;
                if let Collected::Ok(r) = &mut a.credential_report {
                    r.root = None;
                }
            },
            Status::Error,
            "the root user has a password, but whether it has MFA is unknown",
        ),
    ];

    #[test]
    fn judges_each_case() {
        for (name, change, status, reason) in CASES {
            let mut facts = account(ACCT);
            change(&mut facts);
            let outcome = run(&facts);
            assert_verdict(name, &outcome, *status, reason);
            assert_eq!(outcome.resource, "arn:aws:iam::222222222222:root", "{name}");
            assert_eq!(outcome.region, None, "{name}");
        }
    }

    #[test]
    fn evidence_shows_both_sources() {
        let mut facts = account(ACCT);
        root(&mut facts).mfa_active = value("true");
        let outcome = run(&facts);
        let e = &outcome.evidence;
        assert_eq!(e["GetAccountSummary AccountMFAEnabled"], "0");
        assert_eq!(e["credential report mfa_active"], "true");
        assert_eq!(e["credential report password_enabled"], "not_supported");
        assert_eq!(e["credential report access_key_2_active"], "false");
        assert!(e["sources disagree"].contains("AccountMFAEnabled=0"));
    }

    #[test]
    fn evidence_keeps_the_error_and_request_id() {
        let mut facts = account(ACCT);
        facts.account_summary = Collected::Error(error("iam", "GetAccountSummary", "AccessDenied"));
        let outcome = run(&facts);
        assert_eq!(
            outcome.evidence["GetAccountSummary"],
            "not read: iam:GetAccountSummary failed: AccessDenied: GetAccountSummary went wrong (request id req-1)"
        );
    }
}
