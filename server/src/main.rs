//! `layso-server`: reads configuration and runs the server until ctrl-c or
//! SIGTERM.

use anyhow::Context;
use clap::Parser;
use layso_server::clock::SystemClock;
use layso_server::config::Config;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Layso queue server. Flags win over `LAYSO_SERVER_*` environment variables,
/// which win over the config file.
#[derive(Debug, Parser, Serialize)]
#[command(version)]
struct Cli {
    /// TOML config file (used if it exists).
    #[arg(long, default_value = "layso.toml")]
    #[serde(skip)]
    config: PathBuf,
    /// Address to listen on, e.g. 0.0.0.0:8080 (port 0 picks a free one).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<SocketAddr>,
    /// The address citizens' phones open the server at, for the tracking
    /// link in each ticket's QR code, e.g. http://192.168.1.10:8080.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    public_url: Option<String>,
    /// SQLite file, created on first start.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<PathBuf>,
    /// Time zone of the demo office (IANA name).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
    let config = Config::load(&cli.config, &cli)?;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&config.log).context("log filter")?)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let state = layso_server::start(&config, Arc::new(SystemClock)).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    // One plain line on stdout, for people and for tests that start port 0.
    println!("Layso server listening on http://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, database = %config.database.display(), "serving");
    layso_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Makes the allocator give every block of 1 MiB or more back to the system
/// when it is freed. By default glibc raises that threshold after the first
/// such free and keeps later ones in per-thread arenas: every password
/// check (Argon2 fills 19 MiB) then left its memory resident, and a server
/// that had signed a few people in held over 100 MiB.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, which locks
    // its own state; it touches no memory of ours.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Completes on ctrl-c or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
