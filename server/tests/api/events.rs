//! The live event stream over a real WebSocket: live calls, resume after a
//! disconnect, filters, ordering under concurrent calls, heartbeats.

use crate::common::*;
use serde_json::Value;

fn seq(frame: &Value) -> u64 {
    frame["seq"].as_u64().unwrap()
}

// A fresh stream says hello with the log's head, then the waiting counts,
// then each step as it happens, numbered one after the other.
#[tokio::test]
async fn a_call_reaches_the_stream_as_it_happens() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut stream = app.events(&base, "").await;
    let hello = stream.next().await;
    assert_eq!(hello["type"], "hello", "{hello}");
    let head = seq(&hello);
    let sizes = stream.next().await;
    assert_eq!(sizes["type"], "queue", "{sizes}");
    assert_eq!(sizes["services"][0]["waiting"], 0);

    let ticket = app.issue(HO_TICH).await;
    let issued = stream.event().await;
    assert_eq!(seq(&issued), head + 1);
    assert_eq!(issued["change"]["step"], "issued");
    assert_eq!(issued["change"]["display_number"], ticket["number"]);
    let sizes = stream.next().await;
    assert_eq!(
        (sizes["type"].as_str(), seq_of(&sizes)),
        (Some("queue"), head + 1)
    );
    assert_eq!(sizes["services"][0]["waiting"], 1);

    app.call_next(1).await.unwrap();
    let called = stream.event().await;
    assert_eq!(seq(&called), head + 2);
    assert_eq!(called["change"]["step"], "called");
    assert_eq!(called["change"]["counter_number"], 1);
    assert_eq!(called["change"]["from"], "waiting");
    assert_eq!(called["change"]["to"], "called");
}

fn seq_of(sizes: &Value) -> u64 {
    sizes["as_of"].as_u64().unwrap()
}

// A client that reconnects after the last seq it saw gets exactly what it
// missed, in order, and then the live events.
#[tokio::test]
async fn resume_after_a_disconnect_gets_exactly_the_missed_events() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut stream = app.events(&base, "").await;
    stream.next().await; // hello
    let t = app.issue(HO_TICH).await;
    let last_seen = seq(&stream.event().await);
    stream.close().await;

    // While away: a call, a recall, a pause.
    app.call_next(1).await.unwrap();
    let id = t["id"].as_i64().unwrap();
    app.step(1, id, "recall").await;
    app.post(
        "/api/v1/counters/2/pause",
        serde_json::json!({ "reason": "Nghỉ giải lao" }),
    )
    .await;

    let mut stream = app.events(&base, &format!("after={last_seen}")).await;
    assert_eq!(stream.next().await["type"], "hello");
    let missed: Vec<Value> = [
        stream.next().await,
        stream.next().await,
        stream.next().await,
    ]
    .into();
    let seqs: Vec<u64> = missed.iter().map(seq).collect();
    assert_eq!(seqs, [last_seen + 1, last_seen + 2, last_seen + 3]);
    assert_eq!(missed[0]["change"]["step"], "called");
    assert_eq!(missed[1]["change"]["step"], "recalled");
    assert_eq!(missed[2]["change"]["kind"], "counter");
    assert_eq!(missed[2]["change"]["to"], "paused");
    assert_eq!(missed[2]["change"]["reason"], "Nghỉ giải lao");
    // Then the current counts, then live events, none of them twice.
    assert_eq!(stream.next().await["type"], "queue");
    app.issue(CHUNG_THUC).await;
    assert_eq!(seq(&stream.event().await), last_seen + 4);
}

// A resume point the log does not have (another database) is answered
// with a resync and a close, never with silence.
#[tokio::test]
async fn an_unknown_resume_point_is_told_to_resync() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut stream = app.events(&base, "after=999999").await;
    let hello = stream.next().await;
    let resync = stream.next().await;
    assert_eq!(resync["type"], "resync", "{resync}");
    assert_eq!(resync["reason"], "unknown_seq");
    assert_eq!(resync["seq"], hello["seq"]);
    assert_eq!(stream.closed().await, Some(1000));
}

// A client further behind than the server replays is told to fetch a
// fresh snapshot; one just within reach gets everything.
#[tokio::test]
async fn a_client_too_far_behind_is_told_to_resync() {
    let app = TestApp::with_config(|c| c.max_replay = 3).await;
    let base = app.serve().await;
    for _ in 0..4 {
        app.issue(HO_TICH).await;
    }
    let mut stream = app.events(&base, "after=0").await;
    let hello = stream.next().await;
    assert_eq!(seq(&hello), 4);
    let resync = stream.next().await;
    assert_eq!(
        (resync["type"].as_str(), resync["reason"].as_str()),
        (Some("resync"), Some("too_far_behind"))
    );
    assert_eq!(stream.closed().await, Some(1000));
    let mut stream = app.events(&base, "after=1").await;
    stream.next().await; // hello
    let seqs = [
        seq(&stream.next().await),
        seq(&stream.next().await),
        seq(&stream.next().await),
    ];
    assert_eq!(seqs, [2, 3, 4]);
}

