//! Live-event fan-out benchmark: the real release server binary over loopback.
//!
//! `cargo bench -p layso-server --bench events` opens 1, then 1,000
//! subscribers to `/api/v1/events` as the demo display (a fresh database and
//! server for each count, so that their memory compares), has counter 1 call
//! a ticket every 50 ms (and start and finish it half a period later), and
//! prints:
//! - how long after call-next's response each subscriber received the call
//!   (p50/p99/max over every subscriber and call), and how many calls arrived
//!   before their response was read;
//! - the server's memory (RSS) before the subscribers connect, with them
//!   connected, and after the calls, and its CPU and the bench's own during
//!   the calls (the subscribers share the machine with the server);
//! - the ratio of the 1,000- to the 1-subscriber p99, and whether the targets
//!   are met: p99 under 20 ms with 1,000 subscribers and at most 3x the
//!   1-subscriber p99, RSS under 64 MiB with 1,000 subscribers.
//!
//! A call that some subscriber never received fails the bench: a stream that
//! misses events silently is a bug, not a slow result. Set `BENCH_QUICK=1`
//! for a short smoke run.

mod support;

use chrono::Utc;
use futures_util::StreamExt;
use layso_protocol::{Change, ServerMessage, TicketChange, TicketId, TicketStep};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{Server, ms, percentile, prepare, process_cpu};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The subscriber count the targets are set for.
const FAN_OUT: usize = 1000;

/// How often counter 1 calls.
const PERIOD: Duration = Duration::from_millis(50);

/// How many subscribers connect at once, so that the server's accept
/// backlog does not overflow.
const BATCH: usize = 50;

/// How often a subscriber sends a heartbeat: the server closes a stream
/// that is silent for three of its 3 s heartbeats.
const BEAT: Duration = Duration::from_secs(2);

/// A subscriber's read buffer, in bytes.
const READ_BUFFER: usize = 4096;

/// How long the server is left alone before its memory is read.
const SETTLE: Duration = Duration::from_secs(2);

/// How long after the last call every subscriber has to receive it.
const GRACE: Duration = Duration::from_secs(5);

/// The issue's target for the p99 with [`FAN_OUT`] subscribers.
const TARGET_P99: Duration = Duration::from_millis(20);
/// The issue's target for that p99 over the 1-subscriber p99.
const TARGET_RATIO: f64 = 3.0;
/// The issue's target for the server's memory with [`FAN_OUT`] subscribers.
const TARGET_RSS_MIB: f64 = 64.0;

/// One subscriber's WebSocket, after its handshake and first frames: the
/// bare TCP stream, read with [`Frames`] (a thousand of them share the two
/// cores with the server, so each should cost as little as it can).
type Socket = tokio::net::TcpStream;

/// Each call a subscriber received, with when it received it; or why its
/// stream failed.
type Heard = Result<Vec<(TicketId, Instant)>, String>;

/// Whether this is a short smoke run.
fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

/// Measures the fan-out to one subscriber, then to [`FAN_OUT`], and judges
/// the targets.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let calls = if quick() { 50 } else { 300 };
    println!(
        "layso events bench, {} UTC, {calls} calls every {} ms",
        Utc::now().format("%Y-%m-%d %H:%M"),
        PERIOD.as_millis()
    );
    let one = fan_out(dir.path(), 1, calls).await;
    let many = fan_out(dir.path(), FAN_OUT, calls).await;

    let ratio = many.p99.as_secs_f64() / one.p99.as_secs_f64();
    println!("ratio p99 {FAN_OUT}/1 subscribers: {ratio:.2}");
    println!(
        "target p99 under {} ms with {FAN_OUT} subscribers: {} ({:.2} ms)",
        TARGET_P99.as_millis(),
        verdict(many.p99 < TARGET_P99),
        ms(many.p99)
    );
    println!(
        "target p99 at most {TARGET_RATIO}x the 1-subscriber p99: {} ({ratio:.2}x)",
        verdict(ratio <= TARGET_RATIO)
    );
    println!(
        "target server RSS under {TARGET_RSS_MIB} MiB with {FAN_OUT} subscribers: {} ({:.1} MiB)",
        verdict(many.rss_mib < TARGET_RSS_MIB),
        many.rss_mib
    );
}

