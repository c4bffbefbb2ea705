//! The changes pages, and the change summary the overview shows: the diff against the version
//! before, kind by kind.

use serde::Serialize;

use super::{
    AccountLink, CheckLink, Pager, ROWS_PER_PAGE, VersionModel, WORST, check_href, paginate,
};
use crate::diff::{ChangeKind, Changes};
use crate::finding::Status;
use crate::render::badges::Badge;

impl<'a> VersionModel<'a> {
    /// An account's name, for the changes page.
    pub fn name_of(&self, id: &str) -> String {
        self.account_name(id)
    }
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
    pub(super) fn summary(&self, model: &VersionModel<'_>) -> ChangeSummary {
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
