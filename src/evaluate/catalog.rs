//! The check catalogue: each check's metadata (`checks/<id>.toml`, embedded in the binary) parsed
//! into [`CheckMeta`] and validated, and the NIST CSF 2.0 Core (`checks/nist-csf-2.0.csv`, a
//! vendored copy of NIST's subcategories) that every mapping is checked against.
//!
//! It owns parsing and validation only: which checks exist and which function judges each is the
//! registry's business, and nothing here reads files at run time (the texts are `include_str!`ed).
//! A bad file is a [`CatalogError`] that names the file and the field, so the one who edited it
//! sees what to fix.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The NIST CSF 2.0 Core as shipped: `function_id,function_name,category_id,category_name,
/// subcategory_id,statement`, one row per subcategory (withdrawn items removed).
pub(crate) const NIST_CSF_2_CSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/nist-csf-2.0.csv"
));

/// One check's metadata, as written in `checks/<id>.toml`. Unknown fields are rejected, so a typo
/// is an error rather than a silently missing mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    /// The stable, user-facing id (kebab-case, equal to the file stem).
    pub id: String,
    /// One line saying what passes.
    pub title: String,
    /// How bad a failure is.
    pub severity: Severity,
    /// What one verdict is about.
    pub scope: Scope,
    /// The AWS service the check reads (SigV4 signing name: `iam`, `cloudtrail`, ...).
    pub service: String,
    /// Bumped whenever the check's logic changes what it decides, so a diff can tell a changed
    /// verdict from a changed rule.
    pub logic_version: u32,
    /// Why the check exists and exactly what it decides.
    pub rationale: String,
    /// The risk of a failure, in one sentence.
    pub risk: String,
    /// How to fix a failure: console steps and a CLI or IaC hint.
    pub remediation: String,
    /// AWS documentation.
    pub references: Vec<String>,
    /// Framework ids the check maps to.
    pub mappings: Mappings,
}

/// A check's framework mappings. Only NIST CSF 2.0 is required (and validated against the Core);
/// the others are kept as written, for cross-reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mappings {
    /// NIST CSF 2.0 subcategory ids (`PR.AA-03`).
    pub nist_csf_2: Vec<String>,
    /// NIST CSF 1.1 subcategory ids (`PR.AC-7`).
    #[serde(default)]
    pub nist_csf_1_1: Vec<String>,
    /// CIS AWS Foundations Benchmark v3.0.0 recommendation numbers (`1.5`).
    #[serde(default)]
    pub cis_aws_v3: Vec<String>,
    /// CIS AWS Foundations Benchmark v5.0.0 recommendation numbers (`1.4`).
    #[serde(default)]
    pub cis_aws_v5: Vec<String>,
    /// CIS AWS Foundations Benchmark v7.0.0 recommendation numbers (`2.1.1`). Left out when
    /// empty, so that snapshots of a posture before it write back as they were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis_aws_v7: Vec<String>,
    /// NIST SP 800-53 Rev. 5 controls (`IA-2(1)`).
    #[serde(default)]
    pub nist_800_53_r5: Vec<String>,
    /// AWS Security Hub control ids (`IAM.9`).
    #[serde(default)]
    pub security_hub: Vec<String>,
}

/// One mapping family of a check (a field of [`Mappings`]), with the name and version of the
/// framework its ids belong to.
#[derive(Clone, Copy)]
pub struct MappingFamily {
    /// The field in `[mappings]` and in the JSON (`cis_aws_v3`).
    pub key: &'static str,
    /// The framework and its version (`CIS AWS Foundations Benchmark v3.0.0`).
    pub name: &'static str,
    /// The check's ids of this family.
    pub ids: fn(&Mappings) -> &[String],
}

