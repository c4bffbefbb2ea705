//! The view models the templates see: typed, serializable structs built from one snapshot, its
//! diff against the snapshot before it, and the trend. Every link in them is relative to the
//! version's folder (`check/root-mfa.html`) or, for other versions, to the site root; templates
//! prefix `page.base` or `page.root`. Strings from AWS are passed through as they are: the
//! templates escape them. Pure: no I/O.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

// FxHash: the keys are ids from one snapshot, hashed a hundred thousand times a version.
use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use super::badges::{Badge, Badges};
use super::components::{self, FindingDetail, FindingRow, Markup};
pub use super::links::{AccountLink, CheckLink};
use super::score::{CellStatus, Cells, Tally};
use crate::diff::{ChangeKind, Changes};
use crate::evaluate::waivers::{WaiverOutcome, WaiverRecord};
use crate::evaluate::{
    CSF_FUNCTIONS, CheckMeta, CsfEvidence, CsfSubcategory, EvidenceKind, Severity,
};
use crate::facts::CollectError;
use crate::finding::{Finding, Status};
use crate::snapshot::{AccountOutcome, AccountRecord, CheckRecord, SnapshotSummary};

/// Rows per page of a long table (failing resources, changes); keeps every page well under 2 MB.
pub const ROWS_PER_PAGE: usize = 1000;
/// Accounts per page of the accounts × checks matrix.
pub const ACCOUNTS_PER_PAGE: usize = 100;
/// How many accounts and checks the overview names as the worst.
const WORST: usize = 10;
/// How many unread accounts the overview lists before pointing to the accounts page.
const GAPS: usize = 20;

/// What every page of a version shows in its header and navigation.
#[derive(Debug, Clone, Serialize)]
pub struct VersionHeader {
    /// The version id: the snapshot's file name without its extension.
    pub id: String,
    /// The snapshot's file name in the store.
    pub file: String,
    /// The organization.
    pub organization_id: String,
    /// When the scan started, as `2026-11-23 09:03 UTC`.
    pub scanned: String,
    /// The raw start time (RFC 3339).
    pub started_at: String,
    /// When it finished.
    pub finished_at: String,
    /// Set for a re-evaluation: the snapshot whose facts it re-evaluated.
    pub reevaluation_of: Option<String>,
    /// The snapshot's content hash.
    pub content_sha256: String,
    /// The version before it, if any.
    pub previous: Option<String>,
    /// The Regions scanned, comma-separated.
    pub regions: String,
    /// Accounts in scope (excluded ones not counted).
    pub accounts: usize,
    /// Checks evaluated.
    pub checks: usize,
}

impl VersionHeader {
    /// The header of `snapshot`, stored as `file`.
    pub fn of(snapshot: &SnapshotSummary, file: &str, previous: Option<&str>) -> Self {
        Self {
            id: version_id(file).to_owned(),
            file: file.to_owned(),
            organization_id: snapshot.scan.organization_id.clone(),
            scanned: display_time(&snapshot.scan.started_at),
            started_at: snapshot.scan.started_at.clone(),
            finished_at: snapshot.scan.finished_at.clone(),
            reevaluation_of: snapshot
                .reevaluation
                .as_ref()
                .map(|r| version_id(&r.source_file).to_owned()),
            content_sha256: snapshot.integrity.content_sha256.clone(),
            previous: previous.map(str::to_owned),
            regions: snapshot.scan.scope.regions.join(", "),
            accounts: snapshot
                .accounts
                .iter()
                .filter(|a| a.outcome != AccountOutcome::Excluded)
                .count(),
            checks: snapshot.checks.len(),
        }
    }
}

/// A version's id: its snapshot file name without `.json` or `.json.gz`.
pub fn version_id(file: &str) -> &str {
    file.strip_suffix(".json.gz")
        .or_else(|| file.strip_suffix(".json"))
        .unwrap_or(file)
}

