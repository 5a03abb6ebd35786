//! `/login`: user name, password and, for counter staff, the counter they
//! sit at today (the one last used in this browser, by the page's script).
//! A browser whose session ended comes back here still holding its old
//! cookie: the page says why it ended (someone else signed in at the
//! counter, a new password, …), so that nobody is sent back to the form
//! without a word.

use super::layout;
use crate::auth;
use crate::db::reads;
use crate::db::sessions::{self, EndedSession, SessionEnd};
use crate::error::Result;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use maud::{Markup, html};

/// The sign-in form, with the office's counters to choose from.
pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Result<Markup> {
    let office = reads::resolve_office(&state.db.read, None).await?;
    let name = reads::office(&state.db.read, office).await?.name;
    let counters = reads::counters(&state.db.read, office).await?;
    let ended = match auth::token_of(&headers) {
        Some(token) => {
            sessions::ended_session(&state.db.read, &auth::hash(token), state.clock.now()).await?
        }
        None => None,
    };
    let why = ended.as_ref().and_then(why_it_ended);
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
