//! The SQL of [`SamplingSyncStore`]: the hub's binding of site stations and their marks, for
//! both backends; the station's outbox, its triggers, its mark and its refusals, on SQLite only
//! (a station always runs on it).

use async_trait::async_trait;
use cordon_domain::access::testing::SiteSync;
use cordon_domain::registration::DocumentRequest;
use cordon_domain::station::sampling::{RefusedEvent, SamplingEvent};
use cordon_domain::testing::{Barcode, MemberRequest};

use super::sampling::{OutboxEvent, Refusal, SamplingSyncStore, SiteSeries};
use super::Uplink;
use crate::db::{on_pool, retry, BeginWrite, Pool};
use crate::keyring::Keyring;
use crate::store::SqlStore;
use crate::testing::antigen::antigen_context;
use crate::testing::{member_context, Campaign, Site};
use crate::StoreError;

/// The station's triggers: each write of a tube, a person in a tube or an antigen test adds
/// its row to the outbox in the write's own transaction.
const TRIGGERS: [&str; 5] = [
    "CREATE TRIGGER IF NOT EXISTS sampling_out_tube AFTER INSERT ON testing_tubes \
     BEGIN INSERT INTO sampling_outbox (kind, ref_id) VALUES ('tube', NEW.id); END",
    "CREATE TRIGGER IF NOT EXISTS sampling_out_member AFTER INSERT ON testing_members \
     BEGIN INSERT INTO sampling_outbox (kind, ref_id, person_key) \
     VALUES ('member', NEW.tube_id, NEW.person_key); END",
    "CREATE TRIGGER IF NOT EXISTS sampling_out_seal AFTER UPDATE OF state ON testing_tubes \
     WHEN NEW.state = 'sealed' AND OLD.state <> 'sealed' \
     BEGIN INSERT INTO sampling_outbox (kind, ref_id) VALUES ('seal', NEW.id); END",
    "CREATE TRIGGER IF NOT EXISTS sampling_out_swab AFTER INSERT ON testing_antigen \
     BEGIN INSERT INTO sampling_outbox (kind, ref_id) VALUES ('swab', NEW.id); END",
    "CREATE TRIGGER IF NOT EXISTS sampling_out_read AFTER UPDATE OF result ON testing_antigen \
     WHEN NEW.result IS NOT NULL AND OLD.result IS NULL \
     BEGIN INSERT INTO sampling_outbox (kind, ref_id) VALUES ('read', NEW.id); END",
];

fn station_only() -> StoreError {
    StoreError::Config("a sampling station runs on the embedded database".into())
}

/// A person's document and name as sealed (`type`, `number`, `name`), in clear for the push.
fn person(
    keyring: &Keyring,
    context: &[u8],
    sealed: Option<&[u8]>,
) -> Result<MemberRequest, String> {
    let purged = || "the person's data was purged before it reached the hub".to_owned();
    let plain = keyring
        .open(context, sealed.ok_or_else(purged)?)
        .map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_slice(&plain).map_err(|e| e.to_string())?;
    let text = |f: &str| v[f].as_str().map(str::to_owned).ok_or_else(purged);
    Ok(MemberRequest {
        document: DocumentRequest {
            kind: text("type")?,
            number: text("number")?,
        },
        name: text("name")?,
    })
}

