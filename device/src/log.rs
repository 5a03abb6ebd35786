//! The devices' log: to standard error, at `RUST_LOG`'s level (`info`
//! by default), coloured only for a terminal, so a log file or journal
//! reads as plain text.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Sends this process's log to standard error; once, at start.
pub fn to_stderr() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
