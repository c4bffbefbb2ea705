//! Everything posture shows the user: results on stdout, and the one final error line on stderr.
//!
//! The only module that writes to stdout (`println!` and friends are disallowed elsewhere by
//! `clippy.toml`, after cargo-deny), so that results stay machine-readable and progress and logs
//! (tracing, on stderr) never mix into them. It formats typed values it is given; it decides
//! nothing. Writes return `io::Result` so a closed pipe (`posture … | head`) ends the command
//! quietly instead of panicking.

mod changes;
mod checks;
mod publish;

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use crate::evaluate::Thresholds;
use crate::evaluate::waivers::{WaiverOutcome, WaiverRecord};
use crate::finding::Status;
use crate::sandbox::{RunningSandbox, Sandbox, SandboxStatus, StopOutcome};
use crate::snapshot::{AccountOutcome, Snapshot, Verification};

pub(crate) use changes::{ListOptions, diff_json, diff_markdown, diff_table, printable};
pub(crate) use checks::{check_detail, checks_table, coverage, json};
pub(crate) use publish::published;

/// Prints the error chain once, as one line on stderr: `posture: outer: inner: root cause`. Causes
/// that span lines (the SDK lists every credential provider it tried) are folded into that line.
pub fn report_error(err: &anyhow::Error) {
    let text = format!("{err:#}");
    let line = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    // Nothing sensible is left to do if stderr is gone.
    let _ = writeln!(io::stderr().lock(), "posture: {line}");
}

/// `sandbox start` (and the first lines of `demo`): where the sandbox is and how to stop it.
pub(crate) fn sandbox_running(sandbox: &Sandbox, running: &RunningSandbox) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match running.ready_after {
        Some(took) => writeln!(
            out,
            "started the sandbox at {} (pid {}), ready in {}",
            running.endpoint,
            running.pid,
            seconds(took)
        )?,
        None => writeln!(
            out,
            "the sandbox is already running at {} (pid {}); reusing it",
            running.endpoint, running.pid
        )?,
    }
    writeln!(out, "  state file: {}", running.state_file.display())?;
    writeln!(out, "  log:        {}", sandbox.log_file().display())?;
    writeln!(out, "  stop it with `posture sandbox stop`")
}

/// `sandbox status`.
pub(crate) fn sandbox_status(sandbox: &Sandbox, status: &SandboxStatus) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match status {
        SandboxStatus::NotRunning => writeln!(
            out,
            "no sandbox is running (no {}); start one with `posture sandbox start`",
            sandbox.state_file().display()
        ),
        SandboxStatus::Running(running) => {
            writeln!(out, "endpoint:   {}", running.endpoint)?;
            writeln!(out, "pid:        {}", running.pid)?;
            writeln!(out, "answering:  yes")?;
            writeln!(out, "state file: {}", running.state_file.display())
        }
        SandboxStatus::NotAnswering {
            endpoint,
            pid,
            process_alive,
            state_file,
        } => {
            writeln!(out, "endpoint:   {endpoint}")?;
            let alive = if *process_alive {
                "running"
            } else {
                "not running"
            };
            writeln!(out, "pid:        {pid} ({alive})")?;
            writeln!(out, "answering:  no")?;
            writeln!(out, "state file: {}", state_file.display())?;
            writeln!(
                out,
                "`posture sandbox stop` cleans up, `posture sandbox start` starts a new one; its log is {}",
                sandbox.log_file().display()
            )
        }
    }
}

/// `sandbox stop`.
pub(crate) fn sandbox_stopped(outcome: &StopOutcome) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match outcome {
        StopOutcome::NotRunning => writeln!(out, "no sandbox was running"),
        StopOutcome::Stopped { pid, killed: false } => {
            writeln!(out, "stopped the sandbox (pid {pid})")
        }
        StopOutcome::Stopped { pid, killed: true } => writeln!(
            out,
            "killed the sandbox (pid {pid}); it did not stop within 10 s of SIGTERM"
        ),
        StopOutcome::StaleStateRemoved { pid } => writeln!(
            out,
            "no sandbox was running (pid {pid} of the state file is gone); removed the stale state file"
        ),
    }
}

