//! The hall display's latency and memory, against the real release server
//! on loopback: from a call's HTTP response to the board applying it and
//! to its announcement's first sample being ready (median, p99, max over
//! paced calls, the display running in this process with the default
//! espeak-ng voice pack); and the memory of a separate `layso-display
//! --headless` process across 10,000 calls.
//!
//! `cargo bench -p layso-e2e --bench display` (needs espeak-ng).

use layso_display::display::{Display, Note, Speech};
use layso_display::link::Settings;
use layso_display::voice::Voice;
use layso_display::voice::engine::Engine;
use layso_display::voice::pack::{self, Pack};
use layso_display::voice::speaker::Silent;
use layso_e2e::{Server, binary, secret, send_ok, sign_in};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const PACED: usize = 1_000;
const PACE: Duration = Duration::from_millis(20);
const CALLS: usize = 10_000;

/// Counter 1's staff and the kiosk, over one keep-alive client.
struct Hall {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
    base: String,
    staff: String,
}

impl Hall {
    fn post(&self, token: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        self.runtime.block_on(send_ok(
            &self.http,
            reqwest::Method::POST,
            &url,
            token,
            &body,
        ))
    }

    /// One call at counter 1; the ticket then goes back to the line
    /// (no-show, reactivate), so the pool of tickets never runs out.
    /// Returns when the call's response arrived.
    fn call(&self) -> Instant {
        let ticket = self.post(&self.staff, "/api/v1/counters/1/call-next", json!({}));
        let answered = Instant::now();
        let id = ticket["id"].as_i64().expect("someone waits");
        for step in ["no-show", "reactivate"] {
            self.post(
                &self.staff,
                &format!("/api/v1/counters/1/tickets/{id}/{step}"),
                json!({}),
            );
        }
        answered
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The next announcement-ready note, with the board's note for the same
/// event before it.
fn next_call(notes: &Receiver<Note>) -> (Instant, Instant) {
    let mut applied = Vec::new();
    loop {
        match notes
            .recv_timeout(Duration::from_secs(10))
            .expect("the display keeps up")
        {
            Note::Applied { seq, at } => applied.push((seq, at)),
            Note::Ready { seq, at, .. } => {
                let board = applied
                    .iter()
                    .find(|(s, _)| *s == seq)
                    .map(|(_, at)| *at)
                    .expect("the board applied the call before its announcement");
                return (board, at);
            }
            Note::Played { .. } => {}
        }
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("layso.db");
    let server = Server::start(&db);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let staff = runtime.block_on(sign_in(&http, &server.base, &db, "lan", Some(1)));
    let hall = Hall {
        runtime,
        http,
        base: server.base.clone(),
        staff,
    };
    let kiosk = secret(&db, "devices.kiosk", "token");
    for n in 0..50 {
        hall.post(
            &kiosk,
            "/api/v1/tickets",
            json!({"service_id": 1, "idempotency_key": format!("display-bench-{n:03}")}),
        );
    }
    let display_token = secret(&db, "devices.display", "token");

    // The default voice pack, as a display makes it on its first start.
    let pack_dir = dir.path().join("voice-pack");
    pack::build(&pack_dir, &Engine::espeak("vi")).expect("espeak-ng builds the pack");

    // Latency: the display in this process, calls at a steady pace.
    let (notes_tx, notes) = mpsc::channel();
    let voice = Arc::new(Voice::new(Pack::load(&pack_dir).unwrap(), None));
    let display = Display::start(
        Settings::new(&server.base, &display_token),
        Speech::default(),
        voice,
        Box::new(Silent),
        Arc::new(|| {}),
        Some(notes_tx),
    );
    let start = Instant::now();
    while !display.board.lock().unwrap().ready {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the display connects"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    while notes.try_recv().is_ok() {}
    let (mut board_ms, mut audio_ms) = (Vec::new(), Vec::new());
    for _ in 0..PACED {
        let answered = hall.call();
        let (board, audio) = next_call(&notes);
        let ms = |at: Instant| match at.checked_duration_since(answered) {
            Some(d) => d.as_secs_f64() * 1e3,
            // Seen before the response was read: no delay at all.
            None => 0.0,
        };
        board_ms.push(ms(board));
        audio_ms.push(ms(audio));
        std::thread::sleep(PACE);
    }
    display.stop();
    println!(
        "{PACED} calls, one every {} ms + the calls' own time:",
        PACE.as_millis()
    );
    println!(
        "{:<34} {:>8} {:>8} {:>8}",
        "from the call's response to", "p50 ms", "p99 ms", "max ms"
    );
    for (what, samples) in [
        ("the board updated", &mut board_ms),
        ("the first audio sample ready", &mut audio_ms),
    ] {
        samples.sort_by(f64::total_cmp);
        println!(
            "{what:<34} {:>8.2} {:>8.2} {:>8.2}",
            percentile(samples, 0.5),
            percentile(samples, 0.99),
            samples[samples.len() - 1]
        );
    }

    // Memory: the real display binary, headless and muted, across 10,000
    // calls made as fast as the server takes them.
    let mut child = Command::new(binary("layso-display", "layso-display"))
        .args(["--config", "/nonexistent.toml", "--headless", "--mute"])
        .env("LAYSO_DISPLAY_SERVER", &server.base)
        .env("LAYSO_DISPLAY_TOKEN", &display_token)
        .env("LAYSO_DISPLAY_VOICE_PACK", &pack_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the display starts");
    let pid = child.id();
    let said = Arc::new(AtomicUsize::new(0));
    let counter = said.clone();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if line.is_ok_and(|l| l.starts_with("Xin mời")) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    std::thread::sleep(Duration::from_secs(2));
    let wait_said = |n: usize| {
        let start = Instant::now();
        while said.load(Ordering::Relaxed) < n && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(said.load(Ordering::Relaxed) >= n, "the display fell behind");
    };
    println!("\nlayso-display --headless --mute, resident memory:");
    println!("{:>8} {:>10}", "calls", "RSS MiB");
    println!("{:>8} {:>10.1}", 0, rss_mib(pid));
    let started = Instant::now();
    for n in 1..=CALLS {
        hall.call();
        if [1_000, 2_000, 5_000, CALLS].contains(&n) {
            wait_said(n);
            println!("{n:>8} {:>10.1}", rss_mib(pid));
        }
    }
    println!(
        "({CALLS} calls in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let _ = child.kill();
    let _ = child.wait();
}
