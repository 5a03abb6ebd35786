//! The PostgreSQL schema against a real server: the same tables and columns
//! as SQLite's after the same migrations, and an event log that keeps its
//! meaning when many connections (as many processes would) write at once.
//!
//! The README's test command starts PostgreSQL and sets LAYSO_TEST_POSTGRES
//! to a role that may create databases; each test makes its own and drops it.

use layso_store_postgres::scratch::ScratchDatabase;
use sqlx::postgres::PgPool;
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// A column as both engines can describe it.
#[derive(Debug, PartialEq, Eq, Clone, PartialOrd, Ord)]
struct Column {
    name: String,
    /// "integer", "text" or "bytes": SQLite's storage classes, to which
    /// PostgreSQL's bigint and boolean both map.
    class: &'static str,
    not_null: bool,
}

type Schema = BTreeMap<String, Vec<Column>>;

fn sqlite_class(declared: &str) -> &'static str {
    match declared {
        "INTEGER" => "integer",
        "TEXT" => "text",
        "BLOB" => "bytes",
        other => panic!("a SQLite column of type {other:?}: add it to the mapping"),
    }
}

fn postgres_class(declared: &str) -> &'static str {
    match declared {
        "bigint" | "boolean" => "integer",
        "text" => "text",
        "bytea" => "bytes",
        other => panic!("a PostgreSQL column of type {other:?}: add it to the mapping"),
    }
}

async fn sqlite_schema() -> (Schema, BTreeSet<String>) {
    let dir = tempfile::tempdir().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("schema.db"))
        .create_if_missing(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    layso_server::db::MIGRATOR.run(&mut conn).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for table in tables {
        let rows = sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(&table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let is_view = table.ends_with("_views");
        let mut columns: Vec<Column> = rows
            .iter()
            .map(|row| Column {
                name: row.get(0),
                // A view's columns carry no declared type in SQLite.
                class: if is_view {
                    "any"
                } else {
                    sqlite_class(row.get::<&str, _>(1))
                },
                // SQLite's INTEGER PRIMARY KEY is the rowid: never NULL.
                not_null: !is_view && (row.get::<i64, _>(2) == 1 || row.get::<i64, _>(3) > 0),
            })
            .collect();
        columns.sort();
        schema.insert(table, columns);
    }
    let others = sqlx::query_scalar(
        "SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger')
         AND name NOT LIKE 'sqlite_autoindex_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    (schema, others.into_iter().collect())
}

async fn postgres_schema(pool: &PgPool) -> (Schema, BTreeSet<String>) {
    let rows = sqlx::query(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text,
                c.is_nullable = 'NO', t.table_type = 'VIEW'
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = 'public' AND c.table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for row in rows {
        let is_view: bool = row.get(4);
        schema.entry(row.get(0)).or_default().push(Column {
            name: row.get(1),
            class: if is_view {
                "any"
            } else {
                postgres_class(row.get::<&str, _>(2))
            },
            not_null: !is_view && row.get::<bool, _>(3),
        });
    }
    for columns in schema.values_mut() {
        columns.sort();
    }
    // Indexes that back a primary key or a UNIQUE constraint are SQLite's autoindexes.
    let others = sqlx::query_scalar(
        "SELECT 'index ' || indexname::text FROM pg_indexes i
         WHERE schemaname = 'public' AND NOT EXISTS (
             SELECT FROM pg_constraint k WHERE k.conname = i.indexname)
         UNION
         SELECT DISTINCT 'trigger ' || trigger_name::text FROM information_schema.triggers
         WHERE trigger_schema = 'public'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (schema, others.into_iter().collect())
}

// Both engines' migrations give the same tables, columns, nullability,
// indexes and triggers; PostgreSQL adds only its per-office event counter.
#[tokio::test]
async fn postgres_schema_matches_sqlite() {
    let scratch = ScratchDatabase::create().await;
    let pool = scratch.migrated().await;
    let (sqlite, sqlite_others) = sqlite_schema().await;
    let (mut postgres, postgres_others) = postgres_schema(&pool).await;

    let only_postgres = postgres.remove("event_seqs");
    assert!(
        only_postgres.is_some(),
        "event_seqs holds each office's last event number"
    );
    let names = |s: &Schema| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&postgres),
        names(&sqlite),
        "the same tables and views"
    );
    for (table, columns) in &sqlite {
        assert_eq!(&postgres[table], columns, "columns of {table}");
    }
    assert_eq!(
        postgres_others, sqlite_others,
        "the same indexes and triggers"
    );
    assert!(
        sqlite_others.len() > 15,
        "the comparison saw the indexes: {sqlite_others:?}"
    );
}

async fn seed_offices(pool: &PgPool) {
    for office in [1_i64, 2] {
        sqlx::query(
            "INSERT INTO offices (id, code, name, time_zone, created_at)
             VALUES ($1, 'office-' || $1, 'Bộ phận một cửa ' || $1, 'Asia/Ho_Chi_Minh', 0)",
        )
        .bind(office)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO services (id, office_id, code, name, first_number, last_number, hours)
             VALUES ($1, $1, 'HT', 'Hộ tịch', 1, 99999, '[]')",
        )
        .bind(office)
        .execute(pool)
        .await
        .unwrap();
    }
}

const WRITERS: i64 = 8;
const TICKETS_EACH: i64 = 60;

/// One writer's work: issue tickets to both offices, call every other one,
/// each in a transaction of its own, as a server process would.
async fn write(pool: PgPool, writer: i64) {
    for n in 0..TICKETS_EACH {
        let office = 1 + (n % 2);
        let number = writer * 1000 + n;
        let mut tx = pool.begin().await.unwrap();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tickets (office_id, issued_service_id, service_id, business_date,
                 number, display_number, is_priority, state, issued_at, queue_at,
                 public_token, changed_at, change_kind)
             VALUES ($1, $1, $1, '2026-12-04', $2, $2::text, $3, 'waiting', $4, $4,
                 'tok-' || $2, $4, 'issued')
             RETURNING id",
        )
        .bind(office)
        .bind(number)
        .bind(n % 5 == 0)
        .bind(1_800_000_000_000_i64 + n)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        if (n / 2) % 2 == 1 {
            sqlx::query(
                "UPDATE tickets SET state = 'called', changed_at = changed_at + 1,
                     change_kind = 'called' WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
}

// Eight connections writing at once: each office's events are numbered
// 1, 2, 3… without a gap or a repeat, a reader polling "after N" never
// sees a number before its predecessors have committed, and the waiting
// lines' counts agree with the tickets.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn event_numbers_stay_gapless_and_in_commit_order_across_connections() {
    let scratch = ScratchDatabase::create().await;
    let pool = scratch.migrated().await;
    seed_offices(&pool).await;

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (pool, done) = (pool.clone(), done.clone());
        tokio::spawn(async move {
            let mut last = 0_i64;
            let mut polls = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let seqs: Vec<i64> = sqlx::query_scalar(
                    "SELECT seq FROM events WHERE office_id = 1 AND seq > $1 ORDER BY seq",
                )
                .bind(last)
                .fetch_all(&pool)
                .await
                .unwrap();
                for seq in seqs {
                    assert_eq!(seq, last + 1, "a reader after {last} saw {seq} first");
                    last = seq;
                }
                polls += 1;
                if finished || polls > 100_000 {
                    return (last, polls);
                }
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| tokio::spawn(write(pool.clone(), writer)))
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (read_to, polls) = reader.await.unwrap();

    // Per office: half of the writers' tickets, one event each, and one more per call.
    let per_office = WRITERS * TICKETS_EACH / 2;
    let calls_per_office = WRITERS * TICKETS_EACH / 4;
    assert_eq!(
        read_to,
        per_office + calls_per_office,
        "the reader saw every event of office 1"
    );
    assert!(polls > 1, "the reader polled while the writers wrote");
    for office in [1_i64, 2] {
        let seqs: Vec<i64> =
            sqlx::query_scalar("SELECT seq FROM events WHERE office_id = $1 ORDER BY seq")
                .bind(office)
                .fetch_all(&pool)
                .await
                .unwrap();
        let expected: Vec<i64> = (1..=per_office + calls_per_office).collect();
        assert_eq!(
            seqs, expected,
            "office {office}'s events are numbered without gaps"
        );
        let changes: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT kind, from_state, to_state FROM events WHERE office_id = $1
             GROUP BY kind, from_state, to_state ORDER BY kind",
        )
        .bind(office)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            changes,
            [
                ("called".into(), Some("waiting".into()), "called".into()),
                ("issued".into(), None, "waiting".into()),
            ],
            "the triggers log what changed"
        );
    }
    let lines: Vec<(i64, bool, i64, i64)> = sqlx::query_as(
        "SELECT l.service_id, l.is_priority, l.waiting,
                (SELECT COUNT(*) FROM tickets t WHERE t.state = 'waiting'
                 AND t.service_id = l.service_id AND t.is_priority = l.is_priority)
         FROM waiting_lines l ORDER BY 1, 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        lines.len(),
        4,
        "two offices' priority and ordinary lines: {lines:?}"
    );
    for (service, priority, kept, counted) in lines {
        assert_eq!(
            kept, counted,
            "service {service} priority {priority}: kept count"
        );
    }
    let waiting: i64 = sqlx::query_scalar("SELECT SUM(waiting)::bigint FROM waiting_lines")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        waiting,
        WRITERS * TICKETS_EACH / 2,
        "the uncalled half waits"
    );
    pool.close().await;
}

