//! Test harness: a real server state on a fresh SQLite file in a temporary
//! directory, a clock the test moves, and helpers to call the router.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use layso_server::clock::ManualClock;
use layso_server::config::{Config, DemoHours};
use layso_server::state::AppState;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// A server state over a fresh demo office, with its clock and files.
///
/// Requests go out as whoever the route is for (see [`Who::for_route`]):
/// the demo kiosk issues, the staff member signed in at counter N acts at
/// counter N, the admin administers, the manager reads. Tests of access
/// itself name the caller with [`TestApp::call_as`].
pub struct TestApp {
    pub state: AppState,
    pub clock: ManualClock,
    pub dir: tempfile::TempDir,
    /// The database it runs on, as configured.
    pub database: std::path::PathBuf,
    /// The PostgreSQL database the app runs on, if it made it (dropped last).
    _scratch: Option<layso_store_postgres::scratch::ScratchDatabase>,
    /// The demo's credentials file, as the first start wrote it.
    pub credentials: Credentials,
    /// Tokens of the sessions opened so far.
    sessions: tokio::sync::Mutex<std::collections::HashMap<Who, String>>,
}

/// Who a test request comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Who {
    /// No credentials at all.
    Nobody,
    /// The demo admin.
    Admin,
    /// The demo manager, `thu`.
    Manager,
    /// A demo staff member signed in at this counter (lan at odd
    /// counters, minh at even ones).
    Staff(i64),
    /// A demo staff member signed in without a counter.
    StaffAtNoCounter,
    /// The demo kiosk.
    Kiosk,
    /// The demo display.
    Display,
    /// Any token.
    Token(String),
}

impl Who {
    /// Whom a route is for, by its path.
    pub fn for_route(method: &Method, path: &str) -> Who {
        let parts: Vec<&str> = path.split(['/', '?']).collect();
        match parts.as_slice() {
            ["", "api", "v1", "tickets"] if method == Method::POST => Who::Kiosk,
            ["", "api", "v1", "tickets", _, "not-printed"]
            | ["", "api", "v1", "devices", "status"] => Who::Kiosk,
            ["", "api", "v1", "counters", id, _, ..] => Who::Staff(id.parse().unwrap()),
            ["", "api", "v1", "admin", ..] => Who::Admin,
            ["", "api", "v1", "track", ..] | ["", "healthz"] => Who::Nobody,
            _ => Who::Manager,
        }
    }
}

/// The demo's credentials file.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Credentials {
    pub server: String,
    pub users: std::collections::BTreeMap<String, UserSecret>,
    pub devices: std::collections::BTreeMap<String, DeviceSecret>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct UserSecret {
    pub role: String,
    pub password: String,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct DeviceSecret {
    pub name: String,
    pub token: String,
}

/// Tuesday 2026-12-01, 09:00 in Hà Nội / TP.HCM (UTC+7): inside office hours.
pub fn tuesday_nine() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
}

impl TestApp {
    /// The demo office with real office hours (07:30–11:15, 13:15–16:30,
    /// Monday–Friday), at Tuesday 09:00.
    pub async fn new() -> Self {
        Self::with_hours(DemoHours::Office).await
    }

    pub async fn with_hours(hours: DemoHours) -> Self {
        Self::with_config(|c| c.demo_hours = hours).await
    }

    /// The demo office with the default configuration changed by `change`.
    pub async fn with_config(change: impl FnOnce(&mut Config)) -> Self {
        // LAYSO_TEST_ENGINE=postgres runs the same tests on a scratch
        // PostgreSQL database (scripts/test runs them on both).
        let postgres = std::env::var("LAYSO_TEST_ENGINE").as_deref() == Ok("postgres");
        Self::on(postgres, change).await
    }

    /// The demo office on a scratch PostgreSQL database, whatever the
    /// engine of the other tests.
    pub async fn on_postgres() -> Self {
        Self::on(true, |_| {}).await
    }

    /// Another server on the same PostgreSQL database as `self`, as a
    /// second process would be: its own state, caches and live pump, the
    /// same clock and demo credentials.
    pub async fn beside(&self) -> Self {
        assert!(
            self._scratch.is_some(),
            "only a PostgreSQL database is shared"
        );
        let config = Config {
            database: self.database.clone(),
            kiosk_burst: 1_000_000,
            session_hours: 24 * 365,
            ..Config::default()
        };
        let state = layso_server::start(&config, Arc::new(self.clock.clone()))
            .await
            .unwrap();
        Self {
            state,
            clock: self.clock.clone(),
            dir: tempfile::tempdir().unwrap(),
            database: self.database.clone(),
            _scratch: None,
            credentials: self.credentials.clone(),
            sessions: Default::default(),
        }
    }

