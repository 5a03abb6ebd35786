//! Issuing across processes: three pools of connections to one
//! PostgreSQL (as three server processes would hold) issue tickets of one
//! service at once; every number is given once, without a gap, and every
//! kiosk key gets one ticket whichever process its retries reach; and
//! eight counters calling at once never get the same ticket.

use layso_store_postgres::calls;
use layso_store_postgres::numbers;
use layso_store_postgres::scratch::ScratchDatabase;
use layso_store_postgres::tickets::{self, NewTicket};
use sqlx::PgPool;

/// A migrated scratch database with office 1 and its service 1.
async fn seeded() -> (ScratchDatabase, PgPool) {
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
    (scratch, setup)
}

/// An ordinary ticket of office 1's service 1 on 2026-12-04.
fn ordinary<'a>(
    number: i64,
    display: &'a str,
    token: &'a str,
    key: &'a str,
    at: i64,
) -> NewTicket<'a> {
    NewTicket {
        office: 1,
        service: 1,
        date: "2026-12-04",
        number,
        display,
        priority: "none",
        is_priority: false,
        token,
        key,
        at,
    }
}

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
        // A number given twice breaks the (office, service, day, number) key.
        let (display, token) = (format!("A{number:03}"), format!("{task}-{n}"));
        let new = ordinary(number, &display, &token, &token, 0);
        tickets::insert(&mut tx, &new)
            .await
            .unwrap_or_else(|e| panic!("number {number}: {e}"))
            .expect("a fresh key");
        tx.commit().await.unwrap();
    }
}

// Twelve tasks over three pools take 300 numbers of one service at once:
// 1 to 300, each once; another office's service of the same id is not
// found; and another day starts again at the first number.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_number_is_given_once_across_processes() {
    let (scratch, setup) = seeded().await;
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

/// Issues the ticket of `key` as the server would: under the service's
/// lock, the key's ticket if it has one, else the next number. The ticket's
/// id, and whether this call made it.
async fn issue_key(pool: &PgPool, key: &str) -> (i64, bool) {
    let mut tx = pool.begin().await.unwrap();
    let numbering = numbers::lock(&mut tx, 1, 1, "2026-12-04")
        .await
        .unwrap()
        .unwrap();
    if let Some(found) = tickets::by_key(&mut tx, 1, key).await.unwrap() {
        assert_eq!((found.service, found.priority.as_str()), (1, "none"));
        tx.rollback().await.unwrap();
        return (found.id, false);
    }
    let number = numbering.taken.map_or(numbering.first, |n| n + 1);
    let display = format!("A{number:03}");
    let token = format!("token-{key}");
    let new = ordinary(number, &display, &token, key, 1_800_000_000_000);
    let id = tickets::insert(&mut tx, &new)
        .await
        .unwrap()
        .expect("the key was free under the lock");
    tx.commit().await.unwrap();
    (id, true)
}

// A hundred kiosk keys, each sent at once through all three pools (a
// retry that reaches another process): one ticket per key, made by exactly
// one of the three, the same id answered to all, numbers 1 to 100 without
// a gap; and inserting a taken key writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_gets_one_ticket_whichever_process_it_reaches() {
    let (scratch, setup) = seeded().await;
    let mut pools = Vec::new();
    for _ in 0..PROCESSES {
        pools.push(scratch.pool(4).await);
    }
    let mut tasks = Vec::new();
    for k in 0..100 {
        for pool in &pools {
            let (pool, key) = (pool.clone(), format!("kiosk1-{k:04}"));
            tasks.push(tokio::spawn(async move {
                (key.clone(), issue_key(&pool, &key).await)
            }));
        }
    }
    let mut answers: std::collections::BTreeMap<String, Vec<(i64, bool)>> = Default::default();
    for task in tasks {
        let (key, answer) = task.await.unwrap();
        answers.entry(key).or_default().push(answer);
    }
    for (key, got) in &answers {
        assert_eq!(
            got.iter().filter(|(_, made)| *made).count(),
            1,
            "{key}: made once"
        );
        assert!(
            got.iter().all(|(id, _)| *id == got[0].0),
            "{key}: one ticket for all: {got:?}"
        );
    }
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT number, idempotency_key FROM tickets ORDER BY number")
            .fetch_all(&setup)
            .await
            .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        (1..=100).collect::<Vec<_>>()
    );
    assert_eq!(
        rows.iter()
            .map(|r| &r.1)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        100
    );

    let mut tx = setup.begin().await.unwrap();
    let again = ordinary(101, "A101", "another-token", "kiosk1-0000", 0);
    assert_eq!(tickets::insert(&mut tx, &again).await.unwrap(), None);
    tx.commit().await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&setup)
        .await
        .unwrap();
    assert_eq!(count, 100, "a taken key wrote nothing");
}

