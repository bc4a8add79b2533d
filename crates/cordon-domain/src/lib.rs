//! Cordon's domain: the values that cross its boundary, parsed once into types that are valid by
//! construction, and the records built from them. No async, no I/O, no database, no HTTP.
//!
//! - [`identity`]: identity documents (GB 11643-1999 resident identity numbers, residence permits,
//!   passports and travel permits), [`person`]: the personal data of an occupant, masked by default.
//! - [`plate`]: licence plates (GA 36-2018) and plate colours.
//! - [`contact`]: mainland mobile numbers; [`division`]: administrative division codes.
//! - [`access`]: roles, scopes and the grants the store asks for.
//! - [`audit`]: audit-trail entries and their hash chain.
//! - [`checkpoint`]: jurisdictions, checkpoints, lanes, defence lines, status changes.
//! - [`passage`]: a vehicle (or pedestrian) and its occupants at a lane, and the decision taken.
//! - [`policy`]: checkpoint policies (TOML), checked, evaluated and explained; [`risk`]: the
//!   risk-area register.
//! - [`status`]: person statuses (a case, a close contact) and their two-account changes.
//! - [`declaration`]: drivers' pre-declarations, signed; [`station`]: an edge station's series.
//! - [`followup`]: lists of key persons to call, their rows checked and matched to one subject.
//! - [`error`]: the one error shape every rejected field is reported in.

pub mod access;
pub mod audit;
pub mod checkpoint;
pub mod command;
pub mod contact;
pub mod declaration;
pub mod division;
pub mod error;
pub mod followup;
pub mod freight;
pub mod identity;
pub mod mask;
pub mod passage;
pub mod person;
pub mod places;
pub mod plate;
pub mod policy;
pub mod registration;
pub mod risk;
pub mod schema;
pub mod station;
pub mod status;
pub mod testing;
pub mod time;
pub mod varint;

pub use error::{FieldError, Gathered};

#[cfg(test)]
mod examples_in_docs;
