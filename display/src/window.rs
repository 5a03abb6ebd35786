//! The hall board's window: draws the shared [`Board`] large and in high
//! contrast, for a 1920×1080 TV or a portrait screen, with the bundled
//! font. It changes nothing: the display's threads change the board and
//! ask for a repaint.

use crate::board::{Board, Call};
use chrono::Utc;
use eframe::egui::{self, Align2, Color32, FontId, Pos2, Rect, pos2, vec2};
use layso_protocol::CounterState;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BACKGROUND: Color32 = Color32::from_rgb(8, 26, 52);
const PANEL: Color32 = Color32::from_rgb(18, 44, 82);
const TEXT: Color32 = Color32::WHITE;
const SOFT: Color32 = Color32::from_rgb(190, 205, 225);
const NUMBER: Color32 = Color32::from_rgb(255, 214, 0);
const FLASH: Color32 = Color32::from_rgb(255, 214, 0);
const ALERT: Color32 = Color32::from_rgb(200, 30, 30);

/// The window over the display's board.
pub struct Window {
    board: Arc<Mutex<Board>>,
}

impl Window {
    /// A window drawing `board`, with the bundled font.
    pub fn new(ctx: &egui::Context, board: Arc<Mutex<Board>>) -> Self {
        layso_device::font::install(ctx);
        Self { board }
    }
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let board = self
            .board
            .lock()
            .expect("no panics under the board's lock")
            .clone();
        // The clock, the flashing and the notice move without events.
        ui.ctx().request_repaint_after(Duration::from_millis(50));
        let time = ui.input(|i| i.time);
        draw(ui.painter(), ui.max_rect(), &board, time);
    }
}

/// Draws `board` into `area`; `time` (seconds) drives the flashing and the
/// notice's scrolling.
pub fn draw(painter: &egui::Painter, area: Rect, board: &Board, time: f64) {
    let portrait = area.height() > area.width();
    // Sizes are designed for 1920×1080 (or 1080×1920) and scaled.
    let unit = if portrait {
        (area.width() / 1080.0).min(area.height() / 1920.0)
    } else {
        (area.width() / 1920.0).min(area.height() / 1080.0)
    };
    let px = |n: f32| n * unit;
    painter.rect_filled(area, 0.0, BACKGROUND);
    let now = Utc::now();

    // The header: the office and the clock, or the connection's trouble.
    let header = Rect::from_min_size(area.min, vec2(area.width(), px(110.0)));
    painter.rect_filled(header, 0.0, PANEL);
    let clock = board.clock(now, portrait);
    let clock_width = text(
        painter,
        header.right_center() - vec2(px(30.0), 0.0),
        Align2::RIGHT_CENTER,
        &clock,
        px(44.0),
        SOFT,
        f32::INFINITY,
    );
    let office = if board.ready {
        board.office.as_str()
    } else {
        "Đang kết nối máy chủ…"
    };
    text(
        painter,
        header.left_center() + vec2(px(30.0), 0.0),
        Align2::LEFT_CENTER,
        office,
        px(52.0),
        TEXT,
        header.width() - clock_width - px(90.0),
    );

    let mut body = Rect::from_min_max(pos2(area.left(), header.bottom()), area.max);
    if !board.online {
        let bar = Rect::from_min_size(body.min, vec2(area.width(), px(90.0)));
        painter.rect_filled(bar, 0.0, ALERT);
        text(
            painter,
            bar.center(),
            Align2::CENTER_CENTER,
            "Mất kết nối máy chủ",
            px(56.0),
            TEXT,
            bar.width(),
        );
        body.min.y = bar.bottom();
    }
    // The notice scrolls along the foot.
    let notice_height = if board.notice.is_empty() {
        0.0
    } else {
        px(90.0)
    };
    let foot = Rect::from_min_max(pos2(area.left(), area.bottom() - notice_height), area.max);
    body.max.y = foot.top();
    if notice_height > 0.0 {
        marquee(painter, foot, &board.notice, px(50.0), time, px(160.0));
    }

    let gap = px(24.0);
    let body = body.shrink(gap);
    let (call_area, side) = if portrait {
        let (top, bottom) = split_v(body, 0.5, gap);
        (top, bottom)
    } else {
        let (left, right) = split_h(body, 0.58, gap);
        (left, right)
    };
    let (newest, recent) = split_v(call_area, 0.7, gap);
    newest_call(
        painter,
        newest,
        board.latest.as_ref(),
        board.flashing(now) && (time * 2.0).fract() < 0.5,
        px,
    );
    recent_calls(painter, recent, board, px);
    let (counters, waiting) = split_v(side, 0.62, gap);
    counter_table(painter, counters, board, px);
    waiting_table(painter, waiting, board, px);
}

