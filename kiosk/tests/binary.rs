//! The `layso-kiosk` program and its configuration.

mod support;

use layso_kiosk::config::Config;
use layso_kiosk::escpos_read::{Printed, read};
use std::path::Path;
use support::{Office, PAPER_OUT, READY, network_printer};

// The documented example is a valid configuration and matches the
// defaults; environment variables override it; a wrong printer kind is an
// error that names it.
#[test]
#[allow(clippy::result_large_err)] // figment's Jail decides the closure's error type
fn configuration_layers() {
    figment::Jail::expect_with(|jail| {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kiosk.example.toml");
        let config = Config::load(&example, serde_json::json!({})).map_err(|e| e.to_string())?;
        assert_eq!(config, Config::default());
        jail.set_env("LAYSO_KIOSK_PRINTER__KIND", "tcp");
        jail.set_env("LAYSO_KIOSK_PRINTER__ADDR", "10.0.0.9:9100");
        let config = Config::load(&example, serde_json::json!({})).map_err(|e| e.to_string())?;
        assert_eq!(
            (config.printer.kind.as_str(), config.printer.addr.as_str()),
            ("tcp", "10.0.0.9:9100")
        );
        jail.set_env("LAYSO_KIOSK_PRINTER__KIND", "bluetooth");
        let err = Config::load(&example, serde_json::json!({})).unwrap_err();
        assert!(err.to_string().contains("bluetooth"), "{err}");
        Ok(())
    });
}

/// Runs `layso-kiosk test-print` against a fake network printer.
fn test_print(answers: support::Answers, profile: &str) -> (bool, String, Vec<u8>) {
    test_print_with(answers, profile, "native")
}

/// [`test_print`] with the QR code printed as `qr` says.
fn test_print_with(answers: support::Answers, profile: &str, qr: &str) -> (bool, String, Vec<u8>) {
    let (addr, printer) = network_printer(answers);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_layso-kiosk"))
        .args(["--config", "/nonexistent/kiosk.toml", "test-print"])
        .env("LAYSO_KIOSK_PRINTER__KIND", "tcp")
        .env("LAYSO_KIOSK_PRINTER__ADDR", &addr)
        .env("LAYSO_KIOSK_PRINTER__PROFILE", profile)
        .env("LAYSO_KIOSK_PRINTER__QR", qr)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said, printer.join().unwrap())
}

