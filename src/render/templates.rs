//! The site's Tera templates and assets: embedded at build time from `site-templates/`, so the
//! binary renders with no files beside it, and overridable file by file from a directory
//! (`posture render --templates DIR`, mdBook's theme override). Loaded once, checked whole.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::snapshot::hex;

/// Every template file, by name, as embedded.
const EMBEDDED_TEMPLATES: [(&str, &str); 11] = [
    ("base.html", include_str!("../../site-templates/base.html")),
    (
        "components.html",
        include_str!("../../site-templates/components.html"),
    ),
    (
        "overview.html",
        include_str!("../../site-templates/overview.html"),
    ),
    ("csf.html", include_str!("../../site-templates/csf.html")),
    (
        "checks.html",
        include_str!("../../site-templates/checks.html"),
    ),
    (
        "check.html",
        include_str!("../../site-templates/check.html"),
    ),
    (
        "accounts.html",
        include_str!("../../site-templates/accounts.html"),
    ),
    (
        "account.html",
        include_str!("../../site-templates/account.html"),
    ),
    (
        "changes.html",
        include_str!("../../site-templates/changes.html"),
    ),
    (
        "downloads.html",
        include_str!("../../site-templates/downloads.html"),
    ),
    (
        "history.html",
        include_str!("../../site-templates/history.html"),
    ),
];

/// The internal template that calls one component with the value it is given: how Rust's
/// components get their badges from `components.html` (`badges.rs`).
pub(super) const BADGE_TEMPLATE: &str = "posture-badge.html";
/// Its source: `kind` names the component, `value` and `failing` are its arguments.
const BADGE_SOURCE: &str = r#"
{%- if kind == "status" -%}{{ <status value={value} none_label="no finding" /> }}
{%- elif kind == "severity" -%}{{ <severity value={value} /> }}
{%- elif kind == "region" -%}{{ <region value={value} /> }}
{%- else -%}{{ <cell value={value} failing={failing} /> }}
{%- endif -%}"#;

/// The stylesheet and the script, as embedded.
const EMBEDDED_CSS: &str = include_str!("../../site-templates/site.css");
const EMBEDDED_JS: &str = include_str!("../../site-templates/site.js");

/// A template or asset that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// An override file could not be read.
    #[error("could not read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `--templates` names no folder posture can read: a typo would otherwise render with the
    /// embedded templates, and say nothing.
    #[error("--templates: {}: {message}", path.display())]
    Overrides {
        /// The path given.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The templates do not parse or do not fit together.
    #[error("the site templates{}: {message}", origin.as_ref().map(|d| format!(" in {}", d.display())).unwrap_or_default())]
    Invalid {
        /// The override directory, if any.
        origin: Option<PathBuf>,
        /// Tera's message, with its causes.
        message: String,
    },
}

/// A static file of the site, named by its content so that a version's pages keep the look they
/// were rendered with.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Its path relative to the site root (`assets/site.0123abcd.css`).
    pub path: String,
    /// Its content.
    pub content: String,
}

/// The loaded templates and the assets they link.
pub struct Templates {
    /// The parsed templates.
    pub tera: tera::Tera,
    /// The stylesheet.
    pub css: Asset,
    /// The script.
    pub js: Asset,
    /// A hash of every template and asset, recorded with each version. A version is not
    /// rendered again when the templates change (its pages are immutable, and keep the assets
    /// they link); `render --force` renders every version with the current ones.
    pub fingerprint: String,
}

impl Templates {
    /// Loads the embedded templates, each replaced by the file of the same name in `overrides`
    /// when there is one.
    ///
    /// # Errors
    /// An override that cannot be read; templates that do not parse.
    pub fn load(overrides: Option<&Path>) -> Result<Self, TemplateError> {
        if let Some(dir) = overrides {
            check_overrides(dir)?;
        }
        let read = |name: &str, embedded: &'static str| -> Result<String, TemplateError> {
            let Some(dir) = overrides else {
                return Ok(embedded.to_owned());
            };
            let path = dir.join(name);
            let text = crate::files::read_regular(&path, crate::files::Links::Follow)
                .and_then(|bytes| String::from_utf8(bytes).map_err(std::io::Error::other));
            match text {
                Ok(text) => Ok(text),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(embedded.to_owned()),
                Err(source) => Err(TemplateError::Read { path, source }),
            }
        };
        let mut hasher = Sha256::new();
        let mut sources = Vec::with_capacity(EMBEDDED_TEMPLATES.len());
        for (name, embedded) in EMBEDDED_TEMPLATES {
            let text = read(name, embedded)?;
            hasher.update(name.as_bytes());
            hasher.update(text.as_bytes());
            sources.push((name, text));
        }
        hasher.update(BADGE_SOURCE.as_bytes());
        sources.push((BADGE_TEMPLATE, BADGE_SOURCE.to_owned()));
        let css = read("site.css", EMBEDDED_CSS)?;
        let js = read("site.js", EMBEDDED_JS)?;
        hasher.update(css.as_bytes());
        hasher.update(js.as_bytes());
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html"]);
        tera.add_raw_templates(sources)
            .map_err(|err| TemplateError::Invalid {
                origin: overrides.map(Path::to_owned),
                message: error_chain(&err),
            })?;
        Ok(Self {
            tera,
            css: asset("site", "css", css),
            js: asset("site", "js", js),
            fingerprint: hex(&hasher.finalize()[..8]),
        })
    }
}

