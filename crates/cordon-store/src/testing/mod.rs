//! Mass testing's storage: campaigns and their sites, tubes opened at the sites, and the persons
//! scanned into each tube (masked, their document and name sealed to the tube). [`TestingStore`]
//! is a supertrait of [`crate::Store`]; its SQL, written once for both backends, is in `sql.rs`
//! (campaigns and sites), `tubes_sql.rs` (tubes and their persons) and `roster_sql.rs` (who is
//! expected, and who of them has been sampled); antigen tests at a site are [`antigen`], each
//! person's latest result (lab or antigen) `results_sql.rs`. A person stands in one
//! open tube at a time and a barcode is used once: the database holds both (primary keys).

use async_trait::async_trait;
use cordon_domain::access::testing::{CampaignManage, Sample, TestingRead};
use cordon_domain::division::DivisionCode;
use cordon_domain::identity::MaskedDocument;
use cordon_domain::testing::tube::TubeState;
use cordon_domain::testing::{Barcode, NewCampaign, PoolSize};
use serde::Serialize;

use crate::StoreError;

pub mod antigen;
mod area;
mod bench_sql;
pub mod board;
mod board_sql;
pub mod lab;
mod queue_sql;
pub(crate) mod results_sql;
mod roster_sql;
pub(crate) mod scans;
mod sql;
pub(crate) mod tubes_sql;
mod walk_ins_sql;

pub use walk_ins_sql::WalkIn;

/// A stored division code, checked again on the way out.
pub(crate) fn division(v: i64) -> Result<DivisionCode, StoreError> {
    u32::try_from(v)
        .ok()
        .and_then(DivisionCode::from_value)
        .ok_or_else(|| StoreError::Corrupt("campaign area".into()))
}

/// A campaign with its sites and what has been sampled (read back by a sampling station from
/// the hub's answer, hence `Deserialize`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    /// The division tested, and its name.
    pub area: String,
    pub area_name: String,
    pub deadline_ms: i64,
    /// Persons per tube unless a tube says otherwise.
    pub pool_size: u32,
    pub created_by: String,
    pub created_at_ms: i64,
    pub sites: Vec<Site>,
}

/// A sampling site, with its tubes and persons so far.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Site {
    pub id: i64,
    pub campaign: i64,
    pub name: String,
    pub lanes: u32,
    /// Tubes still open, and sealed.
    pub open_tubes: i64,
    pub sealed_tubes: i64,
    /// Persons scanned into tubes.
    pub persons: i64,
}

/// A person as scanned into a tube: the keyed hash of the document, masked fields, and the
/// document and name sealed ([`member_context`]).
#[derive(Debug, Clone)]
pub struct NewMember {
    pub person_key: String,
    pub masked_name: String,
    pub document: MaskedDocument,
    pub sealed: Vec<u8>,
}

impl NewMember {
    /// A person as scanned: keyed, masked, and their document and name sealed (as JSON:
    /// `type`, `number`, `name`) against `context(key)` ([`member_context`], [`queue_context`]).
    pub fn sealed(
        keyring: &crate::keyring::Keyring,
        document: &cordon_domain::identity::IdentityDocument,
        name: &cordon_domain::person::PersonName,
        context: impl Fn(&str) -> Vec<u8>,
    ) -> Self {
        let key = keyring.person(document);
        let plain = serde_json::json!({
            "type": document.kind().as_str(),
            "number": document.expose_number(),
            "name": name.expose(),
        });
        NewMember {
            sealed: keyring.seal(
                &context(&key),
                &serde_json::to_vec(&plain).expect("a person serialises"),
            ),
            person_key: key,
            masked_name: name.masked(),
            document: MaskedDocument {
                kind: document.kind(),
                number: document.masked_number(),
            },
        }
    }
}

/// What a person's document and name in a tube are sealed against: the tube and the person.
pub fn member_context(barcode: &Barcode, person_key: &str) -> Vec<u8> {
    format!("testing:{barcode}:{person_key}").into_bytes()
}

/// A person in a tube, masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub name: String,
    pub document: MaskedDocument,
    pub bound_by: String,
    pub bound_at_ms: i64,
}

