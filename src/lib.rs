//! tcsim: Monte Carlo simulation of a software engineer's total compensation.
//!
//! The pipeline, one module per stage: scenario file ([`scenario`]) ->
//! checked model ([`model`]) -> worlds and cash flows ([`engine`]) ->
//! statistics ([`stats`]) -> reports ([`report`]). [`app`] wires them to the
//! command line ([`cli`]).

pub mod app;
pub mod cli;
pub mod engine;
pub mod error;
pub mod model;
pub mod report;
pub mod scenario;
pub mod schema;
pub mod stats;
pub mod sweep;
pub mod trace;
pub mod vesting;
pub mod waterfall;
