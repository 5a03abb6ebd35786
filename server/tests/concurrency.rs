//! Eight counters pressing "call next" at the same time, over real HTTP.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

const TICKETS: usize = 2000;
const COUNTERS: i64 = 8;

// Every ticket is called exactly once, whatever the interleaving of 8 counters.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_counters_call_every_ticket_exactly_once() {
    let app = TestApp::with_hours(layso_server::config::DemoHours::Always).await;
    let mut conn = app.sql().await;
    // Room for a few thousand tickets a day, and four more counters serving everything.
    sqlx::query("UPDATE services SET last_number = first_number + 9998, daily_cap = NULL")
        .execute(&mut conn)
        .await
        .unwrap();
    for number in 5..=COUNTERS {
        sqlx::query("INSERT INTO counters (id, office_id, number, name, state) VALUES (?1, 1, ?1, 'Quầy ' || ?1, 'open')")
            .bind(number)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO counter_services (counter_id, service_id, position) SELECT ?, id, id FROM services")
            .bind(number)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let base = app.serve().await;
    let client = reqwest::Client::new();
    let kiosk = app.token(&Who::Kiosk).await.unwrap();

    // Issue from 8 kiosks at once: every 5th ticket is a priority one.
    let mut kiosks = Vec::new();
    for kiosk_no in 0..8 {
        let (client, base, token) = (client.clone(), base.clone(), kiosk.clone());
        kiosks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in (kiosk_no..TICKETS).step_by(8) {
                let body = json!({
                    "service_id": 1 + (n % 4) as i64,
                    "priority": if n % 5 == 0 { "elderly" } else { "none" },
                    "idempotency_key": format!("kiosk{kiosk_no}-{n:06}"),
                });
                let r = client
                    .post(format!("{base}/api/v1/tickets"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
            }
            ids
        }));
    }
    let mut issued = HashSet::new();
    for k in kiosks {
        issued.extend(k.await.unwrap());
    }
    assert_eq!(issued.len(), TICKETS);

    // All counters start together and call until nobody waits.
    let go = Arc::new(tokio::sync::Barrier::new(COUNTERS as usize));
    let mut counters = Vec::new();
    for counter in 1..=COUNTERS {
        let (client, base, go) = (client.clone(), base.clone(), go.clone());
        let token = app.token(&Who::Staff(counter)).await.unwrap();
        counters.push(tokio::spawn(async move {
            go.wait().await;
            let mut called = Vec::new();
            for _ in 0..=TICKETS {
                let r = client
                    .post(format!("{base}/api/v1/counters/{counter}/call-next"))
                    .bearer_auth(&token)
                    .json(&json!({ "finish_current": true }))
                    .send()
                    .await
                    .unwrap();
                if r.status() == 204 {
                    return called;
                }
                assert_eq!(r.status(), 200, "counter {counter}");
                let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
                called.push(id);
                let r = client
                    .post(format!(
                        "{base}/api/v1/counters/{counter}/tickets/{id}/start"
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
            panic!("counter {counter} kept calling past the number of tickets");
        }));
    }
    let mut all_called = Vec::new();
    let mut busy_counters = 0;
    for c in counters {
        let called = c.await.unwrap();
        busy_counters += usize::from(!called.is_empty());
        all_called.extend(called);
    }
    let distinct: HashSet<i64> = all_called.iter().copied().collect();
    assert_eq!(all_called.len(), TICKETS, "no ticket called twice");
    assert_eq!(distinct, issued, "every issued ticket called");
    assert!(
        busy_counters >= 4,
        "the calls were spread over the counters"
    );

    // The log agrees: one first call per ticket, in a gapless sequence.
    let calls: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT ticket_id, COUNT(*) FROM events WHERE kind = 'called' GROUP BY ticket_id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(calls.len(), TICKETS);
    assert!(calls.iter().all(|(_, n)| *n == 1));
    let (count, max): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), MAX(seq) FROM events WHERE office_id = 1")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(count, max);
}
