//! `/console`: the counter staff's page. The ticket in front of them, large,
//! with a running timer; every action as a button with its key; the
//! waiting list of their counter's services; what every counter is doing;
//! today's served count and mean service time. `/console/panel` is the
//! live part, redrawn whenever the event stream says something changed, so
//! a button that no longer applies is disabled.

use super::{Refusal, Viewer, duration_vi, layout};
use crate::error::Error;
use crate::http::queue::snapshot_of;
use crate::rules::policy;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use layso_protocol::{CounterState, CounterView, Role, ServiceView, TicketState, TicketView};
use maud::{Markup, html};

/// The whole console.
pub async fn page(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    match render(&state, viewer, true).await {
        Ok(markup) => markup.into_response(),
        Err(response) => response,
    }
}

/// Its live part.
pub async fn panel(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    match render(&state, viewer, false).await {
        Ok(markup) => markup.into_response(),
        Err(response) => response,
    }
}

async fn render(
    state: &AppState,
    viewer: Result<Viewer, Refusal>,
    whole: bool,
) -> Result<Markup, Response> {
    let viewer = viewer.map_err(IntoResponse::into_response)?;
    viewer
        .require(&[Role::Staff], "trang quầy")
        .map_err(IntoResponse::into_response)?;
    let Some(counter_id) = viewer.principal.counter() else {
        return Ok(layout(
            "Chọn quầy",
            Some(viewer.role),
            html! {
                main.narrow {
                    h1 { "Bạn chưa chọn quầy" }
                    p { "Hãy đăng xuất rồi đăng nhập lại và chọn quầy làm việc." }
                }
            },
        ));
    };
    let office = viewer.principal.office;
    let data = async {
        let snapshot = snapshot_of(state, office).await?;
        let office_view = state.db.office(office).await?;
        let services = state.db.services(&office_view, state.clock.now()).await?;
        let midnight = super::midnight(snapshot.business_date, &office_view.time_zone)?;
        let day = state.db.counter_day(counter_id, midnight).await?;
        let date = snapshot.business_date.to_string();
        let absent = state.db.no_shows(office, &date).await?;
        let counter = snapshot
            .counters
            .iter()
            .find(|c| c.id == counter_id)
            .cloned()
            .ok_or(Error::NotFound("counter"))?;
        let (rules, history) = state.db.call_rules(&counter).await?;
        let current = match counter.current_ticket {
            Some(id) => {
                let since = state.db.changed_at(id).await?;
                snapshot
                    .tickets
                    .iter()
                    .find(|t| t.id == id)
                    .cloned()
                    .map(|t| (t, since))
            }
            None => None,
        };
        Ok::<_, Error>((
            office_view,
            snapshot,
            services,
            counter,
            current,
            day,
            absent,
            (rules, history),
        ))
    };
    let (office_view, snapshot, services, counter, current, day, absent, (rules, history)) =
        data.await.map_err(IntoResponse::into_response)?;
    let (waiting, next) = call_order(&counter, &snapshot.tickets, &rules, &history);
    let panel = Panel {
        counter: &counter,
        current: current.as_ref(),
        services: &services,
        tickets: &snapshot.tickets,
        waiting: &waiting,
        next: &next,
        absent: &absent,
        counters: &snapshot.counters,
        served: day.0,
        mean_secs: day.1,
    }
    .render();
    if !whole {
        return Ok(panel);
    }
    Ok(layout(
        &format!("Quầy {}", counter.number),
        Some(viewer.role),
        html! {
            main.console {
                p.muted { (office_view.name) }
                section #panel data-panel="/console/panel" { (panel) }
            }
        },
    ))
}

/// How many of the waiting the console lists, in the order call-next takes
/// them.
const LISTED: usize = 30;

/// The counter's waiting tickets (how many in all) and the first
/// [`LISTED`] of them in the order this counter's call-next would take
/// them.
fn call_order<'a>(
    counter: &CounterView,
    tickets: &'a [TicketView],
    rules: &policy::Rules,
    history: &[policy::PastCall],
) -> (Vec<&'a TicketView>, Vec<&'a TicketView>) {
    let waiting: Vec<&TicketView> = tickets
        .iter()
        .filter(|t| {
            t.state == TicketState::Waiting
                && counter
                    .services
                    .iter()
                    .any(|s| s.service_id == t.service_id)
        })
        .collect();
    let services: Vec<policy::CounterService> = (0u32..)
        .zip(&counter.services)
        .map(|(position, s)| policy::CounterService {
            service: s.service_id,
            position,
            weight: s.weight,
        })
        .collect();
    // The snapshot lists tickets by their place in time: its order is
    // every comparison the policy makes of `queue_at`.
    let candidates: Vec<policy::Candidate> = (0i64..)
        .zip(&waiting)
        .map(|(rank, t)| policy::Candidate {
            ticket: t.id,
            service: t.service_id,
            priority: t.priority.is_priority(),
            queue_at: rank,
        })
        .collect();
    let next = policy::order(rules, &services, &candidates, history, LISTED)
        .iter()
        .filter_map(|c| waiting.iter().find(|t| t.id == c.ticket).copied())
        .collect();
    (waiting, next)
}

