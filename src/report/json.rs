//! `percentiles.json` and `compare.json`: the tables of `csv.rs` as arrays
//! of objects whose keys are the CSV columns, in the same order.
//!
//! Numbers are JSON numbers holding exactly the CSV's rounded value (money
//! to cents, probabilities to 4 decimals): each is the CSV text read back as
//! a float, which JSON then writes in its shortest form (`1234.5` for
//! `1234.50`). The engine only produces finite values; should one ever not
//! be, it is written as `null`, never as `NaN`.

use std::fmt::Write as _;

use crate::error::AppError;
use crate::report::table::{Cell, Table};

impl Cell {
    /// The value as JSON text. Numbers are the CSV's digits, without the
    /// trailing zeros of the fraction (`1234.5` for `1234.50`, `1000.0` for
    /// `1000.00`): never an exponent, whatever the size. A value that is not
    /// finite (the engine never produces one) is `null`, never `NaN`.
    fn json(&self) -> String {
        match self {
            Cell::Text(s) => serde_json::to_string(s).unwrap_or_else(|_| "null".into()),
            Cell::Count(n) => n.to_string(),
            Cell::Empty => "null".into(),
            Cell::Money(x) | Cell::Probability(x) if !x.is_finite() => "null".into(),
            Cell::Money(_) | Cell::Probability(_) => json_number(&self.text()),
        }
    }
}

/// `digits` (an optional `-`, digits, a `.` and digits) with the fraction's
/// trailing zeros removed, keeping one digit after the point: the form a
/// JSON reader shows for a float, without ever switching to an exponent.
fn json_number(digits: &str) -> String {
    match digits.split_once('.') {
        Some((whole, frac)) => {
            let frac = frac.trim_end_matches('0');
            format!("{whole}.{}", if frac.is_empty() { "0" } else { frac })
        }
        None => format!("{digits}.0"),
    }
}

/// A table as a pretty-printed JSON array of objects, one per row, keys in
/// column order (two-space indents, as `serde_json`'s pretty printer). A row
/// that does not match the header is an error.
pub fn write(t: &Table) -> Result<Vec<u8>, AppError> {
    t.check()?;
    let keys: Vec<String> = t
        .columns
        .iter()
        .map(|c| serde_json::to_string(c).unwrap_or_else(|_| "\"\"".into()))
        .collect();
    let mut out = String::new();
    if t.rows.is_empty() {
        out.push_str("[]\n");
        return Ok(out.into_bytes());
    }
    out.push_str("[\n");
    for (r, row) in t.rows.iter().enumerate() {
        out.push_str("  {\n");
        for (i, (key, cell)) in keys.iter().zip(row).enumerate() {
            let comma = if i + 1 < row.len() { "," } else { "" };
            let _ = writeln!(out, "    {key}: {}{comma}", cell.json());
        }
        out.push_str(if r + 1 < t.rows.len() {
            "  },\n"
        } else {
            "  }\n"
        });
    }
    out.push_str("]\n");
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn numbers_are_the_csv_values_and_keys_keep_the_column_order() {
        let t = Table {
            columns: vec![
                "strategy".into(),
                "year".into(),
                "p_ahead".into(),
                "p50".into(),
            ],
            rows: vec![vec![
                Cell::Text("stay".into()),
                Cell::Count(3),
                Cell::Probability(0.642_049),
                Cell::Money(0.1 + 0.2 - 1e-9 + 1234.0),
            ]],
        };
        let text = String::from_utf8(write(&t).unwrap()).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let row = v[0].as_object().unwrap();
        let keys: Vec<&str> = row.keys().map(String::as_str).collect();
        assert_eq!(keys, ["strategy", "year", "p_ahead", "p50"]);
        assert_eq!(row["year"], Value::from(3));
        assert_eq!(row["p_ahead"].to_string(), "0.642");
        assert_eq!(row["p50"].to_string(), "1234.3");
        assert!(text.ends_with("]\n"));
    }

    #[test]
    fn a_non_finite_value_becomes_null_never_nan() {
        assert_eq!(Cell::Probability(f64::NAN).json(), "null");
    }

    #[test]
    fn large_amounts_are_written_without_an_exponent() {
        assert_eq!(
            Cell::Money(1.000_000_000_02e16).json(),
            "10000000000200000.0"
        );
        assert_eq!(Cell::Money(-2.5e17).json(), "-250000000000000000.0");
        assert_eq!(Cell::Money(1000.0).json(), "1000.0");
        assert_eq!(Cell::Probability(0.0).json(), "0.0");
    }

    #[test]
    fn the_writer_matches_serde_json_for_ordinary_values() {
        let t = Table {
            columns: vec!["a \"q\"".into(), "n".into(), "x".into(), "e".into()],
            rows: vec![
                vec![
                    Cell::Text("s\u{1b}".into()),
                    Cell::Count(2),
                    Cell::Money(-12.5),
                    Cell::Empty,
                ],
                vec![
                    Cell::Text("t".into()),
                    Cell::Count(3),
                    Cell::Probability(0.25),
                    Cell::Empty,
                ],
            ],
        };
        let ours = String::from_utf8(write(&t).unwrap()).unwrap();
        let value: Value = serde_json::from_str(&ours).unwrap();
        let mut theirs = serde_json::to_string_pretty(&value).unwrap();
        theirs.push('\n');
        assert_eq!(ours, theirs);
    }
}
