//! The markup Rust owns (see `site-templates/README.md`, "Who owns the markup"): what a page
//! repeats per finding or per matrix cell, which is most of the site. Tera interpreting a
//! template per finding was the bulk of a render's time, so these components are written here,
//! straight into one [`Markup`] that the page's template shows as it is (`| safe`).
//!
//! Escaping is the default, not a step to remember: [`Html`] takes posture's own markup only as
//! `&'static str` literals ([`Html::markup`]), a number only as a number ([`Html::count`]), a
//! badge only as a [`Badge`] (the templates' own components, `badges.rs`) and any other string
//! only through [`Html::text`], which escapes it with the templates' own escaper
//! ([`escape_into`]), so the site has one way to escape. This module builds markup from its
//! inputs and nothing else: no view model, no I/O.

use std::borrow::Cow;

use serde::Serialize;

use super::badges::Badge;
use super::links::{AccountLink, CheckLink};
use crate::finding::{Finding, Status};

/// Appends `text` to `out`, escaped for HTML content and attributes (`&`, `<`, `>`, `"`, `'`),
/// as the templates escape every value.
pub(super) fn escape_into(text: &str, out: &mut Vec<u8>) {
    tera::escape_html(text, out).expect("writing to a Vec cannot fail");
}

/// HTML that posture wrote and escaped, for a template to show as it is (`| safe`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markup(String);

impl Markup {
    /// The HTML.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for Markup {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// HTML being written: posture's own markup goes in as it is ([`Html::markup`]), anything else
/// escaped ([`Html::text`]).
struct Html(Vec<u8>);

impl Html {
    fn with_capacity(bytes: usize) -> Self {
        Self(Vec::with_capacity(bytes))
    }

    /// Markup posture wrote: a literal, never a string from a snapshot.
    fn markup(&mut self, markup: &'static str) -> &mut Self {
        self.0.extend_from_slice(markup.as_bytes());
        self
    }

    /// A component's output.
    fn badge(&mut self, badge: &Badge) -> &mut Self {
        self.0.extend_from_slice(badge.as_str().as_bytes());
        self
    }

    /// A count.
    fn count(&mut self, n: usize) -> &mut Self {
        self.0.extend_from_slice(n.to_string().as_bytes());
        self
    }

    /// Text, escaped.
    fn text(&mut self, text: &str) -> &mut Self {
        escape_into(text, &mut self.0);
        self
    }

    fn finish(self) -> Markup {
        Markup(String::from_utf8(self.0).expect("escaping keeps UTF-8"))
    }
}

/// A finding that did not pass, as an account page shows it with its evidence
/// ([`finding_items`]).
#[derive(Debug, Clone)]
pub(super) struct FindingDetail<'m> {
    /// The check.
    pub(super) check: Cow<'m, CheckLink>,
    /// The finding.
    pub(super) finding: &'m Finding,
    /// Its status as the `status` component shows it.
    pub(super) status_badge: Badge,
    /// The check's severity as the `severity` component shows it.
    pub(super) severity_badge: Badge,
    /// Its Region as the `region` component shows it.
    pub(super) region_badge: Badge,
}

/// A failing or unknown finding in a check page's table ([`finding_rows`]).
#[derive(Debug, Clone)]
pub(super) struct FindingRow<'m> {
    /// The account.
    pub(super) account: AccountLink,
    /// The finding.
    pub(super) finding: &'m Finding,
    /// Its Region as the `region` component shows it.
    pub(super) region_badge: Badge,
    /// Its status as the `status` component shows it.
    pub(super) status_badge: Badge,
}