/// What the live part shows.
struct Panel<'a> {
    counter: &'a CounterView,
    current: Option<&'a (TicketView, chrono::DateTime<chrono::Utc>)>,
    services: &'a [ServiceView],
    tickets: &'a [TicketView],
    /// The waiting tickets of the counter's services.
    waiting: &'a [&'a TicketView],
    /// The first of them in the order call-next takes them.
    next: &'a [&'a TicketView],
    /// Today's no-shows of the office.
    absent: &'a [TicketView],
    counters: &'a [CounterView],
    served: u32,
    mean_secs: Option<i64>,
}

impl Panel<'_> {
    fn render(&self) -> Markup {
        let c = self.counter;
        let open = c.state == CounterState::Open;
        let base = format!("/api/v1/counters/{}", c.id.0);
        let serves: Vec<_> = c.services.iter().map(|s| s.service_id).collect();
        let waiting = self.waiting;
        let service_name = |id| {
            self.services
                .iter()
                .find(|s| s.id == id)
                .map_or("", |s| s.name.as_str())
        };
        let ticket = self.current.map(|(t, _)| t);
        let called = ticket.is_some_and(|t| t.state == TicketState::Called);
        let serving = ticket.is_some_and(|t| t.state == TicketState::Serving);
        let ticket_url = |step: &str| {
            ticket.map_or(String::new(), |t| {
                format!("{base}/tickets/{}/{step}", t.id.0)
            })
        };
        html! {
            div.counter-head {
                h1 { "Quầy " (c.number) " · " (c.name) }
                @match c.state {
                    CounterState::Open => span.badge.ok { "Đang mở" },
                    CounterState::Paused => span.badge.warn {
                        "Tạm dừng" @if let Some(r) = &c.pause_reason { ": " (r) }
                    },
                    CounterState::Closed => span.badge.off { "Đã đóng" },
                }
            }
            div.current #current data-state=(ticket.map_or("none", |t| t.state.as_str())) {
                @if let Some((t, since)) = self.current {
                    div.number #current-number { (t.number) }
                    div.what {
                        (t.service_name)
                        @if t.priority.is_priority() { " · " span.badge.warn { (t.priority.label_vi()) } }
                        @if t.recalls > 0 { " · đã gọi lại " (t.recalls) " lần" }
                    }
                    div.timer {
                        (if called { "Đã gọi " } else { "Đang phục vụ " })
                        span data-since=(since.timestamp_millis()) { "0:00" }
                    }
                } @else {
                    div.number.empty { "—" }
                    div.what { "Chưa có vé" }
                }
            }
            div.actions {
                (button("Gọi tiếp", 'n', &format!("{base}/call-next"), open && ticket.is_none() && !waiting.is_empty(), "primary"))
                (button("Gọi lại", 'r', &ticket_url("recall"), open && called, ""))
                (button("Bắt đầu", 's', &ticket_url("start"), called, ""))
                (button("Hoàn thành", 'f', &ticket_url("finish"), serving, "primary"))
                (button("Vắng mặt", 'v', &ticket_url("no-show"), called, ""))
                (dialog_button("Chuyển…", 't', "transfer", called || serving))
                (dialog_button("Gọi số…", 'g', "call", open && ticket.is_none() && !waiting.is_empty()))
                @if c.state == CounterState::Open {
                    (dialog_button("Tạm dừng…", 'p', "pause", true))
                } @else {
                    (button("Mở quầy", 'p', &format!("{base}/open"), true, ""))
                }
                (button("Đóng quầy", '\0', &format!("{base}/close"), c.state != CounterState::Closed && ticket.is_none(), "quiet"))
            }
            // Right under the buttons, so that it is on screen at 1366×768.
            p.keys.muted {
                "Phím tắt: N gọi tiếp · R gọi lại · S bắt đầu · F hoàn thành · V vắng mặt · "
                "T chuyển · G gọi số · P tạm dừng / tiếp tục"
            }
            div.columns {
                section {
                    h2 { "Đang chờ (" (waiting.len()) ") · theo thứ tự gọi" }
                    @if waiting.is_empty() {
                        p.muted { "Không có ai đang chờ." }
                    } @else {
                        table.list #waiting {
                            thead { tr { th { "Lượt" } th { "Số" } th { "Lĩnh vực" } th { "Đã chờ" } } }
                            tbody {
                                @for (turn, t) in (1..).zip(self.next) {
                                    tr.priority[t.priority.is_priority()] {
                                        td.turn { (turn) }
                                        td.num { (t.number) }
                                        td {
                                            (service_name(t.service_id))
                                            @if t.priority.is_priority() {
                                                " " span.badge.warn { "★ " (t.priority.label_vi()) }
                                            }
                                        }
                                        td { span data-since=(t.issued_at.timestamp_millis()) {} }
                                    }
                                }
                            }
                        }
                        @if waiting.len() > self.next.len() {
                            p.muted { "… và " (waiting.len() - self.next.len()) " người nữa." }
                        }
                    }
                    @let absent: Vec<&TicketView> = self.absent.iter().filter(|t| serves.contains(&t.service_id)).collect();
                    @if !absent.is_empty() {
                        h2 { "Vắng mặt hôm nay" }
                        table.list #absent {
                            tbody {
                                @for t in &absent {
                                    tr {
                                        td.num { (t.number) }
                                        td { (service_name(t.service_id)) }
                                        td {
                                            button type="button" data-post=(format!("{base}/tickets/{}/reactivate", t.id.0)) {
                                                "Cho vào lại hàng chờ"
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section {
                    h2 { "Hôm nay tại quầy" }
                    p #stats {
                        "Đã phục vụ: " strong #served { (self.served) }
                        " · Trung bình: " strong { (self.mean_secs.map_or("—".to_owned(), duration_vi)) }
                    }
                    h2 { "Các quầy" }
                    table.list #counters {
                        tbody {
                            @for other in self.counters {
                                tr.mine[other.id == c.id] {
                                    td { "Quầy " (other.number) }
                                    td.num {
                                        (other.current_ticket
                                            .and_then(|id| self.tickets.iter().find(|t| t.id == id))
                                            .map_or("—", |t| t.number.as_str()))
                                    }
                                    td.muted { (state_vi(other.state)) }
                                }
                            }
                        }
                    }
                }
            }
            dialog #transfer {
                form method="dialog" data-url=(ticket_url("transfer")) {
                    h2 { "Chuyển vé " (ticket.map_or("", |t| t.number.as_str())) " sang lĩnh vực khác" }
                    label { "Lĩnh vực"
                        select name="service_id" data-number required {
                            @for s in self.services {
                                @if ticket.is_none_or(|t| t.service_id != s.id) {
                                    option value=(s.id.0) { (s.name) }
                                }
                            }
                        }
                    }
                    label.check { input type="checkbox" name="keep_place" checked; "Giữ thứ tự theo giờ lấy số" }
                    menu { button value="cancel" formnovalidate { "Huỷ" } button.primary value="ok" { "Chuyển" } }
                }
            }
            dialog #call {
                form method="dialog" #call-form data-url=(format!("{base}/call")) {
                    h2 { "Gọi một số cụ thể" }
                    label { "Số (gõ số, ví dụ " (waiting.first().map_or("A012", |t| t.number.as_str())) ")"
                        input name="ticket_number" list="call-numbers" required autocomplete="off"
                            data-invalid="Mời gõ số cần gọi.";
                    }
                    datalist #call-numbers {
                        @for t in waiting {
                            option value=(t.number) data-id=(t.id.0) { (service_name(t.service_id)) }
                        }
                    }
                    label { "Lý do (bắt buộc)"
                        input name="reason" required maxlength="200" placeholder="Ví dụ: người cao tuổi, hẹn trước"
                            data-invalid="Mời ghi lý do gọi số này trước.";
                    }
                    menu { button value="cancel" formnovalidate { "Huỷ" } button.primary value="ok" { "Gọi" } }
                }
            }
            dialog #pause {
                form method="dialog" data-url=(format!("{base}/pause")) {
                    h2 { "Tạm dừng quầy" }
                    label { "Lý do"
                        input name="reason" required maxlength="200" placeholder="Ví dụ: nghỉ trưa"
                            data-invalid="Mời ghi lý do tạm dừng.";
                    }
                    menu { button value="cancel" formnovalidate { "Huỷ" } button.primary value="ok" { "Tạm dừng" } }
                }
            }
        }
    }
}

/// A button that posts to `url` (its key in brackets), disabled unless
/// `enabled`.
fn button(label: &str, key: char, url: &str, enabled: bool, class: &str) -> Markup {
    html! {
        button type="button" class=(class) data-post=(url) data-key=[(key != '\0').then(|| key.to_string())]
            disabled[!enabled] {
            (label) @if key != '\0' { " " kbd { (key.to_ascii_uppercase()) } }
        }
    }
}

/// A button that opens the dialog `id`.
fn dialog_button(label: &str, key: char, id: &str, enabled: bool) -> Markup {
    html! {
        button type="button" data-dialog=(id) data-key=(key) disabled[!enabled] {
            (label) " " kbd { (key.to_ascii_uppercase()) }
        }
    }
}

/// A counter's state in Vietnamese.
pub fn state_vi(state: CounterState) -> &'static str {
    match state {
        CounterState::Open => "Đang mở",
        CounterState::Paused => "Tạm dừng",
        CounterState::Closed => "Đã đóng",
    }
}