fn newest_call(
    painter: &egui::Painter,
    area: Rect,
    call: Option<&Call>,
    lit: bool,
    px: impl Fn(f32) -> f32,
) {
    let (fill, ink, label_ink) = if lit {
        (FLASH, BACKGROUND, BACKGROUND)
    } else {
        (PANEL, NUMBER, SOFT)
    };
    painter.rect_filled(area, px(18.0), fill);
    let h = area.height();
    let Some(call) = call else {
        text(
            painter,
            area.center(),
            Align2::CENTER_CENTER,
            "Xin chào quý công dân",
            px(64.0).min(h * 0.2),
            SOFT,
            area.width(),
        );
        return;
    };
    let at = |share: f32| pos2(area.center().x, area.top() + h * share);
    let label = if call.recall {
        "MỜI LẠI SỐ"
    } else {
        "MỜI SỐ"
    };
    text(
        painter,
        at(0.11),
        Align2::CENTER_CENTER,
        label,
        px(54.0).min(h * 0.1),
        label_ink,
        area.width(),
    );
    text(
        painter,
        at(0.47),
        Align2::CENTER_CENTER,
        &call.number,
        px(330.0).min(h * 0.52),
        ink,
        area.width() - px(60.0),
    );
    let counter = format!("→ Quầy {}", call.counter_number);
    text(
        painter,
        at(0.85),
        Align2::CENTER_CENTER,
        &counter,
        px(120.0).min(h * 0.2),
        if lit { BACKGROUND } else { TEXT },
        area.width() - px(40.0),
    );
}

/// A board panel: its background and its title in the top left corner.
fn panel(painter: &egui::Painter, area: Rect, title: &str, px: &impl Fn(f32) -> f32) {
    painter.rect_filled(area, px(18.0), PANEL);
    text(
        painter,
        area.left_top() + vec2(px(24.0), px(14.0)),
        Align2::LEFT_TOP,
        title,
        px(40.0),
        SOFT,
        area.width(),
    );
}

fn recent_calls(painter: &egui::Painter, area: Rect, board: &Board, px: impl Fn(f32) -> f32) {
    panel(painter, area, "Vừa gọi", &px);
    let row = Rect::from_min_max(
        area.min + vec2(px(24.0), px(70.0)),
        area.max - vec2(px(24.0), px(16.0)),
    );
    let shown: Vec<&Call> = board.recent.iter().take(4).collect();
    let width = row.width() / 4.0;
    for (i, call) in shown.iter().enumerate() {
        let cell = Rect::from_min_size(
            row.min + vec2(width * i as f32, 0.0),
            vec2(width, row.height()),
        );
        text(
            painter,
            pos2(cell.center().x, cell.top() + cell.height() * 0.35),
            Align2::CENTER_CENTER,
            &call.number,
            px(64.0),
            NUMBER,
            width - px(10.0),
        );
        text(
            painter,
            pos2(cell.center().x, cell.top() + cell.height() * 0.78),
            Align2::CENTER_CENTER,
            &format!("Quầy {}", call.counter_number),
            px(40.0),
            TEXT,
            width - px(10.0),
        );
    }
}

