//! The raster profile: the ticket drawn with the bundled font and sent as
//! `GS v 0` bands, read back line by line; every Vietnamese letter with
//! every tone drawn with a glyph of its own.

mod support;

use chrono::NaiveDate;
use layso_kiosk::cp1258;
use layso_kiosk::escpos_read::{Printed, read};
use layso_kiosk::raster::{self, BODY, Bitmap, SERVICE, number_px, raster_bytes, render, wrap};
use layso_kiosk::ticket::{Paper, Ticket};

fn ticket(office: &str) -> Ticket {
    Ticket {
        office: office.into(),
        service: "Chứng thực".into(),
        number: "B042".into(),
        issued_at: NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(14, 20, 0)
            .unwrap(),
        people_ahead: Some(0),
        estimated_wait_secs: Some(240),
        tracking_url: "http://192.168.1.10:8080/t/ffeeddccbbaa99887766554433221100".into(),
        header: String::new(),
        footer: "Cảm ơn quý khách. Xin vui lòng giữ vé đến khi hoàn tất thủ tục.".into(),
    }
}

/// The bit images of a job, in order.
fn images(job: &[Printed]) -> Vec<Bitmap> {
    job.iter()
        .filter_map(|p| match p {
            Printed::Raster(b) => Some(b.clone()),
            _ => None,
        })
        .collect()
}

/// Writes a job's images one under another as a PBM file, for a person to
/// look at (set LAYSO_TICKET_IMAGES to a directory).
fn dump(name: &str, images: &[Bitmap], dots: u32) {
    let Some(dir) = std::env::var_os("LAYSO_TICKET_IMAGES") else {
        return;
    };
    let height: u32 = images.iter().map(|b| b.height + 4).sum();
    let mut pbm = format!("P4\n{dots} {height}\n").into_bytes();
    for image in images {
        let margin = (dots - image.width) / 2;
        for y in 0..image.height + 4 {
            let mut row = vec![0u8; (dots / 8) as usize];
            if y < image.height {
                for x in 0..image.width {
                    if image.get(x, y) {
                        let at = margin + x;
                        row[(at / 8) as usize] |= 0x80 >> (at % 8);
                    }
                }
            }
            pbm.extend(row);
        }
    }
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pbm")), pbm).unwrap();
}

// Each line of the ticket comes back as the image of its text, in order,
// centred by the printer, with the QR code and the cut; small enough for
// a serial line.
#[test]
fn raster_reads_back_as_the_ticket() {
    for paper in [Paper::Mm58, Paper::Mm80] {
        let t = ticket("Bộ phận Một cửa – UBND xã Tân Phú");
        let bytes = raster_bytes(&t, paper).unwrap();
        let job = read(&bytes).unwrap();
        assert_eq!(job[..1], [Printed::Init]);
        let dots = paper.dots();
        let mut expected = Vec::new();
        for (text, px) in [
            (t.office.as_str(), BODY),
            (t.service.as_str(), SERVICE),
            (t.number.as_str(), number_px(paper)),
            ("01/12/2026 14:20", BODY),
            ("Bạn là người tiếp theo", BODY),
            ("Thời gian chờ dự kiến: khoảng 4 phút", BODY),
            (t.footer.as_str(), BODY),
        ] {
            for line in wrap(text, px, dots) {
                expected.push(render(&line, px, dots));
            }
        }
        let got = images(&job);
        assert_eq!(got.len(), expected.len(), "{paper:?}");
        for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
            assert!(got.width <= dots, "{paper:?} line {i} wider than the paper");
            assert_eq!(got, expected, "{paper:?} line {i}");
        }
        assert!(job.contains(&Printed::Qr(t.tracking_url.clone())));
        assert_eq!(job.last(), Some(&Printed::Cut));
        dump(&format!("raster-{}", dots), &got, dots);
    }
}

