//! Migration 38 on a database as the previous release left it (decisions as JSON, occupants
//! sealed as JSON with whole nonces, keys as hex text, whole fingerprints): converted in place
//! at the next start, on both backends. Every passage reads back as it did, the trace rows name
//! the same persons, a retry is still recognised and a different registration under a taken id
//! still refused, and the passages take a fraction of the bytes.

use cordon_domain::passage::Decision;
use cordon_store::scratch::{execute, previous_release_forms, Bind};
use cordon_store::{NewPassage, RecordRejection, Recorded, StoreError, StoreOptions};
use uuid::Uuid;

use super::support::*;

/// A decision as the engine explains one: rules with their facts, the default, actions.
fn decided() -> Decision {
    serde_json::from_str(
        r#"{"outcome":"test_on_site","policy_version":"7","reasons":[
        {"code":"no_recent_test","rule":"no_recent_test","occupant":0,"outcome":"test_on_site",
         "message":"无48小时核酸阴性证明，现场抗原检测 / No negative PCR within 48 h: antigen test on site",
         "facts":[{"name":"latest_test","value":"pcr negative, 22 h before, declared"},
                  {"name":"negative_test_within_hours","value":"48: no"}]},
        {"code":"default","occupant":1,"outcome":"pass","message":"核验通过，放行 / Checks passed"}],
        "actions":["antigen_sample"]}"#,
    )
    .unwrap()
}

fn passages() -> Vec<NewPassage> {
    (0..400u32)
        .map(|i| {
            let d = draft(
                Uuid::now_v7(),
                "CP-130100-0001",
                i64::from(i),
                "冀A12345",
                &[100 + 2 * i, 101 + 2 * i],
            );
            let decision = if i % 3 == 0 {
                Decision::no_policy()
            } else {
                decided()
            };
            NewPassage::new(d, decision, &key())
        })
        .collect()
}

async fn passages_bytes(store: &dyn cordon_store::Store) -> i64 {
    store
        .storage_bytes()
        .await
        .unwrap()
        .iter()
        .filter(|(name, _)| {
            matches!(
                name.as_str(),
                "passages" | "passage_core" | "passage_personal"
            )
        })
        .map(|(_, b)| b)
        .sum()
}

/// The rows vacuumed as the previous release would hold them, for a fair count of bytes.
fn vacuum(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "VACUUM"
    } else {
        "VACUUM FULL passage_core, passage_personal"
    }
}

async fn story(url: &str) {
    let options = StoreOptions::default();
    let open = || cordon_store::open(url, &options, key());
    let store = open().await.unwrap();
    network(&*store).await;
    let written = passages();
    store.record_passages(written.clone()).await.unwrap();
    let (before, rows_before) = read_back(&*store, &written).await;
    drop(store);

    // Back to the previous release's forms, its dictionary and mark gone.
    for p in &written {
        let f = previous_release_forms(&key(), p);
        execute(
            url,
            "UPDATE passages SET decision = $1, sealed = $2, occupant_keys = $3, \
             fingerprint = $4 WHERE id = $5",
            &[
                Bind::Bytes(f.decision),
                Bind::Bytes(f.sealed),
                Bind::Bytes(f.occupant_keys),
                Bind::Bytes(f.fingerprint),
                Bind::Id(p.draft.id),
            ],
        )
        .await
        .unwrap();
    }
    execute(url, "DELETE FROM decision_words", &[])
        .await
        .unwrap();
    execute(
        url,
        "DELETE FROM cordon_migrations WHERE version = 1038",
        &[],
    )
    .await
    .unwrap();
    execute(url, vacuum(url), &[]).await.unwrap();
    let store = open().await.unwrap();
    for (p, b) in written.iter().zip(&before) {
        assert_eq!(&store.get_passage(&reads(), p.draft.id).await.unwrap(), b);
    }
    assert_eq!(all_trace_rows(&*store).await, rows_before);
    // A retry is answered as the first time; another registration under its id is refused.
    let again = store
        .record_passages(vec![written[1].clone()])
        .await
        .unwrap();
    assert!(matches!(&again[0], Recorded::Replayed(p) if p == &before[1]));
    let mut other = written[2].clone();
    other.draft.lane = 2;
    let other = NewPassage::new(other.draft, decided(), &key());
    match store.record_passages(vec![other]).await {
        Err(StoreError::Rejected(RecordRejection::IdConflict { .. })) => {}
        other => panic!("{other:?}"),
    }
    // Vacuumed by the test too: a snapshot held anywhere meanwhile keeps the old versions
    // through the conversion's own `VACUUM FULL` (seen once in a few runs beside other tests).
    execute(url, vacuum(url), &[]).await.unwrap();
    let compact = passages_bytes(&*store).await;
    drop(store);

    // The conversion ran once: the same rows read back the same, written in the old forms
    // again, they are more than twice as large.
    let store = open().await.unwrap();
    assert_eq!(
        store
            .get_passage(&reads(), written[5].draft.id)
            .await
            .unwrap(),
        before[5]
    );
    drop(store);
    for p in &written {
        let f = previous_release_forms(&key(), p);
        execute(
            url,
            "UPDATE passages SET decision = $1, sealed = $2, occupant_keys = $3 WHERE id = $4",
            &[
                Bind::Bytes(f.decision),
                Bind::Bytes(f.sealed),
                Bind::Bytes(f.occupant_keys),
                Bind::Id(p.draft.id),
            ],
        )
        .await
        .unwrap();
    }
    execute(url, vacuum(url), &[]).await.unwrap();
    let store = open().await.unwrap();
    let old = passages_bytes(&*store).await;
    assert!(compact * 2 < old, "{compact} bytes compact, {old} before");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_previous_release_database_is_compacted_on_sqlite() {
    let dir = crate::support::scratch_dir();
    story(&format!("sqlite://{}", dir.join("cordon.db").display())).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_previous_release_database_is_compacted_on_postgres() {
    let Some(admin) = postgres_url() else { return };
    story(&fresh_postgres_url(&admin).await).await;
}
