//! `posture publish`: the plan of a dry run, file by file, or the summary of a publish.

use std::io::{self, Write};

use crate::publish::{KeepReason, PublishReport};
use crate::text::plural;

/// A size for people: `812.3 kB`, `12.4 MB`.
fn size(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

/// What a publish did; with `--dry-run`, every upload (with its reason) and delete it would do.
pub(crate) fn published(report: &PublishReport) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let plan = &report.plan;
    if report.dry_run {
        for upload in &plan.uploads {
            writeln!(
                out,
                "would upload {} ({}, {})",
                upload.file.relative,
                upload.reason,
                size(upload.file.size)
            )?;
        }
        for delete in &plan.deletes {
            writeln!(out, "would delete {delete}")?;
        }
        writeln!(
            out,
            "dry run of {}: {} to upload ({}), {} unchanged, {} to delete; nothing was changed",
            report.location,
            plural(plan.uploads.len(), "file"),
            size(plan.upload_bytes()),
            plan.unchanged.len(),
            plan.deletes.len(),
        )?;
    } else {
        writeln!(
            out,
            "published {}: {} uploaded ({}), {} unchanged, {} deleted in {:.1} s",
            report.location,
            plural(plan.uploads.len(), "file"),
            size(plan.upload_bytes()),
            plan.unchanged.len(),
            plan.deletes.len(),
            report.elapsed.as_secs_f64(),
        )?;
    }
    let kept = |reason| plan.kept.iter().filter(|k| k.reason == reason).count();
    let (no_delete, versions) = (kept(KeepReason::NoDelete), kept(KeepReason::Version));
    if no_delete > 0 {
        writeln!(
            out,
            "kept {} the site no longer has (--delete removes them)",
            plural(no_delete, "object")
        )?;
    }
    if versions > 0 {
        writeln!(
            out,
            "kept {} of versions and assets the site no longer has (--prune-versions removes them)",
            plural(versions, "object")
        )?;
    }
    if let Some(url) = &report.url {
        writeln!(out, "open {url}")?;
    }
    Ok(())
}
