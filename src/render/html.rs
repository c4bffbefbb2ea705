//! The little HTML the site writes outside its templates: the rows of passing findings, which are
//! most of a healthy account's page. Tera interpreting a template per row was the bulk of a
//! render's time, so these rows are written here, straight into one string per check that the
//! template shows as it is (`| safe`). Every string from the snapshot is escaped with the
//! templates' own escaper ([`escape_into`]), so the site has one way to escape.

use crate::finding::Finding;

/// Appends `text` to `out`, escaped for HTML content and attributes (`&`, `<`, `>`, `"`, `'`),
/// as the templates escape every value.
pub(super) fn escape_into(text: &str, out: &mut Vec<u8>) {
    tera::escape_html(text, out).expect("writing to a Vec cannot fail");
}

/// The table rows of one check's passing findings: resource, Region, why it passes, and the
/// evidence as one `label: value` per line (shown with `white-space: pre-line`). Each row starts
/// on a line of its own.
pub(super) fn passing_rows(findings: &[&Finding]) -> String {
    let mut html = Vec::with_capacity(findings.len() * 320);
    for f in findings {
        html.extend_from_slice(b"\n<tr><th scope=\"row\" class=\"resource\">");
        escape_into(&f.resource, &mut html);
        html.extend_from_slice(b"</th><td>");
        escape_into(f.region.as_deref().unwrap_or("global"), &mut html);
        html.extend_from_slice(b"</td><td>");
        escape_into(&f.reason, &mut html);
        html.extend_from_slice(b"</td><td class=\"ev\">");
        for (i, (label, value)) in f.evidence.iter().enumerate() {
            if i > 0 {
                html.push(b'\n');
            }
            escape_into(label, &mut html);
            html.extend_from_slice(b": ");
            escape_into(value, &mut html);
        }
        html.extend_from_slice(b"</td></tr>");
    }
    String::from_utf8(html).expect("escaping keeps UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Evidence, Status};

    #[test]
    fn every_string_of_a_passing_row_is_escaped() {
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
        let html = passing_rows(&[&finding]);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("O'Brien"), "{html}");
        assert_eq!(
            html.matches("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co")
                .count(),
            5,
            "resource, Region, reason, label and value, each escaped: {html}"
        );
        assert!(
            html.contains("MFA active: true\n") || html.contains("\nMFA active: true"),
            "{html}"
        );
        assert!(
            html.starts_with("\n<tr><th scope=\"row\" class=\"resource\">"),
            "{html}"
        );
        assert!(html.ends_with("</td></tr>"), "{html}");
    }
}
