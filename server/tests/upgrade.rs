//! A database written by an earlier schema, opened by today's server: the
//! migrations that rebuild a table (0010 rebuilds `users`) keep every row
//! and every reference, and what was signed in stays signed in.

use sqlx::{Connection, Row, SqliteConnection};
use std::borrow::Cow;

/// Every row of every table, as text, table by table.
async fn dump(conn: &mut SqliteConnection) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut rows = Vec::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT 'quote(' || name || ')' FROM pragma_table_info(?)")
                .bind(&table)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        // Names from the schema itself, not input.
        let sql = format!(
            "SELECT '{table}: ' || {} FROM {table} ORDER BY 1",
            columns.join(" || ',' || ")
        );
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await
            .unwrap()
        {
            rows.push(row.get::<String, _>(0));
        }
    }
    rows
}

// A filled day under the schema of 0001–0009 (office, users with sessions,
// counters with their staff, tickets and their events naming users, a
// rating, the counters a user may work) comes through the server's opening
// with every row as it was, no reference broken, foreign keys enforced
// again, and its sessions still signing their holders in.
#[tokio::test]
async fn a_database_of_the_schema_before_0010_opens_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    let all = &layso_server::db::MIGRATOR;
    let before_0010 = sqlx::migrate::Migrator {
        migrations: Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version < 10)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    assert_eq!(before_0010.migrations.len(), 9);
    before_0010.run(&mut conn).await.unwrap();
    let token = "lss_upgrade_test_token";
    let hash = layso_server::auth::hash(token);
    sqlx::raw_sql(
        "INSERT INTO offices (id, code, name, time_zone, created_at)
         VALUES (1, 'xa', 'UBND xã Tân Phú', 'Asia/Ho_Chi_Minh', 0);
         INSERT INTO services (id, office_id, code, name, prefix, first_number, last_number, hours)
         VALUES (1, 1, 'HT', 'Hộ tịch', 'A', 1, 999, '[]');
         INSERT INTO users (id, office_id, username, full_name, role, password_hash, disabled_at)
         VALUES (1, 1, 'admin', 'Quản trị viên', 'admin', 'x', NULL),
                (2, 1, 'lan', 'Nguyễn Thị Lan', 'staff', 'y', NULL),
                (3, 1, 'cu', 'Cán bộ cũ', 'staff', NULL, 5);
         INSERT INTO counters (id, office_id, number, name, state, staff_user_id)
         VALUES (1, 1, 1, 'Quầy 1', 'open', 2);
         INSERT INTO counter_services (counter_id, service_id) VALUES (1, 1);
         INSERT INTO user_counters (user_id, counter_id) VALUES (2, 1);
         INSERT INTO tickets (id, office_id, issued_service_id, service_id, business_date, number,
             display_number, is_priority, state, issued_at, queue_at, public_token, changed_at,
             change_kind)
         VALUES (1, 1, 1, 1, '2026-12-01', 1, 'A001', 0, 'waiting', 10, 10, 'tok1', 10, 'issued');
         UPDATE tickets SET state = 'called', counter_id = 1, changed_at = 20, change_kind = 'called',
             change_counter_id = 1, change_user_id = 2 WHERE id = 1;
         UPDATE tickets SET state = 'done', changed_at = 30, change_kind = 'done',
             change_counter_id = 1, change_user_id = 2 WHERE id = 1;
         INSERT INTO devices (id, office_id, kind, name, counter_id, token_hash, created_at)
         VALUES (1, 1, 'rating', 'Máy đánh giá', 1, x'01', 0);
         INSERT INTO ratings (ticket_id, office_id, counter_id, device_id, score, at)
         VALUES (1, 1, 1, 1, 5, 40);",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sessions (office_id, token_hash, user_id, counter_id, created_at, expires_at)
         VALUES (1, ?, 2, 1, 0, 9999999999999)",
    )
    .bind(&hash[..])
    .execute(&mut conn)
    .await
    .unwrap();
    let before = dump(&mut conn).await;
    assert!(before.len() > 12, "{before:?}");
    conn.close().await.unwrap();

    let clock = std::sync::Arc::new(layso_server::clock::SystemClock);
    let db = layso_server::db::Db::open(&path, clock).await.unwrap();
    let principal = db
        .principal(&hash, chrono::Utc::now())
        .await
        .unwrap()
        .expect("the session of before the upgrade still signs lan in");
    assert_eq!(principal.office.0, 1);
    db.close().await;

    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    assert_eq!(dump(&mut conn).await, before, "every row as it was");
    let broken: Vec<(String, i64)> =
        sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(broken.is_empty(), "references hold: {broken:?}");
    let applied: i64 =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let latest = layso_server::db::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap();
    assert_eq!(applied, latest, "every migration applied");
    // The rebuilt table keeps its rules: a user of no office is refused.
    let orphan = sqlx::query(
        "INSERT INTO users (office_id, username, full_name, role) VALUES (99, 'ma', 'Ma', 'staff')",
    )
    .execute(&mut conn)
    .await;
    assert!(
        orphan.is_err(),
        "foreign keys are enforced on the rebuilt table"
    );
}
