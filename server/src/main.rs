//! `layso-server`: reads configuration and runs the server until ctrl-c or
//! SIGTERM.

use clap::Parser;
use layso_server::config::Config;
use layso_server::config::Flags;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let flags = Flags::parse();
    let config = Config::load(&flags.config, &flags)?;
    let (state, listener) = layso_server::process::open(&config).await?;
    layso_server::serve(listener, state, layso_server::process::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
