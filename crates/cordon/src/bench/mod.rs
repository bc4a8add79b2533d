//! `cordon bench`: measurements that print their figures and the ratio to a baseline measured
//! in the same run.

mod audit;
mod command;
mod edge;
mod followup;
mod freight;
mod http1;
mod ingest;
mod lane;
mod lanes_meanwhile;
mod overload;
mod pages;
mod pass_check;
mod policy;
mod routes;
mod scale;
mod testing;
mod trace;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Registration throughput and latency: single over HTTP, batches over HTTP, and a raw
    /// prepared-statement insert of the same rows as the baseline; on SQLite and PostgreSQL.
    Ingest(ingest::IngestArgs),
    /// An edge station's backlog pushed to the hub (against the hub writing it directly), and
    /// how long a registration takes to reach the hub with the link up.
    Edge(edge::EdgeArgs),
    /// The lane page loaded cold (time and bytes) and registrations from one lane and from
    /// many, against the lane-page issue's targets.
    Lane(lane::LaneArgs),
    /// Policy evaluation per core against hand-written rules, and a dry-run over stored
    /// passages against a plain scan of them.
    Policy(policy::PolicyArgs),
    /// Audited reads of passages per second against unaudited reads on the same server.
    Audit(audit::AuditArgs),
    /// The lanes' registrations and `/healthz` alone, then while many clients read the province
    /// dashboard: whether the lanes keep their pace (the hub sheds the readers first).
    Overload(overload::OverloadArgs),
    /// Every page of the navigation bar loaded cold as its users load it: bytes transferred
    /// (compressed) and time, against 100 KiB and 300 ms.
    Pages(pages::PagesArgs),
    /// Follow-up at a province's size: a list's import with identity resolution against a plain
    /// insert, then worklists, boards and attempts over HTTP with 300,000 persons.
    Followup(followup::FollowupArgs),
    /// Mass testing and the lab: persons bound to tubes from many samplers at once, a result
    /// file imported, a day's runs released, a recall, a million-person roster's gaps.
    Testing(testing::TestingArgs),
    /// Directives to every open checkpoint of the province: how soon each lane sees one (a long
    /// poll, against a plain poll every 3 s), the acknowledgements, and one directive's board.
    Command(command::CommandArgs),
    /// A holding lot of 1,200 bays: trucks the lanes send checked in and parked (against the
    /// lane's registration), the board read whole, and how soon a step shows on boards that
    /// wait on the lot's clock (against boards read every 5 s).
    Freight(freight::FreightArgs),
    /// A province's store at its size: bytes per passage by table and index, the trace index's
    /// cold load, the province's and a city's dashboard, the purge of a day (issue 27's
    /// baseline).
    Scale(scale::ScaleArgs),
    /// Case traces on the in-memory index against the same questions in SQLite and
    /// PostgreSQL: latency, ratios, the index's build time and bytes per person-passage.
    Trace(trace::TraceArgs),
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Ingest(args) => ingest::run(args).await,
        BenchCommand::Edge(args) => edge::run(args).await,
        BenchCommand::Lane(args) => lane::run(args).await,
        BenchCommand::Policy(args) => policy::run(args).await,
        BenchCommand::Audit(args) => audit::run(args).await,
        BenchCommand::Trace(args) => trace::run(args).await,
        BenchCommand::Overload(args) => overload::run(args).await,
        BenchCommand::Pages(args) => pages::run(args).await,
        BenchCommand::Followup(args) => followup::run(args).await,
        BenchCommand::Testing(args) => testing::run(args).await,
        BenchCommand::Command(args) => command::run(args).await,
        BenchCommand::Scale(args) => scale::run(args).await,
        BenchCommand::Freight(args) => freight::run(args).await,
    }
}
