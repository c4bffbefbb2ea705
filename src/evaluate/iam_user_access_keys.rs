//! `iam-user-access-keys`: no IAM user has an active access key.
//!
//! Read from the credential report (one per account): one FAIL per active key of an IAM user, its
//! resource `<user ARN>/access-key-<slot>` (stable across scans, unlike the key id, which the
//! report does not carry); inactive keys give nothing; a key whose state the report does not say
//! is ERROR; an account with no active key gets one PASS (resource: the account id). The root
//! user's keys belong to `root-mfa`. Ages are measured against the evaluation time, never the
//! clock, and the benchmarks' looser limits (CIS: unused 45 days, rotated within 90) are shown as
//! evidence.
//!
//! Pure: no I/O, no clock, no logging.

use jiff::Timestamp;

use crate::facts::{CredentialReportRow, ReportAccessKey};
use crate::finding::{EVALUATED_AT, Outcome, Status};

use super::context::AccountContext;
use super::credentials::{
    ReportEvidence, credential_report, days_between, iam_users, key_resource, last_use,
};
use super::report_cell;

/// CIS AWS Foundations v5.0.0 1.11: credentials unused for 45 days or more are disabled.
const UNUSED_DAYS: i64 = 45;
/// CIS AWS Foundations v5.0.0 1.13: access keys are rotated every 90 days or less.
const ROTATION_DAYS: i64 = 90;

/// Judges the IAM users' access keys of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account_id = &ctx.account.account_id;
    let report = match credential_report(ctx) {
        Ok(report) => report,
        Err(unread) => return vec![unread],
    };
    let now = ctx.evaluated_at.parse::<Timestamp>().ok();

    let mut outcomes = Vec::new();
    // The root user's keys are root-mfa's business; a report that lists root among the users
    // (its row is `<root_account>`, its ARN ends in `:root`) must not turn them into a FAIL here.
    for user in iam_users(report) {
        for key in &user.access_keys {
            match key.active.as_bool() {
                Some(false) => {}
                Some(true) => {
                    outcomes.push(active_key(user, key, now, ctx.evaluated_at).with_report(report))
                }
                None => outcomes.push(
                    Outcome::new(
                        None,
                        key_resource(user, key),
                        Status::Error,
                        format!(
                            "the credential report does not say whether access key {} of IAM \
                             user {} is active (access_key_{}_active is {})",
                            key.slot,
                            user.user,
                            key.slot,
                            report_cell(&key.active)
                        ),
                    )
                    .with("user", &user.user)
                    .with_report(report),
                ),
            }
        }
    }
    if outcomes.is_empty() {
        let users = iam_users(report).count();
        outcomes.push(
            Outcome::new(
                None,
                account_id.clone(),
                Status::Pass,
                format!(
                    "no IAM user has an active access key ({users} IAM user{} in the credential report)",
                    if users == 1 { "" } else { "s" }
                ),
            )
            .with("IAM users", users)
            .with_report(report),
        );
    }
    outcomes
}

