//! The HTTP API, through the router, on a real SQLite file.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod counters;
mod docs;
mod events;
mod input;
mod issue;
mod life;
mod origin;
mod pages;
mod processes;
mod province;
mod reads;
