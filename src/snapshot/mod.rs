//! Snapshots: one scan as one file of evidence — its metadata, the checks as they were, the
//! accounts and how each was read, the facts, and the findings. The format is documented in
//! `snapshots/README.md`; this module is its schema (version [`SCHEMA_VERSION`]).
//!
//! `file` writes and reads one snapshot (canonical bytes, content hash, compression), `store`
//! keeps the snapshot store (names that sort by time, atomic writes, the hash chain) and `verify`
//! checks a whole store. A snapshot is never rewritten: re-evaluation writes a new one.
//!
//! Compatibility: a later schema version adds a `v1` module holding these types as they are and
//! converts them on read, so every snapshot ever written stays readable;
//! `tests/fixtures/snapshots/v1/` is loaded by a test forever.

mod file;
mod redact;
mod store;
mod verify;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use crate::config::{RegionChoice, ScanConfig, Selection};
use crate::discover::Inventory;
use crate::evaluate::waivers::{AccountPlace, WaiverEntry, WaiverRecord, apply_waivers};
use crate::evaluate::{
    CheckMeta, LandingZone, Mappings, Scope, Severity, Thresholds, catalog, catalogue_version,
};
use crate::facts::{CollectError, Collected, ScanFacts};
use crate::finding::Finding;

pub(crate) use self::file::hex;
pub use self::file::{
    SnapshotError, SnapshotProblem, read_snapshot, read_snapshot_bytes, read_snapshot_integrity,
    read_snapshot_summary,
};
pub use self::redact::shorten_access_key_ids;
pub use self::store::{Listing, Store, StoreError, StoredSnapshot};
pub use self::verify::{
    ChainProblem, Verification, verify_files, verify_store, verify_store_except,
};

/// What `format` says in every snapshot file.
pub const FORMAT: &str = "posture-snapshot";

/// The schema version this posture writes, and the newest it reads.
pub const SCHEMA_VERSION: u32 = 1;

/// One scan, or one re-evaluation of a scan's facts. `F` is what its facts are read as: the
/// facts themselves, or [`IgnoredAny`] for a [`SnapshotSummary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot<F = ScanFacts> {
    /// Always [`FORMAT`]. The first field of the file, so foreign files are told apart at once.
    pub format: String,
    /// The schema version the file was written in.
    pub schema_version: u32,
    /// The content hash and the link to the snapshot before it (tamper evidence).
    pub integrity: Integrity,
    /// How and when the facts were collected.
    pub scan: ScanMetadata,
    /// Set when the findings come from a later re-evaluation of the facts, not from the scan.
    pub reevaluation: Option<Reevaluation>,
    /// The checks the findings were evaluated with, as they were then.
    pub checks: Vec<CheckRecord>,
    /// Every account in scope, with its outcome.
    pub accounts: Vec<AccountRecord>,
    /// Every verdict, sorted by (check, account, region, resource).
    pub findings: Vec<Finding>,
    /// The facts the verdicts were made from.
    pub facts: F,
}

/// A snapshot without its facts: what `diff` needs, read in a fraction of the time and memory
/// (the facts are parsed past, never kept).
pub type SnapshotSummary = Snapshot<IgnoredAny>;

/// Tamper evidence. `content_sha256` is the SHA-256 of the file's canonical content: the
/// uncompressed bytes as written, with the 64 hex digits of `content_sha256` itself replaced by
/// 64 `0`s. `previous_sha256` is the content hash of the snapshot written before this one into
/// the same store, so removing, altering or reordering a file breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrity {
    /// 64 lowercase hex digits.
    pub content_sha256: String,
    /// The file name it was written under (a renamed file is caught).
    pub file: String,
    /// The snapshot before it in the store, by content hash; `None` for the first.
    pub previous_sha256: Option<String>,
    /// Its file name, to name it when it is missing.
    pub previous_file: Option<String>,
}

