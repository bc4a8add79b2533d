//! The trace index's reads of the store: the span of recording times read in parts at once.

use super::purge::record_busy_hours;
use super::support::*;

/// The trace index's load reads the span of recording times in parts at once: the parts'
/// rows, page by page, are every row read in one go, each once and inside its part.
pub async fn trace_rows_are_read_in_parts(store: std::sync::Arc<dyn cordon_store::Store>) {
    use cordon_store::trace::TraceCursor;
    assert_eq!(store.trace_span().await.unwrap(), None, "no passage yet");
    network(&*store).await;
    let mut written = Vec::new();
    for _ in 0..3 {
        written.extend(record_busy_hours(&*store, 300).await);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let all = all_trace_rows(&*store).await;
    assert_eq!(all.len(), written.len());
    let (first, last) = store.trace_span().await.unwrap().unwrap();
    assert_eq!(first, all[0].recorded_ms);
    assert_eq!(last, all[all.len() - 1].recorded_ms);
    assert!(last > first, "recorded over some milliseconds");
    let middle = first + (last - first) / 2;
    let mut parts = Vec::new();
    for (from, until) in [(i64::MIN, middle), (middle, i64::MAX)] {
        let mut after = TraceCursor::since(from);
        loop {
            let page = store.trace_rows(after, until, 128).await.unwrap();
            let Some(end) = page.last() else { break };
            after = TraceCursor {
                recorded_ms: end.recorded_ms,
                id: end.id,
            };
            assert!(page
                .iter()
                .all(|r| r.recorded_ms >= from && r.recorded_ms < until));
            parts.extend(page);
        }
    }
    assert!(parts.iter().any(|r| r.recorded_ms < middle));
    assert!(parts.iter().any(|r| r.recorded_ms >= middle));
    assert_eq!(parts, all, "the parts in order are the whole");
}

conformance!(trace_rows_are_read_in_parts);
