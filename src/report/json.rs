//! `percentiles.json` and `compare.json`: the tables of `csv.rs` as arrays
//! of objects whose keys are the CSV columns, in the same order.
//!
//! Numbers are JSON numbers holding exactly the CSV's rounded value (money
//! to cents, probabilities to 4 decimals): each is the CSV text read back as
//! a float, which JSON then writes in its shortest form (`1234.5` for
//! `1234.50`). The engine only produces finite values; should one ever not
//! be, it is written as `null`, never as `NaN`.

use serde_json::{Map, Number, Value};

use crate::error::AppError;
use crate::report::table::{Cell, Table};

impl Cell {
    /// The value as a JSON value.
    fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Count(n) => Value::Number((*n).into()),
            Cell::Empty => Value::Null,
            Cell::Money(_) | Cell::Probability(_) => self
                .text()
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map_or(Value::Null, Value::Number),
        }
    }
}

/// A table as a pretty-printed JSON array of objects, one per row. A row
/// that does not match the header is an error.
pub fn write(t: &Table) -> Result<Vec<u8>, AppError> {
    t.check()?;
    let rows: Vec<Value> = t
        .rows
        .iter()
        .map(|row| {
            let object: Map<String, Value> = t
                .columns
                .iter()
                .zip(row)
                .map(|(c, cell)| (c.clone(), cell.json()))
                .collect();
            Value::Object(object)
        })
        .collect();
    let mut bytes = serde_json::to_vec_pretty(&Value::Array(rows))
        .map_err(|e| AppError::Internal(format!("JSON writer: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(Cell::Probability(f64::NAN).json(), Value::Null);
    }
}
