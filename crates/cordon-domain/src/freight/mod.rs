//! Freight: holding lots where trucks sent by a lane (or arriving directly) are checked in,
//! parked in a numbered bay, tested, and released, handed over or turned away step by step
//! ([`lot`], [`truck`]); the drivers' requests from the QR code at each bay ([`bay`]); and the
//! alerts raised for the command ([`alert`]); freight passes, one vehicle on one route, signed
//! and checked offline ([`pass`]), applied for by carriers ([`application`]), and followed along their routes ([`route`]); police escorts
//! from a checkpoint to a destination ([`escort`]).

pub mod alert;
pub mod application;
pub mod bay;
pub mod board;
pub mod escort;
pub mod lot;
pub mod pass;
pub mod route;
pub mod truck;
