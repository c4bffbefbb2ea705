//! Everything posture shows the user: results on stdout, and the one final error line on stderr.
//!
//! The only module that writes to stdout (`println!` and friends are disallowed elsewhere by
//! `clippy.toml`, after cargo-deny), so that results stay machine-readable and progress and logs
//! (tracing, on stderr) never mix into them. It formats typed values it is given; it decides
//! nothing about posture's results. [`coverage`] is the view model of `posture checks` (the
//! catalogue seen as the command shows it), built by pure functions from the catalogue. Writes return `io::Result` so a closed pipe (`posture … | head`) ends the command
//! quietly instead of panicking.

mod changes;
mod checks;
pub mod coverage;
mod publish;

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use crate::evaluate::Thresholds;
use crate::evaluate::waivers::{WaiverOutcome, WaiverRecord};
use crate::finding::Status;
use crate::sandbox::{RunningSandbox, Sandbox, SandboxStatus, StopOutcome};
use crate::snapshot::{AccountOutcome, ScanMetadata, Snapshot, Verification};
use crate::text::plural;

pub(crate) use changes::{ListOptions, diff_json, diff_markdown, diff_table, printable};
pub(crate) use checks::{check_detail, checks_table, coverage, json};
pub(crate) use publish::published;

/// Prints the error chain once, as one line on stderr: `posture: outer: inner: root cause`. Causes
/// that span lines (the SDK lists every credential provider it tried) are folded into that line.
pub fn report_error(err: &anyhow::Error) {
    // Nothing sensible is left to do if stderr is gone.
    let _ = writeln!(io::stderr().lock(), "posture: {}", error_line(err));
}

/// The line [`report_error`] prints, without its `posture: ` prefix.
///
/// Every cause is said once: an error that names its source in its own message (`could not
/// create site/v: Not a directory (os error 20)`, most `thiserror` enums here) would otherwise be
/// followed by that source again. Control characters (from AWS's answers, file names) are shown
/// as `?`, and values too long to be read back are cut ([`shorten_echoes`]).
pub(crate) fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        if text.is_empty() || line.contains(text.as_str()) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    shorten_echoes(&printable(&line))
}

/// Prints a usage error of the command line (clap's), or `--help` and `--version` (on stdout), as
/// clap would, except that a value too long to be read back is cut ([`shorten_echoes`]): clap
/// echoes the value it refused, whole.
pub fn report_usage_error(err: &clap::Error) {
    let plain = err.render().to_string();
    let shortened = shorten_echoes(&plain);
    if err.use_stderr() && shortened != plain {
        // Plain text, without clap's colours: cutting inside its escape sequences would break
        // them.
        let _ = write!(io::stderr().lock(), "{shortened}");
    } else {
        let _ = err.print();
    }
}

/// The most characters of a quoted value (`"…"`, `'…'`, `` `…` ``) an error line echoes: a value
/// the user gave is echoed so they can see which one was refused, and 80 characters are enough
/// to tell; a 100 KB argument echoed whole buries the message.
const ECHO_LIMIT: usize = 80;
/// The most characters of an unquoted word (a path, an ARN) an error line shows. Paths and ARNs
/// are echoed without quotes and are often longer than [`ECHO_LIMIT`] (an IAM Identity Center
/// role's ARN is over 100), and cutting those would hide which one is meant; nothing real is
/// this long.
const WORD_LIMIT: usize = 256;

/// The most characters of one line of an error, whatever it holds: a last bound, for a long
/// value the cuts above cannot tell from posture's words (a path of many short words). Its
/// start and end are kept: the end holds the cause and what to do.
const LINE_LIMIT: usize = 1024;

