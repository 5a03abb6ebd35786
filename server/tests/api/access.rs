//! Who may do what: the role table over every route, signing in and out,
//! device revocation, counter takeover, session expiry, the kiosk's rate
//! limit and the rating tablet.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

/// Everyone a request can come from in the table.
const CALLERS: [&str; 11] = [
    "nobody",
    "bad-token",
    "province",
    "admin",
    "manager",
    "staff@1",
    "staff@2",
    "staff@none",
    "kiosk",
    "display",
    "rating@1",
];

/// (method, path, who may) for every route. `who may` lists callers from
/// [`CALLERS`]; everyone else gets 401 (no valid token) or 403.
pub fn table() -> Vec<(Method, &'static str, Vec<&'static str>)> {
    let all_valid = vec![
        "province",
        "admin",
        "manager",
        "staff@1",
        "staff@2",
        "staff@none",
        "kiosk",
        "display",
        "rating@1",
    ];
    let people = vec!["admin", "manager", "staff@1", "staff@2", "staff@none"];
    let any_person = vec![
        "province",
        "admin",
        "manager",
        "staff@1",
        "staff@2",
        "staff@none",
    ];
    let province = vec!["province"];
    let hall = vec![
        "admin",
        "manager",
        "staff@1",
        "staff@2",
        "staff@none",
        "display",
    ];
    let mut services = hall.clone();
    services.push("kiosk");
    let public = {
        let mut p = all_valid.clone();
        p.extend(["nobody", "bad-token"]);
        p
    };
    let at_counter_1 = vec!["staff@1"];
    let admin = vec!["admin"];
    let rating = vec!["rating@1"];
    use Method as M;
    vec![
        (M::GET, "/healthz", public.clone()),
        (M::GET, "/metrics", public.clone()),
        (M::GET, "/api/v1/openapi.json", public.clone()),
        (M::GET, "/api/v1/services", services),
        (M::POST, "/api/v1/tickets", vec!["kiosk"]),
        (M::GET, "/api/v1/tickets/1", people.clone()),
        (M::POST, "/api/v1/tickets/1/not-printed", vec!["kiosk"]),
        (M::POST, "/api/v1/devices/status", vec!["kiosk"]),
        (
            M::GET,
            "/api/v1/track/0123456789abcdef0123456789abcdef",
            public.clone(),
        ),
        (M::GET, "/api/v1/queue", hall.clone()),
        (M::GET, "/api/v1/counters", hall.clone()),
        (M::GET, "/api/v1/events", hall),
        (M::POST, "/api/v1/counters/1/pause", at_counter_1.clone()),
        (M::POST, "/api/v1/counters/1/open", at_counter_1.clone()),
        (
            M::POST,
            "/api/v1/counters/1/call-next",
            at_counter_1.clone(),
        ),
        (M::POST, "/api/v1/counters/1/call", at_counter_1.clone()),
        (
            M::POST,
            "/api/v1/counters/1/tickets/1/recall",
            at_counter_1.clone(),
        ),
        (
            M::POST,
            "/api/v1/counters/1/tickets/1/start",
            at_counter_1.clone(),
        ),
        (
            M::POST,
            "/api/v1/counters/1/tickets/1/finish",
            at_counter_1.clone(),
        ),
        (
            M::POST,
            "/api/v1/counters/1/tickets/1/no-show",
            at_counter_1.clone(),
        ),
        (
            M::POST,
            "/api/v1/counters/1/tickets/1/reactivate",
            at_counter_1.clone(),
        ),
        (
            M::POST,
            "/api/v1/counters/1/tickets/1/transfer",
            at_counter_1.clone(),
        ),
        (
            M::POST,
            "/api/v1/counters/1/tickets/1/cancel",
            at_counter_1.clone(),
        ),
        (M::POST, "/api/v1/counters/1/close", at_counter_1),
        (M::POST, "/api/v1/admin/close-day", admin.clone()),
        (M::GET, "/api/v1/admin/devices", admin.clone()),
        (M::POST, "/api/v1/admin/devices", admin.clone()),
        (M::POST, "/api/v1/admin/devices/999/revoke", admin.clone()),
        (M::GET, "/api/v1/admin/users", admin.clone()),
        (M::POST, "/api/v1/admin/users", admin.clone()),
        (M::PUT, "/api/v1/admin/users/999/password", admin.clone()),
        (M::POST, "/api/v1/admin/services", admin.clone()),
        (M::PUT, "/api/v1/admin/services/999", admin.clone()),
        (M::PUT, "/api/v1/admin/office", admin.clone()),
        (M::POST, "/api/v1/admin/counters", admin.clone()),
        (M::PUT, "/api/v1/admin/counters/999", admin.clone()),
        (M::PUT, "/api/v1/admin/users/999", admin),
        (M::GET, "/api/v1/ratings/current", rating.clone()),
        (M::POST, "/api/v1/ratings", rating),
        (M::GET, "/api/v1/province/offices", province.clone()),
        (M::POST, "/api/v1/province/offices", province.clone()),
        (M::POST, "/api/v1/province/offices/1/users", province),
        (M::GET, "/api/v1/auth/me", all_valid),
        (M::POST, "/api/v1/auth/login", public),
        // Last: it ends the sessions it is allowed for.
        (M::POST, "/api/v1/auth/logout", any_person),
    ]
}

