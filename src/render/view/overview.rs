//! The overview page: the organization's score and coverage, by CSF function and severity, what
//! changed, the worst accounts and checks, the coverage gaps and the waivers.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::{
    AccountLink, ChangeSummary, ChangesContext, CheckLink, ScoreView, SubcategoryLink,
    VersionModel, WORST, outcome_label, percent,
};
use crate::evaluate::waivers::{WaiverOutcome, WaiverRecord};
use crate::evaluate::{CSF_FUNCTIONS, EvidenceKind, Severity};
use crate::finding::Status;
use crate::render::score::CellStatus;
use crate::snapshot::{AccountOutcome, AccountRecord};

/// How many unread accounts the overview lists before pointing to the accounts page.
const GAPS: usize = 20;

impl<'a> VersionModel<'a> {
    /// The overview page.
    /// `previous`: the score and coverage of the version before, for the headline's change.
    pub fn overview(
        &self,
        changes: &ChangesContext<'_>,
        previous: Option<(Option<f64>, Option<f64>)>,
        trend_svg: String,
    ) -> Overview {
        let check_tallies = &self.check_tallies;
        let account_tallies = &self.account_tallies;
        let functions = CSF_FUNCTIONS
            .iter()
            .map(|function| {
                let subs = self.csf.iter().filter(|sub| sub.function_id == *function);
                let tally = self
                    .function_tallies
                    .get(function)
                    .copied()
                    .unwrap_or_default();
                FunctionScore {
                    id: (*function).to_owned(),
                    // The name as the shipped CSF 2.0 core gives it.
                    name: self
                        .csf
                        .iter()
                        .find(|sub| sub.function_id == *function)
                        .map_or_else(|| (*function).to_owned(), |sub| sub.function_name.clone()),
                    assessed: tally.expected() > 0,
                    subcategories: subs.clone().count(),
                    aws_unchecked: subs
                        .filter(|sub| {
                            !self.is_checked(&sub.id)
                                && self.evidence_of(&sub.id).map(|e| e.kind)
                                    == Some(EvidenceKind::Aws)
                        })
                        .count(),
                    score: tally.into(),
                }
            })
            .collect();

        let mut severity: BTreeMap<Severity, SeverityCount> = [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ]
        .into_iter()
        .map(|s| {
            (
                s,
                SeverityCount {
                    severity: s,
                    failing: 0,
                    unknown: 0,
                    waived: 0,
                },
            )
        })
        .collect();
        let mut failing_by_account: HashMap<&str, [usize; 4]> = HashMap::default();
        for finding in &self.snapshot.findings {
            let Some(check) = self.checks.get(finding.check.as_str()) else {
                continue;
            };
            let count = severity.get_mut(&check.severity).expect("every severity");
            match finding.status {
                Status::Fail if finding.waiver.is_some() => count.waived += 1,
                Status::Fail => {
                    count.failing += 1;
                    failing_by_account.entry(&finding.account).or_default()
                        [check.severity as usize] += 1;
                }
                Status::Error => count.unknown += 1,
                Status::Pass | Status::Skipped => {}
            }
        }

        let mut worst_accounts: Vec<AccountScore> = failing_by_account
            .iter()
            .map(|(id, by_severity)| AccountScore {
                account: self.account_ref(id),
                failing: by_severity.iter().sum(),
                by_severity: *by_severity,
                score: account_tallies.get(id).copied().unwrap_or_default().into(),
            })
            .collect();
        worst_accounts.sort_by(|a, b| {
            b.by_severity
                .cmp(&a.by_severity)
                .then_with(|| a.account.id.cmp(&b.account.id))
        });
        worst_accounts.truncate(WORST);

        let mut worst_checks: Vec<CheckScore> = self
            .checks
            .keys()
            .map(|id| {
                let tally = check_tallies.get(id).copied().unwrap_or_default();
                CheckScore {
                    check: self.check_link(id),
                    failing_cells: tally.fail,
                    score: tally.into(),
                }
            })
            .filter(|c| c.failing_cells > 0)
            .collect();
        worst_checks.sort_by(|a, b| {
            (
                a.check.severity,
                std::cmp::Reverse(a.failing_cells),
                &a.check.id,
            )
                .cmp(&(
                    b.check.severity,
                    std::cmp::Reverse(b.failing_cells),
                    &b.check.id,
                ))
        });
        worst_checks.truncate(WORST);

        let unread: Vec<&AccountRecord> = self
            .snapshot
            .accounts
            .iter()
            .filter(|a| {
                matches!(
                    a.outcome,
                    AccountOutcome::Unreachable
                        | AccountOutcome::ScannedWithErrors
                        | AccountOutcome::Skipped
                )
            })
            .collect();
        let gaps = unread
            .iter()
            .take(GAPS)
            .map(|a| CoverageGap {
                account: self.account_ref(&a.id),
                outcome: outcome_label(a.outcome),
                reasons: gap_reasons(a),
            })
            .collect();

        let failing_subcategories = self
            .subcategory_statuses()
            .into_iter()
            .filter(|(_, status)| matches!(status, Some(CellStatus::Fail | CellStatus::Waived)))
            .map(|(sub, _)| SubcategoryLink {
                id: sub.id.clone(),
                statement: sub.statement.clone(),
                href: format!("csf.html#{}", sub.id),
            })
            .collect();

        let score = self.score();
        let since_previous = previous.map(|(score_before, coverage_before)| {
            ScoreChange::between(
                (score_before, coverage_before),
                (score.tally.score(), score.tally.coverage()),
            )
        });
        Overview {
            since_previous,
            score,
            functions,
            severity: severity.into_values().collect(),
            changes: changes.summary(self),
            trend_svg,
            worst_accounts,
            worst_checks,
            gaps,
            gaps_more: unread.len().saturating_sub(GAPS),
            failing_subcategories,
            waivers: self
                .snapshot
                .scan
                .waivers
                .iter()
                .map(|record| WaiverRow {
                    check: self.check_link(&record.rule.check),
                    record: record.clone(),
                    expired: matches!(record.outcome, WaiverOutcome::Expired { .. }),
                })
                .collect(),
        }
    }
}