    async fn on(postgres: bool, change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let scratch = match postgres {
            true => Some(layso_store_postgres::scratch::ScratchDatabase::create().await),
            false => None,
        };
        let database = match &scratch {
            Some(scratch) => std::path::PathBuf::from(&scratch.url),
            None => dir.path().join("layso.db"),
        };
        let mut config = Config {
            database,
            demo_hours: DemoHours::Office,
            // Tests issue thousands of tickets from one kiosk; the limit
            // has its own test.
            kiosk_burst: 1_000_000,
            // Tests move the clock by days; expiry has its own test.
            session_hours: 24 * 365,
            ..Config::default()
        };
        change(&mut config);
        let clock = ManualClock::new(tuesday_nine());
        let state = layso_server::start(&config, Arc::new(clock.clone()))
            .await
            .unwrap();
        let file = layso_server::credentials::DemoSecrets::path_for(&config.database);
        let credentials = figment::Figment::from(
            <figment::providers::Toml as figment::providers::Format>::file(&file),
        )
        .extract()
        .unwrap();
        if scratch.is_some() {
            // Written to the current directory; read, it has done its work.
            let _ = std::fs::remove_file(&file);
        }
        Self {
            state,
            clock,
            dir,
            database: config.database.clone(),
            _scratch: scratch,
            credentials,
            sessions: Default::default(),
        }
    }

    /// The token `who` sends (signing in through the API the first time).
    pub async fn token(&self, who: &Who) -> Option<String> {
        let (user, counter) = match who {
            Who::Nobody => return None,
            Who::Token(t) => return Some(t.clone()),
            Who::Kiosk => return Some(self.credentials.devices["kiosk"].token.clone()),
            Who::Display => return Some(self.credentials.devices["display"].token.clone()),
            Who::Admin => ("admin", None),
            Who::Manager => ("thu", None),
            Who::StaffAtNoCounter => ("lan", None),
            Who::Staff(n) if n % 2 == 1 => ("lan", Some(*n)),
            Who::Staff(n) => ("minh", Some(*n)),
        };
        let mut sessions = self.sessions.lock().await;
        if let Some(token) = sessions.get(who) {
            return Some(token.clone());
        }
        let (status, body) = self.login(user, counter).await;
        assert_eq!(status, StatusCode::OK, "login as {user}: {body}");
        let token = body["token"].as_str().unwrap().to_owned();
        sessions.insert(who.clone(), token.clone());
        Some(token)
    }

    /// Signs a demo user in through the API, with their password from the
    /// credentials file.
    pub async fn login(&self, user: &str, counter: Option<i64>) -> (StatusCode, Value) {
        let password = self.credentials.users[user].password.clone();
        let body = json!({ "username": user, "password": password,
                           "counter_id": counter, "office_id": 1 });
        self.call_as(Who::Nobody, Method::POST, "/api/v1/auth/login", Some(body))
            .await
    }

