//! The printed ticket: what it says (from the brief: office, service, the
//! number very large, date and time, people ahead and the estimated wait,
//! a QR code to the tracking page, the office's footer) and its ESC/POS
//! bytes for each text profile and paper width.
//!
//! The commands come from the `escpos` crate; the text is encoded here
//! ([`crate::cp1258`]), because the crate has no table for WPC1258.

use crate::cp1258;
use crate::wrap::Marks;
use chrono::NaiveDateTime;
use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{
    JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};
use layso_protocol::{people_ahead_line, wait_line};
use std::cell::RefCell;
use std::rc::Rc;

/// What a ticket says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The office's full name.
    pub office: String,
    /// The service's name.
    pub service: String,
    /// The number as printed, e.g. `A007`.
    pub number: String,
    /// When it was issued, in the office's time.
    pub issued_at: NaiveDateTime,
    /// Tickets to be called before it, if known.
    pub people_ahead: Option<u32>,
    /// The estimated wait in seconds, if known.
    pub estimated_wait_secs: Option<u32>,
    /// The tracking page its QR code opens.
    pub tracking_url: String,
    /// The office's line above the number (empty: none).
    pub header: String,
    /// The office's footer line.
    pub footer: String,
}

impl Ticket {
    /// The ticket with every text field reduced to printable text: control
    /// and formatting characters left out, line breaks and tabs as spaces.
    /// The server refuses such text, but a ticket's bytes never depend on
    /// that: a byte below 0x20 in text would be a printer command.
    pub fn printable(&self) -> Ticket {
        let clean = |s: &str| -> String {
            s.chars()
                .filter_map(|c| match c {
                    c if !layso_protocol::text::unprintable(c) => Some(c),
                    c if c.is_whitespace() => Some(' '),
                    _ => None,
                })
                .collect()
        };
        Ticket {
            office: clean(&self.office),
            service: clean(&self.service),
            number: clean(&self.number),
            issued_at: self.issued_at,
            people_ahead: self.people_ahead,
            estimated_wait_secs: self.estimated_wait_secs,
            tracking_url: clean(&self.tracking_url),
            header: clean(&self.header),
            footer: clean(&self.footer),
        }
    }
}

/// The paper roll's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum Paper {
    /// 58 mm: 384 dots, 32 characters of font A.
    #[serde(rename = "58mm")]
    Mm58,
    /// 80 mm: 576 dots, 48 characters of font A.
    #[serde(rename = "80mm")]
    Mm80,
}

impl Paper {
    /// Printable dots across.
    pub fn dots(self) -> u32 {
        match self {
            Self::Mm58 => 384,
            Self::Mm80 => 576,
        }
    }

    /// Characters of font A (12 dots) on a line at normal size.
    pub fn columns(self) -> usize {
        (self.dots() / 12) as usize
    }

    /// How many times normal size the number prints at.
    fn number_scale(self) -> u8 {
        match self {
            Self::Mm58 => 6,
            Self::Mm80 => 8,
        }
    }
}

/// How a printer is told to print Vietnamese text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextProfile {
    /// Epson-style: code page WPC1258 with `ESC t 52`.
    Wpc1258,
    /// Xprinter-style: leave the Chinese mode with `FS .`, then the
    /// Vietnamese page with `ESC t 27` (CP1258 as well).
    Xprinter,
}

/// How a printer is told to print the ticket, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Epson-style text: WPC1258.
    Wpc1258,
    /// Xprinter-style text: `FS .`, page 27.
    Xprinter,
    /// Text drawn with the bundled font and sent as bit images: right on
    /// every printer, larger on the wire.
    Raster,
}

/// How the QR code is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QrMode {
    /// By the printer itself (`GS ( k`): a few dozen bytes.
    #[default]
    Native,
    /// Drawn here and sent as a bit image, for printers without `GS ( k`
    /// (about 3 KB more).
    Raster,
}

/// The ticket's bytes for a profile and paper width, the QR code by the
/// printer.
pub fn ticket_bytes(t: &Ticket, profile: Profile, paper: Paper) -> Result<Vec<u8>, LayoutError> {
    ticket_bytes_with(t, profile, paper, QrMode::Native, Marks::default())
}

/// The ticket's bytes for a profile, paper width, way of printing the QR
/// code and (text profiles) way the printer treats tone marks.
pub fn ticket_bytes_with(
    t: &Ticket,
    profile: Profile,
    paper: Paper,
    qr: QrMode,
    marks: Marks,
) -> Result<Vec<u8>, LayoutError> {
    match profile {
        Profile::Wpc1258 => text_bytes_with(t, TextProfile::Wpc1258, paper, qr, marks),
        Profile::Xprinter => text_bytes_with(t, TextProfile::Xprinter, paper, qr, marks),
        Profile::Raster => crate::raster::raster_bytes_with(t, paper, qr),
    }
}

