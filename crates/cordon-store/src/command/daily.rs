//! The daily report's figures (SQL in `daily_sql.rs`).

use async_trait::async_trait;
use chrono::NaiveDate;
use cordon_domain::access::command::DailyRead;
use cordon_domain::access::Scope;
use cordon_domain::command::daily::{DayFigures, Positives};
use cordon_domain::division::DivisionCode;

use crate::StoreError;

/// One checkpoint's day, as the daily report adds them up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointDay {
    pub code: String,
    pub name: String,
    /// Its county's code.
    pub jurisdiction: i64,
    pub figures: DayFigures,
}

/// The daily report's figures (`daily_sql`): a day counted per checkpoint, or as kept.
#[async_trait]
pub trait DailyStore: Send + Sync + 'static {
    /// The day's figures of every checkpoint in the grant's scope and `within`, by code: as kept
    /// (with when, in ms) unless `live` or the day was not kept, else counted now.
    async fn daily_figures(
        &self,
        grant: &DailyRead,
        within: &Scope,
        day: NaiveDate,
        live: bool,
    ) -> Result<(Vec<CheckpointDay>, Option<i64>), StoreError>;

    /// What the testing of the jurisdiction's campaigns found that day. `Forbidden` beyond the
    /// grant's scope.
    async fn daily_positives(
        &self,
        grant: &DailyRead,
        within: DivisionCode,
        day: NaiveDate,
    ) -> Result<Positives, StoreError>;

    /// Counts the day at every checkpoint and keeps it, replacing an earlier keep; answers how
    /// many checkpoints.
    async fn keep_day(&self, day: NaiveDate, now_ms: i64) -> Result<usize, StoreError>;

    /// The latest day kept.
    async fn last_kept_day(&self) -> Result<Option<NaiveDate>, StoreError>;
}
