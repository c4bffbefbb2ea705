//! What the credential-report checks share: which rows are IAM users, how a key is named as a
//! resource, and ages in whole days counted to the evaluation time (never the clock).
//!
//! Pure: no I/O, no clock, no logging.

use jiff::Timestamp;

use crate::facts::{Collected, CredentialReport, CredentialReportRow, ReportAccessKey};
use crate::finding::{Outcome, REPORT_GENERATED, Status, USERS_READ_LIVE};

use super::context::AccountContext;
use super::{report_cell, unread_outcome};

/// Whether a credential-report row is the root user's (`<root_account>`, ARN ending in `:root`):
/// the root user's credentials belong to the root checks, never to the IAM-user ones.
pub(super) fn is_root(row: &CredentialReportRow) -> bool {
    row.user == "<root_account>" || row.arn.ends_with(":root")
}

/// The resource of a finding about one access key: `<user ARN>/access-key-<slot>`, stable across
/// scans (the report does not carry the key id).
pub(super) fn key_resource(user: &CredentialReportRow, key: &ReportAccessKey) -> String {
    format!("{}/access-key-{}", user.arn, key.slot)
}

/// Whole days from `then` to `now` (never negative: a report a little ahead of the evaluation
/// clock reads as 0).
pub(super) fn days_between(then: &str, now: Option<Timestamp>) -> Result<i64, String> {
    let now = now.ok_or_else(|| "the evaluation time is not RFC 3339".to_owned())?;
    let then = then
        .parse::<Timestamp>()
        .map_err(|_| format!("`{then}` is not an RFC 3339 date"))?;
    Ok((now.as_second() - then.as_second()).max(0) / 86_400)
}

/// "last used 2025-05-30 by s3 in eu-west-1", or "never used".
pub(super) fn last_use(key: &ReportAccessKey) -> String {
    match key.last_used_date.value() {
        Some(date) => {
            let mut text = format!("last used {date}");
            if let Some(service) = key.last_used_service.value() {
                text.push_str(&format!(" by {service}"));
            }
            if let Some(region) = key.last_used_region.value() {
                text.push_str(&format!(" in {region}"));
            }
            text
        }
        None => "never used".to_owned(),
    }
}

/// The account's credential report, or the ERROR finding (resource: the account) that a check
/// reading it gives when it could not be read.
pub(super) fn credential_report<'a>(
    ctx: &AccountContext<'a>,
) -> Result<&'a CredentialReport, Outcome> {
    match &ctx.account.credential_report {
        Collected::Ok(report) => Ok(report),
        Collected::Error(err) => Err(unread_outcome(
            None,
            ctx.account.account_id.clone(),
            "the credential report",
            "credential report",
            err,
        )),
    }
}

/// The evidence of a finding read from an account's IAM users: when IAM generated the
/// credential report and, when the report was too old to be evidence, when the users were read
/// live instead.
pub(super) trait ReportEvidence {
    /// This finding with that evidence.
    fn with_report(self, report: &CredentialReport) -> Self;
}

impl ReportEvidence for Outcome {
    fn with_report(self, report: &CredentialReport) -> Self {
        let outcome = self.with(
            REPORT_GENERATED,
            report.generated_time.as_deref().unwrap_or("unknown"),
        );
        match &report.users_read_live_at {
            Some(read_at) => outcome.with(USERS_READ_LIVE, read_at),
            None => outcome,
        }
    }
}

/// The IAM users' rows of a credential report: every row but the root user's.
pub(super) fn iam_users(report: &CredentialReport) -> impl Iterator<Item = &CredentialReportRow> {
    report.users.iter().filter(|u| !is_root(u))
}

/// Runs `judge` on every active access key of the account's IAM users (never the root user's)
/// and returns its findings: the credential report's error when it could not be read, an ERROR
/// per key whose state the report does not say, and one PASS for the account, with `pass` saying
/// why given the number of active keys, when nothing else was found.
pub(super) fn per_active_key(
    ctx: &AccountContext<'_>,
    judge: impl Fn(&CredentialReportRow, &ReportAccessKey) -> Option<Outcome>,
    pass: impl FnOnce(usize) -> String,
) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    let report = match credential_report(ctx) {
        Ok(report) => report,
        Err(unread) => return vec![unread],
    };
    let mut outcomes = Vec::new();
    let mut active = 0;
    for user in iam_users(report) {
        for key in &user.access_keys {
            let outcome = match key.active.as_bool() {
                Some(false) => None,
                Some(true) => {
                    active += 1;
                    judge(user, key)
                }
                None => Some(Outcome::new(
                    None,
                    key_resource(user, key),
                    Status::Error,
                    format!(
                        "the credential report does not say whether access key {} of IAM user {} \
                         is active (access_key_{}_active is {})",
                        key.slot,
                        user.user,
                        key.slot,
                        report_cell(&key.active)
                    ),
                )),
            };
            if let Some(outcome) = outcome {
                outcomes.push(outcome.with("user", &user.user).with_report(report));
            }
        }
    }
    if outcomes.is_empty() {
        outcomes.push(
            Outcome::new(None, account_id.clone(), Status::Pass, pass(active))
                .with("active IAM user access keys", active)
                .with_report(report),
        );
    }
    outcomes
}