fn gap_reasons(account: &AccountRecord) -> Vec<String> {
    if account.outcome == AccountOutcome::Skipped {
        return vec![format!("not scanned: its status is {}", account.status)];
    }
    account
        .errors
        .iter()
        .map(|e| {
            let region = e
                .region
                .as_deref()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default();
            let code = e
                .code
                .as_deref()
                .map(|c| format!("{c}: "))
                .unwrap_or_default();
            format!("{} {}{region}: {code}{}", e.service, e.action, e.message)
        })
        .collect()
}

/// The overview page.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The whole organization's score and coverage.
    pub score: ScoreView,
    /// How they moved since the version before (`None` for the first).
    pub since_previous: Option<ScoreChange>,
    /// Per NIST CSF 2.0 function.
    pub functions: Vec<FunctionScore>,
    /// Failing, unknown and waived findings by severity.
    pub severity: Vec<SeverityCount>,
    /// What changed since the previous version.
    pub changes: ChangeSummary,
    /// The trend chart (inline SVG made by `svg.rs`; the only unescaped string).
    pub trend_svg: String,
    /// The accounts with the most severe failures.
    pub worst_accounts: Vec<AccountScore>,
    /// The checks failing most, by severity.
    pub worst_checks: Vec<CheckScore>,
    /// Accounts that could not be read completely, and why.
    pub gaps: Vec<CoverageGap>,
    /// How many more there are than listed.
    pub gaps_more: usize,
    /// Subcategories with a failing check.
    pub failing_subcategories: Vec<SubcategoryLink>,
    /// The accepted risks (`[[waiver]]`) and what each did, in file order.
    pub waivers: Vec<WaiverRow>,
}

/// One waiver on the overview: the register of accepted risks.
#[derive(Debug, Clone, Serialize)]
pub struct WaiverRow {
    /// The check it waives.
    pub check: CheckLink,
    /// The waiver as written and what it did.
    pub record: WaiverRecord,
    /// Past its expiry date, so not applied.
    pub expired: bool,
}

