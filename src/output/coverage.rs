//! The check catalogue as `posture checks` shows it: the list of checks, one check with its NIST
//! CSF 2.0 subcategories resolved against the Core, and the Core seen through the catalogue (which
//! subcategories have a check, which could have one, which posture cannot assess from AWS APIs).
//!
//! These are the `--json` shapes of `posture checks`: typed, `Serialize` view structs built from
//! the catalogue, the Core and the AWS-evidence classification (`checks/nist-csf-2.0-aws.toml`)
//! by pure functions. Nothing here reads files, the clock or AWS, and nothing prints (that is
//! `output`). Which checks exist is never written here: everything is computed from the catalogue
//! it is given, so a check added to `checks/` shows up by itself.
//!
//! JSON shapes (part of posture's interface: add fields, do not rename or remove them):
//! - `posture checks --json`: [`Listing`], `{catalogue_version, checks: [check]}`, where a check
//!   is its `checks/<id>.toml` as written ([`CheckMeta`]).
//! - `posture checks ID --json`: [`CheckDetail`], `{catalogue_version, check, nist_csf_2:
//!   [subcategory]}`, each subcategory with its Function, Category and NIST's statement.
//! - `posture checks --framework nist-csf-2.0 --json`: [`Coverage`], `{framework: {id, name},
//!   catalogue_version, checks (how many), summary, functions: [{id, name, summary, categories:
//!   [{id, name, summary, subcategories: [{id, statement, status, assessment, checks, evidence,
//!   reason?}]}]}]}`, where
//!   - `status` is `checked` (at least one check), `not_yet_checked` (no check, but AWS APIs could
//!     give evidence) or `outside_aws` (it needs evidence from outside AWS APIs);
//!   - `evidence` is the subcategory's line in `checks/nist-csf-2.0-aws.toml`: the AWS services
//!     and APIs that could give evidence, or what the evidence is instead;
//!   - `reason` is there only without a check: the sentence the terminal shows;
//!   - `assessment` (`checked` or `not_assessed`) is the older, coarser form of `status`;
//!   - every `summary` is `{subcategories, covered, not_assessed, not_yet_checked, outside_aws}`,
//!     `covered` counting `checked` and `not_assessed` the other two together.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::evaluate::catalog::{CatalogError, CheckMeta, CsfSubcategory, UnknownCheck};
use crate::evaluate::csf_evidence::{CsfEvidence, EvidenceKind};

/// The frameworks whose coverage `posture checks --framework` shows. Only NIST CSF 2.0 is validated
/// against its official catalogue; the other mappings of a check are cross-references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Framework {
    /// NIST Cybersecurity Framework 2.0 (`nist-csf-2.0`).
    #[serde(rename = "nist-csf-2.0")]
    NistCsf2,
}

impl Framework {
    /// Every supported framework, in the order they are listed to the user.
    pub const ALL: [Framework; 1] = [Framework::NistCsf2];

    /// The name typed after `--framework`.
    pub fn id(self) -> &'static str {
        match self {
            Framework::NistCsf2 => "nist-csf-2.0",
        }
    }

    /// The framework's full name and version.
    pub fn name(self) -> &'static str {
        match self {
            Framework::NistCsf2 => "NIST Cybersecurity Framework (CSF) 2.0",
        }
    }
}

impl FromStr for Framework {
    type Err = UnknownFramework;

    /// Case-insensitive: `NIST-CSF-2.0` is `nist-csf-2.0`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Framework::ALL
            .into_iter()
            .find(|f| f.id().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownFramework {
                name: name.to_owned(),
            })
    }
}

/// A `--framework` that posture does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownFramework {
    /// What was asked for.
    pub name: String,
}

impl fmt::Display for UnknownFramework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let supported: Vec<&str> = Framework::ALL.iter().map(|f| f.id()).collect();
        write!(
            f,
            "unknown framework {:?}; supported: {}",
            self.name,
            supported.join(", ")
        )
    }
}

