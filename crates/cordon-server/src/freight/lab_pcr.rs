//! A lot's PCR from the lab: a truck sampled with a tube the testing records hold takes its
//! result from the lab's release (matched by the tube's code), not from the lot's staff. The
//! match runs after each release (a release repeated runs it again), after a lot's sampling
//! names a tube (the lab may have released it already) and once when the hub starts (a release
//! a crash interrupted before the match).

use cordon_store::{Store, StoreError};

use super::feed::LotFeed;

/// Records the released results on the lots' trucks and wakes the boards that wait.
pub async fn take(store: &dyn Store, lots: &LotFeed) -> Result<u64, StoreError> {
    let n = store
        .lab_results_to_lots(cordon_domain::time::now_ms())
        .await?;
    if n > 0 {
        lots.moved();
    }
    Ok(n)
}

/// The match once at the hub's start.
pub fn spawn_once(store: std::sync::Arc<dyn Store>) {
    tokio::spawn(async move {
        match store
            .lab_results_to_lots(cordon_domain::time::now_ms())
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(trucks = n, "lab results recorded on the lots' trucks"),
            Err(e) => tracing::warn!(error = %e, "lab results not matched to the lots' trucks"),
        }
    });
}
