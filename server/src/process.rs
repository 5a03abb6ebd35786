//! What a process that runs the server sets up: the allocator's habits,
//! its log, its listening socket, and the signals that stop it. For
//! `layso-server` and the demo hall; and the subcommands that run once
//! instead of serving.

use crate::auth;
use crate::clock::SystemClock;
use crate::config::{Command, Config};
use crate::db::Db;
use crate::db::users::{self, NewUser};
use crate::state::AppState;
use anyhow::Context;
use layso_protocol::Role;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use tokio::net::TcpListener;

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

/// The log to standard error at `config.log`'s level, the server
/// started on its database and listening: ready for [`crate::serve`]. Says
/// where it listens in one plain line on standard output, for people and
/// for tests that start on port 0.
pub async fn open(config: &Config) -> anyhow::Result<(AppState, TcpListener)> {
    return_large_blocks_to_the_system();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).context("log filter")?)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let state = crate::start(config, Arc::new(SystemClock)).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    println!("Layso server listening on http://{addr}");
    std::io::stdout().flush()?;
    // A PostgreSQL URL may hold a password: logs show it masked.
    let database = config.database.display().to_string();
    let database = match crate::db::postgres::is_url(&database) {
        true => crate::db::postgres::masked(&database),
        false => database,
    };
    let engine = state.db.engine();
    tracing::info!(%addr, %database, engine, "serving");
    Ok((state, listener))
}

/// Completes on ctrl-c (SIGINT) or SIGTERM. The handlers are in place when
/// this returns, not when the future is first polled: call it before the
/// server says it listens, or a SIGTERM sent right then kills the process
/// with nothing closed.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |kind: SignalKind, name: &'static str| {
        let stream = signal(kind);
        async move {
            match stream {
                Ok(mut stream) => {
                    stream.recv().await;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot listen for {name}");
                    std::future::pending::<()>().await;
                }
            }
        }
    };
    let (interrupt, terminate) = (
        listen(SignalKind::interrupt(), "ctrl-c"),
        listen(SignalKind::terminate(), "SIGTERM"),
    );
    async move {
        tokio::select! {
            () = interrupt => {},
            () = terminate => {},
        }
    }
}

/// Does what a subcommand says, on the configured database, and exits.
pub async fn run_command(config: &Config, command: &Command) -> anyhow::Result<()> {
    match command {
        Command::ProvinceAdmin {
            username,
            full_name,
            office,
        } => {
            let db = Db::open(&config.database, Arc::new(SystemClock)).await?;
            let offices = db.offices().await?;
            let home = match office {
                Some(code) => offices.iter().find(|o| &o.code == code),
                None => offices.first(),
            }
            .with_context(|| match office {
                Some(code) => format!("no office has the code {code:?}"),
                None => "the database has no office yet: start the server once first".into(),
            })?;
            if !users::is_username(username) {
                anyhow::bail!("a user name is 2-32 of a-z 0-9 . _ -");
            }
            let full_name = layso_protocol::text::clean(full_name, 100, true)
                .map_err(|e| anyhow::anyhow!("the full name {e}"))?;
            let password = auth::new_password()?;
            let hash = auth::hash_password(password.clone()).await?;
            db.create_user(NewUser {
                office: home.id,
                username: username.clone(),
                full_name,
                role: Role::ProvinceAdmin,
                password_hash: hash,
            })
            .await?;
            db.close().await;
            println!(
                "province admin {username} created at office {} ({}); password (shown once): {password}",
                home.code, home.name
            );
            Ok(())
        }
    }
}
