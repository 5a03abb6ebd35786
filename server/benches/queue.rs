//! Queue-engine benchmark: the real release server binary over loopback.
//!
//! `cargo bench -p layso-server --bench queue` prints:
//! - idle memory (RSS) of a freshly started server;
//! - durable tickets issued per second at concurrency 1, and at 8 while two
//!   lines grow from empty past 20,000 waiting each (never emptied: a
//!   central server's day), by stretches of 4,000 tickets, with latency
//!   and the server's CPU per ticket;
//! - issuing with 100 and with 100,000 tickets waiting, and the ratio;
//! - call-next latency p50/p99 with 8 counters: each pressing 10 times a
//!   second, out of step (open loop: hundreds of times a real office's
//!   pace), and all pressing as fast as the server answers (closed loop:
//!   saturation, where each call waits for the others in the writer);
//! - call-next latency with 100 and with 100,000 tickets waiting, and their ratio;
//! - the disk's floor: the latency of one 4 KiB append and `fdatasync`,
//!   which every durable commit pays.
//!
//! Where `wrk` is installed (Debian's package), the same runs are made
//! again by it, an outside load generator (`benches/wrk/*.lua`), in the
//! same run, and printed beside ours: the two must agree. After every run
//! the database is checked: no number given twice, no ticket called twice.
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

/// What a run of issues came to.
struct Issued {
    /// Tickets per second.
    rate: f64,
    /// Each request's latency, sorted.
    latencies: Vec<Duration>,
}

/// Issues `total` tickets from `concurrency` clients (kiosks) into
/// `services` in turn, one in seven a priority ticket.
async fn issue(server: &Server, total: usize, concurrency: usize, services: &[i64]) -> Issued {
    let mut clients = Vec::new();
    for _ in 0..concurrency {
        clients.push(server.kiosk().await);
    }
    let services: Arc<[i64]> = services.into();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (worker, mut client) in clients.into_iter().enumerate() {
        let share = total / concurrency + usize::from(worker < total % concurrency);
        let services = services.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(share);
            for _ in 0..share {
                let n = KEY.fetch_add(1, Ordering::Relaxed);
                let body = json!({
                    "service_id": services[n % services.len()],
                    "priority": if n.is_multiple_of(7) { "elderly" } else { "none" },
                    "idempotency_key": format!("bench-{n:09}"),
                });
                let t = Instant::now();
                let (status, answer) = client.post("/api/v1/tickets", &body).await;
                latencies.push(t.elapsed());
                assert_eq!(status, 201, "{answer}");
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await.expect("issuer"));
    }
    let rate = total as f64 / start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Issued { rate, latencies }
}

/// Every service of the bench's office, for runs that spread tickets.
const ALL_SERVICES: [i64; 4] = [1, 2, 3, 4];

