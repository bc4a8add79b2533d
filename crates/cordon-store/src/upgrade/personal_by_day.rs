//! Migration 43's move, on PostgreSQL: the personal data of the passages written before it
//! (still in the columns of `passage_core`) into `passage_personal`, one day at a time (days of
//! UTC+8, as the partitions), each day's partition made first and the progress logged as the
//! days go. It runs inside the migration's transaction (`-- cordon:step personal_by_day` in
//! its file, [`crate::migrate`]): a stop before the end leaves the database as the previous
//! release left it.

use sqlx::PgConnection;

use super::progress::Progress;
use crate::days::{day_start, DAY_OF_OBSERVED_SQL};
use crate::StoreError;

/// The step's name in the migration's file.
pub(crate) const STEP: &str = "personal_by_day";

/// A row holds personal data if any of these is set.
const PERSONAL: &str = "(sealed IS NOT NULL OR plate IS NOT NULL OR facts IS NOT NULL \
     OR occupant_keys IS NOT NULL OR occupants <> '')";

/// The days with personal data and their rows (one scan of the table).
fn days_sql() -> String {
    format!(
        "SELECT {DAY_OF_OBSERVED_SQL}::BIGINT AS day, COUNT(*) FROM passage_core \
         WHERE {PERSONAL} GROUP BY 1 ORDER BY 1"
    )
}

/// A day's rows moved: the day's hours named as the hour index has them, so a day is read
/// through it and not by a scan of the table.
fn move_sql() -> String {
    format!(
        "INSERT INTO passage_personal (observed_at, id, persons, plate, occupants, facts, sealed, \
         occupant_keys) \
         SELECT observed_at, id, persons, plate, NULLIF(occupants, ''), facts, sealed, \
         occupant_keys FROM passage_core \
         WHERE observed_at / 3600000 >= $1 AND observed_at / 3600000 < $2 AND {PERSONAL}"
    )
}

/// Moves every day's rows, in the caller's transaction.
pub(crate) async fn run(conn: &mut PgConnection) -> Result<(), StoreError> {
    let days: Vec<(i64, i64)> = sqlx::query_as(&days_sql()).fetch_all(&mut *conn).await?;
    let mut progress = Progress::new(
        "moving the passages' personal data to a table by day (migration 43)",
        days.iter().map(|d| d.1).sum(),
    );
    let insert = move_sql();
    for &(day, rows) in &days {
        sqlx::query("SELECT cordon_personal_partition($1)")
            .bind(day)
            .execute(&mut *conn)
            .await?;
        let first_hour = day_start(day) / 3_600_000;
        let moved = sqlx::query(&insert)
            .bind(first_hour)
            .bind(first_hour + 24)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if moved != rows as u64 {
            return Err(StoreError::Corrupt(format!(
                "migration 43: day {day} held {rows} passages with personal data, {moved} moved"
            )));
        }
        progress.add(rows as usize);
    }
    progress.end(&format!("{} days", days.len()));
    Ok(())
}
