//! Diff: what changed between two snapshots, and why. Pure: two snapshot summaries in, typed
//! [`Changes`] out; `output` prints them and `commands` turns them into an exit status.
//!
//! A finding's identity is (check, account, region, resource). Where one snapshot has no finding
//! for an identity, the other cells of that snapshot say why: the cell was evaluated and the
//! resource is not there (absent), the cell could not be read (unknown), or it was not evaluated
//! at all (the account left or was skipped, the Region or check was out of scope). A scope change
//! therefore never shows as a resolution, and an unreadable account never as a fix.
//!
//! The transitions are symmetric: what `diff(a, b)` calls regressed, `diff(b, a)` calls resolved;
//! newly unknown and recovered, newly evaluated and no longer evaluated, added and removed swap
//! the same way. Every change carries its causes, so a change window is not blamed for a new
//! rule, a new mapping, a changed limit (`posture.toml`'s `[thresholds]`), a waiver or an account
//! that could not be read.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::evaluate::{CSF_FUNCTIONS, LandingZone, Scope, Severity, Thresholds};
use crate::finding::{
    EVALUATED_AT, Evidence, Finding, FindingId, REPORT_GENERATED, Status, USERS_READ_LIVE, Waiver,
};
use crate::snapshot::{AccountOutcome, CheckRecord, SnapshotSummary};

/// Everything that changed from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// The older snapshot.
    pub old: SnapshotRef,
    /// The newer one.
    pub new: SnapshotRef,
    /// How the scans' scope differs (Regions, filters, checks asked for).
    pub scope: ScopeChange,
    /// Accounts in the new snapshot only.
    pub accounts_joined: Vec<AccountRef>,
    /// Accounts in the old snapshot only.
    pub accounts_left: Vec<AccountRef>,
    /// Accounts in both whose status or OU changed.
    pub accounts_changed: Vec<AccountChange>,
    /// Checks evaluated in the new snapshot only.
    pub checks_added: Vec<String>,
    /// Checks evaluated in the old snapshot only.
    pub checks_removed: Vec<String>,
    /// Checks in both whose logic, mapping or severity changed.
    pub checks_changed: Vec<CheckChange>,
    /// Every finding that changed, and every one still failing or still unknown; regressions
    /// first, then by severity and identity.
    pub findings: Vec<FindingChange>,
    /// Counts per kind, overall, per severity and per NIST CSF 2.0 function.
    pub summary: Summary,
}

/// Which snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotRef {
    /// Its file name.
    pub file: String,
    /// Its content hash.
    pub content_sha256: String,
    /// When its scan started.
    pub started_at: String,
    /// The organization.
    pub organization_id: String,
    /// Whether its findings come from a re-evaluation.
    pub reevaluated: bool,
    /// The check catalogue version of its findings.
    pub catalogue_version: String,
}

/// How the two scans' scope differs; empty when it is the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScopeChange {
    /// Regions scanned only in the new snapshot.
    pub regions_added: Vec<String>,
    /// Regions scanned only in the old one.
    pub regions_removed: Vec<String>,
    /// Options that differ, as `--accounts: (all) → 111111111111`.
    pub options: Vec<String>,
}

impl ScopeChange {
    /// Whether the scope is the same.
    pub fn is_empty(&self) -> bool {
        self.regions_added.is_empty() && self.regions_removed.is_empty() && self.options.is_empty()
    }
}

/// An account that joined or left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRef {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its OU path.
    pub ou_path: String,
    /// Its status.
    pub status: String,
}

/// An account whose status or place changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountChange {
    /// Its id.
    pub id: String,
    /// Its name (new).
    pub name: String,
    /// What changed, as `status: ACTIVE → SUSPENDED`.
    pub changes: Vec<String>,
}

/// A check whose definition changed between the snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckChange {
    /// The check.
    pub id: String,
    /// Old and new logic version, when it changed.
    pub logic_version: Option<(u32, u32)>,
    /// Old and new NIST CSF 2.0 ids, when they changed.
    pub nist_csf_2: Option<(Vec<String>, Vec<String>)>,
    /// Old and new severity, when it changed.
    pub severity: Option<(Severity, Severity)>,
    /// Old and new scope, when it changed (its findings' identities change with it).
    pub scope: Option<(Scope, Scope)>,
    /// Old and new title, when it changed.
    pub title: Option<(String, String)>,
}

/// What happened to one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// FAIL now; PASS before, or the resource is new.
    Regressed,
    /// Could not be evaluated now (ERROR); it could before.
    NewlyUnknown,
    /// FAIL before; PASS now, or the failing resource is gone.
    Resolved,
    /// ERROR before; evaluated now.
    Recovered,
    /// FAIL in both.
    StillFailing,
    /// ERROR in both.
    StillUnknown,
    /// Evaluated before, out of scope or skipped now (the account left or was suspended, the
    /// Region or check was not scanned).
    NoLongerEvaluated,
    /// Out of scope or skipped before, evaluated now.
    NewlyEvaluated,
    /// A new resource that passes.
    Added,
    /// A passing resource that is gone.
    Removed,
}