/// `posture checks --json`: every check of the catalogue, as its TOML file has it.
#[derive(Debug, Clone, Serialize)]
pub struct Listing<'a> {
    /// The catalogue's version (the same as in snapshots).
    pub catalogue_version: &'a str,
    /// Every check, in catalogue order.
    pub checks: &'a [CheckMeta],
    /// The multi-account controls of the landing-zone guidance, with the checks that cover each
    /// and what is left.
    pub landing_zone: &'a [crate::evaluate::landing_zone::LandingZoneControl],
}

/// `posture checks ID --json`: one check in full, with its NIST CSF 2.0 subcategories resolved
/// against the Core.
#[derive(Debug, Clone, Serialize)]
pub struct CheckDetail<'a> {
    /// The catalogue's version.
    pub catalogue_version: &'a str,
    /// The check, as its TOML file has it.
    pub check: &'a CheckMeta,
    /// Each of `check.mappings.nist_csf_2`, in that order, with its Function, Category and
    /// statement from the Core.
    pub nist_csf_2: Vec<&'a CsfSubcategory>,
}

impl<'a> CheckDetail<'a> {
    /// The check `id` of `catalog`, or what to type instead.
    ///
    /// A mapped id that is not in `core` is left out; catalogue validation rejects such ids, so
    /// `catalog()` has none.
    ///
    /// # Errors
    /// [`UnknownCheck`] when no check has that id, with the closest ids.
    pub fn find(
        id: &str,
        catalogue_version: &'a str,
        catalog: &'a [CheckMeta],
        core: &'a [CsfSubcategory],
    ) -> Result<Self, UnknownCheck> {
        let check = catalog
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| UnknownCheck::new(id, catalog.iter().map(|c| c.id.as_str())))?;
        let nist_csf_2 = check
            .mappings
            .nist_csf_2
            .iter()
            .filter_map(|id| core.iter().find(|s| &s.id == id))
            .collect();
        Ok(Self {
            catalogue_version,
            check,
            nist_csf_2,
        })
    }
}

/// `posture checks --framework nist-csf-2.0 --json`: every Function, Category and subcategory of
/// the NIST CSF 2.0 Core, in the Core's order, each subcategory with the checks that give evidence
/// for it, or, without one, whether AWS APIs could give evidence for it (posture has no check for
/// it yet) or not (it cannot be assessed from AWS APIs).
#[derive(Debug, Clone, Serialize)]
pub struct Coverage<'a> {
    /// The framework: `{id: "nist-csf-2.0", name}`.
    pub framework: FrameworkRef,
    /// The catalogue's version.
    pub catalogue_version: &'a str,
    /// How many checks the catalogue has.
    pub checks: usize,
    /// Counts over the whole Core.
    pub summary: Counts,
    /// GV, ID, PR, DE, RS, RC.
    pub functions: Vec<FunctionCoverage<'a>>,
}

/// A framework as the JSON names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FrameworkRef {
    /// `nist-csf-2.0`: what `--framework` takes.
    pub id: Framework,
    /// `NIST Cybersecurity Framework (CSF) 2.0`.
    pub name: &'static str,
}

/// Subcategories counted by [`CoverageStatus`]: `covered + not_yet_checked + outside_aws =
/// subcategories`, and `not_assessed = not_yet_checked + outside_aws`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Subcategories in this part of the Core.
    pub subcategories: usize,
    /// Those with at least one check (`checked`).
    pub covered: usize,
    /// Those with none, whatever the reason (kept from before the two below existed).
    pub not_assessed: usize,
    /// Those with none that AWS APIs could give evidence for (`not_yet_checked`).
    pub not_yet_checked: usize,
    /// Those that need evidence from outside AWS APIs (`outside_aws`).
    pub outside_aws: usize,
}

