//! The raster profile: the ticket's text drawn with the bundled font
//! (DejaVu Sans, which has every Vietnamese letter; `fonts/`), sent as
//! `GS v 0` bit images. It prints right on any ESC/POS printer, whatever
//! code pages it lacks, at the price of bytes, so each line is cropped to
//! its ink and centred by the printer (`ESC a 1`), blank space is fed
//! (`ESC J`), and the QR code stays the printer's own (`GS ( k`).

use crate::ticket::{LayoutError, Paper, QrMode, Ticket, qr_bytes};
use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use layso_protocol::{people_ahead_line, wait_line};

pub use layso_device::font::{font, has_glyph};

/// A 1-bit image, rows of `width` dots (a multiple of 8), set bits black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    /// Dots across (a multiple of 8).
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// `width / 8` bytes per row, the leftmost dot in the high bit.
    pub bits: Vec<u8>,
}

impl Bitmap {
    /// Whether the dot at (x, y) is black.
    pub fn get(&self, x: u32, y: u32) -> bool {
        let i = (y * self.width / 8 + x / 8) as usize;
        self.bits[i] & (0x80 >> (x % 8)) != 0
    }
}

/// How wide `text` is at `px`, in dots.
fn width_of(font: &FontRef<'_>, text: &str, px: f32) -> f32 {
    let scaled = font.as_scaled(PxScale::from(px));
    let mut x = 0.0;
    let mut previous = None;
    // Control and formatting characters draw as boxes, or nothing: skip them.
    for c in text
        .chars()
        .filter(|c| !layso_protocol::text::unprintable(*c))
    {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            x += scaled.kern(p, id);
        }
        x += scaled.h_advance(id);
        previous = Some(id);
    }
    x
}

/// How wide `text` is at `px` in the bundled font, in dots.
pub fn width(text: &str, px: f32) -> f32 {
    width_of(font(), text, px)
}

/// Splits text into lines at most `dots` wide at `px`, at spaces (a word
/// wider than the paper between letters, so that nothing is cut off).
pub fn wrap(text: &str, px: f32, dots: u32) -> Vec<String> {
    let font = font();
    crate::wrap::wrap_with(text, dots as f32, |s| width_of(font, s, px))
}

/// Draws one line of text at `px`, cropped to its ink (width rounded up
/// to a byte), at most `max_width` dots wide. The line is as tall as its
/// glyphs reach: capitals with two marks (Ắ, Ẩ) rise above the font's
/// ascent, and cutting them there would make their tones alike.
pub fn render(text: &str, px: f32, max_width: u32) -> Bitmap {
    let font = font();
    let scaled = font.as_scaled(PxScale::from(px));
    let ascent = scaled.ascent();
    let mut outlines = Vec::new();
    let (mut x, mut previous) = (0.0f32, None);
    // Control and formatting characters draw as boxes, or nothing: skip them.
    for c in text
        .chars()
        .filter(|c| !layso_protocol::text::unprintable(*c))
    {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            x += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(PxScale::from(px), point(x, ascent));
        if let Some(outline) = font.outline_glyph(glyph) {
            outlines.push(outline);
        }
        x += scaled.h_advance(id);
        previous = Some(id);
    }
    // Rows from the highest mark to the lowest descender (at least the
    // font's own line, so that lines of one size line up).
    let top = outlines
        .iter()
        .map(|o| o.px_bounds().min.y.floor())
        .fold(0.0f32, f32::min);
    let bottom = outlines
        .iter()
        .map(|o| o.px_bounds().max.y.ceil())
        .fold((ascent - scaled.descent()).ceil(), f32::max);
    let height = (bottom - top) as u32;
    let stride = max_width as usize;
    let mut coverage = vec![0f32; stride * height as usize];
    let (mut left, mut right) = (u32::MAX, 0u32);
    for outline in &outlines {
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, c| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = (bounds.min.y - top) as i64 + i64::from(gy);
            if (0..i64::from(max_width)).contains(&px) && (0..i64::from(height)).contains(&py) {
                let i = py as usize * stride + px as usize;
                coverage[i] = coverage[i].max(c);
                if c >= 0.5 {
                    left = left.min(px as u32);
                    right = right.max(px as u32 + 1);
                }
            }
        });
    }
    if left >= right {
        return Bitmap {
            width: 8,
            height,
            bits: vec![0; height as usize],
        };
    }
    let width = (right - left).div_ceil(8) * 8;
    let mut bits = vec![0u8; (width / 8 * height) as usize];
    for y in 0..height {
        for dx in 0..width {
            let sx = left + dx;
            if sx < max_width && coverage[y as usize * stride + sx as usize] >= 0.5 {
                bits[(y * width / 8 + dx / 8) as usize] |= 0x80 >> (dx % 8);
            }
        }
    }
    Bitmap {
        width,
        height,
        bits,
    }
}