/// `2026-11-23T09:03:18.496Z` as `2026-11-23 09:03 UTC`.
pub fn display_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) if rfc3339.ends_with('Z') => format!("{date} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

/// A score with its coverage, ready to show: never one without the other.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    /// The counts.
    pub tally: Tally,
    /// Evaluated cells.
    pub evaluated: usize,
    /// Expected cells.
    pub expected: usize,
    /// `87.5 %`, or `n/a` when nothing was evaluated.
    pub score: String,
    /// `96.0 %`.
    pub coverage: String,
    /// The score as a number 0–100 (0 when nothing was evaluated), for bars.
    pub score_value: f64,
    /// The coverage as a number 0–100.
    pub coverage_value: f64,
    /// The worst status, as the page shows it.
    pub status: Option<CellStatus>,
}

impl From<Tally> for ScoreView {
    fn from(tally: Tally) -> Self {
        Self {
            tally,
            evaluated: tally.evaluated(),
            expected: tally.expected(),
            score: percent(tally.score()),
            coverage: percent(tally.coverage()),
            score_value: tally.score().unwrap_or(0.0),
            coverage_value: tally.coverage().unwrap_or(0.0),
            status: tally.worst(),
        }
    }
}

/// `87.5 %`; `n/a` for no value. One decimal, rounded down, so 99.96 % never shows as 100 %.
pub fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) => format!("{:.1} %", (v * 10.0).floor() / 10.0),
        None => "n/a".to_owned(),
    }
}

/// Everything the pages of one version are made from, indexed once.
pub struct VersionModel<'a> {
    /// The snapshot.
    pub snapshot: &'a SnapshotSummary,
    /// Its header.
    pub header: VersionHeader,
    /// The current catalogue, for what a check's record does not hold (rationale, remediation).
    catalogue: HashMap<&'a str, &'a CheckMeta>,
    /// The NIST CSF 2.0 core.
    csf: &'a [CsfSubcategory],
    /// posture's classification of each CSF 2.0 subcategory, by id: what a subcategory without
    /// a check needs (AWS APIs could evidence it, or evidence from outside AWS).
    evidence: HashMap<&'a str, &'a CsfEvidence>,
    /// Its checks by id.
    checks: BTreeMap<&'a str, &'a CheckRecord>,
    /// Its accounts by id.
    accounts: HashMap<&'a str, &'a AccountRecord>,
    /// Every expected cell with its status.
    cells: Cells<'a>,
    /// Cells counted per check, per account and per CSF function, once: pages ask for them
    /// thousands of times.
    check_tallies: HashMap<&'a str, Tally>,
    account_tallies: HashMap<&'a str, Tally>,
    function_tallies: HashMap<&'static str, Tally>,
    /// Finding indices by account.
    by_account: HashMap<&'a str, Vec<usize>>,
    /// Finding indices by check.
    by_check: HashMap<&'a str, Vec<usize>>,
    /// Each check's link, made once: every finding shown carries one.
    check_links: HashMap<&'a str, CheckLink>,
    /// The badges findings and cells show, each rendered once.
    badges: &'a Badges<'a>,
}

impl<'a> VersionModel<'a> {
    /// Indexes `snapshot` for its pages.
    pub fn new(
        snapshot: &'a SnapshotSummary,
        header: VersionHeader,
        catalogue: &'a [CheckMeta],
        csf: &'a [CsfSubcategory],
        evidence: &'a [CsfEvidence],
        badges: &'a Badges<'a>,
    ) -> Self {
        let mut by_account: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut by_check: HashMap<&str, Vec<usize>> = HashMap::default();
        for (i, finding) in snapshot.findings.iter().enumerate() {
            by_account.entry(&finding.account).or_default().push(i);
            by_check.entry(&finding.check).or_default().push(i);
        }
        let cells = Cells::of(snapshot);
        let check_tallies = cells.tally_by(|(check, _, _)| *check);
        let account_tallies = cells.tally_by(|(_, account, _)| *account);
        let functions: HashMap<&str, Vec<&'static str>> = snapshot
            .checks
            .iter()
            .map(|c| (c.id.as_str(), functions_of(&c.mappings.nist_csf_2)))
            .collect();
        let mut function_tallies: HashMap<&'static str, Tally> = HashMap::default();
        for ((check, _, _), status) in &cells.cells {
            for function in functions.get(check).into_iter().flatten() {
                function_tallies.entry(function).or_default().add(*status);
            }
        }
        Self {
            snapshot,
            header,
            catalogue: catalogue.iter().map(|c| (c.id.as_str(), c)).collect(),
            csf,
            evidence: evidence.iter().map(|e| (e.id.as_str(), e)).collect(),
            checks: snapshot.checks.iter().map(|c| (c.id.as_str(), c)).collect(),
            accounts: snapshot
                .accounts
                .iter()
                .map(|a| (a.id.as_str(), a))
                .collect(),
            cells,
            check_tallies,
            account_tallies,
            function_tallies,
            by_account,
            by_check,
            check_links: snapshot
                .checks
                .iter()
                .map(|c| (c.id.as_str(), check_link_of(&c.id, Some(c))))
                .collect(),
            badges,
        }
    }

