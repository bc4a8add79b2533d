//! Scratch databases for tests and benchmarks: create a fresh, uniquely named PostgreSQL
//! database on a server, and drop it again; run a statement straight on a database, outside any
//! store ([`execute`]).

use sqlx::Connection;

use crate::StoreError;

/// Creates `cordon_{prefix}_{uuid}` on the server `admin_url` names; answers its name and URL.
pub async fn create_postgres_database(
    admin_url: &str,
    prefix: &str,
) -> Result<(String, String), StoreError> {
    let name = format!("cordon_{prefix}_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    Ok((name.clone(), format!("{base}/{name}")))
}

/// Drops a database made by [`create_postgres_database`], disconnecting whoever still uses it.
pub async fn drop_postgres_database(admin_url: &str, name: &str) -> Result<(), StoreError> {
    if !name.starts_with("cordon_") || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(StoreError::Config(format!(
            "refusing to drop database {name}"
        )));
    }
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// A value bound to a statement run by [`execute`].
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Id(uuid::Uuid),
}

/// Runs one statement straight on the database a URL names, outside any store, and answers the
/// rows it changed: what a test does to play an intruder with the database's own credentials, or
/// to make a database look as an older release left it.
pub async fn execute(url: &str, sql: &str, binds: &[Bind]) -> Result<u64, StoreError> {
    let pool = if url.starts_with("sqlite:") {
        crate::db::Pool::Sqlite(sqlx::SqlitePool::connect(url).await?)
    } else {
        crate::db::Pool::Postgres(sqlx::PgPool::connect(url).await?)
    };
    let done = crate::db::on_pool!(&pool, |p| {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = match b {
                Bind::Text(t) => q.bind(t.as_str()),
                Bind::Id(id) => q.bind(*id),
            };
        }
        let done = q.execute(p).await.map(|r| r.rows_affected());
        p.close().await;
        done
    });
    Ok(done?)
}
