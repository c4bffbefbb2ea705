//! The accounts × checks matrix and each account's pages: its outcome, errors and findings.

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::{
    AccountLink, CheckLink, FOLDER_PAGE_BASE, Pager, ROWS_PER_PAGE, ScoreView, VersionModel,
    cell_summary, check_link_of, outcome_label, paginate,
};
use crate::facts::CollectError;
use crate::finding::{Finding, Status};
use crate::render::components::{self, FindingDetail, Markup};
use crate::render::score::Tally;

/// Accounts per page of the accounts × checks matrix.
pub const ACCOUNTS_PER_PAGE: usize = 100;

impl<'a> VersionModel<'a> {
    /// The accounts × checks matrix, OU by OU, split into pages of [`ACCOUNTS_PER_PAGE`] accounts.
    pub fn accounts(&self) -> Vec<AccountsPage> {
        let columns: Vec<CheckLink> = self.checks.keys().map(|id| self.check_link(id)).collect();
        let mut by_pair: HashMap<(&str, &str), (Tally, usize)> = HashMap::default();
        for ((check, account, _), status) in &self.cells.cells {
            by_pair.entry((account, check)).or_default().0.add(*status);
        }
        for finding in &self.snapshot.findings {
            if finding.status == Status::Fail
                && let Some(entry) =
                    by_pair.get_mut(&(finding.account.as_str(), finding.check.as_str()))
            {
                entry.1 += 1;
            }
        }
        let account_tallies = &self.account_tallies;
        let mut rows: Vec<MatrixRow> = self
            .account_ids()
            .into_iter()
            .map(|id| {
                let record = self.accounts.get(id);
                MatrixRow {
                    account: self.account_ref(id),
                    outcome: record.map_or("not in the organization's list", |a| {
                        outcome_label(a.outcome)
                    }),
                    score: account_tallies.get(id).copied().unwrap_or_default().into(),
                    cells_html: components::matrix_cells(columns.iter().map(|c| {
                        match by_pair.get(&(id, c.id.as_str())) {
                            Some((tally, failing)) => self.badges.cell(tally.worst(), *failing),
                            None => self.badges.cell(None, 0),
                        }
                    })),
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            (&a.account.ou_path, &a.account.name, &a.account.id).cmp(&(
                &b.account.ou_path,
                &b.account.name,
                &b.account.id,
            ))
        });
        paginate(rows, ACCOUNTS_PER_PAGE, "accounts")
            .into_iter()
            .map(|(rows, pager)| {
                let mut groups: Vec<OuGroup> = Vec::new();
                for row in rows {
                    if groups
                        .last()
                        .is_none_or(|g| g.ou_path != row.account.ou_path)
                    {
                        groups.push(OuGroup {
                            ou_path: row.account.ou_path.clone(),
                            rows: Vec::new(),
                        });
                    }
                    groups.last_mut().expect("pushed").rows.push(row);
                }
                AccountsPage {
                    columns: columns.clone(),
                    groups,
                    pager,
                }
            })
            .collect()
    }

    /// One account's pages: its outcome, its errors and every finding with its evidence, split
    /// into pages of [`ROWS_PER_PAGE`] findings (an account with thousands of IAM users would
    /// otherwise pass 2 MB).
    pub fn account(&self, id: &str) -> Vec<AccountPage<'_>> {
        let record = self.accounts.get(id).copied();
        let tally = self.account_tallies.get(id).copied().unwrap_or_default();
        let mut findings: Vec<&Finding> = self
            .by_account
            .get(id)
            .into_iter()
            .flatten()
            .map(|&i| &self.snapshot.findings[i])
            .collect();
        let rank = |s: Status| match s {
            Status::Fail => 0,
            Status::Error => 1,
            Status::Skipped => 2,
            Status::Pass => 3,
        };
        findings.sort_by_cached_key(|f| {
            let severity = self
                .check_links
                .get(f.check.as_str())
                .and_then(|c| c.severity);
            (rank(f.status), severity, &f.check, &f.region, &f.resource)
        });
        let account = self.account_ref(id);
        let stem = account.href.trim_end_matches(".html").to_owned();
        let page = AccountPage {
            account,
            status: record.map_or_else(String::new, |a| a.status.clone()),
            outcome: record.map_or("not in the organization's list", |a| {
                outcome_label(a.outcome)
            }),
            email: record.and_then(|a| a.email.clone()),
            errors: record.map_or(&[], |a| a.errors.as_slice()),
            summary: cell_summary(&tally),
            score: tally.into(),
            total: findings.len(),
            findings: 0,
            findings_html: Markup::default(),
            passing_html: Markup::default(),
            passing_count: 0,
            pager: Pager::single(),
        };
        paginate(findings, ROWS_PER_PAGE, &stem)
            .into_iter()
            .map(|(rows, pager)| {
                let first_pass = rows.partition_point(|f| f.status != Status::Pass);
                let (others, passing) = rows.split_at(first_pass);
                let details: Vec<_> = others.iter().map(|f| self.finding_detail(f)).collect();
                AccountPage {
                    findings: others.len(),
                    findings_html: components::finding_items(&details, FOLDER_PAGE_BASE),
                    passing_html: components::passing_groups(
                        passing
                            .chunk_by(|a, b| a.check == b.check)
                            .map(|group| (self.link_to(&group[0].check), group)),
                        FOLDER_PAGE_BASE,
                        passing.len(),
                    ),
                    passing_count: passing.len(),
                    pager,
                    ..page.clone()
                }
            })
            .collect()
    }

