//! Reads: health, services, snapshot, tracking, estimates, several offices.

use crate::common::*;
use axum::http::{Method, StatusCode};
use chrono::Duration;
use serde_json::json;

// The health check answers once the database can be read.
#[tokio::test]
async fn healthz() {
    let app = TestApp::new().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "status": "ok" })));
    // Unknown paths answer in the API's error shape too.
    let (status, err) = app.get("/api/v1/nothing-here").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

// The kiosk's list: the office (with what the hall display shows and says)
// and its services with Vietnamese names and numbering.
#[tokio::test]
async fn services_list() {
    let app = TestApp::new().await;
    app.issue(CHUNG_THUC).await;
    let (status, body) = app.get("/api/v1/services").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["office"]["name"], "Bộ phận Một cửa – UBND xã Tân Phú");
    assert!(
        body["office"]["notice"]
            .as_str()
            .unwrap()
            .starts_with("Giờ làm việc")
    );
    assert_eq!(
        body["office"]["voice_phrase"],
        "Xin mời công dân có số thứ tự {số} đến quầy số {quầy}"
    );
    let names: Vec<&str> = body["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Hộ tịch", "Chứng thực", "Đất đai", "Đăng ký kinh doanh"]
    );
    assert_eq!(body["services"][1]["waiting"], 1);
    assert_eq!(
        body["services"][3]["numbering"],
        json!({ "prefix": "", "first": 4001, "last": 4999 })
    );
    assert_eq!(body["services"][0]["open_now"], true);
}