/// `text` with every quoted value longer than [`ECHO_LIMIT`] characters and every unquoted word
/// longer than [`WORD_LIMIT`] cut, ending in `…`, and every line longer than [`LINE_LIMIT`] cut in
/// its middle.
///
/// This is the one place that bounds what posture echoes: every error line goes through
/// [`report_error`], and clap's through [`report_usage_error`]. Values are echoed quoted
/// (`{:?}`, clap's `'…'`), which is how they are told from posture's own words; a quote opens
/// only where a word starts, so an apostrophe (`account's`) opens nothing. Linear in the length
/// of `text`, whatever it holds.
pub(crate) fn shorten_echoes(text: &str) -> String {
    text.split('\n')
        .map(shorten_line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn shorten_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let closing = Closings::of(&chars);
    let mut out: Vec<char> = Vec::with_capacity(chars.len().min(4 * WORD_LIMIT));
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
        if starts_word && let Some(end) = closing.after(c, i) {
            out.push(c);
            push_cut(&mut out, &chars[i + 1..end], ECHO_LIMIT);
            out.push(c);
            i = end + 1;
            continue;
        }
        if c.is_whitespace() {
            out.push(c);
            i += 1;
            continue;
        }
        let end = chars[i..]
            .iter()
            .position(|c| c.is_whitespace())
            .map_or(chars.len(), |n| i + n);
        // A word that holds a quote is taken up to it, so that the quote is seen.
        let end = chars[i + 1..end]
            .iter()
            .position(|c| matches!(c, '"' | '\'' | '`'))
            .map_or(end, |n| i + 1 + n);
        push_cut(&mut out, &chars[i..end], WORD_LIMIT);
        i = end;
    }
    if out.len() > LINE_LIMIT {
        let tail = out.split_off(out.len() - LINE_LIMIT / 3);
        out.truncate(LINE_LIMIT - LINE_LIMIT / 3 - 3);
        out.extend([' ', '…', ' ']);
        out.extend(tail);
    }
    out.into_iter().collect()
}

/// Where each quote of a line closes, found in one pass from its end, so that a line of many
/// unclosed quotes is not searched again from each.
struct Closings {
    /// For each position, the first `"` at or after it not escaped by a backslash (Rust's
    /// `{:?}`); `usize::MAX` when there is none.
    double: Vec<usize>,
    /// The same for a `'` that ends a word.
    single: Vec<usize>,
    /// The same for a `` ` `` that ends a word.
    back: Vec<usize>,
}

impl Closings {
    fn of(chars: &[char]) -> Self {
        let mut escaped = vec![false; chars.len()];
        for j in 1..chars.len() {
            escaped[j] = chars[j - 1] == '\\' && !escaped[j - 1];
        }
        let ends_word = |j: usize| chars.get(j + 1).is_none_or(|next| !next.is_alphanumeric());
        let next = |closes: &dyn Fn(usize) -> bool| {
            let mut next = vec![usize::MAX; chars.len() + 1];
            for j in (0..chars.len()).rev() {
                next[j] = if closes(j) { j } else { next[j + 1] };
            }
            next
        };
        Self {
            double: next(&|j| chars[j] == '"' && !escaped[j]),
            single: next(&|j| chars[j] == '\'' && ends_word(j)),
            back: next(&|j| chars[j] == '`' && ends_word(j)),
        }
    }

    /// Where a `quote` opened at `open` closes, if `quote` is a quote and it does.
    fn after(&self, quote: char, open: usize) -> Option<usize> {
        let next = match quote {
            '"' => &self.double,
            '\'' => &self.single,
            '`' => &self.back,
            _ => return None,
        };
        Some(next[open + 1]).filter(|&end| end != usize::MAX)
    }
}

