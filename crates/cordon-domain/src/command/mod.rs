//! Command: what the command centre sends down the line and hears back. Directives
//! ([`directive`]): a commander's instruction to a set of checkpoints, each of which reads and
//! acknowledges it by a named officer before a deadline.

pub mod directive;
pub mod relay;
