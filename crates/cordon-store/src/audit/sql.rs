//! The SQL of [`AuditStore`]'s reads, written once for both backends ([`crate::db`]). Entries
//! are appended by the passage writer of each backend, which holds the write lock that keeps the
//! chain's head from moving underneath ([`crate::passage::sqlite_writer`],
//! [`crate::passage::postgres_writer`]).

use async_trait::async_trait;
use cordon_domain::audit::{AuditEntry, AuditRecord};
use sqlx::QueryBuilder;

use super::{hash32, AuditQuery, AuditStore, ChainRow};
use crate::db::on_pool;
use crate::store::SqlStore;
use crate::StoreError;

const COLUMNS: &str = "seq, at, actor, role, scope, address, action, outcome, purpose, target, \
     subjects, persons, prev_hash, hash";

type EntryCols = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Vec<u8>,
    Vec<u8>,
);

fn chain_row(c: EntryCols) -> Result<ChainRow, StoreError> {
    Ok(ChainRow {
        seq: c.0,
        entry: AuditEntry {
            at_ms: c.1,
            actor: c.2,
            role: c.3,
            scope: c.4,
            address: c.5,
            action: c.6,
            outcome: c.7,
            purpose: c.8,
            target: c.9,
            subjects: c
                .10
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            persons: c.11,
        },
        prev_hash: hash32(&c.12)?,
        hash: hash32(&c.13)?,
    })
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.writer.append_audit(entries.to_vec()).await
    }

    async fn query_audit(&self, f: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<EntryCols> = on_pool!(&self.db.read, |p| {
            let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM audit_log WHERE seq > "));
            q.push_bind(f.after_seq.unwrap_or(0));
            if let Some(actor) = &f.actor {
                q.push(" AND actor = ").push_bind(actor.as_str());
            }
            if let Some(action) = &f.action {
                q.push(" AND action = ").push_bind(action.as_str());
            }
            if let Some(subject) = &f.subject {
                q.push(" AND subjects LIKE ")
                    .push_bind(format!("%{subject}%"));
            }
            if let Some(from) = f.from_ms {
                q.push(" AND at >= ").push_bind(from);
            }
            if let Some(to) = f.to_ms {
                q.push(" AND at < ").push_bind(to);
            }
            q.push(" ORDER BY seq LIMIT ")
                .push_bind(i64::from(f.limit.clamp(1, 1_000)));
            q.build_query_as().fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| chain_row(r).map(|c| c.record()))
            .collect()
    }

    async fn audit_chain(&self, after_seq: i64, limit: u32) -> Result<Vec<ChainRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows: Vec<EntryCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(after_seq)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?);
        rows.into_iter().map(chain_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_split_and_hashes_are_checked() {
        let row = |hash: Vec<u8>| {
            (
                1,
                2,
                "tracer".into(),
                "tracer".into(),
                "130000".into(),
                "127.0.0.1".into(),
                "trace".into(),
                "ok".into(),
                "".into(),
                "".into(),
                "aa,bb".into(),
                2,
                vec![0; 32],
                hash,
            )
        };
        let r = chain_row(row(vec![1; 32])).unwrap();
        assert_eq!(r.entry.subjects, vec!["aa", "bb"]);
        assert!(matches!(
            chain_row(row(vec![1; 31])),
            Err(StoreError::Corrupt(_))
        ));
    }
}
