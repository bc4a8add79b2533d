//! The SQL of queue numbers: a site's next number for the day taken and counted in one
//! statement (`testing_queue_counters`, an upsert: two samplers at one site never get the same
//! number), a person's number given again if they take one twice, and the person behind a
//! number found for the sampler's scan.

use cordon_domain::access::testing::Sample;
use cordon_domain::identity::{DocumentType, MaskedDocument};

use super::area::site_served as served;
use super::{NewMember, QueueEntry, QueueNumber};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

pub(super) async fn take(
    store: &SqlStore,
    grant: &Sample,
    site: i64,
    day: i64,
    m: NewMember,
    now_ms: i64,
) -> Result<QueueNumber, StoreError> {
    served(store, grant, site).await?;
    let m = &m;
    let by = grant.username().as_str();
    retry(|| async move {
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let had: Option<(i64,)> = sqlx::query_as(
                "SELECT number FROM testing_queue WHERE site_id = $1 AND day = $2 \
                 AND person_key = $3",
            )
            .bind(site)
            .bind(day)
            .bind(&m.person_key)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((number,)) = had {
                return Ok(QueueNumber {
                    site,
                    day,
                    number,
                    already: true,
                });
            }
            let (number,): (i64,) = sqlx::query_as(
                "INSERT INTO testing_queue_counters (site_id, day, last) VALUES ($1, $2, 1) \
                 ON CONFLICT (site_id, day) DO UPDATE SET last = testing_queue_counters.last + 1 \
                 RETURNING last",
            )
            .bind(site)
            .bind(day)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO testing_queue (site_id, day, number, person_key, masked_name, \
                 document_type, masked_number, sealed, taken_by, taken_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(site)
            .bind(day)
            .bind(number)
            .bind(&m.person_key)
            .bind(&m.masked_name)
            .bind(m.document.kind.as_str())
            .bind(&m.document.number)
            .bind(m.sealed.as_slice())
            .bind(by)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(QueueNumber {
                site,
                day,
                number,
                already: false,
            })
        })
    })
    .await
}

pub(super) async fn entry(
    store: &SqlStore,
    grant: &Sample,
    site: i64,
    day: i64,
    number: i64,
) -> Result<QueueEntry, StoreError> {
    served(store, grant, site).await?;
    type EntryCols = (String, String, String, String, Option<Vec<u8>>);
    let found: Option<EntryCols> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT person_key, masked_name, document_type, masked_number, sealed \
             FROM testing_queue WHERE site_id = $1 AND day = $2 AND number = $3"
    )
    .bind(site)
    .bind(day)
    .bind(number)
    .fetch_optional(p)
    .await?);
    let Some((person_key, masked_name, kind, masked_number, sealed)) = found else {
        return Err(StoreError::invalid(
            "unknown_number",
            "number",
            format!("nobody took number {number} at this site today"),
        ));
    };
    Ok(QueueEntry {
        person_key,
        masked_name,
        document: MaskedDocument {
            kind: DocumentType::parse(&kind)
                .map_err(|_| StoreError::Corrupt("document type".into()))?,
            number: masked_number,
        },
        sealed,
    })
}