fn counter_table(painter: &egui::Painter, area: Rect, board: &Board, px: impl Fn(f32) -> f32) {
    panel(painter, area, "Quầy", &px);
    text(
        painter,
        area.right_top() + vec2(-px(24.0), px(14.0)),
        Align2::RIGHT_TOP,
        "Đang phục vụ",
        px(40.0),
        SOFT,
        area.width(),
    );
    let lines: Vec<_> = board
        .counters
        .iter()
        .filter(|c| c.state != CounterState::Closed)
        .collect();
    if lines.is_empty() {
        text(
            painter,
            area.center(),
            Align2::CENTER_CENTER,
            "Chưa có quầy nào mở",
            px(44.0),
            SOFT,
            area.width(),
        );
        return;
    }
    let top = area.top() + px(72.0);
    let height = ((area.bottom() - top - px(10.0)) / lines.len() as f32).min(px(130.0));
    // Room for the counter's name on a line of its own under "Quầy 3".
    let two_lines = height >= px(96.0);
    let size = (height * if two_lines { 0.5 } else { 0.62 }).min(px(64.0));
    for (i, line) in lines.iter().enumerate() {
        let y = top + height * (i as f32 + 0.5);
        // "Quầy 3" large, then the counter's own name (without a "Quầy" of
        // its own): under it when there is room, else beside it.
        let label = format!("Quầy {}", line.number);
        let name_size = (size * 0.55).max(px(28.0));
        let label_y = if two_lines { y - name_size * 0.55 } else { y };
        let label_width = text(
            painter,
            pos2(area.left() + px(24.0), label_y),
            Align2::LEFT_CENTER,
            &label,
            size,
            TEXT,
            area.width() * 0.3,
        );
        if let Some(name) = line.short_name() {
            let (at, room) = if two_lines {
                (
                    pos2(area.left() + px(24.0), y + size * 0.55),
                    area.width() * 0.7 - px(24.0),
                )
            } else {
                (
                    pos2(area.left() + px(40.0) + label_width, y),
                    area.width() * 0.66 - label_width - px(48.0),
                )
            };
            if room > px(60.0) {
                text(
                    painter,
                    at,
                    Align2::LEFT_CENTER,
                    &ellipsized(painter, name, name_size, room),
                    name_size,
                    SOFT,
                    room,
                );
            }
        }
        let (current, colour) = match (&line.state, &line.current) {
            (CounterState::Paused, _) => ("Tạm dừng".to_owned(), SOFT),
            (_, Some((_, number))) => (number.clone(), NUMBER),
            (_, None) => ("—".to_owned(), SOFT),
        };
        text(
            painter,
            pos2(area.right() - px(24.0), y),
            Align2::RIGHT_CENTER,
            &current,
            size,
            colour,
            area.width() * 0.3,
        );
    }
}

fn waiting_table(painter: &egui::Painter, area: Rect, board: &Board, px: impl Fn(f32) -> f32) {
    panel(painter, area, "Đang chờ", &px);
    if board.services.is_empty() {
        return;
    }
    let top = area.top() + px(68.0);
    let height = ((area.bottom() - top - px(8.0)) / board.services.len() as f32).min(px(80.0));
    let size = (height * 0.6).min(px(44.0));
    for (i, service) in board.services.iter().enumerate() {
        let y = top + height * (i as f32 + 0.5);
        let count = service.waiting.to_string();
        let count_width = text(
            painter,
            pos2(area.right() - px(24.0), y),
            Align2::RIGHT_CENTER,
            &count,
            size,
            NUMBER,
            f32::INFINITY,
        );
        text(
            painter,
            pos2(area.left() + px(24.0), y),
            Align2::LEFT_CENTER,
            &service.name,
            size,
            TEXT,
            area.width() - count_width - px(72.0),
        );
    }
}

/// The notice, moving right to left at `speed` points a second.
fn marquee(painter: &egui::Painter, area: Rect, notice: &str, size: f32, time: f64, speed: f32) {
    painter.rect_filled(area, 0.0, PANEL);
    let galley = painter.layout_no_wrap(notice.to_owned(), FontId::proportional(size), TEXT);
    let travel = area.width() + galley.size().x;
    let offset = ((time * f64::from(speed)) % f64::from(travel)) as f32;
    let x = area.right() - offset;
    let y = area.center().y - galley.size().y / 2.0;
    painter
        .with_clip_rect(area)
        .galley(pos2(x, y), galley, TEXT);
}

