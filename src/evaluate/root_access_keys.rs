//! `root-access-keys`: the root user has no access key, active or not.
//!
//! The same two sources as `root-mfa`, read the same way (its [`access_keys`] reading): IAM
//! `GetAccountSummary`'s `AccountAccessKeysPresent`, which counts inactive keys too, and the
//! credential report's root row (`access_key_N_active`), which shows only whether each is active.
//! FAIL when either shows a key (an inactive key can be activated again: it must be deleted);
//! PASS when one says none and the other does not contradict it; ERROR when neither can say.
//!
//! Pure: no I/O, no clock, no logging.

use crate::facts::{Collected, CredentialReport};
use crate::finding::{Outcome, REPORT_GENERATED, Status};

use super::context::AccountContext;
use super::report_cell;
use super::root_mfa::{access_keys, flag, root_arn, source_problems};
use super::{describe_error, error_evidence};

/// Judges the root user's access keys in one account.
pub(crate) fn evaluate(ctx: &AccountContext<'_>) -> Vec<Outcome> {
    let account = ctx.account;
    let summary = &account.account_summary;
    let report = &account.credential_report;
    let keys = access_keys(summary, report);
    let active = active_slots(report);

    let (status, mut reason) = match (keys.combined(), keys.summary, keys.report) {
        (Some(true), _, Some(true)) => (
            Status::Fail,
            format!(
                "the root user has an active access key (slot {})",
                active.join(", ")
            ),
        ),
        (Some(true), _, _) => (
            Status::Fail,
            "the root user has an access key (GetAccountSummary AccountAccessKeysPresent=1), \
             none of them active: delete it, an inactive key can be activated again"
                .to_owned(),
        ),
        (Some(false), Some(false), _) => (
            Status::Pass,
            "the root user has no access key (GetAccountSummary AccountAccessKeysPresent=0)"
                .to_owned(),
        ),
        (Some(false), _, _) => (
            Status::Pass,
            format!(
                "the root user has no active access key in the credential report; inactive keys \
                 are not ruled out: {}",
                match summary {
                    Collected::Error(err) => describe_error(err),
                    Collected::Ok(_) =>
                        "GetAccountSummary did not return AccountAccessKeysPresent".to_owned(),
                }
            ),
        ),
        (None, _, _) => (
            Status::Error,
            format!(
                "cannot tell whether the root user has an access key: {}",
                source_problems(summary, report, &[&keys]).join("; ")
            ),
        ),
    };
    if let Some(disagreement) = keys.disagreement() {
        reason.push_str(&format!("; the sources disagree: {disagreement}"));
    }

    let mut outcome = Outcome::new(None, root_arn(&account.account_id), status, reason);
    outcome = match summary {
        Collected::Ok(s) => outcome.with(
            "GetAccountSummary AccountAccessKeysPresent",
            flag(s.access_keys_present),
        ),
        Collected::Error(err) => outcome.with("GetAccountSummary", error_evidence(err)),
    };
    let outcome = match report {
        Collected::Error(err) => outcome.with("credential report", error_evidence(err)),
        Collected::Ok(report) => {
            let mut outcome = outcome.with(
                REPORT_GENERATED,
                report.generated_time.as_deref().unwrap_or("unknown"),
            );
            match &report.root {
                None => outcome.with("credential report root row", "missing"),
                Some(row) => {
                    for key in &row.access_keys {
                        outcome = outcome.with(
                            &format!("credential report access_key_{}_active", key.slot),
                            report_cell(&key.active),
                        );
                    }
                    outcome
                }
            }
        }
    };
    vec![outcome]
}

