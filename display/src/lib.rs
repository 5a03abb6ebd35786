//! The hall display: board and voice. Not built yet (issue 5); see ARCHITECTURE.md.
