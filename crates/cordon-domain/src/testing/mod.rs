//! Mass testing: a campaign over an area with its pool size, its sampling sites, and the tubes
//! filled at them. A tube is named by its pre-printed barcode ([`Barcode`]), opened at a site
//! for a pool of 1, 5, 10 or 20 persons ([`PoolSize`]), filled by scanning persons' documents
//! one by one and sealed, full or short with a reason ([`tube`]). A tube holds persons, never
//! other tubes: there are no pools of pools.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::division::DivisionCode;
use crate::registration::DocumentRequest;
use crate::{FieldError, Gathered};

pub mod antigen;
pub mod instrument;
pub mod lab;
pub mod roster;
pub mod tube;

/// The longest campaign or site name, and a short seal's reason.
pub const MAX_NAME: usize = 64;

/// How many persons one tube holds: 1 (a single tube, for key groups), 5, 10 (the default) or
/// 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct PoolSize(u8);

impl PoolSize {
    pub const DEFAULT: PoolSize = PoolSize(10);

    pub fn parse(n: u32) -> Result<Self, FieldError> {
        match n {
            1 | 5 | 10 | 20 => Ok(PoolSize(n as u8)),
            _ => Err(FieldError::new(
                "invalid_pool_size",
                "",
                "a tube holds 1, 5, 10 or 20 persons",
            )),
        }
    }

    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

impl TryFrom<u32> for PoolSize {
    type Error = String;
    fn try_from(n: u32) -> Result<Self, String> {
        PoolSize::parse(n).map_err(|e| e.message)
    }
}

impl From<PoolSize> for u32 {
    fn from(p: PoolSize) -> u32 {
        p.get()
    }
}

/// A tube's pre-printed barcode: 6 to 32 letters, digits and hyphens, kept in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Barcode(String);

impl Barcode {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_ascii_uppercase();
        let ok = (6..=32).contains(&s.len())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && s.chars().any(|c| c.is_ascii_alphanumeric());
        if ok {
            Ok(Barcode(s))
        } else {
            Err(FieldError::new(
                "invalid_barcode",
                "barcode",
                "a tube's barcode is 6 to 32 letters, digits and hyphens",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The barcode's series and number: its text before the trailing digits, and those digits
    /// (how gaps in a pre-printed series are found); `None` without trailing digits.
    pub fn serial(&self) -> Option<(&str, u64)> {
        let digits = self.0.len() - self.0.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits > 18 {
            return None;
        }
        let (series, number) = self.0.split_at(self.0.len() - digits);
        Some((series, number.parse().ok()?))
    }
}

impl std::fmt::Display for Barcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Numbers of a pre-printed series that were skipped: a run `from..=to` between two barcodes
/// used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    pub from: u64,
    pub to: u64,
}

/// One series of barcodes used (their text before the trailing digits), its first and last
/// number, how many were used and the runs skipped between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Series {
    pub series: String,
    /// Digits of the numbers as printed (so `HB0017` reads back with its zeros).
    pub width: usize,
    pub first: u64,
    pub last: u64,
    pub used: u64,
    /// At most [`MAX_GAPS`] runs, the first ones.
    pub gaps: Vec<Gap>,
    /// Numbers skipped in all.
    pub missing: u64,
}

/// Most skipped runs listed per series.
pub const MAX_GAPS: usize = 50;

/// The series of `barcodes` with the numbers skipped in each (barcodes without trailing digits
/// belong to no series).
pub fn series(barcodes: &[Barcode]) -> Vec<Series> {
    let mut by: std::collections::BTreeMap<&str, (usize, Vec<u64>)> =
        std::collections::BTreeMap::new();
    for b in barcodes {
        if let Some((s, n)) = b.serial() {
            let e = by.entry(s).or_default();
            e.0 = e.0.max(b.as_str().len() - s.len());
            e.1.push(n);
        }
    }
    by.into_iter()
        .map(|(s, (width, mut numbers))| {
            numbers.sort_unstable();
            numbers.dedup();
            let mut gaps = Vec::new();
            let mut missing = 0;
            for w in numbers.windows(2) {
                if w[1] > w[0] + 1 {
                    missing += w[1] - w[0] - 1;
                    if gaps.len() < MAX_GAPS {
                        gaps.push(Gap {
                            from: w[0] + 1,
                            to: w[1] - 1,
                        });
                    }
                }
            }
            Series {
                series: s.to_owned(),
                width,
                first: numbers[0],
                last: numbers[numbers.len() - 1],
                used: numbers.len() as u64,
                gaps,
                missing,
            }
        })
        .collect()
}

pub(crate) fn name(s: &str, field: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            "invalid_name",
            field,
            format!("1 to {MAX_NAME} characters, without control characters"),
        ));
    }
    Ok(t.to_owned())
}

