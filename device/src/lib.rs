//! What the kiosk and the display share: [`client`], a blocking client of
//! the server's API as one device, and [`font`], the bundled font that has
//! every Vietnamese letter.

pub mod client;
pub mod font;
