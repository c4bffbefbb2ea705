//! The little HTML the site writes outside its templates: an account page's findings, one per
//! item of a list or row of a table, which is most of the site. Tera interpreting a template per
//! finding was the bulk of a render's time, so they are written here, straight into one string
//! that the template shows as it is (`| safe`). Every string from the snapshot is escaped with the
//! templates' own escaper ([`escape_into`]), so the site has one way to escape; badges are the
//! components' own output (`badges.rs`).

use super::badges::Badge;
use super::view::{CheckLink, FindingDetail, FindingRow};
use crate::finding::{Finding, Status};

/// Appends `text` to `out`, escaped for HTML content and attributes (`&`, `<`, `>`, `"`, `'`),
/// as the templates escape every value.
pub(super) fn escape_into(text: &str, out: &mut Vec<u8>) {
    tera::escape_html(text, out).expect("writing to a Vec cannot fail");
}

/// The items of an account page's list of the findings that did not pass, each on a line of its
/// own: its status, check (`base` is the prefix from the page to its version's folder) and
/// severity, where it is, why, its waiver, and its evidence.
pub(super) fn finding_items(details: &[FindingDetail<'_>], base: &str) -> String {
    let mut html = Vec::with_capacity(details.len() * 1600);
    for d in details {
        let f = d.finding;
        html.extend_from_slice(b"\n    <li class=\"finding f-");
        html.extend_from_slice(match f.status {
            Status::Pass => b"pass".as_slice(),
            Status::Fail => b"fail",
            Status::Error => b"error",
            Status::Skipped => b"skipped",
        });
        html.extend_from_slice(b"\">\n      <div class=\"finding-head\">\n        ");
        html.extend_from_slice(d.status_badge.as_str().as_bytes());
        html.extend_from_slice(
            b"\n        <h3 class=\"finding-title\"><a data-test=\"check\" href=\"",
        );
        escape_into(base, &mut html);
        escape_into(&d.check.href, &mut html);
        html.extend_from_slice(b"\">");
        escape_into(&d.check.title, &mut html);
        html.extend_from_slice(b"</a></h3>\n        ");
        html.extend_from_slice(d.severity_badge.as_str().as_bytes());
        if f.waiver.is_some() {
            html.extend_from_slice(b" <span class=\"tag tag-waived\">waived</span>");
        }
        html.extend_from_slice(
            b"\n      </div>\n      <p class=\"finding-where\"><span class=\"mono\">",
        );
        escape_into(&d.check.id, &mut html);
        html.extend_from_slice("</span> · ".as_bytes());
        html.extend_from_slice(d.region_badge.as_str().as_bytes());
        html.extend_from_slice(" · <span class=\"resource\">".as_bytes());
        escape_into(&f.resource, &mut html);
        html.extend_from_slice(b"</span></p>\n      <p class=\"finding-reason\">");
        escape_into(&f.reason, &mut html);
        html.extend_from_slice(b"</p>");
        if let Some(waiver) = &f.waiver {
            html.extend_from_slice(b"\n      <p class=\"waiver\"><strong>Waived</strong> until ");
            escape_into(&waiver.expires, &mut html);
            html.extend_from_slice(b", approved by ");
            escape_into(&waiver.approved_by, &mut html);
            html.extend_from_slice(b": ");
            escape_into(&waiver.reason, &mut html);
            html.extend_from_slice(b"</p>");
        }
        if f.evidence.is_empty() {
            html.extend_from_slice(
                b"\n      <p class=\"muted small\" data-test=\"evidence\">No evidence recorded.</p>",
            );
        } else {
            html.extend_from_slice(
                b"\n      <details class=\"evidence\" open>\n        <summary>Evidence (",
            );
            html.extend_from_slice(f.evidence.len().to_string().as_bytes());
            html.extend_from_slice(b")</summary>\n        <dl data-test=\"evidence\">");
            for (label, value) in f.evidence.iter() {
                html.extend_from_slice(b"\n          <div><dt>");
                escape_into(label, &mut html);
                html.extend_from_slice(b"</dt><dd>");
                escape_into(value, &mut html);
                html.extend_from_slice(b"</dd></div>");
            }
            html.extend_from_slice(b"\n        </dl>\n      </details>");
        }
        html.extend_from_slice(b"\n    </li>");
    }
    String::from_utf8(html).expect("escaping keeps UTF-8")
}

/// The rows of a check page's table of failing and unknown findings, each on a line of its own:
/// the account (`base` is the prefix from the page to its version's folder), Region, resource,
/// status, why, and the waiver's reason.
pub(super) fn finding_rows(rows: &[FindingRow<'_>], base: &str) -> String {
    let mut html = Vec::with_capacity(rows.len() * 900);
    for row in rows {
        let f = row.finding;
        html.extend_from_slice(
            b"\n      <tr>\n        <th scope=\"row\"><a data-test=\"account\" href=\"",
        );
        escape_into(base, &mut html);
        escape_into(&row.account.href, &mut html);
        html.extend_from_slice(b"\">");
        escape_into(&row.account.name, &mut html);
        html.extend_from_slice(b" <span class=\"mono small\">");
        escape_into(&row.account.id, &mut html);
        html.extend_from_slice(b"</span></a></th>\n        <td>");
        html.extend_from_slice(row.region_badge.as_str().as_bytes());
        html.extend_from_slice(b"</td>\n        <td class=\"resource\">");
        escape_into(&f.resource, &mut html);
        html.extend_from_slice(b"</td>\n        <td>");
        html.extend_from_slice(row.status_badge.as_str().as_bytes());
        html.extend_from_slice(b"</td>\n        <td>");
        escape_into(&f.reason, &mut html);
        html.extend_from_slice(b"</td>\n        <td>");
        match f.waiver.as_deref().map(|w| w.reason.as_str()) {
            Some(reason) if !reason.is_empty() => {
                html.extend_from_slice(b"<span class=\"tag tag-waived\">waived</span> ");
                escape_into(reason, &mut html);
            }
            _ => html.extend_from_slice("<span class=\"muted\">—</span>".as_bytes()),
        }
        html.extend_from_slice(b"</td>\n      </tr>");
    }
    String::from_utf8(html).expect("escaping keeps UTF-8")
}

/// A row of the accounts × checks matrix: a `<td>` per check around its cell's badge (the `cell`
/// component's output).
pub(super) fn matrix_cells(cells: impl Iterator<Item = Badge>) -> String {
    let mut html = String::with_capacity(4096);
    for cell in cells {
        html.push_str("<td>");
        html.push_str(cell.as_str());
        html.push_str("</td>");
    }
    html
}

/// The body of the passing findings' table: for each check a `<tbody>` headed by a row that links
/// to the check (`base` is the prefix from the page to its version's folder) and counts its
/// findings, then its [`passing_rows`]. Each group starts on a line of its own.
pub(super) fn passing_groups<'f>(
    groups: impl Iterator<Item = (&'f CheckLink, &'f [&'f Finding])>,
    base: &str,
    rows: usize,
) -> String {
    let mut html = Vec::with_capacity(rows * 480);
    for (check, findings) in groups {
        html.extend_from_slice(
            b"\n    <tbody>\n    <tr class=\"check-row\"><th scope=\"rowgroup\" colspan=\"4\"><a href=\"",
        );
        escape_into(base, &mut html);
        escape_into(&check.href, &mut html);
        html.extend_from_slice(b"\" class=\"mono\">");
        escape_into(&check.id, &mut html);
        html.extend_from_slice(b"</a> ");
        escape_into(&check.title, &mut html);
        html.extend_from_slice(b" <span class=\"muted small\">\xc2\xb7 ");
        html.extend_from_slice(findings.len().to_string().as_bytes());
        html.extend_from_slice(b"</span></th></tr>");
        passing_rows(findings, &mut html);
        html.extend_from_slice(b"\n    </tbody>");
    }
    String::from_utf8(html).expect("escaping keeps UTF-8")
}

/// The table rows of one check's passing findings: resource, Region, why it passes, and the
/// evidence as one `label: value` per line (shown with `white-space: pre-line`). Each row starts
/// on a line of its own.
fn passing_rows(findings: &[&Finding], html: &mut Vec<u8>) {
    for f in findings {
        html.extend_from_slice(b"\n<tr><th scope=\"row\" class=\"resource\">");
        escape_into(&f.resource, html);
        html.extend_from_slice(b"</th><td>");
        escape_into(f.region.as_deref().unwrap_or("global"), html);
        html.extend_from_slice(b"</td><td>");
        escape_into(&f.reason, html);
        html.extend_from_slice(b"</td><td class=\"ev\">");
        for (i, (label, value)) in f.evidence.iter().enumerate() {
            if i > 0 {
                html.push(b'\n');
            }
            escape_into(label, html);
            html.extend_from_slice(b": ");
            escape_into(value, html);
        }
        html.extend_from_slice(b"</td></tr>");
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::evaluate::Severity;
    use crate::finding::{Evidence, Waiver};
    use crate::render::view::AccountLink;
    use crate::render::{Badges, Templates};

    #[test]
    fn a_finding_row_shows_its_waiver_and_escapes_every_string() {
        let hostile = r#"<script>alert("x")</script> O'Brien & Co"#;
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co";
        let templates = Templates::load(None).expect("the embedded templates load");
        let badges = Badges::new(&templates.tera);
        let account = AccountLink {
            id: "111111111111".into(),
            name: hostile.into(),
            ou_path: "/Workloads".into(),
            href: "account/111111111111.html".into(),
        };
        let waived = Finding {
            check: "root-mfa".into(),
            account: "111111111111".into(),
            region: None,
            resource: hostile.into(),
            status: Status::Fail,
            reason: hostile.into(),
            evidence: Evidence::new(),
            waiver: Some(Box::new(Waiver {
                reason: hostile.into(),
                approved_by: "ciso".into(),
                expires: "2027-01-31".into(),
            })),
        };
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
        let html = finding_rows(&rows, "../");
        let (global, fail, error) = (
            badges.region(None),
            badges.status(Status::Fail),
            badges.status(Status::Error),
        );
        let line = |status: &str, waiver: &str| {
            format!(
                "\n      <tr>\n        <th scope=\"row\"><a data-test=\"account\" href=\"../account/111111111111.html\">{escaped} <span class=\"mono small\">111111111111</span></a></th>\n        <td>{}</td>\n        <td class=\"resource\">{escaped}</td>\n        <td>{status}</td>\n        <td>{escaped}</td>\n        <td>{waiver}</td>\n      </tr>",
                global.as_str()
            )
        };
        let expected = [
            line(
                fail.as_str(),
                &format!("<span class=\"tag tag-waived\">waived</span> {escaped}"),
            ),
            line(error.as_str(), "<span class=\"muted\">\u{2014}</span>"),
        ]
        .concat();
        assert_eq!(html, expected);
        assert!(!html.contains("<script>"), "{html}");
    }

    #[test]
    fn a_finding_item_shows_its_waiver_and_escapes_every_string() {
        let hostile = r#"<script>alert("x")</script> O'Brien & Co"#;
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co";
        let templates = Templates::load(None).expect("the embedded templates load");
        let badges = Badges::new(&templates.tera);
        let check = CheckLink {
            id: hostile.into(),
            title: hostile.into(),
            severity: Some(Severity::High),
            href: format!("check/{hostile}.html"),
        };
        let waived = Finding {
            check: hostile.into(),
            account: "111111111111".into(),
            region: None,
            resource: hostile.into(),
            status: Status::Fail,
            reason: hostile.into(),
            evidence: Evidence::new(),
            waiver: Some(Box::new(Waiver {
                reason: hostile.into(),
                approved_by: hostile.into(),
                expires: "2027-01-31".into(),
            })),
        };
        let mut unknown = waived.clone();
        unknown.status = Status::Error;
        unknown.waiver = None;
        unknown.region = Some("eu-west-1".into());
        unknown.evidence.insert(hostile.into(), hostile.into());
        let detail = |f| FindingDetail {
            check: Cow::Borrowed(&check),
            finding: f,
            status_badge: badges.status(f.status),
            severity_badge: badges.severity(check.severity),
            region_badge: badges.region(f.region.as_deref()),
        };
        let html = finding_items(&[detail(&waived), detail(&unknown)], "../");
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
                "\n    <li class=\"finding f-{status}\">\n      <div class=\"finding-head\">\n        {badge}\n        <h3 class=\"finding-title\"><a data-test=\"check\" href=\"../check/{escaped}.html\">{escaped}</a></h3>\n        {high}{waived}\n      </div>\n      <p class=\"finding-where\"><span class=\"mono\">{escaped}</span> \u{b7} {region} \u{b7} <span class=\"resource\">{escaped}</span></p>\n      <p class=\"finding-reason\">{escaped}</p>"
            )
        };
        let expected = [
            head("fail", fail, " <span class=\"tag tag-waived\">waived</span>", global),
            format!("\n      <p class=\"waiver\"><strong>Waived</strong> until 2027-01-31, approved by {escaped}: {escaped}</p>"),
            "\n      <p class=\"muted small\" data-test=\"evidence\">No evidence recorded.</p>\n    </li>".into(),
            head("error", error, "", region),
            format!("\n      <details class=\"evidence\" open>\n        <summary>Evidence (1)</summary>\n        <dl data-test=\"evidence\">\n          <div><dt>{escaped}</dt><dd>{escaped}</dd></div>\n        </dl>\n      </details>\n    </li>"),
        ]
        .concat();
        assert_eq!(html, expected);
        assert!(!html.contains("<script>"), "{html}");
    }

    #[test]
    fn every_string_of_a_passing_group_is_escaped() {
        let hostile = r#"<script>alert("x")</script> O'Brien & Co"#;
        let mut evidence = Evidence::new();
        evidence.insert(format!("tag:{hostile}"), hostile.to_owned());
        evidence.insert("MFA active".into(), "true".into());
        let finding = Finding {
            check: "root-mfa".into(),
            account: "111111111111".into(),
            region: Some(hostile.into()),
            resource: hostile.into(),
            status: Status::Pass,
            reason: hostile.into(),
            evidence,
            waiver: None,
        };
        let check = CheckLink {
            id: hostile.into(),
            title: hostile.into(),
            severity: None,
            href: format!("check/{hostile}.html"),
        };
        let html = passing_groups([(&check, &[&finding][..])].into_iter(), "../", 1);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("O'Brien"), "{html}");
        assert_eq!(
            html.matches("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co")
                .count(),
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