/// Refuses an override folder that is not there, is no folder, or cannot be listed, and warns of
/// each file in it that replaces nothing (`histroy.html`): either would render the embedded
/// templates while the auditor believes theirs were used.
fn check_overrides(dir: &Path) -> Result<(), TemplateError> {
    let refuse = |message: String| TemplateError::Overrides {
        path: dir.to_owned(),
        message,
    };
    let entries = match std::fs::metadata(dir) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse(
                "no such folder: name a folder of files named as in site-templates/".into(),
            ));
        }
        Err(err) => return Err(refuse(format!("could not be read: {err}"))),
        Ok(meta) if !meta.is_dir() => {
            return Err(refuse(
                "is not a folder: name a folder of files named as in site-templates/".into(),
            ));
        }
        Ok(_) => {
            std::fs::read_dir(dir).map_err(|err| refuse(format!("could not be read: {err}")))?
        }
    };
    let known: Vec<&str> = EMBEDDED_TEMPLATES
        .iter()
        .map(|(name, _)| *name)
        .chain(["site.css", "site.js"])
        .collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !known.contains(&name.as_str()) && !name.starts_with('.') {
            tracing::warn!(
                "--templates: {} replaces no template and is not used; the files that can be replaced are {}",
                entry.path().display(),
                known.join(", ")
            );
        }
    }
    Ok(())
}

/// Tera keeps the real message in `source()`: the whole chain, once.
pub(super) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut cause = err.source();
    while let Some(source) = cause {
        let text = source.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = source.source();
    }
    message
}

fn asset(stem: &str, extension: &str, content: String) -> Asset {
    let hash = hex(&Sha256::digest(content.as_bytes())[..4]);
    Asset {
        path: format!("assets/{stem}.{hash}.{extension}"),
        content,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_templates_parse() {
        let templates = Templates::load(None).expect("the embedded templates parse");
        assert!(templates.css.path.starts_with("assets/site."));
        assert!(templates.css.path.ends_with(".css"));
    }

    #[test]
    fn an_override_changes_the_fingerprint_and_a_bad_one_names_its_directory() {
        let dir = std::env::temp_dir().join(format!("posture-templates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let embedded = Templates::load(None).unwrap().fingerprint;
        std::fs::write(dir.join("site.css"), "body { color: black }").unwrap();
        let overridden = Templates::load(Some(&dir)).unwrap();
        assert_ne!(overridden.fingerprint, embedded);
        assert_eq!(overridden.css.content, "body { color: black }");
        std::fs::write(dir.join("history.html"), "{% if %}").unwrap();
        let err = Templates::load(Some(&dir))
            .err()
            .expect("a broken template fails");
        assert!(
            err.to_string().contains(&dir.display().to_string()),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_override_folder_that_is_not_one_is_refused_by_name() {
        let missing = Path::new("/nonexistent/posture-templates");
        let err = Templates::load(Some(missing)).err().expect("refused");
        assert_eq!(
            err.to_string(),
            "--templates: /nonexistent/posture-templates: no such folder: name a folder of files named as in site-templates/"
        );
        let file =
            std::env::temp_dir().join(format!("posture-templates-file-{}", std::process::id()));
        std::fs::write(&file, "not a folder").unwrap();
        let err = Templates::load(Some(&file)).err().expect("refused");
        assert!(
            err.to_string()
                .ends_with(": is not a folder: name a folder of files named as in site-templates/"),
            "{err}"
        );
        std::fs::remove_file(&file).unwrap();
    }
}
