//! Arbitrary bytes through the `tcsim check` code path
//! (`tcsim::scenario::parse_bytes`), and every accepted scenario through the
//! engine.
//!
//! Invariants checked (docs/reference.md, "Errors", "Nothing panics on any input; NaN
//! and infinities never reach the output"):
//! - parsing never panics;
//! - a rejected file gives one error whose Display starts with
//!   `fuzz.toml:<line>:<col>: `, with a line inside the file and a column of
//!   at least 1;
//! - an accepted file compiles into an [`Engine`], and every number of every
//!   row of a few runs (`run_into`) is finite, as is every mean and quantile
//!   of a small `simulate`.
#![no_main]

use std::sync::Once;

use libfuzzer_sys::fuzz_target;
use tcsim::engine::{Engine, World};
use tcsim::error::ScenarioError;
use tcsim::model::Scenario;

const LABEL: &str = "fuzz.toml";
/// Rough budget of work (price steps plus row entries) per input, so every
/// input stays in the millisecond range.
const BUDGET: usize = 4_000_000;
/// Most runs `run_into` evaluates per input, and most runs of `simulate`.
const ROWS: u64 = 4;
const SIM_RUNS: u64 = 16;

fuzz_target!(|data: &[u8]| {
    static POOL: Once = Once::new();
    // One worker thread: the fuzzer runs as a single job on a shared machine.
    POOL.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build_global();
    });
    match tcsim::scenario::parse_bytes(LABEL, data) {
        Ok(scenario) => simulate(&scenario),
        Err(e) => check_error(data, &e),
    }
});

/// A rejected file's message is located: `fuzz.toml:<line>:<col>: ...`.
fn check_error(data: &[u8], e: &ScenarioError) {
    let shown = e.to_string();
    let rest = shown
        .strip_prefix(LABEL)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or_else(|| panic!("error does not start with the file name: {shown:?}"));
    let mut parts = rest.splitn(3, ':');
    let line: usize = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no line number in {shown:?}"));
    let column: usize = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no column number in {shown:?}"));
    let tail = parts
        .next()
        .unwrap_or_else(|| panic!("no message in {shown:?}"));
    assert!(
        tail.starts_with(' '),
        "no space after the position: {shown:?}"
    );
    assert!(!tail.trim().is_empty(), "empty message: {shown:?}");
    assert_eq!((line, column), (e.line, e.column), "{shown:?}");
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    assert!(
        line >= 1 && line <= lines,
        "line {line} outside the file's {lines} lines: {shown:?}"
    );
    assert!(column >= 1, "column {column} < 1: {shown:?}");
}

/// Evaluates a few runs of an accepted scenario and checks every number.
fn simulate(scenario: &Scenario) {
    let engine = Engine::new(scenario);
    let width = engine.layout().width();
    let years = scenario.sim.years as usize;
    let steps = years * scenario.sim.steps_per_year as usize;
    let per_run = width + scenario.companies.len() * steps + scenario.jobs.len() * years * 4;
    if per_run > BUDGET {
        return;
    }
    let affordable = (BUDGET / per_run.max(1)) as u64;

    // Rows of a few runs, including the scenario's last run index.
    let runs = scenario.sim.runs;
    let mut world = World::new(scenario);
    let mut row = vec![f64::NAN; width];
    let mut indexes: Vec<u64> = (0..runs.min(ROWS).min(affordable.max(1))).collect();
    if affordable > ROWS && runs > ROWS {
        indexes.push(runs - 1);
    }
    for &run in &indexes {
        engine.run_into(run, &mut world, &mut row);
        for (k, v) in row.iter().enumerate() {
            assert!(v.is_finite(), "run {run}: row[{k}] = {v} (width {width})");
        }
    }

    // The statistics of a few runs.
    let sim_runs = runs.min(SIM_RUNS).min(affordable / 2);
    if sim_runs == 0 {
        return;
    }
    let mut small = scenario.clone();
    small.sim.runs = sim_runs;
    let small_engine = Engine::new(&small);
    let results = small_engine.simulate(&|_| {});
    for (k, s) in results.series.iter().enumerate() {
        assert!(s.mean.is_finite(), "series {k}: mean = {}", s.mean);
        for (q, v) in results.probs.iter().zip(&s.quantiles) {
            assert!(v.is_finite(), "series {k}: quantile {q} = {v}");
        }
        assert!(s.share_positive.is_finite());
    }
}
