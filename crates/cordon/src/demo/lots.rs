//! The demo's holding lot: Shijiazhuang's truck lot of 1,200 bays in three parking zones (and
//! its work, living, isolation and hand-over zones), fed by the demo officer's checkpoints, with
//! trucks in every state over the last day (waiting at the gate, parked, sampled with the
//! cassette developing, read, released with the PCR pending, handed over to local vehicles,
//! escorted out, a driver isolated, some turned back), one released truck whose PCR came back
//! positive (an open alert), and drivers' requests at three bays. Made once: a store with a lot
//! is left as it is.

use cordon_domain::access::Role;
use cordon_domain::freight::bay::{BayToken, DriverNeed};
use cordon_domain::freight::lot::{LotRequest, ZoneKind, ZoneRequest};
use cordon_domain::freight::truck::{CheckIn, Driver, LotReading, Step};
use cordon_domain::plate::Plate;
use cordon_store::network::CheckpointFilter;
use cordon_store::Store;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const MINUTE: i64 = 60_000;
const PROVINCES: [&str; 8] = ["鄂", "豫", "鲁", "晋", "蒙", "辽", "京", "津"];

/// How far each truck got: (how many, steps after check-in).
const PLAN: [(usize, usize); 8] = [
    (8, 0),   // waiting at the gate for a bay
    (70, 1),  // parked
    (45, 2),  // sampled, cassette developing or due
    (30, 3),  // antigen negative, waiting to leave
    (2, 3),   // antigen positive (made so below)
    (140, 4), // left: released, handed over, escorted out
    (2, 4),   // driver isolated
    (4, 9),   // turned back at the gate
];

fn zone(kind: ZoneKind, name: &str, capacity: u32) -> ZoneRequest {
    ZoneRequest {
        kind,
        name: name.into(),
        capacity,
    }
}

