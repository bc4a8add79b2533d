//! Video patrols on both backends: channels added to the jurisdiction's checkpoints only,
//! plans of channels in use, a round observed once per channel (a retry changes nothing,
//! another answer is refused), its findings linked to their directives, finished, counted.

use std::sync::Arc;

use cordon_domain::access::Role;
use cordon_domain::command::patrol::{ChannelDraft, ChannelKind, Sight};
use cordon_store::Store;

use super::support::*;

fn commander(scope: &str) -> cordon_domain::access::command::PatrolRun {
    who(&format!("c{scope}"), Role::Commander, scope)
        .may_patrol()
        .unwrap()
}

fn channel(cp: &str, name: &str) -> ChannelDraft {
    ChannelDraft {
        checkpoint: code(cp),
        name: name.into(),
        stream: "rtsp://10.1.2.3:554/Streaming/Channels/101".into(),
        kind: ChannelKind::Dome,
    }
}

async fn a_round_records_each_channel_once(store: Arc<dyn Store>) {
    let s = store.as_ref();
    network(s).await;
    let now = t0().timestamp_millis();
    let city = commander("130100");
    let baoding = commander("130600");
    let c1 = s
        .add_channel(&city, &channel("CP-130100-0001", "1号道口 北向"), now)
        .await
        .unwrap();
    let c2 = s
        .add_channel(&city, &channel("CP-130100-0002", "2号道口"), now)
        .await
        .unwrap();
    let c3 = s
        .add_channel(&baoding, &channel("CP-130600-0001", "出口"), now)
        .await
        .unwrap();
    assert_eq!(
        code_of(
            s.add_channel(&city, &channel("CP-130600-0001", "x"), now)
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code_of(
            s.add_channel(&city, &channel("CP-130100-0077", "x"), now)
                .await
        ),
        "unknown_checkpoint checkpoint"
    );
    assert_eq!(s.list_channels(&city, None).await.unwrap().len(), 2);
    assert_eq!(
        code_of(s.make_plan(&city, "夜间巡查", &[c3.id], now).await),
        "unknown_channel channels[0]"
    );
    let plan = s
        .make_plan(&city, "夜间巡查", &[c2.id, c1.id], now)
        .await
        .unwrap();
    assert!(s.list_plans(&baoding).await.unwrap().is_empty());
    assert_eq!(
        code_of(s.start_round(&baoding, plan.id, now).await),
        "not_found"
    );

    let round = s.start_round(&city, plan.id, now).await.unwrap();
    let order: Vec<i64> = round.stops.iter().map(|x| x.channel.id).collect();
    assert_eq!(order, [c2.id, c1.id], "in the plan's order");
    s.observe(&city, round.id, c1.id, Sight::Ok, None, now)
        .await
        .unwrap();
    let again = s
        .observe(&city, round.id, c1.id, Sight::Ok, None, now + 1)
        .await
        .unwrap();
    assert_eq!(
        (again.seen, again.findings),
        (1, 0),
        "a retry changes nothing"
    );
    assert_eq!(
        code_of(
            s.observe(&city, round.id, c1.id, Sight::Problem, Some("x"), now)
                .await
        ),
        "already_observed channel"
    );
    assert_eq!(
        code_of(
            s.observe(&city, round.id, c3.id, Sight::Ok, None, now)
                .await
        ),
        "not_in_plan channel"
    );
    let r = s
        .observe(
            &city,
            round.id,
            c2.id,
            Sight::Problem,
            Some("排队超过1公里"),
            now,
        )
        .await
        .unwrap();
    assert_eq!((r.seen, r.findings), (2, 1));
    assert_eq!(
        code_of(s.finding(&city, round.id, c1.id).await),
        "not_found"
    );
    let finding = s.finding(&city, round.id, c2.id).await.unwrap();
    assert_eq!(finding.note.as_deref(), Some("排队超过1公里"));
    s.link_directive(&city, round.id, c2.id, 42).await.unwrap();
    let done = s.finish_round(&city, round.id, now + 60_000).await.unwrap();
    assert!(done.finished_at.is_some());
    assert_eq!(done.stops[0].directive, Some(42));
    assert_eq!(
        code_of(
            s.observe(&city, round.id, c1.id, Sight::Ok, None, now)
                .await
        ),
        "round_finished round"
    );
    let listed = s.list_rounds(&city, now - 1).await.unwrap();
    assert_eq!((listed.len(), listed[0].findings), (1, 1));
    assert!(listed[0].stops.is_empty(), "a list carries counts only");
    assert!(s.list_rounds(&baoding, 0).await.unwrap().is_empty());

    let retired = s.retire_channel(&city, c1.id, now).await.unwrap();
    assert!(retired.retired);
    assert_eq!(
        code_of(s.make_plan(&city, "白天", &[c1.id], now).await),
        "unknown_channel channels[0]"
    );
    assert_eq!(
        code_of(s.retire_channel(&city, c3.id, now).await),
        "not_found"
    );
}

conformance!(a_round_records_each_channel_once);
