//! `layso-server`: reads configuration and runs the server until ctrl-c or
//! SIGTERM.

use clap::Parser;
use layso_server::config::Config;
use layso_server::config::Flags;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let flags = Flags::parse();
    let config = Config::load(&flags.config, &flags)?;
    if let Some(command) = &flags.command {
        return layso_server::process::run_command(&config, command).await;
    }
    // Before the server says it listens (see `shutdown_signal`).
    let stop = layso_server::process::shutdown_signal();
    let (state, listener) = layso_server::process::open(&config).await?;
    layso_server::serve(listener, state, stop).await?;
    tracing::info!("stopped");
    Ok(())
}