// Every Vietnamese letter with every tone has a glyph of its own in the
// bundled font, and the six tones of each vowel draw six different images.
#[test]
fn every_vietnamese_letter_has_its_own_glyph() {
    let all = cp1258::every_vietnamese_letter();
    let missing: Vec<char> = all.chars().filter(|&c| !raster::has_glyph(c)).collect();
    assert!(missing.is_empty(), "no glyph for {missing:?}");
    for vowel in [
        "aàảãáạ",
        "ăằẳẵắặ",
        "âầẩẫấậ",
        "eèẻẽéẹ",
        "êềểễếệ",
        "iìỉĩíị",
        "oòỏõóọ",
        "ôồổỗốộ",
        "ơờởỡớợ",
        "uùủũúụ",
        "ưừửữứự",
        "yỳỷỹýỵ",
        "AÀẢÃÁẠ",
        "ĂẰẲẴẮẶ",
        "ÂẦẨẪẤẬ",
        "EÈẺẼÉẸ",
        "ÊỀỂỄẾỆ",
        "IÌỈĨÍỊ",
        "OÒỎÕÓỌ",
        "ÔỒỔỖỐỘ",
        "ƠỜỞỠỚỢ",
        "UÙỦŨÚỤ",
        "ƯỪỬỮỨỰ",
        "YỲỶỸÝỴ",
    ] {
        let drawn: Vec<Bitmap> = vowel
            .chars()
            .map(|c| render(&c.to_string(), 48.0, 384))
            .collect();
        for i in 0..drawn.len() {
            for j in i + 1..drawn.len() {
                assert_ne!(drawn[i], drawn[j], "{vowel}: tones {i} and {j} look alike");
            }
        }
    }
    // And a line of all of them prints as drawn.
    let t = ticket(&all);
    let job = read(&raster_bytes(&t, Paper::Mm80).unwrap()).unwrap();
    let lines = wrap(&all, BODY, 576);
    let got = images(&job);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(got[i], render(line, BODY, 576));
    }
    dump("every-letter", &got[..lines.len()], 576);
}

// The raster bytes are exactly the committed ones for each paper width
// (UPDATE_GOLDEN=1 rewrites them after a deliberate change; the test above
// reads the same bytes back line by line).
#[test]
fn raster_bytes_match_the_golden_files() {
    for (paper, name) in [(Paper::Mm58, "raster-58mm"), (Paper::Mm80, "raster-80mm")] {
        let bytes = raster_bytes(&ticket("Bộ phận Một cửa – UBND xã Tân Phú"), paper).unwrap();
        support::assert_golden(name, &bytes);
    }
}

// For printers without GS ( k the QR code is drawn: it takes the place of
// the printer's own, and a QR reader reads the tracking link back from the
// image sent, for each profile.
#[test]
fn a_drawn_qr_code_reads_back() {
    use layso_kiosk::ticket::{Profile, QrMode, ticket_bytes, ticket_bytes_with};
    let t = ticket("Bộ phận Một cửa – UBND xã Tân Phú");
    for profile in [Profile::Wpc1258, Profile::Xprinter, Profile::Raster] {
        let native = read(&ticket_bytes(&t, profile, Paper::Mm58).unwrap()).unwrap();
        let drawn = read(
            &ticket_bytes_with(&t, profile, Paper::Mm58, QrMode::Raster, Default::default())
                .unwrap(),
        )
        .unwrap();
        assert!(
            !drawn.iter().any(|p| matches!(p, Printed::Qr(_))),
            "{profile:?}: no GS ( k"
        );
        assert_eq!(
            drawn.len(),
            native.len(),
            "{profile:?}: one item in place of the other"
        );
        let at = native
            .iter()
            .position(|p| matches!(p, Printed::Qr(_)))
            .unwrap();
        let Printed::Raster(qr) = &drawn[at] else {
            panic!("{profile:?}: {:?}", drawn[at])
        };
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(
            qr.width as usize,
            qr.height as usize,
            |x, y| {
                if qr.get(x as u32, y as u32) { 0 } else { 255 }
            },
        );
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "{profile:?}");
        let (_, payload) = grids[0].decode().unwrap();
        assert_eq!(payload, t.tracking_url, "{profile:?}");
    }
}

// The test print's sample of every Vietnamese letter, lower and upper case,
// fits either paper at the service line's size: broken at spaces into
// lines no wider than the paper, nothing left off (a one-word sample was
// cut at 576 dots and lost o ô ơ u ư y, the capitals and Đ đ).
#[test]
fn the_test_print_shows_every_letter_on_both_papers() {
    let sample = layso_kiosk::cp1258::every_vietnamese_letter_in_words();
    for letter in layso_kiosk::cp1258::every_vietnamese_letter().chars() {
        assert!(sample.contains(letter), "{letter}");
    }
    for paper in [Paper::Mm58, Paper::Mm80] {
        let lines = layso_kiosk::raster::wrap(&sample, layso_kiosk::raster::SERVICE, paper.dots());
        assert_eq!(lines.join(" "), sample, "{paper:?}");
        for line in &lines {
            let wide = layso_kiosk::raster::width(line, layso_kiosk::raster::SERVICE);
            assert!(
                wide <= paper.dots() as f32,
                "{paper:?}: {line} is {wide} dots"
            );
        }
    }
    // A word wider than the paper is broken between letters, not cut off.
    let long = "Nghiêng".repeat(12);
    let lines = layso_kiosk::raster::wrap(&long, layso_kiosk::raster::SERVICE, Paper::Mm58.dots());
    assert!(lines.len() > 1);
    assert_eq!(lines.concat(), long);
}
