//! The trace index saved at a hub's stop and loaded at the next start: it answers as a full
//! read of the store does, after passages and corrections recorded since; a file that is not
//! this hub's index as saved is passed over for the store.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::trace::{passage, record, resident_id, start, trace_until};
use super::{hub_of, TestApp};

/// Waits until `hub`'s trace index is ready; answers where it was loaded from.
async fn ready(hub: &TestApp) -> String {
    for _ in 0..200 {
        let (s, h) = hub.get("/healthz").await;
        assert_eq!(s, StatusCode::OK, "{h}");
        if h["trace_index"] == "ready" {
            return h["trace_index_from"].as_str().unwrap().to_owned();
        }
        assert_eq!(h["trace_index"], "loading");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the trace index never became ready");
}

/// A hub stopped saves its trace index; the next one loads it from the file, reads what was
/// recorded and corrected since, and answers a trace as a hub that read the whole store does.
/// A file cut short, altered, of another hub or not an index at all is not used: the hub
/// reads the store and answers the same.
pub async fn a_saved_trace_index_answers_as_a_full_load(app: TestApp) {
    let t = start();
    let dir = std::env::temp_dir().join(format!("cordon-saved-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trace-index.bin");
    let settings = || cordon_server::Settings {
        trace_file: Some(file.clone()),
        ..cordon_server::Settings::default()
    };
    // Person 90 met 91 in a car, then 92 and 93 at another checkpoint; 92 met 94 later.
    let wrong = passage(t, 2, 1, true, 60, None, &[90, 92]);
    record(
        &app,
        vec![
            passage(t, 1, 1, true, 0, Some("冀A90000"), &[90, 91]),
            wrong.clone(),
            passage(t, 2, 1, true, 61, None, &[93]),
        ],
    )
    .await;
    let (first, stop, task) = hub_of(&app, settings()).await;
    assert_eq!(ready(&first).await, "store");
    stop.send(()).unwrap();
    task.await.unwrap();
    assert!(file.exists(), "saved at the stop");
    let saved = std::fs::read(&file).unwrap();

    // Since the save: 92 met 94, and the passage of 90 with 92 was corrected (92 was not
    // there: 95 was).
    record(
        &app,
        vec![passage(t, 3, 1, true, 120, Some("冀A90001"), &[92, 94])],
    )
    .await;
    let mut fixed = passage(t, 2, 1, true, 60, None, &[90, 95]);
    fixed["supersedes"] = wrong["id"].clone();
    let (s, b) = app.post("/api/v1/passages", &fixed).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    let case = json!({"subject": {"document": {"type": "resident_id", "number": resident_id(90)}},
        "from": (t - chrono::Duration::hours(1)).to_rfc3339(), "to": (t + chrono::Duration::days(1)).to_rfc3339(),
        "window_minutes": 5, "hops": 2, "purpose": "冀石疾控-2022-0513-018"});
    let contacts = |b: &Value| -> Vec<String> {
        let mut c: Vec<String> = b["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{} {} {}", c["hop"], c["person"], c["evidence"]))
            .collect();
        c.sort();
        c
    };
    // The hub that read the whole store: 91 and 93 and 95 at hop 1, not 92 nor 94.
    let full = contacts(&trace_until(&app, "tracer", &case, 3).await);
    assert_eq!(full.len(), 3, "{full:?}");

    let (second, stop, task) = hub_of(&app, settings()).await;
    assert_eq!(ready(&second).await, "file");
    assert_eq!(
        contacts(&trace_until(&second, "tracer", &case, 3).await),
        full
    );
    stop.send(()).unwrap();
    task.await.unwrap();

    // Files that are not this hub's index as saved: each is passed over for the store.
    let mut altered = saved.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x5A;
    // The same index, saved whole by a hub of another key.
    let other_key = {
        let index = cordon_trace::TraceIndex::read_from(&mut &saved[40..saved.len() - 4]).unwrap();
        let theirs = dir.join("theirs.bin");
        cordon_server::trace::saved::SavedIndex::new(theirs.clone(), "another hub's key")
            .save(&index)
            .unwrap();
        std::fs::read(&theirs).unwrap()
    };
    for (what, bytes) in [
        ("cut short", saved[..saved.len() - 7].to_vec()),
        ("altered", altered),
        ("another hub's", other_key),
        ("not an index", b"PK\x03\x04 a spreadsheet".to_vec()),
    ] {
        std::fs::write(&file, &bytes).unwrap();
        let (hub, stop, task) = hub_of(&app, settings()).await;
        assert_eq!(ready(&hub).await, "store", "{what}");
        assert_eq!(
            contacts(&trace_until(&hub, "tracer", &case, 3).await),
            full,
            "{what}"
        );
        stop.send(()).unwrap();
        task.await.unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

on_both!(a_saved_trace_index_answers_as_a_full_load);
