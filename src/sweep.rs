//! `tcsim sweep`: the same scenario at each value (or grid of values) of one
//! or more keys, with the same seed at every point (common random numbers),
//! so differences between points come from the parameter alone.

use crate::engine::Measure;
use crate::error::AppError;
use crate::model::Scenario;
use crate::report::percentile_label;
use crate::report::table::{Cell, Table};

/// One `--set KEY=V1,V2,...`: a dotted key path and its values as TOML.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The key as the user wrote it.
    pub key: String,
    /// Path segments.
    pub path: Vec<String>,
    /// Each value as written (a TOML value; bare words are strings).
    pub values: Vec<String>,
}

/// Most points one sweep may run.
pub const MAX_POINTS: usize = 10_000;

/// Parses one `--set` argument.
pub fn parse_axis(arg: &str) -> Result<Axis, AppError> {
    let usage = |why: &str| {
        AppError::Usage(format!(
            "--set {arg}: {why}; write --set KEY=V1,V2,... e.g. --set companies.rocket.exit_rate=0.05,0.1"
        ))
    };
    let (key, values) = arg.split_once('=').ok_or_else(|| usage("missing `=`"))?;
    let key = key.trim();
    let path: Vec<String> = key.split('.').map(|s| s.trim().to_string()).collect();
    if path.iter().any(|s| s.is_empty()) {
        return Err(usage("the key path has an empty part"));
    }
    let values: Vec<String> = split_values(values);
    if values.is_empty() || values.iter().any(|v| v.is_empty()) {
        return Err(usage("every value must be non-empty"));
    }
    Ok(Axis {
        key: key.to_string(),
        path,
        values,
    })
}

/// Splits on commas outside brackets and quotes, so a value may be an
/// array or inline table: `vesting=[25,25,25,25],[5,15,40,40]`.
fn split_values(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quote) = (Vec::new(), String::new(), 0i32, None);
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// Every point of the grid: one value index per axis, first axis slowest.
pub fn grid(axes: &[Axis]) -> Result<Vec<Vec<usize>>, AppError> {
    let count = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
        .unwrap_or(usize::MAX);
    if count > MAX_POINTS {
        return Err(AppError::Usage(format!(
            "the sweep has {count} points; the limit is {MAX_POINTS}"
        )));
    }
    let mut points = vec![Vec::new()];
    for a in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..a.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    Ok(points)
}

fn toml_value(axis: &Axis, raw: &str) -> Result<toml::Value, AppError> {
    let parsed: Result<toml::Table, _> = toml::from_str(&format!("v = {raw}"));
    match parsed {
        Ok(mut t) => Ok(t.remove("v").expect("the key just written")),
        // A bare word is a string: `--set jobs.offer.company=bigco`.
        Err(_)
            if raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            Ok(toml::Value::String(raw.to_string()))
        }
        Err(e) => Err(AppError::Usage(format!(
            "--set {}: `{raw}` is not a TOML value: {}",
            axis.key,
            e.message()
        ))),
    }
}

/// The scenario text with each axis set to its value at `point`. The key
/// path must lead to an existing table; the key itself may be new (the
/// checker then rejects it if it is not a scenario key).
pub fn apply(text: &str, axes: &[Axis], point: &[usize]) -> Result<String, AppError> {
    let mut doc: toml::Table = toml::from_str(text)
        .map_err(|e| AppError::Usage(format!("the scenario is not valid TOML: {}", e.message())))?;
    for (axis, &i) in axes.iter().zip(point) {
        let value = toml_value(axis, &axis.values[i])?;
        let (last, parents) = axis.path.split_last().expect("non-empty path");
        let mut table = &mut doc;
        for (depth, seg) in parents.iter().enumerate() {
            table = match table.get_mut(seg) {
                Some(toml::Value::Table(t)) => t,
                _ => {
                    return Err(AppError::Usage(format!(
                        "--set {}: the scenario has no table `{}`",
                        axis.key,
                        axis.path[..=depth].join(".")
                    )));
                }
            };
        }
        table.insert(last.clone(), value);
    }
    toml::to_string(&doc)
        .map_err(|e| AppError::Usage(format!("cannot write the swept scenario: {e}")))
}

/// Checks the scenario at one point; an error names the `--set` values
/// rather than a position in a rewritten file.
pub fn scenario_at(
    label: &str,
    text: &str,
    axes: &[Axis],
    point: &[usize],
) -> Result<Scenario, AppError> {
    let swept = apply(text, axes, point)?;
    crate::scenario::parse(label, &swept).map_err(|e| {
        let settings: Vec<String> = axes
            .iter()
            .zip(point)
            .map(|(a, &i)| format!("{}={}", a.key, a.values[i]))
            .collect();
        AppError::Usage(format!(
            "{label} with --set {}: {} {}",
            settings.join(" --set "),
            e.key,
            e.message
        ))
    })
}

