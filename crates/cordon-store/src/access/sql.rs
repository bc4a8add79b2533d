//! The SQL of [`AccessStore`], written once for both backends ([`crate::db`]). A password change
//! or a disabled account ends the account's sessions in the same transaction.

use async_trait::async_trait;
use cordon_domain::access::{Role, Scope, Username};

use super::{AccessStore, Account, Credentials, Lockout, NewAccount, NewSession, SessionRecord};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

const ACCOUNT_COLUMNS: &str = "a.id, a.username, a.role, a.scope, a.disabled, a.created_by, \
     a.created_at, a.password_changed_at, a.locked_until";

type AccountCols = (i64, String, String, String, bool, String, i64, i64, i64);

/// An account's columns, then two more (the password hash and failures, or the session's CSRF
/// token and expiry).
type AccountAnd<A, B> = (
    i64,
    String,
    String,
    String,
    bool,
    String,
    i64,
    i64,
    i64,
    A,
    B,
);

/// Ends every open session of an account.
const END_SESSIONS: &str =
    "UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn account(c: AccountCols) -> Result<Account, StoreError> {
    Ok(Account {
        id: c.0,
        username: Username::parse(&c.1).map_err(|_| corrupt("account name"))?,
        role: Role::parse(&c.2).map_err(|_| corrupt("account role"))?,
        scope: Scope::parse(&c.3).map_err(|_| corrupt("account scope"))?,
        disabled: c.4,
        created_by: c.5,
        created_at_ms: c.6,
        password_changed_at_ms: c.7,
        locked_until_ms: c.8,
    })
}

/// Splits a row of an account and two more columns.
fn account_and<A, B>(c: AccountAnd<A, B>) -> Result<(Account, A, B), StoreError> {
    let a = account((c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7, c.8))?;
    Ok((a, c.9, c.10))
}

impl SqlStore {
    async fn account_by_name(&self, username: &str) -> Result<Account, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.username = $1");
        let row: Option<AccountCols> = on_pool!(&self.db.write, |p| sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(p)
            .await?);
        account(row.ok_or_else(|| StoreError::not_found(format!("account {username}")))?)
    }

    /// Runs `change` (an `UPDATE accounts ... WHERE username = $1 RETURNING id` with its
    /// values) and, when `end_sessions`, ends the account's sessions, in one transaction.
    async fn change_account(
        &self,
        username: &str,
        change: AccountChange<'_>,
        end_sessions: bool,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let change = &change;
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let q = sqlx::query_scalar(change.sql).bind(username);
                let q = match change.value {
                    ChangeValue::Password(hash) => q.bind(hash).bind(now_ms),
                    ChangeValue::Disabled(d) => q.bind(d),
                };
                let id: Option<i64> = q.fetch_optional(&mut *tx).await?;
                let id = id.ok_or_else(|| StoreError::not_found(format!("account {username}")))?;
                if end_sessions {
                    sqlx::query(END_SESSIONS)
                        .bind(id)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(id)
            })
        })
        .await
    }
}

/// A change to one account: its statement and value.
struct AccountChange<'a> {
    sql: &'static str,
    value: ChangeValue<'a>,
}

#[derive(Clone, Copy)]
enum ChangeValue<'a> {
    /// `$2` the hash, `$3` the time.
    Password(&'a str),
    /// `$2`.
    Disabled(bool),
}

#[async_trait]
impl AccessStore for SqlStore {
    async fn create_account(&self, a: NewAccount) -> Result<Account, StoreError> {
        let sql = "INSERT INTO accounts (username, role, scope, password_hash, created_by, \
             created_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
        let now = cordon_domain::time::now_ms();
        let done = on_pool!(&self.db.write, |p| sqlx::query(sql)
            .bind(a.username.as_str())
            .bind(a.role.as_str())
            .bind(a.scope.to_string())
            .bind(&a.password_hash)
            .bind(&a.created_by)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()));
        match done {
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
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.username");
        let rows: Vec<AccountCols> =
            on_pool!(&self.db.read, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(account).collect()
    }

    async fn count_accounts(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM accounts";
        Ok(on_pool!(&self.db.write, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await?))
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, a.password_hash, a.failed_signins FROM accounts a \
             WHERE a.username = $1"
        );
        let row: Option<AccountAnd<String, i32>> =
            on_pool!(&self.db.write, |p| sqlx::query_as(&sql)
                .bind(username)
                .fetch_optional(p)
                .await?);
        row.map(|r| {
            let (account, password_hash, failed_signins) = account_and(r)?;
            Ok(Credentials {
                account,
                password_hash,
                failed_signins,
            })
        })
        .transpose()
    }