    /// The accounts that get a page: every account in scope, and any account a finding names.
    pub fn account_ids(&self) -> Vec<&'a str> {
        let mut ids: BTreeSet<&str> = self
            .snapshot
            .accounts
            .iter()
            .filter(|a| a.outcome != AccountOutcome::Excluded)
            .map(|a| a.id.as_str())
            .collect();
        ids.extend(self.by_account.keys().copied());
        ids.into_iter().collect()
    }

    /// The checks that get a page.
    pub fn check_ids(&self) -> Vec<&'a str> {
        self.checks.keys().copied().collect()
    }

    /// The whole snapshot's score.
    pub fn score(&self) -> ScoreView {
        self.cells.tally().into()
    }

    fn account_name(&self, id: &str) -> String {
        self.accounts
            .get(id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    }

    fn account_ref(&self, id: &str) -> AccountLink {
        let account = self.accounts.get(id);
        AccountLink {
            id: id.to_owned(),
            name: account.map_or_else(|| id.to_owned(), |a| a.name.clone()),
            ou_path: account.map_or_else(String::new, |a| a.ou_path.clone()),
            href: account_href(id),
        }
    }

    fn check_link(&self, id: &str) -> CheckLink {
        self.check_links
            .get(id)
            .cloned()
            .unwrap_or_else(|| check_link_of(id, None))
    }

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

    /// Whether a check of the snapshot gives evidence for the subcategory `id`.
    fn is_checked(&self, id: &str) -> bool {
        self.checks
            .values()
            .any(|c| c.mappings.nist_csf_2.iter().any(|s| s == id))
    }

    /// posture's classification of the subcategory `id` (every subcategory of the Core has one).
    fn evidence_of(&self, id: &str) -> Option<&'a CsfEvidence> {
        self.evidence.get(id).copied()
    }

    /// Each CSF 2.0 subcategory with the worst status of the checks that give evidence for it
    /// (`None`: no check does).
    fn subcategory_statuses(&self) -> Vec<(&'a CsfSubcategory, Option<CellStatus>)> {
        let check_tallies = &self.check_tallies;
        self.csf
            .iter()
            .map(|sub| {
                let mut tally = Tally::default();
                let mut any = false;
                for check in self.checks.values() {
                    if check.mappings.nist_csf_2.contains(&sub.id) {
                        any = true;
                        let t = check_tallies
                            .get(check.id.as_str())
                            .copied()
                            .unwrap_or_default();
                        tally.merge(t);
                    }
                }
                (sub, if any { tally.worst() } else { None })
            })
            .collect()
    }

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
                [
                    ("NIST CSF 2.0", &m.nist_csf_2),
                    ("NIST CSF 1.1", &m.nist_csf_1_1),
                    ("CIS AWS Foundations Benchmark v3.0.0", &m.cis_aws_v3),
                    ("CIS AWS Foundations Benchmark v5.0.0", &m.cis_aws_v5),
                    ("NIST SP 800-53 Rev. 5", &m.nist_800_53_r5),
                    ("AWS Security Hub", &m.security_hub),
                ]
                .into_iter()
                .filter(|(_, ids)| !ids.is_empty())
                .map(|(name, ids)| Framework {
                    name: name.to_owned(),
                    ids: ids.clone(),
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

    /// The downloads page.
    pub fn downloads(&self, csv_bytes: u64, snapshot_bytes: u64) -> DownloadsPage {
        DownloadsPage {
            findings: self.snapshot.findings.len(),
            csv_bytes,
            snapshot_file: self.header.file.clone(),
            snapshot_bytes,
        }
    }

    /// An account's name, for the changes page.
    pub fn name_of(&self, id: &str) -> String {
        self.account_name(id)
    }
}

/// The CSF 2.0 functions a check gives evidence for, from its subcategory ids.
fn functions_of(subcategories: &[String]) -> Vec<&'static str> {
    CSF_FUNCTIONS
        .iter()
        .copied()
        .filter(|f| subcategories.iter().any(|id| id.starts_with(f)))
        .collect()
}

