//! The multi-account controls the landing-zone guidance names, each with the checks that cover
//! it and what is left: `checks/landing-zone-controls.toml` (embedded), parsed and validated
//! against the check catalogue, so that `posture checks` says what posture does not check.
//!
//! Like [`super::csf_evidence`] it changes no finding, so it is not part of
//! [`super::catalogue_version`].

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::catalog::{CatalogError, CheckMeta, named_field};
use super::csf_evidence::line_of;

/// The controls as shipped.
const LANDING_ZONE_TOML: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/checks/landing-zone-controls.toml"
));

/// The file, relative to the repository, as errors name it.
pub const LANDING_ZONE_FILE: &str = "checks/landing-zone-controls.toml";

/// One control of the guidance and how far the catalogue covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandingZoneControl {
    /// `security-ou`.
    pub id: String,
    /// The control, in one line.
    pub control: String,
    /// The checks that cover it (none when it is not checked).
    pub checks: Vec<String>,
    /// What is not checked and why; always there when no check covers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
}

impl LandingZoneControl {
    /// Covered whole, partly, or not at all.
    pub fn coverage(&self) -> &'static str {
        match (self.checks.is_empty(), self.gap.is_some()) {
            (true, _) => "not checked",
            (false, true) => "partly",
            (false, false) => "covered",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlsFile {
    control: Vec<Spanned<LandingZoneControl>>,
}

/// The shipped controls, validated against `catalog`.
///
/// # Errors
/// See [`parse`].
pub fn landing_zone_controls(
    catalog: &[CheckMeta],
) -> Result<Vec<LandingZoneControl>, CatalogError> {
    parse(LANDING_ZONE_TOML, catalog)
}

/// Parses `text` and validates it against `catalog`.
///
/// # Errors
/// A [`CatalogError`] naming [`LANDING_ZONE_FILE`] and the line when the TOML does not parse, an
/// id is not kebab-case or is listed twice, a check is not in the catalogue, a line is empty or
/// spans lines, or a control no check covers says nothing of why.
pub fn parse(text: &str, catalog: &[CheckMeta]) -> Result<Vec<LandingZoneControl>, CatalogError> {
    let error = |line: Option<usize>, field: Option<&str>, problem: String| CatalogError {
        file: LANDING_ZONE_FILE.to_owned(),
        field: field.map(str::to_owned),
        line,
        problem,
    };
    let file: ControlsFile = toml::from_str(text).map_err(|err| {
        let message = err.message().trim();
        error(
            err.span().map(|span| line_of(text, span.start)),
            named_field(message),
            message.to_owned(),
        )
    })?;
    let mut controls: Vec<LandingZoneControl> = Vec::new();
    for spanned in file.control {
        let line = Some(line_of(text, spanned.span().start));
        let control = spanned.into_inner();
        let at = |field: &str, problem: String| error(line, Some(field), problem);
        let kebab = !control.id.is_empty()
            && control.id.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !kebab {
            return Err(at("id", format!("`{}` is not kebab-case", control.id)));
        }
        if controls.iter().any(|c| c.id == control.id) {
            return Err(at("id", format!("`{}` is listed twice", control.id)));
        }
        for (field, value) in [
            ("control", Some(&control.control)),
            ("gap", control.gap.as_ref()),
        ] {
            if value.is_some_and(|v| v.trim().is_empty() || v.contains('\n')) {
                return Err(at(field, "must be one line of text".to_owned()));
            }
        }
        if let Some(unknown) = control
            .checks
            .iter()
            .find(|id| !catalog.iter().any(|c| &c.id == *id))
        {
            return Err(at(
                "checks",
                format!("there is no check `{unknown}` in the catalogue"),
            ));
        }
        if control.checks.is_empty() && control.gap.is_none() {
            return Err(at(
                "gap",
                format!(
                    "`{}` names no check: say in `gap` why none covers it",
                    control.id
                ),
            ));
        }
        controls.push(control);
    }
    Ok(controls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::catalog;

    #[test]
    fn the_shipped_controls_name_only_checks_of_the_catalogue() {
        let controls = landing_zone_controls(catalog()).expect("valid");
        assert!(controls.len() >= 15, "{}", controls.len());
        assert!(controls.iter().any(|c| c.coverage() == "not checked"));
        assert!(controls.iter().any(|c| c.coverage() == "covered"));
    }

    #[test]
    fn a_bad_file_is_refused_naming_the_line_and_field() {
        let bad = |text: &str| parse(text, catalog()).expect_err("refused").to_string();
        let one = |fields: &str| {
            format!("[[control]]\nid = \"x-y\"\ncontrol = \"A control\"\n{fields}\n")
        };
        let message = bad(&one("checks = [\"no-such-check\"]"));
        assert!(
            message.contains("no check `no-such-check`") && message.contains(LANDING_ZONE_FILE),
            "{message}"
        );
        let message = bad(&one("checks = []"));
        assert!(message.contains("say in `gap` why"), "{message}");
        let message = bad(&format!(
            "{}{}",
            one("checks = [\"root-mfa\"]"),
            one("checks = [\"root-mfa\"]")
        ));
        assert!(
            message.contains("listed twice") && message.contains("line 5"),
            "{message}"
        );
        let message = bad(&one("checks = [\"root-mfa\"]\nowner = \"me\""));
        assert!(message.contains("owner"), "{message}");
        let message =
            bad("[[control]]\nid = \"Not_Kebab\"\ncontrol = \"c\"\nchecks = [\"root-mfa\"]\n");
        assert!(message.contains("kebab-case"), "{message}");
    }
}
