//! What the devices' windows share: the `--windowed WxH` flag and the
//! window it asks for (full screen without it).

use eframe::egui::ViewportBuilder;

/// Parses `WIDTHxHEIGHT`, e.g. `1920x1080`.
pub fn parse_size(s: &str) -> Result<(f32, f32), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or("expected WIDTHxHEIGHT, e.g. 1920x1080")?;
    let number = |v: &str| v.parse::<f32>().map_err(|e| format!("{v}: {e}"));
    Ok((number(w)?, number(h)?))
}

/// Where a device's window goes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Placement {
    /// Its size; without one, the full screen.
    pub size: Option<(f32, f32)>,
    /// Its top left corner on the screen (the demo hall puts its windows
    /// side by side); without one, where the window manager likes.
    pub at: Option<(f32, f32)>,
}

/// A window titled `title` ("Layso …", which the screenshot scripts look
/// for) where `placement` says.
pub fn options(title: &str, placement: Placement) -> eframe::NativeOptions {
    let viewport = ViewportBuilder::default().with_title(title);
    let viewport = match placement.size {
        Some((w, h)) => viewport.with_inner_size([w, h]),
        None => viewport.with_fullscreen(true),
    };
    let viewport = match placement.at {
        Some((x, y)) => viewport.with_position([x, y]),
        None => viewport,
    };
    eframe::NativeOptions {
        viewport,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    // Sizes read as width by height; anything else says what is expected.
    #[test]
    fn sizes_parse() {
        assert_eq!(super::parse_size("1080x1920"), Ok((1080.0, 1920.0)));
        assert!(
            super::parse_size("1080")
                .unwrap_err()
                .contains("WIDTHxHEIGHT")
        );
        assert!(super::parse_size("axb").is_err());
    }
}
