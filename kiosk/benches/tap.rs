//! Touch to last byte: a tap's whole way (printer status, issue at a local
//! demo server, layout, print, status again) until a printer on a
//! pseudo-terminal has the ticket's last byte, for each profile.
//!
//! `cargo bench -p layso-kiosk --bench tap` prints the median and p90 over
//! many taps (a pseudo-terminal has no baud rate: add the wire time from
//! the `ticket` bench for a real serial line).

use layso_kiosk::client::{self, Client};
use layso_kiosk::flow::{Kiosk, Outcome, PrinterSetup};
use layso_kiosk::printer::Transport;
use layso_kiosk::ticket::{Paper, Profile, QrMode};
use layso_protocol::{Priority, ServiceId};
use layso_server::clock::SystemClock;
use layso_server::config::{Config, DemoHours};
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Taps per profile.
const TAPS: usize = 60;

/// A printer on a pseudo-terminal's master: answers every status query
/// "ready" and reports when each job's cut arrives.
fn printer(mut master: serialport::TTYPort, cuts: mpsc::Sender<Instant>) {
    std::thread::spawn(move || {
        let mut tail: Vec<u8> = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = match master.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                Err(_) => return,
            };
            for &b in &buf[..n] {
                tail.push(b);
                if tail.len() > 4 {
                    tail.remove(0);
                }
                let query = tail.len() >= 3 && tail[tail.len() - 3..tail.len() - 1] == [0x10, 0x04];
                if query && master.write_all(&[0x12]).is_err() {
                    return;
                }
                if tail == [0x1D, b'V', b'A', 1] && cuts.send(Instant::now()).is_err() {
                    return;
                }
            }
        }
    });
}

fn main() {
    use serialport::SerialPort;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        database: dir.path().join("layso.db"),
        demo_hours: DemoHours::Always,
        kiosk_burst: 1_000_000,
        log: "error".into(),
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let base = runtime.block_on(async {
        let state = layso_server::start(&config, Arc::new(SystemClock))
            .await
            .expect("server");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(layso_server::serve(listener, state, std::future::pending()));
        format!("http://{addr}")
    });
    let file = layso_server::credentials::DemoSecrets::path_for(&config.database);
    let token = client::secret(&file, "devices.kiosk", "token").expect("kiosk token");
    println!(
        "layso kiosk tap bench: {TAPS} taps per profile, demo server on {base}, printer on a pty"
    );
    for (profile, name) in [
        (Profile::Wpc1258, "wpc1258"),
        (Profile::Xprinter, "xprinter"),
        (Profile::Raster, "raster"),
    ] {
        let (mut master, slave) = serialport::TTYPort::pair().expect("pty");
        master
            .set_timeout(Duration::from_millis(50))
            .expect("timeout");
        let path = slave.name().expect("pty name");
        let (cuts, cut) = mpsc::channel();
        printer(master, cuts);
        let setup = PrinterSetup {
            transport: Transport::Serial {
                path,
                baud: 115_200,
                rts_cts: false,
            },
            profile,
            paper: Paper::Mm80,
            qr: QrMode::Native,
            marks: layso_kiosk::wrap::Marks::Cell,
            timeout: Duration::from_millis(500),
        };
        let mut kiosk = Kiosk::new(Client::new(&base, &token, Duration::from_secs(5)), setup);
        kiosk.refresh().expect("services");
        let mut times = Vec::with_capacity(TAPS);
        for i in 0..TAPS {
            let touched = Instant::now();
            let outcome = kiosk.take_ticket(ServiceId(1 + (i % 4) as i64), Priority::None);
            assert!(matches!(outcome, Outcome::Printed { .. }), "{outcome:?}");
            let last_byte = cut
                .recv_timeout(Duration::from_secs(5))
                .expect("the cut arrived");
            times.push(last_byte - touched);
        }
        times.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name} 80mm: touch to last byte median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
            ms(times[TAPS / 2]),
            ms(times[TAPS * 9 / 10]),
            ms(times[TAPS - 1])
        );
        drop(slave);
    }
}
