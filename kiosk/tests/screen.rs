//! The kiosk's screen as a state: taps, keys, the worker's outcomes and the
//! clock move it; one tap is one ticket whatever the citizen does next.

use layso_kiosk::flow::{Outcome, SUSPENDED};
use layso_kiosk::screen::{Command, Input, Phase, SHOW_NUMBER, Screen};
use layso_protocol::{Priority, ServiceId, ServicesResponse};
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn services() -> ServicesResponse {
    let hours =
        serde_json::json!([{ "days": [1, 2, 3, 4, 5, 6, 7], "from": "00:00", "to": "24:00" }]);
    let service = |id: i64, name: &str, priority: bool| {
        serde_json::json!({
            "id": id, "office_id": 1, "code": format!("S{id}"), "name": name,
            "numbering": { "prefix": "A", "first": 1, "last": 999 }, "daily_cap": null,
            "accepts_priority": priority, "hours": hours, "open_now": true, "waiting": 0
        })
    };
    serde_json::from_value(serde_json::json!({
        "office": { "id": 1, "code": "demo", "name": "Bộ phận Một cửa – UBND xã Tân Phú",
                    "time_zone": "Asia/Ho_Chi_Minh", "ticket_footer": "" },
        "services": [service(1, "Hộ tịch", true), service(2, "Chứng thực", false)]
    }))
    .unwrap()
}

fn ready_screen() -> Screen {
    let mut screen = Screen::new(HashMap::from([('1', ServiceId(1))]));
    screen.on(Input::Services(Ok(services())), Instant::now());
    screen
}

// Until the server answers, nothing can be taken and the screen says why.
#[test]
fn nothing_before_the_server_answers() {
    let mut screen = Screen::new(HashMap::new());
    assert_eq!(screen.banner(), SUSPENDED);
    assert!(screen.buttons().is_empty());
    assert_eq!(screen.on(Input::Tap(ServiceId(1)), Instant::now()), None);
}

// A tap takes one ticket; taps while it prints do nothing; the number
// shows, then the services come back.
#[test]
fn one_tap_one_ticket_then_the_number() {
    let mut screen = ready_screen();
    let now = Instant::now();
    assert_eq!(screen.banner(), "Bộ phận Một cửa – UBND xã Tân Phú");
    let labels: Vec<(String, bool)> = screen
        .buttons()
        .into_iter()
        .map(|b| (b.label, b.priority))
        .collect();
    assert_eq!(
        labels,
        [
            ("Hộ tịch".to_owned(), true),
            ("Chứng thực".to_owned(), false)
        ]
    );
    assert_eq!(
        screen.on(Input::Tap(ServiceId(1)), now),
        Some(Command::Take(ServiceId(1), Priority::None))
    );
    assert_eq!(screen.phase, Phase::Printing);
    for _ in 0..5 {
        assert_eq!(
            screen.on(Input::Tap(ServiceId(1)), now),
            None,
            "a second tap takes nothing"
        );
    }
    assert!(screen.buttons().iter().all(|b| !b.enabled));
    screen.on(
        Input::Done(Outcome::Printed {
            number: "A001".into(),
        }),
        now,
    );
    assert!(matches!(&screen.phase, Phase::Printed { number, .. } if number == "A001"));
    assert_eq!(
        screen.on(Input::Tap(ServiceId(2)), now),
        None,
        "not while the number shows"
    );
    screen.on(Input::Tick, now + SHOW_NUMBER - Duration::from_millis(1));
    assert!(matches!(screen.phase, Phase::Printed { .. }));
    screen.on(Input::Tick, now + SHOW_NUMBER);
    assert_eq!(screen.phase, Phase::Ready);
}

