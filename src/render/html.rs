//! The little HTML the site writes outside its templates: the table of passing findings, which is
//! most of a healthy account's page. Tera interpreting a template per row, and then a loop over
//! the checks, was the bulk of a render's time, so that table's body is written here, straight
//! into one string that the template shows as it is (`| safe`). Every string from the snapshot is
//! escaped with the templates' own escaper ([`escape_into`]), so the site has one way to escape.

use super::view::CheckLink;
use crate::finding::Finding;

/// Appends `text` to `out`, escaped for HTML content and attributes (`&`, `<`, `>`, `"`, `'`),
/// as the templates escape every value.
pub(super) fn escape_into(text: &str, out: &mut Vec<u8>) {
    tera::escape_html(text, out).expect("writing to a Vec cannot fail");
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
    use super::*;
    use crate::finding::{Evidence, Status};

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
