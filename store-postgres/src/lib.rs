//! PostgreSQL storage for Layso's central deployment (issue 15, being
//! built): SQL only, each query checked at compile time against a
//! PostgreSQL migrated with `migrations/postgres` (`scripts/sqlx-prepare`).
//! The queue's rules stay in the server (`rules/`); what is here reads and
//! writes rows for them, safely when several server processes share one
//! database.

pub mod calls;
pub mod devices;
pub mod events;
pub mod numbers;
pub mod offices;
pub mod reads;
pub mod scratch;
pub mod sessions;
pub mod setup;
pub mod tickets;
pub mod users;

/// The migrations in `migrations/postgres`, embedded.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");