/// `GS v 0` for a bitmap, in bands of at most 255 rows (what the smallest
/// printers' buffers take).
pub fn gs_v_0(bitmap: &Bitmap) -> Vec<u8> {
    let row = (bitmap.width / 8) as usize;
    let mut out = Vec::with_capacity(bitmap.bits.len() + 16);
    for band in bitmap.bits.chunks(row * 255) {
        let rows = band.len() / row;
        out.extend_from_slice(&[0x1D, b'v', b'0', 0]);
        out.extend_from_slice(&(row as u16).to_le_bytes());
        out.extend_from_slice(&(rows as u16).to_le_bytes());
        out.extend_from_slice(band);
    }
    out
}

/// Dots per QR module when the QR code is drawn here: 0.5 mm, which
/// phone cameras read.
const QR_MODULE: u32 = 4;

/// The QR code of `payload` (error correction M, a quiet zone of four
/// modules) as a bit image.
pub fn qr_image(payload: &str) -> Result<Bitmap, LayoutError> {
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
        .map_err(|e| LayoutError(format!("QR code: {e}")))?;
    let modules = code.width() as u32;
    let side = (modules + 8) * QR_MODULE;
    let width = side.div_ceil(8) * 8;
    let mut bits = vec![0u8; (width / 8 * side) as usize];
    let dark = code.to_colors();
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (x / QR_MODULE, y / QR_MODULE);
            let inside = (4..modules + 4).contains(&mx) && (4..modules + 4).contains(&my);
            if inside && dark[((my - 4) * modules + (mx - 4)) as usize] == qrcode::Color::Dark {
                bits[(y * width / 8 + x / 8) as usize] |= 0x80 >> (x % 8);
            }
        }
    }
    Ok(Bitmap {
        width,
        height: side,
        bits,
    })
}

/// The height of ordinary lines, in dots.
pub const BODY: f32 = 22.0;
/// The height of the service's name, in dots.
pub const SERVICE: f32 = 34.0;

/// The height of the number, in dots.
pub fn number_px(paper: Paper) -> f32 {
    match paper {
        Paper::Mm58 => 120.0,
        Paper::Mm80 => 128.0,
    }
}

/// The ticket's bytes for the raster profile, the QR code by the printer.
pub fn raster_bytes(t: &Ticket, paper: Paper) -> Result<Vec<u8>, LayoutError> {
    raster_bytes_with(t, paper, QrMode::Native)
}

/// [`raster_bytes`] with the QR code printed as `qr` says.
pub fn raster_bytes_with(t: &Ticket, paper: Paper, qr: QrMode) -> Result<Vec<u8>, LayoutError> {
    let t = &t.printable();
    let dots = paper.dots();
    let mut out = vec![0x1B, b'@', 0x1B, b'a', 1];
    let lines = |out: &mut Vec<u8>, text: &str, px: f32| {
        for line in wrap(text, px, dots) {
            out.extend(gs_v_0(&render(&line, px, dots)));
        }
    };
    lines(&mut out, &t.office, BODY);
    if !t.header.is_empty() {
        lines(&mut out, &t.header, BODY);
    }
    out.extend_from_slice(&[0x1B, b'J', 12]);
    lines(&mut out, &t.service, SERVICE);
    lines(&mut out, &t.number, number_px(paper));
    lines(
        &mut out,
        &t.issued_at.format("%d/%m/%Y %H:%M").to_string(),
        BODY,
    );
    if let Some(n) = t.people_ahead {
        lines(&mut out, &people_ahead_line(n), BODY);
    }
    if let Some(secs) = t.estimated_wait_secs {
        lines(&mut out, &wait_line(secs), BODY);
    }
    out.extend_from_slice(&[0x1B, b'J', 12]);
    out.extend(qr_bytes(&t.tracking_url, qr)?);
    out.extend_from_slice(&[0x1B, b'J', 12]);
    lines(&mut out, &t.footer, BODY);
    out.extend_from_slice(&[0x1B, b'd', 3, 0x1D, b'V', b'A', 1]);
    Ok(out)
}