// The snapshot holds today's open tickets, counters and per-service counts.
#[tokio::test]
async fn queue_snapshot() {
    let app = TestApp::new().await;
    let a1 = app.issue(HO_TICH).await;
    let a2 = app.issue_with(HO_TICH, "elderly").await;
    let b1 = app.issue(CHUNG_THUC).await;
    // Counter 2 serves Chứng thực first, but priority comes before service order.
    assert_eq!(app.call_next(2).await.unwrap()["id"], a2["id"]);
    let (status, q) = app.get("/api/v1/queue").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(q["business_date"], "2026-12-01");
    let ids: Vec<_> = q["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(ids, [a1["id"].clone(), a2["id"].clone(), b1["id"].clone()]);
    assert_eq!(q["tickets"][1]["state"], "called");
    assert_eq!(
        q["services"][0],
        json!({ "service_id": HO_TICH, "waiting": 1, "priority_waiting": 0 })
    );
    assert_eq!(
        q["services"][1],
        json!({ "service_id": CHUNG_THUC, "waiting": 1, "priority_waiting": 0 })
    );
    assert_eq!(q["counters"][1]["current_ticket"], a2["id"]);
}

// The public token finds the ticket; a wrong token finds nothing.
#[tokio::test]
async fn tracking_by_public_token() {
    let app = TestApp::new().await;
    let t = app.issue(HO_TICH).await;
    let token = t["public_token"].as_str().unwrap();
    let (status, tracked) = app.get(&format!("/api/v1/track/{token}")).await;
    assert_eq!(
        (status, tracked["number"].as_str()),
        (StatusCode::OK, Some("A001"))
    );
    let (status, err) = app.get(&format!("/api/v1/track/{}", "0".repeat(32))).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = app.get(&format!("/api/v1/track/{}", t["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a ticket id is not a token");
}

// People ahead counts priority first; the wait uses the service's default
// time, then the median of real service times, shared by the counters.
#[tokio::test]
async fn people_ahead_and_estimated_wait() {
    let app = TestApp::new().await;
    // Hộ tịch (default 420 s) is served at counters 1, 2 and 4, all open.
    let first = app.issue(HO_TICH).await;
    assert_eq!(
        (
            first["people_ahead"].as_u64(),
            first["estimated_wait_secs"].as_u64()
        ),
        (Some(0), Some(0))
    );
    app.issue(HO_TICH).await;
    let third = app.issue(HO_TICH).await;
    assert_eq!(third["people_ahead"], 2);
    assert_eq!(third["estimated_wait_secs"], 2 * 420 / 3);
    let elderly = app.issue_with(HO_TICH, "elderly").await;
    assert_eq!(
        elderly["people_ahead"], 0,
        "priority goes before ordinary tickets"
    );
    let (_, third) = app.get(&format!("/api/v1/tickets/{}", third["id"])).await;
    assert_eq!(third["people_ahead"], 3);

    // Serve three citizens in 60, 120 and 600 seconds: median 120.
    for secs in [60, 120, 600] {
        let t = app.call_next(1).await.unwrap();
        let id = t["id"].as_i64().unwrap();
        app.step(1, id, "start").await;
        app.clock.advance(Duration::seconds(secs));
        app.step(1, id, "finish").await;
    }
    app.clock.advance(Duration::seconds(31)); // past the estimate cache
    let (_, third) = app.get(&format!("/api/v1/tickets/{}", third["id"])).await;
    let late = app.issue(HO_TICH).await;
    assert_eq!(late["people_ahead"], 1);
    assert_eq!(late["estimated_wait_secs"], 120 / 3);
    // With only one counter open the same line takes three times as long.
    app.post("/api/v1/counters/2/pause", json!({ "reason": "Họp" }))
        .await;
    app.post_empty("/api/v1/counters/4/close").await;
    let (_, late) = app.get(&format!("/api/v1/tickets/{}", late["id"])).await;
    assert_eq!(late["estimated_wait_secs"], 120);
    let _ = third;
}

// Several offices share the server: requests must say which, and numbering is per office.
#[tokio::test]
async fn several_offices() {
    let app = TestApp::new().await;
    let mut conn = app.sql().await;
    sqlx::raw_sql(
        "INSERT INTO offices (id, code, name, time_zone, created_at) VALUES (2, 'hcm', 'Trung tâm Phục vụ hành chính công', 'Asia/Ho_Chi_Minh', 0);
         INSERT INTO services (id, office_id, code, name, prefix, first_number, last_number, hours)
         VALUES (10, 2, 'HT', 'Hộ tịch', 'A', 1, 999, '[{\"days\":[1,2,3,4,5,6,7],\"from\":\"00:00\",\"to\":\"24:00\"}]');
         INSERT INTO counters (id, office_id, number, name, state) VALUES (10, 2, 1, 'Quầy 1', 'open');
         INSERT INTO counter_services (counter_id, service_id) VALUES (10, 10);",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let kiosk2 = Who::Token(app.device_in(2, "kiosk", None).await);
    // Each device sees its own office's services only.
    let (status, body) = app
        .call_as(kiosk2.clone(), Method::GET, "/api/v1/services", None)
        .await;
    assert_eq!(
        (status, body["services"].as_array().unwrap().len()),
        (StatusCode::OK, 1)
    );
    assert_eq!(body["office"]["id"], 2);
    // A kiosk cannot issue another office's service.
    let (status, _) = app
        .post(
            "/api/v1/tickets",
            json!({ "service_id": 10, "idempotency_key": "other-office-1" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.issue(HO_TICH).await["number"], "A001");
    assert_eq!(
        app.issue_as(kiosk2.clone(), 10, "none").await["number"],
        "A001",
        "each office numbers on its own"
    );
    // With two offices, signing in names the office.
    let password = app.credentials.users["thu"].password.clone();
    let (status, err) = app
        .call_as(
            Who::Nobody,
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({ "username": "thu", "password": password })),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("office_required"))
    );
    // An office's counter cannot act on another office's ticket.
    let other = app.issue_as(kiosk2.clone(), 10, "none").await;
    let (status, _) = app
        .post(
            "/api/v1/counters/1/call",
            json!({ "ticket_id": other["id"], "reason": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nor read it, nor see it in its queue.
    let (status, _) = app.get(&format!("/api/v1/tickets/{}", other["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, q) = app.get("/api/v1/queue").await;
    assert_eq!(q["tickets"].as_array().unwrap().len(), 1);
    // Office 2's own staff does.
    let staff2 = Who::Token(app.staff_in(2, 10).await);
    let (_, q) = app
        .call_as(staff2, Method::GET, "/api/v1/queue", None)
        .await;
    assert_eq!(q["tickets"].as_array().unwrap().len(), 2);
    // Keys are per office: the same key in two offices is two tickets.
    let body = |s: i64| json!({ "service_id": s, "idempotency_key": "same-key-1" });
    assert_eq!(
        app.post("/api/v1/tickets", body(HO_TICH)).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        app.call_as(kiosk2, Method::POST, "/api/v1/tickets", Some(body(10)))
            .await
            .0,
        StatusCode::CREATED
    );
}

// An office in another time zone gets its own day: just after midnight in
// Tokyo (still the evening before in Hà Nội), its counter calls Tokyo's
// today and its numbers restart, whatever the writer guessed.
#[tokio::test]
async fn offices_in_other_time_zones_keep_their_own_day() {
    let app = TestApp::with_hours(layso_server::config::DemoHours::Always).await;
    let mut conn = app.sql().await;
    sqlx::raw_sql(
        "INSERT INTO offices (id, code, name, time_zone, created_at) VALUES (2, 'tokyo', 'Đại sứ quán', 'Asia/Tokyo', 0);
         INSERT INTO services (id, office_id, code, name, prefix, first_number, last_number, hours)
         VALUES (10, 2, 'LS', 'Lãnh sự', 'L', 1, 999, '[{\"days\":[1,2,3,4,5,6,7],\"from\":\"00:00\",\"to\":\"24:00\"}]');
         INSERT INTO counters (id, office_id, number, name, state) VALUES (10, 2, 1, 'Quầy 1', 'open');
         INSERT INTO counter_services (counter_id, service_id) VALUES (10, 10);",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    // Tuesday 23:30 in Tokyo (14:30 UTC, 21:30 in Hà Nội).
    app.clock
        .set(tuesday_nine() + Duration::minutes(12 * 60 + 30));
    let kiosk = Who::Token(app.device_in(2, "kiosk", None).await);
    let staff = Who::Token(app.staff_in(2, 10).await);
    let late = app.issue_as(kiosk.clone(), 10, "none").await;
    assert_eq!(
        (late["number"].as_str(), late["business_date"].as_str()),
        (Some("L001"), Some("2026-12-01"))
    );
    // 00:30 Wednesday in Tokyo, still Tuesday in Hà Nội.
    app.clock.advance(Duration::hours(1));
    let fresh = app.issue_as(kiosk, 10, "none").await;
    assert_eq!(
        (fresh["number"].as_str(), fresh["business_date"].as_str()),
        (Some("L001"), Some("2026-12-02"))
    );
    assert_eq!(app.issue(HO_TICH).await["business_date"], "2026-12-01");
    // The Tokyo counter calls Wednesday's ticket, not Tuesday's leftover.
    assert_eq!(
        app.call_next_as(staff, 10).await.unwrap()["id"],
        fresh["id"]
    );
}
