//! Counters: open, pause, close, and how call-next chooses over HTTP.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

// A paused or closed counter calls nothing; reopening resumes calling.
#[tokio::test]
async fn paused_and_closed_counters_call_nothing() {
    let app = TestApp::new().await;
    let t = app.issue(HO_TICH).await;
    let (status, c) = app
        .post(
            "/api/v1/counters/1/pause",
            json!({ "reason": "Nghỉ giải lao" }),
        )
        .await;
    assert_eq!(
        (status, c["state"].as_str(), c["pause_reason"].as_str()),
        (StatusCode::OK, Some("paused"), Some("Nghỉ giải lao"))
    );
    let (status, err) = app.post_empty("/api/v1/counters/1/call-next").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("counter_not_open"))
    );
    let (_, c) = app.post_empty("/api/v1/counters/1/close").await;
    assert_eq!(c["state"], "closed");
    let (status, err) = app.post_empty("/api/v1/counters/1/call-next").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("counter_not_open"))
    );
    let (status, err) = app
        .post(
            "/api/v1/counters/1/call",
            json!({ "ticket_id": t["id"], "reason": "thử" }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("counter_not_open"))
    );
    let (_, c) = app.post_empty("/api/v1/counters/1/open").await;
    assert_eq!(
        (c["state"].as_str(), c["pause_reason"].as_str()),
        (Some("open"), None)
    );
    assert_eq!(app.call_next(1).await.unwrap()["id"], t["id"]);
    // A pause needs a reason.
    let (status, err) = app
        .post("/api/v1/counters/2/pause", json!({ "reason": "" }))
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request"))
    );
}

// A counter with a ticket in hand cannot call another or close; finish_current does both steps at once.
#[tokio::test]
async fn busy_counter_and_finish_current() {
    let app = TestApp::new().await;
    let a1 = app.issue(HO_TICH).await;
    let a2 = app.issue(HO_TICH).await;
    app.call_next(1).await.unwrap();
    let (status, err) = app.post_empty("/api/v1/counters/1/call-next").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("counter_busy"))
    );
    assert!(err["message"].as_str().unwrap().contains("A001"), "{err}");
    let (status, err) = app.post_empty("/api/v1/counters/1/close").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("counter_busy"))
    );
    // finish_current does not skip a citizen who never arrived (still "called").
    let (status, _) = app
        .post(
            "/api/v1/counters/1/call-next",
            json!({ "finish_current": true }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.step(1, a1["id"].as_i64().unwrap(), "start").await;
    let (status, next) = app
        .post(
            "/api/v1/counters/1/call-next",
            json!({ "finish_current": true }),
        )
        .await;
    assert_eq!(
        (status, next["id"].clone()),
        (StatusCode::OK, a2["id"].clone())
    );
    let (_, done) = app.get(&format!("/api/v1/tickets/{}", a1["id"])).await;
    assert_eq!(done["state"], "done");
    // A malformed body is refused, not ignored.
    let (status, err) = app
        .post(
            "/api/v1/counters/2/call-next",
            json!({ "finish_current": "yes" }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request"))
    );
}

// Nobody waiting: 204 and no event.
#[tokio::test]
async fn empty_queue_gives_204() {
    let app = TestApp::new().await;
    let before = app.event_count().await;
    assert_eq!(app.call_next(4).await, None);
    assert_eq!(app.event_count().await, before);
}

// Over HTTP, with the office's 1-priority-per-2-ordinary cap: P N N P.
#[tokio::test]
async fn priority_with_ratio_over_http() {
    let app = TestApp::new().await;
    let n: Vec<_> = futures_in_order(&app, &["none", "none", "none"]).await;
    let p: Vec<_> = futures_in_order(&app, &["elderly", "pregnant"]).await;
    let mut order = Vec::new();
    while let Some(t) = app.call_next(1).await {
        order.push(t["id"].as_i64().unwrap());
        app.step(1, t["id"].as_i64().unwrap(), "no-show").await;
    }
    assert_eq!(order, [p[0], n[0], n[1], p[1], n[2]]);
}

// Counter 3 weighs Đất đai 2 to Kinh doanh 1: with both lines long, every
// three calls take two of one and one of the other. It needs the counter's
// last calls from the log; with only the last one it would alternate.
#[tokio::test]
async fn weighted_counter_over_http() {
    let app = TestApp::new().await;
    for _ in 0..6 {
        app.issue(DAT_DAI).await;
        app.issue(KINH_DOANH).await;
    }
    let mut services = Vec::new();
    for _ in 0..9 {
        let t = app.call_next(3).await.unwrap();
        services.push(t["service_id"].as_i64().unwrap());
        app.step(3, t["id"].as_i64().unwrap(), "no-show").await;
    }
    for three in services.chunks(3) {
        let dat_dai = three.iter().filter(|&&s| s == DAT_DAI).count();
        assert_eq!(dat_dai, 2, "{services:?}");
    }
}

async fn futures_in_order(app: &TestApp, classes: &[&str]) -> Vec<i64> {
    let mut ids = Vec::new();
    for class in classes {
        ids.push(app.issue_with(HO_TICH, class).await["id"].as_i64().unwrap());
    }
    ids
}

// A service that takes no priority tickets refuses them with a Vietnamese message.
#[tokio::test]
async fn priority_not_accepted() {
    let app = TestApp::new().await;
    let mut conn = app.sql().await;
    sqlx::query("UPDATE services SET accepts_priority = 0 WHERE id = ?")
        .bind(KINH_DOANH)
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, err) = app
        .post("/api/v1/tickets", json!({ "service_id": KINH_DOANH, "priority": "elderly", "idempotency_key": "prio-0001" }))
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("priority_not_accepted"))
    );
    assert!(
        err["citizen_message"]
            .as_str()
            .unwrap()
            .contains("không cấp số ưu tiên")
    );
}

