//! `posture diff` as a terminal table, as Markdown for a change ticket, and as JSON. The three
//! show the same [`Changes`]; JSON lists everything, the other two cap each kind at `limit`.

use std::io::{self, Write};

use comfy_table::{LineStyle, Table, TableStyle, presets};

use crate::diff::{ChangeKind, Changes, FindingChange, Gate, KindCounts};
use crate::evaluate::Severity;
use crate::finding::Status;

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];
const FUNCTIONS: [(&str, &str); 6] = [
    ("GV", "Govern"),
    ("ID", "Identify"),
    ("PR", "Protect"),
    ("DE", "Detect"),
    ("RS", "Respond"),
    ("RC", "Recover"),
];

/// How much of the findings the table and Markdown list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListOptions {
    /// Findings per kind (0: all).
    pub(crate) limit: usize,
    /// Whether findings still failing or still unknown are listed (they are always counted).
    pub(crate) all: bool,
}

impl Default for ListOptions {
    fn default() -> Self {
        Self {
            limit: 50,
            all: false,
        }
    }
}

/// `posture diff --json`: the whole [`Changes`], and what the exit status says.
pub(crate) fn diff_json(changes: &Changes, gate: &Gate) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        gate: &'a Gate,
        #[serde(flatten)]
        changes: &'a Changes,
    }
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &Report { gate, changes })?;
    writeln!(out)
}

/// `posture diff`: a header, counts by severity and by CSF function, then each kind's findings.
pub(crate) fn diff_table(changes: &Changes, gate: &Gate, listing: &ListOptions) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for line in header_lines(changes) {
        writeln!(out, "{}", printable(&line))?;
    }
    sections(&mut out, changes, listing, Format::Terminal)?;
    writeln!(out)?;
    writeln!(out, "{}", verdict_line(changes, gate))
}

/// `posture diff --markdown`: the same, for a change ticket; every string is escaped so that
/// names from AWS cannot break the table or inject markup.
pub(crate) fn diff_markdown(
    changes: &Changes,
    gate: &Gate,
    listing: &ListOptions,
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "## posture diff: {} → {}",
        md(&changes.old.file),
        md(&changes.new.file)
    )?;
    writeln!(out)?;
    for line in header_lines(changes) {
        writeln!(out, "- {}", md(line.trim()))?;
    }
    writeln!(out)?;
    writeln!(out, "**{}**", md(&verdict_line(changes, gate)))?;
    sections(&mut out, changes, listing, Format::Markdown)
}

/// The counts by severity and by function, then a table per kind.
fn sections(
    out: &mut impl Write,
    changes: &Changes,
    listing: &ListOptions,
    format: Format,
) -> io::Result<()> {
    let heading = |text: &str| match format {
        Format::Terminal => format!("\n{text}"),
        Format::Markdown => format!("\n### {}\n", capitalized(text)),
    };
    let kinds = shown_kinds(changes);
    for (title, by_function) in [("by severity", false), ("by NIST CSF 2.0 function", true)] {
        writeln!(out, "{}", heading(title))?;
        writeln!(
            out,
            "{}",
            counts_table(changes, &kinds, by_function, format)
        )?;
    }
    writeln!(
        out,
        "\n(a check can give evidence for several functions, so the functions can add up to more than the total)"
    )?;
    for kind in kinds {
        let findings: Vec<&FindingChange> = changes.of_kind(kind).collect();
        if findings.is_empty() {
            continue;
        }
        writeln!(
            out,
            "{}",
            heading(&format!("{} ({})", kind.label(), findings.len()))
        )?;
        let unchanged = matches!(kind, ChangeKind::StillFailing | ChangeKind::StillUnknown);
        if unchanged && !listing.all {
            writeln!(
                out,
                "(not listed: --all lists them, --json gives everything)"
            )?;
            continue;
        }
        writeln!(out, "{}", findings_table(&findings, listing.limit, format))?;
        if listing.limit > 0 && findings.len() > listing.limit {
            // A blank line first: Markdown would read the line as one more table row.
            if format == Format::Markdown {
                writeln!(out)?;
            }
            writeln!(
                out,
                "… and {} more (--limit 0 lists all, --json gives everything)",
                findings.len() - listing.limit
            )?;
        }
    }
    Ok(())
}

/// Columns and a rule under the header: compact, and readable in a CI log.
pub(super) const TERMINAL_STYLE: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('-').junction('-'));

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Terminal,
    Markdown,
}

