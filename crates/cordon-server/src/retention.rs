//! The retention job: every hour, the personal data of passages older than the retention period
//! (default 28 days), by whole days (a day runs midnight to midnight in UTC+8, and what was
//! observed on it is kept at least the period and at most a day more:
//! [`cordon_store::retention_cutoff`]; on PostgreSQL the day's partition is dropped whole) is
//! purged ([`cordon_store::Store::purge_personal_data`]), and so are the
//! rows of follow-up lists brought in before it and the answers given before it, and the
//! persons of testing's tubes, rosters and queue numbers taken before it, and the volunteers
//! of duty shifts ended before it; each purge
//! that removed anything is appended to the audit trail as `retention.purge` by `system`.
//! After each run the store's planner statistics are refreshed
//! ([`cordon_store::Store::refresh_statistics`]).

use std::sync::Arc;
use std::time::Duration;

use cordon_domain::audit::AuditEntry;
use cordon_store::{Purged, Store, StoreError};

use crate::audit::appender::Auditor;

pub const DEFAULT_DAYS: u32 = 28;
/// How often the job runs.
const EVERY: Duration = Duration::from_secs(3_600);

/// One purge of the days ended `days` days before `now_ms` or earlier, audited if it removed
/// anything.
pub async fn purge_once(
    store: &dyn Store,
    auditor: &Auditor,
    days: u32,
    now_ms: i64,
) -> Result<Purged, StoreError> {
    let before = cordon_store::retention_cutoff(now_ms, days);
    let purged = store.purge_personal_data(before).await?;
    let since = cordon_domain::time::from_ms(before).to_rfc3339();
    let (rows, answers) = store.purge_followup(before).await?;
    if rows + answers > 0 {
        let target = format!("{rows} follow-up rows and {answers} answers before {since}");
        audit(auditor, days, target, (rows + answers) as i64).await?;
        tracing::info!(rows, answers, days, "retention purge of follow-up");
    }
    let tested = store.purge_testing(before).await?;
    if tested > 0 {
        let target = format!("{tested} persons of tubes, rosters and queues before {since}");
        audit(auditor, days, target, tested as i64).await?;
        tracing::info!(tested, days, "retention purge of testing");
    }
    let shifts = store.purge_volunteers(before).await?;
    if shifts > 0 {
        let target = format!("volunteers of {shifts} shifts ended before {since}");
        audit(auditor, days, target, shifts as i64).await?;
        tracing::info!(shifts, days, "retention purge of duty rosters");
    }
    let (trucks, passes) = store.purge_freight(before).await?;
    if trucks + passes > 0 {
        let target = format!(
            "{trucks} trucks that left holding lots and the drivers of {passes} freight passes expired before {since}"
        );
        audit(auditor, days, target, (trucks + passes) as i64).await?;
        tracing::info!(trucks, passes, days, "retention purge of freight");
    }
    if purged.passages > 0 {
        let target = format!("{} passages observed before {since}", purged.passages);
        audit(auditor, days, target, purged.persons as i64).await?;
        tracing::info!(
            passages = purged.passages,
            persons = purged.persons,
            days,
            "retention purge"
        );
    }
    Ok(purged)
}

/// The audit entry of a purge.
async fn audit(
    auditor: &Auditor,
    days: u32,
    target: String,
    persons: i64,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        at_ms: cordon_domain::time::now_ms(),
        actor: "system".into(),
        role: "-".into(),
        scope: "-".into(),
        address: "local".into(),
        action: "retention.purge".into(),
        outcome: "ok".into(),
        purpose: format!("retention of {days} days"),
        target,
        subjects: Vec::new(),
        persons,
    };
    if auditor.record(entry).await {
        Ok(())
    } else {
        Err(StoreError::Unavailable(
            "the purge ran but its audit entry could not be written".into(),
        ))
    }
}

/// Runs the purge a minute after start and then every hour.
pub fn spawn(store: Arc<dyn Store>, days: u32) {
    let auditor = Auditor::start(store.clone());
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = purge_once(
                store.as_ref(),
                &auditor,
                days,
                cordon_domain::time::now_ms(),
            )
            .await
            {
                tracing::error!(error = %e, "retention purge failed; it runs again in an hour");
            }
            // The planner's statistics of what was written and purged since the last hour.
            if let Err(e) = store.refresh_statistics().await {
                tracing::warn!(error = %e, "the store's statistics were not refreshed");
            }
        }
    });
}
