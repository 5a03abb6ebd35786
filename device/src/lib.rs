//! What the kiosk and the display share: [`client`], a blocking client of
//! the server's API as one device; [`font`], the bundled font that has
//! every Vietnamese letter; [`window`], the window they ask for.

pub mod client;
pub mod font;
pub mod window;
