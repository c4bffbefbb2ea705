//! `posture checks` in the terminal (the catalogue as a table, one check in full, a framework's
//! coverage) and as JSON. It prints the view structs of [`crate::output::coverage`] as they are
//! given; what they hold is decided there.

use std::io::{self, Write};

use comfy_table::{CellAlignment, Table};
use serde::Serialize;

use super::changes::{TERMINAL_STYLE, render, severity};
use crate::evaluate::csf_evidence::NIST_CSF_2_AWS_FILE;
use crate::evaluate::{MAPPING_FAMILIES, Scope};
use crate::output::coverage::{CheckDetail, Counts, Coverage, Framework, Listing};
use crate::text::plural;

/// Any of `posture checks --json`'s shapes, pretty-printed, with a final newline.
pub(crate) fn json(value: &impl Serialize) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)
}

/// `posture checks`: one row per check, then how many and where to look next.
pub(crate) fn checks_table(listing: &Listing<'_>) -> io::Result<()> {
    let mut table = Table::new();
    table.load_style(TERMINAL_STYLE);
    table.set_header([
        "id",
        "severity",
        "scope",
        "service",
        "title",
        "NIST CSF 2.0",
    ]);
    for check in listing.checks {
        table.add_row([
            check.id.as_str(),
            severity(check.severity),
            scope(check.scope),
            check.service.as_str(),
            check.title.as_str(),
            &check.mappings.nist_csf_2.join(" "),
        ]);
    }
    let mut out = io::stdout().lock();
    writeln!(out, "{}", render(&table))?;
    writeln!(out)?;
    writeln!(
        out,
        "{} (catalogue {}); `posture checks ID` shows one in full, `posture checks --framework {}` what they cover",
        plural(listing.checks.len(), "check"),
        listing.catalogue_version,
        Framework::NistCsf2.id()
    )?;
    // What the landing-zone guidance asks of a multi-account organization, and what posture
    // does not check of it.
    let mut controls = Table::new();
    controls.load_style(TERMINAL_STYLE);
    controls.set_header(["landing-zone control", "coverage", "checks", "not checked"]);
    for control in listing.landing_zone {
        controls.add_row([
            control.control.as_str(),
            control.coverage(),
            &control.checks.join(" "),
            control.gap.as_deref().unwrap_or(""),
        ]);
    }
    let count = |coverage: &str| {
        listing
            .landing_zone
            .iter()
            .filter(|c| c.coverage() == coverage)
            .count()
    };
    writeln!(out)?;
    writeln!(out, "{}", render(&controls))?;
    writeln!(out)?;
    writeln!(
        out,
        "{}: {} covered, {} partly, {} not checked ({})",
        plural(listing.landing_zone.len(), "landing-zone control"),
        count("covered"),
        count("partly"),
        count("not checked"),
        crate::evaluate::landing_zone::LANDING_ZONE_FILE
    )
}

/// `posture checks ID`: every field of the check's file, its NIST CSF 2.0 subcategories with
/// their statements, and every other mapping with its framework's name and version.
pub(crate) fn check_detail(detail: &CheckDetail<'_>) -> io::Result<()> {
    let check = detail.check;
    let mut out = io::stdout().lock();
    for (label, value) in [
        ("check", check.id.as_str()),
        ("title", check.title.as_str()),
        ("severity", severity(check.severity)),
        ("scope", scope(check.scope)),
        ("service", check.service.as_str()),
        ("logic version", &check.logic_version.to_string()),
        ("catalogue", detail.catalogue_version),
    ] {
        writeln!(out, "{label:<14} {value}")?;
    }
    for (heading, text) in [
        ("Rationale", &check.rationale),
        ("Risk", &check.risk),
        ("Remediation", &check.remediation),
    ] {
        writeln!(out, "\n{heading}")?;
        indented(&mut out, text)?;
    }
    writeln!(out, "\nReferences")?;
    for reference in &check.references {
        writeln!(out, "  {reference}")?;
    }
    writeln!(out, "\nNIST CSF 2.0 subcategories")?;
    for sub in &detail.nist_csf_2 {
        writeln!(out, "  {}  {}", sub.id, sub.statement)?;
        writeln!(
            out,
            "  {:width$}  ({} {} > {} {})",
            "",
            sub.function_id,
            sub.function_name,
            sub.category_id,
            sub.category_name,
            width = sub.id.len()
        )?;
    }
    writeln!(out, "\nMappings")?;
    let width = MAPPING_FAMILIES
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(0);
    for family in MAPPING_FAMILIES {
        let name = family.name;
        let ids = (family.ids)(&check.mappings);
        let ids = if ids.is_empty() {
            "none".to_owned()
        } else {
            ids.join(", ")
        };
        writeln!(out, "  {name:<width$}  {ids}")?;
    }
    Ok(())
}

