//! Harness for the end-to-end tests: starts Layso's real binaries on
//! temporary files and free loopback ports, and stops them hard or softly;
//! [`browser`] drives a headless Chromium, [`screen`] an X screen.

pub mod browser;
pub mod screen;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The path of one of the workspace's binaries, built (once per test run
/// and binary) with the same profile as the tests, so it is never stale.
pub fn binary(package: &str, name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let exe = std::env::current_exe().expect("the test binary knows its path");
    // target/<profile>/deps/<test> → target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps");
    let mut built = BUILT.lock().expect("no build panicked");
    if !built.iter().any(|b| b == name) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", package, "--bin", name]);
        if profile_dir.file_name().is_some_and(|p| p == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building {name} failed");
        built.push(name.to_owned());
    }
    profile_dir.join(name)
}

/// A running `layso-server` process.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Whether `child` is strace, with the server its only tracee.
    traced: bool,
}

impl Server {
    /// Starts the server on `database` (created if missing) on a free port
    /// and waits until it says where it listens.
    pub fn start(database: &Path) -> Server {
        Self::start_on(database, "127.0.0.1:0")
    }

    /// Starts the server on `database` listening on `listen` (to restart it
    /// where its clients expect it).
    pub fn start_on(database: &Path, listen: &str) -> Server {
        Self::spawn(
            Command::new(binary("layso-server", "layso-server")),
            database,
            listen,
            false,
        )
    }

    /// Starts the server like [`Server::start`] under Debian's `strace`,
    /// which writes the calls of `syscalls` made by every thread to `log`
    /// with the files' and sockets' names (`-y`) and each string's first
    /// `chars` characters.
    pub fn start_traced(database: &Path, log: &Path, syscalls: &str, chars: u32) -> Server {
        let mut strace = Command::new("strace");
        strace
            .args(["-f", "-y", "-s", &chars.to_string(), "-e"])
            .arg(format!("trace={syscalls}"))
            .arg("-o")
            .arg(log)
            .arg("--")
            .arg(binary("layso-server", "layso-server"));
        Self::spawn(strace, database, "127.0.0.1:0", true)
    }

    fn spawn(mut command: Command, database: &Path, listen: &str, traced: bool) -> Server {
        let mut child = command
            .args(["--listen", listen, "--database"])
            .arg(database)
            .args(["--config", "/nonexistent/layso.toml"])
            .env("LAYSO_SERVER_LOG", "warn")
            // Tests stand for many kiosks with the demo's one token.
            .env("LAYSO_SERVER_KIOSK_BURST", "1000000")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let base = loop {
            assert!(
                Instant::now() < deadline,
                "the server did not start in 30 s"
            );
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("Layso server listening on ") {
                        break url.to_owned();
                    }
                }
                _ => panic!("the server exited before listening"),
            }
        };
        Server {
            child,
            base,
            traced,
        }
    }

    /// Stops the server with SIGTERM (it finishes what it was given and
    /// closes its files) and waits for it, and for strace if traced.
    pub fn stop(mut self) {
        self.signal(libc::SIGTERM);
        let status = self.child.wait().expect("the server is reaped");
        assert!(status.success(), "the server stopped with {status}");
    }

    /// Kills the process with SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        self.signal(libc::SIGKILL);
        self.child.wait().expect("the killed server is reaped");
    }

    /// Sends `signal` to the server itself (strace's tracee, if traced: a
    /// signal to strace would only detach it and leave the server running).
    fn signal(&self, signal: libc::c_int) {
        let pid = if self.traced {
            let own = self.child.id();
            let children = std::fs::read_to_string(format!("/proc/{own}/task/{own}/children"))
                .expect("strace's children");
            children
                .split_whitespace()
                .next()
                .and_then(|pid| pid.parse().ok())
                .expect("strace runs the server")
        } else {
            self.child.id()
        };
        // SAFETY: kill(2) on a pid this test started, with a valid signal.
        let sent = unsafe { libc::kill(pid as libc::pid_t, signal) };
        assert_eq!(sent, 0, "signal {signal} is delivered to {pid}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.traced {
            // Whatever state it is in, the tracee goes first.
            if let Ok(own) =
                std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", self.child.id()))
            {
                for pid in own.split_whitespace().filter_map(|p| p.parse().ok()) {
                    // SAFETY: as in `signal`.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback address nothing listens on now (for a server that must
/// come back on the same port after a restart).
pub fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("a bound address").to_string()
}

/// A value from the credentials file the first start wrote beside
/// `database`, e.g. `secret(db, "devices.kiosk", "token")`: read as the
/// kiosk reads its token.
pub fn secret(database: &Path, section: &str, key: &str) -> String {
    let mut name = database.file_name().expect("a file").to_owned();
    name.push(".credentials.toml");
    layso_device::client::secret(&database.with_file_name(name), section, key)
        .unwrap_or_else(|e| panic!("no {key} in [{section}]: {e}"))
}

/// Sends `body` as JSON (nothing for null) with `method` to `url`, as
/// `token` (none if empty); the status and the JSON answer (null when
/// there is none).
pub async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut request = http.request(method, url);
    if !body.is_null() {
        request = request.json(body);
    }
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// [`send`], for a request that must succeed (2xx): its JSON answer.
pub async fn send_ok(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    let (status, answer) = send(http, method.clone(), url, token, body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {url}: {status} {answer}"
    );
    answer
}

/// Signs the demo's `user` in (at `counter`, for staff) with the password
/// the first start wrote beside `database`; the session token.
pub async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    database: &Path,
    user: &str,
    counter: Option<i64>,
) -> String {
    let password = secret(database, &format!("users.{user}"), "password");
    let body = serde_json::json!({ "username": user, "password": password, "counter_id": counter });
    let url = format!("{base}/api/v1/auth/login");
    let (status, login) = send(http, reqwest::Method::POST, &url, "", &body).await;
    assert_eq!(status, 200, "{user} signs in: {login}");
    login["token"].as_str().expect("a session token").to_owned()
}
