//! Vietnamese words for what the hall display says aloud: numbers, ticket
//! numbers with their prefix letters, and the call phrase.
//!
//! The rules (Northern by default, Southern as an option): 10 mười, 15
//! mười lăm, 21 hai mươi mốt, 24 hai mươi tư, 101 một trăm linh một (South:
//! lẻ), 1005 một nghìn không trăm linh năm (South: một ngàn không trăm lẻ
//! năm). "mốt" and "tư" come only after "mươi", "lăm" only after
//! "mười"/"mươi", and "không trăm" is never dropped inside thousands.
//! Pure functions: the display turns these words into audio.

use serde::{Deserialize, Serialize};

/// Which way numbers are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// "linh", "nghìn".
    #[default]
    North,
    /// "lẻ", "ngàn".
    South,
}

/// How the digits of a ticket number are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// As a number: 1005 is "một nghìn không trăm linh năm", A007 is "a bảy".
    #[default]
    Number,
    /// Digit by digit: 1005 is "một không không năm".
    Digits,
}

/// The largest number read as a number; longer runs of digits are read digit
/// by digit.
pub const MAX_NUMBER: u32 = 999_999;

/// The phrase the display speaks when the office has not set its own.
pub const DEFAULT_PHRASE: &str = "Xin mời công dân có số thứ tự {số} đến quầy số {quầy}";

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// The words of `n` (at most [`MAX_NUMBER`]; larger numbers are read digit
/// by digit), e.g. `một nghìn không trăm linh năm`.
pub fn number_words(n: u32, dialect: Dialect) -> String {
    if n > MAX_NUMBER {
        return digit_words(&n.to_string());
    }
    let mut words = Vec::new();
    if n == 0 {
        words.push(DIGITS[0]);
    } else if n < 1000 {
        hundreds(n, false, dialect, &mut words);
    } else {
        hundreds(n / 1000, false, dialect, &mut words);
        words.push(match dialect {
            Dialect::North => "nghìn",
            Dialect::South => "ngàn",
        });
        if !n.is_multiple_of(1000) {
            hundreds(n % 1000, true, dialect, &mut words);
        }
    }
    words.join(" ")
}

/// The words of 1 to 999. `inside` is true after a thousands word, where
/// even a zero hundred is said ("không trăm").
fn hundreds(n: u32, inside: bool, dialect: Dialect, words: &mut Vec<&'static str>) {
    let (h, rest) = (n / 100, n % 100);
    let said_hundreds = inside || h > 0;
    if said_hundreds {
        words.push(DIGITS[h as usize]);
        words.push("trăm");
    }
    let (t, u) = ((rest / 10) as usize, (rest % 10) as usize);
    match (t, u) {
        (0, 0) => {}
        (0, u) => {
            if said_hundreds {
                words.push(match dialect {
                    Dialect::North => "linh",
                    Dialect::South => "lẻ",
                });
            }
            words.push(DIGITS[u]);
        }
        (1, u) => {
            words.push("mười");
            match u {
                0 => {}
                5 => words.push("lăm"),
                u => words.push(DIGITS[u]),
            }
        }
        (t, u) => {
            words.push(DIGITS[t]);
            words.push("mươi");
            match u {
                0 => {}
                1 => words.push("mốt"),
                4 => words.push("tư"),
                5 => words.push("lăm"),
                u => words.push(DIGITS[u]),
            }
        }
    }
}

/// Each digit of `digits` by its name (anything else is skipped), e.g.
/// `một không không năm`.
pub fn digit_words(digits: &str) -> String {
    let words: Vec<&str> = digits
        .chars()
        .filter_map(|c| c.to_digit(10).map(|d| DIGITS[d as usize]))
        .collect();
    words.join(" ")
}

/// How a letter of a ticket prefix is read aloud, e.g. `B` is "bê"; `None`
/// for anything that is not a letter of the Vietnamese or Latin alphabet.
pub fn letter_name(letter: char) -> Option<&'static str> {
    let name = match letter.to_lowercase().next()? {
        'a' => "a",
        'ă' => "á",
        'â' => "ớ",
        'b' => "bê",
        'c' => "xê",
        'd' => "dê",
        'đ' => "đê",
        'e' => "e",
        'ê' => "ê",
        'f' => "ép",
        'g' => "giê",
        'h' => "hát",
        'i' => "i",
        'j' => "gi",
        'k' => "ca",
        'l' => "e lờ",
        'm' => "em mờ",
        'n' => "en nờ",
        'o' => "o",
        'ô' => "ô",
        'ơ' => "ơ",
        'p' => "pê",
        'q' => "quy",
        'r' => "e rờ",
        's' => "ét xì",
        't' => "tê",
        'u' => "u",
        'ư' => "ư",
        'v' => "vê",
        'w' => "vê kép",
        'x' => "ích xì",
        'y' => "i dài",
        'z' => "dét",
        _ => return None,
    };
    Some(name)
}