/// `sandbox seed`.
pub(crate) fn seeded(description: &Path) -> io::Result<()> {
    writeln!(
        io::stdout().lock(),
        "seeded the sandbox organization; its description is {}",
        description.display()
    )
}

/// `sandbox change`.
pub(crate) fn changed(description: &Path) -> io::Result<()> {
    writeln!(
        io::stdout().lock(),
        "applied the change step to the sandbox organization described in {}",
        description.display()
    )
}

/// The end of `demo`: what is there and how to go on.
pub(crate) fn demo_summary(
    running: &RunningSandbox,
    description: &Path,
    before: &Path,
    after: &Path,
    site: &Path,
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out)?;
    writeln!(out, "the demo is done")?;
    writeln!(out, "  sandbox:          {}", running.endpoint)?;
    writeln!(out, "  organization:     {}", description.display())?;
    writeln!(out, "  snapshot before:  {}", before.display())?;
    writeln!(out, "  snapshot after:   {}", after.display())?;
    let store = after.parent().unwrap_or(Path::new("."));
    writeln!(
        out,
        "  compare them:     posture diff --snapshots-dir {} --markdown",
        store.display()
    )?;
    writeln!(
        out,
        "  verify them:      posture verify --snapshots-dir {}",
        store.display()
    )?;
    writeln!(
        out,
        "  see the site:     posture serve --out {}   (or open the file below)",
        site.parent().unwrap_or(Path::new(".")).display()
    )?;
    writeln!(out, "  stop the sandbox with `posture sandbox stop`")?;
    writeln!(out, "{}", absolute(site).display())
}

/// A path made absolute against the working directory, for a line a reader can open.
fn absolute(path: &Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// The end of `posture render`: what was written, the chain's state, and where to open it.
pub(crate) fn rendered(report: &crate::render::RenderReport) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "rendered {} of {} ({} written, {:.1} MB)",
        plural(report.rendered.len(), "new version"),
        plural(report.versions, "version"),
        plural(report.files_written, "file"),
        report.bytes_written as f64 / 1e6
    )?;
    if let Some((path, bytes)) = &report.largest_page {
        writeln!(
            out,
            "largest page: {} ({:.0} kB)",
            path.display(),
            *bytes as f64 / 1e3
        )?;
    }
    writeln!(
        out,
        "snapshot chain: {}",
        if report.chain_intact {
            "intact"
        } else {
            "BROKEN (see the history page, or run `posture verify`)"
        }
    )?;
    writeln!(out, "{}", absolute(&report.index).display())
}

/// `posture serve`.
pub(crate) fn serving(dir: &Path, url: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "serving {} at {url} (Ctrl-C stops it)", dir.display())?;
    out.flush()
}

/// A heading between the demo's steps.
pub(crate) fn demo_step(step: &str) -> io::Result<()> {
    writeln!(io::stdout().lock(), "\n== {step}")
}