/// Every mapping family, in the order a check's page shows them. A unit test keeps it in step
/// with the fields of [`Mappings`]; the terminal and the site both list them so.
pub const MAPPING_FAMILIES: [MappingFamily; 7] = [
    MappingFamily {
        key: "nist_csf_2",
        name: "NIST CSF 2.0",
        ids: |m| &m.nist_csf_2,
    },
    MappingFamily {
        key: "cis_aws_v3",
        name: "CIS AWS Foundations Benchmark v3.0.0",
        ids: |m| &m.cis_aws_v3,
    },
    MappingFamily {
        key: "cis_aws_v5",
        name: "CIS AWS Foundations Benchmark v5.0.0",
        ids: |m| &m.cis_aws_v5,
    },
    MappingFamily {
        key: "cis_aws_v7",
        name: "CIS AWS Foundations Benchmark v7.0.0",
        ids: |m| &m.cis_aws_v7,
    },
    MappingFamily {
        key: "nist_800_53_r5",
        name: "NIST SP 800-53 Rev. 5",
        ids: |m| &m.nist_800_53_r5,
    },
    MappingFamily {
        key: "nist_csf_1_1",
        name: "NIST CSF 1.1",
        ids: |m| &m.nist_csf_1_1,
    },
    MappingFamily {
        key: "security_hub",
        name: "AWS Security Hub controls",
        ids: |m| &m.security_hub,
    },
];

/// How bad a failure of a check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fix now.
    Critical,
    /// Fix soon.
    High,
    /// Plan the fix.
    Medium,
    /// Fix when convenient.
    Low,
}

/// What one verdict of a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The organization as a whole (findings belong to the management account).
    Organization,
    /// One account (or resources in it that are not regional).
    Account,
    /// One account in one Region: one cell per scanned Region.
    Region,
}

/// A check file that does not parse or does not validate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    /// The file, relative to the repository (`checks/root-mfa.toml`).
    pub file: String,
    /// The field at fault (`mappings.nist_csf_2`), when it can be named.
    pub field: Option<String>,
    /// The line, for syntax and type errors.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// One subcategory of the NIST CSF 2.0 Core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsfSubcategory {
    /// `PR.AA-03`.
    pub id: String,
    /// `PR`.
    pub function_id: String,
    /// `Protect`.
    pub function_name: String,
    /// `PR.AA`.
    pub category_id: String,
    /// `Identity Management, Authentication, and Access Control`.
    pub category_name: String,
    /// NIST's statement, verbatim.
    pub statement: String,
}

/// Parses the embedded NIST CSF 2.0 Core.
///
/// # Errors
/// When the vendored CSV is malformed (a unit test guarantees the shipped one is not).
pub fn parse_nist_csf_2() -> Result<Vec<CsfSubcategory>, CatalogError> {
    parse_csf_csv(NIST_CSF_2_CSV)
}

fn parse_csf_csv(text: &str) -> Result<Vec<CsfSubcategory>, CatalogError> {
    const FILE: &str = "checks/nist-csf-2.0.csv";
    const HEADER: [&str; 6] = [
        "function_id",
        "function_name",
        "category_id",
        "category_name",
        "subcategory_id",
        "statement",
    ];
    let error = |line: Option<u64>, problem: String| CatalogError {
        file: FILE.to_owned(),
        field: None,
        line: line.and_then(|l| usize::try_from(l).ok()),
        problem,
    };
    // The csv crate owns the quoting (the Core's category names and statements hold commas and
    // quotes), skips blank lines, and refuses a row whose field count differs from the header's.
    let csv_error = |err: csv::Error| {
        let line = err.position().map(csv::Position::line);
        let problem = match err.kind() {
            csv::ErrorKind::UnequalLengths { len, .. } => {
                format!("expected {} fields, found {len}", HEADER.len())
            }
            _ => err.to_string(),
        };
        error(line, problem)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(csv_error)?;
    if header.is_empty() {
        return Err(error(Some(1), "the file is empty".to_owned()));
    }
    if header != HEADER[..] {
        return Err(error(
            Some(1),
            format!("the header is not `{}`", HEADER.join(",")),
        ));
    }
    let mut subcategories = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(csv::Position::line);
        let row: CsfRow = record.deserialize(None).map_err(csv_error)?;
        if !is_csf_2_id(&row.subcategory_id) || !row.subcategory_id.starts_with(&row.category_id) {
            return Err(error(
                line,
                format!(
                    "`{}` is not a CSF 2.0 subcategory id of category `{}`",
                    row.subcategory_id, row.category_id
                ),
            ));
        }
        subcategories.push(CsfSubcategory {
            id: row.subcategory_id,
            function_id: row.function_id,
            function_name: row.function_name,
            category_id: row.category_id,
            category_name: row.category_name,
            statement: row.statement,
        });
    }
    Ok(subcategories)
}

