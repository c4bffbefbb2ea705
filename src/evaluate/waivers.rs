//! Waivers: accepted risks, `posture.toml`'s `[[waiver]]` entries, marked on the failing findings
//! they cover. A waived finding keeps its status and says who accepted the risk, why and until
//! when: it is never dropped and never turned into PASS, so scores, `diff` and the site can show
//! it apart. Only FAIL is waivable: a PASS needs no waiver and an ERROR is not a known risk.
//!
//! A waiver applies up to and including its expiry date, judged at the evaluation instant (the
//! scan's end, so a re-evaluation of old facts applies them as they stood then). Each waiver's
//! outcome is recorded in the snapshot: applied to N findings, expired (and what it would have
//! covered), or matched nothing, which the scan reports. Pure: no I/O, no clock.

use serde::{Deserialize, Serialize};
use wildmatch::WildMatch;

use crate::finding::{Finding, Status, Waiver, expired};

/// One `[[waiver]]` as the auditor wrote it (validated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverRule {
    /// The check it waives.
    pub check: String,
    /// The account or OU whose findings it covers.
    pub applies_to: WaiverScope,
    /// The resources it covers, as a pattern (`*` any run of characters, `?` one); all of the
    /// check's resources there when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who accepted it.
    pub approved_by: String,
    /// The last day it applies (`YYYY-MM-DD`, UTC).
    pub expires: String,
}

/// Where a waiver applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverScope {
    /// One account, by id.
    Account(String),
    /// The accounts in an OU and the OUs nested in it: an OU path (`/Workloads/Prod`, `/` for the
    /// whole organization) or id (`ou-…`, `r-…`).
    Ou(String),
}

impl std::fmt::Display for WaiverScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Account(id) => write!(f, "account {id}"),
            Self::Ou(ou) => write!(f, "OU {ou}"),
        }
    }
}

/// A waiver from a file, with where it was written (`posture.toml, line 12`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverEntry {
    /// The waiver.
    pub rule: WaiverRule,
    /// Where it was written, to name it in warnings.
    pub origin: String,
}

/// Where an account sits in the organization, for matching OU waivers.
#[derive(Debug, Clone, Copy)]
pub struct AccountPlace<'a> {
    /// Its OU path (`/Workloads/Prod`; `/` for the root).
    pub ou_path: &'a str,
    /// The ids of the OUs it sits in, root first; empty in snapshots written before they were
    /// kept, where only paths match.
    pub ou_ids: &'a [String],
}

/// What a waiver did in one evaluation, as the snapshot records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverRecord {
    /// The waiver.
    #[serde(flatten)]
    pub rule: WaiverRule,
    /// Where it was written.
    pub origin: String,
    /// What it did.
    pub outcome: WaiverOutcome,
}

/// What a waiver did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum WaiverOutcome {
    /// In force: it covers this many failing findings.
    Applied {
        /// The failing findings it matched (a finding two waivers match carries the first's).
        findings: usize,
    },
    /// Past its expiry date, so not applied: these failing findings count as failing again.
    Expired {
        /// The failing findings it would have covered.
        findings: usize,
    },
    /// In force, but no failing finding matched it.
    Unmatched {
        /// Whether its check was evaluated at all (a scan narrowed with `--checks` may leave it
        /// out).
        check_evaluated: bool,
    },
}

