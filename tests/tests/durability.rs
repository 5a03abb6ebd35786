//! The real server binary, killed with SIGKILL: in the middle of a burst of
//! issues, every ticket that got a response is still there after a restart;
//! right after a counter's work (committed without waiting for the disk),
//! every call, start and finish that got a response is too.

use layso_e2e::{Server, secret, send, sign_in};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A ticket as the kiosk saw it in a 201 response.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    id: i64,
    number: String,
    service: i64,
    key: String,
}

/// A fresh demo server on `layso.db` in a new folder, an HTTP client, and
/// the demo kiosk's token.
fn start() -> (tempfile::TempDir, Server, reqwest::Client, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("layso.db");
    let server = Server::start(&db);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let kiosk = secret(&db, "devices.kiosk", "token");
    (dir, server, client, kiosk)
}

// Acknowledged tickets survive SIGKILL, each number exactly once, and retries
// of the same keys after the restart return the same tickets.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_tickets_survive_sigkill() {
    let (dir, server, client, kiosk) = start();
    let db = dir.path().join("layso.db");
    let base = server.base.clone();

    let acked = Arc::new(AtomicUsize::new(0));
    let mut kiosks = Vec::new();
    for kiosk_no in 0..8 {
        let (client, base, acked) = (client.clone(), base.clone(), acked.clone());
        let token = kiosk.clone();
        kiosks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut sent = Vec::new();
            for n in 0..400 {
                let service = 1 + (n % 2) as i64; // Hộ tịch and Chứng thực: 999 a day each
                let key = format!("k{kiosk_no}-{n:05}");
                sent.push((key.clone(), service));
                let body = json!({ "service_id": service, "idempotency_key": key });
                let Ok(r) = client
                    .post(format!("{base}/api/v1/tickets"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                else {
                    break; // the server is gone
                };
                if r.status() != 201 {
                    break;
                }
                let Ok(t) = r.json::<Value>().await else {
                    break;
                };
                seen.push(Seen {
                    id: t["id"].as_i64().unwrap(),
                    number: t["number"].as_str().unwrap().to_owned(),
                    service,
                    key,
                });
                acked.fetch_add(1, Ordering::SeqCst);
            }
            (seen, sent)
        }));
    }
    // Kill once a good part of the burst is acknowledged; give a slow,
    // busy CI machine up to 60 s to get there (polled every 2 ms).
    for _ in 0..30_000 {
        if acked.load(Ordering::SeqCst) >= 600 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill();
    let mut seen = Vec::new();
    let mut sent = Vec::new();
    for k in kiosks {
        let (s, all) = k.await.unwrap();
        seen.extend(s);
        sent.extend(all);
    }
    assert!(
        seen.len() >= 600,
        "the burst was acknowledged before the kill: {}",
        seen.len()
    );
    assert!(seen.len() < 3200, "the kill landed mid-burst");

    let server = Server::start(&db);
    let base = server.base.clone();
    let manager = sign_in(&client, &base, &db, "thu", None).await;
    // Every acknowledged ticket is there, unchanged.
    for t in &seen {
        let got = ticket(&client, &base, &manager, t.id).await;
        assert_eq!(
            got["number"],
            t.number.as_str(),
            "ticket {} after restart",
            t.id
        );
        assert_eq!(got["service_id"], t.service);
    }
    // Retrying every key sent (acknowledged or not) gives one ticket per key:
    // the same one for acknowledged keys, and never a number twice.
    let by_key: HashMap<&str, &Seen> = seen.iter().map(|s| (s.key.as_str(), s)).collect();
    let mut numbers = HashSet::new();
    for (key, service) in &sent {
        let body = json!({ "service_id": service, "idempotency_key": key });
        let (status, t) = post(&client, &base, &kiosk, "/api/v1/tickets", body).await;
        if let Some(before) = by_key.get(key.as_str()) {
            assert_eq!(status, 200, "retry of an acknowledged key");
            assert_eq!(t["id"], before.id);
        } else {
            assert!(status == 200 || status == 201, "{status} {t}");
        }
        let number = (service, t["number"].as_str().unwrap().to_owned());
        assert!(
            numbers.insert(number.clone()),
            "number {number:?} given twice"
        );
    }
    // Numbers stay contiguous per service: nothing lost in between.
    for service in [1_i64, 2] {
        let mut n: Vec<u32> = numbers
            .iter()
            .filter(|(s, _)| **s == service)
            .map(|(_, num)| num[1..].parse().unwrap())
            .collect();
        n.sort_unstable();
        assert_eq!(
            n,
            (1..=n.len() as u32).collect::<Vec<_>>(),
            "service {service}"
        );
    }
}