impl Counts {
    fn add(&mut self, status: CoverageStatus) {
        self.subcategories += 1;
        match status {
            CoverageStatus::Checked => self.covered += 1,
            CoverageStatus::NotYetChecked => {
                self.not_assessed += 1;
                self.not_yet_checked += 1;
            }
            CoverageStatus::OutsideAws => {
                self.not_assessed += 1;
                self.outside_aws += 1;
            }
        }
    }
}

/// One Function of the Core.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionCoverage<'a> {
    /// `PR`.
    pub id: &'a str,
    /// `Protect`.
    pub name: &'a str,
    /// Counts over the Function's subcategories.
    pub summary: Counts,
    /// Its Categories, in the Core's order.
    pub categories: Vec<CategoryCoverage<'a>>,
}

/// One Category of the Core.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryCoverage<'a> {
    /// `PR.AA`.
    pub id: &'a str,
    /// `Identity Management, Authentication, and Access Control`.
    pub name: &'a str,
    /// Counts over the Category's subcategories.
    pub summary: Counts,
    /// Its subcategories, in the Core's order.
    pub subcategories: Vec<SubcategoryCoverage<'a>>,
}

/// One subcategory and what posture has for it.
#[derive(Debug, Clone, Serialize)]
pub struct SubcategoryCoverage<'a> {
    /// `PR.AA-03`.
    pub id: &'a str,
    /// NIST's statement, verbatim.
    pub statement: &'a str,
    /// `checked`, `not_yet_checked` or `outside_aws`.
    pub status: CoverageStatus,
    /// `checked` or `not_assessed`: [`Self::status`] with the last two merged (kept for
    /// compatibility).
    pub assessment: Assessment,
    /// The checks mapped to it, in catalogue order; empty unless `checked`.
    pub checks: Vec<&'a str>,
    /// From `checks/nist-csf-2.0-aws.toml`: the AWS services and APIs that give (or could give)
    /// evidence for it, or, for `outside_aws`, what the evidence is instead.
    pub evidence: &'a str,
    /// Without a check, what its line says ([`CoverageStatus::describe`]); absent when it has
    /// checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What posture can say about a subcategory. The values are stable: scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// At least one check maps to it.
    Checked,
    /// No check maps to it, but AWS APIs could give evidence for it: a check could be written.
    NotYetChecked,
    /// It needs evidence from outside AWS APIs (policies, people, contracts, processes): posture
    /// cannot assess it.
    OutsideAws,
}

impl CoverageStatus {
    /// How a subcategory's line reads, the same words in the terminal and in the JSON's `reason`:
    /// `checked by a, b`; `no posture check yet (AWS APIs could give evidence: ...)`; `cannot be
    /// assessed from AWS APIs (...)`.
    pub fn describe(self, checks: &[&str], evidence: &str) -> String {
        match self {
            CoverageStatus::Checked => format!("checked by {}", checks.join(", ")),
            CoverageStatus::NotYetChecked => {
                format!("no posture check yet (AWS APIs could give evidence: {evidence})")
            }
            CoverageStatus::OutsideAws => format!("cannot be assessed from AWS APIs ({evidence})"),
        }
    }
}

/// Whether posture gives evidence for a subcategory (the JSON's `assessment`, from before
/// [`CoverageStatus`] told the two kinds of "no" apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    /// At least one check maps to it.
    Checked,
    /// No check maps to it.
    NotAssessed,
}

impl From<CoverageStatus> for Assessment {
    fn from(status: CoverageStatus) -> Self {
        match status {
            CoverageStatus::Checked => Assessment::Checked,
            CoverageStatus::NotYetChecked | CoverageStatus::OutsideAws => Assessment::NotAssessed,
        }
    }
}

