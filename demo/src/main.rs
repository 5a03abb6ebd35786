//! `layso-demo`: a whole demo hall on one machine. The server runs in this
//! process; a kiosk window (printing to the preview unless `kiosk.toml`
//! names a printer) and a hall display window each run in a process of
//! their own, this binary again with a hidden part name. Ctrl-C or SIGTERM
//! stops all three. Without a graphical session the server runs alone and
//! says how to start the kiosk and the display elsewhere.

use anyhow::Context;
use clap::{Parser, Subcommand};
use layso_device::window::Placement;
use layso_server::config::{Config, Flags};
use layso_server::credentials::DemoSecrets;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Layso's demo hall: the server, a kiosk window and a display window.
/// The server reads `layso.toml`, the kiosk `kiosk.toml` and the display
/// `display.toml` when they exist, as the programs of their own do.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// The server's flags, as `layso-server` takes them.
    #[command(flatten)]
    server: Flags,
    /// The server alone, without the kiosk's and the display's windows.
    #[arg(long)]
    no_windows: bool,
    #[command(subcommand)]
    part: Option<Part>,
}

/// One device of the hall, run by the hall itself in a process of its own.
#[derive(Debug, Subcommand)]
enum Part {
    #[command(hide = true)]
    Kiosk(Reach),
    #[command(hide = true)]
    Display(Reach),
}

/// How a part reaches the hall's server: the device's own settings over
/// its config file.
#[derive(Debug, clap::Args, Serialize)]
struct Reach {
    server: String,
    credentials: PathBuf,
}

/// The windows side by side, within a 1366×768 screen.
const KIOSK_AT: Placement = Placement {
    size: Some((520.0, 740.0)),
    at: Some((0.0, 0.0)),
};
const DISPLAY_AT: Placement = Placement {
    size: Some((800.0, 450.0)),
    at: Some((540.0, 0.0)),
};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let Some(part) = cli.part else {
        return hall(&cli);
    };
    stop_with_the_hall();
    layso_device::log::to_stderr();
    match part {
        Part::Kiosk(reach) => {
            let config = layso_kiosk::config::Config::load(Path::new("kiosk.toml"), &reach)?;
            let setup = config.printer_setup()?;
            layso_kiosk::run::window(&config, setup, KIOSK_AT)
        }
        Part::Display(reach) => {
            let config = layso_display::config::Config::load(Path::new("display.toml"), &reach)?;
            layso_display::run::board(&config, false, DISPLAY_AT)
        }
    }
}

/// A part ends when the hall does, however the hall ends.
fn stop_with_the_hall() {
    // SAFETY: prctl sets a flag of this process only.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
    }
}

/// The server here, the windows in their processes, until a signal.
#[tokio::main]
async fn hall(cli: &Cli) -> anyhow::Result<()> {
    let config = Config::load(&cli.server.config, &cli.server)?;
    // Before the server says it listens (see `shutdown_signal`).
    let signal = layso_server::process::shutdown_signal();
    let (state, listener) = layso_server::process::open(&config).await?;
    let addr = listener.local_addr()?;
    // The devices on this machine reach a server listening everywhere on
    // loopback.
    let mut local = addr;
    if local.ip().is_unspecified() {
        local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let server = format!("http://{local}");
    let credentials = DemoSecrets::path_for(&config.database);
    let graphical = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
    let (stopping, stop_asked) = tokio::sync::watch::channel(false);
    let mut parts = Vec::new();
    if cli.no_windows || !graphical {
        let why = if cli.no_windows {
            "--no-windows"
        } else {
            "no graphical session here (DISPLAY is not set)"
        };
        println!(
            "The server runs alone: {why}. On a machine with a screen, start a kiosk and a display \
             with this server's address (listen on the network with --listen 0.0.0.0:8080) and the \
             tokens of the devices kiosk and display from {}:\n  \
             layso-kiosk --server http://THIS-MACHINE:8080   (token = \"…\" in kiosk.toml)\n  \
             layso-display --server http://THIS-MACHINE:8080   (token = \"…\" in display.toml)",
            credentials.display()
        );
    } else {
        for part in ["kiosk", "display"] {
            let child = spawn(part, &server, &credentials)?;
            parts.push(tokio::spawn(watch(part, child, stop_asked.clone())));
        }
        println!(
            "Kiosk and display windows started. Counter console and admin: {server}/ (users and \
             passwords in {}).",
            credentials.display()
        );
    }
    std::io::stdout().flush()?;
    // On a signal the windows close first, while the server still answers
    // them, then the server stops.
    let stop = async move {
        signal.await;
        let _ = stopping.send(true);
        for part in parts {
            let _ = part.await;
        }
    };
    layso_server::serve(listener, state, stop).await?;
    tracing::info!("stopped");
    Ok(())
}

/// A part until the hall stops (then asked to stop, SIGTERM, and made
/// to after 5 s), or until it ends by itself (a window closed): the
/// server goes on.
async fn watch(
    name: &'static str,
    mut child: tokio::process::Child,
    mut stop_asked: tokio::sync::watch::Receiver<bool>,
) {
    tokio::select! {
        status = child.wait() => {
            tracing::warn!(?status, "the {name} stopped; the server goes on");
        }
        _ = async { stop_asked.wait_for(|stop| *stop).await.is_ok() } => {
            if let Some(pid) = child.id() {
                // SAFETY: a signal to our own child, not yet reaped.
                unsafe {
                    libc::kill(pid as libc::pid_t, libc::SIGTERM);
                }
            }
            if tokio::time::timeout(Duration::from_secs(5), child.wait()).await.is_err() {
                tracing::warn!("the {name} did not stop in 5 s: killed");
                let _ = child.kill().await;
            }
        }
    }
}

/// This binary again, as one part of the hall.
fn spawn(part: &str, server: &str, credentials: &Path) -> anyhow::Result<tokio::process::Child> {
    let exe = std::env::current_exe().context("this program's path")?;
    let child = tokio::process::Command::new(exe)
        .args([part, server])
        .arg(credentials)
        .spawn()
        .with_context(|| format!("starting the {part}"))?;
    Ok(child)
}