/// The slots of the root user's active keys in the credential report.
fn active_slots(report: &Collected<CredentialReport>) -> Vec<String> {
    match report {
        Collected::Ok(CredentialReport {
            root: Some(row), ..
        }) => row
            .access_keys
            .iter()
            .filter(|k| k.active.as_bool() == Some(true))
            .map(|k| k.slot.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        ACCT, account, assert_verdict, context, error, key, organization,
    };
    use super::*;
    use crate::facts::{AccountFacts, AccountSummary, ReportValue};

    fn run(account: &AccountFacts) -> Outcome {
        let org = organization();
        let mut outcomes = evaluate(&context(account, &org, &[]));
        assert_eq!(outcomes.len(), 1);
        outcomes.remove(0)
    }

    fn with(summary_keys: Option<bool>, report_keys: [bool; 2]) -> AccountFacts {
        let mut a = account(ACCT);
        if let Collected::Ok(s) = &mut a.account_summary {
            s.access_keys_present = summary_keys;
        }
        if let Collected::Ok(CredentialReport {
            root: Some(row), ..
        }) = &mut a.credential_report
        {
            row.access_keys = vec![key(1, report_keys[0]), key(2, report_keys[1])];
        }
        a
    }

    #[test]
    fn judges_each_case() {
        let cases: Vec<(&str, AccountFacts, Status, &str)> = vec![
            (
                "passes_when_both_sources_say_none",
                with(Some(false), [false, false]),
                Status::Pass,
                "the root user has no access key (GetAccountSummary AccountAccessKeysPresent=0)",
            ),
            (
                "fails_on_an_active_key",
                with(Some(true), [false, true]),
                Status::Fail,
                "the root user has an active access key (slot 2)",
            ),
            (
                "fails_on_an_inactive_key_the_summary_counts",
                with(Some(true), [false, false]),
                Status::Fail,
                "none of them active: delete it",
            ),
            (
                "fails_on_a_key_only_the_report_shows_and_says_so",
                with(Some(false), [true, false]),
                Status::Fail,
                "the sources disagree: GetAccountSummary says AccountAccessKeysPresent=0",
            ),
            (
                "passes_on_the_report_alone_and_says_what_is_not_ruled_out",
                with(None, [false, false]),
                Status::Pass,
                "inactive keys are not ruled out: GetAccountSummary did not return AccountAccessKeysPresent",
            ),
            (
                "errors_when_neither_source_can_say",
                {
                    let mut a = account(ACCT);
                    a.account_summary =
                        Collected::Error(error("iam", "GetAccountSummary", "AccessDenied"));
                    a.credential_report =
                        Collected::Error(error("iam", "GetCredentialReport", "ReportInProgress"));
                    a
                },
                Status::Error,
                "cannot tell whether the root user has an access key: iam:GetAccountSummary failed: AccessDenied",
            ),
            (
                "errors_when_the_report_cell_is_not_a_boolean_and_the_summary_is_silent",
                {
                    let mut a = with(None, [false, false]);
                    if let Collected::Ok(CredentialReport {
                        root: Some(row), ..
                    }) = &mut a.credential_report
                    {
                        row.access_keys[0].active = ReportValue::Missing;
                    }
                    a
                },
                Status::Error,
                "cannot tell whether the root user has an access key",
            ),
        ];
        for (name, facts, status, reason) in cases {
            let outcome = run(&facts);
            assert_verdict(name, &outcome, status, reason);
            assert_eq!(outcome.resource, "arn:aws:iam::222222222222:root", "{name}");
        }
    }

    #[test]
    fn evidence_shows_both_sources() {
        let mut facts = with(Some(true), [true, false]);
        facts.account_summary = Collected::Ok(AccountSummary {
            access_keys_present: Some(true),
            ..AccountSummary {
                mfa_enabled: None,
                access_keys_present: None,
                password_present: None,
                signing_certificates_present: None,
            }
        });
        let outcome = run(&facts);
        let e = &outcome.evidence;
        assert_eq!(e["GetAccountSummary AccountAccessKeysPresent"], "1");
        assert_eq!(e["credential report access_key_1_active"], "true");
        assert_eq!(e["credential report access_key_2_active"], "false");
        assert_eq!(e[REPORT_GENERATED], "2025-05-31T22:00:00+00:00");
    }
}