fn active_key(
    user: &CredentialReportRow,
    key: &ReportAccessKey,
    now: Option<Timestamp>,
    evaluated_at: &str,
) -> Outcome {
    let age = key.last_rotated.value().map(|t| days_between(t, now));
    let age_text = match &age {
        Some(Ok(days)) => format!("{days} days old"),
        _ => "of unknown age".to_owned(),
    };
    let last_used = last_use(key);
    let reason = format!(
        "IAM user {} has an active access key (slot {}), {age_text}, {last_used}",
        user.user, key.slot
    );

    let unknown_age = |why: &str| format!("unknown ({why})");
    let age_evidence = match &age {
        Some(Ok(days)) => days.to_string(),
        Some(Err(why)) => unknown_age(why),
        None => unknown_age(&format!(
            "access_key_{}_last_rotated is {}",
            key.slot,
            report_cell(&key.last_rotated)
        )),
    };
    let rotation = match &age {
        Some(Ok(days)) => yes_no(*days > ROTATION_DAYS),
        _ => "unknown",
    };
    // Unused = not used for 45 days, or never used and at least 45 days old.
    let unused = match key.last_used_date.value() {
        Some(date) => match days_between(date, now) {
            Ok(days) => yes_no(days >= UNUSED_DAYS),
            Err(_) => "unknown",
        },
        None => match &age {
            Some(Ok(days)) => yes_no(*days >= UNUSED_DAYS),
            _ => "unknown",
        },
    };

    Outcome::new(None, key_resource(user, key), Status::Fail, reason)
        .with("user", &user.user)
        .with("access key slot", key.slot)
        .with("key age (days)", age_evidence)
        .with("last rotated", report_cell(&key.last_rotated))
        .with("last used", key.last_used_date.value().unwrap_or("never"))
        .with("last used region", report_cell(&key.last_used_region))
        .with("last used service", report_cell(&key.last_used_service))
        .with(
            &format!("not rotated for more than {ROTATION_DAYS} days (CIS v5.0.0 1.13)"),
            rotation,
        )
        .with(
            &format!("unused for {UNUSED_DAYS} days or more (CIS v5.0.0 1.11)"),
            unused,
        )
        .with(EVALUATED_AT, evaluated_at)
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, NOW, account, assert_verdict, error, key, organization, root_row, row, value,
        with_users,
    };
    use super::*;
    use crate::facts::{AccountFacts, Collected, ReportValue};

    /// Per outcome: status, resource, text the reason must contain.
    type Expected = Vec<(Status, &'static str, &'static str)>;

    const ALICE: &str = "arn:aws:iam::222222222222:user/alice";

    fn run_at(account: &AccountFacts, now: &str) -> Vec<Outcome> {
        let org = organization();
        evaluate(&AccountContext {
            account,
            organization: &org,
            regions: &[],
            evaluated_at: now,
            thresholds: &super::super::test_support::THRESHOLDS,
        })
    }

    fn alice(keys: Vec<ReportAccessKey>) -> CredentialReportRow {
        CredentialReportRow {
            access_keys: keys,
            ..row("alice", ALICE)
        }
    }

    #[test]
    fn judges_each_case() {
        let used = ReportAccessKey {
            last_used_date: value("2025-05-30T10:00:00+00:00"),
            last_used_region: value("eu-west-1"),
            last_used_service: value("s3"),
            ..key(2, true)
        };
        let cases: Vec<(&str, AccountFacts, Expected)> = vec![
            (
                "passes_with_no_users",
                with_users(ACCT, vec![]),
                vec![(
                    Status::Pass,
                    ACCT,
                    "no IAM user has an active access key (0 IAM users in the credential report)",
                )],
            ),
            (
                "passes_when_every_key_is_inactive",
                with_users(ACCT, vec![alice(vec![key(1, false), key(2, false)])]),
                vec![(Status::Pass, ACCT, "(1 IAM user in the credential report)")],
            ),
            (
                "fails_once_per_active_key",
                with_users(ACCT, vec![alice(vec![key(1, true), used.clone()])]),
                vec![
                    (
                        Status::Fail,
                        "arn:aws:iam::222222222222:user/alice/access-key-1",
                        "IAM user alice has an active access key (slot 1), 517 days old, never used",
                    ),
                    (
                        Status::Fail,
                        "arn:aws:iam::222222222222:user/alice/access-key-2",
                        "(slot 2), 517 days old, last used 2025-05-30T10:00:00+00:00 by s3 in eu-west-1",
                    ),
                ],
            ),
            (
                "ignores_root_keys",
                with_users(
                    ACCT,
                    vec![CredentialReportRow {
                        access_keys: vec![key(1, true)],
                        ..root_row(ACCT)
                    }],
                ),
                vec![(Status::Pass, ACCT, "no IAM user has an active access key")],
            ),
            (
                "errors_on_a_key_whose_state_is_missing",
                with_users(
                    ACCT,
                    vec![alice(vec![ReportAccessKey {
                        active: ReportValue::Missing,
                        ..key(1, false)
                    }])],
                ),
                vec![(
                    Status::Error,
                    "arn:aws:iam::222222222222:user/alice/access-key-1",
                    "does not say whether access key 1 of IAM user alice is active (access_key_1_active is missing)",
                )],
            ),
            (
                "errors_when_the_credential_report_cannot_be_read",
                {
                    let mut a = account(ACCT);
                    a.credential_report =
                        Collected::Error(error("iam", "GetCredentialReport", "ReportInProgress"));
                    a
                },
                vec![(
                    Status::Error,
                    ACCT,
                    "the credential report could not be read: iam:GetCredentialReport failed: ReportInProgress",
                )],
            ),
        ];
        for (name, facts, expected) in cases {
            let outcomes = run_at(&facts, NOW);
            assert_eq!(outcomes.len(), expected.len(), "{name}: {outcomes:?}");
            for (outcome, (status, resource, reason)) in outcomes.iter().zip(expected) {
                assert_verdict(name, outcome, status, reason);
                assert_eq!(outcome.resource, resource, "{name}");
                assert_eq!(outcome.region, None, "{name}");
            }
        }
    }

    #[test]
    fn evidence_has_user_age_last_use_and_benchmark_limits() {
        let facts = with_users(
            ACCT,
            vec![alice(vec![ReportAccessKey {
                last_used_date: value("2025-05-30T10:00:00+00:00"),
                last_used_region: value("eu-west-1"),
                last_used_service: value("s3"),
                ..key(1, true)
            }])],
        );
        let outcomes = run_at(&facts, NOW);
        let e = &outcomes[0].evidence;
        assert_eq!(e["user"], "alice");
        assert_eq!(e["access key slot"], "1");
        assert_eq!(e["key age (days)"], "517");
        assert_eq!(e["last used"], "2025-05-30T10:00:00+00:00");
        assert_eq!(e["last used region"], "eu-west-1");
        assert_eq!(e["last used service"], "s3");
        assert_eq!(
            e["not rotated for more than 90 days (CIS v5.0.0 1.13)"],
            "yes"
        );
        assert_eq!(e["unused for 45 days or more (CIS v5.0.0 1.11)"], "no");
        assert_eq!(
            e["credential report generated"],
            "2025-05-31T22:00:00+00:00"
        );
    }

    #[test]
    fn a_never_used_key_is_unused_once_45_days_old() {
        let facts = with_users(ACCT, vec![alice(vec![key(1, true)])]);
        let young = run_at(&facts, "2024-01-31T00:00:00Z");
        assert_eq!(
            young[0].evidence["unused for 45 days or more (CIS v5.0.0 1.11)"],
            "no"
        );
        assert_eq!(young[0].evidence["key age (days)"], "30");
        let old = run_at(&facts, "2024-02-15T00:00:00Z");
        assert_eq!(
            old[0].evidence["unused for 45 days or more (CIS v5.0.0 1.11)"],
            "yes"
        );
        assert_eq!(old[0].evidence["last used"], "never");
    }

    #[test]
    fn a_bad_evaluation_time_leaves_the_verdict_and_marks_the_age_unknown() {
        let facts = with_users(ACCT, vec![alice(vec![key(1, true)])]);
        let outcomes = run_at(&facts, "yesterday");
        assert_eq!(outcomes[0].status, Status::Fail);
        assert!(
            outcomes[0].reason.contains("of unknown age"),
            "{}",
            outcomes[0].reason
        );
        assert_eq!(
            outcomes[0].evidence["key age (days)"],
            "unknown (the evaluation time is not RFC 3339)"
        );
    }
}