    /// The link to check `id`, made once per check the snapshot describes.
    fn link_to(&self, id: &str) -> Cow<'_, CheckLink> {
        match self.check_links.get(id) {
            Some(link) => Cow::Borrowed(link),
            None => Cow::Owned(check_link_of(id, None)),
        }
    }

    fn finding_detail<'m>(&'m self, f: &'m Finding) -> FindingDetail<'m> {
        let check = self.link_to(&f.check);
        FindingDetail {
            status_badge: self.badges.status(f.status),
            severity_badge: self.badges.severity(check.severity),
            region_badge: self.badges.region(f.region.as_deref()),
            check,
            finding: f,
        }
    }
}

/// One page of the accounts matrix.
#[derive(Debug, Clone, Serialize)]
pub struct AccountsPage {
    /// The checks, as columns.
    pub columns: Vec<CheckLink>,
    /// Rows grouped by OU.
    pub groups: Vec<OuGroup>,
    /// Which page this is.
    pub pager: Pager,
}

/// The accounts of one OU.
#[derive(Debug, Clone, Serialize)]
pub struct OuGroup {
    /// The OU path.
    pub ou_path: String,
    /// Its accounts.
    pub rows: Vec<MatrixRow>,
}

/// One account in the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    /// The account.
    pub account: AccountLink,
    /// What the scan did.
    pub outcome: &'static str,
    /// Its score.
    pub score: ScoreView,
    /// Its cells, one per check (`components::matrix_cells`): the worst status of its findings over
    /// all Regions, and how many fail.
    pub cells_html: Markup,
}

/// One account's page.
#[derive(Debug, Clone, Serialize)]
pub struct AccountPage<'m> {
    /// The account.
    pub account: AccountLink,
    /// Its Organizations status.
    pub status: String,
    /// What the scan did.
    pub outcome: &'static str,
    /// Its e-mail, when kept.
    pub email: Option<String>,
    /// Errors met reading it, as the snapshot records them.
    pub errors: &'m [CollectError],
    /// Its cells in words.
    pub summary: String,
    /// Its score.
    pub score: ScoreView,
    /// How many findings on this page did not pass.
    pub findings: usize,
    /// Their list's items, escaped (`components::finding_items`): failing, then unknown, then skipped.
    pub findings_html: Markup,
    /// The passing findings, shown compactly: most of a healthy account's findings. The body of
    /// their table, by check, escaped (`components::passing_groups`).
    pub passing_html: Markup,
    /// How many passing findings this page shows.
    pub passing_count: usize,
    /// Findings over all its pages.
    pub total: usize,
    /// Which page this is (one per [`ROWS_PER_PAGE`] findings, failing ones first).
    pub pager: Pager,
}
