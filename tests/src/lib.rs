//! Harness for the end-to-end tests: starts the real binaries on temporary files and free ports.
