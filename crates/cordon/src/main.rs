//! `cordon`: the one binary. `serve` runs the hub (or, later, an edge station); `demo` fills a
//! store with a realistic province; `bench` measures. Every option can also be set through a
//! `CORDON_*` environment variable; `cordon help COMMAND` lists them.

mod accounts;
mod allocator;
mod bench;
mod demo;
mod options;
mod sampling_station;
mod serve;
mod station;
mod station_directives;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cordon",
    version,
    about = "Cordon: the operations platform for an epidemic-control checkpoint network"
)]
struct Cli {
    /// Log format: `human` or `json`.
    #[arg(
        long,
        env = "CORDON_LOG_FORMAT",
        default_value = "human",
        global = true
    )]
    log_format: options::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub: the HTTP API on --listen, metrics on --metrics-listen.
    Serve(serve::ServeArgs),
    /// Fill the store with a demo province (Hebei-like network and days of passages), then exit.
    Demo(demo::DemoArgs),
    /// Administration from the console: accounts.
    #[command(subcommand)]
    Admin(accounts::AdminCommand),
    /// The audit trail: `cordon audit verify`.
    Audit(accounts::AuditArgs),
    /// Benchmarks; each prints its figures and the ratio to its baseline.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    options::init_logging(cli.log_format);
    allocator::keep_freed_memory();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Admin(cmd) => accounts::admin(cmd).await,
            Command::Audit(args) => accounts::audit_command(args).await,
            Command::Bench(cmd) => bench::run(cmd).await,
        }
    })
}
