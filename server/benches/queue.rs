//! Queue-engine benchmark: the real release server binary over loopback.
//!
//! `cargo bench -p layso-server --bench queue` prints:
//! - idle memory (RSS) of a freshly started server;
//! - durable tickets issued per second at concurrency 1 and 8 (median of rounds);
//! - call-next latency p50/p99 with 8 counters: each pressing 10 times a
//!   second, out of step (open loop: hundreds of times a real office's
//!   pace), and all pressing as fast as the server answers (closed loop:
//!   saturation, where each call waits for the others in the writer);
//! - call-next latency with 100 and with 100,000 tickets waiting, and their ratio;
//! - the disk's floor: the latency of one 4 KiB append and `fdatasync`,
//!   which every durable commit pays.
//!
//! Set `BENCH_QUICK=1` for a short smoke run, and `BENCH_ONLY` to a comma
//! list of phases (`disk`, `writer`, `issue`, `counters`, `flat`) to run
//! only those.

mod support;

use chrono::Utc;
use layso_server::clock::SystemClock;
use layso_server::config::Config;
use serde_json::{Value, json};
use sqlx::Connection;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{COUNTERS, Http, Server, clear_waiting, ms, percentile, prepare};

/// Whether the phase is wanted (see `BENCH_ONLY`).
fn wanted(phase: &str) -> bool {
    std::env::var("BENCH_ONLY").map_or(true, |only| only.split(',').any(|p| p.trim() == phase))
}

fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

static KEY: AtomicUsize = AtomicUsize::new(0);

/// Issues `total` tickets from `concurrency` clients; returns tickets per second.
async fn issue(server: &Server, total: usize, concurrency: usize) -> f64 {
    let mut clients = Vec::new();
    for _ in 0..concurrency {
        clients.push(server.kiosk().await);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (worker, mut client) in clients.into_iter().enumerate() {
        let share = total / concurrency + usize::from(worker < total % concurrency);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                let n = KEY.fetch_add(1, Ordering::Relaxed);
                let body = json!({
                    "service_id": 1 + (n % 4),
                    "priority": if n.is_multiple_of(7) { "elderly" } else { "none" },
                    "idempotency_key": format!("bench-{n:09}"),
                });
                let (status, answer) = client.post("/api/v1/tickets", &body).await;
                assert_eq!(status, 201, "{answer}");
            }
        }));
    }
    for t in tasks {
        t.await.expect("issuer");
    }
    total as f64 / start.elapsed().as_secs_f64()
}

/// Presses call-next at a counter, then "start" for the called citizen;
/// returns call-next's latency and the ticket.
async fn call_and_start(client: &mut Http, counter: i64, body: &Value) -> (Duration, i64) {
    let t = Instant::now();
    let (status, ticket) = client
        .post(&format!("/api/v1/counters/{counter}/call-next"), body)
        .await;
    let latency = t.elapsed();
    assert_eq!(status, 200, "call-next: {ticket}");
    let id = ticket["id"].as_i64().expect("ticket id");
    let (status, _) = client
        .post(
            &format!("/api/v1/counters/{counter}/tickets/{id}/start"),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 200);
    (latency, id)
}

/// Runs one task per counter and gathers their latencies, sorted.
async fn per_counter<F, Fut>(server: &Server, run: F) -> Vec<Duration>
where
    F: Fn(i64, Http) -> Fut,
    Fut: std::future::Future<Output = Vec<Duration>> + Send + 'static,
{
    let mut tasks = Vec::new();
    for counter in 1..=COUNTERS {
        tasks.push(tokio::spawn(run(counter, server.staff(counter).await)));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("counter"));
    }
    all.sort_unstable();
    all
}

/// 8 counters call at once until `calls` calls are made, each finishing its
/// citizen in the same press (`finish_current`); call-next latencies.
async fn eight_counters(server: &Server, calls: usize) -> Vec<Duration> {
    let left = Arc::new(AtomicUsize::new(calls));
    per_counter(server, |counter, mut client| {
        let left = left.clone();
        async move {
            let mut lat = Vec::new();
            while left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                let (latency, _) =
                    call_and_start(&mut client, counter, &json!({ "finish_current": true })).await;
                lat.push(latency);
            }
            lat
        }
    })
    .await
}

