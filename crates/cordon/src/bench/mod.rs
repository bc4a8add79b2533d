//! `cordon bench`: measurements that print their figures and the ratio to a baseline measured
//! in the same run.

mod http1;
mod ingest;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Registration throughput and latency: single over HTTP, batches over HTTP, and a raw
    /// prepared-statement insert of the same rows as the baseline; on SQLite and PostgreSQL.
    Ingest(ingest::IngestArgs),
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Ingest(args) => ingest::run(args).await,
    }
}
