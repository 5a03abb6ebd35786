//! `/t/{token}`: the citizen's own page, opened from the QR code on the
//! printed ticket, on their phone. No sign-in: the 128-bit token in the
//! link is the only key. It says where the ticket is in its life, in the
//! ticket's own words (how many wait before it, the estimated wait), and
//! reloads itself while the ticket is still open, so no script is needed.

use super::{layout, page};
use crate::calendar;
use crate::db::reads::TicketKey;
use crate::error::Error;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use layso_protocol::{TicketState, TicketView, people_ahead_line, wait_line};
use maud::{Markup, html};

/// How often an open ticket's page reloads, in seconds.
pub const RELOAD_SECS: u32 = 15;

/// The ticket's page, or a Vietnamese "not found" page (404) for a link
/// that is wrong or belongs to no ticket.
pub async fn ticket(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let view = match state.ticket_view(TicketKey::Token(&token)).await {
        Ok(view) => view,
        Err(Error::NotFound(_)) => return not_found(),
        Err(error) => return error.into_response(),
    };
    match state.db.office(view.office_id).await {
        Ok(office) => {
            let issued = calendar::zone(&office.time_zone)
                .map(|zone| {
                    view.issued_at
                        .with_timezone(&zone)
                        .format("%H:%M ngày %d/%m/%Y")
                })
                .map(|at| at.to_string())
                .unwrap_or_default();
            ticket_page(&office.name, &view, &issued).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// Whether the ticket can still change (and its page should reload).
fn open(state: TicketState) -> bool {
    matches!(
        state,
        TicketState::Waiting | TicketState::Called | TicketState::Serving
    )
}

fn ticket_page(office: &str, t: &TicketView, issued: &str) -> Markup {
    let counter = t.counter_number.map(|n| n.to_string()).unwrap_or_default();
    let (class, headline) = match t.state {
        TicketState::Waiting => ("waiting", "Đang chờ đến lượt".to_owned()),
        TicketState::Called => ("called", format!("Mời bạn đến Quầy {counter}")),
        TicketState::Serving => ("serving", format!("Đang được phục vụ tại Quầy {counter}")),
        TicketState::Done => ("ended", "Đã phục vụ xong. Cảm ơn bạn!".to_owned()),
        TicketState::NoShow => ("missed", "Bạn đã lỡ lượt được gọi".to_owned()),
        TicketState::Cancelled => ("ended", "Vé đã bị hủy".to_owned()),
        TicketState::Expired => ("ended", "Vé đã hết hiệu lực (hết ngày làm việc)".to_owned()),
    };
    let body = html! {
        main.narrow.track {
            p.muted { (office) }
            p.service { (t.service_name) }
            p.number { (t.number) }
            p.state.(class) #state { (headline) }
            @if t.state == TicketState::Waiting {
                @if let Some(n) = t.people_ahead {
                    p { (people_ahead_line(n)) }
                }
                @if let Some(secs) = t.estimated_wait_secs {
                    p { (wait_line(secs)) }
                }
            }
            @if t.state == TicketState::NoShow {
                p { "Vui lòng liên hệ nhân viên tại quầy để được gọi lại." }
            }
            p.muted { "Lấy số lúc " (issued) }
            @if open(t.state) {
                p.muted { "Trang tự cập nhật mỗi " (RELOAD_SECS) " giây." }
            }
        }
    };
    let reload = open(t.state).then_some(RELOAD_SECS);
    page(&format!("Vé {}", t.number), None, reload, body)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        layout(
            "Không tìm thấy vé",
            None,
            html! {
                main.narrow.track {
                    h1 { "Không tìm thấy vé" }
                    p { "Đường dẫn này không ứng với vé nào. Vui lòng quét lại mã QR trên vé của bạn." }
                }
            },
        ),
    )
        .into_response()
}