/// The two services whose lines grow in the issue runs (`wrk` is given
/// the same ones).
const GROWING: [i64; 2] = [1, 2];

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
/// citizen in the same press (`finish_current`), then starting the next;
/// call-next's latencies, and every press's (call-next and start, as wrk
/// sees them), sorted.
async fn eight_counters(server: &Server, calls: usize) -> (Vec<Duration>, Vec<Duration>) {
    let left = Arc::new(AtomicUsize::new(calls));
    let presses = Arc::new(std::sync::Mutex::new(Vec::new()));
    let calls = per_counter(server, |counter, mut client| {
        let (left, presses) = (left.clone(), presses.clone());
        async move {
            let mut lat = Vec::new();
            let mut both = Vec::new();
            while left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                let t = Instant::now();
                let (latency, _) =
                    call_and_start(&mut client, counter, &json!({ "finish_current": true })).await;
                lat.push(latency);
                both.extend([latency, t.elapsed() - latency]);
            }
            presses.lock().expect("no panic").extend(both);
            lat
        }
    })
    .await;
    let mut presses = std::mem::take(&mut *presses.lock().expect("no panic"));
    presses.sort_unstable();
    (calls, presses)
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
            let writer = state.db.sqlite().expect("SQLite").writer.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..total / concurrency {
                    let n = KEY.fetch_add(1, Ordering::Relaxed);
                    let cmd = layso_server::db::tickets::IssueCommand {
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

/// Idle memory, and issue throughput over HTTP as the lines grow.
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

    // One kiosk at a time: each ticket's own latency, little batching.
    let per_round = if quick() { 300 } else { 2000 };
    let cpu_before = server.cpu();
    let mut rates: Vec<f64> = Vec::new();
    for _ in 0..rounds {
        rates.push(issue(&server, per_round, 1, &ALL_SERVICES).await.rate);
    }
    let cpu = (server.cpu() - cpu_before).as_secs_f64() * 1e6 / (rounds * per_round) as f64;
    rates.sort_by(f64::total_cmp);
    println!(
        "issue, concurrency 1: median {:.0} tickets/s (min {:.0}, max {:.0}; {rounds} rounds of {per_round}); server CPU {cpu:.0} µs/ticket",
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1]
    );
    drop(server);

    // Eight kiosks, two lines never emptied from 0 past `grow` waiting each.
    let db = dir.join("growing.db");
    prepare(&db).await;
    let server = Server::start(&db);
    let grow = if quick() { 4_000 } else { 22_000 };
    let stretch = 4_000;
    let cpu_before = server.cpu();
    let started = Instant::now();
    let mut stretches = Vec::new();
    let mut latencies = Vec::new();
    while stretches.len() * stretch < grow * GROWING.len() {
        let run = issue(&server, stretch, 8, &GROWING).await;
        stretches.push(run.rate);
        latencies.extend(run.latencies);
    }
    let tickets = stretches.len() * stretch;
    let rate = tickets as f64 / started.elapsed().as_secs_f64();
    let cpu = (server.cpu() - cpu_before).as_secs_f64() * 1e6 / tickets as f64;
    latencies.sort_unstable();
    let mut sorted = stretches.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "issue, concurrency 8, two lines growing 0 → {} waiting each: {rate:.0} tickets/s overall, median stretch {:.0}/s (first {:.0}, last {:.0}; {} stretches of {stretch}); p50 {:.2} ms, p99 {:.2} ms; server CPU {cpu:.0} µs/ticket",
        tickets / GROWING.len(),
        sorted[sorted.len() / 2],
        stretches[0],
        stretches[stretches.len() - 1],
        stretches.len(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
    );
    println!("server RSS after issuing: {:.1} MiB", server.rss_mib());
    drop(server);
    check_database(&db, "issue, concurrency 8").await;

    // The same from the outside: wrk, on a database as fresh.
    let db = dir.join("growing-wrk.db");
    prepare(&db).await;
    let server = Server::start(&db);
    // Long enough for the lines to pass 20,000 each at about 4,000/s.
    let secs = if quick() { 3 } else { 12 };
    let services = GROWING.map(|s| s.to_string()).join(",");
    let token = server.secret("devices.kiosk.token");
    let cpu_before = server.cpu();
    if let Some(out) = wrk(
        &server,
        2,
        8,
        secs,
        "issue.lua",
        &[&token, "growing", &services],
    ) {
        let cpu = (server.cpu() - cpu_before).as_secs_f64() * 1e6 / out.requests as f64;
        println!(
            "wrk: issue, 8 connections, {secs} s, two lines growing 0 → {} waiting each: {:.0} tickets/s; p50 {:.2} ms, p99 {:.2} ms; {} answers not 2xx; server CPU {cpu:.0} µs/ticket",
            out.requests / GROWING.len() as u64,
            out.rate,
            out.p50_ms,
            out.p99_ms,
            out.not_2xx,
        );
        drop(server);
        check_database(&db, "wrk issue").await;
    }

    issue_flat(dir).await;
}

