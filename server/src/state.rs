//! What every request handler shares.

use crate::auth::{Accounts, KioskLimit};
use crate::clock::Clock;
use crate::db::Db;
use crate::db::reads::TicketKey;
use crate::error::Result;
use crate::estimate::Estimator;
use crate::live::Hub;
use crate::metrics::Metrics;
use layso_protocol::TicketView;
use std::sync::Arc;

/// The server's shared state, cloned into every handler and middleware
/// of every request: one reference count to move, not a dozen (cloning
/// the fields one by one was 3% of the server's CPU under load).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
pub struct Shared {
    /// The database: read pool and writer.
    pub db: Db,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Wait estimates, with their small cache.
    pub estimator: Arc<Estimator>,
    /// Where live event streams subscribe.
    pub hub: Arc<Hub>,
    /// Who holds which token.
    pub accounts: Arc<Accounts>,
    /// How many sign-ins may be tried, from where.
    pub sign_ins: Arc<crate::throttle::SignIns>,
    /// How fast each kiosk may issue.
    pub kiosks: Arc<KioskLimit>,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// When each device was last heard from.
    pub presence: Arc<crate::presence::Presence>,
    /// The address citizens' phones open the server at, if configured.
    pub public_url: Option<Arc<str>>,
}

impl AppState {
    /// State over an open database, a clock, the live events' hub, the
    /// accounts' cache, the kiosks' limits, the metrics and the public
    /// address, if configured.
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        hub: Arc<Hub>,
        accounts: Arc<Accounts>,
        kiosks: Arc<KioskLimit>,
        metrics: Arc<Metrics>,
        public_url: Option<&str>,
    ) -> Self {
        Self(Arc::new(Shared {
            db,
            clock,
            estimator: Arc::default(),
            hub,
            accounts,
            sign_ins: Arc::default(),
            kiosks,
            metrics,
            presence: Arc::default(),
            public_url: public_url.map(Arc::from),
        }))
    }

    /// A ticket as clients see it, with its estimate if it waits.
    pub async fn ticket_view(&self, key: TicketKey<'_>) -> Result<TicketView> {
        let (mut view, inputs) = self.db.ticket(key).await?;
        self.estimator
            .annotate(&self.db, self.clock.now(), &mut view, inputs)
            .await?;
        Ok(view)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
