//! Freight's storage: holding lots, their trucks and steps, the drivers' requests and the
//! freight alerts ([`LotStore`], `lots.rs`; SQL for both backends in `lot_sql.rs`,
//! `truck_sql.rs` and `bay_sql.rs`); freight passes and their revocations ([`PassStore`],
//! `passes.rs`, SQL in `pass_sql.rs`); carriers' applications for passes
//! ([`PassApplicationStore`], `applications.rs`, SQL in `application_sql.rs`); escorts and their steps ([`EscortStore`], `escorts.rs`,
//! SQL in `escort_sql.rs`). A truck's driver and hand-over, and a pass's drivers, are
//! sealed (against the truck's id, the pass's number); what the pages show is kept masked beside.

mod application_sql;
mod applications;
mod bay_sql;
mod escort_sql;
mod escorts;
mod lot_sql;
mod lots;
mod pass_sql;
mod passes;
mod rows;
mod truck_sql;

pub use applications::PassApplicationStore;
pub use escorts::EscortStore;
pub use lots::{LotPublic, LotStore};
pub use passes::{PassQuery, PassRevocation, PassStore, RouteAlert};
