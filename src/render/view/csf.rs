//! The NIST CSF 2.0 page: every function, category and subcategory, with the checks that give
//! evidence for it or, without one, what could.

use serde::Serialize;

use super::{CheckLink, ScoreView, VersionModel, cell_summary};
use crate::evaluate::EvidenceKind;
use crate::render::score::CellStatus;

impl<'a> VersionModel<'a> {
    /// The NIST CSF 2.0 page.
    pub fn csf(&self) -> CsfPage {
        let check_tallies = &self.check_tallies;
        let statuses = self.subcategory_statuses();
        let mut functions: Vec<CsfFunction> = Vec::new();
        let mut assessed = 0;
        let mut aws_unchecked = 0;
        let mut outside_aws = 0;
        for (sub, status) in &statuses {
            if functions.last().is_none_or(|f| f.id != sub.function_id) {
                let tally = self
                    .function_tallies
                    .get(sub.function_id.as_str())
                    .copied()
                    .unwrap_or_default();
                functions.push(CsfFunction {
                    id: sub.function_id.clone(),
                    name: sub.function_name.clone(),
                    score: tally.into(),
                    categories: Vec::new(),
                });
            }
            let function = functions.last_mut().expect("pushed above");
            if function
                .categories
                .last()
                .is_none_or(|c| c.id != sub.category_id)
            {
                function.categories.push(CsfCategory {
                    id: sub.category_id.clone(),
                    name: sub.category_name.clone(),
                    subcategories: Vec::new(),
                });
            }
            let checks: Vec<CsfCheck> = self
                .checks
                .values()
                .filter(|c| c.mappings.nist_csf_2.contains(&sub.id))
                .map(|c| {
                    let tally = check_tallies
                        .get(c.id.as_str())
                        .copied()
                        .unwrap_or_default();
                    CsfCheck {
                        check: self.check_link(&c.id),
                        summary: cell_summary(&tally),
                        score: tally.into(),
                    }
                })
                .collect();
            // A subcategory without a check says what could evidence it.
            let evidence = if checks.is_empty() {
                self.evidence_of(&sub.id)
            } else {
                assessed += 1;
                None
            };
            match evidence.map(|e| e.kind) {
                Some(EvidenceKind::Aws) => aws_unchecked += 1,
                Some(EvidenceKind::Outside) => outside_aws += 1,
                None => {}
            }
            function
                .categories
                .last_mut()
                .expect("pushed above")
                .subcategories
                .push(CsfSub {
                    id: sub.id.clone(),
                    statement: sub.statement.clone(),
                    status: *status,
                    checks,
                    evidence_kind: evidence.map(|e| e.kind),
                    evidence: evidence.map(|e| e.evidence.clone()),
                });
        }
        CsfPage {
            functions,
            assessed,
            aws_unchecked,
            outside_aws,
            total: statuses.len(),
        }
    }
}

/// The NIST CSF 2.0 page.
#[derive(Debug, Clone, Serialize)]
pub struct CsfPage {
    /// Functions → categories → subcategories.
    pub functions: Vec<CsfFunction>,
    /// Subcategories with at least one check.
    pub assessed: usize,
    /// Subcategories without a check that AWS APIs could give evidence for.
    pub aws_unchecked: usize,
    /// Subcategories without a check that need evidence from outside AWS.
    pub outside_aws: usize,
    /// All subcategories.
    pub total: usize,
}

/// A CSF function.
#[derive(Debug, Clone, Serialize)]
pub struct CsfFunction {
    /// `PR`.
    pub id: String,
    /// `Protect`.
    pub name: String,
    /// Its score.
    pub score: ScoreView,
    /// Its categories.
    pub categories: Vec<CsfCategory>,
}

/// A CSF category.
#[derive(Debug, Clone, Serialize)]
pub struct CsfCategory {
    /// `PR.AA`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its subcategories.
    pub subcategories: Vec<CsfSub>,
}

/// A CSF subcategory with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct CsfSub {
    /// `PR.AA-03`.
    pub id: String,
    /// NIST's statement.
    pub statement: String,
    /// The worst status of its checks; `None` when posture has no check for it.
    pub status: Option<CellStatus>,
    /// The checks that give evidence for it.
    pub checks: Vec<CsfCheck>,
    /// Without a check: `aws` (AWS APIs could give evidence; posture has no check for it yet) or
    /// `outside` (it needs evidence from outside AWS); `None` when a check gives evidence.
    pub evidence_kind: Option<EvidenceKind>,
    /// Without a check: posture's one line on what could give evidence for it.
    pub evidence: Option<String>,
}

/// A check under a subcategory.
#[derive(Debug, Clone, Serialize)]
pub struct CsfCheck {
    /// The check.
    pub check: CheckLink,
    /// Its cells in words.
    pub summary: String,
    /// Its score.
    pub score: ScoreView,
}