/// The words of a ticket or counter number as printed (`A007`, `1005`, `3`):
/// letters by name, each run of digits as `reading` says. Other characters
/// (a dash) are not read.
pub fn label_words(label: &str, dialect: Dialect, reading: Reading) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, words: &mut Vec<String>| {
        if digits.is_empty() {
            return;
        }
        let spoken = match (reading, digits.parse::<u32>()) {
            (Reading::Number, Ok(n)) => number_words(n, dialect),
            _ => digit_words(digits),
        };
        words.push(spoken);
        digits.clear();
    };
    for c in label.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        flush(&mut digits, &mut words);
        if let Some(name) = letter_name(c) {
            words.push(name.to_owned());
        }
    }
    flush(&mut digits, &mut words);
    words.join(" ")
}

/// The call phrase with `{số}` replaced by the ticket's words and `{quầy}`
/// by the counter's, e.g. "Xin mời công dân có số thứ tự một nghìn không
/// trăm linh năm đến quầy số ba". Counter numbers are always read as
/// numbers.
pub fn call_words(
    phrase: &str,
    ticket: &str,
    counter: &str,
    dialect: Dialect,
    reading: Reading,
) -> String {
    phrase
        .replace("{số}", &label_words(ticket, dialect, reading))
        .replace("{quầy}", &label_words(counter, dialect, Reading::Number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dialect::{North, South};

    fn north(n: u32) -> String {
        number_words(n, North)
    }

    fn south(n: u32) -> String {
        number_words(n, South)
    }

    // The brief's examples and the cases people get wrong.
    #[test]
    fn tricky_numbers_read_as_people_say_them() {
        let table = [
            (0, "không", "không"),
            (1, "một", "một"),
            (4, "bốn", "bốn"),
            (5, "năm", "năm"),
            (10, "mười", "mười"),
            (11, "mười một", "mười một"),
            (14, "mười bốn", "mười bốn"),
            (15, "mười lăm", "mười lăm"),
            (20, "hai mươi", "hai mươi"),
            (21, "hai mươi mốt", "hai mươi mốt"),
            (24, "hai mươi tư", "hai mươi tư"),
            (25, "hai mươi lăm", "hai mươi lăm"),
            (55, "năm mươi lăm", "năm mươi lăm"),
            (100, "một trăm", "một trăm"),
            (101, "một trăm linh một", "một trăm lẻ một"),
            (104, "một trăm linh bốn", "một trăm lẻ bốn"),
            (105, "một trăm linh năm", "một trăm lẻ năm"),
            (110, "một trăm mười", "một trăm mười"),
            (111, "một trăm mười một", "một trăm mười một"),
            (115, "một trăm mười lăm", "một trăm mười lăm"),
            (121, "một trăm hai mươi mốt", "một trăm hai mươi mốt"),
            (999, "chín trăm chín mươi chín", "chín trăm chín mươi chín"),
            (1000, "một nghìn", "một ngàn"),
            (
                1005,
                "một nghìn không trăm linh năm",
                "một ngàn không trăm lẻ năm",
            ),
            (
                1010,
                "một nghìn không trăm mười",
                "một ngàn không trăm mười",
            ),
            (
                1050,
                "một nghìn không trăm năm mươi",
                "một ngàn không trăm năm mươi",
            ),
            (1100, "một nghìn một trăm", "một ngàn một trăm"),
            (
                1101,
                "một nghìn một trăm linh một",
                "một ngàn một trăm lẻ một",
            ),
            (2000, "hai nghìn", "hai ngàn"),
            (
                2024,
                "hai nghìn không trăm hai mươi tư",
                "hai ngàn không trăm hai mươi tư",
            ),
            (
                9999,
                "chín nghìn chín trăm chín mươi chín",
                "chín ngàn chín trăm chín mươi chín",
            ),
            (10_000, "mười nghìn", "mười ngàn"),
            (
                21_001,
                "hai mươi mốt nghìn không trăm linh một",
                "hai mươi mốt ngàn không trăm lẻ một",
            ),
            (105_000, "một trăm linh năm nghìn", "một trăm lẻ năm ngàn"),
        ];
        for (n, n_words, s_words) in table {
            assert_eq!(north(n), n_words, "{n} in the North");
            assert_eq!(south(n), s_words, "{n} in the South");
        }
    }

    // The rules hold for every number a ticket can carry, not just the table.
    #[test]
    fn every_number_to_9999_follows_the_rules() {
        for n in 0..=9999u32 {
            let words_n = north(n);
            let w: Vec<&str> = words_n.split(' ').collect();
            let (th, h, t, u) = (n / 1000, n / 100 % 10, n / 10 % 10, n % 10);
            for (i, word) in w.iter().enumerate() {
                let before = i.checked_sub(1).map(|j| w[j]);
                match *word {
                    "mốt" | "tư" => {
                        assert_eq!(before, Some("mươi"), "{n}: {words_n}")
                    }
                    "lăm" => assert!(matches!(before, Some("mười" | "mươi")), "{n}: {words_n}"),
                    "linh" => assert!(t == 0 && u != 0 && n >= 100, "{n}: {words_n}"),
                    _ => {}
                }
            }
            // A unit five after mười/mươi is "lăm"; after linh it is "năm".
            if u == 5 && t > 0 {
                assert!(words_n.ends_with("lăm"), "{n}: {words_n}");
            }
            // Inside thousands a zero hundred is still said.
            if th > 0 && h == 0 && !n.is_multiple_of(100) {
                assert!(words_n.contains("nghìn không trăm"), "{n}: {words_n}");
            }
            if th > 0 && n.is_multiple_of(1000) {
                assert_eq!(w.len(), 2, "{n}: {words_n}");
            }
            // "linh" exactly where the tens digit is zero under a hundred.
            assert_eq!(
                words_n.contains("linh"),
                n >= 100 && t == 0 && u != 0,
                "{n}: {words_n}"
            );
            // The Southern reading differs only by its two words.
            assert_eq!(
                south(n),
                words_n.replace("linh", "lẻ").replace("nghìn", "ngàn"),
                "{n}"
            );
            // Only known words, never an empty one.
            for word in &w {
                assert!(
                    DIGITS.contains(word)
                        || ["mười", "mươi", "mốt", "tư", "lăm", "linh", "trăm", "nghìn"]
                            .contains(word),
                    "{n}: {words_n}"
                );
            }
        }
    }

    // Different numbers never sound alike, so nobody goes to the wrong call.
    #[test]
    fn no_two_numbers_to_9999_share_their_words() {
        let mut seen = std::collections::HashMap::new();
        for n in 0..=9999u32 {
            if let Some(other) = seen.insert(north(n), n) {
                panic!("{n} and {other} both read {}", north(n));
            }
        }
    }

    // Digit by digit keeps zeros, and a ticket's letters are read by name.
    #[test]
    fn labels_read_letters_by_name_and_digits_as_asked() {
        assert_eq!(digit_words("1005"), "một không không năm");
        assert_eq!(
            label_words("1005", North, Reading::Number),
            "một nghìn không trăm linh năm"
        );
        assert_eq!(
            label_words("1005", North, Reading::Digits),
            "một không không năm"
        );
        assert_eq!(label_words("A007", North, Reading::Number), "a bảy");
        assert_eq!(
            label_words("A007", South, Reading::Digits),
            "a không không bảy"
        );
        assert_eq!(
            label_words("B-105", South, Reading::Number),
            "bê một trăm lẻ năm"
        );
        assert_eq!(label_words("Đ12", North, Reading::Number), "đê mười hai");
        assert_eq!(label_words("x3", North, Reading::Number), "ích xì ba");
        for c in 'A'..='Z' {
            assert!(letter_name(c).is_some(), "{c} has a name");
        }
        assert_eq!(letter_name('7'), None);
        // Too long for a number: read digit by digit rather than wrongly.
        assert_eq!(
            label_words("12345678", North, Reading::Number),
            "một hai ba bốn năm sáu bảy tám"
        );
    }

    // The default phrase with a ticket and a counter, as the hall hears it.
    #[test]
    fn a_call_fills_the_phrase() {
        assert_eq!(
            call_words(DEFAULT_PHRASE, "1005", "3", North, Reading::Number),
            "Xin mời công dân có số thứ tự một nghìn không trăm linh năm đến quầy số ba"
        );
        assert_eq!(
            call_words("Số {số}, quầy {quầy}", "A101", "12", South, Reading::Number),
            "Số a một trăm lẻ một, quầy mười hai"
        );
    }
}