impl ChangeKind {
    /// Every kind, in report order.
    pub const ALL: [ChangeKind; 10] = [
        Self::Regressed,
        Self::NewlyUnknown,
        Self::Resolved,
        Self::Recovered,
        Self::StillFailing,
        Self::StillUnknown,
        Self::NoLongerEvaluated,
        Self::NewlyEvaluated,
        Self::Added,
        Self::Removed,
    ];

    /// What it is called in reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Regressed => "regressed",
            Self::NewlyUnknown => "newly unknown",
            Self::Resolved => "resolved",
            Self::Recovered => "recovered",
            Self::StillFailing => "still failing",
            Self::StillUnknown => "still unknown",
            Self::NoLongerEvaluated => "no longer evaluated",
            Self::NewlyEvaluated => "newly evaluated",
            Self::Added => "added",
            Self::Removed => "removed",
        }
    }

    /// The kind the same finding has in the diff the other way round.
    pub fn reversed(self) -> Self {
        match self {
            Self::Regressed => Self::Resolved,
            Self::Resolved => Self::Regressed,
            Self::NewlyUnknown => Self::Recovered,
            Self::Recovered => Self::NewlyUnknown,
            Self::NoLongerEvaluated => Self::NewlyEvaluated,
            Self::NewlyEvaluated => Self::NoLongerEvaluated,
            Self::Added => Self::Removed,
            Self::Removed => Self::Added,
            same @ (Self::StillFailing | Self::StillUnknown) => same,
        }
    }
}

/// One finding's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingChange {
    /// What happened.
    pub kind: ChangeKind,
    /// The check.
    pub check: String,
    /// The account.
    pub account: String,
    /// Its name (new, else old).
    pub account_name: String,
    /// The Region, `None` for a global resource.
    pub region: Option<String>,
    /// The resource.
    pub resource: String,
    /// The check's severity (new, else old).
    pub severity: Severity,
    /// The NIST CSF 2.0 functions of the check's subcategories (`PR`, `DE`, …).
    pub functions: Vec<String>,
    /// Before.
    pub old: Side,
    /// After.
    pub new: Side,
    /// Why it changed; empty when nothing did (still failing).
    pub causes: Vec<Cause>,
}

/// A finding on one side of the diff: its status and reason, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The status, or `None` when there is no finding (see `reason`).
    pub status: Option<Status>,
    /// The finding's reason, or why there is no finding.
    pub reason: String,
    /// Whether a waiver covered it.
    pub waived: bool,
}

/// Why a finding changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum Cause {
    /// The resource or its configuration changed: newly or no longer reported, or its evidence
    /// differs.
    ResourceChanged {
        /// Which, with the evidence that changed (`MFA active: false -> true`).
        detail: String,
    },
    /// A cell became unreadable, or readable again.
    CoverageChanged {
        /// What could not be read.
        detail: String,
    },
    /// The scan covered something else: an account joined, left or changed status, a Region or
    /// check came into or went out of scope.
    ScopeChanged {
        /// What.
        detail: String,
    },
    /// The check's logic version changed.
    LogicChanged {
        /// Before.
        old: u32,
        /// After.
        new: u32,
    },
    /// The check's NIST CSF 2.0 mapping changed.
    MappingChanged,
    /// A limit the check judges with changed (`posture.toml`'s `[thresholds]`).
    ThresholdChanged {
        /// The limit's key (`access_key_max_age_days`).
        key: String,
        /// Before, in days.
        old: u32,
        /// After, in days.
        new: u32,
    },
    /// How the landing zone's parts are recognised changed (`posture.toml`'s `[landing_zone]`),
    /// for a check that judges by it.
    LandingZoneChanged {
        /// Before (`security_ous = ["/Security", "/Core"]`).
        old: String,
        /// After.
        new: String,
    },
    /// A waiver now covers it.
    WaiverStarted,
    /// Its waiver changed.
    WaiverChanged,
    /// Its waiver expired.
    WaiverExpired,
    /// Its waiver was removed before it expired.
    WaiverRemoved,
}

