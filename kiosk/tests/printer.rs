//! The printer transports against fake printers on the other end of real
//! connections: a local TCP port and a pseudo-terminal (as a serial port
//! and as a device file). The fake records every byte and answers status
//! queries as told: ready, out of paper, paper near its end, or silent.

use layso_kiosk::escpos_read::{Printed, read};
use layso_kiosk::printer::{self, NotReady, Transport};
use layso_kiosk::ticket::{Paper, TextProfile, Ticket, text_bytes};
mod support;

use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::{COVER_OPEN, NEAR_END, PAPER_OUT, READY, fake, pty};

fn ticket() -> Ticket {
    Ticket {
        office: "Bộ phận Một cửa – UBND xã Tân Phú".into(),
        service: "Hộ tịch".into(),
        number: "A012".into(),
        issued_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap(),
        people_ahead: Some(3),
        estimated_wait_secs: Some(600),
        tracking_url: "http://127.0.0.1:8080/t/00112233445566778899aabbccddeeff".into(),
        header: String::new(),
        footer: "Cảm ơn quý khách.".into(),
    }
}

const STATUS_QUERIES: [u8; 9] = [0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 4];

/// Asks for the status and, if ready, prints the ticket; returns what the
/// kiosk concluded, how long the status took, and what the fake received.
fn print_through(
    transport: &Transport,
    fake: JoinHandle<Vec<u8>>,
) -> (Result<printer::Status, NotReady>, Duration, Vec<u8>) {
    let job = text_bytes(&ticket(), TextProfile::Wpc1258, Paper::Mm58).unwrap();
    let mut port = printer::open(transport, Duration::from_millis(300)).unwrap();
    let started = Instant::now();
    let status = printer::status(port.as_mut());
    let took = started.elapsed();
    if status.is_ok_and(|s| s.ready().is_ok()) {
        printer::send(port.as_mut(), &job).unwrap();
    }
    drop(port);
    (status, took, fake.join().unwrap())
}

// Over TCP a ready printer answers the three queries and then receives
// the ticket byte for byte.
#[test]
fn tcp_printer_ready_gets_the_ticket() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accept = std::thread::spawn(move || listener.accept().unwrap().0);
    let transport = Transport::Tcp { addr };
    let mut port = printer::open(&transport, Duration::from_millis(300)).unwrap();
    let stream = accept.join().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let fake = fake(stream, READY);
    let status = printer::status(port.as_mut()).unwrap();
    assert_eq!(status.ready(), Ok(()));
    let job = text_bytes(&ticket(), TextProfile::Wpc1258, Paper::Mm58).unwrap();
    printer::send(port.as_mut(), &job).unwrap();
    drop(port);
    let got = fake.join().unwrap();
    assert_eq!(
        got[..9],
        STATUS_QUERIES,
        "the three queries, no stray bytes"
    );
    assert_eq!(got[9..], job[..]);
    let printed = read(&got[9..]).unwrap();
    assert!(printed.contains(&Printed::Qr(ticket().tracking_url)));
}

// Over a serial port (a real pseudo-terminal) the printer's states decide:
// ready and paper-near-end print, paper out and cover open do not, and a
// printer that does not answer is reported within the timeout.
#[test]
fn serial_printer_states() {
    for (answers, expected, prints) in [
        (READY, Ok(()), true),
        (NEAR_END, Ok(()), true),
        (PAPER_OUT, Err(NotReady::PaperOut), false),
        (COVER_OPEN, Err(NotReady::CoverOpen), false),
        (None, Err(NotReady::NoAnswer), false),
    ] {
        let (path, fake, _slave) = pty(answers);
        let transport = Transport::Serial {
            path,
            baud: 9600,
            rts_cts: false,
        };
        let (status, took, got) = print_through(&transport, fake);
        assert_eq!(status.and_then(|s| s.ready()), expected, "{answers:?}");
        if answers == NEAR_END {
            assert!(status.unwrap().paper_near_end);
        }
        if expected == Err(NotReady::NoAnswer) {
            assert!(took < Duration::from_secs(1), "gave up after {took:?}");
        }
        let job = text_bytes(&ticket(), TextProfile::Wpc1258, Paper::Mm58).unwrap();
        assert_eq!(got.len() > STATUS_QUERIES.len(), prints, "{answers:?}");
        if prints {
            assert_eq!(got[9..], job[..]);
        }
    }
}

// A printer device file (here the same kind of pseudo-terminal) reads its
// answers with a deadline too.
#[test]
fn device_file_printer() {
    let (path, fake, _slave) = pty(READY);
    let transport = Transport::File { path: path.into() };
    let (status, _, got) = print_through(&transport, fake);
    assert_eq!(status.and_then(|s| s.ready()), Ok(()));
    assert_eq!(read(&got[9..]).unwrap().last(), Some(&Printed::Cut));
    let (path, fake, _slave) = pty(None);
    let (status, _, _) = print_through(&Transport::File { path: path.into() }, fake);
    assert_eq!(status, Err(NotReady::NoAnswer));
}
