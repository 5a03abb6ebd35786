//! A ticket's life through the API, and every step it may not take.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;

fn id(t: &serde_json::Value) -> i64 {
    t["id"].as_i64().unwrap()
}

// The whole happy path logs one event per step, with counter and the staff
// member signed in there (lan, user 3).
#[tokio::test]
async fn issue_call_recall_serve_finish() {
    let app = TestApp::new().await;
    let t = app.issue(HO_TICH).await;
    let called = app.call_next(1).await.unwrap();
    assert_eq!(
        (called["id"].clone(), called["state"].as_str()),
        (t["id"].clone(), Some("called"))
    );
    assert_eq!(called["counter_number"], 1);
    let (_, r) = app.step(1, id(&t), "recall").await;
    assert_eq!(r["recalls"], 1);
    let (_, r) = app.step(1, id(&t), "recall").await;
    assert_eq!(r["recalls"], 2, "each recall is counted");
    let (_, s) = app.step(1, id(&t), "start").await;
    assert_eq!(s["state"], "serving");
    let (_, d) = app.step(1, id(&t), "finish").await;
    assert_eq!(d["state"], "done");
    assert_eq!(
        app.ticket_events(id(&t)).await,
        [
            "issued", "called", "recalled", "recalled", "serving", "done"
        ]
    );
    let mut conn = app.sql().await;
    type Row = (Option<String>, Option<String>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT from_state, to_state, counter_id, user_id FROM events WHERE ticket_id = ? ORDER BY seq",
    )
    .bind(id(&t))
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows[0], (None, Some("waiting".into()), None, None));
    assert_eq!(
        rows[1],
        (
            Some("waiting".into()),
            Some("called".into()),
            Some(1),
            Some(3)
        )
    );
    assert_eq!(
        rows[5],
        (
            Some("serving".into()),
            Some("done".into()),
            Some(1),
            Some(3)
        )
    );
    let seqs: Vec<i64> = sqlx::query_scalar("SELECT seq FROM events ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "sequence without gaps"
    );
}

// Every step from every state that does not allow it is a 409
// `invalid_transition` that changes nothing: the whole table.
#[tokio::test]
async fn every_illegal_transition_is_refused_and_changes_nothing() {
    let app = TestApp::with_hours(layso_server::config::DemoHours::Always).await;
    // One ticket in each state, all at counter 1. `expired` comes from the
    // day before, so it is made first.
    let expired = app.issue(HO_TICH).await;
    app.clock.advance(chrono::Duration::days(1));
    app.post_empty("/api/v1/admin/close-day").await;
    let mut by_state = vec![("expired", id(&expired))];
    // (state, counter that calls it, steps after the call)
    let recipes: [(&str, Option<i64>, &[&str]); 6] = [
        ("waiting", None, &[]),
        ("called", Some(1), &[]),
        ("serving", Some(2), &["start"]),
        ("done", Some(4), &["start", "finish"]),
        ("no_show", Some(4), &["no-show"]),
        ("cancelled", None, &["cancel"]),
    ];
    for (state, counter, steps) in recipes {
        let t = id(&app.issue(CHUNG_THUC).await);
        let at = counter.unwrap_or(4);
        if let Some(c) = counter {
            let (status, body) = app
                .post(
                    &format!("/api/v1/counters/{c}/call"),
                    json!({ "ticket_id": t, "reason": "kiểm thử" }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        for step in steps {
            let (status, body) = app.step(at, t, step).await;
            assert_eq!(status, StatusCode::OK, "{step}: {body}");
        }
        let (_, now) = app.get(&format!("/api/v1/tickets/{t}")).await;
        assert_eq!(now["state"], state, "set-up of {state}");
        by_state.push((state, t));
    }
    let allowed: &[(&str, &[&str])] = &[
        ("waiting", &["transfer", "cancel", "call"]),
        (
            "called",
            &["recall", "start", "no-show", "transfer", "cancel"],
        ),
        ("serving", &["finish", "transfer", "cancel"]),
        ("done", &[]),
        ("no_show", &["reactivate", "cancel", "call"]),
        ("cancelled", &[]),
        ("expired", &[]),
    ];
    let actions = [
        "recall",
        "start",
        "finish",
        "no-show",
        "reactivate",
        "transfer",
        "cancel",
        "call",
    ];
    let before = app.event_count().await;
    let mut refused = 0;
    for (state, ticket) in &by_state {
        let ok = allowed.iter().find(|(s, _)| s == state).unwrap().1;
        for action in actions.iter().filter(|a| !ok.contains(a)) {
            let (status, err) = match *action {
                "transfer" => {
                    app.post(
                        &format!("/api/v1/counters/1/tickets/{ticket}/transfer"),
                        json!({ "service_id": HO_TICH }),
                    )
                    .await
                }
                "call" => {
                    app.post(
                        "/api/v1/counters/4/call",
                        json!({ "ticket_id": ticket, "reason": "thử" }),
                    )
                    .await
                }
                _ => app.step(1, *ticket, action).await,
            };
            assert_eq!(status, StatusCode::CONFLICT, "{action} on {state}: {err}");
            assert_eq!(
                err["code"], "invalid_transition",
                "{action} on {state}: {err}"
            );
            let (_, now) = app.get(&format!("/api/v1/tickets/{ticket}")).await;
            assert_eq!(now["state"], *state, "{action} changed a {state} ticket");
            refused += 1;
        }
    }
    assert_eq!(refused, 5 + 3 + 5 + 8 + 5 + 8 + 8);
    assert_eq!(
        app.event_count().await,
        before,
        "no refused step was logged"
    );
}

// A called ticket belongs to its counter: others cannot act on it.
#[tokio::test]
async fn steps_on_another_counters_ticket_are_refused() {
    let app = TestApp::new().await;
    let t = app.issue(HO_TICH).await;
    app.call_next(1).await.unwrap();
    for action in ["recall", "start", "no-show", "cancel"] {
        let (status, err) = app.step(2, id(&t), action).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::CONFLICT, Some("ticket_not_at_counter")),
            "{action}"
        );
    }
    // Nobody is signed in at a counter that does not exist.
    let (status, err) = app
        .call_as(
            Who::Staff(1),
            axum::http::Method::POST,
            &format!("/api/v1/counters/9/tickets/{}/start", id(&t)),
            None,
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, err) = app.step(1, 999_999, "start").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, err) = app.post_empty("/api/v1/counters/1/tickets/abc/start").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request"))
    );
}