impl Cause {
    /// One phrase for reports.
    pub fn describe(&self) -> String {
        match self {
            Self::ResourceChanged { detail } => format!("the resource changed: {detail}"),
            Self::CoverageChanged { detail } => format!("coverage changed: {detail}"),
            Self::ScopeChanged { detail } => format!("scope changed: {detail}"),
            Self::LogicChanged { old, new } => {
                format!("the check's logic changed (version {old} → {new})")
            }
            Self::MappingChanged => "the check's framework mapping changed".into(),
            Self::ThresholdChanged { key, old, new } => {
                format!("the check's limit changed ({key}: {old} → {new} days)")
            }
            Self::LandingZoneChanged { old, new } => {
                format!("the landing zone setting changed ([landing_zone] {old} → {new})")
            }
            Self::WaiverStarted => "a waiver started".into(),
            Self::WaiverChanged => "its waiver changed".into(),
            Self::WaiverExpired => "its waiver expired".into(),
            Self::WaiverRemoved => "its waiver was removed".into(),
        }
    }
}

/// What the exit status of `posture diff` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gate {
    /// The least severity that counts (`None`: `--fail-on never`).
    pub fail_on: Option<Severity>,
    /// The regressions at or above it.
    pub regressions: usize,
    /// Whether they fail the change (exit status 1).
    pub fails: bool,
}

/// How many changes of each kind.
pub type KindCounts = BTreeMap<ChangeKind, usize>;

/// Counts of the changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Per kind.
    pub total: KindCounts,
    /// Per severity, then kind.
    pub by_severity: BTreeMap<Severity, KindCounts>,
    /// Per NIST CSF 2.0 function (a finding counts under each of its check's functions).
    pub by_function: BTreeMap<String, KindCounts>,
}

impl Changes {
    /// The findings of one kind.
    pub fn of_kind(&self, kind: ChangeKind) -> impl Iterator<Item = &FindingChange> {
        self.findings.iter().filter(move |f| f.kind == kind)
    }

    /// How many findings are of `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.summary.total.get(&kind).copied().unwrap_or(0)
    }

    /// What `posture diff --fail-on` decides: regressions at or above `fail_on` fail the change
    /// (`None`: never). Only regressions count: a FAIL that was not evaluated before (recovered
    /// from ERROR, or newly in scope) is reported but was not shown to be caused by the change.
    pub fn gate(&self, fail_on: Option<Severity>) -> Gate {
        let regressions = fail_on.map_or(0, |threshold| {
            self.of_kind(ChangeKind::Regressed)
                .filter(|f| f.severity <= threshold)
                .count()
        });
        Gate {
            fail_on,
            regressions,
            fails: regressions > 0,
        }
    }

    /// Whether nothing changed: no finding changed status and the scope, accounts and checks
    /// are the same (still failing and still unknown findings are not changes).
    pub fn is_empty(&self) -> bool {
        self.scope.is_empty()
            && self.accounts_joined.is_empty()
            && self.accounts_left.is_empty()
            && self.accounts_changed.is_empty()
            && self.checks_added.is_empty()
            && self.checks_removed.is_empty()
            && self.checks_changed.is_empty()
            && self.findings.iter().all(|f| {
                matches!(f.kind, ChangeKind::StillFailing | ChangeKind::StillUnknown)
                    && f.causes.is_empty()
            })
    }
}

/// What one side of the diff knows, indexed.
struct SideIndex<'a> {
    snapshot: &'a SnapshotSummary,
    /// (check, account, region) -> the first ERROR or SKIPPED finding of that cell, if any.
    cells: HashMap<(&'a str, &'a str, Option<&'a str>), CellState<'a>>,
    /// Its findings in identity order, for pairing them with the other side's and for telling
    /// a cell's ERROR marker from a resource ([`Self::has_findings_under`]).
    sorted: Vec<&'a Finding>,
    accounts: HashMap<&'a str, &'a crate::snapshot::AccountRecord>,
    regions: BTreeSet<&'a str>,
    checks: HashMap<&'a str, &'a CheckRecord>,
    checks_run: BTreeSet<&'a str>,
}