/// The diff a version is shown with, or why there is none.
pub enum ChangesContext<'a> {
    /// The first snapshot of the store.
    First,
    /// The snapshot before is of another organization.
    NotComparable {
        /// The previous version.
        previous: String,
        /// Why.
        reason: String,
    },
    /// The diff against the previous version.
    Against {
        /// The previous version's id.
        previous: String,
        /// The changes.
        changes: &'a Changes,
    },
}

impl ChangesContext<'_> {
    fn summary(&self, model: &VersionModel<'_>) -> ChangeSummary {
        match self {
            Self::First => ChangeSummary {
                previous: None,
                note: Some(
                    "This is the first snapshot in the store: there is nothing to compare it with."
                        .into(),
                ),
                kinds: Vec::new(),
                regressions: Vec::new(),
                regressions_more: 0,
            },
            Self::NotComparable { previous, reason } => ChangeSummary {
                previous: Some(previous.clone()),
                note: Some(reason.clone()),
                kinds: Vec::new(),
                regressions: Vec::new(),
                regressions_more: 0,
            },
            Self::Against { previous, changes } => {
                let regressions: Vec<ChangeRow> = changes
                    .of_kind(ChangeKind::Regressed)
                    .chain(changes.of_kind(ChangeKind::NewlyUnknown))
                    .take(WORST)
                    .map(|c| change_row(model, c))
                    .collect();
                let shown = regressions.len();
                ChangeSummary {
                    previous: Some(previous.clone()),
                    note: None,
                    kinds: kind_counts(changes),
                    regressions,
                    regressions_more: changes.count(ChangeKind::Regressed)
                        + changes.count(ChangeKind::NewlyUnknown)
                        - shown,
                }
            }
        }
    }

    /// The changes pages: everything `posture diff --all` lists, kind by kind (regressions
    /// first), split into pages of [`ROWS_PER_PAGE`] rows.
    pub fn pages(&self, model: &VersionModel<'_>) -> Vec<ChangesPage> {
        let summary = self.summary(model);
        let Self::Against { changes, .. } = self else {
            return vec![ChangesPage {
                summary,
                details: None,
                groups: Vec::new(),
                unlisted_note: None,
                pager: Pager::single(),
            }];
        };
        let details = ChangeDetails {
            regions_added: changes.scope.regions_added.clone(),
            regions_removed: changes.scope.regions_removed.clone(),
            options: changes.scope.options.clone(),
            accounts_joined: changes
                .accounts_joined
                .iter()
                .map(|a| format!("{} ({}, {})", a.name, a.id, a.ou_path))
                .collect(),
            accounts_left: changes
                .accounts_left
                .iter()
                .map(|a| format!("{} ({}, {})", a.name, a.id, a.ou_path))
                .collect(),
            accounts_changed: changes
                .accounts_changed
                .iter()
                .map(|a| format!("{} ({}): {}", a.name, a.id, a.changes.join("; ")))
                .collect(),
            checks_added: changes.checks_added.clone(),
            checks_removed: changes.checks_removed.clone(),
            checks_changed: changes
                .checks_changed
                .iter()
                .map(|c| c.id.clone())
                .collect(),
        };
        // Findings that stayed as they were are not changes; like `posture diff` without
        // `--all`, the page counts them and the check pages list them.
        let unlisted = UNLISTED;
        let unlisted_note = unlisted
            .iter()
            .any(|kind| changes.count(*kind) > 0)
            .then(|| {
                format!(
                    "Not listed here: {} still failing and {} still unknown (as before); each check's page lists its failing and unknown resources.",
                    changes.count(ChangeKind::StillFailing),
                    changes.count(ChangeKind::StillUnknown)
                )
            });
        let rows: Vec<(ChangeKind, ChangeRow)> = ChangeKind::ALL
            .iter()
            .filter(|kind| !unlisted.contains(kind))
            .flat_map(|kind| changes.of_kind(*kind).map(move |c| (*kind, c)))
            .map(|(kind, c)| (kind, change_row(model, c)))
            .collect();
        paginate(rows, ROWS_PER_PAGE, "changes")
            .into_iter()
            .map(|(rows, pager)| {
                let mut groups: Vec<ChangeGroup> = Vec::new();
                for (kind, row) in rows {
                    if groups.last().is_none_or(|g| g.kind != kind) {
                        groups.push(ChangeGroup {
                            kind,
                            label: kind.label().to_owned(),
                            total: changes.count(kind),
                            rows: Vec::new(),
                        });
                    }
                    groups.last_mut().expect("pushed").rows.push(row);
                }
                ChangesPage {
                    summary: summary.clone(),
                    details: Some(details.clone()),
                    groups,
                    unlisted_note: unlisted_note.clone(),
                    pager,
                }
            })
            .collect()
    }
}