/// How and when a scan ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanMetadata {
    /// The posture version that scanned.
    pub posture_version: String,
    /// The check catalogue's version (a hash of `checks/`) at scan time.
    pub catalogue_version: String,
    /// When the scan started (RFC 3339, UTC, milliseconds).
    pub started_at: String,
    /// When it finished; the findings are evaluated as of this instant (key ages count to it).
    pub finished_at: String,
    /// Who scanned (the caller's ARN).
    pub caller_arn: String,
    /// The caller's account.
    pub caller_account_id: String,
    /// The organization.
    pub organization_id: String,
    /// Its management account.
    pub management_account_id: String,
    /// The scope asked for, and what it resolved to.
    pub scope: ScopeRecord,
    /// The limits the findings were judged with (`posture.toml`'s `[thresholds]` and the flags
    /// over the defaults; for a re-evaluation, the ones it used). Snapshots written before it
    /// existed read as the defaults, which every scan used then.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// How the landing zone's parts were recognised (`posture.toml`'s `[landing_zone]`; for a
    /// re-evaluation, the one it used). Left out when it is the default, which is what snapshots
    /// written before it existed were judged with.
    #[serde(default, skip_serializing_if = "LandingZone::is_default")]
    pub landing_zone: LandingZone,
    /// The waivers (`[[waiver]]`) the findings were marked with, in file order, and what each
    /// did (for a re-evaluation, the ones it applied). Absent when there were none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverRecord>,
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
    /// `--regions` as asked.
    pub regions_requested: RegionsRequested,
    /// The Regions scanned.
    pub regions: Vec<String>,
    /// The checks evaluated.
    pub checks: Vec<String>,
    /// The role assumed in member accounts.
    pub role_name: String,
    /// Whether account e-mail addresses were kept (`--keep-emails`).
    pub emails_kept: bool,
}

/// What `--regions` asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionsRequested {
    /// No `--regions`: the Regions enabled for the caller's account.
    Enabled,
    /// `--regions all`.
    All,
    /// A list.
    Listed(Vec<String>),
}

/// Where a re-evaluated snapshot's facts come from, and what evaluated them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reevaluation {
    /// The snapshot whose facts were re-evaluated (its file name).
    pub source_file: String,
    /// Its content hash.
    pub source_sha256: String,
    /// When it was re-evaluated.
    pub reevaluated_at: String,
    /// The posture version that re-evaluated.
    pub posture_version: String,
    /// The check catalogue version it used.
    pub catalogue_version: String,
}

/// A check as it was when the findings were made: enough to group and explain them without the
/// current catalogue, and for `diff` to tell a changed rule from a changed resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// The id.
    pub id: String,
    /// What passes.
    pub title: String,
    /// How bad a failure is.
    pub severity: Severity,
    /// What one verdict is about.
    pub scope: Scope,
    /// The AWS service read.
    pub service: String,
    /// Bumped when the logic changes what it decides.
    pub logic_version: u32,
    /// Framework ids.
    pub mappings: Mappings,
}

impl From<&CheckMeta> for CheckRecord {
    fn from(meta: &CheckMeta) -> Self {
        Self {
            id: meta.id.clone(),
            title: meta.title.clone(),
            severity: meta.severity,
            scope: meta.scope,
            service: meta.service.clone(),
            logic_version: meta.logic_version,
            mappings: meta.mappings.clone(),
        }
    }
}

/// One account in scope and how the scan went there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// The account id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its e-mail address, only with `--keep-emails`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Its OU path.
    pub ou_path: String,
    /// The ids of the OUs it sits in, root first (for waivers that name an OU by id). Snapshots
    /// written before they were kept read as empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ou_ids: Vec<String>,
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
    /// Not scanned (not ACTIVE); its cells are SKIPPED.
    Skipped,
    /// Left out by the auditor (`--accounts`, `--exclude-accounts`, `--ous`); it has no findings.
    Excluded,
}

/// What one scan gives its snapshot: the organization as discovered, the scope as resolved and
/// asked for, the facts collected and the findings evaluated from them.
#[derive(Debug)]
pub struct ScanResult<'a> {
    /// What discovery found.
    pub inventory: &'a Inventory,
    /// What the scope resolved to.
    pub selection: &'a Selection,
    /// The scope, checks, limits and waivers asked for.
    pub config: &'a ScanConfig,
    /// When the scan started.
    pub started_at: jiff::Timestamp,
    /// When it finished, RFC 3339 to the second: the instant the findings were evaluated at.
    pub finished_at: String,
    /// What was read.
    pub facts: ScanFacts,
    /// The findings evaluated from `facts` as of `finished_at`.
    pub findings: Vec<Finding>,
}

impl Snapshot {
    /// A snapshot in the format and schema this posture writes, not yet stored (its integrity
    /// is filled in by [`Store::write`]).
    pub fn new(
        scan: ScanMetadata,
        reevaluation: Option<Reevaluation>,
        checks: Vec<CheckRecord>,
        accounts: Vec<AccountRecord>,
        findings: Vec<Finding>,
        facts: ScanFacts,
    ) -> Self {
        Snapshot {
            format: FORMAT.to_owned(),
            schema_version: SCHEMA_VERSION,
            integrity: unsealed(),
            scan,
            reevaluation,
            checks,
            accounts,
            findings,
            facts,
        }
    }

