//! `/login`: user name, password and, for counter staff, the counter they
//! sit at today.

use super::layout;
use crate::db::reads;
use crate::error::Result;
use crate::state::AppState;
use axum::extract::State;
use maud::{Markup, html};

/// The sign-in form, with the office's counters to choose from.
pub async fn page(State(state): State<AppState>) -> Result<Markup> {
    let office = reads::resolve_office(&state.db.read, None).await?;
    let name = reads::office(&state.db.read, office).await?.name;
    let counters = reads::counters(&state.db.read, office).await?;
    Ok(layout(
        "Đăng nhập",
        None,
        html! {
            main.narrow {
                h1 { "Đăng nhập" }
                p.muted { (name) }
                form #login {
                    label { "Tên đăng nhập"
                        input name="username" autocomplete="username" required autofocus;
                    }
                    label { "Mật khẩu"
                        input name="password" type="password" autocomplete="current-password" required;
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