/// Kinds the changes pages count but do not list: the findings that stayed as they were.
const UNLISTED: [ChangeKind; 2] = [ChangeKind::StillFailing, ChangeKind::StillUnknown];

fn kind_counts(changes: &Changes) -> Vec<KindCount> {
    // Where each listed kind's rows start, over the pages of [`ROWS_PER_PAGE`] rows.
    let mut row = 0;
    ChangeKind::ALL
        .iter()
        .map(|kind| {
            let count = changes.count(*kind);
            let href = (count > 0 && !UNLISTED.contains(kind)).then(|| {
                let page = row / ROWS_PER_PAGE + 1;
                row += count;
                let file = if page == 1 {
                    "changes.html".to_owned()
                } else {
                    format!("changes-{page}.html")
                };
                format!("{file}#kind-{}", kind_anchor(*kind))
            });
            KindCount {
                kind: *kind,
                label: kind.label().to_owned(),
                count,
                worse: matches!(kind, ChangeKind::Regressed | ChangeKind::NewlyUnknown),
                better: matches!(kind, ChangeKind::Resolved | ChangeKind::Recovered),
                href,
            }
        })
        .collect()
}

/// The anchor of a kind's section: its serialized name (`still_failing`).
fn kind_anchor(kind: ChangeKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn change_row(model: &VersionModel<'_>, change: &crate::diff::FindingChange) -> ChangeRow {
    let name = if change.account_name.is_empty() {
        model.name_of(&change.account)
    } else {
        change.account_name.clone()
    };
    ChangeRow {
        check: CheckLink {
            id: change.check.clone(),
            title: model
                .checks
                .get(change.check.as_str())
                .map_or_else(|| change.check.clone(), |c| c.title.clone()),
            severity: Some(change.severity),
            href: check_href(&change.check),
        },
        account: AccountLink {
            name,
            ..model.account_ref(&change.account)
        },
        severity_badge: model.badges.severity(Some(change.severity)),
        region_badge: model.badges.region(change.region.as_deref()),
        old_badge: model.badges.change_status(change.old.status),
        new_badge: model.badges.change_status(change.new.status),
        region: change.region.clone(),
        resource: change.resource.clone(),
        old_status: change.old.status,
        new_status: change.new.status,
        reason: if change.new.status.is_some() {
            change.new.reason.clone()
        } else {
            change.old.reason.clone()
        },
        causes: change.causes.iter().map(|c| c.describe()).collect(),
    }
}

/// `fails in 3 of 8 cells, 1 unknown`.
fn cell_summary(tally: &Tally) -> String {
    let mut parts = vec![format!(
        "{} passing, {} failing{} of {} evaluated",
        tally.pass,
        tally.fail,
        if tally.waived > 0 {
            format!(" ({} waived)", tally.waived)
        } else {
            String::new()
        },
        tally.evaluated()
    )];
    if tally.unknown > 0 {
        parts.push(format!("{} unknown", tally.unknown));
    }
    if tally.skipped > 0 {
        parts.push(format!("{} skipped", tally.skipped));
    }
    parts.join(", ")
}

fn outcome_label(outcome: AccountOutcome) -> &'static str {
    match outcome {
        AccountOutcome::Scanned => "scanned",
        AccountOutcome::ScannedWithErrors => "scanned with errors",
        AccountOutcome::Unreachable => "unreachable",
        AccountOutcome::Skipped => "skipped",
        AccountOutcome::Excluded => "excluded",
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

/// The link to check `id`, described by `record` when the snapshot has it.
fn check_link_of(id: &str, record: Option<&CheckRecord>) -> CheckLink {
    CheckLink {
        id: id.to_owned(),
        title: record.map_or_else(|| id.to_owned(), |c| c.title.clone()),
        severity: record.map(|c| c.severity),
        href: check_href(id),
    }
}

/// The prefix from a page in a folder of its version (a check page, [`check_href`], or an
/// account page, [`account_href`]) to the version's folder.
pub const FOLDER_PAGE_BASE: &str = "../";

/// A check page's path within its version.
pub fn check_href(id: &str) -> String {
    format!("check/{}.html", file_stem(id))
}

/// An account page's path within its version.
pub fn account_href(id: &str) -> String {
    format!("account/{}.html", file_stem(id))
}

/// A name from a snapshot as a file name. Plain names (`root-mfa`, `123456789012`,
/// `2026-11-23T09-03-18.496Z`) are kept;
/// any other is made plain and given a hash of the original, so a snapshot can never name a
/// file outside its version (`../x`) and two names never share a page.
pub fn file_stem(name: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !name.is_empty() && name.len() <= 64 && !name.starts_with('.') && name.chars().all(plain) {
        return name.to_owned();
    }
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let cleaned: String = name
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hash = crate::snapshot::hex(&digest[..4]);
    format!("{cleaned}-{hash}")
}

/// Splits `rows` into pages; page 1 is `{stem}.html`, page n is `{stem}-{n}.html`. Always at
/// least one page.
fn paginate<T>(rows: Vec<T>, per_page: usize, stem: &str) -> Vec<(Vec<T>, Pager)> {
    let total = rows.len();
    let count = total.div_ceil(per_page).max(1);
    let mut pages: Vec<Vec<T>> = (0..count).map(|_| Vec::new()).collect();
    for (i, row) in rows.into_iter().enumerate() {
        pages[i / per_page].push(row);
    }
    let name = |n: usize| {
        let file = stem.rsplit('/').next().unwrap_or(stem);
        if n == 1 {
            format!("{file}.html")
        } else {
            format!("{file}-{n}.html")
        }
    };
    pages
        .into_iter()
        .enumerate()
        .map(|(i, rows)| {
            let number = i + 1;
            let pager = Pager {
                number,
                count,
                total,
                first_row: i * per_page + 1,
                last_row: (i * per_page + rows.len()).max(i * per_page),
                path: if number == 1 {
                    format!("{stem}.html")
                } else {
                    format!("{stem}-{number}.html")
                },
                pages: (1..=count)
                    .map(|n| PageLink {
                        number: n,
                        href: name(n),
                        current: n == number,
                    })
                    .collect(),
            };
            (rows, pager)
        })
        .collect()
}

/// Where a page sits among the pages of one long table.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    /// This page's number, from 1.
    pub number: usize,
    /// How many pages.
    pub count: usize,
    /// Rows over all pages.
    pub total: usize,
    /// The first row on this page, from 1.
    pub first_row: usize,
    /// The last row on this page.
    pub last_row: usize,
    /// This page's path within the version.
    pub path: String,
    /// Links to every page (relative to this page's folder).
    pub pages: Vec<PageLink>,
}

impl Pager {
    fn single() -> Self {
        Self {
            number: 1,
            count: 1,
            total: 0,
            first_row: 0,
            last_row: 0,
            path: String::new(),
            pages: Vec::new(),
        }
    }
}

/// A link to one page of a long table.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    /// Its number.
    pub number: usize,
    /// Its file name.
    pub href: String,
    /// Whether it is the page shown.
    pub current: bool,
}

