//! What counts as text a person typed: names, reasons and the lines an
//! office prints and shows. Such text ends up on thermal printers, on the
//! hall's board and in the audit log, so it must hold no control
//! characters (an ESC or GS byte is a printer command), no line breaks
//! (the layout decides them), no invisible formatting characters (zero
//! width spaces, direction overrides) and at least one visible letter.

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// It is empty (after trimming) where text is required.
    #[error("is empty")]
    Empty,
    /// It is longer than allowed, in characters.
    #[error("is longer than {0} characters")]
    TooLong(usize),
    /// It holds a control, line-break or invisible formatting character.
    #[error("holds the character U+{:04X}, which is not printable text", u32::from(*.0))]
    Unprintable(char),
    /// It holds nothing visible (only spaces or invisible characters).
    #[error("holds nothing visible")]
    Invisible,
}

impl TextError {
    /// The same, in Vietnamese, after the field's name ("Tên quầy …").
    pub fn vi(&self) -> String {
        match self {
            Self::Empty => "không được để trống".to_owned(),
            Self::TooLong(max) => format!("dài quá {max} ký tự"),
            Self::Unprintable(c) => format!(
                "có ký tự không in được (U+{:04X}, ví dụ ký tự điều khiển hay xuống dòng)",
                u32::from(*c)
            ),
            Self::Invisible => "không có chữ nào nhìn thấy được".to_owned(),
        }
    }
}

/// `text` trimmed, if it is printable text of at most `max` characters
/// (and not empty, when `required`).
pub fn clean(text: &str, max: usize, required: bool) -> Result<String, TextError> {
    let text = text.trim();
    if let Some(c) = text.chars().find(|c| unprintable(*c)) {
        return Err(TextError::Unprintable(c));
    }
    if text.chars().count() > max {
        return Err(TextError::TooLong(max));
    }
    if text.is_empty() {
        return if required {
            Err(TextError::Empty)
        } else {
            Ok(String::new())
        };
    }
    if text.chars().all(|c| c.is_whitespace() || invisible(c)) {
        return Err(TextError::Invisible);
    }
    Ok(text.to_owned())
}

/// Control characters (C0, DEL, C1), line and paragraph separators, and
/// the invisible formatting characters (Unicode's category Cf).
pub fn unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || format_character(c)
}

/// Characters that draw nothing although they are not spaces.
fn invisible(c: char) -> bool {
    format_character(c)
        || matches!(
            c,
            '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{2800}' | '\u{3164}' | '\u{FFA0}' | '\u{FE00}'
                ..='\u{FE0F}'
        )
}

/// Unicode's general category Cf (format characters), as of Unicode 15.
fn format_character(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vietnamese with every mark, decomposed or not, is text.
    #[test]
    fn vietnamese_is_text() {
        for name in [
            "Chứng thực bản sao",
            "Quầy Hộ tịch – số 1",
            "Đất đai (ưu tiên)",
            "Tie\u{0302}\u{0301}n",
        ] {
            assert_eq!(clean(&format!("  {name} "), 100, true).as_deref(), Ok(name));
        }
        assert_eq!(clean("   ", 100, false).as_deref(), Ok(""));
    }

    // Printer commands, line breaks, direction overrides and names of only
    // invisible characters are not.
    #[test]
    fn what_is_refused() {
        assert_eq!(
            clean("A\u{1b}@B", 100, true),
            Err(TextError::Unprintable('\u{1b}'))
        );
        assert_eq!(
            clean("A\u{1d}V\u{0}", 100, true),
            Err(TextError::Unprintable('\u{1d}'))
        );
        assert_eq!(
            clean("một\ndòng", 100, true),
            Err(TextError::Unprintable('\n'))
        );
        assert_eq!(
            clean("a\u{202E}b", 100, true),
            Err(TextError::Unprintable('\u{202E}'))
        );
        assert_eq!(
            clean("\u{200B}", 100, true),
            Err(TextError::Unprintable('\u{200B}'))
        );
        assert_eq!(
            clean("\u{3164}\u{3164}", 100, true),
            Err(TextError::Invisible)
        );
        assert_eq!(clean("", 100, true), Err(TextError::Empty));
        assert_eq!(clean("abcd", 3, true), Err(TextError::TooLong(3)));
        assert!(
            TextError::Unprintable('\u{1b}')
                .to_string()
                .contains("U+001B")
        );
    }
}
