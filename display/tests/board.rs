//! The board model driven by sequences of server frames: what it shows,
//! what it says, and when it asks to reconnect or resync.

use chrono::{DateTime, Duration as Span, Utc};
use layso_display::board::{Board, Effect, Input};
use layso_protocol::*;
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(15);

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn service(id: i64, name: &str) -> ServiceView {
    ServiceView {
        id: ServiceId(id),
        office_id: OfficeId(1),
        code: format!("S{id}"),
        name: name.into(),
        numbering: Numbering::new("", 1000 * id as u32 + 1, 1000 * id as u32 + 999).unwrap(),
        daily_cap: None,
        accepts_priority: true,
        hours: IssuingHours::always(),
        open_now: true,
        waiting: 0,
    }
}

fn counter(id: i64, state: CounterState, current: Option<i64>) -> CounterView {
    CounterView {
        id: CounterId(id),
        office_id: OfficeId(1),
        number: id as u32,
        name: format!("Quầy {id}"),
        state,
        pause_reason: None,
        staff_user_id: None,
        selection: Selection::Oldest,
        services: Vec::new(),
        current_ticket: current.map(TicketId),
    }
}

fn ticket(id: i64, number: &str, state: TicketState) -> TicketView {
    TicketView {
        id: TicketId(id),
        office_id: OfficeId(1),
        service_id: ServiceId(1),
        service_name: "Hộ tịch".into(),
        number: number.into(),
        business_date: now().date_naive(),
        state,
        priority: Priority::None,
        issued_at: now(),
        counter_id: None,
        counter_number: None,
        recalls: 0,
        public_token: "t".into(),
        people_ahead: None,
        estimated_wait_secs: None,
    }
}

/// The demo office at `seq`: counters 1–3 open (counter 1 serving 1001),
/// counter 4 closed.
fn snapshot(seq: u64) -> Input {
    snapshot_resuming(seq, None)
}

/// The same snapshot, with the events that follow resuming after `resume`.
fn snapshot_resuming(seq: u64, resume: Option<u64>) -> Input {
    Input::Snapshot {
        services: Box::new(ServicesResponse {
            office: OfficeView {
                id: OfficeId(1),
                code: "demo".into(),
                name: "UBND xã Tân Phú".into(),
                time_zone: "Asia/Ho_Chi_Minh".into(),
                ticket_footer: String::new(),
                address: String::new(),
                ticket_header: String::new(),
                notice: "Giờ làm việc: 7:30–17:00".into(),
                voice_phrase: speech::DEFAULT_PHRASE.into(),
            },
            services: vec![service(1, "Hộ tịch"), service(2, "Chứng thực")],
            public_url: None,
        }),
        queue: Box::new(QueueSnapshot {
            office_id: OfficeId(1),
            business_date: now().date_naive(),
            at: now(),
            seq,
            services: vec![ServiceQueueView {
                service_id: ServiceId(1),
                waiting: 7,
                priority_waiting: 1,
            }],
            counters: vec![
                counter(2, CounterState::Open, None),
                counter(1, CounterState::Open, Some(1)),
                counter(3, CounterState::Paused, None),
                counter(4, CounterState::Closed, None),
            ],
            tickets: vec![ticket(1, "1001", TicketState::Serving)],
        }),
        resume,
    }
}

fn step(seq: u64, at: DateTime<Utc>, step: TicketStep, ticket: i64, counter: Option<i64>) -> Input {
    Input::Message(ServerMessage::Event(Event {
        seq,
        at,
        office_id: OfficeId(1),
        change: Change::Ticket(TicketChange {
            step,
            ticket_id: TicketId(ticket),
            display_number: format!("{}", 1000 + ticket),
            service_id: ServiceId(1),
            priority: Priority::None,
            from: None,
            to: TicketState::Called,
            counter_id: counter.map(CounterId),
            counter_number: counter.map(|c| c as u32),
            user_id: None,
            reason: None,
        }),
    }))
}

fn hello(seq: u64) -> Input {
    Input::Message(ServerMessage::Hello(Hello {
        office_id: OfficeId(1),
        seq,
        heartbeat_ms: 3000,
    }))
}

