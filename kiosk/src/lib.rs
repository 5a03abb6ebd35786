//! The kiosk: touch screen to printed ticket. Not built yet (issue 4); see ARCHITECTURE.md.
