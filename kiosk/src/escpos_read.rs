//! Reads ESC/POS bytes back into what a printer would do with them: the
//! text lines with their size and weight, QR payloads, the code page, the
//! cut. For tests of every profile, and for the fake printers of the
//! transport tests.

use crate::cp1258;
use crate::raster::Bitmap;

/// One thing the printer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printed {
    /// `ESC @`.
    Init,
    /// `ESC t n`: the code page.
    CodePage(u8),
    /// `FS .`: Chinese (Kanji) mode off.
    KanjiOff,
    /// A line of text, as decoded from CP1258, at a size and weight.
    Line {
        /// The text.
        text: String,
        /// Width and height multipliers (1–8).
        size: (u8, u8),
        /// Emphasised.
        bold: bool,
        /// `ESC a`: 0 left, 1 centre, 2 right.
        justify: u8,
    },
    /// A QR code stored and printed with `GS ( k`.
    Qr(String),
    /// `ESC d n`: feed n lines.
    Feed(u8),
    /// `ESC J n`: feed n dots.
    FeedDots(u8),
    /// `GS v 0`: a bit image (one band).
    Raster(Bitmap),
    /// `GS V`: cut.
    Cut,
}

/// Bytes this reader does not understand.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown ESC/POS at byte {at}: {bytes:02X?}")]
pub struct Unknown {
    /// Where.
    pub at: usize,
    /// The next few bytes.
    pub bytes: Vec<u8>,
}

/// Reads a whole job.
pub fn read(bytes: &[u8]) -> Result<Vec<Printed>, Unknown> {
    let mut out = Vec::new();
    let (mut size, mut bold, mut justify) = ((1, 1), false, 0);
    let mut qr = String::new();
    let mut line = Vec::new();
    let mut i = 0;
    let unknown = |at: usize| Unknown {
        at,
        bytes: bytes[at..bytes.len().min(at + 8)].to_vec(),
    };
    let arg = |at: usize| bytes.get(at).copied().ok_or_else(|| unknown(at));
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(Printed::Line {
                    text: cp1258::decode(&line),
                    size,
                    bold,
                    justify,
                });
                line.clear();
                i += 1;
            }
            0x1B => match arg(i + 1)? {
                b'@' => {
                    out.push(Printed::Init);
                    (size, bold, justify) = ((1, 1), false, 0);
                    i += 2;
                }
                b't' => {
                    out.push(Printed::CodePage(arg(i + 2)?));
                    i += 3;
                }
                b'a' => {
                    justify = arg(i + 2)?;
                    i += 3;
                }
                b'E' => {
                    bold = arg(i + 2)? != 0;
                    i += 3;
                }
                b'd' => {
                    out.push(Printed::Feed(arg(i + 2)?));
                    i += 3;
                }
                b'J' => {
                    out.push(Printed::FeedDots(arg(i + 2)?));
                    i += 3;
                }
                _ => return Err(unknown(i)),
            },
            0x1C if arg(i + 1)? == b'.' => {
                out.push(Printed::KanjiOff);
                i += 2;
            }
            0x1D => match arg(i + 1)? {
                b'!' => {
                    let n = arg(i + 2)?;
                    size = ((n >> 4) + 1, (n & 0x0F) + 1);
                    i += 3;
                }
                b'v' if arg(i + 2)? == b'0' => {
                    let word = |at: usize| -> Result<usize, Unknown> {
                        Ok(usize::from(arg(at)?) | usize::from(arg(at + 1)?) << 8)
                    };
                    let (row, rows) = (word(i + 4)?, word(i + 6)?);
                    let end = i + 8 + row * rows;
                    let bits = bytes.get(i + 8..end).ok_or_else(|| unknown(i))?.to_vec();
                    out.push(Printed::Raster(Bitmap {
                        width: (row * 8) as u32,
                        height: rows as u32,
                        bits,
                    }));
                    i = end;
                }
                b'V' => {
                    out.push(Printed::Cut);
                    // GS V m, and n when m is 65 or 66.
                    i += if matches!(arg(i + 2)?, 65 | 66) { 4 } else { 3 };
                }
                b'(' if arg(i + 2)? == b'k' => {
                    let len = usize::from(arg(i + 3)?) | usize::from(arg(i + 4)?) << 8;
                    let end = i + 5 + len;
                    let body = bytes.get(i + 5..end).ok_or_else(|| unknown(i))?;
                    match body {
                        // cn 49 (QR), fn 80: store the data.
                        [49, 80, 48, data @ ..] => qr = String::from_utf8_lossy(data).into_owned(),
                        // fn 81: print what was stored.
                        [49, 81, 48] => out.push(Printed::Qr(std::mem::take(&mut qr))),
                        // Model, size, correction level: settings only.
                        [49, 65 | 67 | 69, ..] => {}
                        _ => return Err(unknown(i)),
                    }
                    i = end;
                }
                _ => return Err(unknown(i)),
            },
            b if b < 0x20 => return Err(unknown(i)),
            b => {
                line.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}
