//! Reports: one writer per output format, and the single place that puts
//! files on disk ([`Staging`]: one run's set, whole or not at all, with its
//! manifest).

pub mod csv;
pub mod describe;
pub mod html;
pub mod json;
pub mod manifest;
pub mod plot;
pub mod samples;
pub mod solve;
mod staging;
pub mod summary;
pub mod sweep;
pub mod sweep_merge;
pub mod table;
pub mod trace;

use std::io::Write;

pub use staging::{FileLock, LOCK_FILE, Staging, Stream};

use crate::engine::Results;
use crate::error::AppError;
use crate::model::Scenario;

/// Dollars rounded to cents, plain: no exponent, no separators, and never
/// `-0.00`.
pub fn money(x: f64) -> String {
    let mut out = Vec::with_capacity(16);
    write_money(&mut out, x);
    String::from_utf8(out).expect("digits are ASCII")
}

/// [`money`] appended to `out` without an allocation of its own (the
/// samples file writes two per row).
pub fn write_money(out: &mut Vec<u8>, x: f64) {
    debug_assert!(x.is_finite(), "the engine only produces finite values");
    let start = out.len();
    let _ = write!(out, "{x:.2}");
    if out[start..] == *b"-0.00" {
        out.truncate(start);
        out.extend_from_slice(b"0.00");
    }
}

/// A probability rounded to 4 decimals.
pub fn probability(x: f64) -> String {
    format!("{x:.4}")
}

/// A percentile column label: `p5`, `p2.5`.
pub fn percentile_label(p: f64) -> String {
    format!("p{p}")
}

/// The result tables' file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `percentiles.csv` and `compare.csv`.
    Csv,
    /// `percentiles.json` and `compare.json`.
    Json,
}

/// The result tables as `(file name, bytes)` in `format`: percentiles and
/// compare, then decision when `[simulation]` sets `risk_aversion` or
/// `discount_rate` (model.md section 12).
pub fn tables(
    format: Format,
    scenario: &Scenario,
    r: &Results,
) -> Result<Vec<(&'static str, Vec<u8>)>, AppError> {
    let mut named = vec![
        ("percentiles", table::percentiles(scenario, r)),
        ("compare", table::compare(scenario, r)),
    ];
    if let Some(decision) = table::decision(scenario, r) {
        named.push(("decision", decision));
    }
    named
        .into_iter()
        .map(|(name, t)| {
            let (csv_name, json_name) = file_names(name);
            Ok(match format {
                Format::Csv => (csv_name, csv::write(&t)?),
                Format::Json => (json_name, json::write(&t)?),
            })
        })
        .collect()
}

/// The error of a world where `W + X <= 0` with `risk_aversion` (model.md
/// section 12: the utility is undefined there), naming the strategy, the
/// year, the lowest cumulative cash and a run that reaches it; exit 2.
pub fn check_decision(scenario: &Scenario, r: &Results) -> Result<(), AppError> {
    let (Some(d), Some(risk)) = (&r.decision, scenario.sim.risk) else {
        return Ok(());
    };
    let Some(ruin) = d.ruin() else {
        return Ok(());
    };
    let cash = match r.layout.reports(crate::schema::Measure::NetCumulative) {
        true => "net cumulative cash",
        false => "cumulative cash",
    };
    Err(AppError::Usage(format!(
        "simulation.risk_aversion: strategy `{}`, year {}: wealth {} plus the {cash} is at most 0 \
         in some worlds (lowest {}, in run {}; `tcsim trace --run {}` shows it), and u(W + X) needs \
         W + X > 0; raise simulation.wealth above {}",
        scenario.strategies[ruin.strategy].name,
        ruin.year + 1,
        summary::dollars(risk.wealth),
        summary::dollars(ruin.lowest),
        ruin.run,
        ruin.run,
        summary::dollars(-ruin.worst),
    )))
}

/// A result table's CSV and JSON file names.
fn file_names(table: &str) -> (&'static str, &'static str) {
    match table {
        "percentiles" => ("percentiles.csv", "percentiles.json"),
        "compare" => ("compare.csv", "compare.json"),
        _ => ("decision.csv", "decision.json"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_plain_and_never_negative_zero() {
        assert_eq!(money(0.1 + 0.2), "0.30");
        assert_eq!(money(-0.001), "0.00");
        assert_eq!(money(1e16), "10000000000000000.00");
        assert_eq!(money(-1234.567), "-1234.57");
    }

    #[test]
    fn write_money_appends_what_money_returns() {
        let mut out = b"x,".to_vec();
        for x in [0.1 + 0.2, -0.001, -0.005, 1e16, -1234.567, 2.675] {
            write_money(&mut out, x);
            out.push(b',');
        }
        let want: Vec<String> = [0.1 + 0.2, -0.001, -0.005, 1e16, -1234.567, 2.675]
            .iter()
            .map(|&x| money(x))
            .collect();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("x,{},", want.join(","))
        );
    }

    #[test]
    fn probability_has_four_decimals() {
        assert_eq!(probability(0.642), "0.6420");
        assert_eq!(probability(1.0), "1.0000");
    }

    #[test]
    fn percentile_labels_follow_the_requested_values() {
        assert_eq!(percentile_label(5.0), "p5");
        assert_eq!(percentile_label(2.5), "p2.5");
    }
}