// The snapshot's seq is a resume point: connecting after it replays
// nothing already in the snapshot's past and misses nothing after it.
#[tokio::test]
async fn the_snapshot_says_where_to_resume() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    app.issue(HO_TICH).await;
    let (_, snapshot) = app.get("/api/v1/queue").await;
    let at = snapshot["seq"].as_u64().unwrap();
    app.call_next(1).await.unwrap();
    let mut stream = app.events(&base, &format!("after={at}")).await;
    stream.next().await; // hello
    let first = stream.next().await;
    assert_eq!(seq(&first), at + 1);
    assert_eq!(first["change"]["step"], "called");
}

// A stream filtered to one counter sees only that counter's events.
#[tokio::test]
async fn a_counter_filter_keeps_only_that_counter() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut stream = app.events(&base, "counter=2").await;
    stream.next().await; // hello
    stream.next().await; // queue sizes
    app.issue(HO_TICH).await;
    app.issue(HO_TICH).await;
    app.call_next(1).await.unwrap();
    app.call_next(2).await.unwrap();
    let event = stream.event().await;
    assert_eq!(event["change"]["step"], "called");
    assert_eq!(event["change"]["counter_number"], 2);
    // The heartbeat then says the stream has got past everything before.
    loop {
        let frame = stream.frame().await;
        if frame["type"] == "heartbeat" {
            assert!(seq(&frame) >= seq(&event));
            break;
        }
    }
}

// Calls made at the same moment at four counters arrive in log order:
// every seq once, without gaps, each ticket called once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_arrive_in_sequence_under_concurrent_calls() {
    let app = TestApp::with_hours(layso_server::config::DemoHours::Always).await;
    let base = app.serve().await;
    let mut stream = app.events(&base, "").await;
    let head = seq(&stream.next().await);
    const TICKETS: usize = 120;
    for _ in 0..TICKETS / 2 {
        app.issue(HO_TICH).await;
        app.issue(CHUNG_THUC).await;
    }
    let app = std::sync::Arc::new(app);
    let mut counters = Vec::new();
    for counter in 1..=4 {
        let app = app.clone();
        counters.push(tokio::spawn(async move {
            let mut calls = 0;
            while let Some(t) = app.call_next(counter).await {
                app.step(counter, t["id"].as_i64().unwrap(), "start").await;
                app.step(counter, t["id"].as_i64().unwrap(), "finish").await;
                calls += 1;
            }
            calls
        }));
    }
    let mut total = 0;
    for c in counters {
        total += c.await.unwrap();
    }
    assert_eq!(total, TICKETS);
    // issued, called, serving, done for each ticket.
    let mut called = std::collections::HashSet::new();
    for expected in head + 1..=head + 4 * TICKETS as u64 {
        let event = stream.event().await;
        assert_eq!(seq(&event), expected, "{event}");
        if event["change"]["step"] == "called" {
            assert!(called.insert(event["change"]["ticket_id"].as_i64().unwrap()));
        }
    }
    assert_eq!(called.len(), TICKETS);
}

// Heartbeats flow while the hall is quiet, and a client that stops
// answering is disconnected after three missed beats.
#[tokio::test]
async fn heartbeats_both_ways() {
    let app = TestApp::with_config(|c| c.heartbeat_ms = 150).await;
    let base = app.serve().await;
    let mut stream = app.events(&base, "").await;
    let hello = stream.next().await;
    assert_eq!(hello["heartbeat_ms"], 150);
    stream.next().await; // queue sizes
    // A client that beats stays connected past several silences.
    for _ in 0..6 {
        let beat = stream.frame().await;
        assert_eq!(beat["type"], "heartbeat", "{beat}");
        stream.beat().await;
    }
    // A client that goes quiet is closed with "policy".
    assert_eq!(stream.closed().await, Some(1008));
}

// A client that reads too slowly is told to resync, after events that
// arrived in order without a gap: never a silent miss.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_client_is_told_to_resync() {
    let app = TestApp::with_config(|c| {
        c.event_buffer = 16;
        c.demo_hours = layso_server::config::DemoHours::Always;
    })
    .await;
    let base = app.serve().await;
    for _ in 0..300 {
        app.issue(HO_TICH).await;
    }
    let mut stream = app.events(&base, "").await;
    let head = seq(&stream.next().await);
    // Closing the day expires all 300 in one statement: 300 events in one
    // commit, published at once, far more than the stream's 16 places.
    app.clock.advance(chrono::Duration::days(1));
    let (_, closed) = app.post_empty("/api/v1/admin/close-day").await;
    assert_eq!(closed["expired"], 300);
    let mut expected = head + 1;
    loop {
        let frame = stream.next().await;
        match frame["type"].as_str() {
            Some("event") => {
                assert_eq!(seq(&frame), expected, "in order, without a gap");
                expected += 1;
            }
            Some("queue") => {}
            Some("resync") => {
                assert_eq!(frame["reason"], "lagged");
                assert!(seq(&frame) >= expected - 1, "{frame}");
                break;
            }
            other => panic!("unexpected {other:?}: {frame}"),
        }
    }
    assert!(expected <= head + 300, "it lagged before the end");
    assert_eq!(stream.closed().await, Some(1000));
}