/// The items of an account page's list of the findings that did not pass, each on a line of its
/// own: its status, check (`base` is the prefix from the page to its version's folder) and
/// severity, where it is, why, its waiver, and its evidence.
pub(super) fn finding_items(details: &[FindingDetail<'_>], base: &str) -> Markup {
    let mut html = Html::with_capacity(details.len() * 1600);
    for d in details {
        let f = d.finding;
        let status = match f.status {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skipped => "skipped",
        };
        html.markup("\n    <li class=\"finding f-")
            .markup(status)
            .markup("\">\n      <div class=\"finding-head\">\n        ")
            .badge(&d.status_badge)
            .markup("\n        <h3 class=\"finding-title\"><a data-test=\"check\" href=\"")
            .text(base)
            .text(&d.check.href)
            .markup("\">")
            .text(&d.check.title)
            .markup("</a></h3>\n        ")
            .badge(&d.severity_badge);
        if f.waiver.is_some() {
            html.markup(" <span class=\"tag tag-waived\">waived</span>");
        }
        html.markup("\n      </div>\n      <p class=\"finding-where\"><span class=\"mono\">")
            .text(&d.check.id)
            .markup("</span> · ")
            .badge(&d.region_badge)
            .markup(" · <span class=\"resource\">")
            .text(&f.resource)
            .markup("</span></p>\n      <p class=\"finding-reason\">")
            .text(&f.reason)
            .markup("</p>");
        if let Some(waiver) = &f.waiver {
            html.markup("\n      <p class=\"waiver\"><strong>Waived</strong> until ")
                .text(&waiver.expires)
                .markup(", approved by ")
                .text(&waiver.approved_by)
                .markup(": ")
                .text(&waiver.reason)
                .markup("</p>");
        }
        if f.evidence.is_empty() {
            html.markup(
                "\n      <p class=\"muted small\" data-test=\"evidence\">No evidence recorded.</p>",
            );
        } else {
            html.markup("\n      <details class=\"evidence\" open>\n        <summary>Evidence (")
                .count(f.evidence.len())
                .markup(")</summary>\n        <dl data-test=\"evidence\">");
            for (label, value) in f.evidence.iter() {
                html.markup("\n          <div><dt>")
                    .text(label)
                    .markup("</dt><dd>")
                    .text(value)
                    .markup("</dd></div>");
            }
            html.markup("\n        </dl>\n      </details>");
        }
        html.markup("\n    </li>");
    }
    html.finish()
}

/// The rows of a check page's table of failing and unknown findings, each on a line of its own:
/// the account (`base` is the prefix from the page to its version's folder), Region, resource,
/// status, why, and the waiver's reason.
pub(super) fn finding_rows(rows: &[FindingRow<'_>], base: &str) -> Markup {
    let mut html = Html::with_capacity(rows.len() * 900);
    for row in rows {
        let f = row.finding;
        html.markup("\n      <tr>\n        <th scope=\"row\"><a data-test=\"account\" href=\"")
            .text(base)
            .text(&row.account.href)
            .markup("\">")
            .text(&row.account.name)
            .markup(" <span class=\"mono small\">")
            .text(&row.account.id)
            .markup("</span></a></th>\n        <td>")
            .badge(&row.region_badge)
            .markup("</td>\n        <td class=\"resource\">")
            .text(&f.resource)
            .markup("</td>\n        <td>")
            .badge(&row.status_badge)
            .markup("</td>\n        <td>")
            .text(&f.reason)
            .markup("</td>\n        <td>");
        match f.waiver.as_deref().map(|w| w.reason.as_str()) {
            Some(reason) if !reason.is_empty() => {
                html.markup("<span class=\"tag tag-waived\">waived</span> ")
                    .text(reason);
            }
            _ => {
                html.markup("<span class=\"muted\">—</span>");
            }
        }
        html.markup("</td>\n      </tr>");
    }
    html.finish()
}

/// A row of the accounts × checks matrix: a `<td>` per check around its cell's badge (the `cell`
/// component's output).
pub(super) fn matrix_cells(cells: impl Iterator<Item = Badge>) -> Markup {
    let mut html = Html::with_capacity(4096);
    for cell in cells {
        html.markup("<td>").badge(&cell).markup("</td>");
    }
    html.finish()
}

/// The body of the passing findings' table: for each check a `<tbody>` headed by a row that links
/// to the check (`base` is the prefix from the page to its version's folder) and counts its
/// findings, then its [`passing_rows`]. Each group starts on a line of its own.
pub(super) fn passing_groups<'f>(
    groups: impl Iterator<Item = (Cow<'f, CheckLink>, &'f [&'f Finding])>,
    base: &str,
    rows: usize,
) -> Markup {
    let mut html = Html::with_capacity(rows * 480);
    for (check, findings) in groups {
        html.markup("\n    <tbody>\n    <tr class=\"check-row\"><th scope=\"rowgroup\" colspan=\"4\"><a href=\"")
            .text(base)
            .text(&check.href)
            .markup("\" class=\"mono\">")
            .text(&check.id)
            .markup("</a> ")
            .text(&check.title)
            .markup(" <span class=\"muted small\">· ")
            .count(findings.len())
            .markup("</span></th></tr>");
        passing_rows(findings, &mut html);
        html.markup("\n    </tbody>");
    }
    html.finish()
}

/// The table rows of one check's passing findings: resource, Region, why it passes, and the
/// evidence as one `label: value` per line (shown with `white-space: pre-line`). Each row starts
/// on a line of its own.
fn passing_rows(findings: &[&Finding], html: &mut Html) {
    for f in findings {
        html.markup("\n<tr><th scope=\"row\" class=\"resource\">")
            .text(&f.resource)
            .markup("</th><td>")
            .text(f.region.as_deref().unwrap_or("global"))
            .markup("</td><td>")
            .text(&f.reason)
            .markup("</td><td class=\"ev\">");
        for (i, (label, value)) in f.evidence.iter().enumerate() {
            if i > 0 {
                html.markup("\n");
            }
            html.text(label).markup(": ").text(value);
        }
        html.markup("</td></tr>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::Severity;
    use crate::finding::{Evidence, Waiver};
    use crate::render::links::AccountLink;
    use crate::render::{Badges, Templates};

    const HOSTILE: &str = r#"<script>alert("x")</script> O'Brien & Co"#;
    const ESCAPED: &str = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co";

    /// A global failing finding, waived, whose every string is hostile.
    fn hostile_waived() -> Finding {
        Finding {
            check: HOSTILE.into(),
            account: "111111111111".into(),
            region: None,
            resource: HOSTILE.into(),
            status: Status::Fail,
            reason: HOSTILE.into(),
            evidence: Evidence::new(),
            waiver: Some(Box::new(Waiver {
                reason: HOSTILE.into(),
                approved_by: HOSTILE.into(),
                expires: "2027-01-31".into(),
            })),
        }
    }

    #[test]
    fn a_finding_row_shows_its_waiver_and_escapes_every_string() {
        let templates = Templates::load(None).expect("the embedded templates load");
        let badges = Badges::new(&templates.tera);
        let account = AccountLink {
            id: "111111111111".into(),
            name: HOSTILE.into(),
            ou_path: "/Workloads".into(),
            href: "account/111111111111.html".into(),
        };
        let waived = hostile_waived();
        let mut unknown = waived.clone();
        unknown.status = Status::Error;
        unknown.waiver = None;
        let rows: Vec<FindingRow> = [&waived, &unknown]
            .into_iter()
            .map(|f| FindingRow {
                account: account.clone(),
                finding: f,
                region_badge: badges.region(None),
                status_badge: badges.status(f.status),
            })
            .collect();
        let html = finding_rows(&rows, "../").0;
        let (global, fail, error) = (
            badges.region(None),
            badges.status(Status::Fail),
            badges.status(Status::Error),
        );
        let line = |status: &str, waiver: &str| {
            format!(
                "\n      <tr>\n        <th scope=\"row\"><a data-test=\"account\" href=\"../account/111111111111.html\">{ESCAPED} <span class=\"mono small\">111111111111</span></a></th>\n        <td>{}</td>\n        <td class=\"resource\">{ESCAPED}</td>\n        <td>{status}</td>\n        <td>{ESCAPED}</td>\n        <td>{waiver}</td>\n      </tr>",
                global.as_str()
            )
        };
        let expected = [
            line(
                fail.as_str(),
                &format!("<span class=\"tag tag-waived\">waived</span> {ESCAPED}"),
            ),
            line(error.as_str(), "<span class=\"muted\">\u{2014}</span>"),
        ]
        .concat();
        assert_eq!(html, expected);
        assert!(!html.contains("<script>"), "{html}");
    }

    #[test]
    fn a_finding_item_shows_its_waiver_and_escapes_every_string() {
        let templates = Templates::load(None).expect("the embedded templates load");
        let badges = Badges::new(&templates.tera);
        let check = CheckLink {
            id: HOSTILE.into(),
            title: HOSTILE.into(),
            severity: Some(Severity::High),
            href: format!("check/{HOSTILE}.html"),
        };
        let waived = hostile_waived();
        let mut unknown = waived.clone();
        unknown.status = Status::Error;
        unknown.waiver = None;
        unknown.region = Some("eu-west-1".into());
        unknown.evidence.insert(HOSTILE.into(), HOSTILE.into());
        let detail = |f| FindingDetail {
            check: Cow::Borrowed(&check),
            finding: f,
            status_badge: badges.status(f.status),
            severity_badge: badges.severity(check.severity),
            region_badge: badges.region(f.region.as_deref()),
        };
        let html = finding_items(&[detail(&waived), detail(&unknown)], "../").0;
        let (fail, error, high, global, region) = (
            badges.status(Status::Fail),
            badges.status(Status::Error),
            badges.severity(Some(Severity::High)),
            badges.region(None),
            badges.region(Some("eu-west-1")),
        );
        let (fail, error, high) = (fail.as_str(), error.as_str(), high.as_str());
        let (global, region) = (global.as_str(), region.as_str());
        let head = |status: &str, badge: &str, waived: &str, region: &str| {
            format!(
                "\n    <li class=\"finding f-{status}\">\n      <div class=\"finding-head\">\n        {badge}\n        <h3 class=\"finding-title\"><a data-test=\"check\" href=\"../check/{ESCAPED}.html\">{ESCAPED}</a></h3>\n        {high}{waived}\n      </div>\n      <p class=\"finding-where\"><span class=\"mono\">{ESCAPED}</span> \u{b7} {region} \u{b7} <span class=\"resource\">{ESCAPED}</span></p>\n      <p class=\"finding-reason\">{ESCAPED}</p>"
            )
        };
        let expected = [
            head("fail", fail, " <span class=\"tag tag-waived\">waived</span>", global),
            format!("\n      <p class=\"waiver\"><strong>Waived</strong> until 2027-01-31, approved by {ESCAPED}: {ESCAPED}</p>"),
            "\n      <p class=\"muted small\" data-test=\"evidence\">No evidence recorded.</p>\n    </li>".into(),
            head("error", error, "", region),
            format!("\n      <details class=\"evidence\" open>\n        <summary>Evidence (1)</summary>\n        <dl data-test=\"evidence\">\n          <div><dt>{ESCAPED}</dt><dd>{ESCAPED}</dd></div>\n        </dl>\n      </details>\n    </li>"),
        ]
        .concat();
        assert_eq!(html, expected);
        assert!(!html.contains("<script>"), "{html}");
    }

    #[test]
    fn every_string_of_a_passing_group_is_escaped() {
        let mut evidence = Evidence::new();
        evidence.insert(format!("tag:{HOSTILE}"), HOSTILE.to_owned());
        evidence.insert("MFA active".into(), "true".into());
        let finding = Finding {
            check: "root-mfa".into(),
            account: "111111111111".into(),
            region: Some(HOSTILE.into()),
            resource: HOSTILE.into(),
            status: Status::Pass,
            reason: HOSTILE.into(),
            evidence,
            waiver: None,
        };
        let check = CheckLink {
            id: HOSTILE.into(),
            title: HOSTILE.into(),
            severity: None,
            href: format!("check/{HOSTILE}.html"),
        };
        let html = passing_groups(
            [(Cow::Borrowed(&check), &[&finding][..])].into_iter(),
            "../",
            1,
        )
        .0;
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("O'Brien"), "{html}");
        assert_eq!(
            html.matches(ESCAPED).count(),
            8,
            "the check's link, id and title, and the finding's resource, Region, reason, label \
             and value, each escaped: {html}"
        );
        assert!(
            html.contains("MFA active: true\n") || html.contains("\nMFA active: true"),
            "{html}"
        );
        assert!(
            html.starts_with("\n    <tbody>\n    <tr class=\"check-row\">"),
            "{html}"
        );
        assert!(
            html.contains(" <span class=\"muted small\">\u{b7} 1</span></th></tr>\n<tr><th scope=\"row\" class=\"resource\">"),
            "the group's count, then its row: {html}"
        );
        assert!(html.ends_with("</td></tr>\n    </tbody>"), "{html}");
    }
}
