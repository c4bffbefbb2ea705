//! `posture checks` in the terminal (the catalogue as a table, one check in full, a framework's
//! coverage) and as JSON. It prints the view structs of [`crate::evaluate::coverage`] as they are
//! given; what they hold is decided there.

use std::io::{self, Write};

use comfy_table::Table;
use serde::Serialize;

use super::changes::{TERMINAL_STYLE, render, severity};
use super::plural;
use crate::evaluate::Scope;
use crate::evaluate::coverage::{
    Assessment, CheckDetail, Coverage, Framework, Listing, MAPPING_FAMILIES, NOT_ASSESSED,
};

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
/// subcategory with its checks or [`NOT_ASSESSED`], then the totals.
pub(crate) fn coverage(coverage: &Coverage<'_>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{}: what posture's {} cover (catalogue {})",
        coverage.framework.name,
        plural(coverage.checks, "check"),
        coverage.catalogue_version
    )?;
    for function in &coverage.functions {
        writeln!(out)?;
        writeln!(
            out,
            "{} {}: {} of {} subcategories have at least one check",
            function.id, function.name, function.summary.covered, function.summary.subcategories
        )?;
        for category in &function.categories {
            writeln!(
                out,
                "  {} {}: {} of {}",
                category.id,
                category.name,
                category.summary.covered,
                category.summary.subcategories
            )?;
            for sub in &category.subcategories {
                let what = match sub.assessment {
                    Assessment::Checked => format!("checked by {}", sub.checks.join(", ")),
                    Assessment::NotAssessed => sub.reason.unwrap_or(NOT_ASSESSED).to_owned(),
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
    let by_function: Vec<String> = coverage
        .functions
        .iter()
        .map(|f| format!("{} {}/{}", f.id, f.summary.covered, f.summary.subcategories))
        .collect();
    writeln!(out)?;
    writeln!(
        out,
        "{} of {} subcategories have at least one check ({}); {} not assessed by posture",
        coverage.summary.covered,
        coverage.summary.subcategories,
        by_function.join(", "),
        coverage.summary.not_assessed
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