/// One row of `checks/nist-csf-2.0.csv`, in the header's order.
#[derive(Deserialize)]
struct CsfRow {
    function_id: String,
    function_name: String,
    category_id: String,
    category_name: String,
    subcategory_id: String,
    statement: String,
}

/// `XX.YY-NN`: two capital letters (the Function), a dot, two capital letters (the Category), a
/// hyphen and two digits.
fn is_csf_2_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 8
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2] == b'.'
        && b[3..5].iter().all(u8::is_ascii_uppercase)
        && b[5] == b'-'
        && b[6..].iter().all(u8::is_ascii_digit)
}

/// Parses and validates one check file. `stem` is the file name without `.toml`; `csf_ids` the
/// NIST CSF 2.0 subcategory ids a mapping may use.
///
/// # Errors
/// When the TOML does not parse into [`CheckMeta`] (syntax, a missing or unknown field, a wrong
/// type) or a value is invalid (see [`validate`]); the error names the file and the field.
pub fn parse_check(
    stem: &str,
    text: &str,
    csf_ids: &BTreeSet<&str>,
) -> Result<CheckMeta, CatalogError> {
    let file = format!("checks/{stem}.toml");
    let meta: CheckMeta = toml::from_str(text).map_err(|err| {
        let place = locate(text, err.span(), err.message());
        CatalogError {
            file: file.clone(),
            field: place.field(),
            line: place.line,
            // toml's message is one line; its `Display` adds a multi-line source excerpt that
            // our one-line error replaces with the line number and field.
            problem: err.message().trim().to_owned(),
        }
    })?;
    validate(stem, &meta, csf_ids).map_err(|(field, problem)| CatalogError {
        file,
        field: Some(field.to_owned()),
        line: None,
        problem,
    })?;
    Ok(meta)
}

/// Where in a TOML text an error is: its line, the table that holds it and the key, as far as
/// they can be told. `posture.toml` (`config::file`) reports its errors from it too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TomlPlace {
    /// The line, 1-based, when the error has a span.
    pub(crate) line: Option<usize>,
    /// The table header above the span (`mappings`, `thresholds`), brackets removed.
    pub(crate) table: Option<String>,
    /// The key: the one serde names, else the key on the span's line.
    pub(crate) key: Option<String>,
}

impl TomlPlace {
    /// The dotted field name (`mappings.nist_csf_2`), or the table or key alone.
    pub(crate) fn field(&self) -> Option<String> {
        match (&self.table, &self.key) {
            (Some(table), Some(key)) => Some(format!("{table}.{key}")),
            (None, Some(key)) => Some(key.clone()),
            (Some(table), None) => Some(table.clone()),
            (None, None) => None,
        }
    }
}