/// The QR code of `payload` as the profile's bytes: the printer's own, or
/// drawn here as a bit image.
pub fn qr_bytes(payload: &str, qr: QrMode) -> Result<Vec<u8>, LayoutError> {
    match qr {
        QrMode::Native => qr_code(payload),
        QrMode::Raster => Ok(crate::raster::gs_v_0(&crate::raster::qr_image(payload)?)),
    }
}

/// Collects what the `escpos` printer would send.
#[derive(Default, Clone)]
struct Collect(Rc<RefCell<Vec<u8>>>);

impl Driver for Collect {
    fn name(&self) -> String {
        "collect".to_owned()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// A ticket that could not be laid out (a QR payload too long).
#[derive(Debug, thiserror::Error)]
#[error("laying out the ticket: {0}")]
pub struct LayoutError(pub(crate) String);

/// The printer's own QR code (`GS ( k`: model 2, 6-dot modules, error
/// correction M) holding `payload`.
pub fn qr_code(payload: &str) -> Result<Vec<u8>, LayoutError> {
    let e = |e: escpos::errors::PrinterError| LayoutError(e.to_string());
    let out = Collect::default();
    let mut p = Printer::new(out.clone(), Protocol::default(), None);
    let qr = QRCodeOption::new(QRCodeModel::Model2, 6, QRCodeCorrectionLevel::M);
    p.qrcode_option(payload, qr)
        .map_err(e)?
        .print()
        .map_err(e)?;
    let bytes = out.0.borrow().clone();
    Ok(bytes)
}

/// The ticket's bytes for a text profile and paper width: initialise,
/// select the Vietnamese page, the text lines centred, the number at
/// several times normal size, the QR code by the printer's own `GS ( k`,
/// then feed and cut.
pub fn text_bytes(t: &Ticket, profile: TextProfile, paper: Paper) -> Result<Vec<u8>, LayoutError> {
    text_bytes_with(t, profile, paper, QrMode::Native, Marks::default())
}

/// [`text_bytes`] with the QR code printed as `qr` says, on a printer that
/// treats tone marks as `marks`.
pub fn text_bytes_with(
    t: &Ticket,
    profile: TextProfile,
    paper: Paper,
    qr: QrMode,
    marks: Marks,
) -> Result<Vec<u8>, LayoutError> {
    let t = &t.printable();
    let e = |e: escpos::errors::PrinterError| LayoutError(e.to_string());
    let out = Collect::default();
    let mut p = Printer::new(out.clone(), Protocol::default(), None);
    p.init().map_err(e)?;
    match profile {
        TextProfile::Wpc1258 => p.page_code(PageCode::WPC1258).map_err(e)?,
        TextProfile::Xprinter => p.custom(&[0x1C, b'.', 0x1B, b't', 27]).map_err(e)?,
    };
    p.justify(JustifyMode::CENTER).map_err(e)?;
    let columns = paper.columns();
    let text = |p: &mut Printer<Collect>, line: &str, width: usize| {
        for l in crate::wrap::wrap(line, width, marks) {
            let mut bytes = cp1258::encode(&l);
            bytes.push(b'\n');
            p.custom(&bytes).map_err(e)?;
        }
        Ok::<_, LayoutError>(())
    };
    p.bold(true).map_err(e)?;
    text(&mut p, &t.office, columns)?;
    p.bold(false).map_err(e)?;
    if !t.header.is_empty() {
        text(&mut p, &t.header, columns)?;
    }
    p.size(2, 2).map_err(e)?;
    text(&mut p, &t.service, columns / 2)?;
    let scale = paper.number_scale();
    p.size(scale, scale).map_err(e)?;
    text(&mut p, &t.number, columns / usize::from(scale))?;
    p.reset_size().map_err(e)?;
    text(
        &mut p,
        &t.issued_at.format("%d/%m/%Y %H:%M").to_string(),
        columns,
    )?;
    if let Some(n) = t.people_ahead {
        text(&mut p, &people_ahead_line(n), columns)?;
    }
    if let Some(secs) = t.estimated_wait_secs {
        text(&mut p, &wait_line(secs), columns)?;
    }
    p.custom(&qr_bytes(&t.tracking_url, qr)?).map_err(e)?;
    text(&mut p, &t.footer, columns)?;
    p.feeds(3).map_err(e)?;
    p.partial_cut().map_err(e)?;
    p.print().map_err(e)?;
    let bytes = out.0.borrow().clone();
    Ok(bytes)
}