// Counter 1 serves Hộ tịch before Chứng thực even when Chứng thực is older (order selection).
#[tokio::test]
async fn service_order_at_counter() {
    let app = TestApp::new().await;
    let b1 = app.issue(CHUNG_THUC).await;
    let a1 = app.issue(HO_TICH).await;
    assert_eq!(app.call_next(1).await.unwrap()["id"], a1["id"]);
    // Counter 4 takes the oldest of any service.
    let b2 = app.issue(CHUNG_THUC).await;
    assert_eq!(app.call_next(4).await.unwrap()["id"], b1["id"]);
    let _ = b2;
}

// The counter list shows each counter's services and current ticket.
#[tokio::test]
async fn counters_list() {
    let app = TestApp::new().await;
    let t = app.issue(DAT_DAI).await;
    app.call_next(3).await.unwrap();
    let (status, list) = app.get("/api/v1/counters").await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[2]["name"], "Quầy Đất đai – Kinh doanh");
    assert_eq!(list[2]["selection"], "weighted");
    assert_eq!(list[2]["services"][0]["weight"], 2);
    assert_eq!(list[2]["current_ticket"], t["id"]);
    assert_eq!(list[0]["current_ticket"], serde_json::Value::Null);
}

// When reading a change's answer fails after the change committed, the
// answer says it was saved (so nobody does it again) and the change is
// there; a ticket whose estimate cannot be read is still handed out.
#[tokio::test]
async fn a_failed_read_after_a_commit_says_it_was_saved() {
    let app = TestApp::new().await;
    // Every caller's token is known (cached) before the readers go away.
    for who in [Who::Staff(1), Who::Admin, Who::Kiosk] {
        app.call_as(who, Method::GET, "/api/v1/auth/me", None).await;
    }
    app.state.db.sqlite().expect("SQLite").read.close().await;

    let (status, err) = app
        .post("/api/v1/counters/1/pause", json!({ "reason": "nghỉ trưa" }))
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("saved_unanswered")),
        "{err}"
    );
    assert!(
        !err["message"]
            .as_str()
            .unwrap()
            .contains("nothing was changed"),
        "{err}"
    );
    assert!(
        err["message_vi"].as_str().unwrap().starts_with("Đã lưu"),
        "{err}"
    );
    let state: String = sqlx::query_scalar("SELECT state FROM counters WHERE id = 1")
        .fetch_one(&mut app.sql().await)
        .await
        .unwrap();
    assert_eq!(state, "paused", "the pause was saved");

    let office = json!({ "name": "UBND phường Bến Thành", "address": "", "ticket_header": "",
        "ticket_footer": "", "notice": "", "voice_phrase": "Mời số {số} đến quầy {quầy}" });
    let (status, err) = app
        .call(Method::PUT, "/api/v1/admin/office", Some(office))
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("saved_unanswered"))
    );

    let body = json!({ "service_id": HO_TICH, "idempotency_key": "read-fails-0001" });
    let (status, ticket) = app.post("/api/v1/tickets", body).await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    assert_eq!(ticket["estimated_wait_secs"], Value::Null);
}
