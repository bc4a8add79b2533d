//! The SQL of [`crate::access_store::AccessStore`], written once for both backends like
//! [`crate::sql`]. Audit entries are appended by each backend's passage writer (SQLite:
//! [`crate::sqlite_writer`], PostgreSQL: [`crate::postgres`]), so one writer per process extends
//! the chain.

macro_rules! access_sql {
    ($store:ident, $db:ty) => {
        mod access_impl {
            use async_trait::async_trait;
            use cordon_domain::access::{Role, Scope, Username};
            use cordon_domain::audit::{AuditEntry, AuditRecord};
            use sqlx::Row as _;

            use super::$store;
            use crate::access_store::{
                AccessStore, Account, AuditQuery, ChainRow, Credentials, Lockout, NewAccount,
                NewSession, SessionRecord,
            };
            use crate::StoreError;

            type DbRow = <$db as sqlx::Database>::Row;

            const ACCOUNT_COLUMNS: &str = "a.id, a.username, a.role, a.scope, a.disabled, \
                a.created_by, a.created_at, a.password_changed_at, a.locked_until";
            const AUDIT_COLUMNS: &str = "seq, at, actor, role, scope, address, action, outcome, \
                purpose, target, subjects, persons, prev_hash, hash";

            fn corrupt(what: &str) -> StoreError {
                StoreError::Corrupt(what.to_owned())
            }

            fn account_row(r: &DbRow) -> Result<Account, StoreError> {
                let username: String = r.try_get(1)?;
                let role: String = r.try_get(2)?;
                let scope: String = r.try_get(3)?;
                Ok(Account {
                    id: r.try_get(0)?,
                    username: Username::parse(&username).map_err(|_| corrupt("account name"))?,
                    role: Role::parse(&role).map_err(|_| corrupt("account role"))?,
                    scope: Scope::parse(&scope).map_err(|_| corrupt("account scope"))?,
                    disabled: r.try_get(4)?,
                    created_by: r.try_get(5)?,
                    created_at_ms: r.try_get(6)?,
                    password_changed_at_ms: r.try_get(7)?,
                    locked_until_ms: r.try_get(8)?,
                })
            }

            /// The id an `UPDATE accounts ... RETURNING id` answered, or `NotFound`.
            fn changed_account(row: Option<DbRow>, username: &str) -> Result<i64, StoreError> {
                match row {
                    Some(r) => Ok(r.try_get(0)?),
                    None => Err(StoreError::not_found(format!("account {username}"))),
                }
            }

            /// Ends every open session of an account.
            async fn end_sessions(
                tx: &mut sqlx::Transaction<'static, $db>,
                account: i64,
                now_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL")
                    .bind(account)
                    .bind(now_ms)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            fn hash32(r: &DbRow, i: usize) -> Result<[u8; 32], StoreError> {
                let v: Vec<u8> = r.try_get(i)?;
                crate::access_store::hash32(&v)
            }

            fn chain_row(r: &DbRow) -> Result<ChainRow, StoreError> {
                let subjects: String = r.try_get(10)?;
                Ok(ChainRow {
                    seq: r.try_get(0)?,
                    entry: AuditEntry {
                        at_ms: r.try_get(1)?,
                        actor: r.try_get(2)?,
                        role: r.try_get(3)?,
                        scope: r.try_get(4)?,
                        address: r.try_get(5)?,
                        action: r.try_get(6)?,
                        outcome: r.try_get(7)?,
                        purpose: r.try_get(8)?,
                        target: r.try_get(9)?,
                        subjects: subjects
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                        persons: r.try_get(11)?,
                    },
                    prev_hash: hash32(r, 12)?,
                    hash: hash32(r, 13)?,
                })
            }

            /// Marks in `cordon_migrations` that passages written before sealing are sealed.
            const SEAL_MARK: i64 = 1_002;

            impl $store {
                /// Seals the occupants of passages written before migration 4, once (their keys
                /// for the trace index follow in `fill_occupant_keys`); then runs `vacuum` so the clear text is gone from
                /// the database files, not only from the live rows.
                pub(crate) async fn seal_legacy(&self, vacuum: &str) -> Result<u64, StoreError> {
                    if self.core.data_migration_done(SEAL_MARK).await? {
                        return Ok(0);
                    }
                    let mut total = 0u64;
                    loop {
                        let rows = sqlx::query(&format!(
                            "{} WHERE p.sealed IS NULL LIMIT 2000",
                            crate::sql::PASSAGE_SELECT
                        ))
                        .fetch_all(&self.core.write)
                        .await?;
                        if rows.is_empty() {
                            break;
                        }
                        let mut tx = self.core.write.begin().await?;
                        for r in &rows {
                            let row = super::passage_row(r)?;
                            let sealed = self.keyring.seal(row.id.as_bytes(), row.occupants.as_bytes());
                            sqlx::query("UPDATE passages SET sealed = $1, occupants = '' WHERE id = $2")
                                .bind(sealed)
                                .bind(row.id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        tx.commit().await?;
                        total += rows.len() as u64;
                    }
                    self.core.mark_data_migration(SEAL_MARK, "seal_personal_data").await?;
                    if total > 0 {
                        sqlx::raw_sql(vacuum).execute(&self.core.write).await?;
                        tracing::info!(passages = total, "sealed the personal data of earlier passages");
                    }
                    Ok(total)
                }

                async fn account_by_name(&self, username: &str) -> Result<Account, StoreError> {
                    let row = sqlx::query(&format!(
                        "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.username = $1"
                    ))
                    .bind(username)
                    .fetch_optional(&self.core.read)
                    .await?
                    .ok_or_else(|| StoreError::not_found(format!("account {username}")))?;
                    account_row(&row)
                }
            }

            #[async_trait]
            impl AccessStore for $store {
                async fn create_account(&self, a: NewAccount) -> Result<Account, StoreError> {
                    let now = cordon_domain::time::now_ms();
                    let res = sqlx::query(
                        "INSERT INTO accounts (username, role, scope, password_hash, created_by, created_at, password_changed_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(a.username.as_str())
                    .bind(a.role.as_str())
                    .bind(a.scope.to_string())
                    .bind(&a.password_hash)
                    .bind(&a.created_by)
                    .bind(now)
                    .execute(&self.core.write)
                    .await;
                    match res {
                        Err(e) if StoreError::is_unique_violation(&e) => {
                            return Err(StoreError::invalid(
                                "username_taken",
                                "username",
                                format!("an account named '{}' exists", a.username),
                            ))
                        }
                        r => r?,
                    };
                    self.account_by_name(a.username.as_str()).await
                }

                async fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
                    sqlx::query(&format!(
                        "SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.username"
                    ))
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(account_row)
                    .collect()
                }

                async fn count_accounts(&self) -> Result<i64, StoreError> {
                    Ok(sqlx::query("SELECT COUNT(*) FROM accounts")
                        .fetch_one(&self.core.write)
                        .await?
                        .try_get(0)?)
                }

                async fn credentials(
                    &self,
                    username: &str,
                ) -> Result<Option<Credentials>, StoreError> {
                    let row = sqlx::query(&format!(
                        "SELECT {ACCOUNT_COLUMNS}, a.password_hash, a.failed_signins FROM accounts a WHERE a.username = $1"
                    ))
                    .bind(username)
                    .fetch_optional(&self.core.write)
                    .await?;
                    row.map(|r| {
                        Ok(Credentials {
                            account: account_row(&r)?,
                            password_hash: r.try_get(9)?,
                            failed_signins: r.try_get(10)?,
                        })
                    })
                    .transpose()
                }

                async fn signin_failed(
                    &self,
                    account: i64,
                    now_ms: i64,
                    lockout: Lockout,
                ) -> Result<i32, StoreError> {
                    let row = sqlx::query(
                        "UPDATE accounts SET failed_signins = failed_signins + 1, \
                         locked_until = CASE WHEN failed_signins + 1 >= $2 THEN $3 ELSE locked_until END \
                         WHERE id = $1 RETURNING failed_signins",
                    )
                    .bind(account)
                    .bind(lockout.after_failures)
                    .bind(now_ms + lockout.lock_ms)
                    .fetch_one(&self.core.write)
                    .await?;
                    Ok(row.try_get(0)?)
                }

                async fn signin_succeeded(&self, account: i64) -> Result<(), StoreError> {
                    sqlx::query(
                        "UPDATE accounts SET failed_signins = 0, locked_until = 0 \
                         WHERE id = $1 AND (failed_signins <> 0 OR locked_until <> 0)",
                    )
                    .bind(account)
                    .execute(&self.core.write)
                    .await?;
                    Ok(())
                }

                async fn set_password(
                    &self,
                    username: &str,
                    password_hash: String,
                    now_ms: i64,
                ) -> Result<i64, StoreError> {
                    let mut tx = self.core.write.begin().await?;
                    let id = changed_account(
                        sqlx::query(
                            "UPDATE accounts SET password_hash = $2, password_changed_at = $3, \
                             failed_signins = 0, locked_until = 0 WHERE username = $1 RETURNING id",
                        )
                        .bind(username)
                        .bind(&password_hash)
                        .bind(now_ms)
                        .fetch_optional(&mut *tx)
                        .await?,
                        username,
                    )?;
                    end_sessions(&mut tx, id, now_ms).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn set_disabled(
                    &self,
                    username: &str,
                    disabled: bool,
                    now_ms: i64,
                ) -> Result<i64, StoreError> {
                    let mut tx = self.core.write.begin().await?;
                    let id = changed_account(
                        sqlx::query("UPDATE accounts SET disabled = $2 WHERE username = $1 RETURNING id")
                            .bind(username)
                            .bind(disabled)
                            .fetch_optional(&mut *tx)
                            .await?,
                        username,
                    )?;
                    if disabled {
                        end_sessions(&mut tx, id, now_ms).await?;
                    }
                    tx.commit().await?;
                    Ok(id)
                }

                async fn create_session(&self, s: NewSession) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, account_id, csrf, address, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(s.token_hash.to_vec())
                    .bind(s.account)
                    .bind(&s.csrf)
                    .bind(&s.address)
                    .bind(s.created_at_ms)
                    .bind(s.expires_at_ms)
                    .execute(&self.core.write)
                    .await?;
                    Ok(())
                }

                async fn session(
                    &self,
                    token_hash: [u8; 32],
                    now_ms: i64,
                ) -> Result<Option<SessionRecord>, StoreError> {
                    let row = sqlx::query(&format!(
                        "SELECT {ACCOUNT_COLUMNS}, s.csrf, s.expires_at FROM sessions s \
                         JOIN accounts a ON a.id = s.account_id \
                         WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND NOT a.disabled"
                    ))
                    .bind(token_hash.to_vec())
                    .bind(now_ms)
                    .fetch_optional(&self.core.read)
                    .await?;
                    row.map(|r| {
                        Ok(SessionRecord {
                            account: account_row(&r)?,
                            csrf: r.try_get(9)?,
                            expires_at_ms: r.try_get(10)?,
                        })
                    })
                    .transpose()
                }

                async fn end_session(
                    &self,
                    token_hash: [u8; 32],
                    now_ms: i64,
                ) -> Result<(), StoreError> {
                    sqlx::query("UPDATE sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL")
                        .bind(token_hash.to_vec())
                        .bind(now_ms)
                        .execute(&self.core.write)
                        .await?;
                    Ok(())
                }

                async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
                    self.writer.append_audit(entries.to_vec()).await
                }

                async fn query_audit(&self, f: &AuditQuery) -> Result<Vec<AuditRecord>, StoreError> {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > "
                    ));
                    q.push_bind(f.after_seq.unwrap_or(0));
                    if let Some(actor) = &f.actor {
                        q.push(" AND actor = ").push_bind(actor.clone());
                    }
                    if let Some(action) = &f.action {
                        q.push(" AND action = ").push_bind(action.clone());
                    }
                    if let Some(subject) = &f.subject {
                        q.push(" AND subjects LIKE ").push_bind(format!("%{subject}%"));
                    }
                    if let Some(from) = f.from_ms {
                        q.push(" AND at >= ").push_bind(from);
                    }
                    if let Some(to) = f.to_ms {
                        q.push(" AND at < ").push_bind(to);
                    }
                    q.push(" ORDER BY seq LIMIT ")
                        .push_bind(i64::from(f.limit.clamp(1, 1_000)));
                    q.build()
                        .fetch_all(&self.core.read)
                        .await?
                        .iter()
                        .map(|r| chain_row(r).map(|c| c.record()))
                        .collect()
                }

                async fn audit_chain(
                    &self,
                    after_seq: i64,
                    limit: u32,
                ) -> Result<Vec<ChainRow>, StoreError> {
                    sqlx::query(&format!(
                        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                    ))
                    .bind(after_seq)
                    .bind(i64::from(limit))
                    .fetch_all(&self.core.read)
                    .await?
                    .iter()
                    .map(chain_row)
                    .collect()
                }
            }
        }
    };
}

pub(crate) use access_sql;
