//! The SQL of labs, assay versions and tubes received, and the [`LabStore`] implementation,
//! which hands runs to `runs_sql.rs` and releases to `release_sql.rs`.

use async_trait::async_trait;
use cordon_domain::access::testing::{CampaignManage, LabWork, Sample, TestingRead};
use cordon_domain::division::DivisionCode;
use cordon_domain::testing::instrument::Cts;
use cordon_domain::testing::lab::{Assay, RunStep, Well};
use cordon_domain::testing::Barcode;

use super::lookup::{assay_version, corrupt, lab_area};
use super::{
    custody_sql, release_sql, runs_sql, AssayVersion, BoxView, Lab, LabStore, PersonResult,
    RecallPerson, Received, Released, RunLine, RunView,
};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::testing::{division, results_sql};
use crate::StoreError;

type TubeAtDoor = (i64, String, i64, Option<i64>, i64);

#[async_trait]
impl LabStore for SqlStore {
    async fn create_lab(
        &self,
        grant: &CampaignManage,
        name: &str,
        area: DivisionCode,
    ) -> Result<Lab, StoreError> {
        if !grant.scope().contains(area) {
            return Err(StoreError::invalid(
                "scope_mismatch",
                "area",
                "the area lies outside your jurisdiction",
            ));
        }
        let by = grant.username().as_str();
        let (id,): (i64,) = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let made: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO testing_labs (name, area, created_by, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING id",
                )
                .bind(name)
                .bind(i64::from(area.value()))
                .bind(by)
                .bind(cordon_domain::time::now_ms())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(made) = made else {
                    return Err(StoreError::invalid(
                        "duplicate",
                        "name",
                        "a lab of this name is registered",
                    ));
                };
                tx.commit().await?;
                Ok(made)
            })
        })
        .await?;
        Ok(Lab {
            id,
            name: name.to_owned(),
            area: area.to_string(),
        })
    }

    async fn list_labs(&self, grant: &TestingRead) -> Result<Vec<Lab>, StoreError> {
        let rows: Vec<(i64, String, i64)> = on_pool!(&self.db.read, |p| sqlx::query_as(
            "SELECT id, name, area FROM testing_labs ORDER BY name"
        )
        .fetch_all(p)
        .await?);
        let mut labs = Vec::new();
        for (id, name, area) in rows {
            let area = division(area)?;
            if grant.sees(area) {
                labs.push(Lab {
                    id,
                    name,
                    area: area.to_string(),
                });
            }
        }
        Ok(labs)
    }

    async fn create_assay(
        &self,
        grant: &LabWork,
        assay: &Assay,
        now_ms: i64,
    ) -> Result<AssayVersion, StoreError> {
        let definition = serde_json::to_string(assay).map_err(|_| corrupt("assay"))?;
        let definition = &definition;
        let by = grant.username().as_str();
        let (id,): (i64,) = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let made: (i64,) = sqlx::query_as(
                    "INSERT INTO testing_assays (name, definition, created_by, created_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&assay.name)
                .bind(definition)
                .bind(by)
                .bind(now_ms)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(made)
            })
        })
        .await?;
        Ok(AssayVersion {
            id,
            assay: assay.clone(),
            created_by: by.to_owned(),
            created_at_ms: now_ms,
        })
    }

    async fn list_assays(&self) -> Result<Vec<AssayVersion>, StoreError> {
        let rows: Vec<(i64, String, String, i64)> = on_pool!(&self.db.read, |p| {
            sqlx::query_as(
            "SELECT id, definition, created_by, created_at FROM testing_assays ORDER BY id DESC"
        )
        .fetch_all(p)
        .await?
        });
        rows.into_iter().map(assay_version).collect()
    }

    async fn receive_tube(
        &self,
        grant: &LabWork,
        lab: i64,
        tube: &Barcode,
        now_ms: i64,
    ) -> Result<Received, StoreError> {
        if let Some(r) = custody_sql::receive(self, grant, lab, tube, now_ms).await? {
            return Ok(r);
        }
        let by = grant.username().as_str();
        retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let found: Option<TubeAtDoor> = sqlx::query_as(
                    "SELECT t.id, t.state, t.members, t.lab_id, c.area FROM testing_tubes t \
                     JOIN testing_sites s ON s.id = t.site_id \
                     JOIN testing_campaigns c ON c.id = s.campaign_id WHERE t.barcode = $1",
                )
                .bind(tube.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(t) = found.filter(|t| division(t.4).is_ok_and(|a| grant.serves(a))) else {
                    return Err(StoreError::not_found(format!("tube {tube}")));
                };
                let received = |already| Received {
                    barcode: tube.to_string(),
                    tubes: 1,
                    persons: t.2 as u32,
                    already,
                };
                match t.3 {
                    Some(l) if l == lab => return Ok(received(true)),
                    Some(_) => {
                        return Err(StoreError::invalid(
                            "received_elsewhere",
                            "barcode",
                            "this tube was received at another lab",
                        ))
                    }
                    None => {}
                }
                if t.1 != "sealed" {
                    return Err(StoreError::invalid(
                        "not_sealed",
                        "barcode",
                        "this tube is still open at its site: it is sealed before it travels",
                    ));
                }
                sqlx::query(
                    "UPDATE testing_tubes SET lab_id = $2, received_by = $3, received_at = $4 \
                     WHERE id = $1",
                )
                .bind(t.0)
                .bind(lab)
                .bind(by)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(received(false))
            })
        })
        .await
    }

    async fn open_box(
        &self,
        grant: &Sample,
        site: i64,
        barcode: &Barcode,
        now_ms: i64,
    ) -> Result<BoxView, StoreError> {
        custody_sql::open(self, grant, site, barcode, now_ms).await
    }

    async fn pack_tube(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        tube: &Barcode,
    ) -> Result<BoxView, StoreError> {
        custody_sql::pack(self, grant, barcode, tube).await
    }

    async fn hand_over_box(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        to: &str,
        now_ms: i64,
    ) -> Result<BoxView, StoreError> {
        custody_sql::hand_over(self, grant, barcode, to, now_ms).await
    }

    async fn create_run(
        &self,
        grant: &LabWork,
        lab: i64,
        assay: i64,
        controls: (Well, Well),
        now_ms: i64,
    ) -> Result<RunView, StoreError> {
        runs_sql::create(self, grant, lab, assay, controls, now_ms).await
    }

    async fn place_tube(
        &self,
        grant: &LabWork,
        run: i64,
        tube: &Barcode,
        well: Option<Well>,
        now_ms: i64,
    ) -> Result<RunView, StoreError> {
        runs_sql::place(self, grant, run, tube, well, now_ms).await
    }

    async fn record_step(
        &self,
        grant: &LabWork,
        run: i64,
        step: RunStep,
        now_ms: i64,
    ) -> Result<RunView, StoreError> {
        runs_sql::step(self, grant, run, step, now_ms).await
    }

    async fn import_results(
        &self,
        grant: &LabWork,
        run: i64,
        cts: &Cts,
        now_ms: i64,
    ) -> Result<RunView, StoreError> {
        runs_sql::import(self, grant, run, cts, now_ms).await
    }

    async fn release_run(
        &self,
        grant: &LabWork,
        run: i64,
        now_ms: i64,
    ) -> Result<Released, StoreError> {
        release_sql::release(self, grant, run, now_ms).await
    }

    async fn recall_persons(
        &self,
        grant: &TestingRead,
        run: i64,
    ) -> Result<Vec<RecallPerson>, StoreError> {
        release_sql::recalled(self, grant, run).await
    }

    async fn run(&self, grant: &TestingRead, run: i64) -> Result<RunView, StoreError> {
        let (view, area) = runs_sql::view(self, run).await?;
        if !grant.sees(area) {
            return Err(StoreError::not_found(format!("run {run}")));
        }
        Ok(view)
    }

    async fn list_runs(
        &self,
        grant: &TestingRead,
        lab: i64,
        limit: i64,
    ) -> Result<Vec<RunLine>, StoreError> {
        lab_area(self, |a| grant.sees(a), lab).await?;
        runs_sql::lines(self, lab, limit).await
    }

    async fn purge_testing(&self, before_ms: i64) -> Result<u64, StoreError> {
        on_pool!(&self.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let mut purged = 0;
            for sql in [
                "UPDATE testing_members SET sealed = NULL WHERE sealed IS NOT NULL AND bound_at < $1",
                "UPDATE testing_queue SET sealed = NULL WHERE sealed IS NOT NULL AND taken_at < $1",
                "UPDATE testing_antigen SET sealed = NULL WHERE sealed IS NOT NULL AND swabbed_at < $1",
                "UPDATE testing_roster SET sealed = NULL WHERE sealed IS NOT NULL AND campaign_id IN \
                 (SELECT id FROM testing_campaigns WHERE created_at < $1)",
            ] {
                purged += sqlx::query(sql)
                    .bind(before_ms)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            Ok(purged)
        })
    }

    async fn latest_results(
        &self,
        persons: &[String],
    ) -> Result<Vec<Option<PersonResult>>, StoreError> {
        latest(self, persons).await
    }
}

/// Each person's latest result in Cordon ([`crate::testing::results_sql`]).
async fn latest(
    store: &SqlStore,
    persons: &[String],
) -> Result<Vec<Option<PersonResult>>, StoreError> {
    let mut all = Vec::with_capacity(persons.len());
    for chunk in persons.chunks(results_sql::CHUNK) {
        let sql = results_sql::latest_sql(chunk.len());
        let rows: Vec<results_sql::ResultRow> = on_pool!(&store.db.read, |p| {
            let mut q = sqlx::query_as(&sql);
            for key in chunk {
                q = q.bind(key);
            }
            q.fetch_all(p).await?
        });
        all.extend(results_sql::fold(chunk, rows)?);
    }
    Ok(all)
}