impl<'a> Coverage<'a> {
    /// The coverage of the NIST CSF 2.0 `core` by the checks of `catalog`, with what `evidence`
    /// (`checks/nist-csf-2.0-aws.toml`) says of each subcategory.
    ///
    /// A subcategory with a check is `checked` whatever its kind (validation makes every mapped
    /// subcategory `aws`).
    ///
    /// # Errors
    /// When `evidence` has no entry for a subcategory of `core`: it would have to be left blank
    /// or guessed. The validated [`crate::evaluate::load_nist_csf_2_aws`] has one for each.
    pub fn nist_csf_2(
        catalogue_version: &'a str,
        catalog: &'a [CheckMeta],
        core: &'a [CsfSubcategory],
        evidence: &'a [CsfEvidence],
    ) -> Result<Self, CatalogError> {
        let mut summary = Counts::default();
        let mut functions: Vec<FunctionCoverage<'a>> = Vec::new();
        for sub in core {
            let classified = evidence
                .iter()
                .find(|e| e.id == sub.id)
                .ok_or_else(|| crate::evaluate::csf_evidence::missing(&sub.id))?;
            let checks: Vec<&str> = catalog
                .iter()
                .filter(|c| c.mappings.nist_csf_2.contains(&sub.id))
                .map(|c| c.id.as_str())
                .collect();
            let status = match (checks.is_empty(), classified.kind) {
                (false, _) => CoverageStatus::Checked,
                (true, EvidenceKind::Aws) => CoverageStatus::NotYetChecked,
                (true, EvidenceKind::Outside) => CoverageStatus::OutsideAws,
            };
            let reason = (status != CoverageStatus::Checked)
                .then(|| status.describe(&checks, &classified.evidence));
            // Found rather than "the last one": the Core's rows are grouped, but nothing here
            // should depend on it.
            let function = match functions.iter().position(|f| f.id == sub.function_id) {
                Some(i) => &mut functions[i],
                None => {
                    functions.push(FunctionCoverage {
                        id: &sub.function_id,
                        name: &sub.function_name,
                        summary: Counts::default(),
                        categories: Vec::new(),
                    });
                    functions.last_mut().expect("pushed")
                }
            };
            let categories = &mut function.categories;
            let category = match categories.iter().position(|c| c.id == sub.category_id) {
                Some(i) => &mut categories[i],
                None => {
                    categories.push(CategoryCoverage {
                        id: &sub.category_id,
                        name: &sub.category_name,
                        summary: Counts::default(),
                        subcategories: Vec::new(),
                    });
                    categories.last_mut().expect("pushed")
                }
            };
            category.subcategories.push(SubcategoryCoverage {
                id: &sub.id,
                statement: &sub.statement,
                status,
                assessment: status.into(),
                checks,
                evidence: &classified.evidence,
                reason,
            });
            category.summary.add(status);
            function.summary.add(status);
            summary.add(status);
        }
        Ok(Self {
            framework: FrameworkRef {
                id: Framework::NistCsf2,
                name: Framework::NistCsf2.name(),
            },
            catalogue_version,
            checks: catalog.len(),
            summary,
            functions,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::evaluate::catalog::check_mapped_to as check;
    use crate::evaluate::{catalog, load_nist_csf_2_aws, nist_csf_2};

    fn sub(id: &str, category: &str) -> CsfSubcategory {
        let function = &category[..2];
        CsfSubcategory {
            id: id.to_owned(),
            function_id: function.to_owned(),
            function_name: format!("{function} function"),
            category_id: category.to_owned(),
            category_name: format!("{category} category"),
            statement: format!("{id} is done"),
        }
    }

    fn core() -> Vec<CsfSubcategory> {
        vec![
            sub("GV.OC-01", "GV.OC"),
            sub("GV.OC-02", "GV.OC"),
            sub("PR.AA-01", "PR.AA"),
            sub("PR.AA-03", "PR.AA"),
            sub("PR.PS-04", "PR.PS"),
        ]
    }

    fn classified(id: &str, kind: EvidenceKind) -> CsfEvidence {
        CsfEvidence {
            id: id.to_owned(),
            kind,
            evidence: format!("{id} evidence"),
        }
    }

    /// GV outside AWS, PR from AWS APIs.
    fn evidence() -> Vec<CsfEvidence> {
        use EvidenceKind::{Aws, Outside};
        vec![
            classified("GV.OC-01", Outside),
            classified("GV.OC-02", Outside),
            classified("PR.AA-01", Aws),
            classified("PR.AA-03", Aws),
            classified("PR.PS-04", Aws),
        ]
    }

    fn subcategories<'c>(coverage: &'c Coverage<'_>) -> Vec<&'c SubcategoryCoverage<'c>> {
        coverage
            .functions
            .iter()
            .flat_map(|f| &f.categories)
            .flat_map(|c| &c.subcategories)
            .collect()
    }

    #[test]
    fn every_subcategory_is_checked_not_yet_checked_or_outside_aws() {
        let catalog = [
            check("a-check", &["PR.AA-03", "PR.AA-01"]),
            check("b-check", &["PR.AA-01"]),
        ];
        let (core, evidence) = (core(), evidence());
        let coverage = Coverage::nist_csf_2("v", &catalog, &core, &evidence).unwrap();
        // One line per subcategory: Function, Category, id, what posture has for it.
        let shape: Vec<String> = coverage
            .functions
            .iter()
            .flat_map(|f| f.categories.iter().map(move |c| (f, c)))
            .flat_map(|(f, c)| c.subcategories.iter().map(move |s| (f, c, s)))
            .map(|(f, c, s)| format!("{} {} {} {:?} {:?}", f.id, c.id, s.id, s.status, s.checks))
            .collect();
        assert_eq!(
            shape,
            [
                "GV GV.OC GV.OC-01 OutsideAws []",
                "GV GV.OC GV.OC-02 OutsideAws []",
                "PR PR.AA PR.AA-01 Checked [\"a-check\", \"b-check\"]",
                "PR PR.AA PR.AA-03 Checked [\"a-check\"]",
                "PR PR.PS PR.PS-04 NotYetChecked []",
            ]
        );
        let lines: Vec<(&str, Option<&str>, &str)> = subcategories(&coverage)
            .into_iter()
            .map(|s| (s.id, s.reason.as_deref(), s.evidence))
            .collect();
        assert_eq!(
            lines,
            [
                (
                    "GV.OC-01",
                    Some("cannot be assessed from AWS APIs (GV.OC-01 evidence)"),
                    "GV.OC-01 evidence"
                ),
                (
                    "GV.OC-02",
                    Some("cannot be assessed from AWS APIs (GV.OC-02 evidence)"),
                    "GV.OC-02 evidence"
                ),
                ("PR.AA-01", None, "PR.AA-01 evidence"),
                ("PR.AA-03", None, "PR.AA-03 evidence"),
                (
                    "PR.PS-04",
                    Some("no posture check yet (AWS APIs could give evidence: PR.PS-04 evidence)"),
                    "PR.PS-04 evidence"
                ),
            ]
        );
        for s in subcategories(&coverage) {
            let expected = if s.status == CoverageStatus::Checked {
                Assessment::Checked
            } else {
                Assessment::NotAssessed
            };
            assert_eq!(s.assessment, expected, "{}", s.id);
        }
    }

    #[test]
    fn a_check_on_a_subcategory_classified_outside_still_counts_as_checked() {
        // Validation forbids it in the shipped files; the coverage never hides a check.
        let catalog = [check("a-check", &["GV.OC-01"])];
        let (core, evidence) = (core(), evidence());
        let coverage = Coverage::nist_csf_2("v", &catalog, &core, &evidence).unwrap();
        assert_eq!(subcategories(&coverage)[0].status, CoverageStatus::Checked);
    }

    #[test]
    fn a_subcategory_left_out_of_the_classification_is_an_error_not_a_blank() {
        let core = core();
        let mut evidence = evidence();
        evidence.retain(|e| e.id != "PR.PS-04");
        let err = Coverage::nist_csf_2("v", &[], &core, &evidence).unwrap_err();
        assert_eq!(
            err.to_string(),
            "checks/nist-csf-2.0-aws.toml, field `subcategories`: `PR.PS-04` is missing: every subcategory of the NIST CSF 2.0 Core must be classified `aws` or `outside`"
        );
    }

    #[test]
    fn counts_add_up_at_every_level() {
        let catalog = [check("a-check", &["PR.AA-03"])];
        let (core, evidence) = (core(), evidence());
        let coverage = Coverage::nist_csf_2("v", &catalog, &core, &evidence).unwrap();
        let counts = |covered, not_yet_checked, outside_aws| Counts {
            subcategories: covered + not_yet_checked + outside_aws,
            covered,
            not_assessed: not_yet_checked + outside_aws,
            not_yet_checked,
            outside_aws,
        };
        assert_eq!(coverage.summary, counts(1, 2, 2));
        assert_eq!(coverage.checks, 1);
        let functions: Vec<(&str, Counts)> = coverage
            .functions
            .iter()
            .map(|f| (f.id, f.summary))
            .collect();
        assert_eq!(
            functions,
            [("GV", counts(0, 0, 2)), ("PR", counts(1, 2, 0))]
        );
        let pr = &coverage.functions[1];
        let categories: Vec<(&str, Counts)> =
            pr.categories.iter().map(|c| (c.id, c.summary)).collect();
        assert_eq!(
            categories,
            [("PR.AA", counts(1, 1, 0)), ("PR.PS", counts(0, 1, 0))]
        );
    }

    #[test]
    fn the_shipped_coverage_follows_the_checks_and_the_classification() {
        let evidence = load_nist_csf_2_aws().unwrap_or_else(|err| panic!("{err}"));
        let coverage = Coverage::nist_csf_2(
            crate::evaluate::catalogue_version(),
            catalog(),
            nist_csf_2(),
            &evidence,
        )
        .unwrap_or_else(|err| panic!("{err}"));
        let named: BTreeSet<&str> = catalog()
            .iter()
            .flat_map(|c| &c.mappings.nist_csf_2)
            .map(String::as_str)
            .collect();
        let of_kind = |kind| -> BTreeSet<&str> {
            evidence
                .iter()
                .filter(|e| e.kind == kind && !named.contains(e.id.as_str()))
                .map(|e| e.id.as_str())
                .collect()
        };
        let with_status = |status| -> BTreeSet<&str> {
            subcategories(&coverage)
                .into_iter()
                .filter(|s| s.status == status)
                .map(|s| s.id)
                .collect()
        };
        assert_eq!(with_status(CoverageStatus::Checked), named);
        assert_eq!(
            with_status(CoverageStatus::NotYetChecked),
            of_kind(EvidenceKind::Aws)
        );
        assert_eq!(
            with_status(CoverageStatus::OutsideAws),
            of_kind(EvidenceKind::Outside)
        );
        assert_eq!(coverage.summary.subcategories, 106);
        assert_eq!(coverage.summary.covered, named.len());
        assert_eq!(
            coverage.summary.not_yet_checked,
            of_kind(EvidenceKind::Aws).len()
        );
        assert_eq!(
            coverage.summary.outside_aws,
            of_kind(EvidenceKind::Outside).len()
        );
        let functions: Vec<&str> = coverage.functions.iter().map(|f| f.id).collect();
        assert_eq!(functions, ["GV", "ID", "PR", "DE", "RS", "RC"]);
    }

    #[test]
    fn a_check_shows_each_of_its_csf_ids_with_the_statement() {
        let catalog = [check("a-check", &["PR.AA-03", "PR.AA-01"])];
        let core = core();
        let detail = CheckDetail::find("a-check", "v", &catalog, &core).unwrap();
        let resolved: Vec<(&str, &str)> = detail
            .nist_csf_2
            .iter()
            .map(|s| (s.id.as_str(), s.statement.as_str()))
            .collect();
        assert_eq!(
            resolved,
            [
                ("PR.AA-03", "PR.AA-03 is done"),
                ("PR.AA-01", "PR.AA-01 is done")
            ]
        );
    }

    #[test]
    fn an_unknown_check_suggests_the_closest_ids() {
        let catalog = [
            check("root-mfa", &["PR.AA-03"]),
            check("iam-user-access-keys", &["PR.AA-01"]),
            check("cloudtrail-multi-region", &["PR.PS-04"]),
        ];
        let core = core();
        for (typed, expected) in [
            ("rot-mfa", vec!["root-mfa"]),
            ("root_mfa", vec!["root-mfa"]),
            ("ROOT-MFA", vec!["root-mfa"]),
            ("mfa", vec!["root-mfa"]),
            ("access-keys", vec!["iam-user-access-keys"]),
            ("cloudtrail", vec!["cloudtrail-multi-region"]),
            ("guardduty-enabled", vec![]),
            ("", vec![]),
        ] {
            let err = CheckDetail::find(typed, "v", &catalog, &core).unwrap_err();
            assert_eq!(err.suggestions, expected, "{typed:?}");
        }
        let err = CheckDetail::find("rot-mfa", "v", &catalog, &core).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no check \"rot-mfa\" in the catalogue; did you mean root-mfa? (`posture checks` lists every check)"
        );
        let err = CheckDetail::find("nope", "v", &catalog, &core).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no check \"nope\" in the catalogue (`posture checks` lists every check)"
        );
    }

