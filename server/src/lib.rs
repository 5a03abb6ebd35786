//! Layso's queue server: it owns the office's state in SQLite, numbers
//! tickets, assigns them to counters and serves the HTTP API.
//!
//! `main.rs` only reads configuration and calls [`start`] and [`serve`];
//! tests call the same functions with a bound port-0 listener.

pub mod auth;
pub mod calendar;
pub mod caller;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod db;
pub mod error;
pub mod estimate;
pub mod http;
pub mod live;
pub mod metrics;
pub mod pages;
pub mod presence;
pub mod process;
pub mod rules;
pub mod state;
pub mod throttle;

use axum::serve::ListenerExt;
use clock::Clock;
use config::Config;
use db::Db;
use state::AppState;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How often the server checks whether an office's day has ended.
const DAY_CLOSE_EVERY: Duration = Duration::from_secs(30);

/// Opens (creating and migrating) the database, seeds the demo office if
/// it is empty and asked for, and returns the state to serve.
pub async fn start(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let db = Db::open(&config.database, clock.clone()).await?;
    if config.demo && db.is_empty().await? {
        let (secrets, keys) = credentials::DemoSecrets::generate(&config.initial_passwords).await?;
        let (zone, hours, now) = (config.time_zone.clone(), config.demo_hours, clock.now());
        let seeded = db.seed_demo(now, zone, hours, keys).await?;
        if seeded {
            tracing::info!("created the demo office");
            let file = secrets.write_beside(&config.database, config.listen)?;
            secrets.log(&file);
        }
    }
    let hub = Arc::new(live::Hub::new(
        Duration::from_millis(config.heartbeat_ms.max(100)),
        config.event_buffer,
        config.max_replay,
    ));
    let metrics = Arc::new(metrics::Metrics::default());
    tokio::spawn(live::pump(
        hub.clone(),
        db.clone(),
        clock.clone(),
        db.committed(),
    ));
    let accounts = Arc::new(auth::Accounts::new(
        Duration::from_secs(u64::from(config.session_hours.max(1)) * 3600),
        hub.clone(),
    ));
    if let Some(mut forgotten) = db.forgotten() {
        // Tokens other processes ended stop working here too.
        let accounts = accounts.clone();
        tokio::spawn(async move {
            loop {
                match forgotten.recv().await {
                    Ok(hashes) => accounts.forget(&hashes),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                        // Which ones is lost: forget every token, each is
                        // checked again at its next use.
                        tracing::warn!(missed, "fell behind the tokens ended elsewhere");
                        accounts.forget_all();
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }
    let kiosks = Arc::new(auth::KioskLimit::new(
        config.kiosk_burst,
        Duration::from_secs(u64::from(config.kiosk_refill_secs)),
    ));
    Ok(AppState::new(
        db,
        clock,
        hub,
        accounts,
        kiosks,
        metrics,
        config.public_url.as_deref(),
    ))
}

/// Serves the API on `listener` until `shutdown` completes, then lets
/// requests in flight finish and waits for the writer to commit.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closer = tokio::spawn(close_days_forever(state.clone()));
    let (db, hub) = (state.db.clone(), state.hub.clone());
    // Open event streams would keep the graceful shutdown waiting forever:
    // they are told to close first.
    let shutdown = async move {
        shutdown.await;
        hub.close_all();
    };
    // Without TCP_NODELAY a stream's second small frame waits for the
    // client to acknowledge the first, and clients that only listen delay
    // their acknowledgements: tens of milliseconds on a call's way to the
    // hall's screens.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
    });
    let result = axum::serve(
        listener,
        http::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    closer.abort();
    db.close().await;
    result
}

/// Expires what is left of past days, now and every [`DAY_CLOSE_EVERY`].
async fn close_days_forever(state: AppState) {
    let mut tick = tokio::time::interval(DAY_CLOSE_EVERY);
    loop {
        tick.tick().await;
        let result = state.db.close_days(None).await;
        match result {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "closed the day"),
            Err(error) => tracing::warn!(%error, "closing the day failed; will retry"),
        }
    }
}
