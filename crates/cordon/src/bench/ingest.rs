pub async fn run(_a: IngestArgs) -> anyhow::Result<()> {
    Ok(())
}
#[derive(Debug, clap::Args)]
pub struct IngestArgs {}
