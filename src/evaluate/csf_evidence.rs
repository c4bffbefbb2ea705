//! Which NIST CSF 2.0 subcategories AWS APIs could give evidence for:
//! `checks/nist-csf-2.0-aws.toml` (embedded), parsed into [`CsfEvidence`] and validated against the
//! Core and the check catalogue.
//!
//! The classification is posture's judgement, written as data beside the Core it classifies. It is
//! what lets `posture checks --framework nist-csf-2.0` tell a subcategory posture has no check for
//! *yet* (AWS APIs could evidence it) from one it cannot assess at all (the evidence is a policy, a
//! person, a contract or a process). It changes no finding, which is why it is not part of
//! [`super::catalogue_version`]: editing it must not make stored findings look stale to `posture
//! reevaluate`.
//!
//! Parsing and validation only; nothing here reads files at run time. A bad file is a
//! [`CatalogError`] naming the file and the line or the subcategory, like a bad check file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::catalog::{CatalogError, CheckMeta, CsfSubcategory, named_field};

/// The classification as shipped (see the file's header for what it holds).
pub(crate) const NIST_CSF_2_AWS_TOML: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/nist-csf-2.0-aws.toml"
));

/// The classification's file, relative to the repository, as errors name it. It is the one TOML
/// file in `checks/` that is not a check.
pub const NIST_CSF_2_AWS_FILE: &str = "checks/nist-csf-2.0-aws.toml";

/// The longest `evidence` line, in characters: it is shown after the subcategory id on one
/// terminal line, so it must stay short.
pub const MAX_EVIDENCE_CHARS: usize = 100;

/// Where the evidence for a subcategory comes from, in posture's judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// Read-only AWS APIs could give evidence for it (posture may have no check for it yet).
    Aws,
    /// It needs evidence from outside AWS APIs: policies, people, contracts, processes.
    Outside,
}

/// One subcategory's classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsfEvidence {
    /// `DE.CM-01`.
    pub id: String,
    /// `aws` or `outside`.
    pub kind: EvidenceKind,
    /// One line: for `aws` the services and APIs that could give evidence ("GuardDuty detectors,
    /// VPC Flow Logs"), for `outside` what the evidence is instead ("the organizational mission:
    /// a governance document").
    pub evidence: String,
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceFile {
    subcategories: Vec<Spanned<EvidenceRow>>,
}

/// One `{ id, kind, evidence }` of the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceRow {
    id: String,
    kind: EvidenceKind,
    evidence: String,
}

/// Parses and validates the classification `text` against the NIST CSF 2.0 `core` and the checks
/// of `catalog`. The result has one entry per subcategory of `core`, in the Core's order.
///
/// # Errors
/// A [`CatalogError`] naming [`NIST_CSF_2_AWS_FILE`] and the line (or, for a subcategory left out,
/// its id) when the TOML does not parse (syntax, an unknown field, a `kind` other than `aws` or
/// `outside`), an id is not in the Core or is listed twice, an `evidence` is empty, not one short
/// line or holds parentheses, a subcategory of the Core is missing, or a check maps to a
/// subcategory classified `outside` (a check is AWS evidence by definition).
pub fn parse_nist_csf_2_aws(
    text: &str,
    core: &[CsfSubcategory],
    catalog: &[CheckMeta],
) -> Result<Vec<CsfEvidence>, CatalogError> {
    let file: EvidenceFile = toml::from_str(text).map_err(|err| {
        let message = err.message().trim();
        error(
            err.span().map(|span| line_of(text, span.start)),
            named_field(message),
            // toml's `Display` adds a multi-line excerpt; the line number replaces it.
            message.to_owned(),
        )
    })?;
    // Each id with the line it is on.
    let mut rows: BTreeMap<&str, (usize, &EvidenceRow)> = BTreeMap::new();
    for spanned in &file.subcategories {
        let row = spanned.get_ref();
        let line = line_of(text, spanned.span().start);
        let at = |field: &str, problem: String| error(Some(line), Some(field), problem);
        if !core.iter().any(|s| s.id == row.id) {
            return Err(at(
                "id",
                format!(
                    "`{}` is not a subcategory of the NIST CSF 2.0 Core (checks/nist-csf-2.0.csv)",
                    row.id
                ),
            ));
        }
        if let Some((first, _)) = rows.get(row.id.as_str()) {
            return Err(at(
                "id",
                format!("`{}` is listed twice (first on line {first})", row.id),
            ));
        }
        let evidence = row.evidence.trim();
        if evidence.is_empty() {
            return Err(at(
                "evidence",
                format!("`{}`: must say what gives evidence for it", row.id),
            ));
        }
        let chars = evidence.chars().count();
        if evidence.contains('\n') || chars > MAX_EVIDENCE_CHARS {
            return Err(at(
                "evidence",
                format!(
                    "`{}`: must be one line of at most {MAX_EVIDENCE_CHARS} characters (it has {chars})",
                    row.id
                ),
            ));
        }
        // The line is shown inside parentheses ("cannot be assessed from AWS APIs (...)").
        if evidence.contains(['(', ')']) {
            return Err(at(
                "evidence",
                format!(
                    "`{}`: must not contain parentheses: it is shown inside them",
                    row.id
                ),
            ));
        }
        if row.kind == EvidenceKind::Outside
            && let Some(check) = catalog
                .iter()
                .find(|c| c.mappings.nist_csf_2.contains(&row.id))
        {
            return Err(at(
                "kind",
                format!(
                    "`{}` is `outside`, but check `{}` maps to it (checks/{}.toml, mappings.nist_csf_2); \
                     a check is AWS evidence, so make it `aws` and name what the check reads, or drop the mapping",
                    row.id, check.id, check.id
                ),
            ));
        }
        rows.insert(&row.id, (line, row));
    }
    core.iter()
        .map(|sub| {
            let (_, row) = rows.get(sub.id.as_str()).ok_or_else(|| missing(&sub.id))?;
            Ok(CsfEvidence {
                id: sub.id.clone(),
                kind: row.kind,
                evidence: row.evidence.trim().to_owned(),
            })
        })
        .collect()
}

