//! The checks every text field of the API shares: printable text of a
//! bounded length (`layso_protocol::text`), refused with the field's name
//! in English and in Vietnamese.

use crate::error::{Error, Result};
use layso_protocol::text;

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