/// A campaign as a commander opens it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    #[schema(example = "长安区全员核酸 第三轮", max_length = 64)]
    pub name: String,
    /// The division whose residents are tested (within the commander's jurisdiction).
    #[schema(example = "130102")]
    pub area: String,
    /// When it must be done (RFC 3339), after now.
    #[schema(example = "2022-05-04T12:00:00+08:00")]
    pub deadline: String,
    /// Persons per tube unless a tube says otherwise: 1, 5, 10 (default) or 20.
    #[serde(default)]
    pub pool_size: Option<u32>,
}

/// A checked campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCampaign {
    pub name: String,
    pub area: DivisionCode,
    pub deadline_ms: i64,
    pub pool_size: PoolSize,
}

impl CampaignRequest {
    /// Checks the campaign against `now`; every problem at once.
    pub fn parse(&self, now: DateTime<FixedOffset>) -> Result<NewCampaign, Vec<FieldError>> {
        let mut g = Gathered::default();
        let name = g.take(name(&self.name, "name"));
        let area = g.take(DivisionCode::parse(self.area.trim()).map_err(|e| e.under("area")));
        let deadline = match DateTime::parse_from_rfc3339(self.deadline.trim()) {
            Ok(d) if d > now => Some(d.timestamp_millis()),
            Ok(_) => {
                g.push(FieldError::new(
                    "in_the_past",
                    "deadline",
                    "the deadline is after now",
                ));
                None
            }
            Err(_) => {
                g.push(FieldError::new(
                    "invalid_time",
                    "deadline",
                    "a time such as 2022-05-04T12:00:00+08:00",
                ));
                None
            }
        };
        let pool =
            g.take(PoolSize::parse(self.pool_size.unwrap_or(10)).map_err(|e| e.under("pool_size")));
        g.finish(|| {
            Some(NewCampaign {
                name: name?,
                area: area?,
                deadline_ms: deadline?,
                pool_size: pool?,
            })
        })
    }
}

/// A sampling site of a campaign.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteRequest {
    #[schema(example = "裕华路社区 1 号点", max_length = 64)]
    pub name: String,
    /// Sampling lanes (1 to 50, default 1).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 50)]
    pub lanes: Option<u16>,
}

impl SiteRequest {
    pub fn parse(&self) -> Result<(String, u16), Vec<FieldError>> {
        let mut g = Gathered::default();
        let site = g.take(name(&self.name, "name"));
        let lanes = self.lanes.unwrap_or(1);
        if !(1..=50).contains(&lanes) {
            g.push(FieldError::new(
                "out_of_range",
                "lanes",
                "a site has 1 to 50 lanes",
            ));
        }
        g.finish(|| Some((site?, lanes)))
    }
}

/// A tube opened at a site.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TubeRequest {
    /// The site's id.
    pub site: i64,
    /// As scanned.
    #[schema(example = "HB2022050300017")]
    pub barcode: String,
    /// 1, 5, 10 or 20 persons (default: the campaign's).
    #[serde(default)]
    pub pool_size: Option<u32>,
}

/// A person scanned into a tube.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub document: DocumentRequest,
    #[schema(example = "张三")]
    pub name: String,
}

/// A tube sealed: full, or short of its pool with a reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealRequest {
    /// Why the tube is sealed before it holds its pool (the last of the queue, a person who
    /// left).
    #[serde(default)]
    #[schema(max_length = 64)]
    pub short_reason: Option<String>,
}

impl SealRequest {
    /// The reason given, checked (`None` when none was).
    pub fn reason(&self) -> Result<Option<String>, FieldError> {
        match self.short_reason.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(r) => name(r, "short_reason").map(Some),
        }
    }
}

#[cfg(test)]
mod tests;