/// Posts `body` to `path` as `token`; the status and the JSON answer.
async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let url = format!("{base}{path}");
    send(client, reqwest::Method::POST, &url, token, &body).await
}

/// The ticket `id` as `token` reads it.
async fn ticket(client: &reqwest::Client, base: &str, token: &str, id: i64) -> Value {
    let url = format!("{base}/api/v1/tickets/{id}");
    send(client, reqwest::Method::GET, &url, token, &Value::Null)
        .await
        .1
}

// Counter work is committed to the WAL, not fsynced, before its answer: it
// still survives the server being killed the moment the answers arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_counter_work_survives_sigkill() {
    let (dir, server, client, kiosk) = start();
    let db = dir.path().join("layso.db");
    let base = server.base.clone();
    for n in 0..12 {
        let body = json!({ "service_id": 1, "idempotency_key": format!("counter-work-{n:04}") });
        let (status, _) = post(&client, &base, &kiosk, "/api/v1/tickets", body).await;
        assert_eq!(status, 201);
    }
    let staff = sign_in(&client, &base, &db, "lan", Some(1)).await;
    // Ten citizens served; the tenth is still at the counter; one no-show.
    let mut served = Vec::new();
    for _ in 0..10 {
        let body = json!({ "finish_current": true });
        let (status, called) =
            post(&client, &base, &staff, "/api/v1/counters/1/call-next", body).await;
        assert_eq!(status, 200, "{called}");
        let id = called["id"].as_i64().unwrap();
        let start = format!("/api/v1/counters/1/tickets/{id}/start");
        assert_eq!(post(&client, &base, &staff, &start, json!({})).await.0, 200);
        served.push(id);
    }
    let last = *served.last().unwrap();
    let finish = format!("/api/v1/counters/1/tickets/{last}/finish");
    assert_eq!(
        post(&client, &base, &staff, &finish, json!({})).await.0,
        200
    );
    let (status, absent) = post(
        &client,
        &base,
        &staff,
        "/api/v1/counters/1/call-next",
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let absent = absent["id"].as_i64().unwrap();
    let no_show = format!("/api/v1/counters/1/tickets/{absent}/no-show");
    assert_eq!(
        post(&client, &base, &staff, &no_show, json!({})).await.0,
        200
    );
    server.kill();

    let server = Server::start(&db);
    let base = server.base.clone();
    let manager = sign_in(&client, &base, &db, "thu", None).await;
    let state = async |id: i64| ticket(&client, &base, &manager, id).await["state"].clone();
    for id in &served {
        assert_eq!(state(*id).await, "done", "ticket {id} after restart");
    }
    assert_eq!(
        state(absent).await,
        "no_show",
        "ticket {absent} after restart"
    );
}

/// What a strace log says happened to the WAL before each HTTP answer.
#[derive(Debug, Default)]
struct Answers {
    /// For each answer whose status line starts with the prefix asked
    /// for, in order: whether every WAL write before it had been fsynced.
    synced: Vec<bool>,
    /// How many writes to the WAL the log holds.
    wal_writes: usize,
}