// A no-show can be reactivated: it keeps its place and is called again.
#[tokio::test]
async fn no_show_then_reactivate() {
    let app = TestApp::new().await;
    let first = app.issue(HO_TICH).await;
    let second = app.issue(HO_TICH).await;
    app.call_next(1).await.unwrap();
    let (_, ns) = app.step(1, id(&first), "no-show").await;
    assert_eq!(ns["state"], "no_show");
    let (_, back) = app.step(4, id(&first), "reactivate").await;
    assert_eq!(back["state"], "waiting");
    assert_eq!(back["people_ahead"], 0, "it kept its place ahead of A002");
    assert_eq!(app.call_next(1).await.unwrap()["id"], first["id"]);
    assert_eq!(
        app.ticket_events(id(&first)).await,
        ["issued", "called", "no_show", "reactivated", "called"]
    );
    let _ = second;
}

// Transfer keeps the number and, by default, the place in time.
#[tokio::test]
async fn transfer_keeps_number_and_place() {
    let app = TestApp::new().await;
    let a1 = app.issue(HO_TICH).await;
    let b1 = app.issue(CHUNG_THUC).await;
    assert_eq!(app.call_next(1).await.unwrap()["id"], a1["id"]);
    let (status, moved) = app
        .post(
            &format!("/api/v1/counters/1/tickets/{}/transfer", id(&a1)),
            json!({ "service_id": CHUNG_THUC }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (moved["number"].as_str(), moved["state"].as_str()),
        (Some("A001"), Some("waiting"))
    );
    assert_eq!(moved["service_name"], "Chứng thực");
    assert_eq!(
        moved["people_ahead"], 0,
        "issued before B001, it stays ahead"
    );
    // Counter 2 serves Chứng thực first: A001 is the oldest there.
    assert_eq!(app.call_next(2).await.unwrap()["id"], a1["id"]);
    assert_eq!(app.call_next(4).await.unwrap()["id"], b1["id"]);
    // Transfer to the same service, or to a missing one, is refused.
    let (status, err) = app
        .post(
            &format!("/api/v1/counters/2/tickets/{}/transfer", id(&a1)),
            json!({ "service_id": CHUNG_THUC }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request"))
    );
    let (status, err) = app
        .post(
            &format!("/api/v1/counters/2/tickets/{}/transfer", id(&a1)),
            json!({ "service_id": 77 }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

// Transfer with keep_place false sends the citizen to the back of the line.
#[tokio::test]
async fn transfer_to_the_back() {
    let app = TestApp::new().await;
    let a1 = app.issue(HO_TICH).await;
    app.clock.advance(chrono::Duration::minutes(1));
    let b1 = app.issue(CHUNG_THUC).await;
    app.clock.advance(chrono::Duration::minutes(1));
    app.call_next(1).await.unwrap();
    let (_, moved) = app
        .post(
            &format!("/api/v1/counters/1/tickets/{}/transfer", id(&a1)),
            json!({ "service_id": CHUNG_THUC, "keep_place": false }),
        )
        .await;
    assert_eq!(moved["people_ahead"], 1);
    assert_eq!(app.call_next(2).await.unwrap()["id"], b1["id"]);
}

// Cancel works on a waiting ticket from any counter, with an optional reason.
#[tokio::test]
async fn cancel_waiting_ticket() {
    let app = TestApp::new().await;
    let t = app.issue(HO_TICH).await;
    let (status, c) = app
        .post(
            &format!("/api/v1/counters/3/tickets/{}/cancel", id(&t)),
            json!({ "reason": "Công dân về trước" }),
        )
        .await;
    assert_eq!(
        (status, c["state"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    assert_eq!(app.call_next(1).await, None);
    let mut conn = app.sql().await;
    let reason: Option<String> =
        sqlx::query_scalar("SELECT reason FROM events WHERE ticket_id = ? AND kind = 'cancelled'")
            .bind(id(&t))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(reason.as_deref(), Some("Công dân về trước"));
}

// Calling a given number needs a reason, is audited, and respects the counter's services.
#[tokio::test]
async fn call_specific_ticket() {
    let app = TestApp::new().await;
    let a1 = app.issue(HO_TICH).await;
    let a2 = app.issue(HO_TICH).await;
    let c1 = app.issue(DAT_DAI).await;
    let (status, err) = app
        .post(
            "/api/v1/counters/1/call",
            json!({ "ticket_id": id(&a2), "reason": "  " }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request"))
    );
    let (status, err) = app
        .post(
            "/api/v1/counters/1/call",
            json!({ "ticket_id": id(&c1), "reason": "Nhầm quầy" }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("service_not_served"))
    );
    let (status, t) = app
        .post(
            "/api/v1/counters/1/call",
            json!({ "ticket_id": id(&a2), "reason": "Người khuyết tật đến muộn" }),
        )
        .await;
    assert_eq!(
        (status, t["state"].as_str()),
        (StatusCode::OK, Some("called"))
    );
    let mut conn = app.sql().await;
    let reason: Option<String> =
        sqlx::query_scalar("SELECT reason FROM events WHERE ticket_id = ? AND kind = 'called'")
            .bind(id(&a2))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(reason.as_deref(), Some("Người khuyết tật đến muộn"));
    // A ticket already called cannot be called again by number.
    let (status, err) = app
        .post(
            "/api/v1/counters/2/call",
            json!({ "ticket_id": id(&a2), "reason": "lại" }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("invalid_transition"))
    );
    let _ = a1;
}

/// The lines' waiting counts kept beside the tickets, and the same counted
/// from the tickets themselves, as (service, date, priority, waiting).
async fn waiting_lines(
    app: &TestApp,
) -> (Vec<(i64, String, i64, i64)>, Vec<(i64, String, i64, i64)>) {
    let mut conn = app.sql().await;
    let kept = sqlx::query_as(
        "SELECT service_id, business_date, is_priority, waiting FROM waiting_lines
         WHERE waiting > 0 ORDER BY 1, 2, 3",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let counted = sqlx::query_as(
        "SELECT service_id, business_date, is_priority, COUNT(*) FROM tickets
         WHERE state = 'waiting' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    (kept, counted)
}

// The waiting counts that issuing and the displays read in one seek stay
// equal to a count of the waiting tickets through every step that moves a
// ticket into, out of or between lines, and reach the API's figures.
#[tokio::test]
async fn waiting_counts_follow_every_step() {
    let app = TestApp::with_hours(layso_server::config::DemoHours::Always).await;
    let mut tickets = Vec::new();
    for (service, priority) in [
        (HO_TICH, "none"),
        (HO_TICH, "elderly"),
        (HO_TICH, "none"),
        (CHUNG_THUC, "none"),
        (CHUNG_THUC, "none"),
        (DAT_DAI, "none"),
    ] {
        tickets.push(id(&app.issue_with(service, priority).await));
    }
    let check = async |after: &str| {
        let (kept, counted) = waiting_lines(&app).await;
        assert_eq!(kept, counted, "after {after}");
    };
    check("issuing").await;
    let called = id(&app.call_next(1).await.unwrap());
    check("a call").await;
    app.step(1, called, "no-show").await;
    check("a no-show").await;
    let (status, body) = app.step(1, called, "reactivate").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    check("a reactivation").await;
    let (status, body) = app
        .post(
            &format!("/api/v1/counters/1/tickets/{}/transfer", tickets[2]),
            json!({ "service_id": DAT_DAI }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    check("a transfer of a waiting ticket").await;
    let served = app.call_next(2).await.unwrap();
    let elsewhere = if served["service_id"] == HO_TICH {
        CHUNG_THUC
    } else {
        HO_TICH
    };
    let (status, body) = app
        .post(
            &format!("/api/v1/counters/2/tickets/{}/transfer", id(&served)),
            json!({ "service_id": elsewhere }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    check("a transfer of a called ticket").await;
    app.step(1, tickets[4], "cancel").await;
    check("a cancel").await;
    let (_, services) = app.get("/api/v1/services").await;
    let (kept, _) = waiting_lines(&app).await;
    for service in services["services"].as_array().unwrap() {
        let sid = service["id"].as_i64().unwrap();
        let expected: i64 = kept.iter().filter(|l| l.0 == sid).map(|l| l.3).sum();
        assert_eq!(
            service["waiting"], expected,
            "service {sid} as the kiosk sees it"
        );
    }
    app.clock.advance(chrono::Duration::days(1));
    app.post_empty("/api/v1/admin/close-day").await;
    check("day close").await;
    assert!(
        waiting_lines(&app).await.0.is_empty(),
        "nobody waits after day close"
    );
}
