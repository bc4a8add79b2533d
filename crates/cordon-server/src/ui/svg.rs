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
    // Room on the left for the scale and below for the hours; text at 15 units of a 720-unit
    // width reads at about 12 px on a 600 px card.
    let (w, h, left, pad, bottom) = (720.0_f64, 240.0_f64, 56.0_f64, 12.0_f64, 28.0_f64);
    let max = values.iter().map(|v| v.1).max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(1) as f64;
    let step = (w - left - pad) / n;
    let plot = h - pad - bottom;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" xmlns="http://www.w3.org/2000/svg">"#
    );
    // The scale: 0, half and the maximum, each with its line across.
    for k in 0..=2 {
        let value = (max * f64::from(k) / 2.0).round() as i64;
        let y = h - bottom - plot * f64::from(k) / 2.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="{stroke}"/><text x="{tx}" y="{ty:.1}" class="axis" text-anchor="end">{value}</text>"##,
            x2 = w - pad,
            stroke = if k == 0 { "#777" } else { "#ddd" },
            tx = left - 6.0,
            ty = y + 5.0
        );
    }
    let pad = left;
    for (i, (label, v)) in values.iter().enumerate() {
        let bh = (*v as f64 / max) * plot;
        let x = pad + i as f64 * step + step * 0.1;
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="{colour}"><title>{l}: {v}</title></rect>"#,
            y = h - bottom - bh,
            bw = step * 0.8,
            l = esc(label)
        );
        if label_every > 0 && i % label_every == 0 {
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{y}" class="axis">{}</text>"#,
                esc(label),
                y = h - 8.0
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
    // Quiet checkpoints first, so that busy ones are drawn on top; closed ones last of all,
    // ringed, so that none hides under an open one.
    sorted.sort_by_key(|c| (c.status == "closed", c.passages));
    for c in sorted {
        // Centred: a small network (or one point) sits in the middle.
        let x = (w - span_x * scale) / 2.0 + (c.lon - lo_lon) * k * scale;
        let y = h - (h - span_y * scale) / 2.0 - (c.lat - lo_lat) * scale;
        let closed = c.status == "closed";
        let r = (2.0 + 7.0 * (c.passages as f64 / max).sqrt()).max(if closed { 4.5 } else { 0.0 });
        let ring = if closed {
            r##" stroke="#111" stroke-width="1.5""##
        } else {
            ""
        };
        let _ = write!(
            s,
            r#"<a href="/checkpoints/{code}"><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}" fill-opacity="0.8"{ring} data-status="{st}"><title>{name} {code}: {n}</title></circle></a>"#,
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
