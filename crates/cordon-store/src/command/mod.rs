//! Command's storage, one trait per capability beside the SQL that implements it for both
//! backends: directives with every recipient's progress ([`DirectiveStore`], `directives.rs`,
//! SQL in `directives_sql.rs` and `lane_sql.rs`), their way through stations
//! ([`DirectiveRelayStore`]), reports up the line ([`ReportStore`]), duty rosters
//! ([`RosterStore`]), the daily report ([`DailyStore`]) and video patrols ([`PatrolStore`]). A
//! directive's recipients are fixed when it is issued; a revision counts as delivered, read or
//! acknowledged at a checkpoint when that recipient's step names the current revision. Every
//! change moves one clock ([`DirectiveStore::directive_clock`]), which the lanes' polls compare
//! against.

mod daily;
mod daily_sql;
mod directives;
mod directives_sql;
mod lane_sql;
mod patrol_sql;
mod patrols;
mod relay;
mod relay_sql;
mod reports;
mod reports_sql;
mod roster_sql;
pub(crate) use roster_sql::{shift_on_duty, shift_ref};
mod rosters;
mod rows;
mod targets;

pub use daily::{CheckpointDay, DailyStore};
pub use daily_sql::day_start_ms;
pub use directives::{DirectiveQuery, DirectiveStore, Overdue};
pub use patrols::PatrolStore;
pub use relay::DirectiveRelayStore;
pub use reports::{ReportQuery, ReportStore, StationReport};
pub use rosters::RosterStore;