#[derive(Debug, Clone, Copy)]
enum CellState<'a> {
    /// The cell could not be read.
    Unknown(&'a str),
    /// The cell was not evaluated on purpose.
    Skipped(&'a str),
    /// The check failed the account as a whole (no analyzer covers it, say): its resources
    /// were not judged one by one.
    Judged(&'a str),
}

/// A finding's state on one side, explicit or derived from its cell.
#[derive(Debug, Clone)]
enum State<'a> {
    Found(&'a Finding),
    /// The cell was evaluated and has no such resource.
    Absent,
    /// The cell could not be read.
    Unknown(String),
    /// The cell was not evaluated: skipped, or out of scope.
    NotEvaluated(String),
}

impl State<'_> {
    fn class(&self) -> Class {
        match self {
            State::Found(f) => match f.status {
                Status::Pass => Class::Pass,
                Status::Fail => Class::Fail,
                Status::Error => Class::Unknown,
                Status::Skipped => Class::NotEvaluated,
            },
            State::Absent => Class::Absent,
            State::Unknown(_) => Class::Unknown,
            State::NotEvaluated(_) => Class::NotEvaluated,
        }
    }

    fn side(&self) -> Side {
        match self {
            State::Found(f) => Side {
                status: Some(f.status),
                reason: f.reason.clone(),
                waived: f.waiver.is_some(),
            },
            State::Absent => Side {
                status: None,
                reason: "no such resource".into(),
                waived: false,
            },
            State::Unknown(reason) => Side {
                status: None,
                reason: format!("not evaluated: {reason}"),
                waived: false,
            },
            State::NotEvaluated(reason) => Side {
                status: None,
                reason: format!("not evaluated: {reason}"),
                waived: false,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Pass,
    Fail,
    Unknown,
    NotEvaluated,
    Absent,
}

impl<'a> SideIndex<'a> {
    fn new(snapshot: &'a SnapshotSummary) -> Self {
        let mut cells = HashMap::default();
        for finding in &snapshot.findings {
            let region = finding.region.as_deref();
            let cell = (finding.check.as_str(), finding.account.as_str(), region);
            // Only a verdict on the cell itself says something about the cell's other
            // resources; an ERROR on one key says nothing about the next key.
            let state = match finding.status {
                _ if !is_cell_verdict(finding) => None,
                Status::Error => Some(CellState::Unknown(finding.reason.as_str())),
                Status::Skipped => Some(CellState::Skipped(finding.reason.as_str())),
                Status::Fail => Some(CellState::Judged(finding.reason.as_str())),
                Status::Pass => None,
            };
            if let Some(state) = state {
                cells.entry(cell).or_insert(state);
            }
        }
        // Snapshots store their findings sorted; others are sorted here.
        let mut sorted: Vec<&Finding> = snapshot.findings.iter().collect();
        if !sorted.is_sorted_by_key(|f| f.id()) {
            sorted.sort_by(|a, b| a.id().cmp(&b.id()));
        }
        Self {
            snapshot,
            cells,
            sorted,
            accounts: snapshot
                .accounts
                .iter()
                .map(|a| (a.id.as_str(), a))
                .collect(),
            regions: snapshot
                .scan
                .scope
                .regions
                .iter()
                .map(String::as_str)
                .collect(),
            checks: snapshot.checks.iter().map(|c| (c.id.as_str(), c)).collect(),
            checks_run: snapshot
                .scan
                .scope
                .checks
                .iter()
                .map(String::as_str)
                .collect(),
        }
    }

    /// The state of `id` on this side, where it has `found` for it.
    fn state(&self, id: FindingId<'a>, found: Option<&'a Finding>) -> State<'a> {
        if let Some(finding) = found {
            return State::Found(finding);
        }
        let (check, account, region, _) = id;
        let organization_check = self
            .checks
            .get(check)
            .is_some_and(|c| c.scope == Scope::Organization);
        if !self.checks_run.contains(check) {
            return State::NotEvaluated(format!("check {check} was not run"));
        }
        match self.accounts.get(account) {
            // Every account of the organization has a record, excluded ones included.
            None if !organization_check => {
                return State::NotEvaluated(format!(
                    "account {account} was not in the organization"
                ));
            }
            Some(record) if record.outcome == AccountOutcome::Excluded => {
                return State::NotEvaluated(format!(
                    "account {account} was excluded from the scan"
                ));
            }
            Some(record) if record.status != "ACTIVE" => {
                return State::NotEvaluated(format!("account {account} was {}", record.status));
            }
            _ => {}
        }
        if let Some(region) = region
            && !self.regions.contains(region)
        {
            return State::NotEvaluated(format!("Region {region} was not scanned"));
        }
        // The cell's own state, else the account-wide cell's (an unreachable account has one
        // ERROR per check, not one per Region).
        let cell = self
            .cells
            .get(&(check, account, region))
            .or_else(|| self.cells.get(&(check, account, None)));
        match cell {
            Some(CellState::Unknown(reason)) => State::Unknown((*reason).to_owned()),
            Some(CellState::Skipped(reason)) => State::NotEvaluated((*reason).to_owned()),
            Some(CellState::Judged(reason)) => {
                State::Unknown(format!("the account was judged as a whole: {reason}"))
            }
            None => State::Absent,
        }
    }

    /// Whether this side has findings in the cell an ERROR marker at `id` on the other side
    /// stands for (the same Region, or any Region for an account-wide marker).
    fn has_findings_under(&self, id: FindingId<'a>) -> bool {
        let (check, account, region, _) = id;
        let first = match region {
            Some(_) => self.sorted.partition_point(|f| {
                (f.check.as_str(), f.account.as_str(), f.region.as_deref())
                    < (check, account, region)
            }),
            None => self
                .sorted
                .partition_point(|f| (f.check.as_str(), f.account.as_str()) < (check, account)),
        };
        self.sorted.get(first).is_some_and(|f| {
            (f.check.as_str(), f.account.as_str()) == (check, account)
                && (region.is_none() || f.region.as_deref() == region)
        })
    }

    fn check(&self, id: &str) -> Option<&'a CheckRecord> {
        self.checks.get(id).copied()
    }
}

/// What changed from `old` to `new`.
pub fn diff(old: &SnapshotSummary, new: &SnapshotSummary) -> Changes {
    let before = SideIndex::new(old);
    let after = SideIndex::new(new);
    let rescoped = rescoped_checks(&before, &after);
    let mut findings = Vec::new();
    for (id, old_finding, new_finding) in pair_up(&before.sorted, &after.sorted) {
        let (mut was, mut is) = (before.state(id, old_finding), after.state(id, new_finding));
        // A check that now judges per Region instead of per account (or back) has other
        // identities: the old ones were not removed, nor the new ones added.
        if let Some(change) = rescoped.get(id.0) {
            for state in [&mut was, &mut is] {
                if matches!(state, State::Absent) {
                    *state = State::NotEvaluated(change.clone());
                }
            }
        }
        let Some(kind) = kind_of(was.class(), is.class()) else {
            continue;
        };
        // A cell's own verdict (resource: the account) that stands for resources the other
        // side lists one by one: an ERROR or SKIPPED (those resources are reported as unknown
        // or not evaluated), or a PASS (the resources' own changes tell the story). Reporting
        // it too would count the change twice. A FAIL on the cell is always reported.
        let stands_for_listed_cell = |f: &Finding, other: &SideIndex| {
            is_cell_verdict(f) && f.status != Status::Fail && other.has_findings_under(id)
        };
        let marker_of_listed_cell = match (&was, &is) {
            (State::Absent, State::Found(f)) => stands_for_listed_cell(f, &before),
            (State::Found(f), State::Absent) => stands_for_listed_cell(f, &after),
            _ => false,
        };
        if marker_of_listed_cell {
            continue;
        }
        findings.push(finding_change(kind, id, &was, &is, &before, &after));
    }
    findings.sort_by(|a, b| {
        (
            a.kind,
            a.severity,
            &a.check,
            &a.account,
            &a.region,
            &a.resource,
        )
            .cmp(&(
                b.kind,
                b.severity,
                &b.check,
                &b.account,
                &b.region,
                &b.resource,
            ))
    });

    let (accounts_joined, accounts_left, accounts_changed) = account_changes(old, new);
    let (checks_added, checks_removed, checks_changed) = check_changes(&before, &after);
    let summary = summarize(&findings);
    Changes {
        old: snapshot_ref(old),
        new: snapshot_ref(new),
        scope: scope_change(old, new),
        accounts_joined,
        accounts_left,
        accounts_changed,
        checks_added,
        checks_removed,
        checks_changed,
        findings,
        summary,
    }
}

/// The checks whose scope differs between the two sides, with a phrase saying how.
fn rescoped_checks<'a>(before: &SideIndex<'a>, after: &SideIndex<'a>) -> HashMap<&'a str, String> {
    after
        .checks
        .iter()
        .filter_map(|(id, new)| {
            let old = before.checks.get(id)?;
            (old.scope != new.scope).then(|| {
                (
                    *id,
                    format!(
                        "check {id}'s scope changed ({} → {})",
                        scope_name(old.scope),
                        scope_name(new.scope)
                    ),
                )
            })
        })
        .collect()
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Organization => "organization",
        Scope::Account => "account",
        Scope::Region => "region",
    }
}

/// Whether a finding is a verdict on a whole cell (its resource is the account) rather than on
/// one resource in it.
fn is_cell_verdict(finding: &Finding) -> bool {
    finding.resource == finding.account
}

/// Every identity of either side with its finding on each, in identity order: a merge of the two
/// sides' findings, each sorted by identity.
fn pair_up<'a>(
    old: &[&'a Finding],
    new: &[&'a Finding],
) -> Vec<(FindingId<'a>, Option<&'a Finding>, Option<&'a Finding>)> {
    let mut pairs = Vec::with_capacity(old.len().max(new.len()));
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => a.id().cmp(&b.id()),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, _) => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                pairs.push((old[i].id(), Some(old[i]), None));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                pairs.push((new[j].id(), None, Some(new[j])));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                pairs.push((old[i].id(), Some(old[i]), Some(new[j])));
                i += 1;
                j += 1;
            }
        }
    }
    pairs
}