/// One simulated point of a sweep.
pub struct Point {
    /// The value of each axis at this point, as written.
    pub values: Vec<String>,
    /// The scenario at this point.
    pub scenario: Scenario,
    /// Its results.
    pub results: crate::engine::Results,
}

/// The sweep as a table, written by the same CSV and JSON writers as the
/// result tables. Columns: the swept keys, then `percentiles.csv`'s columns
/// for `cumulative` at the horizon, then `compare.csv`'s columns (`diff_`
/// before the percentiles of the difference). One row per (point,
/// strategy); the baseline's comparison cells are empty.
pub fn table(axes: &[Axis], percentiles: &[f64], points: &[Point]) -> Table {
    let mut columns: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    columns.extend(["strategy", "year", "measure", "mean"].map(String::from));
    columns.extend(percentiles.iter().map(|&p| percentile_label(p)));
    columns.extend(["baseline", "p_ahead", "mean_diff"].map(String::from));
    columns.extend(
        percentiles
            .iter()
            .map(|&p| format!("diff_{}", percentile_label(p))),
    );
    let mut rows = Vec::new();
    for p in points {
        let r = &p.results;
        let l = &r.layout;
        let y = l.years - 1;
        let n = r.percentiles.len();
        let cum = Measure::Cumulative;
        let money = |q: &[f64]| q[..n].iter().map(|&x| Cell::Money(x)).collect::<Vec<_>>();
        for (s, strategy) in p.scenario.strategies.iter().enumerate() {
            let stats = &r.series[l.at(s, y, cum)];
            let mut row: Vec<Cell> = p.values.iter().map(|v| Cell::Text(v.clone())).collect();
            row.extend([
                Cell::Text(strategy.name.clone()),
                Cell::Count(l.years as u64),
                Cell::Text("cumulative".into()),
                Cell::Money(stats.mean),
            ]);
            row.extend(money(&stats.quantiles));
            match l.compared.iter().position(|&c| c == s) {
                Some(k) => {
                    let d = &r.series[l.diff(k, y)];
                    row.extend([
                        Cell::Text(p.scenario.strategies[l.baseline].name.clone()),
                        Cell::Probability(d.share_positive),
                        Cell::Money(d.mean),
                    ]);
                    row.extend(money(&d.quantiles));
                }
                None => row.extend(std::iter::repeat_n(Cell::Empty, 3 + n)),
            }
            rows.push(row);
        }
    }
    Table { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_arguments_split_on_top_level_commas_only() {
        let a = parse_axis("jobs.x.grants=[25,25,25,25],[5,15,40,40]").unwrap();
        assert_eq!(a.values, vec!["[25,25,25,25]", "[5,15,40,40]"]);
        let b = parse_axis("companies.rocket.exit_rate=0.05, 0.1,0.2").unwrap();
        assert_eq!(b.path, vec!["companies", "rocket", "exit_rate"]);
        assert_eq!(b.values, vec!["0.05", "0.1", "0.2"]);
    }

    #[test]
    fn malformed_set_arguments_are_usage_errors() {
        assert!(parse_axis("no-equals").is_err());
        assert!(parse_axis("a..b=1").is_err());
        assert!(parse_axis("a.b=1,,2").is_err());
    }

    #[test]
    fn the_grid_is_the_product_of_the_axes_first_axis_slowest() {
        let a = parse_axis("a.b=1,2").unwrap();
        let b = parse_axis("c.d=x,y,z").unwrap();
        let g = grid(&[a, b]).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0, 0]);
        assert_eq!(g[1], vec![0, 1]);
        assert_eq!(g[3], vec![1, 0]);
    }

    #[test]
    fn apply_sets_values_and_rejects_missing_tables() {
        let text = "[companies.rocket]\nexit_rate = 0.1\n";
        let a = parse_axis("companies.rocket.exit_rate=0.25").unwrap();
        let out = apply(text, std::slice::from_ref(&a), &[0]).unwrap();
        assert!(out.contains("exit_rate = 0.25"), "{out}");
        let bad = parse_axis("companies.rockett.exit_rate=0.25").unwrap();
        let err = apply(text, &[bad], &[0]).unwrap_err().to_string();
        assert!(err.contains("no table `companies.rockett`"), "{err}");
    }
}
