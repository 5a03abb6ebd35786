//! Scratch databases on a PostgreSQL server, for tests: each made fresh
//! with a name of its own and dropped when it goes out of scope. The
//! server and a role that may create databases come from
//! `LAYSO_TEST_POSTGRES` (scripts/test sets it through scripts/postgres).

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

/// A database of its own, dropped on drop.
pub struct ScratchDatabase {
    admin: PgConnectOptions,
    name: String,
    /// How to connect to it.
    pub options: PgConnectOptions,
    /// Its address, as a server's configuration names it.
    pub url: String,
}

impl ScratchDatabase {
    /// Creates an empty database. Panics with what to do when
    /// `LAYSO_TEST_POSTGRES` is unset or its server does not answer.
    pub async fn create() -> Self {
        static MADE: AtomicU32 = AtomicU32::new(0);
        let url = std::env::var("LAYSO_TEST_POSTGRES").expect(
            "LAYSO_TEST_POSTGRES is not set: run the tests with scripts/test, \
             which starts PostgreSQL and sets it",
        );
        let admin = PgConnectOptions::from_str(&url)
            .expect("LAYSO_TEST_POSTGRES is a postgres:// URL")
            .disable_statement_logging();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "layso_test_{}_{}_{nanos}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect_with(&admin)
            .await
            .expect("the test PostgreSQL answers (scripts/test starts it)");
        // The name is ours: letters, digits and underscores.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create a scratch database");
        // Tests wait for no disk: a commit need not reach it before its
        // answer (a server killed mid-test loses nothing by this; only a
        // crash of PostgreSQL itself would).
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {name} SET synchronous_commit TO off"
        )))
        .execute(&mut conn)
        .await
        .expect("a scratch database commits without waiting for the disk");
        let options = admin.clone().database(&name);
        let server = url.split('?').next().unwrap_or(&url);
        let url = format!(
            "{}/{name}",
            &server[..server.rfind('/').unwrap_or(server.len())]
        );
        Self {
            admin,
            name,
            options,
            url,
        }
    }

    /// A pool of at most `connections` to it.
    pub async fn pool(&self, connections: u32) -> PgPool {
        PgPoolOptions::new()
            .max_connections(connections)
            .connect_with(self.options.clone())
            .await
            .expect("connect to the scratch database")
    }

    /// A pool of 16 to it, after applying `migrations/postgres`.
    pub async fn migrated(&self) -> PgPool {
        let pool = self.pool(16).await;
        crate::MIGRATOR
            .run(&pool)
            .await
            .expect("the PostgreSQL migrations apply to an empty database");
        pool
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime: drop the database from a
        // thread of its own, with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the database")
                .block_on(async {
                    let mut conn = PgConnection::connect_with(&admin).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await
                    .map(drop)
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the scratch database {}", self.name);
        }
    }
}