/// A tube with its persons, masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TubeView {
    pub barcode: String,
    pub site: i64,
    pub site_name: String,
    pub state: TubeState,
    pub pool_size: u32,
    pub members: Vec<Member>,
    /// Set when the tube was sealed before it held its pool.
    pub short_reason: Option<String>,
    pub opened_by: String,
    pub opened_at_ms: i64,
    pub sealed_at_ms: Option<i64>,
}

/// What scanning a person into a tube did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Added {
    pub tube: TubeView,
    /// The person was in this tube already (a scan repeated): nothing written.
    pub already: bool,
}

/// What a queue entry's document and name are sealed against: its site, day and person.
pub fn queue_context(site: i64, day: i64, person_key: &str) -> Vec<u8> {
    format!("testing-queue:{site}:{day}:{person_key}").into_bytes()
}

/// A number taken at a site.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueueNumber {
    pub site: i64,
    /// The day it is for, `YYYYMMDD` (China time).
    pub day: i64,
    pub number: i64,
    /// The person had taken this number earlier that day: nothing written.
    pub already: bool,
}

/// A person in the queue as the sampler's scan of their number finds them: the keyed hash,
/// masked fields and the sealed document and name ([`queue_context`]).
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub person_key: String,
    pub masked_name: String,
    pub document: MaskedDocument,
    pub sealed: Option<Vec<u8>>,
}

/// A roster row as stored: the person's keyed hash, masked fields, where they live, and the
/// row sealed ([`roster_context`]).
#[derive(Debug, Clone)]
pub struct NewRosterRow {
    pub person_key: String,
    pub masked_name: String,
    pub document: MaskedDocument,
    pub compound: String,
    pub building: String,
    pub sealed: Vec<u8>,
}

/// What a roster row is sealed against: its campaign and person.
pub fn roster_context(campaign: i64, person_key: &str) -> Vec<u8> {
    format!("testing-roster:{campaign}:{person_key}").into_bytes()
}

/// What a roster's file added.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RosterAdded {
    /// Persons added now.
    pub added: i64,
    /// Persons the roster held already (a file sent again): left as they were.
    pub already: i64,
}

/// One building's line of completeness.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BuildingLine {
    pub compound: String,
    pub building: String,
    pub expected: i64,
    pub sampled: i64,
}

/// Who has been sampled against who was expected.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Completeness {
    /// On the roster.
    pub expected: i64,
    /// Of those, in a tube of the campaign.
    pub sampled: i64,
    /// Persons in the campaign's tubes who are not on the roster.
    pub walk_ins: i64,
    pub buildings: Vec<BuildingLine>,
}

/// A person on the roster, masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RosterPerson {
    pub name: String,
    pub document: MaskedDocument,
    pub compound: String,
    pub building: String,
}