/// A NIST CSF 2.0 subcategory, linked to the CSF page.
#[derive(Debug, Clone, Serialize)]
pub struct SubcategoryLink {
    /// `PR.AA-03`.
    pub id: String,
    /// Its statement.
    pub statement: String,
    /// `csf.html#PR.AA-03`.
    pub href: String,
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

/// The change summary of a version.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeSummary {
    /// The previous version's id.
    pub previous: Option<String>,
    /// Why there is no diff, when there is none.
    pub note: Option<String>,
    /// Counts per kind, regressions first.
    pub kinds: Vec<KindCount>,
    /// The first regressions and newly unknown findings.
    pub regressions: Vec<ChangeRow>,
    /// How many more.
    pub regressions_more: usize,
}

/// How many findings changed in one way.
#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    /// The kind.
    pub kind: ChangeKind,
    /// Its label.
    pub label: String,
    /// How many.
    pub count: usize,
    /// A change for the worse.
    pub worse: bool,
    /// A change for the better.
    pub better: bool,
    /// Where its rows start (`changes-2.html#kind-resolved`, relative to the version's
    /// folder); `None` when none are listed.
    pub href: Option<String>,
}

/// One changed finding.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    /// The check.
    pub check: CheckLink,
    /// The account.
    pub account: AccountLink,
    /// The Region, for regional checks.
    pub region: Option<String>,
    /// The resource.
    pub resource: String,
    /// Its status before (`None`: no finding).
    pub old_status: Option<Status>,
    /// Its status now.
    pub new_status: Option<Status>,
    /// The newest reason.
    pub reason: String,
    /// Why it changed.
    pub causes: Vec<String>,
    /// The check's severity as the `severity` component shows it.
    pub severity_badge: Badge,
    /// `region` as the `region` component shows it.
    pub region_badge: Badge,
    /// `old_status` and `new_status` as the `status` component shows them (`None`: "no finding").
    pub old_badge: Badge,
    /// See `old_badge`.
    pub new_badge: Badge,
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