/// Issuing with 100 and with 100,000 tickets waiting: the second must not
/// cost more (people ahead and the lines' counts are one seek each).
async fn issue_flat(dir: &Path) {
    let db = dir.join("issue-flat.db");
    prepare(&db).await;
    let server = Server::start(&db);
    let big = if quick() { 10_000 } else { 100_000 };
    let total = if quick() { 1_000 } else { 4_000 };
    issue(&server, 100, 8, &ALL_SERVICES).await;
    let small = issue(&server, total, 8, &ALL_SERVICES).await;
    let token = server.secret("devices.kiosk.token");
    let services = ALL_SERVICES.map(|s| s.to_string()).join(",");
    let small_wrk = wrk(&server, 2, 8, 3, "issue.lua", &[&token, "small", &services]);
    clear_waiting(&db).await;
    fill(&db, big).await;
    let cpu_before = server.cpu();
    let large = issue(&server, total, 8, &ALL_SERVICES).await;
    let large_cpu = server.cpu() - cpu_before;
    let large_wrk = wrk(&server, 2, 8, 3, "issue.lua", &[&token, "large", &services]);
    let (s50, l50) = (
        percentile(&small.latencies, 0.5),
        percentile(&large.latencies, 0.5),
    );
    println!(
        "issue, concurrency 8, 100 waiting: {:.0} tickets/s, p50 {:.2} ms, p99 {:.2} ms",
        small.rate,
        ms(s50),
        ms(percentile(&small.latencies, 0.99))
    );
    println!(
        "issue, concurrency 8, {big} waiting: {:.0} tickets/s, p50 {:.2} ms, p99 {:.2} ms; server CPU {:.0} µs/ticket",
        large.rate,
        ms(l50),
        ms(percentile(&large.latencies, 0.99)),
        large_cpu.as_secs_f64() * 1e6 / total as f64
    );
    println!(
        "ratio {big}/100 waiting: p50 {:.2}, throughput {:.2}",
        l50.as_secs_f64() / s50.as_secs_f64(),
        small.rate / large.rate
    );
    if let (Some(small), Some(large)) = (small_wrk, large_wrk) {
        println!(
            "wrk: issue, 8 connections, 3 s from 100 waiting: {:.0} tickets/s, p50 {:.2} ms; from {big} waiting: {:.0} tickets/s, p50 {:.2} ms; ratio p50 {:.2}, throughput {:.2}; {} answers not 2xx",
            small.rate,
            small.p50_ms,
            large.rate,
            large.p50_ms,
            large.p50_ms / small.p50_ms,
            small.rate / large.rate,
            small.not_2xx + large.not_2xx
        );
    }
    drop(server);
    check_database(&db, "issue at 100 and 100,000 waiting").await;
}

/// What `wrk` reported.
struct WrkRun {
    requests: u64,
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    not_2xx: u64,
}

/// Runs `wrk` (if installed) against the server with `threads` threads,
/// `connections` connections, for `secs` seconds, with `script` from
/// `benches/wrk/` and its arguments; None, said once, without it.
fn wrk(
    server: &Server,
    threads: u32,
    connections: u32,
    secs: u32,
    script: &str,
    args: &[&str],
) -> Option<WrkRun> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/wrk")
        .join(script);
    let out = std::process::Command::new("wrk")
        .args([
            format!("-t{threads}"),
            format!("-c{connections}"),
            format!("-d{secs}s"),
            "--latency".into(),
            "-s".into(),
        ])
        .arg(&script)
        .arg(&server.base)
        .arg("--")
        .args(args)
        .output();
    let out = match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => panic!("wrk failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| println!("wrk: not installed (apt install wrk), its runs skipped"));
            return None;
        }
    };
    let field = |prefix: &str| -> Option<&str> {
        out.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
    };
    let latency = |p: &str| -> f64 {
        let value = field(p).unwrap_or_else(|| panic!("wrk printed no {p}: {out}"));
        wrk_ms(value).unwrap_or_else(|| panic!("wrk's {p} {value}"))
    };
    let requests = out
        .lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("wrk printed no request count: {out}"));
    Some(WrkRun {
        requests,
        rate: field("Requests/sec:")
            .and_then(|r| r.parse().ok())
            .unwrap_or_else(|| panic!("wrk printed no rate: {out}")),
        p50_ms: latency("50%"),
        p99_ms: latency("99%"),
        not_2xx: field("Non-2xx or 3xx responses:")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    })
}

