//! Scratch PostgreSQL databases for tests and benchmarks: create a fresh, uniquely named
//! database on a server, and drop it again.

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