/// The kind of a transition, `None` when it is no change worth a line (PASS in both, or not
/// evaluated in both).
fn kind_of(was: Class, is: Class) -> Option<ChangeKind> {
    use Class::*;
    Some(match (was, is) {
        (Pass | Absent, Fail) => ChangeKind::Regressed,
        (Fail, Pass | Absent) => ChangeKind::Resolved,
        (Fail, Fail) => ChangeKind::StillFailing,
        (Pass | Fail | Absent, Unknown) => ChangeKind::NewlyUnknown,
        (Unknown, Pass | Fail | Absent) => ChangeKind::Recovered,
        (Unknown, Unknown) => ChangeKind::StillUnknown,
        (Pass | Fail | Unknown, NotEvaluated) => ChangeKind::NoLongerEvaluated,
        (NotEvaluated, Pass | Fail | Unknown) => ChangeKind::NewlyEvaluated,
        (Absent, Pass) => ChangeKind::Added,
        (Pass, Absent) => ChangeKind::Removed,
        (Pass, Pass) | (NotEvaluated, NotEvaluated | Absent) | (Absent, NotEvaluated | Absent) => {
            return None;
        }
    })
}

fn finding_change(
    kind: ChangeKind,
    id: FindingId,
    was: &State,
    is: &State,
    before: &SideIndex,
    after: &SideIndex,
) -> FindingChange {
    let (check, account, region, resource) = id;
    let old_check = before.check(check);
    let new_check = after.check(check);
    let meta = new_check.or(old_check);
    let account_name = after
        .accounts
        .get(account)
        .or_else(|| before.accounts.get(account))
        .map(|a| a.name.clone())
        .unwrap_or_default();
    FindingChange {
        kind,
        check: check.to_owned(),
        account: account.to_owned(),
        account_name,
        region: region.map(str::to_owned),
        resource: resource.to_owned(),
        severity: meta.map_or(Severity::Low, |c| c.severity),
        functions: meta.map(functions).unwrap_or_default(),
        old: was.side(),
        new: is.side(),
        causes: causes(kind, (check, resource), was, is, before, after),
    }
}

