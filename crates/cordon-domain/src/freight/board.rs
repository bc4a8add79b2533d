//! A lot's board: its trucks by state, the bays taken, the lanes' trucks on their way, the
//! drivers' open requests, and what needs the staff's eye (over capacity, a cassette waiting to
//! be read, a long stay, a request waiting).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::bay::BayRequest;
use super::lot::Lot;
use super::truck::{SentTruck, Truck, TruckState};
use crate::time::from_ms;

/// A stay past this is flagged.
pub const LONG_STAY_MS: i64 = 24 * 3_600_000;
/// A cassette not read this long after it was due is flagged.
pub const READING_LATE_MS: i64 = 10 * 60_000;
/// A driver's request open this long is flagged.
pub const REQUEST_LATE_MS: i64 = 30 * 60_000;

/// How many trucks are in a state (the trucks that left: in the last 24 hours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StateCount {
    pub state: TruckState,
    pub count: i64,
}

/// Something on the board that needs the staff's eye, with how many it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LotWarning {
    /// `over_capacity`, `waiting_for_bay`, `reading_late`, `long_stay`, `request_late`.
    pub code: String,
    pub count: i64,
}

/// The board of one lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LotBoard {
    /// The lot, with the trucks in it now (`present`).
    pub lot: Lot,
    pub counts: Vec<StateCount>,
    pub warnings: Vec<LotWarning>,
    /// In the lot, and those that left in the last 24 hours, by bay then arrival.
    pub trucks: Vec<Truck>,
    /// Sent by a lane, not yet at the gate.
    pub sent: Vec<SentTruck>,
    /// The drivers' open requests, oldest first.
    pub requests: Vec<BayRequest>,
    /// Average minutes in the lot of the trucks that left in the last 24 hours.
    pub average_stay_minutes: Option<i64>,
    pub now: DateTime<FixedOffset>,
    /// Moves with every change to the lot: ask again with it (`known`) to wait for the next.
    pub clock: i64,
}

impl LotBoard {
    pub fn assemble(
        lot: Lot,
        trucks: Vec<Truck>,
        sent: Vec<SentTruck>,
        requests: Vec<BayRequest>,
        now_ms: i64,
        clock: i64,
    ) -> LotBoard {
        let present = trucks.iter().filter(|t| !t.state.is_final()).count() as i64;
        let counts = TruckState::ALL
            .iter()
            .map(|s| StateCount {
                state: *s,
                count: trucks.iter().filter(|t| t.state == *s).count() as i64,
            })
            .collect();
        let here = || trucks.iter().filter(|t| !t.state.is_final());
        let ms = |t: &DateTime<FixedOffset>| t.timestamp_millis();
        let mut warnings = Vec::new();
        let mut warn = |code: &str, count: i64| {
            if count > 0 {
                warnings.push(LotWarning {
                    code: code.into(),
                    count,
                })
            }
        };
        warn("over_capacity", present - i64::from(lot.bays));
        warn(
            "waiting_for_bay",
            here().filter(|t| t.bay.is_none()).count() as i64,
        );
        warn(
            "reading_late",
            here()
                .filter(|t| {
                    t.antigen_due
                        .is_some_and(|d| ms(&d) + READING_LATE_MS < now_ms)
                })
                .count() as i64,
        );
        warn(
            "long_stay",
            here()
                .filter(|t| ms(&t.arrived_at) + LONG_STAY_MS < now_ms)
                .count() as i64,
        );
        warn(
            "request_late",
            requests
                .iter()
                .filter(|r| ms(&r.asked_at) + REQUEST_LATE_MS < now_ms)
                .count() as i64,
        );
        let stays: Vec<i64> = trucks
            .iter()
            .filter_map(|t| t.left_at.map(|l| (ms(&l) - ms(&t.arrived_at)) / 60_000))
            .collect();
        let average_stay_minutes =
            (!stays.is_empty()).then(|| stays.iter().sum::<i64>() / stays.len() as i64);
        LotBoard {
            lot: Lot { present, ..lot },
            counts,
            warnings,
            trucks,
            sent,
            requests,
            average_stay_minutes,
            now: from_ms(now_ms),
            clock,
        }
    }
}