/// The error for a subcategory of the Core that the classification leaves out.
pub(crate) fn missing(id: &str) -> CatalogError {
    error(
        None,
        Some("subcategories"),
        format!(
            "`{id}` is missing: every subcategory of the NIST CSF 2.0 Core must be classified `aws` or `outside`"
        ),
    )
}

fn error(line: Option<usize>, field: Option<&str>, problem: String) -> CatalogError {
    CatalogError {
        file: NIST_CSF_2_AWS_FILE.to_owned(),
        field: field.map(str::to_owned),
        line,
        problem,
    }
}

/// The 1-based line of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::catalog::check_mapped_to as check;
    use crate::evaluate::{catalog, nist_csf_2};

    fn sub(id: &str) -> CsfSubcategory {
        CsfSubcategory {
            id: id.to_owned(),
            function_id: id[..2].to_owned(),
            function_name: "Function".to_owned(),
            category_id: id[..5].to_owned(),
            category_name: "Category".to_owned(),
            statement: format!("{id} is done"),
        }
    }

    fn core() -> Vec<CsfSubcategory> {
        vec![sub("GV.OC-01"), sub("DE.CM-01"), sub("PR.AA-03")]
    }

    const GOOD: &str = r#"# A comment.
subcategories = [
  { id = "GV.OC-01", kind = "outside", evidence = "the organizational mission: a governance document" },
  { id = "PR.AA-03", kind = "aws", evidence = "IAM credential report" },
  { id = "DE.CM-01", kind = "aws", evidence = "GuardDuty detectors, VPC Flow Logs" },
]
"#;

    fn error_for(text: &str) -> CatalogError {
        let catalog = [check("root-mfa", &["PR.AA-03"])];
        parse_nist_csf_2_aws(text, &core(), &catalog).expect_err("the file must be rejected")
    }

    #[test]
    fn the_shipped_classification_covers_the_core_and_every_check_mapping() {
        // The same validation `posture checks --framework` relies on; the message names the file
        // and the subcategory.
        let evidence = crate::evaluate::load_nist_csf_2_aws().unwrap_or_else(|err| panic!("{err}"));
        let ids: Vec<&str> = evidence.iter().map(|e| e.id.as_str()).collect();
        let core: Vec<&str> = nist_csf_2().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, core);
        for check in catalog() {
            for id in &check.mappings.nist_csf_2 {
                let kind = evidence.iter().find(|e| &e.id == id).map(|e| e.kind);
                assert_eq!(
                    kind,
                    Some(EvidenceKind::Aws),
                    "{NIST_CSF_2_AWS_FILE}: {id} must be `aws`: check {} maps to it",
                    check.id
                );
            }
        }
    }

    #[test]
    fn parses_a_good_file_into_the_cores_order() {
        let catalog = [check("root-mfa", &["PR.AA-03"])];
        let evidence = parse_nist_csf_2_aws(GOOD, &core(), &catalog).unwrap();
        let rows: Vec<(&str, EvidenceKind, &str)> = evidence
            .iter()
            .map(|e| (e.id.as_str(), e.kind, e.evidence.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "GV.OC-01",
                    EvidenceKind::Outside,
                    "the organizational mission: a governance document"
                ),
                (
                    "DE.CM-01",
                    EvidenceKind::Aws,
                    "GuardDuty detectors, VPC Flow Logs"
                ),
                ("PR.AA-03", EvidenceKind::Aws, "IAM credential report"),
            ]
        );
    }

    #[test]
    fn names_the_file_line_and_id_of_an_unknown_subcategory() {
        let err = error_for(&GOOD.replace("\"PR.AA-03\"", "\"PR.AC-07\""));
        assert_eq!(
            err.to_string(),
            "checks/nist-csf-2.0-aws.toml, line 4, field `id`: `PR.AC-07` is not a subcategory of the NIST CSF 2.0 Core (checks/nist-csf-2.0.csv)"
        );
    }

    #[test]
    fn names_a_subcategory_listed_twice_and_where_it_was_first() {
        let text = GOOD.replace("\"DE.CM-01\"", "\"GV.OC-01\"");
        let err = error_for(&text);
        assert_eq!(err.line, Some(5), "{err}");
        assert!(
            err.to_string()
                .ends_with("`GV.OC-01` is listed twice (first on line 3)"),
            "{err}"
        );
    }

    #[test]
    fn names_a_subcategory_of_the_core_that_is_missing() {
        let text: String = GOOD
            .lines()
            .filter(|l| !l.contains("DE.CM-01"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            error_for(&text).to_string(),
            "checks/nist-csf-2.0-aws.toml, field `subcategories`: `DE.CM-01` is missing: every subcategory of the NIST CSF 2.0 Core must be classified `aws` or `outside`"
        );
    }

    #[test]
    fn rejects_a_kind_other_than_aws_or_outside_on_its_line() {
        let err = error_for(&GOOD.replace(
            "kind = \"aws\", evidence = \"IAM",
            "kind = \"api\", evidence = \"IAM",
        ));
        assert_eq!(err.line, Some(4), "{err}");
        assert!(err.problem.contains("unknown variant `api`"), "{err}");
        assert!(
            err.to_string()
                .starts_with("checks/nist-csf-2.0-aws.toml, line 4"),
            "{err}"
        );
    }

    #[test]
    fn rejects_an_unknown_or_missing_field() {
        let err = error_for(&GOOD.replace("evidence = \"IAM", "why = \"IAM"));
        assert_eq!(err.line, Some(4), "{err}");
        assert!(err.problem.contains("why"), "{err}");
        let err = error_for(&GOOD.replace(", evidence = \"IAM credential report\"", ""));
        assert_eq!(err.field.as_deref(), Some("evidence"), "{err}");
    }

    #[test]
    fn rejects_an_evidence_line_that_is_empty_long_or_parenthesized() {
        let err = error_for(&GOOD.replace("\"IAM credential report\"", "\"  \""));
        assert_eq!(
            err.to_string(),
            "checks/nist-csf-2.0-aws.toml, line 4, field `evidence`: `PR.AA-03`: must say what gives evidence for it"
        );
        let long = "x".repeat(MAX_EVIDENCE_CHARS + 1);
        let err = error_for(&GOOD.replace("IAM credential report", &long));
        assert_eq!(err.field.as_deref(), Some("evidence"), "{err}");
        assert!(err.problem.contains("one line of at most 100"), "{err}");
        let err = error_for(&GOOD.replace("IAM credential report", "IAM\\ncredential report"));
        assert_eq!(err.line, Some(4), "{err}");
        let err = error_for(&GOOD.replace("IAM credential report", "IAM (credential report)"));
        assert_eq!(
            err.to_string(),
            "checks/nist-csf-2.0-aws.toml, line 4, field `evidence`: `PR.AA-03`: must not contain parentheses: it is shown inside them"
        );
    }

    #[test]
    fn rejects_outside_for_a_subcategory_a_check_maps_to() {
        let err = error_for(&GOOD.replace(
            "\"PR.AA-03\", kind = \"aws\"",
            "\"PR.AA-03\", kind = \"outside\"",
        ));
        assert_eq!(err.line, Some(4), "{err}");
        assert_eq!(err.field.as_deref(), Some("kind"), "{err}");
        assert!(
            err.to_string().starts_with(
                "checks/nist-csf-2.0-aws.toml, line 4, field `kind`: `PR.AA-03` is `outside`, but check `root-mfa` maps to it (checks/root-mfa.toml, mappings.nist_csf_2)"
            ),
            "{err}"
        );
    }
}