// Every route with every kind of caller: allowed ones pass the guard (any
// answer but 401, 403 or a 5xx), the others get 401 without a valid token
// and 403 with the wrong role or counter.
#[tokio::test]
async fn the_role_table() {
    let app = TestApp::new().await;
    let tablet = rating_tablet_at_one(&app).await;
    let province = app.province_admin().await;
    let who = |name: &str| match name {
        "rating@1" => Who::Token(tablet.clone()),
        "province" => Who::Token(province.clone()),
        other => caller_of(other),
    };
    let mut wrong = Vec::new();
    for (method, path, allowed) in table() {
        for caller in CALLERS {
            let (status, body) = app
                .call_as(who(caller), method.clone(), path, Some(json!({})))
                .await;
            let expected_refusal = if ["nobody", "bad-token"].contains(&caller) {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            let ok = if allowed.contains(&caller) {
                // Past the guard, and not broken: a 5xx is never "allowed".
                status != StatusCode::UNAUTHORIZED
                    && status != StatusCode::FORBIDDEN
                    && !status.is_server_error()
            } else {
                status == expected_refusal
                    && body["code"]
                        == if status == StatusCode::UNAUTHORIZED {
                            "unauthorized"
                        } else {
                            "forbidden"
                        }
            };
            if !ok {
                wrong.push(format!("{method} {path} as {caller}: {status} {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// (path, who sees it) for every page: the others are sent to the login
/// (no valid token, or a device: devices have no pages) or get the
/// Vietnamese 403 page (a person of the wrong role).
fn page_table() -> Vec<(&'static str, Vec<&'static str>)> {
    let public = CALLERS.to_vec();
    let staff = vec!["staff@1", "staff@2", "staff@none"];
    let watchers = vec!["admin", "manager"];
    vec![
        ("/login", public.clone()),
        ("/static/layso.css", public.clone()),
        ("/static/layso.js", public.clone()),
        ("/t/0123456789abcdef0123456789abcdef", public),
        ("/console", staff.clone()),
        ("/console/panel", staff),
        ("/monitor", watchers.clone()),
        ("/monitor/panel", watchers),
        ("/admin", vec!["admin"]),
        ("/province", vec!["province"]),
    ]
}

// Every page with every kind of caller: who may see it gets it (a missing
// ticket's page is a 404, never a 5xx); a person of another role gets the
// 403 page; nobody, a bad token and a device are sent to the login.
#[tokio::test]
async fn the_pages_role_table() {
    let app = TestApp::new().await;
    let tablet = rating_tablet_at_one(&app).await;
    let province = app.province_admin().await;
    let people = [
        "province",
        "admin",
        "manager",
        "staff@1",
        "staff@2",
        "staff@none",
    ];
    let mut wrong = Vec::new();
    for (path, allowed) in page_table() {
        for caller in CALLERS {
            let who = match caller {
                "rating@1" => Who::Token(tablet.clone()),
                "province" => Who::Token(province.clone()),
                other => caller_of(other),
            };
            let (status, body) = app.call_as(who, Method::GET, path, None).await;
            let ok = if allowed.contains(&caller) {
                status == StatusCode::OK
                    || (path.starts_with("/t/") && status == StatusCode::NOT_FOUND)
            } else if people.contains(&caller) {
                status == StatusCode::FORBIDDEN
            } else {
                status == StatusCode::SEE_OTHER
            };
            if !ok {
                let body = body.to_string();
                wrong.push(format!(
                    "GET {path} as {caller}: {status} {}",
                    &body[..body.len().min(200)]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Pairs a rating tablet at counter 1; its token.
async fn rating_tablet_at_one(app: &TestApp) -> String {
    let (_, tablet) = app
        .post(
            "/api/v1/admin/devices",
            json!({ "kind": "rating", "name": "Máy đánh giá quầy 1", "counter_id": 1 }),
        )
        .await;
    tablet["token"].as_str().unwrap().to_owned()
}

/// The test caller named `name` in [`CALLERS`] (but the rating tablet,
/// which each test pairs itself).
fn caller_of(name: &str) -> Who {
    match name {
        "nobody" => Who::Nobody,
        "bad-token" => Who::Token("lss_0000".into()),
        "admin" => Who::Admin,
        "manager" => Who::Manager,
        "staff@1" => Who::Staff(1),
        "staff@2" => Who::Staff(2),
        "staff@none" => Who::StaffAtNoCounter,
        "kiosk" => Who::Kiosk,
        "display" => Who::Display,
        other => panic!("{other}"),
    }
}

// The first start writes every demo secret to a file only its owner can
// read, with random passwords that actually sign in.
#[tokio::test]
async fn first_start_writes_random_credentials_privately() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::new().await;
    let other = TestApp::new().await;
    let file = layso_server::credentials::DemoSecrets::path_for(&app.dir.path().join("layso.db"));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    for user in ["admin", "thu", "lan", "minh"] {
        let password = &app.credentials.users[user].password;
        assert!(password.len() >= 12, "{user}");
        assert_ne!(password, &other.credentials.users[user].password, "{user}");
        let (status, body) = app.login(user, None).await;
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
    }
    assert_eq!(app.credentials.users["admin"].role, "admin");
    assert_eq!(app.credentials.devices["kiosk"].name, "Kiosk sảnh chính");
    // A wrong password, or a user that does not exist, is the same refusal.
    for (user, password) in [("admin", "admin"), ("nobody", "whatever-password")] {
        let (status, body) = app
            .call_as(
                Who::Nobody,
                Method::POST,
                "/api/v1/auth/login",
                Some(json!({ "username": user, "password": password })),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("bad_credentials"))
        );
    }
}

// Passwords given in the configuration are the ones that work.
#[tokio::test]
async fn configured_passwords_are_used() {
    let app = TestApp::with_config(|c| {
        c.initial_passwords
            .insert("admin".into(), "một mật khẩu dài".into());
    })
    .await;
    assert_eq!(app.credentials.users["admin"].password, "một mật khẩu dài");
    assert_eq!(app.login("admin", None).await.0, StatusCode::OK);
}

// A revoked device is refused at once, and its open event stream is closed.
#[tokio::test]
async fn a_revoked_device_is_refused_and_its_stream_closed() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let paired = app.pair("display", "Màn hình tầng 2").await;
    let token = paired["token"].as_str().unwrap().to_owned();
    let display = Who::Token(token.clone());
    assert_eq!(
        app.call_as(display.clone(), Method::GET, "/api/v1/queue", None)
            .await
            .0,
        StatusCode::OK
    );
    let mut stream = EventClient::connect_with(&base, "", &token).await;
    assert_eq!(stream.next().await["type"], "hello");

    let revoked = app.revoke(&paired).await;
    assert!(revoked["revoked_at"].is_string());
    let (status, body) = app
        .call_as(display, Method::GET, "/api/v1/queue", None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    assert_eq!(stream.closed().await, Some(4401));
    // The other display goes on.
    assert_eq!(
        app.call_as(Who::Display, Method::GET, "/api/v1/queue", None)
            .await
            .0,
        StatusCode::OK
    );
}

// Logging out ends the session at once; signing in at a counter signs out
// whoever was there, and the counter's events name the newcomer.
#[tokio::test]
async fn logout_and_counter_takeover() {
    let app = TestApp::new().await;
    let lan = Who::Token(app.token(&Who::Staff(1)).await.unwrap());
    assert_eq!(
        app.call_as(lan.clone(), Method::GET, "/api/v1/auth/me", None)
            .await
            .0,
        StatusCode::OK
    );
    // minh takes counter 1 over.
    let (status, minh) = app.login("minh", Some(1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.call_as(lan, Method::POST, "/api/v1/counters/1/call-next", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let minh = Who::Token(minh["token"].as_str().unwrap().to_owned());
    app.issue(HO_TICH).await;
    let (status, called) = app
        .call_as(
            minh.clone(),
            Method::POST,
            "/api/v1/counters/1/call-next",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut conn = app.sql().await;
    let user: i64 =
        sqlx::query_scalar("SELECT user_id FROM events WHERE ticket_id = ? AND kind = 'called'")
            .bind(called["id"].as_i64().unwrap())
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(user, 4, "minh");
    let (status, _) = app
        .call_as(minh.clone(), Method::POST, "/api/v1/auth/logout", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call_as(minh, Method::GET, "/api/v1/auth/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (_, counters) = app.get("/api/v1/counters").await;
    assert_eq!(
        counters[0]["staff_user_id"],
        Value::Null,
        "nobody at counter 1 now"
    );
}

// Sessions end by themselves.
#[tokio::test]
async fn sessions_expire() {
    let app = TestApp::with_config(|c| c.session_hours = 12).await;
    let (_, me) = app.get("/api/v1/auth/me").await;
    assert_eq!(me["kind"], "user");
    app.clock.advance(chrono::Duration::hours(12));
    let (status, _) = app.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

// A child pressing the button again and again gets a few tickets, then a
// friendly refusal in Vietnamese; retries of a ticket already issued never
// count, and the kiosk may issue again after a pause.
#[tokio::test]
async fn a_kiosk_is_rate_limited() {
    let app = TestApp::with_config(|c| {
        c.kiosk_burst = 3;
        c.kiosk_refill_secs = 20;
    })
    .await;
    let body =
        |n: u32| json!({ "service_id": HO_TICH, "idempotency_key": format!("child-press-{n}") });
    for n in 0..3 {
        assert_eq!(
            app.post("/api/v1/tickets", body(n)).await.0,
            StatusCode::CREATED
        );
    }
    let mut refused = 0;
    for n in 3..50 {
        let (status, err) = app.post("/api/v1/tickets", body(n)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(err["code"], "rate_limited");
        assert!(
            err["citizen_message"]
                .as_str()
                .unwrap()
                .contains("Mời bạn chờ một lát")
        );
        refused += 1;
    }
    assert_eq!(refused, 47);
    // A tap already answered, retried (the kiosk lost the answer), is
    // answered again even now.
    assert_eq!(app.post("/api/v1/tickets", body(0)).await.0, StatusCode::OK);
    let (_, snapshot) = app.get("/api/v1/queue").await;
    assert_eq!(
        snapshot["tickets"].as_array().unwrap().len(),
        3,
        "refusals issued nothing"
    );
    app.clock.advance(chrono::Duration::seconds(20));
    assert_eq!(
        app.post("/api/v1/tickets", body(100)).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        app.post("/api/v1/tickets", body(101)).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

// The tablet at a counter rates the ticket just finished there, once.
#[tokio::test]
async fn the_rating_tablet_rates_the_ticket_just_finished() {
    let app = TestApp::new().await;
    let (_, tablet) = app
        .post(
            "/api/v1/admin/devices",
            json!({ "kind": "rating", "name": "Máy đánh giá", "counter_id": 1 }),
        )
        .await;
    let tablet = Who::Token(tablet["token"].as_str().unwrap().to_owned());
    let rate = |ticket: &Value, score: u8| json!({ "ticket_id": ticket["id"], "score": score });
    let first = app.issue(HO_TICH).await;
    let second = app.issue(HO_TICH).await;
    app.call_next(1).await.unwrap();
    let (status, _) = app
        .call_as(tablet.clone(), Method::GET, "/api/v1/ratings/current", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "nothing finished yet");
    app.step(1, first["id"].as_i64().unwrap(), "start").await;
    app.step(1, first["id"].as_i64().unwrap(), "finish").await;
    let (_, current) = app
        .call_as(tablet.clone(), Method::GET, "/api/v1/ratings/current", None)
        .await;
    assert_eq!(current["display_number"], first["number"]);
    let (status, err) = app
        .call_as(
            tablet.clone(),
            Method::POST,
            "/api/v1/ratings",
            Some(rate(&second, 5)),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_ratable"))
    );
    let (status, _) = app
        .call_as(
            tablet.clone(),
            Method::POST,
            "/api/v1/ratings",
            Some(rate(&first, 9)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, rated) = app
        .call_as(
            tablet.clone(),
            Method::POST,
            "/api/v1/ratings",
            Some(rate(&first, 5)),
        )
        .await;
    assert_eq!(
        (status, rated["score"].as_u64()),
        (StatusCode::CREATED, Some(5))
    );
    let (status, _) = app
        .call_as(
            tablet,
            Method::POST,
            "/api/v1/ratings",
            Some(rate(&first, 1)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "once only");
}

// An admin creates a user who can sign in; a new password ends the user's
// sessions.
#[tokio::test]
async fn admin_manages_users() {
    let app = TestApp::new().await;
    let (status, user) = app
        .post(
            "/api/v1/admin/users",
            json!({ "username": "hoa", "full_name": "Phạm Thị Hoa", "role": "staff",
                    "password": "mật khẩu của Hoa" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["full_name"], "Phạm Thị Hoa");
    let login =
        |password: &str| Some(json!({ "username": "hoa", "password": password, "counter_id": 3 }));
    let (status, session) = app
        .call_as(
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            login("mật khẩu của Hoa"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let hoa = Who::Token(session["token"].as_str().unwrap().to_owned());
    let (status, _) = app
        .post("/api/v1/admin/users", json!({ "username": "hoa", "full_name": "X", "role": "staff", "password": "0123456789" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "name taken");
    let (status, _) = app
        .post(
            "/api/v1/admin/users",
            json!({ "username": "short", "full_name": "X", "role": "staff", "password": "123" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "password too short"
    );
    let path = format!("/api/v1/admin/users/{}/password", user["id"]);
    let (status, _) = app
        .call(
            Method::PUT,
            &path,
            Some(json!({ "password": "một mật khẩu mới" })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call_as(hoa, Method::GET, "/api/v1/auth/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = app
        .call_as(
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            login("mật khẩu của Hoa"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A sign-in's body for the demo office.
fn sign_in(username: &str, password: &str) -> Option<Value> {
    Some(json!({ "username": username, "password": password }))
}

// A guesser gets five tries at a user name from their address; then even
// the right password waits there, while the same user signs in from their
// own PC and other users sign in as usual.
#[tokio::test]
async fn repeated_failed_sign_ins_are_held_off() {
    let app = TestApp::new().await;
    let guesser = [10, 0, 0, 66];
    let attempt = |password: String| {
        app.call_from(
            guesser,
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            sign_in("admin", &password),
        )
    };
    for n in 0..5 {
        let (status, _) = attempt(format!("guess number {n}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let right = app.credentials.users["admin"].password.clone();
    let (status, err) = attempt(right.clone()).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    let (status, _) = app
        .call_from(
            [10, 0, 0, 7],
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            sign_in("admin", &right),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the admin's own PC is not held off");
    assert_eq!(
        app.login("thu", None).await.0,
        StatusCode::OK,
        "nor other users"
    );
    app.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(attempt(right).await.0, StatusCode::OK);
}

// Forty guesses sent at once are counted as they start: five are checked,
// the others refused before their password is looked at, the right one
// among them included.
#[tokio::test]
async fn parallel_guesses_are_counted_in_flight() {
    let app = TestApp::new().await;
    let right = app.credentials.users["lan"].password.clone();
    let guesses = (0..40).map(|n| {
        let password = if n == 39 {
            right.clone()
        } else {
            format!("guess number {n}")
        };
        app.call_from(
            [10, 0, 0, 66],
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            sign_in("lan", &password),
        )
    });
    let answers = join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::OK)
        .count();
    let held = answers
        .iter()
        .filter(|(s, b)| *s == StatusCode::TOO_MANY_REQUESTS && b["code"] == "too_many_attempts")
        .count();
    assert_eq!((checked, held), (5, 35), "{answers:?}");
}

// Whatever a sign-in carries, the server keeps and logs a bounded amount: a
// body over 4 KiB is refused before it is parsed, a name that cannot be a
// user name is refused without being kept, and a long password is not
// hashed.
#[tokio::test]
async fn sign_in_fields_are_bounded() {
    let app = TestApp::new().await;
    let huge = "x".repeat(1 << 20);
    let (status, err) = app
        .call_as(
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            sign_in(&huge, "password"),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    for name in ["x".repeat(33), "Ăn".into(), "a\u{0}b".into(), "a".into()] {
        let (status, err) = app
            .call_as(
                Who::Nobody,
                Method::POST,
                "/api/v1/auth/login",
                sign_in(&name, "password"),
            )
            .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("bad_credentials")),
            "{name}"
        );
    }
    assert!(
        app.state.sign_ins.is_empty(),
        "nothing kept of names no user has"
    );
    let (status, _) = app
        .call_as(
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            sign_in("admin", &"p".repeat(3000)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A capitalised name is the lower-case user's.
    let right = app.credentials.users["admin"].password.clone();
    let (status, _) = app
        .call_as(
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            sign_in("Admin", &right),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// The id of the demo user `username`, as the admin lists it.
async fn user_id(app: &TestApp, username: &str) -> i64 {
    let (_, users) = app.get("/api/v1/admin/users").await;
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("no user {username}: {users}"))["id"]
        .as_i64()
        .unwrap()
}

// A change of a user's role, counters or active flag reaches their open
// sessions at once, even sessions already used (and so cached): a demoted
// admin can no longer administer and their stream closes; a clerk whose
// counter is taken off their list can no longer work it, elsewhere they can.
#[tokio::test]
async fn account_changes_reach_open_sessions() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let (status, _) = app
        .post(
            "/api/v1/admin/users",
            json!({ "username": "hung", "full_name": "Lê Văn Hùng", "role": "admin",
                    "password": "mật khẩu của Hùng" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let body = json!({ "username": "hung", "password": "mật khẩu của Hùng" });
    let (_, session) = app
        .call_as(Who::Nobody, Method::POST, "/api/v1/auth/login", Some(body))
        .await;
    let token = session["token"].as_str().unwrap().to_owned();
    let hung = Who::Token(token.clone());
    let add = |n: u32| {
        json!({ "username": format!("new{n}"), "full_name": "Người mới", "role": "admin",
                "password": "một mật khẩu dài" })
    };
    let (status, _) = app
        .call_as(
            hung.clone(),
            Method::POST,
            "/api/v1/admin/users",
            Some(add(1)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "an admin administers");
    let mut stream = EventClient::connect_with(&base, "", &token).await;
    assert_eq!(stream.next().await["type"], "hello");

    let id = user_id(&app, "hung").await;
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/admin/users/{id}"),
            Some(json!({ "full_name": "Lê Văn Hùng", "role": "staff", "disabled": false })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call_as(
            hung.clone(),
            Method::POST,
            "/api/v1/admin/users",
            Some(add(2)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the demoted session ended"
    );
    assert_eq!(
        app.call_as(hung, Method::GET, "/api/v1/auth/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(stream.closed().await, Some(4401));

    // Lan works counter 1 (session used once), then may work counter 3 only.
    app.issue(HO_TICH).await;
    let at_one = Who::Token(app.token(&Who::Staff(1)).await.unwrap());
    let (status, _) = app
        .call_as(
            at_one.clone(),
            Method::POST,
            "/api/v1/counters/1/pause",
            Some(json!({ "reason": "nghỉ giải lao" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, at_three) = app.login("lan", Some(3)).await;
    let at_three = Who::Token(at_three["token"].as_str().unwrap().to_owned());
    let lan = user_id(&app, "lan").await;
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/admin/users/{lan}"),
            Some(
                json!({ "full_name": "Nguyễn Thị Lan", "role": "staff", "disabled": false,
                         "counters": [3] }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call_as(at_one, Method::POST, "/api/v1/counters/1/open", None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "counter 1 is no longer hers"
    );
    let (_, counters) = app.get("/api/v1/counters").await;
    assert_eq!(
        counters[0]["staff_user_id"],
        Value::Null,
        "nobody at counter 1"
    );
    let (status, body) = app
        .call_as(at_three, Method::POST, "/api/v1/counters/3/call-next", None)
        .await;
    assert!(status.is_success(), "counter 3 still is: {status} {body}");
}

/// What every office-2 name carries, so that a leak shows in any answer.
const OTHER: &str = "Phường Hai";

/// Office 2 beside the demo office: a service, two counters, a user, a
/// kiosk, a display and a rating tablet, and three tickets (one served,
/// one called at its counter 10, one waiting). Its ids.
struct OtherOffice {
    service: i64,
    counter: i64,
    user: i64,
    device: i64,
    done: i64,
    called: i64,
    waiting: i64,
}

async fn other_office(app: &TestApp) -> OtherOffice {
    sqlx::raw_sql(
        "INSERT INTO offices (id, code, name, time_zone, created_at)
         VALUES (2, 'p2', 'Trung tâm Phường Hai', 'Asia/Ho_Chi_Minh', 0);
         INSERT INTO services (id, office_id, code, name, prefix, first_number, last_number, hours)
         VALUES (10, 2, 'DD', 'Đất đai Phường Hai', 'D', 1, 999,
                 '[{\"days\":[1,2,3,4,5,6,7],\"from\":\"00:00\",\"to\":\"24:00\"}]');
         INSERT INTO counters (id, office_id, number, name, state)
         VALUES (10, 2, 1, 'Quầy một Phường Hai', 'open'), (11, 2, 2, 'Quầy hai Phường Hai', 'open');
         INSERT INTO counter_services (counter_id, service_id) VALUES (10, 10), (11, 10);
         INSERT INTO users (id, office_id, username, full_name, role)
         VALUES (20, 2, 'hai', 'Cán bộ Phường Hai', 'staff');",
    )
    .execute(&mut app.sql().await)
    .await
    .unwrap();
    let kiosk = Who::Token(app.device_in(2, "kiosk", None).await);
    app.device_in(2, "display", None).await;
    app.device_in(2, "rating", Some(10)).await;
    let staff = Who::Token(app.staff_in(2, 10).await);
    let mut tickets = Vec::new();
    for _ in 0..3 {
        tickets.push(
            app.issue_as(kiosk.clone(), 10, "none").await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    for (ticket, steps) in [
        (tickets[0], &["start", "finish"][..]),
        (tickets[1], &[][..]),
    ] {
        let called = app.call_next_as(staff.clone(), 10).await.unwrap();
        assert_eq!(called["id"], ticket);
        for step in steps {
            let path = format!("/api/v1/counters/10/tickets/{ticket}/{step}");
            let (status, body) = app.call_as(staff.clone(), Method::POST, &path, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }
    let device: i64 = sqlx::query_scalar(
        "UPDATE devices SET name = name || ' Phường Hai' WHERE office_id = 2
         RETURNING id",
    )
    .fetch_all(&mut app.sql().await)
    .await
    .unwrap()[0];
    OtherOffice {
        service: 10,
        counter: 10,
        user: 20,
        device,
        done: tickets[0],
        called: tickets[1],
        waiting: tickets[2],
    }
}

/// Every row office 2 has, as text: what must not change.
async fn rows_of_office_two(app: &TestApp) -> Vec<String> {
    use sqlx::Row;
    let mut conn = app.sql().await;
    let mut rows = Vec::new();
    for (table, owned) in [
        ("offices", "id = 2"),
        ("services", "office_id = 2"),
        ("counters", "office_id = 2"),
        (
            "counter_services",
            "counter_id IN (SELECT id FROM counters WHERE office_id = 2)",
        ),
        ("users", "office_id = 2"),
        (
            "user_counters",
            "user_id IN (SELECT id FROM users WHERE office_id = 2)",
        ),
        ("sessions", "office_id = 2"),
        ("devices", "office_id = 2"),
        ("tickets", "office_id = 2"),
        ("events", "office_id = 2"),
        ("ratings", "office_id = 2"),
        ("waiting_lines", "office_id = 2"),
    ] {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT 'quote(' || name || ')' FROM pragma_table_info(?)")
                .bind(table)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        // Table and column names are this test's own, not input.
        let sql = format!(
            "SELECT '{table}: ' || {} FROM {table} WHERE {owned} ORDER BY 1",
            columns.join(" || ',' || ")
        );
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut conn)
            .await
            .unwrap()
        {
            rows.push(row.get::<String, _>(0));
        }
    }
    rows
}

// Two offices on one server: every office-1 caller, through every route
// that names or reads something, neither sees nor changes anything of
// office 2. What the route's own role asks for by id is "not found", as if
// it did not exist; office 2's rows stay byte for byte as they were, and no
// answer, page or live frame carries office 2's names.
#[tokio::test]
async fn nobody_of_one_office_reads_or_changes_another() {
    let app = TestApp::new().await;
    let tablet = rating_tablet_at_one(&app).await;
    let o = other_office(&app).await;
    // Office 1's staff at counter 1 has a ticket of its own in front of it.
    app.issue(HO_TICH).await;
    let own = app.call_next(1).await.unwrap()["id"].as_i64().unwrap();
    let base = app.serve().await;
    let mut stream = app.events(&base, "").await;
    let before = rows_of_office_two(&app).await;
    assert!(before.len() > 20, "office 2 has rows to guard: {before:?}");

    let (s, c, u, d) = (o.service, o.counter, o.user, o.device);
    let ticket_steps = [
        "recall",
        "start",
        "finish",
        "no-show",
        "reactivate",
        "transfer",
        "cancel",
    ];
    // (method, path, body, the office-1 caller whose route it is, what that
    // caller gets): "not found" for office 2's things named in the path, the
    // ticket, "not ratable"; 422 for office 2's things named in a body.
    let mut cases: Vec<(Method, String, Value, &str, StatusCode)> = vec![
        (
            Method::GET,
            format!("/api/v1/tickets/{}", o.waiting),
            json!({}),
            "manager",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/tickets".into(),
            json!({ "service_id": s, "idempotency_key": "cross-office-1" }),
            "kiosk",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            format!("/api/v1/tickets/{}/not-printed", o.waiting),
            json!({ "reason": "Hết giấy" }),
            "kiosk",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/counters/1/call".into(),
            json!({ "ticket_id": o.waiting, "reason": "Người cao tuổi" }),
            "staff@1",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            format!("/api/v1/counters/1/tickets/{own}/transfer"),
            json!({ "service_id": s }),
            "staff@1",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/ratings".into(),
            json!({ "ticket_id": o.done, "score": 1 }),
            "rating@1",
            StatusCode::CONFLICT,
        ),
        (
            Method::POST,
            format!("/api/v1/admin/devices/{d}/revoke"),
            json!({}),
            "admin",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/admin/devices".into(),
            json!({ "kind": "rating", "name": "Máy đánh giá", "counter_id": c }),
            "admin",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PUT,
            format!("/api/v1/admin/users/{u}/password"),
            json!({ "password": "một mật khẩu mới" }),
            "admin",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PUT,
            format!("/api/v1/admin/users/{u}"),
            json!({ "full_name": "Đổi tên", "role": "staff", "disabled": true }),
            "admin",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PUT,
            "/api/v1/admin/users/2".into(),
            json!({ "full_name": "Nguyễn Thị Lan", "role": "staff", "disabled": false, "counters": [c] }),
            "admin",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::PUT,
            format!("/api/v1/admin/services/{s}"),
            json!({ "code": "ZZ", "name": "Đổi tên", "accepts_priority": true,
            "numbering": { "prefix": "D", "first": 1, "last": 999 },
            "hours": [{ "days": [1, 2, 3, 4, 5], "from": "07:30", "to": "11:00" }] }),
            "admin",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PUT,
            format!("/api/v1/admin/counters/{c}"),
            json!({ "name": "Đổi tên", "selection": "oldest", "services": [{ "service_id": s }] }),
            "admin",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::PUT,
            "/api/v1/admin/counters/1".into(),
            json!({ "name": "Quầy 1", "selection": "oldest", "services": [{ "service_id": s }] }),
            "admin",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::POST,
            "/api/v1/admin/counters".into(),
            json!({ "number": 9, "name": "Quầy 9", "selection": "oldest", "services": [{ "service_id": s }] }),
            "admin",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for action in ["open", "pause", "close", "call-next"] {
        cases.push((
            Method::POST,
            format!("/api/v1/counters/{c}/{action}"),
            json!({ "reason": "Họp" }),
            "staff@1",
            StatusCode::FORBIDDEN,
        ));
    }
    for ticket in [o.done, o.called, o.waiting] {
        for step in ticket_steps {
            let body = json!({ "service_id": 1, "reason": "Khác" });
            cases.push((
                Method::POST,
                format!("/api/v1/counters/1/tickets/{ticket}/{step}"),
                body,
                "staff@1",
                StatusCode::NOT_FOUND,
            ));
        }
    }
    // Every caller of office 1 with a valid token (the province admin is
    // the province's, not office 1's).
    let callers: Vec<&str> = CALLERS
        .into_iter()
        .filter(|c| !["nobody", "bad-token", "province"].contains(c))
        .collect();
    let who = |name: &str| match name {
        "rating@1" => Who::Token(tablet.clone()),
        other => caller_of(other),
    };
    let mut wrong = Vec::new();
    for (method, path, body, owner, expected) in &cases {
        for &caller in &callers {
            let (status, answer) = app
                .call_as(who(caller), method.clone(), path, Some(body.clone()))
                .await;
            // Whose route it is gets the refusal named; anyone else that
            // role table lets through may get it too, or is forbidden.
            let refused = if caller == *owner {
                status == *expected
            } else {
                status == *expected || status == StatusCode::FORBIDDEN
            };
            if !refused || answer.to_string().contains(OTHER) {
                wrong.push(format!("{method} {path} as {caller}: {status} {answer}"));
            }
        }
    }
    // What each caller may read of its own office shows nothing of office 2.
    let reads = [
        "/api/v1/services",
        "/api/v1/queue",
        "/api/v1/counters",
        "/api/v1/admin/users",
        "/api/v1/admin/devices",
        "/api/v1/auth/me",
        "/api/v1/ratings/current",
        "/console",
        "/console/panel",
        "/monitor",
        "/monitor/panel",
        "/admin",
    ];
    for path in reads {
        for &caller in &callers {
            let (status, answer) = app.call_as(who(caller), Method::GET, path, None).await;
            if status.is_server_error() || answer.to_string().contains(OTHER) {
                wrong.push(format!("GET {path} as {caller}: {status} {answer}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        rows_of_office_two(&app).await,
        before,
        "office 2 is as it was"
    );

    // Office 1's admin closing the day closes office 1's days only: office
    // 2's ticket left from yesterday waits for office 2's own close (the
    // server's closer, which runs at start and then every 30 s, has passed).
    sqlx::raw_sql(
        "INSERT INTO tickets (office_id, issued_service_id, service_id, business_date, number,
             display_number, is_priority, state, issued_at, queue_at, public_token, changed_at,
             change_kind)
         VALUES (2, 10, 10, '2026-11-30', 500, 'D500', 0, 'waiting', 0, 0, 'hai-yesterday', 0,
             'issued')",
    )
    .execute(&mut app.sql().await)
    .await
    .unwrap();
    let before = rows_of_office_two(&app).await;
    let (status, closed) = app.post_empty("/api/v1/admin/close-day").await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(
        rows_of_office_two(&app).await,
        before,
        "office 2's day is its own to close"
    );

    // Office 2's work reaches office 1's display not at all: the first
    // event it gets after office 2's is office 1's own.
    let kiosk2 = Who::Token(app.device_in(2, "kiosk", None).await);
    app.issue_as(kiosk2, s, "none").await;
    let mine = app.issue(HO_TICH).await;
    loop {
        let frame = stream.next().await;
        assert!(!frame.to_string().contains(OTHER), "{frame}");
        if frame["type"] == "event" {
            assert_eq!(
                (frame["office_id"].as_i64(), &frame["change"]["ticket_id"]),
                (Some(1), &mine["id"]),
                "{frame}"
            );
            break;
        }
    }
}