/// How the score and coverage moved since the version before.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreChange {
    /// The score before (`87.5 %` or `n/a`).
    pub previous_score: String,
    /// The coverage before.
    pub previous_coverage: String,
    /// `+2.4 points`, `-1.0 points`, `±0.0 points`, or `n/a`.
    pub score_change: String,
    /// `better`, `worse`, `same`, or `unknown` when either version has no score (the word is
    /// shown too: never colour alone).
    pub direction: &'static str,
    /// `+0.5 points` and so on for the coverage.
    pub coverage_change: String,
}

impl ScoreChange {
    fn between(before: (Option<f64>, Option<f64>), now: (Option<f64>, Option<f64>)) -> Self {
        let points = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => {
                // Compare as shown (one decimal, rounded down), so the change adds up on the page.
                let shown = |v: f64| (v * 10.0).floor() / 10.0;
                let delta = shown(b) - shown(a);
                if delta.abs() < 0.05 {
                    (0.0, "±0.0 points".to_owned())
                } else {
                    (delta, format!("{delta:+.1} points"))
                }
            }
            _ => (f64::NAN, "n/a".to_owned()),
        };
        let (delta, score_change) = points(before.0, now.0);
        let (_, coverage_change) = points(before.1, now.1);
        Self {
            previous_score: percent(before.0),
            previous_coverage: percent(before.1),
            score_change,
            direction: if delta.is_nan() {
                "unknown"
            } else if delta > 0.0 {
                "better"
            } else if delta < 0.0 {
                "worse"
            } else {
                "same"
            },
            coverage_change,
        }
    }
}

/// One function's score.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionScore {
    /// `PR`.
    pub id: String,
    /// `Protect`.
    pub name: String,
    /// Whether any check gives evidence for it.
    pub assessed: bool,
    /// Its subcategories.
    pub subcategories: usize,
    /// Its subcategories without a check that AWS APIs could give evidence for.
    pub aws_unchecked: usize,
    /// Its score and coverage.
    pub score: ScoreView,
}

/// Findings of one severity.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityCount {
    /// The severity.
    pub severity: Severity,
    /// Failing findings, not waived.
    pub failing: usize,
    /// Findings that could not be evaluated.
    pub unknown: usize,
    /// Failing findings under a waiver.
    pub waived: usize,
}

/// An account among the worst.
#[derive(Debug, Clone, Serialize)]
pub struct AccountScore {
    /// The account.
    pub account: AccountLink,
    /// Failing findings.
    pub failing: usize,
    /// Failing findings by severity (critical, high, medium, low).
    pub by_severity: [usize; 4],
    /// Its score.
    pub score: ScoreView,
}

/// A check among the worst.
#[derive(Debug, Clone, Serialize)]
pub struct CheckScore {
    /// The check.
    pub check: CheckLink,
    /// Failing cells.
    pub failing_cells: usize,
    /// Its score.
    pub score: ScoreView,
}

/// An account that could not be read completely.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageGap {
    /// The account.
    pub account: AccountLink,
    /// What the scan did.
    pub outcome: &'static str,
    /// Why: each error in one line.
    pub reasons: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_score_change_says_which_way_and_never_compares_with_no_score() {
        let up = ScoreChange::between((Some(43.9), Some(89.1)), (Some(46.3), Some(89.1)));
        assert_eq!(
            (up.direction, up.score_change.as_str()),
            ("better", "+2.4 points")
        );
        assert_eq!(up.coverage_change, "±0.0 points");
        let down = ScoreChange::between((Some(50.0), Some(100.0)), (Some(40.0), Some(100.0)));
        assert_eq!(down.direction, "worse");
        let lost = ScoreChange::between((Some(80.0), Some(100.0)), (None, Some(0.0)));
        assert_eq!(
            (lost.direction, lost.score_change.as_str()),
            ("unknown", "n/a")
        );
        assert_eq!(lost.coverage_change, "-100.0 points");
    }
}
