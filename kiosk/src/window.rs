//! The touch screen: an egui window that draws the [`Screen`] and feeds it
//! taps, keys and the worker's news. Every string it shows is Vietnamese,
//! drawn with the bundled font (the same as the raster tickets'), which has
//! every letter and tone.

use crate::screen::{Input, PRIORITY_CLASSES, Phase, Screen};
use crate::worker::Worker;
use eframe::egui::{self, Align, Color32, FontId, Layout, RichText};
use std::time::{Duration, Instant};

const INK: Color32 = Color32::from_rgb(20, 40, 80);
const ACCENT: Color32 = Color32::from_rgb(0, 94, 170);
const WARNING: Color32 = Color32::from_rgb(190, 30, 30);
/// The priority buttons: warm, unlike the grey of a disabled button.
const PRIORITY: Color32 = Color32::from_rgb(255, 196, 84);

/// The running window: the screen's state and the worker.
pub struct Window {
    screen: Screen,
    worker: Worker,
    note: Option<String>,
}

/// The bundled font, on a light background.
pub fn install_font(ctx: &egui::Context) {
    layso_device::font::install(ctx);
    ctx.set_visuals(egui::Visuals::light());
}

impl Window {
    /// A window over a screen and its worker.
    pub fn new(ctx: &egui::Context, screen: Screen, worker: Worker) -> Self {
        install_font(ctx);
        Self {
            screen,
            worker,
            note: None,
        }
    }

    /// A line in small type under the banner, always shown (e.g. that the
    /// printer is the preview).
    pub fn with_note(mut self, note: Option<String>) -> Self {
        self.note = note;
        self
    }

    fn feed(&mut self, input: Input) {
        if let Some(command) = self.screen.on(input, Instant::now()) {
            // The worker outlives the window; a send only fails at exit.
            let _ = self.worker.commands.send(command);
        }
    }
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        while let Ok(input) = self.worker.inputs.try_recv() {
            self.feed(input);
        }
        self.feed(Input::Tick);
        let keys: Vec<char> = ui.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Text(t) => t.chars().next(),
                    _ => None,
                })
                .collect()
        });
        for key in keys {
            self.feed(Input::Key(key));
        }
        // The clock, and the return to the services, need no event.
        ui.ctx().request_repaint_after(Duration::from_millis(500));

        let size = ui.available_size();
        let scale = (size.x.min(size.y) / 768.0).max(0.6);
        let px = |n: f32| n * scale;
        ui.painter()
            .rect_filled(ui.max_rect(), 0.0, Color32::from_rgb(246, 248, 252));
        egui::Frame::new().inner_margin(px(24.0)).show(ui, |ui| {
            self.banner(ui, px(30.0));
            ui.add_space(px(24.0));
            match self.screen.phase.clone() {
                Phase::Ready => self.services(ui, px(34.0)),
                Phase::Priority { .. } => self.priorities(ui, px(32.0)),
                Phase::Printing => centred(ui, &[("Đang in vé…", px(64.0), INK)]),
                Phase::Printed { number, .. } => centred(
                    ui,
                    &[
                        ("Số của bạn", px(40.0), INK),
                        (&number, px(200.0), ACCENT),
                        ("Mời bạn nhận vé", px(48.0), INK),
                    ],
                ),
                Phase::NotPrinted {
                    number, message, ..
                } => centred(
                    ui,
                    &[(&number, px(160.0), ACCENT), (&message, px(34.0), WARNING)],
                ),
                Phase::Refused { message, .. } => {
                    centred(ui, &[(&message, px(40.0), WARNING)]);
                }
            }
        });
    }
}