// The priority path: "Ưu tiên", then a class; "Quay lại" goes back.
#[test]
fn the_priority_path() {
    let mut screen = ready_screen();
    let now = Instant::now();
    screen.on(Input::TapPriority(ServiceId(1)), now);
    assert_eq!(
        screen.phase,
        Phase::Priority {
            service: ServiceId(1)
        }
    );
    screen.on(Input::Back, now);
    assert_eq!(screen.phase, Phase::Ready);
    screen.on(Input::TapPriority(ServiceId(1)), now);
    assert_eq!(
        screen.on(Input::ChoosePriority(Priority::Elderly), now),
        Some(Command::Take(ServiceId(1), Priority::Elderly))
    );
}

// A button box's key takes the ticket of its service; other keys nothing.
#[test]
fn keys_take_tickets() {
    let mut screen = ready_screen();
    assert_eq!(screen.on(Input::Key('2'), Instant::now()), None);
    assert_eq!(
        screen.on(Input::Key('1'), Instant::now()),
        Some(Command::Take(ServiceId(1), Priority::None))
    );
}

// When the server goes away the buttons stop, and come back with it.
#[test]
fn server_away_and_back() {
    let mut screen = ready_screen();
    let now = Instant::now();
    screen.on(
        Input::Services(Err(layso_kiosk::screen::Away::Unreachable)),
        now,
    );
    assert_eq!(screen.banner(), SUSPENDED);
    assert!(screen.buttons().iter().all(|b| !b.enabled));
    assert_eq!(screen.on(Input::Tap(ServiceId(1)), now), None);
    screen.on(Input::Services(Ok(services())), now);
    assert!(screen.buttons().iter().all(|b| b.enabled));
}

// A refusal is shown in the server's words, then the services return.
#[test]
fn a_refusal_is_shown_then_cleared() {
    let mut screen = ready_screen();
    let now = Instant::now();
    screen.on(Input::Tap(ServiceId(2)), now);
    let message = "Chứng thực đã hết số thứ tự hôm nay.".to_owned();
    screen.on(
        Input::Done(Outcome::Refused {
            message: message.clone(),
        }),
        now,
    );
    assert!(matches!(&screen.phase, Phase::Refused { message: m, .. } if *m == message));
    screen.on(Input::Tick, now + Duration::from_secs(60));
    assert_eq!(screen.phase, Phase::Ready);
}

// The corner clock reads the office's time (the server's zone for it), not
// the kiosk box's, which is often UTC: 13:06 UTC is 20:06 in Hà Nội.
#[test]
fn the_clock_is_the_offices() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T13:06:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(ready_screen().clock(at), "20:06  01/12/2026");
    let mut tokyo = services();
    tokyo.office.time_zone = "Asia/Tokyo".into();
    let mut screen = Screen::new(HashMap::new());
    screen.on(Input::Services(Ok(tokyo)), Instant::now());
    assert_eq!(screen.clock(at), "22:06  01/12/2026");
}

// A button box's key is never dropped without a word: pressed before the
// server answers, or while a ticket prints, it waits (and the screen says
// so) and is taken as soon as it can be; pressed while the last citizen's
// number shows, it is taken at once.
#[test]
fn keys_wait_rather_than_vanish() {
    let now = Instant::now();
    let mut screen = Screen::new(HashMap::from([('1', ServiceId(1))]));
    assert_eq!(screen.on(Input::Key('1'), now), None);
    assert!(screen.queued_note().is_some(), "before the server answered");
    assert_eq!(
        screen.on(Input::Services(Ok(services())), now),
        Some(Command::Take(ServiceId(1), Priority::None))
    );
    assert_eq!(screen.on(Input::Key('1'), now), None, "while printing");
    assert!(screen.queued_note().is_some());
    let printed = Outcome::Printed {
        number: "A001".into(),
    };
    assert_eq!(
        screen.on(Input::Done(printed.clone()), now),
        Some(Command::Take(ServiceId(1), Priority::None)),
        "the waiting key, once the printer is free"
    );
    assert_eq!(screen.queued_note(), None);
    screen.on(Input::Done(printed), now);
    assert!(matches!(screen.phase, Phase::Printed { .. }));
    assert_eq!(
        screen.on(Input::Key('1'), now),
        Some(Command::Take(ServiceId(1), Priority::None)),
        "the last number gives way"
    );
}
