//! The SQL of [`PolicyStore`], written once for both backends ([`crate::db`]). A publication
//! checks its version and appends to the log in one transaction opened with
//! [`BeginWrite::begin_write`], retried on contention: two commanders publishing at once are
//! both recorded, one after the other.

use async_trait::async_trait;
use cordon_domain::checkpoint::{CheckpointCode, DefenceLine};
use cordon_domain::policy::record::{PolicyVersion, Publication, PublicationAction};
use tokio::sync::mpsc;

use super::{CheckpointKey, NewPolicyVersion, NewPublication, PolicyStore, ReplayRow};
use crate::db::{on_pool, retry, BeginWrite};
use crate::passage::rows::china_time;
use crate::store::SqlStore;
use crate::{Period, StoreError};

const VERSION_COLUMNS: &str = "version, name, digest, note, created_by, created_at, source";
const PUBLICATION_COLUMNS: &str = "seq, version, effective_at, action, reason, actor, at";

type VersionCols = (i64, String, String, String, String, i64, String);
type PublicationCols = (i64, i64, i64, String, String, String, i64);

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn version(c: VersionCols) -> Result<PolicyVersion, StoreError> {
    Ok(PolicyVersion {
        version: c.0,
        name: c.1,
        digest: c.2,
        note: c.3,
        created_by: c.4,
        created_at: china_time(c.5)?,
        source: c.6,
    })
}

fn publication(c: PublicationCols) -> Result<Publication, StoreError> {
    Ok(Publication {
        seq: c.0,
        version: c.1,
        effective_at: china_time(c.2)?,
        action: PublicationAction::parse(&c.3).map_err(|_| corrupt("publication action"))?,
        reason: c.4,
        actor: c.5,
        at: china_time(c.6)?,
    })
}

#[async_trait]
impl PolicyStore for SqlStore {
    async fn create_policy_version(
        &self,
        v: NewPolicyVersion,
    ) -> Result<PolicyVersion, StoreError> {
        let sql = format!(
            "INSERT INTO policy_versions (name, source, digest, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {VERSION_COLUMNS}"
        );
        let now = cordon_domain::time::now_ms();
        let row: VersionCols = on_pool!(&self.db.write, |p| sqlx::query_as(&sql)
            .bind(&v.name)
            .bind(&v.source)
            .bind(&v.digest)
            .bind(&v.note)
            .bind(&v.actor)
            .bind(now)
            .fetch_one(p)
            .await?);
        version(row)
    }

    async fn list_policy_versions(&self) -> Result<Vec<PolicyVersion>, StoreError> {
        let sql = format!("SELECT {VERSION_COLUMNS} FROM policy_versions ORDER BY version");
        let rows: Vec<VersionCols> =
            on_pool!(&self.db.read, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(version).collect()
    }

    async fn get_policy_version(&self, number: i64) -> Result<PolicyVersion, StoreError> {
        let sql = format!("SELECT {VERSION_COLUMNS} FROM policy_versions WHERE version = $1");
        let row: Option<VersionCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(number)
            .fetch_optional(p)
            .await?);
        version(row.ok_or_else(|| StoreError::not_found(format!("policy version {number}")))?)
    }

    async fn publish_policy(&self, pub_: NewPublication) -> Result<Publication, StoreError> {
        let exists = "SELECT version FROM policy_versions WHERE version = $1";
        let insert = format!(
            "INSERT INTO policy_publications (version, effective_at, action, reason, actor, at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {PUBLICATION_COLUMNS}"
        );
        let (insert, n) = (&insert, &pub_);
        retry(|| async move {
            let now = cordon_domain::time::now_ms();
            let row: PublicationCols = on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let found: Option<i64> = sqlx::query_scalar(exists)
                    .bind(n.version)
                    .fetch_optional(&mut *tx)
                    .await?;
                if found.is_none() {
                    return Err(StoreError::not_found(format!(
                        "policy version {}",
                        n.version
                    )));
                }
                let row = sqlx::query_as(insert)
                    .bind(n.version)
                    .bind(n.effective_ms)
                    .bind(n.action.as_str())
                    .bind(&n.reason)
                    .bind(&n.actor)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                row
            });
            publication(row)
        })
        .await
    }

    async fn list_publications(&self) -> Result<Vec<Publication>, StoreError> {
        let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM policy_publications ORDER BY seq");
        let rows: Vec<PublicationCols> =
            on_pool!(&self.db.read, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(publication).collect()
    }

    async fn checkpoint_keys(&self) -> Result<Vec<CheckpointKey>, StoreError> {
        let sql = "SELECT id, code, defence_line FROM checkpoints";
        let rows: Vec<(i64, String, String)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql).fetch_all(p).await?);
        rows.into_iter()
            .map(|(id, code, line)| {
                Ok(CheckpointKey {
                    id,
                    code: CheckpointCode::parse(&code).map_err(|_| corrupt("checkpoint code"))?,
                    defence_line: DefenceLine::parse(&line).map_err(|_| corrupt("defence line"))?,
                })
            })
            .collect()
    }

    async fn replay_passages(
        &self,
        period: Period,
        to: mpsc::Sender<Vec<ReplayRow>>,
    ) -> Result<u64, StoreError> {
        super::replay::replay(self, period, to).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_versions_and_publications() {
        let v = version((
            3,
            "May".into(),
            "ab".into(),
            "".into(),
            "cmd".into(),
            0,
            "x".into(),
        ))
        .unwrap();
        assert_eq!((v.version, v.name.as_str()), (3, "May"));
        let p = publication((
            1,
            3,
            0,
            "publish".into(),
            "new rules".into(),
            "cmd".into(),
            0,
        ))
        .unwrap();
        assert_eq!(p.action, PublicationAction::Publish);
        let bad = publication((1, 3, 0, "shred".into(), "".into(), "".into(), 0));
        assert!(matches!(bad, Err(StoreError::Corrupt(_))));
    }
}