impl Window {
    /// The office's name (or why nothing can be taken), and the clock at
    /// the right: the name wraps in the room the clock leaves it.
    fn banner(&self, ui: &mut egui::Ui, size: f32) {
        let colour = if self.screen.troubled() { WARNING } else { INK };
        ui.with_layout(Layout::right_to_left(Align::Min), |ui| {
            let clock = self.screen.clock(chrono::Utc::now());
            ui.label(RichText::new(clock).size(size * 0.8).color(INK));
            ui.add_space(size);
            ui.with_layout(Layout::top_down(Align::Min), |ui| {
                ui.add(
                    egui::Label::new(
                        RichText::new(self.screen.banner())
                            .size(size)
                            .color(colour)
                            .strong(),
                    )
                    .wrap(),
                );
                if let Some(note) = self.screen.queued_note() {
                    ui.add(
                        egui::Label::new(RichText::new(note).size(size * 0.6).color(INK)).wrap(),
                    );
                }
                if let Some(note) = &self.note {
                    ui.add(
                        egui::Label::new(RichText::new(note).size(size * 0.45).color(INK)).wrap(),
                    );
                }
                // For the installer, in small type: which trouble it is.
                if let Some(away) = self.screen.away {
                    ui.add(
                        egui::Label::new(RichText::new(away.note()).size(size * 0.45).color(INK))
                            .wrap(),
                    );
                }
            });
        });
    }

    /// One large button per service, with "Ưu tiên" beside it where allowed.
    fn services(&mut self, ui: &mut egui::Ui, size: f32) {
        ui.label(RichText::new("Mời bạn chọn dịch vụ").size(size).color(INK));
        ui.add_space(size * 0.6);
        let width = ui.available_width();
        let buttons = self.screen.buttons();
        // The buttons share the screen's height (a portrait kiosk's too:
        // bigger targets for elderly hands), up to almost three times their least height.
        let gap = size * 0.4;
        let count = buttons.len().max(1) as f32;
        let height = ((ui.available_height() - gap * count) / count).clamp(size * 2.6, size * 7.0);
        let mut taps = Vec::new();
        for button in buttons {
            ui.horizontal(|ui| {
                let main = egui::Button::new(
                    RichText::new(&button.label)
                        .size(size * 1.2)
                        .color(Color32::WHITE),
                )
                .fill(ACCENT)
                .min_size(egui::vec2(
                    width * if button.priority { 0.7 } else { 1.0 } - 8.0,
                    height,
                ));
                if ui.add_enabled(button.enabled, main).clicked() {
                    taps.push(Input::Tap(button.service));
                }
                if button.priority {
                    // A colour of its own: grey read as "disabled".
                    let side =
                        egui::Button::new(RichText::new("Ưu tiên").size(size).color(INK).strong())
                            .fill(PRIORITY)
                            .min_size(egui::vec2(width * 0.3 - 8.0, height));
                    if ui.add_enabled(button.enabled, side).clicked() {
                        taps.push(Input::TapPriority(button.service));
                    }
                }
            });
            ui.add_space(gap);
        }
        for tap in taps {
            self.feed(tap);
        }
    }

    /// The priority classes, and the way back.
    fn priorities(&mut self, ui: &mut egui::Ui, size: f32) {
        ui.label(
            RichText::new("Xin chọn đối tượng ưu tiên")
                .size(size)
                .color(INK),
        );
        ui.add_space(size * 0.6);
        let width = ui.available_width();
        let mut taps = Vec::new();
        for (priority, label) in PRIORITY_CLASSES {
            let button = egui::Button::new(RichText::new(label).size(size).color(Color32::WHITE))
                .fill(ACCENT)
                .min_size(egui::vec2(width, size * 2.0));
            if ui.add(button).clicked() {
                taps.push(Input::ChoosePriority(priority));
            }
            ui.add_space(size * 0.3);
        }
        let back = egui::Button::new(RichText::new("Quay lại").size(size))
            .min_size(egui::vec2(width, size * 2.0));
        if ui.add(back).clicked() {
            taps.push(Input::Back);
        }
        for tap in taps {
            self.feed(tap);
        }
    }
}

/// Lines of text centred on the screen.
fn centred(ui: &mut egui::Ui, lines: &[(&str, f32, Color32)]) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.2);
        for (text, size, colour) in lines {
            ui.label(
                RichText::new(*text)
                    .font(FontId::proportional(*size))
                    .color(*colour)
                    .strong(),
            );
            ui.add_space(size * 0.3);
        }
    });
}
