//! Snapshots: one scan as one JSON file — its metadata, the accounts and how each was read, the
//! facts (the evidence), and the findings. Written atomically (`store`), so a scan that is killed
//! never leaves a half file, and never touches an earlier snapshot.
//!
//! The format is still provisional (the snapshots issue versions it); from now on it always has a
//! top-level `findings` array and a top-level `accounts` array.

mod store;

use serde::{Deserialize, Serialize};

use crate::facts::{CollectError, ScanFacts};
use crate::finding::Finding;

pub use self::store::{StoreError, write_snapshot};

/// What `format` says in every snapshot file.
pub const FORMAT: &str = "posture-snapshot";

/// One scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Always [`FORMAT`].
    pub format: String,
    /// How and when the scan ran.
    pub scan: ScanMetadata,
    /// Every account in scope, with its outcome.
    pub accounts: Vec<AccountRecord>,
    /// Every verdict.
    pub findings: Vec<Finding>,
    /// The facts the verdicts were made from.
    pub facts: ScanFacts,
}

/// How and when a scan ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanMetadata {
    /// The posture version that scanned.
    pub posture_version: String,
    /// When the scan started (RFC 3339, UTC).
    pub started_at: String,
    /// When it finished.
    pub finished_at: String,
    /// Who scanned (the caller's ARN).
    pub caller_arn: String,
    /// The caller's account.
    pub caller_account_id: String,
    /// The organization.
    pub organization_id: String,
    /// Its management account.
    pub management_account_id: String,
    /// The scope asked for.
    pub scope: ScopeRecord,
}

/// The scope of a scan as asked for and as resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRecord {
    /// `--accounts` (empty = all).
    pub accounts: Vec<String>,
    /// `--exclude-accounts`.
    pub exclude_accounts: Vec<String>,
    /// `--ous`.
    pub ous: Vec<String>,
    /// The Regions scanned.
    pub regions: Vec<String>,
    /// The checks evaluated.
    pub checks: Vec<String>,
    /// The role assumed in member accounts.
    pub role_name: String,
}

/// One account in scope and how the scan went there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// The account id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its OU path.
    pub ou_path: String,
    /// Its Organizations status (`ACTIVE`, `SUSPENDED`, …).
    pub status: String,
    /// What the scan did: scanned completely, scanned with errors, or skipped.
    pub outcome: AccountOutcome,
    /// Every error met while reading it.
    pub errors: Vec<CollectError>,
}

/// What the scan did with an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountOutcome {
    /// Every fact was read.
    Scanned,
    /// Some facts could not be read; their checks are ERROR.
    ScannedWithErrors,
    /// The role could not be assumed; every check is ERROR.
    Unreachable,
    /// Not scanned (not ACTIVE).
    Skipped,
}
