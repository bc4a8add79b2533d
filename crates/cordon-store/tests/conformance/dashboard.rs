//! The dashboard's summary on both backends: passages per checkpoint, hour and outcome, within a
//! scope, a superseded record not counted.

use std::sync::Arc;

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_store::Store;
use uuid::Uuid;

use super::support::*;

fn commander(scope: &str) -> Principal {
    Principal {
        account: 1,
        username: Username::parse("commander").unwrap(),
        role: Role::Commander,
        scope: Scope::parse(scope).unwrap(),
    }
}

pub async fn the_summary_counts_per_checkpoint_hour_and_outcome(store: Arc<dyn Store>) {
    network(&*store).await;
    for (cp, minute, people) in [
        ("CP-130100-0001", 0, &[1, 2][..]),
        ("CP-130100-0001", 10, &[3][..]),
        ("CP-130100-0001", 70, &[4][..]),
        ("CP-130600-0001", 5, &[5, 6, 7][..]),
    ] {
        store
            .record_passages(vec![new(draft(
                Uuid::now_v7(),
                cp,
                minute,
                "冀A12345",
                people,
            ))])
            .await
            .unwrap();
    }
    let from = t0().timestamp_millis();
    let to = from + 24 * 3_600_000;
    let rows = store.network_summary(&reads(), from, to).await.unwrap();
    let of = |cp: &str, hour: i64| {
        rows.iter()
            .find(|r| r.checkpoint == cp && r.hour_ms == from + hour * 3_600_000)
            .unwrap_or_else(|| panic!("{cp} hour {hour}: {rows:?}"))
    };
    let first = of("CP-130100-0001", 0);
    assert_eq!((first.passages, first.persons), (2, 3));
    assert_eq!(first.outcome, "pass");
    assert_eq!(of("CP-130100-0001", 1).passages, 1);
    assert_eq!(of("CP-130600-0001", 0).persons, 3);
    // Entered a long time after they were observed: not handled at the lane.
    assert!(rows.iter().all(|r| r.handled == 0 && r.handling_ms == 0));
    assert_eq!(rows.len(), 3);
    // A city commander's summary holds the city's checkpoints only.
    let city = commander("130100").may_read_passages(0).unwrap();
    let rows = store.network_summary(&city, from, to).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.checkpoint.starts_with("CP-130100")));
    // A station's officer, bound to a list of checkpoints, sees theirs.
    let officer = Principal {
        account: 2,
        username: Username::parse("officer").unwrap(),
        role: Role::Officer,
        scope: Scope::parse("CP-130600-0001,CP-130100-0009").unwrap(),
    };
    let own = officer.may_read_passages(from + 12 * 3_600_000).unwrap();
    let rows = store.network_summary(&own, from, to).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.checkpoint.as_str(), r.passages, r.persons))
            .collect::<Vec<_>>(),
        vec![("CP-130600-0001", 1, 3)]
    );
    // The period bounds the observation time.
    let rows = store
        .network_summary(&reads(), from + 3_600_000, to)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
}

conformance!(the_summary_counts_per_checkpoint_hour_and_outcome);
