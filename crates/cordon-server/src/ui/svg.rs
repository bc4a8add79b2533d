//! Charts drawn on the server as SVG: no chart library, nothing fetched. Every text put in the
//! drawing is escaped here.

use std::fmt::Write as _;

use crate::dashboard::figures::{status_colour, CheckpointFigures};

/// Escapes text for XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Vertical bars, one per `(label, value)`, labels under every `label_every`-th bar.
pub fn bars(values: &[(String, i64)], label_every: usize, colour: &str) -> String {
    let (w, h, pad) = (720.0_f64, 200.0_f64, 24.0_f64);
    let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(1) as f64;
    let step = (w - 2.0 * pad) / n;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        s,
        r##"<line x1="{pad}" y1="{y}" x2="{x2}" y2="{y}" stroke="#999"/>"##,
        y = h - pad,
        x2 = w - pad
    );
    let _ = write!(
        s,
        r#"<text x="{pad}" y="12" class="axis">{}</text>"#,
        max as i64
    );
    for (i, (label, v)) in values.iter().enumerate() {
        let bh = (*v as f64 / max) * (h - 2.0 * pad);
        let x = pad + i as f64 * step + step * 0.1;
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="{colour}"><title>{l}: {v}</title></rect>"#,
            y = h - pad - bh,
            bw = step * 0.8,
            l = esc(label)
        );
        if label_every > 0 && i % label_every == 0 {
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{y}" class="axis">{}</text>"#,
                esc(label),
                y = h - 6.0
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Checkpoints at their coordinates, coloured by status, sized by traffic; each a link to its
/// page.
pub fn map(checkpoints: &[CheckpointFigures]) -> String {
    let (w, h, pad) = (520.0_f64, 560.0_f64, 12.0_f64);
    let mut s = format!(
        r#"<svg class="map" viewBox="0 0 {w} {h}" role="img" xmlns="http://www.w3.org/2000/svg">"#
    );
    if checkpoints.is_empty() {
        s.push_str("</svg>");
        return s;
    }
    let (mut lo_lat, mut hi_lat, mut lo_lon, mut hi_lon) =
        (90.0_f64, -90.0_f64, 180.0_f64, -180.0_f64);
    for c in checkpoints {
        lo_lat = lo_lat.min(c.lat);
        hi_lat = hi_lat.max(c.lat);
        lo_lon = lo_lon.min(c.lon);
        hi_lon = hi_lon.max(c.lon);
    }
    // Same scale on both axes (longitude shrunk by the cosine of the mean latitude).
    let k = ((lo_lat + hi_lat) / 2.0).to_radians().cos();
    let span_x = ((hi_lon - lo_lon) * k).max(0.01);
    let span_y = (hi_lat - lo_lat).max(0.01);
    let scale = ((w - 2.0 * pad) / span_x).min((h - 2.0 * pad) / span_y);
    let max = checkpoints
        .iter()
        .map(|c| c.passages)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut sorted: Vec<&CheckpointFigures> = checkpoints.iter().collect();
    // Quiet checkpoints first, so that busy ones are drawn on top.
    sorted.sort_by_key(|c| c.passages);
    for c in sorted {
        // Centred: a small network (or one point) sits in the middle.
        let x = (w - span_x * scale) / 2.0 + (c.lon - lo_lon) * k * scale;
        let y = h - (h - span_y * scale) / 2.0 - (c.lat - lo_lat) * scale;
        let r = 2.0 + 7.0 * (c.passages as f64 / max).sqrt();
        let _ = write!(
            s,
            r#"<a href="/checkpoints/{code}"><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}" fill-opacity="0.75" data-status="{st}"><title>{name} {code}: {n}</title></circle></a>"#,
            code = esc(&c.code),
            fill = status_colour(&c.status),
            st = esc(&c.status),
            name = esc(&c.name),
            n = c.passages
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_drawings_is_escaped() {
        let svg = bars(&[("<b>&".into(), 3)], 1, "#123");
        assert!(svg.contains("&lt;b&gt;&amp;"));
        assert!(!svg.contains("<b>"));
        assert_eq!(esc(r#"a"'b"#), "a&quot;&#39;b");
    }
}
