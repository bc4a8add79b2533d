//! The SQL of campaigns and their sites, for [`super::TestingStore`] (its tubes in
//! `tubes_sql.rs`, to which the trait's tube methods hand over).

use async_trait::async_trait;
use cordon_domain::access::testing::{CampaignManage, Sample, TestingRead};
use cordon_domain::division::DivisionCode;
use cordon_domain::testing::{Barcode, NewCampaign, PoolSize};

use super::division;
use super::{
    queue_sql, roster_sql, tubes_sql, Added, Campaign, Completeness, NewMember, NewRosterRow,
    QueueEntry, QueueNumber, RosterAdded, RosterPerson, Site, TestingStore, TubeView,
};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

type CampaignCols = (i64, String, i64, i64, i64, String, i64);
type SiteCols = (i64, i64, String, i64, i64, i64, i64);

const SITE_SELECT: &str = "SELECT s.id, s.campaign_id, s.name, s.lanes, \
     (SELECT COUNT(*) FROM testing_tubes t WHERE t.site_id = s.id AND t.state = 'open'), \
     (SELECT COUNT(*) FROM testing_tubes t WHERE t.site_id = s.id AND t.state = 'sealed'), \
     (SELECT CAST(COALESCE(SUM(t.members), 0) AS BIGINT) FROM testing_tubes t WHERE t.site_id = s.id) \
     FROM testing_sites s";

fn place_name(code: DivisionCode) -> String {
    let c = code.to_string();
    cordon_domain::places::by_code(&c)
        .map(|p| format!("{} {}", p.within, p.name).trim().to_owned())
        .unwrap_or(c)
}

fn site(c: SiteCols) -> Site {
    Site {
        id: c.0,
        campaign: c.1,
        name: c.2,
        lanes: c.3 as u32,
        open_tubes: c.4,
        sealed_tubes: c.5,
        persons: c.6,
    }
}

fn campaign(c: CampaignCols, sites: Vec<Site>) -> Result<Campaign, StoreError> {
    let area = division(c.2)?;
    Ok(Campaign {
        id: c.0,
        name: c.1,
        area: area.to_string(),
        area_name: place_name(area),
        deadline_ms: c.3,
        pool_size: c.4 as u32,
        created_by: c.5,
        created_at_ms: c.6,
        sites,
    })
}

const CAMPAIGN_SELECT: &str = "SELECT id, name, area, deadline_at, pool_size, created_by, \
     created_at FROM testing_campaigns";

