//! `posture diff`: which two snapshots to compare, and the changes between them.

use std::path::PathBuf;

use tracing::warn;

use crate::Completion;
use crate::cli::{DiffArgs, FailOn};
use crate::diff::diff as compare;
use crate::evaluate::Severity;
use crate::output::{self, ListOptions};
use crate::snapshot::{SnapshotSummary, Store};

use super::file_name;

/// `posture diff`: compare two snapshots, print the changes, exit 1 on regressions.
pub(super) fn diff(args: &DiffArgs) -> anyhow::Result<Completion> {
    let store = Store::new(&args.store.snapshots_dir);
    let ((old, old_summary), (new, new_summary)) = diff_pair(&store, args)?;
    let (a, b) = (
        &old_summary.scan.organization_id,
        &new_summary.scan.organization_id,
    );
    if a != b && !args.force {
        anyhow::bail!(
            "{} is of organization {a}, {} of organization {b}: their findings are not comparable; pass --force to compare them anyway",
            old.display(),
            new.display()
        );
    }
    if new_summary.scan.started_at < old_summary.scan.started_at && !args.force {
        anyhow::bail!(
            "{} (scan of {}) is older than {} (scan of {}): the diff would run backwards in time; give them the other way round, or pass --force",
            new.display(),
            new_summary.scan.started_at,
            old.display(),
            old_summary.scan.started_at
        );
    }
    for (path, summary) in [(&old, &old_summary), (&new, &new_summary)] {
        if file_name(path) != summary.integrity.file {
            warn!(
                "{} was written as {}: it was renamed or copied; `posture verify` checks the store",
                path.display(),
                summary.integrity.file
            );
        }
    }
    let mut changes = compare(&old_summary, &new_summary);
    // Say which files were read, whatever they were once called.
    changes.old.file = file_name(&old);
    changes.new.file = file_name(&new);
    let gate = changes.gate(match args.fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Never => None,
    });
    let printed = if args.json {
        output::diff_json(&changes, &gate)
    } else if args.markdown {
        output::diff_markdown(
            &changes,
            &gate,
            &ListOptions {
                limit: args.limit,
                all: args.all,
            },
        )
    } else {
        output::diff_table(
            &changes,
            &gate,
            &ListOptions {
                limit: args.limit,
                all: args.all,
            },
        )
    };
    match printed {
        // A reader that stopped early (`| head`) does not change the answer.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(if gate.fails {
        Completion::Bad
    } else {
        Completion::Done
    })
}

/// The two snapshots `diff` compares, read: the two named; the one named and the newest; or
/// by default the newest and the scan before it. A re-evaluation is compared with the snapshot
/// it re-evaluated, and a scan never with a re-evaluation, whose facts are older than they look.
pub(super) fn diff_pair(
    store: &Store,
    args: &DiffArgs,
) -> anyhow::Result<((PathBuf, SnapshotSummary), (PathBuf, SnapshotSummary))> {
    let read = |path: PathBuf| -> anyhow::Result<(PathBuf, SnapshotSummary)> {
        let summary = store.read_summary(&path)?;
        Ok((path, summary))
    };
    // Read at once: on two cores that halves the wait for large snapshots.
    let read_both = |old: PathBuf, new: PathBuf| {
        std::thread::scope(|scope| {
            let old_read = scope.spawn(|| read(old));
            let new = read(new)?;
            let old = old_read
                .join()
                .map_err(|_| anyhow::anyhow!("reading the older snapshot panicked"))??;
            Ok((old, new))
        })
    };
    match (&args.old, &args.new) {
        (Some(old), Some(new)) => {
            let (old, new) = (store.resolve(old)?, store.resolve(new)?);
            if same_file(&old, &new) {
                anyhow::bail!(
                    "OLD and NEW are the same file, {}: a snapshot compared with itself shows no change; name two different snapshots (without them, the newest is compared with the scan before it)",
                    new.display()
                );
            }
            let (old, new) = read_both(old, new)?;
            if old.1.integrity.content_sha256 == new.1.integrity.content_sha256 {
                anyhow::bail!(
                    "{} and {} hold the same snapshot (sha256 {}): one is a copy of the other, so the diff would show no change; name two different snapshots",
                    old.0.display(),
                    new.0.display(),
                    new.1.integrity.content_sha256
                );
            }
            Ok((old, new))
        }
        (Some(old), None) => {
            let old = store.resolve(old)?;
            let newest = store.newest(1)?.remove(0).path;
            if same_file(&old, &newest) {
                anyhow::bail!(
                    "{} is the newest snapshot: name a NEW to compare it with, or an older OLD",
                    old.display()
                );
            }
            read_both(old, newest)
        }
        (None, _) => {
            let all = store.newest(2).map(|_| store.list())??;
            let (newest, older) = all.split_last().expect("two or more");
            let is_reevaluation = |name: &str| name.contains(REEVALUATED_MARK);
            if is_reevaluation(&newest.name) {
                let new = read(newest.path.clone())?;
                let source = new.1.reevaluation.as_ref().map(|r| r.source_file.as_str());
                if let Some(source) = older.iter().find(|s| Some(s.name.as_str()) == source) {
                    return Ok((read(source.path.clone())?, new));
                }
            }
            let Some(previous) = older.iter().rev().find(|s| !is_reevaluation(&s.name)) else {
                anyhow::bail!(
                    "no scan before {} in {}: name the two snapshots to compare",
                    newest.name,
                    store.dir().display()
                );
            };
            read_both(previous.path.clone(), newest.path.clone())
        }
    }
}

/// Whether two paths name one file, however spelt (`x.json`, `./x.json`, a symbolic link,
/// the name in the store and the path to it).
pub(super) fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// What marks a re-evaluation's file name (`…-reevaluated.json`).
pub(super) const REEVALUATED_MARK: &str = "-reevaluated.";