/// The demo officer's checkpoints and the city's open highway exits.
async fn senders(store: &dyn Store, officer_checkpoints: &str) -> anyhow::Result<Vec<String>> {
    let mut codes: Vec<String> = officer_checkpoints.split(',').map(str::to_owned).collect();
    for c in exits(store).await? {
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    Ok(codes)
}

/// Shijiazhuang's first 18 open highway exits, by code.
pub(crate) async fn exits(store: &dyn Store) -> anyhow::Result<Vec<String>> {
    let mut exits = store
        .list_checkpoints(&CheckpointFilter {
            within: cordon_domain::division::DivisionCode::from_value(130100),
            status: Some(cordon_domain::checkpoint::CheckpointStatus::Open),
            kind: Some(cordon_domain::checkpoint::CheckpointKind::HighwayExit),
            ..CheckpointFilter::default()
        })
        .await?;
    exits.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    Ok(exits
        .into_iter()
        .take(18)
        .map(|c| c.code.as_str().to_owned())
        .collect())
}

pub async fn load(store: &dyn Store, officer_checkpoints: &str) -> anyhow::Result<()> {
    let city = super::principal("commander.sjz", Role::Commander, "130100")?;
    let keep = city.may_keep_lots()?;
    let work = keep.work();
    if !store.list_lots(&work).await?.is_empty() {
        return Ok(());
    }
    let senders = senders(store, officer_checkpoints).await?;
    let request = LotRequest {
        name: "石家庄货车滞留场".into(),
        division: "130100".into(),
        address: "石家庄市鹿泉区京昆高速石家庄西出口东 500 米".into(),
        zones: vec![
            zone(ZoneKind::Work, "工作区", 60),
            zone(ZoneKind::Living, "生活区", 200),
            zone(ZoneKind::Parking, "停车A区", 400),
            zone(ZoneKind::Parking, "停车B区", 400),
            zone(ZoneKind::Parking, "停车C区", 400),
            zone(ZoneKind::Isolation, "隔离区", 40),
            zone(ZoneKind::Handover, "点对点接驳区", 30),
        ],
        checkpoints: senders.clone(),
    };
    let draft = request
        .parse()
        .map_err(|e| anyhow::anyhow!("the demo lot: {e:?}"))?;
    let lot = store
        .make_lot(&keep, &draft, cordon_domain::time::now_ms())
        .await?;
    let now = cordon_domain::time::now_ms();
    let mut rng = SmallRng::seed_from_u64(25);
    let mut bay = 0u32;
    let mut n = 0usize;
    let mut alerted = false;
    // The lanes' trucks of the day, oldest last: those of the last five hours (but the last
    // 40 minutes, still on their way) for the trucks in the lot, the earlier ones for those gone.
    let sent = store.lot_board(&work, lot.id, now).await?.sent;
    let (mut recent, mut older): (Vec<_>, Vec<_>) = sent
        .into_iter()
        .filter(|s| s.observed_at.timestamp_millis() < now - 40 * MINUTE)
        .partition(|s| s.observed_at.timestamp_millis() >= now - 5 * 60 * MINUTE);
    recent.reverse();
    older.reverse();
    for (group, (count, steps)) in PLAN.iter().enumerate() {
        for _ in 0..*count {
            n += 1;
            // Most trucks are the ones the lanes sent (checked in 20 minutes after their
            // passage); the rest came directly. Those still in arrived within the last few
            // hours, those gone within the day.
            let gone = *steps >= 4;
            let pool = if gone { &mut older } else { &mut recent };
            let from_lane = if n.is_multiple_of(5) {
                None
            } else {
                pool.pop()
            };
            let (plate, mut at) = match from_lane {
                Some(s) => (s.plate, s.observed_at.timestamp_millis() + 20 * MINUTE),
                None => {
                    let span = if gone { 20 * 60 } else { 5 * 60 };
                    let plate = format!(
                        "{}{}{:05}",
                        PROVINCES[n % PROVINCES.len()],
                        ['A', 'B', 'C', 'F', 'H'][n % 5],
                        10_000 + n * 37 % 89_999
                    );
                    (plate, now - rng.gen_range(40..span) * MINUTE)
                }
            };
            let plate = Plate::parse(&plate).map_err(|e| anyhow::anyhow!(e.message))?;
            let driver = n.is_multiple_of(3).then(|| Driver {
                name: cordon_domain::person::PersonName::parse("李师傅").expect("a name"),
                phone: cordon_domain::contact::MobileNumber::parse(&format!(
                    "139{:08}",
                    20_000_000 + n
                ))
                .expect("a mobile number"),
            });
            let t = match store
                .check_in(&work, lot.id, &CheckIn { plate, driver }, at)
                .await
            {
                Ok(t) => t,
                // A made-up plate that a lane's truck in the lot already has.
                Err(cordon_store::StoreError::Invalid(f)) if f.code == "already_in_lot" => continue,
                Err(e) => return Err(e.into()),
            };
            let mut walk = Vec::new();
            if *steps == 9 {
                walk.push((Step::TurnBack, Some("无法提供货物来源证明，劝返")));
            } else {
                if *steps >= 1 {
                    bay += 1 + (n % 3) as u32;
                    walk.push((Step::Park { bay }, None));
                }
                if *steps >= 2 {
                    let tube = format!("SJZ2212{:05}", n);
                    walk.push((
                        Step::Sample {
                            pcr_tube: Some(tube),
                        },
                        None,
                    ));
                }
                if *steps >= 3 {
                    let r = if group == 4 || group == 6 {
                        LotReading::Positive
                    } else {
                        LotReading::Negative
                    };
                    walk.push((Step::Antigen(r), None));
                }
                if *steps >= 4 {
                    walk.push(match (group, n % 10) {
                        (6, _) => (Step::Isolate, Some("抗原阳性，司机闭环转运至集中隔离点")),
                        (_, 0) => (
                            Step::HandOver {
                                plate: Plate::parse(&format!("冀A{:05}", 20_000 + n))
                                    .map_err(|e| anyhow::anyhow!(e.message))?,
                                driver: Driver {
                                    name: cordon_domain::person::PersonName::parse("赵师傅")
                                        .expect("a name"),
                                    phone: cordon_domain::contact::MobileNumber::parse(&format!(
                                        "138{:08}",
                                        30_000_000 + n
                                    ))
                                    .expect("a mobile number"),
                                },
                            },
                            None,
                        ),
                        (_, 5) => (
                            Step::EscortOut {
                                destination: "石家庄国际陆港物流园".into(),
                            },
                            None,
                        ),
                        _ => (Step::Release, None),
                    });
                }
            }
            for (i, (step, why)) in walk.into_iter().enumerate() {
                // The cassette develops for 15 minutes before it is read.
                at += if matches!(step, Step::Antigen(_)) {
                    16
                } else {
                    4 + i as i64
                } * MINUTE;
                // The sampled trucks' cassettes are developing or just due.
                if matches!(step, Step::Sample { .. }) && group == 2 {
                    at = at.max(now - (n as i64 % 24 + 1) * MINUTE);
                }
                store
                    .take_step(&work, lot.id, t.id, &step, why, at.min(now))
                    .await?;
            }
            // Most released trucks' PCR came back negative; one came back positive.
            if group == 5 && !n.is_multiple_of(10) && n % 10 != 5 && n % 4 != 1 {
                let r = if !alerted && t.passage.is_some() {
                    alerted = true;
                    LotReading::Positive
                } else {
                    LotReading::Negative
                };
                store
                    .take_step(
                        &work,
                        lot.id,
                        t.id,
                        &Step::Pcr(r),
                        None,
                        (at + 300 * MINUTE).min(now),
                    )
                    .await?;
            }
        }
    }
    for (bay, need, ago) in [
        (17, DriverNeed::Water, 8),
        (203, DriverNeed::Food, 41),
        (655, DriverNeed::Medical, 3),
    ] {
        let token = BayToken {
            lot: lot.id,
            bay,
            check: store.bay_check(lot.id, bay),
        };
        store.ask(&token, need, now - ago * MINUTE).await?;
    }
    Ok(())
}