/// A target's verdict, as printed.
fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}

/// What one subscriber count measured.
struct Outcome {
    /// p99 of delivery after the call's response.
    p99: Duration,
    /// The most RSS the server was seen to use with every subscriber
    /// connected, in MiB.
    rss_mib: f64,
}

/// Calls `calls` tickets with `n` subscribers on a fresh database and
/// server; prints and returns what it measured.
async fn fan_out(dir: &Path, n: usize, calls: usize) -> Outcome {
    let db = dir.join(format!("events-{n}.db"));
    prepare(&db).await;
    let server = Server::start(&db);
    // More than are called, so that call-next never finds the hall empty.
    issue(&server, calls + 20).await;
    tokio::time::sleep(SETTLE).await;
    println!(
        "server RSS before {n} subscribers connect: {:.1} MiB",
        server.rss_mib()
    );

    let received = Arc::new(AtomicUsize::new(0));
    let (stop, stopped) = watch::channel(false);
    let subscribers = subscribe(&server, n, calls, &received, &stopped).await;
    tokio::time::sleep(SETTLE).await;
    let connected = server.rss_mib();
    println!("server RSS with {n} subscribers: {connected:.1} MiB");

    let (cpu, own_cpu) = (server.cpu(), process_cpu(std::process::id()));
    let started = Instant::now();
    let answered = call(&server, calls).await;
    let elapsed = started.elapsed().as_secs_f64();
    let busy = (server.cpu() - cpu).as_secs_f64() / elapsed;
    let own_busy = (process_cpu(std::process::id()) - own_cpu).as_secs_f64() / elapsed;
    let deadline = Instant::now() + GRACE;
    while received.load(Ordering::Relaxed) < n * calls && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let after = server.rss_mib();
    stop.send_replace(true);
    let mut heard = Vec::with_capacity(n);
    for task in subscribers {
        heard.push(task.await.expect("a subscriber task does not panic"));
    }
    drop(server);

    let report = deliveries(&answered, heard);
    let lat = &report.latencies;
    if !lat.is_empty() {
        println!(
            "events, {n} subscribers, {calls} calls every {} ms: delivery after the call's response p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples, {} arrived before the response)",
            PERIOD.as_millis(),
            ms(percentile(lat, 0.5)),
            ms(percentile(lat, 0.99)),
            ms(percentile(lat, 1.0)),
            lat.len(),
            report.early
        );
    }
    println!("server RSS with {n} subscribers after the calls: {after:.1} MiB");
    // The bench's subscribers share the two cores with the server.
    println!(
        "CPU during the calls, {n} subscribers: server {:.0}% of a core, bench {:.0}%",
        busy * 100.0,
        own_busy * 100.0
    );
    if report.missing > 0 {
        for problem in &report.problems {
            println!("  {problem}");
        }
        panic!(
            "{} of {} deliveries to {n} subscribers missing",
            report.missing,
            n * calls
        );
    }
    Outcome {
        p99: percentile(lat, 0.99),
        rss_mib: connected.max(after),
    }
}

/// Issues `n` tickets at the kiosk.
async fn issue(server: &Server, n: usize) {
    let mut kiosk = server.kiosk().await;
    for i in 0..n {
        let body = json!({ "service_id": 1, "idempotency_key": format!("events-{i:06}") });
        let (status, answer) = kiosk.post("/api/v1/tickets", &body).await;
        assert_eq!(status, 201, "issue: {answer}");
    }
}

/// Opens `n` subscribers, [`BATCH`] at a time, each batch ready (every
/// hello read) before the next connects; returns their tasks, which listen
/// until `stop` changes and count each call they receive in `received`.
async fn subscribe(
    server: &Server,
    n: usize,
    calls: usize,
    received: &Arc<AtomicUsize>,
    stop: &watch::Receiver<bool>,
) -> Vec<JoinHandle<Heard>> {
    let token = server.secret("devices.display.token");
    let mut tasks = Vec::with_capacity(n);
    for first in (0..n).step_by(BATCH) {
        let mut batch = Vec::with_capacity(BATCH);
        for i in first..n.min(first + BATCH) {
            let (ready, is_ready) = oneshot::channel();
            let (base, token) = (server.base.clone(), token.clone());
            let (received, stop) = (received.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                match connect(&base, &token).await {
                    Ok(socket) => {
                        let _ = ready.send(Ok(()));
                        listen(socket, calls, &received, stop).await
                    }
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        Err("never connected".into())
                    }
                }
            }));
            batch.push((i, is_ready));
        }
        for (i, is_ready) in batch {
            if let Err(error) = is_ready.await.expect("a subscriber says how it connected") {
                panic!("subscriber {i} could not connect: {error}");
            }
        }
    }
    tasks
}

