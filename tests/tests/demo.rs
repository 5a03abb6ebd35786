//! The README's first command, `layso-demo`, as a newcomer meets it: on a
//! real X screen (Xvfb) a kiosk window and a display window come up beside
//! the server; a tap on the kiosk draws a ticket into the preview folder,
//! the counter calls it through the API and the display's board shows
//! its number (read back by OCR); SIGTERM stops all three. Without a
//! graphical session the server runs alone and says so.

use layso_e2e::screen::{Screen, poll};
use layso_e2e::{binary, send_ok, sign_in};
use serde_json::json;
use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

/// The kiosk's service buttons' colour (kiosk/src/window.rs ACCENT).
const SERVICE_BUTTON: [u8; 3] = [0, 94, 170];

/// The demo's process, killed if a test fails before it stops it (its
/// parts die with it).
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The demo started in `dir` (its database, credentials, voice pack and
/// ticket pictures land there), on `display` (none: no graphical session).
fn start_demo(dir: &Path, display: Option<&str>) -> (Demo, Lines<BufReader<ChildStdout>>) {
    let mut command = Command::new(binary("layso-demo", "layso-demo"));
    command
        .current_dir(dir)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--config",
            "/nonexistent/layso.toml",
        ])
        .env("LAYSO_SERVER_LOG", "warn")
        .env("LAYSO_DISPLAY_MUTE", "true")
        .env_remove("DISPLAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(display) = display {
        command.env("DISPLAY", display);
    }
    let mut child = command.spawn().expect("the demo starts");
    let lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    (Demo(child), lines)
}

/// The server's address, from the demo's first line.
fn listening(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    let first = lines.next().expect("a line").expect("text");
    first
        .strip_prefix("Layso server listening on ")
        .unwrap_or_else(|| panic!("the demo's first line: {first}"))
        .to_owned()
}

/// SIGTERM to `child`; how it ended, within 15 s.
fn terminate(Demo(child): &mut Demo) -> std::process::ExitStatus {
    // SAFETY: a signal to our own child, not yet reaped.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    poll(Duration::from_secs(15), || child.try_wait().expect("waits"))
        .expect("the demo stops within 15 s of SIGTERM")
}

// A ticket tapped at the demo's kiosk window is printed to the preview,
// called from the API and shown on the demo's display window; SIGTERM
// closes both windows and the server.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_hall_issues_calls_and_shows_a_ticket_on_one_screen() {
    let dir = tempfile::tempdir().unwrap();
    let screen = Screen::start(1366, 768);
    let (mut demo, mut lines) = start_demo(dir.path(), Some(&screen.display));
    let base = listening(&mut lines);

    let kiosk = screen.window("Layso kiosk", Duration::from_secs(60));
    let board = screen.window("Layso display", Duration::from_secs(120));
    // The kiosk offers services once it has reached the server.
    let button = poll(Duration::from_secs(30), || {
        screen.shot(&kiosk).area(SERVICE_BUTTON, 40)
    })
    .expect("the kiosk shows its service buttons");
    let before = screen
        .shot(&board)
        .text(&dir.path().join("board-before.png"));

    let (left, top, right, bottom) = button;
    screen.click(&kiosk, (left + right) / 2, (top + bottom) / 2);
    let previews = dir.path().join("ticket-preview");
    let drawn = poll(Duration::from_secs(20), || {
        let pictures: Vec<_> = std::fs::read_dir(&previews).ok()?.flatten().collect();
        (!pictures.is_empty()).then_some(pictures)
    })
    .expect("the tap drew a ticket into ticket-preview");
    assert_eq!(drawn.len(), 1, "one tap, one ticket");
    assert!(
        drawn[0].file_name().to_string_lossy().ends_with(".png"),
        "{drawn:?}"
    );

    let http = reqwest::Client::new();
    let db = dir.path().join("layso.db");
    let staff = sign_in(&http, &base, &db, "lan", Some(1)).await;
    let url = format!("{base}/api/v1/counters/1/call-next");
    let called = send_ok(&http, reqwest::Method::POST, &url, &staff, &json!({})).await;
    let number = called["number"].as_str().expect("a number").to_owned();
    assert!(
        !before.contains(&number),
        "{number} on the board before its call: {before}"
    );
    let shown = poll(Duration::from_secs(20), || {
        let text = screen.shot(&board).text(&dir.path().join("board.png"));
        text.contains(&number).then_some(text)
    });
    assert!(shown.is_some(), "{number} never read on the board");

    let status = terminate(&mut demo);
    assert!(status.success(), "the demo ended with {status}");
    let gone = poll(Duration::from_secs(5), || {
        screen.windows("Layso").is_empty().then_some(())
    });
    assert!(gone.is_some(), "a window outlived the demo");
}

// Without a graphical session the demo is the server alone, says so and
// how to start the devices elsewhere, and still stops on SIGTERM.
#[tokio::test]
async fn without_a_screen_the_demo_is_the_server_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut demo, mut lines) = start_demo(dir.path(), None);
    let base = listening(&mut lines);
    let said = lines.next().expect("a second line").expect("text");
    assert!(said.starts_with("The server runs alone"), "{said}");
    let rest: Vec<String> = lines.by_ref().take(2).map(|l| l.expect("text")).collect();
    assert!(rest[0].contains("layso-kiosk --server"), "{rest:?}");
    assert!(rest[1].contains("layso-display --server"), "{rest:?}");
    let health = reqwest::get(format!("{base}/healthz")).await.expect("up");
    assert_eq!(health.status(), 200);

    let status = terminate(&mut demo);
    assert!(status.success(), "the demo ended with {status}");
    assert!(
        !dir.path().join("ticket-preview").exists(),
        "no kiosk ran, so none drew"
    );
}
