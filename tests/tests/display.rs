//! The hall display against the real server binary, which is killed and
//! restarted in the middle: the board says it is offline, reconnects by
//! itself, catches up, and every call is shown and said exactly once, in
//! order, one announcement after the other.

use layso_display::board::Board;
use layso_display::display::{Display, Note, Speech};
use layso_display::link::Settings;
use layso_display::voice::Voice;
use layso_display::voice::audio::Audio;
use layso_display::voice::pack::Pack;
use layso_display::voice::speaker::{Speaker, SpeakerError};
use layso_e2e::{Server, free_address, secret, send_ok, sign_in};
use layso_protocol::speech::{DEFAULT_PHRASE, Dialect, Reading, call_words};
use serde_json::{Value, json};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Plays each announcement for a while (as speakers take time), and
/// notes when one starts while another is still playing.
struct SlowSpeaker {
    playing: Arc<Mutex<bool>>,
    overlaps: Arc<Mutex<u32>>,
}

impl Speaker for SlowSpeaker {
    fn play(&mut self, _audio: &Audio) -> Result<(), SpeakerError> {
        let mut playing = self.playing.lock().unwrap();
        if *playing {
            *self.overlaps.lock().unwrap() += 1;
        }
        *playing = true;
        drop(playing);
        std::thread::sleep(Duration::from_millis(150));
        *self.playing.lock().unwrap() = false;
        Ok(())
    }
}

/// Staff at counter 1, calling with the real API.
struct Counter {
    http: reqwest::Client,
    base: String,
    token: String,
    kiosk: String,
    issued: u32,
}

impl Counter {
    async fn sign_in(base: &str, db: &std::path::Path) -> Counter {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let token = sign_in(&http, base, db, "lan", Some(1)).await;
        Counter {
            http,
            base: base.to_owned(),
            token,
            kiosk: secret(db, "devices.kiosk", "token"),
            issued: 0,
        }
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        send_ok(&self.http, reqwest::Method::POST, &url, token, &body).await
    }

    /// Issues a ticket, calls it to counter 1, serves and finishes it;
    /// returns its number.
    async fn call_one(&mut self) -> String {
        self.issued += 1;
        let key = format!("display-test-{}", self.issued);
        let kiosk = self.kiosk.clone();
        let token = self.token.clone();
        self.post(
            &kiosk,
            "/api/v1/tickets",
            json!({"service_id": 1, "idempotency_key": key}),
        )
        .await;
        let called = self
            .post(&token, "/api/v1/counters/1/call-next", json!({}))
            .await;
        let id = called["id"].as_i64().unwrap();
        for step in ["start", "finish"] {
            self.post(
                &token,
                &format!("/api/v1/counters/1/tickets/{id}/{step}"),
                json!({}),
            )
            .await;
        }
        called["number"].as_str().unwrap().to_owned()
    }
}

