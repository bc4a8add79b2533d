//! The demo's escorts: Shijiazhuang's command has 23 buses of returning workers under way from
//! the demo officer's first checkpoint to the city's quarantine site, a medical team assigned
//! for this evening, and a supplies truck guided from the demo's holding lot to the logistics
//! base this morning (handed over and done). Made once: a store with escorts is left as it is.

use cordon_domain::access::Role;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::freight::escort::{EscortDraft, EscortKind, EscortStep, EscortStepKind};
use cordon_domain::plate::Plate;
use cordon_store::Store;

const HOUR: i64 = 3_600_000;

fn plates(list: &[String]) -> anyhow::Result<Vec<Plate>> {
    list.iter()
        .map(|p| Plate::parse(p).map_err(|e| anyhow::anyhow!(e.message)))
        .collect()
}

pub async fn load(store: &dyn Store, officer_checkpoints: &str) -> anyhow::Result<()> {
    let city = super::principal("commander.sjz", Role::Commander, "130100")?;
    let assign = city.may_assign_escorts()?;
    let work = assign.work();
    let now = cordon_domain::time::now_ms();
    if !store.escorts(&work, now).await?.is_empty() {
        return Ok(());
    }
    let Some(first) = officer_checkpoints.split(',').next() else {
        return Ok(());
    };
    let checkpoint = CheckpointCode::parse(first).map_err(|e| anyhow::anyhow!(e.message))?;
    // The supplies truck left the demo's holding lot.
    let lot = store
        .list_lots(&city.may_work_lots()?)
        .await?
        .first()
        .map(|l| l.id);
    let buses: Vec<String> = (0..23).map(|n| format!("冀A{:05}", 80_100 + n)).collect();
    let escorts = [
        (
            EscortKind::ReturningWorkers,
            "石家庄市集中隔离点（正定）",
            "京港澳高速 → 石家庄北出口 → 正定新区",
            buses,
            vec![
                "王警官".to_owned(),
                "李警官".to_owned(),
                "交警三大队 07".to_owned(),
            ],
            Some(419),
            now + HOUR,
            1,
        ),
        (
            EscortKind::MedicalTeam,
            "藁城区方舱医院",
            "二环 → 石津线 → 藁城",
            vec!["冀A91120".to_owned(), "冀A91121".to_owned()],
            vec!["赵警官".to_owned()],
            Some(36),
            now + 6 * HOUR,
            0,
        ),
        (
            EscortKind::SuppliesGuide,
            "石家庄国际陆港物流基地",
            "石家庄西出口 → 太行大街 → 陆港",
            vec!["豫A24680".to_owned()],
            vec!["孙警官".to_owned()],
            None,
            now - 3 * HOUR,
            3,
        ),
    ];
    for (kind, destination, route, vehicles, officers, persons, arrival, steps) in escorts {
        let draft = EscortDraft {
            kind,
            checkpoint: checkpoint.clone(),
            lot: lot.filter(|_| kind == EscortKind::SuppliesGuide),
            destination: destination.into(),
            route: route.into(),
            vehicles: plates(&vehicles)?,
            officers,
            persons,
            planned_arrival_ms: arrival,
            note: None,
        };
        let assigned_at = arrival - 2 * HOUR;
        let e = store
            .assign_escort(&assign, &draft, assigned_at.min(now))
            .await?;
        let taken = [
            (EscortStepKind::Start, None),
            (EscortStepKind::HandOver, Some("陆港物流基地 调度 刘主任")),
            (EscortStepKind::Finish, None),
        ];
        for (i, (step, said)) in taken.into_iter().take(steps).enumerate() {
            let step = EscortStep {
                step,
                said: said.map(str::to_owned),
            };
            let at = (assigned_at + (i as i64 + 1) * 40 * 60_000).min(now);
            store.step_escort(&work, e.id, &step, at).await?;
        }
    }
    tracing::info!("demo escorts of Shijiazhuang");
    Ok(())
}