    #[test]
    fn frameworks_are_named_case_insensitively_and_an_unknown_one_lists_the_supported() {
        assert_eq!("nist-csf-2.0".parse(), Ok(Framework::NistCsf2));
        assert_eq!("NIST-CSF-2.0".parse(), Ok(Framework::NistCsf2));
        let err = "cis-aws".parse::<Framework>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown framework \"cis-aws\"; supported: nist-csf-2.0"
        );
    }

    #[test]
    fn the_coverage_json_has_the_documented_shape() {
        let catalog = [check("a-check", &["PR.AA-01"])];
        let (core, evidence) = (core(), evidence());
        let coverage = Coverage::nist_csf_2("v", &catalog, &core, &evidence).unwrap();
        let json = serde_json::to_value(coverage).unwrap();
        assert_eq!(
            json["framework"],
            serde_json::json!({"id": "nist-csf-2.0", "name": "NIST Cybersecurity Framework (CSF) 2.0"})
        );
        assert_eq!(
            json["summary"],
            serde_json::json!({
                "subcategories": 5,
                "covered": 1,
                "not_assessed": 4,
                "not_yet_checked": 2,
                "outside_aws": 2,
            })
        );
        assert_eq!(
            json["functions"][0]["categories"][0]["subcategories"][0],
            serde_json::json!({
                "id": "GV.OC-01",
                "statement": "GV.OC-01 is done",
                "status": "outside_aws",
                "assessment": "not_assessed",
                "checks": [],
                "evidence": "GV.OC-01 evidence",
                "reason": "cannot be assessed from AWS APIs (GV.OC-01 evidence)",
            })
        );
        let pr_aa = &json["functions"][1]["categories"][0];
        assert_eq!(pr_aa["id"], "PR.AA");
        assert_eq!(
            pr_aa["subcategories"][0],
            serde_json::json!({
                "id": "PR.AA-01",
                "statement": "PR.AA-01 is done",
                "status": "checked",
                "assessment": "checked",
                "checks": ["a-check"],
                "evidence": "PR.AA-01 evidence",
            })
        );
        assert_eq!(
            pr_aa["subcategories"][1],
            serde_json::json!({
                "id": "PR.AA-03",
                "statement": "PR.AA-03 is done",
                "status": "not_yet_checked",
                "assessment": "not_assessed",
                "checks": [],
                "evidence": "PR.AA-03 evidence",
                "reason": "no posture check yet (AWS APIs could give evidence: PR.AA-03 evidence)",
            })
        );
    }
}