/// Why a finding changed, most telling first.
fn causes(
    kind: ChangeKind,
    (check, resource): (&str, &str),
    was: &State,
    is: &State,
    before: &SideIndex,
    after: &SideIndex,
) -> Vec<Cause> {
    let (old_check, new_check) = (before.check(check), after.check(check));
    let mut causes = Vec::new();
    match kind {
        ChangeKind::NewlyUnknown => causes.push(Cause::CoverageChanged {
            detail: unknown_detail(is),
        }),
        ChangeKind::Recovered => causes.push(Cause::CoverageChanged {
            detail: format!("readable again (was: {})", unknown_detail(was)),
        }),
        ChangeKind::NoLongerEvaluated => causes.push(Cause::ScopeChanged {
            detail: not_evaluated_detail(is),
        }),
        ChangeKind::NewlyEvaluated => causes.push(Cause::ScopeChanged {
            detail: format!("now evaluated (was: {})", not_evaluated_detail(was)),
        }),
        ChangeKind::Regressed
        | ChangeKind::Resolved
        | ChangeKind::Added
        | ChangeKind::Removed
        | ChangeKind::StillFailing
        | ChangeKind::StillUnknown => {}
    }
    if let (Some(old), Some(new)) = (old_check, new_check) {
        if old.logic_version != new.logic_version {
            causes.push(Cause::LogicChanged {
                old: old.logic_version,
                new: new.logic_version,
            });
        }
        if old.mappings.nist_csf_2 != new.mappings.nist_csf_2 {
            causes.push(Cause::MappingChanged);
        }
    }
    let (old_limits, new_limits) = (
        before.snapshot.scan.thresholds.limits(),
        after.snapshot.scan.thresholds.limits(),
    );
    for (old, new) in old_limits.iter().zip(&new_limits) {
        if old.check == check && old.days != new.days {
            causes.push(Cause::ThresholdChanged {
                key: old.key.to_owned(),
                old: old.days,
                new: new.days,
            });
        }
    }
    let (old_zone, new_zone) = (
        &before.snapshot.scan.landing_zone,
        &after.snapshot.scan.landing_zone,
    );
    if old_zone != new_zone && LandingZone::FINDINGS.contains(&(check, resource)) {
        causes.push(Cause::LandingZoneChanged {
            old: old_zone.describe(),
            new: new_zone.describe(),
        });
    }
    // A verdict that changed is put down to the resource unless the rule changed and the
    // evidence did not; a verdict that stayed the same has no cause of its own.
    let verdict_changed = matches!(
        kind,
        ChangeKind::Regressed | ChangeKind::Resolved | ChangeKind::Added | ChangeKind::Removed
    );
    let evidence_changed = match (was, is) {
        (State::Found(a), State::Found(b)) => {
            // What the setting decides is not the resource's doing when the setting changed.
            let decided: &[&str] = if old_zone == new_zone {
                &[]
            } else {
                LandingZone::DECIDES
            };
            changed_evidence(&a.evidence, &b.evidence, decided)
        }
        (State::Absent, _) => Some("newly reported".to_owned()),
        (_, State::Absent) => Some("no longer reported".to_owned()),
        _ => None,
    };
    let rule_changed = causes.iter().any(|c| {
        matches!(
            c,
            Cause::LogicChanged { .. }
                | Cause::ThresholdChanged { .. }
                | Cause::LandingZoneChanged { .. }
        )
    });
    if verdict_changed && (evidence_changed.is_some() || !rule_changed) {
        let detail = evidence_changed.unwrap_or_else(|| "its evidence is the same".to_owned());
        causes.insert(0, Cause::ResourceChanged { detail });
    }
    if let Some(cause) = waiver_cause(was, is, &after.snapshot.scan.finished_at) {
        causes.push(cause);
    }
    causes
}