/// `1.23 s`.
fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// The end of `posture scan`: accounts by outcome, verdicts per check, the configuration file
/// and thresholds it judged with, where the snapshot is.
pub(crate) fn scan_summary(
    snapshot: &Snapshot,
    path: &Path,
    config_file: Option<&Path>,
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let count = |outcome: AccountOutcome| {
        snapshot
            .accounts
            .iter()
            .filter(|a| a.outcome == outcome)
            .count()
    };
    writeln!(
        out,
        "scanned {} accounts in {} Regions: {} complete, {} with errors, {} unreachable, {} skipped, {} excluded",
        snapshot.accounts.len() - count(AccountOutcome::Skipped) - count(AccountOutcome::Excluded),
        snapshot.scan.scope.regions.len(),
        count(AccountOutcome::Scanned),
        count(AccountOutcome::ScannedWithErrors),
        count(AccountOutcome::Unreachable),
        count(AccountOutcome::Skipped),
        count(AccountOutcome::Excluded),
    )?;
    writeln!(out)?;
    // WAIVED (failing findings an accepted risk covers, counted in FAIL too) only when the
    // configuration has waivers.
    let waivers = !snapshot.scan.waivers.is_empty();
    let waived_header = if waivers { "  WAIVED" } else { "" };
    writeln!(
        out,
        "{:<34} {:>6} {:>6}{waived_header} {:>6} {:>8}",
        "check", "PASS", "FAIL", "ERROR", "SKIPPED"
    )?;
    for check in &snapshot.scan.scope.checks {
        let of_check = || snapshot.findings.iter().filter(|f| f.check == check);
        let tally = |status: Status| of_check().filter(|f| f.status == status).count();
        let waived = if waivers {
            format!(
                " {:>7}",
                of_check()
                    .filter(|f| f.status == Status::Fail && f.waiver.is_some())
                    .count()
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:<34} {:>6} {:>6}{waived} {:>6} {:>8}",
            check,
            tally(Status::Pass),
            tally(Status::Fail),
            tally(Status::Error),
            tally(Status::Skipped)
        )?;
    }
    for account in snapshot.accounts.iter().filter(|a| !a.errors.is_empty()) {
        for err in &account.errors {
            writeln!(
                out,
                "error: {} ({}): {}:{}{} {}: {}",
                account.id,
                account.name,
                err.service,
                err.action,
                err.region
                    .as_deref()
                    .map(|r| format!(" in {r}"))
                    .unwrap_or_default(),
                err.code.as_deref().unwrap_or("no code"),
                printable(&err.message)
            )?;
        }
    }
    writeln!(out)?;
    match config_file {
        Some(file) => writeln!(out, "configuration: {}", file.display())?,
        None => writeln!(out, "configuration: none (defaults and flags)")?,
    }
    writeln!(out, "thresholds: {}", thresholds(&snapshot.scan.thresholds))?;
    if waivers {
        writeln!(out, "waivers: {}", waiver_summary(&snapshot.scan.waivers))?;
    }
    writeln!(out, "snapshot: {}", path.display())?;
    writeln!(out, "  sha256:  {}", snapshot.content_sha256())
}

/// What the waivers did, in one line: `2 applied (5 failing findings), 1 expired, 1 matched
/// nothing`.
fn waiver_summary(records: &[WaiverRecord]) -> String {
    let (mut applied, mut findings, mut expired, mut unmatched) = (0, 0, 0, 0);
    for record in records {
        match record.outcome {
            WaiverOutcome::Applied { findings: n } => {
                applied += 1;
                findings += n;
            }
            WaiverOutcome::Expired { .. } => expired += 1,
            WaiverOutcome::Unmatched { .. } => unmatched += 1,
        }
    }
    format!(
        "{applied} applied ({}), {expired} expired, {unmatched} matched nothing",
        plural(findings, "failing finding")
    )
}

/// Warns on standard error of every waiver that expired or matched nothing, whatever `--quiet`
/// says: an accepted risk that silently stopped applying is what an auditor must hear about.
pub(crate) fn waiver_warnings(snapshot: &Snapshot) {
    let mut err = io::stderr().lock();
    for warning in snapshot
        .scan
        .waivers
        .iter()
        .filter_map(WaiverRecord::warning)
    {
        let _ = writeln!(err, "warning: {}", printable(&warning));
    }
}

