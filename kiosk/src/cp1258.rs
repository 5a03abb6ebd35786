//! Windows-1258 (CP1258), the Vietnamese code page of Epson-style printers
//! (`ESC t 52`, WPC1258) and of many others.
//!
//! CP1258 holds the letters with a shape of their own whole (â ă ê ô ơ ư
//! đ and their capitals) and the five tone marks as separate combining
//! characters that follow their letter. So "Hộ tịch" is sent as `H`, `ô`,
//! dot below, ` `, `t`, `i`, dot below, `c`, `h`: every tone mark is
//! decomposed, even where CP1258 also has a precomposed letter (á), so that
//! a printer that composes one mark composes them all the same way.

/// Each Vietnamese vowel with its five tones, in the order
/// none, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
const VOWELS: [[char; 6]; 24] = [
    ['a', 'à', 'ả', 'ã', 'á', 'ạ'],
    ['ă', 'ằ', 'ẳ', 'ẵ', 'ắ', 'ặ'],
    ['â', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ'],
    ['e', 'è', 'ẻ', 'ẽ', 'é', 'ẹ'],
    ['ê', 'ề', 'ể', 'ễ', 'ế', 'ệ'],
    ['i', 'ì', 'ỉ', 'ĩ', 'í', 'ị'],
    ['o', 'ò', 'ỏ', 'õ', 'ó', 'ọ'],
    ['ô', 'ồ', 'ổ', 'ỗ', 'ố', 'ộ'],
    ['ơ', 'ờ', 'ở', 'ỡ', 'ớ', 'ợ'],
    ['u', 'ù', 'ủ', 'ũ', 'ú', 'ụ'],
    ['ư', 'ừ', 'ử', 'ữ', 'ứ', 'ự'],
    ['y', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ'],
    ['A', 'À', 'Ả', 'Ã', 'Á', 'Ạ'],
    ['Ă', 'Ằ', 'Ẳ', 'Ẵ', 'Ắ', 'Ặ'],
    ['Â', 'Ầ', 'Ẩ', 'Ẫ', 'Ấ', 'Ậ'],
    ['E', 'È', 'Ẻ', 'Ẽ', 'É', 'Ẹ'],
    ['Ê', 'Ề', 'Ể', 'Ễ', 'Ế', 'Ệ'],
    ['I', 'Ì', 'Ỉ', 'Ĩ', 'Í', 'Ị'],
    ['O', 'Ò', 'Ỏ', 'Õ', 'Ó', 'Ọ'],
    ['Ô', 'Ồ', 'Ổ', 'Ỗ', 'Ố', 'Ộ'],
    ['Ơ', 'Ờ', 'Ở', 'Ỡ', 'Ớ', 'Ợ'],
    ['U', 'Ù', 'Ủ', 'Ũ', 'Ú', 'Ụ'],
    ['Ư', 'Ừ', 'Ử', 'Ữ', 'Ứ', 'Ự'],
    ['Y', 'Ỳ', 'Ỷ', 'Ỹ', 'Ý', 'Ỵ'],
];

/// The combining tone marks (grave, hook, tilde, acute, dot below) as
/// Unicode and as CP1258 bytes, in the order of [`VOWELS`]' columns 1–5.
const TONES: [(char, u8); 5] = [
    ('\u{0300}', 0xCC),
    ('\u{0309}', 0xD2),
    ('\u{0303}', 0xDE),
    ('\u{0301}', 0xEC),
    ('\u{0323}', 0xF2),
];

/// Whether `byte` is one of the five combining tone marks.
pub fn is_tone_byte(byte: u8) -> bool {
    TONES.iter().any(|(_, b)| *b == byte)
}

/// Every Vietnamese letter, every tone, in words a line can hold: each
/// vowel with its tones, then Đ đ and the other consonants, upper case and
/// lower. What a test print shows.
pub fn every_vietnamese_letter_in_words() -> String {
    let mut words: Vec<String> = VOWELS.iter().map(|row| row.iter().collect()).collect();
    words.extend(["Đđ", "BCDGHKLMNPQRSTVX", "bcdghklmnpqrstvx"].map(String::from));
    words.join(" ")
}

/// Every Vietnamese letter, every tone: the sample line printers are
/// tested with.
pub fn every_vietnamese_letter() -> String {
    let mut all: String = VOWELS.iter().flatten().collect();
    all.push_str("ĐđBCDGHKLMNPQRSTVXbcdghklmnpqrstvx");
    all
}

/// What bytes 0x80–0xFF stand for; `None` where CP1258 has nothing.
const HIGH: [Option<char>; 128] = {
    let mut high = [None; 128];
    let defined: [(u8, char); 27] = [
        (0x80, '€'),
        (0x82, '‚'),
        (0x83, 'ƒ'),
        (0x84, '„'),
        (0x85, '…'),
        (0x86, '†'),
        (0x87, '‡'),
        (0x88, 'ˆ'),
        (0x89, '‰'),
        (0x8B, '‹'),
        (0x8C, 'Œ'),
        (0x91, '‘'),
        (0x92, '’'),
        (0x93, '“'),
        (0x94, '”'),
        (0x95, '•'),
        (0x96, '–'),
        (0x97, '—'),
        (0x98, '˜'),
        (0x99, '™'),
        (0x9B, '›'),
        (0x9C, 'œ'),
        (0x9F, 'Ÿ'),
        (0xC3, 'Ă'),
        (0xD0, 'Đ'),
        (0xD5, 'Ơ'),
        (0xDD, 'Ư'),
    ];
    let mut i = 0;
    while i < defined.len() {
        high[(defined[i].0 - 0x80) as usize] = Some(defined[i].1);
        i += 1;
    }
    // 0xA0–0xFF follow Latin-1, but for the Vietnamese letters and marks
    // that replace some of it.
    let mut b = 0xA0u32;
    while b <= 0xFF {
        let i = (b - 0x80) as usize;
        if high[i].is_none() {
            high[i] = char::from_u32(b);
        }
        b += 1;
    }
    let replaced: [(u8, char); 10] = [
        (0xCC, '\u{0300}'),
        (0xD2, '\u{0309}'),
        (0xDE, '\u{0303}'),
        (0xE3, 'ă'),
        (0xEC, '\u{0301}'),
        (0xF0, 'đ'),
        (0xF2, '\u{0323}'),
        (0xF5, 'ơ'),
        (0xFD, 'ư'),
        (0xFE, '₫'),
    ];
    let mut i = 0;
    while i < replaced.len() {
        high[(replaced[i].0 - 0x80) as usize] = Some(replaced[i].1);
        i += 1;
    }
    high
};

/// The byte for a character CP1258 holds as one code (no tone to split off).
fn byte_of(c: char) -> Option<u8> {
    if c.is_ascii() {
        return Some(c as u8);
    }
    HIGH.iter()
        .position(|h| *h == Some(c))
        .map(|i| 0x80 + i as u8)
}

/// A vowel's toneless letter and its tone (0 = none, 1–5 as in [`TONES`]).
fn split_tone(c: char) -> Option<(char, usize)> {
    VOWELS
        .iter()
        .find_map(|row| row.iter().position(|&v| v == c).map(|tone| (row[0], tone)))
}

/// Composes a letter and a following combining circumflex, breve or horn
/// (text in decomposed form) into the letter CP1258 has whole.
fn with_shape_mark(base: char, mark: char) -> Option<char> {
    let composed = match (base, mark) {
        ('a', '\u{0302}') => 'â',
        ('e', '\u{0302}') => 'ê',
        ('o', '\u{0302}') => 'ô',
        ('A', '\u{0302}') => 'Â',
        ('E', '\u{0302}') => 'Ê',
        ('O', '\u{0302}') => 'Ô',
        ('a', '\u{0306}') => 'ă',
        ('A', '\u{0306}') => 'Ă',
        ('o', '\u{031B}') => 'ơ',
        ('u', '\u{031B}') => 'ư',
        ('O', '\u{031B}') => 'Ơ',
        ('U', '\u{031B}') => 'Ư',
        _ => return None,
    };
    Some(composed)
}

/// Encodes text as CP1258 bytes, tone marks decomposed. Characters CP1258
/// cannot hold become `?`; control and formatting characters are left out
/// (line breaks and tabs become spaces), so no byte is below 0x20.
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(mut c) = chars.next() {
        // A text byte below 0x20 is a printer command (ESC, GS, …): text is
        // never allowed to send one. A line break or tab is a space.
        if layso_protocol::text::unprintable(c) {
            if c.is_whitespace() {
                out.push(b' ');
            }
            continue;
        }
        // Text in decomposed form: put the shape mark back on its letter.
        if let Some(&mark) = chars.peek()
            && let Some(composed) = with_shape_mark(c, mark)
        {
            chars.next();
            c = composed;
        }
        match split_tone(c) {
            Some((base, tone)) => {
                out.push(byte_of(base).unwrap_or(b'?'));
                if tone > 0 {
                    out.push(TONES[tone - 1].1);
                }
            }
            None => out.push(byte_of(c).unwrap_or(b'?')),
        }
    }
    out
}

/// Decodes CP1258 bytes back to text, with each tone mark composed onto
/// the letter before it (as Vietnamese is normally written). Bytes CP1258
/// leaves undefined become U+FFFD.
pub fn decode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        let c = if b < 0x80 {
            char::from(b)
        } else {
            HIGH[usize::from(b - 0x80)].unwrap_or('\u{FFFD}')
        };
        let tone = TONES.iter().position(|&(mark, _)| mark == c);
        let composed = tone.and_then(|t| {
            let last = out.chars().last()?;
            VOWELS
                .iter()
                .find(|row| row[0] == last)
                .map(|row| row[t + 1])
        });
        match composed {
            Some(letter) => {
                out.pop();
                out.push(letter);
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every Vietnamese letter with every tone survives the trip through
    // CP1258, each as its letter byte and at most one tone byte.
    #[test]
    fn every_letter_and_tone_round_trips() {
        for row in VOWELS {
            for (tone, letter) in row.into_iter().enumerate() {
                let bytes = encode(&letter.to_string());
                assert_eq!(bytes.len(), if tone == 0 { 1 } else { 2 }, "{letter}");
                assert_eq!(decode(&bytes), letter.to_string(), "{letter}");
            }
        }
        let all = every_vietnamese_letter();
        assert_eq!(decode(&encode(&all)), all);
        assert!(!encode(&all).contains(&b'?'));
    }

    // The bytes are the code page's: letters with a shape of their own are
    // one byte, tones follow as combining marks, even where CP1258 has a
    // precomposed letter.
    #[test]
    fn known_bytes() {
        assert_eq!(encode("Hộ tịch"), b"H\xF4\xF2 ti\xF2ch");
        assert_eq!(encode("Đất đai"), b"\xD0\xE2\xECt \xF0ai");
        assert_eq!(encode("á"), b"a\xEC");
        assert_eq!(encode("Ưu tiên"), b"\xDDu ti\xEAn");
        assert_eq!(encode("ơ ư Ơ Ư ă Ă"), b"\xF5 \xFD \xD5 \xDD \xE3 \xC3");
        assert_eq!(encode("1.000₫"), b"1.000\xFE");
    }

    // Text in decomposed form (NFD) encodes like its composed form.
    #[test]
    fn decomposed_input() {
        let nfd = "Nguye\u{0302}\u{0303}n Thi\u{0323} Ngo\u{031B}\u{0300}";
        assert_eq!(encode(nfd), encode("Nguyễn Thị Ngờ"));
    }

    // What CP1258 cannot hold is a visible question mark, never a wrong letter.
    #[test]
    fn unknown_characters_become_question_marks() {
        assert_eq!(encode("漢 ✓"), b"? ?");
        assert_eq!(decode(b"\x81"), "\u{FFFD}");
    }
}
