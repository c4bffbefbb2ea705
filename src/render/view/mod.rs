//! The view models the templates see: typed, serializable structs built from one snapshot, its
//! diff against the snapshot before it, and the trend. Every link in them is relative to the
//! version's folder (`check/root-mfa.html`) or, for other versions, to the site root; templates
//! prefix `page.base` or `page.root`. Strings from AWS are passed through as they are: the
//! templates escape them. Pure: no I/O.
//!
//! Each page's structs, and the `VersionModel` methods that build them, live in a file of their
//! own (`overview`, `csf`, `checks`, `accounts`, `changes`, `downloads`, `history`); this one
//! holds the model and what every page shares: the header, scores, paging and links.

mod accounts;
mod changes;
mod checks;
mod csf;
mod downloads;
mod history;
mod overview;

use std::collections::{BTreeMap, BTreeSet};

// FxHash: the keys are ids from one snapshot, hashed a hundred thousand times a version.
use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use super::badges::Badges;
pub use super::links::{AccountLink, CheckLink};
use super::score::{CellStatus, Cells, Tally};
use crate::evaluate::{CSF_FUNCTIONS, CheckMeta, CsfEvidence, CsfSubcategory};
use crate::snapshot::{AccountOutcome, AccountRecord, CheckRecord, SnapshotSummary};

pub use self::accounts::{ACCOUNTS_PER_PAGE, AccountPage, AccountsPage, MatrixRow, OuGroup};
pub use self::changes::{
    ChangeDetails, ChangeGroup, ChangeRow, ChangeSummary, ChangesContext, ChangesPage, KindCount,
};
pub use self::checks::{CheckDescription, CheckPage, CheckRow, ChecksPage, Framework};
pub use self::csf::{CsfCategory, CsfCheck, CsfFunction, CsfPage, CsfSub};
pub use self::downloads::{DownloadsPage, evidence_lines};
pub use self::history::{HistoryPage, HistoryRow};
pub use self::overview::{
    AccountScore, CheckScore, CoverageGap, FunctionScore, Overview, ScoreChange, SeverityCount,
    WaiverRow,
};

/// Rows per page of a long table (failing resources, changes); keeps every page well under 2 MB.
pub const ROWS_PER_PAGE: usize = 1000;

/// How many accounts and checks the overview names as the worst.
const WORST: usize = 10;

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
}

/// The CSF 2.0 functions a check gives evidence for, from its subcategory ids.
fn functions_of(subcategories: &[String]) -> Vec<&'static str> {
    CSF_FUNCTIONS
        .iter()
        .copied()
        .filter(|f| subcategories.iter().any(|id| id.starts_with(f)))
        .collect()
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
    fn a_score_never_rounds_up_to_a_perfect_one() {
        assert_eq!(percent(Some(99.96)), "99.9 %");
        assert_eq!(percent(None), "n/a");
    }
}
