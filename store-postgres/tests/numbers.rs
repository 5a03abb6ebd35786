//! Numbering across processes: three pools of connections to one
//! PostgreSQL (as three server processes would hold) issue tickets of one
//! service at once; every number is given once, without a gap.

use layso_store_postgres::numbers;
use layso_store_postgres::scratch::ScratchDatabase;
use sqlx::PgPool;

const PROCESSES: usize = 3;
const TASKS_EACH: usize = 4;
const TICKETS_EACH: i64 = 25;

/// One task: issue `TICKETS_EACH` tickets, each in a transaction of its
/// own that takes the service's next number under its lock.
async fn issue(pool: PgPool, task: String) {
    for n in 0..TICKETS_EACH {
        let mut tx = pool.begin().await.unwrap();
        let numbering = numbers::lock(&mut tx, 1, 1, "2026-12-04")
            .await
            .unwrap()
            .expect("office 1 has service 1");
        let number = numbering.taken.map_or(numbering.first, |n| n + 1);
        assert!(number <= numbering.last, "the range is wide enough");
        // The insert every issuing makes; a number given twice breaks the
        // (office, service, day, number) key here.
        sqlx::query(
            "INSERT INTO tickets (office_id, issued_service_id, service_id, business_date,
                 number, display_number, is_priority, state, issued_at, queue_at,
                 public_token, changed_at, change_kind)
             VALUES (1, 1, 1, '2026-12-04', $1, 'A' || $1, FALSE, 'waiting', 0, 0, $2, 0, 'issued')",
        )
        .bind(number)
        .bind(format!("{task}-{n}"))
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("number {number}: {e}"));
        tx.commit().await.unwrap();
    }
}

// Twelve tasks over three pools take 300 numbers of one service at once:
// 1 to 300, each once; another office's service of the same id is not
// found; and another day starts again at the first number.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_number_is_given_once_across_processes() {
    let scratch = ScratchDatabase::create().await;
    let setup = scratch.migrated().await;
    sqlx::raw_sql(
        "INSERT INTO offices (id, code, name, time_zone, created_at)
         VALUES (1, 'xa', 'UBND xã Tân Phú', 'Asia/Ho_Chi_Minh', 0);
         INSERT INTO services (id, office_id, code, name, first_number, last_number, hours)
         VALUES (1, 1, 'HT', 'Hộ tịch', 1, 9999, '[]');",
    )
    .execute(&setup)
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for process in 0..PROCESSES {
        let pool = scratch.pool(TASKS_EACH as u32).await;
        for task in 0..TASKS_EACH {
            tasks.push(tokio::spawn(issue(
                pool.clone(),
                format!("p{process}t{task}"),
            )));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    let numbers: Vec<i64> = sqlx::query_scalar("SELECT number FROM tickets ORDER BY number")
        .fetch_all(&setup)
        .await
        .unwrap();
    let all = PROCESSES as i64 * TASKS_EACH as i64 * TICKETS_EACH;
    assert_eq!(
        numbers,
        (1..=all).collect::<Vec<_>>(),
        "each number once, no gap"
    );

    let mut tx = setup.begin().await.unwrap();
    assert_eq!(
        numbers::lock(&mut tx, 2, 1, "2026-12-04").await.unwrap(),
        None
    );
    let tomorrow = numbers::lock(&mut tx, 1, 1, "2026-12-05")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((tomorrow.first, tomorrow.taken), (1, None));
    tx.rollback().await.unwrap();
}