/// `posture checks --framework nist-csf-2.0`: every Function and Category with its counts, every
/// subcategory with its checks or why it has none (no check yet, or not assessable from AWS APIs),
/// then the counts per Function and the totals.
pub(crate) fn coverage(coverage: &Coverage<'_>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{}: what posture's {} cover (catalogue {})",
        coverage.framework.name,
        plural(coverage.checks, "check"),
        coverage.catalogue_version
    )?;
    writeln!(
        out,
        "Which subcategories AWS APIs could give evidence for is posture's judgement ({NIST_CSF_2_AWS_FILE})."
    )?;
    for function in &coverage.functions {
        writeln!(out)?;
        writeln!(
            out,
            "{} {}: {}",
            function.id,
            function.name,
            counts(&function.summary)
        )?;
        for category in &function.categories {
            writeln!(
                out,
                "  {} {}: {}",
                category.id,
                category.name,
                counts(&category.summary)
            )?;
            for sub in &category.subcategories {
                let what = match &sub.reason {
                    Some(reason) => reason.clone(),
                    None => sub.status.describe(&sub.checks, sub.evidence),
                };
                writeln!(out, "    {}  {what}", sub.id)?;
                writeln!(
                    out,
                    "    {:width$}  {}",
                    "",
                    sub.statement,
                    width = sub.id.len()
                )?;
            }
        }
    }
    let mut table = Table::new();
    table.load_style(TERMINAL_STYLE);
    table.set_header([
        "function",
        "subcategories",
        "checked",
        "not yet checked",
        "outside AWS APIs",
    ]);
    let rows = coverage
        .functions
        .iter()
        .map(|f| (format!("{} {}", f.id, f.name), &f.summary))
        .chain([("all".to_owned(), &coverage.summary)]);
    for (name, c) in rows {
        table.add_row([
            name,
            c.subcategories.to_string(),
            c.covered.to_string(),
            c.not_yet_checked.to_string(),
            c.outside_aws.to_string(),
        ]);
    }
    for column in 1..5 {
        if let Some(column) = table.column_mut(column) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", render(&table))?;
    writeln!(out)?;
    let s = &coverage.summary;
    writeln!(
        out,
        "{} of {} subcategories have at least one check; {} more could be evidenced from AWS APIs; {} need evidence from outside AWS",
        s.covered, s.subcategories, s.not_yet_checked, s.outside_aws
    )
}

/// A Function's or Category's counts: `3 of 6 checked, 1 not yet checked, 2 outside AWS APIs`.
fn counts(c: &Counts) -> String {
    format!(
        "{} of {} checked, {} not yet checked, {} outside AWS APIs",
        c.covered, c.subcategories, c.not_yet_checked, c.outside_aws
    )
}

/// Prose from a check file, two spaces in, blank lines kept blank.
fn indented(out: &mut impl Write, text: &str) -> io::Result<()> {
    for line in text.trim_end().lines() {
        if line.trim().is_empty() {
            writeln!(out)?;
        } else {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

fn scope(scope: Scope) -> &'static str {
    match scope {
        Scope::Organization => "organization",
        Scope::Account => "account",
        Scope::Region => "region",
    }
}
