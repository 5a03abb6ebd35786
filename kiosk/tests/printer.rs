//! The printer transports against fake printers on the other end of real
//! connections: a local TCP port and a pseudo-terminal (as a serial port
//! and as a device file). The fake records every byte and answers status
//! queries as told: ready, out of paper, paper near its end, or silent.

use layso_kiosk::escpos_read::{Printed, read};
use layso_kiosk::printer::{self, NotReady, Transport};
use layso_kiosk::ticket::{Paper, TextProfile, Ticket, text_bytes};
use std::io::{Read, Write};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The fake's answers to `DLE EOT 1`, `2` and `4`; `None`: it stays silent.
type Answers = Option<[u8; 3]>;
const READY: Answers = Some([0x12, 0x12, 0x12]);
const PAPER_OUT: Answers = Some([0x12, 0x32, 0x72]);
const NEAR_END: Answers = Some([0x12, 0x12, 0x1E]);
const COVER_OPEN: Answers = Some([0x12, 0x16, 0x12]);

/// Runs a fake printer on `stream` until the peer goes away, a cut
/// arrives, or nothing comes for half a second (at most 5 s in all);
/// returns every byte it received.
fn fake<S: Read + Write + Send + 'static>(mut stream: S, answers: Answers) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut heard = Instant::now();
        while Instant::now() < deadline && heard.elapsed() < Duration::from_millis(500) {
            let n = match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    ) =>
                {
                    continue;
                }
                Err(_) => break,
            };
            heard = Instant::now();
            let start = got.len();
            got.extend_from_slice(&buf[..n]);
            // Answer each complete status query that just arrived.
            let from = start.saturating_sub(2);
            for i in from..got.len().saturating_sub(2) {
                if got[i] == 0x10 && got[i + 1] == 0x04 && i + 2 >= start {
                    let index = match got[i + 2] {
                        1 => 0,
                        2 => 1,
                        _ => 2,
                    };
                    if let Some(answers) = answers {
                        stream.write_all(&[answers[index]]).unwrap();
                    }
                }
            }
            if got.ends_with(&[0x1D, b'V', b'A', 1]) {
                break;
            }
        }
        got
    })
}

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

/// A pseudo-terminal pair: the fake printer on the master, the kiosk on
/// the slave's path.
fn pty(answers: Answers) -> (String, JoinHandle<Vec<u8>>, serialport::TTYPort) {
    use serialport::SerialPort;
    let (mut master, slave) = serialport::TTYPort::pair().unwrap();
    master.set_timeout(Duration::from_millis(50)).unwrap();
    let path = slave.name().unwrap();
    (path, fake(master, answers), slave)
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
