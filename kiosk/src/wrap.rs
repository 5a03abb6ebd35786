//! Lines of a ticket as the printer lays them out: text is broken at
//! spaces so that each line fits the paper in the units that printer
//! really uses (character cells for the text profiles, dots for the raster
//! one), and a word too long for a line is broken between letters, never
//! between a letter and its tone mark.
//!
//! Text profiles send each tone mark as a byte of its own (CP1258). A
//! printer either draws it over the letter before it (no cell of its own)
//! or gives it a cell like any other byte: [`Marks`] says which, per
//! printer, and the line is measured that way.

use crate::cp1258;

/// What a text printer does with a tone mark's byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Marks {
    /// It gives it a cell of its own, like any byte (the safe guess: a line
    /// measured this way never overflows).
    #[default]
    Cell,
    /// It draws it over the letter before it.
    Overstrike,
}

/// The cells `text` takes on a text printer that treats marks as `marks`.
pub fn cells(text: &str, marks: Marks) -> usize {
    let bytes = cp1258::encode(text);
    match marks {
        Marks::Cell => bytes.len(),
        Marks::Overstrike => bytes.iter().filter(|b| !cp1258::is_tone_byte(**b)).count(),
    }
}

/// Splits `text` into lines whose `measure` is at most `max`, at spaces
/// where it can; a word longer than a line is cut between letters (a
/// letter keeps the combining marks that follow it).
pub fn wrap_with<M: PartialOrd + Copy>(
    text: &str,
    max: M,
    measure: impl Fn(&str) -> M,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if measure(&candidate) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: whole if it fits, else in pieces that do.
        for letter in letters(word) {
            let longer = format!("{line}{letter}");
            if !line.is_empty() && measure(&longer) > max {
                lines.push(std::mem::replace(&mut line, letter.to_owned()));
            } else {
                line = longer;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Splits `text` into lines of at most `width` cells of a text printer.
pub fn wrap(text: &str, width: usize, marks: Marks) -> Vec<String> {
    wrap_with(text, width, |s| cells(s, marks))
}

/// The letters of `text`, each with the combining marks that follow it.
fn letters(text: &str) -> impl Iterator<Item = &str> {
    let mut starts: Vec<usize> = text
        .char_indices()
        .filter(|(_, c)| !is_combining(*c))
        .map(|(i, _)| i)
        .collect();
    if starts.first() != Some(&0) {
        // Marks with no letter before them stay together at the start.
        starts.insert(0, 0);
    }
    starts.push(text.len());
    starts
        .windows(2)
        .map(move |w| &text[w[0]..w[1]])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

/// Unicode's combining diacritical marks (the Vietnamese tone marks and
/// shape marks among them).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    // A tone mark is a cell on a printer that gives it one, and none on a
    // printer that draws it over its letter.
    #[test]
    fn marks_take_cells_as_the_printer_does() {
        assert_eq!(cells("Hộ tịch", Marks::Cell), 9);
        assert_eq!(cells("Hộ tịch", Marks::Overstrike), 7);
        assert_eq!(cells("Ho\u{0302}\u{0323} ti\u{0323}ch", Marks::Cell), 9);
    }

    // Lines break at spaces by cells, and a long word is cut between
    // letters, never between a letter and its mark.
    #[test]
    fn long_words_break_between_letters() {
        let lines = wrap("Nghiêng nghiêng", 5, Marks::Cell);
        assert_eq!(lines, ["Nghiê", "ng", "nghiê", "ng"]);
        let decomposed = wrap("a\u{0301}a\u{0301}a\u{0301}", 4, Marks::Cell);
        assert_eq!(decomposed, ["a\u{0301}a\u{0301}", "a\u{0301}"]);
        for line in wrap(
            "Chứng thực bản sao từ bản chính, chữ ký, hợp đồng",
            16,
            Marks::Cell,
        ) {
            assert!(cells(&line, Marks::Cell) <= 16, "{line}");
            assert!(!line.starts_with(is_combining), "{line}");
        }
    }
}
