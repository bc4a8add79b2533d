//! The lab's storage: labs, assay versions, tubes received, and runs (a plate of wells, its
//! steps, the instrument's Ct values read by the run's assay, and its release by a second
//! person, which gives each person of each tube a result). [`LabStore`] is a supertrait of
//! [`crate::Store`]; its SQL is in `sql.rs` (labs, assays, receiving), `custody_sql.rs`
//! (boxes packed, handed over and received), `runs_sql.rs` (runs,
//! placing tubes, steps, results) and `release_sql.rs` (the release and the results it gives).
//! The rules are [`cordon_domain::testing::lab`]'s, checked against the run as each
//! transaction reads it.

use async_trait::async_trait;
use cordon_domain::access::testing::{CampaignManage, LabWork, Sample, TestingRead};
use cordon_domain::division::DivisionCode;
use cordon_domain::identity::MaskedDocument;
use cordon_domain::testing::antigen::CordonTest;
use cordon_domain::testing::instrument::Cts;
use cordon_domain::testing::lab::{Assay, MemberResult, Reading, RunStep, Well};
use cordon_domain::testing::Barcode;
use serde::Serialize;

use crate::StoreError;

mod custody_sql;
mod lookup;
mod release_sql;
mod runs_sql;
mod sql;

/// A lab and the division it serves.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Lab {
    pub id: i64,
    pub name: String,
    pub area: String,
}

/// An assay version: never changed once made (a change is a new version).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AssayVersion {
    pub id: i64,
    #[serde(flatten)]
    pub assay: Assay,
    pub created_by: String,
    pub created_at_ms: i64,
}

/// What a scan at the lab's door received: a tube, or a box and every tube in it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Received {
    pub barcode: String,
    /// Tubes received by the scan (1 for a tube).
    pub tubes: u32,
    /// Persons in them.
    pub persons: u32,
    /// The tube had been received at this lab before: nothing written.
    pub already: bool,
}

/// A box of sealed tubes packed at a site.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BoxView {
    pub barcode: String,
    pub site: i64,
    pub site_name: String,
    /// The tubes' barcodes.
    pub tubes: Vec<String>,
    pub persons: i64,
    pub packed_by: String,
    pub packed_at_ms: i64,
    /// To whom it was handed (a courier, a driver), by whom and when; `null` until then.
    pub handed_to: Option<String>,
    pub handed_by: Option<String>,
    pub handed_at_ms: Option<i64>,
}

/// A step of a run, done.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StepDone {
    pub step: RunStep,
    pub by: String,
    pub at_ms: i64,
}

/// What stands in a well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WellKind {
    Tube,
    Negative,
    Positive,
}

/// A well of a run's plate.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WellView {
    #[schema(value_type = String, example = "A1")]
    #[serde(serialize_with = "as_text")]
    pub well: Well,
    pub kind: WellKind,
    /// The tube's barcode and persons (for a tube).
    pub tube: Option<String>,
    pub persons: Option<u32>,
    /// The Ct values in the assay's target order (`null`: not amplified), once read.
    pub cts: Option<Vec<Option<f64>>>,
    pub reading: Option<Reading>,
}

fn as_text<S: serde::Serializer>(w: &Well, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(w)
}

/// A run with its plate and steps.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunView {
    pub id: i64,
    pub lab: i64,
    pub lab_name: String,
    pub assay: AssayVersion,
    pub step: RunStep,
    /// Whether the controls read as they must (negative and positive), once the file is read.
    pub controls_ok: Option<bool>,
    pub made_by: String,
    pub made_at_ms: i64,
    /// Who imported the results: neither they nor the maker may release the run.
    pub resulted_by: Option<String>,
    pub released_by: Option<String>,
    pub released_at_ms: Option<i64>,
    pub steps: Vec<StepDone>,
    pub wells: Vec<WellView>,
}

/// A run as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunLine {
    pub id: i64,
    pub lab: i64,
    pub step: RunStep,
    pub tubes: i64,
    /// Tubes that read positive or inconclusive.
    pub positives: i64,
    pub controls_ok: Option<bool>,
    pub made_by: String,
    pub made_at_ms: i64,
    pub released_at_ms: Option<i64>,
}

/// A person of a tube recalled by a release: what a recall list is made of (their document and
/// name sealed to the tube, [`super::member_context`]).
#[derive(Debug, Clone)]
pub struct RecallPerson {
    pub barcode: Barcode,
    pub person_key: String,
    pub masked_name: String,
    pub document: MaskedDocument,
    pub sealed: Option<Vec<u8>>,
    /// The campaign's area and its roster's sealed row of the person, if they are on it
    /// ([`super::roster_context`]).
    pub area: DivisionCode,
    pub campaign: i64,
    pub roster_sealed: Option<Vec<u8>>,
    /// Where the roster has them: compound and building.
    pub home: Option<String>,
    pub result: MemberResult,
    /// Their first sample after the release (the re-test the recall asks for), if any.
    pub retest: Option<Retest>,
}

/// A recalled person's re-test: the tube they were scanned into after the recall, and its result
/// once released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Retest {
    pub tube: String,
    pub sampled_at_ms: i64,
    /// `null` until the tube's run is released.
    pub result: Option<MemberResult>,
}

/// What a release did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Released {
    pub run: RunView,
    /// Tubes and persons given results.
    pub tubes: i64,
    pub persons: i64,
    /// Persons whose result is "recall" (their pool read positive) or positive.
    pub recalled: i64,
    /// The run was released before: nothing written.
    pub already: bool,
}