type TubeEventCols = (
    String,
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);
type MemberEventCols = (String, Option<Vec<u8>>, String, i64);
type AntigenEventCols = (
    i64,
    String,
    Option<Vec<u8>>,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// Reads one outbox row back as its event, from the row it names as it stands now.
async fn event(
    tx: &mut sqlx::SqliteConnection,
    keyring: &Keyring,
    kind: &str,
    id: i64,
    key: Option<&str>,
) -> Result<OutboxEvent, StoreError> {
    let missing = || StoreError::Corrupt(format!("the outbox names a {kind} that is not stored"));
    Ok(match kind {
        "tube" | "seal" => {
            let t: TubeEventCols = sqlx::query_as(
                "SELECT barcode, pool_size, opened_by, opened_at, short_reason, sealed_by, \
                 sealed_at FROM testing_tubes WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(missing)?;
            let (barcode, pool, opened_by, opened_at, short_reason, sealed_by, sealed_at) = t;
            Ok(if kind == "tube" {
                SamplingEvent::Tube {
                    barcode,
                    pool_size: pool as u32,
                    by: opened_by,
                    at_ms: opened_at,
                }
            } else {
                SamplingEvent::Seal {
                    barcode,
                    short_reason,
                    by: sealed_by.ok_or_else(missing)?,
                    at_ms: sealed_at.ok_or_else(missing)?,
                }
            })
        }
        "member" => {
            let key = key.ok_or_else(missing)?;
            let (barcode, sealed, by, at_ms): MemberEventCols = sqlx::query_as(
                "SELECT t.barcode, m.sealed, m.bound_by, m.bound_at FROM testing_members m \
                 JOIN testing_tubes t ON t.id = m.tube_id \
                 WHERE m.tube_id = $1 AND m.person_key = $2",
            )
            .bind(id)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(missing)?;
            let code = Barcode::parse(&barcode).map_err(|_| missing())?;
            person(keyring, &member_context(&code, key), sealed.as_deref()).map(|person| {
                SamplingEvent::Member {
                    barcode,
                    person,
                    by,
                    at_ms,
                }
            })
        }
        _ => {
            let a: AntigenEventCols = sqlx::query_as(
                "SELECT site_id, person_key, sealed, swabbed_by, swabbed_at, result, read_by, \
                 read_at FROM testing_antigen WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(missing)?;
            let (site, key, sealed, swabbed_by, swabbed_at, result, read_by, read_at) = a;
            person(keyring, &antigen_context(site, &key), sealed.as_deref()).and_then(|person| {
                Ok(if kind == "swab" {
                    SamplingEvent::Swab {
                        person,
                        by: swabbed_by,
                        at_ms: swabbed_at,
                    }
                } else {
                    SamplingEvent::Read {
                        person,
                        swabbed_at_ms: swabbed_at,
                        result: result.ok_or("the test is not read")?.to_owned(),
                        by: read_by.ok_or("the test is not read")?.to_owned(),
                        at_ms: read_at.ok_or("the test is not read")?,
                    }
                })
            })
        }
    })
}

#[async_trait]
impl SamplingSyncStore for SqlStore {
    async fn bind_site_station(&self, account: i64, site: i64) -> Result<(), StoreError> {
        let sql = "INSERT INTO station_sites (account_id, site_id) VALUES ($1, $2)";
        on_pool!(&self.db.write, |p| {
            sqlx::query(sql).bind(account).bind(site).execute(p).await?;
        });
        Ok(())
    }

    async fn site_station(&self, grant: &SiteSync) -> Result<Option<SiteSeries>, StoreError> {
        let sql = "SELECT a.username, s.site_id, s.high_water, s.last_sync_at \
             FROM station_sites s JOIN accounts a ON a.id = s.account_id WHERE s.account_id = $1";
        let found: Option<(String, i64, i64, i64)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql)
                .bind(grant.account())
                .fetch_optional(p)
                .await?);
        Ok(found.map(series))
    }

    async fn advance_site_station(
        &self,
        grant: &SiteSync,
        high: i64,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        let sql = "UPDATE station_sites SET high_water = CASE WHEN high_water > $2 \
             THEN high_water ELSE $2 END, last_sync_at = $3 WHERE account_id = $1 \
             RETURNING high_water";
        let mark: Option<i64> = on_pool!(&self.db.write, |p| sqlx::query_scalar(sql)
            .bind(grant.account())
            .bind(high)
            .bind(at_ms)
            .fetch_optional(p)
            .await?);
        mark.ok_or_else(|| StoreError::not_found("site station"))
    }

    async fn site_stations(&self) -> Result<Vec<SiteSeries>, StoreError> {
        let sql = "SELECT a.username, s.site_id, s.high_water, s.last_sync_at \
             FROM station_sites s JOIN accounts a ON a.id = s.account_id ORDER BY a.username";
        let rows: Vec<(String, i64, i64, i64)> =
            on_pool!(&self.db.read, |p| sqlx::query_as(sql).fetch_all(p).await?);
        Ok(rows.into_iter().map(series).collect())
    }

    async fn has_site(&self, site: i64) -> Result<bool, StoreError> {
        let sql = "SELECT COUNT(*) FROM testing_sites WHERE id = $1";
        let n: i64 = on_pool!(&self.db.read, |p| sqlx::query_scalar(sql)
            .bind(site)
            .fetch_one(p)
            .await?);
        Ok(n > 0)
    }

    async fn adopt_site(&self, c: &Campaign, s: &Site) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.db.write else {
            return Err(station_only());
        };
        let area =
            cordon_domain::division::DivisionCode::parse(&c.area).map_err(StoreError::Invalid)?;
        retry(|| async move {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO testing_campaigns (id, name, area, deadline_at, pool_size, \
                 created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                 deadline_at = excluded.deadline_at, pool_size = excluded.pool_size",
            )
            .bind(c.id)
            .bind(&c.name)
            .bind(i64::from(area.value()))
            .bind(c.deadline_ms)
            .bind(i64::from(c.pool_size))
            .bind(&c.created_by)
            .bind(c.created_at_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO testing_sites (id, campaign_id, name, lanes, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, 'hub', $5) ON CONFLICT (id) DO UPDATE SET \
                 name = excluded.name, lanes = excluded.lanes",
            )
            .bind(s.id)
            .bind(c.id)
            .bind(&s.name)
            .bind(i64::from(s.lanes))
            .bind(c.created_at_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn install_sampling_outbox(&self) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.db.write else {
            return Err(station_only());
        };
        let mut tx = pool.begin_write().await?;
        for t in TRIGGERS {
            sqlx::query(t).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn sampling_outbox(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, OutboxEvent)>, StoreError> {
        let Pool::Sqlite(pool) = &self.db.read else {
            return Err(station_only());
        };
        // The outbox's rows and the rows they name are read in one transaction.
        let mut tx = pool.begin().await?;
        let rows: Vec<(i64, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT seq, kind, ref_id, person_key FROM sampling_outbox WHERE seq > $1 \
             ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut events = Vec::with_capacity(rows.len());
        for (seq, kind, id, key) in rows {
            events.push((
                seq,
                event(&mut tx, &self.keyring, &kind, id, key.as_deref()).await?,
            ));
        }
        tx.commit().await?;
        Ok(events)
    }

    async fn sampling_uplink(&self) -> Result<Uplink, StoreError> {
        let Pool::Sqlite(pool) = &self.db.read else {
            return Err(station_only());
        };
        let (acknowledged, at_ms, newest): (Option<i64>, Option<i64>, i64) = sqlx::query_as(
            "SELECT (SELECT acknowledged FROM sampling_uplink WHERE id = 1), \
             (SELECT at FROM sampling_uplink WHERE id = 1), \
             (SELECT COALESCE(MAX(seq), 0) FROM sampling_outbox)",
        )
        .fetch_one(pool)
        .await?;
        Ok(Uplink {
            acknowledged: acknowledged.unwrap_or(0),
            at_ms: at_ms.unwrap_or(0),
            newest,
        })
    }

    async fn acknowledge_sampling(
        &self,
        acknowledged: i64,
        refused: &[RefusedEvent],
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.db.write else {
            return Err(station_only());
        };
        retry(|| async move {
            let mut tx = pool.begin_write().await?;
            for r in refused {
                sqlx::query(
                    "INSERT INTO sampling_refused (seq, what, code, message, at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING",
                )
                .bind(r.seq)
                .bind(&r.what)
                .bind(&r.code)
                .bind(&r.message)
                .bind(at_ms)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO sampling_uplink (id, acknowledged, at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET acknowledged = excluded.acknowledged, \
                 at = excluded.at",
            )
            .bind(acknowledged)
            .bind(at_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    async fn sampling_refused(&self, limit: i64) -> Result<Vec<Refusal>, StoreError> {
        let Pool::Sqlite(pool) = &self.db.read else {
            return Ok(Vec::new());
        };
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT seq, what, code, message, at FROM sampling_refused ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, what, code, message, at_ms)| Refusal {
                event: RefusedEvent {
                    seq,
                    what,
                    code,
                    message,
                },
                at_ms,
            })
            .collect())
    }
}

fn series((account, site, high_water, last_sync_ms): (String, i64, i64, i64)) -> SiteSeries {
    SiteSeries {
        account,
        site,
        high_water,
        last_sync_ms,
    }
}