    async fn signin_failed(
        &self,
        account: i64,
        now_ms: i64,
        lockout: Lockout,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE accounts SET \
             failed_signins = CASE WHEN failed_signins + 1 >= $2 THEN 0 ELSE failed_signins + 1 END, \
             locked_until = CASE WHEN failed_signins + 1 >= $2 THEN $3 ELSE locked_until END \
             WHERE id = $1 AND locked_until <= $4 RETURNING locked_until";
        let locked_until: Option<i64> = on_pool!(&self.db.write, |p| sqlx::query_scalar(sql)
            .bind(account)
            .bind(lockout.after_failures)
            .bind(now_ms + lockout.lock_ms)
            .bind(now_ms)
            .fetch_optional(p)
            .await?);
        Ok(locked_until.is_some_and(|t| t > now_ms))
    }

    async fn known_address(
        &self,
        account: i64,
        address: &str,
        since_ms: i64,
    ) -> Result<bool, StoreError> {
        let sql = "SELECT account_id FROM sessions \
             WHERE account_id = $1 AND address = $2 AND created_at >= $3 LIMIT 1";
        let found: Option<i64> = on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .bind(account)
            .bind(address)
            .bind(since_ms)
            .fetch_optional(p)
            .await?);
        Ok(found.is_some())
    }

    async fn unlock_account(&self, username: &str) -> Result<i64, StoreError> {
        let sql = "UPDATE accounts SET failed_signins = 0, locked_until = 0 \
             WHERE username = $1 RETURNING id";
        let id: Option<i64> = on_pool!(&self.db.write, |p| sqlx::query_scalar(sql)
            .bind(username)
            .fetch_optional(p)
            .await?);
        id.ok_or_else(|| StoreError::not_found(format!("account {username}")))
    }

    async fn signin_succeeded(&self, account: i64) -> Result<(), StoreError> {
        let sql = "UPDATE accounts SET failed_signins = 0, locked_until = 0 \
             WHERE id = $1 AND (failed_signins <> 0 OR locked_until <> 0)";
        on_pool!(&self.db.write, |p| {
            sqlx::query(sql).bind(account).execute(p).await?;
        });
        Ok(())
    }

    async fn set_password(
        &self,
        username: &str,
        password_hash: String,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let change = AccountChange {
            sql: "UPDATE accounts SET password_hash = $2, password_changed_at = $3, \
                  failed_signins = 0, locked_until = 0 WHERE username = $1 RETURNING id",
            value: ChangeValue::Password(&password_hash),
        };
        self.change_account(username, change, true, now_ms).await
    }

    async fn set_disabled(
        &self,
        username: &str,
        disabled: bool,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let change = AccountChange {
            sql: "UPDATE accounts SET disabled = $2 WHERE username = $1 RETURNING id",
            value: ChangeValue::Disabled(disabled),
        };
        self.change_account(username, change, disabled, now_ms)
            .await
    }

    async fn create_session(&self, s: NewSession) -> Result<(), StoreError> {
        let sql = "INSERT INTO sessions (token_hash, account_id, csrf, address, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
        on_pool!(&self.db.write, |p| {
            sqlx::query(sql)
                .bind(&s.token_hash[..])
                .bind(s.account)
                .bind(&s.csrf)
                .bind(&s.address)
                .bind(s.created_at_ms)
                .bind(s.expires_at_ms)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    async fn session(
        &self,
        token_hash: [u8; 32],
        now_ms: i64,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, s.csrf, s.expires_at FROM sessions s \
             JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2 \
             AND NOT a.disabled"
        );
        let row: Option<AccountAnd<String, i64>> =
            on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
                .bind(&token_hash[..])
                .bind(now_ms)
                .fetch_optional(p)
                .await?);
        row.map(|r| {
            let (account, csrf, expires_at_ms) = account_and(r)?;
            Ok(SessionRecord {
                account,
                csrf,
                expires_at_ms,
            })
        })
        .transpose()
    }

    async fn end_session(&self, token_hash: [u8; 32], now_ms: i64) -> Result<(), StoreError> {
        let sql = "UPDATE sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL";
        on_pool!(&self.db.write, |p| {
            sqlx::query(sql)
                .bind(&token_hash[..])
                .bind(now_ms)
                .execute(p)
                .await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(role: &str) -> AccountCols {
        (
            1,
            "officer".into(),
            role.into(),
            "CP-130100-0001".into(),
            false,
            "admin".into(),
            1,
            2,
            0,
        )
    }

    #[test]
    fn rows_become_accounts_and_bad_values_are_corrupt() {
        let a = account(row("officer")).unwrap();
        assert_eq!((a.role, a.username.as_str()), (Role::Officer, "officer"));
        assert!(matches!(account(row("king")), Err(StoreError::Corrupt(_))));
        let r = row("officer");
        let (a, hash, fails) = account_and((
            r.0,
            r.1,
            r.2,
            r.3,
            r.4,
            r.5,
            r.6,
            r.7,
            r.8,
            "h".to_owned(),
            3,
        ))
        .unwrap();
        assert_eq!((a.id, hash.as_str(), fails), (1, "h", 3));
    }
}
