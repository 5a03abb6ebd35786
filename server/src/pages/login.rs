//! `/login`: user name, password and, for counter staff, the counter they
//! sit at today (the one last used in this browser, by the page's script).
//! On a server of several offices the office is in the address
//! (`/login?office=CODE`); without it the page lists the offices to choose.
//! A browser whose session ended comes back here still holding its old
//! cookie: the page says why it ended (someone else signed in at the
//! counter, a new password, …), so that nobody is sent back to the form
//! without a word.

use super::layout;
use crate::auth;
use crate::db::reads;
use crate::db::sessions::{EndedSession, SessionEnd};
use crate::error::Result;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use maud::{Markup, html};

/// `?office=CODE`: which office's sign-in.
#[derive(Debug, serde::Deserialize)]
pub struct Which {
    office: Option<String>,
}

/// The sign-in form, with the office's counters to choose from; on a
/// server of several offices, first the office.
pub async fn page(
    State(state): State<AppState>,
    Query(which): Query<Which>,
    headers: HeaderMap,
) -> Result<Markup> {
    let ended = match auth::token_of(&headers) {
        Some(token) => {
            state
                .db
                .ended_session(&auth::hash(token), state.clock.now())
                .await?
        }
        None => None,
    };
    let offices = state.db.offices().await?;
    // The office named, the only one, or that of the session that just
    // ended in this browser (whose end the form explains).
    let chosen = match (&which.office, offices.as_slice(), &ended) {
        (Some(code), _, _) => offices.iter().find(|o| &o.code == code),
        (None, [only], _) => Some(only),
        (None, _, Some(ended)) => offices.iter().find(|o| o.id == ended.office),
        (None, _, None) => None,
    };
    let Some(chosen) = chosen else {
        return Ok(choose_office(&offices, which.office.is_some()));
    };
    let (office, name) = (chosen.id, chosen.name.clone());
    let counters = state.db.counters(office).await?;
    let why = ended
        .as_ref()
        .filter(|e| e.office == office)
        .and_then(why_it_ended);
    Ok(layout(
        "Đăng nhập",
        None,
        html! {
            main.narrow {
                h1 { "Đăng nhập" }
                p.muted { (name) }
                @if let Some(why) = why {
                    p.notice #ended role="status" { (why) }
                }
                form #login {
                    input type="hidden" name="office_id" value=(office.0);
                    label { "Tên đăng nhập"
                        input name="username" autocomplete="username" required autofocus
                            data-invalid="Mời nhập tên đăng nhập.";
                    }
                    label { "Mật khẩu"
                        input name="password" type="password" autocomplete="current-password" required
                            data-invalid="Mời nhập mật khẩu.";
                    }
                    label { "Quầy (nhân viên quầy)"
                        select name="counter_id" {
                            option value="" { "— Không làm việc tại quầy —" }
                            @for c in &counters {
                                option value=(c.id.0) { "Quầy " (c.number) " – " (c.name) }
                            }
                        }
                    }
                    button.primary type="submit" { "Đăng nhập" }
                }
            }
        },
    ))
}

/// The offices of the server, each a link to its sign-in.
fn choose_office(offices: &[reads::OfficeRow], unknown: bool) -> Markup {
    layout(
        "Đăng nhập",
        None,
        html! {
            main.narrow {
                h1 { "Đăng nhập" }
                @if unknown {
                    p.notice role="status" { "Không tìm thấy cơ quan trong địa chỉ. Mời chọn cơ quan của bạn." }
                } @else {
                    p.muted { "Mời chọn cơ quan của bạn." }
                }
                ul.offices #offices {
                    @for o in offices {
                        li { a href=(format!("/login?office={}", o.code)) { (o.name) } }
                    }
                }
            }
        },
    )
}

/// Why the browser's last session ended, in Vietnamese; nothing after a
/// sign-out of one's own.
fn why_it_ended(ended: &EndedSession) -> Option<String> {
    let counter = ended
        .counter
        .map_or_else(|| "quầy".to_owned(), |n| format!("Quầy {n}"));
    Some(match ended.reason {
        Some(SessionEnd::Logout) => return None,
        Some(SessionEnd::TakenOver) => format!(
            "{} vừa đăng nhập tại {counter}, nên phiên làm việc của bạn ở quầy này đã kết thúc. \
             Nếu bạn vẫn làm việc tại đây, hãy đăng nhập lại.",
            ended.successor.as_deref().unwrap_or("Một người khác")
        ),
        Some(SessionEnd::Password) => {
            "Mật khẩu của bạn vừa được quản trị viên đặt lại. Mời đăng nhập bằng mật khẩu mới."
                .to_owned()
        }
        Some(SessionEnd::Disabled) => {
            "Tài khoản của bạn đã bị khoá. Mời liên hệ quản trị viên.".to_owned()
        }
        Some(SessionEnd::Role) => {
            "Quyền của tài khoản vừa được thay đổi. Mời đăng nhập lại.".to_owned()
        }
        Some(SessionEnd::Counters) => {
            format!("Bạn không còn được làm việc tại {counter}. Mời đăng nhập và chọn quầy khác.")
        }
        None => "Phiên làm việc đã hết hạn. Mời đăng nhập lại.".to_owned(),
    })
}