/// Every limit as `key = days`, comma-separated.
fn thresholds(thresholds: &Thresholds) -> String {
    thresholds
        .limits()
        .iter()
        .map(|l| format!("{} = {}", l.key, l.days))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `posture verify`: every problem, the first named first, or the chain's head.
pub(crate) fn verification(dir: &Path, verification: &Verification) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for name in &verification.ignored {
        writeln!(out, "ignored: {name} (not named like a snapshot)")?;
    }
    for entry in &verification.odd {
        writeln!(out, "ignored: {entry}, not a regular file (never opened)")?;
    }
    for name in &verification.temporary {
        writeln!(
            out,
            "ignored: {name} (left by an interrupted write; the next scan removes it)"
        )?;
    }
    if let Some(first) = verification.problems.first() {
        writeln!(
            out,
            "NOT INTACT: {} in the store {} of {}",
            plural(verification.problems.len(), "problem"),
            dir.display(),
            plural(verification.files.len(), "snapshot"),
        )?;
        writeln!(out, "first: {first}")?;
        for problem in &verification.problems[1..] {
            writeln!(out, "also:  {problem}")?;
        }
        return Ok(());
    }
    for newer in &verification.newer {
        writeln!(out, "not checked: {newer}")?;
    }
    match verification.head() {
        // Nothing may claim the whole store when part of it could not be checked.
        Some(_) if !verification.newer.is_empty() => writeln!(
            out,
            "incomplete: {} of {} in {} checked, each matches its content hash and follows the one before it; {} not checked (written by a newer posture)",
            verification.files.len() - verification.newer.len(),
            plural(verification.files.len(), "snapshot"),
            dir.display(),
            verification.newer.len()
        ),
        Some((name, hash)) => {
            writeln!(
                out,
                "intact: {} in {}, each matches its content hash and follows the one before it",
                plural(verification.files.len(), "snapshot"),
                dir.display()
            )?;
            writeln!(out, "newest: {name}")?;
            writeln!(out, "  sha256: {hash}")?;
            writeln!(
                out,
                "  (keep this hash elsewhere: it shows later that no newer snapshot was removed)"
            )
        }
        None => writeln!(out, "no snapshots in {}", dir.display()),
    }
}

/// `posture verify FILES`: each file's hash, or what is wrong with it.
pub(crate) fn verified_files(
    paths: &[std::path::PathBuf],
    results: &[Result<String, crate::snapshot::SnapshotError>],
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for (path, result) in paths.iter().zip(results) {
        match result {
            Ok(hash) => writeln!(out, "intact: {} (sha256 {hash})", path.display())?,
            Err(err) => writeln!(out, "NOT INTACT: {err}")?,
        }
    }
    Ok(())
}

/// `3 snapshots`, `1 snapshot`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `posture reevaluate`: what was written, and checks that could not be applied.
pub(crate) fn reevaluated(
    source: &Path,
    written: &Path,
    snapshot: &Snapshot,
    scanned_with: &Thresholds,
    dropped: &[String],
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "re-evaluated the facts of {} (scan of {}) with check catalogue {}",
        source.display(),
        snapshot.scan.started_at,
        snapshot.findings_catalogue_version()
    )?;
    let tally = |status: Status| {
        snapshot
            .findings
            .iter()
            .filter(|f| f.status == status)
            .count()
    };
    writeln!(
        out,
        "  findings: {} PASS, {} FAIL, {} ERROR, {} SKIPPED",
        tally(Status::Pass),
        tally(Status::Fail),
        tally(Status::Error),
        tally(Status::Skipped)
    )?;
    writeln!(
        out,
        "  thresholds: {}{}",
        thresholds(&snapshot.scan.thresholds),
        if &snapshot.scan.thresholds == scanned_with {
            " (as in the source snapshot)".to_owned()
        } else {
            format!(" (the source snapshot's: {})", thresholds(scanned_with))
        }
    )?;
    for id in dropped {
        writeln!(
            out,
            "  not evaluated: check {id} is no longer in the catalogue"
        )?;
    }
    if !snapshot.scan.waivers.is_empty() {
        writeln!(out, "  waivers: {}", waiver_summary(&snapshot.scan.waivers))?;
    }
    writeln!(out, "snapshot: {}", written.display())?;
    writeln!(out, "  sha256:  {}", snapshot.content_sha256())?;
    writeln!(
        out,
        "compare it with the original: posture diff {} {}",
        source.display(),
        written.display()
    )
}
