//! The ticket's bytes for each text profile and paper width: byte for byte
//! against golden files, and read back (text, sizes, QR payload) so that a
//! golden file cannot hold a wrong ticket.

mod support;

use chrono::NaiveDate;
use layso_kiosk::cp1258;
use layso_kiosk::escpos_read::{Printed, read};
use layso_kiosk::ticket::{Paper, TextProfile, Ticket, text_bytes};

fn ticket() -> Ticket {
    Ticket {
        office: "Bộ phận Một cửa – UBND xã Tân Phú".into(),
        service: "Đăng ký kinh doanh".into(),
        number: "A007".into(),
        issued_at: NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 5, 0)
            .unwrap(),
        people_ahead: Some(12),
        estimated_wait_secs: Some(1500),
        tracking_url: "http://192.168.1.10:8080/t/0123456789abcdef0123456789abcdef".into(),
        header: String::new(),
        footer: "Cảm ơn quý khách. Xin vui lòng giữ vé đến khi hoàn tất thủ tục.".into(),
    }
}

const CASES: [(TextProfile, Paper, &str); 4] = [
    (TextProfile::Wpc1258, Paper::Mm58, "wpc1258-58mm"),
    (TextProfile::Wpc1258, Paper::Mm80, "wpc1258-80mm"),
    (TextProfile::Xprinter, Paper::Mm58, "xprinter-58mm"),
    (TextProfile::Xprinter, Paper::Mm80, "xprinter-80mm"),
];

/// The lines of a job, with their sizes, in order.
fn lines(job: &[Printed]) -> Vec<(String, (u8, u8), bool)> {
    job.iter()
        .filter_map(|p| match p {
            Printed::Line {
                text, size, bold, ..
            } => Some((text.clone(), *size, *bold)),
            _ => None,
        })
        .collect()
}

// Each profile and width reads back as the ticket: the Vietnamese page
// selected, every line in order at its size, the QR payload, the cut.
#[test]
fn every_profile_reads_back_as_the_ticket() {
    for (profile, paper, name) in CASES {
        let job = read(&text_bytes(&ticket(), profile, paper).unwrap()).unwrap();
        match profile {
            TextProfile::Wpc1258 => {
                assert_eq!(job[..2], [Printed::Init, Printed::CodePage(52)], "{name}")
            }
            TextProfile::Xprinter => assert_eq!(
                job[..3],
                [Printed::Init, Printed::KanjiOff, Printed::CodePage(27)],
                "{name}"
            ),
        }
        let lines = lines(&job);
        let all: Vec<&str> = lines.iter().map(|(t, ..)| t.as_str()).collect();
        let text = all.join(" ");
        for expected in [
            "Bộ phận Một cửa – UBND xã Tân Phú",
            "Đăng ký kinh doanh",
            "01/12/2026 09:05",
            "Có 12 người đang chờ trước bạn",
            "Thời gian chờ dự kiến: khoảng 25 phút",
            "Cảm ơn quý khách. Xin vui lòng giữ vé đến khi hoàn tất thủ tục.",
        ] {
            assert!(
                text.contains(expected),
                "{name}: no {expected:?} in {all:?}"
            );
        }
        let scale = if paper == Paper::Mm58 { 6 } else { 8 };
        assert!(
            lines.contains(&("A007".into(), (scale, scale), false)),
            "{name}: {lines:?}"
        );
        assert!(lines[0].2, "{name}: the office is bold");
        assert!(
            lines
                .iter()
                .all(|(t, (w, _), _)| t.chars().count() * usize::from(*w) <= paper.columns()),
            "{name}: a line is wider than the paper: {lines:?}"
        );
        assert!(job.contains(&Printed::Qr(ticket().tracking_url)), "{name}");
        assert_eq!(job.last(), Some(&Printed::Cut), "{name}");
    }
}

// The bytes are exactly the committed ones (UPDATE_GOLDEN=1 rewrites them
// after a deliberate change; the test above keeps them honest).
#[test]
fn bytes_match_the_golden_files() {
    for (profile, paper, name) in CASES {
        support::assert_golden(name, &text_bytes(&ticket(), profile, paper).unwrap());
    }
}

// Every Vietnamese letter with every tone prints right in every profile:
// an office named with all of them reads back unchanged.
#[test]
fn every_vietnamese_letter_prints_in_every_profile() {
    let all = cp1258::every_vietnamese_letter();
    for (profile, paper, name) in CASES {
        let t = Ticket {
            office: all.clone(),
            ..ticket()
        };
        let job = read(&text_bytes(&t, profile, paper).unwrap()).unwrap();
        let office: String = lines(&job)
            .into_iter()
            .take_while(|(_, _, bold)| *bold)
            .map(|(text, ..)| text)
            .collect();
        assert_eq!(office, all, "{name}");
    }
}