/// The evidence that changed, as `label: old -> new` (labels that only say when the facts were
/// read or judged, or the limit they were judged against, left out: those are not the
/// resource's); `None` when nothing did.
fn changed_evidence(a: &Evidence, b: &Evidence, decided: &[&str]) -> Option<String> {
    let labels: BTreeSet<&str> = a.keys().chain(b.keys()).collect();
    let limit_labels = Thresholds::default().limits().map(|l| l.evidence_label);
    let changes: Vec<String> = labels
        .into_iter()
        .filter(|label| ![EVALUATED_AT, REPORT_GENERATED, USERS_READ_LIVE].contains(label))
        .filter(|label| !limit_labels.contains(label) && *label != LandingZone::EVIDENCE_LABEL)
        .filter(|label| !decided.contains(label))
        .filter_map(|label| {
            let (x, y) = (a.get(label), b.get(label));
            (x != y).then(|| {
                format!(
                    "{label}: {} → {}",
                    x.unwrap_or("(none)"),
                    y.unwrap_or("(none)")
                )
            })
        })
        .collect();
    (!changes.is_empty()).then(|| changes.join("; "))
}

fn waiver_cause(was: &State, is: &State, now: &str) -> Option<Cause> {
    let waiver = |state: &State| -> Option<Box<Waiver>> {
        match state {
            State::Found(f) => f.waiver.clone(),
            _ => None,
        }
    };
    match (waiver(was), waiver(is)) {
        (None, Some(_)) => Some(Cause::WaiverStarted),
        (Some(old), None) if old.expired_at(now) => Some(Cause::WaiverExpired),
        (Some(_), None) => Some(Cause::WaiverRemoved),
        (Some(old), Some(new)) if old != new => Some(Cause::WaiverChanged),
        _ => None,
    }
}

fn unknown_detail(state: &State) -> String {
    match state {
        State::Found(f) => f.reason.clone(),
        State::Unknown(reason) => reason.clone(),
        State::Absent | State::NotEvaluated(_) => String::new(),
    }
}

fn not_evaluated_detail(state: &State) -> String {
    match state {
        State::Found(f) => f.reason.clone(),
        State::NotEvaluated(reason) => reason.clone(),
        State::Absent | State::Unknown(_) => String::new(),
    }
}

/// The NIST CSF 2.0 functions a check gives evidence for, in the framework's order.
fn functions(check: &CheckRecord) -> Vec<String> {
    CSF_FUNCTIONS
        .iter()
        .filter(|f| {
            check
                .mappings
                .nist_csf_2
                .iter()
                .any(|id| id.split('.').next() == Some(**f))
        })
        .map(|f| (*f).to_owned())
        .collect()
}

/// Counts with every kind, severity and function present, zeros included, so a reader of the
/// JSON never has to tell a missing key from a zero.
fn summarize(findings: &[FindingChange]) -> Summary {
    let zeros: KindCounts = ChangeKind::ALL.iter().map(|k| (*k, 0)).collect();
    let mut summary = Summary {
        total: zeros.clone(),
        by_severity: [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ]
        .into_iter()
        .map(|s| (s, zeros.clone()))
        .collect(),
        by_function: CSF_FUNCTIONS
            .iter()
            .map(|f| ((*f).to_owned(), zeros.clone()))
            .collect(),
    };
    for finding in findings {
        *summary.total.entry(finding.kind).or_default() += 1;
        *summary
            .by_severity
            .entry(finding.severity)
            .or_default()
            .entry(finding.kind)
            .or_default() += 1;
        for function in &finding.functions {
            *summary
                .by_function
                .entry(function.clone())
                .or_default()
                .entry(finding.kind)
                .or_default() += 1;
        }
    }
    summary
}

fn snapshot_ref(snapshot: &SnapshotSummary) -> SnapshotRef {
    SnapshotRef {
        file: snapshot.integrity.file.clone(),
        content_sha256: snapshot.integrity.content_sha256.clone(),
        started_at: snapshot.scan.started_at.clone(),
        organization_id: snapshot.scan.organization_id.clone(),
        reevaluated: snapshot.reevaluation.is_some(),
        catalogue_version: snapshot.findings_catalogue_version().to_owned(),
    }
}