/// A finding's evidence as text, one `label: value` per line, for the CSV (passing rows write the
/// same lines, escaped, in `components::passing_groups`).
pub fn evidence_lines(f: &Finding) -> String {
    let size: usize = f.evidence.iter().map(|(l, v)| l.len() + v.len() + 3).sum();
    let mut text = String::with_capacity(size);
    for (label, value) in f.evidence.iter() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(label);
        text.push_str(": ");
        text.push_str(value);
    }
    text
}

/// One page of the changes.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesPage {
    /// Counts and the previous version.
    pub summary: ChangeSummary,
    /// Scope, account and check changes (page 1 shows them).
    pub details: Option<ChangeDetails>,
    /// Changed findings on this page, by kind.
    pub groups: Vec<ChangeGroup>,
    /// What is counted but not listed (findings still failing or still unknown).
    pub unlisted_note: Option<String>,
    /// Which page this is.
    pub pager: Pager,
}

/// What changed besides findings.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeDetails {
    /// Regions added to the scan.
    pub regions_added: Vec<String>,
    /// Regions dropped from it.
    pub regions_removed: Vec<String>,
    /// Other scope options that changed.
    pub options: Vec<String>,
    /// Accounts that joined.
    pub accounts_joined: Vec<String>,
    /// Accounts that left.
    pub accounts_left: Vec<String>,
    /// Accounts whose status, OU or name changed.
    pub accounts_changed: Vec<String>,
    /// Checks added.
    pub checks_added: Vec<String>,
    /// Checks removed.
    pub checks_removed: Vec<String>,
    /// Checks whose logic, mapping, severity, scope or title changed.
    pub checks_changed: Vec<String>,
}

/// The changed findings of one kind on one page.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeGroup {
    /// The kind.
    pub kind: ChangeKind,
    /// Its label.
    pub label: String,
    /// How many of this kind over all pages.
    pub total: usize,
    /// The rows on this page.
    pub rows: Vec<ChangeRow>,
}

/// The downloads page.
#[derive(Debug, Clone, Serialize)]
pub struct DownloadsPage {
    /// Rows in the CSV.
    pub findings: usize,
    /// The CSV's size.
    pub csv_bytes: u64,
    /// The snapshot's file name.
    pub snapshot_file: String,
    /// Its size.
    pub snapshot_bytes: u64,
}

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteInfo {
    /// The posture version that rendered the page.
    pub posture_version: String,
    /// The stylesheet, relative to the site root (`assets/site.0123abcd.css`).
    pub css: String,
    /// The script, relative to the site root.
    pub js: String,
}

