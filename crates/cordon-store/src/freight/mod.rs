//! Freight's storage: holding lots, their trucks and steps, the drivers' requests and the
//! freight alerts ([`LotStore`], `lots.rs`; SQL for both backends in `lot_sql.rs`,
//! `truck_sql.rs` and `bay_sql.rs`). A truck's driver and hand-over are sealed against the
//! truck's id; what the board shows of them is kept masked beside.

mod bay_sql;
mod lot_sql;
mod lots;
mod truck_sql;

pub use lots::{LotPublic, LotStore};
