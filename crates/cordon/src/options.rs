//! Options shared by the commands: where the data lives, and how to log.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use cordon_store::{Store, StoreOptions};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Logs go to standard error; `RUST_LOG` (or `CORDON_LOG`) filters them (default `info`).
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("CORDON_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Directory for the embedded database (created on first start).
    #[arg(long, env = "CORDON_DATA", default_value = "data")]
    pub data: PathBuf,
    /// Database URL: `postgres://user@host/db` for PostgreSQL. Default: SQLite under --data.
    #[arg(long, env = "CORDON_DATABASE")]
    pub database: Option<String>,
    /// The hub's secret key file (created on first start; keep a copy apart from the database).
    /// Default: cordon.key under --data. `CORDON_KEY` (64 hex digits) takes precedence.
    #[arg(long, env = "CORDON_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Most database connections (PostgreSQL) or readers (SQLite).
    #[arg(long, env = "CORDON_DB_CONNECTIONS", default_value_t = 8)]
    pub db_connections: u32,
}

impl StoreArgs {
    /// The database URL these options name.
    pub fn url(&self) -> anyhow::Result<String> {
        match &self.database {
            Some(url) => Ok(url.clone()),
            None => {
                std::fs::create_dir_all(&self.data)?;
                Ok(format!(
                    "sqlite://{}",
                    self.data.join("cordon.db").display()
                ))
            }
        }
    }

    /// The keyring: from `CORDON_KEY`, else the key file (created if absent).
    pub fn keyring(&self) -> anyhow::Result<cordon_store::keyring::Keyring> {
        let file = self
            .key_file
            .clone()
            .unwrap_or_else(|| self.data.join("cordon.key"));
        let env = std::env::var("CORDON_KEY").ok();
        Ok(cordon_store::keyring::Keyring::load_or_create(
            env.as_deref(),
            &file,
        )?)
    }

    pub async fn open(&self) -> anyhow::Result<std::sync::Arc<dyn Store>> {
        let url = self.url()?;
        let options = StoreOptions {
            max_connections: self.db_connections,
        };
        let store = cordon_store::open(&url, &options, self.keyring()?).await?;
        tracing::info!(backend = store.backend(), "store open");
        Ok(store)
    }
}