    /// The snapshot of one scan, with the scan's waivers applied.
    pub fn of_scan(result: ScanResult<'_>) -> Self {
        let ScanResult {
            inventory,
            selection,
            config,
            started_at,
            finished_at,
            facts,
            findings,
        } = result;
        let scope = &config.scope;
        let scan = ScanMetadata {
            posture_version: env!("CARGO_PKG_VERSION").to_owned(),
            catalogue_version: catalogue_version().to_owned(),
            // Always three fractional digits, so that snapshot names (taken from it) sort by time
            // even for two scans in one second.
            started_at: started_at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            finished_at,
            caller_arn: inventory.caller.arn.clone(),
            caller_account_id: inventory.caller.account_id.clone(),
            organization_id: inventory.organization.id.clone(),
            management_account_id: inventory.organization.management_account_id.clone(),
            scope: ScopeRecord {
                accounts: scope.accounts.iter().cloned().collect(),
                exclude_accounts: scope.exclude_accounts.iter().cloned().collect(),
                ous: scope.ous.clone(),
                regions_requested: match &scope.regions {
                    RegionChoice::Enabled => RegionsRequested::Enabled,
                    RegionChoice::All => RegionsRequested::All,
                    RegionChoice::Listed(list) => RegionsRequested::Listed(list.clone()),
                },
                regions: selection.regions.clone(),
                checks: config.checks.clone(),
                role_name: config.role_name.clone(),
                emails_kept: config.keep_emails,
            },
            thresholds: config.thresholds,
            landing_zone: config.landing_zone.clone(),
            waivers: Vec::new(),
        };
        let checks = catalog()
            .iter()
            .filter(|c| config.checks.contains(&c.id))
            .map(CheckRecord::from)
            .collect();
        let accounts = account_records(inventory, selection, &facts, config.keep_emails);
        let mut snapshot = Snapshot::new(scan, None, checks, accounts, findings, facts);
        snapshot.apply_waivers(&config.waivers);
        snapshot
    }
}

impl<F> Snapshot<F> {
    /// Marks the findings with `waivers` as of the evaluation instant (the scan's end) and
    /// records what each did in `scan.waivers`, replacing what was there.
    pub fn apply_waivers(&mut self, waivers: &[WaiverEntry]) {
        let places: HashMap<&str, AccountPlace<'_>> = self
            .accounts
            .iter()
            .map(|a| {
                (
                    a.id.as_str(),
                    AccountPlace {
                        ou_path: &a.ou_path,
                        ou_ids: &a.ou_ids,
                    },
                )
            })
            .collect();
        self.scan.waivers = apply_waivers(
            &mut self.findings,
            waivers,
            |id| places.get(id).copied(),
            &self.scan.finished_at,
            &self.scan.scope.checks,
        );
    }

    /// The waivers it applied, as they were written, to apply again (a re-evaluation keeps
    /// the scan's unless told otherwise).
    pub fn waiver_entries(&self) -> Vec<WaiverEntry> {
        self.scan
            .waivers
            .iter()
            .map(|r| WaiverEntry {
                rule: r.rule.clone(),
                origin: r.origin.clone(),
            })
            .collect()
    }

    /// The content hash of the snapshot once it is stored (empty before).
    pub fn content_sha256(&self) -> &str {
        &self.integrity.content_sha256
    }

    /// The check catalogue version the findings were evaluated with.
    pub fn findings_catalogue_version(&self) -> &str {
        self.reevaluation
            .as_ref()
            .map_or(&self.scan.catalogue_version, |r| &r.catalogue_version)
    }
}

/// Every account in scope with what the scan did there and the errors it met.
fn account_records(
    inventory: &Inventory,
    selection: &Selection,
    facts: &ScanFacts,
    keep_emails: bool,
) -> Vec<AccountRecord> {
    let mut records = Vec::new();
    for account in &inventory.accounts {
        let outcome = if selection.skip.iter().any(|(id, _)| id == &account.id) {
            (AccountOutcome::Skipped, Vec::new())
        } else if let Some(scanned) = facts.accounts.iter().find(|f| f.account_id == account.id) {
            let errors = scanned.errors();
            if matches!(scanned.access, Collected::Error(_)) {
                (AccountOutcome::Unreachable, errors)
            } else if errors.is_empty() {
                (AccountOutcome::Scanned, errors)
            } else {
                (AccountOutcome::ScannedWithErrors, errors)
            }
        } else {
            (AccountOutcome::Excluded, Vec::new())
        };
        records.push(AccountRecord {
            id: account.id.clone(),
            name: account.name.clone(),
            email: keep_emails.then(|| account.email.clone()),
            ou_path: account.ou_path.clone(),
            ou_ids: account.ou_ids.clone(),
            status: account.status.clone(),
            outcome: outcome.0,
            errors: outcome.1,
        });
    }
    records
}

/// An unstored snapshot's integrity: filled in by [`Store::write`].
pub fn unsealed() -> Integrity {
    Integrity {
        content_sha256: String::new(),
        file: String::new(),
        previous_sha256: None,
        previous_file: None,
    }
}