/// 8 counters, each every `period` (staggered so their presses interleave)
/// pressing "finish" for the citizen served, then call-next, then "start";
/// call-next latencies.
async fn eight_counters_paced(server: &Server, calls: usize, period: Duration) -> Vec<Duration> {
    let presses = calls / COUNTERS as usize;
    per_counter(server, |counter, mut client| async move {
        tokio::time::sleep(period * u32::try_from(counter).unwrap_or(0) / COUNTERS as u32).await;
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut lat = Vec::new();
        let mut serving = None;
        for _ in 0..presses {
            tick.tick().await;
            // "Finish" is its own press here, so only call-next is timed.
            if let Some(id) = serving.take() {
                let (status, _) = client
                    .post(
                        &format!("/api/v1/counters/{counter}/tickets/{id}/finish"),
                        &Value::Null,
                    )
                    .await;
                assert_eq!(status, 200);
            }
            let (latency, id) = call_and_start(&mut client, counter, &Value::Null).await;
            lat.push(latency);
            serving = Some(id);
        }
        lat
    })
    .await
}

/// Adds `n` waiting tickets to today's lines in one statement, behind the
/// server's back (issuing them one by one over HTTP would take minutes);
/// the logging trigger writes their `issued` events as for any ticket.
async fn fill(db: &Path, n: usize) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open the bench db directly");
    let now = Utc::now();
    let today = now
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
        .to_string();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO tickets (office_id, issued_service_id, service_id, business_date, number,
                              display_number, priority, is_priority, state, issued_at, queue_at,
                              public_token, changed_at, change_kind)
         SELECT 1, 1 + i % 4, 1 + i % 4, ?2, 50000 + i / 4, 'F' || i,
                CASE WHEN i % 7 = 0 THEN 'elderly' ELSE 'none' END, i % 7 = 0, 'waiting',
                ?3, ?3 + i, lower(hex(randomblob(16))), ?3, 'issued'
         FROM n",
    )
    .bind(i64::try_from(n).expect("fits"))
    .bind(today)
    .bind(now.timestamp_millis())
    .execute(&mut conn)
    .await
    .expect("fill the lines");
    conn.close().await.expect("close");
}

/// One counter, queue length held constant: call-next, no-show, reactivate.
async fn steady_calls(server: &Server, iterations: usize) -> Vec<Duration> {
    let mut client = server.staff(1).await;
    let mut lat = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let (status, ticket) = client
            .post("/api/v1/counters/1/call-next", &Value::Null)
            .await;
        lat.push(t.elapsed());
        assert_eq!(status, 200, "{ticket}");
        let id = ticket["id"].as_i64().expect("id");
        for step in ["no-show", "reactivate"] {
            let (status, body) = client
                .post(
                    &format!("/api/v1/counters/1/tickets/{id}/{step}"),
                    &Value::Null,
                )
                .await;
            assert_eq!(status, 200, "{step}: {body}");
        }
    }
    lat.sort_unstable();
    lat
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rounds = if quick() { 1 } else { 5 };
    println!(
        "layso queue bench, {} UTC, {} rounds",
        Utc::now().format("%Y-%m-%d %H:%M"),
        rounds
    );

    if wanted("disk") {
        disk_floor(dir.path());
    }
    if wanted("writer") {
        writer_alone(dir.path()).await;
    }
    if wanted("issue") {
        issue_phase(dir.path(), rounds).await;
    }
    if wanted("counters") {
        counters_phase(dir.path()).await;
    }
    if wanted("flat") {
        flat_phase(dir.path()).await;
    }
}

/// What one durable commit cannot go below here: the latency of appending
/// 4 KiB to a file and `fdatasync`-ing it (what SQLite does to its WAL at
/// every commit with `synchronous=FULL`), on the disk the bench runs on.
fn disk_floor(dir: &Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(dir.join("fsync-probe")).expect("probe file");
    let page = [0u8; 4096];
    let mut lat = Vec::new();
    for _ in 0..if quick() { 100 } else { 1000 } {
        file.write_all(&page).expect("write");
        let t = Instant::now();
        file.sync_data().expect("fdatasync");
        lat.push(t.elapsed());
    }
    lat.sort_unstable();
    println!(
        "disk: append 4 KiB + fdatasync p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(percentile(&lat, 1.0))
    );
}

