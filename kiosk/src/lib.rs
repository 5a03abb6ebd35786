//! The kiosk: touch screen to printed ticket (issue 4, in progress).
//!
//! Built so far: [`cp1258`], the Vietnamese code page of ESC/POS printers;
//! [`ticket`], the ticket's bytes for the text profiles; [`raster`], for
//! the raster profile (the bundled font, `GS v 0`); [`escpos_read`], which
//! reads such bytes back; [`printer`], the transports (serial, device file,
//! TCP) and the status query; [`client`], the server's API; [`flow`], a tap
//! all the way to paper. The touch screen and the binary come next; see
//! ARCHITECTURE.md.

pub mod client;
pub mod config;
pub mod cp1258;
pub mod escpos_read;
pub mod flow;
pub mod preview;
pub mod printer;
pub mod raster;
pub mod run;
pub mod screen;
pub mod ticket;
pub mod window;
pub mod worker;
pub mod wrap;
