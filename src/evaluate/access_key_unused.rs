//! `access-key-unused`: no active access key of an IAM user has gone unused for the limit or
//! longer (`access_key_max_unused_days`, 45 by default as in CIS v5.0.0 1.11).
//!
//! Unused days count from `access_key_N_last_used_date`, or, for a key never used, from its
//! creation (`access_key_N_last_rotated`), to the evaluation time. One FAIL per key at or over
//! the limit (resource `<user ARN>/access-key-<slot>`); ERROR when the dates cannot tell; one PASS
//! for the account otherwise. An unused active key is a credential nobody needs that can still be
//! stolen: deactivate it. The root user's keys belong to `root-access-keys`.
//!
//! Pure: no I/O, no clock, no logging.

use jiff::Timestamp;

use crate::finding::{EVALUATED_AT, Outcome, Status};

use super::context::AccountContext;
use super::credentials::{days_between, key_resource, per_active_key};
use super::report_cell;

/// The evidence label of the limit the check judged with (`diff` tells a changed limit from a
/// changed key by it).
pub(crate) const LIMIT_LABEL: &str = "maximum unused (days)";

/// Judges how long the active access keys of one account have gone unused.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let now = ctx.evaluated_at.parse::<Timestamp>().ok();
    let limit = ctx.thresholds.access_key_max_unused_days;
    per_active_key(
        ctx,
        |user, key| {
            // (days unused, since what) or why that is unknown.
            let unused = match (key.last_used_date.value(), key.last_rotated.value()) {
                (Some(used), _) => {
                    days_between(used, now).map(|d| (d, format!("last used {used}")))
                }
                (None, Some(created)) => days_between(created, now)
                    .map(|d| (d, format!("never used since it was created {created}"))),
                (None, None) => Err(format!(
                    "access_key_{0}_last_used_date is {1} and access_key_{0}_last_rotated is {2}",
                    key.slot,
                    report_cell(&key.last_used_date),
                    report_cell(&key.last_rotated)
                )),
            };
            let (status, reason) = match unused {
                Ok((days, _)) if days < i64::from(limit) => return None,
                Ok((days, since)) => (
                    Status::Fail,
                    format!(
                        "access key {} of IAM user {} is active and unused for {days} days \
                         ({since}), the limit is {limit}",
                        key.slot, user.user
                    ),
                ),
                Err(why) => (
                    Status::Error,
                    format!(
                        "when access key {} of IAM user {} was last used is unknown: {why}",
                        key.slot, user.user
                    ),
                ),
            };
            Some(
                Outcome::new(None, key_resource(user, key), status, reason)
                    .with("access key slot", key.slot)
                    .with("last used", key.last_used_date.value().unwrap_or("never"))
                    .with("last used service", report_cell(&key.last_used_service))
                    .with("last rotated", report_cell(&key.last_rotated))
                    .with(LIMIT_LABEL, limit)
                    .with(EVALUATED_AT, ctx.evaluated_at),
            )
        },
        |active| {
            format!(
                "every active IAM user access key was used in the last {limit} days ({active} \
                 active key{})",
                if active == 1 { "" } else { "s" }
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, NOW, assert_verdict, key, organization, row, value, with_users,
    };
    use super::*;
    use crate::evaluate::Thresholds;
    use crate::facts::{AccountFacts, CredentialReportRow, ReportAccessKey, ReportValue};

    fn run(account: &AccountFacts, limit: u32) -> Vec<Outcome> {
        let org = organization();
        evaluate(&AccountContext {
            account,
            organization: &org,
            regions: &[],
            evaluated_at: NOW,
            thresholds: &Thresholds {
                access_key_max_unused_days: limit,
                ..Thresholds::default()
            },
        })
    }

    fn alice(key: ReportAccessKey) -> AccountFacts {
        with_users(
            ACCT,
            vec![CredentialReportRow {
                access_keys: vec![key],
                ..row("alice", "arn:aws:iam::222222222222:user/alice")
            }],
        )
    }

    fn used(date: &str) -> ReportAccessKey {
        ReportAccessKey {
            last_used_date: value(date),
            last_used_service: value("s3"),
            ..key(1, true)
        }
    }

    #[test]
    fn judges_each_case() {
        // NOW is 2025-06-01; key(1, true) was created 2024-01-01.
        let key_resource = "arn:aws:iam::222222222222:user/alice/access-key-1";
        let cases: Vec<(&str, AccountFacts, u32, Status, &str, &str)> = vec![
            (
                "passes_a_key_used_recently",
                alice(used("2025-05-20T00:00:00+00:00")),
                45,
                Status::Pass,
                ACCT,
                "every active IAM user access key was used in the last 45 days (1 active key)",
            ),
            (
                "passes_one_day_under_the_limit",
                alice(used("2025-04-18T00:00:00+00:00")),
                45,
                Status::Pass,
                ACCT,
                "(1 active key)",
            ),
            (
                "fails_at_the_limit",
                alice(used("2025-04-17T00:00:00+00:00")),
                45,
                Status::Fail,
                key_resource,
                "access key 1 of IAM user alice is active and unused for 45 days (last used 2025-04-17T00:00:00+00:00), the limit is 45",
            ),
            (
                "fails_a_never_used_key_counted_from_its_creation",
                alice(key(1, true)),
                45,
                Status::Fail,
                key_resource,
                "unused for 517 days (never used since it was created 2024-01-01T00:00:00+00:00)",
            ),
            (
                "a_longer_limit_from_the_configuration_applies",
                alice(used("2025-04-17T00:00:00+00:00")),
                90,
                Status::Pass,
                ACCT,
                "used in the last 90 days",
            ),
            (
                "errors_when_no_date_tells",
                alice(ReportAccessKey {
                    last_rotated: ReportValue::NoInformation,
                    ..key(1, true)
                }),
                45,
                Status::Error,
                key_resource,
                "access_key_1_last_used_date is N/A and access_key_1_last_rotated is no_information",
            ),
            (
                "errors_on_a_date_that_does_not_parse",
                alice(used("last tuesday")),
                45,
                Status::Error,
                key_resource,
                "`last tuesday` is not an RFC 3339 date",
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
    fn the_evidence_names_the_limit_and_the_last_use() {
        let outcomes = run(&alice(used("2025-01-01T00:00:00+00:00")), 45);
        let e = &outcomes[0].evidence;
        assert_eq!(e["maximum unused (days)"], "45");
        assert_eq!(e["last used"], "2025-01-01T00:00:00+00:00");
        assert_eq!(e["last used service"], "s3");
        assert_eq!(e["user"], "alice");
    }
}
