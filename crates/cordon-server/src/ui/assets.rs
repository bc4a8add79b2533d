//! Styles and scripts, embedded in the binary. Pages link them as `/assets/NAME?v=VERSION`, where
//! the version is a digest of the contents, so browsers may keep them for a year and still get a
//! new build's at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

pub const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/app.js"),
    },
    Asset {
        name: "lane.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/lane.js"),
    },
    Asset {
        name: "declare.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/declare.js"),
    },
    Asset {
        name: "dashboard.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/dashboard.js"),
    },
    Asset {
        name: "trace.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/trace.js"),
    },
    Asset {
        name: "statuses.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/statuses.js"),
    },
    Asset {
        name: "accounts.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/accounts.js"),
    },
    Asset {
        name: "audit.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/audit.js"),
    },
    Asset {
        name: "policies.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/policies.js"),
    },
    Asset {
        name: "followup.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/followup.js"),
    },
    Asset {
        name: "worklist.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/worklist.js"),
    },
    Asset {
        name: "testing.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/testing.js"),
    },
    Asset {
        name: "lab.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/lab.js"),
    },
    Asset {
        name: "antigen.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/antigen.js"),
    },
    Asset {
        name: "sampling.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/sampling.js"),
    },
    Asset {
        name: "risk_areas.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/risk_areas.js"),
    },
    Asset {
        name: "network.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/network.js"),
    },
    Asset {
        name: "stations.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/stations.js"),
    },
    Asset {
        name: "passage.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/passage.js"),
    },
    Asset {
        name: "directives.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/directives.js"),
    },
    Asset {
        name: "directive.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/directive.js"),
    },
    Asset {
        name: "lane_directives.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/lane_directives.js"),
    },
    Asset {
        name: "reports.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/reports.js"),
    },
    Asset {
        name: "lane_duty.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/lane_duty.js"),
    },
    Asset {
        name: "patrols.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/patrols.js"),
    },
    Asset {
        name: "round.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/round.js"),
    },
    Asset {
        name: "daily.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/daily.js"),
    },
    Asset {
        name: "duty.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/duty.js"),
    },
    Asset {
        name: "roster.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/roster.js"),
    },
    Asset {
        name: "lots.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/lots.js"),
    },
    Asset {
        name: "lot.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/lot.js"),
    },
    Asset {
        name: "bay.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/bay.js"),
    },
    Asset {
        name: "passes.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/passes.js"),
    },
    Asset {
        name: "escorts.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/escorts.js"),
    },
];

/// One digest over every asset: a page's links change whenever any asset does.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for a in ASSETS {
        h.update(a.name.as_bytes());
        h.update(a.body.as_bytes());
    }
    cordon_domain::audit::hex(&h.finalize()[..6])
});

pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", *VERSION);
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = asset.body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}

#[cfg(test)]
mod contrast {
    //! Text on the decision's colours reads at a contrast of at least 4.5:1 (WCAG AA), so a lane
    //! in sunlight can tell the words apart; and every outcome has a colour of its own.

    fn luminance(hex: &str) -> f64 {
        let short = hex.trim_start_matches('#');
        // `#abc` is `#aabbcc`.
        let hex: String = if short.len() == 3 {
            short.chars().flat_map(|c| [c, c]).collect()
        } else {
            short.to_owned()
        };
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    fn ratio(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// The declarations of `.decision.o-OUTCOME{...}` in the stylesheet.
    fn rule(css: &str, outcome: &str) -> String {
        let selector = format!(".decision.o-{outcome}{{");
        let at = css
            .find(&selector)
            .unwrap_or_else(|| panic!("no colour for {outcome}"))
            + selector.len();
        css[at..at + css[at..].find('}').unwrap()].to_owned()
    }

    fn value(declarations: &str, property: &str) -> Option<String> {
        declarations.split(';').find_map(|d| {
            let (p, v) = d.split_once(':')?;
            (p.trim() == property).then(|| v.trim().to_owned())
        })
    }

    #[test]
    fn decision_text_reads_on_every_outcome_colour() {
        let css = super::ASSETS
            .iter()
            .find(|a| a.name == "app.css")
            .unwrap()
            .body;
        let outcomes = ["pass", "test_on_site", "hold", "refer", "persuade_return"];
        let mut backgrounds = Vec::new();
        for outcome in outcomes {
            let r = rule(css, outcome);
            let background = value(&r, "background").unwrap();
            let text = value(&r, "color").unwrap_or_else(|| "#ffffff".into());
            let text = if text == "#fff" {
                "#ffffff".into()
            } else {
                text
            };
            let c = ratio(&background, &text);
            assert!(c >= 4.5, "{outcome}: {text} on {background} is {c:.2}:1");
            backgrounds.push(background);
        }
        backgrounds.sort();
        backgrounds.dedup();
        assert_eq!(
            backgrounds.len(),
            outcomes.len(),
            "each outcome its own colour"
        );
    }

    #[test]
    fn the_ratio_is_wcags() {
        assert!((ratio("#000000", "#ffffff") - 21.0).abs() < 0.01);
        assert!(
            (ratio("#b7950b", "#ffffff") - 2.9).abs() < 0.1,
            "the mustard measured before"
        );
    }
}
