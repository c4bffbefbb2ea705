//! The posture score and its coverage, counted over cells: one cell per expected (check,
//! account, Region) — one per account for account-scope checks, one for the organization for
//! organization-scope checks. A cell fails when any of its findings fails, is unknown when one
//! could not be read (or no verdict was recorded at all) and none failed, and passes only when
//! every finding passed. Score = passing ÷ evaluated; coverage = evaluated ÷ expected. Unknown
//! cells are never counted as passing. A failing cell whose every failure is waived (an accepted
//! risk) still fails and lowers the score; it is counted apart as waived as well. Pure: no I/O.

// FxHash: the keys are ids from one snapshot, hashed a hundred thousand times a version.
use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::evaluate::Scope;
use crate::finding::Status;
use crate::snapshot::{AccountOutcome, SnapshotSummary};

/// The state of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CellStatus {
    /// Every finding of the cell passed.
    Pass,
    /// At least one finding failed, and not every failure is waived.
    Fail,
    /// Failing, but every failing finding is waived: an accepted risk. Counts as failing.
    Waived,
    /// Nothing failed, but something could not be read, or no verdict was recorded.
    Error,
    /// Not evaluated on purpose (the account is not ACTIVE).
    Skipped,
}

impl CellStatus {
    /// Folds one more finding's status into the cell: FAIL wins, then waived FAIL, then ERROR,
    /// then SKIPPED.
    fn with(self, status: Status, waived: bool) -> Self {
        let other = match status {
            Status::Pass => Self::Pass,
            Status::Fail if waived => Self::Waived,
            Status::Fail => Self::Fail,
            Status::Error => Self::Error,
            Status::Skipped => Self::Skipped,
        };
        let rank = |s: Self| match s {
            Self::Fail => 4,
            Self::Waived => 3,
            Self::Error => 2,
            Self::Skipped => 1,
            Self::Pass => 0,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// Counts of cells by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Passing cells.
    pub pass: usize,
    /// Failing cells, waived ones included.
    pub fail: usize,
    /// Failing cells whose every failure is waived (a part of `fail`).
    pub waived: usize,
    /// Cells that could not be evaluated.
    pub unknown: usize,
    /// Cells not evaluated on purpose.
    pub skipped: usize,
}

impl Tally {
    /// Adds one cell.
    pub fn add(&mut self, status: CellStatus) {
        match status {
            CellStatus::Pass => self.pass += 1,
            CellStatus::Fail => self.fail += 1,
            CellStatus::Waived => {
                self.fail += 1;
                self.waived += 1;
            }
            CellStatus::Error => self.unknown += 1,
            CellStatus::Skipped => self.skipped += 1,
        }
    }

    /// Cells with a verdict.
    pub fn evaluated(&self) -> usize {
        self.pass + self.fail
    }

    /// Every expected cell.
    pub fn expected(&self) -> usize {
        self.evaluated() + self.unknown + self.skipped
    }

    /// Passing ÷ evaluated, in percent; `None` when nothing was evaluated.
    pub fn score(&self) -> Option<f64> {
        (self.evaluated() > 0).then(|| 100.0 * self.pass as f64 / self.evaluated() as f64)
    }

    /// Evaluated ÷ expected, in percent; `None` when nothing was expected.
    pub fn coverage(&self) -> Option<f64> {
        (self.expected() > 0).then(|| 100.0 * self.evaluated() as f64 / self.expected() as f64)
    }

    /// Adds every cell of `other`.
    pub fn merge(&mut self, other: Self) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.waived += other.waived;
        self.unknown += other.unknown;
        self.skipped += other.skipped;
    }

    /// The worst status among the cells, for a one-word summary.
    pub fn worst(&self) -> Option<CellStatus> {
        if self.fail > self.waived {
            Some(CellStatus::Fail)
        } else if self.fail > 0 {
            Some(CellStatus::Waived)
        } else if self.unknown > 0 {
            Some(CellStatus::Error)
        } else if self.pass > 0 {
            Some(CellStatus::Pass)
        } else if self.skipped > 0 {
            Some(CellStatus::Skipped)
        } else {
            None
        }
    }
}

/// One expected cell's key: (check, account, Region).
pub type CellKey<'a> = (&'a str, &'a str, Option<&'a str>);

/// Every expected cell of a snapshot with its status, in (check, account, Region) order of the
/// snapshot's checks and accounts.
#[derive(Debug)]
pub struct Cells<'a> {
    /// The cells.
    pub cells: Vec<(CellKey<'a>, CellStatus)>,
}

