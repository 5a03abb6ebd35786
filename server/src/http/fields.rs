//! The checks every text field of the API shares: printable text of a
//! bounded length (`layso_protocol::text`), refused with the field's name
//! in English and in Vietnamese.

use crate::error::{Error, Result};
use layso_protocol::{Reason, text};

/// `value` trimmed, if it is printable text of at most `max` characters
/// (and not empty when `required`); `en` and `vi` name the field ("the
/// office's name", "Tên cơ quan").
pub fn text(value: &str, en: &str, vi: &str, max: usize, required: bool) -> Result<String> {
    text::clean(value, max, required).map_err(|e| {
        let least = usize::from(required);
        Error::invalid(
            format!("{en} {e} (it is {least}-{max} characters of printable text)"),
            format!("{vi} {}.", e.vi()),
        )
    })
}

/// A reason given for the log (a pause, a call out of turn, a cancel…).
pub(super) fn reason(text: &str) -> Result<Reason> {
    Reason::parse(text).map_err(reason_error)
}

/// A refused reason as the API's error.
pub(super) fn reason_error(e: layso_protocol::BadReason) -> Error {
    Error::invalid(
        e.to_string(),
        "Lý do là 1–200 ký tự chữ in được (không xuống dòng, không ký tự điều khiển).",
    )
}
