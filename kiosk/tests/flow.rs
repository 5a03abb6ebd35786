//! A tap, all the way: a real server (the demo office, on a port of its
//! own), the kiosk's worker, and a fake printer on a pseudo-terminal.

mod support;

use layso_kiosk::client::Client;
use layso_kiosk::escpos_read::{Printed, read};
use layso_kiosk::flow::{Kiosk, Outcome, PrinterSetup, SUSPENDED};
use layso_kiosk::printer::Transport;
use layso_kiosk::ticket::{Paper, Profile, QrMode};
use layso_protocol::{Priority, ServiceId};
use std::io::{Read, Write};
use std::time::Duration;
use support::{Office, PAPER_OUT, READY, pty};

fn kiosk(base: &str, token: &str, path: &str) -> Kiosk {
    let client = Client::new(base, token, Duration::from_secs(2));
    Kiosk::new(
        client,
        PrinterSetup {
            transport: Transport::Serial {
                path: path.to_owned(),
                baud: 9600,
                rts_cts: false,
            },
            profile: Profile::Wpc1258,
            paper: Paper::Mm80,
            qr: QrMode::Native,
            marks: layso_kiosk::wrap::Marks::Cell,
            timeout: Duration::from_millis(300),
        },
    )
}

// A tap prints the server's ticket: its number, service, office and the
// QR code to its tracking page, between two status queries.
#[test]
fn a_tap_prints_the_servers_ticket() {
    let office = Office::start();
    let (path, fake, _slave) = pty(READY);
    let mut kiosk = kiosk(&office.base, &office.kiosk_token(), &path);
    kiosk.refresh().unwrap();
    let outcome = kiosk.take_ticket(ServiceId(1), Priority::None);
    assert_eq!(
        outcome,
        Outcome::Printed {
            number: "A001".into()
        }
    );
    drop(kiosk);
    let got = fake.join().unwrap();
    let queries = [0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 4];
    assert_eq!(got[..9], queries, "asked before");
    assert_eq!(got[got.len() - 9..], queries, "and after");
    let job = read(&got[9..got.len() - 9]).unwrap();
    let text: Vec<String> = job
        .iter()
        .filter_map(|p| match p {
            Printed::Line { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let all = text.join(" ");
    for expected in [
        "Bộ phận Một cửa – UBND xã Tân Phú",
        "Hộ tịch",
        "A001",
        "Bạn là người tiếp theo",
    ] {
        assert!(all.contains(expected), "no {expected:?} in {text:?}");
    }
    let token: String = office
        .runtime
        .block_on(
            sqlx::query_scalar("SELECT public_token FROM tickets")
                .fetch_one(&office.state.db.sqlite().expect("SQLite").read),
        )
        .unwrap();
    assert!(job.contains(&Printed::Qr(format!("{}/t/{token}", office.base))));
    assert_eq!(office.count("SELECT COUNT(*) FROM tickets"), 1);
}

// With a public address set on the server, the QR code opens the ticket's
// page there, not at the address the kiosk itself uses.
#[test]
fn the_qr_code_opens_the_public_address() {
    let office = Office::start_with(|c| c.public_url = Some("http://192.168.1.10:8080".into()));
    let (path, fake, _slave) = pty(READY);
    let mut kiosk = kiosk(&office.base, &office.kiosk_token(), &path);
    kiosk.refresh().unwrap();
    let outcome = kiosk.take_ticket(ServiceId(1), Priority::None);
    assert!(matches!(outcome, Outcome::Printed { .. }), "{outcome:?}");
    drop(kiosk);
    let got = fake.join().unwrap();
    let job = read(&got[9..got.len() - 9]).unwrap();
    let token: String = office
        .runtime
        .block_on(
            sqlx::query_scalar("SELECT public_token FROM tickets")
                .fetch_one(&office.state.db.sqlite().expect("SQLite").read),
        )
        .unwrap();
    let qr = format!("http://192.168.1.10:8080/t/{token}");
    assert!(job.contains(&Printed::Qr(qr.clone())), "no QR code of {qr}");
}

// Out of paper: no ticket is issued, the screen says why, and the server
// hears of the printer's state.
#[test]
fn no_paper_no_ticket() {
    let office = Office::start();
    let (path, fake, _slave) = pty(PAPER_OUT);
    let mut kiosk = kiosk(&office.base, &office.kiosk_token(), &path);
    let outcome = kiosk.take_ticket(ServiceId(1), Priority::None);
    let Outcome::Refused { message } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(message.contains("hết giấy"), "{message}");
    drop(kiosk);
    assert_eq!(fake.join().unwrap().len(), 9, "only the status queries");
    assert_eq!(office.count("SELECT COUNT(*) FROM tickets"), 0);
    assert_eq!(
        office.count(
            "SELECT COUNT(*) FROM devices WHERE kind = 'kiosk' AND printer_status = 'paper_out'"
        ),
        1
    );
}

// With the server away nothing is promised: the screen says issuing is
// suspended and the printer only answered its status.
#[test]
fn server_away_no_ticket() {
    let (path, fake, _slave) = pty(READY);
    let mut kiosk = kiosk("http://127.0.0.1:9", "lsd_unused", &path);
    let outcome = kiosk.take_ticket(ServiceId(1), Priority::None);
    assert_eq!(
        outcome,
        Outcome::Refused {
            message: SUSPENDED.into()
        }
    );
    drop(kiosk);
    assert_eq!(fake.join().unwrap().len(), 9);
}

// The idle kiosk asks its printer every few seconds: paper out reaches the
// server (the monitor shows it) and the kiosk's own screen before anyone
// taps, and the buttons wait for paper.
#[test]
fn the_idle_printer_is_watched() {
    use layso_kiosk::screen::{Input, Screen};
    use layso_protocol::PrinterState;
    let office = Office::start();
    let (path, fake, _slave) = pty(PAPER_OUT);
    let kiosk = kiosk(&office.base, &office.kiosk_token(), &path);
    let worker = layso_kiosk::worker::spawn(kiosk, Duration::from_secs(60), Box::new(|| {}));
    let mut screen = Screen::new(Default::default());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while screen.printer != Some(PrinterState::PaperOut) {
        assert!(
            std::time::Instant::now() < deadline,
            "no printer state within 10 s"
        );
        if let Ok(input) = worker.inputs.recv_timeout(Duration::from_millis(200)) {
            screen.on(input, std::time::Instant::now());
        }
    }
    assert!(screen.server_up);
    assert!(screen.banner().contains("hết giấy"), "{}", screen.banner());
    assert!(screen.buttons().iter().all(|b| !b.enabled));
    assert_eq!(
        screen.on(Input::Tap(ServiceId(1)), std::time::Instant::now()),
        None
    );
    assert_eq!(
        office.text("SELECT printer_status FROM devices WHERE kind = 'kiosk'"),
        "paper_out"
    );
    assert_eq!(
        office.count("SELECT COUNT(*) FROM tickets"),
        0,
        "nobody tapped"
    );
    drop(worker);
    drop(fake);
}

// The installer can tell a kiosk whose token the server refuses (wrong or
// revoked) from a server that is away: the screen shows which, in small
// type under "Tạm ngưng cấp số".
#[test]
fn a_refused_token_is_told_from_a_server_away() {
    use layso_kiosk::screen::{Away, Input, Screen};
    let office = Office::start();
    let mut wrong = kiosk(&office.base, "lsd_not_a_token_of_this_server", "/dev/null");
    assert_eq!(wrong.services_for_screen(), Err(Away::TokenRefused));
    let mut away = kiosk("http://127.0.0.1:9", "lsd_unused", "/dev/null");
    assert_eq!(away.services_for_screen(), Err(Away::Unreachable));
    let mut right = kiosk(&office.base, &office.kiosk_token(), "/dev/null");
    assert!(right.services_for_screen().is_ok());
    let mut screen = Screen::new(Default::default());
    screen.on(
        Input::Services(Err(Away::TokenRefused)),
        std::time::Instant::now(),
    );
    assert_eq!(screen.banner(), SUSPENDED);
    assert!(screen.away.unwrap().note().contains("thu hồi"));
}

// The printer answers, then its line goes dead: the ticket cannot go out.
// The citizen sees the number and what to do, and the server logs the
// ticket as not printed, with a reason staff read in Vietnamese (the
// monitor shows it); one tap is still one ticket.
#[test]
fn a_ticket_issued_but_not_printed_is_reported() {
    use serialport::SerialPort;
    let office = Office::start();
    let (mut master, slave) = serialport::TTYPort::pair().unwrap();
    master.set_timeout(Duration::from_millis(50)).unwrap();
    let path = slave.name().unwrap();
    // Answers the three queries, lets the kiosk read the last answer, and
    // hangs up.
    let printer = std::thread::spawn(move || {
        let mut got = 0;
        let mut buf = [0u8; 1];
        while got < 9 {
            if let Ok(1) = master.read(&mut buf) {
                got += 1;
                if got % 3 == 0 {
                    master.write_all(&[0x12]).unwrap();
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    });
    let mut kiosk = kiosk(&office.base, &office.kiosk_token(), &path);
    kiosk.refresh().unwrap();
    let outcome = kiosk.take_ticket(ServiceId(2), Priority::Elderly);
    printer.join().unwrap();
    drop(slave);
    let Outcome::NotPrinted { number, message } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(number, "B001");
    assert!(message.contains("B001"), "{message}");
    assert_eq!(
        office.count("SELECT COUNT(*) FROM events WHERE kind = 'not_printed'"),
        1
    );
    let reason = office.text("SELECT reason FROM events WHERE kind = 'not_printed'");
    assert!(
        reason.starts_with("Máy in mất kết nối")
            || reason.starts_with("Sau khi in:")
            || reason.starts_with("Gửi vé"),
        "{reason}"
    );
    assert!(
        !reason.contains("os error") && !reason.contains("printing"),
        "{reason}"
    );
    assert_eq!(
        office.count("SELECT COUNT(*) FROM tickets"),
        1,
        "one tap, one ticket"
    );
}

// The screen and the worker together, as the window runs them: the
// services arrive, a tap goes to the worker on its thread, and its outcome
// comes back to the screen.
#[test]
fn screen_and_worker() {
    use layso_kiosk::screen::{Input, Phase, Screen};
    let office = Office::start();
    let (path, fake, _slave) = pty(READY);
    let kiosk = kiosk(&office.base, &office.kiosk_token(), &path);
    let worker = layso_kiosk::worker::spawn(kiosk, Duration::from_secs(60), Box::new(|| {}));
    let mut screen = Screen::new(Default::default());
    let now = std::time::Instant::now;
    let first = worker.inputs.recv_timeout(Duration::from_secs(5)).unwrap();
    screen.on(first, now());
    assert!(screen.server_up);
    let command = screen
        .on(Input::Tap(ServiceId(3)), now())
        .expect("a command");
    assert_eq!(screen.phase, Phase::Printing);
    worker.commands.send(command).unwrap();
    // The idle printer's state may come first.
    loop {
        let input = worker.inputs.recv_timeout(Duration::from_secs(10)).unwrap();
        let done = matches!(input, Input::Done(_));
        screen.on(input, now());
        if done {
            break;
        }
    }
    assert!(
        matches!(&screen.phase, Phase::Printed { number, .. } if number == "C001"),
        "{:?}",
        screen.phase
    );
    drop(worker);
    assert!(fake.join().unwrap().len() > 18);
}