/// `s`, cut with "…" where it would pass `width` at `size`.
fn ellipsized(painter: &egui::Painter, s: &str, size: f32, width: f32) -> String {
    let fits = |t: &str| {
        painter
            .layout_no_wrap(t.to_owned(), FontId::proportional(size), TEXT)
            .size()
            .x
            <= width
    };
    if fits(s) {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len())
        .rev()
        .map(|n| format!("{}…", chars[..n].iter().collect::<String>().trim_end()))
        .find(|t| fits(t))
        .unwrap_or_default()
}

/// The size at which `s` fits `width`, at most `size`.
fn fit(painter: &egui::Painter, s: &str, size: f32, width: f32) -> f32 {
    let natural = painter
        .layout_no_wrap(s.to_owned(), FontId::proportional(size), TEXT)
        .size()
        .x;
    if natural > width {
        size * width / natural
    } else {
        size
    }
}

/// Draws `s` anchored at `at`, shrunk to fit `max_width`; returns its width.
fn text(
    painter: &egui::Painter,
    at: Pos2,
    anchor: Align2,
    s: &str,
    size: f32,
    colour: Color32,
    max_width: f32,
) -> f32 {
    let size = fit(painter, s, size, max_width);
    let galley = painter.layout_no_wrap(s.to_owned(), FontId::proportional(size), colour);
    let rect = anchor.anchor_size(at, galley.size());
    let width = galley.size().x;
    painter.galley(rect.min, galley, colour);
    width
}

fn split_h(area: Rect, share: f32, gap: f32) -> (Rect, Rect) {
    let x = area.left() + (area.width() - gap) * share;
    (
        Rect::from_min_max(area.min, pos2(x, area.bottom())),
        Rect::from_min_max(pos2(x + gap, area.top()), area.max),
    )
}

fn split_v(area: Rect, share: f32, gap: f32) -> (Rect, Rect) {
    let y = area.top() + (area.height() - gap) * share;
    (
        Rect::from_min_max(area.min, pos2(area.right(), y)),
        Rect::from_min_max(pos2(area.left(), y + gap), area.max),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::Input;
    use layso_protocol::*;

    fn called_board() -> Board {
        let mut board = Board::default();
        let call = ServerMessage::Event(Event {
            seq: 1,
            at: Utc::now(),
            office_id: OfficeId(1),
            change: Change::Ticket(TicketChange {
                step: TicketStep::Called,
                ticket_id: TicketId(5),
                display_number: "1005".into(),
                service_id: ServiceId(1),
                priority: Priority::None,
                from: Some(TicketState::Waiting),
                to: TicketState::Called,
                counter_id: Some(CounterId(3)),
                counter_number: Some(3),
                user_id: None,
                reason: None,
            }),
        });
        board.apply(Input::Message(call), Utc::now(), Duration::from_secs(15));
        board
    }

    /// The fills of the panels `draw` paints at `time`.
    fn fills(board: &Board, time: f64) -> Vec<Color32> {
        let ctx = egui::Context::default();
        layso_device::font::install(&ctx);
        let input = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1920.0, 1080.0))),
            ..Default::default()
        };
        let mut output = ctx.run_ui(input, |ui| draw(ui.painter(), ui.max_rect(), board, time));
        output.textures_delta.clear();
        output
            .shapes
            .iter()
            .filter_map(|clipped| match &clipped.shape {
                egui::Shape::Rect(rect) => Some(rect.fill),
                _ => None,
            })
            .collect()
    }

    // A fresh call's box lights up and goes dark twice a second; an old
    // call's box stays dark.
    #[test]
    fn the_newest_call_flashes() {
        let board = called_board();
        assert!(board.flashing(Utc::now()));
        assert!(fills(&board, 0.1).contains(&FLASH));
        assert!(!fills(&board, 0.35).contains(&FLASH));
        let mut old = board.clone();
        old.apply(Input::Offline, Utc::now(), Duration::ZERO);
        assert!(!old.flashing(Utc::now() + chrono::Duration::seconds(7)));
    }
}