/// Waits (at most `limit`) until the board satisfies `ok`.
fn wait_for(board: &Mutex<Board>, limit: Duration, ok: impl Fn(&Board) -> bool) -> Board {
    let start = Instant::now();
    loop {
        let now = board.lock().unwrap().clone();
        if ok(&now) {
            return now;
        }
        assert!(
            start.elapsed() < limit,
            "the board did not get there: {now:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The words of the announcements noted so far, until `count` or `limit`.
fn said(notes: &Receiver<Note>, count: usize, limit: Duration) -> Vec<Note> {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    while seen
        .iter()
        .filter(|n| matches!(n, Note::Played { .. }))
        .count()
        < count
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match notes.recv_timeout(left) {
            Ok(Note::Applied { .. }) => {}
            Ok(note) => seen.push(note),
            Err(_) => break,
        }
    }
    seen
}

// Calls before, during the absence of, and after a restart of the real
// server: the board goes offline and back, and each call is said once, in
// order, never two at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_survives_a_server_restart_without_losing_a_call() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("layso.db");
    let address = free_address();
    let server = Server::start_on(&db, &address);
    let base = server.base.clone();
    let mut counter = Counter::sign_in(&base, &db).await;

    let (notes_tx, notes) = mpsc::channel();
    let mut settings = Settings::new(&base, &secret(&db, "devices.display", "token"));
    settings.backoff = Duration::from_millis(100);
    settings.max_backoff = Duration::from_millis(400);
    let speech = Speech {
        repeat: 1,
        ..Speech::default()
    };
    let overlaps = Arc::new(Mutex::new(0));
    let speaker = SlowSpeaker {
        playing: Arc::default(),
        overlaps: overlaps.clone(),
    };
    let display = Display::start(
        settings,
        speech,
        Arc::new(Voice::new(Pack::default(), None)),
        Box::new(speaker),
        Arc::new(|| {}),
        Some(notes_tx),
    );
    let board = display.board.clone();
    wait_for(&board, Duration::from_secs(10), |b| b.ready && b.online);
    assert_eq!(
        board.lock().unwrap().office,
        "Bộ phận Một cửa – UBND xã Tân Phú"
    );

    let mut numbers = Vec::new();
    for _ in 0..3 {
        numbers.push(counter.call_one().await);
    }
    wait_for(&board, Duration::from_secs(10), |b| {
        b.latest.as_ref().map(|c| &c.number) == numbers.last()
    });

    // SIGKILL: the board keeps its calls and says it is offline.
    server.kill();
    let offline = wait_for(&board, Duration::from_secs(15), |b| !b.online);
    assert_eq!(offline.latest.as_ref().map(|c| &c.number), numbers.last());

    // Back on the same port; calls go on at once, before the board is back.
    let server = Server::start_on(&db, &address);
    for _ in 0..3 {
        numbers.push(counter.call_one().await);
    }
    let back = wait_for(&board, Duration::from_secs(15), |b| {
        b.online && b.latest.as_ref().map(|c| &c.number) == numbers.last()
    });
    let shown: Vec<&str> = back
        .recent
        .iter()
        .rev()
        .map(|c| c.number.as_str())
        .collect();
    assert_eq!(
        shown,
        numbers[..5].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        back.counters.iter().all(|c| c.current.is_none()),
        "{:?}",
        back.counters
    );

    // Every call said once, in order, each played to its end before the next.
    let notes = said(&notes, numbers.len(), Duration::from_secs(20));
    let expected: Vec<String> = numbers
        .iter()
        .map(|n| call_words(DEFAULT_PHRASE, n, "1", Dialect::North, Reading::Number))
        .collect();
    let words: Vec<String> = notes
        .iter()
        .filter_map(|n| match n {
            Note::Ready { words, .. } => Some(words.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(words, expected);
    for pair in notes.chunks(2) {
        match pair {
            [Note::Ready { seq: a, length, .. }, Note::Played { seq: b }] => {
                assert_eq!(a, b);
                assert!(*length > Duration::from_secs(1), "the chime at least");
            }
            other => panic!("announcements interleaved: {other:?}"),
        }
    }
    assert_eq!(*overlaps.lock().unwrap(), 0);
    display.stop();
    drop(server);
}

// An admin's change reaches a connected board without a reconnection: a
// renamed counter and a new notice show within moments.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_follows_the_admins_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("layso.db");
    let server = Server::start(&db);
    let http = reqwest::Client::new();
    let admin = sign_in(&http, &server.base, &db, "admin", None).await;
    let display = Display::start(
        Settings::new(&server.base, &secret(&db, "devices.display", "token")),
        Speech::default(),
        Arc::new(Voice::new(Pack::default(), None)),
        Box::new(layso_display::voice::speaker::Silent),
        Arc::new(|| {}),
        None,
    );
    let board = display.board.clone();
    wait_for(&board, Duration::from_secs(10), |b| b.ready && b.online);

    let put = |path: &'static str, body: Value| {
        let (http, base, admin) = (http.clone(), server.base.clone(), admin.clone());
        async move {
            let url = format!("{base}{path}");
            send_ok(&http, reqwest::Method::PUT, &url, &admin, &body).await;
        }
    };
    put(
        "/api/v1/admin/counters/1",
        json!({"name": "Tư pháp", "selection": "oldest", "services": [{"service_id": 1}]}),
    )
    .await;
    put(
        "/api/v1/admin/office",
        json!({"name": "UBND xã Tân Phú", "notice": "Chiều nay nghỉ từ 16:00",
               "voice_phrase": "Mời số {số} đến quầy {quầy}"}),
    )
    .await;
    let after = wait_for(&board, Duration::from_secs(10), |b| {
        b.notice == "Chiều nay nghỉ từ 16:00"
            && b.counters.first().is_some_and(|c| c.name == "Tư pháp")
    });
    assert_eq!(after.office, "UBND xã Tân Phú");
    assert_eq!(after.phrase, "Mời số {số} đến quầy {quầy}");
    assert!(after.online);
    display.stop();
}
