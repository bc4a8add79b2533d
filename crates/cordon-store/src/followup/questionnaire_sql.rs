//! The SQL of questionnaire versions, for [`super::FollowupStore`]: stored whole, published
//! once, never changed.

use cordon_domain::access::followup::QuestionnaireChange;

use super::QuestionnaireVersion;
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

const COLUMNS: &str = "version, name, created_by, created_at, published_by, published_at";

type Cols = (i64, String, String, i64, Option<String>, Option<i64>);

fn version(c: Cols) -> QuestionnaireVersion {
    QuestionnaireVersion {
        version: c.0,
        name: c.1,
        created_by: c.2,
        created_at_ms: c.3,
        published_by: c.4,
        published_at_ms: c.5,
    }
}

pub(super) async fn create(
    store: &SqlStore,
    grant: &QuestionnaireChange,
    name: &str,
    source: &str,
) -> Result<QuestionnaireVersion, StoreError> {
    let sql = format!(
        "INSERT INTO questionnaires (name, source, created_by, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    );
    let now = cordon_domain::time::now_ms();
    let row: Cols = on_pool!(&store.db.write, |p| sqlx::query_as(&sql)
        .bind(name)
        .bind(source)
        .bind(grant.username().as_str())
        .bind(now)
        .fetch_one(p)
        .await?);
    Ok(version(row))
}

pub(super) async fn publish(
    store: &SqlStore,
    grant: &QuestionnaireChange,
    v: i64,
) -> Result<QuestionnaireVersion, StoreError> {
    let select = format!("SELECT {COLUMNS} FROM questionnaires WHERE version = $1");
    let update = format!(
        "UPDATE questionnaires SET published_by = $2, published_at = $3 WHERE version = $1 \
         RETURNING {COLUMNS}"
    );
    let (select, update) = (&select, &update);
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let found: Option<Cols> = sqlx::query_as(select)
                .bind(v)
                .fetch_optional(&mut *tx)
                .await?;
            match found {
                None => return Err(StoreError::not_found(format!("questionnaire version {v}"))),
                Some(c) if c.5.is_some() => {
                    return Err(StoreError::invalid(
                        "already_decided",
                        "",
                        format!("questionnaire version {v} is published already"),
                    ))
                }
                Some(_) => {}
            }
            let row: Cols = sqlx::query_as(update)
                .bind(v)
                .bind(by)
                .bind(cordon_domain::time::now_ms())
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(version(row))
        })
    })
    .await
}

pub(super) async fn list(store: &SqlStore) -> Result<Vec<QuestionnaireVersion>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM questionnaires ORDER BY version DESC");
    let rows: Vec<Cols> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .fetch_all(p)
        .await?);
    Ok(rows.into_iter().map(version).collect())
}

pub(super) async fn get(
    store: &SqlStore,
    v: i64,
) -> Result<(QuestionnaireVersion, String), StoreError> {
    let sql = format!("SELECT {COLUMNS}, source FROM questionnaires WHERE version = $1");
    type WithSource = (
        i64,
        String,
        String,
        i64,
        Option<String>,
        Option<i64>,
        String,
    );
    let row: Option<WithSource> = on_pool!(&store.db.read, |p| sqlx::query_as(&sql)
        .bind(v)
        .fetch_optional(p)
        .await?);
    let r = row.ok_or_else(|| StoreError::not_found(format!("questionnaire version {v}")))?;
    Ok((version((r.0, r.1, r.2, r.3, r.4, r.5)), r.6))
}
