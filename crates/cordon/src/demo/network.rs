//! The demo checkpoint network: the jurisdiction tree and about 1,300 checkpoints on the three
//! defence lines, with kinds, lanes, cameras and coordinates, generated from a seed.

use cordon_domain::checkpoint::{
    CheckpointCode, CheckpointKind, CheckpointStatus, DefenceLine, Location,
};
use cordon_domain::division::DivisionCode;
use cordon_store::{NewCheckpoint, NewJurisdiction, Store};
use rand::rngs::SmallRng;
use rand::Rng;

use super::hebei::{CAPITAL_RING, CITIES, PROVINCE, PROVINCE_BORDER};

/// A generated checkpoint with what the traffic generator needs to know of it.
pub struct DemoCheckpoint {
    pub checkpoint: NewCheckpoint,
    /// Index into [`CITIES`].
    pub city: usize,
    /// Relative traffic volume.
    pub weight: f64,
}

fn div(code: u32) -> DivisionCode {
    DivisionCode::parse(&format!("{code:06}")).expect("table codes are valid")
}

pub async fn create_jurisdictions(store: &dyn Store) -> anyhow::Result<usize> {
    let mut n = 0;
    store
        .create_jurisdiction(NewJurisdiction {
            code: div(PROVINCE.0),
            name: PROVINCE.1.into(),
        })
        .await?;
    for city in CITIES {
        store
            .create_jurisdiction(NewJurisdiction {
                code: div(city.code),
                name: city.name.into(),
            })
            .await?;
        n += 1;
        for (code, name) in city.counties {
            store
                .create_jurisdiction(NewJurisdiction {
                    code: div(*code),
                    name: (*name).into(),
                })
                .await?;
            n += 1;
        }
    }
    Ok(n + 1)
}

fn label(kind: CheckpointKind) -> &'static str {
    match kind {
        CheckpointKind::TollStation => "收费站",
        CheckpointKind::HighwayExit => "高速出口",
        CheckpointKind::NationalRoad => "国道检查点",
        CheckpointKind::ProvincialRoad => "省道检查点",
        CheckpointKind::VillageRoad => "村口卡点",
        CheckpointKind::RailwayStation => "火车站",
    }
}

fn pick_kind(rng: &mut SmallRng, line: DefenceLine) -> CheckpointKind {
    let x: f64 = rng.gen();
    match line {
        DefenceLine::ProvinceBorder | DefenceLine::CapitalRing => match x {
            x if x < 0.30 => CheckpointKind::TollStation,
            x if x < 0.50 => CheckpointKind::HighwayExit,
            x if x < 0.70 => CheckpointKind::NationalRoad,
            x if x < 0.85 => CheckpointKind::ProvincialRoad,
            _ => CheckpointKind::VillageRoad,
        },
        DefenceLine::Inland => match x {
            x if x < 0.15 => CheckpointKind::HighwayExit,
            x if x < 0.35 => CheckpointKind::NationalRoad,
            x if x < 0.60 => CheckpointKind::ProvincialRoad,
            _ => CheckpointKind::VillageRoad,
        },
    }
}

/// Lanes and relative daily volume by kind: a busy toll station sees about 10,000 vehicles a day.
fn lanes_and_weight(rng: &mut SmallRng, kind: CheckpointKind) -> (u16, f64) {
    match kind {
        CheckpointKind::TollStation => (rng.gen_range(6..=16), 8.0),
        CheckpointKind::HighwayExit => (rng.gen_range(2..=6), 4.0),
        CheckpointKind::NationalRoad => (rng.gen_range(2..=4), 2.5),
        CheckpointKind::ProvincialRoad => (rng.gen_range(2..=3), 1.2),
        CheckpointKind::VillageRoad => (rng.gen_range(1..=2), 0.3),
        CheckpointKind::RailwayStation => (rng.gen_range(4..=8), 3.0),
    }
}

pub fn checkpoints(rng: &mut SmallRng) -> Vec<DemoCheckpoint> {
    let mut out = Vec::new();
    for (ci, city) in CITIES.iter().enumerate() {
        let mut seq = 0u32;
        let mut push = |rng: &mut SmallRng,
                        jurisdiction: u32,
                        place: &str,
                        line: DefenceLine,
                        kind: CheckpointKind,
                        spread: f64| {
            seq += 1;
            let (lanes, weight) = lanes_and_weight(rng, kind);
            let (lat, lon) = city.centre;
            let location = Location::parse(
                lat + rng.gen_range(-spread..spread),
                lon + rng.gen_range(-spread..spread),
            )
            .expect("Hebei lies in China");
            let short = place.trim_end_matches(['区', '县', '市']);
            out.push(DemoCheckpoint {
                checkpoint: NewCheckpoint {
                    code: CheckpointCode::parse(&format!("CP-{}-{seq:04}", city.code))
                        .expect("valid code"),
                    name: format!("{short}{}{seq}号", label(kind)),
                    jurisdiction: div(jurisdiction),
                    kind,
                    defence_line: line,
                    location,
                    lanes,
                    cameras: lanes.div_ceil(2) + rng.gen_range(0..3),
                    status: if rng.gen_bool(0.03) {
                        CheckpointStatus::Closed
                    } else {
                        CheckpointStatus::Open
                    },
                },
                city: ci,
                weight: weight * rng.gen_range(0.5..1.5),
            });
        };
        if city.counties.is_empty() {
            for _ in 0..10 {
                let kind = pick_kind(rng, DefenceLine::CapitalRing);
                push(rng, city.code, "雄安", DefenceLine::CapitalRing, kind, 0.15);
            }
            continue;
        }
        push(
            rng,
            city.counties[0].0,
            city.name,
            DefenceLine::Inland,
            CheckpointKind::RailwayStation,
            0.03,
        );
        for (code, name) in city.counties.iter() {
            let (line, count) = if CAPITAL_RING.contains(code) {
                (DefenceLine::CapitalRing, 14)
            } else if PROVINCE_BORDER.contains(code) {
                (DefenceLine::ProvinceBorder, 12)
            } else if name.ends_with('区') {
                (DefenceLine::Inland, 4)
            } else {
                (DefenceLine::Inland, 6)
            };
            for _ in 0..count {
                let kind = pick_kind(rng, line);
                push(rng, *code, name, line, kind, 0.45);
            }
        }
    }
    out
}
