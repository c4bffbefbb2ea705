//! Badges: the `status`, `severity`, `region` and `cell` components of `components.html`,
//! rendered once per distinct value and then reused. Account, check and matrix pages show tens
//! of thousands of them per version, and Tera builds a context and a machine for every component
//! call: calling them per finding was an eighth of a render's instructions. Their markup stays
//! in `components.html`, its one source; Tera renders and escapes it, and templates show the
//! result with `| safe`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;

use super::score::CellStatus;
use super::templates::{BADGE_TEMPLATE, error_chain};
use crate::evaluate::catalog::Severity;
use crate::finding::Status;

/// A component's output: HTML that Tera escaped, shown by the templates as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge(Arc<str>);

impl Serialize for Badge {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl Badge {
    /// The HTML.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A badge with a closed set of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// `None`: no finding (one side of a change).
    Status(Option<Status>),
    Severity(Option<Severity>),
    Cell(Option<CellStatus>, usize),
    /// The Region of a global finding.
    Global,
}

/// The badges rendered so far. Shared by the threads that render a version's pages; a lookup
/// takes a read lock.
pub struct Badges<'t> {
    tera: &'t tera::Tera,
    known: RwLock<HashMap<Key, Badge>>,
    /// By Region name: any string a snapshot holds, escaped when rendered.
    regions: RwLock<HashMap<String, Badge>>,
    /// The first component that failed to render: see [`Self::failure`].
    failure: Mutex<Option<String>>,
}

impl<'t> Badges<'t> {
    /// Badges rendered by `tera`, which holds [`BADGE_TEMPLATE`].
    pub fn new(tera: &'t tera::Tera) -> Self {
        Self {
            tera,
            known: RwLock::default(),
            regions: RwLock::default(),
            failure: Mutex::default(),
        }
    }

    /// A finding's status (`components.html`'s `status`).
    pub fn status(&self, status: Status) -> Badge {
        self.known(Key::Status(Some(status)))
    }

    /// One side of a change: the finding's status, or `None` when there was no finding.
    pub fn change_status(&self, status: Option<Status>) -> Badge {
        self.known(Key::Status(status))
    }

    /// A check's severity; `None`: unknown.
    pub fn severity(&self, severity: Option<Severity>) -> Badge {
        self.known(Key::Severity(severity))
    }

    /// A matrix cell: its worst status (`None`: no cell) and how many findings fail.
    pub fn cell(&self, status: Option<CellStatus>, failing: usize) -> Badge {
        self.known(Key::Cell(status, failing))
    }

    /// A Region; `None`: global.
    pub fn region(&self, region: Option<&str>) -> Badge {
        let Some(region) = region else {
            return self.known(Key::Global);
        };
        if let Some(badge) = self.regions.read().expect("not poisoned").get(region) {
            return badge.clone();
        }
        let badge = self.render("region", &region, 0);
        self.regions
            .write()
            .expect("not poisoned")
            .insert(region.to_owned(), badge.clone());
        badge
    }

    /// Why a component could not be rendered, if one could not: its badge is then empty, so the
    /// version that showed it must not be kept.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().expect("not poisoned").clone()
    }

    fn known(&self, key: Key) -> Badge {
        if let Some(badge) = self.known.read().expect("not poisoned").get(&key) {
            return badge.clone();
        }
        let badge = match key {
            Key::Status(status) => self.render("status", &status, 0),
            Key::Severity(severity) => self.render("severity", &severity, 0),
            Key::Cell(status, failing) => self.render("cell", &status, failing),
            Key::Global => self.render("region", &None::<&str>, 0),
        };
        self.known
            .write()
            .expect("not poisoned")
            .insert(key, badge.clone());
        badge
    }

    fn render(&self, kind: &str, value: &impl Serialize, failing: usize) -> Badge {
        let mut context = tera::Context::new();
        context.insert("kind", kind);
        context.insert("value", value);
        context.insert("failing", &failing);
        match self.tera.render(BADGE_TEMPLATE, &context) {
            Ok(html) => Badge(html.into()),
            Err(err) => {
                self.failure
                    .lock()
                    .expect("not poisoned")
                    .get_or_insert_with(|| format!("the {kind} component: {}", error_chain(&err)));
                Badge("".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Templates;

    #[test]
    fn a_badge_is_its_components_output_rendered_once_per_value() {
        let templates = Templates::load(None).expect("the embedded templates load");
        let badges = Badges::new(&templates.tera);
        let fail = badges.status(Status::Fail);
        assert_eq!(
            fail.as_str(),
            r#"<span class="status s-fail" data-status="FAIL"><span class="sym" aria-hidden="true">✗</span> FAIL</span>"#
        );
        assert!(
            Arc::ptr_eq(&fail.0, &badges.status(Status::Fail).0),
            "the second lookup reuses the first rendering"
        );
        assert_ne!(badges.status(Status::Error), fail);
        assert_eq!(badges.change_status(Some(Status::Fail)), fail);
        assert!(badges.change_status(None).as_str().contains("no finding"));
        assert!(
            badges
                .cell(Some(CellStatus::Fail), 3)
                .as_str()
                .contains("✗ 3")
        );
        assert!(
            badges
                .cell(Some(CellStatus::Fail), 4)
                .as_str()
                .contains("✗ 4")
        );
        assert!(badges.cell(None, 0).as_str().contains("not applicable"));
        assert!(
            badges
                .severity(Some(Severity::High))
                .as_str()
                .contains("sev-high")
        );
        assert!(badges.severity(None).as_str().contains("severity unknown"));
        assert_eq!(
            badges.region(None).as_str(),
            r#"<span class="muted">global</span>"#
        );
        assert_eq!(
            badges.region(Some("eu-west-1")).as_str(),
            r#"<span class="mono">eu-west-1</span>"#
        );
        assert_eq!(badges.failure(), None);
    }

    #[test]
    fn a_region_from_aws_is_escaped() {
        let templates = Templates::load(None).expect("the embedded templates load");
        let badges = Badges::new(&templates.tera);
        let region = badges.region(Some(r#"<script>alert("x")</script> & 'y'"#));
        assert_eq!(
            region.as_str(),
            r#"<span class="mono">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</span>"#
        );
    }

    #[test]
    fn a_component_that_fails_is_reported_and_its_badge_is_empty() {
        let dir = std::env::temp_dir().join(format!("posture-badges-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let components = include_str!("../../site-templates/components.html").replace(
            r#"<span class="sev sev-{{ value }}""#,
            r#"<span class="sev sev-{{ value.no_such_field }}""#,
        );
        std::fs::write(dir.join("components.html"), components).expect("write");
        let templates = Templates::load(Some(&dir)).expect("the override parses");
        let badges = Badges::new(&templates.tera);
        assert_eq!(badges.severity(Some(Severity::Low)).as_str(), "");
        let failure = badges.failure().expect("the failure is kept");
        assert!(failure.starts_with("the severity component: "), "{failure}");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
