//! Issuing: numbering, idempotency, hours, caps, day rollover.

use crate::common::*;
use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;

// Numbers run per service from its range start: A001, A002; B001; 4001.
#[tokio::test]
async fn numbers_per_service_from_range_start() {
    let app = TestApp::new().await;
    assert_eq!(app.issue(HO_TICH).await["number"], "A001");
    assert_eq!(app.issue(HO_TICH).await["number"], "A002");
    assert_eq!(app.issue(CHUNG_THUC).await["number"], "B001");
    let t = app.issue(KINH_DOANH).await;
    assert_eq!(t["number"], "4001");
    assert_eq!(t["state"], "waiting");
    assert_eq!(t["service_name"], "Đăng ký kinh doanh");
    assert_eq!(t["business_date"], "2026-12-01");
    assert_eq!(t["public_token"].as_str().unwrap().len(), 32);
}

// A retry with the same key gets the same ticket (200), never a second one.
#[tokio::test]
async fn retry_with_same_key_returns_same_ticket() {
    let app = TestApp::new().await;
    let body = json!({ "service_id": HO_TICH, "idempotency_key": "kiosk-1-tap-0001" });
    let (first, a) = app.post("/api/v1/tickets", body.clone()).await;
    let (again, b) = app.post("/api/v1/tickets", body).await;
    assert_eq!(first, StatusCode::CREATED);
    assert_eq!(again, StatusCode::OK);
    assert_eq!(a["id"], b["id"]);
    assert_eq!(
        app.issue(HO_TICH).await["number"],
        "A002",
        "the retry used no number"
    );
    // The same key for another service is a client bug, not a new ticket.
    let (status, err) = app
        .post(
            "/api/v1/tickets",
            json!({ "service_id": CHUNG_THUC, "idempotency_key": "kiosk-1-tap-0001" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["code"], "idempotency_key_reused");
}

// Malformed requests get a JSON error with a stable code and change nothing.
#[tokio::test]
async fn bad_issue_requests_are_refused_cleanly() {
    let app = TestApp::new().await;
    let before = app.event_count().await;
    let cases = [
        (
            json!({ "service_id": HO_TICH, "idempotency_key": "short" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            json!({ "service_id": HO_TICH }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            json!({ "service_id": "one", "idempotency_key": "abcdefgh1" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            json!({ "service_id": HO_TICH, "priority": "vip", "idempotency_key": "abcdefgh2" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            json!({ "service_id": 999, "idempotency_key": "abcdefgh3" }),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (body, status, code) in cases {
        let (got, err) = app.post("/api/v1/tickets", body.clone()).await;
        assert_eq!(got, status, "{body} -> {err}");
        assert_eq!(err["code"], code, "{body}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (status, err) = app
        .call(axum::http::Method::POST, "/api/v1/tickets", None)
        .await;
    assert!(status.is_client_error());
    assert_eq!(err["code"], "invalid_request");
    assert_eq!(app.event_count().await, before, "refusals wrote nothing");
}

// Outside the issuing windows the kiosk gets a Vietnamese refusal; nothing is issued.
#[tokio::test]
async fn issuing_hours_are_enforced() {
    let app = TestApp::new().await;
    // 12:00 local: between the morning and afternoon windows.
    app.clock.advance(Duration::hours(3));
    let (status, err) = app
        .post(
            "/api/v1/tickets",
            json!({ "service_id": HO_TICH, "idempotency_key": "noon-0001" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["code"], "outside_issuing_hours");
    let msg = err["citizen_message"].as_str().unwrap();
    assert!(msg.contains("ngoài giờ cấp số của Hộ tịch"), "{msg}");
    assert!(msg.contains("07:30–11:15 (Thứ Hai–Thứ Sáu)"), "{msg}");
    let (_, services) = app.get("/api/v1/services").await;
    assert_eq!(services["services"][0]["open_now"], false);
    // 13:15 sharp opens the afternoon window.
    app.clock.advance(Duration::minutes(75));
    assert_eq!(app.issue(HO_TICH).await["number"], "A001");
    // 16:30 closes it.
    app.clock.advance(Duration::minutes(195));
    let (status, _) = app
        .post(
            "/api/v1/tickets",
            json!({ "service_id": HO_TICH, "idempotency_key": "late-0001" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Saturday 09:00: closed all day.
    app.clock.set(tuesday_nine() + Duration::days(4));
    let (status, err) = app
        .post(
            "/api/v1/tickets",
            json!({ "service_id": HO_TICH, "idempotency_key": "sat-00001" }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("outside_issuing_hours"))
    );
}

// The daily cap stops issuing with a Vietnamese message; the next day starts afresh.
#[tokio::test]
async fn daily_cap_then_next_day() {
    let app = TestApp::new().await;
    // Đất đai is capped at 150 a day in the demo.
    for n in 1..=150 {
        assert_eq!(app.issue(DAT_DAI).await["number"], format!("C{n:03}"));
    }
    let (status, err) = app
        .post(
            "/api/v1/tickets",
            json!({ "service_id": DAT_DAI, "idempotency_key": "cap-00001" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["code"], "daily_cap_reached");
    assert!(
        err["citizen_message"]
            .as_str()
            .unwrap()
            .contains("Đất đai đã hết số thứ tự hôm nay")
    );
    app.clock.advance(Duration::days(1));
    let t = app.issue(DAT_DAI).await;
    assert_eq!(
        (t["number"].as_str(), t["business_date"].as_str()),
        (Some("C001"), Some("2026-12-02"))
    );
}

// When the range runs out before any cap, issuing stops rather than wrapping.
#[tokio::test]
async fn number_range_exhausted() {
    let app = TestApp::new().await;
    let mut conn = app.sql().await;
    sqlx::query("UPDATE services SET first_number = 998, last_number = 999 WHERE id = ?")
        .bind(HO_TICH)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(app.issue(HO_TICH).await["number"], "A998");
    assert_eq!(app.issue(HO_TICH).await["number"], "A999");
    let (status, err) = app
        .post(
            "/api/v1/tickets",
            json!({ "service_id": HO_TICH, "idempotency_key": "range-0001" }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("number_range_exhausted"))
    );
}

// Numbers reset at local midnight (UTC+7), and yesterday's open tickets
// are never called today and expire at day close.
#[tokio::test]
async fn day_rollover_resets_numbers_and_expires_leftovers() {
    let app = TestApp::with_hours(layso_server::config::DemoHours::Always).await;
    let old = app.issue(HO_TICH).await;
    let called = app.issue(HO_TICH).await;
    assert_eq!(app.call_next(1).await.unwrap()["id"], old["id"]);
    // 23:59:59 local on Tuesday is still Tuesday.
    app.clock
        .set(tuesday_nine() + Duration::hours(15) - Duration::seconds(1));
    assert_eq!(app.issue(HO_TICH).await["number"], "A003");
    // Midnight local = 17:00 UTC.
    app.clock.advance(Duration::seconds(1));
    let fresh = app.issue(HO_TICH).await;
    assert_eq!(
        (fresh["number"].as_str(), fresh["business_date"].as_str()),
        (Some("A001"), Some("2026-12-02"))
    );
    // Yesterday's waiting tickets are not called even before the day closes.
    app.step(1, old["id"].as_i64().unwrap(), "start").await;
    let (status, err) = app.step(1, old["id"].as_i64().unwrap(), "finish").await;
    assert_eq!(status, StatusCode::OK, "{err}");
    assert_eq!(app.call_next(1).await.unwrap()["id"], fresh["id"]);
    let (status, closed) = app.post_empty("/api/v1/admin/close-day").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(closed["expired"], 2, "A002 and A003 of Tuesday");
    let (_, t) = app.get(&format!("/api/v1/tickets/{}", called["id"])).await;
    assert_eq!(t["state"], "expired");
    assert_eq!(
        app.ticket_events(called["id"].as_i64().unwrap()).await,
        ["issued", "expired"]
    );
    let (_, again) = app.post_empty("/api/v1/admin/close-day").await;
    assert_eq!(again["expired"], 0, "closing twice expires nothing more");
}

// Requests that reach the writer together are decided one by one in arrival
// order: a repeated key gets the first request's ticket, a refusal does not
// sink the others, and numbers stay contiguous.
#[tokio::test]
async fn simultaneous_issues_with_retries_and_refusals() {
    let app = TestApp::new().await;
    let mut conn = app.sql().await;
    sqlx::query("UPDATE services SET daily_cap = 1 WHERE id = ?")
        .bind(DAT_DAI)
        .execute(&mut conn)
        .await
        .unwrap();
    let bodies = [
        json!({ "service_id": HO_TICH, "idempotency_key": "burst-0001" }),
        json!({ "service_id": HO_TICH, "idempotency_key": "burst-0002" }),
        json!({ "service_id": HO_TICH, "idempotency_key": "burst-0001" }),
        json!({ "service_id": DAT_DAI, "idempotency_key": "burst-0003" }),
        json!({ "service_id": DAT_DAI, "idempotency_key": "burst-0004" }),
        json!({ "service_id": CHUNG_THUC, "idempotency_key": "burst-0002" }),
        json!({ "service_id": 999, "idempotency_key": "burst-0005" }),
        json!({ "service_id": HO_TICH, "idempotency_key": "burst-0006" }),
    ];
    let answers = app.issue_in_one_batch(&bodies).await;
    let status: Vec<u16> = answers.iter().map(|(s, _)| s.as_u16()).collect();
    assert_eq!(status, [201, 201, 200, 201, 409, 409, 404, 201]);
    let number = |i: usize| answers[i].1["number"].as_str().unwrap_or("-").to_owned();
    assert_eq!(
        [number(0), number(1), number(2), number(3), number(7)],
        ["A001", "A002", "A001", "C001", "A003"]
    );
    assert_eq!(answers[0].1["id"], answers[2].1["id"]);
    assert_eq!(answers[4].1["code"], "daily_cap_reached");
    assert_eq!(answers[5].1["code"], "idempotency_key_reused");
    // One issued event per new ticket, in a gapless sequence.
    let events: Vec<(i64, String)> = sqlx::query_as("SELECT seq, kind FROM events ORDER BY seq")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(events.len(), 4);
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, (seq, kind))| *seq == i as i64 + 1 && kind == "issued")
    );
}

// The place in line a kiosk prints for tickets issued together (worked
// out by the writer) is the place the ticket really has (read back later).
#[tokio::test]
async fn places_of_tickets_issued_together_match_the_line() {
    let app = TestApp::new().await;
    app.issue(HO_TICH).await;
    app.issue_with(HO_TICH, "elderly").await;
    app.issue(CHUNG_THUC).await;
    let classes = ["none", "pregnant", "none", "merit", "none"];
    let bodies: Vec<_> = classes
        .iter()
        .enumerate()
        .map(|(i, p)| json!({ "service_id": HO_TICH, "priority": p, "idempotency_key": format!("place-{i:04}") }))
        .collect();
    let answers = app.issue_in_one_batch(&bodies).await;
    let printed: Vec<u64> = answers
        .iter()
        .map(|(_, t)| t["people_ahead"].as_u64().unwrap())
        .collect();
    // 1 priority and 1 ordinary waited before; the batch's priority tickets go first.
    assert_eq!(printed, [4, 1, 5, 2, 6]);
    for (_, t) in &answers {
        let (_, now) = app.get(&format!("/api/v1/tickets/{}", t["id"])).await;
        assert_eq!(now["people_ahead"], t["people_ahead"], "{}", t["number"]);
        assert_eq!(now["estimated_wait_secs"], t["estimated_wait_secs"]);
        assert_eq!(now["issued_at"], t["issued_at"]);
    }
}

// A kiosk reports its printer (the admin sees it) and a ticket it could
// not print (the log says so, the ticket keeps its place, a display hears it,
// the monitor lists it at the office's time).
#[tokio::test]
async fn a_kiosk_reports_its_printer_and_an_unprinted_ticket() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let (status, _) = app
        .post("/api/v1/devices/status", json!({ "printer": "paper_out" }))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, devices) = app.get("/api/v1/admin/devices").await;
    assert_eq!(devices[0]["printer"], "paper_out");
    assert!(devices[0]["status_at"].is_string());
    let (status, _) = app
        .post("/api/v1/devices/status", json!({ "printer": "on_fire" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let t = app.issue(HO_TICH).await;
    let mut stream = app.events(&base, "").await;
    stream.next().await; // hello
    let path = format!("/api/v1/tickets/{}/not-printed", t["id"]);
    let (status, _) = app.post(&path, json!({ "reason": "paper_out" })).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let event = stream.event().await;
    assert_eq!(event["change"]["step"], "not_printed");
    assert_eq!(event["change"]["display_number"], t["number"]);
    assert_eq!(
        (
            event["change"]["from"].as_str(),
            event["change"]["to"].as_str()
        ),
        (Some("waiting"), Some("waiting"))
    );
    assert_eq!(event["change"]["reason"], "paper_out");
    assert_eq!(
        app.ticket_events(t["id"].as_i64().unwrap()).await,
        ["issued", "not_printed"]
    );
    // The monitor lists it at the office's time, 09:00 (02:00 UTC).
    let (_, monitor) = app.get("/monitor/panel").await;
    let monitor = monitor.as_str().unwrap();
    let row = &monitor[monitor.find("id=\"not-printed\"").unwrap()..];
    assert!(row.contains(">09:00<") && !row.contains(">02:00<"), "{row}");
    assert_eq!(
        app.call_next(1).await.unwrap()["id"],
        t["id"],
        "it keeps its place"
    );
    let (status, _) = app
        .post(
            "/api/v1/tickets/999999/not-printed",
            json!({ "reason": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// When a batch of issues fails as a whole (two requests carrying the same
// public token break a unique index), each is issued on its own: the good
// one still gets its ticket, and nothing of the bad one stays.
#[tokio::test]
async fn a_bad_request_does_not_sink_its_batch() {
    use layso_protocol::{IdempotencyKey, OfficeId, Priority, ServiceId};
    use layso_server::db::tickets::IssueCommand;

    let app = TestApp::new().await;
    let cmd = |key: &str| IssueCommand {
        office: OfficeId(1),
        service: ServiceId(HO_TICH),
        priority: Priority::None,
        key: IdempotencyKey::parse(key).expect("valid key"),
        token: "same-token-for-both".into(),
    };
    let writer = &app.state.db.sqlite().expect("SQLite").writer;
    let answers = app
        .in_one_batch([
            writer.issue(cmd("batch-key-1")),
            writer.issue(cmd("batch-key-2")),
        ])
        .await;
    let [first, second] = <[_; 2]>::try_from(answers).expect("two answers");
    let first = first.expect("the first request still gets its ticket");
    assert_eq!(first.ticket.number, "A001");
    assert!(
        matches!(second, Err(layso_server::error::Error::Database(_))),
        "{second:?}"
    );
    let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'issued'")
        .fetch_one(&mut app.sql().await)
        .await
        .unwrap();
    assert_eq!(issued, 1, "one ticket, one event");
}
