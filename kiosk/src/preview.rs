//! The preview printer, for a kiosk with no printer configured (a
//! newcomer's first kiosk, a demo hall): it answers status queries as a
//! ready printer does, and draws each job it is sent, read back from its
//! ESC/POS bytes, as a PNG file of its own in a folder, logging how many
//! bytes a real printer would have received. So the ticket seen is the
//! ticket the configured profile would print, through the same layout.

use crate::escpos_read::{self, Printed};
use crate::raster::{self, Bitmap};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Font A's rows at normal size, and a line's height with its spacing.
const TEXT_PX: f32 = 24.0;
const LINE_DOTS: u32 = 30;

/// The preview as a printer port: bytes written are a status query
/// (`DLE EOT n`, always written and flushed alone) or a job, drawn when
/// flushed.
pub struct Preview {
    dir: PathBuf,
    dots: u32,
    pending: Vec<u8>,
    answers: VecDeque<u8>,
}

impl Preview {
    /// A preview saving into `dir` (created on the first ticket) on paper
    /// `dots` wide.
    pub fn new(dir: &Path, dots: u32) -> Self {
        Self {
            dir: dir.to_owned(),
            dots,
            pending: Vec::new(),
            answers: VecDeque::new(),
        }
    }

    /// Draws the job and saves it; returns the file.
    fn save(&self, job: &[u8]) -> io::Result<PathBuf> {
        let printed = escpos_read::read(job).map_err(io::Error::other)?;
        let paper = draw(&printed, self.dots);
        std::fs::create_dir_all(&self.dir)?;
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let file = (1..)
            .map(|n| self.dir.join(format!("ve-{stamp}-{n}.png")))
            .find(|f| !f.exists())
            .expect("some name is free");
        std::fs::write(&file, png(&paper)?)?;
        Ok(file)
    }
}

impl Read for Preview {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.answers.pop_front(), buf.first_mut()) {
            (Some(answer), Some(first)) => {
                *first = answer;
                Ok(1)
            }
            _ => Err(io::Error::new(io::ErrorKind::TimedOut, "nothing asked")),
        }
    }
}

impl Write for Preview {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let written = std::mem::take(&mut self.pending);
        match written.as_slice() {
            [] => {}
            // Online, cover closed, paper present: bits 1 and 4 only.
            [0x10, 0x04, 1..=4] => self.answers.push_back(0x12),
            job => {
                let file = self.save(job)?;
                tracing::info!(file = %file.display(), bytes = job.len(), "preview printer: ticket drawn (a printer would have received these bytes)");
            }
        }
        Ok(())
    }
}

/// What the paper shows: text lines in the bundled font at their size
/// and alignment, bit images and QR codes centred (as every profile sends
/// them), feeds as blank paper, up to the cut.
pub fn draw(printed: &[Printed], dots: u32) -> Bitmap {
    let width = dots.div_ceil(8) * 8;
    let mut paper = Paper {
        width,
        rows: Vec::new(),
    };
    for item in printed {
        match item {
            Printed::Line {
                text,
                size,
                justify,
                ..
            } => {
                let (w, h) = (f32::from(size.0), f32::from(size.1));
                // The printer's font is narrower than ours: fit the line to
                // the paper rather than cut it.
                let mut px = TEXT_PX * h;
                let fits = raster::width(text, px) * w / h;
                if fits > width as f32 {
                    px *= width as f32 / fits;
                }
                let line = raster::render(text, px, width);
                let at = match justify {
                    1 => (width - line.width) / 2,
                    2 => width - line.width,
                    _ => 0,
                };
                let start = paper.rows.len();
                paper.paste(&line, at);
                paper.feed((LINE_DOTS * u32::from(size.1)).saturating_sub(paper.since(start)));
            }
            Printed::Raster(image) => {
                let at = width.saturating_sub(image.width) / 2;
                paper.paste(image, at);
            }
            Printed::Qr(payload) => {
                if let Ok(image) = raster::qr_image(payload) {
                    let at = width.saturating_sub(image.width) / 2;
                    paper.paste(&image, at);
                }
            }
            Printed::Feed(n) => paper.feed(LINE_DOTS * u32::from(*n)),
            Printed::FeedDots(n) => paper.feed(u32::from(*n)),
            Printed::Cut => break,
            Printed::Init | Printed::CodePage(_) | Printed::KanjiOff => {}
        }
    }
    let height = paper.rows.len() as u32;
    Bitmap {
        width,
        height,
        bits: paper.rows.concat(),
    }
}

/// The roll being printed: rows of `width / 8` bytes.
struct Paper {
    width: u32,
    rows: Vec<Vec<u8>>,
}

impl Paper {
    fn feed(&mut self, dots: u32) {
        let blank = vec![0u8; (self.width / 8) as usize];
        self.rows.extend(std::iter::repeat_n(blank, dots as usize));
    }

    fn since(&self, start: usize) -> u32 {
        (self.rows.len() - start) as u32
    }

    /// `image` below what is printed, `at` dots from the left edge (cut
    /// at the paper's).
    fn paste(&mut self, image: &Bitmap, at: u32) {
        for y in 0..image.height {
            let mut row = vec![0u8; (self.width / 8) as usize];
            for x in 0..image.width.min(self.width.saturating_sub(at)) {
                if image.get(x, y) {
                    let px = at + x;
                    row[(px / 8) as usize] |= 0x80 >> (px % 8);
                }
            }
            self.rows.push(row);
        }
    }
}

/// A bitmap as a PNG file: one bit a dot, black on white.
pub fn png(image: &Bitmap) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height.max(1));
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().map_err(io::Error::other)?;
    // In a grey PNG a set bit is white; on paper, ink.
    let mut data: Vec<u8> = image.bits.iter().map(|b| !b).collect();
    if image.height == 0 {
        data = vec![0xFF; (image.width / 8) as usize];
    }
    writer.write_image_data(&data).map_err(io::Error::other)?;
    writer.finish().map_err(io::Error::other)?;
    Ok(out)
}
