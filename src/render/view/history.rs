//! The history page: every version of the site, newest first, and the store's hash chain.

use serde::Serialize;

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
