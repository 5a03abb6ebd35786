//! SQLite's SQL, one module per part of the domain, and the single
//! writer every change goes through.
//!
//! **Architecture Invariant:** every change to the file is a job on the
//! [`Writer`]; reads go through the read-only pool and never write. One
//! writer makes numbering and call-next race-free, and lets one fsync
//! commit many tickets (group commit).

pub mod calls;
pub mod counters;
pub mod devices;
pub mod events;
pub mod issue;
pub mod office;
pub mod printers;
pub mod ratings;
pub mod reads;
pub mod seed;
pub mod services;
pub mod sessions;
pub mod steps;
pub mod tickets;
pub mod users;
pub mod writer;

pub use writer::Writer;