// Both engines take the same roles, the province admin's among them, and
// refuse any other.
#[tokio::test]
async fn both_engines_take_the_same_roles() {
    let scratch = ScratchDatabase::create().await;
    let pool = scratch.migrated().await;
    seed_offices(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("roles.db"))
        .create_if_missing(true);
    let mut sqlite = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    layso_server::db::MIGRATOR.run(&mut sqlite).await.unwrap();
    sqlx::query(
        "INSERT INTO offices (id, code, name, time_zone, created_at)
         VALUES (1, 'o', 'Cơ quan', 'Asia/Ho_Chi_Minh', 0)",
    )
    .execute(&mut sqlite)
    .await
    .unwrap();
    for (role, taken) in [
        ("province_admin", true),
        ("admin", true),
        ("manager", true),
        ("staff", true),
        ("king", false),
    ] {
        let postgres = sqlx::query(
            "INSERT INTO users (office_id, username, full_name, role) VALUES (1, $1, 'Ai đó', $1)",
        )
        .bind(role)
        .execute(&pool)
        .await;
        let lite = sqlx::query(
            "INSERT INTO users (office_id, username, full_name, role) VALUES (1, ?1, 'Ai đó', ?1)",
        )
        .bind(role)
        .execute(&mut sqlite)
        .await;
        assert_eq!((postgres.is_ok(), lite.is_ok()), (taken, taken), "{role}");
    }
    pool.close().await;
}