#[async_trait]
impl TestingStore for SqlStore {
    async fn create_campaign(
        &self,
        grant: &CampaignManage,
        c: NewCampaign,
    ) -> Result<Campaign, StoreError> {
        if !grant.scope().contains(c.area) {
            return Err(StoreError::invalid(
                "scope_mismatch",
                "area",
                "the area lies outside your jurisdiction",
            ));
        }
        let c = &c;
        let by = grant.username().as_str();
        let (id,): (i64,) = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let row: (i64,) = sqlx::query_as(
                    "INSERT INTO testing_campaigns (name, area, deadline_at, pool_size, \
                     created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&c.name)
                .bind(i64::from(c.area.value()))
                .bind(c.deadline_ms)
                .bind(i64::from(c.pool_size.get()))
                .bind(by)
                .bind(cordon_domain::time::now_ms())
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(row)
            })
        })
        .await?;
        let sql = format!("{CAMPAIGN_SELECT} WHERE id = $1");
        let cols: CampaignCols = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(p)
            .await?);
        campaign(cols, Vec::new())
    }

    async fn create_site(
        &self,
        grant: &CampaignManage,
        campaign_id: i64,
        name: &str,
        lanes: u16,
    ) -> Result<Site, StoreError> {
        let area: Option<(i64,)> = on_pool!(&self.db.read, |p| sqlx::query_as(
            "SELECT area FROM testing_campaigns WHERE id = $1"
        )
        .bind(campaign_id)
        .fetch_optional(p)
        .await?);
        match area {
            Some((a,)) if grant.scope().contains(division(a)?) => {}
            _ => return Err(StoreError::not_found(format!("campaign {campaign_id}"))),
        }
        let by = grant.username().as_str();
        let id: i64 = retry(|| async move {
            on_pool!(&self.db.write, |p| {
                let mut tx = p.begin_write().await?;
                let taken: Option<(i64,)> = sqlx::query_as(
                    "SELECT id FROM testing_sites WHERE campaign_id = $1 AND name = $2",
                )
                .bind(campaign_id)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
                if taken.is_some() {
                    return Err(StoreError::invalid(
                        "duplicate",
                        "name",
                        "this campaign has a site of this name",
                    ));
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO testing_sites (campaign_id, name, lanes, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(campaign_id)
                .bind(name)
                .bind(i64::from(lanes))
                .bind(by)
                .bind(cordon_domain::time::now_ms())
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(id)
            })
        })
        .await?;
        let sql = format!("{SITE_SELECT} WHERE s.id = $1");
        let cols: SiteCols = on_pool!(&self.db.read, |p| sqlx::query_as(&sql)
            .bind(id)
            .fetch_one(p)
            .await?);
        Ok(site(cols))
    }

    async fn list_campaigns(&self, grant: &TestingRead) -> Result<Vec<Campaign>, StoreError> {
        let sql = format!("{CAMPAIGN_SELECT} ORDER BY created_at DESC, id DESC LIMIT 500");
        let rows: Vec<CampaignCols> =
            on_pool!(&self.db.read, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        let mut seen = Vec::new();
        for c in rows {
            if grant.sees(division(c.2)?) {
                seen.push(c);
            }
        }
        let sql = format!("{SITE_SELECT} ORDER BY s.id");
        let sites: Vec<SiteCols> =
            on_pool!(&self.db.read, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        seen.into_iter()
            .map(|c| {
                let mine = sites
                    .iter()
                    .filter(|s| s.1 == c.0)
                    .cloned()
                    .map(site)
                    .collect();
                campaign(c, mine)
            })
            .collect()
    }

    async fn open_tube(
        &self,
        grant: &Sample,
        site: i64,
        barcode: &Barcode,
        pool_size: Option<PoolSize>,
        now_ms: i64,
    ) -> Result<TubeView, StoreError> {
        tubes_sql::open(self, grant, site, barcode, pool_size, now_ms).await
    }

    async fn add_member_audited(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        member: NewMember,
        now_ms: i64,
        audit: Option<cordon_domain::audit::AuditEntry>,
    ) -> Result<Added, StoreError> {
        tubes_sql::add(self, grant, barcode, member, now_ms, audit).await
    }

    async fn seal_tube(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        short_reason: Option<&str>,
        now_ms: i64,
    ) -> Result<TubeView, StoreError> {
        tubes_sql::seal(self, grant, barcode, short_reason, now_ms).await
    }

    async fn add_roster(
        &self,
        grant: &CampaignManage,
        campaign: i64,
        rows: Vec<NewRosterRow>,
    ) -> Result<RosterAdded, StoreError> {
        roster_sql::add(self, grant, campaign, rows).await
    }

    async fn campaign_board(
        &self,
        grant: &TestingRead,
        campaign: i64,
        late_after_hours: u32,
        now_ms: i64,
    ) -> Result<super::board::CampaignBoard, StoreError> {
        super::board_sql::board(self, grant, campaign, late_after_hours, now_ms).await
    }

    async fn bench_plain_members(&self, rows: &[NewMember]) -> Result<(), StoreError> {
        super::bench_sql::plain_members(self, rows).await
    }

    async fn bench_roster_by_building(&self, campaign: i64) -> Result<i64, StoreError> {
        super::bench_sql::roster_by_building(self, campaign).await
    }

    async fn completeness(
        &self,
        grant: &TestingRead,
        campaign: i64,
    ) -> Result<Completeness, StoreError> {
        roster_sql::completeness(self, grant, campaign).await
    }

    async fn missing(
        &self,
        grant: &TestingRead,
        campaign: i64,
        compound: &str,
        building: &str,
        limit: i64,
    ) -> Result<Vec<RosterPerson>, StoreError> {
        roster_sql::missing(self, grant, campaign, compound, building, limit).await
    }

    async fn walk_ins(
        &self,
        grant: &TestingRead,
        campaign: i64,
        limit: i64,
    ) -> Result<Vec<super::WalkIn>, StoreError> {
        super::walk_ins_sql::walk_ins(self, grant, campaign, limit).await
    }

    async fn take_number(
        &self,
        grant: &Sample,
        site: i64,
        day: i64,
        person: NewMember,
        now_ms: i64,
    ) -> Result<QueueNumber, StoreError> {
        queue_sql::take(self, grant, site, day, person, now_ms).await
    }

    async fn queue_entry(
        &self,
        grant: &Sample,
        site: i64,
        day: i64,
        number: i64,
    ) -> Result<QueueEntry, StoreError> {
        queue_sql::entry(self, grant, site, day, number).await
    }

    async fn site_barcodes(
        &self,
        grant: &TestingRead,
        site: i64,
    ) -> Result<Vec<Barcode>, StoreError> {
        let found: Option<(i64,)> = on_pool!(&self.db.read, |p| {
            sqlx::query_as(
            "SELECT c.area FROM testing_sites s JOIN testing_campaigns c ON c.id = s.campaign_id \
             WHERE s.id = $1"
        )
        .bind(site)
        .fetch_optional(p)
        .await?
        });
        match found {
            Some((a,)) if grant.sees(division(a)?) => {}
            _ => return Err(StoreError::not_found(format!("site {site}"))),
        }
        let codes: Vec<(String,)> = on_pool!(&self.db.read, |p| sqlx::query_as(
            "SELECT barcode FROM testing_tubes WHERE site_id = $1"
        )
        .bind(site)
        .fetch_all(p)
        .await?);
        codes
            .into_iter()
            .map(|(c,)| Barcode::parse(&c).map_err(|_| StoreError::Corrupt("barcode".into())))
            .collect()
    }

    async fn tube(&self, grant: &TestingRead, barcode: &Barcode) -> Result<TubeView, StoreError> {
        let (view, area) = tubes_sql::view(self, barcode).await?;
        if grant.sees(area) {
            Ok(view)
        } else {
            Err(StoreError::not_found(format!("tube {barcode}")))
        }
    }
}
