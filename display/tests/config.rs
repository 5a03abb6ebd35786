//! The display's configuration.

use layso_display::config::Config;
use layso_protocol::speech::Dialect;
use std::path::Path;

// The documented example is a valid configuration and matches the
// defaults; environment variables override it; a wrong dialect is an error
// that names it.
#[test]
#[allow(clippy::result_large_err)] // figment's Jail decides the closure's error type
fn configuration_layers() {
    figment::Jail::expect_with(|jail| {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../display.example.toml");
        let config = Config::load(&example, serde_json::json!({})).map_err(|e| e.to_string())?;
        assert_eq!(config, Config::default());
        jail.set_env("LAYSO_DISPLAY_DIALECT", "south");
        jail.set_env("LAYSO_DISPLAY_REPEAT", "3");
        let config = Config::load(&example, serde_json::json!({})).map_err(|e| e.to_string())?;
        assert_eq!(
            (config.dialect, config.speech().repeat),
            (Dialect::South, 3)
        );
        jail.set_env("LAYSO_DISPLAY_DIALECT", "central");
        let err = Config::load(&example, serde_json::json!({})).unwrap_err();
        assert!(err.to_string().contains("central"), "{err}");
        Ok(())
    });
}
