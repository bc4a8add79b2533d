//! The SQL of [`RiskStore`], written once for both backends ([`crate::db`]); every change is
//! one transaction opened with [`BeginWrite::begin_write`] and retried on contention.

use async_trait::async_trait;
use cordon_domain::division::DivisionCode;
use cordon_domain::risk::{RiskArea, RiskLevel};

use super::{NewRiskArea, RiskStore};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

const COLUMNS: &str = "id, division, area, level, valid_from, valid_to, source, actor, recorded_at";

type AreaCols = (
    i64,
    i64,
    String,
    String,
    i64,
    Option<i64>,
    String,
    String,
    i64,
);

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn area(c: AreaCols) -> Result<RiskArea, StoreError> {
    Ok(RiskArea {
        id: c.0,
        division: u32::try_from(c.1)
            .ok()
            .and_then(DivisionCode::from_value)
            .ok_or_else(|| corrupt("risk area division"))?,
        area: c.2,
        level: RiskLevel::parse(&c.3).map_err(|_| corrupt("risk level"))?,
        valid_from_ms: c.4,
        valid_to_ms: c.5,
        source: c.6,
        actor: c.7,
        recorded_at_ms: c.8,
    })
}

/// Whether `at_ms` may end an interval: after its start and before any end it has.
fn may_end(area: &RiskArea, at_ms: i64) -> bool {
    area.valid_from_ms < at_ms && area.valid_to_ms.is_none_or(|to| at_ms < to)
}

#[async_trait]
impl RiskStore for SqlStore {
    async fn add_risk_areas(
        &self,
        list: Vec<NewRiskArea>,
        source: &str,
        actor: &str,
    ) -> Result<Vec<RiskArea>, StoreError> {
        // An open or overlapping interval of the same area ends where this begins.
        let supersede = "UPDATE risk_areas SET valid_to = $1, ended_by = $2, end_reason = $3 \
             WHERE division = $4 AND area = $5 AND valid_from < $1 \
             AND (valid_to IS NULL OR valid_to > $1)";
        let insert = format!(
            "INSERT INTO risk_areas (division, area, level, valid_from, valid_to, source, actor, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
        );
        let (list, insert) = (&list, &insert);
        retry(|| async move {
            let now = cordon_domain::time::now_ms();
            let rows: Vec<AreaCols> = on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let mut rows = Vec::with_capacity(list.len());
                for a in list {
                    let division = i64::from(a.division.value());
                    sqlx::query(supersede)
                        .bind(a.valid_from_ms)
                        .bind(actor)
                        .bind("superseded")
                        .bind(division)
                        .bind(&a.area)
                        .execute(&mut *tx)
                        .await?;
                    let row = sqlx::query_as(insert)
                        .bind(division)
                        .bind(&a.area)
                        .bind(a.level.as_str())
                        .bind(a.valid_from_ms)
                        .bind(a.valid_to_ms)
                        .bind(source)
                        .bind(actor)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                    rows.push(row);
                }
                tx.commit().await?;
                rows
            });
            rows.into_iter().map(area).collect()
        })
        .await
    }

    async fn end_risk_area(
        &self,
        id: i64,
        at_ms: i64,
        actor: &str,
        reason: &str,
    ) -> Result<RiskArea, StoreError> {
        let select = format!("SELECT {COLUMNS} FROM risk_areas WHERE id = $1");
        let end = format!(
            "UPDATE risk_areas SET valid_to = $1, ended_by = $2, end_reason = $3 \
             WHERE id = $4 RETURNING {COLUMNS}"
        );
        let (select, end) = (&select, &end);
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let row: Option<AreaCols> = sqlx::query_as(select)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let row = row.ok_or_else(|| StoreError::not_found(format!("risk area {id}")))?;
                if !may_end(&area(row)?, at_ms) {
                    return Err(StoreError::invalid(
                        "outside_interval",
                        "at",
                        "the end must fall after the area's start and before any end it already has",
                    ));
                }
                let row: AreaCols = sqlx::query_as(end)
                    .bind(at_ms)
                    .bind(actor)
                    .bind(reason)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                area(row)
            })
        })
        .await
    }

    async fn list_risk_areas(&self) -> Result<Vec<RiskArea>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM risk_areas ORDER BY division, area, valid_from, id");
        let rows: Vec<AreaCols> =
            on_pool!(&self.db.read, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(area).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(level: &str, to: Option<i64>) -> AreaCols {
        (
            1,
            130_102,
            "长安区".into(),
            level.into(),
            1_000,
            to,
            "manual".into(),
            "cmd".into(),
            5,
        )
    }

    #[test]
    fn rows_become_areas_and_ends_fall_inside_them() {
        let open = area(row("high", None)).unwrap();
        assert_eq!(open.level, RiskLevel::High);
        assert!(may_end(&open, 2_000));
        assert!(!may_end(&open, 1_000), "not at its start");
        let closed = area(row("high", Some(3_000))).unwrap();
        assert!(may_end(&closed, 2_999));
        assert!(!may_end(&closed, 3_000));
        assert!(matches!(
            area(row("purple", None)),
            Err(StoreError::Corrupt(_))
        ));
    }
}
