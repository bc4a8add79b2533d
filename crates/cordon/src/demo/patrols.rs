//! The demo's video patrols: Shijiazhuang's first twenty open checkpoints with their cameras
//! registered as channels (a dome at the lanes, a plate camera, a thermal camera where there
//! are three), the city's night plan, last night's round finished with three findings (one sent
//! on as a directive) and this morning's round under way. Made once: a store with channels is
//! left as it is.

use cordon_domain::access::Role;
use cordon_domain::command::directive::{DirectiveRequest, Priority, TargetRequest};
use cordon_domain::command::patrol::{ChannelDraft, ChannelKind, Sight};
use cordon_store::network::CheckpointFilter;
use cordon_store::Store;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

const FINDINGS: [(usize, Sight, &str); 4] = [
    (4, Sight::Problem, "进城方向排队约800米，仅开放1条车道"),
    (11, Sight::NoSignal, ""),
    (17, Sight::Problem, "查验区有人员未佩戴口罩"),
    (26, Sight::Problem, "夜间照明不足，车牌难以辨认"),
];

pub async fn load(store: &dyn Store) -> anyhow::Result<()> {
    let city = super::principal("commander.sjz", Role::Commander, "130100")?;
    let patrol = city.may_patrol()?;
    if !store.list_channels(&patrol, None).await?.is_empty() {
        return Ok(());
    }
    let now = cordon_domain::time::now_ms();
    let mut checkpoints = store
        .list_checkpoints(&CheckpointFilter {
            within: cordon_domain::division::DivisionCode::from_value(130100),
            status: Some(cordon_domain::checkpoint::CheckpointStatus::Open),
            ..CheckpointFilter::default()
        })
        .await?;
    checkpoints.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    let mut ids = Vec::new();
    for (n, cp) in checkpoints.iter().take(20).enumerate() {
        let kinds = [
            (ChannelKind::Dome, "道口 球机"),
            (ChannelKind::Plate, "卡口抓拍"),
            (ChannelKind::Thermal, "测温 热成像"),
        ];
        for (k, (kind, name)) in kinds
            .iter()
            .enumerate()
            .take(cp.cameras.clamp(2, 3) as usize)
        {
            let c = store
                .add_channel(
                    &patrol,
                    &ChannelDraft {
                        checkpoint: cp.code.clone(),
                        name: (*name).into(),
                        stream: format!(
                            "rtsp://10.13.{}.{}:554/Streaming/Channels/{}01",
                            n + 1,
                            10 + k,
                            k + 1
                        ),
                        kind: *kind,
                    },
                    now - 2 * 24 * HOUR,
                )
                .await?;
            ids.push(c.id);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    let plan = store
        .make_plan(&patrol, "石家庄市 夜间巡查", &ids, now - 2 * 24 * HOUR)
        .await?;
    // Last night's round, finished.
    let start = now - 9 * HOUR;
    let round = store.start_round(&patrol, plan.id, start).await?;
    let issue = city.may_issue_directives()?;
    for (i, id) in ids.iter().enumerate() {
        let at = start + i as i64 * MINUTE;
        let finding = FINDINGS.iter().find(|f| f.0 == i);
        let (sight, note) = match finding {
            Some((_, sight, note)) => (*sight, (!note.is_empty()).then_some(*note)),
            None => (Sight::Ok, None),
        };
        store
            .observe(&patrol, round.id, *id, sight, note, at)
            .await?;
        if i == FINDINGS[0].0 {
            let stop = store.finding(&patrol, round.id, *id).await?;
            let request = DirectiveRequest {
                title: format!(
                    "视频巡查发现问题：{} {}",
                    stop.channel.checkpoint_name, stop.channel.name
                ),
                text: format!("{}。请立即增开车道疏导，处置后回复。", FINDINGS[0].2),
                priority: Priority::Urgent,
                target: TargetRequest {
                    checkpoints: vec![stop.channel.checkpoint.to_string()],
                    ..TargetRequest::default()
                },
                effective_at: None,
                ack_deadline: None,
            };
            let draft = request.parse(at).map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let d = store.issue_directive(&issue, draft, at).await?;
            store.link_directive(&patrol, round.id, *id, d.id).await?;
        }
    }
    store
        .finish_round(&patrol, round.id, start + ids.len() as i64 * MINUTE)
        .await?;
    // This morning's round, under way.
    let start = now - 20 * MINUTE;
    let round = store.start_round(&patrol, plan.id, start).await?;
    for (i, id) in ids.iter().take(12).enumerate() {
        store
            .observe(
                &patrol,
                round.id,
                *id,
                Sight::Ok,
                None,
                start + i as i64 * MINUTE,
            )
            .await?;
    }
    tracing::info!(channels = ids.len(), "demo video patrols of Shijiazhuang");
    Ok(())
}
