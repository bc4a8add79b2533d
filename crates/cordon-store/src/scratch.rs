//! Scratch databases for tests and benchmarks: create a fresh, uniquely named PostgreSQL
//! database on a server, and drop it again; run a statement straight on a database, outside any
//! store ([`execute`]); the stored forms an older release wrote ([`previous_release_forms`]).

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

/// The databases [`create_postgres_database`] made with `prefix` on this server.
pub async fn postgres_databases(admin_url: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname::TEXT FROM pg_database WHERE starts_with(datname, $1)")
            .bind(format!("cordon_{prefix}_"))
            .fetch_all(&mut conn)
            .await?;
    Ok(names)
}

/// When a database [`create_postgres_database`] made was made (its name ends with a UUID
/// version 7, whose first 48 bits are the time in milliseconds).
pub fn made_at_ms(name: &str) -> Option<i64> {
    let hex = name.rsplit('_').next()?;
    (hex.len() == 32)
        .then(|| i64::from_str_radix(hex.get(..12)?, 16).ok())
        .flatten()
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
    Bytes(Vec<u8>),
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
                Bind::Bytes(b) => q.bind(b.clone()),
            };
        }
        let done = q.execute(p).await.map(|r| r.rows_affected());
        p.close().await;
        done
    });
    Ok(done?)
}

/// A passage's stored forms as the releases before migration 38 wrote them: the decision as
/// JSON, the occupants as JSON sealed with a whole nonce (format 1), the keys as hex text, the
/// whole fingerprint.
pub struct PreviousForms {
    pub decision: Vec<u8>,
    pub sealed: Vec<u8>,
    pub occupant_keys: Vec<u8>,
    pub fingerprint: Vec<u8>,
}

/// [`PreviousForms`] of a registration, sealed with `keyring`: what a test writes over a
/// passage to make the database look as the previous release left it.
pub fn previous_release_forms(
    keyring: &crate::keyring::Keyring,
    p: &crate::passage::NewPassage,
) -> PreviousForms {
    use crate::passage::rows;
    let occupants = &p.draft.occupants;
    let keys: Vec<String> = occupants
        .iter()
        .map(|o| keyring.person(&o.person.document))
        .collect();
    PreviousForms {
        decision: serde_json::to_vec(&p.decision).expect("decisions serialise"),
        sealed: keyring.seal_v1(
            p.draft.id.as_bytes(),
            rows::occupants_json(occupants).as_bytes(),
        ),
        occupant_keys: rows::occupant_keys(occupants, &keys).into_bytes(),
        fingerprint: p.fingerprint.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::made_at_ms;

    #[test]
    fn a_database_name_tells_when_it_was_made() {
        let name = format!("cordon_test_{}", uuid::Uuid::now_v7().simple());
        let made = made_at_ms(&name).unwrap();
        assert!(
            (made - cordon_domain::time::now_ms()).abs() < 60_000,
            "{made}"
        );
        assert_eq!(made_at_ms("cordon_test_notauuid"), None);
        assert_eq!(
            made_at_ms("cordon_test_zz345678901234567890123456789012"),
            None
        );
    }
}