impl<'a> Cells<'a> {
    /// Lays out the expected cells from the snapshot's checks, accounts in scope and Regions,
    /// then folds every finding into its cell. A finding outside every expected cell (an
    /// organization check's finding filed under another account) still counts, in a cell of
    /// its own, so nothing is dropped.
    pub fn of(snapshot: &'a SnapshotSummary) -> Self {
        let accounts: Vec<&str> = snapshot
            .accounts
            .iter()
            .filter(|a| a.outcome != AccountOutcome::Excluded)
            .map(|a| a.id.as_str())
            .collect();
        let regions = &snapshot.scan.scope.regions;
        let management = snapshot.scan.management_account_id.as_str();
        let mut cells: Vec<(CellKey<'a>, Option<CellStatus>)> = Vec::new();
        let mut scopes: HashMap<&str, Scope> = HashMap::default();
        for check in &snapshot.checks {
            scopes.insert(check.id.as_str(), check.scope);
            match check.scope {
                Scope::Organization => cells.push(((check.id.as_str(), management, None), None)),
                Scope::Account => {
                    for account in &accounts {
                        cells.push(((check.id.as_str(), account, None), None));
                    }
                }
                Scope::Region => {
                    for account in &accounts {
                        for region in regions {
                            cells.push(((check.id.as_str(), account, Some(region.as_str())), None));
                        }
                    }
                }
            }
        }
        let mut index: HashMap<CellKey<'a>, usize> = cells
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (*k, i))
            .collect();
        for finding in &snapshot.findings {
            let key = match scopes.get(finding.check.as_str()) {
                Some(Scope::Organization) => (finding.check.as_str(), management, None),
                _ => (
                    finding.check.as_str(),
                    finding.account.as_str(),
                    finding.region.as_deref(),
                ),
            };
            let slot = *index.entry(key).or_insert_with(|| {
                cells.push((key, None));
                cells.len() - 1
            });
            let cell = &mut cells[slot].1;
            let waived = finding.waiver.is_some();
            *cell = Some(
                cell.unwrap_or(CellStatus::Pass)
                    .with(finding.status, waived),
            );
        }
        Self {
            cells: cells
                .into_iter()
                // An expected cell without any finding has no verdict: unknown, never passing.
                .map(|(k, s)| (k, s.unwrap_or(CellStatus::Error)))
                .collect(),
        }
    }

    /// Every cell counted.
    pub fn tally(&self) -> Tally {
        self.tally_where(|_| true)
    }

    /// The cells whose key matches, counted.
    pub fn tally_where(&self, mut keep: impl FnMut(&CellKey<'a>) -> bool) -> Tally {
        let mut tally = Tally::default();
        for (key, status) in &self.cells {
            if keep(key) {
                tally.add(*status);
            }
        }
        tally
    }

    /// Tallies grouped by a key derived from each cell.
    pub fn tally_by<K: std::hash::Hash + Eq>(
        &self,
        mut group: impl FnMut(&CellKey<'a>) -> K,
    ) -> HashMap<K, Tally> {
        let mut tallies: HashMap<K, Tally> = HashMap::default();
        for (key, status) in &self.cells {
            tallies.entry(group(key)).or_default().add(*status);
        }
        tallies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_finding_fails_the_cell_whatever_else_it_holds() {
        let cell = CellStatus::Pass
            .with(Status::Pass, false)
            .with(Status::Error, false)
            .with(Status::Fail, false)
            .with(Status::Fail, true)
            .with(Status::Pass, false);
        assert_eq!(cell, CellStatus::Fail);
        assert_eq!(
            CellStatus::Pass
                .with(Status::Pass, false)
                .with(Status::Error, false),
            CellStatus::Error
        );
    }

    #[test]
    fn a_cell_is_waived_only_when_every_failure_is_and_still_fails_the_score() {
        let waived = CellStatus::Pass
            .with(Status::Fail, true)
            .with(Status::Error, false)
            .with(Status::Fail, true);
        assert_eq!(waived, CellStatus::Waived);
        let mut tally = Tally::default();
        for cell in [CellStatus::Pass, waived, CellStatus::Fail, CellStatus::Pass] {
            tally.add(cell);
        }
        assert_eq!((tally.fail, tally.waived), (2, 1));
        assert_eq!(tally.score(), Some(50.0), "a waived cell is not passing");
        assert_eq!(tally.worst(), Some(CellStatus::Fail));
        let mut only_waived = Tally::default();
        only_waived.add(CellStatus::Pass);
        only_waived.add(waived);
        assert_eq!(only_waived.worst(), Some(CellStatus::Waived));
        assert_eq!(only_waived.score(), Some(50.0));
    }

    #[test]
    fn unknown_cells_lower_coverage_never_the_score() {
        let tally = Tally {
            pass: 3,
            fail: 1,
            waived: 0,
            unknown: 4,
            skipped: 0,
        };
        assert_eq!(tally.score(), Some(75.0));
        assert_eq!(tally.coverage(), Some(50.0));
        let nothing = Tally {
            unknown: 2,
            ..Tally::default()
        };
        assert_eq!(
            nothing.score(),
            None,
            "no verdict is no score, not 0 % or 100 %"
        );
        assert_eq!(nothing.coverage(), Some(0.0));
    }
}
