//! Ticket size and time on the wire, per printer profile and paper width.
//!
//! `cargo bench -p layso-kiosk --bench ticket` prints the bytes of a
//! typical ticket (and of one whose office name holds every Vietnamese
//! letter) for each text profile on 58 and 80 mm paper, and how long those
//! bytes take on a serial line at 9600, 38400 and 115200 baud (8N1: ten
//! bits a byte), and the median time to lay a ticket out. Goals: text
//! profiles under 1 KB, the raster profile under 12 KB.

use chrono::NaiveDate;
use layso_kiosk::cp1258;
use layso_kiosk::ticket::{Paper, Profile, QrMode, Ticket, ticket_bytes, ticket_bytes_with};
use std::time::{Duration, Instant};

fn ticket(office: &str) -> Ticket {
    Ticket {
        office: office.to_owned(),
        service: "Đăng ký kinh doanh".into(),
        number: "A007".into(),
        issued_at: NaiveDate::from_ymd_opt(2026, 12, 1)
            .expect("a date")
            .and_hms_opt(9, 5, 0)
            .expect("a time"),
        people_ahead: Some(12),
        estimated_wait_secs: Some(1500),
        tracking_url: "http://192.168.1.10:8080/t/0123456789abcdef0123456789abcdef".into(),
        header: String::new(),
        footer: "Cảm ơn quý khách. Xin vui lòng giữ vé đến khi hoàn tất thủ tục.".into(),
    }
}

fn main() {
    let typical = ticket("Bộ phận Một cửa – UBND xã Tân Phú");
    let every_letter = ticket(&cp1258::every_vietnamese_letter());
    for (profile, name) in [
        (Profile::Wpc1258, "wpc1258"),
        (Profile::Xprinter, "xprinter"),
        (Profile::Raster, "raster"),
    ] {
        for (paper, width) in [(Paper::Mm58, "58mm"), (Paper::Mm80, "80mm")] {
            let bytes = ticket_bytes(&typical, profile, paper)
                .expect("layout")
                .len();
            let drawn_qr =
                ticket_bytes_with(&typical, profile, paper, QrMode::Raster, Default::default())
                    .expect("layout")
                    .len();
            let longest = ticket_bytes(&every_letter, profile, paper)
                .expect("layout")
                .len();
            let wire = |baud: u64| bytes as f64 * 10.0 / baud as f64 * 1000.0;
            let mut times: Vec<Duration> = (0..200)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(ticket_bytes(&typical, profile, paper).expect("layout"));
                    t.elapsed()
                })
                .collect();
            times.sort_unstable();
            println!(
                "{name} {width}: {bytes} bytes ({longest} with every letter in the office name, {drawn_qr} with the QR code drawn); on the wire {:.0} ms at 9600, {:.1} ms at 38400, {:.1} ms at 115200 baud; layout median {:.1} µs",
                wire(9600),
                wire(38400),
                wire(115_200),
                times[times.len() / 2].as_secs_f64() * 1e6
            );
        }
    }
}