// The office's header line, when it has one, prints under its name and
// above the service; without one nothing is added.
#[test]
fn the_header_line_prints_under_the_office() {
    for (profile, paper, name) in CASES {
        let mut with = ticket();
        with.header = "Phiếu thứ tự – Một cửa".into();
        let printed = lines(&read(&text_bytes(&with, profile, paper).unwrap()).unwrap());
        let texts: Vec<&str> = printed.iter().map(|(t, ..)| t.as_str()).collect();
        let header = texts.iter().position(|t| *t == "Phiếu thứ tự – Một cửa");
        let service = texts.iter().position(|t| t.starts_with("Đăng ký"));
        assert!(
            matches!((header, service), (Some(h), Some(s)) if h > 0 && h + 1 == s),
            "{name}: {texts:?}"
        );
        let without = lines(&read(&text_bytes(&ticket(), profile, paper).unwrap()).unwrap());
        assert_eq!(without.len() + 1, printed.len(), "{name}");
    }
}

// Names carrying printer commands (ESC @ resets the printer, GS V cuts the
// paper, a NUL, a line break, a direction override) print exactly as the
// same names without them, in every profile on both widths: no text byte
// below 0x20 reaches the printer.
#[test]
fn control_characters_in_names_never_reach_the_printer() {
    use layso_kiosk::ticket::{Profile, ticket_bytes};
    let mut evil = ticket();
    evil.office = "Bộ phận\u{1b}@ Một cửa – UBND xã Tân Phú\u{0}".into();
    evil.service = "Đăng ký\u{1d}V\u{1} kinh\u{202e} doanh".into();
    evil.footer = "Cảm ơn quý khách.\nXin vui lòng giữ vé\u{7f} đến khi hoàn tất thủ tục.".into();
    let mut clean = ticket();
    clean.office = "Bộ phận@ Một cửa – UBND xã Tân Phú".into();
    clean.service = "Đăng kýV kinh doanh".into();
    clean.footer = "Cảm ơn quý khách. Xin vui lòng giữ vé đến khi hoàn tất thủ tục.".into();
    for profile in [Profile::Wpc1258, Profile::Xprinter, Profile::Raster] {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let (evil, clean) = (
                ticket_bytes(&evil, profile, paper).unwrap(),
                ticket_bytes(&clean, profile, paper).unwrap(),
            );
            assert!(
                evil == clean,
                "{profile:?} {paper:?}: the commands got through"
            );
        }
    }
    assert!(
        cp1258::encode("a\u{1b}\u{1d}\u{0}\u{9}b")
            .iter()
            .all(|b| *b >= 0x20)
    );
}

/// A ticket with the long names a province's offices have.
fn long_ticket() -> Ticket {
    Ticket {
        office: "Trung tâm Phục vụ hành chính công tỉnh Bà Rịa – Vũng Tàu".into(),
        service: "Chứng thực bản sao từ bản chính, chữ ký, hợp đồng".into(),
        header: "Bộ phận tiếp nhận và trả kết quả giải quyết thủ tục hành chính".into(),
        ..ticket()
    }
}

// Long names wrap at spaces by the cells the printer really uses: on a
// printer that gives each tone mark a cell, no line of any size overflows
// 58 or 80 mm, no word that fits a line is split, no line starts with a
// lone tone mark; on one that overstrikes, lines hold more letters but
// still fit. Byte for byte against golden files too.
#[test]
fn long_names_wrap_by_the_printers_cells() {
    use layso_kiosk::ticket::{QrMode, text_bytes_with};
    use layso_kiosk::wrap::{Marks, cells};
    let t = long_ticket();
    let words: Vec<&str> = [&t.office, &t.service, &t.header, &t.footer]
        .iter()
        .flat_map(|s| s.split_whitespace())
        .collect();
    for (profile, paper, name) in CASES {
        for marks in [Marks::Cell, Marks::Overstrike] {
            let bytes = text_bytes_with(&t, profile, paper, QrMode::Native, marks).unwrap();
            if marks == Marks::Cell {
                support::assert_golden(&format!("long-{name}"), &bytes);
            }
            let printed = lines(&read(&bytes).unwrap());
            for (text, (width, _), _) in &printed {
                let used = cells(text, marks) * usize::from(*width);
                assert!(
                    used <= paper.columns(),
                    "{name} {marks:?}: {text:?} takes {used}"
                );
                assert!(!text.starts_with(['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}']));
            }
            let small: Vec<&str> = printed
                .iter()
                .filter(|(_, (w, _), _)| *w <= 2)
                .flat_map(|(text, ..)| text.split_whitespace())
                .collect();
            for word in &words {
                assert!(small.contains(word), "{name} {marks:?}: {word:?} was split");
            }
        }
    }
    // The footer of the installer's report reads as words on 58 mm.
    let footer: Vec<String> =
        lines(&read(&text_bytes(&t, TextProfile::Wpc1258, Paper::Mm58).unwrap()).unwrap())
            .into_iter()
            .map(|(text, ..)| text)
            .skip_while(|text| !text.starts_with("Cảm ơn"))
            .collect();
    assert_eq!(
        footer,
        [
            "Cảm ơn quý khách. Xin vui",
            "lòng giữ vé đến khi hoàn",
            "tất thủ tục."
        ]
    );
}