/// Which snapshots, and what differs besides findings: scope, accounts, checks.
fn header_lines(changes: &Changes) -> Vec<String> {
    // No `->` here: a line pasted back into a shell must not truncate a file.
    let mut lines = vec![
        format!(
            "old: {} (scan started {})",
            changes.old.file, changes.old.started_at
        ),
        format!(
            "new: {} (scan started {})",
            changes.new.file, changes.new.started_at
        ),
    ];
    lines.push(format!(
        "organization {}{}",
        changes.new.organization_id,
        if changes.old.organization_id == changes.new.organization_id {
            String::new()
        } else {
            format!(
                " (old: {}, compared with --force)",
                changes.old.organization_id
            )
        },
    ));
    for (side, snapshot) in [("old", &changes.old), ("new", &changes.new)] {
        if snapshot.reevaluated {
            lines.push(format!(
                "the {side} snapshot is a re-evaluation with check catalogue {}",
                snapshot.catalogue_version
            ));
        }
    }
    if changes.old.catalogue_version != changes.new.catalogue_version {
        lines.push(format!(
            "check catalogue: {} → {}",
            changes.old.catalogue_version, changes.new.catalogue_version
        ));
    }
    let scope = &changes.scope;
    if scope.is_empty() {
        lines.push("scope: the same".into());
    } else {
        let mut parts = Vec::new();
        if !scope.regions_added.is_empty() {
            parts.push(format!("Regions added: {}", scope.regions_added.join(", ")));
        }
        if !scope.regions_removed.is_empty() {
            parts.push(format!(
                "Regions removed: {}",
                scope.regions_removed.join(", ")
            ));
        }
        parts.extend(scope.options.iter().cloned());
        lines.push(format!("scope changed: {}", parts.join("; ")));
    }
    let accounts = |list: &[crate::diff::AccountRef]| {
        const SHOWN: usize = 10;
        let mut named: Vec<String> = list
            .iter()
            .take(SHOWN)
            .map(|a| format!("{} {} ({})", a.id, a.name, a.ou_path))
            .collect();
        if list.len() > SHOWN {
            named.push(format!(
                "and {} more (--json lists them)",
                list.len() - SHOWN
            ));
        }
        format!("{}: {}", list.len(), named.join(", "))
    };
    if !changes.accounts_joined.is_empty() {
        lines.push(format!(
            "accounts joined: {}",
            accounts(&changes.accounts_joined)
        ));
    }
    if !changes.accounts_left.is_empty() {
        lines.push(format!(
            "accounts left: {}",
            accounts(&changes.accounts_left)
        ));
    }
    for account in &changes.accounts_changed {
        lines.push(format!(
            "account {} {}: {}",
            account.id,
            account.name,
            account.changes.join("; ")
        ));
    }
    if !changes.checks_added.is_empty() {
        lines.push(format!("checks added: {}", changes.checks_added.join(", ")));
    }
    if !changes.checks_removed.is_empty() {
        lines.push(format!(
            "checks removed: {}",
            changes.checks_removed.join(", ")
        ));
    }
    for check in &changes.checks_changed {
        let mut parts = Vec::new();
        if let Some((a, b)) = check.logic_version {
            parts.push(format!("logic version {a} → {b}"));
        }
        if let Some((a, b)) = &check.nist_csf_2 {
            parts.push(format!("NIST CSF 2.0 {} → {}", a.join(","), b.join(",")));
        }
        if let Some((a, b)) = check.scope {
            parts.push(format!("scope {a:?} → {b:?}").to_lowercase());
        }
        if let Some((a, b)) = &check.title {
            parts.push(format!("title {a:?} → {b:?}"));
        }
        if let Some((a, b)) = check.severity {
            parts.push(format!("severity {} → {}", severity(a), severity(b)));
        }
        lines.push(format!("check {} changed: {}", check.id, parts.join("; ")));
    }
    lines
}

/// The kinds worth a column: the four that matter always, the others when they occur.
fn shown_kinds(changes: &Changes) -> Vec<ChangeKind> {
    ChangeKind::ALL
        .into_iter()
        .filter(|kind| {
            matches!(
                kind,
                ChangeKind::Regressed
                    | ChangeKind::Resolved
                    | ChangeKind::StillFailing
                    | ChangeKind::NewlyUnknown
            ) || changes.count(*kind) > 0
        })
        .collect()
}

fn counts_table(
    changes: &Changes,
    kinds: &[ChangeKind],
    by_function: bool,
    format: Format,
) -> String {
    let mut table = new_table(format);
    let mut header = vec![if by_function { "function" } else { "severity" }.to_owned()];
    header.extend(kinds.iter().map(|k| k.label().to_owned()));
    table.set_header(header);
    let row = |name: String, counts: Option<&KindCounts>| {
        let mut cells = vec![name];
        cells.extend(kinds.iter().map(|k| {
            counts
                .and_then(|c| c.get(k))
                .copied()
                .unwrap_or(0)
                .to_string()
        }));
        cells
    };
    if by_function {
        for (id, name) in FUNCTIONS {
            table.add_row(row(
                format!("{name} ({id})"),
                changes.summary.by_function.get(id),
            ));
        }
    } else {
        for s in SEVERITIES {
            table.add_row(row(
                severity(s).to_owned(),
                changes.summary.by_severity.get(&s),
            ));
        }
        table.add_row(row("total".into(), Some(&changes.summary.total)));
    }
    render(&table)
}