/// Reads a `strace -f -y` log (see [`Server::start_traced`]) in order.
/// A write to the WAL starts when its line does; an fsync of it ends on
/// its own line, or on its `resumed` line when another thread's call came
/// between; an answer starts on its line.
fn answers(log: &str, status_line: &str) -> Answers {
    let mut found = Answers::default();
    let (mut last_write, mut last_sync) = (None, None);
    let mut syncing = HashSet::new();
    for (at, line) in log.lines().enumerate() {
        let Some((pid, call)) = line.split_once(' ') else {
            continue;
        };
        let call = call.trim_start();
        let wal = call.contains("-wal>");
        if (call.starts_with("pwrite") || call.starts_with("write")) && wal {
            last_write = Some(at);
            found.wal_writes += 1;
        } else if (call.starts_with("fsync(") || call.starts_with("fdatasync(")) && wal {
            if call.contains("<unfinished ...>") {
                syncing.insert(pid.to_owned());
            } else if call.ends_with("= 0") {
                last_sync = Some(at);
            }
        } else if call.starts_with("<... fsync resumed>")
            || call.starts_with("<... fdatasync resumed>")
        {
            if syncing.remove(pid) && call.ends_with("= 0") {
                last_sync = Some(at);
            }
        } else if call.contains(status_line) && !wal {
            found.synced.push(last_write < last_sync);
        }
    }
    found
}

// A ticket is answered only once the WAL holding it is on disk: seen from
// the kernel's side (strace), every 201 the kiosk gets comes after an
// fsync of the WAL that follows every write to it. Counter work, which
// does not wait for the disk, shows that the check can tell the two apart.
#[tokio::test]
async fn a_ticket_is_answered_only_after_its_wal_is_fsynced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("layso.db");
    // The first start seeds the demo and writes its credentials.
    Server::start(&db).stop();
    let log = dir.path().join("strace.log");
    let server = Server::start_traced(
        &db,
        &log,
        "pwrite64,pwritev,write,writev,sendto,sendmsg,fsync,fdatasync",
        24,
    );
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let kiosk = secret(&db, "devices.kiosk", "token");
    const TICKETS: usize = 30;
    for n in 0..TICKETS {
        let body =
            json!({ "service_id": 1 + (n % 2) as i64, "idempotency_key": format!("fsync-{n:04}") });
        let (status, answer) = post(&client, &base, &kiosk, "/api/v1/tickets", body).await;
        assert_eq!(status, 201, "{answer}");
    }
    let staff = sign_in(&client, &base, &db, "lan", Some(1)).await;
    // Each call, then the start of the citizen called: counter work.
    const CALLS: usize = 10;
    for _ in 0..CALLS {
        let body = json!({ "finish_current": true });
        let (status, called) =
            post(&client, &base, &staff, "/api/v1/counters/1/call-next", body).await;
        assert_eq!(status, 200, "{called}");
        let start = format!("/api/v1/counters/1/tickets/{}/start", called["id"]);
        let (status, answer) = post(&client, &base, &staff, &start, Value::Null).await;
        assert_eq!(status, 200, "{answer}");
    }
    server.stop();
    let log = std::fs::read_to_string(&log).expect("strace's log");

    let issued = answers(&log, "HTTP/1.1 201");
    assert!(issued.wal_writes >= TICKETS, "{issued:?}");
    assert_eq!(
        issued.synced.len(),
        TICKETS,
        "one 201 per ticket: {issued:?}"
    );
    assert!(
        issued.synced.iter().all(|&s| s),
        "a ticket answered before its WAL was fsynced: {issued:?}"
    );
    // The 200s: the sign-in (synced), then the calls and starts.
    let calls = answers(&log, "HTTP/1.1 200");
    assert_eq!(calls.synced.len(), 1 + 2 * CALLS, "{calls:?}");
    assert!(
        calls.synced[1..].iter().any(|&s| !s),
        "every call waited for an fsync, so the check sees nothing: {calls:?}"
    );
}
