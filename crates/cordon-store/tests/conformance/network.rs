//! The checkpoint network on both backends: the jurisdiction tree, checkpoints created,
//! updated and filtered, and bulk status changes (atomic, kept in history).

use std::sync::Arc;

use cordon_domain::checkpoint::{CheckpointKind, CheckpointStatus, DefenceLine, Location};
use cordon_store::{
    CheckpointFilter, CheckpointPatch, NewCheckpoint, NewJurisdiction, StatusChange, Store,
    StoreError,
};

use super::support::*;

pub async fn jurisdictions_form_a_tree(store: Arc<dyn Store>) {
    network(&*store).await;
    let all = store.list_jurisdictions().await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[1].parent, Some(div("130000")));
    let e = store
        .create_jurisdiction(NewJurisdiction {
            code: div("130900"),
            name: "x".into(),
        })
        .await;
    assert!(e.is_ok());
    let e = store
        .create_jurisdiction(NewJurisdiction {
            code: div("131002"),
            name: "x".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(f) if f.code == "unknown_parent"));
    let e = store
        .create_jurisdiction(NewJurisdiction {
            code: div("130100"),
            name: "x".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(f) if f.code == "duplicate"));
    let renamed = store
        .rename_jurisdiction(div("130102"), "长安".into())
        .await
        .unwrap();
    assert_eq!(renamed.name, "长安");
    assert!(matches!(
        store.get_jurisdiction(div("140000")).await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn checkpoints_are_created_updated_and_filtered(store: Arc<dyn Store>) {
    network(&*store).await;
    let in_sjz = store
        .list_checkpoints(&CheckpointFilter {
            within: Some(div("130100")),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(in_sjz.len(), 2);
    let in_hebei = store
        .list_checkpoints(&CheckpointFilter {
            within: Some(div("130000")),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(in_hebei.len(), 3);
    let updated = store
        .update_checkpoint(
            &code("CP-130100-0001"),
            CheckpointPatch {
                lanes: Some(6),
                name: Some("石家庄东收费站".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (updated.lanes, updated.name.as_str(), updated.cameras),
        (6, "石家庄东收费站", 2)
    );
    let dup = NewCheckpoint {
        code: code("CP-130100-0001"),
        name: "dup".into(),
        jurisdiction: div("130102"),
        kind: CheckpointKind::HighwayExit,
        defence_line: DefenceLine::Inland,
        location: Location::parse(38.0, 114.0).unwrap(),
        lanes: 2,
        cameras: 0,
        status: CheckpointStatus::Open,
    };
    assert!(
        matches!(store.create_checkpoint(dup.clone(), "t").await, Err(StoreError::Invalid(f)) if f.code == "duplicate")
    );
    let outside = NewCheckpoint {
        code: code("CP-130100-0009"),
        jurisdiction: div("130602"),
        ..dup
    };
    assert!(
        matches!(store.create_checkpoint(outside, "t").await, Err(StoreError::Invalid(f)) if f.code == "jurisdiction_mismatch")
    );
    assert!(matches!(
        store
            .update_checkpoint(&code("CP-130100-0099"), CheckpointPatch::default())
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn bulk_status_change_is_atomic_and_kept_in_history(store: Arc<dyn Store>) {
    network(&*store).await;
    let change = |codes: &[&str]| StatusChange {
        codes: codes.iter().map(|c| code(c)).collect(),
        status: CheckpointStatus::Closed,
        reason: "政策调整".into(),
        actor: "commander-1".into(),
    };
    let e = store
        .set_checkpoint_status(change(&["CP-130100-0001", "CP-130100-0077"]))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(f) if f.field == "codes[1]"));
    assert_eq!(
        store
            .get_checkpoint(&code("CP-130100-0001"))
            .await
            .unwrap()
            .status,
        CheckpointStatus::Open
    );
    let summary = store
        .set_checkpoint_status(change(&["CP-130100-0001", "CP-130100-0002"]))
        .await
        .unwrap();
    assert_eq!(summary.changed.len(), 2);
    let again = store
        .set_checkpoint_status(change(&["CP-130100-0001"]))
        .await
        .unwrap();
    assert_eq!((again.changed.len(), again.unchanged.len()), (0, 1));
    let closed = store
        .list_checkpoints(&CheckpointFilter {
            status: Some(CheckpointStatus::Closed),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(closed.len(), 2);
    let history = store
        .checkpoint_history(&code("CP-130100-0001"))
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[1].status,
            history[1].reason.as_str(),
            history[1].actor.as_str()
        ),
        (CheckpointStatus::Closed, "政策调整", "commander-1")
    );
}

conformance!(
    jurisdictions_form_a_tree,
    checkpoints_are_created_updated_and_filtered,
    bulk_status_change_is_atomic_and_kept_in_history,
);
