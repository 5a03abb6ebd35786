//! What the benchmarks share: a demo database made ready for load, the
//! real release server started on it, a minimal HTTP client that signs in
//! as the demo's kiosk or staff, and percentiles.

#![allow(dead_code)]

use layso_server::clock::SystemClock;
use layso_server::config::{Config, DemoHours};
use serde_json::Value;
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// How many open counters [`prepare`] leaves, each serving every service.
pub const COUNTERS: i64 = 8;

/// Creates a database with the demo office, every service open all day with
/// room for 99,999 tickets, and 8 open counters serving every service.
pub async fn prepare(path: &Path) {
    let config = Config {
        database: path.to_owned(),
        demo_hours: DemoHours::Always,
        ..Config::default()
    };
    let state = layso_server::start(&config, Arc::new(SystemClock))
        .await
        .expect("open the bench db");
    state.db.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open the bench db directly");
    sqlx::raw_sql(
        "UPDATE services SET first_number = 1, last_number = 99999, daily_cap = NULL, prefix = ''",
    )
    .execute(&mut conn)
    .await
    .expect("widen the ranges");
    for n in 5..=COUNTERS {
        sqlx::query("INSERT INTO counters (id, office_id, number, name, state) VALUES (?1, 1, ?1, 'Quầy ' || ?1, 'open')")
            .bind(n)
            .execute(&mut conn)
            .await
            .expect("add a counter");
    }
    sqlx::raw_sql(
        "DELETE FROM counter_services;
         INSERT INTO counter_services (counter_id, service_id, position)
         SELECT c.id, s.id, s.position FROM counters c, services s;",
    )
    .execute(&mut conn)
    .await
    .expect("every counter serves every service");
    conn.close().await.expect("close");
}

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The demo's credentials file.
    credentials: PathBuf,
}

impl Server {
    pub fn start(db: &Path) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_layso-server"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--config",
                "/nonexistent.toml",
                "--database",
            ])
            .arg(db)
            // One kiosk token issues thousands of tickets a second here.
            .env("LAYSO_SERVER_KIOSK_BURST", "100000000")
            .env(
                "LAYSO_SERVER_LOG",
                std::env::var("LAYSO_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("piped")).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the server says where it listens")
                .expect("utf-8");
            if let Some(url) = line.strip_prefix("Layso server listening on ") {
                break url.to_owned();
            }
        };
        let credentials = layso_server::credentials::DemoSecrets::path_for(db);
        Server {
            child,
            base,
            credentials,
        }
    }

    /// A secret from the demo's credentials file, e.g. `devices.kiosk.token`.
    pub fn secret(&self, key: &str) -> String {
        use figment::providers::Format;
        figment::Figment::from(figment::providers::Toml::file(&self.credentials))
            .extract_inner(key)
            .expect("the demo's credentials file has it")
    }

    /// A connection as the demo kiosk.
    pub async fn kiosk(&self) -> Http {
        Http::connect(&self.base, &self.secret("devices.kiosk.token")).await
    }

    /// A connection as a demo staff member signed in at `counter` (lan at
    /// odd counters, minh at even ones).
    pub async fn staff(&self, counter: i64) -> Http {
        Http::connect(&self.base, &self.staff_token(counter).await).await
    }

    /// A session of a demo staff member signed in at `counter`.
    pub async fn staff_token(&self, counter: i64) -> String {
        let user = if counter % 2 == 1 { "lan" } else { "minh" };
        let password = self.secret(&format!("users.{user}.password"));
        let mut anonymous = Http::connect(&self.base, "").await;
        let (status, body) = anonymous
            .post(
                "/api/v1/auth/login",
                &serde_json::json!({ "username": user, "password": password, "counter_id": counter }),
            )
            .await;
        assert_eq!(status, 200, "sign in: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// CPU time (user + system) the server has used so far, from /proc.
    pub fn cpu(&self) -> Duration {
        process_cpu(self.child.id())
    }

    /// Resident memory in MiB, from /proc.
    pub fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 keep-alive client: the load generator shares the two
/// cores with the server, so it should cost as little as it can.
pub struct Http {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
    /// The `Authorization` header line, if any.
    auth: String,
}

impl Http {
    /// Connects to `base`, sending `token` (none if empty) with every request.
    pub async fn connect(base: &str, token: &str) -> Http {
        let addr = base.trim_start_matches("http://");
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let auth = if token.is_empty() {
            String::new()
        } else {
            format!("Authorization: Bearer {token}\r\n")
        };
        Http {
            stream: tokio::io::BufReader::new(stream),
            auth,
        }
    }

    /// POSTs a JSON body (none for `Null`: routes without a body leave it
    /// unread, and the server then closes the connection); returns the
    /// status and the response body.
    pub async fn post(&mut self, path: &str, body: &Value) -> (u16, Value) {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        // Head and body in one write, as an HTTP client's buffered writer
        // sends them: one segment, one wake-up of the server.
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\n{}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.auth,
            body.len()
        );
        if let Err(e) = self.stream.get_mut().write_all(request.as_bytes()).await {
            panic!("write {path}: {e}");
        }
        let mut line = String::new();
        self.stream.read_line(&mut line).await.expect("status line");
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.expect("header");
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("length");
            }
        }
        let mut bytes = vec![0; length];
        self.stream.read_exact(&mut bytes).await.expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

/// CPU time (user + system) process `pid` has used so far, from /proc.
pub fn process_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is
    // the 12th and stime the 13th, in clock ticks (100 per second here).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Cancels every waiting ticket behind the server's back (it keeps no
/// queue state in memory), so the next round starts from an empty hall.
pub async fn clear_waiting(db: &Path) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open the bench db directly");
    sqlx::raw_sql("UPDATE tickets SET state = 'cancelled' WHERE state = 'waiting'")
        .execute(&mut conn)
        .await
        .expect("clear the hall");
    conn.close().await.expect("close");
}
