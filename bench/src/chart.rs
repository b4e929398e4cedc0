//! The `--svg` charts: one group of horizontal bars per workload, one bar per runtime,
//! each runtime's figure divided by the first bar's (evloop's, or epoll's in the
//! `backends` chart: 1×; every charted figure is a cost, so shorter is better).
//! Hand-written SVG text, no dependencies.

use std::fmt::Write as _;

/// One workload's figures.
pub struct Group {
    /// The workload's label, e.g. `spawn_many (ns/task)`.
    pub label: String,
    /// `(name, figure)`, the baseline (evloop, or epoll) first.
    pub bars: Vec<(&'static str, f64)>,
}

/// Bars longer than this many times evloop's are cut, with their ratio written out.
const MAX_RATIO: f64 = 4.0;
/// Width of the label column, the bar area and the whole picture, in px.
const LABEL_W: f64 = 250.0;
const BARS_W: f64 = 560.0;
const WIDTH: f64 = LABEL_W + BARS_W + 70.0;
/// Height of one bar and the gap after each group, in px.
const BAR_H: f64 = 13.0;
const GROUP_GAP: f64 = 12.0;
/// One colour per runtime, backend or server model name (others get grey).
const COLOURS: [(&str, &str); 9] = [
    ("evloop", "#d62728"),
    ("tokio", "#1f77b4"),
    ("tokio-local", "#6baed6"),
    ("smol", "#2ca02c"),
    ("epoll", "#7f7f7f"),
    ("poll", "#ff7f0e"),
    ("select", "#9467bd"),
    ("thread/client", "#8c564b"),
    ("fork/client", "#e377c2"),
];

fn colour(name: &str) -> &'static str {
    COLOURS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("#bbbbbb", |(_, c)| c)
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Renders `groups` under `title`; groups whose evloop figure is missing are skipped.
pub fn render(title: &str, groups: &[Group]) -> String {
    let groups: Vec<&Group> = groups
        .iter()
        .filter(|g| g.bars.first().is_some_and(|b| b.1.is_finite() && b.1 > 0.0))
        .collect();
    let top = 58.0;
    let body: f64 = groups
        .iter()
        .map(|g| g.bars.len() as f64 * BAR_H + GROUP_GAP)
        .sum();
    let height = top + body + 30.0;
    let x = |ratio: f64| LABEL_W + BARS_W * ratio.min(MAX_RATIO) / MAX_RATIO;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="18" font-size="13" font-weight="bold">{}</text>"#,
        esc(title)
    );
    // Legend.
    let mut lx = 10.0;
    let mut names: Vec<&str> = Vec::new();
    for g in &groups {
        for (n, _) in &g.bars {
            if !names.contains(n) {
                names.push(n);
            }
        }
    }
    for n in &names {
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="28" width="10" height="10" fill="{}"/><text x="{}" y="37">{}</text>"#,
            colour(n),
            lx + 14.0,
            esc(n)
        );
        lx += 24.0 + 7.0 * n.len() as f64;
    }
    // Grid: every 0.5× up to MAX_RATIO, the 1× line solid.
    let mut r = 0.0;
    while r <= MAX_RATIO + 1e-9 {
        let gx = x(r);
        let style = if (r - 1.0).abs() < 1e-9 {
            r##"stroke="#000" stroke-width="1""##
        } else {
            r##"stroke="#ddd" stroke-width="1""##
        };
        let _ = writeln!(
            s,
            r##"<line x1="{gx}" y1="{}" x2="{gx}" y2="{}" {style}/><text x="{gx}" y="{}" text-anchor="middle" fill="#555">{r}×</text>"##,
            top - 4.0,
            top + body,
            top + body + 14.0
        );
        r += 0.5;
    }
    let mut y = top;
    for g in &groups {
        let base = g.bars[0].1;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            LABEL_W - 8.0,
            y + g.bars.len() as f64 * BAR_H / 2.0 + 4.0,
            esc(&g.label)
        );
        for (n, v) in &g.bars {
            if v.is_finite() {
                let ratio = v / base;
                let w = x(ratio) - LABEL_W;
                let _ = writeln!(
                    s,
                    r#"<rect x="{LABEL_W}" y="{y}" width="{w:.1}" height="{}" fill="{}"><title>{}: {v:.1} ({ratio:.2}×)</title></rect>"#,
                    BAR_H - 2.0,
                    colour(n),
                    esc(n)
                );
                let cut = if ratio > MAX_RATIO { " ▶" } else { "" };
                let _ = writeln!(
                    s,
                    r#"<text x="{:.1}" y="{}" font-size="9">{ratio:.2}×{cut}</text>"#,
                    LABEL_W + w + 3.0,
                    y + BAR_H - 4.0
                );
            }
            y += BAR_H;
        }
        y += GROUP_GAP;
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_relative_to_evloop_and_cut_at_the_maximum() {
        let svg = render(
            "t",
            &[Group {
                label: "w <x>".into(),
                bars: vec![("evloop", 2.0), ("tokio", 4.0), ("smol", 100.0)],
            }],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert!(svg.contains("w &lt;x&gt;"));
        assert!(svg.contains("1.00×") && svg.contains("2.00×") && svg.contains("50.00× ▶"));
        // evloop's bar spans a quarter of the bar area, tokio's half, smol's all of it.
        assert!(svg.contains(&format!(r#"width="{:.1}""#, BARS_W / 4.0)));
        assert!(svg.contains(&format!(r#"width="{:.1}""#, BARS_W / 2.0)));
        assert!(svg.contains(&format!(r#"width="{:.1}""#, BARS_W)));
    }

    #[test]
    fn a_group_without_an_evloop_figure_is_skipped() {
        let svg = render(
            "t",
            &[Group {
                label: "gone".into(),
                bars: vec![("evloop", f64::NAN), ("tokio", 1.0)],
            }],
        );
        assert!(!svg.contains("gone"));
    }
}
