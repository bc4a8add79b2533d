//! Command: what the command centre sends down the line and hears back. Directives
//! ([`directive`]): a commander's instruction to a set of checkpoints, each of which reads and
//! acknowledges it by a named officer before a deadline; reports ([`report`]): what a station
//! tells the command, answered back to its lane; duty rosters ([`roster`]): who holds each
//! checkpoint when, and what one shift hands to the next; the daily report ([`daily`]); video
//! patrols ([`patrol`]).

pub mod daily;
pub mod directive;
pub mod patrol;
pub mod relay;
pub mod report;
pub mod roster;