fn scope_change(old: &SnapshotSummary, new: &SnapshotSummary) -> ScopeChange {
    let (a, b) = (&old.scan.scope, &new.scan.scope);
    let minus = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter().filter(|r| !y.contains(r)).cloned().collect()
    };
    let list = |items: &[String]| {
        if items.is_empty() {
            "(all)".to_owned()
        } else {
            items.join(",")
        }
    };
    let mut options = Vec::new();
    for (flag, x, y) in [
        ("--accounts", &a.accounts, &b.accounts),
        (
            "--exclude-accounts",
            &a.exclude_accounts,
            &b.exclude_accounts,
        ),
        ("--ous", &a.ous, &b.ous),
    ] {
        if x != y {
            options.push(format!("{flag}: {} → {}", list(x), list(y)));
        }
    }
    if a.role_name != b.role_name {
        options.push(format!("--role-name: {} → {}", a.role_name, b.role_name));
    }
    // Not scope, but a change of what the findings were judged against, listed with it so that
    // every report that shows the scope shows it too.
    let limits = |s: &SnapshotSummary| s.scan.thresholds.limits();
    for (x, y) in limits(old).iter().zip(&limits(new)) {
        if x.days != y.days {
            options.push(format!(
                "[thresholds] {}: {} → {} days",
                x.key, x.days, y.days
            ));
        }
    }
    let (x, y) = (&old.scan.landing_zone, &new.scan.landing_zone);
    if x != y {
        options.push(format!(
            "[landing_zone] {} → {}",
            x.describe(),
            y.describe()
        ));
    }
    ScopeChange {
        regions_added: minus(&b.regions, &a.regions),
        regions_removed: minus(&a.regions, &b.regions),
        options,
    }
}

fn account_changes(
    old: &SnapshotSummary,
    new: &SnapshotSummary,
) -> (Vec<AccountRef>, Vec<AccountRef>, Vec<AccountChange>) {
    let reference = |a: &crate::snapshot::AccountRecord| AccountRef {
        id: a.id.clone(),
        name: a.name.clone(),
        ou_path: a.ou_path.clone(),
        status: a.status.clone(),
    };
    let old_by_id: HashMap<&str, _> = old.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let new_by_id: HashMap<&str, _> = new.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let joined = new
        .accounts
        .iter()
        .filter(|a| !old_by_id.contains_key(a.id.as_str()))
        .map(reference)
        .collect();
    let left = old
        .accounts
        .iter()
        .filter(|a| !new_by_id.contains_key(a.id.as_str()))
        .map(reference)
        .collect();
    let changed = new
        .accounts
        .iter()
        .filter_map(|b| {
            let a = old_by_id.get(b.id.as_str())?;
            let mut changes = Vec::new();
            for (what, x, y) in [
                ("status", &a.status, &b.status),
                ("OU", &a.ou_path, &b.ou_path),
                ("name", &a.name, &b.name),
            ] {
                if x != y {
                    changes.push(format!("{what}: {x} → {y}"));
                }
            }
            (!changes.is_empty()).then(|| AccountChange {
                id: b.id.clone(),
                name: b.name.clone(),
                changes,
            })
        })
        .collect();
    (joined, left, changed)
}

fn check_changes(
    before: &SideIndex,
    after: &SideIndex,
) -> (Vec<String>, Vec<String>, Vec<CheckChange>) {
    let added = after
        .checks_run
        .difference(&before.checks_run)
        .map(|c| (*c).to_owned())
        .collect();
    let removed = before
        .checks_run
        .difference(&after.checks_run)
        .map(|c| (*c).to_owned())
        .collect();
    let changed = after
        .checks_run
        .intersection(&before.checks_run)
        .filter_map(|id| {
            let (a, b) = (before.check(id)?, after.check(id)?);
            let change = CheckChange {
                id: (*id).to_owned(),
                logic_version: (a.logic_version != b.logic_version)
                    .then_some((a.logic_version, b.logic_version)),
                nist_csf_2: (a.mappings.nist_csf_2 != b.mappings.nist_csf_2)
                    .then(|| (a.mappings.nist_csf_2.clone(), b.mappings.nist_csf_2.clone())),
                severity: (a.severity != b.severity).then_some((a.severity, b.severity)),
                scope: (a.scope != b.scope).then_some((a.scope, b.scope)),
                title: (a.title != b.title).then(|| (a.title.clone(), b.title.clone())),
            };
            (change.logic_version.is_some()
                || change.nist_csf_2.is_some()
                || change.severity.is_some()
                || change.scope.is_some()
                || change.title.is_some())
            .then_some(change)
        })
        .collect();
    (added, removed, changed)
}
#[cfg(test)]
mod tests;
