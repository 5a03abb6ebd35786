//! The bundled font (DejaVu Sans, `fonts/`, with its licence), which has
//! every Vietnamese letter with every tone. egui's own fonts lack most of
//! them and draw boxes instead, so the devices' windows use this one only;
//! the kiosk also draws raster tickets with it.

use ab_glyph::{Font, FontRef};
use eframe::egui::{self, FontData, FontDefinitions, FontFamily};
use std::sync::Arc;

/// The font file.
pub const FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

/// The font, parsed once.
pub fn font() -> &'static FontRef<'static> {
    static PARSED: std::sync::OnceLock<FontRef<'static>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| FontRef::try_from_slice(FONT).expect("the bundled font parses"))
}

/// Whether the font draws `c` with a glyph of its own (not the empty box).
pub fn has_glyph(c: char) -> bool {
    font().glyph_id(c).0 != 0
}

/// Makes the bundled font egui's only font, for every family.
pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::empty();
    fonts
        .font_data
        .insert("dejavu".into(), Arc::new(FontData::from_static(FONT)));
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts.families.insert(family, vec!["dejavu".into()]);
    }
    ctx.set_fonts(fonts);
}

/// Every Vietnamese letter, lower and upper case, with every tone.
pub const VIETNAMESE_LETTERS: &str = concat!(
    "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵ",
    "AÀẢÃÁẠĂẰẲẴẮẶÂẦẨẪẤẬEÈẺẼÉẸÊỀỂỄẾỆIÌỈĨÍỊOÒỎÕÓỌÔỒỔỖỐỘƠỜỞỠỚỢUÙỦŨÚỤƯỪỬỮỨỰYỲỶỸÝỴ",
    "bcdđghklmnpqrstvxBCDĐGHKLMNPQRSTVX",
);

#[cfg(test)]
mod tests {
    use super::*;

    // Every Vietnamese letter has a glyph of its own in the font the
    // windows draw with: no boxes on the kiosk or the board.
    #[test]
    fn every_vietnamese_letter_has_a_glyph() {
        assert_eq!(VIETNAMESE_LETTERS.chars().count(), 12 * 6 * 2 + 34);
        let missing: Vec<char> = VIETNAMESE_LETTERS
            .chars()
            .filter(|&c| !has_glyph(c))
            .collect();
        assert!(missing.is_empty(), "no glyph for {missing:?}");
        // The check can fail: a letter outside the font has none.
        assert!(!has_glyph('\u{10FFFD}'));
    }

    // egui, once given the font, lays Vietnamese out without the
    // replacement glyph.
    #[test]
    fn egui_draws_every_letter_with_the_font() {
        let ctx = egui::Context::default();
        install(&ctx);
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        // Nothing draws these textures: this test only asks about glyphs.
        output.textures_delta.clear();
        ctx.fonts_mut(|fonts| {
            let id = egui::FontId::proportional(40.0);
            for c in VIETNAMESE_LETTERS.chars() {
                assert!(fonts.has_glyph(&id, c), "egui has no glyph for {c}");
            }
            assert!(!fonts.has_glyph(&id, '\u{10FFFD}'));
        });
    }
}
