//! `access-key-rotation`: no active access key of an IAM user is older than the limit
//! (`access_key_max_age_days`, 90 by default as in CIS v5.0.0 1.13).
//!
//! A key's age counts from `access_key_N_last_rotated` in the credential report (its creation or
//! its last rotation) to the evaluation time. One FAIL per key over the limit (resource
//! `<user ARN>/access-key-<slot>`); ERROR for a key whose age cannot be told; one PASS for the
//! account otherwise. The root user's keys belong to `root-access-keys`.
//!
//! Pure: no I/O, no clock, no logging.

use jiff::Timestamp;

use crate::finding::{EVALUATED_AT, Outcome, Status};

use super::context::AccountContext;
use super::credentials::{days_between, key_resource, last_use, per_active_key};
use super::report_cell;

/// The evidence label of the limit the check judged with (`diff` tells a changed limit from a
/// changed key by it).
pub(crate) const LIMIT_LABEL: &str = "maximum age (days)";

/// Judges the age of the active access keys of one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let now = ctx.evaluated_at.parse::<Timestamp>().ok();
    let limit = ctx.thresholds.access_key_max_age_days;
    per_active_key(
        ctx,
        |user, key| {
            let rotated = key.last_rotated.value().ok_or_else(|| {
                format!(
                    "access_key_{}_last_rotated is {}",
                    key.slot,
                    report_cell(&key.last_rotated)
                )
            });
            let (status, reason) = match rotated.and_then(|date| days_between(date, now)) {
                Ok(days) if days <= i64::from(limit) => return None,
                Ok(days) => (
                    Status::Fail,
                    format!(
                        "access key {} of IAM user {} is {days} days old, more than {limit} days \
                         ({})",
                        key.slot,
                        user.user,
                        last_use(key)
                    ),
                ),
                Err(why) => (
                    Status::Error,
                    format!(
                        "the age of access key {} of IAM user {} is unknown: {why}",
                        key.slot, user.user
                    ),
                ),
            };
            Some(
                Outcome::new(None, key_resource(user, key), status, reason)
                    .with("access key slot", key.slot)
                    .with("last rotated", report_cell(&key.last_rotated))
                    .with("last used", key.last_used_date.value().unwrap_or("never"))
                    .with(LIMIT_LABEL, limit)
                    .with(EVALUATED_AT, ctx.evaluated_at),
            )
        },
        |active| {
            format!(
                "no active IAM user access key is older than {limit} days ({active} active key{})",
                if active == 1 { "" } else { "s" }
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, NOW, account, assert_verdict, error, key, organization, row, value, with_users,
    };
    use super::*;
    use crate::evaluate::Thresholds;
    use crate::facts::{
        AccountFacts, Collected, CredentialReportRow, ReportAccessKey, ReportValue,
    };

    const ALICE: &str = "arn:aws:iam::222222222222:user/alice";

    fn run(account: &AccountFacts, max_age: u32) -> Vec<Outcome> {
        let org = organization();
        evaluate(&AccountContext {
            account,
            organization: &org,
            regions: &[],
            evaluated_at: NOW,
            thresholds: &Thresholds {
                access_key_max_age_days: max_age,
                ..Thresholds::default()
            },
        })
    }

    fn alice(keys: Vec<ReportAccessKey>) -> AccountFacts {
        with_users(
            ACCT,
            vec![CredentialReportRow {
                access_keys: keys,
                ..row("alice", ALICE)
            }],
        )
    }

    fn rotated(slot: u8, date: &str) -> ReportAccessKey {
        ReportAccessKey {
            last_rotated: value(date),
            ..key(slot, true)
        }
    }

    #[test]
    fn judges_each_case() {
        // NOW is 2025-06-01.
        let cases: Vec<(&str, AccountFacts, u32, Status, &str, &str)> = vec![
            (
                "passes_a_young_key",
                alice(vec![rotated(1, "2025-04-01T00:00:00+00:00")]),
                90,
                Status::Pass,
                ACCT,
                "no active IAM user access key is older than 90 days (1 active key)",
            ),
            (
                "passes_exactly_at_the_limit",
                alice(vec![rotated(1, "2025-03-03T00:00:00+00:00")]),
                90,
                Status::Pass,
                ACCT,
                "(1 active key)",
            ),
            (
                "fails_one_day_over",
                alice(vec![rotated(1, "2025-03-02T00:00:00+00:00")]),
                90,
                Status::Fail,
                "arn:aws:iam::222222222222:user/alice/access-key-1",
                "access key 1 of IAM user alice is 91 days old, more than 90 days (never used)",
            ),
            (
                "a_lower_limit_from_the_configuration_applies",
                alice(vec![rotated(1, "2025-04-01T00:00:00+00:00")]),
                30,
                Status::Fail,
                "arn:aws:iam::222222222222:user/alice/access-key-1",
                "is 61 days old, more than 30 days",
            ),
            (
                "ignores_inactive_keys",
                alice(vec![key(1, false)]),
                90,
                Status::Pass,
                ACCT,
                "(0 active keys)",
            ),
            (
                "errors_on_an_unknown_age",
                alice(vec![ReportAccessKey {
                    last_rotated: ReportValue::NotApplicable,
                    ..key(2, true)
                }]),
                90,
                Status::Error,
                "arn:aws:iam::222222222222:user/alice/access-key-2",
                "the age of access key 2 of IAM user alice is unknown: access_key_2_last_rotated is N/A",
            ),
            (
                "errors_on_an_unknown_state",
                alice(vec![ReportAccessKey {
                    active: ReportValue::Missing,
                    ..key(1, false)
                }]),
                90,
                Status::Error,
                "arn:aws:iam::222222222222:user/alice/access-key-1",
                "does not say whether access key 1 of IAM user alice is active",
            ),
            (
                "errors_when_the_report_cannot_be_read",
                {
                    let mut a = account(ACCT);
                    a.credential_report =
                        Collected::Error(error("iam", "GetCredentialReport", "Throttling"));
                    a
                },
                90,
                Status::Error,
                ACCT,
                "the credential report could not be read",
            ),
        ];
        for (name, facts, limit, status, resource, reason) in cases {
            let outcomes = run(&facts, limit);
            assert_eq!(outcomes.len(), 1, "{name}: {outcomes:?}");
            assert_verdict(name, &outcomes[0], status, reason);
            assert_eq!(outcomes[0].resource, resource, "{name}");
        }
    }

    #[test]
    fn the_evidence_names_the_limit_used() {
        let outcomes = run(&alice(vec![rotated(1, "2024-01-01T00:00:00+00:00")]), 90);
        let e = &outcomes[0].evidence;
        assert_eq!(e["maximum age (days)"], "90");
        assert_eq!(e["user"], "alice");
        assert_eq!(e["last rotated"], "2024-01-01T00:00:00+00:00");
        assert_eq!(e[EVALUATED_AT], NOW);
    }
}
