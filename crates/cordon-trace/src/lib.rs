//! The trace engine. [`TraceIndex`] holds every passage of the retention period in compact
//! arrays (interned persons and vehicles, posting lists sorted by time); [`trace`] walks it from a
//! case to every person who crossed its path, with the evidence that links them;
//! [`trajectory`] lists one person's or one vehicle's passages.
//!
//! The crate does no I/O: the server loads the index from the store (or from the bytes it
//! saved, [`TraceIndex::read_from`]) and keeps it current (`cordon_server::trace`), and decides
//! which checkpoints a caller may see.

mod hash;
mod index;
mod postings;
mod query;
mod trajectory;
mod withdrawn;

pub use index::{
    person_key, IndexRow, PersonKey, Sampled, TraceIndex, RECORDING_LAG_MS, SAVED_FORMAT,
};
pub use query::{
    trace, Contact, Cut, Evidence, EvidenceKind, Link, Subject, TraceAnswer, TraceQuery,
};
pub use trajectory::{sightings, trajectory};