/// The writer alone, in-process: what issuing costs without HTTP.
async fn writer_alone(dir: &Path) {
    let db = dir.join("writer.db");
    prepare(&db).await;
    for concurrency in [1, 8, 64] {
        let config = Config {
            database: db.clone(),
            ..Config::default()
        };
        let state = layso_server::start(&config, Arc::new(SystemClock))
            .await
            .expect("open");
        // At most a day's worth per service (1,000): the people-ahead count
        // read back for each new ticket grows with the line it counts.
        let total = if quick() { 2000 } else { 4000 };
        let start = Instant::now();
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let writer = state.db.writer.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..total / concurrency {
                    let n = KEY.fetch_add(1, Ordering::Relaxed);
                    let cmd = layso_server::db::issue::IssueCommand {
                        office: layso_protocol::OfficeId(1),
                        service: layso_protocol::ServiceId(1 + (n % 4) as i64),
                        priority: layso_protocol::Priority::None,
                        key: layso_protocol::IdempotencyKey::parse(&format!("w{worker}-{n:09}"))
                            .expect("key"),
                        token: format!("{n:032x}"),
                    };
                    writer.issue(cmd).await.expect("issue");
                }
            }));
        }
        for t in tasks {
            t.await.expect("worker");
        }
        let rate = (total / concurrency * concurrency) as f64 / start.elapsed().as_secs_f64();
        println!("writer alone (no HTTP), concurrency {concurrency}: {rate:.0} tickets/s");
        state.db.close().await;
        clear_waiting(&db).await;
    }
}

/// Idle memory and issue throughput over HTTP.
async fn issue_phase(dir: &Path, rounds: usize) {
    // A first start on an empty file: the binary seeds the demo and hashes
    // its four passwords (Argon2, 19 MiB each) before it serves.
    let fresh = Server::start(&dir.join("fresh.db"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "server RSS idle after a first start (demo seeded): {:.1} MiB",
        fresh.rss_mib()
    );
    drop(fresh);
    let db = dir.join("issue.db");
    prepare(&db).await;
    let server = Server::start(&db);
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!("server RSS idle after start: {:.1} MiB", server.rss_mib());
    for (concurrency, per_round) in [
        (1, if quick() { 300 } else { 2000 }),
        (8, if quick() { 1000 } else { 4000 }),
    ] {
        let mut rates: Vec<f64> = Vec::new();
        let cpu_before = server.cpu();
        for _ in 0..rounds {
            // Each round starts from an empty hall, as a real morning does:
            // the people-ahead count grows with the line being counted.
            clear_waiting(&db).await;
            rates.push(issue(&server, per_round, concurrency).await);
        }
        let cpu_per_ticket =
            (server.cpu() - cpu_before).as_secs_f64() * 1e6 / (rounds * per_round) as f64;
        rates.sort_by(f64::total_cmp);
        println!(
            "issue, concurrency {concurrency}: median {:.0} tickets/s (min {:.0}, max {:.0}; {per_round} per round); server CPU {cpu_per_ticket:.0} µs/ticket",
            rates[rates.len() / 2],
            rates[0],
            rates[rates.len() - 1]
        );
    }
    println!("server RSS after issuing: {:.1} MiB", server.rss_mib());
}

/// Call-next with 8 counters.
async fn counters_phase(dir: &Path) {
    let db = dir.join("counters.db");
    prepare(&db).await;
    let server = Server::start(&db);
    let calls = if quick() { 400 } else { 4000 };
    issue(&server, 2 * calls + 100, 8).await;
    let lat = eight_counters_paced(&server, calls, Duration::from_millis(100)).await;
    println!(
        "call-next, 8 counters each pressing every 100 ms, {calls} calls: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(percentile(&lat, 1.0))
    );
    let lat = eight_counters(&server, calls).await;
    println!(
        "call-next, 8 counters pressing as fast as answered, {calls} calls: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(percentile(&lat, 1.0))
    );
}

/// Call-next with 100 and with 100,000 waiting.
async fn flat_phase(dir: &Path) {
    let db = dir.join("flat.db");
    prepare(&db).await;
    let server = Server::start(&db);
    let iterations = if quick() { 200 } else { 2000 };
    let big = if quick() { 10_000 } else { 100_000 };
    issue(&server, 100, 8).await;
    let small = steady_calls(&server, iterations).await;
    fill(&db, big - 100).await;
    let large = steady_calls(&server, iterations).await;
    let (s50, l50) = (percentile(&small, 0.5), percentile(&large, 0.5));
    println!(
        "call-next, 1 counter, 100 waiting: p50 {:.2} ms, p99 {:.2} ms",
        ms(s50),
        ms(percentile(&small, 0.99))
    );
    println!(
        "call-next, 1 counter, {big} waiting: p50 {:.2} ms, p99 {:.2} ms",
        ms(l50),
        ms(percentile(&large, 0.99))
    );
    println!(
        "ratio p50 {big}/100 waiting: {:.2}",
        l50.as_secs_f64() / s50.as_secs_f64()
    );
    println!("server RSS with {big} waiting: {:.1} MiB", server.rss_mib());
}
