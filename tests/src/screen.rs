//! A real X screen for tests of the windows: Xvfb on a free display
//! number, windows found by their titles with xdotool, shot with xwd,
//! clicked as a finger would, and read back with Tesseract (an OCR that
//! knows nothing of how we draw).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An Xvfb server, stopped when dropped.
pub struct Screen {
    xvfb: Child,
    /// `:N`, for the `DISPLAY` of the programs under test.
    pub display: String,
}

impl Screen {
    /// A `width`×`height` screen on the first display number with no
    /// server (nor a stale lock), ready when this returns.
    pub fn start(width: u32, height: u32) -> Screen {
        let n = (90..200)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })
            .expect("a free X display number");
        let display = format!(":{n}");
        let xvfb = Command::new("Xvfb")
            .args([&display, "-screen", "0", &format!("{width}x{height}x24")])
            .args(["-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is installed (scripts/test installs it)");
        let screen = Screen { xvfb, display };
        let ready = poll(Duration::from_secs(20), || {
            let probe = Command::new("xdpyinfo")
                .args(["-display", &screen.display])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            probe.is_ok_and(|s| s.success()).then_some(())
        });
        assert!(ready.is_some(), "Xvfb did not start on {}", screen.display);
        screen
    }

    /// The ids of the windows on screen (mapped: xwd can dump them)
    /// whose title contains `name`.
    pub fn windows(&self, name: &str) -> Vec<String> {
        let out = self
            .xdotool(&["search", "--onlyvisible", "--name", name])
            .output()
            .expect("xdotool runs");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    /// The window titled with `name`, waiting up to `within` for it.
    pub fn window(&self, name: &str, within: Duration) -> String {
        poll(within, || self.windows(name).into_iter().next())
            .unwrap_or_else(|| panic!("no window \"{name}\" within {within:?}"))
    }

    /// What `window` shows now.
    pub fn shot(&self, window: &str) -> Image {
        let out = Command::new("xwd")
            .args(["-silent", "-id", window, "-display", &self.display])
            .output()
            .expect("xwd runs");
        assert!(out.status.success(), "xwd could not dump {window}");
        Image::from_xwd(&out.stdout)
    }

    /// A click at (`x`, `y`) of `window`, as a finger on a touch screen.
    pub fn click(&self, window: &str, x: u32, y: u32) {
        let (x, y) = (x.to_string(), y.to_string());
        let status = self
            .xdotool(&["mousemove", "--window", window, &x, &y, "click", "1"])
            .status()
            .expect("xdotool runs");
        assert!(status.success(), "xdotool could not click {window}");
    }

    fn xdotool(&self, args: &[&str]) -> Command {
        let mut command = Command::new("xdotool");
        command.args(args).env("DISPLAY", &self.display);
        command
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// `f` until it gives something, for at most `within` (every 200 ms).
pub fn poll<T>(within: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(found) = f() {
            return Some(found);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// An RGB picture of a window.
pub struct Image {
    pub width: u32,
    pub height: u32,
    rgb: Vec<u8>,
}

impl Image {
    /// An X window dump (24 or 32 bits per pixel, TrueColor), as xwd
    /// writes it.
    fn from_xwd(data: &[u8]) -> Image {
        let field = |i: usize| {
            let at = i * 4;
            u32::from_be_bytes(data[at..at + 4].try_into().expect("four bytes"))
        };
        let (header, width, height) = (field(0) as usize, field(4), field(5));
        let (lsb_first, bits, line) = (field(7) == 0, field(11), field(12) as usize);
        let colours = field(19) as usize;
        assert!(bits == 24 || bits == 32, "{bits} bits per pixel");
        let step = bits as usize / 8;
        let pixels = &data[header + 12 * colours..];
        let mut rgb = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height as usize {
            for x in 0..width as usize {
                let p = &pixels[y * line + x * step..][..step];
                if lsb_first {
                    rgb.extend([p[2], p[1], p[0]]);
                } else {
                    rgb.extend(&p[step - 3..]);
                }
            }
        }
        Image { width, height, rgb }
    }

    /// The colour at (`x`, `y`).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let at = ((y * self.width + x) * 3) as usize;
        [self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]]
    }

    /// The box (left, top, right, bottom) of the first area painted all
    /// in `colour` (the top-most, then left-most), at least `least` pixels
    /// wide and high, with what is drawn on it (a label) inside the box.
    pub fn area(&self, colour: [u8; 3], least: u32) -> Option<(u32, u32, u32, u32)> {
        let mut seen = vec![false; (self.width * self.height) as usize];
        for start in 0..self.width * self.height {
            let (x, y) = (start % self.width, start / self.width);
            if seen[start as usize] || self.pixel(x, y) != colour {
                continue;
            }
            // Everything of that colour touching it, one flood.
            let mut bounds = (x, y, x, y);
            let mut todo = vec![(x, y)];
            seen[start as usize] = true;
            while let Some((x, y)) = todo.pop() {
                bounds = (
                    bounds.0.min(x),
                    bounds.1.min(y),
                    bounds.2.max(x),
                    bounds.3.max(y),
                );
                let around = [
                    (x.wrapping_sub(1), y),
                    (x + 1, y),
                    (x, y.wrapping_sub(1)),
                    (x, y + 1),
                ];
                for (nx, ny) in around {
                    if nx < self.width && ny < self.height {
                        let at = (ny * self.width + nx) as usize;
                        if !seen[at] && self.pixel(nx, ny) == colour {
                            seen[at] = true;
                            todo.push((nx, ny));
                        }
                    }
                }
            }
            if bounds.2 - bounds.0 >= least && bounds.3 - bounds.1 >= least {
                return Some(bounds);
            }
        }
        None
    }

    /// The picture as a PNG file.
    pub fn save(&self, path: &Path) {
        let file = std::fs::File::create(path).expect("the picture can be written");
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("a PNG header");
        writer
            .write_image_data(&self.rgb)
            .expect("the PNG's pixels");
    }

    /// The text Tesseract reads in the picture (saved as `path` for it,
    /// and for a person to look at when the test fails).
    pub fn text(&self, path: &Path) -> String {
        self.save(path);
        let out = Command::new("tesseract")
            .arg(path)
            .arg("stdout")
            .stderr(Stdio::null())
            .output()
            .expect("tesseract is installed (scripts/test installs it)");
        assert!(out.status.success(), "tesseract could not read {path:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}