/// Finds the line, table and key a TOML error is about. serde names the field in the message for
/// missing and unknown fields (`missing field `title``) but not for type errors, whose span covers
/// the value: then the key is the one on that line. Either way the table header above the span
/// (`[mappings]`) gives the table.
pub(crate) fn locate(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> TomlPlace {
    let Some(span) = span else {
        return TomlPlace {
            key: named_field(message).map(str::to_owned),
            ..TomlPlace::default()
        };
    };
    let start = span.start.min(text.len());
    let line_index = text[..start].matches('\n').count();
    let lines: Vec<&str> = text.lines().collect();
    let line_text = lines.get(line_index).copied().unwrap_or("").trim();
    // The table that holds the span: the header on the span's own line (a missing field of a
    // table is reported at its header) or the last one above it.
    let table = lines[..=line_index.min(lines.len().saturating_sub(1))]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    let key = named_field(message).map(str::to_owned).or_else(|| {
        line_text
            .split_once('=')
            .map(|(key, _)| key.trim().to_owned())
    });
    TomlPlace {
        line: Some(line_index + 1),
        table,
        key,
    }
}

/// The field serde names in `missing field `x`` / `unknown field `x`, expected ...`.
pub(super) fn named_field(message: &str) -> Option<&str> {
    ["missing field `", "unknown field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| message.split_once(prefix))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(field, _)| field)
}

/// Checks what serde cannot: the id matches the file and is kebab-case, prose is present,
/// references are links, and every mapping id is well formed (CSF 2.0 ids must exist in the Core).
/// Returns the field at fault and the problem.
fn validate(
    stem: &str,
    meta: &CheckMeta,
    csf_ids: &BTreeSet<&str>,
) -> Result<(), (&'static str, String)> {
    if meta.id != stem {
        return Err((
            "id",
            format!("`{}` must equal the file name `{stem}`", meta.id),
        ));
    }
    if !is_kebab_case(&meta.id) {
        return Err((
            "id",
            format!(
                "`{}` must be kebab-case (lowercase letters and digits, single hyphens)",
                meta.id
            ),
        ));
    }
    if meta.logic_version == 0 {
        return Err(("logic_version", "must be 1 or more".to_owned()));
    }
    for (field, value) in [
        ("title", &meta.title),
        ("service", &meta.service),
        ("rationale", &meta.rationale),
        ("risk", &meta.risk),
        ("remediation", &meta.remediation),
    ] {
        if value.trim().is_empty() {
            return Err((field, "must not be empty".to_owned()));
        }
    }
    if meta.references.is_empty() {
        return Err(("references", "must list at least one link".to_owned()));
    }
    if let Some(bad) = meta.references.iter().find(|r| !r.starts_with("https://")) {
        return Err(("references", format!("`{bad}` is not an https:// link")));
    }
    let m = &meta.mappings;
    if m.nist_csf_2.is_empty() {
        return Err((
            "mappings.nist_csf_2",
            "must name at least one NIST CSF 2.0 subcategory".to_owned(),
        ));
    }
    if let Some(bad) = m
        .nist_csf_2
        .iter()
        .find(|id| !csf_ids.contains(id.as_str()))
    {
        return Err((
            "mappings.nist_csf_2",
            format!(
                "`{bad}` is not a subcategory of the NIST CSF 2.0 Core (checks/nist-csf-2.0.csv)"
            ),
        ));
    }
    let lists = [
        IdList("mappings.nist_csf_2", &m.nist_csf_2, |_| true, ""),
        IdList(
            "mappings.nist_csf_1_1",
            &m.nist_csf_1_1,
            is_csf_1_1_id,
            "a CSF 1.1 id like `PR.AC-7`",
        ),
        IdList(
            "mappings.cis_aws_v3",
            &m.cis_aws_v3,
            is_recommendation_number,
            "a recommendation number like `1.5`",
        ),
        IdList(
            "mappings.cis_aws_v5",
            &m.cis_aws_v5,
            is_recommendation_number,
            "a recommendation number like `1.4`",
        ),
        IdList(
            "mappings.cis_aws_v7",
            &m.cis_aws_v7,
            is_recommendation_number,
            "a recommendation number like `2.1.1`",
        ),
        IdList(
            "mappings.nist_800_53_r5",
            &m.nist_800_53_r5,
            is_800_53_control,
            "a control like `IA-2(1)`",
        ),
        IdList(
            "mappings.security_hub",
            &m.security_hub,
            is_security_hub_control,
            "a control id like `IAM.9`",
        ),
    ];
    for IdList(field, values, well_formed, expected) in lists {
        if let Some(bad) = values.iter().find(|v| !well_formed(v)) {
            return Err((field, format!("`{bad}` is not {expected}")));
        }
        let unique: BTreeSet<&String> = values.iter().collect();
        if unique.len() != values.len() {
            return Err((field, "lists an id twice".to_owned()));
        }
    }
    Ok(())
}

/// One mapping list to validate: its field, its ids, the test of one id's form, and what that
/// form looks like (for the message).
struct IdList<'a>(&'static str, &'a [String], fn(&str) -> bool, &'static str);

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `PR.AC-7`: Function, Category, one or two digits (CSF 1.1 ids are not zero-padded).
fn is_csf_1_1_id(id: &str) -> bool {
    let Some((category, number)) = id.split_once('-') else {
        return false;
    };
    let Some((function, cat)) = category.split_once('.') else {
        return false;
    };
    function.len() == 2
        && function.bytes().all(|b| b.is_ascii_uppercase())
        && cat.len() == 2
        && cat.bytes().all(|b| b.is_ascii_uppercase())
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// `1.5`, `3.1`, `1.14`: dot-separated numbers.
fn is_recommendation_number(n: &str) -> bool {
    n.split('.').count() >= 2
        && n.split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// `AC-2`, `IA-2(1)`: family, number, optional enhancement in parentheses.
fn is_800_53_control(c: &str) -> bool {
    let (base, enhancement) = match c.split_once('(') {
        Some((base, rest)) => (base, Some(rest)),
        None => (c, None),
    };
    let Some((family, number)) = base.split_once('-') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    family.len() == 2
        && family.bytes().all(|b| b.is_ascii_uppercase())
        && digits(number)
        && enhancement.is_none_or(|e| e.strip_suffix(')').is_some_and(digits))
}

/// `IAM.9`, `CloudTrail.1`: a service prefix and a number.
fn is_security_hub_control(c: &str) -> bool {
    c.split_once('.').is_some_and(|(service, number)| {
        !service.is_empty()
            && service.bytes().all(|b| b.is_ascii_alphanumeric())
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A check id that no check of the catalogue has (`posture checks ID`, `--checks`, a waiver's
/// `check`), with what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownCheck {
    /// What was asked for.
    pub id: String,
    /// The closest ids in the catalogue, best first (none when nothing is close).
    pub suggestions: Vec<String>,
}

impl fmt::Display for UnknownCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no check {:?} in the catalogue", self.id)?;
        if !self.suggestions.is_empty() {
            write!(f, "; did you mean {}?", self.suggestions.join(" or "))?;
        }
        write!(f, " (`posture checks` lists every check)")
    }
}

impl UnknownCheck {
    /// `typed`, not among `ids`, with the closest of them as suggestions.
    pub fn new<'a>(typed: &str, ids: impl Iterator<Item = &'a str> + Clone) -> Self {
        UnknownCheck {
            id: typed.to_owned(),
            suggestions: crate::text::closest(typed, ids),
        }
    }
}

/// A valid check that maps to `csf`, for tests of what is built from the catalogue.
#[cfg(test)]
pub(crate) fn check_mapped_to(id: &str, csf: &[&str]) -> CheckMeta {
    CheckMeta {
        id: id.to_owned(),
        title: format!("{id} passes"),
        severity: Severity::High,
        scope: Scope::Account,
        service: "iam".to_owned(),
        logic_version: 1,
        rationale: "why".to_owned(),
        risk: "what".to_owned(),
        remediation: "how".to_owned(),
        references: vec!["https://docs.aws.amazon.com/x.html".to_owned()],
        mappings: Mappings {
            nist_csf_2: csf.iter().map(|s| (*s).to_owned()).collect(),
            nist_csf_1_1: Vec::new(),
            cis_aws_v3: Vec::new(),
            cis_aws_v5: Vec::new(),
            cis_aws_v7: Vec::new(),
            nist_800_53_r5: Vec::new(),
            security_hub: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csf_ids() -> BTreeSet<&'static str> {
        ["PR.AA-01", "PR.AA-03"].into_iter().collect()
    }

    const GOOD: &str = r#"
id = "good-check"
title = "A title"
severity = "high"
scope = "account"
service = "iam"
logic_version = 1
rationale = """
Why.
"""
risk = "What happens."
remediation = """
Do this.
"""
references = ["https://docs.aws.amazon.com/x.html"]

[mappings]
nist_csf_2 = ["PR.AA-03"]
cis_aws_v5 = ["1.4"]
nist_800_53_r5 = ["IA-2(1)", "AC-2"]
security_hub = ["IAM.9"]
"#;

    fn error_for(stem: &str, text: &str) -> CatalogError {
        parse_check(stem, text, &csf_ids()).expect_err("the file must be rejected")
    }

    #[test]
    fn parses_a_good_check() {
        let meta = parse_check("good-check", GOOD, &csf_ids()).unwrap();
        assert_eq!(meta.severity, Severity::High);
        assert_eq!(meta.scope, Scope::Account);
        assert_eq!(meta.mappings.nist_csf_2, ["PR.AA-03"]);
        assert!(meta.mappings.nist_csf_1_1.is_empty());
    }

    #[test]
    fn names_file_and_field_when_a_field_is_missing() {
        let text = GOOD.replace("title = \"A title\"\n", "");
        let err = error_for("good-check", &text);
        assert_eq!(err.field.as_deref(), Some("title"), "{err}");
        let shown = err.to_string();
        assert!(shown.starts_with("checks/good-check.toml"), "{shown}");
        assert!(shown.contains("`title`"), "{shown}");
    }

    #[test]
    fn names_the_table_when_a_mapping_field_is_missing() {
        let text = GOOD.replace("nist_csf_2 = [\"PR.AA-03\"]\n", "");
        let err = error_for("good-check", &text);
        assert_eq!(err.field.as_deref(), Some("mappings.nist_csf_2"), "{err}");
    }

    #[test]
    fn names_an_unknown_field() {
        let text = GOOD.replace("[mappings]\n", "[mappings]\nnist_csf = [\"PR.AA-03\"]\n");
        let err = error_for("good-check", &text);
        assert_eq!(err.field.as_deref(), Some("mappings.nist_csf"), "{err}");
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn names_the_field_of_a_wrong_type() {
        let text = GOOD.replace("logic_version = 1", "logic_version = \"one\"");
        let err = error_for("good-check", &text);
        assert_eq!(err.field.as_deref(), Some("logic_version"), "{err}");
        assert_eq!(err.line, Some(7), "{err}");
    }

    #[test]
    fn names_the_field_of_a_bad_enum_value() {
        let text = GOOD.replace("severity = \"high\"", "severity = \"urgent\"");
        let err = error_for("good-check", &text);
        assert_eq!(err.field.as_deref(), Some("severity"), "{err}");
    }

    #[test]
    fn rejects_an_unknown_csf_subcategory() {
        let text = GOOD.replace("[\"PR.AA-03\"]", "[\"PR.AC-7\"]");
        let err = error_for("good-check", &text);
        assert_eq!(err.field.as_deref(), Some("mappings.nist_csf_2"));
        let shown = err.to_string();
        assert!(
            shown.starts_with("checks/good-check.toml, field `mappings.nist_csf_2`: `PR.AC-7`"),
            "{shown}"
        );
    }

    #[test]
    fn rejects_an_empty_csf_mapping() {
        let text = GOOD.replace("[\"PR.AA-03\"]", "[]");
        assert_eq!(
            error_for("good-check", &text).field.as_deref(),
            Some("mappings.nist_csf_2")
        );
    }

    #[test]
    fn rejects_an_id_that_is_not_the_file_stem() {
        let err = error_for("other-name", GOOD);
        assert_eq!(err.field.as_deref(), Some("id"));
        assert!(
            err.to_string().starts_with("checks/other-name.toml"),
            "{err}"
        );
    }

    #[test]
    fn rejects_an_id_that_is_not_kebab_case() {
        let text = GOOD.replace("id = \"good-check\"", "id = \"Good_Check\"");
        assert_eq!(error_for("Good_Check", &text).field.as_deref(), Some("id"));
    }

    #[test]
    fn rejects_malformed_framework_ids() {
        for (from, to, field) in [
            ("[\"1.4\"]", "[\"one\"]", "mappings.cis_aws_v5"),
            (
                "[\"IA-2(1)\", \"AC-2\"]",
                "[\"IA-2(\"]",
                "mappings.nist_800_53_r5",
            ),
            ("[\"IAM.9\"]", "[\"IAM\"]", "mappings.security_hub"),
        ] {
            let err = error_for("good-check", &GOOD.replace(from, to));
            assert_eq!(err.field.as_deref(), Some(field), "{err}");
        }
    }

    #[test]
    fn rejects_a_reference_that_is_not_a_link() {
        let text = GOOD.replace("https://docs.aws.amazon.com/x.html", "see the docs");
        assert_eq!(
            error_for("good-check", &text).field.as_deref(),
            Some("references")
        );
    }

    #[test]
    fn the_shipped_csf_core_has_all_106_subcategories() {
        let core = parse_nist_csf_2().unwrap();
        assert_eq!(core.len(), 106);
        let pr_aa_03 = core.iter().find(|s| s.id == "PR.AA-03").unwrap();
        assert_eq!(pr_aa_03.category_id, "PR.AA");
        assert_eq!(
            pr_aa_03.statement,
            "Users, services, and hardware are authenticated"
        );
        // Withdrawn 1.1 ids are not in the 2.0 Core.
        assert!(
            !core
                .iter()
                .any(|s| s.id == "PR.AC-07" || s.id == "DE.CM-07")
        );
    }

    const CSF_HEADER: &str =
        "function_id,function_name,category_id,category_name,subcategory_id,statement\n";

    #[test]
    fn reads_quoted_csv_fields() {
        let text = format!(
            "{CSF_HEADER}PR,Protect,PR.AA,\"Identity, Access\",PR.AA-03,\"Users are \"\"authenticated\"\"\"\n\n"
        );
        let [row] = &parse_csf_csv(&text).unwrap()[..] else {
            panic!("one subcategory");
        };
        assert_eq!(row.category_name, "Identity, Access");
        assert_eq!(row.statement, "Users are \"authenticated\"");
    }

    #[test]
    fn rejects_a_csf_row_with_a_missing_field() {
        let text = format!(
            "{CSF_HEADER}PR,Protect,PR.AA,Access,PR.AA-03,Fine\nPR,Protect,PR.AA,\"Access, Users\"\n"
        );
        let err = parse_csf_csv(&text).unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert_eq!(err.problem, "expected 6 fields, found 4", "{err}");
    }

    #[test]
    fn rejects_a_csf_core_with_another_header() {
        let err = parse_csf_csv("id,statement\nPR.AA-03,Users\n").unwrap_err();
        assert_eq!(err.line, Some(1), "{err}");
        assert!(
            err.problem.starts_with("the header is not `function_id,"),
            "{err}"
        );
        assert_eq!(parse_csf_csv("").unwrap_err().problem, "the file is empty");
    }

    #[test]
    fn rejects_a_malformed_csf_core() {
        let bad = "function_id,function_name,category_id,category_name,subcategory_id,statement\n\
                   PR,Protect,PR.AA,Access,PRAA03,Users are authenticated\n";
        let err = parse_csf_csv(bad).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn every_mapping_family_has_a_name_and_reads_its_own_field() {
        // Every field named, so that a new one fails to compile here until it has a family.
        let one = || vec!["1.1".to_owned()];
        let every = Mappings {
            nist_csf_2: one(),
            nist_csf_1_1: one(),
            cis_aws_v3: one(),
            cis_aws_v5: one(),
            cis_aws_v7: one(),
            nist_800_53_r5: one(),
            security_hub: one(),
        };
        let mappings = serde_json::to_value(&every).unwrap();
        let fields: BTreeSet<&str> = mappings
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let named: BTreeSet<&str> = MAPPING_FAMILIES.iter().map(|f| f.key).collect();
        assert_eq!(fields, named);
        for check in crate::evaluate::catalog() {
            let json = serde_json::to_value(&check.mappings).unwrap();
            for family in MAPPING_FAMILIES {
                // An empty family may be left out of the JSON.
                assert_eq!(
                    serde_json::to_value((family.ids)(&check.mappings)).unwrap(),
                    json.get(family.key)
                        .cloned()
                        .unwrap_or_else(|| serde_json::json!([])),
                    "{} {}",
                    check.id,
                    family.key
                );
            }
        }
    }
}