#[async_trait]
pub trait TestingStore: Send + Sync + 'static {
    /// Opens a campaign over an area of the grant's jurisdiction; `Invalid`
    /// (`scope_mismatch`, `area`) outside it.
    async fn create_campaign(
        &self,
        grant: &CampaignManage,
        campaign: NewCampaign,
    ) -> Result<Campaign, StoreError>;

    /// Adds a site to a campaign of the grant's jurisdiction; `NotFound` for another's,
    /// `Invalid` (`duplicate`, `name`) for a name the campaign has.
    async fn create_site(
        &self,
        grant: &CampaignManage,
        campaign: i64,
        name: &str,
        lanes: u16,
    ) -> Result<Site, StoreError>;

    /// The campaigns the reader sees, newest first, each with its sites.
    async fn list_campaigns(&self, grant: &TestingRead) -> Result<Vec<Campaign>, StoreError>;

    /// Opens a tube at a site of a campaign the sampler serves (else `NotFound`), for a pool of
    /// `pool_size` (default the campaign's); `Conflict`-like `Invalid` (`barcode_used`) for a
    /// barcode used before.
    async fn open_tube(
        &self,
        grant: &Sample,
        site: i64,
        barcode: &Barcode,
        pool_size: Option<PoolSize>,
        now_ms: i64,
    ) -> Result<TubeView, StoreError>;

    /// Scans a person into an open tube, in one transaction. A person in this tube already:
    /// nothing written (`already`). `Invalid`: `tube_full`, `tube_sealed`, `in_open_tube` (the
    /// person stands in another open tube); `NotFound` for a barcode the sampler has no tube
    /// of.
    async fn add_member(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        member: NewMember,
        now_ms: i64,
    ) -> Result<Added, StoreError> {
        self.add_member_audited(grant, barcode, member, now_ms, None)
            .await
    }

    /// [`TestingStore::add_member`], with the audit entry of the request that scans the person,
    /// appended to the audit chain in the scan's own transaction when the scan is answered (a
    /// person added, or found in the tube already): one commit for both.
    async fn add_member_audited(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        member: NewMember,
        now_ms: i64,
        audit: Option<cordon_domain::audit::AuditEntry>,
    ) -> Result<Added, StoreError>;

    /// Seals an open tube, full or short with a reason ([`cordon_domain::testing::tube`]);
    /// its persons may then stand in another tube.
    async fn seal_tube(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        short_reason: Option<&str>,
        now_ms: i64,
    ) -> Result<TubeView, StoreError>;

    /// Adds persons to a campaign's roster in one transaction (a person on it already is left as
    /// they were); `NotFound` for a campaign outside the grant's jurisdiction, `Invalid`
    /// (`too_many`) past [`cordon_domain::testing::roster::MAX_ROSTER`].
    async fn add_roster(
        &self,
        grant: &CampaignManage,
        campaign: i64,
        rows: Vec<NewRosterRow>,
    ) -> Result<RosterAdded, StoreError>;

    /// The campaign's completeness, building by building; `NotFound` for one the reader does
    /// not see.
    async fn completeness(
        &self,
        grant: &TestingRead,
        campaign: i64,
    ) -> Result<Completeness, StoreError>;

    /// The persons of one building on the roster no tube of the campaign holds, masked, at
    /// most `limit`.
    async fn missing(
        &self,
        grant: &TestingRead,
        campaign: i64,
        compound: &str,
        building: &str,
        limit: i64,
    ) -> Result<Vec<RosterPerson>, StoreError>;

    /// The persons the campaign's tubes hold whom its roster does not list (walk-ins), masked,
    /// newest first, at most `limit`.
    async fn walk_ins(
        &self,
        grant: &TestingRead,
        campaign: i64,
        limit: i64,
    ) -> Result<Vec<WalkIn>, StoreError>;

    /// Gives a person the site's next number for `day` (the same one again if they took one
    /// that day), the person held as [`NewMember`] holds them (sealed with [`queue_context`]);
    /// `NotFound` for a site of a campaign the sampler does not serve.
    async fn take_number(
        &self,
        grant: &Sample,
        site: i64,
        day: i64,
        person: NewMember,
        now_ms: i64,
    ) -> Result<QueueNumber, StoreError>;

    /// The person who took `number` at `site` on `day`; `NotFound` if nobody did (or the site is
    /// not the sampler's).
    async fn queue_entry(
        &self,
        grant: &Sample,
        site: i64,
        day: i64,
        number: i64,
    ) -> Result<QueueEntry, StoreError>;

    /// The barcodes of the tubes opened at a site the reader sees; `NotFound` otherwise.
    async fn site_barcodes(
        &self,
        grant: &TestingRead,
        site: i64,
    ) -> Result<Vec<Barcode>, StoreError>;

    /// A campaign's board at `now_ms`, tubes sealed more than `late_after_hours` ago and not
    /// received flagged; `NotFound` for a campaign the reader does not see.
    async fn campaign_board(
        &self,
        grant: &TestingRead,
        campaign: i64,
        late_after_hours: u32,
        now_ms: i64,
    ) -> Result<board::CampaignBoard, StoreError>;

    /// The benchmark's baseline for scans: the same persons inserted plainly, one row per
    /// transaction, into a scratch table.
    async fn bench_plain_members(&self, rows: &[NewMember]) -> Result<(), StoreError>;

    /// The benchmark's baseline for completeness: the campaign's roster counted by building,
    /// nothing else; answers how many buildings.
    async fn bench_roster_by_building(&self, campaign: i64) -> Result<i64, StoreError>;

    /// A tube the reader's campaigns hold, with its persons masked; `NotFound` otherwise.
    async fn tube(&self, grant: &TestingRead, barcode: &Barcode) -> Result<TubeView, StoreError>;
}