/// Appends `chars`, cut to `limit` characters ending in `…` when longer.
fn push_cut(out: &mut Vec<char>, chars: &[char], limit: usize) {
    if chars.len() > limit {
        out.extend_from_slice(&chars[..limit - 1]);
        out.push('…');
    } else {
        out.extend_from_slice(chars);
    }
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
    let scan = &snapshot.scan;
    writeln!(
        out,
        "scanned as {} (account {}) in organization {}, management account {}{}",
        scan.caller_arn,
        scan.caller_account_id,
        scan.organization_id,
        scan.management_account_id,
        if scan.caller_account_id == scan.management_account_id {
            ""
        } else {
            " (not the management account)"
        }
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
    for line in error_lines(snapshot) {
        writeln!(out, "error: {line}")?;
    }
    writeln!(out)?;
    match config_file {
        Some(file) => writeln!(out, "configuration: {}", file.display())?,
        None => writeln!(out, "configuration: none (defaults and flags)")?,
    }
    writeln!(out, "thresholds: {}", thresholds(&snapshot.scan.thresholds))?;
    writeln!(
        out,
        "landing zone: {}",
        snapshot.scan.landing_zone.describe()
    )?;
    if waivers {
        writeln!(out, "waivers: {}", waiver_summary(&snapshot.scan.waivers))?;
    }
    writeln!(out, "snapshot: {}", path.display())?;
    writeln!(out, "  sha256:  {}", snapshot.content_sha256())
}

/// The cause of every ERROR of a scan, once each, as the summary's `error:` lines: what could not
/// be read in each account, then what could not be read of the organization (its delegated
/// administrators, trails, analyzers, SCPs, aggregators: organization-scope checks, whose
/// ERRORs no account's errors explain), then the reason of any ERROR finding none of those
/// explain, so that no ERROR in the table is without its cause. AWS's strings in them (account
/// names, codes, messages, reasons) have their control characters shown as `?`.
/// A failed call in a few words: `sts:AssumeRole in us-east-1 AccessDenied: …`.
fn call(err: &crate::facts::CollectError) -> String {
    format!(
        "{}:{}{} {}: {}",
        err.service,
        err.action,
        err.region
            .as_deref()
            .map(|r| format!(" in {r}"))
            .unwrap_or_default(),
        err.code.as_deref().unwrap_or("no code"),
        err.message
    )
}

fn error_lines(snapshot: &Snapshot) -> Vec<String> {
    use crate::evaluate::describe_error;
    let mut lines = Vec::new();
    // What each line explains: the error as the findings' reasons describe it.
    let mut explained: Vec<(Option<&str>, String)> = Vec::new();
    for account in &snapshot.accounts {
        for err in &account.errors {
            lines.push(format!("{} ({}): {}", account.id, account.name, call(err)));
            explained.push((Some(account.id.as_str()), describe_error(err)));
        }
    }
    // The organization's errors, each once with how many calls met it: one per OU for
    // ListPoliciesForTarget, say, which differ only in their request ids.
    let mut organization: Vec<(String, usize)> = Vec::new();
    for err in snapshot.facts.organization.errors() {
        let line = format!(
            "organization {}: {}",
            snapshot.scan.organization_id,
            call(&err)
        );
        match organization.iter_mut().find(|(l, _)| *l == line) {
            Some((_, calls)) => *calls += 1,
            None => organization.push((line, 1)),
        }
        explained.push((None, describe_error(&err)));
    }
    lines.extend(organization.into_iter().map(|(line, calls)| match calls {
        1 => line,
        n => format!("{line} ({n} calls)"),
    }));
    let mut reasons: Vec<&str> = Vec::new();
    for finding in snapshot
        .findings
        .iter()
        .filter(|f| f.status == Status::Error)
    {
        let covered = explained.iter().any(|(account, described)| {
            account.is_none_or(|a| a == finding.account) && finding.reason.contains(described)
        });
        if !covered && !reasons.contains(&finding.reason.as_str()) {
            reasons.push(&finding.reason);
            lines.push(format!(
                "{} ({}{}): {}",
                finding.check,
                finding.account,
                finding
                    .region
                    .as_deref()
                    .map(|r| format!(" in {r}"))
                    .unwrap_or_default(),
                finding.reason
            ));
        }
    }
    lines
        .into_iter()
        .map(|line| printable(&line).into_owned())
        .collect()
}

/// What `posture scan --preflight` found.
pub(crate) struct Preflight {
    /// The organization as discovery saw it.
    pub(crate) inventory: crate::discover::Inventory,
    /// The role assumed in each account.
    pub(crate) role_name: String,
    /// Whether the store can take a snapshot, or why not.
    pub(crate) store: Result<(), String>,
    /// Each ACTIVE account in scope, and whether its role could be assumed.
    pub(crate) accounts: Vec<(String, crate::facts::Collected<crate::facts::AccountAccess>)>,
    /// The organization-wide reads a scan makes from the caller's account.
    pub(crate) organization_reads: Vec<crate::collect::OrganizationRead>,
}

impl Preflight {
    /// Whether a scan could read everything it is asked to.
    pub(crate) fn ready(&self) -> bool {
        self.store.is_ok()
            && self
                .accounts
                .iter()
                .all(|(_, access)| access.as_result().is_ok())
            && self.organization_reads.iter().all(|r| r.error.is_none())
    }
}

/// `posture scan --preflight`: who runs it, the store, the accounts that cannot be reached and the
/// organization-wide reads out of reach, then whether a scan is ready.
pub(crate) fn preflight(report: &Preflight) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let inventory = &report.inventory;
    let management = &inventory.organization.management_account_id;
    writeln!(
        out,
        "preflight as {} (account {}) in organization {}, management account {management}{}",
        inventory.caller.arn,
        inventory.caller.account_id,
        inventory.organization.id,
        if &inventory.caller.account_id == management {
            ""
        } else {
            " (not the management account)"
        }
    )?;
    match &report.store {
        Ok(()) => writeln!(out, "store: can be written")?,
        Err(err) => writeln!(out, "store: {}", printable(err))?,
    }
    let unreachable: Vec<_> = report
        .accounts
        .iter()
        .filter_map(|(id, access)| access.as_result().err().map(|err| (id, err)))
        .collect();
    writeln!(
        out,
        "accounts: {} in scope, {} reachable with role {}, {} not",
        report.accounts.len(),
        report.accounts.len() - unreachable.len(),
        report.role_name,
        unreachable.len()
    )?;
    for (id, err) in &unreachable {
        let name = inventory
            .accounts
            .iter()
            .find(|a| &a.id == *id)
            .map_or("", |a| a.name.as_str());
        writeln!(
            out,
            "  unreachable: {id} ({}): {}",
            printable(name),
            printable(&call(err))
        )?;
    }
    let out_of_reach: Vec<_> = report
        .organization_reads
        .iter()
        .filter_map(|read| read.error.as_ref().map(|err| (read, err)))
        .collect();
    writeln!(
        out,
        "organization-wide reads from here: {} of {} can be made",
        report.organization_reads.len() - out_of_reach.len(),
        report.organization_reads.len()
    )?;
    for (read, err) in &out_of_reach {
        let region = read
            .region
            .as_deref()
            .map(|r| format!(" in {r}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  out of reach: {}{region}: {}",
            read.api,
            printable(&call(err))
        )?;
    }
    if report.ready() {
        writeln!(out, "ready: a scan can read everything in scope")
    } else {
        writeln!(out, "not ready: a scan would record the above as ERROR")
    }
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

/// `posture reevaluate`: what was written, and checks that could not be applied.
pub(crate) fn reevaluated(
    source: &Path,
    written: &Path,
    snapshot: &Snapshot,
    scanned_with: &ScanMetadata,
    dropped: &[String],
    left_out: &[String],
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
        if snapshot.scan.thresholds == scanned_with.thresholds {
            " (as in the source snapshot)".to_owned()
        } else {
            format!(
                " (the source snapshot's: {})",
                thresholds(&scanned_with.thresholds)
            )
        }
    )?;
    writeln!(
        out,
        "  landing zone: {}{}",
        snapshot.scan.landing_zone.describe(),
        if snapshot.scan.landing_zone == scanned_with.landing_zone {
            " (as in the source snapshot)".to_owned()
        } else {
            format!(
                " (the source snapshot's: {})",
                scanned_with.landing_zone.describe()
            )
        }
    )?;
    for id in dropped {
        writeln!(
            out,
            "  not evaluated: check {id} is no longer in the catalogue"
        )?;
    }
    if !left_out.is_empty() {
        writeln!(
            out,
            "  not evaluated: {} (--checks adds checks; `--checks all` evaluates every one, ERROR where the snapshot lacks its facts)",
            left_out.join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("could not create {path}: {source}")]
    struct Create {
        path: &'static str,
        source: io::Error,
    }

    #[test]
    fn an_error_line_says_each_cause_once() {
        let err = anyhow::Error::new(Create {
            path: "site/v",
            source: io::Error::from_raw_os_error(20),
        })
        .context("could not render the site");
        assert_eq!(
            error_line(&err),
            format!(
                "could not render the site: could not create site/v: {}",
                io::Error::from_raw_os_error(20)
            )
        );
        // A cause not yet said is kept, however it is nested.
        let err = anyhow::anyhow!("inner reason").context("outer");
        assert_eq!(error_line(&err), "outer: inner reason");
    }

    #[test]
    fn an_error_line_carries_no_control_characters() {
        let err = anyhow::anyhow!("account acme\u{1b}[2Jprod: AccessDenied\u{7}: not\r\nallowed");
        assert_eq!(
            error_line(&err),
            "account acme?[2Jprod: AccessDenied?: not; allowed"
        );
    }

    #[test]
    fn long_values_are_cut_where_they_are_echoed() {
        let value = "a".repeat(100_000);
        let quoted = shorten_echoes(&format!(
            "--regions: {value:?} is not an AWS Region: use `all`"
        ));
        assert_eq!(
            quoted,
            format!(
                "--regions: \"{}…\" is not an AWS Region: use `all`",
                "a".repeat(79)
            )
        );
        let clap = shorten_echoes(&format!(
            "error: invalid value '{value}' for '--concurrency <N>'"
        ));
        assert_eq!(
            clap,
            format!(
                "error: invalid value '{}…' for '--concurrency <N>'",
                "a".repeat(79)
            )
        );
        let path = shorten_echoes(&format!(
            "could not create /tmp/{value}/v: File name too long"
        ));
        assert!(
            path.ends_with("…: File name too long") || path.ends_with("… File name too long"),
            "{path}"
        );
        assert!(path.chars().count() < 300, "{path}");
        // A value of many short words, unquoted, is bounded by the line's limit, keeping the end.
        let spaced = shorten_echoes(&format!(
            "could not create /tmp/{}/v: File name too long",
            " 'a".repeat(40_000)
        ));
        assert!(
            spaced.chars().count() <= LINE_LIMIT,
            "{}",
            spaced.chars().count()
        );
        assert!(
            spaced.starts_with("could not create /tmp/")
                && spaced.ends_with("'a/v: File name too long"),
            "{spaced}"
        );
        // Clap's lines are cut one by one.
        assert_eq!(
            shorten_echoes("error: x\n\nFor more"),
            "error: x\n\nFor more"
        );
        // What is not too long is left alone: short values, apostrophes, ARNs and paths of real
        // length.
        for kept in [
            "--ous: the organization has no OU \"/Nowhere\": its OUs are /Security",
            "the account's role (\"x\") and the organizations' trails",
            "User: arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AWSAdministratorAccess_0123456789abcdef/jane.doe@example.com is not authorized",
            "a \"quote with \\\" inside\" and 'an unclosed one",
        ] {
            assert_eq!(shorten_echoes(kept), kept);
        }
    }

    /// The older snapshot of the v1 fixture (tests/fixtures/snapshots/v1).
    fn fixture() -> Snapshot {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots/v1");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("fixture dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        crate::snapshot::read_snapshot(&files[0]).expect("the v1 fixture reads")
    }

    fn denied(action: &str, request_id: &str) -> crate::facts::CollectError {
        crate::facts::CollectError {
            service: "organizations".into(),
            action: action.into(),
            region: None,
            code: Some("AccessDeniedException".into()),
            message: "User: arn:aws:sts::222222222222:assumed-role/Audit/x is not authorized"
                .into(),
            request_id: Some(request_id.into()),
            http_status: Some(403),
        }
    }

    #[test]
    fn every_error_of_a_scan_has_its_cause_in_an_error_line() {
        use crate::facts::Collected;
        let mut snapshot = fixture();
        snapshot.findings.retain(|f| f.status != Status::Error);
        for account in &mut snapshot.accounts {
            account.errors.clear();
        }
        // An organization-scope fact denied, once per OU: one line, with its count.
        let policies = crate::facts::ServiceControlPolicies {
            root_id: "r-abcd".into(),
            enabled: true,
            targets: ["/", "/Workloads", "/Workloads/Prod"]
                .iter()
                .enumerate()
                .map(|(n, path)| crate::facts::PolicyTarget {
                    id: format!("ou-abcd-{n:08}"),
                    path: (*path).into(),
                    policies: Collected::Error(denied(
                        "ListPoliciesForTarget",
                        &format!("req-{n}"),
                    )),
                })
                .collect(),
        };
        let targets = policies.targets.len();
        assert!(targets > 1, "{targets}");
        snapshot.facts.organization.service_control_policies = Some(Collected::Ok(policies));
        // The finding it explains, and one whose reason nothing else explains.
        let mut explained = snapshot.findings[0].clone();
        explained.status = Status::Error;
        explained.reason = format!(
            "the SCPs could not be read: {}",
            crate::evaluate::describe_error(&denied("ListPoliciesForTarget", "req-0"))
        );
        let mut unexplained = explained.clone();
        unexplained.reason = "no account holds the organization's analyzers".into();
        snapshot
            .findings
            .extend([explained, unexplained.clone(), unexplained.clone()]);
        // An account's error, with a name that would drive the terminal.
        let account = &mut snapshot.accounts[0];
        account.name = "acme\u{1b}[2Jprod".into();
        account.errors.push(crate::facts::CollectError {
            code: Some("Throttling\u{7}".into()),
            ..denied("GetCredentialReport", "req-x")
        });
        let id = account.id.clone();
        let lines = error_lines(&snapshot);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(
            lines[0].starts_with(&format!(
                "{id} (acme?[2Jprod): organizations:GetCredentialReport Throttling?: "
            )),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[1],
            format!(
                "organization {}: organizations:ListPoliciesForTarget AccessDeniedException: User: arn:aws:sts::222222222222:assumed-role/Audit/x is not authorized ({targets} calls)",
                snapshot.scan.organization_id
            )
        );
        assert!(
            lines[2].ends_with(": no account holds the organization's analyzers")
                && lines[2].starts_with(unexplained.check.as_str()),
            "{}",
            lines[2]
        );
        assert!(
            lines.iter().all(|l| !l.chars().any(char::is_control)),
            "{lines:#?}"
        );
    }
}