/// Where a page sits in the site.
#[derive(Debug, Clone, Serialize)]
pub struct PageInfo {
    /// The `<title>` and `<h1>`.
    pub title: String,
    /// The current navigation item: `overview`, `csf`, `checks`, `accounts`, `changes`,
    /// `downloads` or `history`.
    pub nav: &'static str,
    /// From this page to the site root (`../../`).
    pub root: String,
    /// From this page to its version's folder (`""`, `../`, or `v/<id>/` on an entry page).
    pub base: String,
    /// The newest version's id.
    pub latest: String,
    /// Whether this is an entry page (`index.html`, `history.html`), which always shows the
    /// newest version; a version's own pages never change, so they never claim to be the newest.
    pub entry: bool,
}

/// The history page: every version, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryPage {
    /// The versions, newest first.
    pub versions: Vec<HistoryRow>,
    /// The score over all versions (inline SVG made by `svg.rs`).
    pub trend_svg: String,
    /// Whether the store's hash chain is intact.
    pub chain_intact: bool,
    /// The chain verification in one sentence.
    pub chain_summary: String,
    /// Each problem the verification found, one line each.
    pub chain_problems: Vec<String>,
}

/// One version in the history.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct HistoryRow {
    /// The version id.
    pub id: String,
    /// Its overview, relative to the site root.
    pub href: String,
    /// When the scan started, for people.
    pub scanned: String,
    /// The raw start time (RFC 3339).
    pub started_at: String,
    /// The organization.
    pub organization_id: String,
    /// Accounts in scope.
    pub accounts: usize,
    /// Checks evaluated.
    pub checks: usize,
    /// The Regions scanned.
    pub regions: String,
    /// `87.5 %` or `n/a`.
    pub score: String,
    /// The score 0–100 (`None` when nothing was evaluated), for the trend.
    pub score_value: Option<f64>,
    /// `96.0 %`.
    pub coverage: String,
    /// The coverage 0–100, for the trend.
    pub coverage_value: Option<f64>,
    /// Failing cells.
    pub failing: usize,
    /// Unknown cells.
    pub unknown: usize,
    /// The snapshot whose facts it re-evaluated, for a re-evaluation.
    pub reevaluation_of: Option<String>,
    /// The snapshot's content hash.
    pub content_sha256: String,
    /// The content hash of the snapshot before it, as the snapshot records it.
    pub previous_sha256: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_a_snapshot_never_leave_their_folder() {
        assert_eq!(file_stem("root-mfa"), "root-mfa");
        assert_eq!(
            file_stem("2026-11-23T09-03-18.496Z"),
            "2026-11-23T09-03-18.496Z"
        );
        for hostile in ["../../etc/passwd", "..", ".hidden", "a/b", "<script>", ""] {
            let stem = file_stem(hostile);
            assert!(
                !stem.contains('/') && !stem.starts_with('.'),
                "{hostile:?} -> {stem:?}"
            );
        }
        assert_ne!(
            file_stem("a/b"),
            file_stem("a_b"),
            "two names never share a page"
        );
    }

    #[test]
    fn long_tables_split_into_numbered_pages_that_link_each_other() {
        let pages = paginate((0..2500).collect::<Vec<u32>>(), 1000, "check/root-mfa");
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].1.path, "check/root-mfa.html");
        assert_eq!(pages[2].1.path, "check/root-mfa-3.html");
        assert_eq!(pages[2].0.len(), 500);
        assert_eq!((pages[2].1.first_row, pages[2].1.last_row), (2001, 2500));
        let hrefs: Vec<&str> = pages[1].1.pages.iter().map(|p| p.href.as_str()).collect();
        assert_eq!(
            hrefs,
            ["root-mfa.html", "root-mfa-2.html", "root-mfa-3.html"]
        );
        assert_eq!(
            paginate(Vec::<u32>::new(), 1000, "changes").len(),
            1,
            "an empty table has a page"
        );
    }

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

    #[test]
    fn a_score_never_rounds_up_to_a_perfect_one() {
        assert_eq!(percent(Some(99.96)), "99.9 %");
        assert_eq!(percent(None), "n/a");
    }
}