    /// Sends one request through the router as whoever the route is for;
    /// returns status and JSON body (Null for an empty body, a string for a
    /// text one).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let who = Who::for_route(&method, path);
        self.call_as(who, method, path, body).await
    }

    /// Sends one request through the router as `who`.
    pub async fn call_as(
        &self,
        who: Who,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_from([127, 0, 0, 1], who, method, path, body)
            .await
    }

    /// Sends one request through the router as `who`, as if its TCP
    /// connection came from `address`.
    pub async fn call_from(
        &self,
        address: [u8; 4],
        who: Who,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let peer = std::net::SocketAddr::from((address, 40000));
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .extension(axum::extract::ConnectInfo(peer));
        if let Some(token) = Box::pin(self.token(&who)).await {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    /// Sends a request built by the test through the router; returns status
    /// and body as [`TestApp::call_as`] does.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = layso_server::http::app(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let json = response
            .headers()
            .get("content-type")
            .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else if json {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
        } else {
            // Plain text (metrics), kept as a string.
            Value::String(String::from_utf8_lossy(&bytes).into_owned())
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn post_empty(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::POST, path, None).await
    }

    /// Issues an ordinary ticket for a service with a fresh key; panics unless 201.
    pub async fn issue(&self, service: i64) -> Value {
        self.issue_with(service, "none").await
    }

    pub async fn issue_with(&self, service: i64, priority: &str) -> Value {
        self.issue_as(Who::Kiosk, service, priority).await
    }

    /// Issues from a given kiosk; panics unless 201.
    pub async fn issue_as(&self, kiosk: Who, service: i64, priority: &str) -> Value {
        let key = format!("test-{}", next_key());
        let body = json!({ "service_id": service, "priority": priority, "idempotency_key": key });
        let (status, body) = self
            .call_as(kiosk, Method::POST, "/api/v1/tickets", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// call-next at a counter; the ticket, or None on 204.
    pub async fn call_next(&self, counter: i64) -> Option<Value> {
        self.call_next_as(Who::Staff(counter), counter).await
    }

    /// call-next at a counter as `who`.
    pub async fn call_next_as(&self, who: Who, counter: i64) -> Option<Value> {
        let path = format!("/api/v1/counters/{counter}/call-next");
        let (status, body) = self.call_as(who, Method::POST, &path, None).await;
        match status {
            StatusCode::OK => Some(body),
            StatusCode::NO_CONTENT => None,
            other => panic!("call-next at {counter}: {other} {body}"),
        }
    }

    /// One step on a ticket from a counter.
    pub async fn step(&self, counter: i64, ticket: i64, action: &str) -> (StatusCode, Value) {
        self.post_empty(&format!(
            "/api/v1/counters/{counter}/tickets/{ticket}/{action}"
        ))
        .await
    }

    /// Pairs a device of `kind` named `name` through the admin's API; the
    /// answer (`token`, `device`).
    pub async fn pair(&self, kind: &str, name: &str) -> Value {
        let (status, paired) = self
            .post(
                "/api/v1/admin/devices",
                json!({ "kind": kind, "name": name }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{paired}");
        paired
    }

    /// Revokes a paired device through the admin's API; the device after.
    pub async fn revoke(&self, paired: &Value) -> Value {
        let (status, revoked) = self
            .post_empty(&format!(
                "/api/v1/admin/devices/{}/revoke",
                paired["device"]["id"]
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{revoked}");
        revoked
    }

    /// Pairs a device of `kind` in `office` straight in the database (for
    /// offices the demo does not have); its token.
    pub async fn device_in(&self, office: i64, kind: &str, counter: Option<i64>) -> String {
        let token = format!("lsd_test_{}", next_key());
        let key = layso_server::auth::hash(&token);
        sqlx::query(
            "INSERT INTO devices (office_id, kind, name, counter_id, token_hash, created_at)
             VALUES (?, ?, 'Thiết bị thử', ?, ?, 0)",
        )
        .bind(office)
        .bind(kind)
        .bind(counter)
        .bind(&key[..])
        .execute(&mut self.sql().await)
        .await
        .unwrap();
        token
    }

    /// A staff member of `office` created in the database and signed in at
    /// `counter` through the API; their token.
    pub async fn staff_in(&self, office: i64, counter: i64) -> String {
        let (username, password) = (format!("staff{}", next_key()), "mật khẩu thử nghiệm");
        let hash = layso_server::auth::hash_password(password.into())
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO users (office_id, username, full_name, role, password_hash)
             VALUES (?, ?, 'Cán bộ thử', 'staff', ?)",
        )
        .bind(office)
        .bind(&username)
        .bind(hash)
        .execute(&mut self.sql().await)
        .await
        .unwrap();
        let body = json!({ "username": username, "password": password,
                           "counter_id": counter, "office_id": office });
        let (status, body) = self
            .call_as(Who::Nobody, Method::POST, "/api/v1/auth/login", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// The province admin `tinh` of office 1, created in the database (the
    /// demo has none) and signed in through the API; their token.
    pub async fn province_admin(&self) -> String {
        const PASSWORD: &str = "mật khẩu của tỉnh";
        let mut sessions = self.sessions.lock().await;
        let who = Who::Token("province".into());
        if let Some(token) = sessions.get(&who) {
            return token.clone();
        }
        let hash = layso_server::auth::hash_password(PASSWORD.into())
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO users (office_id, username, full_name, role, password_hash)
             VALUES (1, 'tinh', 'Quản trị tỉnh', 'province_admin', ?)",
        )
        .bind(hash)
        .execute(&mut self.sql().await)
        .await
        .unwrap();
        let body = json!({ "username": "tinh", "password": PASSWORD, "office_id": 1 });
        let (status, body) = self
            .call_as(Who::Nobody, Method::POST, "/api/v1/auth/login", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["token"].as_str().unwrap().to_owned();
        sessions.insert(who, token.clone());
        token
    }

    /// Runs SQL on the file directly (setting up odd cases the API cannot
    /// yet create, and reading the event log).
    pub async fn sql(&self) -> sqlx::SqliteConnection {
        use sqlx::Connection;
        sqlx::SqliteConnection::connect(&format!(
            "sqlite://{}",
            self.dir.path().join("layso.db").display()
        ))
        .await
        .unwrap()
    }

    /// The event kinds logged for a ticket, in order.
    pub async fn ticket_events(&self, ticket: i64) -> Vec<String> {
        let mut conn = self.sql().await;
        sqlx::query_scalar::<_, String>("SELECT kind FROM events WHERE ticket_id = ? ORDER BY seq")
            .bind(ticket)
            .fetch_all(&mut conn)
            .await
            .unwrap()
    }

    /// How many events the log holds.
    pub async fn event_count(&self) -> i64 {
        let mut conn = self.sql().await;
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }
}

fn next_key() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static KEY: AtomicU64 = AtomicU64::new(10_000_000);
    KEY.fetch_add(1, Ordering::Relaxed)
}

/// The demo's service ids, in seed order.
pub const HO_TICH: i64 = 1;
pub const CHUNG_THUC: i64 = 2;
pub const DAT_DAI: i64 = 3;
pub const KINH_DOANH: i64 = 4;

impl TestApp {
    /// Runs `requests` together while the writer is held busy, and lets it
    /// go once every one of them waits for it: the writer then takes them
    /// in the order they were made and commits them as one batch.
    pub async fn in_one_batch<F: std::future::Future>(
        &self,
        requests: impl IntoIterator<Item = F>,
    ) -> Vec<F::Output> {
        let writer = &self.state.db.sqlite().expect("SQLite").writer;
        let (started, holding) = tokio::sync::oneshot::channel();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let holder = writer.clone();
        let hold = tokio::spawn(async move {
            holder
                .write(move |_| {
                    Box::pin(async move {
                        let _ = started.send(());
                        let _ = released.await;
                        Ok(())
                    })
                })
                .await
        });
        holding.await.expect("the writer runs the holding job");
        let requests: Vec<F> = requests.into_iter().collect();
        let count = requests.len();
        let let_go = async {
            // Bounded: 5 s at most, then the test sees what it sees.
            for _ in 0..5000 {
                if writer.queued() >= count {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            let _ = release.send(());
        };
        let (outputs, ()) = tokio::join!(join_all(requests), let_go);
        hold.await
            .expect("the holding job ends")
            .expect("the holding job commits");
        outputs
    }

    /// Issues a ticket for each body, as the demo kiosk, in one batch and
    /// in the order given; returns each answer.
    pub async fn issue_in_one_batch(&self, bodies: &[Value]) -> Vec<(StatusCode, Value)> {
        // Once the kiosk's token is known (cached), nothing in front of the
        // writer awaits: the requests reach it in the order they are made.
        self.call_as(Who::Kiosk, Method::GET, "/api/v1/services", None)
            .await;
        self.in_one_batch(
            bodies
                .iter()
                .map(|b| self.post("/api/v1/tickets", b.clone())),
        )
        .await
    }

    /// Opens the live event stream of a served app as the demo display.
    pub async fn events(&self, base: &str, query: &str) -> EventClient {
        let token = self.token(&Who::Display).await.unwrap();
        EventClient::connect_with(base, query, &token).await
    }

    /// Serves the app on a real loopback port (port 0) and returns its base URL.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = self.state.clone();
        tokio::spawn(layso_server::serve(listener, state, std::future::pending()));
        format!("http://{addr}")
    }
}

/// A client of the live event stream, over a real WebSocket.
pub struct EventClient {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl EventClient {
    /// Connects to `/api/v1/events?{query}` on a served app, with `token`.
    pub async fn connect_with(base: &str, query: &str, token: &str) -> Self {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!("{}/api/v1/events?{query}", base.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        Self { ws }
    }

    /// The next frame as JSON, heartbeats included; panics after 5 s or
    /// when the stream ends.
    pub async fn frame(&mut self) -> Value {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        loop {
            let message = tokio::time::timeout(std::time::Duration::from_secs(5), self.ws.next())
                .await
                .expect("no frame within 5 s")
                .expect("the stream ended")
                .expect("a WebSocket error");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Close(frame) => panic!("closed by the server: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next frame that is not a heartbeat.
    pub async fn next(&mut self) -> Value {
        loop {
            let frame = self.frame().await;
            if frame["type"] != "heartbeat" {
                return frame;
            }
        }
    }

    /// The next log event, skipping heartbeats and queue sizes.
    pub async fn event(&mut self) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == "event" {
                return frame;
            }
        }
    }

    /// Waits for the server to close the stream; returns its close code.
    pub async fn closed(&mut self) -> Option<u16> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        loop {
            let next = tokio::time::timeout(std::time::Duration::from_secs(5), self.ws.next())
                .await
                .expect("not closed within 5 s");
            match next {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Sends a heartbeat frame.
    pub async fn beat(&mut self) {
        use futures_util::SinkExt;
        self.ws
            .send(tokio_tungstenite::tungstenite::Message::text(
                r#"{"type":"heartbeat"}"#,
            ))
            .await
            .unwrap();
    }

    /// Closes the stream from the client's side.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// Polls all futures concurrently on the current task and returns their
/// outputs in order (a few lines instead of a dependency).
pub async fn join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.into_iter().map(Box::pin).map(Some).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (slot, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *output = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}