fn findings_table(findings: &[&FindingChange], limit: usize, format: Format) -> String {
    let mut table = new_table(format);
    table.set_header([
        "severity",
        "check",
        "account",
        "region",
        "resource",
        "was → now",
        "why",
    ]);
    let shown = if limit == 0 { findings.len() } else { limit };
    for finding in findings.iter().take(shown) {
        let cell = |text: &str| match format {
            Format::Terminal => printable(text).into_owned(),
            Format::Markdown => md(text),
        };
        let why: Vec<String> = finding.causes.iter().map(|c| c.describe()).collect();
        let why = if why.is_empty() {
            "nothing changed".to_owned()
        } else {
            why.join("; ")
        };
        // A terminal row stays readable; Markdown and JSON keep the whole text.
        let why = match format {
            Format::Terminal => shortened(&why, WHY_WIDTH),
            Format::Markdown => why,
        };
        table.add_row([
            severity(finding.severity).to_owned(),
            cell(&finding.check),
            cell(&format!("{} {}", finding.account, finding.account_name)),
            cell(finding.region.as_deref().unwrap_or("global")),
            cell(&finding.resource),
            format!(
                "{} → {}",
                status(finding.old.status, finding.old.waived),
                status(finding.new.status, finding.new.waived)
            ),
            cell(&why),
        ]);
    }
    render(&table)
}

/// The widest "why" a terminal row shows.
const WHY_WIDTH: usize = 100;

/// `text` cut to `width` characters, with `…` where it was cut.
fn shortened(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// A table as text, without the padding comfy-table leaves at the end of each line.
pub(super) fn render(table: &Table) -> String {
    table
        .lines()
        .map(|line| line.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn new_table(format: Format) -> Table {
    let mut table = Table::new();
    table.load_style(match format {
        Format::Terminal => TERMINAL_STYLE,
        Format::Markdown => presets::ASCII_MARKDOWN,
    });
    table
}

/// The line that explains the exit status.
fn verdict_line(changes: &Changes, gate: &Gate) -> String {
    let count = |kind| changes.count(kind);
    let counts = format!(
        "{} regressed, {} resolved, {} still failing, {} newly unknown, {} recovered",
        count(ChangeKind::Regressed),
        count(ChangeKind::Resolved),
        count(ChangeKind::StillFailing),
        count(ChangeKind::NewlyUnknown),
        count(ChangeKind::Recovered),
    );
    match gate.fail_on {
        Some(threshold) => format!(
            "{counts}; {} at or above {}: {}",
            crate::text::plural(gate.regressions, "regression"),
            severity(threshold),
            if gate.fails { "exit 1" } else { "exit 0" }
        ),
        None => counts,
    }
}

fn status(status: Option<Status>, waived: bool) -> String {
    let text = match status {
        Some(Status::Pass) => "PASS",
        Some(Status::Fail) => "FAIL",
        Some(Status::Error) => "ERROR",
        Some(Status::Skipped) => "SKIPPED",
        None => "none",
    };
    if waived {
        format!("{text} (waived)")
    } else {
        text.to_owned()
    }
}

pub(super) fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Text for a Markdown table cell: HTML and Markdown metacharacters escaped, one line.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            // Not a mention of a user or team: a word joiner after the `@`.
            '@' => out.push_str("@\u{2060}"),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    // Not an autolink: GFM links `www.` and `scheme://` by themselves.
    out.replace("://", ":\\/\\/").replace("www.", "www\\.")
}

/// Text with control characters (a terminal escape sequence in an account name, say) shown as
/// `?`, so that names from AWS cannot drive the terminal.
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_link_mention_or_strike() {
        let cell = md("see https://evil.example and www.evil.example, ~~gone~~ @octocat #1");
        assert!(!cell.contains("://") && !cell.contains("www.e"), "{cell}");
        assert!(
            cell.contains("\\~\\~gone") && cell.contains("@\u{2060}octocat"),
            "{cell}"
        );
        assert!(cell.contains("\\#1"), "{cell}");
    }

    #[test]
    fn terminal_text_carries_no_control_characters() {
        assert_eq!(printable("acme\u{1b}[2Jprod\n"), "acme?[2Jprod?");
    }

    #[test]
    fn markdown_cells_cannot_inject_markup() {
        assert_eq!(
            md("<script>a|b</script> & `x` *y*\nz"),
            "&lt;script>a\\|b&lt;/script> &amp; \\`x\\` \\*y\\* z"
        );
    }
}
