//! Several server processes on one PostgreSQL database: what one does,
//! every other shows.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::Value;

fn seq(frame: &Value) -> u64 {
    frame["seq"].as_u64().unwrap()
}

// A display connected to one process sees the tickets issued and called
// on another, in order, with the same seqs; reconnecting to the other
// process after the last seq seen gets exactly what it missed.
#[tokio::test]
async fn a_call_on_one_process_reaches_a_display_on_another() {
    let a = TestApp::on_postgres().await;
    let b = a.beside().await;
    let (base_a, base_b) = (a.serve().await, b.serve().await);
    let mut on_a = a.events(&base_a, "").await;
    let hello = on_a.next().await;
    assert_eq!(hello["type"], "hello", "{hello}");
    let head = seq(&hello);

    let ticket = b.issue(HO_TICH).await;
    let called = b.call_next(1).await.unwrap();
    assert_eq!(called["id"], ticket["id"]);
    let issued = on_a.event().await;
    assert_eq!(
        (
            seq(&issued),
            &issued["change"]["step"],
            &issued["change"]["display_number"]
        ),
        (head + 1, &Value::from("issued"), &ticket["number"])
    );
    let call = on_a.event().await;
    assert_eq!(
        (
            seq(&call),
            &call["change"]["step"],
            &call["change"]["counter_number"]
        ),
        (head + 2, &Value::from("called"), &Value::from(1))
    );
    on_a.close().await;

    // Two more steps on A while nobody watches; B replays them.
    let (status, _) = a.step(1, ticket["id"].as_i64().unwrap(), "start").await;
    assert_eq!(status, StatusCode::OK);
    let second = a.issue(HO_TICH).await;
    let mut on_b = b.events(&base_b, &format!("after={}", head + 2)).await;
    let started = on_b.event().await;
    assert_eq!(
        (seq(&started), &started["change"]["step"]),
        (head + 3, &Value::from("serving"))
    );
    let issued = on_b.event().await;
    assert_eq!(
        (seq(&issued), &issued["change"]["display_number"]),
        (head + 4, &second["number"])
    );
    on_b.close().await;
}

// Both processes number one service's tickets from one sequence, whichever
// a kiosk reaches, and one process's counters never call a ticket the
// other's already called.
#[tokio::test]
async fn two_processes_share_numbers_and_calls() {
    let a = TestApp::on_postgres().await;
    let b = a.beside().await;
    let mut numbers = Vec::new();
    for i in 0..10 {
        let app = if i % 2 == 0 { &a } else { &b };
        numbers.push(
            app.issue(HO_TICH).await["number"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let expected: Vec<String> = (1..=10).map(|n| format!("A{n:03}")).collect();
    assert_eq!(numbers, expected);
    let first = a.call_next(1).await.unwrap();
    let second = b.call_next(4).await.unwrap();
    assert_eq!(first["number"], "A001");
    assert_eq!(second["number"], "A002");
}

/// Asks `app` for the queue as `who` until it answers `want`, for at most
/// three seconds; the status it last answered.
async fn queue_until(app: &TestApp, who: &Who, want: StatusCode) -> StatusCode {
    let mut status = StatusCode::OK;
    for _ in 0..30 {
        status = app
            .call_as(who.clone(), axum::http::Method::GET, "/api/v1/queue", None)
            .await
            .0;
        if status == want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    status
}

// A display revoked on one process is refused by the other within a
// second, though the other had checked and cached its token, and its
// stream there is closed; a sign-out on one process ends the session on
// the other the same way.
#[tokio::test]
async fn a_revoke_or_a_sign_out_on_one_process_holds_on_the_other() {
    let a = TestApp::on_postgres().await;
    let b = a.beside().await;
    let base_b = b.serve().await;
    let paired = a.pair("display", "Màn hình tầng 2").await;
    let token = paired["token"].as_str().unwrap().to_owned();
    let display = Who::Token(token.clone());
    assert_eq!(
        queue_until(&b, &display, StatusCode::OK).await,
        StatusCode::OK
    );
    let mut stream = EventClient::connect_with(&base_b, "", &token).await;
    assert_eq!(stream.next().await["type"], "hello");

    a.revoke(&paired).await;
    assert_eq!(
        queue_until(&b, &display, StatusCode::UNAUTHORIZED).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(stream.closed().await, Some(4401));

    // The manager signs in on A and is known to B; signing out on A ends
    // it on B.
    let manager = Who::Token(a.token(&Who::Manager).await.unwrap());
    assert_eq!(
        queue_until(&b, &manager, StatusCode::OK).await,
        StatusCode::OK
    );
    let (status, _) = a
        .call_as(
            manager.clone(),
            axum::http::Method::POST,
            "/api/v1/auth/logout",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        queue_until(&b, &manager, StatusCode::UNAUTHORIZED).await,
        StatusCode::UNAUTHORIZED
    );
    // The other display goes on, on both.
    assert_eq!(
        queue_until(&b, &Who::Display, StatusCode::OK).await,
        StatusCode::OK
    );
}