// For installers: the sample ticket prints every Vietnamese letter, without
// a server; a printer out of paper is said so, and gets nothing.
#[test]
fn test_print_prints_every_letter() {
    let (ok, said, got) = test_print(READY, "wpc1258");
    assert!(ok, "{said}");
    let job = read(&got[9..]).unwrap();
    let all = layso_kiosk::cp1258::every_vietnamese_letter_in_words();
    // The sample's service lines hold them all, at double size, each line
    // within the 80 mm paper's 24 double-width cells.
    let service: Vec<&str> = job
        .iter()
        .filter_map(|p| match p {
            Printed::Line {
                text, size: (2, 2), ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(service.join(" "), all);
    for line in &service {
        let cells = layso_kiosk::wrap::cells(line, layso_kiosk::wrap::Marks::Cell);
        assert!(cells <= 24, "{line}: {cells} cells");
    }
    let (ok, said, got) = test_print(PAPER_OUT, "raster");
    assert!(!ok);
    assert!(said.contains("hết giấy"), "{said}");
    assert_eq!(got.len(), 9, "only the status queries");
}

// The test print draws its QR code when the configuration says the printer
// lacks GS ( k, so that such a printer can be checked; with "native" it is
// the printer's own.
#[test]
fn test_print_follows_the_qr_setting() {
    let qr_codes = |job: &[Printed]| job.iter().filter(|p| matches!(p, Printed::Qr(_))).count();
    let images = |job: &[Printed]| {
        job.iter()
            .filter(|p| matches!(p, Printed::Raster(_)))
            .count()
    };
    let (ok, said, native) = test_print_with(READY, "wpc1258", "native");
    assert!(ok, "{said}");
    let native = read(&native[9..]).unwrap();
    let (ok, said, drawn) = test_print_with(READY, "wpc1258", "raster");
    assert!(ok, "{said}");
    let drawn = read(&drawn[9..]).unwrap();
    assert_eq!((qr_codes(&native), images(&native)), (1, 0));
    assert_eq!(qr_codes(&drawn), 0, "no GS ( k for a printer without it");
    assert!(images(&drawn) > 0, "the QR code drawn as an image");
}

// Without a screen, a button box's key takes a ticket through the server
// and the printer, and the outcome is printed; a second press while the
// first ticket prints is not dropped: it is said, and taken next.
#[test]
fn headless_keys_take_tickets() {
    use std::io::Write;
    let office = Office::start();
    let (addr, printer) = support::network_printer_for_a_while(READY);
    let credentials =
        layso_server::credentials::DemoSecrets::path_for(&office.dir.path().join("layso.db"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_layso-kiosk"))
        .args([
            "--config",
            "/nonexistent/kiosk.toml",
            "--server",
            &office.base,
            "--headless",
        ])
        .env("LAYSO_KIOSK_CREDENTIALS", &credentials)
        .env("LAYSO_KIOSK_PRINTER__KIND", "tcp")
        .env("LAYSO_KIOSK_PRINTER__ADDR", &addr)
        .env("LAYSO_KIOSK_PRINTER__PROFILE", "xprinter")
        .env("LAYSO_KIOSK_KEYS", "{\"7\"=2}")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once it says it is connected (the office's name), press "7".
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut said = String::new();
    while !said.contains("UBND xã Tân Phú") {
        assert!(
            std::io::BufRead::read_line(&mut out, &mut said).unwrap() > 0,
            "{said}"
        );
    }
    child.stdin.take().unwrap().write_all(b"77").unwrap();
    std::io::Read::read_to_string(&mut out, &mut said).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(said.contains("B001: Mời bạn nhận vé."), "{said}");
    assert!(said.contains("Đã nhận yêu cầu"), "{said}");
    assert!(said.contains("B002: Mời bạn nhận vé."), "{said}");
    let got = printer.join().unwrap();
    // GS V, the cut, ends each ticket (text bytes are never below 0x20).
    let cuts = got.windows(2).filter(|w| *w == [0x1D, b'V']).count();
    assert_eq!(cuts, 2, "two tickets cut");
}

/// The image of a PNG file, read by the `png` crate: one grey byte a dot.
fn read_png(file: &Path) -> (usize, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (frame.width as usize, frame.height as usize);
    assert_eq!(
        (frame.color_type, frame.bit_depth),
        (png::ColorType::Grayscale, png::BitDepth::One)
    );
    let grey = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            let byte = buf[y * frame.line_size + x / 8];
            if byte & (0x80 >> (x % 8)) != 0 {
                255
            } else {
                0
            }
        })
        .collect();
    (w, h, grey)
}

// A kiosk with no printer configured prints to the preview: each ticket
// taken becomes a PNG of its own, on the paper's width, whose QR code (read
// back by rqrr from the file as the png crate decodes it) opens that
// ticket's tracking page; with a text profile too, as that profile's bytes
// read back.
#[test]
fn without_a_printer_tickets_are_drawn_as_png_files() {
    let office = Office::start();
    let credentials =
        layso_server::credentials::DemoSecrets::path_for(&office.dir.path().join("layso.db"));
    let here = tempfile::tempdir().unwrap();
    let take = |profile: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_layso-kiosk"))
            .args([
                "--config",
                "/nonexistent/kiosk.toml",
                "--server",
                &office.base,
            ])
            .args(["take", "1"])
            .current_dir(here.path())
            .env("LAYSO_KIOSK_CREDENTIALS", &credentials)
            .env("LAYSO_KIOSK_PRINTER__PROFILE", profile)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stdout).into_owned();
        let log = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{said}{log}");
        assert!(said.contains("Mời bạn nhận vé"), "{said}");
        assert!(log.contains("preview printer: ticket drawn"), "{log}");
        said
    };
    take("raster");
    take("wpc1258");
    let mut files: Vec<_> = std::fs::read_dir(here.path().join("ticket-preview"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let tokens = office.runtime.block_on(
        sqlx::query_scalar::<_, String>("SELECT public_token FROM tickets ORDER BY id")
            .fetch_all(&office.state.db.sqlite().expect("SQLite").read),
    );
    for (file, token) in files.iter().zip(tokens.unwrap()) {
        let (w, h, grey) = read_png(file);
        assert_eq!(w, 576, "80 mm paper");
        assert!(h > 500, "a whole ticket, {h} rows");
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "{}", file.display());
        let (_, payload) = grids[0].decode().unwrap();
        assert_eq!(payload, format!("{}/t/{token}", office.base));
    }
}
