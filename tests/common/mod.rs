//! Shared helpers for tests that drive the engine through the library.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use tcsim::engine::{Engine, Results};
use tcsim::model::Scenario;
use tcsim::stats::SeriesSummary;

/// Parses a scenario given inline; panics with the error if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    tcsim::scenario::parse("inline.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs the engine on `text`.
pub fn simulate(text: &str) -> (Scenario, Results) {
    let s = scenario(text);
    let r = Engine::new(&s).simulate(&|_| {});
    (s, r)
}

/// Summary of `measure` of strategy `strategy` in 1-based `year`.
pub fn series<'a>(
    s: &Scenario,
    r: &'a Results,
    strategy: &str,
    year: usize,
    measure: &str,
) -> &'a SeriesSummary {
    let si = s
        .strategies
        .iter()
        .position(|x| x.name == strategy)
        .expect("strategy exists");
    let m = *r
        .layout
        .measures()
        .iter()
        .find(|x| x.name() == measure)
        .expect("measure exists");
    &r.series[r.layout.at(si, year - 1, m)]
}

/// Summary of `strategy` minus the baseline, cumulative, in 1-based `year`.
pub fn diff<'a>(s: &Scenario, r: &'a Results, strategy: &str, year: usize) -> &'a SeriesSummary {
    let si = s
        .strategies
        .iter()
        .position(|x| x.name == strategy)
        .expect("strategy exists");
    let k = r
        .layout
        .compared
        .iter()
        .position(|&c| c == si)
        .expect("strategy is compared");
    &r.series[r.layout.diff(k, year - 1)]
}

/// Standard normal CDF, `0.5 erfc(-x / sqrt 2)`, with erfc from W. J. Cody's
/// rational approximations as in Numerical Recipes' `erfcc` (relative error
/// below 1.2e-7).
pub fn norm_cdf(x: f64) -> f64 {
    let z = (-x / std::f64::consts::SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    // Horner's rule from the innermost coefficient, the same operations
    // in the same order as the nested form (which rustfmt takes seconds
    // to lay out).
    let mut poly = 0.170_872_77;
    for c in [
        -0.822_152_23,
        1.488_515_87,
        -1.135_203_98,
        0.278_868_07,
        -0.186_288_06,
        0.096_784_18,
        0.374_091_96,
        1.000_023_68,
    ] {
        poly = c + t * poly;
    }
    let r = t * (-z * z - 1.265_512_23 + t * poly).exp();
    let erfc = if -x / std::f64::consts::SQRT_2 >= 0.0 {
        r
    } else {
        2.0 - r
    };
    0.5 * erfc
}

/// Standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal quantile by bisection on [`norm_cdf`] (tests only).
pub fn norm_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-10.0, 10.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if norm_cdf(mid) < p {
            lo = mid
        } else {
            hi = mid
        }
    }
    0.5 * (lo + hi)
}

/// The built binary.
pub fn tcsim() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("tcsim")
}

/// A temporary directory, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// `tcsim run FILE --quiet --out OUT` plus `extra`; asserts success.
pub fn run_ok(file: &Path, out: &Path, extra: &[&str]) {
    tcsim()
        .arg("run")
        .arg(file)
        .arg("--quiet")
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
}

/// Sends `signal` (`INT`, `TERM`, `HUP`) to process `pid` with kill(1).
#[cfg(unix)]
pub fn send_signal(pid: u32, signal: &str) {
    let kill = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(kill.success(), "kill -{signal} {pid}");
}

/// Names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Asserts that the mean and every quantile of `measure` of `strategy` in
/// 1-based `year` are `want` to the cent.
pub fn assert_cents(
    s: &Scenario,
    r: &Results,
    strategy: &str,
    year: usize,
    measure: &str,
    want: f64,
) {
    let got = series(s, r, strategy, year, measure);
    assert!(
        (got.mean - want).abs() < 0.005,
        "{strategy} year {year} {measure}: mean {} want {want}",
        got.mean
    );
    for &q in &got.quantiles {
        assert!(
            (q - want).abs() < 0.005,
            "{strategy} year {year} {measure}: quantile {q} want {want}"
        );
    }
}