const COUNTERS: i64 = 8;
const WAITING: i64 = 200;

/// One counter: call the head of the line until nobody waits; the tickets
/// it got, in order.
async fn counter(pool: PgPool, counter: i64) -> Vec<i64> {
    let mut got = Vec::new();
    loop {
        let mut tx = pool.begin().await.unwrap();
        let Some((ticket, _)) = calls::head(&mut tx, 1, "2026-12-04", false).await.unwrap() else {
            // "Nobody waits" only when what still waits is held by the
            // other counters' calls in flight, never with a line behind.
            let waiting: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE state = 'waiting'")
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
            assert!(
                waiting < COUNTERS,
                "counter {counter} saw nobody with {waiting} waiting"
            );
            tx.rollback().await.unwrap();
            return got;
        };
        assert!(
            calls::call(&mut tx, ticket, counter, None, 1_800_000_000_000)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        got.push(ticket);
        assert!(got.len() <= WAITING as usize, "a bounded loop");
    }
}

// Eight counters on three pools call 200 waiting tickets as fast as they
// can: each ticket is called once, by one counter, each counter's calls go
// in the line's order, every call is logged once, and the line is empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_counters_never_call_the_same_ticket() {
    let (scratch, setup) = seeded().await;
    let mut conn = setup.acquire().await.unwrap();
    for c in 1..=COUNTERS {
        sqlx::query("INSERT INTO counters (id, office_id, number, name, state) VALUES ($1, 1, $1, 'Quầy ' || $1, 'open')")
            .bind(c)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    for n in 1..=WAITING {
        let (display, token) = (format!("A{n:03}"), format!("waiting-{n}"));
        let new = ordinary(n, &display, &token, &token, n);
        tickets::insert(&mut conn, &new).await.unwrap().unwrap();
    }
    drop(conn);
    let mut pools = Vec::new();
    for _ in 0..PROCESSES {
        pools.push(scratch.pool(4).await);
    }
    let tasks: Vec<_> = (1..=COUNTERS)
        .map(|c| tokio::spawn(counter(pools[c as usize % PROCESSES].clone(), c)))
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        let got = task.await.unwrap();
        assert!(
            got.windows(2).all(|w| w[0] < w[1]),
            "in the line's order: {got:?}"
        );
        all.extend(got);
    }
    all.sort_unstable();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets ORDER BY id")
        .fetch_all(&setup)
        .await
        .unwrap();
    assert_eq!(all, ids, "each ticket called once");
    let calls: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT ticket_id, COUNT(*) FROM events WHERE kind = 'called' GROUP BY ticket_id HAVING COUNT(*) <> 1",
    )
    .fetch_all(&setup)
    .await
    .unwrap();
    assert!(calls.is_empty(), "one logged call each: {calls:?}");
    let waiting: i64 =
        sqlx::query_scalar("SELECT COALESCE(SUM(waiting), 0)::bigint FROM waiting_lines")
            .fetch_one(&setup)
            .await
            .unwrap();
    assert_eq!(waiting, 0);
}
