//! A fake ESC/POS printer for the tests: it records every byte it gets on
//! a real connection and answers status queries as told.

#![allow(dead_code)]

use layso_server::clock::SystemClock;
use layso_server::config::{Config, DemoHours};
use std::io::{Read, Write};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The fake's answers to `DLE EOT 1`, `2` and `4`; `None`: it stays silent.
pub type Answers = Option<[u8; 3]>;
pub const READY: Answers = Some([0x12, 0x12, 0x12]);
pub const PAPER_OUT: Answers = Some([0x12, 0x32, 0x72]);
pub const NEAR_END: Answers = Some([0x12, 0x12, 0x1E]);
pub const COVER_OPEN: Answers = Some([0x12, 0x16, 0x12]);

/// Runs a fake printer on `stream` until the peer goes away or nothing
/// comes for two seconds (at most 10 s in all: a real printer waits for
/// ever, but a test must end); returns every byte it received.
pub fn fake<S: Read + Write + Send + 'static>(
    mut stream: S,
    answers: Answers,
) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut heard = Instant::now();
        while Instant::now() < deadline && heard.elapsed() < Duration::from_secs(2) {
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
        }
        got
    })
}

/// A fake printer on a local TCP port: its address, and the bytes it will
/// have received from the first connection.
pub fn network_printer(answers: Answers) -> (String, JoinHandle<Vec<u8>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let printer = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        fake(stream, answers).join().unwrap()
    });
    (addr, printer)
}

/// A fake network printer for a kiosk that opens it again and again (for
/// each ticket, and to ask its state while idle): it takes connections one
/// after the other until none comes for 4 s (at most 30 s in all); every
/// byte of all of them.
pub fn network_printer_for_a_while(answers: Answers) -> (String, JoinHandle<Vec<u8>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let printer = std::thread::spawn(move || {
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = Instant::now();
        while Instant::now() < deadline && last.elapsed() < Duration::from_secs(4) {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_millis(50)))
                        .unwrap();
                    got.extend(fake(stream, answers).join().unwrap());
                    last = Instant::now();
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        got
    });
    (addr, printer)
}

/// Compares bytes with a golden file in `tests/golden` (UPDATE_GOLDEN=1
/// rewrites it after a deliberate change).
pub fn assert_golden(name: &str, bytes: &[u8]) {
    let file = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.bin"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&file, bytes).unwrap();
    }
    let golden = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert_eq!(bytes, golden, "{name}");
}

/// A pseudo-terminal pair: the fake printer on the master, the kiosk on
/// the slave's path (keep the slave until the end of the test).
pub fn pty(answers: Answers) -> (String, JoinHandle<Vec<u8>>, serialport::TTYPort) {
    use serialport::SerialPort;
    let (mut master, slave) = serialport::TTYPort::pair().unwrap();
    master.set_timeout(Duration::from_millis(50)).unwrap();
    let path = slave.name().unwrap();
    (path, fake(master, answers), slave)
}

/// A served demo office.
pub struct Office {
    pub base: String,
    pub state: layso_server::state::AppState,
    pub runtime: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
}

impl Office {
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    /// The demo office on a server whose configuration `change` adjusts.
    pub fn start_with(change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            database: dir.path().join("layso.db"),
            demo_hours: DemoHours::Always,
            ..Config::default()
        };
        change(&mut config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (state, base) = runtime.block_on(async {
            let state = layso_server::start(&config, Arc::new(SystemClock))
                .await
                .unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(layso_server::serve(
                listener,
                state.clone(),
                std::future::pending(),
            ));
            (state, format!("http://{addr}"))
        });
        Self {
            base,
            state,
            runtime,
            dir,
        }
    }

    pub fn kiosk_token(&self) -> String {
        let file =
            layso_server::credentials::DemoSecrets::path_for(&self.dir.path().join("layso.db"));
        layso_kiosk::client::secret(&file, "devices.kiosk", "token").unwrap()
    }

    /// One text from the database.
    pub fn text(&self, sql: &'static str) -> String {
        self.runtime
            .block_on(
                sqlx::query_scalar::<_, String>(sql)
                    .fetch_one(&self.state.db.sqlite().expect("SQLite").read),
            )
            .unwrap()
    }

    /// One number from the database.
    pub fn count(&self, sql: &'static str) -> i64 {
        self.runtime
            .block_on(
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&self.state.db.sqlite().expect("SQLite").read),
            )
            .unwrap()
    }
}
