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

/// A window titled "Layso" of `size`, or full screen without one.
pub fn options(size: Option<(f32, f32)>) -> eframe::NativeOptions {
    let viewport = ViewportBuilder::default().with_title("Layso");
    let viewport = match size {
        Some((w, h)) => viewport.with_inner_size([w, h]),
        None => viewport.with_fullscreen(true),
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
