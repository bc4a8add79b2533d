//! The SQL of [`DeclarationStore`], written once for both backends ([`crate::db`]).

use async_trait::async_trait;
use cordon_domain::access::declaration::DeclarationRevoke;
use uuid::Uuid;

use super::{DeclarationRecord, DeclarationStore, Revocation};
use crate::db::on_pool;
use crate::store::SqlStore;
use crate::StoreError;

const COLUMNS: &str =
    "id, issued_at, expires_at, plate_key, persons, revoked_at, revoked_by, revoke_reason";

type DeclarationCols = (
    Uuid,
    i64,
    i64,
    Option<String>,
    i32,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn declaration(c: DeclarationCols) -> DeclarationRecord {
    DeclarationRecord {
        id: c.0,
        issued_at_ms: c.1,
        expires_at_ms: c.2,
        plate_key: c.3,
        persons: c.4,
        revoked: c.5.map(|at_ms| Revocation {
            at_ms,
            by: c.6.unwrap_or_default(),
            reason: c.7.unwrap_or_default(),
        }),
    }
}

#[async_trait]
impl DeclarationStore for SqlStore {
    async fn record_declaration(&self, d: &DeclarationRecord) -> Result<(), StoreError> {
        let sql = "INSERT INTO declarations (id, issued_at, expires_at, plate_key, persons, \
             revoked_at, revoked_by, revoke_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let r = d.revoked.as_ref();
        on_pool!(&self.db.write, |p| {
            sqlx::query(sql)
                .bind(d.id)
                .bind(d.issued_at_ms)
                .bind(d.expires_at_ms)
                .bind(d.plate_key.as_deref())
                .bind(d.persons)
                .bind(r.map(|r| r.at_ms))
                .bind(r.map(|r| r.by.as_str()))
                .bind(r.map(|r| r.reason.as_str()))
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn declaration(&self, id: Uuid) -> Result<Option<DeclarationRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM declarations WHERE id = $1");
        let row: Option<DeclarationCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(p)
            .await?);
        Ok(row.map(declaration))
    }

    async fn revoke_declaration(
        &self,
        _grant: &DeclarationRevoke,
        id: Uuid,
        revocation: Revocation,
    ) -> Result<DeclarationRecord, StoreError> {
        let sql = format!(
            "UPDATE declarations SET revoked_at = COALESCE(revoked_at, $2), \
             revoked_by = COALESCE(revoked_by, $3), \
             revoke_reason = COALESCE(revoke_reason, $4) WHERE id = $1 RETURNING {COLUMNS}"
        );
        let row: Option<DeclarationCols> = on_pool!(&self.db.write, |p| sqlx::query_as(&sql)
            .bind(id)
            .bind(revocation.at_ms)
            .bind(&revocation.by)
            .bind(&revocation.reason)
            .fetch_optional(p)
            .await?);
        row.map(declaration)
            .ok_or_else(|| StoreError::not_found("declaration"))
    }

    async fn revoked_declarations(
        &self,
        now_ms: i64,
    ) -> Result<Vec<DeclarationRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM declarations \
             WHERE revoked_at IS NOT NULL AND expires_at > $1 ORDER BY revoked_at, id"
        );
        let rows: Vec<DeclarationCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(now_ms)
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().map(declaration).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_comes_with_its_time() {
        let id = Uuid::now_v7();
        let open = declaration((id, 1, 2, None, 3, None, None, None));
        assert_eq!(open.revoked, None);
        let revoked = declaration((id, 1, 2, None, 3, Some(5), Some("cmd".into()), None));
        assert_eq!(
            revoked.revoked,
            Some(Revocation {
                at_ms: 5,
                by: "cmd".into(),
                reason: String::new()
            })
        );
    }
}
