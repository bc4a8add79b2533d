//! The SQL of antigen tests: a swab (one unread test per person, the same scan answered again),
//! a read checked by [`cordon_domain::testing::antigen::may_read`] against the row as the write
//! transaction reads it, and a site's lists.

use async_trait::async_trait;
use cordon_domain::access::testing::Sample;
use cordon_domain::identity::{DocumentType, MaskedDocument};
use cordon_domain::testing::antigen::{self, AntigenResult, READ_AFTER_MS};

use super::{AntigenDone, AntigenStore, AntigenTest, SiteAntigen};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::testing::area::site_served;
use crate::testing::division;
use crate::testing::NewMember;
use crate::StoreError;

/// Most tests of each kind a site's list holds.
const LISTED: i64 = 200;

type TestCols = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

const TEST_COLS: &str = "a.id, a.site_id, a.masked_name, a.document_type, a.masked_number, \
     a.swabbed_by, a.swabbed_at, a.result, a.read_by, a.read_at";

fn test_of(c: TestCols) -> Result<AntigenTest, StoreError> {
    let corrupt = |w: &str| StoreError::Corrupt(w.to_owned());
    Ok(AntigenTest {
        id: c.0,
        site: c.1,
        name: c.2,
        document: MaskedDocument {
            kind: DocumentType::parse(&c.3).map_err(|_| corrupt("document type"))?,
            number: c.4,
        },
        swabbed_by: c.5,
        swabbed_at_ms: c.6,
        read_after_ms: c.6 + READ_AFTER_MS,
        result: c
            .7
            .map(|r| AntigenResult::parse(&r).map_err(|_| corrupt("antigen result")))
            .transpose()?,
        read_by: c.8,
        read_at_ms: c.9,
    })
}

/// A person's test waiting to be read: its id and site.
const WAITING: &str =
    "SELECT id, site_id FROM testing_antigen WHERE person_key = $1 AND result IS NULL";

/// What a swab answers when the person's test waits already: that test at the same site
/// (`already`), a refusal at another.
fn waiting_answer(waiting: Option<(i64, i64)>, site: i64) -> Result<(i64, bool), StoreError> {
    match waiting {
        Some((id, at)) if at == site => Ok((id, true)),
        Some(_) => Err(StoreError::invalid(
            "antigen_waiting",
            "document",
            "this person's antigen test waits to be read at another site",
        )),
        None => Err(StoreError::Unavailable(
            "the person's test changed as it was recorded; try again".into(),
        )),
    }
}

async fn one(store: &SqlStore, id: i64) -> Result<AntigenTest, StoreError> {
    let c: Option<TestCols> = on_pool!(&store.db.read, |p| sqlx::query_as(&format!(
        "SELECT {TEST_COLS} FROM testing_antigen a WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(p)
    .await?);
    test_of(c.ok_or_else(|| StoreError::not_found(format!("antigen test {id}")))?)
}

#[async_trait]
impl AntigenStore for SqlStore {
    async fn swab(
        &self,
        grant: &Sample,
        site: i64,
        m: NewMember,
        now_ms: i64,
    ) -> Result<AntigenDone, StoreError> {
        site_served(self, grant, site).await?;
        let (m, by) = (&m, grant.username().as_str());
        let (id, already) = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let waiting: Option<(i64, i64)> = sqlx::query_as(WAITING)
                    .bind(&m.person_key)
                    .fetch_optional(&mut *tx)
                    .await?;
                if waiting.is_some() {
                    return waiting_answer(waiting, site);
                }
                let made: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO testing_antigen (site_id, person_key, masked_name, \
                     document_type, masked_number, sealed, swabbed_by, swabbed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(site)
                .bind(&m.person_key)
                .bind(&m.masked_name)
                .bind(m.document.kind.as_str())
                .bind(&m.document.number)
                .bind(m.sealed.as_slice())
                .bind(by)
                .bind(now_ms)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((id,)) = made else {
                    // The same person swabbed this moment by another scan (a second tap, on
                    // PostgreSQL a transaction beside this one): the test that scan made.
                    let waiting: Option<(i64, i64)> = sqlx::query_as(WAITING)
                        .bind(&m.person_key)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return waiting_answer(waiting, site);
                };
                tx.commit().await?;
                Ok((id, false))
            })
        })
        .await?;
        Ok(AntigenDone {
            test: one(self, id).await?,
            already,
        })
    }

    async fn read_antigen(
        &self,
        grant: &Sample,
        id: i64,
        result: AntigenResult,
        now_ms: i64,
    ) -> Result<AntigenDone, StoreError> {
        let by = grant.username().as_str();
        let already = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let found: Option<(i64, Option<String>, i64)> = sqlx::query_as(
                    "SELECT a.swabbed_at, a.result, c.area FROM testing_antigen a \
                     JOIN testing_sites s ON s.id = a.site_id \
                     JOIN testing_campaigns c ON c.id = s.campaign_id WHERE a.id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(t) = found.filter(|t| division(t.2).is_ok_and(|a| grant.serves(a))) else {
                    return Err(StoreError::not_found(format!("antigen test {id}")));
                };
                let read =
                    t.1.map(|r| AntigenResult::parse(&r))
                        .transpose()
                        .map_err(|_| StoreError::Corrupt("antigen result".into()))?;
                if antigen::may_read(t.0, read, result, now_ms).map_err(StoreError::Invalid)? {
                    return Ok(true);
                }
                sqlx::query(
                    "UPDATE testing_antigen SET result = $2, read_by = $3, read_at = $4 \
                     WHERE id = $1 AND result IS NULL",
                )
                .bind(id)
                .bind(result.as_str())
                .bind(by)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(false)
            })
        })
        .await?;
        Ok(AntigenDone {
            test: one(self, id).await?,
            already,
        })
    }

    async fn antigen_swabbed_at(
        &self,
        grant: &Sample,
        site: i64,
        person_key: &str,
        swabbed_at_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        site_served(self, grant, site).await?;
        let sql = "SELECT id FROM testing_antigen \
             WHERE person_key = $1 AND swabbed_at = $2 AND site_id = $3";
        Ok(on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .bind(person_key)
            .bind(swabbed_at_ms)
            .bind(site)
            .fetch_optional(p)
            .await?))
    }

    async fn site_antigen(
        &self,
        grant: &Sample,
        site: i64,
        since_ms: i64,
    ) -> Result<SiteAntigen, StoreError> {
        site_served(self, grant, site).await?;
        let waiting: Vec<TestCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&format!(
            "SELECT {TEST_COLS} FROM testing_antigen a \
             WHERE a.site_id = $1 AND a.result IS NULL ORDER BY a.swabbed_at, a.id LIMIT $2"
        ))
        .bind(site)
        .bind(LISTED)
        .fetch_all(p)
        .await?);
        let read: Vec<TestCols> = on_pool!(&self.db.read, |p| sqlx::query_as(&format!(
            // Read since `$2`; swabbed at most a day before it (the site's index: a cassette
            // is read within the hour).
            "SELECT {TEST_COLS} FROM testing_antigen a WHERE a.site_id = $1 \
             AND a.swabbed_at >= $2 - 86400000 AND a.read_at >= $2 AND a.result IS NOT NULL \
             ORDER BY a.read_at DESC, a.id DESC LIMIT $3"
        ))
        .bind(site)
        .bind(since_ms)
        .bind(LISTED)
        .fetch_all(p)
        .await?);
        Ok(SiteAntigen {
            waiting: waiting.into_iter().map(test_of).collect::<Result<_, _>>()?,
            read: read.into_iter().map(test_of).collect::<Result<_, _>>()?,
        })
    }
}