fn called(board: &mut Board, seq: u64, ticket: i64, counter: i64) -> Vec<Effect> {
    board.apply(
        step(seq, now(), TicketStep::Called, ticket, Some(counter)),
        now(),
        WITHIN,
    )
}

fn announced(effects: &[Effect]) -> Vec<(String, u32, bool)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Announce(call) => Some((call.number.clone(), call.counter_number, call.recall)),
            _ => None,
        })
        .collect()
}

fn ready(seq: u64) -> Board {
    let mut board = Board::default();
    assert!(board.apply(snapshot(seq), now(), WITHIN).is_empty());
    assert!(board.apply(hello(seq), now(), WITHIN).is_empty());
    board
}

// A snapshot fills the board: office, notice, counters in number order with
// their current tickets, waiting counts by service.
#[test]
fn a_snapshot_draws_the_office() {
    let board = ready(40);
    assert!(board.ready && board.online);
    assert_eq!(board.office, "UBND xã Tân Phú");
    assert_eq!(board.notice, "Giờ làm việc: 7:30–17:00");
    let numbers: Vec<u32> = board.counters.iter().map(|c| c.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert_eq!(
        board.counters[0].current,
        Some((TicketId(1), "1001".into()))
    );
    assert_eq!(board.services[0].waiting, 7);
    assert_eq!(board.services[1].waiting, 0);
    assert_eq!(board.seq, 40);
}

// A call shows large, flashes for a while, goes to the counter's line, and
// is said; the previous call moves to the list.
#[test]
fn a_call_is_shown_flashing_and_said() {
    let mut board = ready(40);
    let effects = called(&mut board, 41, 2, 2);
    assert_eq!(announced(&effects), [("1002".into(), 2, false)]);
    assert_eq!(board.latest.as_ref().unwrap().number, "1002");
    assert!(board.flashing(now()));
    assert!(board.flashing(now() + Span::seconds(5)));
    assert!(!board.flashing(now() + Span::seconds(7)));
    assert_eq!(
        board.counters[1].current,
        Some((TicketId(2), "1002".into()))
    );

    called(&mut board, 42, 3, 1);
    assert_eq!(board.latest.as_ref().unwrap().number, "1003");
    assert_eq!(board.recent.front().unwrap().number, "1002");
    // Counter 1 served 1001 before; now it has 1003.
    assert_eq!(
        board.counters[0].current,
        Some((TicketId(3), "1003".into()))
    );
    assert_eq!(board.seq, 42);
}

// A recall flashes again and is said again, marked as a recall, without
// listing the ticket twice.
#[test]
fn a_recall_flashes_and_is_said_again() {
    let mut board = ready(40);
    called(&mut board, 41, 2, 2);
    called(&mut board, 42, 3, 1);
    let later = now() + Span::seconds(30);
    assert!(!board.flashing(later));
    let effects = board.apply(
        step(43, later, TicketStep::Recalled, 2, Some(2)),
        later,
        WITHIN,
    );
    assert_eq!(announced(&effects), [("1002".into(), 2, true)]);
    assert!(board.flashing(later));
    let latest = board.latest.as_ref().unwrap();
    assert_eq!((latest.number.as_str(), latest.recall), ("1002", true));
    let listed: Vec<&str> = board.recent.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(listed, ["1003"]);
}

// Serving, finishing and no-shows change the counters' lines quietly.
#[test]
fn finishes_and_no_shows_are_quiet() {
    let mut board = ready(40);
    called(&mut board, 41, 2, 2);
    let quiet = [
        step(42, now(), TicketStep::Serving, 2, Some(2)),
        step(43, now(), TicketStep::Done, 1, Some(1)),
        step(44, now(), TicketStep::NoShow, 2, Some(2)),
        step(45, now(), TicketStep::Issued, 9, None),
    ];
    for input in quiet {
        assert!(board.apply(input, now(), WITHIN).is_empty());
    }
    assert_eq!(board.counters[0].current, None);
    assert_eq!(board.counters[1].current, None);
    // The call stays on the board as the newest call.
    assert_eq!(board.latest.as_ref().unwrap().number, "1002");
    assert_eq!(board.seq, 45);
}

// A counter that closes leaves the open counters; waiting counts follow the
// queue frames.
#[test]
fn counters_change_state_and_counts_follow() {
    let mut board = ready(40);
    let closing = Input::Message(ServerMessage::Event(Event {
        seq: 41,
        at: now(),
        office_id: OfficeId(1),
        change: Change::Counter(CounterChange {
            counter_id: CounterId(2),
            counter_number: 2,
            from: CounterState::Open,
            to: CounterState::Closed,
            user_id: None,
            reason: None,
        }),
    }));
    assert!(board.apply(closing, now(), WITHIN).is_empty());
    assert_eq!(board.counters[1].state, CounterState::Closed);
    let sizes = Input::Message(ServerMessage::Queue(QueueSizes {
        office_id: OfficeId(1),
        as_of: 41,
        services: vec![ServiceQueueView {
            service_id: ServiceId(2),
            waiting: 12,
            priority_waiting: 0,
        }],
    }));
    board.apply(sizes, now(), WITHIN);
    assert_eq!(board.services[1].waiting, 12);
    assert_eq!(board.services[0].waiting, 7);
}

// A skipped sequence number means lost events: the board asks to resume
// after the last one it applied and ignores the rest of that stream; the
// replay on the new stream fills the gap, each call said once.
#[test]
fn a_gap_asks_for_the_missed_events() {
    let mut board = ready(40);
    called(&mut board, 41, 2, 2);
    let effects = called(&mut board, 43, 4, 1);
    assert_eq!(effects, [Effect::Reconnect { after: 41 }]);
    assert_eq!(board.latest.as_ref().unwrap().number, "1002");
    // The rest of the broken stream is ignored.
    assert!(called(&mut board, 44, 5, 3).is_empty());
    assert_eq!(board.seq, 41);
    // The new stream replays 42..44.
    board.apply(hello(44), now(), WITHIN);
    let mut said = Vec::new();
    for (seq, ticket, counter) in [(42, 3, 3), (43, 4, 1), (44, 5, 3)] {
        said.extend(announced(&called(&mut board, seq, ticket, counter)));
    }
    let numbers: Vec<&str> = said.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(numbers, ["1003", "1004", "1005"]);
    assert_eq!(board.seq, 44);
    // A heartbeat ahead of the board is a gap too.
    let beat = Input::Message(ServerMessage::Heartbeat { seq: 46 });
    assert_eq!(
        board.apply(beat, now(), WITHIN),
        [Effect::Reconnect { after: 44 }]
    );
}

// When the server cannot catch the board up it says so, and the board asks
// for a fresh snapshot; a duplicate event is ignored.
#[test]
fn a_resync_asks_for_a_snapshot() {
    let mut board = ready(40);
    called(&mut board, 41, 2, 2);
    assert!(called(&mut board, 41, 2, 2).is_empty());
    let resync = Input::Message(ServerMessage::Resync {
        reason: ResyncReason::TooFarBehind,
        seq: 5000,
    });
    assert_eq!(board.apply(resync, now(), WITHIN), [Effect::Resnapshot]);
    board.apply(snapshot(5000), now(), WITHIN);
    assert_eq!(board.seq, 5000);
    assert_eq!(announced(&called(&mut board, 5001, 9, 1)).len(), 1);
}

// Offline, the board keeps what it shows; calls caught up on afterwards are
// all shown, but only the recent ones are said.
#[test]
fn offline_keeps_the_board_and_says_only_recent_catch_up() {
    let mut board = ready(40);
    called(&mut board, 41, 2, 2);
    board.apply(Input::Offline, now(), WITHIN);
    assert!(!board.online);
    assert_eq!(board.latest.as_ref().unwrap().number, "1002");
    // Back after ten minutes: two calls happened long ago, one just now.
    let back = now() + Span::minutes(10);
    board.apply(hello(44), back, WITHIN);
    assert!(board.online);
    let mut said = Vec::new();
    for (seq, at, ticket) in [
        (42, now() + Span::minutes(1), 3),
        (43, now() + Span::minutes(2), 4),
        (44, back - Span::seconds(3), 5),
    ] {
        said.extend(announced(&board.apply(
            step(seq, at, TicketStep::Called, ticket, Some(1)),
            back,
            WITHIN,
        )));
    }
    assert_eq!(said, [("1005".into(), 1, false)]);
    let listed: Vec<&str> = board.recent.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(listed, ["1004", "1003", "1002"]);
    // After the catch-up, a live call is said even if the clocks disagree.
    let skewed = step(45, now(), TicketStep::Called, 6, Some(2));
    assert_eq!(announced(&board.apply(skewed, back, WITHIN)).len(), 1);
}

// After a long absence a fresh snapshot comes first and the missed events
// replay on top of it: the board ends up where the log ends.
#[test]
fn a_snapshot_with_a_resume_point_replays_on_top() {
    let mut board = ready(40);
    board.apply(snapshot_resuming(43, Some(40)), now(), WITHIN);
    assert_eq!(board.seq, 40);
    board.apply(hello(43), now(), WITHIN);
    for (seq, ticket) in [(41, 2), (42, 3), (43, 4)] {
        called(&mut board, seq, ticket, 2);
    }
    assert_eq!(
        board.counters[1].current,
        Some((TicketId(4), "1004".into()))
    );
    assert_eq!(board.seq, 43);
}

// An admin's change of settings asks for the snapshot again, without
// moving the resume point or saying anything.
#[test]
fn a_settings_change_asks_for_a_refresh() {
    let mut board = ready(40);
    let change = Input::Message(ServerMessage::Event(Event {
        seq: 41,
        at: now(),
        office_id: OfficeId(1),
        change: Change::Settings(SettingsChange {
            what: "office".into(),
            user_id: Some(UserId(1)),
        }),
    }));
    assert_eq!(board.apply(change, now(), WITHIN), [Effect::Refresh]);
    assert_eq!(board.seq, 41);
    assert_eq!(announced(&called(&mut board, 42, 2, 2)).len(), 1);
}

// A refresh that arrives while the board waits to replay a gap does not
// skip the gap: the replayed calls are still applied and said.
#[test]
fn a_refresh_during_a_gap_keeps_the_gap() {
    let mut board = ready(40);
    called(&mut board, 41, 2, 2);
    assert_eq!(
        called(&mut board, 43, 4, 1),
        [Effect::Reconnect { after: 41 }]
    );
    board.apply(snapshot_resuming(43, Some(43)), now(), WITHIN);
    assert_eq!(board.seq, 41, "the gap is still to be replayed");
    board.apply(hello(43), now(), WITHIN);
    let said = announced(&called(&mut board, 42, 3, 3));
    assert_eq!(said, [("1003".into(), 3, false)]);
    assert_eq!(announced(&called(&mut board, 43, 4, 1)).len(), 1);
    assert_eq!(board.seq, 43);
}

// The header's clock reads the office's time, with the date in portrait
// as in landscape: 13:06 UTC is 20:06 in Hà Nội.
#[test]
fn the_clock_is_the_offices() {
    let board = ready(1);
    let at = DateTime::parse_from_rfc3339("2026-12-01T13:06:05Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(board.clock(at, false), "20:06:05  01/12/2026");
    assert_eq!(board.clock(at, true), "20:06  01/12");
}

// The board says "Quầy" once: a counter named "Quầy Hộ tịch" shows "Hộ
// tịch" beside "Quầy 1", one named "Quầy 1" shows nothing more.
#[test]
fn counter_names_do_not_repeat_quay() {
    use layso_display::board::CounterLine;
    let line = |number: u32, name: &str| CounterLine {
        id: layso_protocol::CounterId(1),
        number,
        name: name.into(),
        state: CounterState::Open,
        current: None,
    };
    assert_eq!(
        line(1, "Quầy Hộ tịch – Chứng thực").short_name(),
        Some("Hộ tịch – Chứng thực")
    );
    assert_eq!(line(1, "Quầy 1").short_name(), None);
    assert_eq!(line(2, "Quầy 2 – Đất đai").short_name(), Some("Đất đai"));
    assert_eq!(line(1, "Quầy 12").short_name(), Some("12"));
    assert_eq!(line(3, "Một cửa").short_name(), Some("Một cửa"));
    assert_eq!(line(4, "Quầyx").short_name(), Some("Quầyx"));
}
