//! Charts as inline SVG, made at render time: no script, no external file, nothing a
//! Content-Security-Policy of `default-src 'none'` would block (presentation attributes, never
//! `style=`). Every text in them is escaped here, since templates mark the SVG safe. Pure.

use super::components::escape_into;
use std::fmt::Write as _;

/// One point of the trend: a version with its score and coverage (percent).
#[derive(Debug, Clone)]
pub(super) struct TrendPoint {
    /// The version's date, as shown.
    pub(super) label: String,
    /// Passing ÷ evaluated; `None` when nothing was evaluated.
    pub(super) score: Option<f64>,
    /// Evaluated ÷ expected.
    pub(super) coverage: Option<f64>,
    /// Whether this is the version the page shows.
    pub(super) current: bool,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 28.0;

/// The score and coverage over all versions as a line chart, oldest on the left. A version
/// without a score leaves a gap in the line rather than a fall to zero.
pub(super) fn trend(points: &[TrendPoint]) -> String {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| {
        if points.len() <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let y = |value: f64| TOP + plot_h * (1.0 - value.clamp(0.0, 100.0) / 100.0);
    let mut svg = String::with_capacity(2048 + points.len() * 256);
    let summary = describe(points);
    let _ = write!(
        svg,
        r#"<svg class="trend" data-test="trend" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" aria-labelledby="trend-title trend-desc" xmlns="http://www.w3.org/2000/svg"><title id="trend-title">Score and coverage over {n} snapshot{s}</title><desc id="trend-desc">{desc}</desc>"#,
        n = points.len(),
        s = if points.len() == 1 { "" } else { "s" },
        desc = escape(&summary),
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let ty = y(tick);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{x2}" y1="{ty:.1}" y2="{ty:.1}" stroke="#d0d4da" stroke-width="1"/><text x="{tx}" y="{ly:.1}" font-size="11" text-anchor="end" fill="#4a5260">{tick} %</text>"##,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ly = ty + 4.0,
        );
    }
    for (series, color, dash, pick) in [
        (
            "coverage",
            "#6b4fa1",
            "4 3",
            (|p: &TrendPoint| p.coverage) as fn(&TrendPoint) -> Option<f64>,
        ),
        ("score", "#0b5cad", "", |p: &TrendPoint| p.score),
    ] {
        // A gap in the data is a gap in the line.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, point) in points.iter().enumerate() {
            match pick(point) {
                Some(v) => runs.last_mut().expect("one run").push((x(i), y(v))),
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|r| r.len() > 1) {
            let coords: Vec<String> = run
                .iter()
                .map(|(px, py)| format!("{px:.1},{py:.1}"))
                .collect();
            let _ = write!(
                svg,
                r#"<polyline class="trend-{series}" points="{}" fill="none" stroke="{color}" stroke-width="2"{}/>"#,
                coords.join(" "),
                if dash.is_empty() {
                    String::new()
                } else {
                    format!(r#" stroke-dasharray="{dash}""#)
                },
            );
        }
        for (i, point) in points.iter().enumerate() {
            if let Some(v) = pick(point) {
                let r = if point.current { 5 } else { 3 };
                let _ = write!(
                    svg,
                    r#"<circle class="trend-{series}" cx="{:.1}" cy="{:.1}" r="{r}" fill="{color}"><title>{}: {series} {v:.1} %</title></circle>"#,
                    x(i),
                    y(v),
                    escape(&point.label),
                );
            }
        }
    }
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            svg,
            r##"<text x="{LEFT}" y="{ly}" font-size="11" fill="#4a5260">{}</text>"##,
            escape(&first.label),
            ly = HEIGHT - 8.0,
        );
        if points.len() > 1 {
            let _ = write!(
                svg,
                r##"<text x="{lx}" y="{ly}" font-size="11" text-anchor="end" fill="#4a5260">{}</text>"##,
                escape(&last.label),
                lx = WIDTH - RIGHT,
                ly = HEIGHT - 8.0,
            );
        }
    }
    // The legend sits above the plot, clear of the date labels below it.
    let _ = write!(
        svg,
        r##"<g font-size="11" fill="#1c2330"><line x1="{a}" x2="{b}" y1="{ly}" y2="{ly}" stroke="#0b5cad" stroke-width="2"/><text x="{t}" y="{ty}">score (passing ÷ evaluated)</text><line x1="{c}" x2="{d}" y1="{ly}" y2="{ly}" stroke="#6b4fa1" stroke-width="2" stroke-dasharray="4 3"/><text x="{u}" y="{ty}">coverage (evaluated ÷ expected)</text></g></svg>"##,
        a = LEFT,
        b = LEFT + 20.0,
        t = LEFT + 24.0,
        c = LEFT + 200.0,
        d = LEFT + 220.0,
        u = LEFT + 224.0,
        ly = 10.0,
        ty = 14.0,
    );
    svg
}

/// The chart in words, for screen readers and for readers without SVG.
fn describe(points: &[TrendPoint]) -> String {
    let shown = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1} %"));
    match (points.first(), points.last()) {
        (Some(first), Some(last)) if points.len() > 1 => format!(
            "From {} to {}: score {} to {}, coverage {} to {}.",
            first.label,
            last.label,
            shown(first.score),
            shown(last.score),
            shown(first.coverage),
            shown(last.coverage)
        ),
        (Some(only), _) => format!(
            "One snapshot, {}: score {}, coverage {}.",
            only.label,
            shown(only.score),
            shown(only.coverage)
        ),
        _ => "No snapshots.".to_owned(),
    }
}

/// Escapes text for SVG content and attributes with the escaper the templates use.
fn escape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 16);
    escape_into(text, &mut out);
    String::from_utf8(out).expect("escaping keeps UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, score: Option<f64>) -> TrendPoint {
        TrendPoint {
            label: label.into(),
            score,
            coverage: Some(90.0),
            current: false,
        }
    }

    #[test]
    fn labels_are_escaped_and_no_style_attribute_is_used() {
        let svg = trend(&[point("<script>&\"", Some(50.0)), point("b", Some(75.0))]);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;&amp;&quot;"), "{svg}");
        assert!(
            !svg.contains("style="),
            "the CSP blocks style attributes: {svg}"
        );
        assert!(svg.contains(r#"data-test="trend""#));
    }

    #[test]
    fn a_version_without_a_score_breaks_the_line_instead_of_dropping_to_zero() {
        let svg = trend(&[
            point("a", Some(50.0)),
            point("b", Some(60.0)),
            point("c", None),
            point("d", Some(70.0)),
            point("e", Some(80.0)),
        ]);
        assert_eq!(
            svg.matches(r#"<polyline class="trend-score""#).count(),
            2,
            "{svg}"
        );
        assert_eq!(
            svg.matches(r#"<circle class="trend-score""#).count(),
            4,
            "{svg}"
        );
    }
}