impl WaiverRecord {
    /// A warning for the auditor, or `None` when the waiver did its job.
    pub fn warning(&self) -> Option<String> {
        let rule = &self.rule;
        let what = format!("waiver of {} for {}", rule.check, rule.applies_to);
        match self.outcome {
            WaiverOutcome::Applied { .. } => None,
            WaiverOutcome::Expired { findings } => Some(format!(
                "{}: {what} expired on {}: not applied (it would cover {findings} failing finding{}); renew it (a new expires and approval) or remove it",
                self.origin,
                rule.expires,
                plural(findings)
            )),
            WaiverOutcome::Unmatched {
                check_evaluated: false,
            } => Some(format!(
                "{}: {what} matched nothing: {} was not evaluated in this scan",
                self.origin, rule.check
            )),
            WaiverOutcome::Unmatched {
                check_evaluated: true,
            } => Some(format!(
                "{}: {what}{} matched no failing finding: the risk may be fixed (remove the waiver) or the account, OU or resource is misspelled",
                self.origin,
                rule.resource
                    .as_deref()
                    .map(|r| format!(" (resource {r:?})"))
                    .unwrap_or_default(),
            )),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl WaiverRule {
    /// Whether it is past its last day at `evaluated_at` (RFC 3339, UTC).
    pub fn expired_at(&self, evaluated_at: &str) -> bool {
        expired(&self.expires, evaluated_at)
    }

    /// Whether it covers `finding` (whatever its status), given where accounts sit.
    fn covers(
        &self,
        finding: &Finding,
        place: Option<AccountPlace<'_>>,
        resource: Option<&WildMatch>,
    ) -> bool {
        if finding.check != self.check {
            return false;
        }
        let in_scope = match &self.applies_to {
            WaiverScope::Account(id) => finding.account == id,
            WaiverScope::Ou(ou) => place.is_some_and(|place| in_ou(place, ou)),
        };
        in_scope && resource.is_none_or(|pattern| pattern.matches(&finding.resource))
    }
}

/// Whether an account sits in `ou` (a path or an id), nested OUs included.
fn in_ou(place: AccountPlace<'_>, ou: &str) -> bool {
    if ou.starts_with('/') {
        let ou = ou.trim_end_matches('/');
        ou.is_empty()
            || place.ou_path == ou
            || place
                .ou_path
                .strip_prefix(ou)
                .is_some_and(|rest| rest.starts_with('/'))
    } else {
        place.ou_ids.iter().any(|id| id == ou)
    }
}

/// Marks the failing findings each waiver in force covers, first waiver first, and says what
/// each did. `place` tells where an account sits; `evaluated` lists the checks evaluated.
pub fn apply_waivers<'a>(
    findings: &mut [Finding],
    waivers: &[WaiverEntry],
    place: impl Fn(&str) -> Option<AccountPlace<'a>>,
    evaluated_at: &str,
    evaluated: &[String],
) -> Vec<WaiverRecord> {
    let patterns: Vec<Option<WildMatch>> = waivers
        .iter()
        .map(|w| w.rule.resource.as_deref().map(WildMatch::new))
        .collect();
    let mut covered = vec![0usize; waivers.len()];
    for finding in findings.iter_mut().filter(|f| f.status == Status::Fail) {
        let account = place(&finding.account);
        for (i, entry) in waivers.iter().enumerate() {
            if !entry.rule.covers(finding, account, patterns[i].as_ref()) {
                continue;
            }
            covered[i] += 1;
            if finding.waiver.is_none() && !entry.rule.expired_at(evaluated_at) {
                finding.waiver = Some(Box::new(Waiver {
                    reason: entry.rule.reason.clone(),
                    approved_by: entry.rule.approved_by.clone(),
                    expires: entry.rule.expires.clone(),
                }));
            }
        }
    }
    waivers
        .iter()
        .zip(covered)
        .map(|(entry, findings)| WaiverRecord {
            rule: entry.rule.clone(),
            origin: entry.origin.clone(),
            outcome: if entry.rule.expired_at(evaluated_at) {
                WaiverOutcome::Expired { findings }
            } else if findings == 0 {
                WaiverOutcome::Unmatched {
                    check_evaluated: evaluated.contains(&entry.rule.check),
                }
            } else {
                WaiverOutcome::Applied { findings }
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Evidence;

    fn finding(check: &str, account: &str, resource: &str, status: Status) -> Finding {
        Finding {
            check: check.into(),
            account: account.into(),
            region: None,
            resource: resource.into(),
            status,
            reason: "because".into(),
            evidence: Evidence::new(),
            waiver: None,
        }
    }

    fn entry(
        check: &str,
        applies_to: WaiverScope,
        resource: Option<&str>,
        expires: &str,
    ) -> WaiverEntry {
        WaiverEntry {
            rule: WaiverRule {
                check: check.into(),
                applies_to,
                resource: resource.map(Into::into),
                reason: "accepted by the board".into(),
                approved_by: "ciso@example.com".into(),
                expires: expires.into(),
            },
            origin: "posture.toml, line 3".into(),
        }
    }

    const PROD: &str = "111111111111";
    const DEV: &str = "222222222222";
    const NOW: &str = "2026-11-29T10:00:00Z";

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn apply(findings: &mut [Finding], waivers: &[WaiverEntry]) -> Vec<WaiverRecord> {
        let prod_ous = ids(&["r-root", "ou-work", "ou-prod"]);
        let dev_ous = ids(&["r-root", "ou-work", "ou-dev"]);
        apply_waivers(
            findings,
            waivers,
            |account| match account {
                PROD => Some(AccountPlace {
                    ou_path: "/Workloads/Prod",
                    ou_ids: &prod_ous,
                }),
                DEV => Some(AccountPlace {
                    ou_path: "/Workloads/Dev",
                    ou_ids: &dev_ous,
                }),
                _ => None,
            },
            NOW,
            &ids(&["iam-user-access-keys", "root-mfa"]),
        )
    }

    #[test]
    fn a_waiver_marks_failing_findings_and_keeps_their_status() {
        let mut findings = vec![
            finding("iam-user-access-keys", PROD, "ci-bot", Status::Fail),
            finding("iam-user-access-keys", PROD, "alice", Status::Pass),
            finding("iam-user-access-keys", PROD, "bob", Status::Error),
            finding("iam-user-access-keys", DEV, "ci-bot", Status::Fail),
        ];
        let records = apply(
            &mut findings,
            &[entry(
                "iam-user-access-keys",
                WaiverScope::Account(PROD.into()),
                None,
                "2026-12-31",
            )],
        );
        assert_eq!(findings[0].status, Status::Fail);
        let waiver = findings[0].waiver.as_deref().expect("waived");
        assert_eq!(waiver.reason, "accepted by the board");
        assert_eq!(waiver.expires, "2026-12-31");
        assert!(findings[1].waiver.is_none(), "a PASS is never waived");
        assert!(findings[2].waiver.is_none(), "an ERROR is not a known risk");
        assert!(findings[3].waiver.is_none(), "another account");
        assert_eq!(records[0].outcome, WaiverOutcome::Applied { findings: 1 });
        assert_eq!(records[0].warning(), None);
    }

    #[test]
    fn an_ou_waiver_covers_nested_ous_by_path_or_id_but_not_siblings_sharing_a_prefix() {
        let fail = |account| finding("root-mfa", account, account, Status::Fail);
        for (ou, covered) in [
            ("/Workloads", [true, true]),
            ("/Workloads/", [true, true]),
            ("/", [true, true]),
            ("/Workloads/Prod", [true, false]),
            ("/Workloads/Pro", [false, false]),
            ("ou-prod", [true, false]),
            ("ou-work", [true, true]),
            ("ou-pro", [false, false]),
        ] {
            let mut findings = vec![fail(PROD), fail(DEV)];
            apply(
                &mut findings,
                &[entry(
                    "root-mfa",
                    WaiverScope::Ou(ou.into()),
                    None,
                    "2027-01-01",
                )],
            );
            let waived: Vec<bool> = findings.iter().map(|f| f.waiver.is_some()).collect();
            assert_eq!(waived, covered, "OU {ou}");
        }
    }

    #[test]
    fn a_resource_pattern_narrows_the_waiver() {
        let mut findings = vec![
            finding("iam-user-access-keys", PROD, "ci-deploy", Status::Fail),
            finding("iam-user-access-keys", PROD, "ci-x", Status::Fail),
            finding("iam-user-access-keys", PROD, "alice", Status::Fail),
        ];
        let records = apply(
            &mut findings,
            &[entry(
                "iam-user-access-keys",
                WaiverScope::Ou("/Workloads".into()),
                Some("ci-????*"),
                "2027-01-01",
            )],
        );
        let waived: Vec<bool> = findings.iter().map(|f| f.waiver.is_some()).collect();
        assert_eq!(waived, [true, false, false]);
        assert_eq!(records[0].outcome, WaiverOutcome::Applied { findings: 1 });
    }

    #[test]
    fn a_waiver_applies_through_its_last_day_and_not_after() {
        for (expires, applied) in [("2026-11-29", true), ("2026-11-28", false)] {
            let mut findings = vec![finding("root-mfa", PROD, PROD, Status::Fail)];
            let records = apply(
                &mut findings,
                &[entry(
                    "root-mfa",
                    WaiverScope::Account(PROD.into()),
                    None,
                    expires,
                )],
            );
            assert_eq!(findings[0].waiver.is_some(), applied, "expires {expires}");
            assert_eq!(findings[0].status, Status::Fail);
            if applied {
                assert_eq!(records[0].outcome, WaiverOutcome::Applied { findings: 1 });
            } else {
                assert_eq!(records[0].outcome, WaiverOutcome::Expired { findings: 1 });
                let warning = records[0].warning().expect("an expired waiver is reported");
                assert!(
                    warning.starts_with("posture.toml, line 3: waiver of root-mfa for account 111111111111 expired on 2026-11-28: not applied (it would cover 1 failing finding);"),
                    "{warning}"
                );
            }
        }
    }

    #[test]
    fn a_waiver_that_matches_nothing_says_why() {
        let mut findings = vec![finding("root-mfa", PROD, PROD, Status::Pass)];
        let records = apply(
            &mut findings,
            &[
                entry(
                    "root-mfa",
                    WaiverScope::Account(PROD.into()),
                    None,
                    "2027-01-01",
                ),
                entry(
                    "guardduty-enabled",
                    WaiverScope::Account(PROD.into()),
                    None,
                    "2027-01-01",
                ),
            ],
        );
        assert_eq!(
            records[0].outcome,
            WaiverOutcome::Unmatched {
                check_evaluated: true
            }
        );
        assert!(
            records[0]
                .warning()
                .unwrap()
                .contains("matched no failing finding"),
            "{:?}",
            records[0].warning()
        );
        assert_eq!(
            records[1].outcome,
            WaiverOutcome::Unmatched {
                check_evaluated: false
            }
        );
        assert!(
            records[1]
                .warning()
                .unwrap()
                .ends_with("guardduty-enabled was not evaluated in this scan"),
            "{:?}",
            records[1].warning()
        );
    }

    #[test]
    fn the_first_waiver_that_covers_a_finding_marks_it_and_both_count_it() {
        let mut findings = vec![finding("root-mfa", PROD, PROD, Status::Fail)];
        let mut second = entry("root-mfa", WaiverScope::Ou("/".into()), None, "2027-06-30");
        second.rule.reason = "org-wide exception".into();
        let records = apply(
            &mut findings,
            &[
                entry(
                    "root-mfa",
                    WaiverScope::Account(PROD.into()),
                    None,
                    "2027-01-01",
                ),
                second,
            ],
        );
        assert_eq!(
            findings[0].waiver.as_ref().unwrap().reason,
            "accepted by the board"
        );
        assert_eq!(records[1].outcome, WaiverOutcome::Applied { findings: 1 });
    }

    #[test]
    fn the_record_reads_back_as_written() {
        let mut findings = vec![finding("root-mfa", PROD, PROD, Status::Fail)];
        let records = apply(
            &mut findings,
            &[entry(
                "root-mfa",
                WaiverScope::Ou("/Workloads".into()),
                Some("1*"),
                "2027-01-01",
            )],
        );
        let json = serde_json::to_string(&records[0]).unwrap();
        assert_eq!(
            json,
            r#"{"check":"root-mfa","applies_to":{"ou":"/Workloads"},"resource":"1*","reason":"accepted by the board","approved_by":"ciso@example.com","expires":"2027-01-01","origin":"posture.toml, line 3","outcome":{"state":"applied","findings":1}}"#
        );
        let back: WaiverRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, records[0]);
    }
}