/// A person's latest result in Cordon: a lab's released result for their tube, or an antigen
/// cassette read at a site (the rule of which is latest: [`CordonTest::replaces`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PersonResult {
    pub test: CordonTest,
    /// When the sample was taken (the person scanned into the tube, or swabbed) and the result
    /// released (or the cassette read).
    pub sampled_at_ms: i64,
    pub released_at_ms: i64,
}

#[async_trait]
pub trait LabStore: Send + Sync + 'static {
    /// Registers a lab over an area of the grant's jurisdiction (`Invalid` `scope_mismatch`
    /// outside it, `duplicate` for a name taken).
    async fn create_lab(
        &self,
        grant: &CampaignManage,
        name: &str,
        area: DivisionCode,
    ) -> Result<Lab, StoreError>;

    /// The labs over areas the reader sees.
    async fn list_labs(&self, grant: &TestingRead) -> Result<Vec<Lab>, StoreError>;

    /// Makes a new assay version.
    async fn create_assay(
        &self,
        grant: &LabWork,
        assay: &Assay,
        now_ms: i64,
    ) -> Result<AssayVersion, StoreError>;

    /// Every assay version, newest first.
    async fn list_assays(&self) -> Result<Vec<AssayVersion>, StoreError>;

    /// Opens a box at a site of the sampler's campaigns (`NotFound` otherwise) by its barcode;
    /// a box opened there already is taken up again; `Invalid` `barcode_used` for a tube's
    /// barcode or a box of another site.
    async fn open_box(
        &self,
        grant: &Sample,
        site: i64,
        barcode: &Barcode,
        now_ms: i64,
    ) -> Result<BoxView, StoreError>;

    /// Packs a sealed tube of the box's site in it (packed there already: nothing written);
    /// `Invalid` `in_another_box`, `box_handed`, `other_site`, `not_sealed`,
    /// `received_elsewhere`.
    async fn pack_tube(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        tube: &Barcode,
    ) -> Result<BoxView, StoreError>;

    /// Hands a box over to `to` (handed already: nothing written); `Invalid` `box_empty`.
    async fn hand_over_box(
        &self,
        grant: &Sample,
        barcode: &Barcode,
        to: &str,
        now_ms: i64,
    ) -> Result<BoxView, StoreError>;

    /// Receives at a lab the account works for what `barcode` names: a box (every tube in it,
    /// all or none) or a sealed tube (`NotFound` for another's lab, or a tube or box of a
    /// campaign it does not serve; `Invalid` `not_sealed`, `received_elsewhere`).
    async fn receive_tube(
        &self,
        grant: &LabWork,
        lab: i64,
        tube: &Barcode,
        now_ms: i64,
    ) -> Result<Received, StoreError>;

    /// Makes a run at a lab the account works for, its controls in their wells.
    async fn create_run(
        &self,
        grant: &LabWork,
        lab: i64,
        assay: i64,
        controls: (Well, Well),
        now_ms: i64,
    ) -> Result<RunView, StoreError>;

    /// Places a received tube in a well (the next free one, down the columns, when `well` is
    /// `None`); the tube on this plate already: nothing written. `Invalid`: `plate_closed`,
    /// `not_received` (here), `on_another_plate`, `well_taken`, `plate_full`.
    async fn place_tube(
        &self,
        grant: &LabWork,
        run: i64,
        tube: &Barcode,
        well: Option<Well>,
        now_ms: i64,
    ) -> Result<RunView, StoreError>;

    /// Records the run's next step ([`cordon_domain::testing::lab::may_step`]).
    async fn record_step(
        &self,
        grant: &LabWork,
        run: i64,
        step: RunStep,
        now_ms: i64,
    ) -> Result<RunView, StoreError>;

    /// Reads the instrument's Ct values into the run's wells by its assay, in one transaction:
    /// the run is amplified (or resulted, read again), and the file names each well of the
    /// plate and no other (`Invalid` `not_amplified`, `unknown_well`, `missing_well`).
    async fn import_results(
        &self,
        grant: &LabWork,
        run: i64,
        cts: &Cts,
        now_ms: i64,
    ) -> Result<RunView, StoreError>;

    /// Releases a resulted run whose controls read as they must, by an account that neither
    /// made it nor imported its results (`Invalid` `not_resulted`, `controls_failed`,
    /// `own_run`): each tube's reading and each person's result, in one transaction.
    async fn release_run(
        &self,
        grant: &LabWork,
        run: i64,
        now_ms: i64,
    ) -> Result<Released, StoreError>;

    /// The persons a released run recalls (pool read positive or inconclusive) or found
    /// positive, for their recall list.
    async fn recall_persons(
        &self,
        grant: &TestingRead,
        run: i64,
    ) -> Result<Vec<RecallPerson>, StoreError>;

    /// A run at a lab the reader sees (`NotFound` otherwise).
    async fn run(&self, grant: &TestingRead, run: i64) -> Result<RunView, StoreError>;

    /// A lab's runs, newest first, at most `limit`.
    async fn list_runs(
        &self,
        grant: &TestingRead,
        lab: i64,
        limit: i64,
    ) -> Result<Vec<RunLine>, StoreError>;

    /// Purges the sealed persons of tubes filled, rosters brought in and numbers taken before
    /// `before_ms` (what stays: keyed hashes, masked fields, results); answers how many.
    async fn purge_testing(&self, before_ms: i64) -> Result<u64, StoreError>;

    /// Each person's (by keyed hash, in order) latest result: a lab's released result or an
    /// antigen test read, if any.
    async fn latest_results(
        &self,
        persons: &[String],
    ) -> Result<Vec<Option<PersonResult>>, StoreError>;
}