/// Opens an event stream as the demo display and reads its hello.
async fn connect(base: &str, token: &str) -> Result<Socket, String> {
    let url = format!("{}/api/v1/events", base.replace("http://", "ws://"));
    let mut request = url
        .into_client_request()
        .map_err(|e| format!("bad request: {e}"))?;
    let bearer = format!("Bearer {token}")
        .parse()
        .map_err(|e| format!("bad authorization header: {e}"))?;
    request.headers_mut().insert("authorization", bearer);
    // tungstenite zeroes its whole read buffer (128 KiB by default) before
    // each read: with a thousand subscribers that would cost the bench more
    // than the server's fan-out. The server's frames are far smaller.
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .map_err(|e| format!("WebSocket handshake: {e}"))?;
    let first = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .map_err(|_| "no hello within 10 s".to_owned())?;
    match first {
        Some(Ok(Message::Text(text)))
            if matches!(serde_json::from_str(&text), Ok(ServerMessage::Hello(_))) => {}
        other => return Err(format!("expected a hello, got {other:?}")),
    }
    // The waiting counts follow the hello at once; after them nothing comes
    // until the first call, so tungstenite's buffer is empty and the bare
    // stream can be read from here on.
    let second = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .map_err(|_| "no waiting counts within 10 s".to_owned())?;
    match second {
        Some(Ok(Message::Text(text)))
            if matches!(serde_json::from_str(&text), Ok(ServerMessage::Queue(_))) => {}
        other => return Err(format!("expected the waiting counts, got {other:?}")),
    }
    match socket.into_inner() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => Ok(tcp),
        _ => Err("not a plain TCP stream".into()),
    }
}

/// Reads the stream until `stop` changes, noting when each call arrives
/// (and counting it in `received`) and sending a heartbeat every [`BEAT`].
async fn listen(
    mut socket: Socket,
    calls: usize,
    received: &AtomicUsize,
    mut stop: watch::Receiver<bool>,
) -> Heard {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut heard = Vec::with_capacity(calls);
    let mut frames = Frames {
        buffer: Vec::with_capacity(READ_BUFFER),
    };
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + BEAT, BEAT);
    beat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            read = socket.read_buf(&mut frames.buffer) => {
                let at = Instant::now();
                match read {
                    Ok(0) => return Err("the stream ended".into()),
                    Ok(_) => {}
                    Err(e) => return Err(format!("read: {e}")),
                }
                while let Some(frame) = frames.next()? {
                    if let Some(ticket) = called(&frame) {
                        heard.push((ticket, at));
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            _ = beat.tick() => {
                socket
                    .write_all(&HEARTBEAT)
                    .await
                    .map_err(|e| format!("send a heartbeat: {e}"))?;
            }
            _ = stop.changed() => break,
        }
    }
    Ok(heard)
}

/// `{"type":"heartbeat"}` as a masked client text frame (the mask is all
/// zeros, which leaves the payload as it is: the protocol requires a mask,
/// not a secret one).
const HEARTBEAT: [u8; 26] = *b"\x81\x94\0\0\0\0{\"type\":\"heartbeat\"}";

/// Server frames read off a bare stream: unmasked, unfragmented text.
struct Frames {
    buffer: Vec<u8>,
}

