//! tcsim: Monte Carlo simulation of a software engineer's total compensation.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`scenario`]: the TOML file read, checked and patched (`sweep --set`);
//! 2. [`model`]: the checked scenario the engine trusts ([`vesting`] and
//!    [`waterfall`] are its pieces);
//! 3. [`engine`]: worlds sampled per run, strategies compiled and evaluated,
//!    and the one run driver that feeds every pass;
//! 4. [`schema`]: the measures and where each series sits in a run's row;
//! 5. [`stats`]: exact means and percentiles, fed by the driver;
//! 6. [`report`]: one writer per output (tables, samples, charts, summary,
//!    trace, sweep) and the single place that puts files on disk.
//!
//! [`tax`] is the after-tax engine of model.md section 10 (a year's
//! liability from its income items, tables compiled in from `data/tax/`),
//! checked against independent engines' vectors; the run does not call it
//! yet (issue 13 wires it).
//!
//! [`solve`] is `tcsim solve`'s search: bisection over a closure from a
//! key's value to a statistic, run by `app` on the engine.
//!
//! [`shard`] cuts a run or a sweep into shards for many machines and
//! merges their partial files back into one machine's bytes.
//!
//! [`cli`] parses the command line, [`app`] turns it into a checked
//! [`config`] and runs the stages; [`terminal`] and [`resources`] are the
//! edges it touches.

pub mod app;
pub mod cli;
pub mod codec;
pub mod config;
pub mod engine;
pub mod error;
pub mod model;
pub mod report;
pub mod resources;
pub mod scenario;
pub mod schema;
pub mod shard;
pub mod solve;
pub mod stats;
pub mod tax;
pub mod terminal;
pub mod vesting;
pub mod waterfall;