/// A latency as wrk prints it (`812.00us`, `1.25ms`, `2.01s`) in ms.
fn wrk_ms(value: &str) -> Option<f64> {
    let (number, unit) = value.split_at(value.find(|c: char| c.is_ascii_alphabetic())?);
    let number: f64 = number.parse().ok()?;
    Some(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        _ => return None,
    })
}

/// Fails the bench if a run gave a number twice or called a ticket twice
/// (none of these runs reactivates a ticket), read from the file itself.
async fn check_database(db: &Path, run: &str) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open the bench db directly");
    let twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM tickets
         GROUP BY office_id, issued_service_id, business_date, number HAVING COUNT(*) > 1)",
    )
    .fetch_one(&mut conn)
    .await
    .expect("count numbers given twice");
    let called_twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE kind = 'called'
         GROUP BY ticket_id HAVING COUNT(*) > 1)",
    )
    .fetch_one(&mut conn)
    .await
    .expect("count tickets called twice");
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut conn)
        .await
        .expect("count tickets");
    conn.close().await.expect("close");
    println!(
        "checked {run}: {tickets} tickets, {twice} numbers given twice, {called_twice} tickets called twice"
    );
    assert_eq!((twice, called_twice), (0, 0), "{run}: duplicates");
}

/// Call-next with 8 counters.
async fn counters_phase(dir: &Path) {
    let db = dir.join("counters.db");
    prepare(&db).await;
    let server = Server::start(&db);
    let calls = if quick() { 400 } else { 4000 };
    // The closed loop runs about as long as wrk's run of it (10 s), so
    // both meet the same rare stalls (checkpoints).
    let closed = if quick() { 2_000 } else { 20_000 };
    issue(&server, calls + closed + 100, 8, &ALL_SERVICES).await;
    let lat = eight_counters_paced(&server, calls, Duration::from_millis(100)).await;
    println!(
        "call-next, 8 counters each pressing every 100 ms, {calls} calls: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(percentile(&lat, 1.0))
    );
    let (calls_lat, presses) = eight_counters(&server, closed).await;
    println!(
        "call-next, 8 counters pressing as fast as answered, {closed} calls: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; every press (call-next and start): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&calls_lat, 0.5)),
        ms(percentile(&calls_lat, 0.99)),
        ms(percentile(&calls_lat, 1.0)),
        ms(percentile(&presses, 0.5)),
        ms(percentile(&presses, 0.99)),
    );
    // The same closed loop from the outside: wrk, a counter per thread.
    let secs = if quick() { 3 } else { 10 };
    issue(
        &server,
        if quick() { 4_000 } else { 15_000 },
        8,
        &ALL_SERVICES,
    )
    .await;
    let mut tokens = Vec::new();
    for counter in 1..=COUNTERS {
        tokens.push(server.staff_token(counter).await);
    }
    let args: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let threads = u32::try_from(COUNTERS).expect("a few");
    if let Some(out) = wrk(&server, threads, threads, secs, "counters.lua", &args) {
        println!(
            "wrk: 8 counters pressing as fast as answered, {secs} s: {:.0} presses/s (call-next and start); p50 {:.2} ms, p99 {:.2} ms; {} answers not 2xx",
            out.rate, out.p50_ms, out.p99_ms, out.not_2xx
        );
    }
    drop(server);
    check_database(&db, "8 counters").await;
}

/// Call-next with 100 and with 100,000 waiting.
async fn flat_phase(dir: &Path) {
    let db = dir.join("flat.db");
    prepare(&db).await;
    let server = Server::start(&db);
    let iterations = if quick() { 200 } else { 2000 };
    let big = if quick() { 10_000 } else { 100_000 };
    issue(&server, 100, 8, &ALL_SERVICES).await;
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
