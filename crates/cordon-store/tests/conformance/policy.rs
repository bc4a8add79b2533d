//! The policy engine's storage: versions numbered in order and kept whole, the publication log
//! in order, risk-area intervals superseded and ended but never lost, the dry-run replay of the
//! passages of a period, and the one-time computation of facts for passages stored before
//! facts were kept.

use std::sync::Arc;

use cordon_domain::policy::facts::FactsBuf;
use cordon_domain::policy::record::{in_force, PublicationAction};
use cordon_domain::risk::RiskLevel;
use cordon_store::policy::{NewPolicyVersion, NewPublication, ReplayRow};
use cordon_store::risk::NewRiskArea;
use cordon_store::{Period, Store, StoreError, StoreOptions};
use uuid::Uuid;

use super::support::*;

async fn replay(store: &Arc<dyn Store>, period: Period) -> Vec<ReplayRow> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let s = store.clone();
    let scan = tokio::spawn(async move { s.replay_passages(period, tx).await });
    let mut rows = Vec::new();
    while let Some(b) = rx.recv().await {
        rows.extend(b);
    }
    let sent = scan.await.unwrap().unwrap();
    assert_eq!(sent as usize, rows.len());
    rows
}

pub async fn policies_and_risk_areas_are_kept(store: Arc<dyn Store>) {
    let mut versions = Vec::new();
    for name in ["a", "b"] {
        let v = store
            .create_policy_version(NewPolicyVersion {
                name: name.into(),
                source: format!("name = \"{name}\""),
                digest: "d".into(),
                note: String::new(),
                actor: "test".into(),
            })
            .await
            .unwrap();
        versions.push(v.version);
    }
    assert!(versions[0] < versions[1]);
    let got = store.get_policy_version(versions[1]).await.unwrap();
    assert_eq!(
        (got.name.as_str(), got.source.as_str()),
        ("b", "name = \"b\"")
    );
    assert!(matches!(
        store.get_policy_version(999).await,
        Err(StoreError::NotFound { .. })
    ));
    let t = t0().timestamp_millis();
    for (v, at, action) in [
        (versions[0], t, PublicationAction::Publish),
        (versions[1], t + 10, PublicationAction::Publish),
        (versions[0], t + 20, PublicationAction::Rollback),
    ] {
        store
            .publish_policy(NewPublication {
                version: v,
                effective_ms: at,
                action,
                reason: "r".into(),
                actor: "a".into(),
            })
            .await
            .unwrap();
    }
    let unknown = store
        .publish_policy(NewPublication {
            version: 999,
            effective_ms: t,
            action: PublicationAction::Publish,
            reason: "r".into(),
            actor: "a".into(),
        })
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound { .. })));
    let log = store.list_publications().await.unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(in_force(&log, t + 15).unwrap().version, versions[1]);
    assert_eq!(
        in_force(&log, t + 25).unwrap().action,
        PublicationAction::Rollback
    );

    // Risk areas: a new level of the same area ends the open one where it begins.
    let area = |level, from: i64, to: Option<i64>| NewRiskArea {
        division: div("130102"),
        area: "某小区".into(),
        level,
        valid_from_ms: from,
        valid_to_ms: to,
    };
    let first = store
        .add_risk_areas(vec![area(RiskLevel::High, t, None)], "api", "a")
        .await
        .unwrap();
    store
        .add_risk_areas(vec![area(RiskLevel::Medium, t + 100, None)], "api", "a")
        .await
        .unwrap();
    let all = store.list_risk_areas().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].level, all[0].valid_to_ms),
        (RiskLevel::High, Some(t + 100))
    );
    assert_eq!(
        (all[1].level, all[1].valid_to_ms),
        (RiskLevel::Medium, None)
    );
    let ended = store
        .end_risk_area(all[1].id, t + 200, "a", "lowered")
        .await
        .unwrap();
    assert_eq!(ended.valid_to_ms, Some(t + 200));
    assert!(matches!(
        store.end_risk_area(first[0].id, t + 500, "a", "x").await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.end_risk_area(424242, t + 500, "a", "x").await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store.list_risk_areas().await.unwrap().len(),
        2,
        "nothing is deleted"
    );

    // Replay: the passages of the period, each with facts that decode.
    network(store.as_ref()).await;
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    let passages = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            new(draft(
                *id,
                "CP-130100-0001",
                i as i64 * 60,
                "冀A12345",
                &[i as u32, 10 + i as u32],
            ))
        })
        .collect();
    store.record_passages(passages).await.unwrap();
    let rows = replay(
        &store,
        Period {
            from_ms: t,
            to_ms: t + 61 * 60_000,
        },
    )
    .await;
    assert_eq!(rows.len(), 2, "the period holds the first two");
    let mut buf = FactsBuf::default();
    for r in &rows {
        assert!(buf.decode(&r.facts));
        assert_eq!(buf.occupant_count(), 2);
    }
    let keys = store.checkpoint_keys().await.unwrap();
    assert!(keys
        .iter()
        .any(|k| k.id == rows[0].checkpoint_id && k.code.as_str() == "CP-130100-0001"));
}

/// Passages stored before facts were kept get them once, when the store is next opened.
async fn facts_are_backfilled(url: &str) {
    let store = cordon_store::open(url, &StoreOptions::default(), key())
        .await
        .unwrap();
    network(store.as_ref()).await;
    let passages: Vec<cordon_store::NewPassage> = (0..5)
        .map(|i| {
            new(draft(
                Uuid::now_v7(),
                "CP-130100-0001",
                i,
                "冀A12345",
                &[i as u32],
            ))
        })
        .collect();
    store.record_passages(passages.clone()).await.unwrap();
    drop(store);
    // As an earlier version left them: no facts (the occupants sealed as JSON, as then), and
    // no mark that they were computed.
    use cordon_store::scratch::{execute, previous_release_forms, Bind};
    for p in &passages {
        let sealed = previous_release_forms(&key(), p).sealed;
        execute(
            url,
            "UPDATE passages SET facts = NULL, sealed = $1 WHERE id = $2",
            &[Bind::Bytes(sealed), Bind::Id(p.draft.id)],
        )
        .await
        .unwrap();
    }
    execute(
        url,
        "DELETE FROM cordon_migrations WHERE version = 1001",
        &[],
    )
    .await
    .unwrap();
    let store = cordon_store::open(url, &StoreOptions::default(), key())
        .await
        .unwrap();
    assert_eq!(replay(&store, all_time()).await.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_are_backfilled_on_sqlite() {
    let dir = crate::support::scratch_dir();
    facts_are_backfilled(&format!("sqlite://{}", dir.join("cordon.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_are_backfilled_on_postgres() {
    let Some(admin) = postgres_url() else { return };
    facts_are_backfilled(&fresh_postgres_url(&admin).await).await;
}

conformance!(policies_and_risk_areas_are_kept);
