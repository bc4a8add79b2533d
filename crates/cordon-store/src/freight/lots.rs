//! The trait of holding lots (SQL in `lot_sql.rs`, `truck_sql.rs`, `bay_sql.rs`).

use async_trait::async_trait;
use cordon_domain::access::freight::{LotKeep, LotWork};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::freight::alert::FreightAlert;
use cordon_domain::freight::bay::{BayRequest, BayToken, DriverNeed};
use cordon_domain::freight::board::LotBoard;
use cordon_domain::freight::lot::{Lot, LotDraft};
use cordon_domain::freight::truck::{CheckIn, Step, Truck};
use serde::Serialize;

use crate::StoreError;

/// What anyone may see of a lot: a lane sending a truck there, a driver at one of its bays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LotPublic {
    pub id: i64,
    pub name: String,
    pub address: String,
}

/// Holding lots within the grant's jurisdiction.
#[async_trait]
pub trait LotStore: Send + Sync + 'static {
    /// Sets up a lot. Errors: `Forbidden` (its division or a checkpoint beyond the
    /// jurisdiction), `Invalid` `unknown_checkpoint` (`checkpoints[i]`).
    async fn make_lot(
        &self,
        grant: &LotKeep,
        draft: &LotDraft,
        now_ms: i64,
    ) -> Result<Lot, StoreError>;

    /// The jurisdiction's lots, with the trucks in each.
    async fn list_lots(&self, grant: &LotWork) -> Result<Vec<Lot>, StoreError>;

    /// A lot's board at `now_ms`.
    async fn lot_board(
        &self,
        grant: &LotWork,
        lot: i64,
        now_ms: i64,
    ) -> Result<LotBoard, StoreError>;

    /// A lot's clock: it moves with every change to the lot (a truck, a step, a request).
    async fn lot_clock(&self, grant: &LotWork, lot: i64) -> Result<i64, StoreError>;

    /// The lots a checkpoint's lanes send trucks to.
    async fn lots_of_checkpoint(&self, code: &CheckpointCode)
        -> Result<Vec<LotPublic>, StoreError>;

    /// Checks a truck in at the gate, linked to the passage of a lane that sent it here in the
    /// last 24 hours (the latest, when one did). Errors: `Invalid` `already_in_lot`.
    async fn check_in(
        &self,
        grant: &LotWork,
        lot: i64,
        truck: &CheckIn,
        now_ms: i64,
    ) -> Result<Truck, StoreError>;

    /// A truck with its steps.
    async fn lot_truck(&self, grant: &LotWork, lot: i64, truck: i64) -> Result<Truck, StoreError>;

    /// Takes a step: `Invalid` `truck_out_of_order`, `truck_gone`, `too_early`, `no_such_bay`,
    /// `bay_taken`, `pcr_at_lab` (a PCR result by hand for a tube the testing records hold). A positive PCR of a truck that has left raises an alert (once).
    async fn take_step(
        &self,
        grant: &LotWork,
        lot: i64,
        truck: i64,
        step: &Step,
        why: Option<&str>,
        now_ms: i64,
    ) -> Result<Truck, StoreError>;

    /// Records on the lots' trucks the PCR results the labs released for their tubes (a tube the
    /// testing records hold is matched by its code), each as a `pcr` step by the account that
    /// released the run; a positive one for a truck that has left raises its alert. Safe to run
    /// again: a truck with a result is passed over. Answers how many were recorded.
    async fn lab_results_to_lots(&self, now_ms: i64) -> Result<u64, StoreError>;

    /// The keyed check of a bay's token.
    fn bay_check(&self, lot: i64, bay: u32) -> String;

    /// The lot of a bay token (`NotFound` for a token the hub did not make, or a bay the lot
    /// does not have).
    async fn bay_lot(&self, token: &BayToken) -> Result<LotPublic, StoreError>;

    /// A driver's request from a bay; the same need while one is open answers the open one.
    async fn ask(
        &self,
        token: &BayToken,
        need: DriverNeed,
        now_ms: i64,
    ) -> Result<BayRequest, StoreError>;

    /// A bay's requests of the last day, latest first.
    async fn bay_requests(
        &self,
        token: &BayToken,
        now_ms: i64,
    ) -> Result<Vec<BayRequest>, StoreError>;

    /// Closes a request (closing it again changes nothing).
    async fn close_request(
        &self,
        grant: &LotWork,
        lot: i64,
        request: i64,
        now_ms: i64,
    ) -> Result<BayRequest, StoreError>;

    /// The jurisdiction's alerts: the open ones, and those closed in the last week.
    async fn freight_alerts(
        &self,
        grant: &LotWork,
        now_ms: i64,
    ) -> Result<Vec<FreightAlert>, StoreError>;

    /// The retention purge: trucks that left before `before_ms` lose their plate, driver and
    /// hand-over, alerts closed before it their plate, and passes expired before it their
    /// drivers (a pass keeps its plate: it is the permit), escorts over before it their
    /// vehicles, carriers' applications decided before it the request as sent. Answers how many trucks and passes.
    async fn purge_freight(&self, before_ms: i64) -> Result<(u64, u64), StoreError>;

    /// Closes an alert with what was done: `Invalid` `alert_closed` when it was.
    async fn close_alert(
        &self,
        grant: &LotWork,
        alert: i64,
        note: &str,
        now_ms: i64,
    ) -> Result<FreightAlert, StoreError>;
}
