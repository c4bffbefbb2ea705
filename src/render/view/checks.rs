//! The checks index and each check's pages: its description and its failing and unknown
//! findings.

use serde::Serialize;

use super::{
    CheckLink, FOLDER_PAGE_BASE, Pager, ROWS_PER_PAGE, ScoreView, SubcategoryLink, VersionModel,
    cell_summary, file_stem, paginate,
};
use crate::evaluate::MAPPING_FAMILIES;
use crate::finding::{Finding, Status};
use crate::render::components::{self, FindingRow, Markup};

impl<'a> VersionModel<'a> {
    /// The checks index.
    pub fn checks(&self) -> ChecksPage {
        let check_tallies = &self.check_tallies;
        ChecksPage {
            checks: self
                .checks
                .values()
                .map(|c| {
                    let tally = check_tallies
                        .get(c.id.as_str())
                        .copied()
                        .unwrap_or_default();
                    CheckRow {
                        check: self.check_link(&c.id),
                        scope: format!("{:?}", c.scope).to_lowercase(),
                        service: c.service.clone(),
                        csf: c.mappings.nist_csf_2.clone(),
                        summary: cell_summary(&tally),
                        score: tally.into(),
                    }
                })
                .collect(),
        }
    }

    /// A check's pages: its description, and its failing and unknown findings by account, split
    /// into pages of [`ROWS_PER_PAGE`] rows.
    pub fn check(&self, id: &str) -> Vec<CheckPage> {
        let record = self.checks.get(id).copied();
        let meta = self.catalogue.get(id).copied();
        let tally = self.check_tallies.get(id).copied().unwrap_or_default();
        let mut rows: Vec<(u8, FindingRow)> = self
            .by_check
            .get(id)
            .into_iter()
            .flatten()
            .map(|&i| &self.snapshot.findings[i])
            .filter(|f| matches!(f.status, Status::Fail | Status::Error))
            .map(|f| (u8::from(f.status != Status::Fail), self.finding_row(f)))
            .collect();
        rows.sort_by(|(ka, a), (kb, b)| {
            let (fa, fb) = (a.finding, b.finding);
            (ka, &a.account.name, &a.account.id, &fa.region, &fa.resource).cmp(&(
                kb,
                &b.account.name,
                &b.account.id,
                &fb.region,
                &fb.resource,
            ))
        });
        let rows: Vec<FindingRow> = rows.into_iter().map(|(_, r)| r).collect();
        let failing_total = rows
            .iter()
            .filter(|r| r.finding.status == Status::Fail)
            .count();
        let pages = paginate(rows, ROWS_PER_PAGE, &format!("check/{}", file_stem(id)));
        let mappings = record.map(|r| &r.mappings);
        let frameworks = mappings
            .map(|m| {
                MAPPING_FAMILIES
                    .iter()
                    .map(|family| (family.name, (family.ids)(m)))
                    .filter(|(_, ids)| !ids.is_empty())
                    .map(|(name, ids)| Framework {
                        name: name.to_owned(),
                        ids: ids.to_vec(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let csf = record
            .map(|r| {
                r.mappings
                    .nist_csf_2
                    .iter()
                    .map(|sub| SubcategoryLink {
                        id: sub.clone(),
                        statement: self
                            .csf
                            .iter()
                            .find(|s| &s.id == sub)
                            .map_or_else(String::new, |s| s.statement.clone()),
                        href: format!("csf.html#{sub}"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let description = CheckDescription {
            check: self.check_link(id),
            scope: record.map_or_else(String::new, |r| format!("{:?}", r.scope).to_lowercase()),
            service: record.map_or_else(String::new, |r| r.service.clone()),
            logic_version: record.map_or(0, |r| r.logic_version),
            rationale: meta.map(|m| m.rationale.clone()),
            risk: meta.map(|m| m.risk.clone()),
            remediation: meta.map(|m| m.remediation.clone()),
            references: meta.map(|m| m.references.clone()).unwrap_or_default(),
            frameworks,
            csf,
            score: tally.into(),
            summary: cell_summary(&tally),
            failing_total,
        };
        pages
            .into_iter()
            .map(|(rows, pager)| CheckPage {
                description: description.clone(),
                rows: rows.len(),
                rows_html: components::finding_rows(&rows, FOLDER_PAGE_BASE),
                pager,
            })
            .collect()
    }

    fn finding_row<'m>(&self, finding: &'m Finding) -> FindingRow<'m> {
        FindingRow {
            account: self.account_ref(&finding.account),
            finding,
            region_badge: self.badges.region(finding.region.as_deref()),
            status_badge: self.badges.status(finding.status),
        }
    }
}

/// The checks index.
#[derive(Debug, Clone, Serialize)]
pub struct ChecksPage {
    /// Every check of the snapshot.
    pub checks: Vec<CheckRow>,
}

/// One check in the index.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    /// The check.
    pub check: CheckLink,
    /// Its scope.
    pub scope: String,
    /// Its service.
    pub service: String,
    /// Its NIST CSF 2.0 ids.
    pub csf: Vec<String>,
    /// Its cells in words.
    pub summary: String,
    /// Its score.
    pub score: ScoreView,
}

/// One page of a check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckPage {
    /// What the check is (the same on every page of it).
    pub description: CheckDescription,
    /// How many findings this page shows.
    pub rows: usize,
    /// Their table rows, escaped (`components::finding_rows`): failing findings, then unknown ones, by
    /// account.
    pub rows_html: Markup,
    /// Which page this is.
    pub pager: Pager,
}

/// A check's description.
#[derive(Debug, Clone, Serialize)]
pub struct CheckDescription {
    /// The check.
    pub check: CheckLink,
    /// Its scope.
    pub scope: String,
    /// Its service.
    pub service: String,
    /// Its logic version.
    pub logic_version: u32,
    /// Why it matters (from the catalogue; `None` for a check no longer in it).
    pub rationale: Option<String>,
    /// The risk in one sentence.
    pub risk: Option<String>,
    /// How to fix it.
    pub remediation: Option<String>,
    /// AWS documentation.
    pub references: Vec<String>,
    /// Framework ids.
    pub frameworks: Vec<Framework>,
    /// Its CSF 2.0 subcategories.
    pub csf: Vec<SubcategoryLink>,
    /// Its score.
    pub score: ScoreView,
    /// Its cells in words.
    pub summary: String,
    /// Failing findings.
    pub failing_total: usize,
}

/// One framework's ids for a check.
#[derive(Debug, Clone, Serialize)]
pub struct Framework {
    /// The framework.
    pub name: String,
    /// Its ids.
    pub ids: Vec<String>,
}