impl Frames {
    /// The next whole text frame's payload, if the buffer holds one; an
    /// error for a close or a frame this bench does not expect.
    fn next(&mut self) -> Result<Option<String>, String> {
        let b = &self.buffer;
        if b.len() < 2 {
            return Ok(None);
        }
        let (len, head) = match b[1] & 0x7f {
            126 if b.len() >= 4 => (usize::from(u16::from_be_bytes([b[2], b[3]])), 4),
            127 => return Err("a frame of 64 KiB or more".into()),
            126 => return Ok(None),
            n => (usize::from(n), 2),
        };
        if b.len() < head + len {
            return Ok(None);
        }
        let opcode = b[0] & 0x0f;
        let payload = String::from_utf8_lossy(&b[head..head + len]).into_owned();
        self.buffer.drain(..head + len);
        match opcode {
            0x1 => Ok(Some(payload)),
            0x8 => Err(format!("closed by the server: {payload}")),
            // Pings and pongs carry nothing the bench needs.
            0x9 | 0xa => Ok(Some(String::new())),
            other => Err(format!("unexpected frame opcode {other}")),
        }
    }
}

/// The ticket a frame says was called; none for any other frame.
fn called(text: &str) -> Option<TicketId> {
    // Most frames are not calls: skip them without parsing. Should the
    // server's JSON ever change shape, every call would count as missing
    // and the bench would fail, not pass silently.
    if !text.contains(r#""step":"called""#) {
        return None;
    }
    match serde_json::from_str(text) {
        Ok(ServerMessage::Event(event)) => match event.change {
            Change::Ticket(TicketChange {
                step: TicketStep::Called,
                ticket_id,
                ..
            }) => Some(ticket_id),
            _ => None,
        },
        _ => None,
    }
}

/// Counter 1 calls `calls` tickets, one every [`PERIOD`] (open loop), and
/// moves each on (start, finish: untimed) half a period later; returns each
/// ticket with the instant its call's response was read.
async fn call(server: &Server, calls: usize) -> Vec<(TicketId, Instant)> {
    let mut staff = server.staff(1).await;
    let mut tick = tokio::time::interval(PERIOD);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut answered = Vec::with_capacity(calls);
    for _ in 0..calls {
        let due = tick.tick().await;
        let (status, ticket) = staff
            .post("/api/v1/counters/1/call-next", &Value::Null)
            .await;
        let at = Instant::now();
        assert_eq!(status, 200, "call-next: {ticket}");
        let id = ticket["id"].as_i64().expect("the called ticket's id");
        answered.push((TicketId(id), at));
        // Not at once: their events would then race the call's to every
        // subscriber, where staff press "start" long after the call.
        tokio::time::sleep_until(due + PERIOD / 2).await;
        for step in ["start", "finish"] {
            let (status, body) = staff
                .post(
                    &format!("/api/v1/counters/1/tickets/{id}/{step}"),
                    &Value::Null,
                )
                .await;
            assert_eq!(status, 200, "{step}: {body}");
        }
    }
    answered
}

/// Every subscriber's delivery of every call.
struct Deliveries {
    /// When each subscriber received each call after its response was read,
    /// sorted; a call received before its response counts as zero.
    latencies: Vec<Duration>,
    /// How many calls arrived before their response was read.
    early: usize,
    /// How many (subscriber, call) deliveries are missing.
    missing: usize,
    /// The first few of them, and every failed stream, for the reader.
    problems: Vec<String>,
}

/// Matches what each subscriber heard against the calls `answered`.
fn deliveries(answered: &[(TicketId, Instant)], heard: Vec<Heard>) -> Deliveries {
    let mut out = Deliveries {
        latencies: Vec::with_capacity(answered.len() * heard.len()),
        early: 0,
        missing: 0,
        problems: Vec::new(),
    };
    for (i, heard) in heard.into_iter().enumerate() {
        let heard: HashMap<TicketId, Instant> = match heard {
            Ok(heard) => heard.into_iter().collect(),
            Err(error) => {
                out.missing += answered.len();
                out.problems.push(format!("subscriber {i}: {error}"));
                continue;
            }
        };
        for &(ticket, response) in answered {
            match heard.get(&ticket) {
                Some(&at) => {
                    out.early += usize::from(at < response);
                    out.latencies.push(at.saturating_duration_since(response));
                }
                None => {
                    out.missing += 1;
                    if out.problems.len() < 20 {
                        out.problems
                            .push(format!("subscriber {i} never received ticket {ticket}"));
                    }
                }
            }
        }
    }
    out.latencies.sort_unstable();
    out
}
