//! What the kiosk and the display share: [`client`], a blocking client of
//! the server's API as one device; [`clock`], the office's own time for
//! the clocks people read; [`font`], the bundled font that has every
//! Vietnamese letter; [`log`], where their log goes; [`window`], the
//! window they ask for.

pub mod client;
pub mod clock;
pub mod font;
pub mod log;
pub mod window;
